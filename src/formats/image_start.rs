//! What an image built in the tree starts: its `ENTRYPOINT` and `CMD`, followed through
//! the files the Dockerfile copies in. A start script is walked with the container's
//! environment (one script often serves every role of the image); an init system
//! (phusion's `my_init`, runit's `runsvdir`, s6's `/init`) starts the `run` files copied
//! into its service folders, and `supervisord` the `command=` of each `[program:…]`
//! section copied into its configuration.

use crate::formats::dockerfile::Dockerfile;
use crate::formats::script::ScriptCommand;
use crate::formats::script_flow::{chosen, EnvValue, Flow, Reached, SUPERVISORS};
use crate::source::FileId;
use std::path::Path;

/// A script of the tree as the chain needs it.
pub struct TreeScript<'a> {
    pub file: FileId,
    pub flow: &'a Flow,
    pub commands: &'a [ScriptCommand],
}

/// The tree's files by normalized path.
pub trait TreeFiles<'a> {
    fn script(&self, path: &Path) -> Option<TreeScript<'a>>;
    fn text(&self, path: &Path) -> Option<&'a str>;
}

/// Folders whose `<service>/run` files an init system starts.
const SERVICE_DIRS: &[&str] = &[
    "/etc/service/",
    "/etc/services.d/",
    "/etc/s6-overlay/s6-rc.d/",
    "/etc/sv/",
];

const SHELLS: &[&str] = &["sh", "bash", "dash", "ash"];

/// Wrappers that run their arguments: init shims and `exec`.
const WRAPPERS: &[&str] = &["tini", "dumb-init", "exec", "env", "--", "tini-static"];

/// Wrappers that run their arguments as the user named first (`gosu redis "$@"`).
const USER_SWITCHES: &[&str] = &["gosu", "su-exec"];

/// What an image starts: a redis command of a script of the tree, or the image's own
/// `ENTRYPOINT`/`CMD` words (reached directly, or through a script's `exec "$@"`).
#[derive(Debug, Clone, PartialEq)]
pub enum Started {
    /// (script, index of the command among the script's redis commands).
    Script(FileId, usize),
    /// The words of the image's own command line, and the last script of the chain that
    /// ran them (the entrypoint that prepares their config), if any.
    Line {
        words: Vec<String>,
        via: Option<FileId>,
    },
}

/// The redis commands the image starts in the environment `env`: one, or a server and
/// the sentinel its script starts beside it. None when the image starts none we can
/// see, or when the choice stays open between different commands.
/// `command`: what the container runs instead of the image's ENTRYPOINT and CMD (a
/// script of the image), when it says.
pub fn started_commands<'a>(
    docker: &Dockerfile,
    context: &Path,
    command: Option<Vec<String>>,
    files: &dyn TreeFiles<'a>,
    env: &dyn Fn(&str) -> EnvValue,
) -> Vec<Started> {
    let own: Vec<String> = docker
        .entrypoint
        .iter()
        .flatten()
        .chain(docker.cmd.iter().flatten())
        .cloned()
        .collect();
    let overridden = command.is_some();
    let first: Vec<String> = command.unwrap_or_else(|| own.clone());
    let mut queue: Vec<(Vec<String>, Option<FileId>)> = vec![(first, None)];
    let mut seen: Vec<Vec<String>> = Vec::new();
    let mut found: Vec<Found<'a>> = Vec::new();
    let mut reached: Vec<Reached> = Vec::new();
    while let Some((words, via)) = queue.pop() {
        if seen.len() > 32 || seen.contains(&words) {
            continue;
        }
        seen.push(words.clone());
        let words = unwrap(&words);
        let Some(program) = words.first() else {
            continue;
        };
        let name = program.rsplit('/').next().unwrap_or_default();
        if SUPERVISORS.contains(&name) || program == "/init" {
            for (source, dest, _) in &docker.copies {
                let lands = landing(source, dest);
                let service = SERVICE_DIRS
                    .iter()
                    .any(|d| lands.starts_with(d) && lands.ends_with("/run"));
                if service {
                    queue.push((vec![lands.clone()], via));
                }
                let supervisor_conf =
                    lands.starts_with("/etc/supervisor") || lands.ends_with("supervisord.conf");
                if name == "supervisord" && supervisor_conf {
                    let text =
                        files.text(&crate::formats::compose::normalize(&context.join(source)));
                    for command in text.map(supervisor_programs).unwrap_or_default() {
                        queue.push((
                            command.split_whitespace().map(str::to_string).collect(),
                            via,
                        ));
                    }
                }
            }
            continue;
        }
        // The image's own command line (`CMD ["redis-server", "/etc/redis/sentinel.conf"]`,
        // or what an entrypoint's `exec "$@"` runs of it): its words are all the image's.
        if REDIS_PROGRAMS.contains(&name) && !overridden && words.iter().all(|w| own.contains(w)) {
            reached.push(Reached {
                command: found.len(),
                definite: false,
                selected: false,
            });
            found.push(Found::Line(words.clone(), via));
            continue;
        }
        let Some(source) = source_in_tree(docker, program) else {
            continue;
        };
        let path = crate::formats::compose::normalize(&context.join(source));
        let Some(script) = files.script(&path) else {
            continue;
        };
        // The words after the script are its positional parameters (`entrypoint.sh
        // sentinel`, or the image's CMD after its ENTRYPOINT).
        let args = &words[1..];
        let with_args = |name: &str| match name.parse::<usize>() {
            Ok(0) => EnvValue::Known(program.clone()),
            Ok(n) => args
                .get(n - 1)
                .map_or(EnvValue::Unset, |a| EnvValue::Known(a.clone())),
            Err(_) => env(name),
        };
        let reach = script.flow.reach(&with_args);
        for r in reach.starts {
            reached.push(Reached {
                command: found.len(),
                ..r
            });
            found.push(Found::Script(script.file, r.command, script.commands));
        }
        queue.extend(reach.runs.into_iter().map(|r| (r, Some(script.file))));
    }
    let same = |a: usize, b: usize| found[a].role_and_config() == found[b].role_and_config();
    let started = |pick: usize| match &found[pick] {
        Found::Script(file, n, _) => Started::Script(*file, *n),
        Found::Line(words, via) => Started::Line {
            words: words.clone(),
            via: *via,
        },
    };
    if let Some(pick) = chosen(&reached, &same) {
        return vec![started(pick)];
    }
    // A script that starts a server and a sentinel whatever the environment (one of
    // them in the background): the container runs both, the server first.
    let definite: Vec<usize> = reached
        .iter()
        .filter(|r| r.definite)
        .map(|r| r.command)
        .collect();
    if let [a, b] = definite[..] {
        let (a_sentinel, b_sentinel) = (found[a].role_and_config().0, found[b].role_and_config().0);
        if a_sentinel != b_sentinel {
            let (server, sentinel) = if a_sentinel { (b, a) } else { (a, b) };
            return vec![started(server), started(sentinel)];
        }
    }
    Vec::new()
}

/// The Redis and Valkey programs an image's command line may start.
const REDIS_PROGRAMS: &[&str] = &[
    "redis-server",
    "redis-sentinel",
    "valkey-server",
    "valkey-sentinel",
];

/// A start the chain reached.
enum Found<'a> {
    Script(FileId, usize, &'a [ScriptCommand]),
    Line(Vec<String>, Option<FileId>),
}

impl Found<'_> {
    /// Whether it starts a sentinel, and the config it names.
    fn role_and_config(&self) -> (bool, Option<String>) {
        match self {
            Found::Script(_, n, commands) => {
                let c = &commands[*n];
                (
                    c.cmdline.is_sentinel(),
                    c.invocation().config.map(|(p, _)| p),
                )
            }
            Found::Line(words, _) => {
                let program = words[0].rsplit('/').next().unwrap_or_default();
                let sentinel =
                    program.ends_with("-sentinel") || words.iter().any(|w| w == "--sentinel");
                let config = words.get(1).filter(|w| !w.starts_with('-')).cloned();
                (sentinel, config)
            }
        }
    }
}

/// The words a program line runs, with wrappers and `sh -c` taken off.
fn unwrap(words: &[String]) -> Vec<String> {
    let mut words: Vec<String> = words.to_vec();
    for _ in 0..4 {
        let Some(first) = words.first() else { break };
        let name = first.rsplit('/').next().unwrap_or_default().to_string();
        if USER_SWITCHES.contains(&name.as_str()) && words.len() > 2 {
            words.drain(..2);
            continue;
        }
        if WRAPPERS.contains(&name.as_str()) {
            words.remove(0);
            while words
                .first()
                .is_some_and(|w| w.starts_with('-') && w != "--")
            {
                words.remove(0);
            }
            continue;
        }
        if SHELLS.contains(&name.as_str()) {
            words.remove(0);
            while let Some(flag) = words.first().filter(|w| w.starts_with('-')).cloned() {
                words.remove(0);
                if flag.contains('c') {
                    // `sh -c "a b"`: the string is the command line.
                    let line = words.first().cloned().unwrap_or_default();
                    words = line.split_whitespace().map(str::to_string).collect();
                    break;
                }
            }
            continue;
        }
        break;
    }
    words
}

/// Where a copied file lands (a destination ending in `/` is a folder).
fn landing(source: &str, dest: &str) -> String {
    if dest.ends_with('/') {
        let name = source
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or("");
        format!("{dest}{name}")
    } else {
        dest.to_string()
    }
}

/// The file of the build context a program path of the image comes from.
fn source_in_tree(docker: &Dockerfile, program: &str) -> Option<String> {
    if program.starts_with('/') {
        return docker.source_of(program);
    }
    let name = program.trim_start_matches("./");
    // `bash configure.sh` in the image's working directory.
    if let Some(found) = docker
        .workdir
        .as_deref()
        .and_then(|w| docker.source_of(&format!("{}/{name}", w.trim_end_matches('/'))))
    {
        return Some(found);
    }
    [
        "/usr/local/bin",
        "/usr/bin",
        "/bin",
        "/usr/local/sbin",
        "/usr/sbin",
    ]
    .iter()
    .find_map(|dir| docker.source_of(&format!("{dir}/{name}")))
    .or_else(|| {
        docker.copies.iter().find_map(|(source, dest, _)| {
            let lands = landing(source, dest);
            (lands.rsplit('/').next() == Some(name)).then(|| source.clone())
        })
    })
}

/// The `command=` of each `[program:…]` section of a supervisord configuration.
pub fn supervisor_programs(text: &str) -> Vec<String> {
    let mut in_program = false;
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_program = line.starts_with("[program:");
            continue;
        }
        if !in_program {
            continue;
        }
        if let Some((key, value)) = line.split_once('=') {
            if key.trim() == "command" {
                out.push(value.trim().to_string());
            }
        }
    }
    out
}

/// The name a Dockerfile's image is known by: its folder (`redis/Dockerfile` builds
/// `…/redis`), or the name in `Dockerfile.<name>` / `<name>.Dockerfile`.
pub fn image_name(dockerfile: &Path) -> Option<String> {
    let file = dockerfile
        .file_name()?
        .to_string_lossy()
        .to_ascii_lowercase();
    if let Some(name) = file
        .strip_prefix("dockerfile.")
        .or_else(|| file.strip_prefix("dockerfile-"))
        .or_else(|| file.strip_prefix("dockerfile_"))
        .or_else(|| file.strip_suffix(".dockerfile"))
    {
        return Some(name.to_string());
    }
    let folder = dockerfile.parent()?.file_name()?.to_string_lossy();
    Some(folder.to_ascii_lowercase())
}

/// The names a repository name can be built from, longest first: the name itself, then
/// what follows each `-` or `_` (`k8s-redis-ha-sentinel` → `redis-ha-sentinel`, …,
/// `sentinel`), as an image is often named after the folder of its Dockerfile plus a
/// project prefix.
pub fn name_suffixes(repository: &str) -> Vec<&str> {
    let mut out = vec![repository];
    out.extend(
        repository
            .match_indices(['-', '_'])
            .map(|(i, _)| &repository[i + 1..])
            .filter(|s| !s.is_empty()),
    );
    out
}

/// The repository name of an image reference: `registry:5000/team/redis:4.0@sha…` →
/// `redis`.
pub fn repository_name(image: &str) -> String {
    let without_digest = image.split('@').next().unwrap_or("");
    let last = without_digest.rsplit('/').next().unwrap_or("");
    last.split(':').next().unwrap_or("").to_ascii_lowercase()
}

/// The tag of an image reference, when it names one: `registry:5000/team/redis:4.0` →
/// `4.0`; `team/redis` → none.
pub fn image_tag(image: &str) -> Option<&str> {
    let without_digest = image.split('@').next().unwrap_or("");
    let last = without_digest.rsplit('/').next().unwrap_or("");
    last.split_once(':').map(|(_, t)| t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_of_supervisord() {
        let text = "[supervisord]\nnodaemon=true\n[program:redis]\ncommand=/usr/local/bin/start.sh --x\nautostart=true\n";
        assert_eq!(
            supervisor_programs(text),
            vec!["/usr/local/bin/start.sh --x"]
        );
    }

    #[test]
    fn wrappers_and_shells() {
        let w = |v: &[&str]| unwrap(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(w(&["bash", "-c", "/sbin/my_init"]), vec!["/sbin/my_init"]);
        assert_eq!(w(&["tini", "--", "/start.sh", "a"]), vec!["/start.sh", "a"]);
        assert_eq!(w(&["sh", "/run.sh"]), vec!["/run.sh"]);
        assert_eq!(repository_name("reg.io:5000/team/redis:4.0.6"), "redis");
        assert_eq!(
            image_name(Path::new("a/redis/Dockerfile")).as_deref(),
            Some("redis")
        );
        assert_eq!(
            image_name(Path::new("a/Dockerfile.sentinel")).as_deref(),
            Some("sentinel")
        );
    }
}
