//! Findings grouped under their file name, one indented line each.

use super::common::position;
use super::MaskedSources;
use crate::diagnostic::Diagnostic;
use std::fmt::Write;

pub fn render(sources: &MaskedSources, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    let mut current = None;
    for d in diagnostics {
        if current != Some(d.span.file) {
            if current.is_some() {
                out.push('\n');
            }
            current = Some(d.span.file);
            let _ = writeln!(out, "{}:", sources.display_path(d.span.file));
        }
        let at = position(sources, d.span);
        let fatal = if d.fatal { " (fatal)" } else { "" };
        let _ = writeln!(
            out,
            "  {}:{} {} [{}] {}{}: {}",
            at.line,
            at.column,
            d.rule.code(),
            d.rule.name(),
            d.severity.as_str(),
            fatal,
            d.message
        );
    }
    if !diagnostics.is_empty() {
        out.push('\n');
    }
    let files = {
        let mut f: Vec<_> = diagnostics.iter().map(|d| d.span.file).collect();
        f.sort();
        f.dedup();
        f.len()
    };
    if diagnostics.is_empty() {
        out.push_str("No findings.\n");
    } else {
        let _ = writeln!(
            out,
            "Found {} finding(s) in {} file(s).",
            diagnostics.len(),
            files
        );
    }
    out
}
