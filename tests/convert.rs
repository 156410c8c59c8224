//! `convert`: every target, from a compose project, a Kubernetes manifest, a directory of
//! conf files and a RedisFailover, checks with no error and no warning, and reading the
//! output back (and converting it back to the source's format) keeps the topology:
//! groups, counts, quorum, timings, master name and whether a password is required.

mod common;

use common::{bin, workspace_for};
use redis_halint::emit::{self, plan::Shape, Options, TargetFormat};
use redis_halint::{Severity, Target};
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGETS: [TargetFormat; 7] = [
    TargetFormat::K8s,
    TargetFormat::Compose,
    TargetFormat::Systemd,
    TargetFormat::Spotahome,
    TargetFormat::Opstree,
    TargetFormat::Conf,
    TargetFormat::Local,
];

/// (fixture, the format it is written in, when convert can write that format)
const SOURCES: [(&str, Option<TargetFormat>); 6] = [
    (
        "fixtures/examples/compose-correct",
        Some(TargetFormat::Compose),
    ),
    ("fixtures/pdb-missing/good", Some(TargetFormat::K8s)),
    ("fixtures/examples/correct", Some(TargetFormat::Conf)),
    ("fixtures/examples/multi-group", Some(TargetFormat::Conf)),
    (
        "fixtures/convert/redisfailover",
        Some(TargetFormat::Spotahome),
    ),
    // bitnami chart values: read, not written.
    ("fixtures/bitnami-sentinel-without-persistence/good", None),
];

fn shapes_of(dir: &Path) -> Vec<Shape> {
    let ws = workspace_for(&[dir.to_path_buf()], Target::default());
    emit::read_plan(&ws, false)
        .unwrap_or_else(|e| panic!("{}: {e:?}", dir.display()))
        .plan
        .shapes()
}

fn write(dir: &Path, conversion: &emit::Conversion) {
    for file in &conversion.files {
        let path = dir.join(&file.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &file.text).unwrap();
    }
}

fn convert_dir(from: &Path, to: &Path, target: TargetFormat) -> emit::Conversion {
    let ws = workspace_for(&[from.to_path_buf()], Target::default());
    let conversion = emit::convert(&ws, target, &Options::default())
        .unwrap_or_else(|e| panic!("{} --to {}: {e:?}", from.display(), target.name()));
    write(to, &conversion);
    conversion
}

fn loud_findings(dir: &Path) -> Vec<String> {
    let ws = workspace_for(&[dir.to_path_buf()], Target::default());
    ws.check()
        .into_iter()
        .filter(|d| d.severity >= Severity::Warning)
        .map(|d| {
            let source = ws.source(d.span.file).unwrap();
            format!(
                "{}:{} {} {}",
                source.path.display(),
                source.line_col(d.span.start).line,
                d.rule.name(),
                d.message
            )
        })
        .collect()
}

#[test]
fn every_target_checks_clean_and_round_trips() {
    let scratch = tempfile::tempdir().unwrap();
    for (source, source_format) in SOURCES {
        let expected = shapes_of(Path::new(source));
        assert!(!expected.is_empty(), "{source}");
        for target in TARGETS {
            let out =
                scratch
                    .path()
                    .join(format!("{}-{}", source.replace('/', "_"), target.name()));
            convert_dir(Path::new(source), &out, target);
            let loud = loud_findings(&out);
            assert!(
                loud.is_empty(),
                "{source} --to {}: the output has findings:\n{}",
                target.name(),
                loud.join("\n")
            );
            // A RedisFailover always names its master `mymaster`: groups with other
            // names cannot survive that target (the summary says so).
            if target == TargetFormat::Spotahome
                && expected.iter().any(|s| s.master_name != "mymaster")
            {
                continue;
            }
            assert_eq!(
                shapes_of(&out),
                expected,
                "{source} --to {}: reading the output back",
                target.name()
            );
            let Some(source_format) = source_format else {
                continue;
            };
            let back = out.with_extension("back");
            convert_dir(&out, &back, source_format);
            assert_eq!(
                shapes_of(&back),
                expected,
                "{source} --to {} and back to {}",
                target.name(),
                source_format.name()
            );
        }
    }
}

#[test]
fn mistakes_are_corrected_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    // Two sentinels with quorum 2, a 1-second down-after, no persistence.
    std::fs::write(
        dir.path().join("redis-master.conf"),
        "port 6379\nsave \"\"\nappendonly no\nrequirepass Fixture-Pass-9\nmasterauth Fixture-Pass-9\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("redis-replica.conf"),
        "port 6379\nreplicaof redis-master 6379\nrequirepass Fixture-Pass-9\nmasterauth Fixture-Pass-9\n",
    )
    .unwrap();
    for i in 1..=2 {
        std::fs::write(
            dir.path().join(format!("sentinel-{i}.conf")),
            "port 26379\nsentinel resolve-hostnames yes\nsentinel monitor mymaster redis-master 6379 2\nsentinel auth-pass mymaster Fixture-Pass-9\nsentinel down-after-milliseconds mymaster 1000\n",
        )
        .unwrap();
    }
    let ws = workspace_for(&[dir.path().to_path_buf()], Target::default());
    let conversion = emit::convert(&ws, TargetFormat::K8s, &Options::default()).unwrap();
    let group = &conversion.plan.groups[0];
    assert_eq!(group.sentinels, 3, "two sentinels become three");
    assert_eq!(group.quorum, 2);
    assert_eq!(group.down_after_ms, 5000);
    assert!(group.appendonly, "persistence is turned on");
    let corrections = conversion.corrections.join("\n");
    for expected in [
        "sentinel-count-below-three",
        "2 sentinel(s) → 3",
        "down-after-milliseconds 1000 → 5000",
        "appendonly yes",
    ] {
        assert!(
            corrections.contains(expected),
            "{expected:?} not in:\n{corrections}"
        );
    }
    let out = dir.path().join("out");
    write(&out, &conversion);
    assert!(loud_findings(&out).is_empty(), "{:?}", loud_findings(&out));
    // The password is never copied: the Secret holds a placeholder.
    let text = &conversion.files[0].text;
    assert!(!text.contains("Fixture-Pass-9"));
    assert!(text.contains(emit::k8s::PLACEHOLDER));
}

#[test]
fn two_passwords_stop_convert_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("redis-master.conf"),
        "port 6379\nrequirepass First-Pass-1\nmasterauth First-Pass-1\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("redis-replica.conf"),
        "port 6379\nreplicaof redis-master 6379\nrequirepass Second-Pass-2\nmasterauth First-Pass-1\n",
    )
    .unwrap();
    for i in 1..=3 {
        std::fs::write(
            dir.path().join(format!("sentinel-{i}.conf")),
            "port 26379\nsentinel resolve-hostnames yes\nsentinel monitor mymaster redis-master 6379 2\nsentinel auth-pass mymaster First-Pass-1\n",
        )
        .unwrap();
    }
    let out = dir.path().join("out");
    let refused = Command::new(bin())
        .args(["convert", "--to", "compose", "--out"])
        .arg(&out)
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("group-password-not-uniform"), "{stderr}");
    assert!(!stderr.contains("Second-Pass-2") && !stderr.contains("First-Pass-1"));
    assert!(!out.exists(), "nothing is written");

    let forced = Command::new(bin())
        .args(["convert", "--to", "compose", "--force", "--out"])
        .arg(&out)
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(forced.status.code(), Some(0), "{forced:?}");
    let stdout = String::from_utf8_lossy(&forced.stdout);
    assert!(stdout.contains("forced"), "{stdout}");
    assert!(
        stdout.contains("redis-master.conf"),
        "the kept source is named: {stdout}"
    );
    let compose = std::fs::read_to_string(out.join("docker-compose.yml")).unwrap();
    assert!(!compose.contains("First-Pass-1") && !compose.contains("Second-Pass-2"));
    assert!(out.join(".env").exists());

    // Never overwrites without --force.
    let again = Command::new(bin())
        .args(["convert", "--to", "compose", "--force", "--out"])
        .arg(&out)
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(0));
    let refused_overwrite = Command::new(bin())
        .args(["convert", "--to", "compose", "--out"])
        .arg(&out)
        .arg(PathBuf::from("fixtures/examples/correct"))
        .output()
        .unwrap();
    assert_eq!(refused_overwrite.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused_overwrite.stderr).contains("would overwrite"));
}

#[test]
fn single_stream_targets_print_to_stdout() {
    let output = Command::new(bin())
        .args([
            "convert",
            "--to",
            "opstree",
            "--out",
            "-",
            "fixtures/examples/correct",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let yaml = String::from_utf8_lossy(&output.stdout);
    assert!(yaml.contains("kind: RedisSentinel"));
    // OpsTree's numbers are strings.
    assert!(yaml.contains("quorum: \"2\""), "{yaml}");
    assert!(yaml.contains("downAfterMilliseconds: \"5000\""));
    let multi = Command::new(bin())
        .args([
            "convert",
            "--to",
            "compose",
            "--out",
            "-",
            "fixtures/examples/correct",
        ])
        .output()
        .unwrap();
    assert_eq!(multi.status.code(), Some(2));
}

#[test]
fn files_get_their_modes() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sandbox");
    let status = Command::new(bin())
        .args(["convert", "--to", "local", "--out"])
        .arg(&out)
        .arg("fixtures/examples/correct")
        .status()
        .unwrap();
    assert!(status.success());
    let mode = |p: &str| std::fs::metadata(out.join(p)).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode("password"), 0o600);
    assert_eq!(mode("redis-0/redis.conf"), 0o600);
    assert_eq!(mode("start.sh"), 0o755);
}

/// The units written for `--to systemd` are ones systemd itself accepts without a word.
#[test]
fn systemd_units_pass_systemd_analyze() {
    let analyze_works = Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !analyze_works || !Path::new("/usr/bin/redis-server").exists() {
        eprintln!("systemd-analyze or redis-server not installed: skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    convert_dir(
        Path::new("fixtures/examples/correct"),
        dir.path(),
        TargetFormat::Systemd,
    );
    let mut units = Vec::new();
    for host in std::fs::read_dir(dir.path()).unwrap().flatten() {
        let system = host.path().join("etc/systemd/system");
        for unit in std::fs::read_dir(&system).unwrap().flatten() {
            units.push(unit.path());
        }
    }
    assert_eq!(units.len(), 6, "{units:?}");
    for unit in units {
        let output = Command::new("systemd-analyze")
            .args(["verify", "--man=no"])
            .arg(&unit)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let about_unit: Vec<&str> = stderr
            .lines()
            .filter(|l| l.contains(unit.file_name().unwrap().to_str().unwrap()))
            .collect();
        assert!(
            about_unit.is_empty(),
            "{}: {}",
            unit.display(),
            about_unit.join("\n")
        );
    }
}

/// A Redis Cluster deployment (here one with too few masters) converts to each target
/// that writes clusters: the output checks with no error or warning, and reading it back
/// gives the corrected shape (3 masters, 1 replica each). systemd and Spotahome refuse it
/// with a clear error.
#[test]
fn cluster_deployment_converts_corrected_and_round_trips() {
    let from = Path::new("fixtures/cluster-too-few-masters/bad");
    for target in [
        TargetFormat::Local,
        TargetFormat::Conf,
        TargetFormat::Opstree,
        TargetFormat::Compose,
        TargetFormat::K8s,
    ] {
        let out = tempfile::tempdir().unwrap();
        let conversion = convert_dir(from, out.path(), target);
        assert!(
            conversion
                .corrections
                .iter()
                .any(|c| c.contains("master(s) → 3")),
            "{:?}",
            conversion.corrections
        );
        let loud = loud_findings(out.path());
        assert!(loud.is_empty(), "--to {}: {loud:#?}", target.name());
        let ws = workspace_for(&[out.path().to_path_buf()], Target::default());
        let plan = emit::read_plan(&ws, false).unwrap().plan;
        let shapes: Vec<(usize, usize)> = plan
            .clusters
            .iter()
            .map(|c| (c.masters, c.replicas_per_master))
            .collect();
        assert_eq!(shapes, [(3, 1)], "--to {}", target.name());
    }
    let ws = workspace_for(&[from.to_path_buf()], Target::default());
    for target in [TargetFormat::Systemd, TargetFormat::Spotahome] {
        assert!(matches!(
            emit::convert(&ws, target, &Options::default()),
            Err(emit::ConvertError::Unsupported(_))
        ));
    }
}
