//! The serializable view: plain strings and numbers in a stable order.

use serde::Serialize;

/// A value and where it was declared (`file:line`), when it was.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Fact<T> {
    pub value: T,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// A count that is known, or unknown with the reason.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Count {
    pub known: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Count {
    pub fn show(&self) -> String {
        match (self.known, &self.reason) {
            (Some(n), _) => n.to_string(),
            (None, Some(r)) => format!("unknown ({r})"),
            (None, None) => "unknown".to_string(),
        }
    }
}

/// Where a password comes from: `literal`, `unknown` (template, environment) or `none`.
/// Never the value.
pub type Auth = Fact<&'static str>;

#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct FindingView {
    pub severity: &'static str,
    pub rule: &'static str,
    pub code: &'static str,
    pub at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct NodeView {
    /// Identifier in diagrams.
    pub id: String,
    pub name: String,
    /// `master` or `replica` as declared.
    pub role: &'static str,
    pub address: String,
    pub config: Fact<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicaof: Option<Fact<String>>,
    /// `rdb`, `aof`, `rdb+aof` or `off`.
    pub persistence: Fact<&'static str>,
    pub auth: Auth,
    pub masterauth: Auth,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replica_priority: Option<Fact<i64>>,
    pub findings: Vec<FindingView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SentinelView {
    pub id: String,
    pub name: String,
    pub address: String,
    pub config: Fact<String>,
    /// Whether the config file can be rewritten, when a mount says so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config_writable: Option<Fact<bool>>,
    pub monitor: Fact<String>,
    pub quorum: Fact<i64>,
    pub down_after_ms: Fact<i64>,
    pub failover_timeout_ms: Fact<i64>,
    pub auth_pass: Auth,
    pub resolve_hostnames: Fact<bool>,
    pub announce_hostnames: Fact<bool>,
    pub findings: Vec<FindingView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupView {
    pub id: String,
    /// Master name; `None` for a replication set that no sentinel watches.
    pub name: Option<String>,
    /// Monitored (or replicated-from) address.
    pub address: String,
    /// The quorum, when every sentinel of the group agrees on it.
    pub quorum: Option<i64>,
    pub sentinel_count: Count,
    /// Sentinels needed to authorise a failover, when the count is known.
    pub majority: Option<usize>,
    pub replica_count: Count,
    pub nodes: Vec<NodeView>,
    pub sentinels: Vec<SentinelView>,
    /// Every finding on a node or sentinel of the group, once.
    pub findings: Vec<FindingView>,
}

impl GroupView {
    pub fn title(&self) -> String {
        match &self.name {
            Some(n) => n.clone(),
            None => format!("(unmonitored) {}", self.address),
        }
    }

    pub fn master(&self) -> Option<&NodeView> {
        self.nodes.iter().find(|n| n.role == "master")
    }

    /// Diagram id of the master: its node, or a placeholder for an address outside the files.
    pub fn master_id(&self) -> String {
        self.master()
            .map_or_else(|| format!("{}m", self.id), |n| n.id.clone())
    }
}

/// A deployment that keeps its own quorum (a Redis Enterprise cluster): no sentinels,
/// its nodes vote among themselves.
#[derive(Debug, Clone, Serialize)]
pub struct ConsensusView {
    pub id: String,
    /// What it is (`Redis Enterprise cluster`).
    pub kind: &'static str,
    pub name: String,
    pub declared_at: String,
    pub nodes: Fact<i64>,
    /// Nodes that must be up for the cluster to keep its quorum.
    pub majority: i64,
    pub persistent: Fact<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<Fact<String>>,
    pub findings: Vec<FindingView>,
}

/// A Redis Cluster deployment: sharded, its masters vote a replica's promotion.
#[derive(Debug, Clone, Serialize)]
pub struct ShardedView {
    pub id: String,
    pub declared_at: String,
    /// Cluster nodes in the checked files (with their declared copies).
    pub nodes: Vec<ShardNodeView>,
    /// Masters (shards), from the create command or the resource, where the tree says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub masters: Option<Fact<i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas_per_master: Option<Fact<i64>>,
    /// Masters that must vote for a replica's promotion.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub majority: Option<i64>,
    /// `cluster-require-full-coverage` (default yes).
    pub full_coverage: Fact<bool>,
    pub node_timeout_ms: Fact<i64>,
    pub findings: Vec<FindingView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ShardNodeView {
    pub name: String,
    pub at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TopologyView {
    pub version: u32,
    pub groups: Vec<GroupView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub consensus: Vec<ConsensusView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub clusters: Vec<ShardedView>,
}

impl ShardedView {
    /// One line for diagrams: nodes, masters × (1 + replicas), majority.
    pub fn summary(&self) -> String {
        let mut s = format!("Redis Cluster · {} node(s)", self.nodes.len());
        if let (Some(m), Some(r)) = (&self.masters, &self.replicas_per_master) {
            s.push_str(&format!(
                " · {} master(s) × {} replica(s)",
                m.value, r.value
            ));
        }
        if let Some(q) = self.majority {
            s.push_str(&format!(" · majority {q}"));
        }
        s
    }
}
