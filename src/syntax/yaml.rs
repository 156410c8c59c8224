//! A YAML tree with byte spans on every node, built from saphyr-parser events.
//!
//! Multi-document streams, anchors and aliases (expanded under a node budget, so an
//! alias bomb is an error, not a hang), merge keys (`<<: *a`, `<<: [*a, *b]`, resolved
//! at lookup), scalar style and tag. Scalars can be mapped back to the file byte by
//! byte, so a config embedded in a block scalar gets exact positions.

use compact_str::CompactString;
use saphyr_parser::{Event, Parser, ScalarStyle};
use std::collections::HashMap;
use std::ops::Range;

/// At most this many nodes per file, aliases expanded.
pub const NODE_BUDGET: usize = 200_000;

/// At most this many nested collections (saphyr stops flow collections at 255 levels;
/// block collections have no limit of their own). Manifests nest a few dozen levels.
pub const MAX_DEPTH: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Scalar {
        /// Inline up to 24 bytes: keys and most values need no allocation of their own.
        value: CompactString,
        style: Style,
        tag: Option<String>,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: Kind,
    /// Byte range in the file (for block scalars: the content, after the indicator line).
    pub span: Range<usize>,
    /// Nodes in this subtree, for the alias budget.
    size: usize,
    /// In a tree merged from several files ([`layered`]): which file the node comes from,
    /// 0 for the top file, 1 for the one beneath it.
    pub layer: u8,
}

/// `over` laid on `base`, as Helm merges values files: maps merge key by key, anything
/// else in `over` replaces what `base` has. Nodes that come from `base` go one layer
/// down (layer 1 when `base` is a single file).
pub fn layered(base: &Node, over: &Node) -> Node {
    match (&base.kind, &over.kind) {
        (Kind::Map(b), Kind::Map(o)) => {
            let mut entries: Vec<(Node, Node)> = Vec::with_capacity(b.len() + o.len());
            for (key, value) in o {
                let under = b
                    .iter()
                    .find(|(k, _)| k.as_str() == key.as_str() && key.as_str().is_some());
                let value = match under {
                    Some((_, u)) => layered(u, value),
                    None => value.clone(),
                };
                entries.push((key.clone(), value));
            }
            for (key, value) in b {
                if !o.iter().any(|(k, _)| k.as_str() == key.as_str()) {
                    entries.push((lower(key), lower(value)));
                }
            }
            Node {
                kind: Kind::Map(entries),
                span: over.span.clone(),
                size: over.size,
                layer: 0,
            }
        }
        _ => over.clone(),
    }
}

/// `value` under the map keys `path` (`["spec", "values"]` → `spec: {values: value}`):
/// what a JSON 6902 `replace` or `add` writes, as a document to lay over the object.
/// The keys, which are not written anywhere, take the value's span.
pub fn nested(path: &[&str], value: Node) -> Node {
    path.iter().rev().fold(value, |inner, key| {
        let key = Node {
            kind: Kind::Scalar {
                value: CompactString::from(*key),
                style: Style::Plain,
                tag: None,
            },
            span: inner.span.clone(),
            size: 1,
            layer: inner.layer,
        };
        Node {
            span: inner.span.clone(),
            size: 1 + key.size + inner.size,
            layer: inner.layer,
            kind: Kind::Map(vec![(key, inner)]),
        }
    })
}

/// A scalar written at `span` (a value given outside YAML: `helm --set key=value`).
pub fn scalar(value: &str, style: Style, span: Range<usize>) -> Node {
    Node {
        kind: Kind::Scalar {
            value: CompactString::from(value),
            style,
            tag: None,
        },
        span,
        size: 1,
        layer: 0,
    }
}

/// Mark a whole subtree as coming from layer `layer`.
pub fn set_layer(node: &mut Node, layer: u8) {
    node.layer = layer;
    match &mut node.kind {
        Kind::Seq(items) => items.iter_mut().for_each(|n| set_layer(n, layer)),
        Kind::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            set_layer(k, layer);
            set_layer(v, layer);
        }),
        Kind::Scalar { .. } => {}
    }
}

/// A copy of `node` one layer further down.
fn lower(node: &Node) -> Node {
    let mut node = node.clone();
    fn mark(n: &mut Node) {
        n.layer = n.layer.saturating_add(1);
        match &mut n.kind {
            Kind::Seq(items) => items.iter_mut().for_each(mark),
            Kind::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
                mark(k);
                mark(v);
            }),
            Kind::Scalar { .. } => {}
        }
    }
    mark(&mut node);
    node
}

#[derive(Debug, Clone)]
pub struct YamlError {
    pub span: Range<usize>,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct YamlFile {
    pub documents: Vec<Node>,
    pub error: Option<YamlError>,
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    pub fn style(&self) -> Option<Style> {
        match &self.kind {
            Kind::Scalar { style, .. } => Some(*style),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            Kind::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn entries(&self) -> impl Iterator<Item = (&Node, &Node)> {
        let direct: &[(Node, Node)] = match &self.kind {
            Kind::Map(entries) => entries,
            _ => &[],
        };
        direct.iter().map(|(k, v)| (k, v))
    }

    /// Value of `key`, looking through merge keys (`<<`) when it is not set directly.
    pub fn get(&self, key: &str) -> Option<&Node> {
        let Kind::Map(entries) = &self.kind else {
            return None;
        };
        // A key written twice: the last one counts, as for kubectl (go-yaml v2 into a
        // map, then JSON). Docker Compose refuses such a file (go-yaml v3).
        if let Some((_, v)) = entries.iter().rev().find(|(k, _)| k.as_str() == Some(key)) {
            return Some(v);
        }
        for (k, v) in entries {
            if k.as_str() == Some("<<") && k.style() == Some(Style::Plain) {
                let found = match &v.kind {
                    Kind::Map(_) => v.get(key),
                    Kind::Seq(items) => items.iter().find_map(|m| m.get(key)),
                    _ => None,
                };
                if found.is_some() {
                    return found;
                }
            }
        }
        None
    }

    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Node::as_str)
    }

    /// A path of keys (`spec.template.spec`).
    pub fn at(&self, path: &str) -> Option<&Node> {
        path.split('.').try_fold(self, |node, key| node.get(key))
    }

    /// The key node of `key`, for diagnostics about the key itself.
    pub fn key_node(&self, key: &str) -> Option<&Node> {
        self.entries()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(k, _)| k)
    }

    /// YAML 1.1 booleans as Kubernetes and Helm read them.
    pub fn as_bool_11(&self) -> Option<bool> {
        if self.style() != Some(Style::Plain) {
            return None;
        }
        match self.as_str()?.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "y" => Some(true),
            "false" | "no" | "off" | "n" => Some(false),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        self.as_str()?.trim().parse().ok()
    }
}

struct Builder {
    stack: Vec<(Node, Option<Node>, usize)>, // container, pending map key, anchor id
    anchors: HashMap<usize, Node>,
    documents: Vec<Node>,
    nodes: usize,
}

/// Char index → byte offset (saphyr reports character positions).
struct Offsets {
    ascii: bool,
    table: Vec<usize>,
}

impl Offsets {
    fn new(text: &str) -> Offsets {
        if text.is_ascii() {
            return Offsets {
                ascii: true,
                table: Vec::new(),
            };
        }
        let mut table: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        table.push(text.len());
        Offsets {
            ascii: false,
            table,
        }
    }

    fn byte(&self, char_index: usize) -> usize {
        if self.ascii {
            char_index
        } else {
            self.table
                .get(char_index)
                .copied()
                .unwrap_or_else(|| *self.table.last().unwrap())
        }
    }
}

pub fn parse(text: &str) -> YamlFile {
    let file = parse_events(text);
    // The parser refuses a flow collection whose closing bracket is less indented than
    // its items (`command: [` … `]` at the key's column), which libyaml and go-yaml
    // (Docker Compose, kubectl) accept. Read the text again with each such bracket moved
    // onto the end of the line before it (its newline becomes a space, comments on the
    // way become spaces: the same length, so every span stays exact), and keep that
    // reading when it succeeds.
    if file
        .error
        .as_ref()
        .is_some_and(|e| e.message == "invalid indentation")
    {
        if let Some(joined) = join_closing_brackets(text) {
            let retry = parse_events(&joined);
            if retry.error.is_none() {
                return retry;
            }
        }
    }
    file
}

/// Lines that hold only a closing `]` / `}` (and maybe `,`) joined to the line before:
/// that newline becomes a space, and comments between the bracket and the last content
/// before it become spaces. `None` when there is no such line.
fn join_closing_brackets(text: &str) -> Option<String> {
    let mut bytes = text.as_bytes().to_vec();
    let mut starts = vec![0];
    starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    let mut changed = false;
    for (n, &start) in starts.iter().enumerate().skip(1) {
        let end = starts.get(n + 1).map_or(text.len(), |e| e - 1);
        let trimmed = text[start..end].trim();
        if !(trimmed.starts_with([']', '}'])
            && trimmed
                .trim_start_matches([']', '}', ','])
                .trim()
                .is_empty())
        {
            continue;
        }
        // Blank comments (whole comment lines, or the tail of a content line) going up
        // to the last content line.
        let mut k = n - 1;
        loop {
            let (ls, le) = (starts[k], starts[k + 1] - 1);
            let line = &text[ls..le];
            if let Some(c) = super::hash_comment_start(line) {
                bytes[ls + c..le].iter_mut().for_each(|b| *b = b' ');
            }
            let content = line[..super::hash_comment_start(line).unwrap_or(line.len())].trim();
            if !content.is_empty() || k == 0 {
                break;
            }
            k -= 1;
        }
        bytes[start - 1] = b' ';
        if start >= 2 && bytes[start - 2] == b'\r' {
            bytes[start - 2] = b' ';
        }
        changed = true;
    }
    // Only ASCII bytes were replaced by spaces: still UTF-8.
    changed.then(|| String::from_utf8(bytes).unwrap_or_else(|_| text.to_string()))
}

fn parse_events(whole: &str) -> YamlFile {
    // A byte-order mark (files saved on Windows) starts the stream, not the first key:
    // read what follows it, with every offset moved past it.
    let (text, base) = match whole.strip_prefix('\u{feff}') {
        Some(rest) => (rest, whole.len() - rest.len()),
        None => (whole, 0),
    };
    let offsets = Offsets::new(text);
    let mut b = Builder {
        stack: Vec::new(),
        anchors: HashMap::new(),
        documents: Vec::new(),
        nodes: 0,
    };
    let mut file = YamlFile::default();
    for event in Parser::new_from_str(text) {
        let (event, span) = match event {
            Ok(e) => e,
            Err(e) => {
                let at = base + offsets.byte(e.marker().index());
                file.error = Some(YamlError {
                    span: at..at,
                    message: e.info().to_string(),
                });
                break;
            }
        };
        let range = base + offsets.byte(span.start.index())..base + offsets.byte(span.end.index());
        let error_span = range.clone();
        let result = match event {
            Event::Scalar(value, style, anchor, tag) => {
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    ScalarStyle::SingleQuoted => Style::SingleQuoted,
                    ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
                    ScalarStyle::Literal => Style::Literal,
                    ScalarStyle::Folded => Style::Folded,
                };
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                let node = Node {
                    kind: Kind::Scalar {
                        value: CompactString::from(value),
                        style,
                        tag,
                    },
                    span: range,
                    layer: 0,
                    size: 1,
                };
                b.push(node, anchor, true)
            }
            Event::SequenceStart(anchor, _) => b.open(Kind::Seq(Vec::new()), range, anchor),
            Event::MappingStart(anchor, _) => b.open(Kind::Map(Vec::new()), range, anchor),
            Event::SequenceEnd | Event::MappingEnd => match b.stack.pop() {
                Some((mut node, _, anchor)) => {
                    // A flow collection ends at its bracket; a block one at its last
                    // item (its end event sits at the next token, past blank lines).
                    let flow = matches!(whole.as_bytes().get(node.span.start), Some(b'{' | b'['));
                    if flow || node.span.end <= node.span.start {
                        node.span.end = node.span.end.max(range.end);
                    }
                    // Trees are kept for the whole check: no spare room left from growing.
                    match &mut node.kind {
                        Kind::Seq(items) => items.shrink_to_fit(),
                        Kind::Map(entries) => entries.shrink_to_fit(),
                        Kind::Scalar { .. } => {}
                    }
                    // Counted when it opened, its items when they were pushed.
                    b.push(node, anchor, false)
                }
                None => Ok(()),
            },
            Event::Alias(id) => match b.anchors.get(&id).cloned() {
                // An alias copies its anchor's whole subtree: that many new nodes.
                Some(node) => b.push(node, 0, true),
                None => Err("alias to an unknown anchor".to_string()),
            },
            _ => Ok(()),
        };
        if let Err(message) = result {
            file.error = Some(YamlError {
                span: error_span,
                message,
            });
            break;
        }
    }
    file.documents = b.documents;
    file
}

impl Builder {
    /// Every node counts once against [`NODE_BUDGET`]: a scalar or a collection when it
    /// appears, an alias for the size of the subtree it copies.
    fn count(&mut self, nodes: usize) -> Result<(), String> {
        self.nodes += nodes;
        if self.nodes > NODE_BUDGET {
            return Err(format!("more than {NODE_BUDGET} nodes once aliases are expanded (an alias bomb?); the file is not read further"));
        }
        Ok(())
    }

    fn open(&mut self, kind: Kind, span: Range<usize>, anchor: usize) -> Result<(), String> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(format!(
                "collections nested deeper than {MAX_DEPTH} levels; the file is not read further"
            ));
        }
        self.count(1)?;
        self.stack.push((
            Node {
                kind,
                span,
                size: 1,
                layer: 0,
            },
            None,
            anchor,
        ));
        Ok(())
    }

    fn push(&mut self, node: Node, anchor: usize, new_nodes: bool) -> Result<(), String> {
        if new_nodes {
            self.count(node.size)?;
        }
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.documents.push(node),
            Some((parent, pending, _)) => {
                parent.size += node.size;
                parent.span.end = parent.span.end.max(node.span.end);
                match &mut parent.kind {
                    Kind::Seq(items) => items.push(node),
                    Kind::Map(entries) => match pending.take() {
                        None => *pending = Some(node),
                        Some(key) => entries.push((key, node)),
                    },
                    Kind::Scalar { .. } => {}
                }
            }
        }
        Ok(())
    }
}

/// The text of a scalar with, for each piece, where it sits in the file: how embedded
/// configs and command lines get exact positions.
#[derive(Debug, Clone)]
pub struct Embedded {
    pub text: String,
    /// (offset in `text`, offset in the file, length) of each piece copied verbatim.
    pub pieces: Vec<(usize, usize, usize)>,
}

impl Embedded {
    /// File offset of a text offset (end offsets map to the end of their piece).
    pub fn to_file(&self, offset: usize) -> usize {
        match self.pieces.iter().rev().find(|(t, _, _)| *t <= offset) {
            Some((t, f, len)) => f + (offset - t).min(*len),
            None => self.pieces.first().map_or(0, |p| p.1),
        }
    }

    pub fn range_to_file(&self, range: Range<usize>) -> Range<usize> {
        let start = self.to_file(range.start);
        let end = if range.end > range.start {
            // Just past the last byte; a piece without text (an implicit null) has no
            // byte to be past.
            let last = range.end - 1;
            match self.pieces.iter().rev().find(|(t, _, _)| *t <= last) {
                Some((_, f, 0)) => *f,
                _ => self.to_file(last) + 1,
            }
        } else {
            start
        };
        start..end.max(start)
    }

    /// The part of the text at `range`, still mapped to the file (a script inside a
    /// command line, say).
    pub fn slice(&self, range: Range<usize>) -> Embedded {
        let text = self.text.get(range.clone()).unwrap_or_default().to_string();
        let pieces = self
            .pieces
            .iter()
            .filter_map(|&(t, f, len)| {
                let start = t.max(range.start);
                let end = (t + len).min(range.end);
                (start < end || (len == 0 && range.contains(&t))).then(|| {
                    (
                        start - range.start,
                        f + (start - t),
                        end.saturating_sub(start),
                    )
                })
            })
            .collect();
        Embedded { text, pieces }
    }
}

/// Rebuild a scalar's value from the file, remembering where each line came from.
/// Literal blocks keep their lines; folded blocks and multi-line plain scalars join
/// lines with spaces (the common cases of configs and command lines).
pub fn embedded(file_text: &str, node: &Node) -> Option<Embedded> {
    let Kind::Scalar { value, style, .. } = &node.kind else {
        return None;
    };
    let region = file_text.get(node.span.clone())?;
    match style {
        Style::Plain | Style::SingleQuoted | Style::DoubleQuoted if !region.contains('\n') => {
            let end = node.span.end.min(file_text.len());
            let start = (node.span.start + usize::from(*style != Style::Plain)).min(end);
            // Escapes make a quoted value differ from its text, and an implicit null
            // (`~` from `? key` without a value) has no text at all: the piece never
            // reaches past the scalar.
            Some(Embedded {
                text: value.to_string(),
                pieces: vec![(0, start, value.len().min(end - start))],
            })
        }
        Style::Folded => Some(folded(file_text, node)),
        Style::Literal | Style::Plain => {
            let line_start = file_text[..node.span.start]
                .rfind('\n')
                .map_or(0, |i| i + 1);
            let indent = node.span.start - line_start;
            let mut text = String::new();
            let mut pieces = Vec::new();
            let mut offset = line_start;
            let joiner = if *style == Style::Literal { "\n" } else { " " };
            let end = node.span.end.min(file_text.len());
            for (i, line) in file_text[line_start..end].split('\n').enumerate() {
                let line_offset = offset;
                offset += line.len() + 1;
                let content = if i == 0 {
                    &line[indent.min(line.len())..]
                } else {
                    line.get(indent.min(line.len())..).unwrap_or("")
                };
                let skip = line.len() - content.len();
                let content = if *style == Style::Literal {
                    content
                } else {
                    content.trim()
                };
                if *style != Style::Literal && content.is_empty() {
                    continue;
                }
                if i > 0 && !text.is_empty() {
                    text.push_str(joiner);
                }
                let lead = if *style == Style::Literal {
                    0
                } else {
                    line[skip..].len() - line[skip..].trim_start().len()
                };
                pieces.push((text.len(), line_offset + skip + lead, content.len()));
                text.push_str(content);
            }
            Some(Embedded { text, pieces })
        }
        _ => None,
    }
}

/// A folded block (`>`) as YAML reads it: a line break between two lines at the block's
/// indentation becomes a space, while lines indented further keep theirs (and their
/// extra spaces), and each empty line is a line break of its own.
fn folded(file_text: &str, node: &Node) -> Embedded {
    let end = node.span.end.min(file_text.len());
    let start = node.span.start.min(end);
    // From the header (`>`, `>-`, `>2`), the content starts on the next line; else the
    // span starts at the content, at its line's indentation.
    let body_start = if file_text[start..end].starts_with('>') {
        file_text[start..end]
            .find('\n')
            .map_or(end, |i| start + i + 1)
    } else {
        file_text[..start].rfind('\n').map_or(0, |i| i + 1)
    };
    let lines: Vec<(usize, &str)> = {
        let mut offset = body_start;
        file_text[body_start..end]
            .split('\n')
            .map(|l| {
                let at = offset;
                offset += l.len() + 1;
                (at, l)
            })
            .collect()
    };
    let indent = lines
        .iter()
        .find(|(_, l)| !l.trim().is_empty())
        .map_or(0, |(_, l)| l.len() - l.trim_start_matches(' ').len());
    let mut text = String::new();
    let mut pieces = Vec::new();
    // Whether the last text line was indented further, and the empty lines since.
    let mut last: Option<bool> = None;
    let mut empties = 0usize;
    for (at, line) in lines {
        if line.trim().is_empty() {
            empties += 1;
            continue;
        }
        let content = line.get(indent.min(line.len())..).unwrap_or("");
        let content = content.trim_end();
        let more = content.starts_with([' ', '\t']);
        match last {
            None => {}
            Some(before_more) if !more && !before_more && empties == 0 => text.push(' '),
            Some(before_more) => {
                // A break between two plain lines that have empty lines between them is
                // dropped for them; around an indented line it is kept.
                let kept = usize::from(more || before_more);
                for _ in 0..(empties + kept).max(1) {
                    text.push('\n');
                }
            }
        }
        empties = 0;
        pieces.push((
            text.len(),
            at + (line.len() - line.trim_start_matches(' ').len()).min(indent),
            content.len(),
        ));
        text.push_str(content);
        last = Some(more);
    }
    Embedded { text, pieces }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_and_merge_keys() {
        let text = "base: &b {image: redis:7}\nsvc:\n  <<: *b\n  command: redis-server\n";
        let file = parse(text);
        assert!(file.error.is_none());
        let svc = file.documents[0].get("svc").unwrap();
        assert_eq!(svc.get_str("image"), Some("redis:7"));
        let cmd = svc.get("command").unwrap();
        assert_eq!(&text[cmd.span.clone()], "redis-server");
    }

    #[test]
    fn a_key_written_twice_is_the_last() {
        let text = "c:\n  volumeMounts: [a]\n  volumeMounts: [b]\n";
        let file = parse(text);
        let mounts = file.documents[0]
            .get("c")
            .unwrap()
            .get("volumeMounts")
            .unwrap();
        assert_eq!(&text[mounts.span.clone()], "[b]");
    }

    #[test]
    fn literal_block_maps_back() {
        let text = "data:\n  sentinel.conf: |\n    port 26379\n    sentinel monitor m h 6379 2\n";
        let file = parse(text);
        let value = file.documents[0].at("data.sentinel.conf");
        assert!(value.is_none(), "dots in keys are not paths");
        let data = file.documents[0].get("data").unwrap();
        let conf = data.get("sentinel.conf").unwrap();
        let e = embedded(text, conf).unwrap();
        assert_eq!(e.text, "port 26379\nsentinel monitor m h 6379 2\n");
        let at = e.text.find("monitor").unwrap();
        assert_eq!(&text[e.to_file(at)..e.to_file(at) + 7], "monitor");
    }

    #[test]
    fn folded_command_maps_back() {
        let text = "command: >\n  redis-server\n  --requirepass x\n";
        let file = parse(text);
        let cmd = file.documents[0].get("command").unwrap();
        let e = embedded(text, cmd).unwrap();
        assert_eq!(e.text, "redis-server --requirepass x");
        let at = e.text.find("--requirepass").unwrap();
        assert_eq!(&text[e.to_file(at)..e.to_file(at) + 13], "--requirepass");
    }

    #[test]
    fn a_folded_block_keeps_the_breaks_of_indented_lines() {
        let text = "command: >\n  sh -c 'echo a > f &&\n    echo b >> f &&\n    run f'\n  --end\n\n  last\n";
        let file = parse(text);
        let cmd = file.documents[0].get("command").unwrap();
        let e = embedded(text, cmd).unwrap();
        assert_eq!(
            e.text,
            "sh -c 'echo a > f &&\n  echo b >> f &&\n  run f'\n--end\nlast"
        );
        let at = e.text.find("echo b").unwrap();
        assert_eq!(&text[e.to_file(at)..e.to_file(at) + 6], "echo b");
        let at = e.text.find("last").unwrap();
        assert_eq!(&text[e.to_file(at)..e.to_file(at) + 4], "last");
    }

    #[test]
    fn a_byte_order_mark_starts_the_stream() {
        let text = "\u{feff}kind: Deployment\nspec: {}\n";
        let file = parse(text);
        assert!(file.error.is_none());
        let doc = &file.documents[0];
        let Kind::Map(entries) = &doc.kind else {
            panic!("a map")
        };
        assert_eq!(entries[0].0.as_str(), Some("kind"));
        assert_eq!(&text[entries[0].1.span.clone()], "Deployment");
    }

    #[test]
    fn alias_bomb_is_an_error() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            text.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n", p = i - 1));
        }
        let file = parse(&text);
        assert!(file.error.unwrap().message.contains("alias"));
    }

    #[test]
    fn multi_document() {
        let file = parse("a: 1\n---\nb: 2\n");
        assert_eq!(file.documents.len(), 2);
    }
}

#[cfg(test)]
mod flow_comment_tests {
    use super::*;

    #[test]
    fn comments_in_a_dedented_flow_sequence_are_valid() {
        let text = "services:\n  r:\n    command: [\n      # SENTINEL\n      'x', # last\n    ]\n    other: |\n      # kept\n      y\n";
        let file = parse(text);
        assert!(file.error.is_none(), "{:?}", file.error);
        let r = file.documents[0].at("services.r").unwrap();
        let command = r.get("command").unwrap().as_seq().unwrap();
        assert_eq!(&text[command[0].span.clone()], "'x'");
        // A comment line inside a block scalar is content, kept as it is.
        assert_eq!(r.get_str("other"), Some("# kept\ny\n"));
    }
}
