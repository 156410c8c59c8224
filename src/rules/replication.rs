//! Replication safety: write guards, promotion candidates, replica behaviour, memory.

use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::knowledge::values::is_loopback;
use crate::rules::{Context, Rule};
use std::collections::HashSet;

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    nothing_to_promote(ctx, out);
    master_name_resolves_nowhere(ctx, out);
    copies_beside_unfound_master(ctx, out);
    replicas_by_name_only(ctx, out);
    managed_persistence_off(ctx, out);
    let topo = ctx.topology;
    let mut in_sentinel_group: HashSet<usize> = HashSet::new();
    let mut min_replicas_reported: HashSet<usize> = HashSet::new();
    for group in &topo.groups {
        let name = group.name.as_deref().unwrap_or("the replication set");
        let monitor_line = group.monitors.first().map(|&r| topo.monitor(r).1.line);
        if group.has_sentinels() {
            in_sentinel_group.extend(group.nodes());
        }
        // One finding per group, at its first node without the guard (the master when
        // known), naming the others: after a failover any of them is the master.
        let mut group_finding: Option<usize> = None;
        // Everything on one host (loopback addresses only): no network partition can cut
        // the master off from its replicas and sentinels while it keeps serving clients.
        let one_host = group
            .monitors
            .iter()
            .all(|&r| is_loopback(&topo.monitor(r).1.host.value))
            && group.nodes().all(|n| {
                topo.nodes[n]
                    .replicaof
                    .as_ref()
                    .is_none_or(|r| is_loopback(&r.host.value))
            });
        for n in group.nodes() {
            let node = &topo.nodes[n];
            // The write guard is asked of watched groups; its value is checked everywhere.
            let line = monitor_line.unwrap_or(node.anchor);
            let to_write = node.min_replicas_to_write.as_ref();
            let lag = node.min_replicas_max_lag.as_ref();
            let disabled =
                to_write.is_none_or(|v| v.value == 0) || lag.is_some_and(|v| v.value == 0);
            // With a single replica the guard would stop writes whenever that replica
            // restarts (min-replicas-to-write-too-high): either choice is a trade-off.
            // Without any replica it would refuse every write (no-replica-to-promote says
            // what is missing).
            let single_replica = matches!(group.replica_count, Some(0 | 1));
            if disabled
                && monitor_line.is_some()
                && !single_replica
                && !one_host
                && node.complete
                && min_replicas_reported.insert(n)
            {
                if let Some(i) = group_finding {
                    // Pods of one workload share their config line: named once.
                    let known = out[i].span == node.anchor
                        || out[i].related.iter().any(|l| l.span == node.anchor);
                    if !known {
                        out[i]
                            .related
                            .push(crate::diagnostic::Label::new(node.anchor, "nor here"));
                    }
                } else {
                    group_finding = Some(out.len());
                    let span = to_write
                        .filter(|v| v.value == 0)
                        .or(lag.filter(|v| v.value == 0))
                        .map_or(node.anchor, |v| v.span);
                    // Unsafe: the master starts refusing writes when no replica is in sync.
                    let mut edits = Vec::new();
                    let mut fixable = true;
                    match to_write {
                        Some(v) if v.value == 0 => match ctx.replace_value(v, "1") {
                            Some(e) => edits.push(e),
                            None => fixable = false,
                        },
                        Some(_) => {}
                        None => match ctx.append_lines(
                            node.file,
                            "min-replicas-to-write 1",
                            ctx.rewrite_start(node.file),
                        ) {
                            Some(e) => edits.push(e),
                            None => fixable = false,
                        },
                    }
                    match lag {
                        Some(v) if v.value == 0 => match ctx.replace_value(v, "10") {
                            Some(e) => edits.push(e),
                            None => fixable = false,
                        },
                        Some(_) => {}
                        None => match ctx.append_lines(
                            node.file,
                            "min-replicas-max-lag 10",
                            ctx.rewrite_start(node.file),
                        ) {
                            Some(e) => edits.push(e),
                            None => fixable = false,
                        },
                    }
                    if let [a, b] = edits.as_slice() {
                        if a.span == b.span {
                            // Both appended at the same place: one edit with both lines.
                            edits = vec![Edit::insert(
                                a.span,
                                format!("{}{}", a.content, b.content.trim_start_matches('\n')),
                            )];
                        }
                    }
                    out.push(
                    Diagnostic::new(
                        Rule::MinReplicasToWriteMissing,
                        span,
                        format!("no `min-replicas-to-write` on this node of `{name}`: if it is cut off from its replicas and sentinels, it keeps accepting writes that are discarded when it rejoins after the failover"),
                    )
                    .label(line, "monitored by a sentinel here")
                    .help("add `min-replicas-to-write 1` and `min-replicas-max-lag 10`")
                    .with_fix_opt(fixable.then(|| Fix::unsafe_("require one replica in sync for writes (min-replicas-to-write 1, min-replicas-max-lag 10)", edits))),
                );
                }
            }
            if let (Some(count), Some(min)) = (group.replica_count, to_write) {
                let min_value = min.value as usize;
                if min.value > 0 && min_value >= count {
                    let severity = if min_value > count {
                        Severity::Error
                    } else {
                        Severity::Warning
                    };
                    out.push(
                        Diagnostic::new(
                            Rule::MinReplicasToWriteTooHigh,
                            min.span,
                            format!("min-replicas-to-write {} with {count} replica(s) in `{name}`: the master refuses writes (NOREPLICAS) {}", min.value, if severity == Severity::Error { "all the time" } else { "whenever one replica is down or resyncing, including after every failover" }),
                        )
                        .severity(severity)
                        .help(format!("use at most {}", count.saturating_sub(1).max(1))),
                    );
                }
            }
        }
        // Promotion candidates.
        if !group.replicas.is_empty() && group.has_sentinels() {
            let priorities: Vec<_> = group
                .replicas
                .iter()
                .map(|&n| topo.nodes[n].replica_priority.as_ref())
                .collect();
            if priorities.iter().all(|p| p.is_some_and(|p| p.value == 0)) {
                let mut d = Diagnostic::new(
                    Rule::AllReplicasPriorityZero,
                    priorities[0].unwrap().span,
                    format!("every replica of `{name}` has replica-priority 0, so none can be promoted: a failover aborts with -failover-abort-no-good-slave"),
                )
                .help("give at least one replica a non-zero priority (lower = preferred)");
                for p in priorities.iter().skip(1).flatten() {
                    d = d.label(p.span, "also priority 0");
                }
                out.push(d);
            }
        }
        // Memory limits.
        let nodes: Vec<usize> = group.nodes().collect();
        if nodes.len() >= 2 {
            let reference = &topo.nodes[nodes[0]];
            for &n in &nodes[1..] {
                let node = &topo.nodes[n];
                let mm = |x: &crate::model::Node| x.maxmemory.as_ref().map_or(0, |v| v.value);
                let policy = |x: &crate::model::Node| {
                    x.maxmemory_policy
                        .as_ref()
                        .map_or("noeviction".to_string(), |v| v.value.clone())
                };
                let differs_size = mm(node) != mm(reference)
                    && (node.maxmemory.is_some() || reference.maxmemory.is_some());
                let differs_policy = policy(node) != policy(reference)
                    && (node.maxmemory_policy.is_some() || reference.maxmemory_policy.is_some());
                if differs_size || differs_policy {
                    let what = if differs_size {
                        "maxmemory"
                    } else {
                        "maxmemory-policy"
                    };
                    let span = if differs_size {
                        node.maxmemory.as_ref().map(|v| v.span)
                    } else {
                        node.maxmemory_policy.as_ref().map(|v| v.span)
                    };
                    let ref_span = if differs_size {
                        reference.maxmemory.as_ref().map(|v| v.span)
                    } else {
                        reference.maxmemory_policy.as_ref().map(|v| v.span)
                    };
                    let mut d = Diagnostic::new(
                        Rule::MaxmemoryMismatch,
                        span.unwrap_or(node.anchor),
                        format!("{what} differs from {} in `{name}`: once promoted, this node evicts or refuses writes differently from the master it replaces", reference.name),
                    )
                    .help("give every node of a group the same maxmemory and maxmemory-policy");
                    d = d.label(
                        ref_span.unwrap_or(reference.anchor),
                        "the other node's setting",
                    );
                    out.push(d);
                }
            }
        }
    }
    for (n, node) in topo.nodes.iter().enumerate() {
        if let Some(ro) = node.replica_read_only.as_ref().filter(|v| !v.value) {
            if node.replicaof.is_some() || in_sentinel_group.contains(&n) {
                out.push(
                    Diagnostic::new(
                        Rule::WritableReplicas,
                        ro.span,
                        "writable replica: writes made here are not replicated, vanish at the next resync and make this node differ from its master when it is promoted",
                    )
                    .help("set `replica-read-only yes` (the default)")
                    // Unsafe: clients that write to this replica start getting READONLY.
                    .with_fix_opt(ctx.replace_value(ro, "yes").map(|e| Fix::unsafe_("make the replica read-only", vec![e]))),
                );
            }
        }
        if let Some(v) = node.replica_ignore_maxmemory.as_ref().filter(|v| !v.value) {
            out.push(
                Diagnostic::new(
                    Rule::ReplicaIgnoreMaxmemoryDisabled,
                    v.span,
                    "`replica-ignore-maxmemory no`: as a replica this node evicts keys on its own, so its data set drifts from the master's",
                )
                .help("remove the line (the default is yes) and give replicas the master's maxmemory"),
            );
        }
    }
}

/// A watched master whose deployment declares no replica: sentinels detect its failure
/// and can do nothing about it. When the deployment has other data nodes that replicate
/// from nothing (meant as replicas, but started as masters of their own), that is what
/// is wrong.
fn nothing_to_promote(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    let grouped: HashSet<usize> = topo.groups.iter().flat_map(|g| g.nodes()).collect();
    for group in topo.groups.iter().filter(|g| g.has_sentinels()) {
        let (Some(m), Some(0)) = (group.master, group.replica_count) else {
            continue;
        };
        let master = &topo.nodes[m];
        // A host config (no declaring unit): the model counted its folder's instances.
        let unit = master.runtime.unit();
        let name = group.name.as_deref().unwrap_or_default();
        let monitor_line = topo.monitor(group.monitors[0]).1.line;
        // A sentinel in the master's own container (watching it over loopback): the
        // deployment is that container, not the other services of its file.
        let beside = master.runtime.netns.as_ref().filter(|ns| {
            group
                .monitors
                .iter()
                .any(|r| topo.sentinels[r.sentinel].runtime.netns.as_ref() == Some(*ns))
        });
        let in_unit: Vec<usize> = topo
            .nodes
            .iter()
            .enumerate()
            .filter(|(i, n)| {
                *i != m && !grouped.contains(i) && unit.is_some() && n.runtime.unit() == unit
            })
            .filter(|(_, n)| beside.is_none_or(|ns| n.runtime.netns.as_ref() == Some(ns)))
            .map(|(i, _)| i)
            .collect();
        // A node whose config is not in the tree may well replicate: nothing is known.
        // An operator's data nodes replicate as the resource says, config unseen or not.
        let known = |n: &crate::model::Node| n.complete || n.runtime.managed_by.is_some();
        if !known(master) || in_unit.iter().any(|&n| !known(&topo.nodes[n])) {
            continue;
        }
        // A start script that sets up replication in a way not followed here: the node
        // may well be the replica.
        if in_unit
            .iter()
            .any(|&n| topo.nodes[n].runtime.replication_in_script)
        {
            continue;
        }
        let idle: Vec<usize> = in_unit
            .into_iter()
            .filter(|&n| topo.nodes[n].replicaof.is_none())
            .collect();
        let d = match idle.as_slice() {
            // Where the deployment says how many copies of the master run (a workload's
            // `replicas`, a service): where replicas are added.
            [] => match master.runtime.declared.filter(|d| *d != master.anchor) {
                Some(declared) => Diagnostic::new(
                    Rule::NoReplicaToPromote,
                    declared,
                    format!("sentinels watch `{name}`, but its master runs here without any replica: when it fails they see it down and have nothing to promote, so the outage lasts until it comes back"),
                )
                .label(master.anchor, "the master's config"),
                None => Diagnostic::new(
                    Rule::NoReplicaToPromote,
                    master.anchor,
                    format!("sentinels watch `{name}`, but this master has no replica: when it fails they see it down and have nothing to promote, so the outage lasts until it comes back"),
                ),
            }
            .help("add replicas (`replicaof <master> <port>`, or the image's replication settings) so that a failover has a node to promote"),
            [first, rest @ ..] => {
                let mut d = Diagnostic::new(
                    Rule::DataNodesNotReplicating,
                    topo.nodes[*first].anchor,
                    format!("{} runs a data node of the deployment of `{name}`, but nothing makes it replicate: it is an independent master, and sentinels have no replica of `{name}` to promote", topo.nodes[*first].name),
                )
                .label(master.anchor, "the master the sentinels watch")
                .help("configure it as a replica (`replicaof`, `--replicaof`, or the variables its image reads; an image that does not read them needs a command)");
                for &n in rest {
                    d = d.label(topo.nodes[n].anchor, "not replicating either");
                }
                d
            }
        };
        let mut d = d.label(monitor_line, "watched by a sentinel here");
        // Instances of the same host folder that replicate another master of the host:
        // the replicas meant for this one, most likely.
        if unit.is_none() {
            let folder = |file| ctx.sources.get(&file).and_then(|s| s.path.parent());
            for other in topo.nodes.iter().filter(|n| {
                n.runtime.unit().is_none()
                    && n.file != master.file
                    && folder(n.file) == folder(master.file)
            }) {
                if let Some(to) = &other.replicaof {
                    d = d.label(
                        to.line,
                        format!(
                            "this instance replicates {}:{}, not the watched master",
                            to.host.value, to.port.value
                        ),
                    );
                }
            }
        }
        out.push(d);
    }
}

/// Sentinels of a compose project that watch a host name no container of the project
/// answers to (service names, `container_name`, `hostname`, network and link aliases),
/// while they resolve nothing outside it (no external network, `extra_hosts`, `dns` or
/// borrowed network): Docker's DNS never resolves the name, Sentinel keeps retrying
/// (`Failed to resolve hostname`), never finds a master and has nothing to fail over.
fn master_name_resolves_nowhere(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    let compose = &ctx.units.compose;
    if compose.is_empty() {
        return;
    }
    let unit_of: std::collections::HashMap<usize, &crate::formats::units::ComposeUnit> = compose
        .iter()
        .flat_map(|u| u.sentinels.iter().map(move |&i| (i, u)))
        .collect();
    let names: HashSet<&str> = compose
        .iter()
        .flat_map(|u| u.service.hostnames.iter().map(String::as_str))
        .collect();
    for group in topo
        .groups
        .iter()
        .filter(|g| g.has_sentinels() && g.master.is_none())
    {
        let (_, monitor) = topo.monitor(group.monitors[0]);
        let host = monitor.host.value.to_ascii_lowercase();
        let plain_name = !host.is_empty()
            && host != "localhost"
            && host.starts_with(|c: char| c.is_ascii_alphabetic())
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        // (`YOURMASTERIP`: a value to fill in, not a name.)
        if !plain_name
            || names.contains(host.as_str())
            || crate::knowledge::values::is_template(&monitor.host.value)
        {
            continue;
        }
        let same_host = group
            .monitors
            .iter()
            .all(|&r| topo.monitor(r).1.host.value.eq_ignore_ascii_case(&host));
        // Every sentinel of the group is a service of the tree's compose projects.
        let services: Option<Vec<&crate::formats::units::ComposeUnit>> = group
            .monitors
            .iter()
            .map(|r| unit_of.get(&r.sentinel).copied())
            .collect();
        let Some(services) = services else { continue };
        if !same_host || services.iter().any(|u| u.service.resolves_outside) {
            continue;
        }
        let name = group.name.as_deref().unwrap_or_default();
        let mut d = Diagnostic::new(
            Rule::NoReplicaToPromote,
            monitor.host.span,
            format!("the sentinels of `{name}` watch `{}`, but no container of the compose project answers to that name (service names, `container_name`, `hostname`, aliases): it never resolves, so they never find a master and have nothing to fail over", monitor.host.value),
        );
        let mut labelled: Vec<crate::source::Span> = Vec::new();
        for u in &services {
            let at = crate::source::Span::new(
                u.file,
                u.service.name_span.start,
                u.service.name_span.end,
            );
            if !labelled.contains(&at) && labelled.len() < 3 {
                labelled.push(at);
                d = d.label(at, "a sentinel of the project");
            }
        }
        let masters: Vec<&str> = compose
            .iter()
            .filter(|u| !u.nodes.is_empty())
            .map(|u| u.service.name.as_str())
            .collect();
        d = match crate::knowledge::did_you_mean(&host, masters.iter().copied()) {
            Some(s) => d.help(format!("point `sentinel monitor` at the master's service name (did you mean `{s}`?)")),
            None if !masters.is_empty() => d.help(format!("point `sentinel monitor` at the master's service name (the project's data nodes: {})", masters.iter().take(4).map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", "))),
            None => d.help("point `sentinel monitor` at the master's service name, or add the data nodes to the project"),
        };
        out.push(d);
    }
}

/// Sentinels that watch a master none of the tree's nodes is, beside (in their deployment
/// unit) one workload whose copies all replicate from nothing: a StatefulSet of three
/// pods on one config without `replicaof` is three independent masters behind one
/// Service, and whatever the sentinels' address points at, none of them is a replica.
fn copies_beside_unfound_master(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    let grouped: HashSet<usize> = topo.groups.iter().flat_map(|g| g.nodes()).collect();
    let mut reported: HashSet<(crate::source::FileId, &str)> = HashSet::new();
    for group in topo
        .groups
        .iter()
        .filter(|g| g.has_sentinels() && g.master.is_none())
    {
        let units: HashSet<crate::source::FileId> = group
            .monitors
            .iter()
            .filter_map(|r| topo.sentinels[r.sentinel].runtime.unit())
            .collect();
        // The ungrouped data nodes of those units, by workload.
        let mut workloads: Vec<((crate::source::FileId, &str), Vec<usize>)> = Vec::new();
        let mut unknown = false;
        for (i, n) in topo.nodes.iter().enumerate() {
            if grouped.contains(&i) || !n.runtime.unit().is_some_and(|u| units.contains(&u)) {
                continue;
            }
            let clustered = n.cluster.enabled.as_ref().is_some_and(|e| e.value);
            if !n.complete
                || n.runtime.managed_by.is_some()
                || n.runtime.replication_in_script
                || n.runtime.copies_unknown
                || n.replicaof.is_some()
                || clustered
            {
                unknown = true;
                continue;
            }
            let key = (n.file, n.name.as_str());
            match workloads.iter_mut().find(|(k, _)| *k == key) {
                Some((_, list)) => list.push(i),
                None => workloads.push((key, vec![i])),
            }
        }
        // Any other data node there may be the master, or a replica set up elsewhere.
        let [(key, copies)] = workloads.as_slice() else {
            continue;
        };
        if unknown || copies.len() < 2 || !reported.insert(*key) {
            continue;
        }
        let (_, monitor) = topo.monitor(group.monitors[0]);
        let first = &topo.nodes[copies[0]];
        let name = group.name.as_deref().unwrap_or_default();
        out.push(
            Diagnostic::new(
                Rule::DataNodesNotReplicating,
                first.anchor,
                format!("{} runs {} data nodes and nothing makes any of them replicate: each is an independent master with its own data set, so the sentinels of `{name}` (watching `{}`, which is none of them) have no replica to promote", first.name, copies.len(), monitor.host.value),
            )
            .label(monitor.line, "watched by a sentinel here")
            .help(match first.runtime.host_copies {
                // One config rendered on several hosts by an Ansible play.
                Some(_) => "render `replicaof <master> <port>` on every host but the master's (a condition on the host in the template), and point `sentinel monitor` at the master's address",
                None => "make all but one pod a replica (`replicaof` the first pod's stable name, set at start by an init script), and point `sentinel monitor` at that first pod",
            }),
        );
    }
}

/// A deployment unit whose data nodes are named master and replica (`redis-slave`,
/// `role: replica`) while none of them replicates: the "replica" runs the image's
/// defaults, an independent empty master. Reads sent to it never see the master's
/// writes, and there is no copy of the data to fail over to. Without sentinels (they
/// are `nothing_to_promote`'s); only the name says what was meant, so any sign of
/// replication set up some other way (a script, an operator, a config not read) keeps
/// it silent.
fn replicas_by_name_only(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    let grouped: HashSet<usize> = topo.groups.iter().flat_map(|g| g.nodes()).collect();
    let mut units: Vec<(crate::source::FileId, Vec<usize>)> = Vec::new();
    for (i, n) in topo.nodes.iter().enumerate() {
        let Some(unit) = n.runtime.unit() else {
            continue;
        };
        match units.iter_mut().find(|(u, _)| *u == unit) {
            Some((_, list)) => list.push(i),
            None => units.push((unit, vec![i])),
        }
    }
    let named_replica = |n: &crate::model::Node| {
        std::iter::once(n.name.as_str())
            .chain(n.name_hints.iter().map(String::as_str))
            .flat_map(|h| h.split(|c: char| !c.is_ascii_alphanumeric()))
            .any(|w| {
                matches!(
                    w.to_ascii_lowercase().as_str(),
                    "slave" | "slaves" | "replica" | "replicas" | "secondary" | "follower"
                )
            })
    };
    let mut seen: HashSet<crate::source::Span> = HashSet::new();
    for (_, nodes) in units {
        let unknown = nodes.iter().any(|&i| {
            let n = &topo.nodes[i];
            grouped.contains(&i)
                || n.replicaof.is_some()
                || !n.complete
                || n.runtime.managed_by.is_some()
                || n.runtime.replication_in_script
                || n.runtime.copies_unknown
                || n.cluster.enabled.as_ref().is_some_and(|e| e.value)
        });
        if unknown || nodes.len() < 2 {
            continue;
        }
        let (replicas, masters): (Vec<usize>, Vec<usize>) =
            nodes.iter().partition(|&&i| named_replica(&topo.nodes[i]));
        let (Some(&first), Some(&master)) = (replicas.first(), masters.first()) else {
            continue;
        };
        let node = &topo.nodes[first];
        if !seen.insert(node.anchor) {
            continue;
        }
        let mut d = Diagnostic::new(
            Rule::DataNodesNotReplicating,
            node.anchor,
            format!("{} is named as a replica, but nothing makes it replicate: it starts as an independent, empty master, so reads sent to it never see what is written to {}, and there is no copy of the data to fail over to", node.name, topo.nodes[master].name),
        )
        .label(topo.nodes[master].anchor, "the node it was meant to replicate");
        for &other in replicas[1..]
            .iter()
            .filter(|&&r| topo.nodes[r].anchor != node.anchor)
        {
            d = d.label(topo.nodes[other].anchor, "not replicating either");
        }
        out.push(d.help("start it as a replica (`--replicaof <master> 6379` in its command, or `replicaof` in its config)"));
    }
}

/// persistence-off-with-auto-restart for the data pods of an operator resource or a
/// chart: Kubernetes restarts them, and the resource turns persistence off (Spotahome's
/// `customConfig: ["save \"\"", …]` without `appendonly yes`). Without Sentinel, the
/// restarted master is still the master (a chart's fixed primary pod), and its replicas
/// copy what it comes back with.
fn managed_persistence_off(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    let mut seen: HashSet<crate::source::Span> = HashSet::new();
    for (i, node) in topo.nodes.iter().enumerate() {
        let Some(resource) = node.runtime.managed_by else {
            continue;
        };
        let Some(rdb_off) = node.persistence.rdb_off else {
            continue;
        };
        let watched = topo.groups_of_node(i).any(|g| g.has_sentinels());
        let replicated = topo
            .groups_of_node(i)
            .any(|g| g.master == Some(i) && !g.replicas.is_empty());
        if !node.persistence.is_off() || !(watched || replicated) || !seen.insert(rdb_off) {
            continue;
        }
        let message = if watched {
            "the data pods keep no snapshots and no append-only file, and Kubernetes restarts them within seconds: a restarted master comes back empty, possibly before Sentinel notices, and its replicas copy the empty data set"
        } else {
            "the data pods keep no snapshots and no append-only file, and Kubernetes restarts them within seconds: with no Sentinel to fail over, a restarted master is still the master when it comes back empty, and its replicas copy the empty data set"
        };
        out.push(
            Diagnostic::new(Rule::PersistenceOffWithAutoRestart, rdb_off, message)
                .label(
                    resource,
                    "its pods are run by this resource and restarted by the kubelet",
                )
                .help("keep a `save` rule or add `appendonly yes`, on a persistent volume claim"),
        );
    }
}
