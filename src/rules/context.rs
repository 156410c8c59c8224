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
    /// Every config of the tree, several per file included (the keys of ConfigMaps).
    pub all_confs: &'a [std::sync::Arc<ConfFile>],
    pub topology: &'a Topology,
    /// The deployment units of each format (compose services, containers, resources).
    pub units: &'a crate::formats::units::Units,
    /// What the previous revision deployed, when the tree's history is read.
    pub history: Option<&'a crate::model::history::History>,
    /// The process each declaration (a compose service, a workload) runs, by the span
    /// of the declaration: the first data node, else the first sentinel.
    pub declared: HashMap<Span, &'a crate::facts::Runtime>,
    /// The oldest release among the processes that read each file (see
    /// `Context::release_for_file`), built once.
    pub file_releases: HashMap<FileId, crate::source::Spanned<Target>>,
    /// Which processes run straight on hosts: worked out once, by the first rule that
    /// asks (see [`Context::on_hosts`]).
    pub hosts: std::sync::OnceLock<super::hosts::OnHosts>,
}

/// See [`Context::file_releases`].
pub fn file_releases(topology: &Topology) -> HashMap<FileId, crate::source::Spanned<Target>> {
    let mut out: HashMap<FileId, crate::source::Spanned<Target>> = HashMap::new();
    let processes = topology
        .nodes
        .iter()
        .map(|n| (n.file, &n.runtime))
        .chain(topology.sentinels.iter().map(|s| (s.file, &s.runtime)));
    for (file, runtime) in processes {
        let Some(release) = runtime.release.as_ref() else {
            continue;
        };
        out.entry(file)
            .and_modify(|t| {
                if release.value.version < t.value.version {
                    *t = release.clone();
                }
            })
            .or_insert_with(|| release.clone());
    }
    out
}

/// See [`Context::declared`]: built once, so that finding the process of a config's
/// declaration is a lookup, not a scan of every process.
pub fn declared_runtimes(topology: &Topology) -> HashMap<Span, &crate::facts::Runtime> {
    let mut out = HashMap::new();
    let runtimes = topology
        .nodes
        .iter()
        .map(|n| &n.runtime)
        .chain(topology.sentinels.iter().map(|s| &s.runtime));
    for r in runtimes {
        if let Some(at) = r.declared {
            out.entry(at).or_insert(r);
        }
    }
    out
}

impl Context<'_> {
    /// The processes of the topology that run on hosts (see [`super::hosts::on_hosts`]).
    pub fn on_hosts(&self) -> &super::hosts::OnHosts {
        self.hosts.get_or_init(|| super::hosts::on_hosts(self))
    }

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
