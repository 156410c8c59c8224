//! The server's settings: the same ones as the CLI's, from the command line and from the
//! client (`initializationOptions`, `workspace/didChangeConfiguration`).
//!
//! Accepted JSON, at the top level or under a `"redis-halint"` key:
//! `{"targetVersion": "redis-7.0"}`.

use crate::{Settings, Target};

#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    /// `--target-version` given on the command line.
    pub target_version: Option<String>,
}

impl ServerOptions {
    /// Settings from the command line alone.
    pub fn settings(&self) -> Result<Settings, String> {
        let target = match &self.target_version {
            Some(t) => Target::parse(t)?,
            None => Target::default(),
        };
        Ok(Settings {
            target,
            ..Settings::default()
        })
    }
}

/// Apply client options over `base`. Unknown keys are ignored (clients send their own).
pub fn from_client(base: &Settings, value: &serde_json::Value) -> Result<Settings, String> {
    let value = value.get("redis-halint").unwrap_or(value);
    let mut settings = base.clone();
    match value.get("targetVersion") {
        None | Some(serde_json::Value::Null) => {}
        Some(serde_json::Value::String(s)) if s.is_empty() => {}
        Some(serde_json::Value::String(s)) => {
            settings.target = Target::parse(s).map_err(|e| format!("targetVersion: {e}"))?
        }
        Some(other) => return Err(format!("targetVersion: expected a string, got {other}")),
    }
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn target_version_from_client() {
        let base = Settings::default();
        let s = from_client(&base, &json!({"targetVersion": "redis-7.0"})).unwrap();
        assert_eq!(s.target, Target::redis(7, 0));
        let s = from_client(
            &base,
            &json!({"redis-halint": {"targetVersion": "redis-6.2"}}),
        )
        .unwrap();
        assert_eq!(s.target, Target::redis(6, 2));
        assert!(from_client(&base, &json!({"targetVersion": 7})).is_err());
        assert!(from_client(&base, &json!({"targetVersion": "nope-1"})).is_err());
        let s = from_client(&base, &json!(null)).unwrap();
        assert_eq!(s.target, base.target);
    }
}
