//! redis-halint: a linter for Redis / Valkey Sentinel high-availability deployments.
//!
//! The engine never prints and never exits: the CLI and the language server are thin
//! shells over [`Workspace`].

pub mod add_suppressions;
pub mod apply;
pub mod baseline;
pub mod diagnostic;
pub mod discover;
pub mod emit;
pub mod facts;
pub mod fix;
pub mod fix_guard;
pub mod formats;
pub mod history;
pub mod knowledge;
pub mod live;
// The language server turns file URLs into paths, which WebAssembly (the playground,
// playground/wasm) has no notion of; nothing below it uses it.
#[cfg(not(target_arch = "wasm32"))]
pub mod lsp;
pub mod model;
pub mod registry;
pub mod report;
pub mod rules;
pub mod selection;
pub mod settings;
pub mod settings_schema;
pub mod source;
pub mod suppression;
pub mod suppression_sources;
pub mod syntax;
pub mod topology_view;
mod workspace;

pub use diagnostic::{Diagnostic, Severity};
pub use knowledge::Target;
pub use workspace::{Settings, Workspace};
