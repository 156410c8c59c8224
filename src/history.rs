//! The previous committed revision of the checked files, read from git without touching
//! the worktree (`git rev-parse`, `git merge-base`, one `git cat-file --batch`). Outside a
//! git repository there is no history, and the history rules are silent.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Larger files are not configs: they are not read from history.
const MAX_FILE: usize = 1 << 20;

/// The texts of the checked files at another revision, under the paths they are checked by.
pub struct Revision {
    /// How messages name it: `HEAD~1 (3f2a1c0)`.
    pub name: String,
    pub files: Vec<(PathBuf, String)>,
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The revision to compare with when none is named: on a branch, where it left the
/// default branch (what a pull request changes); on the default branch, the last commit
/// when files have uncommitted changes, else the one before it.
fn default_revision(top: &Path, rel: &[String]) -> Option<String> {
    let head = git(top, &["rev-parse", "--verify", "HEAD"])?;
    let default_branch = git(top, &["rev-parse", "--abbrev-ref", "origin/HEAD"])
        .into_iter()
        .chain(["main", "master", "origin/main", "origin/master"].map(String::from))
        .find(|b| git(top, &["rev-parse", "--verify", "--quiet", b]).is_some());
    if let Some(base) = default_branch.and_then(|b| git(top, &["merge-base", "HEAD", &b])) {
        if base != head {
            return Some(base);
        }
    }
    let mut status = vec!["status", "--porcelain", "--"];
    status.extend(rel.iter().map(String::as_str));
    let dirty = git(top, &status).is_some_and(|s| !s.is_empty());
    if dirty {
        Some(head)
    } else {
        git(top, &["rev-parse", "--verify", "--quiet", "HEAD~1"])
    }
}

/// The files under `roots` (the paths given to `check`: folders or files) at `since`
/// (or the default revision), including files deleted since. `Ok(None)`: not in a git
/// repository, or no earlier revision. `Err`: `since` is not a revision.
pub fn previous_revision(
    roots: &[PathBuf],
    since: Option<&str>,
) -> Result<Option<Revision>, String> {
    let Some(first) = roots.first() else {
        return Ok(None);
    };
    let start = std::fs::canonicalize(first)
        .ok()
        .map(|p| {
            if p.is_dir() {
                p
            } else {
                p.parent().map_or(p.clone(), Path::to_path_buf)
            }
        })
        .unwrap_or_else(|| PathBuf::from("."));
    let Some(top) = git(&start, &["rev-parse", "--show-toplevel"]).map(PathBuf::from) else {
        return match since {
            Some(_) => Err("--since needs the checked files to be in a git repository".into()),
            None => Ok(None),
        };
    };
    let top = std::fs::canonicalize(&top).unwrap_or(top);
    // (the root as given, its path in the repository)
    let mut rel_roots: Vec<(PathBuf, PathBuf)> = Vec::new();
    for root in roots {
        let Ok(abs) = std::fs::canonicalize(root) else {
            continue;
        };
        if let Ok(rel) = abs.strip_prefix(&top) {
            rel_roots.push((root.clone(), rel.to_path_buf()));
        }
    }
    let pathspecs: Vec<String> = rel_roots
        .iter()
        .map(|(_, r)| {
            if r.as_os_str().is_empty() {
                ".".into()
            } else {
                r.to_string_lossy().into_owned()
            }
        })
        .collect();
    let rev = match since {
        Some(rev) => git(
            &top,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{rev}^{{commit}}"),
            ],
        )
        .ok_or_else(|| format!("--since {rev}: not a revision of {}", top.display()))?,
        None => match default_revision(&top, &pathspecs) {
            Some(rev) => rev,
            None => return Ok(None),
        },
    };
    let mut list = vec!["ls-tree", "-r", "--name-only", rev.as_str(), "--"];
    list.extend(pathspecs.iter().map(String::as_str));
    let listed = git(&top, &list).unwrap_or_default();
    let mut shown = Vec::new();
    let mut rels = Vec::new();
    for rel in listed.lines().filter(|l| !l.is_empty()) {
        let rel_path = Path::new(rel);
        let Some((given, root_rel)) = rel_roots.iter().find(|(_, r)| rel_path.starts_with(r))
        else {
            continue;
        };
        let tail = rel_path.strip_prefix(root_rel).unwrap_or(rel_path);
        shown.push(if tail.as_os_str().is_empty() {
            given.clone()
        } else {
            given.join(tail)
        });
        rels.push(rel.to_string());
    }
    let short = rev.get(..7).unwrap_or(&rev);
    let name = match since {
        Some(named) if named != rev => format!("{named} ({short})"),
        _ => short.to_string(),
    };
    let texts = cat_files(&top, &rev, &rels).unwrap_or_default();
    let files = shown
        .into_iter()
        .zip(texts)
        .filter_map(|(path, text)| Some((path, text?)))
        .collect();
    Ok(Some(Revision { name, files }))
}

/// `REV:path` of each file through one `git cat-file --batch`; `None` for files that did
/// not exist then (or are not text).
fn cat_files(top: &Path, rev: &str, rels: &[String]) -> Option<Vec<Option<String>>> {
    let mut child = Command::new("git")
        .arg("-C")
        .arg(top)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let request: String = rels.iter().map(|r| format!("{rev}:{r}\n")).collect();
    // Written from a thread: git answers while it reads, and both pipes have limits.
    let writer = std::thread::spawn(move || stdin.write_all(request.as_bytes()));
    let mut out = Vec::new();
    child.stdout.take()?.read_to_end(&mut out).ok()?;
    let _ = writer.join();
    child.wait().ok()?;
    let mut texts = Vec::with_capacity(rels.len());
    let mut at = 0;
    for _ in rels {
        let end = at + out[at..].iter().position(|&b| b == b'\n')?;
        let header = String::from_utf8_lossy(&out[at..end]).into_owned();
        at = end + 1;
        let mut parts = header.split(' ');
        let (Some(_), Some(kind), Some(size)) = (parts.next(), parts.next(), parts.next()) else {
            texts.push(None); // `<object> missing`
            continue;
        };
        let size: usize = size.parse().ok()?;
        let body = out.get(at..at + size)?;
        at += size + 1;
        // Text files of a size a config can have.
        let text = (kind == "blob" && size <= MAX_FILE)
            .then(|| String::from_utf8(body.to_vec()).ok())
            .flatten();
        texts.push(text);
    }
    Some(texts)
}
