//! `--format dot`: the same diagram for Graphviz.

use super::model::*;
use super::{short, worst};
use std::fmt::Write;

fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn style(findings: &[FindingView]) -> &'static str {
    match worst(findings) {
        Some("error") => ", style=filled, fillcolor=\"#ffdddd\", color=\"#cc0000\", penwidth=2",
        Some("warning") => ", style=filled, fillcolor=\"#ffe9b3\", color=\"#b86e00\", penwidth=2",
        Some(_) => ", style=filled, fillcolor=\"#dde9ff\", color=\"#3366cc\"",
        None => "",
    }
}

pub fn render(view: &TopologyView) -> String {
    let mut out = String::from(
        "digraph topology {\n  rankdir=TB;\n  node [shape=box, fontname=\"Helvetica\"];\n",
    );
    let mut edges = String::new();
    for g in &view.groups {
        let quorum = g
            .quorum
            .map_or("quorum differs".to_string(), |q| format!("quorum {q}"));
        let _ = writeln!(out, "  subgraph cluster_{} {{", g.id);
        let _ = writeln!(
            out,
            "    label={};",
            quote(&format!(
                "{} · {} · {} · sentinels {}",
                g.title(),
                g.address,
                quorum,
                g.sentinel_count.show()
            ))
        );
        if g.master().is_none() {
            let _ = writeln!(
                out,
                "    {} [label={}, style=dashed];",
                g.master_id(),
                quote(&format!("master {} (not in the files)", g.address))
            );
        }
        for n in &g.nodes {
            let text = format!(
                "{} {}\n{}\npersistence {} · auth {}",
                n.role,
                short(&n.name),
                n.address,
                n.persistence.value,
                n.auth.value
            );
            let _ = writeln!(
                out,
                "    {} [label={}{}];",
                n.id,
                quote(&text),
                style(&n.findings)
            );
            if n.role == "replica" {
                let _ = writeln!(
                    edges,
                    "  {} -> {} [label=\"replicates\"];",
                    n.id,
                    g.master_id()
                );
            }
        }
        for s in &g.sentinels {
            let text = format!(
                "sentinel {}\n{}\nquorum {}",
                short(&s.name),
                s.address,
                s.quorum.value
            );
            let _ = writeln!(
                out,
                "    {} [label={}, shape=ellipse{}];",
                s.id,
                quote(&text),
                style(&s.findings)
            );
            let _ = writeln!(
                edges,
                "  {} -> {} [label=\"monitors\", style=dashed];",
                s.id,
                g.master_id()
            );
        }
        out.push_str("  }\n");
    }
    for c in &view.consensus {
        let text = format!(
            "{} {}\n{} nodes · majority {}\npersistent volumes {}",
            c.kind,
            c.name,
            c.nodes.value,
            c.majority,
            if c.persistent.value { "yes" } else { "no" }
        );
        let _ = writeln!(
            out,
            "  {} [label={}{}];",
            c.id,
            quote(&text),
            style(&c.findings)
        );
    }
    for c in &view.clusters {
        let _ = writeln!(
            out,
            "  {} [label={}{}];",
            c.id,
            quote(&c.summary()),
            style(&c.findings)
        );
    }
    out.push_str(&edges);
    out.push_str("}\n");
    out
}
