//! A small YAML writer: block style, keys in the order given, and quotes wherever a
//! reader could take a string for something else (YAML 1.1 booleans and nulls, numbers,
//! octal-looking and sexagesimal values, indicators).

/// A YAML value to write.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string, quoted when a plain scalar would read as something else.
    Str(String),
    /// A string that is always quoted (ConfigMap data, OpsTree's numbers-as-strings).
    Quoted(String),
    Int(i64),
    Bool(bool),
    Seq(Vec<Value>),
    Map(Vec<(String, Value)>),
}

pub fn s(text: impl Into<String>) -> Value {
    Value::Str(text.into())
}

pub fn q(text: impl Into<String>) -> Value {
    Value::Quoted(text.into())
}

pub fn int(n: impl TryInto<i64>) -> Value {
    Value::Int(n.try_into().unwrap_or(i64::MAX))
}

/// A mapping from `(key, value)` pairs, in order.
pub fn map<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

pub fn seq(items: impl IntoIterator<Item = Value>) -> Value {
    Value::Seq(items.into_iter().collect())
}

impl Value {
    /// Adds an entry to a mapping (no-op on other values).
    pub fn push(&mut self, key: &str, value: Value) {
        if let Value::Map(entries) = self {
            entries.push((key.to_string(), value));
        }
    }
}

/// Documents separated by `---`, after a comment header (one `# ` line per entry).
pub fn documents(header: &[String], docs: &[Value]) -> String {
    let mut out = String::new();
    for line in header {
        out.push_str(&format!("# {line}\n").replace("# \n", "#\n"));
    }
    for (i, doc) in docs.iter().enumerate() {
        if i > 0 || !header.is_empty() {
            out.push_str("---\n");
        }
        out.push_str(&to_string(doc));
    }
    out
}

/// One document.
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    write_block(value, 0, &mut out);
    out
}

fn write_block(value: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        Value::Map(entries) if !entries.is_empty() => {
            for (key, v) in entries {
                out.push_str(&pad);
                out.push_str(&scalar(key, false));
                out.push(':');
                write_after_key(v, indent, out);
            }
        }
        Value::Seq(items) if !items.is_empty() => {
            for item in items {
                out.push_str(&pad);
                out.push('-');
                match item {
                    Value::Map(entries) if !entries.is_empty() => {
                        // The first entry goes on the dash line, the rest under it.
                        let mut first = String::new();
                        write_block(item, indent + 2, &mut first);
                        out.push(' ');
                        out.push_str(&first[indent + 2..]);
                    }
                    Value::Seq(inner) if !inner.is_empty() => {
                        out.push('\n');
                        write_block(item, indent + 2, out);
                    }
                    _ => write_after_key(item, indent, out),
                }
            }
        }
        other => {
            out.push_str(&pad);
            out.push_str(&inline(other, indent));
            out.push('\n');
        }
    }
}

/// What follows `key:` or `-`: an inline scalar, or a nested block.
fn write_after_key(value: &Value, indent: usize, out: &mut String) {
    match value {
        Value::Map(entries) if !entries.is_empty() => {
            out.push('\n');
            write_block(value, indent + 2, out);
        }
        Value::Seq(items) if !items.is_empty() => {
            out.push('\n');
            write_block(value, indent + 2, out);
        }
        Value::Str(text) | Value::Quoted(text) if text.contains('\n') => {
            out.push(' ');
            out.push_str(&literal_block(text, indent + 2));
        }
        other => {
            out.push(' ');
            out.push_str(&inline(other, indent));
            out.push('\n');
        }
    }
}

fn inline(value: &Value, _indent: usize) -> String {
    match value {
        Value::Str(text) => scalar(text, false),
        Value::Quoted(text) => scalar(text, true),
        Value::Int(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Seq(_) => "[]".to_string(),
        Value::Map(_) => "{}".to_string(),
    }
}

/// `|` (or `|-` without a final newline) and the text indented under it.
fn literal_block(text: &str, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let mut out = String::from(if text.ends_with('\n') { "|" } else { "|-" });
    // A first line that starts with a space needs an explicit indentation indicator.
    if text.starts_with(' ') {
        out.push_str(&indent_indicator(indent));
    }
    out.push('\n');
    for line in text.strip_suffix('\n').unwrap_or(text).split('\n') {
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

fn indent_indicator(indent: usize) -> String {
    // Relative to the parent's indentation, which is two less.
    (2.min(indent)).to_string()
}

/// A scalar as plain text when that reads back as the same string, else double-quoted.
pub fn scalar(text: &str, force_quotes: bool) -> String {
    if force_quotes || needs_quotes(text) {
        quote(text)
    } else {
        text.to_string()
    }
}

fn needs_quotes(text: &str) -> bool {
    if text.is_empty() || text.trim() != text {
        return true;
    }
    let lower = text.to_ascii_lowercase();
    // YAML 1.1 and 1.2 booleans and nulls (Kubernetes and Helm read 1.1).
    const WORDS: &[&str] = &[
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "nan", ".nan", ".inf",
        "-.inf", "+.inf", "<<", "=",
    ];
    if WORDS.contains(&lower.as_str()) {
        return true;
    }
    if looks_numeric(text) {
        return true;
    }
    let first = text.chars().next().unwrap_or(' ');
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        // `-x` and `:x` are plain in block context, but quoting them is never wrong.
        return true;
    }
    text.contains(": ")
        || text.contains(" #")
        || text.ends_with(':')
        || text.contains('\t')
        || text.chars().any(|c| c.is_control())
}

/// Anything a YAML 1.1 or 1.2 reader may take for a number: integers with sign, leading
/// zeros (octal), `0o`/`0x`/`0b`, underscores, floats, exponents, and `1:20` sexagesimals.
fn looks_numeric(text: &str) -> bool {
    let t = text.strip_prefix(['+', '-']).unwrap_or(text);
    if t.is_empty() {
        return false;
    }
    let lower = t.to_ascii_lowercase();
    if let Some(rest) = lower
        .strip_prefix("0x")
        .or_else(|| lower.strip_prefix("0o"))
        .or_else(|| lower.strip_prefix("0b"))
    {
        return !rest.is_empty() && rest.chars().all(|c| c.is_ascii_hexdigit() || c == '_');
    }
    let digits_and = |extra: &str| {
        t.chars().all(|c| c.is_ascii_digit() || extra.contains(c))
            && t.chars().any(|c| c.is_ascii_digit())
    };
    if digits_and("_:") {
        return true;
    }
    // Floats: digits with one dot and an optional exponent.
    let (mantissa, exponent) = match lower.split_once('e') {
        Some((m, e)) => (m, Some(e)),
        None => (lower.as_str(), None),
    };
    let mantissa_ok = !mantissa.is_empty()
        && mantissa.chars().filter(|&c| c == '.').count() <= 1
        && mantissa
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '_')
        && mantissa.chars().any(|c| c.is_ascii_digit());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && e.chars().all(|c| c.is_ascii_digit())
    });
    mantissa_ok && exponent_ok
}

fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::yaml;

    #[test]
    fn ambiguous_strings_are_quoted() {
        for text in [
            "yes", "No", "ON", "off", "y", "n", "true", "null", "~", "", "0755", "0o17", "0x1F",
            "1e3", "3.14", "1_000", "1:20", "6379", "-1", "+5", " lead", "trail ", "a: b", "#c",
            "*x", "&a", "!t", "x #y", "@at", "`b",
        ] {
            assert!(
                scalar(text, false).starts_with('"'),
                "{text:?} must be quoted"
            );
        }
        for text in [
            "redis",
            "mymaster",
            "redis:7.2",
            "app.kubernetes.io/name",
            "a-b",
            "1Gi",
        ] {
            assert_eq!(scalar(text, false), text, "{text:?} stays plain");
        }
    }

    #[test]
    fn written_yaml_reads_back_as_the_same_strings() {
        let doc = map([
            ("plain", s("redis")),
            ("bool-like", s("yes")),
            ("octal", s("0755")),
            ("number-string", q("5000")),
            ("number", int(3)),
            ("script", s("line one\n  indented\nlast\n")),
            ("no-final-newline", s("a\nb")),
            (
                "list",
                seq([map([("name", s("x")), ("port", int(1))]), s("off")]),
            ),
            ("empty", Value::Map(vec![])),
            ("nested", map([("inner", seq([s("a"), s("b")]))])),
        ]);
        let text = to_string(&doc);
        let tree = yaml::parse(&text);
        assert!(tree.error.is_none(), "{text}");
        let root = &tree.documents[0];
        assert_eq!(root.get_str("bool-like"), Some("yes"));
        assert_eq!(root.get("bool-like").unwrap().as_bool_11(), None, "{text}");
        assert_eq!(root.get_str("octal"), Some("0755"));
        assert_eq!(root.get_str("number-string"), Some("5000"));
        assert_eq!(root.get_str("script"), Some("line one\n  indented\nlast\n"));
        assert_eq!(root.get_str("no-final-newline"), Some("a\nb"));
        let list = root.get("list").unwrap().as_seq().unwrap();
        assert_eq!(list[0].get_str("name"), Some("x"));
        assert_eq!(list[1].as_str(), Some("off"));
        assert_eq!(
            root.at("nested.inner").unwrap().as_seq().unwrap()[1].as_str(),
            Some("b")
        );
    }
}
