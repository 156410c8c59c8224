//! Dockerfiles: the image a build starts from (its release) and the files of the build
//! context it copies in (a sentinel.conf `COPY`ed into an image is the config that image
//! runs).
//!
//! Only what decides facts is read: `ARG` defaults (for `FROM redis:${VERSION}`), the last
//! stage's `FROM` (following stage names), `COPY`/`ADD` from the context, and `ENV`.

use std::ops::Range;
use std::path::Path;

#[derive(Debug, Clone, Default)]
pub struct Dockerfile {
    /// The image the final stage starts from, variables expanded, and where it is written.
    pub base: Option<(String, Range<usize>)>,
    /// The final stage's `FROM` image as written when it names build arguments
    /// (`redis:${REDIS_VERSION}`), with the `ARG` defaults known there: a build that
    /// passes arguments (compose `build.args`) decides the image.
    pub base_with_args: Option<(String, Vec<(String, String)>)>,
    /// Files of the build context copied into the final stage: (source as written,
    /// destination, the instruction's range).
    pub copies: Vec<(String, String, Range<usize>)>,
    /// `ENV` of the final stage: (name, value, range of the instruction).
    pub env: Vec<(String, String, Range<usize>)>,
    /// `ENTRYPOINT` and `CMD` of the final stage as argument lists (the shell form is
    /// `sh -c "…"`). `None` when the stage does not set them (the base image's apply).
    pub entrypoint: Option<Vec<String>>,
    pub cmd: Option<Vec<String>>,
    /// Where the final stage's `ENTRYPOINT` and `CMD` instructions are written.
    pub entrypoint_at: Option<Range<usize>>,
    pub cmd_at: Option<Range<usize>>,
    /// `ENTRYPOINT` is in shell form: `/bin/sh -c` runs it and ignores every argument
    /// (`CMD`, compose `command:`, `docker run … ARGS`).
    pub entrypoint_shell_form: bool,
    /// `USER` of the final stage, when set.
    pub user: Option<String>,
    /// The final stage's `WORKDIR` (`None`: the base image's).
    pub workdir: Option<String>,
    /// Paths a `RUN` of the final stage hands to a non-root user (`chown`) or opens to
    /// everyone (`chmod 777`, `o+w`): (path, recursively).
    pub opened: Vec<(String, bool)>,
    /// Folders a `RUN mkdir` of the final stage creates (absolute paths): a `COPY` to
    /// one of them without a trailing `/` puts the file inside.
    pub made_dirs: Vec<String>,
}

impl Dockerfile {
    /// Whether a user other than root may create files in `dir` of the image, as far as
    /// this Dockerfile says: a `RUN` that chowns or opens it (or a parent, recursively).
    /// Directories the base image owns are not known here.
    pub fn opens_dir(&self, dir: &str) -> bool {
        let dir = dir.trim_end_matches('/');
        self.opened.iter().any(|(path, recursive)| {
            let path = path.trim_end_matches('/');
            path == dir || (*recursive && dir.starts_with(&format!("{path}/")))
        })
    }
}

/// The folders the `mkdir` commands of a `RUN` create, as absolute paths: relative to
/// the `cd` before them in the same `RUN`, else to the working directory.
fn made_dirs(run: &str, workdir: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cwd = workdir.to_string();
    let absolute = |cwd: &str, p: &str| -> String {
        if p.starts_with('/') {
            p.trim_end_matches('/').to_string()
        } else {
            format!("{}/{}", cwd.trim_end_matches('/'), p.trim_end_matches('/'))
        }
    };
    for command in run.split(['&', ';', '|', '\n']) {
        let words: Vec<&str> = command.split_whitespace().collect();
        match words.as_slice() {
            ["cd", dir] => cwd = absolute(&cwd, dir.trim_matches('"')),
            ["mkdir", args @ ..] => out.extend(
                args.iter()
                    .filter(|a| !a.starts_with('-') && !a.contains('$') && !a.contains('{'))
                    .map(|a| absolute(&cwd, a.trim_matches('"'))),
            ),
            _ => {}
        }
    }
    out
}

/// What a `RUN` does to ownership: the paths its `chown` (to a non-root owner) and
/// `chmod` (world-writable modes) commands name, with whether they recurse.
fn opened_paths(run: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for command in run.split(['&', ';', '|', '\n']) {
        let words: Vec<&str> = command.split_whitespace().collect();
        let Some(at) = words.iter().position(|w| *w == "chown" || *w == "chmod") else {
            continue;
        };
        let chown = words[at] == "chown";
        let mut recursive = false;
        let mut rest: Vec<&str> = Vec::new();
        for w in &words[at + 1..] {
            match *w {
                "-R" | "--recursive" => recursive = true,
                w if w.starts_with('-') => {}
                w => rest.push(w),
            }
        }
        let Some((spec, paths)) = rest.split_first() else {
            continue;
        };
        let opens = if chown {
            let owner = spec.split([':', '.']).next().unwrap_or_default();
            !owner.is_empty() && owner != "root" && owner != "0"
        } else {
            // Octal modes whose last digit lets others write (`777`, `1777`, `666`).
            let octal_open = spec.len() >= 3
                && spec.bytes().all(|b| b.is_ascii_digit())
                && matches!(spec.as_bytes()[spec.len() - 1], b'2' | b'3' | b'6' | b'7');
            octal_open || spec.contains("o+w") || spec.contains("a+w") || *spec == "+w"
        };
        if opens {
            out.extend(
                paths
                    .iter()
                    .map(|p| (p.trim_matches('"').to_string(), recursive)),
            );
        }
    }
    out
}

/// `Dockerfile`, `Containerfile`, `Dockerfile.prod`, `sentinel.Dockerfile`.
pub fn is_dockerfile(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let other_format = [".md", ".txt", ".yml", ".yaml", ".json", ".sh", ".ignore"]
        .iter()
        .any(|e| name.ends_with(e));
    name == "dockerfile"
        || name == "containerfile"
        || ((name.starts_with("dockerfile.")
            || name.starts_with("dockerfile-")
            || name.starts_with("dockerfile_"))
            && !other_format)
        || name.ends_with(".dockerfile")
}

/// Instructions with their continuation lines joined: (keyword upper-cased, arguments,
/// range of the whole instruction).
fn instructions(text: &str) -> Vec<(String, String, Range<usize>)> {
    let mut out = Vec::new();
    let mut offset = 0;
    let mut current: Option<(String, Range<usize>)> = None;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let trimmed = body.trim_start();
        if current.is_none() && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        if current.is_some() && trimmed.starts_with('#') {
            continue; // a comment inside a continued instruction
        }
        let (continued, piece) = match body.trim_end().strip_suffix('\\') {
            Some(p) => (true, p),
            None => (false, body),
        };
        let (text_so_far, range) = current.get_or_insert_with(|| (String::new(), start..start));
        text_so_far.push_str(piece.trim());
        text_so_far.push(' ');
        range.end = start + body.len();
        if !continued {
            let (joined, range) = current.take().unwrap();
            let joined = joined.trim().to_string();
            let (keyword, args) = joined
                .split_once(char::is_whitespace)
                .unwrap_or((&joined, ""));
            out.push((keyword.to_ascii_uppercase(), args.trim().to_string(), range));
        }
    }
    out
}

/// A file name against a COPY pattern of `*` (any run) and `?` (one character).
fn glob_matches(pattern: &str, name: &str) -> bool {
    match pattern.chars().next() {
        None => name.is_empty(),
        Some('*') => (0..=name.len())
            .filter(|i| name.is_char_boundary(*i))
            .any(|i| glob_matches(&pattern[1..], &name[i..])),
        Some('?') => name
            .chars()
            .next()
            .is_some_and(|c| glob_matches(&pattern[1..], &name[c.len_utf8()..])),
        Some(p) => name
            .strip_prefix(p)
            .is_some_and(|rest| glob_matches(&pattern[p.len_utf8()..], rest)),
    }
}

/// The words of an exec-form (`["a", "b"]`) or shell-form argument list.
fn words(args: &str) -> Vec<String> {
    let args = args.trim();
    if let Some(inner) = args.strip_prefix('[').and_then(|a| a.strip_suffix(']')) {
        return inner
            .split(',')
            .map(|w| w.trim().trim_matches('"').to_string())
            .filter(|w| !w.is_empty())
            .collect();
    }
    args.split_whitespace().map(str::to_string).collect()
}

pub fn read(text: &str) -> Dockerfile {
    read_with_args(text, &[])
}

/// The Dockerfile as a build that passes `build_args` reads it: each `ARG` takes the
/// value passed for it, else its default.
pub fn read_with_args(text: &str, build_args: &[(String, String)]) -> Dockerfile {
    let mut args: Vec<(String, String)> = Vec::new();
    let mut stages: Vec<(String, String)> = Vec::new(); // (alias, image)
    let mut out = Dockerfile::default();
    let mut workdir = "/".to_string();
    for (keyword, rest, range) in instructions(text) {
        match keyword.as_str() {
            "ARG" => {
                let (name, value) = rest.split_once('=').unwrap_or((rest.as_str(), ""));
                let name = name.trim();
                let value = match build_args.iter().rev().find(|(k, _)| k == name) {
                    Some((_, passed)) => passed.clone(),
                    None => value.trim().trim_matches('"').to_string(),
                };
                args.push((name.to_string(), value));
            }
            "FROM" => {
                let mut parts = rest.split_whitespace().filter(|w| !w.starts_with("--"));
                let Some(image) = parts.next() else { continue };
                let written = image.to_string();
                let mut image = crate::syntax::shell::expand_parameters(image, &args);
                if let Some((_, base)) = stages
                    .iter()
                    .find(|(alias, _)| alias.eq_ignore_ascii_case(&image))
                {
                    image = base.clone();
                }
                if let (Some(k), Some(alias)) = (parts.next(), parts.next()) {
                    if k.eq_ignore_ascii_case("as") {
                        stages.push((alias.to_string(), image.clone()));
                    }
                }
                // A new stage: what earlier stages copied is not in the final image.
                workdir = "/".to_string();
                let from_stage = stages
                    .iter()
                    .any(|(alias, _)| alias.eq_ignore_ascii_case(&written));
                out = Dockerfile {
                    base_with_args: (written.contains('$') && !from_stage)
                        .then(|| (written.clone(), args.clone())),
                    base: Some((image, range)),
                    ..Dockerfile::default()
                };
            }
            "COPY" | "ADD" => {
                if rest.split_whitespace().any(|w| w.starts_with("--from")) {
                    continue;
                }
                let all = words(&rest);
                // `--chown=redis:redis`: the copied files belong to that user.
                let chowned = all.iter().any(|w| {
                    w.strip_prefix("--chown=").is_some_and(|owner| {
                        let user = owner.split(':').next().unwrap_or_default();
                        !user.is_empty() && user != "root" && user != "0"
                    })
                });
                let list: Vec<String> = all.into_iter().filter(|w| !w.starts_with("--")).collect();
                if let Some((dest, sources)) = list.split_last() {
                    // `COPY conf $CONF_DIR`: ARG and ENV values known at this point.
                    let known: Vec<(String, String)> = args
                        .iter()
                        .cloned()
                        .chain(out.env.iter().map(|(k, v, _)| (k.clone(), v.clone())))
                        .collect();
                    let dest = &crate::syntax::shell::expand_parameters(dest, &known);
                    // A relative destination is under WORKDIR; `.` is that directory.
                    let dest = if dest.starts_with('/') {
                        dest.clone()
                    } else if dest == "." || dest == "./" {
                        format!("{}/", workdir.trim_end_matches('/'))
                    } else {
                        format!(
                            "{}/{}",
                            workdir.trim_end_matches('/'),
                            dest.trim_start_matches("./")
                        )
                    };
                    for source in sources {
                        // `COPY $CONF …`: the build's value of the variable.
                        let source = crate::syntax::shell::expand_parameters(source, &known);
                        if chowned {
                            // Into a folder: the file of that name inside it.
                            let file = match dest.ends_with('/') {
                                true => format!(
                                    "{dest}{}",
                                    source.rsplit('/').next().unwrap_or_default()
                                ),
                                false => dest.clone(),
                            };
                            out.opened.push((file, false));
                        }
                        out.copies.push((source, dest.clone(), range.clone()));
                    }
                }
            }
            "WORKDIR" => {
                let dir = crate::syntax::shell::expand_parameters(rest.trim(), &args);
                workdir = if dir.starts_with('/') {
                    dir
                } else {
                    format!("{}/{}", workdir.trim_end_matches('/'), dir)
                };
                out.workdir = Some(workdir.clone());
            }
            "USER" => out.user = Some(rest.trim().to_string()),
            "RUN" => {
                out.opened.extend(opened_paths(&rest));
                out.made_dirs.extend(made_dirs(&rest, &workdir));
            }
            "ENTRYPOINT" | "CMD" => {
                let argv = if rest.trim_start().starts_with('[') {
                    words(&rest)
                } else if let Some(simple) = simple_command(&rest) {
                    // `/bin/sh -c "redis-server /s.conf --sentinel"` runs just that.
                    simple
                } else {
                    vec!["/bin/sh".to_string(), "-c".to_string(), rest.clone()]
                };
                if keyword == "ENTRYPOINT" {
                    out.entrypoint = Some(argv);
                    out.entrypoint_at = Some(range.clone());
                    out.entrypoint_shell_form = !rest.trim_start().starts_with('[');
                    // ENTRYPOINT resets the CMD inherited from the base image, not one
                    // this stage set (BuildKit's `dispatchEntrypoint`: `if !d.cmdSet`).
                } else {
                    out.cmd = Some(argv);
                    out.cmd_at = Some(range.clone());
                }
            }
            "ENV" => {
                let pairs: Vec<(String, String)> = if rest.contains('=') {
                    rest.split_whitespace()
                        .filter_map(|w| w.split_once('='))
                        .map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
                        .collect()
                } else {
                    rest.split_once(char::is_whitespace)
                        .map(|(k, v)| vec![(k.to_string(), v.trim().trim_matches('"').to_string())])
                        .unwrap_or_default()
                };
                // The builder expands `${VAR:-default}` with the arguments and the
                // variables set before.
                for (k, v) in pairs {
                    let known: Vec<(String, String)> = args
                        .iter()
                        .cloned()
                        .chain(out.env.iter().map(|(k, v, _)| (k.clone(), v.clone())))
                        .collect();
                    let v = crate::syntax::shell::expand_parameters(&v, &known);
                    out.env.push((k, v, range.clone()));
                }
            }
            _ => {}
        }
    }
    out
}

/// The words of a shell-form command that is one plain command (no expansion,
/// redirection, pipe or list): what the shell runs is exactly those words.
fn simple_command(text: &str) -> Option<Vec<String>> {
    let text = text.trim();
    let text = text.strip_prefix("exec ").unwrap_or(text).trim_start();
    if text.is_empty()
        || text.contains([
            '$', '`', ';', '&', '|', '<', '>', '(', ')', '\\', '\n', '*', '?',
        ])
    {
        return None;
    }
    let mut out = Vec::new();
    for word in text.split_whitespace() {
        let bare = word.trim_matches(|c| c == '"' || c == '\'');
        if bare.contains(['"', '\'']) {
            return None;
        }
        out.push(bare.to_string());
    }
    Some(out)
}

impl Dockerfile {
    /// The base image of a build given these build arguments (compose `build.args`),
    /// when the `FROM` line names arguments.
    pub fn base_for(&self, build_args: &[(String, String)]) -> Option<String> {
        let (written, defaults) = self.base_with_args.as_ref()?;
        let vars: Vec<(String, String)> =
            defaults.iter().chain(build_args.iter()).cloned().collect();
        Some(crate::syntax::shell::expand_parameters(written, &vars))
    }

    /// The file of the build context copied to `destination` (a path in the image).
    /// The `COPY`/`ADD` instruction that puts a file at `destination` (the last one).
    pub fn copy_instruction_of(&self, destination: &str) -> Option<Range<usize>> {
        self.copies.iter().rev().find_map(|(s, d, range)| {
            let name = Path::new(s).file_name()?.to_string_lossy();
            let lands = if d.ends_with('/') || self.is_existing_dir(d) {
                format!("{}/{name}", d.trim_end_matches('/'))
            } else {
                d.clone()
            };
            let under = destination
                .strip_prefix(d.trim_end_matches('/'))
                .is_some_and(|rest| rest.starts_with('/'));
            (lands == destination || under).then(|| range.clone())
        })
    }

    pub fn source_of(&self, destination: &str) -> Option<String> {
        let exact = self.copies.iter().rev().find_map(|(s, d, _)| {
            let name = Path::new(s).file_name()?.to_string_lossy();
            let lands = if d.ends_with('/') || self.is_existing_dir(d) {
                format!("{}/{name}", d.trim_end_matches('/'))
            } else {
                d.clone()
            };
            (lands == destination).then(|| s.clone())
        });
        // `COPY scripts/* /usr/local/bin/` (a pattern) and `COPY conf /etc/redis` (a
        // folder: its content lands in the destination).
        exact.or_else(|| {
            self.copies.iter().rev().find_map(|(s, d, _)| {
                let rest = destination
                    .strip_prefix(d.trim_end_matches('/'))?
                    .strip_prefix('/')?;
                let source = Path::new(s.trim_end_matches('/'));
                let name = source.file_name()?.to_string_lossy();
                if name.contains(['*', '?']) {
                    let folder = source.parent().unwrap_or(Path::new(""));
                    (!rest.contains('/') && glob_matches(&name, rest))
                        .then(|| folder.join(rest).to_string_lossy().into_owned())
                } else if !name.contains('.') || s.ends_with('/') {
                    // No extension: read as a folder (a file copied under a folder's
                    // name never lands below it).
                    Some(source.join(rest).to_string_lossy().into_owned())
                } else {
                    None
                }
            })
        })
    }

    /// A destination written without a trailing `/` that is a folder already: one every
    /// base image has (`COPY x.conf /etc` puts `/etc/x.conf`), or the working directory.
    fn is_existing_dir(&self, destination: &str) -> bool {
        const SYSTEM_DIRS: &[&str] = &[
            "/etc",
            "/tmp",
            "/opt",
            "/root",
            "/usr/local/etc",
            "/usr/local/bin",
            "/usr/local/sbin",
            "/usr/bin",
            "/usr/sbin",
            "/bin",
            "/var/lib",
            "/var/log",
        ];
        SYSTEM_DIRS.contains(&destination)
            || self.made_dirs.iter().any(|d| d == destination)
            || self.workdir.as_deref().map(|w| w.trim_end_matches('/')) == Some(destination)
    }

    /// Where a file copied from `source` (relative to the build context) lands: the
    /// destination as a file path (a destination ending in `/` is a directory).
    pub fn destination_of(&self, source: &str) -> Option<String> {
        let wanted = source.trim_start_matches("./");
        self.copies.iter().find_map(|(s, d, _)| {
            (s.trim_start_matches("./") == wanted).then(|| {
                if d.ends_with('/') || self.is_existing_dir(d) {
                    let name = Path::new(wanted)
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned());
                    format!("{}/{}", d.trim_end_matches('/'), name.unwrap_or_default())
                } else {
                    d.clone()
                }
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_image_copies_and_env() {
        let text = "ARG V=6.0\nFROM golang AS build\nCOPY x /x\nFROM redis:${V}-alpine\n# comment\nCOPY --chown=redis:redis sentinel.conf \\\n  /etc/redis/\nADD [\"redis.conf\", \"/usr/local/etc/redis/redis.conf\"]\nENV SENTINEL_QUORUM 2\nENV A=1 B=\"two\"\n";
        let d = read(text);
        assert_eq!(
            d.base.as_ref().map(|b| b.0.as_str()),
            Some("redis:6.0-alpine")
        );
        assert_eq!(
            d.destination_of("sentinel.conf").as_deref(),
            Some("/etc/redis/sentinel.conf")
        );
        assert_eq!(
            d.destination_of("./redis.conf").as_deref(),
            Some("/usr/local/etc/redis/redis.conf")
        );
        assert!(
            d.destination_of("x").is_none(),
            "copied in an earlier stage only"
        );
        // A folder every image has, written without its slash.
        let into_etc = read("FROM redis:7\nCOPY ./redis-sentinel.conf /etc\n");
        assert_eq!(
            into_etc.source_of("/etc/redis-sentinel.conf").as_deref(),
            Some("./redis-sentinel.conf")
        );
        // A folder a `RUN mkdir` made (after a `cd`), written without its slash.
        let made =
            read("FROM redis:7\nRUN cd /etc && mkdir redis\nCOPY ./sentinel.conf /etc/redis\n");
        assert_eq!(
            made.source_of("/etc/redis/sentinel.conf").as_deref(),
            Some("./sentinel.conf")
        );
        let not_made = read("FROM redis:7\nCOPY ./sentinel.conf /etc/redis\n");
        assert!(not_made.source_of("/etc/redis/sentinel.conf").is_none());
        let env: Vec<(&str, &str)> = d
            .env
            .iter()
            .map(|(k, v, _)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(env, [("SENTINEL_QUORUM", "2"), ("A", "1"), ("B", "two")]);
        assert_eq!(
            d.source_of("/etc/redis/sentinel.conf").as_deref(),
            Some("sentinel.conf")
        );
        let from = &text[d.base.unwrap().1];
        assert_eq!(from, "FROM redis:${V}-alpine");
    }

    #[test]
    fn ownership_handed_over_by_run() {
        let d = read(
            "FROM redis:7\nWORKDIR /redis\nCOPY s.conf /etc/redis/s.conf\n\
             RUN mkdir -p /var/lib/x && chmod 777 /var/lib/x && chown redis:redis /etc/redis/s.conf\n\
             RUN chown -R 999 /opt/conf; chown root:root /srv\nUSER redis\n",
        );
        assert_eq!(d.workdir.as_deref(), Some("/redis"));
        assert_eq!(d.user.as_deref(), Some("redis"));
        assert!(d.opens_dir("/var/lib/x"));
        assert!(d.opens_dir("/etc/redis/s.conf"));
        assert!(!d.opens_dir("/etc/redis"), "only the file was chowned");
        assert!(d.opens_dir("/opt/conf/sub"), "recursively");
        assert!(!d.opens_dir("/srv"), "handed to root");
        // `COPY --chown=` hands the copied file to that user, not its folder.
        let d = read("FROM redis:5\nCOPY --chown=redis:redis sentinel.conf /etc/redis/sentinel.conf\nCOPY --chown=root a.conf /etc/a/\n");
        assert!(d.opens_dir("/etc/redis/sentinel.conf"));
        assert!(!d.opens_dir("/etc/redis"));
        assert!(!d.opens_dir("/etc/a/a.conf"));
    }

    #[test]
    fn entrypoint_and_cmd() {
        let d = read("FROM redis\nCMD [\"redis-server\", \"/r.conf\"]\nENTRYPOINT [ \"redis-sentinel\", \"/s.conf\" ]\n");
        assert_eq!(
            d.entrypoint,
            Some(vec!["redis-sentinel".to_string(), "/s.conf".to_string()])
        );
        // A CMD of the same stage survives a later ENTRYPOINT (it becomes its arguments).
        assert_eq!(
            d.cmd,
            Some(vec!["redis-server".to_string(), "/r.conf".to_string()])
        );
        // The shell form of one plain command runs its words; anything else, `sh -c`.
        let d = read("FROM redis\nENTRYPOINT redis-server /r.conf --port 7000\n");
        assert_eq!(
            d.entrypoint.unwrap(),
            vec!["redis-server", "/r.conf", "--port", "7000"]
        );
        let d = read("FROM redis\nCMD redis-server /r.conf --port $PORT\n");
        assert_eq!(d.cmd.unwrap()[2], "redis-server /r.conf --port $PORT");
    }

    #[test]
    fn relative_destinations_are_under_workdir() {
        let d = read("FROM redis\nWORKDIR /redis\nCOPY sentinel.conf .\nCOPY a.conf conf/b.conf\n");
        assert_eq!(
            d.source_of("/redis/sentinel.conf").as_deref(),
            Some("sentinel.conf")
        );
        assert_eq!(d.source_of("/redis/conf/b.conf").as_deref(), Some("a.conf"));
    }

    #[test]
    fn patterns_folders_and_variables_in_copies() {
        let d = read("FROM redis\nENV TPL=/etc/tpl\nCOPY redis-conf $TPL\nCOPY start-scripts/*.sh /usr/local/bin/\n");
        assert_eq!(
            d.source_of("/etc/tpl/sentinel.conf").as_deref(),
            Some("redis-conf/sentinel.conf")
        );
        assert_eq!(
            d.source_of("/usr/local/bin/start-sentinel.sh").as_deref(),
            Some("start-scripts/start-sentinel.sh")
        );
        assert_eq!(d.source_of("/usr/local/bin/start.py"), None);
        assert!(glob_matches("a*b?", "axxbc"));
        assert!(!glob_matches("a*b", "axxbc"));
    }

    #[test]
    fn stage_names_lead_to_their_image() {
        let d = read("FROM redis:5.0.6 AS base\nFROM base\n");
        assert_eq!(d.base.map(|b| b.0).as_deref(), Some("redis:5.0.6"));
        assert!(is_dockerfile(Path::new("a/Dockerfile")));
        assert!(is_dockerfile(Path::new("sentinel.Dockerfile")));
        assert!(is_dockerfile(Path::new("Dockerfile.prod")));
        assert!(!is_dockerfile(Path::new("Dockerfile.md")));
        assert!(!is_dockerfile(Path::new(".dockerignore")));
    }
}
