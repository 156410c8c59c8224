//! Which branches of a template (`{% if %}` / `{% for %}` of Jinja or ERB) or of a shell
//! script (`if`/`elif`/`else`, `case` arms) each line is written under: enough to see
//! that a config template or a start script writes one directive for fewer hosts than
//! another (`masterauth` only where it writes `replicaof`).

use super::jinja::find;
use std::ops::Range;

/// One branch: an `if`, `elif` or `else` arm, a `case` arm, or a loop body.
#[derive(Debug, Clone)]
pub struct Branch {
    /// The statement that opens it, as written (`if redis_replicaof`).
    pub statement: String,
    /// Where that statement is, the tag included.
    pub span: Range<usize>,
}

/// A line of a template that writes a directive, or a line of a script that names one.
#[derive(Debug, Clone)]
pub struct DirectiveLine {
    /// The directive's name, lower case (`masterauth`; a `key:` form loses its colon).
    pub name: String,
    /// The line's text from its first word to its end.
    pub span: Range<usize>,
    /// The branches it is written under, outermost first (indexes into `branches`).
    pub under: Vec<usize>,
}

#[derive(Debug, Default)]
pub struct Branches {
    pub branches: Vec<Branch>,
    pub lines: Vec<DirectiveLine>,
}

impl Branches {
    /// The lines that write the directive `name`.
    pub fn named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a DirectiveLine> {
        self.lines.iter().filter(move |l| l.name == name)
    }
}

/// The branches of a Jinja or ERB template and the directive lines under them. Comments
/// (`{# #}`, `#` lines) write nothing; a statement in the middle of a line splits it.
pub fn template(text: &str) -> Branches {
    let mut out = Branches::default();
    // The open branches, innermost last.
    let mut open: Vec<usize> = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    // Where the current run of text (between two tags) starts.
    let mut text_start = 0;
    while i + 1 < bytes.len() {
        let close: &[u8] = match (bytes[i], bytes[i + 1]) {
            (b'{', b'%') => b"%}",
            (b'{', b'#') => b"#}",
            (b'<', b'%') if bytes.get(i + 2) != Some(&b'=') => b"%>",
            _ => {
                i += 1;
                continue;
            }
        };
        let Some(len) = find(&bytes[i + 2..], close) else {
            break;
        };
        let end = i + 2 + len + 2;
        record_lines(text, text_start..i, &open, &mut out.lines);
        text_start = end;
        if bytes[i + 1] == b'%' {
            let statement = text[i + 2..end - 2]
                .trim_matches(['-', '+', '#', '=', ' ', '\t', '\n', '\r'])
                .to_string();
            let word = statement.split_whitespace().next().unwrap_or("");
            let opens_block = matches!(word, "if" | "for" | "unless" | "case")
                || statement.ends_with(" do")
                || statement.contains(" do |");
            match word {
                _ if opens_block => {
                    out.branches.push(Branch {
                        statement,
                        span: i..end,
                    });
                    open.push(out.branches.len() - 1);
                }
                "elif" | "elsif" | "else" | "when" if open.pop().is_some() => {
                    out.branches.push(Branch {
                        statement,
                        span: i..end,
                    });
                    open.push(out.branches.len() - 1);
                }
                "endif" | "endfor" | "end" | "endunless" => {
                    open.pop();
                }
                _ => {}
            }
        }
        i = end;
    }
    record_lines(text, text_start..text.len(), &open, &mut out.lines);
    out
}

/// The directive lines of a run of template text, all under the branches `open`.
fn record_lines(text: &str, run: Range<usize>, open: &[usize], lines: &mut Vec<DirectiveLine>) {
    let mut offset = run.start;
    for piece in text[run].split_inclusive('\n') {
        let at = offset;
        offset += piece.len();
        let body = piece.trim_start();
        let Some(word) = body.split_whitespace().next() else {
            continue;
        };
        if word.starts_with('#') || !word.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        let start = at + (piece.len() - body.len());
        lines.push(DirectiveLine {
            name: word.trim_end_matches(':').to_ascii_lowercase(),
            span: start..start + body.trim_end().len(),
            under: open.to_vec(),
        });
    }
}

/// The branches of a shell script (or of the scripts a YAML file holds in its strings)
/// and, for each line that mentions one of `words` (`masterauth`, as a config line it
/// echoes or as a `--masterauth` option), one entry per word under its branches.
/// Comment lines mention nothing.
pub fn shell(text: &str, words: &[&str]) -> Branches {
    let mut out = Branches::default();
    let mut open: Vec<usize> = Vec::new();
    // Per open `if` (false) or `case` (true while one of its arms is open).
    let mut blocks: Vec<(bool, bool)> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let at = offset;
        offset += line.len();
        let body = line.trim_start();
        // YAML list items (`- |`, `- if …`) hold the script.
        let body = body.strip_prefix("- ").unwrap_or(body).trim_start();
        if body.starts_with('#') {
            continue;
        }
        let start = at + (line.len() - body.len());
        let span = start..start + body.trim_end().len();
        for segment in body.split("; ") {
            let segment = segment.trim();
            let first = segment.split_whitespace().next().unwrap_or("");
            let in_case = blocks.last().is_some_and(|b| b.0);
            let arm_open = blocks.last().is_some_and(|b| b.0 && b.1);
            let mut push = |open: &mut Vec<usize>| {
                out.branches.push(Branch {
                    statement: segment.to_string(),
                    span: span.clone(),
                });
                open.push(out.branches.len() - 1);
            };
            match first {
                "if" => {
                    push(&mut open);
                    blocks.push((false, true));
                }
                "elif" | "else" if !in_case => {
                    open.pop();
                    push(&mut open);
                }
                "fi" | "fi;" if !in_case => {
                    open.pop();
                    blocks.pop();
                }
                "case" => blocks.push((true, false)),
                "esac" | "esac;" => {
                    if arm_open {
                        open.pop();
                    }
                    blocks.pop();
                }
                // `pattern)` opens an arm of the innermost `case`.
                _ if in_case && !arm_open && is_case_pattern(segment) => {
                    push(&mut open);
                    if let Some(b) = blocks.last_mut() {
                        b.1 = true;
                    }
                }
                _ => {}
            }
            // What the segment mentions is under the branch it opened, not the one its
            // `;;` closes.
            let lower = segment.to_ascii_lowercase();
            for word in words {
                if lower
                    .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                    .any(|w| w.trim_start_matches('-') == *word)
                {
                    out.lines.push(DirectiveLine {
                        name: word.to_string(),
                        span: span.clone(),
                        under: open.clone(),
                    });
                }
            }
            let ends_arm = segment.ends_with(";;") || segment.starts_with(";;");
            if ends_arm && (arm_open || (in_case && blocks.last().is_some_and(|b| b.1))) {
                open.pop();
                if let Some(b) = blocks.last_mut() {
                    b.1 = false;
                }
            }
        }
    }
    out
}

/// `replica)`, `*)`, `"a"|b)`: a `case` arm's patterns.
fn is_case_pattern(segment: &str) -> bool {
    let Some((patterns, _)) = segment.split_once(')') else {
        return false;
    };
    let patterns = patterns.trim_start_matches('(');
    !patterns.is_empty() && !patterns.contains([' ', '$', '('])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each line's directive with the statements of the branches it is under.
    fn under(b: &Branches) -> Vec<(&str, Vec<&str>)> {
        b.lines
            .iter()
            .map(|l| {
                let statements = l.under.iter().map(|&i| b.branches[i].statement.as_str());
                (l.name.as_str(), statements.collect())
            })
            .collect()
    }

    #[test]
    fn lines_know_the_branches_they_are_written_under() {
        let text = "port 6379\n{% if a %}\nreplicaof {{ a }}\n{% if b -%}\nmasterauth x\n{%- endif %}\n{% else %}\n# none\n{% endif %}\n{% if p %}requirepass {{ p }}{% endif %}\n";
        let b = template(text);
        let names = under(&b);
        assert_eq!(
            names,
            vec![
                ("port", vec![]),
                ("replicaof", vec!["if a"]),
                ("masterauth", vec!["if a", "if b"]),
                ("requirepass", vec!["if p"]),
            ]
        );
        let m = b.named("masterauth").next().unwrap();
        assert_eq!(&text[m.span.clone()], "masterauth x");
    }

    #[test]
    fn script_lines_know_their_if_and_case_branches() {
        let text = "echo \"requirepass $P\" > a.conf\nif [ \"$ORD\" = 0 ]; then\n  echo '# master' > r.conf\nelse\n  echo \"replicaof m 6379\" > r.conf\n  echo \"masterauth $P\" >> r.conf\nfi\ncase $R in\n  replica)\n    exec redis-server --masterauth x ;;\n  *) exec redis-server ;;\nesac\n";
        let b = shell(text, &["requirepass", "replicaof", "masterauth"]);
        let under = under(&b);
        assert_eq!(
            under,
            vec![
                ("requirepass", vec![]),
                ("replicaof", vec!["else"]),
                ("masterauth", vec!["else"]),
                ("masterauth", vec!["replica)"]),
            ]
        );
    }
}
