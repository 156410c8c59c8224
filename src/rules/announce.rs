//! Announced addresses against what a container publishes: a process that tells its
//! peers a port must be reachable there.

use crate::diagnostic::Diagnostic;
use crate::formats::compose::Port;
use crate::formats::units::ComposeUnit;
use crate::rules::{Context, Rule};
use crate::source::{Span, Spanned};

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    nat_without_announce(ctx, out);
    for unit in &ctx.units.compose {
        // Host networking shares the host's ports: nothing is remapped (see
        // `port_not_published` for what it still checks).
        if unit.service.replicas != 1 {
            continue;
        }
        for &n in &unit.nodes {
            let node = &ctx.topology.nodes[n];
            let listen = listening_port(node.effective_port(), &node.tls);
            let announced = Announced {
                port: node.announce_port.as_ref(),
                ip: node.announce_ip.as_ref(),
                listen,
                port_setting: "replica-announce-port",
                ip_setting: "replica-announce-ip",
                who: "the sentinels learn its address from its master and dial it (and hand it to clients after a failover)",
            };
            port_not_published(ctx, unit, &announced, out);
        }
        for &s in &unit.sentinels {
            let sentinel = &ctx.topology.sentinels[s];
            let announced = Announced {
                port: sentinel.announce_port.as_ref(),
                ip: sentinel.announce_ip.as_ref(),
                listen: listening_port(
                    sentinel.port.as_ref().map_or(26379, |p| p.value),
                    &sentinel.tls,
                ),
                port_setting: "sentinel announce-port",
                ip_setting: "sentinel announce-ip",
                who: "the other sentinels dial it",
            };
            port_not_published(ctx, unit, &announced, out);
        }
    }
}

/// The port a process is reached on: its plain port, or its TLS port when the plain
/// one is switched off (`port 0`).
fn listening_port(port: i64, tls: &crate::facts::Tls) -> i64 {
    match tls.listens() {
        Some(t) if port == 0 => t.value,
        _ => port,
    }
}

/// What one process announces about itself.
struct Announced<'a> {
    port: Option<&'a Spanned<i64>>,
    ip: Option<&'a Spanned<String>>,
    /// The port it listens on in its container.
    listen: i64,
    port_setting: &'static str,
    ip_setting: &'static str,
    /// Who dials the announced address, for the message.
    who: &'static str,
}

/// A host port as published: a number, a range, or something unknown.
pub(super) fn host_ports(p: &Port) -> Option<(i64, i64)> {
    let published = p.published.as_deref()?.trim();
    match published.split_once('-') {
        Some((a, b)) => Some((a.trim().parse().ok()?, b.trim().parse().ok()?)),
        None => {
            let n = published.parse().ok()?;
            Some((n, n))
        }
    }
}

fn port_not_published(ctx: &Context, unit: &ComposeUnit, a: &Announced, out: &mut Vec<Diagnostic>) {
    let Some(port) = a.port.filter(|p| p.value != 0) else {
        return;
    };
    if crate::knowledge::values::is_template(
        &ctx.source(port.span.file).text()[port.span.start as usize..port.span.end as usize],
    ) {
        return;
    }
    let service = &unit.service;
    let name = &service.name;
    let v = port.value;
    // On the host's own network the announced port must be the one it listens on.
    if service.host_network {
        if v != a.listen {
            out.push(
                Diagnostic::new(
                    Rule::AnnouncePortNotPublished,
                    port.span,
                    format!(
                        "service `{name}` announces port {v}, but it listens on {} on the host's own network, where no port is remapped: {} at port {v}, which is not this process",
                        a.listen, a.who
                    ),
                )
                .help(format!(
                    "announce the port it listens on (`{} {}`), or leave the setting out",
                    a.port_setting, a.listen
                )),
            );
        }
        return;
    }
    let file = unit.file;
    let at = |r: &std::ops::Range<usize>| Span::new(file, r.start, r.end);
    let mappings: Vec<&Port> = service
        .ports
        .iter()
        .filter(|p| p.target == a.listen)
        .collect();
    let published: Vec<(i64, i64)> = mappings.iter().filter_map(|p| host_ports(p)).collect();
    // A published port we cannot read (a variable, a random host port) may be the one.
    let unknown = mappings.len() != published.len();
    let maps = |n: i64| published.iter().any(|&(lo, hi)| (lo..=hi).contains(&n));
    // An announced name or static address of a container of the same compose file:
    // peers dial it on the compose network, where the container port is open as it is.
    let on_compose_network = a.ip.is_some_and(|ip| {
        let ip = ip.value.to_ascii_lowercase();
        ctx.units
            .compose
            .iter()
            .filter(|u| u.file == file)
            .any(|u| {
                u.service.hostnames.contains(&ip)
                    || u.service
                        .static_ips
                        .iter()
                        .any(|s| s.eq_ignore_ascii_case(&ip))
            })
    });
    // The host port it is published as, announced with the container's name: the
    // peers on the compose network reach the container itself at that port, where
    // nothing listens (the mapping exists on the host's addresses only).
    if maps(v) {
        if let Some(ip) = a.ip.filter(|_| on_compose_network && v != a.listen) {
            let mut d = Diagnostic::new(
                Rule::AnnouncePortNotPublished,
                port.span,
                format!(
                    "service `{name}` announces {}:{v}, but on the compose network `{}` is the container itself, which listens on {}: {} at a port that is open only on the host's addresses",
                    ip.value, ip.value, a.listen, a.who
                ),
            )
            .label(ip.span, "a name (or address) of the container on the compose network");
            if let Some(m) = mappings
                .iter()
                .find(|m| host_ports(m).is_some_and(|(lo, hi)| (lo..=hi).contains(&v)))
            {
                d = d.label(
                    at(&m.span),
                    format!("the host publishes {v} to its port {}", a.listen),
                );
            }
            out.push(d.help(format!(
                "announce the port it listens on (`{} {}`), or set `{}` to the host address where {v} is published",
                a.port_setting, a.listen, a.ip_setting
            )));
        }
        return;
    }
    if unknown {
        return;
    }
    // Announcing its own port: peers on the compose network reach it at its container
    // address, unless it also announces an address outside (the host's), where that
    // port is published elsewhere or not at all.
    if v == a.listen && (a.ip.is_none() || mappings.is_empty()) {
        return;
    }
    if v == a.listen && on_compose_network {
        return;
    }
    let addr =
        a.ip.map_or("its container address".to_string(), |ip| ip.value.clone());
    let why = if v == a.listen {
        format!("the host does not publish {v} to it")
    } else {
        format!(
            "it listens on {} and the host does not publish {v} to it",
            a.listen
        )
    };
    let mut d = Diagnostic::new(
        Rule::AnnouncePortNotPublished,
        port.span,
        format!(
            "service `{name}` announces port {v}, but {why}: {} at {addr}:{v}, a port that does not lead to this container",
            a.who
        ),
    );
    match mappings.first() {
        Some(m) => {
            d = d.label(
                at(&m.span),
                format!(
                    "port {} is published here as {}",
                    a.listen,
                    m.published.as_deref().unwrap_or("a random port")
                ),
            );
        }
        None => {
            d = d.label(
                at(&service.name_span),
                "no port of this service is published to it",
            );
        }
    }
    let ip_too = if a.ip.is_none() {
        format!(
            " and set `{}` to the host address the peers use",
            a.ip_setting
        )
    } else {
        String::new()
    };
    out.push(d.help(format!(
        "publish `\"{v}:{}\"` on service `{name}`{ip_too}, or set `{}` to the host port that is published",
        a.listen, a.port_setting
    )));
}

/// Sentinels that reach the master of a compose project through a port the host
/// publishes, and data nodes of the project that announce no address: their master lists
/// them by the address their connection comes from (the Docker gateway, through the
/// host's port) and their container port, which leads elsewhere or nowhere.
fn nat_without_announce(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let units = &ctx.units.compose;
    let topo = ctx.topology;
    let mut reported = std::collections::HashSet::new();
    for unit in units.iter().filter(|u| !u.sentinels.is_empty()) {
        let file = unit.file;
        let in_file = || units.iter().filter(move |u| u.file == file);
        // Replicas that reach their master by a name of the project's network connect
        // from their own container address, which the master then lists: no NAT between
        // the nodes, and the sentinels on that network reach those addresses.
        let replicate_inside = in_file().flat_map(|u| &u.nodes).any(|&n| {
            topo.nodes[n].replicaof.as_ref().is_some_and(|r| {
                !crate::knowledge::values::is_ip_literal(&r.host.value)
                    && !crate::knowledge::values::is_template(&r.host.value)
            })
        });
        if replicate_inside {
            continue;
        }
        for &s in &unit.sentinels {
            for monitor in &topo.sentinels[s].monitors {
                let host = &monitor.host.value;
                if !crate::knowledge::values::is_ip_literal(host)
                    || crate::knowledge::values::is_loopback(host)
                    || in_file().any(|u| u.service.static_ips.iter().any(|ip| ip == host))
                {
                    continue;
                }
                // The data node that publishes the monitored port on the host: the
                // sentinels reach the master through the host's port mapping.
                let Some((master, mapping)) = in_file()
                    .filter(|u| !u.nodes.is_empty() && !u.service.host_network)
                    .find_map(|u| {
                        let p = u.service.ports.iter().find(|p| {
                            host_ports(p)
                                .is_some_and(|(lo, hi)| (lo..=hi).contains(&monitor.port.value))
                        })?;
                        Some((u, p))
                    })
                else {
                    continue;
                };
                for node_unit in in_file().filter(|u| !u.nodes.is_empty()) {
                    let service = &node_unit.service;
                    if service.host_network || service.replicas != 1 {
                        continue;
                    }
                    let node = &topo.nodes[node_unit.nodes[0]];
                    if !node.complete || node.announce_ip.is_some() {
                        continue;
                    }
                    let listen = node.effective_port();
                    // Published under another number: the port it reports is not the
                    // one that leads to it through the host.
                    let Some(p) = service.ports.iter().find(|p| {
                        p.target == listen && host_ports(p).is_some_and(|(lo, _)| lo != listen)
                    }) else {
                        continue;
                    };
                    if !reported.insert((node_unit.file, node_unit.service.name_span.start)) {
                        continue;
                    }
                    let published = p.published.as_deref().unwrap_or_default();
                    let at = |r: &std::ops::Range<usize>| Span::new(node_unit.file, r.start, r.end);
                    out.push(
                        Diagnostic::new(
                            Rule::NatWithoutAnnounce,
                            at(&p.span),
                            format!(
                                "service `{}` is reached through the host's port {published}, but announces neither address nor port: its master lists it by the address its connection comes from (through the host's port mapping, the Docker gateway) with its container port {listen}, so the sentinels and, after a failover, the clients dial an address that leads to another container or to nothing, and no failover finds it",
                                service.name
                            ),
                        )
                        .label(monitor.host.span, "the sentinels reach the master through the host")
                        .label(
                            Span::new(master.file, mapping.span.start, mapping.span.end),
                            "published on the host here",
                        )
                        .help(format!(
                            "add `--replica-announce-ip {host_hint} --replica-announce-port {published}` (the host's address and this published port) to service `{}`, or publish the port 1:1 (`\"{listen}:{listen}\"`, one node per host)",
                            service.name,
                            host_hint = host
                        )),
                    );
                }
            }
        }
    }
}
