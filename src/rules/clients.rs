//! Applications of the deployment and how their clients are configured against the
//! sentinels: with a framework whose settings name the sentinel credential apart from
//! the data nodes' one.

use crate::diagnostic::Diagnostic;
use crate::facts::service::ConfigRef;
use crate::rules::{Context, Rule};
use crate::source::Span;

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    master_name(ctx, out);
    sentinel_password(ctx, out);
    round_robin_service(ctx, out);
    config_map_credentials(ctx, out);
}

/// Redis credentials written out in the ConfigMaps that configure applications (their
/// `REDIS_PASSWORD`, a `redis://:…@` URL, the password of a config file's Redis
/// section): one finding per ConfigMap, the other places as labels.
fn config_map_credentials(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let mut by_map: std::collections::BTreeMap<
        (crate::source::FileId, &str),
        Vec<&crate::formats::client_secrets::ClientSecret>,
    > = std::collections::BTreeMap::new();
    for s in &ctx.units.client_secrets {
        by_map
            .entry((s.span.file, s.config_map.as_str()))
            .or_default()
            .push(s);
    }
    for ((_, config_map), found) in by_map {
        let (first, rest) = (found[0], &found[1..]);
        let more = if rest.is_empty() {
            String::new()
        } else {
            format!(", and {} more place(s)", rest.len())
        };
        let mut d = Diagnostic::new(
            Rule::SecretsInPlaintextConfig,
            first.span,
            format!("a Redis password is written out in ConfigMap `{config_map}` (key `{}`{more}) for the applications that read it: ConfigMaps are plain text to anyone who can read the namespace and sit in version control, and rotating the password means editing each copy by hand", first.key),
        );
        for s in rest {
            d = d.label(s.span, format!("another one (key `{}`)", s.key));
        }
        out.push(d.help("keep it in a Secret and hand it to the applications from there (`envFrom: secretRef`, `valueFrom.secretKeyRef`, or a config file mounted from the Secret)"));
    }
}

/// Variables by which applications name the one Redis server they connect to.
const HOST_VARS: &[&str] = &[
    "REDIS_HOST",
    "REDIS_URL",
    "REDIS_ADDR",
    "REDIS_ADDRESS",
    "REDIS_SERVER",
    "REDIS_ENDPOINT",
    "SPRING_DATA_REDIS_HOST",
    "SPRING_DATA_REDIS_URL",
    "SPRING_REDIS_HOST",
    "SPRING_REDIS_URL",
    "CACHE_REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
];

/// The host of a `host`, `host:port` or `redis://[user:pass@]host[:port][/db]` value.
fn host_of(value: &str) -> Option<&str> {
    let rest = match value.split_once("://") {
        Some((scheme, rest)) if scheme.starts_with("redis") || scheme.starts_with("valkey") => rest,
        Some(_) => return None,
        None => value,
    };
    let rest = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    let rest = rest.split(['/', '?']).next()?;
    let host = rest.rsplit_once(':').map_or(rest, |(h, _)| h);
    (!host.is_empty()).then_some(host)
}

/// Whether `host` names the Service `name` of `namespace` (`svc`, `svc.ns`,
/// `svc.ns.svc`, `svc.ns.svc.<domain>`), seen from an application in `app_ns`.
fn names_service(host: &str, name: &str, namespace: Option<&str>, app_ns: Option<&str>) -> bool {
    let host = host.to_ascii_lowercase();
    let mut parts = host.splitn(3, '.');
    if parts.next() != Some(name) {
        return false;
    }
    match parts.next() {
        // A bare name resolves in the application's own namespace.
        None => namespace == app_ns || namespace.is_none() || app_ns.is_none(),
        Some(ns) => {
            namespace.is_none_or(|n| n == ns) && parts.next().is_none_or(|r| r.starts_with("svc"))
        }
    }
}

/// A Service whose selector matches the pods of several data nodes of one group, used
/// by an application as its one Redis server: each connection lands on any of them,
/// and writes that land on a replica fail.
fn round_robin_service(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    for svc in &topo.cluster.services {
        if svc.selector.is_empty() {
            continue;
        }
        // Data nodes behind it, as (node, container) pairs.
        let mut behind: Vec<(usize, &crate::formats::units::ContainerFacts)> = Vec::new();
        for cf in &ctx.units.containers {
            let c = &cf.container;
            if !svc.selects(c.namespace.as_deref(), &c.pod.labels) {
                continue;
            }
            for p in &cf.processes {
                if let ConfigRef::Node(n) = p {
                    behind.push((*n, cf));
                }
            }
        }
        // Several data pods, one of them in a replicated group: the others are its
        // copies (a StatefulSet's pods), the master and its replicas. Or only the pods
        // of the master the sentinels watch, while its replicas run elsewhere: after a
        // failover the master is one of those.
        let round_robin = behind.len() >= 2;
        let Some(group) = topo.groups.iter().find(|g| {
            let member = behind.iter().any(|(n, _)| g.nodes().any(|m| m == *n));
            let replicated =
                g.has_sentinels() || !g.replicas.is_empty() || g.replica_count.unwrap_or(0) > 0;
            let pinned = !round_robin
                && g.has_sentinels()
                && !g.replicas.is_empty()
                && behind.iter().all(|(n, _)| g.master == Some(*n));
            // Only replicas behind it: a read endpoint, by design.
            let replicas_only = g.master.is_some_and(|m| {
                behind
                    .iter()
                    .all(|(n, _)| *n != m && g.replicas.contains(n))
            });
            member && ((round_robin && replicated && !replicas_only) || pinned)
        }) else {
            continue;
        };
        let port = group
            .master
            .map_or(6379, |m| topo.nodes[m].effective_port());
        let data_port = svc.ports.iter().any(|(p, target)| match target {
            Some(t) => match t.parse::<i64>() {
                Ok(n) => n == port,
                Err(_) => {
                    let t = t.to_ascii_lowercase();
                    t.contains("redis") || t.contains("valkey")
                }
            },
            None => *p == port,
        });
        if !data_port {
            continue;
        }
        // The workloads behind it, as messages name them.
        let workloads = {
            let mut w: Vec<&str> = behind
                .iter()
                .map(|(_, cf)| cf.container.workload.as_str())
                .collect();
            w.dedup();
            w.iter()
                .map(|w| format!("`{w}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let group_name = group.name.as_deref().unwrap_or(&group.host);
        let (selects, breaks, label) = if round_robin {
            (
                format!("selects all {} data pods of `{group_name}` (workload {workloads}), replicas included", behind.len()),
                "each connection lands on any of them, and writes that land on a replica fail with `READONLY You can't write against a read only replica`",
                "its selector matches master and replicas alike",
            )
        } else {
            (
                format!("selects only workload {workloads}, the master of `{group_name}` when it was deployed"),
                "after a failover the sentinels promote a replica elsewhere, this pod becomes a replica, and every write through the Service fails with `READONLY You can't write against a read only replica`",
                "its selector follows the pod, not the master role",
            )
        };
        // Published outside the cluster: its clients are not in the tree, and each of
        // their connections lands on any of the pods.
        if let Some((kind, at)) = &svc.external {
            out.push(
                Diagnostic::new(
                    Rule::ClientsViaRoundRobinService,
                    *at,
                    format!(
                        "Service `{}` publishes the data port outside the cluster ({kind}) and {selects}: {breaks}",
                        svc.name,
                    ),
                )
                .label(svc.name_span, label)
                .help("publish the sentinels instead and use a Sentinel-aware client outside, or publish a Service that selects only the master (a label the failover moves with it)"),
            );
        }
        for app in &ctx.units.containers {
            if !app.processes.is_empty() || app.runs_server {
                continue;
            }
            let env = &app.container.env_vars;
            // A client that asks the sentinels knows where the master is.
            if env.iter().any(|(n, _, _)| n.contains("SENTINEL")) {
                continue;
            }
            let Some((var, _, at)) = env.iter().find(|(n, v, _)| {
                HOST_VARS.contains(&n.as_str())
                    && v.as_deref().and_then(host_of).is_some_and(|h| {
                        names_service(
                            h,
                            &svc.name,
                            svc.namespace.as_deref(),
                            app.container.namespace.as_deref(),
                        )
                    })
            }) else {
                continue;
            };
            out.push(
                Diagnostic::new(
                    Rule::ClientsViaRoundRobinService,
                    Span::new(app.file, at.start, at.end),
                    format!(
                        "`{}` connects to Service `{}` through `{var}`, and that Service {selects}: {breaks}",
                        app.container.workload,
                        svc.name,
                    ),
                )
                .label(svc.name_span, label)
                .help("ask the sentinels for the master (a Sentinel-aware client: `SPRING_DATA_REDIS_SENTINEL_MASTER` and `_NODES`, go-redis `NewFailoverClient`, redis-py `Sentinel`), or use a Service that selects only the master"),
            );
        }
    }
}

/// One application setting that names the master it asks the sentinels for.
struct MasterNameSetting<'a> {
    /// How messages name the application (a compose service, a workload, a ConfigMap).
    who: String,
    value: &'a str,
    at: Span,
}

/// A deployment an application belongs to: the overlay that builds it (when one does) and
/// the indices of its sentinels.
type Deployment = (Option<String>, Vec<usize>);

/// The sentinels an application of `file` talks to, one set per deployment the file
/// belongs to: the compose file; each top Kustomize build that holds it (an overlay
/// that renames the master deploys its own); else the manifests of its folder.
fn deployments_of(ctx: &Context, file: crate::source::FileId) -> Vec<Deployment> {
    let topo = ctx.topology;
    let builds: Vec<_> = ctx
        .units
        .builds
        .iter()
        .filter(|b| b.top && b.files.contains(&file))
        .collect();
    if !builds.is_empty() {
        return builds
            .iter()
            .map(|b| {
                let sentinels = (0..topo.sentinels.len())
                    .filter(|&i| b.files.contains(&topo.sentinels[i].file))
                    .collect();
                (Some(b.root.display().to_string()), sentinels)
            })
            .collect();
    }
    let dir = ctx.path(file).parent();
    let sentinels = (0..topo.sentinels.len())
        .filter(|&i| {
            let s = &topo.sentinels[i];
            s.file == file || ctx.path(s.file).parent() == dir
        })
        .collect();
    vec![(None, sentinels)]
}

/// client-master-name-mismatch: an application asks the sentinels of its deployment for
/// a master name that none of them monitors.
fn master_name(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    let mut settings: Vec<(MasterNameSetting, Vec<Deployment>)> = Vec::new();
    for unit in ctx.units.compose.iter().filter(|u| !u.runs_redis) {
        let sentinels: Vec<usize> = ctx
            .units
            .compose
            .iter()
            .filter(|u| u.file == unit.file)
            .flat_map(|u| u.sentinels.iter().copied())
            .collect();
        for e in &unit.service.env {
            let Some(value) = e.value.as_deref() else {
                continue;
            };
            if crate::knowledge::clients::names_sentinel_master(&e.name) {
                let setting = MasterNameSetting {
                    who: format!("service `{}`", unit.service.name),
                    value,
                    at: Span::new(unit.file, e.span.start, e.span.end),
                };
                settings.push((setting, vec![(None, sentinels.clone())]));
            }
        }
    }
    for cf in &ctx.units.containers {
        if !cf.processes.is_empty() || cf.runs_server {
            continue;
        }
        for (name, value, at) in &cf.container.env_vars {
            let Some(value) = value.as_deref() else {
                continue;
            };
            if crate::knowledge::clients::names_sentinel_master(name) {
                let setting = MasterNameSetting {
                    who: format!("workload `{}`", cf.container.workload),
                    value,
                    at: Span::new(cf.file, at.start, at.end),
                };
                settings.push((setting, deployments_of(ctx, cf.file)));
            }
        }
    }
    for entry in &ctx.units.client_master_names {
        // A ConfigMap that a Redis container reads its environment from configures
        // that process (the bitnami sentinel's own `REDIS_MASTER_SET`), not a client.
        let feeds_redis = ctx.units.containers.iter().any(|cf| {
            (!cf.processes.is_empty() || cf.runs_server)
                && cf.container.env_config_maps.contains(&entry.config_map)
        });
        if feeds_redis {
            continue;
        }
        let setting = MasterNameSetting {
            who: format!("ConfigMap `{}`", entry.config_map),
            value: &entry.value,
            at: entry.span,
        };
        settings.push((setting, deployments_of(ctx, entry.span.file)));
    }
    for (setting, deployments) in settings {
        let value = setting.value;
        let mut unmonitored: Vec<(Option<String>, Vec<&crate::facts::Monitor>)> = Vec::new();
        for (build, sentinels) in deployments {
            // A sentinel an operator or chart configures monitors what its resource says.
            let known = |i: usize| {
                topo.sentinels[i].complete || topo.sentinels[i].runtime.managed_by.is_some()
            };
            if sentinels.is_empty() || !sentinels.iter().all(|&i| known(i)) {
                continue;
            }
            let monitors: Vec<_> = sentinels
                .iter()
                .flat_map(|&i| topo.sentinels[i].monitors.iter())
                .collect();
            if monitors.is_empty()
                || monitors
                    .iter()
                    .any(|m| crate::knowledge::values::is_template(&m.name.value))
                || monitors.iter().any(|m| m.name.value == value)
            {
                continue;
            }
            unmonitored.push((build, monitors));
        }
        let Some((build, monitors)) = unmonitored.first() else {
            continue;
        };
        let close = monitors
            .iter()
            .find(|m| m.name.value.eq_ignore_ascii_case(value));
        let deployed = match build {
            Some(b) => format!(" (as `{b}` deploys it)"),
            None => String::new(),
        };
        let mut d = Diagnostic::new(
            Rule::ClientMasterNameMismatch,
            setting.at,
            format!(
                "{} asks the sentinels for master `{value}`, which none of them monitors{deployed}{}: the client fails with \"master not found\" / \"{value} seems to be not monitored\" and cannot connect",
                setting.who,
                if close.is_some() { " (master names are case-sensitive)" } else { "" }
            ),
        );
        for (build, monitors) in &unmonitored {
            let shown = close.copied().or(monitors.first().copied());
            if let Some(m) = shown {
                let label = match build {
                    Some(b) => format!("`{b}` deploys sentinels that monitor `{}`", m.name.value),
                    None => format!("the sentinels monitor `{}`", m.name.value),
                };
                d = d.label(m.name.span, label);
            }
        }
        out.push(d.help("use the master name of the `sentinel monitor` lines"));
    }
}

/// A client configuration whose variables say which credential goes where.
struct Framework {
    name: &'static str,
    /// Variables that make the client ask sentinels for the master.
    sentinel_aware: [&'static str; 2],
    /// The password it sends to the sentinels.
    sentinel_password: &'static str,
    /// The password it sends to the data nodes.
    data_password: &'static str,
}

/// Spring Boot reads its properties from these variables (relaxed binding); Boot 3
/// moved `spring.redis.*` to `spring.data.redis.*`. The sentinel password is a
/// property of its own (`spring.redis.sentinel.password` since Boot 2.2); the data
/// password is never sent to the sentinels.
const FRAMEWORKS: &[Framework] = &[
    Framework {
        name: "Spring Boot 3",
        sentinel_aware: [
            "SPRING_DATA_REDIS_SENTINEL_MASTER",
            "SPRING_DATA_REDIS_SENTINEL_NODES",
        ],
        sentinel_password: "SPRING_DATA_REDIS_SENTINEL_PASSWORD",
        data_password: "SPRING_DATA_REDIS_PASSWORD",
    },
    Framework {
        name: "Spring Boot 2",
        sentinel_aware: [
            "SPRING_REDIS_SENTINEL_MASTER",
            "SPRING_REDIS_SENTINEL_NODES",
        ],
        sentinel_password: "SPRING_REDIS_SENTINEL_PASSWORD",
        data_password: "SPRING_REDIS_PASSWORD",
    },
];

/// An application's environment: variable → (value when literal, where written).
struct AppEnv<'a> {
    name: &'a str,
    vars: Vec<(&'a str, Option<&'a str>, Span)>,
}

impl AppEnv<'_> {
    fn get(&self, var: &str) -> Option<&(&str, Option<&str>, Span)> {
        self.vars.iter().rev().find(|(n, _, _)| *n == var)
    }

    /// Set to something (a literal that is not empty, or a reference).
    fn set(&self, var: &str) -> bool {
        self.get(var)
            .is_some_and(|(_, v, _)| v.is_none_or(|v| !v.is_empty()))
    }
}

/// Whether the sentinels an application talks to ask for a password: all of them do,
/// none does, or it cannot be told.
#[derive(PartialEq)]
enum SentinelAuth {
    Required(Span),
    None(Span),
    Unknown,
}

fn sentinel_auth(ctx: &Context, sentinels: &[usize]) -> SentinelAuth {
    let procs: Vec<_> = sentinels
        .iter()
        .map(|&i| &ctx.topology.sentinels[i])
        .collect();
    if procs.is_empty() || procs.iter().any(|s| !s.complete || s.acl_file.is_some()) {
        return SentinelAuth::Unknown;
    }
    let with: Vec<_> = procs.iter().filter(|s| s.password.is_some()).collect();
    if with.len() == procs.len() {
        SentinelAuth::Required(with[0].password.as_ref().unwrap().span)
    } else if with.is_empty() {
        SentinelAuth::None(procs[0].anchor)
    } else {
        SentinelAuth::Unknown
    }
}

fn sentinel_password(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for unit in ctx.units.compose.iter().filter(|u| !u.runs_redis) {
        let sentinels: Vec<usize> = ctx
            .units
            .compose
            .iter()
            .filter(|u| u.file == unit.file)
            .flat_map(|u| u.sentinels.iter().copied())
            .collect();
        let env = AppEnv {
            name: &unit.service.name,
            vars: unit
                .service
                .env
                .iter()
                .map(|e| {
                    (
                        e.name.as_str(),
                        e.value.as_deref(),
                        Span::new(unit.file, e.span.start, e.span.end),
                    )
                })
                .collect(),
        };
        judge(&env, sentinel_auth(ctx, &sentinels), out);
    }
    for cf in &ctx.units.containers {
        if !cf.processes.is_empty() || cf.runs_server {
            continue;
        }
        let dir = ctx.path(cf.file).parent();
        // The sentinels of the same namespace in the same folder: one deployment.
        let sentinels: Vec<usize> = ctx
            .units
            .containers
            .iter()
            .filter(|o| {
                o.container.namespace == cf.container.namespace && ctx.path(o.file).parent() == dir
            })
            .flat_map(|o| o.processes.iter())
            .filter_map(|p| match p {
                ConfigRef::Sentinel(s) => Some(*s),
                _ => None,
            })
            .collect();
        let env = AppEnv {
            name: &cf.container.workload,
            vars: cf
                .container
                .env_vars
                .iter()
                .map(|(n, v, r)| (n.as_str(), v.as_deref(), Span::new(cf.file, r.start, r.end)))
                .collect(),
        };
        judge(&env, sentinel_auth(ctx, &sentinels), out);
    }
}

fn judge(env: &AppEnv, auth: SentinelAuth, out: &mut Vec<Diagnostic>) {
    for fw in FRAMEWORKS {
        let Some(aware) = fw.sentinel_aware.iter().find_map(|v| env.get(v)) else {
            continue;
        };
        let has_sentinel_pw = env.set(fw.sentinel_password);
        match &auth {
            SentinelAuth::Required(at) if !has_sentinel_pw => {
                let data = if env.set(fw.data_password) {
                    format!(
                        "it sets only `{}`, which {} sends to the data nodes, not to the sentinels",
                        fw.data_password, fw.name
                    )
                } else {
                    "it sets no password for them".to_string()
                };
                out.push(
                    Diagnostic::new(
                        Rule::ClientSentinelPasswordMissing,
                        aware.2,
                        format!(
                            "`{}` asks the sentinels for the master, and the sentinels require a password, but {data}: every sentinel answers `NOAUTH Authentication required` and the application finds no master",
                            env.name
                        ),
                    )
                    .label(*at, "the sentinels' password")
                    .help(format!(
                        "set `{}` to the sentinels' password (`requirepass` of sentinel.conf)",
                        fw.sentinel_password
                    )),
                );
            }
            SentinelAuth::None(at) if has_sentinel_pw => {
                let (_, _, set_at) = env.get(fw.sentinel_password).expect("set");
                out.push(
                    Diagnostic::new(
                        Rule::ClientSentinelPasswordMissing,
                        *set_at,
                        format!(
                            "`{}` sends a password to the sentinels, but they have none: they answer `AUTH <password> called without any password configured for the default user` and the application cannot ask them for the master",
                            env.name
                        ),
                    )
                    .label(*at, "this sentinel has no `requirepass`")
                    .help(format!(
                        "remove `{}`, or set the same `requirepass` on every sentinel",
                        fw.sentinel_password
                    )),
                );
            }
            _ => {}
        }
    }
}
