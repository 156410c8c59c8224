//! Entrypoint scripts that dispatch on their first argument: one image serves the data
//! nodes and the sentinels, and the command decides (`if [ "$1" = "redis-sentinel" ]`,
//! `case "$1" in redis-server) … ;; esac`). Given the argument the container passes,
//! only the branch it takes is kept; the other branches are blanked (same length, so
//! offsets into the script stay right).

/// `text` with the branches that a first argument `arg` does not take blanked out.
/// `None` when the script does not dispatch on `$1`.
pub fn select_branch(text: &str, arg: &str) -> Option<String> {
    let arg = arg.trim_matches(['"', '\'']);
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut blank = vec![false; lines.len()];
    let mut dispatched = false;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        if let Some(test) = if_test(line) {
            if let Some(end) = if_chain(&lines, i, test, arg, &mut blank) {
                dispatched = true;
                i = end + 1;
                continue;
            }
        }
        if is_case_on_first_argument(line) {
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
fn if_test(line: &str) -> Option<(String, bool)> {
    let rest = line
        .strip_prefix("if ")
        .or_else(|| line.strip_prefix("elif "))?;
    positional_test(rest)
}

fn positional_test(condition: &str) -> Option<(String, bool)> {
    let words: Vec<&str> = condition
        .split(|c: char| c.is_whitespace() || c == ';')
        .filter(|w| !w.is_empty())
        .collect();
    let at = words.iter().position(|w| is_first_argument(w))?;
    let op = *words.get(at + 1)?;
    let equal = match op {
        "=" | "==" => true,
        "!=" => false,
        _ => return None,
    };
    let value = words.get(at + 2)?.trim_matches(['"', '\'']);
    (!value.is_empty() && !value.contains('$')).then(|| (value.to_string(), equal))
}

fn is_first_argument(word: &str) -> bool {
    matches!(word.trim_matches(['"', '\'']), "$1" | "${1}")
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
                let taken = match if_test(line.trim()) {
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
    for w in words {
        match *w {
            "if" | "case" => depth += 1,
            "fi" | "esac" => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    depth
}

fn is_case_on_first_argument(line: &str) -> bool {
    let mut words = line.split_whitespace();
    words.next() == Some("case")
        && words.next().is_some_and(is_first_argument)
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
}
