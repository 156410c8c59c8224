//! `redis-halint completions SHELL` and `redis-halint man`, generated from the clap
//! definitions so they never drift from the real options.

use clap::CommandFactory;
use clap_complete::Shell;
use std::io::Write;
use std::process::ExitCode;

pub fn completions(shell: Shell) -> Result<ExitCode, String> {
    let mut cmd = super::Cli::command();
    clap_complete::generate(shell, &mut cmd, "redis-halint", &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}

/// The man page of `redis-halint` and, appended, one section per subcommand.
pub fn man() -> Result<ExitCode, String> {
    let cmd = super::Cli::command();
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut out)
        .map_err(|e| e.to_string())?;
    for sub in cmd.get_subcommands() {
        let name = format!("redis-halint-{}", sub.get_name());
        let name: &'static str = Box::leak(name.into_boxed_str());
        let sub = sub.clone().name(name);
        clap_mangen::Man::new(sub)
            .render(&mut out)
            .map_err(|e| e.to_string())?;
    }
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&out).map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}
