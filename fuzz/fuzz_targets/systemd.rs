//! The systemd unit grammar on arbitrary bytes: no panic, ranges inside the text, and
//! `ExecStart=` splitting and value spans on every entry.
#![no_main]

use libfuzzer_sys::fuzz_target;
use redis_halint::discover::decode;
use redis_halint::syntax::systemd;

fuzz_target!(|data: &[u8]| {
    let text = decode(data);
    let tree = systemd::parse(&text, 0);
    for section in &tree.sections {
        assert!(section.header.end <= text.len());
        for entry in &section.entries {
            assert!(entry.range.start <= entry.range.end && entry.range.end <= text.len());
            let r = entry.value_range();
            assert!(r.start <= r.end && r.end <= text.len());
            let (_, words) = systemd::split_exec(&entry.value);
            for word in words {
                let r = entry.value_span(word.range);
                assert!(r.start <= r.end && r.end <= text.len());
            }
        }
    }
    for error in &tree.errors {
        assert!(error.range.end <= text.len());
    }
});
