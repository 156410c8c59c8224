//! `redis-halint verify`: check a running deployment against itself and against its
//! declared configuration.
//!
//! The checks ([`checks`]) are pure functions of a [`snapshot::Snapshot`] (what the
//! sentinels and data nodes answered) and of the declared [`crate::model::Topology`];
//! they are always built. Asking a deployment ([`probe`]) needs the `live` feature.

pub mod checks;
mod cluster_checks;
pub mod declared;
#[cfg(feature = "live")]
pub mod probe;
pub mod snapshot;
pub mod transcript;

pub use checks::{verify, Options};
pub use snapshot::Snapshot;
