//! systemd units and drop-ins: which settings a service ends up with once its drop-ins
//! (`foo.service.d/*.conf`, applied in file-name order after the unit) are read, and the
//! redis command its `ExecStart=` runs.

use crate::facts::service::{Candidate, PathEntry, Service, Setting};
use crate::formats::script::Vars;
use crate::knowledge::cmdline::CommandLine;
use crate::source::{FileId, Span, Spanned};
use crate::syntax::systemd::{self, split_exec, Entry, UnitTree};
use std::path::Path;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    Unit,
    DropIn,
}

/// Units and drop-ins by path: `*.service` (also as a template source: `.service.j2`, `.in`,
/// `.tpl`, `.template`), and `*.conf` inside a `*.service.d` directory.
pub fn unit_kind(path: &Path) -> Option<UnitKind> {
    let name = path.file_name()?.to_string_lossy();
    let parent = path
        .parent()
        .and_then(|p| p.file_name())
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    if parent.ends_with(".service.d") && name.ends_with(".conf") {
        return Some(UnitKind::DropIn);
    }
    let stem = [".j2", ".in", ".tpl", ".template"]
        .iter()
        .find_map(|ext| name.strip_suffix(ext))
        .unwrap_or(&name);
    stem.ends_with(".service").then_some(UnitKind::Unit)
}

/// A unit or drop-in, read from a file of the tree or from a script's here-document.
#[derive(Debug)]
pub struct UnitFile {
    pub file: FileId,
    pub kind: UnitKind,
    /// Where systemd reads it: the file's path, or the path a script writes it to.
    pub path: String,
    pub tree: UnitTree,
    /// The variables of the script that writes it, to expand `$VAR` in its values.
    pub vars: Option<Arc<Vars>>,
    /// Where to point for what the unit lacks when it has no `[Service]` section.
    pub start: usize,
}

impl UnitFile {
    pub fn parse(file: FileId, path: &str, kind: UnitKind, text: &str) -> UnitFile {
        UnitFile {
            file,
            kind,
            path: path.to_string(),
            tree: systemd::parse(text, 0),
            vars: None,
            start: 0,
        }
    }

    /// The unit a drop-in belongs to, or the unit's own name.
    pub fn unit_name(&self) -> String {
        let path = Path::new(&self.path);
        let name = match self.kind {
            UnitKind::Unit => path.file_name(),
            UnitKind::DropIn => path.parent().and_then(|p| p.file_name()),
        };
        let name = name.map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let name = name.strip_suffix(".d").unwrap_or(&name);
        [".j2", ".in", ".tpl", ".template"]
            .iter()
            .find_map(|ext| name.strip_suffix(ext))
            .unwrap_or(name)
            .to_string()
    }

    fn span(&self, range: std::ops::Range<usize>) -> Span {
        Span::new(self.file, range.start, range.end)
    }

    fn setting(&self, entry: &Entry) -> Setting {
        Setting {
            key: self.span(entry.key_range.clone()),
            value: Spanned::new(entry.value.to_string(), self.span(entry.value_range())),
        }
    }

    fn service_entries(&self) -> impl Iterator<Item = &Entry> {
        self.tree
            .sections
            .iter()
            .filter(|s| s.name == "Service")
            .flat_map(|s| s.entries.iter())
    }
}

/// The service a unit and its drop-ins describe, and the command its `ExecStart=` runs
/// (with the values its config argument may take).
pub fn service(
    unit: Option<&UnitFile>,
    dropins: &[&UnitFile],
) -> (Service, Option<(CommandLine, Vec<Candidate>)>) {
    let first = unit
        .or(dropins.first().copied())
        .expect("a unit or a drop-in");
    let anchor = first
        .tree
        .sections
        .iter()
        .find(|s| s.name == "Service")
        .map_or_else(
            || first.span(first.start..first.start),
            |s| first.span(s.header.clone()),
        );
    let mut service = Service {
        file: first.file,
        name: first.unit_name(),
        anchor,
        complete: unit.is_some(),
        exec_start: None,
        process: None,
        service_type: None,
        user: None,
        restart: None,
        pid_file: None,
        protect_system: None,
        protect_home: None,
        private_tmp: None,
        read_write_paths: Vec::new(),
        read_only_paths: Vec::new(),
        inaccessible_paths: Vec::new(),
        memory_max: None,
        memory_limit: None,
        limit_nofile: None,
    };
    let mut exec: Option<(&UnitFile, &Entry)> = None;
    for file in unit.into_iter().chain(dropins.iter().copied()) {
        for entry in file.service_entries() {
            let set = |slot: &mut Option<Setting>| {
                *slot = (!entry.value.is_empty()).then(|| file.setting(entry));
            };
            match entry.key.as_str() {
                "ExecStart" => {
                    // An empty assignment resets the list; a service keeps its last command.
                    exec = (!entry.value.is_empty()).then_some((file, entry));
                    set(&mut service.exec_start);
                }
                "Type" => set(&mut service.service_type),
                "User" => set(&mut service.user),
                "Restart" => set(&mut service.restart),
                "PIDFile" => set(&mut service.pid_file),
                "ProtectSystem" => set(&mut service.protect_system),
                "ProtectHome" => set(&mut service.protect_home),
                "PrivateTmp" => set(&mut service.private_tmp),
                "MemoryMax" => set(&mut service.memory_max),
                "MemoryLimit" => set(&mut service.memory_limit),
                "LimitNOFILE" => set(&mut service.limit_nofile),
                "ReadWritePaths" | "ReadWriteDirectories" => {
                    paths(file, entry, &mut service.read_write_paths)
                }
                "ReadOnlyPaths" | "ReadOnlyDirectories" => {
                    paths(file, entry, &mut service.read_only_paths)
                }
                "InaccessiblePaths" | "InaccessibleDirectories" => {
                    paths(file, entry, &mut service.inaccessible_paths)
                }
                _ => {}
            }
        }
    }
    let process = exec.and_then(|(file, entry)| command(file, entry));
    (service, process)
}

/// Append the paths of a `…Paths=` entry (an empty one clears the list).
fn paths(file: &UnitFile, entry: &Entry, out: &mut Vec<PathEntry>) {
    if entry.value.is_empty() {
        out.clear();
        return;
    }
    let (_, words) = split_exec(&entry.value);
    for word in words {
        let path = word.value.trim_start_matches(['-', '+']).to_string();
        out.push(PathEntry {
            path,
            span: file.span(entry.value_span(word.range)),
            key: entry.key.to_string(),
        });
    }
}

fn command(file: &UnitFile, entry: &Entry) -> Option<(CommandLine, Vec<Candidate>)> {
    let (prefix, words) = split_exec(&entry.value);
    let spanned: Vec<Spanned<String>> = words
        .iter()
        .map(|w| {
            Spanned::new(
                w.value.clone(),
                file.span(entry.value_span(w.range.clone())),
            )
        })
        .collect();
    // With `@`, the second word is argv[0] (what Redis looks at for sentinel mode).
    let argv = if prefix.argv0 && spanned.len() > 1 {
        &spanned[1..]
    } else {
        &spanned[..]
    };
    let line = CommandLine::parse(argv, file.span(entry.range.clone()))?;
    let candidates = match (&line.config, &file.vars) {
        (Some(config), Some(vars)) => vars.expand(&config.value),
        (Some(config), None) => crate::formats::script::literal(&config.value),
        (None, _) => Vec::new(),
    };
    Some((line, candidates))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drop_ins_override_and_reset() {
        let unit = UnitFile::parse(
            FileId(0),
            "etc/systemd/system/redis-sentinel.service",
            UnitKind::Unit,
            "[Service]\nExecStart=/usr/bin/redis-sentinel /etc/redis/sentinel.conf\nReadWritePaths=/var/lib/redis\nMemoryLimit=1G\n",
        );
        let dropin = UnitFile::parse(
            FileId(1),
            "etc/systemd/system/redis-sentinel.service.d/override.conf",
            UnitKind::DropIn,
            "[Service]\nReadWritePaths=\nReadWritePaths=/etc/redis\nMemoryLimit=\nMemoryMax=2G\n",
        );
        assert_eq!(dropin.unit_name(), "redis-sentinel.service");
        let (service, process) = service(Some(&unit), &[&dropin]);
        assert_eq!(service.read_write_paths.len(), 1);
        assert_eq!(service.read_write_paths[0].path, "/etc/redis");
        assert_eq!(service.read_write_paths[0].span.file, FileId(1));
        assert!(service.memory_limit.is_none());
        let (line, candidates) = process.unwrap();
        assert!(line.sentinel_by_name);
        assert_eq!(candidates[0].value, "/etc/redis/sentinel.conf");
    }

    #[test]
    fn kinds_by_path() {
        assert_eq!(
            unit_kind(Path::new("a/redis@.service")),
            Some(UnitKind::Unit)
        );
        assert_eq!(
            unit_kind(Path::new("a/redis.service.d/10-limits.conf")),
            Some(UnitKind::DropIn)
        );
        assert_eq!(unit_kind(Path::new("a/redis.conf")), None);
    }
}
