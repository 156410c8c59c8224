//! `check --statistics`: how many findings of each rule, before reading the details.

use redis_halint::diagnostic::Applicability;
use redis_halint::Diagnostic;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
struct Row {
    code: &'static str,
    rule: &'static str,
    count: usize,
    /// At least one of these findings has a fix that `--fix` applies.
    fixable: bool,
}

/// Most frequent first, then by code, so the biggest item of a cleanup leads.
fn rows(diagnostics: &[Diagnostic]) -> Vec<Row> {
    let mut by_rule: BTreeMap<&'static str, Row> = BTreeMap::new();
    for d in diagnostics {
        let row = by_rule.entry(d.rule.code()).or_insert(Row {
            code: d.rule.code(),
            rule: d.rule.name(),
            count: 0,
            fixable: false,
        });
        row.count += 1;
        row.fixable |= d
            .fix
            .as_ref()
            .is_some_and(|f| f.applicability == Applicability::Safe);
    }
    let mut rows: Vec<Row> = by_rule.into_values().collect();
    rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(b.code)));
    rows
}

/// `count  CODE  name  [*]` per rule; `[*]` marks what `--fix` can repair.
pub fn text(diagnostics: &[Diagnostic]) -> String {
    let rows = rows(diagnostics);
    let width = rows
        .iter()
        .map(|r| r.count.to_string().len())
        .max()
        .unwrap_or(1);
    let name_width = rows.iter().map(|r| r.rule.len()).max().unwrap_or(0);
    let mut out = String::new();
    for r in &rows {
        let mark = if r.fixable { " [*]" } else { "" };
        out.push_str(
            format!(
                "{:>width$}  {:<5} {:<name_width$}{mark}",
                r.count, r.code, r.rule
            )
            .trim_end(),
        );
        out.push('\n');
    }
    if rows.iter().any(|r| r.fixable) {
        out.push_str("[*] fixable with `check --fix`\n");
    }
    out
}

pub fn json(diagnostics: &[Diagnostic]) -> String {
    let mut text = serde_json::to_string_pretty(&rows(diagnostics)).expect("serializable");
    text.push('\n');
    text
}
