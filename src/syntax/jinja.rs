//! Jinja templates (Ansible's `templates/redis.conf.j2`, Salt's files): the file they
//! render, read with the template's markup made neutral, byte for byte at its place.
//!
//! `{{ expression }}` becomes a run-time value of the same length (`${_expression__}`),
//! which every reader takes as unknown; a `{% statement %}` alone on its line becomes a
//! comment, elsewhere blanks; `{# comment #}` becomes blanks. The lines of every branch
//! of an `{% if %}` stay (the template may render any of them), unless the role's own
//! defaults decide the condition ([`render`]): then the branches left out become
//! comments. Integers the defaults give replace `{{ name }}` where it is a whole word.

use std::path::{Path, PathBuf};

/// The suffixes a Jinja template adds to the name of the file it renders.
const SUFFIXES: [&str; 4] = [".j2", ".jinja2", ".jinja", ".tpl"];

/// The path of the file a template renders (`redis.conf.j2` → `redis.conf`); `None`
/// for a file that is not named as a template.
pub fn rendered_path(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
    let suffix = SUFFIXES.iter().find(|s| lower.ends_with(*s))?;
    let stem = &name[..name.len() - suffix.len()];
    // `.tpl` names other kinds of templates too (Helm's `_helpers.tpl`): only one
    // that keeps the rendered file's own extension (`sentinel.conf.tpl`) is taken.
    let named = *suffix != ".tpl" || stem.contains('.');
    (!stem.is_empty() && named).then(|| path.with_file_name(stem))
}

/// Whether a text holds Jinja markup.
pub fn has_markup(text: &str) -> bool {
    text.contains("{{") || text.contains("{%") || text.contains("{#")
}

/// Whether a text holds template markup of any kind this module reads: Jinja, or ERB
/// (`<%= @port %>`, Puppet's and Chef's templates).
pub fn has_template_markup(text: &str) -> bool {
    has_markup(text) || text.contains("<%")
}

/// The text with its Jinja markup made neutral, every byte at its place (see the module
/// comment). Text without markup comes back as it is.
pub fn mask(text: &str) -> String {
    render(text, &Vars::default())
}

/// [`mask`], except that `{{ NAME }}` of one upper-case word stays as written: in a config
/// read under its own name (not a `.j2`), such a word may be a placeholder that a script
/// of the tree fills in with `sed`, which is known only once the whole tree is read.
pub fn mask_keeping_words(text: &str) -> String {
    let masked = mask(text);
    if masked == text {
        return masked;
    }
    let mut out = masked.into_bytes();
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(at) = find(&bytes[from..], b"{{").map(|i| i + from) {
        let Some(len) = find(&bytes[at + 2..], b"}}") else {
            break;
        };
        let end = at + 2 + len + 2;
        let inner = text[at + 2..end - 2].trim_matches(' ');
        // Written like a placeholder (`{{ DOWN_AFTER }}`), not like a template's
        // variable (`{{ master_name }}`: Jinja's names are lower case by convention).
        let word = !inner.is_empty()
            && inner
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
        // Only where it was made a value (not blanked or commented out).
        if word && out[at] == b'$' {
            out[at..end].copy_from_slice(&bytes[at..end]);
        }
        from = end;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

/// What a secret that is set holds here: true in a condition, compared with nothing.
const SECRET: &str = "\u{1}secret";

/// Variables a template is rendered with, as written in YAML (`redis_port: 6379`): an
/// Ansible role's `defaults/` and `vars/`. What an inventory or a playbook sets is not
/// known, so only these defaults are read, and only in simple forms.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    values: std::collections::HashMap<String, String>,
    /// Variables whose truth is known but not the text they render as (an unquoted YAML
    /// `no` is Python's `False`, rendered `False`): read in conditions only.
    conditions_only: std::collections::HashSet<String>,
}

impl Vars {
    pub fn set(&mut self, name: &str, value: &str) {
        self.conditions_only.remove(name);
        self.values.insert(name.to_string(), value.to_string());
    }

    /// A value whose truth conditions may read but that is never written into a render.
    pub fn set_condition_only(&mut self, name: &str, value: &str) {
        self.values.insert(name.to_string(), value.to_string());
        self.conditions_only.insert(name.to_string());
    }

    /// A secret's truth: whether it is set, never its value (which stays out of every
    /// render and every comparison).
    pub fn set_secret_truth(&mut self, name: &str, set: bool) {
        self.set_condition_only(name, if set { SECRET } else { "" });
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// Forget every entry of the dictionary `name` (`name.key…`).
    pub fn clear_nested(&mut self, name: &str) {
        let prefix = format!("{name}.");
        self.values.retain(|k, _| !k.starts_with(&prefix));
        self.conditions_only.retain(|k| !k.starts_with(&prefix));
    }

    /// `name = base | combine(over)`: the entries of the dictionary `base`, overridden
    /// by those of `over`, become the entries of `name`.
    pub fn merge_into(&mut self, name: &str, base: &str, over: &str) {
        let entries = |from: &str| -> Vec<(String, String, bool)> {
            let prefix = format!("{from}.");
            self.values
                .iter()
                .filter_map(|(k, v)| {
                    let rest = k.strip_prefix(&prefix)?;
                    Some((
                        rest.to_string(),
                        v.clone(),
                        self.conditions_only.contains(k),
                    ))
                })
                .collect()
        };
        let mut merged = entries(base);
        merged.extend(entries(over));
        self.clear_nested(name);
        for (rest, value, condition_only) in merged {
            let key = format!("{name}.{rest}");
            if condition_only {
                self.set_condition_only(&key, &value);
            } else {
                self.set(&key, &value);
            }
        }
    }

    /// The value to write where `{{ name }}` stands.
    fn rendered(&self, name: &str) -> Option<&str> {
        (!self.conditions_only.contains(name))
            .then(|| self.get(name))
            .flatten()
    }
}

/// One `{% if %}` chain (or `{% for %}` loop) open at a point of the template.
struct Frame {
    /// A branch before (or this one) was surely taken: the rest are left out.
    decided: bool,
    /// A branch's condition could not be evaluated: the following ones may be taken.
    unknown: bool,
    /// The current branch may be rendered.
    active: bool,
    /// The current branch's lines may or may not be rendered (a condition not
    /// evaluated, a loop).
    guarded: bool,
}

impl Frame {
    /// The chain an `{% if %}` opens, by what its condition is known to be.
    fn opened(condition: Option<bool>) -> Frame {
        let known = condition.is_some();
        Frame {
            decided: condition == Some(true),
            unknown: !known,
            active: condition != Some(false),
            guarded: !known,
        }
    }
}

/// [`mask`], with the conditions and values it can evaluate from `vars`: the branches a
/// condition surely leaves out become comments, and `{{ name }}` standing alone as a
/// word becomes the number or the single word `name` holds (padded with blanks to its
/// place). The
/// statement lines stay as comments: `#%` where the branch that follows is guarded
/// (see [`guarded`]), `#~` where it is decided.
pub fn render(text: &str, vars: &Vars) -> String {
    let mut out = text.as_bytes().to_vec();
    let bytes = text.as_bytes();
    let mut frames: Vec<Frame> = Vec::new();
    // Lines surely left out: (start, end) byte ranges, commented out at the end.
    let mut dropped: Vec<(usize, usize)> = Vec::new();
    let mut line_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\n' {
            if frames.iter().any(|f| !f.active) {
                dropped.push((line_start, i));
            }
            line_start = i + 1;
            i += 1;
            continue;
        }
        if i + 1 >= bytes.len() {
            break;
        }
        // ERB (Puppet, Chef: `<%= @port %>`, `<% if @x -%>`) reads like Jinja.
        let erb = bytes[i] == b'<' && bytes[i + 1] == b'%';
        let close: &[u8] = match (bytes[i], bytes[i + 1]) {
            (b'{', b'{') => b"}}",
            (b'{', b'%') => b"%}",
            (b'{', b'#') => b"#}",
            (b'<', b'%') => b"%>",
            _ => {
                i += 1;
                continue;
            }
        };
        let Some(len) = find(&bytes[i + 2..], close) else {
            break; // an unterminated tag: the rest is left as written
        };
        let end = i + 2 + len + 2;
        // `<%= value %>` is an expression, `<%# … %>` a comment, `<% code %>` a statement.
        let kind = match (erb, bytes.get(i + 2)) {
            (true, Some(b'=')) => b'{',
            (true, Some(b'#')) => b'#',
            (true, _) => b'%',
            (false, _) => bytes[i + 1],
        };
        match kind {
            b'{' => {
                let inner = &text[i + 2..end - 2];
                // `{{ extra_config }}` on a line of its own, empty by default: nothing.
                let empty = alone_on_line(bytes, i, end)
                    && identifier(inner)
                        .and_then(|n| vars.get(n))
                        .is_some_and(|v| v.trim().is_empty());
                if empty {
                    blank(&mut out[i..end]);
                    i = end;
                    continue;
                }
                match alone_as_word(bytes, i, end)
                    .then(|| value_of(inner, vars))
                    .flatten()
                {
                    Some(n) if n.len() <= end - i => {
                        blank(&mut out[i..end]);
                        out[i..i + n.len()].copy_from_slice(n.as_bytes());
                    }
                    _ => match leading_directory(bytes, i, end, inner, vars) {
                        // `{{ conf_dir }}/sentinel.conf` → `/etc/redis//////sentinel.conf`:
                        // repeated slashes name the same path, and keep every byte's place.
                        Some(dir) => {
                            out[i..end].fill(b'/');
                            out[i..i + dir.len()].copy_from_slice(dir.as_bytes());
                        }
                        None => expression(&mut out[i..end]),
                    },
                }
            }
            b'%' if alone_on_line(bytes, i, end) => {
                let statement = text[i + 2..end - 2].trim_matches(['-', '+', '=', ' ', '\t']);
                let guarded = step(&mut frames, statement, vars);
                // `#%` and the statement's words: a comment that still says which
                // branch starts or ends here.
                out[i] = b'#';
                out[i + 1] = if guarded { b'%' } else { b'~' };
                blank(&mut out[end - 2..end]);
                // A statement written over several lines (`{% if a and\n b %}`): its
                // later lines are part of the comment.
                if let Some(nl) = bytes[i..end].iter().position(|&b| b == b'\n') {
                    blank(&mut out[i + nl..end]);
                }
                // The statement's own line is never left out (it is a comment).
                let next_line = bytes[end..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(bytes.len(), |p| end + p);
                line_start = (next_line + 1).min(bytes.len());
                i = next_line + 1;
                continue;
            }
            _ => blank(&mut out[i..end]),
        }
        i = end;
    }
    if i >= bytes.len() && line_start < bytes.len() && frames.iter().any(|f| !f.active) {
        dropped.push((line_start, bytes.len()));
    }
    for (start, end) in dropped {
        if let Some(first) = (start..end).find(|&k| !out[k].is_ascii_whitespace()) {
            out[first] = b'#';
            // A character of several bytes: its other bytes become blanks.
            let mut k = first + 1;
            while k < end && out[k] & 0b1100_0000 == 0b1000_0000 {
                out[k] = b' ';
                k += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

/// Apply one statement to the open chains; whether the lines after it are guarded.
fn step(frames: &mut Vec<Frame>, statement: &str, vars: &Vars) -> bool {
    let (word, rest) = statement
        .split_once(char::is_whitespace)
        .map_or((statement, ""), |(w, r)| (w, r.trim()));
    match word {
        "if" => frames.push(Frame::opened(condition(rest, vars))),
        // ERB's other blocks (`unless`, `items.each do |i|`) and its `case`.
        "unless" | "case" => frames.push(Frame::opened(None)),
        _ if statement.ends_with(" do") || statement.contains(" do |") => {
            frames.push(Frame::opened(None))
        }
        "elif" | "elsif" => {
            if let Some(f) = frames.last_mut() {
                if f.decided {
                    f.active = false;
                } else {
                    match condition(rest, vars) {
                        Some(true) => {
                            f.active = true;
                            f.guarded = f.unknown;
                            f.decided = !f.unknown;
                        }
                        Some(false) => f.active = false,
                        None => {
                            f.active = true;
                            f.guarded = true;
                            f.unknown = true;
                        }
                    }
                }
            }
        }
        "else" => {
            if let Some(f) = frames.last_mut() {
                f.active = !f.decided;
                f.guarded = f.active && f.unknown;
                f.decided = true;
            }
        }
        // A loop body is written any number of times, or none.
        "for" => frames.push(Frame::opened(None)),
        "endif" | "endfor" | "end" => {
            frames.pop();
        }
        _ => {}
    }
    frames.iter().any(|f| f.guarded)
}

/// The truth of a simple condition on one variable: `name`, `not name`, `name | bool`,
/// `name is defined`, `name == 'text'`, `name != 3`. `None` for anything else, or for
/// a variable the defaults do not set.
fn condition(expr: &str, vars: &Vars) -> Option<bool> {
    let expr = expr.trim();
    if let Some(rest) = expr.strip_prefix("not ") {
        return condition(rest, vars).map(|b| !b);
    }
    if let Some(name) = expr.strip_suffix(" is defined") {
        return vars.get(identifier(name)?).map(|_| true);
    }
    for op in ["==", "!="] {
        if let Some((left, right)) = expr.split_once(op) {
            let value = vars.get(identifier(left)?).filter(|v| *v != SECRET)?;
            let wanted = right.trim().trim_matches(['"', '\'']);
            let equal = value.eq_ignore_ascii_case(wanted);
            return Some(if op == "==" { equal } else { !equal });
        }
    }
    let name = expr.strip_suffix("| bool").unwrap_or(expr).trim_end();
    // `name | default(fallback)`: the variable when it is set, else the fallback (a
    // literal such as `False`, or another variable).
    if let Some((name, filter)) = name.split_once('|') {
        let filter = filter.trim();
        let fallback = filter
            .strip_prefix("default(")
            .or_else(|| filter.strip_prefix("d("))?
            .strip_suffix(')')?
            .trim();
        let name = identifier(name)?;
        let value = match vars.get(name) {
            Some(value) => value,
            None => match identifier(fallback) {
                Some(var) if !matches!(var, "True" | "False" | "true" | "false") => {
                    vars.get(var)?
                }
                _ => fallback.trim_matches(['"', '\'']),
            },
        };
        return Some(truthy(value));
    }
    Some(truthy(vars.get(identifier(name)?)?))
}

/// A variable's name, or a dotted path into a dictionary (`redis_sentinel.port`).
fn identifier(text: &str) -> Option<&str> {
    let text = text.trim();
    text.split('.')
        .all(|part| {
            !part.is_empty()
                && part.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
        .then_some(text)
}

/// Ansible's truth of a YAML value (`yes`/`no` are booleans there).
fn truthy(value: &str) -> bool {
    !matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "false" | "no" | "off" | "0" | ""
    )
}

/// A path or a word with the `{{ name }}` expressions `vars` gives filled in (their
/// values as written); the others are left as written.
pub fn fill_words(text: &str, vars: &Vars) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open..].find("}}") else {
            break;
        };
        out.push_str(&rest[..open]);
        let inner = &rest[open + 2..open + close];
        match identifier(inner).and_then(|n| vars.get(n)) {
            Some(value) if !has_markup(value) => out.push_str(value.trim()),
            _ => out.push_str(&rest[open..open + close + 2]),
        }
        rest = &rest[open + close + 2..];
    }
    out.push_str(rest);
    out
}

/// `{{ name }}` of a variable holding a number or a single word: that value.
/// `name`, or `name | default(fallback)` (also `d(…)`): the value the first known of
/// them holds; the fallback may be a literal (quoted or not) or another variable. A
/// `name` that a variables file gives any value decides on its own (the fallback is
/// unused).
fn value_of(inner: &str, vars: &Vars) -> Option<String> {
    // A number, or one word of the characters settings are written with (`0.0.0.0`,
    // `no`, `mymaster`); anything else (spaces, quotes, markup) is left a run-time value.
    let word = |v: &str| {
        let v = v.trim();
        let v = v
            .strip_prefix('\'')
            .and_then(|v| v.strip_suffix('\''))
            .or_else(|| v.strip_prefix('"').and_then(|v| v.strip_suffix('"')))
            .unwrap_or(v);
        (!v.is_empty()
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._:-/*".contains(&b)))
        .then(|| v.to_string())
    };
    let (name, fallback) = match inner.split_once('|') {
        Some((name, filter)) => {
            let filter = filter.trim();
            let arg = filter
                .strip_prefix("default(")
                .or_else(|| filter.strip_prefix("d("))?
                .strip_suffix(')')?;
            (name, Some(arg.trim()))
        }
        None => (inner, None),
    };
    let name = identifier(name)?;
    if vars.get(name).is_some() {
        return word(vars.rendered(name)?);
    }
    let fallback = fallback?;
    match identifier(fallback) {
        Some(var) => word(vars.rendered(var)?),
        None => word(fallback),
    }
}

/// The absolute directory a variable holds where `{{ name }}` starts a path
/// (`{{ conf_dir }}/sentinel.conf`, after a blank, `=` or a quote), when it fits the
/// expression's place.
fn leading_directory(
    bytes: &[u8],
    start: usize,
    end: usize,
    inner: &str,
    vars: &Vars,
) -> Option<String> {
    let before =
        start == 0 || matches!(bytes[start - 1], b' ' | b'\t' | b'=' | b'"' | b'\'' | b'\n');
    if !before || bytes.get(end) != Some(&b'/') {
        return None;
    }
    let dir = value_of(inner, vars)?;
    let dir = dir.trim_end_matches('/');
    (dir.starts_with('/') && dir.len() < end - start).then(|| dir.to_string())
}

/// Only blanks (or the line's ends) on both sides of `start..end`: a word of its own
/// (also a unit's value, `ExecStart={{ binary }} …`).
fn alone_as_word(bytes: &[u8], start: usize, end: usize) -> bool {
    let before = start == 0 || bytes[start - 1].is_ascii_whitespace() || bytes[start - 1] == b'=';
    let after = end >= bytes.len() || bytes[end].is_ascii_whitespace();
    before && after
}

pub(super) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
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
    let mut out: Vec<std::ops::Range<usize>> = Vec::new();
    // Per open chain: whether its current branch is guarded.
    let mut frames: Vec<bool> = Vec::new();
    let mut offset = 0;
    for line in masked.split_inclusive('\n') {
        let at = offset;
        offset += line.len();
        let trimmed = line.trim_start();
        let marker = trimmed
            .strip_prefix("#%")
            .map(|s| (s, true))
            .or_else(|| trimmed.strip_prefix("#~").map(|s| (s, false)));
        let before = frames.iter().any(|&g| g);
        if let Some((statement, is_guarded)) = marker {
            let word = statement
                .trim_start_matches(['-', '+'])
                .split_whitespace()
                .next();
            match word {
                Some("if" | "for" | "unless" | "case") => frames.push(is_guarded),
                _ if statement.trim_end().ends_with(" do") || statement.contains(" do |") => {
                    frames.push(is_guarded)
                }
                Some("elif" | "elsif" | "else") => {
                    if let Some(top) = frames.last_mut() {
                        *top = is_guarded;
                    }
                }
                Some("endif" | "endfor" | "end") => {
                    frames.pop();
                }
                _ => {}
            }
        }
        // A statement inside a guarded block belongs to it.
        if before && marker.is_some() || frames.iter().any(|&g| g) {
            match out.last_mut() {
                Some(last) if last.end == at => last.end = offset,
                _ => out.push(at..offset),
            }
        }
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
    fn a_directory_variable_starting_a_path_is_filled_in() {
        let mut vars = Vars::default();
        vars.set("conf_dir", "/etc/redis/");
        vars.set("port", "6379");
        let text =
            "ExecStart=/usr/bin/redis-sentinel {{ conf_dir }}/sentinel.conf\nx {{ port }}/y\n";
        let out = render(text, &vars);
        assert_eq!(out.len(), text.len());
        let path = out.lines().next().unwrap().split(' ').nth(1).unwrap();
        assert!(path.starts_with("/etc/redis/"), "{out}");
        assert_eq!(
            std::path::Path::new(path),
            std::path::Path::new("/etc/redis/sentinel.conf")
        );
        // Not an absolute directory: left a run-time value.
        assert!(out.lines().nth(1).unwrap().starts_with("x ${"), "{out}");
    }

    #[test]
    fn multi_line_statements_and_erb_are_neutral() {
        let text = "{% if redis_version is version('6.2', '>=') and\n      redis_resolve %}\nsentinel resolve-hostnames yes\n{%- endif %}\nport <%= @port %>\n<% if @auth -%>\nrequirepass <%= @auth %>\n<% end -%>\ndir /data\n";
        let masked = mask(text);
        assert_eq!(masked.len(), text.len());
        let lines: Vec<&str> = masked.lines().collect();
        assert!(lines[0].starts_with("#%"), "{masked}");
        assert!(lines[1].trim().is_empty(), "{masked}");
        assert!(lines[3].trim_start().starts_with('#'), "{masked}");
        assert_eq!(lines[4], "port ${___port__}");
        assert!(lines[5].starts_with("#%"), "{masked}");
        assert!(lines[6].starts_with("requirepass ${"), "{masked}");
        let guarded = guarded(&masked);
        let at = masked.find("requirepass").unwrap();
        assert!(guarded.iter().any(|r| r.contains(&at)), "{guarded:?}");
        let after = masked.find("dir /data").unwrap();
        assert!(!guarded.iter().any(|r| r.contains(&after)), "{guarded:?}");
    }

    #[test]
    fn default_filters_give_numbers() {
        let mut vars = Vars::default();
        vars.set("redis_sentinel_quorum", "2");
        vars.set("port", "26380");
        let text = "sentinel monitor m 10.0.0.1 {{ port | default(6379) }} {{ quorum | default(redis_sentinel_quorum) }}\nport {{ sentinel_port | default(26379) }}\n";
        let rendered = render(text, &vars);
        assert!(
            rendered.starts_with("sentinel monitor m 10.0.0.1 26380 "),
            "{rendered}"
        );
        assert!(rendered.contains(" 2 "), "{rendered}");
        assert!(rendered.contains("port 26379 "), "{rendered}");
    }

    #[test]
    fn a_unit_value_and_an_unset_secret() {
        let mut vars = Vars::default();
        vars.set_secret_truth("redis_password", false);
        vars.set_secret_truth("admin_password", true);
        let text = "ExecStart={{ sentinel_binary | default('/usr/bin/redis-sentinel') }} /etc/s.conf\n{% if redis_password %}\nrequirepass {{ redis_password }}\n{% endif %}\n";
        let rendered = render(text, &vars);
        assert!(
            rendered.starts_with("ExecStart=/usr/bin/redis-sentinel "),
            "{rendered}"
        );
        // An empty password is false: its line is left out.
        assert!(rendered.contains("\n#equirepass "), "{rendered}");
        // A password that is set is true, but compared with nothing (the branch stays
        // guarded) and never written.
        let text =
            "{% if admin_password == 'x' %}\nuser admin on >{{ admin_password }}\n{% endif %}\n";
        let rendered = render(text, &vars);
        assert!(rendered.contains("\nuser admin on >${"), "{rendered}");
        assert!(!rendered.contains("secret"), "{rendered}");
    }

    #[test]
    fn single_words_fill_in_and_booleans_only_decide() {
        let mut vars = Vars::default();
        vars.set("bind_interface", "0.0.0.0");
        vars.set("protected", "no");
        vars.set("owner", "two words");
        vars.set_condition_only("sentinel_enabled", "yes");
        let text = "bind {{ bind_interface }}\nprotected-mode {{ protected }}\n{% if sentinel_enabled %}\nsentinel {{ sentinel_enabled }}\n{% endif %}\nquorum {{ q | d('2') }}\nx {{ owner }}\n";
        let rendered = render(text, &vars);
        assert!(rendered.starts_with("bind 0.0.0.0 "), "{rendered}");
        assert!(rendered.contains("protected-mode no "), "{rendered}");
        // The branch is taken, but `yes` unquoted renders as `True`: not written.
        assert!(rendered.contains("\nsentinel ${"), "{rendered}");
        assert!(rendered.contains("quorum 2 "), "{rendered}");
        assert!(rendered.contains("x ${"), "{rendered}");
    }

    #[test]
    fn plain_word_expressions_can_stay() {
        let text = "sentinel monitor {{ NAME }} {{ hosts['m'][0] }} {{ port }} 2\n";
        assert_eq!(
            mask_keeping_words(text),
            "sentinel monitor {{ NAME }} ${_hosts__m___0___} ${_port__} 2\n"
        );
    }

    #[test]
    fn markup_is_neutral_and_in_place() {
        let text = "{# managed #}\nport {{ redis_port }}\n{% if master %}\nreplicaof {{ groups['m'][0] }} 6379\n{% endif %}\nbind {% if x %}0.0.0.0{% endif %}\n";
        let masked = mask(text);
        assert_eq!(masked.len(), text.len());
        assert_eq!(
            masked,
            "             \nport ${_redis_port__}\n#% if master   \nreplicaof ${_groups__m___0___} 6379\n#~ endif   \nbind           0.0.0.0           \n"
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
    fn a_default_filter_decides_a_condition() {
        let mut vars = Vars::default();
        vars.set("ssl", "false");
        vars.set("fallback_on", "yes");
        assert_eq!(condition("ssl | default(True)", &vars), Some(false));
        assert_eq!(condition("unset|default(False)", &vars), Some(false));
        assert_eq!(condition("unset | d('x') | bool", &vars), Some(true));
        assert_eq!(condition("unset | default(fallback_on)", &vars), Some(true));
        assert_eq!(condition("unset | default(other)", &vars), None);
        assert_eq!(condition("ssl | upper", &vars), None);
    }

    #[test]
    fn the_role_defaults_decide_simple_conditions() {
        let mut vars = Vars::default();
        vars.set("protected", "True");
        vars.set("cluster", "false");
        vars.set("port", "6380");
        vars.set("extra", "");
        let text = "{{ extra }}\nport {{ port }}\nlogfile /var/log/r-{{ port }}.log\n{% if protected %}\nprotected-mode yes\n{% else %}\nprotected-mode no\n{% endif %}\n{% if cluster %}\ncluster-enabled yes\n{% endif %}\n{% if other %}\nbind 0.0.0.0\n{% endif %}\n";
        let rendered = render(text, &vars);
        assert_eq!(rendered.len(), text.len());
        let lines: Vec<&str> = rendered.lines().collect();
        assert_eq!(lines[0].trim(), "");
        assert_eq!(lines[1].trim_end(), "port 6380");
        assert!(
            lines[2].starts_with("logfile /var/log/r-${"),
            "{}",
            lines[2]
        );
        assert_eq!(lines[4], "protected-mode yes");
        assert_eq!(lines[6], "#rotected-mode no");
        assert_eq!(lines[9], "#luster-enabled yes");
        assert_eq!(lines[12], "bind 0.0.0.0");
        // Only the branch of the unknown `other` is guarded.
        let guarded = guarded(&rendered);
        assert_eq!(guarded.len(), 1);
        let inside = &rendered[guarded[0].clone()];
        assert!(inside.contains("bind 0.0.0.0\n"), "{inside:?}");
        assert!(!inside.contains("protected-mode") && !inside.contains("cluster"));
    }

    #[test]
    fn a_line_left_out_that_starts_with_a_wide_character_stays_text() {
        let mut vars = Vars::default();
        vars.set("on", "false");
        let text = "{% if on %}\n\u{e9}t\u{e9} yes\n{% endif %}\nport 1\n";
        let rendered = render(text, &vars);
        assert_eq!(rendered.len(), text.len());
        assert!(rendered.contains("\n# t\u{e9} yes\n"), "{rendered:?}");
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
        assert_eq!(
            rendered_path(Path::new("templates/redis_sentinel.conf.tpl")),
            Some(PathBuf::from("templates/redis_sentinel.conf"))
        );
        assert_eq!(
            rendered_path(Path::new("chart/templates/_helpers.tpl")),
            None
        );
        assert_eq!(rendered_path(Path::new("t/.j2")), None);
    }
}
