//! docker-compose as a whole: interpolation from `.env`, bitnami images read from their
//! environment, and a correct deployment that is clean.

mod common;

use common::{check_dir, render_full, workspace_for};
use redis_halint::facts::Password;
use redis_halint::formats::compose::{interpolate, parse_env_file};
use redis_halint::{Severity, Target};
use std::path::{Path, PathBuf};

#[test]
fn interpolation_forms() {
    let vars = parse_env_file("# c\nA=1\nB=\"two words\"\nE=\nexport C='x'\n");
    let i = |s: &str| interpolate(s, &vars);
    assert_eq!(i("${A}-$A").as_deref(), Some("1-1"));
    assert_eq!(i("${B}").as_deref(), Some("two words"));
    assert_eq!(i("${C}").as_deref(), Some("x"));
    assert_eq!(i("${MISSING:-d}").as_deref(), Some("d"));
    assert_eq!(i("${E:-d}").as_deref(), Some("d"));
    assert_eq!(i("${E-d}").as_deref(), Some(""));
    assert_eq!(i("${A:+yes}").as_deref(), Some("yes"));
    assert_eq!(i("$$A").as_deref(), Some("$A"));
    // Unresolved: unknown, never a wrong value.
    assert_eq!(i("${MISSING}"), None);
    assert_eq!(i("${MISSING?required}"), None);
    assert_eq!(i("${A?required}").as_deref(), Some("1"));
    // Defaults that are themselves interpolated.
    assert_eq!(i("${MISSING:-${A}}:6379").as_deref(), Some("1:6379"));
    assert_eq!(i("${X:-${Y:-${C}}}").as_deref(), Some("x"));
    assert_eq!(i("${A:-${MISSING}}").as_deref(), Some("1"));
    assert_eq!(i("${MISSING:-${OTHER}}"), None);
    assert_eq!(i("${A:+${C}}").as_deref(), Some("x"));
}

#[test]
fn env_file_values_reach_command_and_volumes() {
    let ws = workspace_for(
        &[PathBuf::from("tests/data/compose-env")],
        Target::default(),
    );
    let topo = ws.topology();
    let master = topo
        .nodes
        .iter()
        .find(|n| n.name.contains("redis-master"))
        .expect("the master service is a node");
    assert_eq!(master.port.as_ref().map(|p| p.value), Some(6380));
    assert_eq!(
        master.password.as_ref().map(|p| p.value.clone()),
        Some(Password::Literal("env-file-secret".into()))
    );
    // `${CONF_DIR:-./sentinel}` resolves to the directory holding sentinel.conf.
    assert_eq!(topo.sentinels.len(), 3);
    assert!(topo.sentinels.iter().all(|s| s.resolves_hostnames()));
}

#[test]
fn bitnami_images_by_environment() {
    let dir = Path::new("tests/data/compose-bitnami");
    let (ws, diagnostics) = check_dir(dir, Target::default());
    let topo = ws.topology();
    assert_eq!(topo.sentinels.len(), 2);
    let monitor = &topo.sentinels[0].monitors[0];
    assert_eq!(monitor.name.value, "cache");
    assert_eq!(monitor.host.value, "redis-master");
    assert_eq!(monitor.quorum.value, 2);
    assert!(monitor.auth_pass.is_some());
    let replica = topo
        .nodes
        .iter()
        .find(|n| n.name.contains("redis-replica"))
        .unwrap();
    assert_eq!(
        replica.replicaof.as_ref().map(|r| r.host.value.as_str()),
        Some("redis-master")
    );
    let rules: Vec<&str> = diagnostics.iter().map(|d| d.rule.name()).collect();
    for rule in [
        "sentinel-count-below-three",
        "group-password-not-uniform",
        "sentinel-auth-pass-mismatch",
    ] {
        assert!(rules.contains(&rule), "{rule} missing in {rules:?}");
    }
    let output = render_full(&ws, &diagnostics);
    assert!(!output.contains("bitnami-master-secret"), "{output}");
    assert!(!output.contains("bitnami-replica-secret"), "{output}");
}

#[test]
fn correct_compose_deployment_is_clean() {
    // Per-sentinel writable directories, hostnames mode, one password from `.env`,
    // authenticated healthchecks, depends_on service_healthy.
    let (ws, diagnostics) = check_dir(
        Path::new("fixtures/examples/compose-correct"),
        Target::default(),
    );
    let loud: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.severity >= Severity::Warning)
        .map(|d| format!("{} {}", d.rule.name(), d.message))
        .collect();
    assert!(loud.is_empty(), "{loud:?}");
    assert_eq!(ws.topology().sentinels.len(), 3);
    assert_eq!(ws.topology().nodes.len(), 3);
}

#[test]
fn seed_docker_keeps_its_findings_and_hides_passwords() {
    let dir = Path::new("/work/shared/seed-configs/docker");
    if !dir.is_dir() {
        return;
    }
    let (ws, diagnostics) = check_dir(dir, Target::default());
    let rules: Vec<&str> = diagnostics.iter().map(|d| d.rule.name()).collect();
    for rule in [
        "hostname-monitor-without-resolve-hostnames",
        "group-password-not-uniform",
        "compose-sentinel-single-file-bind",
        "secrets-in-plaintext-config",
    ] {
        assert!(rules.contains(&rule), "{rule} missing in {rules:?}");
    }
    let output = render_full(&ws, &diagnostics);
    for line in std::fs::read_to_string(dir.join("docker-compose.yml"))
        .unwrap()
        .lines()
    {
        if let Some(pass) = line.trim().strip_prefix("--requirepass ") {
            assert!(!output.contains(pass.trim()), "password shown");
        }
    }
}

/// A compose file lists every process of its project: one sentinel service is one
/// sentinel (a known count), `deploy.replicas: 3` is three, and a replica count left to
/// an unset variable or a lone sentinel.conf says nothing about the count.
#[test]
fn compose_services_give_known_sentinel_counts() {
    let rules = |dir: &str| -> Vec<&'static str> {
        let (_, found) = check_dir(
            Path::new(&format!("tests/data/compose-counts/{dir}")),
            Target::default(),
        );
        found.iter().map(|d| d.rule.name()).collect()
    };
    let one = rules("one-bitnami");
    assert!(one.contains(&"sentinel-count-below-three"), "{one:?}");
    // The image's default quorum of 2 can never be reached by one sentinel.
    assert!(one.contains(&"quorum-exceeds-sentinel-count"), "{one:?}");
    let scaled = rules("scaled");
    assert!(
        !scaled.contains(&"sentinel-count-below-three"),
        "{scaled:?}"
    );
    assert!(
        !scaled.contains(&"quorum-exceeds-sentinel-count"),
        "{scaled:?}"
    );
    for dir in ["unknown-scale", "loose"] {
        let found = rules(dir);
        assert!(
            !found.contains(&"sentinel-count-below-three"),
            "{dir}: {found:?}"
        );
        assert!(
            !found.contains(&"quorum-exceeds-sentinel-count"),
            "{dir}: {found:?}"
        );
    }
}

/// `build:` runs the Dockerfile: its FROM is the release (5.0.6 here, from an ARG), its
/// ENTRYPOINT the process, and the sentinel.conf it COPYs the config. Services that use
/// the built image's tag run the same build.
#[test]
fn built_images_run_their_dockerfile() {
    let dir = Path::new("tests/data/compose-dockerfile");
    let ws = workspace_for(&[dir.to_path_buf()], Target::default());
    let topo = ws.topology();
    assert_eq!(
        topo.sentinels.len(),
        3,
        "{:?}",
        topo.sentinels.iter().map(|s| &s.name).collect::<Vec<_>>()
    );
    for s in &topo.sentinels {
        assert_eq!(
            s.monitors.len(),
            1,
            "{} runs the copied sentinel.conf",
            s.name
        );
        let release = s
            .runtime
            .release
            .as_ref()
            .expect("a release from the Dockerfile");
        assert_eq!(release.value.to_string(), "Redis 5.0.6");
    }
    // Sentinel 5 resolves `primary` itself when it loads the file.
    let (_, found) = check_dir(dir, Target::default());
    let rules: Vec<&str> = found.iter().map(|d| d.rule.name()).collect();
    assert!(
        !rules.contains(&"hostname-monitor-without-resolve-hostnames"),
        "{rules:?}"
    );
    assert!(!rules.contains(&"sentinel-count-below-three"), "{rules:?}");
}

/// Version 1 compose files list their services at the top level.
#[test]
fn version_1_files_are_compose_files() {
    let ws = workspace_for(&[PathBuf::from("tests/data/compose-v1")], Target::default());
    let topo = ws.topology();
    assert_eq!(topo.sentinels.len(), 1);
    assert!(
        topo.sentinels[0].name.contains("service `sentinel`"),
        "{}",
        topo.sentinels[0].name
    );
    assert!(topo
        .nodes
        .iter()
        .any(|n| n.name.contains("service `master`")));
}

/// `sh -c` start scripts: the program they run is the process (a sentinel here), and a
/// config written afresh at every start without `sentinel myid` loses the sentinel's
/// identity; `REDIS_EXTRA_FLAGS` are options of bitnami's redis-server.
#[test]
fn start_scripts_and_extra_flags() {
    let dir = Path::new("tests/data/compose-scripts");
    let ws = workspace_for(&[dir.to_path_buf()], Target::default());
    let topo = ws.topology();
    assert_eq!(topo.sentinels.len(), 3, "every script runs a sentinel");
    let primary = topo
        .nodes
        .iter()
        .find(|n| n.name.contains("`primary`"))
        .unwrap();
    assert_eq!(
        primary.min_replicas_to_write.as_ref().map(|v| v.value),
        Some(3)
    );
    let (ws, found) = check_dir(dir, Target::default());
    let state: Vec<String> = found
        .iter()
        .filter(|d| d.rule.name() == "sentinel-state-not-persistent")
        .map(|d| d.message.clone())
        .collect();
    assert_eq!(state.len(), 1, "{state:?}");
    assert!(state[0].contains("service `rewrites`"), "{state:?}");
    // 3 writes required with 2 replicas: the master refuses every write.
    let too_high: Vec<_> = found
        .iter()
        .filter(|d| d.rule.name() == "min-replicas-to-write-too-high")
        .collect();
    assert_eq!(too_high.len(), 1, "{too_high:?}");
    let text = &ws.source(too_high[0].span.file).unwrap().text()[too_high[0].span.range()];
    assert_eq!(text, "3");
}

/// An ENTRYPOINT script copied in by the Dockerfile is read as a start script: it runs
/// the copied sentinel.conf. The compose file declares one sentinel, so the count is
/// known and reported at the service that declares it.
#[test]
fn dockerfile_entrypoint_scripts_run_the_process() {
    let dir = Path::new("tests/data/compose-entrypoint-script");
    let (ws, found) = check_dir(dir, Target::default());
    let below: Vec<_> = found
        .iter()
        .filter(|d| d.rule.name() == "sentinel-count-below-three")
        .collect();
    assert_eq!(below.len(), 1, "{found:?}");
    let source = ws.source(below[0].span.file).unwrap();
    assert!(
        source.path.ends_with("docker-compose.yml"),
        "{}",
        source.path.display()
    );
    assert_eq!(&source.text()[below[0].span.range()], "sentinel");
    assert!(found
        .iter()
        .any(|d| d.rule.name() == "quorum-exceeds-sentinel-count"));
}

/// An entrypoint that fills `$VAR` placeholders of the copied config with `sed`: the
/// values are the image's ENV, overridden by the service's environment.
#[test]
fn placeholders_filled_by_the_entrypoint() {
    let ws = workspace_for(
        &[PathBuf::from("tests/data/compose-substitution")],
        Target::default(),
    );
    let topo = ws.topology();
    let [sentinel] = topo.sentinels.as_slice() else {
        panic!("one sentinel: {:?}", topo.sentinels.len());
    };
    let monitor = &sentinel.monitors[0];
    assert_eq!(monitor.quorum.value, 2);
    assert_eq!(monitor.down_after.as_ref().map(|v| v.value), Some(800));
    // Filled in at start: the placeholder in the file is never edited by a fix.
    assert_eq!(monitor.quorum.origin, redis_halint::source::Origin::Implied);
}

/// A config that a `sh -c` start script writes with a here-document (nested in `bash -s`
/// and `bash -c`, or in a list-form command) is the config the sentinel runs: its lines
/// are read at their place in the compose file.
#[test]
fn heredoc_written_config_of_a_start_script() {
    let dir = Path::new("tests/data/compose-heredoc-config");
    let (ws, found) = check_dir(dir, Target::default());
    let at = |rule: &str| -> Vec<String> {
        found
            .iter()
            .filter(|d| d.rule.name() == rule)
            .map(|d| {
                let source = ws.source(d.span.file).unwrap();
                format!(
                    "{}:{}",
                    source.line_col(d.span.start).line,
                    &source.text()[d.span.range()]
                )
            })
            .collect()
    };
    // Both monitor `cache` by name on Redis 7.2 without resolve-hostnames.
    assert_eq!(
        at("hostname-monitor-without-resolve-hostnames"),
        ["18:cache", "31:cache"]
    );
    let topo = ws.topology();
    let groups: Vec<_> = topo
        .groups
        .iter()
        .filter_map(|g| g.name.as_deref())
        .collect();
    assert!(
        groups.contains(&"main") && groups.contains(&"other"),
        "{groups:?}"
    );
}

/// A sentinel whose image's entrypoint script (copied in by the Dockerfile of `build:`)
/// writes its config with `echo … >> FILE`: the lines are the service's config, `$VAR`s
/// take the service's environment or the script's defaults, and the one sentinel the
/// project declares is counted as one.
#[test]
fn echo_built_config_of_an_entrypoint_script() {
    let dir = Path::new("tests/data/compose-echo-entrypoint");
    let (ws, found) = check_dir(dir, Target::default());
    let at = |rule: &str| -> Vec<String> {
        found
            .iter()
            .filter(|d| d.rule.name() == rule)
            .map(|d| {
                let source = ws.source(d.span.file).unwrap();
                format!(
                    "{}:{}:{}",
                    source.path.display(),
                    source.line_col(d.span.start).line,
                    &source.text()[d.span.range()]
                )
            })
            .collect()
    };
    assert_eq!(
        at("sentinel-count-below-three"),
        ["tests/data/compose-echo-entrypoint/compose.yaml:8:sentinel"]
    );
    // QUORUM=2 from the service's environment: reported where that value is set (as
    // for every value the environment fills in), not at the script's `$QUORUM`.
    assert_eq!(
        at("quorum-exceeds-sentinel-count"),
        ["tests/data/compose-echo-entrypoint/compose.yaml:12:\"2\""]
    );
    // MASTER_HOST's default in the script names the compose service: one group.
    let topo = ws.topology();
    let group = topo
        .groups
        .iter()
        .find(|g| g.name.as_deref() == Some("cache"))
        .expect("group `cache`");
    assert!(
        group.master.is_some(),
        "the monitored host is the `cache` service"
    );
    assert_eq!(
        topo.sentinels.len(),
        1,
        "the script's config is not a second sentinel"
    );
}

/// (rule, file:line:word) of every finding, for the tests below.
fn located(dir: &str) -> Vec<(String, String)> {
    let (ws, found) = check_dir(Path::new(dir), Target::default());
    let mut out: Vec<(String, String)> = found
        .iter()
        .map(|d| {
            let source = ws.source(d.span.file).unwrap();
            let path = source.path.strip_prefix(dir).unwrap_or(&source.path);
            (
                d.rule.name().to_string(),
                format!(
                    "{}:{}:{}",
                    path.display(),
                    source.line_col(d.span.start).line,
                    &source.text()[d.span.range()]
                ),
            )
        })
        .collect();
    out.sort();
    out
}

/// `envsubst < TEMPLATE > CONFIG` in a `sh -c` command: the mounted template, its
/// `${VAR}`s filled from the service's environment, is the config the sentinel runs. A
/// value filled from that environment is reported where the environment sets it.
#[test]
fn envsubst_template_is_the_config() {
    let found = located("tests/data/compose-envsubst-template");
    let has = |rule: &str, at: &str| found.iter().any(|(r, a)| r == rule && a == at);
    assert!(
        has(
            "hostname-monitor-without-resolve-hostnames",
            "docker-compose.yml:5:redis-master"
        ),
        "{found:#?}"
    );
    assert!(has(
        "quorum-exceeds-sentinel-count",
        "docker-compose.yml:6:\"2\""
    ));
    // The template is the service's config, not a sentinel of its own.
    let (ws, _) = check_dir(
        Path::new("tests/data/compose-envsubst-template"),
        Target::default(),
    );
    assert_eq!(ws.topology().sentinels.len(), 1);
}

/// A command naming a script the Dockerfile copies onto the PATH (behind `tini --` and
/// the official entrypoint), which renders a template copied into an `ENV` folder; the
/// variables come from `.env.example` when the repository has no `.env`, and findings
/// about their values point where they are set there.
#[test]
fn scripts_and_templates_of_the_image() {
    let found = located("tests/data/compose-image-scripts");
    let has = |rule: &str, at: &str| found.iter().any(|(r, a)| r == rule && a == at);
    assert!(
        has("quorum-exceeds-sentinel-count", ".env.example:4:3"),
        "{found:#?}"
    );
    assert!(has("down-after-too-low", ".env.example:5:800"));
    assert!(has(
        "sentinel-count-below-three",
        "compose.yaml:12:sentinel-1"
    ));
}

/// Two compose projects whose services have the same names and write their sentinel
/// configs with here-documents: each finding points into its own project's file.
#[test]
fn heredoc_configs_of_two_projects_stay_in_their_files() {
    let dir = tempfile::tempdir().unwrap();
    let project = |name: &str, host: &str| {
        let folder = dir.path().join(name);
        std::fs::create_dir_all(&folder).unwrap();
        let text = format!(
            r#"services:
  sentinel:
    image: redis:7.2
    entrypoint: |
      sh -c 'cat <<EOF > /tmp/sentinel.conf
      port 26379
      sentinel monitor main {host} 6379 2
      sentinel down-after-milliseconds main 400
      EOF
      exec redis-sentinel /tmp/sentinel.conf'
"#
        );
        std::fs::write(folder.join("docker-compose.yml"), text).unwrap();
    };
    project("a-first", "10.0.0.5");
    project("b-second", "10.0.0.6");
    let (workspace, found) = check_dir(dir.path(), Target::default());
    let too_low: Vec<String> = found
        .iter()
        .filter(|d| d.rule.name() == "down-after-too-low")
        .map(|d| {
            let path = workspace.source(d.span.file).unwrap().path.clone();
            path.strip_prefix(dir.path()).unwrap().display().to_string()
        })
        .collect();
    assert_eq!(
        too_low,
        vec!["a-first/docker-compose.yml", "b-second/docker-compose.yml"]
    );
}

/// An entrypoint script that builds the sentinel's config with `echo … >>` only: the
/// second start of the container reads the monitor twice. The image's Redis version comes
/// from `.env` through `build.args` into `ARG` / `FROM redis:${REDIS_VERSION}` (5.0: a
/// monitored host name is resolved once at start, not refused).
#[test]
fn append_only_config_of_a_built_image() {
    let dir = Path::new("tests/data/compose-append-only");
    let (workspace, found) = check_dir(dir, Target::default());
    let appended: Vec<_> = found
        .iter()
        .filter(|d| d.rule.name() == "sentinel-monitor-appended-at-start")
        .collect();
    assert_eq!(appended.len(), 1, "one finding for the three copies");
    assert!(appended[0].fatal);
    let file = &workspace.source(appended[0].span.file).unwrap().path;
    assert!(file.ends_with("sentinel/start.sh"), "{}", file.display());
    assert!(!found
        .iter()
        .any(|d| d.rule.name() == "hostname-monitor-without-resolve-hostnames"));
    // With the image on 7.2 the host name needs resolve-hostnames.
    let copy = tempfile::tempdir().unwrap();
    for rel in [
        "docker-compose.yml",
        "sentinel/Dockerfile",
        "sentinel/start.sh",
    ] {
        let to = copy.path().join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(dir.join(rel), &to).unwrap();
    }
    std::fs::write(copy.path().join(".env"), "REDIS_VERSION=7.2\n").unwrap();
    let (_, found) = check_dir(copy.path(), Target::default());
    assert!(found
        .iter()
        .any(|d| d.rule.name() == "hostname-monitor-without-resolve-hostnames"));
}

/// Two variants of one sentinel (`docker-compose.sentinel-plain.yml`, `…-tls.yml`) name
/// the same container: a host runs one or the other, so one sentinel watches `cache`,
/// below the bitnami image's default quorum of 2.
#[test]
fn variants_that_name_one_container_are_one_sentinel() {
    let (_, found) = check_dir(Path::new("tests/data/compose-variants"), Target::default());
    let messages: Vec<String> = found
        .iter()
        .filter(|d| d.rule.name() == "quorum-exceeds-sentinel-count")
        .map(|d| d.message.clone())
        .collect();
    assert!(!messages.is_empty());
    assert!(
        messages.iter().all(|m| m.contains("only 1 sentinel")),
        "{messages:?}"
    );
}

/// Three copies of one sentinel service keep their config on one named volume: they
/// rewrite the same file.
#[test]
fn copies_sharing_a_named_volume_share_the_config() {
    let (_, found) = check_dir(
        Path::new("tests/data/compose-shared-volume"),
        Target::default(),
    );
    let shared: Vec<_> = found
        .iter()
        .filter(|d| d.rule.name() == "compose-sentinel-shared-config")
        .collect();
    assert_eq!(shared.len(), 1);
    assert!(shared[0].message.starts_with("3 sentinels"));
}

#[test]
fn container_memory_limits_leave_room_for_a_fork() {
    let dir = std::env::temp_dir().join(format!("halint-compose-mem-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let compose = "services:\n  redis:\n    image: redis:7.2\n    command: redis-server --maxmemory 1gb\n    mem_limit: 1g\n  replica:\n    image: redis:7.2\n    command: redis-server --maxmemory 1gb --replicaof redis 6379\n    deploy:\n      resources:\n        limits:\n          memory: 2G\n";
    std::fs::write(dir.join("docker-compose.yml"), compose).unwrap();
    let found: Vec<_> = check_dir(&dir, Target::default())
        .1
        .into_iter()
        .filter(|d| d.rule.name() == "memory-cap-below-maxmemory")
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].message.contains("service `redis`"));
}

/// A compose file shipped as `docker-compose.yml.example` (the README says to copy it) is
/// the project, unless the copy is beside it; a replica whose image's entrypoint script
/// sets up replication on the command line is not reported as an idle master.
#[test]
fn compose_example_files_and_replication_in_entrypoint_scripts() {
    let dir = std::env::temp_dir().join(format!("halint-compose-example-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("replica")).unwrap();
    let compose = "services:\n  master:\n    image: redis:7.2\n  replica:\n    build: ./replica\n  sentinel:\n    image: redis:7.2\n    command: redis-sentinel /etc/sentinel/sentinel.conf\n    volumes:\n      - ./sentinel:/etc/sentinel\n    deploy:\n      replicas: 3\n";
    std::fs::write(dir.join("docker-compose.yml.example"), compose).unwrap();
    std::fs::create_dir_all(dir.join("sentinel")).unwrap();
    std::fs::write(
        dir.join("sentinel/sentinel.conf"),
        "port 26379\nsentinel monitor mymaster 10.0.0.5 6379 2\nsentinel down-after-milliseconds mymaster 1000\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("replica/Dockerfile"),
        "FROM redis:7.2\nCOPY redis.conf /usr/local/etc/redis/redis.conf\nCOPY start.sh /usr/local/bin/\nENTRYPOINT [\"start.sh\"]\n",
    )
    .unwrap();
    std::fs::write(dir.join("replica/redis.conf"), "port 6379\n").unwrap();
    std::fs::write(
        dir.join("replica/start.sh"),
        "#!/bin/sh\nredis-server /usr/local/etc/redis/redis.conf --replicaof $MASTER_HOST 6379\n",
    )
    .unwrap();
    let names = |dir: &Path| -> Vec<&'static str> {
        check_dir(dir, Target::default())
            .1
            .iter()
            .map(|d| d.rule.name())
            .collect()
    };
    let (ws, _) = check_dir(&dir, Target::default());
    let sentinels: Vec<String> = ws
        .topology()
        .sentinels
        .iter()
        .map(|s| s.name.clone())
        .collect();
    assert!(
        sentinels.iter().any(|n| n.contains("service `sentinel`")),
        "the example compose file is the project: {sentinels:?}"
    );
    let found = names(&dir);
    assert!(found.contains(&"down-after-too-low"), "{found:?}");
    assert!(!found.contains(&"data-nodes-not-replicating"), "{found:?}");
    assert!(!found.contains(&"no-replica-to-promote"), "{found:?}");
    // With the copy beside it, the example is not read a second time.
    std::fs::write(dir.join("docker-compose.yml"), compose).unwrap();
    let with_copy = names(&dir);
    assert_eq!(
        with_copy
            .iter()
            .filter(|n| **n == "down-after-too-low")
            .count(),
        found.iter().filter(|n| **n == "down-after-too-low").count()
    );
}

/// A config copied into an image whose entrypoint fills placeholders with `sed`: with
/// nothing else set, the image's `ENV` defaults are what runs (the `{{ NAME }}`
/// placeholder is one value, and an if/else that picks the variable falls back to the
/// default one); a compose service that builds the image sets its own.
#[test]
fn placeholders_take_the_image_env_unless_the_service_sets_them() {
    let (ws, found) = check_dir(
        Path::new("tests/data/image-env-placeholders/image"),
        Target::default(),
    );
    let at = |rule: &str| {
        found.iter().find(|d| d.rule.name() == rule).map(|d| {
            let text = ws.source(d.span.file).expect("a file").text();
            text[d.span.start as usize..d.span.end as usize].to_string()
        })
    };
    assert_eq!(
        at("down-after-too-low").as_deref(),
        Some("{{ DOWN_AFTER }}"),
        "{found:?}"
    );
    assert_eq!(
        at("hostname-monitor-without-resolve-hostnames").as_deref(),
        Some("mastername")
    );
    let (ws, found) = check_dir(
        Path::new("tests/data/image-env-placeholders/compose"),
        Target::default(),
    );
    let topo = ws.topology();
    assert_eq!(topo.sentinels.len(), 3);
    let monitor = &topo.sentinels[0].monitors[0];
    assert_eq!(monitor.down_after.as_ref().map(|v| v.value), Some(10000));
    assert_eq!(monitor.host.value, "10.0.0.5");
    let rules: Vec<&str> = found.iter().map(|d| d.rule.name()).collect();
    assert!(!rules.contains(&"down-after-too-low"), "{rules:?}");
    assert!(
        !rules.contains(&"hostname-monitor-without-resolve-hostnames"),
        "{rules:?}"
    );
}

/// `build.args` choose what a Dockerfile copies (`ARG CONF` / `COPY $CONF …`); a build
/// context with a lower-case `dockerfile` is built like Docker does; a shell-form
/// `ENTRYPOINT` ignores the service's `command:`.
#[test]
fn builds_as_docker_runs_them() {
    let dir = Path::new("tests/data/compose-build-args");
    let ws = workspace_for(&[dir.to_path_buf()], Target::default());
    let topo = ws.topology();
    let services: Vec<_> = topo
        .sentinels
        .iter()
        .filter(|s| s.name.starts_with("service"))
        .collect();
    assert_eq!(services.len(), 3);
    assert!(services
        .iter()
        .all(|s| s.monitors[0].name.value == "mymaster"));
    let data = topo
        .nodes
        .iter()
        .find(|n| n.name.contains("`data`"))
        .expect("the data service");
    assert!(data.replicaof.is_none(), "the command is never run");
    assert!(
        data.persistence
            .appendonly
            .as_ref()
            .is_some_and(|a| a.value),
        "it runs redis.conf"
    );
}

/// A test container that starts a data server in the background and Sentinel beside it,
/// on a config echoed with a trailing `\n`: the sentinel watches the server of its own
/// container over loopback (correct there), which has no replica; another service of
/// the file is not a replica meant for it.
#[test]
fn a_sentinel_beside_its_server_in_one_container() {
    let (_, found) = check_dir(
        Path::new("tests/data/compose-background-server"),
        Target::default(),
    );
    let rules: Vec<&str> = found.iter().map(|d| d.rule.name()).collect();
    assert!(rules.contains(&"no-replica-to-promote"), "{rules:?}");
    assert!(
        rules.contains(&"quorum-exceeds-sentinel-count"),
        "{rules:?}"
    );
    assert!(!rules.contains(&"monitor-loopback-address"), "{rules:?}");
    assert!(!rules.contains(&"data-nodes-not-replicating"), "{rules:?}");
}

/// `cp TEMPLATE FILE && echo … >> FILE && redis-sentinel FILE`: the sentinel runs the
/// template's lines, then the appended ones (each echo a line of its own), whether the
/// script is a folded command or an escaped string of an entrypoint list.
#[test]
fn lines_appended_to_a_copied_template() {
    let dir = Path::new("tests/data/compose-template-append");
    let (ws, found) = check_dir(dir, Target::default());
    let topo = ws.topology();
    assert_eq!(topo.sentinels.len(), 2);
    for s in &topo.sentinels {
        assert_eq!(s.monitors.len(), 1, "{}: the template's monitor", s.name);
        assert!(
            s.monitors[0].auth_pass.is_some(),
            "{}: the appended auth-pass",
            s.name
        );
    }
    let rules: Vec<&str> = found.iter().map(|d| d.rule.name()).collect();
    assert!(!rules.contains(&"sentinel-auth-pass-missing"), "{rules:?}");
    assert!(rules.contains(&"down-after-too-low"), "{rules:?}");
}

/// A replica that announces its own service name and container port is reached on the
/// compose network: the port published on the host for something else is no concern.
#[test]
fn announcing_a_compose_name_needs_no_published_port() {
    let (_, found) = check_dir(
        Path::new("tests/data/compose-announce-service-name"),
        Target::default(),
    );
    assert!(!found
        .iter()
        .any(|d| d.rule.name() == "announce-port-not-published"));
}

/// An overlay file that gives a base service a command of its own: that command runs,
/// with the base's image.
#[test]
fn an_overlay_command_replaces_the_base_command() {
    let ws = workspace_for(
        &[PathBuf::from("tests/data/compose-override-command")],
        Target::default(),
    );
    let topo = ws.topology();
    assert_eq!(topo.nodes.len(), 1, "one service, not two");
    let node = &topo.nodes[0];
    assert!(node.password.is_some() && node.masterauth.is_some());
    assert!(node.runtime.release.is_some(), "the base's image");
}

/// An entrypoint script that a bind mount provides (`sh /path/script.sh`, the path
/// alone, or named at the end of a `sh -c` string) is read as the start script: the
/// sentinel it starts on a config it renders from a mounted template (with a
/// `sed "s|…|…|"` whose bars are not pipes) is a sentinel. `known-sentinel` lines without
/// a run ID add no peer (Sentinel ignores them), so three sentinels are three.
#[test]
fn mounted_entrypoint_scripts_run_the_process() {
    let dir = Path::new("tests/data/compose-mounted-entrypoint");
    let (_, found) = check_dir(dir, Target::default());
    let names: Vec<&str> = found.iter().map(|d| d.rule.name()).collect();
    // Once at the line of the script file that sentinel-1 and sentinel-2 share (each
    // service's command a label), once at sentinel-3's own command string.
    let rewritten: Vec<_> = found
        .iter()
        .filter(|d| d.rule.name() == "sentinel-state-not-persistent")
        .collect();
    assert_eq!(rewritten.len(), 2, "{names:?}");
    assert!(
        rewritten.iter().any(|d| d.related.len() == 2),
        "{rewritten:?}"
    );
    for counted in [
        "sentinel-count-below-three",
        "sentinel-count-even",
        "quorum-below-majority",
    ] {
        assert!(!names.contains(&counted), "{names:?}");
    }
    assert!(
        names.contains(&"sentinel-exposed-unauthenticated"),
        "{names:?}"
    );
    // The template's `$REDIS_PASSWORD` is filled from the same variable as the nodes'.
    assert!(!names.contains(&"sentinel-auth-pass-mismatch"), "{names:?}");
    assert!(!names.contains(&"sentinel-auth-pass-missing"), "{names:?}");
}

/// A replica whose image runs a start script on options only (`exec redis-server
/// --replicaof ${MASTER_HOST} …`) is a data node whose settings are unknown, never proof
/// that the master has no replica; a sentinel's here-document takes the values its script
/// assigns (`MASTER_HOST=${REDIS_MASTER_HOST:-redis}`), filled from the service.
#[test]
fn image_start_scripts_on_options_and_assigned_variables() {
    let dir = Path::new("tests/data/compose-image-script-vars");
    let (ws, found) = check_dir(dir, Target::default());
    let names: Vec<&str> = found.iter().map(|d| d.rule.name()).collect();
    assert!(!names.contains(&"no-replica-to-promote"), "{names:?}");
    let topo = ws.topology();
    let group = topo
        .groups
        .iter()
        .find(|g| g.name.as_deref() == Some("mymaster"))
        .expect("the group");
    assert_eq!((group.host.as_str(), group.port), ("redis", 6379));
}

/// A compose file kept in a subfolder whose paths only make sense from the project
/// folder above it (`-f compose.yaml -f deploy/redis/compose-sentinel.yaml`): its mounts
/// are resolved from there, so the sentinel's single-file config is found.
#[test]
fn an_overlay_in_a_subfolder_resolves_paths_from_the_project() {
    let (_, found) = check_dir(
        Path::new("tests/data/compose-overlay-subfolder"),
        Target::default(),
    );
    let names: Vec<&str> = found.iter().map(|d| d.rule.name()).collect();
    assert!(
        names.contains(&"compose-sentinel-single-file-bind"),
        "{names:?}"
    );
}

/// A fragment with no main compose file in the tree (it is pasted into one kept
/// elsewhere) whose sentinel is built from a Dockerfile it names from the project's
/// folder: its paths are resolved from the folder above where they all exist, so the
/// image's entrypoint and the single-file config are found.
#[test]
fn a_fragment_without_its_main_file_resolves_paths_from_where_they_exist() {
    let (_, found) = check_dir(
        Path::new("tests/data/compose-fragment-subfolder"),
        Target::default(),
    );
    let names: Vec<&str> = found.iter().map(|d| d.rule.name()).collect();
    assert!(
        names.contains(&"compose-sentinel-single-file-bind"),
        "{names:?}"
    );
}

/// `extends:` within one file gives the service the base's definition with its own laid
/// over it (the replica runs the master's image); a file that only others extend from
/// (`common.yaml`) is a building block, not a project with processes of its own, and the
/// service that extends its `cache-base` runs that service's command.
#[test]
fn extended_services_take_their_base() {
    let (ws, _) = check_dir(Path::new("tests/data/compose-extends"), Target::default());
    let topo = ws.topology();
    let replicated: Vec<_> = topo
        .groups
        .iter()
        .filter(|g| !g.replicas.is_empty())
        .collect();
    assert_eq!(replicated.len(), 1, "{:?}", topo.groups);
    assert_eq!(replicated[0].replicas.len(), 1);
    let mut names: Vec<&str> = topo.nodes.iter().map(|n| n.name.as_str()).collect();
    names.sort();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(
        names.iter().any(|n| n.contains("`cache`")),
        "cache runs cache-base's command: {names:?}"
    );
    assert!(
        !names.iter().any(|n| n.contains("cache-base")),
        "common.yaml's cache-base is not a process of its own: {names:?}"
    );
}

/// A compose file kept in a subfolder whose mount names a template at the repository's
/// root (run with `--project-directory .`), rendered by `sed` with two expressions in one
/// quoted argument: the sentinel runs the template's lines, and the `;` between the
/// expressions does not end the command.
#[test]
fn sed_template_mounted_from_the_folder_above() {
    let dir = Path::new("tests/data/compose-sed-subfolder");
    let (ws, found) = check_dir(dir, Target::default());
    let topo = ws.topology();
    assert_eq!(
        topo.sentinels.len(),
        1,
        "the template is the service's config"
    );
    let s = &topo.sentinels[0];
    assert_eq!(s.monitors.len(), 1, "{}: the template's monitor", s.name);
    assert!(
        s.monitors[0].auth_pass.is_some(),
        "the template's auth-pass"
    );
    let rules: Vec<&str> = found.iter().map(|d| d.rule.name()).collect();
    assert!(
        rules.contains(&"sentinel-exposed-unauthenticated"),
        "{rules:?}"
    );
    assert!(
        rules.contains(&"sentinel-state-not-persistent"),
        "{rules:?}"
    );
}

/// Services that extend a service of another compose file run what it runs: its start
/// script (one finding at the script, for every service that extends it), with each
/// service's own ports. Compose interpolates the script's lines (`${MASTER_NAME:-…}`)
/// before the shell runs them; a placeholder of `.env.example` stays unknown.
#[test]
fn services_extending_another_files_service_run_its_command() {
    let dir = Path::new("tests/data/compose-extends-file");
    let (ws, found) = check_dir(dir, Target::default());
    let topo = ws.topology();
    assert_eq!(
        topo.sentinels.len(),
        3,
        "one sentinel per extending service"
    );
    for s in &topo.sentinels {
        let m = &s.monitors[0];
        assert_eq!(m.name.value, "mymaster", "interpolated with its default");
        assert!(
            m.host.value.contains("MASTER_IP"),
            "placeholder: {}",
            m.host.value
        );
    }
    let at = |rule: &str| -> Vec<String> {
        found
            .iter()
            .filter(|d| d.rule.name() == rule)
            .map(|d| {
                let s = ws.source(d.span.file).unwrap();
                let name = s.path.file_name().unwrap().to_string_lossy().into_owned();
                format!("{name}:{}", s.line_col(d.span.start).line)
            })
            .collect()
    };
    assert_eq!(at("sentinel-state-not-persistent"), ["common.yml:10"]);
    // The third publishes on loopback only.
    assert_eq!(
        at("sentinel-exposed-unauthenticated"),
        ["docker-compose.yml:7", "docker-compose.yml:13"]
    );
}

#[test]
fn values_from_env_files_are_reported_where_they_are_written() {
    // A bitnami sentinel's password and a start script's `sed` placeholders take their
    // values from env files: findings about them point at the variable's line there,
    // the env file's passwords are masked, and a password kept in an env file is not a
    // literal password of the compose file.
    let (ws, diagnostics) = check_dir(
        Path::new("tests/data/compose-env-file-values"),
        Target::default(),
    );
    let at = |rule: &str| {
        let d = diagnostics
            .iter()
            .find(|d| d.rule.name() == rule)
            .unwrap_or_else(|| panic!("{rule} missing"));
        let source = ws.source(d.span.file).unwrap();
        let line = source.text()[..d.span.start as usize].matches('\n').count() + 1;
        (
            source.path.clone(),
            line,
            source.text()[d.span.range()].to_string(),
        )
    };
    let (path, line, text) = at("failover-timeout-too-low");
    assert!(path.ends_with("sentinel.env"), "{path:?}");
    assert_eq!((line, text.as_str()), (3, "500"));
    let (path, line, _) = at("sentinel-auth-pass-mismatch");
    assert!(
        path.ends_with(".env") && !path.ends_with("sentinel.env"),
        "{path:?}"
    );
    assert_eq!(line, 1);
    assert!(
        !diagnostics
            .iter()
            .any(|d| d.rule.name() == "secrets-in-plaintext-config"),
        "a password in an env file is where it belongs"
    );
    let output = render_full(&ws, &diagnostics);
    assert!(!output.contains("sentinel-side-secret"), "{output}");
    assert!(!output.contains("node-side-secret"), "{output}");
    // A password passed as an option in an env file shown around a finding.
    assert!(output.contains("sentinel.env"), "{output}");
    assert!(!output.contains("args-secret"), "{output}");
}

#[test]
fn configs_no_service_runs_are_not_extra_sentinels() {
    // The project declares its three sentinels; configs beside it that no service
    // mounts, builds from or names are not three more.
    let ws = workspace_for(
        &[PathBuf::from("tests/data/compose-stray-configs")],
        Target::default(),
    );
    let topo = ws.topology();
    assert_eq!(topo.sentinels.len(), 3, "{:#?}", topo.sentinels);
}

/// Mounted scripts that run each other over and over (each line of one runs the other)
/// are inlined into a bounded text: the check ends with its findings instead of building
/// gigabytes of script.
#[test]
fn scripts_that_run_each_other_stay_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join("s")).unwrap();
    std::fs::write(
        root.join("docker-compose.yml"),
        "services:\n  sentinel:\n    image: redis:7.2\n    command: sh -c \"/s/a.sh\"\n    volumes:\n      - ./s:/s\n",
    )
    .unwrap();
    let a = "#!/bin/sh\n".to_string() + &"sh /s/b.sh\n".repeat(1000);
    let b = "#!/bin/sh\n".to_string() + &"sh /s/a.sh\n".repeat(1000);
    std::fs::write(root.join("s/a.sh"), a).unwrap();
    std::fs::write(root.join("s/b.sh"), b).unwrap();
    let (ws, _) = check_dir(root, Target::default());
    // The service still starts no process that can be read.
    assert!(ws.topology().sentinels.is_empty());
}
