//! The deployment model: facts about processes (data nodes, sentinels) from every
//! format, and the topology the linker builds from them.

pub mod facts;
pub mod k8s_link;
pub mod link;
pub mod scope;
pub mod service;
pub mod topology;

pub use facts::{Monitor, Node, Password, SentinelProc};
pub use topology::{Group, SentinelCount, Topology};
