//! The command line: exit codes, output formats, the JSON contract, stdin, selection,
//! rule pages, and that no secret reaches any output.

mod common;

use common::{bin, run, stdout};
use std::io::Write;
use std::process::{Command, Stdio};

#[test]
fn exit_codes() {
    assert_eq!(
        run(&["check", "fixtures/examples/correct"]).status.code(),
        Some(0)
    );
    assert_eq!(
        run(&["check", "fixtures/examples/deploy"]).status.code(),
        Some(1)
    );
    // Only warnings: fail on warning (default) but not on error.
    assert_eq!(
        run(&["check", "fixtures/writable-replicas/bad"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        run(&[
            "check",
            "--fail-on",
            "error",
            "fixtures/writable-replicas/bad"
        ])
        .status
        .code(),
        Some(0)
    );
    assert_eq!(
        run(&["check", "--fail-on", "never", "fixtures/examples/deploy"])
            .status
            .code(),
        Some(0)
    );
    // Info findings fail only with --fail-on info.
    assert_eq!(
        run(&["check", "fixtures/quorum-below-majority/bad"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        run(&[
            "check",
            "--fail-on",
            "info",
            "fixtures/quorum-below-majority/bad"
        ])
        .status
        .code(),
        Some(1)
    );
    // Usage errors.
    assert_eq!(
        run(&["check", "--fail-on", "bogus", "."]).status.code(),
        Some(2)
    );
    assert_eq!(
        run(&[
            "check",
            "--select",
            "no-such-rule",
            "fixtures/examples/correct"
        ])
        .status
        .code(),
        Some(2)
    );
    assert_eq!(
        run(&[
            "check",
            "--target-version",
            "redis-x",
            "fixtures/examples/correct"
        ])
        .status
        .code(),
        Some(2)
    );
}

#[test]
fn unreadable_input_exits_2_after_checking_the_rest() {
    let out = run(&[
        "check",
        "--output-format",
        "concise",
        "does/not/exist.conf",
        "fixtures/examples/deploy",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stdout(&out).contains("hostname-monitor-without-resolve-hostnames"),
        "the readable input is still checked"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("does/not/exist.conf"));
}

#[test]
fn json_contract() {
    let out = run(&[
        "check",
        "--output-format",
        "json",
        "fixtures/examples/deploy",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let items = value.as_array().expect("an array");
    assert!(!items.is_empty());
    let keys = [
        "code",
        "rule",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "fatal",
        "related",
        "fix",
    ];
    for item in items {
        let object = item.as_object().unwrap();
        for key in keys {
            assert!(object.contains_key(key), "missing key {key} in {item}");
        }
        assert_eq!(object.len(), keys.len(), "unexpected keys in {item}");
        assert!(["error", "warning", "info"].contains(&item["severity"].as_str().unwrap()));
        assert!(item["file"]
            .as_str()
            .unwrap()
            .starts_with("fixtures/examples/deploy/"));
        for key in ["line", "column", "end_line", "end_column"] {
            assert!(item[key].as_u64().unwrap() >= 1);
        }
        assert!(item["fatal"].is_boolean());
        for related in item["related"].as_array().unwrap() {
            for key in ["file", "line", "column", "message"] {
                assert!(related.get(key).is_some(), "related lacks {key}");
            }
        }
        assert!(item["fix"].is_null() || item["fix"]["edits"].is_array());
    }
    // The hostname finding: exact token, fatal, with its code.
    let hostname = items
        .iter()
        .find(|i| i["rule"] == "hostname-monitor-without-resolve-hostnames")
        .expect("hostname finding");
    assert_eq!(hostname["code"], "N001");
    assert_eq!(hostname["fatal"], true);
    assert_eq!(hostname["line"], 6);
    assert_eq!(hostname["column"], 27);
    assert_eq!(hostname["end_column"], 39);
    // A cross-file finding carries a label in another file.
    let mismatch = items
        .iter()
        .find(|i| i["rule"] == "sentinel-auth-pass-mismatch")
        .unwrap();
    assert!(mismatch["related"][0]["file"]
        .as_str()
        .unwrap()
        .ends_with("redis-replica-2.conf"));
}

#[test]
fn concise_format() {
    let out = run(&[
        "check",
        "--output-format",
        "concise",
        "fixtures/unknown-sentinel-directive/bad",
    ]);
    let text = stdout(&out);
    let line = text.lines().next().unwrap();
    assert!(
        line.starts_with("fixtures/unknown-sentinel-directive/bad/"),
        "{line}"
    );
    assert!(
        line.contains(": S002 [unknown-sentinel-directive] error (fatal): "),
        "{line}"
    );
}

#[test]
fn full_format_says_fatal() {
    let out = run(&[
        "check",
        "--color",
        "never",
        "fixtures/unknown-sentinel-directive/bad",
    ]);
    let text = stdout(&out);
    assert!(text.contains("S002 unknown-sentinel-directive"));
    assert!(text.contains("fatal:"));
    assert!(text.contains("refused at start-up"));
}

#[test]
fn stdin_with_filename() {
    let mut child = Command::new(bin())
        .args([
            "check",
            "--output-format",
            "concise",
            "--stdin-filename",
            "deploy/sentinel.conf",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"sentinel monitor mymaster redis-master 6379 2\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).starts_with("deploy/sentinel.conf:1:27: N001"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn select_and_ignore() {
    let only = run(&[
        "check",
        "--output-format",
        "concise",
        "--select",
        "auth",
        "fixtures/examples/deploy",
    ]);
    let text = stdout(&only);
    assert!(text.lines().all(|l| l.contains(" A0")), "{text}");
    let ignored = run(&[
        "check",
        "--output-format",
        "concise",
        "--ignore",
        "N001,auth,S002",
        "fixtures/examples/deploy",
    ]);
    assert_eq!(ignored.status.code(), Some(0), "{}", stdout(&ignored));
}

#[test]
fn rule_pages() {
    let by_name = run(&["rule", "sentinel-count-even"]);
    assert_eq!(by_name.status.code(), Some(0));
    assert!(stdout(&by_name).starts_with("# sentinel-count-even (Q002)"));
    let by_code = run(&["rule", "n001"]);
    assert!(stdout(&by_code).starts_with("# hostname-monitor-without-resolve-hostnames (N001)"));
    assert_eq!(run(&["rule", "nope"]).status.code(), Some(2));
    let list = stdout(&run(&["rules"]));
    assert_eq!(list.lines().count(), redis_halint::rules::RULES.len() + 1);
    assert!(list.contains("Q002  sentinel-count-even"));
}

#[test]
fn secrets_never_printed() {
    for format in ["full", "concise", "json"] {
        for dir in [
            "fixtures/examples/deploy",
            "fixtures/sentinel-auth-pass-mismatch/bad",
            "fixtures/sentinel-peer-auth-inconsistent/bad",
            "fixtures/masterauth-mismatch/bad",
        ] {
            let out = run(&["check", "--output-format", format, dir]);
            let text = stdout(&out);
            assert!(
                !text.contains("example-pass"),
                "{format} output for {dir} shows a password:\n{text}"
            );
            assert!(
                !text.contains("example-sentinel-pass"),
                "{format} output for {dir} shows a password"
            );
        }
    }
}

/// `redis-halint rules | head -1`: the reader closes the pipe early; the tool stops
/// quietly instead of panicking.
#[test]
fn a_closed_pipe_is_not_a_panic() {
    let mut child = Command::new(bin())
        .arg("rules")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read nothing: close our end at once.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(out.status.success(), "{:?}", out.status);
}
