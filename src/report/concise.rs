//! `path:line:col: CODE [rule] message`, one line per finding.

use super::MaskedSources;
use crate::diagnostic::Diagnostic;
use std::fmt::Write;

pub fn render(sources: &MaskedSources, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let source = sources.source(d.span.file);
        let at = sources.line_col(d.span.file, d.span.start);
        let fatal = if d.fatal { " (fatal)" } else { "" };
        let _ = writeln!(
            out,
            "{}:{}:{}: {} [{}] {}{}: {}",
            source.path.display(),
            at.line,
            at.column,
            d.rule.code(),
            d.rule.name(),
            d.severity.as_str(),
            fatal,
            d.message
        );
    }
    out
}
