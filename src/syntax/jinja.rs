//! Jinja templates (Ansible's `templates/redis.conf.j2`, Salt's files): the file they
//! render, read with the template's markup made neutral, byte for byte at its place.
//!
//! Nothing is evaluated. `{{ expression }}` becomes a run-time value of the same length
//! (`${_expression__}`), which every reader takes as unknown; a `{% statement %}` alone
//! on its line becomes a comment, elsewhere blanks; `{# comment #}` becomes blanks. The
//! lines of every branch of an `{% if %}` stay: the template may render any of them.

use std::path::{Path, PathBuf};

/// The suffixes a Jinja template adds to the name of the file it renders.
const SUFFIXES: [&str; 3] = [".j2", ".jinja2", ".jinja"];

/// The path of the file a template renders (`redis.conf.j2` → `redis.conf`); `None`
/// for a file that is not named as a template.
pub fn rendered_path(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
    let suffix = SUFFIXES.iter().find(|s| lower.ends_with(*s))?;
    let stem = &name[..name.len() - suffix.len()];
    (!stem.is_empty()).then(|| path.with_file_name(stem))
}

/// Whether a text holds Jinja markup.
pub fn has_markup(text: &str) -> bool {
    text.contains("{{") || text.contains("{%") || text.contains("{#")
}

/// The text with its Jinja markup made neutral, every byte at its place (see the module
/// comment). Text without markup comes back as it is.
pub fn mask(text: &str) -> String {
    let mut out = text.as_bytes().to_vec();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        let close: &[u8] = match (bytes[i], bytes[i + 1]) {
            (b'{', b'{') => b"}}",
            (b'{', b'%') => b"%}",
            (b'{', b'#') => b"#}",
            _ => {
                i += 1;
                continue;
            }
        };
        let Some(len) = find(&bytes[i + 2..], close) else {
            break; // an unterminated tag: the rest is left as written
        };
        let end = i + 2 + len + 2;
        match bytes[i + 1] {
            b'{' => expression(&mut out[i..end]),
            b'%' if alone_on_line(bytes, i, end) => {
                // `#%` and the statement's words: a comment that still says which
                // branch starts or ends here (see `guarded`).
                out[i] = b'#';
                blank(&mut out[end - 2..end]);
            }
            _ => blank(&mut out[i..end]),
        }
        i = end;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Blanks, keeping line breaks (a comment or a statement may span lines).
fn blank(span: &mut [u8]) {
    for b in span {
        if *b != b'\n' {
            *b = b' ';
        }
    }
}

/// `{{ name | filter }}` → `${_name___filter__}`: one word, unknown until run time.
fn expression(span: &mut [u8]) {
    let n = span.len();
    for (k, b) in span.iter_mut().enumerate() {
        *b = match k {
            0 => b'$',
            1 => b'{',
            _ if k == n - 1 => b'}',
            _ if b.is_ascii_alphanumeric() || *b == b'_' => *b,
            _ => b'_',
        };
    }
}

/// The parts of a masked template inside an `{% if %}` or `{% for %}` block: lines the
/// template may leave out, or write for some hosts only (a directive guarded by a
/// version test is not wrong for the versions it is left out for).
pub fn guarded(masked: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let mut offset = 0;
    for line in masked.split_inclusive('\n') {
        let at = offset;
        offset += line.len();
        let Some(statement) = line.trim_start().strip_prefix("#%") else {
            continue;
        };
        let word = statement
            .trim_start_matches(['-', '+'])
            .split_whitespace()
            .next();
        match word {
            Some("if" | "for") => {
                if depth == 0 {
                    start = at;
                }
                depth += 1;
            }
            Some("endif" | "endfor") if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    out.push(start..offset);
                }
            }
            _ => {}
        }
    }
    if depth > 0 {
        out.push(start..masked.len());
    }
    out
}

/// Only blanks between the line's start and `start`, and between `end` and its end.
fn alone_on_line(bytes: &[u8], start: usize, end: usize) -> bool {
    let before = bytes[..start]
        .iter()
        .rev()
        .take_while(|&&b| b != b'\n')
        .all(|b| b.is_ascii_whitespace());
    let after = bytes[end..]
        .iter()
        .take_while(|&&b| b != b'\n')
        .all(|b| b.is_ascii_whitespace());
    before && after
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_neutral_and_in_place() {
        let text = "{# managed #}\nport {{ redis_port }}\n{% if master %}\nreplicaof {{ groups['m'][0] }} 6379\n{% endif %}\nbind {% if x %}0.0.0.0{% endif %}\n";
        let masked = mask(text);
        assert_eq!(masked.len(), text.len());
        assert_eq!(
            masked,
            "             \nport ${_redis_port__}\n#% if master   \nreplicaof ${_groups__m___0___} 6379\n#% endif   \nbind           0.0.0.0           \n"
        );
    }

    #[test]
    fn guarded_lines_are_inside_if_and_for_blocks() {
        let text = "port 1\n{% if v %}\nprotected-mode yes\n{%- for h in hs %}\nx\n{% endfor %}\n{% endif %}\nbind 0.0.0.0\n";
        let masked = mask(text);
        let guarded = guarded(&masked);
        assert_eq!(guarded.len(), 1, "{masked:?}");
        let inside = &masked[guarded[0].clone()];
        assert!(inside.contains("protected-mode") && inside.contains('x'));
        assert!(!inside.contains("port 1") && !inside.contains("bind"));
    }

    #[test]
    fn an_unterminated_tag_is_left() {
        assert_eq!(mask("port {{ x\n"), "port {{ x\n");
    }

    #[test]
    fn the_rendered_file_is_named_without_the_suffix() {
        assert_eq!(
            rendered_path(Path::new("roles/r/templates/sentinel.conf.j2")),
            Some(PathBuf::from("roles/r/templates/sentinel.conf"))
        );
        assert_eq!(
            rendered_path(Path::new("t/docker-compose.yml.J2")),
            Some(PathBuf::from("t/docker-compose.yml"))
        );
        assert_eq!(rendered_path(Path::new("t/redis.conf")), None);
        assert_eq!(rendered_path(Path::new("t/.j2")), None);
    }
}
