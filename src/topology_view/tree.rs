//! `--format tree`: per group, every fact followed by where it was declared.

use super::model::*;
use std::fmt::Write;

fn loc<T>(f: &Fact<T>) -> String {
    match &f.at {
        Some(at) => format!("  ({at})"),
        None => "  (default)".to_string(),
    }
}

fn findings(out: &mut String, indent: &str, findings: &[FindingView]) {
    for f in findings {
        let _ = writeln!(
            out,
            "{indent}! {} {} [{}]  ({})",
            f.severity, f.rule, f.code, f.at
        );
    }
}

pub fn render(view: &TopologyView) -> String {
    let mut out = String::new();
    if view.groups.is_empty() && view.consensus.is_empty() && view.clusters.is_empty() {
        out.push_str("no replication group or sentinel found\n");
    }
    for g in &view.groups {
        let _ = writeln!(out, "group {}", g.title());
        let _ = writeln!(out, "  monitored address: {}", g.address);
        // A group no sentinel watches has no quorum at all.
        if g.quorum.is_some() || !g.sentinels.is_empty() {
            let quorum = g
                .quorum
                .map_or("differs between sentinels".to_string(), |q| q.to_string());
            let _ = writeln!(out, "  quorum: {quorum}");
        }
        let _ = writeln!(out, "  sentinels: {}", g.sentinel_count.show());
        if let Some(m) = g.majority {
            let _ = writeln!(out, "  majority: {m}");
        }
        let _ = writeln!(out, "  replicas: {}", g.replica_count.show());
        if g.master().is_none() {
            let _ = writeln!(out, "  master: {} (not among the checked files)", g.address);
        }
        for n in &g.nodes {
            let _ = writeln!(out, "  {} {}", n.role, n.name);
            let _ = writeln!(out, "    address: {}", n.address);
            let _ = writeln!(out, "    config: {}{}", n.config.value, loc(&n.config));
            if let Some(r) = &n.replicaof {
                let _ = writeln!(out, "    replicaof: {}{}", r.value, loc(r));
            }
            let _ = writeln!(
                out,
                "    persistence: {}{}",
                n.persistence.value,
                loc(&n.persistence)
            );
            let _ = writeln!(out, "    requirepass: {}{}", n.auth.value, loc(&n.auth));
            let _ = writeln!(
                out,
                "    masterauth: {}{}",
                n.masterauth.value,
                loc(&n.masterauth)
            );
            if let Some(p) = &n.replica_priority {
                let _ = writeln!(out, "    replica-priority: {}{}", p.value, loc(p));
            }
            findings(&mut out, "    ", &n.findings);
        }
        for s in &g.sentinels {
            let _ = writeln!(out, "  sentinel {}", s.name);
            let _ = writeln!(out, "    address: {}", s.address);
            let _ = writeln!(out, "    config: {}{}", s.config.value, loc(&s.config));
            if let Some(w) = &s.config_writable {
                let what = if w.value { "writable" } else { "read-only" };
                let _ = writeln!(out, "    config mount: {what}{}", loc(w));
            }
            let _ = writeln!(out, "    monitor: {}{}", s.monitor.value, loc(&s.monitor));
            let _ = writeln!(out, "    quorum: {}{}", s.quorum.value, loc(&s.quorum));
            let _ = writeln!(
                out,
                "    down-after-milliseconds: {}{}",
                s.down_after_ms.value,
                loc(&s.down_after_ms)
            );
            let _ = writeln!(
                out,
                "    failover-timeout: {}{}",
                s.failover_timeout_ms.value,
                loc(&s.failover_timeout_ms)
            );
            let _ = writeln!(
                out,
                "    auth-pass: {}{}",
                s.auth_pass.value,
                loc(&s.auth_pass)
            );
            let _ = writeln!(
                out,
                "    resolve-hostnames: {}{}",
                yes(s.resolve_hostnames.value),
                loc(&s.resolve_hostnames)
            );
            let _ = writeln!(
                out,
                "    announce-hostnames: {}{}",
                yes(s.announce_hostnames.value),
                loc(&s.announce_hostnames)
            );
            findings(&mut out, "    ", &s.findings);
        }
    }
    for c in &view.consensus {
        let _ = writeln!(out, "{} {}  ({})", c.kind, c.name, c.declared_at);
        let _ = writeln!(out, "  nodes: {}{}", c.nodes.value, loc(&c.nodes));
        let _ = writeln!(out, "  majority: {}", c.majority);
        let _ = writeln!(
            out,
            "  persistent volumes: {}{}",
            yes(c.persistent.value),
            loc(&c.persistent)
        );
        if let Some(class) = &c.storage_class {
            let _ = writeln!(out, "  storage class: {}{}", class.value, loc(class));
        }
        findings(&mut out, "  ", &c.findings);
    }
    for c in &view.clusters {
        let _ = writeln!(out, "Redis Cluster  ({})", c.declared_at);
        match (&c.masters, &c.replicas_per_master) {
            (Some(m), Some(r)) => {
                let _ = writeln!(out, "  masters: {}{}", m.value, loc(m));
                let _ = writeln!(out, "  replicas per master: {}{}", r.value, loc(r));
            }
            (None, Some(r)) => {
                let _ = writeln!(out, "  masters: unknown (the node list is not literal)");
                let _ = writeln!(out, "  replicas per master: {}{}", r.value, loc(r));
            }
            _ => {
                let _ = writeln!(
                    out,
                    "  masters: unknown (no create command or resource in the tree)"
                );
            }
        }
        if let Some(q) = c.majority {
            let _ = writeln!(out, "  majority for a promotion: {q} masters");
        }
        let _ = writeln!(
            out,
            "  node timeout: {} ms{}",
            c.node_timeout_ms.value,
            loc(&c.node_timeout_ms)
        );
        let _ = writeln!(
            out,
            "  full coverage required: {}{}",
            yes(c.full_coverage.value),
            loc(&c.full_coverage)
        );
        for n in &c.nodes {
            let _ = writeln!(out, "  node {}  ({})", n.name, n.at);
        }
        findings(&mut out, "  ", &c.findings);
    }
    out
}

fn yes(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}
