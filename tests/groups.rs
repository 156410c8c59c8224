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

fn counts(dir: &Path) -> std::collections::BTreeMap<&'static str, usize> {
    let (_, found) = check_dir(dir, Target::default());
    let mut out = std::collections::BTreeMap::new();
    for d in found {
        *out.entry(d.rule.name()).or_default() += 1;
    }
    out
}

/// Deployments copied into sibling folders (`team01/…`, master names and addresses
/// unchanged, as in a monorepo of examples) are never joined: N copies give N times the
/// findings of one, rule by rule.
#[test]
fn copies_in_sibling_folders_are_separate_deployments() {
    let deployments = [
        "fixtures/examples/deploy",
        "fixtures/fix-forms/bitnami-env-list",
        "fixtures/sentinel-monitor-appended-at-start/good",
        "fixtures/min-replicas-to-write-missing/bad",
        "tests/data/one-host",
        "tests/data/compose-dockerfile",
        // Operator resources: a RedisSentinel watches the RedisReplication of its own folder.
        "tests/data/operator-groups",
    ];
    let scratch = tempfile::tempdir().unwrap();
    let one = scratch.path().join("one");
    for d in deployments {
        common::copy_dir(Path::new(d), &one.join(d.replace('/', "_")));
    }
    let many = scratch.path().join("many");
    const N: usize = 4;
    for i in 1..=N {
        common::copy_dir(&one, &many.join(format!("team{i:02}")));
    }
    let single = counts(&one);
    assert!(
        single.values().sum::<usize>() > 10,
        "the deployments have findings: {single:?}"
    );
    let expected: std::collections::BTreeMap<&str, usize> =
        single.iter().map(|(k, v)| (*k, v * N)).collect();
    assert_eq!(counts(&many), expected);
}

/// A deploy script that writes a sentinel config over `ssh host bash <<EOF`, once per
/// host: its variables are filled as the shell fills them (the master's address), and
/// how many sentinels run it is unknown, so two files are not "two sentinels".
#[test]
fn a_config_written_over_ssh_is_a_template_for_several_hosts() {
    let (ws, found) = check_dir(Path::new("tests/data/ssh-deploy-script"), Target::default());
    assert!(
        !found
            .iter()
            .any(|d| d.rule.name() == "sentinel-count-below-three"),
        "{found:?}"
    );
    let topo = ws.topology();
    let [group] = topo.groups.as_slice() else {
        panic!("one group: {:?}", topo.groups.len());
    };
    assert_eq!((group.host.as_str(), group.port), ("10.0.1.10", 6379));
    assert_eq!(group.monitors.len(), 2);
}
