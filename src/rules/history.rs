//! Changes against the previous revision that a deployment cannot take as written:
//! sentinels removed without a reset, Redis Enterprise nodes removed. Silent when the
//! tree's history is not read (no git repository, `--since` not given and no earlier
//! revision).

use crate::diagnostic::Diagnostic;
use crate::model::SentinelCount;
use crate::rules::{Context, Rule};
use std::collections::HashMap;

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(history) = ctx.history else {
        return;
    };
    let topo = ctx.topology;
    let mut names: HashMap<&str, usize> = HashMap::new();
    for group in &topo.groups {
        if let Some(name) = &group.name {
            *names.entry(name).or_default() += 1;
        }
    }
    for group in &topo.groups {
        let (Some(name), SentinelCount::Known(now)) = (&group.name, &group.sentinel_count) else {
            continue;
        };
        let Some(before) = history.sentinels_of(name) else {
            continue;
        };
        let Some(&first) = group.monitors.first() else {
            continue;
        };
        let now = *now;
        if names[name.as_str()] != 1 || now >= before || now == 0 {
            continue;
        }
        // A sentinel keeps every peer it ever met: the majority is still counted on them.
        let majority = before / 2 + 1;
        let effect = if majority > now {
            format!("a failover needs {majority} votes and only {now} sentinels are left: no failover can happen")
        } else {
            format!("a failover still needs {majority} of the {now} left, so it tolerates {} sentinel failure(s) instead of {}", now - majority, now - (now / 2 + 1))
        };
        out.push(
            Diagnostic::new(
                Rule::SentinelScaleDownWithoutReset,
                topo.monitor(first).1.name.span,
                format!("the sentinels of `{name}` go from {before} (in {}) to {now}: sentinels never forget a peer, so each one left still counts {before} and {effect}, until SENTINEL RESET is run on each of them", history.revision),
            )
            .help(format!("after the removed sentinels are stopped, run `SENTINEL RESET {name}` on each remaining sentinel, one at a time, waiting about 30 s between them; check with `SENTINEL MASTER {name}` that num-other-sentinels is {}", now - 1)),
        );
    }
    for cluster in &topo.consensus {
        let Some(before) = history.nodes_of(&cluster.name) else {
            continue;
        };
        if cluster.nodes.value >= before {
            continue;
        }
        out.push(
            Diagnostic::new(
                Rule::RecNodesDecreased,
                cluster.nodes.span,
                format!("the {} `{}` goes from {before} nodes (in {}) to {}: the Redis Enterprise operator does not support removing nodes by lowering spec.nodes, so the change is refused or leaves the cluster without the quorum its nodes expect", cluster.kind.label(), cluster.name, history.revision, cluster.nodes.value),
            )
            .help(format!("keep spec.nodes at {before}; to shrink a cluster, follow Redis Enterprise's procedure for removing nodes (one at a time, after moving their shards)")),
        );
    }
}
