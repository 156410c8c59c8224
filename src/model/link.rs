//! The linker: one pass over every fact of the project builds the groups.
//!
//! Nodes are indexed by the addresses they can be reached at, so matching a monitored
//! address or a `replicaof` target is a hash lookup, never a pairwise scan.

use super::topology::{Group, MonitorRef, SentinelCount, Topology};
use crate::facts::{Node, SentinelProc};
use crate::knowledge::values::is_loopback;
use crate::source::scope::NearestIndex;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
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

/// Addresses a node may be known by: its names and bind addresses with its own port
/// (what a container of the same network dials: `replicaof redis-0 6379`) and with the
/// port it announces, and its announced address with the announced port.
fn identities(node: &Node) -> Vec<Address> {
    let own_port = node.effective_port();
    let port = node
        .announce_port
        .as_ref()
        .filter(|p| p.value != 0)
        .map_or(own_port, |p| p.value);
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
    // On the host's own network (no container of its own), a node listening on every
    // interface answers on loopback too: a one-host lab's `sentinel monitor m 127.0.0.1`.
    let everywhere = node.binds.is_empty()
        || node
            .binds
            .iter()
            .any(|b| matches!(b.value.as_str(), "*" | "0.0.0.0" | "::" | "::*"));
    if node.runtime.netns.is_none() && everywhere {
        hosts.push("127.0.0.1".to_string());
    }
    hosts.sort();
    hosts.dedup();
    // Names and binds are also reached on the node's own port when it announces another.
    let direct: Vec<Address> = if own_port != port {
        node.binds
            .iter()
            .map(|b| b.value.as_str())
            .filter(|h| !matches!(*h, "*" | "0.0.0.0" | "::" | "::*" | "" | "-::*"))
            .map(normalize_host)
            .chain(node.name_hints.iter().cloned())
            .map(|h| (h, own_port))
            .collect()
    } else {
        Vec::new()
    };
    // A TLS listener is a second address (the only one when `port 0`), unless the node
    // announces one port for everything.
    let tls_port = node
        .tls
        .listens()
        .filter(|_| node.announce_port.as_ref().is_none_or(|p| p.value == 0))
        .map(|p| p.value);
    hosts
        .into_iter()
        .flat_map(|h| {
            let tls = tls_port.map(|p| (h.clone(), p));
            std::iter::once((h, port)).chain(tls)
        })
        .chain(direct)
        .collect()
}

/// Link without directory scopes (every name global); see [`link_scoped`].
pub fn link(nodes: Vec<Node>, sentinels: Vec<SentinelProc>) -> Topology {
    link_scoped(nodes, sentinels, &|_| PathBuf::new())
}

/// `scope` gives the directory a file belongs to. Host names are local to a deployment
/// (a compose project, a directory of configs), so a name used by two deployments of one
/// repository means the nearer one: every lookup goes through a [`NearestIndex`], never a
/// scan of all nodes.
pub fn link_scoped(
    nodes: Vec<Node>,
    sentinels: Vec<SentinelProc>,
    scope: &dyn Fn(crate::source::FileId) -> PathBuf,
) -> Topology {
    let node_scopes: Vec<PathBuf> = nodes.iter().map(|n| scope(n.file)).collect();
    let sentinel_scopes: Vec<PathBuf> = sentinels.iter().map(|s| scope(s.file)).collect();
    // Where a process looks names up: inside the deployment unit that declares it first
    // (a service name means the service of its own compose file, even when another
    // compose file of the folder, an alternative to it, has one of that name), then the
    // folders around it.
    let lookup_scope = |file: crate::source::FileId, unit: Option<crate::source::FileId>| match unit
    {
        Some(u) => scope(u).join(format!("\u{1}unit{}", u.0)),
        None => scope(file),
    };
    let node_lookup: Vec<PathBuf> = nodes
        .iter()
        .map(|n| lookup_scope(n.file, n.runtime.unit()))
        .collect();
    let sentinel_lookup: Vec<PathBuf> = sentinels
        .iter()
        .map(|s| lookup_scope(s.file, s.runtime.unit()))
        .collect();
    let mut by_address: NearestIndex<Address> = NearestIndex::new();
    let mut node_identities: Vec<Vec<Address>> = nodes.iter().map(identities).collect();
    infer_host_addresses(
        &nodes,
        &sentinels,
        &node_lookup,
        &sentinel_lookup,
        &mut node_identities,
    );
    for (i, ids) in node_identities.iter().enumerate() {
        for id in ids {
            by_address.insert(id.clone(), &node_lookup[i], i);
        }
    }
    let unique_node_at = |addr: &Address, near: Option<&Path>| -> Option<usize> {
        match by_address.nearest(addr, near) {
            [one] => Some(*one),
            _ => None,
        }
    };

    // Sentinel groups: one per (master name, monitored address, master node), in a
    // stable order. The same name and address in two deployments are two groups when
    // each deployment's sentinels find their own master node.
    type GroupKey = (String, String, i64, Option<usize>);
    let mut keyed: BTreeMap<GroupKey, Vec<MonitorRef>> = BTreeMap::new();
    // Inside one container (its own network namespace), loopback reaches the processes
    // of that container: a sentinel beside the server it watches.
    let same_container = |sentinel: &SentinelProc, port: i64| -> Option<usize> {
        let ns = sentinel.runtime.netns.as_ref()?;
        let mut found = nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.runtime.netns.as_ref() == Some(ns) && n.effective_port() == port);
        match (found.next(), found.next()) {
            (Some((i, _)), None) => Some(i),
            _ => None,
        }
    };
    for (s, sentinel) in sentinels.iter().enumerate() {
        for (m, monitor) in sentinel.monitors.iter().enumerate() {
            let host = normalize_host(&monitor.host.value);
            let loopback = crate::knowledge::values::is_loopback(&host);
            let master = loopback
                .then(|| same_container(sentinel, monitor.port.value))
                .flatten()
                .or_else(|| {
                    unique_node_at(
                        &(host.clone(), monitor.port.value),
                        Some(&sentinel_lookup[s]),
                    )
                });
            let key = (monitor.name.value.clone(), host, monitor.port.value, master);
            keyed.entry(key).or_default().push(MonitorRef {
                sentinel: s,
                monitor: m,
            });
        }
    }

    // Replicas indexed by the address they replicate from.
    let mut replicas_of: NearestIndex<Address> = NearestIndex::new();
    let mut targets: BTreeSet<Address> = BTreeSet::new();
    for (i, node) in nodes.iter().enumerate() {
        if let Some(r) = &node.replicaof {
            let address = (normalize_host(&r.host.value), r.port.value);
            replicas_of.insert(address.clone(), &node_lookup[i], i);
            targets.insert(address);
        }
    }
    let replicas_for =
        |address: &Address, master: Option<usize>, near: Option<&Path>| -> Vec<usize> {
            let mut keys = vec![address.clone()];
            if let Some(m) = master {
                keys.extend(node_identities[m].iter().cloned());
            }
            let mut found = replicas_of.nearest_of_any(&keys, near, |n| Some(n) == master);
            // A replica whose target, seen from its own folder, is another node (the
            // `redis-master` service of its compose project) replicates from that one.
            found.retain(|&n| {
                let Some(r) = &nodes[n].replicaof else {
                    return true;
                };
                let target = (normalize_host(&r.host.value), r.port.value);
                unique_node_at(&target, Some(&node_lookup[n])).is_none_or(|t| Some(t) == master)
            });
            found
        };

    // How many processes each config or workload runs (a StatefulSet's pods).
    let mut processes_of: HashMap<(crate::source::FileId, &str), usize> = HashMap::new();
    // Whether some copy may replicate: it says so (`replicaof`, a placeholder included),
    // or what it runs is not all known (a start script, an operator, a missing file).
    let mut may_replicate: HashSet<(crate::source::FileId, &str)> = HashSet::new();
    for n in &nodes {
        *processes_of.entry((n.file, n.name.as_str())).or_default() += 1;
        if n.replicaof.is_some()
            || !n.complete
            || n.runtime.managed_by.is_some()
            || n.runtime.config_rewritten_at_start.is_some()
            || n.runtime.replication_in_script
        {
            may_replicate.insert((n.file, n.name.as_str()));
        }
    }
    // Sentinels that watch the same name and address but no master node of the tree
    // (an external address) are one group per deployment, not one per checkout.
    let keyed: Vec<(GroupKey, Vec<MonitorRef>)> = keyed
        .into_iter()
        .flat_map(|(key, refs)| {
            let parts = if key.3.is_some() {
                vec![refs]
            } else {
                split_by_deployment(refs, &sentinels, &sentinel_scopes, scope)
            };
            parts.into_iter().map(move |p| (key.clone(), p))
        })
        .collect();
    // Deployment units with a sentinel whose config is not in the tree: how many
    // sentinels watch each master there is not known.
    let unread_units: HashSet<crate::source::FileId> = sentinels
        .iter()
        .filter(|s| !s.complete && s.monitors.is_empty())
        .filter_map(|s| s.runtime.unit())
        .collect();
    // The deployment units that declare data nodes, by directory.
    let mut units_in_dir: HashMap<&Path, HashSet<crate::source::FileId>> = HashMap::new();
    for (i, n) in nodes.iter().enumerate() {
        // An operator resource or a chart release declares all its pods itself.
        if n.runtime.managed_by.is_some() {
            continue;
        }
        if let (Some(unit), Some(_)) = (n.runtime.unit(), n.runtime.declared) {
            units_in_dir
                .entry(node_scopes[i].as_path())
                .or_default()
                .insert(unit);
        }
    }
    // (Deployment unit, master name) pairs where some sentinel monitors an address left
    // to a variable (`$MY_POD_IP`): it may be the same master as a group of the same
    // name there, so neither group's sentinels are all counted.
    let templated: HashSet<(crate::source::FileId, &str)> = sentinels
        .iter()
        .flat_map(|s| s.monitors.iter().map(move |m| (s, m)))
        .filter(|(_, m)| m.host.value.contains('$'))
        .filter_map(|(s, m)| Some((s.runtime.unit()?, m.name.value.as_str())))
        .collect();
    let names_per_unit: HashMap<(crate::source::FileId, &str), HashSet<(&str, i64)>> = sentinels
        .iter()
        .flat_map(|s| s.monitors.iter().map(move |m| (s, m)))
        .filter_map(|(s, m)| {
            Some((
                (s.runtime.unit()?, m.name.value.as_str()),
                (m.host.value.as_str(), m.port.value),
            ))
        })
        .fold(HashMap::new(), |mut acc, (k, v)| {
            acc.entry(k).or_insert_with(HashSet::new).insert(v);
            acc
        });
    // Folders of host configs that all live on one host's loopback (each replicates
    // from nothing or from a loopback address): the folder is that host's instances,
    // several of them, so a master on loopback that none of them replicates has none.
    let mut loopback_folders: HashMap<&Path, (usize, bool)> = HashMap::new();
    for (i, n) in nodes.iter().enumerate() {
        let r = &n.runtime;
        let on_host = r.unit().is_none()
            && r.netns.is_none()
            && r.managed_by.is_none()
            && r.host_copies.is_none()
            && r.config_rewritten_at_start.is_none()
            && !r.replication_in_script
            && !r.copies_unknown
            && n.complete;
        let local = on_host
            && n.replicaof
                .as_ref()
                .is_none_or(|to| is_loopback(&normalize_host(&to.host.value)));
        let entry = loopback_folders
            .entry(node_scopes[i].as_path())
            .or_insert((0, true));
        entry.0 += 1;
        entry.1 &= local;
    }
    let one_loopback_host = |m: usize| {
        loopback_folders
            .get(node_scopes[m].as_path())
            .is_some_and(|&(count, local)| count >= 2 && local)
    };
    let mut groups = Vec::new();
    let mut grouped_nodes: HashSet<usize> = HashSet::new();
    for ((name, host, port, master), monitors) in keyed {
        let maybe_one_of_several = monitors.iter().any(|r| {
            sentinels[r.sentinel].runtime.unit().is_some_and(|u| {
                templated.contains(&(u, name.as_str()))
                    && names_per_unit
                        .get(&(u, name.as_str()))
                        .is_some_and(|a| a.len() > 1)
            })
        });
        let address = (host.clone(), port);
        let near = monitors
            .first()
            .map(|r| sentinel_lookup[r.sentinel].as_path());
        let replicas = replicas_for(&address, master, near);
        grouped_nodes.extend(master);
        grouped_nodes.extend(replicas.iter().copied());
        let sentinel_count = if maybe_one_of_several {
            SentinelCount::Unknown(ONE_OF_SEVERAL)
        } else {
            match count_sentinels(&sentinels, &monitors, &unread_units) {
                // A master on loopback is watched only from its own host, where each
                // sentinel needs a port of its own: a lone config on a fixed port, beside
                // the master's config, is the one sentinel there is.
                SentinelCount::Unknown(_)
                    if is_loopback(&host)
                        && master.is_some()
                        && monitors.len() == 1
                        && sentinels[monitors[0].sentinel].runtime.netns.is_none()
                        && !sentinels[monitors[0].sentinel].runtime.copies_unknown
                        && sentinels[monitors[0].sentinel].port.is_some() =>
                {
                    SentinelCount::Known(1)
                }
                count => count,
            }
        };
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
        // Copies whose config is all known and replicates from nothing are masters of
        // their own, not replicas.
        let siblings = master.map_or(0, |m| {
            let key = (nodes[m].file, nodes[m].name.as_str());
            if may_replicate.contains(&key) {
                processes_of[&key].saturating_sub(1)
            } else {
                0
            }
        });
        // A master declared by a deployment unit (a compose service) with nothing that
        // replicates from it has no replica: the unit declares all there is.
        // Unless another deployment unit beside it (a `docker-compose-slave.yml`) declares
        // data nodes too: those may replicate from it in ways not linked here.
        let declared_alone = master.is_some_and(|m| {
            nodes[m].runtime.declared.is_some()
                && (nodes[m].runtime.managed_by.is_some()
                    || units_in_dir
                        .get(node_scopes[m].as_path())
                        .is_none_or(|units| units.len() < 2))
        });
        // Replicas all declared beside a master declared alone: the unit says how many
        // run, and `known-replica` lines beyond them are addresses Sentinel once saw
        // (the same replica through a published port, a container since recreated).
        let all_declared = !replicas.is_empty()
            && replicas.iter().all(|&n| {
                let r = &nodes[n].runtime;
                r.declared.is_some() && r.count_known && !r.copies_unknown
            });
        let replica_count = if replicas.iter().any(|&n| nodes[n].runtime.copies_unknown) {
            // A replica config kept as a template: any number of pods may run it.
            None
        } else if declared_alone && all_declared && !maybe_one_of_several {
            // Addresses on a host of a declared replica (or the master) are those
            // nodes again; others are replicas the unit does not declare.
            let declared_hosts: HashSet<&str> = replicas
                .iter()
                .chain(master.iter())
                .flat_map(|&n| node_identities[n].iter().map(|(h, _)| h.as_str()))
                .collect();
            let elsewhere: HashSet<&str> = known_replica_addrs
                .iter()
                .map(|(h, _)| h.as_str())
                .filter(|h| !declared_hosts.contains(h))
                .collect();
            Some((replicas.len() + elsewhere.len()).max(siblings))
        } else if !replicas.is_empty() || !known_replica_addrs.is_empty() || siblings > 0 {
            Some(replicas.len().max(known_replica_addrs.len()).max(siblings))
        } else if (declared_alone && !maybe_one_of_several)
            || (is_loopback(&host) && master.is_some_and(one_loopback_host))
        {
            Some(0)
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
            elsewhere: Default::default(),
        });
    }

    attach_filled_at_start(
        &mut groups,
        &nodes,
        &sentinels,
        &mut grouped_nodes,
        &processes_of,
    );

    // Replication sets that no sentinel watches.
    // One per folder that replicates from the address: two compose projects that both
    // name their master `redis-master` are two replication sets.
    for address in &targets {
        for &first in replicas_of.all(address) {
            if grouped_nodes.contains(&first) {
                continue;
            }
            let near = Some(node_lookup[first].as_path());
            let master = unique_node_at(address, near);
            if master.is_some_and(|m| grouped_nodes.contains(&m)) {
                continue;
            }
            let replicas: Vec<usize> = replicas_for(address, master, near)
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
                replica_count: (!replicas.iter().any(|&n| nodes[n].runtime.copies_unknown))
                    .then_some(replicas.len()),
                replicas,
                sentinel_count: SentinelCount::Unknown("no sentinel monitors this replication set"),
                elsewhere: Default::default(),
            });
        }
    }

    let (mut nodes, mut sentinels) = (nodes, sentinels);
    nodes.shrink_to_fit();
    sentinels.shrink_to_fit();
    Topology {
        nodes,
        sentinels,
        groups,
        ..Topology::default()
    }
}

/// Sentinels whose monitored address is a placeholder their start script fills in
/// (`sentinel monitor mymaster %master% 6379 2` and a `sed` that asks the others for the
/// master), or an IP no process of the tree declares, watch the data nodes of their own
/// deployment unit: the one workload that replicates from nobody is the master, and
/// nodes whose `replicaof` is a placeholder too are its replicas (some already are, when
/// both placeholders are written alike). Left alone when the unit has several such
/// groups or several workloads that could be the master.
fn attach_filled_at_start(
    groups: &mut [Group],
    nodes: &[Node],
    sentinels: &[SentinelProc],
    grouped: &mut HashSet<usize>,
    processes_of: &HashMap<(crate::source::FileId, &str), usize>,
) {
    let unit_of = |g: &Group| -> Option<crate::source::FileId> {
        let mut units = g
            .monitors
            .iter()
            .map(|r| sentinels[r.sentinel].runtime.unit());
        let first = units.next()??;
        units.all(|u| u == Some(first)).then_some(first)
    };
    let open: Vec<(usize, crate::source::FileId)> = groups
        .iter()
        .enumerate()
        .filter(|(_, g)| g.master.is_none())
        .filter(|(_, g)| crate::knowledge::values::is_template(&g.host) || unknown_ip(&g.host))
        .filter_map(|(i, g)| Some((i, unit_of(g)?)))
        .collect();
    if open.is_empty() {
        return;
    }
    let mut per_unit: HashMap<crate::source::FileId, usize> = HashMap::new();
    for (_, unit) in &open {
        *per_unit.entry(*unit).or_default() += 1;
    }
    let mut nodes_of: HashMap<crate::source::FileId, Vec<usize>> = HashMap::new();
    for (n, node) in nodes.iter().enumerate() {
        if let Some(unit) = node.runtime.unit().filter(|u| per_unit.contains_key(u)) {
            nodes_of.entry(unit).or_default().push(n);
        }
    }
    for &(i, unit) in &open {
        if per_unit[&unit] > 1 {
            continue;
        }
        let free: Vec<usize> = nodes_of
            .get(&unit)
            .into_iter()
            .flatten()
            .copied()
            .filter(|n| !grouped.contains(n))
            .collect();
        let masters: Vec<usize> = free
            .iter()
            .copied()
            .filter(|&n| nodes[n].replicaof.is_none())
            .collect();
        let Some(&master) = masters.first() else {
            continue;
        };
        // Hosts that each render one config without `replicaof`, with no replication
        // set up at run time: independent masters, none of them the one watched.
        let independent_hosts = masters.len() > 1
            && masters.iter().all(|&m| {
                let r = &nodes[m].runtime;
                r.host_copies.is_some() && !r.replication_in_script && nodes[m].complete
            });
        if independent_hosts {
            continue;
        }
        // Replicas of a placeholder address, or of the master by one of its names
        // (`replicaof redis-master 6379` beside sentinels that look its address up).
        let master_ids = identities(&nodes[master]);
        let replicas: Vec<usize> = free
            .iter()
            .copied()
            .filter(|&n| {
                nodes[n].replicaof.as_ref().is_some_and(|r| {
                    crate::knowledge::values::is_template(&r.host.value)
                        || master_ids.contains(&(normalize_host(&r.host.value), r.port.value))
                })
            })
            .collect();
        let one_workload = masters
            .iter()
            .all(|&m| (nodes[m].file, &nodes[m].name) == (nodes[master].file, &nodes[master].name));
        if !one_workload {
            continue;
        }
        let siblings = processes_of[&(nodes[master].file, nodes[master].name.as_str())] - 1;
        let group = &mut groups[i];
        group.master = Some(master);
        grouped.extend(masters.iter().copied());
        grouped.extend(replicas.iter().copied());
        group.replicas.extend(replicas);
        group.replicas.sort_unstable();
        group.replicas.dedup();
        // Other sentinels of the deployment watch this name elsewhere: the replicas may
        // well be counted there.
        if group.sentinel_count != SentinelCount::Unknown(ONE_OF_SEVERAL) {
            group.replica_count = Some(group.replicas.len().max(siblings));
        }
    }
}

/// An address no process of the tree has: an IP the platform gave the master (its pod,
/// its container, the ClusterIP of its Service) when the files were written.
/// Configs of hosts (no container, no declaring unit) say where they run only through
/// the addresses others give them: replicas' `replicaof 192.168.6.86 6379` and the
/// sentinels' monitor name the host of the master. When no node claims such an IP address,
/// the one config of the referrer's folder that listens on every interface (or on a
/// host name, which resolves to some address of the host) on that port and replicates
/// from no one is the master there (one host's `redis-6379.conf` beside
/// `redis-6380.conf`, or the master's file beside the replicas' in a folder of hosts).
/// A host laid out as a folder per port (`server01/6379/redis.conf`,
/// `server01/26379/sentinel.conf`) is searched in the folders beside the referrer's.
fn infer_host_addresses(
    nodes: &[Node],
    sentinels: &[SentinelProc],
    node_lookup: &[PathBuf],
    sentinel_lookup: &[PathBuf],
    node_identities: &mut [Vec<Address>],
) {
    let on_host = |n: &Node| {
        n.runtime.netns.is_none()
            && n.runtime.declared.is_none()
            && n.runtime.managed_by.is_none()
            && n.replicaof.is_none()
            && n.complete
            && (n.binds.is_empty()
                || n.binds.iter().any(|b| {
                    let host = b.value.trim_start_matches('-');
                    matches!(host, "*" | "0.0.0.0" | "::" | "::*")
                        || (host.parse::<std::net::IpAddr>().is_err()
                            && !is_loopback(&normalize_host(host)))
                }))
    };
    // Candidates by (folder, port), and by (folder above, port) for a host's folders
    // per port; a second one makes the answer open.
    let mut candidates: HashMap<(&Path, i64), Option<usize>> = HashMap::new();
    let mut beside: HashMap<(&Path, i64), Option<usize>> = HashMap::new();
    for (i, n) in nodes.iter().enumerate().filter(|(_, n)| on_host(n)) {
        let key = (node_lookup[i].as_path(), n.effective_port());
        candidates
            .entry(key)
            .and_modify(|c| *c = None)
            .or_insert(Some(i));
        if let Some(parent) = node_lookup[i].parent() {
            beside
                .entry((parent, key.1))
                .and_modify(|c| *c = None)
                .or_insert(Some(i));
        }
    }
    if candidates.is_empty() {
        return;
    }
    // Addresses already some node's, with the folders of those nodes: a folder of its
    // own (another copy of the deployment, an alternative layout) may still have its
    // own node at that address.
    let mut claimed: HashMap<Address, Vec<&Path>> = HashMap::new();
    for (i, ids) in node_identities.iter().enumerate() {
        for id in ids {
            claimed
                .entry(id.clone())
                .or_default()
                .push(node_lookup[i].as_path());
        }
    }
    let referred = nodes
        .iter()
        .enumerate()
        .filter_map(|(i, n)| {
            let r = n.replicaof.as_ref()?;
            Some((
                (r.host.value.as_str(), r.port.value),
                node_lookup[i].as_path(),
            ))
        })
        .chain(sentinels.iter().enumerate().flat_map(|(s, sentinel)| {
            sentinel.monitors.iter().map(move |m| {
                (
                    (m.host.value.as_str(), m.port.value),
                    sentinel_lookup[s].as_path(),
                )
            })
        }));
    let mut inferred: Vec<(usize, Address)> = Vec::new();
    for ((host, port), folder) in referred {
        let address = (normalize_host(host), port);
        // Host addresses only: a name may be a container's or a machine's the tree
        // describes elsewhere.
        let claimed_near = claimed
            .get(&address)
            .is_some_and(|at| at.iter().any(|c| folder.starts_with(c)));
        if is_loopback(&address.0) || address.0.parse::<std::net::IpAddr>().is_err() || claimed_near
        {
            continue;
        }
        let found = match candidates.get(&(folder, port)) {
            Some(found) => *found,
            None => folder
                .parent()
                .and_then(|p| beside.get(&(p, port)))
                .copied()
                .flatten(),
        };
        if let Some(node) = found {
            inferred.push((node, address));
        }
    }
    for (node, address) in inferred {
        if !node_identities[node].contains(&address) {
            node_identities[node].push(address);
        }
    }
}

fn unknown_ip(host: &str) -> bool {
    host.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| !ip.is_loopback() && !ip.is_unspecified())
}

/// The deployments among sentinels of one name and address: those declared by the
/// deployment units of one directory (a compose file, or the per-host files
/// `docker-compose.yml` and `docker-compose-slave.yml` of one deployment spread over
/// hosts) belong to it; loose config files are split where
/// the directory tree forks into subtrees that each hold several of them (copies of a
/// deployment, `team01/…`, `team02/…`), and kept together otherwise (`node1/sentinel.conf`,
/// `node2/sentinel.conf` are one deployment).
fn split_by_deployment(
    refs: Vec<MonitorRef>,
    sentinels: &[SentinelProc],
    scopes: &[PathBuf],
    scope: &dyn Fn(crate::source::FileId) -> PathBuf,
) -> Vec<Vec<MonitorRef>> {
    let mut by_unit: BTreeMap<PathBuf, Vec<MonitorRef>> = BTreeMap::new();
    let mut loose = Vec::new();
    for r in refs {
        match sentinels[r.sentinel].runtime.unit() {
            Some(unit) => by_unit.entry(scope(unit)).or_default().push(r),
            None => loose.push(r),
        }
    }
    let mut out: Vec<Vec<MonitorRef>> = by_unit.into_values().collect();
    split_loose(loose, scopes, &mut out);
    out
}

fn split_loose(refs: Vec<MonitorRef>, scopes: &[PathBuf], out: &mut Vec<Vec<MonitorRef>>) {
    if refs.len() < 4 {
        if !refs.is_empty() {
            out.push(refs);
        }
        return;
    }
    // The deepest directory that holds them all, and the child of it each lies under.
    let first = &scopes[refs[0].sentinel];
    let common = refs.iter().fold(first.clone(), |acc, r| {
        acc.components()
            .zip(scopes[r.sentinel].components())
            .take_while(|(a, b)| a == b)
            .map(|(a, _)| a)
            .collect()
    });
    let depth = common.components().count();
    let mut children: BTreeMap<Option<std::ffi::OsString>, Vec<MonitorRef>> = BTreeMap::new();
    for r in refs {
        let child = scopes[r.sentinel]
            .components()
            .nth(depth)
            .map(|c| c.as_os_str().to_owned());
        children.entry(child).or_default().push(r);
    }
    if children.len() >= 2 && children.values().all(|c| c.len() >= 2) {
        for part in children.into_values() {
            split_loose(part, scopes, out);
        }
    } else {
        out.push(children.into_values().flatten().collect());
    }
}

/// Sentinels in the tree for this group, plus the other sentinels their state lines name.
/// Why a group's sentinels are not all counted when sentinels of its deployment watch
/// its name at another address, left to a variable.
const ONE_OF_SEVERAL: &str = "other sentinels of the deployment watch this name at an address left to a variable: they may watch the same master";

/// The run ID that another sentinel's `known-sentinel` line gives the `n`th sentinel of
/// `monitors`, which has no `sentinel myid` of its own (configs of Redis before 6.2): a
/// line naming its port on loopback (both run on one host, outside containers) or on
/// the address it announces. Without it, the two would be counted as two sentinels.
fn peer_line_naming(
    sentinels: &[SentinelProc],
    monitors: &[MonitorRef],
    n: usize,
) -> Option<String> {
    let me = &sentinels[monitors[n].sentinel];
    let port = me.port.as_ref().map_or(26379, |p| p.value);
    let named = |host: &str, other: &SentinelProc| {
        let on_this_host =
            is_loopback(host) && me.runtime.netns.is_none() && other.runtime.netns.is_none();
        on_this_host
            || me
                .announce_ip
                .as_ref()
                .is_some_and(|a| a.value.eq_ignore_ascii_case(host))
    };
    let mut found = monitors
        .iter()
        .enumerate()
        .filter(|(m, r)| *m != n && r.sentinel != monitors[n].sentinel)
        .flat_map(|(_, r)| {
            let other = &sentinels[r.sentinel];
            other.monitors[r.monitor]
                .known_sentinels
                .iter()
                .filter(move |p| p.port == port && named(&p.host.value, other))
                .filter_map(|p| p.runid.as_ref().map(|id| id.to_ascii_lowercase()))
        });
    let first = found.next()?;
    // Two lines naming that address with different IDs: which is this one is not known.
    found.all(|id| id == first).then_some(first)
}

fn count_sentinels(
    sentinels: &[SentinelProc],
    monitors: &[MonitorRef],
    unread_units: &HashSet<crate::source::FileId>,
) -> SentinelCount {
    let unread = monitors.iter().any(|r| {
        sentinels[r.sentinel]
            .runtime
            .unit()
            .is_some_and(|u| unread_units.contains(&u))
    });
    if unread {
        return SentinelCount::Unknown(
            "other sentinels of the deployment run configs that are not in the checked files",
        );
    }
    if monitors
        .iter()
        .any(|r| sentinels[r.sentinel].runtime.one_host_of_many)
    {
        return SentinelCount::Unknown(
            "a compose project here runs one sentinel that announces its host's address (or uses the host's network) and watches a master outside the project: one host's share of a deployment whose hosts are not written in the tree",
        );
    }
    if monitors
        .iter()
        .any(|r| sentinels[r.sentinel].runtime.copies_unknown)
    {
        return SentinelCount::Unknown(
            "a sentinel config here is a template that any number of hosts may run",
        );
    }
    let mut ids: HashSet<String> = HashSet::new();
    let mut known_lines = 0;
    for (n, r) in monitors.iter().enumerate() {
        let sentinel = &sentinels[r.sentinel];
        match (&sentinel.myid, &sentinel.runtime.container_name) {
            (Some(id), _) if crate::facts::shared_myid(&id.value) => {
                ids.insert(id.value.to_ascii_lowercase())
            }
            (Some(_), _) => ids.insert(format!("#own-id-{n}")),
            // Services of several compose files that name one container are
            // alternatives of one process, unless they run different config files
            // (per-host files: `sentinel-1.conf` on one host, `sentinel-2.conf` on the next).
            (None, Some(container)) => {
                let own_file = sentinel
                    .runtime
                    .declared
                    .is_some_and(|d| d.file != sentinel.file)
                    .then_some(sentinel.file.0);
                ids.insert(format!("#container-{container}-{own_file:?}"))
            }
            (None, None) => ids.insert(
                peer_line_naming(sentinels, monitors, n).unwrap_or_else(|| format!("#file-{n}")),
            ),
        };
        for peer in &sentinel.monitors[r.monitor].known_sentinels {
            known_lines += 1;
            match &peer.runid {
                Some(runid) => ids.insert(runid.to_ascii_lowercase()),
                None => ids.insert(format!("#addr-{}:{}", peer.host.value, peer.port)),
            };
        }
    }
    // Sentinels of deployment units that declare all their processes (compose services)
    // are all the sentinels there are, even when there is one.
    let declared = monitors.iter().all(|r| {
        let runtime = &sentinels[r.sentinel].runtime;
        (runtime.declared.is_some() && runtime.count_known) || runtime.host_copies.is_some()
    });
    if monitors.len() < 2 && known_lines == 0 && !declared {
        SentinelCount::Unknown("a single sentinel config says nothing about how many sentinels run")
    } else {
        SentinelCount::Known(ids.len())
    }
}
