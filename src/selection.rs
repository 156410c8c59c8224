//! `--select` / `--extend-select` / `--ignore`: choose rules by name, code, code prefix
//! or category.

use crate::rules::{Rule, REDIRECTS, RULES};

#[derive(Debug, Clone, Default)]
pub struct Selection {
    select: Vec<String>,
    extend_select: Vec<String>,
    ignore: Vec<String>,
}

fn normalize(items: &[String]) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for item in items
        .iter()
        .flat_map(|s| s.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        if !is_valid_selector(item) {
            return Err(format!(
                "unknown rule, code or category `{item}` (see `redis-halint rules`)"
            ));
        }
        out.push(item.to_ascii_lowercase());
    }
    Ok(out)
}

/// `all`, or a name, code, code prefix or category of at least one rule.
pub fn is_valid_selector(item: &str) -> bool {
    let lower = item.trim().to_ascii_lowercase();
    !lower.is_empty() && (lower == "all" || RULES.iter().any(|r| matches_selector(r.rule, &lower)))
}

impl Selection {
    /// Build from user input; unknown selectors are an error naming them.
    pub fn new(select: &[String], ignore: &[String]) -> Result<Selection, String> {
        Selection::with_extend(select, &[], ignore)
    }

    /// `select` (empty = all rules) plus `extend_select`, minus `ignore`.
    pub fn with_extend(
        select: &[String],
        extend_select: &[String],
        ignore: &[String],
    ) -> Result<Selection, String> {
        Ok(Selection {
            select: normalize(select)?,
            extend_select: normalize(extend_select)?,
            ignore: normalize(ignore)?,
        })
    }

    pub fn enabled(&self, rule: Rule) -> bool {
        let selected = self.select.is_empty()
            || self
                .select
                .iter()
                .chain(&self.extend_select)
                .any(|s| matches_selector(rule, s));
        selected && !self.ignore.iter().any(|s| matches_selector(rule, s))
    }
}

/// Whether a (lower-case or mixed-case) selector names this rule. A retired rule's
/// name or code names its successors.
pub fn matches_selector(rule: Rule, selector: &str) -> bool {
    let selector = selector.trim().to_ascii_lowercase();
    let info = rule.info();
    selector == "all"
        || info.name == selector
        || info.category.as_str() == selector
        || info.code.to_ascii_lowercase().starts_with(&selector)
        || REDIRECTS.iter().any(|r| {
            (r.name == selector || r.code.eq_ignore_ascii_case(&selector)) && r.to.contains(&rule)
        })
}
