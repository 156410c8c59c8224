//! What a start command adds to a config file that Sentinel rewrites.

use crate::diagnostic::Diagnostic;
use crate::rules::{Context, Rule};
use crate::source::Origin;

/// `redis-sentinel sentinel.conf --sentinel monitor m host 6379 2`: Sentinel applies the
/// option, then saves its state into the file, monitor included. The next start of the
/// same container (a restart policy, a host reboot, `docker restart`) reads the monitor
/// from the file and again from the command line, and exits "Duplicate master name".
pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for sentinel in &ctx.topology.sentinels {
        let Some(config) = sentinel.runtime.config_file else {
            continue;
        };
        // A monitor that comes from the command line: its name is a word of the
        // command (an argument), not of a config line.
        for monitor in sentinel
            .monitors
            .iter()
            .filter(|m| m.name.origin != Origin::ConfLine && m.line.file == config.file)
        {
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
