//! Operator resources and chart values are deployments of the model: the generic count,
//! quorum and replica rules judge them at the lines of the resource, and `topology`
//! shows their groups.

mod common;

use common::check_dir;
use redis_halint::{Severity, Target};
use std::path::Path;

const DATA: &str = "tests/data/operator-groups";

/// (rule, line) of every warning and error, sorted.
fn findings(case: &str) -> Vec<(String, usize)> {
    let (workspace, diagnostics) = check_dir(&Path::new(DATA).join(case), Target::default());
    let mut out: Vec<(String, usize)> = diagnostics
        .iter()
        .filter(|d| d.severity >= Severity::Warning)
        .map(|d| {
            let source = workspace.source(d.span.file).unwrap();
            (
                d.rule.name().to_string(),
                source.line_col(d.span.start).line as usize,
            )
        })
        .collect();
    out.sort();
    out
}

fn expect(case: &str, wanted: &[(&str, usize)]) {
    let wanted: Vec<(String, usize)> = wanted.iter().map(|(r, l)| (r.to_string(), *l)).collect();
    assert_eq!(findings(case), wanted, "{case}");
}

#[test]
fn spotahome_redisfailover() {
    // sentinel.replicas 2 (line 7), redis.replicas 1 (line 9), no storage claim.
    expect(
        "failover-bad",
        &[
            ("data-dir-ephemeral", 9),
            ("no-replica-to-promote", 9),
            ("sentinel-count-below-three", 7),
        ],
    );
    expect("failover-good", &[]);
}

#[test]
fn spotahome_persistence_off() {
    // `save ""` (line 11) and no append-only file on pods Kubernetes restarts.
    expect(
        "failover-persistence-off",
        &[("persistence-off-with-auto-restart", 11)],
    );
}

#[test]
fn opstree_replication_and_sentinel() {
    // RedisSentinel clusterSize 4 (line 15), quorum "5" (line 21); the replication has
    // no storage (line 6).
    expect(
        "opstree-pair-bad",
        &[
            ("data-dir-ephemeral", 6),
            ("quorum-exceeds-sentinel-count", 21),
            ("sentinel-count-even", 15),
        ],
    );
    expect("opstree-pair-good", &[]);
}

#[test]
fn opstree_embedded_sentinel() {
    // clusterSize 1 (line 6, and no storage), sentinel.size 2 (line 10).
    expect(
        "opstree-embedded-bad",
        &[
            ("data-dir-ephemeral", 6),
            ("no-replica-to-promote", 6),
            ("sentinel-count-below-three", 10),
        ],
    );
    expect("opstree-embedded-good", &[]);
}

#[test]
fn bitnami_values() {
    // sentinel.quorum 4 (line 6), replica.replicaCount 4 (line 8).
    expect(
        "bitnami-bad",
        &[
            ("quorum-equals-sentinel-count", 6),
            ("sentinel-count-even", 8),
        ],
    );
    expect("bitnami-good", &[]);
}

/// A Flux HelmRelease whose values come from a ConfigMap of the tree (`valuesFrom`),
/// the inline values over them: the count is judged at the ConfigMap's line
/// (`replicaCount: 4`, line 15), the inline quorum at the release's (line 22). Without
/// the ConfigMap the release is not judged: what is missing may hold the count.
#[test]
fn flux_values_from() {
    expect(
        "flux-values-from",
        &[
            ("quorum-equals-sentinel-count", 22),
            ("sentinel-count-even", 15),
        ],
    );
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(
        Path::new(DATA).join("flux-values-from/helmrelease.yaml"),
        tmp.path().join("helmrelease.yaml"),
    )
    .unwrap();
    let (_, found) = check_dir(tmp.path(), Target::default());
    assert!(
        found.iter().all(|d| d.severity < Severity::Warning),
        "{:?}",
        found.iter().map(|d| d.rule.name()).collect::<Vec<_>>()
    );
}

/// bitnami/valkey calls the master the primary (`sentinel.primarySet`, `primary.*`):
/// the same sidecar sentinels, counted from `replica.replicaCount`.
#[test]
fn bitnami_valkey_values() {
    expect(
        "bitnami-valkey-bad",
        &[
            ("bitnami-sentinel-without-persistence", 9),
            ("sentinel-count-below-three", 7),
        ],
    );
}

#[test]
fn topology_shows_the_groups_of_resources() {
    let bin = env!("CARGO_BIN_EXE_redis-halint");
    for (case, quorum, sentinels, replicas, count_line) in [
        ("failover-good", 2, 3, 2, "redisfailover.yaml:7"),
        ("opstree-pair-bad", 5, 4, 2, "redis.yaml:15"),
        ("opstree-embedded-good", 2, 3, 2, "replication.yaml:17"),
        ("bitnami-bad", 4, 4, 3, "values.yaml:8"),
        ("bitnami-valkey-bad", 2, 2, 1, "values.yaml:7"),
    ] {
        let out = std::process::Command::new(bin)
            .args(["topology", "--format", "json"])
            .arg(Path::new(DATA).join(case))
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let groups = json["groups"].as_array().unwrap();
        assert_eq!(groups.len(), 1, "{case}: {json}");
        let g = &groups[0];
        assert_eq!(g["quorum"], quorum, "{case}");
        assert_eq!(g["sentinel_count"]["known"], sentinels, "{case}");
        assert_eq!(g["replica_count"]["known"], replicas, "{case}");
        // Each sentinel's config is the resource, at the line that declares the count.
        let at = g["sentinels"][0]["config"]["at"]
            .as_str()
            .unwrap_or_default();
        assert!(
            at.ends_with(count_line),
            "{case}: sentinel declared at {at}"
        );
    }
}

/// A retired rule's name keeps working wherever users name rules, for its successors.
#[test]
fn retired_names_redirect() {
    let bin = env!("CARGO_BIN_EXE_redis-halint");
    let run = |args: &[&str]| -> String {
        let out = std::process::Command::new(bin).args(args).output().unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let bad = "fixtures/bitnami-quorum-vs-replicacount/bad";
    let all = run(&["check", "--output-format", "concise", bad]);
    assert!(all.contains("Q003"), "{all}");
    let ignored = run(&[
        "check",
        "--output-format",
        "concise",
        "--ignore",
        "bitnami-quorum-vs-replicacount",
        bad,
    ]);
    assert!(!ignored.contains("Q003"), "{ignored}");
    let selected = run(&[
        "check",
        "--output-format",
        "concise",
        "--select",
        "O011",
        bad,
    ]);
    assert!(
        selected.contains("Q003") && !selected.contains("Q001"),
        "{selected}"
    );
    let page = run(&["rule", "opstree-sizes"]);
    assert!(
        page.contains("is retired") && page.contains("# sentinel-count-below-three (Q001)"),
        "{page}"
    );
    let table = run(&["rule", "--redirects"]);
    assert!(table.contains("bitnami-quorum-vs-replicacount\tquorum-exceeds-sentinel-count,quorum-equals-sentinel-count"), "{table}");

    // An inline suppression written with the old name silences its successor, and is used.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(Path::new(bad).join("values.yaml")).unwrap();
    let text = text.replace(
        "  quorum:",
        "  # redis-halint: ignore[bitnami-quorum-vs-replicacount] -- two sites, sized on purpose\n  quorum:",
    );
    std::fs::write(dir.path().join("values.yaml"), text).unwrap();
    let out = run(&[
        "check",
        "--output-format",
        "concise",
        dir.path().to_str().unwrap(),
    ]);
    assert!(!out.contains("Q003") && !out.contains("L002"), "{out}");
    // And a severity override in redis-halint.toml applies to every successor.
    std::fs::write(
        dir.path().join("redis-halint.toml"),
        "[lint.severity]\nbitnami-quorum-vs-replicacount = \"info\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("values.yaml"),
        std::fs::read_to_string(Path::new(bad).join("values.yaml")).unwrap(),
    )
    .unwrap();
    let out = run(&[
        "check",
        "--output-format",
        "concise",
        dir.path().to_str().unwrap(),
    ]);
    assert!(
        out.contains("Q003 [quorum-exceeds-sentinel-count] info"),
        "{out}"
    );
}

/// A RedisEnterpriseCluster is a deployment of the model with a quorum of its own: the
/// topology shows its node count and storage at the resource's lines, and the rec rules
/// read them from there.
#[test]
fn redis_enterprise_cluster_is_a_deployment() {
    let bin = env!("CARGO_BIN_EXE_redis-halint");
    for (dir, nodes, nodes_at, persistent, finding) in [
        (
            "fixtures/rec-nodes-invalid/bad",
            2,
            Some("rec.yaml:6"),
            true,
            Some("rec-nodes-invalid"),
        ),
        (
            "fixtures/rec-nodes-invalid/good",
            3,
            Some("rec.yaml:6"),
            true,
            None,
        ),
        (
            "fixtures/rec-persistence-disabled/bad",
            3,
            Some("rec.yaml:6"),
            false,
            Some("rec-persistence-disabled"),
        ),
        (
            "tests/data/operator-groups/rec-defaults",
            3,
            None,
            true,
            None,
        ),
    ] {
        let out = std::process::Command::new(bin)
            .args(["topology", "--format", "json"])
            .arg(dir)
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let c = &json["consensus"][0];
        assert_eq!(c["kind"], "Redis Enterprise cluster", "{dir}: {json}");
        assert_eq!(c["nodes"]["value"], nodes, "{dir}");
        match nodes_at {
            Some(at) => assert!(
                c["nodes"]["at"].as_str().unwrap().ends_with(at),
                "{dir}: {c}"
            ),
            None => assert!(
                c["nodes"]["at"].is_null(),
                "{dir}: the default has no line: {c}"
            ),
        }
        assert_eq!(c["persistent"]["value"], persistent, "{dir}");
        let rules: Vec<&str> = c["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["rule"].as_str())
            .collect();
        assert_eq!(rules, finding.into_iter().collect::<Vec<_>>(), "{dir}");
    }
}

/// OpsTree's own `redis-replication` chart (0.17.0, embedded sentinel): its values are
/// the same deployment as the RedisReplication it renders, judged at the values lines.
#[test]
fn opstree_replication_chart_values() {
    // clusterSize 1 (line 3), sentinel.size 2 (line 11).
    expect(
        "opstree-values-bad",
        &[
            ("no-replica-to-promote", 3),
            ("sentinel-count-below-three", 11),
        ],
    );
    expect("opstree-values-good", &[]);
}

/// OpsTree's `redis-sentinel` chart watching the `redis-replication` chart's release by
/// name: 4 sentinels (line 3) with quorum "5" (line 6); an empty value takes the
/// template's default.
#[test]
fn opstree_sentinel_chart_values() {
    expect(
        "opstree-sentinel-values-bad",
        &[
            ("quorum-exceeds-sentinel-count", 6),
            ("sentinel-count-even", 3),
        ],
    );
}

/// A Flux HelmRelease of the replication chart carries its values inline; releases
/// without values deploy the charts' defaults (3 pods, 3 sentinels, quorum 2).
#[test]
fn opstree_chart_releases() {
    expect(
        "opstree-helmrelease",
        &[
            ("down-after-too-low", 20),
            ("sentinel-count-below-three", 19),
        ],
    );
    expect("opstree-chart-defaults", &[]);
    let (ws, found) = check_dir(
        &Path::new(DATA).join("opstree-chart-defaults"),
        Target::default(),
    );
    // The defaults are judged: the release is a group of three sentinels with the
    // charts' quorum of 2. The sentinel chart's 180000 ms failover-timeout is a default,
    // not a value written here: failover-retry-delay-long judges written values only.
    let topology = ws.topology();
    assert!(
        topology
            .groups
            .iter()
            .any(|g| g.sentinel_count.known() == Some(3)),
        "{:?}",
        topology.groups
    );
    assert!(!found
        .iter()
        .any(|d| d.rule.name() == "failover-retry-delay-long"));
}
