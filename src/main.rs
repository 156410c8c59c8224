//! The `redis-halint` command line: parse arguments, call the library, map the outcome
//! to an exit code (0 clean, 1 findings at or above `--fail-on`, 2 usage or I/O error).

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("redis-halint: error: {message}");
            ExitCode::from(2)
        }
    }
}
