//! Whether ignore rules could have hidden a settings file or `.git` from a directory walk.
//!
//! A walk lists every directory it enters; what it does not show is what ignore rules
//! (`.gitignore`, `.ignore`, `.rgignore`, `.git/info/exclude`, the global excludes file)
//! skipped. The settings lookup may take "not listed" for "not there" only when no rule
//! that applies could match those names. A rule hides an entry of a listed directory only
//! through its last path segment, so each rule's last segment is matched against the
//! names; anything unclear (escapes, a glob that does not compile) counts as a match.

use globset::GlobBuilder;
use std::path::{Path, PathBuf};

/// What the settings lookup looks for in each directory, and the ignore files whose
/// rules the walk applies (a rule hiding one of them hides its rules from this check).
const LOOKED_FOR: [&str; 6] = [
    "redis-halint.toml",
    ".redis-halint.toml",
    ".git",
    ".gitignore",
    ".ignore",
    ".rgignore",
];

/// The ignore files of the tree itself (seen by the walk).
pub const IGNORE_FILE_NAMES: [&str; 3] = [".gitignore", ".ignore", ".rgignore"];

/// Whether any rule of these ignore files, of the walk roots and their ancestors, of the
/// repositories found, or of the user's global excludes could match a looked-for name.
pub fn may_hide_settings(
    tree_ignore_files: &[PathBuf],
    roots: &[PathBuf],
    repos: &[PathBuf],
) -> bool {
    let mut sources: Vec<PathBuf> = tree_ignore_files.to_vec();
    for root in roots {
        let Ok(abs) = std::path::absolute(root) else {
            return true;
        };
        for dir in abs.ancestors() {
            sources.extend(IGNORE_FILE_NAMES.iter().map(|n| dir.join(n)));
            sources.push(dir.join(".git/info/exclude"));
        }
    }
    sources.extend(repos.iter().map(|r| r.join(".git/info/exclude")));
    sources.extend(global_excludes());
    sources.iter().any(|path| match std::fs::read(path) {
        Ok(bytes) => text_may_hide(&String::from_utf8_lossy(&bytes)),
        Err(e) => e.kind() != std::io::ErrorKind::NotFound,
    })
}

/// The global excludes file git and the walker read: `core.excludesFile`, else
/// `$XDG_CONFIG_HOME/git/ignore` (`~/.config/git/ignore`).
fn global_excludes() -> Vec<PathBuf> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let xdg = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| home.as_ref().map(|h| h.join(".config")));
    let mut out = Vec::new();
    if let Some(xdg) = &xdg {
        out.push(xdg.join("git/ignore"));
    }
    let configs = [
        home.as_ref().map(|h| h.join(".gitconfig")),
        xdg.map(|x| x.join("git/config")),
    ];
    for config in configs.into_iter().flatten() {
        let Ok(text) = std::fs::read_to_string(&config) else {
            continue;
        };
        for line in text.lines() {
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            if key.trim().eq_ignore_ascii_case("excludesfile") {
                let value = value.trim().trim_matches('"');
                out.push(match (value.strip_prefix("~/"), &home) {
                    (Some(rest), Some(home)) => home.join(rest),
                    _ => Path::new(value).to_path_buf(),
                });
            }
        }
    }
    out
}

/// Whether a rule of this ignore file could match a looked-for name.
fn text_may_hide(text: &str) -> bool {
    text.lines().any(|line| {
        let rule = line.trim();
        if rule.is_empty() || rule.starts_with('#') || rule.starts_with('!') {
            return false; // a negation only brings entries back
        }
        if rule.contains('\\') {
            return true;
        }
        let rule = rule.trim_end_matches('/');
        let last = rule.rsplit('/').next().unwrap_or(rule);
        match GlobBuilder::new(last).literal_separator(true).build() {
            Ok(glob) => {
                let glob = glob.compile_matcher();
                LOOKED_FOR.iter().any(|name| glob.is_match(name))
            }
            Err(_) => true,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::text_may_hide;

    #[test]
    fn rules_that_can_hide_settings() {
        for rule in [
            "*",
            ".*",
            "*.toml",
            "redis-halint.toml",
            "/.redis-halint.toml",
            ".git/",
            "deploy/**",
            "redis-*",
            "[.]git",
            "\\#x",
        ] {
            assert!(text_may_hide(rule), "{rule}");
        }
    }

    #[test]
    fn rules_that_cannot() {
        let text = "# build output\ntarget/\n/node_modules\n*.log\n!redis-halint.toml\nsecrets/*.env\n\n.env\n";
        assert!(!text_may_hide(text));
    }
}
