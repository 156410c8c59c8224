//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line per
//! finding, which GitHub shows as an annotation on the exact range of the pull request.

use super::common::{annotation_span, position, related_lines, slash_path};
use super::MaskedSources;
use crate::diagnostic::{Diagnostic, Severity};
use std::fmt::Write;

/// Escaping of a command's message (`%`, CR, LF).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping of a property value: the message escapes plus `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(sources: &MaskedSources, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let span = annotation_span(sources, d);
        let at = position(sources, span);
        let title = format!("{} {}", d.rule.code(), d.rule.name());
        let fatal = if d.fatal { "fatal: " } else { "" };
        let mut message = format!("{fatal}{}", d.message);
        message.push_str(&related_lines(sources, d));
        if let Some(help) = &d.help {
            let _ = write!(message, "\nhelp: {help}");
        }
        let _ = writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&slash_path(sources, span)),
            at.line,
            at.column,
            at.end_line,
            at.end_column,
            escape_property(&title),
            escape_data(&message)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_data("50% a\nb"), "50%25 a%0Ab");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
