//! One JSON object per line (the objects of the `json` format), for streaming consumers.

use super::json::items;
use super::MaskedSources;
use crate::diagnostic::Diagnostic;

pub fn render(sources: &MaskedSources, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for item in items(sources, diagnostics) {
        out.push_str(&serde_json::to_string(&item).expect("serializable"));
        out.push('\n');
    }
    out
}
