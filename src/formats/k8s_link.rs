//! Links Kubernetes containers to the configs they run: the mount behind a config path,
//! the ConfigMap key it comes from, and what the start script and probes do.

use super::units::{ContainerFacts, Linked};
use crate::formats::conf::ConfFile;
use crate::formats::detect::FileKind;
use crate::formats::workload::{Container, VolumeSource};
use crate::source::scope::NearestIndex;
use crate::source::{FileId, Span};
use std::path::Path;

/// The configs embedded in ConfigMaps and Secrets, by (object name, key) and directory:
/// a name means the object of that name nearest to the workload that mounts it (two
/// deployments of one repository may both have a ConfigMap `redis-config`).
pub struct EmbeddedConfs<'a> {
    confs: Vec<&'a ConfFile>,
    index: NearestIndex<'a, (&'a str, &'a str)>,
    /// Keys a Kustomize patch replaces: (file of the base's version, name, key) → the
    /// patch's version, where one top build does so.
    patched: std::collections::HashMap<(FileId, String, String), &'a ConfFile>,
}

impl<'a> EmbeddedConfs<'a> {
    /// `dir_of` gives the directory of the file that holds a config.
    pub fn new(confs: Vec<&'a ConfFile>, dir_of: impl Fn(FileId) -> &'a Path) -> Self {
        let mut index = NearestIndex::new();
        for (i, conf) in confs.iter().enumerate() {
            if let Some((name, key)) = &conf.embedded_in {
                index.insert((name.as_str(), key.as_str()), dir_of(conf.file), i);
            }
        }
        EmbeddedConfs {
            confs,
            index,
            patched: std::collections::HashMap::new(),
        }
    }

    /// Within each top Kustomize build, a ConfigMap key held both by a file of the build
    /// and by one of its patches is the patch's version (a strategic merge replaces the
    /// key's value). A base that several overlays patch keeps its own.
    pub fn apply_patches(&mut self, builds: &[crate::formats::kustomize::Build]) {
        let mut found: std::collections::HashMap<(FileId, String, String), Vec<&'a ConfFile>> =
            std::collections::HashMap::new();
        for build in builds.iter().filter(|b| b.top) {
            let patch_files: std::collections::HashSet<FileId> =
                build.object_patches.iter().map(|p| p.file).collect();
            for patch in self.confs.iter().filter(|c| patch_files.contains(&c.file)) {
                let Some((name, key)) = &patch.embedded_in else {
                    continue;
                };
                for base in self.confs.iter().filter(|c| {
                    c.file != patch.file
                        && build.files.contains(&c.file)
                        && c.embedded_in.as_ref() == Some(&(name.clone(), key.clone()))
                }) {
                    found
                        .entry((base.file, name.clone(), key.clone()))
                        .or_default()
                        .push(patch);
                }
            }
        }
        for (at, versions) in found {
            if let [one] = versions.as_slice() {
                self.patched.insert(at, one);
            }
        }
    }

    /// A config that a generator makes key `key` of object `name` (Kustomize's
    /// `configMapGenerator`), declared in `dir`.
    pub fn add(&mut self, name: &'a str, key: &'a str, dir: &'a Path, conf: &'a ConfFile) {
        self.index.insert((name, key), dir, self.confs.len());
        self.confs.push(conf);
    }

    /// The keys of the object `name` that hold a config (anywhere in the tree).
    pub fn keys_of(&self, name: &str) -> Vec<&'a str> {
        let mut keys: Vec<&'a str> = self
            .index
            .keys()
            .filter(|(n, _)| *n == name)
            .map(|(_, k)| *k)
            .collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    /// The config under `key` of the object `name` nearest to `near`; the first in path
    /// order when several are equally near.
    pub fn find(&self, name: &str, key: &str, near: &Path) -> Option<&'a ConfFile> {
        let first = *self.index.nearest(&(name, key), Some(near)).first()?;
        let conf = self.confs[first];
        let patched = self
            .patched
            .get(&(conf.file, name.to_string(), key.to_string()));
        Some(patched.copied().unwrap_or(conf))
    }
}

/// Config of the tree that a container path reads: key `rest` of the mounted ConfigMap.
/// `near` is the directory of the manifest that holds the container.
pub fn config_at<'a>(
    container: &Container,
    path: &str,
    confs: &EmbeddedConfs<'a>,
    near: &Path,
) -> Option<&'a ConfFile> {
    // A copy of a ConfigMap key made by the start script or an initContainer.
    if let Some((name, key)) = container.copy_for(path).and_then(|c| c.from) {
        return confs.find(&name, &key, near);
    }
    let (name, key) = container.mounted_key(path)?;
    confs.find(&name, &key, near)
}

/// The role choice of the script of a ConfigMap key (name, key): the ordinal test,
/// whether the script asks the sentinels first, and whether it starts a data server.
pub type KeyRoles<'a> = dyn Fn(&(String, String)) -> Option<(Span, bool, bool)> + 'a;

/// `started`: the redis command the container starts when it has no command line of its
/// own (its image's start script, or a script of a ConfigMap key it runs), with the file
/// that holds its words and, when the caller found it, the config it runs (one its script
/// writes).
pub fn container_facts<'c>(
    file: FileId,
    container: &Container,
    started: Option<(
        FileId,
        &crate::formats::workload::Invocation,
        Option<&ConfFile>,
    )>,
    confs: &EmbeddedConfs,
    near: &Path,
    key_roles: &KeyRoles,
    copied_by_init: &dyn Fn(&str) -> Option<&'c ConfFile>,
) -> ContainerFacts {
    let span = |r: &std::ops::Range<usize>| Span::new(file, r.start, r.end);
    let mut readonly = Vec::new();
    let mut subpath = Vec::new();
    let mut auth_required = false;
    let invocations = container
        .invocations
        .iter()
        .map(|inv| (file, inv))
        .chain(started.map(|(f, inv, _)| (f, inv)));
    for (inv_file, inv) in invocations {
        let path_span = |r: &std::ops::Range<usize>| Span::new(inv_file, r.start, r.end);
        let passworded_options = inv.args.iter().any(|t| t.value == "--requirepass");
        auth_required |= passworded_options;
        let Some((path, path_range)) = &inv.config else {
            continue;
        };
        if let Some(conf) = config_at(container, path, confs, near) {
            auth_required |= conf.has_password();
        }
        let Some(mount) = container.mount_for(path) else {
            continue;
        };
        if inv.kind != FileKind::SentinelConf {
            continue;
        }
        let what = match (&mount.source, mount.read_only) {
            (VolumeSource::ConfigMap(n), _) => Some(format!("ConfigMap `{n}`")),
            (VolumeSource::Secret(n), _) => Some(format!("Secret `{n}`")),
            (_, true) => Some("a `readOnly: true` mount".to_string()),
            _ => None,
        };
        match what {
            Some(what) => readonly.push((
                path_span(path_range),
                span(&mount.span),
                span(&mount.volume_span),
                what,
            )),
            None if mount.sub_path.is_some() => {
                subpath.push((path_span(path_range), span(&mount.span)))
            }
            None => {}
        }
    }
    // The role is picked by the container's own start script, or by an initContainer's
    // for the server it starts.
    // The script of a ConfigMap key the container runs, when it picks the role.
    let own_role = container
        .script_file
        .as_deref()
        .and_then(|p| container.source_key(p))
        .and_then(|k| key_roles(&k));
    let runs_server = container
        .invocations
        .iter()
        .chain(started.map(|(_, inv, _)| inv))
        .any(|i| i.kind == FileKind::RedisConf)
        || own_role.is_some_and(|(_, _, server)| server);
    let init = container.pod.init_scripts.iter().filter(|_| runs_server);
    let (ordinal_test, asks_sentinels) = container
        .script
        .iter()
        .chain(init)
        .find_map(|(text, piece)| {
            let test = crate::formats::role_choice::ordinal_test(text)?;
            let r = piece.range_to_file(test);
            Some((
                Some(Span::new(file, r.start, r.end)),
                crate::formats::role_choice::asks_sentinels(text),
            ))
        })
        .or_else(|| {
            // A script of a ConfigMap key: the one the container runs, or an init
            // container's (for the server the container starts).
            let init = || {
                container
                    .pod
                    .init_script_keys
                    .iter()
                    .filter(|_| runs_server)
                    .find_map(key_roles)
            };
            // A `postStart` hook's script that picks the role of the server beside it
            // (`REPLICAOF pod-0` unless the ordinal is 0).
            let hook = || {
                container
                    .hook_script
                    .as_deref()
                    .filter(|_| runs_server)
                    .and_then(|p| container.source_key(p))
                    .and_then(|k| key_roles(&k))
            };
            own_role
                .or_else(init)
                .or_else(hook)
                .map(|(test, asks, _)| (Some(test), asks))
        })
        .unwrap_or_else(|| {
            let asks = container
                .script
                .as_ref()
                .is_some_and(|(text, _)| crate::formats::role_choice::asks_sentinels(text));
            (None, asks)
        });
    let has_auth_env = container.env.iter().any(|e| e == "REDISCLI_AUTH");
    let unauthenticated_pings = container
        .probes
        .iter()
        .filter(|p| p.pings() && !p.authenticates() && !has_auth_env)
        .map(|p| span(&p.span))
        .collect();
    let linked = container
        .invocations
        .iter()
        .map(|inv| {
            // A ConfigMap key mounted or copied there, or the config an init
            // container's script makes there from one (`cp master.conf server.conf`).
            inv.config
                .as_ref()
                .and_then(|(path, _)| {
                    config_at(container, path, confs, near).or_else(|| copied_by_init(path))
                })
                .filter(|c| c.kind == inv.kind)
                .map(|c| link_of(file, c, inv))
                .or_else(|| options_only(file, inv))
        })
        .collect();
    let started = started.map(|(inv_file, inv, resolved)| {
        let linked = resolved
            .or_else(|| {
                let (path, _) = inv.config.as_ref()?;
                config_at(container, path, confs, near)
            })
            .filter(|c| c.kind == inv.kind)
            .map(|c| link_of(inv_file, c, inv))
            // `exec redis-server --appendonly yes` in the image's script: options only.
            .or_else(|| {
                inv.config
                    .is_none()
                    .then(|| options_only(inv_file, inv))
                    .flatten()
            });
        (inv_file, inv.clone(), linked)
    });
    ContainerFacts {
        file,
        container: container.clone(),
        linked,
        started,
        processes: Vec::new(),
        workload: container.workload.clone(),
        name_span: span(&container.name_span),
        readonly_sentinel_configs: readonly,
        subpath_sentinel_configs: subpath,
        ordinal_test,
        copied_every_start: Vec::new(),
        asks_sentinels,
        runs_server,
        unauthenticated_pings,
        auth_required,
        image_workdir: None,
    }
}

/// What the rules need of a data server started on options alone (`redis-server
/// --appendonly yes`). Persistence counts only when the options ask for it: the default
/// snapshots of a bare cache are not a promise to keep data.
fn options_only(file: FileId, inv: &crate::formats::workload::Invocation) -> Option<Linked> {
    if inv.config.is_some() || inv.kind != FileKind::RedisConf || inv.args.is_empty() {
        return None;
    }
    // Options filled at run time (`$(DATA_DIR)`, `"$@"`) or read from another file
    // (`--include`): what the server sets is not all here.
    let decides = [
        "--dir",
        "--appendonly",
        "--save",
        "--dbfilename",
        "--appendfilename",
    ];
    let unknown = inv.args.iter().enumerate().any(|(i, t)| {
        t.value == "--include"
            || t.value.contains("$@")
            || t.value.contains("$*")
            || (t.value.contains('$') && i > 0 && decides.contains(&inv.args[i - 1].value.as_str()))
    });
    if unknown {
        return None;
    }
    let value = |flag: &str| {
        let i = inv.args.iter().rposition(|t| t.value == flag)?;
        inv.args.get(i + 1)
    };
    let appendonly = value("--appendonly").is_some_and(|t| t.value.eq_ignore_ascii_case("yes"));
    // Without `--save`, the server keeps its default save points (RDB on).
    let saves = value("--save").is_none_or(|t| !t.value.is_empty() && !t.value.starts_with("--"));
    Some(Linked {
        file,
        embedded_in: None,
        has_myid: false,
        has_password: value("--requirepass").is_some(),
        persistence_on: appendonly || saves,
        dir: value("--dir").map(|t| {
            (
                t.value.to_string(),
                Span::new(file, t.range.start, t.range.end),
            )
        }),
        rewritten_at_start: false,
    })
}

/// What the rules need of the config an invocation runs, with its command-line options.
fn link_of(file: FileId, conf: &ConfFile, inv: &crate::formats::workload::Invocation) -> Linked {
    let value = |key: &str| -> Option<(String, Span)> {
        let flag = format!("--{key}");
        if let Some(i) = inv.args.iter().rposition(|t| t.value == flag) {
            let t = inv.args.get(i + 1)?;
            return Some((
                t.value.to_string(),
                Span::new(file, t.range.start, t.range.end),
            ));
        }
        let (line, token) = conf.last_value(key)?;
        let _ = line;
        Some((token.value.to_string(), conf.token_span(token)))
    };
    let appendonly = value("appendonly").is_some_and(|(v, _)| v.eq_ignore_ascii_case("yes"));
    let saves = match inv.args.iter().rposition(|t| t.value == "--save") {
        Some(i) => inv
            .args
            .get(i + 1)
            .is_some_and(|t| !t.value.is_empty() && !t.value.starts_with("--")),
        // No `save` line: the default save points (RDB on), unless the file includes
        // another that may set them.
        None => match conf.directive_lines("save").last() {
            Some(l) => l.tokens.get(1).is_some_and(|t| !t.value.is_empty()),
            None => conf.directive_lines("include").next().is_none(),
        },
    };
    Linked {
        file: conf.file,
        embedded_in: conf.embedded_in.clone(),
        has_myid: conf.directive_lines("sentinel").any(|l| {
            l.tokens
                .get(1)
                .is_some_and(|t| t.value.eq_ignore_ascii_case("myid"))
        }),
        has_password: conf.has_password() || inv.args.iter().any(|t| t.value == "--requirepass"),
        persistence_on: appendonly || saves,
        dir: value("dir"),
        rewritten_at_start: conf.rewritten_at_start.is_some(),
    }
}
