//! Format grammars that turn text into trees whose every token keeps its span.

pub mod redis_conf;
pub mod shell;
pub mod systemd;
pub mod yaml;
