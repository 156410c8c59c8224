//! `include` is followed when it resolves inside the checked tree; otherwise the node's
//! facts are incomplete and rules that need to know what is missing stay silent.

use redis_halint::{Settings, Workspace};

const SENTINELS: [(&str, &str); 3] = [
    ("deploy/sentinel-1.conf", "bind 10.0.0.21\nsentinel monitor mymaster 10.0.0.10 6379 2\nsentinel auth-pass mymaster pw-1\nsentinel down-after-milliseconds mymaster 5000\nsentinel failover-timeout mymaster 60000\n"),
    ("deploy/sentinel-2.conf", "bind 10.0.0.22\nsentinel monitor mymaster 10.0.0.10 6379 2\nsentinel auth-pass mymaster pw-1\nsentinel down-after-milliseconds mymaster 5000\nsentinel failover-timeout mymaster 60000\n"),
    ("deploy/sentinel-3.conf", "bind 10.0.0.23\nsentinel monitor mymaster 10.0.0.10 6379 2\nsentinel auth-pass mymaster pw-1\nsentinel down-after-milliseconds mymaster 5000\nsentinel failover-timeout mymaster 60000\n"),
];

fn workspace(files: &[(&str, &str)]) -> Workspace {
    let mut ws = Workspace::new(Settings::default());
    for (path, text) in SENTINELS.iter().chain(files) {
        ws.set_file(*path, *text, false);
    }
    ws
}

#[test]
fn included_settings_count_for_the_including_node() {
    let ws = workspace(&[
        (
            "deploy/redis-master.conf",
            "bind 10.0.0.10\ninclude /etc/redis/common.conf\n",
        ),
        (
            "deploy/etc/redis/common.conf",
            "requirepass pw-2\nmasterauth pw-2\nmin-replicas-to-write 1\nmin-replicas-max-lag 10\n",
        ),
    ]);
    let topology = ws.topology();
    assert_eq!(
        topology.nodes.len(),
        1,
        "the included fragment is not a process of its own"
    );
    let diagnostics = ws.check();
    let mismatch = diagnostics
        .iter()
        .find(|d| d.rule.name() == "sentinel-auth-pass-mismatch")
        .expect("the included password is compared");
    let common = ws
        .file_id(std::path::Path::new("deploy/etc/redis/common.conf"))
        .unwrap();
    assert_eq!(
        mismatch.related[0].span.file, common,
        "the label points into the included file"
    );
    assert!(!diagnostics
        .iter()
        .any(|d| d.rule.name() == "masterauth-missing"));
    assert!(!diagnostics
        .iter()
        .any(|d| d.rule.name() == "min-replicas-to-write-missing"));
}

#[test]
fn unresolved_include_makes_absence_unknown() {
    let ws = workspace(&[(
        "deploy/redis-master.conf",
        "bind 10.0.0.10\nrequirepass pw-1\ninclude /etc/redis/secrets.conf\n",
    )]);
    let diagnostics = ws.check();
    let names: Vec<&str> = diagnostics.iter().map(|d| d.rule.name()).collect();
    assert!(!names.contains(&"masterauth-missing"), "{names:?}");
    assert!(
        !names.contains(&"min-replicas-to-write-missing"),
        "{names:?}"
    );
    assert!(
        !diagnostics.iter().any(|d| d.fatal),
        "an include outside the tree is never an error"
    );
}

#[test]
fn include_cycles_terminate() {
    let ws = workspace(&[
        (
            "deploy/redis-master.conf",
            "bind 10.0.0.10\ninclude a.conf\n",
        ),
        ("deploy/a.conf", "include b.conf\nport 6379\n"),
        ("deploy/b.conf", "include a.conf\n"),
    ]);
    let _ = ws.check();
}

#[test]
fn sentinel_options_may_name_a_master_an_include_defines() {
    use redis_halint::Target;
    // Since 6.2 Sentinel applies its options after reading everything, includes too: a
    // master defined in a file outside the tree is unknown, not missing.
    let text = "port 26379\nsentinel down-after-milliseconds mymaster 5000\ninclude /etc/redis/monitor.conf\n";
    let mut ws = Workspace::new(Settings::default());
    ws.set_file("s/sentinel.conf", text, false);
    let names: Vec<&str> = ws.check().iter().map(|d| d.rule.name()).collect();
    assert!(
        !names.contains(&"per-master-directive-unknown-master"),
        "{names:?}"
    );
    // Before 6.2 they are applied in file order: an include after the option is too late.
    let mut ws = Workspace::new(Settings {
        target: Target::parse("redis-6.0.16").unwrap(),
        ..Settings::default()
    });
    ws.set_file("s/sentinel.conf", text, false);
    let names: Vec<&str> = ws.check().iter().map(|d| d.rule.name()).collect();
    assert!(
        names.contains(&"per-master-directive-unknown-master"),
        "{names:?}"
    );
}
