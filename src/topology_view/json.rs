//! `--format json`: the view, versioned (`{"version": 1, "groups": […]}`).

use super::model::TopologyView;

pub fn render(view: &TopologyView) -> String {
    let mut text = serde_json::to_string_pretty(view).expect("the view serializes");
    text.push('\n');
    text
}
