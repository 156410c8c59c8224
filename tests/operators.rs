//! Operator resources: a correct deployment for each operator is clean, and the seed
//! files keep their one known finding.

mod common;

use common::check_dir;
use redis_halint::{Severity, Target};
use std::path::Path;

#[test]
fn correct_operator_deployments_are_clean() {
    // A Spotahome RedisFailover (with its Secret) and an OpsTree RedisReplication +
    // RedisSentinel pair (with theirs).
    let (_, diagnostics) = check_dir(
        Path::new("fixtures/examples/operators-correct"),
        Target::default(),
    );
    let loud: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.severity >= Severity::Warning)
        .map(|d| format!("{}: {}", d.rule.name(), d.message))
        .collect();
    assert!(loud.is_empty(), "{loud:#?}");
}

#[test]
fn seed_operator_files() {
    let seeds = Path::new("../shared/seed-configs/operators");
    if !seeds.is_dir() {
        return;
    }
    let (_, diagnostics) = check_dir(seeds, Target::default());
    let rules: Vec<&str> = diagnostics.iter().map(|d| d.rule.name()).collect();
    // The invented `kind: Redis` + `mode: sentinel`; the RedisCluster keeps `nodes.conf`
    // on the container's own disk (no `storage.nodeConfVolume`, whose CRD default is
    // false) and nothing keeps leaders and followers on different nodes. Spotahome's
    // 5000/10000 are its defaults and nothing else is wrong enough to report.
    assert_eq!(
        rules,
        [
            "cluster-replica-same-failure-domain",
            "cluster-config-file-not-persistent",
            "opstree-redis-kind-sentinel-mode"
        ],
        "{diagnostics:#?}"
    );
}

/// A RedisReplication that shares its file with the ConfigMap it reads: the file is the
/// deployment, and no sentinel watches the replication.
#[test]
fn replication_with_its_configmap_and_no_sentinel() {
    let dir = std::env::temp_dir().join(format!("halint-opstree-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("redis.yaml"),
        r#"apiVersion: v1
kind: ConfigMap
metadata: {name: extra, namespace: app}
data:
  redis-additional.conf: |
    maxmemory-policy allkeys-lru
    tcp-keepalive 300
---
apiVersion: redis.redis.opstreelabs.in/v1beta2
kind: RedisReplication
metadata: {name: cache, namespace: app}
spec:
  clusterSize: 3
  redisConfig: {additionalRedisConfig: extra}
  kubernetesConfig: {image: "quay.io/opstree/redis:v7.0.15"}
  storage:
    volumeClaimTemplate:
      spec:
        accessModes: [ReadWriteOnce]
        resources: {requests: {storage: 1Gi}}
"#,
    )
    .unwrap();
    let (_, diagnostics) = check_dir(&dir, Target::default());
    let rules: Vec<&str> = diagnostics.iter().map(|d| d.rule.name()).collect();
    assert!(
        rules.contains(&"opstree-replication-without-sentinel"),
        "{rules:?}"
    );
}
