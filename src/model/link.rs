//! The linker: one pass over every fact of the project builds the groups.
//!
//! Nodes are indexed by the addresses they can be reached at, so matching a monitored
//! address or a `replicaof` target is a hash lookup, never a pairwise scan.

use super::facts::{Node, SentinelProc};
use super::topology::{Group, MonitorRef, SentinelCount, Topology};
use crate::knowledge::values::is_loopback;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

type Address = (String, i64);

fn normalize_host(host: &str) -> String {
    let lower = host.to_ascii_lowercase();
    if is_loopback(&lower) {
        "127.0.0.1".to_string()
    } else {
        lower
    }
}

/// Addresses a node may be known by.
fn identities(node: &Node) -> Vec<Address> {
    let port = node
        .announce_port
        .as_ref()
        .filter(|p| p.value != 0)
        .map_or(node.effective_port(), |p| p.value);
    let mut hosts: Vec<String> = node
        .binds
        .iter()
        .map(|b| b.value.as_str())
        .filter(|h| !matches!(*h, "*" | "0.0.0.0" | "::" | "::*" | "" | "-::*"))
        .map(normalize_host)
        .collect();
    if let Some(ip) = &node.announce_ip {
        hosts.push(normalize_host(&ip.value));
    }
    hosts.extend(node.name_hints.iter().cloned());
    hosts.sort();
    hosts.dedup();
    hosts.into_iter().map(|h| (h, port)).collect()
}

/// Number of leading path components two scopes share.
fn closeness(a: &Path, b: &Path) -> usize {
    a.components()
        .zip(b.components())
        .take_while(|(x, y)| x == y)
        .count()
}

/// Among candidates, the ones closest (in the directory tree) to `near`: host names are
/// local to a deployment (a compose project, a directory of configs), so a name used
/// by two deployments of one repository means the nearer one.
fn nearest(
    candidates: &[usize],
    scope_of: &dyn Fn(usize) -> PathBuf,
    near: Option<&Path>,
) -> Vec<usize> {
    let Some(near) = near else {
        return candidates.to_vec();
    };
    let best = candidates
        .iter()
        .map(|&c| closeness(&scope_of(c), near))
        .max()
        .unwrap_or(0);
    candidates
        .iter()
        .copied()
        .filter(|&c| closeness(&scope_of(c), near) == best)
        .collect()
}

/// Link without directory scopes (every name global); see [`link_scoped`].
pub fn link(nodes: Vec<Node>, sentinels: Vec<SentinelProc>) -> Topology {
    link_scoped(nodes, sentinels, &|_| PathBuf::new())
}

/// `scope` gives the directory a file belongs to.
pub fn link_scoped(
    nodes: Vec<Node>,
    sentinels: Vec<SentinelProc>,
    scope: &dyn Fn(crate::source::FileId) -> PathBuf,
) -> Topology {
    let node_scope = |i: usize| scope(nodes[i].file);
    let mut by_address: HashMap<Address, Vec<usize>> = HashMap::new();
    let node_identities: Vec<Vec<Address>> = nodes.iter().map(identities).collect();
    for (i, ids) in node_identities.iter().enumerate() {
        for id in ids {
            by_address.entry(id.clone()).or_default().push(i);
        }
    }
    let unique_node_at = |addr: &Address, near: Option<&Path>| -> Option<usize> {
        let candidates = by_address.get(addr)?;
        match nearest(candidates, &node_scope, near).as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    };

    // Sentinel groups: one per (master name, monitored address), in a stable order.
    let mut keyed: BTreeMap<(String, String, i64), Vec<MonitorRef>> = BTreeMap::new();
    for (s, sentinel) in sentinels.iter().enumerate() {
        for (m, monitor) in sentinel.monitors.iter().enumerate() {
            let key = (
                monitor.name.value.clone(),
                normalize_host(&monitor.host.value),
                monitor.port.value,
            );
            keyed.entry(key).or_default().push(MonitorRef {
                sentinel: s,
                monitor: m,
            });
        }
    }

    // Replicas indexed by the address they replicate from.
    let mut replicas_of: HashMap<Address, Vec<usize>> = HashMap::new();
    for (i, node) in nodes.iter().enumerate() {
        if let Some(r) = &node.replicaof {
            replicas_of
                .entry((normalize_host(&r.host.value), r.port.value))
                .or_default()
                .push(i);
        }
    }
    let replicas_for =
        |address: &Address, master: Option<usize>, near: Option<&Path>| -> Vec<usize> {
            let mut found: Vec<usize> = replicas_of.get(address).cloned().unwrap_or_default();
            if let Some(m) = master {
                for id in &node_identities[m] {
                    found.extend(replicas_of.get(id).into_iter().flatten());
                }
            }
            found.retain(|&n| Some(n) != master);
            found.sort_unstable();
            found.dedup();
            nearest(&found, &node_scope, near)
        };

    let mut groups = Vec::new();
    let mut grouped_nodes: HashSet<usize> = HashSet::new();
    for ((name, host, port), monitors) in keyed {
        let address = (host.clone(), port);
        let near = monitors.first().map(|r| scope(sentinels[r.sentinel].file));
        let master = unique_node_at(&address, near.as_deref());
        let replicas = replicas_for(&address, master, near.as_deref());
        grouped_nodes.extend(master);
        grouped_nodes.extend(replicas.iter().copied());
        let sentinel_count = count_sentinels(&sentinels, &monitors);
        let known_replica_addrs: HashSet<Address> = monitors
            .iter()
            .flat_map(|r| {
                sentinels[r.sentinel].monitors[r.monitor]
                    .known_replicas
                    .iter()
            })
            .map(|p| (normalize_host(&p.host.value), p.port))
            .collect();
        // The other processes of the master's workload or service (a StatefulSet whose
        // start script picks the master) are its replicas too.
        let siblings = master.map_or(0, |m| {
            nodes
                .iter()
                .enumerate()
                .filter(|(i, n)| *i != m && n.file == nodes[m].file && n.name == nodes[m].name)
                .count()
        });
        let replica_count =
            if !replicas.is_empty() || !known_replica_addrs.is_empty() || siblings > 0 {
                Some(replicas.len().max(known_replica_addrs.len()).max(siblings))
            } else {
                None
            };
        groups.push(Group {
            name: Some(name),
            host,
            port,
            monitors,
            master,
            replicas,
            sentinel_count,
            replica_count,
        });
    }

    // Replication sets that no sentinel watches.
    let mut targets: Vec<&Address> = replicas_of.keys().collect();
    targets.sort();
    for address in targets {
        let near = replicas_of[address].first().map(|&n| scope(nodes[n].file));
        let master = unique_node_at(address, near.as_deref());
        if master.is_some_and(|m| grouped_nodes.contains(&m)) {
            continue;
        }
        let replicas: Vec<usize> = replicas_for(address, master, near.as_deref())
            .into_iter()
            .filter(|n| !grouped_nodes.contains(n))
            .collect();
        if replicas.is_empty() {
            continue;
        }
        grouped_nodes.extend(master);
        grouped_nodes.extend(replicas.iter().copied());
        groups.push(Group {
            name: None,
            host: address.0.clone(),
            port: address.1,
            monitors: Vec::new(),
            master,
            replica_count: Some(replicas.len()),
            replicas,
            sentinel_count: SentinelCount::Unknown("no sentinel monitors this replication set"),
        });
    }

    Topology {
        nodes,
        sentinels,
        groups,
        ..Topology::default()
    }
}

/// Sentinels in the tree for this group, plus the other sentinels their state lines name.
fn count_sentinels(sentinels: &[SentinelProc], monitors: &[MonitorRef]) -> SentinelCount {
    let mut ids: HashSet<String> = HashSet::new();
    let mut known_lines = 0;
    for (n, r) in monitors.iter().enumerate() {
        let sentinel = &sentinels[r.sentinel];
        match &sentinel.myid {
            Some(id) => ids.insert(id.value.to_ascii_lowercase()),
            None => ids.insert(format!("#file-{n}")),
        };
        for peer in &sentinel.monitors[r.monitor].known_sentinels {
            known_lines += 1;
            match &peer.runid {
                Some(runid) => ids.insert(runid.to_ascii_lowercase()),
                None => ids.insert(format!("#addr-{}:{}", peer.host.value, peer.port)),
            };
        }
    }
    if monitors.len() < 2 && known_lines == 0 {
        SentinelCount::Unknown("a single sentinel config says nothing about how many sentinels run")
    } else {
        SentinelCount::Known(ids.len())
    }
}
