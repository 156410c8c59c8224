//! `redis-halint check`: read, check, report, and choose the exit code.

use clap::{Args, ValueEnum};
use redis_halint::discover::discover;
use redis_halint::report::{render, OutputFormat, RenderOptions};
use redis_halint::selection::Selection;
use redis_halint::{Settings, Severity, Target, Workspace};

use super::fix;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum FormatArg {
    Full,
    Concise,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to check (`-` reads stdin). Default: the current directory.
    pub(super) paths: Vec<PathBuf>,
    /// How findings are printed.
    #[arg(long, value_enum, default_value = "full")]
    pub(super) output_format: FormatArg,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value = "warning")]
    pub(super) fail_on: FailOn,
    /// Rules to run: names, codes, code prefixes or categories (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub(super) select: Vec<String>,
    /// Rules to skip: names, codes, code prefixes or categories (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub(super) ignore: Vec<String>,
    /// Redis or Valkey version the deployment runs, e.g. redis-7.0, redis-7.2.4, valkey-8.0.
    #[arg(long)]
    pub(super) target_version: Option<String>,
    /// File name to report for `-` (stdin); also used to classify it.
    #[arg(long)]
    pub(super) stdin_filename: Option<PathBuf>,
    /// Colour in the full output.
    #[arg(long, value_enum, default_value = "auto")]
    pub(super) color: ColorArg,
    /// Apply safe fixes to the files, then report what remains.
    #[arg(long)]
    pub(super) fix: bool,
    /// Also apply unsafe fixes (they change behaviour; review the diff).
    #[arg(long)]
    pub(super) unsafe_fixes: bool,
    /// Print the diff `--fix` would make, write nothing; exit 1 when there is one.
    #[arg(long)]
    pub(super) diff: bool,
}

pub fn run(args: CheckArgs) -> Result<ExitCode, String> {
    let selection = Selection::new(&args.select, &args.ignore)?;
    run_with(args, selection)
}

fn run_with(args: CheckArgs, selection: Selection) -> Result<ExitCode, String> {
    let target = match &args.target_version {
        Some(t) => Target::parse(t)?,
        None => Target::default(),
    };
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let found = discover(&paths, args.stdin_filename.as_deref());
    let settings = Settings { target };
    if args.fix || args.diff {
        return fix::run(&args, found, settings, &selection);
    }

    let (workspace, errors, notes) = found.into_workspace(settings);
    report(&args, &workspace, &selection, &errors, &notes)
}

/// Check the workspace, print the findings, and choose the exit code.
pub(super) fn report(
    args: &CheckArgs,
    workspace: &Workspace,
    selection: &Selection,
    errors: &[String],
    notes: &[String],
) -> Result<ExitCode, String> {
    let diagnostics: Vec<_> = workspace
        .check()
        .into_iter()
        .filter(|d| selection.enabled(d.rule))
        .collect();

    let format = match args.output_format {
        FormatArg::Full => OutputFormat::Full,
        FormatArg::Concise => OutputFormat::Concise,
        FormatArg::Json => OutputFormat::Json,
    };
    let stdout = std::io::stdout();
    let color = match args.color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let width = if stdout.is_terminal() {
        terminal_width()
    } else {
        100
    };
    let text = render(
        workspace,
        &diagnostics,
        format,
        RenderOptions { color, width },
    );
    let mut lock = stdout.lock();
    let _ = lock.write_all(text.as_bytes());
    let _ = lock.flush();
    for note in notes {
        eprintln!("redis-halint: note: {note}");
    }
    for error in errors {
        eprintln!("redis-halint: error: {error}");
    }
    if !errors.is_empty() {
        return Ok(ExitCode::from(2));
    }
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    let failing = threshold.is_some_and(|t| diagnostics.iter().any(|d| d.severity >= t));
    Ok(if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
}
