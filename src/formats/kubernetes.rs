//! Kubernetes manifests: configs embedded in ConfigMaps and Secrets (`stringData`), read
//! as if they were files, with positions inside the YAML.

use crate::formats::conf::ConfFile;
use crate::formats::detect::classify;
use crate::source::FileId;
use crate::syntax::redis_conf::{self, ConfTree};
use crate::syntax::yaml::{embedded, Embedded, Node, YamlFile};
use std::path::Path;
use std::sync::Arc;

/// Every redis/sentinel config stored as a value of a ConfigMap or Secret. Each shares
/// `text`, the manifest's own text (positions are the manifest's).
pub fn embedded_configs(
    file: FileId,
    path: &Path,
    text: &Arc<str>,
    yaml: &YamlFile,
) -> Vec<ConfFile> {
    let mut out = Vec::new();
    for doc in &yaml.documents {
        for object in objects(doc) {
            let kind = object.get_str("kind").unwrap_or_default();
            let fields: &[&str] = match kind {
                "ConfigMap" => &["data"],
                "Secret" => &["stringData", "data"],
                _ => continue,
            };
            for field in fields {
                let Some(data) = object.get(field) else {
                    continue;
                };
                for (key, value) in data.entries() {
                    let Some(name) = key.as_str() else { continue };
                    let conf = if *field == "data" && kind == "Secret" {
                        base64_config(file, path, name, value)
                    } else {
                        embedded_config(file, path, name, text, value)
                    };
                    if let Some(mut conf) = conf {
                        let object_name = object
                            .at("metadata.name")
                            .and_then(Node::as_str)
                            .unwrap_or_default();
                        conf.embedded_in = Some((object_name.to_string(), name.to_string()));
                        conf.in_config_map = kind == "ConfigMap";
                        out.push(conf);
                    }
                }
            }
        }
    }
    out
}

/// Shell scripts kept in ConfigMaps (`start-sentinel.sh: |` …), read like script files:
/// the configs their here-documents write and the redis commands they run, with spans in
/// the manifest. (Which container runs them does not matter to what they start.)
pub fn embedded_scripts(
    file: FileId,
    text: &str,
    yaml: &YamlFile,
) -> Vec<((String, String), crate::formats::script::ScriptFile)> {
    let mut out = Vec::new();
    for doc in &yaml.documents {
        for object in objects(doc) {
            if object.get_str("kind") != Some("ConfigMap") {
                continue;
            }
            let Some(data) = object.get("data") else {
                continue;
            };
            for (key, value) in data.entries() {
                let Some(name) = key.as_str() else { continue };
                let Some(script) = value.as_str() else {
                    continue;
                };
                let lower = name.to_ascii_lowercase();
                if !(lower.ends_with(".sh") || script.starts_with("#!")) {
                    continue;
                }
                if let Some(piece) = embedded(text, value) {
                    let mut script = crate::formats::script::read_embedded(file, &piece);
                    let source = (
                        object
                            .at("metadata.name")
                            .and_then(Node::as_str)
                            .unwrap_or_default()
                            .to_string(),
                        name.to_string(),
                    );
                    for conf in &mut script.confs {
                        conf.written_by = Some(source.clone());
                    }
                    out.push((source, script));
                }
            }
        }
    }
    out
}

/// A ConfigMap entry by which applications name the master they ask the sentinels
/// for (`REDIS_MASTER_SET: mymaster`).
#[derive(Debug, Clone)]
pub struct ClientMasterName {
    pub config_map: String,
    pub variable: String,
    pub value: String,
    /// The entry, key and value.
    pub span: crate::source::Span,
}

/// The master names that ConfigMaps of the file hand to applications.
pub fn client_master_names(file: FileId, yaml: &YamlFile) -> Vec<ClientMasterName> {
    let mut out = Vec::new();
    for doc in &yaml.documents {
        for object in objects(doc) {
            if object.get_str("kind") != Some("ConfigMap") {
                continue;
            }
            let Some(data) = object.get("data") else {
                continue;
            };
            for (key, value) in data.entries() {
                let (Some(variable), Some(text)) = (key.as_str(), value.as_str()) else {
                    continue;
                };
                if !crate::knowledge::clients::names_sentinel_master(variable) || text.is_empty() {
                    continue;
                }
                out.push(ClientMasterName {
                    config_map: object
                        .at("metadata.name")
                        .and_then(Node::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    variable: variable.to_string(),
                    value: text.to_string(),
                    span: crate::source::Span::new(file, key.span.start, value.span.end),
                });
            }
        }
    }
    out
}

/// A one-line `data` entry of a ConfigMap: what a container reads as an environment
/// variable (`valueFrom.configMapKeyRef`, `envFrom.configMapRef`).
#[derive(Debug, Clone)]
pub struct ConfigMapValue {
    pub config_map: String,
    pub key: String,
    pub value: String,
    /// The value as written (quotes included).
    pub span: crate::source::Span,
}

/// The one-line `data` entries of the file's ConfigMaps (multi-line ones are files).
pub fn config_map_values(file: FileId, yaml: &YamlFile) -> Vec<ConfigMapValue> {
    let mut out = Vec::new();
    for object in yaml.documents.iter().flat_map(objects) {
        if object.get_str("kind") != Some("ConfigMap") {
            continue;
        }
        let name = object.at("metadata.name").and_then(Node::as_str);
        let (Some(name), Some(data)) = (name, object.get("data")) else {
            continue;
        };
        for (key, value) in data.entries() {
            let (Some(key_text), Some(text)) = (key.as_str(), value.as_str()) else {
                continue;
            };
            if text.contains('\n') {
                continue;
            }
            out.push(ConfigMapValue {
                config_map: name.to_string(),
                key: key_text.to_string(),
                value: text.to_string(),
                span: crate::source::Span::new(file, value.span.start, value.span.end),
            });
        }
    }
    out
}

/// The names of the ConfigMaps and Secrets the file defines.
pub fn config_object_names(yaml: &YamlFile) -> Vec<String> {
    yaml.documents
        .iter()
        .flat_map(objects)
        .filter(|o| matches!(o.get_str("kind"), Some("ConfigMap" | "Secret")))
        .filter_map(|o| o.at("metadata.name").and_then(Node::as_str))
        .map(str::to_string)
        .collect()
}

/// The passwords a container's `command` / `args` items hold: the item after a
/// password option (`--requirepass`, `redis-cli -a`), and the ones inside an item (a
/// start script's `REDIS_PASSWORD=…`, `--masterauth …`).
fn command_password_ranges(text: &str, items: &[&Node]) -> Vec<std::ops::Range<usize>> {
    let mut found = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let lower = item.as_str().unwrap_or_default().to_ascii_lowercase();
        if matches!(
            lower.as_str(),
            "-a" | "--pass" | "--requirepass" | "--masterauth" | "--sentinel-pass"
        ) {
            found.extend(items.get(i + 1).map(|next| next.span.clone()));
        }
        let raw = text.get(item.span.clone()).unwrap_or_default();
        found.extend(
            crate::formats::launch::secret_ranges(raw)
                .into_iter()
                .map(|r| item.span.start + r.start..item.span.start + r.end),
        );
    }
    found
}

/// Redis credentials written literally into a pod's containers (its init containers
/// too): a password option on the command line (`--requirepass …`, `redis-cli -a …`),
/// a password-named assignment in a start script (`REDIS_PASSWORD=…`), `sentinel
/// auth-pass` echoed into a config, and the `value:` of a password-named variable.
/// Only a Redis container's, or a variable that names Redis; variables, templates and
/// hashes are not literals.
pub fn pod_literal_passwords(text: &str, pod: &Node) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let containers = ["initContainers", "containers"]
        .into_iter()
        .filter_map(|k| pod.get(k).and_then(Node::as_seq))
        .flatten();
    let literal = |r: &std::ops::Range<usize>| {
        let raw = text
            .get(r.clone())
            .unwrap_or_default()
            .trim_matches(['"', '\'']);
        // `ALLOW_EMPTY_PASSWORD: "yes"` is a switch, not a password.
        let switch = matches!(
            raw.to_ascii_lowercase().as_str(),
            "yes" | "no" | "true" | "false" | "on" | "off" | "0" | "1"
        );
        !raw.is_empty()
            && !switch
            && !crate::knowledge::values::expands_variable(raw)
            && !raw.contains(['{', '<'])
            && !raw.starts_with(['#', '!'])
            && !crate::knowledge::values::is_template(raw)
    };
    for c in containers {
        let words = |key: &str| -> Vec<&Node> {
            match c.get(key) {
                Some(n) => match n.as_seq() {
                    Some(items) => items.iter().collect(),
                    None => vec![n],
                },
                None => Vec::new(),
            }
        };
        let command: Vec<&Node> = words("command").into_iter().chain(words("args")).collect();
        let mentions_redis = |t: &str| {
            let t = t.to_ascii_lowercase();
            t.contains("redis") || t.contains("valkey") || t.contains("sentinel")
        };
        let redis = c.get_str("image").is_some_and(mentions_redis)
            || command
                .iter()
                .any(|n| text.get(n.span.clone()).is_some_and(mentions_redis));
        if redis {
            out.extend(command_password_ranges(text, &command));
            // What the kubelet runs in the container: its probes and lifecycle hooks
            // (`redis-cli -a … ping`).
            let handlers = [
                "readinessProbe.exec.command",
                "livenessProbe.exec.command",
                "startupProbe.exec.command",
                "lifecycle.postStart.exec.command",
                "lifecycle.preStop.exec.command",
            ];
            for handler in handlers.into_iter().filter_map(|path| c.at(path)) {
                let items: Vec<&Node> = match handler.as_seq() {
                    Some(items) => items.iter().collect(),
                    None => vec![handler],
                };
                out.extend(command_password_ranges(text, &items));
            }
        }
        for entry in c.get("env").and_then(Node::as_seq).unwrap_or_default() {
            let Some(name) = entry.get_str("name") else {
                continue;
            };
            let upper = name.to_ascii_uppercase();
            let ours = redis
                || upper.contains("REDIS")
                || upper.contains("VALKEY")
                || upper.contains("SENTINEL");
            if !(ours && crate::formats::units::is_password_variable(name))
                || upper.starts_with("ALLOW_")
            {
                continue;
            }
            if let Some(value) = entry.get("value").filter(|v| v.as_str().is_some()) {
                out.push(value.span.clone());
            }
        }
    }
    out.retain(|r| literal(r));
    out.sort_by_key(|r| r.start);
    out.dedup();
    out
}

/// The objects of a document: itself, or the items of a `kind: List`.
pub fn objects(doc: &Node) -> Vec<&Node> {
    match (doc.get_str("kind"), doc.get("items").and_then(Node::as_seq)) {
        (Some("List"), Some(items)) => items.iter().collect(),
        _ => vec![doc],
    }
}

/// A ConfigMap/Secret key that may hold a Redis or Sentinel config (not a script).
fn is_config_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    (lower.ends_with(".conf") || lower.contains("redis") || lower.contains("sentinel"))
        && !lower.ends_with(".sh")
}

fn embedded_config(
    file: FileId,
    path: &Path,
    key: &str,
    text: &Arc<str>,
    value: &Node,
) -> Option<ConfFile> {
    if !is_config_key(key) {
        return None;
    }
    let piece = embedded(text, value)?;
    if !piece.text.contains('\n') {
        return None; // a one-line value is not a config file
    }
    let tree = remap(redis_conf::parse(&piece.text), &piece);
    // Classify by the key as a file name beside the manifest.
    let as_path = path.parent().unwrap_or(Path::new("")).join(key);
    let kind = classify(&as_path, &tree, false)?;
    let mut conf = ConfFile::from_tree(file, kind, tree);
    conf.embedded = true;
    Some(conf)
}

/// A config stored base64-encoded under a Secret's `data`: every position is the value's.
fn base64_config(file: FileId, path: &Path, key: &str, value: &Node) -> Option<ConfFile> {
    if !is_config_key(key) {
        return None;
    }
    let decoded = String::from_utf8(base64_decode(value.as_str()?)?).ok()?;
    if !decoded.contains('\n') {
        return None;
    }
    let mut tree = redis_conf::parse(&decoded);
    let at = value.span.clone();
    for line in &mut tree.lines {
        line.range = at.clone();
        for token in &mut line.tokens {
            token.range = at.clone();
        }
    }
    for error in &mut tree.errors {
        error.range = at.clone();
        error.line_range = at.clone();
    }
    tree.rewrite_marker = None;
    let as_path = path.parent().unwrap_or(Path::new("")).join(key);
    let kind = classify(&as_path, &tree, false)?;
    let mut conf = ConfFile::from_tree(file, kind, tree);
    conf.embedded = true;
    Some(conf)
}

/// Standard base64 (whitespace ignored); `None` when the text is not base64.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0;
    for b in text.bytes().filter(|b| !b.is_ascii_whitespace()) {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Positions of the one-line values of Secrets (passwords, tokens), masked in any output.
/// Configs stored in a Secret are masked by their own password lines.
pub fn secret_value_spans(file: FileId, text: &str, yaml: &YamlFile) -> Vec<crate::source::Span> {
    let mut out = Vec::new();
    // Passwords inside connection URLs anywhere in the file (an application's
    // `REDIS_URL`, a broker URL): shown in any snippet that reaches their line.
    fn urls(node: &Node, text: &str, file: FileId, out: &mut Vec<crate::source::Span>) {
        match &node.kind {
            crate::syntax::yaml::Kind::Scalar { .. } => {
                let raw = text.get(node.span.clone()).unwrap_or_default();
                if let Some(r) = crate::knowledge::values::url_password(raw) {
                    let start = node.span.start + r.start;
                    out.push(crate::source::Span::new(file, start, start + r.len()));
                }
            }
            crate::syntax::yaml::Kind::Seq(items) => {
                items.iter().for_each(|i| urls(i, text, file, out))
            }
            crate::syntax::yaml::Kind::Map(entries) => {
                entries.iter().for_each(|(_, v)| urls(v, text, file, out))
            }
        }
    }
    // Config text held in a string (a chart's `valkeyConfig`, an operator's custom
    // config): its `requirepass`, `masterauth`, `auth-pass` and ACL passwords, wherever
    // a snippet shows the block.
    fn config_text(node: &Node, text: &str, file: FileId, out: &mut Vec<crate::source::Span>) {
        match &node.kind {
            crate::syntax::yaml::Kind::Scalar { value, .. } => {
                let may_hold = value.contains('\n')
                    && [
                        "requirepass",
                        "masterauth",
                        "auth-pass",
                        "sentinel-pass",
                        ">",
                    ]
                    .iter()
                    .any(|w| value.contains(w));
                let Some(piece) = may_hold
                    .then(|| crate::syntax::yaml::embedded(text, node))
                    .flatten()
                else {
                    return;
                };
                let tree = remap(crate::syntax::redis_conf::parse(&piece.text), &piece);
                let sentinel = tree.lines.iter().any(|l| {
                    l.tokens
                        .first()
                        .is_some_and(|t| t.value.eq_ignore_ascii_case("sentinel"))
                });
                let kind = if sentinel {
                    crate::formats::detect::FileKind::SentinelConf
                } else {
                    crate::formats::detect::FileKind::RedisConf
                };
                out.extend(
                    crate::formats::conf::ConfFile::from_tree(file, kind, tree).secret_spans(),
                );
            }
            crate::syntax::yaml::Kind::Seq(items) => {
                items.iter().for_each(|i| config_text(i, text, file, out))
            }
            // A container's command is a script, not config text: its passwords are
            // found where the script is read.
            crate::syntax::yaml::Kind::Map(entries) => entries
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), Some("command" | "args")))
                .for_each(|(_, v)| config_text(v, text, file, out)),
        }
    }
    // Passwords on a container's command line (`--requirepass …`, `redis-cli -a …`),
    // as list items or in a script: masked as the script reader would.
    fn commands(node: &Node, text: &str, file: FileId, out: &mut Vec<crate::source::Span>) {
        // `$(REDIS_PASSWORD)`, `"$PW"`: the name of where the password comes from, not it.
        let variable = |r: std::ops::Range<usize>| {
            let raw = text.get(r).unwrap_or_default().trim_matches(['"', '\'']);
            let inner = raw
                .strip_prefix("$(")
                .and_then(|r| r.strip_suffix(')'))
                .or_else(|| raw.strip_prefix("${").and_then(|r| r.strip_suffix('}')))
                .or_else(|| raw.strip_prefix('$'));
            inner.is_some_and(|n| {
                !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            })
        };
        let crate::syntax::yaml::Kind::Map(entries) = &node.kind else {
            if let Some(items) = node.as_seq() {
                items.iter().for_each(|i| commands(i, text, file, out));
            }
            return;
        };
        for (key, value) in entries {
            if !matches!(key.as_str(), Some("command" | "args")) {
                commands(value, text, file, out);
                continue;
            }
            let items: Vec<&Node> = match value.as_seq() {
                Some(items) => items.iter().collect(),
                None => vec![value],
            };
            let found = command_password_ranges(text, &items);
            out.extend(
                found
                    .into_iter()
                    .filter(|r| !variable(r.clone()))
                    .map(|r| crate::source::Span::new(file, r.start, r.end)),
            );
        }
    }
    // `env: [{name: REDIS_PASSWORD, value: "…"}]`: the literal value of a variable
    // named as a password (a start script writes it into the config).
    fn env_values(node: &Node, file: FileId, out: &mut Vec<crate::source::Span>) {
        match &node.kind {
            crate::syntax::yaml::Kind::Scalar { .. } => {}
            crate::syntax::yaml::Kind::Seq(items) => {
                items.iter().for_each(|i| env_values(i, file, out))
            }
            crate::syntax::yaml::Kind::Map(entries) => {
                let named_password = node
                    .get_str("name")
                    .is_some_and(crate::formats::units::is_password_variable);
                match node.get("value").filter(|v| v.as_str().is_some()) {
                    Some(value) if named_password => out.push(crate::source::Span::new(
                        file,
                        value.span.start,
                        value.span.end,
                    )),
                    _ => entries.iter().for_each(|(_, v)| env_values(v, file, out)),
                }
            }
        }
    }
    for doc in &yaml.documents {
        urls(doc, text, file, &mut out);
        config_text(doc, text, file, &mut out);
        commands(doc, text, file, &mut out);
        env_values(doc, file, &mut out);
    }
    for doc in &yaml.documents {
        for object in objects(doc) {
            if object.get_str("kind") != Some("Secret") {
                continue;
            }
            for field in ["data", "stringData"] {
                let Some(data) = object.get(field) else {
                    continue;
                };
                for (_, value) in data.entries() {
                    if value.as_str().is_some_and(|v| !v.trim_end().contains('\n')) {
                        out.push(crate::source::Span::new(
                            file,
                            value.span.start,
                            value.span.end,
                        ));
                    }
                }
            }
        }
    }
    out
}

/// Services, NetworkPolicies, PodDisruptionBudgets, Namespaces and Secret values of a
/// manifest.
pub fn cluster(file: FileId, yaml: &YamlFile, into: &mut crate::facts::cluster::Cluster) {
    use crate::facts::cluster::K8sService;
    use crate::facts::Password;
    for doc in &yaml.documents {
        for object in objects(doc) {
            let name = object.at("metadata.name").and_then(Node::as_str);
            let namespace = object
                .at("metadata.namespace")
                .and_then(Node::as_str)
                .map(str::to_string);
            match object.get_str("kind").unwrap_or_default() {
                "Service" => {
                    let Some(name) = name else { continue };
                    let span = object.at("metadata.name").map_or(0..0, |n| n.span.clone());
                    into.services.push(K8sService {
                        name: name.to_string(),
                        namespace,
                        name_span: crate::source::Span::new(file, span.start, span.end),
                        headless: object.at("spec.clusterIP").and_then(Node::as_str)
                            == Some("None"),
                        publish_not_ready: object
                            .at("spec.publishNotReadyAddresses")
                            .and_then(Node::as_bool_11)
                            == Some(true),
                        selector: object
                            .at("spec.selector")
                            .map(|l| {
                                l.entries()
                                    .filter_map(|(k, v)| {
                                        Some((k.as_str()?.to_string(), v.as_str()?.to_string()))
                                    })
                                    .collect()
                            })
                            .unwrap_or_default(),
                        ports: object
                            .at("spec.ports")
                            .and_then(Node::as_seq)
                            .unwrap_or_default()
                            .iter()
                            .filter_map(|p| {
                                Some((
                                    p.get("port")?.as_i64()?,
                                    p.get("targetPort")
                                        .and_then(Node::as_str)
                                        .map(str::to_string),
                                ))
                            })
                            .collect(),
                        external: object.at("spec.type").and_then(|t| {
                            let kind = t.as_str()?;
                            matches!(kind, "NodePort" | "LoadBalancer").then(|| {
                                (
                                    kind.to_string(),
                                    crate::source::Span::new(file, t.span.start, t.span.end),
                                )
                            })
                        }),
                    });
                }
                "NetworkPolicy" => {
                    let Some(name) = name else { continue };
                    let span = object.at("metadata.name").map_or(0..0, |n| n.span.clone());
                    into.network_policies.push(network_policy(
                        name,
                        namespace,
                        crate::source::Span::new(file, span.start, span.end),
                        object,
                    ));
                }
                "PodDisruptionBudget" => {
                    let labels = object
                        .at("spec.selector.matchLabels")
                        .map(|l| {
                            l.entries()
                                .filter_map(|(k, v)| {
                                    Some((k.as_str()?.to_string(), v.as_str()?.to_string()))
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    into.pdbs.push((namespace, labels));
                }
                "Namespace" => into.namespaces.extend(name.map(str::to_string)),
                "Secret" => {
                    let Some(name) = name else { continue };
                    for field in ["data", "stringData"] {
                        for (k, v) in object
                            .get(field)
                            .map(|d| d.entries().collect::<Vec<_>>())
                            .unwrap_or_default()
                        {
                            let (Some(k), Some(v)) = (k.as_str(), v.as_str()) else {
                                continue;
                            };
                            let value = if field == "data" {
                                match base64_decode(v).and_then(|b| String::from_utf8(b).ok()) {
                                    Some(v) => v,
                                    None => continue,
                                }
                            } else {
                                v.to_string()
                            };
                            into.secrets.push((
                                name.to_string(),
                                k.to_string(),
                                Password::from_value(value.trim_end_matches('\n')),
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// A label selector's `matchLabels`, and whether it also has `matchExpressions`.
fn selector(node: &Node) -> (crate::facts::cluster::Labels, bool) {
    let labels = node
        .get("matchLabels")
        .map(|l| {
            l.entries()
                .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    let opaque = node
        .get("matchExpressions")
        .and_then(Node::as_seq)
        .is_some_and(|e| !e.is_empty());
    (labels, opaque)
}

fn network_policy(
    name: &str,
    namespace: Option<String>,
    name_span: crate::source::Span,
    object: &Node,
) -> crate::facts::cluster::NetworkPolicy {
    use crate::facts::cluster::{NetworkPolicy, PolicyPeer, PolicyPort, PolicyRule};
    let spec = object.get("spec");
    let (pod_selector, opaque) = spec
        .and_then(|s| s.get("podSelector"))
        .map(selector)
        .unwrap_or_default();
    let rules = |key: &str, peers_key: &str| -> Vec<PolicyRule> {
        spec.and_then(|s| s.get(key))
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .map(|rule| PolicyRule {
                peers: rule.get(peers_key).and_then(Node::as_seq).map(|peers| {
                    peers
                        .iter()
                        .map(|peer| {
                            if peer.get("ipBlock").is_some() {
                                return PolicyPeer::Addresses;
                            }
                            let pods = peer.get("podSelector").map(selector);
                            let namespaces = peer.get("namespaceSelector").map(selector);
                            let opaque = pods.as_ref().is_some_and(|p| p.1)
                                || namespaces.as_ref().is_some_and(|n| n.1);
                            PolicyPeer::Pods {
                                pods: pods.map(|p| p.0),
                                namespaces: namespaces.map(|n| n.0),
                                opaque,
                            }
                        })
                        .collect()
                }),
                ports: rule.get("ports").and_then(Node::as_seq).map(|ports| {
                    ports
                        .iter()
                        .map(|p| PolicyPort {
                            port: p.get("port").map(|n| match n.as_i64() {
                                Some(lo) => {
                                    Ok((lo, p.get("endPort").and_then(Node::as_i64).unwrap_or(lo)))
                                }
                                None => Err(n.as_str().unwrap_or_default().to_string()),
                            }),
                            protocol: p.get_str("protocol").unwrap_or("TCP").to_ascii_uppercase(),
                        })
                        .collect()
                }),
            })
            .collect()
    };
    let ingress = rules("ingress", "from");
    let egress = rules("egress", "to");
    let types: Option<Vec<&str>> = spec
        .and_then(|s| s.get("policyTypes"))
        .and_then(Node::as_seq)
        .map(|t| t.iter().filter_map(Node::as_str).collect());
    let written = |key: &str| spec.and_then(|s| s.get(key)).is_some();
    let (ingress_isolates, egress_isolates) = match types {
        Some(t) => (t.contains(&"Ingress"), t.contains(&"Egress")),
        None => (true, written("egress")),
    };
    NetworkPolicy {
        name: name.to_string(),
        namespace,
        name_span,
        pod_selector,
        opaque,
        ingress_isolates,
        egress_isolates,
        ingress,
        egress,
    }
}

/// Move every position of a config parsed from an embedded value into file offsets.
pub(crate) fn remap(mut tree: ConfTree, piece: &Embedded) -> ConfTree {
    for line in &mut tree.lines {
        line.range = piece.range_to_file(line.range.clone());
        for token in &mut line.tokens {
            token.range = piece.range_to_file(token.range.clone());
        }
    }
    for error in &mut tree.errors {
        error.range = piece.range_to_file(error.range.clone());
        error.line_range = piece.range_to_file(error.line_range.clone());
    }
    tree.rewrite_marker = tree.rewrite_marker.map(|m| piece.to_file(m));
    tree
}

/// Custom resources of the Redis operators, Secrets (which they name) and values files
/// of the bitnami redis chart, with the fields rules look at.
pub fn resources(
    file: FileId,
    text: &str,
    yaml: &YamlFile,
) -> Vec<crate::formats::units::Resource> {
    use crate::formats::units::{Resource, BITNAMI_VALUES};
    let mut out = Vec::new();
    for doc in &yaml.documents {
        if let Some(kind) = opstree_values_kind(doc) {
            out.push(Resource {
                name: opstree_values_name(doc),
                ..Resource::values(
                    crate::formats::units::OPSTREE_VALUES,
                    kind,
                    file,
                    doc.clone(),
                )
            });
            continue;
        }
        // Which known chart the values are written for, if any.
        let chart = bitnami_cluster_values(doc)
            .map(|kind| {
                (
                    crate::formats::cluster_operators::BITNAMI_CLUSTER_VALUES,
                    kind,
                )
            })
            .or_else(|| {
                groundhog_values(doc).map(|kind| (crate::formats::units::GROUNDHOG_VALUES, kind))
            })
            .or_else(|| {
                is_valkey_helm_values(doc)
                    .then_some((crate::formats::units::VALKEY_HELM_VALUES, "valkey-values"))
            })
            .or_else(|| {
                is_redis_ha_values(doc)
                    .then_some((crate::formats::units::REDIS_HA_VALUES, REDIS_HA_KIND))
            })
            .or_else(|| is_bitnami_values(doc).then(|| (BITNAMI_VALUES, bitnami_flavor(doc))));
        if let Some((group, kind)) = chart {
            out.push(Resource::values(group, kind, file, doc.clone()));
            continue;
        }
        // An umbrella chart's values: a subchart's values under its name (or alias). (A
        // compose file's `services` is no subchart.)
        if doc.get("apiVersion").is_none()
            && doc.get("kind").is_none()
            && doc.get("services").is_none()
        {
            for (key, values) in doc.entries() {
                let Some(key) = key.as_str() else { continue };
                // A section of the chart's own values written one level too deep
                // (`master.sentinel`) is not a subchart: the chart ignores it.
                if BITNAMI_SECTIONS.contains(&key) {
                    continue;
                }
                if key == "redis-ha" && is_redis_ha_values(values) {
                    out.push(Resource {
                        values_key: Some(key.to_string()),
                        ..Resource::values(
                            crate::formats::units::REDIS_HA_VALUES,
                            REDIS_HA_KIND,
                            file,
                            values.clone(),
                        )
                    });
                    continue;
                }
                if !is_bitnami_values(values) {
                    continue;
                }
                let kind = if key.to_ascii_lowercase().contains("valkey") {
                    "valkey-values"
                } else {
                    bitnami_flavor(values)
                };
                out.push(Resource {
                    values_key: Some(key.to_string()),
                    ..Resource::values(BITNAMI_VALUES, kind, file, values.clone())
                });
            }
        }
        for object in objects(doc) {
            out.extend(object_resources(&[(file, text)], object));
        }
    }
    out
}

/// The resources one object deploys: an operator's custom resource, a Secret, or a GitOps
/// release of a known chart. `layers` are the files the object's nodes come from, with
/// their texts, by layer (one file, unless the object is a base with Kustomize patches
/// laid over it): a release's values written as a string are read in their own file.
pub fn object_resources(
    layers: &[(FileId, &str)],
    object: &Node,
) -> Vec<crate::formats::units::Resource> {
    let mut out = object_resources_of_layers(layers, object);
    let lower: Vec<FileId> = layers.iter().skip(1).map(|l| l.0).collect();
    if !lower.is_empty() {
        for r in &mut out {
            r.lower_files = lower.clone();
        }
    }
    out
}

fn object_resources_of_layers(
    layers: &[(FileId, &str)],
    object: &Node,
) -> Vec<crate::formats::units::Resource> {
    use crate::formats::units::Resource;
    let mut out = Vec::new();
    let Some(&(file, _)) = layers.first() else {
        return out;
    };
    let texts: Vec<&str> = layers.iter().map(|l| l.1).collect();
    let texts = texts.as_slice();
    let file_of = |node: &Node| layers.get(usize::from(node.layer)).map_or(file, |l| l.0);
    let (Some(api), Some(kind)) = (object.get_str("apiVersion"), object.get_str("kind")) else {
        return out;
    };
    // A Flux HelmRelease or an Argo CD Application (or ApplicationSet template) of a
    // bitnami chart carries its values inline.
    if matches!(kind, "HelmRelease" | "Application" | "ApplicationSet") {
        return release_values(file, texts, object);
    }
    let api_group = if api.contains('/') {
        api.split('/').next().unwrap_or_default().to_string()
    } else {
        String::new() // the core group (`v1`)
    };
    if !(api_group.contains("redis")
        || api_group == "databases.spotahome.com"
        || api_group == crate::formats::cluster_operators::VALKEY_IO
        || api_group == crate::formats::cluster_operators::HYPERSPIKE
        || (api_group.is_empty() && kind == "Secret"))
    {
        return out;
    }
    let spec = object.get("spec");
    let sentinel_fields = ["mode", "redisSentinelConfig", "sentinel"]
        .iter()
        .filter_map(|f| {
            let key = spec?.key_node(f)?;
            Some((
                crate::source::Span::new(file_of(key), key.span.start, key.span.end),
                f.to_string(),
            ))
        })
        .collect();
    let metadata = object.get("metadata");
    out.push(Resource {
        api_group,
        kind: kind.to_string(),
        sentinel_fields,
        file,
        name: metadata.and_then(|m| m.get_str("name")).map(str::to_string),
        namespace: metadata
            .and_then(|m| m.get_str("namespace"))
            .map(str::to_string),
        object: Arc::new(object.clone()),
        lower_files: Vec::new(),
        values_from: Vec::new(),
        value_files: Vec::new(),
        chart_path: None,
        values_key: None,
    });
    out
}

/// The values a GitOps release gives a bitnami redis or valkey chart: Flux
/// `spec.chart.spec.chart` + `spec.values`; Argo CD `spec.source(s)[].chart` +
/// `helm.valuesObject` or `helm.values` (a YAML string, read at its place in the file).
fn release_values(
    file: FileId,
    texts: &[&str],
    object: &Node,
) -> Vec<crate::formats::units::Resource> {
    use crate::formats::units::Resource;
    let spec = match object.get_str("kind") {
        Some("ApplicationSet") => object.at("spec.template.spec"),
        _ => object.get("spec"),
    };
    let Some(spec) = spec else {
        return Vec::new();
    };
    // (chart name, values)
    let mut found: Vec<(&str, Node)> = Vec::new();
    // No values: the chart's defaults, placed at the chart's name.
    let defaults_at = |chart: &Node| {
        let mut empty = crate::syntax::yaml::parse("{}")
            .documents
            .into_iter()
            .next()
            .expect("an empty map parses");
        empty.span = chart.span.clone();
        empty
    };
    // Flux `valuesFrom` (an entry with a `targetPath` sets one value, usually a
    // password from a Secret, not a values file: it is not read).
    let mut values_from = Vec::new();
    for entry in spec
        .get("valuesFrom")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        let (Some(kind), Some(name)) = (entry.get_str("kind"), entry.get_str("name")) else {
            return Vec::new();
        };
        if entry.get("targetPath").is_some() {
            continue;
        }
        values_from.push(crate::formats::units::ValuesRef {
            kind: kind.to_string(),
            name: name.to_string(),
            key: entry
                .get_str("valuesKey")
                .unwrap_or("values.yaml")
                .to_string(),
            optional: entry.get("optional").and_then(Node::as_bool_11) == Some(true),
        });
    }
    if let Some(chart) = spec.at("chart.spec.chart") {
        if let Some(name) = chart.as_str() {
            let values = spec.get("values").cloned();
            found.push((name, values.unwrap_or_else(|| defaults_at(chart))));
        }
    }
    let sources: Vec<&Node> = spec
        .get("source")
        .into_iter()
        .chain(
            spec.get("sources")
                .and_then(Node::as_seq)
                .unwrap_or_default(),
        )
        .collect();
    // Argo CD sources with `helm.valueFiles`, or a chart kept in the repository (`path`):
    // (chart, inline values, value files, chart path), resolved by the workspace.
    let mut pending: Vec<(&str, Node, Vec<String>, Option<String>)> = Vec::new();
    for source in sources {
        let chart_node = source.get("chart").filter(|c| c.as_str().is_some());
        let path_node = source.get("path").filter(|p| p.as_str().is_some());
        let Some(at) = chart_node.or(path_node) else {
            continue;
        };
        let chart = chart_node.and_then(Node::as_str).unwrap_or_default();
        let helm = source.get("helm");
        let value_files: Vec<String> = helm
            .and_then(|h| h.get("valueFiles"))
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|f| f.as_str().map(str::to_string))
            .collect();
        let inline = match helm {
            None => Some(defaults_at(at)),
            Some(helm) => {
                if let Some(values) = helm.get("valuesObject") {
                    Some(values.clone())
                } else if let Some(values) = helm.get("values") {
                    // Read in the file the string is written in.
                    let layer = values.layer;
                    texts
                        .get(usize::from(layer))
                        .and_then(|text| crate::syntax::yaml::embedded(text, values))
                        .and_then(|piece| {
                            let mut doc = crate::syntax::yaml::parse(&piece.text)
                                .documents
                                .into_iter()
                                .next()?;
                            remap_node(&mut doc, &piece);
                            crate::syntax::yaml::set_layer(&mut doc, layer);
                            Some(doc)
                        })
                } else {
                    Some(defaults_at(at))
                }
            }
        };
        let Some(inline) = inline else { continue };
        if value_files.is_empty() && chart_node.is_some() {
            found.push((chart, inline));
        } else if !value_files.is_empty() {
            let path = path_node.and_then(Node::as_str).map(str::to_string);
            pending.push((chart, inline, value_files, path));
        }
    }
    let metadata = object.get("metadata");
    let mut out = Vec::new();
    let release = metadata.and_then(|m| m.get_str("name")).map(str::to_string);
    let namespace = metadata
        .and_then(|m| m.get_str("namespace"))
        .map(str::to_string);
    for (chart, values, value_files, chart_path) in pending {
        out.push(Resource {
            api_group: crate::formats::units::PENDING_VALUES.to_string(),
            kind: chart.to_string(),
            sentinel_fields: Vec::new(),
            file,
            name: release.clone(),
            namespace: namespace.clone(),
            object: Arc::new(values),
            lower_files: Vec::new(),
            values_from: Vec::new(),
            value_files,
            chart_path,
            values_key: None,
        });
    }
    // Flux: values from ConfigMaps and Secrets lie beneath the inline ones; which chart
    // they configure is decided once they are read.
    if !values_from.is_empty() {
        if let Some((chart, values)) = found.first() {
            out.push(Resource {
                api_group: crate::formats::units::PENDING_VALUES.to_string(),
                kind: chart.to_string(),
                sentinel_fields: Vec::new(),
                file,
                name: release,
                namespace,
                object: Arc::new(values.clone()),
                lower_files: Vec::new(),
                values_from,
                value_files: Vec::new(),
                chart_path: None,
                values_key: None,
            });
        }
        return out;
    }
    for (chart, values) in found {
        let Some((group, flavor, name)) = chart_values(chart, &values, release.clone()) else {
            continue;
        };
        out.push(Resource {
            api_group: group.to_string(),
            kind: flavor.to_string(),
            sentinel_fields: Vec::new(),
            file,
            name,
            namespace: namespace.clone(),
            object: Arc::new(values),
            lower_files: Vec::new(),
            values_from: Vec::new(),
            value_files: Vec::new(),
            chart_path: None,
            values_key: None,
        });
    }
    out
}

/// Which known chart a release's values configure: (group, kind, resource name).
pub fn chart_values(
    chart: &str,
    values: &Node,
    release: Option<String>,
) -> Option<(&'static str, &'static str, Option<String>)> {
    let named = |c: &str| chart == c || chart.ends_with(&format!("/{c}"));
    if named("redis-replication") || named("redis-sentinel") {
        let kind = if named("redis-replication") {
            "redis-replication-values"
        } else {
            "redis-sentinel-values"
        };
        // The chart names its resource after the release unless the values do.
        let name = opstree_values_name(values).or(release);
        Some((crate::formats::units::OPSTREE_VALUES, kind, name))
    } else if let Some(kind) =
        groundhog_values(values).filter(|_| named("redis") || named("valkey"))
    {
        Some((crate::formats::units::GROUNDHOG_VALUES, kind, release))
    } else if (named("redis") || named("valkey")) && is_bitnami_values(values) {
        let flavor = if named("valkey") {
            "valkey-values"
        } else {
            bitnami_flavor(values)
        };
        Some((crate::formats::units::BITNAMI_VALUES, flavor, release))
    } else if (named("redis-cluster") || named("valkey-cluster"))
        && values.get("redisCluster").is_none()
        && !chart.to_ascii_lowercase().contains("ot-")
    {
        // bitnami's cluster charts, by the chart's name (the values may set only
        // `cluster.nodes` / `cluster.replicas`).
        let kind = if named("valkey-cluster") {
            "valkey-cluster"
        } else {
            "redis-cluster"
        };
        Some((
            crate::formats::cluster_operators::BITNAMI_CLUSTER_VALUES,
            kind,
            release,
        ))
    } else if named("redis-cluster") && values.get("redisCluster").is_some() {
        // OpsTree's chart (bitnami's of the same name has `cluster:` instead).
        let name = opstree_values_name(values).or(release);
        Some((
            crate::formats::units::OPSTREE_VALUES,
            crate::formats::cluster_operators::OPSTREE_CLUSTER_VALUES,
            name,
        ))
    } else if named("redis-ha") {
        Some((
            crate::formats::units::REDIS_HA_VALUES,
            REDIS_HA_KIND,
            release,
        ))
    } else if named("valkey") && !is_bitnami_values(values) {
        // The official chart (valkey-io/valkey-helm): its values have no `sentinel`.
        Some((
            crate::formats::units::VALKEY_HELM_VALUES,
            "valkey-values",
            release,
        ))
    } else {
        None
    }
}

/// Values files kept in ConfigMap `data` and Secret `stringData` keys named `*.yaml` /
/// `*.yml`, for the releases whose `valuesFrom` name them.
pub fn values_sources(
    file: FileId,
    text: &str,
    yaml: &YamlFile,
) -> Vec<crate::formats::units::ValuesSource> {
    let mut out = Vec::new();
    for doc in &yaml.documents {
        for object in objects(doc) {
            let kind = object.get_str("kind").unwrap_or_default();
            let field = match kind {
                "ConfigMap" => "data",
                "Secret" => "stringData",
                _ => continue,
            };
            let Some(name) = object.at("metadata.name").and_then(Node::as_str) else {
                continue;
            };
            let Some(data) = object.get(field) else {
                continue;
            };
            for (key, value) in data.entries() {
                let Some(key) = key.as_str() else { continue };
                if !(key.ends_with(".yaml") || key.ends_with(".yml")) {
                    continue;
                }
                let Some(piece) = crate::syntax::yaml::embedded(text, value) else {
                    continue;
                };
                let Some(mut values) = crate::syntax::yaml::parse(&piece.text)
                    .documents
                    .into_iter()
                    .next()
                else {
                    continue;
                };
                if !matches!(values.kind, crate::syntax::yaml::Kind::Map(_)) {
                    continue;
                }
                remap_node(&mut values, &piece);
                out.push(crate::formats::units::ValuesSource {
                    kind: kind.to_string(),
                    namespace: object
                        .at("metadata.namespace")
                        .and_then(Node::as_str)
                        .map(str::to_string),
                    name: name.to_string(),
                    key: key.to_string(),
                    file,
                    values,
                });
            }
        }
    }
    out
}

/// Spans of a tree parsed from an embedded piece, moved to the file's offsets.
pub(crate) fn remap_node(node: &mut Node, piece: &crate::syntax::yaml::Embedded) {
    node.span = piece.range_to_file(node.span.clone());
    match &mut node.kind {
        crate::syntax::yaml::Kind::Seq(items) => {
            items.iter_mut().for_each(|n| remap_node(n, piece))
        }
        crate::syntax::yaml::Kind::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            remap_node(k, piece);
            remap_node(v, piece);
        }),
        crate::syntax::yaml::Kind::Scalar { .. } => {}
    }
}

/// A values file of OpsTree's `redis-replication` chart (a `redisReplication` map) or
/// `redis-sentinel` chart (`redisSentinel` / `redisSentinelConfig`), read at
/// OT-CONTAINER-KIT/redis-operator `charts/` (redis-replication 0.16.0–0.17.0,
/// redis-sentinel 0.16.x); the sibling `redis` and `redis-cluster` charts use
/// `redisStandalone` and `redisCluster`.
fn opstree_values_kind(doc: &Node) -> Option<&'static str> {
    if doc.get("apiVersion").is_some() || doc.get("kind").is_some() {
        return None;
    }
    // OpsTree's charts keep scalars there (`name`, `image`, `tag`, `clusterSize`); a
    // chart of one's own that nests `master:` / `sentinel:` maps under the same key
    // (`redisSentinel.master.command`) is not OpsTree's.
    let map = |key: &str| {
        doc.get(key).is_some_and(|n| {
            n.entries().next().is_some()
                && !["master", "slave", "replica", "sentinel", "primary"]
                    .iter()
                    .any(|k| n.get(k).is_some_and(|v| v.entries().next().is_some()))
        })
    };
    // The redis-cluster chart's section has its own fields (another chart's
    // `redisCluster: {enabled: true}` is not it).
    let cluster_fields = doc.get("redisCluster").is_some_and(|n| {
        ["clusterSize", "leader", "follower", "clusterVersion"]
            .iter()
            .any(|k| n.get(k).is_some())
    });
    if map("redisReplication") {
        Some("redis-replication-values")
    } else if map("redisSentinel") || map("redisSentinelConfig") {
        Some("redis-sentinel-values")
    } else if map("redisCluster") && cluster_fields {
        Some(crate::formats::cluster_operators::OPSTREE_CLUSTER_VALUES)
    } else {
        None
    }
}

/// The resource name an OpsTree chart renders when its values give one.
fn opstree_values_name(doc: &Node) -> Option<String> {
    [
        "redisReplication.name",
        "redisSentinel.name",
        "redisCluster.name",
    ]
    .iter()
    .find_map(|p| doc.at(p).and_then(Node::as_str))
    .filter(|n| !n.is_empty())
    .map(str::to_string)
}

/// A values file of the bitnami redis or valkey chart: no `apiVersion`/`kind`, a
/// `sentinel` map and one of the chart's other top-level keys.
/// Top-level sections of the bitnami redis and valkey charts' values: never a subchart's
/// name in an umbrella chart.
const BITNAMI_SECTIONS: &[&str] = &[
    "master",
    "primary",
    "replica",
    "sentinel",
    "auth",
    "global",
    "metrics",
    "tls",
    "networkPolicy",
    "serviceAccount",
    "volumePermissions",
    "sysctl",
];

/// A values file of the official Valkey chart (`valkey-io/valkey-helm` 0.9.0 on, the
/// releases with replication): a `replica` section with the chart's own keys
/// (`replicationUser`, `disklessSync`, `minReplicasToWrite`, `enabled` with `replicas`),
/// or its `valkeyConfig`, `dataStorage`, `auth.aclUsers` or `auth.usersExistingSecret`
/// beside `replica`. bitnami's charts have none of these.
fn is_valkey_helm_values(doc: &Node) -> bool {
    let own_replica_keys = doc.get("replica").is_some_and(|r| {
        ["replicationUser", "disklessSync", "minReplicasToWrite"]
            .iter()
            .any(|k| r.get(k).is_some())
            // bitnami counts with `replicaCount`.
            || (r.get("enabled").is_some() && r.get("replicas").is_some())
    });
    let own_top_keys = doc.get("replica").is_some()
        && (["valkeyConfig", "dataStorage"]
            .iter()
            .any(|k| doc.get(k).is_some())
            || ["auth.aclUsers", "auth.usersExistingSecret"]
                .iter()
                .any(|k| doc.at(k).is_some()));
    doc.get("apiVersion").is_none()
        && doc.get("kind").is_none()
        && doc.get("services").is_none()
        && doc.get("sentinel").is_none()
        && doc.get("architecture").is_none()
        && (own_replica_keys || own_top_keys)
}

/// Values of groundhog2k's `redis` or `valkey` chart (read at redis 2.4 / valkey 2.3):
/// the chart's `haMode` section (`masterGroupName`, `quorum`, `replicas`, …) at the top,
/// with `redisConfig` / `valkeyConfig` as text. The kind says which chart.
fn groundhog_values(doc: &Node) -> Option<&'static str> {
    let ha = doc.get("haMode")?;
    let own = [
        "masterGroupName",
        "quorum",
        "useDnsNames",
        "failoverWait",
        "replicas",
    ]
    .iter()
    .any(|k| ha.get(k).is_some())
        || ha.get("enabled").is_some();
    let foreign = [
        "apiVersion",
        "kind",
        "services",
        "architecture",
        "sentinel",
        "replica",
    ]
    .iter()
    .any(|k| doc.get(k).is_some());
    if !own || foreign {
        return None;
    }
    let valkey = doc.entries().any(|(k, _)| {
        k.as_str()
            .is_some_and(|k| k.to_ascii_lowercase().contains("valkey"))
    }) || doc
        .at("image.repository")
        .and_then(Node::as_str)
        .is_some_and(|r| r.contains("valkey"));
    Some(if valkey {
        "valkey-values"
    } else {
        "redis-values"
    })
}

/// The kind given to values of DandyDeveloper's `redis-ha` chart.
pub const REDIS_HA_KIND: &str = "redis-ha-values";

/// A values file of DandyDeveloper's `redis-ha` chart (read at chart 4.39.0): no
/// `apiVersion`/`kind`/`services`, none of bitnami's sections (`architecture`, `master`,
/// `replica`, `primary`), and one of the chart's own keys: `hardAntiAffinity`,
/// `redisPassword`, `persistentVolume`, `haproxy`, `splitBrainDetection`, `ro_replicas`,
/// `redis.masterGroupName`, or `sentinel.quorum` beside a top-level `replicas` count; and
/// a `sentinel` or `redis` section. (The older `stable/redis-ha` chart it grew from
/// has the same keys.)
pub fn is_redis_ha_values(doc: &Node) -> bool {
    let own_key = [
        "hardAntiAffinity",
        "redisPassword",
        "persistentVolume",
        "haproxy",
        "splitBrainDetection",
        "ro_replicas",
    ]
    .iter()
    .any(|k| doc.get(k).is_some())
        || doc.at("redis.masterGroupName").is_some()
        || (doc.at("sentinel.quorum").is_some()
            && doc.get("replicas").is_some_and(|n| n.as_i64().is_some()));
    matches!(doc.kind, crate::syntax::yaml::Kind::Map(_))
        && own_key
        && ["apiVersion", "kind", "services", "architecture", "master", "replica", "primary"]
            .iter()
            .all(|k| doc.get(k).is_none())
        // The chart's two sections (an unrelated chart may have a `persistentVolume`).
        && ["sentinel", "redis"]
            .iter()
            .any(|k| doc.get(k).is_some_and(|s| s.entries().next().is_some()))
}

fn is_bitnami_values(doc: &Node) -> bool {
    // Compose services (`sentinel: {image: redis:7}`, `sentinel_2: {build: ./s}`): the
    // charts' `image` is a map, and they build nothing.
    let services = doc.entries().any(|(_, v)| {
        v.get("image").is_some_and(|i| i.as_str().is_some()) || v.get("build").is_some()
    });
    !services
        && doc.get("apiVersion").is_none()
        && doc.get("kind").is_none()
        && doc.get("services").is_none()
        // `sentinel` at the top, or written one level too deep (`master.sentinel`),
        // which the chart ignores but which says whose values these are.
        && (["sentinel", "master.sentinel", "replica.sentinel", "primary.sentinel"]
            .iter()
            .any(|p| doc.at(p).is_some_and(|s| s.entries().next().is_some()))
            // `sentinal: {enabled: true}`, a typo of the section, says whose values
            // these are too (a compose v1 service `sentinel1:` has an image instead).
            || doc.entries().any(|(k, v)| {
                k.as_str().is_some_and(|k| {
                    k != "sentinel"
                        && crate::knowledge::did_you_mean(k, ["sentinel"]) == Some("sentinel")
                }) && v.get("enabled").is_some()
                    && v.get("image").is_none()
                    && v.get("build").is_none()
            }))
        && ["architecture", "replica", "master", "primary", "auth"]
            .iter()
            .any(|k| doc.get(k).is_some())
}

/// A values file of bitnami's `redis-cluster` or `valkey-cluster` chart: no
/// `apiVersion`/`kind`, a `cluster` map with the chart's keys, and the chart's `redis` /
/// `valkey` map or its password keys.
fn bitnami_cluster_values(doc: &Node) -> Option<&'static str> {
    if doc.get("apiVersion").is_some() || doc.get("kind").is_some() || doc.get("services").is_some()
    {
        return None;
    }
    let cluster = doc.get("cluster")?;
    if !["nodes", "replicas", "init", "externalAccess"]
        .iter()
        .any(|k| cluster.get(k).is_some())
    {
        return None;
    }
    let valkey = doc.get("valkey").is_some()
        || doc
            .at("image.repository")
            .and_then(Node::as_str)
            .is_some_and(|r| r.contains("valkey"));
    let redis = doc.get("redis").is_some() || doc.get("usePassword").is_some();
    match (valkey, redis) {
        (true, _) => Some("valkey-cluster"),
        (false, true) => Some("redis-cluster"),
        _ => None,
    }
}

/// Which bitnami chart a values file is for: `valkey-values` when it uses the valkey
/// chart's names (`primary`, `sentinel.primarySet`, a valkey image), else `values` (redis).
pub fn bitnami_flavor(doc: &Node) -> &'static str {
    let valkey_image = ["image.repository", "sentinel.image.repository"]
        .iter()
        .any(|p| {
            doc.at(p)
                .and_then(Node::as_str)
                .is_some_and(|r| r.contains("valkey"))
        });
    if doc.get("primary").is_some() || doc.at("sentinel.primarySet").is_some() || valkey_image {
        "valkey-values"
    } else {
        "values"
    }
}

#[cfg(test)]
mod tests {
    use super::base64_decode;

    #[test]
    fn literal_passwords_of_a_pod() {
        let text = "spec:\n  initContainers:\n    - name: init\n      image: redis:7\n      args:\n        - |\n          REDIS_PASSWORD=hunter2\n          echo \"sentinel auth-pass m $REDIS_PASSWORD\" >> /data/s.conf\n  containers:\n    - name: app\n      image: acme/api:1\n      env:\n        - {name: DB_PASSWORD, value: pg-secret}\n        - {name: REDIS_PASSWORD, value: hunter2}\n        - {name: ALLOW_EMPTY_PASSWORD, value: \"yes\"}\n        - name: REDIS_AUTH\n          valueFrom: {secretKeyRef: {name: r, key: p}}\n    - name: redis\n      image: redis:7\n      args: [\"--requirepass\", \"$(REDIS_PASSWORD)\", \"--masterauth\", \"hunter2\"]\n      readinessProbe:\n        exec:\n          command: [\"sh\", \"-c\", \"redis-cli -a hunter2 ping\"]\n      livenessProbe:\n        exec:\n          command: [redis-cli, -a, \"$(REDIS_PASSWORD)\", ping]\n";
        let yaml = crate::syntax::yaml::parse(text);
        let pod = yaml.documents[0].get("spec").unwrap();
        let found: Vec<&str> = super::pod_literal_passwords(text, pod)
            .into_iter()
            .map(|r| text[r].trim_matches('"'))
            .collect();
        // The init script's assignment, the application's REDIS_PASSWORD and the
        // server's --masterauth and its readiness probe's `-a`; not the database's
        // password, the switch, the Secret reference or the `$(VAR)`.
        assert_eq!(found, vec!["hunter2", "hunter2", "hunter2", "hunter2"]);
    }

    #[test]
    fn base64() {
        assert_eq!(
            base64_decode("U2VjcmV0LVBhc3MtMQ==").unwrap(),
            b"Secret-Pass-1"
        );
        assert_eq!(base64_decode("cG9y\ndA==").unwrap(), b"port");
        assert!(base64_decode("not base64!").is_none());
    }
}
