//! Finding and reading the input files: explicit files, directory walks (.gitignore
//! aware, skipping `.git` and `target`), and `-` for stdin. Reading is parallel.
//! Nothing is printed here: errors and notes are returned to the caller.

use crate::formats::detect::{name_hint, NameHint};
use crate::formats::script::has_shell_shebang;
use crate::formats::systemd::unit_kind;
use ignore::WalkBuilder;
use rayon::prelude::*;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Larger files are skipped with a note: no Redis config is this big.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

pub struct Input {
    pub path: PathBuf,
    pub text: String,
    pub explicit: bool,
}

#[derive(Default)]
pub struct Discovered {
    pub inputs: Vec<Input>,
    /// Unreadable inputs: reported, and the exit code becomes 2.
    pub errors: Vec<String>,
    /// Files skipped on purpose (binary, too large), reported as notes.
    pub notes: Vec<String>,
}

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
            Ok(meta) if meta.is_dir() => walk(path, &mut candidates, &mut found.errors),
            Ok(_) => candidates.push(Candidate::File {
                path: path.clone(),
                explicit: true,
            }),
        }
    }
    let results: Vec<Result<Option<Input>, (bool, String)>> =
        candidates.into_par_iter().map(read_candidate).collect();
    for result in results {
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

fn walk(root: &Path, candidates: &mut Vec<Candidate>, errors: &mut Vec<String>) {
    let walker = WalkBuilder::new(root)
        .follow_links(true)
        .require_git(false)
        .filter_entry(|e| {
            !matches!(
                e.file_name().to_str(),
                Some(".git" | "target" | "node_modules")
            )
        })
        .build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                if entry.file_type().is_some_and(|t| t.is_file()) && is_candidate(entry.path()) {
                    candidates.push(Candidate::File {
                        path: entry.into_path(),
                        explicit: false,
                    });
                }
            }
            Err(e) => errors.push(format!("cannot walk {}: {e}", root.display())),
        }
    }
}

/// Files a walk reads: Redis configs by name, systemd units and drop-ins, and shell
/// scripts (`*.sh`, or no extension and a `sh`/`bash` shebang).
fn is_candidate(path: &Path) -> bool {
    if name_hint(path) != NameHint::NotConf || unit_kind(path).is_some() {
        return true;
    }
    // YAML may embed configs (ConfigMaps) or run them (compose, workloads); the tool's
    // own settings files are validated.
    if path.extension().is_some_and(|e| e == "yaml" || e == "yml")
        || crate::settings::is_config_file(path)
    {
        return true;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if name.ends_with(".sh") || name.ends_with(".bash") {
        return true;
    }
    if name.contains('.') {
        return false;
    }
    // Only the first line is read here; the whole file is read later, in parallel.
    let mut first = [0u8; 128];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut first))
        .unwrap_or(0);
    let line = String::from_utf8_lossy(&first[..n]);
    has_shell_shebang(line.lines().next().unwrap_or_default())
}

/// `Err((is_error, message))`: an error makes the run exit 2; a note does not.
fn read_candidate(candidate: Candidate) -> Result<Option<Input>, (bool, String)> {
    let (path, explicit, bytes) = match candidate {
        Candidate::Stdin { name } => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .take(MAX_FILE_BYTES + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| (true, format!("cannot read stdin: {e}")))?;
            (name, true, bytes)
        }
        Candidate::File { path, explicit } => {
            let meta = std::fs::metadata(&path)
                .map_err(|e| (true, format!("cannot read {}: {e}", path.display())))?;
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
            let mut bytes = Vec::new();
            std::fs::File::open(&path)
                .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
                .map_err(|e| (true, format!("cannot read {}: {e}", path.display())))?;
            (path, explicit, bytes)
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
        text: decode(&bytes),
        explicit,
    }))
}

/// UTF-8 text with each invalid byte replaced by `?`, so byte offsets stay those of the file
/// (Redis itself reads bytes; a Latin-1 comment must not shift positions).
pub fn decode(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        for _ in chunk.invalid() {
            text.push('?');
        }
    }
    text
}

impl Discovered {
    /// A workspace holding every input read.
    pub fn into_workspace(
        self,
        settings: crate::Settings,
    ) -> (crate::Workspace, Vec<String>, Vec<String>) {
        let mut workspace = crate::Workspace::new(settings);
        for input in self.inputs {
            workspace.set_file(input.path, input.text, input.explicit);
        }
        (workspace, self.errors, self.notes)
    }
}
