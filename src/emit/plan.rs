//! What `convert` carries from one format to another. Per group: the master name, the
//! number of data nodes and sentinels, the quorum, the timings, where the password comes
//! from (never its value), persistence and memory. Every target is written from a plan,
//! and every input is read into one, so a round trip can be compared plan to plan.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub groups: Vec<GroupPlan>,
    /// Redis Cluster deployments.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub clusters: Vec<ClusterPlan>,
}

/// A Redis Cluster deployment: its shape and what each node needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClusterPlan {
    pub masters: usize,
    pub replicas_per_master: usize,
    pub node_timeout_ms: i64,
    pub appendonly: bool,
    /// The nodes require a password (its value is never carried).
    pub password: bool,
}

impl ClusterPlan {
    pub fn nodes(&self) -> usize {
        self.masters * (1 + self.replicas_per_master)
    }

    /// Make the plan a cluster that can fail over: at least 3 masters, each with a
    /// replica, a node timeout in range. Returns one line per change.
    pub fn correct(&mut self) -> Vec<String> {
        let mut changes = Vec::new();
        if self.masters < 3 {
            changes.push(format!(
                "cluster: {} master(s) → 3: fewer than 3 masters cannot vote a promotion",
                self.masters
            ));
            self.masters = 3;
        }
        if self.replicas_per_master < 1 {
            changes.push("cluster: 0 replicas per master → 1: a master without a replica loses its slots when it fails".to_string());
            self.replicas_per_master = 1;
        }
        if !(1000..=120_000).contains(&self.node_timeout_ms) {
            changes.push(format!(
                "cluster: cluster-node-timeout {} → 15000 ms",
                self.node_timeout_ms
            ));
            self.node_timeout_ms = 15_000;
        }
        changes
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupPlan {
    pub master_name: String,
    /// Master and replicas.
    pub data_nodes: usize,
    pub sentinels: usize,
    pub quorum: usize,
    pub down_after_ms: i64,
    pub failover_timeout_ms: i64,
    pub parallel_syncs: i64,
    pub auth: Auth,
    pub appendonly: bool,
    /// Snapshots with Redis's default `save` rules (false: `save ""`).
    pub rdb: bool,
    pub maxmemory: Option<u128>,
    pub maxmemory_policy: Option<String>,
    pub min_replicas_to_write: i64,
    pub min_replicas_max_lag: i64,
}

/// Whether the group needs a password, and where it came from. The value never is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Auth {
    None,
    Password(PasswordSource),
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PasswordSource {
    /// `file:line` of the declaration the password was taken from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared_at: Option<String>,
    /// The environment variable that held it (`${REDIS_PASSWORD}` in compose).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env: Option<String>,
    /// The Kubernetes Secret (name, key) that held it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<(String, String)>,
}

/// The part of a group a round trip must keep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shape {
    pub master_name: String,
    pub data_nodes: usize,
    pub sentinels: usize,
    pub quorum: usize,
    pub down_after_ms: i64,
    pub failover_timeout_ms: i64,
    pub parallel_syncs: i64,
    pub password: bool,
}

impl GroupPlan {
    /// A group with Redis's defaults, before the input says anything.
    pub fn new(master_name: &str) -> GroupPlan {
        GroupPlan {
            master_name: master_name.to_string(),
            data_nodes: 3,
            sentinels: 3,
            quorum: 2,
            down_after_ms: 30_000,
            failover_timeout_ms: 180_000,
            parallel_syncs: 1,
            auth: Auth::None,
            appendonly: false,
            rdb: true,
            maxmemory: None,
            maxmemory_policy: None,
            min_replicas_to_write: 0,
            min_replicas_max_lag: 10,
        }
    }

    pub fn majority(&self) -> usize {
        self.sentinels / 2 + 1
    }

    pub fn replicas(&self) -> usize {
        self.data_nodes.saturating_sub(1)
    }

    pub fn has_password(&self) -> bool {
        matches!(self.auth, Auth::Password(_))
    }

    pub fn password_source(&self) -> Option<&PasswordSource> {
        match &self.auth {
            Auth::Password(p) => Some(p),
            Auth::None => None,
        }
    }

    /// A name usable in object names, file names and service names.
    pub fn slug(&self) -> String {
        let mut out = String::new();
        for c in self.master_name.chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            } else if !out.ends_with('-') {
                out.push('-');
            }
        }
        let out = out.trim_matches('-').to_string();
        if out.is_empty() {
            "redis".to_string()
        } else {
            out
        }
    }

    pub fn shape(&self) -> Shape {
        Shape {
            master_name: self.master_name.clone(),
            data_nodes: self.data_nodes,
            sentinels: self.sentinels,
            quorum: self.quorum,
            down_after_ms: self.down_after_ms,
            failover_timeout_ms: self.failover_timeout_ms,
            parallel_syncs: self.parallel_syncs,
            password: self.has_password(),
        }
    }

    /// Make the plan a correct deployment: what the input got wrong is not written out.
    /// Returns one line per change.
    pub fn correct(&mut self) -> Vec<String> {
        let mut changes = Vec::new();
        if self.data_nodes < 2 {
            changes.push(format!(
                "{}: {} data node(s) → 3 (without a replica there is nothing to fail over to)",
                self.master_name, self.data_nodes
            ));
            self.data_nodes = 3;
        }
        if self.sentinels < 3 {
            changes.push(format!(
                "{}: {} sentinel(s) → 3 (with fewer, one lost sentinel leaves no majority to authorise a failover)",
                self.master_name, self.sentinels
            ));
            self.sentinels = 3;
        } else if self.sentinels.is_multiple_of(2) {
            changes.push(format!(
                "{}: {} sentinels → {} (an even count tolerates no more failures than the odd count below it)",
                self.master_name,
                self.sentinels,
                self.sentinels + 1
            ));
            self.sentinels += 1;
        }
        if self.quorum == 0 || self.quorum >= self.sentinels {
            let majority = self.majority();
            changes.push(format!(
                "{}: quorum {} → {majority} (the majority of {} sentinels)",
                self.master_name, self.quorum, self.sentinels
            ));
            self.quorum = majority;
        }
        if self.down_after_ms < 3000 {
            changes.push(format!(
                "{}: down-after-milliseconds {} → 5000 (short pauses would trigger failovers)",
                self.master_name, self.down_after_ms
            ));
            self.down_after_ms = 5000;
        }
        if !self.appendonly && !self.rdb {
            changes.push(format!(
                "{}: persistence off → appendonly yes (a restarted empty master would wipe its replicas)",
                self.master_name
            ));
            self.appendonly = true;
        }
        let replicas = self.replicas() as i64;
        if replicas == 0 {
            if self.min_replicas_to_write != 0 {
                changes.push(format!(
                    "{}: min-replicas-to-write {} → 0 (there is no replica)",
                    self.master_name, self.min_replicas_to_write
                ));
            }
            self.min_replicas_to_write = 0;
        } else if replicas == 1 {
            // One replica: the guard would stop writes whenever it restarts.
            if self.min_replicas_to_write != 0 {
                changes.push(format!(
                    "{}: min-replicas-to-write {} → 0 (with a single replica, every restart of it would stop writes)",
                    self.master_name, self.min_replicas_to_write
                ));
            }
            self.min_replicas_to_write = 0;
        } else if self.min_replicas_to_write < 1 {
            changes.push(format!(
                "{}: min-replicas-to-write → 1 (a master cut off from its replicas stops accepting writes that a failover would lose)",
                self.master_name
            ));
            self.min_replicas_to_write = 1;
        } else if self.min_replicas_to_write >= replicas {
            let fixed = replicas - 1;
            changes.push(format!(
                "{}: min-replicas-to-write {} → {fixed} (as many as there are replicas stops writes whenever one of them restarts)",
                self.master_name, self.min_replicas_to_write
            ));
            self.min_replicas_to_write = fixed;
        }
        if self.min_replicas_max_lag < 1 {
            self.min_replicas_max_lag = 10;
        }
        changes
    }
}

impl Plan {
    pub fn shapes(&self) -> Vec<Shape> {
        let mut shapes: Vec<Shape> = self.groups.iter().map(GroupPlan::shape).collect();
        shapes.sort_by(|a, b| a.master_name.cmp(&b.master_name));
        shapes
    }
}

/// Object and service names of a group: plain `redis`/`sentinel` when the plan has one
/// group, prefixed with the group's slug when it has several.
#[derive(Debug, Clone)]
pub struct Names {
    pub redis: String,
    pub sentinel: String,
}

impl Names {
    pub fn of(plan: &Plan, group: &GroupPlan) -> Names {
        match plan.prefix(group) {
            None => Names {
                redis: "redis".to_string(),
                sentinel: "sentinel".to_string(),
            },
            Some(prefix) => Names {
                redis: format!("{prefix}-redis"),
                sentinel: format!("{prefix}-sentinel"),
            },
        }
    }
}

impl Plan {
    /// The prefix of a group's object names: none with one group, its slug with several
    /// (and its position when two groups have the same slug).
    pub fn prefix(&self, group: &GroupPlan) -> Option<String> {
        if self.groups.len() == 1 {
            return None;
        }
        let slug = group.slug();
        let index = self.groups.iter().position(|g| std::ptr::eq(g, group));
        let shared = self.groups.iter().filter(|g| g.slug() == slug).count() > 1;
        Some(match (shared, index) {
            (true, Some(i)) => format!("{slug}-{i}"),
            _ => slug,
        })
    }
}

/// Bytes as the largest exact Redis unit (`1gb`, `512mb`), else plain bytes.
pub fn redis_bytes(bytes: u128) -> String {
    for (unit, size) in [("gb", 1u128 << 30), ("mb", 1 << 20), ("kb", 1 << 10)] {
        if bytes >= size && bytes.is_multiple_of(size) {
            return format!("{}{unit}", bytes / size);
        }
    }
    bytes.to_string()
}

/// A container memory limit that leaves room above `maxmemory` (fragmentation, buffers,
/// the copy-on-write of a fork): 1.5 × maxmemory, what memory-cap-below-maxmemory asks.
/// In Mi.
pub fn memory_limit_mi(maxmemory: u128) -> u128 {
    let mi = 1u128 << 20;
    (maxmemory * 3 / 2).div_ceil(mi).max(64)
}
