//! Local Helm charts rendered as `helm template` would: each template of a chart about
//! Redis, with `values.yaml` (and each `values-<env>.yaml` laid over it, one deployment
//! per environment), becomes a rendered file of the workspace that the formats read like
//! any manifest. Findings in a rendered file are moved back to the line a user edits:
//! the template's text, or the values line whose value the template printed.

use super::*;
use crate::formats::helm_render::{self, Rendered, Src};

/// What a rendered file was made from.
pub(super) struct RenderInfo {
    pub(super) template: FileId,
    /// The values files, top layer first (the environment's, then `values.yaml`).
    layers: Vec<FileId>,
    rendered: Rendered,
}

impl RenderInfo {
    /// A file held in a YAML string of `template` (an inline `content:`), its text
    /// mapped to the file by `pieces` as [`yaml::Embedded`] gives them.
    pub(super) fn embedded(
        template: FileId,
        text: String,
        pieces: &[(usize, usize, usize)],
    ) -> RenderInfo {
        RenderInfo {
            template,
            layers: Vec::new(),
            rendered: Rendered {
                text,
                pieces: pieces
                    .iter()
                    .map(|&(at, from, len)| (at..at + len, Src::Template(from, from + len)))
                    .collect(),
            },
        }
    }

    /// A rendering that keeps every byte of its template at its place (a Jinja template
    /// with its markup made neutral): each span is the same span of the template.
    pub(super) fn in_place(template: FileId, text: String) -> RenderInfo {
        let len = text.len();
        RenderInfo {
            template,
            layers: Vec::new(),
            rendered: Rendered {
                text,
                pieces: vec![(0..len, Src::Template(0, len))],
            },
        }
    }
}

/// Charts whose templates are rendered at most this large (values and templates).
const MAX_CHART_BYTES: usize = 4 << 20;

impl Workspace {
    /// Render the templates of every chart of the workspace that is about Redis. A
    /// template the renderer cannot follow is left as it was (and the chart keeps its
    /// note that its templates were not evaluated).
    pub fn render_helm_charts(&mut self) {
        let charts: Vec<PathBuf> = self
            .by_path
            .keys()
            .filter(|p| crate::formats::helm::is_chart_file(p))
            .cloned()
            .collect();
        if charts.is_empty() {
            return;
        }
        // What the GitOps releases of the tree name as their chart (`chart:`, `path:`).
        let release_refs: Vec<String> = self
            .entries
            .values()
            .map(|e| e.source.text())
            .filter(|t| t.contains("kind: HelmRelease") || t.contains("kind: Application"))
            .flat_map(|t| {
                t.lines()
                    .map(str::trim)
                    .filter(|l| l.starts_with("chart:") || l.starts_with("path:"))
                    .map(|l| l.trim_end_matches('/').to_string())
                    .collect::<Vec<_>>()
            })
            .collect();
        for chart_file in charts {
            self.render_chart(&chart_file, &release_refs);
        }
    }

    fn render_chart(&mut self, chart_file: &Path, release_refs: &[String]) {
        let chart_dir = chart_file.parent().unwrap_or(Path::new("")).to_path_buf();
        // A dependency vendored under another chart's `charts/` is rendered with the
        // parent's values by Helm, not with its own defaults alone.
        let vendored = chart_dir.parent().is_some_and(|p| {
            p.file_name().is_some_and(|n| n == "charts")
                && p.parent()
                    .is_some_and(|parent| self.by_path.contains_key(&parent.join("Chart.yaml")))
        });
        if vendored {
            return;
        }
        let templates_dir = chart_dir.join("templates");
        let in_templates: Vec<(PathBuf, FileId)> = self
            .by_path
            .range(templates_dir.clone()..)
            .take_while(|(p, _)| p.starts_with(&templates_dir))
            .filter(|(p, _)| !p.components().any(|c| c.as_os_str() == ".rendered"))
            .map(|(p, id)| (p.clone(), *id))
            .collect();
        let about_redis = in_templates.iter().any(|(_, id)| {
            let text = self.entries[id].source.text().to_ascii_lowercase();
            ["redis", "sentinel", "valkey"]
                .iter()
                .any(|w| text.contains(w))
        });
        let bytes: usize = in_templates
            .iter()
            .map(|(_, id)| self.entries[id].source.text().len())
            .sum();
        if !about_redis || bytes > MAX_CHART_BYTES {
            return;
        }
        // Every file of templates/ may define named templates (`_helpers.tpl`).
        let parsed: Vec<(PathBuf, FileId, Option<crate::syntax::gotemplate::Template>)> =
            in_templates
                .iter()
                .map(|(p, id)| {
                    let text = self.entries[id].source.text();
                    (p.clone(), *id, crate::syntax::gotemplate::parse(text).ok())
                })
                .collect();
        let texts: HashMap<FileId, Arc<str>> = in_templates
            .iter()
            .map(|(_, id)| (*id, self.entries[id].source.shared_text().clone()))
            .collect();
        let mut defines: HashMap<String, (&[crate::syntax::gotemplate::Item], &str)> =
            HashMap::new();
        for (_, id, t) in &parsed {
            if let Some(t) = t {
                for (name, items) in &t.defines {
                    defines.insert(name.clone(), (items.as_slice(), &texts[id]));
                }
            }
        }
        // The values: values.yaml, and each environment's file laid over it.
        let values_file = ["values.yaml", "values.yml"]
            .iter()
            .find_map(|n| self.by_path.get(&chart_dir.join(n)).copied());
        let (name, version, app_version) =
            helm_render::chart_meta(self.entries[&self.by_path[chart_file]].source.text());
        // Values of a chart redis-halint knows (bitnami, OpsTree, valkey): read as that
        // chart deploys them, not rendered a second time from a copy of its templates.
        // (A subchart's values under a key leave the parent's own templates to render.)
        // A chart of another name whose values merely look alike is rendered.
        let known_chart =
            ["redis", "valkey", "redis-replication", "redis-sentinel"].contains(&name.as_str());
        if known_chart
            && values_file.is_some_and(|id| {
                self.entries[&id]
                    .parsed()
                    .resources
                    .iter()
                    .any(|r| r.is_chart_values() && r.values_key.is_none())
            })
        {
            return;
        }
        if released_elsewhere(&chart_dir, release_refs) {
            return;
        }
        let overlays: Vec<FileId> = self
            .by_path
            .iter()
            .filter(|(p, _)| {
                p.parent() == Some(chart_dir.as_path()) && values::is_values_overlay(p)
            })
            .map(|(_, id)| *id)
            .collect();
        let parse_values = |id: FileId| {
            let parsed = yaml::parse(self.entries[&id].source.text());
            parsed
                .documents
                .into_iter()
                .next()
                .filter(|d| d.get("kind").is_none())
        };
        let empty = yaml::parse("{}\n").documents.remove(0);
        let base = values_file.and_then(parse_values);
        let mut sets: Vec<(String, yaml::Node, Vec<FileId>)> = Vec::new();
        if overlays.is_empty() {
            sets.push((
                "values".into(),
                base.clone().unwrap_or_else(|| empty.clone()),
                values_file.into_iter().collect(),
            ));
        }
        for id in overlays {
            let Some(over) = parse_values(id) else {
                continue;
            };
            let name = self.entries[&id]
                .source
                .path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            match &base {
                Some(b) => sets.push((
                    name,
                    yaml::layered(b, &over),
                    vec![id, values_file.unwrap_or(id)],
                )),
                None => sets.push((name, over, vec![id])),
            }
        }
        let mut outputs: Vec<(PathBuf, FileId, Vec<FileId>, Rendered)> = Vec::new();
        let mut rendered_templates: HashSet<FileId> = HashSet::new();
        let mut failed: HashSet<FileId> = HashSet::new();
        for (set_name, values, layers) in &sets {
            let chart = helm_render::Chart {
                values,
                name: name.clone(),
                version: version.clone(),
                app_version: app_version.clone(),
                release: "release-name".into(),
                namespace: "default".into(),
                defines: defines.clone(),
            };
            for (path, id, t) in &parsed {
                let is_manifest = is_yaml(path)
                    && !path
                        .file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('_'));
                if !is_manifest {
                    continue;
                }
                let Some(t) = t else {
                    if std::env::var_os("REDIS_HALINT_DEBUG_HELM").is_some() {
                        eprintln!(
                            "helm: {} not parsed: {:?}",
                            path.display(),
                            crate::syntax::gotemplate::parse(&texts[id]).err()
                        );
                    }
                    failed.insert(*id);
                    continue;
                };
                let rel = path.strip_prefix(&chart_dir).unwrap_or(path);
                match helm_render::render(&chart, &t.items, &texts[id], &rel.to_string_lossy()) {
                    Ok(r) => {
                        rendered_templates.insert(*id);
                        if r.text.trim().is_empty() {
                            continue;
                        }
                        let inner = path.strip_prefix(&templates_dir).unwrap_or(path);
                        let out = templates_dir.join(".rendered").join(set_name).join(inner);
                        outputs.push((out, *id, layers.clone(), r));
                    }
                    Err(e) => {
                        // Why a template was left unrendered, for whoever debugs a chart.
                        if std::env::var_os("REDIS_HALINT_DEBUG_HELM").is_some() {
                            eprintln!("helm: {} not rendered: {}", path.display(), e.0);
                        }
                        failed.insert(*id);
                    }
                }
            }
        }
        // A template rendered with some values but not others is not half-trusted.
        let usable: HashSet<FileId> = rendered_templates.difference(&failed).copied().collect();
        for (path, template, layers, rendered) in outputs {
            if !usable.contains(&template) {
                continue;
            }
            self.rendered_values.extend(layers.iter().copied());
            let text: Arc<str> = rendered.text.clone().into();
            let id = self.set_file(path, text, false);
            self.rendered.insert(
                id,
                Arc::new(RenderInfo {
                    template,
                    layers,
                    rendered,
                }),
            );
        }
        // The template itself is not YAML: its renders stand for it.
        for id in usable {
            if let Some(entry) = self.entries.get_mut(&id) {
                entry.shown_only = true;
            }
            self.rendered_templates.insert(id);
        }
    }

    /// A span of a rendered file, in the template or values file it came from.
    fn source_span(&self, span: Span) -> Option<Span> {
        let info = self.rendered.get(&span.file)?;
        let start = span.start as usize;
        let (piece, src) = info.rendered.source_at(start)?;
        Some(match src {
            Src::Template(s, e) if piece.len() == e - s => {
                let from = s + (start - piece.start);
                let to = (s + (span.end as usize).saturating_sub(piece.start))
                    .min(e)
                    .max(from);
                Span::new(info.template, from, to)
            }
            Src::Template(s, e) => Span::new(info.template, s, e),
            Src::Value(layer, s, e) => {
                let file = *info.layers.get(layer as usize)?;
                let rendered = &info.rendered.text[piece.clone()];
                let values = self.entries.get(&file)?.source.text();
                let len = (span.end as usize).saturating_sub(start);
                match inside_value(rendered, start - piece.start, len, values, s..e) {
                    Some(at) => Span::new(file, at, at + len),
                    None => Span::new(file, s, e),
                }
            }
        })
    }

    /// Findings in rendered files, moved to the template or values lines they came from
    /// (their fixes, written for the rendered text, dropped); one finding per place.
    pub(super) fn move_rendered_findings(&self, diagnostics: &mut Vec<Diagnostic>) {
        if self.rendered.is_empty() {
            return;
        }
        let mut seen: HashSet<(Rule, Span)> = HashSet::new();
        diagnostics.retain_mut(|d| {
            let from_render = self.rendered.contains_key(&d.span.file);
            if from_render {
                let Some(span) = self.source_span(d.span) else {
                    return false;
                };
                d.span = span;
                d.fix = None;
            }
            let mut moved = false;
            d.related.retain_mut(|l| {
                if !self.rendered.contains_key(&l.span.file) {
                    return true;
                }
                moved = true;
                match self.source_span(l.span) {
                    Some(s) => {
                        l.span = s;
                        true
                    }
                    None => false,
                }
            });
            if moved {
                d.fix = None;
            }
            // Each environment's render reports what they share: said once.
            !from_render || seen.insert((d.rule, d.span))
        });
    }

    /// A rendered file (never reported on directly).
    pub(super) fn is_rendered(&self, id: FileId) -> bool {
        self.rendered.contains_key(&id)
    }

    /// A chart template whose renders stand for it.
    pub(super) fn is_rendered_template(&self, id: FileId) -> bool {
        self.rendered_templates.contains(&id)
    }
}

/// Where the `len` bytes at `offset` of a value as rendered (a block scalar of a values
/// file, perhaps re-indented by `indent`) are in the values file's text: the same line
/// of the scalar, the same column past its indentation. `None` when the text there is not
/// the same (then the whole value is the place).
fn inside_value(
    rendered: &str,
    offset: usize,
    len: usize,
    values: &str,
    scalar: std::ops::Range<usize>,
) -> Option<usize> {
    let wanted = rendered.get(offset..offset + len)?;
    let line = rendered[..offset].matches('\n').count();
    let line_start = rendered[..offset].rfind('\n').map_or(0, |i| i + 1);
    let rendered_line = &rendered[line_start..];
    let rendered_indent = rendered_line.len() - rendered_line.trim_start_matches(' ').len();
    let column = (offset - line_start).checked_sub(if line == 0 { 0 } else { rendered_indent })?;
    let source = values.get(scalar.clone())?;
    let mut at = scalar.start;
    for (i, text) in source.split_inclusive('\n').enumerate() {
        if i == line {
            let indent = if i == 0 {
                0
            } else {
                text.len() - text.trim_start_matches(' ').len()
            };
            let found = at + indent + column;
            return (values.get(found..found + len) == Some(wanted)).then_some(found);
        }
        at += text.len();
    }
    None
}

/// A GitOps release of the tree (Flux `HelmRelease`, Argo CD `Application`) names this
/// chart's folder: it deploys the chart with values of its own, which the chart's
/// defaults do not show.
fn released_elsewhere(chart_dir: &Path, refs: &[String]) -> bool {
    let components: Vec<String> = chart_dir
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    let Some(name) = components.last() else {
        return false;
    };
    // `charts/redis`, or the folder's name after a slash or a space (`./redis`, `x/redis`).
    let tail = components[components.len().saturating_sub(2)..].join("/");
    refs.iter().any(|l| {
        l.contains(&tail) || l.ends_with(&format!("/{name}")) || l.ends_with(&format!(" {name}"))
    })
}
