//! Output formats. Every format reads the same diagnostics and masks secrets the same way.

mod checkstyle;
pub mod common;
mod concise;
mod full;
mod github;
mod gitlab;
mod grouped;
mod json;
mod json_lines;
mod junit;
pub mod sarif;

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, SourceFile};
use crate::Workspace;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Full,
    Concise,
    Grouped,
    Json,
    JsonLines,
    Sarif,
    Github,
    Gitlab,
    Junit,
    Checkstyle,
}

impl OutputFormat {
    pub const ALL: &'static [OutputFormat] = &[
        OutputFormat::Full,
        OutputFormat::Concise,
        OutputFormat::Grouped,
        OutputFormat::Json,
        OutputFormat::JsonLines,
        OutputFormat::Sarif,
        OutputFormat::Github,
        OutputFormat::Gitlab,
        OutputFormat::Junit,
        OutputFormat::Checkstyle,
    ];

    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Full => "full",
            OutputFormat::Concise => "concise",
            OutputFormat::Grouped => "grouped",
            OutputFormat::Json => "json",
            OutputFormat::JsonLines => "json-lines",
            OutputFormat::Sarif => "sarif",
            OutputFormat::Github => "github",
            OutputFormat::Gitlab => "gitlab",
            OutputFormat::Junit => "junit",
            OutputFormat::Checkstyle => "checkstyle",
        }
    }

    pub fn parse(text: &str) -> Option<OutputFormat> {
        OutputFormat::ALL.iter().copied().find(|f| f.name() == text)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    pub color: bool,
    pub width: usize,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            color: false,
            width: 100,
        }
    }
}

pub fn render(
    workspace: &Workspace,
    diagnostics: &[Diagnostic],
    format: OutputFormat,
    options: RenderOptions,
) -> String {
    let masked = MaskedSources::new(workspace);
    match format {
        OutputFormat::Full => full::render(&masked, diagnostics, options),
        OutputFormat::Concise => concise::render(&masked, diagnostics),
        OutputFormat::Grouped => grouped::render(&masked, diagnostics),
        OutputFormat::Json => json::render(&masked, diagnostics),
        OutputFormat::JsonLines => json_lines::render(&masked, diagnostics),
        OutputFormat::Sarif => sarif::render(&masked, diagnostics),
        OutputFormat::Github => github::render(&masked, diagnostics),
        OutputFormat::Gitlab => gitlab::render(&masked, diagnostics),
        OutputFormat::Junit => junit::render(&masked, diagnostics),
        OutputFormat::Checkstyle => checkstyle::render(&masked, diagnostics),
    }
}

/// File texts with every secret replaced by `*` (same byte length, so spans stay valid).
pub struct MaskedSources<'a> {
    workspace: &'a Workspace,
    texts: std::sync::Mutex<HashMap<FileId, Arc<str>>>,
}

impl<'a> MaskedSources<'a> {
    pub fn new(workspace: &'a Workspace) -> Self {
        MaskedSources {
            workspace,
            texts: Default::default(),
        }
    }

    pub fn source(&self, id: FileId) -> &SourceFile {
        self.workspace
            .source(id)
            .expect("diagnostic for a file of the workspace")
    }

    pub fn masked_text(&self, id: FileId) -> Arc<str> {
        let mut texts = self.texts.lock().unwrap();
        texts
            .entry(id)
            .or_insert_with(|| {
                let source = self.source(id);
                let mut bytes = source.text().as_bytes().to_vec();
                for span in self.workspace.secret_spans(id) {
                    for b in &mut bytes[span.range()] {
                        *b = b'*';
                    }
                }
                // Masking whole byte ranges of valid UTF-8 keeps it valid only at char
                // boundaries; spans always are, but be defensive.
                String::from_utf8_lossy(&bytes).into_owned().into()
            })
            .clone()
    }

    /// Mask secrets inside a message built from source text (fix contents).
    pub fn display_path(&self, id: FileId) -> String {
        self.source(id).path.display().to_string()
    }
}
