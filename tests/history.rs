//! The history rules read the previous committed revision from git: repositories with
//! two commits (five sentinels, then three; three, then two) get the finding; the same
//! files without git, or with `--no-history`, do not.

mod common;

use common::{bin, walk};
use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=test", "-c", "user.email=test@example.com"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(status.status.success(), "git {args:?}: {status:?}");
}

fn copy_tree(from: &Path, to: &Path) {
    for file in walk(from) {
        let dest = to.join(file.strip_prefix(from).unwrap());
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(&file, dest).unwrap();
    }
}

/// The rules reported by `check` run in `dir`.
fn rules(dir: &Path, extra: &[&str]) -> Vec<String> {
    let out = Command::new(bin())
        .current_dir(dir)
        .args(["check", "--output-format", "json", "deploy"])
        .args(extra)
        .output()
        .unwrap();
    let found: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    found
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn scale_down_is_found_only_with_history() {
    let fixtures = Path::new("fixtures/sentinel-scale-down-without-reset");
    let repo = tempfile::tempdir().unwrap();
    let deploy = repo.path().join("deploy");
    git(repo.path(), &["init", "-q", "-b", "main"]);
    copy_tree(&fixtures.join("before"), &deploy);
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "five sentinels"]);
    std::fs::remove_dir_all(&deploy).unwrap();
    copy_tree(&fixtures.join("bad"), &deploy);
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "three sentinels"]);

    let rule = "sentinel-scale-down-without-reset".to_string();
    // On the default branch with a clean tree: the commit before the last one.
    assert!(rules(repo.path(), &[]).contains(&rule));
    assert!(rules(repo.path(), &["--since", "HEAD~1"]).contains(&rule));
    assert!(!rules(repo.path(), &["--since", "HEAD"]).contains(&rule));
    assert!(!rules(repo.path(), &["--no-history"]).contains(&rule));

    // A branch compares with where it left main, whatever it committed since.
    git(repo.path(), &["checkout", "-q", "-b", "feature", "HEAD~1"]);
    std::fs::remove_dir_all(&deploy).unwrap();
    copy_tree(&fixtures.join("bad"), &deploy);
    git(repo.path(), &["add", "-A"]);
    git(
        repo.path(),
        &["commit", "-q", "-m", "three sentinels on a branch"],
    );
    std::fs::write(deploy.join("notes.txt"), "more work\n").unwrap();
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "another commit"]);
    git(repo.path(), &["branch", "-q", "-f", "main", "HEAD~2"]);
    assert!(rules(repo.path(), &[]).contains(&rule));

    // The same files outside any repository: no history, no finding.
    let plain = tempfile::tempdir().unwrap();
    copy_tree(&fixtures.join("bad"), &plain.path().join("deploy"));
    assert!(!rules(plain.path(), &[]).contains(&rule));
    let out = Command::new(bin())
        .current_dir(plain.path())
        .args(["check", "deploy", "--since", "HEAD~1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// Three sentinels, then two (one config deleted): the deleted sentinel is still counted
/// by the two that remain until they are reset. Found with history only.
#[test]
fn three_to_two_sentinels_is_found_only_with_history() {
    let three = Path::new("fixtures/sentinel-scale-down-without-reset/bad");
    let repo = tempfile::tempdir().unwrap();
    let deploy = repo.path().join("deploy");
    git(repo.path(), &["init", "-q", "-b", "main"]);
    copy_tree(three, &deploy);
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "three sentinels"]);
    std::fs::remove_file(deploy.join("sentinel-3.conf")).unwrap();
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-q", "-m", "two sentinels"]);

    let rule = "sentinel-scale-down-without-reset".to_string();
    assert!(rules(repo.path(), &[]).contains(&rule));
    assert!(!rules(repo.path(), &["--no-history"]).contains(&rule));
    let plain = tempfile::tempdir().unwrap();
    copy_tree(&deploy, &plain.path().join("deploy"));
    assert!(!rules(plain.path(), &[]).contains(&rule));
}
