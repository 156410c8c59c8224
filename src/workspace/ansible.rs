//! How many hosts an Ansible project renders each Jinja template on: its inventories'
//! groups, the plays' host patterns, the roles, task files and `when:` conditions on the
//! way to each `template:` task (see [`crate::formats::ansible`]). Anything not followed
//! leaves the template's count unknown.

use super::*;
use crate::formats::ansible::{self, Inventory, Play, Step};

/// The hosts that render one template, and the play that first renders it.
#[derive(Debug, Clone, Copy)]
pub struct HostCopies {
    pub count: usize,
    /// The `hosts:` value of that play.
    pub play: Span,
    /// A task of the project runs `redis-cli … replicaof` (or `slaveof`): replication is
    /// set up at run time, not in the template.
    pub replication_in_tasks: bool,
    /// The template uses a variable that the inventory or a play sets per host or per
    /// play, which its render here does not know: the copies may differ (one of them a
    /// replica).
    pub varies_by_host: bool,
}

/// Hosts (or `None`: not known) per template, for one inventory.
type Reached = HashMap<PathBuf, Option<(Vec<String>, Span)>>;

impl Workspace {
    /// The number of hosts each rendered Jinja template runs on, by the id of the file it
    /// renders. Only templates the project's plays reach, and only when every inventory
    /// beside the playbooks gives the same count.
    pub(super) fn ansible_copies(&self) -> HashMap<FileId, HostCopies> {
        let mut out = HashMap::new();
        let rendered_of: HashMap<&Path, FileId> = self
            .rendered
            .iter()
            .filter_map(|(rendered, info)| {
                let path = &self.entries.get(&info.template)?.source.path;
                if crate::syntax::jinja::rendered_path(path).is_some() {
                    return Some((path.as_path(), *rendered));
                }
                // A file a playbook writes inline: by its own path.
                let own = &self.entries.get(rendered)?.source.path;
                crate::formats::detect::is_yaml_path(path).then_some((own.as_path(), *rendered))
            })
            .collect();
        if rendered_of.is_empty() {
            return out;
        }
        let mut replication_in_tasks = false;
        let mut inventories: Vec<(PathBuf, Inventory)> = Vec::new();
        let mut playbooks: Vec<(FileId, PathBuf, Vec<Play>)> = Vec::new();
        for id in self.sorted_ids() {
            let source = &self.entries[&id].source;
            let path = &source.path;
            let text = source.text();
            if crate::formats::launch::is_ansible_inventory(path) {
                if let Some(inv) = ansible::parse_ini(text) {
                    inventories.push((path.clone(), inv));
                    continue;
                }
            }
            if path.file_name().is_some_and(|n| n == "Vagrantfile") {
                if let Some(inv) = ansible::parse_vagrantfile(text) {
                    inventories.push((path.clone(), inv));
                }
                continue;
            }
            if !crate::formats::detect::is_yaml_path(path) {
                continue;
            }
            let lower = text.to_ascii_lowercase();
            if lower.contains("redis-cli")
                && (lower.contains("slaveof") || lower.contains("replicaof"))
            {
                replication_in_tasks = true;
            }
            if !text.contains("hosts") {
                continue;
            }
            let Some(doc) = ansible::first_document(text) else {
                continue;
            };
            if let Some(plays) = ansible::plays(&doc) {
                playbooks.push((id, path.clone(), plays));
            } else if crate::formats::launch::is_ansible_inventory(path) {
                if let Some(inv) = ansible::parse_yaml(&doc) {
                    inventories.push((path.clone(), inv));
                }
            }
        }
        if inventories.is_empty() || playbooks.is_empty() {
            return out;
        }
        let walker = Walker {
            ws: self,
            documents: Default::default(),
        };
        // Per template: the count every inventory agrees on, or none.
        let mut counts: HashMap<PathBuf, Option<HostCopies>> = HashMap::new();
        for (file, path, plays) in &playbooks {
            let dir = path.parent().unwrap_or(Path::new(""));
            // The inventories nearest the playbook: under its folder, else under the
            // nearest folder above (`playbooks/setup/sentinel.yml` with the
            // inventories at the top of the repository).
            let beside: Vec<&(PathBuf, Inventory)> = dir
                .ancestors()
                .take(4)
                .map(|up| {
                    inventories
                        .iter()
                        .filter(|(p, _)| p.starts_with(up))
                        .collect::<Vec<_>>()
                })
                .find(|found| !found.is_empty())
                .unwrap_or_default();
            for (inv_path, inv) in beside {
                let mut reached: Reached = HashMap::new();
                let mut names = HostVariables::default();
                for play in plays {
                    let at = Span::new(*file, play.hosts_span.start, play.hosts_span.end);
                    walker.walk_play(play, at, dir, (inv_path, inv), &mut reached, &mut names);
                }
                for (template, hosts) in reached {
                    let text = self
                        .by_path
                        .get(&template)
                        .map(|id| self.entries[id].source.text())
                        .unwrap_or_default();
                    let varies_by_host = names.varying().any(|n| uses_word(text, n));
                    let copies = hosts.map(|(h, play)| HostCopies {
                        count: h.len(),
                        play,
                        replication_in_tasks: false,
                        varies_by_host,
                    });
                    // An inventory whose groups give the play no host does not deploy
                    // the template (a standalone inventory beside the HA one).
                    if copies.is_some_and(|c| c.count == 0) {
                        continue;
                    }
                    counts
                        .entry(template)
                        .and_modify(|c| {
                            if c.map(|c| c.count) != copies.map(|c| c.count) {
                                *c = None;
                            }
                        })
                        .or_insert(copies);
                }
            }
        }
        for (template, copies) in counts {
            if let (Some(copies), Some(&id)) = (copies, rendered_of.get(template.as_path())) {
                if copies.count > 0 {
                    out.insert(
                        id,
                        HostCopies {
                            replication_in_tasks,
                            ..copies
                        },
                    );
                }
            }
        }
        out
    }
}

/// The variables the plays of a playbook give their hosts: which of them are not the
/// same on every host (a value that differs, or a variable only some hosts have, such
/// as a play's `vars:` for its group), so that a template using one may differ from
/// host to host.
#[derive(Default)]
struct HostVariables {
    /// Per variable: its value while every host that has it agrees, and those hosts.
    seen: HashMap<String, (Option<String>, HashSet<String>)>,
    hosts: HashSet<String>,
}

impl HostVariables {
    fn add_host(&mut self, host: &str, vars: &HashMap<String, String>) {
        self.hosts.insert(host.to_string());
        for (k, v) in vars
            .iter()
            .filter(|(k, _)| !k.starts_with('#') && !k.starts_with("ansible_"))
        {
            let (value, hosts) = self
                .seen
                .entry(k.clone())
                .or_insert_with(|| (Some(v.clone()), HashSet::new()));
            if value.as_ref() != Some(v) {
                *value = None;
            }
            hosts.insert(host.to_string());
        }
    }

    fn varying(&self) -> impl Iterator<Item = &String> {
        self.seen
            .iter()
            .filter(|(_, (value, hosts))| value.is_none() || hosts.len() < self.hosts.len())
            .map(|(k, _)| k)
    }
}

/// Walks plays over one tree, reading each YAML file it needs once.
struct Walker<'a> {
    ws: &'a Workspace,
    documents: std::cell::RefCell<HashMap<PathBuf, Option<std::rc::Rc<crate::syntax::yaml::Node>>>>,
}

impl Walker<'_> {
    /// The first YAML document of a file of the tree, parsed once.
    fn document(&self, path: &Path) -> Option<std::rc::Rc<crate::syntax::yaml::Node>> {
        if let Some(doc) = self.documents.borrow().get(path) {
            return doc.clone();
        }
        let doc = self
            .ws
            .by_path
            .get(path)
            .and_then(|id| ansible::first_document(self.ws.entries[id].source.text()))
            .map(std::rc::Rc::new);
        self.documents
            .borrow_mut()
            .insert(path.to_path_buf(), doc.clone());
        doc
    }

    fn walk_play(
        &self,
        play: &Play,
        at: Span,
        dir: &Path,
        (inv_path, inv): (&Path, &Inventory),
        reached: &mut Reached,
        names: &mut HostVariables,
    ) {
        let hosts = inv.select(&play.hosts);
        let mut found: Vec<(PathBuf, Option<bool>, String)> = Vec::new();
        let Some(hosts) = hosts else {
            // Hosts not known: whatever the play renders has no count.
            self.walk_steps(
                &play.steps,
                dir,
                dir,
                None,
                &[],
                "",
                &|_| None,
                &mut found,
                0,
            );
            for (template, _, _) in found {
                reached.insert(template, None);
            }
            return;
        };
        for host in &hosts {
            let vars = self.host_variables(inv, inv_path, dir, host, &play.vars);
            names.add_host(host, &vars);
            let var = |name: &str| vars.get(name).cloned();
            self.walk_steps(&play.steps, dir, dir, None, &[], host, &var, &mut found, 0);
        }

        for (template, renders, host) in found {
            let entry = reached
                .entry(template)
                .or_insert_with(|| Some((Vec::new(), at)));
            match (renders, entry.as_mut()) {
                (Some(true), Some((list, _))) => {
                    if !list.contains(&host) {
                        list.push(host);
                    }
                }
                (Some(false), _) => {}
                _ => *entry = None,
            }
        }
    }

    /// Follow steps to the templates they render: (template, whether this host renders
    /// it, host). `role` is the role directory the steps belong to.
    #[allow(clippy::too_many_arguments)]
    fn walk_steps(
        &self,
        steps: &[Step],
        tasks_dir: &Path,
        play_dir: &Path,
        role: Option<&Path>,
        outer: &[String],
        host: &str,
        var: &dyn Fn(&str) -> Option<String>,
        found: &mut Vec<(PathBuf, Option<bool>, String)>,
        depth: usize,
    ) {
        if depth > 8 {
            return;
        }
        // Variables set where they are not read: no condition is decided.
        let incomplete = var("#vars_incomplete").is_some();
        let role_vars = role.map(|r| self.role_scalars(r)).unwrap_or_default();
        let lookup = |name: &str| {
            var(name).or_else(|| {
                role_vars
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
            })
        };
        let holds = |when: &[String]| -> Option<bool> {
            if incomplete && !(outer.is_empty() && when.is_empty()) {
                return None;
            }
            let mut all = Some(true);
            for c in outer.iter().chain(when) {
                match ansible::holds(c, &lookup) {
                    Some(false) => return Some(false),
                    Some(true) => {}
                    None => all = None,
                }
            }
            all
        };
        for step in steps {
            match step {
                Step::Template { src, when } => {
                    if let Some(path) = self.template_path(role, play_dir, src) {
                        found.push((path, holds(when), host.to_string()));
                    }
                }
                Step::Role { name, when } => {
                    let Some(role_dir) = self.find_role(play_dir, name) else {
                        continue;
                    };
                    let Some(steps) = self.task_file(&role_dir.join("tasks").join("main.yml"))
                    else {
                        continue;
                    };
                    let mut conds = outer.to_vec();
                    conds.extend(when.iter().cloned());
                    let tasks = role_dir.join("tasks");
                    self.walk_steps(
                        &steps,
                        &tasks,
                        play_dir,
                        Some(&role_dir),
                        &conds,
                        host,
                        var,
                        found,
                        depth + 1,
                    );
                }
                Step::Include { file, when } => {
                    if file.contains("{{") {
                        continue;
                    }
                    let path = normalize_path(&tasks_dir.join(file));
                    let Some(steps) = self.task_file(&path) else {
                        continue;
                    };
                    let mut conds = outer.to_vec();
                    conds.extend(when.iter().cloned());
                    let next_dir = path.parent().unwrap_or(tasks_dir).to_path_buf();
                    self.walk_steps(
                        &steps,
                        &next_dir,
                        play_dir,
                        role,
                        &conds,
                        host,
                        var,
                        found,
                        depth + 1,
                    );
                }
                Step::Inline { name, when } => {
                    found.push((tasks_dir.join(name), holds(when), host.to_string()));
                }
                Step::Unknown { src } => {
                    let path = src
                        .as_deref()
                        .and_then(|src| self.template_path(role, play_dir, src));
                    if let Some(path) = path {
                        found.push((path, None, host.to_string()));
                    }
                }
            }
        }
    }

    /// The template file of the tree a `template:` task's `src` names, where Ansible looks
    /// for it: the role's `templates/`, then the playbook's `templates/` and folder.
    fn template_path(&self, role: Option<&Path>, play_dir: &Path, src: &str) -> Option<PathBuf> {
        if src.contains("{{") {
            return None;
        }
        role.map(|r| r.join("templates").join(src))
            .into_iter()
            .chain([play_dir.join("templates").join(src), play_dir.join(src)])
            .map(|c| normalize_path(&c))
            .find(|c| self.ws.by_path.contains_key(c))
    }

    /// The steps of a task file of the tree (`main.yml` or `main.yaml`).
    fn task_file(&self, path: &Path) -> Option<Vec<Step>> {
        let alt = path.with_extension(match path.extension()?.to_str()? {
            "yml" => "yaml",
            _ => "yml",
        });
        let doc = self.document(path).or_else(|| self.document(&alt))?;
        Some(ansible::tasks_of(&doc, &[]))
    }

    /// A role's folder: `roles/NAME` beside the playbook or above it, or `NAME` itself
    /// beside the playbook (a repository that is one role).
    fn find_role(&self, play_dir: &Path, name: &str) -> Option<PathBuf> {
        let has_tasks = |dir: &Path| {
            ["main.yml", "main.yaml"]
                .iter()
                .any(|m| self.ws.by_path.contains_key(&dir.join("tasks").join(m)))
        };
        for base in play_dir.ancestors().take(3) {
            for dir in [base.join("roles").join(name), base.join(name)] {
                if has_tasks(&dir) {
                    return Some(dir);
                }
            }
        }
        None
    }

    /// A role's `defaults/main.yml` and `vars/main.yml` scalars (vars first: they win).
    fn role_scalars(&self, role: &Path) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for dir in ["vars", "defaults"] {
            for name in ["main.yml", "main.yaml"] {
                if let Some(doc) = self.document(&role.join(dir).join(name)) {
                    out.extend(ansible::scalar_entries(&doc));
                }
            }
        }
        out
    }

    /// A host's variables as Ansible ranks them (later wins): the inventory's group
    /// variables and `group_vars/` files (`all` first), its host line and `host_vars/`
    /// files, then the play's `vars:`.
    fn host_variables(
        &self,
        inv: &Inventory,
        inv_path: &Path,
        play_dir: &Path,
        host: &str,
        play_vars: &[(String, String)],
    ) -> HashMap<String, String> {
        let mut vars: HashMap<String, String> = HashMap::new();
        let inv_dir = inv_path.parent().unwrap_or(Path::new(""));
        let bases: Vec<&Path> = if inv_dir == play_dir {
            vec![inv_dir]
        } else {
            vec![inv_dir, play_dir]
        };
        let file_vars = |dir: &Path, name: &str| -> Vec<(String, String)> {
            let mut out = Vec::new();
            let d = dir.join(name);
            let candidates = [
                d.with_extension("yml"),
                d.with_extension("yaml"),
                d.clone(),
                d.join("main.yml"),
                d.join("main.yaml"),
                d.join("vars.yml"),
            ];
            for c in candidates {
                if let Some(doc) = self.document(&c) {
                    out.extend(ansible::scalar_entries(&doc));
                }
            }
            out
        };
        let groups = inv.groups_of(host);
        for g in &groups {
            if let Some(v) = inv.group_vars.get(*g) {
                vars.extend(v.iter().cloned());
            }
            for base in &bases {
                vars.extend(file_vars(&base.join("group_vars"), g));
            }
        }
        if let Some(v) = inv.host_vars.get(host) {
            vars.extend(v.iter().cloned());
        }
        for base in &bases {
            vars.extend(file_vars(&base.join("host_vars"), host));
        }
        vars.extend(play_vars.iter().cloned());
        vars.insert("inventory_hostname".to_string(), host.to_string());
        // `groups['redis'][0]`: the hosts of each group, in inventory order (read by
        // conditions as `#groups[NAME][INDEX]`, never a template's word).
        for g in inv.groups.keys() {
            for (i, h) in inv
                .select(g)
                .unwrap_or_default()
                .iter()
                .enumerate()
                .take(64)
            {
                vars.insert(format!("#groups[{g}][{i}]"), h.clone());
            }
        }
        if inv.vars_incomplete {
            vars.insert("#vars_incomplete".to_string(), String::new());
        }
        vars
    }
}

/// `name` as a word of its own in a template's text (`{{ name }}`, `{% if name %}`).
fn uses_word(text: &str, name: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back().is_none_or(|c| !word(c));
        let after = text[at + name.len()..]
            .chars()
            .next()
            .is_none_or(|c| !word(c));
        before && after
    })
}

/// `a/b/../c` → `a/c` (see [`compose::normalize`]), keeping a leading `./`: that is how
/// the tree's paths are spelled when it is checked as `.`.
fn normalize_path(path: &Path) -> PathBuf {
    let normal = compose::normalize(path);
    if path.starts_with(".") {
        Path::new(".").join(normal)
    } else {
        normal
    }
}
