//! Building the deployment model: every file's facts linked into processes and groups.

use super::*;

mod compose_services;
mod env_configured;
mod launched;
use compose_services::{ConfIndex, Linked};

/// A container that runs the start script of a ConfigMap key: the file of the script,
/// the command in it, and the config it runs.
type ScriptStarted<'a> = (
    FileId,
    &'a crate::formats::workload::Invocation,
    Option<&'a ConfFile>,
);

/// A config an init container's script copies from a mounted ConfigMap key and then
/// appends to (`cp /tmp/redis/redis.conf /etc/redis/redis.conf; echo … >> …`).
struct CopiedByInit {
    /// The template's lines, then the appended ones.
    conf: ConfFile,
    /// The template: (file, ConfigMap and key).
    template: (FileId, Option<(String, String)>),
    /// Other templates the script may copy there instead.
    alternatives: Vec<(FileId, Option<(String, String)>)>,
    /// The appended lines: (file, path written).
    appended: Option<(FileId, Option<String>)>,
    /// Where a script copies the template there at every start (not only when missing).
    every_start: Option<Span>,
}

/// A copy a ConfigMap key's script makes: source, destination, and where it is made
/// when it runs at every start.
type KeyCopy<'a> = (&'a str, &'a str, Option<Span>);

/// A file of the tree that a `kubectl create configmap --from-file` puts into a key.
struct KeyedFile<'a> {
    object: &'a str,
    key: &'a str,
    /// The folder of the command: the key is for the workloads beside or below it.
    dir: &'a Path,
    file: FileId,
}

/// A pod template: its manifest and where its object starts (`PodFacts::name_span`).
type PodKey = (FileId, usize);

/// Lines a ConfigMap script appends to a file it copied: the manifest, and the lines.
type Appended<'a> = (FileId, &'a crate::syntax::redis_conf::ConfTree);

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
    /// The folder of the file that holds each config.
    dirs: Vec<Option<&'a Path>>,
    by_suffix: SuffixIndex<'a>,
    by_name_dir: HashMap<(&'a std::ffi::OsStr, Option<&'a Path>), Vec<usize>>,
}

impl<'a> Located<'a> {
    fn new(list: &'a [(PathBuf, FileId, ConfigRef)], path_of: impl Fn(FileId) -> &'a Path) -> Self {
        let mut located = Located {
            refs: Vec::with_capacity(list.len()),
            dirs: Vec::with_capacity(list.len()),
            by_suffix: SuffixIndex::new(),
            by_name_dir: HashMap::new(),
        };
        for (i, (path, file, r)) in list.iter().enumerate() {
            located.refs.push(*r);
            located.dirs.push(path_of(*file).parent());
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

impl Workspace {
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

    /// The configs that init containers' ConfigMap scripts copy from a template (and
    /// append to), by (manifest, container, path as the container sees it).
    fn copied_by_init(
        &self,
        embedded: &EmbeddedConfs,
    ) -> HashMap<(FileId, usize, String), CopiedByInit> {
        // Script files put into keys by `kubectl create configmap … --from-file`.
        let file_keys: Vec<((String, String), FileId)> = self
            .keyed_files()
            .into_iter()
            .map(|k| ((k.object.to_string(), k.key.to_string()), k.file))
            .collect();
        let mut copies: HashMap<&(String, String), Vec<KeyCopy>> = HashMap::new();
        let mut appends: HashMap<(&(String, String), &str), Appended> = HashMap::new();
        for (key, file) in &file_keys {
            for c in &self.entries[file].parsed().file_copies {
                let every_start = (!c.guarded).then_some(c.at);
                copies
                    .entry(key)
                    .or_default()
                    .push((&c.from, &c.to, every_start));
            }
        }
        for id in self.sorted_ids() {
            let parsed = self.entries[&id].parsed();
            for (key, c) in &parsed.script_copies {
                let every_start = (!c.guarded).then_some(c.at);
                copies
                    .entry(key)
                    .or_default()
                    .push((&c.from, &c.to, every_start));
            }
            for (key, path, tree) in &parsed.script_appends {
                appends.insert((key, path.as_str()), (id, tree));
            }
        }
        let mut out = HashMap::new();
        self.copied_and_appended_inline(embedded, &mut out);
        if copies.is_empty() {
            return out;
        }
        for id in self.sorted_ids() {
            for (ci, container) in self.entries[&id].parsed().containers.iter().enumerate() {
                // The init containers' scripts see the pod's volumes through their own
                // mounts; the container's own script (a key it runs) through its mounts.
                let own = container
                    .script_file
                    .as_deref()
                    .and_then(|p| container.source_key(p));
                let scripts = container
                    .pod
                    .init_script_keys
                    .iter()
                    .map(|k| (k, &container.pod.init_mounts))
                    .chain(own.as_ref().map(|k| (k, &container.mounts)));
                for (key, mounts) in scripts {
                    // A copy of every file of a folder (`cp /src/*.* /dst`) copies each
                    // config key of the object mounted there, under its own name.
                    let expanded: Vec<(String, String, Option<Span>)> = copies
                        .get(key)
                        .into_iter()
                        .flatten()
                        .flat_map(|(from, to, every_start)| {
                            let globbed = from
                                .rsplit_once('/')
                                .filter(|(_, pattern)| pattern.contains('*'));
                            let Some((dir, pattern)) = globbed else {
                                return vec![(from.to_string(), to.to_string(), *every_start)];
                            };
                            let probe = format!("{dir}/_");
                            let Some((name, _)) = workload::key_in_mounts_or_copies(
                                mounts,
                                &container.pod.init_copies,
                                &probe,
                            ) else {
                                return Vec::new();
                            };
                            let to = to.trim_end_matches('/');
                            embedded
                                .keys_of(&name)
                                .into_iter()
                                .filter(|k| glob_matches(pattern, k))
                                .map(|k| (format!("{dir}/{k}"), format!("{to}/{k}"), *every_start))
                                .collect()
                        })
                        .collect();
                    for (from, to, every_start) in &expanded {
                        let (from, to) = (from.as_str(), to.as_str());
                        let Some((name, k)) = workload::key_in_mounts_or_copies(
                            mounts,
                            &container.pod.init_copies,
                            from,
                        ) else {
                            continue;
                        };
                        let Some(template) = embedded.find(&name, &k, self.dir_of(id)) else {
                            continue;
                        };
                        // The destination's volume, where this container mounts it.
                        let on_volume = mounts
                            .iter()
                            .filter(|m| {
                                to.starts_with(&format!("{}/", m.path.trim_end_matches('/')))
                            })
                            .max_by_key(|m| m.path.len());
                        let path = match on_volume {
                            Some(init_mount) => {
                                let rest = &to[init_mount.path.trim_end_matches('/').len()..];
                                let Some(mine) = container
                                    .mounts
                                    .iter()
                                    .find(|m| m.volume == init_mount.volume)
                                else {
                                    continue;
                                };
                                format!("{}{rest}", mine.path.trim_end_matches('/'))
                            }
                            // The container's own script writes its own filesystem.
                            None if own.as_ref() == Some(key) => to.to_string(),
                            None => continue,
                        };
                        let appended = appends.get(&(key, to)).copied();
                        let mut lines = template.tree.lines.clone();
                        if let Some((file, tree)) = appended {
                            // The appended lines are the script's, in its manifest.
                            let mut tree = tree.clone();
                            tree.set_owner(file);
                            lines.extend(tree.lines);
                        }
                        let tree = crate::syntax::redis_conf::ConfTree {
                            lines,
                            errors: Vec::new(),
                            rewrite_marker: None,
                        };
                        // The template says what it is (appended lines alone may not).
                        let kind = template.kind;
                        let mut conf = ConfFile::from_tree_keep_owners(template.file, kind, tree);
                        conf.embedded = true;
                        conf.embedded_in = template.embedded_in.clone();
                        let template = (template.file, template.embedded_in.clone());
                        // Copies of alternative templates to one path (chosen by a
                        // variable): the last is the one run, and the others are the same
                        // process's, not processes of their own.
                        let mut alternatives = Vec::new();
                        if let Some(before) = out.remove(&(id, ci, path.clone())) {
                            alternatives = before.alternatives;
                            alternatives.push(before.template);
                        }
                        out.insert(
                            (id, ci, path),
                            CopiedByInit {
                                conf,
                                template,
                                alternatives,
                                appended: appended.map(|(file, _)| (file, Some(to.to_string()))),
                                every_start: *every_start,
                            },
                        );
                    }
                }
            }
        }
        out
    }

    /// The service of the same name in the last overlay file of a base compose file's
    /// folder, when it runs a redis program by a command of its own.
    fn overlay_command<'a>(
        &'a self,
        dir: &Path,
        name: &str,
        services_in_dir: &HashMap<(PathBuf, &str), Vec<FileId>>,
        overrides: &HashSet<PathBuf>,
        is_override: bool,
    ) -> Option<&'a compose::Service> {
        if is_override {
            return None;
        }
        let files = services_in_dir.get(&(dir.to_path_buf(), name))?;
        files
            .iter()
            .rev()
            .filter(|f| overrides.contains(&compose::normalize(&self.entries[f].source.path)))
            .find_map(|f| {
                let compose = self.entries[f].parsed().compose.as_ref()?;
                compose.services.iter().find(|s| s.name == name)
            })
    }

    /// Scripts (`sh -c "…"`) of a container or of its init containers that copy a
    /// ConfigMap key and append lines to the copy: the container finds the key's lines,
    /// then the appended ones, at that path.
    fn copied_and_appended_inline(
        &self,
        embedded: &EmbeddedConfs,
        out: &mut HashMap<(FileId, usize, String), CopiedByInit>,
    ) {
        for id in self.sorted_ids() {
            for (ci, container) in self.entries[&id].parsed().containers.iter().enumerate() {
                let pod = &container.pod;
                // Its own script's copies (at a path of its own filesystem or of a
                // volume, made at every start unless guarded), then its init
                // containers' (onto a volume the pod shares, made once per pod start).
                let own = container
                    .copies
                    .iter()
                    .map(|c| (c, &container.appended_after_copy, true));
                let init = pod
                    .init_copies
                    .iter()
                    .map(|c| (c, &pod.init_appends, false));
                for (copy, appends, by_itself) in own.chain(init) {
                    let Some((name, key)) = &copy.from else {
                        continue;
                    };
                    let Some((_, appended)) = appends.iter().find(|(to, _)| *to == copy.to) else {
                        continue;
                    };
                    let Some(template) = embedded.find(name, key, self.dir_of(id)) else {
                        continue;
                    };
                    let path = match &copy.to {
                        (None, path) if by_itself => path.clone(),
                        (None, _) => continue,
                        (Some(volume), inside) => {
                            let Some(mine) = container.mounts.iter().find(|m| &m.volume == volume)
                            else {
                                continue;
                            };
                            format!(
                                "{}/{}",
                                mine.path.trim_end_matches('/'),
                                inside.trim_start_matches('/')
                            )
                        }
                    };
                    let mut appended = appended.clone();
                    appended.set_owner(id);
                    out.insert(
                        (id, ci, path),
                        CopiedByInit {
                            conf: appended_to(template, appended),
                            template: (template.file, template.embedded_in.clone()),
                            alternatives: Vec::new(),
                            appended: None,
                            every_start: (by_itself && !copy.guarded)
                                .then(|| Span::new(id, copy.span.start, copy.span.end)),
                        },
                    );
                }
            }
        }
    }

    pub(super) fn build_topology(&self, confs: &[Arc<ConfFile>]) -> (Topology, FormatUnits) {
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
        let script_copies = self.host_file_copies();
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
        // Compose projects: their folder and the kinds of process they run, and every
        // host path their containers mount or build from.
        let mut compose_projects: HashSet<(PathBuf, FileKind)> = HashSet::new();
        let mut compose_sources: HashSet<PathBuf> = HashSet::new();
        for entry in self.sorted_ids().iter().map(|id| &self.entries[id]) {
            let Some(compose_file) = &entry.parsed().compose else {
                continue;
            };
            let dir = compose::normalize(self.dir_of(entry.source.id));
            for service in compose_file.services.iter().chain(&compose_file.others) {
                compose_sources
                    .extend(service.mounts.iter().map(|m| compose::normalize(&m.source)));
                compose_sources.extend(service.build.as_deref().map(compose::normalize));
            }
            for service in &compose_file.services {
                compose_projects.insert((dir.clone(), service.kind));
            }
        }
        let mut linked = Linked {
            included,
            ..Linked::default()
        };
        self.link_compose_services(
            &ConfIndex {
                by_path: &by_path,
                written_by: &written_by,
                script_copies: &script_copies,
            },
            &images,
            &mut linked,
        );
        let Linked {
            mut nodes,
            mut sentinels,
            mounts,
            compose_units,
            mut included,
            mut claimed_written,
        } = linked;
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
        // Configs put into ConfigMap and Secret keys by `kubectl create configmap …
        // --from-file` (a script, a Makefile, a README), resolved from the command's
        // folder: keys of that object, for the workloads beside the command.
        let mut keyed_files = self.keyed_files();
        keyed_files.extend(self.undefined_config_maps(&builds, &keyed_files));
        for k in &keyed_files {
            let conf = confs
                .iter()
                .find(|c| c.file == k.file && !c.embedded && c.written_to.is_none());
            if let Some(conf) = conf {
                embedded.add(k.object, k.key, k.dir, conf);
                included.insert(conf.file);
            }
        }
        embedded.apply_patches(&builds);
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
        // Script files put into keys by `kubectl create configmap … --from-file`.
        for k in &keyed_files {
            if let Some(inv) = &self.entries[&k.file].parsed().file_start {
                script_starts.insert((k.object, k.key), k.dir, starts.len());
                starts.push((k.file, inv));
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
        // The same, by (ConfigMap, key) and path only: what an init container's script
        // writes, found from the pod that runs it.
        let mut by_writer: HashMap<(&(String, String), &str), Vec<&ConfFile>> = HashMap::new();
        for c in confs.iter() {
            if let (Some(by), Some(to)) = (&c.written_by, &c.written_to) {
                by_writer
                    .entry((by, to.as_str()))
                    .or_default()
                    .push(c.as_ref());
            }
        }
        let mut claimed: HashSet<(FileId, Option<(String, String)>)> = HashSet::new();
        // Some workload runs a sentinel on a config not found in the tree (on a volume
        // claim filled from outside, at a path no script of the tree writes): a sentinel
        // config that nothing here runs may be that one, in any number of pods.
        let mut sentinels_on_unseen_configs = false;
        // Tree files a Dockerfile copies into an image that a linked container runs.
        let mut in_run_images: HashSet<FileId> = HashSet::new();
        // Configs scripts copy from a template at every start, by container.
        let mut copied_every_start: HashMap<(FileId, usize), Vec<(String, Span)>> = HashMap::new();
        let copied_by_init = self.copied_by_init(&embedded);
        // Containers that run the start script of a ConfigMap key: the command in it.
        let mut script_started: HashMap<(FileId, usize), ScriptStarted> = HashMap::new();
        let mut workload_procs: HashMap<(FileId, usize), Vec<ConfigRef>> = HashMap::new();
        let image_starts = self.image_starts();
        // Containers of bitnami images on their own start: the config their
        // environment makes.
        let env_configured = self.env_configured();
        // Containers of an image built in the tree under an official image's name: what
        // they run is that image's start, not the official `CMD`.
        let rebuilt: HashMap<(FileId, usize), crate::formats::workload::Container> = image_starts
            .keys()
            .filter_map(|&(id, ci)| {
                let container = self.entries[&id].parsed().containers.get(ci)?;
                container
                    .image_default
                    .then(|| ((id, ci), container.without_image_default()))
            })
            .collect();
        let kubectl_scales: Vec<(&Path, &str, usize, Span)> = self
            .sorted_ids()
            .into_iter()
            .flat_map(|id| {
                let dir = self.dir_of(id);
                self.entries[&id]
                    .parsed()
                    .kubectl_scales
                    .iter()
                    .map(move |(name, n, r)| {
                        (dir, name.as_str(), *n, Span::new(id, r.start, r.end))
                    })
            })
            .collect();
        // ConfigMap keys (name, key) whose scripts speak of replication, in any file.
        let replicating_keys: HashSet<&(String, String)> = self
            .entries
            .values()
            .flat_map(|e| e.parsed().script_replication.iter())
            .collect();
        let secrets = self.cluster();
        let service_names = self.single_pod_service_names(&secrets);
        let (adopted, deleted_pods) = self.adopted_pods();
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
                let container = rebuilt.get(&(id, ci)).unwrap_or(container);
                // The process it runs (its command line's, or the one of its image or
                // start script), then those its `postStart` hook starts.
                let (hooks, own): (Vec<&crate::formats::workload::Invocation>, Vec<_>) =
                    container.invocations.iter().partition(|i| i.from_hook);
                let by_ordinal = ordinal_branches(container, &own);
                // What the image's start runs beside its first process.
                let beside: &[ImageStart] = match own.is_empty() {
                    true => image_starts
                        .get(&(id, ci))
                        .map_or(&[], |s| s.beside.as_slice()),
                    false => &[],
                };
                let mains = if by_ordinal.is_some() {
                    2
                } else {
                    1 + beside.len()
                };
                for ii in 0..mains + hooks.len() {
                    // What the container runs: its command line, or the start script of a
                    // ConfigMap key it runs (whose words live in that manifest).
                    let (inv, inv_file, script) = match own.as_slice() {
                        _ if ii >= mains => (hooks[ii - mains], id, None),
                        // Pod 0 runs the master's branch, the others the replicas'.
                        _ if let Some((master, replica)) = by_ordinal => {
                            (if ii == 0 { master } else { replica }, id, None)
                        }
                        [] if ii > 0 => {
                            let other = &beside[ii - 1];
                            (&other.invocation, other.tokens, None)
                        }
                        [] if image_starts.contains_key(&(id, ci)) => {
                            let start = &image_starts[&(id, ci)];
                            (&start.invocation, start.tokens, None)
                        }
                        [] => {
                            let Some(((file, inv), key)) = container
                                .script_file
                                .as_deref()
                                .and_then(|p| container.source_key(p))
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
                        // Several, in branches of a start script: which one runs is
                        // not known.
                        [inv] => (*inv, id, None),
                        _ => continue,
                    };
                    let inv_source = &self.entries[&inv_file].source;
                    // A path in the pod that a ConfigMap key provides: in a build, the
                    // build's ConfigMaps first (an overlay's patch before the base's own).
                    let in_pod = |path: &str| {
                        build
                            .and_then(|b| {
                                crate::formats::k8s_link::config_at(
                                    container, path, &embedded, &b.root,
                                )
                                .filter(|c| b.files.contains(&c.file))
                            })
                            .or_else(|| {
                                crate::formats::k8s_link::config_at(
                                    container,
                                    path,
                                    &embedded,
                                    self.dir_of(id),
                                )
                            })
                    };
                    // The image's config made from the environment, a config of the
                    // tree, or (for redis-server) options only.
                    let by_env = (ii == 0 && container.configured_by_env)
                        .then(|| env_configured.get(&(id, ci)))
                        .flatten();
                    let conf = match &inv.config {
                        _ if let Some(made) = by_env => Some(&made.conf),
                        Some((path, _)) => {
                            let written = script.as_ref().and_then(|key| {
                                written_by_script.get(&(inv_file, key.clone(), path.clone()))
                            });
                            // The image's own config: written by its start script, or
                            // copied in by its Dockerfile.
                            // Written by a script an init container runs, on a volume
                            // of the pod.
                            let by_init =
                                || {
                                    if let Some(copied) =
                                        copied_by_init.get(&(id, ci, path.clone()))
                                    {
                                        return Some(&copied.conf);
                                    }
                                    container.pod.init_script_keys.iter().find_map(|k| {
                                        match by_writer.get(&(k, path.as_str())).map(Vec::as_slice)
                                        {
                                            Some([one]) => Some(*one),
                                            _ => None,
                                        }
                                    })
                                };
                            let in_image = || {
                                let ImageStart {
                                    script,
                                    docker,
                                    context,
                                    ..
                                } = image_starts.get(&(id, ci))?;
                                let script_path =
                                    compose::normalize(&self.entries[script].source.path);
                                if let Some(c) = written_by.get(&(script_path, path.clone())) {
                                    return Some(c.as_ref());
                                }
                                let dockerfile =
                                    self.entries[docker].parsed().dockerfile.as_ref()?;
                                // The image's file itself, or the one the script copies there
                                // (`cp /opt/conf/sentinel.conf /tmp/sentinel.conf`): a key the
                                // pod mounts at that source first, else the image's.
                                let copies = &self.entries[script].parsed().file_copies;
                                let from = crate::formats::script::copy_to(copies, path)
                                    .map(|c| c.from.as_str());
                                if let Some(mounted) = from.and_then(in_pod) {
                                    return Some(mounted);
                                }
                                let source = dockerfile
                                    .source_of(path)
                                    .or_else(|| dockerfile.source_of(from?))?;
                                by_path
                                    .get(&compose::normalize(&context.join(source)))
                                    .map(|c| c.as_ref())
                            };
                            let copied =
                                || copied_by_init.get(&(id, ci, path.clone())).map(|c| &c.conf);
                            match written
                                .copied()
                                .or_else(copied)
                                .or_else(|| in_pod(path))
                                .or_else(in_image)
                                .or_else(by_init)
                            {
                                Some(c) if c.kind == inv.kind => Some(c),
                                _ => {
                                    if inv.kind == FileKind::SentinelConf {
                                        sentinels_on_unseen_configs = true;
                                    }
                                    continue;
                                }
                            }
                        }
                        // Options only, or none: the official image's `redis-server` on
                        // its defaults.
                        None if inv.kind == FileKind::RedisConf => None,
                        None => continue,
                    };
                    if script.is_some() {
                        script_started.insert((id, ci), (inv_file, inv, conf));
                    }
                    // A config a script copies from its template at every start (by a
                    // ConfigMap key's script or the image's).
                    if let Some((path, _)) = &inv.config {
                        let by_key = copied_by_init
                            .get(&(id, ci, path.clone()))
                            .and_then(|c| c.every_start);
                        let by_image = || {
                            let script = image_starts.get(&(id, ci))?.script;
                            let copies = &self.entries[&script].parsed().file_copies;
                            let copy = crate::formats::script::copy_to(copies, path)?;
                            (!copy.guarded).then_some(copy.at)
                        };
                        if let Some(at) = by_key.or_else(by_image) {
                            copied_every_start
                                .entry((id, ci))
                                .or_default()
                                .push((path.clone(), at));
                        }
                    }
                    // The configs the image's Dockerfile copies in are this image's, run here
                    // (or overridden by what the pod mounts), not processes of their own.
                    if let Some(ImageStart {
                        docker, context, ..
                    }) = image_starts.get(&(id, ci))
                    {
                        if let Some(dockerfile) = self.entries[docker].parsed().dockerfile.as_ref()
                        {
                            for (source, _, _) in &dockerfile.copies {
                                if let Some(c) =
                                    by_path.get(&compose::normalize(&context.join(source)))
                                {
                                    in_run_images.insert(c.file);
                                }
                            }
                        }
                    }
                    if let Some(conf) = conf {
                        claimed.insert((conf.file, conf.embedded_in.clone()));
                        if conf.written_to.is_some() {
                            claimed_written.insert((conf.file, conf.written_to.clone()));
                        }
                    }
                    // A template copied and appended to: both pieces are this container's.
                    if let Some((path, _)) = &inv.config {
                        if let Some(copied) = copied_by_init.get(&(id, ci, path.clone())) {
                            if conf.is_some_and(|c| std::ptr::eq(c, &copied.conf)) {
                                claimed.insert(copied.template.clone());
                                claimed.extend(copied.alternatives.iter().cloned());
                                if let Some(w) = &copied.appended {
                                    claimed_written.insert(w.clone());
                                }
                            }
                        }
                    }
                    let args: Vec<_> = inv
                        .args
                        .iter()
                        .skip(usize::from(conf.is_some()))
                        .map(|t| {
                            let mut t = t.clone();
                            t.owner = inv_file;
                            // The container's memory limit through the downward API: the
                            // value is the limit, set by the env entry (never edited there).
                            if let Some((_, bytes, entry)) =
                                container.memory_limit_env.iter().find(|(var, _, _)| {
                                    [
                                        format!("$({var})"),
                                        format!("${{{var}}}"),
                                        format!("${var}"),
                                    ]
                                    .contains(&t.value.to_string())
                                })
                            {
                                t.value = bytes.to_string().into();
                                t.owner = id;
                                t.range = entry.clone();
                                t.origin = crate::source::Origin::Implied;
                                return t;
                            }
                            t.value = resolve_env(&t.value, container, &secrets).into();
                            t
                        })
                        .collect();
                    let options =
                        compose::options_conf(inv_file, inv.kind, &args, inv_source.text());
                    // An `include` names a path of the container's own filesystem: a key of a
                    // mounted ConfigMap (or a copy of one), else a file of the tree.
                    let included_here = std::cell::RefCell::new(Vec::new());
                    let spliced = conf.filter(|c| c.includes().next().is_some()).map(|c| {
                        c.with_includes(&|from, path| {
                            let found = in_pod(path)
                                .or_else(|| self.resolve_include(targets(), from, path))
                                .filter(|c| {
                                    c.file != from.file || c.embedded_in != from.embedded_in
                                });
                            if let Some(c) = found {
                                included_here.borrow_mut().push(c);
                            }
                            found
                        })
                    });
                    for c in included_here.into_inner() {
                        claimed.insert((c.file, c.embedded_in.clone()));
                    }
                    let complete = spliced.as_ref().is_none_or(|(_, complete)| *complete)
                        && by_env.is_none_or(|made| made.complete);
                    let mut lines = match &spliced {
                        Some((merged, _)) => merged.tree.lines.clone(),
                        None => conf.map(|c| c.tree.lines.clone()).unwrap_or_default(),
                    };
                    // A config a shell script writes holds what the shell expanded: the
                    // container's own values of its `$VAR`s (a file Redis reads as it is
                    // keeps them as written).
                    if conf.is_some_and(|c| c.written_to.is_some()) {
                        fill_from_container_env(&mut lines, container, source);
                    }
                    lines.extend(options.tree.lines.iter().cloned());
                    let tree = crate::syntax::redis_conf::ConfTree {
                        lines,
                        errors: Vec::new(),
                        rewrite_marker: None,
                    };
                    let mut merged = ConfFile::from_tree_keep_owners(
                        conf.map_or(inv_file, |c| c.file),
                        inv.kind,
                        tree,
                    );
                    merged.monitor_include = spliced.as_ref().and_then(|(m, _)| m.monitor_include);
                    let anchor = Span::new(id, container.name_span.start, container.name_span.end);
                    // What the build sets: the replica count, the image, and the build as the
                    // unit that declares the processes.
                    let replicas_set = build.and_then(|b| b.replicas.get(&container.workload));
                    // `kubectl scale … --replicas=N` of the workload, in a script or the
                    // instructions of its folder or one above (the nearest).
                    let scaled = replicas_set
                        .is_none()
                        .then(|| {
                            let here = self.dir_of(id);
                            kubectl_scales
                                .iter()
                                .filter(|(dir, name, _, _)| {
                                    *name == container.workload && here.starts_with(dir)
                                })
                                .max_by_key(|(dir, ..)| dir.components().count())
                                .map(|(_, _, n, at)| (*n, *at))
                        })
                        .flatten();
                    let replicas = match (replicas_set, scaled) {
                        (Some(r), _) => r.value.clamp(0, 100) as usize,
                        (None, Some((n, _))) => n,
                        (None, None) => container.replicas,
                    }
                    .saturating_sub(
                        adopted
                            .get(&(id, container.pod.name_span.start))
                            .copied()
                            .unwrap_or(0),
                    );
                    let replicas = match deleted_pods.contains(&(id, container.pod.name_span.start))
                    {
                        true => 0,
                        false => replicas,
                    };
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
                        _ if let Some((_, at)) = scaled => at,
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
                    // An image built from a Dockerfile of the tree runs what its `FROM` says.
                    let built_from = image_starts.get(&(id, ci)).and_then(|start| {
                        images
                            .by_dockerfile
                            .get(&compose::normalize(
                                &self.entries[&start.docker].source.path,
                            ))
                            .cloned()
                    });
                    // (also under an official image's name: `docker build -t redis:5.0`
                    // of a Dockerfile `FROM redis:7.0.11` runs 7.0.11).
                    let runtime = crate::facts::Runtime {
                        release: built_from.or_else(|| {
                            let (image, at) = image?;
                            let release = crate::knowledge::images::image_ref(&image)?.release?;
                            Some(crate::source::Spanned::with_origin(
                                release,
                                at,
                                crate::source::Origin::Implied,
                            ))
                        }),
                        // The image reads its settings from variables (no block a fix
                        // could extend here: a help text names them).
                        env: by_env.map(|_| crate::facts::ImageEnv {
                            vars: match inv.kind {
                                FileKind::SentinelConf => compose::BITNAMI_SENTINEL_VARS,
                                FileKind::RedisConf => compose::BITNAMI_SERVER_VARS,
                            },
                            insert_after: None,
                        }),
                        declared: Some(declared),
                        unit: Some(unit),
                        count_known: true,
                        managed_by: None,
                        password_secret: None,
                        data_ephemeral: None,
                        config_rewritten_at_start: conf.and_then(|c| c.rewritten_at_start),
                        config_appended_at_start: None,
                        config_monitor_included: merged.monitor_include,
                        config_installed_by: None,
                        auth_pass_field: None,
                        cpu_limit: container.cpu_limit.as_ref().map(|(m, at)| {
                            crate::source::Spanned::new(
                                m.to_owned(),
                                Span::new(id, at.start, at.end),
                            )
                        }),
                        memory_limit: container.memory_limit.as_ref().map(|(m, at)| {
                            crate::source::Spanned::new(
                                m.to_owned(),
                                Span::new(id, at.start, at.end),
                            )
                        }),
                        // Only a config on a volume outlives a restart of the container:
                        // one on the container's own filesystem starts fresh every time.
                        // (A config the image makes from its environment is not on
                        // its command line: what it keeps is judged by its path.)
                        config_file: inv
                            .config
                            .as_ref()
                            .filter(|_| by_env.is_none())
                            .filter(|(path, _)| container.mount_for(path).is_some())
                            .map(|(_, r)| Span::new(inv_file, r.start, r.end)),
                        netns: None,
                        replication_in_script: script.as_ref().is_some_and(|key| {
                            let parsed = self.entries[&inv_file].parsed();
                            parsed.script_replication.contains(key) || parsed.file_replication
                        }) || container.hook_replicates
                            // A `postStart` hook that runs a script of a ConfigMap
                            // (`REPLICAOF` on the pods that are not the first).
                            || container
                                .hook_script
                                .as_deref()
                                .and_then(|p| container.source_key(p))
                                .is_some_and(|key| replicating_keys.contains(&key))
                            || container
                            .script
                            .iter()
                            .map(|(text, _)| text.as_str())
                            .chain(container.pod.init_scripts.iter().map(|(t, _)| t.as_str()))
                            .chain(
                                image_starts
                                    .get(&(id, ci))
                                    .map(|start| self.entries[&start.script].source.text()),
                            )
                            .any(|text| {
                                let text = text.to_ascii_lowercase();
                                text.contains("replicaof") || text.contains("slaveof")
                            }),
                        copies_unknown: false,
                        one_host_of_many: false,
                        container_name: None,
                        packaged_restart: None,
                        host_copies: None,
                    };
                    let refs = workload_procs.entry((id, ci)).or_default();
                    // The containers of one pod share its network; each pod has its own.
                    let pod_at = Span::new(
                        id,
                        container.pod.name_span.start,
                        container.pod.name_span.end,
                    );
                    let netns =
                        |i: usize| (!container.pod.host_network).then_some((pod_at, i as u32));
                    let pods = match (by_ordinal, ii) {
                        (Some(_), 0) => 0..replicas.min(1),
                        (Some(_), 1) => replicas.min(1)..replicas,
                        _ => 0..replicas,
                    };
                    for i in pods {
                        match inv.kind {
                            FileKind::RedisConf => {
                                let mut node = merged.node(source);
                                node.complete = complete;
                                node.runtime = runtime.clone();
                                node.runtime.netns = netns(i);
                                node.name = format!("workload `{}`", container.workload);
                                node.name_hints = container.pod_names(i);
                                if let Some(more) =
                                    service_names.get(&(id, container.pod.name_span.start))
                                {
                                    node.name_hints.extend(more.iter().cloned());
                                }
                                // (The image's config has no line of its own to stand for it.)
                                if node.anchor.is_empty() || by_env.is_some() {
                                    node.anchor = anchor;
                                }
                                refs.push(ConfigRef::Node(nodes.len()));
                                nodes.push(node);
                            }
                            FileKind::SentinelConf => {
                                let mut sentinel = merged.sentinel(source);
                                sentinel.complete = complete;
                                sentinel.runtime = runtime.clone();
                                sentinel.runtime.netns = netns(i);
                                sentinel.name = format!("workload `{}`", container.workload);
                                if sentinel.anchor.is_empty() || by_env.is_some() {
                                    sentinel.anchor = anchor;
                                }
                                refs.push(ConfigRef::Sentinel(sentinels.len()));
                                sentinels.push(sentinel);
                            }
                        }
                    }
                }
            }
        }
        // Each process config with where it lives, for linking commands to it.
        let mut located: Vec<(PathBuf, FileId, ConfigRef)> = Vec::new();
        let installed = self.installed_by_scripts();
        // Configs that run as processes of their own: not pulled in by an `include`, not
        // run by a container or a compose service.
        // A ConfigMap key that a Kustomize patch replaces (the overlay's `redis-config`
        // with its own `sentinel.conf`): where a container runs one version, the other
        // versions of the same key in its build are that key too, not processes.
        let mut claimed_keys: HashMap<&(String, String), Vec<FileId>> = HashMap::new();
        for (file, key) in &claimed {
            if let Some(key) = key {
                claimed_keys.entry(key).or_default().push(*file);
            }
        }
        let replaced_in_build = |c: &ConfFile| {
            if builds.is_empty() {
                return false;
            }
            let Some(files) = c.embedded_in.as_ref().and_then(|k| claimed_keys.get(k)) else {
                return false;
            };
            // The builds that hold this version (few), then the claimed versions in them.
            builds
                .iter()
                .filter(|b| b.files.contains(&c.file))
                .any(|b| files.iter().any(|&f| f != c.file && b.files.contains(&f)))
        };
        // A config in the folder of a compose project that runs processes of its kind,
        // which none of the project's containers mounts or builds from and no script
        // installs on a host: the project declares its processes, and this file is not
        // one of them (a leftover, an example).
        // (A file rendered from a template, or named by another file of the tree, a
        // script, unit, playbook or Dockerfile, may be deployed that way.)
        let beside_project = |c: &ConfFile| {
            if c.embedded || c.written_to.is_some() || self.rendered.contains_key(&c.file) {
                return false;
            }
            // By the folders above the file (each a hash lookup, never a scan).
            let path = compose::normalize(&self.entries[&c.file].source.path);
            let mut above = path.ancestors().skip(1);
            above.any(|dir| compose_projects.contains(&(dir.to_path_buf(), c.kind)))
                && !path.ancestors().any(|p| compose_sources.contains(p))
                && !installed.contains_key(&path)
        };
        let file_name = |c: &ConfFile| {
            self.entries[&c.file]
                .source
                .path
                .file_name()
                .and_then(|n| n.to_str())
        };
        let beside: HashSet<FileId> = confs
            .iter()
            .filter(|c| beside_project(c))
            .map(|c| c.file)
            .collect();
        let candidate_names: HashSet<&str> = confs
            .iter()
            .filter(|c| beside.contains(&c.file))
            .filter_map(|c| file_name(c))
            .collect();
        let named = self.names_used_outside_compose(&candidate_names);
        let left_beside_project = |c: &ConfFile| {
            beside.contains(&c.file) && file_name(c).is_some_and(|n| !named.contains(n))
        };
        // Configs beside a host script that starts its folder's servers by file, and not
        // this one: a sample or an included base.
        let launchers = self.host_launchers();
        let left_beside_launcher = |c: &ConfFile| {
            if launchers.is_empty() || c.embedded || c.written_to.is_some() {
                return false;
            }
            let path = compose::normalize(&self.entries[&c.file].source.path);
            launchers.iter().any(|(dir, kind, started)| {
                *kind == c.kind && path.starts_with(dir) && !started.contains(&path)
            })
        };
        let standalone = |c: &ConfFile| {
            if c.embedded && replaced_in_build(c) {
                return false;
            }
            if left_beside_launcher(c) {
                return false;
            }
            if left_beside_project(c) {
                return false;
            }
            let run_by_other = match &c.written_to {
                Some(_) => claimed_written.contains(&(c.file, c.written_to.clone())),
                None => included.contains(&c.file),
            };
            let embedded_claimed = c.embedded && claimed.contains(&(c.file, c.embedded_in.clone()));
            let in_image = !c.embedded && c.written_to.is_none() && in_run_images.contains(&c.file);
            !run_by_other && !embedded_claimed && !in_image
        };
        // A script that writes one path in several branches (`if …; then cat > $CONF
        // <<EOF … else cat > $CONF <<EOF …`): one of them runs, on however many hosts
        // run the script.
        let mut written_paths: HashMap<(FileId, &str), usize> = HashMap::new();
        for c in confs.iter().filter(|c| standalone(c)) {
            if let Some(to) = &c.written_to {
                *written_paths.entry((c.file, to.as_str())).or_default() += 1;
            }
        }
        let alternative = |c: &ConfFile| {
            c.written_to
                .as_deref()
                .is_some_and(|to| written_paths.get(&(c.file, to)).is_some_and(|&n| n > 1))
        };
        let installs = self.host_installs();
        let host_release = self.host_release(&installs);
        // The packaged unit runs the server unless the tree starts it itself.
        let apt_server = self.host_apt_server(&installs);
        let host_copies = self.ansible_copies();
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
            // A config copied into an image whose start script fills its placeholders:
            // with nothing to override them, the image's `ENV` defaults.
            let filled;
            let view = match images.env_by_copied_file.get(&compose::normalize(&path)) {
                Some(env) => {
                    let mut copy = view.clone();
                    substitute(&mut copy.tree.lines, env);
                    filled = copy;
                    &filled
                }
                None => view,
            };
            match conf.kind {
                FileKind::RedisConf => {
                    let mut node = view.node(source);
                    node.complete = complete;
                    node.runtime.copies_unknown =
                        conf.embedded || conf.run_remotely || alternative(conf);
                    images.complete(&mut node.runtime, None, &[], Some(&path));
                    // On a host the release is the one its provisioning installs, else
                    // the one whose stock file the config was copied from.
                    if node.runtime.release.is_none() && !conf.embedded {
                        node.runtime.release = host_release.clone().or_else(|| stock_release(view));
                        node.runtime.packaged_restart = apt_server;
                    }
                    if conf.written_to.is_some() {
                        node.name_hints = name_hints(&path);
                    }
                    located.push((path, conf.file, ConfigRef::Node(nodes.len())));
                    // One process per host a play renders the template on.
                    if let Some(copies) = host_copies.get(&conf.file) {
                        node.runtime.host_copies = Some(copies.play);
                        node.runtime.unit = Some(copies.play.file);
                        node.runtime.replication_in_script |=
                            copies.replication_in_tasks || copies.varies_by_host;
                        for _ in 1..copies.count {
                            nodes.push(node.clone());
                        }
                    }
                    nodes.push(node);
                }
                FileKind::SentinelConf => {
                    let mut sentinel = view.sentinel(source);
                    sentinel.complete = complete;
                    sentinel.runtime.config_rewritten_at_start = conf.rewritten_at_start;
                    if !conf.embedded && conf.written_to.is_none() {
                        sentinel.runtime.config_installed_by =
                            installed.get(&compose::normalize(&path)).copied();
                    }
                    // A role's Jinja template, rendered with the role's defaults, runs
                    // on as many hosts as a play gives it: unknown without an inventory.
                    let role_template = self.rendered.get(&conf.file).is_some_and(|info| {
                        self.entries.get(&info.template).is_some_and(|t| {
                            crate::syntax::jinja::rendered_path(&t.source.path).is_some()
                        })
                    }) && !host_copies.contains_key(&conf.file);
                    sentinel.runtime.copies_unknown = conf.run_remotely
                        || sentinels_on_unseen_configs
                        || alternative(conf)
                        || role_template;
                    images.complete(&mut sentinel.runtime, None, &[], Some(&path));
                    if sentinel.runtime.release.is_none() && !conf.embedded {
                        sentinel.runtime.release = host_release.clone();
                    }
                    located.push((path, conf.file, ConfigRef::Sentinel(sentinels.len())));
                    if let Some(copies) = host_copies.get(&conf.file) {
                        sentinel.runtime.host_copies = Some(copies.play);
                        sentinel.runtime.unit = Some(copies.play.file);
                        for _ in 1..copies.count {
                            sentinels.push(sentinel.clone());
                        }
                    }
                    sentinels.push(sentinel);
                }
            }
        }
        let mut mounts = mounts;
        self.link_launched(
            &located,
            host_release.as_ref(),
            &mut nodes,
            &mut sentinels,
            &mut mounts,
        );
        let scope = |file: FileId| {
            self.entries
                .get(&file)
                .and_then(|e| e.source.path.parent())
                .map(Path::to_path_buf)
                .unwrap_or_default()
        };
        // Operator resources and chart values deploy processes of their own.
        let resources = self.script_releases(
            self.layered_values(
                self.values_from(
                    self.subchart_values(
                        self.kustomize_patched(
                            self.sorted_ids()
                                .iter()
                                .flat_map(|id| self.entries[id].parsed().resources.iter().cloned())
                                // Values a chart of the tree was rendered with: its own
                                // templates say what they deploy, whatever their keys look like.
                                .filter(|r| {
                                    !(r.is_chart_values()
                                        && r.values_key.is_none()
                                        && self.rendered_values.contains(&r.file))
                                })
                                .collect(),
                            &builds,
                        ),
                    ),
                ),
            ),
        );
        // The directives of a ConfigMap key an operator resource names, nearest first.
        let config_map_lines = |r: &crate::formats::units::Resource, name: &str, key: &str| {
            let conf = embedded.find(name, key, self.dir_of(r.file))?;
            Some(
                conf.tree
                    .lines
                    .iter()
                    .filter_map(|line| {
                        let (first, rest) = line.tokens.split_first()?;
                        let value: Vec<&str> = rest.iter().map(|t| t.value.as_str()).collect();
                        let at = rest.first().unwrap_or(first);
                        Some((
                            first.value.to_ascii_lowercase().to_string(),
                            value.join(" "),
                            (conf.token_span(at), at.origin),
                        ))
                    })
                    .collect(),
            )
        };
        let (managed_nodes, managed_sentinels) = crate::formats::operators::processes(
            &resources,
            &|file| {
                self.entries
                    .get(&file)
                    .and_then(|e| e.source.path.file_stem())
                    .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
            },
            &scope,
            &config_map_lines,
        );
        nodes.extend(managed_nodes);
        sentinels.extend(managed_sentinels);
        let (cluster_nodes, shard_layouts) =
            crate::formats::cluster_operators::clusters(&resources);
        nodes.extend(cluster_nodes);
        self.acl_file_passwords(&mut nodes);
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
            template_secrets: self.template_secrets(),
            hosts_provisioned: false,
            sentinel_config_redeploys: Vec::new(),
            role_pins: Vec::new(),
            replica_only_masterauth: Vec::new(),
            command_line_secrets: Vec::new(),
            helm_set_secrets: Vec::new(),
            vagrant_networks: self
                .sorted_ids()
                .into_iter()
                .filter(|id| {
                    self.entries[id]
                        .source
                        .path
                        .file_name()
                        .is_some_and(|n| n == "Vagrantfile")
                })
                .filter_map(|id| {
                    let text = self.entries[&id].source.text();
                    Some((id, crate::formats::vagrant_network::parse(text)?))
                })
                .collect(),
            client_secrets: self
                .sorted_ids()
                .iter()
                .flat_map(|id| self.entries[id].parsed().client_secrets.iter().cloned())
                .collect(),
            client_master_names: self
                .sorted_ids()
                .iter()
                .flat_map(|id| {
                    self.entries[id]
                        .parsed()
                        .client_master_names
                        .iter()
                        .cloned()
                })
                .collect(),
        };
        // Role choices of ConfigMap scripts, by (ConfigMap, key) nearest to a workload.
        let mut roles_index: crate::source::scope::NearestIndex<(&str, &str)> =
            crate::source::scope::NearestIndex::new();
        let mut roles: Vec<(Span, bool, bool)> = Vec::new();
        for id in self.sorted_ids() {
            for ((name, key), test, asks, server) in &self.entries[&id].parsed().script_roles {
                roles_index.insert((name.as_str(), key.as_str()), self.dir_of(id), roles.len());
                roles.push((*test, *asks, *server));
            }
        }
        // Script files put into keys by `kubectl create configmap … --from-file`.
        for k in &keyed_files {
            let parsed = self.entries[&k.file].parsed();
            if let Some((test, asks)) = parsed.file_role_by_ordinal {
                let server = parsed
                    .file_start
                    .as_ref()
                    .is_some_and(|i| i.kind == FileKind::RedisConf);
                roles_index.insert((k.object, k.key), k.dir, roles.len());
                roles.push((test, asks, server));
            }
        }
        for entry in self.sorted_ids().iter().map(|id| &self.entries[id]) {
            let near = self.dir_of(entry.source.id);
            let key_roles = |(name, key): &(String, String)| {
                let found = roles_index.nearest(&(name.as_str(), key.as_str()), Some(near));
                found.first().map(|&i| roles[i])
            };
            for (ci, container) in entry.parsed().containers.iter().enumerate() {
                let container = rebuilt.get(&(entry.source.id, ci)).unwrap_or(container);
                // A bare pod the instructions delete is not judged as part of the deployment.
                if deleted_pods.contains(&(entry.source.id, container.pod.name_span.start)) {
                    continue;
                }
                // The config an image's start runs: the file its Dockerfile copies there.
                let image_conf = |start: &ImageStart| -> Option<&ConfFile> {
                    let (path, _) = start.invocation.config.as_ref()?;
                    let dockerfile = self.entries[&start.docker].parsed().dockerfile.as_ref()?;
                    let source = dockerfile.source_of(path)?;
                    by_path
                        .get(&compose::normalize(&start.context.join(source)))
                        .map(|c| c.as_ref())
                };
                let started = image_starts
                    .get(&(entry.source.id, ci))
                    .map(|start| (start.tokens, &start.invocation, image_conf(start)))
                    .or_else(|| script_started.get(&(entry.source.id, ci)).copied());
                let id = entry.source.id;
                let copied_by_init = &copied_by_init;
                let copied = move |path: &str| -> Option<&ConfFile> {
                    copied_by_init
                        .get(&(id, ci, path.to_string()))
                        .map(|c| &c.conf)
                };
                let mut facts = container_facts(
                    id,
                    container,
                    started,
                    &embedded,
                    self.dir_of(id),
                    &key_roles,
                    &copied,
                );
                // The start script of an image built in the tree may pick the role.
                if let Some(start) = image_starts.get(&(entry.source.id, ci)) {
                    if let Some(docker) = self.entries[&start.docker].parsed().dockerfile.as_ref() {
                        facts.image_workdir = docker.workdir.clone().or_else(|| {
                            let (base, _) = docker.base.as_ref()?;
                            let image = crate::knowledge::images::image_ref(base)?;
                            (image.family == crate::knowledge::images::ImageFamily::Official)
                                .then(|| "/data".to_string())
                        });
                    }
                    let role = self.entries[&start.script].parsed().file_role_by_ordinal;
                    if let (None, true, Some((test, asks))) =
                        (facts.ordinal_test, facts.runs_server, role)
                    {
                        facts.ordinal_test = Some(test);
                        facts.asks_sentinels = asks;
                    }
                }
                facts.copied_every_start = copied_every_start
                    .remove(&(entry.source.id, ci))
                    .unwrap_or_default();
                facts.processes = workload_procs
                    .remove(&(entry.source.id, ci))
                    .unwrap_or_default();
                format_units.containers.push(facts);
            }
        }
        // Files that Ansible tasks put onto the hosts are also at their destination.
        let ansible_tasks = self.ansible_deployments();
        let ansible = &ansible_tasks.deployments;
        format_units.hosts_provisioned = !ansible.is_empty()
            || self.by_path.keys().any(|p| {
                // An Ansible role's tasks, whatever form their arguments take.
                let tasks = crate::formats::detect::is_yaml_path(p)
                    && p.parent()
                        .and_then(Path::file_name)
                        .is_some_and(|n| n == "tasks" || n == "handlers");
                tasks || crate::formats::launch::is_host_provisioning(p)
            });
        for deployment in ansible {
            let (dest, deployed) = (&deployment.dest, compose::normalize(&deployment.deployed));
            let at: Vec<(FileId, ConfigRef)> = located
                .iter()
                .filter(|(path, _, _)| compose::normalize(path) == deployed)
                .map(|(_, file, r)| (*file, *r))
                .collect();
            for (file, r) in at {
                located.push((dest.clone(), file, r));
            }
        }
        self.add_services(&mut topology, &located);
        format_units.sentinel_config_redeploys = self.sentinel_config_redeploys(ansible, &topology);
        format_units.role_pins = self.role_pins(&ansible_tasks, &topology);
        format_units.replica_only_masterauth = self.replica_only_masterauth(&topology);
        format_units.command_line_secrets = self.command_line_secrets();
        format_units.helm_set_secrets = self.helm_set_secrets();
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
            let path = compose::normalize(&entry.source.path);
            let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
            if !docker.env.is_empty() {
                let env: Vec<(String, String)> = docker
                    .env
                    .iter()
                    .map(|(k, v, _)| (k.clone(), v.clone()))
                    .collect();
                for (copied, _, _) in &docker.copies {
                    images
                        .env_by_copied_file
                        .insert(compose::normalize(&dir.join(copied)), env.clone());
                }
                images.env_by_dockerfile.insert(path.clone(), env);
            }
            let Some((image, at)) = &docker.base else {
                continue;
            };
            if docker.base_with_args.is_some() {
                images.with_args.insert(
                    compose::normalize(&entry.source.path),
                    (docker.clone(), Span::new(id, at.start, at.end)),
                );
            }
            let Some(release) = crate::knowledge::images::image_ref(image).and_then(|i| i.release)
            else {
                continue;
            };
            let release = crate::source::Spanned::with_origin(
                release,
                Span::new(id, at.start, at.end),
                crate::source::Origin::Implied,
            );
            for (copied, _, _) in &docker.copies {
                images
                    .by_copied_file
                    .insert(compose::normalize(&dir.join(copied)), release.clone());
            }
            images.by_dockerfile.insert(path, release);
        }
        // Files a `docker run` of the tree mounts run the release of its image: a path
        // from the script's folder, or an absolute host path the tree mirrors
        // (`server01/etc/sentinel/sentinel.conf` for `/etc/sentinel/sentinel.conf`).
        for id in self.sorted_ids() {
            for run in &self.entries[&id].parsed().docker_runs {
                let Some(release) =
                    crate::knowledge::images::image_ref(&run.image).and_then(|i| i.release)
                else {
                    continue;
                };
                let at = self.entries[&id]
                    .source
                    .text()
                    .find(run.image.as_str())
                    .map_or(Span::new(id, 0, 0), |i| {
                        Span::new(id, i, i + run.image.len())
                    });
                let release = crate::source::Spanned::with_origin(
                    release,
                    at,
                    crate::source::Origin::Implied,
                );
                for mounted in &run.mounted {
                    for path in self.mounted_files(self.dir_of(id), mounted) {
                        images.by_copied_file.entry(path).or_insert(release.clone());
                    }
                }
            }
        }
        // Files an Ansible role's templates render run the release the role installs.
        for (path, release) in self.role_releases() {
            images.by_copied_file.entry(path).or_insert(release);
        }
        images
    }

    /// The files of the tree a host path mounts (a file, or the files under a folder):
    /// relative to `dir`, or an absolute path whose components end a path of the tree.
    fn mounted_files(&self, dir: &Path, mounted: &str) -> Vec<PathBuf> {
        // `$(pwd)/conf`, `${PWD}/conf`: from the folder the command runs in. A Windows
        // drive (`D:/docker/conf`) is a host path like `/docker/conf`.
        let mounted = ["$(pwd)", "${PWD}", "$PWD", "`pwd`"]
            .iter()
            .find_map(|p| mounted.strip_prefix(p))
            .map_or(mounted.to_string(), |rest| format!(".{rest}"));
        let mounted = match mounted.as_bytes() {
            [d, b':', b'/' | b'\\', ..] if d.is_ascii_alphabetic() => {
                mounted[2..].replace('\\', "/")
            }
            _ => mounted,
        };
        let mounted = mounted.as_str();
        if mounted.starts_with('~') {
            return Vec::new();
        }
        if mounted.contains(['$', '`']) {
            // `conf/700${i}.conf` in a loop: the files of that folder the name matches.
            let Some((parent, name)) = mounted.rsplit_once('/') else {
                return Vec::new();
            };
            if parent.contains(['$', '`']) || name.is_empty() {
                return Vec::new();
            }
            let pattern = crate::syntax::shell::variables_as_wildcards(name);
            let folder = Path::new(parent).file_name();
            // A relative folder is that folder; an absolute one on the host, the tree's
            // folder of that name.
            let root = (!parent.starts_with('/')).then(|| compose::normalize(&dir.join(parent)));
            return self
                .by_path
                .keys()
                .map(|p| compose::normalize(p))
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| glob_matches(&pattern, n))
                        && p.parent().and_then(Path::file_name) == folder
                        && root
                            .as_ref()
                            .is_none_or(|r| p.parent() == Some(r.as_path()))
                })
                .collect();
        }
        let under = |path: &Path, root: &Path| path == root || path.starts_with(root);
        if !mounted.starts_with('/') {
            let root = compose::normalize(&dir.join(mounted));
            return self
                .by_path
                .keys()
                .map(|p| compose::normalize(p))
                .filter(|p| under(p, &root))
                .collect();
        }
        let tail = Path::new(mounted.trim_start_matches('/'));
        if tail.components().count() < 2 {
            return Vec::new();
        }
        let found: Vec<PathBuf> = self
            .by_path
            .keys()
            .map(|p| compose::normalize(p))
            .filter(|p| p.ancestors().any(|a| a.ends_with(tail) && under(p, a)))
            .collect();
        if !found.is_empty() || mounted.ends_with('/') {
            return found;
        }
        // A host path the tree mirrors only in part (`/srv/www/docker/redis-cluster/
        // 6001.conf` for the tree's `redis-cluster/6001.conf`): the longest tail of at
        // least a folder and a file that the tree holds once; else the file of that
        // name beside the script.
        let parts: Vec<_> = tail.components().collect();
        let name = parts[parts.len() - 1].as_os_str();
        // Only the files of that name can match a tail: gather them once.
        let same_name: Vec<PathBuf> = self
            .by_path
            .keys()
            .filter(|p| p.file_name() == Some(name))
            .map(|p| compose::normalize(p))
            .collect();
        for keep in (2..parts.len()).rev() {
            let suffix: PathBuf = parts[parts.len() - keep..].iter().collect();
            let mut matching = same_name.iter().filter(|p| p.ends_with(&suffix));
            if let (Some(one), None) = (matching.next(), matching.next()) {
                return vec![one.clone()];
            }
        }
        let beside = compose::normalize(&dir.join(name));
        if same_name.contains(&beside) {
            return vec![beside];
        }
        Vec::new()
    }

    /// The Dockerfile of the tree an image is built from: the one named like the image's
    /// repository (its folder, or `Dockerfile.NAME`), else like the longest `-`/`_`
    /// suffix of it that names one. Among several equally near, the one whose folder's
    /// words all appear in the repository name; `None` while the choice stays open.
    fn dockerfile_of_image(
        &self,
        dockerfiles: &crate::source::scope::NearestIndex<String>,
        image: &str,
        near: FileId,
    ) -> Option<FileId> {
        use crate::formats::image_start::{name_suffixes, repository_name};
        let repository = repository_name(image);
        let words: Vec<&str> = repository.split(['-', '_']).collect();
        for name in name_suffixes(&repository) {
            let found = dockerfiles.nearest(&name.to_string(), Some(self.dir_of(near)));
            match found {
                [] => continue,
                [one] => return Some(FileId(*one as u32)),
                several => {
                    let fitting: Vec<FileId> = several
                        .iter()
                        .map(|&i| FileId(i as u32))
                        .filter(|d| {
                            let folder = self
                                .dir_of(*d)
                                .file_name()
                                .map(|f| f.to_string_lossy().to_ascii_lowercase());
                            folder.is_some_and(|f| f.split(['-', '_']).all(|w| words.contains(&w)))
                        })
                        .collect();
                    return match fitting.as_slice() {
                        [one] => Some(*one),
                        _ => None,
                    };
                }
            }
        }
        None
    }

    /// What Kubernetes containers without a command of their own start when their image
    /// is built from a Dockerfile of the tree (an image named like the Dockerfile's
    /// folder, and not a known Redis image): the redis command its start chain reaches
    /// with the container's environment, with the script that holds it.
    fn image_starts(&self) -> HashMap<(FileId, usize), ImageStart> {
        use crate::formats::image_start::{image_name, started_commands, Started};
        let mut out = HashMap::new();
        let ids = self.sorted_ids();
        let mut dockerfiles: crate::source::scope::NearestIndex<String> =
            crate::source::scope::NearestIndex::new();
        let mut all_dockerfiles: Vec<FileId> = Vec::new();
        for &id in &ids {
            if self.entries[&id].parsed().dockerfile.is_some() {
                all_dockerfiles.push(id);
                if let Some(name) = image_name(&self.entries[&id].source.path) {
                    // Also under what follows each `-` of the name: the folder
                    // `docker-master-sentinel` builds `team/master-sentinel`.
                    for suffix in crate::formats::image_start::name_suffixes(&name) {
                        dockerfiles.insert(suffix.to_string(), self.dir_of(id), id.0 as usize);
                    }
                }
            }
        }
        if all_dockerfiles.is_empty() {
            return out;
        }
        let built = self.built_images(&all_dockerfiles);
        let files = TreeFilesOf {
            workspace: self,
            by_path: ids
                .iter()
                .map(|&id| (compose::normalize(&self.entries[&id].source.path), id))
                .collect(),
        };
        for &id in &ids {
            for (ci, container) in self.entries[&id].parsed().containers.iter().enumerate() {
                let replaced;
                let container = match container.image_default {
                    true => {
                        replaced = container.without_image_default();
                        &replaced
                    }
                    false => container,
                };
                if container.invocations.iter().any(|i| !i.from_hook) {
                    continue;
                }
                // A script the container runs that no ConfigMap provides: the image's.
                let command = match &container.script_file {
                    Some(path) if container.source_key(path).is_some() => continue,
                    Some(path) => Some(
                        std::iter::once(path.clone())
                            .chain(container.script_args.iter().cloned())
                            .collect(),
                    ),
                    None => None,
                };
                let Some((image, _)) = &container.image else {
                    continue;
                };
                // An image a `docker build -t` of the tree makes (even under a known
                // name: `-t redis:5.0` from the tree's own Dockerfile); builds of that
                // name from different Dockerfiles leave it open.
                let mut making = built.iter().filter(|b| b.makes(image));
                let built_here = making.next().filter(|first| {
                    making.all(|b| b.dockerfile == first.dockerfile && b.context == first.context)
                });
                if built_here.is_none() && crate::knowledge::images::image_ref(image).is_some() {
                    continue;
                }
                // By the image's name, else the one Dockerfile of the tree that copies in the
                // script the container runs.
                let by_script = || {
                    let path = container.script_file.as_deref()?;
                    let copying: Vec<FileId> = all_dockerfiles
                        .iter()
                        .copied()
                        .filter(|d| {
                            self.entries[d]
                                .parsed()
                                .dockerfile
                                .as_ref()
                                .is_some_and(|df| df.source_of(path).is_some())
                        })
                        .collect();
                    match copying.as_slice() {
                        [one] => Some(*one),
                        _ => None,
                    }
                };
                // Or the tree's only Dockerfile, for an image whose name says Redis.
                let only_one = || {
                    let name = crate::formats::image_start::repository_name(image);
                    let redis_like = ["redis", "valkey", "sentinel"]
                        .iter()
                        .any(|w| name.contains(w));
                    match all_dockerfiles.as_slice() {
                        [one] if redis_like => Some(*one),
                        _ => None,
                    }
                };
                let Some(docker_id) = built_here
                    .map(|b| b.dockerfile)
                    .or_else(|| self.dockerfile_of_image(&dockerfiles, image, id))
                    .or_else(by_script)
                    .or_else(only_one)
                else {
                    continue;
                };
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
                let context = match built_here {
                    Some(b) => b.context.clone(),
                    None => compose::normalize(self.dir_of(docker_id)),
                };
                let image_start = |started: Started| match started {
                    Started::Script(script, n) => Some(ImageStart {
                        tokens: script,
                        script,
                        invocation: self.entries[&script].parsed().commands[n].invocation(),
                        docker: docker_id,
                        context: context.clone(),
                        beside: Vec::new(),
                    }),
                    // The image's own command line: its words stand at the instruction
                    // that holds its program.
                    Started::Line { words, via } => {
                        let in_entrypoint = docker
                            .entrypoint
                            .as_ref()
                            .is_some_and(|e| e.contains(&words[0]));
                        let at = match in_entrypoint {
                            true => docker.entrypoint_at.clone(),
                            false => docker.cmd_at.clone(),
                        }?;
                        let tokens = implied_tokens(&words, &at, docker_id);
                        let invocation = crate::formats::workload::invocation_of(&tokens)?;
                        Some(ImageStart {
                            tokens: docker_id,
                            script: via.unwrap_or(docker_id),
                            invocation,
                            docker: docker_id,
                            context: context.clone(),
                            beside: Vec::new(),
                        })
                    }
                };
                let mut starts = started_commands(docker, &context, command, &files, &env)
                    .into_iter()
                    .map(image_start);
                let Some(Some(mut start)) = starts.next() else {
                    continue;
                };
                start.beside = starts.flatten().collect();
                out.insert((id, ci), start);
            }
        }
        out
    }

    /// The images the tree's `docker build -t` commands make, each from a Dockerfile of
    /// the tree: `-f FILE` from the command's folder or its context, else the context's
    /// `Dockerfile`, else the one Dockerfile whose path ends with FILE.
    fn built_images(&self, dockerfiles: &[FileId]) -> Vec<BuiltImage> {
        let path_of = |d: &FileId| compose::normalize(&self.entries[d].source.path);
        let mut out = Vec::new();
        for id in self.sorted_ids() {
            let dir = compose::normalize(self.dir_of(id));
            for build in &self.entries[&id].parsed().docker_builds {
                if build.context.contains('$') {
                    continue;
                }
                let context = compose::normalize(&dir.join(&build.context));
                let wanted: Vec<PathBuf> = match &build.file {
                    Some(f) if f.contains('$') => continue,
                    Some(f) => vec![
                        compose::normalize(&dir.join(f)),
                        compose::normalize(&context.join(f)),
                    ],
                    None => vec![context.join("Dockerfile")],
                };
                let exact = dockerfiles.iter().find(|d| wanted.contains(&path_of(d)));
                let by_tail = || {
                    let tail = compose::normalize(Path::new(build.file.as_deref()?));
                    let mut ending = dockerfiles.iter().filter(|d| path_of(d).ends_with(&tail));
                    match (ending.next(), ending.next()) {
                        (Some(one), None) => Some(one),
                        _ => None,
                    }
                };
                let Some(&dockerfile) = exact.or_else(by_tail) else {
                    continue;
                };
                for tag in &build.tags {
                    out.push(BuiltImage {
                        tag: tag.clone(),
                        dockerfile,
                        context: context.clone(),
                    });
                }
            }
        }
        out
    }

    /// The copies that the tree's scripts make of its files, as (destination, source)
    /// paths of the host resolved from each script's folder; a variable in the
    /// destination's name (`.sentinel$i.conf`) stands for any text.
    fn host_file_copies(&self) -> Vec<(PathBuf, PathBuf)> {
        let mut out = Vec::new();
        for id in self.sorted_ids() {
            let dir = self.dir_of(id);
            for copy in &self.entries[&id].parsed().file_copies {
                if copy.from.starts_with('/') {
                    continue;
                }
                let to = compose::normalize(&dir.join(&copy.to));
                out.push((to, compose::normalize(&dir.join(&copy.from))));
            }
        }
        out
    }

    /// The files that `kubectl create configmap … --from-file` (or `kubectl create secret
    /// generic`) commands of the tree put into keys, resolved from the command's folder: a
    /// folder gives each file directly in it, under its own name.
    fn keyed_files(&self) -> Vec<KeyedFile<'_>> {
        let mut out = Vec::new();
        for id in self.sorted_ids() {
            let dir = self.dir_of(id);
            for k in &self.entries[&id].parsed().keys_from_files {
                let path = compose::normalize(&dir.join(&k.path));
                let files: Vec<(&str, FileId)> = match self.file_at(&path) {
                    Some(file) => vec![(k.key.as_str(), file)],
                    None => self
                        .by_path
                        .iter()
                        .filter(|(p, _)| compose::normalize(p).parent() == Some(path.as_path()))
                        .filter_map(|(p, f)| Some((p.file_name()?.to_str()?, *f)))
                        .collect(),
                };
                out.extend(files.into_iter().map(|(key, file)| KeyedFile {
                    object: &k.object,
                    key,
                    dir,
                    file,
                }));
            }
        }
        out
    }

    /// Nodes whose users live in an `aclfile` (`user default on >pw …`): the file of that
    /// name in the node's config folder, else the only one below it, else the only one in
    /// the tree. The default user's password there is the node's password.
    fn acl_file_passwords(&self, nodes: &mut [crate::facts::Node]) {
        if nodes.iter().all(|n| n.acl_file.is_none()) {
            return;
        }
        for node in nodes.iter_mut().filter(|n| n.password.is_none()) {
            let Some(path) = node.acl_file.as_ref().filter(|p| !p.value.contains('$')) else {
                continue;
            };
            let Some(name) = Path::new(&path.value).file_name() else {
                continue;
            };
            let near = compose::normalize(self.dir_of(node.file));
            let named: Vec<(PathBuf, FileId)> = self
                .by_path
                .iter()
                .filter(|(p, _)| p.file_name() == Some(name))
                .map(|(p, f)| (compose::normalize(p), *f))
                .collect();
            let pick = |keep: &dyn Fn(&Path) -> bool| -> Option<FileId> {
                let mut found = named.iter().filter(|(p, _)| keep(p));
                match (found.next(), found.next()) {
                    (Some((_, f)), None) => Some(*f),
                    _ => None,
                }
            };
            let Some(file) = pick(&|p| p.parent() == Some(near.as_path()))
                .or_else(|| pick(&|p| p.starts_with(&near)))
                .or_else(|| pick(&|_| true))
            else {
                continue;
            };
            let Some(entry) = self.entries.get(&file) else {
                continue;
            };
            // Stands at the node's `aclfile` line: what makes the node require a
            // password, where an added `masterauth` goes, and no secret to show.
            let at = path.span;
            let password = entry.parsed().acl_default_password.clone();
            node.password = password.map(|p| {
                crate::source::Spanned::with_origin(p.value, at, crate::source::Origin::Implied)
            });
        }
    }

    /// ConfigMaps a workload runs a script from that the tree never defines (made by
    /// a `kubectl create configmap --from-file=DIR` the tree does not hold): when one
    /// folder at or below the workload's manifest holds the script under its key, that
    /// folder's files are the ConfigMap's keys.
    fn undefined_config_maps(
        &self,
        builds: &[crate::formats::kustomize::Build],
        keyed: &[KeyedFile<'_>],
    ) -> Vec<KeyedFile<'_>> {
        let mut defined: HashSet<&str> = self
            .entries
            .values()
            .flat_map(|e| e.parsed().config_objects.iter().map(String::as_str))
            .collect();
        defined.extend(keyed.iter().map(|k| k.object));
        defined.extend(
            builds
                .iter()
                .flat_map(|b| b.generated.iter().map(|g| g.0.as_str())),
        );
        let mut out = Vec::new();
        let mut done: HashSet<(&Path, String)> = HashSet::new();
        for id in self.sorted_ids() {
            let dir = self.dir_of(id);
            for container in &self.entries[&id].parsed().containers {
                let Some((object, key)) = container
                    .script_file
                    .as_deref()
                    .and_then(|p| container.mounted_key(p))
                else {
                    continue;
                };
                if defined.contains(object.as_str()) || !done.insert((dir, object.clone())) {
                    continue;
                }
                let holding: Vec<&Path> = self
                    .by_path
                    .keys()
                    .filter(|p| p.file_name().is_some_and(|n| n == key.as_str()))
                    .filter_map(|p| p.parent())
                    .filter(|folder| {
                        folder.starts_with(dir)
                            && folder.components().count() <= dir.components().count() + 2
                    })
                    .collect();
                let [folder] = holding.as_slice() else {
                    continue;
                };
                // The name as the container's mount holds it (borrowed for the keys).
                let Some(object) = container.mounts.iter().find_map(|m| match &m.source {
                    crate::formats::workload::VolumeSource::ConfigMap(n) if *n == object => {
                        Some(n.as_str())
                    }
                    _ => None,
                }) else {
                    continue;
                };
                let keys: Vec<KeyedFile<'_>> = self
                    .by_path
                    .iter()
                    .filter(|(p, _)| p.parent() == Some(*folder))
                    .filter_map(|(p, f)| {
                        Some(KeyedFile {
                            object,
                            key: p.file_name()?.to_str()?,
                            dir,
                            file: *f,
                        })
                    })
                    .collect();
                // Files its scripts name under the ConfigMap's mount that the folder
                // does not hold (`--from-file=etc/ --from-file=conf/`): the one file of
                // that name in a folder beside, when there is exactly one.
                let mount_paths: Vec<&str> = self.entries[&id]
                    .parsed()
                    .containers
                    .iter()
                    .flat_map(|c| c.mounts.iter())
                    .filter(|m| matches!(&m.source, crate::formats::workload::VolumeSource::ConfigMap(n) if n == object))
                    .map(|m| m.path.trim_end_matches('/'))
                    .collect();
                let mut named: Vec<&str> = Vec::new();
                for k in &keys {
                    let text = self.entries[&k.file].source.text();
                    for mount in &mount_paths {
                        let prefix = format!("{mount}/");
                        for (at, _) in text.match_indices(&prefix) {
                            let rest = &text[at + prefix.len()..];
                            let end = rest
                                .find(|c: char| !(c.is_ascii_alphanumeric() || "._-".contains(c)))
                                .unwrap_or(rest.len());
                            let name = &rest[..end];
                            if !name.is_empty()
                                && !keys.iter().any(|k| k.key == name)
                                && !named.contains(&name)
                            {
                                named.push(name);
                            }
                        }
                    }
                }
                let mut more = Vec::new();
                for name in named {
                    let mut found = self.by_path.iter().filter(|(p, _)| {
                        p.file_name().is_some_and(|n| n == name)
                            && p.parent().is_some_and(|f| {
                                f.starts_with(dir)
                                    && f.components().count() <= dir.components().count() + 2
                            })
                    });
                    if let (Some((p, f)), None) = (found.next(), found.next()) {
                        if let Some(key) = p.file_name().and_then(|n| n.to_str()) {
                            more.push(KeyedFile {
                                object,
                                key,
                                dir,
                                file: *f,
                            });
                        }
                    }
                }
                out.extend(keys);
                out.extend(more);
            }
        }
        out
    }

    /// How many bare pods each ReplicationController or ReplicaSet adopts, keyed by
    /// (file, pod template): a bare pod of its folder and namespace whose labels match
    /// its selector is one of its replicas (the bootstrap pod of Kubernetes' classic
    /// sentinel example), so the controller starts that many fewer. Each pod goes to
    /// the first controller that selects it.
    ///
    /// Also the bare pods that a `kubectl delete pod NAME` of their folder or one above
    /// deletes: they run no process in the deployment that stays, and adopt nothing.
    fn adopted_pods(&self) -> (HashMap<PodKey, usize>, HashSet<PodKey>) {
        type Pod<'a> = (FileId, &'a crate::formats::workload::Container);
        // The bare pods and the adopting controllers of one folder and namespace.
        type Unit<'a> = (Vec<Pod<'a>>, Vec<Pod<'a>>);
        let deletes: Vec<(&Path, &str)> = self
            .sorted_ids()
            .into_iter()
            .flat_map(|id| {
                let dir = self.dir_of(id);
                self.entries[&id]
                    .parsed()
                    .kubectl_deleted_pods
                    .iter()
                    .map(move |name| (dir, name.as_str()))
            })
            .collect();
        let mut deleted: HashSet<PodKey> = HashSet::new();
        let mut units: HashMap<(&Path, Option<&str>), Unit> = HashMap::new();
        for id in self.sorted_ids() {
            for c in &self.entries[&id].parsed().containers {
                if c.pod.kind == "Pod"
                    && deletes
                        .iter()
                        .any(|(dir, name)| *name == c.workload && self.dir_of(id).starts_with(dir))
                {
                    deleted.insert((id, c.pod.name_span.start));
                    continue;
                }
                let (bare, controllers) = units
                    .entry((self.dir_of(id), c.namespace.as_deref()))
                    .or_default();
                let list = match c.pod.kind.as_str() {
                    "Pod" => bare,
                    _ if !c.pod.adopts.is_empty() => controllers,
                    _ => continue,
                };
                // One entry per pod, not per container.
                if !list
                    .iter()
                    .any(|(i, o)| *i == id && o.pod.name_span == c.pod.name_span)
                {
                    list.push((id, c));
                }
            }
        }
        let mut out: HashMap<PodKey, usize> = HashMap::new();
        for (bare, controllers) in units.values() {
            for (_, pod) in bare {
                let owner = controllers
                    .iter()
                    .find(|(_, rc)| rc.pod.adopts.iter().all(|l| pod.pod.labels.contains(l)));
                if let Some((id, rc)) = owner {
                    *out.entry((*id, rc.pod.name_span.start)).or_default() += 1;
                }
            }
        }
        (out, deleted)
    }

    /// The names of Services that send all their traffic to one pod (a workload of one
    /// replica, no other workload selected): clients and replicas that dial the Service
    /// (`replicaof redis-master 6379`) reach that pod. Keyed by (file, pod template).
    fn single_pod_service_names(
        &self,
        cluster: &crate::facts::cluster::Cluster,
    ) -> HashMap<(FileId, usize), Vec<String>> {
        // A Service selects the workloads of its own folder (one deployment unit).
        let mut by_dir: HashMap<&Path, Vec<(FileId, &crate::formats::workload::Container)>> =
            HashMap::new();
        for id in self.sorted_ids() {
            for c in &self.entries[&id].parsed().containers {
                by_dir.entry(self.dir_of(id)).or_default().push((id, c));
            }
        }
        let mut out: HashMap<(FileId, usize), Vec<String>> = HashMap::new();
        for svc in &cluster.services {
            let own = self.dir_of(svc.name_span.file);
            let select = |dirs: &mut dyn Iterator<Item = &Path>| {
                let mut pods: Vec<((FileId, usize), usize)> = Vec::new();
                for dir in dirs {
                    for &(id, c) in by_dir.get(dir).into_iter().flatten() {
                        let key = (id, c.pod.name_span.start);
                        if svc.selects(c.namespace.as_deref(), &c.pod.labels)
                            && !pods.iter().any(|(k, _)| *k == key)
                        {
                            pods.push((key, c.replicas));
                        }
                    }
                }
                pods
            };
            let mut pods = select(&mut std::iter::once(own));
            // Manifests filed by kind (`services/`, `statefulsets/` beside each other,
            // or the workloads one folder up): the Service's parent folder and the
            // folders under it are the unit.
            if pods.is_empty() {
                if let Some(parent) = own.parent() {
                    let mut dirs: Vec<&Path> = by_dir
                        .keys()
                        .copied()
                        .filter(|d| d.starts_with(parent) && *d != own)
                        .collect();
                    dirs.sort();
                    pods = select(&mut dirs.into_iter());
                }
            }
            let [(pod, 1)] = pods[..] else {
                continue;
            };
            let name = svc.name.to_ascii_lowercase();
            let names = out.entry(pod).or_default();
            names.push(name.clone());
            if let Some(ns) = &svc.namespace {
                let ns = ns.to_ascii_lowercase();
                names.push(format!("{name}.{ns}"));
                names.push(format!("{name}.{ns}.svc"));
                names.push(format!("{name}.{ns}.svc.cluster.local"));
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
            match located.by_suffix.ending_with(&relative) {
                [one] => return Some(located.refs[*one]),
                // A few files are at that path: the one nearest the file that names
                // it (a role's unit and its role's template, not another tree's). Many
                // (a monorepo of look-alike trees) stay ambiguous, unread.
                many @ [_, _, ..] if many.len() <= 8 => {
                    let shared = |i: &usize| {
                        let (Some(a), Some(b)) = (located.dirs[*i], from_dir) else {
                            return 0;
                        };
                        a.components()
                            .zip(b.components())
                            .take_while(|(x, y)| x == y)
                            .count()
                    };
                    let best = many.iter().map(shared).max().unwrap_or(0);
                    let nearest: Vec<&usize> = many.iter().filter(|i| shared(i) == best).collect();
                    if let [one] = nearest.as_slice() {
                        return Some(located.refs[**one]);
                    }
                }
                _ => {}
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
}

impl Workspace {
    /// The words of the tree's files that may name a file (`sentinel-1.conf` in
    /// `cp sentinel-1.conf /etc/redis/`), among `names`: from every file but compose
    /// files, READMEs and configs, read once.
    fn names_used_outside_compose<'n>(&self, names: &HashSet<&'n str>) -> HashSet<&'n str> {
        let mut found = HashSet::new();
        if names.is_empty() {
            return found;
        }
        let separator = |c: char| c.is_whitespace() || "\"'`/=:,;()[]{}<>|&$".contains(c);
        for e in self.entries.values() {
            if e.shown_only
                || crate::formats::launch::is_readme(&e.source.path)
                || e.parsed().compose.is_some()
                || e.whole_conf().is_some()
            {
                continue;
            }
            for word in e.source.text().split(separator) {
                if let Some(name) = names.get(word) {
                    found.insert(*name);
                }
            }
        }
        found
    }

    /// Files of the tree that a script copies onto a host (`cp provision/sentinel.conf
    /// /etc/redis/`, from the script's folder or an absolute path whose end is the
    /// file's folder and name), with the copying command.
    fn installed_by_scripts(&self) -> HashMap<PathBuf, Span> {
        let mut out = HashMap::new();
        for (path, id) in &self.by_path {
            let Some(entry) = self.entries.get(id) else {
                continue;
            };
            // Only scripts copy files.
            let copies = &entry.parsed().file_copies;
            if copies.is_empty() {
                continue;
            }
            let dir = path.parent().unwrap_or(Path::new(""));
            for copy in copies {
                let from = Path::new(&copy.from);
                let found = if from.is_absolute() {
                    // `/vagrant/provision/sentinel.conf`: the last two parts.
                    let tail: PathBuf = from
                        .components()
                        .rev()
                        .take(2)
                        .collect::<Vec<_>>()
                        .into_iter()
                        .rev()
                        .collect();
                    let matches: Vec<&PathBuf> = self
                        .by_path
                        .keys()
                        .filter(|p| compose::normalize(p).ends_with(&tail))
                        .collect();
                    match matches.as_slice() {
                        [one] => Some(compose::normalize(one)),
                        _ => None,
                    }
                } else {
                    let p = compose::normalize(&dir.join(from));
                    self.by_path
                        .keys()
                        .any(|k| compose::normalize(k) == p)
                        .then_some(p)
                };
                if let Some(found) = found {
                    out.entry(found).or_insert(copy.at);
                }
            }
        }
        out
    }
}

/// A ConfigMap key's config with the lines a script appends to its copy.
fn appended_to(template: &ConfFile, appended: crate::syntax::redis_conf::ConfTree) -> ConfFile {
    let mut lines = template.tree.lines.clone();
    lines.extend(appended.lines);
    let tree = crate::syntax::redis_conf::ConfTree {
        lines,
        errors: Vec::new(),
        rewrite_marker: None,
    };
    let mut conf = ConfFile::from_tree_keep_owners(template.file, template.kind, tree);
    conf.embedded = true;
    conf.embedded_in = template.embedded_in.clone();
    conf
}

/// The two server command lines of a start script that picks the role by the pod's
/// ordinal (`if [ "$(hostname)" = redis-0 ]; then redis-server …; else redis-server …
/// --replicaof redis-0.redis 6379; fi`): (the master's, the replicas').
fn ordinal_branches<'i>(
    container: &Container,
    own: &[&'i crate::formats::workload::Invocation],
) -> Option<(
    &'i crate::formats::workload::Invocation,
    &'i crate::formats::workload::Invocation,
)> {
    let [a, b] = own else { return None };
    let (text, _) = container.script.as_ref()?;
    crate::formats::role_choice::ordinal_test(text)?;
    let replicates = |inv: &crate::formats::workload::Invocation| {
        inv.kind == FileKind::RedisConf
            && inv
                .args
                .iter()
                .any(|t| matches!(t.value.as_str(), "--replicaof" | "--slaveof"))
    };
    if a.kind != FileKind::RedisConf || b.kind != FileKind::RedisConf {
        return None;
    }
    match (replicates(a), replicates(b)) {
        (false, true) => Some((a, b)),
        (true, false) => Some((b, a)),
        _ => None,
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
    // A variable the container sets to a literal value (Kubernetes expands `$(VAR)` in
    // the command, the shell `$VAR` in a script).
    for (var, literal, _) in &container.env_vars {
        let Some(literal) = literal else { continue };
        let forms = [
            format!("$({var})"),
            format!("${{{var}}}"),
            format!("${var}"),
        ];
        if forms.iter().any(|f| value == f) {
            return literal.clone();
        }
    }
    // Left as a placeholder, in one spelling: `${NAME}`.
    let templated = value.replace("$(", "${").replace(')', "}");
    let mut out = String::with_capacity(templated.len() + 2);
    let mut rest = templated.as_str();
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let name_len = after
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if name_len > 0 {
            out.push_str(&format!("${{{}}}", &after[..name_len]));
            rest = &after[name_len..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    out
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

/// An image a `docker build -t TAG` of the tree makes, and from what.
struct BuiltImage {
    tag: String,
    dockerfile: FileId,
    context: PathBuf,
}

impl BuiltImage {
    /// Whether a container's `image:` is this one: the same last name and the same tag
    /// (or a tag left to a template or variable, or none on either side).
    fn makes(&self, image: &str) -> bool {
        use crate::formats::image_start::{image_tag, repository_name};
        if repository_name(&self.tag) != repository_name(image) {
            return false;
        }
        let wanted = image_tag(image);
        wanted.is_some_and(|t| t.contains(['{', '$']))
            || image_tag(&self.tag).unwrap_or("latest") == wanted.unwrap_or("latest")
    }
}

/// What a Kubernetes container whose image is built in the tree starts.
struct ImageStart {
    /// The file whose offsets the invocation's words carry: the start script, or the
    /// Dockerfile whose `CMD`/`ENTRYPOINT` holds them.
    tokens: FileId,
    /// The script of the chain that prepares the start (writes or copies its config,
    /// picks the role); the Dockerfile when none does.
    script: FileId,
    invocation: crate::formats::workload::Invocation,
    docker: FileId,
    /// The build context its `COPY` sources are read from.
    context: PathBuf,
    /// Another process the same start runs beside it (the sentinel a script starts in
    /// the background next to its server).
    beside: Vec<ImageStart>,
}

/// Releases named by the `FROM` of the tree's Dockerfiles.
#[derive(Default)]
struct DockerfileImages {
    by_dockerfile: HashMap<PathBuf, crate::source::Spanned<crate::knowledge::Target>>,
    /// Dockerfiles whose `FROM` names build arguments: the file and where `FROM` is.
    with_args: HashMap<PathBuf, (crate::formats::dockerfile::Dockerfile, Span)>,
    /// A config of the tree copied into an image runs the release of that image.
    by_copied_file: HashMap<PathBuf, crate::source::Spanned<crate::knowledge::Target>>,
    /// The `ENV` defaults of the image a Dockerfile builds, by Dockerfile and by the
    /// configs it copies in: what a start script fills placeholders with when nothing
    /// overrides them.
    env_by_dockerfile: HashMap<PathBuf, Vec<(String, String)>>,
    env_by_copied_file: HashMap<PathBuf, Vec<(String, String)>>,
}

impl DockerfileImages {
    /// The release of a process whose image is built (`build:` → its Dockerfile) or
    /// whose config is copied into a built image, when its own image names none.
    fn complete(
        &self,
        runtime: &mut crate::facts::Runtime,
        dockerfile: Option<&Path>,
        build_args: &[(String, String)],
        config: Option<&Path>,
    ) {
        if runtime.release.is_some() {
            return;
        }
        runtime.release = dockerfile
            .and_then(|d| {
                // The image of a build that passes arguments to its `FROM` line.
                let (docker, at) = self.with_args.get(&compose::normalize(d))?;
                let image = docker.base_for(build_args)?;
                let release = crate::knowledge::images::image_ref(&image)?.release?;
                Some(crate::source::Spanned::with_origin(
                    release,
                    *at,
                    crate::source::Origin::Implied,
                ))
            })
            .or_else(|| {
                dockerfile
                    .and_then(|d| self.by_dockerfile.get(&compose::normalize(d)))
                    .or_else(|| {
                        config.and_then(|c| self.by_copied_file.get(&compose::normalize(c)))
                    })
                    .cloned()
            });
    }
}

/// `$VAR` / `${VAR}` placeholders a start script fills from the environment before the
/// process reads the config: the value is the variable's (never edited where the
/// placeholder is written).
/// The scalar after `value:` in an `env` entry (`- name: X` / `value: "1000"`), quotes
/// left out.
fn value_in_entry(text: &str, entry: &std::ops::Range<usize>) -> Option<std::ops::Range<usize>> {
    let body = text.get(entry.clone())?;
    let at = body.find("value:")? + "value:".len();
    let rest = &body[at..];
    let start = at + rest.len() - rest.trim_start_matches([' ', '\t']).len();
    let line_end = body[start..].find('\n').map_or(body.len(), |i| start + i);
    let value = body[start..line_end].trim_end();
    let (from, to) = match value.as_bytes() {
        [q @ (b'"' | b'\''), .., last] if value.len() >= 2 && last == q => (1, value.len() - 1),
        _ => (0, value.len()),
    };
    (to > from).then(|| entry.start + start + from..entry.start + start + to)
}

/// `$VAR` / `${VAR}` words of a script-written config that the container's `env` sets to
/// a literal value: that value, at its place in the manifest.
fn fill_from_container_env(
    lines: &mut [crate::syntax::redis_conf::ConfLine],
    container: &Container,
    manifest: &SourceFile,
) {
    if container.env_vars.is_empty() {
        return;
    }
    for token in lines.iter_mut().flat_map(|l| l.tokens.iter_mut()) {
        let Some(name) = crate::syntax::shell::variable_name(&token.value) else {
            continue;
        };
        let Some((_, Some(value), at)) =
            container.env_vars.iter().rev().find(|(n, _, _)| n == name)
        else {
            continue;
        };
        if value.contains('$') {
            continue;
        }
        token.value = value.as_str().into();
        token.range = value_in_entry(manifest.text(), at).unwrap_or_else(|| at.clone());
        token.owner = manifest.id;
        token.origin = crate::source::Origin::Implied;
    }
}

fn substitute(lines: &mut [crate::syntax::redis_conf::ConfLine], vars: &[(String, String)]) {
    if vars.is_empty() {
        return;
    }
    for token in lines.iter_mut().flat_map(|l| l.tokens.iter_mut()) {
        if !(token.value.starts_with('$') || token.value.contains("${")) {
            continue;
        }
        let value = crate::syntax::shell::expand_parameters(&token.value, vars);
        if value != token.value {
            token.value = value.into();
            token.origin = crate::source::Origin::Implied;
        }
    }
}

/// A config word that is exactly one variable (`$FAILOVER`, `${FAILOVER}`) of the
/// service's own `environment:`, written literally in the compose file or in one of its
/// env files, that the start script fills in takes its value from there: it is reported
/// at that entry, where it is set.
fn point_at_environment(
    lines: &mut [crate::syntax::redis_conf::ConfLine],
    env: &[compose::EnvVar],
    substitutions: &[(String, String)],
    file: FileId,
    env_file: &dyn Fn(&Path) -> Option<FileId>,
) {
    if env.is_empty() || substitutions.is_empty() {
        return;
    }
    for token in lines.iter_mut().flat_map(|l| l.tokens.iter_mut()) {
        let Some(name) = crate::syntax::shell::variable_name(&token.value) else {
            continue;
        };
        let entry = env
            .iter()
            .rev()
            .find(|e| e.name == name)
            .filter(|e| (e.literal || e.from_file.is_some()) && e.value.is_some())
            // Only where the start script fills the word with that value.
            .filter(|e| {
                substitutions
                    .iter()
                    .rev()
                    .find(|(k, _)| k == name)
                    .is_some_and(|(_, v)| Some(v) == e.value.as_ref())
            });
        let Some(entry) = entry else { continue };
        if entry.literal {
            token.range = entry.span.clone();
            token.owner = file;
        } else if let Some((at, range)) = env_file_place(entry, env_file) {
            token.range = range;
            token.owner = at;
        }
    }
}

/// Where an env file variable's value is written, when that file is in the tree.
fn env_file_place(
    entry: &compose::EnvVar,
    env_file: &dyn Fn(&Path) -> Option<FileId>,
) -> Option<(FileId, std::ops::Range<usize>)> {
    let (path, range) = entry.from_file.as_ref()?;
    Some((env_file(path)?, range.clone()))
}

/// Settings a service's image reads from variables of its `env_file:` (bitnami's
/// `REDIS_SENTINEL_QUORUM=…` in `.env`) point at the variable's line in that file, not at
/// the `env_file:` entry: that is where the value is set. Only when the value tells the
/// variables of one entry apart.
fn point_at_env_files(
    lines: &mut [crate::syntax::redis_conf::ConfLine],
    env: &[compose::EnvVar],
    file: FileId,
    env_file: &dyn Fn(&Path) -> Option<FileId>,
) {
    if !env.iter().any(|e| e.from_file.is_some()) {
        return;
    }
    for token in lines.iter_mut().flat_map(|l| l.tokens.iter_mut()) {
        if token.owner != file {
            continue;
        }
        // The variable compose applies last among those of that entry with that value.
        let mut places = env
            .iter()
            .filter(|e| e.from_file.is_some() && e.span == token.range)
            .filter(|e| e.value.as_deref() == Some(token.value.as_str()))
            .filter(|e| {
                !env.iter()
                    .any(|o| o.name == e.name && o.from_file.is_none())
            })
            .filter_map(|e| env_file_place(e, env_file));
        let (Some(place), None) = (places.next(), places.next()) else {
            continue;
        };
        token.owner = place.0;
        token.range = place.1;
    }
}

/// The literal `sed` edits a start script makes to its config, as `sed` makes them: every
/// occurrence, inside longer words too.
fn apply_edits(lines: &mut [crate::syntax::redis_conf::ConfLine], edits: &[(String, String)]) {
    for (what, into) in edits {
        for token in lines.iter_mut().flat_map(|l| l.tokens.iter_mut()) {
            if token.value.contains(what.as_str()) {
                token.value = token.value.replace(what.as_str(), into).into();
                token.origin = crate::source::Origin::Implied;
            }
        }
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

/// Words a file implies rather than writes one by one (a background start's arguments,
/// an image's `CMD`): each stands at the whole range that implies it.
fn implied_tokens(
    words: &[String],
    range: &std::ops::Range<usize>,
    owner: FileId,
) -> Vec<crate::syntax::redis_conf::Token> {
    words
        .iter()
        .map(|w| crate::syntax::redis_conf::Token {
            value: w.as_str().into(),
            range: range.clone(),
            quoted: false,
            owner,
            origin: crate::source::Origin::Implied,
        })
        .collect()
}

/// The file of the tree a script copied to `path` (see `host_file_copies`).
fn host_copy_source(copies: &[(PathBuf, PathBuf)], path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?;
    copies.iter().rev().find_map(|(to, from)| {
        let pattern = to.file_name()?.to_str()?;
        let pattern = crate::syntax::shell::variables_as_wildcards(pattern);
        if to.parent() != path.parent() || !glob_matches(&pattern, name) {
            return None;
        }
        let source = from.file_name()?.to_str()?;
        let source = crate::syntax::shell::variables_as_wildcards(source);
        match source.matches('*').count() {
            0 => Some(from.clone()),
            // `cp sentinel$i.conf .sentinel$i.conf`: the variable's text in the mounted
            // name is its text in the source's.
            1 if pattern.matches('*').count() == 1 => {
                let (head, tail) = pattern.split_once('*')?;
                let value = &name[head.len()..name.len() - tail.len()];
                Some(from.with_file_name(source.replace('*', value)))
            }
            _ => None,
        }
    })
}

/// Whether a file name matches a shell pattern of one folder level (`*`, `*.*`, `*.conf`,
/// `sentinel*`): `*` stands for any run of characters.
fn glob_matches(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

/// The release whose stock `redis.conf` a config is a copy of, at the line that marks
/// it (see [`crate::knowledge::stock_conf`]).
fn stock_release(conf: &ConfFile) -> Option<crate::source::Spanned<crate::knowledge::Target>> {
    let lines: Vec<_> = conf
        .lines
        .iter()
        .map(|l| (l.name.as_str(), l.directive))
        .collect();
    let (release, marker) = crate::knowledge::stock_conf::stock_release(&lines)?;
    let line = &conf.tree.lines[conf.lines[marker].index];
    Some(crate::source::Spanned::with_origin(
        release,
        Span::new(line.owner, line.range.start, line.range.end),
        crate::source::Origin::Implied,
    ))
}

/// A compose project that is one host's share of a deployment over several hosts (the
/// same file brought up on each server, `.env` written per host): it runs a single
/// sentinel beside at most one data server (or data services on the host's
/// network), that sentinel announces an address for
/// peers outside the project (`sentinel announce-ip`) or lives on the host's network,
/// and the master it watches is no service of the project. A project that runs several
/// sentinels is a deployment of its own.
fn one_host_of_many(
    sentinel: &crate::facts::SentinelProc,
    service: &compose::Service,
    project: &compose::ComposeFile,
    project_file: FileId,
    written_with: &dyn Fn(Span) -> bool,
    has_variable: &dyn Fn(&str) -> bool,
) -> bool {
    let sentinels: usize = project
        .services
        .iter()
        .filter(|s| s.kind == FileKind::SentinelConf)
        .map(|s| s.replicas)
        .sum();
    // Data services on the host's network are this host's choices (master or replica,
    // on the one port), not servers side by side.
    let data: Vec<&compose::Service> = project
        .services
        .iter()
        .filter(|s| s.kind == FileKind::RedisConf)
        .collect();
    let one_server =
        data.iter().map(|s| s.replicas).sum::<usize>() <= 1 || data.iter().all(|s| s.host_network);
    if sentinels != 1 || !one_server || sentinel.monitors.is_empty() {
        return false;
    }
    // `sentinel announce-ip $ANNOUNCE_IP` where the container has no such variable: the
    // start script writes it only when set (`if [ "$ANNOUNCE_IP" ]`), so nothing is
    // announced.
    // (`${ANNOUNCE_IP}` written in the compose file itself is the host's, filled in by
    // compose at `up`.)
    let announces = sentinel.announce_ip.as_ref().is_some_and(|a| {
        a.span.file == project_file
            || crate::syntax::shell::variable_name(&a.value).is_none_or(has_variable)
    }) || service.host_network;
    let outside = sentinel.monitors.iter().all(|m| {
        let host = m.host.value.as_str();
        !crate::knowledge::values::is_loopback(host)
            && !project
                .services
                .iter()
                .chain(&project.others)
                .any(|s| s.answers_to(host) || s.static_ips.iter().any(|ip| ip == host))
    });
    // Written for each server: the addresses come from its environment (`${MASTER}`,
    // a per-host `.env`); literal addresses describe one deployment.
    let per_host = sentinel
        .monitors
        .iter()
        .map(|m| m.host.span)
        .chain(sentinel.announce_ip.iter().map(|a| a.span))
        .any(written_with);
    announces && outside && per_host
}
