//! Kubernetes workloads: where Sentinel's config lives, how pods pick their role, and
//! whether probes can see what they probe.

use crate::diagnostic::Diagnostic;
use crate::facts::service::ConfigRef;
use crate::formats::detect::FileKind;
use crate::formats::units::{ContainerFacts, Linked};
use crate::formats::workload::{Mount, VolumeSource};
use crate::model::topology::Topology;
use crate::rules::{Context, Rule};
use crate::source::{FileId, Span};
use std::collections::HashSet;

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    check_workloads(ctx, out);
    separate_master_workload(ctx, out);
    literal_passwords(ctx, out);
    for c in &ctx.units.containers {
        for (path, mount, volume, what) in &c.readonly_sentinel_configs {
            // A path written in a start script of another file: the workload's mount is what
            // to change, and the script line is the evidence.
            let (primary, secondary) = if path.file == c.file {
                (*path, (*mount, "mounted here"))
            } else {
                (
                    *mount,
                    (*path, "the start script runs Sentinel on this path"),
                )
            };
            out.push(
                Diagnostic::new(
                    Rule::SentinelConfigReadonlyMount,
                    primary,
                    format!("Sentinel in `{}` runs from a config on {what}, which is read-only: it exits at start (\"Sentinel config file … is not writable\") and the pod crash-loops", c.workload),
                )
                .label(secondary.0, secondary.1)
                .label(*volume, "read-only volume")
                .help("copy the file into an emptyDir (or a PVC, to keep Sentinel's state) in an initContainer, and start Sentinel on the copy")
                .fatal(),
            );
        }
        for (path, mount) in &c.subpath_sentinel_configs {
            out.push(
                Diagnostic::new(
                    Rule::SentinelSubpathFileMount,
                    *path,
                    format!("Sentinel in `{}` runs from a config mounted with `subPath`: that is a file bind mount, so saving its state (rename of a temporary file) fails and is lost at the next restart", c.workload),
                )
                .label(*mount, "subPath mount")
                .help("mount the whole volume as a directory and point Sentinel at the file inside it"),
            );
        }
        // Asking the sentinels first only helps when they remember: sentinels that
        // rebuild their config at every start know no master after a full restart, and
        // the script falls back to its own guess.
        let forgetful = c
            .asks_sentinels
            .then(|| forgetful_sentinel(ctx, c.file))
            .flatten();
        if let (Some(test), true, true) = (
            c.ordinal_test,
            c.runs_server,
            !c.asks_sentinels || forgetful.is_some(),
        ) {
            let line = ctx.source(test.file).text()[test.start as usize..test.end as usize]
                .to_ascii_lowercase();
            let how = if line.contains("ping") && !line.contains("hostname") {
                "by whether pod 0 answers a ping"
            } else {
                "from the pod's own name"
            };
            let mut d = match forgetful {
                Some(rewrite) => Diagnostic::new(
                    Rule::StaticMasterByOrdinal,
                    test,
                    format!("the start script of `{}` asks the sentinels for the master, and when none answers picks it {how}; the sentinels rebuild their config at every start, so after a failover and a restart of everything none knows the master, and the stale pod 0 comes back as master (the newer data is discarded by the resync)", c.workload),
                )
                .label(rewrite, "the sentinels' config, written afresh at every start"),
                None => Diagnostic::new(
                    Rule::StaticMasterByOrdinal,
                    test,
                    format!("the start script of `{}` picks the master {how}: after a failover, a restarted pod 0 comes back as a second master (split brain, then lost writes)", c.workload),
                ),
            };
            if forgetful.is_some() {
                d = d.help("keep the sentinels' state (a PVC for their config, or a pinned `sentinel myid`), or on a cold start ask the other data pods which of them was master (`INFO replication`) instead of picking pod 0");
            } else {
                d = d.help("ask the sentinels first (`redis-cli -p 26379 SENTINEL get-master-addr-by-name <master>`) and start as a replica of the answer; bootstrap as master only when no sentinel knows one");
            }
            out.push(d);
        }
        if c.auth_required {
            let k = &c.container;
            let sentinel_only = k.runs(FileKind::SentinelConf) && !k.runs(FileKind::RedisConf);
            for at in &c.unauthenticated_pings {
                let probe = k
                    .probes
                    .iter()
                    .find(|p| Span::new(c.file, p.span.start, p.span.end) == *at);
                let compares = probe.is_some_and(|p| p.compares_output());
                let to_sentinel = sentinel_only || probe.is_some_and(|p| p.targets_sentinel_port());
                if compares && to_sentinel {
                    continue; // sentinel-probe-wrong-credentials
                }
                let consequence = if compares {
                    "redis-cli prints NOAUTH instead of PONG, so the probe fails every time and the pod never becomes Ready"
                } else {
                    "redis-cli prints NOAUTH and still exits 0, so the probe passes whatever the server's state"
                };
                out.push(
                    Diagnostic::new(
                        Rule::ProbeWithoutAuth,
                        *at,
                        format!("this probe of `{}` runs `redis-cli ping` without credentials while the server requires a password: {consequence}", c.workload),
                    )
                    .help("pass the password through REDISCLI_AUTH (from the Secret) and compare the reply with PONG"),
                );
            }
        }
    }
}

/// Redis passwords written out in a workload's containers (command lines, start
/// scripts, `env` values): one finding per workload, the other places as labels.
fn literal_passwords(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for c in &ctx.units.containers {
        let Some((first, rest)) = c.container.literal_passwords.split_first() else {
            continue;
        };
        let at = |r: &std::ops::Range<usize>| Span::new(c.file, r.start, r.end);
        let mut d = Diagnostic::new(
            Rule::SecretsInPlaintextConfig,
            at(first),
            format!(
                "a literal password is written in workload `{}`{}: the manifest is committed, anyone who can read the workload's spec sees it, and rotating it means editing each copy by hand",
                c.workload,
                if rest.is_empty() { String::new() } else { format!(" (and {} more place(s))", rest.len()) }
            ),
        );
        for r in rest {
            d = d.label(at(r), "another literal password");
        }
        out.push(d.help("keep the password in a Secret and read it into the container with `env[].valueFrom.secretKeyRef` (then `$(REDIS_PASSWORD)` on the command line, or `$REDIS_PASSWORD` in the script)"));
    }
}

/// The rules about workloads, probes and cluster objects (K005–K014, and P007 for pods).
pub fn check_workloads(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    let mut seen_workloads: HashSet<(FileId, usize)> = HashSet::new();
    for c in &ctx.units.containers {
        let k = &c.container;
        let first_of_workload = seen_workloads.insert((c.file, k.pod.name_span.start));
        let invocations = k
            .invocations
            .iter()
            .enumerate()
            .map(|(i, inv)| (c.file, inv, c.linked.get(i).cloned().flatten()))
            .chain(c.started.iter().map(|(f, inv, l)| (*f, inv, l.clone())));
        for (inv_file, inv, linked) in invocations {
            let Some((path, path_range)) = &inv.config else {
                // A data server on options alone (`redis-server --appendonly yes`).
                if let Some(l) = linked.as_ref().filter(|_| inv.kind == FileKind::RedisConf) {
                    data_dir(c, l, out);
                }
                continue;
            };
            let mount = k.mount_for(path);
            let path_span = Span::new(inv_file, path_range.start, path_range.end);
            if inv.kind == FileKind::SentinelConf {
                sentinel_storage(c, path, path_span, mount, linked.as_ref(), out);
            } else if let Some(l) = &linked {
                data_dir(c, l, out);
                cluster_state(topo, c, l, out);
            }
        }
        probes(c, out);
        if first_of_workload {
            workload(ctx, c, out);
        }
        persistence_off(topo, c, out);
    }
    headless_dns(ctx, out);
}

/// Why a sentinel of this container run on `path` keeps no state across a restart (no
/// pinned `myid`, and its config on an emptyDir, on the container's own filesystem, or
/// copied from a template at every start), with the span that shows it.
fn sentinel_forgets(
    c: &ContainerFacts,
    path: &str,
    mount: Option<&Mount>,
    linked: Option<&Linked>,
) -> Option<(&'static str, Option<Span>)> {
    let k = &c.container;
    let span = |r: &std::ops::Range<usize>| Span::new(c.file, r.start, r.end);
    let pinned = linked.is_some_and(|l| l.has_myid)
        || k.script
            .as_ref()
            .is_some_and(|(s, _)| s.to_ascii_lowercase().contains("myid"));
    if pinned {
        return None;
    }
    let copy = k.copy_for(path);
    let by_script = c
        .copied_every_start
        .iter()
        .find(|(p, _)| p == path)
        .map(|(_, at)| *at);
    // A script file of the tree copies the template over the config at every start:
    // whatever the volume, that line loses the state.
    if let Some(at) = by_script.filter(|at| at.file != c.file && copy.is_none()) {
        return Some((
            "copied from its template on every start, overwriting what Sentinel saved",
            Some(at),
        ));
    }
    match (mount.map(|m| &m.source), copy) {
        (Some(VolumeSource::EmptyDir), _) => Some((
            "on an emptyDir, which is empty again whenever the pod is recreated",
            mount.map(|m| span(&m.span)),
        )),
        (None, _) => Some((
            "on the container's own filesystem, which starts fresh with every container",
            None,
        )),
        (_, Some(copy)) if !copy.guarded => Some((
            "copied from its template on every start, overwriting what Sentinel saved",
            Some(span(&copy.span)),
        )),
        (_, None) if by_script.is_some() => Some((
            "copied from its template on every start, overwriting what Sentinel saved",
            by_script,
        )),
        _ => None,
    }
}

fn sentinel_storage(
    c: &ContainerFacts,
    path: &str,
    path_span: Span,
    mount: Option<&Mount>,
    linked: Option<&Linked>,
    out: &mut Vec<Diagnostic>,
) {
    let k = &c.container;
    let span = |r: &std::ops::Range<usize>| Span::new(c.file, r.start, r.end);
    if mount.is_none() {
        if let Some(ro) = &k.read_only_root {
            out.push(
                Diagnostic::new(
                    Rule::SentinelReadonlyRootfs,
                    path_span,
                    format!("Sentinel in `{}` runs from `{path}`, which is on the container's root filesystem, and `readOnlyRootFilesystem` is true: Sentinel cannot write its config and exits at start", c.workload),
                )
                .label(span(ro), "read-only root filesystem")
                .help("mount an emptyDir or a PVC at the config's directory and copy the template there in an initContainer")
                .fatal(),
            );
            return;
        }
    }
    if matches!(
        mount.map(|m| &m.source),
        Some(VolumeSource::ConfigMap(_) | VolumeSource::Secret(_))
    ) || mount.is_some_and(|m| m.read_only)
    {
        return; // sentinel-config-readonly-mount
    }
    // A config its start script writes afresh: reported at the script, once.
    if linked.is_some_and(|l| l.rewritten_at_start) {
        return;
    }
    let Some((why, label)) = sentinel_forgets(c, path, mount, linked) else {
        return;
    };
    // The copy in a script file of the tree: what to change is that line. A path named
    // by a start script of another file: what to change is the workload.
    let in_script = label.filter(|at| at.file != c.file);
    let (primary, path_label) = match in_script {
        Some(at) => (at, Some(span(&k.name_span))),
        None if path_span.file == c.file => (path_span, None),
        None => (span(&k.name_span), Some(path_span)),
    };
    let label = label.filter(|_| in_script.is_none());
    // The bitnami image writes the config itself, under its volume directory.
    let (whose, help) = match k.configured_by_env {
        true => {
            let volume = path.trim_end_matches("/conf/sentinel.conf");
            (
                format!("the config that the image of `{}` writes at `{path}`", c.workload),
                format!("mount a PVC at `{volume}` (a `volumeClaimTemplates` entry of a StatefulSet): the image keeps the config it wrote there and reuses it at every later start"),
            )
        }
        false => (
            format!("the config of the sentinels in `{}`", c.workload),
            "keep the config on a PVC and copy the template only when the file does not exist yet (`test -f … || cp …`), or pin a 40-hex `sentinel myid` per pod".to_string(),
        ),
    };
    let mut d = Diagnostic::new(
        Rule::SentinelStateNotPersistent,
        primary,
        format!("{whose} is {why}, and it has no `sentinel myid`: every restart makes a sentinel with a new ID, the others keep counting the old one, and these ghosts can leave no majority for a failover"),
    )
    .help(help);
    if let Some(label) = label {
        d = d.label(label, "rebuilt here");
    }
    if let Some(at) = path_label {
        let what = match in_script {
            Some(_) => "the sentinel container that runs this script",
            None => "the config its start script runs",
        };
        d = d.label(at, what);
    }
    out.push(d);
}

fn data_dir(c: &ContainerFacts, l: &Linked, out: &mut Vec<Diagnostic>) {
    let k = &c.container;
    if !l.persistence_on {
        return;
    }
    // Without `dir`, Redis saves to its working directory: `/data` in the official
    // images (whose `VOLUME /data` Kubernetes ignores).
    let official = k.image.as_ref().is_some_and(|(image, _)| {
        crate::knowledge::images::image_ref(image)
            .is_some_and(|i| i.family == crate::knowledge::images::ImageFamily::Official)
    });
    let name_span = Span::new(c.file, k.name_span.start, k.name_span.end);
    // The working directory: the container's own, else its image's.
    let workdir = k
        .working_dir
        .clone()
        .or_else(|| c.image_workdir.clone())
        .or_else(|| official.then(|| "/data".to_string()));
    let relative;
    let (dir, dir_span, unset) = match &l.dir {
        Some((dir, span)) if dir.starts_with('/') => (dir.as_str(), span, ""),
        // `dir ./` (the stock redis.conf): the working directory.
        Some((dir, span)) => {
            let Some(base) = &workdir else { return };
            let rest = dir.trim_start_matches("./").trim_end_matches('/');
            relative = match rest {
                "" | "." => base.clone(),
                rest => format!("{}/{rest}", base.trim_end_matches('/')),
            };
            (
                relative.as_str(),
                span,
                " (a relative `dir`: under the working directory)",
            )
        }
        None if k.working_dir.is_none() && (official || c.image_workdir.is_some()) => (
            workdir.as_deref().unwrap_or("/data"),
            &name_span,
            " (`dir` is not set: the image's working directory)",
        ),
        None => return,
    };
    let mount = k.mount_for(dir);
    let where_ = match mount.map(|m| &m.source) {
        Some(VolumeSource::EmptyDir) => "an emptyDir",
        None => "the container's own filesystem",
        _ => return,
    };
    // A claim mounted at another path: the data directory and the mount disagree, and
    // the workload's mount is where that shows.
    let claim = k.mounts.iter().find(|m| {
        matches!(m.source, VolumeSource::Claim(_)) && !dir.starts_with(m.path.trim_end_matches('/'))
    });
    let mut d = match claim {
        Some(claim) => Diagnostic::new(
            Rule::DataDirEphemeral,
            Span::new(c.file, claim.span.start, claim.span.end),
            format!("`{}` mounts its persistent volume at `{}` but saves its data set to `{dir}`{unset}, which is on {where_}: the files vanish when the pod is recreated, and the node comes back empty", c.workload, claim.path),
        )
        .label(*dir_span, "the data directory")
        .help(format!("mount the claim at `{dir}`, or set `dir` to a path under `{}`", claim.path)),
        None => Diagnostic::new(
            Rule::DataDirEphemeral,
            *dir_span,
            format!("`{}` saves its data set to `{dir}`{unset}, which is on {where_}: the files vanish when the pod is recreated, and the node comes back empty", c.workload),
        )
        .help("mount a PersistentVolumeClaim (a volumeClaimTemplate of the StatefulSet) at the data directory"),
    };
    if let Some(m) = mount {
        d = d.label(Span::new(c.file, m.span.start, m.span.end), "mounted here");
    }
    out.push(d);
}

/// cluster-config-file-not-persistent: a cluster node's `nodes.conf` (in `dir`, or at an
/// absolute `cluster-config-file`) on an emptyDir or the container's own filesystem.
/// Unlike the data set, it matters with persistence off too: it is the node's identity.
fn cluster_state(topo: &Topology, c: &ContainerFacts, l: &Linked, out: &mut Vec<Diagnostic>) {
    let Some(node) = c.processes.iter().find_map(|p| match p {
        ConfigRef::Node(n) => Some(&topo.nodes[*n]),
        _ => None,
    }) else {
        return;
    };
    if !node.cluster.is_enabled() {
        return;
    }
    let file = node.cluster.config_file.as_ref();
    let (dir, span) = match (file, &l.dir) {
        (Some(f), _) if f.value.starts_with('/') => {
            let parent = f
                .value
                .rsplit_once('/')
                .map_or("/", |(d, _)| if d.is_empty() { "/" } else { d });
            (parent.to_string(), f.span)
        }
        (_, Some((dir, span))) => (dir.clone(), *span),
        _ => return,
    };
    let k = &c.container;
    let mount = k.mount_for(&dir);
    let where_ = match mount.map(|m| &m.source) {
        Some(VolumeSource::EmptyDir) => "an emptyDir",
        None => "the container's own filesystem",
        _ => return,
    };
    let name = file.map_or("nodes.conf", |f| {
        f.value.rsplit('/').next().unwrap_or("nodes.conf")
    });
    // What to change is the workload's storage: the emptyDir mount, or (nothing
    // mounted) the container, when the config is written in another file.
    let (primary, label) = match mount {
        Some(m) => (
            Span::new(c.file, m.span.start, m.span.end),
            Some((span, "the cluster config file")),
        ),
        None if span.file != c.file => (
            Span::new(c.file, k.name_span.start, k.name_span.end),
            Some((span, "the cluster config file")),
        ),
        None => (span, None),
    };
    let mut d = Diagnostic::new(
        Rule::ClusterConfigFileNotPersistent,
        primary,
        format!("the pods of `{}` keep their cluster state (`{name}`: node ID, peers, slots) in `{dir}`, which is on {where_}: a re-created pod starts as a new node the cluster does not know, and its shard loses a member until someone runs CLUSTER FORGET and MEET by hand", c.workload),
    )
    .help("mount a PersistentVolumeClaim (a volumeClaimTemplate of the StatefulSet) at the directory of the cluster config file");
    if let Some((at, what)) = label {
        d = d.label(at, what);
    }
    out.push(d);
}

fn probes(c: &ContainerFacts, out: &mut Vec<Diagnostic>) {
    let k = &c.container;
    let span = |r: &std::ops::Range<usize>| Span::new(c.file, r.start, r.end);
    let sentinel_only = k.runs(FileKind::SentinelConf) && !k.runs(FileKind::RedisConf);
    let has_startup = k.probes.iter().any(|p| p.kind == "startupProbe");
    let auth_env = k.env.iter().any(|e| e == "REDISCLI_AUTH");
    for p in k.probes.iter().filter(|p| p.pings()) {
        let flagged_noauth = c.auth_required && c.unauthenticated_pings.contains(&span(&p.span));
        // Sentinel does not load a data set: its probes' exit status is what matters.
        if p.kind == "readinessProbe" && !p.compares_output() && !flagged_noauth && !sentinel_only {
            out.push(
                Diagnostic::new(
                    Rule::ProbeExitCodeOnly,
                    span(&p.span),
                    format!("the readiness probe of `{}` trusts redis-cli's exit status, which is 0 for error replies too: the pod is Ready while the server is loading its data or refusing commands", c.workload),
                )
                .help("compare the reply: `[ \"$(redis-cli ping)\" = PONG ]`"),
            );
        }
        if p.kind == "livenessProbe"
            && k.runs(FileKind::RedisConf)
            && p.compares_output()
            && !p.accepts_loading()
            && !has_startup
            && p.budget() < 120
        {
            out.push(
                Diagnostic::new(
                    Rule::LivenessKillsDuringLoading,
                    span(&p.span),
                    format!("the liveness probe of `{}` demands PONG and gives up after about {} s, with no startupProbe: while Redis loads a large data set it answers LOADING, the kubelet kills it, and the reload starts over", c.workload, p.budget()),
                )
                .label(span(&p.key_span), "liveness probe")
                .help("add a startupProbe with a generous failureThreshold, or accept LOADING as alive in the liveness probe"),
            );
        }
        // A probe that sends no password to a sentinel that requires one gets NOAUTH
        // (redis-cli still exits 0); one that compares the reply with PONG then always
        // fails. A password sent to a sentinel without one is harmless: redis-cli reports
        // the failed AUTH on stderr and sends PING anyway (checked with redis-cli 7.0).
        let to_sentinel = p.targets_sentinel_port() || sentinel_only;
        let authenticates = p.authenticates() || (auth_env && sentinel_only);
        if to_sentinel && !authenticates && p.compares_output() {
            let sentinel_link = k
                .invocations
                .iter()
                .zip(&c.linked)
                .find(|(i, _)| i.kind == FileKind::SentinelConf)
                .and_then(|(_, l)| l.as_ref());
            if sentinel_link.is_some_and(|l| l.has_password) {
                out.push(Diagnostic::new(
                    Rule::SentinelProbeWrongCredentials,
                    span(&p.span),
                    format!("this probe of `{}` sends no password, but the sentinel sets `requirepass`: it answers NOAUTH instead of PONG, the probe fails every time and the pod never becomes Ready", c.workload),
                )
                .help("give the probe the sentinel's password through REDISCLI_AUTH (from the Secret)"));
            }
        }
    }
}

fn workload(ctx: &Context, c: &ContainerFacts, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    let k = &c.container;
    let pod = &k.pod;
    let span = |r: &std::ops::Range<usize>| Span::new(c.file, r.start, r.end);
    let siblings: Vec<&ContainerFacts> = ctx
        .units
        .containers
        .iter()
        .filter(|o| o.file == c.file && o.container.pod.name_span == pod.name_span)
        .collect();
    // Whether a container's command line runs Redis; a sentinel may also be what its
    // image's own start runs (a Dockerfile of the tree), linked as its process.
    let runs_redis = siblings.iter().any(|o| !o.container.invocations.is_empty());
    let runs_sentinel = siblings.iter().any(|o| {
        o.container.runs(FileKind::SentinelConf)
            || o.processes
                .iter()
                .any(|p| matches!(p, ConfigRef::Sentinel(_)))
    });
    let runs_server = siblings.iter().any(|o| o.runs_server);
    if !(runs_redis || runs_sentinel) || pod.kind == "Pod" {
        return;
    }
    // pdb-missing
    let ns = k.namespace.clone().unwrap_or_else(|| "default".to_string());
    let ns_known = topo.cluster.namespaces.contains(&ns)
        || topo
            .cluster
            .pdbs
            .iter()
            .any(|(n, _)| n.as_deref().unwrap_or("default") == ns);
    let covered = topo.cluster.pdbs.iter().any(|(n, labels)| {
        n.as_deref().unwrap_or("default") == ns
            && !labels.is_empty()
            && labels.iter().all(|l| pod.labels.contains(l))
    });
    if runs_redis && ns_known && !covered && k.replicas >= 2 {
        out.push(
            Diagnostic::new(
                Rule::PdbMissing,
                span(&pod.name_span),
                format!("no PodDisruptionBudget of namespace `{ns}` selects the pods of `{}`: a node drain or a cluster upgrade may evict several of them at once and lose the master with its replicas, or the sentinels' majority", c.workload),
            )
            .help("add a PodDisruptionBudget with `maxUnavailable: 1` whose selector matches the pod labels"),
        );
    }
    // parallel-pod-management-bootstrap
    if let Some(parallel) = pod.parallel.as_ref().filter(|_| runs_redis) {
        let picks_master = siblings.iter().any(|o| {
            o.runs_server
                && (o.ordinal_test.is_some()
                    || o.asks_sentinels
                    || o.container.script.as_ref().is_some_and(|(s, _)| {
                        let s = s.to_ascii_lowercase();
                        s.contains("replicaof") || s.contains("slaveof")
                    }))
        });
        if picks_master {
            out.push(
                Diagnostic::new(
                    Rule::ParallelPodManagementBootstrap,
                    span(parallel),
                    format!("`{}` starts all its pods at once while their start script decides who is master: on a fresh start none of them finds a master yet, and several elect themselves", c.workload),
                )
                .help("use `podManagementPolicy: OrderedReady` so that pod 0 is up before the others look for a master"),
            );
        }
    }
    // cluster-replica-same-failure-domain
    let cluster_nodes = siblings.iter().any(|o| {
        o.processes
            .iter()
            .any(|p| matches!(p, ConfigRef::Node(n) if topo.nodes[*n].cluster.is_enabled()))
    });
    if runs_redis && cluster_nodes && k.replicas >= 2 && !pod.spread {
        out.push(
            Diagnostic::new(
                Rule::ClusterReplicaSameFailureDomain,
                span(&pod.name_span),
                format!("nothing keeps the {} cluster pods of `{}` on different nodes: the scheduler may place a master and its replica on one node, and losing that node loses the shard (its slots go down with no copy to promote)", k.replicas, c.workload),
            )
            .help("add a required podAntiAffinity on `kubernetes.io/hostname`, or a topologySpreadConstraint with `whenUnsatisfiable: DoNotSchedule` (a preferred anti-affinity is no guarantee)"),
        );
    }
    // sentinels-single-failure-domain: as many pods as run (a build's or a `kubectl
    // scale`'s count over the manifest's).
    let sentinel_pods = siblings
        .iter()
        .map(|o| {
            o.processes
                .iter()
                .filter(|p| matches!(p, ConfigRef::Sentinel(_)))
                .count()
        })
        .max()
        .filter(|n| *n > 0)
        .unwrap_or(k.replicas);
    if runs_sentinel && sentinel_pods >= 2 && !pod.spread {
        let sidecar = runs_server;
        let msg = if sidecar {
            format!("the sentinels of `{}` run beside the data nodes and nothing keeps the {} pods on different nodes: one node failure can take the master and the sentinels' majority together, and no failover happens", c.workload, sentinel_pods)
        } else {
            format!("nothing keeps the {} sentinel pods of `{}` on different nodes: the scheduler may put the majority on one node, and losing it leaves no majority to fail over", sentinel_pods, c.workload)
        };
        out.push(
            Diagnostic::new(Rule::SentinelsSingleFailureDomain, span(&pod.name_span), msg)
                .help("add a required podAntiAffinity on `kubernetes.io/hostname` (or a topologySpreadConstraint with `whenUnsatisfiable: DoNotSchedule`)"),
        );
    }
}

/// persistence-off-with-auto-restart, for pods: Kubernetes restarts every container.
fn persistence_off(topo: &Topology, c: &ContainerFacts, out: &mut Vec<Diagnostic>) {
    let Some(ConfigRef::Node(n)) = c.processes.first() else {
        return;
    };
    let node = &topo.nodes[*n];
    if node.replica_priority.as_ref().is_some_and(|p| p.value == 0)
        || !node.complete
        || !topo.replicated(*n)
    {
        return;
    }
    let (Some(rdb_off), false) = (
        node.persistence.rdb_off,
        node.persistence
            .appendonly
            .as_ref()
            .is_some_and(|a| a.value),
    ) else {
        return;
    };
    out.push(
        Diagnostic::new(
            Rule::PersistenceOffWithAutoRestart,
            rdb_off,
            format!("`{}` keeps no snapshots and no append-only file, and Kubernetes restarts its containers within seconds: a restarted master comes back empty, possibly before {} notices, and its replicas copy the empty data set", c.workload, topo.failure_detector(*n)),
        )
        .label(c.name_span, "restarted automatically by the kubelet")
        .help("enable `appendonly yes` (or RDB snapshots) on a PersistentVolumeClaim"),
    );
}

/// Pod DNS names (`redis-0.redis-headless`, `${HOSTNAME}.redis-headless`) of a headless
/// Service that does not publish not-ready addresses, or of a Service that is not
/// headless at all (no per-pod records: the name never resolves).
fn headless_dns(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let services = &ctx.topology.cluster.services;
    if services.is_empty() {
        return;
    }
    // Manifests: workloads, and the ConfigMaps that hold their configs and scripts.
    let mut files: Vec<FileId> = ctx
        .units
        .containers
        .iter()
        .map(|c| c.file)
        .chain(ctx.confs.values().filter(|c| c.embedded).map(|c| c.file))
        .chain(
            ctx.sources
                .values()
                .filter(|s| crate::formats::detect::is_yaml_path(&s.path))
                .filter(|s| s.text().contains("kind: ConfigMap"))
                .map(|s| s.id),
        )
        .collect();
    files.sort();
    files.dedup();
    // The first pod name written through each Service name: one pass over each file,
    // every `.label` looked up among the Services' names.
    let names: HashSet<&str> = services.iter().map(|s| s.name.as_str()).collect();
    let headless_names: HashSet<&str> = services
        .iter()
        .filter(|s| s.headless)
        .map(|s| s.name.as_str())
        .collect();
    let mut first_use: std::collections::HashMap<&str, Span> = std::collections::HashMap::new();
    for file in &files {
        let Some(source) = ctx.sources.get(file) else {
            continue;
        };
        let text = source.text();
        for (at, _) in text.match_indices('.') {
            let rest = &text[at + 1..];
            let len = rest
                .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '-'))
                .unwrap_or(rest.len());
            let Some(&label) = names.get(&rest[..len]) else {
                continue;
            };
            if first_use.contains_key(label) {
                continue;
            }
            let Some(start) = pod_name_start(&text[..at]) else {
                continue;
            };
            let end = at
                + 1
                + rest
                    .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '-' || ch == '.'))
                    .unwrap_or(rest.len());
            let end = start + text[start..end].trim_end_matches('.').len();
            first_use.insert(label, Span::new(*file, start, end));
        }
    }
    // Pod names built from variables (`$POD.$STS.$NS.svc.cluster.local`): the Service
    // label is the pods' own StatefulSet's, when the tree's StatefulSets name only one.
    // The files that write such a name, found once (usually none).
    let variable_names: Vec<(FileId, Span)> = files
        .iter()
        .filter_map(|f| Some((*f, variable_pod_name(ctx, *f)?)))
        .collect();
    for c in ctx
        .units
        .containers
        .iter()
        .filter(|_| !variable_names.is_empty())
    {
        let pod = &c.container.pod;
        let Some(governing) = pod.service_name.as_deref() else {
            continue;
        };
        if pod.kind != "StatefulSet"
            || !headless_names.contains(governing)
            || first_use.contains_key(governing)
        {
            continue;
        }
        // Its own manifest, and the ConfigMaps it (or an init container) mounts.
        let config_maps: Vec<&str> = c
            .container
            .mounts
            .iter()
            .chain(&pod.init_mounts)
            .filter_map(|m| match &m.source {
                VolumeSource::ConfigMap(name) => Some(name.as_str()),
                _ => None,
            })
            .collect();
        let defines = |f: &FileId| {
            let text = ctx.source(*f).text();
            text.contains("kind: ConfigMap")
                && config_maps
                    .iter()
                    .any(|name| text.contains(&format!("name: {name}\n")))
        };
        let own = variable_names.iter().find(|(f, _)| *f == c.file);
        let found = own
            .or_else(|| variable_names.iter().find(|(f, _)| defines(f)))
            .map(|(_, at)| *at);
        if let Some(at) = found {
            first_use.insert(governing, at);
        }
    }
    let mut reported: HashSet<Span> = HashSet::new();
    for svc in services {
        let Some(&at_name) = first_use.get(svc.name.as_str()) else {
            continue;
        };
        // A Service of that name that is headless somewhere in the tree (another
        // overlay, another environment) may be the one the name means.
        let not_headless = !svc.headless
            && !svc.selector.is_empty()
            && !headless_names.contains(svc.name.as_str());
        if !not_headless && (!svc.headless || svc.publish_not_ready) {
            continue;
        }
        let name = ctx.source(at_name.file).slice(at_name);
        let d = if not_headless {
            // What to change is the Service (each of that name): the finding stands there.
            Diagnostic::new(
                Rule::HeadlessServiceNotReadyDns,
                svc.name_span,
                format!("the Service `{}` is not headless (it has a cluster IP), but `{name}` names one pod through it: Kubernetes publishes no per-pod DNS records for such a Service, so the name never resolves and the processes that use it cannot reach that pod (sentinels do not count a peer they cannot resolve)", svc.name),
            )
            .label(at_name, "a pod's name through this Service")
            .help("make the Service that names the pods headless (`clusterIP: None`, and `publishNotReadyAddresses: true`), the StatefulSet's `serviceName`; keep a separate Service with a cluster IP for clients")
        } else {
            // What to change is the Service (each of that name, one per environment).
            if !reported.insert(svc.name_span) {
                continue;
            }
            Diagnostic::new(
                Rule::HeadlessServiceNotReadyDns,
                svc.name_span,
                format!("the headless Service `{}` does not set `publishNotReadyAddresses: true`, but `{name}` names one of its pods: while that pod is not Ready the name does not resolve, so a starting pod cannot find its peers and may elect itself master", svc.name),
            )
            .label(at_name, "a pod's name through this Service")
            .help("set `publishNotReadyAddresses: true` on the headless Service")
        };
        out.push(d);
    }
}

/// The first cluster DNS name in `file` whose pod and Service labels are both variables
/// (`$POD.$STATEFULSET.$NAMESPACE.svc.cluster.local`, `${HOSTNAME}.${SVC}.svc`): a pod
/// of the script's own StatefulSet, dialled through its governing Service.
fn variable_pod_name(ctx: &Context, file: FileId) -> Option<Span> {
    let text = ctx.source(file).text();
    let is_var = |label: &str| {
        let name = label
            .strip_prefix("${")
            .and_then(|l| l.strip_suffix('}'))
            .or_else(|| label.strip_prefix('$'))?;
        (!name.is_empty()
            && name
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '_'))
        .then_some(())
    };
    for (at, _) in text.match_indices(".svc") {
        let after = &text[at + 4..];
        if after.starts_with(|ch: char| ch.is_ascii_alphanumeric() || ch == '-') {
            continue;
        }
        let start = text[..at]
            .rfind(|ch: char| {
                !(ch.is_ascii_alphanumeric() || matches!(ch, '$' | '{' | '}' | '_' | '-' | '.'))
            })
            .map_or(0, |i| i + 1);
        let labels: Vec<&str> = text[start..at].split('.').collect();
        if labels.len() < 2 || is_var(labels[0]).is_none() || is_var(labels[1]).is_none() {
            continue;
        }
        let end = at
            + 4
            + after
                .strip_prefix(".cluster.local")
                .map_or(0, |_| ".cluster.local".len());
        return Some(Span::new(file, start, end));
    }
    // `${POD}-0.${SVC}`: pod 0 of a StatefulSet through a Service, both named by variables.
    for (at, _) in text.match_indices(".$") {
        let before = &text[..at];
        let digits = before.len() - before.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let head = &before[..before.len() - digits];
        if digits == 0 || !head.ends_with('-') {
            continue;
        }
        let first_end = head.len() - 1;
        let start = head[..first_end]
            .rfind(|ch: char| !(ch.is_ascii_alphanumeric() || matches!(ch, '$' | '{' | '}' | '_')))
            .map_or(0, |i| i + 1);
        let first = &head[start..first_end];
        let rest = &text[at + 1..];
        let len = rest
            .find(|ch: char| !(ch.is_ascii_alphanumeric() || matches!(ch, '$' | '{' | '}' | '_')))
            .unwrap_or(rest.len());
        if is_var(first).is_none() || is_var(&rest[..len]).is_none() {
            continue;
        }
        return Some(Span::new(file, start, at + 1 + len));
    }
    None
}

/// Where the pod name ends at `before`'s end starts: a StatefulSet ordinal
/// (`redis-0`) or the pod's own name from its environment (`${HOSTNAME}`,
/// `$(POD_NAME)`, `$HOSTNAME`).
fn pod_name_start(before: &str) -> Option<usize> {
    let is_name = |ch: char| {
        ch.is_ascii_alphanumeric() || matches!(ch, '-' | '$' | '{' | '}' | '(' | ')' | '_')
    };
    let start = before.rfind(|ch: char| !is_name(ch)).map_or(0, |i| i + 1);
    let word = &before[start..];
    let digits = word.len() - word.trim_end_matches(|ch: char| ch.is_ascii_digit()).len();
    let ordinal = digits > 0 && word[..word.len() - digits].ends_with('-');
    let own_name = ["HOSTNAME", "POD_NAME", "MY_POD_NAME"].iter().any(|v| {
        [format!("${{{v}}}"), format!("$({v})"), format!("${v}")]
            .iter()
            .any(|w| word == w.as_str())
    });
    (ordinal || own_name).then_some(start)
}

/// The master of a watched group runs in a workload of its own ("redis-master"), started
/// as a master every time, while its replicas run in another workload. After a failover
/// Sentinel turns the old master into a replica, but that change lives in a config the
/// pod does not keep (a ConfigMap, a copy made at start, the command line): when the pod
/// is re-created it starts as a master again beside the promoted replica.
fn separate_master_workload(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    let mut seen: HashSet<Span> = HashSet::new();
    for group in &topo.groups {
        let Some(master) = group.master else { continue };
        if !group.has_sentinels() || group.replicas.is_empty() {
            continue;
        }
        let runs = |cf: &&ContainerFacts, n: usize| {
            cf.processes
                .iter()
                .any(|p| matches!(p, ConfigRef::Node(i) if *i == n))
        };
        let Some(cf) = ctx.units.containers.iter().find(|cf| runs(cf, master)) else {
            continue;
        };
        // The other form (a script that picks the role) is reported on its own; a start
        // that asks the sentinels first is right.
        if cf.ordinal_test.is_some() || cf.asks_sentinels || !topo.nodes[master].complete {
            continue;
        }
        // The image's own start script (a file of the tree) may ask them.
        let image_script_asks = cf.started.as_ref().is_some_and(|(file, _, _)| {
            let text = ctx.source(*file).text().to_ascii_lowercase();
            text.contains("get-master-addr-by-name") || text.contains("sentinel master ")
        });
        if image_script_asks {
            continue;
        }
        // Every process of the workload is a master by its config, and the replicas run
        // in other workloads.
        let all_masters = cf.processes.iter().all(|p| match p {
            ConfigRef::Node(i) => topo.nodes[*i].replicaof.is_none(),
            ConfigRef::Sentinel(_) => true,
        });
        // (A replica config no workload runs, such as the file a ConfigMap was made
        // from, says nothing either way.)
        let replicas_elsewhere = group.replicas.iter().all(|&r| !runs(&cf, r))
            && group
                .replicas
                .iter()
                .any(|&r| ctx.units.containers.iter().any(|o| runs(&o, r)));
        if !all_masters || !replicas_elsewhere {
            continue;
        }
        // A config on a volume claim keeps what Sentinel rewrites into it.
        let k = &cf.container;
        let config_path = k
            .invocations
            .iter()
            .find(|i| i.kind == FileKind::RedisConf)
            .and_then(|i| i.config.as_ref())
            .map(|(p, _)| p.as_str());
        let kept = config_path.is_some_and(|path| {
            k.mounts.iter().any(|m| {
                matches!(m.source, VolumeSource::Claim(_))
                    && path.starts_with(&format!("{}/", m.path.trim_end_matches('/')))
            })
        });
        if kept || !seen.insert(cf.name_span) {
            continue;
        }
        let name = group.name.as_deref().unwrap_or("the group");
        let replica_workloads: Vec<String> = ctx
            .units
            .containers
            .iter()
            .filter(|o| group.replicas.iter().any(|&r| runs(o, r)))
            .map(|o| format!("`{}`", o.workload))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        out.push(
            Diagnostic::new(
                Rule::StaticMasterByOrdinal,
                cf.name_span,
                format!("`{}` always starts as the master of `{name}`, in a workload of its own beside its replicas ({}): after a failover, a re-created `{}` pod comes back as a second master (split brain, then lost writes), because the replica role Sentinel gave it is not kept", cf.workload, replica_workloads.join(", "), cf.workload),
            )
            .help("run all data pods from one workload whose start script asks the sentinels for the current master first, and starts as a replica of it (bootstrapping as master only when no sentinel knows one)"),
        );
    }
}

/// A sentinel beside `file` (same folder) that remembers no master across a restart: its
/// start writes its config afresh, or its config is on storage that starts empty, and it
/// pins no `myid`. A span that shows it.
fn forgetful_sentinel(ctx: &Context, file: FileId) -> Option<Span> {
    let dir = ctx.path(file).parent()?;
    let beside = |f: FileId| {
        ctx.sources
            .get(&f)
            .is_some_and(|src| src.path.parent() == Some(dir))
    };
    let rewritten = ctx.topology.sentinels.iter().find_map(|s| {
        let write = s.runtime.config_rewritten_at_start?;
        let near = [s.file, write.file, s.anchor.file].into_iter().any(beside);
        (s.myid.is_none() && near).then_some(write)
    });
    rewritten.or_else(|| {
        ctx.units
            .containers
            .iter()
            .filter(|c| beside(c.file))
            .find_map(|c| {
                let k = &c.container;
                k.invocations
                    .iter()
                    .enumerate()
                    .filter(|(_, inv)| inv.kind == FileKind::SentinelConf)
                    .find_map(|(i, inv)| {
                        let (path, at) = inv.config.as_ref()?;
                        let linked = c.linked.get(i).cloned().flatten();
                        let mount = k.mount_for(path);
                        let (_, label) = sentinel_forgets(c, path, mount, linked.as_ref())?;
                        Some(label.unwrap_or(Span::new(c.file, at.start, at.end)))
                    })
            })
    })
}
