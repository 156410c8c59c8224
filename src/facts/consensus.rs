//! Deployments that keep their own quorum instead of relying on Sentinel. Today: a Redis
//! Enterprise cluster, whose nodes' cluster manager elects among them.

use crate::source::{Span, Spanned};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsensusKind {
    /// A `RedisEnterpriseCluster` of the Redis Enterprise operator.
    RedisEnterprise,
}

impl ConsensusKind {
    pub fn label(self) -> &'static str {
        match self {
            ConsensusKind::RedisEnterprise => "Redis Enterprise cluster",
        }
    }
}

/// One such deployment, with the facts its rules and the topology view read.
#[derive(Debug, Clone)]
pub struct ConsensusCluster {
    pub kind: ConsensusKind,
    pub name: String,
    /// Where the deployment is declared (its resource's name).
    pub anchor: Span,
    /// How many nodes vote (the resource's own count, or its default where it is not written).
    pub nodes: Spanned<i64>,
    /// Whether the nodes keep their state on persistent volumes.
    pub persistent: Spanned<bool>,
    /// The storage class of those volumes, when the resource names one.
    pub storage_class: Option<Spanned<String>>,
}
