//! The JSON Schema of `redis-halint.toml`: the committed file is what the settings types
//! generate, it names the same keys as the reader, it enumerates the rules, and the
//! example configurations of the README and of the fixtures validate against it.
//!
//! After changing `src/settings_schema.rs`, regenerate the committed schema with
//! `REDIS_HALINT_UPDATE_SCHEMA=1 cargo test --test config_schema`.

use redis_halint::rules::RULES;
use redis_halint::settings;
use redis_halint::settings_schema;
use std::path::{Path, PathBuf};

const COMMITTED: &str = "schema/redis-halint.schema.json";

fn validator() -> jsonschema::Validator {
    let schema: serde_json::Value = serde_json::from_str(&settings_schema::json()).unwrap();
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

fn errors(validator: &jsonschema::Validator, toml_text: &str) -> Vec<String> {
    let value: serde_json::Value = toml::from_str(toml_text).expect("valid TOML");
    validator
        .iter_errors(&value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn committed_schema_is_generated_from_the_types() {
    let generated = settings_schema::json();
    if std::env::var_os("REDIS_HALINT_UPDATE_SCHEMA").is_some() {
        std::fs::create_dir_all("schema").unwrap();
        std::fs::write(COMMITTED, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(COMMITTED).unwrap_or_default();
    assert!(
        committed == generated,
        "{COMMITTED} is stale: run `REDIS_HALINT_UPDATE_SCHEMA=1 cargo test --test config_schema` and commit it"
    );
}

#[test]
fn schema_names_the_keys_the_reader_knows() {
    let reader: [(&str, &[&str]); 5] = [
        ("top", settings::TOP_KEYS),
        ("lint", settings::LINT_KEYS),
        ("topology", settings::TOPOLOGY_KEYS),
        ("group", settings::GROUP_KEYS),
        ("site", settings::SITE_KEYS),
    ];
    let schema = settings_schema::tables();
    for ((table, keys), (name, props)) in reader.iter().zip(&schema) {
        assert_eq!(table, name);
        let mut keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
        let mut props = props.clone();
        keys.sort();
        props.sort();
        assert_eq!(
            keys, props,
            "table {table}: the reader and the schema differ"
        );
    }
}

#[test]
fn rules_are_enumerated_for_select_ignore_and_severity() {
    let v = validator();
    for r in RULES {
        let text = format!(
            "[lint]\nselect = [\"{name}\", \"{code}\"]\nignore = [\"{name}\"]\n[lint.severity]\n{name} = \"error\"\n{code} = \"info\"\n[lint.per-file-ignores]\n\"a/*.conf\" = [\"{name}\"]\n",
            name = r.name,
            code = r.code
        );
        assert!(
            errors(&v, &text).is_empty(),
            "{}: {:?}",
            r.name,
            errors(&v, &text)
        );
    }
    for ok in [
        "[lint]\nselect = [\"all\", \"Q\", \"auth\"]",
        "[lint]\nfail-on = \"never\"\ntarget-version = \"valkey-8.0\"",
    ] {
        assert!(errors(&v, ok).is_empty(), "{ok}: {:?}", errors(&v, ok));
    }
    for bad in [
        "[lint]\nselect = [\"no-such-rule\"]",
        "[lint]\nextend-select = [\"sentinel-count-evn\"]",
        "[lint.severity]\nno-such-rule = \"error\"",
        "[lint.severity]\nsentinel-count-even = \"fatal\"",
        "[lint]\nfail-on = \"sometimes\"",
        "[lint]\ntarget-version = \"redis7\"",
        "[lint]\nunknown-key = 1",
        "[topology.groups.mymaster]\nsentinels = 2",
        "[[topology.sites]]\naddresses = [\"10.0.0.0/8\"]",
    ] {
        assert!(!errors(&v, bad).is_empty(), "the schema accepts {bad:?}");
    }
}

/// Every fenced ```toml block of the README.
fn readme_examples() -> Vec<String> {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let mut out = Vec::new();
    let mut block: Option<String> = None;
    for line in readme.lines() {
        match (&mut block, line.trim_start()) {
            (None, l) if l.starts_with("```toml") => block = Some(String::new()),
            (Some(b), l) if l.starts_with("```") => {
                out.push(std::mem::take(b));
                block = None;
            }
            (Some(b), _) => {
                b.push_str(line);
                b.push('\n');
            }
            _ => {}
        }
    }
    out
}

fn config_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            config_files(&path, out);
        } else if settings::is_config_file(&path) {
            out.push(path);
        }
    }
}

#[test]
fn readme_and_fixture_configs_validate() {
    let v = validator();
    let examples = readme_examples();
    assert!(!examples.is_empty(), "the README has no toml example");
    for text in &examples {
        assert!(
            errors(&v, text).is_empty(),
            "README example:\n{text}\n{:?}",
            errors(&v, text)
        );
    }
    // Fixture configs the reader accepts validate; the ones it reports (the bad fixture
    // of invalid-config) are rejected by the schema too.
    let mut files = Vec::new();
    config_files(Path::new("fixtures"), &mut files);
    config_files(Path::new("examples"), &mut files);
    assert!(files.len() > 3, "{files:?}");
    let (mut accepted, mut rejected) = (0, 0);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let (_, problems) = settings::parse(&text, &file, file.parent().unwrap());
        let Ok(value) = toml::from_str::<serde_json::Value>(&text) else {
            assert!(!problems.is_empty(), "{file:?}: not TOML, yet no problem");
            continue;
        };
        let found: Vec<String> = v.iter_errors(&value).map(|e| e.to_string()).collect();
        if problems.is_empty() {
            assert!(found.is_empty(), "{file:?}: {found:?}");
            accepted += 1;
        } else {
            assert!(
                !found.is_empty(),
                "{file:?}: the reader reports {problems:?}, the schema accepts it"
            );
            rejected += 1;
        }
    }
    assert!(accepted > 0 && rejected > 0, "{accepted} {rejected}");
}
