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

/// Found by the `redis_conf` fuzz target: a NUL byte after an argument made the tokenizer
/// push empty tokens forever (out of memory). Redis reads each line as a C string, so a
/// NUL ends the line; inside quotes it is an unterminated quote.
#[test]
fn nul_byte_ends_a_config_line() {
    use redis_halint::syntax::redis_conf::{parse, split_args};
    let args = split_args("sentinel down-a\0\0\0\0\0\0\x14fter 5000", 0).unwrap();
    let values: Vec<&str> = args.iter().map(|t| t.value.as_str()).collect();
    assert_eq!(values, ["sentinel", "down-a"]);
    assert!(split_args("\0port 6379", 0).unwrap().is_empty());
    assert!(split_args("requirepass \"ab\0cd\"", 0).is_err());
    let text = "port 26379\nsentinel down-a\x01\0\0\0\0\0\0\x14fter-milliseconds mymaster 5000\n";
    let tree = parse(text);
    assert_eq!(tree.lines.len(), 2);
    check_text("sentinel.conf", text);
}

/// Run the binary with a deadline: a hang is a failure, not a stuck test run. Returns
/// (exit code, stdout, stderr).
fn run_bounded(args: &[&std::ffi::OsStr], stdin: Option<Vec<u8>>) -> (Option<i32>, String, String) {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(bin())
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let writer = stdin.map(|bytes| {
        let mut pipe = child.stdin.take().unwrap();
        // The process may stop reading early (a too large input): a broken pipe is fine.
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        })
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("redis-halint {args:?} did not finish in 120 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    if let Some(w) = writer {
        let _ = w.join();
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn check_bounded(paths: &[&Path]) -> (Option<i32>, String, String) {
    let mut args: Vec<&std::ffi::OsStr> = ["check", "--output-format", "concise"]
        .iter()
        .map(std::ffi::OsStr::new)
        .collect();
    args.extend(paths.iter().map(|p| p.as_os_str()));
    run_bounded(&args, None)
}

#[test]
fn yaml_alias_bomb_is_a_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("# redis deployment\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let file = dir.path().join("docker-compose.yml");
    fs::write(&file, &text).unwrap();
    let (code, stdout, _) = check_bounded(&[&file]);
    assert_eq!(code, Some(1));
    assert!(stdout.contains("invalid-yaml"), "{stdout}");
    assert!(stdout.contains("alias bomb"), "{stdout}");
}

/// 100 levels of nesting is valid YAML and is read; beyond the limit (and saphyr's own
/// flow limit), a clear error instead of a deep tree.
#[test]
fn deep_yaml_nesting() {
    let dir = tempfile::tempdir().unwrap();
    let mut block =
        String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: redis\ndata:\n");
    for i in 0..100 {
        block.push_str(&format!("{}k{i}:\n", "  ".repeat(i + 1)));
    }
    block.push_str(&format!("{}- redis\n", "  ".repeat(101)));
    let flow = format!("redis: {}1{}\n", "[".repeat(100), "]".repeat(100));
    let map = format!("redis: {}1{}\n", "{a: ".repeat(100), "}".repeat(100));
    for (name, text) in [
        ("block.yaml", &block),
        ("flow.yaml", &flow),
        ("map.yaml", &map),
    ] {
        let file = dir.path().join(name);
        fs::write(&file, text).unwrap();
        let (code, stdout, stderr) = check_bounded(&[&file]);
        assert_eq!(code, Some(0), "{name}: {stdout}{stderr}");
        assert!(
            redis_halint::syntax::yaml::parse(text).error.is_none(),
            "{name}"
        );
    }
    // Deeper than the limit: block collections (no limit in the parser) and flow ones.
    let mut deep = String::from("# redis\n");
    for i in 0..2000 {
        deep.push_str(&format!("{}k:\n", " ".repeat(i)));
    }
    deep.push_str(&format!("{}v\n", " ".repeat(2000)));
    let flow = format!("redis: {}1{}\n", "[".repeat(100_000), "]".repeat(100_000));
    for (name, text, message) in [
        ("deep-block.yaml", &deep, "nested deeper than"),
        ("deep-flow.yaml", &flow, "recursion limit"),
    ] {
        let file = dir.path().join(name);
        fs::write(&file, text).unwrap();
        let (code, stdout, _) = check_bounded(&[&file]);
        assert_eq!(code, Some(1), "{name}");
        assert!(
            stdout.contains("invalid-yaml") && stdout.contains(message),
            "{name}: {stdout}"
        );
    }
}

/// The alias budget counts each node once: a big flat manifest is not an alias bomb
/// (nested collections used to be counted once per level).
#[test]
fn big_flat_yaml_is_not_an_alias_bomb() {
    let mut text = String::from("items:\n");
    for i in 0..30_000 {
        text.push_str(&format!("  - name: item-{i}\n    value: {i}\n"));
    }
    let file = redis_halint::syntax::yaml::parse(&text);
    assert!(file.error.is_none(), "{:?}", file.error);
}

/// Larger than the 64 MB limit: skipped with a note, never read (a sparse file here, so
/// the test writes nothing). From stdin, reading stops after the limit.
#[test]
fn file_of_100_mb_is_skipped_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("redis.conf");
    fs::File::create(&big)
        .unwrap()
        .set_len(100 * 1024 * 1024)
        .unwrap();
    fs::write(dir.path().join("sentinel.conf"), "port 26379\n").unwrap();
    for target in [big.as_path(), dir.path()] {
        let (code, _, stderr) = check_bounded(&[target]);
        assert_eq!(code, Some(0), "{stderr}");
        assert!(stderr.contains("larger than 64 MB"), "{stderr}");
    }
    let mut line =
        b"# a comment line of a very large redis.conf piped to stdin ..........\n".to_vec();
    let mut bytes = Vec::with_capacity(100 * 1024 * 1024 + line.len());
    while bytes.len() < 100 * 1024 * 1024 {
        bytes.append(&mut line.clone());
    }
    line.clear();
    let args: Vec<&std::ffi::OsStr> = ["check", "--stdin-filename", "redis.conf", "-"]
        .iter()
        .map(std::ffi::OsStr::new)
        .collect();
    let (code, _, stderr) = run_bounded(&args, Some(bytes));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("larger than 64 MB"), "{stderr}");
}

#[test]
fn directory_symlink_loop_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("a/b")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("a"), dir.path().join("a/b/up")).unwrap();
    fs::write(dir.path().join("a/redis.conf"), "port 6379\n").unwrap();
    let (code, _, stderr) = check_bounded(&[dir.path()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("loop"), "{stderr}");
}

/// A FIFO is never opened (it would block until a writer comes): named on the command
/// line it is an error, met in a walk a note; the other files are checked.
#[test]
fn fifo_is_not_opened() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("redis.conf");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("note: mkfifo is not available; FIFO test skipped");
        return;
    }
    fs::write(
        dir.path().join("sentinel.conf"),
        "sentinel monitor m redis-master 6379 2\n",
    )
    .unwrap();
    let (code, stdout, stderr) = check_bounded(&[dir.path()]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("not a regular file"), "{stderr}");
    assert!(stdout.contains("N001"), "{stdout}");
    let (code, _, stderr) = check_bounded(&[&fifo]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("not a regular file"), "{stderr}");
}

/// A file that cannot be read: an error naming it, exit 2, the rest still checked.
/// `/proc/self/mem` fails with EIO for every user; a `chmod 000` file only for users
/// other than root (skipped, with a note, when running as root).
#[test]
fn unreadable_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("sentinel.conf"),
        "sentinel monitor m redis-master 6379 2\n",
    )
    .unwrap();
    let eio = dir.path().join("redis.conf");
    std::os::unix::fs::symlink("/proc/self/mem", &eio).unwrap();
    let (code, stdout, stderr) = check_bounded(&[dir.path()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot read") && stderr.contains("redis.conf"),
        "{stderr}"
    );
    assert!(stdout.contains("N001"), "{stdout}");
    fs::remove_file(&eio).unwrap();

    use std::os::unix::fs::PermissionsExt;
    let locked = dir.path().join("redis.conf");
    fs::write(&locked, "port 6379\n").unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read(&locked).is_ok() {
        eprintln!("note: running as root, chmod 000 does not stop reading; that case is skipped");
        return;
    }
    let (code, _, stderr) = check_bounded(&[dir.path()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("Permission denied"), "{stderr}");
}

/// A file rewritten while it is read is read again; when it never holds still, the last
/// text read is checked and a note says so. Never a panic, never more than the limit.
#[test]
fn file_changing_while_read() {
    use std::io::Write;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("redis.conf");
    let line = "# padding comment line so that one read takes a while ..............\n";
    fs::write(&path, line.repeat(20_000)).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (path, stop) = (path.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut file = fs::OpenOptions::new().append(true).open(&path).unwrap();
            let mut written = 0;
            while !stop.load(Ordering::Relaxed) {
                file.write_all(b"port 6379\n").unwrap();
                written += 10;
                if written > 8 << 20 {
                    file.set_len(1_400_000).unwrap();
                    written = 0;
                }
            }
        })
    };
    // Until the note shows (nearly at once; the deadline only guards a starved writer
    // thread on a loaded machine).
    let mut noted = false;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    while std::time::Instant::now() < deadline {
        let found = discover(std::slice::from_ref(&path), None);
        assert!(found.errors.is_empty(), "{:?}", found.errors);
        for input in &found.inputs {
            assert!(input.text.len() < 16 << 20);
        }
        if found
            .notes
            .iter()
            .any(|n| n.contains("changed while it was read"))
        {
            noted = true;
            break;
        }
    }
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    assert!(noted, "a file appended to without pause gets a note");
    // Still, once it holds still, it is read without a note.
    let found = discover(std::slice::from_ref(&path), None);
    assert!(found.notes.is_empty(), "{:?}", found.notes);
    assert_eq!(found.inputs.len(), 1);
}

/// Every scalar of a YAML tree maps back inside the file (what `fuzz_targets/yaml.rs`
/// asserts).
fn assert_scalars_map_inside(text: &str) {
    use redis_halint::syntax::yaml::{embedded, parse, Kind, Node};
    fn walk(text: &str, node: &Node) {
        assert!(node.span.end <= text.len());
        match &node.kind {
            Kind::Scalar { .. } => {
                if let Some(e) = embedded(text, node) {
                    for (_, at, len) in &e.pieces {
                        assert!(at + len <= text.len(), "{node:?} in {text:?}");
                    }
                    let r = e.range_to_file(0..e.text.len());
                    assert!(r.end <= text.len(), "{node:?} in {text:?}");
                }
            }
            Kind::Seq(items) => items.iter().for_each(|n| walk(text, n)),
            Kind::Map(entries) => entries.iter().for_each(|(k, v)| {
                walk(text, k);
                walk(text, v);
            }),
        }
    }
    for doc in &parse(text).documents {
        walk(text, doc);
    }
}

/// Found by the `yaml` fuzz target: an explicit key without a value (`? key` at the end of
/// the file) is an implicit null `~` with an empty span; its text was mapped one byte past
/// the end of the file.
#[test]
fn implicit_null_maps_inside_the_file() {
    for text in [
        "? a",
        "data:\n? redis.conf: |\n    port 6379\n",
        "kind: ConfigMap\ndata:\n? redis.conf",
        "a: \"x\"",
        "a: 'x'",
        "a: \"\\x41\\u263A\"",
    ] {
        assert_scalars_map_inside(text);
        check_text("k8s/redis.yaml", text);
        check_text("docker-compose.yml", text);
    }
}

/// Found by the `check` fuzz target (a slow unit): a text that is not a config, read as
/// one, has a line of unknown directive per line, and each looked for a "did you mean"
/// among every directive name. Now each distinct name is looked up once, candidates out
/// of reach by length are skipped, and at most 1,000 names per file get a suggestion.
#[test]
fn thousands_of_unknown_directives() {
    let mut text = String::new();
    for i in 0..20_000 {
        text.push_str(&format!("appendonlyx{i} yes\nmaxmemoryy {i}\n"));
    }
    let mut ws = Workspace::new(Settings::default());
    ws.set_file("redis.conf", text.as_str(), true);
    let diagnostics = ws.check();
    let unknown: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.rule.name() == "unknown-directive")
        .collect();
    assert_eq!(unknown.len(), 40_000);
    // The repeated name keeps its suggestion on every line.
    assert!(unknown
        .iter()
        .filter(|d| d.message.contains("`maxmemoryy`"))
        .all(|d| d.help.as_deref().is_some_and(|h| h.contains("maxmemory"))));
}
