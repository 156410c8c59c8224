//! Source files, byte spans and line/column conversion.
//!
//! Every value that can reach a message keeps the file and byte range it came from,
//! so diagnostics can point at the exact token.

mod disk;
mod line_index;
pub mod scope;

pub use disk::DiskStamp;
pub use line_index::{LineCol, LineIndex};

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Index of a file in a [`crate::Workspace`]. Stable while the file stays in the workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A half-open byte range `start..end` in one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end as u32,
        }
    }

    /// The smallest span covering both (same file assumed).
    pub fn cover(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// How a value is written at its span, which decides what an edit may do there.
///
/// A fact's span always says where the value comes from, but not every span spells the
/// value: an image default points at the service that uses the image, a `--port` option
/// is not a config line. Fixes edit only what the origin allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Origin {
    /// A word of a config line in a config text (a file, a ConfigMap block, a
    /// here-document): the word may be replaced, and lines may be added beside its line.
    #[default]
    ConfLine,
    /// Spelled at its span, but not on a config line (a command-line argument, an
    /// environment variable's value): the word may be replaced, nothing added beside it.
    Literal,
    /// A word of a config line that a script writes with `echo`: the word may be
    /// replaced, but a line added beside it would be shell, not config.
    Echoed,
    /// Not written anywhere (a default of an image, a keyword implied by an option or a
    /// variable): the span only says where it comes from and is never edited.
    Implied,
}

impl Origin {
    /// The text at the span is this value: an edit may replace it.
    pub fn replaceable(self) -> bool {
        self != Origin::Implied
    }

    /// The value sits on a config line: config lines may be inserted after it.
    pub fn on_conf_line(self) -> bool {
        self == Origin::ConfLine
    }

    /// The weaker of two origins (a value made of both is only as editable as the less).
    pub fn min(self, other: Origin) -> Origin {
        use Origin::*;
        match (self, other) {
            (Implied, _) | (_, Implied) => Implied,
            (Literal, _) | (_, Literal) => Literal,
            (Echoed, _) | (_, Echoed) => Echoed,
            _ => ConfLine,
        }
    }
}

/// A value together with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
    pub origin: Origin,
}

impl<T> Spanned<T> {
    /// A value written on a config line at `span`.
    pub fn new(value: T, span: Span) -> Self {
        Spanned {
            value,
            span,
            origin: Origin::ConfLine,
        }
    }

    pub fn with_origin(value: T, span: Span, origin: Origin) -> Self {
        Spanned {
            value,
            span,
            origin,
        }
    }
}

/// One input file: its path as the user gave it and its text.
///
/// The text of a file read from disk can be released once the file is parsed (a
/// whole-tree check keeps only the parses of its configs, not their comments); it is read
/// again, and checked against what was read the first time, when a report or a fix needs it.
#[derive(Debug)]
pub struct SourceFile {
    pub id: FileId,
    pub path: PathBuf,
    /// Empty only after [`SourceFile::release_text`].
    text: OnceLock<Arc<str>>,
    /// Size and modification time when it was read: set for files read from disk.
    stamp: Option<DiskStamp>,
    /// Checksum of the text, taken when it is released.
    checksum: u64,
    /// The file was no longer what was read when its text was needed again.
    changed: std::sync::atomic::AtomicBool,
    /// Built on first use: most files of a tree never need a line number.
    line_index: OnceLock<LineIndex>,
    /// Length of the text and whether it ends a line: where an appended line goes, known
    /// without reading a released text again.
    len: usize,
    ends_with_newline: bool,
}

impl SourceFile {
    pub fn new(id: FileId, path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> SourceFile {
        let text: Arc<str> = text.into();
        SourceFile {
            id,
            path: path.into(),
            len: text.len(),
            ends_with_newline: text.ends_with('\n'),
            text: OnceLock::from(text),
            stamp: None,
            checksum: 0,
            changed: Default::default(),
            line_index: OnceLock::new(),
        }
    }

    /// Length of the text in bytes (as decoded), whether or not it is held.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether the text ends with a newline, whether or not it is held.
    pub fn ends_with_newline(&self) -> bool {
        self.ends_with_newline
    }

    /// A file read from disk whose text can be released and read again.
    pub fn from_disk(
        id: FileId,
        path: impl Into<PathBuf>,
        text: impl Into<Arc<str>>,
        stamp: DiskStamp,
    ) -> SourceFile {
        SourceFile {
            stamp: Some(stamp),
            ..SourceFile::new(id, path, text)
        }
    }

    pub fn text(&self) -> &str {
        self.shared_text()
    }

    /// The text, read again from disk if it was released.
    pub fn shared_text(&self) -> &Arc<str> {
        self.text.get_or_init(|| self.read_again())
    }

    /// The text, for a reader that keeps it only a while (a report): a released text is
    /// read again from disk and not kept here, so a report over thousands of files never
    /// holds them all at once.
    pub fn text_for_a_while(&self) -> Arc<str> {
        match self.text.get() {
            Some(text) => text.clone(),
            None => self.read_again(),
        }
    }

    fn read_again(&self) -> Arc<str> {
        let stamp = self.stamp.expect("only texts read from disk are released");
        disk::read_again(&self.path, stamp, self.checksum).unwrap_or_else(|| {
            self.changed
                .store(true, std::sync::atomic::Ordering::Relaxed);
            // Every position stays valid; the excerpts are blank.
            " ".repeat(stamp.len as usize).into()
        })
    }

    /// Whether the text is in memory now (not released, or read again and kept).
    pub fn holds_text(&self) -> bool {
        self.text.get().is_some()
    }

    /// Whether [`SourceFile::release_text`] would drop the text.
    pub fn is_releasable(&self) -> bool {
        self.stamp.is_some()
    }

    /// Drop the text of a file read from disk; `false` (and nothing done) for any other.
    pub fn release_text(&mut self) -> bool {
        if self.stamp.is_none() {
            return false;
        }
        if let Some(text) = self.text.take() {
            self.checksum = disk::fingerprint(&text);
        }
        true
    }

    /// The file changed on disk after it was read and its text was needed again: its
    /// findings were computed on the first text, and no excerpt of it can be shown.
    pub fn changed_on_disk(&self) -> bool {
        self.changed.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn line_index(&self) -> &LineIndex {
        self.line_index.get_or_init(|| LineIndex::new(self.text()))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn slice(&self, span: Span) -> &str {
        &self.text()[span.range()]
    }

    /// 1-based line and character column of a byte offset.
    pub fn line_col(&self, offset: u32) -> LineCol {
        self.line_index().line_col(self.text(), offset)
    }
}

/// [`decode`] without a copy when the bytes are valid UTF-8 (nearly always).
pub fn decode_owned(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => decode(e.as_bytes()),
    }
}

/// UTF-8 text with each invalid byte replaced by `?`, so byte offsets stay those of the file
/// (Redis itself reads bytes; a Latin-1 comment must not shift positions).
pub fn decode(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        for _ in chunk.invalid() {
            text.push('?');
        }
    }
    text
}
