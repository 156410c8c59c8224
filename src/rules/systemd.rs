//! systemd services that run Redis or Sentinel: sandboxing against the files Sentinel must
//! rewrite, `Type=` against how the process starts, and limits against the config.
//! A setting the command line gives wins over the config (options are read after the
//! file); when the config is not in the tree, what depends on it stays unknown.

use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::facts::service::{ConfigRef, Process, Service};
use crate::facts::ProcessConf;
use crate::formats::systemd::UnitFile;
use crate::knowledge::did_you_mean;
use crate::knowledge::values::{is_template, parse_bool, parse_integer, parse_memory};
use crate::model::Topology;
use crate::rules::{Context, Rule};
use crate::source::{Span, Spanned};
use crate::syntax::systemd::has_specifier;
use crate::syntax::systemd_keys::keys_of;

fn unit_text<'a>(ctx: &'a Context, span: Span) -> &'a str {
    ctx.source(span.file)
        .text()
        .get(span.range())
        .unwrap_or_default()
}

pub fn check_unit(unit: &UnitFile, ctx: &Context, out: &mut Vec<Diagnostic>) {
    for error in &unit.tree.errors {
        let span = Span::new(unit.file, error.range.start, error.range.end);
        let d = Diagnostic::new(Rule::SystemdUnitSyntax, span, error.message.clone());
        out.push(if error.is_fatal() {
            d.severity(Severity::Error)
                .fatal()
                .help("close the section header with `]`")
        } else {
            let known = error.section.as_deref().map_or(&[][..], keys_of);
            let key = unit_text(ctx, span);
            match did_you_mean(key, known.iter().copied()) {
                Some(suggestion) => d.help(format!("did you mean `{suggestion}`?")),
                None => d.help(
                    "check the spelling against `man systemd.service` and `man systemd.exec`",
                ),
            }
        });
    }
}

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    for service in &topo.services {
        if let Some(limit) = &service.memory_limit {
            out.push(
                Diagnostic::new(
                    Rule::SystemdMemorylimitDeprecated,
                    limit.key,
                    "`MemoryLimit=` is the deprecated cgroup-v1 setting: systemd warns on every load (\"please use MemoryMax= instead\") and drops it in later releases, leaving the service without a cap",
                )
                .help(format!("write `MemoryMax={}` instead", limit.value.value))
                // Safe: the same limit under the name systemd keeps supporting.
                .with_fix(Fix::safe("rename to MemoryMax=", vec![Edit::replace(limit.key, "MemoryMax")])),
            );
        }
        let Some(process) = service.process.map(|p| &topo.processes[p]) else {
            continue;
        };
        if process.cmdline.is_sentinel() {
            sentinel_conf_access(ctx, service, process, out);
        }
        rw_path_is_file(service, process, out);
        notify_and_daemonize(topo, service, process, out);
        memory_cap(topo, service, process, out);
        nofile(topo, service, process, out);
        persistence(topo, service, process, out);
    }
    packaged_unit_persistence(ctx, out);
}

/// persistence-off-with-auto-restart on hosts that install Debian's or Ubuntu's
/// `redis-server` package: the package's unit (`Restart=always`) restarts the config the
/// tree gives it, when no unit or script of the tree starts the server instead. Judged for
/// a config that is a master, or whose `replicaof` the template may leave out (the same
/// file renders the master).
fn packaged_unit_persistence(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    let own_unit = topo.services.iter().any(|s| {
        s.process
            .is_some_and(|p| !topo.processes[p].cmdline.is_sentinel())
    });
    if own_unit {
        return;
    }
    let started: std::collections::HashSet<ConfigRef> =
        topo.processes.iter().filter_map(|p| p.config).collect();
    for (i, node) in topo.nodes.iter().enumerate() {
        let Some(install) = node.runtime.packaged_restart else {
            continue;
        };
        if !node.complete
            || !ctx.on_hosts().nodes.contains(&i)
            || started.contains(&ConfigRef::Node(i))
            || node.replica_priority.as_ref().is_some_and(|p| p.value == 0)
            || !node.persistence.is_off()
        {
            continue;
        }
        let Some(rdb_off) = node.persistence.rdb_off else {
            continue;
        };
        let master = topo.groups.iter().any(|g| g.master == Some(i));
        let maybe_master = node.replicaof.as_ref().is_some_and(|r| {
            ctx.confs.get(&node.file).is_some_and(|c| {
                c.guarded
                    .iter()
                    .any(|g| g.contains(&(r.line.start as usize)))
            })
        });
        if !(master || maybe_master) {
            continue;
        }
        let role = if master {
            "this master"
        } else {
            "the master this template also renders"
        };
        out.push(
            Diagnostic::new(
                Rule::PersistenceOffWithAutoRestart,
                rdb_off,
                format!("the distribution's `redis-server` package runs this config under its own systemd unit, which has `Restart=always`: after a crash {role} is back within seconds with no snapshot and no append-only file, so it comes back empty; if Sentinel does not notice, its replicas resync from it and the whole data set is wiped"),
            )
            .label(install, "the Debian/Ubuntu package and its restarting unit are installed here")
            .help("enable `appendonly yes` (or RDB snapshots), or override the unit with `Restart=no` in a drop-in (`/etc/systemd/system/redis-server.service.d/`)"),
        );
    }
}

/// A setting as the process sees it: its command line, else its config, else the default
/// when the config is fully known.
struct Effective<T> {
    value: T,
    /// Where it is set; `None` for the default.
    span: Option<Span>,
}

fn conf_of(topo: &Topology, r: ConfigRef) -> (&ProcessConf, bool) {
    match r {
        ConfigRef::Node(n) => (&topo.nodes[n].process, topo.nodes[n].complete),
        ConfigRef::Sentinel(s) => (&topo.sentinels[s].process, topo.sentinels[s].complete),
    }
}

fn effective<T: Clone>(
    topo: &Topology,
    process: &Process,
    option: &str,
    parse: impl Fn(&str) -> Option<T>,
    from_conf: impl Fn(&ProcessConf) -> Option<&Spanned<T>>,
    default: Option<T>,
) -> Option<Effective<T>> {
    if let Some(arg) = process.cmdline.option(option) {
        let [value] = arg.values.as_slice() else {
            return None;
        };
        if is_template(&value.value) || has_specifier(&value.value) {
            return None;
        }
        return parse(&value.value).map(|v| Effective {
            value: v,
            span: Some(value.span),
        });
    }
    let (conf, complete) = conf_of(topo, process.config?);
    match from_conf(conf) {
        Some(set) => Some(Effective {
            value: set.value.clone(),
            span: Some(set.span),
        }),
        None if complete => default.map(|value| Effective { value, span: None }),
        None => None,
    }
}

fn daemonize(topo: &Topology, process: &Process) -> Option<Effective<bool>> {
    effective(
        topo,
        process,
        "daemonize",
        parse_bool,
        |c| c.daemonize.as_ref(),
        Some(false),
    )
}

/// The directory and file of the config a process reads, when the path is absolute and
/// known (a `%i` in the file name still leaves the directory known).
fn config_location(process: &Process) -> Option<(String, Option<String>)> {
    let raw = &process.cmdline.config.as_ref()?.value;
    let path = match process.config_candidates.as_slice() {
        [one] => one.value.clone(),
        _ => raw.clone(),
    };
    let (dir, name) = path.rsplit_once('/')?;
    if !path.starts_with('/') || dir.contains('$') || has_specifier(dir) {
        return None;
    }
    let dir = if dir.is_empty() { "/" } else { dir };
    let file = (!name.contains('$') && !has_specifier(name)).then(|| path.clone());
    Some((dir.to_string(), file))
}

fn normalize(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    let trimmed = if trimmed.is_empty() { "/" } else { trimmed };
    // /var/run is a symlink to /run on every systemd host.
    match trimmed.strip_prefix("/var/run") {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => format!("/run{rest}"),
        _ => trimmed.to_string(),
    }
}

/// `prefix` is `path` or one of its parent directories.
fn covers(prefix: &str, path: &str) -> bool {
    let prefix = normalize(prefix);
    let path = normalize(path);
    prefix == "/" || path == prefix || path.starts_with(&format!("{prefix}/"))
}

enum Access {
    Writable,
    /// Read-only or hidden, because of this setting.
    Blocked {
        span: Span,
        what: String,
    },
}

/// Whether a path is writable inside the service's mount namespace: the most specific
/// path among the sandboxing settings decides.
fn access(service: &Service, path: &str) -> Access {
    // (covered prefix length, writable, span, description)
    let mut best: Option<(usize, bool, Span, String)> = None;
    let mut consider = |prefix: &str, writable: bool, span: Span, what: String| {
        if !covers(prefix, path) {
            return;
        }
        let len = normalize(prefix).len();
        let better = match &best {
            None => true,
            // On a tie the writable entry wins: never report what systemd may allow.
            Some((l, w, ..)) => len > *l || (len == *l && writable && !*w),
        };
        if better {
            best = Some((len, writable, span, what));
        }
    };
    if let Some(p) = &service.protect_system {
        let v = p.value.value.to_ascii_lowercase();
        let dirs: &[&str] = match v.as_str() {
            "strict" => &["/"],
            "full" => &["/usr", "/boot", "/efi", "/etc"],
            "yes" | "true" | "on" | "1" => &["/usr", "/boot", "/efi"],
            _ => &[],
        };
        for dir in dirs {
            let what = format!("`ProtectSystem={}` makes {dir} read-only", p.value.value);
            consider(dir, false, p.value.span, what);
        }
    }
    if let Some(p) = &service.protect_home {
        let v = p.value.value.to_ascii_lowercase();
        if !matches!(v.as_str(), "no" | "false" | "off" | "0") {
            for dir in ["/home", "/root", "/run/user"] {
                let what = format!("`ProtectHome={}` hides or protects {dir}", p.value.value);
                consider(dir, false, p.value.span, what);
            }
        }
    }
    for e in &service.read_only_paths {
        let what = format!("`{}={}` makes it read-only", e.key, e.path);
        consider(&e.path, false, e.span, what);
    }
    for e in &service.inaccessible_paths {
        let what = format!("`{}={}` hides it", e.key, e.path);
        consider(&e.path, false, e.span, what);
    }
    for e in &service.read_write_paths {
        consider(&e.path, true, e.span, String::new());
    }
    match best {
        Some((_, false, span, what)) => Access::Blocked { span, what },
        _ => Access::Writable,
    }
}

fn sentinel_conf_access(
    ctx: &Context,
    service: &Service,
    process: &Process,
    out: &mut Vec<Diagnostic>,
) {
    let Some((dir, file)) = config_location(process) else {
        return;
    };
    let Access::Blocked { span, what, .. } = access(service, &dir) else {
        return;
    };
    let shown = file.clone().unwrap_or_else(|| format!("{dir}/…"));
    // A writable file in a read-only directory is systemd-rw-path-is-file's case.
    if let Some(file) = &file {
        if matches!(access(service, file), Access::Writable) {
            return;
        }
    }
    let config_span = process.cmdline.config.as_ref().map(|c| c.span);
    let mut d = Diagnostic::new(
        Rule::SystemdSentinelConfReadonly,
        span,
        format!(
            "{what} for this service, but Sentinel must rewrite {shown}: it exits at start with \"Sentinel config file {shown} is not writable: Read-only file system\""
        ),
    )
    .help(format!(
        "add `ReadWritePaths={dir}` (the directory: Sentinel writes a temporary file beside its config and renames it over the config)"
    ))
    // Safe: opens exactly the config directory, nothing else, to the service.
    .with_fix(Fix::safe(
        format!("add ReadWritePaths={dir}"),
        vec![ctx.insert_lines_after(span, &format!("ReadWritePaths={dir}"))],
    ))
    .fatal();
    if let Some(config) = config_span {
        d = d.label(
            config,
            "Sentinel saves its id, the replicas and sentinels it discovers and every failover into this file",
        );
    }
    out.push(d);
}

fn rw_path_is_file(service: &Service, process: &Process, out: &mut Vec<Diagnostic>) {
    let Some((dir, Some(file))) = config_location(process) else {
        return;
    };
    for entry in &service.read_write_paths {
        if normalize(&entry.path) != normalize(&file) {
            continue;
        }
        let what = if process.cmdline.is_sentinel() {
            "Sentinel can never save its state (\"Could not rename tmp config file\"), so it gets a new id at every restart"
        } else {
            "CONFIG REWRITE fails"
        };
        out.push(
            Diagnostic::new(
                Rule::SystemdRwPathIsFile,
                entry.span,
                format!(
                    "`{}=` names the config file itself: systemd bind-mounts that one file, and a rewrite creates a temporary file in {dir} and renames it over the mount point, which fails; {what}",
                    entry.key
                ),
            )
            .help(format!("name the directory instead: `{}={dir}`", entry.key)),
        );
    }
}

fn notify_and_daemonize(
    topo: &Topology,
    service: &Service,
    process: &Process,
    out: &mut Vec<Diagnostic>,
) {
    let kind = service.service_type();
    let type_span = service
        .service_type
        .as_ref()
        .map_or(service.anchor, |t| t.value.span);
    let daemon = daemonize(topo, process);
    // Under `Type=notify` systemd sets NOTIFY_SOCKET, and Redis with `supervised systemd`
    // (or `auto`) then stays in the foreground whatever `daemonize` says
    // (`background = daemonize && !supervised` in server.c).
    let mut notified = false;
    if matches!(kind, "notify" | "notify-reload") {
        let supervised = effective(
            topo,
            process,
            "supervised",
            |v| Some(v.to_ascii_lowercase()),
            |c| c.supervised.as_ref(),
            Some("no".to_string()),
        );
        notified = supervised
            .as_ref()
            .is_some_and(|s| matches!(s.value.as_str(), "systemd" | "auto"));
        if let Some(s) = supervised.filter(|s| !matches!(s.value.as_str(), "systemd" | "auto")) {
            let mut d = Diagnostic::new(
                Rule::SystemdNotifyWithoutSupervision,
                type_span,
                format!(
                    "`Type={kind}` waits for the process to report that it is ready, but `supervised` is `{}`{}: Redis never notifies systemd, so the start times out after TimeoutStartSec, the service is killed and restarted in a loop",
                    s.value,
                    if s.span.is_none() { " (the default)" } else { "" }
                ),
            )
            .help("add `--supervised systemd --daemonize no` to `ExecStart=` (or `supervised systemd` to the config)")
            .fatal();
            if let Some(span) = s.span {
                d = d.label(span, "supervision set here");
            }
            out.push(d);
        }
    }
    if let Some(daemon) = &daemon {
        let forking = kind == "forking";
        let message = match (forking, daemon.value) {
            (true, false) => Some(format!(
                "`Type=forking` waits for the started process to fork into the background and exit, but `daemonize` is `no`{}: the start times out and systemd kills Redis",
                if daemon.span.is_none() { " (the default)" } else { "" }
            )),
            (false, true) if !notified => Some(format!(
                "`daemonize yes` makes Redis fork into the background and the process systemd started exit, but `Type={kind}` tracks that first process: systemd sees the service stop (or never get ready) and kills or restarts Redis"
            )),
            _ => None,
        };
        if let Some(message) = message {
            let mut d = Diagnostic::new(Rule::SystemdTypeDaemonizeMismatch, type_span, message)
                .help(if forking {
                    "use `Type=notify` with `--supervised systemd --daemonize no` (or set `daemonize yes`)"
                } else {
                    "add `--daemonize no` to `ExecStart=` (systemd is the supervisor)"
                })
                .fatal();
            if let Some(span) = daemon.span {
                d = d.label(span, "daemonize set here");
            }
            out.push(d);
        }
    }
    // The PID file systemd reads must be the one Redis writes.
    let Some(pid_file) = &service.pid_file else {
        return;
    };
    if pid_file.value.value.contains(['$', '%']) {
        return;
    }
    let Some(daemon) = daemon else {
        return;
    };
    let written = effective(
        topo,
        process,
        "pidfile",
        |v| Some(v.to_string()),
        |c| c.pidfile.as_ref(),
        None,
    );
    let (written, span) = match written {
        Some(w) if !is_template(&w.value) && !w.value.is_empty() => (w.value, w.span),
        // Without `pidfile`, a daemonized Redis writes /var/run/redis.pid, otherwise none.
        None if daemon.value && process.config.is_some() => {
            ("/var/run/redis.pid".to_string(), None)
        }
        _ => return,
    };
    if normalize(&written) != normalize(&pid_file.value.value) {
        let mut d = Diagnostic::new(
            Rule::SystemdTypeDaemonizeMismatch,
            pid_file.value.span,
            format!(
                "systemd reads the main PID from {}, but Redis writes its PID to {written}: systemd reports \"Can't open PID file\" and, with `Type=forking`, considers the start failed",
                pid_file.value.value
            ),
        )
        .help(format!("set `PIDFile={written}`, or make `pidfile` match"));
        if let Some(span) = span {
            d = d.label(span, "Redis writes its PID here");
        }
        out.push(d);
    }
}

/// `MemoryMax=` in bytes; `None` for `infinity`, percentages and unknown values.
fn parse_systemd_bytes(value: &str) -> Option<u128> {
    let v = value.trim();
    let (digits, unit) = v.split_at(v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len()));
    let n: u128 = digits.parse().ok()?;
    let shift = match unit {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        "P" => 50,
        "E" => 60,
        _ => return None,
    };
    Some(n << shift)
}

fn memory_cap(topo: &Topology, service: &Service, process: &Process, out: &mut Vec<Diagnostic>) {
    let Some(cap) = service
        .memory_max
        .as_ref()
        .or(service.memory_limit.as_ref())
    else {
        return;
    };
    let Some(bytes) = parse_systemd_bytes(&cap.value.value) else {
        return;
    };
    let maxmemory = match process.config {
        Some(ConfigRef::Sentinel(_)) => return,
        _ if process.cmdline.is_sentinel() => return,
        _ => effective(topo, process, "maxmemory", parse_memory, |_| None, None).or_else(|| {
            let Some(ConfigRef::Node(n)) = process.config else {
                return None;
            };
            topo.nodes[n].maxmemory.as_ref().map(|m| Effective {
                value: m.value,
                span: Some(m.span),
            })
        }),
    };
    let Some(maxmemory) = maxmemory.filter(|m| m.value > 0) else {
        return;
    };
    // A fork (BGSAVE, AOF rewrite, a replica's full sync) copies pages on write, charged to
    // the same cgroup; replication and client buffers come on top of maxmemory.
    let needed = maxmemory.value + maxmemory.value / 2;
    if bytes >= needed {
        return;
    }
    let key = if service.memory_max.is_some() {
        "MemoryMax"
    } else {
        "MemoryLimit"
    };
    let message = if bytes <= maxmemory.value {
        format!(
            "`{key}={}` is not above maxmemory ({}): the kernel kills Redis before it starts evicting",
            cap.value.value,
            crate::knowledge::values::human_bytes(maxmemory.value)
        )
    } else {
        format!(
            "`{key}={}` leaves only {} above maxmemory ({}): the copy-on-write pages of a fork for BGSAVE, an AOF rewrite or a replica's full sync, plus replication buffers, push Redis over the cap and the kernel kills it in the middle of the save or sync",
            cap.value.value,
            crate::knowledge::values::human_bytes(bytes - maxmemory.value),
            crate::knowledge::values::human_bytes(maxmemory.value)
        )
    };
    let mut d =
        Diagnostic::new(Rule::MemoryCapBelowMaxmemory, cap.value.span, message).help(format!(
            "allow at least 1.5 × maxmemory (`{key}={}`), or lower maxmemory",
            crate::knowledge::values::human_bytes(needed)
        ));
    if let Some(span) = maxmemory.span {
        d = d.label(span, "maxmemory set here");
    }
    out.push(d);
}

fn nofile(topo: &Topology, service: &Service, process: &Process, out: &mut Vec<Diagnostic>) {
    let Some(limit) = &service.limit_nofile else {
        return;
    };
    // `soft:hard`: Redis raises its soft limit up to the hard one by itself.
    let value = &limit.value.value;
    let hard = value.rsplit(':').next().unwrap_or(value);
    let Some(hard) = parse_integer(hard).filter(|h| *h >= 0) else {
        return;
    };
    let Some(maxclients) = effective(
        topo,
        process,
        "maxclients",
        parse_integer,
        |c| c.maxclients.as_ref(),
        Some(10_000),
    ) else {
        return;
    };
    let needed = maxclients.value + 32;
    if hard >= needed {
        return;
    }
    let mut d = Diagnostic::new(
        Rule::UlimitBelowMaxclients,
        limit.value.span,
        format!(
            "`LimitNOFILE={value}` allows {hard} open files, but maxclients {}{} needs {needed} (Redis keeps 32 for itself): at start Redis lowers maxclients to {} and refuses further clients with \"max number of clients reached\"",
            maxclients.value,
            if maxclients.span.is_none() { " (the default)" } else { "" },
            (hard - 32).max(0)
        ),
    )
    .help(format!("set `LimitNOFILE={needed}` or more, or lower maxclients"));
    if let Some(span) = maxclients.span {
        d = d.label(span, "maxclients set here");
    }
    out.push(d);
}

fn persistence(topo: &Topology, service: &Service, process: &Process, out: &mut Vec<Diagnostic>) {
    let Some(restart) = service.restarts() else {
        return;
    };
    let Some(ConfigRef::Node(n)) = process.config else {
        return;
    };
    let node = &topo.nodes[n];
    if node.replica_priority.as_ref().is_some_and(|p| p.value == 0) {
        return; // never promoted: it restarts as a replica and resyncs
    }
    if !topo.replicated(n) {
        return; // nothing replicates from it
    }
    let cli = &process.cmdline;
    let appendonly = match cli.value("appendonly") {
        Some(v) => parse_bool(&v.value),
        None => node.persistence.appendonly.as_ref().map(|a| a.value),
    };
    let rdb_off = match cli.option("save") {
        Some(save) if save.values.iter().all(|v| v.value.is_empty()) => Some(save.flag),
        Some(_) => None,
        None => node.persistence.rdb_off,
    };
    let Some(rdb_off) = rdb_off else {
        return;
    };
    if appendonly == Some(true) || (appendonly.is_none() && !node.complete) {
        return;
    }
    out.push(
        Diagnostic::new(
            Rule::PersistenceOffWithAutoRestart,
            restart.value.span,
            format!(
                "`Restart={}` brings this node back within seconds, and with no snapshots and no append-only file it comes back empty: if it was the master, {} may not notice the restart, its replicas resync from it and the whole data set is wiped",
                restart.value.value,
                topo.failure_detector(n)
            ),
        )
        .label(rdb_off, "snapshots disabled here, and appendonly is off")
        .help("enable `appendonly yes` (or RDB snapshots), or do not restart a master without persistence automatically"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_sizes() {
        assert!(covers("/etc", "/etc/redis"));
        assert!(!covers("/etc/red", "/etc/redis"));
        assert!(covers("/", "/etc"));
        assert_eq!(normalize("/var/run/redis/x.pid"), "/run/redis/x.pid");
        assert_eq!(parse_systemd_bytes("256M"), Some(256 << 20));
        assert_eq!(parse_systemd_bytes("infinity"), None);
        assert_eq!(parse_systemd_bytes("50%"), None);
        assert_eq!(crate::knowledge::values::human_bytes(6 << 30), "6G");
    }
}
