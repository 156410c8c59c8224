//! The workspace: the set of files checked together, their cached parses, and `check()`.

use crate::diagnostic::Diagnostic;
use crate::facts::service::{ConfigRef, Process};
use crate::formats::compose::{self, ComposeFile};
use crate::formats::conf::{name_hints, ConfFile};
use crate::formats::detect::{classify, FileKind};
use crate::formats::k8s_link::{container_facts, EmbeddedConfs};
use crate::formats::kubernetes::embedded_configs;
use crate::formats::script::{self, is_script};
use crate::formats::systemd::{self as units, unit_kind, UnitFile, UnitKind};
use crate::formats::units::{ComposeUnit, Units as FormatUnits};
use crate::formats::workload::{self, Container};
use crate::knowledge::Target;
use crate::model::topology::ConfigMount;
use crate::model::{link::link_scoped, Topology};
use crate::rules::{self, Context, Rule};
use crate::source::scope::{NearestIndex, SuffixIndex};
use crate::source::{FileId, SourceFile, Span};
use crate::syntax::redis_conf;
use crate::syntax::yaml::{self, YamlError};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub target: Target,
    /// Disregard `# redis-halint: ignore[…]` comments (and report nothing about them).
    pub ignore_inline_suppressions: bool,
    /// Processes of named groups that run outside the checked tree (`[topology.groups]`):
    /// (master name, sentinels, replicas).
    pub elsewhere: Vec<(String, crate::model::topology::Elsewhere)>,
    /// The failure domains of `[topology] sites`.
    pub sites: Vec<crate::model::sites::Site>,
}

impl Settings {
    /// With the facts of a `[topology]` table (processes elsewhere, sites), as `check`,
    /// `topology`, the language server and the tests read them.
    pub fn with_topology(mut self, topology: Option<&crate::settings::Topology>) -> Settings {
        if let Some(t) = topology {
            self.elsewhere = t.elsewhere();
            self.sites = t.sites();
        }
        self
    }
}

struct Entry {
    source: SourceFile,
    /// The user named this file; it is read even if its name does not look like a config.
    explicit: bool,
    /// Text that only reports show (what a live server answered): never read as input.
    shown_only: bool,
    parsed: OnceLock<Parsed>,
    /// Whether the text names the tool (inline suppressions), noted before the text of a
    /// config is released; `None` while the text is held (it is searched when asked).
    names_tool: Option<bool>,
}

/// What one file holds: Redis configs (one for a .conf, any number embedded in a
/// manifest or written by a script's here-documents), units and drop-ins, the redis
/// commands a script runs, compose services and Kubernetes containers and resources.
#[derive(Default)]
struct Parsed {
    confs: Vec<Arc<ConfFile>>,
    units: Vec<Arc<UnitFile>>,
    commands: Vec<script::ScriptCommand>,
    /// For a script file: which of `commands` run in which environment.
    script_flow: Option<crate::formats::script_flow::Flow>,
    /// Start scripts kept in ConfigMap keys, (object name, key), with the redis program
    /// each ends by running.
    script_starts: Vec<((String, String), crate::formats::workload::Invocation)>,
    /// A kustomization file: what its build changes.
    kustomization: Option<crate::formats::kustomize::Kustomization>,
    secret_spans: Vec<Span>,
    yaml_error: Option<YamlError>,
    compose: Option<ComposeFile>,
    containers: Vec<Container>,
    resources: Vec<crate::formats::units::Resource>,
    /// Values files kept in ConfigMaps and Secrets, for Flux `valuesFrom`.
    values_sources: Vec<crate::formats::units::ValuesSource>,
    cluster: crate::facts::cluster::Cluster,
    dockerfile: Option<crate::formats::dockerfile::Dockerfile>,
    runtime_sets: Vec<crate::facts::RuntimeSet>,
    cluster_creates: Vec<crate::facts::sharding::ClusterCreate>,
}

/// Where `include` lines may point; see `Workspace::include_targets`.
struct IncludeTargets<'a> {
    confs: Vec<&'a ConfFile>,
    by_path: HashMap<&'a Path, usize>,
    by_suffix: SuffixIndex<'a>,
    by_name_dir: HashMap<(&'a std::ffi::OsStr, Option<&'a Path>), Vec<usize>>,
}

/// Process configs with where they live, for linking the commands of units and scripts
/// to them: by path suffix and by (file name, directory of the file that holds them).
struct Located<'a> {
    refs: Vec<ConfigRef>,
    by_suffix: SuffixIndex<'a>,
    by_name_dir: HashMap<(&'a std::ffi::OsStr, Option<&'a Path>), Vec<usize>>,
}

impl<'a> Located<'a> {
    fn new(list: &'a [(PathBuf, FileId, ConfigRef)], path_of: impl Fn(FileId) -> &'a Path) -> Self {
        let mut located = Located {
            refs: Vec::with_capacity(list.len()),
            by_suffix: SuffixIndex::new(),
            by_name_dir: HashMap::new(),
        };
        for (i, (path, file, r)) in list.iter().enumerate() {
            located.refs.push(*r);
            located.by_suffix.insert(path, i);
            if let Some(name) = path.file_name() {
                located
                    .by_name_dir
                    .entry((name, path_of(*file).parent()))
                    .or_default()
                    .push(i);
            }
        }
        located
    }
}

fn is_yaml(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "yaml" || e == "yml")
}

impl Entry {
    fn parsed(&self) -> &Parsed {
        self.parsed.get_or_init(|| {
            let mut parsed = self.read_formats();
            // Run-time `SENTINEL SET`s: in scripts, manifests, compose files, programs;
            // never in a config file (the parser refuses them there).
            if parsed
                .confs
                .iter()
                .all(|c| c.embedded || c.written_to.is_some())
                && !self.shown_only
                && !crate::settings::is_config_file(&self.source.path)
            {
                parsed.runtime_sets =
                    crate::formats::runtime_commands::find(self.source.id, self.source.text());
                parsed.cluster_creates =
                    crate::formats::cluster_create::find(self.source.id, self.source.text());
                if let Some(compose) = &parsed.compose {
                    parsed.cluster_creates.extend(
                        crate::formats::compose::bitnami_cluster_creates(
                            self.source.id,
                            self.source.text(),
                            compose,
                        ),
                    );
                }
            }
            parsed
        })
    }

    /// What the file holds in each format it can be read as.
    fn read_formats(&self) -> Parsed {
        let source = &self.source;
        // redis-halint.toml files are settings, validated on their own.
        if self.shown_only || crate::settings::is_config_file(&source.path) {
            return Parsed::default();
        }
        if let Some(kind) = unit_kind(&source.path) {
            let path = source.path.to_string_lossy();
            return Parsed {
                units: vec![Arc::new(UnitFile::parse(
                    source.id,
                    &path,
                    kind,
                    source.text(),
                ))],
                ..Parsed::default()
            };
        }
        if crate::formats::dockerfile::is_dockerfile(&source.path) {
            return Parsed {
                dockerfile: Some(crate::formats::dockerfile::read(source.text())),
                ..Parsed::default()
            };
        }
        if crate::formats::kustomize::is_kustomization(&source.path) {
            let yaml = yaml::parse(source.text());
            let kustomization = crate::formats::kustomize::read(source.id, source.text(), &yaml);
            // A generated Secret is a Secret of the deployment: its values are compared
            // with the passwords that reference them, and masked wherever shown.
            let mut cluster = crate::facts::cluster::Cluster::default();
            let mut secret_spans = Vec::new();
            for (name, key, value, at) in &kustomization.secret_literals {
                cluster.secrets.push((
                    name.clone(),
                    key.clone(),
                    crate::facts::Password::from_value(value),
                ));
                secret_spans.push(Span::new(source.id, at.start, at.end));
            }
            // Passwords of inline patches (already at their places in this file).
            for patch in &kustomization.patches {
                if let crate::formats::kustomize::Patch::Object(p) = patch {
                    let mut values = Vec::new();
                    crate::formats::units::password_values(&p.doc, &mut values);
                    secret_spans.extend(
                        values
                            .into_iter()
                            .map(|v| Span::new(source.id, v.span.start, v.span.end)),
                    );
                }
            }
            return Parsed {
                kustomization: Some(kustomization),
                cluster,
                secret_spans,
                yaml_error: yaml.error,
                ..Parsed::default()
            };
        }
        if is_yaml(&source.path) {
            let yaml = yaml::parse(source.text());
            let confs = embedded_configs(source.id, &source.path, source.shared_text(), &yaml)
                .into_iter()
                .map(Arc::new)
                .collect();
            let compose = compose::read(source.id, &source.path, source.text(), &yaml);
            let containers = workload::containers(source.text(), &yaml);
            // Configs that start scripts write with here-documents, once each (every
            // container of a pod carries its initContainers' writes).
            let mut confs: Vec<Arc<ConfFile>> = confs;
            let mut seen = HashSet::new();
            for c in &containers {
                for w in c.written.iter().chain(&c.pod.init_written) {
                    if seen.insert(w.source.clone()) {
                        let mut conf = ConfFile::from_tree(source.id, w.kind, w.tree.clone());
                        conf.embedded = true;
                        conf.embedded_in = Some(w.source.clone());
                        confs.push(Arc::new(conf));
                    }
                }
            }
            // Start scripts kept in ConfigMaps: their configs and commands.
            let mut commands = Vec::new();
            let mut script_secrets = Vec::new();
            let mut script_starts = Vec::new();
            for (key, script) in
                crate::formats::kubernetes::embedded_scripts(source.id, source.text(), &yaml)
            {
                if let Some(start) = script
                    .commands
                    .last()
                    .map(script::ScriptCommand::invocation)
                {
                    script_starts.push((key, start));
                }
                confs.extend(script.confs.into_iter().map(Arc::new));
                commands.extend(script.commands);
                script_secrets.extend(script.secret_spans);
            }
            let resources = crate::formats::kubernetes::resources(source.id, source.text(), &yaml);
            let values_sources =
                crate::formats::kubernetes::values_sources(source.id, source.text(), &yaml);
            let mut cluster = crate::facts::cluster::Cluster::default();
            crate::formats::kubernetes::cluster(source.id, &yaml, &mut cluster);
            let mut secret_spans =
                crate::formats::kubernetes::secret_value_spans(source.id, source.text(), &yaml);
            secret_spans.extend(script_secrets);
            // A file may be a Kustomize patch of a release: its passwords too.
            secret_spans.extend(
                crate::formats::kustomize::patch_secret_spans(&yaml)
                    .into_iter()
                    .map(|r| Span::new(source.id, r.start, r.end)),
            );
            return Parsed {
                secret_spans,
                commands,
                script_starts,
                cluster,
                confs,
                yaml_error: yaml.error,
                compose,
                containers,
                resources,
                values_sources,
                ..Parsed::default()
            };
        }
        if is_script(&source.path, source.text()) {
            let script = script::read(source.id, source.shared_text());
            return Parsed {
                confs: script.confs.into_iter().map(Arc::new).collect(),
                units: script.units.into_iter().map(Arc::new).collect(),
                commands: script.commands,
                secret_spans: script.secret_spans,
                script_flow: Some(script.flow),
                ..Parsed::default()
            };
        }
        let tree = redis_conf::parse(source.text());
        let Some(kind) = classify(&source.path, &tree, self.explicit) else {
            return Parsed::default();
        };
        Parsed {
            confs: vec![Arc::new(ConfFile::from_tree(source.id, kind, tree))],
            ..Parsed::default()
        }
    }

    fn names_tool(&self) -> bool {
        self.names_tool
            .unwrap_or_else(|| self.source.text().contains("redis-halint"))
    }

    /// A plain redis.conf or sentinel.conf: after parsing, nothing but a report or a fix
    /// reads its text again (manifests, compose files and scripts are read again when
    /// linking containers and commands).
    fn is_plain_config(&self) -> bool {
        let parsed = self.parsed();
        matches!(parsed.confs.as_slice(), [conf] if conf.file == self.source.id && conf.written_to.is_none() && !conf.embedded)
            && parsed.units.is_empty()
            && parsed.commands.is_empty()
            && parsed.compose.is_none()
            && parsed.containers.is_empty()
            && parsed.resources.is_empty()
    }

    /// The config this file is, when it is one (not one a script writes).
    fn whole_conf(&self) -> Option<&Arc<ConfFile>> {
        self.parsed()
            .confs
            .first()
            .filter(|c| c.written_to.is_none())
    }
}

/// The files of a workspace by id. Ids are small and dense (0, 1, 2, …, never reused
/// for another path), so a vector is the map.
#[derive(Default)]
struct Entries(Vec<Option<Entry>>);

impl Entries {
    fn get(&self, id: &FileId) -> Option<&Entry> {
        self.0.get(id.0 as usize)?.as_ref()
    }

    fn insert(&mut self, id: FileId, entry: Entry) {
        let i = id.0 as usize;
        if self.0.len() <= i {
            self.0.resize_with(i + 1, || None);
        }
        self.0[i] = Some(entry);
    }

    fn get_mut(&mut self, id: &FileId) -> Option<&mut Entry> {
        self.0.get_mut(id.0 as usize)?.as_mut()
    }

    fn remove(&mut self, id: &FileId) -> Option<Entry> {
        self.0.get_mut(id.0 as usize)?.take()
    }

    fn values(&self) -> impl Iterator<Item = &Entry> {
        self.0.iter().flatten()
    }
}

impl std::ops::Index<&FileId> for Entries {
    type Output = Entry;

    fn index(&self, id: &FileId) -> &Entry {
        self.get(id).expect("a file of the workspace")
    }
}

#[derive(Default)]
pub struct Workspace {
    settings: Settings,
    entries: Entries,
    /// In path order: every result is sorted by path.
    by_path: BTreeMap<PathBuf, FileId>,
    next_id: u32,
    /// The previous revision's deployment, for the history rules.
    history: Option<crate::model::history::History>,
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

    /// Compare with an earlier revision of the same files: its deployment is built here,
    /// with the same settings, and kept as the history rules read it.
    pub fn set_previous(&mut self, revision: crate::history::Revision) {
        // Nothing removed or changed since: no count can have gone down.
        let unchanged = revision.files.iter().all(|(path, text)| {
            self.by_path
                .get(path)
                .and_then(|id| self.source(*id))
                .is_some_and(|s| s.text() == text)
        });
        if unchanged {
            return;
        }
        let mut before = Workspace::new(self.settings.clone());
        for (path, text) in revision.files {
            before.set_file(path, text, false);
        }
        self.history = Some(crate::model::history::History::of(
            revision.name,
            &before.topology(),
        ));
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
        self.set_file_from_disk(path, text, explicit, None)
    }

    /// [`Workspace::set_file`] for a text read from disk: with its stamp, the text can be
    /// released after parsing ([`Workspace::release_config_texts`]).
    pub fn set_file_from_disk(
        &mut self,
        path: impl Into<PathBuf>,
        text: impl Into<Arc<str>>,
        explicit: bool,
        stamp: Option<crate::source::DiskStamp>,
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
                source: match stamp {
                    Some(stamp) => SourceFile::from_disk(id, path, text, stamp),
                    None => SourceFile::new(id, path, text),
                },
                explicit,
                shown_only: false,
                parsed: OnceLock::new(),
                names_tool: None,
            },
        );
        id
    }

    /// Add a text that diagnostics may point into but that is never read as a config:
    /// what a running sentinel or server answered (`redis-halint verify`). `name` is
    /// shown where a file path would be, e.g. `redis-sentinel://10.0.0.1:26379`.
    pub fn set_shown_only(
        &mut self,
        name: impl Into<PathBuf>,
        text: impl Into<Arc<str>>,
    ) -> FileId {
        let id = self.set_file(name, text, false);
        if let Some(entry) = self.entries.get_mut(&id) {
            entry.shown_only = true;
        }
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
        self.entries.get(&id)?.whole_conf().map(|c| c.kind)
    }

    /// Offset of Sentinel's `# Generated by CONFIG REWRITE` marker: state written by
    /// Redis itself, never a place for fixes.
    pub fn rewrite_region_start(&self, id: FileId) -> Option<usize> {
        self.entries.get(&id)?.whole_conf()?.tree.rewrite_marker
    }

    /// Byte ranges of secret values in a file (passwords), to be masked in any output.
    pub fn secret_spans(&self, id: FileId) -> Vec<Span> {
        let Some(entry) = self.entries.get(&id) else {
            return Vec::new();
        };
        let parsed = entry.parsed();
        let mut spans = parsed.secret_spans.clone();
        for create in &parsed.cluster_creates {
            spans.extend(create.secrets.iter().copied());
        }
        for conf in &parsed.confs {
            spans.extend(conf.secret_spans());
        }
        // Passwords written in chart values and resources (`auth.password`, also inside
        // an Argo CD `helm.values` string).
        for r in &parsed.resources {
            spans.extend(r.secret_spans().into_iter().filter(|s| s.file == id));
        }
        if let Some(compose) = &parsed.compose {
            for service in &compose.services {
                spans.extend(service.options.secret_spans());
            }
            for service in compose.services.iter().chain(&compose.others) {
                spans.extend(
                    service
                        .secret_spans
                        .iter()
                        .map(|r| Span::new(id, r.start, r.end)),
                );
            }
        }
        spans
    }

    /// Files in path order, so every result is deterministic.
    fn sorted_ids(&self) -> Vec<FileId> {
        self.by_path.values().copied().collect()
    }

    fn parse_all(&self) -> Vec<Arc<ConfFile>> {
        let ids = self.sorted_ids();
        let parsed: Vec<&Parsed> = ids.par_iter().map(|id| self.entries[id].parsed()).collect();
        parsed
            .iter()
            .flat_map(|p| p.confs.iter().cloned())
            .collect()
    }

    /// Units and drop-ins of every file, in path order (parsed by `parse_all`).
    fn all_units(&self) -> Vec<Arc<UnitFile>> {
        self.sorted_ids()
            .iter()
            .flat_map(|id| self.entries[id].parsed().units.iter().cloned())
            .collect()
    }

    /// Files that the kustomizations of the workspace build on but that lie outside the
    /// checked paths (`check overlays/prod` reads `../../base`): read from disk, so that
    /// each overlay is checked as the deployment it builds.
    pub fn load_kustomize_inputs(&mut self) {
        use crate::formats::kustomize::{is_kustomization, is_remote, Patch};
        let known = |ws: &Workspace| -> HashSet<PathBuf> {
            ws.by_path.keys().map(|p| compose::normalize(p)).collect()
        };
        let mut have = known(self);
        let mut work: Vec<FileId> = self
            .by_path
            .iter()
            .filter(|(p, _)| is_kustomization(p))
            .map(|(_, id)| *id)
            .collect();
        let mut budget = 2000;
        while let Some(id) = work.pop() {
            let Some(k) = self
                .entries
                .get(&id)
                .and_then(|e| e.parsed().kustomization.clone())
            else {
                continue;
            };
            let root = self.dir_of(id).to_path_buf();
            let mut wanted: Vec<PathBuf> = k
                .resources
                .iter()
                .filter(|(r, _)| !is_remote(r))
                .map(|(r, _)| compose::normalize(&root.join(r)))
                .collect();
            wanted.extend(
                k.generated
                    .iter()
                    .map(|(_, _, path)| compose::normalize(&root.join(path))),
            );
            wanted.extend(k.patches.iter().filter_map(|p| match p {
                Patch::File { path, .. } => Some(compose::normalize(&root.join(path))),
                Patch::Replicas { .. } | Patch::Object(_) => None,
            }));
            for path in wanted {
                let file = if path.is_dir() {
                    match crate::formats::kustomize::KUSTOMIZATION_NAMES
                        .iter()
                        .map(|n| path.join(n))
                        .find(|p| p.is_file())
                    {
                        Some(f) => f,
                        None => continue,
                    }
                } else {
                    path
                };
                if have.contains(&file) || budget == 0 {
                    continue;
                }
                budget -= 1;
                let Ok(text) = std::fs::read_to_string(&file) else {
                    continue;
                };
                have.insert(file.clone());
                let stamp = std::fs::metadata(&file)
                    .ok()
                    .map(|m| crate::source::DiskStamp::of(&m));
                let new = self.set_file_from_disk(file.clone(), text, false, stamp);
                if is_kustomization(&file) {
                    work.push(new);
                }
            }
        }
    }

    /// Values files laid over a chart's values: `values-prod.yaml`, `values.prod.yaml` or
    /// `prod-values.yaml` beside a `values.yaml` of a known chart is deployed as
    /// `helm … -f values.yaml -f values-prod.yaml`, so each such file becomes one values
    /// resource merged over `values.yaml` (its findings at the line of the value that won),
    /// and `values.yaml` alone is not a deployment of its own.
    fn layered_values(
        &self,
        mut resources: Vec<crate::formats::units::Resource>,
    ) -> Vec<crate::formats::units::Resource> {
        let bases: Vec<usize> = resources
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                r.is_chart_values()
                    && r.name.is_none()
                    && self.entries.get(&r.file).is_some_and(|e| {
                        e.source
                            .path
                            .file_name()
                            .is_some_and(|n| n == "values.yaml" || n == "values.yml")
                    })
            })
            .map(|(i, _)| i)
            .collect();
        if bases.is_empty() {
            return resources;
        }
        // Values overlays of the tree by folder, found once.
        let mut overlays_in: HashMap<&Path, Vec<FileId>> = HashMap::new();
        for (path, id) in &self.by_path {
            if is_values_overlay(path) {
                let dir = path.parent().unwrap_or(Path::new(""));
                overlays_in.entry(dir).or_default().push(*id);
            }
        }
        let mut replaced: HashSet<FileId> = HashSet::new();
        let mut layered = Vec::new();
        for b in bases {
            let base = resources[b].clone();
            let dir = self.dir_of(base.file);
            let overlays = overlays_in.get(dir).cloned().unwrap_or_default();
            for id in overlays.into_iter().filter(|id| *id != base.file) {
                let text = self.entries[&id].source.text();
                let parsed = yaml::parse(text);
                let Some(over) = parsed.documents.first() else {
                    continue;
                };
                if over.get("apiVersion").is_some() || over.get("kind").is_some() {
                    continue;
                }
                let mut r = base.clone();
                r.object = Arc::new(yaml::layered(&base.object, over));
                r.file = id;
                r.lower_files = vec![base.file];
                layered.push(r);
                replaced.insert(id);
                replaced.insert(base.file);
            }
        }
        if layered.is_empty() {
            return resources;
        }
        resources.retain(|r| !(r.is_chart_values() && replaced.contains(&r.file)));
        resources.extend(layered);
        resources
    }

    /// Flux releases whose values come (in part) from ConfigMaps and Secrets: the values
    /// found in the tree lie beneath the inline ones (one such object: its lines are
    /// where findings point); the chart is then recognised from the merged values. A
    /// release whose values cannot all be read is not judged: its count or quorum may be
    /// in what is missing.
    fn values_from(
        &self,
        resources: Vec<crate::formats::units::Resource>,
    ) -> Vec<crate::formats::units::Resource> {
        use crate::formats::units::PENDING_VALUES;
        if !resources.iter().any(|r| r.api_group == PENDING_VALUES) {
            return resources;
        }
        let sources: Vec<&crate::formats::units::ValuesSource> = self
            .sorted_ids()
            .iter()
            .flat_map(|id| self.entries[id].parsed().values_sources.iter())
            .collect();
        let mut out = Vec::with_capacity(resources.len());
        let mut used: HashSet<FileId> = HashSet::new();
        for mut r in resources {
            if r.api_group != PENDING_VALUES {
                out.push(r);
                continue;
            }
            let mut found = Vec::new();
            let mut missing = false;
            for v in &r.values_from {
                // The nearest object of that name: copies of a deployment in sibling
                // folders each read their own.
                let here = self.dir_of(r.file);
                let hit = sources
                    .iter()
                    .filter(|s| {
                        s.kind == v.kind
                            && s.name == v.name
                            && s.key == v.key
                            && match (&s.namespace, &r.namespace) {
                                (Some(a), Some(b)) => a == b,
                                _ => true,
                            }
                    })
                    .max_by_key(|s| {
                        let there = self.dir_of(s.file);
                        let shared = here
                            .components()
                            .zip(there.components())
                            .take_while(|(a, b)| a == b)
                            .count();
                        (shared, std::cmp::Reverse(there.components().count()))
                    });
                match hit {
                    Some(s) => found.push(*s),
                    None if v.optional => {}
                    None => missing = true,
                }
            }
            // Several objects would put lines of several files in one layer.
            if missing || found.len() > 1 {
                continue;
            }
            if let Some(source) = found.first() {
                r.object = Arc::new(yaml::layered(&source.values, &r.object));
                r.lower_files = vec![source.file];
            }
            if !r.value_files.is_empty() {
                // Every file must be read: a count or quorum may be in any of them.
                let Some(files) = self.argo_value_files(&mut r) else {
                    continue;
                };
                used.extend(files.iter().copied());
                let mut layers = files.iter().filter_map(|&id| {
                    let doc = yaml::parse(self.entries[&id].source.text())
                        .documents
                        .into_iter()
                        .next()?;
                    Some((id, doc))
                });
                let Some((first, mut merged)) = layers.next() else {
                    continue;
                };
                let mut lower = vec![first];
                for (id, doc) in layers {
                    merged = yaml::layered(&merged, &doc);
                    lower.insert(0, id);
                }
                r.object = Arc::new(yaml::layered(&merged, &r.object));
                r.lower_files = lower;
            }
            let Some((group, kind, name)) =
                crate::formats::kubernetes::chart_values(&r.kind, &r.object, r.name.clone())
            else {
                continue;
            };
            r.api_group = group.to_string();
            r.kind = kind.to_string();
            r.name = name;
            r.values_from.clear();
            out.push(r);
        }
        // A values file a release reads is part of that release, not a deployment alone.
        out.retain(|r| !(r.is_chart_values() && used.contains(&r.file)));
        out
    }

    /// The values files of an Argo CD release, bottom first: the chart's `values.yaml`
    /// when the chart is kept in the repository (`path`), then each of `valueFiles`. A
    /// `$ref/path` entry names a file of a repository source: found in the tree by its
    /// path, the match nearest to the release. `None` when one cannot be found (a file
    /// of a chart package, another repository): the release is then not judged. Sets the
    /// chart's name from its `Chart.yaml` for a chart kept in the repository.
    fn argo_value_files(&self, r: &mut crate::formats::units::Resource) -> Option<Vec<FileId>> {
        let near = self.dir_of(r.file).to_path_buf();
        let find = |wanted: &Path| -> Option<FileId> {
            let wanted = compose::normalize(wanted);
            self.by_path
                .iter()
                .filter(|(p, _)| compose::normalize(p).ends_with(&wanted))
                .max_by_key(|(p, _)| {
                    p.components()
                        .zip(near.components())
                        .take_while(|(a, b)| a == b)
                        .count()
                })
                .map(|(_, id)| *id)
        };
        let mut out = Vec::new();
        if let Some(chart_path) = r.chart_path.clone() {
            let chart_dir = Path::new(chart_path.trim_start_matches("./"));
            let chart_yaml = find(&chart_dir.join("Chart.yaml"))?;
            if r.kind.is_empty() {
                let doc = yaml::parse(self.entries[&chart_yaml].source.text());
                r.kind = doc.documents.first()?.get_str("name")?.to_string();
            }
            out.extend(find(&chart_dir.join("values.yaml")));
        }
        for file in &r.value_files {
            let path = match file.strip_prefix('$') {
                Some(rest) => PathBuf::from(rest.split_once('/')?.1),
                None => Path::new(r.chart_path.as_deref()?).join(file),
            };
            out.push(find(&path)?);
        }
        Some(out)
    }

    /// Operator resources and GitOps releases as each Kustomize overlay deploys them: an
    /// object a build patches (a HelmRelease's `replicaCount`, a RedisFailover's sentinel
    /// count) becomes, for that build, the object with its patches laid over it, the
    /// patch's lines on top and the base's beneath. The object as the base writes it stays
    /// a deployment only while some build deploys it unpatched.
    fn kustomize_patched(
        &self,
        mut resources: Vec<crate::formats::units::Resource>,
        builds: &[crate::formats::kustomize::Build],
    ) -> Vec<crate::formats::units::Resource> {
        use crate::formats::kustomize::ObjectPatch;
        if builds.iter().all(|b| b.object_patches.is_empty()) {
            return resources;
        }
        // (file, object name) → per object kind: how many top builds deploy it, and how
        // many patch it.
        type PerKind = Vec<(String, usize, usize)>;
        let mut deployed: HashMap<(FileId, String), PerKind> = HashMap::new();
        let mut patched = Vec::new();
        // Each base file is parsed once, whatever the number of overlays.
        let mut parsed_files: HashMap<FileId, yaml::YamlFile> = HashMap::new();
        for build in builds.iter().filter(|b| b.top) {
            let mut files: Vec<FileId> = build.files.iter().copied().collect();
            files.sort_unstable();
            for file in files {
                let Some(entry) = self.entries.get(&file) else {
                    continue;
                };
                if entry.parsed().resources.is_empty() {
                    continue;
                }
                let text = entry.source.text();
                let parsed = parsed_files
                    .entry(file)
                    .or_insert_with(|| yaml::parse(text));
                for doc in &parsed.documents {
                    for object in crate::formats::kubernetes::objects(doc) {
                        let Some(name) = object.at("metadata.name").and_then(yaml::Node::as_str)
                        else {
                            continue;
                        };
                        let kind = object.get_str("kind").unwrap_or_default();
                        let patches: Vec<&ObjectPatch> = build
                            .object_patches
                            .iter()
                            .filter(|p| {
                                p.name == name && p.kind.as_deref().is_none_or(|k| k == kind)
                            })
                            .collect();
                        let kinds = deployed.entry((file, name.to_string())).or_default();
                        let at = match kinds.iter().position(|(k, _, _)| k == kind) {
                            Some(at) => at,
                            None => {
                                kinds.push((kind.to_string(), 0, 0));
                                kinds.len() - 1
                            }
                        };
                        kinds[at].1 += 1;
                        if patches.is_empty() {
                            continue;
                        }
                        kinds[at].2 += 1;
                        // Each patch on top of what came before: the last one is layer 0.
                        let mut merged = object.clone();
                        let mut layers: Vec<(FileId, &str)> = vec![(file, text)];
                        for patch in patches {
                            merged = yaml::layered(&merged, &patch.doc);
                            let patch_text = self
                                .entries
                                .get(&patch.file)
                                .map_or("", |e| e.source.text());
                            layers.insert(0, (patch.file, patch_text));
                        }
                        patched.extend(crate::formats::kubernetes::object_resources(
                            &layers, &merged,
                        ));
                    }
                }
            }
        }
        // The object a resource was read from: a release's values carry the chart's
        // flavour as their kind, an operator resource its own.
        let release = |kind: &str| matches!(kind, "HelmRelease" | "Application" | "ApplicationSet");
        resources.retain(|r| {
            let key = (r.file, r.name.clone().unwrap_or_default());
            !deployed.get(&key).is_some_and(|kinds| {
                kinds.iter().any(|(kind, builds, patching)| {
                    builds == patching
                        && (*kind == r.kind || (release(kind) && r.is_chart_values()))
                })
            })
        });
        resources.extend(patched);
        resources
    }

    /// The Kustomize builds of the tree (one per kustomization file).
    fn kustomize_builds(&self) -> Vec<crate::formats::kustomize::Build> {
        let files: Vec<(FileId, PathBuf)> = self
            .by_path
            .iter()
            .filter(|(p, _)| crate::formats::kustomize::is_kustomization(p))
            .map(|(p, id)| (*id, p.clone()))
            .collect();
        if files.is_empty() {
            return Vec::new();
        }
        let tree = KustomizeTree {
            workspace: self,
            by_path: self
                .by_path
                .iter()
                .map(|(p, id)| (compose::normalize(p), *id))
                .collect(),
        };
        let files: Vec<(FileId, PathBuf)> = files
            .into_iter()
            .map(|(id, p)| (id, compose::normalize(&p)))
            .collect();
        crate::formats::kustomize::builds(&tree, &files)
    }

    /// The directory of a file of the workspace ("" at the top).
    fn dir_of(&self, file: FileId) -> &Path {
        self.entries
            .get(&file)
            .and_then(|e| e.source.path.parent())
            .unwrap_or(Path::new(""))
    }

    /// Where a config lives: the path a script writes it to, or its own path.
    fn conf_path(&self, conf: &ConfFile) -> PathBuf {
        match &conf.written_to {
            Some(path) => PathBuf::from(path),
            None => self.entries[&conf.file].source.path.clone(),
        }
    }

    /// The config files an `include` line may name (not the ones scripts write), indexed
    /// by path, by every path suffix and by (file name, directory).
    fn include_targets<'a>(&'a self, confs: &'a [Arc<ConfFile>]) -> IncludeTargets<'a> {
        let mut targets = IncludeTargets {
            confs: Vec::new(),
            by_path: HashMap::new(),
            by_suffix: SuffixIndex::new(),
            by_name_dir: HashMap::new(),
        };
        for conf in confs.iter().filter(|c| c.written_to.is_none()) {
            let path = self.entries[&conf.file].source.path.as_path();
            let i = targets.confs.len();
            targets.confs.push(conf.as_ref());
            targets.by_path.entry(path).or_insert(i);
            targets.by_suffix.insert(path, i);
            if let Some(name) = path.file_name() {
                targets
                    .by_name_dir
                    .entry((name, path.parent()))
                    .or_default()
                    .push(i);
            }
        }
        targets
    }

    /// The config file an `include` line of `from` names, when it is in the workspace:
    /// the same path, a file whose path ends with it (a tree that mirrors `/`), or a file
    /// of that name beside the including file.
    fn resolve_include<'a>(
        &self,
        targets: &IncludeTargets<'a>,
        from: &ConfFile,
        include: &str,
    ) -> Option<&'a ConfFile> {
        if include.contains(['*', '?', '[']) || from.written_to.is_some() {
            return None;
        }
        let from_path = &self.entries[&from.file].source.path;
        let wanted = Path::new(include.trim_start_matches("./"));
        let relative: PathBuf = wanted
            .components()
            .filter(|c| matches!(c, std::path::Component::Normal(_)))
            .collect();
        let beside = from_path.parent().map(|d| d.join(&relative));
        beside
            .as_deref()
            .and_then(|b| targets.by_path.get(b).copied())
            .or_else(|| targets.by_suffix.ending_with(&relative).first().copied())
            .or_else(|| {
                let name = relative.file_name()?;
                match targets
                    .by_name_dir
                    .get(&(name, from_path.parent()))
                    .map(Vec::as_slice)
                {
                    Some([one]) => Some(*one),
                    _ => None,
                }
            })
            .map(|i| targets.confs[i])
            .filter(|c| c.file != from.file)
    }

    fn build_topology(&self, confs: &[Arc<ConfFile>]) -> (Topology, FormatUnits) {
        // Most trees have no `include`: the index is built on first use.
        let targets = std::cell::OnceCell::new();
        let targets = || targets.get_or_init(|| self.include_targets(confs));
        // Files pulled in by an `include` are fragments of another process, not processes.
        let mut included: HashSet<FileId> = HashSet::new();
        for conf in confs {
            for (_, path) in conf.includes() {
                if let Some(target) = self.resolve_include(targets(), conf, path) {
                    included.insert(target.file);
                }
            }
        }
        let images = self.dockerfile_images();
        let mut nodes = Vec::new();
        let mut sentinels = Vec::new();
        let mut mounts = Vec::new();
        let mut compose_units: Vec<ComposeUnit> = Vec::new();
        // Containers that run a config of the tree: the file is their config, not a
        // process of its own.
        let by_path: HashMap<PathBuf, &Arc<ConfFile>> = confs
            .iter()
            .filter(|c| !c.embedded)
            .filter(|c| c.written_to.is_none())
            .map(|c| (compose::normalize(&self.entries[&c.file].source.path), c))
            .collect();
        // Configs that scripts write, by (script, path written).
        let written_by: HashMap<(PathBuf, String), &Arc<ConfFile>> = confs
            .iter()
            .filter_map(|c| {
                let path = compose::normalize(&self.entries[&c.file].source.path);
                Some(((path, c.written_to.clone()?), c))
            })
            .collect();
        // Those a compose service runs: processes of the service, not of their own.
        let mut claimed_written: HashSet<(FileId, Option<String>)> = HashSet::new();
        for entry in self.sorted_ids().iter().map(|id| &self.entries[id]) {
            let Some(compose_file) = &entry.parsed().compose else {
                continue;
            };
            for service in &compose_file.services {
                let source = self
                    .entries
                    .get(&entry.source.id)
                    .map(|e| &e.source)
                    .unwrap();
                let linked = service.config_source();
                // The config an entrypoint script of the tree writes and then runs.
                let scripted = service
                    .entrypoint_script
                    .as_ref()
                    .and_then(|(script, env)| {
                        let (path, _) = service.config.as_ref()?;
                        let conf = written_by.get(&(script.clone(), path.clone()))?;
                        Some((*conf, env))
                    });
                let conf = linked
                    .as_ref()
                    .and_then(|(path, _, _)| by_path.get(path))
                    .or_else(|| service.baked_config.as_ref().and_then(|p| by_path.get(p)))
                    .or_else(|| service.template_source().and_then(|p| by_path.get(&p)))
                    .copied()
                    .or_else(|| scripted.map(|(c, _)| c));
                if let Some((c, _)) = scripted.filter(|_| linked.is_none()) {
                    claimed_written.insert((c.file, c.written_to.clone()));
                }
                let mut unit = ComposeUnit {
                    file: source.id,
                    service: service.clone(),
                    runs_redis: true,
                    nodes: Vec::new(),
                    sentinels: Vec::new(),
                    mount: None,
                };
                if let Some((path, mount, single_file)) = &linked {
                    unit.mount = Some(mounts.len());
                    let span = |r: &std::ops::Range<usize>| Span::new(source.id, r.start, r.end);
                    mounts.push(ConfigMount {
                        owner: service.name.clone(),
                        owner_span: span(&service.name_span),
                        sentinel: service.kind == FileKind::SentinelConf,
                        span: span(&mount.span),
                        config_path_span: service.config.as_ref().map(|(_, r)| span(r)),
                        single_file: *single_file,
                        read_only: mount.read_only,
                        config_file: conf.map(|c| c.file),
                        source: path.clone(),
                        replicas: service.replicas,
                        container_name: service.container_name.clone(),
                    });
                }
                if let Some(conf) = conf {
                    included.insert(conf.file);
                }
                // Redis reads the file, then the command-line options after it.
                let mut lines: Vec<_> = match (conf, &service.script_config) {
                    (Some(c), _) => c.tree.lines.clone(),
                    (None, Some(written)) => written.lines.clone(),
                    (None, None) => Vec::new(),
                };
                substitute(&mut lines, &service.substitutions);
                if let Some((_, env)) = scripted.filter(|_| linked.is_none()) {
                    // The shell expanded `$VAR` when it wrote the lines.
                    substitute(&mut lines, env);
                }
                lines.extend(service.options.tree.lines.iter().cloned());
                let (file, kind) = match conf {
                    Some(c) if c.kind == service.kind => (c.file, c.kind),
                    _ => (entry.source.id, service.kind),
                };
                let tree = crate::syntax::redis_conf::ConfTree {
                    lines,
                    errors: Vec::new(),
                    rewrite_marker: None,
                };
                let merged = ConfFile::from_tree_keep_owners(file, kind, tree);
                // Each copy is a container of its own, unless it shares the host's (or
                // another container's) network.
                let netns = |copy: usize| {
                    (service.network_mode.is_none()).then(|| {
                        (
                            Span::new(source.id, service.name_span.start, service.name_span.end),
                            copy as u32,
                        )
                    })
                };
                for copy in 0..service.replicas {
                    match kind {
                        FileKind::RedisConf => {
                            let mut node = merged.node(source);
                            // A config file the command names but the tree lacks: what the
                            // node sets (a `replicaof`, a password) is unknown.
                            node.complete = conf.is_some()
                                || service.config.is_none()
                                || service.script_config.is_some();
                            node.runtime = service.runtime(source.id);
                            node.runtime.netns = netns(copy);
                            images.complete(&mut node.runtime, service.build.as_deref(), None);
                            node.name_hints = service.hostnames.clone();
                            node.name = format!("service `{}`", service.name);
                            if node.anchor.is_empty() {
                                node.anchor = Span::new(
                                    source.id,
                                    service.name_span.start,
                                    service.name_span.end,
                                );
                            }
                            unit.nodes.push(nodes.len());
                            nodes.push(node);
                        }
                        FileKind::SentinelConf => {
                            let mut sentinel = merged.sentinel(source);
                            // A config file the command names but the tree lacks: what
                            // it monitors is unknown.
                            // Sentinel cannot run without a config file: started with
                            // flags only in an image this tool does not know, the image
                            // brings its own (whose password and monitors are unknown).
                            let image_brings_config = service.config.is_none()
                                && service.script_config.is_none()
                                && service.build.is_none()
                                && crate::knowledge::images::image_ref(&service.image).is_none();
                            sentinel.complete = (conf.is_some()
                                || service.config.is_none()
                                || service.script_config.is_some())
                                && !image_brings_config;
                            sentinel.runtime = service.runtime(source.id);
                            sentinel.runtime.netns = netns(copy);
                            images.complete(&mut sentinel.runtime, service.build.as_deref(), None);
                            sentinel.name = format!("service `{}`", service.name);
                            if sentinel.anchor.is_empty() {
                                sentinel.anchor = Span::new(
                                    source.id,
                                    service.name_span.start,
                                    service.name_span.end,
                                );
                            }
                            unit.sentinels.push(sentinels.len());
                            sentinels.push(sentinel);
                        }
                    }
                }
                compose_units.push(unit);
            }
            for service in &compose_file.others {
                compose_units.push(ComposeUnit {
                    file: entry.source.id,
                    service: service.clone(),
                    runs_redis: false,
                    nodes: Vec::new(),
                    sentinels: Vec::new(),
                    mount: None,
                });
            }
        }
        // Kubernetes containers that run one config of the tree (a ConfigMap or Secret
        // key, or a copy of one): `replicas` processes, and the config is theirs.
        let builds = self.kustomize_builds();
        let mut embedded = EmbeddedConfs::new(
            confs
                .iter()
                .filter(|c| c.embedded)
                .map(|c| c.as_ref())
                .collect(),
            |file| self.dir_of(file),
        );
        // Configs of `configMapGenerator` files: keys of the ConfigMap they generate.
        for build in &builds {
            for (name, key, file) in &build.generated {
                let conf = confs
                    .iter()
                    .find(|c| c.file == file.0 && !c.embedded && c.written_to.is_none());
                if let Some(conf) = conf {
                    embedded.add(name, key, self.dir_of(file.1), conf);
                    // ConfigMap data, not a process of its own.
                    included.insert(conf.file);
                }
            }
        }
        // Start scripts of ConfigMap keys, by (object name, key), nearest first; and the
        // configs each writes, by (file, key, path written).
        let mut script_starts: crate::source::scope::NearestIndex<(&str, &str)> =
            crate::source::scope::NearestIndex::new();
        let mut starts: Vec<(FileId, &crate::formats::workload::Invocation)> = Vec::new();
        for id in self.sorted_ids() {
            for ((name, key), inv) in &self.entries[&id].parsed().script_starts {
                script_starts.insert((name.as_str(), key.as_str()), self.dir_of(id), starts.len());
                starts.push((id, inv));
            }
        }
        let script_starts = ScriptStarts {
            index: script_starts,
            starts,
        };
        let written_by_script: HashMap<(FileId, (String, String), String), &ConfFile> = confs
            .iter()
            .filter_map(|c| {
                Some((
                    (c.file, c.written_by.clone()?, c.written_to.clone()?),
                    c.as_ref(),
                ))
            })
            .collect();
        let mut claimed: HashSet<(FileId, Option<(String, String)>)> = HashSet::new();
        let mut workload_procs: HashMap<(FileId, usize), Vec<ConfigRef>> = HashMap::new();
        let image_starts = self.image_starts();
        let secrets = self.cluster();
        // Kustomize builds: the workloads of a build's files are processes of each top
        // build that reads them (one deployment per overlay), never of the files alone.
        // Kubernetes deployment units: (folder, namespace) → the first file of the unit.
        let mut workload_units: HashMap<(&Path, Option<&str>), FileId> = HashMap::new();
        for id in self.sorted_ids() {
            for c in &self.entries[&id].parsed().containers {
                workload_units
                    .entry((self.dir_of(id), c.namespace.as_deref()))
                    .or_insert(id);
            }
        }
        let mut builds_of: HashMap<FileId, Vec<usize>> = HashMap::new();
        let mut built: HashSet<FileId> = HashSet::new();
        for (b, build) in builds.iter().enumerate() {
            built.extend(build.files.iter().copied());
            if build.top {
                for &f in &build.files {
                    builds_of.entry(f).or_default().push(b);
                }
            }
        }
        for id in self.sorted_ids() {
            let source = &self.entries[&id].source;
            let contexts: Vec<Option<&crate::formats::kustomize::Build>> = match builds_of.get(&id)
            {
                Some(list) => list.iter().map(|&b| Some(&builds[b])).collect(),
                None if built.contains(&id) => Vec::new(),
                None => vec![None],
            };
            for ((ci, container), build) in self.entries[&id]
                .parsed()
                .containers
                .iter()
                .enumerate()
                .flat_map(|c| contexts.iter().map(move |b| (c, *b)))
            {
                // What the container runs: its command line, or the start script of a
                // ConfigMap key it runs (whose words live in that manifest).
                let (inv, inv_file, script) = match container.invocations.as_slice() {
                    [inv] => (inv, id, None),
                    [] if image_starts.contains_key(&(id, ci)) => {
                        let (file, inv) = &image_starts[&(id, ci)];
                        (inv, *file, None)
                    }
                    [] => {
                        let Some(((file, inv), key)) = container
                            .script_file
                            .as_deref()
                            .and_then(|p| crate::formats::k8s_link::mounted_key(container, p))
                            .and_then(|(name, key)| {
                                let found = script_starts.find(&name, &key, self.dir_of(id))?;
                                Some((found, (name, key)))
                            })
                        else {
                            continue;
                        };
                        // A script that builds the command line at run time (`"${ARGS[@]}"`)
                        // runs settings we cannot see: only a config file is followed.
                        if inv.config.is_none() {
                            continue;
                        }
                        (inv, file, Some(key))
                    }
                    _ => continue,
                };
                let inv_source = &self.entries[&inv_file].source;
                // A config of the tree, or (for redis-server) options only.
                let conf = match &inv.config {
                    Some((path, _)) => {
                        let written = script.as_ref().and_then(|key| {
                            written_by_script.get(&(inv_file, key.clone(), path.clone()))
                        });
                        // In a build, the ConfigMaps of the build (an overlay's patch
                        // before the base's own).
                        let in_build = build.and_then(|b| {
                            crate::formats::k8s_link::config_at(container, path, &embedded, &b.root)
                                .filter(|c| b.files.contains(&c.file))
                        });
                        match written.copied().or(in_build).or_else(|| {
                            crate::formats::k8s_link::config_at(
                                container,
                                path,
                                &embedded,
                                self.dir_of(id),
                            )
                        }) {
                            Some(c) if c.kind == inv.kind => Some(c),
                            _ => continue,
                        }
                    }
                    None if inv.kind == FileKind::RedisConf && !inv.args.is_empty() => None,
                    None => continue,
                };
                if let Some(conf) = conf {
                    claimed.insert((conf.file, conf.embedded_in.clone()));
                    if conf.written_to.is_some() {
                        claimed_written.insert((conf.file, conf.written_to.clone()));
                    }
                }
                let args: Vec<_> = inv
                    .args
                    .iter()
                    .skip(usize::from(conf.is_some()))
                    .map(|t| {
                        let mut t = t.clone();
                        t.owner = inv_file;
                        t.value = resolve_env(&t.value, container, &secrets).into();
                        t
                    })
                    .collect();
                let options = compose::options_conf(inv_file, inv.kind, &args, inv_source.text());
                let mut lines = conf.map(|c| c.tree.lines.clone()).unwrap_or_default();
                lines.extend(options.tree.lines.iter().cloned());
                let tree = crate::syntax::redis_conf::ConfTree {
                    lines,
                    errors: Vec::new(),
                    rewrite_marker: None,
                };
                let merged = ConfFile::from_tree_keep_owners(
                    conf.map_or(inv_file, |c| c.file),
                    inv.kind,
                    tree,
                );
                let anchor = Span::new(id, container.name_span.start, container.name_span.end);
                // What the build sets: the replica count, the image, and the build as the
                // unit that declares the processes.
                let replicas_set = build.and_then(|b| b.replicas.get(&container.workload));
                let replicas =
                    replicas_set.map_or(container.replicas, |r| r.value.clamp(0, 100) as usize);
                let image_set = build.and_then(|b| {
                    let (image, _) = container.image.as_ref()?;
                    let name = image.split(['@']).next()?;
                    let name = match name.rsplit_once(':') {
                        Some((n, tag)) if !tag.contains('/') => n,
                        _ => name,
                    };
                    b.images.get(name)
                });
                let image = match image_set {
                    Some(set) => Some((
                        set.value.clone(),
                        Span::new(set.file, set.span.start, set.span.end),
                    )),
                    None => container
                        .image
                        .as_ref()
                        .map(|(image, at)| (image.clone(), Span::new(id, at.start, at.end))),
                };
                // The workloads of one namespace in one folder are one deployment unit
                // (outside a build): their replicas are all the processes there are.
                let declared = match (build, replicas_set, &container.replicas_span) {
                    (_, Some(r), _) => Span::new(r.file, r.span.start, r.span.end),
                    (_, None, Some(r)) => Span::new(id, r.start, r.end),
                    (Some(b), None, None) => Span::new(b.file, b.unit.start, b.unit.end),
                    (None, None, None) => {
                        Span::new(id, container.name_span.start, container.name_span.end)
                    }
                };
                let unit = match build {
                    Some(b) => b.file,
                    None => workload_units[&(self.dir_of(id), container.namespace.as_deref())],
                };
                let runtime = crate::facts::Runtime {
                    release: image.and_then(|(image, at)| {
                        let release = crate::knowledge::images::image_ref(&image)?.release?;
                        Some(crate::source::Spanned::with_origin(
                            release,
                            at,
                            crate::source::Origin::Implied,
                        ))
                    }),
                    env: None,
                    declared: Some(declared),
                    unit: Some(unit),
                    count_known: true,
                    managed_by: None,
                    password_secret: None,
                    data_ephemeral: None,
                    config_rewritten_at_start: conf.and_then(|c| c.rewritten_at_start),
                    auth_pass_field: None,
                    cpu_limit: container.cpu_limit.as_ref().map(|(m, at)| {
                        crate::source::Spanned::new(m.to_owned(), Span::new(id, at.start, at.end))
                    }),
                    config_file: inv
                        .config
                        .as_ref()
                        .map(|(_, r)| Span::new(inv_file, r.start, r.end)),
                    netns: None,
                    replication_in_script: container
                        .script
                        .iter()
                        .chain(&container.pod.init_scripts)
                        .any(|(text, _)| {
                            let text = text.to_ascii_lowercase();
                            text.contains("replicaof") || text.contains("slaveof")
                        }),
                };
                let refs = workload_procs.entry((id, ci)).or_default();
                // The containers of one pod share its network; each pod has its own.
                let pod_at = Span::new(
                    id,
                    container.pod.name_span.start,
                    container.pod.name_span.end,
                );
                let netns = |i: usize| (!container.pod.host_network).then_some((pod_at, i as u32));
                for i in 0..replicas {
                    match inv.kind {
                        FileKind::RedisConf => {
                            let mut node = merged.node(source);
                            node.runtime = runtime.clone();
                            node.runtime.netns = netns(i);
                            node.name = format!("workload `{}`", container.workload);
                            node.name_hints = container.pod_names(i);
                            if node.anchor.is_empty() {
                                node.anchor = anchor;
                            }
                            refs.push(ConfigRef::Node(nodes.len()));
                            nodes.push(node);
                        }
                        FileKind::SentinelConf => {
                            let mut sentinel = merged.sentinel(source);
                            sentinel.runtime = runtime.clone();
                            sentinel.runtime.netns = netns(i);
                            sentinel.name = format!("workload `{}`", container.workload);
                            if sentinel.anchor.is_empty() {
                                sentinel.anchor = anchor;
                            }
                            refs.push(ConfigRef::Sentinel(sentinels.len()));
                            sentinels.push(sentinel);
                        }
                    }
                }
            }
        }
        // Each process config with where it lives, for linking commands to it.
        let mut located: Vec<(PathBuf, FileId, ConfigRef)> = Vec::new();
        // Configs that run as processes of their own: not pulled in by an `include`, not
        // run by a container or a compose service.
        let standalone = |c: &ConfFile| {
            let run_by_other = match &c.written_to {
                Some(_) => claimed_written.contains(&(c.file, c.written_to.clone())),
                None => included.contains(&c.file),
            };
            let embedded_claimed = c.embedded && claimed.contains(&(c.file, c.embedded_in.clone()));
            !run_by_other && !embedded_claimed
        };
        for conf in confs.iter().filter(|c| standalone(c)) {
            let source = &self.entries[&conf.file].source;
            let merged;
            let (view, complete) = if conf.includes().next().is_some() {
                let (m, complete) =
                    conf.with_includes(&|from, path| self.resolve_include(targets(), from, path));
                merged = m;
                (&merged, complete)
            } else {
                (conf.as_ref(), true)
            };
            let path = self.conf_path(conf);
            match conf.kind {
                FileKind::RedisConf => {
                    let mut node = view.node(source);
                    node.complete = complete;
                    images.complete(&mut node.runtime, None, Some(&path));
                    if conf.written_to.is_some() {
                        node.name_hints = name_hints(&path);
                    }
                    located.push((path, conf.file, ConfigRef::Node(nodes.len())));
                    nodes.push(node);
                }
                FileKind::SentinelConf => {
                    let mut sentinel = view.sentinel(source);
                    sentinel.complete = complete;
                    sentinel.runtime.config_rewritten_at_start = conf.rewritten_at_start;
                    images.complete(&mut sentinel.runtime, None, Some(&path));
                    located.push((path, conf.file, ConfigRef::Sentinel(sentinels.len())));
                    sentinels.push(sentinel);
                }
            }
        }
        let scope = |file: FileId| {
            self.entries
                .get(&file)
                .and_then(|e| e.source.path.parent())
                .map(Path::to_path_buf)
                .unwrap_or_default()
        };
        // Operator resources and chart values deploy processes of their own.
        let resources = self.layered_values(
            self.values_from(
                self.kustomize_patched(
                    self.sorted_ids()
                        .iter()
                        .flat_map(|id| self.entries[id].parsed().resources.iter().cloned())
                        .collect(),
                    &builds,
                ),
            ),
        );
        let (managed_nodes, managed_sentinels) = crate::formats::operators::processes(
            &resources,
            &|file| {
                self.entries
                    .get(&file)
                    .and_then(|e| e.source.path.file_stem())
                    .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
            },
            &scope,
        );
        nodes.extend(managed_nodes);
        sentinels.extend(managed_sentinels);
        let (cluster_nodes, shard_layouts) =
            crate::formats::cluster_operators::clusters(&resources);
        nodes.extend(cluster_nodes);
        let mut topology = link_scoped(nodes, sentinels, &scope);
        topology.mounts = mounts;
        topology.cluster = secrets;
        topology.consensus = crate::formats::operators::consensus_clusters(&resources);
        topology.runtime_sets = self
            .sorted_ids()
            .iter()
            .flat_map(|id| self.entries[id].parsed().runtime_sets.iter().cloned())
            .collect();
        topology.cluster_creates = self
            .sorted_ids()
            .iter()
            .flat_map(|id| self.entries[id].parsed().cluster_creates.iter().cloned())
            .collect();
        topology.sharded = crate::model::sharded::link_sharded(
            &topology.nodes,
            &topology.cluster_creates,
            &shard_layouts,
            &scope,
        );
        topology.sites = self.settings.sites.clone();
        let mut format_units = FormatUnits {
            compose: compose_units,
            containers: Vec::new(),
            resources,
            builds: builds.clone(),
        };
        for entry in self.sorted_ids().iter().map(|id| &self.entries[id]) {
            for (ci, container) in entry.parsed().containers.iter().enumerate() {
                let started = image_starts
                    .get(&(entry.source.id, ci))
                    .map(|(file, inv)| (*file, inv));
                let mut facts = container_facts(
                    entry.source.id,
                    container,
                    started,
                    &embedded,
                    self.dir_of(entry.source.id),
                );
                facts.processes = workload_procs
                    .remove(&(entry.source.id, ci))
                    .unwrap_or_default();
                format_units.containers.push(facts);
            }
        }
        self.add_services(&mut topology, &located);
        for (name, more) in &self.settings.elsewhere {
            for group in topology
                .groups
                .iter_mut()
                .filter(|g| g.name.as_deref() == Some(name.as_str()))
            {
                group.add_elsewhere(*more);
            }
        }
        (topology, format_units)
    }

    /// The releases the Dockerfiles of the tree build on, by Dockerfile and by the files
    /// they copy into the image.
    fn dockerfile_images(&self) -> DockerfileImages {
        let mut images = DockerfileImages::default();
        for id in self.sorted_ids() {
            let entry = &self.entries[&id];
            let Some(docker) = &entry.parsed().dockerfile else {
                continue;
            };
            let Some((image, at)) = &docker.base else {
                continue;
            };
            let Some(release) = crate::knowledge::images::image_ref(image).and_then(|i| i.release)
            else {
                continue;
            };
            let release = crate::source::Spanned::with_origin(
                release,
                Span::new(id, at.start, at.end),
                crate::source::Origin::Implied,
            );
            let path = compose::normalize(&entry.source.path);
            let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
            for (copied, _, _) in &docker.copies {
                images
                    .by_copied_file
                    .insert(compose::normalize(&dir.join(copied)), release.clone());
            }
            images.by_dockerfile.insert(path, release);
        }
        images
    }

    /// What Kubernetes containers without a command of their own start when their image
    /// is built from a Dockerfile of the tree (an image named like the Dockerfile's
    /// folder, and not a known Redis image): the redis command its start chain reaches
    /// with the container's environment, with the script that holds it.
    fn image_starts(
        &self,
    ) -> HashMap<(FileId, usize), (FileId, crate::formats::workload::Invocation)> {
        use crate::formats::image_start::{image_name, repository_name, started_command};
        let mut out = HashMap::new();
        let ids = self.sorted_ids();
        let mut dockerfiles: crate::source::scope::NearestIndex<String> =
            crate::source::scope::NearestIndex::new();
        for &id in &ids {
            if self.entries[&id].parsed().dockerfile.is_some() {
                if let Some(name) = image_name(&self.entries[&id].source.path) {
                    dockerfiles.insert(name, self.dir_of(id), id.0 as usize);
                }
            }
        }
        if dockerfiles.is_empty() {
            return out;
        }
        let files = TreeFilesOf {
            workspace: self,
            by_path: ids
                .iter()
                .map(|&id| (compose::normalize(&self.entries[&id].source.path), id))
                .collect(),
        };
        for &id in &ids {
            for (ci, container) in self.entries[&id].parsed().containers.iter().enumerate() {
                if !container.invocations.is_empty() {
                    continue;
                }
                // A script the container runs that no ConfigMap provides: the image's.
                let command = match &container.script_file {
                    Some(path)
                        if crate::formats::k8s_link::mounted_key(container, path).is_some() =>
                    {
                        continue
                    }
                    Some(path) => Some(vec![path.clone()]),
                    None => None,
                };
                let Some((image, _)) = &container.image else {
                    continue;
                };
                if crate::knowledge::images::image_ref(image).is_some() {
                    continue;
                }
                let [docker_id] =
                    dockerfiles.nearest(&repository_name(image), Some(self.dir_of(id)))
                else {
                    continue;
                };
                let docker_id = FileId(*docker_id as u32);
                let docker_entry = &self.entries[&docker_id];
                let Some(docker) = &docker_entry.parsed().dockerfile else {
                    continue;
                };
                let env = |name: &str| {
                    use crate::formats::script_flow::EnvValue;
                    if let Some((_, value, _)) =
                        container.env_vars.iter().rev().find(|(n, _, _)| n == name)
                    {
                        return value.clone().map_or(EnvValue::Unknown, EnvValue::Known);
                    }
                    match docker.env.iter().rev().find(|(n, _, _)| n == name) {
                        Some((_, v, _)) => EnvValue::Known(v.clone()),
                        None => EnvValue::Unset,
                    }
                };
                let context = compose::normalize(self.dir_of(docker_id));
                let Some((script, n)) = started_command(docker, &context, command, &files, &env)
                else {
                    continue;
                };
                let invocation = self.entries[&script].parsed().commands[n].invocation();
                out.insert((id, ci), (script, invocation));
            }
        }
        out
    }

    /// Services, budgets, namespaces and Secrets of every manifest.
    fn cluster(&self) -> crate::facts::cluster::Cluster {
        let mut all = crate::facts::cluster::Cluster::default();
        for id in self.sorted_ids() {
            let c = &self.entries[&id].parsed().cluster;
            all.services.extend(c.services.iter().cloned());
            all.pdbs.extend(c.pdbs.iter().cloned());
            all.network_policies
                .extend(c.network_policies.iter().cloned());
            all.namespaces.extend(c.namespaces.iter().cloned());
            all.secrets.extend(c.secrets.iter().cloned());
        }
        all
    }

    /// Services from units and their drop-ins, and the redis commands of units and scripts,
    /// each linked to the config it reads when that config is in the tree.
    fn add_services(&self, topology: &mut Topology, located: &[(PathBuf, FileId, ConfigRef)]) {
        let located = Located::new(located, |file| self.entries[&file].source.path.as_path());
        let all = self.all_units();
        let (main, dropins): (Vec<&Arc<UnitFile>>, Vec<&Arc<UnitFile>>) =
            all.iter().partition(|u| u.kind == UnitKind::Unit);
        // A drop-in belongs to the nearest unit of its name (a tree of several hosts has
        // one `redis.service` per host); drop-ins without a unit form a service of their
        // own per directory.
        let names: Vec<String> = main.iter().map(|u| u.unit_name()).collect();
        let mut units_by_name: NearestIndex<&str> = NearestIndex::new();
        for (i, unit) in main.iter().enumerate() {
            let dir = Path::new(&unit.path).parent().unwrap_or(Path::new(""));
            units_by_name.insert(names[i].as_str(), dir, i);
        }
        let mut attached: Vec<Vec<&UnitFile>> = vec![Vec::new(); main.len()];
        let mut orphans: BTreeMap<(String, PathBuf), Vec<&UnitFile>> = BTreeMap::new();
        for d in &dropins {
            let name = d.unit_name();
            // `X/redis.service.d/10-limits.conf` sits beside units in X.
            let dir = Path::new(&d.path)
                .parent()
                .and_then(Path::parent)
                .unwrap_or(Path::new(""));
            let nearest = units_by_name.nearest(&name.as_str(), Some(dir));
            for &u in nearest {
                attached[u].push(d.as_ref());
            }
            if nearest.is_empty() {
                orphans
                    .entry((name, dir.to_path_buf()))
                    .or_default()
                    .push(d.as_ref());
            }
        }
        let by_file_name = |d: &&UnitFile| Path::new(&d.path).file_name().map(|n| n.to_owned());
        let mut built = Vec::new();
        for (unit, mut list) in main.iter().zip(attached) {
            list.sort_by_key(by_file_name);
            built.push((unit.file, units::service(Some(unit.as_ref()), &list)));
        }
        for (_, mut list) in orphans {
            list.sort_by_key(by_file_name);
            built.push((list[0].file, units::service(None, &list)));
        }
        for (file, (mut service, command)) in built {
            if let Some((cmdline, candidates)) = command {
                service.process = Some(topology.processes.len());
                topology.processes.push(Process {
                    cmdline,
                    service: Some(topology.services.len()),
                    config_candidates: candidates,
                    config: None,
                });
                self.link_process(topology.processes.last_mut().unwrap(), file, &located);
                apply_command_line_secrets(topology, topology.processes.len() - 1);
            }
            topology.services.push(service);
        }
        for id in self.sorted_ids() {
            for command in &self.entries[&id].parsed().commands {
                topology.processes.push(Process {
                    cmdline: command.cmdline.clone(),
                    service: None,
                    config_candidates: command.candidates.clone(),
                    config: None,
                });
                self.link_process(topology.processes.last_mut().unwrap(), id, &located);
                apply_command_line_secrets(topology, topology.processes.len() - 1);
            }
        }
    }

    /// A config path links to a config of the tree whose path ends with it (a tree that
    /// mirrors `/`), else to the only config of that name beside the file that names it.
    fn link_process(&self, process: &mut Process, from: FileId, located: &Located) {
        let from_dir = self.entries[&from].source.path.parent();
        let find = |wanted: &str| -> Option<ConfigRef> {
            let relative: PathBuf = Path::new(wanted)
                .components()
                .filter(|c| matches!(c, std::path::Component::Normal(_)))
                .collect();
            if relative.as_os_str().is_empty() {
                return None;
            }
            if let [one] = located.by_suffix.ending_with(&relative) {
                return Some(located.refs[*one]);
            }
            let name = relative.file_name()?;
            match located
                .by_name_dir
                .get(&(name, from_dir))
                .map(Vec::as_slice)
            {
                Some([one]) => Some(located.refs[*one]),
                _ => None,
            }
        };
        for candidate in &mut process.config_candidates {
            candidate.config = find(&candidate.value);
        }
        if let [one] = process.config_candidates.as_slice() {
            process.config = one.config;
        }
    }

    pub fn topology(&self) -> Topology {
        self.build_topology(&self.parse_all()).0
    }

    /// The topology and, beside it, the deployment units of each format it came from.
    pub fn topology_and_units(&self) -> (Topology, FormatUnits) {
        self.build_topology(&self.parse_all())
    }

    /// Parse every file and release the texts of plain configs (most of a tree's bytes are
    /// their comments): a whole-tree check then holds parses, not texts. A released text
    /// is read again, from disk, for a report or a fix. Files not read from disk (stdin,
    /// editor buffers) are kept.
    pub fn release_config_texts(&mut self) {
        self.entries.0.par_iter_mut().flatten().for_each(|entry| {
            if entry.source.is_releasable() && entry.is_plain_config() {
                entry.names_tool = Some(entry.source.text().contains("redis-halint"));
                entry.source.release_text();
            }
        });
    }

    /// Files whose released text could not be read again as it was (see
    /// [`SourceFile::changed_on_disk`]).
    pub fn changed_on_disk(&self) -> Vec<&Path> {
        self.entries
            .values()
            .filter(|e| e.source.changed_on_disk())
            .map(|e| e.source.path.as_path())
            .collect()
    }

    /// Parse every file (in parallel) and run no rule; `check()` reuses these parses.
    /// The benchmark's "parsing alone" baseline. Returns the number of configs found.
    pub fn parse_files(&self) -> usize {
        self.parse_all().len()
    }

    /// Charts of the tree whose templates are about Redis: Go templates are not YAML
    /// until Helm renders them, so one note per chart says how to check them.
    fn charts_not_rendered(&self) -> Vec<Diagnostic> {
        use crate::formats::helm;
        let mut out = Vec::new();
        for (path, id) in self.by_path.iter().filter(|(p, _)| helm::is_chart_file(p)) {
            let chart_dir = path.parent().unwrap_or(Path::new(""));
            let templates: Vec<&Path> = self
                .by_path
                .range(chart_dir.join("templates")..)
                .take_while(|(p, _)| p.starts_with(chart_dir.join("templates")))
                .filter(|(p, _)| is_yaml(p) || p.extension().is_some_and(|e| e == "tpl"))
                .filter(|(_, id)| {
                    let text = self.entries[id].source.text();
                    text.contains("{{")
                        && ["redis", "sentinel", "valkey"]
                            .iter()
                            .any(|w| text.to_ascii_lowercase().contains(w))
                })
                .map(|(p, _)| p.as_path())
                .collect();
            let Some(first) = templates.first() else {
                continue;
            };
            let source = &self.entries[id].source;
            let (name, span) = helm::chart_name(source.text()).unwrap_or_default();
            let span = Span::new(*id, span.start, span.end);
            out.push(
                Diagnostic::new(
                    Rule::HelmTemplatesNotEvaluated,
                    span,
                    format!(
                        "chart `{name}` has {} template(s) about Redis ({}{}): Go templates are not YAML until Helm renders them, so what this chart deploys was not checked",
                        templates.len(),
                        first.strip_prefix(chart_dir).unwrap_or(first).display(),
                        if templates.len() > 1 { ", …" } else { "" }
                    ),
                )
                .help(format!(
                    "check what the chart renders: `helm template {} -f <values> | redis-halint check --stdin-filename rendered.yaml -`",
                    chart_dir.display()
                )),
            );
        }
        out
    }

    /// Findings in output rendered by `helm template`: the template each document came
    /// from (its `# Source:` comment) as a label.
    fn label_rendered_sources(&self, diagnostics: &mut [Diagnostic]) {
        let mut by_file: HashMap<FileId, Vec<crate::formats::helm::RenderedSource>> =
            HashMap::new();
        for d in diagnostics.iter_mut() {
            let file = d.span.file;
            let sources = by_file.entry(file).or_insert_with(|| {
                // `helm template` output is YAML: a plain config (whose text a
                // whole-tree check has released) has no `# Source:` comment to find.
                self.entries
                    .get(&file)
                    .filter(|e| !e.is_plain_config())
                    .map(|e| crate::formats::helm::rendered_sources(e.source.text()))
                    .unwrap_or_default()
            });
            let at = d.span.start as usize;
            if let Some((_, comment, path)) = sources.iter().find(|(doc, _, _)| doc.contains(&at)) {
                let span = Span::new(file, comment.start, comment.end);
                d.related.push(crate::diagnostic::Label::new(
                    span,
                    format!("rendered from the chart's {path}"),
                ));
            }
        }
    }

    /// YAML files about Redis that could not be read. Helm templates (`{{ … }}`) are not
    /// YAML until rendered, so they are left alone.
    fn yaml_errors(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for entry in self.entries.values() {
            let Some(error) = &entry.parsed().yaml_error else {
                continue;
            };
            let text = entry.source.text().to_ascii_lowercase();
            let about_redis = ["redis", "sentinel", "valkey"]
                .iter()
                .any(|w| text.contains(w));
            if !about_redis || text.contains("{{") {
                continue;
            }
            let span = Span::new(
                entry.source.id,
                error.span.start,
                error.span.end.max(error.span.start),
            );
            out.push(
                Diagnostic::new(Rule::InvalidYaml, span, format!("not valid YAML: {}; nothing after this point is checked", error.message))
                    .help("fix the YAML syntax; `kubectl apply` and `docker compose` refuse this file too"),
            );
        }
        out
    }

    /// Inline suppressions of every config file, applied to the diagnostics, plus the
    /// findings about the suppressions themselves.
    fn apply_suppressions(&self, mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        let mut all = Vec::new();
        for id in self.sorted_ids() {
            let entry = &self.entries[&id];
            let parsed = entry.parsed();
            let relevant = !parsed.confs.is_empty()
                || !parsed.units.is_empty()
                || !parsed.commands.is_empty()
                || parsed.compose.is_some()
                || !parsed.containers.is_empty()
                || !parsed.resources.is_empty();
            // Comments (`redis-halint: ignore[…]`) and annotations (`redis-halint.io/ignore`)
            // both name the tool: a file without the name has nothing to read.
            if !relevant || !entry.names_tool() {
                continue;
            }
            let source = &entry.source;
            let comments = crate::suppression_sources::comments(&source.path, source.text());
            let (mut found, problems) =
                crate::suppression::scan(source.id, source.text(), &comments);
            diagnostics.extend(problems);
            if is_yaml(&source.path) {
                let (more, problems) =
                    crate::suppression_sources::annotations(source.id, source.text(), |offset| {
                        source.line_index().line_of(offset as u32) as u32
                    });
                found.extend(more);
                diagnostics.extend(problems);
            }
            if !found.is_empty() {
                all.push((source.id, found));
            }
        }
        crate::suppression::apply(diagnostics, &all, |span| {
            self.entries[&span.file]
                .source
                .line_index()
                .line_of(span.start) as u32
        })
    }

    /// Run every rule over every file; apply inline suppressions; diagnostics sorted by
    /// file and position.
    pub fn check(&self) -> Vec<Diagnostic> {
        let confs = self.parse_all();
        let (topology, format_units) = self.build_topology(&confs);
        let sources: HashMap<FileId, &SourceFile> = self
            .entries
            .values()
            .map(|e| (e.source.id, &e.source))
            .collect();
        let conf_map: HashMap<FileId, &ConfFile> =
            confs.iter().map(|c| (c.file, c.as_ref())).collect();
        let ctx = Context {
            target: self.settings.target,
            sources: &sources,
            confs: &conf_map,
            topology: &topology,
            units: &format_units,
            history: self.history.as_ref(),
            declared: crate::rules::declared_runtimes(&topology),
            file_releases: crate::rules::file_releases(&topology),
        };
        // Command-line options of containers are config lines too.
        let options: Vec<&ConfFile> = self
            .entries
            .values()
            .flat_map(|e| e.parsed().compose.iter().flat_map(|c| &c.services))
            .map(|service| &service.options)
            .collect();
        let units = self.all_units();
        // The rules of each file in parallel, and meanwhile those of the whole topology.
        let (mut diagnostics, topology_findings) = rayon::join(
            || {
                let mut out: Vec<Diagnostic> = confs
                    .par_iter()
                    .map(|conf| conf.as_ref())
                    .chain(options.par_iter().copied())
                    .flat_map_iter(|conf| rules::check_conf(conf, &ctx))
                    .collect();
                out.par_extend(
                    units
                        .par_iter()
                        .flat_map_iter(|unit| rules::check_unit(unit, &ctx)),
                );
                out
            },
            || rules::check_topology(&ctx),
        );
        diagnostics.extend(topology_findings);
        diagnostics.extend(self.yaml_errors());
        diagnostics.extend(self.charts_not_rendered());
        self.label_rendered_sources(&mut diagnostics);
        // redis-halint's own configuration files in the workspace: unknown keys, bad values.
        for entry in self.entries.values() {
            if crate::settings::is_config_file(&entry.source.path) {
                diagnostics.extend(crate::settings::validate(&entry.source));
            }
        }
        if !self.settings.ignore_inline_suppressions {
            diagnostics = self.apply_suppressions(diagnostics);
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
        self.name_inheriting_overlays(&format_units.builds, &mut diagnostics);
        diagnostics
    }

    /// A finding in a Kustomize base is reported once, at the base (the copies each overlay
    /// would give are one finding): the overlays that deploy the file are named as labels,
    /// at their `resources` entry, so the reader knows which environments carry it.
    fn name_inheriting_overlays(
        &self,
        builds: &[crate::formats::kustomize::Build],
        diagnostics: &mut [Diagnostic],
    ) {
        const NAMED: usize = 5;
        if builds.is_empty() {
            return;
        }
        let mut overlays_of: HashMap<FileId, Vec<&crate::formats::kustomize::Build>> =
            HashMap::new();
        for b in builds.iter().filter(|b| b.top) {
            for &f in &b.files {
                // The overlay's own files (its patches) are not inherited.
                if compose::normalize(self.dir_of(f)).starts_with(&b.root) {
                    continue;
                }
                overlays_of.entry(f).or_default().push(b);
            }
        }
        for d in diagnostics.iter_mut() {
            let Some(all) = overlays_of.get(&d.span.file) else {
                continue;
            };
            // A finding that a value of some overlays causes (a count its patch sets, shown
            // as a label in the overlay's own files) is theirs, not every overlay's.
            let own = |b: &crate::formats::kustomize::Build, file: FileId| {
                b.files.contains(&file)
                    && compose::normalize(self.dir_of(file)).starts_with(&b.root)
            };
            let causing: Vec<&crate::formats::kustomize::Build> = all
                .iter()
                .copied()
                .filter(|b| d.related.iter().any(|l| own(b, l.span.file)))
                .collect();
            let list = if causing.is_empty() { all } else { &causing };
            for b in list.iter().take(NAMED) {
                let dir = b.root.display();
                d.related.push(crate::diagnostic::Label::new(
                    Span::new(b.file, b.unit.start, b.unit.end),
                    format!("deployed by the overlay `{dir}`, which builds on this file"),
                ));
            }
            if list.len() > NAMED {
                d.related.push(crate::diagnostic::Label::new(
                    Span::new(list[0].file, list[0].unit.start, list[0].unit.end),
                    format!(
                        "and {} more overlay(s) build on this file",
                        list.len() - NAMED
                    ),
                ));
            }
        }
    }
}

/// An argument with `$(VAR)` / `${VAR}` / `$VAR`: a Secret value of the tree when the
/// variable comes from one, else a template (an unknown value).
fn resolve_env(
    value: &str,
    container: &Container,
    cluster: &crate::facts::cluster::Cluster,
) -> String {
    if !value.contains('$') {
        return value.to_string();
    }
    for (var, secret, key) in &container.secret_env {
        let forms = [
            format!("$({var})"),
            format!("${{{var}}}"),
            format!("${var}"),
        ];
        if forms.iter().any(|f| value == f) {
            let known = cluster.secrets.iter().find_map(|(s, k, v)| match v {
                crate::facts::Password::Literal(v) if s == secret && k == key => Some(v.clone()),
                _ => None,
            });
            if let Some(v) = known {
                return v;
            }
        }
    }
    let templated = value.replace("$(", "${").replace(')', "}");
    if templated.contains("${") {
        templated
    } else {
        templated.replace('$', "${")
    }
}

/// Passwords given on a unit's or script's command line (`--requirepass`, `--masterauth`,
/// `--sentinel auth-pass NAME …`) belong to the process of the config it reads. Only
/// these: they do not change who the process is, so the groups already linked stay right.
fn apply_command_line_secrets(topology: &mut Topology, process: usize) {
    use crate::facts::service::ConfigRef;
    use crate::facts::Password;
    use crate::source::Spanned;
    let process = &topology.processes[process];
    let Some(config) = process.config else {
        return;
    };
    let password = |name: &str| {
        process.cmdline.value(name).map(|v| {
            let origin = v.origin.min(crate::source::Origin::Literal);
            Spanned::with_origin(Password::from_value(&v.value), v.span, origin)
        })
    };
    match config {
        ConfigRef::Node(n) => {
            let (requirepass, masterauth) = (password("requirepass"), password("masterauth"));
            let node = &mut topology.nodes[n];
            if requirepass.is_some() {
                node.password = requirepass;
            }
            if masterauth.is_some() {
                node.masterauth = masterauth;
            }
        }
        ConfigRef::Sentinel(s) => {
            let requirepass = password("requirepass");
            let auth_pass: Vec<(String, Spanned<Password>)> = process
                .cmdline
                .options
                .iter()
                .filter(|o| o.name == "sentinel")
                .filter_map(|o| match o.values.as_slice() {
                    [keyword, name, value] if keyword.value.eq_ignore_ascii_case("auth-pass") => {
                        Some((
                            name.value.clone(),
                            Spanned::with_origin(
                                Password::from_value(&value.value),
                                value.span,
                                value.origin.min(crate::source::Origin::Literal),
                            ),
                        ))
                    }
                    _ => None,
                })
                .collect();
            let sentinel = &mut topology.sentinels[s];
            if requirepass.is_some() {
                sentinel.password = requirepass;
            }
            for (name, value) in auth_pass {
                if let Some(m) = sentinel.monitors.iter_mut().find(|m| m.name.value == name) {
                    m.auth_pass = Some(value);
                }
            }
        }
    }
}

/// The tree's scripts and texts by normalized path, for following an image's start.
struct TreeFilesOf<'a> {
    workspace: &'a Workspace,
    by_path: HashMap<PathBuf, FileId>,
}

impl<'a> crate::formats::image_start::TreeFiles<'a> for TreeFilesOf<'a> {
    fn script(&self, path: &Path) -> Option<crate::formats::image_start::TreeScript<'a>> {
        let id = *self.by_path.get(path)?;
        let parsed = self.workspace.entries[&id].parsed();
        Some(crate::formats::image_start::TreeScript {
            file: id,
            flow: parsed.script_flow.as_ref()?,
            commands: &parsed.commands,
        })
    }

    fn text(&self, path: &Path) -> Option<&'a str> {
        let id = self.by_path.get(path)?;
        Some(self.workspace.entries[id].source.text())
    }
}

/// Releases named by the `FROM` of the tree's Dockerfiles.
#[derive(Default)]
struct DockerfileImages {
    by_dockerfile: HashMap<PathBuf, crate::source::Spanned<crate::knowledge::Target>>,
    /// A config of the tree copied into an image runs the release of that image.
    by_copied_file: HashMap<PathBuf, crate::source::Spanned<crate::knowledge::Target>>,
}

impl DockerfileImages {
    /// The release of a process whose image is built (`build:` → its Dockerfile) or
    /// whose config is copied into a built image, when its own image names none.
    fn complete(
        &self,
        runtime: &mut crate::facts::Runtime,
        dockerfile: Option<&Path>,
        config: Option<&Path>,
    ) {
        if runtime.release.is_some() {
            return;
        }
        runtime.release = dockerfile
            .and_then(|d| self.by_dockerfile.get(&compose::normalize(d)))
            .or_else(|| config.and_then(|c| self.by_copied_file.get(&compose::normalize(c))))
            .cloned();
    }
}

/// `$VAR` / `${VAR}` placeholders a start script fills from the environment before the
/// process reads the config: the value is the variable's (never edited where the
/// placeholder is written).
fn substitute(lines: &mut [crate::syntax::redis_conf::ConfLine], vars: &[(String, String)]) {
    if vars.is_empty() {
        return;
    }
    for token in lines.iter_mut().flat_map(|l| l.tokens.iter_mut()) {
        let Some(name) = token.value.strip_prefix('$') else {
            continue;
        };
        let name = name.trim_start_matches('{').trim_end_matches('}');
        if let Some((_, value)) = vars.iter().rev().find(|(k, _)| k == name) {
            token.value = value.as_str().into();
            token.origin = crate::source::Origin::Implied;
        }
    }
}

/// A values file meant to be laid over `values.yaml`: `values-prod.yaml`,
/// `values.prod.yaml`, `prod-values.yaml` (or `.yml`).
fn is_values_overlay(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let Some(stem) = name
        .strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))
    else {
        return false;
    };
    stem != "values"
        && (stem.starts_with("values-") || stem.starts_with("values.") || stem.ends_with("-values"))
}

/// The workspace as the Kustomize builder sees it: files by normalized path.
struct KustomizeTree<'a> {
    workspace: &'a Workspace,
    by_path: HashMap<PathBuf, FileId>,
}

impl crate::formats::kustomize::Tree for KustomizeTree<'_> {
    fn file_at(&self, path: &Path) -> Option<FileId> {
        self.by_path.get(path).copied()
    }

    fn kustomization(&self, file: FileId) -> Option<&crate::formats::kustomize::Kustomization> {
        self.workspace
            .entries
            .get(&file)?
            .parsed()
            .kustomization
            .as_ref()
    }

    fn text(&self, file: FileId) -> Option<&str> {
        Some(self.workspace.entries.get(&file)?.source.text())
    }
}

/// Start scripts of ConfigMap keys, found by (object name, key) nearest to a workload.
struct ScriptStarts<'a> {
    index: crate::source::scope::NearestIndex<'a, (&'a str, &'a str)>,
    starts: Vec<(FileId, &'a crate::formats::workload::Invocation)>,
}

impl<'a> ScriptStarts<'a> {
    fn find(
        &self,
        name: &str,
        key: &str,
        near: &Path,
    ) -> Option<(FileId, &'a crate::formats::workload::Invocation)> {
        let first = *self.index.nearest(&(name, key), Some(near)).first()?;
        Some(self.starts[first])
    }
}

/// Discovery hands its inputs to a workspace (defined here: discovery comes first and
/// knows nothing of workspaces).
impl crate::discover::Discovered {
    /// A workspace holding every input read.
    pub fn into_workspace(self, settings: Settings) -> (Workspace, Vec<String>, Vec<String>) {
        let mut workspace = Workspace::new(settings);
        // Arc<str> copies the text: done in parallel, each String freed at once.
        let inputs: Vec<(
            PathBuf,
            std::sync::Arc<str>,
            bool,
            Option<crate::source::DiskStamp>,
        )> = self
            .inputs
            .into_par_iter()
            .map(|i| (i.path, i.text.into(), i.explicit, i.stamp))
            .collect();
        for (path, text, explicit, stamp) in inputs {
            workspace.set_file_from_disk(path, text, explicit, stamp);
        }
        workspace.load_kustomize_inputs();
        (workspace, self.errors, self.notes)
    }
}
