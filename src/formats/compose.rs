//! docker-compose files: each service that runs redis-server / redis-sentinel (or a
//! Valkey binary) becomes a process whose configuration is the config file it mounts,
//! followed by its `--option value` arguments, exactly as Redis merges them.

use crate::facts::{ImageEnv, Runtime};
use crate::formats::conf::ConfFile;
use crate::formats::detect::FileKind;
use crate::knowledge::images::{image_ref, ImageFamily};
use crate::knowledge::Version;
use crate::source::{FileId, Origin, Span, Spanned};
use crate::syntax::redis_conf::{split_args, ConfLine, ConfTree, Token};
use crate::syntax::yaml::{embedded, Embedded, Kind, Node, Style, YamlFile};
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

/// A bind mount of a host path into the container.
#[derive(Debug, Clone)]
pub struct Mount {
    /// Host path, resolved against the compose file's directory.
    pub source: PathBuf,
    pub target: String,
    pub read_only: bool,
    /// The whole volume entry, for diagnostics.
    pub span: Range<usize>,
}

#[derive(Debug, Clone)]
pub struct Service {
    pub name: String,
    pub name_span: Range<usize>,
    pub kind: FileKind,
    /// Config path inside the container, as given on the command line.
    pub config: Option<(String, Range<usize>)>,
    /// `--option value` arguments as config lines (positions in the compose file).
    pub options: ConfFile,
    pub mounts: Vec<Mount>,
    /// Named volumes it mounts: (volume, path in the container, the entry). Every copy
    /// of the service on a host, and every service that names it, shares the volume.
    pub named_volumes: Vec<(String, String, Range<usize>)>,
    /// Host names the service is reachable by on the compose network.
    pub hostnames: Vec<String>,
    /// `container_name:`: unique on a Docker host, so two projects that name the same
    /// container describe one container, as alternatives.
    pub container_name: Option<String>,
    /// `deploy.replicas` / `scale`.
    pub replicas: usize,
    /// The number of processes is what the file says: no `deploy.mode: global`, no
    /// replica count that interpolation leaves unknown.
    pub replicas_known: bool,
    /// The project runs as a swarm stack (`docker stack deploy`, or `deploy:` keys only
    /// swarm reads, or an overlay network): a task that fails or moves is replaced by a
    /// new container, never restarted in place.
    pub swarm: bool,
    /// `image:` lower-cased (after interpolation).
    pub image: String,
    /// The image (or the official image a Dockerfile builds on) declares `VOLUME /data`:
    /// without a mount there, each container gets an anonymous volume.
    pub image_data_volume: bool,
    /// `working_dir:`, when set (the official images' default is `/data`).
    pub working_dir: Option<String>,
    /// The Dockerfile of `build:` (context joined with `dockerfile:`), when the image is
    /// built: its `FROM` is what runs.
    pub build: Option<PathBuf>,
    /// `build.args`, interpolated: the values of the Dockerfile's `ARG`s.
    pub build_args: Vec<(String, String)>,
    /// The config the process runs when the Dockerfile copies it into the image from a
    /// file of the tree (no mount provides it): that file's path.
    pub baked_config: Option<PathBuf>,
    /// A `sh -c` start script that runs the process: what it does to its config.
    pub start_script: Option<StartScript>,
    /// The line of a script file of the tree (mounted and run by the command) that
    /// writes the config afresh at every start: the file and the line's range.
    pub config_written_by_file: Option<(PathBuf, Range<usize>)>,
    /// The config that start script writes with a here-document and then runs (its
    /// lines at their place in the compose file).
    pub script_config: Option<crate::syntax::redis_conf::ConfTree>,
    /// The script builds `script_config` only by appending, from this command on.
    pub script_config_appended: Option<Range<usize>>,
    /// Lines the script appends to the config after copying its template there (at
    /// their place in the compose file).
    pub appended_after_template: Option<crate::syntax::redis_conf::ConfTree>,
    /// The entrypoint script of the tree (copied in by the Dockerfile) that starts the
    /// process, and the environment its `$VAR`s take: the script's own defaults
    /// (`: ${VAR:=value}`), the image's `ENV`, then the service's environment. A config
    /// the script writes (`echo … >> FILE`, a here-document) is the process's config.
    pub entrypoint_script: Option<(PathBuf, Vec<(String, String)>)>,
    /// Its start script runs the program in a way not followed here: what it sets is
    /// unknown.
    pub start_unfollowed: bool,
    /// The program word of its command line (`redis-sentinel`, `redis-server`), when the
    /// command names one itself.
    pub program_span: Option<Range<usize>>,
    /// Variables a start script writes into `$VAR` placeholders of the config: the
    /// image's `ENV`, then the service's environment.
    pub substitutions: Vec<(String, String)>,
    /// Where `image:` is written.
    pub image_span: Option<Range<usize>>,
    /// Where a new `environment:` entry can go: after this entry, on a line of its own,
    /// as a map entry (`true`) or a list item. `None` when there is no block-style
    /// `environment:` to extend.
    pub env_insert_after: Option<(Range<usize>, bool)>,
    /// For an image configured through environment variables: setting → variable.
    pub env_settings: Option<&'static [(&'static str, &'static str)]>,
    /// `environment:` and `env_file:` variables, interpolated.
    pub env: Vec<EnvVar>,
    /// `environment:` names without a value (`- ANNOUNCE_IP`): set in the container from
    /// the environment compose runs in, when that has them (a per-host `.env`).
    pub passed_through: Vec<String>,
    /// The CPU limit (`deploy.resources.limits.cpus`, else `cpus`) in millicores.
    pub cpu_limit: Option<(i64, Range<usize>)>,
    /// `deploy.resources.limits.memory` or `mem_limit`, in bytes, and where it is written.
    pub memory_limit: Option<(u128, Range<usize>)>,
    /// Names outside the project may resolve for it: an external network, `extra_hosts`,
    /// its own `dns` servers, or another container's or the host's network.
    pub resolves_outside: bool,
    /// `network_mode: host`: the container shares the host's addresses and ports.
    pub host_network: bool,
    /// `network_mode`, when set (`host`, `none`, `service:NAME`, `container:ID`).
    pub network_mode: Option<String>,
    /// The compose networks it joins (`default` when `networks:` is not written), and
    /// where they are listed.
    pub networks: Vec<String>,
    pub networks_span: Option<Range<usize>>,
    /// Static addresses it has on its networks (`ipv4_address`, `ipv6_address`).
    pub static_ips: Vec<String>,
    /// `restart:` policy and its span.
    pub restart: Option<(String, Range<usize>)>,
    /// `ports:` entries.
    pub ports: Vec<Port>,
    /// `depends_on:` entries: (service, condition, span of the entry).
    pub depends_on: Vec<(String, Option<String>, Range<usize>)>,
    /// The official image's entrypoint drops to the `redis` user (uid 999): no
    /// `entrypoint:` or `user:` override and the first argument is `redis-server`, a
    /// `*.conf` file or an option.
    pub runs_as_image_user: bool,
    /// `user:` names the image's own user (`redis`, `999`): the process runs as it from
    /// the start, not by the entrypoint's drop from root.
    pub user_is_image_user: bool,
    /// The bitnami images run as the non-root uid 1001 (no `user:` override).
    pub runs_as_bitnami_user: bool,
    /// For a config the Dockerfile copies into an official image whose entrypoint drops
    /// to its unprivileged user: the config's directory, when nothing in the Dockerfile
    /// lets that user create files there, and whether the file itself is left to root.
    pub baked_config_dir_locked: Option<(String, bool)>,
    /// The Dockerfile (its path) and the instruction that copies the baked config.
    pub baked_config_copy: Option<(PathBuf, Range<usize>)>,
    /// Byte ranges of secret values written in the compose file itself.
    pub secret_spans: Vec<Range<usize>>,
    /// `extends: {file: OTHER, service: NAME}` naming a service of another compose file,
    /// when this service has no `command` or `entrypoint` of its own: what that service
    /// runs, this one runs (see [`Service::extending`]).
    pub extends_other: Option<ExtendsOther>,
    /// For a service built from another file's service: where that service's start
    /// script is written (one place for every service that extends it).
    pub command_at: Option<Span>,
}

/// A service of another compose file that a service extends.
#[derive(Debug, Clone)]
pub struct ExtendsOther {
    /// The file as written, relative to the extending file's folder.
    pub file: String,
    pub service: String,
    /// The `extends:` entry.
    pub span: Range<usize>,
}

/// One environment variable of a service.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvVar {
    pub name: String,
    /// The value after interpolation; `None` when a variable is unresolved.
    pub value: Option<String>,
    /// The value in the compose file (or the whole entry when it comes from a file).
    pub span: Range<usize>,
    /// Written literally in the compose file (not `${…}`, not from an env file).
    pub literal: bool,
    /// From an env file: that file and the value's byte range in it, where the value is
    /// written (findings about it point there).
    pub from_file: Option<(PathBuf, Range<usize>)>,
    /// The file `span` is in, when not the file that declares the container (a
    /// Kubernetes ConfigMap the container reads the variable from).
    pub written_in: Option<FileId>,
}

/// A `ports:` entry.
#[derive(Debug, Clone)]
pub struct Port {
    /// Host interface, when one is given (`127.0.0.1:26379:26379`).
    pub host_ip: Option<String>,
    /// Published host port, when given.
    pub published: Option<String>,
    /// Container port.
    pub target: i64,
    pub span: Range<usize>,
}

#[derive(Debug, Clone)]
pub struct ComposeFile {
    pub services: Vec<Service>,
    /// Services that run no Redis process (applications, proxies): their environment
    /// and dependencies matter to cross-service rules.
    pub others: Vec<Service>,
    /// Other compose files its services extend (`extends: {file: …}`), as written.
    pub extends_files: Vec<String>,
}

/// A compose file run by `docker compose up` without `-f`: a project, even when other
/// files extend its services.
pub fn is_default_project_file(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
        matches!(
            n,
            "compose.yaml" | "compose.yml" | "docker-compose.yaml" | "docker-compose.yml"
        )
    })
}

/// A service that `extends` another service of the same file: that service's definition
/// with this one's laid over it (maps merged key by key, anything else replaced), as
/// compose builds it. `None` for a service that extends nothing here (a service of
/// another file is not read from here).
fn extended_service(services: &Node, service: &Node, own_name: &str, depth: usize) -> Option<Node> {
    let ext = service.get("extends")?;
    let base_name = ext.as_str().or_else(|| ext.get_str("service"))?;
    // `file:` naming this very file (`./docker-compose.yml`); the same name in another
    // folder is another file.
    if let Some(file) = ext.get_str("file") {
        if file.trim_start_matches("./") != own_name {
            return None;
        }
    }
    let base = services.get(base_name)?;
    let base = match depth < 5 {
        true => {
            extended_service(services, base, own_name, depth + 1).unwrap_or_else(|| base.clone())
        }
        false => base.clone(),
    };
    let mut merged = crate::syntax::yaml::layered(&base, service);
    crate::syntax::yaml::set_layer(&mut merged, 0);
    Some(merged)
}

/// `extends:` naming a service of another file, for a service with no command of its own.
fn extends_other(service: &Node, own_name: &str) -> Option<ExtendsOther> {
    let ext = service.get("extends")?;
    let file = ext.get_str("file")?;
    if file.trim_start_matches("./") == own_name
        || service.get("command").is_some()
        || service.get("entrypoint").is_some()
    {
        return None;
    }
    Some(ExtendsOther {
        file: file.to_string(),
        service: ext.get_str("service")?.to_string(),
        span: service
            .key_node("extends")
            .map_or(ext.span.clone(), |k| k.span.start..ext.span.end),
    })
}

impl Service {
    /// This service as compose builds it from `base`, the service of another file that it
    /// extends (and that runs a redis program): the base's process (program, config,
    /// start script, image, environment, mounts, restart policy) with this service's name,
    /// networks and ports laid over it, as compose merges them. Whatever the base writes
    /// is in the other file; here it is placed at this service's `extends:` entry. The
    /// configs the base's start script writes keep their own lines.
    pub fn extending(&self, base: &Service) -> Option<Service> {
        let at = self.extends_other.as_ref()?.span.clone();
        let mut merged = base.clone();
        merged.command_at = base
            .start_script
            .as_ref()
            .map(|start| Span::new(base.options.file, start.range.start, start.range.end));
        let moved = |_: &Range<usize>| at.clone();
        merged.name = self.name.clone();
        merged.name_span = self.name_span.clone();
        merged.config = base.config.as_ref().map(|(p, r)| (p.clone(), moved(r)));
        if let Some(start) = &mut merged.start_script {
            start.range = at.clone();
        }
        merged.program_span = base.program_span.as_ref().map(moved);
        merged.image_span = base.image_span.as_ref().map(moved);
        merged.env_insert_after = None;
        merged.script_config_appended = base.script_config_appended.as_ref().map(moved);
        for m in &mut merged.mounts {
            m.span = at.clone();
        }
        for v in &mut merged.named_volumes {
            v.2 = at.clone();
        }
        for e in &mut merged.env {
            e.span = at.clone();
            e.literal = false;
        }
        merged.cpu_limit = base.cpu_limit.as_ref().map(|(v, r)| (*v, moved(r)));
        merged.memory_limit = base.memory_limit.as_ref().map(|(v, r)| (*v, moved(r)));
        merged.restart = base.restart.as_ref().map(|(v, r)| (v.clone(), moved(r)));
        for p in &mut merged.ports {
            p.span = at.clone();
        }
        // What this service writes itself.
        merged.hostnames = self.hostnames.clone();
        merged.container_name = self.container_name.clone();
        merged.replicas = self.replicas;
        merged.replicas_known = self.replicas_known;
        merged.networks = self.networks.clone();
        merged.networks_span = self.networks_span.clone().or(Some(at.clone()));
        merged.static_ips = self.static_ips.clone();
        if self.network_mode.is_some() {
            merged.network_mode = self.network_mode.clone();
            merged.host_network = self.host_network;
        }
        merged.resolves_outside |= self.resolves_outside;
        merged.ports.extend(self.ports.iter().cloned());
        merged.mounts.extend(self.mounts.iter().cloned());
        merged
            .named_volumes
            .extend(self.named_volumes.iter().cloned());
        merged.env.extend(self.env.iter().cloned());
        merged.depends_on = self.depends_on.clone();
        if self.restart.is_some() {
            merged.restart = self.restart.clone();
        }
        if !self.image.is_empty() {
            merged.image = self.image.clone();
            merged.image_span = self.image_span.clone();
        }
        merged.secret_spans = self.secret_spans.clone();
        merged.extends_other = self.extends_other.clone();
        Some(merged)
    }
}

impl Service {
    pub fn env(&self, name: &str) -> Option<&EnvVar> {
        self.env.iter().rev().find(|e| e.name == name)
    }

    /// Settings written through the service's options that are in the compose file
    /// itself: not those at an `env_file:` entry (their values are in that file).
    pub fn option_secret_spans(&self) -> Vec<Span> {
        let from_files: Vec<&Range<usize>> = self
            .env
            .iter()
            .filter(|e| e.from_file.is_some())
            .map(|e| &e.span)
            .collect();
        self.options
            .secret_spans()
            .into_iter()
            .filter(|s| !from_files.contains(&&s.range()))
            .collect()
    }

    /// Is this service reachable under `host` on the compose network?
    pub fn answers_to(&self, host: &str) -> bool {
        self.hostnames.iter().any(|h| h.eq_ignore_ascii_case(host))
    }
}

/// A file of `KEY=VALUE` variables by its name: `.env`, `.env.prod`, `redis.env`.
pub fn is_env_file(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    name == ".env" || name.starts_with(".env.") || (name.ends_with(".env") && name.len() > 4)
}

/// The byte ranges of the values of an env file's password variables, and of any value
/// that passes a password as an option (`REDIS_ARGS=--requirepass …`): a finding shown
/// in the file quotes the lines around it.
pub fn env_file_secret_ranges(text: &str) -> Vec<Range<usize>> {
    parse_env_file_spanned(text)
        .into_iter()
        .filter(|(k, v, _)| {
            let lower = v.to_ascii_lowercase();
            !v.is_empty()
                && (crate::formats::units::is_password_variable(k)
                    || ["requirepass", "masterauth", "auth-pass", "sentinel-pass"]
                        .iter()
                        .any(|o| lower.contains(o)))
        })
        .map(|(_, _, r)| r)
        .collect()
}

/// The variables of an env file; when the repository holds only its example (`.env` is
/// usually ignored by git, with `.env.example` committed for `cp .env.example .env`), the
/// example's values, which are what a deployment from the repository starts with.
fn read_env_file(path: &Path) -> Option<Vec<(String, String)>> {
    read_env_file_spanned(path).map(|(_, vars)| vars.into_iter().map(|(k, v, _)| (k, v)).collect())
}

/// A variable of an env file: its name, its value and where the value is written.
pub type EnvFileVar = (String, String, Range<usize>);

/// [`read_env_file`], with the file actually read and each value's byte range in it.
fn read_env_file_spanned(path: &Path) -> Option<(PathBuf, Vec<EnvFileVar>)> {
    if let Ok(text) = std::fs::read_to_string(path) {
        return Some((path.to_path_buf(), parse_env_file_spanned(&text)));
    }
    let name = path.file_name()?.to_str()?;
    let stem = name.trim_start_matches('.');
    let examples = [
        format!("{name}.example"),
        format!("{name}.sample"),
        format!("{name}.dist"),
        format!("{name}.template"),
        format!("{name}-dist"),
        format!("{name}-example"),
        format!("{stem}.example"),
        format!("{stem}.sample"),
        format!("{stem}.dist"),
        format!("example.{stem}"),
        format!("sample.{stem}"),
    ];
    // An example's placeholders (`your_local_ip`, `<SERVER_IP>`, `changeme`) are for the
    // user to replace: unknown, not values.
    examples.iter().find_map(|e| {
        let example = path.with_file_name(e);
        let text = std::fs::read_to_string(&example).ok()?;
        let vars = parse_env_file_spanned(&text)
            .into_iter()
            .filter(|(_, v, _)| !is_placeholder(v))
            .collect();
        Some((example, vars))
    })
}

/// A value an example file leaves for the user to fill in.
fn is_placeholder(value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase();
    (v.starts_with('<') && v.ends_with('>'))
        || v.starts_with("your_")
        || v.starts_with("your-")
        || v.starts_with("your.")
        || [
            "changeme",
            "change_me",
            "change-me",
            "replace_me",
            "replace-me",
            "xxx",
        ]
        .iter()
        .any(|p| v.contains(p))
}

/// Variables of a `KEY=VALUE` env file (`.env`, `env_file:`); comments and blank lines
/// skipped, surrounding quotes removed.
pub fn parse_env_file(text: &str) -> Vec<(String, String)> {
    parse_env_file_spanned(text)
        .into_iter()
        .map(|(k, v, _)| (k, v))
        .collect()
}

/// [`parse_env_file`], with each value's byte range in `text` (quotes excluded).
pub fn parse_env_file_spanned(text: &str) -> Vec<EnvFileVar> {
    let mut out = Vec::new();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let v = v.trim();
        let v = if v.len() >= 2
            && ((v.starts_with('"') && v.ends_with('"'))
                || (v.starts_with('\'') && v.ends_with('\'')))
        {
            &v[1..v.len() - 1]
        } else {
            v.split(" #").next().unwrap_or(v).trim_end()
        };
        // `v` is a slice of `raw`: its place in the file.
        let at = start + (v.as_ptr() as usize - raw.as_ptr() as usize);
        out.push((k.trim().to_string(), v.to_string(), at..at + v.len()));
    }
    out
}

/// Compose interpolation: `$$`, `$VAR`, `${VAR}`, `${VAR:-d}`, `${VAR-d}`, `${VAR:?e}`,
/// `${VAR?e}`, `${VAR:+a}`, `${VAR+a}` against the `.env` variables. `None` when a
/// variable is unresolved (its value is unknown, never wrong).
pub fn interpolate(text: &str, vars: &[(String, String)]) -> Option<String> {
    if !text.contains('$') {
        return Some(text.to_string());
    }
    let lookup = |name: &str| vars.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v);
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(r) = after.strip_prefix('$') {
            out.push('$');
            rest = r;
        } else if let Some(body) = after.strip_prefix('{') {
            let end = closing_brace(body)?;
            let expr = &body[..end];
            rest = &body[end + 1..];
            let name_end = expr
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(expr.len());
            let (name, op) = expr.split_at(name_end);
            let value = lookup(name);
            // A default may itself be interpolated (`${HOST:-${MASTER_IP}}`).
            let default = |word: &str| interpolate(word, vars);
            let resolved = match op {
                "" => value.cloned(),
                _ if op.starts_with(":-") => match value.filter(|v| !v.is_empty()) {
                    Some(v) => Some(v.clone()),
                    None => default(&op[2..]),
                },
                _ if op.starts_with('-') => match value {
                    Some(v) => Some(v.clone()),
                    None => default(&op[1..]),
                },
                _ if op.starts_with(":?") => value.filter(|v| !v.is_empty()).cloned(),
                _ if op.starts_with('?') => value.cloned(),
                _ if op.starts_with(":+") => match value.filter(|v| !v.is_empty()) {
                    Some(_) => default(&op[2..]),
                    None => Some(String::new()),
                },
                _ if op.starts_with('+') => match value {
                    Some(_) => default(&op[1..]),
                    None => Some(String::new()),
                },
                _ => None,
            };
            out.push_str(&resolved?);
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            if end == 0 {
                out.push('$');
                rest = after;
                continue;
            }
            out.push_str(lookup(&after[..end])?);
            rest = &after[end..];
        }
    }
    out.push_str(rest);
    Some(out)
}

/// Where the `${` whose body starts `body` closes: its `}`, past the `${…}` nested in
/// a default.
fn closing_brace(body: &str) -> Option<usize> {
    let bytes = body.as_bytes();
    let mut depth = 1;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Compose interpolates the whole command before the shell runs it: the `$VAR` /
/// `${VAR:-default}` of lines a start script writes take the project's `.env` values.
/// Words with a variable compose does not know keep their text (a run-time value).
fn interpolate_tree(tree: &mut ConfTree, vars: &[(String, String)]) {
    for token in tree.lines.iter_mut().flat_map(|l| l.tokens.iter_mut()) {
        if !token.value.contains('$') {
            continue;
        }
        if let Some(value) = interpolate(&token.value, vars) {
            if *token.value != *value {
                token.value = value.into();
                token.origin = Origin::Implied;
            }
        }
    }
}

/// A value after interpolation; unresolved ones keep their `${…}` text, which every
/// consumer reads as a run-time value.
fn resolved(text: &str, vars: &[(String, String)]) -> String {
    interpolate(text, vars).unwrap_or_else(|| text.to_string())
}

/// A YAML document with a `services:` map of containers is a compose file.
pub fn read(file: FileId, path: &Path, text: &str, yaml: &YamlFile) -> Option<ComposeFile> {
    let doc = yaml.documents.first()?;
    // Version 1 files (no `services:`) list the services at the top level.
    let services = match doc.get("services") {
        Some(services) => services,
        None if is_v1_compose(doc) => doc,
        None => return None,
    };
    if !matches!(services.kind, Kind::Map(_)) || doc.get("kind").is_some() {
        return None;
    }
    let dir = project_dir(path.parent().unwrap_or(Path::new("")), services);
    let dir = dir.as_path();
    // Compose reads `.env` beside the file for interpolation (the shell's environment
    // would override it; a linter only sees the file).
    let vars = read_env_file(&dir.join(".env")).unwrap_or_default();
    // `image:` beside `build:` names the image built there; other services that use the
    // same image run that build.
    let mut built: Vec<(String, PathBuf)> = services
        .entries()
        .filter_map(|(_, service)| {
            let image = resolved(service.get_str("image")?, vars.as_slice()).to_ascii_lowercase();
            Some((image, build_dockerfile(dir, &vars, service)?))
        })
        .collect();
    // A Dockerfile the project builds with `build:` alone is not an image another service
    // pulls by name (`redislabs/redisinsight` beside a built sentinel): no name, no match.
    built.extend(
        services
            .entries()
            .filter(|(_, service)| service.get("image").is_none())
            .filter_map(|(_, service)| {
                Some((String::new(), build_dockerfile(dir, &vars, service)?))
            }),
    );
    let bound = bound_volumes(doc, dir, &vars);
    let mut out = Vec::new();
    let mut others = Vec::new();
    let own_name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let mut extends_files: Vec<String> = Vec::new();
    for (key, service) in services.entries() {
        let Some(name) = key.as_str() else { continue };
        if let Some(file) = service.at("extends.file").and_then(Node::as_str) {
            if !extends_files.iter().any(|f| f == file) {
                extends_files.push(file.to_string());
            }
        }
        let extended = extended_service(services, service, own_name, 0);
        let service = extended.as_ref().unwrap_or(service);
        let (s, runs_redis) = read_service(
            file,
            dir,
            text,
            &vars,
            &built,
            &bound,
            name,
            key.span.clone(),
            service,
        );
        let mut s = s;
        if extended.is_none() && !runs_redis {
            s.extends_other = extends_other(service, own_name);
        }
        if runs_redis {
            out.push(s);
        } else {
            others.push(s);
        }
    }
    // Swarm's `host` network, joined as an external network: the host's own addresses.
    let host_networks: Vec<&str> = doc
        .get("networks")
        .map(|n| {
            n.entries()
                .filter_map(|(key, def)| {
                    let key = key.as_str()?;
                    let external = def.get("external");
                    let named = def
                        .get_str("name")
                        .or_else(|| external.and_then(|e| e.get_str("name")))
                        .unwrap_or(key);
                    let is_external = external.is_some_and(|e| e.as_bool_11() != Some(false));
                    (named == "host" && is_external).then_some(key)
                })
                .collect()
        })
        .unwrap_or_default();
    // Networks created outside the project: their other members resolve too.
    let external_networks: Vec<&str> = doc
        .get("networks")
        .map(|n| {
            n.entries()
                .filter_map(|(key, def)| {
                    let external = def.get("external")?;
                    (external.as_bool_11() != Some(false)).then_some(key.as_str()?)
                })
                .collect()
        })
        .unwrap_or_default();
    // `links: [redis-master:master]`: the linking container reaches the target by the
    // alias too (`--slaveof master 6379`).
    let aliases: Vec<(String, String)> = services
        .entries()
        .flat_map(|(_, service)| {
            service
                .get("links")
                .and_then(Node::as_seq)
                .unwrap_or_default()
        })
        .filter_map(|l| {
            let (target, alias) = resolved(l.as_str()?, vars.as_slice())
                .split_once(':')
                .map(|(t, a)| (t.trim().to_ascii_lowercase(), a.trim().to_ascii_lowercase()))?;
            (!alias.is_empty() && target != alias).then_some((target, alias))
        })
        .collect();
    let swarm = runs_as_stack(doc, services);
    for s in out.iter_mut().chain(others.iter_mut()) {
        for (target, alias) in &aliases {
            if s.name.eq_ignore_ascii_case(target) && !s.hostnames.contains(alias) {
                s.hostnames.push(alias.clone());
            }
        }
        s.swarm = swarm;
        if s.networks
            .iter()
            .any(|n| external_networks.contains(&n.as_str()))
        {
            s.resolves_outside = true;
        }
        if s.network_mode.is_none()
            && s.networks
                .iter()
                .any(|n| host_networks.contains(&n.as_str()))
        {
            s.host_network = true;
            s.network_mode = Some("host".to_string());
        }
    }
    Some(ComposeFile {
        services: out,
        others,
        extends_files,
    })
}

/// Tokens of `command:` / `entrypoint:`: a string is split like a shell would (quotes),
/// a list gives one token per item; positions stay in the file.
fn command_tokens(text: &str, vars: &[(String, String)], node: Option<&Node>) -> Vec<Token> {
    let mut tokens = raw_command_tokens(text, vars, node);
    for t in &mut tokens {
        t.value = resolved(&t.value, vars).into();
    }
    tokens
}

fn raw_command_tokens(text: &str, vars: &[(String, String)], node: Option<&Node>) -> Vec<Token> {
    let Some(node) = node else { return Vec::new() };
    match &node.kind {
        Kind::Scalar { .. } => {
            let Some(piece) = embedded(text, node) else {
                return Vec::new();
            };
            // Compose interpolates the string before splitting it into words.
            let blanked = blank_unset_alternatives(&piece.text, vars);
            let Ok(tokens) = split_args(&blanked, 0) else {
                return Vec::new();
            };
            tokens
                .into_iter()
                .map(|mut t| {
                    t.range = piece.range_to_file(t.range.clone());
                    t
                })
                .collect()
        }
        Kind::Seq(items) => items
            .iter()
            .filter_map(|item| {
                let value = item.as_str()?.to_string();
                let quoted = matches!(
                    item.style(),
                    Some(Style::SingleQuoted | Style::DoubleQuoted)
                );
                Some(Token {
                    value: value.into(),
                    range: item.span.clone(),
                    quoted,
                    owner: FileId(0),
                    origin: Origin::Literal,
                })
            })
            .collect(),
        Kind::Map(_) => Vec::new(),
    }
}

/// `text` with each `${VAR:+words}` / `${VAR+words}` whose variable the `.env` does not
/// set opened up (the same length, so positions stay): the words inside are words of the
/// command when the variable is set where compose runs, and their `${VAR}` values stay
/// unknown, so nothing is concluded from a password that may be there.
fn blank_unset_alternatives(text: &str, vars: &[(String, String)]) -> String {
    let mut out = text.as_bytes().to_vec();
    let mut from = 0;
    while let Some(at) = text[from..].find("${").map(|i| i + from) {
        // `$${…}` is compose's escape of a `$` for the shell: the shell's to expand.
        let dollars_before = text[..at].bytes().rev().take_while(|&b| b == b'$').count();
        if dollars_before % 2 == 1 {
            from = at + 2;
            continue;
        }
        let body = &text[at + 2..];
        let name_end = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(body.len());
        let (name, op) = body.split_at(name_end);
        let alternative = op.starts_with(":+") || op.starts_with('+');
        // The closing brace, nested `${…}` skipped.
        let mut depth = 0usize;
        let close = body.bytes().position(|b| match b {
            b'{' => {
                depth += 1;
                false
            }
            b'}' if depth == 0 => true,
            b'}' => {
                depth -= 1;
                false
            }
            _ => false,
        });
        let set = vars
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .is_some_and(|(_, v)| !v.is_empty() || op.starts_with('+'));
        match close {
            Some(end) if alternative && !set && !name.is_empty() => {
                // The variable may be set where compose runs: keep the inner words (their
                // `${VAR}` values stay unknown), drop only `${VAR:+` and its `}`.
                let opener = 2 + name.len() + if op.starts_with(":+") { 2 } else { 1 };
                for b in &mut out[at..at + opener] {
                    *b = b' ';
                }
                out[at + 2 + end] = b' ';
                from = at + opener;
            }
            _ => from = at + 2,
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

/// The text of the command-line word at `range` (a `sh -c` script) with its offsets in
/// the file: a list item, or a word of a command string written as its value.
fn script_piece(text: &str, node: &Node, range: &Range<usize>) -> Option<Embedded> {
    match &node.kind {
        Kind::Seq(items) => items
            .iter()
            .find(|item| &item.span == range)
            .and_then(|item| embedded(text, item)),
        Kind::Scalar { .. } => {
            let piece = embedded(text, node)?;
            let token = split_args(&piece.text, 0)
                .ok()?
                .into_iter()
                .find(|t| &piece.range_to_file(t.range.clone()) == range)?;
            let raw = piece.text.get(token.range.clone())?;
            let inner = match raw.as_bytes() {
                [q @ (b'"' | b'\''), .., last] if raw.len() >= 2 && last == q => {
                    token.range.start + 1..token.range.end - 1
                }
                _ => token.range.clone(),
            };
            (piece.text.get(inner.clone())? == &*token.value).then(|| piece.slice(inner))
        }
        Kind::Map(_) => None,
    }
}

fn program_kind(token: &str) -> Option<FileKind> {
    let base = token.rsplit('/').next().unwrap_or(token);
    match base {
        "redis-server" | "valkey-server" => Some(FileKind::RedisConf),
        "redis-sentinel" | "valkey-sentinel" => Some(FileKind::SentinelConf),
        _ => None,
    }
}

/// Named volumes of the local driver that bind a host folder (`driver_opts: {type: none,
/// o: bind, device: ${PWD}/conf}`): the services that mount them see that folder.
fn bound_volumes(doc: &Node, dir: &Path, vars: &[(String, String)]) -> Vec<(String, PathBuf)> {
    let Some(volumes) = doc.get("volumes") else {
        return Vec::new();
    };
    volumes
        .entries()
        .filter_map(|(key, def)| {
            let opts = def.get("driver_opts")?;
            let binds = opts
                .get_str("o")
                .is_some_and(|o| o.split(',').any(|x| x.trim() == "bind"));
            if !binds {
                return None;
            }
            // `${PWD}`: the folder compose runs in, the project's.
            let device = opts
                .get_str("device")?
                .replace("${PWD}", ".")
                .replace("$PWD", ".");
            let device = resolved(&device, vars);
            if device.contains('$') {
                return None;
            }
            let path = if device.starts_with('/') {
                tree_copy_of(dir, &device).unwrap_or_else(|| PathBuf::from(&device))
            } else {
                normalize(&dir.join(&device))
            };
            Some((key.as_str()?.to_string(), path))
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn read_service(
    file: FileId,
    dir: &Path,
    text: &str,
    vars: &[(String, String)],
    built: &[(String, PathBuf)],
    bound: &[(String, PathBuf)],
    name: &str,
    name_span: Range<usize>,
    service: &Node,
) -> (Service, bool) {
    let image = resolved(service.get_str("image").unwrap_or_default(), vars).to_ascii_lowercase();
    let bitnami = bitnami_kind(&image);
    // The official images (`redis`, `library/redis`, `valkey/valkey`, any registry), not
    // an image whose name merely starts with "redis" (`redis_slave`, `redis-sentinel`).
    let official = image_ref(&image).is_some_and(|i| i.family == ImageFamily::Official);
    // Images that run redis-server when the command is empty, an option or a config file:
    // the official ones and redis-stack-server.
    let server_by_default = image_ref(&image)
        .is_some_and(|i| matches!(i.family, ImageFamily::Official | ImageFamily::RedisStack));
    let mut entrypoint = command_tokens(text, vars, service.get("entrypoint"));
    let mut command = command_tokens(text, vars, service.get("command"));
    // A built image runs its Dockerfile's ENTRYPOINT and CMD where compose sets none
    // (compose `entrypoint:` also drops the image's CMD). Their words are written in the
    // Dockerfile, not here: they point at `build:` and are never edited.
    // Where `COPY` sources are found: the service's build context (`context: ..` with a
    // `dockerfile:` below it), else the Dockerfile's folder.
    let own_context = build_dockerfile(dir, vars, service).and(build_context(dir, vars, service));
    let context_of = |dockerfile: &Path| -> PathBuf {
        own_context
            .clone()
            .unwrap_or_else(|| dockerfile.parent().unwrap_or(Path::new("")).to_path_buf())
    };
    let build = build_dockerfile(dir, vars, service)
        .or_else(|| {
            built
                .iter()
                .find(|(i, _)| !i.is_empty() && *i == image)
                .map(|(_, p)| p.clone())
        })
        .or_else(|| {
            let beside = normalize(&dir.join("Dockerfile"));
            let beside_built = built
                .iter()
                .any(|(i, p)| i.is_empty() && normalize(p) == beside);
            (image_ref(&image).is_none() && !image.is_empty()).then(|| {
                built_by_launch_files(dir, &image)
                    .or_else(|| image_folder(dir, &image, beside_built))
            })?
        });
    // The Dockerfile as this service builds it: its `build.args` over the `ARG` defaults.
    let docker = build
        .as_ref()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .map(|t| crate::formats::dockerfile::read_with_args(&t, &build_args(vars, service)));
    let build_span = service
        .get("build")
        .map_or(name_span.clone(), |b| b.span.clone());
    let implied = |words: &[String]| -> Vec<Token> {
        words
            .iter()
            .map(|w| Token {
                value: resolved(w, vars).into(),
                range: build_span.clone(),
                quoted: false,
                owner: FileId(0),
                origin: Origin::Implied,
            })
            .collect()
    };
    let mut official = official;
    let mut image_data_volume = official;
    if let Some(d) = &docker {
        let from_official = d
            .base
            .as_ref()
            .and_then(|(image, _)| image_ref(image))
            .is_some_and(|i| i.family == ImageFamily::Official);
        official = from_official && d.entrypoint.is_none();
        image_data_volume = from_official;
        if entrypoint.is_empty() {
            entrypoint = d.entrypoint.as_deref().map(implied).unwrap_or_default();
            if d.entrypoint_shell_form {
                // `sh -c "…"` takes no arguments: the service's command never runs.
                command.clear();
            } else if command.is_empty() {
                command = d.cmd.as_deref().map(implied).unwrap_or_default();
            }
        }
    }
    let env = environment(dir, text, vars, service);
    let passed_through = passed_through_env(service);
    let mut hostnames = vec![name.to_ascii_lowercase()];
    for key in ["container_name", "hostname"] {
        if let Some(h) = service.get_str(key) {
            hostnames.push(resolved(h, vars).to_ascii_lowercase());
        }
    }
    // `networks:` as a list of names or a map of name → options (aliases are more
    // names it answers to on that network).
    let mut static_ips = Vec::new();
    let networks: Vec<String> = match service.get("networks").map(|n| &n.kind) {
        Some(Kind::Seq(items)) => items
            .iter()
            .filter_map(|i| Some(resolved(i.as_str()?, vars)))
            .collect(),
        Some(Kind::Map(entries)) => entries
            .iter()
            .filter_map(|(k, v)| {
                for key in ["ipv4_address", "ipv6_address"] {
                    if let Some(ip) = v.get_str(key) {
                        static_ips.push(resolved(ip, vars));
                    }
                }
                for alias in v.get("aliases").and_then(Node::as_seq).unwrap_or_default() {
                    if let Some(a) = alias.as_str() {
                        hostnames.push(resolved(a, vars).to_ascii_lowercase());
                    }
                }
                Some(resolved(k.as_str()?, vars))
            })
            .collect(),
        _ => vec!["default".to_string()],
    };
    let count = service.at("deploy.replicas").or(service.get("scale"));
    let parsed = count.and_then(|n| resolved(n.as_str()?, vars).trim().parse::<i64>().ok());
    let replicas = parsed.map_or(1, |n| n.clamp(0, 100) as usize);
    // A range of host ports for one container port (`26379-26381:26379`) lets copies be
    // scaled at launch, but `up` alone starts one: a `--scale` of the tree (a script, a
    // Makefile, the README's instructions) says how many run.
    let replicas_known = (count.is_none() || parsed.is_some())
        && service.at("deploy.mode").and_then(Node::as_str) != Some("global");
    let mut mounts: Vec<Mount> = service
        .get("volumes")
        .and_then(Node::as_seq)
        .map(|items| items.iter().filter_map(|v| mount(dir, vars, v)).collect())
        .unwrap_or_default();
    let named_volumes: Vec<(String, String, Range<usize>)> = service
        .get("volumes")
        .and_then(Node::as_seq)
        .map(|items| items.iter().filter_map(|v| named_volume(vars, v)).collect())
        .unwrap_or_default();
    // A named volume that binds a host folder mounts that folder.
    for (volume, target, span) in &named_volumes {
        if let Some((_, source)) = bound.iter().find(|(name, _)| name == volume) {
            mounts.push(Mount {
                source: source.clone(),
                target: target.clone(),
                read_only: false,
                span: span.clone(),
            });
        }
    }
    let restart = service
        .get("restart")
        .or(service.at("deploy.restart_policy.condition"))
        .and_then(|n| Some((resolved(n.as_str()?, vars), n.span.clone())));
    let cpu_limit = service
        .at("deploy.resources.limits.cpus")
        .or(service.get("cpus"))
        .and_then(|n| {
            let m = crate::knowledge::values::parse_millicores(&resolved(n.as_str()?, vars))?;
            Some((m, n.span.clone()))
        });
    let memory_limit = service
        .at("deploy.resources.limits.memory")
        .or(service.get("mem_limit"))
        .and_then(|n| {
            let bytes = crate::knowledge::values::parse_docker_bytes(&resolved(n.as_str()?, vars))?;
            Some((bytes, n.span.clone()))
        });
    let ports = service
        .get("ports")
        .and_then(Node::as_seq)
        .map(|items| items.iter().filter_map(|p| port(vars, p)).collect())
        .unwrap_or_default();
    let depends_on = match service.get("depends_on").map(|n| &n.kind) {
        Some(Kind::Seq(items)) => items
            .iter()
            .filter_map(|i| Some((i.as_str()?.to_string(), None, i.span.clone())))
            .collect(),
        Some(Kind::Map(entries)) => entries
            .iter()
            .filter_map(|(k, v)| {
                Some((
                    k.as_str()?.to_string(),
                    v.get_str("condition").map(str::to_string),
                    k.span.start..v.span.end.max(k.span.end),
                ))
            })
            .collect(),
        _ => Vec::new(),
    };
    let secret_spans = env
        .iter()
        .filter(|e| e.literal && looks_secret_name(&e.name))
        .map(|e| e.span.clone())
        .collect();
    let mut out = Service {
        name: name.to_string(),
        name_span: name_span.clone(),
        kind: FileKind::RedisConf,
        config: None,
        options: ConfFile::from_tree(
            file,
            FileKind::RedisConf,
            ConfTree {
                lines: Vec::new(),
                errors: Vec::new(),
                rewrite_marker: None,
            },
        ),
        mounts,
        hostnames,
        container_name: service
            .get_str("container_name")
            .map(|n| resolved(n, vars).to_ascii_lowercase()),
        replicas,
        replicas_known,
        swarm: false,
        named_volumes,
        image,
        working_dir: service.get_str("working_dir").map(|w| resolved(w, vars)),
        build: build.clone(),
        build_args: build_args(vars, service),
        baked_config: None,
        script_config: None,
        script_config_appended: None,
        entrypoint_script: None,
        start_unfollowed: false,
        program_span: None,
        start_script: None,
        config_written_by_file: None,
        substitutions: Vec::new(),
        image_span: service.get("image").map(|n| n.span.clone()),
        env_insert_after: env_insert_point(text, service),
        env_settings: None,
        env,
        passed_through,
        cpu_limit,
        memory_limit,
        resolves_outside: ["extra_hosts", "dns", "network_mode", "external_links"]
            .iter()
            .any(|k| service.get(k).is_some()),
        host_network: service.get_str("network_mode") == Some("host"),
        network_mode: service.get_str("network_mode").map(|m| resolved(m, vars)),
        networks,
        networks_span: service.key_node("networks").map(|k| k.span.clone()),
        static_ips,
        restart,
        ports,
        depends_on,
        runs_as_image_user: false,
        user_is_image_user: service.get("user").is_some() && runs_as_image_user_or_root(service),
        image_data_volume,
        baked_config_dir_locked: None,
        baked_config_copy: None,
        appended_after_template: None,
        runs_as_bitnami_user: bitnami.is_some() && service.get("user").is_none(),
        secret_spans,
        extends_other: None,
        command_at: None,
    };
    if let Some(kind) = bitnami {
        if entrypoint.is_empty() && command.is_empty() {
            out.kind = kind;
            out.options = bitnami_conf(file, kind, text, &out.image, &out.env, &name_span);
            out.options.declared_by = Some(Span::new(file, name_span.start, name_span.end));
            out.env_settings = Some(match kind {
                FileKind::SentinelConf => BITNAMI_SENTINEL_VARS,
                FileKind::RedisConf => BITNAMI_SERVER_VARS,
            });
            return (out, true);
        }
    }
    let mut tokens = entrypoint.clone();
    tokens.extend(command);
    // An image built on an official one whose Dockerfile replaces the entrypoint script
    // (`COPY docker-entrypoint.sh /usr/local/bin/`) and keeps the ENTRYPOINT and CMD it
    // inherits: that script runs, given the image's `redis-server`.
    let replaced_entrypoint = docker.as_ref().is_some_and(|d| {
        d.entrypoint.is_none()
            && d.cmd.is_none()
            && d.base
                .as_ref()
                .and_then(|(image, _)| image_ref(image))
                .is_some_and(|i| i.family == ImageFamily::Official)
            && d.source_of("/usr/local/bin/docker-entrypoint.sh").is_some()
    });
    if tokens.is_empty() && replaced_entrypoint {
        tokens = implied(&[
            "docker-entrypoint.sh".to_string(),
            "redis-server".to_string(),
        ]);
    }
    // A `sh -c "…"` script that ends by running a server on options alone (`… && exec
    // redis-server --replicaof redis-master 6379`): that command is the service's.
    if let Some(words) = options_only_script(file, text, service, &tokens, &out) {
        tokens = words;
    }
    // `sh -c "…"` scripts are run-time logic: what they compute is unknown, but the
    // program they end up running, its config file and whether the script rewrites that
    // file at every start can be read.
    let command_string = tokens
        .first()
        .is_some_and(|t| matches!(t.value.rsplit('/').next(), Some("sh" | "bash" | "ash")))
        .then(|| {
            tokens
                .iter()
                .position(|t| crate::syntax::shell::is_command_flag(&t.value))
                .and_then(|i| tokens.get(i + 1))
        });
    if let Some(None) = command_string {
        // `sh /scripts/start.sh`: a script file, not a command string; mounted from the
        // tree, or else (below) copied into the image the service builds.
        let found = tokens
            .get(1)
            .is_some_and(|word| read_mounted_script(&mut out, word, &tokens[2..]));
        if found || docker.is_none() {
            return (out, found);
        }
    }
    if let Some(Some(script)) = command_string {
        // `cp … && /scripts/start.sh`: the mounted script's commands run where it is
        // named, after what the command string did first.
        let inlined = || read_inlined(&out, &script.value, &script.range);
        let Some((start, written)) = StartScript::read(&script.value, script.range.clone())
            .map(|s| (s, None))
            .or_else(inlined)
        else {
            return (out, false);
        };
        out.config_written_by_file = written;
        // The config it starts the process on, when the script writes it with a
        // here-document: read as a config, its lines at their place in this file.
        let nodes = [service.get("entrypoint"), service.get("command")];
        let piece = nodes
            .into_iter()
            .flatten()
            .find_map(|n| script_piece(text, n, &script.range));
        let exact = piece.as_ref().is_some_and(|p| p.text == *script.value);
        if !exact && start.template.is_some() {
            // A script whose text is not the file's (escapes of a quoted YAML string):
            // appended lines are known, their places only as the whole script.
            // Positions do not matter here: one command per line, so that each echo of a
            // chain is a line of its own.
            let lines = script.value.replace("&&", "\n").replace(';', "\n");
            let (_, appended) = crate::formats::script::written_and_appended(&lines);
            out.appended_after_template = appended
                .into_iter()
                .rfind(|(path, _)| *path == start.config)
                .map(|(_, mut tree)| {
                    tree.set_owner(file);
                    for line in &mut tree.lines {
                        line.range = script.range.clone();
                        for token in &mut line.tokens {
                            token.range = script.range.clone();
                            token.origin = Origin::Implied;
                        }
                    }
                    tree
                });
        }
        if let Some(piece) = piece {
            let (written, appended) = crate::formats::script::written_and_appended(&piece.text);
            // `cp TEMPLATE FILE && echo … >> FILE`: the lines go after the template's.
            if exact {
                out.appended_after_template = appended
                    .into_iter()
                    .rfind(|(path, _)| *path == start.config && start.template.is_some())
                    .map(|(_, tree)| {
                        let mut tree = crate::formats::kubernetes::remap(tree, &piece);
                        tree.set_owner(file);
                        tree
                    });
            }
            // The program it starts says how the file is read, whatever its lines look
            // like (a sentinel config folded into one `port …` line is still Sentinel's).
            let written = written.into_iter().rfind(|w| w.path == start.config);
            out.script_config_appended = written
                .as_ref()
                .and_then(|w| w.appended.clone())
                .map(|r| piece.range_to_file(r));
            out.script_config = written.map(|w| {
                // Its lines are this file's (read from the script's text alone).
                let mut tree = crate::formats::kubernetes::remap(w.tree, &piece);
                tree.set_owner(file);
                interpolate_tree(&mut tree, vars);
                tree
            });
        }
        if let Some(tree) = &mut out.appended_after_template {
            interpolate_tree(tree, vars);
        }
        if start.template.is_some() && start.substitutes_env {
            out.substitutions = out
                .env
                .iter()
                .filter_map(|e| Some((e.name.clone(), e.value.clone()?)))
                .collect();
        }
        out.kind = start.kind;
        out.config = Some((start.config.clone(), script.range.clone()));
        out.start_script = Some(start);
        return (out, true);
    }
    // An entrypoint script mounted from the tree (`entrypoint: /scripts/start.sh`).
    if tokens
        .first()
        .is_some_and(|first| program_kind(&first.value).is_none() && first.value.starts_with('/'))
        && read_mounted_script(&mut out, &tokens[0], &tokens[1..])
    {
        return (out, true);
    }
    // An entrypoint script that the Dockerfile copies from the build context: read it as
    // a start script.
    let launched = docker
        .as_ref()
        .zip(build.as_ref())
        .map_or(0, |(d, b)| wrapper_words(&tokens, d, &context_of(b)));
    if let (Some(first), Some(d), Some(dockerfile)) = (tokens.get(launched), &docker, &build) {
        if program_kind(&first.value).is_none() {
            let name = first.value.rsplit('/').next().unwrap_or_default();
            // An absolute path, a name found on the PATH, or (as written relative to the
            // working directory) any copy that lands under that name.
            let on_path = [
                "/usr/local/bin",
                "/usr/bin",
                "/bin",
                "/usr/local/sbin",
                "/usr/sbin",
            ];
            let source = if first.value.starts_with('/') {
                d.source_of(&first.value)
            } else if !first.value.contains('/') {
                on_path
                    .iter()
                    .find_map(|dir| d.source_of(&format!("{dir}/{name}")))
            } else {
                None
            }
            .or_else(|| {
                d.copies.iter().find_map(|(src, dest, _)| {
                    let lands = if dest.ends_with('/') {
                        format!("{dest}{}", src.rsplit('/').next().unwrap_or_default())
                    } else {
                        dest.clone()
                    };
                    (lands == first.value || lands.rsplit('/').next() == Some(name))
                        .then(|| src.clone())
                })
            });
            let context = context_of(dockerfile);
            let script_path = source.map(|src| normalize(&context.join(src)));
            // A script that dispatches on its first argument runs the branch of the
            // argument this service passes.
            let original = script_path
                .as_ref()
                .and_then(|p| std::fs::read_to_string(p).ok());
            // It runs the branch of the argument this service passes, or else of the
            // role its environment gives (`case "$ROLE" in sentinel) …`).
            let script = original.clone().map(|text| {
                let by_argument = tokens.get(launched + 1).and_then(|arg| {
                    crate::formats::argument_dispatch::select_branch(&text, &arg.value)
                });
                // The service's environment first, then the script's own defaults
                // (`ROLE=${ROLE:-undefined}`).
                let env: Vec<(String, String)> = out
                    .env
                    .iter()
                    .filter_map(|e| Some((e.name.clone(), e.value.clone()?)))
                    .chain(crate::formats::script::defaults(&text))
                    .collect();
                by_argument
                    .or_else(|| {
                        env.iter().find_map(|(name, value)| {
                            crate::formats::argument_dispatch::select_branch_on(&text, name, value)
                        })
                    })
                    .unwrap_or(text)
            });
            if let (Some(path), Some(text)) = (&script_path, &script) {
                let env = crate::formats::script::defaults(text)
                    .into_iter()
                    .chain(d.env.iter().map(|(k, v, _)| (k.clone(), v.clone())))
                    .chain(
                        out.env
                            .iter()
                            .filter_map(|e| Some((e.name.clone(), e.value.clone()?))),
                    )
                    .collect();
                out.entrypoint_script = Some((path.clone(), env));
            }
            if let Some(start) = script
                .as_deref()
                .and_then(|t| StartScript::read(t, build_span.clone()))
            {
                out.kind = start.kind;
                out.config = Some((start.config.clone(), build_span.clone()));
                if start.substitutes_env || start.template.is_some() {
                    out.substitutions = d
                        .env
                        .iter()
                        .map(|(k, v, _)| (k.clone(), v.clone()))
                        .chain(
                            out.env
                                .iter()
                                .filter_map(|e| Some((e.name.clone(), e.value.clone()?))),
                        )
                        .collect();
                }
                // The config the image holds, or the template the script renders into it.
                let template = start
                    .template
                    .as_ref()
                    .and_then(|t| interpolate(t, &out.substitutions));
                if let Some(source) = d
                    .source_of(&start.config)
                    .or_else(|| template.as_ref().and_then(|t| d.source_of(t)))
                {
                    out.baked_config = Some(normalize(&context.join(source)));
                }
                if !start.substitutes_env {
                    out.substitutions.clear();
                }
                // `exec docker-entrypoint.sh redis-server …`: the image's entrypoint drops
                // to its user as it would by itself.
                let drops = start.via_image_entrypoint
                    && from_official_base(d)
                    && runs_as_image_user_or_root(service);
                if out.baked_config.is_some() {
                    out.baked_config_dir_locked = locked_dir(d, &start.config, drops);
                    out.baked_config_copy = d
                        .copy_instruction_of(&start.config)
                        .map(|r| (dockerfile.clone(), r));
                }
                // Branches are blanked line for line: the line that writes the config
                // is that line of the file.
                if start.rewrites_config {
                    out.config_written_by_file = script_path
                        .clone()
                        .zip(start.write_line)
                        .and_then(|(p, l)| Some((p, line_range(original.as_deref()?, l)?)));
                }
                out.start_script = Some(start);
                return (out, true);
            }
            // `exec redis-server "$@"`: the script runs the server on the service's
            // command, as if the command followed the program.
            if let Some(program) = script.as_deref().and_then(forwarded_program) {
                let rest = tokens.split_off((launched + 1).min(tokens.len()));
                tokens = implied(&[program.to_string()]);
                tokens.extend(rest);
            } else if let Some(kind) = script.as_deref().and_then(server_in_script) {
                out.kind = kind;
                out.start_unfollowed = true;
                return (out, true);
            }
            // The image's own entrypoint script, read: when it starts nothing for this
            // service (its role's branch only reports an error), no Redis runs, unless
            // it hands over to the image's command (`exec "$@"`).
            if replaced_entrypoint && script.as_deref().is_some_and(|t| !t.contains("$@")) {
                return (out, false);
            }
        }
    }
    let program = tokens.iter().position(|t| program_kind(&t.value).is_some());
    let (mut kind, args): (FileKind, Vec<Token>) = match program {
        Some(i) => (
            program_kind(&tokens[i].value).unwrap(),
            tokens[i + 1..].to_vec(),
        ),
        // The official images run redis-server when the command starts with an option or
        // a config file, and when there is no command at all.
        None if (official || (server_by_default && docker.is_none()))
            && (tokens.is_empty()
                || tokens[0].value.starts_with('-')
                || tokens[0].value.ends_with(".conf")) =>
        {
            (FileKind::RedisConf, tokens.clone())
        }
        // `/conf/sentinel.conf --sentinel` on an image derived from the official one
        // (its entrypoint puts redis-server in front): no other program reads that.
        None if docker.is_none()
            && entrypoint.is_empty()
            && tokens.len() >= 2
            && tokens[0].value.ends_with(".conf")
            && tokens[1..].iter().any(|t| t.value == "--sentinel") =>
        {
            (FileKind::RedisConf, tokens.clone())
        }
        None => return (out, false),
    };
    // docker-entrypoint.sh: `gosu redis` only when the first argument is redis-server
    // (or valkey-server), a `*.conf` file or an option, and the container runs as root.
    out.runs_as_image_user = official
        && entrypoint.is_empty()
        && runs_as_image_user_or_root(service)
        && tokens.first().is_none_or(|t| {
            matches!(t.value.as_str(), "redis-server" | "valkey-server")
                || t.value.starts_with('-')
                || t.value.ends_with(".conf")
        });
    let mut config = args
        .first()
        .filter(|t| !t.value.starts_with('-'))
        .map(|t| (t.value.to_string(), t.range.clone()));
    // redis-stack's entrypoint runs `redis-server [/redis-stack.conf] … ${REDIS_ARGS}`:
    // the config mounted at that path, and the options of that variable.
    let stack_args;
    let mut option_args = &args[usize::from(config.is_some())..];
    let stack = image_ref(&out.image).is_some_and(|i| i.family == ImageFamily::RedisStack);
    if stack && tokens.is_empty() {
        config = out
            .mounts
            .iter()
            .find(|m| m.target == "/redis-stack.conf")
            .map(|m| (m.target.clone(), m.span.clone()));
        stack_args = out
            .env
            .iter()
            .rfind(|e| e.name == "REDIS_ARGS")
            .map(|e| {
                // An unset variable in it stays a run-time value.
                let raw = text.get(e.span.clone()).unwrap_or_default();
                let raw = raw.trim_matches(['"', '\'']);
                env_words(text, file, e, e.value.as_deref().unwrap_or(raw))
            })
            .unwrap_or_default();
        option_args = &stack_args;
    }
    if option_args.iter().any(|t| t.value == "--sentinel") {
        kind = FileKind::SentinelConf;
    }
    out.kind = kind;
    // An image built by hand (no `build:`, a tag of its own such as
    // `redis:my-redis-1.0`): the Dockerfile beside the compose file builds it when it
    // copies in exactly the config the service runs.
    let (docker, build) = match (&docker, &build, &config) {
        (None, None, Some((path, _))) if !out.image.is_empty() => {
            let beside = dir.join("Dockerfile");
            match std::fs::read_to_string(&beside)
                .ok()
                .map(|t| crate::formats::dockerfile::read(&t))
            {
                Some(d) if d.source_of(path).is_some() => {
                    out.build = Some(beside.clone());
                    (Some(d), Some(beside))
                }
                _ => (docker, build),
            }
        }
        _ => (docker, build),
    };
    // A config no mount provides, copied into the image by its Dockerfile.
    if let (Some((path, _)), Some(d), Some(dockerfile)) = (&config, &docker, &build) {
        let mounted = out.mounts.iter().any(|m| {
            let t = m.target.trim_end_matches('/');
            path == t || path.starts_with(&format!("{t}/"))
        });
        if !mounted {
            if let Some(source) = d.source_of(path) {
                let context = context_of(dockerfile);
                out.baked_config = Some(normalize(&context.join(source)));
                out.baked_config_dir_locked = locked_dir(d, path, out.runs_as_image_user);
                out.baked_config_copy =
                    d.copy_instruction_of(path).map(|r| (dockerfile.clone(), r));
            }
        }
    }
    // Only a command line that starts with the program: a wrapper before it (an
    // entrypoint script not read here) may give it a config.
    out.program_span = program
        .filter(|&i| i == 0 && build.is_none())
        .map(|i| tokens[i].range.clone());
    out.config = config;
    out.options = options_conf(file, kind, option_args, text);
    out.options.follows_file = out.config.is_some();
    out.options.declared_by = Some(Span::new(file, name_span.start, name_span.end));
    (out, true)
}

/// The words of an environment variable's value (`REDIS_ARGS`, `REDIS_EXTRA_FLAGS`):
/// arguments spelled at their places when the value is written there as it is, else
/// each at the whole entry, implied. Never config lines.
fn env_words(text: &str, file: FileId, e: &EnvVar, value: &str) -> Vec<Token> {
    let exact = e.literal && spelled(text, &e.span, value);
    let base = e.span.start
        + usize::from(
            text.get(e.span.clone())
                .is_some_and(|r| r.starts_with(['"', '\''])),
        );
    split_args(value, 0)
        .unwrap_or_default()
        .into_iter()
        .map(|mut t| {
            if exact {
                t.range = base + t.range.start..base + t.range.end;
                t.origin = Origin::Literal;
            } else {
                t.range = e.span.clone();
                t.origin = Origin::Implied;
            }
            t.owner = file;
            t
        })
        .collect()
}

/// `script` with each script file of the tree it runs (a bind mount puts it at the path
/// named) replaced by that file's text, so that what the command string did first and
/// what the file does next are read as one script. A file may run another in turn
/// (`cp /base/start.sh /data/start.sh && exec sh /data/start.sh`: the copy's source is
/// read), a few levels deep. `None` when it runs no such file.
fn inline_mounted_scripts(service: &Service, script: &str) -> Option<(String, Vec<PathBuf>)> {
    let mut text = script.to_string();
    let mut files = Vec::new();
    for _ in 0..3 {
        let Some(next) = inline_once(service, &text, &mut files) else {
            break;
        };
        // Scripts that run each other many times over read as one bounded text.
        if next.len() > MAX_INLINED {
            break;
        }
        text = next;
    }
    (!files.is_empty()).then_some((text, files))
}

/// A line of a file of the tree: the file, and the line's byte range.
type FileLine = (PathBuf, Range<usize>);

/// The command a `sh -c` script of the service ends by running, when it is a Redis
/// server started on options alone (no config file, which [`StartScript`] follows): its
/// words as tokens of the compose file. `${VAR:+--masterauth $VAR}` stands for its
/// words when the service's environment lists `VAR` (or the script sets it).
fn options_only_script(
    file: FileId,
    text: &str,
    service: &Node,
    tokens: &[Token],
    out: &Service,
) -> Option<Vec<Token>> {
    let shell = tokens
        .first()
        .is_some_and(|t| matches!(t.value.rsplit('/').next(), Some("sh" | "bash" | "ash")));
    if !shell {
        return None;
    }
    let flag = tokens
        .iter()
        .position(|t| crate::syntax::shell::is_command_flag(&t.value))?;
    let script = tokens.get(flag + 1)?;
    if StartScript::read(&script.value, script.range.clone()).is_some()
        || read_inlined(out, &script.value, &script.range).is_some()
    {
        return None;
    }
    let piece = [service.get("entrypoint"), service.get("command")]
        .into_iter()
        .flatten()
        .find_map(|n| script_piece(text, n, &script.range));
    let exact = piece.as_ref().filter(|p| p.text == *script.value);
    let read = match exact {
        Some(p) => crate::formats::script::read_embedded(file, p),
        None => crate::formats::script::read(file, &std::sync::Arc::from(script.value.as_str())),
    };
    // The server the script runs last, in the foreground.
    let command = read.commands.iter().rev().find(|c| !c.background)?;
    if command.cmdline.config.is_some() || command.cmdline.is_query() {
        return None;
    }
    let set = |name: &str| {
        out.env.iter().any(|e| e.name == name)
            || out.passed_through.iter().any(|n| n == name)
            || script.value.contains(&format!("{name}="))
    };
    let token = |value: &str, at: &Spanned<String>| Token {
        value: value.into(),
        range: match exact {
            Some(_) => at.span.start as usize..at.span.end as usize,
            None => script.range.clone(),
        },
        quoted: false,
        owner: file,
        origin: match exact {
            Some(_) if value == at.value => at.origin,
            _ => Origin::Implied,
        },
    };
    let program = &command.cmdline.program;
    let mut words = vec![token(
        program.value.rsplit('/').next().unwrap_or_default(),
        program,
    )];
    for arg in &command.args {
        // `${VAR:+words}`: the words, when `VAR` is set.
        let conditional = arg
            .value
            .strip_prefix("${")
            .and_then(|r| r.strip_suffix('}'))
            .and_then(|r| r.split_once('+'))
            .map(|(name, words)| (name.trim_end_matches(':'), words));
        match conditional {
            Some((name, inner))
                if crate::syntax::shell::variable_name(&format!("${name}")).is_some() =>
            {
                if set(name) {
                    words.extend(inner.split_whitespace().map(|w| token(w, arg)));
                }
            }
            _ => words.push(token(&arg.value, arg)),
        }
    }
    Some(words)
}

/// `script` read with the script files it runs inlined (see [`inline_mounted_scripts`]),
/// with the file and line that write its config afresh when one of those files does.
fn read_inlined(
    service: &Service,
    script: &str,
    range: &Range<usize>,
) -> Option<(StartScript, Option<FileLine>)> {
    let (text, files) = inline_mounted_scripts(service, script)?;
    let start = StartScript::read(&text, range.clone())?;
    let written = start
        .rewrites_config
        .then(|| line_in_files(&text, start.write_line?, &files))
        .flatten();
    Some((start, written))
}

/// The most text that inlining scripts into each other may produce (1 MiB).
const MAX_INLINED: usize = 1 << 20;

/// One level of [`inline_mounted_scripts`].
fn inline_once(service: &Service, text: &str, files: &mut Vec<PathBuf>) -> Option<String> {
    // `NAME=value` assignments, for `$NAME/start.sh`.
    let assigned: Vec<(String, String)> = text
        .lines()
        .filter_map(|l| {
            let (k, v) = l.trim().split_once('=')?;
            let plain = !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            (plain && !v.contains(char::is_whitespace))
                .then(|| (k.to_string(), v.trim_matches(['"', '\'']).to_string()))
        })
        .collect();
    let expand =
        |w: &str| crate::syntax::shell::expand_parameters(w.trim_matches(['"', '\'']), &assigned);
    let mut out = String::with_capacity(text.len());
    let mut found = false;
    // (destination, source) of each `cp` so far.
    let mut copies: Vec<(String, String)> = Vec::new();
    let mut command: Vec<&str> = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let gap = rest.len() - rest.trim_start().len();
        let (space, after) = rest.split_at(gap);
        out.push_str(space);
        if space.contains('\n') {
            command.clear();
        }
        let end = after.find(char::is_whitespace).unwrap_or(after.len());
        let (word, tail) = after.split_at(end);
        rest = tail;
        if word.is_empty() {
            break;
        }
        if matches!(word, "&&" | "||" | ";" | "|" | "then" | "do" | "else") || word.ends_with(';') {
            out.push_str(word);
            command.clear();
            continue;
        }
        let program = command.iter().copied().find(|w| {
            !matches!(
                *w,
                "exec" | "nohup" | "sh" | "bash" | "ash" | "." | "source"
            ) && !w.starts_with('-')
        });
        command.push(word);
        if program == Some("cp") {
            out.push_str(word);
            // Its last two words so far: the source and the destination.
            let args: Vec<&str> = command
                .iter()
                .skip_while(|w| **w != "cp")
                .skip(1)
                .copied()
                .filter(|w| !w.starts_with('-'))
                .collect();
            if let [.., source, destination] = args.as_slice() {
                let (d, s) = (expand(destination), expand(source));
                copies.retain(|(dest, _)| *dest != d);
                copies.push((d, s));
            }
            continue;
        }
        let path = expand(word);
        let file_utility = matches!(
            program,
            Some("mv" | "chmod" | "chown" | "ln" | "cat" | "test" | "[" | "rm" | "echo" | "sed")
        );
        let host = (path.starts_with('/') && !file_utility)
            .then(|| {
                service.mounted(&path).map(|(h, _, _)| h).or_else(|| {
                    // Run from where an earlier `cp` put it: the copy's source.
                    let (_, source) = copies.iter().rev().find(|(d, _)| *d == path)?;
                    service.mounted(source).map(|(h, _, _)| h)
                })
            })
            .flatten();
        let read = host.and_then(|h| {
            let text = std::fs::read_to_string(&h).ok()?;
            crate::formats::script::is_script(Path::new(&path), &text).then_some((h, text))
        });
        match read {
            Some((host, script)) => {
                found = true;
                if !files.contains(&host) {
                    files.push(host);
                }
                out.push('\n');
                out.push_str(&script);
                out.push('\n');
                command.clear();
            }
            None => out.push_str(word),
        }
    }
    found.then_some(out)
}

/// The program a start script runs when it starts a server in a way not read here (on
/// options only, or a config path computed at run time): its settings are unknown.
/// The Redis program a wrapper script ends by running on its own arguments (`exec
/// redis-server "$@"`, or an array that ends with them: `args=(--daemonize no "$@")`,
/// `exec gosu redis redis-server "${args[@]}"`), when every line that starts a Redis
/// program does so.
fn forwarded_program(text: &str) -> Option<&'static str> {
    let forwards_all = |line: &str| {
        line.contains("\"$@\"") || line.contains("${@}") || {
            // `"${args[@]}"` of an array that holds `"$@"`.
            line.find("[@]}").is_some_and(|end| {
                let start = line[..end].rfind("${").map_or(end, |s| s + 2);
                let name = &line[start..end];
                !name.is_empty()
                    && text.lines().any(|l| {
                        let l = l.trim_start();
                        l.starts_with(&format!("{name}=(")) && l.contains("\"$@\"")
                    })
            })
        }
    };
    let mut found: Option<&'static str> = None;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let Some(program) = line
            .split_whitespace()
            .map(|w| w.trim_matches(['"', '\'']))
            .find_map(|w| match w {
                "redis-server" => Some("redis-server"),
                "valkey-server" => Some("valkey-server"),
                "redis-sentinel" => Some("redis-sentinel"),
                "valkey-sentinel" => Some("valkey-sentinel"),
                _ => None,
            })
        else {
            continue;
        };
        if !forwards_all(line) || found.is_some_and(|f| f != program) {
            return None;
        }
        found = Some(program);
    }
    found
}

fn server_in_script(text: &str) -> Option<FileKind> {
    // A wrapper that runs the command it is given (`exec "$@"`, the official
    // docker-entrypoint.sh): the command decides, not the script.
    if text.contains("$@") || text.contains("${@}") || text.contains("$*") {
        return None;
    }
    text.lines()
        .rev()
        .filter(|l| !l.trim_start().starts_with('#'))
        .find_map(|line| {
            // The program in command position: first, or after `exec` / `nohup`.
            let program = line
                .split_whitespace()
                .map(|w| w.trim_matches(['"', '\'']))
                .find(|w| !matches!(*w, "exec" | "nohup" | "then" | "else" | "do"))?;
            let kind = program_kind(program)?;
            Some(if line.contains("--sentinel") {
                FileKind::SentinelConf
            } else {
                kind
            })
        })
}

/// A start script that a bind mount puts at the path `word` names, read from the tree
/// as the Dockerfile's entrypoint scripts are: the program it runs, its config, the
/// template it renders. False when no mount provides it or it starts no server.
fn read_mounted_script(out: &mut Service, word: &Token, arguments: &[Token]) -> bool {
    let Some((path, _, _)) = out.mounted(&word.value) else {
        return false;
    };
    let Ok(mut text) = std::fs::read_to_string(&path) else {
        return false;
    };
    let original = text.clone();
    // A script that dispatches on its first argument runs the branch of that argument.
    if let Some(selected) = arguments
        .first()
        .and_then(|a| crate::formats::argument_dispatch::select_branch(&text, &a.value))
    {
        text = selected;
    }
    // What it is started with fills its positional parameters (`cp "/conf/$1.conf" …`
    // with `command: sh /conf/run.sh sentinel1`). Only the text is read here: the
    // service's findings point at its own words.
    let values: Vec<&str> = arguments.iter().map(|a| a.value.as_str()).collect();
    text = crate::syntax::shell::with_positional_parameters(&text, &values);
    // It may run the script that does the work (`exec sh /data/start.sh`).
    let chained = || read_inlined(out, &text, &word.range);
    let read = match StartScript::read(&text, word.range.clone()) {
        // Selecting a branch and filling the parameters keep the script's lines where
        // they are: the line that writes the config is that line of the file.
        Some(start) => {
            let written = start
                .rewrites_config
                .then(|| Some((path.clone(), line_range(&original, start.write_line?)?)))
                .flatten();
            Some((start, written))
        }
        None => chained(),
    };
    let Some((start, written)) = read else {
        if let Some(kind) = server_in_script(&text) {
            out.kind = kind;
            out.start_unfollowed = true;
            return true;
        }
        return false;
    };
    let env: Vec<(String, String)> = crate::formats::script::defaults(&text)
        .into_iter()
        .chain(
            out.env
                .iter()
                .filter_map(|e| Some((e.name.clone(), e.value.clone()?))),
        )
        .collect();
    if start.template.is_some() && start.substitutes_env {
        out.substitutions = env.clone();
    }
    out.config_written_by_file = written;
    out.entrypoint_script = Some((path, env));
    out.kind = start.kind;
    out.config = Some((start.config.clone(), word.range.clone()));
    out.start_script = Some(start);
    true
}

/// The file and range of line `index` of `text` (a script with the files of `files`
/// inlined into it): the first line of those files that reads the same.
fn line_in_files(text: &str, index: usize, files: &[PathBuf]) -> Option<(PathBuf, Range<usize>)> {
    let wanted = text.lines().nth(index)?.trim();
    files.iter().find_map(|file| {
        let content = std::fs::read_to_string(file).ok()?;
        let at = content.lines().position(|l| l.trim() == wanted)?;
        Some((file.clone(), line_range(&content, at)?))
    })
}

/// The byte range of line `index` (from 0) of `text`, its indentation and line end left
/// out.
fn line_range(text: &str, index: usize) -> Option<Range<usize>> {
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if i == index {
            let body = line.trim_end();
            let start = offset + (body.len() - body.trim_start().len());
            return Some(start..offset + body.len());
        }
        offset += line.len();
    }
    None
}

/// Whether a Dockerfile's final stage starts from an official image and keeps its
/// entrypoint's user handling (no `USER`).
fn from_official_base(d: &crate::formats::dockerfile::Dockerfile) -> bool {
    d.user.is_none()
        && d.base
            .as_ref()
            .and_then(|(image, _)| image_ref(image))
            .is_some_and(|i| i.family == ImageFamily::Official)
}

/// No `user:` (root, which the official entrypoint drops to the image's user), or
/// `user:` naming that user itself (`redis`, `999`, `999:999`): either way the process
/// runs as uid 999.
fn runs_as_image_user_or_root(service: &Node) -> bool {
    let Some(user) = service.get("user") else {
        return true;
    };
    let named = user
        .as_str()
        .map(str::to_string)
        .or_else(|| user.as_i64().map(|n| n.to_string()));
    let Some(user) = named else {
        return false;
    };
    let name = user.split(':').next().unwrap_or(&user).trim();
    matches!(name, "redis" | "valkey" | "999")
}

/// The directory of a config baked into an image, when the process runs as the image's
/// unprivileged user and cannot create files there: not under the working directory
/// (which the entrypoint chowns to that user; `/data` unless the Dockerfile moves it),
/// and not chowned or opened by a `RUN`. With whether the file itself stays root's.
fn locked_dir(
    d: &crate::formats::dockerfile::Dockerfile,
    config: &str,
    drops_privileges: bool,
) -> Option<(String, bool)> {
    if !drops_privileges || d.user.is_some() || !config.starts_with('/') {
        return None;
    }
    let dir = Path::new(config).parent()?.to_string_lossy().into_owned();
    let workdir = d
        .workdir
        .as_deref()
        .unwrap_or("/data")
        .trim_end_matches('/');
    let under_workdir = dir == workdir || dir.starts_with(&format!("{workdir}/"));
    if under_workdir || d.opens_dir(&dir) {
        return None;
    }
    Some((dir, !d.opens_dir(config)))
}

/// How many leading words only launch the command after them: an init (`tini -g --`,
/// `dumb-init --`), a user switch (`gosu redis`, `su-exec redis`) and the official
/// image's `docker-entrypoint.sh`, which runs any command that is not a server as given
/// (unless the Dockerfile puts its own file there).
fn wrapper_words(
    tokens: &[Token],
    d: &crate::formats::dockerfile::Dockerfile,
    context: &Path,
) -> usize {
    let mut i = 0;
    while let Some(t) = tokens.get(i) {
        let name = t.value.rsplit('/').next().unwrap_or_default();
        match name {
            "tini" | "tini-static" | "dumb-init" => {
                i += 1;
                while tokens.get(i).is_some_and(|t| t.value.starts_with('-')) {
                    i += 1;
                }
            }
            "gosu" | "su-exec" => i += 2,
            // `sh /usr/local/bin/start.sh`: the shell runs the script (not `sh -c`).
            "sh" | "bash" | "ash" | "dash" => {
                let mut j = i + 1;
                while tokens.get(j).is_some_and(|t| {
                    t.value.starts_with('-') && !crate::syntax::shell::is_command_flag(&t.value)
                }) {
                    j += 1;
                }
                if tokens.get(j).is_none_or(|t| t.value.starts_with('-')) {
                    break;
                }
                i = j;
            }
            "docker-entrypoint.sh"
                if [
                    t.value.to_string(),
                    format!("/usr/local/bin/{name}"),
                    format!("/{name}"),
                ]
                .iter()
                .filter(|p| p.starts_with('/'))
                .filter_map(|p| d.source_of(p))
                .all(|s| !context.join(s).is_file()) =>
            {
                i += 1
            }
            _ => break,
        }
    }
    i.min(tokens.len())
}

/// What a `sh -c` start script does, as far as a sentinel's state needs it.
#[derive(Debug, Clone)]
pub struct StartScript {
    pub kind: FileKind,
    /// The config file the program is started on.
    pub config: String,
    /// The script writes that file at every start (`>`, `cp … FILE`, `cat <<EOF > FILE`,
    /// `envsubst … > FILE`) without first testing whether it exists.
    pub rewrites_config: bool,
    /// The line of the script (from 0) whose command writes the config, when one does.
    pub write_line: Option<usize>,
    /// The script writes a `sentinel myid` into it.
    pub pins_myid: bool,
    /// It sends `SENTINEL RESET` to the other sentinels before starting: they drop the
    /// ID this sentinel had before and learn the new one, so no ghost stays behind.
    pub resets_peers: bool,
    /// The script fills `$VAR` placeholders of the config from the environment
    /// (`sed -i "s/\$VAR/$VAR/g" FILE`, `envsubst`).
    pub substitutes_env: bool,
    /// The file whose content the script writes into the config before starting
    /// (`envsubst < TEMPLATE > FILE`, `cp TEMPLATE FILE`, `cat TEMPLATE > FILE`,
    /// `sed … TEMPLATE > FILE`, `X=$(envsubst < TEMPLATE)` then `… "$X" > FILE`).
    pub template: Option<String>,
    /// The script's range in the compose file.
    pub range: Range<usize>,
    /// It starts more than one sentinel (on different configs): the container runs
    /// several, which this reading counts as one.
    pub several_sentinels: bool,
    /// It sets up replication itself (`--replicaof …`, `echo "replicaof …" >> FILE`),
    /// which this reading does not follow: the node may well be a replica.
    pub replication: bool,
    /// It hands the program to the image's own entrypoint (`exec docker-entrypoint.sh
    /// redis-server …`), which drops root before starting it.
    pub via_image_entrypoint: bool,
    /// The `sed` edits it makes to the config it runs, in order: literal ones
    /// (`s/redis-master/redis/g`), and placeholders it fills from a variable
    /// (`s/%%QUORUM%%/${QUORUM}/g`), whose replacement is written `${VAR}`.
    pub edits: Vec<(String, String)>,
    /// Data servers it starts in the background before the main program, on options
    /// only (`redis-server --port 6380 &`): their arguments. They run in the same
    /// container, beside it.
    pub background_servers: Vec<Vec<String>>,
}

impl StartScript {
    /// The last `redis-sentinel FILE` / `redis-server FILE [--sentinel]` (or Valkey's) the
    /// script runs. `None` when it runs no server on a config file.
    pub fn read(script: &str, range: Range<usize>) -> Option<StartScript> {
        // Words of the script, with the shell's separators as words of their own.
        let joined = script.replace("\\\r\n", " ").replace("\\\n", " ");
        let spaced = quoted_bars_masked(&joined)
            .replace("&&", " ; ")
            .replace("||", " ; ")
            .replace(['\n', ';', '|', '(', ')', '`'], " ; ");
        // `NAME=value` assignments of the script, for `$NAME` / `${NAME}` in paths.
        let assigned: Vec<(&str, &str)> = script
            .lines()
            .filter_map(|l| {
                let (k, v) = l.trim().split_once('=')?;
                let plain =
                    !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                (plain && !v.contains(char::is_whitespace))
                    .then(|| (k, v.trim_matches(['"', '\''])))
            })
            .collect();
        let assigned: Vec<(String, String)> = assigned
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        // `$NAME`, `${NAME}` anywhere in a word (`$DIR/sentinel.conf`).
        let expand = |w: &str| -> String {
            match w.contains('$') {
                true => crate::syntax::shell::expand_parameters(w, &assigned),
                false => w.to_string(),
            }
        };
        let owned: Vec<String> = spaced
            .split_whitespace()
            .map(|w| expand(w.trim_matches(['"', '\''])))
            .collect();
        let words: Vec<&str> = owned.iter().map(String::as_str).collect();
        let mut found = None;
        let mut sentinel_configs: Vec<String> = Vec::new();
        for (i, w) in words.iter().enumerate() {
            let Some(kind) = program_kind(w) else {
                continue;
            };
            let Some(config) = words[i + 1..]
                .iter()
                .take_while(|w| **w != ";")
                .find(|w| !w.starts_with('-'))
            else {
                continue;
            };
            if !config.ends_with(".conf") {
                continue;
            }
            let sentinel = kind == FileKind::SentinelConf
                || words[i + 1..]
                    .iter()
                    .take_while(|w| **w != ";")
                    .any(|w| *w == "--sentinel");
            let kind = if sentinel {
                if !sentinel_configs.iter().any(|c| c == config) {
                    sentinel_configs.push(config.to_string());
                }
                FileKind::SentinelConf
            } else {
                FileKind::RedisConf
            };
            let via_entrypoint = i > 0 && words[i - 1].ends_with("docker-entrypoint.sh");
            found = Some((kind, config.to_string(), via_entrypoint));
        }
        let (kind, config, via_image_entrypoint) = found?;
        // `redis-server --port 6380 &`: a data server left running in the background.
        let background_servers = words
            .iter()
            .enumerate()
            .filter(|(_, w)| program_kind(w) == Some(FileKind::RedisConf))
            .filter_map(|(i, _)| {
                let segment: Vec<&str> = words[i + 1..]
                    .iter()
                    .take_while(|w| **w != ";")
                    .copied()
                    .collect();
                let (last, args) = segment.split_last()?;
                let background = *last == "&";
                let options_only = args.first().is_none_or(|a| a.starts_with('-'));
                (background && options_only && !args.contains(&"--sentinel"))
                    .then(|| args.iter().map(|a| a.to_string()).collect())
            })
            .collect();
        let name = Path::new(&config)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let writes = |words: &[&str]| {
            words.windows(2).any(|w| {
                (w[0] == ">" || w[0].ends_with('>') && !w[0].ends_with(">>")) && w[1] == config
            }) || words.iter().any(|w| *w == format!(">{config}"))
            // `tee FILE <<EOF` (not `tee -a`, which appends)
            || words.windows(2).any(|w| w[0] == "tee" && w[1] == config)
            || words.windows(2).any(|w| w[0] == "cp")
                && words.last().is_some_and(|last| {
                    *last == config || last.ends_with(&format!("/{name}"))
                })
                && words.len() >= 3
        };
        let written = words.split(|w| *w == ";").any(&writes);
        // The line that writes it, for a finding in the script's own file.
        let write_line = written
            .then(|| {
                script.lines().position(|line| {
                    let owned: Vec<String> = quoted_bars_masked(line)
                        .replace(['|', ';', '&'], " ; ")
                        .split_whitespace()
                        .map(|w| expand(w.trim_matches(['"', '\''])))
                        .collect();
                    let words: Vec<&str> = owned.iter().map(String::as_str).collect();
                    words.split(|w| *w == ";").any(&writes)
                })
            })
            .flatten();
        let guarded = ["-f", "-e", "-s"]
            .iter()
            .any(|t| words.windows(2).any(|w| w[0] == *t && w[1] == config));
        let template = template_of(&words, &config);
        // Literal edits, and placeholders the script fills from a variable
        // (`s/%%QUORUM%%/${QUORUM}/`), written as that variable for the environment to fill.
        let edits: Vec<(String, String)> = crate::formats::placeholders::sed_placeholders(&joined)
            .into_iter()
            .filter(|p| p.target.as_deref().map(expand).as_deref() == Some(&config))
            .filter_map(|p| match (&p.variable, p.is_edit()) {
                (_, true) => Some((p.pattern.to_string(), p.literal?.to_string())),
                (Some(v), false) if !p.pattern.starts_with('$') => {
                    Some((p.pattern.to_string(), format!("${{{v}}}")))
                }
                _ => None,
            })
            .collect();
        let fills_variables = edits.iter().any(|(_, into)| into.starts_with("${"));
        Some(StartScript {
            edits,
            kind,
            pins_myid: script.contains("sentinel myid"),
            resets_peers: script.to_ascii_lowercase().contains("sentinel reset"),
            substitutes_env: script.contains("envsubst")
                || fills_variables
                || (script.contains("sed") && (script.contains("s/$") || script.contains("s/\\$"))),
            rewrites_config: written && !guarded,
            write_line,
            template,
            config,
            range,
            several_sentinels: sentinel_configs.len() > 1,
            via_image_entrypoint,
            background_servers,
            replication: {
                let lower = script.to_ascii_lowercase();
                lower.contains("replicaof") || lower.contains("slaveof")
            },
        })
    }
}

/// The file a script renders into `config` (see [`StartScript::template`]). `words` are
/// the script's words with `;` between commands.
/// `text` with each `|` and `;` inside quotes (a `sed "s|a|b|"` delimiter or the `;`
/// between two `sed` expressions, not a pipe or the end of a command) made a control
/// character, so that splitting at separators keeps such words whole.
fn quoted_bars_masked(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut comment = false;
    let mut previous = ' ';
    for c in text.chars() {
        // `# don't …`: a comment's apostrophe opens no quote.
        if comment {
            comment = c != '\n';
            out.push(c);
            previous = c;
            continue;
        }
        if quote.is_none() && !escaped && c == '#' && previous.is_whitespace() {
            comment = true;
            out.push(c);
            previous = c;
            continue;
        }
        previous = c;
        match (quote, c) {
            _ if escaped => escaped = false,
            (Some('\''), '\'') | (Some('"'), '"') => quote = None,
            (None, '\'' | '"') => quote = Some(c),
            (q, '\\') if q != Some('\'') => escaped = true,
            (Some(_), '|') => {
                out.push('\u{1}');
                continue;
            }
            (Some(_), ';') => {
                out.push('\u{2}');
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

fn template_of(words: &[&str], config: &str) -> Option<String> {
    let commands: Vec<&[&str]> = words.split(|w| *w == ";").collect();
    // A path (perhaps through variables the environment fills), not an option.
    fn plain(w: &str) -> bool {
        !w.starts_with('-') && w.contains('/')
    }
    for (i, command) in commands.iter().enumerate() {
        // `cp [-p] TEMPLATE CONFIG`
        if command.first() == Some(&"cp") && command.last() == Some(&config) && command.len() >= 3 {
            let source = command[command.len() - 2];
            if plain(source) {
                return Some(source.to_string());
            }
        }
        // `… > CONFIG`: the input is `< TEMPLATE`, the file of `cat`/`sed`/`envsubst`, or
        // (a pipe) the file `cat` reads in the command before.
        let Some(redirect) = command
            .windows(2)
            .position(|w| (w[0] == ">" || w[0] == ">|") && w[1] == config)
        else {
            continue;
        };
        let before = &command[..redirect];
        if let Some(p) = before.iter().position(|w| *w == "<") {
            if let Some(source) = before.get(p + 1).filter(|w| plain(w)) {
                return Some(source.to_string());
            }
        }
        if matches!(before.first(), Some(&("cat" | "sed" | "envsubst"))) {
            if let Some(source) = before.iter().skip(1).rfind(|w| plain(w)) {
                return Some(source.to_string());
            }
        }
        if i > 0 && commands[i - 1].first() == Some(&"cat") {
            if let Some(source) = commands[i - 1].iter().skip(1).rfind(|w| plain(w)) {
                return Some(source.to_string());
            }
        }
    }
    // `CONTENT=$(envsubst < TEMPLATE)` … `printf … "$CONTENT" > CONFIG`: one template
    // rendered by the script, and the config written.
    let written = words
        .windows(2)
        .any(|w| (w[0] == ">" || w[0] == ">|") && w[1] == config);
    let mut rendered = words
        .windows(3)
        .filter(|w| w[0].ends_with("envsubst") && w[1] == "<" && plain(w[2]))
        .map(|w| w[2]);
    match (written, rendered.next(), rendered.next()) {
        (true, Some(only), None) => Some(only.to_string()),
        _ => None,
    }
}

/// Environment-variable names that hold a secret.
pub fn looks_secret_name(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    (n.contains("PASSWORD") || n.ends_with("_PASS") || n.ends_with("_AUTH") || n == "REDISCLI_AUTH")
        && !n.ends_with("_FILE")
        && !n.starts_with("ALLOW_")
}

/// `environment:` (list or map) and `env_file:` variables, in the order compose applies
/// them: env files first, then `environment:`.
/// The names a service's `environment:` lists without a value.
fn passed_through_env(service: &Node) -> Vec<String> {
    match service.get("environment").map(|n| &n.kind) {
        Some(Kind::Seq(items)) => items
            .iter()
            .filter_map(|i| i.as_str())
            .filter(|e| !e.contains('='))
            .map(|e| e.trim().to_string())
            .collect(),
        Some(Kind::Map(entries)) => entries
            .iter()
            .filter(|(_, v)| {
                v.style() == Some(crate::syntax::yaml::Style::Plain)
                    && v.as_str()
                        .is_some_and(|s| matches!(s, "" | "~" | "null" | "Null" | "NULL"))
            })
            .filter_map(|(k, _)| k.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

fn environment(dir: &Path, text: &str, vars: &[(String, String)], service: &Node) -> Vec<EnvVar> {
    let mut out = Vec::new();
    let files: Vec<&Node> = match service.get("env_file").map(|n| &n.kind) {
        Some(Kind::Scalar { .. }) => service.get("env_file").into_iter().collect(),
        Some(Kind::Seq(items)) => items.iter().collect(),
        _ => Vec::new(),
    };
    for f in files {
        let Some(path) = f.as_str().or_else(|| f.get_str("path")) else {
            continue;
        };
        let Some((read, variables)) = read_env_file_spanned(&dir.join(resolved(path, vars))) else {
            continue;
        };
        for (k, v, range) in variables {
            out.push(EnvVar {
                name: k,
                value: Some(v),
                span: f.span.clone(),
                literal: false,
                from_file: Some((read.clone(), range)),
                written_in: None,
            });
        }
    }
    let value_of = |raw: &str, span: Range<usize>| {
        let value = interpolate(raw, vars);
        let literal = !raw.contains('$');
        (value, span, literal)
    };
    match service.get("environment").map(|n| &n.kind) {
        Some(Kind::Seq(items)) => {
            for item in items {
                let Some(entry) = item.as_str() else { continue };
                let Some((k, v)) = entry.split_once('=') else {
                    continue; // `- NAME` passes the shell's value: unknown
                };
                // The value's position: after `NAME=` in the item.
                let span = embedded(text, item)
                    .map(|e| e.range_to_file(k.len() + 1..entry.len()))
                    .unwrap_or_else(|| item.span.clone());
                let (value, span, literal) = value_of(v, span);
                out.push(EnvVar {
                    name: k.trim().to_string(),
                    value,
                    span,
                    literal,
                    from_file: None,
                    written_in: None,
                });
            }
        }
        Some(Kind::Map(entries)) => {
            for (k, v) in entries {
                let (Some(k), Some(raw)) = (k.as_str(), v.as_str()) else {
                    continue;
                };
                let (value, span, literal) = value_of(raw, v.span.clone());
                out.push(EnvVar {
                    name: k.to_string(),
                    value,
                    span,
                    literal,
                    from_file: None,
                    written_in: None,
                });
            }
        }
        _ => {}
    }
    out
}

impl Service {
    /// The release its image names, and where settings given as environment variables
    /// can be added.
    pub fn runtime(&self, file: FileId) -> Runtime {
        let span = |r: &Range<usize>| Span::new(file, r.start, r.end);
        // With `build:`, `image:` names what is built: the Dockerfile's FROM decides.
        let release = image_ref(&self.image)
            .filter(|_| self.build.is_none())
            .and_then(|i| i.release)
            .zip(self.image_span.as_ref())
            .map(|(release, at)| Spanned::with_origin(release, span(at), Origin::Implied));
        let env = self.env_settings.map(|vars| ImageEnv {
            vars,
            insert_after: self
                .env_insert_after
                .as_ref()
                .map(|(after, map)| (span(after), *map)),
        });
        // A compose file lists every process of its project.
        Runtime {
            release,
            env,
            declared: Some(span(&self.name_span)),
            unit: None,
            count_known: self.replicas_known
                && !self
                    .start_script
                    .as_ref()
                    .is_some_and(|s| s.several_sentinels),
            managed_by: None,
            password_secret: None,
            data_ephemeral: None,
            config_rewritten_at_start: None,
            config_appended_at_start: None,
            config_monitor_included: None,
            config_installed_by: None,
            auth_pass_field: None,
            cpu_limit: self
                .cpu_limit
                .as_ref()
                .map(|(m, r)| Spanned::new(*m, span(r))),
            memory_limit: self
                .memory_limit
                .as_ref()
                .map(|(m, r)| Spanned::new(*m, span(r))),
            config_file: self.config.as_ref().map(|(_, r)| span(r)),
            // Set per copy by the workspace.
            netns: None,
            replication_in_script: self.start_script.as_ref().is_some_and(|s| s.replication),
            copies_unknown: false,
            one_host_of_many: false,
            container_name: self.container_name.clone(),
            packaged_restart: None,
            host_copies: None,
        }
    }
}

/// A version 1 compose file: a top-level mapping whose entries are services (each with
/// `image:` or `build:`), no `services:` key.
/// Whether the file says it is deployed as a swarm stack: a `deploy:` key that only
/// swarm acts on (`docker compose` ignores placement, update and rollback settings and
/// the endpoint mode), or an overlay network.
fn runs_as_stack(doc: &Node, services: &Node) -> bool {
    const SWARM_ONLY: &[&str] = &[
        "deploy.placement",
        "deploy.update_config",
        "deploy.rollback_config",
        "deploy.endpoint_mode",
    ];
    let by_service = services
        .entries()
        .any(|(_, s)| SWARM_ONLY.iter().any(|k| s.at(k).is_some()));
    let overlay = doc.get("networks").is_some_and(|n| {
        n.entries()
            .any(|(_, def)| def.get_str("driver") == Some("overlay"))
    });
    by_service || overlay
}

fn is_v1_compose(doc: &Node) -> bool {
    let Kind::Map(entries) = &doc.kind else {
        return false;
    };
    !entries.is_empty()
        && entries.iter().all(|(k, v)| {
            k.as_str().is_some() && (v.get("image").is_some() || v.get("build").is_some())
        })
}

/// `build: DIR` or `build: {context, dockerfile}` → the Dockerfile's path.
/// `build.args` (a map, or a list of `NAME=value`), interpolated from `.env`.
fn build_args(vars: &[(String, String)], service: &Node) -> Vec<(String, String)> {
    let Some(args) = service.get("build").and_then(|b| b.get("args")) else {
        return Vec::new();
    };
    let pairs: Vec<(String, String)> = match &args.kind {
        Kind::Map(entries) => entries
            .iter()
            .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string())))
            .collect(),
        Kind::Seq(items) => items
            .iter()
            .filter_map(|i| {
                let (k, v) = i.as_str()?.split_once('=')?;
                Some((k.to_string(), v.to_string()))
            })
            .collect(),
        Kind::Scalar { .. } => Vec::new(),
    };
    pairs
        .into_iter()
        .filter_map(|(k, v)| Some((k, interpolate(&v, vars)?)))
        .collect()
}

/// The build context folder of a service's `build:`.
fn build_context(dir: &Path, vars: &[(String, String)], service: &Node) -> Option<PathBuf> {
    let build = service.get("build")?;
    let context = match &build.kind {
        Kind::Scalar { .. } => build.as_str()?.to_string(),
        Kind::Map(_) => build.get_str("context").unwrap_or(".").to_string(),
        Kind::Seq(_) => return None,
    };
    let context = resolved(&context, vars);
    (!context.contains("://") && !context.contains("${")).then(|| normalize(&dir.join(context)))
}

/// The Dockerfile that a Makefile or shell script beside the project (or one folder up)
/// builds `image` from: `docker build -t acme/redis:5 redis/` makes what `image:
/// acme/redis:5` runs.
fn built_by_launch_files(dir: &Path, image: &str) -> Option<PathBuf> {
    use crate::formats::image_start::{image_tag, repository_name};
    let tag_of = |i: &str| image_tag(i).unwrap_or("latest").to_string();
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty());
    for base in [Some(dir), parent].into_iter().flatten() {
        let Ok(entries) = std::fs::read_dir(base) else {
            continue;
        };
        let mut names: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                crate::formats::launch::is_launch_file(p)
                    || p.extension().is_some_and(|e| e == "sh")
            })
            .collect();
        names.sort();
        for path in names.into_iter().take(32) {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            for build in crate::formats::launch::docker_builds(&text) {
                let makes = build.tags.iter().any(|t| {
                    repository_name(t) == repository_name(image) && tag_of(t) == tag_of(image)
                });
                if !makes {
                    continue;
                }
                let context = base.join(&build.context);
                let file = match &build.file {
                    Some(f) => base.join(f),
                    None => context.join("Dockerfile"),
                };
                if file.is_file() {
                    return Some(normalize(&file));
                }
            }
        }
    }
    None
}

/// The Dockerfile that builds an image the project names but does not build itself
/// (`image: team/redis-sentinel` pushed by a build script): one in a folder named like
/// the image's repository (or its longest `-`/`_` suffix that names one), beside the
/// compose file or beside its folder; else the Dockerfile beside the compose file when
/// it builds on a Redis or Valkey image.
fn image_folder(dir: &Path, image: &str, beside_built: bool) -> Option<PathBuf> {
    use crate::formats::image_start::{name_suffixes, repository_name};
    let repository = repository_name(image);
    if repository.is_empty() || image.contains("${") {
        return None;
    }
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty());
    name_suffixes(&repository)
        .into_iter()
        // A bare `redis` folder is too common a name to say which image it builds.
        .filter(|name| name.len() > 5 || *name == repository)
        .find_map(|name| {
            [Some(dir), parent]
                .into_iter()
                .flatten()
                .map(|base| base.join(name).join("Dockerfile"))
                .find(|p| p.is_file())
        })
        .or_else(|| {
            // The project's one Dockerfile, beside the compose file, when it builds on a
            // Redis or Valkey image: what `docker build -t team/redis-sentinel .` pushes.
            let beside = dir.join("Dockerfile");
            if beside_built {
                return None;
            }
            let text = std::fs::read_to_string(&beside).ok()?;
            let d = crate::formats::dockerfile::read(&text);
            let (base, _) = d.base.as_ref()?;
            image_ref(base)?;
            Some(beside)
        })
        .map(|p| normalize(&p))
}

fn build_dockerfile(dir: &Path, vars: &[(String, String)], service: &Node) -> Option<PathBuf> {
    let build = service.get("build")?;
    let (context, dockerfile) = match &build.kind {
        Kind::Scalar { .. } => (build.as_str()?.to_string(), "Dockerfile".to_string()),
        Kind::Map(_) => (
            build.get_str("context").unwrap_or(".").to_string(),
            build
                .get_str("dockerfile")
                .unwrap_or("Dockerfile")
                .to_string(),
        ),
        Kind::Seq(_) => return None,
    };
    let context = resolved(&context, vars);
    if context.contains("://") || context.contains("${") {
        return None; // a remote context or an unknown one
    }
    let path = normalize(&dir.join(context).join(resolved(&dockerfile, vars)));
    // Like the docker CLI, a missing `Dockerfile` falls back to `dockerfile`.
    if !path.exists() && path.file_name().is_some_and(|n| n == "Dockerfile") {
        let lower = path.with_file_name("dockerfile");
        if lower.is_file() {
            return Some(lower);
        }
    }
    Some(path)
}

/// The last entry of a block-style `environment:` whose line holds nothing else, so a new
/// entry can go on the next line with the same indentation; and whether it is a map.
fn env_insert_point(text: &str, service: &Node) -> Option<(Range<usize>, bool)> {
    let env = service.get("environment")?;
    let (start, end, map) = match &env.kind {
        Kind::Seq(items) => {
            let last = items.last()?;
            (last.span.start, last.span.end, false)
        }
        Kind::Map(entries) => {
            let (k, v) = entries.last()?;
            (k.span.start, v.span.end.max(k.span.end), true)
        }
        Kind::Scalar { .. } => return None,
    };
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let before = text[line_start..start].trim();
    let after_end = text[end..].split('\n').next().unwrap_or("").trim();
    let own_line = if map {
        before.is_empty()
    } else {
        before == "-"
    };
    // A flow collection (`[A=b]`), a comment or a multi-line value: no safe place.
    (own_line && after_end.is_empty() && !text[start..end].contains('\n'))
        .then_some((start..end, map))
}

/// `127.0.0.1:26379:26379`, `26380:26379`, `26379`, `26379/tcp`, or the long syntax.
fn port(vars: &[(String, String)], node: &Node) -> Option<Port> {
    let (host_ip, published, target) = match &node.kind {
        Kind::Scalar { value, .. } => {
            let value = resolved(value, vars);
            let value = value.split('/').next().unwrap_or_default().to_string();
            let parts: Vec<&str> = value.rsplitn(3, ':').collect();
            match parts.as_slice() {
                [t] => (None, None, t.to_string()),
                [t, p] => (None, Some(p.to_string()), t.to_string()),
                [t, p, h] => (Some(h.to_string()), Some(p.to_string()), t.to_string()),
                _ => return None,
            }
        }
        Kind::Map(_) => (
            node.get_str("host_ip").map(str::to_string),
            node.get_str("published").map(str::to_string),
            node.get_str("target")?.to_string(),
        ),
        Kind::Seq(_) => return None,
    };
    let target = target.split('-').next()?.trim().parse().ok()?;
    Some(Port {
        host_ip: host_ip.map(|h| h.trim_matches(['[', ']']).to_string()),
        published: published.filter(|p| !p.is_empty()),
        target,
        span: node.span.clone(),
    })
}

/// The `--cluster create` a bitnami cluster image runs: the node whose
/// `REDIS_CLUSTER_CREATOR` (`VALKEY_…`) is `yes` joins the nodes of `REDIS_NODES` with
/// `--cluster-replicas $REDIS_CLUSTER_REPLICAS` (default 1) on its first start.
pub fn bitnami_cluster_creates(
    file: FileId,
    text: &str,
    compose: &ComposeFile,
) -> Vec<crate::facts::sharding::ClusterCreate> {
    let mut out = Vec::new();
    for service in &compose.services {
        let Some(image) =
            image_ref(&service.image).filter(|i| i.family == ImageFamily::BitnamiCluster)
        else {
            continue;
        };
        let p = if image.flavor == crate::knowledge::Flavor::Valkey {
            "VALKEY_"
        } else {
            "REDIS_"
        };
        let Some(creator) = service.env(&format!("{p}CLUSTER_CREATOR")).filter(|e| {
            e.value
                .as_deref()
                .is_some_and(|v| v.eq_ignore_ascii_case("yes"))
        }) else {
            continue;
        };
        let span = |r: &Range<usize>| Span::new(file, r.start, r.end);
        let (nodes, exact) = match service.env(&format!("{p}NODES")) {
            Some(e) => {
                let value = e.value.clone().unwrap_or_default();
                let spelled_here = e.literal && spelled(text, &e.span, &value);
                let base = e.span.start
                    + usize::from(
                        text.get(e.span.clone())
                            .is_some_and(|r| r.starts_with(['"', '\''])),
                    );
                let mut words = Vec::new();
                let mut at = 0;
                for word in value.split([' ', ',', ';']) {
                    let offset = at;
                    at += word.len() + 1;
                    if word.is_empty() {
                        continue;
                    }
                    let range = if spelled_here {
                        base + offset..base + offset + word.len()
                    } else {
                        e.span.clone()
                    };
                    words.push(Spanned::new(word.to_string(), span(&range)));
                }
                (words, e.value.is_some() && !value.contains('$'))
            }
            None => (Vec::new(), false),
        };
        let replicas = match service.env(&format!("{p}CLUSTER_REPLICAS")) {
            Some(e) => e
                .value
                .as_deref()
                .and_then(|v| v.trim().parse().ok())
                .map(|n| Spanned::new(n, span(&e.span))),
            None => Some(Spanned::with_origin(
                1,
                span(&creator.span),
                Origin::Implied,
            )),
        };
        out.push(crate::facts::sharding::ClusterCreate {
            file,
            command: span(&creator.span),
            nodes,
            exact,
            replicas,
            replicas_unknown: false,
            secrets: Vec::new(),
        });
    }
    out
}

/// `bitnami/redis` and `bitnami/redis-sentinel` (their Valkey twins, and the same under
/// `bitnamilegacy/`).
fn bitnami_kind(image: &str) -> Option<FileKind> {
    match image_ref(image)?.family {
        ImageFamily::BitnamiSentinel => Some(FileKind::SentinelConf),
        ImageFamily::BitnamiServer | ImageFamily::BitnamiCluster => Some(FileKind::RedisConf),
        _ => None,
    }
}

/// The settings a fix may add to a bitnami sentinel as environment variables, with the
/// variable its scripts read each from (librediscontainer / the sentinel's setup script).
pub const BITNAMI_SENTINEL_VARS: &[(&str, &str)] = &[
    (
        "sentinel resolve-hostnames",
        "REDIS_SENTINEL_RESOLVE_HOSTNAMES",
    ),
    (
        "sentinel announce-hostnames",
        "REDIS_SENTINEL_ANNOUNCE_HOSTNAMES",
    ),
    (
        "sentinel down-after-milliseconds",
        "REDIS_SENTINEL_DOWN_AFTER_MILLISECONDS",
    ),
    (
        "sentinel failover-timeout",
        "REDIS_SENTINEL_FAILOVER_TIMEOUT",
    ),
    ("sentinel quorum", "REDIS_SENTINEL_QUORUM"),
];

/// The same for a bitnami server.
pub const BITNAMI_SERVER_VARS: &[(&str, &str)] = &[
    ("appendonly", "REDIS_AOF_ENABLED"),
    ("replica-announce-ip", "REDIS_REPLICA_IP"),
];

/// The config the bitnami scripts write from their environment variables, as lines
/// whose tokens point at the variables (or at the service name for defaults).
fn bitnami_conf(
    file: FileId,
    kind: FileKind,
    text: &str,
    image: &str,
    env: &[EnvVar],
    name_span: &Range<usize>,
) -> ConfFile {
    let lookup = |name: &str| env.iter().rev().find(|e| e.name == name);
    let mut lines: Vec<ConfLine> = Vec::new();
    let token = |value: &str, range: Range<usize>, origin: Origin| Token {
        value: value.into(),
        range,
        quoted: false,
        owner: file,
        origin,
    };
    // A variable's value is spelled at its span when written literally in the file; a
    // default of the image is written nowhere: it points at the service, never edited.
    let var = |name: &str, default: &str| -> Option<Token> {
        match lookup(name) {
            Some(e) => {
                let value = e.value.as_deref().unwrap_or("${unknown}");
                if let Some(other) = e.written_in {
                    // Written in another file: pointed at there, never edited from here.
                    let mut t = token(value, e.span.clone(), Origin::Implied);
                    t.owner = other;
                    return Some(t);
                }
                let origin = if e.literal && spelled(text, &e.span, value) {
                    Origin::Literal
                } else {
                    Origin::Implied
                };
                Some(token(value, e.span.clone(), origin))
            }
            None if !default.is_empty() => Some(token(default, name_span.clone(), Origin::Implied)),
            None => None,
        }
    };
    let mut push = |tokens: Vec<Token>| {
        // The line is placed by its words in this file (others may be in a ConfigMap).
        let here = || tokens.iter().filter(|t| t.owner == file).map(|t| &t.range);
        let start = here().map(|r| r.start).min().unwrap_or(name_span.start);
        let end = here().map(|r| r.end).max().unwrap_or(name_span.end);
        lines.push(ConfLine {
            line: text[..start.min(text.len())].matches('\n').count(),
            range: start..end,
            tokens,
            generated: false,
            owner: file,
        });
    };
    let kw = |word: &str, at: &Token| {
        let mut t = token(word, at.range.clone(), Origin::Implied);
        t.owner = at.owner;
        t
    };
    match kind {
        FileKind::SentinelConf => {
            let master = var("REDIS_MASTER_SET", "mymaster").unwrap();
            let host = var("REDIS_MASTER_HOST", "redis").unwrap();
            let port = var("REDIS_MASTER_PORT_NUMBER", "6379").unwrap();
            let quorum = var("REDIS_SENTINEL_QUORUM", "2").unwrap();
            push(vec![
                kw("sentinel", &host),
                kw("monitor", &host),
                master.clone(),
                host,
                port,
                quorum,
            ]);
            for (env, option, default) in [
                (
                    "REDIS_SENTINEL_DOWN_AFTER_MILLISECONDS",
                    "down-after-milliseconds",
                    "60000",
                ),
                (
                    "REDIS_SENTINEL_FAILOVER_TIMEOUT",
                    "failover-timeout",
                    "180000",
                ),
                ("REDIS_MASTER_PASSWORD", "auth-pass", ""),
                ("REDIS_MASTER_USER", "auth-user", ""),
            ] {
                if let Some(v) = var(env, default) {
                    push(vec![kw("sentinel", &v), kw(option, &v), master.clone(), v]);
                }
            }
            // The image writes the host-name options only for Redis 6.2 and later.
            let hostnames = image_ref(image)
                .and_then(|i| i.release)
                .is_none_or(|r| r.has_redis_feature(Version::new(6, 2, 0)));
            for (env, option, default) in [
                (
                    "REDIS_SENTINEL_RESOLVE_HOSTNAMES",
                    "resolve-hostnames",
                    "yes",
                ),
                (
                    "REDIS_SENTINEL_ANNOUNCE_HOSTNAMES",
                    "announce-hostnames",
                    "no",
                ),
                ("REDIS_SENTINEL_ANNOUNCE_IP", "announce-ip", ""),
                ("REDIS_SENTINEL_ANNOUNCE_PORT", "announce-port", ""),
            ] {
                if !hostnames && option.ends_with("-hostnames") {
                    continue;
                }
                if let Some(v) = var(env, default) {
                    push(vec![kw("sentinel", &v), kw(option, &v), v]);
                }
            }
            if let Some(v) = var("REDIS_SENTINEL_PASSWORD", "") {
                push(vec![kw("requirepass", &v), v]);
            }
            if let Some(v) = var("REDIS_SENTINEL_PORT_NUMBER", "") {
                push(vec![kw("port", &v), v]);
            }
        }
        FileKind::RedisConf
            if image_ref(image).is_some_and(|i| i.family == ImageFamily::BitnamiCluster) =>
        {
            // bitnami/redis-cluster (librediscluster.sh; the valkey image reads the same
            // variables with a `VALKEY_` prefix): cluster mode always, the password as
            // requirepass and masterauth, and the announce settings it is given.
            let valkey =
                image_ref(image).is_some_and(|i| i.flavor == crate::knowledge::Flavor::Valkey);
            let p = if valkey { "VALKEY_" } else { "REDIS_" };
            let at = token("yes", name_span.clone(), Origin::Implied);
            push(vec![kw("cluster-enabled", &at), at.clone()]);
            if let Some(v) = var(&format!("{p}PASSWORD"), "") {
                push(vec![kw("requirepass", &v), v.clone()]);
                push(vec![kw("masterauth", &v), v]);
            }
            if let Some(v) = var(&format!("{p}AOF_ENABLED"), "yes") {
                push(vec![kw("appendonly", &v), v]);
            }
            if let Some(v) = var(&format!("{p}PORT_NUMBER"), "") {
                push(vec![kw("port", &v), v]);
            }
            for (env, option) in [
                ("CLUSTER_ANNOUNCE_IP", "cluster-announce-ip"),
                ("CLUSTER_ANNOUNCE_HOSTNAME", "cluster-announce-hostname"),
                ("CLUSTER_ANNOUNCE_PORT", "cluster-announce-port"),
                ("CLUSTER_ANNOUNCE_BUS_PORT", "cluster-announce-bus-port"),
                (
                    "CLUSTER_PREFERRED_ENDPOINT_TYPE",
                    "cluster-preferred-endpoint-type",
                ),
            ] {
                if let Some(v) = var(&format!("{p}{env}"), "") {
                    push(vec![kw(option, &v), v]);
                }
            }
        }
        FileKind::RedisConf => {
            let mode = lookup("REDIS_REPLICATION_MODE")
                .and_then(|e| e.value.clone())
                .unwrap_or_default()
                .to_ascii_lowercase();
            let password = var("REDIS_PASSWORD", "");
            if let Some(v) = &password {
                push(vec![kw("requirepass", v), v.clone()]);
            }
            if mode == "slave" || mode == "replica" {
                if let (Some(host), Some(port)) = (
                    var("REDIS_MASTER_HOST", ""),
                    var("REDIS_MASTER_PORT_NUMBER", "6379"),
                ) {
                    push(vec![kw("replicaof", &host), host, port]);
                }
                if let Some(v) = var("REDIS_MASTER_PASSWORD", "") {
                    push(vec![kw("masterauth", &v), v]);
                }
            } else if let Some(v) = &password {
                // The master's scripts set masterauth to its own password.
                push(vec![kw("masterauth", v), v.clone()]);
            }
            if let Some(v) = var("REDIS_AOF_ENABLED", "yes") {
                push(vec![kw("appendonly", &v), v]);
            }
            if let Some(v) = var("REDIS_REPLICA_IP", "") {
                push(vec![kw("replica-announce-ip", &v), v]);
            }
            // In replication mode the scripts announce `REDIS_REPLICA_PORT`, else the
            // master's port (`REDIS_MASTER_PORT_NUMBER`, 6379): a node listening on
            // another port announces one it does not listen on (bitnami libredis.sh,
            // `redis_configure_replication`). Written only where it differs.
            let own_port = var("REDIS_PORT_NUMBER", "");
            let announced = match var("REDIS_REPLICA_PORT", "") {
                Some(v) => Some(v),
                None if !mode.is_empty() => var("REDIS_MASTER_PORT_NUMBER", "6379").filter(|v| {
                    let own = own_port.as_ref().map_or("6379", |p| p.value.as_str());
                    v.value != own && !v.value.contains('$')
                }),
                None => None,
            };
            if let Some(v) = announced {
                push(vec![kw("replica-announce-port", &v), v]);
            }
            if let Some(v) = own_port {
                push(vec![kw("port", &v), v]);
            }
            // `REDIS_EXTRA_FLAGS`: more `--option value` arguments for redis-server.
            // (Read where they are written in this file: words in a ConfigMap are not.)
            if let Some(flags) = lookup("REDIS_EXTRA_FLAGS").filter(|e| e.written_in.is_none()) {
                let value = flags.value.as_deref().unwrap_or_default();
                let args = env_words(text, file, flags, value);
                lines.extend(options_conf(file, kind, &args, text).tree.lines);
            }
        }
    }
    let tree = ConfTree {
        lines,
        errors: Vec::new(),
        rewrite_marker: None,
    };
    ConfFile::from_tree(file, kind, tree)
}

/// The config a bitnami image's scripts write for one container from the variables it
/// is given (`docker run -e REDIS_MASTER_HOST=…`); `anchor` stands for the image's
/// defaults. `None` for an image that is not bitnami's.
pub fn bitnami_container_conf(
    file: FileId,
    text: &str,
    image: &str,
    env: &[EnvVar],
    anchor: &Range<usize>,
) -> Option<ConfFile> {
    let kind = bitnami_kind(image)?;
    let mut conf = bitnami_conf(file, kind, text, image, env, anchor);
    conf.declared_by = Some(Span::new(file, anchor.start, anchor.end));
    Some(conf)
}

/// `--name v1 v2 --flag` → config lines `name v1 v2`, `flag`.
pub fn options_conf(file: FileId, kind: FileKind, args: &[Token], text: &str) -> ConfFile {
    let mut lines: Vec<ConfLine> = Vec::new();
    for (i, token) in args.iter().enumerate() {
        if let Some(name) = token.value.strip_prefix("--") {
            // `--sentinel` alone is the mode flag; followed by words it is a `sentinel …`
            // config line (`--sentinel auth-pass mymaster …`), as Redis reads it.
            let flag_only = args
                .get(i + 1)
                .is_none_or(|next| next.value.starts_with("--"));
            if name == "sentinel" && kind == FileKind::SentinelConf && flag_only {
                continue;
            }
            // One argument may hold a whole line (`'--sentinel monitor m host 6379 2'` as
            // one list item): Redis appends it to its config text as it is, so its words
            // are read as words of that line.
            let words = if name.contains(char::is_whitespace) {
                let raw = text.get(token.range.clone()).unwrap_or_default();
                // Where the value starts in the file: after an opening quote, if any.
                let base = token.range.start + usize::from(raw.starts_with(['"', '\'']));
                let exact = spelled(text, &token.range, &token.value);
                split_args(name, 0)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|mut w| {
                        w.range = base + 2 + w.range.start..base + 2 + w.range.end;
                        w.owner = token.owner;
                        w.origin = if exact {
                            Origin::Literal
                        } else {
                            Origin::Implied
                        };
                        if !exact {
                            w.range = token.range.clone();
                        }
                        w
                    })
                    .collect()
            } else {
                let mut t = token.clone();
                t.value = name.into();
                t.range = token.range.start + 2..token.range.end;
                // `--name` spells the directive after its dashes only when written bare.
                t.origin = if spelled(text, &t.range, name) {
                    Origin::Literal
                } else {
                    Origin::Implied
                };
                vec![t]
            };
            if words.is_empty() {
                continue;
            }
            lines.push(ConfLine {
                line: text[..token.range.start.min(text.len())]
                    .matches('\n')
                    .count(),
                range: token.range.clone(),
                tokens: words,
                generated: false,
                owner: file,
            });
        } else if let Some(line) = lines.last_mut() {
            // An unquoted `$EXTRA_ARGS` after the one value of a single-value option is a
            // word list of its own (`--replicaof host 6379`, or nothing), not more value.
            let single_value = line.tokens.len() >= 2
                && crate::knowledge::directive::lookup_directive(&line.tokens[0].value)
                    .is_some_and(|d| d.directive.takes_one_value());
            if single_value && unquoted_variable(text, &token.range) {
                continue;
            }
            line.range.end = token.range.end;
            let mut t = token.clone();
            // An argument is a word of a command, not of a config line.
            t.origin = if spelled(text, &t.range, &t.value) {
                t.origin.min(Origin::Literal)
            } else {
                Origin::Implied
            };
            line.tokens.push(t);
        }
    }
    let tree = ConfTree {
        lines,
        errors: Vec::new(),
        rewrite_marker: None,
    };
    ConfFile::from_tree(file, kind, tree)
}

/// The text at `range` is one variable, unquoted (`$ARGS`, `${ARGS}`): the shell splits
/// what it holds into words.
fn unquoted_variable(text: &str, range: &Range<usize>) -> bool {
    let Some(raw) = text.get(range.clone()) else {
        return false;
    };
    let name = match raw.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
        Some(inner) => inner,
        None => raw.strip_prefix('$').unwrap_or_default(),
    };
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The text at `range` is `value`, bare or in one pair of quotes (a value made by
/// interpolation or unescaping is not spelled there, and an edit must not replace it).
pub fn spelled(text: &str, range: &Range<usize>, value: &str) -> bool {
    let Some(raw) = text.get(range.clone()) else {
        return false;
    };
    let unquoted = match raw.as_bytes() {
        [q @ (b'"' | b'\''), .., last] if raw.len() >= 2 && last == q => &raw[1..raw.len() - 1],
        _ => raw,
    };
    unquoted == value
}

/// Short (`./a.conf:/etc/redis/a.conf:ro`) and long (`type: bind`) volume syntax; named
/// volumes are not host paths and are skipped.
fn mount(dir: &Path, vars: &[(String, String)], node: &Node) -> Option<Mount> {
    let (source, target, read_only) = match &node.kind {
        Kind::Scalar { value, .. } => {
            let value = resolved(value, vars);
            let mut parts = value.splitn(3, ':');
            let source = parts.next()?.to_string();
            let target = parts.next()?.to_string();
            let mode = parts.next().unwrap_or("");
            (source, target, mode.split(',').any(|m| m == "ro"))
        }
        Kind::Map(_) => {
            if node.get_str("type").is_some_and(|t| t != "bind") {
                return None;
            }
            let ro = node
                .get("read_only")
                .and_then(Node::as_bool_11)
                .unwrap_or(false);
            (
                resolved(node.get_str("source")?, vars),
                resolved(node.get_str("target")?, vars),
                ro,
            )
        }
        Kind::Seq(_) => return None,
    };
    if source.contains("${")
        || !(source.starts_with('.') || source.starts_with('/') || source.starts_with('~'))
    {
        return None; // a named volume
    }
    let source = if source.starts_with('/') {
        tree_copy_of(dir, &source).unwrap_or_else(|| PathBuf::from(&source))
    } else {
        relative_source(dir, &source)
    };
    Some(Mount {
        source,
        target,
        read_only,
        span: node.span.clone(),
    })
}

/// A relative bind-mount source: from the compose file's folder, or, when nothing is
/// there but the path exists from a folder above it, from that folder (a compose file
/// kept in a subfolder and run with `--project-directory` at the repository's root; as
/// written from its own folder, Docker would mount an empty directory it creates).
fn relative_source(dir: &Path, source: &str) -> PathBuf {
    let own = normalize(&dir.join(source));
    if own.exists() {
        return own;
    }
    dir.ancestors()
        .skip(1)
        .take(3)
        .map(|above| normalize(&above.join(source)))
        .find(|p| p.is_file())
        .unwrap_or(own)
}

/// The folder of the tree that an absolute host path written for the author's machine
/// stands for (`/usr/docker/project/redis/config` for `redis/config` of a checkout of
/// `project`): its last two or more components found under the compose file's folder or
/// one of the two above it. `None` when the path exists here as written, or no such
/// folder is found.
fn tree_copy_of(dir: &Path, absolute: &str) -> Option<PathBuf> {
    let path = Path::new(absolute);
    if path.exists() {
        return None;
    }
    let parts: Vec<&str> = absolute.split('/').filter(|p| !p.is_empty()).collect();
    for base in dir.ancestors().take(3) {
        // The longest tail first: the most specific match.
        for from in 0..parts.len().saturating_sub(1) {
            let candidate = parts[from..]
                .iter()
                .fold(base.to_path_buf(), |p, part| p.join(part));
            if candidate.exists() {
                return Some(normalize(&candidate));
            }
        }
    }
    None
}

/// A `NAME:/path[:mode]` (or `type: volume`) entry: the named volume and where it is
/// mounted.
fn named_volume(vars: &[(String, String)], node: &Node) -> Option<(String, String, Range<usize>)> {
    let (source, target) = match &node.kind {
        Kind::Scalar { value, .. } => {
            let value = resolved(value, vars);
            let mut parts = value.splitn(3, ':');
            (parts.next()?.to_string(), parts.next()?.to_string())
        }
        Kind::Map(_) => {
            if node.get_str("type") != Some("volume") {
                return None;
            }
            (
                resolved(node.get_str("source")?, vars),
                resolved(node.get_str("target")?, vars),
            )
        }
        Kind::Seq(_) => return None,
    };
    let named = !source.is_empty()
        && !source.contains(['$', '/', '~'])
        && !source.starts_with('.')
        && target.starts_with('/');
    named.then(|| (source, target, node.span.clone()))
}

/// The folder relative paths of a compose file start from: its own, unless none of its
/// build contexts and bind-mount sources is found there while some are found from a
/// folder above that holds the project's main compose file (an overlay kept in a
/// subfolder and used as `-f compose.yaml -f compose/dev/redis/compose-sentinel.yaml`:
/// compose resolves every file's paths from the first file's folder), or, with no main
/// file in the tree, from the nearest folder above where every one of them exists.
fn project_dir(own: &Path, services: &Node) -> PathBuf {
    let relative: Vec<&str> = services
        .entries()
        .flat_map(|(_, service)| {
            let build = service
                .get_str("build")
                .or_else(|| service.at("build.context").and_then(Node::as_str));
            let sources = service
                .get("volumes")
                .and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(|v| v.as_str().and_then(|v| v.split(':').next()));
            build.into_iter().chain(sources)
        })
        .filter(|p| p.starts_with("./") || p.starts_with("../"))
        .collect();
    let found_from = |dir: &Path| relative.iter().any(|p| dir.join(p).exists());
    if relative.is_empty() || found_from(own) {
        return own.to_path_buf();
    }
    let main_files = [
        "compose.yaml",
        "compose.yml",
        "docker-compose.yml",
        "docker-compose.yaml",
    ];
    let above = || own.ancestors().skip(1).take(4);
    above()
        .find(|dir| main_files.iter().any(|f| dir.join(f).is_file()) && found_from(dir))
        // A fragment meant to be merged into a main file kept elsewhere (or not in the
        // tree): the folder above from which every relative path it names exists.
        .or_else(|| above().find(|dir| relative.iter().all(|p| dir.join(p).exists())))
        .map_or_else(|| own.to_path_buf(), Path::to_path_buf)
}

/// `a/./b/../c` → `a/c`, without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out.iter().collect()
}

impl Service {
    /// The host path of the config file and the mount that provides it: a file mount
    /// at exactly the config path, or a directory mount that contains it.
    pub fn config_source(&self) -> Option<(PathBuf, &Mount, bool)> {
        let (path, _) = self.config.as_ref()?;
        self.mounted(path)
    }

    /// The file of the tree its start script renders into the config (a template
    /// mounted into the container), the template's `$VAR`s filled from the service.
    pub fn template_source(&self) -> Option<PathBuf> {
        let template = self.start_script.as_ref()?.template.as_ref()?;
        let path = interpolate(template, &self.substitutions)?;
        self.mounted(&path).map(|(p, _, _)| p)
    }

    /// The tree path behind a path of the container, through its bind mounts: (path,
    /// mount, whether the mount is the file itself).
    pub fn mounted(&self, path: &str) -> Option<(PathBuf, &Mount, bool)> {
        for m in &self.mounts {
            if m.target.trim_end_matches('/') == path {
                return Some((m.source.clone(), m, true));
            }
        }
        for m in &self.mounts {
            let dir = m.target.trim_end_matches('/');
            if let Some(rest) = path.strip_prefix(dir).and_then(|r| r.strip_prefix('/')) {
                return Some((normalize(&m.source.join(rest)), m, false));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_alternatives_are_left_to_the_shell() {
        // Compose opens `${P:+…}` (its own) but not `$${P:+…}` (the shell's).
        assert_eq!(
            blank_unset_alternatives("a ${P:+--x $P} b", &[]),
            "a      --x $P  b"
        );
        let escaped = "sh -c \"redis-server $${P:+--masterauth $$P}\"";
        assert_eq!(blank_unset_alternatives(escaped, &[]), escaped);
    }

    #[test]
    fn wrappers_that_run_the_server_on_their_arguments() {
        assert_eq!(
            forwarded_program("#!/bin/sh\nexec redis-server --appendonly yes \"$@\"\n"),
            Some("redis-server")
        );
        let array = "args=(\"--daemonize\" \"no\" \"$@\")\nif root; then\n  exec gosu redis \"redis-server\" \"${args[@]}\"\nelse\n  exec \"redis-server\" \"${args[@]}\"\nfi\n";
        assert_eq!(forwarded_program(array), Some("redis-server"));
        // Not forwarded: fixed options only, a generic `exec "$@"`, two programs.
        assert_eq!(forwarded_program("exec redis-server --port 7000\n"), None);
        assert_eq!(forwarded_program("exec \"$@\"\n"), None);
        assert_eq!(
            forwarded_program("redis-server \"$@\" &\nexec redis-sentinel s.conf \"$@\"\n"),
            None
        );
    }

    #[test]
    fn wrappers_that_run_their_arguments_start_no_server_of_their_own() {
        let official = "#!/bin/sh\nif [ \"$1\" = 'redis-server' ]; then exec gosu redis \"$0\" \"$@\"; fi\nexec \"$@\"\n";
        assert_eq!(server_in_script(official), None);
        let options_only =
            "#!/bin/sh\n# wait for the master\nexec redis-server --replicaof redis 6379\n";
        assert_eq!(server_in_script(options_only), Some(FileKind::RedisConf));
        // A program word that is not the command (an argument of a test) is not one.
        assert_eq!(
            server_in_script("if pgrep redis-server; then echo up; fi\n"),
            None
        );
    }

    #[test]
    fn a_config_written_with_tee_is_rewritten_at_every_start() {
        let script = "tee /etc/redis/sentinel.conf <<EOF\nport 26379\nsentinel monitor m redis 6379 2\nEOF\nredis-sentinel /etc/redis/sentinel.conf\n";
        let start = StartScript::read(script, 0..script.len()).expect("a start script");
        assert!(start.rewrites_config);
        let appended = script.replace("tee /", "tee -a /");
        let start = StartScript::read(&appended, 0..appended.len()).expect("a start script");
        assert!(!start.rewrites_config);
    }

    #[test]
    fn apostrophes_in_comments_open_no_quote() {
        let masked = quoted_bars_masked("# don't start early\ncat t | sed 's|a|b|' > c\n");
        assert_eq!(masked.matches('|').count(), 1, "{masked}");
    }

    #[test]
    fn unset_alternatives_write_nothing() {
        let vars = vec![("SET".to_string(), "x".to_string())];
        let text = "redis-server --port 1 ${PW:+--requirepass ${PW}} ${SET:+--a ${SET}}";
        let out = blank_unset_alternatives(text, &vars);
        assert_eq!(out.len(), text.len());
        assert_eq!(
            out.split_whitespace().collect::<Vec<_>>(),
            vec![
                "redis-server",
                "--port",
                "1",
                "--requirepass",
                "${PW}",
                "${SET:+--a",
                "${SET}}"
            ]
        );
    }
}
