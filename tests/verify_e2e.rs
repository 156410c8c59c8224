//! End to end: `redis-halint verify` against real redis-server / redis-sentinel processes
//! (Debian's packages; test.sh and .ci/run install them) on 127.0.0.1, ports 27000–27099.
//!
//! Each test starts its own 1 master + 2 replicas + 3 sentinels from the declared
//! configuration in tests/data/verify/deploy (ports moved to its own block), waits until
//! the sentinels see everything, breaks one thing and checks the finding. Every process is
//! a child of the test, killed by PID when the test ends, pass or fail (Drop guard).
//! The tests skip with a note only when the binaries are not installed.

#![cfg(feature = "live")]

mod common;

use common::bin;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const DECLARED: &str = "tests/data/verify/deploy";
const PASSWORD: &str = "verify-e2e-Secret-7f3a";
/// The port block the declared files use.
const FIXTURE_BASE: u16 = 27000;

fn installed() -> bool {
    ["redis-server", "redis-sentinel"].iter().all(|b| {
        Command::new(b)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

macro_rules! require_redis {
    () => {
        if !installed() {
            eprintln!("note: redis-server/redis-sentinel not installed: verify e2e test skipped");
            return;
        }
    };
}

// ---- a minimal RESP client, for readiness checks and for breaking things ----

#[derive(Debug, Clone)]
enum Resp {
    Simple(String),
    Error(String),
    Int(i64),
    Bulk(Option<String>),
    Array(Vec<Resp>),
}

impl Resp {
    fn text(&self) -> String {
        match self {
            Resp::Simple(s) | Resp::Error(s) | Resp::Bulk(Some(s)) => s.clone(),
            Resp::Int(i) => i.to_string(),
            _ => String::new(),
        }
    }

    /// A flat `[k, v, …]` reply as pairs.
    fn fields(&self) -> Vec<(String, String)> {
        match self {
            Resp::Array(items) => items
                .chunks(2)
                .filter_map(|p| match p {
                    [k, v] => Some((k.text(), v.text())),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }
}

fn read_reply(r: &mut impl BufRead) -> std::io::Result<Resp> {
    let mut line = String::new();
    r.read_line(&mut line)?;
    let line = line.trim_end_matches(['\r', '\n']);
    let (kind, rest) = line.split_at(1.min(line.len()));
    let bad = || std::io::Error::other(format!("bad reply {line:?}"));
    Ok(match kind {
        "+" => Resp::Simple(rest.to_string()),
        "-" => Resp::Error(rest.to_string()),
        ":" => Resp::Int(rest.parse().map_err(|_| bad())?),
        "$" => {
            let n: i64 = rest.parse().map_err(|_| bad())?;
            if n < 0 {
                Resp::Bulk(None)
            } else {
                let mut buf = vec![0; n as usize + 2];
                r.read_exact(&mut buf)?;
                buf.truncate(n as usize);
                Resp::Bulk(Some(String::from_utf8_lossy(&buf).into_owned()))
            }
        }
        "*" => {
            let n: i64 = rest.parse().map_err(|_| bad())?;
            let mut items = Vec::new();
            for _ in 0..n.max(0) {
                items.push(read_reply(r)?);
            }
            Resp::Array(items)
        }
        _ => return Err(bad()),
    })
}

fn command(port: u16, password: Option<&str>, args: &[&str]) -> std::io::Result<Resp> {
    let stream = TcpStream::connect_timeout(
        &format!("127.0.0.1:{port}").parse().unwrap(),
        Duration::from_secs(1),
    )?;
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    stream.set_write_timeout(Some(Duration::from_secs(2)))?;
    let mut w = stream.try_clone()?;
    let mut r = BufReader::new(stream);
    let mut send = |args: &[&str]| -> std::io::Result<Resp> {
        let mut out = format!("*{}\r\n", args.len());
        for a in args {
            out.push_str(&format!("${}\r\n{a}\r\n", a.len()));
        }
        w.write_all(out.as_bytes())?;
        read_reply(&mut r)
    };
    if let Some(p) = password {
        send(&["AUTH", p])?;
    }
    send(args)
}

fn wait_for(what: &str, timeout: Duration, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(
            start.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

// ---- the deployment ----

struct Process {
    name: String,
    port: u16,
    child: Option<Child>,
}

/// 1 master + 2 replicas + 3 sentinels on ports `base`, `base+1`, `base+2`,
/// `base+10..=base+12`. Dropping it kills every process it started.
struct Deployment {
    dir: tempfile::TempDir,
    base: u16,
    processes: Vec<Process>,
}

impl Drop for Deployment {
    fn drop(&mut self) {
        for p in &mut self.processes {
            if let Some(mut child) = p.child.take() {
                let _ = child.kill(); // by PID: only processes this test started
                let _ = child.wait();
            }
        }
    }
}

/// The declared file with its ports moved from the fixture's block to `base`.
fn moved(text: &str, base: u16) -> String {
    let mut out = text.to_string();
    for offset in 0..20u16 {
        out = out.replace(&(FIXTURE_BASE + offset).to_string(), &format!("@{offset}@"));
    }
    for offset in 0..20u16 {
        out = out.replace(&format!("@{offset}@"), &(base + offset).to_string());
    }
    out
}

impl Deployment {
    fn start(base: u16) -> Deployment {
        let mut d = Deployment {
            dir: tempfile::tempdir().unwrap(),
            base,
            processes: Vec::new(),
        };
        for (name, offset) in [
            ("redis-master", 0),
            ("redis-replica-1", 1),
            ("redis-replica-2", 2),
        ] {
            d.spawn(name, offset, false);
        }
        let master = d.base;
        wait_for("the replicas to sync", Duration::from_secs(20), || {
            command(master, Some(PASSWORD), &["INFO", "replication"]).is_ok_and(|r| {
                let t = r.text();
                t.contains("connected_slaves:2") && t.matches("state=online").count() == 2
            })
        });
        for (name, offset) in [("sentinel-1", 10), ("sentinel-2", 11), ("sentinel-3", 12)] {
            d.spawn(name, offset, true);
        }
        for s in d.sentinels() {
            d.wait_sentinel_sees(s, 2);
        }
        d
    }

    fn sentinels(&self) -> Vec<u16> {
        (10..13).map(|o| self.base + o).collect()
    }

    fn sentinel_list(&self) -> String {
        self.sentinels()
            .iter()
            .map(|p| format!("127.0.0.1:{p}"))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Start a process from the declared file `name` (its ports moved), or for the extra
    /// sentinel from sentinel-1's file on port `base + offset`.
    fn spawn(&mut self, name: &str, offset: u16, sentinel: bool) {
        let source = if name == "sentinel-extra" {
            "sentinel-1"
        } else {
            name
        };
        let text = fs::read_to_string(Path::new(DECLARED).join(format!("{source}.conf"))).unwrap();
        let mut text = moved(&text, self.base);
        let port = self.base + offset;
        if name == "sentinel-extra" {
            text = text.replace(&(self.base + 10).to_string(), &port.to_string());
        }
        let conf = self.dir.path().join(format!("{name}.conf"));
        fs::write(&conf, text).unwrap();
        let log = fs::File::create(self.dir.path().join(format!("{name}.log"))).unwrap();
        let child = Command::new(if sentinel {
            "redis-sentinel"
        } else {
            "redis-server"
        })
        .arg(&conf)
        .current_dir(self.dir.path())
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("start redis");
        self.processes.push(Process {
            name: name.to_string(),
            port,
            child: Some(child),
        });
        let password = (!sentinel).then_some(PASSWORD);
        wait_for(
            &format!("{name} to answer"),
            Duration::from_secs(10),
            || command(port, password, &["PING"]).is_ok_and(|r| r.text() == "PONG"),
        );
    }

    /// Until the sentinel on `port` knows the master, both replicas (linked, healthy) and
    /// `others` other sentinels.
    fn wait_sentinel_sees(&self, port: u16, others: usize) {
        wait_for(
            &format!("sentinel {port} to see the deployment"),
            Duration::from_secs(30),
            || {
                let Ok(master) = command(port, None, &["SENTINEL", "MASTER", "mymaster"]) else {
                    return false;
                };
                let f = master.fields();
                let get = |k: &str| f.iter().find(|(x, _)| x == k).map(|(_, v)| v.clone());
                if get("flags").as_deref() != Some("master")
                    || get("num-slaves").as_deref() != Some("2")
                    || get("num-other-sentinels") != Some(others.to_string())
                {
                    return false;
                }
                let Ok(Resp::Array(replicas)) =
                    command(port, None, &["SENTINEL", "REPLICAS", "mymaster"])
                else {
                    return false;
                };
                let replicas_ok = replicas.iter().all(|r| {
                    let f = r.fields();
                    let get = |k: &str| f.iter().find(|(x, _)| x == k).map(|(_, v)| v.clone());
                    get("flags").as_deref() == Some("slave")
                        && get("master-link-status").as_deref() == Some("ok")
                });
                let Ok(Resp::Array(peers)) =
                    command(port, None, &["SENTINEL", "SENTINELS", "mymaster"])
                else {
                    return false;
                };
                replicas_ok
                    && peers.iter().all(|p| {
                        p.fields()
                            .iter()
                            .any(|(k, v)| k == "flags" && v == "sentinel")
                    })
            },
        );
    }

    fn kill(&mut self, name: &str) {
        let p = self.processes.iter_mut().find(|p| p.name == name).unwrap();
        let mut child = p.child.take().unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
        let port = p.port;
        wait_for(&format!("{name} to stop"), Duration::from_secs(5), || {
            command(port, None, &["PING"]).is_err()
        });
    }

    fn password_file(&self) -> PathBuf {
        let path = self.dir.path().join("password");
        fs::write(&path, format!("{PASSWORD}\n")).unwrap();
        path
    }

    /// `redis-halint verify` with these extra arguments: (exit code, stdout, stderr).
    fn verify(&self, extra: &[&str], env_password: bool) -> (i32, String, String) {
        let mut cmd = Command::new(bin());
        cmd.arg("verify")
            .arg("--sentinel")
            .arg(self.sentinel_list())
            .args(["--timeout", "1500"])
            .args(extra)
            .env_remove("REDISCLI_AUTH")
            .env("NO_COLOR", "1");
        if env_password {
            cmd.env("REDISCLI_AUTH", PASSWORD);
        }
        let out = cmd.output().expect("run redis-halint");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// JSON findings of a verify run with the password file.
    fn findings(&self, paths: &[&str]) -> (i32, Vec<Value>) {
        let pw = self.password_file();
        let mut args = vec![
            "--password-file",
            pw.to_str().unwrap(),
            "--output-format",
            "json",
        ];
        args.extend_from_slice(paths);
        let (code, out, err) = self.verify(&args, false);
        assert!(!out.contains(PASSWORD) && !err.contains(PASSWORD));
        let json: Value = serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {out}\nstderr: {err}"));
        (code, json.as_array().unwrap().clone())
    }
}

fn rules(findings: &[Value]) -> BTreeSet<String> {
    findings
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn healthy_deployment_is_clean_and_runtime_changes_are_found() {
    require_redis!();
    let d = Deployment::start(FIXTURE_BASE);
    let pw = d.password_file();
    let pw = pw.to_str().unwrap();

    // Clean, in every output format; the password never shows.
    for format in [
        "full",
        "concise",
        "grouped",
        "json",
        "json-lines",
        "sarif",
        "github",
        "gitlab",
        "junit",
        "checkstyle",
    ] {
        let (code, out, err) = d.verify(&["--password-file", pw, "--output-format", format], false);
        assert_eq!(code, 0, "{format}: {out}\n{err}");
        assert!(
            !out.contains(PASSWORD) && !err.contains(PASSWORD),
            "{format}"
        );
    }
    // The password from REDISCLI_AUTH, as redis-cli takes it.
    let (code, out, err) = d.verify(&[], true);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("No findings."), "{out}");
    // Without any password, the data nodes' side is unknown: a note, not a finding.
    let (code, out, err) = d.verify(&[], false);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(err.contains("require a password"), "{err}");
    // Against the declared files: clean, and their password is used.
    let (code, out, err) = d.verify(&["--output-format", "json", DECLARED], false);
    assert_eq!((code, out.trim()), (0, "[]"), "{err}");
    assert!(!err.contains("require a password"), "{err}");
    // A snapshot holds what the deployment answered, never the password.
    let snap = d.dir.path().join("snapshot.json");
    let (code, _, _) = d.verify(
        &[
            "--password-file",
            pw,
            "--save-snapshot",
            snap.to_str().unwrap(),
        ],
        false,
    );
    assert_eq!(code, 0);
    let text = fs::read_to_string(&snap).unwrap();
    assert!(text.contains("\"min-replicas-to-write\"") && !text.contains(PASSWORD));

    // An ACL user allowed nothing but what verify sends (--user).
    const ACL_PASSWORD: &str = "verifier-Pass-93b1";
    for offset in 0..3 {
        let r = command(
            d.base + offset,
            Some(PASSWORD),
            &[
                "ACL",
                "SETUSER",
                "verifier",
                "on",
                &format!(">{ACL_PASSWORD}"),
                "-@all",
                "+ping",
                "+info",
                "+config|get",
            ],
        )
        .unwrap();
        assert_eq!(r.text(), "OK");
    }
    let acl_file = d.dir.path().join("acl-password");
    fs::write(&acl_file, ACL_PASSWORD).unwrap();
    let (code, out, err) = d.verify(
        &[
            "--user",
            "verifier",
            "--password-file",
            acl_file.to_str().unwrap(),
        ],
        false,
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(err.is_empty() && !out.contains(ACL_PASSWORD), "{err}");

    // A timing changed at run time on one sentinel.
    let s2 = d.base + 11;
    let r = command(
        s2,
        None,
        &[
            "SENTINEL",
            "SET",
            "mymaster",
            "down-after-milliseconds",
            "2500",
        ],
    )
    .unwrap();
    assert_eq!(r.text(), "OK");
    let (code, found) = d.findings(&[]);
    assert_eq!(code, 1);
    assert_eq!(
        rules(&found),
        set(&["sentinel-settings-disagree"]),
        "{found:#?}"
    );
    assert_eq!(
        found[0]["file"],
        format!("redis-sentinel://127.0.0.1:{s2}"),
        "{found:#?}"
    );

    // Drift against the declared files: the finding points at the running value, the
    // declared one is a related label.
    let (code, found) = d.findings(&[DECLARED]);
    assert_eq!(code, 1);
    assert_eq!(
        rules(&found),
        set(&["declared-config-drift", "sentinel-settings-disagree"]),
        "{found:#?}"
    );
    let drift = found
        .iter()
        .find(|f| f["rule"] == "declared-config-drift")
        .unwrap();
    assert_eq!(drift["file"], format!("redis-sentinel://127.0.0.1:{s2}"));
    assert!(
        drift["message"].as_str().unwrap().contains("2500"),
        "{drift}"
    );
    let related = drift["related"].as_array().unwrap();
    assert!(
        related
            .iter()
            .any(|r| r["file"] == format!("{DECLARED}/sentinel-2.conf")
                && r["line"].as_u64() == Some(7)
                && r["column"].as_u64() == Some(43)
                && r["message"] == "declared here"),
        "{drift}"
    );
    // Every format renders findings with the live transcripts and the declared files, and
    // the declared password (in the excerpts' files) stays masked.
    for format in [
        "full",
        "sarif",
        "github",
        "gitlab",
        "junit",
        "checkstyle",
        "grouped",
    ] {
        let (code, out, err) = d.verify(
            &["--password-file", pw, "--output-format", format, DECLARED],
            false,
        );
        assert_eq!(code, 1, "{format}: {err}");
        // The compact grouped list names each finding's own location only.
        if format != "grouped" {
            assert!(out.contains("sentinel-2.conf"), "{format}: {out}");
        }
        assert!(out.contains(&format!("127.0.0.1:{s2}")), "{format}: {out}");
        assert!(
            !out.contains(PASSWORD) && !err.contains(PASSWORD),
            "{format}: {out}"
        );
    }
}

#[test]
fn killed_sentinel_is_unreachable() {
    require_redis!();
    let mut d = Deployment::start(27020);
    d.kill("sentinel-3");
    let (code, found) = d.findings(&[]);
    assert_eq!(code, 1);
    assert_eq!(rules(&found), set(&["sentinel-unreachable"]), "{found:#?}");
    assert_eq!(found[0]["file"], "redis-sentinel://127.0.0.1:27032");
}

#[test]
fn killed_replica_is_unhealthy() {
    require_redis!();
    let mut d = Deployment::start(27040);
    d.kill("redis-replica-2");
    let (code, found) = d.findings(&[]);
    assert_eq!(code, 1);
    assert_eq!(rules(&found), set(&["replica-unhealthy"]), "{found:#?}");
    let message = found[0]["message"].as_str().unwrap();
    assert!(message.contains("127.0.0.1:27042"), "{message}");
    assert!(message.contains("does not answer"), "{message}");
}

#[test]
fn scale_down_without_reset_leaves_a_ghost() {
    require_redis!();
    let mut d = Deployment::start(27060);
    // A fourth sentinel joins, the others learn about it, then it is removed.
    d.spawn("sentinel-extra", 13, true);
    for s in d.sentinels() {
        d.wait_sentinel_sees(s, 3);
    }
    let (code, found) = d.findings(&[]);
    assert_eq!(code, 1);
    assert!(
        rules(&found).contains("sentinel-count-mismatch"),
        "a running, unlisted sentinel: {found:#?}"
    );
    d.kill("sentinel-extra");
    // The others flag it down after down-after-milliseconds (2 s), each on its own clock,
    // and keep counting it: until all have, one still reports the count (V005).
    let mut last = Vec::new();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(20) {
        let (_, found) = d.findings(&[]);
        if rules(&found) == set(&["ghost-sentinel"]) {
            last = found;
            break;
        }
        last = found;
        std::thread::sleep(Duration::from_millis(500));
    }
    assert_eq!(rules(&last), set(&["ghost-sentinel"]), "{last:#?}");
    let message = last[0]["message"].as_str().unwrap();
    assert!(message.contains("127.0.0.1:27073"), "{message}");
    assert!(message.contains("3 of 4"), "{message}");
}

/// Kills the processes it holds when dropped.
struct Children(Vec<Child>);

impl Drop for Children {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill(); // by PID: only processes this test started
            let _ = child.wait();
        }
    }
}

/// TLS with a client certificate (mutual TLS): a master and a sentinel that only speak
/// TLS, with the test CA of tests/data/verify/tls.
#[test]
fn tls_with_client_certificate() {
    require_redis!();
    let tls = std::fs::canonicalize("tests/data/verify/tls").unwrap();
    let file = |name: &str| tls.join(name).to_str().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let common = format!(
        "bind 127.0.0.1\nport 0\ndaemonize no\ntls-cert-file {}\ntls-key-file {}\ntls-ca-cert-file {}\n",
        file("server.crt"),
        file("server.key"),
        file("ca.crt")
    );
    let mut children = Children(Vec::new());
    for (name, text, sentinel, ready) in [
        (
            "master",
            format!("{common}tls-port 27080\nsave \"\"\n"),
            false,
            "Ready to accept connections",
        ),
        (
            "sentinel",
            format!(
                "{common}tls-port 27081\ntls-replication yes\nsentinel monitor mymaster 127.0.0.1 27080 1\n"
            ),
            true,
            "Sentinel ID is",
        ),
    ] {
        let conf = dir.path().join(format!("{name}.conf"));
        fs::write(&conf, text).unwrap();
        let log_path = dir.path().join(format!("{name}.log"));
        let log = fs::File::create(&log_path).unwrap();
        children.0.push(
            Command::new(if sentinel { "redis-sentinel" } else { "redis-server" })
                .arg(&conf)
                .current_dir(dir.path())
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .expect("start redis"),
        );
        wait_for(&format!("{name} to start"), Duration::from_secs(10), || {
            fs::read_to_string(&log_path).is_ok_and(|t| t.contains(ready))
        });
    }
    let run = |extra: &[&str]| {
        let out = Command::new(bin())
            .args([
                "verify",
                "--sentinel",
                "127.0.0.1:27081",
                "--master",
                "mymaster",
            ])
            .args(["--timeout", "1500", "--output-format", "json"])
            .args(extra)
            .env_remove("REDISCLI_AUTH")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let found: Vec<Value> = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{e}: {text} {}", String::from_utf8_lossy(&out.stderr)));
        (out.status.code(), found)
    };
    let (code, found) = run(&[
        "--cacert",
        &file("ca.crt"),
        "--cert",
        &file("client.crt"),
        "--key",
        &file("client.key"),
    ]);
    // Both the sentinel and the master were read over TLS: a lone master has no failover
    // candidate (from the sentinel) and does not enforce min-replicas-to-write (from the
    // master's CONFIG GET).
    assert_eq!(code, Some(1));
    assert_eq!(
        rules(&found),
        set(&["min-replicas-to-write-off", "no-failover-candidate"]),
        "{found:#?}"
    );
    // Plain TCP to a TLS port, or TLS without the client certificate: unreachable.
    for extra in [&[][..], &["--cacert", &file("ca.crt")][..]] {
        let (code, found) = run(extra);
        assert_eq!(code, Some(1));
        assert_eq!(rules(&found), set(&["sentinel-unreachable"]), "{found:#?}");
    }
}
