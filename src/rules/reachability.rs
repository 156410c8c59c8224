//! Whether the processes of a group can reach each other at all: compose services on
//! networks they do not share.

use crate::diagnostic::Diagnostic;
use crate::facts::cluster::{Labels, NetworkPolicy, PolicyPeer, PolicyPort};
use crate::facts::service::ConfigRef;
use crate::formats::compose::Service;
use crate::formats::units::{ComposeUnit, ContainerFacts};
use crate::model::Group;
use crate::rules::{Context, Rule};
use crate::source::{FileId, Span};
use std::collections::{HashMap, HashSet};

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    compose_networks(ctx, out);
    network_policies(ctx, out);
    cluster_bus_policies(ctx, out);
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

/// A pod template of the deployment, as NetworkPolicies see it.
struct Pod<'a> {
    cf: &'a ContainerFacts,
    sentinel: bool,
    /// The port its process listens on.
    port: i64,
    /// It resolves host names (sentinel `resolve-hostnames`, a master named by host).
    needs_dns: bool,
}

impl Pod<'_> {
    fn namespace(&self) -> Option<&str> {
        self.cf.container.namespace.as_deref()
    }

    fn labels(&self) -> &Labels {
        &self.cf.container.pod.labels
    }

    fn workload(&self) -> &str {
        &self.cf.container.workload
    }
}

/// Namespaces compare equal when either is not written (the namespace is then chosen
/// at deploy time).
fn same_namespace(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

fn subset(selector: &Labels, labels: &Labels) -> bool {
    selector
        .iter()
        .all(|(k, v)| labels.iter().any(|(lk, lv)| lk == k && lv == v))
}

fn selects(policy: &NetworkPolicy, pod: &Pod) -> bool {
    same_namespace(policy.namespace.as_deref(), pod.namespace())
        && subset(&policy.pod_selector, pod.labels())
}

/// Whether a peer of a rule of `policy` may be `pod`. What cannot be decided here (an
/// address block, `matchExpressions`, namespace labels other than the name) may.
fn peer_may_be(peer: &PolicyPeer, policy: &NetworkPolicy, pod: &Pod) -> bool {
    let PolicyPeer::Pods {
        pods,
        namespaces,
        opaque,
    } = peer
    else {
        return true;
    };
    if *opaque {
        return true;
    }
    let namespace_ok = match namespaces {
        None => same_namespace(policy.namespace.as_deref(), pod.namespace()),
        Some(labels) => match labels.as_slice() {
            [(k, v)] if k == "kubernetes.io/metadata.name" => {
                same_namespace(Some(v), pod.namespace())
            }
            _ => true,
        },
    };
    namespace_ok && pods.as_ref().is_none_or(|l| subset(l, pod.labels()))
}

fn port_may_match(ports: &Option<Vec<PolicyPort>>, port: i64, protocol: &str) -> bool {
    let Some(ports) = ports else { return true };
    ports.iter().any(|p| {
        p.protocol == protocol
            && match &p.port {
                None => true,
                Some(Ok((lo, hi))) => (*lo..=*hi).contains(&port),
                // A named port: its number is in the pod spec, not read here.
                Some(Err(_)) => true,
            }
    })
}

/// The policy that isolates `pod` in one direction and lets nothing through to or from
/// `peer` on `port`, when there is one (and none of the policies selecting it does).
fn blocking<'p>(
    policies: &'p [NetworkPolicy],
    pod: &Pod,
    peer: &Pod,
    port: i64,
    egress: bool,
) -> Option<&'p NetworkPolicy> {
    let isolating: Vec<&NetworkPolicy> = policies
        .iter()
        .filter(|p| selects(p, pod))
        .filter(|p| {
            if egress {
                p.egress_isolates
            } else {
                p.ingress_isolates
            }
        })
        .collect();
    // Name the policy written for these pods rather than a namespace-wide default.
    let first = *isolating
        .iter()
        .find(|p| !p.pod_selector.is_empty())
        .or(isolating.first())?;
    let allowed = isolating.iter().any(|p| {
        let rules = if egress { &p.egress } else { &p.ingress };
        rules.iter().any(|r| {
            port_may_match(&r.ports, port, "TCP")
                && r.peers
                    .as_ref()
                    .is_none_or(|peers| peers.iter().any(|q| peer_may_be(q, p, peer)))
        })
    });
    (!allowed).then_some(first)
}

/// Redis Cluster pods that NetworkPolicies keep from reaching each other on the cluster
/// bus (the client port + 10000, or `cluster-port`) or on the client port, which
/// replication uses: gossip, failure detection, votes and syncs all need both.
pub(super) fn cluster_bus_policies(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let policies = &ctx.topology.cluster.network_policies;
    if policies.is_empty() || policies.iter().any(|p| p.opaque) {
        return;
    }
    let topo = ctx.topology;
    let mut seen: HashSet<(FileId, usize)> = HashSet::new();
    for cf in &ctx.units.containers {
        let Some(node) = cf.processes.iter().find_map(|p| match p {
            ConfigRef::Node(n) if topo.nodes[*n].cluster.is_enabled() => Some(&topo.nodes[*n]),
            _ => None,
        }) else {
            continue;
        };
        if cf.container.replicas < 2 || !seen.insert((cf.file, cf.container.pod.name_span.start)) {
            continue;
        }
        let client = node.effective_port();
        let bus = node
            .cluster
            .port
            .as_ref()
            .filter(|p| p.value != 0)
            .map_or(client + 10_000, |p| p.value);
        for (port, what) in [(bus, "cluster bus"), (client, "client (replication)")] {
            let pod = Pod {
                cf,
                sentinel: false,
                port,
                needs_dns: false,
            };
            let egress = blocking(policies, &pod, &pod, port, true);
            let ingress = blocking(policies, &pod, &pod, port, false);
            let (policy, direction) = match (egress, ingress) {
                (Some(p), _) => (p, "egress"),
                (None, Some(p)) => (p, "ingress"),
                (None, None) => continue,
            };
            out.push(
                Diagnostic::new(
                    Rule::ClusterBusPortNotReachable,
                    policy.name_span,
                    format!(
                        "NetworkPolicy `{}` isolates the cluster pods of `{}` for {direction} and none of the policies that select them lets them reach each other on the {what} port {port}: the nodes cannot gossip, detect failures, vote or sync, and the cluster does not form or cannot fail over (where the network plugin enforces NetworkPolicies)",
                        policy.name,
                        pod.workload(),
                    ),
                )
                .label(cf.name_span, format!("`{}` runs cluster nodes", pod.workload()))
                .help(format!(
                    "add an {direction} rule that allows TCP {port} between the pods of `{}`",
                    pod.workload()
                )),
            );
            break;
        }
    }
}

/// Sentinels and data nodes of one group whose NetworkPolicies let no connection
/// through between them, in the directions Sentinel and replication need.
fn network_policies(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let policies = &ctx.topology.cluster.network_policies;
    if policies.is_empty() {
        return;
    }
    let topo = ctx.topology;
    let mut reported: HashSet<(usize, usize)> = HashSet::new();
    let mut dns_reported: HashSet<usize> = HashSet::new();
    for group in topo.groups.iter().filter(|g| g.has_sentinels()) {
        let hostnames = !crate::knowledge::values::is_ip_literal(&group.host);
        let mut pods: Vec<(usize, Pod)> = Vec::new();
        for (i, cf) in ctx.units.containers.iter().enumerate() {
            for p in &cf.processes {
                let pod = match p {
                    ConfigRef::Sentinel(s) if group.monitors.iter().any(|r| r.sentinel == *s) => {
                        let sentinel = &topo.sentinels[*s];
                        Pod {
                            cf,
                            sentinel: true,
                            port: sentinel.port.as_ref().map_or(26379, |p| p.value),
                            needs_dns: hostnames && sentinel.resolves_hostnames(),
                        }
                    }
                    ConfigRef::Node(n) if group.nodes().any(|m| m == *n) => Pod {
                        cf,
                        sentinel: false,
                        port: topo.nodes[*n].effective_port(),
                        needs_dns: hostnames,
                    },
                    _ => continue,
                };
                if !pods.iter().any(|(j, _)| *j == i) {
                    pods.push((i, pod));
                }
            }
        }
        // A policy whose own selector we cannot evaluate may select any pod.
        if policies.iter().any(|p| p.opaque) {
            continue;
        }
        for (i, from) in &pods {
            for (j, to) in &pods {
                // Sentinels reach nodes and each other; nodes reach nodes.
                if !from.sentinel && to.sentinel {
                    continue;
                }
                if i == j && from.cf.container.replicas < 2 {
                    continue;
                }
                let egress = blocking(policies, from, to, to.port, true);
                let ingress = blocking(policies, to, from, to.port, false);
                let (policy, direction) = match (egress, ingress) {
                    (Some(p), _) => (p, "egress"),
                    (None, Some(p)) => (p, "ingress"),
                    (None, None) => continue,
                };
                if !reported.insert((*i, *j)) {
                    continue;
                }
                let what = |p: &Pod| if p.sentinel { "sentinel" } else { "data" };
                let consequence = match (from.sentinel, to.sentinel) {
                    (true, true) => "the sentinels cannot ask each other whether the master is down or vote, so no failover is authorised",
                    (true, false) => "the sentinels see the data nodes down, cannot promote or reconfigure them",
                    _ => "replicas cannot sync from their master, before or after a failover",
                };
                let blocked_side = if direction == "egress" { from } else { to };
                let flow = if i == j {
                    format!("the pods of `{}` reach each other", from.workload())
                } else {
                    format!(
                        "the {} pods of `{}` reach the {} pods of `{}`",
                        what(from),
                        from.workload(),
                        what(to),
                        to.workload()
                    )
                };
                out.push(
                    Diagnostic::new(
                        Rule::SentinelPortsBlocked,
                        policy.name_span,
                        format!(
                            "NetworkPolicy `{}` isolates the pods of `{}` for {direction} and none of the policies that select them lets {flow} on port {}: {consequence} (where the network plugin enforces NetworkPolicies)",
                            policy.name,
                            blocked_side.workload(),
                            to.port,
                        ),
                    )
                    .label(
                        to.cf.name_span,
                        format!("`{}` listens on {}", to.workload(), to.port),
                    )
                    .help(format!(
                        "add an {direction} rule that allows TCP {} between the pods of `{}` and `{}`",
                        to.port,
                        from.workload(),
                        to.workload()
                    )),
                );
            }
        }
        for (i, pod) in &pods {
            if !pod.needs_dns || !dns_reported.insert(*i) {
                continue;
            }
            let isolating: Vec<&NetworkPolicy> = policies
                .iter()
                .filter(|p| p.egress_isolates && selects(p, pod))
                .collect();
            let Some(first) = isolating
                .iter()
                .find(|p| !p.pod_selector.is_empty())
                .or(isolating.first())
            else {
                continue;
            };
            let dns = isolating
                .iter()
                .any(|p| p.egress.iter().any(|r| port_may_match(&r.ports, 53, "UDP")));
            if dns {
                continue;
            }
            out.push(
                Diagnostic::new(
                    Rule::SentinelPortsBlocked,
                    first.name_span,
                    format!(
                        "NetworkPolicy `{}` isolates the pods of `{}` for egress without allowing DNS (UDP 53): they address the group by host name and cannot resolve it, so they cannot reach the master (where the network plugin enforces NetworkPolicies)",
                        first.name,
                        pod.workload()
                    ),
                )
                .help("allow egress to the cluster's DNS on UDP and TCP port 53"),
            );
        }
    }
}
