//! Helpers shared by the integration tests.
#![allow(dead_code)]

use redis_halint::discover::discover;
use redis_halint::report::{render, OutputFormat, RenderOptions};
use redis_halint::settings::Resolver;
use redis_halint::{Diagnostic, Settings, Target, Workspace};
use std::path::{Path, PathBuf};

pub fn workspace_for(paths: &[PathBuf], target: Target) -> Workspace {
    let found = discover(paths, None);
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    // The `[topology]` of the config nearest to the first path, as `check` reads it.
    let topology = paths.first().and_then(|p| {
        let mut resolver = Resolver::new(std::env::current_dir().unwrap(), None);
        resolver.for_path(p)?.topology.clone()
    });
    let settings = Settings {
        target,
        ..Settings::default()
    }
    .with_topology(topology.as_ref().map(|t| &t.value));
    let (workspace, _, _) = found.into_workspace(settings);
    workspace
}

/// As `redis-halint check` does: the texts of plain configs are released after parsing
/// and read again for the report, so every snapshot also shows that the excerpts read
/// back are the ones that were checked.
pub fn check_dir(dir: &Path, target: Target) -> (Workspace, Vec<Diagnostic>) {
    check_dir_since(dir, target, None)
}

/// `check_dir`, compared with an earlier revision of the same files: `before` holds them
/// at their paths relative to `dir` (the history rules' fixtures keep it beside `bad/` and
/// `good/`).
pub fn check_dir_since(
    dir: &Path,
    target: Target,
    before: Option<&Path>,
) -> (Workspace, Vec<Diagnostic>) {
    let mut workspace = workspace_for(&[dir.to_path_buf()], target);
    if let Some(before) = before {
        let mut files = Vec::new();
        for entry in walk(before) {
            let rel = entry.strip_prefix(before).unwrap();
            files.push((dir.join(rel), std::fs::read_to_string(&entry).unwrap()));
        }
        workspace.set_previous(redis_halint::history::Revision {
            name: "the previous revision".into(),
            files,
        });
    }
    workspace.release_config_texts();
    let diagnostics = workspace.check();
    (workspace, diagnostics)
}

/// A live rule's fixture: `live.json` (what a deployment answered, as `verify
/// --save-snapshot` writes it) and, optionally, the declared configuration in `declared/`.
pub fn check_live_dir(dir: &Path) -> (Workspace, Vec<Diagnostic>) {
    let text = std::fs::read_to_string(dir.join("live.json"))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.join("live.json").display()));
    let snapshot: redis_halint::live::Snapshot =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let declared = dir.join("declared");
    let (mut workspace, topology) = if declared.is_dir() {
        let workspace = workspace_for(&[declared], Target::default());
        let topology = workspace.topology();
        (workspace, Some(topology))
    } else {
        (Workspace::new(Settings::default()), None)
    };
    let diagnostics = redis_halint::live::verify(
        &mut workspace,
        &snapshot,
        topology.as_ref(),
        &redis_halint::live::Options::default(),
    );
    (workspace, diagnostics)
}

pub fn render_full(workspace: &Workspace, diagnostics: &[Diagnostic]) -> String {
    render(
        workspace,
        diagnostics,
        OutputFormat::Full,
        RenderOptions {
            color: false,
            width: 100,
        },
    )
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_redis-halint")
}

/// Runs the binary with `args`.
#[allow(dead_code)]
pub fn run(args: &[&str]) -> std::process::Output {
    std::process::Command::new(bin())
        .args(args)
        .output()
        .expect("run redis-halint")
}

/// Standard output as text.
#[allow(dead_code)]
pub fn stdout(o: &std::process::Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// The official SARIF 2.1.0 schema (vendored), formats checked.
pub fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string("tests/data/sarif-schema-2.1.0.json").unwrap();
    // The official schema file is vendored unchanged. Its `run.language` pattern has a
    // stray `]` that the meta-schema's `regex` format check rejects, so that one pattern
    // (for a property our output never sets) is corrected in memory; everything else,
    // formats (uri, uri-reference, …) included, is checked as published.
    const STRAY: &str = r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#;
    assert!(text.contains(STRAY), "the vendored schema changed");
    let text = text.replace(STRAY, r#""^[a-zA-Z]{2}(-[a-zA-Z]{2})?$""#);
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

/// Copy a directory tree (fixtures into a scratch directory).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A scratch copy of `tree` with `from` replaced by `to` in its file `file` (a control
/// that differs from the fixture by exactly that edit; the edit must change the file).
pub fn edited_copy(tree: &Path, file: &str, from: &str, to: &str) -> tempfile::TempDir {
    let copy = tempfile::tempdir().unwrap();
    copy_dir(tree, copy.path());
    let path = copy.path().join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text.replace(from, to);
    assert_ne!(text, edited, "{file}: `{from}` is not in it");
    std::fs::write(&path, edited).unwrap();
    copy
}

/// Every file under `dir`, sorted.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Poll `condition` every 200 ms until it holds or `limit` passes (tests against the real
/// binaries wait for links, syncs and failovers).
pub fn wait_until(limit: std::time::Duration, mut condition: impl FnMut() -> bool) -> bool {
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if condition() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    false
}
