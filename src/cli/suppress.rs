//! `check --add-suppressions REASON`: silence every current finding with an inline
//! suppression, so a legacy tree can adopt the linter in one commit and only new
//! findings show from then on.
//!
//! The comments are written by `redis_halint::add_suppressions`; this file decides which
//! findings to silence (the ones `check` reports with these settings), proves on the new
//! texts that the comments silence them before writing anything, and writes atomically.
//! A file whose findings a comment cannot silence (a Dockerfile, `.env`) is left as it is.

use redis_halint::add_suppressions::{add, check_reason, file_level};
use redis_halint::discover::Input;
use redis_halint::fix::write_atomically;
use redis_halint::settings::{Overrides, Resolver};
use redis_halint::suppression::is_meta;
use redis_halint::{Diagnostic, Settings, Workspace};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Findings per file: 0-based line → rule names, and the rules only a file-level
/// suppression silences.
type Plan = BTreeMap<
    PathBuf,
    (
        BTreeMap<u32, BTreeSet<&'static str>>,
        BTreeSet<&'static str>,
    ),
>;

/// What `check` would report on these texts: the engine's findings with the settings
/// (selection, per-file ignores) of each file's redis-halint.toml applied.
fn findings(
    inputs: &[Input],
    settings: &Settings,
    resolver: &mut Resolver,
    overrides: &Overrides,
) -> Result<(Workspace, Vec<Diagnostic>), String> {
    let mut workspace = Workspace::new(settings.clone());
    for input in inputs {
        workspace.set_file(input.path.clone(), input.text.as_str(), input.explicit);
    }
    // As `check` reads them: rendered charts and templates too.
    workspace.expand();
    let diagnostics = workspace.check();
    let diagnostics = redis_halint::apply::apply_settings(
        diagnostics,
        &|file| workspace.source(file).map(|s| s.path.clone()),
        resolver,
        overrides,
    )?;
    Ok((workspace, diagnostics))
}

fn plan(workspace: &Workspace, diagnostics: &[Diagnostic]) -> Plan {
    let mut plan = Plan::new();
    for d in diagnostics {
        let Some(source) = workspace.source(d.span.file) else {
            continue;
        };
        let entry = plan.entry(source.path.clone()).or_default();
        if is_meta(d.rule) {
            // A line suppression never silences a finding about a suppression comment.
            entry.1.insert(d.rule.name());
        } else {
            let line = source.line_index().line_of(d.span.start) as u32;
            entry.0.entry(line).or_default().insert(d.rule.name());
        }
    }
    plan
}

/// Add the suppressions, write the changed files, and update `inputs` so that the report
/// that follows shows what is left.
pub fn add_in_place(
    inputs: &mut [Input],
    settings: &Settings,
    resolver: &mut Resolver,
    overrides: &Overrides,
    reason: &str,
    errors: &mut Vec<String>,
) -> Result<(), String> {
    let reason = check_reason(reason)?;
    let (workspace, diagnostics) = findings(inputs, settings, resolver, overrides)?;
    let plan = plan(&workspace, &diagnostics);
    drop(workspace);
    let on_disk = |input: &Input| plan.contains_key(&input.path) && input.path.exists();

    // First try: a line comment before each finding (or a file-level one where that is
    // not possible); second: file-level only, for the files where the first left
    // findings; files still not silent are left as they were.
    let mut trial: Vec<Input> = inputs
        .iter()
        .map(|i| Input {
            path: i.path.clone(),
            text: i.text.clone(),
            explicit: i.explicit,
            stamp: None,
        })
        .collect();
    for input in trial.iter_mut().filter(|i| on_disk(i)) {
        let (lines, file_rules) = &plan[&input.path];
        input.text = add(&input.path, &input.text, lines, file_rules, reason);
    }
    let mut failed = still_reported(&trial, settings, resolver, overrides, &plan)?;
    if !failed.is_empty() {
        for (input, original) in trial.iter_mut().zip(inputs.iter()) {
            if failed.contains(&input.path) {
                let (lines, file_rules) = &plan[&input.path];
                let all: BTreeSet<&str> = lines
                    .values()
                    .flatten()
                    .chain(file_rules)
                    .copied()
                    .collect();
                input.text = file_level(&original.text, &all, reason);
            }
        }
        failed = still_reported(&trial, settings, resolver, overrides, &plan)?;
    }

    let (mut files, mut written) = (0, 0);
    for (input, new) in inputs.iter_mut().zip(trial) {
        if new.text == input.text {
            continue;
        }
        if failed.contains(&input.path) {
            eprintln!(
                "redis-halint: note: {}: its findings cannot be silenced by an inline comment; left unchanged",
                input.path.display()
            );
            continue;
        }
        files += 1;
        let added = new.text.lines().count() - input.text.lines().count();
        match write_atomically(&input.path, &new.text) {
            Ok(()) => {
                input.text = new.text;
                input.stamp = None;
                written += added;
            }
            Err(e) => errors.push(format!("cannot write {}: {e}", input.path.display())),
        }
    }
    eprintln!("redis-halint: added {written} suppression comment(s) in {files} file(s)");
    Ok(())
}

/// The planned files in which `check` still reports something after the comments.
fn still_reported(
    trial: &[Input],
    settings: &Settings,
    resolver: &mut Resolver,
    overrides: &Overrides,
    plan: &Plan,
) -> Result<BTreeSet<PathBuf>, String> {
    let (workspace, diagnostics) = findings(trial, settings, resolver, overrides)?;
    Ok(diagnostics
        .iter()
        .filter_map(|d| workspace.source(d.span.file).map(|s| s.path.clone()))
        .filter(|p| plan.contains_key(p))
        .collect())
}
