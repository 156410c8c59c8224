//! Inline suppressions in every comment syntax the front ends read, and the Kubernetes
//! annotation on a resource.

use redis_halint::{Settings, Workspace};

fn rules_of(files: &[(&str, &str)]) -> Vec<&'static str> {
    let mut ws = Workspace::new(Settings::default());
    for (path, text) in files {
        ws.set_file(*path, *text, false);
    }
    ws.check().into_iter().map(|d| d.rule.name()).collect()
}

const CM_HEAD: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s\n";

#[test]
fn yaml_comment_before_and_at_end_of_line() {
    let plain =
        format!("{CM_HEAD}data:\n  sentinel.conf: |\n    sentinel monitor m redis-0 6379 2\n");
    assert!(
        rules_of(&[("k8s/s.yaml", &plain)]).contains(&"hostname-monitor-without-resolve-hostnames")
    );
    let before = format!("{CM_HEAD}data:\n  # redis-halint: ignore[N001] -- resolved by the start script\n  sentinel.conf: |\n    sentinel monitor m redis-0 6379 2\n");
    // The comment covers the next line only: the key line, not the config inside.
    assert!(rules_of(&[("k8s/s.yaml", &before)]).contains(&"unused-suppression"));
    let compose = "services:\n  s1:\n    image: redis:7.2\n    command: redis-sentinel /etc/redis/sentinel.conf\n    volumes:\n      - ./s1.conf:/etc/redis/sentinel.conf  # redis-halint: ignore[compose-sentinel-single-file-bind] -- state kept elsewhere\n";
    let names = rules_of(&[
        ("c/docker-compose.yml", compose),
        ("c/s1.conf", "sentinel monitor m 10.0.0.1 6379 2\n"),
    ]);
    assert!(
        !names.contains(&"compose-sentinel-single-file-bind"),
        "{names:?}"
    );
    assert!(!names.contains(&"unused-suppression"), "{names:?}");
}

#[test]
fn systemd_unit_comment_line_before() {
    let unit = "[Service]\nExecStart=/usr/bin/redis-sentinel /etc/redis/sentinel.conf\n; redis-halint: ignore[systemd-memorylimit-deprecated] -- old systemd on these hosts\nMemoryLimit=1G\n";
    let names = rules_of(&[("etc/systemd/system/redis-sentinel.service", unit)]);
    assert!(
        !names.contains(&"systemd-memorylimit-deprecated"),
        "{names:?}"
    );
    assert!(!names.contains(&"unused-suppression"), "{names:?}");
}

#[test]
fn kubernetes_annotation_covers_the_resource() {
    let annotated = "apiVersion: redis.redis.opstreelabs.in/v1beta2\nkind: Redis\nmetadata:\n  name: r\n  annotations:\n    redis-halint.io/ignore: \"opstree-redis-kind-sentinel-mode -- migration in progress\"\nspec:\n  mode: sentinel\n";
    let names = rules_of(&[("ops/r.yaml", annotated)]);
    assert!(
        !names.contains(&"opstree-redis-kind-sentinel-mode"),
        "{names:?}"
    );
    let no_reason = annotated.replace(" -- migration in progress", "");
    let names = rules_of(&[("ops/r.yaml", &no_reason)]);
    assert!(names.contains(&"suppression-without-reason"), "{names:?}");
    let unknown = annotated.replace("opstree-redis-kind-sentinel-mode", "no-such-rule");
    let names = rules_of(&[("ops/r.yaml", &unknown)]);
    assert!(names.contains(&"unknown-rule-in-suppression"), "{names:?}");
    assert!(names.contains(&"opstree-redis-kind-sentinel-mode"));
}
