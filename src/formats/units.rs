//! What the rules read of each format's deployment units beside the model: compose
//! services, Kubernetes containers and operator resources (and chart values), with the
//! processes of the model each one runs.

use crate::facts::service::ConfigRef;
use crate::source::{FileId, Span};

/// The units of every file of the tree.
#[derive(Debug, Default)]
pub struct Units {
    /// Compose services, Redis ones and the others, in file order.
    pub compose: Vec<ComposeUnit>,
    pub containers: Vec<ContainerFacts>,
    pub resources: Vec<Resource>,
    /// The Kustomize builds of the tree, as the processes were made from them.
    pub builds: Vec<super::kustomize::Build>,
    /// Passwords that a provisioning template renders into a config from a variable
    /// written out in a variables file of the tree.
    pub template_secrets: Vec<TemplateSecret>,
    /// Master names that ConfigMaps hand to applications.
    pub client_master_names: Vec<super::kubernetes::ClientMasterName>,
    /// Redis credentials that ConfigMaps hand to applications, written out.
    pub client_secrets: Vec<super::client_secrets::ClientSecret>,
    /// The tree provisions hosts: it holds Ansible tasks, a Vagrantfile, Salt states or
    /// Puppet manifests. (A systemd unit says which config it runs: that is linked.)
    pub hosts_provisioned: bool,
    /// Ansible tasks that write a sentinel's config again at every run of the play.
    pub sentinel_config_redeploys: Vec<SentinelRedeploy>,
    /// Plays that give the data nodes their inventory roles at every run.
    pub role_pins: Vec<RolePin>,
    /// Config templates that write `masterauth` only for the hosts they make replicas.
    pub replica_only_masterauth: Vec<ReplicaOnlyMasterauth>,
    /// Passwords written literally on the command lines of the tree's scripts.
    pub command_line_secrets: Vec<Span>,
    /// Literal passwords given to a Redis chart by `helm … --set` in a script.
    pub helm_set_secrets: Vec<Span>,
    /// The networks each Vagrantfile of the tree gives its machines.
    pub vagrant_networks: Vec<(FileId, super::vagrant_network::VagrantNetwork)>,
}

/// An Ansible task that writes a sentinel's config from the tree at every run of the
/// play and restarts the sentinel when the file changed, which it always has: Sentinel
/// rewrites its own config (its `myid`, the current master, epochs, peers).
#[derive(Debug, Clone)]
pub struct SentinelRedeploy {
    /// The task's module key.
    pub task: Span,
    /// The `notify:` or the later task that restarts the sentinel.
    pub restart: Span,
    /// The template's `sentinel monitor` line.
    pub monitor: Option<Span>,
    /// The template pins a `sentinel myid`.
    pub pinned_myid: bool,
}

/// A play that, at every run, gives a host the replica role the inventory names (a
/// `replicaof` its config template renders for some hosts, a `lineinfile` that adds one,
/// a `redis-cli replicaof` command), whatever Sentinel has made of it since.
#[derive(Debug, Clone)]
pub struct RolePin {
    /// The template's `replicaof` line, or the task's module key.
    pub pin: Span,
    /// The task that deploys the template, or the `when:` that picks the hosts.
    pub task: Option<Span>,
    /// The `notify:` (or later task) that restarts the server on the change.
    pub restart: Option<Span>,
    /// A command against the live server: it takes effect at once, no restart needed.
    pub live: bool,
}

/// A data-node config template whose `masterauth` sits in the branch that makes a host
/// a replica, while its `requirepass` is written for every host: the host rendered as
/// master requires a password and sends none once a failover demotes it.
#[derive(Debug, Clone)]
pub struct ReplicaOnlyMasterauth {
    /// The `masterauth` line.
    pub masterauth: Span,
    /// The statement of the branch that leaves it out for the master.
    pub branch: Span,
    pub requirepass: Span,
}

/// `requirepass {{ redis_password }}` in a Jinja template, with `redis_password:
/// s3cret` in the role's defaults or the inventory's `group_vars`.
#[derive(Debug, Clone)]
pub struct TemplateSecret {
    /// The variable's value, where it is written.
    pub value: Span,
    /// Where the template uses it.
    pub used: Span,
    pub variable: String,
}

/// A container of a Kubernetes workload, as far as the rules need it.
#[derive(Debug, Clone)]
pub struct ContainerFacts {
    pub file: FileId,
    /// The container as read from its manifest.
    pub container: super::workload::Container,
    /// For each invocation, the embedded config it runs.
    pub linked: Vec<Option<Linked>>,
    /// The redis command the image starts when the container has no command: the file
    /// that holds its words (a script of the tree), the command, and its config.
    pub started: Option<(FileId, super::workload::Invocation, Option<Linked>)>,
    /// Processes the container became (one per replica), when it runs one linked config.
    pub processes: Vec<ConfigRef>,
    pub workload: String,
    pub name_span: Span,
    /// Sentinels started on a config path, with the mount that provides the path when it
    /// is read-only (ConfigMap, Secret, `readOnly: true`): (path, mount, volume, what).
    pub readonly_sentinel_configs: Vec<(Span, Span, Span, String)>,
    /// Sentinel configs provided by a `subPath` file mount: (path, mount).
    pub subpath_sentinel_configs: Vec<(Span, Span)>,
    /// A test of the pod's own name or ordinal in the start script.
    pub ordinal_test: Option<Span>,
    /// Configs a start script (a ConfigMap key's, the image's) copies from their
    /// template at every start: (path, where).
    pub copied_every_start: Vec<(String, Span)>,
    /// The start script asks the sentinels for the current master first.
    pub asks_sentinels: bool,
    /// The container starts redis-server.
    pub runs_server: bool,
    /// Exec probes that run `redis-cli … ping` without credentials.
    pub unauthenticated_pings: Vec<Span>,
    /// The process behind the probes requires a password.
    pub auth_required: bool,
    /// The working directory of an image built from a Dockerfile of the tree (its
    /// `WORKDIR`, or `/data` of the official image it builds on), where a relative
    /// `dir` points.
    pub image_workdir: Option<String>,
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
    /// For values laid over other values files (`values-prod.yaml` over `values.yaml`,
    /// an Argo CD release's `valueFiles`): the files beneath, nearest first; the nodes of
    /// layer `n` are written in `lower_files[n - 1]`.
    pub lower_files: Vec<FileId>,
    /// A Flux release's `valuesFrom`: the ConfigMaps and Secrets whose values lie
    /// beneath `object` (the inline values), resolved against the tree by the workspace.
    pub values_from: Vec<ValuesRef>,
    /// An Argo CD release's `helm.valueFiles` (as written) and the `path` of a chart kept
    /// in the repository: resolved against the tree by the workspace.
    pub value_files: Vec<String>,
    pub chart_path: Option<String>,
    /// Values of a subchart, written under this key of the parent chart's values
    /// (`redis:` of an umbrella chart that depends on bitnami/redis): `object` is that
    /// map, and values files laid over the parent's contribute their own map at the key.
    pub values_key: Option<String>,
}

/// One `valuesFrom` entry of a Flux HelmRelease.
#[derive(Debug, Clone)]
pub struct ValuesRef {
    /// `ConfigMap` or `Secret`.
    pub kind: String,
    pub name: String,
    /// `valuesKey` (`values.yaml` unless written).
    pub key: String,
    /// `optional: true`: a missing object is skipped, not an error of the release.
    pub optional: bool,
}

/// Group of releases whose chart is decided once their `valuesFrom` are read: `kind`
/// holds the chart's name.
pub const PENDING_VALUES: &str = "helm:values-from";

/// A values file kept in a ConfigMap or Secret key, as a release's `valuesFrom` reads it.
#[derive(Debug, Clone)]
pub struct ValuesSource {
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    pub key: String,
    pub file: FileId,
    /// The parsed values, at their places in `file`.
    pub values: crate::syntax::yaml::Node,
}

/// Group of the Helm values files of the bitnami `redis` chart (`kind` is `values`).
pub const BITNAMI_VALUES: &str = "helm:bitnami/redis";

/// Group of the Helm values files of OpsTree's own charts: `kind` is
/// `redis-replication-values` or `redis-sentinel-values`.
pub const OPSTREE_VALUES: &str = "helm:ot-container-kit";

/// Group of the Helm values files of the official Valkey chart (`valkey-io/valkey-helm`,
/// chart `valkey`); `kind` is `valkey-values`.
pub const VALKEY_HELM_VALUES: &str = "helm:valkey-io/valkey";

/// Group of the Helm values files of DandyDeveloper's `redis-ha` chart; `kind` is
/// `redis-ha-values`.
pub const REDIS_HA_VALUES: &str = "helm:dandydeveloper/redis-ha";
/// Values of groundhog2k's `redis` and `valkey` charts (`kind`: `redis-values` or
/// `valkey-values`).
pub const GROUNDHOG_VALUES: &str = "helm:groundhog2k";

impl Resource {
    /// A values file of a chart (or a release's values) read as the resource of group
    /// `api_group` and kind `kind`; the rest (name, namespace, layers) filled in later.
    pub fn values(
        api_group: &str,
        kind: &str,
        file: FileId,
        object: crate::syntax::yaml::Node,
    ) -> Resource {
        Resource {
            api_group: api_group.to_string(),
            kind: kind.to_string(),
            sentinel_fields: Vec::new(),
            file,
            name: None,
            namespace: None,
            object: std::sync::Arc::new(object),
            lower_files: Vec::new(),
            values_from: Vec::new(),
            value_files: Vec::new(),
            chart_path: None,
            values_key: None,
        }
    }

    pub fn span(&self, node: &crate::syntax::yaml::Node) -> Span {
        let file = match node.layer {
            0 => self.file,
            n => self
                .lower_files
                .get(usize::from(n) - 1)
                .copied()
                .unwrap_or(self.file),
        };
        Span::new(file, node.span.start, node.span.end)
    }

    /// The scalar values of keys that name a password (`password`, `redisPassword`,
    /// `sentinelPassword`, …): never printed.
    pub fn secret_spans(&self) -> Vec<Span> {
        let mut values = Vec::new();
        password_values(&self.object, &mut values);
        values.into_iter().map(|v| self.span(v)).collect()
    }

    /// Values of a chart (a values file, or a GitOps release's values), not a resource.
    pub fn is_chart_values(&self) -> bool {
        self.api_group.starts_with("helm:")
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
    pub service: super::compose::Service,
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
    /// A start script writes the config afresh at every start (reported at the script).
    pub rewritten_at_start: bool,
}

/// The values of keys that name a password (`password`, `redisPassword`,
/// `sentinelPassword`, … but not `passwordKey` or `passwordFile`) in a values or resource
/// tree: secrets, never printed.
pub fn password_values<'n>(
    node: &'n crate::syntax::yaml::Node,
    out: &mut Vec<&'n crate::syntax::yaml::Node>,
) {
    match &node.kind {
        crate::syntax::yaml::Kind::Map(entries) => {
            for (key, value) in entries {
                let secret = key.as_str().is_some_and(is_password_key);
                if secret && value.as_str().is_some_and(|v| !v.is_empty()) {
                    out.push(value);
                } else {
                    password_values(value, out);
                }
            }
        }
        crate::syntax::yaml::Kind::Seq(items) => {
            items.iter().for_each(|i| password_values(i, out));
        }
        crate::syntax::yaml::Kind::Scalar { .. } => {}
    }
}

/// A key that names a password's value (`password`, `redisPassword`), not where one is
/// kept (`passwordKey`, `passwordFile`).
/// A variable that holds a password by its name (`redis_password`, `redis_pass`,
/// `redis_auth`, `requirepass`), as provisioning variables files name them.
pub fn is_password_variable(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    // The last word of `REDIS_PASS`, `redis.pwd`, `sentinel-auth`.
    let leaf = k.rsplit(['.', '_', '-']).next().unwrap_or(&k);
    is_password_key(&k)
        || matches!(leaf, "pass" | "passwd" | "pwd")
        || (leaf == "auth" && leaf.len() < k.len())
        || k == "requirepass"
        || k == "masterauth"
}

pub fn is_password_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.contains("password") && !k.ends_with("key") && !k.ends_with("file")
}
