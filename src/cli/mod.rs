//! Subcommands, one file each.

mod check;
mod fix;
mod rule;
mod server;

use clap::{Parser, Subcommand};
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
    Check(check::CheckArgs),
    /// Print the documentation page of a rule.
    Rule {
        /// Rule name (e.g. `sentinel-count-even`) or code (e.g. `Q002`).
        rule: String,
    },
    /// List every rule.
    Rules,
    /// Run the language server (LSP over stdio) for editors.
    Server(server::ServerArgs),
}

pub fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Check(args) => check::run(args),
        Command::Rule { rule } => rule::show(&rule),
        Command::Rules => rule::list(),
        Command::Server(args) => server::run(args),
    }
}
