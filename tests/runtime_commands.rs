//! `SENTINEL SET` commands that files of the tree send at run time are judged like the
//! same settings in a sentinel.conf.

mod common;

use common::check_dir;
use redis_halint::{Severity, Target};
use std::path::Path;

#[test]
fn sentinel_set_at_run_time_is_a_setting() {
    let (ws, found) = check_dir(Path::new("tests/data/runtime-sets"), Target::default());
    let located: Vec<(&str, Severity, u32, &str)> = found
        .iter()
        .map(|d| {
            let source = ws.source(d.span.file).unwrap();
            (
                d.rule.name(),
                d.severity,
                source.line_col(d.span.start).line,
                &source.text()[d.span.range()],
            )
        })
        .collect();
    // 500 ms (an error below 1000), at the number; 60000 and "$DOWN_AFTER" are fine or
    // unknown.
    assert_eq!(
        located,
        [("down-after-too-low", Severity::Error, 11, "500")],
        "{located:#?}"
    );
    assert!(found[0].message.contains("`cache`"), "{}", found[0].message);
}
