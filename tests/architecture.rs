//! The layers of the library only point down, and no two modules import each other
//! (docs/ARCHITECTURE.md). Every `crate::…` path in the code of `src/` is an import of
//! the top-level module it names; an import of a higher layer, or a cycle between
//! modules of one layer, fails the test with the file and line.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Bottom to top. A module may use modules of its own layer (without a cycle) and of
/// the layers below.
const LAYERS: &[&[&str]] = &[
    &["source"],
    &["syntax"],
    &["knowledge"],
    &["facts"],
    &["formats"],
    &["model"],
    &["registry", "diagnostic"],
    &["rules"],
    &[
        "selection",
        "settings",
        "settings_schema",
        "suppression",
        "suppression_sources",
        "discover",
        "history",
        "workspace",
        "apply",
        "fix_guard",
        "fix",
        "add_suppressions",
    ],
    &["report", "baseline", "emit", "live", "topology_view"],
    &["lsp"],
];

/// Items the crate root re-exports, named by the module that defines them.
const ROOT_ITEMS: &[(&str, &str)] = &[
    ("Workspace", "workspace"),
    ("Settings", "workspace"),
    ("Diagnostic", "diagnostic"),
    ("Severity", "diagnostic"),
    ("Target", "knowledge"),
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// One import: (from module, to module, file, line).
type Edge = (String, String, String, usize);

/// The imports of one file's text: `crate::name` outside comments.
fn imports(module: &str, file: &str, text: &str) -> Vec<Edge> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or_default();
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            // `redis_halint_crate::` or a longer identifier ending in `crate` is not it.
            let before = rest[..at].chars().next_back();
            rest = &rest[at + "crate::".len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let target = ROOT_ITEMS
                .iter()
                .find(|(item, _)| *item == name)
                .map_or(name.as_str(), |(_, m)| *m);
            if !target.is_empty() && target != module {
                out.push((
                    module.to_string(),
                    target.to_string(),
                    file.to_string(),
                    i + 1,
                ));
            }
        }
    }
    out
}

/// Upward imports, imports of modules in no layer, and cycles within a layer.
fn violations(edges: &[Edge]) -> Vec<String> {
    let mut out = Vec::new();
    for (from, to, file, line) in edges {
        match (layer_of(from), layer_of(to)) {
            (Some(a), Some(b)) if b > a => out.push(format!(
                "{file}:{line}: `{from}` imports `{to}`, a higher layer"
            )),
            (None, _) => out.push(format!("{file}:{line}: module `{from}` is in no layer")),
            (_, None) => out.push(format!("{file}:{line}: module `{to}` is in no layer")),
            _ => {}
        }
    }
    // Cycles inside a layer: a module that reaches itself through same-layer imports.
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (from, to, _, _) in edges {
        if layer_of(from).is_some() && layer_of(from) == layer_of(to) {
            graph.entry(from).or_default().insert(to);
        }
    }
    for &start in graph.keys() {
        let mut stack: Vec<&str> = graph[start].iter().copied().collect();
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        while let Some(m) = stack.pop() {
            if m == start {
                let (_, _, file, line) = edges
                    .iter()
                    .find(|(f, t, _, _)| f == start && graph[start].contains(t.as_str()))
                    .unwrap();
                out.push(format!(
                    "{file}:{line}: `{start}` is part of an import cycle within its layer"
                ));
                break;
            }
            if seen.insert(m) {
                stack.extend(graph.get(m).into_iter().flatten().copied());
            }
        }
    }
    out
}

fn collect(dir: &Path, out: &mut Vec<Edge>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, out);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = path.strip_prefix("src").unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        // The crate root and the binary (which imports the library by name) stand above.
        if module == "lib" || module == "main" || module == "cli" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        out.extend(imports(&module, &path.display().to_string(), &text));
    }
}

#[test]
fn layers_only_point_down() {
    let mut edges = Vec::new();
    collect(Path::new("src"), &mut edges);
    assert!(
        edges.len() > 100,
        "the scan found too few imports: {}",
        edges.len()
    );
    let problems = violations(&edges);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_top_level_module_has_a_layer() {
    for entry in std::fs::read_dir("src").unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let module = name.trim_end_matches(".rs");
        if ["lib", "main", "cli"].contains(&module) {
            continue;
        }
        assert!(
            layer_of(module).is_some(),
            "src/{name} is in no layer of this test"
        );
    }
}

/// The check itself: a planted upward import and a planted cycle are found, with their
/// file and line; comments and longer identifiers are not imports.
#[test]
fn planted_violations_are_found() {
    let mut edges = imports(
        "syntax",
        "src/syntax/x.rs",
        "use crate::source::Span;\n// crate::rules is only named here\nuse crate::rules::Rule;\n",
    );
    assert_eq!(edges.len(), 2, "{edges:?}");
    let problems = violations(&edges);
    assert_eq!(
        problems,
        vec!["src/syntax/x.rs:3: `syntax` imports `rules`, a higher layer".to_string()]
    );
    edges = imports(
        "settings",
        "src/settings.rs",
        "use crate::discover::Walk;\n",
    );
    edges.extend(imports(
        "discover",
        "src/discover/mod.rs",
        "use crate::settings::X;\n",
    ));
    let problems = violations(&edges);
    assert!(
        problems.iter().any(|p| p.contains("import cycle")),
        "{problems:?}"
    );
    assert!(imports("model", "m.rs", "let a = my_crate::formats::x;\n").is_empty());
}
