//! Kubernetes workloads (StatefulSet, Deployment, DaemonSet, Pod): which containers run
//! Redis or Sentinel, from which config path, mounted from which volume; their start
//! scripts and probes.

use crate::formats::detect::FileKind;
use crate::formats::kubernetes::objects;
use crate::syntax::redis_conf::{split_args, Token};
use crate::syntax::yaml::{embedded, Kind, Node, YamlFile};
use std::ops::Range;

#[derive(Debug, Clone)]
pub enum VolumeSource {
    ConfigMap(String),
    Secret(String),
    EmptyDir,
    Claim,
    Other,
}

#[derive(Debug, Clone)]
pub struct Mount {
    pub path: String,
    pub sub_path: Option<String>,
    pub read_only: bool,
    pub source: VolumeSource,
    /// The volumeMounts entry.
    pub span: Range<usize>,
    /// The volume's `configMap:` / `secret:` entry.
    pub volume_span: Range<usize>,
}

/// One invocation of a Redis binary in a container's command or start script.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub kind: FileKind,
    pub config: Option<(String, Range<usize>)>,
    pub args: Vec<Token>,
}

#[derive(Debug, Clone)]
pub struct Probe {
    pub tokens: Vec<Token>,
    pub span: Range<usize>,
}

#[derive(Debug, Clone)]
pub struct Container {
    pub workload: String,
    pub namespace: Option<String>,
    pub name_span: Range<usize>,
    pub replicas: usize,
    pub invocations: Vec<Invocation>,
    /// The start script, when the command is `sh -c "…"`, with its position mapping.
    pub script: Option<(String, crate::syntax::yaml::Embedded)>,
    pub mounts: Vec<Mount>,
    pub probes: Vec<Probe>,
    /// Environment variable names (REDISCLI_AUTH, …).
    pub env: Vec<String>,
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
                        value,
                        range: i.span.clone(),
                        quoted: false,
                        owner: crate::source::FileId(0),
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
            .map(|t| (t.value.clone(), t.range.clone()));
        if rest.iter().any(|t| t.value == "--sentinel") {
            kind = FileKind::SentinelConf;
        }
        out.push(Invocation {
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
                "StatefulSet" | "Deployment" | "ReplicaSet" | "DaemonSet" => (
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
            for container in pod
                .get("containers")
                .and_then(Node::as_seq)
                .unwrap_or_default()
            {
                out.push(read_container(
                    text,
                    container,
                    &workload,
                    namespace.clone(),
                    replicas,
                    &volumes,
                ));
            }
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
) -> Container {
    let mut tokens: Vec<(Token, Option<&Node>)> = list_tokens(text, c.get("command"));
    tokens.extend(list_tokens(text, c.get("args")));
    let mut script = None;
    let mut found = Vec::new();
    let is_shell = tokens
        .first()
        .is_some_and(|(t, _)| matches!(t.value.rsplit('/').next(), Some("sh" | "bash" | "ash")));
    if is_shell {
        if let Some(pos) = tokens.iter().position(|(t, _)| t.value == "-c") {
            if let Some((_, Some(node))) = tokens.get(pos + 1) {
                if let Some(piece) = embedded(text, node) {
                    for (start, line) in line_offsets(&piece.text) {
                        if let Ok(mut line_tokens) = split_args(line, start) {
                            for t in &mut line_tokens {
                                t.range = piece.range_to_file(t.range.clone());
                            }
                            found.extend(invocations(&line_tokens));
                        }
                    }
                    script = Some((piece.text.clone(), piece));
                }
            }
        }
    } else {
        let plain: Vec<Token> = tokens.iter().map(|(t, _)| t.clone()).collect();
        found = invocations(&plain);
    }
    let mounts = c
        .get("volumeMounts")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|m| {
            let name = m.get_str("name")?;
            // A name not under `volumes:` is a volumeClaimTemplate of the StatefulSet.
            let volume = volumes.iter().find(|v| v.get_str("name") == Some(name));
            let (source, volume_span) = match volume {
                None => (VolumeSource::Claim, m.span.clone()),
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
                    } else if volume.get("persistentVolumeClaim").is_some() {
                        (VolumeSource::Claim, volume.span.clone())
                    } else {
                        (VolumeSource::Other, volume.span.clone())
                    }
                }
            };
            Some(Mount {
                path: m.get_str("mountPath")?.to_string(),
                sub_path: m.get_str("subPath").map(str::to_string),
                read_only: m
                    .get("readOnly")
                    .and_then(Node::as_bool_11)
                    .unwrap_or(false),
                source,
                span: m.span.clone(),
                volume_span,
            })
        })
        .collect();
    let probes = ["livenessProbe", "readinessProbe", "startupProbe"]
        .iter()
        .filter_map(|p| c.get(p)?.at("exec.command"))
        .map(|cmd| {
            let mut tokens: Vec<Token> = list_tokens(text, Some(cmd))
                .into_iter()
                .map(|(t, _)| t)
                .collect();
            // `sh -c "redis-cli ping"`: look inside the script too.
            if let Some(script) = tokens
                .get(2)
                .filter(|_| tokens.get(1).is_some_and(|t| t.value == "-c"))
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
                tokens,
                span: cmd.span.clone(),
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
    let name_span = c.get("name").map_or(c.span.clone(), |n| n.span.clone());
    Container {
        workload: workload.to_string(),
        namespace,
        name_span,
        replicas,
        invocations: found,
        script,
        mounts,
        probes,
        env,
    }
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

impl Container {
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
