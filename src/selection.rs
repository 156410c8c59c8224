//! `--select` / `--ignore`: choose rules by name, code, code prefix or category.

use crate::rules::{Rule, RULES};

#[derive(Debug, Clone, Default)]
pub struct Selection {
    select: Vec<String>,
    ignore: Vec<String>,
}

impl Selection {
    /// Build from user input; unknown selectors are an error naming them.
    pub fn new(select: &[String], ignore: &[String]) -> Result<Selection, String> {
        let norm = |items: &[String]| -> Result<Vec<String>, String> {
            let mut out = Vec::new();
            for item in items
                .iter()
                .flat_map(|s| s.split(','))
                .map(str::trim)
                .filter(|s| !s.is_empty())
            {
                let lower = item.to_ascii_lowercase();
                if lower != "all" && !RULES.iter().any(|r| matches(r.rule, &lower)) {
                    return Err(format!(
                        "unknown rule, code or category `{item}` (see `redis-halint rules`)"
                    ));
                }
                out.push(lower);
            }
            Ok(out)
        };
        Ok(Selection {
            select: norm(select)?,
            ignore: norm(ignore)?,
        })
    }

    pub fn enabled(&self, rule: Rule) -> bool {
        let selected =
            self.select.is_empty() || self.select.iter().any(|s| s == "all" || matches(rule, s));
        selected && !self.ignore.iter().any(|s| s == "all" || matches(rule, s))
    }
}

fn matches(rule: Rule, selector: &str) -> bool {
    let info = rule.info();
    info.name == selector
        || info.category.as_str() == selector
        || info.code.to_ascii_lowercase().starts_with(selector)
}
