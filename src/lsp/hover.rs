//! Hover: the knowledge base's documentation of a directive or Sentinel keyword, and the
//! summary of the rules whose findings cover the position. Only knowledge-base text and
//! (already masked) diagnostic messages are shown, never text of the file: a password
//! under the cursor cannot leak.

use super::documents::Document;
use super::project::DocResult;
use crate::knowledge::{
    lookup_directive, lookup_sentinel_keyword, sentinel::Scope, Directive, DirectiveMatch,
    SentinelKeyword, Target, ValueKind,
};
use crate::rules::{Rule, RuleInfo};
use crate::syntax::redis_conf::split_args;
use lsp_types as lsp;
use std::ops::Range;

/// The arguments of the config line at `offset`, and which one the offset is in.
pub struct LineContext {
    /// Argument values and byte ranges in the document.
    pub words: Vec<(String, Range<usize>)>,
    /// Index of the argument containing the offset (ends included), if any.
    pub at: Option<usize>,
    /// Byte range of the line.
    pub line: Range<usize>,
    pub is_comment: bool,
}

pub fn line_context(text: &str, offset: usize) -> LineContext {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let raw = &text[start..end];
    let lead = raw.len() - raw.trim_start_matches([' ', '\t']).len();
    let trimmed = raw.trim_matches([' ', '\t', '\r']);
    let base = start + lead;
    let words: Vec<(String, Range<usize>)> = match split_args(trimmed, base) {
        Ok(tokens) => tokens
            .into_iter()
            .map(|t| (t.value.into(), t.range))
            .collect(),
        // Unbalanced quotes: fall back to blanks, good enough to name the directive.
        Err(_) => {
            let mut words = Vec::new();
            let mut pos = base;
            for part in trimmed.split([' ', '\t']) {
                if !part.is_empty() {
                    words.push((part.to_string(), pos..pos + part.len()));
                }
                pos += part.len() + 1;
            }
            words
        }
    };
    let at = words
        .iter()
        .position(|(_, r)| r.start <= offset && offset <= r.end);
    LineContext {
        words,
        at,
        line: start..end,
        is_comment: trimmed.starts_with('#'),
    }
}

pub fn hover(
    doc: &Document,
    results: Option<&DocResult>,
    position: lsp::Position,
    target: Target,
) -> Option<lsp::Hover> {
    let offset = doc.offset(position);
    let mut sections: Vec<String> = Vec::new();
    let mut range = None;
    let ctx = line_context(doc.text(), offset);
    if doc.is_conf() && !ctx.is_comment {
        if let Some(at) = ctx.at {
            let name = ctx.words[0].0.to_ascii_lowercase();
            let keyword = (name == "sentinel" && at == 1)
                .then(|| lookup_sentinel_keyword(&ctx.words[1].0))
                .flatten();
            if let Some(keyword) = keyword {
                sections.push(sentinel_doc(keyword, target));
                range = Some(ctx.words[1].1.clone());
            } else if at == 0 {
                if let Some(m) = lookup_directive(&name) {
                    sections.push(directive_doc(&m, target));
                    range = Some(ctx.words[0].1.clone());
                }
            }
        }
    }
    // A rule code or name written in the file (a comment, a future suppression).
    if let Some(word) = word_at(doc.text(), offset) {
        if let Some(rule) = Rule::find(word) {
            sections.push(rule_doc(rule.info()));
        }
    }
    // The rules of the findings under the cursor.
    if let Some(results) = results.filter(|r| r.version == Some(doc.version)) {
        let mut seen: Vec<&str> = Vec::new();
        for item in &results.items {
            let r = item.diagnostic.range;
            let key = |p: lsp::Position| (p.line, p.character);
            if key(r.start) <= key(position) && key(position) <= key(r.end) {
                let code = match &item.diagnostic.code {
                    Some(lsp::NumberOrString::String(code)) => code.as_str(),
                    _ => continue,
                };
                if seen.contains(&code) {
                    continue;
                }
                seen.push(code);
                if let Some(rule) = Rule::find(code) {
                    let doc = rule_doc(rule.info());
                    if !sections.contains(&doc) {
                        sections.push(doc);
                    }
                }
            }
        }
    }
    if sections.is_empty() {
        return None;
    }
    Some(lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: sections.join("\n\n---\n\n"),
        }),
        range: range.map(|r| {
            let pos = |o: usize| {
                let lc = doc.line_index().line_col(doc.text(), o as u32);
                lsp::Position::new(lc.line - 1, lc.utf16_column)
            };
            lsp::Range::new(pos(r.start), pos(r.end))
        }),
    })
}

/// The run of rule-name characters around `offset`.
fn word_at(text: &str, offset: usize) -> Option<&str> {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let start = text[..offset]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_word(c))
        .last()
        .map_or(offset, |(i, _)| i);
    let end = text[offset..]
        .char_indices()
        .find(|&(_, c)| !is_word(c))
        .map_or(text.len(), |(i, _)| offset + i);
    (start < end).then(|| &text[start..end])
}

pub fn rule_doc(info: &RuleInfo) -> String {
    let mut out = format!(
        "**{}** `{}` ({}, {})\n\n{}",
        info.code,
        info.name,
        info.category.as_str(),
        info.severity.as_str(),
        info.summary
    );
    if let Some(href) = super::convert::rule_page(info.name) {
        out.push_str(&format!("\n\n[Rule documentation]({href})"));
    }
    out
}

fn number(n: i128) -> String {
    match n {
        n if n == i64::MAX as i128 => "2^63-1".into(),
        n if n == u64::MAX as i128 => "2^64-1".into(),
        n if n == i32::MAX as i128 => "2^31-1".into(),
        n => n.to_string(),
    }
}

fn list(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What values a directive takes, in words.
pub fn describe_kind(kind: &ValueKind) -> String {
    match kind {
        ValueKind::Bool => "boolean: `yes` or `no`".into(),
        ValueKind::Str => "string (one argument)".into(),
        ValueKind::Int { min, max } => format!("integer from {} to {}", number(*min), number(*max)),
        ValueKind::Memory { min, max } => format!(
            "memory size from {} to {} bytes: digits with an optional unit k, kb, m, mb, g, gb (no decimals)",
            number(*min),
            number(*max)
        ),
        ValueKind::MemoryOrPercent => "memory size, or a percentage of `maxmemory` (`10%`)".into(),
        ValueKind::Octal => "octal permission bits, e.g. `700`".into(),
        ValueKind::Enum(values) => format!("one of {}", list(values)),
        ValueKind::FlagSet(values) => format!("one or more of {}", list(values)),
        ValueKind::Save => "`<seconds> <changes>` pairs, or `\"\"` to disable RDB snapshots".into(),
        ValueKind::ClientOutputBufferLimit => {
            "`<normal|replica|pubsub> <hard limit> <soft limit> <soft seconds>`".into()
        }
        ValueKind::OomScoreAdjValues => "three integers: master, replica, background child".into(),
        ValueKind::KeyspaceEvents => "keyspace notification flags (`KEA`, `Ex`, …)".into(),
        ValueKind::Bind => "one or more addresses (a `-` prefix makes one optional)".into(),
        ValueKind::ReplicaOf => "`<master-host> <master-port>`".into(),
        ValueKind::Percentiles => "percentiles, e.g. `50 99 99.9`".into(),
        ValueKind::Include => "path of another config file to read".into(),
        ValueKind::RenameCommand => "`<command> <new-name>` (`\"\"` disables the command)".into(),
        ValueKind::User => "an ACL user: `<username> [rules...]`".into(),
        ValueKind::LoadModule => "`<path> [arguments...]`".into(),
        ValueKind::Sentinel => "`sentinel <keyword> <arguments...>` (Sentinel only)".into(),
        ValueKind::Ignored => "accepted and ignored".into(),
    }
}

/// Short form for completion details.
pub fn kind_short(kind: &ValueKind) -> &'static str {
    match kind {
        ValueKind::Bool => "yes|no",
        ValueKind::Str => "string",
        ValueKind::Int { .. } => "integer",
        ValueKind::Memory { .. } => "memory",
        ValueKind::MemoryOrPercent => "memory or %",
        ValueKind::Octal => "octal",
        ValueKind::Enum(_) => "enum",
        ValueKind::FlagSet(_) => "flags",
        ValueKind::Sentinel => "sentinel option",
        _ => "arguments",
    }
}

fn since(version: Option<crate::knowledge::Version>, flavor: &str) -> String {
    match version {
        Some(v) => format!("{flavor} {v}+"),
        None => format!("not in {flavor}"),
    }
}

pub fn directive_doc(m: &DirectiveMatch, target: Target) -> String {
    let d: &Directive = m.directive;
    let mut out = format!("**{}** — redis.conf directive", m.spelling());
    if let Some(alias) = m.alias {
        out.push_str(&format!(" (alias of `{}`", d.name));
        if let Some(v) = alias.since {
            out.push_str(&format!(", this spelling since Redis {v}"));
        }
        out.push(')');
    }
    out.push_str(&format!("\n\n**Value:** {}", describe_kind(&d.kind)));
    if !d.default.is_empty() {
        out.push_str(&format!("  \n**Default:** `{}`", d.default));
    }
    let mut versions = since(d.redis_since, "Redis");
    if let Some(removed) = d.removed_in {
        versions.push_str(&format!(" (removed in {removed})"));
    }
    out.push_str(&format!(
        "  \n**Versions:** {versions} · {}",
        since(d.valkey_since, "Valkey")
    ));
    if !d.aliases.is_empty() && m.alias.is_none() {
        let names: Vec<&str> = d.aliases.iter().map(|a| a.name).collect();
        out.push_str(&format!("  \n**Also spelled:** {}", list(&names)));
    }
    if d.secret {
        out.push_str("  \n**Secret:** redis-halint compares it and never prints it.");
    }
    if !d.notes.is_empty() {
        out.push_str(&format!("\n\n{}", d.notes));
    }
    if let Some(why) = m.unavailable_on(target) {
        out.push_str(&format!("\n\n⚠ Not read by {target}: {why}."));
    }
    out
}

pub fn sentinel_doc(k: &SentinelKeyword, target: Target) -> String {
    let scope = match k.scope {
        Scope::Global => "global",
        Scope::PerMaster => "per master",
    };
    let mut out = format!(
        "**sentinel {}** `{}` — Sentinel option ({scope})\n\n{}",
        k.name, k.usage, k.doc
    );
    out.push_str(&format!(
        "\n\n**Versions:** {} · {}",
        since(k.redis_since, "Redis"),
        since(k.valkey_since, "Valkey")
    ));
    if k.secret_arg.is_some() {
        out.push_str("  \n**Secret:** redis-halint compares it and never prints it.");
    }
    if k.state {
        out.push_str("  \nWritten by Sentinel itself (state, not a setting).");
    }
    if let Some(why) = k.unavailable_on(target) {
        out.push_str(&format!("\n\n⚠ Not read by {target}: {why}."));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::Url;

    fn doc(text: &str) -> Document {
        Document::new(
            Url::parse("file:///x/sentinel.conf").unwrap(),
            "redis".into(),
            1,
            text.into(),
        )
    }

    fn hover_text(text: &str, line: u32, col: u32) -> Option<String> {
        let h = hover(
            &doc(text),
            None,
            lsp::Position::new(line, col),
            Target::default(),
        )?;
        match h.contents {
            lsp::HoverContents::Markup(m) => Some(m.value),
            _ => None,
        }
    }

    #[test]
    fn directive_and_keyword_docs() {
        let text = "maxmemory 1gb\nsentinel monitor m 10.0.0.1 6379 2\n# see S004\n";
        let h = hover_text(text, 0, 3).unwrap();
        assert!(h.contains("**maxmemory**") && h.contains("Default"), "{h}");
        let h = hover_text(text, 1, 11).unwrap();
        assert!(h.contains("<master-name> <ip|host> <port> <quorum>"), "{h}");
        let h = hover_text(text, 2, 8).unwrap();
        assert!(h.contains("invalid-value"), "{h}");
        assert!(hover_text(text, 0, 12).is_none());
    }

    #[test]
    fn line_context_finds_the_argument() {
        let ctx = line_context("  appendfsync   every\n", 17);
        assert_eq!(ctx.words.len(), 2);
        assert_eq!(ctx.at, Some(1));
        let ctx = line_context("x\n\"unbalanced\n", 4);
        assert_eq!(ctx.at, Some(0));
    }
}
