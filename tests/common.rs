//! Helpers shared by the integration tests.
#![allow(dead_code)]

use redis_halint::discover::discover;
use redis_halint::report::{render, OutputFormat, RenderOptions};
use redis_halint::{Diagnostic, Settings, Target, Workspace};
use std::path::{Path, PathBuf};

pub fn workspace_for(paths: &[PathBuf], target: Target) -> Workspace {
    let found = discover(paths, None);
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    let (workspace, _, _) = found.into_workspace(Settings {
        target,
        ..Settings::default()
    });
    workspace
}

pub fn check_dir(dir: &Path, target: Target) -> (Workspace, Vec<Diagnostic>) {
    let workspace = workspace_for(&[dir.to_path_buf()], target);
    let diagnostics = workspace.check();
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
