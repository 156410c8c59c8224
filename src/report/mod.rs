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
use crate::source::{FileId, LineCol, LineIndex, SourceFile};
use crate::Workspace;
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

/// The files a report shows, with every secret replaced by `*` (same byte length, so
/// spans stay valid).
///
/// A whole-tree check has released the texts of its configs; a report reads each again
/// while it shows that file's findings and keeps only the last few files it read
/// (findings come sorted by file), so it never holds the whole tree's texts at once.
pub struct MaskedSources<'a> {
    workspace: &'a Workspace,
    /// Most recently used last.
    views: std::sync::Mutex<Vec<(FileId, Arc<FileView>)>>,
}

/// How many files' texts a report keeps: enough for a finding whose labels point into a
/// few other files, small beside a tree of thousands.
const VIEWS_KEPT: usize = 16;

/// One file as a report reads it: its text, line starts and (on first use) masked text.
pub struct FileView {
    text: Arc<str>,
    index: LineIndex,
    masked: std::sync::OnceLock<Arc<str>>,
}

impl FileView {
    pub fn line_col(&self, offset: u32) -> LineCol {
        self.index.line_col(&self.text, offset)
    }

    pub fn line_index(&self) -> &LineIndex {
        &self.index
    }
}

impl<'a> MaskedSources<'a> {
    pub fn new(workspace: &'a Workspace) -> Self {
        MaskedSources {
            workspace,
            views: Default::default(),
        }
    }

    /// The file's path and stamps; read its text through [`MaskedSources::view`].
    pub fn source(&self, id: FileId) -> &SourceFile {
        self.workspace
            .source(id)
            .expect("diagnostic for a file of the workspace")
    }

    pub fn view(&self, id: FileId) -> Arc<FileView> {
        let mut views = self.views.lock().unwrap();
        if let Some(at) = views.iter().position(|(f, _)| *f == id) {
            let entry = views.remove(at);
            let view = entry.1.clone();
            views.push(entry);
            return view;
        }
        let text = self.source(id).text_for_a_while();
        let view = Arc::new(FileView {
            index: LineIndex::new(&text),
            text,
            masked: Default::default(),
        });
        if views.len() == VIEWS_KEPT {
            views.remove(0);
        }
        views.push((id, view.clone()));
        view
    }

    /// Line and column (1-based) of an offset in a file.
    pub fn line_col(&self, id: FileId, offset: u32) -> LineCol {
        self.view(id).line_col(offset)
    }

    pub fn masked_text(&self, id: FileId) -> Arc<str> {
        let view = self.view(id);
        view.masked
            .get_or_init(|| {
                let mut bytes = view.text.as_bytes().to_vec();
                for span in self.workspace.secret_spans(id) {
                    if let Some(range) = bytes.get_mut(span.range()) {
                        range.fill(b'*');
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
