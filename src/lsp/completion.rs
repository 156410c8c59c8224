//! Completion in redis.conf / sentinel.conf buffers: directive names at the start of a
//! line, Sentinel keywords after `sentinel `, master names of per-master keywords, and
//! the values of boolean, enum and flag directives.

use super::documents::Document;
use super::hover::{directive_doc, kind_short, line_context, sentinel_doc};
use crate::knowledge::directive::all_spellings;
use crate::knowledge::sentinel::{Scope, SentinelValue};
use crate::knowledge::{
    lookup_directive, lookup_sentinel_keyword, Target, ValueKind, SENTINEL_KEYWORDS,
};
use lsp_types as lsp;

pub fn complete(
    doc: &Document,
    position: lsp::Position,
    target: Target,
) -> Option<lsp::CompletionResponse> {
    if !doc.is_conf() {
        return None;
    }
    let text: &str = doc.text();
    let offset = doc.offset(position);
    let ctx = line_context(text, offset);
    if ctx.is_comment {
        return None;
    }
    // Arguments before the cursor, and the word being typed (up to the cursor).
    let before: Vec<&(String, std::ops::Range<usize>)> =
        ctx.words.iter().filter(|(_, r)| r.start < offset).collect();
    let (index, word_start) = match before.last() {
        Some((_, r)) if offset <= r.end => (before.len() - 1, r.start),
        _ => (before.len(), offset),
    };
    let replace = {
        let pos = |o: usize| {
            let lc = doc.line_index().line_col(text, o as u32);
            lsp::Position::new(lc.line - 1, lc.utf16_column)
        };
        lsp::Range::new(pos(word_start), position)
    };
    let arg = |i: usize| before.get(i).map(|(v, _)| v.to_ascii_lowercase());
    let item = |label: &str, kind, detail: String, docs: Option<String>, sort: String| {
        lsp::CompletionItem {
            label: label.to_string(),
            kind: Some(kind),
            detail: Some(detail),
            documentation: docs.map(|value| {
                lsp::Documentation::MarkupContent(lsp::MarkupContent {
                    kind: lsp::MarkupKind::Markdown,
                    value,
                })
            }),
            sort_text: Some(sort),
            text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit::new(
                replace,
                label.to_string(),
            ))),
            ..Default::default()
        }
    };
    let mut items = Vec::new();
    if index == 0 {
        let mut names: Vec<&str> = all_spellings().collect();
        names.sort_unstable();
        for name in names {
            let Some(m) = lookup_directive(name) else {
                continue;
            };
            let unavailable = m.unavailable_on(target).is_some();
            let mut detail = kind_short(&m.directive.kind).to_string();
            if m.alias.is_some() {
                detail = format!("alias of {} · {detail}", m.directive.name);
            }
            // Canonical names first, aliases and names the target does not read last.
            let rank = u8::from(m.alias.is_some()) + 2 * u8::from(unavailable);
            let mut it = item(
                name,
                lsp::CompletionItemKind::PROPERTY,
                detail,
                Some(directive_doc(&m, target)),
                format!("{rank}{name}"),
            );
            if unavailable {
                it.tags = Some(vec![lsp::CompletionItemTag::DEPRECATED]);
            }
            items.push(it);
        }
    } else if arg(0).as_deref() == Some("sentinel") {
        let keyword = arg(1).and_then(|k| lookup_sentinel_keyword(&k));
        if index == 1 {
            for k in SENTINEL_KEYWORDS {
                let unavailable = k.unavailable_on(target).is_some();
                let rank = u8::from(k.state) + 2 * u8::from(unavailable);
                items.push(item(
                    k.name,
                    lsp::CompletionItemKind::PROPERTY,
                    k.usage.to_string(),
                    Some(sentinel_doc(k, target)),
                    format!("{rank}{}", k.name),
                ));
            }
        } else if let Some(k) = keyword {
            if index == 2 && k.scope == Scope::PerMaster && k.name != "monitor" {
                for name in master_names(text) {
                    items.push(item(
                        &name,
                        lsp::CompletionItemKind::VALUE,
                        "master name".into(),
                        None,
                        name.clone(),
                    ));
                }
            } else if k.value == SentinelValue::YesNo && k.arity.contains(&index.saturating_sub(1))
            {
                for v in ["yes", "no"] {
                    items.push(item(
                        v,
                        lsp::CompletionItemKind::ENUM_MEMBER,
                        k.name.to_string(),
                        None,
                        v.into(),
                    ));
                }
            }
        }
    } else if let Some(m) = arg(0).and_then(|n| lookup_directive(&n)) {
        let values: &[&str] = match m.directive.kind {
            ValueKind::Bool if index == 1 => &["yes", "no"],
            ValueKind::Enum(values) if index == 1 => values,
            ValueKind::FlagSet(values) => values,
            _ => &[],
        };
        for v in values {
            items.push(item(
                v,
                lsp::CompletionItemKind::ENUM_MEMBER,
                m.directive.name.to_string(),
                None,
                v.to_string(),
            ));
        }
        if !m.directive.default.is_empty() {
            for it in items.iter_mut().filter(|i| i.label == m.directive.default) {
                it.detail = Some(format!("{} (default)", m.directive.name));
                it.preselect = Some(true);
            }
        }
    }
    Some(lsp::CompletionResponse::List(lsp::CompletionList {
        is_incomplete: false,
        items,
    }))
}

/// Master names defined by `sentinel monitor` lines of the buffer.
fn master_names(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for line in text.lines() {
        let mut words = line.split_whitespace();
        if words
            .next()
            .is_some_and(|w| w.eq_ignore_ascii_case("sentinel"))
            && words
                .next()
                .is_some_and(|w| w.eq_ignore_ascii_case("monitor"))
        {
            if let Some(name) = words.next() {
                if !names.iter().any(|n| n == name) {
                    names.push(name.to_string());
                }
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::Url;

    fn labels(text: &str, line: u32, col: u32) -> Vec<String> {
        let doc = Document::new(
            Url::parse("file:///x/redis.conf").unwrap(),
            "redis".into(),
            1,
            text.into(),
        );
        match complete(&doc, lsp::Position::new(line, col), Target::default()) {
            Some(lsp::CompletionResponse::List(list)) => {
                list.items.into_iter().map(|i| i.label).collect()
            }
            _ => Vec::new(),
        }
    }

    #[test]
    fn names_keywords_and_values() {
        assert!(labels("maxmem", 0, 6).contains(&"maxmemory-policy".to_string()));
        let kw = labels("sentinel ", 0, 9);
        assert!(
            kw.contains(&"monitor".to_string()) && kw.contains(&"resolve-hostnames".to_string())
        );
        assert!(labels("appendfsync ", 0, 12).contains(&"everysec".to_string()));
        assert_eq!(labels("appendonly y", 0, 12), vec!["yes", "no"]);
        assert_eq!(
            labels("sentinel resolve-hostnames ", 0, 27),
            vec!["yes", "no"]
        );
        let text = "sentinel monitor mymaster 10.0.0.1 6379 2\nsentinel auth-pass ";
        assert_eq!(labels(text, 1, 19), vec!["mymaster"]);
        assert!(labels("# comment", 0, 9).is_empty());
    }
}
