//! `redis-halint show-config PATH`: the effective settings for a file or directory and
//! where each one came from.

use redis_halint::settings::{self, Resolver};
use std::path::PathBuf;
use std::process::ExitCode;

pub fn show(path: Option<PathBuf>, config: Option<PathBuf>) -> Result<ExitCode, String> {
    let path = path.unwrap_or_else(|| PathBuf::from("."));
    let cwd = std::env::current_dir().map_err(|e| format!("no current directory: {e}"))?;
    let mut resolver = Resolver::new(cwd, config);
    let resolved = resolver.for_path(&path);
    print!("{}", settings::describe(resolved.as_deref(), &path));
    let mut problems = 0;
    for (_, shown, text) in &resolver.loaded {
        let base = shown.parent().unwrap_or(std::path::Path::new(""));
        for p in settings::parse(text, shown, base).1 {
            let line = text[..p.range.start.min(text.len())].matches('\n').count() + 1;
            eprintln!(
                "{}:{line}: G001 [invalid-config] {}",
                shown.display(),
                p.message
            );
            problems += 1;
        }
    }
    for error in &resolver.errors {
        eprintln!("redis-halint: error: {error}");
    }
    Ok(if !resolver.errors.is_empty() {
        ExitCode::from(2)
    } else if problems > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
