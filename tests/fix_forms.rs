//! Fixes edit settings in the form they are written (config lines, an image's environment
//! variables, command-line options) and never write what the process's release does not
//! know. Fixtures: `fixtures/fix-forms/` (its README says what each one shows).

mod common;

use redis_halint::discover::discover;
use redis_halint::fix::{fix_all, FixMode};
use redis_halint::selection::Selection;
use redis_halint::Settings;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

type Texts = BTreeMap<PathBuf, (String, bool)>;

fn load(dir: &Path) -> Texts {
    discover(&[dir.to_path_buf()], None)
        .inputs
        .into_iter()
        .map(|i| (i.path, (i.text, i.explicit)))
        .collect()
}

/// Every changed file as a unified diff, after `--fix --unsafe-fixes`.
fn fixed(dir: &str) -> (String, Texts) {
    let before = load(Path::new(dir));
    let outcome = fix_all(
        &before,
        &Settings::default(),
        &Selection::default(),
        FixMode::SafeAndUnsafe,
    );
    assert!(
        outcome.internal_errors.is_empty(),
        "{:?}",
        outcome.internal_errors
    );
    let mut after = before.clone();
    let mut diff = String::new();
    for (path, text) in &outcome.changed {
        diff.push_str(&redis_halint::fix::unified_diff(
            path,
            &before[path].0,
            text,
        ));
        after.get_mut(path).unwrap().0 = text.clone();
    }
    // A second pass finds nothing more to do.
    let again = fix_all(
        &after,
        &Settings::default(),
        &Selection::default(),
        FixMode::SafeAndUnsafe,
    );
    assert!(
        again.changed.is_empty(),
        "{dir}: a second --fix changes files again"
    );
    (diff, after)
}

#[test]
fn each_form_gets_the_edit_of_its_form() {
    for name in [
        "bitnami-env-list",
        "bitnami-env-map",
        "bitnami-no-env",
        "old-image-conf",
        "command-options",
    ] {
        let (diff, _) = fixed(&format!("fixtures/fix-forms/{name}"));
        insta::assert_snapshot!(format!("fix_forms__{name}"), diff);
    }
}

#[test]
fn a_bitnami_sentinel_gets_its_variable_not_a_renamed_service() {
    let (diff, after) = fixed("fixtures/fix-forms/bitnami-env-list");
    assert!(
        diff.contains("+      - REDIS_SENTINEL_ANNOUNCE_HOSTNAMES=yes"),
        "{diff}"
    );
    let compose = &after[Path::new("fixtures/fix-forms/bitnami-env-list/docker-compose.yml")].0;
    assert!(compose.contains("\n  cache-sentinel:\n"), "{compose}");
    assert!(!compose.contains("yes:"), "{compose}");
}

#[test]
fn no_fix_without_an_environment_block_or_on_an_old_release() {
    assert_eq!(fixed("fixtures/fix-forms/bitnami-no-env").0, "");
    let (diff, _) = fixed("fixtures/fix-forms/old-image-conf");
    assert!(!diff.contains("hostnames"), "{diff}");
}

#[test]
fn the_target_version_gates_a_plain_config_too() {
    // Without an image, the target decides: Redis 6.0 has no resolve-hostnames, and
    // Sentinel 6.0 resolves the name itself when it loads the file.
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("sentinel.conf");
    std::fs::write(
        &conf,
        "port 26379\nsentinel monitor mymaster redis-master 6379 2\n",
    )
    .unwrap();
    let run = |target: &str| {
        std::process::Command::new(common::bin())
            .args([
                "check",
                "--diff",
                "--unsafe-fixes",
                "--target-version",
                target,
            ])
            .arg(&conf)
            .output()
            .unwrap()
    };
    let old = String::from_utf8(run("redis-6.0").stdout).unwrap();
    assert!(!old.contains("hostnames"), "{old}");
    let new = String::from_utf8(run("redis-7.2").stdout).unwrap();
    assert!(new.contains("+sentinel resolve-hostnames yes"), "{new}");
}

#[test]
fn cli_diff_shows_the_variable() {
    let scratch = tempfile::tempdir().unwrap();
    let target = scratch.path().join("docker-compose.yml");
    std::fs::copy(
        "fixtures/fix-forms/bitnami-env-list/docker-compose.yml",
        &target,
    )
    .unwrap();
    let out = std::process::Command::new(common::bin())
        .args(["check", "--diff"])
        .arg(scratch.path())
        .output()
        .unwrap();
    let diff = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{diff}");
    assert!(
        diff.contains("+      - REDIS_SENTINEL_ANNOUNCE_HOSTNAMES=yes"),
        "{diff}"
    );
    assert!(
        !diff
            .lines()
            .any(|l| l.starts_with("-  ") && l.ends_with(':')),
        "{diff}"
    );
}
