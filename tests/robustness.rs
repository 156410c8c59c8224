//! Bad input never panics: truncated, random, binary, non-UTF-8 and huge files get a
//! diagnostic or a silent skip, and the other files are still checked.

mod common;

use common::bin;
use redis_halint::discover::{decode, discover};
use redis_halint::{Settings, Target, Workspace};
use std::fs;
use std::path::Path;
use std::process::Command;

fn check_text(name: &str, text: &str) {
    let mut ws = Workspace::new(Settings::default());
    ws.set_file(name, text, true);
    let diagnostics = ws.check();
    // Rendering must not panic either (spans inside the text, char boundaries).
    // The excerpt renderer scans from the top of the file, so huge inputs render as JSON.
    let formats: &[redis_halint::report::OutputFormat] = if text.len() < 100_000 {
        &[
            redis_halint::report::OutputFormat::Full,
            redis_halint::report::OutputFormat::Json,
        ]
    } else {
        &[redis_halint::report::OutputFormat::Json]
    };
    for &format in formats {
        let _ = redis_halint::report::render(&ws, &diagnostics, format, Default::default());
    }
}

/// xorshift: deterministic pseudo-random bytes.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn truncated_fixtures() {
    for entry in walk(Path::new("fixtures")) {
        let text = fs::read_to_string(&entry).unwrap();
        let name = entry.to_string_lossy().into_owned();
        for cut in (0..text.len()).step_by(7) {
            if text.is_char_boundary(cut) {
                check_text(&name, &text[..cut]);
            }
        }
    }
}

#[test]
fn random_bytes_and_mutations() {
    let mut rng = Rng(0x9e3779b97f4a7c15);
    let alphabet = b"sentinel monitor down-after-milliseconds auth-pass \"'\\x4g# \n\r\t0123456789-kKmMgGbB yes no requirepass replicaof bind port user default >on nopass ~* +@all \xff\xc3";
    for round in 0..400 {
        let len = (rng.next() % 600) as usize;
        let bytes: Vec<u8> = (0..len)
            .map(|_| alphabet[(rng.next() % alphabet.len() as u64) as usize])
            .collect();
        let text = decode(&bytes);
        let name = if round % 2 == 0 {
            "sentinel.conf"
        } else {
            "redis.conf"
        };
        check_text(name, &text);
    }
}

#[test]
fn non_utf8_keeps_positions() {
    let bytes = b"# commentaire \xe9t\xe9\nsentinel monitor mymaster redis-master 6379 2\n";
    let text = decode(bytes);
    assert_eq!(text.len(), bytes.len());
    let mut ws = Workspace::new(Settings::default());
    ws.set_file("sentinel.conf", text, true);
    let d = ws.check();
    let hostname = d
        .iter()
        .find(|d| d.rule.name() == "hostname-monitor-without-resolve-hostnames")
        .unwrap();
    assert_eq!(
        hostname.span.start as usize,
        bytes.iter().position(|&b| b == b'\n').unwrap() + 27
    );
}

#[test]
fn large_file() {
    let mut text = String::from("sentinel monitor mymaster 10.0.0.1 6379 2\n");
    let line = "# padding line to make the file large enough for the test ...........\n";
    while text.len() < 10 * 1024 * 1024 {
        text.push_str(line);
        text.push_str("sentinel down-after-milliseconds mymaster 5000\n");
    }
    check_text("sentinel.conf", &text);
}

#[test]
fn binary_and_symlink_loop_do_not_stop_the_run() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("redis.conf"),
        b"port 6379\x00\x01\x02 binary",
    )
    .unwrap();
    fs::write(
        dir.path().join("sentinel.conf"),
        "sentinel monitor m redis-master 6379 2\n",
    )
    .unwrap();
    let sub = dir.path().join("loop");
    fs::create_dir(&sub).unwrap();
    std::os::unix::fs::symlink(dir.path(), sub.join("back")).unwrap();
    let found = discover(&[dir.path().to_path_buf()], None);
    assert!(
        found.notes.iter().any(|n| n.contains("binary")),
        "{:?}",
        found.notes
    );
    assert!(!found.errors.is_empty(), "the symlink loop is reported");
    assert_eq!(found.inputs.len(), 1);
    let out = Command::new(bin())
        .args(["check", "--output-format", "concise"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("N001"));
}

#[test]
fn unknown_target_flavors_parse() {
    assert!(Target::parse("valkey-8.0").is_ok());
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "conf") {
            out.push(path);
        }
    }
    out
}
