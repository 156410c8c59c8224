//! End to end with Debian's redis-server and redis-sentinel: a deployment converted
//! `--to local` starts, takes acknowledged writes, verifies clean against the files it was
//! written to, fails over when its master's process is killed, and `stop.sh` leaves no
//! process behind.
//!
//! Ports 26100-26199 on 127.0.0.1 are this test's.

mod common;

use common::wait_until;

use common::bin;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const PORT_BASE: u16 = 26100;

fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

struct Sandbox {
    dir: PathBuf,
    password: String,
}

impl Sandbox {
    fn cli(&self, port: u16, args: &[&str]) -> String {
        let out = Command::new("redis-cli")
            .args(["-h", "127.0.0.1", "-p", &port.to_string()])
            .args(args)
            .env("REDISCLI_AUTH", &self.password)
            .output()
            .expect("redis-cli runs");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn pids(&self) -> Vec<u32> {
        let mut pids = Vec::new();
        for entry in std::fs::read_dir(&self.dir).unwrap().flatten() {
            for name in ["redis.pid", "sentinel.pid"] {
                if let Ok(text) = std::fs::read_to_string(entry.path().join(name)) {
                    if let Ok(pid) = text.trim().parse() {
                        pids.push(pid);
                    }
                }
            }
        }
        pids
    }
}

fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .unwrap_or_default()
            .contains(") Z ")
}

/// Stops the sandbox even when an assertion fails, so no process outlives the test.
impl Drop for Sandbox {
    fn drop(&mut self) {
        let pids = self.pids();
        let _ = Command::new("sh").arg(self.dir.join("stop.sh")).output();
        for pid in pids {
            if alive(pid) {
                let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            }
        }
    }
}

#[test]
fn converted_sandbox_fails_over() {
    if !installed("redis-server") || !installed("redis-sentinel") {
        eprintln!("note: redis-server / redis-sentinel not installed; test.sh installs them");
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("sandbox");
    let status = Command::new(bin())
        .args([
            "convert",
            "--to",
            "local",
            "--port-base",
            &PORT_BASE.to_string(),
            "--out",
        ])
        .arg(&dir)
        .arg("fixtures/examples/correct")
        .status()
        .unwrap();
    assert!(status.success());
    let password = std::fs::read_to_string(dir.join("password"))
        .unwrap()
        .trim()
        .to_string();
    let sandbox = Sandbox {
        dir: dir.clone(),
        password,
    };
    let start = Command::new("sh")
        .arg(dir.join("start.sh"))
        .output()
        .unwrap();
    assert!(
        start.status.success(),
        "start.sh: {}",
        String::from_utf8_lossy(&start.stderr)
    );
    let master = PORT_BASE;
    let sentinels: Vec<u16> = (0..3).map(|i| PORT_BASE + 50 + i).collect();

    // Both replicas attached and in sync, every sentinel sees the others.
    assert!(
        wait_until(Duration::from_secs(20), || {
            sandbox
                .cli(master, &["INFO", "replication"])
                .matches("state=online")
                .count()
                == 2
        }),
        "replicas attach"
    );
    assert!(wait_until(Duration::from_secs(20), || {
        sentinels.iter().all(|&s| {
            sandbox
                .cli(s, &["SENTINEL", "master", "mymaster"])
                .lines()
                .collect::<Vec<_>>()
                .windows(2)
                .any(|w| w[0] == "num-other-sentinels" && w[1] == "2")
        })
    }));

    // Acknowledged writes: each one confirmed by both replicas.
    for i in 0..20 {
        assert_eq!(
            sandbox.cli(master, &["SET", &format!("key:{i}"), &format!("value-{i}")]),
            "OK"
        );
    }
    assert_eq!(sandbox.cli(master, &["WAIT", "2", "5000"]), "2");

    // `verify` finds the running sandbox as declared by the files convert wrote.
    let sentinel_list = sentinels
        .iter()
        .map(|p| format!("127.0.0.1:{p}"))
        .collect::<Vec<_>>()
        .join(",");
    // A deployment that just started converges (links come up, sentinels learn each
    // other): verify is asked again until it is clean, and its last answer is shown.
    let mut last = String::new();
    let clean = wait_until(Duration::from_secs(20), || {
        let verified = Command::new(bin())
            .args(["verify", "--sentinel", &sentinel_list, "--password-file"])
            .arg(dir.join("password"))
            .args(["--output-format", "concise"])
            .arg(&dir)
            .output()
            .unwrap();
        last = format!(
            "{}{}",
            String::from_utf8_lossy(&verified.stdout),
            String::from_utf8_lossy(&verified.stderr)
        );
        verified.status.code() == Some(0)
    });
    assert!(clean, "verify: {last}");
    assert!(
        !last.contains(&sandbox.password),
        "the password is never shown"
    );

    // The master's process dies.
    let pid: u32 = std::fs::read_to_string(dir.join("redis-0/redis.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap()
        .success());
    let killed_at = Instant::now();

    // A replica is promoted and every sentinel reports it. Usually within seconds; when
    // two sentinels start an election in the same instant and split the vote, Sentinel
    // retries only after twice the failover-timeout (60 s here), so the wait covers one
    // retry: down-after 5 s + 2 × 60 s + margin.
    let mut new_master = 0u16;
    let promoted = wait_until(Duration::from_secs(140), || {
        let answers: Vec<String> = sentinels
            .iter()
            .map(|&s| sandbox.cli(s, &["SENTINEL", "get-master-addr-by-name", "mymaster"]))
            .collect();
        let ports: Vec<Option<u16>> = answers
            .iter()
            .map(|a| a.lines().nth(1).and_then(|p| p.trim().parse().ok()))
            .collect();
        match ports.first() {
            Some(Some(p)) if *p != master && ports.iter().all(|q| *q == Some(*p)) => {
                new_master = *p;
                true
            }
            _ => false,
        }
    });
    assert!(
        promoted,
        "no agreed promotion within 140 s (one election retry)"
    );
    eprintln!(
        "failover agreed by all sentinels after {:.1} s",
        killed_at.elapsed().as_secs_f64()
    );
    assert!(wait_until(Duration::from_secs(10), || sandbox
        .cli(new_master, &["ROLE"])
        .starts_with("master")));
    for i in 0..20 {
        assert_eq!(
            sandbox.cli(new_master, &["GET", &format!("key:{i}")]),
            format!("value-{i}"),
            "acknowledged write {i} is on the new master"
        );
    }

    // stop.sh leaves nothing behind.
    let pids = sandbox.pids();
    assert!(!pids.is_empty());
    let stop = Command::new("sh")
        .arg(dir.join("stop.sh"))
        .output()
        .unwrap();
    assert!(stop.status.success());
    let left: Vec<u32> = pids.into_iter().filter(|&p| alive(p)).collect();
    assert!(left.is_empty(), "processes left after stop.sh: {left:?}");
    drop(sandbox);
}
