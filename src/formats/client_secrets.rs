//! Redis credentials that ConfigMaps hand to applications: a password-named entry
//! (`REDIS_PASSWORD: …`), a `redis://:…@host` URL, or a password key inside a config
//! file the ConfigMap holds, under a Redis or Sentinel section (`[sync_reader.sentinel]
//! password = …`, `spring.redis.password: …`). Only written-out values: variables,
//! templates and empty values are not passwords.

use crate::source::{FileId, Span};
use crate::syntax::yaml::{Node, YamlFile};

/// One literal Redis credential in a ConfigMap.
#[derive(Debug, Clone)]
pub struct ClientSecret {
    pub config_map: String,
    /// The data key (the variable, or the file that holds it).
    pub key: String,
    /// The value.
    pub span: Span,
}

/// The literal Redis credentials the ConfigMaps of a file hold.
pub fn client_secrets(file: FileId, text: &str, yaml: &YamlFile) -> Vec<ClientSecret> {
    let mut out = Vec::new();
    for doc in &yaml.documents {
        for object in super::kubernetes::objects(doc) {
            if object.get_str("kind") != Some("ConfigMap") {
                continue;
            }
            let Some(data) = object.get("data") else {
                continue;
            };
            let config_map = object
                .at("metadata.name")
                .and_then(Node::as_str)
                .unwrap_or_default();
            for (key, value) in data.entries() {
                let (Some(name), Some(content)) = (key.as_str(), value.as_str()) else {
                    continue;
                };
                let raw = text.get(value.span.clone()).unwrap_or_default();
                let mut push = |range: std::ops::Range<usize>| {
                    out.push(ClientSecret {
                        config_map: config_map.to_string(),
                        key: name.to_string(),
                        span: Span::new(file, range.start, range.end),
                    })
                };
                if let Some(r) = crate::knowledge::values::url_password(raw) {
                    if literal(&raw[r.clone()]) && names_redis(&raw[..r.start]) {
                        push(value.span.start + r.start..value.span.start + r.end);
                    }
                    continue;
                }
                if !content.contains('\n') {
                    if crate::formats::units::is_password_variable(name)
                        && names_redis(name)
                        && literal(content)
                    {
                        let trimmed = raw.trim_matches(['"', '\'']);
                        let at = raw.find(trimmed).unwrap_or(0);
                        push(value.span.start + at..value.span.start + at + trimmed.len());
                    }
                    continue;
                }
                // A config file in a block scalar: its lines are the source's lines
                // (a quoted scalar's are not). Program code is not a config.
                let code = [
                    ".py", ".js", ".ts", ".go", ".rb", ".java", ".sh", ".lua", ".php",
                ]
                .iter()
                .any(|ext| name.to_ascii_lowercase().ends_with(ext));
                if !raw.starts_with(['"', '\'']) && !code {
                    for r in file_passwords(raw) {
                        push(value.span.start + r.start..value.span.start + r.end);
                    }
                }
            }
        }
    }
    out
}

fn names_redis(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    ["redis", "sentinel", "valkey"]
        .iter()
        .any(|w| lower.contains(w))
}

/// A value written out: not empty, not a variable or a template, not a null.
fn literal(value: &str) -> bool {
    let v = value.trim().trim_matches(['"', '\'']);
    !v.is_empty()
        && !v.contains(['$', '{', '}', '<', '>', '%'])
        && !matches!(
            v.to_ascii_lowercase().as_str(),
            "null" | "none" | "~" | "nil" | "true" | "false" | "yes" | "no"
        )
}

/// The password values of a config file held in a block scalar (`raw` as written,
/// indicator line first), under a Redis section: a TOML/INI `[section]`, an ancestor
/// YAML key, or the key's own dotted name.
fn file_passwords(raw: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut section = String::new();
    // YAML ancestors: (indentation, key).
    let mut parents: Vec<(usize, String)> = Vec::new();
    let mut offset = 0;
    for line in raw.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let trimmed = body.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let indent = body.len() - trimmed.len();
        if trimmed.starts_with('[') {
            section = trimmed.trim_end().to_string();
            parents.clear();
            continue;
        }
        let Some(sep) = trimmed.find(['=', ':']) else {
            continue;
        };
        let key = trimmed[..sep].trim();
        let value = trimmed[sep + 1..].trim();
        if key.is_empty() || key.contains(' ') {
            continue;
        }
        parents.retain(|(i, _)| *i < indent);
        if value.is_empty() {
            parents.push((indent, key.to_string()));
            continue;
        }
        let under_redis = names_redis(key)
            || names_redis(&section)
            || parents.iter().any(|(_, k)| names_redis(k));
        if !(crate::formats::units::is_password_variable(key) && under_redis && literal(value)) {
            continue;
        }
        // The value without quotes and trailing comments; an expression is code.
        let value = value.split(" #").next().unwrap_or(value).trim();
        if value.ends_with([',', ';']) || value.contains(['(', ')']) {
            continue;
        }
        let bare = value.trim_matches(['"', '\'']);
        let Some(at) = body.rfind(bare) else { continue };
        out.push(start + at..start + at + bare.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        let yaml = crate::syntax::yaml::parse(text);
        client_secrets(FileId(0), text, &yaml)
            .into_iter()
            .map(|s| text[s.span.start as usize..s.span.end as usize].to_string())
            .collect()
    }

    #[test]
    fn variables_urls_and_files_of_a_config_map() {
        let text = "kind: ConfigMap\nmetadata:\n  name: app\ndata:\n  REDIS_PASSWORD: \"p-one\"\n  DB_PASSWORD: other\n  REDIS_URL: redis://:p-two@redis:6379/0\n  SENTINEL_PASSWORD: ${FROM_ENV}\n  shake.toml: |\n    [sync_reader.sentinel]\n    master_name = \"mymaster\"\n    password = \"p-three\"\n    [mysql]\n    password = \"other\"\n  application.yml: |\n    spring:\n      datasource:\n        password: other\n      redis:\n        password: p-four # app\n        timeout: 5\n        sentinel:\n          password: get(x),\n";
        assert_eq!(found(text), ["p-one", "p-two", "p-three", "p-four"]);
    }

    #[test]
    fn other_kinds_and_placeholders_are_left() {
        let text = "kind: Secret\nmetadata:\n  name: s\nstringData:\n  REDIS_PASSWORD: real\n---\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  REDIS_PASSWORD: \"\"\n  app.properties: |\n    spring.redis.password=${REDIS_PASSWORD}\n    spring.redis.host=redis\n";
        assert!(found(text).is_empty());
    }
}
