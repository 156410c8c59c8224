//! Every output format on one fixture set (snapshots), the SARIF log against the official
//! SARIF 2.1.0 JSON schema, and no secret in any format.

mod common;

use common::{bin, check_dir, sarif_validator};
use redis_halint::report::{render, OutputFormat, RenderOptions};
use redis_halint::Target;
use std::path::Path;
use std::process::Command;

const DEPLOY: &str = "fixtures/examples/deploy";

fn rendered(dir: &str, format: OutputFormat) -> String {
    let (workspace, diagnostics) = check_dir(Path::new(dir), Target::default());
    render(
        &workspace,
        &diagnostics,
        format,
        RenderOptions {
            color: false,
            width: 100,
        },
    )
}

#[test]
fn snapshot_of_every_format() {
    for &format in OutputFormat::ALL {
        let text = rendered(DEPLOY, format);
        // The version is in the SARIF driver; keep snapshots stable across releases.
        let text = text.replace(env!("CARGO_PKG_VERSION"), "[VERSION]");
        insta::assert_snapshot!(format!("deploy__{}", format.name()), text);
    }
}

#[test]
fn clean_run_in_every_format() {
    for &format in OutputFormat::ALL {
        let text = rendered("fixtures/examples/correct", format);
        let (_, diagnostics) = check_dir(Path::new("fixtures/examples/correct"), Target::default());
        if diagnostics.is_empty() {
            match format {
                OutputFormat::Json | OutputFormat::Gitlab => assert_eq!(text.trim(), "[]"),
                OutputFormat::JsonLines | OutputFormat::Github => assert_eq!(text, ""),
                _ => {}
            }
        }
    }
}

#[test]
fn sarif_is_valid_against_the_2_1_0_schema() {
    let validator = sarif_validator();
    for dir in [
        DEPLOY,
        "fixtures/examples/correct",
        "fixtures/sentinel-auth-pass-mismatch/bad",
        "fixtures/duplicate-directive/bad",
        "fixtures/unbalanced-quotes/bad",
    ] {
        let text = rendered(dir, OutputFormat::Sarif);
        let log: serde_json::Value = serde_json::from_str(&text).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{dir}: {errors:#?}");
    }
    // The schema is not a rubber stamp: a broken log is rejected.
    let mut broken: serde_json::Value =
        serde_json::from_str(&rendered(DEPLOY, OutputFormat::Sarif)).unwrap();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&broken));
}

#[test]
fn sarif_uris_are_uri_references() {
    let text = rendered(DEPLOY, OutputFormat::Sarif);
    let log: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut uris = Vec::new();
    for result in log["runs"][0]["results"].as_array().unwrap() {
        for loc in result["locations"]
            .as_array()
            .unwrap()
            .iter()
            .chain(result["relatedLocations"].as_array().into_iter().flatten())
        {
            uris.push(
                loc["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            );
        }
    }
    assert!(!uris.is_empty());
    for uri in uris {
        // RFC 3986 relative reference: unreserved, sub-delims, `:@/` and %-escapes only.
        assert!(
            uri.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._~/%:@!$&'()*+,;=".contains(c)),
            "{uri}"
        );
        assert!(!uri.starts_with('/'), "{uri}");
    }
}

#[test]
fn sarif_content() {
    let log: serde_json::Value =
        serde_json::from_str(&rendered(DEPLOY, OutputFormat::Sarif)).unwrap();
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), redis_halint::rules::RULES.len());
    for rule in rules {
        let uri = rule["helpUri"].as_str().unwrap();
        assert_eq!(
            uri,
            format!(
                "https://github.com/redis-halint/redis-halint/blob/main/rules/{}.md",
                rule["name"].as_str().unwrap()
            )
        );
    }
    let results = run["results"].as_array().unwrap();
    let hostname = results
        .iter()
        .find(|r| r["ruleId"] == "N001")
        .expect("hostname finding");
    let region = &hostname["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 6);
    assert_eq!(region["startColumn"], 27);
    assert_eq!(region["endColumn"], 39);
    assert_eq!(
        rules[hostname["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "N001"
    );
    assert!(hostname["partialFingerprints"]["redisHalint/v1"].is_string());
    let mismatch = results.iter().find(|r| r["ruleId"] == "A002").unwrap();
    assert!(!mismatch["relatedLocations"].as_array().unwrap().is_empty());
}

#[test]
fn github_annotations() {
    let text = rendered(DEPLOY, OutputFormat::Github);
    let line = text
        .lines()
        .find(|l| l.contains("N001"))
        .expect("hostname annotation");
    assert!(
        line.starts_with(
            "::error file=fixtures/examples/deploy/sentinel-1.conf,line=6,col=27,endLine=6,endColumn=39,title=N001 hostname-monitor-without-resolve-hostnames::"
        ),
        "{line}"
    );
    for line in text.lines() {
        assert!(
            line.starts_with("::error ")
                || line.starts_with("::warning ")
                || line.starts_with("::notice "),
            "{line}"
        );
    }
}

#[test]
fn several_formats_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("results.sarif");
    let junit = dir.path().join("junit.xml");
    let concise = dir.path().join("concise.txt");
    let out = Command::new(bin())
        .args([
            "check",
            "--output-format",
            &format!("sarif={}", sarif.display()),
            "--output-format",
            &format!("junit={}", junit.display()),
            "--output-format",
            "json-lines",
            DEPLOY,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    for line in stdout.lines() {
        serde_json::from_str::<serde_json::Value>(line).expect("one JSON object per line");
    }
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(log["version"], "2.1.0");
    assert!(std::fs::read_to_string(&junit)
        .unwrap()
        .contains("<testsuites"));
    // --output-file takes the format without a path.
    let out = Command::new(bin())
        .args([
            "check",
            "--output-format",
            "concise",
            "--output-file",
            concise.to_str().unwrap(),
            DEPLOY,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(std::fs::read_to_string(&concise).unwrap().contains("N001"));
    // Two formats for stdout is a usage error.
    let out = Command::new(bin())
        .args([
            "check",
            "--output-format",
            "json",
            "--output-format",
            "sarif",
            DEPLOY,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(bin())
        .args(["check", "--output-format", "yaml", DEPLOY])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let run = |args: &[&str], no_color: bool| {
        let mut cmd = Command::new(bin());
        cmd.args(args);
        if no_color {
            cmd.env("NO_COLOR", "1");
        } else {
            cmd.env_remove("NO_COLOR");
        }
        String::from_utf8(cmd.output().unwrap().stdout).unwrap()
    };
    // Not a terminal: no escape codes in auto mode.
    assert!(!run(&["check", DEPLOY], false).contains('\u{1b}'));
    assert!(run(&["check", "--color", "always", DEPLOY], true).contains('\u{1b}'));
    assert!(!run(&["check", "--color", "never", DEPLOY], false).contains('\u{1b}'));
}

#[test]
fn no_secret_in_any_format() {
    for &format in OutputFormat::ALL {
        for dir in [
            DEPLOY,
            "fixtures/sentinel-auth-pass-mismatch/bad",
            "fixtures/sentinel-peer-auth-inconsistent/bad",
            "fixtures/masterauth-mismatch/bad",
            "fixtures/group-password-not-uniform/bad",
        ] {
            let text = rendered(dir, format);
            assert!(
                !text.contains("example-pass") && !text.contains("example-sentinel-pass"),
                "{} output for {dir} shows a password:\n{text}",
                format.name()
            );
        }
    }
}
