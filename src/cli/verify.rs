//! `redis-halint verify`: ask a running deployment (read-only), compare it with itself
//! and with its declared configuration, report like `check`.

use super::check::{parse_outputs, write_outputs, ColorArg, FailOnArg};
use clap::Args;
use redis_halint::discover::discover;
#[cfg(feature = "live")]
use redis_halint::live::declared;
use redis_halint::live::{self, snapshot::split_address, Snapshot};
use redis_halint::model::Topology;
use redis_halint::selection::Selection;
use redis_halint::settings::FailOn;
use redis_halint::{Settings, Workspace};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Declared configuration to compare with: files or directories, as for `check`.
    /// Without it, the deployment is only checked against itself.
    paths: Vec<PathBuf>,
    /// Every sentinel of the deployment, HOST:PORT (comma-separated or repeated).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "HOST:PORT",
        required_unless_present_any = ["snapshot", "cluster"]
    )]
    sentinel: Vec<String>,
    /// Redis Cluster nodes to ask (HOST:PORT, comma-separated or repeated): the cluster's
    /// state, failing nodes and shards without a live replica.
    #[arg(long, value_delimiter = ',', value_name = "HOST:PORT")]
    cluster: Vec<String>,
    /// Master name to verify. Default: every name the sentinels monitor or the files declare.
    #[arg(long, value_name = "NAME")]
    master: Option<String>,
    /// File whose first line is the password (for data nodes, and for sentinels that ask
    /// for one). Else the REDISCLI_AUTH environment variable, else the declared
    /// `auth-pass`/`requirepass`. There is deliberately no option taking the password itself.
    #[arg(long, value_name = "FILE")]
    password_file: Option<PathBuf>,
    /// ACL user to authenticate as (with the password).
    #[arg(long, value_name = "NAME")]
    user: Option<String>,
    /// Connect with TLS (system roots unless --cacert).
    #[arg(long)]
    tls: bool,
    /// CA certificate(s) to trust, PEM (implies --tls).
    #[arg(long, value_name = "FILE")]
    cacert: Option<PathBuf>,
    /// Client certificate for mutual TLS, PEM (with --key; implies --tls).
    #[arg(long, value_name = "FILE", requires = "key")]
    cert: Option<PathBuf>,
    /// Client private key for mutual TLS, PEM.
    #[arg(long, value_name = "FILE", requires = "cert")]
    key: Option<PathBuf>,
    /// Timeout for connecting and for every command, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 2000)]
    timeout: u64,
    /// Seconds a replica may go without acknowledging the master's stream.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    max_lag: u64,
    /// How findings are printed (as for `check`): full, concise, grouped, json, json-lines,
    /// sarif, github, gitlab, junit, checkstyle; `FORMAT=PATH` writes to a file.
    #[arg(long, value_name = "FORMAT[=PATH]")]
    output_format: Vec<String>,
    /// Write the output (of the format without `=PATH`) to this file instead of stdout.
    #[arg(long, value_name = "PATH")]
    output_file: Option<PathBuf>,
    /// Lowest severity that makes the exit code 1 (default: warning).
    #[arg(long, value_enum)]
    fail_on: Option<FailOnArg>,
    /// Rules to run: names, codes, code prefixes or categories (comma-separated).
    #[arg(long, value_delimiter = ',')]
    select: Option<Vec<String>>,
    /// Rules to skip: names, codes, code prefixes or categories (comma-separated).
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// Colour in the full output on a terminal (`auto` honours NO_COLOR).
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorArg,
    /// Also write what the deployment answered to this file (JSON, without secrets).
    #[arg(long, value_name = "FILE")]
    save_snapshot: Option<PathBuf>,
    /// Check a snapshot written by --save-snapshot instead of asking the deployment.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["sentinel", "save_snapshot"])]
    snapshot: Option<PathBuf>,
}

#[cfg_attr(not(feature = "live"), allow(dead_code))]
/// The password: `--password-file`, else `REDISCLI_AUTH`, else none (the declared one
/// comes later, per kind of endpoint).
fn explicit_password(args: &VerifyArgs) -> Result<Option<String>, String> {
    if let Some(path) = &args.password_file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the password file {}: {e}", path.display()))?;
        let first = text
            .lines()
            .next()
            .unwrap_or_default()
            .trim_end_matches('\r');
        if first.is_empty() {
            return Err(format!("the password file {} is empty", path.display()));
        }
        return Ok(Some(first.to_string()));
    }
    Ok(std::env::var("REDISCLI_AUTH")
        .ok()
        .filter(|p| !p.is_empty()))
}

#[cfg_attr(not(feature = "live"), allow(dead_code))]
fn read_pem(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

pub fn run(args: VerifyArgs) -> Result<ExitCode, String> {
    // Validated up front: a bad selector is a usage error before any network traffic.
    Selection::new(args.select.as_deref().unwrap_or_default(), &args.ignore)?;
    let overrides = redis_halint::settings::Overrides {
        select: args.select.clone(),
        extend_select: Vec::new(),
        ignore: args.ignore.clone(),
    };
    let outputs = parse_outputs(&args.output_format, args.output_file.as_deref())?;
    for s in &args.sentinel {
        if split_address(s).is_none() {
            return Err(format!("--sentinel {s}: expected HOST:PORT"));
        }
    }
    for c in &args.cluster {
        if split_address(c).is_none() {
            return Err(format!("--cluster {c}: expected HOST:PORT"));
        }
    }
    if args.timeout == 0 {
        return Err("--timeout must be above 0".to_string());
    }

    // The declared side.
    let (mut workspace, topology, mut errors, notes) = if args.paths.is_empty() {
        (
            Workspace::new(Settings::default()),
            None,
            Vec::new(),
            Vec::new(),
        )
    } else {
        let found = discover(&args.paths, None);
        let (workspace, errors, notes) = found.into_workspace(Settings::default());
        let topology = workspace.topology();
        (workspace, Some(topology), errors, notes)
    };
    let declared_names: Vec<String> = topology
        .as_ref()
        .map(|t| {
            let mut names: Vec<String> = t
                .groups
                .iter()
                .filter(|g| g.has_sentinels())
                .filter_map(|g| g.name.clone())
                .collect();
            names.sort();
            names.dedup();
            names
        })
        .unwrap_or_default();
    let masters = match &args.master {
        Some(m) => vec![m.clone()],
        // Only a cluster to ask: no sentinel names.
        None if args.sentinel.is_empty() && !args.cluster.is_empty() => Vec::new(),
        None => declared_names,
    };

    let snapshot = match &args.snapshot {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read the snapshot {}: {e}", path.display()))?;
            serde_json::from_str::<Snapshot>(&text)
                .map_err(|e| format!("{}: not a verify snapshot: {e}", path.display()))?
        }
        None => ask(&args, masters, topology.as_ref())?,
    };
    if let Some(path) = &args.save_snapshot {
        let text = serde_json::to_string_pretty(&snapshot).expect("a snapshot serializes");
        std::fs::write(path, text + "\n")
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }

    let options = live::Options {
        max_lag: args.max_lag,
    };
    let found = live::verify(&mut workspace, &snapshot, topology.as_ref(), &options);
    // The settings `check` applies, from the redis-halint.toml nearest to each file.
    let cwd = std::env::current_dir().map_err(|e| format!("no current directory: {e}"))?;
    let mut resolver = redis_halint::settings::Resolver::new(cwd, None);
    let diagnostics = redis_halint::apply::apply_settings(
        found,
        &|file| workspace.source(file).map(|s| s.path.clone()),
        &mut resolver,
        &overrides,
    )?;
    errors.append(&mut resolver.errors);
    write_outputs(&workspace, &diagnostics, &outputs, args.color)?;
    let locked: Vec<&str> = snapshot
        .nodes_without_access()
        .map(|n| n.address.as_str())
        .collect();
    for note in &notes {
        eprintln!("redis-halint: note: {note}");
    }
    if !locked.is_empty() {
        eprintln!(
            "redis-halint: note: the data nodes {} require a password verify does not have (or reject \
             it): their own side (role, link, min-replicas-to-write) was not checked; give it with \
             --password-file or REDISCLI_AUTH",
            locked.join(", ")
        );
    }
    if snapshot.masters.is_empty() && snapshot.cluster.is_empty() {
        // With a sentinel unreachable the findings say why; otherwise there was nothing to
        // verify, which is a usage problem.
        if snapshot.sentinels.iter().all(|s| s.error.is_none()) {
            errors.push(
                "no master name to verify: the sentinels monitor none; give --master".to_string(),
            );
        } else {
            eprintln!(
                "redis-halint: note: no master name to verify (no reachable sentinel named one); give --master"
            );
        }
    }
    for error in &errors {
        eprintln!("redis-halint: error: {error}");
    }
    if !errors.is_empty() {
        return Ok(ExitCode::from(2));
    }
    let fail_on = args.fail_on.map_or(FailOn::Warning, FailOnArg::to_fail_on);
    let failing = fail_on
        .threshold()
        .is_some_and(|t| diagnostics.iter().any(|d| d.severity >= t));
    Ok(if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(not(feature = "live"))]
fn ask(
    _args: &VerifyArgs,
    _masters: Vec<String>,
    _declared: Option<&Topology>,
) -> Result<Snapshot, String> {
    Err(
        "this redis-halint was built without the `live` feature, so it cannot ask a \
         deployment; rebuild with `cargo build --features live` (on by default), or check a \
         saved snapshot with --snapshot FILE"
            .to_string(),
    )
}

#[cfg(feature = "live")]
fn ask(
    args: &VerifyArgs,
    masters: Vec<String>,
    declared: Option<&Topology>,
) -> Result<Snapshot, String> {
    use live::probe::{self, Credentials, ProbeConfig, Tls};
    let explicit = explicit_password(args)?;
    // The declared passwords of the groups verified, when none is given.
    let (node_password, sentinel_password) = match (&explicit, declared) {
        (Some(p), _) => (Some(p.clone()), Some(p.clone())),
        (None, Some(t)) => {
            let gs: Vec<_> = masters
                .iter()
                .flat_map(|m| declared::groups(t, m))
                .collect();
            (
                gs.iter().find_map(|g| declared::node_password(t, g)),
                gs.iter().find_map(|g| declared::sentinel_password(t, g)),
            )
        }
        (None, None) => (None, None),
    };
    let tls = if args.tls || args.cacert.is_some() || args.cert.is_some() {
        probe::init_tls();
        Some(Tls {
            ca: args.cacert.as_deref().map(read_pem).transpose()?,
            client: match (&args.cert, &args.key) {
                (Some(c), Some(k)) => Some((read_pem(c)?, read_pem(k)?)),
                _ => None,
            },
        })
    } else {
        None
    };
    let config = ProbeConfig {
        sentinels: args.sentinel.clone(),
        masters,
        discover: args.master.is_none(),
        sentinel_auth: Credentials {
            user: args.user.clone(),
            password: sentinel_password,
        },
        node_auth: Credentials {
            user: args.user.clone(),
            password: node_password,
        },
        tls,
        timeout: std::time::Duration::from_millis(args.timeout),
        cluster: args.cluster.clone(),
    };
    Ok(probe::probe(&config))
}
