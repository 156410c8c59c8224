//! How the tree's own scripts launch a compose project: `docker compose up --scale
//! sentinel=3` in a start script or a Makefile runs three copies of a service that the
//! compose file declares once.

use std::collections::HashMap;

/// Files that only launch things (a Makefile, a justfile): read for their commands.
pub fn is_launch_file(path: &std::path::Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    matches!(
        name.as_ref(),
        "Makefile" | "makefile" | "GNUmakefile" | "justfile" | "Justfile"
    ) || name.ends_with(".mk")
}

/// A file of a tool that provisions hosts, not containers: a Vagrantfile, a Salt state
/// (`.sls`), a Puppet manifest (`.pp`). Its steps are not read; that it is there says
/// the tree's configs are installed on machines.
pub fn is_host_provisioning(path: &std::path::Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    name == "Vagrantfile" || name.ends_with(".sls") || name.ends_with(".pp")
}

/// An Ansible inventory in INI form, by the names inventories go by: `hosts`,
/// `inventory` (with `.ini`, or without extension), any `.ini` or extensionless file in
/// an `inventory/` or `inventories/` folder. YAML inventories are YAML files of the tree
/// and read as such.
pub fn is_ansible_inventory(path: &std::path::Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let stem = name.split('.').next().unwrap_or_default();
    let ext = name.rsplit_once('.').map(|(_, e)| e);
    let in_inventory_dir = path
        .ancestors()
        .skip(1)
        .take(3)
        .filter_map(|a| a.file_name())
        .any(|d| d == "inventory" || d == "inventories");
    // `hosts`, `inventory`, and one per environment: `hosts_prod`, `inventory-dev`.
    let named = ["hosts", "inventory"].iter().any(|n| {
        stem.strip_prefix(n)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['_', '-']))
    });
    let kind_ok = matches!(
        ext,
        None | Some("ini" | "yml" | "yaml" | "cfg" | "dist" | "example" | "sample")
    );
    (named && kind_ok) || (in_inventory_dir && matches!(ext, None | Some("ini" | "yml" | "yaml")))
}

/// A project's README: its instructions may say how the project is launched
/// (`docker compose up --scale redis-sentinel=3`); only that is read from it.
pub fn is_readme(path: &std::path::Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let Some(rest) = name.strip_prefix("readme") else {
        return false;
    };
    matches!(rest, "" | ".md" | ".markdown" | ".rst" | ".txt" | ".adoc")
}

/// The files a `docker compose -f A -f B …` command merges, after the first: each is
/// laid over the ones before it (an override that adds a `build:` or a count), not a
/// project of its own. Names as written (relative to where the command runs).
pub fn compose_overrides(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    if !(text.contains("-f ") || text.contains("--file")) {
        return out;
    }
    for line in text.lines() {
        // The command, not a file name that starts like it (`docker-compose.yml`).
        let Some(at) = ["docker compose ", "docker-compose "]
            .iter()
            .filter_map(|p| line.find(p))
            .min()
        else {
            continue;
        };
        let words: Vec<&str> = line[at..].split_whitespace().collect();
        let mut files = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let file = match words[i] {
                "-f" | "--file" => {
                    i += 1;
                    words.get(i).copied()
                }
                w => w.strip_prefix("--file="),
            };
            if let Some(f) = file {
                files.push(f.trim_matches(|c| c == '"' || c == '\'').to_string());
            }
            i += 1;
        }
        for f in files.into_iter().skip(1) {
            if !f.contains('$') && !out.contains(&f) {
                out.push(f);
            }
        }
    }
    out
}

/// The compose files `docker stack deploy -c FILE` deploys as swarm stacks in `text`,
/// as written after the last variable (`${ROOT}/test/docker-compose.yml` →
/// `test/docker-compose.yml`).
pub fn stack_files(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let Some(at) = line.find("docker stack deploy ") else {
            continue;
        };
        let words: Vec<&str> = line[at..].split_whitespace().collect();
        let mut i = 0;
        while i < words.len() {
            let file = match words[i] {
                "-c" | "--compose-file" => {
                    i += 1;
                    words.get(i).copied()
                }
                w => w.strip_prefix("--compose-file="),
            };
            if let Some(f) = file {
                let f = f
                    .trim_end_matches([';', '&'])
                    .trim_matches(|c| c == '"' || c == '\'');
                let tail = match f.rfind('}') {
                    Some(end) => &f[end + 1..],
                    None if f.starts_with('$') => f.split_once('/').map_or("", |(_, t)| t),
                    None => f,
                };
                let tail = tail.trim_start_matches("./").trim_start_matches('/');
                if !tail.is_empty() && !tail.contains('$') && !out.iter().any(|o| o == tail) {
                    out.push(tail.to_string());
                }
            }
            i += 1;
        }
    }
    out
}

/// The stacks `docker stack deploy [-c FILE …] NAME` makes in `text`: (compose file as
/// [`stack_files`] gives it, stack name), the name with the file's plain variables filled
/// in (`STACK=shop` … `docker stack deploy ${STACK} -c stack.yml`). Swarm reaches each
/// service of the stack as `NAME_SERVICE` too.
pub fn stack_names(text: &str) -> Vec<(String, String)> {
    if !text.contains("docker stack deploy ") {
        return Vec::new();
    }
    let variables = simple_variables(text);
    let mut out = Vec::new();
    for line in text.lines() {
        let Some(at) = line.find("docker stack deploy ") else {
            continue;
        };
        let words: Vec<&str> = line[at + "docker stack deploy ".len()..]
            .split_whitespace()
            .take_while(|w| !matches!(*w, ";" | "&&" | "||" | "|"))
            .map(|w| w.trim_end_matches(';'))
            .collect();
        let mut name = None;
        let mut i = 0;
        while i < words.len() {
            let w = words[i];
            if matches!(
                w,
                "-c" | "--compose-file" | "--resolve-image" | "--orchestrator"
            ) {
                i += 2;
                continue;
            }
            if !w.starts_with('-') && !w.is_empty() {
                name = Some(w);
            }
            i += 1;
        }
        let Some(name) = name else { continue };
        let name = expand_simple(name.trim_matches(['"', '\'']), &variables);
        if name.contains(['$', '`']) || name.is_empty() {
            continue;
        }
        for file in stack_files(line) {
            out.push((file, name.clone()));
        }
    }
    out
}

/// Every `--scale SERVICE=N` of a `docker compose` / `docker-compose` command in `text`,
/// and the legacy `docker-compose scale SERVICE=N`.
pub fn compose_scales(text: &str) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    // Most files have no scaling at all: one pass over the text says so.
    if !text.contains("scale") {
        return out;
    }
    for line in text.lines().filter(|l| l.contains("scale")) {
        let Some(at) = line
            .find("docker-compose")
            .or_else(|| line.find("docker compose"))
        else {
            continue;
        };
        let words: Vec<&str> = line[at..].split_whitespace().collect();
        // `docker-compose [-f FILE] [-p NAME] scale SERVICE=N`: the subcommand comes
        // after the global options.
        let legacy_scale = words.iter().skip(1).any(|w| *w == "scale");
        let mut i = 0;
        while i < words.len() {
            let word = words[i].trim_matches(|c| c == '"' || c == '\'');
            let assignment = if let Some(v) = word.strip_prefix("--scale=") {
                Some(v.to_string())
            } else if word == "--scale" {
                i += 1;
                words
                    .get(i)
                    .map(|w| w.trim_matches(|c| c == '"' || c == '\'').to_string())
            } else if legacy_scale && word.contains('=') {
                Some(word.to_string())
            } else {
                None
            };
            if let Some((service, count)) = assignment.as_deref().and_then(|a| a.split_once('=')) {
                if let Ok(n) = count.parse::<usize>() {
                    if !service.is_empty() && (1..=64).contains(&n) {
                        out.retain(|(s, _)| s != service);
                        out.push((service.to_string(), n));
                    }
                }
            }
            i += 1;
        }
    }
    out
}

/// The passwords written in a text that is read only for its commands (a README's
/// instructions, a Vagrantfile, a Makefile), so that a finding shown there never prints
/// one: the value of a password-named `NAME=value` (also inside an option,
/// `--from-literal=redis-password=…`) or `name: value`, and the word after `-a`,
/// `--pass`, `--requirepass`, `--masterauth`, `requirepass` or `masterauth` (two words
/// after `auth-pass` / `sentinel-pass`, which name the master first).
pub fn secret_ranges(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    for (start, line) in text.split_inclusive('\n').scan(0, |at, l| {
        let start = *at;
        *at += l.len();
        Some((start, l))
    }) {
        // Words with their offsets, quotes and a trailing `,` / `;` left out.
        let mut words: Vec<(&str, usize)> = Vec::new();
        let mut rest = line;
        let mut pos = start;
        while let Some(i) = rest.find(|c: char| !c.is_whitespace()) {
            let end = rest[i..]
                .find(char::is_whitespace)
                .map_or(rest.len(), |e| i + e);
            let raw = &rest[i..end];
            let trimmed = raw.trim_start_matches(['"', '\'']);
            let lead = raw.len() - trimmed.len();
            let word = trimmed.trim_end_matches(['"', '\'', ',', ';']);
            words.push((word, pos + i + lead));
            pos += end;
            rest = &rest[end..];
        }
        for (n, &(word, at)) in words.iter().enumerate() {
            let mut mark = |k: usize| {
                if let Some(&(w, a)) = words.get(k).filter(|(w, _)| !w.is_empty()) {
                    out.push(a..a + w.len());
                }
            };
            match word.to_ascii_lowercase().as_str() {
                "-a" | "--pass" | "--password" | "--requirepass" | "--masterauth"
                | "requirepass" | "masterauth" => mark(n + 1),
                "auth-pass" | "sentinel-pass" => mark(n + 2),
                _ => {}
            }
            // `name: value` (YAML, Ruby keyword arguments).
            if let Some(key) = word.strip_suffix(':') {
                if crate::formats::units::is_password_variable(key.trim_start_matches(':')) {
                    mark(n + 1);
                }
            }
            // `NAME=value`, the name being the part after an option's own `=`.
            if let Some((head, value)) = word.rsplit_once('=') {
                let key = head
                    .rsplit('=')
                    .next()
                    .unwrap_or(head)
                    .trim_start_matches('-');
                let value = value.trim_matches(['"', '\'']);
                if !value.is_empty() && crate::formats::units::is_password_variable(key) {
                    let offset = word.len() - word.rsplit_once('=').map_or(0, |(_, v)| v.len());
                    let lead =
                        word[offset..].len() - word[offset..].trim_start_matches(['"', '\'']).len();
                    out.push(at + offset + lead..at + offset + lead + value.len());
                }
            }
        }
    }
    out
}

/// Every `kubectl scale [KIND] NAME --replicas=N` (or `KIND/NAME`) in `text`: the
/// workload's name, the count, and where the count is written.
pub fn kubectl_scales(text: &str) -> Vec<(String, usize, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    if !text.contains("--replicas") {
        return out;
    }
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let Some(at) = line.find("kubectl") else {
            continue;
        };
        // Words with their offsets in `text`.
        let mut words: Vec<(&str, usize)> = Vec::new();
        let mut rest = &line[at..];
        let mut pos = start + at;
        while let Some(i) = rest.find(|c: char| !c.is_whitespace()) {
            let end = rest[i..]
                .find(char::is_whitespace)
                .map_or(rest.len(), |e| i + e);
            words.push((&rest[i..end], pos + i));
            pos += end;
            rest = &rest[end..];
        }
        // `kubectl [-n NS] scale …`
        let Some(scale) = words.iter().take(4).position(|(w, _)| *w == "scale") else {
            continue;
        };
        const KINDS: [&str; 10] = [
            "rc",
            "replicationcontroller",
            "deployment",
            "deploy",
            "deployments",
            "statefulset",
            "sts",
            "statefulsets",
            "replicaset",
            "rs",
        ];
        let mut name: Option<&str> = None;
        let mut count: Option<(usize, std::ops::Range<usize>)> = None;
        let mut i = scale + 1;
        while i < words.len() {
            let (w, at) = words[i];
            i += 1;
            let value = if let Some(v) = w.strip_prefix("--replicas=") {
                Some((v, at + "--replicas=".len()))
            } else if w == "--replicas" {
                i += 1;
                words.get(i - 1).map(|(v, a)| (*v, *a))
            } else {
                None
            };
            if let Some((v, a)) = value {
                count = v.parse::<usize>().ok().map(|n| (n, a..a + v.len()));
                continue;
            }
            if matches!(w, "-n" | "--namespace") {
                i += 1;
                continue;
            }
            if w.starts_with('-') || KINDS.contains(&w) || name.is_some() {
                continue;
            }
            name = Some(match w.split_once('/') {
                Some((kind, n)) if KINDS.contains(&kind) => n,
                Some(_) => continue,
                None => w,
            });
        }
        if let (Some(name), Some((n, range))) = (name, count) {
            if !name.contains('$') && (1..=64).contains(&n) {
                out.push((name.to_string(), n, range));
            }
        }
    }
    out
}

/// The pods a `kubectl delete pod NAME…` (or `pod/NAME`) in `text` deletes: a bare pod
/// deleted in the instructions (the bootstrap master of Kubernetes' classic sentinel
/// example) is not part of the deployment that stays.
pub fn kubectl_deleted_pods(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let Some(at) = line.find("kubectl") else {
            continue;
        };
        let words: Vec<&str> = line[at..].split_whitespace().collect();
        // `kubectl [-n NS] delete …`
        let Some(delete) = words.iter().take(4).position(|w| *w == "delete") else {
            continue;
        };
        let mut pods_follow = false;
        let mut skip_value = false;
        for w in &words[delete + 1..] {
            if std::mem::take(&mut skip_value) {
                continue;
            }
            if matches!(
                *w,
                "-n" | "--namespace" | "-f" | "--filename" | "-l" | "--selector"
            ) {
                // A file or selector names no pod by name.
                if matches!(*w, "-f" | "--filename" | "-l" | "--selector") {
                    break;
                }
                skip_value = true;
                continue;
            }
            if w.starts_with('-') {
                continue;
            }
            if matches!(*w, "pod" | "pods" | "po") {
                pods_follow = true;
                continue;
            }
            let name = match w.split_once('/') {
                Some(("pod" | "pods" | "po", n)) => n,
                Some(_) => break,
                None if pods_follow => w,
                None => break,
            };
            if !name.is_empty() && !name.contains(['$', '`', '*', '<']) {
                out.push(name.to_string());
            }
        }
    }
    out
}

/// A file that a `kubectl create configmap NAME --from-file=[KEY=]PATH` (or `kubectl
/// create secret generic …`) command puts into a ConfigMap or Secret key.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyFromFile {
    /// The object's name.
    pub object: String,
    /// The key: the one written before `=`, else the file's name (a folder gives each
    /// of its files under its own name).
    pub key: String,
    /// The path as written, relative to where the command is run.
    pub path: String,
}

/// Every `--from-file` of the `kubectl create configmap` / `kubectl create secret
/// generic` commands in `text` (a script, a Makefile, a README's instructions).
pub fn keys_from_files(text: &str) -> Vec<KeyFromFile> {
    let mut out = Vec::new();
    if !text.contains("--from-file") {
        return out;
    }
    // A command continued over several lines (`\` at their ends) is one line.
    let joined = text.replace("\\\r\n", " ").replace("\\\n", " ");
    for line in joined.lines().filter(|l| l.contains("--from-file")) {
        let Some(at) = line.find("kubectl") else {
            continue;
        };
        let words: Vec<&str> = line[at..]
            .split_whitespace()
            .map(|w| w.trim_matches(|c| c == '"' || c == '\'' || c == '`'))
            .collect();
        // `kubectl [-n NS] create configmap NAME` / `… create secret generic NAME`.
        let Some(create) = words.iter().position(|w| *w == "create") else {
            continue;
        };
        let after = match (words.get(create + 1), words.get(create + 2)) {
            (Some(&"configmap" | &"cm"), _) => create + 2,
            (Some(&"secret"), Some(&"generic")) => create + 3,
            _ => continue,
        };
        // The object's name is the first word that is no option nor an option's value
        // (it may come after the options).
        let mut object: Option<&str> = None;
        let mut files: Vec<&str> = Vec::new();
        let mut i = after;
        while i < words.len() {
            let word = words[i];
            i += 1;
            match word {
                "--from-file" => {
                    files.extend(words.get(i).copied());
                    i += 1;
                }
                "-n" | "--namespace" | "-o" | "--output" | "--from-literal" | "--from-env-file" => {
                    i += 1;
                }
                w if w.starts_with("--from-file=") => files.push(&w["--from-file=".len()..]),
                w if w.starts_with('-') => {}
                // The end of the command (`| kubectl apply -f -`, `&&`, `;`).
                "|" | "&&" | ";" | "||" => break,
                w if object.is_none() => object = Some(w),
                _ => {}
            }
        }
        let Some(object) = object.filter(|n| !n.contains('$')) else {
            continue;
        };
        for value in files
            .into_iter()
            .filter(|v| !v.is_empty() && !v.contains('$'))
        {
            let (key, path) = match value.split_once('=') {
                Some((k, p)) => (k.to_string(), p.to_string()),
                None => (
                    value
                        .trim_end_matches('/')
                        .rsplit('/')
                        .next()
                        .unwrap_or(value)
                        .to_string(),
                    value.to_string(),
                ),
            };
            out.push(KeyFromFile {
                object: object.to_string(),
                key,
                path,
            });
        }
    }
    out
}

/// Whether a command line of `text` adds a monitor to a sentinel
/// (`redis-server sentinel.conf --sentinel monitor …`, `redis-sentinel f --sentinel monitor`).
pub fn passes_monitor(text: &str) -> bool {
    if !text.contains("--sentinel") {
        return false;
    }
    text.lines()
        .filter(|l| l.contains("--sentinel"))
        .any(|line| {
            let mut words = line
                .split_whitespace()
                .map(|w| w.trim_matches(['"', '\'', ',', '[', ']']));
            while let Some(w) = words.next() {
                if w == "--sentinel"
                    && words
                        .next()
                        .is_some_and(|n| n.eq_ignore_ascii_case("monitor"))
                {
                    return true;
                }
            }
            false
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_instructions() {
        let text = "kubectl create secret generic a --from-literal=redis-password=hunter2\nredis-cli -a 's3cret' ping\n  REDIS_PASSWORD=abc docker compose up\nsentinel auth-pass mymaster xyz\n  env: { REDIS_PASSWORD: \"q1\" }\n";
        let masked: Vec<&str> = secret_ranges(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(masked, ["hunter2", "s3cret", "abc", "xyz", "q1"]);
    }

    #[test]
    fn workloads_scaled_by_kubectl() {
        let text = "kubectl scale rc redis-sentinel --replicas=3\nkubectl -n x scale --replicas 2 statefulset/redis\nkubectl scale deploy web --replicas=$N\n";
        let found = kubectl_scales(text);
        let got: Vec<(&str, usize, &str)> = found
            .iter()
            .map(|(n, c, r)| (n.as_str(), *c, &text[r.clone()]))
            .collect();
        assert_eq!(got, [("redis-sentinel", 3, "3"), ("redis", 2, "2")]);
    }

    #[test]
    fn pods_deleted_by_kubectl() {
        let text = "kubectl delete pods redis-master\nkubectl -n x delete pod/a pod/b\nkubectl delete -f pod.yaml\nkubectl delete deploy web\nkubectl delete pod $P\n";
        assert_eq!(kubectl_deleted_pods(text), ["redis-master", "a", "b"]);
    }

    #[test]
    fn configmaps_created_from_files() {
        let text = "```\nkubectl create configmap redis-config --from-file=init.sh=./etc/init.sh --from-file conf/sentinel.conf\nkubectl -n cache create secret generic \\\n  --from-file=users.acl acl\nkubectl create configmap x --from-file=$DIR/a.conf\n```\n";
        let found = keys_from_files(text);
        let got: Vec<(&str, &str, &str)> = found
            .iter()
            .map(|k| (k.object.as_str(), k.key.as_str(), k.path.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("redis-config", "init.sh", "./etc/init.sh"),
                ("redis-config", "sentinel.conf", "conf/sentinel.conf"),
                ("acl", "users.acl", "users.acl"),
            ]
        );
    }

    #[test]
    fn files_laid_over_the_first() {
        let text = "docker-compose -f docker-compose.yml -f docker-compose.build.yml build\n\tdocker compose -f docker-compose.yml -f x.yml up\ndocker compose --file=a.yml --file b.yml up\ndocker compose -f only.yml up\n";
        assert_eq!(
            compose_overrides(text),
            ["docker-compose.build.yml", "x.yml", "b.yml"]
        );
    }

    #[test]
    fn stack_deployed_files_as_written_after_variables() {
        let text = "docker stack deploy -c \"${ROOT}/test/docker-compose.yml\" cache\n\
                    docker stack deploy --compose-file=stack.yml app\n\
                    docker stack deploy -c $DIR/prod.yml x\n\
                    docker compose -f other.yml up";
        assert_eq!(
            stack_files(text),
            vec!["test/docker-compose.yml", "stack.yml", "prod.yml"]
        );
    }

    #[test]
    fn reads_scale_options_of_compose_commands() {
        let make = "up:\n\t@docker-compose up -d --scale slave=3 --scale sentinel=3\n";
        assert_eq!(
            compose_scales(make),
            vec![("slave".to_string(), 3), ("sentinel".to_string(), 3)]
        );
        let script = "docker compose -f docker-compose.yml up --scale=redis-sentinel=3 -d\n\
                      docker-compose scale sentinel=5\n\
                      docker-compose -f docker-compose.yml scale redis-slave=2\n";
        assert_eq!(
            compose_scales(script),
            vec![
                ("redis-sentinel".to_string(), 3),
                ("sentinel".to_string(), 5),
                ("redis-slave".to_string(), 2)
            ]
        );
        // Not a compose command, or not a count.
        assert!(compose_scales("kubectl scale --replicas=3 sts/redis\n").is_empty());
        assert!(compose_scales("docker compose up --scale sentinel=$N\n").is_empty());
    }

    #[test]
    fn monitors_added_on_command_lines() {
        assert!(passes_monitor(
            "exec redis-server /etc/s.conf --sentinel \\\n  --sentinel monitor m h 6379 2\n"
        ));
        assert!(passes_monitor(
            "command: [\"redis-sentinel\", \"/s.conf\", \"--sentinel\", \"monitor\", \"m\"]"
        ));
        assert!(!passes_monitor("redis-server /etc/s.conf --sentinel\n"));
    }
}

/// A `docker run` (or `podman run`) command: the image it starts, the host paths it
/// mounts into the container (`-v SRC:DST`, `--mount type=bind,source=SRC,…`), the names
/// it is reached by and the command it runs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DockerRun {
    pub image: String,
    /// Where the image is named.
    pub image_range: std::ops::Range<usize>,
    pub mounted: Vec<String>,
    /// Bind mounts: (host path, path in the container), as written.
    pub binds: Vec<(String, String)>,
    /// For each bind mount: where its option's value is written, and whether it is
    /// read-only (`:ro`, `readonly`).
    pub bind_entries: Vec<(std::ops::Range<usize>, bool)>,
    /// `--name`, `--hostname`, `--network-alias`: what other containers of its network
    /// reach it by.
    pub names: Vec<String>,
    /// `--network host`: the container has the host's addresses and ports.
    pub host_network: bool,
    /// The words after the image (the command it runs instead of the image's), with
    /// where each is written.
    pub args: Vec<(String, std::ops::Range<usize>)>,
    /// The whole command.
    pub range: std::ops::Range<usize>,
    /// Run on another machine (a here-document fed to `ssh host bash`).
    pub remote: bool,
    /// `-e NAME=value` / `--env NAME=value`: the variables the container is given, each
    /// value where it is written.
    pub env: Vec<crate::formats::compose::EnvVar>,
}

/// Options of `docker run` that take a value as the next word.
const RUN_VALUE_OPTIONS: &[&str] = &[
    "--name",
    "-p",
    "--publish",
    "-e",
    "--env",
    "--env-file",
    "--network",
    "--net",
    "--restart",
    "-w",
    "--workdir",
    "-u",
    "--user",
    "-h",
    "--hostname",
    "--entrypoint",
    "--log-driver",
    "--log-opt",
    "-m",
    "--memory",
    "--cpus",
    "--ulimit",
    "-l",
    "--label",
    "--add-host",
    "--ip",
    "--dns",
    "--sysctl",
    "--platform",
    "--pull",
    "--cpu-shares",
    "--shm-size",
    "--user-ns",
    "--userns",
    "--pid",
    "--ipc",
    "--cap-add",
    "--cap-drop",
    "--security-opt",
    "--tmpfs",
    "--device",
    "--health-cmd",
    "--health-interval",
    "--health-timeout",
    "--health-retries",
    "--network-alias",
    "--link",
    "--volumes-from",
    "--memory-swap",
    "--stop-signal",
    "--stop-timeout",
    "--expose",
    "--mac-address",
    "--cgroupns",
    "--runtime",
    "--gpus",
];

/// One `-e NAME=value` of a `docker run`: the value's span is the part of the written
/// word after `NAME=` (inside its quotes). `-e NAME` alone passes the host's value on,
/// which is not known.
fn env_entry(
    text: &str,
    value: &str,
    written: &std::ops::Range<usize>,
) -> Option<crate::formats::compose::EnvVar> {
    let (name, val) = value.split_once('=')?;
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let raw = text.get(written.clone())?;
    let at = raw.find(&format!("{name}="))? + name.len() + 1;
    let mut end = raw.len();
    if raw.ends_with(['"', '\'']) && end > at {
        end -= 1;
    }
    let span = written.start + at..written.start + end;
    let literal = !val.contains('$') && text.get(span.clone()) == Some(val);
    Some(crate::formats::compose::EnvVar {
        name: name.to_string(),
        value: Some(val.to_string()),
        span,
        literal,
        from_file: None,
        written_in: None,
    })
}

/// A `docker build` (or `podman build`, `docker buildx build`) command: the names it
/// tags the image with, its Dockerfile (`-f`) and its build context, as written.
#[derive(Debug, Clone, PartialEq)]
pub struct DockerBuild {
    pub tags: Vec<String>,
    pub file: Option<String>,
    pub context: String,
}

/// Every `docker build` of a script, Makefile or CI file, also where the command is a
/// string handed to a function (`run "docker build -t redis:5.0 ."`): read line by line,
/// continued lines (`\`) joined.
pub fn docker_builds(text: &str) -> Vec<DockerBuild> {
    if !text.contains(" build") {
        return Vec::new();
    }
    let joined = text.replace("\\\r\n", " ").replace("\\\n", " ");
    let variables = simple_variables(text);
    let mut out = Vec::new();
    for line in joined.lines() {
        let words: Vec<&str> = line
            .split_whitespace()
            .map(|w| w.trim_matches(|c| c == '"' || c == '\'' || c == '`'))
            .collect();
        let mut i = 0;
        while i < words.len() {
            let engine = matches!(
                crate::syntax::shell::basename(words[i]),
                "docker" | "podman"
            );
            let build_at = match (words.get(i + 1), words.get(i + 2)) {
                (Some(&"build"), _) => i + 2,
                (Some(&"buildx" | &"image"), Some(&"build")) => i + 3,
                _ => usize::MAX,
            };
            i += 1;
            if !engine || build_at == usize::MAX {
                continue;
            }
            let mut tags: Vec<&str> = Vec::new();
            let mut file: Option<&str> = None;
            let mut context: Option<&str> = None;
            let mut j = build_at;
            while j < words.len() {
                let w = words[j];
                j += 1;
                let (flag, inline) = match w.split_once('=') {
                    Some((f, v)) if w.starts_with("--") => (f, Some(v)),
                    _ => (w, None),
                };
                let mut value = || match inline {
                    Some(v) => Some(v),
                    None => {
                        j += 1;
                        words.get(j - 1).copied()
                    }
                };
                match flag {
                    "-t" | "--tag" => tags.extend(value()),
                    "-f" | "--file" => file = value(),
                    "|" | "&&" | ";" | "||" => break,
                    f if f.starts_with("-t") && f.len() > 2 && !f.starts_with("--") => {
                        tags.push(&f[2..]);
                    }
                    f if f.starts_with('-') => {
                        // Options with a value of their own (`--build-arg K=V`).
                        if BUILD_VALUE_OPTIONS.contains(&f) && inline.is_none() {
                            j += 1;
                        }
                    }
                    _ => {
                        context = Some(w.trim_end_matches([';', ')']));
                        break;
                    }
                }
            }
            let tags: Vec<String> = tags
                .into_iter()
                .filter(|t| !t.is_empty())
                .map(|t| expand_simple(t, &variables))
                .collect();
            if let Some(context) = context.filter(|c| !c.is_empty() && !tags.is_empty()) {
                out.push(DockerBuild {
                    tags,
                    file: file.map(|f| expand_simple(f, &variables)),
                    context: expand_simple(context, &variables),
                });
            }
            i = j;
        }
    }
    out
}

/// Variables a Makefile or script sets to a plain value on a line of its own
/// (`REDIS_IMAGE = acme/redis:5`, `IMAGE ?= …`, `export TAG=5`): the last one wins,
/// except that `?=` only sets what nothing set before.
fn simple_variables(text: &str) -> HashMap<String, String> {
    let mut out: HashMap<String, String> = HashMap::new();
    for line in text.lines() {
        let line = line.trim();
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some(eq) = line.find('=') else { continue };
        let (mut name, value) = (&line[..eq], &line[eq + 1..]);
        let mut weak = false;
        if let Some(n) = name.strip_suffix(['?', ':', '+']) {
            weak = name.ends_with('?');
            if name.ends_with('+') {
                continue;
            }
            name = n;
        }
        let name = name.trim_end_matches(':').trim();
        let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        let value = value.trim().trim_matches(['"', '\'']);
        if !valid || value.is_empty() || value.contains(['$', '`', ' ']) {
            continue;
        }
        if weak && out.contains_key(name) {
            continue;
        }
        out.insert(name.to_string(), value.to_string());
    }
    out
}

/// `word` with `$(NAME)`, `${NAME}` and `$NAME` of `variables` replaced.
fn expand_simple(word: &str, variables: &HashMap<String, String>) -> String {
    if !word.contains('$') {
        return word.to_string();
    }
    let mut out = String::new();
    let mut rest = word;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (name, len) = match after.chars().next() {
            Some(open @ ('(' | '{')) => {
                let close = if open == '(' { ')' } else { '}' };
                match after.find(close) {
                    Some(end) => (&after[1..end], end + 1),
                    None => ("", 0),
                }
            }
            _ => {
                let end = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                (&after[..end], end)
            }
        };
        match variables.get(name) {
            Some(value) if len > 0 => out.push_str(value),
            _ => out.push_str(&rest[i..i + 1 + len]),
        }
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

/// Options of `docker build` that take a value as the next word.
const BUILD_VALUE_OPTIONS: &[&str] = &[
    "--build-arg",
    "--target",
    "--platform",
    "--label",
    "--network",
    "--cache-from",
    "--cache-to",
    "--secret",
    "--ssh",
    "--output",
    "-o",
    "--progress",
    "--add-host",
    "--iidfile",
    "--build-context",
];

/// Every `docker run` / `podman run` of a script, with its lines continued (`\`).
pub fn docker_runs(text: &str) -> Vec<DockerRun> {
    // Most files name no container engine: no copy, no parse.
    if !(text.contains("docker") || text.contains("podman")) {
        return Vec::new();
    }
    let mut out = Vec::new();
    // The `for` loops open around each command: (variable, its values when written out).
    let mut loops: Vec<Option<(String, Vec<String>)>> = Vec::new();
    // The shell reader joins continued lines (`\`) into one command.
    for command in crate::syntax::shell::parse(text).commands {
        let words = &command.words;
        let first = words.first().map(|w| w.value.as_str());
        match first {
            Some("for") => loops.push(loop_values(&words[1..])),
            Some("while" | "until" | "select") => loops.push(None),
            _ => {}
        }
        if first == Some("done") {
            loops.pop();
        }
        let before = out.len();
        let mut i = 0;
        while i + 1 < words.len() {
            let engine = matches!(
                crate::syntax::shell::basename(&words[i].value),
                "docker" | "podman"
            );
            // `docker run`, `docker container run`, and `create` (started later with
            // `docker start`).
            let run_at = match (words.get(i + 1), words.get(i + 2)) {
                (Some(w), _) if matches!(w.value.as_str(), "run" | "create") => i + 2,
                (Some(c), Some(r))
                    if c.value == "container" && matches!(r.value.as_str(), "run" | "create") =>
                {
                    i + 3
                }
                _ => usize::MAX,
            };
            let command_start = words[i].range.start;
            i += 1;
            if !engine || run_at == usize::MAX {
                continue;
            }
            let mut run = DockerRun {
                remote: command.depth > 0,
                ..DockerRun::default()
            };
            let mut j = run_at;
            let mut image = None;
            while j < words.len() {
                let w = &words[j].value;
                j += 1;
                let (flag, inline) = match w.split_once('=') {
                    Some((f, v)) if w.starts_with("--") => (f, Some(v.to_string())),
                    _ => (w.as_str(), None),
                };
                let takes_value = matches!(flag, "-v" | "--volume" | "--mount")
                    || RUN_VALUE_OPTIONS.contains(&flag);
                if !takes_value {
                    if w.starts_with('-') {
                        continue;
                    }
                    image = Some(&words[j - 1]);
                    break;
                }
                let value_range = match inline {
                    Some(_) => words[j - 1].range.clone(),
                    None => words.get(j).map_or(0..0, |w| w.range.clone()),
                };
                let value = match inline {
                    Some(v) => v,
                    None => {
                        j += 1;
                        words
                            .get(j - 1)
                            .map(|w| w.value.clone())
                            .unwrap_or_default()
                    }
                };
                match flag {
                    "-v" | "--volume" | "--mount" => {
                        let (source, target) = match flag {
                            "--mount" => {
                                let field = |names: &[&str]| {
                                    value.split(',').find_map(|kv| {
                                        let (k, v) = kv.split_once('=')?;
                                        names.contains(&k).then(|| v.to_string())
                                    })
                                };
                                (
                                    field(&["source", "src"]),
                                    field(&["target", "destination", "dst"]),
                                )
                            }
                            _ => {
                                // A Windows drive letter is part of the host path.
                                let (drive, rest) = match value.as_bytes() {
                                    [d, b':', b'/' | b'\\', ..] if d.is_ascii_alphabetic() => {
                                        (&value[..2], &value[2..])
                                    }
                                    _ => ("", value.as_str()),
                                };
                                let mut parts = rest.split(':');
                                (
                                    parts.next().map(|p| format!("{drive}{p}")),
                                    parts.next().map(str::to_string),
                                )
                            }
                        };
                        let windows = |s: &str| {
                            s.as_bytes().get(1) == Some(&b':')
                                && s.as_bytes()[0].is_ascii_alphabetic()
                        };
                        let Some(source) =
                            source.filter(|s| s.starts_with(['/', '.', '~', '$']) || windows(s))
                        else {
                            continue;
                        };
                        if let Some(target) = target {
                            let read_only = value.ends_with(":ro")
                                || value.contains(":ro,")
                                || value
                                    .split(',')
                                    .any(|kv| kv == "readonly" || kv == "ro=true");
                            run.binds.push((source.clone(), target));
                            run.bind_entries.push((value_range.clone(), read_only));
                        }
                        run.mounted.push(source);
                    }
                    "--name" | "-h" | "--hostname" | "--network-alias" if !value.is_empty() => {
                        run.names.push(value);
                    }
                    "--network" | "--net" => run.host_network = value == "host",
                    "-e" | "--env" => {
                        if let Some(var) = env_entry(text, &value, &value_range) {
                            run.env.push(var);
                        }
                    }
                    _ => {}
                }
            }
            let Some(image) = image else {
                i = j;
                continue;
            };
            run.image = image.value.clone();
            run.image_range = image.range.clone();
            run.args = words[j..]
                .iter()
                .take_while(|w| !matches!(w.value.as_str(), "|" | "&&" | "||" | ";"))
                .map(|w| (w.value.clone(), w.range.clone()))
                .collect();
            let end = run.args.last().map_or(image.range.end, |(_, r)| r.end);
            run.range = command_start..end;
            out.push(run);
            i = words.len();
        }
        // In a loop over listed values (`for i in 1 2 3`), one container per value.
        if out.len() > before {
            let runs: Vec<DockerRun> = out.drain(before..).collect();
            for run in runs {
                out.extend(per_iteration(run, &loops));
            }
        }
    }
    out
}

/// The variable and values of `for NAME in a b c` (the words after `for`): values
/// written out, or a brace range `{1..3}`; `None` when they come from elsewhere.
fn loop_values(words: &[crate::syntax::shell::Word]) -> Option<(String, Vec<String>)> {
    let (name, rest) = words.split_first()?;
    let (keyword, items) = rest.split_first()?;
    if keyword.value != "in" {
        return None;
    }
    let mut values = Vec::new();
    for w in items {
        let v = w.value.as_str();
        if matches!(v, "do" | ";") {
            break;
        }
        if let Some((a, b)) = v
            .strip_prefix('{')
            .and_then(|r| r.strip_suffix('}'))
            .and_then(|r| r.split_once(".."))
        {
            let (a, b) = (a.parse::<u32>().ok()?, b.parse::<u32>().ok()?);
            if b < a || b - a > 16 {
                return None;
            }
            values.extend((a..=b).map(|n| n.to_string()));
            continue;
        }
        if v.is_empty() || v.contains(['$', '`', '*', '?', '(', '{']) {
            return None;
        }
        values.push(v.to_string());
    }
    (!values.is_empty() && values.len() <= 16).then(|| (name.value.clone(), values))
}

/// A `docker run` inside loops: one run per value of each loop whose variable it uses,
/// with `$NAME` / `${NAME}` filled in. Left as it is when such a loop's values are not
/// written out (its names keep the `$`: any number of containers).
fn per_iteration(run: DockerRun, loops: &[Option<(String, Vec<String>)>]) -> Vec<DockerRun> {
    let uses = |name: &str| {
        let mentions = |v: &str| {
            v.contains(&format!("${{{name}}}"))
                || v.match_indices(&format!("${name}")).any(|(i, m)| {
                    !v[i + m.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                })
        };
        run.names.iter().any(|v| mentions(v))
            || run.mounted.iter().any(|v| mentions(v))
            || run.binds.iter().any(|(a, b)| mentions(a) || mentions(b))
            || run.args.iter().any(|(v, _)| mentions(v))
            || run
                .env
                .iter()
                .any(|e| e.value.as_deref().is_some_and(mentions))
    };
    let used: Vec<&(String, Vec<String>)> = loops
        .iter()
        .flatten()
        .filter(|(name, _)| uses(name))
        .collect();
    let mut runs = vec![run];
    for (name, values) in used {
        runs = runs
            .into_iter()
            .flat_map(|r| {
                values.iter().map(move |value| {
                    let vars = [(name.clone(), value.clone())];
                    let fill = |v: &str| crate::syntax::shell::expand_parameters(v, &vars);
                    let mut r = r.clone();
                    r.names = r.names.iter().map(|v| fill(v)).collect();
                    r.mounted = r.mounted.iter().map(|v| fill(v)).collect();
                    r.binds = r.binds.iter().map(|(a, b)| (fill(a), fill(b))).collect();
                    r.args = r.args.iter().map(|(v, at)| (fill(v), at.clone())).collect();
                    for e in &mut r.env {
                        e.value = e.value.as_deref().map(fill);
                        e.literal &= e.value.as_deref().is_some_and(|v| !v.contains('$'));
                    }
                    r
                })
            })
            .collect();
        if runs.len() > 64 {
            break;
        }
    }
    runs
}

#[cfg(test)]
mod docker_run_tests {
    use super::*;

    #[test]
    fn make_and_shell_variables_in_build_tags() {
        let text = "REDIS_IMAGE = acme/redis:5\nIMAGE ?= other\nIMAGE ?= ignored\nexport TAG=7\nbuild:\n\tdocker image build -t $(REDIS_IMAGE) redis/\n\tdocker build -t ${IMAGE}:$TAG -f $(UNKNOWN)/Dockerfile .\n";
        let builds = docker_builds(text);
        assert_eq!(builds[0].tags, vec!["acme/redis:5".to_string()]);
        assert_eq!(builds[0].context, "redis/");
        assert_eq!(builds[1].tags, vec!["other:7".to_string()]);
        assert_eq!(builds[1].file.as_deref(), Some("$(UNKNOWN)/Dockerfile"));
    }

    #[test]
    fn tags_file_and_context_of_docker_build() {
        let text = "eval_cmd \"/usr/bin/docker build -f install/Dockerfile.redis -t redis:5.0 .\" \"redis\"\ndocker buildx build --build-arg A=1 \\\n  --tag=team/sentinel:1 -t team/sentinel:latest ./sentinel\nbuild: docker build .\n";
        assert_eq!(
            docker_builds(text),
            vec![
                DockerBuild {
                    tags: vec!["redis:5.0".into()],
                    file: Some("install/Dockerfile.redis".into()),
                    context: ".".into(),
                },
                DockerBuild {
                    tags: vec!["team/sentinel:1".into(), "team/sentinel:latest".into()],
                    file: None,
                    context: "./sentinel".into(),
                },
            ]
        );
    }

    #[test]
    fn stack_names_of_stack_deploys() {
        let text = "STACK=shop\ndeploy:\n\tdocker stack deploy ${STACK} --compose-file docker-compose.yaml;\n\tdocker stack deploy -c ./infra/stack.yml --prune $(OTHER)\n";
        assert_eq!(
            stack_names(text),
            vec![("docker-compose.yaml".to_string(), "shop".to_string())]
        );
    }

    #[test]
    fn one_container_per_value_of_a_loop() {
        let text = "for i in 1 2 3; do\n  docker run -d --name watch-$i -v $(pwd)/s${i}.conf:/s.conf redis:7 redis-sentinel /s.conf\ndone\nfor n in $(ls); do docker run --name x-$n redis:7; done\ndocker run --name solo redis:7\n";
        let runs = docker_runs(text);
        let names: Vec<&str> = runs.iter().map(|r| r.names[0].as_str()).collect();
        // Values not written out leave the name open (any number of containers).
        assert_eq!(names, vec!["watch-1", "watch-2", "watch-3", "x-$n", "solo"]);
        assert_eq!(runs[1].binds[0].0, "$(pwd)/s2.conf");
        assert_eq!(runs[2].range, runs[0].range);
    }

    #[test]
    fn variables_given_to_docker_run() {
        let text = "docker run -d -e MODE=slave --env \"HOST=cache-a\" --env=PASS=$P -e HOME bitnami/redis:7\n";
        let run = &docker_runs(text)[0];
        let env: Vec<(&str, Option<&str>, &str, bool)> = run
            .env
            .iter()
            .map(|e| {
                (
                    e.name.as_str(),
                    e.value.as_deref(),
                    &text[e.span.clone()],
                    e.literal,
                )
            })
            .collect();
        // `-e HOME` passes on the host's value, which is not known.
        assert_eq!(
            env,
            vec![
                ("MODE", Some("slave"), "slave", true),
                ("HOST", Some("cache-a"), "cache-a", true),
                ("PASS", Some("$P"), "$P", false),
            ]
        );
    }

    #[test]
    fn image_and_mounts_of_docker_run() {
        let text = "#!/bin/bash\ndocker run -d --name s1 \\\n--restart=always \\\n-v /etc/sentinel/26379/sentinel.conf:/conf/sentinel.conf \\\n--mount type=bind,source=./data,target=/data \\\n--network host \\\nredis:5-alpine \\\nredis-sentinel /conf/sentinel.conf\n";
        assert_eq!(
            docker_runs(text),
            vec![DockerRun {
                image: "redis:5-alpine".into(),
                image_range: 180..194,
                mounted: vec!["/etc/sentinel/26379/sentinel.conf".into(), "./data".into()],
                binds: vec![
                    (
                        "/etc/sentinel/26379/sentinel.conf".into(),
                        "/conf/sentinel.conf".into()
                    ),
                    ("./data".into(), "/data".into()),
                ],
                bind_entries: vec![(60..113, false), (124..160, false)],
                names: vec!["s1".into()],
                host_network: true,
                args: vec![
                    ("redis-sentinel".into(), 197..211),
                    ("/conf/sentinel.conf".into(), 212..231),
                ],
                range: 12..231,
                remote: false,
                env: Vec::new(),
            }]
        );
        // `docker create` makes the container `docker start` runs; a Windows host path.
        let created = docker_runs("docker create --name n1 -v D:/lab/7001.conf:/etc/r.conf redis:5.0 redis-server /etc/r.conf\n");
        assert_eq!(created[0].image, "redis:5.0");
        assert_eq!(
            created[0].binds,
            vec![("D:/lab/7001.conf".to_string(), "/etc/r.conf".to_string())]
        );
        // Not a run: `docker ps`, `docker compose run` (a service, not an image).
        assert!(docker_runs("docker ps\ndocker exec -it r redis-cli\n").is_empty());
    }
}
