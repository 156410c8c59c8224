//! `redis-halint convert`: write the deployment in another format.

use clap::{Args, ValueEnum};
use redis_halint::discover::discover;
use redis_halint::emit::{self, ConvertError, Options, OutFile, TargetFormat};
use redis_halint::report::{render, OutputFormat, RenderOptions};
use redis_halint::{Settings, Target};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ToArg {
    K8s,
    Compose,
    Systemd,
    Spotahome,
    Opstree,
    Conf,
    Local,
}

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// Files or directories to read (anything `check` reads). Default: the current directory.
    paths: Vec<PathBuf>,
    /// The format to write.
    #[arg(long, value_enum)]
    to: ToArg,
    /// Output directory, or `-` to print a single-file target (k8s, spotahome, opstree).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Overwrite existing files, and convert despite ambiguities (two passwords in one
    /// group: the master's is kept).
    #[arg(long)]
    force: bool,
    /// Kubernetes namespace of the objects written.
    #[arg(long, default_value = "default")]
    namespace: String,
    /// Reference this existing Secret (key `password`) instead of writing one.
    #[arg(long, value_name = "NAME")]
    secret_name: Option<String>,
    /// Container image of the Redis processes (k8s, compose, spotahome).
    #[arg(long, default_value = "redis:7.2")]
    image: String,
    /// First port of the `local` sandbox.
    #[arg(long, default_value_t = 7000)]
    port_base: u16,
    /// Print the summary as JSON (plan, corrections, notes, files).
    #[arg(long)]
    json: bool,
    /// Redis or Valkey version the input runs, e.g. redis-7.0, valkey-8.0.
    #[arg(long)]
    target_version: Option<String>,
}

pub fn run(args: ConvertArgs) -> Result<ExitCode, String> {
    let target = match args.to {
        ToArg::K8s => TargetFormat::K8s,
        ToArg::Compose => TargetFormat::Compose,
        ToArg::Systemd => TargetFormat::Systemd,
        ToArg::Spotahome => TargetFormat::Spotahome,
        ToArg::Opstree => TargetFormat::Opstree,
        ToArg::Conf => TargetFormat::Conf,
        ToArg::Local => TargetFormat::Local,
    };
    let to_stdout = args.out.as_os_str() == "-";
    if to_stdout
        && !matches!(
            target,
            TargetFormat::K8s | TargetFormat::Spotahome | TargetFormat::Opstree
        )
    {
        return Err(format!(
            "--to {} writes several files: give a directory to --out",
            target.name()
        ));
    }
    if args.port_base > 65535 - 1000 {
        return Err("--port-base leaves no room for the sandbox's ports".to_string());
    }
    let version = match &args.target_version {
        Some(t) => Target::parse(t)?,
        None => Target::default(),
    };
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let found = discover(&paths, None);
    let (workspace, errors, _notes) = found.into_workspace(Settings {
        target: version,
        ..Settings::default()
    });
    if !errors.is_empty() {
        return Err(errors.join("; "));
    }
    let options = Options {
        namespace: args.namespace.clone(),
        secret_name: args.secret_name.clone(),
        image: args.image.clone(),
        port_base: args.port_base,
        force: args.force,
    };
    let conversion = match emit::convert(&workspace, target, &options) {
        Ok(c) => c,
        Err(ConvertError::Empty) => {
            return Err("no replication group, sentinel or operator resource found".to_string())
        }
        Err(ConvertError::Unsupported(why)) => return Err(why),
        Err(ConvertError::Blocked(diagnostics)) => {
            let color = std::io::stderr().is_terminal();
            let text = render(
                &workspace,
                &diagnostics,
                OutputFormat::Full,
                RenderOptions { color, width: 100 },
            );
            eprint!("{text}");
            eprintln!(
                "redis-halint: convert stopped: the input is ambiguous ({} finding(s) above); fix them, or use --force to keep the master's password and the first sentinel's settings",
                diagnostics.len()
            );
            return Ok(ExitCode::from(1));
        }
    };
    if to_stdout {
        let mut out = std::io::stdout().lock();
        for file in &conversion.files {
            let _ = out.write_all(file.text.as_bytes());
        }
        let _ = out.flush();
    } else {
        write_files(&args.out, &conversion.files, args.force)?;
    }
    if args.json {
        let files: Vec<String> = conversion
            .files
            .iter()
            .map(|f| f.path.display().to_string())
            .collect();
        let summary = serde_json::json!({
            "target": target.name(),
            "sources": conversion.sources,
            "plan": conversion.plan,
            "corrections": conversion.corrections,
            "notes": conversion.notes,
            "actions": conversion.actions,
            "files": files,
        });
        let text = serde_json::to_string_pretty(&summary).unwrap_or_default();
        if to_stdout {
            eprintln!("{text}");
        } else {
            println!("{text}");
        }
    } else {
        print_summary(&conversion, target, &args.out, to_stdout);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_summary(c: &emit::Conversion, target: TargetFormat, out: &Path, to_stdout: bool) {
    let mut text = String::new();
    for g in &c.plan.groups {
        text.push_str(&format!(
            "group {}: {} data node(s), {} sentinel(s), quorum {}, down-after {} ms, failover-timeout {} ms, password: {}\n",
            g.master_name,
            g.data_nodes,
            g.sentinels,
            g.quorum,
            g.down_after_ms,
            g.failover_timeout_ms,
            if g.has_password() { "yes" } else { "no" }
        ));
    }
    for (title, lines) in [
        ("corrected", &c.corrections),
        ("note", &c.notes),
        ("to do", &c.actions),
    ] {
        for line in lines {
            text.push_str(&format!("{title}: {line}\n"));
        }
    }
    if to_stdout {
        eprint!("{text}");
    } else {
        text.push_str(&format!(
            "wrote {} file(s) for --to {} into {}\n",
            c.files.len(),
            target.name(),
            out.display()
        ));
        print!("{text}");
    }
}

/// Write every file, refusing to replace one unless forced.
fn write_files(dir: &Path, files: &[OutFile], force: bool) -> Result<(), String> {
    if !force {
        let existing: Vec<String> = files
            .iter()
            .map(|f| dir.join(&f.path))
            .filter(|p| p.exists())
            .map(|p| p.display().to_string())
            .collect();
        if !existing.is_empty() {
            return Err(format!(
                "would overwrite {} (use --force): {}",
                existing.len(),
                existing.join(", ")
            ));
        }
    }
    for file in files {
        let path = dir.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        write_file(&path, &file.text, file.mode)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

/// A temporary file created with its final mode (a password file is never readable by
/// others, not even for a moment), then renamed into place.
fn write_file(path: &Path, text: &str, mode: u32) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.redis-halint-{}", std::process::id()));
    let result = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(mode);
        }
        let mut file = options.open(&tmp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(mode))?;
        }
        #[cfg(not(unix))]
        let _ = mode;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
