//! The `redis-halint` command line: parse arguments, call the library, map the outcome
//! to an exit code (0 clean, 1 findings at or above `--fail-on`, 2 usage or I/O error).

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    quiet_on_closed_stdout();
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("redis-halint: error: {message}");
            ExitCode::from(2)
        }
    }
}

/// `redis-halint rules | head`: when the reader closes the pipe, stop quietly like other
/// command-line tools instead of reporting a panic (`println!` panics on EPIPE).
fn quiet_on_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.contains("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}
