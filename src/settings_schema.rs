//! The shape of `redis-halint.toml` as types, and the JSON Schema generated from them
//! (`schema/redis-halint.schema.json`, for editors: Even Better TOML / taplo complete and
//! check the file with it).
//!
//! `settings.rs` reads the file by hand, to report every problem at its position; the
//! keys it knows are its tables (`settings::LINT_KEYS`, …). A test keeps both in step:
//! the properties of each table of this schema are exactly those keys, and the committed
//! schema is what [`json`] generates today (`tests/config_schema.rs`).

use crate::rules::{REDIRECTS, RULES};
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Deserialize;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

/// redis-halint configuration (`redis-halint.toml` or `.redis-halint.toml`). The nearest
/// one above a checked file applies to it; command-line options win.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(title = "redis-halint.toml")]
pub struct ConfigFile {
    /// Another configuration file to inherit from, relative to this one.
    pub extend: Option<String>,
    /// Which rules run, how findings fail the run, and which files are read.
    pub lint: Option<Lint>,
    /// What runs outside the checked tree.
    pub topology: Option<Topology>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Lint {
    /// The rules to run (names, codes, code prefixes, categories, or `all`); replaces the
    /// default selection.
    #[serde(default)]
    #[schemars(schema_with = "selectors")]
    pub select: Option<Vec<String>>,
    /// Rules to run in addition to `select`.
    #[serde(default)]
    #[schemars(schema_with = "selectors")]
    pub extend_select: Option<Vec<String>>,
    /// Rules not to run.
    #[serde(default)]
    #[schemars(schema_with = "selectors")]
    pub ignore: Option<Vec<String>>,
    /// Rules not to run in the files a glob matches (relative to this file).
    #[serde(default)]
    #[schemars(schema_with = "per_file_ignores")]
    pub per_file_ignores: Option<BTreeMap<String, Vec<String>>>,
    /// Severity of a rule, by name or code.
    #[serde(default)]
    #[schemars(schema_with = "severities")]
    pub severity: Option<BTreeMap<String, String>>,
    /// Lowest severity that makes the exit code 1 (settings for the whole run come from
    /// the configuration of the first path checked).
    pub fail_on: Option<FailOn>,
    /// The Redis or Valkey release the deployment runs (`redis-7.0`, `redis-7.2.4`,
    /// `valkey-8.0`); default: the newest Redis.
    #[schemars(regex(pattern = r"^(redis|valkey)-[0-9]+\.[0-9]+(\.[0-9]+)?$"))]
    pub target_version: Option<String>,
    /// Globs of files not to read, relative to this file (also files named explicitly).
    pub exclude: Option<Vec<String>>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Topology {
    /// Processes of a master name that run outside the checked tree, by master name.
    pub groups: Option<BTreeMap<String, Group>>,
    /// Failure domains: sentinels are placed by `bind`, `sentinel announce-ip`, or a
    /// directory of their path named in `hosts`.
    pub sites: Option<Vec<Site>>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Group {
    /// Sentinels of this master name that run elsewhere.
    pub sentinels_elsewhere: Option<u32>,
    /// Replicas of this master name that run elsewhere.
    pub replicas_elsewhere: Option<u32>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Site {
    /// The site's name, as findings show it.
    pub name: String,
    /// Addresses or CIDR ranges of the site.
    pub addresses: Option<Vec<String>>,
    /// Directory names (hosts) of the checked tree that belong to the site.
    pub hosts: Option<Vec<String>>,
    /// Zone names of the site.
    pub zones: Option<Vec<String>>,
}

/// Every rule name and code, and the retired ones that still work.
fn rule_keys() -> Vec<String> {
    let mut keys: Vec<String> = RULES.iter().map(|r| r.name.to_string()).collect();
    keys.extend(RULES.iter().map(|r| r.code.to_string()));
    keys.extend(REDIRECTS.iter().map(|r| r.name.to_string()));
    keys.extend(REDIRECTS.iter().map(|r| r.code.to_string()));
    keys
}

/// What `--select` accepts: `all`, rule names and codes, code prefixes, categories.
fn selector_values() -> Vec<String> {
    let mut prefixes = BTreeSet::new();
    for r in RULES {
        for end in 1..r.code.len() {
            prefixes.insert(r.code[..end].to_string());
        }
    }
    let categories: BTreeSet<&str> = RULES.iter().map(|r| r.category.as_str()).collect();
    let mut values = vec!["all".to_string()];
    values.extend(rule_keys());
    values.extend(prefixes);
    values.extend(categories.into_iter().map(String::from));
    values
}

fn selector_list() -> serde_json::Value {
    json!({ "type": "array", "items": { "type": "string", "enum": selector_values() } })
}

fn selectors(_: &mut SchemaGenerator) -> Schema {
    selector_list().try_into().expect("a schema object")
}

fn per_file_ignores(_: &mut SchemaGenerator) -> Schema {
    json!({ "type": "object", "additionalProperties": selector_list() })
        .try_into()
        .expect("a schema object")
}

fn severities(_: &mut SchemaGenerator) -> Schema {
    json!({
        "type": "object",
        "propertyNames": { "enum": rule_keys() },
        "additionalProperties": { "type": "string", "enum": ["error", "warning", "info"] }
    })
    .try_into()
    .expect("a schema object")
}

fn schema() -> serde_json::Value {
    let mut value = serde_json::to_value(schemars::schema_for!(ConfigFile)).expect("serializable");
    drop_null(&mut value);
    value
}

/// TOML has no null (an absent key is how a setting is left out): `Option<T>` is
/// described as `T`, not as "T or null".
fn drop_null(value: &mut serde_json::Value) {
    let null = json!({ "type": "null" });
    if let Some(object) = value.as_object_mut() {
        if object.get("default") == Some(&serde_json::Value::Null) {
            object.remove("default");
        }
        if let Some(serde_json::Value::Array(types)) = object.get_mut("type") {
            types.retain(|t| t != "null");
            if types.len() == 1 {
                let only = types[0].clone();
                object.insert("type".into(), only);
            }
        }
        if let Some(serde_json::Value::Array(any)) = object.get("anyOf") {
            let rest: Vec<_> = any.iter().filter(|s| **s != null).cloned().collect();
            if rest.len() == 1 && rest.len() < any.len() {
                object.remove("anyOf");
                if let serde_json::Value::Object(inner) = &rest[0] {
                    for (k, v) in inner {
                        object.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        for v in object.values_mut() {
            drop_null(v);
        }
    } else if let Some(items) = value.as_array_mut() {
        items.iter_mut().for_each(drop_null);
    }
}

/// The schema, as committed in `schema/redis-halint.schema.json`.
pub fn json() -> String {
    let mut text = serde_json::to_string_pretty(&schema()).expect("serializable");
    text.push('\n');
    text
}

/// The property names of each table of the schema, as `settings.rs` names its tables.
pub fn tables() -> Vec<(&'static str, Vec<String>)> {
    let schema = schema();
    let props = |v: &serde_json::Value| -> Vec<String> {
        v["properties"]
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    };
    let def = |name: &str| props(&schema["$defs"][name]);
    vec![
        ("top", props(&schema)),
        ("lint", def("Lint")),
        ("topology", def("Topology")),
        ("group", def("Group")),
        ("site", def("Site")),
    ]
}
