//! Files an Ansible task writes from text of its own (`copy: {content: |…, dest: …}`,
//! a systemd unit or a config written inline in a playbook): each is read as the file
//! it writes, beside the playbook and under the destination's name, with its Jinja
//! markup made neutral. Findings point into the playbook.

use super::*;
use crate::syntax::yaml::Node;

/// The modules that write `content` to `dest`.
const COPY_MODULES: [&str; 3] = ["copy", "ansible.builtin.copy", "ansible.legacy.copy"];

/// The keys of a play or a task that hold more tasks.
const TASK_LISTS: [&str; 7] = [
    "tasks",
    "pre_tasks",
    "post_tasks",
    "handlers",
    "block",
    "rescue",
    "always",
];

impl Workspace {
    /// Read the inline files of every playbook and task file of the tree (see the module
    /// comment), unless a file of that name is in the playbook's folder already.
    pub fn render_inline_copies(&mut self) {
        let mut found: Vec<(PathBuf, FileId, yaml::Embedded)> = Vec::new();
        for (path, &id) in &self.by_path {
            if !crate::formats::detect::is_yaml_path(path) || self.rendered.contains_key(&id) {
                continue;
            }
            let Some(entry) = self.entries.get(&id) else {
                continue;
            };
            let text = entry.source.text();
            // Cheap test before parsing: only files that copy inline content.
            if !(text.contains("content:") && text.contains("copy")) {
                continue;
            }
            let parsed = yaml::parse(text);
            let Some(doc) = parsed.documents.first() else {
                continue;
            };
            let mut copies = Vec::new();
            inline_copies(doc, &mut copies);
            // A file the same play deletes again (a scratch file a check writes) is no
            // config any process keeps running from.
            let mut removed = Vec::new();
            removed_paths(doc, &mut removed);
            copies.retain(|(dest, _)| !removed.contains(dest));
            let dir = path.parent().unwrap_or(Path::new(""));
            for (dest, content) in copies {
                let Some(name) = Path::new(dest).file_name() else {
                    continue;
                };
                let written = dir.join(name);
                if self.by_path.contains_key(&written) || found.iter().any(|f| f.0 == written) {
                    continue;
                }
                if let Some(embedded) = yaml::embedded(text, content) {
                    found.push((written, id, embedded));
                }
            }
        }
        found.sort_by(|a, b| a.0.cmp(&b.0));
        for (written, playbook, embedded) in found {
            let text = crate::syntax::jinja::mask(&embedded.text);
            let info = helm::RenderInfo::embedded(playbook, text.clone(), &embedded.pieces);
            let id = self.set_file(written, text, false);
            self.rendered.insert(id, Arc::new(info));
        }
    }
}

/// The modules that delete a path with `state: absent`.
const FILE_MODULES: [&str; 3] = ["file", "ansible.builtin.file", "ansible.legacy.file"];

/// The paths that `file: {state: absent}` tasks among the plays or tasks of `node`
/// delete.
fn removed_paths<'a>(node: &'a Node, out: &mut Vec<&'a str>) {
    for item in node.as_seq().unwrap_or_default() {
        for key in TASK_LISTS {
            if let Some(inner) = item.get(key) {
                removed_paths(inner, out);
            }
        }
        let Some(args) = FILE_MODULES.iter().find_map(|m| item.get(m)) else {
            continue;
        };
        if args.get_str("state") != Some("absent") {
            continue;
        }
        let Some(path) = ["path", "dest", "name"]
            .iter()
            .find_map(|k| args.get_str(k))
        else {
            continue;
        };
        // `path: "{{ item }}"` over a `loop:` (or `with_items:`) of paths.
        if path.replace(' ', "") == "{{item}}" {
            let items = ["loop", "with_items"].iter().find_map(|k| item.get(k));
            out.extend(
                items
                    .and_then(Node::as_seq)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(Node::as_str),
            );
        } else {
            out.push(path);
        }
    }
}

/// The (`dest`, `content`) of every copy task with inline content among the plays or
/// tasks of `node`, blocks included.
fn inline_copies<'a>(node: &'a Node, out: &mut Vec<(&'a str, &'a Node)>) {
    for item in node.as_seq().unwrap_or_default() {
        for key in TASK_LISTS {
            if let Some(inner) = item.get(key) {
                inline_copies(inner, out);
            }
        }
        let module = COPY_MODULES.iter().find_map(|m| item.get(m));
        let Some(args) = module else {
            continue;
        };
        let (Some(dest), Some(content)) = (args.get_str("dest"), args.get("content")) else {
            continue;
        };
        // A destination named by a variable says nothing about what the file is.
        if content.as_str().is_some() && !crate::syntax::jinja::has_markup(dest) {
            out.push((dest, content));
        }
    }
}
