//! Rendering a chart's templates with its values, as `helm template` would, for the
//! subset of Go templates and Helm functions charts about Redis use. Every piece of the
//! output remembers where it came from: the template's own text, or the values line
//! whose scalar it prints, so findings in the rendered YAML point at the lines a user
//! edits. A template that uses something this renderer does not know is not rendered
//! (never guessed).

use crate::syntax::gotemplate::{self, Arg, Item, Pipe};
use crate::syntax::yaml::{self, Kind, Node, Style};
use std::collections::HashMap;
use std::ops::Range;

/// Where a piece of rendered text comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Src {
    /// The template's text (or an action of it), by byte range.
    Template(usize, usize),
    /// A values scalar: (layer of the values files, 0 = the top one; byte range).
    Value(u8, usize, usize),
}

/// Rendered text with the source of its pieces; text no piece covers has none.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub text: String,
    pub pieces: Vec<(Range<usize>, Src)>,
}

impl Rendered {
    fn plain(text: String) -> Rendered {
        Rendered {
            text,
            pieces: Vec::new(),
        }
    }

    fn push(&mut self, other: &Rendered) {
        let at = self.text.len();
        self.text.push_str(&other.text);
        self.pieces.extend(
            other
                .pieces
                .iter()
                .map(|(r, s)| (r.start + at..r.end + at, *s)),
        );
    }

    fn push_from(&mut self, text: &str, src: Src) {
        let at = self.text.len();
        self.text.push_str(text);
        if !text.is_empty() {
            self.pieces.push((at..at + text.len(), src));
        }
    }

    /// `indent`: every line prefixed, pieces moved with their text.
    fn indented(&self, by: usize, newline_first: bool) -> Rendered {
        let pad = " ".repeat(by);
        let mut out = Rendered::default();
        if newline_first {
            out.text.push('\n');
        }
        // Old offset → new offset, computed as the text is copied.
        let mut map = Vec::with_capacity(self.text.len() + 1);
        out.text.push_str(&pad);
        for (i, c) in self.text.char_indices() {
            while map.len() <= i {
                map.push(out.text.len());
            }
            out.text.push(c);
            if c == '\n' {
                out.text.push_str(&pad);
            }
        }
        while map.len() <= self.text.len() {
            map.push(out.text.len());
        }
        out.pieces = self
            .pieces
            .iter()
            .map(|(r, s)| (map[r.start]..map[r.end], *s))
            .collect();
        out
    }

    /// The source of the piece at `offset` of the text.
    pub fn source_at(&self, offset: usize) -> Option<(Range<usize>, Src)> {
        let i = self.pieces.partition_point(|(r, _)| r.end <= offset);
        self.pieces
            .get(i)
            .filter(|(r, _)| r.start <= offset)
            .map(|(r, s)| (r.clone(), *s))
    }
}

/// A value during rendering.
#[derive(Debug, Clone)]
enum Val<'a> {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rendered),
    List(Vec<Val<'a>>),
    Map(Vec<(String, Val<'a>)>),
    Node(&'a Node),
}

#[derive(Debug)]
pub struct Unsupported(pub String);

type R<T> = Result<T, Unsupported>;

fn unsupported<T>(what: impl Into<String>) -> R<T> {
    Err(Unsupported(what.into()))
}

/// What a chart offers every template: its values, the chart, the release, and the
/// named templates of all its files.
pub struct Chart<'a> {
    pub values: &'a Node,
    pub name: String,
    pub version: String,
    pub app_version: String,
    pub release: String,
    pub namespace: String,
    pub defines: HashMap<String, (&'a [Item], &'a str)>,
}

/// The templates of a chart parsed once: (template text, parse).
pub fn parse_all(texts: &[(String, String)]) -> Vec<Option<gotemplate::Template>> {
    texts
        .iter()
        .map(|(_, text)| gotemplate::parse(text).ok())
        .collect()
}

/// Renders one template (`items` of `text`) of `chart`.
pub fn render(chart: &Chart, items: &[Item], text: &str, path: &str) -> R<Rendered> {
    let root = root(chart, path);
    let mut st = State {
        chart,
        vars: vec![("$".to_string(), root.clone())],
        depth: 0,
        steps: 0,
    };
    let mut out = Rendered::default();
    match st.items(items, text, &root, &mut out)? {
        Flow::Normal => Ok(out),
        _ => unsupported("break outside range"),
    }
}

fn root<'a>(chart: &Chart<'a>, path: &str) -> Val<'a> {
    let s = |v: &str| Val::Str(Rendered::plain(v.to_string()));
    Val::Map(vec![
        ("Values".into(), Val::Node(chart.values)),
        (
            "Release".into(),
            Val::Map(vec![
                ("Name".into(), s(&chart.release)),
                ("Namespace".into(), s(&chart.namespace)),
                ("Service".into(), s("Helm")),
                ("IsInstall".into(), Val::Bool(true)),
                ("IsUpgrade".into(), Val::Bool(false)),
                ("Revision".into(), Val::Int(1)),
            ]),
        ),
        (
            "Chart".into(),
            Val::Map(vec![
                ("Name".into(), s(&chart.name)),
                ("Version".into(), s(&chart.version)),
                ("AppVersion".into(), s(&chart.app_version)),
            ]),
        ),
        (
            "Capabilities".into(),
            Val::Map(vec![
                (
                    "KubeVersion".into(),
                    Val::Map(vec![
                        ("Version".into(), s("v1.31.0")),
                        ("GitVersion".into(), s("v1.31.0")),
                        ("Major".into(), s("1")),
                        ("Minor".into(), s("31")),
                    ]),
                ),
                ("APIVersions".into(), Val::List(Vec::new())),
            ]),
        ),
        (
            "Template".into(),
            Val::Map(vec![
                ("Name".into(), s(path)),
                ("BasePath".into(), s("templates")),
            ]),
        ),
        ("Files".into(), Val::Map(Vec::new())),
    ])
}

enum Flow {
    Normal,
    Break,
    Continue,
}

struct State<'c, 'a> {
    chart: &'c Chart<'a>,
    vars: Vec<(String, Val<'a>)>,
    depth: usize,
    steps: usize,
}

impl<'a> State<'_, 'a> {
    fn items(
        &mut self,
        items: &'a [Item],
        text: &'a str,
        dot: &Val<'a>,
        out: &mut Rendered,
    ) -> R<Flow> {
        for item in items {
            self.steps += 1;
            if self.steps > 200_000 || out.text.len() > 4 << 20 {
                return unsupported("output too large");
            }
            match item {
                Item::Text(r) => out.push_from(&text[r.clone()], Src::Template(r.start, r.end)),
                Item::Action(p, at) => {
                    let v = self.pipe(p, dot, text)?;
                    if p.vars.is_empty() {
                        let piece = to_text(&v)?;
                        let start = out.text.len();
                        out.push(&piece);
                        // What no value covers is the action's own doing.
                        fill(out, start, Src::Template(at.start, at.end));
                    }
                }
                Item::If(branches, otherwise) | Item::With(branches, otherwise) => {
                    let with = matches!(item, Item::With(..));
                    let mark = self.vars.len();
                    let mut taken = false;
                    for (cond, body) in branches {
                        let v = self.pipe(cond, dot, text)?;
                        if truthy(&v) {
                            let inner = if with { v } else { dot.clone() };
                            let flow = self.items(body, text, &inner, out)?;
                            self.vars.truncate(mark);
                            if !matches!(flow, Flow::Normal) {
                                return Ok(flow);
                            }
                            taken = true;
                            break;
                        }
                    }
                    if !taken {
                        let flow = self.items(otherwise, text, dot, out)?;
                        self.vars.truncate(mark);
                        if !matches!(flow, Flow::Normal) {
                            return Ok(flow);
                        }
                    }
                    self.vars.truncate(mark);
                }
                Item::Range(p, body, otherwise) => {
                    let mut decl = p.clone();
                    let names = std::mem::take(&mut decl.vars);
                    let v = self.pipe(&decl, dot, text)?;
                    let entries: Vec<(Val<'a>, Val<'a>)> = match &v {
                        Val::List(items) => items
                            .iter()
                            .enumerate()
                            .map(|(i, x)| (Val::Int(i as i64), x.clone()))
                            .collect(),
                        Val::Int(n) if *n <= 10_000 => {
                            (0..*n).map(|i| (Val::Int(i), Val::Int(i))).collect()
                        }
                        Val::Map(m) => {
                            let mut m = m.clone();
                            m.sort_by(|a, b| a.0.cmp(&b.0));
                            m.into_iter().map(|(k, v)| (str_val(&k), v)).collect()
                        }
                        Val::Node(n) => match &n.kind {
                            Kind::Seq(items) => items
                                .iter()
                                .enumerate()
                                .map(|(i, x)| (Val::Int(i as i64), Val::Node(x)))
                                .collect(),
                            Kind::Map(entries) => {
                                let mut e: Vec<(String, &'a Node)> = entries
                                    .iter()
                                    .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v)))
                                    .collect();
                                e.sort_by(|a, b| a.0.cmp(&b.0));
                                e.into_iter()
                                    .map(|(k, v)| (str_val(&k), Val::Node(v)))
                                    .collect()
                            }
                            _ if scalar(n).is_none() => Vec::new(),
                            _ => return unsupported("range over a scalar"),
                        },
                        Val::Nil => Vec::new(),
                        _ => return unsupported("range over a scalar"),
                    };
                    if entries.is_empty() {
                        self.items(otherwise, text, dot, out)?;
                        continue;
                    }
                    for (k, v) in entries {
                        let mark = self.vars.len();
                        match names.as_slice() {
                            [one] => self.vars.push((one.clone(), v.clone())),
                            [key, value] => {
                                self.vars.push((key.clone(), k));
                                self.vars.push((value.clone(), v.clone()));
                            }
                            _ => {}
                        }
                        let flow = self.items(body, text, &v, out)?;
                        self.vars.truncate(mark);
                        if matches!(flow, Flow::Break) {
                            break;
                        }
                    }
                }
                Item::Template(name, p, at) => {
                    let arg = match p {
                        Some(p) => self.pipe(p, dot, text)?,
                        None => Val::Nil,
                    };
                    let piece = self.include(name, arg)?;
                    let start = out.text.len();
                    out.push(&piece);
                    fill(out, start, Src::Template(at.start, at.end));
                }
                Item::Break => return Ok(Flow::Break),
                Item::Continue => return Ok(Flow::Continue),
            }
        }
        Ok(Flow::Normal)
    }

    fn include(&mut self, name: &str, dot: Val<'a>) -> R<Rendered> {
        // A helper whose file is not in the tree (only some of a chart's files were
        // copied) prints nothing: labels and name prefixes are not what the rules read.
        let Some((items, text)) = self.chart.defines.get(name).copied() else {
            return Ok(Rendered::default());
        };
        if self.depth > 24 {
            return unsupported("templates nested too deep");
        }
        self.depth += 1;
        // A named template sees only `$` of its own: the dot it is given.
        let saved = std::mem::replace(&mut self.vars, vec![("$".to_string(), dot.clone())]);
        let mut out = Rendered::default();
        let result = self.items(items, text, &dot, &mut out);
        self.vars = saved;
        self.depth -= 1;
        result?;
        // Text of another file: where it is used is what the reader sees.
        out.pieces.retain(|(_, s)| matches!(s, Src::Value(..)));
        Ok(out)
    }

    fn pipe(&mut self, p: &Pipe, dot: &Val<'a>, text: &'a str) -> R<Val<'a>> {
        let mut last: Option<Val<'a>> = None;
        for cmd in &p.cmds {
            last = Some(self.command(cmd, dot, text, last)?);
        }
        let v = last.unwrap_or(Val::Nil);
        match p.vars.as_slice() {
            [] => {}
            [one] if p.assign => {
                if let Some(slot) = self.vars.iter_mut().rev().find(|(n, _)| n == one) {
                    slot.1 = v.clone();
                }
            }
            [one] => self.vars.push((one.clone(), v.clone())),
            _ => {}
        }
        Ok(v)
    }

    fn command(
        &mut self,
        cmd: &[Arg],
        dot: &Val<'a>,
        text: &'a str,
        piped: Option<Val<'a>>,
    ) -> R<Val<'a>> {
        let Some(first) = cmd.first() else {
            return unsupported("empty command");
        };
        if let Arg::Ident(name) = first {
            let mut args = Vec::with_capacity(cmd.len());
            // `include` and friends need their arguments evaluated like any other.
            for a in &cmd[1..] {
                args.push(self.arg(a, dot, text)?);
            }
            if let Some(p) = piped {
                args.push(p);
            }
            return self.call(name, args, text);
        }
        // `.Files.Get "x"`, `.Capabilities.APIVersions.Has "x"`: methods.
        if let Arg::Field(path) = first {
            if cmd.len() > 1 || piped.is_some() {
                return match path.last().map(String::as_str) {
                    Some("Has") => Ok(Val::Bool(false)),
                    Some("Get" | "Glob" | "AsConfig" | "AsSecrets") => {
                        Ok(Val::Str(Rendered::default()))
                    }
                    _ => unsupported(format!("method .{}", path.join("."))),
                };
            }
        }
        if cmd.len() > 1 || piped.is_some() {
            return unsupported("arguments to a value");
        }
        self.arg(first, dot, text)
    }

    fn arg(&mut self, a: &Arg, dot: &Val<'a>, text: &'a str) -> R<Val<'a>> {
        Ok(match a {
            Arg::Dot => dot.clone(),
            Arg::Field(path) => fields(dot.clone(), path),
            Arg::Var(name, path) => {
                let Some((_, v)) = self.vars.iter().rev().find(|(n, _)| n == name) else {
                    return unsupported(format!("undefined variable {name}"));
                };
                fields(v.clone(), path)
            }
            Arg::Ident(name) => self.call(name, Vec::new(), text)?,
            Arg::Str(s) => str_val(s),
            Arg::Int(i) => Val::Int(*i),
            Arg::Float(f) => Val::Float(*f),
            Arg::Bool(b) => Val::Bool(*b),
            Arg::Nil => Val::Nil,
            Arg::Sub(p, path) => {
                let v = self.pipe(p, dot, text)?;
                fields(v, path)
            }
        })
    }

    fn call(&mut self, name: &str, args: Vec<Val<'a>>, _text: &'a str) -> R<Val<'a>> {
        let arg = |i: usize| args.get(i).cloned().unwrap_or(Val::Nil);
        let last = || args.last().cloned().unwrap_or(Val::Nil);
        let text_of = |v: &Val<'a>| to_text(v).map(|r| r.text);
        Ok(match name {
            "include" => {
                let n = text_of(&arg(0))?;
                Val::Str(self.include(&n, arg(1))?)
            }
            "tpl" => {
                let t = to_text(&arg(0))?;
                if t.text.contains("{{") {
                    return unsupported("tpl of a template");
                }
                Val::Str(t)
            }
            "default" => {
                if args.len() > 1 && truthy(&last()) {
                    last()
                } else {
                    arg(0)
                }
            }
            "required" => {
                let v = last();
                if matches!(v, Val::Nil) {
                    return unsupported("a required value is missing");
                }
                v
            }
            "fail" => return unsupported("the chart fails"),
            "coalesce" => args.iter().find(|v| truthy(v)).cloned().unwrap_or(Val::Nil),
            "ternary" => {
                if truthy(&arg(2)) {
                    arg(0)
                } else {
                    arg(1)
                }
            }
            "empty" => Val::Bool(!truthy(&arg(0))),
            "not" => Val::Bool(!truthy(&arg(0))),
            "and" => args
                .iter()
                .find(|v| !truthy(v))
                .cloned()
                .unwrap_or_else(last),
            "or" => args
                .iter()
                .find(|v| truthy(v))
                .cloned()
                .unwrap_or_else(last),
            "eq" => {
                let a = cmp_key(&arg(0));
                Val::Bool(args[1..].iter().any(|b| cmp_key(b) == a))
            }
            "ne" => Val::Bool(cmp_key(&arg(0)) != cmp_key(&arg(1))),
            "lt" | "le" | "gt" | "ge" => {
                let (a, b) = (number(&arg(0)), number(&arg(1)));
                let (Some(a), Some(b)) = (a, b) else {
                    return unsupported("comparison of non-numbers");
                };
                Val::Bool(match name {
                    "lt" => a < b,
                    "le" => a <= b,
                    "gt" => a > b,
                    _ => a >= b,
                })
            }
            "quote" | "squote" => {
                let q = if name == "quote" { "\"" } else { "'" };
                let mut out = Rendered::default();
                for (i, v) in args.iter().enumerate() {
                    if i > 0 {
                        out.text.push(' ');
                    }
                    out.text.push_str(q);
                    if !matches!(v, Val::Nil) {
                        let t = to_text(v)?;
                        if name == "quote" && t.text.contains(['"', '\\']) {
                            out.text
                                .push_str(&t.text.replace('\\', "\\\\").replace('"', "\\\""));
                        } else {
                            out.push(&t);
                        }
                    }
                    out.text.push_str(q);
                }
                Val::Str(out)
            }
            "toString" | "toYaml" | "toJson" | "toPrettyJson" | "toRawJson" => {
                if name == "toString" {
                    Val::Str(to_text(&arg(0))?)
                } else if name == "toYaml" {
                    let mut out = Rendered::default();
                    to_yaml(&arg(0), 0, &mut out)?;
                    while out.text.ends_with('\n') {
                        out.text.pop();
                    }
                    let len = out.text.len();
                    for (r, _) in &mut out.pieces {
                        r.end = r.end.min(len);
                    }
                    Val::Str(out)
                } else {
                    let mut out = String::new();
                    to_json(&arg(0), &mut out)?;
                    Val::Str(Rendered::plain(out))
                }
            }
            "nindent" | "indent" => {
                let n = number(&arg(0)).unwrap_or(0.0) as usize;
                if n > 256 {
                    return unsupported("an indent too wide");
                }
                let t = to_text(&arg(1))?;
                Val::Str(t.indented(n, name == "nindent"))
            }
            "upper" | "lower" | "title" | "trim" | "trimAll" | "untitle" => {
                let v = if name == "trimAll" { arg(1) } else { arg(0) };
                let t = to_text(&v)?;
                let changed = match name {
                    "upper" => t.text.to_uppercase(),
                    "lower" => t.text.to_lowercase(),
                    "trim" => t.text.trim().to_string(),
                    "trimAll" => {
                        let cut = text_of(&arg(0))?;
                        t.text.trim_matches(|c| cut.contains(c)).to_string()
                    }
                    _ => t.text.clone(),
                };
                keep_src(&t, changed)
            }
            "trimSuffix" | "trimPrefix" => {
                let cut = text_of(&arg(0))?;
                let t = to_text(&arg(1))?;
                let changed = if name == "trimSuffix" {
                    t.text
                        .strip_suffix(cut.as_str())
                        .unwrap_or(&t.text)
                        .to_string()
                } else {
                    t.text
                        .strip_prefix(cut.as_str())
                        .unwrap_or(&t.text)
                        .to_string()
                };
                keep_src(&t, changed)
            }
            "trunc" => {
                let n = number(&arg(0)).unwrap_or(0.0) as usize;
                let t = to_text(&arg(1))?;
                let changed: String = t.text.chars().take(n).collect();
                keep_src(&t, changed)
            }
            "replace" => {
                let (from, to) = (text_of(&arg(0))?, text_of(&arg(1))?);
                let t = to_text(&arg(2))?;
                let changed = t.text.replace(&from, &to);
                keep_src(&t, changed)
            }
            "contains" => Val::Bool(text_of(&arg(1))?.contains(&text_of(&arg(0))?)),
            "hasPrefix" => Val::Bool(text_of(&arg(1))?.starts_with(&text_of(&arg(0))?)),
            "hasSuffix" => Val::Bool(text_of(&arg(1))?.ends_with(&text_of(&arg(0))?)),
            "printf" => {
                let f = text_of(&arg(0))?;
                Val::Str(Rendered::plain(printf(&f, &args[1.min(args.len())..])?))
            }
            "print" => {
                let mut s = String::new();
                for a in &args {
                    s.push_str(&text_of(a)?);
                }
                Val::Str(Rendered::plain(s))
            }
            "int" | "int64" | "atoi" => match number(&arg(0)) {
                Some(n) => Val::Int(n as i64),
                None => Val::Int(0),
            },
            "float64" => Val::Float(number(&arg(0)).unwrap_or(0.0)),
            "add" | "add1" | "sub" | "mul" | "div" | "mod" | "max" | "min" => {
                let nums: Vec<i64> = args
                    .iter()
                    .map(|a| number(a).unwrap_or(0.0) as i64)
                    .collect();
                Val::Int(match name {
                    "add" => nums.iter().sum(),
                    "add1" => nums.first().copied().unwrap_or(0) + 1,
                    "sub" => nums.first().copied().unwrap_or(0) - nums.get(1).copied().unwrap_or(0),
                    "mul" => nums.iter().product(),
                    "div" => {
                        nums.first().copied().unwrap_or(0)
                            / nums.get(1).copied().filter(|d| *d != 0).unwrap_or(1)
                    }
                    "mod" => {
                        nums.first().copied().unwrap_or(0)
                            % nums.get(1).copied().filter(|d| *d != 0).unwrap_or(1)
                    }
                    "max" => nums.iter().copied().max().unwrap_or(0),
                    _ => nums.iter().copied().min().unwrap_or(0),
                })
            }
            "until" => {
                let n = number(&arg(0)).unwrap_or(0.0) as i64;
                if n > 10_000 {
                    return unsupported("a range too long");
                }
                Val::List((0..n).map(Val::Int).collect())
            }
            "list" | "tuple" => Val::List(args),
            "dict" => {
                let mut m = Vec::new();
                for pair in args.chunks(2) {
                    m.push((text_of(&pair[0])?, pair.get(1).cloned().unwrap_or(Val::Nil)));
                }
                Val::Map(m)
            }
            "get" => fields(arg(0), &[text_of(&arg(1))?]),
            "index" => {
                let mut v = arg(0);
                for k in &args[1..] {
                    v = match (&v, k) {
                        (_, Val::Int(i)) => item(&v, *i as usize),
                        _ => fields(v.clone(), &[text_of(k)?]),
                    };
                }
                v
            }
            "hasKey" => Val::Bool(!matches!(fields(arg(0), &[text_of(&arg(1))?]), Val::Nil)),
            "len" => Val::Int(match arg(0) {
                Val::List(l) => l.len() as i64,
                Val::Map(m) => m.len() as i64,
                Val::Node(n) => match &n.kind {
                    Kind::Seq(s) => s.len() as i64,
                    Kind::Map(m) => m.len() as i64,
                    _ => n.as_str().map_or(0, str::len) as i64,
                },
                other => text_of(&other)?.len() as i64,
            }),
            "first" => item(&arg(0), 0),
            "join" => {
                let sep = text_of(&arg(0))?;
                let parts: Vec<String> = list(&arg(1)).iter().map(text_of).collect::<R<_>>()?;
                Val::Str(Rendered::plain(parts.join(&sep)))
            }
            "splitList" => {
                let sep = text_of(&arg(0))?;
                let s = text_of(&arg(1))?;
                Val::List(s.split(sep.as_str()).map(str_val).collect())
            }
            "kindIs" => {
                let kind = text_of(&arg(0))?;
                Val::Bool(kind_of(&arg(1)) == kind)
            }
            "typeOf" | "kindOf" => str_val(kind_of(&arg(0))),
            "b64enc" => Val::Str(Rendered::plain(base64(text_of(&arg(0))?.as_bytes()))),
            "sha256sum" | "sha1sum" => str_val(&"0".repeat(64)),
            "randAlphaNum" | "randAlpha" | "randNumeric" | "randAscii" => {
                str_val(&"x".repeat((number(&arg(0)).unwrap_or(8.0) as usize).min(256)))
            }
            "uuidv4" => str_val("00000000-0000-4000-8000-000000000000"),
            "semverCompare" => Val::Bool(true),
            "lookup" => Val::Map(Vec::new()),
            "toStrings" => Val::List(
                list(&arg(0))
                    .iter()
                    .map(|v| text_of(v).map(|t| str_val(&t)))
                    .collect::<R<_>>()?,
            ),
            "deepCopy" => arg(0),
            _ => return unsupported(format!("function {name}")),
        })
    }
}

/// The pieces not already traced to a value, from `start` on, are `src`'s.
fn fill(out: &mut Rendered, start: usize, src: Src) {
    let end = out.text.len();
    let mut gaps = Vec::new();
    let mut at = start;
    for (r, _) in out.pieces.iter().filter(|(r, _)| r.start >= start) {
        if r.start > at {
            gaps.push(at..r.start);
        }
        at = at.max(r.end);
    }
    if at < end {
        gaps.push(at..end);
    }
    for g in gaps {
        out.pieces.push((g, src));
    }
    out.pieces.sort_by_key(|(r, _)| r.start);
}

/// A changed string keeps the source of the one it came from (a trimmed value is still
/// that value).
fn keep_src<'a>(from: &Rendered, text: String) -> Val<'a> {
    let src = from.pieces.first().map(|(_, s)| *s);
    let mut out = Rendered::default();
    match src {
        Some(s) if from.pieces.len() == 1 => out.push_from(&text, s),
        _ => out.text = text,
    }
    Val::Str(out)
}

fn str_val<'a>(s: &str) -> Val<'a> {
    Val::Str(Rendered::plain(s.to_string()))
}

/// The typed value of a scalar node, as Helm reads values (YAML 1.1-ish plain scalars).
fn scalar(n: &Node) -> Option<Val<'static>> {
    let Kind::Scalar { value, style, .. } = &n.kind else {
        return None;
    };
    let v = value.as_str();
    if *style != Style::Plain {
        return Some(str_val(v));
    }
    Some(match v {
        "" | "~" | "null" | "Null" | "NULL" => Val::Nil,
        "true" | "True" | "TRUE" => Val::Bool(true),
        "false" | "False" | "FALSE" => Val::Bool(false),
        _ => {
            if let Ok(i) = v.parse::<i64>() {
                Val::Int(i)
            } else if let Ok(f) = v.parse::<f64>() {
                if v.chars().any(|c| c.is_ascii_digit()) && !v.contains(['e', 'E']) {
                    Val::Float(f)
                } else {
                    str_val(v)
                }
            } else {
                str_val(v)
            }
        }
    })
}

fn truthy(v: &Val) -> bool {
    match v {
        Val::Nil => false,
        Val::Bool(b) => *b,
        Val::Int(i) => *i != 0,
        Val::Float(f) => *f != 0.0,
        Val::Str(s) => !s.text.is_empty(),
        Val::List(l) => !l.is_empty(),
        Val::Map(m) => !m.is_empty(),
        Val::Node(n) => match &n.kind {
            Kind::Seq(s) => !s.is_empty(),
            Kind::Map(m) => !m.is_empty(),
            _ => scalar(n).is_some_and(|v| truthy(&v)),
        },
    }
}

fn fields<'a>(mut v: Val<'a>, path: &[String]) -> Val<'a> {
    for key in path {
        v = match v {
            Val::Map(m) => m
                .into_iter()
                .find(|(k, _)| k == key)
                .map_or(Val::Nil, |(_, v)| v),
            Val::Node(n) => n.get(key).map_or(Val::Nil, Val::Node),
            _ => Val::Nil,
        };
    }
    v
}

fn item<'a>(v: &Val<'a>, i: usize) -> Val<'a> {
    match v {
        Val::List(l) => l.get(i).cloned().unwrap_or(Val::Nil),
        Val::Node(n) => n
            .as_seq()
            .and_then(|s| s.get(i))
            .map_or(Val::Nil, Val::Node),
        _ => Val::Nil,
    }
}

fn list<'a>(v: &Val<'a>) -> Vec<Val<'a>> {
    match v {
        Val::List(l) => l.clone(),
        Val::Node(n) => n
            .as_seq()
            .map(|s| s.iter().map(Val::Node).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

fn kind_of(v: &Val) -> &'static str {
    match v {
        Val::Nil => "invalid",
        Val::Bool(_) => "bool",
        Val::Int(_) => "int64",
        Val::Float(_) => "float64",
        Val::Str(_) => "string",
        Val::List(_) => "slice",
        Val::Map(_) => "map",
        Val::Node(n) => match &n.kind {
            Kind::Seq(_) => "slice",
            Kind::Map(_) => "map",
            _ => scalar(n).map_or("invalid", |s| kind_of(&s)),
        },
    }
}

fn number(v: &Val) -> Option<f64> {
    match v {
        Val::Int(i) => Some(*i as f64),
        Val::Float(f) => Some(*f),
        Val::Bool(b) => Some(f64::from(u8::from(*b))),
        Val::Str(s) => s.text.trim().parse().ok(),
        Val::Node(n) => scalar(n).and_then(|s| number(&s)),
        _ => None,
    }
}

/// What `eq` compares: scalars by their text, numbers by value.
fn cmp_key(v: &Val) -> String {
    match v {
        Val::Node(n) => scalar(n).map_or_else(|| "<composite>".into(), |s| cmp_key(&s)),
        Val::Int(i) => i.to_string(),
        Val::Float(f) => f.to_string(),
        Val::Bool(b) => b.to_string(),
        Val::Nil => "<nil>".into(),
        Val::Str(s) => format!("s:{}", s.text),
        _ => "<composite>".into(),
    }
}

/// The text an action prints for a value.
fn to_text(v: &Val) -> R<Rendered> {
    Ok(match v {
        Val::Nil => Rendered::default(),
        Val::Bool(b) => Rendered::plain(b.to_string()),
        Val::Int(i) => Rendered::plain(i.to_string()),
        Val::Float(f) => Rendered::plain(f.to_string()),
        Val::Str(s) => s.clone(),
        Val::Node(n) => match &n.kind {
            Kind::Scalar { value, .. } => {
                let mut out = Rendered::default();
                let text = match scalar(n) {
                    Some(Val::Nil) => String::new(),
                    _ => value.to_string(),
                };
                out.push_from(&text, Src::Value(n.layer, n.span.start, n.span.end));
                out
            }
            Kind::Seq(_) => go_list(v)?,
            _ => return unsupported("printing a map"),
        },
        Val::List(_) => go_list(v)?,
        Val::Map(_) => return unsupported("printing a map"),
    })
}

/// A list printed as Go's `fmt` prints a slice: `[a b c]` (`accessModes: {{ .Values.x }}`
/// renders the flow sequence `[ReadWriteOnce]`). Lists of lists or maps are not followed.
fn go_list(v: &Val) -> R<Rendered> {
    let mut out = Rendered::plain("[".to_string());
    for (i, item) in list(v).iter().enumerate() {
        if is_composite(item) {
            return unsupported("printing a list of maps or lists");
        }
        if i > 0 {
            out.text.push(' ');
        }
        match item {
            Val::Nil => out.text.push_str("<nil>"),
            _ => out.push(&to_text(item)?),
        }
    }
    out.text.push(']');
    Ok(out)
}

/// `toYaml`: block style, two-space indents, each scalar traced to its value.
fn to_yaml(v: &Val, indent: usize, out: &mut Rendered) -> R<()> {
    let pad = " ".repeat(indent);
    let entries: Vec<(String, Val)> = match v {
        Val::Map(m) => m.clone(),
        Val::Node(n) if matches!(n.kind, Kind::Map(_)) => n
            .entries()
            .filter_map(|(k, v)| Some((k.as_str()?.to_string(), Val::Node(v))))
            .collect(),
        Val::List(_) | Val::Node(_)
            if !list(v).is_empty()
                || matches!(v, Val::Node(n) if matches!(n.kind, Kind::Seq(_))) =>
        {
            let items = list(v);
            if items.is_empty() {
                out.text.push_str("[]\n");
            }
            for x in items {
                out.text.push_str(&pad);
                out.text.push_str("- ");
                if is_composite(&x) && !is_empty_composite(&x) {
                    let mut inner = Rendered::default();
                    to_yaml(&x, indent + 2, &mut inner)?;
                    // The first line goes after the dash.
                    let skip = indent + 2;
                    let trimmed = Rendered {
                        text: inner.text[skip.min(inner.text.len())..].to_string(),
                        pieces: inner
                            .pieces
                            .iter()
                            .filter(|(r, _)| r.start >= skip)
                            .map(|(r, s)| (r.start - skip..r.end - skip, *s))
                            .collect(),
                    };
                    out.push(&trimmed);
                } else {
                    scalar_yaml(&x, out)?;
                    out.text.push('\n');
                }
            }
            return Ok(());
        }
        _ => {
            scalar_yaml(v, out)?;
            out.text.push('\n');
            return Ok(());
        }
    };
    if entries.is_empty() {
        out.text.push_str("{}\n");
    }
    for (k, x) in entries {
        out.text.push_str(&pad);
        out.text.push_str(&yaml_key(&k));
        out.text.push(':');
        if is_composite(&x) && !is_empty_composite(&x) {
            out.text.push('\n');
            let child = if matches!(&x, Val::List(_))
                || matches!(&x, Val::Node(n) if matches!(n.kind, Kind::Seq(_)))
            {
                indent
            } else {
                indent + 2
            };
            to_yaml(&x, child, out)?;
        } else {
            out.text.push(' ');
            scalar_yaml(&x, out)?;
            out.text.push('\n');
        }
    }
    Ok(())
}

fn is_composite(v: &Val) -> bool {
    match v {
        Val::List(_) | Val::Map(_) => true,
        Val::Node(n) => !matches!(n.kind, Kind::Scalar { .. }),
        _ => false,
    }
}

fn is_empty_composite(v: &Val) -> bool {
    match v {
        Val::List(l) => l.is_empty(),
        Val::Map(m) => m.is_empty(),
        Val::Node(n) => match &n.kind {
            Kind::Seq(s) => s.is_empty(),
            Kind::Map(m) => m.is_empty(),
            _ => false,
        },
        _ => false,
    }
}

fn yaml_key(k: &str) -> String {
    if k.is_empty()
        || k.contains([':', '#', '{', '}', '[', ']', ',', '"', '\''])
        || k.starts_with(['-', '*', '&', '!', '|', '>', '%', '@', ' '])
    {
        format!("{k:?}")
    } else {
        k.to_string()
    }
}

fn scalar_yaml(v: &Val, out: &mut Rendered) -> R<()> {
    match v {
        Val::List(l) if l.is_empty() => out.text.push_str("[]"),
        Val::Map(m) if m.is_empty() => out.text.push_str("{}"),
        Val::Node(n) if is_empty_composite(v) => {
            out.text.push_str(if matches!(n.kind, Kind::Seq(_)) {
                "[]"
            } else {
                "{}"
            })
        }
        Val::Nil => out.text.push_str("null"),
        Val::Node(n) => {
            let Kind::Scalar { value, style, .. } = &n.kind else {
                return unsupported("composite as scalar");
            };
            // A quoted "true" or "6379" stays a string; anything YAML would misread is
            // quoted.
            let quoted =
                needs_quotes(value) || (*style != Style::Plain && scalar_looks_typed(value));
            let text = if quoted {
                format!("{:?}", value.as_str())
            } else {
                value.to_string()
            };
            out.push_from(&text, Src::Value(n.layer, n.span.start, n.span.end));
        }
        Val::Str(s) => {
            if needs_quotes(&s.text) || scalar_looks_typed(&s.text) {
                out.text.push_str(&format!("{:?}", s.text));
            } else {
                out.push(s);
            }
        }
        other => out.push(&to_text(other)?),
    }
    Ok(())
}

fn scalar_looks_typed(s: &str) -> bool {
    s.parse::<f64>().is_ok()
        || matches!(
            s,
            "true" | "false" | "null" | "~" | "yes" | "no" | "on" | "off"
        )
}

fn needs_quotes(s: &str) -> bool {
    s.is_empty()
        || s.contains(['\n', '"'])
        || s.contains(": ")
        || s.contains(" #")
        || s.starts_with([
            '-', '*', '&', '!', '|', '>', '%', '@', '{', '[', '\'', '"', '#', '`', ' ',
        ])
        || s.ends_with([' ', ':'])
}

fn to_json(v: &Val, out: &mut String) -> R<()> {
    match v {
        Val::Nil => out.push_str("null"),
        Val::Bool(b) => out.push_str(&b.to_string()),
        Val::Int(i) => out.push_str(&i.to_string()),
        Val::Float(f) => out.push_str(&f.to_string()),
        Val::Str(s) => out.push_str(&format!("{:?}", s.text)),
        Val::List(_) | Val::Map(_) | Val::Node(_) if is_composite(v) => {
            let entries: Option<Vec<(String, Val)>> = match v {
                Val::Map(m) => Some(m.clone()),
                Val::Node(n) if matches!(n.kind, Kind::Map(_)) => Some(
                    n.entries()
                        .filter_map(|(k, v)| Some((k.as_str()?.to_string(), Val::Node(v))))
                        .collect(),
                ),
                _ => None,
            };
            match entries {
                Some(e) => {
                    out.push('{');
                    for (i, (k, x)) in e.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        out.push_str(&format!("{k:?}:"));
                        to_json(x, out)?;
                    }
                    out.push('}');
                }
                None => {
                    out.push('[');
                    for (i, x) in list(v).iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        to_json(x, out)?;
                    }
                    out.push(']');
                }
            }
        }
        Val::Node(n) => match scalar(n) {
            Some(s) => to_json(&s, out)?,
            None => out.push_str("null"),
        },
        _ => out.push_str("null"),
    }
    Ok(())
}

fn printf(f: &str, args: &[Val]) -> R<String> {
    let mut out = String::new();
    let mut args = args.iter();
    let mut chars = f.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        // Flags and width are read and ignored.
        while chars
            .peek()
            .is_some_and(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | ' ' | '0'))
        {
            chars.next();
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some('q') => out.push_str(&format!(
                "{:?}",
                to_text(args.next().unwrap_or(&Val::Nil))?.text
            )),
            Some(_) => out.push_str(&to_text(args.next().unwrap_or(&Val::Nil))?.text),
            None => out.push('%'),
        }
    }
    Ok(out)
}

fn base64(bytes: &[u8]) -> String {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A chart's `Chart.yaml` fields: (name, version, appVersion).
pub fn chart_meta(text: &str) -> (String, String, String) {
    let parsed = yaml::parse(text);
    let doc = parsed.documents.first();
    let get = |k: &str| {
        doc.and_then(|d| d.get(k))
            .and_then(Node::as_str)
            .unwrap_or_default()
            .to_string()
    };
    (get("name"), get("version"), get("appVersion"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_with(template: &str, values: &str) -> Rendered {
        let values = yaml::parse(values);
        let t = gotemplate::parse(template).unwrap();
        let chart = Chart {
            values: &values.documents[0],
            name: "c".into(),
            version: "1.0.0".into(),
            app_version: "7.2".into(),
            release: "release-name".into(),
            namespace: "default".into(),
            defines: t
                .defines
                .iter()
                .map(|(n, items)| (n.clone(), (items.as_slice(), template)))
                .collect(),
        };
        render(&chart, &t.items, template, "templates/x.yaml").unwrap()
    }

    #[test]
    fn values_are_traced_to_their_lines() {
        let values = "sentinel:\n  replicas: 2\n";
        let r = render_with(
            "spec:\n  replicas: {{ .Values.sentinel.replicas }}\n",
            values,
        );
        assert_eq!(r.text, "spec:\n  replicas: 2\n");
        let at = r.text.find('2').unwrap();
        let (_, src) = r.source_at(at).unwrap();
        assert_eq!(
            src,
            Src::Value(0, values.find('2').unwrap(), values.find('2').unwrap() + 1)
        );
    }

    #[test]
    fn control_flow_and_to_yaml() {
        let values = "on: true\nres:\n  limits:\n    memory: 1Gi\nlist: [a, b]\n";
        let t = "{{- if .Values.on }}\nx:\n  {{- with .Values.res }}\n  resources:\n    {{- toYaml . | nindent 4 }}\n  {{- end }}\n{{- range .Values.list }}\n- {{ . | quote }}\n{{- end }}\n{{- end }}\n";
        let r = render_with(t, values);
        assert_eq!(
            r.text,
            "\nx:\n  resources:\n    limits:\n      memory: 1Gi\n- \"a\"\n- \"b\"\n"
        );
        let at = r.text.find("1Gi").unwrap();
        assert!(matches!(r.source_at(at), Some((_, Src::Value(0, _, _)))));
    }

    #[test]
    fn lists_print_as_go_prints_slices() {
        let r = render_with(
            "accessModes: {{ .Values.modes }}\nempty: {{ .Values.none }}\n",
            "modes: [ReadWriteOnce, ReadOnlyMany]\nnone: []\n",
        );
        assert_eq!(
            r.text,
            "accessModes: [ReadWriteOnce ReadOnlyMany]\nempty: []\n"
        );
    }

    #[test]
    fn named_templates_and_defaults() {
        let t = "{{- define \"n\" -}}{{ .Release.Name }}-redis{{- end -}}\nname: {{ include \"n\" . }}\nport: {{ .Values.port | default 6379 }}\n";
        let r = render_with(t, "a: 1\n");
        assert_eq!(r.text, "name: release-name-redis\nport: 6379\n");
    }
}
