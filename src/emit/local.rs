//! `--to local`: a sandbox on this machine. Every instance listens on 127.0.0.1 with a
//! port from `--port-base`, in its own directory (config, data, pid file, log);
//! `start.sh` starts them all daemonized and waits until each answers, `stop.sh` stops
//! them and waits until no process is left. It lets users try a topology, and lets the
//! tests prove that a converted topology really fails over.

use super::configs::{
    cluster_conf, redis_conf, sentinel_conf, ClusterNodeConf, NodeConf, Secret, SentinelConf,
};
use super::plan::{Names, Plan};
use super::{Options, OutFile};

/// Ports of group `g`: data node `i` at `base + 100·g + i`, sentinel `i` at `+ 50 + i`.
pub fn node_port(base: u16, group: usize, i: usize) -> u16 {
    base + (100 * group + i) as u16
}

pub fn sentinel_port(base: u16, group: usize, i: usize) -> u16 {
    base + (100 * group + 50 + i) as u16
}

/// A password for the sandbox: random, so that two sandboxes never share one.
fn generated_password() -> String {
    let mut bytes = [0u8; 12];
    let read = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes));
    if read.is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let mixed = nanos ^ (u128::from(std::process::id()) << 64);
        bytes.copy_from_slice(&mixed.to_le_bytes()[..12]);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn emit(plan: &Plan, options: &Options, header: &[String]) -> Vec<OutFile> {
    let base = options.port_base;
    let password = (plan.groups.iter().any(|g| g.has_password())
        || plan.clusters.iter().any(|c| c.password))
    .then(generated_password);
    let mut files = Vec::new();
    let mut nodes = Vec::new();
    let mut sentinels = Vec::new();
    for (g, group) in plan.groups.iter().enumerate() {
        let names = Names::of(plan, group);
        let secret = match (&password, group.has_password()) {
            (Some(p), true) => Secret::Literal(p),
            _ => Secret::None,
        };
        let master_port = node_port(base, g, 0);
        for i in 0..group.data_nodes {
            let dir = format!("{}-{i}", names.redis);
            let port = node_port(base, g, i);
            files.push(
                OutFile::new(
                    format!("{dir}/redis.conf"),
                    redis_conf(
                        header,
                        group,
                        &NodeConf {
                            port,
                            bind: Some("127.0.0.1"),
                            dir: ".",
                            announce: None,
                            replicaof: (i > 0).then_some(("127.0.0.1", master_port)),
                            secret,
                            process: vec![
                                "daemonize yes".to_string(),
                                "pidfile redis.pid".to_string(),
                                "logfile redis.log".to_string(),
                            ],
                        },
                    ),
                )
                .private(),
            );
            nodes.push((dir, port));
        }
        for i in 0..group.sentinels {
            let dir = format!("{}-{i}", names.sentinel);
            let port = sentinel_port(base, g, i);
            files.push(
                OutFile::new(
                    format!("{dir}/sentinel.conf"),
                    sentinel_conf(
                        header,
                        group,
                        &SentinelConf {
                            port,
                            bind: Some("127.0.0.1"),
                            dir: ".",
                            announce: None,
                            hostnames: false,
                            master: ("127.0.0.1", master_port),
                            secret,
                            process: vec![
                                "daemonize yes".to_string(),
                                "pidfile sentinel.pid".to_string(),
                                "logfile sentinel.log".to_string(),
                            ],
                        },
                    ),
                )
                .private(),
            );
            sentinels.push((dir, port));
        }
    }
    // Cluster deployments after the groups: cluster `c` at `base + 100·(groups + c) + i`,
    // its bus ports 50 above (`cluster-port`), so that every port stays near the base.
    let mut creates = Vec::new();
    for (c, cluster) in plan.clusters.iter().enumerate() {
        let secret = match (&password, cluster.password) {
            (Some(p), true) => Secret::Literal(p),
            _ => Secret::None,
        };
        let slot = plan.groups.len() + c;
        let mut addresses = Vec::new();
        for i in 0..cluster.nodes() {
            let dir = if plan.clusters.len() > 1 {
                format!("cluster{c}-{i}")
            } else {
                format!("cluster-{i}")
            };
            let port = node_port(base, slot, i);
            files.push(
                OutFile::new(
                    format!("{dir}/redis.conf"),
                    cluster_conf(
                        header,
                        cluster,
                        &ClusterNodeConf {
                            port,
                            bus_port: Some(port + 50),
                            bind: Some("127.0.0.1"),
                            dir: ".",
                            config_file: "nodes.conf".to_string(),
                            hostname: None,
                            secret,
                            process: vec![
                                "daemonize yes".to_string(),
                                "pidfile redis.pid".to_string(),
                                "logfile redis.log".to_string(),
                            ],
                        },
                    ),
                )
                .private(),
            );
            nodes.push((dir, port));
            addresses.push(format!("127.0.0.1:{port}"));
        }
        creates.push((addresses, cluster.replicas_per_master));
    }
    if let Some(p) = &password {
        files.push(OutFile::new("password", format!("{p}\n")).private());
    }
    for (c, (addresses, replicas)) in creates.iter().enumerate() {
        let name = if creates.len() > 1 {
            format!("create-cluster{c}.sh")
        } else {
            "create-cluster.sh".to_string()
        };
        files.push(
            OutFile::new(
                name,
                create_script(header, addresses, *replicas, password.is_some()),
            )
            .executable(),
        );
    }
    let create_names: Vec<String> = (0..creates.len())
        .map(|c| {
            if creates.len() > 1 {
                format!("create-cluster{c}.sh")
            } else {
                "create-cluster.sh".to_string()
            }
        })
        .collect();
    let mut start = start_script(header, &nodes, &sentinels);
    for name in &create_names {
        start = start.replace(
            "echo \"start.sh: all instances answer\"\n",
            &format!("sh \"$HERE/{name}\"\necho \"start.sh: all instances answer\"\n"),
        );
    }
    files.push(OutFile::new("start.sh", start).executable());
    files.push(OutFile::new("stop.sh", stop_script(header, &nodes, &sentinels)).executable());
    files
}

/// Creates a Redis Cluster once: when the first node knows no other node yet, joins
/// them all with `--cluster create`, then waits until the cluster reports `ok`. Run again
/// (a restart with `nodes.conf` kept), it does nothing.
pub fn create_script(
    header: &[String],
    addresses: &[String],
    replicas: usize,
    password: bool,
) -> String {
    let mut out = script_header(header);
    let first = addresses.first().cloned().unwrap_or_default();
    let (host, port) = first.rsplit_once(':').unwrap_or((&first, "6379"));
    out.push_str("# Creates the cluster once, then waits until it serves every slot.\nset -eu\n");
    if password {
        out.push_str(
            "HERE=\"$(cd \"$(dirname \"$0\")\" && pwd)\"\nif [ -z \"${REDISCLI_AUTH:-}\" ] && [ -f \"$HERE/password\" ]; then\n    REDISCLI_AUTH=\"$(cat \"$HERE/password\")\"\n    export REDISCLI_AUTH\nfi\n",
        );
    }
    out.push_str(&format!(
        "if redis-cli -h {host} -p {port} cluster info | grep -q '^cluster_known_nodes:1\\b'; then\n    redis-cli --cluster create {} --cluster-replicas {replicas} --cluster-yes\nfi\n",
        addresses.join(" ")
    ));
    out.push_str(&format!(
        "i=0\nuntil redis-cli -h {host} -p {port} cluster info | grep -q '^cluster_state:ok'; do\n    i=$((i + 1))\n    if [ \"$i\" -ge 300 ]; then\n        echo \"the cluster does not reach the ok state\" >&2\n        exit 1\n    fi\n    sleep 0.1\ndone\n"
    ));
    out
}

fn script_header(header: &[String]) -> String {
    let mut out = String::from("#!/bin/sh\n");
    for line in header {
        out.push_str(&format!("# {line}\n"));
    }
    out
}

fn start_script(header: &[String], nodes: &[(String, u16)], sentinels: &[(String, u16)]) -> String {
    let mut out = script_header(header);
    out.push_str(
        r#"# Starts every instance of the sandbox in the background and waits until each answers.
set -eu
HERE="$(cd "$(dirname "$0")" && pwd)"
if [ -f "$HERE/password" ]; then
    REDISCLI_AUTH="$(cat "$HERE/password")"
    export REDISCLI_AUTH
fi
wait_for() {
    i=0
    until redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null | grep -q PONG; do
        i=$((i + 1))
        if [ "$i" -ge 100 ]; then
            echo "start.sh: 127.0.0.1:$1 does not answer" >&2
            exit 1
        fi
        sleep 0.1
    done
}
"#,
    );
    for (dir, _) in nodes {
        out.push_str(&format!(
            "(cd \"$HERE/{dir}\" && redis-server ./redis.conf)\n"
        ));
    }
    for (_, port) in nodes {
        out.push_str(&format!("wait_for {port}\n"));
    }
    for (dir, _) in sentinels {
        out.push_str(&format!(
            "(cd \"$HERE/{dir}\" && redis-sentinel ./sentinel.conf)\n"
        ));
    }
    for (_, port) in sentinels {
        out.push_str(&format!("wait_for {port}\n"));
    }
    out.push_str("echo \"start.sh: all instances answer\"\n");
    out
}

fn stop_script(header: &[String], nodes: &[(String, u16)], sentinels: &[(String, u16)]) -> String {
    let mut out = script_header(header);
    out.push_str(
        r#"# Stops every instance of the sandbox (by pid file) and waits until none is left.
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
stop() {
    pidfile="$HERE/$1"
    [ -f "$pidfile" ] || return 0
    pid="$(cat "$pidfile")"
    if kill "$pid" 2>/dev/null; then
        i=0
        while kill -0 "$pid" 2>/dev/null; do
            i=$((i + 1))
            if [ "$i" -ge 100 ]; then
                kill -9 "$pid" 2>/dev/null || true
                break
            fi
            sleep 0.1
        done
    fi
    rm -f "$pidfile"
}
"#,
    );
    for (dir, _) in sentinels {
        out.push_str(&format!("stop {dir}/sentinel.pid\n"));
    }
    for (dir, _) in nodes {
        out.push_str(&format!("stop {dir}/redis.pid\n"));
    }
    out.push_str("echo \"stop.sh: stopped\"\n");
    out
}
