//! Ansible tasks that put a file of the tree onto the hosts (`template:`, `copy:`), and
//! what each run of the play does with it: writes it again whenever the host's copy
//! differs (unless `force: no`), then restarts the service when a handler or a later task
//! reacts to the change.

use crate::syntax::yaml::{Kind, Node};
use std::ops::Range;

/// The modules that deploy a file of the tree, with the role folder their `src` is in.
const DEPLOYING_MODULES: [(&str, &str); 4] = [
    ("template", "templates"),
    ("ansible.builtin.template", "templates"),
    ("copy", "files"),
    ("ansible.builtin.copy", "files"),
];

/// One `template:` / `copy:` task with a `src` of the tree.
#[derive(Debug, Clone)]
pub struct DeployTask {
    /// The role folder `src` is looked up in (`templates`, `files`).
    pub folder: &'static str,
    pub src: String,
    pub dest: String,
    /// The module key of the task.
    pub module: Range<usize>,
    /// `force: no`: the file is written only when the host has none.
    pub keeps_existing: bool,
    /// What restarts the service when the task changed the file: its `notify:` naming a
    /// restart, or a later task that restarts on the task's registered result.
    pub restart: Option<Range<usize>>,
}

/// Every deploying task of a playbook or a tasks file (in blocks and plays too).
pub fn deploying_tasks(node: &Node) -> Vec<DeployTask> {
    let mut out = Vec::new();
    collect(node, &mut out);
    out
}

fn collect(node: &Node, out: &mut Vec<DeployTask>) {
    match &node.kind {
        Kind::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                if let Some(task) = deploy_task(item, &items[i + 1..]) {
                    out.push(task);
                } else {
                    collect(item, out);
                }
            }
        }
        Kind::Map(entries) => {
            for (_, value) in entries {
                collect(value, out);
            }
        }
        Kind::Scalar { .. } => {}
    }
}

/// `task` read as a deploying task; `later` are the tasks after it in its list.
fn deploy_task(task: &Node, later: &[Node]) -> Option<DeployTask> {
    let (key, value, folder) = task.entries().find_map(|(k, v)| {
        let name = k.as_str()?;
        let (_, folder) = DEPLOYING_MODULES.iter().find(|(m, _)| *m == name)?;
        Some((k, v, *folder))
    })?;
    let argument = |name: &str| -> Option<String> {
        match &value.kind {
            Kind::Map(_) => value.get_str(name).map(str::to_string),
            // `src=a.j2 dest=/etc/a.conf`, on one line or folded; a quoted value may
            // hold spaces (`src="{{ tpl }}"`).
            Kind::Scalar { value: line, .. } => {
                super::ansible::shell_words(line).iter().find_map(|w| {
                    w.strip_prefix(&format!("{name}="))
                        .map(|v| v.trim_matches(['"', '\'']).to_string())
                })
            }
            Kind::Seq(_) => None,
        }
    };
    let src = argument("src")?;
    let dest = argument("dest")?;
    let keeps_existing = argument("force")
        .or_else(|| {
            value
                .get("force")
                .and_then(Node::as_str)
                .map(str::to_string)
        })
        .is_some_and(|f| matches!(f.to_ascii_lowercase().as_str(), "no" | "false" | "0"));
    Some(DeployTask {
        folder,
        src,
        dest,
        module: key.span.clone(),
        keeps_existing,
        restart: restart_of(task, later),
    })
}

/// A task that makes a host a replica by the play's own choice: a `lineinfile` /
/// `blockinfile` / `replace` that writes `replicaof` (or `slaveof`) into a config, or a
/// command that runs `redis-cli … replicaof`, under a `when:` that picks the hosts (the
/// inventory's master is left out).
#[derive(Debug, Clone)]
pub struct ReplicationEdit {
    /// The module key of the task.
    pub module: Range<usize>,
    /// The `when:` that picks the hosts.
    pub when: Range<usize>,
    /// What restarts the server when the edit changed its config (none for a command:
    /// it takes effect at once).
    pub restart: Option<Range<usize>>,
    /// A command run against the live server, not an edit of its config.
    pub live: bool,
}

const EDITING_MODULES: [&str; 3] = ["lineinfile", "blockinfile", "replace"];

/// Every replication edit of a playbook or a tasks file (in blocks and plays too).
pub fn replication_edits(node: &Node) -> Vec<ReplicationEdit> {
    let mut out = Vec::new();
    collect_edits(node, &mut out);
    out
}

fn collect_edits(node: &Node, out: &mut Vec<ReplicationEdit>) {
    match &node.kind {
        Kind::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                match replication_edit(item, &items[i + 1..]) {
                    Some(edit) => out.push(edit),
                    None => collect_edits(item, out),
                }
            }
        }
        Kind::Map(entries) => {
            for (_, value) in entries {
                collect_edits(value, out);
            }
        }
        Kind::Scalar { .. } => {}
    }
}

fn replication_edit(task: &Node, later: &[Node]) -> Option<ReplicationEdit> {
    let when = task.get("when")?;
    let conditions: Vec<&str> = match &when.kind {
        Kind::Scalar { .. } => when.as_str().into_iter().collect(),
        Kind::Seq(items) => items.iter().filter_map(Node::as_str).collect(),
        Kind::Map(_) => Vec::new(),
    };
    // A condition on the role the server or the sentinels report (`'role:master' in
    // info.stdout`) asks the live state; one on the inventory or the host's addresses
    // does not.
    let asks_live = |c: &str| {
        let c = c.to_ascii_lowercase();
        ["role:", "master_link"].iter().any(|w| c.contains(w))
    };
    if conditions.is_empty() || conditions.iter().any(|c| asks_live(c)) {
        return None;
    }
    let names_replication = |text: &str| {
        text.lines().any(|line| {
            let line = line.trim_start().to_ascii_lowercase();
            line.starts_with("replicaof ") || line.starts_with("slaveof ")
        })
    };
    task.entries().find_map(|(k, v)| {
        let module = k.as_str()?;
        let module = module.strip_prefix("ansible.builtin.").unwrap_or(module);
        let text = |names: &[&str]| -> Option<String> {
            match &v.kind {
                Kind::Map(_) => names.iter().find_map(|n| v.get_str(n)).map(str::to_string),
                Kind::Scalar { .. } => {
                    let line = v.as_str()?;
                    super::ansible::shell_words(line).iter().find_map(|w| {
                        names.iter().find_map(|n| {
                            w.strip_prefix(&format!("{n}="))
                                .map(|v| v.trim_matches(['"', '\'']).to_string())
                        })
                    })
                }
                Kind::Seq(_) => None,
            }
        };
        // A master taken from what a task asked at run time (`{{ current.stdout }}`) is
        // the live one, not the inventory's.
        let pinned = |written: &str| !written.contains("stdout");
        if EDITING_MODULES.contains(&module) {
            let written = text(&["line", "block", "replace"])?;
            return (names_replication(&written) && pinned(&written)).then(|| ReplicationEdit {
                module: k.span.clone(),
                when: when.span.clone(),
                restart: restart_of(task, later),
                live: false,
            });
        }
        if matches!(module, "shell" | "command") {
            let command = v.as_str().map(str::to_string).or_else(|| text(&["cmd"]))?;
            let lower = command.to_ascii_lowercase();
            let live = lower.contains("redis-cli")
                && pinned(&lower)
                && lower
                    .split_whitespace()
                    .any(|w| w == "replicaof" || w == "slaveof");
            return live.then(|| ReplicationEdit {
                module: k.span.clone(),
                when: when.span.clone(),
                restart: None,
                live: true,
            });
        }
        None
    })
}

/// What restarts the service after `task` changed its file: a `notify:` naming a restart
/// (the handler's name is all a task file says of it), or a later task that runs when
/// the task's registered result changed and restarts something.
fn restart_of(task: &Node, later: &[Node]) -> Option<Range<usize>> {
    if let Some(notify) = task.get("notify") {
        let names: Vec<&str> = match &notify.kind {
            Kind::Scalar { .. } => notify.as_str().into_iter().collect(),
            Kind::Seq(items) => items.iter().filter_map(Node::as_str).collect(),
            Kind::Map(_) => Vec::new(),
        };
        if names
            .iter()
            .any(|n| n.to_ascii_lowercase().contains("restart"))
        {
            return Some(notify.span.clone());
        }
    }
    let registered = task.get_str("register")?;
    later.iter().find_map(|next| {
        let when = next.get("when")?;
        let conditions: Vec<&str> = match &when.kind {
            Kind::Scalar { .. } => when.as_str().into_iter().collect(),
            Kind::Seq(items) => items.iter().filter_map(Node::as_str).collect(),
            Kind::Map(_) => Vec::new(),
        };
        let on_change = conditions.iter().any(|c| {
            c.contains(&format!("{registered}.changed"))
                || c.contains(&format!("{registered} is changed"))
        });
        (on_change && restarts(next)).then(|| when.span.clone())
    })
}

/// A task that restarts a service: `service` / `systemd` with `state: restarted`, or a
/// command that runs `systemctl restart` / `service … restart`.
fn restarts(task: &Node) -> bool {
    task.entries().any(|(k, v)| {
        let Some(module) = k.as_str() else {
            return false;
        };
        let module = module.strip_prefix("ansible.builtin.").unwrap_or(module);
        match module {
            "service" | "systemd" | "systemd_service" => {
                v.get_str("state") == Some("restarted")
                    || v.as_str().is_some_and(|s| s.contains("state=restarted"))
            }
            "shell" | "command" => v
                .as_str()
                .or_else(|| v.get_str("cmd"))
                .is_some_and(|c| c.contains("restart")),
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tasks(text: &str) -> Vec<DeployTask> {
        let doc = crate::syntax::yaml::parse(text).documents.remove(0);
        deploying_tasks(&doc)
    }

    #[test]
    fn a_template_that_notifies_a_restart() {
        let found = tasks(
            "- name: sentinel config\n  template:\n    src: sentinel.conf.j2\n    dest: /etc/redis/sentinel.conf\n  notify: Restart sentinel\n",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].src, "sentinel.conf.j2");
        assert_eq!(found[0].dest, "/etc/redis/sentinel.conf");
        assert!(found[0].restart.is_some() && !found[0].keeps_existing);
    }

    #[test]
    fn a_registered_change_that_a_later_task_restarts_on() {
        let found = tasks(
            "- template: src=\"{{ tpl }}\" dest=/etc/s.conf\n  register: conf\n- debug: msg=hi\n- shell: systemctl restart redis-sentinel\n  when: conf.changed\n",
        );
        assert!(found[0].restart.is_some());
        assert_eq!(found[0].src, "{{ tpl }}");
        // Reported, not restarted: nothing restarts on the change.
        let found = tasks(
            "- template: src=s.j2 dest=/etc/s.conf\n  register: conf\n- debug: var=conf\n  when: conf.changed\n",
        );
        assert!(found[0].restart.is_none());
    }

    #[test]
    fn replication_written_for_the_hosts_a_condition_picks() {
        let doc = crate::syntax::yaml::parse(
            "- lineinfile:\n    dest: /etc/redis/redis.conf\n    line: \"replicaof {{ master }} 6379\"\n  when: master not in host_ips\n  notify: Restart Redis\n- lineinfile: dest=/etc/r.conf line=\"slaveof {{ m }} 6379\"\n  when: inventory_hostname != m\n- shell: redis-cli -p 6379 SLAVEOF {{ m }} 6379\n  when: role == 'replica'\n- shell: redis-cli replicaof {{ m }} 6379\n  when: \"'role:master' in info.stdout\"\n- lineinfile: dest=/etc/r.conf line=\"maxmemory 1gb\"\n  when: big\n- lineinfile: dest=/etc/r.conf line=\"replicaof a 1\"\n",
        )
        .documents
        .remove(0);
        let found = replication_edits(&doc);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].restart.is_some() && !found[0].live);
        assert!(found[1].restart.is_none() && !found[1].live);
        assert!(found[2].live);
    }

    #[test]
    fn force_no_keeps_the_hosts_copy() {
        let found = tasks(
            "- block:\n    - template:\n        src: s.j2\n        dest: /etc/s.conf\n        force: no\n      notify: restart sentinel\n",
        );
        assert_eq!(found.len(), 1);
        assert!(found[0].keeps_existing);
    }
}
