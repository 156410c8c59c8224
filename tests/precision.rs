//! Things that look wrong but are not, each beside a control that is wrong: the finding
//! must appear in the control and not in the case.

mod common;

use common::check_dir;
use redis_halint::Target;
use std::path::Path;

fn rules(dir: &str) -> Vec<&'static str> {
    rules_in(Path::new(&format!("tests/data/precision/{dir}")))
}

/// The rules reported for a folder anywhere (a rule's fixture, a temporary copy).
fn rules_in(dir: &Path) -> Vec<&'static str> {
    let (_, found) = check_dir(dir, Target::default());
    found.iter().map(|d| d.rule.name()).collect()
}

#[test]
fn default_user_off_is_authentication() {
    assert!(rules("acl-off-control").contains(&"sentinel-exposed-unauthenticated"));
    assert!(!rules("acl-off").contains(&"sentinel-exposed-unauthenticated"));
}

#[test]
fn an_aclfile_may_hold_the_password() {
    assert!(rules("aclfile-control").contains(&"protected-mode-blocks-remote"));
    assert!(!rules("aclfile").contains(&"protected-mode-blocks-remote"));
}

/// The official entrypoint chowns its working directory before dropping to uid 999.
#[test]
fn a_config_in_the_working_directory_is_chowned() {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta =
            std::fs::metadata("tests/data/precision/workdir-control/conf/sentinel.conf").unwrap();
        // The control is only wrong when uid 999 cannot write the file.
        if meta.uid() != 999 && meta.mode() & 0o002 == 0 {
            assert!(rules("workdir-control").contains(&"compose-config-not-writable-by-uid"));
        }
    }
    assert!(!rules("workdir").contains(&"compose-config-not-writable-by-uid"));
}

/// A config COPYed into an image built FROM redis:6.0 runs Redis 6.0, where a `bind`
/// line lifts protected mode; the same config on the default target (newest Redis) does not.
#[test]
fn protected_mode_follows_the_release_of_the_image() {
    assert!(!rules("old-protected").contains(&"protected-mode-blocks-remote"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        "tests/data/precision/old-protected/redis.conf",
        dir.path().join("redis.conf"),
    )
    .unwrap();
    std::fs::copy(
        "tests/data/precision/old-protected/sentinel.conf",
        dir.path().join("sentinel.conf"),
    )
    .unwrap();
    let (_, found) = check_dir(dir.path(), Target::default());
    assert!(found
        .iter()
        .any(|d| d.rule.name() == "protected-mode-blocks-remote"));
}

/// A data node whose config file is not in the tree may replicate: nothing is claimed.
/// The same deployment with the replica's command spelled out is reported.
#[test]
fn a_config_outside_the_tree_is_unknown() {
    let found = rules("replica-config-elsewhere");
    assert!(!found.contains(&"data-nodes-not-replicating"), "{found:?}");
    assert!(!found.contains(&"no-replica-to-promote"), "{found:?}");
    let dir = tempfile::tempdir().unwrap();
    let text =
        std::fs::read_to_string("tests/data/precision/replica-config-elsewhere/docker-compose.yml")
            .unwrap()
            .replace(
                "redis-server /opt/redis/redis.conf",
                "redis-server --appendonly yes",
            );
    std::fs::write(dir.path().join("docker-compose.yml"), text).unwrap();
    let (_, found) = check_dir(dir.path(), Target::default());
    assert!(found
        .iter()
        .any(|d| d.rule.name() == "data-nodes-not-replicating"));
}

/// Before 7.0, config.c skips a `save` line that is not exactly one pair (no error);
/// 7.0 made it fatal. The image's release decides.
#[test]
fn save_without_a_pair_is_fatal_only_from_7() {
    let severity_of = |dir: &str| {
        let (_, found) = check_dir(
            Path::new(&format!("tests/data/precision/{dir}")),
            Target::default(),
        );
        found
            .iter()
            .filter(|d| d.rule.name() == "invalid-value")
            .map(|d| (d.severity, d.fatal))
            .collect::<Vec<_>>()
    };
    use redis_halint::Severity;
    assert_eq!(
        severity_of("save-pre7-control"),
        vec![(Severity::Error, true)]
    );
    assert_eq!(severity_of("save-pre7"), vec![(Severity::Info, false)]);
}

/// A directive newer than the image's release is refused by that image only.
#[test]
fn directive_availability_follows_the_image() {
    let (workspace, found) = check_dir(
        Path::new("tests/data/precision/directive-by-image"),
        Target::default(),
    );
    let lines: Vec<u32> = found
        .iter()
        .filter(|d| d.rule.name() == "directive-not-in-version")
        .map(|d| {
            let source = workspace.source(d.span.file).unwrap();
            source.line_col(d.span.start).line
        })
        .collect();
    assert_eq!(lines, vec![5]);
    let message = &found
        .iter()
        .find(|d| d.rule.name() == "directive-not-in-version")
        .unwrap()
        .message;
    assert!(message.contains("6.0.20"), "{message}");
}

/// A replica buffer limit below the backlog dropped replicas before 7.0; since 7.0 Redis
/// raises it to the backlog size (one shared replication buffer).
#[test]
fn replica_buffer_below_backlog_matters_before_7_only() {
    let found_on = |target: &str| {
        let (_, found) = check_dir(
            Path::new("tests/data/precision/replica-buffer"),
            Target::parse(target).unwrap(),
        );
        found
            .iter()
            .filter(|d| d.rule.name() == "replica-output-buffer-too-low")
            .count()
    };
    assert_eq!(found_on("redis-6.2"), 2);
    assert_eq!(found_on("redis-7.0"), 0);
}

/// Per-host compose files of one directory (`docker-compose.yml` with two sentinels,
/// `docker-compose-slave.yml` with the third) are one group of three.
#[test]
fn per_host_compose_files_of_one_folder_are_one_group() {
    assert!(rules("split-hosts-control").contains(&"sentinel-count-below-three"));
    assert!(!rules("split-hosts").contains(&"sentinel-count-below-three"));
}

/// Replicas that reach their master by service name connect from their container
/// address: no NAT between the nodes, whatever the host publishes.
#[test]
fn replicas_by_service_name_are_not_behind_nat() {
    assert!(rules("nat-inside-control").contains(&"nat-without-announce"));
    assert!(!rules("nat-inside").contains(&"nat-without-announce"));
}

/// Sentinels whose config files are not in the checked files make the count unknown;
/// a compose file whose one sentinel is read is a count of one.
#[test]
fn sentinels_with_unread_configs_leave_the_count_open() {
    let control = rules("unread-sentinels-control");
    assert!(
        control.contains(&"sentinel-count-below-three"),
        "{control:?}"
    );
    assert!(
        control.contains(&"quorum-exceeds-sentinel-count"),
        "{control:?}"
    );
    let case = rules("unread-sentinels");
    assert!(!case.contains(&"sentinel-count-below-three"), "{case:?}");
    assert!(!case.contains(&"quorum-exceeds-sentinel-count"), "{case:?}");
}

/// Sentinel cannot run without a config file: one started with flags only in an image
/// this tree does not build brings the image's config, whose password is unknown.
#[test]
fn a_sentinel_config_inside_an_unknown_image_is_unknown() {
    let control = rules("image-config-control");
    assert!(
        control.contains(&"sentinel-exposed-unauthenticated"),
        "{control:?}"
    );
    let case = rules("image-config");
    assert!(
        !case.contains(&"sentinel-exposed-unauthenticated"),
        "{case:?}"
    );
}

/// Docker refuses a second container of one name on a host: two compose projects that
/// both declare `container_name: redis_sentinel_1` describe one container, not two
/// sentinels on one config.
#[test]
fn one_container_name_in_two_projects_is_one_container() {
    let control = rules("alternatives-control");
    assert!(
        control.contains(&"compose-sentinel-shared-config"),
        "{control:?}"
    );
    let case = rules("alternatives");
    assert!(
        !case.contains(&"compose-sentinel-shared-config"),
        "{case:?}"
    );
}

/// On the host's network, 127.0.0.1 is the host where every service listens; in
/// containers of their own, it is each container.
#[test]
fn loopback_is_right_on_the_host_network() {
    let control = rules("loopback-host-network-control");
    assert_eq!(
        control
            .iter()
            .filter(|r| **r == "monitor-loopback-address")
            .count(),
        2,
        "the sentinel's monitor and the replica's replicaof: {control:?}"
    );
    let case = rules("loopback-host-network");
    assert!(!case.contains(&"monitor-loopback-address"), "{case:?}");
}

/// The pods of a StatefulSet that run one config without `replicaof` are independent
/// masters; a start script that builds `--replicaof` for some of them makes replicas.
#[test]
fn statefulset_pods_replicate_only_when_told_to() {
    let control = rules("statefulset-replication-control");
    assert!(
        control.contains(&"data-nodes-not-replicating"),
        "{control:?}"
    );
    let case = rules("statefulset-replication");
    assert!(!case.contains(&"data-nodes-not-replicating"), "{case:?}");
    assert!(!case.contains(&"no-replica-to-promote"), "{case:?}");
}

/// Words that a start script replaces with `sed` are values of the script's, not
/// invalid ones; without the script they are what Sentinel reads.
#[test]
fn sed_placeholders_are_templates() {
    let control = rules("sed-placeholders-control");
    assert!(control.contains(&"invalid-value"));
    assert!(control.contains(&"sentinel-bad-value"));
    assert_eq!(rules("sed-placeholders"), Vec::<&str>::new());
}

/// `docker compose up --scale sentinel=3` in the project's Makefile runs three sentinels.
#[test]
fn a_makefile_scales_the_sentinels() {
    let control = rules("scale-in-makefile-control");
    assert!(control.contains(&"sentinel-count-below-three"));
    assert!(control.contains(&"quorum-exceeds-sentinel-count"));
    let case = rules("scale-in-makefile");
    assert!(!case.contains(&"sentinel-count-below-three"));
    assert!(!case.contains(&"quorum-exceeds-sentinel-count"));
}

/// The passwords of PostgreSQL and RabbitMQ are not Redis credentials.
#[test]
fn other_services_passwords_are_not_ours() {
    assert!(rules("other-passwords-control").contains(&"secrets-in-plaintext-config"));
    assert!(!rules("other-passwords").contains(&"secrets-in-plaintext-config"));
}

/// A replica config kept in a ConfigMap that no workload of the tree runs may run in
/// any number of pods: its replica count is unknown.
#[test]
fn configmap_templates_have_no_count() {
    assert!(rules("configmap-templates-control").contains(&"min-replicas-to-write-too-high"));
    assert!(!rules("configmap-templates").contains(&"min-replicas-to-write-too-high"));
}

/// A sentinel without a password is open to the outside on the host's own network
/// (swarm's external `host` network) and behind a NodePort Service, not behind a
/// ClusterIP one.
#[test]
fn sentinels_exposed_beyond_compose_ports() {
    assert!(rules("exposed-host-network").contains(&"sentinel-exposed-unauthenticated"));
    assert!(rules("exposed-k8s").contains(&"sentinel-exposed-unauthenticated"));
    assert!(!rules("exposed-k8s-control").contains(&"sentinel-exposed-unauthenticated"));
}

/// A sentinel.conf whose master is added on the command line by a start script of the
/// tree (`--sentinel monitor …` after the file) defines it there, not in its lines.
#[test]
fn monitors_from_the_command_line() {
    assert!(
        rules("monitor-on-command-line-control").contains(&"per-master-directive-unknown-master")
    );
    assert!(!rules("monitor-on-command-line").contains(&"per-master-directive-unknown-master"));
}

/// A master in a workload of its own (`redis-primary`) beside a replica workload: it
/// starts as a master every time unless the role Sentinel gives it is kept in a config
/// on its volume claim.
#[test]
fn a_separate_master_workload_is_a_static_master() {
    assert!(rules("separate-master").contains(&"static-master-by-ordinal"));
    assert!(!rules("separate-master-control").contains(&"static-master-by-ordinal"));
}

/// The sentinels' config is rendered from a template by `sed -e … \` over several lines
/// into an emptyDir; a NodePort pins outside clients to the deploy-time master.
#[test]
fn a_separate_master_behind_a_rendered_sentinel_config() {
    let found = rules_in(Path::new(
        "fixtures/clients-via-round-robin-service/bad/pinned-master",
    ));
    assert!(found.contains(&"static-master-by-ordinal"));
    // The Service of the deploy-time master, not the one of the replicas (a read
    // endpoint by design).
    let pinned = found
        .iter()
        .filter(|r| **r == "clients-via-round-robin-service")
        .count();
    assert_eq!(pinned, 1);
}

/// `links: [redis-master:master]` gives the master a second name; `docker-compose -f F
/// scale sentinel=3` in a script runs three sentinels; a config copied into a folder a
/// `RUN mkdir` made is the one the sentinel runs.
#[test]
fn compose_links_scale_commands_and_made_folders() {
    let found = rules("compose-links-scale");
    for rule in [
        "sentinel-count-below-three",
        "quorum-exceeds-sentinel-count",
        "no-replica-to-promote",
        "data-nodes-not-replicating",
    ] {
        assert!(!found.contains(&rule), "{rule}: {found:?}");
    }
    let (ws, _) = check_dir(
        Path::new("tests/data/precision/compose-links-scale"),
        Target::default(),
    );
    let topo = ws.topology();
    let group = &topo.groups[0];
    assert_eq!(
        group.sentinel_count,
        redis_halint::model::topology::SentinelCount::Known(3)
    );
    assert_eq!(group.replicas.len(), 1);
}

/// Sentinels that monitor an IP no manifest declares watch the one replication set of
/// their deployment unit.
#[test]
fn sentinels_monitoring_an_unknown_ip_watch_their_units_master() {
    assert!(rules_in(Path::new(
        "fixtures/static-master-by-ordinal/bad/ip-monitor"
    ))
    .contains(&"static-master-by-ordinal"));
}

/// A workload whose image is built in the tree (named `…-sentinel`, built from
/// `images/sentinel/Dockerfile-sentinel`; the manifest saved with a byte-order mark) runs
/// what the image's start script runs, on the Redis of its `FROM`: 6.0 resolves the
/// monitored host name once at start, 7.2 without `resolve-hostnames` refuses it. The
/// config lives in the image, so a monitor on the command line is not read twice.
#[test]
fn workloads_run_images_built_in_the_tree() {
    let case = rules("image-built");
    assert!(case.contains(&"sentinel-state-not-persistent"));
    for absent in [
        "hostname-monitor-without-resolve-hostnames",
        "sentinel-monitor-appended-at-start",
        "sentinel-count-below-three",
    ] {
        assert!(!case.contains(&absent), "{absent}");
    }
    assert!(rules("image-built-control").contains(&"hostname-monitor-without-resolve-hostnames"));
}

/// A start script that runs three sentinels (and their data nodes) in one container: the
/// service is not one sentinel, and the sentinels restart together, so rewriting their
/// configs leaves no ghost in a surviving peer.
#[test]
fn several_sentinels_in_one_container() {
    let control = rules("one-container-sentinels-control");
    let case = rules("one-container-sentinels");
    for rule in [
        "sentinel-count-below-three",
        "quorum-exceeds-sentinel-count",
        "sentinel-state-not-persistent",
    ] {
        assert!(control.contains(&rule), "{rule}");
        assert!(!case.contains(&rule), "{rule}");
    }
}

/// A compose file laid over the project's own (`docker-compose.override.yml`, or the
/// second `-f` of a launch command) changes the base's services; it is not a second
/// project with a fourth sentinel. A sibling file that nothing lays over is one.
#[test]
fn compose_overrides_are_not_projects() {
    for case in ["compose-override", "compose-override-launch"] {
        assert!(!rules(case).contains(&"sentinel-count-even"), "{case}");
    }
    assert!(rules("compose-override-control").contains(&"sentinel-count-even"));
}

/// A one-host lab (every node and sentinel on 127.0.0.1) binds 0.0.0.0 with protected
/// mode on and no password: its peers come in on loopback, which protected mode admits.
/// The same files pointed at a remote address are refused.
#[test]
fn a_one_host_lab_on_loopback_passes_protected_mode() {
    assert!(rules("loopback-lab-control").contains(&"protected-mode-blocks-remote"));
    assert!(!rules("loopback-lab").contains(&"protected-mode-blocks-remote"));
}

/// A workload runs a script of an image built in the tree (found by the script path the
/// Dockerfile copies in, whatever the image is called), with its role as the first
/// argument: the script picks the master by ordinal and copies the sentinel config over
/// its saved state at every start; with `[ -f … ] ||` it keeps it.
#[test]
fn a_workload_running_the_entrypoint_of_an_image_built_here() {
    let tree = Path::new("fixtures/static-master-by-ordinal/bad/image-entrypoint");
    let found = rules_in(tree);
    assert!(found.contains(&"static-master-by-ordinal"), "{found:?}");
    assert!(
        found.contains(&"sentinel-state-not-persistent"),
        "{found:?}"
    );
    assert!(!found.contains(&"data-nodes-not-replicating"), "{found:?}");
    assert!(!found.contains(&"sentinel-count-below-three"), "{found:?}");
    // The same tree whose script copies only when the file is missing.
    let copy = common::edited_copy(
        tree,
        "scripts/entrypoint.sh",
        "cp /opt/ha/conf/sentinel.conf",
        "[ -f /data/sentinel.conf ] || cp /opt/ha/conf/sentinel.conf",
    );
    let guarded = rules_in(copy.path());
    assert!(
        !guarded.contains(&"sentinel-state-not-persistent"),
        "{guarded:?}"
    );
    let (ws, _) = check_dir(tree, Target::default());
    let topo = ws.topology();
    assert_eq!(
        topo.groups[0].sentinel_count,
        redis_halint::model::topology::SentinelCount::Known(3)
    );
}

/// `command: "/conf/a.conf --sentinel"` on an image derived from the official one is a
/// sentinel; a host port range for one sentinel port starts one sentinel unless the
/// tree scales it (here the README's instructions); a
/// `$NAME` the entrypoint's `sed` fills from a shell variable is not the service's
/// variable of that name.
#[test]
fn compose_launch_forms() {
    let (ws, _) = check_dir(
        Path::new("tests/data/precision/compose-launch-forms"),
        Target::default(),
    );
    let topo = ws.topology();
    assert_eq!(
        topo.groups[0].sentinel_count,
        redis_halint::model::topology::SentinelCount::Known(3)
    );
    let ranged = rules("compose-port-range");
    assert!(ranged.contains(&"sentinel-count-below-three"), "{ranged:?}");
    let scaled = rules("compose-port-range-scaled");
    assert!(
        !scaled.contains(&"sentinel-count-below-three"),
        "{scaled:?}"
    );
    assert!(
        scaled.contains(&"hostnames-without-announce-hostnames"),
        "{scaled:?}"
    );
    let sed = rules("compose-sed-shell-variable");
    assert!(
        !sed.contains(&"hostname-monitor-without-resolve-hostnames"),
        "{sed:?}"
    );
}

/// A master on loopback is watched only from its own host: the lone sentinel config of
/// a one-host lab is the one sentinel there is.
#[test]
fn a_single_host_lab_has_the_sentinels_it_shows() {
    assert!(rules_in(Path::new(
        "fixtures/sentinel-count-below-three/bad/single-host-lab"
    ))
    .contains(&"sentinel-count-below-three"));
}

/// bitnami replication mode without Sentinel: a master on an emptyDir wipes its replicas
/// when it is recreated; in Sentinel mode `master.persistence` is not used.
#[test]
fn bitnami_replication_master_without_volume() {
    assert!(rules_in(Path::new(
        "fixtures/data-dir-ephemeral/bad/bitnami-replication"
    ))
    .contains(&"data-dir-ephemeral"));
    assert!(!rules("bitnami-replication-sentinel").contains(&"data-dir-ephemeral"));
}

/// A workload on an image built from the tree's only Dockerfile (its name says Redis, not
/// which folder): the image runs `bash start.sh` from its working directory, a server on
/// options alone whose `dir` no volume holds.
#[test]
fn an_image_script_run_from_the_working_directory() {
    assert!(rules_in(Path::new(
        "fixtures/data-dir-ephemeral/bad/image-workdir-script"
    ))
    .contains(&"data-dir-ephemeral"));
}

/// A Deployment named `redis-slave` on the stock image with no arguments is a second
/// master; the same one given `--replicaof` is a replica, and two standalone nodes whose
/// names say nothing of replication (a cache and a queue) are two deployments.
#[test]
fn a_replica_by_name_only() {
    let tree = Path::new("fixtures/data-nodes-not-replicating/bad/guestbook");
    assert!(rules_in(tree).contains(&"data-nodes-not-replicating"));
    for (from, to) in [
        (
            "        - name: slave\n          image: redis:7.2\n",
            "        - name: slave\n          image: redis:7.2\n          args: [\"--replicaof\", \"redis-master\", \"6379\"]\n",
        ),
        ("slave", "queue"),
    ] {
        let copy = common::edited_copy(tree, "redis.yaml", from, to);
        let found = rules_in(copy.path());
        assert!(!found.contains(&"data-nodes-not-replicating"), "{to}: {found:?}");
    }
}

/// Start scripts that copy one of two templates (chosen by a variable) into the
/// container's own filesystem and append the password: the StatefulSet's three
/// sentinels run them, and the data nodes have a password.
#[test]
fn a_script_copies_one_of_two_templates() {
    let found = rules("script-alternatives");
    for wrong in [
        "sentinel-count-below-three",
        "protected-mode-blocks-remote",
        "data-nodes-not-replicating",
    ] {
        assert!(!found.contains(&wrong), "{wrong}: {found:?}");
    }
    // Copied from the template at every start onto the container's own filesystem.
    assert!(
        found.contains(&"sentinel-state-not-persistent"),
        "{found:?}"
    );
    let (ws, _) = check_dir(
        Path::new("tests/data/precision/script-alternatives"),
        Target::default(),
    );
    assert_eq!(
        ws.topology().groups[0].sentinel_count,
        redis_halint::model::topology::SentinelCount::Known(3)
    );
}

/// Sentinel pods that run a config on a volume claim filled from outside: the sentinel
/// config of the tree that nothing runs may be theirs, in any number of pods.
#[test]
fn a_sentinel_config_on_a_claim() {
    let found = rules("sentinel-config-on-claim");
    assert!(!found.contains(&"sentinel-count-below-three"), "{found:?}");
    assert!(
        !found.contains(&"quorum-exceeds-sentinel-count"),
        "{found:?}"
    );
}

/// An Ansible role's Jinja template is read as the config it renders, its markup as
/// run-time values; the release the role installs (`redis_version` in its defaults) is
/// the one its processes run: `bind` lifts protected mode before Redis 7.0.
#[test]
fn a_jinja_template_of_a_role_with_its_release() {
    let tree = Path::new("tests/data/precision/jinja-role");
    let found = rules_in(tree);
    assert!(
        !found.contains(&"protected-mode-blocks-remote"),
        "{found:?}"
    );
    assert!(!found.contains(&"unbalanced-quotes"), "{found:?}");
    assert!(!found.contains(&"unknown-directive"), "{found:?}");
    let copy = common::edited_copy(tree, "roles/redis/defaults/main.yml", "6.2.2", "7.2.5");
    let newer = rules_in(copy.path());
    assert!(newer.contains(&"protected-mode-blocks-remote"), "{newer:?}");
    // Written as the source folder the role builds in (`redis-6.2.2`): the same release.
    let folder = common::edited_copy(
        tree,
        "roles/redis/defaults/main.yml",
        "6.2.2",
        "redis-6.2.2",
    );
    let found = rules_in(folder.path());
    assert!(
        !found.contains(&"protected-mode-blocks-remote"),
        "{found:?}"
    );
}

/// A role's template renders `requirepass {{ redis_password }}`: a literal value in the
/// role's defaults is a password in version control (shown masked); one taken from a
/// vaulted variable is not.
#[test]
fn a_role_variable_that_holds_a_password() {
    let tree = Path::new("fixtures/secrets-in-plaintext-config/bad/ansible-role");
    let (ws, found) = check_dir(tree, Target::default());
    let d = found
        .iter()
        .find(|d| d.rule.name() == "secrets-in-plaintext-config")
        .expect("reported");
    let shown = common::render_full(&ws, std::slice::from_ref(d));
    assert!(!shown.contains("Sup3rSecret"), "{shown}");
    let vaulted = common::edited_copy(
        tree,
        "roles/redis/defaults/main.yml",
        "\"Sup3rSecret!\"",
        "\"{{ vault_redis_password }}\"",
    );
    assert!(!rules_in(vaulted.path()).contains(&"secrets-in-plaintext-config"));
}

/// redis-stack images read their options from `REDIS_ARGS`: a replica there replicates,
/// and a master's password options are its own (without the variable read, neither
/// node would say anything).
#[test]
fn redis_stack_reads_redis_args() {
    let tree = Path::new("tests/data/precision/redis-stack-args");
    let (ws, found) = check_dir(tree, Target::default());
    assert_eq!(ws.topology().groups[0].replica_count, Some(1));
    let names: Vec<&str> = found.iter().map(|d| d.rule.name()).collect();
    assert!(!names.contains(&"masterauth-missing"), "{names:?}");
    let primary = &ws.topology().nodes[ws.topology().groups[0].master.unwrap()];
    assert!(primary.password.is_some() && primary.masterauth.is_some());
}

/// A host script that writes its sentinel config in either branch of an `if`: one
/// sentinel per host that runs it, in any number of hosts, never two per script.
#[test]
fn one_path_written_in_two_branches_is_one_sentinel_per_host() {
    let found = rules("host-script-branches");
    for wrong in ["sentinel-count-even", "sentinel-count-below-three"] {
        assert!(!found.contains(&wrong), "{wrong}: {found:?}");
    }
    let (ws, _) = check_dir(
        Path::new("tests/data/precision/host-script-branches"),
        Target::default(),
    );
    assert!(
        ws.topology().groups[0].sentinel_count.known().is_none(),
        "{:?}",
        ws.topology().groups[0].sentinel_count
    );
}

/// Protected mode with `bind 0.0.0.0` on Redis 7: remote clients are turned away (so
/// its peers are too, which protected-mode-blocks-remote reports), nobody is let in.
#[test]
fn protected_mode_with_bind_is_not_exposure_on_7() {
    let found = rules("protected-host");
    assert!(
        !found.contains(&"sentinel-exposed-unauthenticated"),
        "{found:?}"
    );
    assert!(found.contains(&"protected-mode-blocks-remote"), "{found:?}");
}

/// A tree with no container: its sentinel configs run on hosts, where no `bind` and
/// Sentinel's default protected mode (off) open the port to every network. Salt's Jinja
/// (`{{ pillar['a']['b'] }}`, `{%- if %}`) is neutral markup, and an upstart job named
/// like a sentinel config is no config. The same config run by compose behind a port
/// published on loopback is not exposed.
#[test]
fn host_sentinels_without_bind_are_exposed() {
    let found = rules("hosts-only-sentinel");
    assert!(
        found.contains(&"sentinel-exposed-unauthenticated"),
        "{found:?}"
    );
    assert!(!found.contains(&"unbalanced-quotes"), "{found:?}");
    assert!(!found.contains(&"unknown-directive"), "{found:?}");
    let control = rules("hosts-only-sentinel-control");
    assert!(
        !control.contains(&"sentinel-exposed-unauthenticated"),
        "{control:?}"
    );
}

/// Under `Type=notify` with `supervised systemd`, Redis stays in the foreground even with
/// `daemonize yes` (server.c: `background = daemonize && !supervised`); under
/// `Type=simple` systemd sets no NOTIFY_SOCKET, so the same config forks.
#[test]
fn supervised_redis_under_notify_does_not_fork() {
    assert!(!rules("notify-daemonize").contains(&"systemd-type-daemonize-mismatch"));
    assert!(rules("notify-daemonize-control").contains(&"systemd-type-daemonize-mismatch"));
}

/// A sentinel listening on every interface is exposed on the machines a tree provisions
/// (here a Vagrantfile's VMs on a public network) even when it watches its own host's
/// master; the same config alone is a one-host lab on loopback.
#[test]
fn provisioned_hosts_expose_sentinels_that_watch_loopback() {
    let found = rules("hosts-loopback-monitor");
    assert!(
        found.contains(&"sentinel-exposed-unauthenticated"),
        "{found:?}"
    );
    let control = rules("hosts-loopback-monitor-control");
    assert!(
        !control.contains(&"sentinel-exposed-unauthenticated"),
        "{control:?}"
    );
}

/// A host whose release nothing names runs the release whose stock `redis.conf` its
/// config copies (here 3.2's): before 7.0 a `bind` lifts protected mode. A directive
/// that release does not know (`replica-announce-ip`, 5.0) means the host runs something
/// newer, so the newest release's rule applies again.
#[test]
fn a_stock_config_copy_names_the_release_of_its_host() {
    assert!(!rules("stock-3-2-copy").contains(&"protected-mode-blocks-remote"));
    assert!(rules("stock-3-2-copy-control").contains(&"protected-mode-blocks-remote"));
}

/// An Ansible role's template takes the playbook's `group_vars/all` over the role's
/// defaults: here they open the sentinel to the network (`bind 0.0.0.0`, protected mode
/// off); without them the role's loopback defaults apply.
#[test]
fn group_vars_all_override_role_defaults() {
    assert!(rules("ansible-group-vars").contains(&"sentinel-exposed-unauthenticated"));
    assert!(!rules("ansible-group-vars-control").contains(&"sentinel-exposed-unauthenticated"));
}

/// Manifests filed by kind (`services/`, `workloads/`): a Service selects the workloads
/// of its parent folder when its own holds none, so `redis-master` is the master's pod
/// and its separate, always-master workload is found; a Service selecting nothing there
/// names no pod.
#[test]
fn a_service_in_a_folder_of_its_own_selects_the_workloads_beside_it() {
    assert!(rules("k8s-by-kind-folders").contains(&"static-master-by-ordinal"));
    assert!(!rules("k8s-by-kind-folders-control").contains(&"static-master-by-ordinal"));
}

/// An image's entrypoint fills `%%NAME%%` placeholders of its baked config with `sed`
/// from variables: the service's environment over the Dockerfile's `ENV` gives the
/// values (quorum 4 of 3 sentinels here), and the placeholders are no bad values.
#[test]
fn sed_placeholders_take_the_environments_values() {
    let (ws, diagnostics) = check_dir(
        Path::new("tests/data/precision/compose-sed-variables"),
        Target::default(),
    );
    let found: Vec<&str> = diagnostics.iter().map(|d| d.rule.name()).collect();
    assert!(
        found.contains(&"quorum-exceeds-sentinel-count"),
        "{found:?}"
    );
    // Reported where the value is set: the service's `QUORUM=4`.
    let quorum = diagnostics
        .iter()
        .find(|d| d.rule.name() == "quorum-exceeds-sentinel-count")
        .unwrap();
    let source = ws.source(quorum.span.file).unwrap();
    assert!(source.path.ends_with("docker-compose.yml"));
    assert_eq!(&source.text()[quorum.span.range()], "4");
    assert!(!found.contains(&"sentinel-bad-value"), "{found:?}");
    let control = rules("compose-sed-variables-control");
    assert!(
        !control.contains(&"quorum-exceeds-sentinel-count"),
        "{control:?}"
    );
    assert!(!control.contains(&"sentinel-bad-value"), "{control:?}");
}

/// A compose project that runs one sentinel announcing its host's address and watching
/// a master outside the project is one host's share of a deployment brought up on each
/// server (its addresses come from the server's environment): how many sentinels run is
/// not written, so no count rule speaks. The same project watching its own service, or
/// with its addresses written out, is a deployment of one sentinel.
#[test]
fn a_compose_project_per_host_leaves_the_sentinel_count_open() {
    let found = rules("compose-one-host-of-many");
    assert!(!found.contains(&"sentinel-count-below-three"), "{found:?}");
    assert!(
        !found.contains(&"quorum-exceeds-sentinel-count"),
        "{found:?}"
    );
    let control = rules("compose-one-host-of-many-control");
    assert!(
        control.contains(&"sentinel-count-below-three"),
        "{control:?}"
    );
    // Addresses written out (no per-server variable): one deployment of one sentinel,
    // even on the host's network and watching an address no service answers to.
    let literal = rules("compose-one-host-literal");
    assert!(
        literal.contains(&"sentinel-count-below-three"),
        "{literal:?}"
    );
    assert!(
        literal.contains(&"quorum-exceeds-sentinel-count"),
        "{literal:?}"
    );
}

/// Hosts a Vagrantfile provisions with the distribution's own package run that
/// distribution's release (Ubuntu 24.04: 7.0.15, 22.04: 6.0.16), with protected mode on
/// by default (only the official image turns it off): from 7.0 a `bind` no longer lifts
/// it, so replicas and sentinels on the other machines are refused.
#[test]
fn hosts_run_their_distributions_release_with_protected_mode_on() {
    let found = rules("host-distro-release");
    assert!(found.contains(&"protected-mode-blocks-remote"), "{found:?}");
    let control = rules("host-distro-release-control");
    assert!(
        !control.contains(&"protected-mode-blocks-remote"),
        "{control:?}"
    );
    // 6.0 does not know `sentinel sentinel-pass` (6.2).
    assert!(control.contains(&"directive-not-in-version"), "{control:?}");
}

/// Replicas that announce a host name to sentinels that watch their master by IP and
/// accept IP addresses only: the sentinels cannot add them (from 6.2), so each such
/// announce line is reported; with `resolve-hostnames yes` they can.
#[test]
fn replicas_announcing_names_need_sentinels_that_resolve() {
    let found = rules("replica-announces-name");
    assert_eq!(
        found
            .iter()
            .filter(|r| **r == "hostname-monitor-without-resolve-hostnames")
            .count(),
        2,
        "{found:?}"
    );
    let control = rules("replica-announces-name-control");
    assert!(
        !control.contains(&"hostname-monitor-without-resolve-hostnames"),
        "{control:?}"
    );
    // How the finding reads, at each replica's announce line.
    let (ws, found) = check_dir(
        Path::new("tests/data/precision/replica-announces-name"),
        Target::default(),
    );
    insta::assert_snapshot!("replica_announces_name", common::render_full(&ws, &found));
}

/// A sentinel that listens on TLS only (`port 0`) and requires client certificates
/// (`tls-auth-clients` defaults to yes) is not open to whoever reaches its published
/// port; with `tls-auth-clients no` it is, on its TLS port.
#[test]
fn client_certificates_close_a_tls_only_sentinel() {
    let found = rules("sentinel-tls-client-certs");
    assert!(
        !found.contains(&"sentinel-exposed-unauthenticated"),
        "{found:?}"
    );
    let control = rules("sentinel-tls-client-certs-control");
    assert!(
        control.contains(&"sentinel-exposed-unauthenticated"),
        "{control:?}"
    );
}

/// Sentinel before 5.0.1 kept Redis's compiled-in default, protected mode on: on hosts
/// that install Ubuntu 18.04's package (4.0.9, an Ansible `apt` task naming it on the
/// line below), a sentinel without `bind` or password refuses its peers. Ubuntu 20.04's
/// 5.0.7 turned it off: that sentinel is open instead.
#[test]
fn old_packaged_sentinels_keep_protected_mode_on() {
    let found = rules("hosts-old-sentinel");
    assert!(found.contains(&"protected-mode-blocks-remote"), "{found:?}");
    assert!(
        !found.contains(&"sentinel-exposed-unauthenticated"),
        "{found:?}"
    );
    let control = rules("hosts-old-sentinel-control");
    assert!(
        !control.contains(&"protected-mode-blocks-remote"),
        "{control:?}"
    );
    assert!(
        control.contains(&"sentinel-exposed-unauthenticated"),
        "{control:?}"
    );
}

/// A master config on provisioned hosts whose replicas are made at run time
/// (`redis-cli replicaof`): the sentinel beside it watches it over the network, so the
/// compiled-in protected mode refuses them all. With `protected-mode no` it does not.
#[test]
fn a_master_watched_over_the_network_is_remote() {
    let dir = Path::new("tests/data/precision/hosts-master-by-hand");
    let (ws, found) = check_dir(dir, Target::default());
    let d = found
        .iter()
        .find(|d| d.rule.name() == "protected-mode-blocks-remote")
        .expect("reported");
    assert!(ws.source(d.span.file).unwrap().path.ends_with("kv.conf"));
    assert!(d.related.iter().any(|l| ws
        .source(l.span.file)
        .unwrap()
        .path
        .ends_with("sentinel.conf")));
    let control = rules("hosts-master-by-hand-control");
    assert!(
        !control.contains(&"protected-mode-blocks-remote"),
        "{control:?}"
    );
}

/// Hosts that install Debian's `redis-server` package run the rendered config under the
/// package's unit, which restarts it (`Restart=always`): a template that also renders the
/// master (its `replicaof` inside an `{% if %}`) with persistence off is reported at its
/// `save ""`, with the install task as evidence. With `appendonly yes` it is not.
#[test]
fn the_packaged_unit_restarts_an_empty_master() {
    let dir = Path::new("tests/data/precision/apt-server-no-persistence");
    let (ws, found) = check_dir(dir, Target::default());
    let d = found
        .iter()
        .find(|d| d.rule.name() == "persistence-off-with-auto-restart")
        .expect("reported");
    assert!(ws
        .source(d.span.file)
        .unwrap()
        .path
        .ends_with("redis.conf.j2"));
    assert!(d
        .related
        .iter()
        .any(|l| ws.source(l.span.file).unwrap().path.ends_with("main.yml")));
    let control = rules("apt-server-no-persistence-control");
    assert!(
        !control.contains(&"persistence-off-with-auto-restart"),
        "{control:?}"
    );
}

/// VMs a Vagrantfile provisions by itself (shell provisioners) are the deployment: a
/// sentinel port forwarded without `host_ip` is open on every interface of the machine
/// running them, and reported at that line; VMs on a host-only network with the port
/// forwarded to loopback are reached from that machine alone.
#[test]
fn vagrant_networks_decide_who_reaches_a_sentinel() {
    let (ws, found) = check_dir(
        Path::new("tests/data/precision/vagrant-forwarded"),
        Target::default(),
    );
    let exposed: Vec<String> = found
        .iter()
        .filter(|d| d.rule.name() == "sentinel-exposed-unauthenticated")
        .map(|d| {
            let s = ws.source(d.span.file).unwrap();
            let name = s.path.file_name().unwrap().to_string_lossy().into_owned();
            format!("{name}:{}", s.line_col(d.span.start).line)
        })
        .collect();
    assert_eq!(exposed, ["Vagrantfile:8"]);
    let private = rules("vagrant-private");
    assert!(
        !private.contains(&"sentinel-exposed-unauthenticated"),
        "{private:?}"
    );
}

/// A start script run with arguments (`command: sh /sentinel/run_sentinel.sh sentinel1`)
/// reads them as `$1`: each sentinel copies and runs its own file, so the three do not
/// share a config, and the image's release (6.0, which resolves host names when it
/// loads the file) applies to each.
#[test]
fn script_arguments_name_each_sentinels_own_config() {
    let found = rules("compose-script-arguments");
    for rule in [
        "compose-sentinel-shared-config",
        "hostname-monitor-without-resolve-hostnames",
    ] {
        assert!(!found.contains(&rule), "{found:?}");
    }
    assert_eq!(
        found
            .iter()
            .filter(|r| **r == "compose-startup-race")
            .count(),
        3,
        "{found:?}"
    );
}

/// A config put into a ConfigMap by `kubectl create configmap … --from-file` (here in a
/// README's instructions, continued over lines, the name after the options) is that
/// key: the workload that mounts it runs it, with the workload's image. Redis 5.0
/// resolves the monitored host name when it loads the file.
#[test]
fn configmaps_created_from_files_are_keys_of_their_workloads() {
    let found = rules("kubectl-from-file");
    assert!(
        !found.contains(&"hostname-monitor-without-resolve-hostnames"),
        "{found:?}"
    );
    assert!(
        found.contains(&"sentinel-config-readonly-mount"),
        "{found:?}"
    );
}

/// `kubectl scale statefulset sentinel --replicas=3` in the folder's instructions (or a
/// script) sets how many pods run: the manifest's `replicas: 1` is the first step only.
/// Every rule counts what runs.
#[test]
fn kubectl_scale_sets_the_count() {
    let found = rules("kubectl-scale");
    for rule in [
        "sentinel-count-below-three",
        "quorum-exceeds-sentinel-count",
    ] {
        assert!(!found.contains(&rule), "{found:?}");
    }
    // Three pods with nothing to spread them: the count that runs, not the manifest's.
    assert!(
        found.contains(&"sentinels-single-failure-domain"),
        "{found:?}"
    );
}

/// A finding may now point into a README's instructions (`kubectl scale`): a password
/// written a line above it is shown masked, never as written.
#[test]
fn passwords_in_instructions_are_never_shown() {
    let (ws, found) = check_dir(
        Path::new("tests/data/precision/kubectl-scale-secret"),
        Target::default(),
    );
    let at_readme = found.iter().any(|d| {
        d.rule.name() == "sentinel-count-below-three"
            && ws.source(d.span.file).unwrap().path.ends_with("README.md")
    });
    assert!(at_readme);
    let shown = common::render_full(&ws, &found);
    assert!(
        shown.contains("kubectl create secret generic redis-auth"),
        "{shown}"
    );
    assert!(!shown.contains("not-shown-4821"), "{shown}");
}

/// A ReplicationController counts the bare pod its selector matches (the bootstrap pod of
/// Kubernetes' classic sentinel example) as one of its replicas; a bare pod the
/// instructions delete runs nothing in the deployment that stays. Either way three
/// sentinels run, not four.
#[test]
fn controllers_adopt_bare_pods_and_deleted_pods_run_nothing() {
    for case in ["rc-adopts-bootstrap-pod", "rc-bootstrap-pod-deleted"] {
        let found = rules(case);
        for rule in ["sentinel-count-even", "sentinel-count-below-three"] {
            assert!(!found.contains(&rule), "{case}: {found:?}");
        }
        assert!(
            found.contains(&"sentinels-single-failure-domain"),
            "{case}: {found:?}"
        );
    }
}

/// Start scripts put into ConfigMap keys by `kubectl create configmap --from-file`
/// (the README's instructions) are the scripts the containers run: the data script's
/// role test by pod name is static-master-by-ordinal, and the sentinel script's copy
/// of every config of the mounted folder at each start loses the sentinel's state.
#[test]
fn scripts_created_from_files_are_start_scripts() {
    let found = rules("from-file-scripts");
    for rule in ["static-master-by-ordinal", "sentinel-state-not-persistent"] {
        assert!(found.contains(&rule), "{found:?}");
    }
}

/// A chart's quorum that a deploy-time substitution fills (`"${SENTINEL_QUORUM}"`) is
/// unknown, never the chart's default of 2; one written as a string (`"2"`) is a number.
#[test]
fn substituted_chart_quorum_is_unknown() {
    assert!(!rules("bitnami-quorum-substituted").contains(&"quorum-below-majority"));
    assert!(rules("bitnami-quorum-quoted").contains(&"quorum-below-majority"));
}

/// A master with a password whose replicas set none: the replicas are reported (once
/// promoted they serve without a password), not the master's missing masterauth (the
/// masters it could follow after a failover ask for no password).
#[test]
fn replicas_without_a_password_not_the_masters_masterauth() {
    let found = rules_in(Path::new(
        "fixtures/group-password-not-uniform/bad/open-replicas",
    ));
    assert_eq!(
        found
            .iter()
            .filter(|r| **r == "group-password-not-uniform")
            .count(),
        2,
        "{found:?}"
    );
    assert!(!found.contains(&"masterauth-missing"), "{found:?}");
    // With a replica that does require the password, the master needs masterauth.
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir("fixtures/group-password-not-uniform/bad/open-replicas").unwrap()
    {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    let replica = dir.path().join("redis-replica-1.conf");
    let text = std::fs::read_to_string(&replica).unwrap();
    std::fs::write(&replica, format!("{text}requirepass example-pass-2\n")).unwrap();
    let found = rules_in(dir.path());
    assert!(found.contains(&"masterauth-missing"), "{found:?}");
}

/// A sentinel config that detaches itself (`daemonize yes`) in a folder with no
/// container around it runs on a host: with protected mode off and no password it is
/// open to the network. The same file mounted by a compose project beside it is the
/// container's, judged by what the project publishes.
#[test]
fn a_daemonized_sentinel_outside_containers_runs_on_a_host() {
    let found = rules("daemonized-host-sentinel");
    assert!(
        found.contains(&"sentinel-exposed-unauthenticated"),
        "{found:?}"
    );
    let control = rules("daemonized-host-sentinel-control");
    assert!(
        !control.contains(&"sentinel-exposed-unauthenticated"),
        "{control:?}"
    );
    let in_compose = rules("daemonized-sentinel-in-compose");
    assert!(
        !in_compose.contains(&"sentinel-exposed-unauthenticated"),
        "{in_compose:?}"
    );
}

/// A compose project with one sentinel that announces the host's address and watches a
/// master given per host is one host's share: its sentinel count is not known. When the
/// announced variable is one the container does not have, the start script writes no
/// `announce-ip`, and the project is the whole deployment.
#[test]
fn one_hosts_share_announces_the_host() {
    assert!(rules("one-host-share-control").contains(&"sentinel-count-below-three"));
    assert!(!rules("one-host-share").contains(&"sentinel-count-below-three"));
}

/// Monitor addresses filled in at start (`$(MY_POD_IP)`, a port from a ConfigMap) are
/// not known to differ; written-out addresses that differ are.
#[test]
fn addresses_filled_in_at_start_are_not_compared() {
    assert!(
        rules("monitor-filled-at-start-control").contains(&"monitor-inconsistent-across-sentinels")
    );
    assert!(!rules("monitor-filled-at-start").contains(&"monitor-inconsistent-across-sentinels"));
}
