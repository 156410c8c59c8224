//! One way to apply settings to findings: the rule selection, per-file ignores and
//! severity overrides of the `redis-halint.toml` nearest to each finding's file, with the
//! command line's overrides on top. `check`, `verify` and the language server all call
//! [`apply_settings`], so a tree gives the same findings in each of them.

use crate::diagnostic::Diagnostic;
use crate::settings::{Overrides, Resolved, Resolver, RuleFilter};
use crate::source::FileId;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// Keep the findings the settings of their file select, with the severity they give.
/// `path_of` names each file as the resolver should look it up (relative paths are
/// taken against the resolver's directory); a file it cannot name gets the settings of
/// no config file. An invalid selector in a config or on the command line is an error.
pub fn apply_settings(
    diagnostics: Vec<Diagnostic>,
    path_of: &dyn Fn(FileId) -> Option<PathBuf>,
    resolver: &mut Resolver,
    overrides: &Overrides,
) -> Result<Vec<Diagnostic>, String> {
    apply(diagnostics, path_of, resolver, overrides, true)
}

/// As [`apply_settings`], for the language server: a config whose selection is invalid
/// (reported in that file as invalid-config) selects every rule instead of failing.
pub fn apply_settings_leniently(
    diagnostics: Vec<Diagnostic>,
    path_of: &dyn Fn(FileId) -> Option<PathBuf>,
    resolver: &mut Resolver,
) -> Vec<Diagnostic> {
    apply(diagnostics, path_of, resolver, &Overrides::default(), false)
        .expect("lenient application never fails")
}

fn apply(
    diagnostics: Vec<Diagnostic>,
    path_of: &dyn Fn(FileId) -> Option<PathBuf>,
    resolver: &mut Resolver,
    overrides: &Overrides,
    strict: bool,
) -> Result<Vec<Diagnostic>, String> {
    let none = Arc::new(Resolved::default());
    // One filter per config in use, and one lookup per file.
    let mut filters: HashMap<*const Resolved, (Arc<Resolved>, RuleFilter)> = HashMap::new();
    let mut by_file: HashMap<FileId, (*const Resolved, PathBuf)> = HashMap::new();
    let mut out = Vec::with_capacity(diagnostics.len());
    for mut d in diagnostics {
        let file = d.span.file;
        let (key, abs) = match by_file.get(&file) {
            Some(hit) => hit.clone(),
            None => {
                let path = path_of(file);
                let resolved = path
                    .as_deref()
                    .and_then(|p| resolver.for_file(p))
                    .unwrap_or_else(|| none.clone());
                let key = Arc::as_ptr(&resolved);
                if let std::collections::hash_map::Entry::Vacant(slot) = filters.entry(key) {
                    let filter = match RuleFilter::new(&resolved, overrides) {
                        Ok(f) => f,
                        Err(e) if strict => return Err(e),
                        Err(_) => RuleFilter::new(&Resolved::default(), &Overrides::default())?,
                    };
                    slot.insert((resolved, filter));
                }
                let abs = path.map(|p| resolver.absolute(&p)).unwrap_or_default();
                by_file.insert(file, (key, abs.clone()));
                (key, abs)
            }
        };
        let filter = &filters[&key].1;
        if !filter.enabled(d.rule, &abs) {
            continue;
        }
        if let Some(severity) = filter.severity(d.rule) {
            d.severity = severity;
        }
        out.push(d);
    }
    Ok(out)
}
