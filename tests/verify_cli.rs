//! `redis-halint verify` without a Redis server: recorded snapshots (`--snapshot`) in
//! every output format, exit codes, usage errors, and timeouts against a local socket
//! that accepts and never answers (127.0.0.1:27090–27099).

mod common;

use common::{bin, sarif_validator};
use serde_json::Value;
use std::process::Command;

fn verify(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(bin())
        .arg("verify")
        .args(args)
        .env_remove("REDISCLI_AUTH")
        .env("NO_COLOR", "1")
        .output()
        .expect("run redis-halint");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const DRIFT: &str = "fixtures/declared-config-drift/bad";
const GHOST: &str = "fixtures/ghost-sentinel/bad";
const CLEAN: &str = "fixtures/ghost-sentinel/good";

#[test]
fn live_findings_in_every_format() {
    let validator = sarif_validator();
    for (snapshot, declared) in [
        (format!("{GHOST}/live.json"), None),
        (
            format!("{DRIFT}/live.json"),
            Some(format!("{DRIFT}/declared")),
        ),
    ] {
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
            let mut args = vec!["--snapshot", &snapshot, "--output-format", format];
            if let Some(d) = &declared {
                args.push(d);
            }
            let (code, out, err) = verify(&args);
            assert_eq!(code, 1, "{snapshot} {format}: {err}");
            assert!(out.contains("127.0.0.1:2638"), "{format}: {out}");
            match format {
                "json" | "gitlab" => {
                    let v: Value = serde_json::from_str(&out).unwrap();
                    assert!(!v.as_array().unwrap().is_empty());
                }
                "json-lines" => {
                    for line in out.lines() {
                        serde_json::from_str::<Value>(line).unwrap();
                    }
                }
                "sarif" => {
                    let log: Value = serde_json::from_str(&out).unwrap();
                    let errors: Vec<String> = validator
                        .iter_errors(&log)
                        .map(|e| format!("{} at {}", e, e.instance_path()))
                        .collect();
                    assert!(errors.is_empty(), "{snapshot}: {errors:#?}");
                }
                _ => {}
            }
        }
    }
}

#[test]
fn json_points_at_the_live_answer_and_the_declared_value() {
    let snapshot = format!("{DRIFT}/live.json");
    let declared = format!("{DRIFT}/declared");
    let (code, out, _) = verify(&[
        "--snapshot",
        &snapshot,
        "--output-format",
        "json",
        &declared,
    ]);
    assert_eq!(code, 1);
    let found: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(found.len(), 3, "{out}");
    for (i, f) in found.iter().enumerate() {
        assert_eq!(f["code"], "V016");
        // The finding points at what runs; the declaration is the related label.
        assert_eq!(
            f["file"],
            format!("redis-sentinel://127.0.0.1:{}", 26380 + i),
            "{f}"
        );
        let related = &f["related"][0];
        assert_eq!(
            related["file"],
            format!("{declared}/sentinel-{}.conf", i + 1),
            "{f}"
        );
        assert_eq!(
            (related["line"].as_u64(), related["column"].as_u64()),
            (Some(4), Some(43)),
            "{f}"
        );
        assert_eq!(related["message"], "declared here");
        assert!(f["message"].as_str().unwrap().contains("30000"), "{f}");
    }
    // Without the declared files, the same deployment is consistent: nothing to report.
    let (code, out, _) = verify(&["--snapshot", &snapshot]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("No findings."));
}

#[test]
fn exit_codes_and_selection() {
    let clean = format!("{CLEAN}/live.json");
    let ghost = format!("{GHOST}/live.json");
    assert_eq!(verify(&["--snapshot", &clean]).0, 0);
    assert_eq!(verify(&["--snapshot", &ghost]).0, 1);
    assert_eq!(verify(&["--snapshot", &ghost, "--fail-on", "error"]).0, 0);
    assert_eq!(verify(&["--snapshot", &ghost, "--fail-on", "never"]).0, 0);
    assert_eq!(verify(&["--snapshot", &ghost, "--ignore", "V006"]).0, 0);
    assert_eq!(verify(&["--snapshot", &ghost, "--ignore", "live"]).0, 0);
    let (code, out, _) = verify(&[
        "--snapshot",
        &ghost,
        "--select",
        "ghost-sentinel",
        "--output-format",
        "concise",
    ]);
    assert_eq!(code, 1);
    assert!(
        out.starts_with("redis-sentinel://127.0.0.1:26380:"),
        "{out}"
    );
}

#[test]
fn usage_errors_exit_2() {
    // Neither sentinels nor a snapshot.
    assert_eq!(verify(&[]).0, 2);
    // Not HOST:PORT.
    let (code, _, err) = verify(&["--sentinel", "localhost"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("HOST:PORT"), "{err}");
    // There is no option that takes the password itself.
    let (code, _, err) = verify(&["--sentinel", "127.0.0.1:27099", "--password", "x"]);
    assert_eq!(code, 2, "{err}");
    // Unreadable inputs.
    assert_eq!(verify(&["--snapshot", "no/such/snapshot.json"]).0, 2);
    assert_eq!(verify(&["--snapshot", "Cargo.toml"]).0, 2);
    let (code, _, err) = verify(&["--snapshot", &format!("{CLEAN}/live.json"), "no/such/dir"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no/such/dir"), "{err}");
    if cfg!(feature = "live") {
        let (code, _, err) = verify(&[
            "--sentinel",
            "127.0.0.1:27099",
            "--password-file",
            "no/such/file",
        ]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("password file"), "{err}");
    }
}

/// A peer that accepts the connection and never answers, and a port nobody listens on:
/// both are findings within the timeout, not hangs or crashes.
#[cfg(feature = "live")]
#[test]
fn unresponsive_and_refusing_peers_are_findings() {
    use std::net::TcpListener;
    use std::time::{Duration, Instant};
    let listener = TcpListener::bind("127.0.0.1:27090").expect("port 27090 free");
    let accept = std::thread::spawn(move || {
        // Hold the connections open without answering, until the test ends.
        let mut held = Vec::new();
        listener.set_nonblocking(true).unwrap();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            match listener.accept() {
                Ok((s, _)) => held.push(s),
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    });
    let start = Instant::now();
    let (code, out, err) = verify(&[
        "--sentinel",
        "127.0.0.1:27090,127.0.0.1:27091",
        "--master",
        "mymaster",
        "--timeout",
        "300",
        "--output-format",
        "json",
    ]);
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "took {:?}",
        start.elapsed()
    );
    assert_eq!(code, 1, "{out}\n{err}");
    let found: Vec<Value> = serde_json::from_str(&out).unwrap();
    let messages: Vec<&str> = found
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(found.len(), 2, "{messages:#?}");
    assert!(found.iter().all(|f| f["rule"] == "sentinel-unreachable"));
    assert!(
        messages[0].contains("127.0.0.1:27090") && messages[0].contains("timed out"),
        "{messages:#?}"
    );
    assert!(messages[1].contains("127.0.0.1:27091"), "{messages:#?}");
    drop(accept);
}
