//! docker-compose deployments: who the container runs as, start order, published
//! ports, secrets written into the file and automatic restarts.

use crate::diagnostic::Diagnostic;
use crate::formats::compose::Service;
use crate::formats::units::ComposeUnit;
use crate::rules::{Context, Rule};
use crate::source::{FileId, Span};
use std::collections::BTreeMap;

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for unit in &ctx.units.compose {
        not_writable_by_uid(ctx, unit, out);
        startup_race(ctx, unit, out);
        persistence_restart(ctx, unit, out);
        swarm_task_state(ctx, unit, out);
        baked_config_dir_locked(ctx, unit, out);
        data_dir_ephemeral(ctx, unit, out);
    }
    state_rewritten(ctx, out);
    shared_volume_config(ctx, out);
    secrets(ctx, out);
    config_map_secrets(ctx, out);
}

/// data-dir-ephemeral in compose: a replicated data node that persists (snapshots or
/// AOF) into a directory no volume holds. Outside `/data` of an official image that is
/// the container's own filesystem, gone whenever compose recreates the container (a new
/// image, a changed setting). Inside it, the image's `VOLUME /data` gives an anonymous
/// volume that compose carries over to a recreated container, but a swarm task that is
/// replaced starts with a new, empty one.
fn data_dir_ephemeral(ctx: &Context, unit: &ComposeUnit, out: &mut Vec<Diagnostic>) {
    let s = &unit.service;
    let topo = ctx.topology;
    let Some(&n) = unit.nodes.first() else {
        return;
    };
    let node = &topo.nodes[n];
    let replicated = topo
        .groups_of_node(n)
        .any(|g| g.has_sentinels() || g.nodes().count() > 1);
    if !node.complete || node.persistence.is_off() || !replicated || s.start_unfollowed {
        return;
    }
    let dir_set = node.persistence.dir.as_ref();
    let dir = match dir_set {
        Some(d) if d.value.starts_with('/') => d.value.trim_end_matches('/').to_string(),
        Some(_) => return,
        None if s.image_data_volume => s.working_dir.clone().unwrap_or_else(|| "/data".to_string()),
        None => return,
    };
    if crate::knowledge::values::is_template(&dir) {
        return;
    }
    let under = |target: &str| {
        let t = target.trim_end_matches('/');
        dir == t || dir.starts_with(&format!("{t}/")) || t.is_empty()
    };
    if s.mounts.iter().any(|m| under(&m.target))
        || s.named_volumes.iter().any(|(_, target, _)| under(target))
    {
        return;
    }
    let image_volume = s.image_data_volume && (dir == "/data" || dir.starts_with("/data/"));
    let why = if image_volume {
        if !s.swarm {
            return;
        }
        "on the anonymous volume the image declares for `/data`: a swarm task that is replaced (a failed node, an update) gets a new, empty one"
    } else {
        "on the container's own filesystem: the files are gone whenever the container is recreated (a new image, a changed setting, `docker compose up --force-recreate`)"
    };
    let mut d = Diagnostic::new(
        Rule::DataDirEphemeral,
        span(unit.file, &s.name_span),
        format!("service `{}` saves its data set to `{dir}`{}, {why}, and the node comes back empty: as a master it can hand the empty data set to its replicas", s.name, if dir_set.is_none() { " (`dir` is not set: the image's working directory)" } else { "" }),
    )
    .help(format!("mount a named volume at `{dir}` (`volumes: [\"redis-data:{dir}\"]`)"));
    if let Some(at) = dir_set {
        d = d.label(at.span, "the data directory");
    }
    out.push(d);
}

/// compose-sentinel-shared-config through a named volume: the sentinel's config lives on
/// a volume that several sentinels mount (the copies of a scaled service, or services
/// that name the same volume). Each rewrites the one file with its own state and ID.
fn shared_volume_config(ctx: &Context, out: &mut Vec<Diagnostic>) {
    /// The copies of a service, its name and its entry for the volume.
    type User<'a> = (usize, &'a str, Span);
    let mut users: BTreeMap<(FileId, &str), Vec<User>> = BTreeMap::new();
    for unit in ctx.units.compose.iter().filter(|u| !u.sentinels.is_empty()) {
        let s = &unit.service;
        let config = s
            .config
            .as_ref()
            .map(|(p, _)| p.as_str())
            .or(s.start_script.as_ref().map(|c| c.config.as_str()));
        let Some(config) = config else { continue };
        let on_volume = s.named_volumes.iter().find(|(_, target, _)| {
            config.starts_with(&format!("{}/", target.trim_end_matches('/')))
        });
        if let Some((volume, _, at)) = on_volume {
            users
                .entry((unit.file, volume.as_str()))
                .or_default()
                .push((s.replicas, s.name.as_str(), span(unit.file, at)));
        }
    }
    for ((_, volume), users) in users {
        let total: usize = users.iter().map(|(n, _, _)| n).sum();
        if total < 2 {
            continue;
        }
        let (copies, service, at) = users[0];
        let who = if copies > 1 {
            format!("the {copies} copies of service `{service}`")
        } else {
            format!("service `{service}`")
        };
        let mut d = Diagnostic::new(
            Rule::ComposeSentinelSharedConfig,
            at,
            format!("{total} sentinels keep their config on the one volume `{volume}` ({who} and the others that mount it): each rewrites the same file with its own state and ID, so they overwrite each other, and one that starts from another's saved `sentinel myid` is its twin, never counted"),
        )
        .help("give each sentinel its own volume (one service per sentinel, each with its own named volume), or keep the config off the shared volume");
        for &(_, other, at) in &users[1..] {
            d = d.label(at, format!("also mounted by service `{other}`"));
        }
        out.push(d);
    }
}

/// A sentinel whose start script writes its config afresh at every start, with no
/// `sentinel myid`: each start is a new sentinel to its peers. The finding points at the
/// command that writes the config (in an entrypoint script of the tree, when that is
/// where it is), once for the services that share it.
fn state_rewritten(ctx: &Context, out: &mut Vec<Diagnostic>) {
    // (where, the services with the command that runs a script file, the config)
    type Found<'a> = (Span, Vec<(&'a str, Option<Span>)>, &'a str);
    let mut found: Vec<Found> = Vec::new();
    for unit in &ctx.units.compose {
        let s = &unit.service;
        let Some(script) = &s.start_script else {
            continue;
        };
        // Several sentinels in one container restart together: no peer outlives one
        // to remember the old ID.
        if unit.sentinels.is_empty()
            || !script.rewrites_config
            || script.pins_myid
            || script.resets_peers
            || script.several_sentinels
        {
            continue;
        }
        let at = ctx.topology.sentinels[unit.sentinels[0]]
            .runtime
            .config_rewritten_at_start
            .or(s.command_at)
            .unwrap_or_else(|| span(unit.file, &script.range));
        let command = Some(
            s.command_at
                .unwrap_or_else(|| span(unit.file, &script.range)),
        )
        .filter(|c| c.file != at.file);
        match found.iter_mut().find(|(a, _, _)| *a == at) {
            Some((_, services, _)) => services.push((&s.name, command)),
            None => found.push((at, vec![(&s.name, command)], &script.config)),
        }
    }
    for (at, services, config) in found {
        let who = match services.as_slice() {
            [(one, _)] => format!("service `{one}`"),
            [(first, _), rest @ ..] => format!("service `{first}` (and {} more)", rest.len()),
            [] => continue,
        };
        // In a script file of the tree: the line that writes, and the commands that run it.
        let in_script = services.iter().any(|(_, command)| command.is_some());
        let what = match in_script {
            true => format!("this start script, run by {who}, writes {config}"),
            false => format!("the start command of {who} writes {config}"),
        };
        let mut d = Diagnostic::new(
            Rule::SentinelStateNotPersistent,
            at,
            format!("{what} afresh at every start, with no `sentinel myid`: every restart makes a sentinel with a new ID and forgets the failover epochs, the other sentinels keep counting the old one, and these ghosts can leave no majority for a failover"),
        )
        .help("write the config only when it does not exist yet (`[ -f FILE ] || …`) on a volume that survives the container, or pin a 40-hex `sentinel myid` per sentinel");
        for (name, command) in &services {
            if let Some(command) = command {
                d = d.label(*command, format!("service `{name}` runs it"));
            }
        }
        out.push(d);
    }
}

/// compose-config-not-writable-by-uid for a config the Dockerfile copies into the image:
/// the official entrypoint drops to its unprivileged user, who cannot create the
/// temporary file Sentinel renames over its config in a directory only root may write.
fn baked_config_dir_locked(ctx: &Context, unit: &ComposeUnit, out: &mut Vec<Diagnostic>) {
    let s = &unit.service;
    let Some((dir, file_locked)) = &s.baked_config_dir_locked else {
        return;
    };
    let Some(&first) = unit.sentinels.first() else {
        return;
    };
    let sentinel = &ctx.topology.sentinels[first];
    let release = sentinel.runtime.release.as_ref().map(|r| r.value);
    // Before 6.0.9 a rewrite wrote the file in place: a writable file was enough.
    let renames = release.is_none_or(|r| r.version >= crate::knowledge::Version::new(6, 0, 9));
    if !*file_locked && !renames {
        return;
    }
    let config = s
        .config
        .as_ref()
        .map(|(p, _)| p.as_str())
        .or(s.start_script.as_ref().map(|c| c.config.as_str()))
        .unwrap_or("its config");
    let user = if s.image.contains("valkey")
        || release.is_some_and(|r| r.flavor == crate::knowledge::Flavor::Valkey)
    {
        "valkey"
    } else {
        "redis"
    };
    let how = if s.user_is_image_user {
        "uid 999, from its `user:`"
    } else {
        "uid 999: its entrypoint drops root"
    };
    let service_at = span(unit.file, &s.name_span);
    // The Dockerfile's COPY of the config: what to change, once for every service
    // built from it.
    let copy_at = s.baked_config_copy.as_ref().and_then(|(path, range)| {
        let wanted = crate::formats::compose::normalize(path);
        ctx.sources
            .values()
            .find(|src| crate::formats::compose::normalize(&src.path) == wanted)
            .map(|src| Span::new(src.id, range.start, range.end))
    });
    if let Some(at) = copy_at {
        let earlier = out
            .iter_mut()
            .find(|d| d.rule == Rule::ComposeConfigNotWritableByUid && d.span == at);
        if let Some(earlier) = earlier {
            earlier.related.push(crate::diagnostic::Label::new(
                service_at,
                format!("service `{}` runs it too", s.name),
            ));
            return;
        }
    }
    let who = match copy_at {
        Some(_) => "the sentinel of this image".to_string(),
        None => format!("service `{}`", s.name),
    };
    let runs = if copy_at.is_some() {
        "runs"
    } else {
        "runs Sentinel"
    };
    let mut d = if *file_locked {
        Diagnostic::new(
            Rule::ComposeConfigNotWritableByUid,
            copy_at.unwrap_or(service_at),
            format!("{who} {runs} as the image's `{user}` user ({how}) on `{config}`, which the Dockerfile copies into `{dir}` and leaves to root: Sentinel refuses to start (\"Sentinel config file … is not writable: Permission denied\")"),
        )
        .fatal()
    } else {
        Diagnostic::new(
            Rule::ComposeConfigNotWritableByUid,
            copy_at.unwrap_or(service_at),
            format!("{who} {runs} as the image's `{user}` user ({how}) on `{config}`; the file is its own, but the Dockerfile leaves the directory `{dir}` to root, so every rewrite fails to create its temporary file (\"Could not create tmp config file (Permission denied)\"): the sentinel's ID and what it learns are never saved, and after a restart it is a new sentinel to the others"),
        )
    };
    if copy_at.is_some() {
        d = d.label(service_at, format!("service `{}` runs it", s.name));
    }
    if let Some(r) = &sentinel.runtime.release {
        d = d.label(r.span, "the image");
    }
    out.push(d.help(format!("`chown -R {user}:{user} {dir}` in the Dockerfile (the directory, not only the file), or keep the config under the image's working directory")));
}

/// sentinel-state-not-persistent for a swarm stack: a task that fails, or that swarm
/// moves, is replaced by a new container, so a config kept in the container's own
/// filesystem starts over from the image with a new ID each time.
fn swarm_task_state(ctx: &Context, unit: &ComposeUnit, out: &mut Vec<Diagnostic>) {
    let s = &unit.service;
    if !s.swarm || unit.sentinels.is_empty() {
        return;
    }
    let Some(config) = s
        .config
        .as_ref()
        .map(|(p, _)| p.as_str())
        .or(s.start_script.as_ref().map(|c| c.config.as_str()))
    else {
        return;
    };
    let under = |target: &str| {
        let dir = target.trim_end_matches('/');
        config == dir || config.starts_with(&format!("{dir}/"))
    };
    if s.mounts.iter().any(|m| under(&m.target))
        || s.named_volumes.iter().any(|(_, target, _)| under(target))
    {
        return;
    }
    // A config written afresh at each start is reported at the command that writes it.
    if s.start_script
        .as_ref()
        .is_some_and(|c| c.pins_myid || c.rewrites_config)
        || unit
            .sentinels
            .iter()
            .any(|&i| ctx.topology.sentinels[i].myid.is_some())
    {
        return;
    }
    let copies = if s.replicas > 1 {
        format!("the {} sentinels of service `{}`", s.replicas, s.name)
    } else {
        format!("the sentinel of service `{}`", s.name)
    };
    out.push(
        Diagnostic::new(
            Rule::SentinelStateNotPersistent,
            span(unit.file, &s.name_span),
            format!("{copies} run as swarm tasks and keep their config `{config}` in the container's own filesystem, with no `sentinel myid`: swarm replaces a failed or moved task with a new container that starts from the image's file, so each replacement is a sentinel with a new ID, the others keep counting the old one, and these ghosts can leave no majority for a failover"),
        )
        .help(format!("mount a volume per task at the folder of `{config}` and write the config only when it does not exist yet, or pin a 40-hex `sentinel myid` per sentinel")),
    );
}

fn span(file: FileId, r: &std::ops::Range<usize>) -> Span {
    Span::new(file, r.start, r.end)
}

/// `redis:6.2.6-alpine` → (6, 2, 6); `None` for `latest` or no tag.
fn image_version(image: &str) -> Option<(u32, u32, u32)> {
    let tag = image.rsplit_once(':')?.1;
    let numeric = tag.split('-').next()?;
    let mut parts = numeric.split('.').map(|p| p.parse::<u32>().ok());
    let major = parts.next()??;
    let minor = parts.next().flatten().unwrap_or(99);
    let patch = parts.next().flatten().unwrap_or(99);
    Some((major, minor, patch))
}

/// Official image, `redis-server FILE --sentinel`: the entrypoint drops to uid 999; a
/// bitnami image always runs as uid 1001. Neither can write a host file owned by the user
/// who checked it out.
fn not_writable_by_uid(ctx: &Context, unit: &ComposeUnit, out: &mut Vec<Diagnostic>) {
    let s = &unit.service;
    let (uid, why) = if s.user_is_image_user && s.runs_as_image_user {
        (
            999,
            "runs as the image's `redis` user (uid 999), as its `user:` says",
        )
    } else if s.runs_as_image_user {
        (999, "starts Sentinel as `redis-server … --sentinel`, so the image's entrypoint drops to the `redis` user (uid 999) before starting it")
    } else if s.runs_as_bitnami_user {
        (
            1001,
            "runs a bitnami image, which runs as the non-root uid 1001",
        )
    } else {
        return;
    };
    if unit.sentinels.is_empty() {
        return;
    }
    let Some(m) = unit.mount.map(|i| &ctx.topology.mounts[i]) else {
        return;
    };
    let Some((path, mount, _)) = s.config_source() else {
        return;
    };
    // Read-only mounts are reported as fatal by compose-sentinel-single-file-bind. Before
    // dropping to uid 999 the entrypoint chowns everything under its working directory
    // (`find . \! -user redis -exec chown redis`): `/data`, or `working_dir:`.
    let working_dir = s
        .working_dir
        .as_deref()
        .unwrap_or("/data")
        .trim_end_matches('/');
    let target = mount.target.trim_end_matches('/');
    let chowned = |p: &str| p == working_dir || p.starts_with(&format!("{working_dir}/"));
    if m.read_only || (uid == 999 && chowned(target)) {
        return;
    }
    // Without file modes (the WebAssembly playground) the host file's owner is unknown.
    #[cfg(not(unix))]
    let _ = path;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(meta) = std::fs::metadata(&path) {
            if meta.mode() & 0o002 != 0 || meta.uid() == uid {
                return; // writable by everyone, or already owned by the image's user
            }
        }
    }
    let mut d = Diagnostic::new(
        Rule::ComposeConfigNotWritableByUid,
        m.config_path_span.unwrap_or(m.span),
        format!("service `{}` {why}; a bind-mounted config owned by your host user is not writable by uid {uid} and Sentinel exits (\"not writable: Permission denied\")", s.name),
    )
    .label(m.span, "the config comes from this host path");
    if let Some((_, r)) = &s.config {
        if m.config_path_span != Some(span(unit.file, r)) {
            d = d.label(span(unit.file, r), "config path");
        }
    }
    out.push(d.help(if uid == 999 {
        "start it as `redis-sentinel /path/sentinel.conf` (the entrypoint keeps root), or `chown 999` the host directory, or set `user:` to the owner of the files".to_string()
    } else {
        format!("`chown {uid}` the host directory, or set `user:` to the owner of the files")
    }));
}

/// A sentinel that monitors a compose service by name and starts without waiting for it
/// to be healthy.
fn startup_race(ctx: &Context, unit: &ComposeUnit, out: &mut Vec<Diagnostic>) {
    let s = &unit.service;
    let Some(&first) = unit.sentinels.first() else {
        return;
    };
    let sentinel = &ctx.topology.sentinels[first];
    let old = image_version(&s.image).is_some_and(|v| v < (6, 2, 7));
    for monitor in &sentinel.monitors {
        let host = &monitor.host.value;
        let Some(target) = ctx.units.compose.iter().find(|u| {
            u.file == unit.file && u.service.name != s.name && u.service.answers_to(host)
        }) else {
            continue;
        };
        let dep = s
            .depends_on
            .iter()
            .find(|(n, _, _)| *n == target.service.name);
        let healthy = dep.is_some_and(|(_, c, _)| c.as_deref() == Some("service_healthy"));
        if healthy {
            continue;
        }
        let at = match dep {
            Some((_, _, r)) => span(unit.file, r),
            None if old => monitor.host.span,
            None => continue,
        };
        let consequence = if old {
            "before Redis 6.2.7 a master name that does not resolve yet is fatal at start, so the sentinel exits and restarts in a loop"
        } else {
            "the sentinel starts with an unresolved master and only finds it once the name resolves"
        };
        out.push(
            Diagnostic::new(
                Rule::ComposeStartupRace,
                at,
                format!("service `{}` monitors service `{}` by name but does not wait for it to be healthy: {consequence}", s.name, target.service.name),
            )
            .label(monitor.host.span, "monitored by name here")
            .help(format!("depend on it with `condition: service_healthy` and give `{}` a healthcheck", target.service.name)),
        );
    }
}

/// `restart: always` on a replicated node without persistence.
fn persistence_restart(ctx: &Context, unit: &ComposeUnit, out: &mut Vec<Diagnostic>) {
    let s = &unit.service;
    let Some((policy, r)) = &s.restart else {
        return;
    };
    if !matches!(
        policy.as_str(),
        "always" | "unless-stopped" | "on-failure" | "any"
    ) && !policy.starts_with("on-failure:")
    {
        return;
    }
    let topo = ctx.topology;
    let Some(&n) = unit.nodes.first() else {
        return;
    };
    let node = &topo.nodes[n];
    if !node.complete || !node.persistence.is_off() {
        return;
    }
    if node.replica_priority.as_ref().is_some_and(|p| p.value == 0) {
        return;
    }
    // Services made from one YAML anchor share its `restart:` line: one finding there.
    let at = span(unit.file, r);
    if !topo.replicated(n)
        || out
            .iter()
            .any(|d| d.rule == Rule::PersistenceOffWithAutoRestart && d.span == at)
    {
        return;
    }
    let mut d = Diagnostic::new(
        Rule::PersistenceOffWithAutoRestart,
        span(unit.file, r),
        format!("`restart: {policy}` brings service `{}` back within seconds, and with no snapshots and no append-only file it comes back empty: if it was the master, {} may not notice the restart, its replicas resync from it and the whole data set is wiped", s.name, topo.failure_detector(n)),
    );
    if let Some(off) = node.persistence.rdb_off {
        d = d.label(off, "snapshots disabled here, and appendonly is off");
    }
    out.push(d.help("enable `appendonly yes` (or RDB snapshots), or do not restart a master without persistence automatically"));
}

/// Literal passwords in the configs of Kubernetes ConfigMaps (`requirepass`,
/// `masterauth`, `sentinel auth-pass`): one finding per ConfigMap, every other place a
/// label. A rendered chart's ConfigMap points at the values line.
fn config_map_secrets(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let mut by_map: BTreeMap<(FileId, String), Vec<(Span, String)>> = BTreeMap::new();
    for conf in ctx.all_confs.iter().filter(|c| c.in_config_map) {
        let text = ctx.source(conf.file).text();
        let secrets: std::collections::HashSet<Span> = conf.secret_spans().into_iter().collect();
        let (object, key) = conf.embedded_in.clone().unwrap_or_default();
        for resolved in &conf.lines {
            let line = conf.line(resolved);
            let first = line.tokens.first().map(|t| t.value.to_ascii_lowercase());
            if first.as_deref() == Some("rename-command") {
                continue;
            }
            for token in line.tokens.iter().skip(1) {
                let span = conf.token_span(token);
                if span.file != conf.file {
                    continue;
                }
                let raw = text
                    .get(span.start as usize..span.end as usize)
                    .unwrap_or_default()
                    .trim_matches(['"', '\'']);
                // Hashes (`#…` ACL passwords) and placeholders a script fills are not
                // passwords written out.
                let placeholder = raw.contains(['$', '{', '<'])
                    || raw.starts_with(['#', '!'])
                    || crate::knowledge::values::is_template(raw)
                    // A word a script of the tree replaces with `sed` before Redis reads it.
                    || crate::knowledge::values::is_template(&token.value);
                if secrets.contains(&span) && !raw.is_empty() && !placeholder {
                    by_map
                        .entry((conf.file, object.clone()))
                        .or_default()
                        .push((span, key.clone()));
                }
            }
        }
    }
    for ((_, object), mut found) in by_map {
        found.sort_by_key(|(s, _)| s.start);
        found.dedup();
        let ((first, key), rest) = (&found[0], &found[1..]);
        let mut d = Diagnostic::new(
            Rule::SecretsInPlaintextConfig,
            *first,
            format!(
                "a literal password is written in ConfigMap `{object}` (key `{key}`{}): ConfigMaps are plain text to anyone who can read the namespace and sit in version control, and rotating the password means editing each copy by hand",
                if rest.is_empty() { String::new() } else { format!(", and {} more place(s)", rest.len()) }
            ),
        );
        for (sp, key) in rest {
            d = d.label(*sp, format!("another literal password (key `{key}`)"));
        }
        out.push(d.help("keep the config's passwords in a Secret (mount the config from a Secret, or fill them at start from an environment variable that reads the Secret)"));
    }
}

/// Literal passwords written into compose files (command options and environment).
fn secrets(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let mut by_file: BTreeMap<FileId, Vec<(Span, String)>> = BTreeMap::new();
    for unit in &ctx.units.compose {
        let text = ctx.source(unit.file).text();
        let s: &Service = &unit.service;
        let mut spans: Vec<Span> = s.option_secret_spans();
        // A service that runs no Redis holds a Redis credential only in a variable that
        // says so (`REDIS_PASSWORD` of an application); `POSTGRES_PASSWORD` is not ours.
        let redis_credential = |r: &std::ops::Range<usize>| {
            unit.runs_redis
                || s.env.iter().any(|e| {
                    e.span == *r && {
                        let n = e.name.to_ascii_uppercase();
                        n.contains("REDIS") || n.contains("VALKEY") || n.contains("SENTINEL")
                    }
                })
        };
        spans.extend(
            s.secret_spans
                .iter()
                .filter(|r| redis_credential(r))
                .map(|r| span(unit.file, r)),
        );
        for sp in spans {
            let raw = text
                .get(sp.start as usize..sp.end as usize)
                .unwrap_or_default();
            let raw = raw.trim_matches(['"', '\'']);
            if sp.file != unit.file || raw.is_empty() || raw.contains('$') {
                continue;
            }
            let list = by_file.entry(unit.file).or_default();
            if !list.iter().any(|(x, _)| *x == sp) {
                list.push((sp, s.name.clone()));
            }
        }
    }
    for (_, mut found) in by_file {
        found.sort_by_key(|(s, _)| s.start);
        let (first, owner) = &found[0];
        let mut d = Diagnostic::new(
            Rule::SecretsInPlaintextConfig,
            *first,
            format!(
                "a literal password is written in this compose file (service `{owner}`{}): it ends up in version control and every copy of the file, and rotating it means editing each place by hand",
                if found.len() > 1 { format!(", and {} more place(s)", found.len() - 1) } else { String::new() }
            ),
        );
        for (sp, owner) in &found[1..] {
            d = d.label(*sp, format!("another literal password (service `{owner}`)"));
        }
        out.push(d.help("put the password in a `.env` file kept out of version control (or a Docker secret) and refer to it as `${REDIS_PASSWORD}`"));
    }
}

#[cfg(test)]
mod tests {
    use super::image_version;

    #[test]
    fn image_tags() {
        assert_eq!(image_version("redis:6.2.6-alpine"), Some((6, 2, 6)));
        assert_eq!(image_version("redis:7"), Some((7, 99, 99)));
        assert_eq!(image_version("redis:latest"), None);
        assert_eq!(image_version("redis"), None);
    }
}
