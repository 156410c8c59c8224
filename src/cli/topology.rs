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
    let (workspace, errors, notes) = found.into_workspace(Settings {
        target,
        ..Settings::default()
    });
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
