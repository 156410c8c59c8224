//! Kustomize builds of the workspace: the inputs they pull in, the patches they lay over
//! base objects, and the overlays named on findings they inherit.

use super::*;

impl Workspace {
    /// Files that the kustomizations of the workspace build on but that lie outside the
    /// checked paths (`check overlays/prod` reads `../../base`): read from disk, so that
    /// each overlay is checked as the deployment it builds.
    pub fn load_kustomize_inputs(&mut self) {
        use crate::formats::kustomize::{is_kustomization, is_remote, Patch};
        let known = |ws: &Workspace| -> HashSet<PathBuf> {
            ws.by_path.keys().map(|p| compose::normalize(p)).collect()
        };
        let mut have = known(self);
        let mut work: Vec<FileId> = self
            .by_path
            .iter()
            .filter(|(p, _)| is_kustomization(p))
            .map(|(_, id)| *id)
            .collect();
        let mut budget = 2000;
        while let Some(id) = work.pop() {
            let Some(k) = self
                .entries
                .get(&id)
                .and_then(|e| e.parsed().kustomization.clone())
            else {
                continue;
            };
            let root = self.dir_of(id).to_path_buf();
            let mut wanted: Vec<PathBuf> = k
                .resources
                .iter()
                .filter(|(r, _)| !is_remote(r))
                .map(|(r, _)| compose::normalize(&root.join(r)))
                .collect();
            wanted.extend(
                k.generated
                    .iter()
                    .map(|(_, _, path)| compose::normalize(&root.join(path))),
            );
            wanted.extend(k.patches.iter().filter_map(|p| match p {
                Patch::File { path, .. } => Some(compose::normalize(&root.join(path))),
                Patch::Replicas { .. } | Patch::Object(_) => None,
            }));
            for path in wanted {
                let file = if path.is_dir() {
                    match crate::formats::kustomize::KUSTOMIZATION_NAMES
                        .iter()
                        .map(|n| path.join(n))
                        .find(|p| p.is_file())
                    {
                        Some(f) => f,
                        None => continue,
                    }
                } else {
                    path
                };
                if have.contains(&file) || budget == 0 {
                    continue;
                }
                budget -= 1;
                let Ok(text) = std::fs::read_to_string(&file) else {
                    continue;
                };
                have.insert(file.clone());
                let stamp = std::fs::metadata(&file)
                    .ok()
                    .map(|m| crate::source::DiskStamp::of(&m));
                let new = self.set_file_from_disk(file.clone(), text, false, stamp);
                if is_kustomization(&file) {
                    work.push(new);
                }
            }
        }
    }

    /// Operator resources and GitOps releases as each Kustomize overlay deploys them: an
    /// object a build patches (a HelmRelease's `replicaCount`, a RedisFailover's sentinel
    /// count) becomes, for that build, the object with its patches laid over it, the
    /// patch's lines on top and the base's beneath. The object as the base writes it stays
    /// a deployment only while some build deploys it unpatched.
    pub(super) fn kustomize_patched(
        &self,
        mut resources: Vec<crate::formats::units::Resource>,
        builds: &[crate::formats::kustomize::Build],
    ) -> Vec<crate::formats::units::Resource> {
        use crate::formats::kustomize::ObjectPatch;
        if builds.iter().all(|b| b.object_patches.is_empty()) {
            return resources;
        }
        // (file, object name) → per object kind: how many top builds deploy it, and how
        // many patch it.
        type PerKind = Vec<(String, usize, usize)>;
        let mut deployed: HashMap<(FileId, String), PerKind> = HashMap::new();
        let mut patched = Vec::new();
        // Each base file is parsed once, whatever the number of overlays.
        let mut parsed_files: HashMap<FileId, yaml::YamlFile> = HashMap::new();
        for build in builds.iter().filter(|b| b.top) {
            let mut files: Vec<FileId> = build.files.iter().copied().collect();
            files.sort_unstable();
            for file in files {
                let Some(entry) = self.entries.get(&file) else {
                    continue;
                };
                if entry.parsed().resources.is_empty() {
                    continue;
                }
                let text = entry.source.text();
                let parsed = parsed_files
                    .entry(file)
                    .or_insert_with(|| yaml::parse(text));
                for doc in &parsed.documents {
                    for object in crate::formats::kubernetes::objects(doc) {
                        let Some(name) = object.at("metadata.name").and_then(yaml::Node::as_str)
                        else {
                            continue;
                        };
                        let kind = object.get_str("kind").unwrap_or_default();
                        let patches: Vec<&ObjectPatch> = build
                            .object_patches
                            .iter()
                            .filter(|p| {
                                p.name == name && p.kind.as_deref().is_none_or(|k| k == kind)
                            })
                            .collect();
                        let kinds = deployed.entry((file, name.to_string())).or_default();
                        let at = match kinds.iter().position(|(k, _, _)| k == kind) {
                            Some(at) => at,
                            None => {
                                kinds.push((kind.to_string(), 0, 0));
                                kinds.len() - 1
                            }
                        };
                        kinds[at].1 += 1;
                        if patches.is_empty() {
                            continue;
                        }
                        kinds[at].2 += 1;
                        // Each patch on top of what came before: the last one is layer 0.
                        let mut merged = object.clone();
                        let mut layers: Vec<(FileId, &str)> = vec![(file, text)];
                        for patch in patches {
                            merged = yaml::layered(&merged, &patch.doc);
                            let patch_text = self
                                .entries
                                .get(&patch.file)
                                .map_or("", |e| e.source.text());
                            layers.insert(0, (patch.file, patch_text));
                        }
                        patched.extend(crate::formats::kubernetes::object_resources(
                            &layers, &merged,
                        ));
                    }
                }
            }
        }
        // The object a resource was read from: a release's values carry the chart's
        // flavour as their kind, an operator resource its own.
        let release = |kind: &str| matches!(kind, "HelmRelease" | "Application" | "ApplicationSet");
        resources.retain(|r| {
            let key = (r.file, r.name.clone().unwrap_or_default());
            !deployed.get(&key).is_some_and(|kinds| {
                kinds.iter().any(|(kind, builds, patching)| {
                    builds == patching
                        && (*kind == r.kind || (release(kind) && r.is_chart_values()))
                })
            })
        });
        resources.extend(patched);
        resources
    }

    /// The Kustomize builds of the tree (one per kustomization file).
    pub(super) fn kustomize_builds(&self) -> Vec<crate::formats::kustomize::Build> {
        let files: Vec<(FileId, PathBuf)> = self
            .by_path
            .iter()
            .filter(|(p, _)| crate::formats::kustomize::is_kustomization(p))
            .map(|(p, id)| (*id, p.clone()))
            .collect();
        if files.is_empty() {
            return Vec::new();
        }
        let tree = KustomizeTree {
            workspace: self,
            by_path: self
                .by_path
                .iter()
                .map(|(p, id)| (compose::normalize(p), *id))
                .collect(),
        };
        let files: Vec<(FileId, PathBuf)> = files
            .into_iter()
            .map(|(id, p)| (id, compose::normalize(&p)))
            .collect();
        crate::formats::kustomize::builds(&tree, &files)
    }

    /// A finding in a Kustomize base is reported once, at the base (the copies each overlay
    /// would give are one finding): the overlays that deploy the file are named as labels,
    /// at their `resources` entry, so the reader knows which environments carry it.
    pub(super) fn name_inheriting_overlays(
        &self,
        builds: &[crate::formats::kustomize::Build],
        diagnostics: &mut [Diagnostic],
    ) {
        const NAMED: usize = 5;
        if builds.is_empty() {
            return;
        }
        let mut overlays_of: HashMap<FileId, Vec<&crate::formats::kustomize::Build>> =
            HashMap::new();
        for b in builds.iter().filter(|b| b.top) {
            for &f in &b.files {
                // The overlay's own files (its patches) are not inherited.
                if compose::normalize(self.dir_of(f)).starts_with(&b.root) {
                    continue;
                }
                overlays_of.entry(f).or_default().push(b);
            }
        }
        for d in diagnostics.iter_mut() {
            let Some(all) = overlays_of.get(&d.span.file) else {
                continue;
            };
            // A finding that a value of some overlays causes (a count its patch sets, shown
            // as a label in the overlay's own files) is theirs, not every overlay's.
            let own = |b: &crate::formats::kustomize::Build, file: FileId| {
                b.files.contains(&file)
                    && compose::normalize(self.dir_of(file)).starts_with(&b.root)
            };
            let causing: Vec<&crate::formats::kustomize::Build> = all
                .iter()
                .copied()
                .filter(|b| d.related.iter().any(|l| own(b, l.span.file)))
                .collect();
            let list = if causing.is_empty() { all } else { &causing };
            for b in list.iter().take(NAMED) {
                let dir = b.root.display();
                d.related.push(crate::diagnostic::Label::new(
                    Span::new(b.file, b.unit.start, b.unit.end),
                    format!("deployed by the overlay `{dir}`, which builds on this file"),
                ));
            }
            if list.len() > NAMED {
                d.related.push(crate::diagnostic::Label::new(
                    Span::new(list[0].file, list[0].unit.start, list[0].unit.end),
                    format!(
                        "and {} more overlay(s) build on this file",
                        list.len() - NAMED
                    ),
                ));
            }
        }
    }
}

/// The workspace as the Kustomize builder sees it: files by normalized path.
pub(super) struct KustomizeTree<'a> {
    workspace: &'a Workspace,
    by_path: HashMap<PathBuf, FileId>,
}

impl crate::formats::kustomize::Tree for KustomizeTree<'_> {
    fn file_at(&self, path: &Path) -> Option<FileId> {
        self.by_path.get(path).copied()
    }

    fn kustomization(&self, file: FileId) -> Option<&crate::formats::kustomize::Kustomization> {
        self.workspace
            .entries
            .get(&file)?
            .parsed()
            .kustomization
            .as_ref()
    }

    fn text(&self, file: FileId) -> Option<&str> {
        Some(self.workspace.entries.get(&file)?.source.text())
    }
}
