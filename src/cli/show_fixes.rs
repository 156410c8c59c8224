//! `check --show-fixes`: for every finding that carries a fix, what the fix would change,
//! without writing anything. Texts are shown masked, as in every other output.

use redis_halint::diagnostic::Applicability;
use redis_halint::report::MaskedSources;
use redis_halint::{Diagnostic, Workspace};
use std::fmt::Write;

pub fn text(workspace: &Workspace, diagnostics: &[Diagnostic], unsafe_fixes: bool) -> String {
    let sources = MaskedSources::new(workspace);
    let mut out = String::new();
    let mut shown = 0;
    for d in diagnostics {
        let Some(fix) = &d.fix else { continue };
        shown += 1;
        let source = sources.source(d.span.file);
        let at = sources.line_col(d.span.file, d.span.start);
        let when = match fix.applicability {
            Applicability::Safe => "applied by --fix",
            Applicability::Unsafe if unsafe_fixes => "unsafe, applied by --fix --unsafe-fixes",
            Applicability::Unsafe => "unsafe, only with --fix --unsafe-fixes",
            Applicability::DisplayOnly => "a suggestion, never applied",
        };
        let _ = writeln!(
            out,
            "{}:{}:{}: {} [{}] {} ({when})",
            source.path.display(),
            at.line,
            at.column,
            d.rule.code(),
            d.rule.name(),
            fix.message
        );
        for edit in &fix.edits {
            let file = sources.source(edit.span.file);
            let text = sources.masked_text(edit.span.file);
            let old = text.get(edit.span.range()).unwrap_or_default();
            let start = sources.line_col(edit.span.file, edit.span.start);
            let what = match (old.is_empty(), edit.shown().is_empty()) {
                (true, _) => format!("insert {:?}", edit.shown()),
                (false, true) => format!("delete {old:?}"),
                (false, false) => format!("replace {old:?} with {:?}", edit.shown()),
            };
            let _ = writeln!(
                out,
                "    {}:{}:{}: {what}",
                file.path.display(),
                start.line,
                start.column
            );
        }
    }
    if shown == 0 {
        out.push_str("no finding has a fix\n");
    }
    out
}
