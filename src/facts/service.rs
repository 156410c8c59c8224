//! Processes started by a supervisor or a script, and the systemd services that run them.
//! A process links to the config it reads when that config is in the checked tree.

use crate::knowledge::cmdline::CommandLine;
use crate::source::{FileId, Span, Spanned};

/// The config a process reads, as an index into the topology's nodes or sentinels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConfigRef {
    Node(usize),
    Sentinel(usize),
}

/// A value a script variable may hold where it is used, and where it was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub value: String,
    pub set_at: Option<Span>,
    /// The config of the tree at that path, when exactly one matches.
    pub config: Option<ConfigRef>,
}

/// One redis-server / redis-sentinel command: an `ExecStart=` or a line of a script.
#[derive(Debug, Clone)]
pub struct Process {
    pub cmdline: CommandLine,
    /// The service that runs it (index into `Topology::services`).
    pub service: Option<usize>,
    /// Literal values the config argument may take: itself, or the values a script
    /// variable in it is assigned. Empty when unknown.
    pub config_candidates: Vec<Candidate>,
    /// The config file of the tree it reads, when exactly one matches.
    pub config: Option<ConfigRef>,
}

/// `Key=value` with the spans of both sides.
#[derive(Debug, Clone)]
pub struct Setting {
    pub key: Span,
    pub value: Spanned<String>,
}

/// One path of `ReadWritePaths=`, `ReadOnlyPaths=`, … (`-` and `+` prefixes removed).
#[derive(Debug, Clone)]
pub struct PathEntry {
    pub path: String,
    pub span: Span,
    /// The key it came from (`ReadWriteDirectories` …), for messages.
    pub key: String,
}

/// A systemd service unit with its drop-ins applied.
#[derive(Debug, Clone)]
pub struct Service {
    /// The unit file (or the script that writes it).
    pub file: FileId,
    /// `redis-sentinel.service`, `redis@.service`, as named in the tree.
    pub name: String,
    /// Where to point for what the unit lacks: its `[Service]` header, or its first line.
    pub anchor: Span,
    /// False for drop-ins whose unit is not in the tree.
    pub complete: bool,
    pub exec_start: Option<Setting>,
    pub process: Option<usize>,
    pub service_type: Option<Setting>,
    pub user: Option<Setting>,
    pub restart: Option<Setting>,
    pub pid_file: Option<Setting>,
    pub protect_system: Option<Setting>,
    pub protect_home: Option<Setting>,
    pub private_tmp: Option<Setting>,
    pub read_write_paths: Vec<PathEntry>,
    pub read_only_paths: Vec<PathEntry>,
    pub inaccessible_paths: Vec<PathEntry>,
    pub memory_max: Option<Setting>,
    pub memory_limit: Option<Setting>,
    pub limit_nofile: Option<Setting>,
}

impl Service {
    /// `Type=`, systemd's default `simple` when unset.
    pub fn service_type(&self) -> &str {
        self.service_type
            .as_ref()
            .map_or("simple", |s| s.value.value.as_str())
    }

    /// `Restart=` set to anything but `no`.
    pub fn restarts(&self) -> Option<&Setting> {
        self.restart
            .as_ref()
            .filter(|r| !r.value.value.is_empty() && r.value.value != "no")
    }
}
