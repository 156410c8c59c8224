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
