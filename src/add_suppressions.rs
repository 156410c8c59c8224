//! `check --add-suppressions REASON`: the text of a file with an inline suppression
//! written for every finding in it, in the syntax `suppression` and
//! `suppression_sources` read:
//!
//! ```text
//! # redis-halint: ignore[rule-a, rule-b] -- REASON        (on its own line, before the finding)
//! # redis-halint: ignore-file[rule-a] -- REASON           (at the top, where a line comment cannot stand)
//! ```
//!
//! Every format accepts a `#` comment on its own line before the line it silences
//! (redis.conf has no other kind), so that is the one placement used. Where such a line
//! would change what the file means (inside a `\` continuation, inside a YAML string that
//! is not a literal block, a folded command), the file gets one `ignore-file[…]` instead.
//! Nothing else of the text changes: the result is the old text plus whole lines.
//! Whether the comments actually silence the findings is the caller's check (it re-runs
//! the engine on the new text); this module only writes them.

use crate::syntax::yaml::{self, Kind, Node, Style};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The comment prefix of both directives (see `suppression::PREFIX`).
const PREFIX: &str = crate::suppression::PREFIX;

/// A reason is one line of text: it ends the comment.
pub fn check_reason(reason: &str) -> Result<&str, String> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err("--add-suppressions needs a reason, e.g. --add-suppressions \"legacy, reviewed in TICKET-1\"".to_string());
    }
    if reason.contains(['\n', '\r']) {
        return Err("the reason of --add-suppressions must be one line".to_string());
    }
    Ok(reason)
}

/// `text` with a line-level suppression before each line of `lines` (0-based line →
/// rule names) where one can stand, and one file-level suppression at the top for the
/// rules of the other lines and for `file_rules` (rules only a file-level suppression
/// silences: the findings about suppressions themselves).
pub fn add(
    path: &Path,
    text: &str,
    lines: &BTreeMap<u32, BTreeSet<&'static str>>,
    file_rules: &BTreeSet<&'static str>,
    reason: &str,
) -> String {
    let raw: Vec<&str> = text.split_inclusive('\n').collect();
    let mut whole_file: BTreeSet<&str> = file_rules.clone();
    let mut placed: BTreeMap<u32, BTreeSet<&'static str>> = BTreeMap::new();
    // YAML is parsed again for each line only when the comments together change it.
    let yaml_per_line = is_yaml(path) && !same_yaml(text, &with_line_comments(text, lines, reason));
    for (&line, rules) in lines {
        if can_stand_before(text, &raw, line, yaml_per_line, reason) {
            placed.insert(line, rules.clone());
        } else {
            whole_file.extend(rules);
        }
    }
    // A rule silenced for the whole file needs no line comment as well.
    for rules in placed.values_mut() {
        rules.retain(|r| !whole_file.contains(r));
    }
    placed.retain(|_, rules| !rules.is_empty());
    let text = with_line_comments(text, &placed, reason);
    if whole_file.is_empty() {
        text
    } else {
        file_level(&text, &whole_file, reason)
    }
}

/// One `ignore-file[…]` comment at the top (after a `#!` line).
pub fn file_level(text: &str, rules: &BTreeSet<&str>, reason: &str) -> String {
    let names: Vec<&str> = rules.iter().copied().collect();
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let comment = format!(
        "# {PREFIX} ignore-file[{}] -- {reason}{eol}",
        names.join(", ")
    );
    let at = if text.starts_with("#!") {
        text.find('\n').map_or(text.len(), |i| i + 1)
    } else {
        0
    };
    let mut out = String::with_capacity(text.len() + comment.len() + 1);
    out.push_str(&text[..at]);
    if at == text.len() && !text.is_empty() && !text.ends_with('\n') {
        out.push_str(eol); // a lone `#!` line without a newline
    }
    out.push_str(&comment);
    out.push_str(&text[at..]);
    out
}

/// Whether a comment line before `line` keeps the file's meaning.
fn can_stand_before(text: &str, raw: &[&str], line: u32, yaml: bool, reason: &str) -> bool {
    let i = line as usize;
    // A finding past the last line (the end of a file without a final newline) has no
    // line to stand before.
    if i >= raw.len() {
        return false;
    }
    // A comment line inside a `\` continuation ends the command (shell, systemd).
    let previous = raw[..i].iter().rev().find(|l| !l.trim().is_empty());
    if previous.is_some_and(|p| p.trim_end().ends_with('\\')) {
        return false;
    }
    if !yaml {
        return true;
    }
    let one = BTreeMap::from([(line, BTreeSet::from(["x"]))]);
    same_yaml(text, &with_line_comments(text, &one, reason))
}

/// A comment on its own line before each line of `lines`, indented as that line.
fn with_line_comments(
    text: &str,
    lines: &BTreeMap<u32, BTreeSet<&'static str>>,
    reason: &str,
) -> String {
    let mut out = String::with_capacity(text.len() + lines.len() * 80);
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if let Some(rules) = lines.get(&(i as u32)) {
            let indent = &line[..line.len() - line.trim_start_matches([' ', '\t']).len()];
            let eol = if line.ends_with("\r\n") { "\r\n" } else { "\n" };
            let names: Vec<&str> = rules.iter().copied().collect();
            out.push_str(&format!(
                "{indent}# {PREFIX} ignore[{}] -- {reason}{eol}",
                names.join(", ")
            ));
        }
        out.push_str(line);
    }
    out
}

fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

/// The YAML documents of both texts are the same, except that literal block scalars
/// (configs in ConfigMaps, `sh -c` scripts) may hold added suppression lines: those are
/// comments of the config or script they carry. Anywhere else (a folded command, a
/// quoted string) the added line would be part of a value.
fn same_yaml(old: &str, new: &str) -> bool {
    let (a, b) = (yaml::parse(old), yaml::parse(new));
    if a.error.is_some() != b.error.is_some() || a.documents.len() != b.documents.len() {
        return false;
    }
    a.documents
        .iter()
        .zip(&b.documents)
        .all(|(x, y)| same_node(x, y))
}

fn same_node(a: &Node, b: &Node) -> bool {
    match (&a.kind, &b.kind) {
        (
            Kind::Scalar {
                value: va,
                style: sa,
                tag: ta,
            },
            Kind::Scalar {
                value: vb,
                style: sb,
                tag: tb,
            },
        ) => {
            sa == sb
                && ta == tb
                && (va == vb
                    || (*sa == Style::Literal
                        && without_ours(va).is_some_and(|x| Some(x) == without_ours(vb))))
        }
        (Kind::Seq(xa), Kind::Seq(xb)) => {
            xa.len() == xb.len() && xa.iter().zip(xb).all(|(x, y)| same_node(x, y))
        }
        (Kind::Map(ma), Kind::Map(mb)) => {
            ma.len() == mb.len()
                && ma
                    .iter()
                    .zip(mb)
                    .all(|((ka, va), (kb, vb))| same_node(ka, kb) && same_node(va, vb))
        }
        _ => false,
    }
}

/// The lines of a block scalar without suppression comments, and whether a line
/// continued with `\` is followed by one (which would end the command).
fn without_ours(value: &str) -> Option<Vec<&str>> {
    let mut kept = Vec::new();
    let mut continued = false;
    for line in value.lines() {
        let ours = line.trim_start().starts_with(&format!("# {PREFIX} ignore"));
        if ours {
            if continued {
                return None;
            }
            continue;
        }
        continued = line.trim_end().ends_with('\\');
        kept.push(line);
    }
    Some(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(entries: &[(u32, &'static str)]) -> BTreeMap<u32, BTreeSet<&'static str>> {
        let mut out: BTreeMap<u32, BTreeSet<&'static str>> = BTreeMap::new();
        for (line, rule) in entries {
            out.entry(*line).or_default().insert(rule);
        }
        out
    }

    #[test]
    fn conf_comment_stands_before_the_line_with_its_indent() {
        let text = "port 6379\n  sentinel monitor m 10.0.0.1 6379 2\n";
        let new = add(
            Path::new("sentinel.conf"),
            text,
            &lines(&[(1, "b-rule"), (1, "a-rule")]),
            &BTreeSet::new(),
            "legacy",
        );
        assert_eq!(
            new,
            "port 6379\n  # redis-halint: ignore[a-rule, b-rule] -- legacy\n  sentinel monitor m 10.0.0.1 6379 2\n"
        );
    }

    #[test]
    fn continuation_falls_back_to_the_whole_file() {
        let text = "#!/bin/sh\nredis-server \\\n  --port 1\n";
        let new = add(
            Path::new("start.sh"),
            text,
            &lines(&[(2, "x")]),
            &BTreeSet::new(),
            "r",
        );
        assert_eq!(
            new,
            "#!/bin/sh\n# redis-halint: ignore-file[x] -- r\nredis-server \\\n  --port 1\n"
        );
    }

    #[test]
    fn yaml_literal_block_takes_a_line_folded_does_not() {
        let literal = "data:\n  redis.conf: |\n    port 6379\n    appendonly true\n";
        let new = add(
            Path::new("cm.yaml"),
            literal,
            &lines(&[(3, "x")]),
            &BTreeSet::new(),
            "r",
        );
        assert!(new.contains("    # redis-halint: ignore[x] -- r\n    appendonly true"));
        let folded = "command: >\n  redis-server\n  --port 1\n";
        let new = add(
            Path::new("c.yaml"),
            folded,
            &lines(&[(2, "x")]),
            &BTreeSet::new(),
            "r",
        );
        assert!(
            new.starts_with("# redis-halint: ignore-file[x] -- r\n"),
            "{new}"
        );
        // Only the line that cannot take a comment goes to the file level.
        let mixed = "a: 1\ncommand: >\n  redis-server\n  --port 1\n";
        let new = add(
            Path::new("c.yaml"),
            mixed,
            &lines(&[(0, "y"), (3, "x")]),
            &BTreeSet::new(),
            "r",
        );
        assert_eq!(
            new,
            "# redis-halint: ignore-file[x] -- r\n# redis-halint: ignore[y] -- r\na: 1\ncommand: >\n  redis-server\n  --port 1\n"
        );
    }

    #[test]
    fn crlf_is_kept_and_reason_is_one_line() {
        let new = add(
            Path::new("a.conf"),
            "port 1\r\n",
            &lines(&[(0, "x")]),
            &BTreeSet::new(),
            "r",
        );
        assert_eq!(new, "# redis-halint: ignore[x] -- r\r\nport 1\r\n");
        assert!(check_reason("  ").is_err());
        assert!(check_reason("a\nb").is_err());
        assert_eq!(check_reason(" ok ").unwrap(), "ok");
    }
}
