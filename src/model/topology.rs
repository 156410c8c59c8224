//! The deployment as the linker understands it: groups of one master name with their
//! data nodes and sentinels.

use super::facts::{Monitor, Node, SentinelProc};
use super::service::{Process, Service};

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

#[derive(Debug, Default)]
pub struct Topology {
    pub nodes: Vec<Node>,
    pub sentinels: Vec<SentinelProc>,
    pub groups: Vec<Group>,
    /// systemd services, drop-ins applied.
    pub services: Vec<Service>,
    /// redis-server / redis-sentinel commands of units and scripts.
    pub processes: Vec<Process>,
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
}
