//! Engine types to LSP types: byte spans to UTF-16 ranges, diagnostics, fixes, URIs.

use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::source::{LineIndex, SourceFile, Span};
use crate::Workspace;
use lsp_types as lsp;
use lsp_types::Url;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub const SOURCE: &str = "redis-halint";

/// Where each rule's documentation page lives.
pub const RULE_PAGE_BASE: &str = "https://github.com/redis-halint/redis-halint/blob/main/rules/";

pub fn rule_page(name: &str) -> Option<Url> {
    Url::parse(&format!("{RULE_PAGE_BASE}{name}.md")).ok()
}

/// 0-based line and UTF-16 column of a byte offset.
pub fn position(source: &SourceFile, offset: u32) -> lsp::Position {
    let lc = source.line_col(offset);
    lsp::Position::new(lc.line - 1, lc.utf16_column)
}

pub fn range(source: &SourceFile, span: Span) -> lsp::Range {
    lsp::Range::new(position(source, span.start), position(source, span.end))
}

/// Byte offset of an LSP position in `text`, clamped to the line and the text.
pub fn offset(text: &str, index: &LineIndex, position: lsp::Position) -> usize {
    index.offset_of_utf16(text, position.line, position.character) as usize
}

/// A file path for a URI: the real path for `file:` URIs, a stable pseudo-path otherwise
/// (an unsaved buffer is still checked, by its name).
pub fn path_of(uri: &Url) -> PathBuf {
    if uri.scheme() == "file" {
        if let Ok(path) = uri.to_file_path() {
            return path;
        }
    }
    let name = uri
        .path_segments()
        .and_then(|mut s| s.next_back().map(str::to_string))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| uri.as_str().replace(['/', ':'], "_"));
    PathBuf::from(format!("<{}>", uri.scheme())).join(name)
}

pub fn uri_of(path: &Path) -> Option<Url> {
    Url::from_file_path(path).ok()
}

pub fn severity(severity: Severity) -> lsp::DiagnosticSeverity {
    match severity {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
    }
}

/// Resolves file ids of the workspace to URIs and sources.
pub struct Files<'a> {
    pub workspace: &'a Workspace,
    pub uris: &'a HashMap<crate::source::FileId, Url>,
}

impl Files<'_> {
    pub fn location(&self, span: Span) -> Option<lsp::Location> {
        let uri = self.uris.get(&span.file)?.clone();
        let source = self.workspace.source(span.file)?;
        Some(lsp::Location::new(uri, range(source, span)))
    }
}

/// The LSP form of a diagnostic, at its own span.
pub fn diagnostic(files: &Files<'_>, d: &Diagnostic) -> Option<lsp::Diagnostic> {
    let source = files.workspace.source(d.span.file)?;
    Some(build(
        files,
        d,
        range(source, d.span),
        d.message.clone(),
        Vec::new(),
    ))
}

/// A copy of a diagnostic shown at one of its labels, in an open file, when the file the
/// diagnostic is reported in is not open: the cross-file finding is seen where one edits.
pub fn mirrored(files: &Files<'_>, d: &Diagnostic, label: usize) -> Option<lsp::Diagnostic> {
    let label = &d.related[label];
    let at = files.location(label.span)?;
    let primary = files.location(d.span)?;
    let path = files.workspace.source(d.span.file)?.path.display();
    let message = format!("{} ({}: {})", d.message, path, label.message);
    let mut lsp = build(
        files,
        d,
        at.range,
        message,
        vec![lsp::DiagnosticRelatedInformation {
            location: primary,
            message: "reported here".into(),
        }],
    );
    if let Some(serde_json::Value::Object(data)) = lsp.data.as_mut() {
        data.insert("mirrored".into(), serde_json::Value::Bool(true));
    }
    Some(lsp)
}

fn build(
    files: &Files<'_>,
    d: &Diagnostic,
    range: lsp::Range,
    mut message: String,
    mut related: Vec<lsp::DiagnosticRelatedInformation>,
) -> lsp::Diagnostic {
    let info = d.rule.info();
    if d.fatal {
        message.push_str(" [fatal: the process refuses to start]");
    }
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    related.extend(d.related.iter().filter_map(|label| {
        Some(lsp::DiagnosticRelatedInformation {
            location: files.location(label.span)?,
            message: label.message.clone(),
        })
    }));
    lsp::Diagnostic {
        range,
        severity: Some(severity(d.severity)),
        code: Some(lsp::NumberOrString::String(info.code.to_string())),
        code_description: rule_page(info.name).map(|href| lsp::CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: Some(serde_json::json!({ "rule": info.name, "fatal": d.fatal })),
    }
}

/// A fix as LSP text edits per document, ready to become a code action.
#[derive(Debug, Clone, PartialEq)]
pub struct FixEdit {
    pub title: String,
    pub safe: bool,
    pub changes: HashMap<Url, Vec<lsp::TextEdit>>,
}

/// `None` when the fix cannot be offered: display-only, no edits, an unknown file, or an
/// edit inside Sentinel's CONFIG REWRITE region (state Sentinel owns).
pub fn fix(files: &Files<'_>, rule: &str, fix: &Fix) -> Option<FixEdit> {
    if fix.applicability == Applicability::DisplayOnly || fix.edits.is_empty() {
        return None;
    }
    let mut changes: HashMap<Url, Vec<lsp::TextEdit>> = HashMap::new();
    for edit in &fix.edits {
        if let Some(start) = files.workspace.rewrite_region_start(edit.span.file) {
            if edit.span.end as usize >= start {
                return None;
            }
        }
        let location = files.location(edit.span)?;
        changes
            .entry(location.uri)
            .or_default()
            .push(lsp::TextEdit::new(location.range, edit.content.clone()));
    }
    let safe = fix.applicability == Applicability::Safe;
    let title = if safe {
        format!("{} ({rule})", fix.message)
    } else {
        format!("{} ({rule}, unsafe)", fix.message)
    };
    Some(FixEdit {
        title,
        safe,
        changes,
    })
}

/// Whether two ranges share a position (touching ends count: fixes that meet at one
/// point could still conflict, e.g. two insertions at the same place).
pub fn overlaps(a: &lsp::Range, b: &lsp::Range) -> bool {
    let key = |p: &lsp::Position| (p.line, p.character);
    key(&a.start) <= key(&b.end) && key(&b.start) <= key(&a.end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    #[test]
    fn utf16_ranges() {
        let source = SourceFile::new(FileId(0), "x.conf", "# 😀é\nport 1\n");
        // "😀" is 2 UTF-16 units, "é" one: the newline is at column 5.
        assert_eq!(position(&source, 8), lsp::Position::new(0, 5));
        assert_eq!(position(&source, 9), lsp::Position::new(1, 0));
        assert_eq!(
            offset(source.text(), source.line_index(), lsp::Position::new(0, 4)),
            6
        );
    }

    #[test]
    fn non_file_uris_get_a_path() {
        let uri = Url::parse("untitled:Untitled-1").unwrap();
        assert_eq!(
            path_of(&uri),
            PathBuf::from("<untitled>/untitled_Untitled-1")
        );
        let uri = Url::parse("file:///etc/redis/sentinel.conf").unwrap();
        assert_eq!(path_of(&uri), PathBuf::from("/etc/redis/sentinel.conf"));
    }
}
