//! Addresses and host names, and protected mode.

use crate::diagnostic::{Diagnostic, Fix};
use crate::facts::{Password, Runtime, SentinelProc};
use crate::knowledge::values::{is_ip_literal, is_loopback, is_template};
use crate::knowledge::Version;
use crate::rules::{Context, Rule};
use crate::source::{Span, Spanned};

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let hosts = ctx.on_hosts();
    for (s, sentinel) in ctx.topology.sentinels.iter().enumerate() {
        check_hostnames(ctx, sentinel, out);
        // A sentinel whose masters are all on loopback is a one-host lab: its peers
        // reach it on loopback, which protected mode lets in, whatever it binds.
        let local_lab = !sentinel.monitors.is_empty()
            && sentinel.monitors.iter().all(|m| is_loopback(&m.host.value));
        let remote = (sentinel.binds.iter().any(|b| is_remote_bind(&b.value)) && !local_lab)
            || sentinel
                .monitors
                .iter()
                .any(|m| !is_loopback(&m.host.value));
        // On a host, Sentinel before 5.0.1 kept Redis's compiled-in default, protected
        // mode on (5.0.1 turned it off for Sentinel): with no `bind`, only loopback gets in.
        let compiled_default = (sentinel.protected_mode.is_none()
            && sentinel.binds.is_empty()
            && hosts.sentinels.contains(&s)
            && ctx.knows(&sentinel.runtime, Version::new(3, 2, 0))
            && !ctx.knows(&sentinel.runtime, Version::new(5, 0, 1)))
        .then(|| {
            let at = sentinel.port.as_ref().map_or(sentinel.anchor, |p| p.span);
            Spanned::with_origin(true, at, crate::source::Origin::Implied)
        });
        let listener = Listener {
            protected: sentinel
                .protected_mode
                .as_ref()
                .or(compiled_default.as_ref()),
            by_default: compiled_default.is_some(),
            watched_at: None,
            password: sentinel.password.as_ref(),
            acl_file: sentinel.acl_file.is_some(),
            binds: &sentinel.binds,
            remote,
            complete: sentinel.complete,
            what: "sentinel",
            runtime: &sentinel.runtime,
        };
        check_protected(ctx, &listener, out);
        let peers_remote = sentinel
            .monitors
            .iter()
            .any(|m| !is_loopback(&m.host.value));
        bind_loopback_first(
            ctx,
            &sentinel.binds,
            &sentinel.runtime,
            peers_remote,
            "sentinel",
            out,
        );
    }
    // On a host (not in the official image, which is built with protected mode off) a
    // config without a `protected-mode` line runs with Redis's default: on, since 3.2.
    // Masters of groups their sentinels watch at an address of the network: the first
    // monitor line of each.
    let mut watched_masters: std::collections::HashMap<usize, Span> =
        std::collections::HashMap::new();
    for g in ctx.topology.groups.iter().filter(|g| !is_loopback(&g.host)) {
        if let (Some(m), Some(&first)) = (g.master, g.monitors.first()) {
            watched_masters
                .entry(m)
                .or_insert(ctx.topology.monitor(first).1.line);
        }
    }
    for (i, node) in ctx.topology.nodes.iter().enumerate() {
        let compiled_default = (node.protected_mode.is_none()
            && hosts.nodes.contains(&i)
            && ctx.knows(&node.runtime, Version::new(3, 2, 0)))
        .then(|| {
            let at = node.port.as_ref().map_or(node.anchor, |p| p.span);
            Spanned::with_origin(true, at, crate::source::Origin::Implied)
        });
        let in_remote_group = ctx
            .topology
            .groups_of_node(i)
            .any(|g| !is_loopback(&g.host));
        // Monitored on loopback only (and replicating from loopback, if at all): its
        // replicas and sentinels are on the same host.
        let local_lab = !in_remote_group && ctx.topology.groups_of_node(i).next().is_some();
        // A config of hosts the tree provisions that no sentinel's group links (its
        // replicas are made at run time, `redis-cli replicaof`), beside sentinels that
        // watch a master at its port over the network: it is that master's config.
        let watched_at = (hosts.provisioned
            && hosts.nodes.contains(&i)
            && node.replicaof.is_none()
            && ctx.topology.groups_of_node(i).next().is_none())
        .then(|| watched_over_network(ctx, node))
        .flatten()
        .or_else(|| watched_masters.get(&i).copied());
        let remote = (node.binds.iter().any(|b| is_remote_bind(&b.value)) && !local_lab)
            || node
                .replicaof
                .as_ref()
                .is_some_and(|r| !is_loopback(&r.host.value))
            || in_remote_group
            || watched_at.is_some();
        let listener = Listener {
            protected: node.protected_mode.as_ref().or(compiled_default.as_ref()),
            by_default: compiled_default.is_some(),
            watched_at,
            password: node.password.as_ref(),
            acl_file: node.acl_file.is_some(),
            binds: &node.binds,
            remote,
            complete: node.complete,
            what: "node",
            runtime: &node.runtime,
        };
        check_protected(ctx, &listener, out);
        let peers_remote = node
            .replicaof
            .as_ref()
            .is_some_and(|r| !is_loopback(&r.host.value))
            || in_remote_group;
        bind_loopback_first(ctx, &node.binds, &node.runtime, peers_remote, "node", out);
    }
    mixed_identities(ctx, out);
    announced_replica_names(ctx, out);
}

/// The monitor line of a sentinel beside this node's config (in its folder) that watches,
/// at the node's port, a master on another host that no config of the tree is linked to
/// (unless the node listens on loopback only).
fn watched_over_network(ctx: &Context, node: &crate::facts::Node) -> Option<Span> {
    let topo = ctx.topology;
    let folder = |file| ctx.sources.get(&file).and_then(|s| s.path.parent());
    let here = folder(node.file)?;
    // A node that listens on loopback only is reached at no address of the network.
    if !node.binds.is_empty()
        && node
            .binds
            .iter()
            .all(|b| is_loopback(b.value.trim_start_matches('-')))
    {
        return None;
    }
    topo.groups
        .iter()
        .filter(|g| g.master.is_none() && !is_loopback(&g.host) && !is_template(&g.host))
        .flat_map(|g| g.monitors.iter().map(|&r| topo.monitor(r)))
        .find(|(sentinel, monitor)| {
            monitor.port.value == node.effective_port() && folder(sentinel.file) == Some(here)
        })
        .map(|(_, monitor)| monitor.host.span)
}

/// Replicas that announce a host name (`replica-announce-ip redis-replica-1`) to
/// sentinels that accept IP addresses only: from 6.2 a sentinel without
/// `resolve-hostnames yes` cannot add a replica the master lists by name ("Failed to
/// resolve hostname"), so it knows no replica to promote. (Before 6.2 it resolved the
/// name when it learnt it.)
fn announced_replica_names(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    let mut seen = std::collections::HashSet::new();
    for group in topo.groups.iter().filter(|g| g.has_sentinels()) {
        let sentinels: Vec<&SentinelProc> =
            group.monitors.iter().map(|&r| topo.monitor(r).0).collect();
        let refuse = sentinels.iter().all(|s| {
            s.complete
                && !s.resolves_hostnames()
                && s.runtime.managed_by.is_none()
                && ctx.knows(&s.runtime, Version::new(6, 2, 0))
        });
        // A master watched by name: that line is reported, and the same setting mends both.
        let by_name = group.monitors.iter().any(|&m| {
            let host = &topo.monitor(m).1.host.value;
            !is_ip_literal(host) && !is_template(host)
        });
        let Some(first) = sentinels.first().filter(|_| refuse && !by_name) else {
            continue;
        };
        for &r in &group.replicas {
            let Some(ip) = topo.nodes[r].announce_ip.as_ref() else {
                continue;
            };
            let name = ip.value.as_str();
            if name.is_empty() || is_ip_literal(name) || is_template(name) || !seen.insert(ip.span)
            {
                continue;
            }
            let group_name = group.name.as_deref().unwrap_or("the group");
            let mut d = Diagnostic::new(
                Rule::HostnameMonitorWithoutResolveHostnames,
                ip.span,
                format!("this replica announces the host name `{name}`, but the sentinels of `{group_name}` accept IP addresses only (no `sentinel resolve-hostnames yes`): they cannot add it (\"Failed to resolve hostname\"), so they know no replica to promote and a failover finds none"),
            )
            .help(format!(
                "{} on the sentinels (Redis 6.2+), or announce an IP address",
                ctx.how_to_set(
                    &first.runtime,
                    &[("sentinel resolve-hostnames", "yes"), ("sentinel announce-hostnames", "yes")]
                )
            ));
            if let Some(m) = group.monitors.first() {
                d = d.label(topo.monitor(*m).1.line, "the sentinels watching its master");
            }
            out.push(d);
        }
    }
}

/// Sentinels that work with host names, and data nodes of their group known by an IP
/// address: the master lists a replica by the address of its connection unless it
/// announces a name, so Sentinel keys it by IP while it knows the master by name.
fn mixed_identities(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    let mut seen = std::collections::HashSet::new();
    for group in topo.groups.iter().filter(|g| g.has_sentinels()) {
        if is_ip_literal(&group.host) || is_template(&group.host) {
            continue;
        }
        let sentinels: Vec<&SentinelProc> =
            group.monitors.iter().map(|&r| topo.monitor(r).0).collect();
        let by_name = sentinels
            .iter()
            .all(|s| s.complete && s.resolves_hostnames() && s.announces_hostnames());
        let Some(first) = sentinels.first().filter(|_| by_name) else {
            continue;
        };
        let tls = sentinels.iter().any(|s| s.tls.replicates());
        // The master's name is a Service with a virtual IP: the name resolves to
        // another address than the one its connections come from.
        let service_ip =
            topo.cluster.services.iter().find(|svc| {
                !svc.headless && group.host.split('.').next() == Some(svc.name.as_str())
            });
        // Where the name resolves to the connection's own address (compose service
        // names, a headless Service's pod names) the two entries reach the same
        // process: untidy, not broken.
        if !tls && service_ip.is_none() {
            continue;
        }
        for n in group.nodes() {
            let node = &topo.nodes[n];
            if !node.complete || node.runtime.managed_by.is_some() {
                continue;
            }
            let (at, how) = match &node.announce_ip {
                None => (
                    node.anchor,
                    "does not set `replica-announce-ip`".to_string(),
                ),
                Some(ip) if is_ip_literal(&ip.value) => {
                    (ip.span, format!("announces the IP address {}", ip.value))
                }
                Some(_) => continue,
            };
            if !seen.insert(at) {
                continue;
            }
            let mut notes = String::new();
            if let Some(svc) = service_ip {
                notes.push_str(&format!(" Here the master's name is Service `{}`, whose virtual IP is not the address its connections come from: the entry by IP and the entry by name are never recognised as one process, and a promoted node can be told to replicate from itself.", svc.name));
            }
            if tls {
                notes.push_str(" With TLS, a client that verifies host names cannot verify a master given as an IP address.");
            }
            let (_, monitor) = topo.monitor(group.monitors[0]);
            out.push(
                Diagnostic::new(
                    Rule::MixedHostnameIpIdentities,
                    at,
                    format!(
                        "{} {how}, while the sentinels of `{}` resolve and announce host names: its master lists it by the IP address of its connection, so Sentinel knows it by IP and the master by name; after a failover one process can appear twice among the replicas, and a master promoted from its IP entry is handed to clients as an IP address.{notes}",
                        node.name,
                        monitor.name.value,
                    ),
                )
                .label(
                    first
                        .announce_hostnames
                        .as_ref()
                        .map_or(monitor.host.span, |a| a.span),
                    "the sentinels announce host names",
                )
                .help("set `replica-announce-ip` to the node's own host name on every data node (the master too: it becomes a replica after a failover)"),
            );
        }
    }
}

/// Before 7.0 every outgoing link (replication, Sentinel's links) is bound to the first
/// `bind` address; from a loopback address no remote peer can be reached. 7.0 added
/// `bind-source-addr` and stopped using the first bind address.
fn bind_loopback_first(
    ctx: &Context,
    binds: &[Spanned<String>],
    runtime: &Runtime,
    peers_remote: bool,
    what: &str,
    out: &mut Vec<Diagnostic>,
) {
    let loopback = |b: &Spanned<String>| is_loopback(b.value.trim_start_matches('-'));
    let (Some(first), true) = (binds.first(), peers_remote) else {
        return;
    };
    if !loopback(first) || binds.iter().all(loopback) || binds.iter().any(|b| is_template(&b.value))
    {
        return;
    }
    let release = ctx.release_of(runtime);
    if release.has_redis_feature(Version::new(7, 0, 0)) {
        return;
    }
    let mut order: Vec<&str> = binds
        .iter()
        .filter(|b| !loopback(b))
        .map(|b| b.value.as_str())
        .collect();
    order.extend(
        binds
            .iter()
            .filter(|b| loopback(b))
            .map(|b| b.value.as_str()),
    );
    let last = binds.last().unwrap();
    let all = Spanned::with_origin(
        (),
        Span::new(
            first.span.file,
            first.span.start as usize,
            last.span.end as usize,
        ),
        first.origin,
    );
    let same_line = binds.iter().all(|b| b.span.file == first.span.file)
        && ctx.source(first.span.file).text()[all.span.range()]
            .lines()
            .count()
            <= 1;
    let fix = same_line
        .then(|| ctx.replace_value(&all, order.join(" ")))
        .flatten()
        .map(|e| Fix::safe("list a routable address first", vec![e]));
    out.push(
        Diagnostic::new(
            Rule::BindFirstAddressLoopbackPre7,
            first.span,
            format!("the first bind address of this {what} is the loopback address {} on {release}: before 7.0 every outgoing connection (replication to its master, a sentinel's links to nodes and peers) is made from the first bind address, and from {} no remote peer can be reached", first.value, first.value),
        )
        .help("list a routable address first (`bind {}`), or run 7.0 or later".replace("{}", &order.join(" ")))
        .with_fix_opt(fix),
    );
}

fn is_remote_bind(addr: &str) -> bool {
    !addr.is_empty() && !is_loopback(addr)
}

/// Turn on `resolve-hostnames` (when `resolve`) and `announce-hostnames`: flip a `no`
/// where it is written, else add the settings where this sentinel's settings live (lines
/// after its first `sentinel monitor`, or the image's environment variables). Never for
/// a release that does not know them (Redis before 6.2).
fn hostname_fix(ctx: &Context, sentinel: &SentinelProc, resolve: bool) -> Option<Fix> {
    if !ctx.knows(&sentinel.runtime, Version::new(6, 2, 0)) {
        return None;
    }
    let anchor = &sentinel.monitors.first()?.name;
    let mut edits = Vec::new();
    let mut missing: Vec<&str> = Vec::new();
    let mut switch = |setting: &Option<Spanned<bool>>, name: &'static str| match setting {
        Some(s) if s.value => {}
        Some(s) if s.origin.replaceable() => edits.extend(ctx.replace_value(s, "yes")),
        _ => missing.push(name),
    };
    if resolve {
        switch(&sentinel.resolve_hostnames, "sentinel resolve-hostnames");
    }
    switch(&sentinel.announce_hostnames, "sentinel announce-hostnames");
    if !missing.is_empty() {
        let added = match &sentinel.runtime.env {
            Some(site) => {
                let pairs: Vec<(&str, &str)> = missing.iter().map(|m| (*m, "yes")).collect();
                ctx.add_env(site, &pairs)
            }
            None => {
                let lines: Vec<String> = missing.iter().map(|m| format!("{m} yes")).collect();
                ctx.insert_conf_lines_after(anchor, &lines.join("\n"))
            }
        };
        edits.push(added?);
    }
    if edits.is_empty()
        || ctx
            .rewrite_start(anchor.span.file)
            .is_some_and(|r| edits.iter().any(|e| e.span.start as usize >= r))
    {
        return None;
    }
    let message = if resolve {
        "enable resolve-hostnames and announce-hostnames"
    } else {
        "enable announce-hostnames"
    };
    Some(Fix::safe(message, edits))
}

/// Host names in a sentinel's addresses. Sentinel before 6.2 resolves them once, when it
/// loads its config (it has no `resolve-hostnames`): nothing to report here. From 6.2 on
/// it accepts IP addresses only, unless `resolve-hostnames yes`.
fn check_hostnames(ctx: &Context, sentinel: &SentinelProc, out: &mut Vec<Diagnostic>) {
    // An operator or chart tells its sentinels the address itself (a pod IP, or a name
    // with the settings it needs): no address of theirs is written in the tree.
    if !ctx.knows(&sentinel.runtime, Version::new(6, 2, 0)) || sentinel.runtime.managed_by.is_some()
    {
        return;
    }
    // Name the release when the image, not the default target, decides the verdict.
    let from_image = sentinel
        .runtime
        .release
        .as_ref()
        .map(|r| format!(" ({} from its image)", r.value))
        .unwrap_or_default();
    let resolves = sentinel.resolves_hostnames();
    let hosts = sentinel.monitors.iter().flat_map(|m| {
        std::iter::once(&m.host)
            .chain(m.known_replicas.iter().map(|p| &p.host))
            .chain(m.known_sentinels.iter().map(|p| &p.host))
    });
    let mut first_hostname: Option<&Spanned<String>> = None;
    for host in hosts {
        if host.value.is_empty() || is_ip_literal(&host.value) || is_template(&host.value) {
            continue;
        }
        first_hostname.get_or_insert(host);
        if resolves {
            continue;
        }
        let mut d = Diagnostic::new(
            Rule::HostnameMonitorWithoutResolveHostnames,
            host.span,
            format!("`{}` is a host name, but this sentinel{from_image} only accepts IP addresses: it refuses to start (\"Can't resolve instance hostname.\")", host.value),
        )
        .fatal()
        .help(format!(
            "{} (Redis 6.2+), or use an IP address",
            ctx.how_to_set(
                &sentinel.runtime,
                &[("sentinel resolve-hostnames", "yes"), ("sentinel announce-hostnames", "yes")]
            )
        ));
        if let Some(r) = sentinel.runtime.release.as_ref() {
            d = d.label(r.span, format!("runs {}", r.value));
        }
        if let Some(fix) = hostname_fix(ctx, sentinel, true) {
            d = d.with_fix(fix);
        }
        out.push(d);
    }
    if let (true, Some(host)) = (resolves, first_hostname) {
        if !sentinel.announces_hostnames() {
            // `sentinel announce-hostnames no` written out is the line to change.
            let disabled = sentinel
                .announce_hostnames
                .as_ref()
                .filter(|a| a.origin.replaceable());
            let mut d = Diagnostic::new(
                Rule::HostnamesWithoutAnnounceHostnames,
                disabled.map_or(host.span, |a| a.span),
                format!("`{}` is resolved, but without `sentinel announce-hostnames yes` Sentinel records and hands out the IP it resolved (and rewrites this line with it): after the node restarts with a new IP, clients and peers get a stale address", host.value),
            )
            .help(format!(
                "{} (and `replica-announce-ip <hostname>` on the data nodes)",
                ctx.how_to_set(&sentinel.runtime, &[("sentinel announce-hostnames", "yes")])
            ));
            // Labels only where the setting is written: an image default has no line.
            if let Some(r) = sentinel
                .resolve_hostnames
                .as_ref()
                .filter(|r| r.origin.replaceable())
            {
                d = d.label(r.span, "host names resolved here");
            }
            if disabled.is_some() {
                d = d.label(host.span, "this name is resolved and replaced by its IP");
            }
            if let Some(fix) = hostname_fix(ctx, sentinel, false) {
                d = d.with_fix(fix);
            }
            out.push(d);
        }
    }
}

/// What protected mode needs to know about a listening process.
struct Listener<'a> {
    protected: Option<&'a Spanned<bool>>,
    /// Protected mode is on because no line sets it (a host's compiled-in default).
    by_default: bool,
    /// The node is known to be reached over the network because a sentinel watches it
    /// there, at this monitor line.
    watched_at: Option<Span>,
    password: Option<&'a Spanned<Password>>,
    /// Users come from an ACL file: the default user may have a password there.
    acl_file: bool,
    binds: &'a [Spanned<String>],
    /// It must accept connections from other hosts.
    remote: bool,
    complete: bool,
    what: &'static str,
    /// The release it runs decides whether `bind` lifts protected mode.
    runtime: &'a Runtime,
}

fn check_protected(ctx: &Context, l: &Listener, out: &mut Vec<Diagnostic>) {
    let (password, binds, remote, complete, what) =
        (l.password, l.binds, l.remote, l.complete, l.what);
    let Some(protected) = l.protected.filter(|p| p.value) else {
        return;
    };
    if password.is_some() || l.acl_file || !remote || !complete {
        return;
    }
    // Before 7.0 protected mode only applies when no `bind` is configured.
    let bind_ignored = ctx.knows(l.runtime, Version::new(7, 0, 0));
    if !binds.is_empty() && !bind_ignored {
        return;
    }
    let peers = if what == "sentinel" {
        "other sentinels and clients"
    } else {
        "replicas, sentinels and clients"
    };
    let how = match (l.by_default, what) {
        (true, "sentinel") => "protected mode is on (no `protected-mode` line: before 5.0.1 Sentinel kept Redis's default, on)",
        (true, _) => "protected mode is on (no `protected-mode` line: the default of Redis as built from source or packaged, which only the official Docker image turns off)",
        (false, _) => "protected mode is on",
    };
    let mut d = Diagnostic::new(
        Rule::ProtectedModeBlocksRemote,
        protected.span,
        format!("{how} and this {what} has no password: {peers} on other hosts get \"DENIED … protected mode\", so monitoring, replication and failover fail"),
    )
    .help("set a password (requirepass) or `protected-mode no` with a firewall; since Redis 7.0 a `bind` line does not lift protected mode");
    if let Some(first) = binds.iter().find(|b| is_remote_bind(&b.value)) {
        let span: Span = first.span;
        d = d.label(span, "listens on a non-loopback address");
    }
    if let Some(at) = l.watched_at {
        d = d.label(at, "a sentinel watches this master over the network");
    }
    // The release decides the default: say where it comes from.
    if let Some(release) = l.runtime.release.as_ref().filter(|_| l.by_default) {
        d = d.label(release.span, format!("{} runs here", release.value));
    }
    out.push(d);
}
