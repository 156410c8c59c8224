//! `--format mermaid`: a flowchart with one subgraph per group.

use super::model::*;
use super::{short, worst};
use std::fmt::Write;

fn label(text: &str) -> String {
    text.replace('"', "#quot;")
        .replace('`', "#96;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

pub fn render(view: &TopologyView) -> String {
    let mut out = String::from("flowchart TB\n");
    let mut classes: Vec<(String, &'static str)> = Vec::new();
    let mut edges = String::new();
    for g in &view.groups {
        let quorum = g
            .quorum
            .map_or("quorum differs".to_string(), |q| format!("quorum {q}"));
        let _ = writeln!(
            out,
            "  subgraph {}[\"{} · {} · {} · sentinels {}\"]",
            g.id,
            label(&g.title()),
            label(&g.address),
            quorum,
            label(&g.sentinel_count.show())
        );
        if g.master().is_none() {
            let _ = writeln!(
                out,
                "    {}[\"master {} (not in the files)\"]",
                g.master_id(),
                label(&g.address)
            );
        }
        for n in &g.nodes {
            let _ = writeln!(
                out,
                "    {}[\"{} {}<br/>{}<br/>persistence {} · auth {}\"]",
                n.id,
                n.role,
                label(short(&n.name)),
                label(&n.address),
                n.persistence.value,
                n.auth.value
            );
            if let Some(c) = worst(&n.findings) {
                classes.push((n.id.clone(), c));
            }
            if n.role == "replica" {
                let _ = writeln!(edges, "  {} -->|replicates| {}", n.id, g.master_id());
            }
        }
        for s in &g.sentinels {
            let _ = writeln!(
                out,
                "    {}([\"sentinel {}<br/>{}<br/>quorum {}\"])",
                s.id,
                label(short(&s.name)),
                label(&s.address),
                s.quorum.value
            );
            if let Some(c) = worst(&s.findings) {
                classes.push((s.id.clone(), c));
            }
            let _ = writeln!(edges, "  {} -.->|monitors| {}", s.id, g.master_id());
        }
        out.push_str("  end\n");
    }
    for c in &view.consensus {
        let _ = writeln!(
            out,
            "  {}[\"{} {}<br/>{} nodes · majority {}<br/>persistent volumes {}\"]",
            c.id,
            c.kind,
            label(&c.name),
            c.nodes.value,
            c.majority,
            if c.persistent.value { "yes" } else { "no" }
        );
        if let Some(class) = worst(&c.findings) {
            classes.push((c.id.clone(), class));
        }
    }
    for c in &view.clusters {
        let _ = writeln!(out, "  {}[\"{}\"]", c.id, label(&c.summary()));
        if let Some(class) = worst(&c.findings) {
            classes.push((c.id.clone(), class));
        }
    }
    out.push_str(&edges);
    out.push_str("  classDef error fill:#fdd,stroke:#c00,stroke-width:2px\n");
    out.push_str("  classDef warning fill:#ffe9b3,stroke:#b86e00,stroke-width:2px\n");
    out.push_str("  classDef info fill:#dde9ff,stroke:#3366cc\n");
    for (id, class) in classes {
        let _ = writeln!(out, "  class {id} {class}");
    }
    out
}
