//! `--to local`: a sandbox on this machine. Every instance listens on 127.0.0.1 with a
//! port from `--port-base`, in its own directory (config, data, pid file, log);
//! `start.sh` starts them all daemonized and waits until each answers, `stop.sh` stops
//! them and waits until no process is left. It lets users try a topology, and lets the
//! tests prove that a converted topology really fails over.

use super::configs::{redis_conf, sentinel_conf, NodeConf, Secret, SentinelConf};
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
    let password = plan
        .groups
        .iter()
        .any(|g| g.has_password())
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
    if let Some(p) = &password {
        files.push(OutFile::new("password", format!("{p}\n")).private());
    }
    files.push(OutFile::new("start.sh", start_script(header, &nodes, &sentinels)).executable());
    files.push(OutFile::new("stop.sh", stop_script(header, &nodes, &sentinels)).executable());
    files
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
