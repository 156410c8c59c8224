//! Addresses that processes of one group announce: each must be their own.

use crate::diagnostic::Diagnostic;
use crate::knowledge::values::is_template;
use crate::rules::{Context, Rule};
use std::collections::HashMap;

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    replica_announce_duplicated(ctx, out);
    sentinel_announce_duplicated(ctx, out);
    sentinel_announces_master(ctx, out);
    master_name_shared(ctx, out);
}

/// Sentinels in containers of their own that announce, as their own address, the host
/// their monitor names: the master's. At most one of them could share the master's
/// network; the others tell their peers (and clients) an address where no sentinel
/// listens. Only a name the tree gives a data node's own container (a compose service,
/// an alias): a host's address may be shared on purpose, the ports telling them apart.
fn sentinel_announces_master(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    let mut reported = std::collections::HashSet::new();
    for group in &topo.groups {
        let mut found: Vec<(usize, &crate::facts::Monitor)> = Vec::new();
        for &r in &group.monitors {
            let (sentinel, monitor) = topo.monitor(r);
            let Some(ip) = &sentinel.announce_ip else {
                continue;
            };
            let own_network = sentinel.runtime.netns.is_some();
            let same = !ip.value.is_empty() && ip.value.eq_ignore_ascii_case(&monitor.host.value);
            // The name of a data node's own container (its service, a network alias),
            // not a host they all share (a host's address with published ports).
            let a_node = group.nodes().any(|n| {
                let node = &topo.nodes[n];
                node.runtime.netns.is_some()
                    && (node.name == format!("service `{}`", ip.value)
                        || node
                            .name_hints
                            .iter()
                            .any(|h| h.eq_ignore_ascii_case(&ip.value)))
            });
            if own_network && same && a_node && !found.iter().any(|(s, _)| *s == r.sentinel) {
                found.push((r.sentinel, monitor));
            }
        }
        // The netns of the sentinels that announce the master: two or more distinct.
        let mut networks: Vec<_> = found
            .iter()
            .filter_map(|(s, _)| topo.sentinels[*s].runtime.netns)
            .collect();
        networks.sort();
        networks.dedup();
        if networks.len() < 2 {
            continue;
        }
        let (first, monitor) = found[0];
        let sentinel = &topo.sentinels[first];
        let ip = sentinel.announce_ip.as_ref().expect("kept above");
        if !reported.insert(ip.span) {
            continue;
        }
        out.push(
            Diagnostic::new(
                Rule::AnnouncePortNotPublished,
                ip.span,
                format!(
                    "{} sentinels of `{}` announce `{}`, the address of the master they monitor, as their own: each runs in a container of its own, so the other sentinels (and clients) dial the master's address on the sentinel port, where no sentinel listens. They never learn of each other, and no failover finds a majority",
                    networks.len(),
                    group.name.as_deref().unwrap_or("the group"),
                    ip.value
                ),
            )
            .label(monitor.host.span, "the master's address")
            .help("announce each sentinel's own address (its service name with `announce-hostnames yes`, or its host's address and published port), or drop `announce-ip` inside one Docker network"),
        );
    }
}

/// Two sentinels of one group announcing one `announce-ip` and port: their peers take
/// them for one sentinel that keeps changing its run ID (`-dup-sentinel`), count one
/// voter where there are two, and flap between them.
fn sentinel_announce_duplicated(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    let mut reported = std::collections::HashSet::new();
    for group in &topo.groups {
        let mut seen: HashMap<(String, i64), usize> = HashMap::new();
        for &r in &group.monitors {
            let sentinel = &topo.sentinels[r.sentinel];
            let Some(ip) = &sentinel.announce_ip else {
                continue;
            };
            // Written out: on a config line, or as an image's variable or an option.
            if ip.value.is_empty() || is_template(&ip.value) || !ip.origin.replaceable() {
                continue;
            }
            // A `port ${PORT}` line: each process of the template gets its own port.
            let port_unknown = sentinel.port.is_none()
                && ctx.confs.get(&sentinel.file).is_some_and(|c| {
                    c.last_value("port")
                        .is_some_and(|(_, t)| t.value.parse::<i64>().is_err())
                });
            let announced_port = sentinel.announce_port.as_ref().filter(|p| p.value != 0);
            if port_unknown && announced_port.is_none() {
                continue;
            }
            let port = announced_port
                .or(sentinel.port.as_ref())
                .map_or(26379, |p| p.value);
            let key = (ip.value.to_ascii_lowercase(), port);
            let Some(&other) = seen.get(&key) else {
                seen.insert(key, r.sentinel);
                continue;
            };
            if other == r.sentinel || !reported.insert(ip.span) {
                continue;
            }
            let first = &topo.sentinels[other];
            let at = first.announce_ip.as_ref().map_or(first.anchor, |a| a.span);
            let same_line = at == ip.span;
            let mut d = Diagnostic::new(
                Rule::DuplicateSentinelAnnounce,
                ip.span,
                format!(
                    "{} announces {}:{port}, as {} does{}: the other sentinels take them for one sentinel whose run ID keeps changing (-dup-sentinel, +sentinel-address-switch), count one vote where there are two, and the majority a failover needs may never form",
                    sentinel.name,
                    ip.value,
                    first.name,
                    if same_line { " (both run this config)" } else { "" }
                ),
            )
            .help("give each sentinel its own announce-ip (or announce-port when they share a host)");
            if !same_line {
                d = d.label(at, "the same address announced here");
            }
            out.push(d);
        }
    }
}

/// Two groups of one deployment (a compose project, a namespace's manifests) watched
/// under one master name: a sentinel that meets a node or a sentinel of the other group
/// (a reused address, a shared network) merges what it learns into the wrong group.
fn master_name_shared(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    let mut by_unit: HashMap<(crate::source::FileId, &str), usize> = HashMap::new();
    for (g, group) in topo.groups.iter().enumerate() {
        let Some(name) = group.name.as_deref() else {
            continue;
        };
        let Some(sentinel) = group.monitors.first().map(|&r| &topo.sentinels[r.sentinel]) else {
            continue;
        };
        // An operator names its groups itself (Spotahome: always `mymaster`).
        let Some(unit) = sentinel
            .runtime
            .unit()
            .filter(|_| sentinel.runtime.managed_by.is_none())
        else {
            continue;
        };
        let Some(&other) = by_unit.get(&(unit, name)) else {
            by_unit.insert((unit, name), g);
            continue;
        };
        let first = &topo.groups[other];
        // The same master by address or by node; an address a script fills in at start
        // may well be that one too.
        let same_master = first.master.is_some() && first.master == group.master;
        if (first.host.as_str(), first.port) == (group.host.as_str(), group.port)
            || same_master
            || is_template(&first.host)
            || is_template(&group.host)
        {
            continue;
        }
        let line =
            |g: &crate::model::Group| g.monitors.first().map(|&r| topo.monitor(r).1.name.span);
        let (Some(here), Some(there)) = (line(group), line(first)) else {
            continue;
        };
        out.push(
            Diagnostic::new(
                Rule::SharedMasterNameAcrossGroups,
                here,
                format!("`{name}` names two masters in one deployment ({}:{} here, {}:{} there): sentinels that meet a node or a sentinel of the other group (an address reused after a restart, a shared network) mix the two groups' replicas and peers and may fail over the wrong one", group.host, group.port, first.host, first.port),
            )
            .label(there, "the same name for another master")
            .help("give each group its own master name (in `sentinel monitor` and in every client)"),
        );
    }
}

/// Two data nodes of one group announcing the same `replica-announce-ip` (and port): the
/// master lists them as one replica, and Sentinel reconfigures or promotes whichever
/// answers at that address. Copies of one config (a compose service with several
/// replicas, the pods of a StatefulSet) share a literal address too.
fn replica_announce_duplicated(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    for group in &topo.groups {
        let mut seen: HashMap<(String, i64), usize> = HashMap::new();
        let mut reported = std::collections::HashSet::new();
        for n in group.nodes() {
            let node = &topo.nodes[n];
            let Some(ip) = &node.announce_ip else {
                continue;
            };
            if ip.value.is_empty() || is_template(&ip.value) || !ip.origin.on_conf_line() {
                continue;
            }
            let port = node
                .announce_port
                .as_ref()
                .map_or_else(|| node.effective_port(), |p| p.value);
            let key = (ip.value.to_ascii_lowercase(), port);
            let Some(&other) = seen.get(&key) else {
                seen.insert(key, n);
                continue;
            };
            let first = &topo.nodes[other];
            let at = first
                .announce_ip
                .as_ref()
                .map(|a| a.span)
                .unwrap_or(first.anchor);
            // Copies of one line are one finding.
            if !reported.insert(ip.span) {
                continue;
            }
            let same_line = at == ip.span;
            let mut d = Diagnostic::new(
                Rule::ReplicaAnnounceIpDuplicated,
                ip.span,
                format!(
                    "{} announces {}:{port}, as {} does{}: the master lists one replica where there are two, and Sentinel reconfigures or promotes whichever answers at that address",
                    node.name,
                    ip.value,
                    first.name,
                    if same_line { " (both run this config)" } else { "" }
                ),
            )
            .help("give each node its own address (the pod IP from the downward API, or the host's address with a port per node)");
            if !same_line {
                d = d.label(at, "the same address announced here");
            }
            out.push(d);
        }
    }
}
