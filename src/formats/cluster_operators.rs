//! Operator resources and chart values that deploy a Redis or Valkey Cluster, as the
//! cluster nodes and the shard layout they make.
//!
//! Facts read (sources: each project's CRD types, controller and chart values):
//! - OpsTree `RedisCluster` (`redis.redis.opstreelabs.in/v1beta2`, operator v0.20–v0.26):
//!   leaders = `redisLeader.replicas` else `clusterSize`; followers =
//!   `redisFollower.replicas` else `clusterSize`, a total (per master: followers /
//!   leaders). `nodes.conf` is at `/node-conf`, on a volume only with
//!   `storage.nodeConfVolume: true` (CRD default false). No anti-affinity unless
//!   `redisLeader`/`redisFollower` set one or the CR carries the
//!   `…/role-anti-affinity: "true"` annotation. `v1beta1` (before v0.15) kept
//!   `nodes.conf` in `/data`, on the `storage` claim.
//! - valkey-io `ValkeyCluster` (`valkey.io/v1alpha1`, v0.4–v0.5): `shards` masters,
//!   `replicas` per shard (default 0); `/data` (with `nodes.conf`) is an emptyDir unless
//!   `persistence` is set.
//! - hyperspike `Valkey` (`hyperspike.io/v1`, v0.0.x): always a cluster; `nodes` masters
//!   (default 3), `replicas` per shard (default 0); a volume claim always.
//! - OpsTree's `redis-cluster` chart values (`ot-helm/redis-cluster`, chart 0.14–0.16
//!   in OT-CONTAINER-KIT/helm-charts, later in the operator's repository): a
//!   `RedisCluster` with `redisLeader.replicas` = `redisCluster.leader.replicas` and
//!   `redisFollower.replicas` = `redisCluster.follower.replicas` (both default 3, always
//!   rendered, so `clusterSize` does not change the counts); affinity and topology spread
//!   only from `redisCluster.leader`/`follower`; `nodes.conf` kept on a claim by the
//!   defaults of every version (`storageSpec`, with `nodeConfVolume: true` since v1beta2).
//! - bitnami `redis-cluster` (13.x) / `valkey-cluster` (3.x) values: `cluster.nodes`
//!   pods in all (default 6), `cluster.replicas` per master (default 1); masters =
//!   nodes / (replicas + 1); `persistence.enabled: false` puts the data directory (and
//!   `nodes.conf`) on an emptyDir.

use crate::facts::sharding::ShardLayout;
use crate::facts::{ClusterConf, Node};
use crate::formats::operators::{implied, int_field, managed_runtime, name_span, MAX_COPIES};
use crate::formats::units::Resource;
use crate::source::{Origin, Span, Spanned};

pub const VALKEY_IO: &str = "valkey.io";
pub const HYPERSPIKE: &str = "hyperspike.io";
/// Values of bitnami's `redis-cluster` and `valkey-cluster` charts (`kind` says which).
pub const BITNAMI_CLUSTER_VALUES: &str = "helm:bitnami/redis-cluster";
/// The kind of OpsTree's `redis-cluster` chart values (under `OPSTREE_VALUES`).
pub const OPSTREE_CLUSTER_VALUES: &str = "redis-cluster-values";

/// What one resource deploys.
struct Shape {
    what: String,
    masters: Spanned<i64>,
    replicas_per_master: Spanned<i64>,
    /// Total pods, when the resource counts them another way than masters × (1 + replicas).
    pods: Option<i64>,
    /// `nodes.conf` on storage that does not outlive the pod, as this span says, and
    /// the setting that keeps it.
    ephemeral: Option<(Span, &'static str)>,
    /// The image or operator writes `cluster-require-full-coverage no`.
    full_coverage_off: bool,
    /// Nothing keeps a master and its replica on different Kubernetes nodes.
    unspread: Option<Span>,
}

/// Cluster nodes and layouts of every resource of the tree.
pub fn clusters(resources: &[Resource]) -> (Vec<Node>, Vec<(Span, ShardLayout)>) {
    let mut nodes = Vec::new();
    let mut layouts = Vec::new();
    for r in resources {
        let Some(shape) = shape(r) else { continue };
        let managed_by = name_span(r);
        let total = shape.pods.unwrap_or_else(|| {
            shape.masters.value.max(0) * (1 + shape.replicas_per_master.value.max(0))
        });
        for i in 0..total.clamp(0, MAX_COPIES) {
            nodes.push(node(r, &shape, i, managed_by));
        }
        layouts.push((
            managed_by,
            ShardLayout {
                masters: shape.masters,
                replicas_per_master: shape.replicas_per_master,
                unspread: shape.unspread,
                ephemeral_state: shape.ephemeral,
            },
        ));
    }
    (nodes, layouts)
}

fn shape(r: &Resource) -> Option<Shape> {
    let spec = r.spec();
    let anchor = name_span(r);
    let field = |path: &str| int_field(r, spec.and_then(|s| s.at(path)));
    match (r.api_group.as_str(), r.kind.as_str()) {
        (crate::formats::operators::OPSTREE, "RedisCluster") => {
            let size = field("clusterSize").unwrap_or_else(|| implied(3, anchor));
            let leaders = field("redisLeader.replicas").unwrap_or_else(|| size.clone());
            let followers = field("redisFollower.replicas").unwrap_or_else(|| size.clone());
            let per = if leaders.value > 0 {
                followers.value / leaders.value
            } else {
                0
            };
            let node_conf = spec.and_then(|s| s.at("storage.nodeConfVolume"));
            // `v1beta1` (operator before v0.15, images up to v6.2.x) kept `nodes.conf` in
            // `/data`, on the storage claim: only a cluster without storage loses it.
            let legacy = r
                .object
                .get_str("apiVersion")
                .is_some_and(|v| v.ends_with("/v1beta1"));
            let storage = spec.and_then(|s| s.get("storage")).is_some();
            let ephemeral = match node_conf.and_then(|n| n.as_bool_11()) {
                _ if legacy && storage => None,
                Some(true) => None,
                Some(false) => node_conf.map(|n| crate::formats::operators::at(r, n)),
                None => Some(
                    spec.and_then(|s| s.key_node("storage"))
                        .map_or(anchor, |k| crate::formats::operators::at(r, k)),
                ),
            }
            .map(|s| (s, "set `storage.nodeConfVolume: true` (with a `nodeConfVolumeClaimTemplate`): the operator then keeps `/node-conf` on a volume claim"));
            let annotated = r
                .object
                .at("metadata.annotations")
                .and_then(|a| {
                    a.get_str("redisclusters.redis.redis.opstreelabs.in/role-anti-affinity")
                })
                .is_some_and(|v| v == "true");
            let spread = annotated
                || ["redisLeader", "redisFollower"].iter().any(|role| {
                    ["affinity", "topologySpreadConstraints"]
                        .iter()
                        .any(|f| spec.and_then(|s| s.at(&format!("{role}.{f}"))).is_some())
                });
            Some(Shape {
                what: format!("RedisCluster `{}`", r.name.as_deref().unwrap_or("?")),
                masters: leaders.clone(),
                replicas_per_master: Spanned::with_origin(per, followers.span, followers.origin),
                pods: Some(leaders.value.max(0) + followers.value.max(0)),
                ephemeral,
                // OpsTree's image writes `cluster-require-full-coverage no`.
                full_coverage_off: true,
                unspread: (!spread && followers.value > 0).then_some(anchor),
            })
        }
        (VALKEY_IO, "ValkeyCluster") => {
            let shards = field("shards").unwrap_or_else(|| implied(1, anchor));
            let replicas = field("replicas").unwrap_or_else(|| implied(0, shards.span));
            let ephemeral = spec
                .and_then(|s| s.get("persistence"))
                .is_none()
                .then_some((anchor, "add `spec.persistence` (`size`, `storageClassName`) when the cluster is created: it cannot be added later"));
            let scheduling = spec.and_then(|s| s.get("scheduling"));
            let spread = scheduling.is_some_and(|s| {
                s.get("affinity").is_some()
                    || s.get("topologySpreadConstraints").is_some()
                    || [
                        "node.spread.shard",
                        "node.spread.pods",
                        "zone.spread.shard",
                        "zone.spread.pods",
                    ]
                    .iter()
                    .any(|p| {
                        s.at(p)
                            .and_then(|m| m.get_str("mode"))
                            .is_some_and(|m| m != "Disabled")
                    })
            }) || spec.is_some_and(|s| {
                s.get("affinity").is_some() || s.get("topologySpreadConstraints").is_some()
            });
            Some(Shape {
                what: format!("ValkeyCluster `{}`", r.name.as_deref().unwrap_or("?")),
                masters: shards,
                unspread: (!spread && replicas.value > 0).then_some(anchor),
                replicas_per_master: replicas,
                pods: None,
                ephemeral,
                full_coverage_off: false,
            })
        }
        (HYPERSPIKE, "Valkey") => {
            let masters = field("nodes").unwrap_or_else(|| implied(3, anchor));
            let replicas = field("replicas").unwrap_or_else(|| implied(0, masters.span));
            Some(Shape {
                what: format!("Valkey `{}`", r.name.as_deref().unwrap_or("?")),
                masters,
                replicas_per_master: replicas,
                pods: None,
                ephemeral: None,
                unspread: None,
                full_coverage_off: false,
            })
        }
        (crate::formats::units::OPSTREE_VALUES, OPSTREE_CLUSTER_VALUES) => {
            let doc = &r.object;
            let section = doc
                .key_node("redisCluster")
                .map_or(anchor, |k| crate::formats::operators::at(r, k));
            let count = |role: &str| {
                int_field(r, doc.at(&format!("redisCluster.{role}.replicas")))
                    .unwrap_or_else(|| implied(3, section))
            };
            let (leaders, followers) = (count("leader"), count("follower"));
            let per = if leaders.value > 0 {
                followers.value / leaders.value
            } else {
                0
            };
            // The template passes a role's affinity and spread on only when not empty.
            let spread = ["leader", "follower"].iter().any(|role| {
                ["affinity", "topologySpreadConstraints"].iter().any(|f| {
                    doc.at(&format!("redisCluster.{role}.{f}"))
                        .is_some_and(|n| {
                            n.entries().next().is_some()
                                || n.as_seq().is_some_and(|s| !s.is_empty())
                        })
                })
            });
            Some(Shape {
                what: format!(
                    "the ot-helm/redis-cluster {}",
                    r.name
                        .as_deref()
                        .map_or("values".to_string(), |n| format!("release `{n}`"))
                ),
                masters: leaders.clone(),
                replicas_per_master: Spanned::with_origin(per, followers.span, followers.origin),
                pods: Some(leaders.value.max(0) + followers.value.max(0)),
                ephemeral: None,
                full_coverage_off: true,
                unspread: (!spread && followers.value > 0).then_some(section),
            })
        }
        (BITNAMI_CLUSTER_VALUES, chart) => {
            let doc = &r.object;
            let nodes = int_field(r, doc.at("cluster.nodes")).unwrap_or_else(|| {
                implied(
                    6,
                    doc.key_node("cluster")
                        .map_or(anchor, |k| crate::formats::operators::at(r, k)),
                )
            });
            let replicas =
                int_field(r, doc.at("cluster.replicas")).unwrap_or_else(|| implied(1, nodes.span));
            let masters = nodes.value / (replicas.value.max(0) + 1);
            let persistence = doc.at("persistence.enabled");
            let ephemeral = persistence
                .filter(|p| p.as_bool_11() == Some(false))
                .map(|p| (crate::formats::operators::at(r, p), "set `persistence.enabled: true`: the data directory, with `nodes.conf`, is then a volume claim"));
            Some(Shape {
                what: format!("the bitnami {chart} values"),
                masters: Spanned::with_origin(masters, nodes.span, nodes.origin),
                replicas_per_master: replicas,
                pods: Some(nodes.value),
                ephemeral,
                unspread: None,
                full_coverage_off: false,
            })
        }
        _ => None,
    }
}

fn node(r: &Resource, shape: &Shape, i: i64, managed_by: Span) -> Node {
    let at = shape.masters.span;
    let enabled = Spanned::with_origin(true, at, Origin::Implied);
    Node {
        file: r.file,
        name: format!("{} (node {i})", shape.what),
        complete: false,
        anchor: at,
        name_hints: Vec::new(),
        port: None,
        binds: Vec::new(),
        announce_ip: None,
        announce_port: None,
        password: None,
        masterauth: None,
        masteruser: None,
        replicaof: None,
        replica_priority: None,
        min_replicas_to_write: None,
        min_replicas_max_lag: None,
        maxmemory: None,
        maxmemory_policy: None,
        replica_read_only: None,
        protected_mode: None,
        acl_file: None,
        repl_timeout: None,
        busy_threshold: None,
        repl_ping_period: None,
        replica_ignore_maxmemory: None,
        renames: Vec::new(),
        process: Default::default(),
        persistence: Default::default(),
        buffers: Default::default(),
        acl: Default::default(),
        tls: Default::default(),
        cluster: ClusterConf {
            enabled: Some(enabled),
            full_coverage: shape
                .full_coverage_off
                .then(|| Spanned::with_origin(false, at, Origin::Implied)),
            ..ClusterConf::default()
        },
        runtime: managed_runtime(r, at, managed_by),
    }
}
