//! Replication sizing and symmetry: what every node of a replicated group needs so that a
//! reconnection does not cost a full resync, a full sync does not drop the replica, and
//! whichever node a failover promotes behaves like the master it replaces.

use crate::diagnostic::{Diagnostic, Fix};
use crate::facts::{Monitor, Node};
use crate::knowledge::{Flavor, Version};
use crate::model::Group;
use crate::rules::{Context, Rule};
use std::collections::HashSet;

const MB: u128 = 1024 * 1024;
/// Redis's `client-output-buffer-limit replica 256mb 64mb 60`.
const DEFAULT_REPLICA_HARD: u128 = 256 * MB;
const DEFAULT_REPLICA_SOFT: u128 = 64 * MB;
/// The largest backlog this rule ever asks for.
const BACKLOG_CAP: u128 = 256 * MB;

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    let mut seen = HashSet::new();
    for group in &topo.groups {
        if group.replicas.is_empty() && !group.has_sentinels() {
            continue;
        }
        let fastest_monitor = group
            .monitors
            .iter()
            .map(|&r| topo.monitor(r).1)
            .min_by_key(|m| m.down_after());
        for n in group.nodes() {
            let node = &topo.nodes[n];
            // One config read by several processes gives one finding.
            if !seen.insert(node.anchor) {
                continue;
            }
            // A setting in an include not followed, or in an operator's config that is
            // not read here, may be the one these rules miss: they stay silent.
            if !node.complete || node.runtime.managed_by.is_some() {
                continue;
            }
            backlog_too_small(ctx, node, out);
            output_buffer_too_low(ctx, node, out);
            diskless_load_without_persistence(node, out);
            if let Some(monitor) = fastest_monitor {
                max_lag_too_high(node, monitor, group, out);
            }
        }
        priority_not_on_master(ctx, group, out);
    }
}

/// The backlog a node keeps when `repl-backlog-size` is not set.
fn default_backlog(ctx: &Context, node: &Node) -> u128 {
    let release = ctx.release_of(&node.runtime);
    if release.flavor == Flavor::Valkey && release.version >= Version::new(8, 0, 0) {
        10 * MB
    } else {
        MB
    }
}

fn backlog(ctx: &Context, node: &Node) -> u128 {
    node.buffers
        .backlog_size
        .as_ref()
        .map_or_else(|| default_backlog(ctx, node), |b| b.value)
}

fn size(bytes: u128) -> String {
    if bytes >= 1024 * MB && bytes.is_multiple_of(1024 * MB) {
        format!("{}gb", bytes / (1024 * MB))
    } else if bytes >= MB && bytes.is_multiple_of(MB) {
        format!("{}mb", bytes / MB)
    } else {
        format!("{bytes} bytes")
    }
}

/// A full resync copies the whole data set; the backlog is what spares it after a short
/// disconnect. Without a write rate, 1% of `maxmemory` (a power of two in megabytes, at
/// most 256mb) is the size asked for; only a backlog under half of that is reported.
fn backlog_too_small(ctx: &Context, node: &Node, out: &mut Vec<Diagnostic>) {
    let Some(maxmemory) = node.maxmemory.as_ref().filter(|m| m.value > 0) else {
        return;
    };
    let wanted = (maxmemory.value / 100)
        .div_ceil(MB)
        .next_power_of_two()
        .saturating_mul(MB)
        .min(BACKLOG_CAP);
    let current = backlog(ctx, node);
    // Half of the size asked for is still accepted (the page's "at least half").
    if current * 2 >= wanted {
        return;
    }
    let set = node.buffers.backlog_size.as_ref();
    let written = match set {
        Some(_) => format!("repl-backlog-size is {}", size(current)),
        None => format!(
            "repl-backlog-size is not set ({} by default on {})",
            size(current),
            ctx.release_of(&node.runtime)
        ),
    };
    let edit = match set {
        Some(b) => ctx.replace_value(b, size(wanted)),
        None => ctx.append_lines(
            node.file,
            &format!("repl-backlog-size {}", size(wanted)),
            ctx.rewrite_start(node.file),
        ),
    };
    let mut d = Diagnostic::new(
        Rule::ReplBacklogTooSmall,
        set.map_or(maxmemory.span, |b| b.span),
        format!(
            "{written} for a data set of up to {}: a replica that misses more than that much of the write stream (a restart, a network blip, the move to a new master after a failover) needs a full resync of the whole data set",
            size(maxmemory.value)
        ),
    )
    .help(format!(
        "size the backlog as write rate × the longest disconnect it should survive; {} (1% of maxmemory) is a start",
        size(wanted)
    ))
    .with_fix_opt(edit.map(|e| {
        Fix::unsafe_(
            format!("set repl-backlog-size {}", size(wanted)),
            vec![e],
        )
    }));
    if set.is_some() {
        d = d.label(maxmemory.span, "the data set it has to cover");
    }
    out.push(d);
}

/// A full sync holds the writes made during the transfer in the replica's output buffer;
/// past the limits the master drops the replica, which starts the full sync again.
fn output_buffer_too_low(ctx: &Context, node: &Node, out: &mut Vec<Diagnostic>) {
    let Some(limit) = &node.buffers.replica_limit else {
        return;
    };
    let release = ctx.release_of(&node.runtime);
    let backlog = backlog(ctx, node);
    // Since 7.0 the replica buffer shares the backlog: a hard limit below the backlog
    // size is raised to it. Before, it dropped a replica right after a partial resync.
    let shared_buffer = release.has_redis_feature(Version::new(7, 0, 0));
    let hard = if shared_buffer && limit.hard != 0 {
        limit.hard.max(backlog)
    } else {
        limit.hard
    };
    let below_backlog = !shared_buffer && limit.hard != 0 && limit.hard < backlog;
    let hard_low = hard != 0 && hard < DEFAULT_REPLICA_HARD;
    let soft_low = limit.soft != 0 && limit.soft_seconds > 0 && limit.soft < DEFAULT_REPLICA_SOFT;
    // A data set smaller than the limits syncs in moments: the buffer has no time to fill.
    let small_data = node
        .maxmemory
        .as_ref()
        .is_some_and(|m| m.value != 0 && m.value <= hard.min(limit.soft.max(1)));
    let message = if below_backlog {
        format!(
            "the replica output buffer's hard limit ({}) is below repl-backlog-size ({}) on {release}: a partial resync sends up to the whole backlog at once, the master drops the replica for exceeding the limit, and it reconnects to do the same again",
            size(limit.hard),
            size(backlog)
        )
    } else if (hard_low || soft_low) && !small_data {
        format!(
            "the replica output buffer limits ({} hard, {} soft for {} s) are below Redis's defaults (256mb, 64mb for 60 s): the writes made during a full sync pile up in that buffer, and a busy master drops the replica before the sync ends, after which it starts a new full sync, again and again",
            size(limit.hard),
            size(limit.soft),
            limit.soft_seconds
        )
    } else {
        return;
    };
    out.push(
        Diagnostic::new(Rule::ReplicaOutputBufferTooLow, limit.span, message)
            .help("keep at least the defaults (`client-output-buffer-limit replica 256mb 64mb 60`), more for a busy master with a large data set; 0 0 0 removes the limits")
            .with_fix_opt(ctx.replace_value(&limit.values, "256mb 64mb 60").map(|e| {
                Fix::unsafe_("restore the default limits (256mb 64mb 60)", vec![e])
            })),
    );
}

/// A diskless load leaves no RDB on disk after the full sync; with persistence off
/// nothing writes one later either.
fn diskless_load_without_persistence(node: &Node, out: &mut Vec<Diagnostic>) {
    let Some(load) = &node.buffers.diskless_load else {
        return;
    };
    if load.value == "disabled" || !node.persistence.is_off() {
        return;
    }
    let Some(off) = node.persistence.rdb_off else {
        return;
    };
    out.push(
        Diagnostic::new(
            Rule::DisklessLoadWithoutPersistence,
            load.span,
            format!(
                "repl-diskless-load {} on a node that persists nothing: after a full sync it holds the data only in memory, so a restart, or a failover that promotes it and then restarts it, starts from an empty data set",
                load.value
            ),
        )
        .label(off, "no snapshots, and no append-only file")
        .help("turn persistence on for this node, or load full syncs through disk (repl-diskless-load disabled) so an RDB file stays behind"),
    );
}

/// `min-replicas-max-lag` bounds how long a master cut off from its replicas keeps
/// taking writes; the sentinels may promote a replica after `down-after-milliseconds`.
fn max_lag_too_high(node: &Node, monitor: &Monitor, group: &Group, out: &mut Vec<Diagnostic>) {
    let Some(to_write) = node.min_replicas_to_write.as_ref().filter(|v| v.value > 0) else {
        return;
    };
    let lag = node.min_replicas_max_lag.as_ref();
    let seconds = lag.map_or(10, |l| l.value);
    // Up to twice down-after is the usual setting (10 s with 5000 ms): the master stops
    // taking writes about when a replica is promoted.
    if seconds <= 0 || seconds.saturating_mul(1000) <= 2 * monitor.down_after() {
        return;
    }
    let name = group.name.as_deref().unwrap_or("the group");
    let default = if lag.is_none() { " (the default)" } else { "" };
    out.push(
        Diagnostic::new(
            Rule::MinReplicasMaxLagTooHigh,
            lag.map_or(to_write.span, |l| l.span),
            format!(
                "min-replicas-max-lag is {seconds} s{default}, more than twice the {} ms after which the sentinels of `{name}` call this master down: cut off from its replicas, it keeps taking writes for up to {seconds} s, also after a replica has been promoted, and those writes are discarded when it rejoins as a replica",
                monitor.down_after()
            ),
        )
        .label(monitor.down_after.as_ref().map_or(monitor.line, |d| d.span), "down-after-milliseconds")
        .help(format!(
            "keep min-replicas-max-lag close to down-after-milliseconds / 1000 ({} s here)",
            (monitor.down_after() / 1000).max(1)
        )),
    );
}

/// Promotion order set on the replicas only: after a failover the old master comes back
/// as a replica with the default priority 100, which ranks it where nobody chose.
fn priority_not_on_master(ctx: &Context, group: &Group, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    let Some(master) = group.master.map(|m| &topo.nodes[m]) else {
        return;
    };
    if master.replica_priority.is_some() || !master.complete || master.runtime.managed_by.is_some()
    {
        return;
    }
    let custom: Vec<_> = group
        .replicas
        .iter()
        .filter_map(|&r| topo.nodes[r].replica_priority.as_ref())
        .filter(|p| p.value != 100)
        .collect();
    // Every replica at 0 is all-replicas-priority-zero's finding.
    let Some(first) = custom.iter().find(|p| p.value != 0) else {
        return;
    };
    let name = group.name.as_deref().unwrap_or("the replication set");
    let mut d = Diagnostic::new(
        Rule::ReplicaPriorityNotOnMaster,
        first.span,
        format!(
            "the replicas of `{name}` set a promotion order (replica-priority {}) but the master {} sets none: after a failover it rejoins as a replica with the default 100, so it ranks behind every replica with a lower number, whatever order was meant",
            first.value, master.name
        ),
    )
    .label(master.anchor, "the master's config: no replica-priority")
    .help("set replica-priority on the master as well, to the rank it should have once it is a replica (lower is preferred, 0 never)");
    for p in custom.iter().filter(|p| p.span != first.span) {
        d = d.label(p.span, "also a custom priority");
    }
    out.push(d);
}

/// Some nodes persist and others do not: whichever a failover promotes decides whether
/// the master writes anything to disk. Runs after the restart rules: a node they report
/// as restarting empty is not reported again.
pub fn persistence_asymmetric(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    let restart_reported: HashSet<_> = out
        .iter()
        .filter(|d| d.rule == Rule::PersistenceOffWithAutoRestart)
        // Each of them points at the node's `save ""` line, as its span or a label.
        .flat_map(|d| std::iter::once(d.span).chain(d.related.iter().map(|l| l.span)))
        .collect();
    let mut seen = HashSet::new();
    for group in &topo.groups {
        let nodes: Vec<&Node> = group
            .nodes()
            .map(|n| &topo.nodes[n])
            .filter(|n| n.complete && n.runtime.managed_by.is_none())
            .collect();
        let Some(persisting) = nodes.iter().find(|n| !n.persistence.is_off()) else {
            continue;
        };
        let off: Vec<&&Node> = nodes
            .iter()
            .filter(|n| {
                n.persistence.is_off()
                    && n.persistence
                        .rdb_off
                        .is_none_or(|at| !restart_reported.contains(&at))
            })
            // A node never promoted does not decide what the master persists.
            .filter(|n| n.replica_priority.as_ref().is_none_or(|p| p.value != 0))
            .collect();
        let Some(first) = off.first() else {
            continue;
        };
        let Some(at) = first.persistence.rdb_off else {
            continue;
        };
        if !seen.insert(at) {
            continue;
        }
        let name = group.name.as_deref().unwrap_or("the replication set");
        let mut d = Diagnostic::new(
            Rule::PersistenceAsymmetric,
            at,
            format!(
                "{} of `{name}` persists nothing while {} does: when a failover promotes it, the master writes no RDB or AOF, so its next restart starts empty and backups taken from its files stop",
                first.name, persisting.name
            ),
        )
        .label(persisting.anchor, "this node persists")
        .help("give every node of the group the same persistence (save rules or appendonly yes), or make sure the node without it is never promoted (replica-priority 0)");
        for other in off.iter().skip(1) {
            if let Some(span) = other.persistence.rdb_off {
                d = d.label(span, "persists nothing either");
            }
        }
        out.push(d);
    }
}
