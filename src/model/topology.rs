//! The deployment as the linker understands it: groups of one master name with their
//! data nodes and sentinels.

use crate::facts::cluster::Cluster;
use crate::facts::service::{Process, Service};
use crate::facts::{Monitor, Node, SentinelProc};
use crate::source::{FileId, Span};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SentinelCount {
    Known(usize),
    /// Why the count cannot be decided from the checked files.
    Unknown(&'static str),
}

impl SentinelCount {
    pub fn known(&self) -> Option<usize> {
        match self {
            SentinelCount::Known(n) => Some(*n),
            SentinelCount::Unknown(_) => None,
        }
    }
}

/// A sentinel's `monitor` entry that belongs to a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonitorRef {
    pub sentinel: usize,
    pub monitor: usize,
}

#[derive(Debug, Clone)]
pub struct Group {
    /// Master name; `None` for a replication set that no sentinel watches.
    pub name: Option<String>,
    /// Monitored (or replicated-from) address, host lower-cased.
    pub host: String,
    pub port: i64,
    pub monitors: Vec<MonitorRef>,
    pub master: Option<usize>,
    pub replicas: Vec<usize>,
    pub sentinel_count: SentinelCount,
    /// Number of replicas, when the tree says it (replica configs or known-replica lines).
    pub replica_count: Option<usize>,
    /// Sentinels and replicas that run outside the checked tree, as the user declared
    /// them (`[topology]` of redis-halint.toml); already in the counts above.
    pub elsewhere: Elsewhere,
}

/// Processes of a group declared to run outside the checked tree.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Elsewhere {
    pub sentinels: usize,
    pub replicas: usize,
}

impl Group {
    /// Count `more` processes that run outside the tree: a lone sentinel config plus two
    /// sentinels elsewhere is a known count of three.
    pub fn add_elsewhere(&mut self, more: Elsewhere) {
        if more.sentinels > 0 && self.has_sentinels() {
            let here = match self.sentinel_count {
                SentinelCount::Known(n) => n,
                SentinelCount::Unknown(_) => self.monitors.len(),
            };
            self.sentinel_count = SentinelCount::Known(here + more.sentinels);
        }
        if more.replicas > 0 {
            self.replica_count =
                Some(self.replica_count.unwrap_or(self.replicas.len()) + more.replicas);
        }
        self.elsewhere.sentinels += more.sentinels;
        self.elsewhere.replicas += more.replicas;
    }
}

impl Group {
    /// Every data node of the group, master first.
    pub fn nodes(&self) -> impl Iterator<Item = usize> + '_ {
        self.master.into_iter().chain(self.replicas.iter().copied())
    }

    pub fn has_sentinels(&self) -> bool {
        !self.monitors.is_empty()
    }
}

/// How a containerised process gets its config file: a mount of a file of the tree.
#[derive(Debug, Clone)]
pub struct ConfigMount {
    /// The service (compose) or workload that runs the process.
    pub owner: String,
    /// What `owner` names: `service` (compose) or `container` (a script's `docker run`).
    pub owner_kind: &'static str,
    pub owner_span: Span,
    pub sentinel: bool,
    /// The volume entry.
    pub span: Span,
    /// The config path on the command line.
    pub config_path_span: Option<Span>,
    /// A single file bind-mounted (not its directory).
    pub single_file: bool,
    pub read_only: bool,
    /// The host file, when it is in the checked tree.
    pub config_file: Option<FileId>,
    /// Host path, to compare mounts of different services.
    pub source: std::path::PathBuf,
    pub replicas: usize,
    /// A compose `container_name`: mounts of one container name in two projects are the
    /// same container described twice, not two processes.
    pub container_name: Option<String>,
}

#[derive(Debug, Default)]
pub struct Topology {
    /// The failure domains the user declared (`[topology] sites`).
    pub sites: Vec<super::sites::Site>,
    pub cluster: Cluster,
    pub nodes: Vec<Node>,
    pub sentinels: Vec<SentinelProc>,
    pub groups: Vec<Group>,
    pub mounts: Vec<ConfigMount>,
    /// systemd services, drop-ins applied.
    pub services: Vec<Service>,
    /// redis-server / redis-sentinel commands of units and scripts.
    pub processes: Vec<Process>,
    /// Deployments that keep their own quorum (no Sentinel): Redis Enterprise clusters.
    pub consensus: Vec<crate::facts::consensus::ConsensusCluster>,
    /// `SENTINEL SET` commands that files of the tree send at run time.
    pub runtime_sets: Vec<crate::facts::RuntimeSet>,
    /// `--cluster create` commands that files of the tree run.
    pub cluster_creates: Vec<crate::facts::sharding::ClusterCreate>,
    /// Redis Cluster deployments (sharded; promotion by the masters' vote).
    pub sharded: Vec<super::sharded::ShardedCluster>,
}

impl Topology {
    pub fn monitor(&self, r: MonitorRef) -> (&SentinelProc, &Monitor) {
        let sentinel = &self.sentinels[r.sentinel];
        (sentinel, &sentinel.monitors[r.monitor])
    }

    /// Groups a node belongs to.
    pub fn groups_of_node(&self, node: usize) -> impl Iterator<Item = &Group> {
        self.groups
            .iter()
            .filter(move |g| g.nodes().any(|n| n == node))
    }

    /// Whether a node belongs to a Redis Cluster deployment whose masters get replicas
    /// (its `--cluster create` asks for them, or its operator or chart layout does).
    pub fn in_replicated_cluster(&self, node: usize) -> bool {
        self.sharded.iter().any(|c| {
            c.nodes.contains(&node)
                && (c
                    .create(&self.cluster_creates)
                    .is_some_and(|create| create.replicas_per_master() >= 1)
                    || c.layout
                        .as_ref()
                        .is_some_and(|l| l.replicas_per_master.value >= 1))
        })
    }

    /// Whether other nodes copy what this one holds: it is in a replication group, or
    /// in a Redis Cluster whose masters get replicas.
    pub fn replicated(&self, node: usize) -> bool {
        self.groups_of_node(node).next().is_some() || self.in_replicated_cluster(node)
    }

    /// What notices that a master went away: Sentinel, or the other nodes of its Redis
    /// Cluster.
    pub fn failure_detector(&self, node: usize) -> &'static str {
        if self.groups_of_node(node).next().is_some() {
            "Sentinel"
        } else {
            "the cluster"
        }
    }
}
