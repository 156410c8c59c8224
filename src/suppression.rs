//! Inline suppressions, independent of the file format.
//!
//! A front end hands over the comments of a file ([`Comment`]: where the comment text
//! is, and which line it applies to); this module reads the directives in them:
//!
//! ```text
//! # redis-halint: ignore[rule-a, Q002] -- reason       (the next code line, or its own line)
//! # redis-halint: ignore-file[rule-a] -- reason        (the whole file)
//! ```
//!
//! Rules are named by name or code. A directive without a reason, with an unknown rule,
//! a malformed one, and one that suppresses nothing are findings themselves.
//!
//! redis.conf and sentinel.conf have no end-of-line comments (Redis would read the
//! comment as arguments), so their front end only produces line-before comments. YAML,
//! shell and systemd front ends can mark a comment as `trailing` to suppress its own line.

use crate::diagnostic::Diagnostic;
use crate::rules::Rule;
use crate::source::{FileId, Span};
use std::collections::HashSet;
use std::ops::Range;

pub use crate::syntax::Comment;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Findings that start on this 0-based line.
    Line(u32),
    /// Findings that start on these 0-based lines (a Kubernetes resource).
    Lines(u32, u32),
    File,
}

#[derive(Debug, Clone)]
pub struct Entry {
    /// The rule named, or the successors of a retired one.
    pub rules: &'static [Rule],
    /// The name as written resolves to this (for messages).
    pub name: &'static str,
    /// Where the rule is named in the comment.
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Suppression {
    pub scope: Scope,
    /// The whole comment.
    pub span: Span,
    pub entries: Vec<Entry>,
    pub reason: Option<String>,
}

pub const PREFIX: &str = "redis-halint:";

/// Read the suppressions in a file's comments. Malformed ones, unknown rule names and
/// missing reasons come back as diagnostics.
pub fn scan(file: FileId, text: &str, comments: &[Comment]) -> (Vec<Suppression>, Vec<Diagnostic>) {
    let mut found = Vec::new();
    let mut diagnostics = Vec::new();
    for comment in comments {
        let body_start = comment.range.start + comment.marker_len;
        let body = &text[body_start..comment.range.end];
        let lead = body.len() - body.trim_start().len();
        let body_start = body_start + lead;
        let body = body.trim_start();
        if !body.starts_with(PREFIX) {
            continue;
        }
        let span = Span::new(file, comment.range.start, comment.range.end);
        match parse_directive(body, body_start) {
            Err(message) => diagnostics.push(
                Diagnostic::new(Rule::MalformedSuppression, span, message).help(
                    "write `# redis-halint: ignore[rule-name] -- reason` or `# redis-halint: ignore-file[rule-name] -- reason`",
                ),
            ),
            Ok(directive) => {
                let mut entries = Vec::new();
                for (name, range) in directive.rules {
                    let rule_span = Span::new(file, range.start, range.end);
                    match crate::rules::designate(&name) {
                        Some(d) => entries.push(Entry { rules: d.rules, name: d.name, span: rule_span }),
                        None => diagnostics.push(
                            Diagnostic::new(
                                Rule::UnknownRuleInSuppression,
                                rule_span,
                                format!("`{name}` is not a rule name or code: this part of the suppression does nothing"),
                            )
                            .help("`redis-halint rules` lists every rule name and code"),
                        ),
                    }
                }
                if directive.reason.is_none() {
                    diagnostics.push(
                        Diagnostic::new(
                            Rule::SuppressionWithoutReason,
                            span,
                            "suppression without a reason",
                        )
                        .help("add `-- why this finding does not apply here` after the rule list"),
                    );
                }
                let scope = if directive.file_level {
                    Scope::File
                } else {
                    match comment.target_line {
                        Some(line) => Scope::Line(line),
                        None => {
                            // Nothing follows: every entry will be reported as unused.
                            Scope::Line(u32::MAX)
                        }
                    }
                };
                found.push(Suppression {
                    scope,
                    span,
                    entries,
                    reason: directive.reason,
                });
            }
        }
    }
    (found, diagnostics)
}

struct Directive {
    file_level: bool,
    rules: Vec<(String, Range<usize>)>,
    reason: Option<String>,
}

/// `body` starts with [`PREFIX`] at byte `base` of the file.
fn parse_directive(body: &str, base: usize) -> Result<Directive, String> {
    let after_prefix = &body[PREFIX.len()..];
    let rest = after_prefix.trim_start();
    let mut at = base + PREFIX.len() + (after_prefix.len() - rest.len());
    let (file_level, keyword) = if rest.starts_with("ignore-file") {
        (true, "ignore-file")
    } else if rest.starts_with("ignore") {
        (false, "ignore")
    } else {
        let word: String = rest.chars().take_while(|c| !c.is_whitespace()).collect();
        return Err(format!(
            "unknown suppression `{word}`: expected `ignore[…]` or `ignore-file[…]`"
        ));
    };
    let rest = &rest[keyword.len()..];
    at += keyword.len();
    let Some(inner_and_more) = rest.strip_prefix('[') else {
        return Err(format!(
            "`{keyword}` must be followed by a rule list in brackets, e.g. `{keyword}[sentinel-count-even]`"
        ));
    };
    at += 1;
    let Some(close) = inner_and_more.find(']') else {
        return Err("the rule list is not closed with `]`".to_string());
    };
    let inner = &inner_and_more[..close];
    let mut rules = Vec::new();
    let mut offset = 0;
    for part in inner.split(',') {
        let lead = part.len() - part.trim_start().len();
        let name = part.trim();
        if !name.is_empty() {
            let start = at + offset + lead;
            rules.push((name.to_string(), start..start + name.len()));
        }
        offset += part.len() + 1;
    }
    if rules.is_empty() {
        return Err("the rule list is empty: name the rules to suppress".to_string());
    }
    let tail = inner_and_more[close + 1..].trim();
    let reason = if tail.is_empty() {
        None
    } else if let Some(reason) = tail.strip_prefix("--") {
        let reason = reason.trim();
        (!reason.is_empty()).then(|| reason.to_string())
    } else {
        return Err(format!(
            "unexpected `{tail}` after the rule list: a reason is written as `-- reason`"
        ));
    };
    Ok(Directive {
        file_level,
        rules,
        reason,
    })
}

/// Drop the diagnostics the suppressions cover and report the entries that covered
/// nothing. `line_of` gives the 0-based line a span starts on.
pub fn apply(
    diagnostics: Vec<Diagnostic>,
    suppressions: &[(FileId, Vec<Suppression>)],
    line_of: impl Fn(Span) -> u32,
) -> Vec<Diagnostic> {
    let mut used: HashSet<(usize, usize, usize)> = HashSet::new();
    let covers = |d: &Diagnostic, used: &mut HashSet<(usize, usize, usize)>, meta: bool| {
        let mut hit = false;
        for (fi, (file, list)) in suppressions.iter().enumerate() {
            if *file != d.span.file {
                continue;
            }
            for (si, s) in list.iter().enumerate() {
                let applies = match s.scope {
                    Scope::File => true,
                    // A directive never silences the findings about its own comment.
                    Scope::Line(line) => !meta && line == line_of(d.span),
                    Scope::Lines(first, last) => !meta && (first..=last).contains(&line_of(d.span)),
                };
                if !applies {
                    continue;
                }
                for (ei, e) in s.entries.iter().enumerate() {
                    if e.rules.contains(&d.rule) {
                        used.insert((fi, si, ei));
                        hit = true;
                    }
                }
            }
        }
        hit
    };
    let (mut meta, plain): (Vec<Diagnostic>, Vec<Diagnostic>) =
        diagnostics.into_iter().partition(|d| is_meta(d.rule));
    let mut kept: Vec<Diagnostic> = plain
        .into_iter()
        .filter(|d| !covers(d, &mut used, false))
        .collect();
    let mut unused = Vec::new();
    for (fi, (_, list)) in suppressions.iter().enumerate() {
        for (si, s) in list.iter().enumerate() {
            for (ei, e) in s.entries.iter().enumerate() {
                if !used.contains(&(fi, si, ei)) && !e.rules.iter().any(|r| is_meta(*r)) {
                    let what = match s.scope {
                        Scope::File => "in this file",
                        Scope::Line(u32::MAX) => "(no line follows the comment)",
                        Scope::Line(_) => "on the next line",
                        Scope::Lines(..) => "in this resource",
                    };
                    unused.push(
                        Diagnostic::new(
                            Rule::UnusedSuppression,
                            e.span,
                            format!("unused suppression: `{}` reports nothing {what}", e.name),
                        )
                        .help("remove it, so that a future finding of this rule is not hidden"),
                    );
                }
            }
        }
    }
    // Findings about suppressions can be silenced file-wide, e.g.
    // `ignore-file[unused-suppression]` in a template shared by several deployments.
    meta.extend(unused);
    kept.extend(meta.into_iter().filter(|d| !covers(d, &mut used, true)));
    kept
}

/// The rules about suppressions themselves.
pub fn is_meta(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::SuppressionWithoutReason
            | Rule::UnusedSuppression
            | Rule::UnknownRuleInSuppression
            | Rule::MalformedSuppression
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_one(line: &str) -> (Vec<Suppression>, Vec<Diagnostic>) {
        let text = format!("{line}\nport 6379\n");
        let comment = Comment {
            range: 0..line.len(),
            marker_len: 1,
            target_line: Some(1),
        };
        scan(FileId(0), &text, &[comment])
    }

    #[test]
    fn parses_rules_and_reason() {
        let line = "# redis-halint: ignore[sentinel-count-even, Q001] -- two sites";
        let (s, d) = scan_one(line);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(s[0].scope, Scope::Line(1));
        assert_eq!(s[0].entries.len(), 2);
        assert_eq!(s[0].entries[1].rules, &[Rule::SentinelCountBelowThree]);
        assert_eq!(&line[s[0].entries[0].span.range()], "sentinel-count-even");
        assert_eq!(&line[s[0].entries[1].span.range()], "Q001");
        assert_eq!(s[0].reason.as_deref(), Some("two sites"));
    }

    #[test]
    fn file_level_and_problems() {
        let (s, d) = scan_one("#redis-halint: ignore-file[writable-replicas]");
        assert_eq!(s[0].scope, Scope::File);
        assert_eq!(d[0].rule, Rule::SuppressionWithoutReason);
        let (_, d) = scan_one("# redis-halint: ignore[no-such-rule] -- x");
        assert_eq!(d[0].rule, Rule::UnknownRuleInSuppression);
        for bad in [
            "# redis-halint: ignore sentinel-count-even",
            "# redis-halint: ignore[]",
            "# redis-halint: ignore[q001",
            "# redis-halint: disable[q001]",
            "# redis-halint: ignore[q001] because",
        ] {
            let (s, d) = scan_one(bad);
            assert!(s.is_empty(), "{bad}");
            assert_eq!(d[0].rule, Rule::MalformedSuppression, "{bad}");
        }
        // Not a directive at all.
        let (s, d) = scan_one("# redis-halint checks this file");
        assert!(s.is_empty() && d.is_empty());
    }
}
