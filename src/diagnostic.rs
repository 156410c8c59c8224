//! The diagnostic model shared by every output (terminal, JSON, LSP).

use crate::registry::Rule;
use crate::source::Span;
use serde::Serialize;

pub use crate::registry::Severity;

/// A secondary location, often in another file ("auth-pass set here").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

impl Label {
    pub fn new(span: Span, message: impl Into<String>) -> Label {
        Label {
            span,
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Keeps the meaning the user intended; applied by `--fix`.
    Safe,
    /// Changes behaviour; applied only with `--unsafe-fixes`.
    Unsafe,
    /// Shown as a suggestion, never applied.
    DisplayOnly,
}

/// Replace the bytes of `span` with `content`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub content: String,
    /// What outputs show instead of `content` when it holds a secret (a password copied
    /// from another file): the edit is applied with the real value, displayed masked.
    pub display: Option<String>,
}

impl Edit {
    pub fn replace(span: Span, content: impl Into<String>) -> Edit {
        Edit {
            span,
            content: content.into(),
            display: None,
        }
    }

    pub fn insert(at: Span, content: impl Into<String>) -> Edit {
        Edit::replace(
            Span {
                end: at.start,
                ..at
            },
            content,
        )
    }

    pub fn delete(span: Span) -> Edit {
        Edit::replace(span, "")
    }

    pub fn masked(mut self, display: impl Into<String>) -> Edit {
        self.display = Some(display.into());
        self
    }

    /// The content as outputs may show it.
    pub fn shown(&self) -> &str {
        self.display.as_deref().unwrap_or(&self.content)
    }
}

impl Fix {
    pub fn safe(message: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            applicability: Applicability::Safe,
            message: message.into(),
            edits,
        }
    }

    pub fn unsafe_(message: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            applicability: Applicability::Unsafe,
            message: message.into(),
            edits,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub applicability: Applicability,
    pub message: String,
    pub edits: Vec<Edit>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: Rule,
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    pub related: Vec<Label>,
    pub help: Option<String>,
    pub fix: Option<Fix>,
    /// The server or sentinel refuses to start (or exits at start-up) with this configuration.
    pub fatal: bool,
}

impl Diagnostic {
    /// A diagnostic with the rule's default severity.
    pub fn new(rule: Rule, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            rule,
            severity: rule.info().severity,
            message: message.into(),
            span,
            related: Vec::new(),
            help: None,
            fix: None,
            fatal: false,
        }
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn fatal(mut self) -> Self {
        self.fatal = true;
        self
    }

    pub fn fatal_if(mut self, fatal: bool) -> Self {
        self.fatal = fatal;
        self
    }

    pub fn label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Label::new(span, message));
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Add a sentence to the help (or start it).
    pub fn more_help(mut self, more: impl Into<String>) -> Self {
        let more = more.into();
        self.help = Some(match self.help.take() {
            Some(h) => format!("{h}; {more}"),
            None => more,
        });
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    pub fn with_fix_opt(mut self, fix: Option<Fix>) -> Self {
        self.fix = fix.or(self.fix);
        self
    }
}
