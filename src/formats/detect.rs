//! Which files are Redis configs, and of which kind, from their name and content.

use crate::knowledge::lookup_directive;
use crate::syntax::redis_conf::ConfTree;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// A data node's redis.conf / valkey.conf.
    RedisConf,
    /// A sentinel.conf.
    SentinelConf,
}

/// What the file name alone says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameHint {
    Sentinel,
    Server,
    /// A `.conf` (or a file under `etc/redis/`) that may or may not be a Redis config.
    Maybe,
    NotConf,
}

pub fn name_hint(path: &Path) -> NameHint {
    // systemd drop-ins (`redis.service.d/override.conf`) are `.conf` files, not Redis configs.
    if crate::formats::systemd::unit_kind(path).is_some() {
        return NameHint::NotConf;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let under_etc_redis = path
        .parent()
        .is_some_and(|p| p.ends_with("etc/redis") || p.to_string_lossy().contains("etc/redis/"));
    let is_conf =
        name.ends_with(".conf") || name.ends_with(".conf.tpl") || name.ends_with(".conf.template");
    if !is_conf && !under_etc_redis {
        return NameHint::NotConf;
    }
    if name.contains("sentinel") {
        NameHint::Sentinel
    } else if name.starts_with("redis") || name.starts_with("valkey") {
        NameHint::Server
    } else {
        NameHint::Maybe
    }
}

/// A YAML file by its name; `docker-compose.yml.example` (`.template`, `.dist`,
/// `.sample`) too, the file a README asks to copy, unless the copy is beside it.
pub fn is_yaml_path(path: &Path) -> bool {
    let yaml = |p: &Path| p.extension().is_some_and(|e| e == "yaml" || e == "yml");
    if yaml(path) {
        return true;
    }
    let copy_of = path
        .extension()
        .filter(|e| matches!(e.to_str(), Some("example" | "template" | "dist" | "sample")))
        .map(|_| path.with_extension(""));
    copy_of.is_some_and(|copy| yaml(&copy) && !copy.exists())
}

/// A systemd-tmpfiles entry (`D /run/redis 0755 redis redis -`): a one-letter type,
/// perhaps with modifiers, then an absolute path. No Redis directive is that short.
fn is_tmpfiles_line(line: &crate::syntax::redis_conf::ConfLine) -> bool {
    let Some(kind) = line.tokens.first().map(|t| t.value.as_str()) else {
        return false;
    };
    let mut chars = kind.chars();
    let letter = chars
        .next()
        .is_some_and(|c| "fwdDevqQpLcbCxXrRzZtThHaA".contains(c));
    letter
        && chars.all(|c| "+!-=~^".contains(c))
        && line.tokens.get(1).is_some_and(|t| t.value.starts_with('/'))
}

/// A stanza of an upstart job (`/etc/init/redis-sentinel.conf`): `start on …`,
/// `respawn`, `exec …`, `pre-start script` … `end script`. No Redis directive is named so.
fn is_upstart_line(line: &crate::syntax::redis_conf::ConfLine) -> bool {
    let word = |i: usize| line.tokens.get(i).map(|t| t.value.to_ascii_lowercase());
    match word(0).as_deref() {
        Some("start" | "stop") => word(1).as_deref() == Some("on"),
        Some("end") => word(1).as_deref() == Some("script"),
        Some("expect") => matches!(word(1).as_deref(), Some("fork" | "daemon" | "stop")),
        Some(
            "respawn" | "exec" | "script" | "pre-start" | "post-start" | "pre-stop" | "post-stop"
            | "setuid" | "setgid" | "chdir" | "console" | "author",
        ) => true,
        _ => false,
    }
}

/// Decide from name and parsed content. `explicit`: the user named this file.
/// Returns `None` for files that are not Redis configs (nginx, supervisord, …).
pub fn classify(path: &Path, tree: &ConfTree, explicit: bool) -> Option<FileKind> {
    // A file the user named is read even without a .conf name, if its content is a config.
    let hint = name_hint(path);
    if hint == NameHint::NotConf && !explicit {
        return None;
    }
    let mut known = 0usize;
    let mut unknown = 0usize;
    let mut sentinel_lines = 0usize;
    // INI sections and `key=value` lines (supervisord, systemd, php-fpm), and YAML's
    // `key: value` (variables a playbook writes into the config line by line, with the
    // per-master ones as `sentinel monitor mymaster: …`): no Redis directive name holds
    // `=`, starts with `[` or ends with `:`.
    let mut foreign = 0usize;
    for line in &tree.lines {
        let name = line.tokens[0].value.to_ascii_lowercase();
        // `<Plugin "redis">` blocks (collectd, Apache-style configs) are no Redis syntax.
        if name.starts_with('[')
            || name.starts_with('<')
            || name.contains('=')
            || (name.len() > 1 && name.ends_with(':'))
            || (name == "sentinel"
                && line
                    .tokens
                    .get(2)
                    .is_some_and(|t| t.value.len() > 1 && t.value.ends_with(':')))
            // `net.core.somaxconn = 1024` (sysctl, and every `key = value` format).
            || line.tokens.get(1).is_some_and(|t| t.value == "=" && !t.quoted)
            || is_tmpfiles_line(line)
            || is_upstart_line(line)
        {
            foreign += 1;
        }
        if name == "sentinel" && line.tokens.len() > 1 {
            sentinel_lines += 1;
            known += 1;
        } else if lookup_directive(&name).is_some() || name.contains('.') && line.tokens.len() > 1 {
            known += 1;
        } else {
            unknown += 1;
        }
    }
    // Whatever its name says (`redis-supervisor.conf`), a file of mostly foreign lines is
    // another program's config.
    if foreign > 0 && foreign >= known {
        return None;
    }
    let looks_like_redis = match hint {
        NameHint::Sentinel | NameHint::Server => true,
        // `sentinel <option> …` is Sentinel's own syntax: a fragment of nothing else
        // (`sentinel monitor …` alone in an included file) is a Sentinel config.
        NameHint::Maybe if sentinel_lines > 0 && unknown == 0 => true,
        NameHint::Maybe | NameHint::NotConf => {
            known >= 2 && known >= unknown * 2 || (explicit && known > unknown)
        }
    };
    if !looks_like_redis {
        return None;
    }
    // A file named like a data-node config (redis.conf, valkey-6380.conf) outside any
    // sentinel directory is run by redis-server: its sentinel lines are a mistake.
    let in_sentinel_dir = path.parent().and_then(|p| p.file_name()).is_some_and(|d| {
        let name = d.to_string_lossy().to_ascii_lowercase();
        let stem = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '-' || c == '_');
        stem.ends_with("sentinel") || stem.ends_with("sentinels")
    });
    if hint == NameHint::Server && !in_sentinel_dir {
        return Some(FileKind::RedisConf);
    }
    if sentinel_lines > 0 || hint == NameHint::Sentinel {
        Some(FileKind::SentinelConf)
    } else {
        Some(FileKind::RedisConf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::redis_conf::parse;

    #[test]
    fn collectd_plugin_blocks_are_not_redis_configs() {
        let tree = parse(
            "LoadPlugin redis\n<Plugin \"redis\">\n  <Node \"local\">\n    Host \"localhost\"\n    Port \"6379\"\n  </Node>\n</Plugin>\n",
        );
        assert_eq!(
            classify(Path::new("collectd.d/redis.conf"), &tree, false),
            None
        );
    }

    #[test]
    fn upstart_jobs_are_not_redis_configs() {
        let tree = parse(
            "description \"redis sentinel\"\nstart on runlevel [2345]\nstop on shutdown\nrespawn\nexec /opt/redis/src/redis-sentinel /opt/redis/sentinel.conf\n",
        );
        assert_eq!(
            classify(Path::new("conf/redis-sentinel-upstart.conf"), &tree, false),
            None
        );
    }

    #[test]
    fn drop_ins_are_not_redis_configs() {
        let tree = parse("[Service]\nMemoryMax=1G\n");
        let path = Path::new("etc/redis/redis.service.d/override.conf");
        assert_eq!(name_hint(path), NameHint::NotConf);
        assert_eq!(classify(path, &tree, true), None);
    }

    #[test]
    fn supervisord_named_like_redis_is_skipped() {
        let tree = parse(
            "[program:redis]\ncommand=/usr/bin/redis-server /etc/redis.conf\nautostart=true\n",
        );
        assert_eq!(
            classify(Path::new("redis/redis-supervisor.conf"), &tree, false),
            None
        );
        // A Redis config with one stray `key=value` line is still a Redis config.
        let tree = parse("port 6379\nbind 0.0.0.0\nmaxmemory=1gb\n");
        assert_eq!(
            classify(Path::new("redis.conf"), &tree, false),
            Some(FileKind::RedisConf)
        );
    }

    #[test]
    fn playbook_key_value_lines_are_not_a_config() {
        // Lines a playbook splits at `:` and writes with `lineinfile`.
        let tree = parse("sentinel monitor mymaster: 10.0.0.1 6379 2\nsentinel down-after-milliseconds mymaster: 5000\nprotected-mode: no\n");
        assert_eq!(classify(Path::new("sentinel.conf"), &tree, false), None);
        // A master name with a colon inside is a name.
        let tree = parse("sentinel monitor my:master 10.0.0.1 6379 2\n");
        assert!(classify(Path::new("sentinel.conf"), &tree, false).is_some());
    }

    #[test]
    fn sysctl_settings_are_not_a_config() {
        // Dotted names read like module options (`search.timeout 500`); `=` says sysctl.
        let tree = parse(
            "net.ipv4.tcp_syncookies = 0\nnet.core.somaxconn = 1024\nvm.overcommit_memory = 1\n",
        );
        assert_eq!(classify(Path::new("/etc/sysctl.conf"), &tree, false), None);
    }

    #[test]
    fn nginx_is_skipped() {
        let tree = parse("server {\n listen 80;\n server_name x;\n}\n");
        assert_eq!(classify(Path::new("site.conf"), &tree, false), None);
    }

    #[test]
    fn sentinel_by_content() {
        let tree = parse("port 26379\nsentinel monitor m 10.0.0.1 6379 2\n");
        assert_eq!(
            classify(Path::new("node.conf"), &tree, false),
            Some(FileKind::SentinelConf)
        );
    }

    #[test]
    fn redis_by_content() {
        let tree = parse("port 6379\nbind 0.0.0.0\nappendonly yes\n");
        assert_eq!(
            classify(Path::new("6379.conf"), &tree, false),
            Some(FileKind::RedisConf)
        );
        assert_eq!(classify(Path::new("notes.txt"), &tree, false), None);
    }
}
