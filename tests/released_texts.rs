//! A whole-tree check releases the texts of plain configs once they are parsed and reads
//! them again from disk for the report. The text read again must be the one checked, or
//! nothing at all.

mod common;

use common::{render_full, workspace_for};
use redis_halint::rules::Rule;
use redis_halint::Target;
use std::fs;
use std::time::{Duration, SystemTime};

const CONF: &str = "port 6379\n# caf\u{e9}\nmaxmemory-polcy allkeys-lru\nappendonly yes\n";

fn findings_text(dir: &std::path::Path, release: bool) -> String {
    let mut workspace = workspace_for(&[dir.to_path_buf()], Target::default());
    if release {
        workspace.release_config_texts();
    }
    let diagnostics = workspace.check();
    assert!(workspace.changed_on_disk().is_empty());
    render_full(&workspace, &diagnostics)
}

#[test]
fn report_is_the_same_with_released_texts() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("redis.conf"), CONF).unwrap();
    // Latin-1 bytes are read as `?` both times: positions stay those of the file.
    fs::write(
        dir.path().join("sentinel.conf"),
        b"# \xe9t\xe9\nsentinel monitor mymaster 10.0.0.1 6379 2\nsentinel down-after-milisecond mymaster 5000\n",
    )
    .unwrap();
    let held = findings_text(dir.path(), false);
    let released = findings_text(dir.path(), true);
    assert!(held.contains("maxmemory-polcy"), "{held}");
    assert!(held.contains("down-after-milisecond"), "{held}");
    assert_eq!(held, released);
}

#[test]
fn same_size_and_time_but_other_bytes_is_a_change() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("redis.conf");
    fs::write(&path, CONF).unwrap();
    let mut workspace = workspace_for(&[dir.path().to_path_buf()], Target::default());
    workspace.release_config_texts();
    // Same size, same modification time, other bytes (a multi-byte character where the
    // finding's span starts: quoting it from this text would cut it): the checksum
    // taken at release tells.
    let modified = fs::metadata(&path).unwrap().modified().unwrap();
    let swapped = CONF.replace("# caf\u{e9}\nmax", "# cafe\n\u{e9}ax");
    assert_eq!(swapped.len(), CONF.len());
    assert_ne!(swapped, CONF);
    fs::write(&path, &swapped).unwrap();
    fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(modified)
        .unwrap();
    let diagnostics = workspace.check();
    let output = render_full(&workspace, &diagnostics);
    assert!(!output.contains("\u{e9}ax"), "{output}");
    assert_eq!(workspace.changed_on_disk(), vec![path.as_path()]);
}

#[test]
fn a_config_changed_after_parsing_is_reported_not_misquoted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("redis.conf");
    fs::write(&path, CONF).unwrap();
    let mut workspace = workspace_for(&[dir.path().to_path_buf()], Target::default());
    workspace.release_config_texts();
    // Shorter, and (to be sure on coarse clocks) another modification time.
    fs::write(&path, "port 1\n").unwrap();
    fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(SystemTime::now() + Duration::from_secs(60))
        .unwrap();
    let diagnostics = workspace.check();
    assert!(
        diagnostics.iter().any(|d| d.rule == Rule::UnknownDirective),
        "the findings are those of the text that was parsed"
    );
    let output = render_full(&workspace, &diagnostics);
    assert!(!output.contains("port 1"), "{output}");
    assert_eq!(workspace.changed_on_disk(), vec![path.as_path()]);
}

#[test]
fn a_deleted_config_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("redis.conf");
    fs::write(&path, CONF).unwrap();
    let mut workspace = workspace_for(&[dir.path().to_path_buf()], Target::default());
    workspace.release_config_texts();
    fs::remove_file(&path).unwrap();
    let diagnostics = workspace.check();
    let _ = render_full(&workspace, &diagnostics);
    assert_eq!(workspace.changed_on_disk(), vec![path.as_path()]);
}

#[test]
fn texts_not_read_from_disk_are_kept() {
    // An editor buffer or stdin has no file behind it: nothing is released.
    let mut workspace = redis_halint::Workspace::new(redis_halint::Settings::default());
    let id = workspace.set_file("redis.conf", CONF, true);
    workspace.release_config_texts();
    let diagnostics = workspace.check();
    assert!(!diagnostics.is_empty());
    assert_eq!(workspace.source(id).unwrap().text(), CONF);
    assert!(workspace.changed_on_disk().is_empty());
}

/// `check --fix` writes the fixed file, then reports what is left in it: from the fixed
/// text, with its excerpts, and without calling the file "changed on disk".
#[test]
fn check_after_fix_reports_the_fixed_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("redis.conf");
    fs::write(
        &path,
        "port 6379\nappendonly true\nmaxmemory-polcy allkeys-lru\n",
    )
    .unwrap();
    let out = std::process::Command::new(common::bin())
        .args(["check", "--fix", "--output-format", "full"])
        .arg(&path)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(!stderr.contains("changed on disk"), "{stderr}");
    assert!(
        stdout.contains("3 │ maxmemory-polcy allkeys-lru"),
        "{stdout}"
    );
    assert!(stdout.contains("2 │ appendonly yes"), "{stdout}");
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        "port 6379\nappendonly yes\nmaxmemory-polcy allkeys-lru\n"
    );
}

/// Neither the check (fixes that append a line, labels of rendered charts) nor a report
/// keeps a released text: a report over thousands of configs reads each again while it
/// shows it, and a tree's texts are never all in memory at once.
#[test]
fn released_texts_stay_released_through_check_and_reports() {
    use redis_halint::report::{render, OutputFormat, RenderOptions};
    let dir = tempfile::tempdir().unwrap();
    let count = 40;
    let mut paths = Vec::new();
    for i in 0..count {
        let node = dir.path().join(format!("node-{i:02}"));
        fs::create_dir(&node).unwrap();
        // A typo (shown with an excerpt) and a backlog too small for the memory (a fix
        // that appends a line at the end of the file).
        fs::write(
            node.join("redis.conf"),
            format!("port 6379\nreplicaof 10.0.1.{i} 6379\nmaxmemory 16gb\nmaxmemory-polcy allkeys-lru\n"),
        )
        .unwrap();
        paths.push(node.join("redis.conf"));
    }
    let mut workspace = workspace_for(&[dir.path().to_path_buf()], Target::default());
    workspace.release_config_texts();
    let held = |workspace: &redis_halint::Workspace| {
        paths
            .iter()
            .filter(|p| {
                let id = workspace.file_id(p).unwrap();
                workspace.source(id).unwrap().holds_text()
            })
            .count()
    };
    assert_eq!(held(&workspace), 0);
    let diagnostics = workspace.check();
    let appended = diagnostics
        .iter()
        .filter(|d| d.rule == Rule::ReplBacklogTooSmall && d.fix.is_some())
        .count();
    assert_eq!(appended, count, "every node gets the appending fix");
    assert_eq!(held(&workspace), 0, "the check read released texts again");
    for format in OutputFormat::ALL {
        let out = render(&workspace, &diagnostics, *format, RenderOptions::default());
        assert!(!out.is_empty());
        assert_eq!(
            held(&workspace),
            0,
            "the {} report kept released texts",
            format.name()
        );
    }
    assert!(workspace.changed_on_disk().is_empty());
}
