//! What a start command adds to a config file that Sentinel rewrites.

use crate::diagnostic::Diagnostic;
use crate::rules::{Context, Rule};
use crate::source::Origin;

/// `redis-sentinel sentinel.conf --sentinel monitor m host 6379 2`: Sentinel applies the
/// option, then saves its state into the file, monitor included. The next start of the
/// same container (a restart policy, a host reboot, `docker restart`) reads the monitor
/// from the file and again from the command line, and exits "Duplicate master name".
pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    appended_config(ctx, out);
    included_monitor(ctx, out);
    for sentinel in &ctx.topology.sentinels {
        let Some(config) = sentinel.runtime.config_file else {
            continue;
        };
        // A monitor that comes from the command line: its name is a word of the
        // command (an argument), not of a config line (in a file, or echoed into one).
        for monitor in sentinel.monitors.iter().filter(|m| {
            !matches!(m.name.origin, Origin::ConfLine | Origin::Echoed)
                && m.line.file == config.file
        }) {
            out.push(
                Diagnostic::new(
                    Rule::SentinelMonitorAppendedAtStart,
                    monitor.line,
                    format!("`sentinel monitor {}` is passed on the command line of a sentinel that runs a config file: the first start saves the monitor into that file, and every later start of the same container reads it twice and exits (\"Duplicate master name.\")", monitor.name.value),
                )
                .fatal()
                .label(config, "Sentinel rewrites this config file")
                .help("write the `sentinel monitor` line into the config file (once, when the file is created) instead of passing it on the command line"),
            );
        }
    }
}

/// `include /conf/masters.conf` in a sentinel's config, the `sentinel monitor` in that
/// file: Sentinel's rewrite reads only the main file and saves its whole state there,
/// the monitor included. The next start of the same process reads the monitor from the
/// include and again from the main file, and exits ("Duplicate master name.", seen on
/// Redis 7.0). Not when the start command writes the main file afresh every time.
fn included_monitor(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let mut seen: Vec<crate::source::Span> = Vec::new();
    for sentinel in &ctx.topology.sentinels {
        let Some(include) = sentinel.runtime.config_monitor_included else {
            continue;
        };
        if sentinel.runtime.config_rewritten_at_start.is_some()
            || sentinel.runtime.managed_by.is_some()
        {
            continue;
        }
        let Some(monitor) = sentinel.monitors.iter().find(|m| m.line != include) else {
            continue;
        };
        if seen.contains(&monitor.line) {
            continue;
        }
        seen.push(monitor.line);
        out.push(
            Diagnostic::new(
                Rule::SentinelMonitorAppendedAtStart,
                monitor.line,
                format!("`sentinel monitor {}` comes from a file the sentinel's config includes: Sentinel saves its state into the main config file, this monitor included, so every later start of the same process reads it twice and exits (\"Duplicate master name.\")", monitor.name.value),
            )
            .fatal()
            .label(include, "included here; Sentinel's rewrite copies the monitor into this file")
            .help("write the `sentinel monitor` line into the main config file (once, when it is created) and keep only settings Sentinel never rewrites in included files"),
        );
    }
}

/// A start script that builds the sentinel's config with `echo … >> FILE` only: the first
/// start of the container writes the lines, Sentinel runs; the file stays in the
/// container (or its volume), and the next start appends the same lines again, so the
/// monitor is there twice and Sentinel exits ("Duplicate master name.").
fn appended_config(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let mut seen: Vec<crate::source::Span> = Vec::new();
    for sentinel in &ctx.topology.sentinels {
        let Some(first) = sentinel.runtime.config_appended_at_start else {
            continue;
        };
        let Some(monitor) = sentinel.monitors.first() else {
            continue;
        };
        // The copies of a service share the script: once.
        if seen.contains(&monitor.line) {
            continue;
        }
        seen.push(monitor.line);
        out.push(
            Diagnostic::new(
                Rule::SentinelMonitorAppendedAtStart,
                monitor.line,
                format!("the start script appends `sentinel monitor {}` (and the rest of the config) to a file it never empties: the first start works, but the file outlives a restart of the container, so the next start reads the monitor twice and exits (\"Duplicate master name.\")", monitor.name.value),
            )
            .fatal()
            .label(first, "the config is only ever appended to, from here")
            .help("write the config with `>` (or a here-document) when the file does not exist yet (`[ -f FILE ] || …`), and let Sentinel keep it afterwards"),
        );
    }
}
