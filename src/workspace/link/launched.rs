//! Processes a script of the tree starts by itself, with their settings on the command
//! line: on the host (`redis-server --port 6380 --replicaof 127.0.0.1 6379 --daemonize
//! yes`) or in a container (`docker run -d --name redis-replica redis:7 redis-server
//! --replicaof redis-master 6379`). A container that runs a config of the tree lends
//! that config's process its names and network.

use super::*;
use crate::facts::service::ConfigRef;
use crate::formats::launch::DockerRun;
use crate::model::topology::ConfigMount;
use crate::syntax::redis_conf::Token;

/// The program a container runs: its command's first word when that names a Redis
/// program, else the official image's `redis-server` (its entrypoint puts it in front
/// of a command that is empty, starts with an option or names a `.conf` file).
fn container_program(run: &DockerRun) -> Option<(String, usize)> {
    use crate::knowledge::images::{image_ref, ImageFamily};
    if let Some((first, _)) = run.args.first() {
        let name = crate::syntax::shell::basename(first);
        if crate::knowledge::cmdline::is_redis_program(name) {
            return Some((name.to_string(), 1));
        }
    }
    let image = image_ref(&run.image)?;
    if image.family != ImageFamily::Official {
        return None;
    }
    let implied = match run.args.first() {
        None => true,
        Some((first, _)) => first.starts_with('-') || first.ends_with(".conf"),
    };
    let program = match image.flavor {
        crate::knowledge::Flavor::Valkey => "valkey-server",
        _ => "redis-server",
    };
    implied.then(|| (program.to_string(), 0))
}

/// The words of a command as config tokens, each where it is written.
fn tokens(text: &str, owner: FileId, words: &[(String, std::ops::Range<usize>)]) -> Vec<Token> {
    words
        .iter()
        .map(|(value, range)| Token {
            value: value.as_str().into(),
            range: range.clone(),
            quoted: text
                .get(range.clone())
                .is_some_and(|t| t.starts_with(['"', '\''])),
            owner,
            origin: if compose::spelled(text, range, value) {
                crate::source::Origin::Literal
            } else {
                crate::source::Origin::Implied
            },
        })
        .collect()
}

/// Charts that deploy Redis or Valkey (bitnami's, OpsTree's, DandyDeveloper's, the
/// official Valkey chart): a password their values set is a Redis credential.
const REDIS_CHARTS: &[&str] = &[
    "redis",
    "valkey",
    "redis-cluster",
    "valkey-cluster",
    "redis-ha",
    "redis-replication",
    "redis-sentinel",
];

/// The string values of a values tree under a key that names a password
/// (`auth.password`, `global.redis.password`, `auth.sentinelPassword`).
fn password_leaves(
    node: &crate::syntax::yaml::Node,
    out: &mut Vec<(String, std::ops::Range<usize>)>,
) {
    for (key, value) in node.entries() {
        let Some(key) = key.as_str() else { continue };
        if value.entries().next().is_some() {
            password_leaves(value, out);
        } else if key.to_ascii_lowercase().ends_with("password") {
            if let Some(v) = value.as_str().filter(|v| !v.is_empty()) {
                out.push((v.to_string(), value.span.clone()));
            }
        }
    }
}

impl Workspace {
    /// Adds the data nodes the tree's scripts start with their settings on the command
    /// line, and gives the processes of configs that `docker run` runs their container's
    /// names and network.
    pub(super) fn link_launched(
        &self,
        located: &[(PathBuf, FileId, ConfigRef)],
        host_release: Option<&crate::source::Spanned<crate::knowledge::Target>>,
        nodes: &mut Vec<crate::facts::Node>,
        sentinels: &mut Vec<crate::facts::SentinelProc>,
        mounts: &mut Vec<ConfigMount>,
    ) {
        let scripts: Vec<FileId> = self
            .sorted_ids()
            .into_iter()
            .filter(|id| self.entries[id].parsed().script_flow.is_some())
            .collect();
        if scripts.is_empty() {
            return;
        }
        // Scanning the tree's texts for script names is only needed when some script
        // leaves a server on options running.
        let mut started_elsewhere: Option<HashSet<FileId>> = None;
        for &id in &scripts {
            let source = &self.entries[&id].source;
            let parsed = self.entries[&id].parsed();
            let on_options = parsed.commands.iter().filter(|c| {
                c.background && !c.remote && !c.cmdline.is_sentinel() && c.cmdline.config.is_none()
            });
            for command in on_options {
                // Servers the script leaves running on its host. A script that a
                // container, unit or image runs is that process's start, read there.
                let elsewhere = started_elsewhere
                    .get_or_insert_with(|| self.scripts_started_elsewhere(&scripts));
                if elsewhere.contains(&id) {
                    break;
                }
                let args = command.invocation().args;
                let options = compose::options_conf(id, FileKind::RedisConf, &args, source.text());
                let mut node = options.node(source);
                node.anchor = command.cmdline.program.span;
                node.name = match &node.port {
                    Some(port) => format!("the server on port {} of the script", port.value),
                    None => "the server the script starts".to_string(),
                };
                node.runtime.release = host_release.cloned();
                // A port left to a variable (a loop over ports): any number of them.
                node.runtime.copies_unknown = command
                    .cmdline
                    .value("port")
                    .is_some_and(|p| p.value.contains('$'));
                nodes.push(node);
            }
            for run in parsed.docker_runs.iter().filter(|r| !r.remote) {
                self.link_container_run(id, run, located, nodes, sentinels, mounts);
            }
        }
    }

    /// Passwords written literally on the command lines of the tree's scripts: the
    /// `--requirepass` / `--masterauth` of a Redis server they start (on the host or in
    /// a `docker run`), the password variables a Redis container is given (`-e
    /// REDIS_PASSWORD=…`), and the password a `redis-cli -a` logs in with.
    pub(super) fn command_line_secrets(&self) -> Vec<Span> {
        const OPTIONS: [&str; 2] = ["--requirepass", "--masterauth"];
        let mut out = Vec::new();
        for id in self.sorted_ids() {
            let parsed = self.entries[&id].parsed();
            if parsed.script_flow.is_none() {
                continue;
            }
            let text = self.entries[&id].source.text();
            let literal = |value: &str, at: &std::ops::Range<usize>| {
                let raw = text.get(at.clone()).unwrap_or_default();
                let raw = raw.trim_matches(['"', '\'']);
                !raw.is_empty()
                    && raw == value
                    && !crate::knowledge::values::expands_variable(raw)
                    && !raw.contains(['{', '<'])
            };
            for run in &parsed.docker_runs {
                let redis = container_program(run).is_some()
                    || crate::knowledge::images::image_ref(&run.image).is_some();
                if !redis {
                    continue;
                }
                for pair in run.args.windows(2) {
                    let ((option, _), (value, at)) = (&pair[0], &pair[1]);
                    if OPTIONS.contains(&option.as_str()) && literal(value, at) {
                        out.push(Span::new(id, at.start, at.end));
                    }
                }
                for e in &run.env {
                    let name = e.name.to_ascii_uppercase();
                    let credential = name.contains("PASSWORD")
                        && ["REDIS", "SENTINEL", "VALKEY"]
                            .iter()
                            .any(|n| name.contains(n));
                    let value = e.value.as_deref().unwrap_or_default();
                    if credential && e.literal && literal(value, &e.span) {
                        out.push(Span::new(id, e.span.start, e.span.end));
                    }
                }
            }
            // Client commands: `redis-cli -a PASSWORD …`, `REDISCLI_AUTH=… redis-cli`;
            // `-a $PW` with `PW=…` written out in the script is the same secret.
            let mut assigned: Option<Vec<(String, crate::syntax::shell::Word)>> = None;
            let mut offset = 0;
            for line in text.split_inclusive('\n') {
                let start = offset;
                offset += line.len();
                if !(line.contains("redis-cli") || line.contains("valkey-cli"))
                    || line.trim_start().starts_with('#')
                {
                    continue;
                }
                for r in crate::formats::launch::secret_ranges(line) {
                    let at = start + r.start..start + r.end;
                    let word = &line[r];
                    if literal(word, &at) {
                        out.push(Span::new(id, at.start, at.end));
                        continue;
                    }
                    let Some(name) =
                        crate::syntax::shell::variable_name(word.trim_matches(['"', '\'']))
                    else {
                        continue;
                    };
                    let assigned = assigned.get_or_insert_with(|| {
                        crate::syntax::shell::assignments(&crate::syntax::shell::parse(text))
                    });
                    let mut values = assigned.iter().filter(|(n, _)| n == name);
                    // Assigned once, to a literal: a variable never changed.
                    if let (Some((_, w)), None) = (values.next(), values.next()) {
                        let inner = w.range.clone();
                        let raw = text.get(inner.clone()).unwrap_or_default();
                        let lead = raw.len() - raw.trim_start_matches(['"', '\'']).len();
                        let at = inner.start + lead..inner.start + lead + w.value.len();
                        if !w.value.is_empty() && literal(&w.value, &at) {
                            out.push(Span::new(id, at.start, at.end));
                        }
                    }
                }
            }
            for command in parsed.commands.iter().filter(|c| !c.remote) {
                for name in ["requirepass", "masterauth"] {
                    if let Some(v) = command.cmdline.value(name) {
                        let at = v.span.start as usize..v.span.end as usize;
                        if v.span.file == id && literal(&v.value, &at) {
                            out.push(v.span);
                        }
                    }
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// Literal passwords that scripts give a Redis or Valkey chart on the helm command
    /// line (`helm install … --set auth.password=…`).
    pub(super) fn helm_set_secrets(&self) -> Vec<Span> {
        let mut out = Vec::new();
        for id in self.sorted_ids() {
            let releases = &self.entries[&id].parsed().helm_releases;
            if releases.is_empty() {
                continue;
            }
            let text = self.entries[&id].source.text();
            for release in releases {
                let chart = release.chart.trim_end_matches('/');
                let name = chart.rsplit('/').next().unwrap_or(chart);
                let Some(set) = release
                    .set
                    .as_ref()
                    .filter(|_| REDIS_CHARTS.contains(&name))
                else {
                    continue;
                };
                let mut leaves = Vec::new();
                password_leaves(set, &mut leaves);
                for (value, at) in leaves {
                    let raw = text.get(at.clone()).unwrap_or_default();
                    let raw = raw.trim_matches(['"', '\'']);
                    if raw == value && !crate::knowledge::values::expands_variable(raw) {
                        out.push(Span::new(id, at.start, at.end));
                    }
                }
            }
        }
        out
    }

    /// One `docker run` of a script: a data node of its own when its settings are all on
    /// the command line; the process of the tree's config it mounts and runs otherwise.
    fn link_container_run(
        &self,
        id: FileId,
        run: &DockerRun,
        located: &[(PathBuf, FileId, ConfigRef)],
        nodes: &mut Vec<crate::facts::Node>,
        sentinels: &mut Vec<crate::facts::SentinelProc>,
        mounts: &mut Vec<ConfigMount>,
    ) {
        let source = &self.entries[&id].source;
        let text = source.text();
        // `--name redis-$i` in a loop: one command, any number of containers.
        let names: Vec<String> = run
            .names
            .iter()
            .filter(|n| !n.contains(['$', '`']))
            .cloned()
            .collect();
        let many = run.names.iter().any(|n| n.contains(['$', '`']));
        let netns = (!run.host_network).then(|| (Span::new(id, run.range.start, run.range.end), 0));
        let release = crate::knowledge::images::image_ref(&run.image)
            .and_then(|i| i.release)
            .map(|r| {
                crate::source::Spanned::with_origin(
                    r,
                    Span::new(id, run.image_range.start, run.image_range.end),
                    crate::source::Origin::Implied,
                )
            });
        let name = match names.first() {
            Some(name) => format!("container `{name}`"),
            None => format!("the `{}` container of the script", run.image),
        };
        // A bitnami image on its own start: the config its scripts write from the
        // container's `-e` variables (and the image's defaults).
        let bitnami = run
            .args
            .is_empty()
            .then(|| {
                compose::bitnami_container_conf(id, text, &run.image, &run.env, &run.image_range)
            })
            .flatten();
        // A data node of the container's own, from its settings (the image's, or its
        // command line's), anchored where they are named.
        let container_node = |conf: &ConfFile, at: &std::ops::Range<usize>| {
            let mut node = conf.node(source);
            node.anchor = Span::new(id, at.start, at.end);
            node.name = name.clone();
            node.name_hints = names.clone();
            node.runtime.netns = netns;
            node.runtime.release = release.clone();
            node.runtime.copies_unknown = many;
            node
        };
        if let Some(conf) = bitnami {
            let anchor = Span::new(id, run.image_range.start, run.image_range.end);
            match conf.kind {
                FileKind::RedisConf => nodes.push(container_node(&conf, &run.image_range)),
                FileKind::SentinelConf => {
                    let mut sentinel = conf.sentinel(source);
                    sentinel.anchor = anchor;
                    sentinel.name = name;
                    sentinel.runtime.netns = netns;
                    sentinel.runtime.release = release;
                    sentinel.runtime.copies_unknown = many;
                    sentinels.push(sentinel);
                }
            }
            return;
        }
        let Some((program, skip)) = container_program(run) else {
            return;
        };
        let words = &run.args[skip.min(run.args.len())..];
        let sentinel = program.ends_with("-sentinel")
            || words.first().is_some_and(|(w, _)| w == "--sentinel")
            || words.get(1).is_some_and(|(w, _)| w == "--sentinel");
        let config = words
            .first()
            .filter(|(w, _)| !w.starts_with('-'))
            .map(|(w, _)| w.as_str());
        let Some(config) = config else {
            if sentinel {
                // Sentinel refuses to start without a config file.
                return;
            }
            let options =
                compose::options_conf(id, FileKind::RedisConf, &tokens(text, id, words), text);
            // The program word when the command names one, else the image that implies it.
            let at = match skip {
                1 => &run.args[0].1,
                _ => &run.image_range,
            };
            nodes.push(container_node(&options, at));
            return;
        };
        // The bind mount that brings the config into the container.
        let Some(bind) = run.binds.iter().position(|(_, target)| {
            Path::new(config)
                .strip_prefix(target.trim_end_matches('/'))
                .is_ok()
        }) else {
            return;
        };
        let (host, target) = &run.binds[bind];
        // The host file, as a file of the tree (from the script's folder, or a tree that
        // mirrors the host's `/`), read as every other mount of a script is.
        let host_path = {
            let inside = Path::new(config)
                .strip_prefix(target.trim_end_matches('/'))
                .unwrap_or(Path::new(""));
            let file = match inside.as_os_str().is_empty() {
                true => host.clone(),
                false => format!("{}/{}", host.trim_end_matches('/'), inside.display()),
            };
            match self.mounted_files(self.dir_of(id), &file).as_slice() {
                [one] => Some(one.clone()),
                _ => None,
            }
        };
        let found = host_path.as_ref().and_then(|h| {
            located
                .iter()
                .find(|(path, _, _)| compose::normalize(path) == *h)
                .map(|(_, _, r)| *r)
        });
        match found {
            Some(ConfigRef::Node(n)) => {
                let node = &mut nodes[n];
                node.name_hints.extend(names.iter().cloned());
                node.runtime.netns = node.runtime.netns.or(netns);
                node.runtime.copies_unknown |= many;
            }
            Some(ConfigRef::Sentinel(s)) => {
                let sentinel = &mut sentinels[s];
                sentinel.runtime.netns = sentinel.runtime.netns.or(netns);
                sentinel.runtime.copies_unknown |= many;
            }
            None => {}
        }
        if !sentinel {
            return;
        }
        // The file Sentinel rewrites, as the container has it: a file of its own or the
        // folder that holds it (whether or not the tree holds the file).
        let (entry, read_only) = run.bind_entries[bind].clone();
        let span = |r: &std::ops::Range<usize>| Span::new(id, r.start, r.end);
        let config_file = match found {
            Some(ConfigRef::Sentinel(s)) => Some(sentinels[s].file),
            _ => None,
        };
        mounts.push(ConfigMount {
            owner: names.first().cloned().unwrap_or_else(|| run.image.clone()),
            owner_kind: "container",
            owner_span: span(&run.image_range),
            sentinel: true,
            span: span(&entry),
            config_path_span: words.first().map(|(_, r)| span(r)),
            single_file: Path::new(config) == Path::new(target.trim_end_matches('/')),
            read_only,
            config_file,
            // A host path left to a variable is compared with no other.
            source: host_path
                .unwrap_or_else(|| PathBuf::from(format!("{host}#{}:{}", id.0, entry.start))),
            replicas: 1,
            container_name: names.first().cloned(),
        });
    }

    /// Scripts whose name a Dockerfile, compose file, manifest or unit of the tree
    /// mentions, or that a `kubectl create configmap --from-file` puts into a key: the
    /// start of a container or service, not a script run on a host.
    fn scripts_started_elsewhere(&self, scripts: &[FileId]) -> HashSet<FileId> {
        let mut names: HashMap<&str, Vec<FileId>> = HashMap::new();
        for id in scripts {
            if let Some(name) = self.entries[id]
                .source
                .path
                .file_name()
                .and_then(|n| n.to_str())
            {
                names.entry(name).or_default().push(*id);
            }
        }
        let mut found: HashSet<FileId> = self.keyed_files().iter().map(|k| k.file).collect();
        let separator = |c: char| c.is_whitespace() || "\"'`/=:,;()[]{}<>|&$".contains(c);
        for e in self.entries.values() {
            let parsed = e.parsed();
            if e.shown_only
                || parsed.script_flow.is_some()
                || crate::formats::launch::is_readme(&e.source.path)
                || crate::formats::launch::is_launch_file(&e.source.path)
                || e.whole_conf().is_some()
            {
                continue;
            }
            for word in e.source.text().split(separator) {
                if let Some(ids) = names.get(word) {
                    found.extend(ids.iter().copied());
                }
            }
        }
        found
    }

    /// Host scripts that start every server (or every sentinel) of a folder by its
    /// config file: `redis-sentinel server-6380/sentinel.conf &` for each one. Each gives
    /// (its folder, the kind, the configs it starts). A config of that kind below the
    /// folder that the script does not start is a sample or a base, not a process.
    /// Only scripts that start at least two configs, all of them files of the tree.
    pub(super) fn host_launchers(&self) -> Vec<(PathBuf, FileKind, HashSet<PathBuf>)> {
        let mut out = Vec::new();
        for id in self.sorted_ids() {
            let parsed = self.entries[&id].parsed();
            if parsed.script_flow.is_none() || parsed.commands.is_empty() {
                continue;
            }
            let dir = compose::normalize(self.dir_of(id));
            for kind in [FileKind::RedisConf, FileKind::SentinelConf] {
                let mut started: HashSet<PathBuf> = HashSet::new();
                let mut complete = true;
                for command in &parsed.commands {
                    let sentinel = command.cmdline.is_sentinel();
                    if sentinel != (kind == FileKind::SentinelConf) || command.remote {
                        continue;
                    }
                    let Some(config) = &command.cmdline.config else {
                        continue;
                    };
                    let values: Vec<&str> = match command.candidates.as_slice() {
                        [] => vec![config.value.as_str()],
                        many => many.iter().map(|c| c.value.as_str()).collect(),
                    };
                    for value in values {
                        let path = compose::normalize(&dir.join(value));
                        if value.contains(['$', '`']) || value.starts_with('/') {
                            complete = false;
                        } else if self.file_at(&path).is_some() {
                            started.insert(path);
                        } else {
                            complete = false;
                        }
                    }
                }
                if complete && started.len() >= 2 {
                    out.push((dir.clone(), kind, started));
                }
            }
        }
        out
    }
}
