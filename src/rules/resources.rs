//! What a process's container is allowed to use: CPU limits that starve Sentinel's timer,
//! memory limits that leave no room for a fork above maxmemory.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{Context, Rule};
use std::collections::HashSet;

/// Below the smallest limit measured in the field (50m: throttled in about 30% of CFS
/// periods, with occasional TILT entries), a warning; up to `ENOUGH`, information: a
/// risk under load, not a deployment that fails.
const THROTTLED: i64 = 50;
/// From this limit on, no TILT entry has been reported under normal load.
const ENOUGH: i64 = 200;

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    cpu_limit_too_low(ctx, out);
    memory_limit_below_maxmemory(ctx, out);
}

/// A sentinel container whose CPU limit is low enough for CFS throttling to stall its
/// timer: a gap over 2 s between two runs enters TILT for 30 s.
fn cpu_limit_too_low(ctx: &Context, out: &mut Vec<Diagnostic>) {
    // One finding per written limit: every copy of a container shares it.
    let mut seen = HashSet::new();
    for sentinel in &ctx.topology.sentinels {
        let Some(limit) = &sentinel.runtime.cpu_limit else {
            continue;
        };
        if limit.value >= ENOUGH || !seen.insert(limit.span) {
            continue;
        }
        let severity = if limit.value < THROTTLED {
            Severity::Warning
        } else {
            Severity::Info
        };
        let cores = format!("{}m", limit.value);
        // Every copy has the same limit: name the workload, not one copy.
        let who = sentinel
            .name
            .split(" (sentinel ")
            .next()
            .unwrap_or(&sentinel.name);
        let mut d = Diagnostic::new(
            Rule::SentinelCpuLimitTooLow,
            limit.span,
            format!(
                "the sentinel of {who} may use only {cores} of a CPU: under CFS throttling its timer can stall, and a gap of more than 2 s between two runs puts Sentinel in TILT mode for 30 s, during which it neither fails over nor votes that the master is down (limits of 50m were seen throttled in about 30% of periods; exec probes that fork redis-cli run in the same quota)",
            ),
        )
        .severity(severity);
        if let Some(r) = sentinel.resolve_hostnames.as_ref().filter(|r| r.value) {
            d = d.label(
                r.span,
                "host names are resolved too: a slow DNS lookup blocks the same thread",
            );
        }
        out.push(d.help(format!(
            "raise the CPU limit to at least {ENOUGH}m (`200m` in Kubernetes, `cpus: 0.2` in compose), or remove the limit and keep a request"
        )));
    }
}

/// A data node whose container memory limit leaves too little room above `maxmemory`:
/// the kernel's OOM killer ends it during a fork for a save or a replica's full sync.
/// (systemd's `MemoryMax=` is checked with the unit, in the systemd rules.)
fn memory_limit_below_maxmemory(ctx: &Context, out: &mut Vec<Diagnostic>) {
    use crate::knowledge::values::human_bytes;
    let mut seen = HashSet::new();
    for node in &ctx.topology.nodes {
        let (Some(limit), Some(maxmemory)) = (&node.runtime.memory_limit, &node.maxmemory) else {
            continue;
        };
        let max = maxmemory.value;
        // A fork copies pages on write, charged to the same cgroup; replication and
        // client buffers come on top of maxmemory.
        let needed = max + max / 2;
        if max == 0 || limit.value >= needed || !seen.insert(limit.span) {
            continue;
        }
        // Every copy has the same limit: name the workload or resource, not one copy.
        let who = node.name.split(" (data pod ").next().unwrap_or(&node.name);
        let message = if limit.value <= max {
            format!(
                "the container of {} may use {} of memory, not more than its maxmemory ({}): the kernel kills Redis (OOMKilled) before it starts evicting",
                who,
                human_bytes(limit.value),
                human_bytes(max)
            )
        } else {
            format!(
                "the container of {} may use {}, only {} above its maxmemory ({}): the copy-on-write pages of a fork for BGSAVE, an AOF rewrite or a replica's full sync, plus replication buffers, push it over the limit and the kernel kills it (OOMKilled) in the middle of the save or sync",
                who,
                human_bytes(limit.value),
                human_bytes(limit.value - max),
                human_bytes(max)
            )
        };
        // A unit's `MemoryMax=` is the line to change; a container's limit sits in a
        // manifest or values file far from the config, and maxmemory is the setting
        // that asks for more than the container has.
        let in_unit = ctx
            .sources
            .get(&limit.span.file)
            .is_some_and(|s| crate::formats::systemd::unit_kind(&s.path).is_some());
        let (primary, secondary, what) = if in_unit {
            (limit.span, maxmemory.span, "maxmemory set here")
        } else {
            (maxmemory.span, limit.span, "the memory limit")
        };
        out.push(
            Diagnostic::new(Rule::MemoryCapBelowMaxmemory, primary, message)
                .label(secondary, what)
                .help(format!(
                    "allow the container at least 1.5 × maxmemory ({}), or lower maxmemory",
                    human_bytes(needed)
                )),
        );
    }
}
