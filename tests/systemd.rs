//! systemd units, drop-ins and deployment scripts read together with the configs they run.

mod common;

use common::check_dir;
use redis_halint::syntax::systemd;
use redis_halint::{Diagnostic, Target};
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn rules(diagnostics: &[Diagnostic]) -> Vec<&'static str> {
    diagnostics.iter().map(|d| d.rule.name()).collect()
}

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = dir.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
}

#[test]
fn debian_layout_has_no_finding() {
    // Debian 12's units: Type=notify, --supervised systemd --daemonize no over a config that
    // says `daemonize yes`, ProtectSystem=strict with ReadWriteDirectories=-/etc/redis.
    let (_, diagnostics) = check_dir(
        Path::new("fixtures/systemd-sentinel-conf-readonly/good"),
        Target::default(),
    );
    assert!(diagnostics.is_empty(), "{:?}", rules(&diagnostics));
}

#[test]
fn drop_ins_apply_over_their_unit_and_are_not_redis_configs() {
    let dir = tempfile::tempdir().unwrap();
    let unit = "[Service]\nType=notify\nExecStart=/usr/bin/redis-sentinel /etc/redis/sentinel.conf --supervised systemd --daemonize no\nProtectSystem=full\n";
    write(
        dir.path(),
        &[
            ("etc/systemd/system/redis-sentinel.service", unit),
            (
                "etc/systemd/system/redis-sentinel.service.d/override.conf",
                "[Service]\nReadWritePaths=/etc/redis\nMemoryLimit=1G\n",
            ),
        ],
    );
    let (workspace, diagnostics) = check_dir(dir.path(), Target::default());
    assert_eq!(rules(&diagnostics), ["systemd-memorylimit-deprecated"]);
    let span = diagnostics[0].span;
    let source = workspace.source(span.file).unwrap();
    assert!(source.path.ends_with("override.conf"));
    assert_eq!(source.slice(span), "MemoryLimit");

    // Without the drop-in the directory is read-only.
    fs::remove_dir_all(
        dir.path()
            .join("etc/systemd/system/redis-sentinel.service.d"),
    )
    .unwrap();
    let (_, diagnostics) = check_dir(dir.path(), Target::default());
    assert_eq!(rules(&diagnostics), ["systemd-sentinel-conf-readonly"]);
}

#[test]
fn template_units_keep_the_config_directory() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[(
            "redis-sentinel@.service",
            "[Service]\nType=notify\nExecStart=/usr/bin/redis-server /etc/redis/sentinel-%i.conf --supervised systemd --daemonize no\nProtectSystem=full\n",
        )],
    );
    let (_, diagnostics) = check_dir(dir.path(), Target::default());
    // Not in sentinel mode: a data node only rewrites its config on CONFIG REWRITE.
    assert_eq!(rules(&diagnostics), ["sentinel-started-as-plain-server"]);
}

#[test]
fn script_here_documents_are_checked_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let script = "#!/bin/bash\nDIR=/etc/redis\nssh root@h bash <<EOF\n    cat > $DIR/redis.conf <<'C'\nport 6379\nmaxmemroy 1gb\nC\n    sudo tee /etc/systemd/system/redis.service >/dev/null <<UNIT\n[Service]\nType=notify\nExecStart=/usr/bin/redis-server $DIR/redis.conf\nMemoryMax=1G\nUNIT\nEOF\n";
    write(dir.path(), &[("install", script)]);
    let (workspace, diagnostics) = check_dir(dir.path(), Target::default());
    let found: Vec<(&str, String)> = diagnostics
        .iter()
        .map(|d| {
            let source = workspace.source(d.span.file).unwrap();
            (d.rule.name(), source.slice(d.span).to_string())
        })
        .collect();
    assert!(
        found.contains(&("unknown-directive", "maxmemroy".into())),
        "{found:?}"
    );
    // The unit's config links to the here-document: supervision is known to be off.
    assert!(
        found.contains(&("systemd-notify-without-supervision", "notify".into())),
        "{found:?}"
    );
}

/// Lines (1-based) that `systemd-analyze verify` reports as grammar errors.
fn analyze(path: &Path) -> Option<BTreeSet<usize>> {
    let output = Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(path)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stderr);
    let prefix = format!("{}:", path.display());
    let grammar = [
        "Unknown key",
        "Unknown section",
        "Missing '='",
        "Invalid section header",
        "Assignment outside of section",
        "Missing key name",
    ];
    Some(
        text.lines()
            .filter_map(|l| l.strip_prefix(&prefix))
            .filter_map(|l| l.split_once(": "))
            .filter(|(_, message)| grammar.iter().any(|g| message.starts_with(g)))
            .filter_map(|(line, _)| line.parse().ok())
            .collect(),
    )
}

fn units_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            units_under(&path, out);
        } else if path.extension().is_some_and(|e| e == "service") {
            out.push(path);
        }
    }
}

#[test]
fn unit_grammar_agrees_with_systemd_analyze() {
    if Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("systemd-analyze not found: skipped");
        return;
    }
    let mut units = Vec::new();
    units_under(Path::new("fixtures"), &mut units);
    units.sort();
    assert!(units.len() >= 10, "too few unit fixtures: {units:?}");
    let mut with_errors = 0;
    for unit in &units {
        let path = fs::canonicalize(unit).unwrap();
        let expected = analyze(&path).expect("systemd-analyze runs");
        let text = fs::read_to_string(&path).unwrap();
        let ours: BTreeSet<usize> = systemd::parse(&text, 0)
            .errors
            .iter()
            .map(|e| e.line + 1)
            .collect();
        assert_eq!(ours, expected, "grammar errors of {}", unit.display());
        with_errors += usize::from(!expected.is_empty());
    }
    assert!(with_errors >= 1, "no fixture exercises the comparison");
}
