//! Addresses that processes of one group announce: each must be their own.

use crate::diagnostic::Diagnostic;
use crate::knowledge::values::is_template;
use crate::rules::{Context, Rule};
use std::collections::HashMap;

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    replica_announce_duplicated(ctx, out);
}

/// Two data nodes of one group announcing the same `replica-announce-ip` (and port): the
/// master lists them as one replica, and Sentinel reconfigures or promotes whichever
/// answers at that address. Copies of one config (a compose service with several
/// replicas, the pods of a StatefulSet) share a literal address too.
fn replica_announce_duplicated(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    for group in &topo.groups {
        let mut seen: HashMap<(String, i64), usize> = HashMap::new();
        let mut reported = std::collections::HashSet::new();
        for n in group.nodes() {
            let node = &topo.nodes[n];
            let Some(ip) = &node.announce_ip else {
                continue;
            };
            if ip.value.is_empty() || is_template(&ip.value) || !ip.origin.on_conf_line() {
                continue;
            }
            let port = node
                .announce_port
                .as_ref()
                .map_or_else(|| node.effective_port(), |p| p.value);
            let key = (ip.value.to_ascii_lowercase(), port);
            let Some(&other) = seen.get(&key) else {
                seen.insert(key, n);
                continue;
            };
            let first = &topo.nodes[other];
            let at = first
                .announce_ip
                .as_ref()
                .map(|a| a.span)
                .unwrap_or(first.anchor);
            // Copies of one line are one finding.
            if !reported.insert(ip.span) {
                continue;
            }
            let same_line = at == ip.span;
            let mut d = Diagnostic::new(
                Rule::ReplicaAnnounceIpDuplicated,
                ip.span,
                format!(
                    "{} announces {}:{port}, as {} does{}: the master lists one replica where there are two, and Sentinel reconfigures or promotes whichever answers at that address",
                    node.name,
                    ip.value,
                    first.name,
                    if same_line { " (both run this config)" } else { "" }
                ),
            )
            .help("give each node its own address (the pod IP from the downward API, or the host's address with a port per node)");
            if !same_line {
                d = d.label(at, "the same address announced here");
            }
            out.push(d);
        }
    }
}
