//! GitLab Code Quality report: a JSON array of issues with a fingerprint, a severity
//! (`info`, `minor`, `major`, `critical`) and a location by lines.

use super::common::{annotation_span, fingerprints, position, slash_path};
use super::MaskedSources;
use crate::diagnostic::{Diagnostic, Severity};
use serde_json::{json, Value};

fn severity(d: &Diagnostic) -> &'static str {
    match d.severity {
        Severity::Error if d.fatal => "critical",
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

pub fn render(sources: &MaskedSources, diagnostics: &[Diagnostic]) -> String {
    let fps = fingerprints(sources, diagnostics);
    let issues: Vec<Value> = diagnostics
        .iter()
        .zip(&fps)
        .map(|(d, fp)| {
            let at = position(sources, annotation_span(sources, d));
            json!({
                "type": "issue",
                "check_name": d.rule.name(),
                "description": format!("{} {}: {}", d.rule.code(), d.rule.name(), d.message),
                "categories": ["Bug Risk"],
                "severity": severity(d),
                "fingerprint": fp,
                "location": {
                    "path": slash_path(sources, annotation_span(sources, d)),
                    "positions": {
                        "begin": { "line": at.line, "column": at.column },
                        "end": { "line": at.end_line, "column": at.end_column },
                    },
                },
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&issues).expect("serializable");
    text.push('\n');
    text
}
