//! `redis-halint check`: read, check, report, and choose the exit code.

use clap::{Args, ValueEnum};
use redis_halint::discover::discover;
use redis_halint::fix::FixMode;
use redis_halint::report::{render, OutputFormat, RenderOptions};
use redis_halint::selection::Selection;
use redis_halint::settings::{self, FailOn, Overrides, Resolver};
use redis_halint::{baseline, Diagnostic, Settings, Target};

use super::{fix, show_fixes, statistics, suppress};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum FailOnArg {
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
    paths: Vec<PathBuf>,
    /// How findings are printed: full, concise, grouped, json, json-lines, sarif, github,
    /// gitlab, junit, checkstyle. `FORMAT=PATH` writes that format to a file; repeat the
    /// option to write several formats in one run.
    #[arg(long, value_name = "FORMAT[=PATH]")]
    output_format: Vec<String>,
    /// Write the output (of the format without `=PATH`) to this file instead of stdout.
    #[arg(long, value_name = "PATH")]
    output_file: Option<PathBuf>,
    /// Lowest severity that makes the exit code 1 (default: the config's `fail-on`, else warning).
    #[arg(long, value_enum)]
    fail_on: Option<FailOnArg>,
    /// Rules to run: names, codes, code prefixes or categories (comma-separated); replaces
    /// the config's `select`.
    #[arg(long, value_delimiter = ',')]
    select: Option<Vec<String>>,
    /// Rules to run in addition to the selected ones.
    #[arg(long, value_delimiter = ',')]
    extend_select: Vec<String>,
    /// Rules to skip: names, codes, code prefixes or categories (comma-separated).
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Redis or Valkey version the deployment runs, e.g. redis-7.0, redis-7.2.4, valkey-8.0.
    #[arg(long)]
    target_version: Option<String>,
    /// File name to report for `-` (stdin); also used to classify it.
    #[arg(long)]
    stdin_filename: Option<PathBuf>,
    /// Colour in the full output on a terminal (`auto` honours NO_COLOR).
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorArg,
    /// Use this configuration file for every checked file instead of discovering
    /// redis-halint.toml / .redis-halint.toml next to them.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Disregard `# redis-halint: ignore[…]` comments (for CI).
    #[arg(long)]
    no_inline_suppressions: bool,
    /// Report only findings that are not recorded in this baseline file.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record the current findings in this baseline file and exit 0.
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    write_baseline: Option<PathBuf>,
    /// Apply safe fixes to the files, then report what remains.
    #[arg(long)]
    fix: bool,
    /// Also apply unsafe fixes (they change behaviour; review the diff).
    #[arg(long)]
    unsafe_fixes: bool,
    /// Print the diff `--fix` would make, write nothing; exit 1 when there is one.
    #[arg(long)]
    diff: bool,
    /// Print the number of findings per rule (code, name, whether `--fix` repairs them)
    /// instead of the findings; JSON with `--output-format json`.
    #[arg(long, conflicts_with_all = ["output_file", "write_baseline"])]
    statistics: bool,
    /// After the findings, list what the fix of each one would change; write nothing.
    #[arg(long, conflicts_with_all = ["fix", "diff"])]
    show_fixes: bool,
    /// Write `# redis-halint: ignore[RULE] -- REASON` before every current finding (in each
    /// format's comment syntax), then report what is left.
    #[arg(
        long,
        value_name = "REASON",
        conflicts_with_all = ["fix", "diff", "baseline", "write_baseline", "no_inline_suppressions"]
    )]
    add_suppressions: Option<String>,
    /// The git revision the history rules compare with (sentinels or Redis Enterprise
    /// nodes removed). Default: where the branch left the default branch; on the default
    /// branch, the last commit (uncommitted changes) or the one before it.
    #[arg(long, value_name = "REV")]
    since: Option<String>,
    /// Do not read the git history (the history rules stay silent).
    #[arg(long, conflicts_with = "since")]
    no_history: bool,
    /// Say on stderr which revision the history rules compared with, or why none.
    #[arg(long)]
    verbose: bool,
}

pub fn run(args: CheckArgs) -> Result<ExitCode, String> {
    let cli_target = match &args.target_version {
        Some(t) => Some(Target::parse(t)?),
        None => None,
    };
    let overrides = Overrides {
        select: args.select.clone(),
        extend_select: args.extend_select.clone(),
        ignore: args.ignore.clone(),
    };
    // Usage errors in the selectors come first, before reading anything.
    Selection::with_extend(
        overrides.select.as_deref().unwrap_or_default(),
        &overrides.extend_select,
        &overrides.ignore,
    )?;
    let outputs = parse_outputs(&args.output_format, args.output_file.as_deref())?;
    let text_output = outputs.iter().all(|(f, path)| {
        path.is_some()
            || matches!(
                f,
                OutputFormat::Full | OutputFormat::Concise | OutputFormat::Grouped
            )
    });
    if args.show_fixes && !text_output {
        return Err(
            "--show-fixes prints text after the findings: use it with full, concise or grouped output (json already carries each fix)"
                .to_string(),
        );
    }
    let statistics_json = outputs
        .iter()
        .any(|(f, path)| path.is_none() && *f == OutputFormat::Json);
    if args.statistics && !text_output && !statistics_json {
        return Err("--statistics prints a table, or JSON with --output-format json".to_string());
    }
    if let Some(reason) = &args.add_suppressions {
        redis_halint::add_suppressions::check_reason(reason)?;
    }
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let cwd = std::env::current_dir().map_err(|e| format!("no current directory: {e}"))?;
    let mut resolver = Resolver::new(cwd.clone(), args.config.clone());
    let mut found = discover(&paths, args.stdin_filename.as_deref());

    // Settings for the run as a whole come from the config of the first path.
    let first = match paths[0].as_os_str() == "-" {
        true => args
            .stdin_filename
            .clone()
            .unwrap_or_else(|| PathBuf::from(".")),
        false => paths[0].clone(),
    };
    let root = resolver.for_path(&first);

    // Per-file configs: exclusions, and one target per run.
    let mut notes = std::mem::take(&mut found.notes);
    let mut excluded = 0usize;
    resolver.seed(&found.listed_dirs);
    resolver.prefetch(found.inputs.iter().map(|i| i.path.as_path()));
    found.inputs.retain(|input| {
        let resolved = resolver.for_file(&input.path);
        let keep = settings::is_config_file(&input.path)
            || !resolved
                .as_ref()
                .is_some_and(|r| r.excluded(&settings::absolute(&input.path, &cwd)));
        if !keep {
            excluded += 1;
        }
        keep
    });
    if excluded > 0 {
        notes.push(format!("{excluded} file(s) excluded by configuration"));
    }
    let target = cli_target
        .or_else(|| {
            root.as_ref()
                .and_then(|r| r.target_version.as_ref())
                .map(|t| t.value)
        })
        .unwrap_or_default();
    if cli_target.is_none() {
        for input in &found.inputs {
            if let Some(t) = resolver
                .for_file(&input.path)
                .and_then(|r| r.target_version.clone())
            {
                if t.value != target {
                    notes.push(format!(
                        "target-version {} ({}) ignored for {}: one target per run ({target})",
                        t.value,
                        t.origin,
                        input.path.display()
                    ));
                }
            }
        }
    }

    let settings = Settings {
        target,
        ignore_inline_suppressions: args.no_inline_suppressions,
        ..Settings::default()
    }
    .with_topology(
        root.as_ref()
            .and_then(|r| r.topology.as_ref())
            .map(|t| &t.value),
    );
    if let Some(reason) = &args.add_suppressions {
        suppress::add_in_place(
            &mut found.inputs,
            &settings,
            &mut resolver,
            &overrides,
            reason,
            &mut found.errors,
        )?;
    }
    if args.fix || args.diff {
        let selection = Selection::with_extend(
            overrides.select.as_deref().unwrap_or_default(),
            &overrides.extend_select,
            &overrides.ignore,
        )?;
        let mode = if args.unsafe_fixes {
            FixMode::SafeAndUnsafe
        } else {
            FixMode::Safe
        };
        if args.diff {
            let (text, changed) = fix::diff(
                &found.inputs,
                &settings,
                &selection,
                mode,
                &mut found.errors,
            );
            print!("{text}");
            for error in &found.errors {
                eprintln!("redis-halint: error: {error}");
            }
            return Ok(if !found.errors.is_empty() {
                ExitCode::from(2)
            } else if changed {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            });
        }
        fix::fix_in_place(
            &mut found.inputs,
            &settings,
            &selection,
            mode,
            &mut found.errors,
        );
    }
    let input_paths: Vec<PathBuf> = found.inputs.iter().map(|i| i.path.clone()).collect();
    let (mut workspace, mut errors, _) = found.into_workspace(settings);
    // The config files in use are part of the workspace, so their problems are findings.
    for (abs, shown, text) in &resolver.loaded {
        let present = input_paths
            .iter()
            .any(|p| settings::absolute(p, &cwd) == *abs);
        if !present {
            workspace.set_file(shown.clone(), text.as_str(), false);
        }
    }

    if !args.no_history {
        let roots = if args.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            args.paths
                .iter()
                .filter(|p| p.as_os_str() != "-")
                .cloned()
                .collect()
        };
        match redis_halint::history::previous_revision(&roots, args.since.as_deref())? {
            Some(revision) => {
                if args.verbose {
                    eprintln!("history: comparing with {}", revision.name);
                }
                workspace.set_previous(revision);
            }
            None if args.verbose => eprintln!(
                "history: not a git repository or no earlier revision; the history rules are silent"
            ),
            None => {}
        }
    }
    // Parsed, a config's text is only needed again to show a finding in it.
    workspace.release_config_texts();
    let diagnostics = workspace.check();
    let diagnostics = redis_halint::apply::apply_settings(
        diagnostics,
        &|file| workspace.source(file).map(|s| s.path.clone()),
        &mut resolver,
        &overrides,
    )?;
    errors.append(&mut resolver.errors);

    if let Some(path) = &args.write_baseline {
        let text = baseline::write(&workspace, &diagnostics);
        // A baseline holds the text of each finding's line: not from a file that changed.
        if let Some(changed) = workspace.changed_on_disk().first() {
            return Err(format!(
                "{} changed on disk during the check: baseline not written",
                changed.display()
            ));
        }
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        eprintln!(
            "redis-halint: wrote {} finding(s) to the baseline {}",
            diagnostics.len(),
            path.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let diagnostics = match &args.baseline {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read the baseline {}: {e}", path.display()))?;
            let file = baseline::read(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            let total = diagnostics.len();
            let new = baseline::filter(&workspace, diagnostics, &file);
            if total > new.len() {
                notes.push(format!(
                    "{} finding(s) hidden by the baseline {}",
                    total - new.len(),
                    path.display()
                ));
            }
            new
        }
        None => diagnostics,
    };

    if args.statistics {
        let text = if statistics_json {
            statistics::json(&diagnostics)
        } else {
            statistics::text(&diagnostics)
        };
        print!("{text}");
    } else {
        write_outputs(&workspace, &diagnostics, &outputs, args.color)?;
    }
    if args.show_fixes {
        print!(
            "{}",
            show_fixes::text(&workspace, &diagnostics, args.unsafe_fixes)
        );
    }
    for path in workspace.changed_on_disk() {
        errors.push(format!(
            "{} changed on disk during the check: its findings are those of the text first read, shown without excerpts",
            path.display()
        ));
    }
    // The process ends here: freeing every parse and every finding one by one would only
    // delay the exit (by a tenth of the run on a tree of thousands of files).
    let worst = diagnostics.iter().map(|d| d.severity).max();
    std::mem::forget(workspace);
    std::mem::forget(diagnostics);
    for note in &notes {
        eprintln!("redis-halint: note: {note}");
    }
    for error in &errors {
        eprintln!("redis-halint: error: {error}");
    }
    if !errors.is_empty() {
        return Ok(ExitCode::from(2));
    }
    let fail_on = match args.fail_on {
        Some(f) => f.to_fail_on(),
        None => root
            .as_ref()
            .and_then(|r| r.fail_on.as_ref())
            .map_or(FailOn::Warning, |f| f.value),
    };
    let failing = fail_on
        .threshold()
        .is_some_and(|t| worst.is_some_and(|w| w >= t));
    Ok(if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

pub(super) fn write_outputs(
    workspace: &redis_halint::Workspace,
    diagnostics: &[Diagnostic],
    outputs: &[(OutputFormat, Option<PathBuf>)],
    color: ColorArg,
) -> Result<(), String> {
    let stdout = std::io::stdout();
    let on_terminal = stdout.is_terminal();
    for (format, path) in outputs {
        let to_terminal = path.is_none() && on_terminal;
        let color = match color {
            ColorArg::Always => true,
            ColorArg::Never => false,
            ColorArg::Auto => {
                to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        };
        let width = if to_terminal { terminal_width() } else { 100 };
        let text = render(
            workspace,
            diagnostics,
            *format,
            RenderOptions { color, width },
        );
        match path {
            Some(path) => std::fs::write(path, text)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
            None => {
                let mut lock = stdout.lock();
                let _ = lock.write_all(text.as_bytes());
                let _ = lock.flush();
            }
        }
    }
    Ok(())
}

impl FailOnArg {
    pub(super) fn to_fail_on(self) -> FailOn {
        match self {
            FailOnArg::Error => FailOn::Error,
            FailOnArg::Warning => FailOn::Warning,
            FailOnArg::Info => FailOn::Info,
            FailOnArg::Never => FailOn::Never,
        }
    }
}

/// `FORMAT` or `FORMAT=PATH`, repeatable; at most one format goes to stdout (or to
/// `--output-file`). Default: `full` on stdout.
pub(super) fn parse_outputs(
    specs: &[String],
    output_file: Option<&Path>,
) -> Result<Vec<(OutputFormat, Option<PathBuf>)>, String> {
    let known = || {
        OutputFormat::ALL
            .iter()
            .map(|f| f.name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut outputs = Vec::new();
    let mut main = 0;
    for spec in specs {
        let (name, path) = match spec.split_once('=') {
            Some((name, path)) if !path.is_empty() => (name, Some(PathBuf::from(path))),
            Some((name, _)) => {
                return Err(format!("--output-format {name}=: the path is empty"));
            }
            None => (spec.as_str(), None),
        };
        let format = OutputFormat::parse(name)
            .ok_or_else(|| format!("unknown output format `{name}` (one of {})", known()))?;
        if path.is_none() {
            main += 1;
        }
        outputs.push((format, path.or_else(|| output_file.map(PathBuf::from))));
    }
    if main > 1 {
        return Err(
            "several --output-format values without `=PATH`: only one can go to stdout".to_string(),
        );
    }
    if main == 0 {
        // Only file outputs (or none) were asked for: the full report still goes to stdout.
        outputs.insert(0, (OutputFormat::Full, output_file.map(PathBuf::from)));
    }
    Ok(outputs)
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
}
