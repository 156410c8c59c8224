//! How Redis and Sentinel are started: the command lines of units and scripts, read the way
//! redis-server reads its argv (redis-facts a7).

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::facts::service::{Candidate, ConfigRef, Process};
use crate::knowledge::{Flavor, Version};
use crate::rules::{Context, Rule};
use crate::source::Span;
use crate::syntax::shell::basename;

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    rewritten_sentinel_config(ctx, out);
    compose_sentinel_without_config(ctx, out);
    for process in &ctx.topology.processes {
        let line = &process.cmdline;
        if line.is_sentinel() {
            flag_first_or_no_config(ctx, process, out);
            flag_then_options(ctx, process, out);
        } else {
            plain_server(ctx, process, out);
        }
    }
}

/// A config the process may read that is a sentinel config: by content when the file is in
/// the tree, else by name.
fn sentinel_config(process: &Process) -> Option<&Candidate> {
    process.config_candidates.iter().find(|c| match c.config {
        Some(ConfigRef::Sentinel(_)) => true,
        Some(ConfigRef::Node(_)) => false,
        None => basename(&c.value).to_ascii_lowercase().contains("sentinel"),
    })
}

fn plain_server(ctx: &Context, process: &Process, out: &mut Vec<Diagnostic>) {
    let line = &process.cmdline;
    let Some(config) = &line.config else {
        return;
    };
    let found = sentinel_config(process);
    // `sentinel-%i.conf` in a template unit: the name says it, whatever the instance.
    let by_raw_name = found.is_none()
        && process.config_candidates.is_empty()
        && !config.value.contains('$')
        && basename(&config.value)
            .to_ascii_lowercase()
            .contains("sentinel");
    if found.is_none() && !by_raw_name {
        return;
    }
    let program = basename(&line.program.value);
    let what = match found {
        Some(c) if c.value != config.value => format!(
            "`{}`, which is the sentinel config {} in one of its uses,",
            config.value, c.value
        ),
        Some(c) => format!("the sentinel config {}", c.value),
        None => format!("the sentinel config {}", config.value),
    };
    let mut d = Diagnostic::new(
        Rule::SentinelStartedAsPlainServer,
        line.program.span,
        format!(
            "{program} runs {what} without `--sentinel`: it reads the `sentinel` lines as a data node and exits at start (\"sentinel directive while not in sentinel mode\")"
        ),
    )
    .label(config.span, "a sentinel config")
    .help(format!(
        "start it as `redis-sentinel {}` or `{program} {} --sentinel`",
        config.value, config.value
    ))
    .fatal();
    if let Some(set_at) = found.and_then(|c| c.set_at) {
        d = d.label(set_at, "set to a sentinel config here");
    }
    // Safe: adding the flag after the config file runs exactly the file that was meant.
    d = d.with_fix(Fix::safe(
        "add `--sentinel` after the config file",
        vec![Edit::insert(
            Span {
                start: config.span.end,
                ..config.span
            },
            " --sentinel",
        )],
    ));
    if let Some(s) = process.service {
        let service = &ctx.topology.services[s];
        if let Some(exec) = &service.exec_start {
            d = d.label(exec.key, format!("{} runs this command", service.name));
        }
    }
    out.push(d);
}

fn flag_first_or_no_config(ctx: &Context, process: &Process, out: &mut Vec<Diagnostic>) {
    let line = &process.cmdline;
    if line.config.as_ref().is_some_and(|c| c.value != "-") {
        return;
    }
    // `redis-server --sentinel sentinel.conf`: the file comes after the flag.
    let late_file = line
        .option("sentinel")
        .and_then(|o| o.values.first())
        .or(line.stray.first())
        .filter(|v| v.value.ends_with(".conf") || v.value.contains('/'));
    if let (Some(file), Some(flag)) = (late_file, line.sentinel_flag) {
        out.push(
            Diagnostic::new(
                Rule::SentinelStartedAsPlainServer,
                flag,
                format!(
                    "`--sentinel` comes before the config file: only the first argument can be the config file, so {} is not read as one and Sentinel exits at start (\"Sentinel needs config file on disk to save state\")",
                    file.value
                ),
            )
            .label(file.span, "read as an argument of `--sentinel`, not as the config file")
            // Safe: the same two words, in the order Redis reads them.
            .with_fix(Fix::safe(
                "move `--sentinel` after the config file",
                // The two words swap places as they are written (quotes included).
                vec![
                    Edit::replace(flag, ctx.source(file.span.file).slice(file.span).to_string()),
                    Edit::replace(file.span, ctx.source(flag.file).slice(flag).to_string()),
                ],
            ))
            .help(format!(
                "put the config file first: `{} {} --sentinel`",
                basename(&line.program.value),
                file.value
            ))
            .fatal(),
        );
        return;
    }
    let how = if line.config.is_some() {
        "reads its config from standard input"
    } else {
        "has no config file argument"
    };
    out.push(
        Diagnostic::new(
            Rule::SentinelWithoutConfigFile,
            line.program.span,
            format!(
                "this Sentinel {how}: Sentinel must save its state to a file on disk and exits at start with \"Sentinel needs config file on disk to save state. Exiting...\""
            ),
        )
        .help("give a writable sentinel.conf as the first argument: `redis-sentinel /etc/redis/sentinel.conf`")
        .fatal(),
    );
}

fn flag_then_options(ctx: &Context, process: &Process, out: &mut Vec<Diagnostic>) {
    let target = ctx.target;
    let affected = target.flavor == Flavor::Redis
        && target.version >= Version::new(7, 0, 0)
        && target.version <= Version::new(7, 0, 5);
    if !affected {
        return;
    }
    let line = &process.cmdline;
    let (Some(flag), Some(_)) = (line.sentinel_flag, &line.config) else {
        return;
    };
    let Some(next) = line.options.iter().skip_while(|o| o.flag != flag).nth(1) else {
        return;
    };
    out.push(
        Diagnostic::new(
            Rule::SentinelFlagThenOptionsPre706,
            flag,
            format!(
                "on {target}, the options after `--sentinel` are read as arguments of a `sentinel` line: `--{}` makes Sentinel exit at start with \"Unrecognized sentinel configuration statement\" (fixed in 7.0.6)",
                next.name
            ),
        )
        .label(next.flag, "read as part of the `sentinel` line")
        .help(if line.sentinel_by_name {
            "drop `--sentinel`: redis-sentinel is already in sentinel mode"
        } else {
            "move `--sentinel` after the other options, or upgrade to 7.0.6 or newer"
        })
        .fatal(),
    );
}

/// sentinel-state-not-persistent, for a start script (a file of the tree, or a key of a
/// ConfigMap) that writes the sentinel's config afresh and then starts Sentinel on it.
fn rewritten_sentinel_config(ctx: &Context, out: &mut Vec<Diagnostic>) {
    // Sentinels of compose services started by a script: judged with the service.
    let by_compose: std::collections::HashSet<usize> = ctx
        .units
        .compose
        .iter()
        .filter(|u| u.service.start_script.is_some())
        .flat_map(|u| u.sentinels.iter().copied())
        .collect();
    for (i, sentinel) in ctx.topology.sentinels.iter().enumerate() {
        if by_compose.contains(&i) {
            continue;
        }
        let Some(write) = sentinel.runtime.config_rewritten_at_start else {
            continue;
        };
        if sentinel.myid.is_some() {
            continue;
        }
        let ghosts = "every restart makes a sentinel with a new ID and forgets the failover epochs, the other sentinels keep counting the old one, and these ghosts can leave no majority for a failover";
        let help = "write the config only when it does not exist yet (`[ -f \"$conf\" ] || cat > \"$conf\" <<EOF`), on storage that outlives the container, or pin a 40-hex `sentinel myid` per sentinel";
        let mut d = match emptydir_of_rewritten(ctx, i, write) {
            // A script of another file (a ConfigMap key) writing onto the workload's
            // emptyDir: two things to change, and the storage is the workload's.
            Some(mount) => Diagnostic::new(
                Rule::SentinelStateNotPersistent,
                mount,
                format!("the sentinel's config is on an emptyDir, which is empty again whenever the pod is recreated, and its start script writes it afresh at every start, with no `sentinel myid`: {ghosts}"),
            )
            .label(write, "rewritten here at every start"),
            None => Diagnostic::new(
                Rule::SentinelStateNotPersistent,
                write,
                format!("this start script writes the sentinel's config afresh every time it runs, with no `sentinel myid`: {ghosts}"),
            ),
        }
        .help(help);
        if let Some(m) = sentinel.monitors.first() {
            d = d.label(m.line, "the sentinel started on it monitors this master");
        }
        out.push(d);
    }
}

/// The emptyDir mount (in a workload of another file than the script's `write`) that
/// holds the config a Kubernetes sentinel's start script rewrites.
fn emptydir_of_rewritten(ctx: &Context, sentinel: usize, write: Span) -> Option<Span> {
    use crate::facts::service::ConfigRef;
    use crate::formats::workload::VolumeSource;
    ctx.units
        .containers
        .iter()
        .filter(|c| c.file != write.file && c.processes.contains(&ConfigRef::Sentinel(sentinel)))
        .find_map(|c| {
            let k = &c.container;
            k.invocations
                .iter()
                .chain(c.started.iter().map(|(_, inv, _)| inv))
                .filter(|inv| inv.kind == crate::formats::detect::FileKind::SentinelConf)
                .find_map(|inv| {
                    let (path, _) = inv.config.as_ref()?;
                    let mount = k.mount_for(path)?;
                    matches!(mount.source, VolumeSource::EmptyDir)
                        .then(|| Span::new(c.file, mount.span.start, mount.span.end))
                })
        })
}

/// A compose service whose command runs Sentinel on options alone
/// (`redis-server --port 26379 --sentinel`, `redis-sentinel`): no config file to save to.
fn compose_sentinel_without_config(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for unit in ctx.units.compose.iter().filter(|u| !u.sentinels.is_empty()) {
        let s = &unit.service;
        let Some(program) = &s.program_span else {
            continue;
        };
        let scripted = s.start_script.is_some() || s.script_config.is_some() || s.start_unfollowed;
        // An image of its own may wrap the command in an entrypoint that writes a config.
        let known_image = crate::knowledge::images::image_ref(&s.image).is_some();
        if s.config.is_some() || scripted || s.env_settings.is_some() || !known_image {
            continue;
        }
        out.push(
            Diagnostic::new(
                Rule::SentinelWithoutConfigFile,
                Span::new(unit.file, program.start, program.end),
                format!("service `{}` starts Sentinel with no config file argument: Sentinel must save its state to a file on disk and exits at start with \"Sentinel needs config file on disk to save state. Exiting...\"", s.name),
            )
            .help("mount a writable directory with a sentinel.conf and give the file as the first argument: `redis-sentinel /data/sentinel.conf`")
            .fatal(),
        );
    }
}
