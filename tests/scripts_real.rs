//! `sentinel-script-not-executable` against Debian's real redis-sentinel: a compose
//! project whose sentinel names a script from a bind-mounted folder of the tree. The real
//! sentinel is started on the same config with the mount resolved to the host folder;
//! redis-halint calls the project fatal if and only if that sentinel refuses to start.

mod common;

use common::check_dir;
use redis_halint::Target;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

// Ports of this test: below the ephemeral range, apart from the other real-binary tests.
const BASE_PORT: u16 = 26460;

/// Start redis-sentinel on `conf`; true when it exits with an error within 5 s.
fn real_refuses(conf: &Path, port: u16) -> (bool, String) {
    let bin = ["/usr/bin/redis-sentinel", "/usr/local/bin/redis-sentinel"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("redis-sentinel is not installed (test.sh and .ci/run install it)");
    let dir = conf.parent().unwrap();
    let log_path = dir.join("out.log");
    let log = fs::File::create(&log_path).unwrap();
    let mut child = Command::new(bin)
        .arg(conf)
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("start redis-sentinel");
    let started = Instant::now();
    let refused = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break !status.success();
        }
        let text = fs::read_to_string(&log_path).unwrap_or_default();
        if text.contains("Sentinel ID is") || started.elapsed() > Duration::from_secs(5) {
            break false;
        }
        std::thread::sleep(Duration::from_millis(25));
    };
    let _ = child.kill(); // by PID: only the process this test started
    let _ = child.wait();
    (refused, fs::read_to_string(&log_path).unwrap_or_default())
}

/// A compose project: one master, one sentinel whose config names `script` under the
/// bind mount `./scripts:/scripts`. `mode` is the script's mode; `None`: no script file.
fn project(dir: &Path, option: &str, mode: Option<u32>) {
    fs::create_dir_all(dir.join("scripts")).unwrap();
    fs::create_dir_all(dir.join("sentinel")).unwrap();
    fs::write(
        dir.join("docker-compose.yml"),
        "services:\n  redis:\n    image: redis:7.0\n  sentinel:\n    image: redis:7.0\n    command: redis-sentinel /etc/redis/sentinel.conf\n    volumes:\n      - ./sentinel:/etc/redis\n      - ./scripts:/scripts:ro\n",
    )
    .unwrap();
    fs::write(
        dir.join("sentinel/sentinel.conf"),
        format!("port 26379\nsentinel monitor mymaster 127.0.0.1 6379 1\nsentinel {option} mymaster /scripts/hook.sh\n"),
    )
    .unwrap();
    if let Some(mode) = mode {
        let script = dir.join("scripts/hook.sh");
        fs::write(&script, "#!/bin/sh\nexit 0\n").unwrap();
        fs::set_permissions(&script, fs::Permissions::from_mode(mode)).unwrap();
    }
}

#[test]
fn fatal_iff_real_sentinel_refuses_the_script() {
    let cases = [
        ("notification-script", Some(0o644), true),
        ("client-reconfig-script", Some(0o644), true),
        ("notification-script", None, true),
        ("notification-script", Some(0o755), false),
        ("client-reconfig-script", Some(0o755), false),
    ];
    for (i, (option, mode, expect_refused)) in cases.into_iter().enumerate() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("project");
        project(&dir, option, mode);

        // The real sentinel runs the same config with the mount resolved on the host,
        // from a writable copy (Sentinel rewrites its file).
        let run = tmp.path().join("run");
        fs::create_dir_all(&run).unwrap();
        let conf = fs::read_to_string(dir.join("sentinel/sentinel.conf"))
            .unwrap()
            .replace("/scripts/", &format!("{}/", dir.join("scripts").display()));
        fs::write(run.join("sentinel.conf"), conf).unwrap();
        let (refused, log) = real_refuses(&run.join("sentinel.conf"), BASE_PORT + i as u16);
        assert_eq!(
            refused,
            expect_refused,
            "{option} with mode {mode:?}: the real sentinel {}:\n{log}",
            if refused { "refused" } else { "started" }
        );
        if refused {
            assert!(log.contains("non existing or non executable"), "{log}");
        }

        let (_, diagnostics) = check_dir(&dir, Target::redis(7, 0));
        let fatal: Vec<_> = diagnostics
            .iter()
            .filter(|d| d.fatal && d.rule.name() == "sentinel-script-not-executable")
            .collect();
        assert_eq!(
            !fatal.is_empty(),
            refused,
            "{option} with mode {mode:?}: the real sentinel {}, redis-halint reported {:?}",
            if refused { "refused" } else { "started" },
            diagnostics
                .iter()
                .map(|d| format!("{} {}", d.rule.name(), d.message))
                .collect::<Vec<_>>()
        );
    }
}
