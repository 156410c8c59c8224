//! The language server: `redis-halint server` speaks LSP over stdio.
//!
//! It is a thin shell over [`crate::Workspace`], like the CLI. One file per concept:
//!
//! - [`transport`]: JSON-RPC framing over stdio that survives malformed input;
//! - [`server`]: the ordered message loop, lifecycle and dispatch;
//! - [`documents`]: open buffers and full / incremental synchronisation;
//! - [`project`]: the workspace the checks run on (folders on disk, buffers override);
//! - [`scheduler`]: debounce, and the worker thread that runs checks off the loop;
//! - [`convert`]: spans and diagnostics to LSP types (UTF-16 positions);
//! - [`code_actions`], [`hover`], [`completion`]: the editor features;
//! - [`config`]: the settings the client passes (`initializationOptions`).

pub mod code_actions;
pub mod completion;
pub mod config;
pub mod convert;
pub mod documents;
pub mod hover;
pub mod project;
pub mod scheduler;
pub mod server;
pub mod transport;

pub use config::ServerOptions;

/// Serve on stdin/stdout until the client says `exit` (or closes stdin).
/// `Ok(true)` when the session ended the way the protocol asks (shutdown, then exit).
pub fn run_stdio(options: ServerOptions) -> Result<bool, String> {
    let (connection, io) = transport::stdio();
    let clean = server::Server::new(connection, options).run();
    io.join();
    Ok(clean)
}
