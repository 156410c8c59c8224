//! `convert`: read a deployment into a plan and write it in another format, correct by
//! construction. The input's mistakes are not carried over (they are listed instead);
//! the ambiguities convert cannot settle (two passwords in one group, sentinels that
//! disagree) stop it unless forced.

pub mod compose;
pub mod conf;
pub mod configs;
pub mod extract;
pub mod k8s;
pub mod local;
pub mod opstree;
pub mod plan;
pub mod spotahome;
pub mod systemd;
pub mod yaml;

use crate::diagnostic::{Diagnostic, Severity};
use crate::registry::Rule;
use crate::source::FileId;
use crate::Workspace;
use plan::Plan;
use std::collections::BTreeSet;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetFormat {
    K8s,
    Compose,
    Systemd,
    Spotahome,
    Opstree,
    Conf,
    Local,
}

impl TargetFormat {
    pub fn name(self) -> &'static str {
        match self {
            TargetFormat::K8s => "k8s",
            TargetFormat::Compose => "compose",
            TargetFormat::Systemd => "systemd",
            TargetFormat::Spotahome => "spotahome",
            TargetFormat::Opstree => "opstree",
            TargetFormat::Conf => "conf",
            TargetFormat::Local => "local",
        }
    }

    /// Whether the target can write a Redis Cluster deployment.
    pub fn writes_clusters(self) -> bool {
        !matches!(self, TargetFormat::Systemd | TargetFormat::Spotahome)
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    /// Kubernetes namespace of the objects (and of the DNS names).
    pub namespace: String,
    /// An existing Secret (key `password`) to reference instead of writing one.
    pub secret_name: Option<String>,
    /// Container image of the Redis processes.
    pub image: String,
    /// First port of the `local` sandbox.
    pub port_base: u16,
    /// Go on despite ambiguities (the master's password source is kept).
    pub force: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            namespace: "default".to_string(),
            secret_name: None,
            image: "redis:7.2".to_string(),
            port_base: 7000,
            force: false,
        }
    }
}

/// A file to write, relative to the output directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutFile {
    pub path: PathBuf,
    pub text: String,
    /// Unix permission bits.
    pub mode: u32,
}

impl OutFile {
    pub fn new(path: impl Into<PathBuf>, text: String) -> OutFile {
        OutFile {
            path: path.into(),
            text,
            mode: 0o644,
        }
    }

    pub fn private(mut self) -> OutFile {
        self.mode = 0o600;
        self
    }

    pub fn executable(mut self) -> OutFile {
        self.mode = 0o755;
        self
    }
}

#[derive(Debug)]
pub struct Conversion {
    pub plan: Plan,
    pub files: Vec<OutFile>,
    /// What the input got wrong and the output does differently.
    pub corrections: Vec<String>,
    /// What was assumed or what the target cannot express.
    pub notes: Vec<String>,
    /// Actions left to the user (replace a placeholder password, …).
    pub actions: Vec<String>,
    pub sources: Vec<String>,
}

#[derive(Debug)]
pub enum ConvertError {
    /// Nothing to convert.
    Empty,
    /// Ambiguities in the input, as the diagnostics that show them.
    Blocked(Vec<Diagnostic>),
    /// The input holds only what the target cannot write yet (a Redis Cluster for a
    /// Sentinel-only target).
    Unsupported(String),
}

/// Findings that leave the plan ambiguous: which password, which quorum, which name.
const BLOCKING: &[Rule] = &[
    Rule::SentinelAuthPassMismatch,
    Rule::GroupPasswordNotUniform,
    Rule::MasterauthMismatch,
    Rule::SentinelPeerAuthInconsistent,
    Rule::MonitorInconsistentAcrossSentinels,
    Rule::MasterNameMismatchAcrossSentinels,
    Rule::InvalidYaml,
    Rule::UnbalancedQuotes,
];

/// Findings about things convert does not write (client settings, the linter's own
/// configuration and suppressions).
const NOT_CARRIED: &[Rule] = &[
    Rule::ClientMasterNameMismatch,
    Rule::SuppressionWithoutReason,
    Rule::UnusedSuppression,
    Rule::UnknownRuleInSuppression,
    Rule::MalformedSuppression,
    Rule::InvalidConfig,
];

/// What the input says, ready to be written: the plan and what was corrected or assumed.
#[derive(Debug)]
pub struct Reading {
    pub plan: Plan,
    pub corrections: Vec<String>,
    pub notes: Vec<String>,
    pub sources: Vec<String>,
}

/// Read the workspace into a plan: extract every group, stop on ambiguities (unless
/// forced), and correct what the input got wrong.
pub fn read_plan(workspace: &Workspace, force: bool) -> Result<Reading, ConvertError> {
    let (topology, units) = workspace.topology_and_units();
    let diagnostics = workspace.check();
    let extracted = extract::groups(workspace, &topology, &units);
    let clusters = extract::clusters(&topology);
    if extracted.is_empty() && clusters.is_empty() {
        return Err(ConvertError::Empty);
    }
    let mut used: BTreeSet<FileId> = extracted.iter().flat_map(|e| e.files.clone()).collect();
    used.extend(clusters.iter().flat_map(|(_, files)| files.iter().copied()));
    let blocking: Vec<Diagnostic> = diagnostics
        .iter()
        .filter(|d| BLOCKING.contains(&d.rule))
        .filter(|d| used.contains(&d.span.file) || d.rule == Rule::InvalidYaml)
        .cloned()
        .collect();
    if !blocking.is_empty() && !force {
        return Err(ConvertError::Blocked(blocking));
    }
    let mut corrections = Vec::new();
    let mut notes = Vec::new();
    for d in &blocking {
        corrections.push(format!(
            "{} {} at {}: forced; the master's password and the first sentinel's settings are kept",
            d.rule.code(),
            d.rule.name(),
            extract::location(workspace, d.span)
        ));
    }
    for d in diagnostics.iter().filter(|d| {
        d.severity >= Severity::Warning
            && used.contains(&d.span.file)
            && !BLOCKING.contains(&d.rule)
            && !NOT_CARRIED.contains(&d.rule)
    }) {
        corrections.push(format!(
            "{} {} at {}: the output does not repeat it",
            d.rule.code(),
            d.rule.name(),
            extract::location(workspace, d.span)
        ));
    }
    let mut groups = Vec::new();
    let mut names = BTreeSet::new();
    for mut e in extracted {
        if !names.insert(e.group.master_name.clone()) {
            // Sentinels and clients tell groups apart by name: one output cannot hold two.
            let from: Vec<String> = e
                .files
                .iter()
                .filter_map(|id| workspace.source(*id))
                .map(|s| s.path.display().to_string())
                .collect();
            notes.push(format!(
                "another group is also named `{}` (from {}): it is not converted; convert each deployment on its own",
                e.group.master_name,
                from.join(", ")
            ));
            continue;
        }
        notes.append(&mut e.notes);
        corrections.extend(e.group.correct());
        groups.push(e.group);
    }
    groups.sort_by(|a, b| a.master_name.cmp(&b.master_name));
    let sources: Vec<String> = used
        .iter()
        .filter_map(|id| workspace.source(*id))
        .map(|s| s.path.display().to_string())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    Ok(Reading {
        plan: Plan {
            groups,
            clusters: clusters
                .into_iter()
                .map(|(mut c, _)| {
                    corrections.extend(c.correct());
                    c
                })
                .collect(),
        },
        corrections,
        notes,
        sources,
    })
}

/// Read the workspace into a plan and write it as `target`.
pub fn convert(
    workspace: &Workspace,
    target: TargetFormat,
    options: &Options,
) -> Result<Conversion, ConvertError> {
    let Reading {
        plan,
        corrections,
        notes,
        sources,
    } = read_plan(workspace, options.force)?;
    if plan.groups.is_empty() && !target.writes_clusters() {
        return Err(ConvertError::Unsupported(format!(
            "the input is a Redis Cluster deployment, which `--to {}` cannot write yet: use `--to k8s`, `--to compose`, `--to opstree`, `--to conf` or `--to local`",
            target.name()
        )));
    }
    Ok(write_plan(
        plan,
        target,
        options,
        corrections,
        notes,
        sources,
    ))
}

/// Write a plan as `target`.
pub fn write_plan(
    plan: Plan,
    target: TargetFormat,
    options: &Options,
    corrections: Vec<String>,
    mut notes: Vec<String>,
    sources: Vec<String>,
) -> Conversion {
    let header = header(target, &sources);
    if !plan.clusters.is_empty() && !target.writes_clusters() {
        notes.push(format!(
            "the Redis Cluster deployment is not written as {}: only `--to local`, `--to conf`, `--to compose`, `--to k8s` and `--to opstree` write cluster deployments yet",
            target.name()
        ));
    }
    let files = match target {
        TargetFormat::K8s => k8s::emit(&plan, options, &header),
        TargetFormat::Compose => compose::emit(&plan, options, &header),
        TargetFormat::Systemd => systemd::emit(&plan, options, &header),
        TargetFormat::Spotahome => spotahome::emit(&plan, options, &header, &mut notes),
        TargetFormat::Opstree => opstree::emit(&plan, options, &header),
        TargetFormat::Conf => conf::emit(&plan, options, &header),
        TargetFormat::Local => local::emit(&plan, options, &header),
    };
    let mut actions: Vec<String> = plan
        .groups
        .iter()
        .filter_map(|g| Some(password_action(target, g, g.password_source()?, options)))
        .collect();
    match target {
        TargetFormat::Systemd => actions.push(
            "install each host's tree at / with the configs owned by the redis user (`chown redis:redis /etc/redis/*.conf`): the services run as redis, and Sentinel and CONFIG REWRITE rewrite them".to_string(),
        ),
        TargetFormat::Conf => actions.push(
            "map the host names (redis-0, sentinel-0, …) in DNS or /etc/hosts, and give each config to the user that runs the process: Sentinel and CONFIG REWRITE rewrite them".to_string(),
        ),
        TargetFormat::Compose => actions.push(
            "the image's entrypoint hands each data node's directory to the redis user (uid 999) at start".to_string(),
        ),
        _ => {}
    }
    Conversion {
        plan,
        files,
        corrections,
        notes,
        actions,
        sources,
    }
}

fn header(target: TargetFormat, sources: &[String]) -> Vec<String> {
    let mut header = vec![format!(
        "Generated by `redis-halint convert --to {}` from:",
        target.name()
    )];
    header.extend(sources.iter().map(|s| format!("  {s}")));
    header
}

/// What the user must do about the password in the output.
fn password_action(
    target: TargetFormat,
    group: &plan::GroupPlan,
    source: &plan::PasswordSource,
    options: &Options,
) -> String {
    let from = source
        .declared_at
        .as_deref()
        .map(|d| format!(" (it came from {d})"))
        .unwrap_or_default();
    let name = &group.master_name;
    match target {
        TargetFormat::K8s | TargetFormat::Spotahome | TargetFormat::Opstree => {
            match (&options.secret_name, &source.secret) {
                (Some(secret), _) => {
                    format!("{name}: the password is read from the existing Secret `{secret}`, key `password`{from}")
                }
                (None, Some((secret, key))) => {
                    format!("{name}: the password is read from the Secret `{secret}`, key `{key}`, as in the input{from}")
                }
                (None, None) => format!(
                    "{name}: put the password into the generated Secret in place of {}{from}",
                    k8s::PLACEHOLDER
                ),
            }
        }
        TargetFormat::Compose => format!(
            "{name}: set {} in .env (not committed){from}",
            compose::password_var(source)
        ),
        TargetFormat::Systemd => format!(
            "{name}: set REDIS_PASSWORD in each host's etc/redis/auth.env (mode 0600){from}"
        ),
        TargetFormat::Conf => format!(
            "{name}: replace {} in every config file with the password{from}",
            k8s::PLACEHOLDER
        ),
        TargetFormat::Local => format!(
            "{name}: the sandbox uses a password generated for it, in the file `password`{from}"
        ),
    }
}
