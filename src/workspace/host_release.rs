//! The release the tree's provisioned hosts install (see
//! [`crate::knowledge::host_release`]), read once from its provisioning files.

use super::*;

impl Workspace {
    /// The release processes on the tree's hosts run, where the provisioning files
    /// (a Vagrantfile, shell scripts, Ansible tasks and playbooks, Salt states, Puppet
    /// manifests) agree on one, at the place that names it.
    pub(super) fn host_release(
        &self,
        installs: &Installs,
    ) -> Option<crate::source::Spanned<crate::knowledge::Target>> {
        let (ids, files) = installs;
        let (release, n, range) = crate::knowledge::host_release::decide(files)?;
        Some(crate::source::Spanned::with_origin(
            release,
            Span::new(ids[n], range.start, range.end),
            crate::source::Origin::Implied,
        ))
    }

    /// Where the tree installs Debian's or Ubuntu's `redis-server` package, whose own
    /// unit restarts the server (see [`crate::knowledge::host_release::apt_server_unit`]).
    pub(super) fn host_apt_server(&self, installs: &Installs) -> Option<Span> {
        let (ids, files) = installs;
        let (n, range) = crate::knowledge::host_release::apt_server_unit(files)?;
        Some(Span::new(ids[n], range.start, range.end))
    }

    /// What each provisioning file of the tree says it installs, read once.
    pub(super) fn host_installs(&self) -> Installs {
        use crate::knowledge::host_release::read;
        let mut files: Vec<(usize, Vec<crate::knowledge::host_release::Install>)> = Vec::new();
        let ids = self.sorted_ids();
        for (n, id) in ids.iter().enumerate() {
            let path = &self.entries[id].source.path;
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or_default();
            // Only these kinds of file are read (never a released config's text).
            let yaml = crate::formats::detect::is_yaml_path(path);
            if !(crate::formats::launch::is_host_provisioning(path)
                || ext == "sh"
                || ext == "bash"
                || yaml)
            {
                continue;
            }
            let text = self.entries[id].source.text();
            let in_tasks = path
                .parent()
                .and_then(Path::file_name)
                .is_some_and(|d| d == "tasks");
            if yaml && !(in_tasks || text.contains("hosts:")) {
                continue;
            }
            let found = read(text);
            if !found.is_empty() {
                files.push((n, found));
            }
        }
        (ids, files)
    }
}

/// The files of the tree in order, and what those that provision hosts install (by index
/// into the first).
pub(super) type Installs = (
    Vec<FileId>,
    Vec<(usize, Vec<crate::knowledge::host_release::Install>)>,
);
