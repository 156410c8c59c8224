//! Facts of Redis Cluster deployments (sharded, promotion by the masters' vote) that are
//! not settings of one node: how the cluster is created and what its layout is.

use crate::source::{FileId, Span, Spanned};

/// A `redis-cli --cluster create ADDR… [--cluster-replicas N]` (or `valkey-cli`) that a
/// file of the tree runs: the nodes it joins and how many replicas each master gets.
#[derive(Debug, Clone)]
pub struct ClusterCreate {
    pub file: FileId,
    /// From `--cluster` to the last word of the command.
    pub command: Span,
    /// The node addresses, as written.
    pub nodes: Vec<Spanned<String>>,
    /// Every node word is a literal address (no variable, no substitution): the node
    /// count is the number of words.
    pub exact: bool,
    /// `--cluster-replicas N` (none written: 0).
    pub replicas: Option<Spanned<i64>>,
    /// `--cluster-replicas $VAR`: written, with a value not known here.
    pub replicas_unknown: bool,
    /// The values of `-a` / `--pass` on the command: passwords, masked in every output.
    pub secrets: Vec<Span>,
}

impl ClusterCreate {
    pub fn replicas_per_master(&self) -> i64 {
        self.replicas.as_ref().map_or(0, |r| r.value.max(0))
    }

    /// Masters the command creates, when the node list is literal: redis-cli makes
    /// `nodes / (replicas + 1)` masters.
    pub fn masters(&self) -> Option<i64> {
        (self.exact && !self.replicas_unknown)
            .then(|| self.nodes.len() as i64 / (self.replicas_per_master() + 1))
    }
}

/// The shape an operator resource or a chart's values give a cluster: masters (shards)
/// and replicas per master, each at the field that says it (or that implies a default).
#[derive(Debug, Clone)]
pub struct ShardLayout {
    pub masters: Spanned<i64>,
    pub replicas_per_master: Spanned<i64>,
    /// Nothing in the resource keeps a master and its replica on different Kubernetes
    /// nodes (no anti-affinity, no spread), as this span says.
    pub unspread: Option<Span>,
    /// The nodes keep `nodes.conf` on storage that does not outlive the pod, as this
    /// span says, and the setting that would keep it.
    pub ephemeral_state: Option<(Span, &'static str)>,
}
