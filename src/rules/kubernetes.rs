//! Kubernetes workloads: where Sentinel's config lives, how pods pick their role, and
//! whether probes can see what they probe.

use crate::diagnostic::Diagnostic;
use crate::rules::{Context, Rule};

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for c in &ctx.topology.containers {
        for (path, mount, volume, what) in &c.readonly_sentinel_configs {
            out.push(
                Diagnostic::new(
                    Rule::SentinelConfigReadonlyMount,
                    *path,
                    format!("Sentinel in `{}` runs from a config on {what}, which is read-only: it exits at start (\"Sentinel config file … is not writable\") and the pod crash-loops", c.workload),
                )
                .label(*mount, "mounted here")
                .label(*volume, "read-only volume")
                .help("copy the file into an emptyDir (or a PVC, to keep Sentinel's state) in an initContainer, and start Sentinel on the copy")
                .fatal(),
            );
        }
        for (path, mount) in &c.subpath_sentinel_configs {
            out.push(
                Diagnostic::new(
                    Rule::SentinelSubpathFileMount,
                    *path,
                    format!("Sentinel in `{}` runs from a config mounted with `subPath`: that is a file bind mount, so saving its state (rename of a temporary file) fails and is lost at the next restart", c.workload),
                )
                .label(*mount, "subPath mount")
                .help("mount the whole volume as a directory and point Sentinel at the file inside it"),
            );
        }
        if let (Some(test), true, false) = (c.ordinal_test, c.runs_server, c.asks_sentinels) {
            out.push(
                Diagnostic::new(
                    Rule::StaticMasterByOrdinal,
                    test,
                    format!("the start script of `{}` picks the master from the pod's own name: after a failover, a restarted pod 0 comes back as a second master (split brain, then lost writes)", c.workload),
                )
                .help("ask the sentinels first (`redis-cli -p 26379 SENTINEL get-master-addr-by-name <master>`) and start as a replica of the answer; bootstrap as master only when no sentinel knows one"),
            );
        }
        if c.auth_required {
            for probe in &c.unauthenticated_pings {
                out.push(
                    Diagnostic::new(
                        Rule::ProbeWithoutAuth,
                        *probe,
                        format!("this probe of `{}` runs `redis-cli ping` without credentials while the server requires a password: redis-cli prints NOAUTH and still exits 0, so the probe passes whatever the server's state", c.workload),
                    )
                    .help("pass the password through REDISCLI_AUTH (from the Secret) and compare the reply with PONG"),
                );
            }
        }
    }
}
