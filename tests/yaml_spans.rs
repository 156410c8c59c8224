//! Configs embedded in Kubernetes ConfigMaps are checked with positions inside the YAML.

use redis_halint::{Settings, Workspace};

#[test]
fn configmap_block_scalar_positions() {
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s\ndata:\n  sentinel.conf: |\n    port 26379\n    sentinel monitor mymaster redis-0.redis 6379 2\n";
    let mut ws = Workspace::new(Settings::default());
    let id = ws.set_file("k8s/sentinel.yaml", text, false);
    let diagnostics = ws.check();
    let d = diagnostics
        .iter()
        .find(|d| d.rule.name() == "hostname-monitor-without-resolve-hostnames")
        .expect("the embedded sentinel.conf is checked");
    assert_eq!(d.span.file, id);
    assert_eq!(&text[d.span.range()], "redis-0.redis");
    let at = ws.source(id).unwrap().line_col(d.span.start);
    assert_eq!((at.line, at.column), (8, 31));
}

#[test]
fn kind_list_and_secrets_in_string_data() {
    let text = "kind: List\nitems:\n- kind: Secret\n  stringData:\n    sentinel.conf: |\n      sentinel monitor m 10.0.0.1 6379 2\n      sentinel auth-pass m s3cret-value\n      sentinel down-after-milliseconds m 500\n";
    let mut ws = Workspace::new(Settings::default());
    let id = ws.set_file("secret.yaml", text, false);
    let diagnostics = ws.check();
    let low = diagnostics
        .iter()
        .find(|d| d.rule.name() == "down-after-too-low")
        .expect("found in a List item");
    assert_eq!(&text[low.span.range()], "500");
    let secrets = ws.secret_spans(id);
    assert!(
        secrets.iter().any(|s| &text[s.range()] == "s3cret-value"),
        "the password is masked in outputs"
    );
}

#[test]
fn helm_templates_are_not_yaml_errors() {
    let mut ws = Workspace::new(Settings::default());
    ws.set_file(
        "templates/redis.yaml",
        "kind: ConfigMap\ndata:\n  redis.conf: |\n{{ include \"redis.conf\" . | indent 4 }}\n",
        false,
    );
    assert!(ws.check().iter().all(|d| d.rule.name() != "invalid-yaml"));
}
