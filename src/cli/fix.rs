//! `check --fix` / `--diff`: run the fix loop, then write files atomically or print the
//! diff. Secrets a fix copies into a file are written, never printed.

use super::check::{report, CheckArgs};
use redis_halint::discover::Discovered;
use redis_halint::fix::{fix_all, unified_diff, write_atomically, FixMode};
use redis_halint::report::MaskedSources;
use redis_halint::selection::Selection;
use redis_halint::{Settings, Workspace};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

pub fn run(
    args: &CheckArgs,
    found: Discovered,
    settings: Settings,
    selection: &Selection,
) -> Result<ExitCode, String> {
    let Discovered {
        inputs,
        errors,
        notes,
    } = found;
    let texts: BTreeMap<PathBuf, (String, bool)> = inputs
        .into_iter()
        .map(|i| (i.path, (i.text, i.explicit)))
        .collect();
    let mode = if args.unsafe_fixes {
        FixMode::SafeAndUnsafe
    } else {
        FixMode::Safe
    };
    let outcome = fix_all(&texts, &settings, selection, mode);
    for rolled in &outcome.rolled_back {
        eprintln!("redis-halint: note: fix not applied (it would break the file): {rolled}");
    }

    if args.diff {
        let diff = masked_diffs(&texts, &outcome.changed, &settings);
        print!("{diff}");
        for error in &errors {
            eprintln!("redis-halint: error: {error}");
        }
        if !errors.is_empty() {
            return Ok(ExitCode::from(2));
        }
        return Ok(if outcome.changed.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }

    let mut write_errors = errors;
    let mut final_texts = texts.clone();
    for (path, text) in &outcome.changed {
        if !path.exists() {
            continue; // stdin: nothing to write back
        }
        match write_atomically(path, text) {
            Ok(()) => final_texts.get_mut(path).unwrap().0 = text.clone(),
            Err(e) => write_errors.push(format!("cannot write {}: {e}", path.display())),
        }
    }
    if !outcome.applied.is_empty() {
        eprintln!(
            "redis-halint: fixed {} finding(s) in {} file(s)",
            outcome.applied.len(),
            outcome.changed.len()
        );
    }
    let workspace = workspace_of(&final_texts, &settings);
    report(args, &workspace, selection, &write_errors, &notes)
}

fn workspace_of(texts: &BTreeMap<PathBuf, (String, bool)>, settings: &Settings) -> Workspace {
    let mut workspace = Workspace::new(settings.clone());
    for (path, (text, explicit)) in texts {
        workspace.set_file(path.clone(), text.as_str(), *explicit);
    }
    workspace
}

/// Diffs of the masked old and new texts, so a password a fix copies is never shown.
fn masked_diffs(
    old: &BTreeMap<PathBuf, (String, bool)>,
    changed: &BTreeMap<PathBuf, String>,
    settings: &Settings,
) -> String {
    let before = workspace_of(old, settings);
    let mut new_texts = old.clone();
    for (path, text) in changed {
        new_texts.get_mut(path).unwrap().0 = text.clone();
    }
    let after = workspace_of(&new_texts, settings);
    let (masked_before, masked_after) = (MaskedSources::new(&before), MaskedSources::new(&after));
    let mut out = String::new();
    for path in changed.keys() {
        let (Some(a), Some(b)) = (before.file_id(path), after.file_id(path)) else {
            continue;
        };
        out.push_str(&unified_diff(
            path,
            &masked_before.masked_text(a),
            &masked_after.masked_text(b),
        ));
    }
    out
}
