//! The shell extractor on arbitrary bytes: commands, here-documents (also nested in
//! `ssh host bash <<EOF`), the configs and units they write; no panic, ranges inside the
//! text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use redis_halint::discover::decode;
use redis_halint::formats::script;
use redis_halint::source::FileId;
use redis_halint::syntax::shell;
use std::sync::Arc;

fuzz_target!(|data: &[u8]| {
    let text = decode(data);
    let parsed = shell::parse(&text);
    for command in &parsed.commands {
        for word in command.words.iter().chain(&command.assignments) {
            assert!(word.range.start <= word.range.end && word.range.end <= text.len());
        }
        for doc in &command.heredocs {
            assert!(doc.body.start <= doc.body.end && doc.body.end <= text.len());
        }
    }
    let _ = shell::assignments(&parsed);
    let text: Arc<str> = text.into();
    let file = script::read(FileId(0), &text);
    for span in &file.secret_spans {
        assert!(span.start <= span.end && span.end as usize <= text.len());
    }
});
