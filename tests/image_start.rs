//! Containers without a command run what their image starts: an image built from a
//! Dockerfile of the tree, followed through its init system, supervisord and a start
//! script that serves every role, walked with each container's environment.

mod common;

use common::{check_dir, render_full};
use redis_halint::Target;
use std::path::{Path, PathBuf};

const TREE: &str = "tests/data/k8s-image-start";

fn located(
    diagnostics: &[redis_halint::Diagnostic],
    ws: &redis_halint::Workspace,
) -> Vec<(String, String)> {
    diagnostics
        .iter()
        .map(|d| {
            let path = ws
                .source(d.span.file)
                .map(|s| s.path.clone())
                .unwrap_or_default();
            // The last two components: `deploy/config.yaml`.
            let parts: Vec<String> = path
                .components()
                .rev()
                .take(2)
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let rel = format!("{}/{}", parts[1], parts[0]);
            (d.rule.name().to_string(), rel)
        })
        .collect()
}

/// A copy of the tree with `edits` (file, from, to) applied.
fn edited(name: &str, edits: &[(&str, &str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("k8s-image-start-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy(Path::new(TREE), &dir);
    for (file, from, to) in edits {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file}: {from}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }
    dir
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn each_workload_runs_the_role_its_environment_selects() {
    let (ws, diagnostics) = check_dir(Path::new(TREE), Target::default());
    let found = located(&diagnostics, &ws);
    let has = |rule: &str, file: &str| found.iter().any(|(r, f)| r == rule && f == file);
    // KV_ROLE=sentinel: the sentinel runs /conf/sentinel.conf from the ConfigMap.
    assert!(
        has("sentinel-config-readonly-mount", "deploy/sentinel.yaml"),
        "{found:#?}"
    );
    // KV_ROLE=primary: primary.conf has a password and no masterauth, and the sentinels
    // (whose monitored address the script fills in) watch it.
    assert!(
        has("masterauth-missing", "deploy/config.yaml"),
        "{found:#?}"
    );
    // No KV_ROLE in the workload: the image's default (replica) runs replica.conf, whose
    // `dir` is not where the claim is mounted.
    assert!(
        has("data-dir-ephemeral", "deploy/replica.yaml"),
        "{found:#?}"
    );
    let topology = ws.topology();
    let group = topology
        .groups
        .iter()
        .find(|g| g.name.as_deref() == Some("kv"))
        .unwrap();
    assert_eq!(group.sentinel_count.known(), Some(3));
    assert!(group.master.is_some());
    assert_eq!(group.replicas.len(), 2);
    insta::assert_snapshot!("image_start_roles", render_full(&ws, &diagnostics));
}

#[test]
fn fixed_tree_has_none_of_them() {
    let dir = edited(
        "fixed",
        &[
            (
                "deploy/config.yaml",
                "    requirepass @KV_PASSWORD@\n  replica.conf",
                "    requirepass @KV_PASSWORD@\n    masterauth @KV_PASSWORD@\n  replica.conf",
            ),
            ("deploy/config.yaml", "dir /var/lib/kv", "dir /data"),
            (
                "deploy/sentinel.yaml",
                "        configMap:\n          name: kv-conf",
                "        persistentVolumeClaim:\n          claimName: kv-sentinel-conf",
            ),
        ],
    );
    let (ws, diagnostics) = check_dir(&dir, Target::default());
    let found = located(&diagnostics, &ws);
    for rule in [
        "sentinel-config-readonly-mount",
        "masterauth-missing",
        "data-dir-ephemeral",
    ] {
        assert!(!found.iter().any(|(r, _)| r == rule), "{rule}: {found:#?}");
    }
}

#[test]
fn a_role_the_environment_does_not_decide_is_not_guessed() {
    // The sentinel's role comes from a Secret: it may be any role, so no role is taken.
    let dir = edited(
        "unknown-role",
        &[(
            "deploy/sentinel.yaml",
            "        - name: KV_ROLE\n          value: sentinel",
            "        - name: KV_ROLE\n          valueFrom:\n            secretKeyRef: {name: roles, key: sentinel}",
        )],
    );
    let (ws, diagnostics) = check_dir(&dir, Target::default());
    let found = located(&diagnostics, &ws);
    assert!(
        !found
            .iter()
            .any(|(r, _)| r == "sentinel-config-readonly-mount"),
        "{found:#?}"
    );
}

#[test]
fn an_image_of_another_name_is_not_this_dockerfile() {
    let dir = edited(
        "other-image",
        &[(
            "deploy/sentinel.yaml",
            "registry.example.com/platform/image:1.4",
            "registry.example.com/platform/proxy:1.4",
        )],
    );
    let (ws, diagnostics) = check_dir(&dir, Target::default());
    let found = located(&diagnostics, &ws);
    assert!(
        !found
            .iter()
            .any(|(r, _)| r == "sentinel-config-readonly-mount"),
        "{found:#?}"
    );
}

#[test]
fn a_command_naming_a_script_of_the_image_is_followed() {
    // The container names the image's role script itself instead of relying on the
    // image's ENTRYPOINT: the same script, walked with the same environment.
    let dir = edited(
        "command",
        &[
            (
                "deploy/sentinel.yaml",
                "        image: registry.example.com/platform/image:1.4\n",
                "        image: registry.example.com/platform/image:1.4\n        command: [\"/opt/kv/role.sh\"]\n",
            ),
            ("image/Dockerfile", "ENTRYPOINT [\"/init\"]", "ENTRYPOINT [\"/bin/false\"]"),
        ],
    );
    let (ws, diagnostics) = check_dir(&dir, Target::default());
    let found = located(&diagnostics, &ws);
    assert!(
        found
            .iter()
            .any(|(r, f)| r == "sentinel-config-readonly-mount" && f == "deploy/sentinel.yaml"),
        "{found:#?}"
    );
}

#[test]
fn an_image_named_after_the_end_of_its_folder_is_that_dockerfile() {
    // `docker-image/Dockerfile` builds `platform/image`: a prefix on the folder's name.
    let dir = edited("folder-prefix", &[]);
    std::fs::rename(dir.join("image"), dir.join("docker-image")).unwrap();
    let (ws, diagnostics) = check_dir(&dir, Target::default());
    let found = located(&diagnostics, &ws);
    assert!(
        found
            .iter()
            .any(|(r, f)| r == "sentinel-config-readonly-mount" && f == "deploy/sentinel.yaml"),
        "{found:#?}"
    );
}

#[test]
fn a_start_script_that_runs_a_server_and_a_sentinel_runs_both() {
    let dir = std::env::temp_dir().join(format!("k8s-image-start-{}-both", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let write = |path: &str, text: &str| {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "docker-cache/Dockerfile",
        "FROM redis:7.2\nCOPY redis.conf /etc/redis/redis.conf\nCOPY sentinel.conf /etc/redis/sentinel.conf\nCOPY start.sh /usr/bin/start.sh\nCMD /usr/bin/start.sh\n",
    );
    write("docker-cache/redis.conf", "port 6379\ndir /data\n");
    write(
        "docker-cache/sentinel.conf",
        "port 26379\nsentinel monitor cache 127.0.0.1 6379 2\n",
    );
    write(
        "docker-cache/start.sh",
        "#!/bin/sh\nredis-server /etc/redis/redis.conf &\nredis-server /etc/redis/sentinel.conf --sentinel &\nsleep infinity\n",
    );
    write(
        "deploy/cache.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: cache}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: cache}}\n  template:\n    metadata: {labels: {app: cache}}\n    spec:\n      containers:\n      - name: cache\n        image: team/cache:1.0\n",
    );
    let (ws, _) = check_dir(&dir, Target::default());
    let topology = ws.topology();
    let group = topology
        .groups
        .iter()
        .find(|g| g.name.as_deref() == Some("cache"))
        .expect("the sentinel the script starts watches its server");
    // Both run in the Deployment's container, not as configs of their own.
    let master = group.master.expect("its master");
    assert_eq!(topology.nodes[master].name, "workload `cache`");
    assert_eq!(group.monitors.len(), 1);
    let sentinel = group.monitors[0].sentinel;
    assert_eq!(topology.sentinels[sentinel].name, "workload `cache`");
}

#[test]
fn a_relative_dir_in_an_images_config_is_under_its_working_directory() {
    // The stock `dir ./` of a config the image copies in: /data of the official image
    // it builds on, which the Deployment does not back with a volume.
    let tree = Path::new("tests/data/k8s-image-stock-config");
    let (ws, diagnostics) = check_dir(tree, Target::default());
    let found = located(&diagnostics, &ws);
    assert!(
        found
            .iter()
            .any(|(r, f)| r == "data-dir-ephemeral" && f == "docker-cache/redis.conf"),
        "{found:#?}"
    );
    // With a claim at /data, nothing is lost.
    let dir = std::env::temp_dir().join(format!("k8s-image-stock-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy(tree, &dir);
    let manifest = dir.join("deploy/cache.yaml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let claimed = text.replace(
        "        image: team/cache:1.0\n",
        "        image: team/cache:1.0\n        volumeMounts:\n        - {name: data, mountPath: /data}\n      volumes:\n      - name: data\n        persistentVolumeClaim:\n          claimName: cache-data\n",
    );
    assert_ne!(text, claimed);
    std::fs::write(&manifest, claimed).unwrap();
    let (ws, diagnostics) = check_dir(&dir, Target::default());
    let found = located(&diagnostics, &ws);
    assert!(
        !found.iter().any(|(r, _)| r == "data-dir-ephemeral"),
        "{found:#?}"
    );
}
