//! The TLS rules against Debian's redis-server and redis-sentinel 7.0 (built with TLS),
//! with the test CA of tests/data/verify/tls: each rule's bad fixture, moved onto
//! 127.0.0.1, fails the way the rule says, and its good fixture works. Ports
//! 26300–26449 are this test's; processes run in scratch directories and are stopped
//! by PID.

mod common;

use common::wait_until;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const PORT_BASE: u16 = 26300;

fn tls_dir() -> PathBuf {
    fs::canonicalize("tests/data/verify/tls").unwrap()
}

/// Kills the processes it holds when dropped, so none outlives a failed assertion.
struct Deployment {
    children: Vec<Child>,
    _dir: tempfile::TempDir,
    /// Local port of the fixture's master data port (plain or TLS), by fixture port.
    base: u16,
}

impl Drop for Deployment {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill(); // by PID: only processes this test started
            let _ = child.wait();
        }
    }
}

/// A fixture line moved onto 127.0.0.1: data ports 6379/6380 of the file at `offset`
/// become `base + offset + (port - 6379)`, replication and monitoring target the
/// master's ports (offset 0), sentinel ports become `base + 20 + index`, certificates
/// come from the test CA, and failure detection is fast.
fn localize(line: &str, base: u16, offset: u16, sentinel: Option<u16>) -> Option<String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let data = |port: &str, offset: u16| -> String {
        match port.parse::<u16>().unwrap() {
            0 => "0".into(),
            p => (base + offset + (p - 6379)).to_string(),
        }
    };
    let tls = tls_dir();
    let cert = |name: &str| tls.join(name).display().to_string();
    Some(match words.as_slice() {
        [] => return None,
        [w, ..] if w.starts_with('#') => return None,
        ["bind", ..] => "bind 127.0.0.1".into(),
        ["port" | "tls-port", p] => match sentinel {
            Some(i) if *p != "0" => format!("{} {}", words[0], base + 20 + i),
            _ => format!("{} {}", words[0], data(p, offset)),
        },
        ["tls-cert-file", _] => format!("tls-cert-file {}", cert("server.crt")),
        ["tls-key-file", _] => format!("tls-key-file {}", cert("server.key")),
        ["tls-ca-cert-file", _] => format!("tls-ca-cert-file {}", cert("ca.crt")),
        ["replicaof", _, p] => format!("replicaof 127.0.0.1 {}", data(p, 0)),
        ["sentinel", "monitor", name, _, p, _] => {
            format!("sentinel monitor {name} 127.0.0.1 {} 1", data(p, 0))
        }
        ["sentinel", "down-after-milliseconds", name, _] => {
            format!("sentinel down-after-milliseconds {name} 1000")
        }
        ["min-replicas-to-write", ..] => return None,
        _ => line.to_string(),
    })
}

fn start(fixture: &Path, base: u16) -> Deployment {
    let dir = tempfile::tempdir().unwrap();
    let mut d = Deployment {
        children: Vec::new(),
        _dir: tempfile::tempdir().unwrap(),
        base,
    };
    let files = [
        ("redis-master.conf", 0, None),
        ("redis-replica-1.conf", 10, None),
        ("sentinel-1.conf", 0, Some(0)),
    ];
    for (file, offset, sentinel) in files {
        let text: String = fs::read_to_string(fixture.join(file))
            .unwrap()
            .lines()
            .filter_map(|l| localize(l, base, offset, sentinel))
            .map(|l| format!("{l}\n"))
            .collect();
        let work = dir.path().join(file);
        fs::create_dir_all(&work).unwrap();
        let conf = work.join("redis.conf");
        fs::write(&conf, format!("{text}save \"\"\n")).unwrap();
        let log_path = work.join("out.log");
        let log = fs::File::create(&log_path).unwrap();
        let program = if sentinel.is_some() {
            "redis-sentinel"
        } else {
            "redis-server"
        };
        d.children.push(
            Command::new(program)
                .arg(&conf)
                .current_dir(&work)
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .unwrap_or_else(|e| {
                    panic!("{program} is not installed ({e}): .ci/run installs it")
                }),
        );
        let ready = if sentinel.is_some() {
            "Sentinel ID is"
        } else {
            "Ready to accept connections"
        };
        assert!(
            wait_until(Duration::from_secs(10), || fs::read_to_string(&log_path)
                .is_ok_and(|t| t.contains(ready))),
            "{file} of {} did not start: {}",
            fixture.display(),
            fs::read_to_string(&log_path).unwrap_or_default()
        );
    }
    d._dir = dir;
    d
}

/// `redis-cli` over TLS when `tls`, with the fixtures' password.
fn cli(port: u16, tls: bool, args: &[&str]) -> String {
    let dir = tls_dir();
    let mut command = Command::new("redis-cli");
    command.args([
        "-h",
        "127.0.0.1",
        "-p",
        &port.to_string(),
        "--no-auth-warning",
    ]);
    if tls {
        command.args(["--tls", "--cacert"]).arg(dir.join("ca.crt"));
        command.arg("--cert").arg(dir.join("client.crt"));
        command.arg("--key").arg(dir.join("client.key"));
    }
    let out = command
        .env("REDISCLI_AUTH", "example-pass-1")
        .args(args)
        .output()
        .expect("redis-cli runs");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

impl Deployment {
    fn sentinel_port(&self) -> u16 {
        self.base + 20
    }

    /// The sentinel's flags for the master once it has had time to judge it (a ping
    /// answered, or down-after of 1000 ms passed).
    fn master_flags(&self, sentinel_tls: bool) -> String {
        std::thread::sleep(Duration::from_secs(3));
        let out = cli(
            self.sentinel_port(),
            sentinel_tls,
            &["SENTINEL", "master", "mymaster"],
        );
        let lines: Vec<&str> = out.lines().collect();
        lines
            .iter()
            .position(|l| *l == "flags")
            .and_then(|i| lines.get(i + 1))
            .unwrap_or(&"")
            .to_string()
    }
}

/// A plain-text sentinel cannot reach TLS-only nodes; with tls-replication it can.
#[test]
fn plain_sentinel_sees_a_tls_only_master_down() {
    let root = Path::new("fixtures/tls-sentinel-missing-tls-replication");
    let bad = start(&root.join("bad"), PORT_BASE);
    assert!(bad.master_flags(false).contains("s_down"));
    drop(bad);
    let good = start(&root.join("good"), PORT_BASE + 25);
    assert_eq!(good.master_flags(true), "master");
}

/// A TLS sentinel monitoring the plain-text port gets no answer; on the TLS port it does.
#[test]
fn tls_sentinel_on_the_plain_port_sees_the_master_down() {
    let root = Path::new("fixtures/tls-monitor-port-mismatch");
    let bad = start(&root.join("bad"), PORT_BASE + 50);
    assert!(bad.master_flags(true).contains("s_down"));
    drop(bad);
    let good = start(&root.join("good"), PORT_BASE + 75);
    assert_eq!(good.master_flags(true), "master");
}

/// A replica without tls-replication never syncs from a TLS-only master.
#[test]
fn plain_replica_never_syncs_from_a_tls_only_master() {
    let root = Path::new("fixtures/tls-replicas-missing-tls-replication");
    let synced = |d: &Deployment, within: u64| {
        wait_until(Duration::from_secs(within), || {
            cli(d.base + 10, true, &["INFO", "replication"]).contains("master_link_status:up")
        })
    };
    let bad = start(&root.join("bad"), PORT_BASE + 100);
    assert!(!synced(&bad, 5));
    drop(bad);
    // A loaded machine (the whole suite runs at once) may take longer than 5 s to
    // finish the TLS handshake and the first sync.
    let good = start(&root.join("good"), PORT_BASE + 125);
    assert!(synced(&good, 30));
}
