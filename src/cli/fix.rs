//! `check --fix` / `--diff`: run the fix loop, then write files atomically or print the
//! diff. Secrets a fix copies into a file are written, never printed.

use redis_halint::discover::Input;
use redis_halint::fix::{fix_all, unified_diff, write_atomically, FixMode};
use redis_halint::report::MaskedSources;
use redis_halint::selection::Selection;
use redis_halint::{Settings, Workspace};
use std::collections::BTreeMap;
use std::path::PathBuf;

type Texts = BTreeMap<PathBuf, (String, bool)>;

fn texts(inputs: &[Input]) -> Texts {
    inputs
        .iter()
        .map(|i| (i.path.clone(), (i.text.clone(), i.explicit)))
        .collect()
}

fn workspace_of(texts: &Texts, settings: &Settings) -> Workspace {
    let mut workspace = Workspace::new(settings.clone());
    for (path, (text, explicit)) in texts {
        workspace.set_file(path.clone(), text.as_str(), *explicit);
    }
    workspace
}

/// The diff `--fix` would make, with secrets masked; and whether there is one.
pub fn diff(
    inputs: &[Input],
    settings: &Settings,
    selection: &Selection,
    mode: FixMode,
    errors: &mut Vec<String>,
) -> (String, bool) {
    let old = texts(inputs);
    let outcome = fix_all(&old, settings, selection, mode);
    report_rollbacks(&outcome.rolled_back);
    report_internal(&outcome.internal_errors, errors);
    let before = workspace_of(&old, settings);
    let mut new_texts = old.clone();
    for (path, text) in &outcome.changed {
        new_texts.get_mut(path).unwrap().0 = text.clone();
    }
    let after = workspace_of(&new_texts, settings);
    let (masked_before, masked_after) = (MaskedSources::new(&before), MaskedSources::new(&after));
    let mut out = String::new();
    for path in outcome.changed.keys() {
        let (Some(a), Some(b)) = (before.file_id(path), after.file_id(path)) else {
            continue;
        };
        out.push_str(&unified_diff(
            path,
            &masked_before.masked_text(a),
            &masked_after.masked_text(b),
        ));
    }
    (out, !outcome.changed.is_empty())
}

/// Apply the fixes, write the changed files atomically, and update `inputs` so the
/// report that follows sees the fixed text.
pub fn fix_in_place(
    inputs: &mut [Input],
    settings: &Settings,
    selection: &Selection,
    mode: FixMode,
    errors: &mut Vec<String>,
) {
    let outcome = fix_all(&texts(inputs), settings, selection, mode);
    report_rollbacks(&outcome.rolled_back);
    report_internal(&outcome.internal_errors, errors);
    let mut written = 0;
    for input in inputs.iter_mut() {
        let Some(text) = outcome.changed.get(&input.path) else {
            continue;
        };
        if !input.path.exists() {
            continue; // stdin: nothing to write back
        }
        match write_atomically(&input.path, text) {
            Ok(()) => {
                input.text = text.clone();
                // The check that follows reports on this text, not on what was first read:
                // it is kept in memory rather than read again.
                input.stamp = None;
                written += 1;
            }
            Err(e) => errors.push(format!("cannot write {}: {e}", input.path.display())),
        }
    }
    if !outcome.applied.is_empty() {
        eprintln!(
            "redis-halint: fixed {} finding(s) in {written} file(s)",
            outcome.applied.len()
        );
    }
}

/// A fix that changed more than it declares is a defect of redis-halint, not of the
/// user's files: it is an error of the run (exit 2), naming the rule.
fn report_internal(internal: &[String], errors: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    for message in internal {
        if seen.insert(message) {
            errors.push(format!("internal error: {message}; please report it"));
        }
    }
}

fn report_rollbacks(rolled_back: &[String]) {
    for rolled in rolled_back {
        eprintln!("redis-halint: note: fix not applied (it would break the file): {rolled}");
    }
}
