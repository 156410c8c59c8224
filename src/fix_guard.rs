//! The structural check of a fix round: a file's text after the round is parsed again and
//! compared with its parse before, and only what the round's edits declare may differ.
//!
//! The re-check that follows a round looks at findings; it cannot see that a fix renamed
//! a compose service or split a config line, because the result may be a valid file with
//! fewer findings. This check can: lines outside the edited lines are compared one by
//! one, and in YAML no mapping key may disappear or be renamed, and a key or value may
//! appear or change only inside the edited lines.

use crate::diagnostic::Edit;
use crate::syntax::yaml::{self, Kind, Node};
use std::collections::HashMap;
use std::ops::Range;

/// How the file is read for the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// YAML (compose files, manifests, values): lines and structure.
    Yaml,
    /// Line formats (configs, units, scripts): lines.
    Lines,
}

/// `Err` with what changed outside the edits, when the round changed more than it declares.
pub fn check_round(layout: Layout, old: &str, new: &str, edits: &[&Edit]) -> Result<(), String> {
    let mut edits: Vec<&Edit> = edits.to_vec();
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    let old_dirty = old_regions(old, &edits);
    let new_dirty = new_regions(new, &edits);
    compare_lines(old, new, &old_dirty, &new_dirty)?;
    if layout == Layout::Yaml {
        // Where each edit falls in the old text, with the lines it changes: a block scalar
        // (a config in a ConfigMap) changes when a line is inserted in it.
        let mut old_marks = old_dirty.clone();
        old_marks.extend(edits.iter().map(|e| e.span.range()));
        compare_yaml(old, new, &old_marks, &new_dirty)?;
    }
    Ok(())
}

/// Byte range of the whole lines holding `range` (an empty range at a line start holds
/// no line: it is an insertion before that line).
fn full_lines(text: &str, range: Range<usize>) -> Option<Range<usize>> {
    if range.is_empty()
        && (range.start == 0 || text.as_bytes().get(range.start - 1) == Some(&b'\n'))
    {
        return None;
    }
    let last = if range.is_empty() {
        range.start
    } else {
        range.end - 1
    };
    let start = text[..range.start.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let end = text[last.min(text.len())..]
        .find('\n')
        .map_or(text.len(), |i| last + i + 1);
    Some(start..end)
}

/// The lines of the old text that the edits change.
fn old_regions(old: &str, edits: &[&Edit]) -> Vec<Range<usize>> {
    edits
        .iter()
        .filter_map(|e| full_lines(old, e.span.range()))
        .collect()
}

/// The lines of the new text that the edits wrote.
fn new_regions(new: &str, edits: &[&Edit]) -> Vec<Range<usize>> {
    let mut shift: isize = 0;
    let mut out = Vec::new();
    for e in edits {
        let start = (e.span.start as isize + shift) as usize;
        // A deletion of whole lines leaves nothing written (an empty range at a line start).
        out.extend(full_lines(new, start..start + e.content.len()));
        shift += e.content.len() as isize - e.span.len() as isize;
    }
    out
}

/// Whether a region meets the span (touching counts: an insertion at either end of a
/// scalar changes it).
fn overlaps(regions: &[Range<usize>], span: &Range<usize>) -> bool {
    regions
        .iter()
        .any(|r| r.start <= span.end && span.start <= r.end)
}

fn inside(regions: &[Range<usize>], at: usize) -> bool {
    regions.iter().any(|r| r.start <= at && at < r.end)
}

/// Meaningful lines (not blank) outside the edited lines, trimmed, in order.
fn kept_lines<'a>(text: &'a str, dirty: &[Range<usize>]) -> Vec<(usize, &'a str)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if !trimmed.is_empty() && !inside(dirty, offset) {
            out.push((offset, trimmed));
        }
        offset += line.len();
    }
    out
}

fn line_no(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

fn compare_lines(
    old: &str,
    new: &str,
    old_dirty: &[Range<usize>],
    new_dirty: &[Range<usize>],
) -> Result<(), String> {
    let (a, b) = (kept_lines(old, old_dirty), kept_lines(new, new_dirty));
    for (i, (x, y)) in a.iter().zip(b.iter()).enumerate() {
        if x.1 != y.1 {
            return Err(format!(
                "line {} changed outside the fix's edits (`{}` became `{}`)",
                line_no(old, a[i].0),
                x.1,
                y.1
            ));
        }
    }
    match a.len().cmp(&b.len()) {
        std::cmp::Ordering::Greater => Err(format!(
            "line {} disappeared outside the fix's edits",
            line_no(old, a[b.len()].0)
        )),
        std::cmp::Ordering::Less => Err(format!(
            "line {} appeared outside the fix's edits",
            line_no(new, b[a.len()].0)
        )),
        std::cmp::Ordering::Equal => Ok(()),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Step {
    Doc(usize),
    Key(String),
    Index(usize),
}

/// Every mapping key and every scalar of a YAML stream, by path.
#[derive(Default)]
struct Flat {
    keys: HashMap<Vec<Step>, Range<usize>>,
    scalars: HashMap<Vec<Step>, (String, Range<usize>)>,
}

fn flatten(node: &Node, path: &mut Vec<Step>, out: &mut Flat) {
    match &node.kind {
        Kind::Scalar { value, .. } => {
            out.scalars
                .insert(path.clone(), (value.to_string(), node.span.clone()));
        }
        Kind::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Step::Index(i));
                flatten(item, path, out);
                path.pop();
            }
        }
        Kind::Map(entries) => {
            for (k, v) in entries {
                let key = match &k.kind {
                    Kind::Scalar { value, .. } => value.to_string(),
                    _ => format!("{:?}", k.span),
                };
                path.push(Step::Key(key));
                out.keys.insert(path.clone(), k.span.clone());
                flatten(v, path, out);
                path.pop();
            }
        }
    }
}

fn flat(text: &str) -> Result<Flat, String> {
    let file = yaml::parse(text);
    let mut out = Flat::default();
    for (i, doc) in file.documents.iter().enumerate() {
        flatten(doc, &mut vec![Step::Doc(i)], &mut out);
    }
    match file.error {
        Some(e) => Err(e.message),
        None => Ok(out),
    }
}

fn show(path: &[Step]) -> String {
    path.iter()
        .filter_map(|s| match s {
            Step::Doc(_) => None,
            Step::Key(k) => Some(k.clone()),
            Step::Index(i) => Some(format!("[{i}]")),
        })
        .collect::<Vec<_>>()
        .join(".")
        .replace(".[", "[")
}

fn compare_yaml(
    old: &str,
    new: &str,
    old_dirty: &[Range<usize>],
    new_dirty: &[Range<usize>],
) -> Result<(), String> {
    let Ok(before) = flat(old) else {
        return Ok(()); // a file that did not parse: the line comparison is all there is
    };
    let after = flat(new).map_err(|e| format!("the YAML no longer parses ({e})"))?;
    for path in before.keys.keys() {
        if !after.keys.contains_key(path) {
            return Err(format!(
                "mapping key `{}` was renamed or removed",
                show(path)
            ));
        }
    }
    for (path, span) in &after.keys {
        if !before.keys.contains_key(path) && !inside(new_dirty, span.start) {
            return Err(format!(
                "mapping key `{}` appeared outside the fix's edits",
                show(path)
            ));
        }
    }
    for (path, (value, span)) in &before.scalars {
        match after.scalars.get(path) {
            Some((v, _)) if v == value => {}
            // A block scalar (a config in a ConfigMap) changes where an edit falls in it.
            _ if overlaps(old_dirty, span) => {}
            _ => {
                return Err(format!(
                    "value at `{}` changed outside the fix's edits",
                    show(path)
                ))
            }
        }
    }
    for (path, (_, span)) in &after.scalars {
        if !before.scalars.contains_key(path) && !inside(new_dirty, span.start) {
            return Err(format!(
                "value at `{}` appeared outside the fix's edits",
                show(path)
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Span};

    fn edit(text: &str, find: &str, content: &str) -> Edit {
        let start = text.find(find).unwrap();
        Edit::replace(Span::new(FileId(0), start, start + find.len()), content)
    }

    fn apply(text: &str, e: &Edit) -> String {
        let mut out = text.to_string();
        out.replace_range(e.span.range(), &e.content);
        out
    }

    const COMPOSE: &str = "services:\n  redis-sentinel:\n    image: x\n    environment:\n      - A=no\n  other:\n    image: y\n";

    #[test]
    fn a_renamed_key_is_refused() {
        let e = edit(COMPOSE, "redis-sentinel", "yes");
        let err = check_round(Layout::Yaml, COMPOSE, &apply(COMPOSE, &e), &[&e]).unwrap_err();
        assert!(err.contains("redis-sentinel"), "{err}");
    }

    #[test]
    fn a_value_and_an_added_item_pass() {
        let e = edit(COMPOSE, "A=no", "A=yes");
        assert_eq!(
            check_round(Layout::Yaml, COMPOSE, &apply(COMPOSE, &e), &[&e]),
            Ok(())
        );
        let at = COMPOSE.find("  other:").unwrap();
        let e = Edit::insert(Span::new(FileId(0), at, at), "      - B=yes\n");
        assert_eq!(
            check_round(Layout::Yaml, COMPOSE, &apply(COMPOSE, &e), &[&e]),
            Ok(())
        );
    }

    #[test]
    fn an_insertion_that_reparents_keys_is_refused() {
        // Indented as a key of the sentinel service: `other` disappears from `services`.
        let at = COMPOSE.find("  other:").unwrap();
        let e = Edit::insert(Span::new(FileId(0), at, at), "    ports:\n  ");
        let new = apply(COMPOSE, &e);
        assert!(
            check_round(Layout::Yaml, COMPOSE, &new, &[&e]).is_err(),
            "{new}"
        );
    }

    #[test]
    fn a_config_insertion_must_end_its_line() {
        let conf = "port 26379\nsentinel monitor m 10.0.0.1 6379 2\n";
        let at = conf.find("sentinel").unwrap();
        let good = Edit::insert(
            Span::new(FileId(0), at, at),
            "sentinel resolve-hostnames yes\n",
        );
        assert_eq!(
            check_round(Layout::Lines, conf, &apply(conf, &good), &[&good]),
            Ok(())
        );
        let glued = Edit::insert(Span::new(FileId(0), at, at), "bind 0.0.0.0 ");
        assert!(check_round(Layout::Lines, conf, &apply(conf, &glued), &[&glued]).is_err());
    }
}
