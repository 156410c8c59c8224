//! JUnit XML: one test suite per file, one failing test case per finding; a clean run is
//! one passing test case, so CI dashboards show that the check ran.

use super::common::{annotation_span, position, xml_escape};
use super::MaskedSources;
use crate::diagnostic::Diagnostic;
use crate::source::FileId;
use std::fmt::Write;

pub fn render(sources: &MaskedSources, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"redis-halint\" tests=\"{}\" failures=\"{}\" errors=\"0\">",
        diagnostics.len().max(1),
        diagnostics.len()
    );
    if diagnostics.is_empty() {
        out.push_str(
            "  <testsuite name=\"redis-halint\" tests=\"1\" failures=\"0\" errors=\"0\">\n",
        );
        out.push_str("    <testcase name=\"no findings\" classname=\"redis-halint\"/>\n");
        out.push_str("  </testsuite>\n");
    }
    let mut files: Vec<FileId> = diagnostics
        .iter()
        .map(|d| annotation_span(sources, d).file)
        .collect();
    files.dedup();
    for file in files {
        let in_file: Vec<&Diagnostic> = diagnostics
            .iter()
            .filter(|d| annotation_span(sources, d).file == file)
            .collect();
        let path = xml_escape(&sources.display_path(file));
        let _ = writeln!(
            out,
            "  <testsuite name=\"{path}\" tests=\"{n}\" failures=\"{n}\" errors=\"0\">",
            n = in_file.len()
        );
        for d in in_file {
            let at = position(sources, annotation_span(sources, d));
            let _ = writeln!(
                out,
                "    <testcase name=\"{code} {rule} at {line}:{col}\" classname=\"{path}\" file=\"{path}\" line=\"{line}\">",
                code = d.rule.code(),
                rule = d.rule.name(),
                line = at.line,
                col = at.column,
            );
            let fatal = if d.fatal { "fatal: " } else { "" };
            let _ = writeln!(
                out,
                "      <failure type=\"{sev}\" message=\"{msg}\">{path}:{line}:{col}: {code} [{rule}] {sev}: {fatal}{msg}</failure>",
                sev = d.severity.as_str(),
                msg = xml_escape(&d.message),
                code = d.rule.code(),
                rule = d.rule.name(),
                line = at.line,
                col = at.column,
            );
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
