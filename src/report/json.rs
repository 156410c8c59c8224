//! The JSON contract: an array of findings with 1-based positions.

use super::MaskedSources;
use crate::diagnostic::{Applicability, Diagnostic};
use crate::source::Span;
use serde::Serialize;

#[derive(Serialize)]
pub(super) struct JsonDiagnostic {
    code: &'static str,
    rule: &'static str,
    severity: &'static str,
    message: String,
    file: String,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    fatal: bool,
    related: Vec<JsonRelated>,
    fix: Option<JsonFix>,
}

#[derive(Serialize)]
struct JsonRelated {
    file: String,
    line: u32,
    column: u32,
    message: String,
}

#[derive(Serialize)]
struct JsonFix {
    applicability: Applicability,
    message: String,
    edits: Vec<JsonEdit>,
}

#[derive(Serialize)]
struct JsonEdit {
    file: String,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    content: String,
}

fn position(sources: &MaskedSources, span: Span) -> (String, u32, u32, u32, u32) {
    let view = sources.view(span.file);
    let start = view.line_col(span.start);
    let end = view.line_col(span.end);
    (
        sources.source(span.file).path.display().to_string(),
        start.line,
        start.column,
        end.line,
        end.column,
    )
}

/// The findings as JSON objects, shared with `json-lines`.
pub(super) fn items(sources: &MaskedSources, diagnostics: &[Diagnostic]) -> Vec<JsonDiagnostic> {
    diagnostics
        .iter()
        .map(|d| {
            let (file, line, column, end_line, end_column) = position(sources, d.span);
            JsonDiagnostic {
                code: d.rule.code(),
                rule: d.rule.name(),
                severity: d.severity.as_str(),
                message: d.message.clone(),
                file,
                line,
                column,
                end_line,
                end_column,
                fatal: d.fatal,
                related: d
                    .related
                    .iter()
                    .map(|l| {
                        let (file, line, column, _, _) = position(sources, l.span);
                        JsonRelated {
                            file,
                            line,
                            column,
                            message: l.message.clone(),
                        }
                    })
                    .collect(),
                fix: d.fix.as_ref().map(|f| JsonFix {
                    applicability: f.applicability,
                    message: f.message.clone(),
                    edits: f
                        .edits
                        .iter()
                        .map(|e| {
                            let (file, line, column, end_line, end_column) =
                                position(sources, e.span);
                            JsonEdit {
                                file,
                                line,
                                column,
                                end_line,
                                end_column,
                                content: e.shown().to_string(),
                            }
                        })
                        .collect(),
                }),
            }
        })
        .collect()
}

pub fn render(sources: &MaskedSources, diagnostics: &[Diagnostic]) -> String {
    let items = items(sources, diagnostics);
    let mut text = serde_json::to_string_pretty(&items).expect("serializable");
    text.push('\n');
    text
}
