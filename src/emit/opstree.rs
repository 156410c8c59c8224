//! `--to opstree`: a `RedisReplication` and a `RedisSentinel` (v1beta2) per group. The
//! sentinel's numbers are strings, as the CRD types them; the master name is set
//! explicitly (the operator's default is `myMaster`); the sentinel gets the data nodes'
//! password through `redisReplicationPassword` as well as its own; persistence and memory
//! settings go in the ConfigMap that `additionalRedisConfig` names.

use super::configs::persistence_lines;
use super::k8s::{meta, required_anti_affinity, secret_manifest};
use super::plan::{memory_limit_mi, GroupPlan, Plan};
use super::yaml::{documents, int, map, q, s, seq, Value};
use super::{Options, OutFile};

pub const API_VERSION: &str = "redis.redis.opstreelabs.in/v1beta2";

pub fn emit(plan: &Plan, options: &Options, header: &[String]) -> Vec<OutFile> {
    let mut docs = Vec::new();
    for group in &plan.groups {
        let prefix = plan.prefix(group).unwrap_or_else(|| "redis".to_string());
        let replication = format!("{prefix}-replication");
        let sentinel = format!("{prefix}-sentinel");
        let config_map = format!("{prefix}-additional-config");
        let ns = options.namespace.as_str();
        let secret =
            group
                .password_source()
                .map(|source| match (&options.secret_name, &source.secret) {
                    (Some(name), _) => (name.clone(), "password".to_string(), false),
                    (None, Some((name, key))) => (name.clone(), key.clone(), false),
                    (None, None) => (format!("{prefix}-auth"), "password".to_string(), true),
                });
        if let Some((name, key, true)) = &secret {
            docs.push(secret_manifest(name, key, ns));
        }
        docs.push(map([
            ("apiVersion", s("v1")),
            ("kind", s("ConfigMap")),
            ("metadata", meta(&config_map, ns, None)),
            (
                "data",
                map([("redis-additional.conf", q(additional_config(group)))]),
            ),
        ]));
        let secret_ref = secret
            .as_ref()
            .map(|(name, key, _)| map([("name", s(name)), ("key", s(key))]));
        docs.push(replication_resource(
            group,
            &replication,
            &config_map,
            ns,
            secret_ref.clone(),
        ));
        docs.push(sentinel_resource(
            group,
            &sentinel,
            &replication,
            ns,
            secret_ref,
        ));
    }
    for (c, cluster) in plan.clusters.iter().enumerate() {
        let name = if plan.clusters.len() > 1 {
            format!("redis-cluster{c}")
        } else {
            "redis-cluster".to_string()
        };
        let ns = options.namespace.as_str();
        let secret = cluster.password.then(|| match &options.secret_name {
            Some(secret) => (secret.clone(), false),
            None => (format!("{name}-auth"), true),
        });
        if let Some((secret, true)) = &secret {
            docs.push(secret_manifest(secret, "password", ns));
        }
        docs.push(cluster_resource(
            cluster,
            &name,
            ns,
            secret.map(|(n, _)| map([("name", s(n)), ("key", s("password"))])),
        ));
    }
    vec![OutFile::new("opstree.yaml", documents(header, &docs))]
}

/// A `RedisCluster`: `clusterSize` leaders (the masters), followers in total as many as
/// the masters' replicas, `nodes.conf` on its own volume claim (`nodeConfVolume`, off by
/// the CRD's default), and the annotation by which the operator keeps each leader and
/// its follower on different nodes.
fn cluster_resource(
    cluster: &super::plan::ClusterPlan,
    name: &str,
    ns: &str,
    secret: Option<Value>,
) -> Value {
    let claim = |size: &str| {
        map([(
            "spec",
            map([
                ("accessModes", seq([s("ReadWriteOnce")])),
                (
                    "resources",
                    map([("requests", map([("storage", s(size))]))]),
                ),
            ]),
        )])
    };
    let mut kubernetes = map([
        ("image", s("quay.io/opstree/redis:v7.0.15")),
        ("imagePullPolicy", s("IfNotPresent")),
    ]);
    if let Some(secret) = secret {
        kubernetes.push("redisSecret", secret);
    }
    let mut metadata = meta(name, ns, None);
    metadata.push(
        "annotations",
        map([(
            "redisclusters.redis.redis.opstreelabs.in/role-anti-affinity",
            q("true"),
        )]),
    );
    let masters = cluster.masters as i64;
    map([
        ("apiVersion", s(API_VERSION)),
        ("kind", s("RedisCluster")),
        ("metadata", metadata),
        (
            "spec",
            map([
                ("clusterSize", int(masters)),
                ("clusterVersion", s("v7")),
                ("persistenceEnabled", Value::Bool(true)),
                ("kubernetesConfig", kubernetes),
                ("redisLeader", map([("replicas", int(masters))])),
                (
                    "redisFollower",
                    map([(
                        "replicas",
                        int(masters * cluster.replicas_per_master as i64),
                    )]),
                ),
                (
                    "storage",
                    map([
                        ("volumeClaimTemplate", claim("10Gi")),
                        ("nodeConfVolume", Value::Bool(true)),
                        ("nodeConfVolumeClaimTemplate", claim("1Gi")),
                    ]),
                ),
                (
                    "podSecurityContext",
                    map([("runAsUser", int(1000)), ("fsGroup", int(1000))]),
                ),
            ]),
        ),
    ])
}

fn additional_config(group: &GroupPlan) -> String {
    persistence_lines(group).join("\n") + "\n"
}

fn anti_affinity(app: &str) -> Value {
    required_anti_affinity(map([("app", s(app))]))
}

fn replication_resource(
    group: &GroupPlan,
    name: &str,
    config_map: &str,
    ns: &str,
    secret: Option<Value>,
) -> Value {
    let mut kubernetes = map([
        ("image", s("quay.io/opstree/redis:v7.0.15")),
        ("imagePullPolicy", s("IfNotPresent")),
    ]);
    if let Some(max) = group.maxmemory {
        let limit = format!("{}Mi", memory_limit_mi(max));
        kubernetes.push(
            "resources",
            map([
                ("requests", map([("memory", s(&limit))])),
                ("limits", map([("memory", s(&limit))])),
            ]),
        );
    }
    if let Some(secret) = secret {
        kubernetes.push("redisSecret", secret);
    }
    map([
        ("apiVersion", s(API_VERSION)),
        ("kind", s("RedisReplication")),
        ("metadata", meta(name, ns, None)),
        (
            "spec",
            map([
                ("clusterSize", int(group.data_nodes as i64)),
                ("kubernetesConfig", kubernetes),
                (
                    "redisConfig",
                    map([("additionalRedisConfig", s(config_map))]),
                ),
                (
                    "storage",
                    map([(
                        "volumeClaimTemplate",
                        map([(
                            "spec",
                            map([
                                ("accessModes", seq([s("ReadWriteOnce")])),
                                (
                                    "resources",
                                    map([("requests", map([("storage", s("10Gi"))]))]),
                                ),
                            ]),
                        )]),
                    )]),
                ),
                (
                    "podSecurityContext",
                    map([("runAsUser", int(1000)), ("fsGroup", int(1000))]),
                ),
                ("affinity", anti_affinity(name)),
                (
                    "pdb",
                    map([("enabled", Value::Bool(true)), ("maxUnavailable", int(1))]),
                ),
            ]),
        ),
    ])
}

fn sentinel_resource(
    group: &GroupPlan,
    name: &str,
    replication: &str,
    ns: &str,
    secret: Option<Value>,
) -> Value {
    let mut kubernetes = map([
        ("image", s("quay.io/opstree/redis-sentinel:v7.0.15")),
        ("imagePullPolicy", s("IfNotPresent")),
    ]);
    let mut config = map([
        ("redisReplicationName", s(replication)),
        ("masterGroupName", q(&group.master_name)),
        ("redisPort", q("6379")),
        ("quorum", q(group.quorum.to_string())),
        ("downAfterMilliseconds", q(group.down_after_ms.to_string())),
        ("failoverTimeout", q(group.failover_timeout_ms.to_string())),
        ("parallelSyncs", q(group.parallel_syncs.to_string())),
    ]);
    if let Some(secret) = secret {
        // The sentinel's own password, and the one it presents to the data nodes.
        kubernetes.push("redisSecret", secret.clone());
        config.push("redisReplicationPassword", map([("secretKeyRef", secret)]));
    }
    map([
        ("apiVersion", s(API_VERSION)),
        ("kind", s("RedisSentinel")),
        ("metadata", meta(name, ns, None)),
        (
            "spec",
            map([
                ("clusterSize", int(group.sentinels as i64)),
                ("kubernetesConfig", kubernetes),
                ("redisSentinelConfig", config),
                ("affinity", anti_affinity(&format!("{name}-sentinel"))),
                ("pdb", map([("enabled", Value::Bool(true))])),
            ]),
        ),
    ])
}
