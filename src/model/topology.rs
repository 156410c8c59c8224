//! The deployment as the linker understands it: groups of one master name with their
//! data nodes and sentinels.

use super::facts::{Monitor, Node, SentinelProc};
use super::service::{Process, Service};
use crate::source::{FileId, Span};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SentinelCount {
    Known(usize),
    /// Why the count cannot be decided from the checked files.
    Unknown(&'static str),
}

impl SentinelCount {
    pub fn known(&self) -> Option<usize> {
        match self {
            SentinelCount::Known(n) => Some(*n),
            SentinelCount::Unknown(_) => None,
        }
    }
}

/// A sentinel's `monitor` entry that belongs to a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonitorRef {
    pub sentinel: usize,
    pub monitor: usize,
}

#[derive(Debug, Clone)]
pub struct Group {
    /// Master name; `None` for a replication set that no sentinel watches.
    pub name: Option<String>,
    /// Monitored (or replicated-from) address, host lower-cased.
    pub host: String,
    pub port: i64,
    pub monitors: Vec<MonitorRef>,
    pub master: Option<usize>,
    pub replicas: Vec<usize>,
    pub sentinel_count: SentinelCount,
    /// Number of replicas, when the tree says it (replica configs or known-replica lines).
    pub replica_count: Option<usize>,
    /// Sentinels and replicas that run outside the checked tree, as the user declared
    /// them (`[topology]` of redis-halint.toml); already in the counts above.
    pub elsewhere: Elsewhere,
}

/// Processes of a group declared to run outside the checked tree.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Elsewhere {
    pub sentinels: usize,
    pub replicas: usize,
}

impl Group {
    /// Count `more` processes that run outside the tree: a lone sentinel config plus two
    /// sentinels elsewhere is a known count of three.
    pub fn add_elsewhere(&mut self, more: Elsewhere) {
        if more.sentinels > 0 && self.has_sentinels() {
            let here = match self.sentinel_count {
                SentinelCount::Known(n) => n,
                SentinelCount::Unknown(_) => self.monitors.len(),
            };
            self.sentinel_count = SentinelCount::Known(here + more.sentinels);
        }
        if more.replicas > 0 {
            self.replica_count =
                Some(self.replica_count.unwrap_or(self.replicas.len()) + more.replicas);
        }
        self.elsewhere.sentinels += more.sentinels;
        self.elsewhere.replicas += more.replicas;
    }
}

impl Group {
    /// Every data node of the group, master first.
    pub fn nodes(&self) -> impl Iterator<Item = usize> + '_ {
        self.master.into_iter().chain(self.replicas.iter().copied())
    }

    pub fn has_sentinels(&self) -> bool {
        !self.monitors.is_empty()
    }
}

/// How a containerised process gets its config file: a mount of a file of the tree.
#[derive(Debug, Clone)]
pub struct ConfigMount {
    /// The service (compose) or workload that runs the process.
    pub owner: String,
    pub owner_span: Span,
    pub sentinel: bool,
    /// The volume entry.
    pub span: Span,
    /// The config path on the command line.
    pub config_path_span: Option<Span>,
    /// A single file bind-mounted (not its directory).
    pub single_file: bool,
    pub read_only: bool,
    /// The host file, when it is in the checked tree.
    pub config_file: Option<FileId>,
    /// Host path, to compare mounts of different services.
    pub source: std::path::PathBuf,
    pub replicas: usize,
}

/// A container of a Kubernetes workload, as far as the rules need it.
#[derive(Debug, Clone)]
pub struct ContainerFacts {
    pub file: FileId,
    /// The container as read from its manifest.
    pub container: crate::formats::workload::Container,
    /// For each invocation, the embedded config it runs.
    pub linked: Vec<Option<Linked>>,
    /// Processes the container became (one per replica), when it runs one linked config.
    pub processes: Vec<super::service::ConfigRef>,
    pub workload: String,
    pub name_span: Span,
    /// Sentinels started on a config path, with the mount that provides the path when it
    /// is read-only (ConfigMap, Secret, `readOnly: true`): (path, mount, volume, what).
    pub readonly_sentinel_configs: Vec<(Span, Span, Span, String)>,
    /// Sentinel configs provided by a `subPath` file mount: (path, mount).
    pub subpath_sentinel_configs: Vec<(Span, Span)>,
    /// A test of the pod's own name or ordinal in the start script.
    pub ordinal_test: Option<Span>,
    /// The start script asks the sentinels for the current master first.
    pub asks_sentinels: bool,
    /// The container starts redis-server.
    pub runs_server: bool,
    /// Exec probes that run `redis-cli … ping` without credentials.
    pub unauthenticated_pings: Vec<Span>,
    /// The process behind the probes requires a password.
    pub auth_required: bool,
}

/// An operator custom resource, as far as the rules need it.
#[derive(Debug, Clone)]
pub struct Resource {
    /// API group without version (`redis.redis.opstreelabs.in`).
    pub api_group: String,
    pub kind: String,
    /// Keys of `spec` that only make sense for Sentinel HA (`mode`, `redisSentinelConfig`).
    pub sentinel_fields: Vec<(Span, String)>,
    pub file: FileId,
    pub name: Option<String>,
    pub namespace: Option<String>,
    /// The whole object (for Helm values: the whole document), shared by every
    /// topology built from the file.
    pub object: std::sync::Arc<crate::syntax::yaml::Node>,
}

/// Group of the Helm values files of the bitnami `redis` chart (`kind` is `values`).
pub const BITNAMI_VALUES: &str = "helm:bitnami/redis";

impl Resource {
    pub fn span(&self, node: &crate::syntax::yaml::Node) -> Span {
        Span::new(self.file, node.span.start, node.span.end)
    }

    pub fn spec(&self) -> Option<&crate::syntax::yaml::Node> {
        self.object.get("spec")
    }

    pub fn is(&self, group: &str, kind: &str) -> bool {
        self.api_group == group && self.kind == kind
    }

    /// Same namespace, an absent namespace matching any.
    pub fn same_namespace(&self, other: &Resource) -> bool {
        match (&self.namespace, &other.namespace) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
    }
}

/// A compose service and the processes it runs (one per replica).
#[derive(Debug, Clone)]
pub struct ComposeUnit {
    pub file: FileId,
    pub service: crate::formats::compose::Service,
    /// Whether the service runs a Redis process at all (else: an application).
    pub runs_redis: bool,
    pub nodes: Vec<usize>,
    pub sentinels: Vec<usize>,
    /// Index in `Topology::mounts` of the mount that provides its config.
    pub mount: Option<usize>,
}

/// The config of the tree a container's invocation runs.
#[derive(Debug, Clone)]
pub struct Linked {
    pub file: FileId,
    pub embedded_in: Option<(String, String)>,
    pub has_myid: bool,
    pub has_password: bool,
    /// `appendonly yes` or a `save` rule, explicitly.
    pub persistence_on: bool,
    /// `dir`, from the file or the command line.
    pub dir: Option<(String, Span)>,
}

/// Label key/value pairs (a selector's `matchLabels`, a pod template's labels).
pub type Labels = Vec<(String, String)>;

/// A Service of the tree.
#[derive(Debug, Clone)]
pub struct K8sService {
    pub name: String,
    pub namespace: Option<String>,
    pub name_span: Span,
    pub headless: bool,
    pub publish_not_ready: bool,
}

/// Cluster objects that are not workloads: Services, PodDisruptionBudgets, Namespaces and
/// Secret values (compared, never shown).
#[derive(Debug, Default, Clone)]
pub struct Cluster {
    pub services: Vec<K8sService>,
    /// (namespace, matchLabels) of each PodDisruptionBudget.
    pub pdbs: Vec<(Option<String>, Labels)>,
    pub namespaces: Vec<String>,
    /// (secret, key, value).
    pub secrets: Vec<(String, String, super::facts::Password)>,
}

#[derive(Debug, Default)]
pub struct Topology {
    /// Compose services, Redis ones and the others, in file order.
    pub compose: Vec<ComposeUnit>,
    pub cluster: Cluster,
    pub nodes: Vec<Node>,
    pub sentinels: Vec<SentinelProc>,
    pub groups: Vec<Group>,
    pub mounts: Vec<ConfigMount>,
    pub containers: Vec<ContainerFacts>,
    pub resources: Vec<Resource>,
    /// systemd services, drop-ins applied.
    pub services: Vec<Service>,
    /// redis-server / redis-sentinel commands of units and scripts.
    pub processes: Vec<Process>,
}

impl Topology {
    pub fn monitor(&self, r: MonitorRef) -> (&SentinelProc, &Monitor) {
        let sentinel = &self.sentinels[r.sentinel];
        (sentinel, &sentinel.monitors[r.monitor])
    }

    /// Groups a node belongs to.
    pub fn groups_of_node(&self, node: usize) -> impl Iterator<Item = &Group> {
        self.groups
            .iter()
            .filter(move |g| g.nodes().any(|n| n == node))
    }
}
