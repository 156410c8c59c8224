//! TLS between sentinels and data nodes, and between replicas and their master. A
//! sentinel's links (to nodes and to other sentinels) use TLS exactly when it has
//! `tls-replication yes`, and it connects to the port `sentinel monitor` names; a
//! replica's link to its master uses TLS exactly when it has `tls-replication yes`.

use crate::diagnostic::{Diagnostic, Fix};
use crate::facts::{Monitor, Node, SentinelProc};
use crate::model::Group;
use crate::rules::{Context, Rule};
use std::collections::HashSet;

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    let mut replicas_seen = HashSet::new();
    for group in &topo.groups {
        let Some(master) = group.master.map(|m| &topo.nodes[m]) else {
            continue;
        };
        if !master.complete {
            continue;
        }
        for &r in &group.monitors {
            let (sentinel, monitor) = topo.monitor(r);
            if sentinel.complete && sentinel.runtime.managed_by.is_none() {
                sentinel_link(ctx, sentinel, monitor, master, out);
            }
        }
        replica_links(ctx, group, master, &mut replicas_seen, out);
    }
}

/// What the monitored port speaks: `Some(true)` TLS, `Some(false)` plain text, `None`
/// unknown (announced, or neither of the node's ports).
fn port_speaks_tls(node: &Node, port: i64) -> Option<bool> {
    if node.announce_port.is_some() {
        return None;
    }
    if node.tls.listens().is_some_and(|p| p.value == port) {
        Some(true)
    } else if node.effective_port() == port && port != 0 {
        Some(false)
    } else {
        None
    }
}

fn sentinel_link(
    ctx: &Context,
    sentinel: &SentinelProc,
    monitor: &Monitor,
    master: &Node,
    out: &mut Vec<Diagnostic>,
) {
    let Some(tls_port) = port_speaks_tls(master, monitor.port.value) else {
        return;
    };
    let sentinel_tls = sentinel.tls.replicates();
    if tls_port == sentinel_tls {
        return;
    }
    let name = &monitor.name.value;
    let plain = master.effective_port();
    if tls_port && plain == 0 {
        let mut d = Diagnostic::new(
            Rule::TlsSentinelMissingTlsReplication,
            monitor.port.span,
            format!("{} listens only on TLS (port 0, tls-port {}), but this sentinel has no `tls-replication yes`, so it connects to it in plain text: the node drops the connection (\"wrong version number\"), the sentinel never gets a PING answer and marks `{name}` down, and no failover can succeed", master.name, monitor.port.value),
        )
        .help("give the sentinel `tls-replication yes` with `tls-port`, `tls-cert-file`, `tls-key-file` and `tls-ca-cert-file` (a sentinel's links use TLS only with tls-replication, and it refuses to start without the certificate settings)");
        if let Some(port) = &master.port {
            d = d.label(port.span, "no plain-text port");
        }
        if let Some(t) = &master.tls.port {
            d = d.label(t.span, "the TLS port the sentinel reaches");
        }
        out.push(d);
        return;
    }
    // The node offers the other protocol on another port: monitor that one.
    let (right_port, why) = if sentinel_tls {
        match master.tls.listens() {
            Some(p) => (Some(p.value), format!("this sentinel speaks TLS (tls-replication yes) but monitors the plain-text port {} of {}: the TLS handshake never completes, every PING times out and `{name}` is marked down", monitor.port.value, master.name)),
            None => (None, format!("this sentinel speaks TLS (tls-replication yes) but {} has no TLS port: the handshake on port {} never completes and `{name}` is marked down", master.name, monitor.port.value)),
        }
    } else {
        (Some(plain), format!("this sentinel speaks plain text (no tls-replication) but monitors the TLS port {} of {}: the node drops every connection and `{name}` is marked down", monitor.port.value, master.name))
    };
    let mut d = Diagnostic::new(Rule::TlsMonitorPortMismatch, monitor.port.span, why)
        .help(match right_port {
            Some(p) => format!("monitor port {p}, which speaks what this sentinel speaks (Sentinel uses the monitored port for every link; it has no separate TLS port)"),
            None => "give the data nodes a tls-port and monitor it, or remove tls-replication from the sentinel".to_string(),
        });
    for p in master.tls.port.iter().chain(master.port.iter()) {
        d = d.label(p.span, "a port of the monitored node");
    }
    if let Some(p) = right_port {
        d = d.with_fix_opt(
            ctx.replace_value(&monitor.port, p.to_string())
                .map(|e| Fix::unsafe_(format!("monitor port {p}"), vec![e])),
        );
    }
    out.push(d);
}

/// Every node of a group whose master listens only on TLS replicates over TLS, or will
/// after a failover demotes it.
fn replica_links(
    ctx: &Context,
    group: &Group,
    master: &Node,
    seen: &mut HashSet<crate::source::Span>,
    out: &mut Vec<Diagnostic>,
) {
    let topo = ctx.topology;
    let Some(master_tls) = master.tls.listens() else {
        return;
    };
    let tls_only = master.effective_port() == 0;
    for n in group.nodes() {
        let node = &topo.nodes[n];
        if !node.complete || node.tls.replicates() || !seen.insert(node.anchor) {
            continue;
        }
        let replicates_to_tls_port = node
            .replicaof
            .as_ref()
            .is_some_and(|r| r.port.value == master_tls.value);
        let is_master = std::ptr::eq(node, master);
        // The master only needs it once it is demoted: that happens with sentinels.
        if !(replicates_to_tls_port || (tls_only && (!is_master || group.has_sentinels()))) {
            continue;
        }
        let at = node.replicaof.as_ref().map_or(
            node.tls.port.as_ref().map_or(node.anchor, |p| p.span),
            |r| r.line,
        );
        let when = if node.replicaof.is_some() {
            "its replication link to the master is plain text against a TLS port: the master drops it, the handshake times out and the replica never syncs (so it can never be promoted)"
        } else {
            "once a failover demotes it, it connects to the new master's TLS-only port in plain text and never syncs again"
        };
        let fix = node.tls.port.as_ref().and_then(|p| {
            ctx.insert_conf_lines_after(p, "tls-replication yes")
                .map(|e| Fix::unsafe_("add tls-replication yes", vec![e]))
        });
        let message = if is_master {
            format!("{} has no `tls-replication yes`, and the nodes of its group listen only on TLS (its own tls-port {}): {when}", node.name, master_tls.value)
        } else {
            format!(
                "{} has no `tls-replication yes` while its master {} {}: {when}",
                node.name,
                master.name,
                if tls_only {
                    format!("listens only on TLS (tls-port {})", master_tls.value)
                } else {
                    format!("is replicated from on its TLS port {}", master_tls.value)
                }
            )
        };
        let mut d = Diagnostic::new(Rule::TlsReplicasMissingTlsReplication, at, message);
        if !is_master {
            d = d.label(master_tls.span, "the master's TLS port");
        }
        out.push(
            d.help("add `tls-replication yes` on every data node of the group (with its certificate settings)")
            .with_fix_opt(fix),
        );
    }
}
