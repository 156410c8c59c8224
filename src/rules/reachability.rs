//! Whether the processes of a group can reach each other at all: compose services on
//! networks they do not share.

use crate::diagnostic::Diagnostic;
use crate::formats::compose::Service;
use crate::formats::units::ComposeUnit;
use crate::model::Group;
use crate::rules::{Context, Rule};
use crate::source::{FileId, Span};
use std::collections::{HashMap, HashSet};

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    compose_networks(ctx, out);
}

/// A process of a group, as the compose service that runs it.
#[derive(Clone, Copy)]
struct Member<'a> {
    unit: &'a ComposeUnit,
    sentinel: bool,
    /// It announces an address of its own (peers dial that, not its container).
    announces: bool,
}

/// The networks a service joins; `None` when it is not on compose networks (host
/// networking, `none`, another container's namespace we cannot see).
fn networks<'a>(
    service: &'a Service,
    units: &'a [ComposeUnit],
    file: FileId,
) -> Option<&'a [String]> {
    match service.network_mode.as_deref() {
        None => Some(&service.networks),
        Some(mode) => {
            let shared = mode.strip_prefix("service:")?;
            let owner = units
                .iter()
                .find(|u| u.file == file && u.service.name == shared)?;
            // One level only: a chain of shared namespaces is left alone.
            owner
                .service
                .network_mode
                .is_none()
                .then_some(&owner.service.networks[..])
        }
    }
}

/// Every pair of processes of a group that must talk (sentinel → node, sentinel ↔
/// sentinel, node ↔ node) on compose services of one file that share no network.
fn compose_networks(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let units = &ctx.units.compose;
    let mut node_unit: HashMap<usize, usize> = HashMap::new();
    let mut sentinel_unit: HashMap<usize, usize> = HashMap::new();
    for (i, u) in units.iter().enumerate() {
        node_unit.extend(u.nodes.iter().map(|&n| (n, i)));
        sentinel_unit.extend(u.sentinels.iter().map(|&s| (s, i)));
    }
    let mut reported: HashSet<(usize, usize)> = HashSet::new();
    // Per process that cannot reach others: itself, then whom it cannot reach.
    let mut blocked: Vec<(Member, Vec<Member>)> = Vec::new();
    for group in &ctx.topology.groups {
        // A master addressed by IP may be reached through the host's published ports,
        // not a compose network: only names say which network is used.
        if crate::knowledge::values::is_ip_literal(&group.host) {
            continue;
        }
        let members = members(ctx, group, &node_unit, &sentinel_unit);
        // How many members each one shares a network with: the finding goes to the odd
        // one out (the service on the wrong network), not to every peer it misses.
        let shares = |a: &Member, b: &Member| match (
            networks(&a.unit.service, units, a.unit.file),
            networks(&b.unit.service, units, b.unit.file),
        ) {
            (Some(na), Some(nb)) => na.iter().any(|n| nb.contains(n)),
            _ => true,
        };
        let reach: Vec<usize> = members
            .iter()
            .map(|a| members.iter().filter(|b| shares(a, b)).count())
            .collect();
        for (i, a) in members.iter().enumerate() {
            for (j, b) in members.iter().enumerate().skip(i + 1) {
                let (ia, ib) = (index(units, a.unit), index(units, b.unit));
                if ia == ib || a.unit.file != b.unit.file {
                    continue;
                }
                // Peers that announce their own address are dialled there (a host
                // address, through published ports), not on a compose network.
                if a.announces || b.announces {
                    continue;
                }
                let (Some(na), Some(nb)) = (
                    networks(&a.unit.service, units, a.unit.file),
                    networks(&b.unit.service, units, b.unit.file),
                ) else {
                    continue;
                };
                if na.iter().any(|n| nb.contains(n)) {
                    continue;
                }
                if !reported.insert((ia.min(ib), ia.max(ib))) {
                    continue;
                }
                // Report on the side that reaches fewer members, else the sentinel's.
                let b_first = (reach[j], !b.sentinel) < (reach[i], !a.sentinel);
                let (from, to) = if b_first { (*b, *a) } else { (*a, *b) };
                match blocked
                    .iter_mut()
                    .find(|(f, _)| std::ptr::eq(f.unit, from.unit))
                {
                    Some((_, tos)) => tos.push(to),
                    None => blocked.push((from, vec![to])),
                }
            }
        }
    }
    for (from, tos) in &blocked {
        out.push(finding(from, tos, units));
    }
}

fn na_of<'a>(m: &Member<'a>, units: &'a [ComposeUnit]) -> &'a [String] {
    networks(&m.unit.service, units, m.unit.file).unwrap_or_default()
}

fn index(units: &[ComposeUnit], unit: &ComposeUnit) -> usize {
    units
        .iter()
        .position(|u| std::ptr::eq(u, unit))
        .unwrap_or(usize::MAX)
}

fn members<'a>(
    ctx: &'a Context,
    group: &Group,
    node_unit: &HashMap<usize, usize>,
    sentinel_unit: &HashMap<usize, usize>,
) -> Vec<Member<'a>> {
    let units = &ctx.units.compose;
    let mut out: Vec<Member> = Vec::new();
    let mut seen = HashSet::new();
    for r in &group.monitors {
        let Some(&u) = sentinel_unit.get(&r.sentinel) else {
            continue;
        };
        if seen.insert(u) {
            out.push(Member {
                unit: &units[u],
                sentinel: true,
                announces: ctx.topology.sentinels[r.sentinel].announce_ip.is_some(),
            });
        }
    }
    for n in group.nodes() {
        let Some(&u) = node_unit.get(&n) else {
            continue;
        };
        if seen.insert(u) {
            out.push(Member {
                unit: &units[u],
                sentinel: false,
                announces: ctx.topology.nodes[n].announce_ip.is_some(),
            });
        }
    }
    out
}

fn finding(from: &Member, tos: &[Member], units: &[ComposeUnit]) -> Diagnostic {
    let span = |unit: &ComposeUnit| {
        let r = unit
            .service
            .networks_span
            .clone()
            .unwrap_or(unit.service.name_span.clone());
        Span::new(unit.file, r.start, r.end)
    };
    let what = |m: &Member| if m.sentinel { "sentinel" } else { "data node" };
    let list = |nets: &[String]| {
        nets.iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let names = tos
        .iter()
        .map(|t| format!("{} `{}`", what(t), t.unit.service.name))
        .collect::<Vec<_>>()
        .join(", ");
    let consequence = if !from.sentinel {
        "they cannot replicate from each other, before or after a failover"
    } else if tos.iter().all(|t| t.sentinel) {
        "the sentinels cannot ask each other whether the master is down or vote for a leader, so fewer of them than the quorum may agree and no failover is authorised"
    } else {
        "it sees those nodes down and can neither promote nor reconfigure them; its peers count it as a sentinel that never agrees"
    };
    let mut d = Diagnostic::new(
        Rule::SentinelPortsBlocked,
        span(from.unit),
        format!(
            "{} service `{}` (networks {}) shares no compose network with {names} of the same group: containers reach each other only on a network they share, so {consequence}",
            what(from),
            from.unit.service.name,
            list(na_of(from, units)),
        ),
    );
    for to in tos {
        d = d.label(
            span(to.unit),
            format!(
                "`{}` joins {}",
                to.unit.service.name,
                list(na_of(to, units))
            ),
        );
    }
    let first = tos.first().map(|t| na_of(t, units)).unwrap_or_default();
    d.help(format!(
        "add a network that both sides join (for example `{}`) to service `{}`",
        first.first().map_or("default", |n| n.as_str()),
        from.unit.service.name
    ))
}
