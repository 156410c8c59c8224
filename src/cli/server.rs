//! `redis-halint server`: the language server over stdio.

use clap::Args;
use redis_halint::lsp::{run_stdio, ServerOptions};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ServerArgs {
    /// Redis or Valkey version the deployment runs (clients can also send
    /// `initializationOptions: {"targetVersion": "redis-7.0"}`, which wins).
    #[arg(long)]
    target_version: Option<String>,
    /// Accepted for clients that pass it; stdio is the only transport.
    #[arg(long, hide = true)]
    stdio: bool,
}

pub fn run(args: ServerArgs) -> Result<ExitCode, String> {
    if let Some(t) = &args.target_version {
        redis_halint::Target::parse(t)?;
    }
    let clean = run_stdio(ServerOptions {
        target_version: args.target_version,
    })?;
    Ok(if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
