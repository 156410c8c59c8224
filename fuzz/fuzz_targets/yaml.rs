//! The spanned YAML tree on arbitrary bytes: no panic, no hang (the alias budget), every
//! span inside the text, and every scalar maps back into the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use redis_halint::discover::decode;
use redis_halint::syntax::yaml::{self, Kind, Node};

fn walk(text: &str, node: &Node, depth: usize) {
    assert!(node.span.start <= node.span.end && node.span.end <= text.len(), "{:?}", node.span);
    match &node.kind {
        Kind::Scalar { .. } => {
            if let Some(e) = yaml::embedded(text, node) {
                for (_, file, len) in &e.pieces {
                    assert!(file + len <= text.len());
                }
                let r = e.range_to_file(0..e.text.len());
                assert!(r.start <= r.end && r.end <= text.len());
            }
        }
        Kind::Seq(items) => items.iter().for_each(|n| walk(text, n, depth + 1)),
        Kind::Map(entries) => entries.iter().for_each(|(k, v)| {
            walk(text, k, depth + 1);
            walk(text, v, depth + 1);
        }),
    }
}

fuzz_target!(|data: &[u8]| {
    let text = decode(data);
    let file = yaml::parse(&text);
    for doc in &file.documents {
        walk(&text, doc, 0);
        let _ = doc.at("spec.template.spec");
        let _ = doc.get_str("kind");
    }
    if let Some(error) = &file.error {
        assert!(error.span.start <= error.span.end && error.span.end <= text.len());
    }
});
