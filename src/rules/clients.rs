//! Applications of the deployment and how their clients are configured against the
//! sentinels: with a framework whose settings name the sentinel credential apart from
//! the data nodes' one.

use crate::diagnostic::Diagnostic;
use crate::facts::service::ConfigRef;
use crate::rules::{Context, Rule};
use crate::source::Span;

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    sentinel_password(ctx, out);
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
