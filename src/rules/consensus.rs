//! Deployments that keep their own quorum (Redis Enterprise clusters): node count and
//! storage, from the facts of the model.

use crate::diagnostic::Diagnostic;
use crate::facts::consensus::{ConsensusCluster, ConsensusKind};
use crate::rules::{Context, Rule};

/// Storage classes backed by shared file systems, which Redis Enterprise does not support.
const SHARED_FILE_STORAGE: &[&str] = &[
    "nfs",
    "efs",
    "azurefile",
    "azure-file",
    "cephfs",
    "glusterfs",
    "filestore",
];

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for c in &ctx.topology.consensus {
        match c.kind {
            ConsensusKind::RedisEnterprise => redis_enterprise(c, out),
        }
    }
}

fn redis_enterprise(c: &ConsensusCluster, out: &mut Vec<Diagnostic>) {
    let n = c.nodes.value;
    if n < 3 || n % 2 == 0 {
        out.push(
            Diagnostic::new(
                Rule::RecNodesInvalid,
                c.nodes.span,
                format!("a Redis Enterprise cluster needs an odd number of nodes, at least 3: with {n} the loss of one node can lose the cluster's quorum"),
            )
            .help(format!("use `nodes: {}`", if n < 3 { 3 } else { n + 1 })),
        );
    }
    if !c.persistent.value {
        out.push(
            Diagnostic::new(
                Rule::RecPersistenceDisabled,
                c.persistent.span,
                "persistence is off: after losing the cluster's quorum, the cluster cannot be recovered",
            )
            .help("set `persistentSpec.enabled: true` (the default) with a `storageClassName` of block storage"),
        );
    }
    if let Some(class) = &c.storage_class {
        let lower = class.value.to_ascii_lowercase();
        if let Some(hint) = SHARED_FILE_STORAGE.iter().find(|s| lower.contains(*s)) {
            out.push(
                Diagnostic::new(
                    Rule::RecUnsupportedStorage,
                    class.span,
                    format!("storage class `{lower}` looks like shared file storage ({hint}): Redis Enterprise supports only block storage for its persistent volumes"),
                )
                .help("use a block-storage class (EBS, Persistent Disk, Azure Disk, local SSD)"),
            );
        }
    }
}
