//! Helm charts without Helm: an unknown chart's templates are never invalid YAML and end
//! in one note, not a silent "No findings"; rendered output names its templates.

mod common;

use common::{bin, stdout};
use std::process::{Command, Stdio};

#[test]
fn chart_folder_gives_one_note_and_exit_zero() {
    let out = Command::new(bin())
        .args([
            "check",
            "fixtures/helm-templates-not-evaluated/bad",
            "--output-format",
            "concise",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(": O0") || l.contains(": S0"))
        .collect();
    assert_eq!(lines.len(), 1, "{text}");
    assert!(
        lines[0].contains("Chart.yaml:2:7: O017 [helm-templates-not-evaluated] info"),
        "{text}"
    );
    assert!(!text.contains("invalid-yaml"), "{text}");
}

#[test]
fn rendered_output_names_the_template_of_each_finding() {
    let mut child = Command::new(bin())
        .args([
            "check",
            "--stdin-filename",
            "rendered.yaml",
            "-",
            "--output-format",
            "json",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let text = std::fs::read_to_string("tests/data/helm-rendered/rendered.yaml").unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = json
        .as_array()
        .cloned()
        .or_else(|| json["diagnostics"].as_array().cloned())
        .expect("a list of findings");
    let down_after = findings
        .iter()
        .find(|f| f.to_string().contains("down-after-too-low"))
        .expect("down-after-too-low");
    assert!(
        down_after
            .to_string()
            .contains("rendered from the chart's cache-ha/templates/sentinel-config.yaml"),
        "{down_after}"
    );
}

/// `values-<env>.yaml` beside a chart's `values.yaml` is deployed over it: each
/// environment is its own deployment, and a finding sits at the value that won.
#[test]
fn values_files_are_laid_over_values_yaml() {
    let dir = std::path::Path::new("tests/data/helm-values-layers");
    let (ws, found) = common::check_dir(dir, redis_halint::Target::default());
    let at: Vec<String> = found
        .iter()
        .map(|d| {
            let s = ws.source(d.span.file).unwrap();
            let labels: Vec<String> = d
                .related
                .iter()
                .map(|l| {
                    let ls = ws.source(l.span.file).unwrap();
                    format!("{}:{}", ls.path.display(), ls.line_col(l.span.start).line)
                })
                .collect();
            format!(
                "{} {}:{} {labels:?}",
                d.rule.name(),
                s.path.display(),
                s.line_col(d.span.start).line
            )
        })
        .collect();
    assert_eq!(
        at,
        ["sentinel-count-below-three tests/data/helm-values-layers/values-prod.yaml:3 [\"tests/data/helm-values-layers/values.yaml:11\"]"]
    );
    // dev (3 sentinels, from values.yaml) and prod (2) are two deployments; values.yaml
    // alone is not a third.
    let topology = ws.topology();
    let mut counts: Vec<usize> = topology
        .groups
        .iter()
        .filter_map(|g| g.sentinel_count.known())
        .collect();
    counts.sort();
    assert_eq!(counts, [2, 3]);
}

/// Argo CD Applications of bitnami charts: `helm.values` (a YAML string, read at its
/// place in the file) and `helm.valuesObject` are the release's values.
#[test]
fn argo_cd_application_values() {
    let dir = std::path::Path::new("tests/data/gitops-argo");
    let (ws, found) = common::check_dir(dir, redis_halint::Target::default());
    let mut at: Vec<String> = found
        .iter()
        .filter(|d| d.severity >= redis_halint::Severity::Warning)
        .map(|d| {
            let s = ws.source(d.span.file).unwrap();
            let lc = s.line_col(d.span.start);
            format!(
                "{} {}:{}",
                d.rule.name(),
                lc.line,
                &s.text()[d.span.range()]
            )
        })
        .collect();
    at.sort();
    assert_eq!(
        at,
        [
            "quorum-exceeds-sentinel-count 42:4",
            "sentinel-count-below-three 16:2"
        ]
    );
}

/// An Argo CD release whose values are in files of a repository source
/// (`$values/envs/prod/redis-values.yaml`): the file lies beneath the inline values, each
/// finding is at the line of the value that won, and the file is not judged again alone.
/// A value file that is not in the tree (one of the chart package) leaves the release
/// unjudged.
#[test]
fn argo_cd_value_files() {
    let dir = std::path::Path::new("tests/data/gitops-argo-valuefiles");
    let (ws, found) = common::check_dir(dir, redis_halint::Target::default());
    let mut at: Vec<String> = found
        .iter()
        .filter(|d| d.severity >= redis_halint::Severity::Warning)
        .map(|d| {
            let s = ws.source(d.span.file).unwrap();
            let lc = s.line_col(d.span.start);
            let name = s.path.file_name().unwrap().to_string_lossy().into_owned();
            format!(
                "{} {name}:{}:{}",
                d.rule.name(),
                lc.line,
                &s.text()[d.span.range()]
            )
        })
        .collect();
    at.sort();
    assert_eq!(
        at,
        [
            "quorum-exceeds-sentinel-count cache.yaml:16:3",
            "sentinel-count-below-three redis-values.yaml:5:2"
        ]
    );
    let tmp = std::env::temp_dir().join(format!("argo-missing-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(tmp.join("apps")).unwrap();
    let app = std::fs::read_to_string(dir.join("apps/cache.yaml")).unwrap();
    std::fs::write(
        tmp.join("apps/cache.yaml"),
        app.replace(
            "$values/envs/prod/redis-values.yaml",
            "values-production.yaml",
        ),
    )
    .unwrap();
    let (_, found) = common::check_dir(&tmp, redis_halint::Target::default());
    assert!(
        found
            .iter()
            .all(|d| d.severity < redis_halint::Severity::Warning),
        "{found:?}"
    );
}

/// A password written in chart values (here in an Argo CD `helm.values` string, beside
/// the finding's line) is masked in every output.
#[test]
fn values_passwords_are_never_printed() {
    let dir = std::env::temp_dir().join(format!("halint-helm-{}-secret", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string("tests/data/gitops-argo/application.yaml")
        .unwrap()
        .replacen(
            "        replica:\n          replicaCount: 2\n",
            "        replica:\n          password: Fixture-Only-Pw-9\n          replicaCount: 2\n",
            1,
        );
    assert!(text.contains("Fixture-Only-Pw-9"));
    std::fs::write(dir.join("application.yaml"), &text).unwrap();
    let (ws, found) = common::check_dir(&dir, redis_halint::Target::default());
    let shown = common::render_full(&ws, &found);
    assert!(shown.contains("password: *"), "{shown}");
    assert!(!shown.contains("Fixture-Only-Pw-9"), "{shown}");
}

/// An umbrella chart that depends on bitnami/redis: the subchart's values under `redis:`
/// are a deployment of the chart, and values files laid over the parent's lay their own
/// `redis:` map over it.
#[test]
fn subchart_values_of_an_umbrella_chart() {
    let dir = std::path::Path::new("tests/data/helm-subchart");
    let (ws, found) = common::check_dir(dir, redis_halint::Target::default());
    let at: Vec<String> = found
        .iter()
        .filter(|d| d.severity >= redis_halint::Severity::Warning)
        .map(|d| {
            let s = ws.source(d.span.file).unwrap();
            format!(
                "{} {}:{}",
                d.rule.name(),
                s.path.file_name().unwrap().to_string_lossy(),
                s.line_col(d.span.start).line
            )
        })
        .collect();
    assert_eq!(at, ["sentinel-count-below-three values-prod.yaml:3"]);
    let topology = ws.topology();
    let mut counts: Vec<usize> = topology
        .groups
        .iter()
        .filter_map(|g| g.sentinel_count.known())
        .collect();
    counts.sort();
    assert_eq!(counts, [2, 3], "prod (2 sentinels) and dev (3)");
}

/// An umbrella chart whose `Chart.yaml` depends on bitnami/valkey: its `valkey:` section
/// is that chart's values even without a `sentinel` key (the replication architecture,
/// a primary and `replica.replicaCount` replicas). The primary without a volume claim is
/// reported at its `persistence.enabled`; the same dependency switched off by its
/// `condition` deploys nothing.
#[test]
fn umbrella_dependency_on_bitnami_valkey_without_sentinel() {
    let dir = std::path::Path::new("tests/data/helm-umbrella-replication");
    let (ws, found) = common::check_dir(dir, redis_halint::Target::default());
    let at: Vec<String> = found
        .iter()
        .map(|d| {
            let s = ws.source(d.span.file).unwrap();
            format!(
                "{} {}:{}",
                d.rule.name(),
                s.path.strip_prefix(dir).unwrap().display(),
                s.line_col(d.span.start).line
            )
        })
        .collect();
    assert_eq!(at, ["data-dir-ephemeral app/values.yaml:6"]);
    let topology = ws.topology();
    assert_eq!(topology.groups.len(), 1);
    assert_eq!(topology.groups[0].replicas.len(), 2);
}

/// `helm upgrade --install … -f values.yaml --set …` in a script: the values file with the
/// command line's values on top is the release; findings point at the `--set` value.
#[test]
fn helm_install_in_a_script_sets_values() {
    let dir = std::path::Path::new("tests/data/helm-script");
    let (ws, found) = common::check_dir(dir, redis_halint::Target::default());
    let at: Vec<String> = found
        .iter()
        .filter(|d| d.severity >= redis_halint::Severity::Warning)
        .map(|d| {
            let s = ws.source(d.span.file).unwrap();
            let lc = s.line_col(d.span.start);
            format!(
                "{} {}:{}:{}",
                d.rule.name(),
                s.path.file_name().unwrap().to_string_lossy(),
                lc.line,
                lc.column
            )
        })
        .collect();
    assert_eq!(at, ["quorum-equals-sentinel-count deploy.sh:7:25"]);
}

/// A chart of the tree is rendered with `values.yaml` and each environment's values laid
/// over it: the dev file's single sentinel is reported at its own line, prod (which only
/// changes a size) is clean, and nothing points into a rendered file.
#[test]
fn a_chart_is_rendered_per_environment_and_findings_point_at_values() {
    let out = Command::new(bin())
        .args([
            "check",
            "tests/data/helm-render/envs",
            "--output-format",
            "concise",
        ])
        .output()
        .unwrap();
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().filter(|l| l.contains(": ")).collect();
    assert_eq!(lines.len(), 1, "{text}");
    assert!(
        lines[0].starts_with(
            "tests/data/helm-render/envs/values-dev.yaml:5:15: Q001 [sentinel-count-below-three]"
        ),
        "{text}"
    );
    assert!(!text.contains(".rendered"), "{text}");
    // The excerpt shows the line above the finding, a password of the values: masked.
    let full = Command::new(bin())
        .args(["check", "tests/data/helm-render/envs"])
        .output()
        .unwrap();
    let full = stdout(&full);
    assert!(full.contains("password: ****"), "{full}");
    assert!(!full.contains("dev-secret-123"), "{full}");
    assert!(!text.contains("helm-templates-not-evaluated"), "{text}");
}

/// Without environment files the chart's own values are the deployment; a finding on
/// the template's text points at the template line.
#[test]
fn a_rendered_template_reports_at_its_own_lines() {
    let out = Command::new(bin())
        .args([
            "check",
            "tests/data/helm-render/plain",
            "--output-format",
            "concise",
        ])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(
        text.contains("tests/data/helm-render/plain/templates/sentinel.yaml:12:37: K006 [sentinel-state-not-persistent]"),
        "{text}"
    );
    assert!(!text.contains(".rendered"), "{text}");
    assert!(!text.contains("O017"), "{text}");
}

/// A chart that a GitOps release of the tree deploys gets its values from the release:
/// the chart's defaults are not what runs, and it is not judged by them.
#[test]
fn a_chart_a_release_deploys_is_not_judged_by_its_defaults() {
    let dir = std::env::temp_dir().join(format!("halint-helm-release-{}", std::process::id()));
    let chart = dir.join("charts/sessions");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    let src = std::path::Path::new("tests/data/helm-render/envs");
    for f in [
        "Chart.yaml",
        "values.yaml",
        "templates/_helpers.tpl",
        "templates/failover.yaml",
    ] {
        std::fs::copy(src.join(f), chart.join(f)).unwrap();
    }
    // The chart's own default: one sentinel.
    std::fs::write(
        chart.join("values.yaml"),
        std::fs::read_to_string(src.join("values.yaml"))
            .unwrap()
            .replace(
                "replicas: 3\n    customConfig",
                "replicas: 1\n    customConfig",
            ),
    )
    .unwrap();
    let check = || {
        let out = Command::new(bin())
            .args(["check", "--output-format", "concise"])
            .arg(&dir)
            .output()
            .unwrap();
        stdout(&out)
    };
    assert!(
        check().contains("sentinel-count-below-three"),
        "{}",
        check()
    );
    std::fs::write(
        dir.join("release.yaml"),
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: sessions}\nspec:\n  chart:\n    spec:\n      chart: ./charts/sessions\n      sourceRef: {kind: GitRepository, name: flux-system}\n  values:\n    failover:\n      sentinel:\n        replicas: 3\n",
    )
    .unwrap();
    assert!(
        !check().contains("sentinel-count-below-three"),
        "{}",
        check()
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// A chart of one's own whose values nest `sentinel:` maps under `redisSentinel` (a key
/// OpsTree's chart uses too) is rendered, not read as OpsTree's values; a list printed
/// bare (`accessModes: {{ .Values.x }}`) renders as Go prints it.
#[test]
fn a_chart_of_ones_own_under_an_operator_key_is_rendered() {
    let out = Command::new(bin())
        .args([
            "check",
            "tests/data/helm-render/own-sections",
            "--output-format",
            "concise",
        ])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(
        text.contains("tests/data/helm-render/own-sections/values.yaml:9:27: K006 [sentinel-state-not-persistent]"),
        "{text}"
    );
    assert!(!text.contains("O017"), "{text}");
    // A finding in a block scalar of the values is at its word, not the block's start.
    assert!(
        text.contains("tests/data/helm-render/own-sections/values.yaml:14:31: N001 [hostname-monitor-without-resolve-hostnames]"),
        "{text}"
    );
}

/// A chart of the tree whose values merely look like the bitnami chart's (`auth`,
/// `replica`, `sentinel`) is rendered with its own templates, and its named templates
/// (`templates/_helpers.tpl`) are found by a walk of the folder.
#[test]
fn an_own_chart_with_bitnami_like_values_is_rendered_with_its_helpers() {
    let out = Command::new(bin())
        .args([
            "check",
            "tests/data/helm-render/own-chart",
            "--output-format",
            "concise",
        ])
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(
        text.contains("templates/sentinel.yaml:4:9: K013 [sentinels-single-failure-domain]"),
        "{text}"
    );
    assert!(
        text.contains("`release-name-valkey-ha-sentinel`"),
        "the helper names the workload: {text}"
    );
    assert!(!text.contains("O017"), "{text}");
    assert!(!text.contains("bitnami"), "{text}");
}

/// The official Valkey chart (valkey-io/valkey-helm 0.9.0–0.11.0) in replication mode:
/// `replica.replicas + 1` data pods, pod 0 the primary, no Sentinel. A prod values file
/// laid over `values.yaml` is judged at its own lines; a Flux release of the chart at the
/// lines of its values; standalone values deploy one node and are not judged.
#[test]
fn valkey_helm_replication_values() {
    let findings = |dir: &str| -> Vec<String> {
        let (ws, found) =
            common::check_dir(std::path::Path::new(dir), redis_halint::Target::default());
        let mut at: Vec<String> = found
            .iter()
            .map(|d| {
                let s = ws.source(d.span.file).unwrap();
                let name = s.path.file_name().unwrap().to_string_lossy().into_owned();
                format!("{} {name}:{}", d.rule.name(), s.line_col(d.span.start).line)
            })
            .collect();
        at.sort();
        at
    };
    assert_eq!(
        findings("tests/data/valkey-helm/values"),
        [
            "min-replicas-to-write-too-high values-prod.yaml:4",
            "persistence-off-with-auto-restart values-prod.yaml:6"
        ]
    );
    assert_eq!(
        findings("tests/data/valkey-helm/release"),
        ["min-replicas-to-write-too-high helmrelease.yaml:27"]
    );
    assert!(findings("tests/data/valkey-helm/standalone").is_empty());
    // A password inside the `valkeyConfig` block is masked in the snippet that shows it.
    let (ws, found) = common::check_dir(
        std::path::Path::new("tests/data/valkey-helm/values"),
        redis_halint::Target::default(),
    );
    let shown = common::render_full(&ws, &found);
    assert!(shown.contains("requirepass *"), "{shown}");
    assert!(!shown.contains("Fixture-Only-Conf-Pw-7"), "{shown}");
    // An ACL user's password written in the values.
    assert_eq!(
        findings("tests/data/valkey-helm/literal-password"),
        ["secrets-in-plaintext-config values.yaml:10"]
    );
    // The base values alone: three pods (two replicas of pod 0), nothing wrong.
    let dir = std::env::temp_dir().join(format!("halint-valkey-helm-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        "tests/data/valkey-helm/values/values.yaml",
        dir.join("values.yaml"),
    )
    .unwrap();
    let (ws, found) = common::check_dir(&dir, redis_halint::Target::default());
    assert!(found.is_empty(), "{found:?}");
    let topology = ws.topology();
    let group = topology.groups.iter().find(|g| g.master.is_some()).unwrap();
    assert_eq!(group.replicas.len(), 2);
    assert!(!group.has_sentinels());
}

/// An Argo CD release of an umbrella chart kept in the repository, whose `Chart.yaml`
/// depends on bitnami's redis chart: the values under `redis:` of each value file are that
/// subchart's, and an environment's file that switches persistence off is judged there.
#[test]
fn argo_cd_release_of_an_umbrella_chart() {
    let dir = std::path::Path::new("tests/data/gitops-argo-umbrella");
    let (ws, found) = common::check_dir(dir, redis_halint::Target::default());
    let at: Vec<String> = found
        .iter()
        .filter(|d| d.severity >= redis_halint::Severity::Warning)
        .map(|d| {
            let s = ws.source(d.span.file).unwrap();
            let lc = s.line_col(d.span.start);
            let name = s.path.file_name().unwrap().to_string_lossy().into_owned();
            format!("{} {name}:{}", d.rule.name(), lc.line)
        })
        .collect();
    assert_eq!(at, ["bitnami-sentinel-without-persistence cache.yaml:4"]);
}

/// DandyDeveloper's redis-ha chart as teams deploy it: a dependency of an umbrella
/// chart (values under its name) and an Argo CD release with inline values. Each pod
/// runs a data node and a Sentinel sidecar, so `replicas` is the sentinel count too.
#[test]
fn redis_ha_releases_are_deployments() {
    let dir = std::path::Path::new("tests/data/redis-ha-releases");
    let (ws, found) = common::check_dir(dir, redis_halint::Target::default());
    let mut at: Vec<String> = found
        .iter()
        .filter(|d| d.severity >= redis_halint::Severity::Warning)
        .map(|d| {
            let s = ws.source(d.span.file).unwrap();
            let lc = s.line_col(d.span.start);
            let name = s.path.file_name().unwrap().to_string_lossy().into_owned();
            format!("{} {name}:{}", d.rule.name(), lc.line)
        })
        .collect();
    at.sort();
    assert_eq!(
        at,
        [
            "quorum-exceeds-sentinel-count values.yaml:4",
            "secrets-in-plaintext-config application.yaml:16",
            "sentinel-count-below-three application.yaml:14",
        ]
    );
}
