//! Building edits that respect the config format: whole lines, the indentation of their
//! neighbours, and never inside Sentinel's CONFIG REWRITE region.

use crate::diagnostic::Edit;
use crate::rules::Context;
use crate::source::Span;

impl Context<'_> {
    fn text(&self, span: Span) -> &str {
        self.source(span.file).text()
    }

    fn line_bounds(&self, span: Span) -> (usize, usize) {
        let text = self.text(span);
        let start = text[..span.start as usize].rfind('\n').map_or(0, |i| i + 1);
        let end = text[span.end as usize..]
            .find('\n')
            .map_or(text.len(), |i| span.end as usize + i);
        (start, end)
    }

    fn indent_of(&self, span: Span) -> String {
        let (start, _) = self.line_bounds(span);
        self.text(span)[start..]
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect()
    }

    /// Insert `lines` (newline-separated) on new lines right after the line holding `anchor`.
    pub fn insert_lines_after(&self, anchor: Span, lines: &str) -> Edit {
        let text = self.text(anchor);
        let (_, end) = self.line_bounds(anchor);
        let indent = self.indent_of(anchor);
        let body: String = lines.lines().map(|l| format!("{indent}{l}\n")).collect();
        if end == text.len() {
            Edit::insert(
                Span::new(anchor.file, end, end),
                format!("\n{}", body.trim_end_matches('\n')),
            )
        } else {
            Edit::insert(Span::new(anchor.file, end + 1, end + 1), body)
        }
    }

    /// Append `lines` to the settings of a config file: before a CONFIG REWRITE region,
    /// else at the end. `None` when the node is not a config file of its own (a compose
    /// service, a config inside a manifest or a script): there is no end to append to.
    pub fn append_lines(
        &self,
        file: crate::source::FileId,
        lines: &str,
        rewrite_start: Option<usize>,
    ) -> Option<Edit> {
        let conf = self.confs.get(&file)?;
        if conf.embedded || conf.written_to.is_some() || conf.file != file {
            return None;
        }
        let text = self.source(file).text();
        let body: String = lines.lines().map(|l| format!("{l}\n")).collect();
        let at = rewrite_start.unwrap_or(text.len());
        let needs_newline = at > 0 && !text[..at].ends_with('\n');
        let content = if needs_newline {
            format!("\n{body}")
        } else {
            body
        };
        Some(Edit::insert(Span::new(file, at, at), content))
    }

    /// Remove the whole line holding `span`, with its newline.
    pub fn delete_line(&self, span: Span) -> Edit {
        let text = self.text(span);
        let (start, end) = self.line_bounds(span);
        let end = if end < text.len() { end + 1 } else { end };
        Edit::delete(Span::new(span.file, start, end))
    }
}

/// Quote a value for a config line when it needs it (spaces, quotes, empty).
pub fn conf_quote(value: &str) -> String {
    let plain = !value.is_empty()
        && !value
            .chars()
            .any(|c| c.is_whitespace() || c == '"' || c == '\'' || c == '\\');
    if plain {
        value.to_string()
    } else {
        let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
        format!("\"{escaped}\"")
    }
}
