//! The redis.conf / sentinel.conf tokenizer on arbitrary bytes: no panic, every range
//! inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use redis_halint::discover::decode;
use redis_halint::syntax::redis_conf;

fuzz_target!(|data: &[u8]| {
    let text = decode(data);
    let tree = redis_conf::parse(&text);
    for line in &tree.lines {
        assert!(line.range.start <= line.range.end && line.range.end <= text.len());
        for token in &line.tokens {
            assert!(token.range.start <= token.range.end && token.range.end <= text.len());
            assert!(text.is_char_boundary(token.range.start) && text.is_char_boundary(token.range.end));
        }
    }
    for error in &tree.errors {
        assert!(error.range.start <= error.range.end && error.range.end <= text.len());
    }
    let _ = redis_conf::comments(&text);
});
