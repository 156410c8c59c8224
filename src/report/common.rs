//! Helpers shared by the machine-readable formats: positions, paths, fingerprints, escaping.

use super::MaskedSources;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Span;
use std::collections::HashMap;

/// 1-based start and end of a span, columns in Unicode scalar values.
#[derive(Debug, Clone, Copy)]
pub struct Position {
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

pub fn position(sources: &MaskedSources, span: Span) -> Position {
    let view = sources.view(span.file);
    let start = view.line_col(span.start);
    let end = view.line_col(span.end);
    Position {
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
    }
}

/// The path as the user gave it, with `/` separators (what CI systems expect).
pub fn slash_path(sources: &MaskedSources, span: Span) -> String {
    let path = sources.display_path(span.file);
    if std::path::MAIN_SEPARATOR == '\\' {
        path.replace('\\', "/")
    } else {
        path
    }
}

/// Where a CI annotation goes: the finding's own span, unless that is in the answers of a
/// running server (`redis-sentinel://…`, shown by `verify`) and a related label is in a
/// file of the repository; annotations can only be placed on repository files.
pub fn annotation_span(sources: &MaskedSources, d: &Diagnostic) -> Span {
    let live = |span: Span| sources.display_path(span.file).contains("://");
    if !live(d.span) {
        return d.span;
    }
    d.related
        .iter()
        .map(|l| l.span)
        .find(|s| !live(*s))
        .unwrap_or(d.span)
}

/// The related labels as `message: path:line:column` lines, for formats that have one
/// message per finding.
pub fn related_lines(sources: &MaskedSources, d: &Diagnostic) -> String {
    let mut out = String::new();
    for label in &d.related {
        let at = position(sources, label.span);
        out.push_str(&format!(
            "\n{}: {}:{}:{}",
            label.message,
            slash_path(sources, label.span),
            at.line,
            at.column
        ));
    }
    out
}

/// 64-bit FNV-1a: stable across runs, platforms and Rust versions.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// The masked text of the line a span starts on, with runs of blanks collapsed.
pub fn normalized_line(sources: &MaskedSources, span: Span) -> String {
    let text = sources.masked_text(span.file);
    let view = sources.view(span.file);
    let line = view.line_index().line_of(span.start);
    let start = view.line_index().line_start(line) as usize;
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    text[start..end]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// One fingerprint per diagnostic (same order): rule + file + normalized line text +
/// the occurrence index among findings with that same key. It does not contain a line
/// number, so it survives lines moving, and it is computed over the masked text, so it
/// carries no secret.
pub fn fingerprints(sources: &MaskedSources, diagnostics: &[Diagnostic]) -> Vec<String> {
    let mut seen: HashMap<u64, u32> = HashMap::new();
    diagnostics
        .iter()
        .map(|d| {
            let key = format!(
                "{}\0{}\0{}",
                d.rule.name(),
                slash_path(sources, d.span),
                normalized_line(sources, d.span)
            );
            let base = fnv1a(key.as_bytes());
            let index = seen.entry(base).or_insert(0);
            let fp = fnv1a(format!("{key}\0{index}").as_bytes());
            *index += 1;
            format!("{fp:016x}")
        })
        .collect()
}

pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

pub fn count(diagnostics: &[Diagnostic], severity: Severity) -> usize {
    diagnostics
        .iter()
        .filter(|d| d.severity == severity)
        .count()
}
