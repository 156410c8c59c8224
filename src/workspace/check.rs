//! `check`: every rule over the deployment model, then file-level findings and inline
//! suppressions.

use super::*;

impl Workspace {
    /// Charts of the tree whose templates are about Redis: Go templates are not YAML
    /// until Helm renders them, so one note per chart says how to check them.
    fn charts_not_rendered(&self) -> Vec<Diagnostic> {
        use crate::formats::helm;
        let mut out = Vec::new();
        for (path, id) in self.by_path.iter().filter(|(p, _)| helm::is_chart_file(p)) {
            let chart_dir = path.parent().unwrap_or(Path::new(""));
            let templates: Vec<&Path> = self
                .by_path
                .range(chart_dir.join("templates")..)
                .take_while(|(p, _)| p.starts_with(chart_dir.join("templates")))
                .filter(|(p, _)| is_yaml(p) || p.extension().is_some_and(|e| e == "tpl"))
                .filter(|(_, id)| !self.is_rendered(**id) && !self.is_rendered_template(**id))
                .filter(|(p, _)| {
                    !p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('_'))
                })
                .filter(|(_, id)| {
                    let text = self.entries[id].source.text();
                    text.contains("{{")
                        && ["redis", "sentinel", "valkey"]
                            .iter()
                            .any(|w| text.to_ascii_lowercase().contains(w))
                })
                .map(|(p, _)| p.as_path())
                .collect();
            let Some(first) = templates.first() else {
                continue;
            };
            let source = &self.entries[id].source;
            let (name, span) = helm::chart_name(source.text()).unwrap_or_default();
            let span = Span::new(*id, span.start, span.end);
            out.push(
                Diagnostic::new(
                    Rule::HelmTemplatesNotEvaluated,
                    span,
                    format!(
                        "chart `{name}` has {} template(s) about Redis ({}{}) that redis-halint could not render (a function or construct it does not know): Go templates are not YAML until rendered, so what they deploy was not checked",
                        templates.len(),
                        first.strip_prefix(chart_dir).unwrap_or(first).display(),
                        if templates.len() > 1 { ", …" } else { "" }
                    ),
                )
                .help(format!(
                    "check what the chart renders: `helm template {} -f <values> | redis-halint check --stdin-filename rendered.yaml -`",
                    chart_dir.display()
                )),
            );
        }
        out
    }

    /// Findings in output rendered by `helm template`: the template each document came
    /// from (its `# Source:` comment) as a label.
    fn label_rendered_sources(&self, diagnostics: &mut [Diagnostic]) {
        let mut by_file: HashMap<FileId, Vec<crate::formats::helm::RenderedSource>> =
            HashMap::new();
        for d in diagnostics.iter_mut() {
            let file = d.span.file;
            let sources = by_file.entry(file).or_insert_with(|| {
                // `helm template` output is YAML: a plain config (whose text a
                // whole-tree check has released) has no `# Source:` comment to find.
                self.entries
                    .get(&file)
                    .filter(|e| !e.is_plain_config())
                    .map(|e| crate::formats::helm::rendered_sources(e.source.text()))
                    .unwrap_or_default()
            });
            let at = d.span.start as usize;
            if let Some((_, comment, path)) = sources.iter().find(|(doc, _, _)| doc.contains(&at)) {
                let span = Span::new(file, comment.start, comment.end);
                d.related.push(crate::diagnostic::Label::new(
                    span,
                    format!("rendered from the chart's {path}"),
                ));
            }
        }
    }

    /// YAML files about Redis that could not be read. Helm templates (`{{ … }}`) are not
    /// YAML until rendered, so they are left alone.
    fn yaml_errors(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for entry in self.entries.values() {
            if self.is_rendered(entry.source.id) {
                continue; // what the renderer wrote is not the user's YAML
            }
            let Some(error) = &entry.parsed().yaml_error else {
                continue;
            };
            let text = entry.source.text().to_ascii_lowercase();
            let about_redis = ["redis", "sentinel", "valkey"]
                .iter()
                .any(|w| text.contains(w));
            if !about_redis || text.contains("{{") {
                continue;
            }
            let span = Span::new(
                entry.source.id,
                error.span.start,
                error.span.end.max(error.span.start),
            );
            out.push(
                Diagnostic::new(Rule::InvalidYaml, span, format!("not valid YAML: {}; nothing after this point is checked", error.message))
                    .help("fix the YAML syntax; `kubectl apply` and `docker compose` refuse this file too"),
            );
        }
        out
    }

    /// Inline suppressions of every config file, applied to the diagnostics, plus the
    /// findings about the suppressions themselves.
    fn apply_suppressions(&self, mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        let mut all = Vec::new();
        // Jinja templates: only shown, but their findings are theirs.
        let templates = self.jinja_templates();
        for id in self.sorted_ids() {
            if self.is_rendered(id) {
                continue; // comments of a template are read in the template
            }
            let entry = &self.entries[&id];
            let parsed = entry.parsed();
            let relevant = templates.contains(&id)
                || !parsed.confs.is_empty()
                || !parsed.units.is_empty()
                || !parsed.commands.is_empty()
                || parsed.compose.is_some()
                || !parsed.containers.is_empty()
                || !parsed.resources.is_empty();
            // Comments (`redis-halint: ignore[…]`) and annotations (`redis-halint.io/ignore`)
            // both name the tool: a file without the name has nothing to read.
            if !relevant || !entry.names_tool() {
                continue;
            }
            let source = &entry.source;
            let comments = crate::suppression_sources::comments(&source.path, source.text());
            let (mut found, problems) =
                crate::suppression::scan(source.id, source.text(), &comments);
            diagnostics.extend(problems);
            if is_yaml(&source.path) {
                let (more, problems) =
                    crate::suppression_sources::annotations(source.id, source.text(), |offset| {
                        source.line_index().line_of(offset as u32) as u32
                    });
                found.extend(more);
                diagnostics.extend(problems);
            }
            if !found.is_empty() {
                all.push((source.id, found));
            }
        }
        crate::suppression::apply(diagnostics, &all, |span| {
            self.entries[&span.file]
                .source
                .line_index()
                .line_of(span.start) as u32
        })
    }

    /// Run every rule over every file; apply inline suppressions; diagnostics sorted by
    /// file and position.
    pub fn check(&self) -> Vec<Diagnostic> {
        let confs = self.parse_all();
        let (topology, format_units) = self.build_topology(&confs);
        let sources: HashMap<FileId, &SourceFile> = self
            .entries
            .values()
            .map(|e| (e.source.id, &e.source))
            .collect();
        let conf_map: HashMap<FileId, &ConfFile> =
            confs.iter().map(|c| (c.file, c.as_ref())).collect();
        let ctx = Context {
            target: self.settings.target,
            sources: &sources,
            confs: &conf_map,
            all_confs: &confs,
            topology: &topology,
            units: &format_units,
            history: self.history.as_ref(),
            declared: crate::rules::declared_runtimes(&topology),
            file_releases: crate::rules::file_releases(&topology),
            hosts: std::sync::OnceLock::new(),
        };
        // Command-line options of containers are config lines too.
        let options: Vec<&ConfFile> = self
            .entries
            .values()
            .flat_map(|e| e.parsed().compose.iter().flat_map(|c| &c.services))
            .map(|service| &service.options)
            .collect();
        // So are the configs their start scripts write (`echo "…" > FILE`, a here-document
        // in a `sh -c` string): the program they start reads them.
        let script_confs: Vec<ConfFile> = self
            .entries
            .values()
            .flat_map(|e| {
                let file = e.source.id;
                e.parsed()
                    .compose
                    .iter()
                    .flat_map(|c| &c.services)
                    .filter_map(move |s| {
                        let tree = s.script_config.clone()?;
                        Some(ConfFile::from_tree_keep_owners(file, s.kind, tree))
                    })
            })
            .collect();
        let options: Vec<&ConfFile> = options.into_iter().chain(&script_confs).collect();
        let units = self.all_units();
        // The rules of each file in parallel, and meanwhile those of the whole topology.
        let (mut diagnostics, topology_findings) = rayon::join(
            || {
                let mut out: Vec<Diagnostic> = confs
                    .par_iter()
                    .map(|conf| conf.as_ref())
                    .chain(options.par_iter().copied())
                    .flat_map_iter(|conf| rules::check_conf(conf, &ctx))
                    .collect();
                out.par_extend(
                    units
                        .par_iter()
                        .flat_map_iter(|unit| rules::check_unit(unit, &ctx)),
                );
                out
            },
            || rules::check_topology(&ctx),
        );
        diagnostics.extend(topology_findings);
        self.move_rendered_findings(&mut diagnostics);
        diagnostics.extend(self.yaml_errors());
        diagnostics.extend(self.charts_not_rendered());
        self.label_rendered_sources(&mut diagnostics);
        // redis-halint's own configuration files in the workspace: unknown keys, bad values.
        for entry in self.entries.values() {
            if crate::settings::is_config_file(&entry.source.path) {
                diagnostics.extend(crate::settings::validate(&entry.source));
            }
        }
        if !self.settings.ignore_inline_suppressions {
            diagnostics = self.apply_suppressions(diagnostics);
        }
        diagnostics.sort_by(|a, b| {
            let pa = &sources[&a.span.file].path;
            let pb = &sources[&b.span.file].path;
            (pa, a.span.start, a.rule.code(), &a.message).cmp(&(
                pb,
                b.span.start,
                b.rule.code(),
                &b.message,
            ))
        });
        merge_repeated(&mut diagnostics);
        self.name_inheriting_overlays(&format_units.builds, &mut diagnostics);
        diagnostics
    }
}

/// One finding per place: the same rule, message and fix at one span, reached from
/// several processes (three sentinels sharing a config), is reported once with the
/// evidence of each. Expects the findings sorted by place.
fn merge_repeated(diagnostics: &mut Vec<Diagnostic>) {
    let mut out: Vec<Diagnostic> = Vec::with_capacity(diagnostics.len());
    for d in diagnostics.drain(..) {
        if let Some(last) = out.last_mut().filter(|last| {
            last.rule == d.rule
                && last.span == d.span
                && last.message == d.message
                && last.severity == d.severity
                && last.fix == d.fix
                && last.help == d.help
                && last.fatal == d.fatal
        }) {
            for label in d.related {
                if !last.related.contains(&label) {
                    last.related.push(label);
                }
            }
            continue;
        }
        out.push(d);
    }
    *diagnostics = out;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_findings_merge_their_evidence() {
        let at = |start| Span::new(FileId(0), start, start + 3);
        let finding = |label| {
            Diagnostic::new(Rule::SentinelCountBelowThree, at(1), "same").label(at(label), "here")
        };
        let mut found = vec![
            finding(10),
            finding(20),
            finding(10),
            Diagnostic::new(Rule::SentinelCountBelowThree, at(1), "other"),
        ];
        merge_repeated(&mut found);
        assert_eq!(found.len(), 2);
        let spans: Vec<Span> = found[0].related.iter().map(|l| l.span).collect();
        assert_eq!(spans, vec![at(10), at(20)]);
    }
}
