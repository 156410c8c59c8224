//! Time each phase of a whole-tree check: read, parse, link, rules, render.
//!
//!     cargo run --release --example phases -- PATHS...
//!
//! Used by `bench/run.sh` for the "parsing alone" baseline; prints one JSON object.

use redis_halint::discover::discover;
use redis_halint::report::{render, OutputFormat, RenderOptions};
use redis_halint::Settings;
use std::path::PathBuf;
use std::time::Instant;

/// Resident memory now, in MB (Linux; 0 elsewhere).
fn rss_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}

fn main() {
    let paths: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let started = Instant::now();
    let found = discover(&paths, None);
    let files = found.inputs.len();
    let bytes: usize = found.inputs.iter().map(|i| i.text.len()).sum();
    let read = started.elapsed();
    let rss_read = rss_mb();
    let (mut workspace, _, _) = found.into_workspace(Settings::default());
    let loaded = started.elapsed();
    let rss_loaded = rss_mb();
    let configs = workspace.parse_files();
    let parsed = started.elapsed();
    let rss_parsed = rss_mb();
    // As `redis-halint check` does: parsed configs give their texts back.
    workspace.release_config_texts();
    let topology = workspace.topology();
    let linked = started.elapsed();
    let diagnostics = workspace.check();
    let checked = started.elapsed();
    let rss_checked = rss_mb();
    let json = render(
        &workspace,
        &diagnostics,
        OutputFormat::Json,
        RenderOptions::default(),
    );
    let rendered = started.elapsed();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{{\"files\": {files}, \"bytes\": {bytes}, \"configs\": {configs}, \"nodes\": {}, \"sentinels\": {}, \"groups\": {}, \"diagnostics\": {}, \"output_bytes\": {}, \
         \"read_ms\": {:.1}, \"load_ms\": {:.1}, \"parse_ms\": {:.1}, \"link_ms\": {:.1}, \"check_ms\": {:.1}, \"render_ms\": {:.1}, \"total_ms\": {:.1}, \
         \"rss_read_mb\": {rss_read}, \"rss_loaded_mb\": {rss_loaded}, \"rss_parsed_mb\": {rss_parsed}, \"rss_checked_mb\": {rss_checked}}}",
        topology.nodes.len(),
        topology.sentinels.len(),
        topology.groups.len(),
        diagnostics.len(),
        json.len(),
        ms(read),
        ms(loaded - read),
        ms(parsed - loaded),
        ms(linked - parsed),
        ms(checked - linked),
        ms(rendered - checked),
        ms(rendered),
    );
}
