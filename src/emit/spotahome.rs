//! `--to spotahome`: a `RedisFailover` (databases.spotahome.com/v1) per group. The
//! operator fixes the master name (`mymaster`) and the quorum (sentinels/2+1); what it
//! cannot express is said in the notes. Sentinel timings are restated in full (a
//! non-empty `customConfig` drops the operator's defaults), data sits on a kept volume
//! claim, anti-affinity is required, and the password comes from a Secret with the key
//! `password`, the only key the operator reads.

use super::k8s::{meta, required_anti_affinity, secret_manifest};
use super::plan::{memory_limit_mi, redis_bytes, GroupPlan, Plan};
use super::yaml::{documents, int, map, q, s, seq, Value};
use super::{Options, OutFile};

pub fn emit(
    plan: &Plan,
    options: &Options,
    header: &[String],
    notes: &mut Vec<String>,
) -> Vec<OutFile> {
    let mut docs = Vec::new();
    for group in &plan.groups {
        let name = resource_name(plan, group);
        if group.master_name != "mymaster" {
            notes.push(format!(
                "{}: a RedisFailover always names its master `mymaster`; clients that ask for `{}` must change",
                group.master_name, group.master_name
            ));
        }
        if group.quorum != group.majority() {
            notes.push(format!(
                "{}: the operator sets the quorum to {} (sentinels/2+1), not {}",
                group.master_name,
                group.majority(),
                group.quorum
            ));
        }
        let secret = secret_name(group, options, &name);
        if let Some((secret, true)) = &secret {
            docs.push(secret_manifest(secret, "password", &options.namespace));
        }
        docs.push(failover(
            group,
            options,
            &name,
            secret.as_ref().map(|s| s.0.as_str()),
        ));
    }
    vec![OutFile::new("redisfailover.yaml", documents(header, &docs))]
}

/// At most 48 characters (the operator's limit).
fn resource_name(plan: &Plan, group: &GroupPlan) -> String {
    let name = plan.prefix(group).unwrap_or_else(|| "redis".to_string());
    name.chars()
        .take(48)
        .collect::<String>()
        .trim_end_matches('-')
        .to_string()
}

/// The Secret (name, whether to write it). The operator reads the key `password` only.
fn secret_name(group: &GroupPlan, options: &Options, name: &str) -> Option<(String, bool)> {
    let source = group.password_source()?;
    if let Some(existing) = &options.secret_name {
        return Some((existing.clone(), false));
    }
    match &source.secret {
        Some((secret, key)) if key == "password" => Some((secret.clone(), false)),
        _ => Some((format!("{name}-auth"), true)),
    }
}

/// The operator labels pods with the resource's name and their component.
fn anti_affinity(name: &str, component: &str) -> Value {
    required_anti_affinity(map([
        ("app.kubernetes.io/name", s(name)),
        ("app.kubernetes.io/component", s(component)),
    ]))
}

fn failover(group: &GroupPlan, options: &Options, name: &str, secret: Option<&str>) -> Value {
    let mut redis_config = vec![q(format!(
        "appendonly {}",
        if group.appendonly { "yes" } else { "no" }
    ))];
    if !group.rdb {
        redis_config.push(q("save \"\""));
    }
    if let Some(max) = group.maxmemory {
        redis_config.push(q(format!("maxmemory {}", redis_bytes(max))));
    }
    if let Some(policy) = &group.maxmemory_policy {
        redis_config.push(q(format!("maxmemory-policy {policy}")));
    }
    if group.min_replicas_to_write > 0 {
        redis_config.push(q(format!(
            "min-replicas-to-write {}",
            group.min_replicas_to_write
        )));
        redis_config.push(q(format!(
            "min-replicas-max-lag {}",
            group.min_replicas_max_lag
        )));
    }
    let mut redis = map([
        ("replicas", int(group.data_nodes as i64)),
        ("image", s(&options.image)),
        ("customConfig", Value::Seq(redis_config)),
    ]);
    if let Some(max) = group.maxmemory {
        let limit = format!("{}Mi", memory_limit_mi(max));
        redis.push(
            "resources",
            map([
                ("requests", map([("memory", s(&limit))])),
                ("limits", map([("memory", s(&limit))])),
            ]),
        );
    }
    redis.push(
        "storage",
        map([
            ("keepAfterDeletion", Value::Bool(true)),
            (
                "persistentVolumeClaim",
                map([
                    ("metadata", map([("name", s("redis-data"))])),
                    (
                        "spec",
                        map([
                            ("accessModes", seq([s("ReadWriteOnce")])),
                            (
                                "resources",
                                map([("requests", map([("storage", s("10Gi"))]))]),
                            ),
                        ]),
                    ),
                ]),
            ),
        ]),
    );
    redis.push("affinity", anti_affinity(name, "redis"));
    let sentinel = map([
        ("replicas", int(group.sentinels as i64)),
        ("image", s(&options.image)),
        (
            "customConfig",
            seq([
                q(format!("down-after-milliseconds {}", group.down_after_ms)),
                q(format!("failover-timeout {}", group.failover_timeout_ms)),
                q(format!("parallel-syncs {}", group.parallel_syncs)),
            ]),
        ),
        ("affinity", anti_affinity(name, "sentinel")),
    ]);
    let mut spec = map([("sentinel", sentinel), ("redis", redis)]);
    if let Some(secret) = secret {
        spec.push("auth", map([("secretPath", s(secret))]));
    }
    map([
        ("apiVersion", s("databases.spotahome.com/v1")),
        ("kind", s("RedisFailover")),
        ("metadata", meta(name, &options.namespace, None)),
        ("spec", spec),
    ])
}
