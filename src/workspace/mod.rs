//! The workspace: the set of files checked together, their cached parses, and `check()`.

mod ansible;
mod check;
mod helm;
mod host_release;
mod inline_files;
mod jinja;
mod kustomize;
mod link;
mod read;
mod values;

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
    /// For a script file: the redis program it ends by running (what a container runs
    /// when the file is put into a ConfigMap key with `kubectl create configmap
    /// --from-file`).
    file_start: Option<crate::formats::workload::Invocation>,
    /// For a script file: it speaks of replication (`replicaof`, asks the sentinels), so
    /// the role of the server it starts is decided at run time.
    file_replication: bool,
    /// The copies those scripts make: ((object name, key), copy).
    script_copies: Vec<((String, String), script::FileCopy)>,
    /// For a script file: its copies, and its test of the pod's name or ordinal that
    /// picks the role (with whether it asks the sentinels first).
    file_copies: Vec<script::FileCopy>,
    file_role_by_ordinal: Option<(Span, bool)>,
    /// Lines those scripts append to a file they copied first: ((name, key), path, lines).
    script_appends: Vec<((String, String), String, redis_conf::ConfTree)>,
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
    /// Placeholder words the file's `sed` commands fill in (configs of the whole tree
    /// are read with them as templates).
    sed_placeholders: Vec<crate::formats::placeholders::SedPlaceholder>,
    /// File names this file renders with `envsubst`.
    envsubst_inputs: Vec<String>,
    /// File names this file appends to a config (`cat F >> CONF`).
    appended_inputs: Vec<String>,
    /// `docker compose up --scale SERVICE=N` in the file (a start script, a Makefile).
    compose_scales: Vec<(String, usize)>,
    /// Workloads a `kubectl scale … --replicas=N` of the file scales: (name, count, where).
    kubectl_scales: Vec<(String, usize, std::ops::Range<usize>)>,
    /// Bare pods a `kubectl delete pod NAME` of the file deletes.
    kubectl_deleted_pods: Vec<String>,
    /// `docker run` commands of the file: the image and the host paths it mounts.
    docker_runs: Vec<crate::formats::launch::DockerRun>,
    /// The `docker build` commands of the file: what images it builds from which Dockerfile.
    docker_builds: Vec<crate::formats::launch::DockerBuild>,
    /// The ConfigMaps and Secrets the file defines, by name.
    config_objects: Vec<String>,
    /// An ACL file: the `default` user's password it sets.
    acl_default_password: Option<crate::source::Spanned<crate::facts::Password>>,
    /// Files a `kubectl create configmap … --from-file` of the file puts into keys.
    keys_from_files: Vec<crate::formats::launch::KeyFromFile>,
    /// Compose files a launch command lays over another (`-f base -f override`).
    compose_overrides: Vec<String>,
    /// Start scripts of ConfigMap keys that pick the role by the pod's ordinal: the
    /// key, the test, whether they ask the sentinels first, and whether they start a
    /// data server.
    script_roles: Vec<((String, String), Span, bool, bool)>,
    /// Start scripts of ConfigMap keys that speak of replication (`replicaof`).
    script_replication: Vec<(String, String)>,
    /// Compose files a `docker stack deploy -c` of the file deploys (their path tails).
    stack_files: Vec<String>,
    /// The stack names those files are deployed under: (file, stack).
    stack_names: Vec<(String, String)>,
    /// The file passes `--sentinel monitor …` on a command line.
    monitor_on_command_line: bool,
    /// Helm releases a script installs.
    helm_releases: Vec<crate::formats::helm_command::HelmCommand>,
    /// Master names that ConfigMaps hand to applications.
    client_master_names: Vec<crate::formats::kubernetes::ClientMasterName>,
    /// One-line values of the file's ConfigMaps (environment variables of containers).
    config_map_values: Vec<crate::formats::kubernetes::ConfigMapValue>,
    /// Redis credentials that ConfigMaps hand to applications, written out.
    client_secrets: Vec<crate::formats::client_secrets::ClientSecret>,
}

/// A config with the words that a `sed` of the tree replaces written as templates (the
/// same `Arc` when it holds none).
fn with_placeholders(
    conf: &Arc<ConfFile>,
    placeholders: &[crate::formats::placeholders::SedPlaceholder],
) -> Arc<ConfFile> {
    if placeholders.is_empty() {
        return conf.clone();
    }
    let mut changed: Option<ConfFile> = None;
    // `{{ NAME }}` is three words to Redis's tokenizer: one value once filled in.
    let spaced: Vec<&str> = placeholders
        .iter()
        .map(|p| p.pattern.as_str())
        .filter(|p| p.contains(' '))
        .collect();
    if !spaced.is_empty() {
        for (l, line) in conf.tree.lines.iter().enumerate() {
            let first_value = if line.tokens[0].value.eq_ignore_ascii_case("sentinel") {
                2
            } else {
                1
            };
            if line.tokens.len() <= first_value + 2
                || !line.tokens.iter().any(|t| t.value.starts_with('{'))
            {
                continue;
            }
            let copy = changed.get_or_insert_with(|| (**conf).clone());
            copy.tree.lines[l].tokens = merge_spaced(&line.tokens, first_value, &spaced);
        }
    }
    let tree = changed.as_ref().map_or(&conf.tree, |c| &c.tree);
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    for (l, line) in tree.lines.iter().enumerate() {
        // The directive name stays: a placeholder is a value.
        for (t, token) in line.tokens.iter().enumerate().skip(1) {
            if let Some(value) = crate::formats::placeholders::templated(&token.value, placeholders)
            {
                edits.push((l, t, value));
            }
        }
    }
    for (l, t, value) in edits {
        let copy = changed.get_or_insert_with(|| (**conf).clone());
        copy.tree.lines[l].tokens[t].value = value.into();
    }
    changed.map_or_else(|| conf.clone(), Arc::new)
}

/// `tokens` with each run of words from `first` on that spells a spaced placeholder
/// (`{{`, `NAME`, `}}`) made one word spanning them.
fn merge_spaced(
    tokens: &[crate::syntax::redis_conf::Token],
    first: usize,
    spaced: &[&str],
) -> Vec<crate::syntax::redis_conf::Token> {
    let mut out: Vec<crate::syntax::redis_conf::Token> = tokens[..first].to_vec();
    let mut i = first;
    while i < tokens.len() {
        let run = spaced.iter().find_map(|pattern| {
            let words = pattern.split(' ').filter(|w| !w.is_empty()).count();
            let end = i + words;
            let joined = tokens
                .get(i..end)?
                .iter()
                .map(|t| t.value.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            (joined == pattern.split_whitespace().collect::<Vec<_>>().join(" ")
                && tokens[i..end].iter().all(|t| !t.quoted))
            .then_some((end, *pattern))
        });
        match run {
            Some((end, pattern)) => {
                let mut merged = tokens[i].clone();
                merged.value = pattern.into();
                merged.range = tokens[i].range.start..tokens[end - 1].range.end;
                out.push(merged);
                i = end;
            }
            None => {
                out.push(tokens[i].clone());
                i += 1;
            }
        }
    }
    out
}

fn is_yaml(path: &Path) -> bool {
    crate::formats::detect::is_yaml_path(path)
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
    /// Files rendered from chart templates, with what they were made from.
    rendered: HashMap<FileId, Arc<helm::RenderInfo>>,
    /// Chart templates whose renders stand for them.
    rendered_templates: HashSet<FileId>,
    /// Values files those renders read (their passwords are masked like any other).
    rendered_values: HashSet<FileId>,
    /// What [`Workspace::expand`] added (files) and hid (templates shown only), so that
    /// an edited tree is expanded afresh ([`Workspace::retract`]).
    expanded_files: Vec<PathBuf>,
    expanded_hidden: Vec<FileId>,
    /// Ids of retracted files, given back when the same path is expanded again.
    retracted_ids: HashMap<PathBuf, FileId>,
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
    /// What the files read imply beyond themselves: the bases their Kustomize overlays
    /// build on (read from disk), and the files their Helm charts and Jinja templates
    /// render. Call once, after every file is set and before checking.
    pub fn expand(&mut self) {
        let before: HashSet<PathBuf> = self.by_path.keys().cloned().collect();
        let shown: HashSet<FileId> = self
            .by_path
            .values()
            .filter(|id| self.entries.get(id).is_some_and(|e| e.shown_only))
            .copied()
            .collect();
        self.load_kustomize_inputs();
        self.render_helm_charts();
        self.render_jinja_templates();
        self.render_inline_copies();
        self.expanded_files = (self.by_path.keys())
            .filter(|p| !before.contains(*p))
            .cloned()
            .collect();
        self.expanded_hidden = (self.by_path.values())
            .filter(|id| !shown.contains(id))
            .filter(|id| self.entries.get(id).is_some_and(|e| e.shown_only))
            .copied()
            .collect();
        // A template read before it was hidden is read again as hidden (nothing).
        for id in &self.expanded_hidden {
            if let Some(entry) = self.entries.get_mut(id) {
                entry.parsed = OnceLock::new();
            }
        }
    }

    /// Undo [`Workspace::expand`]: the files it added go, the templates it hid are read
    /// again. A workspace that lives on (the language server) retracts and expands again
    /// after edits, so that renders and overlay bases follow the files they come from.
    pub fn retract(&mut self) {
        for path in std::mem::take(&mut self.expanded_files) {
            if let Some(id) = self.by_path.get(&path).copied() {
                self.remove_file(&path);
                self.retracted_ids.insert(path, id);
            }
        }
        for id in std::mem::take(&mut self.expanded_hidden) {
            if let Some(entry) = self.entries.get_mut(&id) {
                entry.shown_only = false;
                entry.parsed = OnceLock::new();
            }
        }
        self.rendered.clear();
        self.rendered_templates.clear();
        self.rendered_values.clear();
    }

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
            None if self.retracted_ids.contains_key(&path) => {
                let id = self.retracted_ids[&path];
                self.retracted_ids.remove(&path);
                self.by_path.insert(path.clone(), id);
                id
            }
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

    /// The file at a normalized path (`compose::normalize` drops a leading `./`, which
    /// the paths of a tree checked as `.` keep).
    fn file_at(&self, normalized: &Path) -> Option<FileId> {
        self.by_path
            .get(normalized)
            .or_else(|| match normalized.is_relative() {
                true => self.by_path.get(&Path::new(".").join(normalized)),
                false => None,
            })
            .copied()
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
                spans.extend(service.option_secret_spans());
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
        // The values of a rendered chart: findings point into them now.
        if self.rendered_values.contains(&id) {
            for doc in &yaml::parse(entry.source.text()).documents {
                let mut found = Vec::new();
                crate::formats::units::password_values(doc, &mut found);
                spans.extend(
                    found
                        .into_iter()
                        .map(|n| Span::new(id, n.span.start, n.span.end)),
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
        let mut placeholders: Vec<crate::formats::placeholders::SedPlaceholder> = Vec::new();
        let templates = parsed
            .iter()
            .flat_map(|p| p.sed_placeholders.iter())
            .filter(|p| p.is_placeholder());
        for p in templates {
            if !placeholders.contains(p) {
                placeholders.push(p.clone());
            }
        }
        let monitors_on_command_line = parsed.iter().any(|p| p.monitor_on_command_line);
        let envsubst_inputs: HashSet<&str> = parsed
            .iter()
            .flat_map(|p| p.envsubst_inputs.iter().map(String::as_str))
            .collect();
        let appended_inputs: HashSet<&str> = parsed
            .iter()
            .flat_map(|p| p.appended_inputs.iter().map(String::as_str))
            .collect();
        parsed
            .iter()
            .flat_map(|p| p.confs.iter())
            .map(|conf| {
                let mut conf = with_placeholders(conf, &placeholders);
                // A template only envsubst renders (no sed fills its words).
                let name = self
                    .entries
                    .get(&conf.file)
                    .and_then(|e| e.source.path.file_name())
                    .map(|n| n.to_string_lossy().into_owned());
                if !conf.embedded
                    && conf.written_to.is_none()
                    && name.as_deref().is_some_and(|n| envsubst_inputs.contains(n))
                {
                    let mut copy = (*conf).clone();
                    copy.rendered_by_envsubst = true;
                    conf = Arc::new(copy);
                }
                if !conf.embedded
                    && conf.written_to.is_none()
                    && name.as_deref().is_some_and(|n| appended_inputs.contains(n))
                {
                    let mut copy = (*conf).clone();
                    copy.appended_to_config = true;
                    conf = Arc::new(copy);
                }
                if monitors_on_command_line && conf.kind == FileKind::SentinelConf {
                    let mut copy = (*conf).clone();
                    copy.monitors_on_command_line = true;
                    return Arc::new(copy);
                }
                conf
            })
            .collect()
    }

    /// Units and drop-ins of every file, in path order (parsed by `parse_all`).
    fn all_units(&self) -> Vec<Arc<UnitFile>> {
        self.sorted_ids()
            .iter()
            .flat_map(|id| self.entries[id].parsed().units.iter().cloned())
            .collect()
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
        workspace.expand();
        (workspace, self.errors, self.notes)
    }
}
