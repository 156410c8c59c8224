//! Operator resources and chart values as the processes they deploy.
//!
//! A Spotahome `RedisFailover`, an OpsTree `RedisReplication` (with an embedded
//! `spec.sentinel`, or watched by a `RedisSentinel`) and bitnami `redis` values in
//! Sentinel mode each become data nodes and sentinels of the model, with their counts,
//! quorum, timings and passwords at the lines of the resource. The generic rules then
//! judge them like any other deployment; what the operator or chart writes itself (the
//! rest of each config) is not visible here, so the processes are marked as managed and
//! incomplete, and only what the resource says is claimed.
//!
//! Facts read (see `../shared/reference/operators.md` for the sources):
//! - Spotahome v1.2–1.3: `redis.replicas` and `sentinel.replicas` default to 3 (also
//!   when ≤ 0); the quorum is `sentinel.replicas / 2 + 1`; the master name is `mymaster`;
//!   `auth.secretPath` gives every node and sentinel the same password.
//! - OpsTree v1beta2 (v0.15+): `RedisSentinel.spec.clusterSize` defaults to 3,
//!   `redisSentinelConfig.masterGroupName` to `myMaster`, `quorum` to "2"; the embedded
//!   `RedisReplication.spec.sentinel` (v0.23+) is on when `size` > 0, monitors `mymaster`
//!   and logs in with the replication's own secret.
//! - OpsTree's charts (OT-CONTAINER-KIT/redis-operator `charts/`): `redis-replication`
//!   0.16.0–0.17.0 renders a RedisReplication (embedded sentinel from 0.17.0, quorum
//!   fixed at 2), `redis-sentinel` 0.16.x a RedisSentinel whose template defaults are
//!   down-after 30000 and failover-timeout 180000 (not the CRD's).
//! - bitnami/redis (chart 17–23): one sentinel per data pod, `replica.replicaCount`
//!   (default 3) pods, `sentinel.quorum` 2, `sentinel.masterSet` `mymaster`, `auth.enabled`
//!   and `auth.sentinel` true by default.
//! - valkey-io/valkey-helm (chart `valkey` 0.9.0–0.11.0): no Sentinel in any release;
//!   `replica.enabled` (default false) runs one StatefulSet of `replica.replicas + 1`
//!   pods (default 2 + 1) whose pod 0 is the primary and the others `replicaof` it, each
//!   on a claim of its own; `auth.enabled` (default false) gives every node ACL users and
//!   the replicas `masterauth`; `replica.minReplicasToWrite` is written only when > 0;
//!   `valkeyConfig` is appended to the generated config, which has no `save` or
//!   `appendonly` line of its own.

use crate::facts::consensus::{ConsensusCluster, ConsensusKind};
use crate::facts::{Monitor, Node, Password, Persistence, ReplicaOf, Runtime, SentinelProc};
use crate::formats::units::{
    Resource, BITNAMI_VALUES, GROUNDHOG_VALUES, OPSTREE_VALUES, REDIS_HA_VALUES, VALKEY_HELM_VALUES,
};
use crate::source::{Origin, Span, Spanned};
use crate::syntax::yaml::Node as Yaml;

pub const OPSTREE: &str = "redis.redis.opstreelabs.in";
pub const SPOTAHOME: &str = "databases.spotahome.com";
pub const REDIS_ENTERPRISE: &str = "app.redislabs.com";

/// More copies than this are read as this many: the rules need the count, not a
/// process per pod of a huge (or mistyped) size.
pub(crate) const MAX_COPIES: i64 = 64;

/// The directives of a ConfigMap key a resource names, found near the resource:
/// (resource, ConfigMap name, key) → (directive, value, where the value is written).
pub type ConfigMapLines<'a> =
    dyn Fn(&Resource, &str, &str) -> Option<Vec<(String, String, (Span, Origin))>> + 'a;

/// The data nodes a resource deploys.
struct DataNodes {
    count: i64,
    /// Where the count is written (or the key that implies it).
    count_at: Span,
    password: Option<Spanned<Password>>,
    /// The Secret (name, key) the password comes from.
    secret: Option<(String, String)>,
    port: i64,
    /// Settings the resource gives the data nodes (Spotahome `redis.customConfig`, the
    /// chart's own configuration).
    settings: NodeSettings,
    /// The data is on an emptyDir, as this span says.
    ephemeral: Option<Span>,
    /// The data containers' memory limit (bytes), where the resource writes it.
    memory_limit: Option<Spanned<u128>>,
}

#[derive(Default)]
struct NodeSettings {
    persistence: Persistence,
    maxmemory: Option<Spanned<u128>>,
    maxmemory_policy: Option<Spanned<String>>,
    min_replicas_to_write: Option<Spanned<i64>>,
    min_replicas_max_lag: Option<Spanned<i64>>,
}

/// The sentinels a resource deploys and what they are told.
struct Sentinels {
    count: i64,
    count_at: Span,
    /// The key that links the sentinels to their data nodes.
    line: Span,
    master_name: Spanned<String>,
    quorum: Spanned<i64>,
    down_after: Option<Spanned<i64>>,
    failover_timeout: Option<Spanned<i64>>,
    parallel_syncs: Option<Spanned<i64>>,
    auth_pass: Option<Spanned<Password>>,
    /// The sentinels' own password (bitnami `auth.sentinel`).
    password: Option<Spanned<Password>>,
    /// The one field that gives the sentinels the data nodes' password, when the
    /// operator does not derive it from the data nodes' resource.
    auth_pass_field: Option<&'static str>,
    /// The sentinel container's CPU limit (millicores), where the resource writes it.
    cpu_limit: Option<Spanned<i64>>,
}

/// The replication a RedisSentinel (or the sentinel chart's values) names.
fn opstree_watched_name(r: &Resource) -> Option<&str> {
    let values = r.is_chart_values();
    let config = if values {
        r.object.get("redisSentinelConfig")
    } else {
        r.spec().and_then(|s| s.get("redisSentinelConfig"))
    };
    config
        .and_then(|c| c.get("redisReplicationName"))
        .and_then(Yaml::as_str)
        .or(if values {
            Some("redis-replication")
        } else {
            None
        })
}

/// The settings a resource adds to the config its operator generates, in order (the
/// last of a directive wins).
fn node_settings(lines: &[(String, String, (Span, Origin))]) -> NodeSettings {
    let mut settings = NodeSettings::default();
    for (key, value, (span, origin)) in lines {
        let (span, origin) = (*span, *origin);
        let written = |v: i64| Spanned::with_origin(v, span, origin);
        match key.as_str() {
            "appendonly" => {
                settings.persistence.appendonly = Some(Spanned::with_origin(
                    value.eq_ignore_ascii_case("yes"),
                    span,
                    origin,
                ))
            }
            "save" => settings.persistence.rdb_off = value.is_empty().then_some(span),
            "dir" => {
                settings.persistence.dir = Some(Spanned::with_origin(value.clone(), span, origin))
            }
            "maxmemory" => {
                settings.maxmemory = crate::knowledge::values::parse_memory(value)
                    .map(|v| Spanned::with_origin(v, span, origin))
            }
            "maxmemory-policy" => {
                settings.maxmemory_policy = Some(Spanned::with_origin(
                    value.to_ascii_lowercase(),
                    span,
                    origin,
                ))
            }
            "min-replicas-to-write" => {
                settings.min_replicas_to_write = value.parse().ok().map(written)
            }
            "min-replicas-max-lag" => {
                settings.min_replicas_max_lag = value.parse().ok().map(written)
            }
            _ => {}
        }
    }
    settings
}

/// The CPU limit of a `resources` block (`limits.cpu`), in millicores.
fn cpu_limit(r: &Resource, resources: Option<&Yaml>) -> Option<Spanned<i64>> {
    let node = resources?.at("limits.cpu")?;
    let millicores = crate::knowledge::values::parse_millicores(node.as_str()?)?;
    Some(literal(r, node, millicores))
}

/// A container memory limit (`limits.memory`, a Kubernetes quantity) of `resources`.
fn memory_limit(r: &Resource, resources: Option<&Yaml>) -> Option<Spanned<u128>> {
    let node = resources?.at("limits.memory")?;
    let bytes = crate::knowledge::values::parse_k8s_bytes(node.as_str()?)?;
    Some(literal(r, node, bytes))
}

/// Data nodes and sentinels of every resource of the tree. `stem` names a file (a
/// values file has no name of its own: `values-prod`); `dir` gives its directory.
pub fn processes(
    resources: &[Resource],
    stem: &dyn Fn(crate::source::FileId) -> String,
    dir: &dyn Fn(crate::source::FileId) -> std::path::PathBuf,
    config_map: &ConfigMapLines,
) -> (Vec<Node>, Vec<SentinelProc>) {
    let mut nodes = Vec::new();
    let mut sentinels = Vec::new();
    // Each resource is a deployment of its own: its master address is unique, so the
    // linker never merges two of them (two values files of one chart, say).
    let mut hosts: std::collections::HashMap<String, usize> = Default::default();
    // The address given to each RedisReplication, for the RedisSentinels that name it.
    let mut replications: Vec<(&Resource, String)> = Vec::new();
    // A RedisSentinel naming a replication outside the tree: one address per directory.
    let mut outside: std::collections::HashMap<(String, std::path::PathBuf), String> =
        Default::default();
    // Replications first, so that every RedisSentinel finds the one it names.
    let watchers_only =
        |r: &&Resource| r.is(OPSTREE, "RedisSentinel") || r.is(OPSTREE_VALUES, SENTINEL_VALUES);
    let ordered = resources
        .iter()
        .filter(|r| !watchers_only(r))
        .chain(resources.iter().filter(watchers_only));
    for r in ordered {
        let (data, watchers, host) = match (r.api_group.as_str(), r.kind.as_str()) {
            (SPOTAHOME, "RedisFailover") => {
                let (d, s) = spotahome(r);
                (
                    Some(d),
                    Some(s),
                    format!("rfrm-{}", r.name.as_deref().unwrap_or("redisfailover")),
                )
            }
            (OPSTREE, "RedisReplication") => (
                opstree_data(r, config_map),
                opstree_embedded_sentinel(r),
                opstree_master_host(r.name.as_deref().unwrap_or("redis-replication"), r),
            ),
            (OPSTREE_VALUES, REPLICATION_VALUES) => {
                let (data, watchers) = opstree_replication_values(r);
                let name = r.name.clone().unwrap_or_else(|| stem(r.file));
                (data, watchers, opstree_master_host(&name, r))
            }
            (OPSTREE, "RedisSentinel") | (OPSTREE_VALUES, SENTINEL_VALUES) => {
                let values = r.is_chart_values();
                let config = if values {
                    r.object.get("redisSentinelConfig")
                } else {
                    r.spec().and_then(|s| s.get("redisSentinelConfig"))
                };
                let replication = config
                    .and_then(|c| c.get("redisReplicationName"))
                    .and_then(Yaml::as_str)
                    // The redis-sentinel chart's default.
                    .unwrap_or(if values { "redis-replication" } else { "" });
                let host = opstree_master_host(replication, r);
                // The replication it names, nearest in the tree (copies of a deployment
                // in sibling folders each watch their own). The values of a replication
                // chart whose release name is not in the tree are taken from its folder.
                // A replication that another RedisSentinel naming it lies nearer to
                // belongs to that one's deployment (two sample folders of one repository
                // are alternatives, not one group of six sentinels).
                let nearer_watcher = |o: &Resource| {
                    let mine = common_depth(&dir(o.file), &dir(r.file));
                    resources.iter().filter(watchers_only).any(|w| {
                        !std::ptr::eq(w, r)
                            && w.same_namespace(o)
                            && opstree_watched_name(w) == Some(replication)
                            && common_depth(&dir(o.file), &dir(w.file)) > mine
                    })
                };
                let named = replications
                    .iter()
                    .filter(|(o, _)| {
                        (o.name.as_deref() == Some(replication)
                            || (values && o.name.is_none() && dir(o.file) == dir(r.file)))
                            && o.same_namespace(r)
                            && !nearer_watcher(o)
                    })
                    .max_by_key(|(o, _)| common_depth(&dir(o.file), &dir(r.file)));
                let host = match named {
                    Some((_, h)) => h.clone(),
                    None => {
                        let n = outside.len();
                        outside
                            .entry((host.clone(), dir(r.file)))
                            .or_insert_with(|| if n == 0 { host } else { format!("{host}~d{n}") })
                            .clone()
                    }
                };
                let sentinels = if values {
                    opstree_sentinel_values(r)
                } else {
                    opstree_sentinel(r)
                };
                (None, sentinels, host)
            }
            (VALKEY_HELM_VALUES, _) => match valkey_helm(r) {
                Some(d) => (
                    Some(d),
                    None,
                    format!("{}-0", r.name.clone().unwrap_or_else(|| stem(r.file))),
                ),
                None => continue,
            },
            (GROUNDHOG_VALUES, _) => match groundhog(r) {
                Some((d, s)) => (
                    Some(d),
                    Some(s),
                    format!("{}-0", r.name.clone().unwrap_or_else(|| stem(r.file))),
                ),
                None => continue,
            },
            (REDIS_HA_VALUES, _) => match redis_ha(r) {
                Some((d, s)) => (
                    Some(d),
                    Some(s),
                    format!(
                        "{}-redis-ha-server-0",
                        r.name.clone().unwrap_or_else(|| stem(r.file))
                    ),
                ),
                None => continue,
            },
            (BITNAMI_VALUES, _) => match bitnami(r) {
                Some((d, s)) => {
                    let name = r.name.clone().unwrap_or_else(|| stem(r.file));
                    // Without Sentinel the master is pod 0 of its own StatefulSet.
                    let pod = match (&s, r.kind == "valkey-values") {
                        (Some(_), _) => "node",
                        (None, true) => "primary",
                        (None, false) => "master",
                    };
                    (Some(d), s, format!("{name}-{pod}-0"))
                }
                None => continue,
            },
            _ => continue,
        };
        // (A RedisSentinel names the replication's address: that is no second master.)
        let host = if data.is_some() {
            let seen = hosts.entry(host.clone()).or_default();
            *seen += 1;
            match *seen {
                1 => host,
                n => format!("{host}~{n}"),
            }
        } else {
            host
        };
        if r.is(OPSTREE, "RedisReplication") || r.is(OPSTREE_VALUES, REPLICATION_VALUES) {
            replications.push((r, host.clone()));
        }
        let what = describe(r);
        let port = data.as_ref().map_or(6379, |d| d.port);
        if let Some(d) = data {
            push_nodes(r, &what, &host, d, &mut nodes);
        }
        if let Some(s) = watchers {
            push_sentinels(r, &what, &host, port, s, &mut sentinels);
        }
    }
    (nodes, sentinels)
}

/// The deployments of the tree that keep their own quorum: each `RedisEnterpriseCluster`.
pub fn consensus_clusters(resources: &[Resource]) -> Vec<ConsensusCluster> {
    resources
        .iter()
        .filter(|r| r.is(REDIS_ENTERPRISE, "RedisEnterpriseCluster"))
        .map(|r| {
            let spec = r.spec();
            let anchor = name_span(r);
            let nodes = spec.and_then(|s| s.get("nodes"));
            let persistent = spec.and_then(|s| s.at("persistentSpec.enabled"));
            ConsensusCluster {
                kind: ConsensusKind::RedisEnterprise,
                name: r.name.clone().unwrap_or_else(|| "rec".to_string()),
                anchor,
                // The CRD's default is 3 nodes, with persistence on.
                nodes: nodes
                    .and_then(|n| Some(literal(r, n, n.as_i64()?)))
                    .unwrap_or_else(|| implied(3, anchor)),
                persistent: persistent
                    .and_then(|n| Some(literal(r, n, n.as_bool_11()?)))
                    .unwrap_or_else(|| implied(true, anchor)),
                storage_class: spec
                    .and_then(|s| s.at("persistentSpec.storageClassName"))
                    .and_then(|n| Some(literal(r, n, n.as_str()?.to_string()))),
            }
        })
        .collect()
}

/// How many leading components two directories share.
fn common_depth(a: &std::path::Path, b: &std::path::Path) -> usize {
    a.components()
        .zip(b.components())
        .take_while(|(x, y)| x == y)
        .count()
}

fn describe(r: &Resource) -> String {
    match (r.api_group.as_str(), r.name.as_deref()) {
        (BITNAMI_VALUES, Some(name)) => format!("the {} release `{name}`", bitnami_chart(r)),
        (BITNAMI_VALUES, None) => format!("the {} values", bitnami_chart(r)),
        (OPSTREE_VALUES, Some(name)) => format!("the {} release `{name}`", opstree_chart(r)),
        (OPSTREE_VALUES, None) => format!("the {} values", opstree_chart(r)),
        (VALKEY_HELM_VALUES, Some(name)) => format!("the valkey-io/valkey release `{name}`"),
        (VALKEY_HELM_VALUES, None) => "the valkey-io/valkey values".to_string(),
        (GROUNDHOG_VALUES, Some(name)) => {
            format!("the groundhog2k/{} release `{name}`", groundhog_chart(r))
        }
        (GROUNDHOG_VALUES, None) => format!("the groundhog2k/{} values", groundhog_chart(r)),
        (REDIS_HA_VALUES, Some(name)) => format!("the redis-ha release `{name}`"),
        (REDIS_HA_VALUES, None) => "the redis-ha values".to_string(),
        (_, Some(name)) => format!("{} `{name}`", r.kind),
        (_, None) => r.kind.clone(),
    }
}

/// The address the sentinels of an OpsTree replication watch; the namespace keeps two
/// replications of one name apart.
fn opstree_master_host(replication: &str, r: &Resource) -> String {
    match &r.namespace {
        Some(ns) => format!("{replication}-master.{ns}"),
        None => format!("{replication}-master"),
    }
}

pub(crate) fn at(r: &Resource, node: &Yaml) -> Span {
    r.span(node)
}

/// The span naming the resource, for facts it implies without writing them.
pub(crate) fn name_span(r: &Resource) -> Span {
    r.object
        .at("metadata.name")
        .or_else(|| r.object.get("kind"))
        .map_or(r.span(&r.object), |n| r.span(n))
}

/// The span of a word inside a `customConfig` entry. When the scalar is written as its
/// text (plain, or quoted without escapes) the word is spelled there and can be replaced;
/// otherwise only the entry is known.
fn value_span(r: &Resource, entry: &Yaml, offset: usize, len: usize) -> (Span, Origin) {
    let whole = at(r, entry);
    let text_len = entry.as_str().map_or(0, str::len);
    let quotes = match (whole.end - whole.start) as usize {
        n if n == text_len => 0,
        n if n == text_len + 2 => 1,
        _ => return (whole, Origin::Implied),
    };
    let start = whole.start as usize + quotes + offset;
    (Span::new(r.file, start, start + len), Origin::Literal)
}

pub(crate) fn literal<T>(r: &Resource, node: &Yaml, value: T) -> Spanned<T> {
    Spanned::with_origin(value, at(r, node), Origin::Literal)
}

pub(crate) fn implied<T>(value: T, span: Span) -> Spanned<T> {
    Spanned::with_origin(value, span, Origin::Implied)
}

/// An integer field written as a number or, as OpsTree's CRDs type them, a string.
pub(crate) fn int_field(r: &Resource, node: Option<&Yaml>) -> Option<Spanned<i64>> {
    let node = node?;
    Some(literal(r, node, node.as_i64()?))
}

/// A quorum field: its number (also written as a string, `"2"`), the default where it is
/// unset, and 0 — unknown, judged by no rule — where it is a value this tool cannot read
/// (a template expression, a variable): never the default.
fn quorum_field(r: &Resource, node: Option<&Yaml>, default: Spanned<i64>) -> Spanned<i64> {
    let Some(node) = node else {
        return default;
    };
    let value = node
        .as_i64()
        .or_else(|| node.as_str()?.trim().parse::<i64>().ok());
    match value {
        Some(n) => literal(r, node, n),
        None if node.as_str().is_some() => literal(r, node, 0),
        None => default,
    }
}

/// A password from a Secret reference: set, its value unknown here.
fn secret(r: &Resource, node: Option<&Yaml>) -> Option<Spanned<Password>> {
    node.map(|n| Spanned::with_origin(Password::Unknown, at(r, n), Origin::Implied))
}

fn spotahome(r: &Resource) -> (DataNodes, Sentinels) {
    let spec = r.spec();
    let count = |part: &str| -> (i64, Span) {
        let section = spec.and_then(|s| s.get(part));
        let node = section.and_then(|s| s.get("replicas"));
        match node.and_then(Yaml::as_i64) {
            // The operator turns a count ≤ 0 into 3.
            Some(n) if n > 0 => (n, at(r, node.unwrap())),
            _ => (
                3,
                node.or_else(|| spec.and_then(|s| s.key_node(part)))
                    .map_or_else(|| name_span(r), |n| at(r, n)),
            ),
        }
    };
    let (redis_count, redis_at) = count("redis");
    let (sentinel_count, sentinel_at) = count("sentinel");
    let password = secret(r, spec.and_then(|s| s.at("auth.secretPath")));
    let port = spec
        .and_then(|s| s.at("redis.port"))
        .and_then(Yaml::as_i64)
        .unwrap_or(6379);
    // `customConfig` entries reach Redis through CONFIG SET and Sentinel through
    // SENTINEL SET: `<option> <value>`, the last one winning.
    let custom = |part: &str| -> Vec<(String, String, (Span, Origin))> {
        let list = spec
            .and_then(|s| s.at(&format!("{part}.customConfig")))
            .and_then(Yaml::as_seq)
            .unwrap_or_default();
        list.iter()
            .filter_map(|entry| {
                let text = entry.as_str()?;
                let (key, value) = text.trim().split_once(char::is_whitespace)?;
                let value = value.trim();
                let offset = value.as_ptr() as usize - text.as_ptr() as usize;
                Some((
                    key.to_ascii_lowercase(),
                    value.trim_matches('"').to_string(),
                    value_span(r, entry, offset, value.len()),
                ))
            })
            .collect()
    };
    let sentinel_config = custom("sentinel");
    let timing = |key: &str, default: Option<i64>| -> Option<Spanned<i64>> {
        match sentinel_config.iter().rev().find(|(k, _, _)| k == key) {
            Some((_, v, (span, origin))) => v
                .parse()
                .ok()
                .map(|v| Spanned::with_origin(v, *span, *origin)),
            // The operator's defaults apply only when the list is empty.
            None if sentinel_config.is_empty() => default.map(|d| implied(d, sentinel_at)),
            None => None,
        }
    };
    let sentinels = Sentinels {
        count: sentinel_count,
        count_at: sentinel_at,
        line: sentinel_at,
        master_name: implied("mymaster".to_string(), sentinel_at),
        quorum: implied(sentinel_count / 2 + 1, sentinel_at),
        down_after: timing("down-after-milliseconds", Some(5000)),
        failover_timeout: timing("failover-timeout", Some(10_000)),
        parallel_syncs: timing("parallel-syncs", None),
        auth_pass: password.clone(),
        password: None,
        auth_pass_field: None,
        cpu_limit: cpu_limit(r, spec.and_then(|s| s.at("sentinel.resources"))),
    };
    // The generated redis.conf has `save` rules; customConfig changes them at run time.
    let settings = node_settings(&custom("redis"));
    let secret_name = spec
        .and_then(|s| s.at("auth.secretPath"))
        .and_then(Yaml::as_str)
        .filter(|n| !n.is_empty());
    let data = DataNodes {
        count: redis_count,
        count_at: redis_at,
        password,
        secret: secret_name.map(|n| (n.to_string(), "password".to_string())),
        port,
        settings,
        // Without a volume claim the data pods use an emptyDir.
        ephemeral: spec
            .and_then(|s| s.at("redis.storage.persistentVolumeClaim"))
            .is_none()
            .then_some(redis_at),
        memory_limit: memory_limit(r, spec.and_then(|s| s.at("redis.resources"))),
    };
    (data, sentinels)
}

fn opstree_data(r: &Resource, config_map: &ConfigMapLines) -> Option<DataNodes> {
    let spec = r.spec()?;
    // `redisConfig.additionalRedisConfig` names a ConfigMap whose `redis-additional.conf`
    // the pods include at the end of the config the operator generates.
    let additional = spec
        .at("redisConfig.additionalRedisConfig")
        .and_then(Yaml::as_str)
        .and_then(|name| config_map(r, name, "redis-additional.conf"))
        .unwrap_or_default();
    let node = spec.get("clusterSize")?;
    let count = node.as_i64()?;
    let secret_ref = spec.at("kubernetesConfig.redisSecret");
    Some(DataNodes {
        count,
        count_at: at(r, node),
        password: secret(r, secret_ref),
        secret: secret_ref.and_then(|s| {
            Some((
                s.get_str("name")?.to_string(),
                s.get_str("key")?.to_string(),
            ))
        }),
        port: 6379, // hard-coded in the operator's SENTINEL MONITOR
        settings: node_settings(&additional),
        ephemeral: spec.get("storage").is_none().then(|| at(r, node)),
        memory_limit: memory_limit(r, spec.at("kubernetesConfig.resources")),
    })
}

/// Timings of an OpsTree sentinel configuration (`redisSentinelConfig`, the embedded
/// `spec.sentinel`, or the charts' values), which the CRD types as strings. Unset (or
/// empty) timings take `defaults` (down-after, failover-timeout) at `default_at`.
fn opstree_timings(
    r: &Resource,
    config: Option<&Yaml>,
    default_at: Span,
    defaults: [i64; 2],
) -> [Option<Spanned<i64>>; 3] {
    let field = |key: &str| int_field(r, set(config.and_then(|c| c.get(key))));
    [
        field("downAfterMilliseconds").or(Some(implied(defaults[0], default_at))),
        field("failoverTimeout").or(Some(implied(defaults[1], default_at))),
        field("parallelSyncs"),
    ]
}

/// The defaults of current operator releases (v0.23+) for unset timings.
const CRD_TIMINGS: [i64; 2] = [5000, 10_000];

fn opstree_embedded_sentinel(r: &Resource) -> Option<Sentinels> {
    let spec = r.spec()?;
    let sentinel = spec.get("sentinel")?;
    let size_node = sentinel.get("size")?;
    let size = size_node.as_i64().filter(|n| *n > 0)?;
    let count_at = at(r, size_node);
    let [down_after, failover_timeout, parallel_syncs] =
        opstree_timings(r, Some(sentinel), count_at, CRD_TIMINGS);
    Some(Sentinels {
        count: size,
        count_at,
        line: spec.key_node("sentinel").map_or(count_at, |k| at(r, k)),
        master_name: implied("mymaster".to_string(), count_at),
        quorum: quorum_field(r, sentinel.get("quorum"), implied(2, count_at)),
        down_after,
        failover_timeout,
        parallel_syncs,
        // The operator logs its sentinels in with `spec.sentinel.redisSecret` when set,
        // else the replication's own secret.
        auth_pass: secret(
            r,
            sentinel
                .get("redisSecret")
                .or(spec.at("kubernetesConfig.redisSecret")),
        ),
        password: None,
        auth_pass_field: None,
        cpu_limit: cpu_limit(r, sentinel.get("resources")),
    })
}

fn opstree_sentinel(r: &Resource) -> Option<Sentinels> {
    let spec = r.spec()?;
    let config = spec.get("redisSentinelConfig");
    opstree_watchers(
        r,
        spec,
        spec.get("clusterSize"),
        name_span(r),
        CRD_TIMINGS,
        secret(r, config.and_then(|c| c.get("redisReplicationPassword"))),
        // The operator does not copy the RedisReplication's Secret to its sentinels.
        "`spec.redisSentinelConfig.redisReplicationPassword` (a `secretKeyRef` to the data nodes' Secret and key; `kubernetesConfig.redisSecret` only protects the sentinel port)",
    )
    .map(|s| Sentinels {
        cpu_limit: cpu_limit(r, spec.at("kubernetesConfig.resources")),
        ..s
    })
}

/// The sentinels of a `redisSentinelConfig` found in `holder` (a RedisSentinel's spec, or
/// the redis-sentinel chart's values, which its template passes on), `size` of them
/// (3 when unset, implied at `size_default_at`), master `myMaster` and quorum 2 unless
/// set, timings from `timings` unless set.
fn opstree_watchers(
    r: &Resource,
    holder: &Yaml,
    size: Option<&Yaml>,
    size_default_at: Span,
    timings: [i64; 2],
    auth_pass: Option<Spanned<Password>>,
    auth_pass_field: &'static str,
) -> Option<Sentinels> {
    let (count, count_at) = match size {
        Some(n) => (n.as_i64()?, at(r, n)),
        None => (3, size_default_at),
    };
    let config = holder.get("redisSentinelConfig");
    let line = config
        .and_then(|c| c.get("redisReplicationName"))
        .map(|n| at(r, n))
        .or_else(|| holder.key_node("redisSentinelConfig").map(|k| at(r, k)))
        .unwrap_or(count_at);
    let [down_after, failover_timeout, parallel_syncs] = opstree_timings(r, config, line, timings);
    let name = set(config.and_then(|c| c.get("masterGroupName")));
    Some(Sentinels {
        count,
        count_at,
        line,
        master_name: match name.and_then(Yaml::as_str) {
            Some(v) => literal(r, name.unwrap(), v.to_string()),
            None => implied("myMaster".to_string(), line),
        },
        quorum: quorum_field(
            r,
            set(config.and_then(|c| c.get("quorum"))),
            implied(2, count_at),
        ),
        down_after,
        failover_timeout,
        parallel_syncs,
        auth_pass,
        password: None,
        auth_pass_field: Some(auth_pass_field),
        cpu_limit: None,
    })
}

const REPLICATION_VALUES: &str = "redis-replication-values";
const SENTINEL_VALUES: &str = "redis-sentinel-values";

fn opstree_chart(r: &Resource) -> &'static str {
    if r.kind == REPLICATION_VALUES {
        "ot-helm/redis-replication"
    } else if r.kind == crate::formats::cluster_operators::OPSTREE_CLUSTER_VALUES {
        "ot-helm/redis-cluster"
    } else {
        "ot-helm/redis-sentinel"
    }
}

/// A value the chart's template passes on only when it is not empty (`""` and a missing
/// key both leave the default).
fn set(node: Option<&Yaml>) -> Option<&Yaml> {
    node.filter(|n| n.as_str() != Some(""))
}

/// The span values of a chart imply their defaults at: the key of `section` when the
/// file has it, else the first key of the file.
fn values_anchor(r: &Resource, sections: &[&str]) -> Span {
    sections
        .iter()
        .find_map(|s| r.object.key_node(s))
        .or_else(|| r.object.entries().next().map(|(k, _)| k))
        .map_or_else(|| r.span(&r.object), |k| at(r, k))
}

/// A `secretName` / `secretKey` pair, which the templates render only when both are set.
fn values_secret(
    r: &Resource,
    node: Option<&Yaml>,
) -> Option<(Spanned<Password>, (String, String))> {
    let node = node?;
    let name = set(node.get("secretName"))?;
    let key = set(node.get("secretKey"))?;
    Some((
        Spanned::with_origin(Password::Unknown, at(r, name), Origin::Implied),
        (name.as_str()?.to_string(), key.as_str()?.to_string()),
    ))
}

/// OpsTree's `redis-replication` chart (0.16.0–0.17.0): `redisReplication.clusterSize`
/// pods (default 3), `redisReplication.redisSecret`, `storageSpec` (a 1Gi claim by
/// default; an empty one renders no storage), and from 0.17.0 `sentinel.enabled` with
/// `sentinel.size` (3), down-after 5000 / failover 10000 / parallel-syncs 1, quorum fixed
/// at the CRD's "2" and the master named `mymaster`.
fn opstree_replication_values(r: &Resource) -> (Option<DataNodes>, Option<Sentinels>) {
    let v = &r.object;
    let anchor = values_anchor(r, &["redisReplication", "sentinel", "storageSpec"]);
    let size = v.at("redisReplication.clusterSize");
    let (count, count_at) = match size {
        Some(n) => match n.as_i64() {
            Some(c) => (c, at(r, n)),
            None => return (None, None), // a template or a typo: unknown
        },
        None => (3, anchor),
    };
    let secret = values_secret(r, v.at("redisReplication.redisSecret"));
    let storage = v.get("storageSpec");
    let no_storage = storage.filter(|n| n.entries().next().is_none());
    let data = DataNodes {
        count,
        count_at,
        password: secret.as_ref().map(|(p, _)| p.clone()),
        secret: secret.as_ref().map(|(_, s)| s.clone()),
        port: 6379,
        settings: NodeSettings::default(),
        ephemeral: no_storage.map(|n| at(r, n)),
        memory_limit: None,
    };
    let sentinel = v.get("sentinel");
    let enabled = sentinel.and_then(|s| s.get("enabled"));
    if enabled.and_then(Yaml::as_bool_11) != Some(true) {
        return (Some(data), None);
    }
    let sentinel = sentinel.unwrap();
    let enabled_at = sentinel.key_node("enabled").map_or(anchor, |k| at(r, k));
    let size = sentinel.get("size");
    let (sentinels, sentinels_at) = match size {
        Some(n) => match n.as_i64() {
            Some(c) => (c, at(r, n)),
            None => return (Some(data), None),
        },
        None => (3, enabled_at),
    };
    let [down_after, failover_timeout, parallel_syncs] =
        opstree_timings(r, Some(sentinel), enabled_at, CRD_TIMINGS);
    // The sentinel's own secret, else the replication's.
    let auth = values_secret(r, sentinel.get("redisSecret"))
        .map(|(p, _)| p)
        .or_else(|| data.password.clone());
    let watchers = Sentinels {
        count: sentinels,
        count_at: sentinels_at,
        line: enabled_at,
        master_name: implied("mymaster".to_string(), enabled_at),
        quorum: implied(2, enabled_at),
        down_after,
        failover_timeout,
        parallel_syncs,
        auth_pass: auth,
        password: None,
        auth_pass_field: None,
        cpu_limit: cpu_limit(r, sentinel.get("resources")),
    };
    (Some(data), Some(watchers))
}

/// OpsTree's `redis-sentinel` chart (0.16.x): `redisSentinel.clusterSize` sentinels
/// (default 3) watching `redisSentinelConfig.redisReplicationName`; an empty setting
/// takes the template's default: master `myMaster`, quorum 2, down-after 30000,
/// failover 180000, parallel-syncs 1. The sentinels log in to the data nodes only with
/// `redisSentinelConfig.redisReplicationPassword`.
fn opstree_sentinel_values(r: &Resource) -> Option<Sentinels> {
    let v = &r.object;
    let config = v.get("redisSentinelConfig");
    opstree_watchers(
        r,
        v,
        v.at("redisSentinel.clusterSize"),
        values_anchor(r, &["redisSentinel", "redisSentinelConfig"]),
        [30_000, 180_000],
        values_secret(r, config.and_then(|c| c.get("redisReplicationPassword"))).map(|(p, _)| p),
        "`redisSentinelConfig.redisReplicationPassword` (`secretName` and `secretKey` of the data nodes' Secret; `redisSentinel.redisSecret` only protects the sentinel port)",
    )
    .map(|s| Sentinels {
        cpu_limit: cpu_limit(r, v.at("redisSentinel.resources")),
        ..s
    })
}

/// `bitnami/valkey` or `bitnami/redis`, as the values file is written for.
fn bitnami_chart(r: &Resource) -> &'static str {
    if r.kind == "valkey-values" {
        "bitnami/valkey"
    } else {
        "bitnami/redis"
    }
}

/// bitnami/valkey (chart 2.0 on) calls the master the primary: `primary.*`,
/// `sentinel.primarySet` (default `myprimary`); earlier releases and bitnami/redis use
/// `master.*` and `sentinel.masterSet` (default `mymaster`).
fn bitnami(r: &Resource) -> Option<(DataNodes, Option<Sentinels>)> {
    let valkey = r.kind == "valkey-values";
    let v = &r.object;
    if v.get_str("architecture") == Some("standalone") {
        return None;
    }
    let sentinel = v
        .get("sentinel")
        .filter(|s| s.get("enabled").and_then(Yaml::as_bool_11) == Some(true));
    let Some(sentinel) = sentinel else {
        return bitnami_replication(r).map(|d| (d, None));
    };
    let enabled = sentinel
        .key_node("enabled")
        .map_or_else(|| at(r, sentinel), |k| at(r, k));
    // Sentinels are sidecars of the data pods: as many as `replica.replicaCount`.
    let count_node = v.at("replica.replicaCount");
    let count = match count_node {
        Some(n) => n.as_i64()?,
        None => 3,
    };
    let count_at = count_node.map_or(enabled, |n| at(r, n));
    let auth = v.get("auth");
    let password = bitnami_password(r, enabled);
    let sentinel_auth = auth
        .and_then(|a| a.get("sentinel"))
        .and_then(Yaml::as_bool_11)
        .unwrap_or(true);
    let field = |key: &str| int_field(r, sentinel.get(key));
    let name = sentinel
        .get("primarySet")
        .or_else(|| sentinel.get("masterSet"));
    let default_name = if valkey && sentinel.get("masterSet").is_none() {
        "myprimary"
    } else {
        "mymaster"
    };
    let sentinels = Sentinels {
        count,
        count_at,
        line: enabled,
        master_name: match name.and_then(Yaml::as_str) {
            Some(n) => literal(r, name.unwrap(), n.to_string()),
            None => implied(default_name.to_string(), enabled),
        },
        quorum: quorum_field(r, sentinel.get("quorum"), implied(2, enabled)),
        down_after: field("downAfterMilliseconds").or(Some(implied(60_000, enabled))),
        failover_timeout: field("failoverTimeout").or(Some(implied(180_000, enabled))),
        parallel_syncs: field("parallelSyncs"),
        auth_pass: password.clone(),
        password: password.clone().filter(|_| sentinel_auth),
        auth_pass_field: None,
        cpu_limit: cpu_limit(r, sentinel.get("resources")).or_else(|| {
            // A preset the file names; `nano` limits the container to 150m (bitnami
            // common's `_resources.tpl`). Unset, the chart's default applies, which the
            // values file does not say.
            let preset = sentinel.get("resourcesPreset")?;
            (preset.as_str()? == "nano").then(|| literal(r, preset, 150))
        }),
    };
    let secret_name = auth
        .and_then(|a| a.get_str("existingSecret"))
        .filter(|s| !s.is_empty());
    let secret_key = auth
        .and_then(|a| a.get_str("existingSecretPasswordKey"))
        .filter(|s| !s.is_empty())
        .unwrap_or(if valkey {
            "valkey-password"
        } else {
            "redis-password"
        });
    // The chart's own configuration: AOF on, snapshots off.
    let settings = NodeSettings {
        persistence: Persistence {
            rdb_off: Some(enabled),
            appendonly: Some(implied(true, enabled)),
            dir: None,
        },
        ..NodeSettings::default()
    };
    let persistence_off = v
        .at("replica.persistence.enabled")
        .filter(|n| n.as_bool_11() == Some(false));
    let port = v
        .at("master.containerPorts.redis")
        .or_else(|| v.at("primary.containerPorts.valkey"))
        .and_then(Yaml::as_i64)
        .unwrap_or(6379);
    Some((
        DataNodes {
            count,
            count_at,
            password: password.clone(),
            secret: password
                .is_some()
                .then(|| secret_name.map(|n| (n.to_string(), secret_key.to_string())))
                .flatten(),
            port,
            settings,
            ephemeral: persistence_off.map(|n| at(r, n)),
            memory_limit: memory_limit(r, v.at("replica.resources")),
        },
        Some(sentinels),
    ))
}

/// The data nodes' password of bitnami values: `auth.password`, or, with `auth.enabled`
/// (the default), one generated or read from `auth.existingSecret` (unknown, placed at
/// `auth.enabled`, else at `fallback`).
fn bitnami_password(r: &Resource, fallback: Span) -> Option<Spanned<Password>> {
    let auth = r.object.get("auth");
    let auth_on = auth
        .and_then(|a| a.get("enabled"))
        .and_then(Yaml::as_bool_11)
        .unwrap_or(true);
    auth_on.then(|| {
        let written = auth.and_then(|a| a.get("password"));
        match written.and_then(Yaml::as_str).filter(|p| !p.is_empty()) {
            Some(p) => literal(r, written.unwrap(), Password::from_value(p)),
            None => implied(
                Password::Unknown,
                auth.and_then(|a| a.key_node("enabled"))
                    .map_or(fallback, |k| at(r, k)),
            ),
        }
    })
}

/// bitnami values in the charts' default `replication` architecture without Sentinel:
/// a master StatefulSet of one pod (`master.*`, or `primary.*` for bitnami/valkey)
/// and `replica.replicaCount` replicas (3 by default) that replicate from it. Nothing
/// promotes a replica; what matters is the master's storage.
fn bitnami_replication(r: &Resource) -> Option<DataNodes> {
    let v = &r.object;
    let anchor = at(r, v);
    let count_node = v.at("replica.replicaCount");
    let (replicas, count_at) = match count_node {
        Some(n) => (n.as_i64()?, at(r, n)),
        None => (3, v.key_node("architecture").map_or(anchor, |k| at(r, k))),
    };
    let master = v.get("primary").or_else(|| v.get("master"));
    let persistence_off = master
        .and_then(|m| m.at("persistence.enabled"))
        .filter(|n| n.as_bool_11() == Some(false));
    let password = bitnami_password(r, count_at);
    Some(DataNodes {
        count: replicas + 1,
        count_at,
        password,
        secret: None,
        port: 6379,
        // The chart's own configuration: AOF on, snapshots off.
        settings: NodeSettings {
            persistence: Persistence {
                rdb_off: Some(count_at),
                appendonly: Some(implied(true, count_at)),
                dir: None,
            },
            ..NodeSettings::default()
        },
        ephemeral: persistence_off.map(|n| at(r, n)),
        memory_limit: memory_limit(r, master.and_then(|m| m.get("resources"))),
    })
}

/// The official Valkey chart in replication mode (see the module comment): data nodes
/// only, pod 0 the primary. Standalone values deploy one node, nothing to judge here.
fn valkey_helm(r: &Resource) -> Option<DataNodes> {
    let v = &r.object;
    let replica = v.get("replica")?;
    let enabled = replica.get("enabled")?;
    if enabled.as_bool_11() != Some(true) {
        return None;
    }
    let enabled_at = replica
        .key_node("enabled")
        .map_or(at(r, enabled), |k| at(r, k));
    let replicas = replica.get("replicas");
    let (count, count_at) = match replicas {
        Some(n) => (n.as_i64()? + 1, at(r, n)),
        None => (3, enabled_at),
    };
    let auth = v.get("auth");
    let auth_on = auth
        .and_then(|a| a.get("enabled"))
        .and_then(Yaml::as_bool_11)
        .unwrap_or(false);
    // The replication user's password (inline in `auth.aclUsers`, or from a Secret).
    let password = auth_on.then(|| {
        let user = replica.get_str("replicationUser").unwrap_or("default");
        let written = auth.and_then(|a| a.at(&format!("aclUsers.{user}.password")));
        match written.and_then(Yaml::as_str).filter(|p| !p.is_empty()) {
            Some(p) => literal(r, written.unwrap(), Password::from_value(p)),
            None => implied(
                Password::Unknown,
                auth.and_then(|a| a.key_node("enabled"))
                    .map_or(enabled_at, |k| at(r, k)),
            ),
        }
    });
    // `valkeyConfig` lines, at the value's place (one block of text).
    let config = v.get("valkeyConfig").filter(|c| c.as_str().is_some());
    let lines = config.map_or_else(Vec::new, |c| config_text_lines(r, c));
    let mut settings = node_settings(&lines);
    let min_to_write = replica.get("minReplicasToWrite");
    if let Some(n) = min_to_write.and_then(Yaml::as_i64).filter(|n| *n > 0) {
        settings.min_replicas_to_write = Some(literal(r, min_to_write.unwrap(), n));
        settings.min_replicas_max_lag = int_field(r, replica.get("minReplicasMaxLag"))
            .or_else(|| Some(implied(10, at(r, min_to_write.unwrap()))));
    }
    Some(DataNodes {
        count,
        count_at,
        password,
        secret: None,
        port: 6379,
        settings,
        // Each pod has a claim of its own (the chart refuses an empty size).
        ephemeral: None,
        memory_limit: memory_limit(r, v.get("resources")),
    })
}

fn groundhog_chart(r: &Resource) -> &'static str {
    match r.kind.as_str() {
        "valkey-values" => "valkey",
        _ => "redis",
    }
}

/// groundhog2k's `redis` (read at 2.4.4) and `valkey` (2.3.3) charts with
/// `haMode.enabled`: a StatefulSet of `haMode.replicas` pods (3), each a data node with a
/// Sentinel sidecar, watching `haMode.masterGroupName` (`redisha` / `valkeyha`) with
/// `haMode.quorum` (2), down-after 30000, failover-timeout 180000 and parallel-syncs 1
/// unless set. `redisConfig` / `valkeyConfig` (text) is the data nodes' config. Without
/// `storage.requestedSize` (a claim per pod) or `storage.persistentVolumeClaimName`,
/// `/data` is an emptyDir. The charts have no password field (passwords come in extra
/// config Secrets the values only name): none is assumed either way.
fn groundhog(r: &Resource) -> Option<(DataNodes, Sentinels)> {
    let v: &Yaml = &r.object;
    let ha = v.get("haMode")?;
    if ha.get("enabled").and_then(Yaml::as_bool_11) != Some(true) {
        return None;
    }
    let line = v.key_node("haMode").map_or(name_span(r), |k| at(r, k));
    let (count, count_at) = match ha.get("replicas") {
        Some(n) => (n.as_i64()?, at(r, n)),
        None => (3, line),
    };
    let valkey = r.kind == "valkey-values";
    let config_key = if valkey {
        "valkeyConfig"
    } else {
        "redisConfig"
    };
    let config = v.get(config_key).filter(|c| c.as_str().is_some());
    let lines = config.map_or_else(Vec::new, |c| config_text_lines(r, c));
    let set = |key: &str| {
        v.at(&format!("storage.{key}"))
            .is_some_and(|n| n.as_str().is_some_and(|s| !s.is_empty()) || n.as_i64().is_some())
    };
    let ephemeral = (!set("requestedSize") && !set("persistentVolumeClaimName"))
        .then(|| v.key_node("storage").map_or(line, |k| at(r, k)));
    let data = DataNodes {
        count,
        count_at,
        password: None,
        secret: None,
        port: 6379,
        settings: node_settings(&lines),
        ephemeral,
        memory_limit: memory_limit(r, v.get("resources")),
    };
    let timing =
        |key: &str, default: i64| int_field(r, ha.get(key)).or(Some(implied(default, line)));
    let name = ha.get("masterGroupName");
    let sentinels = Sentinels {
        count,
        count_at,
        line,
        master_name: match name.and_then(Yaml::as_str).filter(|n| !n.is_empty()) {
            Some(n) => literal(r, name.unwrap(), n.to_string()),
            None => implied(
                if valkey { "valkeyha" } else { "redisha" }.to_string(),
                line,
            ),
        },
        quorum: quorum_field(r, ha.get("quorum"), implied(2, line)),
        down_after: timing("downAfterMilliseconds", 30_000),
        failover_timeout: timing("failoverTimeout", 180_000),
        parallel_syncs: timing("parallelSyncs", 1),
        auth_pass: None,
        password: None,
        auth_pass_field: None,
        cpu_limit: cpu_limit(r, v.get("sentinelResources")),
    };
    Some((data, sentinels))
}

/// DandyDeveloper's `redis-ha` chart (read at 4.39.0; the older `stable/redis-ha` has the
/// same keys): `replicas` pods (3), each a data node with a Sentinel sidecar, pod 0 the
/// first master. The sentinels watch `redis.masterGroupName` (`mymaster`) with
/// `sentinel.quorum` (2) and the `sentinel.config` timings (down-after 10000, failover
/// 180000, parallel-syncs 5), merged over those defaults as Helm merges maps. With
/// `auth`, `redisPassword` (or the `existingSecret` key `authKey`) is the data nodes'
/// `requirepass`/`masterauth` and the sentinels' `auth-pass`; `sentinel.auth` gives the
/// sentinels their own password. `redis.config` (its defaults: `min-replicas-to-write 1`,
/// `min-replicas-max-lag 5`, `save "900 1"`) is the data nodes' configuration, unless
/// `redis.customConfig` replaces it. Without `persistentVolume.enabled` and without a
/// `hostPath.path`, `/data` is an emptyDir.
fn redis_ha(r: &Resource) -> Option<(DataNodes, Sentinels)> {
    let v: &Yaml = &r.object;
    let anchor = values_anchor(r, &["replicas", "sentinel", "redis", "auth"]);
    let replicas = v.get("replicas");
    let (count, count_at) = match replicas {
        Some(n) => (n.as_i64()?, at(r, n)),
        None => (3, anchor),
    };
    let flag = |path: &str| v.at(path).and_then(Yaml::as_bool_11).unwrap_or(false);
    let key_at = |path: &str| {
        let (parent, key) = path
            .rsplit_once('.')
            .map_or((None, path), |(p, k)| (Some(p), k));
        let map = match parent {
            Some(p) => v.at(p),
            None => Some(v),
        };
        map.and_then(|m| m.key_node(key)).map(|k| at(r, k))
    };
    let password_of = |on: &str, written: &str| {
        flag(on).then(|| {
            let node = v.at(written);
            match node.and_then(Yaml::as_str).filter(|p| !p.is_empty()) {
                Some(p) => literal(r, node.unwrap(), Password::from_value(p)),
                None => implied(Password::Unknown, key_at(on).unwrap_or(anchor)),
            }
        })
    };
    let password = password_of("auth", "redisPassword");
    let secret = password.as_ref().and_then(|_| {
        let name = v.get_str("existingSecret").filter(|s| !s.is_empty())?;
        let key = v.get_str("authKey").unwrap_or("auth");
        Some((name.to_string(), key.to_string()))
    });
    // The data nodes' configuration, at the line of each value.
    let custom = v
        .at("redis.customConfig")
        .filter(|c| c.as_str().is_some_and(|t| !t.trim().is_empty()));
    let lines: Vec<(String, String, (Span, Origin))> = match custom {
        Some(c) => config_text_lines(r, c),
        None => {
            let config = v.at("redis.config");
            let defaults_at = config
                .and_then(|_| key_at("redis.config"))
                .unwrap_or(anchor);
            let mut lines: Vec<(String, String, (Span, Origin))> = [
                ("min-replicas-to-write", "1"),
                ("min-replicas-max-lag", "5"),
                ("save", "900 1"),
            ]
            .into_iter()
            .map(|(k, d)| (k.to_string(), d.to_string(), (defaults_at, Origin::Implied)))
            .collect();
            for (key, value) in config.map(|c| c.entries()).into_iter().flatten() {
                let (Some(key), Some(text)) = (key.as_str(), value.as_str()) else {
                    continue;
                };
                lines.push((
                    key.to_ascii_lowercase(),
                    text.trim_matches('"').to_string(),
                    (at(r, value), Origin::Literal),
                ));
            }
            lines
        }
    };
    let ephemeral = v
        .at("persistentVolume.enabled")
        .filter(|n| n.as_bool_11() == Some(false))
        .filter(|_| {
            v.at("hostPath.path")
                .and_then(Yaml::as_str)
                .is_none_or(str::is_empty)
        })
        .map(|n| at(r, n));
    let port = v.at("redis.port").and_then(Yaml::as_i64).unwrap_or(6379);
    let data = DataNodes {
        count,
        count_at,
        password: password.clone(),
        secret,
        port,
        settings: node_settings(&lines),
        ephemeral,
        memory_limit: memory_limit(r, v.at("redis.resources")),
    };
    let sentinel = v.get("sentinel");
    let line = key_at("sentinel").unwrap_or(anchor);
    let timing = |key: &str, default: i64| {
        int_field(r, sentinel.and_then(|s| s.at(&format!("config.{key}"))))
            .or(Some(implied(default, line)))
    };
    let name = v.at("redis.masterGroupName");
    let sentinels = Sentinels {
        count,
        count_at,
        line,
        master_name: match name.and_then(Yaml::as_str) {
            Some(n) => literal(r, name.unwrap(), n.to_string()),
            None => implied("mymaster".to_string(), line),
        },
        quorum: quorum_field(r, sentinel.and_then(|s| s.get("quorum")), implied(2, line)),
        down_after: timing("down-after-milliseconds", 10_000),
        failover_timeout: timing("failover-timeout", 180_000),
        parallel_syncs: timing("parallel-syncs", 5),
        auth_pass: password,
        password: password_of("sentinel.auth", "sentinel.password"),
        auth_pass_field: None,
        cpu_limit: cpu_limit(r, sentinel.and_then(|s| s.get("resources"))),
    };
    Some((data, sentinels))
}

/// The directives of a config written as one block of text in the values
/// (`valkeyConfig`, `redis.customConfig`), each at the value's place.
fn config_text_lines(r: &Resource, node: &Yaml) -> Vec<(String, String, (Span, Origin))> {
    let place = (at(r, node), Origin::Implied);
    crate::syntax::redis_conf::parse(node.as_str().unwrap_or_default())
        .lines
        .iter()
        .filter_map(|l| {
            let (key, args) = l.tokens.split_first()?;
            let value: Vec<&str> = args.iter().map(|t| &*t.value).collect();
            Some((
                key.value.to_ascii_lowercase().to_string(),
                value.join(" "),
                place,
            ))
        })
        .collect()
}

/// The processes a resource declares belong to it (for values laid over a shared file,
/// the count may be written in the shared one).
pub(crate) fn managed_runtime(r: &Resource, count_at: Span, managed_by: Span) -> Runtime {
    Runtime {
        declared: Some(count_at),
        unit: Some(r.file),
        count_known: true,
        managed_by: Some(managed_by),
        ..Runtime::default()
    }
}

fn push_nodes(r: &Resource, what: &str, host: &str, d: DataNodes, out: &mut Vec<Node>) {
    let managed_by = name_span(r);
    for i in 0..d.count.clamp(0, MAX_COPIES) {
        // Pod 0 stands for the master the operator picks; the others replicate from it.
        let replicaof = (i > 0).then(|| ReplicaOf {
            host: implied(host.to_string(), d.count_at),
            port: implied(d.port, d.count_at),
            line: d.count_at,
        });
        out.push(Node {
            file: r.file,
            name: format!("{what} (data pod {i})"),
            complete: false,
            anchor: d.count_at,
            name_hints: vec![if i == 0 {
                host.to_string()
            } else {
                format!("{host}#{i}")
            }],
            port: Some(implied(d.port, d.count_at)),
            binds: Vec::new(),
            announce_ip: None,
            announce_port: None,
            password: d.password.clone(),
            masterauth: d.password.clone(),
            masteruser: None,
            replicaof,
            replica_priority: None,
            min_replicas_to_write: d.settings.min_replicas_to_write.clone(),
            min_replicas_max_lag: d.settings.min_replicas_max_lag.clone(),
            maxmemory: d.settings.maxmemory.clone(),
            maxmemory_policy: d.settings.maxmemory_policy.clone(),
            replica_read_only: None,
            protected_mode: None,
            acl_file: None,
            repl_timeout: None,
            busy_threshold: None,
            repl_ping_period: None,
            replica_ignore_maxmemory: None,
            renames: Vec::new(),
            process: Default::default(),
            persistence: d.settings.persistence.clone(),
            buffers: Default::default(),
            acl: Default::default(),
            tls: Default::default(),
            cluster: Default::default(),
            runtime: Runtime {
                password_secret: d.secret.clone(),
                data_ephemeral: d.ephemeral,
                memory_limit: d.memory_limit.clone(),
                ..managed_runtime(r, d.count_at, managed_by)
            },
        });
    }
}

fn push_sentinels(
    r: &Resource,
    what: &str,
    host: &str,
    port: i64,
    s: Sentinels,
    out: &mut Vec<SentinelProc>,
) {
    let managed_by = name_span(r);
    for i in 0..s.count.clamp(0, MAX_COPIES) {
        let monitor = Monitor {
            name: s.master_name.clone(),
            host: implied(host.to_string(), s.line),
            port: implied(port, s.line),
            quorum: s.quorum.clone(),
            line: s.line,
            down_after: s.down_after.clone(),
            failover_timeout: s.failover_timeout.clone(),
            parallel_syncs: s.parallel_syncs.clone(),
            auth_pass: s.auth_pass.clone(),
            auth_user: None,
            known_replicas: Vec::new(),
            known_sentinels: Vec::new(),
            renames: Vec::new(),
            scripts: Vec::new(),
        };
        out.push(SentinelProc {
            file: r.file,
            name: format!("{what} (sentinel {i})"),
            complete: false,
            anchor: s.count_at,
            port: None,
            binds: Vec::new(),
            password: s.password.clone(),
            sentinel_pass: None,
            protected_mode: None,
            acl_file: None,
            resolve_hostnames: None,
            announce_hostnames: None,
            tls: Default::default(),
            announce_ip: None,
            announce_port: None,
            myid: None,
            monitors: vec![monitor],
            process: Default::default(),
            runtime: Runtime {
                auth_pass_field: s.auth_pass_field,
                cpu_limit: s.cpu_limit.clone(),
                ..managed_runtime(r, s.count_at, managed_by)
            },
        });
    }
}
