//! A whole `check` on arbitrary bytes: the first byte picks what the file is called (a
//! config, a compose file, a manifest, a unit, a drop-in, a script), a second file may
//! follow after a `\n=====\n` line; every rule runs, then the full, JSON and SARIF
//! renderings and the topology view. No panic, no hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use redis_halint::discover::decode;
use redis_halint::report::{render, OutputFormat, RenderOptions};
use redis_halint::{Settings, Workspace};

const NAMES: &[&str] = &[
    "redis.conf",
    "sentinel.conf",
    "docker-compose.yml",
    "k8s/redis.yaml",
    "values.yaml",
    "etc/systemd/system/redis-sentinel.service",
    "etc/systemd/system/redis-server.service.d/override.conf",
    "deploy.sh",
    "start",
    "redis-halint.toml",
    "conf/sentinel-1/sentinel.conf",
    "operators/redisfailover.yaml",
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let text = decode(rest);
    let mut ws = Workspace::new(Settings::default());
    let mut parts = text.splitn(2, "\n=====\n");
    let first = parts.next().unwrap_or_default();
    ws.set_file(NAMES[selector as usize % NAMES.len()], first, selector & 0x80 != 0);
    if let Some(second) = parts.next() {
        let name = NAMES[(selector as usize / NAMES.len()) % NAMES.len()];
        ws.set_file(format!("other/{name}"), second, true);
    }
    let diagnostics = ws.check();
    for format in [OutputFormat::Full, OutputFormat::Json, OutputFormat::Sarif] {
        let _ = render(&ws, &diagnostics, format, RenderOptions::default());
    }
    let topology = ws.topology();
    let view = redis_halint::topology_view::build(&ws, &topology, &diagnostics);
    let _ = redis_halint::topology_view::render(&view, redis_halint::topology_view::Format::Svg);
});
