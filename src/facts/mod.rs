//! Format-independent facts about processes: what every front end produces and the
//! linker (`model`) reads. Every value keeps its span; secrets are compared, never shown.

pub mod cluster;
pub mod consensus;
pub mod service;
pub mod sharding;

use crate::knowledge::Target;
use crate::source::{FileId, Span, Spanned};
use std::fmt;

/// A password as declared: a literal we can compare, or something only known at run time
/// (a template placeholder, an environment variable that is not in the tree).
#[derive(Clone, PartialEq, Eq)]
pub enum Password {
    Literal(String),
    Unknown,
}

impl Password {
    pub fn from_value(value: &str) -> Password {
        if crate::knowledge::values::is_template(value) {
            Password::Unknown
        } else {
            Password::Literal(value.to_string())
        }
    }

    /// Both known and different. A `$(VAR)` read literally from a config file (nothing
    /// expands it there) differs from any password a variable or a Secret fills in too.
    pub fn differs_from(&self, other: &Password) -> bool {
        match (self, other) {
            (Password::Literal(a), Password::Literal(b)) => a != b,
            (Password::Literal(a), Password::Unknown)
            | (Password::Unknown, Password::Literal(a)) => unexpanded_reference(a).is_some(),
            _ => false,
        }
    }

    /// The variable of a password that is the text `$(VAR)` itself.
    pub fn unexpanded(&self) -> Option<&str> {
        match self {
            Password::Literal(a) => unexpanded_reference(a),
            Password::Unknown => None,
        }
    }

    /// An empty literal means "no password" to Redis.
    pub fn is_set(&self) -> bool {
        !matches!(self, Password::Literal(s) if s.is_empty())
    }
}

/// `VAR` of a value that is exactly `$(VAR)`: Kubernetes expands that form in a container's
/// command, args and env only; in a config file Redis reads the text as it is.
pub fn unexpanded_reference(value: &str) -> Option<&str> {
    let name = value.strip_prefix("$(")?.strip_suffix(')')?;
    (!name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        .then_some(name)
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Password::Literal(_) => f.write_str("Literal(***)"),
            Password::Unknown => f.write_str("Unknown"),
        }
    }
}

/// `rename-command CMD NEW` on a data node (NEW empty = disabled).
#[derive(Debug, Clone)]
pub struct Rename {
    pub command: String,
    pub new_name: String,
    pub span: Span,
}

/// Settings that decide how a process runs under a supervisor (data nodes and sentinels).
#[derive(Debug, Clone, Default)]
pub struct ProcessConf {
    pub daemonize: Option<Spanned<bool>>,
    /// `supervised` lower-cased: `no`, `upstart`, `systemd`, `auto`.
    pub supervised: Option<Spanned<String>>,
    pub pidfile: Option<Spanned<String>>,
    pub maxclients: Option<Spanned<i64>>,
}

/// What a data node persists.
#[derive(Debug, Clone, Default)]
pub struct Persistence {
    /// The `save ""` line that leaves no snapshot rule (none when rules remain or by default).
    pub rdb_off: Option<Span>,
    pub appendonly: Option<Spanned<bool>>,
    /// `dir`: where the snapshot and the append-only file go (unset: the working
    /// directory the process starts in).
    pub dir: Option<Spanned<String>>,
}

impl Persistence {
    /// Neither snapshots nor an append-only file: a restart starts empty.
    pub fn is_off(&self) -> bool {
        self.rdb_off.is_some() && !self.appendonly.as_ref().is_some_and(|a| a.value)
    }
}

/// A `user NAME rule…` line of a data node's config. The rules keep their spans; the
/// password rules among them are secrets.
#[derive(Debug, Clone)]
pub struct AclUser {
    pub name: Spanned<String>,
    pub rules: Vec<Spanned<String>>,
    pub line: Span,
}

/// The ACL users a data node's config defines, and the channel default new users get.
#[derive(Debug, Clone, Default)]
pub struct AclConf {
    pub users: Vec<AclUser>,
    /// `acl-pubsub-default`: true for `allchannels`.
    pub pubsub_default: Option<Spanned<bool>>,
}

impl AclConf {
    /// The last line defining a user (Redis refuses duplicates; the last is what an
    /// edit would meet).
    pub fn user(&self, name: &str) -> Option<&AclUser> {
        self.users.iter().rev().find(|u| u.name.value == name)
    }
}

/// How a process speaks TLS: its TLS listener, and whether its own outgoing links
/// (replication; for a sentinel, every link) use TLS.
#[derive(Debug, Clone, Default)]
pub struct Tls {
    pub port: Option<Spanned<i64>>,
    pub replication: Option<Spanned<bool>>,
    /// `tls-auth-clients` (`yes` by default: a client must show a certificate the CA
    /// signed; `optional`, `no`).
    pub auth_clients: Option<Spanned<String>>,
}

impl Tls {
    /// The TLS port, when it listens on one.
    pub fn listens(&self) -> Option<&Spanned<i64>> {
        self.port.as_ref().filter(|p| p.value != 0)
    }

    pub fn replicates(&self) -> bool {
        self.replication.as_ref().is_some_and(|r| r.value)
    }

    /// Clients on its TLS port must show a certificate (`tls-auth-clients yes`, the
    /// default).
    pub fn requires_client_certificates(&self) -> bool {
        self.auth_clients
            .as_ref()
            .is_none_or(|a| a.value.eq_ignore_ascii_case("yes"))
    }
}

/// `client-output-buffer-limit replica|slave HARD SOFT SECONDS`: when the master drops a
/// replica whose pending replication stream grows past these sizes.
#[derive(Debug, Clone)]
pub struct BufferLimit {
    pub hard: u128,
    pub soft: u128,
    pub soft_seconds: i64,
    /// From the class word to the seconds.
    pub span: Span,
    /// The three values (hard, soft, seconds), where a fix rewrites them.
    pub values: Spanned<()>,
}

/// How a data node buffers the replication stream for its replicas, and how it loads a
/// full sync from its master.
#[derive(Debug, Clone, Default)]
pub struct ReplicationBuffers {
    pub backlog_size: Option<Spanned<u128>>,
    /// The last limit written for the replica class (`slave` is the same class).
    pub replica_limit: Option<BufferLimit>,
    /// `repl-diskless-load`, lower-cased.
    pub diskless_load: Option<Spanned<String>>,
}

/// Redis Cluster settings of a data node (`cluster-*`), as written.
#[derive(Debug, Clone, Default)]
pub struct ClusterConf {
    /// `cluster-enabled`.
    pub enabled: Option<Spanned<bool>>,
    /// `cluster-config-file` (default `nodes.conf`, in `dir`).
    pub config_file: Option<Spanned<String>>,
    /// `cluster-node-timeout`, ms.
    pub node_timeout: Option<Spanned<i64>>,
    /// `cluster-replica-validity-factor` (alias `cluster-slave-validity-factor`).
    pub validity_factor: Option<Spanned<i64>>,
    /// `cluster-replica-no-failover`.
    pub no_failover: Option<Spanned<bool>>,
    /// `cluster-require-full-coverage`.
    pub full_coverage: Option<Spanned<bool>>,
    pub announce_ip: Option<Spanned<String>>,
    pub announce_hostname: Option<Spanned<String>>,
    pub announce_port: Option<Spanned<i64>>,
    pub announce_bus_port: Option<Spanned<i64>>,
    /// `cluster-port`: the bus port (default: the client port + 10000).
    pub port: Option<Spanned<i64>>,
    /// `cluster-preferred-endpoint-type`, lower-cased.
    pub preferred_endpoint: Option<Spanned<String>>,
}

impl ClusterConf {
    pub fn is_enabled(&self) -> bool {
        self.enabled.as_ref().is_some_and(|e| e.value)
    }

    pub const DEFAULT_NODE_TIMEOUT: i64 = 15_000;
    pub const DEFAULT_VALIDITY_FACTOR: i64 = 10;

    pub fn node_timeout(&self) -> i64 {
        self.node_timeout
            .as_ref()
            .map_or(Self::DEFAULT_NODE_TIMEOUT, |t| t.value)
    }
}

/// Settings that an image reads from environment variables (the bitnami images write
/// their config from them), and where a fix can add one.
#[derive(Debug, Clone)]
pub struct ImageEnv {
    /// Setting (`sentinel announce-hostnames`) → the variable the image reads it from.
    pub vars: &'static [(&'static str, &'static str)],
    /// The last entry of the environment block (a new entry goes on the line after it,
    /// with its indentation) and whether entries are `KEY: "value"` (a map) rather than
    /// `- KEY=value`. `None` when there is no block-style environment to extend.
    pub insert_after: Option<(Span, bool)>,
}

impl ImageEnv {
    pub fn var_for(&self, setting: &str) -> Option<&'static str> {
        self.vars
            .iter()
            .find(|(s, _)| s.eq_ignore_ascii_case(setting))
            .map(|(_, v)| *v)
    }
}

/// A `SENTINEL SET <master> <option> <value>` a file of the tree sends at run time.
#[derive(Debug, Clone)]
pub struct RuntimeSet {
    /// As written: a name, or a placeholder of the program that builds the command.
    pub master: String,
    /// The Sentinel option, as Sentinel spells it.
    pub option: &'static str,
    pub value: Spanned<i64>,
    /// The whole command, from `sentinel` to the value.
    pub command: Span,
}

/// How a process is run, beyond its settings: the release it runs and where its
/// settings can be added.
#[derive(Debug, Clone, Default)]
pub struct Runtime {
    /// The Redis/Valkey release the deployment names for this process (an image tag),
    /// at the place that names it. `None`: the target version applies.
    pub release: Option<Spanned<Target>>,
    /// Settings come from environment variables the image reads.
    pub env: Option<ImageEnv>,
    /// The process is declared by a deployment unit that lists all of its processes (a
    /// compose service), at this span: what the unit does not declare does not run.
    pub declared: Option<Span>,
    /// The deployment unit that declares it, when that is not the file of `declared`
    /// (a Kustomize build: the overlay's kustomization, while the count is written in a
    /// base every overlay shares). Processes of one unit are one deployment.
    pub unit: Option<crate::source::FileId>,
    /// The unit says how many copies of it run (no `deploy.mode: global`, no replica
    /// count left to an unset variable): counting them gives a known count.
    pub count_known: bool,
    /// Where the start command names the config file the process runs (Sentinel
    /// rewrites that file), when it is started by a command of the tree.
    pub config_file: Option<Span>,
    /// An operator or a chart writes this process's config from a resource, at this
    /// span: what the resource does not say is the manager's choice, not missing.
    pub managed_by: Option<Span>,
    /// The Kubernetes Secret (name, key) its password comes from, when the deployment
    /// names one.
    pub password_secret: Option<(String, String)>,
    /// Its data directory is on storage that does not outlive the pod (an emptyDir), as
    /// declared here.
    pub data_ephemeral: Option<Span>,
    /// Its start script writes its config afresh at every start, with this command.
    pub config_rewritten_at_start: Option<Span>,
    /// A script of the tree installs its config file on a host (`cp`, `install`), with
    /// this command: the config is meant to run wherever that script runs.
    pub config_installed_by: Option<Span>,
    /// Its config file takes its `sentinel monitor` from an included file, at this
    /// `include` line: Sentinel's rewrite saves the monitor into the main file too.
    pub config_monitor_included: Option<Span>,
    /// Its start script builds its config only by appending lines (`echo … >> FILE`) to
    /// a file that outlives the process, with this first command: every restart of the
    /// same container appends them again.
    pub config_appended_at_start: Option<Span>,
    /// The manager passes the sentinel's credentials for the data nodes only through
    /// this field of its resource: when it is absent, the sentinel logs in with none.
    pub auth_pass_field: Option<&'static str>,
    /// The CPU limit of its container, in millicores, where it is written.
    pub cpu_limit: Option<Spanned<i64>>,
    /// The memory limit of its container (the cgroup the kernel enforces), in bytes,
    /// where it is written.
    pub memory_limit: Option<Spanned<u128>>,
    /// The network namespace of its own it runs in (a container or pod without host
    /// networking): where the container or pod is declared, and which copy. Two
    /// processes reach each other on a loopback address only when it is the same.
    /// `None`: the host's network, or not known (a plain config, a unit).
    pub netns: Option<(Span, u32)>,
    /// Its start script (or one the pod runs before it) speaks of replication in a way
    /// not followed here (`ARGS="--replicaof $MASTER 6379"; exec redis-server … $ARGS`):
    /// the copies of its workload may well be replicas.
    pub replication_in_script: bool,
    /// A template kept in a ConfigMap or Secret that no workload of the tree is seen
    /// running: how many processes run it is not known (one file, any number of pods).
    pub copies_unknown: bool,
    /// A compose project that is one host's share of a deployment over several hosts
    /// (see `Workspace::link`): how many hosts run it is not written in the tree.
    pub one_host_of_many: bool,
    /// An Ansible play renders this config on a known number of hosts (one process per
    /// host), at this `hosts:` value: the processes of the play are one deployment.
    pub host_copies: Option<Span>,
    /// The host's distribution package brings a unit that restarts this data node by
    /// itself (Debian's `redis-server.service`, `Restart=always`), installed here.
    pub packaged_restart: Option<Span>,
    /// A compose `container_name`: one Docker host runs one container of a name, so
    /// services of two compose files that name the same container are alternatives,
    /// one process.
    pub container_name: Option<String>,
}

impl Runtime {
    /// The deployment unit that declares the process: its own, or the file of its
    /// declaration.
    pub fn unit(&self) -> Option<crate::source::FileId> {
        self.unit.or(self.declared.map(|d| d.file))
    }
}

/// One Redis data-node process.
#[derive(Debug, Clone)]
pub struct Node {
    pub file: FileId,
    /// How messages name this process: its config file, or its compose service.
    pub name: String,
    /// False when an `include` could not be followed: what the node lacks is unknown.
    pub complete: bool,
    /// Where to point when a finding is about something the node lacks.
    pub anchor: Span,
    /// Host names the node may be known by (file stem, directory name).
    pub name_hints: Vec<String>,
    pub port: Option<Spanned<i64>>,
    pub binds: Vec<Spanned<String>>,
    pub announce_ip: Option<Spanned<String>>,
    pub announce_port: Option<Spanned<i64>>,
    pub password: Option<Spanned<Password>>,
    pub masterauth: Option<Spanned<Password>>,
    /// `masteruser`: the user a replica logs in with at its master (else `default`).
    pub masteruser: Option<Spanned<String>>,
    pub replicaof: Option<ReplicaOf>,
    pub replica_priority: Option<Spanned<i64>>,
    pub min_replicas_to_write: Option<Spanned<i64>>,
    pub min_replicas_max_lag: Option<Spanned<i64>>,
    pub maxmemory: Option<Spanned<u128>>,
    pub maxmemory_policy: Option<Spanned<String>>,
    pub replica_read_only: Option<Spanned<bool>>,
    pub protected_mode: Option<Spanned<bool>>,
    /// `aclfile`: users (the default user's password among them) are defined in a file
    /// that is not read here.
    pub acl_file: Option<Spanned<String>>,
    pub repl_timeout: Option<Spanned<i64>>,
    /// `busy-reply-threshold` (alias `lua-time-limit`), ms: how long a script runs
    /// before the node answers BUSY and SCRIPT KILL can stop it (0: never).
    pub busy_threshold: Option<Spanned<i64>>,
    pub repl_ping_period: Option<Spanned<i64>>,
    pub replica_ignore_maxmemory: Option<Spanned<bool>>,
    pub renames: Vec<Rename>,
    pub process: ProcessConf,
    pub persistence: Persistence,
    pub buffers: ReplicationBuffers,
    pub acl: AclConf,
    pub tls: Tls,
    pub cluster: ClusterConf,
    pub runtime: Runtime,
}

impl Node {
    pub fn effective_port(&self) -> i64 {
        self.port.as_ref().map_or(6379, |p| p.value)
    }
}

#[derive(Debug, Clone)]
pub struct ReplicaOf {
    pub host: Spanned<String>,
    pub port: Spanned<i64>,
    pub line: Span,
}

#[derive(Debug, Clone)]
pub struct KnownPeer {
    pub host: Spanned<String>,
    pub port: i64,
    pub runid: Option<String>,
    pub line: Span,
}

/// One `sentinel monitor` and the per-master options for it in the same sentinel.
#[derive(Debug, Clone)]
pub struct Monitor {
    pub name: Spanned<String>,
    pub host: Spanned<String>,
    pub port: Spanned<i64>,
    pub quorum: Spanned<i64>,
    pub line: Span,
    pub down_after: Option<Spanned<i64>>,
    pub failover_timeout: Option<Spanned<i64>>,
    pub parallel_syncs: Option<Spanned<i64>>,
    pub auth_pass: Option<Spanned<Password>>,
    pub auth_user: Option<Spanned<String>>,
    pub known_replicas: Vec<KnownPeer>,
    pub known_sentinels: Vec<KnownPeer>,
    pub renames: Vec<Rename>,
    /// `notification-script` / `client-reconfig-script` lines: the option and the path.
    pub scripts: Vec<(&'static str, Spanned<String>)>,
}

impl Monitor {
    pub const DEFAULT_DOWN_AFTER: i64 = 30_000;
    pub const DEFAULT_FAILOVER_TIMEOUT: i64 = 180_000;

    pub fn down_after(&self) -> i64 {
        self.down_after
            .as_ref()
            .map_or(Self::DEFAULT_DOWN_AFTER, |v| v.value)
    }

    pub fn failover_timeout(&self) -> i64 {
        self.failover_timeout
            .as_ref()
            .map_or(Self::DEFAULT_FAILOVER_TIMEOUT, |v| v.value)
    }

    pub fn parallel_syncs(&self) -> i64 {
        self.parallel_syncs.as_ref().map_or(1, |v| v.value)
    }

    pub fn address(&self) -> (String, i64) {
        (self.host.value.to_ascii_lowercase(), self.port.value)
    }
}

/// One Sentinel process.
#[derive(Debug, Clone)]
pub struct SentinelProc {
    pub file: FileId,
    /// How messages name this process: its config file, or its compose service.
    pub name: String,
    /// False when an `include` could not be followed: what the sentinel lacks is unknown.
    pub complete: bool,
    pub anchor: Span,
    pub port: Option<Spanned<i64>>,
    pub binds: Vec<Spanned<String>>,
    pub password: Option<Spanned<Password>>,
    pub sentinel_pass: Option<Spanned<Password>>,
    pub protected_mode: Option<Spanned<bool>>,
    /// `aclfile`: users (the default user's password among them) are defined in a file
    /// that is not read here.
    pub acl_file: Option<Spanned<String>>,
    pub resolve_hostnames: Option<Spanned<bool>>,
    pub announce_hostnames: Option<Spanned<bool>>,
    /// `sentinel announce-ip`: the address the other sentinels know it by.
    pub announce_ip: Option<Spanned<String>>,
    /// `sentinel announce-port`: the port it announces (0 or unset: its own).
    pub announce_port: Option<Spanned<i64>>,
    pub myid: Option<Spanned<String>>,
    pub monitors: Vec<Monitor>,
    pub tls: Tls,
    pub process: ProcessConf,
    pub runtime: Runtime,
}

impl SentinelProc {
    pub fn resolves_hostnames(&self) -> bool {
        self.resolve_hostnames.as_ref().is_some_and(|v| v.value)
    }

    pub fn announces_hostnames(&self) -> bool {
        self.announce_hostnames.as_ref().is_some_and(|v| v.value)
    }

    /// The password this sentinel presents to its peers.
    pub fn peer_password(&self) -> Option<&Spanned<Password>> {
        self.sentinel_pass.as_ref().or(self.password.as_ref())
    }
}

/// Whether a `sentinel myid` value is one ID that every process running the config
/// starts with: a literal, not a value the shell computes per container
/// (`$(host_id "$HOSTNAME")`).
pub fn shared_myid(value: &str) -> bool {
    !value.contains(['$', '`'])
}
