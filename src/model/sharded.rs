//! Redis Cluster deployments: the data nodes with `cluster-enabled yes` of one
//! deployment, with the command that creates the cluster or the layout an operator or
//! chart gives it.
//!
//! Nodes are one deployment when one unit declares them (a compose project, a workload,
//! an operator resource); loose config files are one deployment per directory, where a
//! directory holding a single node (`7000/redis.conf`, `7001/redis.conf`) joins its
//! parent. A `--cluster create` belongs to the deployment whose nodes it names, else to
//! the one declared in its own file, else to the nearest one in the directory tree.

use crate::facts::sharding::{ClusterCreate, ShardLayout};
use crate::facts::Node;
use crate::source::{FileId, Span};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One Redis Cluster deployment.
#[derive(Debug, Clone)]
pub struct ShardedCluster {
    /// Data nodes (indices into `Topology::nodes`).
    pub nodes: Vec<usize>,
    /// Where the deployment is declared: the unit's declaration, the resource, or the
    /// first node's config.
    pub anchor: Span,
    /// The unit declares every node and how many copies run: `nodes.len()` is all.
    pub count_known: bool,
    /// The `--cluster create` command (index into `Topology::cluster_creates`).
    pub create: Option<usize>,
    /// The shape an operator resource or a chart gives it.
    pub layout: Option<ShardLayout>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    Managed(FileId, u32),
    Unit(FileId),
    Dir(PathBuf),
}

/// Builds the deployments. `layouts` are keyed by the span of the resource that manages
/// the nodes (`Runtime::managed_by`).
pub fn link_sharded(
    nodes: &[Node],
    creates: &[ClusterCreate],
    layouts: &[(Span, ShardLayout)],
    scope: &dyn Fn(FileId) -> PathBuf,
) -> Vec<ShardedCluster> {
    let mut keyed: BTreeMap<Key, Vec<usize>> = BTreeMap::new();
    for (i, node) in nodes.iter().enumerate() {
        if !node.cluster.is_enabled() {
            continue;
        }
        let key = match (&node.runtime.managed_by, node.runtime.unit()) {
            (Some(m), _) => Key::Managed(m.file, m.start),
            (None, Some(unit)) => Key::Unit(unit),
            (None, None) => Key::Dir(scope(node.file)),
        };
        keyed.entry(key).or_default().push(i);
    }
    // A directory with one loose node joins its parent's.
    let singles: Vec<PathBuf> = keyed
        .iter()
        .filter_map(|(k, v)| match k {
            Key::Dir(d) if v.len() == 1 => Some(d.clone()),
            _ => None,
        })
        .collect();
    for dir in singles {
        let Some(parent) = dir.parent().map(Path::to_path_buf) else {
            continue;
        };
        let moved = keyed.remove(&Key::Dir(dir)).unwrap_or_default();
        keyed.entry(Key::Dir(parent)).or_default().extend(moved);
    }
    let mut out: Vec<(Key, ShardedCluster)> = keyed
        .into_iter()
        .map(|(key, members)| {
            let first = &nodes[members[0]];
            let count_known = members
                .iter()
                .all(|&n| nodes[n].runtime.count_known && nodes[n].runtime.declared.is_some());
            let anchor = match &key {
                Key::Managed(..) => first.runtime.managed_by.unwrap_or(first.anchor),
                _ => first.runtime.declared.unwrap_or(first.anchor),
            };
            let layout = first.runtime.managed_by.and_then(|m| {
                layouts
                    .iter()
                    .find(|(at, _)| *at == m)
                    .map(|(_, l)| l.clone())
            });
            let cluster = ShardedCluster {
                nodes: members,
                anchor,
                count_known,
                create: None,
                layout,
            };
            (key, cluster)
        })
        .collect();
    // Commands that name their nodes or sit in their unit's file first, so that a loose
    // command never takes a deployment that has its own.
    let mut order: Vec<(usize, Option<usize>)> = Vec::new();
    for (c, create) in creates.iter().enumerate() {
        order.push((c, owner_by_name_or_unit(create, nodes, &out)));
    }
    order.sort_by_key(|(c, owner)| (owner.is_none(), *c));
    for (c, owner) in order {
        let create = &creates[c];
        let at = owner.or_else(|| nearest_free(create, nodes, &out, scope));
        match at {
            Some(i) if out[i].1.create.is_none() => {
                // Loose configs: the command that joins them is where the cluster is made.
                if matches!(out[i].0, Key::Dir(_)) {
                    out[i].1.anchor = create.command;
                }
                out[i].1.create = Some(c);
            }
            Some(_) => {}
            None => out.push((
                Key::Unit(create.file),
                ShardedCluster {
                    nodes: Vec::new(),
                    anchor: create.command,
                    count_known: false,
                    create: Some(c),
                    layout: None,
                },
            )),
        }
    }
    out.into_iter().map(|(_, c)| c).collect()
}

/// The deployment whose nodes a create command names, else the one declared in its file.
fn owner_by_name_or_unit(
    create: &ClusterCreate,
    nodes: &[Node],
    clusters: &[(Key, ShardedCluster)],
) -> Option<usize> {
    let named = |node: &Node| {
        create.nodes.iter().any(|word| {
            let host = word
                .value
                .rsplit_once(':')
                .map_or(word.value.as_str(), |(h, _)| h)
                .to_ascii_lowercase();
            node.name_hints.iter().any(|h| {
                h.eq_ignore_ascii_case(&host)
                    || host.starts_with(&format!("{}.", h.to_ascii_lowercase()))
            }) || node
                .cluster
                .announce_ip
                .as_ref()
                .is_some_and(|ip| ip.value == host)
        })
    };
    clusters
        .iter()
        .position(|(_, c)| c.nodes.iter().any(|&n| named(&nodes[n])))
        .or_else(|| {
            clusters
                .iter()
                .position(|(k, _)| matches!(k, Key::Unit(u) if *u == create.file))
        })
}

/// The nearest deployment without a create command at or under the command's
/// directory's parent: one in the command's own directory or above it first, then the
/// one sharing most of its path.
fn nearest_free(
    create: &ClusterCreate,
    nodes: &[Node],
    clusters: &[(Key, ShardedCluster)],
    scope: &dyn Fn(FileId) -> PathBuf,
) -> Option<usize> {
    let here = scope(create.file);
    let within = here.parent().unwrap_or(&here).to_path_buf();
    clusters
        .iter()
        .enumerate()
        .filter(|(_, (_, c))| c.create.is_none())
        .filter_map(|(i, (k, c))| {
            let dir = match k {
                Key::Dir(d) => d.clone(),
                _ => scope(nodes[*c.nodes.first()?].file),
            };
            dir.starts_with(&within).then(|| {
                let shared = dir
                    .components()
                    .zip(here.components())
                    .take_while(|(a, b)| a == b)
                    .count();
                (here.starts_with(&dir), shared, std::cmp::Reverse(i))
            })
        })
        .max()
        .map(|(_, _, std::cmp::Reverse(i))| i)
}

impl ShardedCluster {
    pub fn create<'a>(&self, creates: &'a [ClusterCreate]) -> Option<&'a ClusterCreate> {
        self.create.map(|c| &creates[c])
    }
}
