//! The workspace: the set of files checked together, their cached parses, and `check()`.

use crate::diagnostic::Diagnostic;
use crate::formats::conf::ConfFile;
use crate::formats::detect::{classify, FileKind};
use crate::knowledge::Target;
use crate::model::{link::link, Topology};
use crate::rules::{self, Context};
use crate::source::{FileId, SourceFile, Span};
use crate::syntax::redis_conf;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub target: Target,
    /// Disregard `# redis-halint: ignore[…]` comments (and report nothing about them).
    pub ignore_inline_suppressions: bool,
}

struct Entry {
    source: SourceFile,
    /// The user named this file; it is read even if its name does not look like a config.
    explicit: bool,
    parsed: OnceLock<Option<Arc<ConfFile>>>,
}

impl Entry {
    fn parsed(&self) -> Option<&Arc<ConfFile>> {
        self.parsed
            .get_or_init(|| {
                if crate::settings::is_config_file(&self.source.path) {
                    return None;
                }
                let tree = redis_conf::parse(&self.source.text);
                let kind = classify(&self.source.path, &tree, self.explicit)?;
                Some(Arc::new(
                    ConfFile::from_tree(self.source.id, kind, tree)
                        .with_text(self.source.text.clone()),
                ))
            })
            .as_ref()
    }
}

#[derive(Default)]
pub struct Workspace {
    settings: Settings,
    entries: HashMap<FileId, Entry>,
    by_path: HashMap<PathBuf, FileId>,
    next_id: u32,
}

impl Workspace {
    pub fn new(settings: Settings) -> Workspace {
        Workspace {
            settings,
            ..Workspace::default()
        }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn set_settings(&mut self, settings: Settings) {
        self.settings = settings;
    }

    /// Add or replace a file's text. The parse is redone lazily.
    pub fn set_file(
        &mut self,
        path: impl Into<PathBuf>,
        text: impl Into<Arc<str>>,
        explicit: bool,
    ) -> FileId {
        let path = path.into();
        let id = match self.by_path.get(&path) {
            Some(&id) => id,
            None => {
                let id = FileId(self.next_id);
                self.next_id += 1;
                self.by_path.insert(path.clone(), id);
                id
            }
        };
        self.entries.insert(
            id,
            Entry {
                source: SourceFile::new(id, path, text),
                explicit,
                parsed: OnceLock::new(),
            },
        );
        id
    }

    pub fn remove_file(&mut self, path: &Path) -> bool {
        match self.by_path.remove(path) {
            Some(id) => self.entries.remove(&id).is_some(),
            None => false,
        }
    }

    pub fn file_id(&self, path: &Path) -> Option<FileId> {
        self.by_path.get(path).copied()
    }

    pub fn source(&self, id: FileId) -> Option<&SourceFile> {
        self.entries.get(&id).map(|e| &e.source)
    }

    /// The kind redis-halint read the file as, or `None` when it is not a Redis config.
    pub fn file_kind(&self, id: FileId) -> Option<FileKind> {
        self.entries.get(&id)?.parsed().map(|c| c.kind)
    }

    /// Byte ranges of secret values in a file (passwords), to be masked in any output.
    pub fn secret_spans(&self, id: FileId) -> Vec<Span> {
        self.entries
            .get(&id)
            .and_then(Entry::parsed)
            .map(|c| c.secret_spans())
            .unwrap_or_default()
    }

    /// Files in path order, so every result is deterministic.
    fn sorted_ids(&self) -> Vec<FileId> {
        let mut ids: Vec<(&Path, FileId)> = self
            .entries
            .values()
            .map(|e| (e.source.path.as_path(), e.source.id))
            .collect();
        ids.sort();
        ids.into_iter().map(|(_, id)| id).collect()
    }

    fn parse_all(&self) -> Vec<Arc<ConfFile>> {
        let ids = self.sorted_ids();
        ids.par_iter()
            .filter_map(|id| self.entries[id].parsed().cloned())
            .collect()
    }

    /// The config file an `include` line of `from` names, when it is in the workspace:
    /// the same path, a file whose path ends with it (a tree that mirrors `/`), or a file
    /// of that name beside the including file.
    fn resolve_include<'a>(
        &self,
        confs: &'a [Arc<ConfFile>],
        from: &ConfFile,
        include: &str,
    ) -> Option<&'a ConfFile> {
        if include.contains(['*', '?', '[']) {
            return None;
        }
        let from_path = &self.entries[&from.file].source.path;
        let wanted = Path::new(include.trim_start_matches("./"));
        let relative: PathBuf = wanted
            .components()
            .filter(|c| matches!(c, std::path::Component::Normal(_)))
            .collect();
        let beside = from_path.parent().map(|d| d.join(&relative));
        let path_of = |c: &ConfFile| &self.entries[&c.file].source.path;
        confs
            .iter()
            .find(|c| Some(path_of(c)) == beside.as_ref())
            .or_else(|| confs.iter().find(|c| path_of(c).ends_with(&relative)))
            .or_else(|| {
                let name = relative.file_name()?;
                let mut same_dir = confs.iter().filter(|c| {
                    path_of(c).file_name() == Some(name)
                        && path_of(c).parent() == from_path.parent()
                });
                let one = same_dir.next()?;
                same_dir.next().is_none().then_some(one)
            })
            .map(|c| c.as_ref())
            .filter(|c| c.file != from.file)
    }

    fn build_topology(&self, confs: &[Arc<ConfFile>]) -> Topology {
        // Files pulled in by an `include` are fragments of another process, not processes.
        let mut included: HashSet<FileId> = HashSet::new();
        for conf in confs {
            for (_, path) in conf.includes() {
                if let Some(target) = self.resolve_include(confs, conf, path) {
                    included.insert(target.file);
                }
            }
        }
        let mut nodes = Vec::new();
        let mut sentinels = Vec::new();
        for conf in confs.iter().filter(|c| !included.contains(&c.file)) {
            let source = &self.entries[&conf.file].source;
            let merged;
            let (view, complete) = if conf.includes().next().is_some() {
                let (m, complete) =
                    conf.with_includes(&|from, path| self.resolve_include(confs, from, path));
                merged = m;
                (&merged, complete)
            } else {
                (conf.as_ref(), true)
            };
            match conf.kind {
                FileKind::RedisConf => {
                    let mut node = view.node(source);
                    node.complete = complete;
                    nodes.push(node);
                }
                FileKind::SentinelConf => {
                    let mut sentinel = view.sentinel();
                    sentinel.complete = complete;
                    sentinels.push(sentinel);
                }
            }
        }
        link(nodes, sentinels)
    }

    pub fn topology(&self) -> Topology {
        self.build_topology(&self.parse_all())
    }

    /// Inline suppressions of every config file, applied to the diagnostics, plus the
    /// findings about the suppressions themselves.
    fn apply_suppressions(
        &self,
        confs: &[Arc<ConfFile>],
        mut diagnostics: Vec<Diagnostic>,
    ) -> Vec<Diagnostic> {
        let mut all = Vec::new();
        for conf in confs {
            let source = &self.entries[&conf.file].source;
            let comments = redis_conf::comments(&source.text);
            let (found, problems) = crate::suppression::scan(source.id, &source.text, &comments);
            diagnostics.extend(problems);
            if !found.is_empty() {
                all.push((source.id, found));
            }
        }
        crate::suppression::apply(diagnostics, &all, |span| {
            self.entries[&span.file]
                .source
                .line_index
                .line_of(span.start) as u32
        })
    }

    /// Run every rule over every file; apply inline suppressions; diagnostics sorted by
    /// file and position.
    pub fn check(&self) -> Vec<Diagnostic> {
        let confs = self.parse_all();
        let topology = self.build_topology(&confs);
        let sources: HashMap<FileId, &SourceFile> = self
            .entries
            .iter()
            .map(|(id, e)| (*id, &e.source))
            .collect();
        let conf_map: HashMap<FileId, &ConfFile> =
            confs.iter().map(|c| (c.file, c.as_ref())).collect();
        let ctx = Context {
            target: self.settings.target,
            sources: &sources,
            confs: &conf_map,
            topology: &topology,
        };
        let mut diagnostics: Vec<Diagnostic> = confs
            .par_iter()
            .flat_map_iter(|conf| rules::check_conf(conf, &ctx))
            .collect();
        diagnostics.extend(rules::check_topology(&ctx));
        // redis-halint's own configuration files in the workspace: unknown keys, bad values.
        for entry in self.entries.values() {
            if crate::settings::is_config_file(&entry.source.path) {
                diagnostics.extend(crate::settings::validate(&entry.source));
            }
        }
        if !self.settings.ignore_inline_suppressions {
            diagnostics = self.apply_suppressions(&confs, diagnostics);
        }
        diagnostics.sort_by(|a, b| {
            let pa = &sources[&a.span.file].path;
            let pb = &sources[&b.span.file].path;
            (pa, a.span.start, a.rule.code(), &a.message).cmp(&(
                pb,
                b.span.start,
                b.rule.code(),
                &b.message,
            ))
        });
        diagnostics.dedup();
        diagnostics
    }
}
