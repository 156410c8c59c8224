//! From operator custom resources to a plan: a Spotahome `RedisFailover`, an OpsTree
//! `RedisReplication` (with its embedded sentinel or the `RedisSentinel` that names it),
//! the values of the bitnami `redis` chart with Sentinel enabled.

use super::extract::{location, Extracted};
use super::plan::{Auth, GroupPlan, PasswordSource};
use crate::model::topology::{Resource, Topology};
use crate::syntax::yaml::Node;
use crate::Workspace;
use std::collections::BTreeSet;

pub const SPOTAHOME: &str = "databases.spotahome.com";
pub const OPSTREE: &str = "redis.redis.opstreelabs.in";

pub fn groups(workspace: &Workspace, topology: &Topology) -> Vec<Extracted> {
    let mut out = Vec::new();
    for resource in &topology.resources {
        if resource.is(SPOTAHOME, "RedisFailover") {
            out.push(redis_failover(workspace, resource));
        } else if resource.is(OPSTREE, "RedisReplication") {
            out.push(opstree_replication(workspace, topology, resource));
        } else if resource.api_group == crate::model::topology::BITNAMI_VALUES {
            out.extend(bitnami_values(workspace, resource));
        }
    }
    out
}

fn number(node: Option<&Node>) -> Option<i64> {
    node.and_then(Node::as_i64)
}

/// `customConfig` entries as (lower-cased parameter, value).
fn custom_config(node: Option<&Node>) -> Vec<(String, String)> {
    node.and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::as_str)
        .filter_map(|entry| {
            let (k, v) = entry.trim().split_once(char::is_whitespace)?;
            Some((
                k.to_ascii_lowercase(),
                v.trim().trim_matches('"').to_string(),
            ))
        })
        .collect()
}

fn memory(value: &str) -> Option<u128> {
    crate::knowledge::values::parse_memory(value)
}

fn redis_failover(workspace: &Workspace, rf: &Resource) -> Extracted {
    let spec = rf.spec();
    let mut group = GroupPlan::new("mymaster");
    let mut notes = Vec::new();
    let replicas = |path: &str| {
        number(spec.and_then(|s| s.at(path)))
            .filter(|n| *n > 0)
            .unwrap_or(3) as usize
    };
    group.data_nodes = replicas("redis.replicas");
    group.sentinels = replicas("sentinel.replicas");
    // The operator computes the quorum itself.
    group.quorum = group.majority();
    let sentinel_config = custom_config(spec.and_then(|s| s.at("sentinel.customConfig")));
    if sentinel_config.is_empty() {
        // The operator's defaults, only when the list is empty.
        group.down_after_ms = 5000;
        group.failover_timeout_ms = 10_000;
    }
    for (k, v) in &sentinel_config {
        match k.as_str() {
            "down-after-milliseconds" => group.down_after_ms = v.parse().unwrap_or(30_000),
            "failover-timeout" => group.failover_timeout_ms = v.parse().unwrap_or(180_000),
            "parallel-syncs" => group.parallel_syncs = v.parse().unwrap_or(1),
            _ => {}
        }
    }
    // The generated redis.conf has `save` rules; customConfig is applied with CONFIG SET.
    group.rdb = true;
    for (k, v) in custom_config(spec.and_then(|s| s.at("redis.customConfig"))) {
        match k.as_str() {
            "appendonly" => group.appendonly = v.eq_ignore_ascii_case("yes"),
            "save" if v.is_empty() => group.rdb = false,
            "maxmemory" => group.maxmemory = memory(&v),
            "maxmemory-policy" => group.maxmemory_policy = Some(v),
            "min-replicas-to-write" => group.min_replicas_to_write = v.parse().unwrap_or(0),
            "min-replicas-max-lag" => group.min_replicas_max_lag = v.parse().unwrap_or(10),
            _ => {}
        }
    }
    if let Some(secret) = spec.and_then(|s| s.at("auth.secretPath")) {
        if let Some(name) = secret.as_str().filter(|n| !n.is_empty()) {
            group.auth = Auth::Password(PasswordSource {
                declared_at: Some(format!(
                    "spec.auth.secretPath at {}",
                    location(workspace, rf.span(secret))
                )),
                env: None,
                secret: Some((name.to_string(), "password".to_string())),
            });
        }
    }
    if spec
        .and_then(|s| s.at("redis.storage.persistentVolumeClaim"))
        .is_none()
    {
        notes.push(format!(
            "RedisFailover {}: its data was on an emptyDir; the output keeps it on a volume claim",
            rf.name.as_deref().unwrap_or("?")
        ));
    }
    Extracted {
        group,
        files: BTreeSet::from([rf.file]),
        notes,
    }
}

fn opstree_replication(workspace: &Workspace, topology: &Topology, rr: &Resource) -> Extracted {
    let spec = rr.spec();
    let mut notes = Vec::new();
    let mut files = BTreeSet::from([rr.file]);
    let str_number =
        |node: Option<&Node>| node.and_then(|n| n.as_str()?.trim().parse::<i64>().ok());
    let sentinel = topology.resources.iter().find(|s| {
        s.is(OPSTREE, "RedisSentinel")
            && s.same_namespace(rr)
            && s.spec()
                .and_then(|sp| sp.at("redisSentinelConfig.redisReplicationName"))
                .and_then(Node::as_str)
                == rr.name.as_deref()
    });
    let embedded = spec.and_then(|s| s.get("sentinel"));
    let mut group;
    if let Some(sentinel) = sentinel {
        files.insert(sentinel.file);
        let sspec = sentinel.spec();
        let config = sspec.and_then(|s| s.get("redisSentinelConfig"));
        let name = config
            .and_then(|c| c.get_str("masterGroupName"))
            .unwrap_or("myMaster");
        group = GroupPlan::new(name);
        group.sentinels = number(sspec.and_then(|s| s.get("clusterSize"))).unwrap_or(3) as usize;
        read_sentinel_config(&mut group, config, &str_number);
    } else if let Some(embedded) = embedded {
        group = GroupPlan::new("mymaster");
        group.sentinels = number(embedded.get("size")).unwrap_or(3) as usize;
        read_sentinel_config(&mut group, Some(embedded), &str_number);
    } else {
        group = GroupPlan::new("mymaster");
        notes.push(format!(
            "RedisReplication {}: no sentinel watches it; the output adds 3",
            rr.name.as_deref().unwrap_or("?")
        ));
        group.quorum = 2;
        group.down_after_ms = 5000;
        group.failover_timeout_ms = 10_000;
    }
    group.data_nodes = number(spec.and_then(|s| s.get("clusterSize")))
        .filter(|n| *n > 0)
        .unwrap_or(1) as usize;
    group.rdb = true;
    // `additionalRedisConfig` names a ConfigMap; its redis.conf is in the tree if we wrote it.
    if let Some(cm) = spec
        .and_then(|s| s.at("redisConfig.additionalRedisConfig"))
        .and_then(Node::as_str)
    {
        if let Some(node) = topology.nodes.iter().find(|n| {
            workspace
                .source(n.file)
                .is_some_and(|_| n.name.contains(cm) || n.name_hints.iter().any(|h| h == cm))
        }) {
            group.appendonly = node
                .persistence
                .appendonly
                .as_ref()
                .is_some_and(|a| a.value);
            group.rdb = node.persistence.rdb_off.is_none();
            group.maxmemory = node.maxmemory.as_ref().map(|m| m.value);
            group.maxmemory_policy = node.maxmemory_policy.as_ref().map(|p| p.value.clone());
            if let Some(m) = &node.min_replicas_to_write {
                group.min_replicas_to_write = m.value;
            }
        }
    }
    if let Some(secret) = spec.and_then(|s| s.at("kubernetesConfig.redisSecret")) {
        if let (Some(name), Some(key)) = (secret.get_str("name"), secret.get_str("key")) {
            group.auth = Auth::Password(PasswordSource {
                declared_at: Some(format!(
                    "kubernetesConfig.redisSecret at {}",
                    location(workspace, rr.span(secret))
                )),
                env: None,
                secret: Some((name.to_string(), key.to_string())),
            });
        }
    }
    Extracted {
        group,
        files,
        notes,
    }
}

fn read_sentinel_config(
    group: &mut GroupPlan,
    config: Option<&Node>,
    str_number: &impl Fn(Option<&Node>) -> Option<i64>,
) {
    let get = |key: &str| str_number(config.and_then(|c| c.get(key)));
    group.quorum = get("quorum").unwrap_or(2).max(0) as usize;
    // The defaults of current releases (v0.23+).
    group.down_after_ms = get("downAfterMilliseconds").unwrap_or(5000);
    group.failover_timeout_ms = get("failoverTimeout").unwrap_or(10_000);
    group.parallel_syncs = get("parallelSyncs").unwrap_or(1);
}

/// Values of the bitnami chart in Sentinel mode: `replica.replicaCount` pods, each with a
/// data node and a sentinel.
fn bitnami_values(workspace: &Workspace, values: &Resource) -> Option<Extracted> {
    let root = &values.object;
    let sentinel = root.get("sentinel");
    if sentinel
        .and_then(|s| s.get("enabled"))
        .and_then(Node::as_bool_11)
        != Some(true)
    {
        return None;
    }
    let name = sentinel
        .and_then(|s| s.get_str("masterSet"))
        .unwrap_or("mymaster");
    let mut group = GroupPlan::new(name);
    let pods = number(root.at("replica.replicaCount")).unwrap_or(3).max(0) as usize;
    group.data_nodes = pods;
    group.sentinels = pods;
    let get = |key: &str| number(sentinel.and_then(|s| s.get(key)));
    group.quorum = get("quorum").unwrap_or(2).max(0) as usize;
    group.down_after_ms = get("downAfterMilliseconds").unwrap_or(60_000);
    group.failover_timeout_ms = get("failoverTimeout").unwrap_or(180_000);
    group.parallel_syncs = get("parallelSyncs").unwrap_or(1);
    // The chart's commonConfiguration: AOF on, snapshots off.
    group.appendonly = true;
    group.rdb = false;
    let auth = root.get("auth");
    let enabled = auth
        .and_then(|a| a.get("enabled"))
        .and_then(Node::as_bool_11)
        .unwrap_or(true);
    if enabled {
        let existing = auth
            .and_then(|a| a.get_str("existingSecret"))
            .filter(|s| !s.is_empty());
        let key = auth
            .and_then(|a| a.get_str("existingSecretPasswordKey"))
            .filter(|s| !s.is_empty())
            .unwrap_or("redis-password");
        let at = auth.map_or(values.object.span.clone(), |a| a.span.clone());
        group.auth = Auth::Password(PasswordSource {
            declared_at: Some(format!(
                "auth in {}",
                location(
                    workspace,
                    crate::source::Span::new(values.file, at.start, at.end)
                )
            )),
            env: None,
            secret: existing.map(|s| (s.to_string(), key.to_string())),
        });
    }
    Some(Extracted {
        group,
        files: BTreeSet::from([values.file]),
        notes: Vec::new(),
    })
}
