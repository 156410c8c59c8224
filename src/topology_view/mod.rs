//! `redis-halint topology`: the deployment as the linker understands it, as a
//! deterministic view model and its renderings (text tree, JSON, Mermaid, DOT, SVG).
//!
//! Passwords are never part of the view: only where they come from (literal, unknown,
//! none).

mod build;
mod dot;
mod json;
mod mermaid;
mod model;
mod svg;
mod tree;

pub use build::build;
pub use model::{Auth, Count, Fact, FindingView, GroupView, NodeView, SentinelView, TopologyView};

/// Output formats of `redis-halint topology`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Tree,
    Json,
    Mermaid,
    Dot,
    Svg,
}

impl Format {
    pub const ALL: &'static [Format] = &[
        Format::Tree,
        Format::Json,
        Format::Mermaid,
        Format::Dot,
        Format::Svg,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Tree => "tree",
            Format::Json => "json",
            Format::Mermaid => "mermaid",
            Format::Dot => "dot",
            Format::Svg => "svg",
        }
    }

    pub fn parse(name: &str) -> Option<Format> {
        Format::ALL.iter().copied().find(|f| f.name() == name)
    }
}

/// The view in one format.
pub fn render(view: &TopologyView, format: Format) -> String {
    match format {
        Format::Tree => tree::render(view),
        Format::Json => json::render(view),
        Format::Mermaid => mermaid::render(view),
        Format::Dot => dot::render(view),
        Format::Svg => svg::render(view),
    }
}

/// The worst severity of some findings, as a class name (`error`, `warning`, `info`).
pub(crate) fn worst(findings: &[FindingView]) -> Option<&'static str> {
    ["error", "warning", "info"]
        .into_iter()
        .find(|s| findings.iter().any(|f| f.severity == *s))
}

/// A process name short enough for a diagram box: the file name of a config path.
pub(crate) fn short(name: &str) -> &str {
    if name.contains('`') {
        name
    } else {
        name.rsplit('/').next().unwrap_or(name)
    }
}
