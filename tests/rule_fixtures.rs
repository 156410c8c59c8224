//! One snapshot of the full output per rule for its bad and its good fixture, and the
//! promises behind them: the bad fixture triggers the rule, the good one is clean.

mod common;

use common::{check_dir, check_dir_since, check_live_dir, render_full};
use redis_halint::rules::{Category, RULES};
use redis_halint::{Severity, Target};
use std::path::Path;

#[test]
fn every_rule_fixture() {
    let mut failures = Vec::new();
    for info in RULES {
        let base = Path::new("fixtures").join(info.name);
        // A rule about one version range names its target in `target-version` (`redis-7.0.4`).
        let target = std::fs::read_to_string(base.join("target-version"))
            .map(|t| Target::parse(t.trim()).expect("a valid target-version"))
            .unwrap_or_default();
        for case in ["bad", "good"] {
            let dir = base.join(case);
            if !dir.is_dir() {
                failures.push(format!("{}: missing fixture {}", info.name, dir.display()));
                continue;
            }
            // Live rules (`verify`) read what a deployment answered, not files: their
            // fixture is a recorded snapshot (`live.json`) plus optional declared files.
            let (workspace, diagnostics) = if info.category == Category::Live {
                check_live_dir(&dir)
            } else {
                // History rules compare with the fixture's `before/` revision.
                let before = base.join("before");
                check_dir_since(&dir, target, before.is_dir().then_some(before.as_path()))
            };
            let fired = diagnostics.iter().any(|d| d.rule == info.rule);
            if case == "bad" && !fired {
                failures.push(format!(
                    "{}: bad fixture does not trigger the rule",
                    info.name
                ));
            }
            if case == "good" {
                if fired {
                    failures.push(format!("{}: good fixture triggers the rule", info.name));
                }
                if let Some(d) = diagnostics.iter().find(|d| d.severity >= Severity::Warning) {
                    failures.push(format!(
                        "{}: good fixture has a {} finding: {} {}",
                        info.name,
                        d.severity.as_str(),
                        d.rule.name(),
                        d.message
                    ));
                }
            }
            let output = render_full(&workspace, &diagnostics);
            insta::assert_snapshot!(format!("{}__{case}", info.name), output);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A retired rule's fixtures are reported by its successors (and the good one is clean):
/// the redirect loses nothing that the rule used to find.
#[test]
fn every_redirect_fixture() {
    let mut failures = Vec::new();
    for redirect in redis_halint::rules::REDIRECTS {
        let base = Path::new("fixtures").join(redirect.name);
        for case in ["bad", "good"] {
            let (workspace, diagnostics) = check_dir(&base.join(case), Target::default());
            let fired = diagnostics.iter().any(|d| redirect.to.contains(&d.rule));
            if case == "bad" && !fired {
                failures.push(format!(
                    "{}: no successor reports the bad fixture",
                    redirect.name
                ));
            }
            if case == "good" {
                if let Some(d) = diagnostics.iter().find(|d| d.severity >= Severity::Warning) {
                    failures.push(format!(
                        "{}: good fixture has {} {}",
                        redirect.name,
                        d.rule.name(),
                        d.message
                    ));
                }
            }
            let output = render_full(&workspace, &diagnostics);
            insta::assert_snapshot!(format!("redirect__{}__{case}", redirect.name), output);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn bundled_examples() {
    let (_, bad) = check_dir(Path::new("fixtures/examples/deploy"), Target::default());
    for rule in [
        "hostname-monitor-without-resolve-hostnames",
        "unknown-sentinel-directive",
        "group-password-not-uniform",
        "masterauth-missing",
    ] {
        assert!(
            bad.iter().any(|d| d.rule.name() == rule),
            "example deploy should show {rule}"
        );
    }
    let (_, good) = check_dir(Path::new("fixtures/examples/correct"), Target::default());
    let loud: Vec<_> = good
        .iter()
        .filter(|d| d.severity >= Severity::Warning)
        .map(|d| d.rule.name())
        .collect();
    assert!(loud.is_empty(), "{loud:?}");
}
