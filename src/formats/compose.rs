//! docker-compose files: each service that runs redis-server / redis-sentinel (or a
//! Valkey binary) becomes a process whose configuration is the config file it mounts,
//! followed by its `--option value` arguments, exactly as Redis merges them.

use crate::formats::conf::ConfFile;
use crate::formats::detect::FileKind;
use crate::source::FileId;
use crate::syntax::redis_conf::{split_args, ConfLine, ConfTree, Token};
use crate::syntax::yaml::{embedded, Kind, Node, Style, YamlFile};
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
    /// Host names the service is reachable by on the compose network.
    pub hostnames: Vec<String>,
    /// `deploy.replicas` / `scale`.
    pub replicas: usize,
}

#[derive(Debug, Clone)]
pub struct ComposeFile {
    pub services: Vec<Service>,
}

/// A YAML document with a `services:` map of containers is a compose file.
pub fn read(file: FileId, path: &Path, text: &str, yaml: &YamlFile) -> Option<ComposeFile> {
    let doc = yaml.documents.first()?;
    let services = doc.get("services")?;
    if !matches!(services.kind, Kind::Map(_)) || doc.get("kind").is_some() {
        return None;
    }
    let dir = path.parent().unwrap_or(Path::new(""));
    let mut out = Vec::new();
    for (key, service) in services.entries() {
        let Some(name) = key.as_str() else { continue };
        if let Some(s) = read_service(file, dir, text, name, key.span.clone(), service) {
            out.push(s);
        }
    }
    Some(ComposeFile { services: out })
}

/// Tokens of `command:` / `entrypoint:`: a string is split like a shell would (quotes),
/// a list gives one token per item; positions stay in the file.
fn command_tokens(text: &str, node: Option<&Node>) -> Vec<Token> {
    let Some(node) = node else { return Vec::new() };
    match &node.kind {
        Kind::Scalar { .. } => {
            let Some(piece) = embedded(text, node) else {
                return Vec::new();
            };
            let Ok(tokens) = split_args(&piece.text, 0) else {
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
                    value,
                    range: item.span.clone(),
                    quoted,
                    owner: FileId(0),
                })
            })
            .collect(),
        Kind::Map(_) => Vec::new(),
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

fn read_service(
    file: FileId,
    dir: &Path,
    text: &str,
    name: &str,
    name_span: Range<usize>,
    service: &Node,
) -> Option<Service> {
    let image = service
        .get_str("image")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let official = image.starts_with("redis")
        || image.starts_with("valkey")
        || image.contains("/valkey")
        || image.starts_with("library/redis");
    let mut tokens = command_tokens(text, service.get("entrypoint"));
    tokens.extend(command_tokens(text, service.get("command")));
    // `sh -c "…"` scripts are run-time logic: what they compute is unknown.
    if tokens
        .first()
        .is_some_and(|t| matches!(t.value.rsplit('/').next(), Some("sh" | "bash" | "ash")))
    {
        return None;
    }
    let program = tokens.iter().position(|t| program_kind(&t.value).is_some());
    let (mut kind, args): (FileKind, Vec<Token>) = match program {
        Some(i) => (
            program_kind(&tokens[i].value).unwrap(),
            tokens[i + 1..].to_vec(),
        ),
        // The official images run redis-server when the command starts with an option or
        // a config file, and when there is no command at all.
        None if official
            && (tokens.is_empty()
                || tokens[0].value.starts_with('-')
                || tokens[0].value.ends_with(".conf")) =>
        {
            (FileKind::RedisConf, tokens.clone())
        }
        None => return None,
    };
    let config = args
        .first()
        .filter(|t| !t.value.starts_with('-'))
        .map(|t| (t.value.clone(), t.range.clone()));
    let option_args = &args[usize::from(config.is_some())..];
    if option_args.iter().any(|t| t.value == "--sentinel") {
        kind = FileKind::SentinelConf;
    }
    let options = options_conf(file, kind, option_args, text);
    let mut hostnames = vec![name.to_ascii_lowercase()];
    for key in ["container_name", "hostname"] {
        if let Some(h) = service.get_str(key) {
            hostnames.push(h.to_ascii_lowercase());
        }
    }
    let replicas = service
        .at("deploy.replicas")
        .or(service.get("scale"))
        .and_then(Node::as_i64)
        .map_or(1, |n| n.clamp(0, 100) as usize);
    let mounts = service
        .get("volumes")
        .and_then(Node::as_seq)
        .map(|items| items.iter().filter_map(|v| mount(dir, v)).collect())
        .unwrap_or_default();
    Some(Service {
        name: name.to_string(),
        name_span,
        kind,
        config,
        options,
        mounts,
        hostnames,
        replicas,
    })
}

/// `--name v1 v2 --flag` → config lines `name v1 v2`, `flag`.
pub fn options_conf(file: FileId, kind: FileKind, args: &[Token], text: &str) -> ConfFile {
    let mut lines: Vec<ConfLine> = Vec::new();
    for token in args {
        if let Some(name) = token.value.strip_prefix("--") {
            if name == "sentinel" && kind == FileKind::SentinelConf {
                continue;
            }
            let mut t = token.clone();
            t.value = name.to_string();
            t.range = token.range.start + 2..token.range.end;
            lines.push(ConfLine {
                line: text[..token.range.start.min(text.len())]
                    .matches('\n')
                    .count(),
                range: token.range.clone(),
                tokens: vec![t],
                generated: false,
                owner: file,
            });
        } else if let Some(line) = lines.last_mut() {
            line.range.end = token.range.end;
            line.tokens.push(token.clone());
        }
    }
    let tree = ConfTree {
        lines,
        errors: Vec::new(),
        rewrite_marker: None,
    };
    ConfFile::from_tree(file, kind, tree)
}

/// Short (`./a.conf:/etc/redis/a.conf:ro`) and long (`type: bind`) volume syntax; named
/// volumes are not host paths and are skipped.
fn mount(dir: &Path, node: &Node) -> Option<Mount> {
    let (source, target, read_only) = match &node.kind {
        Kind::Scalar { value, .. } => {
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
                node.get_str("source")?.to_string(),
                node.get_str("target")?.to_string(),
                ro,
            )
        }
        Kind::Seq(_) => return None,
    };
    if !(source.starts_with('.') || source.starts_with('/') || source.starts_with('~')) {
        return None; // a named volume
    }
    Some(Mount {
        source: normalize(&dir.join(&source)),
        target,
        read_only,
        span: node.span.clone(),
    })
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
