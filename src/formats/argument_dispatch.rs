//! Entrypoint scripts that dispatch on their first argument: one image serves the data
//! nodes and the sentinels, and the command decides (`if [ "$1" = "redis-sentinel" ]`,
//! `case "$1" in redis-server) … ;; esac`). Given the argument the container passes,
//! only the branch it takes is kept; the other branches are blanked (same length, so
//! offsets into the script stay right).

/// `text` with the branches that a first argument `arg` does not take blanked out.
/// `None` when the script does not dispatch on `$1`.
pub fn select_branch(text: &str, arg: &str) -> Option<String> {
    // `$1` itself, and the variables set from it.
    let mut aliases = first_argument_names(text);
    aliases.push("1".to_string());
    select(text, arg, &aliases)
}

/// `text` with the branches that the environment variable `variable` set to `value` does
/// not take blanked out (`case "$ROLE" in sentinel) … ;; esac`, `if [ "$ROLE" = … ]`).
/// `None` when the script does not dispatch on it.
pub fn select_branch_on(text: &str, variable: &str, value: &str) -> Option<String> {
    select(text, value, &[variable.to_string()])
}

/// The branches taken when the words `aliases` name (`$NAME`) hold `arg`.
fn select(text: &str, arg: &str, aliases: &[String]) -> Option<String> {
    let arg = arg.trim_matches(['"', '\'']);
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut blank = vec![false; lines.len()];
    let mut dispatched = false;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        if let Some(test) = if_test(line, aliases) {
            if let Some(end) = if_chain(&lines, i, test, arg, aliases, &mut blank) {
                dispatched = true;
                i = end + 1;
                continue;
            }
        }
        if is_case_on_first_argument(line, aliases) {
            if let Some(end) = case_arms(&lines, i, arg, &mut blank) {
                dispatched = true;
                i = end + 1;
                continue;
            }
        }
        i += 1;
    }
    if !dispatched {
        return None;
    }
    Some(
        lines
            .iter()
            .zip(&blank)
            .map(|(l, b)| {
                if *b {
                    l.chars()
                        .map(|c| if c == '\n' { '\n' } else { ' ' })
                        .collect()
                } else {
                    l.to_string()
                }
            })
            .collect(),
    )
}

/// The test of `if [ "$1" = "X" ]; then` (or `[[ … == … ]]`, `!=`): (X, equal).
fn if_test(line: &str, aliases: &[String]) -> Option<(String, bool)> {
    let rest = line
        .strip_prefix("if ")
        .or_else(|| line.strip_prefix("elif "))?;
    positional_test(rest, aliases)
}

fn positional_test(condition: &str, aliases: &[String]) -> Option<(String, bool)> {
    let words: Vec<&str> = condition
        .split(|c: char| c.is_whitespace() || c == ';')
        .filter(|w| !w.is_empty())
        .collect();
    let at = words.iter().position(|w| is_first_argument(w, aliases))?;
    let op = *words.get(at + 1)?;
    let equal = match op {
        "=" | "==" => true,
        "!=" => false,
        _ => return None,
    };
    let value = words.get(at + 2)?.trim_matches(['"', '\'']);
    (!value.is_empty() && !value.contains('$')).then(|| (value.to_string(), equal))
}

fn is_first_argument(word: &str, aliases: &[String]) -> bool {
    let word = word.trim_matches(['"', '\'']);
    aliases.iter().any(|a| {
        word.strip_prefix('$')
            .map(|w| w.trim_start_matches('{').trim_end_matches('}'))
            == Some(a.as_str())
    })
}

/// Variables a script sets to its first argument (`MODE="${1:-redis}"`, `ROLE=$1`),
/// which its tests then use in its place.
fn first_argument_names(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        let line = ["export ", "local ", "readonly "]
            .iter()
            .find_map(|k| line.strip_prefix(k))
            .unwrap_or(line);
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            continue;
        }
        let value = value.trim().trim_matches(['"', '\'']);
        if crate::syntax::shell::positional_index(value) == Some(1) {
            out.push(name.to_string());
        }
    }
    out
}

/// Whether a command line's word matches a tested value: the same word, or the same
/// program by its base name (`/usr/local/bin/redis-server`).
fn same_program(arg: &str, value: &str) -> bool {
    arg == value || arg.rsplit('/').next() == value.rsplit('/').next()
}

/// Blanks the branches of the `if`/`elif`/`else` chain at `start` that `arg` does not
/// take. Its `fi` line, or `None` when the chain does not close.
fn if_chain(
    lines: &[&str],
    start: usize,
    first: (String, bool),
    arg: &str,
    aliases: &[String],
    blank: &mut [bool],
) -> Option<usize> {
    // (line of the branch's head, whether it is taken)
    let mut branches: Vec<(usize, bool)> = Vec::new();
    let takes = |(value, equal): &(String, bool)| same_program(arg, value) == *equal;
    let mut taken_before = takes(&first);
    branches.push((start, taken_before));
    let mut depth = 0usize;
    let mut end = None;
    for (j, line) in lines.iter().enumerate().skip(start + 1) {
        let words: Vec<&str> = line
            .split(|c: char| c.is_whitespace() || c == ';')
            .filter(|w| !w.is_empty())
            .collect();
        match words.first().copied() {
            Some("fi") if depth == 0 => {
                end = Some(j);
                break;
            }
            Some("elif") if depth == 0 => {
                // Another test of `$1` decides; any other test may go either way.
                let taken = match if_test(line.trim(), aliases) {
                    Some(test) => !taken_before && takes(&test),
                    None => return None,
                };
                taken_before |= taken;
                branches.push((j, taken));
            }
            Some("else") if depth == 0 => {
                branches.push((j, !taken_before));
                taken_before = true;
            }
            _ => {}
        }
        depth = nesting(depth, &words);
    }
    let end = end?;
    for (b, &(head, taken)) in branches.iter().enumerate() {
        let next = branches.get(b + 1).map_or(end, |n| n.0);
        if !taken {
            for flag in &mut blank[head + 1..next] {
                *flag = true;
            }
        }
    }
    Some(end)
}

/// The nesting of `if`/`case` blocks after a line's words.
fn nesting(mut depth: usize, words: &[&str]) -> usize {
    // A comment (`# check if a master exists`) opens nothing.
    for w in words.iter().take_while(|w| !w.starts_with('#')) {
        match *w {
            "if" | "case" => depth += 1,
            "fi" | "esac" => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    depth
}

fn is_case_on_first_argument(line: &str, aliases: &[String]) -> bool {
    let mut words = line.split_whitespace();
    words.next() == Some("case")
        && words.next().is_some_and(|w| is_first_argument(w, aliases))
        && words.next() == Some("in")
}

/// Blanks the arms of the `case "$1" in` at `start` that `arg` does not take. Its `esac`
/// line, or `None`.
fn case_arms(lines: &[&str], start: usize, arg: &str, blank: &mut [bool]) -> Option<usize> {
    let mut taken_before = false;
    let mut in_taken = false;
    let mut in_arm = false;
    let mut depth = 0usize;
    for (j, raw) in lines.iter().enumerate().skip(start + 1) {
        let line = raw.trim();
        let words: Vec<&str> = line
            .split(|c: char| c.is_whitespace() || c == ';')
            .filter(|w| !w.is_empty())
            .collect();
        if depth == 0 && words.first() == Some(&"esac") {
            return Some(j);
        }
        let before = depth;
        depth = nesting(depth, &words);
        if before == 0 && !in_arm {
            if let Some((patterns, _)) = line.split_once(')') {
                let taken = !taken_before
                    && patterns
                        .trim_start_matches('(')
                        .split('|')
                        .map(|p| p.trim().trim_matches(['"', '\'']))
                        .any(|p| p == "*" || same_program(arg, p));
                taken_before |= taken;
                in_taken = taken;
                in_arm = true;
                if !taken {
                    blank[j] = true;
                }
                if line.trim_end().ends_with(";;") {
                    in_arm = false;
                }
                continue;
            }
        }
        if in_arm && !in_taken {
            blank[j] = true;
        }
        if before == 0 && line.trim_end().ends_with(";;") {
            in_arm = false;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCRIPT: &str = "#!/bin/bash\nx=1\nif [ \"$1\" == \"redis-server\" ]\nthen\n  redis-server /data/redis.conf\nfi\nif [ \"$1\" == \"redis-sentinel\" ]\nthen\n  if [ -n \"$X\" ]; then echo; fi\n  redis-sentinel /data/sentinel.conf\nfi\n";

    #[test]
    fn keeps_the_branch_of_the_argument() {
        let server = select_branch(SCRIPT, "redis-server").unwrap();
        assert!(server.contains("redis-server /data/redis.conf"));
        assert!(!server.contains("redis-sentinel /data"));
        assert_eq!(server.len(), SCRIPT.len());
        let sentinel = select_branch(SCRIPT, "/usr/local/bin/redis-sentinel").unwrap();
        assert!(!sentinel.contains("redis-server /data"));
        assert!(sentinel.contains("redis-sentinel /data/sentinel.conf"));
    }

    /// A role from the environment (`case $ROLE in`), with a comment in an arm that
    /// says "if": the comment opens no block, so the `esac` is found.
    #[test]
    fn keeps_the_branch_of_an_environment_variable() {
        let case = "ROLE=${ROLE:-none}\ncase $ROLE in\n  sentinel)\n    # check if the master is up\n    redis-sentinel /s.conf\n  ;;\n  server)\n    redis-server /r.conf\n  ;;\n  *)\n    exit 1\n  ;;\nesac\n";
        let s = select_branch_on(case, "ROLE", "sentinel").unwrap();
        assert!(s.contains("redis-sentinel /s.conf") && !s.contains("redis-server"));
        let none = select_branch_on(case, "ROLE", "none").unwrap();
        assert!(!none.contains("redis-"));
        assert_eq!(
            select_branch(case, "sentinel"),
            None,
            "not dispatched on $1"
        );
    }

    #[test]
    fn case_arms_and_else() {
        let case = "case \"$1\" in\n  sentinel) redis-sentinel /s.conf ;;\n  *)\n    redis-server /r.conf\n    ;;\nesac\n";
        let s = select_branch(case, "sentinel").unwrap();
        assert!(s.contains("redis-sentinel /s.conf") && !s.contains("redis-server"));
        let r = select_branch(case, "redis-server").unwrap();
        assert!(!r.contains("redis-sentinel") && r.contains("redis-server /r.conf"));
        let chain = "if [ \"$1\" = sentinel ]; then\n  redis-sentinel /s.conf\nelse\n  redis-server /r.conf\nfi\n";
        let r = select_branch(chain, "redis-server").unwrap();
        assert!(!r.contains("redis-sentinel") && r.contains("redis-server /r.conf"));
        assert!(select_branch("redis-server /r.conf\n", "x").is_none());
    }

    #[test]
    fn a_variable_set_to_the_first_argument() {
        let text = "MODE=\"${1:-redis}\"\nif [[ \"${MODE}\" == \"redis\" ]]; then\n  exec redis-server /r.conf\nelif [[ \"${MODE}\" == \"sentinel\" ]]; then\n  exec redis-sentinel /s.conf\nfi\n";
        let s = select_branch(text, "sentinel").unwrap();
        assert!(s.contains("redis-sentinel /s.conf") && !s.contains("redis-server"));
        // A variable from elsewhere decides nothing.
        let other = "MODE=\"$ROLE\"\nif [ \"$MODE\" = sentinel ]; then\n  exec redis-sentinel /s.conf\nfi\n";
        assert!(select_branch(other, "sentinel").is_none());
    }
}
