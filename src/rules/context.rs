//! What every rule can read: the files, their parsed configs, the topology, the target.

use crate::formats::conf::ConfFile;
use crate::knowledge::Target;
use crate::model::Topology;
use crate::source::{FileId, SourceFile, Span};
use std::collections::HashMap;
use std::path::Path;

pub struct Context<'a> {
    pub target: Target,
    pub sources: &'a HashMap<FileId, &'a SourceFile>,
    pub confs: &'a HashMap<FileId, &'a ConfFile>,
    pub topology: &'a Topology,
    /// The deployment units of each format (compose services, containers, resources).
    pub units: &'a crate::formats::units::Units,
    /// What the previous revision deployed, when the tree's history is read.
    pub history: Option<&'a crate::model::history::History>,
}

impl Context<'_> {
    pub fn source(&self, file: FileId) -> &SourceFile {
        self.sources[&file]
    }

    pub fn path(&self, file: FileId) -> &Path {
        &self.sources[&file].path
    }

    /// `file:line` for messages that name another location.
    pub fn location(&self, span: Span) -> String {
        let source = self.source(span.file);
        format!(
            "{}:{}",
            source.path.display(),
            source.line_col(span.start).line
        )
    }

    /// Where Sentinel's CONFIG REWRITE region of a file starts, if it has one.
    pub fn rewrite_start(&self, file: FileId) -> Option<usize> {
        self.confs.get(&file).and_then(|c| c.tree.rewrite_marker)
    }

    pub fn file_name(&self, file: FileId) -> String {
        self.path(file).display().to_string()
    }
}
