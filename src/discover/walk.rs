//! The parallel directory walk, and what it lists on the way for the settings lookup.

use super::{is_candidate, wanted_by_name, ListedDir};
use ignore::WalkBuilder;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What one walk found. Paths are as walked (under the root as given).
pub struct Walked {
    pub files: Vec<PathBuf>,
    pub notes: Vec<String>,
    pub errors: Vec<String>,
    /// Present when the walk listed directories (`list` was set).
    pub listing: Option<Listing>,
}

/// Every directory the walk entered, the settings files and `.git` entries it saw in
/// them, and the ignore files of the tree.
#[derive(Default)]
pub struct Listing {
    dirs: Vec<PathBuf>,
    /// (directory, settings file) — `None` for a `.git` entry.
    markers: Vec<(PathBuf, Option<PathBuf>)>,
    pub ignore_files: Vec<PathBuf>,
}

impl Listing {
    /// Directories holding a `.git` (repositories whose `info/exclude` applies).
    pub fn repos(&self) -> Vec<PathBuf> {
        self.markers
            .iter()
            .filter(|(_, file)| file.is_none())
            .map(|(dir, _)| dir.clone())
            .collect()
    }

    pub fn into_dirs(self) -> Vec<ListedDir> {
        let mut dirs: HashMap<PathBuf, ListedDir> = self
            .dirs
            .into_iter()
            .map(|dir| {
                let listed = ListedDir {
                    dir: dir.clone(),
                    settings_file: None,
                    git: false,
                };
                (dir, listed)
            })
            .collect();
        // A marker's directory was always entered (its entries were listed).
        for (dir, file) in self.markers {
            let Some(listed) = dirs.get_mut(&dir) else {
                continue;
            };
            match file {
                None => listed.git = true,
                // `redis-halint.toml` before `.redis-halint.toml`, as the lookup prefers.
                Some(file) => {
                    let better = listed
                        .settings_file
                        .as_deref()
                        .is_none_or(|old| settings_rank(&file) < settings_rank(old));
                    if better {
                        listed.settings_file = Some(file);
                    }
                }
            }
        }
        dirs.into_values().collect()
    }
}

/// Which of the settings names this is (the lookup tries them in order).
fn settings_rank(path: &Path) -> Option<usize> {
    let name = path.file_name()?.to_str()?;
    crate::settings::CONFIG_NAMES
        .iter()
        .position(|n| same_name(name, n))
}

/// File names as the file system compares them: without case on macOS and Windows,
/// where a lookup of `redis-halint.toml` also finds `Redis-Halint.toml`.
fn same_name(a: &str, b: &str) -> bool {
    if cfg!(any(target_os = "macos", windows)) {
        a.eq_ignore_ascii_case(b)
    } else {
        a == b
    }
}

enum Found {
    File(PathBuf),
    Note(String),
    Error(String),
    Dir(PathBuf),
    Marker(PathBuf, Option<PathBuf>),
    IgnoreFile(PathBuf),
}

/// Walk `root`. With `list`, hidden entries are skipped by our own filter rather than the
/// walker's, so the settings files, `.git` and ignore files of each directory are seen
/// on the way; without it, the walker skips them itself (and an ignore rule's negation
/// can bring a hidden entry back, which `list` mode cannot tell).
pub fn walk(root: &Path, list: bool) -> Walked {
    let (tx, rx) = crossbeam_channel::unbounded();
    let markers = tx.clone();
    let walker = WalkBuilder::new(root)
        .follow_links(true)
        .require_git(false)
        .hidden(!list)
        .threads(rayon::current_num_threads())
        .filter_entry(move |e| {
            let name = e.file_name().to_string_lossy();
            if !list {
                return !matches!(name.as_ref(), ".git" | "target" | "node_modules");
            }
            if e.depth() == 0 {
                return true;
            }
            let parent = || e.path().parent().unwrap_or(Path::new("")).to_path_buf();
            if same_name(&name, ".git") {
                let _ = markers.send(Found::Marker(parent(), None));
            } else if super::ignore_files::IGNORE_FILE_NAMES.contains(&name.as_ref()) {
                let _ = markers.send(Found::IgnoreFile(e.path().to_path_buf()));
            } else if settings_rank(e.path()).is_some()
                && e.file_type().is_some_and(|t| t.is_file())
            {
                let _ = markers.send(Found::Marker(parent(), Some(e.path().to_path_buf())));
            }
            // A hidden env file (`.env`) is read: compose files take values from it.
            let env_file = e.file_type().is_some_and(|t| t.is_file())
                && crate::formats::compose::is_env_file(e.path());
            !((name.starts_with('.') && !env_file) || name == "target" || name == "node_modules")
        })
        .build_parallel();
    walker.run(|| {
        let tx = tx.clone();
        Box::new(move |entry| {
            let found = match entry {
                Ok(entry) => match entry.file_type() {
                    Some(kind) if kind.is_dir() => list.then(|| Found::Dir(entry.into_path())),
                    Some(kind) if kind.is_file() => {
                        is_candidate(entry.path()).then(|| Found::File(entry.into_path()))
                    }
                    // A FIFO, socket or device named like a config: never opened (a FIFO
                    // would block), but said.
                    Some(_) if wanted_by_name(entry.path()) == Some(true) => Some(Found::Note(
                        format!("skipped {}: not a regular file", entry.path().display()),
                    )),
                    _ => None,
                },
                Err(e) => Some(Found::Error(format!("cannot walk {}: {e}", root.display()))),
            };
            if let Some(found) = found {
                let _ = tx.send(found);
            }
            ignore::WalkState::Continue
        })
    });
    drop(tx);
    let mut walked = Walked {
        files: Vec::new(),
        notes: Vec::new(),
        errors: Vec::new(),
        listing: list.then(Listing::default),
    };
    for found in rx {
        match found {
            Found::File(path) => walked.files.push(path),
            Found::Note(note) => walked.notes.push(note),
            Found::Error(error) => walked.errors.push(error),
            Found::Dir(path) => listing(&mut walked).dirs.push(path),
            Found::Marker(dir, file) => listing(&mut walked).markers.push((dir, file)),
            Found::IgnoreFile(path) => listing(&mut walked).ignore_files.push(path),
        }
    }
    walked
}

fn listing(walked: &mut Walked) -> &mut Listing {
    walked.listing.get_or_insert_with(Listing::default)
}
