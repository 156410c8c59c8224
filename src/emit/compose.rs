//! `--to compose`: a docker-compose project. Every process gets its own writable
//! directory (config and data, never a single-file mount), host names are used with
//! `resolve-hostnames`/`announce-hostnames`, the one password comes from `.env`,
//! healthchecks authenticate and compare with PONG, and replicas and sentinels wait for
//! a healthy master.

use super::configs::{
    cluster_conf, redis_conf, sentinel_conf, ClusterNodeConf, NodeConf, Secret, SentinelConf,
};
use super::plan::{memory_limit_mi, Names, PasswordSource, Plan};
use super::yaml::{documents, map, s, seq, Value};
use super::{Options, OutFile};

/// The variable of `.env` that holds the password.
pub fn password_var(source: &PasswordSource) -> String {
    source
        .env
        .clone()
        .unwrap_or_else(|| "REDIS_PASSWORD".to_string())
}

fn healthcheck(script: &str) -> Value {
    map([
        ("test", seq([s("CMD-SHELL"), s(script)])),
        ("interval", s("5s")),
        ("timeout", s("3s")),
        ("retries", Value::Int(10)),
    ])
}

pub fn emit(plan: &Plan, options: &Options, header: &[String]) -> Vec<OutFile> {
    let _ = options;
    let mut files = Vec::new();
    let mut services = Value::Map(Vec::new());
    let mut variables = Vec::new();
    for group in &plan.groups {
        let names = Names::of(plan, group);
        let var = group.password_source().map(password_var);
        if let Some(var) = &var {
            if !variables.contains(var) {
                variables.push(var.clone());
            }
        }
        let reference = var.as_ref().map(|v| format!("${{{v}}}"));
        let secret = if var.is_some() {
            Secret::Elsewhere
        } else {
            Secret::None
        };
        let master = format!("{}-0", names.redis);
        let mut environment = Value::Map(Vec::new());
        if let Some(reference) = &reference {
            // redis-cli reads it: the healthchecks authenticate.
            environment.push("REDISCLI_AUTH", s(reference));
        }
        for i in 0..group.data_nodes {
            let name = format!("{}-{i}", names.redis);
            let replicaof = (i > 0).then_some((master.as_str(), 6379));
            files.push(OutFile::new(
                format!("{name}/redis.conf"),
                redis_conf(
                    header,
                    group,
                    &NodeConf {
                        port: 6379,
                        bind: None,
                        dir: "/data",
                        announce: Some(&name),
                        replicaof,
                        secret,
                        process: Vec::new(),
                    },
                ),
            ));
            let mut command = vec![s("redis-server"), s("/data/redis.conf")];
            if let Some(reference) = &reference {
                command.extend([
                    s("--requirepass"),
                    s(reference),
                    s("--masterauth"),
                    s(reference),
                ]);
            }
            let mut service = map([
                ("image", s(&options.image)),
                ("command", Value::Seq(command)),
                ("restart", s("unless-stopped")),
            ]);
            if reference.is_some() {
                service.push("environment", environment.clone());
            }
            // The image's entrypoint hands /data to the redis user: the config in it
            // stays writable for CONFIG REWRITE.
            service.push("volumes", seq([s(format!("./{name}:/data"))]));
            if let Some(max) = group.maxmemory {
                service.push("mem_limit", s(format!("{}m", memory_limit_mi(max))));
            }
            service.push(
                "healthcheck",
                healthcheck(r#"test "$$(redis-cli ping)" = PONG"#),
            );
            if i > 0 {
                service.push(
                    "depends_on",
                    map([(master.as_str(), map([("condition", s("service_healthy"))]))]),
                );
            }
            services.push(&name, service);
        }
        for i in 0..group.sentinels {
            let name = format!("{}-{i}", names.sentinel);
            files.push(OutFile::new(
                format!("{name}/sentinel.conf"),
                sentinel_conf(
                    header,
                    group,
                    &SentinelConf {
                        port: 26379,
                        bind: None,
                        dir: "/data",
                        announce: Some(&name),
                        hostnames: true,
                        master: (&master, 6379),
                        secret,
                        process: Vec::new(),
                    },
                ),
            ));
            let mut command = vec![s("redis-sentinel"), s("/data/sentinel.conf")];
            if let Some(reference) = &reference {
                command.extend([
                    s("--requirepass"),
                    s(reference),
                    s("--sentinel"),
                    s("auth-pass"),
                    s(&group.master_name),
                    s(reference),
                ]);
            }
            let mut service = map([
                ("image", s(&options.image)),
                ("command", Value::Seq(command)),
                ("restart", s("unless-stopped")),
            ]);
            if reference.is_some() {
                service.push("environment", environment.clone());
            }
            service.push("volumes", seq([s(format!("./{name}:/data"))]));
            service.push(
                "healthcheck",
                healthcheck(r#"test "$$(redis-cli -p 26379 ping)" = PONG"#),
            );
            let mut depends = Value::Map(Vec::new());
            for n in 0..group.data_nodes {
                depends.push(
                    &format!("{}-{n}", names.redis),
                    map([("condition", s("service_healthy"))]),
                );
            }
            service.push("depends_on", depends);
            services.push(&name, service);
        }
    }
    // Redis Cluster deployments: one service per node, each announcing its service name
    // (clients are redirected to names they resolve on the network), and a one-shot
    // service that creates the cluster once every node is healthy.
    for (c, cluster) in plan.clusters.iter().enumerate() {
        let prefix = if plan.clusters.len() > 1 {
            format!("redis-cluster{c}")
        } else {
            "redis-cluster".to_string()
        };
        let var = cluster.password.then(|| "REDIS_PASSWORD".to_string());
        if let Some(var) = &var {
            if !variables.contains(var) {
                variables.push(var.clone());
            }
        }
        let reference = var.as_ref().map(|v| format!("${{{v}}}"));
        let mut environment = Value::Map(Vec::new());
        if let Some(reference) = &reference {
            environment.push("REDISCLI_AUTH", s(reference));
        }
        let mut addresses = Vec::new();
        let mut depends = Value::Map(Vec::new());
        for i in 0..cluster.nodes() {
            let name = format!("{prefix}-{i}");
            files.push(OutFile::new(
                format!("{name}/redis.conf"),
                cluster_conf(
                    header,
                    cluster,
                    &ClusterNodeConf {
                        port: 6379,
                        bus_port: None,
                        bind: None,
                        dir: "/data",
                        config_file: "nodes.conf".to_string(),
                        hostname: Some(&name),
                        secret: if var.is_some() {
                            Secret::Elsewhere
                        } else {
                            Secret::None
                        },
                        process: Vec::new(),
                    },
                ),
            ));
            let mut command = vec![s("redis-server"), s("/data/redis.conf")];
            if let Some(reference) = &reference {
                command.extend([
                    s("--requirepass"),
                    s(reference),
                    s("--masterauth"),
                    s(reference),
                ]);
            }
            let mut service = map([
                ("image", s(&options.image)),
                ("command", Value::Seq(command)),
                ("restart", s("unless-stopped")),
            ]);
            if reference.is_some() {
                service.push("environment", environment.clone());
            }
            service.push("volumes", seq([s(format!("./{name}:/data"))]));
            service.push(
                "healthcheck",
                healthcheck(r#"test "$$(redis-cli ping)" = PONG"#),
            );
            services.push(&name, service);
            depends.push(&name, map([("condition", s("service_healthy"))]));
            addresses.push(format!("{name}:6379"));
        }
        let script = format!(
            "if redis-cli -h {prefix}-0 cluster info | grep -q '^cluster_known_nodes:1'; then redis-cli --cluster create {} --cluster-replicas {} --cluster-yes; fi",
            addresses.join(" "),
            cluster.replicas_per_master
        );
        let mut init = map([
            ("image", s(&options.image)),
            ("command", seq([s("sh"), s("-c"), s(script)])),
            ("restart", s("no")),
        ]);
        if reference.is_some() {
            init.push("environment", environment.clone());
        }
        init.push("depends_on", depends);
        services.push(&format!("{prefix}-create"), init);
    }
    files.insert(
        0,
        OutFile::new(
            "docker-compose.yml",
            documents(header, &[map([("services", services)])]),
        ),
    );
    if !variables.is_empty() {
        let mut env = String::from(
            "# The password of the Redis processes. Keep this file out of version control.\n",
        );
        for var in &variables {
            env.push_str(&format!("{var}={}\n", super::k8s::PLACEHOLDER));
        }
        files.push(OutFile::new(".env", env).private());
        files.push(OutFile::new(".gitignore", ".env\n".to_string()));
    }
    files
}
