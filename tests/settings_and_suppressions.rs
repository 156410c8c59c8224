//! Configuration discovery (nested files, `extend`, per-file ignores, severity, fail-on,
//! exclude, show-config), inline suppressions through the CLI, and baselines.

mod common;

use common::bin;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

/// A scratch repository: `.git` bounds the config search.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join(".git")).unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    dir
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run redis-halint")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const DUPLICATE: &str = "port 6379\nmaxmemory 256mb\nmaxmemory 512mb\n";
const HOSTNAME: &str = "port 26379\nsentinel monitor mymaster redis-master 6379 2\n";

fn concise(dir: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let mut args = vec!["check", "--output-format", "concise"];
    args.extend_from_slice(extra);
    let o = run_in(dir, &args);
    (
        o.status.code(),
        out(&o) + &String::from_utf8_lossy(&o.stderr),
    )
}

#[test]
fn nearest_config_wins() {
    let t = tree(&[
        (
            "redis-halint.toml",
            "[lint]\nignore = [\"duplicate-directive\"]\n",
        ),
        ("a/redis.conf", DUPLICATE),
        ("b/redis-halint.toml", "[lint]\nignore = [\"N001\"]\n"),
        ("b/redis.conf", DUPLICATE),
    ]);
    let (code, text) = concise(t.path(), &["."]);
    assert_eq!(code, Some(1), "{text}");
    assert!(!text.contains("a/redis.conf"), "{text}");
    assert!(text.contains("b/redis.conf:3:1: S012"), "{text}");
}

#[test]
fn extend_inherits_and_overrides() {
    let t = tree(&[
        (
            "base.toml",
            "[lint]\nignore = [\"duplicate-directive\"]\nfail-on = \"error\"\n",
        ),
        (
            "deploy/redis-halint.toml",
            "extend = \"../base.toml\"\n[lint]\nfail-on = \"warning\"\n",
        ),
        ("deploy/redis.conf", DUPLICATE),
        ("deploy/sentinel.conf", HOSTNAME),
    ]);
    let (code, text) = concise(t.path(), &["deploy"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(!text.contains("S012"), "inherited ignore: {text}");
    assert!(text.contains("N001"), "{text}");
    // The child's fail-on wins over the base's; the CLI wins over both.
    let (code, _) = concise(t.path(), &["--fail-on", "never", "deploy"]);
    assert_eq!(code, Some(0));
    // A missing extend target is an error, after checking.
    fs::remove_file(t.path().join("base.toml")).unwrap();
    let (code, text) = concise(t.path(), &["deploy"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("cannot extend `../base.toml`"), "{text}");
}

#[test]
fn per_file_ignores_severity_exclude_select() {
    let t = tree(&[
        (
            "redis-halint.toml",
            r#"
[lint]
exclude = ["vendor/**"]
[lint.per-file-ignores]
"legacy/*.conf" = ["S012"]
[lint.severity]
duplicate-directive = "info"
"#,
        ),
        ("legacy/redis.conf", DUPLICATE),
        ("new/redis.conf", DUPLICATE),
        ("vendor/chart/redis.conf", DUPLICATE),
    ]);
    let (code, text) = concise(t.path(), &["."]);
    // Only the info-level finding in new/ remains: exit 0 at the default fail-on.
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("new/redis.conf:3:1: S012 [duplicate-directive] info"),
        "{text}"
    );
    assert!(!text.contains("legacy/"), "{text}");
    assert!(!text.contains("vendor/"), "{text}");
    assert!(
        text.contains("1 file(s) excluded by configuration"),
        "{text}"
    );
    // --select replaces the config's selection; --extend-select adds to it.
    let (_, text) = concise(t.path(), &["--select", "auth", "."]);
    assert!(!text.contains("S012"), "{text}");
    let (_, text) = concise(
        t.path(),
        &["--select", "auth", "--extend-select", "syntax", "."],
    );
    assert!(text.contains("S012"), "{text}");
}

#[test]
fn invalid_config_is_a_finding_with_a_position() {
    let t = tree(&[
        (
            "redis-halint.toml",
            "[lint]\nselct = [\"auth\"]\nfail-on = \"sometimes\"\n",
        ),
        ("redis.conf", "port 6379\n"),
    ]);
    let (code, text) = concise(t.path(), &["."]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("redis-halint.toml:2:1: G001 [invalid-config] error: unknown key `selct`"),
        "{text}"
    );
    assert!(text.contains("redis-halint.toml:3:11: G001"), "{text}");
}

#[test]
fn show_config_says_where_each_setting_comes_from() {
    let t = tree(&[
        ("base.toml", "[lint]\nignore = [\"Q005\"]\n"),
        (
            "deploy/.redis-halint.toml",
            "extend = \"../base.toml\"\n\n[lint]\ntarget-version = \"redis-7.0\"\n[lint.per-file-ignores]\n\"legacy/*\" = [\"auth\"]\n",
        ),
        ("deploy/redis.conf", "port 6379\n"),
    ]);
    let o = run_in(t.path(), &["show-config", "deploy/redis.conf"]);
    assert_eq!(o.status.code(), Some(0));
    let text = out(&o);
    assert!(
        text.contains("Configuration files, nearest first: deploy/.redis-halint.toml, base.toml"),
        "{text}"
    );
    let line = |key: &str| {
        text.lines()
            .find(|l| l.starts_with(key))
            .unwrap_or_else(|| panic!("no {key} in {text}"))
            .to_string()
    };
    assert!(
        line("target-version").contains("# deploy/.redis-halint.toml:4"),
        "{text}"
    );
    assert!(line("ignore").contains("# base.toml:2"), "{text}");
    assert!(line("fail-on").ends_with("# default"), "{text}");
    assert!(
        line("per-file-ignores").contains("# deploy/.redis-halint.toml:6"),
        "{text}"
    );
    // No config at all: defaults.
    let empty = tree(&[("redis.conf", "port 6379\n")]);
    let o = run_in(empty.path(), &["show-config"]);
    assert!(out(&o).contains("No configuration file"), "{}", out(&o));
}

#[test]
fn inline_suppressions_and_the_ci_switch() {
    let t = tree(&[
        (
            "sentinel.conf",
            "port 26379\n# redis-halint: ignore[hostname-monitor-without-resolve-hostnames] -- resolve-hostnames is set by the operator at start-up\nsentinel monitor mymaster redis-master 6379 2\n",
        ),
        (
            "redis.conf",
            "# redis-halint: ignore-file[S012] -- appended overrides, the last line wins on purpose\nport 6379\nmaxmemory 256mb\nmaxmemory 512mb\n",
        ),
    ]);
    let (code, text) = concise(t.path(), &["."]);
    assert_eq!(code, Some(0), "{text}");
    assert!(!text.contains("N001") && !text.contains("S012"), "{text}");
    let (code, text) = concise(t.path(), &["--no-inline-suppressions", "."]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("N001") && text.contains("S012"), "{text}");
    // Nothing about the suppressions themselves either.
    assert!(!text.contains(" L00"), "{text}");
}

#[test]
fn baseline_reports_only_new_findings_and_survives_line_moves() {
    let t = tree(&[("redis.conf", DUPLICATE), ("sentinel.conf", HOSTNAME)]);
    let o = run_in(
        t.path(),
        &["check", "--write-baseline", "baseline.json", "."],
    );
    assert_eq!(o.status.code(), Some(0));
    let baseline: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(t.path().join("baseline.json")).unwrap()).unwrap();
    assert_eq!(baseline["findings"].as_array().unwrap().len(), 2);
    let (code, text) = concise(t.path(), &["--baseline", "baseline.json", "."]);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("2 finding(s) hidden by the baseline"),
        "{text}"
    );
    // Lines move: comments above, blanks in between. Still nothing new.
    fs::write(
        t.path().join("redis.conf"),
        "# cache node\n\nport 6379\n\nmaxmemory   256mb\nmaxmemory 512mb\n",
    )
    .unwrap();
    fs::write(
        t.path().join("sentinel.conf"),
        "# sentinel\nport 26379\n\n\nsentinel monitor mymaster redis-master 6379 2\n",
    )
    .unwrap();
    let (code, text) = concise(t.path(), &["--baseline", "baseline.json", "."]);
    assert_eq!(code, Some(0), "{text}");
    // A new finding (a second duplicate) is reported, alone.
    fs::write(
        t.path().join("redis.conf"),
        "# cache node\n\nport 6379\n\nmaxmemory   256mb\nmaxmemory 512mb\nport 6380\n",
    )
    .unwrap();
    let (code, text) = concise(t.path(), &["--baseline", "baseline.json", "."]);
    assert_eq!(code, Some(1), "{text}");
    let findings: Vec<&str> = text.lines().filter(|l| l.contains(": S0")).collect();
    assert_eq!(findings.len(), 1, "{text}");
    assert!(findings[0].contains("redis.conf:7:1: S012"), "{text}");
    // A baseline that is not one is a usage error.
    fs::write(t.path().join("bad.json"), "[]").unwrap();
    let (code, _) = concise(t.path(), &["--baseline", "bad.json", "."]);
    assert_eq!(code, Some(2));
}

#[test]
fn baseline_carries_no_secret() {
    let t = tree(&[(
        "redis-1.conf",
        "port 6379\nrequirepass example-pass-1\nrequirepass example-pass-2\n",
    )]);
    let o = run_in(t.path(), &["check", "--write-baseline", "b.json", "."]);
    assert_eq!(o.status.code(), Some(0));
    let text = fs::read_to_string(t.path().join("b.json")).unwrap();
    assert!(text.contains("duplicate-directive"), "{text}");
    assert!(!text.contains("example-pass"), "{text}");
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish"] {
        let o = Command::new(bin())
            .args(["completions", shell])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0));
        let text = out(&o);
        assert!(text.contains("redis-halint"), "{shell}");
        assert!(text.contains("output-format"), "{shell}: {text}");
    }
    let o = Command::new(bin()).arg("man").output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let text = out(&o);
    assert!(text.starts_with(".ie") || text.contains(".TH"), "{text}");
    assert!(text.contains("no\\-inline\\-suppressions"), "{text}");
}

/// The settings lookup takes what a directory walk listed (a dot-named settings file,
/// a nested repository's `.git`) without asking the file system again.
#[test]
fn walk_listing_finds_dot_settings_and_nested_repositories() {
    let t = tree(&[
        (
            "redis-halint.toml",
            "[lint]\nignore = [\"duplicate-directive\"]\n",
        ),
        ("a/.redis-halint.toml", "[lint]\nignore = [\"N001\"]\n"),
        ("a/redis.conf", DUPLICATE),
        ("b/redis.conf", DUPLICATE),
        ("nested/deploy/redis.conf", DUPLICATE),
    ]);
    // A repository of its own: the root's settings do not reach into it.
    fs::create_dir(t.path().join("nested/.git")).unwrap();
    let (code, text) = concise(t.path(), &["."]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("a/redis.conf:3:1: S012"), "{text}");
    assert!(!text.contains("b/redis.conf"), "{text}");
    assert!(
        text.contains("nested/deploy/redis.conf:3:1: S012"),
        "{text}"
    );
}

/// A settings file that a `.gitignore` rule hides from the walk is still the settings
/// of its directory, as when it is looked up directly.
#[test]
fn ignored_settings_file_still_applies() {
    let t = tree(&[
        (".gitignore", "deploy/redis-halint.toml\n"),
        (
            "deploy/redis-halint.toml",
            "[lint]\nignore = [\"duplicate-directive\"]\n",
        ),
        ("deploy/redis.conf", DUPLICATE),
    ]);
    let (code, text) = concise(t.path(), &["."]);
    assert_eq!(code, Some(0), "{text}");
    let (code, text) = concise(t.path(), &["deploy/redis.conf"]);
    assert_eq!(code, Some(0), "{text}");
}

/// A `.gitignore` negation can bring a hidden directory back into the walk; the walk that
/// lists settings files skips every dot-name, so such a tree is walked the usual way.
#[test]
fn negation_brings_a_hidden_directory_back() {
    let t = tree(&[
        (".gitignore", ".*\n!.devcontainer/\n"),
        (".devcontainer/redis.conf", DUPLICATE),
        (".hidden/redis.conf", DUPLICATE),
    ]);
    let (code, text) = concise(t.path(), &["."]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains(".devcontainer/redis.conf:3:1: S012"),
        "{text}"
    );
    assert!(!text.contains(".hidden"), "{text}");
}

/// A walk root that is a symlink gets the ignore rules of where it points: a settings
/// file they hide is still found by the lookup.
#[test]
fn settings_behind_a_symlinked_root() {
    let real = tree(&[
        (".gitignore", "redis-halint.toml\n"),
        // Below the root: the root's own directory is looked up before the walk.
        (
            "real/deploy/app/redis-halint.toml",
            "[lint]\nignore = [\"duplicate-directive\"]\n",
        ),
        ("real/deploy/app/redis.conf", DUPLICATE),
    ]);
    let work = tree(&[]);
    std::os::unix::fs::symlink(real.path().join("real/deploy"), work.path().join("deploy"))
        .unwrap();
    let (code, text) = concise(work.path(), &["deploy"]);
    assert_eq!(code, Some(0), "{text}");
}

/// `[topology.groups]`: sentinels and replicas that run outside the checked tree enter
/// the counts, so a lone sentinel.conf plus "two more elsewhere" is judged as three.
#[test]
fn topology_groups_count_processes_elsewhere() {
    let sentinel = "port 26379\nsentinel monitor mymaster 10.0.0.5 6379 3\n";
    let dir = tree(&[("deploy/sentinel.conf", sentinel)]);
    // Alone, one sentinel config says nothing about how many run.
    let (_, text) = concise(dir.path(), &["deploy"]);
    assert!(!text.contains("Q004"), "{text}");
    fs::write(
        dir.path().join("redis-halint.toml"),
        "[topology]\ngroups.mymaster = { sentinels-elsewhere = 2, replicas-elsewhere = 2 }\n",
    )
    .unwrap();
    let (_, text) = concise(dir.path(), &["deploy"]);
    assert!(text.contains("deploy/sentinel.conf:2:41: Q004"), "{text}");
    let json = out(&run_in(
        dir.path(),
        &["topology", "--format", "json", "deploy"],
    ));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["groups"][0]["sentinel_count"]["known"], 3, "{json}");
    assert_eq!(v["groups"][0]["replica_count"]["known"], 2, "{json}");
    // Another master name is not affected.
    fs::write(
        dir.path().join("redis-halint.toml"),
        "[topology]\ngroups.other = { sentinels-elsewhere = 2 }\n",
    )
    .unwrap();
    let (_, text) = concise(dir.path(), &["deploy"]);
    assert!(!text.contains("Q004"), "{text}");
}
