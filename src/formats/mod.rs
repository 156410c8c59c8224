//! Per-format extraction: a syntax tree becomes facts about Redis nodes and sentinels.

pub mod conf;
pub mod detect;
pub mod script;
pub mod systemd;
