//! Group-level verdicts: what is reported once per group, and what a group on one host
//! does not need.

mod common;

use common::check_dir;
use redis_halint::Target;
use std::path::Path;

/// Three nodes and three sentinels on 127.0.0.1 (a lab on one machine): no network split
/// can isolate the master, so the write guard is not asked for. The same layout on
/// separate hosts is reported once, at the master, naming the other nodes.
#[test]
fn min_replicas_once_per_group_and_not_on_one_host() {
    let (_, found) = check_dir(Path::new("tests/data/one-host"), Target::default());
    assert!(
        !found
            .iter()
            .any(|d| d.rule.name() == "min-replicas-to-write-missing"),
        "{found:?}"
    );
    let (ws, found) = check_dir(
        Path::new("fixtures/min-replicas-to-write-missing/bad"),
        Target::default(),
    );
    let guard: Vec<_> = found
        .iter()
        .filter(|d| d.rule.name() == "min-replicas-to-write-missing")
        .collect();
    assert_eq!(guard.len(), 1, "{guard:?}");
    let at = ws.source(guard[0].span.file).unwrap().path.clone();
    assert!(at.ends_with("redis-master.conf"), "{}", at.display());
    assert_eq!(
        guard[0]
            .related
            .iter()
            .filter(|l| l.message == "nor here")
            .count(),
        2
    );
}
