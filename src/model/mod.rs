//! The deployment model: facts about processes (data nodes, sentinels) from every
//! format, and the topology the linker builds from them.

pub mod history;
pub mod link;
pub mod sharded;
pub mod sites;
pub mod topology;

pub use crate::facts::{Monitor, Node, Password, SentinelProc};
pub use topology::{Group, SentinelCount, Topology};
