//! Ansible inventories and plays, read for one fact: how many hosts render a template.
//!
//! An inventory (INI or YAML) lists hosts by group, with variables; a play names a host
//! pattern and the roles and tasks it runs there; a task renders a template, maybe under
//! a `when:`. Every step is read as Ansible reads it or not at all: a pattern, a
//! condition or a task this module does not follow makes the count unknown, never a guess.

use crate::syntax::yaml::{self, Kind, Node};
use std::collections::HashMap;
use std::ops::Range;

/// Hosts by group, in the order the inventory lists them, and each host's variables.
#[derive(Debug, Default, Clone)]
pub struct Inventory {
    pub groups: HashMap<String, Vec<String>>,
    /// Variables of the inventory itself: the host's line, then `[group:vars]`.
    pub host_vars: HashMap<String, Vec<(String, String)>>,
    pub group_vars: HashMap<String, Vec<(String, String)>>,
    /// Every host, in order.
    pub hosts: Vec<String>,
    /// Variables are set where this module does not read them (a Vagrantfile's
    /// `extra_vars` / `host_vars`): no condition can be decided.
    pub vars_incomplete: bool,
}

impl Inventory {
    fn add_host(&mut self, group: &str, host: &str) {
        if !self.hosts.iter().any(|h| h == host) {
            self.hosts.push(host.to_string());
        }
        let list = self.groups.entry(group.to_string()).or_default();
        if !list.iter().any(|h| h == host) {
            list.push(host.to_string());
        }
    }

    /// The groups a host belongs to (`all` included).
    pub fn groups_of(&self, host: &str) -> Vec<&str> {
        let mut out = vec!["all"];
        out.extend(
            self.groups
                .iter()
                .filter(|(g, hosts)| g.as_str() != "all" && hosts.iter().any(|h| h == host))
                .map(|(g, _)| g.as_str()),
        );
        out
    }

    /// The hosts a play's `hosts:` pattern selects (none for a group the inventory
    /// declares empty); `None` for a pattern not followed (intersections, exclusions,
    /// regular expressions, variables, unknown names).
    pub fn select(&self, pattern: &str) -> Option<Vec<String>> {
        let mut out: Vec<String> = Vec::new();
        let mut parts = Vec::new();
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in pattern.char_indices() {
            match c {
                '[' => depth += 1,
                ']' => depth -= 1,
                ':' | ',' if depth == 0 => {
                    parts.push(&pattern[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        parts.push(&pattern[start..]);
        for part in parts.into_iter().map(str::trim) {
            if part.is_empty() {
                continue;
            }
            if part.starts_with(['!', '&', '~']) || part.contains("{{") || part.contains('*') {
                return None;
            }
            let (name, slice) = match part.find('[') {
                Some(at) => (&part[..at], Some(part[at + 1..].strip_suffix(']')?)),
                None => (part, None),
            };
            let members: Vec<String> = match name {
                "all" => self.hosts.clone(),
                _ => match self.groups.get(name) {
                    Some(hosts) => hosts.clone(),
                    None if self.hosts.iter().any(|h| h == name) => vec![name.to_string()],
                    None => return None,
                },
            };
            let chosen = match slice {
                None => members,
                Some(s) => slice_hosts(&members, s)?,
            };
            for h in chosen {
                if !out.contains(&h) {
                    out.push(h);
                }
            }
        }
        Some(out)
    }
}

/// `group[0]`, `group[1:]`, `group[:2]` (end excluded, as in Python) and the older
/// `group[0-2]` (end included).
fn slice_hosts(members: &[String], slice: &str) -> Option<Vec<String>> {
    let index = |s: &str| -> Option<usize> {
        let i: i64 = s.trim().parse().ok()?;
        let len = members.len() as i64;
        let i = if i < 0 { len + i } else { i };
        Some(i.clamp(0, len) as usize)
    };
    let (from, to) = if let Some((a, b)) = slice.split_once(':') {
        let from = if a.trim().is_empty() { 0 } else { index(a)? };
        let to = if b.trim().is_empty() {
            members.len()
        } else {
            index(b)?
        };
        (from, to)
    } else if let Some((a, b)) = slice.split_once('-').filter(|(a, _)| !a.is_empty()) {
        (index(a)?, index(b)? + 1)
    } else {
        let i = index(slice)?;
        (i, i + 1)
    };
    Some(members.get(from..to.min(members.len()))?.to_vec())
}

/// `web[01:03]`, `10.0.0.[1:3]`, `node[a:c]`: the host names a range stands for.
fn expand_host(pattern: &str) -> Option<Vec<String>> {
    let Some(open) = pattern.find('[') else {
        return Some(vec![pattern.to_string()]);
    };
    let close = open + pattern[open..].find(']')?;
    let (from, to) = pattern[open + 1..close].split_once(':')?;
    let to = to.split(':').next()?;
    let (head, tail) = (&pattern[..open], &pattern[close + 1..]);
    let rest = expand_host(tail)?;
    let mut out = Vec::new();
    let items: Vec<String> = if let (Ok(a), Ok(b)) = (from.parse::<u32>(), to.parse::<u32>()) {
        let width = if from.starts_with('0') { from.len() } else { 0 };
        (a..=b.min(a + 1000))
            .map(|i| format!("{i:0width$}"))
            .collect()
    } else if from.len() == 1 && to.len() == 1 {
        let (a, b) = (from.as_bytes()[0], to.as_bytes()[0]);
        (a..=b).map(|c| (c as char).to_string()).collect()
    } else {
        return None;
    };
    for item in items {
        for r in &rest {
            out.push(format!("{head}{item}{r}"));
        }
    }
    Some(out)
}

/// `key=value` pairs after a host or in a `[group:vars]` section.
fn pairs(words: &str) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    for word in shell_words(words) {
        let (k, v) = word.split_once('=')?;
        if k.is_empty() {
            return None;
        }
        out.push((k.to_string(), v.trim_matches(['"', '\'']).to_string()));
    }
    Some(out)
}

pub(crate) fn shell_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                word.push(c);
            }
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                word.push(c);
            }
            (None, c) if c.is_whitespace() => {
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
            }
            (None, c) => word.push(c),
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// An INI inventory; `None` for text that is not one (a line that is neither a section,
/// a host with `key=value` pairs nor a `key=value` in a vars section).
pub fn parse_ini(text: &str) -> Option<Inventory> {
    let mut inv = Inventory::default();
    let mut children: Vec<(String, String)> = Vec::new();
    enum Section {
        Hosts(String),
        Children(String),
        Vars(String),
    }
    let mut section = Section::Hosts("ungrouped".to_string());
    let mut lines = 0;
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with(['#', ';']) {
            continue;
        }
        lines += 1;
        if let Some(name) = line.strip_prefix('[') {
            let name = name.split(']').next()?.trim();
            section = match name.split_once(':') {
                Some((g, "children")) => Section::Children(g.to_string()),
                Some((g, "vars")) => Section::Vars(g.to_string()),
                Some(_) => return None,
                None => Section::Hosts(name.to_string()),
            };
            if let Section::Hosts(g) = &section {
                inv.groups.entry(g.clone()).or_default();
            }
            continue;
        }
        match &section {
            Section::Hosts(group) => {
                let (host, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
                if host.contains('=') {
                    return None;
                }
                let vars = pairs(rest)?;
                for h in expand_host(host)? {
                    inv.add_host(group, &h);
                    inv.host_vars.entry(h).or_default().extend(vars.clone());
                }
            }
            Section::Children(group) => {
                children.push((group.clone(), line.to_string()));
            }
            Section::Vars(group) => {
                let (k, v) = line.split_once('=')?;
                inv.group_vars.entry(group.clone()).or_default().push((
                    k.trim().to_string(),
                    v.trim().trim_matches(['"', '\'']).to_string(),
                ));
            }
        }
    }
    if lines == 0 {
        return None;
    }
    resolve_children(&mut inv, &children);
    Some(inv)
}

/// Groups made of other groups, nested a few levels.
fn resolve_children(inv: &mut Inventory, children: &[(String, String)]) {
    for _ in 0..8 {
        for (parent, child) in children {
            let hosts = inv.groups.get(child).cloned().unwrap_or_default();
            for h in hosts {
                inv.add_host(parent, &h);
            }
        }
    }
}

/// A YAML inventory (`all:` with `hosts:` and `children:`).
pub fn parse_yaml(doc: &Node) -> Option<Inventory> {
    let all = doc.get("all")?;
    let mut inv = Inventory::default();
    let mut children: Vec<(String, String)> = Vec::new();
    walk_yaml_group("all", all, &mut inv, &mut children)?;
    resolve_children(&mut inv, &children);
    Some(inv)
}

fn walk_yaml_group(
    name: &str,
    node: &Node,
    inv: &mut Inventory,
    children: &mut Vec<(String, String)>,
) -> Option<()> {
    inv.groups.entry(name.to_string()).or_default();
    if let Some(hosts) = node.get("hosts") {
        for (host, vars) in hosts.entries() {
            let host = host.as_str()?;
            for h in expand_host(host)? {
                inv.add_host(name, &h);
                inv.host_vars
                    .entry(h)
                    .or_default()
                    .extend(scalar_entries(vars));
            }
        }
    }
    if let Some(vars) = node.get("vars") {
        inv.group_vars
            .entry(name.to_string())
            .or_default()
            .extend(scalar_entries(vars));
    }
    if let Some(kids) = node.get("children") {
        for (child, body) in kids.entries() {
            let child = child.as_str()?;
            children.push((name.to_string(), child.to_string()));
            walk_yaml_group(child, body, inv, children)?;
        }
    }
    Some(())
}

/// The top-level scalar entries of a map.
pub fn scalar_entries(node: &Node) -> Vec<(String, String)> {
    node.entries()
        .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string())))
        .collect()
}

/// The inventory Vagrant writes for its Ansible provisioner: every machine the
/// Vagrantfile defines (a literal name, or `"node#{i}"` in a `(1..3).each do |i|` loop),
/// in the groups of `ansible.groups`. `None` when the Vagrantfile has no Ansible
/// provisioner, names its own inventory (`inventory_path`), or defines machines or
/// groups in a way not followed here.
pub fn parse_vagrantfile(text: &str) -> Option<Inventory> {
    let lines: Vec<&str> = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default())
        .collect();
    // Comments are cut at `#`, which also cuts `#{i}`: names are read from the raw line.
    let raw: Vec<&str> = text.lines().collect();
    let live = |l: &str| !l.trim_start().starts_with('#');
    let provisioner = raw.iter().any(|l| {
        live(l) && l.contains("provision") && (l.contains("\"ansible") || l.contains(":ansible"))
    });
    if !provisioner || lines.iter().any(|l| l.contains("inventory_path")) {
        return None;
    }
    let mut inv = Inventory {
        vars_incomplete: lines
            .iter()
            .any(|l| l.contains("extra_vars") || l.contains("host_vars")),
        ..Inventory::default()
    };
    for (n, line) in raw.iter().enumerate() {
        if !live(line) {
            continue;
        }
        let Some(at) = line.find("vm.define") else {
            continue;
        };
        let rest = line[at + "vm.define".len()..].trim_start();
        let rest = rest.trim_start_matches('(').trim_start();
        let name = if let Some(r) = rest.strip_prefix(':') {
            r.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                .next()?
                .to_string()
        } else {
            let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            let body = &rest[1..];
            body[..body.find(quote)?].to_string()
        };
        if let Some(open) = name.find("#{") {
            // `"node#{i}"` inside `(1..3).each do |i|` above it.
            let close = open + name[open..].find('}')?;
            let var = &name[open + 2..close];
            let range = raw[..n].iter().rev().find_map(|l| {
                let l = l.trim();
                let each = format!("|{var}|");
                if !(l.contains(&each) && l.contains(".each")) {
                    return None;
                }
                let inner = l.split('(').nth(1)?.split(')').next()?;
                let (a, b) = inner.split_once("..")?;
                Some((a.trim().parse::<u32>().ok()?, b.trim().parse::<u32>().ok()?))
            })?;
            for i in range.0..=range.1.min(range.0 + 100) {
                let host = format!("{}{i}{}", &name[..open], &name[close + 1..]);
                inv.add_host("ungrouped", &host);
            }
        } else {
            inv.add_host("ungrouped", &name);
        }
    }
    if inv.hosts.is_empty() {
        return None;
    }
    // `ansible.groups = { "db" => ["node1", "node2"], "all:children" => [...] }`
    let mut children: Vec<(String, String)> = Vec::new();
    if let Some(start) = lines.iter().position(|l| l.contains("ansible.groups")) {
        for line in &lines[start + 1..] {
            let l = line.trim().trim_end_matches(',');
            if l.starts_with('}') {
                break;
            }
            if l.is_empty() {
                continue;
            }
            let (key, list) = l.split_once("=>")?;
            let key = key.trim().trim_matches(['"', '\'']);
            let list = list.trim().strip_prefix('[')?.strip_suffix(']')?;
            let members: Vec<String> = list
                .split(',')
                .map(|m| m.trim().trim_matches(['"', '\'']).to_string())
                .filter(|m| !m.is_empty())
                .collect();
            match key.split_once(':') {
                Some((group, "children")) => {
                    inv.groups.entry(group.to_string()).or_default();
                    children.extend(members.into_iter().map(|m| (group.to_string(), m)));
                }
                Some(_) => return None,
                None => {
                    inv.groups.entry(key.to_string()).or_default();
                    for m in members {
                        for h in expand_host(&m)? {
                            if !inv.hosts.contains(&h) {
                                return None;
                            }
                            inv.add_host(key, &h);
                        }
                    }
                }
            }
        }
    }
    resolve_children(&mut inv, &children);
    Some(inv)
}

/// One play: where its hosts are named, and what it runs.
#[derive(Debug, Clone)]
pub struct Play {
    pub hosts: String,
    /// The `hosts:` value.
    pub hosts_span: Range<usize>,
    pub vars: Vec<(String, String)>,
    pub steps: Vec<Step>,
}

/// A step of a play or a task file that may render a template, with the `when:`
/// conditions it runs under (those of enclosing blocks included).
#[derive(Debug, Clone)]
pub enum Step {
    Template {
        src: String,
        when: Vec<String>,
    },
    Role {
        name: String,
        when: Vec<String>,
    },
    Include {
        file: String,
        when: Vec<String>,
    },
    /// A file written from the task's own text (`copy: {content: …, dest: …}`), by the
    /// name of its destination.
    Inline {
        name: String,
        when: Vec<String>,
    },
    /// A template rendered in a loop, on one host for all (`run_once`, `delegate_to`),
    /// or a step read only in part: how many times it renders is not known.
    Unknown {
        src: Option<String>,
    },
}

/// The plays of a playbook; `None` when the file is not one.
pub fn plays(doc: &Node) -> Option<Vec<Play>> {
    let items = doc.as_seq()?;
    let mut out = Vec::new();
    for item in items {
        // `- import_playbook: other.yml` and the like: not followed.
        let Some(hosts) = item.get("hosts") else {
            continue;
        };
        let mut steps = Vec::new();
        if let Some(roles) = item.get("roles").and_then(Node::as_seq) {
            for role in roles {
                let (name, when) = match &role.kind {
                    Kind::Scalar { .. } => (role.as_str(), Vec::new()),
                    Kind::Map(_) => (
                        role.get_str("role").or_else(|| role.get_str("name")),
                        conditions(role),
                    ),
                    Kind::Seq(_) => (None, Vec::new()),
                };
                match name {
                    Some(name) => steps.push(Step::Role {
                        name: name.to_string(),
                        when,
                    }),
                    None => steps.push(Step::Unknown { src: None }),
                }
            }
        }
        for key in ["pre_tasks", "tasks", "post_tasks"] {
            if let Some(tasks) = item.get(key) {
                steps.extend(tasks_of(tasks, &[]));
            }
        }
        out.push(Play {
            hosts: hosts.as_str().unwrap_or_default().to_string(),
            hosts_span: hosts.span.clone(),
            vars: item.get("vars").map(vars_of).unwrap_or_default(),
            steps,
        });
    }
    (!out.is_empty()).then_some(out)
}

/// `vars:` as a map, or the older list of one-entry maps.
fn vars_of(node: &Node) -> Vec<(String, String)> {
    match &node.kind {
        Kind::Map(_) => scalar_entries(node),
        Kind::Seq(items) => items.iter().flat_map(scalar_entries).collect(),
        Kind::Scalar { .. } => Vec::new(),
    }
}

fn conditions(task: &Node) -> Vec<String> {
    match task.get("when").map(|w| &w.kind) {
        Some(Kind::Scalar { value, .. }) => vec![value.to_string()],
        Some(Kind::Seq(items)) => items
            .iter()
            .map(|i| i.as_str().unwrap_or("{{unknown}}").to_string())
            .collect(),
        Some(Kind::Map(_)) => vec!["{{unknown}}".to_string()],
        None => Vec::new(),
    }
}

/// The steps of a task list (a play's `tasks:`, a task file).
pub fn tasks_of(tasks: &Node, outer: &[String]) -> Vec<Step> {
    let mut out = Vec::new();
    for task in tasks.as_seq().unwrap_or_default() {
        let mut when = outer.to_vec();
        when.extend(conditions(task));
        if let Some(block) = task.get("block") {
            out.extend(tasks_of(block, &when));
            continue;
        }
        let looped = task.entries().any(|(k, _)| {
            k.as_str().is_some_and(|k| {
                k == "loop" || k.starts_with("with_") || k == "run_once" || k == "delegate_to"
            })
        });
        for (key, value) in task.entries() {
            let Some(key) = key.as_str() else { continue };
            let module = key
                .strip_prefix("ansible.builtin.")
                .or_else(|| key.strip_prefix("ansible.legacy."))
                .unwrap_or(key);
            let argument = |name: &str| -> Option<String> {
                match &value.kind {
                    Kind::Map(_) => value.get_str(name).map(str::to_string),
                    Kind::Scalar { value: v, .. } => shell_words(v)
                        .iter()
                        .find_map(|w| w.strip_prefix(&format!("{name}=")).map(str::to_string))
                        .or_else(|| {
                            // `include_tasks: file.yml`, `include: file.yml tags=a,b`
                            let words = shell_words(v);
                            let first = words.first().filter(|w| !w.contains('='))?;
                            (name == "file").then(|| first.to_string())
                        }),
                    Kind::Seq(_) => None,
                }
            };
            let step = match module {
                "template" => match argument("src") {
                    Some(src) if looped => Step::Unknown { src: Some(src) },
                    Some(src) => Step::Template {
                        src,
                        when: when.clone(),
                    },
                    None => Step::Unknown { src: None },
                },
                "include_role" | "import_role" => match argument("name") {
                    Some(name) if !looped => Step::Role {
                        name,
                        when: when.clone(),
                    },
                    _ => Step::Unknown { src: None },
                },
                "copy" if value.get("content").is_some() => {
                    let name = argument("dest")
                        .filter(|d| !d.contains("{{"))
                        .and_then(|d| Some(d.rsplit('/').next()?.to_string()))
                        .filter(|n| !n.is_empty());
                    match name {
                        Some(name) if !looped => Step::Inline {
                            name,
                            when: when.clone(),
                        },
                        _ => Step::Unknown { src: None },
                    }
                }
                "include_tasks" | "import_tasks" | "include" => match argument("file") {
                    Some(file) if !looped => Step::Include {
                        file,
                        when: when.clone(),
                    },
                    _ => Step::Unknown { src: None },
                },
                _ => continue,
            };
            out.push(step);
        }
    }
    out
}

/// Parse a YAML text's first document.
pub fn first_document(text: &str) -> Option<Node> {
    yaml::parse(text).documents.into_iter().next()
}

/// Whether a `when:` condition holds, given the variables a host has (`None` when the
/// condition uses anything but variables compared with literals, `is defined`, `not`,
/// `and`, `or`, `| bool` and parentheses).
pub fn holds(condition: &str, var: &dyn Fn(&str) -> Option<String>) -> Option<bool> {
    let unquoted = unquote_expressions(condition.trim());
    let c = unquoted.as_str();
    // Only `groups['NAME'][N]` of the subscripts is read.
    let other_subscript = without_group_indexes(c).contains('[');
    if c.contains("{{") || other_subscript {
        return None;
    }
    let c = strip_outer_parens(c);
    if let Some((a, b)) = split_top(c, " or ") {
        return match (holds(a, var), holds(b, var)) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        };
    }
    if let Some((a, b)) = split_top(c, " and ") {
        return match (holds(a, var), holds(b, var)) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        };
    }
    if let Some(rest) = c.strip_prefix("not ") {
        return holds(rest, var).map(|b| !b);
    }
    if let Some(name) = c.strip_suffix(" is defined") {
        return Some(var(name.trim()).is_some());
    }
    if let Some(name) = c.strip_suffix(" is not defined") {
        return Some(var(name.trim()).is_none());
    }
    for (op, equal) in [("==", true), ("!=", false)] {
        if let Some((a, b)) = c.split_once(op) {
            let left = value_of(a.trim(), var)?;
            let right = value_of(b.trim(), var)?;
            return Some((normal(&left) == normal(&right)) == equal);
        }
    }
    let name = c.strip_suffix("| bool").unwrap_or(c).trim();
    if !name
        .chars()
        .all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
    {
        return None;
    }
    // An undefined variable in a condition is an error in Ansible: not followed.
    truth(&var(name)?)
}

fn strip_outer_parens(c: &str) -> &str {
    let mut c = c.trim();
    // Only parentheses that enclose all of it: `(a) and (b)` keeps its own.
    while c.starts_with('(') && c.ends_with(')') {
        let mut depth = 0i32;
        let closes_early = c.char_indices().any(|(i, ch)| {
            match ch {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            depth == 0 && i + 1 < c.len()
        });
        if closes_early {
            break;
        }
        c = c[1..c.len() - 1].trim();
    }
    c
}

/// Split at the first `sep` outside parentheses and quotes.
fn split_top<'a>(c: &'a str, sep: &str) -> Option<(&'a str, &'a str)> {
    let mut depth = 0i32;
    let mut quote: Option<u8> = None;
    let bytes = c.as_bytes();
    for i in 0..bytes.len() {
        let b = bytes[i];
        match (quote, b) {
            (Some(q), b) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'(') => depth += 1,
            (None, b')') => depth -= 1,
            (None, _) if depth == 0 && c[i..].starts_with(sep) => {
                return Some((&c[..i], &c[i + sep.len()..]));
            }
            _ => {}
        }
    }
    None
}

/// A literal (`"master"`, `true`, `3`) or a variable's value.
/// `'{{ a }}' == '{{ b }}'` (an old way to write `a == b`): each quoted side that is one
/// Jinja expression is that expression.
fn unquote_expressions(c: &str) -> String {
    let mut out = c.to_string();
    for q in ['\'', '"'] {
        let open = format!("{q}{{{{");
        let close = format!("}}}}{q}");
        while let Some(start) = out.find(&open) {
            let Some(len) = out[start..].find(&close) else {
                break;
            };
            let inner = out[start + open.len()..start + len].trim().to_string();
            if inner.contains("{{") || inner.contains("}}") {
                break;
            }
            out.replace_range(start..start + len + close.len(), &inner);
        }
    }
    out
}

/// `c` with each `groups[…][…]` taken out.
fn without_group_indexes(c: &str) -> String {
    let mut out = c.to_string();
    while let Some(start) = out.find("groups[") {
        let rest = &out[start + "groups[".len()..];
        let Some(first) = rest.find(']') else { break };
        let after = &rest[first + 1..];
        let end = match after.strip_prefix('[').and_then(|a| a.find(']')) {
            Some(second) => start + "groups[".len() + first + 1 + 1 + second + 1,
            None => break,
        };
        out.replace_range(start..end, "group_host");
    }
    out
}

/// `groups['NAME'][N]` (or `groups["NAME"][N]`) as the key the host's variables hold it
/// under (`#groups[NAME][N]`).
fn groups_key(side: &str) -> Option<String> {
    let rest = side.strip_prefix("groups[")?;
    let (name, rest) = rest.split_once(']')?;
    let name = name.trim().trim_matches(['\'', '"']);
    let index = rest.strip_prefix('[')?.strip_suffix(']')?.trim();
    index.parse::<usize>().ok()?;
    Some(format!("#groups[{name}][{index}]"))
}

fn value_of(side: &str, var: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    value_at_depth(side, var, 0)
}

fn value_at_depth(
    side: &str,
    var: &dyn Fn(&str) -> Option<String>,
    depth: usize,
) -> Option<String> {
    let side = side.trim();
    if let Some(key) = groups_key(side) {
        return var(&key);
    }
    // A variable that holds one expression (`redis_master: "{{ groups['redis'][0] }}"`).
    let resolved = |v: String| -> Option<String> {
        match v
            .trim()
            .strip_prefix("{{")
            .and_then(|r| r.strip_suffix("}}"))
        {
            Some(inner) if depth < 3 && !inner.contains("{{") => {
                value_at_depth(inner, var, depth + 1)
            }
            Some(_) => None,
            None => Some(v),
        }
    };
    if let Some(s) = side
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| side.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
    {
        return Some(s.to_string());
    }
    if side.parse::<f64>().is_ok() || matches!(side, "true" | "false" | "True" | "False") {
        return Some(side.to_string());
    }
    let name = side.strip_suffix("| bool").unwrap_or(side).trim();
    if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return var(name).and_then(resolved);
    }
    None
}

fn normal(v: &str) -> String {
    match truth(v) {
        Some(b) => b.to_string(),
        None => v.to_string(),
    }
}

fn truth(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Some(true),
        "false" | "no" | "off" | "0" | "" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ini_groups_ranges_children_and_slices() {
        let inv = parse_ini(
            "[redis]\n10.0.0.[1:3] role=data\n\n[sentinel]\nsent0[1:2] redis_sentinel=True\n\n[all_redis:children]\nredis\nsentinel\n\n[redis:vars]\nport=6379\n",
        )
        .unwrap();
        assert_eq!(inv.select("redis").unwrap().len(), 3);
        assert_eq!(inv.select("sentinel").unwrap(), vec!["sent01", "sent02"]);
        assert_eq!(inv.select("all_redis").unwrap().len(), 5);
        assert_eq!(inv.select("all").unwrap().len(), 5);
        assert_eq!(inv.select("redis[0]").unwrap(), vec!["10.0.0.1"]);
        assert_eq!(inv.select("redis[1:]").unwrap().len(), 2);
        assert_eq!(inv.select("redis[0-1]").unwrap().len(), 2);
        assert_eq!(inv.select("redis:sentinel").unwrap().len(), 5);
        assert!(inv.select("redis:!sentinel").is_none());
        assert!(inv.select("nosuch").is_none());
        assert!(parse_ini("key = value\nother = 1\n").is_none());
        let vars = &inv.host_vars["sent01"];
        assert!(vars.contains(&("redis_sentinel".to_string(), "True".to_string())));
    }

    #[test]
    fn vagrant_writes_an_inventory_of_its_machines() {
        let text = "Vagrant.configure(\"2\") do |config|\n  (1..3).each do |i|\n    config.vm.define \"kv#{i}\" do |node|\n    end\n  end\n  config.vm.define :monitor\n  config.vm.provision \"ansible\" do |ansible|\n    ansible.playbook = \"site.yml\"\n    ansible.groups = {\n      \"kv\" => [\"kv[1:3]\"],\n      \"ops:children\" => [\"kv\"]\n    }\n  end\nend\n";
        let inv = parse_vagrantfile(text).unwrap();
        assert_eq!(inv.select("all").unwrap().len(), 4);
        assert_eq!(inv.select("kv").unwrap(), vec!["kv1", "kv2", "kv3"]);
        assert_eq!(inv.select("ops").unwrap().len(), 3);
        assert!(!inv.vars_incomplete);
        let own = text.replace(
            "ansible.playbook",
            "ansible.inventory_path = \"hosts\"\n    ansible.playbook",
        );
        assert!(parse_vagrantfile(&own).is_none());
        assert!(parse_vagrantfile("config.vm.define \"a\"\n").is_none());
    }

    #[test]
    fn yaml_inventories() {
        let doc = first_document(
            "all:\n  children:\n    cache:\n      hosts:\n        c1:\n        c2:\n          primary: true\n",
        )
        .unwrap();
        let inv = parse_yaml(&doc).unwrap();
        assert_eq!(inv.select("cache").unwrap(), vec!["c1", "c2"]);
        assert_eq!(inv.select("all").unwrap().len(), 2);
    }

    #[test]
    fn plays_roles_tasks_and_conditions() {
        let doc = first_document(
            "- hosts: redis\n  vars:\n    x: 1\n  roles:\n    - common\n    - { role: redis, when: redis_enabled }\n  tasks:\n    - block:\n        - template: src=sentinel.conf.j2 dest=/etc/redis/sentinel.conf\n      when: sentinel | bool\n    - ansible.builtin.template:\n        src: redis.conf.j2\n        dest: /etc/redis.conf\n      loop: [1, 2]\n",
        )
        .unwrap();
        let plays = plays(&doc).unwrap();
        assert_eq!(plays[0].hosts, "redis");
        assert!(
            matches!(&plays[0].steps[1], Step::Role { name, when } if name == "redis" && when == &["redis_enabled"])
        );
        assert!(
            matches!(&plays[0].steps[2], Step::Template { src, when } if src == "sentinel.conf.j2" && when == &["sentinel | bool"])
        );
        assert!(
            matches!(&plays[0].steps[3], Step::Unknown { src: Some(s) } if s == "redis.conf.j2")
        );
    }

    #[test]
    fn conditions_hold_or_are_unknown() {
        let vars = |n: &str| match n {
            "redis_sentinel_server" => Some("true".to_string()),
            "role" => Some("replica".to_string()),
            _ => None,
        };
        assert_eq!(
            holds(
                "(redis_sentinel_server is defined) and (redis_sentinel_server == true)",
                &vars
            ),
            Some(true)
        );
        assert_eq!(holds("role == 'master'", &vars), Some(false));
        assert_eq!(holds("role != \"master\"", &vars), Some(true));
        assert_eq!(
            holds("not redis_sentinel_server | bool", &vars),
            Some(false)
        );
        assert_eq!(holds("other is not defined", &vars), Some(true));
        assert_eq!(holds("other", &vars), None);
        assert_eq!(holds("((role == 'replica'))", &vars), Some(true));
        assert_eq!(
            holds("(role == 'master') or (redis_sentinel_server)", &vars),
            Some(true)
        );
        assert_eq!(
            holds("inventory_hostname == groups['redis'][0]", &vars),
            None
        );
        // With the inventory's groups: the first host of `redis` is this one.
        let on_first = |n: &str| match n {
            "inventory_hostname" => Some("redis1".to_string()),
            "#groups[redis][0]" => Some("redis1".to_string()),
            "#groups[redis][1]" => Some("redis2".to_string()),
            "redis_master" => Some("{{ groups['redis'][0] }}".to_string()),
            _ => None,
        };
        assert_eq!(
            holds("inventory_hostname == groups['redis'][0]", &on_first),
            Some(true)
        );
        assert_eq!(
            holds("inventory_hostname == groups[\"redis\"][1]", &on_first),
            Some(false)
        );
        assert_eq!(
            holds(
                "'{{ inventory_hostname }}' == '{{ redis_master }}'",
                &on_first
            ),
            Some(true)
        );
        assert_eq!(
            holds("inventory_hostname != redis_master", &on_first),
            Some(false)
        );
        // Facts of the host that the tree does not hold stay unknown.
        assert_eq!(
            holds(
                "'{{ ansible_eth0.ipv4.address }}' == '{{ redis_master }}'",
                &on_first
            ),
            None
        );
    }
}
