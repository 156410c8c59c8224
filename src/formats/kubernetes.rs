//! Kubernetes manifests: configs embedded in ConfigMaps and Secrets (`stringData`), read
//! as if they were files, with positions inside the YAML.

use crate::formats::conf::ConfFile;
use crate::formats::detect::classify;
use crate::source::FileId;
use crate::syntax::redis_conf::{self, ConfTree};
use crate::syntax::yaml::{embedded, Embedded, Node, YamlFile};
use std::path::Path;

/// Every redis/sentinel config stored as a value of a ConfigMap or Secret.
pub fn embedded_configs(file: FileId, path: &Path, text: &str, yaml: &YamlFile) -> Vec<ConfFile> {
    let mut out = Vec::new();
    for doc in &yaml.documents {
        for object in objects(doc) {
            let kind = object.get_str("kind").unwrap_or_default();
            let fields: &[&str] = match kind {
                "ConfigMap" => &["data"],
                "Secret" => &["stringData"],
                _ => continue,
            };
            for field in fields {
                let Some(data) = object.get(field) else {
                    continue;
                };
                for (key, value) in data.entries() {
                    let Some(name) = key.as_str() else { continue };
                    if let Some(mut conf) = embedded_config(file, path, name, text, value) {
                        let object_name = object
                            .at("metadata.name")
                            .and_then(Node::as_str)
                            .unwrap_or_default();
                        conf.embedded_in = Some((object_name.to_string(), name.to_string()));
                        out.push(conf);
                    }
                }
            }
        }
    }
    out
}

/// The objects of a document: itself, or the items of a `kind: List`.
pub fn objects(doc: &Node) -> Vec<&Node> {
    match (doc.get_str("kind"), doc.get("items").and_then(Node::as_seq)) {
        (Some("List"), Some(items)) => items.iter().collect(),
        _ => vec![doc],
    }
}

fn embedded_config(
    file: FileId,
    path: &Path,
    key: &str,
    text: &str,
    value: &Node,
) -> Option<ConfFile> {
    let lower = key.to_ascii_lowercase();
    if !(lower.ends_with(".conf") || lower.contains("redis") || lower.contains("sentinel"))
        || lower.ends_with(".sh")
    {
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
    let mut conf = ConfFile::from_tree(file, kind, tree).with_text(text.into());
    conf.embedded = true;
    Some(conf)
}

/// Move every position of a config parsed from an embedded value into file offsets.
fn remap(mut tree: ConfTree, piece: &Embedded) -> ConfTree {
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
pub fn resources(file: FileId, yaml: &YamlFile) -> Vec<crate::model::topology::Resource> {
    use crate::model::topology::{Resource, BITNAMI_VALUES};
    let mut out = Vec::new();
    for doc in &yaml.documents {
        if is_bitnami_values(doc) {
            out.push(Resource {
                api_group: BITNAMI_VALUES.to_string(),
                kind: "values".to_string(),
                sentinel_fields: Vec::new(),
                file,
                name: None,
                namespace: None,
                object: doc.clone(),
            });
            continue;
        }
        for object in objects(doc) {
            let (Some(api), Some(kind)) = (object.get_str("apiVersion"), object.get_str("kind"))
            else {
                continue;
            };
            // A Flux HelmRelease of the bitnami redis chart carries its values inline.
            if kind == "HelmRelease" {
                let chart = object.at("spec.chart.spec.chart").and_then(Node::as_str);
                if let (Some(chart), Some(values)) = (chart, object.at("spec.values")) {
                    if (chart == "redis" || chart.ends_with("/redis")) && is_bitnami_values(values)
                    {
                        let metadata = object.get("metadata");
                        out.push(Resource {
                            api_group: BITNAMI_VALUES.to_string(),
                            kind: "values".to_string(),
                            sentinel_fields: Vec::new(),
                            file,
                            name: metadata.and_then(|m| m.get_str("name")).map(str::to_string),
                            namespace: metadata
                                .and_then(|m| m.get_str("namespace"))
                                .map(str::to_string),
                            object: values.clone(),
                        });
                    }
                }
                continue;
            }
            let api_group = if api.contains('/') {
                api.split('/').next().unwrap_or_default().to_string()
            } else {
                String::new() // the core group (`v1`)
            };
            if !(api_group.contains("redis")
                || api_group == "databases.spotahome.com"
                || (api_group.is_empty() && kind == "Secret"))
            {
                continue;
            }
            let spec = object.get("spec");
            let sentinel_fields = ["mode", "redisSentinelConfig", "sentinel"]
                .iter()
                .filter_map(|f| {
                    let key = spec?.key_node(f)?;
                    Some((
                        crate::source::Span::new(file, key.span.start, key.span.end),
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
                object: object.clone(),
            });
        }
    }
    out
}

/// A values file of the bitnami redis chart: no `apiVersion`/`kind`, a `sentinel` map and
/// one of the chart's other top-level keys.
fn is_bitnami_values(doc: &Node) -> bool {
    doc.get("apiVersion").is_none()
        && doc.get("kind").is_none()
        && doc.get("services").is_none()
        && doc
            .get("sentinel")
            .is_some_and(|s| s.entries().next().is_some())
        && ["architecture", "replica", "master", "auth"]
            .iter()
            .any(|k| doc.get(k).is_some())
}
