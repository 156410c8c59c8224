//! Containers of Kubernetes workloads that run a bitnami image on its own start: the
//! config the image's scripts write from the container's environment
//! (`REDIS_REPLICATION_MODE`, `REDIS_MASTER_HOST`, `REDIS_SENTINEL_QUORUM`, …), each
//! value pointed at where it is written: the `env` entry, or the ConfigMap key it reads.

use super::*;
use crate::formats::compose::EnvVar;
use crate::formats::kubernetes::ConfigMapValue;
use crate::formats::workload::Container;

/// The config a container's image writes from its environment, and whether every
/// variable it reads is seen (an `envFrom` of a Secret, or of a ConfigMap not in the
/// tree, may set any of them).
pub(super) struct EnvConfigured {
    pub conf: ConfFile,
    pub complete: bool,
}

impl Workspace {
    /// The configs of the containers of the tree's workloads that a bitnami image
    /// writes from their environment, by (manifest, container index).
    pub(super) fn env_configured(&self) -> HashMap<(FileId, usize), EnvConfigured> {
        let mut out = HashMap::new();
        let mut values: HashMap<&str, Vec<&ConfigMapValue>> = HashMap::new();
        for id in self.sorted_ids() {
            for v in &self.entries[&id].parsed().config_map_values {
                values.entry(v.config_map.as_str()).or_default().push(v);
            }
        }
        for id in self.sorted_ids() {
            let source = &self.entries[&id].source;
            for (ci, container) in self.entries[&id].parsed().containers.iter().enumerate() {
                if !container.configured_by_env {
                    continue;
                }
                let Some((image, _)) = &container.image else {
                    continue;
                };
                // A ConfigMap of the same folder first, else one elsewhere in the tree.
                let dir = self.dir_of(id);
                let map = |name: &str| -> Option<Vec<&ConfigMapValue>> {
                    let all = values.get(name)?;
                    let near: Vec<&ConfigMapValue> = all
                        .iter()
                        .copied()
                        .filter(|v| self.dir_of(v.span.file) == dir)
                        .collect();
                    Some(if near.is_empty() { all.clone() } else { near })
                };
                let (env, complete) = environment(source, container, &map);
                let Some(conf) = compose::bitnami_container_conf(
                    id,
                    source.text(),
                    image,
                    &env,
                    &container.name_span,
                ) else {
                    continue;
                };
                out.insert((id, ci), EnvConfigured { conf, complete });
            }
        }
        out
    }
}

/// The container's variables in the order Kubernetes sets them (`envFrom` first, `env`
/// over it), and whether all are known.
fn environment<'a>(
    manifest: &SourceFile,
    container: &Container,
    map: &dyn Fn(&str) -> Option<Vec<&'a ConfigMapValue>>,
) -> (Vec<EnvVar>, bool) {
    let mut env = Vec::new();
    let mut complete = !container.env_from_secret;
    let from_config_map = |name: String, v: &ConfigMapValue| EnvVar {
        name,
        value: Some(v.value.clone()),
        span: v.span.range(),
        literal: false,
        from_file: None,
        written_in: Some(v.span.file),
    };
    for name in &container.env_from_config_maps {
        match map(name) {
            Some(entries) => {
                env.extend(entries.iter().map(|v| from_config_map(v.key.clone(), v)));
            }
            None => complete = false,
        }
    }
    for (name, value, entry) in &container.env_vars {
        let by_ref = container
            .config_map_env
            .iter()
            .find(|(var, _, _, at)| var == name && at == entry);
        if let Some((_, map_name, key, _)) = by_ref {
            let found =
                map(map_name).and_then(|entries| entries.iter().find(|v| &v.key == key).copied());
            match found {
                Some(v) => env.push(from_config_map(name.clone(), v)),
                None => env.push(EnvVar {
                    name: name.clone(),
                    value: None,
                    span: entry.clone(),
                    literal: false,
                    from_file: None,
                    written_in: None,
                }),
            }
            continue;
        }
        let span = match value {
            Some(_) => super::value_in_entry(manifest.text(), entry).unwrap_or(entry.clone()),
            None => entry.clone(),
        };
        env.push(EnvVar {
            name: name.clone(),
            value: value.clone(),
            span,
            literal: value.is_some(),
            from_file: None,
            written_in: None,
        });
    }
    (env, complete)
}
