//! Kustomize builds: each overlay is checked as the deployment it builds, with the
//! replica counts and images its patches set, at the patch lines; a base that overlays
//! build on is not a deployment of its own.

mod common;

use common::check_dir;
use redis_halint::Target;
use std::path::Path;

const TREE: &str = "tests/data/kustomize-overlays";

fn findings(dir: &str) -> Vec<String> {
    let (ws, found) = check_dir(Path::new(dir), Target::default());
    let mut out: Vec<String> = found
        .iter()
        .map(|d| {
            let source = ws.source(d.span.file).unwrap();
            let labels: Vec<String> = d
                .related
                .iter()
                .map(|l| {
                    let s = ws.source(l.span.file).unwrap();
                    format!("{}:{}", s.path.display(), s.line_col(l.span.start).line)
                })
                .collect();
            format!(
                "{} {}:{} [{}]",
                d.rule.name(),
                source.path.display(),
                source.line_col(d.span.start).line,
                labels.join(", ")
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn each_overlay_is_its_own_deployment() {
    let base = format!("{TREE}/base/deployment.yaml");
    assert_eq!(
        findings(TREE),
        [
            // prod patches the sentinels down to 2: reported at the patch, the monitor in
            // the base as a label. qa's 4 sentinels make the base's quorum a minority:
            // reported at the base, naming qa (its count, and the overlay).
            format!("quorum-below-majority {base}:27 [{TREE}/overlays/qa/kustomization.yaml:14, {TREE}/overlays/qa/kustomization.yaml:5]"),
            format!("sentinel-count-below-three {TREE}/overlays/prod/sentinel-replicas.yaml:7 [{base}:27]"),
            format!("sentinel-count-even {TREE}/overlays/qa/kustomization.yaml:14 [{base}:27]"),
        ]
    );
}

#[test]
fn base_alone_and_the_overlay_that_keeps_it_are_clean() {
    assert!(findings(&format!("{TREE}/base")).is_empty());
    assert!(findings(&format!("{TREE}/overlays/dev")).is_empty());
}

#[test]
fn overlay_image_sets_the_version() {
    let (ws, _) = check_dir(
        Path::new(&format!("{TREE}/overlays/dev")),
        Target::default(),
    );
    let topology = ws.topology();
    let release = topology.sentinels[0]
        .runtime
        .release
        .as_ref()
        .expect("a release from the overlay's image");
    let source = ws.source(release.span.file).unwrap();
    assert!(source.path.ends_with("overlays/dev/kustomization.yaml"));
    assert_eq!(&source.text()[release.span.range()], "\"7.4\"");
}

/// A `configMapGenerator` file is the key of the ConfigMap it generates: the sentinels
/// run it (three of them, one group), and an overlay that replaces it runs its own.
#[test]
fn generated_config_maps_are_configs_of_the_workloads() {
    let tree = "tests/data/kustomize-generator";
    assert_eq!(
        findings(tree),
        [format!(
            "quorum-exceeds-sentinel-count {tree}/overlays/prod/sentinel-prod.conf:2 [{tree}/base/sentinel.yaml:6]"
        )]
    );
    let (ws, _) = check_dir(Path::new(tree), Target::default());
    let topology = ws.topology();
    assert_eq!(
        topology.groups.len(),
        1,
        "the base's own file is not a sentinel"
    );
    assert_eq!(topology.groups[0].sentinel_count.known(), Some(3));
    assert!(findings(&format!("{tree}/base")).is_empty());
}

/// Two overlays that both keep the base's count are two deployments of 3 sentinels, not
/// one of 6.
#[test]
fn overlays_that_keep_the_base_count_stay_apart() {
    let (ws, _) = check_dir(Path::new(TREE), Target::default());
    let topology = ws.topology();
    let mut counts: Vec<usize> = topology
        .groups
        .iter()
        .filter_map(|g| g.sentinel_count.known())
        .collect();
    counts.sort();
    // prod 2, dev 3, staging 3, qa 4.
    assert_eq!(counts, [2, 3, 3, 4]);
}

/// The same tree with a `secretGenerator` (the config kept in a Secret) and a Secret
/// volume: the generated Secret's key is the config the sentinels run, as with a
/// ConfigMap.
#[test]
fn generated_secrets_are_configs_of_the_workloads() {
    let scratch = tempfile::tempdir().unwrap();
    let tree = scratch.path().join("tree");
    common::copy_dir(Path::new("tests/data/kustomize-generator"), &tree);
    for (file, from, to) in [
        (
            "base/kustomization.yaml",
            "configMapGenerator",
            "secretGenerator",
        ),
        (
            "overlays/prod/kustomization.yaml",
            "configMapGenerator",
            "secretGenerator",
        ),
        (
            "base/sentinel.yaml",
            "configMap: {name: sentinel-config}",
            "secret: {secretName: sentinel-config}",
        ),
    ] {
        let path = tree.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file}");
        std::fs::write(&path, text.replace(from, to)).unwrap();
    }
    let tree = tree.display().to_string();
    assert_eq!(
        findings(&tree),
        [format!(
            "quorum-exceeds-sentinel-count {tree}/overlays/prod/sentinel-prod.conf:2 [{tree}/base/sentinel.yaml:6]"
        )]
    );
}

const RELEASES: &str = "tests/data/kustomize-releases";

/// Patches of a Flux HelmRelease (a strategic merge from a file, a JSON 6902 operation
/// inline) change the chart's values for their overlay only: findings at the patch
/// lines, the base's values as labels; the overlay that deploys the base as it is, and
/// the base, are clean.
#[test]
fn release_patches_are_applied_per_overlay() {
    let base = format!("{RELEASES}/base/helmrelease.yaml");
    let found: Vec<String> = findings(RELEASES);
    assert_eq!(
        found,
        [
            format!(
                "quorum-exceeds-sentinel-count {RELEASES}/overlays/dev/kustomization.yaml:10 [{base}:25]"
            ),
            format!("sentinel-count-below-three {RELEASES}/overlays/prod/smaller.yaml:10 [{base}:22]"),
        ]
    );
    assert!(findings(&format!("{RELEASES}/base")).is_empty());
    assert!(findings(&format!("{RELEASES}/overlays/staging")).is_empty());
}

/// A base that every overlay patches is a building block: its own (two sentinels) is
/// never deployed, so it is not reported; checked alone, it is.
#[test]
fn a_base_every_overlay_patches_is_not_judged_as_written() {
    assert!(findings(&format!("{RELEASES}/failover")).is_empty());
    assert_eq!(
        findings(&format!("{RELEASES}/failover/base")),
        [format!(
            "sentinel-count-below-three {RELEASES}/failover/base/failover.yaml:8 []"
        )]
    );
}

/// A defect of the base that every overlay deploys is one finding, at the base, naming
/// the overlays that carry it (at their `resources` entry).
#[test]
fn a_base_finding_is_reported_once_naming_the_overlays() {
    let tree = "tests/data/kustomize-inherited";
    assert_eq!(
        findings(tree),
        [format!(
            "quorum-exceeds-sentinel-count {tree}/base/deployment.yaml:27 [{tree}/base/deployment.yaml:163, {tree}/overlays/dev/kustomization.yaml:5, {tree}/overlays/staging/kustomization.yaml:3]"
        )]
    );
    // Checked alone, the base is its own deployment: no overlay to name.
    assert_eq!(
        findings(&format!("{tree}/base")),
        [format!(
            "quorum-exceeds-sentinel-count {tree}/base/deployment.yaml:27 [{tree}/base/deployment.yaml:163]"
        )]
    );
}

/// Passwords written in patches (a release's strategic merge, an inline JSON 6902
/// operation, a JSON 6902 file) are secrets of their files: masked wherever shown.
#[test]
fn passwords_in_patches_are_masked() {
    let tree = "tests/data/kustomize-secrets";
    let (ws, found) = check_dir(Path::new(tree), Target::default());
    // Per overlay: the count its patch sets, and the literal password it writes.
    assert_eq!(found.len(), 6, "two findings per overlay");
    assert_eq!(
        found
            .iter()
            .filter(|d| d.rule.name() == "secrets-in-plaintext-config")
            .count(),
        3
    );
    for (file, value) in [
        ("overlays/prod/smaller.yaml", "Patch-Only-Pass-1"),
        ("overlays/dev/kustomization.yaml", "Inline-Only-Pass-2"),
        ("overlays/qa/ops.yaml", "Ops-Only-Pass-3"),
    ] {
        let path = Path::new(tree).join(file);
        let id = ws.file_id(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let at = text.find(value).unwrap();
        assert!(
            ws.secret_spans(id)
                .iter()
                .any(|s| s.start as usize <= at && at + value.len() <= s.end as usize),
            "{value} is not masked in {file}"
        );
    }
    let shown = common::render_full(&ws, &found);
    assert!(!shown.contains("Only-Pass"), "{shown}");
}

/// An overlay that replaces a ConfigMap key of its base (a one-sentinel test overlay with
/// its own `sentinel.conf`) deploys that version: the base's is the same key, not one
/// more sentinel, and the count is the overlay's.
#[test]
fn a_config_map_key_an_overlay_patches_is_the_overlays() {
    let dir = "tests/data/kustomize-configmap-patch";
    let (ws, _) = check_dir(Path::new(dir), Target::default());
    let topo = ws.topology();
    assert_eq!(topo.groups.len(), 1);
    assert_eq!(
        topo.groups[0].sentinel_count,
        redis_halint::model::topology::SentinelCount::Known(1)
    );
    let found = findings(dir);
    assert!(
        found.iter().any(|f| f.starts_with(
            "sentinel-count-below-three tests/data/kustomize-configmap-patch/overlays/test/one-sentinel.yaml:19"
        )),
        "{found:#?}"
    );
    assert!(
        !found
            .iter()
            .any(|f| f.starts_with("quorum-exceeds-sentinel-count")),
        "{found:#?}"
    );
}
