//! Many deployments in one tree: names are local to a deployment. Two compose projects
//! both call their master `redis-master`, two Kubernetes deployments both mount a Secret
//! named `redis-config`, two hosts both have a `redis-server.service` with drop-ins; each
//! name means the one of its own deployment (the nearest in the directory tree), and the
//! deployments are checked as if they were alone.

mod common;

use common::workspace_for;
use redis_halint::{Severity, Target};
use std::fs;
use std::path::{Path, PathBuf};

/// Copy `from` (a fixture directory) to `to`, replacing `from_text` by `to_text` in
/// every file.
fn copy_tree(from: &Path, to: &Path, replace: &[(&str, &str)]) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target, replace);
        } else {
            let mut text = fs::read_to_string(entry.path()).unwrap();
            for (a, b) in replace {
                text = text.replace(a, b);
            }
            fs::write(target, text).unwrap();
        }
    }
}

/// Warnings and errors of a check of `dirs`, and the number of sentinel groups.
fn check(dirs: &[PathBuf]) -> (Vec<String>, usize) {
    let workspace = workspace_for(dirs, Target::default());
    let findings = workspace
        .check()
        .into_iter()
        .filter(|d| d.severity >= Severity::Warning)
        .map(|d| format!("{} {}", d.rule.name(), d.message))
        .collect();
    let groups = workspace
        .topology()
        .groups
        .iter()
        .filter(|g| g.has_sentinels())
        .count();
    (findings, groups)
}

#[test]
fn two_compose_projects_with_the_same_service_names() {
    let tmp = tempfile::tempdir().unwrap();
    let fixture = Path::new("fixtures/examples/compose-correct");
    copy_tree(fixture, &tmp.path().join("a"), &[]);
    copy_tree(
        fixture,
        &tmp.path().join("b"),
        &[
            ("example-pass-1", "other-pass-2"),
            (
                "failover-timeout mymaster 60000",
                "failover-timeout mymaster 90000",
            ),
        ],
    );
    let (alone, alone_groups) = check(&[tmp.path().join("a")]);
    assert!(alone.is_empty(), "{alone:?}");
    assert_eq!(alone_groups, 1);
    let (both, groups) = check(&[tmp.path().to_path_buf()]);
    assert!(both.is_empty(), "{both:?}");
    assert_eq!(groups, 2, "one group per compose project");
}

#[test]
fn two_kubernetes_deployments_with_the_same_secret_name() {
    let tmp = tempfile::tempdir().unwrap();
    let fixture = Path::new("fixtures/parallel-pod-management-bootstrap/good");
    copy_tree(fixture, &tmp.path().join("a"), &[]);
    copy_tree(
        fixture,
        &tmp.path().join("b"),
        &[
            ("namespace: cache", "namespace: other"),
            ("cache.svc", "other.svc"),
            ("Fixture-Only-Pass-1", "Other-Pass-2"),
        ],
    );
    let (alone, _) = check(&[tmp.path().join("a")]);
    assert!(alone.is_empty(), "{alone:?}");
    let (both, groups) = check(&[tmp.path().to_path_buf()]);
    assert!(both.is_empty(), "{both:?}");
    assert_eq!(groups, 2, "one group per deployment");
}

#[test]
fn drop_ins_apply_to_the_unit_of_their_own_host() {
    let tmp = tempfile::tempdir().unwrap();
    let unit = "[Service]\nType=notify\nExecStart=/usr/bin/redis-sentinel /etc/redis/sentinel.conf --supervised systemd\nMemoryMax=4G\n";
    for host in ["host-a", "host-b"] {
        let dir = tmp.path().join(host).join("etc/systemd/system");
        fs::create_dir_all(dir.join("redis-sentinel.service.d")).unwrap();
        fs::write(dir.join("redis-sentinel.service"), unit).unwrap();
    }
    fs::write(
        tmp.path()
            .join("host-a/etc/systemd/system/redis-sentinel.service.d/memory.conf"),
        "[Service]\nMemoryMax=8G\n",
    )
    .unwrap();
    let workspace = workspace_for(&[tmp.path().to_path_buf()], Target::default());
    let topology = workspace.topology();
    let mut memory: Vec<(String, String)> = topology
        .services
        .iter()
        .map(|s| {
            let path = workspace.source(s.file).unwrap().path.clone();
            let host = path
                .strip_prefix(tmp.path())
                .unwrap()
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_string_lossy()
                .into_owned();
            let max = s.memory_max.as_ref().unwrap().value.value.clone();
            (host, max)
        })
        .collect();
    memory.sort();
    assert_eq!(
        memory,
        [
            ("host-a".to_string(), "8G".to_string()),
            ("host-b".to_string(), "4G".to_string())
        ]
    );
}
