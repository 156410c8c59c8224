//! Helm values as they are deployed: layered values files, Flux `valuesFrom`, Argo CD
//! value files.

use super::*;

impl Workspace {
    /// The section of an umbrella chart's `values.yaml` for a bitnami `redis` or `valkey`
    /// (or DandyDeveloper `redis-ha`) subchart its `Chart.yaml` depends on (`dependencies: [{name: valkey, repository:
    /// oci://…/bitnamicharts}]`, under the dependency's alias or name): that chart's
    /// values, even without a `sentinel` key (its replication architecture without
    /// Sentinel). A dependency whose `condition` the values switch off deploys nothing.
    pub(super) fn subchart_values(
        &self,
        mut resources: Vec<crate::formats::units::Resource>,
    ) -> Vec<crate::formats::units::Resource> {
        for id in self.sorted_ids() {
            let entry = &self.entries[&id];
            let path = &entry.source.path;
            if path.file_name().is_none_or(|n| n != "Chart.yaml") {
                continue;
            }
            let chart = yaml::parse(entry.source.text());
            let Some(deps) = chart
                .documents
                .first()
                .and_then(|d| d.get("dependencies"))
                .and_then(yaml::Node::as_seq)
            else {
                continue;
            };
            let Some(&values_id) = self.by_path.get(&path.with_file_name("values.yaml")) else {
                continue;
            };
            let values = yaml::parse(self.entries[&values_id].source.text());
            let Some(values) = values.documents.into_iter().next() else {
                continue;
            };
            for dep in deps {
                let Some((name, key)) = bitnami_chart(dep).or_else(|| redis_ha_chart(dep)) else {
                    continue;
                };
                let (name, key) = (name.as_str(), key.as_str());
                let switched_off = dep
                    .get_str("condition")
                    .and_then(|c| values.at(c))
                    .and_then(yaml::Node::as_bool_11)
                    == Some(false);
                let known = resources
                    .iter()
                    .any(|r| r.file == values_id && r.values_key.as_deref() == Some(key));
                let Some(section) = values.get(key).filter(|_| !switched_off && !known) else {
                    continue;
                };
                let (group, kind) = match name {
                    "redis-ha" => (
                        crate::formats::units::REDIS_HA_VALUES,
                        crate::formats::kubernetes::REDIS_HA_KIND,
                    ),
                    "valkey" => (crate::formats::units::BITNAMI_VALUES, "valkey-values"),
                    "redis-cluster" | "valkey-cluster" => (
                        crate::formats::cluster_operators::BITNAMI_CLUSTER_VALUES,
                        if name == "valkey-cluster" {
                            "valkey-cluster"
                        } else {
                            "redis-cluster"
                        },
                    ),
                    _ => (
                        crate::formats::units::BITNAMI_VALUES,
                        crate::formats::kubernetes::bitnami_flavor(section),
                    ),
                };
                resources.push(crate::formats::units::Resource {
                    values_key: Some(key.to_string()),
                    ..crate::formats::units::Resource::values(
                        group,
                        kind,
                        values_id,
                        section.clone(),
                    )
                });
            }
        }
        resources
    }

    /// Values files laid over a chart's values: `values-prod.yaml`, `values.prod.yaml` or
    /// `prod-values.yaml` beside a `values.yaml` of a known chart is deployed as
    /// `helm … -f values.yaml -f values-prod.yaml`, so each such file becomes one values
    /// resource merged over `values.yaml` (its findings at the line of the value that won),
    /// and `values.yaml` alone is not a deployment of its own.
    pub(super) fn layered_values(
        &self,
        mut resources: Vec<crate::formats::units::Resource>,
    ) -> Vec<crate::formats::units::Resource> {
        let bases: Vec<usize> = resources
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                r.is_chart_values()
                    && r.name.is_none()
                    && self.entries.get(&r.file).is_some_and(|e| {
                        e.source
                            .path
                            .file_name()
                            .is_some_and(|n| n == "values.yaml" || n == "values.yml")
                    })
            })
            .map(|(i, _)| i)
            .collect();
        if bases.is_empty() {
            return resources;
        }
        // Values overlays of the tree by folder, found once.
        let mut overlays_in: HashMap<&Path, Vec<FileId>> = HashMap::new();
        for (path, id) in &self.by_path {
            if is_values_overlay(path) {
                let dir = path.parent().unwrap_or(Path::new(""));
                overlays_in.entry(dir).or_default().push(*id);
            }
        }
        let mut replaced: HashSet<FileId> = HashSet::new();
        let mut layered = Vec::new();
        for b in bases {
            let base = resources[b].clone();
            let dir = self.dir_of(base.file);
            let overlays = overlays_in.get(dir).cloned().unwrap_or_default();
            for id in overlays.into_iter().filter(|id| *id != base.file) {
                let text = self.entries[&id].source.text();
                let parsed = yaml::parse(text);
                let Some(over) = parsed.documents.first() else {
                    continue;
                };
                if over.get("apiVersion").is_some() || over.get("kind").is_some() {
                    continue;
                }
                // A subchart's values: the overlay's map at the same key, if it has one.
                let over = match &base.values_key {
                    Some(key) => match over.get(key) {
                        Some(sub) => sub,
                        None => continue,
                    },
                    None => over,
                };
                let mut r = base.clone();
                r.object = Arc::new(yaml::layered(&base.object, over));
                r.file = id;
                r.lower_files = vec![base.file];
                layered.push(r);
                replaced.insert(id);
                replaced.insert(base.file);
            }
        }
        if layered.is_empty() {
            return resources;
        }
        resources.retain(|r| !(r.is_chart_values() && replaced.contains(&r.file)));
        resources.extend(layered);
        resources
    }

    /// Releases that scripts install with `helm install|upgrade|template CHART -f FILE
    /// --set k=v`: the files (found beside the script, or from the tree's root) laid in
    /// order, the command line's values on top, for a known chart. The values files are
    /// then not deployments of their own.
    pub(super) fn script_releases(
        &self,
        mut resources: Vec<crate::formats::units::Resource>,
    ) -> Vec<crate::formats::units::Resource> {
        let mut replaced: HashSet<FileId> = HashSet::new();
        let mut added = Vec::new();
        for id in self.sorted_ids() {
            let entry = &self.entries[&id];
            for release in &entry.parsed().helm_releases {
                // Only what the command line sets makes the script a deployment of its
                // own; `-f values.yaml` alone is that file's deployment.
                let Some(set) = &release.set else { continue };
                let mut files: Vec<FileId> = Vec::new();
                for written in &release.value_files {
                    let beside = self.dir_of(id).join(written.trim_start_matches("./"));
                    let found = self.by_path.get(&beside).or_else(|| {
                        self.by_path
                            .get(Path::new(written.trim_start_matches("./")))
                    });
                    match found {
                        Some(f) => files.push(*f),
                        None => files.clear(),
                    }
                }
                if files.len() != release.value_files.len() {
                    continue; // values the tree does not hold: not judged
                }
                let mut object: Option<yaml::Node> = None;
                for f in &files {
                    let parsed = yaml::parse(self.entries[f].source.text());
                    let Some(doc) = parsed.documents.into_iter().next() else {
                        continue;
                    };
                    object = Some(match object {
                        Some(acc) => yaml::layered(&acc, &doc),
                        None => doc,
                    });
                }
                let object = match object {
                    Some(acc) => yaml::layered(&acc, set),
                    None => set.clone(),
                };
                let Some((group, kind, name)) = crate::formats::kubernetes::chart_values(
                    &release.chart,
                    &object,
                    release.release.clone(),
                ) else {
                    continue;
                };
                replaced.extend(files.iter().copied());
                added.push(crate::formats::units::Resource {
                    api_group: group.to_string(),
                    kind: kind.to_string(),
                    sentinel_fields: Vec::new(),
                    file: id,
                    name,
                    namespace: None,
                    object: Arc::new(object),
                    lower_files: files.iter().rev().copied().collect(),
                    values_from: Vec::new(),
                    value_files: Vec::new(),
                    chart_path: None,
                    values_key: None,
                });
            }
        }
        if added.is_empty() {
            return resources;
        }
        resources.retain(|r| !(r.is_chart_values() && replaced.contains(&r.file)));
        resources.extend(added);
        resources
    }

    /// Flux releases whose values come (in part) from ConfigMaps and Secrets: the values
    /// found in the tree lie beneath the inline ones (one such object: its lines are
    /// where findings point); the chart is then recognised from the merged values. A
    /// release whose values cannot all be read is not judged: its count or quorum may be
    /// in what is missing.
    pub(super) fn values_from(
        &self,
        resources: Vec<crate::formats::units::Resource>,
    ) -> Vec<crate::formats::units::Resource> {
        use crate::formats::units::PENDING_VALUES;
        if !resources.iter().any(|r| r.api_group == PENDING_VALUES) {
            return resources;
        }
        let sources: Vec<&crate::formats::units::ValuesSource> = self
            .sorted_ids()
            .iter()
            .flat_map(|id| self.entries[id].parsed().values_sources.iter())
            .collect();
        let mut out = Vec::with_capacity(resources.len());
        let mut used: HashSet<FileId> = HashSet::new();
        for mut r in resources {
            if r.api_group != PENDING_VALUES {
                out.push(r);
                continue;
            }
            let mut found = Vec::new();
            let mut missing = false;
            for v in &r.values_from {
                // The nearest object of that name: copies of a deployment in sibling
                // folders each read their own.
                let here = self.dir_of(r.file);
                let hit = sources
                    .iter()
                    .filter(|s| {
                        s.kind == v.kind
                            && s.name == v.name
                            && s.key == v.key
                            && match (&s.namespace, &r.namespace) {
                                (Some(a), Some(b)) => a == b,
                                _ => true,
                            }
                    })
                    .max_by_key(|s| {
                        let there = self.dir_of(s.file);
                        let shared = here
                            .components()
                            .zip(there.components())
                            .take_while(|(a, b)| a == b)
                            .count();
                        (shared, std::cmp::Reverse(there.components().count()))
                    });
                match hit {
                    Some(s) => found.push(*s),
                    None if v.optional => {}
                    None => missing = true,
                }
            }
            // Several objects would put lines of several files in one layer.
            if missing || found.len() > 1 {
                continue;
            }
            if let Some(source) = found.first() {
                r.object = Arc::new(yaml::layered(&source.values, &r.object));
                r.lower_files = vec![source.file];
            }
            if !r.value_files.is_empty() {
                // Every file must be read: a count or quorum may be in any of them.
                let Some(files) = self.argo_value_files(&mut r) else {
                    continue;
                };
                used.extend(files.iter().copied());
                let mut layers = files.iter().filter_map(|&id| {
                    let doc = yaml::parse(self.entries[&id].source.text())
                        .documents
                        .into_iter()
                        .next()?;
                    Some((id, doc))
                });
                let Some((first, mut merged)) = layers.next() else {
                    continue;
                };
                let mut lower = vec![first];
                for (id, doc) in layers {
                    merged = yaml::layered(&merged, &doc);
                    lower.insert(0, id);
                }
                r.object = Arc::new(yaml::layered(&merged, &r.object));
                r.lower_files = lower;
                if let Some(key) = &r.values_key {
                    let Some(section) = r.object.get(key).cloned() else {
                        continue;
                    };
                    r.object = Arc::new(section);
                }
            }
            let Some((group, kind, name)) =
                crate::formats::kubernetes::chart_values(&r.kind, &r.object, r.name.clone())
            else {
                continue;
            };
            r.api_group = group.to_string();
            r.kind = kind.to_string();
            r.name = name;
            r.values_from.clear();
            out.push(r);
        }
        // A values file a release reads is part of that release, not a deployment alone.
        out.retain(|r| !(r.is_chart_values() && used.contains(&r.file)));
        out
    }

    /// The values files of an Argo CD release, bottom first: the chart's `values.yaml`
    /// when the chart is kept in the repository (`path`), then each of `valueFiles`. A
    /// `$ref/path` entry names a file of a repository source: found in the tree by its
    /// path, the match nearest to the release. `None` when one cannot be found (a file
    /// of a chart package, another repository): the release is then not judged. Sets the
    /// chart's name from its `Chart.yaml` for a chart kept in the repository.
    fn argo_value_files(&self, r: &mut crate::formats::units::Resource) -> Option<Vec<FileId>> {
        let near = self.dir_of(r.file).to_path_buf();
        let find = |wanted: &Path| -> Option<FileId> {
            let wanted = compose::normalize(wanted);
            self.by_path
                .iter()
                .filter(|(p, _)| compose::normalize(p).ends_with(&wanted))
                .max_by_key(|(p, _)| {
                    p.components()
                        .zip(near.components())
                        .take_while(|(a, b)| a == b)
                        .count()
                })
                .map(|(_, id)| *id)
        };
        let mut out = Vec::new();
        if let Some(chart_path) = r.chart_path.clone() {
            let chart_dir = Path::new(chart_path.trim_start_matches("./"));
            let chart_yaml = find(&chart_dir.join("Chart.yaml"))?;
            if r.kind.is_empty() {
                let doc = yaml::parse(self.entries[&chart_yaml].source.text());
                let chart = doc.documents.first()?;
                r.kind = chart.get_str("name")?.to_string();
                // An umbrella chart of the repository around bitnami's chart: the release
                // is that subchart, with the values under its name (or alias).
                if let Some((name, key)) = bitnami_dependency(chart) {
                    r.kind = name;
                    r.values_key = Some(key);
                }
            }
            out.extend(find(&chart_dir.join("values.yaml")));
        }
        for file in &r.value_files {
            let path = match file.strip_prefix('$') {
                Some(rest) => PathBuf::from(rest.split_once('/')?.1),
                None => Path::new(r.chart_path.as_deref()?).join(file),
            };
            out.push(find(&path)?);
        }
        Some(out)
    }
}

/// The bitnami `redis` or `valkey` chart a `Chart.yaml` depends on: its name and the key
/// of its values (the alias, or the name).
fn bitnami_dependency(chart: &yaml::Node) -> Option<(String, String)> {
    chart
        .get("dependencies")
        .and_then(yaml::Node::as_seq)?
        .iter()
        .find_map(bitnami_chart)
}

/// One entry of `dependencies:` naming bitnami's `redis`, `valkey` or cluster chart: its
/// name and the key of its values.
fn bitnami_chart(dep: &yaml::Node) -> Option<(String, String)> {
    let name = dep
        .get_str("name")
        .filter(|n| matches!(*n, "redis" | "valkey" | "redis-cluster" | "valkey-cluster"))?;
    dep.get_str("repository")
        .is_some_and(|r| r.contains("bitnami"))
        .then(|| {
            (
                name.to_string(),
                dep.get_str("alias").unwrap_or(name).to_string(),
            )
        })
}

/// An entry of `dependencies:` naming DandyDeveloper's `redis-ha` chart (any repository:
/// mirrors carry it under its name).
fn redis_ha_chart(dep: &yaml::Node) -> Option<(String, String)> {
    let name = dep.get_str("name").filter(|n| *n == "redis-ha")?;
    Some((
        name.to_string(),
        dep.get_str("alias").unwrap_or(name).to_string(),
    ))
}

/// A values file meant to be laid over `values.yaml`: `values-prod.yaml`,
/// `values.prod.yaml`, `prod-values.yaml` (or `.yml`).
pub(super) fn is_values_overlay(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let Some(stem) = name
        .strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))
    else {
        return false;
    };
    stem != "values"
        && (stem.starts_with("values-") || stem.starts_with("values.") || stem.ends_with("-values"))
}
