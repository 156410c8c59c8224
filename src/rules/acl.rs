//! ACL users on the data nodes, as Sentinel, replicas and clients meet them: the user a
//! sentinel logs in with must run what Sentinel sends and use the hello channel, the
//! default user cannot be switched off under those who still log in as it, and the hello
//! channel should be Sentinel's alone.

use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::facts::{AclUser, Monitor, Node, Password};
use crate::knowledge::acl::{self, Access, ChannelDenied, HELLO_CHANNEL};
use crate::knowledge::Target;
use crate::model::Group;
use crate::rules::{Context, Rule};
use crate::source::Span;
use std::collections::HashSet;

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    let mut seen = HashSet::new();
    for group in topo.groups.iter().filter(|g| g.has_sentinels()) {
        let monitors: Vec<&Monitor> = group.monitors.iter().map(|&r| topo.monitor(r).1).collect();
        for n in group.nodes() {
            let node = &topo.nodes[n];
            // Users defined in an aclfile or by an operator are not known here.
            if !node.complete
                || node.acl_file.is_some()
                || node.runtime.managed_by.is_some()
                || !seen.insert(node.anchor)
            {
                continue;
            }
            let release = ctx.release_of(&node.runtime);
            sentinel_logins(node, release, &monitors, out);
            default_user_off(ctx, node, release, group, &monitors, out);
            hello_writable(node, release, &monitors, out);
        }
    }
}

/// The user a sentinel logs in with: `auth-user`, else `default`.
fn login_user(monitor: &Monitor) -> &str {
    monitor
        .auth_user
        .as_ref()
        .map_or("default", |u| u.value.as_str())
}

fn pubsub_default(node: &Node) -> Option<bool> {
    node.acl.pubsub_default.as_ref().map(|p| p.value)
}

/// What a user of the node may do; the built-in default user when no line defines it.
/// `None` when a rule is not understood.
fn access(node: &Node, user: &AclUser, release: Target) -> Option<Access> {
    acl::evaluate(
        user.rules.iter().map(|r| r.value.as_str()),
        release,
        pubsub_default(node),
    )
}

/// Insert rules at the end of a user line, where they take effect last.
fn append_rules(user: &AclUser, rules: &str) -> Option<Edit> {
    if !user.name.origin.on_conf_line() {
        return None;
    }
    let end = user.rules.last().map_or(user.name.span, |r| r.span);
    Some(Edit::insert(
        Span::new(end.file, end.end as usize, end.end as usize),
        format!(" {rules}"),
    ))
}

fn sentinel_logins(node: &Node, release: Target, monitors: &[&Monitor], out: &mut Vec<Diagnostic>) {
    let mut judged = HashSet::new();
    for monitor in monitors {
        let name = login_user(monitor);
        if !judged.insert(name) {
            continue;
        }
        let login_at = monitor.auth_user.as_ref().map_or(monitor.line, |u| u.span);
        let Some(user) = node.acl.user(name) else {
            // An undefined user only counts where this config manages its users.
            if name != "default" && !node.acl.users.is_empty() {
                out.push(
                    Diagnostic::new(
                        Rule::SentinelAclUserInsufficient,
                        login_at,
                        format!("the sentinels log in to {} as `{name}`, a user its config does not define: AUTH fails (WRONGPASS), every PING gets NOAUTH and the node is seen as down", node.name),
                    )
                    .label(node.acl.users[0].line, "the users this node defines")
                    .help(format!("define `user {name} on >… allchannels +multi +slaveof +ping +exec +subscribe +config|rewrite +role +publish +info +client|setname +client|kill +script|kill` on every node of the group")),
                );
            }
            continue;
        };
        let Some(access) = access(node, user, release) else {
            continue;
        };
        if !access.enabled {
            if name == "default" {
                continue; // acl-default-user-disabled-without-users says it.
            }
            out.push(
                Diagnostic::new(
                    Rule::SentinelAclUserInsufficient,
                    user.name.span,
                    format!("user `{name}`, which the sentinels log in with, is off on {} (a `user` line without `on` leaves it off): AUTH fails, every PING gets NOAUTH and the node is seen as down", node.name),
                )
                .label(login_at, "the sentinel logs in as this user")
                .help("add `on` to the user's rules"),
            );
            continue;
        }
        if let Some(pw) = monitor.auth_pass.as_ref() {
            password_mismatch(node, user, name, &pw.value, pw.span, out);
        }
        let missing: Vec<_> = access.missing().collect();
        if !missing.is_empty() {
            let required: Vec<_> = missing.iter().filter(|c| !c.optional).collect();
            let severity = if required.is_empty() {
                Severity::Warning
            } else {
                Severity::Error
            };
            let names: Vec<String> = missing.iter().map(|c| format!("+{}", c.name)).collect();
            let effects: Vec<&str> = missing.iter().map(|c| c.breaks).collect();
            let who = if name == "default" {
                "the default user, which the sentinels log in with,".to_string()
            } else {
                format!("user `{name}`, which the sentinels log in with,")
            };
            out.push(
                Diagnostic::new(
                    Rule::SentinelAclUserInsufficient,
                    user.name.span,
                    format!(
                        "{who} may not run {} on {} ({release}): {}",
                        names.join(" "),
                        node.name,
                        effects.join("; ")
                    ),
                )
                .severity(severity)
                .label(login_at, "the sentinel logs in as this user")
                .help("grant what Sentinel sends: +multi +slaveof +ping +exec +subscribe +config|rewrite +publish +info +client|setname +client|kill +script|kill, on every node of the group")
                .with_fix_opt(append_rules(user, &names.join(" ")).map(|e| {
                    Fix::unsafe_(format!("grant {}", names.join(" ")), vec![e])
                })),
            );
        }
        if let Some(denied) = access.hello_denied {
            let cause = match denied {
                ChannelDenied::ReleaseDefault => format!(
                    "since 7.0 a user starts without channels (acl-pubsub-default resetchannels), and {release} is what this node runs"
                ),
                ChannelDenied::PubsubDefault => {
                    "acl-pubsub-default resetchannels gives new users no channels".to_string()
                }
                ChannelDenied::ResetChannels => "its rules reset the channels".to_string(),
                ChannelDenied::NoMatchingPattern => {
                    "none of its channel patterns matches it".to_string()
                }
            };
            let mut d = Diagnostic::new(
                Rule::AclResetchannelsBlocksHello,
                user.name.span,
                format!(
                    "user `{name}`, which the sentinels log in with, may not use the {HELLO_CHANNEL} channel on {}: {cause}. PUBLISH and SUBSCRIBE there get NOPERM, so the sentinels never discover each other through this node and cannot form a majority",
                    node.name
                ),
            )
            .label(login_at, "the sentinel logs in as this user")
            .help(format!("add `&{HELLO_CHANNEL}` (or allchannels) to the user's rules"))
            .with_fix_opt(
                append_rules(user, &format!("&{HELLO_CHANNEL}"))
                    .map(|e| Fix::unsafe_(format!("grant the channel &{HELLO_CHANNEL}"), vec![e])),
            );
            if let (ChannelDenied::PubsubDefault, Some(p)) = (denied, &node.acl.pubsub_default) {
                d = d.label(p.span, "new users get no channels");
            }
            out.push(d);
        }
    }
}

/// The password Sentinel sends belongs to the user it names: compare it with that
/// user's `>password` rules (hashes cannot be compared).
fn password_mismatch(
    node: &Node,
    user: &AclUser,
    name: &str,
    sent: &Password,
    sent_at: Span,
    out: &mut Vec<Diagnostic>,
) {
    if name == "default" {
        return; // sentinel-auth-pass-mismatch compares the default user's password.
    }
    let Password::Literal(sent) = sent else {
        return;
    };
    let mut literals = Vec::new();
    for rule in &user.rules {
        let v = rule.value.as_str();
        match v.as_bytes().first() {
            Some(b'>') => literals.push((&v[1..], rule.span)),
            Some(b'#') => return,
            _ if v.eq_ignore_ascii_case("nopass") => return,
            _ if v.eq_ignore_ascii_case("resetpass") || v.eq_ignore_ascii_case("reset") => {
                literals.clear()
            }
            _ => {}
        }
    }
    if literals
        .iter()
        .any(|(l, _)| crate::knowledge::values::is_template(l))
    {
        return;
    }
    if let Some(&(_, at)) = literals
        .first()
        .filter(|_| literals.iter().all(|(l, _)| l != sent))
    {
        out.push(
            Diagnostic::new(
                Rule::SentinelAuthPassMismatch,
                sent_at,
                format!("auth-pass (***) is none of the passwords of user `{name}` on {}: Sentinel gets WRONGPASS, sees the node as down and cannot fail over to it", node.name),
            )
            .label(at, format!("password of `{name}`"))
            .help(format!("use a password of `{name}` in `sentinel auth-pass`")),
        );
    }
}

/// `user default off` (or a `user default` line without `on`: Redis resets the built-in
/// user before applying it) under sentinels and replicas that log in as `default`.
fn default_user_off(
    ctx: &Context,
    node: &Node,
    release: Target,
    group: &Group,
    monitors: &[&Monitor],
    out: &mut Vec<Diagnostic>,
) {
    let Some(user) = node.acl.user("default") else {
        return;
    };
    if access(node, user, release).is_none_or(|a| a.enabled) {
        return;
    }
    let off_at = user
        .rules
        .iter()
        .rev()
        .find(|r| r.value.eq_ignore_ascii_case("off") || r.value.eq_ignore_ascii_case("reset"))
        .map_or(user.name.span, |r| r.span);
    let mut affected: Vec<(Span, String)> = Vec::new();
    for monitor in monitors.iter().filter(|m| m.auth_user.is_none()) {
        if let Some(pw) = &monitor.auth_pass {
            affected.push((
                pw.span,
                "a sentinel logs in with auth-pass and no auth-user".into(),
            ));
        }
    }
    let topo = ctx.topology;
    for n in group.nodes() {
        let other = &topo.nodes[n];
        if other.anchor == node.anchor || other.masteruser.is_some() {
            continue;
        }
        if let Some(auth) = &other.masterauth {
            affected.push((
                auth.span,
                format!(
                    "{} authenticates with masterauth and no masteruser",
                    other.name
                ),
            ));
        }
    }
    let Some((first_at, first_why)) = affected.first().cloned() else {
        return;
    };
    let explicit = user
        .rules
        .iter()
        .any(|r| r.value.eq_ignore_ascii_case("off"));
    let how = if explicit {
        "is switched off"
    } else {
        "is left off (a `user default` line resets the built-in user; without `on` it stays off)"
    };
    let mut d = Diagnostic::new(
        Rule::AclDefaultUserDisabledWithoutUsers,
        off_at,
        format!("the default user {how} on {}, but {first_why}: that AUTH goes to the disabled default user and fails (WRONGPASS), so monitoring or replication of this node breaks and no failover can use it", node.name),
    )
    .label(first_at, "logs in as the default user");
    for (at, why) in affected.iter().skip(1).take(4) {
        d = d.label(*at, why.clone());
    }
    out.push(d.help("name a user that is on: `masteruser <user>` on the replicas and `sentinel auth-user <master> <user>` on the sentinels, or turn the default user on"));
}

/// Any user other than the sentinels' that may PUBLISH to the hello channel can feed the
/// sentinels a fake master address: hello messages are not authenticated.
fn hello_writable(node: &Node, release: Target, monitors: &[&Monitor], out: &mut Vec<Diagnostic>) {
    // Judged only where the config manages its users.
    if node.acl.users.is_empty()
        || acl::channels_by_default(release, pubsub_default(node)).is_none()
    {
        return;
    }
    let logins: HashSet<&str> = monitors.iter().map(|m| login_user(m)).collect();
    let mut open: Vec<(Span, String)> = Vec::new();
    for user in &node.acl.users {
        let name = user.name.value.as_str();
        if logins.contains(name) || node.acl.user(name).map(|u| u.line) != Some(user.line) {
            continue;
        }
        let Some(a) = access(node, user, release) else {
            continue;
        };
        if a.enabled && a.can_run("publish") && a.hello_denied.is_none() {
            open.push((user.name.span, name.to_string()));
        }
    }
    if node.acl.user("default").is_none() && !logins.contains("default") {
        // The built-in default user: on, every command and channel.
        let at = node.password.as_ref().map_or(node.anchor, |p| p.span);
        open.push((at, "default".to_string()));
    }
    let Some((first_at, first)) = open.first().cloned() else {
        return;
    };
    let mut d = Diagnostic::new(
        Rule::HelloChannelWritableByClients,
        first_at,
        format!("user `{first}` on {} may PUBLISH to {HELLO_CHANNEL}: sentinels do not authenticate hello messages, so a client with this user can announce another master address with a higher epoch and every sentinel switches to it", node.name),
    );
    for (at, name) in open.iter().skip(1).take(4) {
        d = d.label(*at, format!("`{name}` may publish there too"));
    }
    out.push(d.help(format!("give application users `resetchannels` plus their own channels (or `-publish`), and keep &{HELLO_CHANNEL} for the sentinels' user")));
}
