//! Operator custom resources (OpsTree, Spotahome, Redis Enterprise) and values files of
//! the charts that deploy Redis with Sentinel (bitnami, valkey-io, redis-ha), read the
//! way their operator or chart reads them.

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::formats::units::{
    Resource, BITNAMI_VALUES, GROUNDHOG_VALUES, REDIS_HA_VALUES, VALKEY_HELM_VALUES,
};
use crate::knowledge::did_you_mean;
use crate::rules::{Context, Rule};
use crate::source::Span;
use crate::syntax::yaml::{embedded, Node};

use crate::formats::operators::{OPSTREE, SPOTAHOME};

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let resources = &ctx.units.resources;
    for r in resources {
        kind_sentinel_mode(r, out);
        match (r.api_group.as_str(), r.kind.as_str()) {
            (OPSTREE, "RedisSentinel") => sentinel_replication(r, resources, out),
            (OPSTREE, "RedisReplication") => {
                replication_without_sentinel(ctx, r, resources, out);
                embedded_sentinel_gaps(r, out);
            }
            (SPOTAHOME, "RedisFailover") => {
                spotahome_redis_custom_config(ctx, r, out);
                spotahome_sentinel_custom_config(ctx, r, out);
                spotahome_auth_secret(r, resources, out);
                spotahome_sentinel_affinity(r, out);
            }
            (BITNAMI_VALUES, _) => {
                bitnami(r, out);
                bitnami_replication_master_ephemeral(r, out);
                bitnami_literal_passwords(r, out);
                bitnami_misplaced_sections(r, out);
                bitnami_misspelled_keys(r, out);
            }
            (VALKEY_HELM_VALUES, _) => valkey_helm_literal_passwords(r, out),
            (REDIS_HA_VALUES, _) => redis_ha_literal_passwords(r, out),
            _ => {}
        }
        unknown_fields(r, out);
    }
    operator_data_ephemeral(ctx, out);
}

/// Data pods an operator or chart gives no volume claim: they save their snapshots (or
/// AOF) to an emptyDir. When all of them are recreated at once (a node drain, a cluster
/// upgrade) the data set is gone, and an emptied master can be handed to the replicas.
/// Said once per resource; cluster nodes have their own rule (their `nodes.conf`).
fn operator_data_ephemeral(ctx: &Context, out: &mut Vec<Diagnostic>) {
    // Operators' replicated data pods and redis-ha's: bitnami values that turn
    // persistence off have their own rule, and a standalone `Redis` has nothing to fail
    // over to.
    let operated: std::collections::HashSet<Span> = ctx
        .units
        .resources
        .iter()
        .filter(|r| {
            (r.api_group == SPOTAHOME && r.kind == "RedisFailover")
                || (r.api_group == OPSTREE && r.kind == "RedisReplication")
                || r.api_group == REDIS_HA_VALUES
                || r.api_group == GROUNDHOG_VALUES
        })
        .map(crate::formats::operators::name_span)
        .collect();
    let mut seen = std::collections::HashSet::new();
    for node in &ctx.topology.nodes {
        let (Some(at), Some(by)) = (node.runtime.data_ephemeral, node.runtime.managed_by) else {
            continue;
        };
        if !operated.contains(&by) {
            continue;
        }
        // Nothing is saved: the persistence rules say what that costs.
        if node.cluster.is_enabled() || node.persistence.is_off() || !seen.insert(at) {
            continue;
        }
        let saves = match &node.persistence.appendonly {
            Some(a) if a.value => "its append-only files vanish",
            _ => "its RDB snapshots (Redis saves them by default) vanish",
        };
        out.push(
            Diagnostic::new(
                Rule::DataDirEphemeral,
                at,
                format!("these data pods have no volume claim, so they get an emptyDir: {saves} with the pod, and when every pod is recreated at once (a node drain, an upgrade) the data set is gone"),
            )
            .help("give the data pods persistent storage (Spotahome: `spec.redis.storage.persistentVolumeClaim`; OpsTree: `spec.storage.volumeClaimTemplate`; redis-ha: `persistentVolume.enabled: true`; groundhog2k: `storage.requestedSize`)"),
        );
    }
}

fn kind_sentinel_mode(r: &Resource, out: &mut Vec<Diagnostic>) {
    if r.api_group == OPSTREE && r.kind == "Redis" && !r.sentinel_fields.is_empty() {
        let (first, name) = &r.sentinel_fields[0];
        let mut d = Diagnostic::new(
            Rule::OpstreeRedisKindSentinelMode,
            *first,
            format!("OpsTree `kind: Redis` is a standalone server: it has no `{name}` field, so the operator rejects or silently drops it and deploys a single Redis with no replica and no Sentinel"),
        )
        .help("declare a `RedisReplication` (data nodes, `spec.clusterSize`) and a `RedisSentinel` whose `spec.redisSentinelConfig.redisReplicationName` names it");
        for (span, field) in r.sentinel_fields.iter().skip(1) {
            d = d.label(
                *span,
                format!("`{field}` is not a field of kind Redis either"),
            );
        }
        out.push(d);
    }
}

/// The span of a key, for diagnostics about a field.
fn key_span(r: &Resource, map: &Node, key: &str) -> Option<Span> {
    map.key_node(key).map(|k| r.span(k))
}

/// The span that names the resource (`metadata.name`), else `kind`.
fn name_span(r: &Resource) -> Span {
    r.object
        .at("metadata.name")
        .or_else(|| r.object.get("kind"))
        .map_or(r.span(&r.object), |n| r.span(n))
}

// ---------------------------------------------------------------------------------------
// OpsTree

fn sentinel_replication(r: &Resource, all: &[Resource], out: &mut Vec<Diagnostic>) {
    let Some(spec) = r.spec() else { return };
    let config = spec.get("redisSentinelConfig");
    let Some(name_node) = config.and_then(|c| c.get("redisReplicationName")) else {
        let span = config
            .and_then(|_| key_span(r, spec, "redisSentinelConfig"))
            .unwrap_or_else(|| key_span(r, &r.object, "spec").unwrap_or_else(|| name_span(r)));
        out.push(
            Diagnostic::new(
                Rule::OpstreeSentinelReplicationRef,
                span,
                "this RedisSentinel names no RedisReplication (`spec.redisSentinelConfig.redisReplicationName` is required): its sentinels monitor nothing",
            )
            .help("set `spec.redisSentinelConfig.redisReplicationName` to the name of the RedisReplication of the same namespace"),
        );
        return;
    };
    let name = name_node.as_str().unwrap_or_default();
    let replications: Vec<&Resource> = all
        .iter()
        .filter(|o| o.is(OPSTREE, "RedisReplication") && o.same_namespace(r))
        .collect();
    if replications.is_empty() || replications.iter().any(|o| o.name.as_deref() == Some(name)) {
        return; // not in the tree: unknown, or found
    }
    let names: Vec<&str> = replications
        .iter()
        .filter_map(|o| o.name.as_deref())
        .collect();
    let mut d = Diagnostic::new(
        Rule::OpstreeSentinelReplicationRef,
        r.span(name_node),
        format!("no RedisReplication `{name}` in this namespace: the operator waits for it and its sentinels monitor nothing"),
    );
    if let Some(best) = did_you_mean(name, names.iter().copied()) {
        d = d.help(format!("did you mean `{best}`?"));
    }
    for o in replications {
        d = d.label(
            name_span(o),
            format!(
                "RedisReplication `{}` is declared here",
                o.name.as_deref().unwrap_or("?")
            ),
        );
    }
    out.push(d);
}

/// What the sentinels a `RedisReplication` embeds (`spec.sentinel`, operator v0.23+) do
/// not get, as the operator builds them (v0.26): their container has only `QUORUM` and
/// `MASTER_PASSWORD` in its environment and no volume, so the sentinel image writes its
/// config into the container's file system, speaks plain text, and sets no password.
fn embedded_sentinel_gaps(r: &Resource, out: &mut Vec<Diagnostic>) {
    let Some(spec) = r.spec() else { return };
    let Some(sentinel) = spec.get("sentinel") else {
        return;
    };
    let Some(sentinel_key) = key_span(r, spec, "sentinel") else {
        return;
    };
    let name = r.name.as_deref().unwrap_or("?");
    let mut gaps: Vec<(Span, String)> = Vec::new();
    if let Some(tls) = spec.get("TLS") {
        gaps.push((
            key_span(r, spec, "TLS").unwrap_or_else(|| r.span(tls)),
            "the data nodes listen on TLS, but the operator starts the embedded sentinels without TLS (no TLS_MODE): they connect in plain text, see the master down and cannot fail over".into(),
        ));
    }
    if let Some(ro) = sentinel
        .at("securityContext.readOnlyRootFilesystem")
        .filter(|n| n.as_bool_11() == Some(true))
    {
        gaps.push((
            r.span(ro),
            "readOnlyRootFilesystem: the sentinel image writes /etc/redis/sentinel.conf at start and the operator mounts no writable volume for it: the sentinels crash at start".into(),
        ));
    }
    let own = spec
        .at("kubernetesConfig.redisSecret.name")
        .and_then(Node::as_str);
    if let Some(separate) = sentinel
        .at("redisSecret.name")
        .filter(|n| n.as_str() != own)
    {
        gaps.push((
            r.span(separate),
            format!("the embedded sentinels log in to the data nodes with this secret's password (their auth-pass), not the replication's own secret{}: unless both hold the same password they get WRONGPASS and see every node down; it does not protect the sentinels themselves", own.map(|o| format!(" `{o}`")).unwrap_or_default()),
        ));
    }
    let Some((first, why)) = gaps.first().cloned() else {
        return;
    };
    let mut d = Diagnostic::new(
        Rule::OpstreeEmbeddedSentinelGaps,
        first,
        format!("RedisReplication `{name}` embeds its sentinels (spec.sentinel): {why}"),
    )
    .label(sentinel_key, "the embedded sentinels");
    for (span, why) in gaps.iter().skip(1) {
        d = d.label(*span, why.clone());
    }
    out.push(d.help("use a separate `RedisSentinel` resource (it supports TLS, its own password and a writable config volume), or drop the setting the embedded sentinels do not follow"));
}

fn replication_without_sentinel(
    ctx: &Context,
    r: &Resource,
    all: &[Resource],
    out: &mut Vec<Diagnostic>,
) {
    let Some(spec) = r.spec() else { return };
    if spec.get("sentinel").is_some() {
        return; // embedded sentinel (a zero size is the user's explicit choice)
    }
    let name = r.name.as_deref();
    let watched = all.iter().any(|o| {
        o.api_group == OPSTREE
            && (o.kind == "RedisSentinel" || o.kind == "Redis")
            && o.same_namespace(r)
            && o.spec()
                .and_then(|s| s.at("redisSentinelConfig.redisReplicationName"))
                .and_then(Node::as_str)
                == name
    });
    if watched {
        return;
    }
    // Only when the namespace's resources are in the tree: a RedisSentinel of the
    // namespace (naming something else), or other objects beside it in its file (its
    // ConfigMap, another resource): the file is the deployment, not a fragment of one.
    let objects_in_file = || {
        ctx.sources.get(&r.file).is_some_and(|source| {
            source
                .text()
                .lines()
                .filter(|l| l.starts_with("kind:"))
                .nth(1)
                .is_some()
        })
    };
    let namespace_in_tree = all.iter().any(|o| {
        o.same_namespace(r)
            && !std::ptr::eq(o, r)
            && (o.is(OPSTREE, "RedisSentinel") || o.file == r.file)
    }) || objects_in_file();
    if !namespace_in_tree {
        return;
    }
    out.push(
        Diagnostic::new(
            Rule::OpstreeReplicationWithoutSentinel,
            name_span(r),
            format!(
                "no RedisSentinel watches RedisReplication `{}` and it has no `spec.sentinel`: when the master fails nothing promotes a replica",
                name.unwrap_or("?")
            ),
        )
        .help("add a `RedisSentinel` whose `spec.redisSentinelConfig.redisReplicationName` names this replication, or `spec.sentinel: {size: 3}` (operator v0.23+)"),
    );
}

// ---------------------------------------------------------------------------------------
// Spotahome

/// A `customConfig` entry split into tokens, with file spans when the scalar maps back.
struct Entry<'a> {
    node: &'a Node,
    tokens: Vec<(String, Option<Span>)>,
}

fn entries<'a>(ctx: &Context, r: &Resource, list: &'a Node) -> Vec<Entry<'a>> {
    let text = ctx.source(r.file).shared_text();
    let mut out = Vec::new();
    for node in list.as_seq().unwrap_or_default() {
        let Some(value) = node.as_str() else { continue };
        let mapped = embedded(text, node).filter(|e| e.text == value);
        let mut tokens = Vec::new();
        let mut start = None;
        for (i, c) in value.char_indices().chain([(value.len(), ' ')]) {
            match (c.is_whitespace(), start) {
                (true, Some(s)) => {
                    let span = mapped.as_ref().map(|e| {
                        let range = e.range_to_file(s..i);
                        Span::new(r.file, range.start, range.end)
                    });
                    tokens.push((value[s..i].to_string(), span));
                    start = None;
                }
                (false, None) => start = Some(i),
                _ => {}
            }
        }
        out.push(Entry { node, tokens });
    }
    out
}

/// Redis parameters CONFIG SET refuses: immutable or protected configs, and lines that
/// are not configs at all.
const NOT_RUNTIME: &[&str] = &[
    "port",
    "databases",
    "logfile",
    "rename-command",
    "user",
    "include",
    "loadmodule",
    "daemonize",
    "cluster-enabled",
    "cluster-config-file",
    "cluster-port",
    "supervised",
    "pidfile",
    "unixsocket",
    "unixsocketperm",
    "syslog-enabled",
    "syslog-ident",
    "syslog-facility",
    "always-show-logo",
    "set-proc-title",
    "proc-title-template",
    "tcp-backlog",
    "io-threads",
    "aclfile",
    "appenddirname",
    "disable-thp",
    "enable-protected-configs",
    "enable-debug-command",
    "enable-module-command",
    "dir",
    "dbfilename",
    "replicaof",
    "slaveof",
    "sentinel",
];

fn spotahome_redis_custom_config(ctx: &Context, r: &Resource, out: &mut Vec<Diagnostic>) {
    let Some(list) = r.spec().and_then(|s| s.at("redis.customConfig")) else {
        return;
    };
    for entry in entries(ctx, r, list) {
        let Some((param, span)) = entry.tokens.first() else {
            continue;
        };
        let lower = param.to_ascii_lowercase();
        let span = span.unwrap_or_else(|| r.span(entry.node));
        if NOT_RUNTIME.contains(&lower.as_str()) {
            let help = if lower == "rename-command" {
                "use `spec.redis.customCommandRenames: [{from: …, to: …}]`, which the operator writes into redis.conf".to_string()
            } else {
                "set it through `spec.redis.command` or a `startupConfigMap`; customConfig is only for parameters CONFIG SET can change".to_string()
            };
            out.push(
                Diagnostic::new(
                    Rule::SpotahomeCustomconfigNotRuntime,
                    span,
                    format!("the operator applies customConfig with `CONFIG SET {lower} …`, which Redis refuses for `{lower}`: the reconcile loop keeps failing and the setting never applies"),
                )
                .help(help),
            );
        } else if crate::knowledge::directive::lookup_directive(&lower).is_none() {
            let mut d = Diagnostic::new(
                Rule::SpotahomeCustomconfigNotRuntime,
                span,
                format!("`{param}` is not a Redis parameter: `CONFIG SET` fails with \"Unsupported CONFIG parameter\" on every reconcile"),
            );
            if let Some(best) = did_you_mean(&lower, crate::knowledge::directive::all_spellings()) {
                d = d.help(format!("did you mean `{best}`?"));
            }
            out.push(d);
        }
    }
}

/// Options `SENTINEL SET <master>` accepts.
const PER_MASTER: &[&str] = &[
    "down-after-milliseconds",
    "failover-timeout",
    "parallel-syncs",
    "notification-script",
    "client-reconfig-script",
    "auth-pass",
    "auth-user",
    "quorum",
    "rename-command",
    "master-reboot-down-after-period",
];

fn spotahome_sentinel_custom_config(ctx: &Context, r: &Resource, out: &mut Vec<Diagnostic>) {
    let Some(spec) = r.spec() else { return };
    let Some(sentinel) = spec.get("sentinel") else {
        return;
    };
    let Some(list) = sentinel.get("customConfig") else {
        return;
    };
    let entries = entries(ctx, r, list);
    let mut options = Vec::new();
    for entry in &entries {
        let tokens = &entry.tokens;
        // Written as in sentinel.conf: `[sentinel] <option> <master> <value…>`.
        let skip = usize::from(tokens.first().is_some_and(|t| t.0 == "sentinel"));
        let Some((option, _)) = tokens.get(skip) else {
            continue;
        };
        let option = option.to_ascii_lowercase();
        options.push(option.clone());
        if !PER_MASTER.contains(&option.as_str()) || tokens.len() < skip + 3 {
            continue;
        }
        let (master, master_span) = &tokens[skip + 1];
        let span = master_span.unwrap_or_else(|| r.span(entry.node));
        // Drop `sentinel ` and `<master> `: each token up to the next one.
        let drop: &[usize] = if skip == 1 { &[0, 2] } else { &[1] };
        let edits: Vec<Edit> = drop
            .iter()
            .filter_map(|&i| {
                let (from, to) = (tokens[i].1?, tokens[i + 1].1?);
                Some(Edit::delete(Span {
                    end: to.start,
                    ..from
                }))
            })
            .collect();
        let mut d = Diagnostic::new(
            Rule::SpotahomeSentinelCustomconfigWithMasterName,
            span,
            format!(
                "the operator runs `SENTINEL SET mymaster {option} {}`, so `{master}` is taken as part of the value: Sentinel refuses it and the reconcile loop keeps failing",
                tokens[skip + 1..].iter().map(|t| t.0.as_str()).collect::<Vec<_>>().join(" ")
            ),
        )
        .help("write entries as `<option> <value>`, without `sentinel` and the master name");
        if edits.len() == drop.len() {
            d = d.with_fix(Fix::safe("drop the master name", edits));
        }
        out.push(d);
    }
    let missing: Vec<&str> = ["down-after-milliseconds", "failover-timeout"]
        .into_iter()
        .filter(|o| !options.iter().any(|x| x == o))
        .collect();
    if !entries.is_empty() && !missing.is_empty() {
        let span = key_span(r, sentinel, "customConfig").unwrap_or_else(|| r.span(list));
        out.push(
            Diagnostic::new(
                Rule::SpotahomeSentinelCustomconfigPartial,
                span,
                format!("the operator's defaults (down-after-milliseconds 5000, failover-timeout 10000) apply only when customConfig is empty: with this list, {} falls back to another value", missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(" and ")),
            )
            .help(format!("add {}", missing.iter().map(|m| format!("\"{m} {}\"", if *m == "failover-timeout" { 10000 } else { 5000 })).collect::<Vec<_>>().join(" and "))),
        );
    }
}

/// sentinels-single-failure-domain for a RedisFailover: an `affinity` of the sentinels
/// replaces the operator's default (a preferred anti-affinity on the host name, in
/// `getAffinity` of the operator's generator), so one without a pod anti-affinity and
/// without topology spread constraints leaves the sentinels free to share a node.
fn spotahome_sentinel_affinity(r: &Resource, out: &mut Vec<Diagnostic>) {
    let Some(sentinel) = r.spec().and_then(|s| s.get("sentinel")) else {
        return;
    };
    // A map of its own: a template left unrendered says nothing of what it holds.
    let Some(affinity) = sentinel
        .get("affinity")
        .filter(|a| a.entries().next().is_some())
    else {
        return;
    };
    let count = sentinel.get("replicas").and_then(Node::as_i64).unwrap_or(3);
    if count < 2
        || affinity.get("podAntiAffinity").is_some()
        || sentinel
            .get("topologySpreadConstraints")
            .is_some_and(|t| t.as_seq().is_some_and(|l| !l.is_empty()))
    {
        return;
    }
    let at = key_span(r, sentinel, "affinity").unwrap_or_else(|| r.span(affinity));
    out.push(
        Diagnostic::new(
            Rule::SentinelsSingleFailureDomain,
            at,
            format!("this affinity replaces the operator's default anti-affinity of the sentinels and has none of its own: nothing keeps the {count} sentinel pods on different nodes, and losing the node that holds their majority leaves no majority to fail over"),
        )
        .help("add a podAntiAffinity on `kubernetes.io/hostname` for the sentinel pods (required, or at least preferred as the operator's default was) to this affinity"),
    );
}

fn spotahome_auth_secret(r: &Resource, all: &[Resource], out: &mut Vec<Diagnostic>) {
    let Some(path) = r.spec().and_then(|s| s.at("auth.secretPath")) else {
        return;
    };
    let Some(name) = path.as_str() else { return };
    let Some(secret) = all.iter().find(|o| {
        o.api_group.is_empty()
            && o.kind == "Secret"
            && o.same_namespace(r)
            && o.name.as_deref() == Some(name)
    }) else {
        return; // not in the tree: unknown
    };
    let keys: Vec<&str> = ["data", "stringData"]
        .iter()
        .filter_map(|f| secret.object.get(f))
        .flat_map(|m| m.entries().filter_map(|(k, _)| k.as_str()))
        .collect();
    if keys.contains(&"password") {
        return;
    }
    let mut d = Diagnostic::new(
        Rule::SpotahomeAuthSecretKey,
        r.span(path),
        format!("Secret `{name}` has no key `password`, the only key the operator reads: the pods and sentinels do not get the password you meant"),
    )
    .label(name_span(secret), format!("Secret `{name}`, keys: {}", if keys.is_empty() { "none".to_string() } else { keys.join(", ") }));
    d = d.help("store the password under the key `password` (`secretPath` is the Secret's name; the key is fixed)");
    out.push(d);
}

// ---------------------------------------------------------------------------------------
// bitnami/redis values

/// Counts and quorum of bitnami values are judged by the model's rules (the values are a
/// deployment of it, `formats::operators`); what stays here is about the chart itself.
fn bitnami(r: &Resource, out: &mut Vec<Diagnostic>) {
    let v = &r.object;
    if v.get_str("architecture") == Some("standalone") {
        return;
    }
    let Some(sentinel) = v.get("sentinel") else {
        return;
    };
    if sentinel.get("enabled").and_then(Node::as_bool_11) != Some(true) {
        return;
    }
    let enabled = key_span(r, sentinel, "enabled").unwrap_or_else(|| r.span(sentinel));
    if let Some(node) = v.at("replica.persistence.enabled") {
        if node.as_bool_11() == Some(false) {
            out.push(
                Diagnostic::new(
                    Rule::BitnamiSentinelWithoutPersistence,
                    r.span(node),
                    "Sentinel mode with the data pods on emptyDir: a restarted master comes back empty and its replicas copy the empty data set, or pods restarted together lose everything",
                )
                .label(enabled, "Sentinel mode is on here")
                .help("keep `replica.persistence.enabled: true`"),
            );
        }
    }
}

/// bitnami values in replication mode without Sentinel (`architecture: replication`, the
/// chart's default) whose master has no volume claim: the master pod runs on an
/// emptyDir, so when it is recreated it starts empty, stays the master (nothing promotes
/// another), and its replicas resync the empty data set: everything is gone. With
/// Sentinel on, the chart runs no master StatefulSet and its `persistence` is unused.
fn bitnami_replication_master_ephemeral(r: &Resource, out: &mut Vec<Diagnostic>) {
    let v = &r.object;
    if v.get_str("architecture") == Some("standalone") {
        return;
    }
    let sentinel_on = v
        .at("sentinel.enabled")
        .and_then(Node::as_bool_11)
        .unwrap_or(false);
    if sentinel_on {
        return;
    }
    let (section, node) = match (
        v.at("master.persistence.enabled"),
        v.at("primary.persistence.enabled"),
    ) {
        (Some(n), _) => ("master", n),
        (None, Some(n)) => ("primary", n),
        (None, None) => return,
    };
    if node.as_bool_11() != Some(false) {
        return;
    }
    // No replica, nothing to wipe: a lone server that loses its data is another matter.
    if v.at("replica.replicaCount").and_then(Node::as_i64) == Some(0) {
        return;
    }
    out.push(
        Diagnostic::new(
            Rule::DataDirEphemeral,
            r.span(node),
            format!("the {section} of these replication-mode values has no volume claim (an emptyDir): when its pod is recreated it starts with an empty data set and is still the {section}, so its replicas resync from it and drop everything they held"),
        )
        .help(format!("keep `{section}.persistence.enabled: true` (or turn on Sentinel, so that a replica is promoted instead)")),
    );
}

/// Literal passwords in values of the bitnami charts (`auth.password`, and the
/// `global.redis.password` / `global.valkey.password` that override it): committed with
/// the values, readable by anyone with the repository, and one more copy to change when
/// the password rotates. Templates and variables (`{{ … }}`, `${…}`) are not literals.
fn bitnami_literal_passwords(r: &Resource, out: &mut Vec<Diagnostic>) {
    chart_literal_passwords(
        r,
        &["auth.password", "global.redis.password", "global.valkey.password"],
        "create the Secret outside the values (sealed, external or by hand) and name it in `auth.existingSecret` / `auth.existingSecretPasswordKey`",
        out,
    );
}

/// redis-ha's `redisPassword` (with `auth`) and `sentinel.password` (with
/// `sentinel.auth`): the chart writes them into Secrets of its own. A password the
/// values switch off is not in use.
fn redis_ha_literal_passwords(r: &Resource, out: &mut Vec<Diagnostic>) {
    let on = |path: &str| r.object.at(path).and_then(Node::as_bool_11) == Some(true);
    let paths: Vec<&str> = [
        ("auth", "redisPassword"),
        ("sentinel.auth", "sentinel.password"),
    ]
    .into_iter()
    .filter(|(switch, _)| on(switch))
    .map(|(_, path)| path)
    .collect();
    chart_literal_passwords(
        r,
        &paths,
        "create the Secret outside the values (sealed, external or by hand) and name it in `existingSecret` (key `authKey`) / `sentinel.existingSecret` (key `sentinel.authKey`)",
        out,
    );
}

/// One finding for the literal passwords written at `paths` of a chart's values.
fn chart_literal_passwords(r: &Resource, paths: &[&str], help: &str, out: &mut Vec<Diagnostic>) {
    let found: Vec<(&str, &Node)> = paths
        .iter()
        .filter_map(|path| Some((*path, r.object.at(path)?)))
        .filter(|(_, n)| is_literal_password(n))
        .collect();
    let Some(((first_path, first), rest)) = found.split_first() else {
        return;
    };
    let mut d = Diagnostic::new(
        Rule::SecretsInPlaintextConfig,
        r.span(first),
        format!(
            "a literal password is written in these chart values (`{first_path}`{}): it is committed with them, readable by anyone with the repository, and the chart copies it into a Secret that must be changed here to rotate it",
            if rest.is_empty() { String::new() } else { format!(", and {} more place(s)", rest.len()) }
        ),
    );
    for (path, node) in rest {
        d = d.label(r.span(node), format!("another literal password (`{path}`)"));
    }
    out.push(d.help(help));
}

/// A password value written out: not empty, not a template or a variable
/// (`{{ … }}`, `${…}`).
fn is_literal_password(node: &Node) -> bool {
    node.as_str().is_some_and(|v| {
        !v.is_empty() && !v.contains('$') && !crate::knowledge::values::is_template(v)
    })
}

/// Literal passwords of the official Valkey chart's ACL users (`auth.aclUsers.NAME.password`,
/// which the chart writes into a Secret of its own): committed with the values. A user
/// whose password comes from `auth.usersExistingSecret` writes none here.
fn valkey_helm_literal_passwords(r: &Resource, out: &mut Vec<Diagnostic>) {
    let Some(users) = r.object.at("auth.aclUsers") else {
        return;
    };
    let found: Vec<(&str, &Node)> = users
        .entries()
        .filter_map(|(name, user)| Some((name.as_str()?, user.get("password")?)))
        .filter(|(_, n)| is_literal_password(n))
        .collect();
    let Some(((first_user, first), rest)) = found.split_first() else {
        return;
    };
    let mut d = Diagnostic::new(
        Rule::SecretsInPlaintextConfig,
        r.span(first),
        format!(
            "a literal password is written in these chart values (user `{first_user}` of `auth.aclUsers`{}): it is committed with them, readable by anyone with the repository, and must be changed here to rotate it",
            if rest.is_empty() { String::new() } else { format!(", and {} more user(s)", rest.len()) }
        ),
    );
    for (user, node) in rest {
        d = d.label(
            r.span(node),
            format!("another literal password (user `{user}`)"),
        );
    }
    out.push(d.help("keep the passwords in a Secret created outside the values and name it in `auth.usersExistingSecret` (one key per user, or the user's `passwordKey`)"));
}

// ---------------------------------------------------------------------------------------
// unknown-field

/// A top-level section of the bitnami charts written inside a pod section
/// (`master.sentinel.enabled: true`): the chart reads it only at the top, so the
/// setting silently does nothing (a release meant to run Sentinel runs without it).
fn bitnami_misplaced_sections(r: &Resource, out: &mut Vec<Diagnostic>) {
    const TOP_ONLY: &[&str] = &[
        "sentinel",
        "auth",
        "global",
        "architecture",
        "replica",
        "master",
        "primary",
    ];
    for pod in ["master", "primary", "replica"] {
        let Some(section) = r.object.get(pod) else {
            continue;
        };
        for (key, _) in section.entries() {
            let Some(name) = key.as_str() else { continue };
            if !TOP_ONLY.contains(&name) || name == pod {
                continue;
            }
            let top = r.object.get(name).is_some();
            out.push(
                Diagnostic::new(
                    Rule::UnknownField,
                    r.span(key),
                    format!(
                        "`{pod}.{name}` is not a value of the chart: it reads `{name}` at the top level only, so everything under `{pod}.{name}` is ignored{}",
                        if name == "sentinel" && !top { " and the release runs without Sentinel (no failover)" } else { "" }
                    ),
                )
                .help(format!("move `{name}` to the top level of the values (out of `{pod}`)")),
            );
        }
    }
}

/// Top-level values of the bitnami `redis` and `valkey` charts (current majors and the
/// earlier ones still deployed: `cluster`, `slave`, `usePassword`, …).
const BITNAMI_TOP: &[&str] = &[
    "global",
    "kubeVersion",
    "nameOverride",
    "fullnameOverride",
    "namespaceOverride",
    "commonLabels",
    "commonAnnotations",
    "secretAnnotations",
    "clusterDomain",
    "extraDeploy",
    "useHostnames",
    "nameResolutionThreshold",
    "nameResolutionTimeout",
    "diagnosticMode",
    "image",
    "architecture",
    "auth",
    "commonConfiguration",
    "existingConfigmap",
    "master",
    "primary",
    "replica",
    "sentinel",
    "serviceBindings",
    "networkPolicy",
    "podSecurityPolicy",
    "rbac",
    "serviceAccount",
    "pdb",
    "tls",
    "metrics",
    "volumePermissions",
    "kubectl",
    "sysctl",
    "useExternalDNS",
    "defaultStorageClass",
    "cluster",
    "slave",
    "usePassword",
    "usePasswordFile",
    "password",
    "existingSecret",
    "existingSecretPasswordKey",
    "configmap",
    "securityContext",
    "containerSecurityContext",
    "redisPort",
    "persistence",
    "sysctlImage",
    "podDisruptionBudget",
];

/// The keys of the charts' `auth` section.
const BITNAMI_AUTH: &[&str] = &[
    "enabled",
    "sentinel",
    "password",
    "existingSecret",
    "existingSecretPasswordKey",
    "usePasswordFiles",
    "usePasswordFileFromSecret",
    "acl",
];

/// A key of the values one edit away from a value of the chart (`sentinal:`): Helm
/// ignores values the chart does not read, so the section silently does nothing. Only
/// near misses are reported: a key far from every known one may be a value of a chart
/// release not listed here.
fn bitnami_misspelled_keys(r: &Resource, out: &mut Vec<Diagnostic>) {
    for (path, known) in [("", BITNAMI_TOP), ("auth", BITNAMI_AUTH)] {
        let map = if path.is_empty() {
            Some(&*r.object)
        } else {
            r.object.get(path)
        };
        let Some(map) = map else { continue };
        for (key, _) in map.entries() {
            let Some(name) = key.as_str() else { continue };
            if name == "<<" || known.contains(&name) {
                continue;
            }
            let Some(best) = did_you_mean(name, known.iter().copied()) else {
                continue;
            };
            let full = if path.is_empty() {
                name.to_string()
            } else {
                format!("{path}.{name}")
            };
            let without_sentinel =
                path.is_empty() && best == "sentinel" && r.object.get("sentinel").is_none();
            out.push(
                Diagnostic::new(
                    Rule::UnknownField,
                    r.span(key),
                    format!(
                        "`{full}` is not a value of the chart: Helm ignores values the chart does not read, so everything under it has no effect{}",
                        if without_sentinel { " and the release runs without Sentinel (no failover)" } else { "" }
                    ),
                )
                .help(format!("did you mean `{best}`?")),
            );
        }
    }
}

/// Fields of the objects whose full schema is known (see the rule's page).
fn schema(r: &Resource, path: &str) -> Option<&'static [&'static str]> {
    Some(match (r.api_group.as_str(), r.kind.as_str(), path) {
        (SPOTAHOME, "RedisFailover", "spec") => &[
            "redis",
            "sentinel",
            "auth",
            "labelWhitelist",
            "bootstrapNode",
        ],
        (SPOTAHOME, "RedisFailover", "spec.auth") => &["secretPath"],
        (SPOTAHOME, "RedisFailover", "spec.bootstrapNode") => &["host", "port", "allowSentinels"],
        (SPOTAHOME, "RedisFailover", "spec.redis") => SPOTAHOME_REDIS,
        (SPOTAHOME, "RedisFailover", "spec.sentinel") => SPOTAHOME_SENTINEL,
        (OPSTREE, "RedisSentinel", "spec") => &[
            "clusterSize",
            "kubernetesConfig",
            "redisSentinelConfig",
            "redisExporter",
            "podSecurityContext",
            "securityContext",
            "affinity",
            "tolerations",
            "nodeSelector",
            "topologySpreadConstraints",
            "priorityClassName",
            "serviceAccountName",
            "terminationGracePeriodSeconds",
            "env",
            "volumeMount",
            "initContainer",
            "sidecars",
            "hostPort",
            "readinessProbe",
            "livenessProbe",
            "TLS",
            "pdb",
            "podManagementPolicy",
        ],
        (OPSTREE, "RedisSentinel", "spec.redisSentinelConfig") => &[
            "redisReplicationName",
            "masterGroupName",
            "redisPort",
            "quorum",
            "parallelSyncs",
            "failoverTimeout",
            "downAfterMilliseconds",
            "resolveHostnames",
            "announceHostnames",
            "additionalSentinelConfig",
            "redisReplicationPassword",
        ],
        (OPSTREE, "RedisReplication", "spec") => &[
            "clusterSize",
            "kubernetesConfig",
            "redisConfig",
            "storage",
            "acl",
            "TLS",
            "pdb",
            "redisExporter",
            "podSecurityContext",
            "securityContext",
            "affinity",
            "tolerations",
            "nodeSelector",
            "topologySpreadConstraints",
            "priorityClassName",
            "readinessProbe",
            "livenessProbe",
            "initContainer",
            "sidecars",
            "serviceAccountName",
            "terminationGracePeriodSeconds",
            "env",
            "hostPort",
            "podManagementPolicy",
            "sentinel",
        ],
        (OPSTREE, "RedisReplication", "spec.redisConfig") => &[
            "maxMemoryPercentOfLimit",
            "dynamicConfig",
            "additionalRedisConfig",
        ],
        (OPSTREE, "RedisReplication", "spec.pdb") | (OPSTREE, "RedisSentinel", "spec.pdb") => {
            &["enabled", "minAvailable", "maxUnavailable"]
        }
        _ => return None,
    })
}

const SPOTAHOME_COMMON: &[&str] = &[
    "image",
    "imagePullPolicy",
    "replicas",
    "resources",
    "customConfig",
    "command",
    "startupConfigMap",
    "initContainers",
    "extraContainers",
    "exporter",
    "affinity",
    "securityContext",
    "containerSecurityContext",
    "imagePullSecrets",
    "tolerations",
    "topologySpreadConstraints",
    "nodeSelector",
    "podAnnotations",
    "serviceAnnotations",
    "hostNetwork",
    "dnsPolicy",
    "priorityClassName",
    "serviceAccountName",
    "extraVolumes",
    "extraVolumeMounts",
    "customLivenessProbe",
    "customReadinessProbe",
    "customStartupProbe",
    "disablePodDisruptionBudget",
    // freshworks-oss/redis-operator, a fork that keeps the API group.
    "disableMasterRollout",
    "disableMyMaster",
];

const SPOTAHOME_REDIS: &[&str] = &[
    "port",
    "customCommandRenames",
    "shutdownConfigMap",
    "storage",
    "terminationGracePeriod",
    // and SPOTAHOME_COMMON
];

const SPOTAHOME_SENTINEL: &[&str] = &["configCopy"];

const PATHS: &[&str] = &[
    "spec",
    "spec.auth",
    "spec.bootstrapNode",
    "spec.redis",
    "spec.sentinel",
    "spec.redisSentinelConfig",
    "spec.redisConfig",
    "spec.pdb",
];

fn unknown_fields(r: &Resource, out: &mut Vec<Diagnostic>) {
    for path in PATHS {
        let Some(known) = schema(r, path) else {
            continue;
        };
        let spotahome_pod = r.api_group == SPOTAHOME
            && path.matches('.').count() == 1
            && (*path == "spec.redis" || *path == "spec.sentinel");
        let Some(map) = r.object.at(path) else {
            continue;
        };
        for (key, _) in map.entries() {
            let Some(name) = key.as_str() else { continue };
            if name == "<<"
                || known.contains(&name)
                || (spotahome_pod && SPOTAHOME_COMMON.contains(&name))
            {
                continue;
            }
            let candidates: Vec<&str> = known
                .iter()
                .chain(if spotahome_pod { SPOTAHOME_COMMON } else { &[] })
                .copied()
                .collect();
            let mut d = Diagnostic::new(
                Rule::UnknownField,
                r.span(key),
                format!("`{path}.{name}` is not a field of {} `{}`: the API server drops it (or rejects the object with strict validation), so it has no effect", r.kind, r.api_group),
            );
            if let Some(best) = did_you_mean(name, candidates.iter().copied()) {
                d = d.help(format!("did you mean `{best}`?"));
            }
            out.push(d);
        }
    }
}
