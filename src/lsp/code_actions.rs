//! Code actions: one quick fix per finding with a fix (unsafe ones say so in the title),
//! and "fix all safe" for the document. Only offered from results computed on the
//! current version of the buffer, so the edits' ranges are those of the text the user has.
//!
//! "Suppress this finding" inserts `# redis-halint: ignore[rule] -- reason` on the line
//! before the finding, with that line's indentation (inside a YAML block scalar the
//! comment then stays part of the embedded config, where the suppression applies).

use super::convert::{overlaps, FixEdit};
use super::project::DocResult;
use lsp_types as lsp;
use lsp_types::Url;
use std::collections::HashMap;

pub const FIX_ALL_KIND: &str = "source.fixAll.redis-halint";

pub fn code_actions(
    results: Option<&DocResult>,
    version: i32,
    text: &str,
    params: &lsp::CodeActionParams,
) -> Vec<lsp::CodeActionOrCommand> {
    let Some(results) = results.filter(|r| r.version == Some(version)) else {
        return Vec::new();
    };
    let wants = |kind: &lsp::CodeActionKind| match &params.context.only {
        None => true,
        Some(only) => only.iter().any(|o| {
            kind.as_str() == o.as_str() || kind.as_str().starts_with(&format!("{}.", o.as_str()))
        }),
    };
    let mut actions = Vec::new();
    if wants(&lsp::CodeActionKind::QUICKFIX) {
        for item in &results.items {
            let Some(fix) = &item.fix else { continue };
            if !overlaps(&item.diagnostic.range, &params.range) {
                continue;
            }
            actions.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: fix.title.clone(),
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![item.diagnostic.clone()]),
                edit: Some(workspace_edit(fix.changes.clone())),
                is_preferred: Some(fix.safe),
                ..Default::default()
            }));
        }
    }
    if wants(&lsp::CodeActionKind::QUICKFIX) {
        for item in &results.items {
            let mirrored = item
                .diagnostic
                .data
                .as_ref()
                .and_then(|d| d.get("mirrored"))
                .is_some_and(|m| m == true);
            let rule = item
                .diagnostic
                .data
                .as_ref()
                .and_then(|d| d.get("rule"))
                .and_then(|r| r.as_str());
            let (Some(rule), false) = (rule, mirrored) else {
                continue;
            };
            if !overlaps(&item.diagnostic.range, &params.range) {
                continue;
            }
            let line = item.diagnostic.range.start.line;
            let indent: String = text
                .lines()
                .nth(line as usize)
                .unwrap_or_default()
                .chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .collect();
            let at = lsp::Position { line, character: 0 };
            let edit = lsp::TextEdit {
                range: lsp::Range { start: at, end: at },
                new_text: format!("{indent}# redis-halint: ignore[{rule}] -- TODO: why this does not apply here\n"),
            };
            actions.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: format!("Suppress {rule} on this line (add a reason)"),
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![item.diagnostic.clone()]),
                edit: Some(workspace_edit(HashMap::from([(
                    results.uri.clone(),
                    vec![edit],
                )]))),
                ..Default::default()
            }));
        }
    }
    let fix_all_kind = lsp::CodeActionKind::new(FIX_ALL_KIND);
    if wants(&fix_all_kind) {
        if let Some(changes) = fix_all_safe(results) {
            actions.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: "Fix all safe redis-halint findings in this file".into(),
                kind: Some(fix_all_kind),
                edit: Some(workspace_edit(changes)),
                ..Default::default()
            }));
        }
    }
    actions
}

fn workspace_edit(changes: HashMap<Url, Vec<lsp::TextEdit>>) -> lsp::WorkspaceEdit {
    lsp::WorkspaceEdit {
        changes: Some(changes),
        ..Default::default()
    }
}

/// Every safe fix of the document's findings whose edits all stay in the document and
/// overlap no fix taken before (the same fix reported twice is taken once). `None` when
/// there is nothing to fix.
pub fn fix_all_safe(results: &DocResult) -> Option<HashMap<Url, Vec<lsp::TextEdit>>> {
    let mut taken: Vec<&FixEdit> = Vec::new();
    let mut edits: Vec<lsp::TextEdit> = Vec::new();
    for item in &results.items {
        let Some(fix) = item.fix.as_ref().filter(|f| f.safe) else {
            continue;
        };
        if fix.changes.keys().any(|uri| uri != &results.uri) || taken.contains(&fix) {
            continue;
        }
        let new = &fix.changes[&results.uri];
        if new
            .iter()
            .any(|e| edits.iter().any(|t| overlaps(&e.range, &t.range)))
        {
            continue;
        }
        edits.extend(new.iter().cloned());
        taken.push(fix);
    }
    if edits.is_empty() {
        return None;
    }
    Some(HashMap::from([(results.uri.clone(), edits)]))
}
