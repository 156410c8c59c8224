//! The commands that help a team adopt the linter: `check --statistics`,
//! `check --show-fixes`, `check --add-suppressions`, and the did-you-mean of `rule`.

mod common;

use common::{copy_dir, run, stdout};
use std::path::Path;
use std::process::Output;

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// Every file of a tree with its text, by path relative to the tree.
fn texts(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().display().to_string();
                out.push((rel, std::fs::read_to_string(&path).unwrap_or_default()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn statistics_counts_per_rule_most_frequent_first() {
    let deploy = "fixtures/examples/deploy";
    let json = run(&["check", "--output-format", "json", deploy]);
    let findings: Vec<serde_json::Value> = serde_json::from_slice(&json.stdout).unwrap();

    let stats = run(&["check", "--statistics", "--output-format", "json", deploy]);
    // The exit code is that of the check.
    assert_eq!(stats.status.code(), json.status.code());
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&stats.stdout).unwrap();
    let total: u64 = rows.iter().map(|r| r["count"].as_u64().unwrap()).sum();
    assert_eq!(total as usize, findings.len());
    for row in &rows {
        let code = row["code"].as_str().unwrap();
        let of_rule: Vec<_> = findings.iter().filter(|f| f["code"] == code).collect();
        assert_eq!(
            row["count"].as_u64().unwrap() as usize,
            of_rule.len(),
            "{code}"
        );
        assert_eq!(row["rule"], of_rule[0]["rule"]);
        let safe = of_rule.iter().any(|f| f["fix"]["applicability"] == "safe");
        assert_eq!(row["fixable"].as_bool().unwrap(), safe, "{code}");
    }
    let counts: Vec<u64> = rows.iter().map(|r| r["count"].as_u64().unwrap()).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");

    // The table: one line per rule, in the same order, with the same figures.
    let table = run(&["check", "--statistics", deploy]);
    let text = stdout(&table);
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with("[*]")).collect();
    assert_eq!(lines.len(), rows.len(), "{text}");
    for (line, row) in lines.iter().zip(&rows) {
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(words[0], row["count"].to_string());
        assert_eq!(words[1], row["code"].as_str().unwrap());
        assert_eq!(words[2], row["rule"].as_str().unwrap());
        assert_eq!(words.get(3) == Some(&"[*]"), row["fixable"] == true);
    }
    // Only a table or JSON.
    let sarif = run(&["check", "--statistics", "--output-format", "sarif", deploy]);
    assert_eq!(sarif.status.code(), Some(2));
}

#[test]
fn show_fixes_lists_each_fix_masked_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new("fixtures/masterauth-missing/bad"), dir.path());
    let before = texts(dir.path());
    let path = dir.path().to_str().unwrap();
    let plain = run(&["check", path]);
    let out = run(&["check", "--show-fixes", "--unsafe-fixes", path]);
    assert_eq!(out.status.code(), plain.status.code());
    assert_eq!(texts(dir.path()), before, "--show-fixes wrote a file");
    let text = stdout(&out);
    // The report first, then the fixes.
    assert!(text.starts_with(&stdout(&plain)));
    let fixes = &text[stdout(&plain).len()..];
    assert!(
        fixes.contains("[masterauth-missing] add masterauth"),
        "{fixes}"
    );
    assert!(fixes.contains("insert \"masterauth ***\\n\""), "{fixes}");
    assert!(
        !text.contains("example-pass"),
        "a password was printed:\n{text}"
    );
    // Each JSON finding with a fix has its line in the list.
    let json = run(&["check", "--output-format", "json", path]);
    let findings: Vec<serde_json::Value> = serde_json::from_slice(&json.stdout).unwrap();
    let with_fix = findings.iter().filter(|f| !f["fix"].is_null()).count();
    assert!(with_fix > 0);
    assert_eq!(
        fixes.lines().filter(|l| !l.starts_with("    ")).count(),
        with_fix,
        "{fixes}"
    );
    // JSON carries the fixes already.
    let json = run(&["check", "--show-fixes", "--output-format", "json", path]);
    assert_eq!(json.status.code(), Some(2));
    assert!(run(&["check", "--show-fixes", "--fix", path]).status.code() == Some(2));
}

#[test]
fn rule_suggests_the_nearest_name() {
    let out = run(&["rule", "sentinel-count-evn"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("did you mean `sentinel-count-even`?"),
        "{}",
        stderr(&out)
    );
    let out = run(&["rule", "no-such-thing-at-all-here"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!stderr(&out).contains("did you mean"), "{}", stderr(&out));
}

/// `--add-suppressions` on a copy of `dir`: afterwards nothing is reported, every old
/// line is still there in order and every new line is a suppression comment, and a
/// second run changes nothing.
fn adopt(dir: &Path) -> usize {
    let scratch = tempfile::tempdir().unwrap();
    copy_dir(dir, scratch.path());
    let path = scratch.path().to_str().unwrap();
    let before = texts(scratch.path());
    let out = run(&["check", "--add-suppressions", "legacy, see TICKET-1", path]);
    assert_ne!(out.status.code(), Some(2), "{dir:?}: {}", stderr(&out));
    let after = texts(scratch.path());
    let mut added = 0;
    for ((name, old), (name2, new)) in before.iter().zip(&after) {
        assert_eq!(name, name2);
        let mut old_lines = old.split_inclusive('\n').peekable();
        for line in new.split_inclusive('\n') {
            if old_lines.peek() == Some(&line) {
                old_lines.next();
            } else {
                assert!(
                    line.trim_start().starts_with("# redis-halint: ignore")
                        && line.trim_end().ends_with("-- legacy, see TICKET-1"),
                    "{dir:?}/{name}: not a suppression line: {line:?}"
                );
                added += 1;
            }
        }
        assert!(
            old_lines.next().is_none(),
            "{dir:?}/{name}: a line was lost"
        );
    }
    let check = run(&[
        "check",
        "--fail-on",
        "info",
        "--output-format",
        "concise",
        path,
    ]);
    let left = stdout(&check);
    let second = run(&["check", "--add-suppressions", "legacy, see TICKET-1", path]);
    assert_eq!(
        texts(scratch.path()),
        after,
        "{dir:?}: the second run changed files"
    );
    if check.status.code() != Some(0) {
        // Only what no comment can silence may be left, and then the run said so.
        assert!(
            stderr(&out).contains("cannot be silenced by an inline comment"),
            "{dir:?} still reports:\n{left}"
        );
        assert!(stderr(&second).contains("added 0 suppression"));
    }
    added
}

#[test]
fn add_suppressions_on_the_example_deployment() {
    assert!(adopt(Path::new("fixtures/examples/deploy")) > 0);
}

#[test]
fn add_suppressions_on_every_bad_fixture() {
    let mut total = 0;
    let mut dirs: Vec<_> = std::fs::read_dir("fixtures")
        .unwrap()
        .map(|e| e.unwrap().path().join("bad"))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        total += adopt(&dir);
    }
    assert!(total > 100, "{total}");
}

#[test]
fn add_suppressions_in_yaml_and_scripts() {
    let dir = tempfile::tempdir().unwrap();
    // A literal block (a config in a ConfigMap) takes a line comment; a command continued
    // with `\` cannot, so the unit gets one file-level comment.
    std::fs::write(
        dir.path().join("cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: redis\ndata:\n  redis.conf: |\n    port 6379\n    appendonly true\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("redis-sentinel.service"),
        "[Service]\nType=notify\nExecStart=/usr/bin/redis-server /etc/redis/sentinel.conf \\\n  --sentinel --port 26380 --supervised systemd --daemonize no\n",
    )
    .unwrap();
    let path = dir.path().to_str().unwrap();
    let check = |extra: &[&str]| {
        let mut args = vec!["check", "--target-version", "redis-7.0.0"];
        args.extend_from_slice(extra);
        args.push(path);
        run(&args)
    };
    assert_eq!(check(&[]).status.code(), Some(1));
    let out = check(&["--add-suppressions", "legacy"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let cm = std::fs::read_to_string(dir.path().join("cm.yaml")).unwrap();
    assert!(
        cm.contains("    # redis-halint: ignore[invalid-value] -- legacy\n    appendonly true\n"),
        "{cm}"
    );
    let unit = std::fs::read_to_string(dir.path().join("redis-sentinel.service")).unwrap();
    assert!(
        unit.starts_with(
            "# redis-halint: ignore-file[sentinel-flag-then-options-pre-7-0-6] -- legacy\n[Service]\n"
        ),
        "{unit}"
    );
    assert_eq!(check(&[]).status.code(), Some(0));
    // A reason is required.
    assert_eq!(
        run(&["check", "--add-suppressions", " ", path])
            .status
            .code(),
        Some(2)
    );
}
