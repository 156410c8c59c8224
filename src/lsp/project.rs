//! The project the checks run on, owned by the worker thread: the config files of the
//! workspace folders as read from disk, overridden by the text of open buffers.

use super::convert::{self, FixEdit};
use crate::discover::{decode, discover, MAX_FILE_BYTES};
use crate::formats::detect::{name_hint, NameHint};
use crate::source::FileId;
use crate::{Settings, Workspace};
use lsp_types as lsp;
use lsp_types::Url;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A change to the project, in the order the client made it.
#[derive(Debug, Clone)]
pub enum Update {
    Settings(Settings),
    /// The directory whose `redis-halint.toml` files apply (the nearest one to each
    /// file, as `check` reads them), or none; sent again when a config file changes.
    Configs(Option<PathBuf>),
    AddFolder(PathBuf),
    RemoveFolder(PathBuf),
    /// A buffer was opened or its text changed.
    Open {
        uri: Url,
        path: PathBuf,
        version: i32,
        text: Arc<str>,
        explicit: bool,
    },
    Close {
        path: PathBuf,
    },
    /// A file changed or appeared on disk (file watcher, save).
    DiskChanged(PathBuf),
    DiskDeleted(PathBuf),
}

#[derive(Debug)]
struct Buffer {
    version: i32,
    text: Arc<str>,
    explicit: bool,
}

#[derive(Debug)]
struct FileState {
    uri: Url,
    disk: Option<Arc<str>>,
    buffer: Option<Buffer>,
}

impl FileState {
    fn text(&self) -> Option<(&Arc<str>, bool)> {
        match (&self.buffer, &self.disk) {
            (Some(b), _) => Some((&b.text, b.explicit)),
            (None, Some(d)) => Some((d, false)),
            (None, None) => None,
        }
    }
}

/// Diagnostics of one document, with the version of the buffer they were computed from
/// (`None` for a file that is not open).
#[derive(Debug, Clone, PartialEq)]
pub struct DocResult {
    pub uri: Url,
    pub version: Option<i32>,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub diagnostic: lsp::Diagnostic,
    pub fix: Option<FixEdit>,
}

pub struct Project {
    workspace: Workspace,
    /// The config files of the folders, read as `check` reads them.
    resolver: Option<crate::settings::Resolver>,
    roots: Vec<PathBuf>,
    /// By absolute path (or the pseudo-path of a non-file buffer).
    files: BTreeMap<PathBuf, FileState>,
}

impl Project {
    pub fn new(settings: Settings) -> Project {
        Project {
            workspace: Workspace::new(settings),
            resolver: None,
            roots: Vec::new(),
            files: BTreeMap::new(),
        }
    }

    /// Notes for the client (unreadable folders and files).
    pub fn apply(&mut self, update: Update) -> Vec<String> {
        let mut notes = Vec::new();
        match update {
            Update::Settings(settings) => self.workspace.set_settings(settings),
            Update::Configs(root) => {
                self.resolver = root.map(|r| crate::settings::Resolver::new(r, None));
            }
            Update::AddFolder(root) => {
                if !self.roots.contains(&root) {
                    self.roots.push(root.clone());
                    let found = discover(std::slice::from_ref(&root), None);
                    notes.extend(found.errors);
                    for input in found.inputs {
                        let uri = convert::uri_of(&input.path);
                        let Some(uri) = uri else { continue };
                        let state = self.files.entry(input.path).or_insert(FileState {
                            uri,
                            disk: None,
                            buffer: None,
                        });
                        state.disk = Some(input.text.into());
                    }
                    self.rebuild();
                }
            }
            Update::RemoveFolder(root) => {
                self.roots.retain(|r| r != &root);
                let orphans: Vec<PathBuf> = self
                    .files
                    .keys()
                    .filter(|p| p.starts_with(&root) && !self.under_root(p))
                    .cloned()
                    .collect();
                for path in orphans {
                    if let Some(state) = self.files.get_mut(&path) {
                        state.disk = None;
                    }
                }
                self.files.retain(|_, f| f.text().is_some());
                self.rebuild();
            }
            Update::Open {
                uri,
                path,
                version,
                text,
                explicit,
            } => {
                let state = self.files.entry(path.clone()).or_insert(FileState {
                    uri: uri.clone(),
                    disk: None,
                    buffer: None,
                });
                state.uri = uri;
                state.buffer = Some(Buffer {
                    version,
                    text,
                    explicit,
                });
                self.sync(&path);
            }
            Update::Close { path } => {
                if let Some(state) = self.files.get_mut(&path) {
                    state.buffer = None;
                    if let Some(uri) = convert::uri_of(&path) {
                        state.uri = uri;
                    }
                }
                // The buffer may have been saved: what counts now is the disk.
                self.reload(&path);
                self.sync(&path);
            }
            Update::DiskChanged(path) => {
                if self.files.get(&path).is_some_and(|f| f.buffer.is_some()) {
                    return notes; // an open buffer wins over the disk
                }
                self.reload(&path);
                self.sync(&path);
            }
            Update::DiskDeleted(path) => {
                if let Some(state) = self.files.get_mut(&path) {
                    state.disk = None;
                }
                self.sync(&path);
            }
        }
        notes
    }

    fn under_root(&self, path: &Path) -> bool {
        self.roots.iter().any(|r| path.starts_with(r))
    }

    /// Read a file of a workspace folder from disk, if it is one redis-halint reads.
    fn reload(&mut self, path: &Path) {
        let known = self.files.get(path).is_some_and(|f| f.disk.is_some());
        let wanted = known || (self.under_root(path) && name_hint(path) != NameHint::NotConf);
        let text = if wanted { read(path) } else { None };
        match self.files.get_mut(path) {
            Some(state) => state.disk = text,
            None => {
                if let (Some(text), Some(uri)) = (text, convert::uri_of(path)) {
                    self.files.insert(
                        path.to_path_buf(),
                        FileState {
                            uri,
                            disk: Some(text),
                            buffer: None,
                        },
                    );
                }
            }
        }
    }

    /// The name a file has in the workspace (and so in messages): relative to the one
    /// workspace folder that holds it, absolute otherwise.
    fn name(&self, path: &Path) -> PathBuf {
        Self::name_in(&self.roots, path)
    }

    fn name_in(roots: &[PathBuf], path: &Path) -> PathBuf {
        if let [root] = roots {
            if let Ok(rel) = path.strip_prefix(root) {
                if !rel.as_os_str().is_empty() {
                    return rel.to_path_buf();
                }
            }
        }
        path.to_path_buf()
    }

    /// Bring one file of the workspace in line with its state.
    fn sync(&mut self, path: &Path) {
        let name = self.name(path);
        match self.files.get(path).and_then(FileState::text) {
            Some((text, explicit)) => {
                let text = text.clone();
                self.workspace.set_file(name, text, explicit);
            }
            None => {
                self.workspace.remove_file(&name);
                self.files.remove(path);
            }
        }
    }

    /// Names depend on the folders: start the workspace over.
    fn rebuild(&mut self) {
        let mut workspace = Workspace::new(self.workspace.settings().clone());
        for (path, state) in &self.files {
            if let Some((text, explicit)) = state.text() {
                workspace.set_file(self.name(path), text.clone(), explicit);
            }
        }
        self.workspace = workspace;
    }

    pub fn file_count(&self) -> usize {
        self.files.len()
    }

    /// Check everything; keep what open documents take part in: findings in an open file,
    /// and findings in other files that have a label in an open file (published for that
    /// file, and mirrored at the label in the open one).
    pub fn check(&mut self) -> Vec<DocResult> {
        // What `check` reads beyond the files: overlay bases, chart and Jinja renders,
        // made again from the files as they are now.
        self.workspace.retract();
        self.workspace.expand();
        let mut diagnostics = self.workspace.check();
        if let Some(resolver) = &mut self.resolver {
            // The settings `check` applies: selection, per-file ignores and severities of
            // the nearest redis-halint.toml of each file.
            // Names are relative to the one workspace folder, or absolute (`name_in`).
            let (workspace, roots) = (&self.workspace, &self.roots);
            let path_of = |file: FileId| -> Option<PathBuf> {
                let name = &workspace.source(file)?.path;
                Some(match roots.as_slice() {
                    [root] if name.is_relative() => root.join(name),
                    _ => name.clone(),
                })
            };
            diagnostics = crate::apply::apply_settings_leniently(diagnostics, &path_of, resolver);
        }
        let mut uris: HashMap<FileId, Url> = HashMap::new();
        let mut open: HashMap<FileId, i32> = HashMap::new();
        let mut out: BTreeMap<Url, DocResult> = BTreeMap::new();
        for (path, state) in &self.files {
            let Some(id) = self.workspace.file_id(&self.name(path)) else {
                continue;
            };
            uris.insert(id, state.uri.clone());
            if let Some(buffer) = &state.buffer {
                open.insert(id, buffer.version);
                out.insert(
                    state.uri.clone(),
                    DocResult {
                        uri: state.uri.clone(),
                        version: Some(buffer.version),
                        items: Vec::new(),
                    },
                );
            }
        }
        let files = convert::Files {
            workspace: &self.workspace,
            uris: &uris,
        };
        for d in &diagnostics {
            let primary_open = open.contains_key(&d.span.file);
            let mut mirror_at: Vec<usize> = Vec::new();
            if !primary_open {
                for (i, label) in d.related.iter().enumerate() {
                    let file = label.span.file;
                    if open.contains_key(&file)
                        && !mirror_at.iter().any(|&j| d.related[j].span.file == file)
                    {
                        mirror_at.push(i);
                    }
                }
                if mirror_at.is_empty() {
                    continue;
                }
            }
            let Some(uri) = uris.get(&d.span.file) else {
                continue;
            };
            let fix = d
                .fix
                .as_ref()
                .and_then(|f| convert::fix(&files, d.rule.name(), f));
            let mut push = |uri: &Url, version: Option<i32>, diagnostic: lsp::Diagnostic| {
                let doc = out.entry(uri.clone()).or_insert_with(|| DocResult {
                    uri: uri.clone(),
                    version,
                    items: Vec::new(),
                });
                let item = Item {
                    diagnostic,
                    fix: fix.clone(),
                };
                if !doc.items.contains(&item) {
                    doc.items.push(item);
                }
            };
            if let Some(diagnostic) = convert::diagnostic(&files, d) {
                push(uri, open.get(&d.span.file).copied(), diagnostic);
            }
            for i in mirror_at {
                let file = d.related[i].span.file;
                if let (Some(at), Some(diagnostic)) =
                    (uris.get(&file), convert::mirrored(&files, d, i))
                {
                    push(at, open.get(&file).copied(), diagnostic);
                }
            }
        }
        out.into_values().collect()
    }
}

fn read(path: &Path) -> Option<Arc<str>> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_FILE_BYTES {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return None;
    }
    Some(decode(&bytes).into())
}
