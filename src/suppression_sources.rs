//! Where each format keeps its comments, for inline suppressions: `#` lines of configs
//! (no end-of-line comments: Redis would read them as arguments), `#` and end-of-line
//! `#` comments of YAML and shell, `#`/`;` lines of systemd units, and the Kubernetes
//! annotation `redis-halint.io/ignore: "rule-a, rule-b -- reason"` on a resource.

use crate::diagnostic::Diagnostic;
use crate::rules::Rule;
use crate::source::{FileId, Span};
use crate::suppression::{Comment, Entry, Scope, Suppression};
use crate::syntax::yaml::{self, Node};
use std::path::Path;

pub const ANNOTATION: &str = "redis-halint.io/ignore";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Syntax {
    /// Whole-line `#` comments only.
    Conf,
    /// Whole-line `#` or `;` comments only.
    Unit,
    /// `#` comments, also at the end of a line after whitespace.
    Hash,
}

fn syntax_of(path: &Path) -> Syntax {
    // A Jinja template is written in the syntax of the file it renders.
    if let Some(rendered) = crate::syntax::jinja::rendered_path(path) {
        return syntax_of(&rendered);
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "yaml" | "yml" | "sh" | "bash" => Syntax::Hash,
        "service" | "socket" | "timer" | "target" => Syntax::Unit,
        "conf"
            if path
                .parent()
                .and_then(|p| p.file_name())
                .is_some_and(|d| d.to_string_lossy().ends_with(".d")) =>
        {
            Syntax::Unit
        }
        _ if name.contains('.') => Syntax::Conf,
        _ => Syntax::Hash, // extension-less scripts
    }
}

/// The comments of a file, each with the line its line-level suppression applies to.
pub fn comments(path: &Path, text: &str) -> Vec<Comment> {
    let syntax = syntax_of(path);
    if syntax == Syntax::Conf {
        return crate::syntax::redis_conf::comments(text);
    }
    let mut out = Vec::new();
    let mut pending: Vec<usize> = Vec::new();
    let mut offset = 0;
    for (line_no, raw) in text.split('\n').enumerate() {
        let start = offset;
        offset += raw.len() + 1;
        let trimmed = raw.trim_start_matches([' ', '\t']).trim_end_matches('\r');
        if trimmed.is_empty() {
            continue;
        }
        let lead = raw.len() - raw.trim_start_matches([' ', '\t']).len();
        let whole_line =
            trimmed.starts_with('#') || (syntax == Syntax::Unit && trimmed.starts_with(';'));
        if whole_line {
            let end = start + raw.trim_end_matches('\r').len();
            out.push(Comment {
                range: start + lead..end,
                marker_len: 1,
                target_line: None,
            });
            pending.push(out.len() - 1);
            continue;
        }
        for i in pending.drain(..) {
            out[i].target_line = Some(line_no as u32);
        }
        if syntax == Syntax::Hash {
            // Not at the start: whole-line comments are taken above.
            if let Some(at) = crate::syntax::hash_comment_start(raw) {
                let end = start + raw.trim_end_matches('\r').len();
                out.push(Comment {
                    range: start + at..end,
                    marker_len: 1,
                    target_line: Some(line_no as u32),
                });
            }
        }
    }
    out
}

/// Suppressions written as a Kubernetes annotation: they cover the whole resource.
pub fn annotations(
    file: FileId,
    text: &str,
    line_of: impl Fn(usize) -> u32,
) -> (Vec<Suppression>, Vec<Diagnostic>) {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    if !text.contains(ANNOTATION) {
        return (found, problems);
    }
    let parsed = yaml::parse(text);
    for doc in &parsed.documents {
        for object in crate::formats::kubernetes::objects(doc) {
            let Some(value) = object
                .at("metadata.annotations")
                .and_then(|a| a.get(ANNOTATION))
            else {
                continue;
            };
            let Some(raw) = value.as_str() else { continue };
            let span = Span::new(file, value.span.start, value.span.end);
            let (rules, reason) = match raw.split_once("--") {
                Some((rules, reason)) if !reason.trim().is_empty() => {
                    (rules, Some(reason.trim().to_string()))
                }
                Some((rules, _)) => (rules, None),
                None => (raw, None),
            };
            let mut entries = Vec::new();
            for name in rules.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                match crate::rules::designate(name) {
                    Some(d) => entries.push(Entry { rules: d.rules, name: d.name, span }),
                    None => problems.push(
                        Diagnostic::new(Rule::UnknownRuleInSuppression, span, format!("`{name}` is not a rule name or code: this part of the annotation does nothing"))
                            .help("`redis-halint rules` lists every rule name and code"),
                    ),
                }
            }
            if reason.is_none() {
                problems.push(
                    Diagnostic::new(
                        Rule::SuppressionWithoutReason,
                        span,
                        "suppression annotation without a reason",
                    )
                    .help(format!(
                        "write `{ANNOTATION}: \"rule-name -- why it does not apply\"`"
                    )),
                );
            }
            let lines = resource_lines(object, &line_of);
            found.push(Suppression {
                scope: Scope::Lines(lines.0, lines.1),
                span,
                entries,
                reason,
            });
        }
    }
    (found, problems)
}

fn resource_lines(object: &Node, line_of: &impl Fn(usize) -> u32) -> (u32, u32) {
    (
        line_of(object.span.start),
        line_of(object.span.end.saturating_sub(1).max(object.span.start)),
    )
}
