//! Subcommands, one file each.

mod check;
mod config;
mod convert;
mod fix;
mod generate;
mod rule;
mod server;
mod show_fixes;
mod statistics;
mod suppress;
mod topology;
mod verify;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "redis-halint",
    version,
    about = "Lint Redis / Valkey Sentinel high-availability deployments"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check configuration files and directories.
    Check(Box<check::CheckArgs>),
    /// Print the documentation page of a rule.
    Rule {
        /// Rule name (e.g. `sentinel-count-even`) or code (e.g. `Q002`); a retired name
        /// prints the pages of the rules that replaced it.
        #[arg(required_unless_present = "redirects")]
        rule: Option<String>,
        /// List the retired rule names, tab-separated with the rules that replaced them.
        #[arg(long, conflicts_with = "rule")]
        redirects: bool,
    },
    /// List every rule.
    Rules,
    /// Print the effective settings for a file or directory and where each came from.
    ShowConfig {
        /// The file or directory whose settings to show. Default: the current directory.
        path: Option<PathBuf>,
        /// Use this configuration file instead of discovering one.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff) generated from the command-line definitions.
    Man,
    /// Show the deployment as redis-halint understands it: groups, nodes, sentinels,
    /// where each fact comes from, and the findings on each.
    Topology(topology::TopologyArgs),
    /// Write the deployment in another format (k8s, compose, systemd, spotahome, opstree,
    /// conf, or a local sandbox), correct by construction.
    Convert(Box<convert::ConvertArgs>),
    /// Run the language server (LSP over stdio) for editors.
    Server(server::ServerArgs),
    /// Check a running deployment (read-only): sentinels, master, replicas, and what
    /// differs from the declared configuration in PATHS.
    Verify(Box<verify::VerifyArgs>),
}

pub fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Check(args) => check::run(*args),
        Command::Rule {
            redirects: true, ..
        } => rule::redirects(),
        Command::Rule { rule, .. } => rule::show(rule.as_deref().unwrap_or_default()),
        Command::Rules => rule::list(),
        Command::ShowConfig { path, config } => config::show(path, config),
        Command::Completions { shell } => generate::completions(shell),
        Command::Man => generate::man(),
        Command::Server(args) => server::run(args),
        Command::Topology(args) => topology::run(args),
        Command::Verify(args) => verify::run(*args),
        Command::Convert(args) => convert::run(*args),
    }
}
