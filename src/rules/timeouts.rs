//! Sentinel timings and replication timeouts.

use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::model::Monitor;
use crate::rules::{Context, Rule};
use crate::source::{Span, Spanned};

/// A per-master setting: its name, its effective value, and where it is written.
type Setting = (
    &'static str,
    fn(&Monitor) -> i64,
    fn(&Monitor) -> Option<Span>,
);

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    runtime_sets(ctx, out);
    below_busy_threshold(ctx, out);
    for sentinel in &ctx.topology.sentinels {
        for m in &sentinel.monitors {
            check_monitor(m, out);
        }
    }
    for group in ctx.topology.groups.iter().filter(|g| g.monitors.len() >= 2) {
        let monitors: Vec<&Monitor> = group
            .monitors
            .iter()
            .map(|&r| ctx.topology.monitor(r).1)
            .collect();
        let settings: [Setting; 3] = [
            ("down-after-milliseconds", Monitor::down_after, |m| {
                m.down_after.as_ref().map(|v| v.span)
            }),
            ("failover-timeout", Monitor::failover_timeout, |m| {
                m.failover_timeout.as_ref().map(|v| v.span)
            }),
            ("parallel-syncs", Monitor::parallel_syncs, |m| {
                m.parallel_syncs.as_ref().map(|v| v.span)
            }),
        ];
        for (name, value, span) in settings {
            let reference = monitors[0];
            for m in &monitors[1..] {
                if value(m) != value(reference) {
                    out.push(
                        Diagnostic::new(
                            Rule::SentinelTimingInconsistent,
                            span(m).unwrap_or(m.line),
                            format!(
                                "{name} is {} here but {} in another sentinel of `{}`: sentinels react at different times",
                                value(m),
                                value(reference),
                                m.name.value
                            ),
                        )
                        .label(span(reference).unwrap_or(reference.line), "the other sentinel's value")
                        .help("use the same timings in every sentinel of a group"),
                    );
                }
            }
        }
    }
    for node in &ctx.topology.nodes {
        if node.repl_timeout.is_none() && node.repl_ping_period.is_none() {
            continue;
        }
        let timeout = node.repl_timeout.as_ref().map_or(60, |v| v.value);
        let ping = node.repl_ping_period.as_ref().map_or(10, |v| v.value);
        if timeout <= ping {
            let span = node
                .repl_timeout
                .as_ref()
                .or(node.repl_ping_period.as_ref())
                .map(|v| v.span)
                .unwrap_or(node.anchor);
            let mut d = Diagnostic::new(
                Rule::ReplTimeoutNotAbovePingPeriod,
                span,
                format!("repl-timeout ({timeout} s) is not above repl-ping-replica-period ({ping} s): idle replication links time out and reconnect, and replicas look disconnected when a failover needs them"),
            )
            .help(format!("set repl-timeout well above the ping period, e.g. {}", (ping * 6).max(60)));
            if let (Some(_), Some(p)) = (&node.repl_timeout, &node.repl_ping_period) {
                d = d.label(p.span, "ping period set here");
            }
            // Unsafe: a longer timeout also delays noticing a dead link.
            let wanted = (ping * 6).max(60);
            let edit = match &node.repl_timeout {
                Some(t) => ctx.replace_value(t, wanted.to_string()),
                None => ctx.append_lines(
                    node.file,
                    &format!("repl-timeout {wanted}"),
                    ctx.rewrite_start(node.file),
                ),
            };
            d = d.with_fix_opt(
                edit.map(|e| Fix::unsafe_(format!("set repl-timeout to {wanted}"), vec![e])),
            );
            out.push(d);
        }
    }
}

fn check_monitor(m: &Monitor, out: &mut Vec<Diagnostic>) {
    if let Some(da) = &m.down_after {
        if let Some(d) = down_after_too_low(da, &format!("for `{}`", m.name.value)) {
            out.push(d);
        }
    }
    let (da, ft) = (m.down_after(), m.failover_timeout());
    if (m.down_after.is_some() || m.failover_timeout.is_some())
        && da > 0
        && ft > 0
        && (ft < 2 * da || ft < 5000)
    {
        let span = m
            .failover_timeout
            .as_ref()
            .or(m.down_after.as_ref())
            .map(|v| v.span)
            .unwrap_or(m.line);
        out.push(
            Diagnostic::new(
                Rule::FailoverTimeoutTooLow,
                span,
                format!("failover-timeout {ft} ms with down-after-milliseconds {da} ms for `{}`: a promotion that takes longer is aborted, and replicas are then re-pointed all at once", m.name.value),
            )
            .help(format!("allow at least twice down-after-milliseconds, e.g. {}", (2 * da).max(10000))),
        );
    }
    if let Some(ft) = &m.failover_timeout {
        if let Some(d) = retry_delay_long(ft, &format!("`{}`", m.name.value)) {
            out.push(d);
        }
    }
}

fn down_after_too_low(da: &Spanned<i64>, master: &str) -> Option<Diagnostic> {
    if da.value <= 0 || da.value >= 3000 {
        return None;
    }
    let severity = if da.value < 1000 {
        Severity::Error
    } else {
        Severity::Warning
    };
    Some(
        Diagnostic::new(
            Rule::DownAfterTooLow,
            da.span,
            format!(
                "down-after-milliseconds {} {master}: a GC pause, a fork or network jitter this long marks the master down and triggers needless failovers",
                da.value
            ),
        )
        .severity(severity)
        .help("use at least 5000 ms on VMs and containers"),
    )
}

fn retry_delay_long(ft: &Spanned<i64>, master: &str) -> Option<Diagnostic> {
    // Only a value someone wrote: a chart's or operator's default is not a choice made
    // in this tree (the rule page's "looks wrong but is not").
    let written = ft.origin != crate::source::Origin::Implied;
    (written && ft.value >= 180_000).then(|| {
        Diagnostic::new(
            Rule::FailoverRetryDelayLong,
            ft.span,
            format!(
                "failover-timeout {} ms: if a failover of {master} fails, the next attempt waits {} minutes (twice the timeout), a write outage that long",
                ft.value,
                ft.value * 2 / 60_000
            ),
        )
        .help("a value around 60000 keeps the retry delay to two minutes")
    })
}

/// `SENTINEL SET` commands sent at run time: the sentinels they reach take the value,
/// whatever their config files say.
fn runtime_sets(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for set in &ctx.topology.runtime_sets {
        // A name as written, or a placeholder the program fills in.
        let named = set
            .master
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        let master = if named {
            format!("`{}`", set.master)
        } else {
            "the master it names".to_string()
        };
        let found = match set.option {
            "down-after-milliseconds" => down_after_too_low(
                &set.value,
                &format!("for {master}, set at run time by `SENTINEL SET`"),
            ),
            "failover-timeout" => retry_delay_long(&set.value, &master),
            _ => None,
        };
        out.extend(found.map(|d| d.label(set.command, "sent to the sentinels at run time")));
    }
}

/// A script (or any command) that runs longer than down-after keeps the node from
/// answering PING, and before `busy-reply-threshold` it does not even answer BUSY, so
/// SCRIPT KILL cannot end it: the sentinels fail over a healthy master. Below 3000 ms
/// down-after-too-low says more.
fn below_busy_threshold(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    let mut seen = std::collections::HashSet::new();
    for group in topo.groups.iter().filter(|g| g.has_sentinels()) {
        // The longest threshold of the group's nodes (0: scripts are never stopped).
        let explicit = group
            .nodes()
            .filter_map(|n| topo.nodes[n].busy_threshold.as_ref())
            .max_by_key(|t| if t.value <= 0 { i64::MAX } else { t.value });
        // Only a threshold the nodes set says scripts run that long here: with the
        // default 5000 ms, down-after-too-low judges short values on its own.
        let Some(threshold) = explicit.map(|t| if t.value <= 0 { i64::MAX } else { t.value })
        else {
            continue;
        };
        for &r in &group.monitors {
            let monitor = topo.monitor(r).1;
            let da = monitor.down_after();
            let at = monitor.down_after.as_ref().map_or(monitor.line, |d| d.span);
            if da < 3000 || da >= threshold || !seen.insert(at) {
                continue;
            }
            let limit = match explicit {
                Some(t) if t.value <= 0 => {
                    "busy-reply-threshold 0: a script is never stopped".to_string()
                }
                Some(t) => format!("busy-reply-threshold {} ms on the nodes", t.value),
                None => continue,
            };
            let mut d = Diagnostic::new(
                Rule::DownAfterBelowBusyThreshold,
                at,
                format!("down-after-milliseconds {da} for `{}` is below the time a script may run before it can be stopped ({limit}): a script or slow command running longer than {da} ms leaves every PING unanswered, and the sentinels fail over a healthy master before SCRIPT KILL can end the script", monitor.name.value),
            )
            .help("keep down-after-milliseconds above busy-reply-threshold (lua-time-limit before 7.0), or lower the threshold on the nodes");
            if let Some(t) = explicit {
                d = d.label(t.span, "scripts run this long before the node answers BUSY");
            }
            out.push(d);
        }
    }
}
