//! Finding and reading the input files: explicit files, directory walks (.gitignore
//! aware, skipping `.git` and `target`), and `-` for stdin. Reading is parallel.
//! Nothing is printed here: errors and notes are returned to the caller.

mod ignore_files;
mod walk;

use crate::formats::detect::{name_hint, NameHint};
use crate::formats::script::has_shell_shebang;
use crate::formats::systemd::unit_kind;
use crate::source::DiskStamp;
use rayon::prelude::*;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Larger files are skipped with a note: no Redis config is this big.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

pub struct Input {
    pub path: PathBuf,
    pub text: String,
    pub explicit: bool,
    /// Size and modification time of a file that held still while it was read: its text
    /// can be released after parsing and read again for a report.
    pub stamp: Option<crate::source::DiskStamp>,
}

#[derive(Default)]
pub struct Discovered {
    pub inputs: Vec<Input>,
    /// Unreadable inputs: reported, and the exit code becomes 2.
    pub errors: Vec<String>,
    /// Files skipped on purpose (binary, too large), reported as notes.
    pub notes: Vec<String>,
    /// Every directory a walk listed, with what the settings lookup asks of it: its
    /// redis-halint.toml (or .redis-halint.toml) and whether it holds `.git`. Seen in the
    /// listing, so the lookup does not ask the file system again (three lookups per
    /// directory: most of the system time of a big tree).
    pub listed_dirs: Vec<ListedDir>,
}

pub use crate::settings::ListedDir;

enum Candidate {
    File { path: PathBuf, explicit: bool },
    Stdin { name: PathBuf },
}

pub fn discover(paths: &[PathBuf], stdin_filename: Option<&Path>) -> Discovered {
    let mut found = Discovered::default();
    let mut candidates = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            let name = stdin_filename.map_or_else(|| PathBuf::from("<stdin>"), Path::to_path_buf);
            candidates.push(Candidate::Stdin { name });
            continue;
        }
        match std::fs::metadata(path) {
            Err(e) => found
                .errors
                .push(format!("cannot read {}: {e}", path.display())),
            Ok(meta) if meta.is_dir() => walk(path, &mut candidates, &mut found),
            Ok(_) => candidates.push(Candidate::File {
                path: path.clone(),
                explicit: true,
            }),
        }
    }
    type Read = (Result<Option<Input>, (bool, String)>, Vec<String>);
    let results: Vec<Read> = candidates
        .into_par_iter()
        .map(|c| {
            let mut notes = Vec::new();
            (read_candidate(c, &mut notes), notes)
        })
        .collect();
    for (result, notes) in results {
        found.notes.extend(notes);
        match result {
            Ok(Some(input)) => found.inputs.push(input),
            Ok(None) => {}
            Err((true, message)) => found.errors.push(message),
            Err((false, message)) => found.notes.push(message),
        }
    }
    found.inputs.sort_by(|a, b| a.path.cmp(&b.path));
    found.inputs.dedup_by(|a, b| a.path == b.path);
    found
}

/// Walk a directory on every core (the walk reads directories and first lines: a
/// tree of thousands of files spends as long here as parsing). Results are sorted.
///
/// The walk also lists, for the settings lookup, the settings files and `.git` of each
/// directory it enters (see [`walk::Listing`]); when ignore rules make that listing
/// unreliable it is dropped, and when they could bring back a hidden entry the tree is
/// walked again the usual way.
fn walk(root: &Path, candidates: &mut Vec<Candidate>, found_so_far: &mut Discovered) {
    let mut walked = walk::walk(root, true);
    if let Some(listing) = walked.listing.take() {
        let verdict = ignore_files::verdict(&listing.ignore_files, root, &listing.repos());
        if verdict.may_unhide {
            walked = walk::walk(root, false);
        } else if !verdict.may_hide && walked.errors.is_empty() {
            found_so_far.listed_dirs.extend(listing.into_dirs());
        }
    }
    let walk::Walked {
        mut files,
        mut notes,
        mut errors,
        ..
    } = walked;
    files.sort();
    notes.sort();
    errors.sort();
    candidates.extend(files.into_iter().map(|path| Candidate::File {
        path,
        explicit: false,
    }));
    found_so_far.notes.extend(notes);
    found_so_far.errors.extend(errors);
}

/// Files a walk reads: Redis configs by name, systemd units and drop-ins, and shell
/// scripts (`*.sh`, or no extension and a `sh`/`bash` shebang).
fn is_candidate(path: &Path) -> bool {
    if let Some(wanted) = wanted_by_name(path) {
        return wanted;
    }
    // Only the first line is read here; the whole file is read later, in parallel.
    let mut first = [0u8; 128];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut first))
        .unwrap_or(0);
    let line = String::from_utf8_lossy(&first[..n]);
    has_shell_shebang(line.lines().next().unwrap_or_default())
}

/// Whether a walk reads a file of this name; `None` when only its first line can tell
/// (no extension: a script when it starts with a shell shebang).
fn wanted_by_name(path: &Path) -> Option<bool> {
    // A Jinja template (`templates/sentinel.conf.j2`): read as the file it renders.
    if let Some(rendered) = crate::syntax::jinja::rendered_path(path) {
        return Some(wanted_by_name(&rendered) == Some(true));
    }
    if name_hint(path) != NameHint::NotConf
        || unit_kind(path).is_some()
        || crate::formats::dockerfile::is_dockerfile(path)
        || crate::formats::launch::is_launch_file(path)
        || crate::formats::launch::is_readme(path)
        || crate::formats::launch::is_host_provisioning(path)
        || crate::formats::launch::is_ansible_inventory(path)
        || crate::formats::compose::is_env_file(path)
        || crate::formats::conf::is_acl_file(path)
    {
        return Some(true);
    }
    // YAML may embed configs (ConfigMaps) or run them (compose, workloads); the tool's
    // own settings files are validated.
    if crate::formats::detect::is_yaml_path(path) || crate::settings::is_config_file(path) {
        return Some(true);
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if name.ends_with(".sh") || name.ends_with(".bash") {
        return Some(true);
    }
    // A Helm chart's named templates (`templates/_helpers.tpl`): its manifests include them.
    if name.ends_with(".tpl")
        && path
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|d| d == "templates")
    {
        return Some(true);
    }
    if name.contains('.') {
        return Some(false);
    }
    None
}

/// `Err((is_error, message))`: an error makes the run exit 2; a note does not. Notes
/// about a file that was read anyway go to `notes`.
fn read_candidate(
    candidate: Candidate,
    notes: &mut Vec<String>,
) -> Result<Option<Input>, (bool, String)> {
    let (path, explicit, bytes, stamp) = match candidate {
        Candidate::Stdin { name } => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .take(MAX_FILE_BYTES + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| (true, format!("cannot read stdin: {e}")))?;
            (name, true, bytes, None)
        }
        Candidate::File { path, explicit } => {
            let (bytes, outcome) = read_file(&path, explicit)?;
            let stamp = match outcome {
                Ok(stamp) => Some(stamp),
                Err(note) => {
                    notes.push(note);
                    None
                }
            };
            (path, explicit, bytes, stamp)
        }
    };
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err((
            false,
            format!(
                "skipped {}: larger than {} MB",
                path.display(),
                MAX_FILE_BYTES >> 20
            ),
        ));
    }
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return Err((false, format!("skipped {}: binary file", path.display())));
    }
    Ok(Some(Input {
        path,
        text: decode_owned(bytes),
        explicit,
        stamp,
    }))
}

/// How many times a file that changes while it is read is read again.
const READ_ATTEMPTS: usize = 3;

/// The bytes of a regular file, at most [`MAX_FILE_BYTES`] + 1 of them. A file that
/// changes while it is read (its size or modification time differ before and after) is
/// read again; when it never holds still, the last read is kept with a note (`Err`),
/// else the file's stamp comes with it.
#[allow(clippy::type_complexity)]
fn read_file(
    path: &Path,
    explicit: bool,
) -> Result<(Vec<u8>, Result<DiskStamp, String>), (bool, String)> {
    let error = |e: std::io::Error| (true, format!("cannot read {}: {e}", path.display()));
    let stamp = DiskStamp::of;
    let mut meta = std::fs::metadata(path).map_err(error)?;
    for attempt in 1..=READ_ATTEMPTS {
        if !meta.is_file() {
            return Err((
                explicit,
                format!("skipped {}: not a regular file", path.display()),
            ));
        }
        if meta.len() > MAX_FILE_BYTES {
            return Err((
                false,
                format!(
                    "skipped {}: larger than {} MB",
                    path.display(),
                    MAX_FILE_BYTES >> 20
                ),
            ));
        }
        let mut file = std::fs::File::open(path).map_err(error)?;
        let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
        (&mut file)
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(error)?;
        let after = file.metadata().map_err(error)?;
        if stamp(&after) == stamp(&meta) && bytes.len() as u64 == after.len() {
            return Ok((bytes, Ok(stamp(&after))));
        }
        if attempt == READ_ATTEMPTS {
            return Ok((
                bytes,
                Err(format!(
                    "{} changed while it was read ({READ_ATTEMPTS} attempts): checked the last text read",
                    path.display()
                )),
            ));
        }
        meta = after;
    }
    unreachable!("the last attempt returns")
}

pub use crate::source::{decode, decode_owned};
