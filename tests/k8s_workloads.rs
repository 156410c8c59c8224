//! Kubernetes workloads become processes: a StatefulSet of sentinels counts as its
//! replicas, Secret values are compared (never printed), and a correct plain-Kubernetes
//! deployment checks clean.

mod common;

use common::{check_dir, render_full, workspace_for};
use redis_halint::{Severity, Target};
use std::path::{Path, PathBuf};

const CORRECT: &str = "fixtures/pdb-missing/good/deployment.yaml";

fn check_text(name: &str, text: &str) -> (redis_halint::Workspace, Vec<redis_halint::Diagnostic>) {
    let dir = std::env::temp_dir().join(format!("halint-k8s-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.yaml"));
    std::fs::write(&path, text).unwrap();
    let ws = workspace_for(&[path], Target::default());
    let d = ws.check();
    (ws, d)
}

#[test]
fn correct_deployment_has_no_warning_or_error() {
    let ws = workspace_for(&[PathBuf::from(CORRECT)], Target::default());
    let diagnostics = ws.check();
    let loud: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.severity >= Severity::Warning)
        .map(|d| format!("{} {}", d.rule.name(), d.message))
        .collect();
    assert!(loud.is_empty(), "{loud:#?}");
    // The sentinel StatefulSet's three replicas are three sentinels of `mymaster`, and
    // the configs copied by the initContainers are the processes' configs.
    let topology = ws.topology();
    let group = topology
        .groups
        .iter()
        .find(|g| g.name.as_deref() == Some("mymaster"))
        .expect("group mymaster");
    assert_eq!(group.sentinel_count.known(), Some(3));
    assert_eq!(topology.sentinels.len(), 3);
    assert_eq!(topology.nodes.len(), 3);
}

const TWO_SENTINELS: &str = r#"
apiVersion: v1
kind: ConfigMap
metadata: {name: tmpl}
data:
  sentinel.conf: |
    port 26379
    sentinel monitor mymaster 10.0.0.10 6379 2
    sentinel down-after-milliseconds mymaster 5000
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: sentinel}
spec:
  replicas: 2
  template:
    spec:
      initContainers:
      - name: copy
        command: [sh, -c, "test -f /data/sentinel.conf || cp /tmpl/sentinel.conf /data/sentinel.conf"]
        volumeMounts:
        - {name: tmpl, mountPath: /tmpl}
        - {name: data, mountPath: /data}
      containers:
      - name: sentinel
        command: [redis-sentinel, /data/sentinel.conf]
        volumeMounts:
        - {name: data, mountPath: /data}
      volumes:
      - name: tmpl
        configMap: {name: tmpl}
  volumeClaimTemplates:
  - metadata: {name: data}
"#;

#[test]
fn sentinel_replicas_feed_the_quorum_rules() {
    let (ws, diagnostics) = check_text("two", TWO_SENTINELS);
    let rules: Vec<&str> = diagnostics.iter().map(|d| d.rule.name()).collect();
    assert!(rules.contains(&"sentinel-count-below-three"), "{rules:?}");
    assert_eq!(ws.topology().sentinels.len(), 2);
}

const SECRET_DATA: &str = r#"
apiVersion: v1
kind: Secret
metadata: {name: auth}
data:
  # "Secret-Pass-1"
  password: U2VjcmV0LVBhc3MtMQ==
---
apiVersion: v1
kind: ConfigMap
metadata: {name: tmpl}
data:
  sentinel.conf: |
    port 26379
    sentinel monitor mymaster 10.0.0.10 6379 2
    sentinel auth-pass mymaster Other-Pass-2
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: sentinel}
spec:
  replicas: 3
  template:
    spec:
      containers:
      - name: sentinel
        command: [sh, -c, "cp /tmpl/sentinel.conf /run/s.conf && exec redis-sentinel /run/s.conf"]
        volumeMounts:
        - {name: tmpl, mountPath: /tmpl}
      volumes:
      - name: tmpl
        configMap: {name: tmpl}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: redis}
spec:
  replicas: 1
  template:
    spec:
      containers:
      - name: redis
        command: [redis-server, --bind, 10.0.0.10, --requirepass, $(PASSWORD), --appendonly, "yes"]
        env:
        - name: PASSWORD
          valueFrom:
            secretKeyRef: {name: auth, key: password}
"#;

#[test]
fn secret_values_are_compared_never_printed() {
    let (ws, diagnostics) = check_text("secret", SECRET_DATA);
    let rules: Vec<&str> = diagnostics.iter().map(|d| d.rule.name()).collect();
    assert!(rules.contains(&"sentinel-auth-pass-mismatch"), "{rules:?}");
    let output = render_full(&ws, &diagnostics);
    assert!(!output.contains("Secret-Pass-1"), "{output}");
    // Without the Secret in the tree, the password is unknown: nothing to compare.
    let without: String = SECRET_DATA
        .split("---")
        .skip(1)
        .collect::<Vec<_>>()
        .join("---");
    let (_, diagnostics) = check_text("nosecret", &without);
    assert!(
        !diagnostics
            .iter()
            .any(|d| d.rule.name() == "sentinel-auth-pass-mismatch"),
        "{diagnostics:?}"
    );
}

const SECRET_BASE64_CONFIG: &str = r#"
apiVersion: v1
kind: Secret
metadata: {name: sentinel-conf}
data:
  sentinel.conf: cG9ydCAyNjM3OQpzZW50aW5lbCBtb25pdG9yIG15bWFzdGVyIDEwLjAuMC4xMCA2Mzc5IDIKc2VudGluZWwgZG93bi1hZnRlci1taWxsaXNlY29uZHMgbXltYXN0ZXIgNTAwMAo=
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: sentinel}
spec:
  replicas: 3
  template:
    spec:
      initContainers:
      - name: copy
        command: [sh, -c, "[ -f /data/sentinel.conf ] || cp /secret/sentinel.conf /data/"]
        volumeMounts:
        - {name: secret, mountPath: /secret}
        - {name: data, mountPath: /data}
      containers:
      - name: sentinel
        command: [redis-sentinel, /data/sentinel.conf]
        volumeMounts:
        - {name: data, mountPath: /data}
      volumes:
      - name: secret
        secret: {secretName: sentinel-conf}
  volumeClaimTemplates:
  - metadata: {name: data}
"#;

#[test]
fn base64_secret_config_copied_by_an_init_container() {
    let (ws, diagnostics) = check_text("b64", SECRET_BASE64_CONFIG);
    let topology = ws.topology();
    assert_eq!(topology.sentinels.len(), 3);
    let group = topology
        .groups
        .iter()
        .find(|g| g.name.as_deref() == Some("mymaster"))
        .expect("group mymaster");
    assert_eq!(group.sentinel_count.known(), Some(3));
    let rules: Vec<&str> = diagnostics.iter().map(|d| d.rule.name()).collect();
    assert!(
        !rules.contains(&"sentinel-state-not-persistent"),
        "{rules:?}"
    );
    assert!(
        rules.contains(&"sentinels-single-failure-domain"),
        "{rules:?}"
    );
}

/// The shared Kubernetes seed keeps its four findings (skipped when the shared tree is
/// not beside the repository).
#[test]
fn k8s_seed_keeps_its_findings() {
    let path = PathBuf::from("../shared/seed-configs/k8s/redis-sentinel-k8s.yaml");
    if !path.exists() {
        return;
    }
    let ws = workspace_for(&[path], Target::default());
    let diagnostics = ws.check();
    let rules: Vec<&str> = diagnostics.iter().map(|d| d.rule.name()).collect();
    for rule in [
        "sentinel-config-readonly-mount",
        "static-master-by-ordinal",
        "hostname-monitor-without-resolve-hostnames",
        "probe-without-auth",
    ] {
        assert!(rules.contains(&rule), "{rule} missing: {rules:?}");
    }
    let output = render_full(&ws, &diagnostics);
    assert!(
        !output.contains("K8sMasterPass123"),
        "a password was printed"
    );
    assert!(
        !output.contains("K8sReplicaPass123"),
        "a password was printed"
    );
}

/// One-line Secret values are masked in any output, like passwords in configs.
#[test]
fn secret_values_are_masked() {
    let ws = workspace_for(&[PathBuf::from(CORRECT)], Target::default());
    let id = ws.file_id(std::path::Path::new(CORRECT)).expect("file id");
    let text = std::fs::read_to_string(CORRECT).unwrap();
    let value = (text.find("password: Fixture-Only-Pass-1").unwrap() + "password: ".len()) as u32;
    assert!(ws
        .secret_spans(id)
        .iter()
        .any(|s| s.start <= value && value < s.end));
}

/// A sentinel.conf written by an initContainer's here-document into the claim the
/// sentinel then runs from: the sentinels are seen, with their settings and positions,
/// and a read-only setting in that script is seen too.
const HEREDOC_INIT: &str = r#"
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: sentinel, namespace: ns1}
spec:
  serviceName: sentinel-headless
  replicas: 3
  selector: {matchLabels: {app: sentinel}}
  template:
    metadata: {labels: {app: sentinel}}
    spec:
      initContainers:
      - name: config
        image: redis:7.2
        command:
        - sh
        - -c
        - |
          [ -f /data/sentinel.conf ] && exit 0
          cat > /data/sentinel.conf <<EOF
          port 26379
          sentinel monitor mymaster 10.0.0.10 6379 2
          sentinel auth-pass mymaster "${REDIS_PASSWORD}"
          sentinel down-after-milliseconds mymaster 500
          EOF
        volumeMounts:
        - {name: data, mountPath: /data}
      containers:
      - name: sentinel
        image: redis:7.2
        command: [redis-sentinel, /data/sentinel.conf]
        volumeMounts:
        - {name: data, mountPath: /data}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
"#;

#[test]
fn heredoc_written_by_init_container_is_the_sentinel_config() {
    let (ws, diagnostics) = check_text("heredoc-init", HEREDOC_INIT);
    let topology = ws.topology();
    let group = topology
        .groups
        .iter()
        .find(|g| g.name.as_deref() == Some("mymaster"))
        .expect("group mymaster");
    assert_eq!(group.sentinel_count.known(), Some(3));
    let low = diagnostics
        .iter()
        .find(|d| d.rule.name() == "down-after-too-low")
        .expect("the 500 ms in the here-document is read");
    let source = ws.source(low.span.file).unwrap();
    assert_eq!(
        &source.text()[low.span.start as usize..low.span.end as usize],
        "500",
        "the span points into the script"
    );
    assert!(
        !diagnostics
            .iter()
            .any(|d| d.rule.name() == "sentinel-auth-pass-missing"),
        "auth-pass from the environment is a password"
    );
}

/// A start script kept in a ConfigMap is read like a script file: the sentinel its
/// here-document configures is a sentinel of the tree, and writing that config at every
/// start without a `sentinel myid` is sentinel-state-not-persistent, at the write.
#[test]
fn configmap_start_script_rewrites_the_sentinel_config() {
    let script = |guard: &str| {
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sentinel-scripts\ndata:\n  start-sentinel.sh: |\n    #!/bin/sh\n    conf=/data/sentinel.conf\n    {guard}cat > \"$conf\" <<EOF\n    port 26379\n    sentinel monitor mymaster 10.0.0.5 6379 2\n    EOF\n    exec redis-server \"$conf\" --sentinel\n"
        )
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("scripts.yaml"), script("")).unwrap();
    let (ws, diagnostics) = common::check_dir(dir.path(), redis_halint::Target::default());
    let topology = ws.topology();
    assert_eq!(
        topology.sentinels.len(),
        1,
        "the script's sentinel is found"
    );
    let found: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.rule.name() == "sentinel-state-not-persistent")
        .collect();
    assert_eq!(found.len(), 1, "{diagnostics:#?}");
    let source = ws.source(found[0].span.file).unwrap();
    assert_eq!(
        source.line_col(found[0].span.start).line,
        9,
        "at the `cat >` line"
    );
    // Written only when it does not exist yet: kept across restarts.
    std::fs::write(
        dir.path().join("scripts.yaml"),
        script("[ -f \"$conf\" ] || "),
    )
    .unwrap();
    let (_, diagnostics) = common::check_dir(dir.path(), redis_halint::Target::default());
    assert!(
        !diagnostics
            .iter()
            .any(|d| d.rule.name() == "sentinel-state-not-persistent"),
        "{diagnostics:#?}"
    );
}

/// An initContainer that makes pod 0 the master when the sentinel does not answer a
/// PING picks the role of the server its pod starts: static-master-by-ordinal, even though
/// it asks the sentinels when they answer.
#[test]
fn init_container_ordinal_fallback_on_sentinel_ping() {
    let manifest = r#"apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: redis
spec:
  serviceName: redis
  replicas: 3
  template:
    spec:
      initContainers:
      - name: config
        image: redis:7.2
        command: ["sh", "-c"]
        args:
          - |
            cp /tmp/redis/redis.conf /etc/redis/redis.conf
            if [ "$(redis-cli -h sentinel -p 26379 ping)" != "PONG" ]; then
              if [ "$(hostname)" = "redis-0" ]; then
                echo "master"
              else
                echo "replicaof redis-0.redis 6379" >> /etc/redis/redis.conf
              fi
            else
              MASTER=$(redis-cli -h sentinel -p 26379 sentinel get-master-addr-by-name mymaster | head -n1)
              echo "replicaof $MASTER 6379" >> /etc/redis/redis.conf
            fi
      containers:
      - name: redis
        image: redis:7.2
        command: ["redis-server", "/etc/redis/redis.conf"]
"#;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("redis.yaml"), manifest).unwrap();
    let (ws, diagnostics) = common::check_dir(dir.path(), redis_halint::Target::default());
    let k003: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.rule.name() == "static-master-by-ordinal")
        .collect();
    assert_eq!(k003.len(), 1, "{diagnostics:#?}");
    let source = ws.source(k003[0].span.file).unwrap();
    assert_eq!(source.line_col(k003[0].span.start).line, 18);
    // Asking the sentinels without a PING fallback is the documented fix: not reported.
    let fixed = manifest.replace(
        "if [ \"$(redis-cli -h sentinel -p 26379 ping)\" != \"PONG\" ]; then",
        "MASTER=$(redis-cli -h sentinel -p 26379 sentinel get-master-addr-by-name mymaster | head -n1)\n            if [ -z \"$MASTER\" ]; then",
    );
    std::fs::write(dir.path().join("redis.yaml"), fixed).unwrap();
    let (_, diagnostics) = common::check_dir(dir.path(), redis_halint::Target::default());
    assert!(
        !diagnostics
            .iter()
            .any(|d| d.rule.name() == "static-master-by-ordinal"),
        "{diagnostics:#?}"
    );
}

/// Sentinels started by a script kept in a ConfigMap key (`sh /scripts/start.sh`), the
/// script building the config with `echo … >> FILE` in one manifest and the StatefulSet
/// in another: the StatefulSet's 2 replicas are 2 sentinels running the script's config,
/// not one loose config of unknown count.
const SCRIPT_CONFIGMAP: &str = r#"apiVersion: v1
kind: ConfigMap
metadata: {name: sentinel-scripts}
data:
  start.sh: |
    #!/bin/sh
    CONF=/data/sentinel.conf
    echo "port 26379" > $CONF
    echo "sentinel monitor mymaster 10.0.0.5 6379 2" >> $CONF
    echo "sentinel down-after-milliseconds mymaster 5000" >> $CONF
    exec redis-sentinel $CONF
"#;

const SCRIPT_STATEFULSET: &str = r#"apiVersion: apps/v1
kind: StatefulSet
metadata: {name: sentinel}
spec:
  replicas: 2
  selector: {matchLabels: {app: sentinel}}
  template:
    metadata: {labels: {app: sentinel}}
    spec:
      containers:
        - name: sentinel
          image: redis:7.2
          command: ["sh", "-c", "exec /scripts/start.sh"]
          volumeMounts:
            - {name: scripts, mountPath: /scripts}
            - {name: data, mountPath: /data}
      volumes:
        - name: scripts
          configMap: {name: sentinel-scripts, defaultMode: 0755}
        - name: data
          emptyDir: {}
"#;

#[test]
fn configmap_start_script_runs_in_its_workload() {
    let dir = std::env::temp_dir().join(format!("halint-k8s-{}-script", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let scripts = dir.join("scripts.yaml");
    let workload = dir.join("sentinel.yaml");
    std::fs::write(&scripts, SCRIPT_CONFIGMAP).unwrap();
    std::fs::write(&workload, SCRIPT_STATEFULSET).unwrap();
    let ws = workspace_for(&[scripts, workload], Target::default());
    let found = ws.check();
    let topology = ws.topology();
    assert_eq!(
        topology.sentinels.len(),
        2,
        "the replicas, not the loose script config"
    );
    let group = topology
        .groups
        .iter()
        .find(|g| g.name.as_deref() == Some("mymaster"))
        .expect("group mymaster");
    assert_eq!(group.sentinel_count.known(), Some(2));
    let rules: Vec<&str> = found.iter().map(|d| d.rule.name()).collect();
    assert!(rules.contains(&"sentinel-count-below-three"), "{rules:?}");
    // The script writes the config afresh at every start: reported once, at the write.
    assert_eq!(
        rules
            .iter()
            .filter(|r| **r == "sentinel-state-not-persistent")
            .count(),
        1,
        "{rules:?}"
    );
}

fn sentinel_deployment(name: &str, replicas: usize) -> String {
    format!(
        r#"apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: cache}}
spec:
  replicas: {replicas}
  template:
    spec:
      initContainers:
        - name: config
          image: redis:7.2
          command: [sh, -c, "test -f /data/sentinel.conf || cp /template/sentinel.conf /data/sentinel.conf"]
          volumeMounts:
            - {{name: template, mountPath: /template}}
            - {{name: data, mountPath: /data}}
      containers:
        - name: sentinel
          image: redis:7.2
          command: [redis-sentinel, /data/sentinel.conf]
          volumeMounts:
            - {{name: data, mountPath: /data}}
      volumes:
        - name: template
          configMap: {{name: sentinel-template}}
        - name: data
          persistentVolumeClaim: {{claimName: {name}-data}}
"#
    )
}

const SENTINEL_TEMPLATE: &str = r#"apiVersion: v1
kind: ConfigMap
metadata: {name: sentinel-template, namespace: cache}
data:
  sentinel.conf: |
    port 26379
    sentinel monitor mymaster 10.0.0.10 6379 2
    sentinel down-after-milliseconds mymaster 5000
"#;

/// The workloads of one namespace in one folder declare every process of the
/// deployment: one sentinel Deployment of one replica is a known count of one, and three
/// one-replica Deployments in that folder are three sentinels.
#[test]
fn workloads_of_a_folder_and_namespace_are_one_deployment() {
    let base = std::env::temp_dir().join(format!("halint-k8s-{}-units", std::process::id()));
    let one = base.join("one");
    let three = base.join("three");
    std::fs::create_dir_all(&one).unwrap();
    std::fs::create_dir_all(&three).unwrap();
    std::fs::write(one.join("config.yaml"), SENTINEL_TEMPLATE).unwrap();
    std::fs::write(
        one.join("sentinel.yaml"),
        sentinel_deployment("sentinel", 1),
    )
    .unwrap();
    std::fs::write(three.join("config.yaml"), SENTINEL_TEMPLATE).unwrap();
    for i in 1..=3 {
        std::fs::write(
            three.join(format!("sentinel-{i}.yaml")),
            sentinel_deployment(&format!("sentinel-{i}"), 1),
        )
        .unwrap();
    }
    let (ws, found) = common::check_dir(&base, Target::default());
    let counts: Vec<String> = found
        .iter()
        .filter(|d| {
            d.rule.name().starts_with("sentinel-count") || d.rule.name().starts_with("quorum")
        })
        .map(|d| {
            let s = ws.source(d.span.file).unwrap();
            format!(
                "{} {}:{}",
                d.rule.name(),
                s.path.strip_prefix(&base).unwrap().display(),
                s.line_col(d.span.start).line
            )
        })
        .collect();
    // `replicas: 1` of the lone Deployment (line 5) declares the count; the quorum of 2
    // can never be reached by one sentinel.
    assert!(
        counts.contains(&"sentinel-count-below-three one/sentinel.yaml:5".to_string()),
        "{counts:?}"
    );
    assert!(counts.iter().all(|c| !c.contains("three/")), "{counts:?}");
    let topology = ws.topology();
    let mut known: Vec<usize> = topology
        .groups
        .iter()
        .filter_map(|g| g.sentinel_count.known())
        .collect();
    known.sort();
    assert_eq!(known, [1, 3]);
}

/// A Secret made by Kustomize's `secretGenerator` from a literal is a Secret of the
/// deployment like a manifest's: its value is compared with the sentinel's auth-pass,
/// and masked in every output (including the kustomization's own line).
#[test]
fn secret_generator_literals_are_secrets() {
    let dir = std::env::temp_dir().join(format!("halint-k8s-{}-generator", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let manifests: String = SECRET_DATA
        .split("---")
        .skip(1)
        .collect::<Vec<_>>()
        .join("---");
    std::fs::write(dir.join("deployment.yaml"), manifests).unwrap();
    std::fs::write(
        dir.join("kustomization.yaml"),
        "resources:\n- deployment.yaml\nsecretGenerator:\n- name: auth\n  literals:\n  - password=Secret-Pass-1\n",
    )
    .unwrap();
    let (ws, diagnostics) = common::check_dir(&dir, Target::default());
    let rules: Vec<&str> = diagnostics.iter().map(|d| d.rule.name()).collect();
    assert!(rules.contains(&"sentinel-auth-pass-mismatch"), "{rules:?}");
    let output = render_full(&ws, &diagnostics);
    assert!(!output.contains("Secret-Pass-1"), "{output}");
    let source = (0..16)
        .filter_map(|i| ws.source(redis_halint::source::FileId(i)))
        .find(|s| s.path.ends_with("kustomization.yaml"))
        .expect("the kustomization is read");
    let spans = ws.secret_spans(source.id);
    let shown: Vec<&str> = spans.iter().map(|s| &source.text()[s.range()]).collect();
    assert_eq!(shown, vec!["Secret-Pass-1"]);
}

/// The widely copied layout where an init container runs a script kept in a ConfigMap
/// (mounted with `items:`, run by path): the script keeps the monitor line aside in one
/// file, then writes the config with one multi-line `echo "…$(cat FILE)…" >` onto the
/// emptyDir the sentinel container runs it from.
#[test]
fn init_container_script_from_a_configmap_writes_the_config() {
    let text = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: sentinel-scripts
data:
  init.sh: |
    #!/bin/sh
    MASTER=$(redis-cli -h cache-0.cache info replication | grep master_host | cut -d: -f2)
    echo "sentinel monitor cache ${MASTER:-cache-0.cache} 6379 2" >> /tmp/monitor
    echo "port 26379
    sentinel resolve-hostnames yes
    $(cat /tmp/monitor)
    sentinel down-after-milliseconds cache 1000
    " > /etc/sentinel/sentinel.conf
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: sentinel
spec:
  serviceName: sentinel
  replicas: 3
  selector:
    matchLabels: {app: sentinel}
  template:
    metadata:
      labels: {app: sentinel}
    spec:
      initContainers:
        - name: config
          image: redis:7.2
          command: ["sh", "-c", "/scripts/init.sh"]
          volumeMounts:
            - {name: conf, mountPath: /etc/sentinel}
            - {name: scripts, mountPath: /scripts}
      containers:
        - name: sentinel
          image: redis:7.2
          command: ["redis-sentinel"]
          args: ["/etc/sentinel/sentinel.conf"]
          volumeMounts:
            - {name: conf, mountPath: /etc/sentinel}
      volumes:
        - name: scripts
          configMap:
            name: sentinel-scripts
            defaultMode: 0777
            items:
              - {key: init.sh, path: init.sh}
        - name: conf
          emptyDir: {}
"#;
    let (ws, found) = check_text("init-script-key", text);
    let topology = ws.topology();
    let group = topology
        .groups
        .iter()
        .find(|g| g.name.as_deref() == Some("cache"))
        .expect("group cache");
    assert_eq!(
        group.sentinel_count,
        redis_halint::model::topology::SentinelCount::Known(3)
    );
    assert!(found.iter().any(|d| d.rule.name() == "down-after-too-low"));
    assert!(found
        .iter()
        .any(|d| d.rule.name() == "sentinel-state-not-persistent"));
}

fn appendonly_node(volume: &str, working_dir: &str) -> String {
    let claims = if volume.is_empty() {
        ""
    } else {
        "  volumeClaimTemplates:\n    - metadata: {name: data}\n      spec:\n        accessModes: [ReadWriteOnce]\n        resources: {requests: {storage: 1Gi}}\n"
    };
    format!(
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: cache-conf
data:
  redis.conf: |
    port 6379
    appendonly yes
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: cache
spec:
  serviceName: cache
  replicas: 1
  selector:
    matchLabels: {{app: cache}}
  template:
    metadata:
      labels: {{app: cache}}
    spec:
      containers:
        - name: redis
          image: redis:7.2
          command: ["redis-server", "/conf/redis.conf"]{working_dir}
          volumeMounts:
            - {{name: conf, mountPath: /conf}}
{volume}      volumes:
        - name: conf
          configMap: {{name: cache-conf}}
{claims}"#
    )
}

#[test]
fn official_image_without_dir_saves_to_its_working_directory() {
    let has = |found: &[redis_halint::Diagnostic]| {
        found
            .iter()
            .any(|d| d.rule.name() == "data-dir-ephemeral" && d.message.contains("`/data`"))
    };
    let (_, found) = check_text("no-dir-bad", &appendonly_node("", ""));
    assert!(has(&found), "appendonly with no volume at /data is lost");
    let claim = "            - {name: data, mountPath: /data}\n";
    let (_, found) = check_text("no-dir-claim", &appendonly_node(claim, ""));
    assert!(!has(&found), "a claim at /data keeps the files");
    let (_, found) = check_text(
        "no-dir-workdir",
        &appendonly_node("", "\n          workingDir: /srv"),
    );
    assert!(!has(&found), "another working directory is not /data");
}

/// A master Deployment of one pod behind a Service, replicas that dial the Service.
fn master_behind_service(master_replicas: usize) -> String {
    format!(
        r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: conf
data:
  master.conf: |
    port 6379
    requirepass example-pass-1
  replica.conf: |
    port 6379
    replicaof redis-master 6379
---
apiVersion: v1
kind: Service
metadata:
  name: redis-master
spec:
  selector: {{app: redis, role: master}}
  ports:
    - port: 6379
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: redis-master
spec:
  replicas: {master_replicas}
  selector:
    matchLabels: {{app: redis, role: master}}
  template:
    metadata:
      labels: {{app: redis, role: master}}
    spec:
      containers:
        - name: redis
          image: redis:7.2
          command: ["redis-server", "/conf/master.conf"]
          volumeMounts:
            - {{name: conf, mountPath: /conf}}
      volumes:
        - name: conf
          configMap: {{name: conf}}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: redis-replica
spec:
  replicas: 2
  selector:
    matchLabels: {{app: redis, role: replica}}
  template:
    metadata:
      labels: {{app: redis, role: replica}}
    spec:
      containers:
        - name: redis
          image: redis:7.2
          command: ["redis-server", "/conf/replica.conf"]
          volumeMounts:
            - {{name: conf, mountPath: /conf}}
      volumes:
        - name: conf
          configMap: {{name: conf}}
"#
    )
}

#[test]
fn a_service_in_front_of_one_pod_is_that_pod() {
    let masterauth = |found: &[redis_halint::Diagnostic]| {
        found
            .iter()
            .filter(|d| d.rule.name() == "masterauth-missing")
            .count()
    };
    let (ws, found) = check_text("svc-one-pod", &master_behind_service(1));
    let topology = ws.topology();
    let group = topology
        .groups
        .iter()
        .find(|g| g.host == "redis-master")
        .expect("a group at redis-master");
    assert!(group.master.is_some(), "the Service names the master pod");
    assert_eq!(group.replicas.len(), 2);
    assert!(
        masterauth(&found) > 0,
        "the replicas lack the master's password"
    );
    // Two pods behind the Service: it names neither.
    let (ws, _) = check_text("svc-two-pods", &master_behind_service(2));
    let topology = ws.topology();
    assert!(topology
        .groups
        .iter()
        .filter(|g| g.host == "redis-master")
        .all(|g| g.master.is_none()));
}

#[test]
fn a_memory_limit_at_maxmemory_gets_the_pod_killed() {
    let pod = |limit: &str| {
        format!("apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: cache\nspec:\n  serviceName: cache\n  replicas: 1\n  selector:\n    matchLabels: {{app: cache}}\n  template:\n    metadata:\n      labels: {{app: cache}}\n    spec:\n      containers:\n        - name: redis\n          image: redis:7.2\n          command: [\"redis-server\", \"--maxmemory\", \"512mb\"]\n          resources:\n            limits:\n              memory: {limit}\n")
    };
    let count = |found: &[redis_halint::Diagnostic]| {
        found
            .iter()
            .filter(|d| d.rule.name() == "memory-cap-below-maxmemory")
            .count()
    };
    let (_, found) = check_text("mem-512", &pod("512Mi"));
    assert_eq!(count(&found), 1);
    let (_, found) = check_text("mem-1g", &pod("1Gi"));
    assert_eq!(count(&found), 0);
}

/// A sentinel template that pins `sentinel myid`, copied for every pod of a StatefulSet:
/// the pods are twins that ignore each other. Without the pinned id they are not.
#[test]
fn pods_started_from_one_pinned_myid_are_twins() {
    let manifest = |myid: &str| {
        format!(
            r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: sentinel-conf
data:
  sentinel.conf: |
    port 26379
    {myid}sentinel monitor mymaster 10.0.0.5 6379 2
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: sentinel
spec:
  serviceName: sentinel
  replicas: 3
  selector:
    matchLabels: {{app: sentinel}}
  template:
    metadata:
      labels: {{app: sentinel}}
    spec:
      initContainers:
        - name: config
          image: redis:7.2
          command: [sh, -c, "test -f /data/sentinel.conf || cp /tmpl/sentinel.conf /data/sentinel.conf"]
          volumeMounts:
            - {{name: tmpl, mountPath: /tmpl}}
            - {{name: data, mountPath: /data}}
      containers:
        - name: sentinel
          image: redis:7.2
          command: [redis-sentinel, /data/sentinel.conf]
          volumeMounts:
            - {{name: data, mountPath: /data}}
      volumes:
        - name: tmpl
          configMap: {{name: sentinel-conf}}
  volumeClaimTemplates:
    - metadata: {{name: data}}
      spec:
        accessModes: [ReadWriteOnce]
        resources: {{requests: {{storage: 1Gi}}}}
"#
        )
    };
    let twins = |found: &[redis_halint::Diagnostic]| {
        found
            .iter()
            .filter(|d| d.rule.name() == "compose-sentinel-shared-config")
            .count()
    };
    let (_, found) = check_text(
        "pinned-myid",
        &manifest("sentinel myid 0123456789abcdef0123456789abcdef01234567\n    "),
    );
    assert_eq!(twins(&found), 1);
    let (_, found) = check_text("no-myid", &manifest(""));
    assert_eq!(twins(&found), 0);
}

#[test]
fn operator_data_pods_get_the_memory_limit_of_their_resource() {
    let rf = |limit: &str| {
        format!("apiVersion: databases.spotahome.com/v1\nkind: RedisFailover\nmetadata:\n  name: cache\nspec:\n  sentinel:\n    replicas: 3\n  redis:\n    replicas: 3\n    customConfig:\n      - \"maxmemory 1gb\"\n    resources:\n      limits:\n        memory: {limit}\n")
    };
    let found = |limit: &str| -> Vec<String> {
        let (_, found) = check_text(&format!("rf-{limit}"), &rf(limit));
        found
            .iter()
            .filter(|d| d.rule.name() == "memory-cap-below-maxmemory")
            .map(|d| d.message.clone())
            .collect()
    };
    let tight = found("1Gi");
    assert_eq!(tight.len(), 1, "{tight:?}");
    assert!(
        tight[0].contains("RedisFailover `cache` may use 1G"),
        "{tight:?}"
    );
    assert!(found("2Gi").is_empty());
}

/// Sentinel's config copied by an initContainer from one ConfigMap, with its monitor in an
/// `include`d file copied from another: the pods are sentinels of that master.
const INCLUDED_MONITOR: &str = r#"apiVersion: v1
kind: ConfigMap
metadata: {name: sentinel-base}
data:
  sentinel.conf: |
    port 26379
    sentinel resolve-hostnames yes
    sentinel announce-hostnames yes
    sentinel down-after-milliseconds mymaster 5000
    include /etc/redis/monitor.conf
---
apiVersion: v1
kind: ConfigMap
metadata: {name: sentinel-monitor}
data:
  monitor.conf: |
    sentinel monitor mymaster redis-0.redis-headless 6379 2
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: sentinel}
spec:
  replicas: 2
  serviceName: sentinel
  template:
    spec:
      initContainers:
      - name: init
        image: redis:7.2
        command: [sh, -c, "cp /mnt/sentinel.conf /etc/redis/sentinel.conf && cp /mnt/monitor.conf /etc/redis/monitor.conf"]
        volumeMounts:
        - {name: config, mountPath: /etc/redis}
        - {name: base, mountPath: /mnt/sentinel.conf, subPath: sentinel.conf}
        - {name: monitor, mountPath: /mnt/monitor.conf, subPath: monitor.conf}
      containers:
      - name: sentinel
        image: redis:7.2
        command: [redis-sentinel, /etc/redis/sentinel.conf]
        volumeMounts:
        - {name: config, mountPath: /etc/redis}
      volumes:
      - {name: config, emptyDir: {}}
      - name: base
        configMap: {name: sentinel-base}
      - name: monitor
        configMap: {name: sentinel-monitor}
"#;

#[test]
fn an_included_config_of_the_pod_completes_the_sentinel() {
    let (ws, found) = check_text("included-monitor", INCLUDED_MONITOR);
    let rules: Vec<&str> = found.iter().map(|d| d.rule.name()).collect();
    // The monitor line is in the included file: the per-master option has its master,
    // and the fragment is not a sentinel of its own without resolve-hostnames.
    for wrong in [
        "per-master-directive-unknown-master",
        "hostname-monitor-without-resolve-hostnames",
    ] {
        assert!(!rules.contains(&wrong), "{wrong}: {rules:?}");
    }
    let topology = ws.topology();
    assert_eq!(
        topology.sentinels.len(),
        2,
        "the two pods, not the fragment"
    );
    let group = topology
        .groups
        .iter()
        .find(|g| g.name.as_deref() == Some("mymaster"))
        .expect("group mymaster");
    assert_eq!(group.sentinel_count.known(), Some(2));
    assert!(rules.contains(&"sentinel-count-below-three"), "{rules:?}");
}

/// An initContainer copies every key of the ConfigMap (`cp /config/* /work`); the
/// container runs the copied start script, which runs the copied config.
const COPIED_SCRIPT: &str = r#"apiVersion: v1
kind: ConfigMap
metadata: {name: redis}
data:
  sentinel.conf: |
    port 26379
    sentinel monitor mymaster 10.0.0.10 6379 2
  sentinel.sh: |
    #!/bin/sh
    redis-sentinel /work/sentinel.conf
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: sentinel}
spec:
  replicas: 3
  template:
    spec:
      initContainers:
      - name: copy
        image: redis:7.2
        command: [sh, -c, "cp /config/* /work"]
        volumeMounts:
        - {name: config, mountPath: /config}
        - {name: work, mountPath: /work}
      containers:
      - name: sentinel
        image: redis:7.2
        command: [sh, -c, "sh /work/sentinel.sh"]
        volumeMounts:
        - {name: work, mountPath: /work}
      volumes:
      - name: config
        configMap: {name: redis}
      - {name: work, emptyDir: {}}
"#;

#[test]
fn a_script_copied_with_every_key_runs_its_copied_config() {
    let (ws, found) = check_text("copied-script", COPIED_SCRIPT);
    let topology = ws.topology();
    assert_eq!(topology.sentinels.len(), 3, "{:?}", topology.sentinels);
    let rules: Vec<&str> = found.iter().map(|d| d.rule.name()).collect();
    // The copy lives on an emptyDir without a myid: rebuilt with every new pod.
    assert!(
        rules.contains(&"sentinel-state-not-persistent"),
        "{rules:?}"
    );
}

/// An init container runs a ConfigMap script that copies the config template from
/// another ConfigMap onto an emptyDir and appends to it; the server runs the result: the
/// template's `save ""` and `appendonly no` are its settings.
const COPIED_AND_APPENDED: &str = r#"apiVersion: v1
kind: ConfigMap
metadata: {name: redis-config}
data:
  redis.conf: |
    port 6379
    save ""
    appendonly no
    dir /data
---
apiVersion: v1
kind: ConfigMap
metadata: {name: redis-scripts}
data:
  init.sh: |
    #!/bin/sh
    cp /tmp/redis/redis.conf /etc/redis/redis.conf
    echo "masterauth ${REDIS_PASSWORD}" >> /etc/redis/redis.conf
    echo "requirepass ${REDIS_PASSWORD}" >> /etc/redis/redis.conf
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: redis}
spec:
  replicas: 3
  serviceName: redis
  template:
    spec:
      initContainers:
      - name: config
        image: redis:7.2
        command: [sh, -c, /scripts/init.sh]
        volumeMounts:
        - {name: conf, mountPath: /etc/redis/}
        - {name: template, mountPath: /tmp/redis/}
        - {name: scripts, mountPath: /scripts/}
      containers:
      - name: redis
        image: redis:7.2
        command: [redis-server]
        args: [/etc/redis/redis.conf]
        volumeMounts:
        - {name: conf, mountPath: /etc/redis/}
        - {name: data, mountPath: /data}
      volumes:
      - {name: conf, emptyDir: {}}
      - {name: data, emptyDir: {}}
      - name: template
        configMap:
          name: redis-config
          items:
          - {key: redis.conf, path: redis.conf}
      - name: scripts
        configMap: {name: redis-scripts, defaultMode: 0755}
"#;

#[test]
fn an_init_script_copies_the_template_and_appends_to_it() {
    let (ws, _) = check_text("copied-appended", COPIED_AND_APPENDED);
    let topology = ws.topology();
    assert_eq!(topology.nodes.len(), 3, "the three pods, not the template");
    assert!(
        topology
            .nodes
            .iter()
            .all(|n| n.password.is_some() && n.persistence.is_off()),
        "the template's persistence and the appended requirepass are theirs"
    );
}

/// Lines an init script appends to the copied template are the script's: a finding about
/// one of them points into the script's ConfigMap, in its own file.
#[test]
fn appended_lines_point_into_the_script() {
    let (ws, found) = check_dir(
        std::path::Path::new("tests/data/k8s-init-append"),
        Target::default(),
    );
    let d = found
        .iter()
        .find(|d| d.rule.name() == "writable-replicas")
        .expect("the appended `replica-read-only no`");
    let source = ws.source(d.span.file).expect("a file of the tree");
    assert!(
        source.path.ends_with("redis-scripts.yaml"),
        "{:?}",
        source.path
    );
    assert_eq!(
        &source.text()[d.span.start as usize..d.span.end as usize],
        "no"
    );
}

/// An init container whose own `sh -c` script copies the sentinel.conf key onto an
/// emptyDir and appends `sentinel resolve-hostnames yes` to the copy: the sentinel runs
/// the key's lines and the appended ones (its host-name monitor is accepted).
const INLINE_COPY_AND_APPEND: &str = r#"apiVersion: v1
kind: ConfigMap
metadata: {name: sentinel-template}
data:
  sentinel.conf: |
    port 26379
    sentinel monitor mymaster redis-0.redis-headless 6379 2
    sentinel down-after-milliseconds mymaster 5000
    sentinel failover-timeout mymaster 60000
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: sentinel}
spec:
  replicas: 3
  serviceName: sentinel
  template:
    spec:
      initContainers:
      - name: init
        image: redis:7.2
        command:
        - sh
        - -c
        - |
          cp /mnt/template/sentinel.conf /mnt/conf/sentinel.conf
          echo "sentinel resolve-hostnames yes" >> /mnt/conf/sentinel.conf
        volumeMounts:
        - {name: template, mountPath: /mnt/template}
        - {name: conf, mountPath: /mnt/conf}
      containers:
      - name: sentinel
        image: redis:7.2
        command: [redis-sentinel, /etc/redis/sentinel.conf]
        volumeMounts:
        - {name: conf, mountPath: /etc/redis}
      volumes:
      - name: template
        configMap: {name: sentinel-template}
      - {name: conf, emptyDir: {}}
"#;

#[test]
fn an_inline_init_script_appends_to_the_copy_it_makes() {
    let (ws, found) = check_text("inline-append", INLINE_COPY_AND_APPEND);
    let topology = ws.topology();
    assert_eq!(topology.sentinels.len(), 3);
    assert!(topology
        .sentinels
        .iter()
        .all(|s| s.resolve_hostnames.as_ref().is_some_and(|r| r.value)));
    let rules: Vec<&str> = found.iter().map(|d| d.rule.name()).collect();
    assert!(
        !rules.contains(&"hostname-monitor-without-resolve-hostnames"),
        "{rules:?}"
    );
    let without = INLINE_COPY_AND_APPEND.replace(
        "          echo \"sentinel resolve-hostnames yes\" >> /mnt/conf/sentinel.conf\n",
        "",
    );
    let (_, found) = check_text("inline-no-append", &without);
    assert!(found
        .iter()
        .any(|d| d.rule.name() == "hostname-monitor-without-resolve-hostnames"));
}

/// The role picked from the pod's ordinal by a script kept in a ConfigMap key, run by the
/// container itself (through a variable derived from the host name) or by an init
/// container for the server the container starts.
const ORDINAL_IN_CONFIGMAP_SCRIPT: &str = r#"apiVersion: v1
kind: ConfigMap
metadata: {name: redis-scripts}
data:
  start.sh: |
    #!/bin/sh
    cp /etc/redis/redis.conf /data/redis.conf
    INDEX=${HOSTNAME##*-}
    if [ "$INDEX" != "0" ]; then
      echo "replicaof redis-0.redis 6379" >> /data/redis.conf
    fi
    exec redis-server /data/redis.conf
  redis.conf: |
    port 6379
    appendonly yes
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: redis}
spec:
  replicas: 3
  serviceName: redis
  template:
    spec:
      containers:
      - name: redis
        image: redis:7.2
        command: [/bin/sh, /scripts/start.sh]
        volumeMounts:
        - {name: scripts, mountPath: /scripts}
        - {name: data, mountPath: /data}
      volumes:
      - name: scripts
        configMap: {name: redis-scripts}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
"#;

#[test]
fn an_ordinal_test_in_a_configmap_script_picks_a_static_master() {
    let (ws, found) = check_text("ordinal-key", ORDINAL_IN_CONFIGMAP_SCRIPT);
    let d = found
        .iter()
        .find(|d| d.rule.name() == "static-master-by-ordinal")
        .expect("the script's test of the ordinal");
    let text = ws.source(d.span.file).expect("the manifest").text();
    assert_eq!(
        &text[d.span.start as usize..d.span.end as usize],
        "if [ \"$INDEX\" != \"0\" ]; then"
    );
    // Asking the sentinels first is the safe bootstrap.
    let asking = ORDINAL_IN_CONFIGMAP_SCRIPT.replace(
        "    INDEX=${HOSTNAME##*-}\n",
        "    M=$(redis-cli -h sentinel -p 26379 sentinel get-master-addr-by-name mymaster)\n    INDEX=${HOSTNAME##*-}\n",
    );
    let (_, found) = check_text("ordinal-key-asks", &asking);
    assert!(!found
        .iter()
        .any(|d| d.rule.name() == "static-master-by-ordinal"));
}

/// `command: ["sh", "-ec"]` with the script in `args:`: `-ec` takes the script as `-c`
/// does, so the servers it starts (and how it picks the master) are read.
#[test]
fn combined_shell_flags_take_the_script() {
    let (_, found) = check_dir(Path::new("tests/data/k8s-shell-ec"), Target::default());
    let names: Vec<&str> = found.iter().map(|d| d.rule.name()).collect();
    assert!(names.contains(&"static-master-by-ordinal"), "{names:?}");
    assert!(names.contains(&"data-dir-ephemeral"), "{names:?}");
}

/// A config that an init container's script copies from a template another init
/// container staged onto a scratch volume (`cp /templates/* /work`, then `cp
/// /work/replica.conf /work/server.conf`) is the config the server runs; with no `save`
/// line it keeps Redis's default save points, so its data set on the container's own
/// filesystem is lost with the pod. Saving nothing (`save ""`) keeps nothing to lose.
#[test]
fn config_picked_by_an_init_script_from_staged_templates() {
    let dir = Path::new("tests/data/k8s-init-chain");
    let (ws, found) = check_dir(dir, Target::default());
    let topo = ws.topology();
    let replicas = topo
        .nodes
        .iter()
        .filter(|n| n.replicaof.is_some() && n.name.contains("cache"))
        .count();
    assert!(
        replicas >= 2,
        "the workload's pods run replica.conf: {replicas}"
    );
    let ephemeral = |found: &[redis_halint::Diagnostic]| {
        found
            .iter()
            .any(|d| d.rule.name() == "data-dir-ephemeral" && d.message.contains("`/data`"))
    };
    assert!(
        ephemeral(&found),
        "default save points on the container's filesystem"
    );
    let text = std::fs::read_to_string(dir.join("statefulset.yaml"))
        .unwrap()
        .replace("appendonly no\n", "appendonly no\n    save \"\"\n");
    let (_, found) = check_text("init-chain-no-saves", &text);
    assert!(!ephemeral(&found), "no persistence, nothing to lose");
}

/// A container that runs the server and starts a sentinel from its `postStart` hook
/// runs both: the hook's sentinel is counted, and its config, written by an init
/// container into an emptyDir, is lost with the pod.
#[test]
fn a_sentinel_started_from_a_post_start_hook() {
    let text = r#"apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: redis
spec:
  serviceName: redis
  replicas: 3
  selector:
    matchLabels: {app: redis}
  template:
    metadata:
      labels: {app: redis}
    spec:
      initContainers:
      - name: config
        image: redis:7.2
        command: ["sh", "-c"]
        args:
          - |
            echo "port 26379
            sentinel monitor mymaster 10.0.0.1 6379 2" > /etc/redis/sentinel.conf
        volumeMounts:
        - {name: conf, mountPath: /etc/redis}
      containers:
      - name: redis
        image: redis:7.2
        lifecycle:
          postStart:
            exec:
              command: ["redis-server", "/etc/redis/sentinel.conf", "--sentinel"]
        command: ["redis-server"]
        volumeMounts:
        - {name: conf, mountPath: /etc/redis}
      volumes:
      - name: conf
        emptyDir: {}
"#;
    let (ws, found) = check_text("post-start", text);
    assert_eq!(ws.topology().sentinels.len(), 3);
    let rules: Vec<&str> = found.iter().map(|d| d.rule.name()).collect();
    assert!(
        rules.contains(&"sentinel-state-not-persistent"),
        "{rules:?}"
    );
}

/// Passwords on a container's command line, in its script or as list items, and the
/// literal values of its password variables are masked in any output; the words around
/// them (the config path, other variables) are not.
#[test]
fn command_line_passwords_are_masked_and_nothing_else() {
    let text = r#"
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: r}
spec:
  serviceName: r
  replicas: 3
  selector: {matchLabels: {app: r}}
  template:
    metadata: {labels: {app: r}}
    spec:
      containers:
      - name: redis
        image: redis:7.2
        command:
        - sh
        - -c
        - |
          cp /conf/s.conf /tmp/s.conf
          echo "sentinel auth-pass m $PW" >> /tmp/s.conf
          redis-server /tmp/r.conf --masterauth Fixture-Only-Cmd-1
      - name: second
        image: redis:7.2
        args: ["--requirepass", "Fixture-Only-Cmd-2"]
        env:
        - name: REDIS_PASSWORD
          value: "Fixture-Only-Env-3"
        - name: DOWN_AFTER
          value: "5000"
"#;
    let (ws, _) = check_text("cmdline-secrets", text);
    let path = std::env::temp_dir()
        .join(format!("halint-k8s-{}-cmdline-secrets", std::process::id()))
        .join("cmdline-secrets.yaml");
    let id = ws.file_id(&path).expect("file id");
    let spans = ws.secret_spans(id);
    let covered = |needle: &str| {
        let at = text.find(needle).unwrap() as u32;
        spans.iter().any(|s| s.start <= at && at < s.end)
    };
    assert!(covered("Fixture-Only-Cmd-1"));
    assert!(covered("Fixture-Only-Cmd-2"));
    // A password-named variable's literal value (a start script writes it into the
    // config, and findings point into `env`), and not its neighbours.
    assert!(covered("Fixture-Only-Env-3"));
    assert!(!covered("5000"));
    assert!(!covered("/tmp/r.conf"));
    assert!(!covered("/tmp/s.conf\n"));
}
