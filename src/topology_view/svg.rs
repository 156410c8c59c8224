//! `--format svg`: a standalone picture laid out here, without external programs.
//! Per group, top to bottom: a row of sentinels, the master, a row of replicas.

use super::model::*;
use super::{short, worst};
use std::fmt::Write;

const BOX_W: i64 = 220;
const BOX_H: i64 = 58;
const GAP: i64 = 24;
const ROW_GAP: i64 = 56;
const MARGIN: i64 = 20;
const TITLE_H: i64 = 30;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn colours(findings: &[FindingView]) -> (&'static str, &'static str) {
    match worst(findings) {
        Some("error") => ("#ffdddd", "#cc0000"),
        Some("warning") => ("#ffe9b3", "#b86e00"),
        Some(_) => ("#dde9ff", "#3366cc"),
        None => ("#ffffff", "#444444"),
    }
}

struct Box_ {
    x: i64,
    y: i64,
    lines: Vec<String>,
    fill: &'static str,
    stroke: &'static str,
    round: bool,
}

fn row_width(n: usize) -> i64 {
    let n = n.max(1) as i64;
    n * BOX_W + (n - 1) * GAP
}

fn draw_box(out: &mut String, b: &Box_) {
    let rx = if b.round { 24 } else { 4 };
    let _ = writeln!(
        out,
        r#"  <rect x="{}" y="{}" width="{BOX_W}" height="{BOX_H}" rx="{rx}" fill="{}" stroke="{}" stroke-width="1.5"/>"#,
        b.x, b.y, b.fill, b.stroke
    );
    for (i, line) in b.lines.iter().enumerate() {
        let weight = if i == 0 { " font-weight=\"bold\"" } else { "" };
        let _ = writeln!(
            out,
            r#"  <text x="{}" y="{}" text-anchor="middle"{weight}>{}</text>"#,
            b.x + BOX_W / 2,
            b.y + 17 + 16 * i as i64,
            escape(line)
        );
    }
}

pub fn render(view: &TopologyView) -> String {
    let width = view
        .groups
        .iter()
        .map(|g| row_width(g.sentinels.len()).max(row_width(g.nodes.len().saturating_sub(1))))
        .chain(std::iter::once(row_width(view.consensus.len())))
        .chain(std::iter::once(row_width(view.clusters.len())))
        .max()
        .unwrap_or(BOX_W)
        .max(700)
        + 4 * MARGIN;
    let mut body = String::new();
    let mut y = MARGIN;
    for g in &view.groups {
        let top = y;
        y += TITLE_H;
        let inner = width - 4 * MARGIN;
        let row = |count: usize, y: i64| -> Vec<(i64, i64)> {
            let start = 2 * MARGIN + (inner - row_width(count)) / 2;
            (0..count as i64)
                .map(|i| (start + i * (BOX_W + GAP), y))
                .collect()
        };
        let mut boxes = Vec::new();
        let mut lines = Vec::new();
        let sentinel_pos = row(g.sentinels.len(), y);
        let master_y = if g.sentinels.is_empty() {
            y
        } else {
            y + BOX_H + ROW_GAP
        };
        let (mx, my) = row(1, master_y)[0];
        let replicas: Vec<&NodeView> = g.nodes.iter().filter(|n| n.role == "replica").collect();
        let replica_pos = row(replicas.len(), master_y + BOX_H + ROW_GAP);
        for (s, &(x, sy)) in g.sentinels.iter().zip(&sentinel_pos) {
            let (fill, stroke) = colours(&s.findings);
            boxes.push(Box_ {
                x,
                y: sy,
                lines: vec![
                    format!("sentinel {}", short(&s.name)),
                    s.address.clone(),
                    format!("quorum {}", s.quorum.value),
                ],
                fill,
                stroke,
                round: true,
            });
            lines.push((x + BOX_W / 2, sy + BOX_H, mx + BOX_W / 2, my, true));
        }
        match g.master() {
            Some(m) => {
                let (fill, stroke) = colours(&m.findings);
                boxes.push(Box_ {
                    x: mx,
                    y: my,
                    lines: vec![
                        format!("master {}", short(&m.name)),
                        m.address.clone(),
                        format!(
                            "persistence {} · auth {}",
                            m.persistence.value, m.auth.value
                        ),
                    ],
                    fill,
                    stroke,
                    round: false,
                });
            }
            None => boxes.push(Box_ {
                x: mx,
                y: my,
                lines: vec![
                    "master".to_string(),
                    g.address.clone(),
                    "(not in the files)".to_string(),
                ],
                fill: "#f4f4f4",
                stroke: "#888888",
                round: false,
            }),
        }
        for (n, &(x, ry)) in replicas.iter().zip(&replica_pos) {
            let (fill, stroke) = colours(&n.findings);
            boxes.push(Box_ {
                x,
                y: ry,
                lines: vec![
                    format!("replica {}", short(&n.name)),
                    n.address.clone(),
                    format!(
                        "persistence {} · auth {}",
                        n.persistence.value, n.auth.value
                    ),
                ],
                fill,
                stroke,
                round: false,
            });
            lines.push((x + BOX_W / 2, ry, mx + BOX_W / 2, my + BOX_H, false));
        }
        let bottom = if replicas.is_empty() {
            my + BOX_H
        } else {
            my + 2 * BOX_H + ROW_GAP
        };
        let (_, gstroke) = colours(&g.findings);
        let quorum = g
            .quorum
            .map_or("quorum differs".to_string(), |q| format!("quorum {q}"));
        let _ = writeln!(
            body,
            r##"  <rect x="{MARGIN}" y="{top}" width="{}" height="{}" rx="8" fill="#fafafa" stroke="{gstroke}" stroke-dasharray="6 4"/>"##,
            width - 2 * MARGIN,
            bottom - top + MARGIN
        );
        let _ = writeln!(
            body,
            r#"  <text x="{}" y="{}" font-weight="bold">{}</text>"#,
            2 * MARGIN,
            top + 20,
            escape(&format!(
                "{} · {} · {} · sentinels {} · findings {}",
                g.title(),
                g.address,
                quorum,
                g.sentinel_count.show(),
                g.findings.len()
            ))
        );
        for (x1, y1, x2, y2, dashed) in lines {
            let dash = if dashed {
                r#" stroke-dasharray="5 4""#
            } else {
                ""
            };
            let _ = writeln!(
                body,
                r##"  <line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#555555" stroke-width="1.5"{dash} marker-end="url(#arrow)"/>"##
            );
        }
        for b in &boxes {
            draw_box(&mut body, b);
        }
        y = bottom + 2 * MARGIN;
    }
    // Deployments with a quorum of their own: one box each, in a row.
    if !view.consensus.is_empty() {
        for (i, c) in view.consensus.iter().enumerate() {
            let (fill, stroke) = colours(&c.findings);
            draw_box(
                &mut body,
                &Box_ {
                    x: 2 * MARGIN + i as i64 * (BOX_W + GAP),
                    y,
                    lines: vec![
                        format!("{} {}", c.kind, c.name),
                        format!("{} nodes · majority {}", c.nodes.value, c.majority),
                        format!(
                            "persistent volumes {}",
                            if c.persistent.value { "yes" } else { "no" }
                        ),
                    ],
                    fill,
                    stroke,
                    round: false,
                },
            );
        }
        y += BOX_H + 2 * MARGIN;
    }
    // Redis Cluster deployments: one box each, in a row.
    if !view.clusters.is_empty() {
        for (i, c) in view.clusters.iter().enumerate() {
            let (fill, stroke) = colours(&c.findings);
            let shape = match (&c.masters, &c.replicas_per_master) {
                (Some(m), Some(r)) => format!("{} masters × {} replica(s)", m.value, r.value),
                _ => "masters unknown".to_string(),
            };
            draw_box(
                &mut body,
                &Box_ {
                    x: 2 * MARGIN + i as i64 * (BOX_W + GAP),
                    y,
                    lines: vec![
                        format!("Redis Cluster · {} node(s)", c.nodes.len()),
                        shape,
                        format!("node timeout {} ms", c.node_timeout_ms.value),
                    ],
                    fill,
                    stroke,
                    round: false,
                },
            );
        }
        y += BOX_H + 2 * MARGIN;
    }
    // Legend.
    let legend_y = y;
    let mut x = MARGIN;
    for (name, (fill, stroke)) in [
        ("error", ("#ffdddd", "#cc0000")),
        ("warning", ("#ffe9b3", "#b86e00")),
        ("info", ("#dde9ff", "#3366cc")),
        ("no finding", ("#ffffff", "#444444")),
    ] {
        let _ = writeln!(
            body,
            r#"  <rect x="{x}" y="{legend_y}" width="14" height="14" fill="{fill}" stroke="{stroke}"/>"#
        );
        let _ = writeln!(
            body,
            r#"  <text x="{}" y="{}">{name}</text>"#,
            x + 20,
            legend_y + 12
        );
        x += 110;
    }
    let _ = writeln!(
        body,
        r#"  <text x="{x}" y="{}">dashed: monitors · solid: replicates</text>"#,
        legend_y + 12
    );
    let height = legend_y + 14 + MARGIN;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" font-size="12">"#
    );
    out.push_str("  <defs>\n    <marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\">\n      <path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#555555\"/>\n    </marker>\n  </defs>\n");
    let _ = writeln!(
        out,
        r#"  <rect width="{width}" height="{height}" fill="white"/>"#
    );
    out.push_str(&body);
    out.push_str("</svg>\n");
    out
}
