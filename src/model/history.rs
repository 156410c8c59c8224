//! What the previous revision of the tree deployed, as the history rules compare it:
//! the known sentinel count of each master name, and the node count of each cluster that
//! keeps its own quorum. Names that stand for several groups in one revision are left
//! out: they cannot be matched across revisions.

use super::topology::{SentinelCount, Topology};
use std::collections::HashMap;

#[derive(Debug, Clone, Default)]
pub struct History {
    /// How messages name the revision (`HEAD~1 (3f2a1c0)`).
    pub revision: String,
    sentinels: HashMap<String, Option<usize>>,
    consensus_nodes: HashMap<String, Option<i64>>,
}

impl History {
    pub fn of(revision: String, topology: &Topology) -> History {
        let mut sentinels: HashMap<String, Option<usize>> = HashMap::new();
        for group in &topology.groups {
            let Some(name) = &group.name else { continue };
            let count = match group.sentinel_count {
                SentinelCount::Known(n) => Some(n),
                SentinelCount::Unknown(_) => None,
            };
            // A second group of the same name: ambiguous.
            sentinels
                .entry(name.clone())
                .and_modify(|c| *c = None)
                .or_insert(count);
        }
        let mut consensus_nodes: HashMap<String, Option<i64>> = HashMap::new();
        for c in &topology.consensus {
            consensus_nodes
                .entry(c.name.clone())
                .and_modify(|n| *n = None)
                .or_insert(Some(c.nodes.value));
        }
        History {
            revision,
            sentinels,
            consensus_nodes,
        }
    }

    /// The known sentinel count of the one group of this name, then.
    pub fn sentinels_of(&self, master: &str) -> Option<usize> {
        self.sentinels.get(master).copied().flatten()
    }

    /// The node count of the one cluster of this name, then.
    pub fn nodes_of(&self, cluster: &str) -> Option<i64> {
        self.consensus_nodes.get(cluster).copied().flatten()
    }
}
