//! `redis-halint topology`: print the linked deployment as a tree, JSON or a diagram.

use clap::{Args, ValueEnum};
use redis_halint::discover::discover;
use redis_halint::topology_view::{self, Format};
use redis_halint::{Settings, Target};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    Tree,
    Json,
    Mermaid,
    Dot,
    Svg,
}

#[derive(Debug, Args)]
pub struct TopologyArgs {
    /// Files or directories to read. Default: the current directory.
    paths: Vec<PathBuf>,
    /// tree (text), json (versioned), mermaid, dot (Graphviz) or svg (standalone picture).
    #[arg(long, value_enum, default_value = "tree")]
    format: FormatArg,
    /// Redis or Valkey version the deployment runs, e.g. redis-7.0, valkey-8.0.
    #[arg(long)]
    target_version: Option<String>,
}

pub fn run(args: TopologyArgs) -> Result<ExitCode, String> {
    let target = match &args.target_version {
        Some(t) => Target::parse(t)?,
        None => Target::default(),
    };
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths
    };
    let found = discover(&paths, None);
    // The processes `[topology]` of the nearest redis-halint.toml declares elsewhere.
    let cwd = std::env::current_dir().map_err(|e| format!("no current directory: {e}"))?;
    let root = redis_halint::settings::Resolver::new(cwd, None).for_path(&paths[0]);
    let settings = Settings {
        target,
        ..Settings::default()
    }
    .with_topology(
        root.as_ref()
            .and_then(|r| r.topology.as_ref())
            .map(|t| &t.value),
    );
    let (workspace, errors, notes) = found.into_workspace(settings);
    let topology = workspace.topology();
    let diagnostics = workspace.check();
    let view = topology_view::build(&workspace, &topology, &diagnostics);
    let format = match args.format {
        FormatArg::Tree => Format::Tree,
        FormatArg::Json => Format::Json,
        FormatArg::Mermaid => Format::Mermaid,
        FormatArg::Dot => Format::Dot,
        FormatArg::Svg => Format::Svg,
    };
    let text = topology_view::render(&view, format);
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
    for note in &notes {
        eprintln!("redis-halint: note: {note}");
    }
    for error in &errors {
        eprintln!("redis-halint: error: {error}");
    }
    Ok(if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}
