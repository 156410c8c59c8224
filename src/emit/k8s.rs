//! `--to k8s`: plain Kubernetes manifests. Per group: the password in a Secret (a
//! placeholder, or an existing Secret), the redis.conf template in a ConfigMap, a data-node
//! StatefulSet whose start script asks the sentinels for the current master before falling
//! back to ordinal 0, a sentinel StatefulSet whose sentinel.conf is written once into its
//! volume claim (a stable sentinel identity), headless Services that publish not-ready
//! addresses, a Service for sentinel discovery, PodDisruptionBudgets, required
//! anti-affinity, probes that authenticate and compare with PONG, memory limits above
//! `maxmemory`.

use super::configs::{redis_conf, NodeConf, Secret};
use super::plan::{memory_limit_mi, GroupPlan, Names, Plan};
use super::yaml::{documents, int, map, q, s, seq, Value};
use super::{Options, OutFile};

const PASSWORD_VAR: &str = "REDIS_PASSWORD";

/// The value written into a generated Secret: to be replaced before deploying.
pub const PLACEHOLDER: &str = "REPLACE-WITH-A-STRONG-PASSWORD";

pub fn emit(plan: &Plan, options: &Options, header: &[String]) -> Vec<OutFile> {
    let mut docs = Vec::new();
    for group in &plan.groups {
        docs.extend(group_objects(plan, group, options));
    }
    for (c, cluster) in plan.clusters.iter().enumerate() {
        let name = if plan.clusters.len() > 1 {
            format!("redis-cluster{c}")
        } else {
            "redis-cluster".to_string()
        };
        docs.extend(cluster_objects(&name, cluster, options));
    }
    vec![OutFile::new("redis-ha.yaml", documents(header, &docs))]
}

/// A Redis Cluster deployment: its config in a ConfigMap (`nodes.conf` on the volume
/// claim), a StatefulSet whose pods announce their DNS names and keep apart, a headless
/// Service with the client and bus ports, a PodDisruptionBudget, and a Job that creates
/// the cluster once every pod answers (and does nothing when it already exists).
fn cluster_objects(
    name: &str,
    cluster: &super::plan::ClusterPlan,
    options: &Options,
) -> Vec<Value> {
    let ns = options.namespace.as_str();
    let headless_name = format!("{name}-headless");
    let domain = format!("{headless_name}.{ns}.svc.cluster.local");
    let config_map = format!("{name}-config");
    let mut docs = Vec::new();
    let secret = cluster.password.then(|| match &options.secret_name {
        Some(secret) => (secret.clone(), "password".to_string(), false),
        None => (format!("{name}-auth"), "password".to_string(), true),
    });
    if let Some((secret, key, true)) = &secret {
        docs.push(secret_manifest(secret, key, ns));
    }
    let template = super::configs::cluster_conf(
        &[],
        cluster,
        &super::configs::ClusterNodeConf {
            port: 6379,
            bus_port: None,
            bind: None,
            dir: "/data",
            config_file: "/data/nodes.conf".to_string(),
            hostname: None,
            secret: if secret.is_some() {
                super::configs::Secret::Elsewhere
            } else {
                super::configs::Secret::None
            },
            process: Vec::new(),
        },
    );
    docs.push(map([
        ("apiVersion", s("v1")),
        ("kind", s("ConfigMap")),
        ("metadata", meta(&config_map, ns, None)),
        ("data", map([("redis.conf", s(template))])),
    ]));
    let mut headless = headless(&headless_name, ns, name, "client", 6379);
    if let Value::Map(entries) = &mut headless {
        if let Some((_, Value::Map(spec))) = entries.iter_mut().find(|(k, _)| k == "spec") {
            if let Some((_, ports)) = spec.iter_mut().find(|(k, _)| k == "ports") {
                *ports = seq([
                    map([("name", s("client")), ("port", int(6379))]),
                    map([("name", s("bus")), ("port", int(16379))]),
                ]);
            }
        }
    }
    docs.push(headless);
    let password_args = if secret.is_some() {
        format!(" {}", super::configs::node_password_args(PASSWORD_VAR))
    } else {
        String::new()
    };
    let start = format!(
        "exec redis-server /conf/redis.conf --cluster-announce-hostname \"$(hostname).{domain}\" --cluster-preferred-endpoint-type hostname{password_args}\n"
    );
    let env: Vec<Value> = secret
        .iter()
        .map(|sec| secret_env(PASSWORD_VAR, sec))
        .chain(secret.iter().map(|sec| secret_env("REDISCLI_AUTH", sec)))
        .collect();
    let mut container = map([
        ("name", s("redis")),
        ("image", s(&options.image)),
        ("command", seq([s("sh"), s("-c"), s(start)])),
        (
            "ports",
            seq([
                map([("name", s("client")), ("containerPort", int(6379))]),
                map([("name", s("bus")), ("containerPort", int(16379))]),
            ]),
        ),
    ]);
    if !env.is_empty() {
        container.push("env", Value::Seq(env.clone()));
    }
    container.push(
        "volumeMounts",
        seq([
            map([("name", s("data")), ("mountPath", s("/data"))]),
            map([("name", s("config")), ("mountPath", s("/conf"))]),
        ]),
    );
    container.push(
        "readinessProbe",
        exec_probe(
            r#"test "$(redis-cli ping)" = PONG"#,
            vec![("periodSeconds", int(5))],
        ),
    );
    let pod = map([
        ("affinity", anti_affinity(name)),
        ("securityContext", security_context()),
        ("containers", seq([container])),
        (
            "volumes",
            seq([map([
                ("name", s("config")),
                ("configMap", map([("name", s(&config_map))])),
            ])]),
        ),
    ]);
    docs.push(statefulset(
        name,
        ns,
        &headless_name,
        cluster.nodes(),
        pod,
        "10Gi",
    ));
    docs.push(pdb(name, ns, name));
    let addresses: Vec<String> = (0..cluster.nodes())
        .map(|i| format!("{name}-{i}.{domain}:6379"))
        .collect();
    let first = format!("{name}-0.{domain}");
    let wait: Vec<String> = (0..cluster.nodes())
        .map(|i| {
            format!(
                "until [ \"$(redis-cli -h {name}-{i}.{domain} ping)\" = PONG ]; do sleep 2; done"
            )
        })
        .collect();
    let create = format!(
        "{}\nif redis-cli -h {first} cluster info | grep -q '^cluster_known_nodes:1'; then\n  redis-cli --cluster create {} --cluster-replicas {} --cluster-yes\nfi\n",
        wait.join("\n"),
        addresses.join(" "),
        cluster.replicas_per_master
    );
    let mut job_container = map([
        ("name", s("create")),
        ("image", s(&options.image)),
        ("command", seq([s("sh"), s("-c"), s(create)])),
    ]);
    if !env.is_empty() {
        job_container.push("env", Value::Seq(env));
    }
    docs.push(map([
        ("apiVersion", s("batch/v1")),
        ("kind", s("Job")),
        ("metadata", meta(&format!("{name}-create"), ns, None)),
        (
            "spec",
            map([
                ("backoffLimit", int(10)),
                (
                    "template",
                    map([(
                        "spec",
                        map([
                            ("restartPolicy", s("OnFailure")),
                            ("containers", seq([job_container])),
                        ]),
                    )]),
                ),
            ]),
        ),
    ]));
    docs
}

/// The Secret the pods read the password from: (name, key, whether to write it).
pub fn secret_ref(
    group: &GroupPlan,
    options: &Options,
    names: &Names,
) -> Option<(String, String, bool)> {
    let source = group.password_source()?;
    if let Some(name) = &options.secret_name {
        return Some((name.clone(), "password".to_string(), false));
    }
    if let Some((name, key)) = &source.secret {
        return Some((name.clone(), key.clone(), false));
    }
    Some((
        format!("{}-auth", names.redis),
        "password".to_string(),
        true,
    ))
}

/// A Secret manifest with the placeholder.
pub fn secret_manifest(name: &str, key: &str, namespace: &str) -> Value {
    let mut data = Value::Map(Vec::new());
    data.push(key, q(PLACEHOLDER));
    map([
        ("apiVersion", s("v1")),
        ("kind", s("Secret")),
        ("metadata", meta(name, namespace, None)),
        ("type", s("Opaque")),
        ("stringData", data),
    ])
}

pub fn meta(name: &str, ns: &str, labels: Option<Value>) -> Value {
    let mut m = map([("name", s(name)), ("namespace", s(ns))]);
    if let Some(labels) = labels {
        m.push("labels", labels);
    }
    m
}

fn labels(app: &str) -> Value {
    map([("app", s(app))])
}

fn secret_env(var: &str, secret: &(String, String, bool)) -> Value {
    map([
        ("name", s(var)),
        (
            "valueFrom",
            map([(
                "secretKeyRef",
                map([("name", s(&secret.0)), ("key", s(&secret.1))]),
            )]),
        ),
    ])
}

fn anti_affinity(app: &str) -> Value {
    required_anti_affinity(labels(app))
}

/// Required pod anti-affinity on the node: no two pods matching `match_labels` share a
/// node, so losing one node costs one data node or one sentinel.
pub fn required_anti_affinity(match_labels: Value) -> Value {
    map([(
        "podAntiAffinity",
        map([(
            "requiredDuringSchedulingIgnoredDuringExecution",
            seq([map([
                ("topologyKey", s("kubernetes.io/hostname")),
                ("labelSelector", map([("matchLabels", match_labels)])),
            ])]),
        )]),
    )])
}

fn exec_probe(script: &str, extra: Vec<(&str, Value)>) -> Value {
    let mut probe = map([(
        "exec",
        map([("command", seq([s("sh"), s("-c"), s(script)]))]),
    )]);
    for (k, v) in extra {
        probe.push(k, v);
    }
    probe
}

fn claim(name: &str, size: &str) -> Value {
    map([
        ("metadata", map([("name", s(name))])),
        (
            "spec",
            map([
                ("accessModes", seq([s("ReadWriteOnce")])),
                (
                    "resources",
                    map([("requests", map([("storage", s(size))]))]),
                ),
            ]),
        ),
    ])
}

fn headless(name: &str, ns: &str, app: &str, port_name: &str, port: u16) -> Value {
    map([
        ("apiVersion", s("v1")),
        ("kind", s("Service")),
        ("metadata", meta(name, ns, Some(labels(app)))),
        (
            "spec",
            map([
                ("clusterIP", s("None")),
                // Peers must resolve each other before they are ready (replication,
                // sentinel discovery); readiness would otherwise hide them.
                ("publishNotReadyAddresses", Value::Bool(true)),
                ("selector", labels(app)),
                (
                    "ports",
                    seq([map([("name", s(port_name)), ("port", int(port))])]),
                ),
            ]),
        ),
    ])
}

fn pdb(name: &str, ns: &str, app: &str) -> Value {
    map([
        ("apiVersion", s("policy/v1")),
        ("kind", s("PodDisruptionBudget")),
        ("metadata", meta(name, ns, None)),
        (
            "spec",
            map([
                ("maxUnavailable", int(1)),
                ("selector", map([("matchLabels", labels(app))])),
            ]),
        ),
    ])
}

fn security_context() -> Value {
    // The uid and gid of the redis user in the official image.
    map([
        ("runAsUser", int(999)),
        ("runAsGroup", int(999)),
        ("fsGroup", int(999)),
    ])
}

fn data_mount() -> Value {
    seq([map([("name", s("data")), ("mountPath", s("/data"))])])
}

fn group_objects(plan: &Plan, group: &GroupPlan, options: &Options) -> Vec<Value> {
    let names = Names::of(plan, group);
    let ns = options.namespace.as_str();
    let redis_headless = format!("{}-headless", names.redis);
    let sentinel_headless = format!("{}-headless", names.sentinel);
    let domain = format!("{ns}.svc.cluster.local");
    let sentinel_service = format!("{}.{domain}", names.sentinel);
    let bootstrap_master = format!("{}-0.{redis_headless}.{domain}", names.redis);
    let secret = secret_ref(group, options, &names);
    let mut docs = Vec::new();

    if let Some((name, key, true)) = &secret {
        docs.push(secret_manifest(name, key, ns));
    }

    // The redis.conf template: no password (it comes from the Secret, on the command
    // line) and no replicaof (the start script decides).
    let template = redis_conf(
        &[],
        group,
        &NodeConf {
            port: 6379,
            bind: None,
            dir: "/data",
            announce: None,
            replicaof: None,
            secret: if secret.is_some() {
                Secret::Elsewhere
            } else {
                Secret::None
            },
            process: Vec::new(),
        },
    );
    let config_map = format!("{}-config", names.redis);
    docs.push(map([
        ("apiVersion", s("v1")),
        ("kind", s("ConfigMap")),
        ("metadata", meta(&config_map, ns, None)),
        ("data", map([("redis.conf", q(template))])),
    ]));

    docs.push(headless(&redis_headless, ns, &names.redis, "redis", 6379));
    docs.push(headless(
        &sentinel_headless,
        ns,
        &names.sentinel,
        "sentinel",
        26379,
    ));
    // Clients and the start scripts find the sentinels here.
    docs.push(map([
        ("apiVersion", s("v1")),
        ("kind", s("Service")),
        (
            "metadata",
            meta(&names.sentinel, ns, Some(labels(&names.sentinel))),
        ),
        (
            "spec",
            map([
                ("selector", labels(&names.sentinel)),
                (
                    "ports",
                    seq([map([("name", s("sentinel")), ("port", int(26379))])]),
                ),
            ]),
        ),
    ]));
    docs.push(pdb(&names.redis, ns, &names.redis));
    docs.push(pdb(&names.sentinel, ns, &names.sentinel));

    let mut env = Vec::new();
    if let Some(secret) = &secret {
        env.push(secret_env(PASSWORD_VAR, secret));
        // redis-cli reads it: the probes and the scripts authenticate.
        env.push(secret_env("REDISCLI_AUTH", secret));
    }
    docs.push(redis_statefulset(
        group,
        options,
        &names,
        &RedisPod {
            headless: &redis_headless,
            domain: &domain,
            sentinel_service: &sentinel_service,
            bootstrap_master: &bootstrap_master,
            config_map: &config_map,
            env: &env,
            password: secret.is_some(),
        },
    ));
    docs.push(sentinel_statefulset(
        group,
        options,
        &names,
        &sentinel_headless,
        &domain,
        &sentinel_service,
        &bootstrap_master,
        &env,
    ));
    docs
}

struct RedisPod<'a> {
    headless: &'a str,
    domain: &'a str,
    sentinel_service: &'a str,
    bootstrap_master: &'a str,
    config_map: &'a str,
    env: &'a [Value],
    password: bool,
}

fn redis_statefulset(group: &GroupPlan, options: &Options, names: &Names, p: &RedisPod) -> Value {
    let master_name = &group.master_name;
    let password_args = if p.password {
        format!(" {}", super::configs::node_password_args(PASSWORD_VAR))
    } else {
        String::new()
    };
    let start = format!(
        r#"set -e
HOST="$(hostname).{headless}.{domain}"
# The current master as the sentinels know it; ordinal 0 only when none answers.
MASTER=""
for i in 1 2 3 4 5; do
  MASTER="$(redis-cli -h {sentinel_service} -p 26379 SENTINEL get-master-addr-by-name {master_name} 2>/dev/null | head -n 1 || true)"
  [ -n "$MASTER" ] && break
  sleep 2
done
ARGS="--replica-announce-ip $HOST"
if [ -n "$MASTER" ] && [ "$MASTER" != "$HOST" ]; then
  ARGS="$ARGS --replicaof $MASTER 6379"
elif [ -z "$MASTER" ] && [ "${{HOSTNAME##*-}}" != "0" ]; then
  ARGS="$ARGS --replicaof {bootstrap_master} 6379"
fi
exec redis-server /data/redis.conf $ARGS{password_args}
"#,
        headless = p.headless,
        domain = p.domain,
        sentinel_service = p.sentinel_service,
        bootstrap_master = p.bootstrap_master,
    );
    let mut container = map([
        ("name", s("redis")),
        ("image", s(&options.image)),
        ("command", seq([s("sh"), s("-c"), s(start)])),
        (
            "ports",
            seq([map([("name", s("redis")), ("containerPort", int(6379))])]),
        ),
    ]);
    if !p.env.is_empty() {
        container.push("env", Value::Seq(p.env.to_vec()));
    }
    container.push("volumeMounts", data_mount());
    if let Some(max) = group.maxmemory {
        let limit = format!("{}Mi", memory_limit_mi(max));
        container.push(
            "resources",
            map([
                ("requests", map([("memory", s(&limit))])),
                ("limits", map([("memory", s(&limit))])),
            ]),
        );
    }
    container.push(
        "startupProbe",
        exec_probe(
            r#"test "$(redis-cli ping)" = PONG"#,
            vec![("periodSeconds", int(10)), ("failureThreshold", int(60))],
        ),
    );
    container.push(
        "livenessProbe",
        exec_probe(
            r#"r="$(redis-cli ping)"; [ "$r" = PONG ] || echo "$r" | grep -q LOADING"#,
            vec![("periodSeconds", int(10)), ("failureThreshold", int(6))],
        ),
    );
    container.push(
        "readinessProbe",
        exec_probe(
            r#"test "$(redis-cli ping)" = PONG"#,
            vec![("periodSeconds", int(5))],
        ),
    );
    // A master that is being stopped hands over first.
    let pre_stop = format!(
        "if redis-cli role | head -n 1 | grep -q master; then redis-cli -h {} -p 26379 SENTINEL failover {master_name} || true; sleep 10; fi",
        p.sentinel_service
    );
    container.push(
        "lifecycle",
        map([(
            "preStop",
            map([(
                "exec",
                map([("command", seq([s("sh"), s("-c"), s(pre_stop)]))]),
            )]),
        )]),
    );
    let pod = map([
        ("affinity", anti_affinity(&names.redis)),
        ("securityContext", security_context()),
        ("terminationGracePeriodSeconds", int(60)),
        (
            "initContainers",
            seq([map([
                ("name", s("config")),
                ("image", s(&options.image)),
                // Copied at every start: the start script decides the role each time.
                (
                    "command",
                    seq([
                        s("sh"),
                        s("-c"),
                        s("cp /template/redis.conf /data/redis.conf"),
                    ]),
                ),
                (
                    "volumeMounts",
                    seq([
                        map([("name", s("template")), ("mountPath", s("/template"))]),
                        map([("name", s("data")), ("mountPath", s("/data"))]),
                    ]),
                ),
            ])]),
        ),
        ("containers", seq([container])),
        (
            "volumes",
            seq([map([
                ("name", s("template")),
                ("configMap", map([("name", s(p.config_map))])),
            ])]),
        ),
    ]);
    statefulset(
        &names.redis,
        &options.namespace,
        p.headless,
        group.data_nodes,
        pod,
        "10Gi",
    )
}

#[allow(clippy::too_many_arguments)]
fn sentinel_statefulset(
    group: &GroupPlan,
    options: &Options,
    names: &Names,
    headless: &str,
    domain: &str,
    sentinel_service: &str,
    bootstrap_master: &str,
    env: &[Value],
) -> Value {
    let master_name = &group.master_name;
    let password = !env.is_empty();
    // Written once into the claim: the sentinel's ID and what it learnt survive
    // restarts. A sentinel that starts later follows the current master.
    let requirepass = if password {
        format!("requirepass \"${{{PASSWORD_VAR}}}\"\n")
    } else {
        "protected-mode no\n".to_string()
    };
    let auth_pass = if password {
        format!("sentinel auth-pass {master_name} \"${{{PASSWORD_VAR}}}\"\n")
    } else {
        String::new()
    };
    let init = format!(
        r#"set -e
[ -f /data/sentinel.conf ] && exit 0
cat > /data/sentinel.conf <<EOF
port 26379
dir /data
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
sentinel announce-ip $(hostname).{headless}.{domain}
{requirepass}sentinel monitor {master_name} {bootstrap_master} 6379 {quorum}
{auth_pass}sentinel down-after-milliseconds {master_name} {down_after}
sentinel failover-timeout {master_name} {failover_timeout}
sentinel parallel-syncs {master_name} {parallel_syncs}
EOF
MASTER="$(redis-cli -h {sentinel_service} -p 26379 SENTINEL get-master-addr-by-name {master_name} 2>/dev/null | head -n 1 || true)"
if [ -n "$MASTER" ]; then
  sed -i "s/^sentinel monitor {master_name} .*/sentinel monitor {master_name} $MASTER 6379 {quorum}/" /data/sentinel.conf
fi
"#,
        quorum = group.quorum,
        down_after = group.down_after_ms,
        failover_timeout = group.failover_timeout_ms,
        parallel_syncs = group.parallel_syncs,
    );
    let mut init_container = map([
        ("name", s("config")),
        ("image", s(&options.image)),
        ("command", seq([s("sh"), s("-c"), s(init)])),
    ]);
    if password {
        init_container.push("env", Value::Seq(env.to_vec()));
    }
    init_container.push("volumeMounts", data_mount());
    let mut container = map([
        ("name", s("sentinel")),
        ("image", s(&options.image)),
        (
            "command",
            seq([s("redis-sentinel"), s("/data/sentinel.conf")]),
        ),
        (
            "ports",
            seq([map([
                ("name", s("sentinel")),
                ("containerPort", int(26379)),
            ])]),
        ),
    ]);
    if password {
        container.push("env", Value::Seq(env.to_vec()));
    }
    container.push("volumeMounts", data_mount());
    container.push(
        "resources",
        map([
            ("requests", map([("cpu", s("50m")), ("memory", s("64Mi"))])),
            ("limits", map([("memory", s("128Mi"))])),
        ]),
    );
    let ping = r#"test "$(redis-cli -p 26379 ping)" = PONG"#;
    container.push("livenessProbe", exec_probe(ping, vec![]));
    container.push("readinessProbe", exec_probe(ping, vec![]));
    let pod = map([
        ("affinity", anti_affinity(&names.sentinel)),
        ("securityContext", security_context()),
        ("initContainers", seq([init_container])),
        ("containers", seq([container])),
    ]);
    statefulset(
        &names.sentinel,
        &options.namespace,
        headless,
        group.sentinels,
        pod,
        "1Gi",
    )
}

fn statefulset(
    name: &str,
    ns: &str,
    service: &str,
    replicas: usize,
    pod: Value,
    size: &str,
) -> Value {
    map([
        ("apiVersion", s("apps/v1")),
        ("kind", s("StatefulSet")),
        ("metadata", meta(name, ns, Some(labels(name)))),
        (
            "spec",
            map([
                ("serviceName", s(service)),
                ("replicas", int(replicas as i64)),
                ("selector", map([("matchLabels", labels(name))])),
                (
                    "template",
                    map([("metadata", map([("labels", labels(name))])), ("spec", pod)]),
                ),
                ("volumeClaimTemplates", seq([claim("data", size)])),
            ]),
        ),
    ])
}
