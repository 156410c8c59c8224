//! Differential test against Debian's redis-server / redis-sentinel 7.0: for every
//! variant in tests/differential/variants, redis-halint (target redis-7.0) reports a
//! fatal finding if and only if the real binary refuses to start the file.
//!
//! The binaries are required (`.ci/run` and `test.sh` install them); a missing binary
//! fails the test rather than skipping it. Processes listen on 127.0.0.1 only, run in a
//! scratch directory, and are stopped by PID.

mod common;

use common::check_dir;
use redis_halint::Target;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

// Below the kernel's ephemeral range (32768–60999): a port there may be the local end of
// another test's connection (TIME-WAIT), and the server would fail to bind it.
const BASE_PORT: u16 = 24000;

fn binary(name: &str) -> PathBuf {
    for dir in ["/usr/bin", "/usr/local/bin"] {
        let path = Path::new(dir).join(name);
        if path.exists() {
            return path;
        }
    }
    panic!("{name} is not installed: run `apt-get install -y redis-server redis-sentinel` (test.sh does it)");
}

/// Start the real binary on a copy of the file; true when it refuses to start.
fn real_refuses(file: &Path, port: u16) -> (bool, String) {
    let sentinel = file.file_name().unwrap() == "sentinel.conf";
    let bin = binary(if sentinel {
        "redis-sentinel"
    } else {
        "redis-server"
    });
    let scratch = tempfile::tempdir().unwrap();
    let copy = scratch.path().join(file.file_name().unwrap());
    fs::copy(file, &copy).unwrap();
    let log_path = scratch.path().join("out.log");
    let log = fs::File::create(&log_path).unwrap();
    let mut child = Command::new(bin)
        .arg(&copy)
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .current_dir(scratch.path())
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("start the real binary");
    let started = Instant::now();
    let refused = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break !status.success();
        }
        let text = fs::read_to_string(&log_path).unwrap_or_default();
        if text.contains("Ready to accept connections") || text.contains("Sentinel ID is") {
            break false;
        }
        if started.elapsed() > Duration::from_secs(5) {
            break false;
        }
        std::thread::sleep(Duration::from_millis(25));
    };
    let _ = child.kill(); // by PID: only the process this test started
    let _ = child.wait();
    let text = fs::read_to_string(&log_path).unwrap_or_default();
    let reason = text
        .lines()
        .skip_while(|l| !l.starts_with(">>>"))
        .nth(1)
        .unwrap_or("")
        .to_string();
    (refused, reason)
}

#[test]
fn fatal_iff_real_binary_refuses() {
    let root = Path::new("tests/differential/variants");
    let mut variants: Vec<PathBuf> = fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    variants.sort();
    assert!(
        variants.len() >= 60,
        "need at least 60 variants, found {}",
        variants.len()
    );
    let results: Vec<(PathBuf, bool, String, bool, Vec<String>)> = std::thread::scope(|scope| {
        let chunks: Vec<Vec<(usize, PathBuf)>> = {
            let mut chunks = vec![Vec::new(); 6];
            for (i, v) in variants.iter().cloned().enumerate() {
                chunks[i % 6].push((i, v));
            }
            chunks
        };
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .into_iter()
                        .map(|(i, dir)| {
                            let file = fs::read_dir(&dir).unwrap().next().unwrap().unwrap().path();
                            let (refused, reason) = real_refuses(&file, BASE_PORT + i as u16);
                            let (_, diagnostics) = check_dir(&dir, Target::redis(7, 0));
                            let fatal: Vec<String> = diagnostics
                                .iter()
                                .filter(|d| d.fatal)
                                .map(|d| format!("{} {}", d.rule.name(), d.message))
                                .collect();
                            (dir, refused, reason, !fatal.is_empty(), fatal)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let mut mismatches = Vec::new();
    let refused_count = results.iter().filter(|r| r.1).count();
    for (dir, refused, reason, fatal, findings) in &results {
        if refused != fatal {
            mismatches.push(format!(
                "{}: real binary {} ({reason}); redis-halint fatal findings: {findings:?}",
                dir.display(),
                if *refused { "refuses" } else { "starts" }
            ));
        }
    }
    assert!(
        refused_count >= 20 && results.len() - refused_count >= 20,
        "variants should cover both outcomes"
    );
    assert!(
        mismatches.is_empty(),
        "{} mismatch(es):\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

/// `sentinel-monitor-appended-at-start`: a monitor given on the command line on top of a
/// config file. The real sentinel starts the first time, saves the monitor into the file,
/// and refuses the second start with "Duplicate master name.".
#[test]
fn monitor_on_the_command_line_kills_the_second_start() {
    let bin = binary("redis-sentinel");
    let scratch = tempfile::tempdir().unwrap();
    let conf = scratch.path().join("sentinel.conf");
    fs::write(
        &conf,
        format!(
            "port {}\nbind 127.0.0.1\ndir {}\n",
            BASE_PORT + 900,
            scratch.path().display()
        ),
    )
    .unwrap();
    // Until it exits, or (`saved`) until it has saved its state into the file.
    let start = |saved: bool| {
        let mut child = Command::new(&bin)
            .arg(&conf)
            .args(["--sentinel monitor shop 127.0.0.1 6399 2"])
            .current_dir(scratch.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start redis-sentinel");
        let started = Instant::now();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                let out = child.wait_with_output().unwrap();
                let log = [out.stdout, out.stderr].concat();
                return (
                    Some(status.success()),
                    String::from_utf8_lossy(&log).into_owned(),
                );
            }
            let wrote = saved && fs::read_to_string(&conf).unwrap().contains("sentinel myid");
            if wrote || started.elapsed() > Duration::from_secs(10) {
                child.kill().ok();
                child.wait().ok();
                return (None, String::new());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    let (first, _) = start(true);
    assert_eq!(first, None, "the first start runs");
    assert!(
        fs::read_to_string(&conf)
            .unwrap()
            .contains("sentinel monitor shop"),
        "the monitor was saved"
    );
    let (second, log) = start(false);
    assert_eq!(second, Some(false), "the second start is refused: {log}");
    assert!(log.contains("Duplicate master name"), "{log}");
    // redis-halint calls it fatal.
    let (_, found) = check_dir(
        Path::new("fixtures/sentinel-monitor-appended-at-start/bad"),
        Target::default(),
    );
    assert!(found
        .iter()
        .any(|d| d.rule.name() == "sentinel-monitor-appended-at-start" && d.fatal));
}

/// `sentinel-probe-wrong-credentials`: what a probe's `redis-cli … ping` prints against
/// a real sentinel. Without a password for a sentinel that has one: NOAUTH (exit 0), so a
/// probe comparing with PONG fails. With a password for a sentinel that has none: PONG
/// (the failed AUTH only goes to stderr), so such a probe passes and is not reported.
#[test]
fn probe_credentials_against_a_real_sentinel() {
    let sentinel = |port: u16, password: Option<&str>| {
        let scratch = tempfile::tempdir().unwrap();
        let conf = scratch.path().join("sentinel.conf");
        let mut text = format!(
            "port {port}\nbind 127.0.0.1\ndir {}\n",
            scratch.path().display()
        );
        if let Some(p) = password {
            text.push_str(&format!("requirepass {p}\n"));
        }
        text.push_str("sentinel monitor m 127.0.0.1 6399 1\n");
        fs::write(&conf, text).unwrap();
        let child = Command::new(binary("redis-sentinel"))
            .arg(&conf)
            .current_dir(scratch.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-sentinel");
        (child, scratch)
    };
    let ping = |port: u16, password: Option<&str>| -> (String, bool) {
        let started = Instant::now();
        loop {
            let mut cmd = Command::new(binary("redis-cli"));
            cmd.args(["-p", &port.to_string()]);
            if let Some(p) = password {
                cmd.args(["--no-auth-warning", "-a", p]);
            }
            let out = cmd.arg("ping").output().expect("run redis-cli");
            let stdout = String::from_utf8_lossy(&out.stdout).trim().to_string();
            if !stdout.contains("Connection refused") && !stdout.is_empty()
                || started.elapsed() > Duration::from_secs(5)
            {
                return (stdout, out.status.success());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    let (mut open, _a) = sentinel(BASE_PORT + 910, None);
    let (mut locked, _b) = sentinel(BASE_PORT + 911, Some("probe-test"));
    let with_password = ping(BASE_PORT + 910, Some("anything"));
    let without_password = ping(BASE_PORT + 911, None);
    open.kill().ok();
    open.wait().ok();
    locked.kill().ok();
    locked.wait().ok();
    assert_eq!(with_password, ("PONG".to_string(), true));
    assert!(
        without_password.0.starts_with("NOAUTH"),
        "{without_password:?}"
    );
    assert!(without_password.1, "redis-cli exits 0 on NOAUTH");
}
