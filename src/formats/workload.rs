//! Kubernetes workloads (StatefulSet, Deployment, DaemonSet, Pod): which containers run
//! Redis or Sentinel, from which config path, mounted from which volume; their start
//! scripts and probes.

use crate::formats::detect::FileKind;
use crate::formats::kubernetes::objects;
use crate::knowledge::images::ImageFamily;
use crate::syntax::redis_conf::{split_args, Token};
use crate::syntax::yaml::{embedded, Kind, Node, YamlFile};
use std::ops::Range;

#[derive(Debug, Clone)]
pub enum VolumeSource {
    ConfigMap(String),
    Secret(String),
    EmptyDir,
    /// A PersistentVolumeClaim: a volumeClaimTemplate of the StatefulSet (one claim per
    /// pod, `None`), or a claim named in `volumes:`, which every pod that mounts it shares.
    Claim(Option<String>),
    Other,
}

#[derive(Debug, Clone)]
pub struct Mount {
    /// Name of the pod volume (or volumeClaimTemplate).
    pub volume: String,
    pub path: String,
    pub sub_path: Option<String>,
    pub read_only: bool,
    pub source: VolumeSource,
    /// The volumeMounts entry.
    pub span: Range<usize>,
    /// The volume's `configMap:` / `secret:` entry.
    pub volume_span: Range<usize>,
    /// For a ConfigMap or Secret volume: the mode its files get.
    pub modes: Option<FileModes>,
}

/// The permission bits of the files a ConfigMap or Secret volume projects.
#[derive(Debug, Clone)]
pub struct FileModes {
    /// `defaultMode` (0644 when not written) and where it is written.
    pub default: (u32, Option<Range<usize>>),
    /// `items`: the keys projected, each at its path with its own mode.
    pub items: Vec<ModeItem>,
}

/// One entry of a ConfigMap or Secret volume's `items`.
#[derive(Debug, Clone)]
pub struct ModeItem {
    pub key: String,
    /// Its path inside the volume.
    pub path: String,
    /// Its own `mode`, and where it is written.
    pub mode: Option<(u32, Range<usize>)>,
}

impl FileModes {
    /// The mode of the file at `path` (relative to the mount) and where it is decided.
    pub fn of(&self, path: &str) -> Option<(u32, Option<Range<usize>>)> {
        if self.items.is_empty() {
            return Some(self.default.clone());
        }
        // With items, only the listed keys are in the volume.
        let item = self.items.iter().find(|i| i.path == path)?;
        Some(match &item.mode {
            Some((m, at)) => (*m, Some(at.clone())),
            None => self.default.clone(),
        })
    }
}

/// A file mode as Kubernetes reads YAML: `0755` (octal, YAML 1.1) or `493` (decimal).
fn file_mode(node: &Node) -> Option<u32> {
    let text = node.as_str()?.trim();
    let mode = match text
        .strip_prefix("0o")
        .or_else(|| text.strip_prefix('0').filter(|r| !r.is_empty()))
    {
        Some(octal) => u32::from_str_radix(octal, 8).ok()?,
        None => text.parse().ok()?,
    };
    (mode <= 0o777).then_some(mode)
}

fn file_modes(source: &Node) -> FileModes {
    let default = match source.get("defaultMode") {
        Some(n) => match file_mode(n) {
            Some(m) => (m, Some(n.span.clone())),
            None => (0o644, None),
        },
        None => (0o644, None),
    };
    let items = source
        .get("items")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|i| {
            let mode = i
                .get("mode")
                .and_then(|n| Some((file_mode(n)?, n.span.clone())));
            Some(ModeItem {
                key: i.get_str("key")?.to_string(),
                path: i.get_str("path")?.to_string(),
                mode,
            })
        })
        .collect();
    FileModes { default, items }
}

/// One invocation of a Redis binary in a container's command or start script.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub kind: FileKind,
    pub config: Option<(String, Range<usize>)>,
    pub args: Vec<Token>,
    /// Started by the container's `postStart` hook, beside its command's process.
    pub from_hook: bool,
}

#[derive(Debug, Clone)]
pub struct Probe {
    /// `livenessProbe`, `readinessProbe` or `startupProbe`.
    pub kind: &'static str,
    pub tokens: Vec<Token>,
    pub span: Range<usize>,
    /// The probe's key (`livenessProbe:`).
    pub key_span: Range<usize>,
    pub initial_delay: i64,
    pub period: i64,
    pub failure_threshold: i64,
}

impl Probe {
    fn lower(&self) -> Vec<String> {
        self.tokens
            .iter()
            .map(|t| t.value.to_ascii_lowercase().to_string())
            .collect()
    }

    /// `redis-cli … ping`.
    pub fn pings(&self) -> bool {
        let values = self.lower();
        values
            .iter()
            .any(|v| v.ends_with("redis-cli") || v.contains("redis-cli "))
            && values.iter().any(|v| v == "ping" || v.contains(" ping"))
    }

    /// The probe looks at the reply, not only at redis-cli's exit status.
    pub fn compares_output(&self) -> bool {
        self.lower()
            .iter()
            .any(|v| v.contains("pong") || v.contains("grep") || v.contains("loading"))
    }

    /// The reply `LOADING` counts as alive.
    pub fn accepts_loading(&self) -> bool {
        self.lower().iter().any(|v| v.contains("loading"))
    }

    /// The probe passes credentials (`-a`, `--pass`, `--user`, `REDISCLI_AUTH`).
    pub fn authenticates(&self) -> bool {
        self.lower().iter().any(|v| {
            v == "-a"
                || v.starts_with("--pass")
                || v == "--user"
                || v == "--askpass"
                || v.contains("redis_password")
                || v.contains("rediscli_auth")
                || v.contains(" -a ")
        })
    }

    /// The probe talks to a sentinel port.
    pub fn targets_sentinel_port(&self) -> bool {
        self.lower().iter().any(|v| v.contains("26379"))
    }

    /// Seconds before the probe has failed enough times to act.
    pub fn budget(&self) -> i64 {
        self.initial_delay + self.period * self.failure_threshold
    }
}

/// `cp SRC DST` in a start script (of the container itself or of an initContainer).
#[derive(Debug, Clone)]
pub struct Copy {
    /// ConfigMap/Secret name and key the source file comes from.
    pub from: Option<(String, String)>,
    /// Destination as (volume, path inside the volume); `None` volume = container layer.
    pub to: (Option<String>, String),
    /// Whether the copy runs only when the destination does not exist yet.
    pub guarded: bool,
    pub span: Range<usize>,
}

/// Pod-level facts of the workload a container belongs to.
#[derive(Debug, Clone, Default)]
pub struct PodFacts {
    pub kind: String,
    pub name_span: Range<usize>,
    pub labels: Vec<(String, String)>,
    /// The labels a ReplicationController or ReplicaSet selects its pods by: it counts
    /// (adopts) a bare pod of its namespace that carries them as one of its replicas.
    pub adopts: Vec<(String, String)>,
    /// `podManagementPolicy: Parallel` value.
    pub parallel: Option<Range<usize>>,
    /// Required podAntiAffinity or a DoNotSchedule topologySpreadConstraint.
    pub spread: bool,
    /// Another container of the pod runs redis-server (sentinel as a sidecar).
    pub with_server: bool,
    /// Copies made by initContainers.
    pub init_copies: Vec<Copy>,
    /// Configs written by initContainers' scripts.
    pub init_written: Vec<WrittenConf>,
    /// The start scripts of the initContainers (they often pick the role for the main
    /// container: `echo "replicaof …" >> redis.conf`).
    pub init_scripts: Vec<(String, crate::syntax::yaml::Embedded)>,
    /// Scripts of ConfigMap keys the init containers run: (ConfigMap, key). What they
    /// write to a volume the pod shares is what its containers find there.
    pub init_script_keys: Vec<(String, String)>,
    /// The mounts of the init containers, where their scripts' `cp` sources are found.
    pub init_mounts: Vec<Mount>,
    /// Lines the init containers' own scripts append to files they copied first.
    pub init_appends: Vec<CopyDestination>,
    /// `spec.serviceName` of a StatefulSet: pods are `<name>-<i>.<serviceName>`.
    pub service_name: Option<String>,
    /// `hostNetwork: true`: the pod uses its node's addresses, loopback included.
    pub host_network: bool,
}

#[derive(Debug, Clone)]
pub struct Container {
    pub workload: String,
    /// `image:` and where it is written.
    pub image: Option<(String, Range<usize>)>,
    pub namespace: Option<String>,
    pub name_span: Range<usize>,
    pub replicas: usize,
    /// Where `spec.replicas` is written, when it is.
    pub replicas_span: Option<Range<usize>>,
    /// The processes it starts: its command's (several in branches of a start script,
    /// one of which runs), and its `postStart` hook's, which run beside.
    pub invocations: Vec<Invocation>,
    /// The first invocation is the official image's own `CMD` (no `command:`), which an
    /// image of the same name built in the tree replaces.
    pub image_default: bool,
    /// The first invocation is a bitnami image's own start, which writes the config
    /// from the container's environment (`REDIS_REPLICATION_MODE`, `REDIS_MASTER_HOST`).
    pub configured_by_env: bool,
    /// The start script, when the command is `sh -c "…"`, with its position mapping.
    pub script: Option<(String, crate::syntax::yaml::Embedded)>,
    /// The path of a script file the container runs (`sh /scripts/start.sh`,
    /// `/scripts/start.sh`), when its command runs no redis program itself.
    pub script_file: Option<String>,
    /// The arguments the container passes to `script_file`.
    pub script_args: Vec<String>,
    /// What its `postStart` hook runs besides a redis program: the path of a script
    /// file (`sh /scripts/init-replica.sh`), and whether its own words speak of
    /// replication (`redis-cli replicaof …`).
    pub hook_script: Option<String>,
    pub hook_replicates: bool,
    pub mounts: Vec<Mount>,
    pub probes: Vec<Probe>,
    /// Redis passwords written literally in the pod's containers (command lines,
    /// start scripts, `env` values); held by the pod's first container only.
    pub literal_passwords: Vec<Range<usize>>,
    /// Environment variable names (REDISCLI_AUTH, …).
    pub env: Vec<String>,
    /// Each `env` entry: name, literal `value:` (none for `valueFrom`), and the entry.
    pub env_vars: Vec<(String, Option<String>, Range<usize>)>,
    /// Environment variables taken from a Secret: (variable, secret, key).
    pub secret_env: Vec<(String, String, String)>,
    /// ConfigMaps the environment is read from (`envFrom[].configMapRef`,
    /// `env[].valueFrom.configMapKeyRef`).
    pub env_config_maps: Vec<String>,
    /// `env[].valueFrom.configMapKeyRef` entries: (variable, ConfigMap, key, the entry).
    pub config_map_env: Vec<(String, String, String, Range<usize>)>,
    /// `envFrom[]`: ConfigMaps whose keys all become variables, in order.
    pub env_from_config_maps: Vec<String>,
    /// `envFrom[].secretRef`: variables whose names the tree does not show.
    pub env_from_secret: bool,
    /// Environment variables the downward API sets to this container's own memory
    /// limit (`resourceFieldRef: {resource: limits.memory}`): name, the value (bytes over
    /// the divisor), and the entry.
    pub memory_limit_env: Vec<(String, u128, Range<usize>)>,
    /// `securityContext.readOnlyRootFilesystem: true` value.
    pub read_only_root: Option<Range<usize>>,
    /// `workingDir:`, when set (the official images work in `/data`).
    pub working_dir: Option<String>,
    /// `resources.limits.cpu` in millicores, and where it is written.
    pub cpu_limit: Option<(i64, Range<usize>)>,
    /// `resources.limits.memory` in bytes, and where it is written.
    pub memory_limit: Option<(u128, Range<usize>)>,
    /// `ports:` entries with a `hostPort`: (containerPort, hostPort, the entry). The
    /// port is open on every address of the node the pod runs on.
    pub host_ports: Vec<(i64, i64, Range<usize>)>,
    /// Copies made by the container's own start script.
    pub copies: Vec<Copy>,
    /// Configs the start script writes with a here-document (`cat > PATH <<EOF`), in file
    /// offsets. Each has a matching entry in `copies` whose source is `script_source()`.
    pub written: Vec<WrittenConf>,
    /// Lines the start script appends to a file it copied first: (destination as
    /// (volume, path inside it), the lines in file offsets).
    pub appended_after_copy: Vec<CopyDestination>,
    pub pod: PodFacts,
}

/// Where a script's copy lands, (volume, path inside it) as in `Copy::to`, with the
/// lines the script appends to it afterwards.
pub type CopyDestination = (
    (Option<String>, String),
    crate::syntax::redis_conf::ConfTree,
);

/// A config a container's start script writes from a here-document.
#[derive(Debug, Clone)]
pub struct WrittenConf {
    /// The (name, key) pair that identifies it, as `Copy::from` and `ConfFile::embedded_in`.
    pub source: (String, String),
    pub kind: FileKind,
    pub tree: crate::syntax::redis_conf::ConfTree,
}

/// How a script-written config is named among the ConfigMap keys: no ConfigMap has a
/// name with a colon, so the pair cannot collide with a real one.
fn script_source(workload: &str, container: &str, path: &str) -> (String, String) {
    (format!("script:{workload}/{container}"), path.to_string())
}

fn list_tokens<'a>(text: &str, node: Option<&'a Node>) -> Vec<(Token, Option<&'a Node>)> {
    let Some(node) = node else { return Vec::new() };
    match &node.kind {
        Kind::Seq(items) => items
            .iter()
            .filter_map(|i| {
                let value = i.as_str()?.to_string();
                Some((
                    Token {
                        value: value.into(),
                        range: i.span.clone(),
                        quoted: false,
                        owner: crate::source::FileId(0),
                        origin: crate::source::Origin::Literal,
                    },
                    Some(i),
                ))
            })
            .collect(),
        Kind::Scalar { .. } => {
            let Some(piece) = embedded(text, node) else {
                return Vec::new();
            };
            split_args(&piece.text, 0)
                .unwrap_or_default()
                .into_iter()
                .map(|mut t| {
                    t.range = piece.range_to_file(t.range.clone());
                    (t, None)
                })
                .collect()
        }
        Kind::Map(_) => Vec::new(),
    }
}

fn program(token: &str) -> Option<FileKind> {
    match token.rsplit('/').next().unwrap_or(token) {
        "redis-server" | "valkey-server" => Some(FileKind::RedisConf),
        "redis-sentinel" | "valkey-sentinel" => Some(FileKind::SentinelConf),
        _ => None,
    }
}

/// The script file a command runs: `sh PATH`, `bash -e PATH`, `PATH.sh`, or the last
/// such command of a `sh -c` script (`exec /scripts/start.sh`).
fn script_run(words: &[String], inline: Option<&str>) -> Option<String> {
    use crate::syntax::shell;
    let is_shell = |w: &str| matches!(shell::basename(w), "sh" | "bash" | "ash" | "dash");
    let of = |words: &[&str]| -> Option<String> {
        let first = *words.first()?;
        if is_shell(first) {
            if words.iter().any(|w| shell::is_command_flag(w)) {
                return None;
            }
            let path = words[1..].iter().find(|w| !w.starts_with('-'))?;
            return path.starts_with('/').then(|| path.to_string());
        }
        // `source /conf/start.sh`, `. /conf/start.sh`: read by the shell that runs it.
        if matches!(first, "source" | ".") {
            return words
                .get(1)
                .filter(|p| p.starts_with('/'))
                .map(|p| p.to_string());
        }
        (first.starts_with('/') && first.ends_with(".sh")).then(|| first.to_string())
    };
    if let Some(text) = inline {
        let script = shell::parse(text);
        return script.commands.iter().rev().find_map(|c| {
            let (i, _) = c.program()?;
            let words: Vec<&str> = c.words[i..].iter().map(|w| w.value.as_str()).collect();
            of(&words)
        });
    }
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    of(&words)
}

/// The invocation of a command line whose first word is a Redis program.
pub fn invocation_of(tokens: &[Token]) -> Option<Invocation> {
    program(&tokens.first()?.value)?;
    invocations(tokens).into_iter().next()
}

/// Invocations in a token list (a command line, or one line of a script).
fn invocations(tokens: &[Token]) -> Vec<Invocation> {
    let mut out = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let Some(mut kind) = program(&t.value) else {
            continue;
        };
        let rest: Vec<Token> = tokens[i + 1..]
            .iter()
            .take_while(|t| !matches!(t.value.as_str(), "&&" | "||" | ";" | "|" | "&"))
            .cloned()
            .collect();
        let config = rest
            .first()
            .filter(|t| !t.value.starts_with('-'))
            .map(|t| (t.value.to_string(), t.range.clone()));
        if rest.iter().any(|t| t.value == "--sentinel") {
            kind = FileKind::SentinelConf;
        }
        out.push(Invocation {
            from_hook: false,
            kind,
            config,
            args: rest,
        });
    }
    out
}

pub fn containers(text: &str, yaml: &YamlFile) -> Vec<Container> {
    let mut out = Vec::new();
    for doc in &yaml.documents {
        for object in objects(doc) {
            let kind = object.get_str("kind").unwrap_or_default();
            let (pod, replicas) = match kind {
                "StatefulSet"
                | "Deployment"
                | "ReplicaSet"
                | "ReplicationController"
                | "DaemonSet" => (
                    object.at("spec.template.spec"),
                    object
                        .at("spec.replicas")
                        .and_then(Node::as_i64)
                        .map_or(1, |n| n.clamp(0, 100) as usize),
                ),
                "Pod" => (object.get("spec"), 1),
                _ => continue,
            };
            let Some(pod) = pod else { continue };
            let workload = object
                .at("metadata.name")
                .and_then(Node::as_str)
                .unwrap_or(kind)
                .to_string();
            let namespace = object
                .at("metadata.namespace")
                .and_then(Node::as_str)
                .map(str::to_string);
            let volumes: Vec<&Node> = pod
                .get("volumes")
                .and_then(Node::as_seq)
                .map(|v| v.iter().collect())
                .unwrap_or_default();
            let mut facts = pod_facts(kind, object, pod);
            for init in pod
                .get("initContainers")
                .and_then(Node::as_seq)
                .unwrap_or_default()
            {
                let c = read_container(text, init, &workload, None, 0, &volumes, &facts);
                if let Some(key) = c.script_file.as_deref().and_then(|p| c.source_key(p)) {
                    facts.init_script_keys.push(key);
                    facts.init_mounts.extend(c.mounts.iter().cloned());
                }
                facts.init_copies.extend(c.copies);
                facts.init_written.extend(c.written);
                facts.init_appends.extend(c.appended_after_copy);
                facts.init_scripts.extend(c.script);
            }
            let mut read: Vec<Container> = pod
                .get("containers")
                .and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .map(|container| {
                    read_container(
                        text,
                        container,
                        &workload,
                        namespace.clone(),
                        replicas,
                        &volumes,
                        &facts,
                    )
                })
                .collect();
            let replicas_span = object.at("spec.replicas").map(|n| n.span.clone());
            let with_server = read.iter().any(|c| c.runs(FileKind::RedisConf));
            // The pod's literal passwords, told once (by its first container).
            if let Some(first) = read.first_mut() {
                first.literal_passwords =
                    crate::formats::kubernetes::pod_literal_passwords(text, pod);
            }
            for c in &mut read {
                c.replicas_span = replicas_span.clone();
                c.pod.with_server = with_server && !c.runs(FileKind::RedisConf);
            }
            out.extend(read);
        }
    }
    out
}

fn read_container(
    text: &str,
    c: &Node,
    workload: &str,
    namespace: Option<String>,
    replicas: usize,
    volumes: &[&Node],
    pod: &PodFacts,
) -> Container {
    let mut tokens: Vec<(Token, Option<&Node>)> = list_tokens(text, c.get("command"));
    tokens.extend(list_tokens(text, c.get("args")));
    let mut script = None;
    let mut found = Vec::new();
    let mut image_default = false;
    let mut configured_by_env = false;
    let is_shell = tokens
        .first()
        .is_some_and(|(t, _)| matches!(t.value.rsplit('/').next(), Some("sh" | "bash" | "ash")));
    if is_shell {
        if let Some(pos) = tokens
            .iter()
            .position(|(t, _)| crate::syntax::shell::is_command_flag(&t.value))
        {
            if let Some((_, Some(node))) = tokens.get(pos + 1) {
                if let Some(piece) = embedded(text, node) {
                    // A line ending in `\` goes on on the next one: one command.
                    let mut command: Vec<Token> = Vec::new();
                    for (start, line) in line_offsets(&piece.text) {
                        let (body, goes_on) = match line.trim_end().strip_suffix('\\') {
                            Some(body) => (body, true),
                            None => (line, false),
                        };
                        if let Ok(mut line_tokens) = split_args(body, start) {
                            for t in &mut line_tokens {
                                t.range = piece.range_to_file(t.range.clone());
                                t.origin = crate::source::Origin::Literal;
                            }
                            command.extend(line_tokens);
                        }
                        if !goes_on {
                            found.extend(invocations(&command));
                            command.clear();
                        }
                    }
                    found.extend(invocations(&command));
                    script = Some((piece.text.clone(), piece));
                }
            }
        }
    } else {
        let plain: Vec<Token> = tokens.iter().map(|(t, _)| t.clone()).collect();
        found = invocations(&plain);
        // `args:` alone on an official image: its entrypoint runs `redis-server` with
        // them when the first is an option or a `.conf` file; with neither `command`
        // nor `args`, the image's own `CMD ["redis-server"]` runs, on defaults.
        let official = c.get_str("image").is_some_and(|image| {
            crate::knowledge::images::image_ref(image)
                .is_some_and(|i| i.family == crate::knowledge::images::ImageFamily::Official)
        });
        let server_args = plain
            .first()
            .is_none_or(|t| t.value.starts_with("--") || t.value.ends_with(".conf"));
        if found.is_empty() && c.get("command").is_none() && official && server_args {
            image_default = true;
            let sentinel = plain.iter().any(|t| t.value == "--sentinel");
            found.push(Invocation {
                from_hook: false,
                kind: if sentinel {
                    FileKind::SentinelConf
                } else {
                    FileKind::RedisConf
                },
                config: plain
                    .first()
                    .filter(|t| !t.value.starts_with('-'))
                    .map(|t| (t.value.to_string(), t.range.clone())),
                args: plain,
            });
        }
        // A bitnami image on its own start: its scripts write the config from the
        // environment (read where the processes are linked), at a path of their own.
        let bitnami = c
            .get_str("image")
            .and_then(crate::knowledge::images::image_ref)
            .and_then(|i| match i.family {
                ImageFamily::BitnamiSentinel => Some((FileKind::SentinelConf, i.flavor)),
                ImageFamily::BitnamiServer => Some((FileKind::RedisConf, i.flavor)),
                _ => None,
            });
        if let (Some((kind, flavor)), true) = (bitnami, found.is_empty() && tokens.is_empty()) {
            configured_by_env = true;
            let image_at = c.get("image").map(|n| n.span.clone()).unwrap_or_default();
            found.push(Invocation {
                from_hook: false,
                kind,
                config: Some((bitnami_config_path(kind, flavor), image_at)),
                args: Vec::new(),
            });
        }
    }
    let (script_file, script_args) = if found.is_empty() {
        let plain: Vec<String> = tokens.iter().map(|(t, _)| t.value.to_string()).collect();
        let file = script_run(&plain, script.as_ref().map(|(text, _)| text.as_str()));
        // `[/opt/entrypoint.sh, sentinel]`: what follows the script is its arguments.
        let args = match (&file, &script) {
            (Some(f), None) => plain
                .iter()
                .position(|w| w == f)
                .map(|i| plain[i + 1..].to_vec())
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        (file, args)
    } else {
        (None, Vec::new())
    };
    // A process the container starts from its `postStart` hook (a sentinel beside the
    // server: `exec: {command: [redis-server, /etc/redis/sentinel.conf, --sentinel]}`).
    let hook: Vec<Token> = list_tokens(text, c.at("lifecycle.postStart.exec.command"))
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    let hook_words: Vec<String> = hook.iter().map(|t| t.value.to_string()).collect();
    let hook_script = script_run(&hook_words, None);
    let hook_replicates = hook_words.iter().any(|w| {
        let w = w.to_ascii_lowercase();
        w.contains("replicaof") || w.contains("slaveof")
    });
    found.extend(invocations(&hook).into_iter().map(|i| Invocation {
        from_hook: true,
        ..i
    }));
    let mounts: Vec<Mount> = c
        .get("volumeMounts")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|m| {
            let name = m.get_str("name")?;
            // A name not under `volumes:` is a volumeClaimTemplate of the StatefulSet.
            let volume = volumes.iter().find(|v| v.get_str("name") == Some(name));
            let modes = volume
                .and_then(|v| v.get("configMap").or_else(|| v.get("secret")))
                .map(file_modes);
            let (source, volume_span) = match volume {
                None => (VolumeSource::Claim(None), m.span.clone()),
                Some(volume) => {
                    if let Some(cm) = volume.get("configMap") {
                        (
                            VolumeSource::ConfigMap(
                                cm.get_str("name").unwrap_or_default().to_string(),
                            ),
                            cm.span.clone(),
                        )
                    } else if let Some(s) = volume.get("secret") {
                        (
                            VolumeSource::Secret(
                                s.get_str("secretName").unwrap_or_default().to_string(),
                            ),
                            s.span.clone(),
                        )
                    } else if volume.get("emptyDir").is_some() {
                        (VolumeSource::EmptyDir, volume.span.clone())
                    } else if let Some(claim) = volume.get("persistentVolumeClaim") {
                        let name = claim.get_str("claimName").map(str::to_string);
                        (VolumeSource::Claim(name), volume.span.clone())
                    } else {
                        (VolumeSource::Other, volume.span.clone())
                    }
                }
            };
            Some(Mount {
                volume: name.to_string(),
                path: m.get_str("mountPath")?.to_string(),
                sub_path: m.get_str("subPath").map(str::to_string),
                read_only: m
                    .get("readOnly")
                    .and_then(Node::as_bool_11)
                    .unwrap_or(false),
                source,
                span: m.span.clone(),
                volume_span,
                modes,
            })
        })
        .collect();
    let probes = ["livenessProbe", "readinessProbe", "startupProbe"]
        .iter()
        .filter_map(|p| {
            let probe = c.get(p)?;
            Some((*p, c.key_node(p)?, probe, probe.at("exec.command")?))
        })
        .map(|(kind, key, probe, cmd)| {
            let number =
                |k: &str, default: i64| probe.get(k).and_then(Node::as_i64).unwrap_or(default);
            let mut tokens: Vec<Token> = list_tokens(text, Some(cmd))
                .into_iter()
                .map(|(t, _)| t)
                .collect();
            // `sh -c "redis-cli ping"`: look inside the script too.
            if let Some(script) = tokens
                .get(2)
                .filter(|_| {
                    tokens
                        .get(1)
                        .is_some_and(|t| crate::syntax::shell::is_command_flag(&t.value))
                })
                .cloned()
            {
                if let Ok(inner) = split_args(&script.value, 0) {
                    tokens.extend(inner.into_iter().map(|mut t| {
                        t.range = script.range.clone();
                        t
                    }));
                }
            }
            Probe {
                kind,
                tokens,
                span: cmd.span.clone(),
                key_span: key.span.clone(),
                initial_delay: number("initialDelaySeconds", 0),
                period: number("periodSeconds", 10),
                failure_threshold: number("failureThreshold", 3),
            }
        })
        .collect();
    let env = c
        .get("env")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| e.get_str("name").map(str::to_string))
        .collect();
    let env_vars = c
        .get("env")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| {
            Some((
                e.get_str("name")?.to_string(),
                e.get_str("value").map(str::to_string),
                e.span.clone(),
            ))
        })
        .collect();
    let secret_env = c
        .get("env")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| {
            let r = e.at("valueFrom.secretKeyRef")?;
            Some((
                e.get_str("name")?.to_string(),
                r.get_str("name")?.to_string(),
                r.get_str("key")?.to_string(),
            ))
        })
        .collect();
    let config_map_env = c
        .get("env")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| {
            let r = e.at("valueFrom.configMapKeyRef")?;
            Some((
                e.get_str("name")?.to_string(),
                r.get_str("name")?.to_string(),
                r.get_str("key")?.to_string(),
                e.span.clone(),
            ))
        })
        .collect();
    let env_from = c.get("envFrom").and_then(Node::as_seq).unwrap_or_default();
    let env_from_config_maps = env_from
        .iter()
        .filter_map(|e| e.at("configMapRef.name").and_then(Node::as_str))
        .map(str::to_string)
        .collect();
    let env_from_secret = env_from.iter().any(|e| e.get("secretRef").is_some());
    let mut env_config_maps: Vec<String> = c
        .get("envFrom")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| e.at("configMapRef.name").and_then(Node::as_str))
        .chain(
            c.get("env")
                .and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(|e| {
                    e.at("valueFrom.configMapKeyRef.name")
                        .and_then(Node::as_str)
                }),
        )
        .map(str::to_string)
        .collect();
    env_config_maps.dedup();
    let memory_limit_env = c
        .get("env")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| {
            let r = e.at("valueFrom.resourceFieldRef")?;
            let own = r
                .get_str("containerName")
                .is_none_or(|n| Some(n) == c.get_str("name"));
            if r.get_str("resource") != Some("limits.memory") || !own {
                return None;
            }
            let limit = c
                .at("resources.limits.memory")
                .and_then(|n| crate::knowledge::values::parse_k8s_bytes(n.as_str()?))?;
            let divisor = match r.get("divisor") {
                Some(d) => crate::knowledge::values::parse_k8s_bytes(d.as_str()?)?,
                None => 1,
            };
            // The downward API rounds up to a whole number of divisors.
            let value = limit.checked_add(divisor.checked_sub(1)?)? / divisor.max(1);
            Some((e.get_str("name")?.to_string(), value, e.span.clone()))
        })
        .collect();
    let read_only_root = c
        .at("securityContext.readOnlyRootFilesystem")
        .filter(|n| n.as_bool_11() == Some(true))
        .map(|n| n.span.clone());
    let cpu_limit = c.at("resources.limits.cpu").and_then(|n| {
        Some((
            crate::knowledge::values::parse_millicores(n.as_str()?)?,
            n.span.clone(),
        ))
    });
    let memory_limit = c.at("resources.limits.memory").and_then(|n| {
        Some((
            crate::knowledge::values::parse_k8s_bytes(n.as_str()?)?,
            n.span.clone(),
        ))
    });
    let mut copies = script
        .as_ref()
        .map(|(text, piece)| find_copies(text, piece, &mounts))
        .unwrap_or_default();
    let name_span = c.get("name").map_or(c.span.clone(), |n| n.span.clone());
    let container_name = c.get_str("name").unwrap_or_default();
    let mut written = Vec::new();
    let mut appended_after_copy = Vec::new();
    if let Some((text, piece)) = &script {
        let (configs, appended) = crate::formats::script::written_and_appended(text);
        for (path, tree) in appended {
            let tree = crate::formats::kubernetes::remap(tree, piece);
            appended_after_copy.push((destination(&path, &mounts), tree));
        }
        for w in configs {
            let source = script_source(workload, container_name, &w.path);
            copies.push(Copy {
                from: Some(source.clone()),
                to: destination(&w.path, &mounts),
                guarded: w.guarded,
                span: piece.range_to_file(w.command),
            });
            written.push(WrittenConf {
                source,
                kind: w.kind,
                tree: crate::formats::kubernetes::remap(w.tree, piece),
            });
        }
    }
    Container {
        workload: workload.to_string(),
        image: c
            .get("image")
            .and_then(|n| Some((n.as_str()?.to_string(), n.span.clone()))),
        namespace,
        name_span,
        replicas,
        replicas_span: None,
        invocations: found,
        image_default,
        configured_by_env,
        script,
        script_file,
        script_args,
        hook_script,
        hook_replicates,
        mounts,
        probes,
        literal_passwords: Vec::new(),
        env,
        env_vars,
        memory_limit_env,
        secret_env,
        env_config_maps,
        config_map_env,
        env_from_config_maps,
        env_from_secret,
        read_only_root,
        working_dir: c.get_str("workingDir").map(str::to_string),
        cpu_limit,
        memory_limit,
        host_ports: c
            .get("ports")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|p| {
                let host = p.get("hostPort")?.as_i64()?;
                let inside = p
                    .get("containerPort")
                    .and_then(Node::as_i64)
                    .unwrap_or(host);
                Some((inside, host, p.span.clone()))
            })
            .collect(),
        copies,
        written,
        appended_after_copy,
        pod: pod.clone(),
    }
}

/// Where a path lands: (volume, path inside it), or the container layer.
fn destination(path: &str, mounts: &[Mount]) -> (Option<String>, String) {
    let mount = mounts
        .iter()
        .filter(|m| path.starts_with(&format!("{}/", m.path.trim_end_matches('/'))))
        .max_by_key(|m| m.path.len());
    match mount {
        Some(m) => (
            Some(m.volume.clone()),
            path[m.path.trim_end_matches('/').len()..].to_string(),
        ),
        None => (None, path.to_string()),
    }
}

/// Whether a scheduling term's `labelSelector` selects pods with `labels` (the pod's
/// own): every `matchLabels` entry and `matchExpressions` requirement holds. No selector
/// selects nothing; a template on either side may be anything.
fn selects_own(selector: Option<&Node>, labels: &[(String, String)]) -> bool {
    let Some(selector) = selector else {
        return false;
    };
    let templated = |v: &str| crate::knowledge::values::is_template(v) || v.contains("{{");
    if labels.iter().any(|(k, v)| templated(k) || templated(v)) {
        return true;
    }
    let label = |key: &str| {
        labels
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let match_labels = selector.get("matchLabels").is_none_or(|m| {
        m.entries().all(|(k, v)| match (k.as_str(), v.as_str()) {
            (Some(k), Some(v)) => templated(k) || templated(v) || label(k) == Some(v),
            _ => true,
        })
    });
    let expressions = selector
        .get("matchExpressions")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .all(|e| {
            let Some(key) = e.get_str("key") else {
                return true;
            };
            let values: Vec<&str> = e
                .get("values")
                .and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(Node::as_str)
                .collect();
            match e.get_str("operator") {
                Some("In") => {
                    values.iter().any(|v| templated(v))
                        || label(key).is_some_and(|l| values.contains(&l))
                }
                Some("Exists") => label(key).is_some(),
                Some("NotIn") => label(key).is_none_or(|l| !values.contains(&l)),
                Some("DoesNotExist") => label(key).is_none(),
                _ => true,
            }
        });
    match_labels && expressions
}

fn pod_facts(kind: &str, object: &Node, pod: &Node) -> PodFacts {
    let labels: Vec<(String, String)> = object
        .at("spec.template.metadata.labels")
        .or_else(|| object.at("metadata.labels"))
        .map(|l| {
            l.entries()
                .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    let adopts = match kind {
        "ReplicationController" => object.at("spec.selector"),
        "ReplicaSet" => object.at("spec.selector.matchLabels"),
        _ => None,
    }
    .map(|l| {
        l.entries()
            .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string())))
            .collect()
    })
    .unwrap_or_default();
    let parallel = object
        .at("spec.podManagementPolicy")
        .filter(|n| n.as_str() == Some("Parallel"))
        .map(|n| n.span.clone());
    // A term keeps the pods apart only when its selector selects them.
    let anti = pod
        .at("affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .any(|t| selects_own(t.get("labelSelector"), &labels));
    let spread = pod
        .get("topologySpreadConstraints")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .any(|t| {
            t.get_str("whenUnsatisfiable") == Some("DoNotSchedule")
                && selects_own(t.get("labelSelector"), &labels)
        });
    PodFacts {
        kind: kind.to_string(),
        name_span: object
            .at("metadata.name")
            .map_or(object.span.clone(), |n| n.span.clone()),
        labels,
        adopts,
        parallel,
        spread: anti || spread,
        with_server: false,
        init_copies: Vec::new(),
        init_written: Vec::new(),
        init_appends: Vec::new(),
        init_scripts: Vec::new(),
        init_script_keys: Vec::new(),
        init_mounts: Vec::new(),
        service_name: object
            .at("spec.serviceName")
            .and_then(Node::as_str)
            .map(str::to_string),
        host_network: pod.get("hostNetwork").and_then(Node::as_bool_11) == Some(true),
    }
}

/// `cp [-flags] SRC DST` lines of a script, and templates rendered into a file (`sed …
/// SRC > DST`, `envsubst < SRC > DST`), resolved against the container's mounts.
fn find_copies(text: &str, piece: &crate::syntax::yaml::Embedded, mounts: &[Mount]) -> Vec<Copy> {
    let assigned = crate::syntax::shell::assigned_values(text);
    let expand = |w: &str| crate::syntax::shell::expand_assigned(&assigned, w);
    // (source, destination, the command's line, no-clobber, after an `||`)
    let mut found: Vec<(String, String, std::ops::Range<usize>, bool, bool)> = Vec::new();
    for (start, line) in line_offsets(text) {
        let Ok(tokens) = split_args(line, start) else {
            continue;
        };
        for (i, t) in tokens.iter().enumerate() {
            if t.value != "cp" {
                continue;
            }
            let args: Vec<&Token> = tokens[i + 1..]
                .iter()
                .take_while(|t| !matches!(t.value.as_str(), "&&" | "||" | ";" | "|" | "&"))
                .collect();
            let no_clobber = args
                .iter()
                .any(|a| a.value == "-n" || a.value == "--no-clobber");
            let paths: Vec<&&Token> = args.iter().filter(|a| !a.value.starts_with('-')).collect();
            let [src, dst] = paths.as_slice() else {
                continue;
            };
            let after_or =
                line[..t.range.start.saturating_sub(start).min(line.len())].contains("||");
            found.push((
                src.value.to_string(),
                dst.value.to_string(),
                start..start + line.len(),
                no_clobber,
                after_or,
            ));
        }
    }
    if text.contains('>') {
        for command in &crate::syntax::shell::parse(text).commands {
            let Some((src, dst)) = command.rendered_copy() else {
                continue;
            };
            let from = command
                .words
                .first()
                .map_or(src.range.start, |w| w.range.start);
            let line_start = text[..from].rfind('\n').map_or(0, |i| i + 1);
            let after_or = text[line_start..from].contains("||");
            let value = |w: &crate::syntax::shell::Word| {
                if w.value.starts_with('$') {
                    expand(&w.value).unwrap_or(w.value.clone())
                } else {
                    w.value.clone()
                }
            };
            found.push((value(src), value(dst), from..dst.range.end, false, after_or));
        }
    }
    let mut out = Vec::new();
    for (src, dst, range, no_clobber, after_or) in found {
        let from = mounts.iter().find_map(|m| {
            let (VolumeSource::ConfigMap(n) | VolumeSource::Secret(n)) = &m.source else {
                return None;
            };
            let key = match &m.sub_path {
                Some(sub) if src == m.path => sub.clone(),
                Some(_) => return None,
                None => src
                    .strip_prefix(&format!("{}/", m.path.trim_end_matches('/')))?
                    .to_string(),
            };
            Some((n.clone(), key))
        });
        // `cp /config/* /work` (or `/config/.`): every key of the mount, each under its
        // own name; kept as one copy whose key and destination name are `*`.
        let every_key = from.as_ref().is_some_and(|(_, k)| k == "*" || k == ".");
        let src_name = if every_key {
            "*"
        } else {
            src.rsplit('/').next().unwrap_or_default()
        };
        let from = from.map(|(n, k)| (n, if every_key { "*".to_string() } else { k }));
        let last = dst
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default();
        let dst_path =
            if every_key || dst.ends_with('/') || (!last.contains('.') && last != src_name) {
                format!("{}/{src_name}", dst.trim_end_matches('/'))
            } else {
                dst.clone()
            };
        let to = destination(&dst_path, mounts);
        out.push(Copy {
            from,
            to,
            // `test -f DST || cp …`; a `|| true` after the copy guards nothing.
            guarded: crate::syntax::shell::tests_for_existing(text, &dst_path, &expand)
                || no_clobber
                || after_or,
            span: piece.range_to_file(range),
        });
    }
    out
}

/// (offset, line) of each line of a script.
fn line_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split('\n').map(move |line| {
        let start = offset;
        offset += line.len() + 1;
        (start, line)
    })
}

/// Where a bitnami image's scripts keep the config they write: the sentinel's under
/// its volume directory (`/bitnami/redis-sentinel`, kept across restarts only when a
/// volume is mounted there), the server's in the image (rewritten at every start).
pub fn bitnami_config_path(kind: FileKind, flavor: crate::knowledge::Flavor) -> String {
    let name = match flavor {
        crate::knowledge::Flavor::Valkey => "valkey",
        _ => "redis",
    };
    match kind {
        FileKind::SentinelConf => format!("/bitnami/{name}-sentinel/conf/sentinel.conf"),
        FileKind::RedisConf => format!("/opt/bitnami/{name}/etc/{name}.conf"),
    }
}

impl Container {
    /// The container as it runs an image built in the tree under an official image's
    /// name: not the official `CMD`, but what that image's start runs (found elsewhere).
    pub fn without_image_default(&self) -> Container {
        let hooks = self.invocations.iter().filter(|i| i.from_hook).cloned();
        Container {
            invocations: hooks.collect(),
            image_default: false,
            configured_by_env: false,
            ..self.clone()
        }
    }

    /// The ConfigMap or Secret key a path of the container reads: (name, key).
    pub fn mounted_key(&self, path: &str) -> Option<(String, String)> {
        key_in_mounts(&self.mounts, path)
    }

    /// Names pod `i` answers to: its pod name and, with a governing Service, its DNS names.
    pub fn pod_names(&self, i: usize) -> Vec<String> {
        let pod = format!("{}-{i}", self.workload).to_ascii_lowercase();
        let mut names = vec![pod.clone()];
        if let Some(svc) = &self.pod.service_name {
            let base = format!("{pod}.{}", svc.to_ascii_lowercase());
            names.push(base.clone());
            // Without a namespace of its own, the manifest goes where it is applied:
            // `default` unless told otherwise (a chart's `.Release.Namespace` too).
            let ns = self.namespace.as_deref().unwrap_or("default");
            {
                let ns = ns.to_ascii_lowercase();
                names.push(format!("{base}.{ns}"));
                names.push(format!("{base}.{ns}.svc"));
                names.push(format!("{base}.{ns}.svc.cluster.local"));
            }
        }
        names
    }

    pub fn runs(&self, kind: FileKind) -> bool {
        self.invocations.iter().any(|i| i.kind == kind)
    }

    /// The ConfigMap or Secret key a path of the container holds, mounted there or
    /// copied there (by the container's script or an initContainer): (name, key).
    pub fn source_key(&self, path: &str) -> Option<(String, String)> {
        match self.copy_for(path) {
            Some(copy) => copy.from,
            None => self.mounted_key(path),
        }
    }

    /// The copy (by this container or an initContainer) that produced `path`; a copy of
    /// every key of a mount (`cp /config/* /work`) gives the key of that name.
    pub fn copy_for(&self, path: &str) -> Option<Copy> {
        let exact = self.copy_to(path);
        if exact.is_some() {
            return exact.cloned();
        }
        let (dir, name) = path.rsplit_once('/')?;
        let mut every = self.copy_to(&format!("{dir}/*"))?.clone();
        if let Some((_, key)) = &mut every.from {
            if key != "*" {
                return None;
            }
            *key = name.to_string();
        }
        every.to.1 = format!("{}/{name}", every.to.1.rsplit_once('/')?.0);
        Some(every)
    }

    fn copy_to(&self, path: &str) -> Option<&Copy> {
        let mount = self.mount_for(path);
        let wanted = match mount {
            Some(m) => (
                Some(m.volume.clone()),
                path[m.path.trim_end_matches('/').len().min(path.len())..].to_string(),
            ),
            None => (None, path.to_string()),
        };
        self.copies
            .iter()
            .filter(|c| c.to.0.is_none() == wanted.0.is_none())
            .chain(self.pod.init_copies.iter().filter(|c| c.to.0.is_some()))
            .find(|c| c.to == wanted)
    }

    /// The mount that provides `path` (the deepest one).
    pub fn mount_for(&self, path: &str) -> Option<&Mount> {
        self.mounts
            .iter()
            .filter(|m| {
                path == m.path || path.starts_with(&format!("{}/", m.path.trim_end_matches('/')))
            })
            .max_by_key(|m| m.path.len())
    }
}

/// The ConfigMap or Secret key that `path` holds among `mounts`: mounted there, or
/// copied onto a shared volume by an earlier init container (`cp /config/* /work`),
/// which is what a later init container's script finds there.
pub fn key_in_mounts_or_copies(
    mounts: &[Mount],
    copies: &[Copy],
    path: &str,
) -> Option<(String, String)> {
    if let Some(key) = key_in_mounts(mounts, path) {
        return Some(key);
    }
    let mount = mounts
        .iter()
        .filter(|m| path.starts_with(&format!("{}/", m.path.trim_end_matches('/'))))
        .max_by_key(|m| m.path.len())?;
    let rest = &path[mount.path.trim_end_matches('/').len()..];
    let on_volume = |inside: &str| {
        copies
            .iter()
            .find(|c| c.to.0.as_deref() == Some(mount.volume.as_str()) && c.to.1 == inside)
    };
    if let Some(copy) = on_volume(rest) {
        return copy.from.clone();
    }
    // A copy of every key of a mount gives the key of that name.
    let (dir, name) = rest.rsplit_once('/')?;
    let (config_map, key) = on_volume(&format!("{dir}/*"))?.from.clone()?;
    (key == "*").then(|| (config_map, name.to_string()))
}

/// The ConfigMap or Secret key that `path` reads among `mounts` (the deepest mount that
/// holds the path): (name, key).
pub fn key_in_mounts(mounts: &[Mount], path: &str) -> Option<(String, String)> {
    let mount = mounts
        .iter()
        .filter(|m| {
            path == m.path || path.starts_with(&format!("{}/", m.path.trim_end_matches('/')))
        })
        .max_by_key(|m| m.path.len())?;
    let (VolumeSource::ConfigMap(name) | VolumeSource::Secret(name)) = &mount.source else {
        return None;
    };
    let key = match &mount.sub_path {
        Some(sub) => sub.clone(),
        None => path
            .strip_prefix(mount.path.trim_end_matches('/'))?
            .trim_start_matches('/')
            .to_string(),
    };
    // With `items`, a key is projected at its own path.
    let key = match &mount.modes {
        Some(modes) if !modes.items.is_empty() && mount.sub_path.is_none() => modes
            .items
            .iter()
            .find(|i| i.path == key)
            .map_or(key, |i| i.key.clone()),
        _ => key,
    };
    Some((name.clone(), key))
}

#[cfg(test)]
mod tests {
    use super::*;

    const POD: &str = r#"
kind: StatefulSet
metadata: {name: s}
spec:
  replicas: 3
  serviceName: svc
  podManagementPolicy: Parallel
  template:
    spec:
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution: []
      initContainers:
      - name: init
        command: [sh, -c, "cp /t/sentinel.conf /data/ || true"]
        volumeMounts:
        - {name: t, mountPath: /t}
        - {name: data, mountPath: /data}
      containers:
      - name: sentinel
        command: [redis-sentinel, /data/sentinel.conf]
        volumeMounts:
        - {name: data, mountPath: /data}
      volumes:
      - name: t
        configMap: {name: tmpl}
"#;

    #[test]
    fn init_container_copy_is_followed() {
        let yaml = crate::syntax::yaml::parse(POD);
        let c = containers(POD, &yaml).remove(0);
        let copy = c.copy_for("/data/sentinel.conf").expect("the copy");
        assert_eq!(
            copy.from,
            Some(("tmpl".to_string(), "sentinel.conf".to_string()))
        );
        assert!(!copy.guarded, "`|| true` after cp guards nothing");
        assert!(c.pod.parallel.is_some());
        assert!(!c.pod.spread, "preferred anti-affinity is no guarantee");
        let labels = vec![("app".to_string(), "s".to_string())];
        let sel = |text: &str| {
            let doc = crate::syntax::yaml::parse(text).documents.remove(0);
            selects_own(Some(&doc), &labels)
        };
        assert!(sel("matchLabels: {app: s}"));
        assert!(!sel("matchLabels: {app: r}"));
        assert!(sel(
            "matchExpressions: [{key: app, operator: In, values: [r, s]}]"
        ));
        assert!(!sel("matchExpressions: [{key: tier, operator: Exists}]"));
        assert!(sel("matchLabels: {app: '{{ .Release.Name }}'}"));
        assert!(!selects_own(None, &labels));
        assert_eq!(c.pod_names(1)[1], "s-1.svc");
    }
}
