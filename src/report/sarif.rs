//! SARIF 2.1.0: every rule in `tool.driver.rules` (with its help page), one result per
//! finding with its exact region, related locations for the other files involved, and a
//! `partialFingerprints` entry that survives line moves.

use super::common::{fingerprints, position, slash_path, Position};
use super::MaskedSources;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::RULES;
use crate::source::Span;
use serde_json::{json, Value};

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const HELP_BASE: &str = "https://github.com/redis-halint/redis-halint/blob/main/rules/";
pub const FINGERPRINT_KEY: &str = "redisHalint/v1";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A path as a URI reference: relative paths stay relative (code scanning resolves them
/// against the repository root), absolute ones become `file://` URIs; anything outside
/// the unreserved set and `/` is percent-encoded. A name that already is an absolute URI
/// (`redis-sentinel://10.0.0.1:26379`, what `verify` reports live answers under) keeps
/// its scheme and authority.
pub fn uri(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    if let Some((scheme, after)) = path.split_once("://") {
        let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if is_scheme {
            let (authority, tail) = after.split_at(after.find('/').unwrap_or(after.len()));
            let authority_ok = authority
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
            if authority_ok {
                out.push_str(scheme);
                out.push_str("://");
                out.push_str(authority);
                rest = tail;
            }
        }
    }
    if out.is_empty() && path.starts_with('/') {
        out.push_str("file://");
    }
    for b in rest.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn region(sources: &MaskedSources, span: Span) -> Value {
    let Position {
        line,
        column,
        end_line,
        end_column,
    } = position(sources, span);
    let text = sources.masked_text(span.file);
    let snippet = &text[span.range()];
    let mut region = json!({
        "startLine": line,
        "startColumn": column,
        "endLine": end_line,
        "endColumn": end_column,
    });
    if !snippet.is_empty() {
        region["snippet"] = json!({ "text": snippet });
    }
    region
}

fn location(sources: &MaskedSources, span: Span) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri(&slash_path(sources, span)) },
            "region": region(sources, span),
        }
    })
}

pub fn render(sources: &MaskedSources, diagnostics: &[Diagnostic]) -> String {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": { "text": r.summary },
                "helpUri": format!("{HELP_BASE}{}.md", r.name),
                "help": { "text": format!("{} — see {HELP_BASE}{}.md", r.summary, r.name) },
                "defaultConfiguration": { "level": level(r.severity) },
                "properties": {
                    "category": r.category.as_str(),
                    "fixable": r.fixable,
                    "tags": [r.category.as_str()],
                },
            })
        })
        .collect();
    let fps = fingerprints(sources, diagnostics);
    let results: Vec<Value> = diagnostics
        .iter()
        .zip(&fps)
        .map(|(d, fp)| {
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text.push_str("\nhelp: ");
                text.push_str(help);
            }
            let mut result = json!({
                "ruleId": d.rule.code(),
                "ruleIndex": d.rule as usize,
                "level": level(d.severity),
                "message": { "text": text },
                "locations": [location(sources, d.span)],
                "partialFingerprints": { FINGERPRINT_KEY: fp },
                "properties": { "rule": d.rule.name(), "fatal": d.fatal },
            });
            if !d.related.is_empty() {
                result["relatedLocations"] = d
                    .related
                    .iter()
                    .enumerate()
                    .map(|(i, label)| {
                        let mut loc = location(sources, label.span);
                        loc["id"] = json!(i + 1);
                        loc["message"] = json!({ "text": label.message });
                        loc
                    })
                    .collect();
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "redis-halint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/redis-halint/redis-halint",
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut text = serde_json::to_string_pretty(&log).expect("serializable");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::uri;

    #[test]
    fn uris() {
        assert_eq!(uri("deploy/sentinel.conf"), "deploy/sentinel.conf");
        assert_eq!(uri("my dir/a.conf"), "my%20dir/a.conf");
        assert_eq!(uri("/etc/redis/redis.conf"), "file:///etc/redis/redis.conf");
        assert_eq!(
            uri("redis-sentinel://127.0.0.1:26379"),
            "redis-sentinel://127.0.0.1:26379"
        );
        assert_eq!(uri("redis://[::1]:6379"), "redis://[::1]:6379");
        assert_eq!(uri("a b://x"), "a%20b%3A//x");
    }
}
