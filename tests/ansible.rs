//! Ansible projects: an inventory's groups (ranges, group and host variables), a play's
//! host pattern, its roles, task files and `when:` conditions say on how many hosts each
//! template renders, and so how many sentinels and data nodes run.

mod common;

use common::{check_dir, render_full};
use redis_halint::Target;
use std::path::Path;

fn rules_and_files(dir: &str) -> (redis_halint::Workspace, Vec<redis_halint::Diagnostic>) {
    check_dir(Path::new(dir), Target::default())
}

/// Two of three hosts get a sentinel (`when:` on the include, the variable from the
/// inventory's host lines): two sentinels. The sentinel template monitors 127.0.0.1 on
/// both hosts, and the server template, rendered on three hosts, has no `replicaof`.
#[test]
fn inventory_counts_sentinels_and_servers() {
    let (ws, found) = rules_and_files("tests/data/ansible-inventory");
    let rules: Vec<&str> = found.iter().map(|d| d.rule.name()).collect();
    for rule in [
        "sentinel-count-below-three",
        "monitor-loopback-address",
        "data-nodes-not-replicating",
    ] {
        assert!(rules.contains(&rule), "{rule}: {rules:?}");
    }
    let topology = ws.topology();
    let group = &topology.groups[0];
    assert_eq!(group.sentinel_count.known(), Some(2));
    // The loopback finding names the play that renders the template on those hosts.
    let loopback = found
        .iter()
        .find(|d| d.rule.name() == "monitor-loopback-address")
        .unwrap();
    assert!(loopback.related.iter().any(|l| ws
        .source(l.span.file)
        .unwrap()
        .path
        .ends_with("site.yml")));
    insta::assert_snapshot!("ansible_inventory", render_full(&ws, &found));
}

/// Every host gets a sentinel (the variable on the group), each watches the first host by
/// name, and the others replicate from it: three sentinels, nothing reported.
#[test]
fn fixed_project_is_clean() {
    let (ws, found) = rules_and_files("tests/data/ansible-inventory-fixed");
    assert!(
        found.is_empty(),
        "{:#?}",
        found.iter().map(|d| d.rule.name()).collect::<Vec<_>>()
    );
    assert_eq!(ws.topology().groups[0].sentinel_count.known(), Some(3));
}

/// A condition the reader does not follow (a fact gathered from the machine) leaves the
/// count unknown: no count finding.
#[test]
fn an_unknown_condition_leaves_the_count_unknown() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(Path::new("tests/data/ansible-inventory"), dir.path());
    let tasks = dir.path().join("roles/kv/tasks/main.yml");
    let text = std::fs::read_to_string(&tasks).unwrap().replace(
        "when: sentinel_enabled is defined and sentinel_enabled | bool",
        "when: ansible_default_ipv4.address == kv_master",
    );
    std::fs::write(&tasks, text).unwrap();
    let (ws, found) = check_dir(dir.path(), Target::default());
    let rules: Vec<&str> = found.iter().map(|d| d.rule.name()).collect();
    assert!(!rules.contains(&"sentinel-count-below-three"), "{rules:?}");
    assert_eq!(ws.topology().groups[0].sentinel_count.known(), None);
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The same servers watched at an IP address no file gives: three hosts each run a master
/// of their own (none of them adopted as the watched one). When the inventory gives some
/// hosts a variable the template uses (`kv_replica_of`), the copies may differ and are
/// not judged.
#[test]
fn servers_on_several_hosts_without_replicaof() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(Path::new("tests/data/ansible-inventory"), dir.path());
    let sentinel = dir.path().join("roles/kv/templates/sentinel.conf.j2");
    let text = std::fs::read_to_string(&sentinel)
        .unwrap()
        .replace("127.0.0.1", "10.1.0.11");
    std::fs::write(&sentinel, text).unwrap();
    let (_, found) = check_dir(dir.path(), Target::default());
    let rules: Vec<&str> = found.iter().map(|d| d.rule.name()).collect();
    assert!(rules.contains(&"data-nodes-not-replicating"), "{rules:?}");
    assert!(!rules.contains(&"monitor-loopback-address"), "{rules:?}");

    let server = dir.path().join("roles/kv/templates/redis.conf.j2");
    let mut text = std::fs::read_to_string(&server).unwrap();
    text.push_str("{% if kv_replica_of %}\nreplicaof {{ kv_replica_of }} 6379\n{% endif %}\n");
    std::fs::write(&server, text).unwrap();
    // The role's default decides the branch away in the render read here.
    let defaults = dir.path().join("roles/kv/defaults/main.yml");
    let mut text = std::fs::read_to_string(&defaults).unwrap();
    text.push_str("kv_replica_of: \"\"\n");
    std::fs::write(&defaults, text).unwrap();
    let (_, found) = check_dir(dir.path(), Target::default());
    let rules: Vec<&str> = found.iter().map(|d| d.rule.name()).collect();
    assert!(rules.contains(&"data-nodes-not-replicating"), "{rules:?}");
    let hosts = dir.path().join("hosts");
    let text = std::fs::read_to_string(&hosts)
        .unwrap()
        .replace("[sentinel_hosts]", "[replicas]\ncache02.lab.internal kv_replica_of=10.1.0.11\ncache03.lab.internal kv_replica_of=10.1.0.11\n\n[sentinel_hosts]");
    std::fs::write(&hosts, text).unwrap();
    let (_, found) = check_dir(dir.path(), Target::default());
    let rules: Vec<&str> = found.iter().map(|d| d.rule.name()).collect();
    assert!(!rules.contains(&"data-nodes-not-replicating"), "{rules:?}");
}

/// A task included only on the first host of a group (`'{{ inventory_hostname }}' ==
/// '{{ kv_first }}'`, the role's default `kv_first: "{{ groups['cache'][0] }}"`): one
/// sentinel of three hosts, with a quorum of 2 it can never reach.
#[test]
fn condition_on_the_first_host_of_a_group() {
    let (ws, found) = rules_and_files("tests/data/ansible-first-host");
    let topology = ws.topology();
    assert_eq!(topology.groups[0].sentinel_count.known(), Some(1));
    let rules: Vec<&str> = found.iter().map(|d| d.rule.name()).collect();
    for rule in [
        "sentinel-count-below-three",
        "quorum-exceeds-sentinel-count",
    ] {
        assert!(rules.contains(&rule), "{rule}: {rules:?}");
    }
}

/// A role that keeps its settings in dictionaries (`cache_sentinel.timings.down_after`)
/// and merges the user's over its own defaults with `set_fact` and `combine`: the
/// template renders with the merged values (a 400 ms down-after is reported there), and
/// a password in the dictionary is never written into the render.
#[test]
fn nested_role_variables_merged_by_set_fact() {
    let (ws, found) = rules_and_files("tests/data/ansible-nested-vars");
    let low = found
        .iter()
        .find(|d| d.rule.name() == "down-after-too-low")
        .expect("down-after-too-low");
    assert!(low.message.contains("400"), "{}", low.message);
    let topology = ws.topology();
    assert_eq!(topology.groups[0].name.as_deref(), Some("primary"));
    assert_eq!(topology.groups[0].host, "10.0.0.11");
    assert_eq!(topology.groups[0].sentinel_count.known(), Some(3));
    let shown = render_full(&ws, &found);
    assert!(!shown.contains("not-a-real-one"), "{shown}");
}

/// Files a playbook writes from its own text (`copy: {content: |…, dest: …}`): the unit
/// is read as a systemd unit (its `Type=simple` beside `daemonize yes` is reported at
/// the playbook's `[Service]` line), and the sentinel config as a config that every host
/// of the play writes (three sentinels).
#[test]
fn files_written_inline_by_copy_tasks() {
    let (ws, found) = rules_and_files("tests/data/ansible-inline-unit");
    let mismatch = found
        .iter()
        .find(|d| d.rule.name() == "systemd-type-daemonize-mismatch")
        .expect("systemd-type-daemonize-mismatch");
    let source = ws.source(mismatch.span.file).unwrap();
    assert!(source.path.ends_with("site.yml"), "{:?}", source.path);
    let at = &source.text()[mismatch.span.start as usize..mismatch.span.end as usize];
    assert_eq!(at, "[Service]");
    assert_eq!(ws.topology().groups[0].sentinel_count.known(), Some(3));
}

/// A unit template that names its binary and config through the role's directory
/// variables (`{{ cache_conf_dir }}/sentinel.conf`): the path is filled in from the
/// role's defaults, so the unit runs the rendered sentinel config, and its
/// `Type=notify` without `supervised systemd` is reported.
#[test]
fn unit_template_paths_from_directory_variables() {
    let (_, found) = rules_and_files("tests/data/ansible-unit-paths");
    let rules: Vec<&str> = found.iter().map(|d| d.rule.name()).collect();
    assert!(
        rules.contains(&"systemd-notify-without-supervision"),
        "{rules:?}"
    );
}

/// A play's `vars:` are the same on every host it runs on: a template that uses them
/// renders the same config everywhere, so three hosts without `replicaof` are three
/// masters (while a variable that only some hosts have, like a `vars:` of the play for
/// the replica group, may make the render differ: see the inventory tests).
#[test]
fn play_variables_are_the_same_on_every_host() {
    let (_, found) = rules_and_files("tests/data/ansible-play-vars");
    let rules: Vec<&str> = found.iter().map(|d| d.rule.name()).collect();
    assert!(rules.contains(&"data-nodes-not-replicating"), "{rules:?}");
}

/// A playbook kept in `playbooks/setup/` with the inventories at the top, named one per
/// layout (`hosts_ha`, and `hosts_standalone` whose sentinel group is empty), and a
/// task file pulled in by the old `include: FILE tags=…` form: three sentinels, so a
/// quorum of 1 is below their majority.
#[test]
fn playbooks_in_subfolders_with_inventories_per_layout() {
    let (ws, found) = rules_and_files("tests/data/ansible-nested-playbooks");
    assert_eq!(ws.topology().groups[0].sentinel_count.known(), Some(3));
    let rules: Vec<&str> = found.iter().map(|d| d.rule.name()).collect();
    assert!(rules.contains(&"quorum-below-majority"), "{rules:?}");
}
