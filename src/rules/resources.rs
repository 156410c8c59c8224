//! What a process's container is allowed to use: CPU limits that starve Sentinel's timer.

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
