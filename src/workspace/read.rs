//! Reading one file: which formats it holds and what each yields.

use super::*;

impl Entry {
    pub(super) fn parsed(&self) -> &Parsed {
        self.parsed.get_or_init(|| {
            let mut parsed = self.read_formats();
            // Run-time `SENTINEL SET`s: in scripts, manifests, compose files, programs;
            // never in a config file (the parser refuses them there).
            if parsed
                .confs
                .iter()
                .all(|c| c.embedded || c.written_to.is_some())
                && !self.shown_only
                && !crate::settings::is_config_file(&self.source.path)
                && !crate::formats::launch::is_readme(&self.source.path)
                && !crate::formats::launch::is_host_provisioning(&self.source.path)
                && !crate::formats::compose::is_env_file(&self.source.path)
            {
                parsed.runtime_sets =
                    crate::formats::runtime_commands::find(self.source.id, self.source.text());
                parsed.cluster_creates =
                    crate::formats::cluster_create::find(self.source.id, self.source.text());
                parsed.sed_placeholders =
                    crate::formats::placeholders::sed_placeholders(self.source.text());
                if crate::formats::detect::is_yaml_path(&self.source.path) {
                    parsed.sed_placeholders.extend(
                        crate::formats::placeholders::ansible_replacements(self.source.text()),
                    );
                }
                parsed.envsubst_inputs =
                    crate::formats::placeholders::envsubst_inputs(self.source.text());
                parsed.appended_inputs =
                    crate::formats::placeholders::appended_inputs(self.source.text());
                parsed.compose_scales = crate::formats::launch::compose_scales(self.source.text());
                parsed.keys_from_files =
                    crate::formats::launch::keys_from_files(self.source.text());
                parsed.kubectl_scales = crate::formats::launch::kubectl_scales(self.source.text());
                parsed.kubectl_deleted_pods =
                    crate::formats::launch::kubectl_deleted_pods(self.source.text());
                parsed.docker_runs = crate::formats::launch::docker_runs(self.source.text());
                parsed.docker_builds = crate::formats::launch::docker_builds(self.source.text());
                parsed.compose_overrides =
                    crate::formats::launch::compose_overrides(self.source.text());
                parsed.stack_files = crate::formats::launch::stack_files(self.source.text());
                parsed.stack_names = crate::formats::launch::stack_names(self.source.text());
                parsed.monitor_on_command_line =
                    crate::formats::launch::passes_monitor(self.source.text());
                if let Some(compose) = &parsed.compose {
                    parsed.cluster_creates.extend(
                        crate::formats::compose::bitnami_cluster_creates(
                            self.source.id,
                            self.source.text(),
                            compose,
                        ),
                    );
                }
            }
            parsed
        })
    }

    /// What the file holds in each format it can be read as.
    fn read_formats(&self) -> Parsed {
        let source = &self.source;
        // redis-halint.toml files are settings, validated on their own.
        if self.shown_only || crate::settings::is_config_file(&source.path) {
            return Parsed::default();
        }
        if let Some(kind) = unit_kind(&source.path) {
            let path = source.path.to_string_lossy();
            return Parsed {
                units: vec![Arc::new(UnitFile::parse(
                    source.id,
                    &path,
                    kind,
                    source.text(),
                ))],
                ..Parsed::default()
            };
        }
        // An ACL file (`aclfile users.acl`): read by the nodes that name it (see
        // `acl_file_passwords`); here only where its password rules are, to mask them.
        if crate::formats::conf::is_acl_file(&source.path) {
            let tree = crate::syntax::redis_conf::parse(source.text());
            let users = ConfFile::from_tree(source.id, FileKind::RedisConf, tree);
            return Parsed {
                secret_spans: users.secret_spans(),
                acl_default_password: users.default_user_password(),
                ..Parsed::default()
            };
        }
        // An env file (`.env`): read by the compose files that name it; here only where
        // its passwords are, to mask them wherever a finding shows the file.
        if crate::formats::compose::is_env_file(&source.path) {
            return Parsed {
                secret_spans: crate::formats::compose::env_file_secret_ranges(source.text())
                    .into_iter()
                    .map(|r| Span::new(source.id, r.start, r.end))
                    .collect(),
                ..Parsed::default()
            };
        }
        // A provisioning file (Vagrantfile, Salt state, Puppet manifest): only that it
        // is there (see `Units::hosts_provisioned`).
        let secret_spans = || -> Vec<Span> {
            crate::formats::launch::secret_ranges(source.text())
                .into_iter()
                .map(|r| Span::new(source.id, r.start, r.end))
                .collect()
        };
        if crate::formats::launch::is_host_provisioning(&source.path) {
            // A finding may point into a Vagrantfile (a forwarded port).
            return Parsed {
                secret_spans: secret_spans(),
                ..Parsed::default()
            };
        }
        // A README: only how it says to scale the compose project.
        if crate::formats::launch::is_readme(&source.path) {
            return Parsed {
                compose_scales: crate::formats::launch::compose_scales(source.text()),
                keys_from_files: crate::formats::launch::keys_from_files(source.text()),
                kubectl_scales: crate::formats::launch::kubectl_scales(source.text()),
                kubectl_deleted_pods: crate::formats::launch::kubectl_deleted_pods(source.text()),
                docker_builds: crate::formats::launch::docker_builds(source.text()),
                // A finding may point at a command in it (`kubectl scale`).
                secret_spans: secret_spans(),
                ..Parsed::default()
            };
        }
        // Makefiles: only their commands are read (see `parsed`).
        if crate::formats::launch::is_launch_file(&source.path) {
            return Parsed::default();
        }
        if crate::formats::dockerfile::is_dockerfile(&source.path) {
            return Parsed {
                dockerfile: Some(crate::formats::dockerfile::read(source.text())),
                ..Parsed::default()
            };
        }
        if crate::formats::kustomize::is_kustomization(&source.path) {
            let yaml = yaml::parse(source.text());
            let kustomization = crate::formats::kustomize::read(source.id, source.text(), &yaml);
            // A generated Secret is a Secret of the deployment: its values are compared
            // with the passwords that reference them, and masked wherever shown.
            let mut cluster = crate::facts::cluster::Cluster::default();
            let mut secret_spans = Vec::new();
            for (name, key, value, at) in &kustomization.secret_literals {
                cluster.secrets.push((
                    name.clone(),
                    key.clone(),
                    crate::facts::Password::from_value(value),
                ));
                secret_spans.push(Span::new(source.id, at.start, at.end));
            }
            // Passwords of inline patches (already at their places in this file).
            for patch in &kustomization.patches {
                if let crate::formats::kustomize::Patch::Object(p) = patch {
                    let mut values = Vec::new();
                    crate::formats::units::password_values(&p.doc, &mut values);
                    secret_spans.extend(
                        values
                            .into_iter()
                            .map(|v| Span::new(source.id, v.span.start, v.span.end)),
                    );
                }
            }
            return Parsed {
                kustomization: Some(kustomization),
                cluster,
                secret_spans,
                yaml_error: yaml.error,
                ..Parsed::default()
            };
        }
        if is_yaml(&source.path) {
            let yaml = yaml::parse(source.text());
            let confs = embedded_configs(source.id, &source.path, source.shared_text(), &yaml)
                .into_iter()
                .map(Arc::new)
                .collect();
            let compose = compose::read(source.id, &source.path, source.text(), &yaml);
            let containers = workload::containers(source.text(), &yaml);
            // Configs that start scripts write with here-documents, once each (every
            // container of a pod carries its initContainers' writes).
            let mut confs: Vec<Arc<ConfFile>> = confs;
            let mut seen = HashSet::new();
            for c in &containers {
                for w in c.written.iter().chain(&c.pod.init_written) {
                    if seen.insert(w.source.clone()) {
                        let mut conf = ConfFile::from_tree(source.id, w.kind, w.tree.clone());
                        conf.embedded = true;
                        conf.embedded_in = Some(w.source.clone());
                        confs.push(Arc::new(conf));
                    }
                }
            }
            // Start scripts kept in ConfigMaps: their configs and commands.
            let mut commands = Vec::new();
            let mut script_secrets = Vec::new();
            let mut script_starts = Vec::new();
            let mut script_copies = Vec::new();
            let mut script_appends = Vec::new();
            let mut script_roles = Vec::new();
            let mut script_replication = Vec::new();
            for (key, script) in
                crate::formats::kubernetes::embedded_scripts(source.id, source.text(), &yaml)
            {
                script_copies.extend(script.copies.iter().map(|c| (key.clone(), c.clone())));
                if script.speaks_of_replication {
                    script_replication.push(key.clone());
                }
                if let Some((test, asks)) = script.role_by_ordinal {
                    let server = script.commands.last().is_some_and(|c| {
                        c.invocation().kind == crate::formats::detect::FileKind::RedisConf
                    });
                    script_roles.push((key.clone(), test, asks, server));
                }
                script_appends.extend(
                    script
                        .appended_after_copy
                        .into_iter()
                        .map(|(path, tree)| (key.clone(), path, tree)),
                );
                if let Some(start) = script
                    .commands
                    .last()
                    .map(script::ScriptCommand::invocation)
                {
                    script_starts.push((key, start));
                }
                confs.extend(script.confs.into_iter().map(Arc::new));
                commands.extend(script.commands);
                script_secrets.extend(script.secret_spans);
            }
            let resources = crate::formats::kubernetes::resources(source.id, source.text(), &yaml);
            let values_sources =
                crate::formats::kubernetes::values_sources(source.id, source.text(), &yaml);
            let mut cluster = crate::facts::cluster::Cluster::default();
            crate::formats::kubernetes::cluster(source.id, &yaml, &mut cluster);
            let mut secret_spans =
                crate::formats::kubernetes::secret_value_spans(source.id, source.text(), &yaml);
            secret_spans.extend(script_secrets);
            // Provisioning variables (`redis_password: …` at the top of an Ansible
            // variables file): shown masked wherever a finding quotes them.
            if let Some(yaml::Kind::Map(entries)) = yaml.documents.first().map(|d| &d.kind) {
                for (key, value) in entries {
                    if key
                        .as_str()
                        .is_some_and(crate::formats::units::is_password_variable)
                        && value.as_str().is_some_and(|v| !v.is_empty())
                    {
                        secret_spans.push(Span::new(source.id, value.span.start, value.span.end));
                    }
                }
            }
            // A file may be a Kustomize patch of a release: its passwords too.
            secret_spans.extend(
                crate::formats::kustomize::patch_secret_spans(&yaml)
                    .into_iter()
                    .map(|r| Span::new(source.id, r.start, r.end)),
            );
            let client_master_names =
                crate::formats::kubernetes::client_master_names(source.id, &yaml);
            let client_secrets =
                crate::formats::client_secrets::client_secrets(source.id, source.text(), &yaml);
            secret_spans.extend(client_secrets.iter().map(|s| s.span));
            let config_map_values = crate::formats::kubernetes::config_map_values(source.id, &yaml);
            return Parsed {
                secret_spans,
                client_master_names,
                config_map_values,
                client_secrets,
                commands,
                script_starts,
                script_copies,
                script_appends,
                script_roles,
                script_replication,
                config_objects: crate::formats::kubernetes::config_object_names(&yaml),
                cluster,
                confs,
                yaml_error: yaml.error,
                compose,
                containers,
                resources,
                values_sources,
                ..Parsed::default()
            };
        }
        if is_script(&source.path, source.text()) {
            let script = script::read(source.id, source.shared_text());
            let file_start = script
                .commands
                .last()
                .map(script::ScriptCommand::invocation);
            return Parsed {
                file_start,
                file_replication: script.speaks_of_replication,
                confs: script.confs.into_iter().map(Arc::new).collect(),
                units: script.units.into_iter().map(Arc::new).collect(),
                commands: script.commands,
                // Passwords on its command lines too (`--requirepass …`, `redis-cli -a …`).
                secret_spans: script
                    .secret_spans
                    .into_iter()
                    .chain(secret_spans())
                    .collect(),
                script_flow: Some(script.flow),
                file_copies: script.copies,
                file_role_by_ordinal: script.role_by_ordinal,
                helm_releases: script.helm_releases,
                ..Parsed::default()
            };
        }
        // A config with template markup but no template's name (a Salt state's
        // `files/sentinel.conf`, a Puppet ERB template) is read with its markup made
        // neutral, byte for byte at its place.
        let masked = crate::syntax::jinja::has_template_markup(source.text())
            .then(|| crate::syntax::jinja::mask_keeping_words(source.text()));
        let text = masked.as_deref().unwrap_or(source.text());
        let tree = redis_conf::parse(text);
        let Some(kind) = classify(&source.path, &tree, self.explicit) else {
            return Parsed::default();
        };
        let mut conf = ConfFile::from_tree(source.id, kind, tree);
        // A rendered Jinja template keeps its statements as `#%` / `#~` comment lines.
        if text.contains("#%") {
            conf.guarded = crate::syntax::jinja::guarded(text);
        }
        Parsed {
            confs: vec![Arc::new(conf)],
            ..Parsed::default()
        }
    }

    pub(super) fn names_tool(&self) -> bool {
        self.names_tool
            .unwrap_or_else(|| self.source.text().contains("redis-halint"))
    }

    /// A plain redis.conf or sentinel.conf: after parsing, nothing but a report or a fix
    /// reads its text again (manifests, compose files and scripts are read again when
    /// linking containers and commands).
    pub(super) fn is_plain_config(&self) -> bool {
        let parsed = self.parsed();
        matches!(parsed.confs.as_slice(), [conf] if conf.file == self.source.id && conf.written_to.is_none() && !conf.embedded)
            && parsed.units.is_empty()
            && parsed.commands.is_empty()
            && parsed.compose.is_none()
            && parsed.containers.is_empty()
            && parsed.resources.is_empty()
    }

    /// The config this file is, when it is one (not one a script writes).
    pub(super) fn whole_conf(&self) -> Option<&Arc<ConfFile>> {
        self.parsed()
            .confs
            .first()
            .filter(|c| c.written_to.is_none())
    }
}
