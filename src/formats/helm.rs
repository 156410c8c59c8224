//! Helm charts as they are checked without Helm: a chart's `templates/` are Go templates,
//! not YAML, and are never judged as YAML; what `helm template` renders carries
//! `# Source: chart/templates/x.yaml` comments that name the template of each document.

use std::ops::Range;
use std::path::Path;

/// `Chart.yaml` of a chart.
pub fn is_chart_file(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "Chart.yaml")
}

/// The chart's `name:` value and its span.
pub fn chart_name(text: &str) -> Option<(String, Range<usize>)> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("name:") {
            let value = rest.trim().trim_matches(['"', '\'']);
            let start = offset + line.find(value).unwrap_or(5);
            return Some((value.to_string(), start..start + value.len()));
        }
        offset += line.len();
    }
    None
}

/// A template of a chart: a file under its `templates/` folder.
pub fn is_template_of(chart_dir: &Path, path: &Path) -> bool {
    path.strip_prefix(chart_dir)
        .is_ok_and(|rest| rest.starts_with("templates"))
}

/// A `# Source: …` comment of rendered output: (range of the document the comment heads,
/// span of the comment's path, the path).
pub type RenderedSource = (Range<usize>, Range<usize>, String);

/// The `# Source: …` comments of rendered output.
pub fn rendered_sources(text: &str) -> Vec<RenderedSource> {
    if !text.contains("# Source: ") {
        return Vec::new();
    }
    let mut out: Vec<RenderedSource> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed.starts_with("--- ") {
            if let Some(last) = out.last_mut() {
                if last.0.end == usize::MAX {
                    last.0.end = offset;
                }
            }
        } else if let Some(path) = trimmed.strip_prefix("# Source: ") {
            if let Some(last) = out.last_mut() {
                if last.0.end == usize::MAX {
                    last.0.end = offset;
                }
            }
            let start = offset + "# Source: ".len();
            out.push((
                offset..usize::MAX,
                start..start + path.len(),
                path.to_string(),
            ));
        }
        offset += line.len();
    }
    if let Some(last) = out.last_mut() {
        if last.0.end == usize::MAX {
            last.0.end = text.len();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_comments_head_their_documents() {
        let text = "---\n# Source: redis/templates/cm.yaml\nkind: ConfigMap\n---\n# Source: redis/templates/sts.yaml\nkind: StatefulSet\n";
        let found = rendered_sources(text);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].2, "redis/templates/cm.yaml");
        assert_eq!(&text[found[0].1.clone()], "redis/templates/cm.yaml");
        assert!(found[0].0.contains(&text.find("ConfigMap").unwrap()));
        assert!(!found[0].0.contains(&text.find("StatefulSet").unwrap()));
        assert!(found[1].0.contains(&text.find("StatefulSet").unwrap()));
    }

    #[test]
    fn chart_name_and_span() {
        let text = "apiVersion: v2\nname: my-redis\nversion: 1.0.0\n";
        let (name, span) = chart_name(text).unwrap();
        assert_eq!(name, "my-redis");
        assert_eq!(&text[span], "my-redis");
    }
}
