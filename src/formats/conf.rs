//! redis.conf / sentinel.conf: resolve each line against the knowledge base and extract
//! the facts a data node or a sentinel declares.

use crate::facts::{
    AclConf, AclUser, BufferLimit, KnownPeer, Monitor, Node, Password, Persistence, ProcessConf,
    Rename, ReplicaOf, ReplicationBuffers, SentinelProc, Tls,
};
use crate::formats::detect::FileKind;
use crate::knowledge::directive::fact_key;
use crate::knowledge::sentinel::SentinelKeyword;
use crate::knowledge::values::{atoi, is_template, parse_bool, parse_integer, parse_memory};
use crate::knowledge::{lookup_directive, lookup_sentinel_keyword, DirectiveMatch};
use crate::source::{FileId, SourceFile, Span, Spanned};
use crate::syntax::redis_conf::{self, ConfLine, ConfTree, Token};

/// A parsed config file with every line resolved.
#[derive(Debug, Clone)]
pub struct ConfFile {
    pub file: FileId,
    /// Stored inside another file (a ConfigMap value): usually a template that a start
    /// script copies and completes at run time.
    pub embedded: bool,
    /// For a config stored in a ConfigMap/Secret: (object name, key).
    pub embedded_in: Option<(String, String)>,
    pub kind: FileKind,
    pub tree: ConfTree,
    pub lines: Vec<ResolvedLine>,
    /// For a config written by a script (a here-document): the path it is written to,
    /// script variables expanded when their value is known. Its spans point into the script.
    pub written_to: Option<String>,
    /// The ConfigMap key (object name, key) of the start script that writes it, when
    /// that script lives in a manifest.
    pub written_by: Option<(String, String)>,
    /// The script writes this config afresh every time it runs (no test for an existing
    /// file) and then starts the process on it: the command that writes it.
    pub rewritten_at_start: Option<Span>,
    /// A start command of the tree passes `--sentinel monitor …` after a config file:
    /// this file's masters may be defined there, not in its lines.
    pub monitors_on_command_line: bool,
    /// The script builds this config only by appending lines (`echo … >> FILE`) to a
    /// file it never creates or empties, at every start: the command of the first line.
    pub appended_at_start: Option<Span>,
    /// Set on a config spliced with its includes: the `include` line whose file holds
    /// a `sentinel monitor`.
    pub monitor_include: Option<Span>,
    /// Command-line options given after a config file: what that file defines (the
    /// `sentinel monitor` lines, say) is not in these lines.
    pub follows_file: bool,
    /// Command-line options of a compose service: the service's key. The process declared
    /// there reads these lines, so its image's release decides what they may say.
    pub declared_by: Option<Span>,
    /// Kept in a Kubernetes ConfigMap (not a Secret): its text is plain in the cluster
    /// and in the repository.
    pub in_config_map: bool,
    /// Written by a shell that another one feeds (`ssh host bash <<EOF … cat > FILE`):
    /// a deploy script's template for several hosts, run any number of times.
    pub run_remotely: bool,
    /// A template that a script of the tree renders with `envsubst` (and no other way):
    /// only `$NAME` and `${NAME}` are replaced, any other `${…}` reaches Redis as written.
    pub rendered_by_envsubst: bool,
    /// A file that a script of the tree appends to another config (`cat F >> CONF`): a
    /// fragment, whose masters may be defined by the lines it is appended to.
    pub appended_to_config: bool,
    /// For a rendered Jinja template: the byte ranges inside `{% if %}` / `{% for %}`
    /// blocks, lines the template may leave out (see `syntax::jinja::guarded`).
    pub guarded: Vec<std::ops::Range<usize>>,
}

/// What the first token (and for `sentinel` lines, the second) names.
#[derive(Debug, Clone)]
pub struct ResolvedLine {
    /// Index into `tree.lines`.
    pub index: usize,
    /// Lower-cased directive name.
    pub name: compact_str::CompactString,
    pub directive: Option<DirectiveMatch>,
    /// For `sentinel <keyword> …` lines.
    pub keyword: Option<&'static SentinelKeyword>,
}

impl ConfFile {
    pub fn parse(source: &SourceFile, kind: FileKind) -> ConfFile {
        Self::from_tree(
            source.id,
            kind,
            redis_conf::parse_owned(source.text(), source.id),
        )
    }

    pub fn from_tree(file: FileId, kind: FileKind, mut tree: ConfTree) -> ConfFile {
        for line in &mut tree.lines {
            line.owner = file;
            for token in &mut line.tokens {
                token.owner = file;
            }
        }
        let lines = tree
            .lines
            .iter()
            .enumerate()
            .map(|(index, line)| {
                let name = line.tokens[0].value.to_ascii_lowercase();
                let directive = lookup_directive(&name);
                let keyword = if name == "sentinel" {
                    line.tokens
                        .get(1)
                        .and_then(|t| lookup_sentinel_keyword(&t.value))
                } else {
                    None
                };
                ResolvedLine {
                    index,
                    name,
                    directive,
                    keyword,
                }
            })
            .collect();
        ConfFile {
            file,
            embedded: false,
            embedded_in: None,
            kind,
            tree,
            lines,
            written_to: None,
            rewritten_at_start: None,
            appended_at_start: None,
            monitor_include: None,
            monitors_on_command_line: false,
            written_by: None,
            follows_file: false,
            declared_by: None,
            run_remotely: false,
            in_config_map: false,
            rendered_by_envsubst: false,
            appended_to_config: false,
            guarded: Vec::new(),
        }
    }

    /// `include` paths of this file, with the line that names them.
    pub fn includes(&self) -> impl Iterator<Item = (&ConfLine, &str)> {
        self.lines
            .iter()
            .filter(|l| l.name == "include")
            .map(|l| self.line(l))
            .filter(|l| l.tokens.len() == 2)
            .map(|l| (l, l.tokens[1].value.as_str()))
    }

    /// This file with every resolvable `include` spliced in where it appears, as Redis
    /// reads it. `resolve` maps an include path to the included file; the flag says
    /// whether every include was found.
    pub fn with_includes<'a>(
        &'a self,
        resolve: &dyn Fn(&ConfFile, &str) -> Option<&'a ConfFile>,
    ) -> (ConfFile, bool) {
        let mut lines = Vec::new();
        let mut complete = true;
        // By identity: the configs of one manifest's ConfigMaps share its file id.
        let mut stack: Vec<*const ConfFile> = vec![self];
        let mut monitor_include = None;
        self.splice(
            resolve,
            &mut lines,
            &mut complete,
            &mut stack,
            &mut monitor_include,
        );
        let tree = ConfTree {
            lines,
            errors: Vec::new(),
            rewrite_marker: self.tree.rewrite_marker,
        };
        let mut merged = ConfFile::from_tree_keep_owners(self.file, self.kind, tree);
        merged.written_to = self.written_to.clone();
        merged.rewritten_at_start = self.rewritten_at_start;
        merged.appended_at_start = self.appended_at_start;
        merged.written_by = self.written_by.clone();
        merged.monitor_include = monitor_include;
        (merged, complete)
    }

    fn splice<'a>(
        &'a self,
        resolve: &dyn Fn(&ConfFile, &str) -> Option<&'a ConfFile>,
        out: &mut Vec<ConfLine>,
        complete: &mut bool,
        stack: &mut Vec<*const ConfFile>,
        monitor_include: &mut Option<Span>,
    ) {
        for resolved in &self.lines {
            let line = self.line(resolved);
            if resolved.name == "include" && line.tokens.len() == 2 {
                match resolve(self, &line.tokens[1].value) {
                    Some(inner)
                        if !stack.contains(&(inner as *const ConfFile)) && stack.len() < 16 =>
                    {
                        stack.push(inner);
                        let before = out.len();
                        inner.splice(resolve, out, complete, stack, monitor_include);
                        stack.pop();
                        // The outermost `include` that brings a monitor in.
                        let monitor = out[before..].iter().any(|l| {
                            l.tokens.len() > 2
                                && l.tokens[0].value.eq_ignore_ascii_case("sentinel")
                                && l.tokens[1].value.eq_ignore_ascii_case("monitor")
                        });
                        if monitor && stack.len() == 1 && monitor_include.is_none() {
                            *monitor_include =
                                Some(Span::new(line.owner, line.range.start, line.range.end));
                        }
                    }
                    _ => *complete = false,
                }
                continue;
            }
            out.push(line.clone());
        }
    }

    pub fn from_tree_keep_owners(file: FileId, kind: FileKind, tree: ConfTree) -> ConfFile {
        let owners: Vec<(FileId, Vec<FileId>)> = tree
            .lines
            .iter()
            .map(|l| (l.owner, l.tokens.iter().map(|t| t.owner).collect()))
            .collect();
        let mut conf = ConfFile::from_tree(file, kind, tree);
        for (line, (owner, token_owners)) in conf.tree.lines.iter_mut().zip(owners) {
            line.owner = owner;
            for (token, owner) in line.tokens.iter_mut().zip(token_owners) {
                token.owner = owner;
            }
        }
        conf
    }

    pub fn line(&self, resolved: &ResolvedLine) -> &ConfLine {
        &self.tree.lines[resolved.index]
    }

    pub fn span(&self, range: &std::ops::Range<usize>) -> Span {
        Span::new(self.file, range.start, range.end)
    }

    /// A fact read from `token`: its span, and how it is written there.
    fn spanned<T>(&self, value: T, token: &Token) -> Spanned<T> {
        Spanned::with_origin(value, self.token_span(token), token.origin)
    }

    pub fn token_span(&self, token: &Token) -> Span {
        Span::new(token.owner, token.range.start, token.range.end)
    }

    pub fn line_span(&self, line: &ConfLine) -> Span {
        Span::new(line.owner, line.range.start, line.range.end)
    }

    /// Lines whose directive's fact key is `key` (aliases included), in file order.
    pub fn directive_lines<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a ConfLine> + 'a {
        self.lines
            .iter()
            .filter(move |l| l.directive.is_some_and(|d| fact_key(d.directive) == key))
            .map(|l| self.line(l))
    }

    /// The last line setting a one-value directive (last one wins, as in Redis).
    pub fn last_value<'a>(&'a self, key: &'a str) -> Option<(&'a ConfLine, &'a Token)> {
        self.directive_lines(key)
            .filter(|l| l.tokens.len() == 2)
            .last()
            .map(|l| (l, &l.tokens[1]))
    }

    fn spanned_str(&self, key: &str) -> Option<Spanned<String>> {
        self.last_value(key)
            .map(|(_, t)| self.spanned(t.value.to_string(), t))
    }

    fn spanned_int(&self, key: &str) -> Option<Spanned<i64>> {
        let (_, t) = self.last_value(key)?;
        parse_integer(&t.value).map(|v| self.spanned(v, t))
    }

    fn spanned_bool(&self, key: &str) -> Option<Spanned<bool>> {
        let (_, t) = self.last_value(key)?;
        parse_bool(&t.value).map(|v| self.spanned(v, t))
    }

    fn password(&self, key: &str) -> Option<Spanned<Password>> {
        let (_, t) = self.last_value(key)?;
        let value = Password::from_value(&t.value);
        value.is_set().then(|| self.spanned(value, t))
    }

    /// The password of the `default` user: `requirepass`, or a `user default … >pw` rule.
    pub(crate) fn default_user_password(&self) -> Option<Spanned<Password>> {
        let mut found = self.password("requirepass");
        // `user default off`: nobody can use the default user, so every client must
        // authenticate as another user; as good as a password nobody here knows.
        let mut disabled: Option<Spanned<Password>> = None;
        for line in self.directive_lines("user") {
            if line.tokens.len() < 2 || line.tokens[1].value != "default" {
                continue;
            }
            for token in &line.tokens[2..] {
                let v = &token.value;
                if v.eq_ignore_ascii_case("off") {
                    disabled = Some(self.spanned(Password::Unknown, token));
                } else if v.eq_ignore_ascii_case("on") {
                    disabled = None;
                } else if v.eq_ignore_ascii_case("reset") {
                    // `reset` is `resetpass … off`: no password, and off until `on`.
                    found = None;
                    disabled = Some(self.spanned(Password::Unknown, token));
                } else if let Some(pw) = v.strip_prefix('>') {
                    // Spans `>pw`: on its config line, but never a value to replace.
                    found = Some(self.spanned(Password::from_value(pw), token));
                } else if v.starts_with('#') {
                    found = Some(self.spanned(Password::Unknown, token));
                } else if v == "nopass" || v == "resetpass" {
                    found = None;
                }
            }
        }
        disabled.or(found)
    }

    /// Whether the config sets a password for the default user.
    pub fn has_password(&self) -> bool {
        self.default_user_password().is_some()
    }

    fn binds(&self) -> Vec<Spanned<String>> {
        self.directive_lines("bind")
            .last()
            .map(|line| {
                line.tokens[1..]
                    .iter()
                    .flat_map(|t| {
                        // One quoted argument holding several addresses is re-split (7.0.1+).
                        let base = t.range.start + usize::from(t.quoted);
                        t.value
                            .split_ascii_whitespace()
                            .map(move |a| (a.trim_start_matches('-').to_string(), base, t))
                    })
                    .map(|(addr, _, t)| self.spanned(addr, t))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn anchor(&self) -> Span {
        self.tree
            .lines
            .iter()
            .find(|l| !l.generated)
            .or(self.tree.lines.first())
            .map_or(Span::new(self.file, 0, 0), |l| self.line_span(l))
    }

    fn renames(&self, lines: impl Iterator<Item = (usize, usize)>) -> Vec<Rename> {
        // (index of line, index of the command token)
        lines
            .filter_map(|(i, at)| {
                let line = &self.tree.lines[i];
                let cmd = line.tokens.get(at)?;
                let new = line.tokens.get(at + 1)?;
                Some(Rename {
                    command: cmd.value.to_ascii_uppercase().to_string(),
                    new_name: new.value.to_string(),
                    span: self.line_span(line),
                })
            })
            .collect()
    }

    /// Facts of a data-node config.
    pub fn node(&self, source: &SourceFile) -> Node {
        let replicaof = self.directive_lines("replicaof").last().and_then(|line| {
            let args: Vec<&Token> = line.tokens[1..].iter().collect();
            let (host, port) = match args.as_slice() {
                [h, p] => (*h, *p),
                _ => return None,
            };
            if host.value.eq_ignore_ascii_case("no") && port.value.eq_ignore_ascii_case("one") {
                return None;
            }
            Some(ReplicaOf {
                host: self.spanned(host.value.to_string(), host),
                port: self.spanned(parse_integer(&port.value)?, port),
                line: self.line_span(line),
            })
        });
        let maxmemory = self
            .last_value("maxmemory")
            .and_then(|(_, t)| parse_memory(&t.value).map(|v| self.spanned(v, t)));
        let renames = self.renames(
            self.lines
                .iter()
                .filter(|l| l.name == "rename-command")
                .map(|l| (l.index, 1)),
        );
        Node {
            file: self.file,
            name: source.path.display().to_string(),
            complete: true,
            anchor: self.anchor(),
            name_hints: name_hints(&source.path),
            port: self.spanned_int("port"),
            binds: self.binds(),
            announce_ip: self.spanned_str("replica-announce-ip"),
            announce_port: self.spanned_int("replica-announce-port"),
            password: self.default_user_password(),
            masterauth: self.password("masterauth"),
            masteruser: self.spanned_str("masteruser"),
            replicaof,
            replica_priority: self.spanned_int("replica-priority"),
            min_replicas_to_write: self.spanned_int("min-replicas-to-write"),
            min_replicas_max_lag: self.spanned_int("min-replicas-max-lag"),
            maxmemory,
            maxmemory_policy: self.spanned_str("maxmemory-policy").map(|mut s| {
                s.value.make_ascii_lowercase();
                s
            }),
            replica_read_only: self.spanned_bool("replica-read-only"),
            protected_mode: self.spanned_bool("protected-mode"),
            acl_file: self.spanned_str("aclfile"),
            repl_timeout: self.spanned_int("repl-timeout"),
            busy_threshold: self.spanned_int("busy-reply-threshold"),
            repl_ping_period: self.spanned_int("repl-ping-replica-period"),
            replica_ignore_maxmemory: self.spanned_bool("replica-ignore-maxmemory"),
            renames,
            process: self.process_conf(),
            persistence: self.persistence(),
            buffers: self.replication_buffers(),
            acl: self.acl(),
            tls: self.tls(),
            cluster: self.cluster(),
            runtime: Default::default(),
        }
    }

    fn cluster(&self) -> crate::facts::ClusterConf {
        crate::facts::ClusterConf {
            enabled: self.spanned_bool("cluster-enabled"),
            config_file: self.spanned_str("cluster-config-file"),
            node_timeout: self.spanned_int("cluster-node-timeout"),
            validity_factor: self.spanned_int("cluster-replica-validity-factor"),
            no_failover: self.spanned_bool("cluster-replica-no-failover"),
            full_coverage: self.spanned_bool("cluster-require-full-coverage"),
            announce_ip: self.spanned_str("cluster-announce-ip"),
            announce_hostname: self.spanned_str("cluster-announce-hostname"),
            announce_port: self.spanned_int("cluster-announce-port"),
            announce_bus_port: self.spanned_int("cluster-announce-bus-port"),
            port: self.spanned_int("cluster-port"),
            preferred_endpoint: self
                .spanned_str("cluster-preferred-endpoint-type")
                .map(|mut s| {
                    s.value.make_ascii_lowercase();
                    s
                }),
        }
    }

    /// `sentinel <keyword> …` lines with the expected number of arguments.
    pub fn sentinel_lines<'a>(
        &'a self,
        keyword: &'a str,
    ) -> impl Iterator<Item = &'a ConfLine> + 'a {
        self.lines
            .iter()
            .filter(move |l| l.keyword.is_some_and(|k| k.name == keyword))
            .map(|l| self.line(l))
            .filter(|l| {
                lookup_sentinel_keyword(keyword)
                    .is_some_and(|k| k.arity.contains(&(l.tokens.len() - 2)))
            })
    }

    fn sentinel_global<T>(
        &self,
        keyword: &str,
        read: impl Fn(&str) -> Option<T>,
    ) -> Option<Spanned<T>> {
        let line = self.sentinel_lines(keyword).last()?;
        let token = &line.tokens[2];
        read(&token.value).map(|v| self.spanned(v, token))
    }

    /// Facts of a sentinel config.
    pub fn sentinel(&self, source: &SourceFile) -> SentinelProc {
        let mut monitors: Vec<Monitor> = Vec::new();
        for line in self.sentinel_lines("monitor") {
            let t = &line.tokens;
            if monitors.iter().any(|m| m.name.value == t[2].value) {
                continue; // "Duplicate master name": reported by the syntax rules.
            }
            monitors.push(Monitor {
                name: self.spanned(t[2].value.to_string(), &t[2]),
                host: self.spanned(t[3].value.to_string(), &t[3]),
                port: self.spanned(atoi(&t[4].value), &t[4]),
                quorum: self.spanned(atoi(&t[5].value), &t[5]),
                line: self.line_span(line),
                down_after: None,
                failover_timeout: None,
                parallel_syncs: None,
                auth_pass: None,
                auth_user: None,
                known_replicas: Vec::new(),
                known_sentinels: Vec::new(),
                renames: Vec::new(),
                scripts: Vec::new(),
            });
        }
        for resolved in &self.lines {
            let Some(keyword) = resolved.keyword else {
                continue;
            };
            let line = self.line(resolved);
            let t = &line.tokens;
            if !keyword.arity.contains(&(t.len() - 2)) || keyword.name == "monitor" {
                continue;
            }
            let Some(monitor) = t
                .get(2)
                .and_then(|name| monitors.iter_mut().find(|m| m.name.value == name.value))
            else {
                continue;
            };
            // Template placeholders are unknown values, not zero.
            let int = |i: usize| {
                (!is_template(&t[i].value)).then(|| self.spanned(atoi(&t[i].value), &t[i]))
            };
            match keyword.name {
                "down-after-milliseconds" => monitor.down_after = int(3),
                "failover-timeout" => monitor.failover_timeout = int(3),
                "parallel-syncs" => monitor.parallel_syncs = int(3),
                "auth-pass" => {
                    let value = Password::from_value(&t[3].value);
                    monitor.auth_pass = value.is_set().then(|| self.spanned(value, &t[3]));
                }
                "auth-user" => {
                    monitor.auth_user = Some(self.spanned(t[3].value.to_string(), &t[3]))
                }
                "known-replica" | "known-slave" | "known-sentinel" => {
                    let peer = KnownPeer {
                        host: self.spanned(t[3].value.to_string(), &t[3]),
                        port: atoi(&t[4].value),
                        runid: t.get(5).map(|r| r.value.to_string()),
                        line: self.line_span(line),
                    };
                    if keyword.name == "known-sentinel" {
                        // Without a run ID Sentinel accepts the line and adds no peer
                        // (checked with redis-sentinel 7.0: SENTINEL SENTINELS is empty).
                        if peer.runid.is_some() {
                            monitor.known_sentinels.push(peer);
                        }
                    } else {
                        monitor.known_replicas.push(peer);
                    }
                }
                "notification-script" | "client-reconfig-script" => {
                    let option = if keyword.name == "notification-script" {
                        "notification-script"
                    } else {
                        "client-reconfig-script"
                    };
                    monitor
                        .scripts
                        .push((option, self.spanned(t[3].value.to_string(), &t[3])));
                }
                "rename-command" => monitor
                    .renames
                    .extend(self.renames(std::iter::once((resolved.index, 3)))),
                _ => {}
            }
        }
        // Nearly every sentinel watches one master: no room for four.
        monitors.shrink_to_fit();
        SentinelProc {
            file: self.file,
            name: source.path.display().to_string(),
            complete: true,
            anchor: self.anchor(),
            port: self.spanned_int("port"),
            binds: self.binds(),
            password: self.default_user_password(),
            sentinel_pass: self.sentinel_global("sentinel-pass", |v| {
                let p = Password::from_value(v);
                p.is_set().then_some(p)
            }),
            protected_mode: self.spanned_bool("protected-mode"),
            acl_file: self.spanned_str("aclfile"),
            resolve_hostnames: self.sentinel_global("resolve-hostnames", parse_bool),
            announce_hostnames: self.sentinel_global("announce-hostnames", parse_bool),
            tls: self.tls(),
            announce_ip: self.sentinel_global("announce-ip", |v| Some(v.to_string())),
            announce_port: self.sentinel_global("announce-port", parse_integer),
            // A value the shell fills per container (`$(host_id "$HOSTNAME")`) is an
            // ID of each sentinel's own, not one they share.
            myid: self.sentinel_global("myid", |v| Some(v.to_string())),
            monitors,
            process: self.process_conf(),
            runtime: crate::facts::Runtime {
                config_monitor_included: self.monitor_include,
                ..Default::default()
            },
        }
    }

    fn process_conf(&self) -> ProcessConf {
        ProcessConf {
            daemonize: self.spanned_bool("daemonize"),
            supervised: self.spanned_str("supervised").map(|mut s| {
                s.value.make_ascii_lowercase();
                s
            }),
            pidfile: self.spanned_str("pidfile"),
            maxclients: self.spanned_int("maxclients"),
        }
    }

    fn tls(&self) -> Tls {
        Tls {
            port: self.spanned_int("tls-port"),
            replication: self.spanned_bool("tls-replication"),
            auth_clients: self.spanned_str("tls-auth-clients"),
        }
    }

    fn acl(&self) -> AclConf {
        let users = self
            .directive_lines("user")
            .filter(|l| l.tokens.len() >= 2)
            .map(|line| AclUser {
                name: self.spanned(line.tokens[1].value.to_string(), &line.tokens[1]),
                rules: line.tokens[2..]
                    .iter()
                    .map(|t| self.spanned(t.value.to_string(), t))
                    .collect(),
                line: self.line_span(line),
            })
            .collect();
        let pubsub_default = self.last_value("acl-pubsub-default").and_then(|(_, t)| {
            match t.value.to_ascii_lowercase().as_str() {
                "allchannels" => Some(self.spanned(true, t)),
                "resetchannels" => Some(self.spanned(false, t)),
                _ => None,
            }
        });
        AclConf {
            users,
            pubsub_default,
        }
    }

    fn replication_buffers(&self) -> ReplicationBuffers {
        // Each line sets the classes it names, in groups of four; the last one wins.
        let mut replica_limit = None;
        for line in self.directive_lines("client-output-buffer-limit") {
            for group in line.tokens[1..].chunks_exact(4) {
                let class = group[0].value.to_ascii_lowercase();
                if class != "replica" && class != "slave" {
                    continue;
                }
                let (Some(hard), Some(soft)) =
                    (parse_memory(&group[1].value), parse_memory(&group[2].value))
                else {
                    continue;
                };
                replica_limit = Some(BufferLimit {
                    hard,
                    soft,
                    soft_seconds: atoi(&group[3].value),
                    span: Span::new(group[0].owner, group[0].range.start, group[3].range.end),
                    values: Spanned::with_origin(
                        (),
                        Span::new(group[1].owner, group[1].range.start, group[3].range.end),
                        group[1].origin,
                    ),
                });
            }
        }
        ReplicationBuffers {
            backlog_size: self
                .last_value("repl-backlog-size")
                .and_then(|(_, t)| parse_memory(&t.value).map(|v| self.spanned(v, t))),
            replica_limit,
            diskless_load: self.spanned_str("repl-diskless-load").map(|mut s| {
                s.value.make_ascii_lowercase();
                s
            }),
        }
    }

    /// `save` lines accumulate and `save ""` clears them, so RDB is off only when the
    /// last `save ""` has no rule after it.
    fn persistence(&self) -> Persistence {
        let mut rdb_off = None;
        for line in self.directive_lines("save") {
            let args = &line.tokens[1..];
            if args.iter().all(|t| t.value.is_empty()) {
                rdb_off = Some(self.line_span(line));
            } else if args.iter().any(|t| !t.value.trim().is_empty()) {
                rdb_off = None;
            }
        }
        Persistence {
            rdb_off,
            appendonly: self.spanned_bool("appendonly"),
            dir: self.spanned_str("dir"),
        }
    }
}

/// Host names a config file's process is likely known by: `redis-master.conf` → `redis-master`,
/// `redis-master/redis.conf` → `redis-master`.
pub fn name_hints(path: &std::path::Path) -> Vec<String> {
    let mut hints = Vec::new();
    if let Some(stem) = path.file_stem() {
        let stem = stem.to_string_lossy().to_ascii_lowercase();
        if stem != "redis" && stem != "valkey" {
            hints.push(stem);
        }
    }
    if let Some(dir) = path.parent().and_then(|p| p.file_name()) {
        let dir = dir.to_string_lossy().to_ascii_lowercase();
        if !matches!(dir.as_str(), "conf" | "config" | "redis" | "etc" | "." | "") {
            hints.push(dir);
        }
    }
    hints
}

/// An ACL file by its name (`users.acl`): the users an `aclfile` directive loads.
pub fn is_acl_file(path: &std::path::Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("acl"))
}

impl ConfFile {
    /// Byte ranges of every secret value: passwords, ACL password tokens, renamed
    /// command names (a shared secret). Outputs replace them with `*`.
    pub fn secret_spans(&self) -> Vec<Span> {
        let mut spans = Vec::new();
        for resolved in &self.lines {
            let line = self.line(resolved);
            let t = &line.tokens;
            if let Some(keyword) = resolved.keyword {
                if let Some(i) = keyword.secret_arg {
                    if let Some(token) = t.get(2 + i) {
                        spans.push(self.token_span(token));
                    }
                }
                if keyword.name == "rename-command" {
                    spans.extend(t.get(4).map(|tok| self.token_span(tok)));
                }
            } else if let Some(found) = resolved.directive {
                let d = found.directive;
                if d.name == "sentinel" {
                    // An unknown sentinel option that looks like a password (`auth-pas`).
                    if t.get(1)
                        .is_some_and(|k| looks_secret(&k.value.to_ascii_lowercase()))
                    {
                        spans.extend(t.iter().skip(3).map(|tok| self.token_span(tok)));
                    }
                } else if d.name == "user" {
                    // Only the password rules: names and permissions are what a
                    // finding about the user has to show.
                    spans.extend(
                        t.iter()
                            .skip(2)
                            .filter(|tok| tok.value.starts_with(['>', '<', '#', '!']))
                            .map(|tok| self.token_span(tok)),
                    );
                } else if d.secret {
                    spans.extend(t[1..].iter().map(|tok| self.token_span(tok)));
                } else if d.name == "rename-command" {
                    spans.extend(t.get(2).map(|tok| self.token_span(tok)));
                }
            } else if resolved.name.len() > 2 && t.len() > 1 && looks_secret(&resolved.name) {
                // Unknown or misspelled directives that look like passwords (`requirepas`).
                spans.extend(t[1..].iter().map(|tok| self.token_span(tok)));
            }
        }
        for error in &self.tree.errors {
            // A line we could not tokenize may hold a password: mask its rest.
            if line_has_secret_name(error) {
                spans.push(self.span(&error.range));
            }
        }
        spans
    }
}

/// Whether a line that could not be tokenized starts with a directive that holds a secret.
fn line_has_secret_name(error: &redis_conf::QuoteError) -> bool {
    let [first, second] = &error.head;
    let table_secret =
        lookup_directive(first).is_some_and(|d| d.directive.secret || d.directive.name == "user");
    table_secret || looks_secret(first) || (first == "sentinel" && looks_secret(second))
}

fn looks_secret(name: &str) -> bool {
    ["pass", "auth", "secret", "key"]
        .iter()
        .any(|w| name.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, SourceFile};

    #[test]
    fn a_myid_the_shell_fills_is_pinned_but_each_sentinels_own() {
        let read = |text: &str| {
            let source = SourceFile::new(FileId(0), "sentinel.conf", text);
            ConfFile::parse(&source, FileKind::SentinelConf)
                .sentinel(&source)
                .myid
                .map(|id| id.value)
        };
        let pinned = "sentinel myid 0123456789012345678901234567890123456789\n";
        assert_eq!(
            read(pinned).as_deref(),
            Some("0123456789012345678901234567890123456789")
        );
        // Pinned, but to a value each container computes: present, never shared.
        let computed = read("sentinel myid ${SENTINEL_ID}\n").unwrap();
        assert!(!crate::facts::shared_myid(&computed));
        assert!(crate::facts::shared_myid(
            "0123456789012345678901234567890123456789"
        ));
    }
}
