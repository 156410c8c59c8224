//! The registry, the rule pages and the fixtures stay in step.

use redis_halint::rules::{REDIRECTS, RULES};
use std::collections::HashSet;
use std::fs;
use std::path::Path;

#[test]
fn every_rule_has_a_page_and_every_page_a_rule() {
    let names: HashSet<&str> = RULES.iter().map(|r| r.name).collect();
    for info in RULES {
        let path = Path::new("rules").join(format!("{}.md", info.name));
        let text =
            fs::read_to_string(&path).unwrap_or_else(|_| panic!("missing page {}", path.display()));
        let first = text.lines().next().unwrap_or_default();
        assert_eq!(
            first,
            format!("# {} ({})", info.name, info.code),
            "first line of {}",
            path.display()
        );
        let header = text.lines().nth(2).unwrap_or_default();
        assert!(
            header.contains(&format!("Default severity: {}", info.severity.as_str())),
            "{}: severity line `{header}` disagrees with the registry",
            info.name
        );
    }
    for entry in fs::read_dir("rules").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            assert!(
                names.contains(stem.as_str()),
                "page {} has no registered rule",
                path.display()
            );
        }
    }
}

#[test]
fn every_fixture_directory_belongs_to_a_rule() {
    // A retired rule keeps its fixtures: they prove that its successors report them.
    let names: HashSet<&str> = RULES
        .iter()
        .map(|r| r.name)
        .chain(REDIRECTS.iter().map(|r| r.name))
        .collect();
    for entry in fs::read_dir("fixtures").unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            // `examples` and `convert` hold inputs for whole-deployment tests, not rule fixtures.
            // `fix-forms` holds the deployments of the fix-form tests (tests/fix_forms.rs).
            name == "examples"
                || name == "convert"
                || name == "fix-forms"
                || names.contains(name.as_str()),
            "fixtures/{name} has no registered rule"
        );
    }
}

#[test]
fn every_fixable_rule_page_says_where_its_fix_applies() {
    for info in RULES.iter().filter(|r| r.fixable) {
        let text =
            fs::read_to_string(Path::new("rules").join(format!("{}.md", info.name))).unwrap();
        assert!(
            text.lines()
                .any(|l| l.starts_with("Where the fix applies: ")),
            "rules/{}.md: no `Where the fix applies:` paragraph (formats and versions)",
            info.name
        );
    }
}
