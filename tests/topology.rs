//! `redis-halint topology`: snapshots of every format for a fixture of each input format
//! (conf files, compose, Kubernetes, operators) and a multi-group deployment; no password
//! in any format; the SVG is standalone.

mod common;

use common::{bin, check_dir};
use redis_halint::topology_view::{self, Format, TopologyView};
use redis_halint::Target;
use std::path::Path;
use std::process::Command;

const FIXTURES: &[(&str, &str)] = &[
    ("conf", "fixtures/examples/deploy"),
    ("multi-group", "fixtures/examples/multi-group"),
    ("compose", "fixtures/compose-sentinel-single-file-bind/good"),
    ("k8s", "fixtures/sentinel-config-readonly-mount/good"),
    ("operators", "fixtures/examples/operators-correct"),
    ("cluster", "fixtures/cluster-too-few-masters/bad"),
];

fn view(dir: &str) -> TopologyView {
    let (workspace, diagnostics) = check_dir(Path::new(dir), Target::default());
    let topology = workspace.topology();
    topology_view::build(&workspace, &topology, &diagnostics)
}

#[test]
fn snapshot_of_every_format_for_each_input_format() {
    for (name, dir) in FIXTURES {
        let view = view(dir);
        for &format in Format::ALL {
            let text = topology_view::render(&view, format);
            insta::assert_snapshot!(format!("{name}__{}", format.name()), text);
        }
    }
}

#[test]
fn output_is_deterministic() {
    for (_, dir) in FIXTURES {
        for &format in Format::ALL {
            assert_eq!(
                topology_view::render(&view(dir), format),
                topology_view::render(&view(dir), format)
            );
        }
    }
}

#[test]
fn multi_group_has_both_groups_and_their_edges() {
    let view = view("fixtures/examples/multi-group");
    let names: Vec<_> = view.groups.iter().map(|g| g.name.clone()).collect();
    assert_eq!(names, [Some("cache".into()), Some("sessions".into())]);
    for g in &view.groups {
        assert_eq!(g.nodes.len(), 2);
        assert_eq!(g.sentinels.len(), 3);
        assert_eq!(g.quorum, Some(2));
        assert_eq!(g.majority, Some(2));
    }
    let mermaid = topology_view::render(&view, Format::Mermaid);
    assert!(mermaid.contains("g0n1 -->|replicates| g0n0"));
    assert!(mermaid.contains("g1s2 -.->|monitors| g1n0"));
    let json: serde_json::Value =
        serde_json::from_str(&topology_view::render(&view, Format::Json)).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["groups"].as_array().unwrap().len(), 2);
}

/// Every password literal of the fixtures, never in any format.
#[test]
fn no_password_in_any_format() {
    let secrets = [
        "example-pass-1",
        "example-pass-2",
        "TopoCachePass-7f3a",
        "TopoSessionsPass-9c1e",
    ];
    for (_, dir) in FIXTURES {
        let view = view(dir);
        for &format in Format::ALL {
            let text = topology_view::render(&view, format);
            for secret in secrets {
                assert!(
                    !text.contains(secret),
                    "{dir} {}: contains a password",
                    format.name()
                );
            }
        }
    }
    // The fixtures do hold these passwords, so the test is not vacuous.
    let text = std::fs::read_to_string("fixtures/examples/multi-group/cache-master.conf").unwrap();
    assert!(text.contains("TopoCachePass-7f3a"));
    let text = std::fs::read_to_string("fixtures/examples/deploy/redis-master.conf").unwrap();
    assert!(text.contains("example-pass-1"));
}

#[test]
fn svg_is_standalone() {
    for (_, dir) in FIXTURES {
        let svg = topology_view::render(&view(dir), Format::Svg);
        assert!(svg.starts_with("<svg "), "{dir}");
        assert!(
            svg.contains(r#"xmlns="http://www.w3.org/2000/svg""#),
            "{dir}"
        );
        assert!(svg.trim_end().ends_with("</svg>"), "{dir}");
        // Balanced elements: every opening tag closes or is self-closing.
        let opens = svg.matches('<').count();
        let closes = svg.matches("</").count() + svg.matches("/>").count();
        assert_eq!(
            opens,
            2 * svg.matches("</").count() + svg.matches("/>").count(),
            "{dir}"
        );
        assert!(closes > 0);
        assert!(!svg.contains("& "), "unescaped ampersand in {dir}");
    }
}

#[test]
fn cli_formats_and_errors() {
    for format in ["tree", "json", "mermaid", "dot", "svg"] {
        let out = Command::new(bin())
            .args(["topology", "fixtures/examples/deploy", "--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{format}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert_eq!(
            text,
            topology_view::render(
                &view("fixtures/examples/deploy"),
                Format::parse(format).unwrap()
            )
        );
    }
    let out = Command::new(bin())
        .args(["topology", "fixtures/examples/deploy", "--format", "png"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(bin())
        .args(["topology", "fixtures/does-not-exist"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn findings_hang_on_what_they_touch() {
    let view = view("fixtures/examples/deploy");
    let g = &view.groups[0];
    let rules = |findings: &[topology_view::FindingView]| -> Vec<&str> {
        findings.iter().map(|f| f.rule).collect()
    };
    // The sentinel with the unknown directive, and only that one.
    let unknown = |s: &topology_view::SentinelView| {
        rules(&s.findings).contains(&"unknown-sentinel-directive")
    };
    assert_eq!(g.sentinels.iter().filter(|s| unknown(s)).count(), 1);
    assert!(unknown(&g.sentinels[2]));
    // The master without masterauth; the replica with the same password has none.
    assert!(rules(&g.nodes[0].findings).contains(&"masterauth-missing"));
    assert!(g.nodes[1].findings.is_empty(), "{:?}", g.nodes[1].findings);
    assert!(g.findings.iter().all(|f| f.severity == "error"));
    let mermaid = topology_view::render(&view, Format::Mermaid);
    assert!(mermaid.contains("class g0s2 error"));
    assert!(!mermaid.contains("class g0n1 "));
}

/// A Redis Cluster deployment: its masters and replicas come from the create command,
/// each fact with its file:line, and the finding is attached.
#[test]
fn cluster_deployment_with_its_layout() {
    let view = view("fixtures/cluster-too-few-masters/bad");
    assert!(view.groups.is_empty());
    let c = &view.clusters[0];
    assert_eq!(c.nodes.len(), 4);
    assert_eq!(c.masters.as_ref().map(|m| m.value), Some(2));
    assert_eq!(
        c.masters.as_ref().and_then(|m| m.at.as_deref()),
        Some("fixtures/cluster-too-few-masters/bad/create-cluster.sh:3")
    );
    assert_eq!(c.replicas_per_master.as_ref().map(|r| r.value), Some(1));
    assert_eq!(c.majority, Some(2));
    assert!(c
        .findings
        .iter()
        .any(|f| f.rule == "cluster-too-few-masters"));
}
