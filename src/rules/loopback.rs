//! Loopback addresses across containers: inside a container or pod of its own, 127.0.0.1
//! is that container. A sentinel that monitors 127.0.0.1, a replica of 127.0.0.1, or a
//! process that binds only loopback addresses cannot reach (or be reached by) the
//! processes of its deployment that run in other containers.
//!
//! Only processes whose network namespace is known are judged (compose services and
//! Kubernetes pods without host networking): a tree of plain configs may well be a
//! single-host lab, where loopback is right.

use crate::diagnostic::Diagnostic;
use crate::facts::Runtime;
use crate::knowledge::values::{is_loopback, is_template};
use crate::rules::{Context, Rule};
use crate::source::{FileId, Span, Spanned};
use std::collections::HashMap;

/// A process of the topology, as these rules see it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Proc {
    Node(usize),
    Sentinel(usize),
}

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    let peers = Peers::new(ctx);
    for (s, sentinel) in topo.sentinels.iter().enumerate() {
        let Some(own) = sentinel.runtime.netns else {
            continue;
        };
        for monitor in &sentinel.monitors {
            if !written_loopback(&monitor.host) {
                continue;
            }
            // A data server started in the sentinel's own container answers there.
            let beside = topo
                .nodes
                .iter()
                .any(|n| n.runtime.netns == Some(own) && n.effective_port() == monitor.port.value);
            if beside {
                continue;
            }
            let Some(other) = peers.data_node_elsewhere(Proc::Sentinel(s), own) else {
                continue;
            };
            out.push(
                Diagnostic::new(
                    Rule::MonitorLoopbackAddress,
                    monitor.host.span,
                    format!(
                        "{} monitors `{}` at {}, but it runs in a container of its own, where {} is that container: the data nodes run in other containers, so the sentinel never reaches the master, and the address it hands to replicas and clients makes them connect to themselves",
                        sentinel.name, monitor.name.value, monitor.host.value, monitor.host.value
                    ),
                )
                .label(other.0, format!("{} runs in another container", other.1))
                .help("monitor the master by an address every container reaches: its service or pod name (with `sentinel resolve-hostnames yes`) or its IP address"),
            );
        }
    }
    hosts_each_on_loopback(ctx, out);
    for (n, node) in topo.nodes.iter().enumerate() {
        let Some(own) = node.runtime.netns else {
            continue;
        };
        // A config not all read may set another `replicaof` later.
        let Some(replicaof) = node.replicaof.as_ref().filter(|_| node.complete) else {
            continue;
        };
        if !written_loopback(&replicaof.host) {
            continue;
        }
        // A second server in the same container could be its master.
        let beside = topo
            .nodes
            .iter()
            .enumerate()
            .any(|(m, other)| m != n && other.runtime.netns == Some(own));
        if beside {
            continue;
        }
        let Some(other) = peers.data_node_elsewhere(Proc::Node(n), own) else {
            continue;
        };
        out.push(
            Diagnostic::new(
                Rule::MonitorLoopbackAddress,
                replicaof.host.span,
                format!(
                    "{} replicates from {}, but it runs in a container of its own, where {} is that container and no other server runs: it never reaches its master",
                    node.name, replicaof.host.value, replicaof.host.value
                ),
            )
            .label(other.0, format!("{} runs in another container", other.1))
            .help("replicate from the master's service or pod name, or its IP address"),
        );
    }
    for (n, node) in topo.nodes.iter().enumerate() {
        bind_loopback_only(
            &peers,
            Proc::Node(n),
            &node.binds,
            &node.runtime,
            (&node.name, node.complete),
            out,
        );
    }
    for (s, sentinel) in topo.sentinels.iter().enumerate() {
        bind_loopback_only(
            &peers,
            Proc::Sentinel(s),
            &sentinel.binds,
            &sentinel.runtime,
            (&sentinel.name, sentinel.complete),
            out,
        );
    }
}

/// A sentinel config an Ansible play renders on several hosts that monitors a loopback
/// address: on each host it watches that host's own server, so the sentinels never watch
/// one master together (on a replica's host, the "master" is that replica).
fn hosts_each_on_loopback(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    let mut copies: HashMap<Span, (usize, Span, &crate::facts::Monitor)> = HashMap::new();
    for sentinel in &topo.sentinels {
        let Some(play) = sentinel.runtime.host_copies else {
            continue;
        };
        for monitor in sentinel
            .monitors
            .iter()
            .filter(|m| written_loopback(&m.host))
        {
            copies
                .entry(monitor.host.span)
                .or_insert((0, play, monitor))
                .0 += 1;
        }
    }
    let mut found: Vec<_> = copies.into_values().filter(|(n, _, _)| *n >= 2).collect();
    found.sort_by_key(|(_, _, m)| m.host.span);
    for (count, play, monitor) in found {
        out.push(
            Diagnostic::new(
                Rule::MonitorLoopbackAddress,
                monitor.host.span,
                format!(
                    "this sentinel config runs on {count} hosts and monitors `{}` at {}: on each host that is the host's own server, so the sentinels never watch one master together (where the local server is a replica, its sentinel takes the replica for the master), cannot agree on a failure and hand clients a loopback address",
                    monitor.name.value, monitor.host.value
                ),
            )
            .label(play, format!("rendered on these {count} hosts"))
            .help("monitor the master by an address every host reaches: its IP address, or its host name with `sentinel resolve-hostnames yes`"),
        );
    }
}

/// A loopback address written as such (not a placeholder, not an image's default).
fn written_loopback(host: &Spanned<String>) -> bool {
    host.origin.replaceable() && !is_template(&host.value) && is_loopback(&host.value)
}

/// Every explicit `bind` address is a loopback one, in a container of its own, while a
/// process of its deployment runs in another container: nothing outside can connect.
fn bind_loopback_only(
    peers: &Peers,
    me: Proc,
    binds: &[Spanned<String>],
    runtime: &Runtime,
    (name, complete): (&str, bool),
    out: &mut Vec<Diagnostic>,
) {
    // A config not all read may bind other addresses later.
    let Some(own) = runtime.netns.filter(|_| complete) else {
        return;
    };
    if binds.is_empty() || !binds.iter().all(written_loopback_bind) {
        return;
    }
    let Some(other) = peers.elsewhere(me, own, false) else {
        return;
    };
    let what = match me {
        Proc::Node(_) => "its replicas, its master and the sentinels",
        Proc::Sentinel(_) => "the other sentinels",
    };
    // As written (`-::1` keeps its dash).
    let listed: Vec<&str> = binds
        .iter()
        .map(|b| peers.ctx.source(b.span.file).slice(b.span))
        .collect();
    out.push(
        Diagnostic::new(
            Rule::BindLoopbackOnly,
            binds[0].span,
            format!(
                "{name} listens only on `bind {}` inside a container of its own: {what} run in other containers and are refused, so it is never replicated or watched across containers",
                listed.join(" ")
            ),
        )
        .label(other.0, format!("{} runs in another container", other.1))
        .help("bind the container's interface (`bind 0.0.0.0`, or `bind * -::*` from 7.0) and protect it with `requirepass`; the published ports decide what the host exposes"),
    );
}

fn written_loopback_bind(bind: &Spanned<String>) -> bool {
    // `-::1`: an optional address (7.0+), still loopback.
    let value = bind.value.trim_start_matches('-');
    bind.origin.replaceable() && !is_template(value) && is_loopback(value)
}

/// The processes each process must reach or be reached by: those of its groups and
/// those its deployment unit declares, indexed once per check.
struct Peers<'a> {
    ctx: &'a Context<'a>,
    groups_of: HashMap<Proc, Vec<usize>>,
    by_unit: HashMap<FileId, Vec<Proc>>,
}

impl<'a> Peers<'a> {
    fn new(ctx: &'a Context<'a>) -> Self {
        let topo = ctx.topology;
        let mut groups_of: HashMap<Proc, Vec<usize>> = HashMap::new();
        for (g, group) in topo.groups.iter().enumerate() {
            for n in group.nodes() {
                groups_of.entry(Proc::Node(n)).or_default().push(g);
            }
            for r in &group.monitors {
                groups_of
                    .entry(Proc::Sentinel(r.sentinel))
                    .or_default()
                    .push(g);
            }
        }
        let mut by_unit: HashMap<FileId, Vec<Proc>> = HashMap::new();
        let all = (0..topo.nodes.len())
            .map(Proc::Node)
            .chain((0..topo.sentinels.len()).map(Proc::Sentinel));
        for p in all {
            if let Some(unit) = runtime(ctx, p).unit() {
                by_unit.entry(unit).or_default().push(p);
            }
        }
        Peers {
            ctx,
            groups_of,
            by_unit,
        }
    }

    /// A peer of `me` in a known network namespace other than `own` (a data node, when
    /// `data_node`): where it is declared and its name.
    fn elsewhere(&self, me: Proc, own: (Span, u32), data_node: bool) -> Option<(Span, String)> {
        let topo = self.ctx.topology;
        let from_groups = self
            .groups_of
            .get(&me)
            .into_iter()
            .flatten()
            .flat_map(|&g| {
                let group = &topo.groups[g];
                group
                    .nodes()
                    .map(Proc::Node)
                    .chain(group.monitors.iter().map(|r| Proc::Sentinel(r.sentinel)))
            });
        let from_unit = runtime(self.ctx, me)
            .unit()
            .and_then(|u| self.by_unit.get(&u))
            .into_iter()
            .flatten()
            .copied();
        from_groups
            .chain(from_unit)
            .filter(|p| *p != me && (!data_node || matches!(p, Proc::Node(_))))
            .find(|p| runtime(self.ctx, *p).netns.is_some_and(|ns| ns != own))
            .map(|p| anchor_and_name(self.ctx, p))
    }

    fn data_node_elsewhere(&self, me: Proc, own: (Span, u32)) -> Option<(Span, String)> {
        self.elsewhere(me, own, true)
    }
}

fn runtime<'a>(ctx: &'a Context, p: Proc) -> &'a Runtime {
    match p {
        Proc::Node(n) => &ctx.topology.nodes[n].runtime,
        Proc::Sentinel(s) => &ctx.topology.sentinels[s].runtime,
    }
}

fn anchor_and_name(ctx: &Context, p: Proc) -> (Span, String) {
    match p {
        Proc::Node(n) => {
            let node = &ctx.topology.nodes[n];
            (node.anchor, node.name.clone())
        }
        Proc::Sentinel(s) => {
            let sentinel = &ctx.topology.sentinels[s];
            (sentinel.anchor, sentinel.name.clone())
        }
    }
}
