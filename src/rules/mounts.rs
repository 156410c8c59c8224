//! How sentinels get their config file in containers: it must be writable, in a
//! writable directory, and theirs alone.

use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rules::{Context, Rule};
use crate::source::{Origin, Span, Spanned};
use std::collections::BTreeMap;

/// Mount the directory that holds the file instead of the file (writable), and point the
/// command at the file inside it: `./sentinel1.conf:/etc/redis/sentinel.conf:ro` becomes
/// `.:/etc/redis/sentinel1` and `/etc/redis/sentinel1/sentinel1.conf`.
/// Unsafe: the container then sees the whole host directory, and Sentinel rewrites the
/// host file in place.
fn directory_mount_fix(ctx: &Context, volume: Span, config_path: Span) -> Option<Fix> {
    let raw = ctx.source(volume.file).slice(volume);
    // The short syntax only (`SRC:DST[:MODE]` on one line): a long-syntax entry is a
    // mapping, and turning it into a string would change the file's structure.
    if raw.contains('\n') || raw.contains(": ") || raw.trim_end().ends_with(':') {
        return None;
    }
    let quote = raw.chars().next().filter(|c| *c == '"' || *c == '\'');
    let inner = raw.trim_matches(|c| c == '"' || c == '\'');
    let mut parts = inner.splitn(3, ':');
    let (source, target) = (parts.next()?, parts.next()?);
    // A named volume (one that binds a host file through its driver options): its
    // definition, not this entry, says where the file is.
    if !source.starts_with(['.', '/', '~']) {
        return None;
    }
    let (dir, file) = match source.rsplit_once('/') {
        Some(("", file)) => ("/", file),
        Some((dir, file)) => (dir, file),
        None => (".", source),
    };
    let stem = file.trim_end_matches(".conf");
    let target_dir = format!("{}/{stem}", target.rsplit_once('/').map_or("", |(d, _)| d));
    let new_volume = match quote {
        Some(q) => format!("{q}{dir}:{target_dir}{q}"),
        None => format!("{dir}:{target_dir}"),
    };
    Some(Fix::unsafe_(
        format!("mount {dir} at {target_dir} and run {target_dir}/{file}"),
        vec![
            Edit::replace(volume, new_volume),
            // In the quotes the path is written in, if any.
            ctx.replace_value(
                &Spanned::with_origin((), config_path, Origin::Literal),
                format!("{target_dir}/{file}"),
            )?,
        ],
    ))
}

/// The release the sentinel of a config mount runs, when its image (or the Dockerfile
/// it is built from) names one.
fn mount_release(ctx: &Context, mount: usize) -> Option<crate::knowledge::Target> {
    let Some(unit) = ctx.units.compose.iter().find(|u| u.mount == Some(mount)) else {
        // A container a script runs: the release of the sentinel on that file.
        let file = ctx.topology.mounts[mount].config_file?;
        return ctx
            .topology
            .sentinels
            .iter()
            .find(|s| s.file == file)
            .and_then(|s| s.runtime.release.as_ref())
            .map(|r| r.value);
    };
    unit.sentinels
        .iter()
        .find_map(|&s| ctx.topology.sentinels[s].runtime.release.as_ref())
        .map(|r| r.value)
        .or_else(|| crate::knowledge::images::image_ref(&unit.service.image)?.release)
}

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    pinned_id_on_hosts(ctx, out);
    shared_claim(ctx, out);
    let topo = ctx.topology;
    for (i, m) in topo
        .mounts
        .iter()
        .enumerate()
        .filter(|(_, m)| m.sentinel && m.single_file)
    {
        // Before 6.0.9 Sentinel rewrote its config in place (open, write, truncate),
        // which a single-file mount allows; since, it renames a temporary file over it.
        let release = mount_release(ctx, i);
        let renames = release.is_none_or(|r| r.version >= crate::knowledge::Version::new(6, 0, 9));
        if !m.read_only && !renames {
            continue;
        }
        let version = match release {
            Some(r) => format!("{r} from its image"),
            None => "Redis 6.0.9 and later".to_string(),
        };
        let mut d = if m.read_only {
            Diagnostic::new(
                Rule::ComposeSentinelSingleFileBind,
                m.span,
                format!("{} `{}` mounts its sentinel.conf read-only: Sentinel refuses to start (\"Sentinel config file … is not writable\")", m.owner_kind, m.owner),
            )
            .fatal()
        } else {
            Diagnostic::new(
                Rule::ComposeSentinelSingleFileBind,
                m.span,
                format!("{} `{}` bind-mounts its sentinel.conf as a single file: Sentinel ({version}) saves its state by renaming a temporary file over it, which fails on a file mount (\"Device or resource busy\"), so after a restart it forgets failovers, epochs and peers", m.owner_kind, m.owner),
            )
        };
        if let Some(line) = m
            .config_file
            .and_then(|f| ctx.confs.get(&f))
            .and_then(|c| c.tree.lines.first().map(|l| c.line_span(l)))
        {
            d = d.label(
                line,
                format!(
                    "this file is mounted as a single file into {} `{}`",
                    m.owner_kind, m.owner
                ),
            );
        }
        if let Some(path) = m.config_path_span {
            d = d.label(path, "the config path Sentinel rewrites");
            d = d.with_fix_opt(directory_mount_fix(ctx, m.span, path));
        }
        out.push(d.help("mount a directory holding the sentinel.conf (e.g. `./sentinel1:/etc/redis`), one per sentinel, writable"));
    }
    // The same host config for several sentinels (or one service scaled out).
    let mut shared_files: std::collections::HashSet<crate::source::FileId> =
        std::collections::HashSet::new();
    let mut by_source: BTreeMap<&std::path::Path, Vec<usize>> = BTreeMap::new();
    for (i, m) in topo.mounts.iter().enumerate().filter(|(_, m)| m.sentinel) {
        by_source.entry(m.source.as_path()).or_default().push(i);
    }
    for users in by_source.values() {
        // One container name is one container (Docker refuses a second one on a host):
        // projects that both declare it are alternatives, counted once.
        let mut named = std::collections::HashSet::new();
        let users: Vec<usize> = users
            .iter()
            .copied()
            .filter(|&i| match &topo.mounts[i].container_name {
                Some(name) => named.insert(name.as_str()),
                None => true,
            })
            .collect();
        let total: usize = users.iter().map(|&i| topo.mounts[i].replicas).sum();
        if total < 2 {
            continue;
        }
        let first = &topo.mounts[users[0]];
        shared_files.extend(users.iter().filter_map(|&i| topo.mounts[i].config_file));
        let mut d = Diagnostic::new(
            Rule::ComposeSentinelSharedConfig,
            first.span,
            format!("{total} sentinels use this one config file: they overwrite each other's state, and sentinels that start from the same saved `sentinel myid` ignore each other, so fewer sentinels vote than are deployed"),
        )
        .help("give every sentinel its own copy of the config (its own directory)");
        for &i in &users[1..] {
            d = d.label(
                topo.mounts[i].span,
                format!(
                    "also used by {} `{}`",
                    topo.mounts[i].owner_kind, topo.mounts[i].owner
                ),
            );
        }
        out.push(d);
    }
    // Copied configs that carry the same `sentinel myid`.
    let mut by_id: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, s) in topo.sentinels.iter().enumerate() {
        if let Some(id) = s
            .myid
            .as_ref()
            .filter(|id| crate::facts::shared_myid(&id.value))
        {
            by_id
                .entry(id.value.to_ascii_lowercase())
                .or_default()
                .push(i);
        }
    }
    for users in by_id.values().filter(|u| u.len() > 1) {
        let spans: Vec<_> = users
            .iter()
            .map(|&i| topo.sentinels[i].myid.as_ref().unwrap().span)
            .collect();
        let distinct_places = spans
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        if distinct_places < 2 {
            // One config run several times: a shared host file is reported above; copies
            // of it (pods of one workload, containers of one image) all start with the
            // id it pins.
            if shared_files.contains(&spans[0].file) {
                continue;
            }
            let mut d = Diagnostic::new(
                Rule::ComposeSentinelSharedConfig,
                spans[0],
                format!("{} sentinels start from this config, and it pins one `sentinel myid` for all of them: each ignores hello messages carrying its own id, so they never see each other and the majority is counted short", users.len()),
            )
            .help("remove `sentinel myid` from the template (Sentinel generates a unique id), or write a different 40-hex id per sentinel when its config is first created");
            if let Some(declared) = topo.sentinels[users[0]].runtime.declared {
                d = d.label(declared, "copies of one sentinel");
            }
            out.push(d);
            continue;
        }
        let mut d = Diagnostic::new(
            Rule::ComposeSentinelSharedConfig,
            spans[1],
            "this sentinel has the same `sentinel myid` as another one: each ignores hello messages carrying its own id, so the twins never see each other and the majority is counted short",
        )
        .help("remove `sentinel myid` (and the other generated state lines) from copied configs; Sentinel generates a unique id");
        d = d.label(spans[0], "the same id here");
        out.push(d);
    }
}

/// The one sentinel config of a group, pinning `sentinel myid`, started on hosts by a
/// unit or a script of the tree (no container, no manifest), with a quorum that needs
/// several sentinels: every host it is installed on starts a sentinel with that same
/// id, and each ignores the hellos that carry its own id, so they never meet.
fn pinned_id_on_hosts(ctx: &Context, out: &mut Vec<Diagnostic>) {
    use crate::facts::service::ConfigRef;
    let topo = ctx.topology;
    for group in topo
        .groups
        .iter()
        .filter(|g| g.sentinel_count.known().is_none())
    {
        let sentinels: std::collections::BTreeSet<usize> =
            group.monitors.iter().map(|r| r.sentinel).collect();
        let [i] = sentinels.into_iter().collect::<Vec<_>>()[..] else {
            continue;
        };
        let sentinel = &topo.sentinels[i];
        let (_, monitor) = topo.monitor(group.monitors[0]);
        let Some(myid) = &sentinel.myid else { continue };
        let on_host = sentinel.runtime.config_installed_by.is_some()
            || topo
                .processes
                .iter()
                .any(|p| p.service.is_none() && p.config == Some(ConfigRef::Sentinel(i)));
        let in_container = sentinel.runtime.declared.is_some()
            || sentinel.runtime.netns.is_some()
            || sentinel.runtime.managed_by.is_some();
        if !on_host || in_container || monitor.quorum.value < 2 {
            continue;
        }
        let mut d = Diagnostic::new(
                Rule::ComposeSentinelSharedConfig,
                myid.span,
                format!("this is the only sentinel config of `{}` and it pins `sentinel myid`, while its quorum of {} needs several sentinels: every host that runs it starts a sentinel with this same id, each ignores the hellos carrying its own id, so they never see each other and no majority forms", group.name.as_deref().unwrap_or_default(), monitor.quorum.value),
            )
            .label(monitor.quorum.span, "a quorum of several sentinels")
            .help("remove the `sentinel myid` line (each sentinel generates its own id on first start and saves it), or give each host a config with its own 40-hex id");
        if let Some(at) = sentinel.runtime.config_installed_by {
            d = d.label(at, "installed on a host here");
        }
        out.push(d);
    }
}

/// Sentinel containers of several pods (a workload's replicas, or several workloads of one
/// folder and namespace) that run their config from one named PersistentVolumeClaim, at
/// the same place in it: one file for all of them, as with one host file in compose.
/// A volumeClaimTemplate gives each pod a claim of its own and is not this.
fn shared_claim(ctx: &Context, out: &mut Vec<Diagnostic>) {
    use crate::formats::detect::FileKind;
    use crate::formats::workload::VolumeSource;
    type Key<'a> = (
        Option<&'a std::path::Path>,
        Option<&'a str>,
        &'a str,
        Option<&'a str>,
        String,
    );
    let mut by_claim: BTreeMap<Key, Vec<(Span, &str, usize)>> = BTreeMap::new();
    let mut seen = std::collections::HashSet::new();
    for c in &ctx.units.containers {
        let k = &c.container;
        let dir = ctx.source(c.file).path.parent();
        // One workload read twice (two files of one build) is one set of pods.
        if !seen.insert((
            dir,
            k.namespace.as_deref(),
            k.workload.as_str(),
            k.name_span.clone(),
        )) {
            continue;
        }
        let invocations = k
            .invocations
            .iter()
            .chain(c.started.as_ref().map(|(_, inv, _)| inv));
        for inv in invocations.filter(|i| i.kind == FileKind::SentinelConf) {
            let Some((path, _)) = &inv.config else {
                continue;
            };
            let Some(m) = k.mount_for(path) else { continue };
            let VolumeSource::Claim(Some(claim)) = &m.source else {
                continue;
            };
            let inside = path[m.path.trim_end_matches('/').len().min(path.len())..].to_string();
            let key = (
                dir,
                k.namespace.as_deref(),
                claim.as_str(),
                m.sub_path.as_deref(),
                inside,
            );
            let at = Span::new(c.file, m.span.start, m.span.end);
            by_claim
                .entry(key)
                .or_default()
                .push((at, k.workload.as_str(), k.replicas));
        }
    }
    for ((_, _, claim, _, _), users) in &by_claim {
        let total: usize = users.iter().map(|(_, _, n)| n).sum();
        if total < 2 {
            continue;
        }
        let workloads: Vec<String> = users.iter().map(|(_, w, _)| format!("`{w}`")).collect();
        let mut d = Diagnostic::new(
            Rule::ComposeSentinelSharedConfig,
            users[0].0,
            format!("{total} sentinels (pods of {}) run one config file on the PersistentVolumeClaim `{claim}`: they overwrite each other's state, and sentinels that start from the same saved `sentinel myid` ignore each other, so fewer sentinels vote than are deployed", workloads.join(", ")),
        )
        .help("give each sentinel pod a claim of its own (a volumeClaimTemplate of its StatefulSet), or a config path of its own in the claim");
        for (at, workload, _) in &users[1..] {
            d = d.label(*at, format!("the same claim, in `{workload}`"));
        }
        out.push(d);
    }
}
