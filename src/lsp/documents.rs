//! Open buffers: their text and version, kept in sync with full and incremental changes.

use super::convert;
use crate::formats::detect::{name_hint, NameHint};
use crate::source::LineIndex;
use lsp_types as lsp;
use lsp_types::Url;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

/// Language ids the editor integrations give redis.conf / sentinel.conf buffers.
pub const CONF_LANGUAGE_IDS: &[&str] = &["redis", "redis-conf", "sentinel-conf", "valkey"];

#[derive(Debug)]
pub struct Document {
    pub uri: Url,
    pub path: PathBuf,
    pub language_id: String,
    pub version: i32,
    text: Arc<str>,
    line_index: LineIndex,
}

impl Document {
    pub fn new(uri: Url, language_id: String, version: i32, text: String) -> Document {
        let line_index = LineIndex::new(&text);
        Document {
            path: convert::path_of(&uri),
            uri,
            language_id,
            version,
            text: text.into(),
            line_index,
        }
    }

    pub fn text(&self) -> &Arc<str> {
        &self.text
    }

    pub fn line_index(&self) -> &LineIndex {
        &self.line_index
    }

    /// The client said this is a Redis config (so it is read whatever its name).
    pub fn explicit_conf(&self) -> bool {
        CONF_LANGUAGE_IDS.contains(&self.language_id.as_str())
    }

    /// Whether hover and completion of directives apply.
    pub fn is_conf(&self) -> bool {
        self.explicit_conf() || name_hint(&self.path) != NameHint::NotConf
    }

    pub fn offset(&self, position: lsp::Position) -> usize {
        convert::offset(&self.text, &self.line_index, position)
    }

    /// Apply changes in order: a change without a range replaces the whole text; a
    /// ranged one replaces that range (UTF-16 positions, clamped to the text).
    pub fn apply(&mut self, version: i32, changes: Vec<lsp::TextDocumentContentChangeEvent>) {
        let mut text = self.text.to_string();
        let mut index_valid = true;
        for change in changes {
            match change.range {
                None => {
                    text = change.text;
                    index_valid = false;
                }
                Some(range) => {
                    if !index_valid {
                        self.line_index = LineIndex::new(&text);
                    }
                    let start = convert::offset(&text, &self.line_index, range.start);
                    let end = convert::offset(&text, &self.line_index, range.end);
                    let (start, end) = (start.min(end), start.max(end));
                    text.replace_range(start..end, &change.text);
                    index_valid = false;
                }
            }
        }
        self.line_index = LineIndex::new(&text);
        self.text = text.into();
        self.version = version;
    }
}

#[derive(Debug, Default)]
pub struct Documents {
    docs: HashMap<Url, Document>,
}

impl Documents {
    pub fn open(&mut self, doc: Document) {
        self.docs.insert(doc.uri.clone(), doc);
    }

    pub fn close(&mut self, uri: &Url) -> Option<Document> {
        self.docs.remove(uri)
    }

    pub fn get(&self, uri: &Url) -> Option<&Document> {
        self.docs.get(uri)
    }

    pub fn get_mut(&mut self, uri: &Url) -> Option<&mut Document> {
        self.docs.get_mut(uri)
    }

    pub fn is_open(&self, uri: &Url) -> bool {
        self.docs.contains_key(uri)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Document> {
        self.docs.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(
        range: Option<((u32, u32), (u32, u32))>,
        text: &str,
    ) -> lsp::TextDocumentContentChangeEvent {
        lsp::TextDocumentContentChangeEvent {
            range: range.map(|((a, b), (c, d))| {
                lsp::Range::new(lsp::Position::new(a, b), lsp::Position::new(c, d))
            }),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn incremental_changes_apply_in_order() {
        let uri = Url::parse("file:///tmp/redis.conf").unwrap();
        let mut doc = Document::new(uri, "redis".into(), 1, "# é😀\nappendonly true\n".into());
        doc.apply(
            2,
            vec![
                change(Some(((1, 11), (1, 15))), "yes"),
                change(Some(((0, 2), (0, 5))), "x"),
                change(Some(((2, 0), (2, 0))), "port 1\n"),
            ],
        );
        assert_eq!(&**doc.text(), "# x\nappendonly yes\nport 1\n");
        assert_eq!(doc.version, 2);
        doc.apply(
            3,
            vec![change(None, "a\n"), change(Some(((1, 0), (1, 0))), "b")],
        );
        assert_eq!(&**doc.text(), "a\nb");
    }

    #[test]
    fn out_of_range_positions_are_clamped() {
        let uri = Url::parse("file:///tmp/redis.conf").unwrap();
        let mut doc = Document::new(uri, "redis".into(), 1, "port 1".into());
        doc.apply(2, vec![change(Some(((0, 99), (7, 3))), "0")]);
        assert_eq!(&**doc.text(), "port 10");
    }
}
