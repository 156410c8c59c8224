//! Jinja templates of the tree (Ansible roles, Salt states): each is checked as the file
//! it renders, beside it and under that name, with its markup made neutral. Findings
//! point into the template; the template itself is only shown.

use super::*;

impl Workspace {
    /// Read every Jinja template (`sentinel.conf.j2`, `docker-compose.yml.j2`) as the
    /// file it renders, unless that file is in the tree too (then it is the one read).
    pub fn render_jinja_templates(&mut self) {
        let templates: Vec<(PathBuf, FileId, PathBuf)> = self
            .by_path
            .iter()
            .filter_map(|(path, id)| {
                let rendered = crate::syntax::jinja::rendered_path(path)?;
                (!self.by_path.contains_key(&rendered)).then(|| (path.clone(), *id, rendered))
            })
            .collect();
        let group_vars = self.group_vars_files();
        let mut vars_by_role: HashMap<Option<PathBuf>, crate::syntax::jinja::Vars> = HashMap::new();
        for (_, template, rendered) in templates {
            let Some(entry) = self.entries.get(&template) else {
                continue;
            };
            // `.tpl` is also the name of `envsubst` and Terraform templates (`${VAR}`):
            // one without Jinja markup is read as it is.
            let tpl = entry.source.path.extension().is_some_and(|e| e == "tpl");
            let text = entry.source.text();
            if tpl && !(text.contains("{{") || text.contains("{%")) {
                continue;
            }
            // One role's variables are read once for all its templates.
            let role = self.role_of(&template);
            let vars = match vars_by_role.get(&role) {
                Some(v) => v,
                None => {
                    let v = match &role {
                        Some(r) => self.vars_of_role(r, &group_vars),
                        None => crate::syntax::jinja::Vars::default(),
                    };
                    vars_by_role.entry(role).or_insert(v)
                }
            };
            let text = crate::syntax::jinja::render(entry.source.text(), vars);
            let id = self.set_file(rendered, text.clone(), false);
            self.rendered
                .insert(id, Arc::new(helm::RenderInfo::in_place(template, text)));
            if let Some(entry) = self.entries.get_mut(&template) {
                entry.shown_only = true;
            }
        }
    }
}

impl Workspace {
    /// The Jinja templates read as the files they render.
    pub(super) fn jinja_templates(&self) -> HashSet<FileId> {
        self.rendered
            .values()
            .map(|info| info.template)
            .filter(|t| {
                self.entries
                    .get(t)
                    .is_some_and(|e| crate::syntax::jinja::rendered_path(&e.source.path).is_some())
            })
            .collect()
    }
}

impl Workspace {
    /// The folder of the Ansible role a template belongs to (`roles/NAME/templates/…`,
    /// or a role kept at the top of a repository).
    fn role_of(&self, template: &FileId) -> Option<PathBuf> {
        let path = &self.entries.get(template)?.source.path;
        path.ancestors()
            .find(|a| a.file_name().is_some_and(|n| n == "templates"))
            .and_then(Path::parent)
            .map(Path::to_path_buf)
    }

    /// A role's `defaults/main.yml`, overridden by the inventory's or the playbook's
    /// `group_vars/all` (every host has them), overridden by the role's `vars/main.yml`,
    /// as Ansible ranks them (nested mappings as dotted names, see [`set_variable`]).
    fn vars_of_role(
        &self,
        role: &Path,
        group_vars: &[(PathBuf, FileId)],
    ) -> crate::syntax::jinja::Vars {
        let mut vars = crate::syntax::jinja::Vars::default();
        let main = |dir: &str| {
            ["main.yml", "main.yaml"]
                .iter()
                .find_map(|name| self.by_path.get(&role.join(dir).join(name)))
                .copied()
        };
        let files = main("defaults")
            .into_iter()
            .chain(Self::group_vars_all(role, group_vars))
            .chain(main("vars"));
        for id in files {
            let Some(entry) = self.entries.get(&id) else {
                continue;
            };
            let text = entry.source.text();
            let parsed = yaml::parse(text);
            let Some(yaml::Kind::Map(entries)) = parsed.documents.first().map(|d| &d.kind) else {
                continue;
            };
            for (key, value) in entries {
                if let Some(name) = key.as_str() {
                    set_variable(&mut vars, name, value, text, 0);
                }
            }
        }
        self.merge_combined_facts(role, &mut vars);
        vars
    }

    /// `set_fact: {X: "{{ A | combine(B, recursive=True) }}"}` in a role's tasks (a
    /// dictionary of defaults merged with the user's): X holds A's entries, overridden
    /// by B's.
    fn merge_combined_facts(&self, role: &Path, vars: &mut crate::syntax::jinja::Vars) {
        let tasks_dir = role.join("tasks");
        let mut files: Vec<(&PathBuf, &FileId)> = self
            .by_path
            .iter()
            .filter(|(p, _)| p.parent() == Some(tasks_dir.as_path()))
            .filter(|(p, _)| crate::formats::detect::is_yaml_path(p))
            .collect();
        files.sort();
        for (_, id) in files {
            let Some(entry) = self.entries.get(id) else {
                continue;
            };
            let parsed = yaml::parse(entry.source.text());
            let Some(doc) = parsed.documents.first() else {
                continue;
            };
            for (name, base, over) in combined_facts(doc) {
                vars.merge_into(&name, &base, &over);
            }
        }
    }
    /// Every `group_vars/all` file of the tree (`all.yml`, or a file of an `all/` folder):
    /// (the folder holding `group_vars`, the file), in path order.
    fn group_vars_files(&self) -> Vec<(PathBuf, FileId)> {
        let mut found: Vec<(PathBuf, FileId)> = self
            .by_path
            .iter()
            .filter(|(path, _)| crate::formats::detect::is_yaml_path(path))
            .filter_map(|(path, id)| {
                let gv = path
                    .ancestors()
                    .find(|a| a.file_name().is_some_and(|n| n == "group_vars"))?;
                let rest = path.strip_prefix(gv).ok()?.to_str()?;
                let all = rest == "all.yml" || rest == "all.yaml" || rest.starts_with("all/");
                all.then(|| (gv.parent().unwrap_or(Path::new("")).to_path_buf(), *id))
            })
            .collect();
        found.sort_by(|a, b| {
            self.entries[&a.1]
                .source
                .path
                .cmp(&self.entries[&b.1].source.path)
        });
        found
    }

    /// The `group_vars/all` files (`all.yml`, or the files of an `all/` folder) nearest
    /// above a role: beside a playbook or an inventory (`inventory/group_vars/all.yml`).
    /// When several inventories hold one (one per environment), which applies is not
    /// known and none is read.
    fn group_vars_all(role: &Path, group_vars: &[(PathBuf, FileId)]) -> Vec<FileId> {
        for dir in role.ancestors().skip(1) {
            let inventories = dir.join("inventories");
            let found: Vec<&(PathBuf, FileId)> = group_vars
                .iter()
                .filter(|(under, _)| {
                    under == dir
                        || *under == dir.join("inventory")
                        || under.parent() == Some(inventories.as_path())
                })
                .collect();
            let Some((first, _)) = found.first() else {
                continue;
            };
            if found.iter().any(|(u, _)| u != first) {
                return Vec::new();
            }
            return found.into_iter().map(|(_, id)| *id).collect();
        }
        Vec::new()
    }
}

/// The variables an Ansible role sets the release with, and the flavour each names.
const VERSION_VARS: [(&str, &str); 2] = [("redis_version", "redis"), ("valkey_version", "valkey")];

impl Workspace {
    /// The release an Ansible role installs (`redis_version: 6.2.2` in its
    /// `defaults/main.yml` or `vars/main.yml`), for each file its templates render: the
    /// processes that run those files run that release.
    pub(super) fn role_releases(
        &self,
    ) -> Vec<(PathBuf, crate::source::Spanned<crate::knowledge::Target>)> {
        let mut out = Vec::new();
        let templates = self.jinja_templates();
        for (&id, info) in &self.rendered {
            let Some(path) = self.entries.get(&id).map(|e| e.source.path.clone()) else {
                continue;
            };
            if !templates.contains(&info.template) {
                continue;
            }
            // `roles/NAME/templates/…/FILE`: the role's folder.
            let Some(role) = path
                .ancestors()
                .find(|a| a.file_name().is_some_and(|n| n == "templates"))
                .and_then(Path::parent)
            else {
                continue;
            };
            let found = ["vars", "defaults"].iter().find_map(|dir| {
                ["main.yml", "main.yaml"]
                    .iter()
                    .find_map(|name| self.by_path.get(&role.join(dir).join(name)))
                    .and_then(|vars| self.role_release(*vars))
            });
            if let Some(release) = found {
                out.push((compose::normalize(&path), release));
            }
        }
        out
    }

    /// `redis_version: 6.2.2` at the top of a role's variables file.
    fn role_release(
        &self,
        file: FileId,
    ) -> Option<crate::source::Spanned<crate::knowledge::Target>> {
        let text = self.entries.get(&file)?.source.text();
        let yaml = yaml::parse(text);
        let doc = yaml.documents.first()?;
        VERSION_VARS.iter().find_map(|(var, flavor)| {
            let node = doc.get(var)?;
            // `redis-5.0.8` (the name of the source folder a role builds in) is `5.0.8`.
            let value = node.as_str()?.trim();
            let value = value.strip_prefix(&format!("{flavor}-")).unwrap_or(value);
            let target = crate::knowledge::Target::parse(&format!("{flavor}-{value}")).ok()?;
            Some(crate::source::Spanned::with_origin(
                target,
                Span::new(file, node.span.start, node.span.end),
                crate::source::Origin::Implied,
            ))
        })
    }
}

/// The directives whose value is a password, by their words before it.
const PASSWORD_LINES: [&[&str]; 4] = [
    &["requirepass"],
    &["masterauth"],
    &["sentinel", "auth-pass", "*"],
    &["sentinel", "sentinel-pass"],
];

impl Workspace {
    /// Passwords the tree's Jinja templates render from variables written out in a
    /// variables file of the tree: the role's `defaults/` and `vars/`, the inventory's
    /// `group_vars/` and `host_vars/`. A value that is itself a template, or vaulted,
    /// is not written out; a variable not named as a password is left alone.
    pub(super) fn template_secrets(&self) -> Vec<crate::formats::units::TemplateSecret> {
        let mut out = Vec::new();
        let templates = self.jinja_templates();
        if templates.is_empty() {
            return out;
        }
        // Variables files: (file, variable, value span), first definitions first.
        let mut defined: Vec<(FileId, String, Span)> = Vec::new();
        for (path, &id) in &self.by_path {
            let in_vars_dir = path.ancestors().skip(1).any(|a| {
                a.file_name().is_some_and(|n| {
                    matches!(
                        n.to_str(),
                        Some("defaults" | "vars" | "group_vars" | "host_vars")
                    )
                })
            });
            // A role's test scenario (`tests/`, `molecule/`) runs throw-away hosts: its
            // passwords are test inputs, not a deployment's secrets.
            let vars_dir = path.ancestors().skip(1).find(|a| {
                a.file_name().is_some_and(|n| {
                    matches!(
                        n.to_str(),
                        Some("defaults" | "vars" | "group_vars" | "host_vars")
                    )
                })
            });
            let in_tests = vars_dir.is_some_and(|v| {
                v.ancestors().skip(1).take(2).any(|a| {
                    a.file_name()
                        .is_some_and(|n| matches!(n.to_str(), Some("tests" | "molecule")))
                })
            });
            if !in_vars_dir || in_tests || !crate::formats::detect::is_yaml_path(path) {
                continue;
            }
            let text = self.entries[&id].source.text();
            let parsed = yaml::parse(text);
            let Some(yaml::Kind::Map(entries)) = parsed.documents.first().map(|d| &d.kind) else {
                continue;
            };
            for (key, value) in entries {
                let (Some(name), Some(v)) = (key.as_str(), value.as_str()) else {
                    continue;
                };
                // Only a variable named as a password: its value is masked wherever it
                // is shown (`Entry::read_formats`), and the finding quotes it.
                // `redis_password: false` says there is none.
                let switch = matches!(
                    v.trim().to_ascii_lowercase().as_str(),
                    "false" | "no" | "off" | "true" | "yes" | "on" | "null" | "none" | "~"
                );
                let written = crate::formats::units::is_password_variable(name)
                    && !v.trim().is_empty()
                    && !switch
                    && !crate::syntax::jinja::has_markup(v)
                    && !v.starts_with("$ANSIBLE_VAULT");
                if written {
                    defined.push((
                        id,
                        name.to_string(),
                        Span::new(id, value.span.start, value.span.end),
                    ));
                }
            }
        }
        if defined.is_empty() {
            return out;
        }
        for template in templates {
            let text = self.entries[&template].source.text();
            let mut offset = 0;
            for line in text.split_inclusive('\n') {
                let start = offset;
                offset += line.len();
                let words: Vec<&str> = line.split_whitespace().collect();
                let Some(lead) = PASSWORD_LINES.iter().find(|p| {
                    p.len() < words.len()
                        && p.iter()
                            .zip(&words)
                            .all(|(w, x)| *w == "*" || w.eq_ignore_ascii_case(x))
                }) else {
                    continue;
                };
                // The value: `{{ name }}` (a filter after the name keeps it the name's).
                let rest = words[lead.len()..].join(" ");
                let Some(inner) = rest
                    .trim_matches('"')
                    .strip_prefix("{{")
                    .and_then(|r| r.split("}}").next())
                else {
                    continue;
                };
                let name = inner.split('|').next().unwrap_or_default().trim();
                if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                {
                    continue;
                }
                let Some(at) = line.find("{{") else { continue };
                let used = Span::new(
                    template,
                    start + at,
                    start + at + line[at..].find("}}").map_or(2, |e| e + 2),
                );
                for (_, var, value) in defined.iter().filter(|(_, v, _)| v == name) {
                    if !out.iter().any(|s: &crate::formats::units::TemplateSecret| {
                        s.value == *value && s.used == used
                    }) {
                        out.push(crate::formats::units::TemplateSecret {
                            value: *value,
                            used,
                            variable: var.clone(),
                        });
                    }
                }
            }
        }
        out
    }
}

/// A file of the tree that an Ansible task puts onto the hosts.
pub(super) struct AnsibleDeployment {
    /// Where it lands on the hosts.
    pub dest: PathBuf,
    /// The file of the tree (a template's rendered path), as its workspace path.
    pub deployed: PathBuf,
    /// The tasks file (or playbook) and the task.
    pub file: FileId,
    pub task: crate::formats::ansible_tasks::DeployTask,
}

/// What the Ansible tasks of the tree do to the hosts' Redis configs.
pub(super) struct AnsibleTasks {
    pub deployments: Vec<AnsibleDeployment>,
    /// Tasks that make the hosts a condition picks replicas (in the tasks file).
    pub replication_edits: Vec<(FileId, crate::formats::ansible_tasks::ReplicationEdit)>,
}

impl Workspace {
    /// Where Ansible tasks put the tree's files on the hosts: `template: {src:
    /// redis.conf.j2, dest: /etc/redis/redis.conf}` deploys the file the template
    /// renders at `dest`, so a unit that runs `redis-server /etc/redis/redis.conf` runs
    /// it. (dest, the file of the tree, as its workspace path); `{{ var }}` in either is
    /// filled from the role's variables when they give it.
    pub(super) fn ansible_deployments(&self) -> AnsibleTasks {
        let mut out = Vec::new();
        let mut replication_edits = Vec::new();
        let group_vars = self.group_vars_files();
        for (path, id) in &self.by_path {
            if !crate::formats::detect::is_yaml_path(path) {
                continue;
            }
            let in_tasks = path
                .parent()
                .and_then(Path::file_name)
                .is_some_and(|n| n == "tasks" || n == "handlers");
            let text = self.entries[id].source.text();
            let playbook = text.contains("hosts:") && text.contains("tasks:");
            let replicates = text.contains("replicaof")
                || text.contains("slaveof")
                || text.contains("SLAVEOF")
                || text.contains("REPLICAOF");
            if !(in_tasks || playbook) || !(text.contains("dest") || replicates) {
                continue;
            }
            let dir = path.parent().unwrap_or(Path::new(""));
            let role = if in_tasks {
                dir.parent().unwrap_or(dir)
            } else {
                dir
            };
            let vars = self.vars_of_role(role, &group_vars);
            let parsed = yaml::parse(text);
            if replicates {
                replication_edits.extend(
                    parsed
                        .documents
                        .iter()
                        .flat_map(crate::formats::ansible_tasks::replication_edits)
                        .map(|edit| (*id, edit)),
                );
            }
            let tasks = parsed
                .documents
                .iter()
                .flat_map(crate::formats::ansible_tasks::deploying_tasks);
            for task in tasks {
                let src = crate::syntax::jinja::fill_words(&task.src, &vars);
                let dest = crate::syntax::jinja::fill_words(&task.dest, &vars);
                if crate::syntax::jinja::has_markup(&src) || !dest.starts_with('/') {
                    continue;
                }
                let candidates = [
                    role.join(task.folder).join(&src),
                    dir.join(&src),
                    role.join(&src),
                ];
                let Some(found) = candidates.iter().find(|c| self.by_path.contains_key(*c)) else {
                    continue;
                };
                let deployed = crate::syntax::jinja::rendered_path(found).unwrap_or(found.clone());
                out.push(AnsibleDeployment {
                    dest: PathBuf::from(dest),
                    deployed,
                    file: *id,
                    task,
                });
            }
        }
        AnsibleTasks {
            deployments: out,
            replication_edits,
        }
    }
}

impl Workspace {
    /// The deployments of a sentinel's config that every run of the play repeats: the
    /// task writes the file whenever the host's copy differs (no `force: no`) and
    /// something restarts the service on that change. The file is the config of a
    /// sentinel of the topology.
    pub(super) fn sentinel_config_redeploys(
        &self,
        deployments: &[AnsibleDeployment],
        topology: &crate::model::Topology,
    ) -> Vec<crate::formats::units::SentinelRedeploy> {
        let mut out = Vec::new();
        for d in deployments {
            let Some(restart) = d.task.restart.clone().filter(|_| !d.task.keeps_existing) else {
                continue;
            };
            let Some(&config) = self.by_path.get(&d.deployed) else {
                continue;
            };
            let Some(sentinel) = topology.sentinels.iter().find(|s| s.file == config) else {
                continue;
            };
            out.push(crate::formats::units::SentinelRedeploy {
                task: Span::new(d.file, d.task.module.start, d.task.module.end),
                restart: Span::new(d.file, restart.start, restart.end),
                monitor: sentinel.monitors.first().map(|m| m.line),
                pinned_myid: sentinel.myid.is_some(),
            });
        }
        out
    }
}

impl Workspace {
    /// Where a play, at every run, gives the data nodes the role the inventory names
    /// (see `rules::provisioning`): a deployed config template that writes `replicaof`
    /// for some hosts, or a task that does, with a restart on the change. Only for a
    /// tree that runs sentinels: without failover the inventory's roles stay true.
    pub(super) fn role_pins(
        &self,
        tasks: &AnsibleTasks,
        topology: &crate::model::Topology,
    ) -> Vec<crate::formats::units::RolePin> {
        let mut out = Vec::new();
        if topology.sentinels.is_empty() {
            return out;
        }
        for d in &tasks.deployments {
            let Some(restart) = d.task.restart.clone().filter(|_| !d.task.keeps_existing) else {
                continue;
            };
            let Some(&config) = self.by_path.get(&d.deployed) else {
                continue;
            };
            if !topology.nodes.iter().any(|n| n.file == config) {
                continue;
            }
            // The template's own `replicaof` line (rendered for the hosts it picks).
            let template = self
                .rendered
                .get(&config)
                .map_or(config, |info| info.template);
            let text = self.entries[&template].source.text();
            let mut offset = 0;
            let line = text.split_inclusive('\n').find_map(|line| {
                let start = offset;
                offset += line.len();
                let body = line.trim_start();
                let lower = body.to_ascii_lowercase();
                let directive = ["replicaof", "slaveof"].into_iter().any(|d| {
                    lower
                        .strip_prefix(d)
                        .is_some_and(|rest| rest.starts_with([' ', '\t', ':']))
                });
                directive.then(|| {
                    let at = start + (line.len() - body.len());
                    Span::new(template, at, at + body.trim_end().len())
                })
            });
            let Some(line) = line else { continue };
            out.push(crate::formats::units::RolePin {
                pin: line,
                task: Some(Span::new(d.file, d.task.module.start, d.task.module.end)),
                restart: Some(Span::new(d.file, restart.start, restart.end)),
                live: false,
            });
        }
        for (file, edit) in &tasks.replication_edits {
            if edit.restart.is_none() && !edit.live {
                continue;
            }
            out.push(crate::formats::units::RolePin {
                pin: Span::new(*file, edit.module.start, edit.module.end),
                task: Some(Span::new(*file, edit.when.start, edit.when.end)),
                restart: edit
                    .restart
                    .as_ref()
                    .map(|r| Span::new(*file, r.start, r.end)),
                live: edit.live,
            });
        }
        out
    }
}

impl Workspace {
    /// The data-node templates and the start scripts of the tree that write
    /// `masterauth` only in a branch that picks replicas (see
    /// [`crate::formats::replica_branches`]). Only for a tree that runs sentinels, where
    /// every node may be demoted.
    pub(super) fn replica_only_masterauth(
        &self,
        topology: &crate::model::Topology,
    ) -> Vec<crate::formats::units::ReplicaOnlyMasterauth> {
        use crate::formats::replica_branches::{replica_only_masterauth, WORDS};
        use crate::syntax::branches;
        let mut out = Vec::new();
        if topology.sentinels.is_empty() {
            return out;
        }
        // Templates rendered as a data node's config, unless the node rendered with the
        // defaults already shows the gap (the model reports it there).
        let templates: HashSet<FileId> = self
            .rendered
            .iter()
            .filter(|(rendered, _)| {
                let mut nodes = topology
                    .nodes
                    .iter()
                    .filter(|n| n.file == **rendered)
                    .peekable();
                nodes.peek().is_some()
                    && !nodes.any(|n| n.password.is_some() && n.masterauth.is_none())
            })
            .map(|(_, info)| info.template)
            .collect();
        for id in self.sorted_ids() {
            let entry = &self.entries[&id];
            let path = &entry.source.path;
            let template = crate::syntax::jinja::rendered_path(path).is_some();
            if template && !templates.contains(&id) {
                continue;
            }
            let script = !template
                && !entry.shown_only
                && !self.rendered.contains_key(&id)
                && crate::formats::detect::name_hint(path)
                    == crate::formats::detect::NameHint::NotConf;
            if !(template || script) {
                continue;
            }
            let text = entry.source.text();
            if !(text.contains("masterauth") && text.contains("requirepass")) {
                continue;
            }
            // Only what runs: a shell script, or the scripts of a manifest or compose
            // file; never a README's example.
            if script
                && entry.parsed().script_flow.is_none()
                && !crate::formats::detect::is_yaml_path(path)
            {
                continue;
            }
            let found = if template {
                replica_only_masterauth(&branches::template(text), text, true)
            } else {
                replica_only_masterauth(&branches::shell(text, &WORDS), text, false)
            };
            let Some(found) = found else { continue };
            let span = |r: std::ops::Range<usize>| Span::new(id, r.start, r.end);
            out.push(crate::formats::units::ReplicaOnlyMasterauth {
                masterauth: span(found.masterauth),
                branch: span(found.branch),
                requirepass: span(found.requirepass),
            });
        }
        out
    }
}

/// The deepest a nested variable is read (`a.b.c.d`).
const NESTING: usize = 4;

/// One variable of a variables file into `vars`: a scalar under its name, a mapping as
/// its entries under dotted names (`redis_sentinel.port`). A mapping replaces what an
/// earlier file gave the same name, as Ansible's default `hash_behaviour` does.
fn set_variable(
    vars: &mut crate::syntax::jinja::Vars,
    name: &str,
    value: &yaml::Node,
    text: &str,
    depth: usize,
) {
    // Passwords are never filled in: a render must not put a secret where a message or
    // a fix could show it (nor anything named like another secret). Whether one is set
    // is known: `{% if redis_password %}` leaves `requirepass` out for an empty one.
    let lower = name.to_ascii_lowercase();
    let leaf = lower.rsplit('.').next().unwrap_or(&lower);
    if crate::formats::units::is_password_variable(leaf)
        || lower.contains("secret")
        || lower.contains("token")
        || lower.contains("password")
    {
        if let Some(v) = value
            .as_str()
            .filter(|v| !crate::syntax::jinja::has_markup(v))
        {
            // `redis_password: false` (or empty) is no password: false in a condition.
            let unset = v.is_empty()
                || matches!(
                    v.to_ascii_lowercase().as_str(),
                    "false" | "no" | "off" | "null" | "none" | "~"
                );
            vars.set_secret_truth(name, !unset);
        }
        return;
    }
    if let yaml::Kind::Map(entries) = &value.kind {
        if depth >= NESTING {
            return;
        }
        vars.clear_nested(name);
        for (key, inner) in entries {
            if let Some(key) = key.as_str().filter(|k| is_word(k)) {
                set_variable(vars, &format!("{name}.{key}"), inner, text, depth + 1);
            }
        }
        return;
    }
    let Some(v) = value.as_str() else {
        return;
    };
    if crate::syntax::jinja::has_markup(v) {
        return;
    }
    // An unquoted `yes`/`no`/`true`/`false` is a boolean to Ansible, which renders it
    // `True`/`False`: its truth is known, not its text.
    let quoted = text
        .get(value.span.start..)
        .is_some_and(|t| t.starts_with(['"', '\'']));
    let boolean = matches!(
        v.to_ascii_lowercase().as_str(),
        "yes" | "no" | "true" | "false" | "on" | "off"
    );
    if boolean && !quoted {
        vars.set_condition_only(name, v);
    } else {
        vars.set(name, v);
    }
}

fn is_word(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The `set_fact` entries of a tasks file (blocks included) of the form
/// `X: "{{ A | combine(B) }}"` (optionally `recursive=True`): (X, A, B).
fn combined_facts(doc: &yaml::Node) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    collect_combined(doc.as_seq().unwrap_or_default(), &mut out);
    out
}

fn collect_combined(tasks: &[yaml::Node], out: &mut Vec<(String, String, String)>) {
    for task in tasks {
        for key in ["block", "rescue", "always"] {
            if let Some(inner) = task.get(key).and_then(yaml::Node::as_seq) {
                collect_combined(inner, out);
            }
        }
        let Some(facts) = task
            .get("set_fact")
            .or_else(|| task.get("ansible.builtin.set_fact"))
        else {
            continue;
        };
        for (name, value) in facts.entries() {
            let (Some(name), Some(value)) = (name.as_str(), value.as_str()) else {
                continue;
            };
            if let Some((base, over)) = combine_expression(value) {
                out.push((name.to_string(), base, over));
            }
        }
    }
}

/// `{{ A | combine(B) }}` or `{{ A | combine(B, recursive=True) }}`: (A, B).
fn combine_expression(value: &str) -> Option<(String, String)> {
    let inner = value.trim().strip_prefix("{{")?.strip_suffix("}}")?.trim();
    let (base, filter) = inner.split_once('|')?;
    let args = filter.trim().strip_prefix("combine(")?.strip_suffix(')')?;
    let over = args.split(',').next()?.trim();
    let base = base.trim();
    (is_word(base) && is_word(over)).then(|| (base.to_string(), over.to_string()))
}
