//! From the linked topology (conf files, compose, Kubernetes manifests, systemd units,
//! scripts) to a plan: one group per master the tree declares.

use super::plan::{Auth, GroupPlan, PasswordSource};
use crate::facts::{Node, Password};
use crate::formats::units::Units;
use crate::model::topology::{Group, Topology};
use crate::source::{FileId, Span, Spanned};
use crate::Workspace;
use std::collections::{BTreeSet, HashMap};

/// A group read from the tree, with the files it came from and what was assumed.
pub struct Extracted {
    pub group: GroupPlan,
    pub files: BTreeSet<FileId>,
    pub notes: Vec<String>,
}

/// Each Redis Cluster deployment as a plan, with the files it was read from: masters and
/// replicas from its layout or create command, else from its node count; the first
/// node's timeout, persistence and password.
pub fn clusters(
    topology: &Topology,
) -> Vec<(super::plan::ClusterPlan, BTreeSet<crate::source::FileId>)> {
    topology
        .sharded
        .iter()
        .filter(|c| !c.nodes.is_empty())
        .map(|c| {
            let create = c.create(&topology.cluster_creates);
            let (masters, replicas) = match (&c.layout, create) {
                (Some(l), _) => (l.masters.value, l.replicas_per_master.value),
                (None, Some(cr)) => (
                    cr.masters()
                        .unwrap_or(c.nodes.len() as i64 / (cr.replicas_per_master() + 1)),
                    cr.replicas_per_master(),
                ),
                (None, None) => (3.min(c.nodes.len() as i64), 1),
            };
            let first = &topology.nodes[c.nodes[0]];
            let mut files: BTreeSet<crate::source::FileId> =
                c.nodes.iter().map(|&n| topology.nodes[n].file).collect();
            files.extend(create.map(|cr| cr.file));
            let plan = super::plan::ClusterPlan {
                masters: masters.max(0) as usize,
                replicas_per_master: replicas.max(0) as usize,
                node_timeout_ms: first.cluster.node_timeout(),
                appendonly: first
                    .persistence
                    .appendonly
                    .as_ref()
                    .is_none_or(|a| a.value),
                password: first.password.as_ref().is_some_and(|p| p.value.is_set()),
            };
            (plan, files)
        })
        .collect()
}

pub fn groups(workspace: &Workspace, topology: &Topology, units: &Units) -> Vec<Extracted> {
    let at = |span: Span| location(workspace, span);
    let mut processes: Processes = HashMap::new();
    for (i, node) in topology.nodes.iter().enumerate() {
        processes
            .entry((node.file, node.name.as_str()))
            .or_default()
            .push(i);
    }
    let mut out = Vec::new();
    for group in &topology.groups {
        let mut notes = Vec::new();
        let name = group.name.clone().unwrap_or_else(|| {
            notes.push(format!(
                "the replication set of {}:{} has no sentinel: it gets sentinels, master name `mymaster`",
                group.host, group.port
            ));
            "mymaster".to_string()
        });
        let mut plan = GroupPlan::new(&name);
        let mut files = BTreeSet::new();
        let members = data_nodes(topology, &processes, group);
        for &n in &members {
            files.insert(topology.nodes[n].file);
        }
        plan.data_nodes = members
            .len()
            .max(1 + group.replica_count.unwrap_or(0))
            .max(1);
        if members.is_empty() && group.replica_count.is_none() {
            notes.push(format!(
                "{name}: no data node of the group is in the checked files: 1 master and 2 replicas assumed"
            ));
            plan.data_nodes = 3;
        }
        // Sentinels: the count the linker decided, else 3.
        plan.sentinels = match group.sentinel_count.known() {
            Some(n) => n,
            None if !group.has_sentinels() => 3,
            None => {
                notes.push(format!(
                    "{name}: the number of sentinels is not known from the files: 3 assumed"
                ));
                3
            }
        };
        if let Some(first) = group.monitors.first() {
            let (sentinel, monitor) = topology.monitor(*first);
            files.insert(sentinel.file);
            plan.quorum = usize::try_from(monitor.quorum.value).unwrap_or(0);
            plan.down_after_ms = monitor.down_after();
            plan.failover_timeout_ms = monitor.failover_timeout();
            plan.parallel_syncs = monitor.parallel_syncs();
            for r in &group.monitors {
                files.insert(topology.monitor(*r).0.file);
            }
        } else {
            plan.quorum = plan.majority();
            plan.down_after_ms = 5000;
            plan.failover_timeout_ms = 60_000;
        }
        let master = group
            .master
            .or_else(|| members.first().copied())
            .map(|n| &topology.nodes[n]);
        if let Some(master) = master {
            plan.appendonly = master
                .persistence
                .appendonly
                .as_ref()
                .is_some_and(|a| a.value);
            plan.rdb = master.persistence.rdb_off.is_none();
            plan.maxmemory = master.maxmemory.as_ref().map(|m| m.value);
            plan.maxmemory_policy = master.maxmemory_policy.as_ref().map(|p| p.value.clone());
            plan.min_replicas_to_write =
                master.min_replicas_to_write.as_ref().map_or(0, |m| m.value);
            if let Some(lag) = &master.min_replicas_max_lag {
                plan.min_replicas_max_lag = lag.value;
            }
            if let Some(at_span) = master.runtime.data_ephemeral {
                notes.push(format!(
                    "{}: its data was on an emptyDir ({}); the output keeps it on a volume claim",
                    master.name,
                    at(at_span)
                ));
            }
        } else {
            plan.rdb = true;
        }
        plan.auth = auth(workspace, topology, units, group, &members, master, &at);
        out.push(Extracted {
            group: plan,
            files,
            notes,
        });
    }
    out
}

/// The processes of each config or workload: (file, name) → node indices.
type Processes<'a> = HashMap<(FileId, &'a str), Vec<usize>>;

/// The data nodes of a group: its master and replicas, and the other processes of the
/// same workload or service (a StatefulSet of 3 whose start script picks the master).
fn data_nodes(topology: &Topology, processes: &Processes, group: &Group) -> Vec<usize> {
    let mut members: BTreeSet<usize> = group.nodes().collect();
    for n in group.nodes() {
        let node: &Node = &topology.nodes[n];
        if let Some(same) = processes.get(&(node.file, node.name.as_str())) {
            members.extend(same);
        }
    }
    members.into_iter().collect()
}

fn auth(
    workspace: &Workspace,
    topology: &Topology,
    units: &Units,
    group: &Group,
    members: &[usize],
    master: Option<&Node>,
    at: &impl Fn(Span) -> String,
) -> Auth {
    let set = |p: &Option<Spanned<Password>>| p.clone().filter(|p| p.value.is_set());
    // The master's own password first: with --force, that is the one kept.
    let declared = master
        .and_then(|m| set(&m.password).map(|p| (p, "requirepass")))
        .or_else(|| {
            members
                .iter()
                .find_map(|&n| set(&topology.nodes[n].password).map(|p| (p, "requirepass")))
        })
        .or_else(|| {
            members
                .iter()
                .find_map(|&n| set(&topology.nodes[n].masterauth).map(|p| (p, "masterauth")))
        })
        .or_else(|| {
            group.monitors.iter().find_map(|r| {
                let (_, monitor) = topology.monitor(*r);
                set(&monitor.auth_pass).map(|p| (p, "sentinel auth-pass"))
            })
        });
    let Some((password, what)) = declared else {
        return Auth::None;
    };
    let span = password.span;
    let text = workspace
        .source(span.file)
        .map(|s| {
            s.text()
                .get(span.start as usize..span.end as usize)
                .unwrap_or_default()
                .to_string()
        })
        .unwrap_or_default();
    let env = env_reference(&text);
    // A Secret the processes read their password from: named by the deployment (an
    // operator resource, chart values), or by the containers of this file.
    let named = members
        .iter()
        .find_map(|&n| topology.nodes[n].runtime.password_secret.clone());
    let secret = named.or_else(|| {
        units
            .containers
            .iter()
            .filter(|c| c.file == span.file)
            .flat_map(|c| c.container.secret_env.iter())
            .find(|(var, _, _)| {
                let upper = var.to_ascii_uppercase();
                upper.contains("PASS") || upper.contains("AUTH")
            })
            .map(|(_, name, key)| (name.clone(), key.clone()))
            .or_else(|| {
                // The password is a Secret's value (a config in `stringData`).
                topology
                    .cluster
                    .secrets
                    .iter()
                    .find(|(_, _, value)| *value == password.value)
                    .map(|(name, key, _)| (name.clone(), key.clone()))
            })
    });
    Auth::Password(PasswordSource {
        declared_at: Some(format!("{what} at {}", at(span))),
        env,
        secret,
    })
}

/// `VAR` of a `$VAR`, `${VAR}`, `${VAR:-…}` or `$(VAR)` reference.
pub fn env_reference(text: &str) -> Option<String> {
    let start = text.find('$')?;
    let rest = text[start + 1..].trim_start_matches(['{', '(']);
    let name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit())).then_some(name)
}

pub fn location(workspace: &Workspace, span: Span) -> String {
    match workspace.source(span.file) {
        Some(s) => format!("{}:{}", s.path.display(), s.line_col(span.start).line),
        None => "?".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::env_reference;

    #[test]
    fn env_references() {
        assert_eq!(
            env_reference("${REDIS_PASSWORD}").as_deref(),
            Some("REDIS_PASSWORD")
        );
        assert_eq!(env_reference("$PASS").as_deref(), Some("PASS"));
        assert_eq!(env_reference("${P:-x}").as_deref(), Some("P"));
        assert_eq!(
            env_reference("$(REDIS_PASSWORD)").as_deref(),
            Some("REDIS_PASSWORD")
        );
        assert_eq!(env_reference("literal"), None);
        assert_eq!(env_reference("$1"), None);
    }
}
