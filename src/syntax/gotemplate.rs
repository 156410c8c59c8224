//! Go's text/template language, as Helm charts write it: text and `{{ … }}` actions
//! (`-` trims the white space beside them), `if` / `else if` / `else`, `with`, `range`,
//! `define`, `template`, pipelines with `|`, variables and parenthesised pipelines.
//! Parsing only: evaluation belongs to the format that knows the data (Helm values).

use std::ops::Range;

/// One argument of a command.
#[derive(Debug, Clone)]
pub enum Arg {
    /// `.` alone.
    Dot,
    /// `.a.b` (fields of the dot).
    Field(Vec<String>),
    /// `$` or `$x`, with fields after it (`$.Values.x`, `$v.name`).
    Var(String, Vec<String>),
    /// A function name, or a method-like field chain after a value (`.Files.Get`).
    Ident(String),
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Nil,
    /// `( pipeline )`, with fields after it (`(index .x 0).name`).
    Sub(Box<Pipe>, Vec<String>),
}

/// `cmd | cmd | …`, maybe declaring (`$x :=`) or assigning (`$x =`) variables.
#[derive(Debug, Clone, Default)]
pub struct Pipe {
    pub vars: Vec<String>,
    pub assign: bool,
    pub cmds: Vec<Vec<Arg>>,
}

#[derive(Debug, Clone)]
pub enum Item {
    /// Literal text: its range in the template.
    Text(Range<usize>),
    /// An action that prints its value (or only declares a variable).
    Action(Pipe, Range<usize>),
    If(Vec<(Pipe, Vec<Item>)>, Vec<Item>),
    With(Vec<(Pipe, Vec<Item>)>, Vec<Item>),
    Range(Pipe, Vec<Item>, Vec<Item>),
    /// `{{ template "name" pipe }}`.
    Template(String, Option<Pipe>, Range<usize>),
    Break,
    Continue,
}

/// A parsed template: its items, and the named templates it defines.
#[derive(Debug, Clone, Default)]
pub struct Template {
    pub items: Vec<Item>,
    pub defines: Vec<(String, Vec<Item>)>,
}

#[derive(Debug)]
pub struct Error(pub String);

/// A piece of the template before nesting: text, or an action's words.
enum Piece {
    Text(Range<usize>),
    Action(Vec<Tok>, Range<usize>),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Num(String),
    Open,
    Close,
    Bar,
    Declare,
    Assign,
    Comma,
}

pub fn parse(text: &str) -> Result<Template, Error> {
    let pieces = split(text)?;
    let mut at = 0;
    let mut defines = Vec::new();
    let (items, end) = items(&pieces, &mut at, &mut defines)?;
    if let Some(end) = end {
        return Err(Error(format!("unexpected {{{{ {end} }}}}")));
    }
    Ok(Template { items, defines })
}

/// Text and actions, with `{{-` / `-}}` trimming applied to the text ranges.
fn split(text: &str) -> Result<Vec<Piece>, Error> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut pos = 0;
    let mut trim_next = false;
    while pos <= text.len() {
        let open = text[pos..].find("{{").map(|i| pos + i);
        let text_end = open.unwrap_or(text.len());
        let mut start = pos;
        if trim_next {
            while start < text_end && bytes[start].is_ascii_whitespace() {
                start += 1;
            }
        }
        let Some(open) = open else {
            if start < text_end {
                out.push(Piece::Text(start..text_end));
            }
            break;
        };
        let trim_left = text[open + 2..].starts_with("- ")
            || text[open + 2..].starts_with("-\n")
            || text[open + 2..].starts_with("-\t");
        let mut end = text_end;
        if trim_left {
            while end > start && bytes[end - 1].is_ascii_whitespace() {
                end -= 1;
            }
        }
        if start < end {
            out.push(Piece::Text(start..end));
        }
        let inner_start = open + if trim_left { 3 } else { 2 };
        let close = find_close(text, inner_start)?;
        let trim_right = close > inner_start
            && text[..close].ends_with('-')
            && text[..close - 1].ends_with([' ', '\n', '\t']);
        let inner_end = if trim_right { close - 1 } else { close };
        let inner = text[inner_start..inner_end].trim();
        if !(inner.starts_with("/*") && inner.ends_with("*/")) {
            out.push(Piece::Action(tokens(inner)?, open..close + 2));
        }
        trim_next = trim_right;
        pos = close + 2;
    }
    Ok(out)
}

/// The `}}` that ends the action starting at `from`, skipping quoted strings.
fn find_close(text: &str, from: usize) -> Result<usize, Error> {
    let bytes = text.as_bytes();
    let mut i = from;
    while i + 1 < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'`' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'`' {
                    i += 1;
                }
            }
            b'/' if text[i..].starts_with("/*") => {
                i = text[i..].find("*/").map_or(bytes.len(), |e| i + e + 1);
            }
            b'}' if bytes[i + 1] == b'}' => return Ok(i),
            _ => {}
        }
        i += 1;
    }
    Err(Error("an action without its closing }}".into()))
}

fn tokens(inner: &str) -> Result<Vec<Tok>, Error> {
    let chars: Vec<char> = inner.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                out.push(Tok::Open);
                i += 1;
            }
            ')' => {
                out.push(Tok::Close);
                i += 1;
            }
            '|' => {
                out.push(Tok::Bar);
                i += 1;
            }
            ',' => {
                out.push(Tok::Comma);
                i += 1;
            }
            ':' if chars.get(i + 1) == Some(&'=') => {
                out.push(Tok::Declare);
                i += 2;
            }
            '=' => {
                out.push(Tok::Assign);
                i += 1;
            }
            '"' => {
                let mut s = String::new();
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        i += 1;
                        s.push(match chars[i] {
                            'n' => '\n',
                            't' => '\t',
                            other => other,
                        });
                    } else {
                        s.push(chars[i]);
                    }
                    i += 1;
                }
                i += 1;
                out.push(Tok::Str(s));
            }
            '`' => {
                let mut s = String::new();
                i += 1;
                while i < chars.len() && chars[i] != '`' {
                    s.push(chars[i]);
                    i += 1;
                }
                i += 1;
                out.push(Tok::Str(s));
            }
            '\'' => {
                // A character constant: its code point.
                let ch = chars.get(i + 1).copied().unwrap_or_default();
                out.push(Tok::Num((ch as u32).to_string()));
                i += 3;
            }
            c if c.is_ascii_digit()
                || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) =>
            {
                let start = i;
                i += 1;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                    i += 1;
                }
                out.push(Tok::Num(chars[start..i].iter().collect()));
            }
            _ => {
                let start = i;
                let ends_word = |i: usize| {
                    chars[i].is_whitespace()
                        || matches!(chars[i], '(' | ')' | '|' | ',' | '"' | '`')
                        || (chars[i] == ':' && chars.get(i + 1) == Some(&'='))
                        || (chars[i] == '=' && i > start)
                };
                while i < chars.len() && !ends_word(i) {
                    i += 1;
                }
                if i == start {
                    return Err(Error(format!("unexpected `{c}` in an action")));
                }
                out.push(Tok::Word(chars[start..i].iter().collect()));
            }
        }
    }
    Ok(out)
}

/// Items up to an `end`, `else …` (returned as the words that stopped the list) or
/// the end of the template.
fn items(
    pieces: &[Piece],
    at: &mut usize,
    defines: &mut Vec<(String, Vec<Item>)>,
) -> Result<(Vec<Item>, Option<String>), Error> {
    let mut out = Vec::new();
    while *at < pieces.len() {
        let piece = &pieces[*at];
        *at += 1;
        let (toks, range) = match piece {
            Piece::Text(r) => {
                out.push(Item::Text(r.clone()));
                continue;
            }
            Piece::Action(toks, r) => (toks, r.clone()),
        };
        let keyword = match toks.first() {
            Some(Tok::Word(w)) => w.as_str(),
            _ => "",
        };
        match keyword {
            "end" => return Ok((out, Some("end".into()))),
            // The caller reads the `else` action again (`else if …`) by its index.
            "else" => return Ok((out, Some(format!("else#{}", *at - 1)))),
            "if" | "with" => {
                let mut branches = vec![(pipe(&toks[1..])?, Vec::new())];
                let mut otherwise = Vec::new();
                loop {
                    let (body, end) = items(pieces, at, defines)?;
                    let last = branches.len() - 1;
                    branches[last].1 = body;
                    match end.as_deref() {
                        Some("end") => break,
                        Some(e) if e.starts_with("else#") => {
                            let idx: usize = e[5..].parse().unwrap_or(0);
                            let Piece::Action(else_toks, _) = &pieces[idx] else {
                                unreachable!()
                            };
                            // `else if …` / `else with …` continue the chain.
                            if matches!(else_toks.get(1), Some(Tok::Word(w)) if w == keyword) {
                                branches.push((pipe(&else_toks[2..])?, Vec::new()));
                                continue;
                            }
                            let (body, end) = items(pieces, at, defines)?;
                            if end.as_deref() != Some("end") {
                                return Err(Error(format!("`{keyword}` without its end")));
                            }
                            otherwise = body;
                            break;
                        }
                        _ => return Err(Error(format!("`{keyword}` without its end"))),
                    }
                }
                out.push(if keyword == "if" {
                    Item::If(branches, otherwise)
                } else {
                    Item::With(branches, otherwise)
                });
            }
            "range" => {
                let p = pipe(&toks[1..])?;
                let (body, end) = items(pieces, at, defines)?;
                let otherwise = match end.as_deref() {
                    Some("end") => Vec::new(),
                    Some(e) if e.starts_with("else") => {
                        let (otherwise, end) = items(pieces, at, defines)?;
                        if end.as_deref() != Some("end") {
                            return Err(Error("`range` without its end".into()));
                        }
                        otherwise
                    }
                    _ => return Err(Error("`range` without its end".into())),
                };
                out.push(Item::Range(p, body, otherwise));
            }
            "define" | "block" => {
                let Some(Tok::Str(name)) = toks.get(1) else {
                    return Err(Error("`define` without a name".into()));
                };
                let (body, end) = items(pieces, at, defines)?;
                if end.as_deref() != Some("end") {
                    return Err(Error("`define` without its end".into()));
                }
                if keyword == "block" {
                    let p = if toks.len() > 2 {
                        Some(pipe(&toks[2..])?)
                    } else {
                        None
                    };
                    out.push(Item::Template(name.clone(), p, range));
                }
                defines.push((name.clone(), body));
            }
            "template" => {
                let Some(Tok::Str(name)) = toks.get(1) else {
                    return Err(Error("`template` without a name".into()));
                };
                let p = if toks.len() > 2 {
                    Some(pipe(&toks[2..])?)
                } else {
                    None
                };
                out.push(Item::Template(name.clone(), p, range));
            }
            "break" => out.push(Item::Break),
            "continue" => out.push(Item::Continue),
            _ => out.push(Item::Action(pipe(toks)?, range)),
        }
    }
    Ok((out, None))
}

fn pipe(toks: &[Tok]) -> Result<Pipe, Error> {
    let mut p = Pipe::default();
    let mut rest = toks;
    // `$x :=` / `$k, $v :=` / `$x =`
    if let Some(pos) = toks
        .iter()
        .position(|t| matches!(t, Tok::Declare | Tok::Assign))
    {
        let head = &toks[..pos];
        let vars: Vec<String> = head
            .iter()
            .filter_map(|t| match t {
                Tok::Word(w) if w.starts_with('$') => Some(w.clone()),
                _ => None,
            })
            .collect();
        if !vars.is_empty()
            && head
                .iter()
                .all(|t| matches!(t, Tok::Word(w) if w.starts_with('$')) || *t == Tok::Comma)
        {
            p.vars = vars;
            p.assign = toks[pos] == Tok::Assign;
            rest = &toks[pos + 1..];
        }
    }
    let mut i = 0;
    let mut cmd = Vec::new();
    while i < rest.len() {
        match &rest[i] {
            Tok::Bar => {
                p.cmds.push(std::mem::take(&mut cmd));
                i += 1;
            }
            _ => {
                let (arg, next) = arg(rest, i)?;
                cmd.push(arg);
                i = next;
            }
        }
    }
    if !cmd.is_empty() {
        p.cmds.push(cmd);
    }
    if p.cmds.is_empty() {
        return Err(Error("an empty pipeline".into()));
    }
    Ok(p)
}

fn arg(toks: &[Tok], i: usize) -> Result<(Arg, usize), Error> {
    match &toks[i] {
        Tok::Open => {
            let mut depth = 0;
            let mut j = i;
            while j < toks.len() {
                match toks[j] {
                    Tok::Open => depth += 1,
                    Tok::Close => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            if j >= toks.len() {
                return Err(Error("unbalanced parentheses".into()));
            }
            let inner = pipe(&toks[i + 1..j])?;
            // `(…).field`: the word right after the parenthesis, glued to it.
            let mut fields = Vec::new();
            let mut next = j + 1;
            if let Some(Tok::Word(w)) = toks.get(j + 1) {
                if w.starts_with('.') && w.len() > 1 {
                    fields = w[1..].split('.').map(str::to_string).collect();
                    next += 1;
                }
            }
            Ok((Arg::Sub(Box::new(inner), fields), next))
        }
        Tok::Str(s) => Ok((Arg::Str(s.clone()), i + 1)),
        Tok::Num(n) => {
            let arg = if let Ok(v) = n.parse::<i64>() {
                Arg::Int(v)
            } else if let Some(hex) = n.strip_prefix("0x") {
                Arg::Int(
                    i64::from_str_radix(hex, 16).map_err(|_| Error(format!("bad number {n}")))?,
                )
            } else {
                Arg::Float(n.parse().map_err(|_| Error(format!("bad number {n}")))?)
            };
            Ok((arg, i + 1))
        }
        Tok::Word(w) => {
            let arg = match w.as_str() {
                "." => Arg::Dot,
                "true" => Arg::Bool(true),
                "false" => Arg::Bool(false),
                "nil" => Arg::Nil,
                w if w.starts_with('.') => {
                    Arg::Field(w[1..].split('.').map(str::to_string).collect())
                }
                w if w.starts_with('$') => {
                    let mut parts = w.split('.');
                    let name = parts.next().unwrap_or("$").to_string();
                    Arg::Var(name, parts.map(str::to_string).collect())
                }
                w => Arg::Ident(w.to_string()),
            };
            Ok((arg, i + 1))
        }
        other => Err(Error(format!("unexpected {other:?} in a pipeline"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_nests() {
        let t = parse("a:\n  {{- if .Values.x }}\n  b: {{ .Values.y | quote }}\n  {{- else }}\n  c: 1\n  {{- end }}\n").unwrap();
        assert_eq!(t.items.len(), 3);
        let Item::If(branches, otherwise) = &t.items[1] else {
            panic!("{:?}", t.items)
        };
        assert_eq!(branches.len(), 1);
        assert_eq!(otherwise.len(), 1);
    }

    #[test]
    fn defines_and_comments() {
        let t = parse("{{/* c */}}{{- define \"x\" -}}v{{- end -}}{{ include \"x\" . }}").unwrap();
        assert_eq!(t.defines.len(), 1);
        assert_eq!(t.items.len(), 1);
    }

    #[test]
    fn unclosed_is_an_error() {
        assert!(parse("{{ if .x }}a").is_err());
        assert!(parse("{{ .x ").is_err());
    }
}
