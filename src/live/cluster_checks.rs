//! The live rules of a Redis Cluster (`verify --cluster`): the cluster's own state, its
//! failing nodes, and shards left without a live replica. They read what the nodes
//! answered (`CLUSTER INFO`, `CLUSTER NODES`); the first node that answered gives the
//! cluster's view, the others' errors are findings of their own.

use super::snapshot::{ClusterNodeLine, ClusterNodeObs, Snapshot};
use super::transcript::Transcripts;
use crate::diagnostic::Diagnostic;
use crate::rules::Rule;

/// Slots of a whole cluster.
const SLOTS: u32 = 16384;

pub fn check(snapshot: &Snapshot, tr: &Transcripts, out: &mut Vec<Diagnostic>) {
    for node in snapshot.cluster.iter() {
        if let Some(error) = &node.error {
            out.push(
                Diagnostic::new(
                    Rule::ClusterNodeFailing,
                    tr.cluster_error(&node.address),
                    format!("the cluster node at {} does not answer: {error}", node.address),
                )
                .help("check that the node runs and that verify may reach it (address, port, password)"),
            );
        }
    }
    let Some(view) = snapshot
        .cluster
        .iter()
        .find(|n| n.error.is_none() && !n.nodes.is_empty())
    else {
        return;
    };
    state(view, tr, out);
    let lines: Vec<ClusterNodeLine> = view
        .nodes
        .iter()
        .filter_map(|l| ClusterNodeLine::parse(l))
        .collect();
    for line in &lines {
        if let Some(why) = line.failing() {
            out.push(
                Diagnostic::new(
                    Rule::ClusterNodeFailing,
                    tr.cluster_node(&view.address, line.id),
                    format!("the {} {} is {why}", if line.is_master() { "master" } else { "replica" }, line.address),
                )
                .help("bring the node back, or remove it with CLUSTER FORGET on every node if it is gone for good"),
            );
        }
    }
    // Masters serving slots, and their live replicas.
    for master in lines
        .iter()
        .filter(|l| l.is_master() && !l.slots.is_empty() && l.failing().is_none())
    {
        let live = lines
            .iter()
            .filter(|r| r.master == Some(master.id) && r.failing().is_none() && r.link_connected)
            .count();
        if live == 0 {
            out.push(
                Diagnostic::new(
                    Rule::ClusterShardWithoutLiveReplica,
                    tr.cluster_node(&view.address, master.id),
                    format!("the shard of master {} (slots {}) has no live replica: if this master fails now, its slots have no copy to promote", master.address, master.slots.join(" ")),
                )
                .help("start or repair a replica of this master (CLUSTER REPLICATE on a spare node, or `redis-cli --cluster add-node … --cluster-slave`)"),
            );
        }
    }
}

fn state(view: &ClusterNodeObs, tr: &Transcripts, out: &mut Vec<Diagnostic>) {
    let field = |name: &str| view.info.get(name).map(String::as_str);
    if let Some(state) = field("cluster_state").filter(|s| *s != "ok") {
        out.push(
            Diagnostic::new(
                Rule::ClusterStateNotOk,
                tr.cluster_info(&view.address, "cluster_state"),
                format!("the cluster reports `cluster_state:{state}`: its nodes refuse keyed commands (CLUSTERDOWN) until every slot is served again"),
            )
            .help("find the failing shard in CLUSTER NODES; bring its master or a replica back"),
        );
        return;
    }
    let assigned: u32 = field("cluster_slots_assigned")
        .and_then(|v| v.parse().ok())
        .unwrap_or(SLOTS);
    if assigned < SLOTS {
        out.push(
            Diagnostic::new(
                Rule::ClusterStateNotOk,
                tr.cluster_info(&view.address, "cluster_slots_assigned"),
                format!("only {assigned} of the {SLOTS} hash slots are assigned to a master: keys in the others are refused"),
            )
            .help("assign the missing slots (`redis-cli --cluster fix`)"),
        );
    }
}
