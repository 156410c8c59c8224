//! Building edits that respect the config format: whole lines, the indentation of their
//! neighbours, and never inside Sentinel's CONFIG REWRITE region.
//!
//! A fact's span says where its value comes from, not always where it is spelled (see
//! [`crate::source::Origin`]): every edit made from a fact goes through the helpers here, which refuse
//! to edit what is not written at the span.

use crate::diagnostic::Edit;
use crate::facts::{ImageEnv, Runtime};
use crate::knowledge::{Target, Version};
use crate::rules::Context;
use crate::source::{Span, Spanned};

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

    /// The release a process runs: the one its image names, else the target version.
    pub fn release_of(&self, runtime: &Runtime) -> Target {
        runtime.release.as_ref().map_or(self.target, |r| r.value)
    }

    /// The release a file's settings must be valid for: the oldest one among the
    /// processes that read it (their images), else the target version.
    pub fn release_for_file(&self, file: crate::source::FileId) -> Target {
        self.file_releases
            .get(&file)
            .map_or(self.target, |r| r.value)
    }

    /// Where the release of [`Context::release_for_conf`] is named (an image, a role's
    /// version variable); `None` for the target version.
    pub fn release_source_for_conf(&self, conf: &crate::formats::conf::ConfFile) -> Option<Span> {
        let release = match conf.declared_by.and_then(|at| self.declared.get(&at)) {
            Some(runtime) => runtime.release.as_ref(),
            None => self.file_releases.get(&conf.file),
        };
        release
            .map(|r| r.span)
            .filter(|s| s.file != conf.file || s.end > 0)
    }

    /// The release a config's lines must be valid for: for a service's command-line
    /// options, the release of that service's process; else as for its file.
    pub fn release_for_conf(&self, conf: &crate::formats::conf::ConfFile) -> Target {
        conf.declared_by
            .and_then(|at| self.declared.get(&at).copied())
            .map_or_else(|| self.release_for_file(conf.file), |r| self.release_of(r))
    }

    /// Whether a process knows a setting that Redis introduced in `since` (a fix must
    /// never write a setting the process's release refuses).
    pub fn knows(&self, runtime: &Runtime, since: Version) -> bool {
        self.release_of(runtime).has_redis_feature(since)
    }

    /// Replace a value where it is written, in the quotes it is written in. `None` when
    /// the value is not spelled at its span (an image default, a keyword implied by an
    /// option): there is nothing to replace.
    pub fn replace_value<T>(&self, at: &Spanned<T>, content: impl Into<String>) -> Option<Edit> {
        if !at.origin.replaceable() {
            return None;
        }
        let content = content.into();
        let raw = self.text(at.span).get(at.span.range())?;
        let quote = raw
            .chars()
            .next()
            .filter(|c| (*c == '"' || *c == '\'') && raw.len() >= 2 && raw.ends_with(*c));
        Some(match quote {
            Some(q) => Edit::replace(at.span, format!("{q}{content}{q}")),
            None => Edit::replace(at.span, content),
        })
    }

    /// Insert config lines after the config line that holds `anchor`. `None` when the
    /// anchor is not a word of a config line (a command-line option, an environment
    /// variable, a default): lines there would not be config lines.
    pub fn insert_conf_lines_after<T>(&self, anchor: &Spanned<T>, lines: &str) -> Option<Edit> {
        anchor
            .origin
            .on_conf_line()
            .then(|| self.insert_lines_after(anchor.span, lines))
    }

    /// Add environment variables that the process's image reads as these settings
    /// (`(setting, value)` pairs). `None` when the image reads one of them from nowhere,
    /// or there is no environment block to extend.
    pub fn add_env(&self, env: &ImageEnv, settings: &[(&str, &str)]) -> Option<Edit> {
        let (after, map) = env.insert_after?;
        let mut lines = Vec::new();
        for (setting, value) in settings {
            lines.push(env_entry(env.var_for(setting)?, value, map));
        }
        (!lines.is_empty()).then(|| self.insert_lines_after(after, &lines.join("\n")))
    }

    /// How a user sets these settings on this process, for help texts: "add" the config
    /// lines, or "set" the environment variables when the image reads its settings there.
    pub fn how_to_set(&self, runtime: &Runtime, settings: &[(&str, &str)]) -> String {
        let vars: Option<Vec<String>> = runtime.env.as_ref().and_then(|env| {
            settings
                .iter()
                .map(|(s, v)| env.var_for(s).map(|var| format!("`{var}={v}`")))
                .collect()
        });
        match vars {
            Some(vars) => format!("set {} in its environment", vars.join(" and ")),
            None => {
                let lines: Vec<String> =
                    settings.iter().map(|(s, v)| format!("`{s} {v}`")).collect();
                format!("add {}", lines.join(" and "))
            }
        }
    }

    /// Insert `lines` (newline-separated) on new lines right after the line holding
    /// `anchor`, with its indentation. For line formats whose anchor is known to be a line
    /// of its own (units, config lines): facts go through [`Self::insert_conf_lines_after`].
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
        // Known without the text, which a whole-tree check has released by now.
        let source = self.source(file);
        let body: String = lines.lines().map(|l| format!("{l}\n")).collect();
        let needs_newline = match rewrite_start {
            // The marker is a comment line: after a newline, or at the very start.
            Some(_) => false,
            None => !source.is_empty() && !source.ends_with_newline(),
        };
        let at = rewrite_start.unwrap_or(source.len());
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

/// One environment entry as written in a compose file: `KEY: "value"` in a map (quoted:
/// a bare `yes` is a boolean to YAML 1.1 readers), `- KEY=value` in a list.
pub fn env_entry(var: &str, value: &str, map: bool) -> String {
    if map {
        format!("{var}: \"{value}\"")
    } else {
        format!("- {var}={value}")
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
