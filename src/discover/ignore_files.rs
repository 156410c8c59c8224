//! What the ignore rules that apply to a walk could have done to its listing.
//!
//! A listing walk (see `walk.rs`) skips dot-named entries itself, so it can note the
//! settings files and `.git` of each directory; the settings lookup then takes "not
//! listed" for "not there". Two kinds of rules (`.gitignore`, `.ignore`, `.rgignore`,
//! `.git/info/exclude`, the global excludes file) break that:
//! - a rule that ignores one of those names hides it from the listing;
//! - a negation (`!.devcontainer/`) brings a hidden entry back for the walker, which the
//!   listing walk, skipping every dot-name, would miss.
//!
//! A rule acts on an entry of a directory through its last path segment, so each rule's
//! last segment is matched against the names; anything unclear (escapes, a glob that
//! does not compile, a file that cannot be read) counts as a match.

use globset::GlobBuilder;
use std::path::{Path, PathBuf};

/// What the settings lookup looks for in each directory, and the ignore files themselves
/// (a rule hiding one of them hides its rules from this check too).
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

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Verdict {
    /// A rule could hide a settings file, `.git` or an ignore file: drop the listing.
    pub may_hide: bool,
    /// A negation could bring back a dot-named entry: walk again the usual way.
    pub may_unhide: bool,
}

const UNSURE: Verdict = Verdict {
    may_hide: true,
    may_unhide: true,
};

/// The verdict over the tree's ignore files, those of the root and its ancestors (as
/// written and as resolved: the walker applies the real location's), the repositories'
/// `info/exclude` and the user's global excludes file.
pub fn verdict(tree_ignore_files: &[PathBuf], root: &Path, repos: &[PathBuf]) -> Verdict {
    let mut sources: Vec<PathBuf> = tree_ignore_files.to_vec();
    let mut dirs: Vec<PathBuf> = repos.to_vec();
    let roots = [std::path::absolute(root), std::fs::canonicalize(root)];
    for root in roots {
        let Ok(root) = root else {
            return UNSURE;
        };
        dirs.extend(root.ancestors().map(Path::to_path_buf));
    }
    for dir in &dirs {
        sources.extend(IGNORE_FILE_NAMES.iter().map(|n| dir.join(n)));
        sources.extend(exclude_files(dir));
    }
    sources.extend(global_excludes());
    let mut verdict = Verdict::default();
    for path in sources {
        let text = match std::fs::read(&path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) if is_absent(&e) => continue,
            Err(_) => return UNSURE,
        };
        let found = text_verdict(&text);
        verdict.may_hide |= found.may_hide;
        verdict.may_unhide |= found.may_unhide;
    }
    verdict
}

fn is_absent(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
    )
}

/// The `info/exclude` files of the repository whose `.git` is in `dir`: `.git/info/exclude`,
/// or for a `.git` file (worktree, submodule) that of the directory it names and of its
/// common directory.
fn exclude_files(dir: &Path) -> Vec<PathBuf> {
    let dot_git = dir.join(".git");
    if dot_git.is_dir() {
        return vec![dot_git.join("info/exclude")];
    }
    let Ok(text) = std::fs::read_to_string(&dot_git) else {
        return Vec::new();
    };
    let Some(git_dir) = text.trim().strip_prefix("gitdir:") else {
        return Vec::new();
    };
    let git_dir = dir.join(git_dir.trim());
    let mut out = vec![git_dir.join("info/exclude")];
    if let Ok(common) = std::fs::read_to_string(git_dir.join("commondir")) {
        out.push(git_dir.join(common.trim()).join("info/exclude"));
    }
    out
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

/// The verdict of one ignore file's rules.
fn text_verdict(text: &str) -> Verdict {
    let mut verdict = Verdict::default();
    for line in text.lines() {
        let rule = line.trim();
        if rule.is_empty() || rule.starts_with('#') {
            continue;
        }
        if rule.contains('\\') {
            return UNSURE;
        }
        match rule.strip_prefix('!') {
            // A negation brings entries back: does it name a dot-entry?
            Some(negated) => verdict.may_unhide |= names_dot_entry(negated),
            None => verdict.may_hide |= last_segment_matches(rule, &LOOKED_FOR),
        }
    }
    verdict
}

/// Whether the rule's last segment could match one of `names`.
fn last_segment_matches(rule: &str, names: &[&str]) -> bool {
    let rule = rule.trim_end_matches('/');
    let last = rule.rsplit('/').next().unwrap_or(rule);
    match GlobBuilder::new(last).literal_separator(true).build() {
        Ok(glob) => {
            let glob = glob.compile_matcher();
            names.iter().any(|name| glob.is_match(name))
        }
        Err(_) => true,
    }
}

/// Whether a negated rule could match a dot-named entry: its last segment starts with a
/// dot or a wildcard.
fn names_dot_entry(rule: &str) -> bool {
    let rule = rule.trim_end_matches('/');
    let last = rule.rsplit('/').next().unwrap_or(rule);
    last.is_empty() || last.starts_with(['.', '*', '?', '[', '{'])
}

#[cfg(test)]
mod tests {
    use super::*;

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
            ".gitignore",
        ] {
            assert!(text_verdict(rule).may_hide, "{rule}");
        }
        assert_eq!(text_verdict("\\#x"), UNSURE);
    }

    #[test]
    fn rules_that_cannot() {
        let text = "# build output\ntarget/\n/node_modules\n*.log\n!redis-halint.toml\nsecrets/*.env\n\n.env\n!keep.conf\n";
        assert_eq!(text_verdict(text), Verdict::default());
    }

    #[test]
    fn negations_that_bring_back_dot_entries() {
        for rule in ["!.devcontainer/", "!deploy/.env", "!*", "!.*", "!**/"] {
            assert!(text_verdict(rule).may_unhide, "{rule}");
        }
    }
}
