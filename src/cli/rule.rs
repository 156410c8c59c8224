//! `redis-halint rule NAME|CODE` and `redis-halint rules`.

use redis_halint::rules::{Rule, RULES};
use std::process::ExitCode;

/// Rule pages are compiled in, so the binary documents itself wherever it runs.
mod pages {
    include!(concat!(env!("OUT_DIR"), "/rule_pages.rs"));
}

pub fn page(name: &str) -> Option<&'static str> {
    pages::PAGES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}

pub fn show(key: &str) -> Result<ExitCode, String> {
    let rule = Rule::find(key)
        .ok_or_else(|| format!("no rule named `{key}` (see `redis-halint rules`)"))?;
    let text = page(rule.name())
        .ok_or_else(|| format!("rule `{}` has no documentation page", rule.name()))?;
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}

pub fn list() -> Result<ExitCode, String> {
    println!(
        "{:<5} {:<45} {:<12} {:<8} FIX",
        "CODE", "NAME", "CATEGORY", "SEVERITY"
    );
    for r in RULES {
        println!(
            "{:<5} {:<45} {:<12} {:<8} {}",
            r.code,
            r.name,
            r.category.as_str(),
            r.severity.as_str(),
            if r.fixable { "yes" } else { "no" }
        );
    }
    Ok(ExitCode::SUCCESS)
}
