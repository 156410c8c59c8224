//! Passwords between data nodes, from sentinels to nodes, and between sentinels.
//! Values are compared, never shown.

use crate::diagnostic::{Diagnostic, Fix};
use crate::facts::Password;
use crate::model::Group;
use crate::rules::edits::conf_quote;
use crate::rules::{Context, Rule};
use crate::source::Spanned;
use std::collections::HashSet;

/// The password the group's nodes are expected to share: the master's, else the first one.
fn reference_password<'a>(
    ctx: &'a Context,
    group: &Group,
) -> Option<(usize, &'a Spanned<Password>)> {
    group
        .nodes()
        .find_map(|n| ctx.topology.nodes[n].password.as_ref().map(|p| (n, p)))
}

/// The group's password when every node that has one uses the same literal.
fn uniform_literal(ctx: &Context, group: &Group) -> Option<String> {
    let mut found: Option<&String> = None;
    for n in group.nodes() {
        match ctx.topology.nodes[n].password.as_ref().map(|p| &p.value) {
            Some(Password::Literal(v)) if found.is_none_or(|f| f == v) => found = Some(v),
            Some(_) => return None,
            None => {}
        }
    }
    found.cloned()
}

/// Whether a node's config says it sets no password at all: no `requirepass`, no ACL
/// users or ACL file, and nothing of it unseen.
fn sets_no_password(node: &crate::facts::Node) -> bool {
    node.complete && node.password.is_none() && node.acl_file.is_none() && node.acl.users.is_empty()
}

/// Whether a node, once demoted, may have to authenticate to the master it follows:
/// some other node of the group requires a password, or is not fully known. With
/// every other node open, a missing masterauth breaks nothing.
fn may_follow_a_password(ctx: &Context, group: &Group, n: usize) -> bool {
    let mut others = group.nodes().filter(|&m| m != n).peekable();
    others.peek().is_none() || others.any(|m| !sets_no_password(&ctx.topology.nodes[m]))
}

/// group-password-not-uniform for a replica that sets no password while the group's
/// master requires one: once promoted, it serves every client without a password, and
/// clients that send the group's password are refused.
fn open_replica(
    ctx: &Context,
    group: &Group,
    n: usize,
    ref_node: usize,
    ref_pw: &Spanned<Password>,
    out: &mut Vec<Diagnostic>,
) {
    let topo = ctx.topology;
    let node = &topo.nodes[n];
    let Some(rep) = node.replicaof.as_ref() else {
        return;
    };
    if !sets_no_password(node) || group.master != Some(ref_node) {
        return;
    }
    let name = group.name.as_deref().unwrap_or("the replication set");
    out.push(
        Diagnostic::new(
            Rule::GroupPasswordNotUniform,
            rep.host.span.cover(rep.port.span),
            format!("this replica of `{name}` sets no password while {} requires one: when a failover promotes it, the master of `{name}` accepts every client without a password, and clients that send the password are refused (\"AUTH … called without any password configured\")", topo.nodes[ref_node].name),
        )
        .label(ref_pw.span, "the master's password")
        .help("set the same requirepass (and masterauth) on every node of the group"),
    );
}

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    let mut reported_masterauth: HashSet<usize> = HashSet::new();
    for group in &topo.groups {
        let name = group.name.as_deref().unwrap_or("the replication set");
        let reference = reference_password(ctx, group);
        // Nodes whose password differs from the reference.
        if let Some((ref_node, ref_pw)) = reference {
            if group.has_sentinels() {
                for n in group.nodes().filter(|&n| n != ref_node) {
                    let Some(pw) = &topo.nodes[n].password else {
                        open_replica(ctx, group, n, ref_node, ref_pw, out);
                        continue;
                    };
                    if pw.value.differs_from(&ref_pw.value) {
                        out.push(
                            Diagnostic::new(
                                Rule::GroupPasswordNotUniform,
                                pw.span,
                                format!("this node's password (***) differs from the one of {} (***): Sentinel uses one password for every node of `{name}`, so this node is seen as down and cannot be promoted, and after a failover replication and clients break", topo.nodes[ref_node].name),
                            )
                            .label(ref_pw.span, "the other node's password")
                            .help("use one password for requirepass and masterauth on every node of the group, and the same in `sentinel auth-pass`"),
                        );
                    }
                }
            }
            // A replica's masterauth must match what the nodes that can become master require.
            for n in group.nodes() {
                let node = &topo.nodes[n];
                let is_replica = group.replicas.contains(&n);
                match &node.masterauth {
                    // A named user's password is not the default user's.
                    Some(_)
                        if node
                            .masteruser
                            .as_ref()
                            .is_some_and(|u| u.value != "default") => {}
                    Some(auth)
                        if (is_replica || group.has_sentinels())
                            && auth.value.differs_from(&ref_pw.value)
                            && reported_masterauth.insert(n) =>
                    {
                        out.push(
                            Diagnostic::new(
                                Rule::MasterauthMismatch,
                                auth.span,
                                format!("masterauth (***) differs from the password of {} (***): this node cannot sync from it{}", topo.nodes[ref_node].name, if is_replica { "" } else { " once it is demoted by a failover" }),
                            )
                            .label(ref_pw.span, "the master's password")
                            .help("set masterauth to the group's password"),
                        );
                    }
                    None if group.has_sentinels()
                        && node.complete
                        && node.password.is_some()
                        && may_follow_a_password(ctx, group, n)
                        && reported_masterauth.insert(n) =>
                    {
                        let pw = node.password.as_ref().unwrap();
                        // Unsafe: copies the group's one literal password; never shown.
                        let fix = match (&ref_pw.value, uniform_literal(ctx, group)) {
                            (Password::Literal(_), Some(value)) => ctx
                                .insert_conf_lines_after(
                                    pw,
                                    &format!("masterauth {}", conf_quote(&value)),
                                )
                                .map(|e| {
                                    Fix::unsafe_(
                                        "add masterauth with the group's password",
                                        vec![e.masked("masterauth ***\n")],
                                    )
                                }),
                            _ => None,
                        };
                        out.push(
                                Diagnostic::new(
                                    Rule::MasterauthMissing,
                                    pw.span,
                                    format!("this node of `{name}` requires a password but has no masterauth: when a failover demotes it to a replica, it cannot authenticate to the new master and stops replicating"),
                                )
                                .help("add `masterauth` with the group's password (every node can become a replica)")
                                .with_fix_opt(fix),
                            );
                    }
                    // A replica that sends no password to a master that requires one:
                    // the sync is refused at once (NOAUTH), failover or not.
                    None if is_replica
                        && node.complete
                        && node.masteruser.is_none()
                        && reported_masterauth.insert(n) =>
                    {
                        let (Some(rep), Some(master_pw)) = (
                            &node.replicaof,
                            group.master.and_then(|m| topo.nodes[m].password.as_ref()),
                        ) else {
                            continue;
                        };
                        let fix = match (&master_pw.value, uniform_literal(ctx, group)) {
                            (Password::Literal(_), Some(value)) => ctx
                                .insert_conf_lines_after(
                                    &rep.host,
                                    &format!("masterauth {}", conf_quote(&value)),
                                )
                                .map(|e| {
                                    Fix::unsafe_(
                                        "add masterauth with the master's password",
                                        vec![e.masked("masterauth ***\n")],
                                    )
                                }),
                            _ => None,
                        };
                        out.push(
                            Diagnostic::new(
                                Rule::MasterauthMissing,
                                rep.line,
                                format!("this replica{} replicates from {}, which requires a password, but it has no masterauth: the master refuses the sync (NOAUTH), and this replica never holds the data it should take over", group.name.as_ref().map(|n| format!(" of `{n}`")).unwrap_or_default(), topo.nodes[group.master.unwrap_or(ref_node)].name),
                            )
                            .label(master_pw.span, "the master's password")
                            .help("add `masterauth` with the master's password")
                            .with_fix_opt(fix),
                        );
                    }
                    _ => {}
                }
            }
        }
        if !group.has_sentinels() {
            continue;
        }
        // Sentinel → node credentials.
        for &r in &group.monitors {
            let (_, monitor) = topo.monitor(r);
            let node_passwords: Vec<(usize, &Spanned<Password>)> = group
                .nodes()
                .filter_map(|n| topo.nodes[n].password.as_ref().map(|p| (n, p)))
                .collect();
            let Some(&(first_node, first_pw)) = node_passwords.first() else {
                continue;
            };
            let sentinel = &topo.sentinels[r.sentinel];
            match &monitor.auth_pass {
                // A named user's password is compared by the ACL rules.
                Some(_) if monitor.auth_user.as_ref().is_some_and(|u| u.value != "default") => {}
                None if !sentinel.complete && sentinel.runtime.auth_pass_field.is_none() => {}
                None => out.push(
                    Diagnostic::new(
                        Rule::SentinelAuthPassMissing,
                        monitor.line,
                        format!("the nodes of `{name}` require a password but this sentinel has no `sentinel auth-pass {name}`: every PING gets NOAUTH, the nodes look down and no failover can succeed", name = monitor.name.value),
                    )
                    .label(first_pw.span, format!("password required by {}", topo.nodes[first_node].name))
                    .help(match sentinel.runtime.auth_pass_field {
                        Some(field) => format!("set {field}"),
                        None => format!("add `sentinel auth-pass {} <the nodes' password>`", monitor.name.value),
                    }),
                ),
                Some(auth) => {
                    let differing: Vec<&(usize, &Spanned<Password>)> =
                        node_passwords.iter().filter(|(_, p)| auth.value.differs_from(&p.value)).collect();
                    if let Some(&&(n, pw)) = differing.first() {
                        let literal = match auth.value.unexpanded() {
                            Some(var) => format!(" (the text `$({var})` itself: nothing expands `$(VAR)` in a config file, Kubernetes only does in a container's command, args and env)"),
                            None => " (***)".to_string(),
                        };
                        let mut d = Diagnostic::new(
                            Rule::SentinelAuthPassMismatch,
                            auth.span,
                            format!("auth-pass{literal} differs from the password of {} data node(s) of `{}`: Sentinel gets WRONGPASS from them, sees them as down and cannot fail over to them", differing.len(), monitor.name.value),
                        )
                        .label(pw.span, format!("password of {}", topo.nodes[n].name));
                        for &&(n, pw) in differing.iter().skip(1).take(4) {
                            d = d.label(pw.span, format!("password of {}", topo.nodes[n].name));
                        }
                        let help = if auth.value.unexpanded().is_some() {
                            "write the password into the config when the container starts (an init script that substitutes it from the environment), or pass it on the command line, where Kubernetes expands `$(VAR)`"
                        } else {
                            "use the nodes' password in `sentinel auth-pass`"
                        };
                        out.push(d.help(help));
                    }
                }
            }
        }
    }
    check_peer_auth(ctx, out);
    replica_only_masterauth(ctx, out);
}

/// A config template that writes `masterauth` only in its replica branch: the host it
/// renders as master requires a password and sends none, which is found out only when
/// a failover demotes it.
fn replica_only_masterauth(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for t in &ctx.units.replica_only_masterauth {
        // The model found the gap in this file already (a command per role).
        if out
            .iter()
            .any(|d| d.rule == Rule::MasterauthMissing && d.span.file == t.masterauth.file)
        {
            continue;
        }
        out.push(
            Diagnostic::new(
                Rule::MasterauthMissing,
                t.masterauth,
                "masterauth is written here only for the nodes made replicas, while requirepass is written for the master too: the node started as master requires a password but has no masterauth, so when a failover demotes it, it cannot authenticate to the new master and stops replicating",
            )
            .label(t.branch, "masterauth is left out for the master here")
            .label(t.requirepass, "every host requires a password")
            .help("write masterauth beside requirepass, outside the replica branch: every node of a Sentinel group can become a replica"),
        );
    }
}

/// Sentinels log into each other with `sentinel-pass`, or their own requirepass.
fn check_peer_auth(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    let mut reported: HashSet<usize> = HashSet::new();
    for group in topo.groups.iter().filter(|g| g.monitors.len() >= 2) {
        let members: Vec<usize> = group.monitors.iter().map(|r| r.sentinel).collect();
        for &j in &members {
            if reported.contains(&j) {
                continue;
            }
            let presented = topo.sentinels[j].peer_password();
            for &i in &members {
                if i == j {
                    continue;
                }
                if !topo.sentinels[j].complete {
                    break;
                }
                let Some(required) = &topo.sentinels[i].password else {
                    continue;
                };
                let mismatch = match presented {
                    None => matches!(required.value, Password::Literal(_)),
                    Some(p) => p.value.differs_from(&required.value),
                };
                if mismatch {
                    reported.insert(j);
                    let span = presented
                        .map(|p| p.span)
                        .unwrap_or(topo.sentinels[j].anchor);
                    let what = if presented.is_none() {
                        "presents no password"
                    } else {
                        "presents a different password (***)"
                    };
                    out.push(
                        Diagnostic::new(
                            Rule::SentinelPeerAuthInconsistent,
                            span,
                            format!("this sentinel {what} to its peers, but {} requires one (***): the sentinels cannot exchange votes, so no failover can be authorised", topo.sentinels[i].name),
                        )
                        .label(required.span, "the peer's requirepass")
                        .help("give every sentinel the same requirepass, or set `sentinel sentinel-pass` to the peers' password"),
                    );
                    break;
                }
            }
        }
    }
}
