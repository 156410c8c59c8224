//! Checkstyle XML, read by Jenkins' warnings plugin, reviewdog and many IDEs.

use super::common::{annotation_span, position, xml_escape};
use super::MaskedSources;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::FileId;
use std::fmt::Write;

pub fn render(sources: &MaskedSources, diagnostics: &[Diagnostic]) -> String {
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n");
    let mut files: Vec<FileId> = diagnostics
        .iter()
        .map(|d| annotation_span(sources, d).file)
        .collect();
    files.dedup();
    for file in files {
        let _ = writeln!(
            out,
            "  <file name=\"{}\">",
            xml_escape(&sources.display_path(file))
        );
        for d in diagnostics
            .iter()
            .filter(|d| annotation_span(sources, d).file == file)
        {
            let at = position(sources, annotation_span(sources, d));
            let severity = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "info",
            };
            let fatal = if d.fatal { "fatal: " } else { "" };
            let _ = writeln!(
                out,
                "    <error line=\"{}\" column=\"{}\" severity=\"{severity}\" message=\"{}\" source=\"redis-halint.{}.{}\"/>",
                at.line,
                at.column,
                xml_escape(&format!("{fatal}{}", d.message)),
                d.rule.code(),
                d.rule.name(),
            );
        }
        out.push_str("  </file>\n");
    }
    out.push_str("</checkstyle>\n");
    out
}
