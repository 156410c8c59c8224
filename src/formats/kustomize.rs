//! Kustomize, read natively: a folder with `kustomization.yaml` is a build root. What a
//! build changes in the processes of its resources is read here, with the span of each
//! change: `replicas:`, `images:` and the `spec.replicas` of strategic-merge and JSON 6902
//! patches (from files or inline). The workspace checks the workloads of every build as
//! the deployment of that build.

use crate::source::FileId;
use crate::syntax::yaml::{self, Kind, Node, YamlFile};
use std::ops::Range;
use std::path::Path;

/// `kustomization.yaml`, `kustomization.yml` or `Kustomization`.
pub fn is_kustomization(path: &Path) -> bool {
    matches!(
        path.file_name().and_then(|n| n.to_str()),
        Some("kustomization.yaml" | "kustomization.yml" | "Kustomization")
    )
}

/// A value a build sets, at the span (in `file`) where it is written.
#[derive(Debug, Clone)]
pub struct Set<T> {
    pub value: T,
    pub file: FileId,
    pub span: Range<usize>,
}

/// A patch the build applies: a file of the tree, or a patch written inline.
#[derive(Debug, Clone)]
pub enum Patch {
    /// A strategic-merge or JSON 6902 patch file, relative to the kustomization; the
    /// target named beside it (JSON 6902 needs one), as (kind, name).
    File {
        path: String,
        target: Option<(Option<String>, String)>,
    },
    /// A replica count read from an inline patch: (kind, workload name) → count.
    Replicas {
        kind: Option<String>,
        name: String,
        count: Set<i64>,
    },
    /// An inline patch of any object (a release's values, an operator resource), its
    /// nodes at their places in the kustomization file.
    Object(ObjectPatch),
}

/// A patch laid over one object of the build's resources: an operator resource or a
/// GitOps release (its values), where a workload patch only changes a count.
#[derive(Debug, Clone)]
pub struct ObjectPatch {
    /// The object's `kind` (from the patch or its `target`); `None` matches any kind.
    pub kind: Option<String>,
    pub name: String,
    /// Where the patch's nodes are written.
    pub file: FileId,
    /// Laid over the object as a strategic merge: maps merge, anything else replaces.
    pub doc: Node,
}

/// The objects a patch changes, with what it lays over each: strategic-merge documents
/// (named by their own `kind` and `metadata.name`, else by `target`), or the JSON 6902
/// `replace` / `add` operations of `target` on map keys, as one document. Spans are in
/// the patch's parsed text. A `remove` is not expressible as a document: it is left out.
pub fn object_patches(
    patch: &YamlFile,
    target: Option<&(Option<String>, String)>,
    file: FileId,
) -> Vec<ObjectPatch> {
    let mut out = Vec::new();
    for doc in &patch.documents {
        match &doc.kind {
            Kind::Seq(ops) => {
                let Some((kind, name)) = target else { continue };
                for op in ops {
                    if !matches!(op.get_str("op"), Some("replace" | "add")) {
                        continue;
                    }
                    let (Some(path), Some(value)) = (op.get_str("path"), op.get("value")) else {
                        continue;
                    };
                    let keys: Vec<String> = path
                        .split('/')
                        .skip(1)
                        .map(|k| k.replace("~1", "/").replace("~0", "~"))
                        .collect();
                    // An index or an append (`-`) is a list item: not a map key.
                    if keys.is_empty()
                        || keys
                            .iter()
                            .any(|k| k == "-" || k.chars().all(|c| c.is_ascii_digit()))
                    {
                        continue;
                    }
                    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
                    out.push(ObjectPatch {
                        kind: kind.clone(),
                        name: name.clone(),
                        file,
                        doc: yaml::nested(&keys, value.clone()),
                    });
                }
            }
            Kind::Map(_) => {
                let Some((kind, name)) = patched_object(doc, target) else {
                    continue;
                };
                out.push(ObjectPatch {
                    kind,
                    name,
                    file,
                    doc: doc.clone(),
                });
            }
            _ => {}
        }
    }
    out
}

/// One kustomization file.
#[derive(Debug, Clone, Default)]
pub struct Kustomization {
    /// `resources` and `components` (and the legacy `bases`), as written.
    pub resources: Vec<(String, Range<usize>)>,
    pub patches: Vec<Patch>,
    /// `replicas:` entries: workload name → count.
    pub replicas: Vec<(String, Set<i64>)>,
    /// `images:` entries: image name → new tag (or digest-less new name's tag).
    pub images: Vec<(String, Set<String>)>,
    pub namespace: Option<String>,
    /// `configMapGenerator` and `secretGenerator` file entries: (object name, key, file
    /// path).
    pub generated: Vec<(String, String, String)>,
    /// `secretGenerator` literals (`password=…`): (Secret name, key, value, where the
    /// value is written). Values are secrets: compared, never shown.
    pub secret_literals: Vec<(String, String, String, Range<usize>)>,
}

/// A resource entry that is outside the tree: a URL or a remote repository.
pub fn is_remote(resource: &str) -> bool {
    resource.contains("://")
        || resource.starts_with("github.com/")
        || resource.starts_with("git@")
        || resource.contains("?ref=")
}

pub fn read(file: FileId, text: &str, yaml: &YamlFile) -> Kustomization {
    let mut out = Kustomization::default();
    let Some(doc) = yaml.documents.first() else {
        return out;
    };
    for key in ["resources", "components", "bases"] {
        for item in doc.get(key).and_then(Node::as_seq).unwrap_or_default() {
            if let Some(s) = item.as_str() {
                out.resources.push((s.to_string(), item.span.clone()));
            }
        }
    }
    out.namespace = doc.get_str("namespace").map(str::to_string);
    for item in doc
        .get("replicas")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        let (Some(name), Some(count)) = (item.get_str("name"), item.get("count")) else {
            continue;
        };
        if let Some(value) = count.as_i64() {
            out.replicas.push((
                name.to_string(),
                Set {
                    value,
                    file,
                    span: count.span.clone(),
                },
            ));
        }
    }
    for item in doc.get("images").and_then(Node::as_seq).unwrap_or_default() {
        let (Some(name), Some(tag)) = (item.get_str("name"), item.get("newTag")) else {
            continue;
        };
        let value = tag
            .as_str()
            .map(str::to_string)
            .or_else(|| tag.as_i64().map(|n| n.to_string()));
        if let Some(value) = value {
            let image = item.get_str("newName").unwrap_or(name);
            out.images.push((
                name.to_string(),
                Set {
                    value: format!("{image}:{value}"),
                    file,
                    span: tag.span.clone(),
                },
            ));
        }
    }
    for item in doc
        .get("patchesStrategicMerge")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        match item.as_str() {
            Some(s) if !s.contains('\n') => out.patches.push(Patch::File {
                path: s.to_string(),
                target: None,
            }),
            Some(_) => inline_patch(file, text, item, None, &mut out.patches),
            None => {}
        }
    }
    for key in ["patches", "patchesJson6902"] {
        for item in doc.get(key).and_then(Node::as_seq).unwrap_or_default() {
            let target = item.get("target").and_then(|t| {
                Some((
                    t.get_str("kind").map(str::to_string),
                    t.get_str("name")?.to_string(),
                ))
            });
            if let Some(path) = item.get_str("path") {
                out.patches.push(Patch::File {
                    path: path.to_string(),
                    target,
                });
            } else if let Some(patch) = item.get("patch") {
                inline_patch(file, text, patch, target, &mut out.patches);
            }
        }
    }
    // A generated Secret holds files the same way (a sentinel.conf kept in a Secret for
    // its passwords) and is mounted by its name like a ConfigMap.
    for item in ["configMapGenerator", "secretGenerator"]
        .iter()
        .flat_map(|key| doc.get(key).and_then(Node::as_seq).unwrap_or_default())
    {
        let Some(name) = item.get_str("name") else {
            continue;
        };
        for f in item.get("files").and_then(Node::as_seq).unwrap_or_default() {
            let Some(entry) = f.as_str() else { continue };
            // `key=path` or `path` (the key is the file name).
            let (key, path) = match entry.split_once('=') {
                Some((k, p)) => (k.to_string(), p.to_string()),
                None => (
                    entry.rsplit('/').next().unwrap_or(entry).to_string(),
                    entry.to_string(),
                ),
            };
            out.generated.push((name.to_string(), key, path));
        }
    }
    for item in doc
        .get("secretGenerator")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        let Some(name) = item.get_str("name") else {
            continue;
        };
        for literal in item
            .get("literals")
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            let Some((key, value)) = literal.as_str().and_then(|l| l.split_once('=')) else {
                continue;
            };
            // The value's place: after `key=` in the scalar as written (plain or quoted).
            let raw = text.get(literal.span.clone()).unwrap_or_default();
            let Some(at) = raw.find(&format!("{key}=")) else {
                continue;
            };
            let start = literal.span.start + at + key.len() + 1;
            let end = (start + value.len()).min(literal.span.end);
            out.secret_literals.push((
                name.to_string(),
                key.to_string(),
                value.to_string(),
                start..end,
            ));
        }
    }
    out
}

/// An inline patch (`patch: |- …`): the replica counts it sets, at their place in the
/// kustomization file.
fn inline_patch(
    file: FileId,
    text: &str,
    node: &Node,
    target: Option<(Option<String>, String)>,
    out: &mut Vec<Patch>,
) {
    let Some(piece) = yaml::embedded(text, node) else {
        return;
    };
    let parsed = yaml::parse(&piece.text);
    for mut patch in object_patches(&parsed, target.as_ref(), file) {
        crate::formats::kubernetes::remap_node(&mut patch.doc, &piece);
        out.push(Patch::Object(patch));
    }
    for (kind, name, count) in replica_counts(&parsed, target.as_ref()) {
        out.push(Patch::Replicas {
            kind,
            name,
            count: Set {
                value: count.0,
                file,
                span: piece.range_to_file(count.1),
            },
        });
    }
}

/// The object a strategic-merge document patches: its own `kind` and `metadata.name`,
/// else those of the patch's `target`.
fn patched_object(
    doc: &Node,
    target: Option<&(Option<String>, String)>,
) -> Option<(Option<String>, String)> {
    let name = doc
        .at("metadata.name")
        .and_then(Node::as_str)
        .map(str::to_string)
        .or_else(|| target.map(|t| t.1.clone()))?;
    let kind = doc
        .get_str("kind")
        .map(str::to_string)
        .or_else(|| target.and_then(|t| t.0.clone()));
    Some((kind, name))
}

/// Passwords a patch file may write, masked wherever the file is shown: under a key that
/// names a password in a release's patch (a `HelmRelease` or Argo CD document without a
/// chart is not a resource of its own), or as the `value` of a JSON 6902 operation whose
/// path ends in one. Patches of operator resources are resources, masked as such.
pub fn patch_secret_spans(patch: &YamlFile) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for doc in &patch.documents {
        match &doc.kind {
            Kind::Seq(ops) => {
                for op in ops {
                    let Some(path) = op.get_str("path") else {
                        continue;
                    };
                    let last = path.rsplit('/').next().unwrap_or_default();
                    let secret = crate::formats::units::is_password_key(last);
                    if let Some(value) = op.get("value").filter(|_| secret) {
                        out.push(value.span.clone());
                    }
                }
            }
            Kind::Map(_)
                if matches!(
                    doc.get_str("kind"),
                    Some("HelmRelease" | "Application" | "ApplicationSet")
                ) =>
            {
                let mut values = Vec::new();
                crate::formats::units::password_values(doc, &mut values);
                out.extend(values.into_iter().map(|v| v.span.clone()));
            }
            _ => {}
        }
    }
    out
}

/// (kind, workload name, (count, span of the count)).
pub type ReplicaCount = (Option<String>, String, (i64, Range<usize>));

/// Replica counts a patch sets: `spec.replicas` of strategic-merge documents (named by
/// their own `kind` and `metadata.name`), or a JSON 6902 `replace`/`add` of
/// `/spec/replicas` for `target`. Spans are in the patch's text.
pub fn replica_counts(
    patch: &YamlFile,
    target: Option<&(Option<String>, String)>,
) -> Vec<ReplicaCount> {
    let mut out = Vec::new();
    for doc in &patch.documents {
        match &doc.kind {
            Kind::Seq(ops) => {
                let Some((kind, name)) = target else { continue };
                for op in ops {
                    let is_set = matches!(op.get_str("op"), Some("replace" | "add"));
                    if is_set && op.get_str("path") == Some("/spec/replicas") {
                        if let Some(v) = op.get("value").and_then(|v| Some((v.as_i64()?, v))) {
                            out.push((kind.clone(), name.clone(), (v.0, v.1.span.clone())));
                        }
                    }
                }
            }
            Kind::Map(_) => {
                let Some((kind, name)) = patched_object(doc, target) else {
                    continue;
                };
                if let Some(v) = doc.at("spec.replicas") {
                    if let Some(n) = v.as_i64() {
                        out.push((kind, name, (n, v.span.clone())));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_replicas_images_and_patches() {
        let text = "resources:\n  - ../../base\n  - https://example.com/x.yaml\nreplicas:\n  - name: sentinel\n    count: 2\nimages:\n  - name: redis\n    newTag: \"6.0.9\"\npatches:\n  - path: sentinel-patch.yaml\n  - target: {kind: StatefulSet, name: redis}\n    patch: |-\n      - op: replace\n        path: /spec/replicas\n        value: 1\n";
        let yaml = yaml::parse(text);
        let k = read(FileId(0), text, &yaml);
        assert_eq!(k.resources.len(), 2);
        assert!(is_remote(&k.resources[1].0));
        assert_eq!(k.replicas[0].1.value, 2);
        assert_eq!(&text[k.replicas[0].1.span.clone()], "2");
        assert_eq!(k.images[0].1.value, "redis:6.0.9");
        assert!(matches!(&k.patches[0], Patch::File { path, .. } if path == "sentinel-patch.yaml"));
        // The inline JSON 6902 patch: an object patch and the count it sets.
        assert!(matches!(&k.patches[1], Patch::Object(p) if p.name == "redis"));
        let Patch::Replicas { name, count, .. } = &k.patches[2] else {
            panic!("{:?}", k.patches[2]);
        };
        assert_eq!((name.as_str(), count.value), ("redis", 1));
        assert_eq!(&text[count.span.clone()], "1");
    }
}

/// What one build (a kustomization and everything it pulls in) deploys, as far as the
/// checks need it.
#[derive(Debug, Clone)]
pub struct Build {
    /// The kustomization file.
    pub file: FileId,
    /// Its directory.
    pub root: std::path::PathBuf,
    /// Where the build is declared: its first `resources` entry.
    pub unit: Range<usize>,
    /// Every file of the tree the build reads: resources, patches, nested kustomizations.
    pub files: std::collections::HashSet<FileId>,
    /// Replica counts the build sets, by workload name (the last setting wins).
    pub replicas: std::collections::HashMap<String, Set<i64>>,
    /// Images the build sets, by image name without tag.
    pub images: std::collections::HashMap<String, Set<String>>,
    /// No other kustomization of the tree builds on this one: it is deployed as it is.
    pub top: bool,
    /// `configMapGenerator` files: (ConfigMap name, key, (the file, the kustomization
    /// that generates it)).
    pub generated: Vec<(String, String, (FileId, FileId))>,
    /// Patches of objects other than a workload's count, in the order they apply (the
    /// bases' first).
    pub object_patches: Vec<ObjectPatch>,
}

/// What the builder needs of the tree.
pub trait Tree {
    /// The file at a normalized path, if it is in the tree.
    fn file_at(&self, path: &Path) -> Option<FileId>;
    /// The kustomization a file holds.
    fn kustomization(&self, file: FileId) -> Option<&Kustomization>;
    /// A file's text (patch files are read for their replica counts).
    fn text(&self, file: FileId) -> Option<&str>;
}

/// Every build of the tree, one per kustomization file, in `files` order.
pub fn builds(tree: &dyn Tree, files: &[(FileId, std::path::PathBuf)]) -> Vec<Build> {
    let mut memo: std::collections::HashMap<FileId, Option<Build>> = Default::default();
    let mut out: Vec<Build> = files
        .iter()
        .filter_map(|(id, path)| build(tree, *id, path, &mut memo, 0))
        .collect();
    let nested: std::collections::HashSet<FileId> = out
        .iter()
        .flat_map(|b| b.files.iter().copied().filter(|f| *f != b.file))
        .filter(|f| tree.kustomization(*f).is_some())
        .collect();
    for b in &mut out {
        b.top = !nested.contains(&b.file);
    }
    out
}

pub const KUSTOMIZATION_NAMES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

fn build(
    tree: &dyn Tree,
    id: FileId,
    path: &Path,
    memo: &mut std::collections::HashMap<FileId, Option<Build>>,
    depth: usize,
) -> Option<Build> {
    if let Some(done) = memo.get(&id) {
        return done.clone();
    }
    let k = tree.kustomization(id)?;
    if depth > 16 {
        return None; // a cycle of kustomizations
    }
    memo.insert(id, None);
    let root = path.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut b = Build {
        file: id,
        root: root.clone(),
        unit: k.resources.first().map_or(0..0, |r| r.1.clone()),
        files: [id].into_iter().collect(),
        replicas: Default::default(),
        images: Default::default(),
        top: true,
        generated: Vec::new(),
        object_patches: Vec::new(),
    };
    for (name, key, path) in &k.generated {
        if let Some(file) = tree.file_at(&crate::formats::compose::normalize(&root.join(path))) {
            b.files.insert(file);
            b.generated.push((name.clone(), key.clone(), (file, id)));
        }
    }
    let at = |rel: &str| crate::formats::compose::normalize(&root.join(rel));
    for (resource, _) in &k.resources {
        if is_remote(resource) {
            continue;
        }
        let target = at(resource);
        if let Some(file) = tree.file_at(&target) {
            b.files.insert(file);
            continue;
        }
        // A folder: the kustomization in it.
        let nested = KUSTOMIZATION_NAMES
            .iter()
            .find_map(|n| Some((tree.file_at(&target.join(n))?, target.join(n))));
        if let Some((file, nested_path)) = nested {
            if let Some(base) = build(tree, file, &nested_path, memo, depth + 1) {
                b.files.extend(base.files);
                b.generated.extend(base.generated);
                b.replicas.extend(base.replicas);
                b.images.extend(base.images);
                b.object_patches.extend(base.object_patches);
            }
        }
    }
    for patch in &k.patches {
        match patch {
            Patch::File { path, target } => {
                let Some(file) = tree.file_at(&at(path)) else {
                    continue;
                };
                b.files.insert(file);
                let Some(text) = tree.text(file) else {
                    continue;
                };
                let parsed = yaml::parse(text);
                b.object_patches
                    .extend(object_patches(&parsed, target.as_ref(), file));
                for (_, name, (count, span)) in replica_counts(&parsed, target.as_ref()) {
                    b.replicas.insert(
                        name,
                        Set {
                            value: count,
                            file,
                            span,
                        },
                    );
                }
            }
            Patch::Replicas { name, count, .. } => {
                b.replicas.insert(name.clone(), count.clone());
            }
            Patch::Object(patch) => b.object_patches.push(patch.clone()),
        }
    }
    for (name, count) in &k.replicas {
        b.replicas.insert(name.clone(), count.clone());
    }
    for (name, image) in &k.images {
        b.images.insert(name.clone(), image.clone());
    }
    memo.insert(id, Some(b.clone()));
    Some(b)
}
