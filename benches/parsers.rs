//! Parse throughput per format, on the project's own fixtures (deterministic, no network,
//! no ../shared): the redis.conf tokenizer, the spanned YAML tree, the systemd grammar,
//! the shell extractor, and per format the whole per-file phase of a check (parse and
//! extract, what `Workspace::parse_files` does).
//!
//!     cargo bench --bench parsers
//!
//! Criterion prints MiB/s or GiB/s per benchmark (`thrpt`).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use redis_halint::formats::script;
use redis_halint::source::FileId;
use redis_halint::syntax::{redis_conf, shell, systemd, yaml};
use redis_halint::{Settings, Workspace};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// The fixtures of one format: (path, text).
fn fixtures(wanted: impl Fn(&str) -> bool) -> Vec<(PathBuf, String)> {
    let mut all = Vec::new();
    files(Path::new("fixtures"), &mut all);
    all.into_iter()
        .filter(|p| wanted(&p.to_string_lossy()))
        .filter_map(|p| Some((p.clone(), std::fs::read_to_string(&p).ok()?)))
        .collect()
}

fn bytes(set: &[(PathBuf, String)]) -> u64 {
    set.iter().map(|(_, t)| t.len() as u64).sum()
}

/// The fixtures repeated until there is at least `min` bytes, so one iteration is long
/// enough to measure and per-call overhead does not dominate.
fn at_least(set: Vec<(PathBuf, String)>, min: u64) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut round = 0;
    while bytes(&out) < min {
        for (p, t) in &set {
            out.push((PathBuf::from(format!("r{round}")).join(p), t.clone()));
        }
        round += 1;
    }
    out
}

fn bench(c: &mut Criterion) {
    let conf = at_least(
        fixtures(|p| p.ends_with(".conf") && !p.contains(".service.d/")),
        1 << 20,
    );
    let yaml_files = at_least(
        fixtures(|p| p.ends_with(".yaml") || p.ends_with(".yml")),
        1 << 20,
    );
    let units = at_least(
        fixtures(|p| p.ends_with(".service") || p.contains(".service.d/")),
        1 << 19,
    );
    let scripts = at_least(fixtures(|p| p.ends_with(".sh")), 1 << 19);

    let mut syntax = c.benchmark_group("syntax");
    syntax.throughput(Throughput::Bytes(bytes(&conf)));
    syntax.bench_function("redis_conf", |b| {
        b.iter(|| {
            for (_, text) in &conf {
                black_box(redis_conf::parse(text));
            }
        })
    });
    syntax.throughput(Throughput::Bytes(bytes(&yaml_files)));
    syntax.bench_function("yaml", |b| {
        b.iter(|| {
            for (_, text) in &yaml_files {
                black_box(yaml::parse(text));
            }
        })
    });
    syntax.throughput(Throughput::Bytes(bytes(&units)));
    syntax.bench_function("systemd", |b| {
        b.iter(|| {
            for (_, text) in &units {
                black_box(systemd::parse(text, 0));
            }
        })
    });
    let shared: Vec<Arc<str>> = scripts.iter().map(|(_, t)| t.as_str().into()).collect();
    syntax.throughput(Throughput::Bytes(bytes(&scripts)));
    syntax.bench_function("shell", |b| {
        b.iter(|| {
            for text in &shared {
                black_box(shell::parse(text));
                black_box(script::read(FileId(0), text));
            }
        })
    });
    syntax.finish();

    // The per-file phase of a check: parse, classify, extract the facts of each format.
    let mut per_file = c.benchmark_group("parse_and_extract");
    for (name, set) in [
        ("conf", &conf),
        ("yaml", &yaml_files),
        ("systemd", &units),
        ("shell", &scripts),
    ] {
        per_file.throughput(Throughput::Bytes(bytes(set)));
        per_file.bench_with_input(BenchmarkId::from_parameter(name), set, |b, set| {
            b.iter(|| {
                let mut ws = Workspace::new(Settings::default());
                for (path, text) in set {
                    ws.set_file(path.clone(), text.as_str(), false);
                }
                black_box(ws.parse_files())
            })
        });
    }
    per_file.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
