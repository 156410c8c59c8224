//! Compose services as processes: each service's command, config and environment
//! merged into the config its containers run, one process per copy.

use super::*;

/// What the passes of `build_topology` have made so far: processes, their config
/// mounts, and the files they claim (which are then no processes of their own).
#[derive(Default)]
pub(super) struct Linked {
    pub(super) nodes: Vec<crate::facts::Node>,
    pub(super) sentinels: Vec<crate::facts::SentinelProc>,
    pub(super) mounts: Vec<ConfigMount>,
    pub(super) compose_units: Vec<ComposeUnit>,
    /// Files a process reads as its config (or an `include` pulls in).
    pub(super) included: HashSet<FileId>,
    /// Configs a script writes that a compose service runs: (script, path written).
    pub(super) claimed_written: HashSet<(FileId, Option<String>)>,
}

/// The tree's configs, indexed for the compose pass.
pub(super) struct ConfIndex<'c> {
    /// Configs of the tree by their normalized path.
    pub(super) by_path: &'c HashMap<PathBuf, &'c Arc<ConfFile>>,
    /// Configs that scripts write, by (script, path written).
    pub(super) written_by: &'c HashMap<(PathBuf, String), &'c Arc<ConfFile>>,
    /// Host files the tree's scripts copy: (source, destination).
    pub(super) script_copies: &'c [(PathBuf, PathBuf)],
}

impl Workspace {
    /// Adds the processes of every compose project's services to `out`.
    pub(super) fn link_compose_services(
        &self,
        index: &ConfIndex,
        images: &DockerfileImages,
        out: &mut Linked,
    ) {
        let ConfIndex {
            by_path,
            written_by,
            script_copies,
        } = *index;
        let Linked {
            nodes,
            sentinels,
            mounts,
            compose_units,
            included,
            claimed_written,
        } = out;
        // `--scale SERVICE=N` in the tree's start scripts and Makefiles: (their folder,
        // service, count).
        let scales: Vec<(&Path, &str, usize)> = self
            .sorted_ids()
            .into_iter()
            .flat_map(|id| {
                let dir = self.dir_of(id);
                self.entries[&id]
                    .parsed()
                    .compose_scales
                    .iter()
                    .map(move |(service, n)| (dir, service.as_str(), *n))
            })
            .collect();
        // Compose files laid over another of their folder (`-f base -f override` in a
        // launch command, or the `docker-compose.override.yml` compose reads by itself):
        // a service they share with the base is the base's, not a second process.
        let overrides: HashSet<PathBuf> = self
            .sorted_ids()
            .into_iter()
            .flat_map(|id| {
                let dir = self.dir_of(id);
                self.entries[&id]
                    .parsed()
                    .compose_overrides
                    .iter()
                    .map(move |f| compose::normalize(&dir.join(f)))
            })
            .chain(
                self.sorted_ids()
                    .into_iter()
                    .map(|id| compose::normalize(&self.entries[&id].source.path))
                    .filter(|p| {
                        p.file_name().is_some_and(|n| {
                            let n = n.to_string_lossy();
                            n.contains(".override.")
                                && (n.ends_with(".yml") || n.ends_with(".yaml"))
                        })
                    }),
            )
            .collect();
        // Compose files the tree deploys with `docker stack deploy`.
        let stack_files: Vec<&str> = self
            .sorted_ids()
            .into_iter()
            .flat_map(|id| self.entries[&id].parsed().stack_files.iter())
            .map(String::as_str)
            .collect();
        let stack_names: Vec<(&str, &str)> = self
            .sorted_ids()
            .into_iter()
            .flat_map(|id| self.entries[&id].parsed().stack_names.iter())
            .map(|(file, name)| (file.as_str(), name.as_str()))
            .collect();
        let mut services_in_dir: HashMap<(PathBuf, &str), Vec<FileId>> = HashMap::new();
        for id in self.sorted_ids() {
            if let Some(c) = &self.entries[&id].parsed().compose {
                for s in c.services.iter().chain(&c.others) {
                    services_in_dir
                        .entry((self.dir_of(id).to_path_buf(), s.name.as_str()))
                        .or_default()
                        .push(id);
                }
            }
        }
        // Compose files whose services others extend from another file (`extends:
        // {file: common.yaml, service: sentinel-base}`): building blocks, not projects
        // (unless `docker compose up` reads them by their name).
        let extended_bases: HashSet<PathBuf> = self
            .sorted_ids()
            .into_iter()
            .flat_map(|id| {
                let dir = self.dir_of(id);
                self.entries[&id]
                    .parsed()
                    .compose
                    .iter()
                    .flat_map(|c| c.extends_files.iter())
                    .map(move |f| compose::normalize(&dir.join(f)))
            })
            .collect();
        // Compose files by their normalized path, for `extends: {file: …}`.
        let compose_files: HashMap<PathBuf, FileId> = self
            .sorted_ids()
            .into_iter()
            .filter(|id| self.entries[id].parsed().compose.is_some())
            .map(|id| (compose::normalize(&self.entries[&id].source.path), id))
            .collect();
        for entry in self.sorted_ids().iter().map(|id| &self.entries[id]) {
            let Some(compose_file) = &entry.parsed().compose else {
                continue;
            };
            if extended_bases.contains(&compose::normalize(&entry.source.path))
                && !compose::is_default_project_file(&entry.source.path)
            {
                continue;
            }
            let compose_dir = self.dir_of(entry.source.id);
            let is_override = overrides.contains(&compose::normalize(&entry.source.path));
            let compose_path = compose::normalize(&entry.source.path);
            let stack_deployed = stack_files.iter().any(|tail| compose_path.ends_with(tail));
            // The stacks it is deployed as: each service is reached as `STACK_SERVICE` too.
            let stacks: Vec<&str> = stack_names
                .iter()
                .filter(|(tail, _)| compose_path.ends_with(tail))
                .map(|(_, name)| *name)
                .collect();
            // Services that extend a service of another file which runs a redis program
            // (`extends: {file: common.yml, service: sentinel-base}`): that program.
            let extending: Vec<compose::Service> = compose_file
                .others
                .iter()
                .filter_map(|s| {
                    let ext = s.extends_other.as_ref()?;
                    let base_path = compose::normalize(&compose_dir.join(&ext.file));
                    let base_id = compose_files.get(&base_path)?;
                    let base = self.entries[base_id]
                        .parsed()
                        .compose
                        .as_ref()?
                        .services
                        .iter()
                        .find(|b| b.name == ext.service)?;
                    s.extending(base)
                })
                .collect();
            for service in compose_file.services.iter().chain(&extending) {
                if is_override
                    && services_in_dir
                        .get(&(compose_dir.to_path_buf(), service.name.as_str()))
                        .is_some_and(|files| {
                            files.iter().any(|f| {
                                !overrides
                                    .contains(&compose::normalize(&self.entries[f].source.path))
                            })
                        })
                {
                    continue;
                }
                // An overlay file of the project that gives the service a command of its
                // own (`-f base -f ha`, `docker-compose.override.yml`): that command runs.
                let overlaid;
                let service = match self.overlay_command(
                    compose_dir,
                    &service.name,
                    &services_in_dir,
                    &overrides,
                    is_override,
                ) {
                    Some(over) => {
                        overlaid = compose::Service {
                            kind: over.kind,
                            config: over.config.clone(),
                            options: over.options.clone(),
                            start_script: over.start_script.clone(),
                            script_config: over.script_config.clone(),
                            script_config_appended: over.script_config_appended.clone(),
                            appended_after_template: over.appended_after_template.clone(),
                            substitutions: over.substitutions.clone(),
                            ..service.clone()
                        };
                        &overlaid
                    }
                    None => service,
                };
                // A launch command of the project (beside it, above or below it) scales
                // the service: that many copies run.
                let scaled;
                let service = match scales.iter().rev().find(|(dir, name, _)| {
                    *name == service.name
                        && (compose_dir.starts_with(dir) || dir.starts_with(compose_dir))
                }) {
                    Some(&(_, _, n)) => {
                        let mut s = service.clone();
                        s.replicas = n;
                        s.replicas_known = true;
                        scaled = s;
                        &scaled
                    }
                    None => service,
                };
                let in_stack;
                let service = match stacks.is_empty() {
                    true => service,
                    false => {
                        let mut s = service.clone();
                        for stack in &stacks {
                            s.hostnames
                                .push(format!("{stack}_{}", service.name).to_ascii_lowercase());
                        }
                        in_stack = s;
                        &in_stack
                    }
                };
                let source = self
                    .entries
                    .get(&entry.source.id)
                    .map(|e| &e.source)
                    .unwrap();
                let linked = service.config_source();
                // The config an entrypoint script of the tree writes and then runs.
                let scripted = service
                    .entrypoint_script
                    .as_ref()
                    .and_then(|(script, env)| {
                        let (path, _) = service.config.as_ref()?;
                        let conf = written_by.get(&(script.clone(), path.clone()))?;
                        Some((*conf, env))
                    });
                let conf = linked
                    .as_ref()
                    .and_then(|(path, _, _)| by_path.get(path))
                    // A mounted file the project's scripts copy from one of the tree
                    // (`cp sentinel.conf .sentinel$i.conf`) before `up`.
                    .or_else(|| {
                        let (path, _, _) = linked.as_ref()?;
                        by_path.get(&host_copy_source(script_copies, path)?)
                    })
                    .or_else(|| service.baked_config.as_ref().and_then(|p| by_path.get(p)))
                    .or_else(|| service.template_source().and_then(|p| by_path.get(&p)))
                    .copied()
                    .or_else(|| scripted.map(|(c, _)| c));
                if let Some((c, _)) = scripted.filter(|_| linked.is_none()) {
                    claimed_written.insert((c.file, c.written_to.clone()));
                }
                let mut unit = ComposeUnit {
                    file: source.id,
                    service: crate::formats::compose::Service {
                        swarm: service.swarm || stack_deployed,
                        ..service.clone()
                    },
                    runs_redis: true,
                    nodes: Vec::new(),
                    sentinels: Vec::new(),
                    mount: None,
                };
                if let Some((path, mount, single_file)) = &linked {
                    unit.mount = Some(mounts.len());
                    let span = |r: &std::ops::Range<usize>| Span::new(source.id, r.start, r.end);
                    mounts.push(ConfigMount {
                        owner: service.name.clone(),
                        owner_kind: "service",
                        owner_span: span(&service.name_span),
                        sentinel: service.kind == FileKind::SentinelConf,
                        span: span(&mount.span),
                        config_path_span: service.config.as_ref().map(|(_, r)| span(r)),
                        single_file: *single_file,
                        read_only: mount.read_only,
                        config_file: conf.map(|c| c.file),
                        source: path.clone(),
                        replicas: service.replicas,
                        container_name: service.container_name.clone(),
                    });
                }
                if let Some(conf) = conf {
                    included.insert(conf.file);
                }
                // An `include` names a path of the container: the tree's file behind it,
                // through the service's mounts.
                let mut include_complete = true;
                let spliced = conf.filter(|c| c.includes().next().is_some()).map(|c| {
                    let found = std::cell::RefCell::new(Vec::new());
                    let (merged, complete) = c.with_includes(&|from, path| {
                        let (host, _, _) = service.mounted(path)?;
                        let inner = by_path
                            .get(&host)
                            .copied()
                            .filter(|i| i.file != from.file)?;
                        found.borrow_mut().push(inner.file);
                        Some(inner)
                    });
                    included.extend(found.into_inner());
                    include_complete = complete;
                    merged
                });
                // Redis reads the file, then the command-line options after it.
                let mut lines: Vec<_> = match (conf, &service.script_config) {
                    (Some(_), _) if spliced.is_some() => spliced
                        .as_ref()
                        .map(|m| m.tree.lines.clone())
                        .unwrap_or_default(),
                    (Some(c), _) => c.tree.lines.clone(),
                    (None, Some(written)) => written.lines.clone(),
                    (None, None) => Vec::new(),
                };
                if conf.is_some() {
                    if let Some(appended) = &service.appended_after_template {
                        lines.extend(appended.lines.iter().cloned());
                    }
                }
                // The script's `sed` edits, then the environment fills the variables
                // (`$VAR` of the template, or a placeholder an edit made `${VAR}`).
                if let Some(start) = &service.start_script {
                    apply_edits(&mut lines, &start.edits);
                }
                let env_file = |p: &Path| {
                    self.file_id(p)
                        .or_else(|| self.file_id(&compose::normalize(p)))
                };
                point_at_environment(
                    &mut lines,
                    &service.env,
                    &service.substitutions,
                    source.id,
                    &env_file,
                );
                substitute(&mut lines, &service.substitutions);
                if let Some((_, env)) = scripted.filter(|_| linked.is_none()) {
                    // The shell expanded `$VAR` when it wrote the lines: the value is the
                    // one the service's environment sets.
                    point_at_environment(&mut lines, &service.env, env, source.id, &env_file);
                    substitute(&mut lines, env);
                }
                // Placeholders the built image's start script fills: the service's
                // environment, else the image's `ENV` default.
                if let Some(build) = service.build.as_deref() {
                    let image_env = images.env_by_dockerfile.get(&compose::normalize(build));
                    let env: Vec<(String, String)> = image_env
                        .into_iter()
                        .flatten()
                        .filter(|(k, _)| !service.env.iter().any(|e| &e.name == k))
                        .cloned()
                        .chain(
                            service
                                .env
                                .iter()
                                .filter_map(|e| Some((e.name.clone(), e.value.clone()?))),
                        )
                        .collect();
                    point_at_environment(&mut lines, &service.env, &env, source.id, &env_file);
                    substitute(&mut lines, &env);
                }
                lines.extend(service.options.tree.lines.iter().cloned());
                point_at_env_files(&mut lines, &service.env, source.id, &env_file);
                let (file, kind) = match conf {
                    Some(c) if c.kind == service.kind => (c.file, c.kind),
                    _ => (entry.source.id, service.kind),
                };
                let tree = crate::syntax::redis_conf::ConfTree {
                    lines,
                    errors: Vec::new(),
                    rewrite_marker: None,
                };
                let mut merged = ConfFile::from_tree_keep_owners(file, kind, tree);
                merged.monitor_include = spliced.as_ref().and_then(|m| m.monitor_include);
                // Each copy is a container of its own, unless it shares the host's (or
                // another container's) network.
                // `network_mode: service:OTHER` joins the first copy of OTHER's
                // container (same file), following OTHER's own `service:` to the end:
                // 127.0.0.1 there is that container. A chain that ends on the host's
                // network (or one not read) is no container of its own.
                let by_name = |name: &str| {
                    compose_file
                        .services
                        .iter()
                        .chain(&compose_file.others)
                        .find(|s| s.name == name.trim())
                };
                let mut joined = None;
                let mut mode = service.network_mode.as_deref();
                for _ in 0..8 {
                    let Some(other) = mode
                        .and_then(|m| m.strip_prefix("service:"))
                        .and_then(by_name)
                    else {
                        break;
                    };
                    joined = Some(other);
                    mode = other.network_mode.as_deref();
                }
                let joined = joined.filter(|_| mode.is_none());
                let netns = |copy: usize| match joined {
                    Some(other) => Some((
                        Span::new(source.id, other.name_span.start, other.name_span.end),
                        0,
                    )),
                    None => (service.network_mode.is_none()).then(|| {
                        (
                            Span::new(source.id, service.name_span.start, service.name_span.end),
                            copy as u32,
                        )
                    }),
                };
                for copy in 0..service.replicas {
                    match kind {
                        FileKind::RedisConf => {
                            let mut node = merged.node(source);
                            // A config file the command names but the tree lacks: what the
                            // node sets (a `replicaof`, a password) is unknown.
                            node.complete = (conf.is_some()
                                || service.config.is_none()
                                || service.script_config.is_some())
                                && !service.start_unfollowed
                                && include_complete;
                            node.runtime = service.runtime(source.id);
                            node.runtime.netns = netns(copy);
                            images.complete(
                                &mut node.runtime,
                                service.build.as_deref(),
                                &service.build_args,
                                None,
                            );
                            // A fixed address on a compose network is this container's.
                            node.name_hints = service
                                .hostnames
                                .iter()
                                .chain(&service.static_ips)
                                .cloned()
                                .collect();
                            node.name = format!("service `{}`", service.name);
                            if node.anchor.is_empty() {
                                node.anchor = Span::new(
                                    source.id,
                                    service.name_span.start,
                                    service.name_span.end,
                                );
                            }
                            unit.nodes.push(nodes.len());
                            nodes.push(node);
                        }
                        FileKind::SentinelConf => {
                            let mut sentinel = merged.sentinel(source);
                            // A config file the command names but the tree lacks: what
                            // it monitors is unknown.
                            // Sentinel cannot run without a config file: started with
                            // flags only in an image this tool does not know, the image
                            // brings its own (whose password and monitors are unknown).
                            let image_brings_config = service.config.is_none()
                                && service.script_config.is_none()
                                && service.build.is_none()
                                && crate::knowledge::images::image_ref(&service.image).is_none();
                            sentinel.complete = (conf.is_some()
                                || service.config.is_none()
                                || service.script_config.is_some())
                                && !image_brings_config
                                && !service.start_unfollowed
                                && include_complete;
                            let included = sentinel.runtime.config_monitor_included;
                            sentinel.runtime = service.runtime(source.id);
                            sentinel.runtime.config_monitor_included = included;
                            sentinel.runtime.netns = netns(copy);
                            sentinel.runtime.config_rewritten_at_start =
                                conf.and_then(|c| c.rewritten_at_start).or_else(|| {
                                    let (path, r) = service.config_written_by_file.as_ref()?;
                                    let file = self.file_at(path)?;
                                    Some(Span::new(file, r.start, r.end))
                                });
                            // Lines appended at every start to a file of the container.
                            sentinel.runtime.config_appended_at_start = match conf {
                                Some(c) => c.appended_at_start,
                                None => service
                                    .script_config_appended
                                    .as_ref()
                                    .map(|r| Span::new(source.id, r.start, r.end)),
                            };
                            images.complete(
                                &mut sentinel.runtime,
                                service.build.as_deref(),
                                &service.build_args,
                                None,
                            );
                            // Variables the container has: its `environment:`, and the
                            // `ENV` of the image it builds.
                            let image_env = service
                                .build
                                .as_deref()
                                .and_then(|b| images.env_by_dockerfile.get(&compose::normalize(b)));
                            let has_variable = |name: &str| {
                                service.env.iter().any(|e| e.name == name)
                                    || service.passed_through.iter().any(|n| n == name)
                                    || image_env
                                        .is_some_and(|env| env.iter().any(|(k, _)| k == name))
                            };
                            sentinel.runtime.one_host_of_many = one_host_of_many(
                                &sentinel,
                                service,
                                compose_file,
                                source.id,
                                &|at| {
                                    self.entries.get(&at.file).is_some_and(|e| {
                                        e.source
                                            .text()
                                            .get(at.start as usize..at.end as usize)
                                            .is_some_and(|t| t.contains('$'))
                                    })
                                },
                                &has_variable,
                            );
                            sentinel.name = format!("service `{}`", service.name);
                            if sentinel.anchor.is_empty() {
                                sentinel.anchor = Span::new(
                                    source.id,
                                    service.name_span.start,
                                    service.name_span.end,
                                );
                            }
                            unit.sentinels.push(sentinels.len());
                            sentinels.push(sentinel);
                        }
                    }
                    // Data servers its start script leaves running in the background:
                    // processes of the same container.
                    let background = service
                        .start_script
                        .as_ref()
                        .map_or(&[][..], |s| s.background_servers.as_slice());
                    for args in background {
                        let range = service
                            .start_script
                            .as_ref()
                            .map_or(service.name_span.clone(), |s| s.range.clone());
                        let tokens = implied_tokens(args, &range, source.id);
                        let options = compose::options_conf(
                            source.id,
                            FileKind::RedisConf,
                            &tokens,
                            source.text(),
                        );
                        let mut node = options.node(source);
                        node.runtime = service.runtime(source.id);
                        node.runtime.netns = netns(copy);
                        images.complete(
                            &mut node.runtime,
                            service.build.as_deref(),
                            &service.build_args,
                            None,
                        );
                        node.name = format!("service `{}` (background server)", service.name);
                        node.anchor =
                            Span::new(source.id, service.name_span.start, service.name_span.end);
                        unit.nodes.push(nodes.len());
                        nodes.push(node);
                    }
                }
                compose_units.push(unit);
            }
            for service in &compose_file.others {
                compose_units.push(ComposeUnit {
                    file: entry.source.id,
                    service: service.clone(),
                    runs_redis: false,
                    nodes: Vec::new(),
                    sentinels: Vec::new(),
                    mount: None,
                });
            }
        }
    }
}
