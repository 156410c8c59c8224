//! `redis-halint rule NAME|CODE` and `redis-halint rules`.

use redis_halint::rules::RULES;
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
    let designated = redis_halint::rules::designate(key).ok_or_else(|| unknown(key))?;
    if let Some(redirect) = designated.redirect {
        let names: Vec<&str> = redirect.to.iter().map(|r| r.name()).collect();
        println!(
            "`{}` ({}) is retired; it now stands for: {}.\n{}\n",
            redirect.name,
            redirect.code,
            names.join(", "),
            redirect.note
        );
    }
    for (i, rule) in designated.rules.iter().enumerate() {
        let text = page(rule.name())
            .ok_or_else(|| format!("rule `{}` has no documentation page", rule.name()))?;
        if i > 0 {
            println!();
        }
        print!("{text}");
    }
    Ok(ExitCode::SUCCESS)
}

/// The error for a name that is no rule, with the nearest name or code when one is close.
fn unknown(key: &str) -> String {
    let names = RULES
        .iter()
        .flat_map(|r| [r.name, r.code])
        .chain(redis_halint::rules::REDIRECTS.iter().map(|r| r.name));
    match redis_halint::knowledge::did_you_mean(key, names) {
        Some(near) => {
            format!("no rule named `{key}`; did you mean `{near}`? (see `redis-halint rules`)")
        }
        None => format!("no rule named `{key}` (see `redis-halint rules`)"),
    }
}

/// `redis-halint rule --redirects`: `old-name<TAB>new-a,new-b`, one line per retired rule.
pub fn redirects() -> Result<ExitCode, String> {
    for r in redis_halint::rules::REDIRECTS {
        let names: Vec<&str> = r.to.iter().map(|r| r.name()).collect();
        println!("{}\t{}", r.name, names.join(","));
    }
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
