//! Applying fixes: byte-range edits on the original text, never two overlapping fixes in
//! one round, re-check after each round up to a fixed point, and roll back any fix that
//! makes a file unparsable or adds an error. Writing files is the caller's job
//! ([`write_atomically`] is provided for it).

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::fix_guard::{check_round, Layout};
use crate::rules::Rule;
use crate::selection::Selection;
use crate::source::FileId;
use crate::{Settings, Workspace};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

pub const MAX_ROUNDS: usize = 10;

/// Which fixes `--fix` may apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixMode {
    Safe,
    SafeAndUnsafe,
}

impl FixMode {
    fn allows(self, applicability: Applicability) -> bool {
        match applicability {
            Applicability::Safe => true,
            Applicability::Unsafe => self == FixMode::SafeAndUnsafe,
            Applicability::DisplayOnly => false,
        }
    }
}

#[derive(Debug, Default)]
pub struct FixOutcome {
    /// New text of every file that changed, by path.
    pub changed: BTreeMap<PathBuf, String>,
    /// Rule names of the fixes applied, in order.
    pub applied: Vec<&'static str>,
    /// Fixes undone because they broke the file or added an error.
    pub rolled_back: Vec<String>,
    /// Fixes refused because they changed more than their edits declare (a key renamed,
    /// a line split): a defect of the rule, never written. The run exits 2.
    pub internal_errors: Vec<String>,
}

/// Apply fixes until nothing changes. `texts` holds every file of the check, so
/// cross-file rules see the whole deployment in every round.
pub fn fix_all(
    texts: &BTreeMap<PathBuf, (String, bool)>,
    settings: &Settings,
    selection: &Selection,
    mode: FixMode,
) -> FixOutcome {
    let mut current: BTreeMap<PathBuf, (String, bool)> = texts.clone();
    let mut outcome = FixOutcome::default();
    for _ in 0..MAX_ROUNDS {
        let workspace = build(&current, settings);
        let before = workspace.check();
        let fixes = candidate_fixes(&workspace, &before, selection, mode);
        if fixes.is_empty() {
            break;
        }
        let mut by_file: HashMap<FileId, Vec<&Fix>> = HashMap::new();
        let mut names: HashMap<*const Fix, &'static str> = HashMap::new();
        for (rule, fix) in &fixes {
            names.insert(*fix as *const Fix, rule);
            let file = fix.edits[0].span.file;
            by_file.entry(file).or_default().push(fix);
        }
        let mut progressed = false;
        for (file, fixes) in by_file {
            let source = workspace.source(file).expect("file of the workspace");
            let path = source.path.clone();
            let original = source.text().to_string();
            let layout = layout_of(&path);
            // Each fix alone must change only what it declares; a fix that does not is a
            // defect of its rule: reported, never applied.
            let fixes: Vec<&Fix> = fixes
                .into_iter()
                .filter(|fix| {
                    let (text, applied) = apply(&original, &[fix]);
                    let edits: Vec<&Edit> = applied.iter().flat_map(|f| f.edits.iter()).collect();
                    match check_round(layout, &original, &text, &edits) {
                        Ok(()) => true,
                        Err(why) => {
                            outcome.internal_errors.push(format!(
                                "{}: the fix of {} was not applied: {why}",
                                path.display(),
                                names[&(*fix as *const Fix)]
                            ));
                            false
                        }
                    }
                })
                .collect();
            let (text, applied) = apply(&original, &fixes);
            if applied.is_empty() || text == original {
                continue;
            }
            let edits: Vec<&Edit> = applied.iter().flat_map(|f| f.edits.iter()).collect();
            if let Err(why) = check_round(layout, &original, &text, &edits) {
                let rules: Vec<&str> = applied.iter().map(|f| names[&(*f as *const Fix)]).collect();
                outcome.internal_errors.push(format!(
                    "{}: the fixes of {} were not applied together: {why}",
                    path.display(),
                    rules.join(", ")
                ));
                continue;
            }
            // Verify the file alone did not get worse: no new parse error, no new error.
            let mut trial = current.clone();
            trial.get_mut(&path).unwrap().0 = text.clone();
            let after = build(&trial, settings).check();
            if got_worse(&before, &after, &workspace, &path) {
                for fix in &applied {
                    outcome.rolled_back.push(format!(
                        "{}: {} ({})",
                        path.display(),
                        fix.message,
                        names[&(*fix as *const Fix)]
                    ));
                }
                continue;
            }
            for fix in &applied {
                outcome.applied.push(names[&(*fix as *const Fix)]);
            }
            current.get_mut(&path).unwrap().0 = text;
            progressed = true;
        }
        if !progressed {
            break;
        }
    }
    for (path, (text, _)) in &current {
        if texts.get(path).map(|(t, _)| t) != Some(text) {
            outcome.changed.insert(path.clone(), text.clone());
        }
    }
    outcome
}

/// YAML files are compared by structure as well as by lines.
fn layout_of(path: &Path) -> Layout {
    match path.extension().and_then(|e| e.to_str()) {
        Some("yaml" | "yml") => Layout::Yaml,
        _ => Layout::Lines,
    }
}

fn build(texts: &BTreeMap<PathBuf, (String, bool)>, settings: &Settings) -> Workspace {
    let mut workspace = Workspace::new(settings.clone());
    for (path, (text, explicit)) in texts {
        workspace.set_file(path.clone(), text.as_str(), *explicit);
    }
    workspace
}

/// Fixes allowed by the mode and the selection, outside CONFIG REWRITE regions, all of
/// whose edits are in one file.
fn candidate_fixes<'a>(
    workspace: &Workspace,
    diagnostics: &'a [Diagnostic],
    selection: &Selection,
    mode: FixMode,
) -> Vec<(&'static str, &'a Fix)> {
    diagnostics
        .iter()
        .filter(|d| selection.enabled(d.rule))
        .filter_map(|d| d.fix.as_ref().map(|f| (d.rule.name(), f)))
        .filter(|(_, f)| mode.allows(f.applicability) && !f.edits.is_empty())
        .filter(|(_, f)| f.edits.iter().all(|e| e.span.file == f.edits[0].span.file))
        .filter(|(_, f)| {
            f.edits
                .iter()
                .all(|e| match workspace.rewrite_region_start(e.span.file) {
                    Some(start) => (e.span.end as usize) < start,
                    None => true,
                })
        })
        .collect()
}

/// Apply non-overlapping fixes (all edits of a fix or none) from the end of the text.
fn apply<'f>(text: &str, fixes: &[&'f Fix]) -> (String, Vec<&'f Fix>) {
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let mut accepted: Vec<&Fix> = Vec::new();
    let overlaps = |a: (usize, usize), b: (usize, usize)| a.0 < b.1 && b.0 < a.1 || a.0 == b.0;
    for fix in fixes {
        let ranges: Vec<(usize, usize)> = fix
            .edits
            .iter()
            .map(|e| (e.span.start as usize, e.span.end as usize))
            .collect();
        if ranges
            .iter()
            .any(|r| taken.iter().any(|t| overlaps(*r, *t)))
        {
            continue;
        }
        if accepted.contains(fix) {
            continue; // the same fix reported twice (one per sentinel of a group)
        }
        taken.extend(ranges);
        accepted.push(fix);
    }
    let mut edits: Vec<&Edit> = accepted.iter().flat_map(|f| f.edits.iter()).collect();
    edits.sort_by_key(|e| std::cmp::Reverse((e.span.start, e.span.end)));
    let mut out = text.to_string();
    for edit in edits {
        let range = edit.span.range();
        if range.end <= out.len()
            && out.is_char_boundary(range.start)
            && out.is_char_boundary(range.end)
        {
            out.replace_range(range, &edit.content);
        }
    }
    (out, accepted)
}

/// More parse errors, or more errors, in `path` than before.
fn got_worse(
    before: &[Diagnostic],
    after: &[Diagnostic],
    workspace: &Workspace,
    path: &Path,
) -> bool {
    let Some(id) = workspace.file_id(path) else {
        return false;
    };
    let count = |ds: &[Diagnostic], parse_only: bool| {
        ds.iter()
            .filter(|d| d.span.file == id)
            .filter(|d| d.severity == Severity::Error)
            .filter(|d| !parse_only || d.fatal)
            .count()
    };
    // A file that no longer parses loses its other findings: never trade them for that.
    let broken = |ds: &[Diagnostic]| {
        ds.iter()
            .filter(|d| d.span.file == id)
            .filter(|d| {
                matches!(
                    d.rule,
                    Rule::InvalidYaml | Rule::UnbalancedQuotes | Rule::SystemdUnitSyntax
                )
            })
            .count()
    };
    // File ids are stable between the workspaces: both are built in path order.
    broken(after) > broken(before)
        || count(after, true) > count(before, true)
        || count(after, false) > count(before, false)
}

/// Unified diff of one file, for `--diff`. Secrets inserted by a fix are shown masked
/// by the caller, which passes the display text.
pub fn unified_diff(path: &Path, old: &str, new: &str) -> String {
    let display = path.display().to_string();
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("a/{}", display.trim_start_matches('/')),
            &format!("b/{}", display.trim_start_matches('/')),
        )
        .to_string()
}

/// Write through symlinks, to a temporary file in the same directory renamed over the
/// original, keeping its permissions (and owner, when we may).
pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let target = std::fs::canonicalize(path)?;
    let dir = target.parent().unwrap_or(Path::new("."));
    let meta = std::fs::metadata(&target)?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.redis-halint-{}", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::set_permissions(&tmp, meta.permissions())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let _ = std::os::unix::fs::chown(&tmp, Some(meta.uid()), Some(meta.gid()));
        }
        std::fs::rename(&tmp, &target)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
