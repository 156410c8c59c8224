//! The rule registry: one line per rule maps code → name → category → default severity →
//! fix availability → summary. A rule's page is `rules/NAME.md`, its fixtures
//! `fixtures/NAME/{bad,good}`, its snapshots `tests/snapshots/rule_fixtures__NAME__*`,
//! its check in `src/rules/`. Retired names redirect to their successors. The registry
//! sits below diagnostics so that a finding names its rule by this enum.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    Syntax,
    Quorum,
    Timeouts,
    Auth,
    Network,
    Security,
    Persistence,
    Compose,
    Kubernetes,
    Operator,
    Systemd,
    Suppression,
    Config,
    /// Redis Cluster deployments (sharded, promotion by the masters' vote).
    Cluster,
    /// Checks of a running deployment (`redis-halint verify`): they read what the
    /// sentinels and data nodes answer, never files, so they have no static fixture.
    Live,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Syntax => "syntax",
            Category::Quorum => "quorum",
            Category::Timeouts => "timeouts",
            Category::Auth => "auth",
            Category::Network => "network",
            Category::Security => "security",
            Category::Persistence => "persistence",
            Category::Compose => "compose",
            Category::Kubernetes => "k8s",
            Category::Operator => "operator",
            Category::Systemd => "systemd",
            Category::Suppression => "suppression",
            Category::Config => "config",
            Category::Cluster => "cluster",
            Category::Live => "live",
        }
    }
}

/// Static facts about a rule.
#[derive(Debug)]
pub struct RuleInfo {
    pub rule: Rule,
    pub code: &'static str,
    pub name: &'static str,
    pub category: Category,
    pub severity: Severity,
    /// Whether the rule offers an automatic fix.
    pub fixable: bool,
    pub summary: &'static str,
}

macro_rules! registry {
    ($($variant:ident => $code:literal, $name:literal, $cat:ident, $sev:ident, $fix:literal, $summary:literal;)*) => {
        /// Every rule redis-halint knows.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Rule { $($variant),* }

        pub static RULES: &[RuleInfo] = &[
            $(RuleInfo {
                rule: Rule::$variant,
                code: $code,
                name: $name,
                category: Category::$cat,
                severity: Severity::$sev,
                fixable: $fix,
                summary: $summary,
            }),*
        ];
    };
}

registry! {
    UnknownDirective => "S001", "unknown-directive", Syntax, Error, true, "A directive Redis does not know; the server refuses to start.";
    UnknownSentinelDirective => "S002", "unknown-sentinel-directive", Syntax, Error, true, "A `sentinel` option Sentinel does not know; Sentinel refuses to start.";
    WrongArgumentCount => "S003", "wrong-argument-count", Syntax, Error, false, "A directive with the wrong number of arguments (inline comments count as arguments).";
    InvalidValue => "S004", "invalid-value", Syntax, Error, true, "A value Redis rejects: boolean, integer, memory unit, enum or range.";
    SentinelBadValue => "S005", "sentinel-bad-value", Syntax, Error, true, "A Sentinel value that is rejected, or silently read as something else (`5s` is 5 ms).";
    UnbalancedQuotes => "S006", "unbalanced-quotes", Syntax, Error, false, "A quote that is never closed, or closed in the middle of a word.";
    DirectiveNotInVersion => "S007", "directive-not-in-version", Syntax, Error, false, "A directive that the target Redis/Valkey version does not read.";
    SentinelDirectiveInServerConfig => "S008", "sentinel-directive-in-server-config", Syntax, Error, false, "`sentinel` lines in a data node's config: redis-server refuses them.";
    PerMasterDirectiveUnknownMaster => "S009", "per-master-directive-unknown-master", Syntax, Error, false, "A per-master Sentinel option for a master name no `sentinel monitor` defines.";
    SentinelMyidInvalid => "S010", "sentinel-myid-invalid", Syntax, Error, false, "`sentinel myid` that is not 40 characters long.";
    InvalidMasterName => "S011", "invalid-master-name", Syntax, Warning, false, "A master name Sentinel cannot round-trip (spaces, commas, quotes).";
    DuplicateDirective => "S012", "duplicate-directive", Syntax, Warning, false, "A directive set twice: the later line silently wins, or Redis refuses the duplicate.";
    SentinelRenameWrongCommand => "S013", "sentinel-rename-wrong-command", Syntax, Warning, false, "`sentinel rename-command` for a command Sentinel never sends or the nodes never renamed.";
    InvalidYaml => "S015", "invalid-yaml", Syntax, Error, false, "A manifest or compose file that is not valid YAML (or expands beyond the alias budget).";
    RenameCommandInconsistentAcrossNodes => "S016", "rename-command-inconsistent-across-nodes", Syntax, Error, false, "Data nodes of one group give a command Sentinel sends different names.";
    SentinelScriptNotExecutable => "S017", "sentinel-script-not-executable", Syntax, Error, false, "A `notification-script` or `client-reconfig-script` that is missing or not executable where the sentinel runs: it exits at load.";
    RenameCommandBreaksSentinel => "S014", "rename-command-breaks-sentinel", Syntax, Error, false, "A data node renames a command Sentinel needs without a matching `sentinel rename-command`.";
    SentinelCountBelowThree => "Q001", "sentinel-count-below-three", Quorum, Error, false, "Fewer than three sentinels watch a master.";
    SentinelCountEven => "Q002", "sentinel-count-even", Quorum, Warning, false, "An even number of sentinels adds no fault tolerance.";
    QuorumExceedsSentinelCount => "Q003", "quorum-exceeds-sentinel-count", Quorum, Error, true, "The quorum is larger than the number of sentinels: failover can never start.";
    QuorumEqualsSentinelCount => "Q004", "quorum-equals-sentinel-count", Quorum, Warning, true, "The quorum equals the number of sentinels: one sentinel down blocks failover.";
    QuorumBelowMajority => "Q005", "quorum-below-majority", Quorum, Info, false, "The quorum is below the majority of sentinels (legal, more sensitive detection).";
    MonitorInconsistentAcrossSentinels => "Q006", "monitor-inconsistent-across-sentinels", Quorum, Error, false, "Sentinels of one deployment monitor one master name at different addresses or quorums.";
    MasterNameMismatchAcrossSentinels => "Q007", "master-name-mismatch-across-sentinels", Quorum, Error, false, "Sentinels monitor one address under different master names.";
    MultiDcMajorityInOneSite => "Q008", "multi-dc-majority-in-one-site", Quorum, Warning, false, "The sentinels span several sites and one site holds their majority: losing that site leaves no failover.";
    SentinelScaleDownWithoutReset => "Q009", "sentinel-scale-down-without-reset", Quorum, Warning, false, "Fewer sentinels than in the previous revision: the remaining ones still count the removed peers until SENTINEL RESET.";
    DownAfterTooLow => "T001", "down-after-too-low", Timeouts, Warning, false, "`down-after-milliseconds` so low that pauses trigger failovers.";
    FailoverTimeoutTooLow => "T002", "failover-timeout-too-low", Timeouts, Info, false, "`failover-timeout` too short for a promotion and replica reconfiguration.";
    FailoverRetryDelayLong => "T003", "failover-retry-delay-long", Timeouts, Info, false, "A failed failover is retried only after twice `failover-timeout`.";
    SentinelTimingInconsistent => "T004", "sentinel-timing-inconsistent", Timeouts, Info, false, "Sentinels of one group use different timings.";
    ReplTimeoutNotAbovePingPeriod => "T005", "repl-timeout-not-above-ping-period", Timeouts, Warning, true, "`repl-timeout` not above `repl-ping-replica-period`: idle links time out.";
    DownAfterBelowBusyThreshold => "T006", "down-after-below-busy-threshold", Timeouts, Warning, false, "down-after is shorter than the nodes' busy-reply-threshold: a long script fails over a healthy master before SCRIPT KILL can stop it.";
    SentinelCpuLimitTooLow => "T007", "sentinel-cpu-limit-too-low", Timeouts, Warning, false, "A sentinel container's CPU limit low enough for throttling to stall it into TILT mode.";
    SentinelAuthPassMissing => "A001", "sentinel-auth-pass-missing", Auth, Error, false, "Data nodes need a password but the sentinel has no `auth-pass`.";
    SentinelAuthPassMismatch => "A002", "sentinel-auth-pass-mismatch", Auth, Error, false, "The sentinel's `auth-pass` differs from a data node's password.";
    GroupPasswordNotUniform => "A003", "group-password-not-uniform", Auth, Error, false, "Data nodes of one group use different passwords.";
    MasterauthMissing => "A004", "masterauth-missing", Auth, Error, true, "A node with a password has no `masterauth`: once demoted it cannot sync.";
    MasterauthMismatch => "A005", "masterauth-mismatch", Auth, Error, false, "`masterauth` differs from the master's password.";
    SentinelPeerAuthInconsistent => "A006", "sentinel-peer-auth-inconsistent", Auth, Error, false, "Sentinels cannot authenticate to each other.";
    SentinelAclUserInsufficient => "A007", "sentinel-acl-user-insufficient", Auth, Error, true, "The ACL user a sentinel logs in with on the data nodes may not run a command Sentinel sends, is off or is not defined.";
    AclResetchannelsBlocksHello => "A008", "acl-resetchannels-blocks-hello", Auth, Error, true, "The sentinels' ACL user may not use the __sentinel__:hello channel (the 7.0 resetchannels default): no discovery, no majority.";
    AclDefaultUserDisabledWithoutUsers => "A009", "acl-default-user-disabled-without-users", Auth, Error, false, "The default user is off, but sentinels or replicas still log in as it.";
    ClientSentinelPasswordMissing => "A010", "client-sentinel-password-missing", Auth, Warning, false, "An application asks password-protected sentinels for the master without their password, or sends one to sentinels that have none.";
    HostnameMonitorWithoutResolveHostnames => "N001", "hostname-monitor-without-resolve-hostnames", Network, Error, true, "A host name in a sentinel address without `sentinel resolve-hostnames yes`.";
    HostnamesWithoutAnnounceHostnames => "N002", "hostnames-without-announce-hostnames", Network, Warning, true, "Host names are resolved but announced as IP addresses.";
    ProtectedModeBlocksRemote => "X001", "protected-mode-blocks-remote", Security, Error, false, "Protected mode without a password refuses the remote peers this process needs.";
    MinReplicasToWriteMissing => "P001", "min-replicas-to-write-missing", Persistence, Info, true, "No `min-replicas-to-write`: an isolated master keeps accepting writes that will be lost.";
    MinReplicasToWriteTooHigh => "P002", "min-replicas-to-write-too-high", Persistence, Error, false, "`min-replicas-to-write` at or above the number of replicas blocks writes.";
    AllReplicasPriorityZero => "P003", "all-replicas-priority-zero", Persistence, Error, false, "Every replica has priority 0: no candidate for promotion.";
    WritableReplicas => "P004", "writable-replicas", Persistence, Warning, true, "Writable replicas diverge from their master.";
    ReplicaIgnoreMaxmemoryDisabled => "P005", "replica-ignore-maxmemory-disabled", Persistence, Warning, false, "Replicas that evict on their own diverge from their master.";
    ComposeSentinelSingleFileBind => "C001", "compose-sentinel-single-file-bind", Compose, Error, true, "sentinel.conf bind-mounted as a single file: Sentinel cannot save its state.";
    ComposeSentinelSharedConfig => "C002", "compose-sentinel-shared-config", Compose, Error, false, "Several sentinels share one config file or one `sentinel myid`.";
    ComposeConfigNotWritableByUid => "C003", "compose-config-not-writable-by-uid", Compose, Warning, false, "The official image runs Sentinel as uid 999, which cannot write the host's config file.";
    ComposeStartupRace => "C004", "compose-startup-race", Compose, Info, false, "A sentinel starts before the master service it monitors by name is up.";
    SecretsInPlaintextConfig => "X002", "secrets-in-plaintext-config", Security, Warning, false, "A literal password in a compose file or ConfigMap.";
    SentinelExposedUnauthenticated => "X003", "sentinel-exposed-unauthenticated", Security, Warning, false, "A published sentinel port without any sentinel password.";
    HelloChannelWritableByClients => "X004", "hello-channel-writable-by-clients", Security, Info, false, "Users other than the sentinels' may publish to __sentinel__:hello and redirect every sentinel.";
    ClientMasterNameMismatch => "N003", "client-master-name-mismatch", Network, Error, false, "An application asks the sentinels for a master name they do not monitor.";
    ReplicaAnnounceIpDuplicated => "N004", "replica-announce-ip-duplicated", Network, Error, false, "Two data nodes of one group announce the same address.";
    TlsSentinelMissingTlsReplication => "N005", "tls-sentinel-missing-tls-replication", Network, Error, false, "The data nodes listen only on TLS but the sentinel has no `tls-replication yes`: it connects in plain text and sees them down.";
    TlsMonitorPortMismatch => "N006", "tls-monitor-port-mismatch", Network, Error, true, "`sentinel monitor` names the node's plain-text port while the sentinel speaks TLS, or the reverse.";
    TlsReplicasMissingTlsReplication => "N007", "tls-replicas-missing-tls-replication", Network, Error, true, "The master listens only on TLS and a node of its group has no `tls-replication yes`: it cannot sync.";
    BindFirstAddressLoopbackPre7 => "N008", "bind-first-address-loopback-pre7", Network, Warning, true, "Before 7.0, a loopback first `bind` address is the source of every outgoing link: remote peers are unreachable.";
    DuplicateSentinelAnnounce => "N009", "duplicate-sentinel-announce", Network, Error, false, "Two sentinels of one group announce the same address and port.";
    SharedMasterNameAcrossGroups => "N010", "shared-master-name-across-groups", Network, Warning, false, "Two groups of one deployment use the same master name.";
    AnnouncePortNotPublished => "N011", "announce-port-not-published", Network, Error, false, "A process announces a port that its container does not publish: peers and clients dial a closed port.";
    SentinelPortsBlocked => "N012", "sentinel-ports-blocked", Network, Error, false, "Sentinels and data nodes of one group that cannot reach each other (compose services on networks they do not share).";
    ClientsViaRoundRobinService => "N013", "clients-via-round-robin-service", Network, Warning, false, "An application writes through a Service that selects the master and its replicas alike.";
    MixedHostnameIpIdentities => "N014", "mixed-hostname-ip-identities", Network, Warning, false, "Sentinels work with host names while data nodes of their group are known by IP address.";
    NatWithoutAnnounce => "N015", "nat-without-announce", Network, Warning, false, "Nodes reached through remapped host ports that announce no address and port of their own.";
    MonitorLoopbackAddress => "N016", "monitor-loopback-address", Network, Error, false, "A sentinel monitors (or a replica replicates from) a loopback address inside a container of its own, while the data nodes run in other containers.";
    BindLoopbackOnly => "N017", "bind-loopback-only", Network, Error, false, "A node or sentinel binds only loopback addresses inside a container of its own, while its peers run in other containers.";
    SentinelConfigReadonlyMount => "K001", "sentinel-config-readonly-mount", Kubernetes, Error, false, "Sentinel started from a ConfigMap/Secret or read-only mount: it exits at start.";
    SentinelSubpathFileMount => "K002", "sentinel-subpath-file-mount", Kubernetes, Warning, false, "sentinel.conf mounted with subPath: Sentinel cannot save its state.";
    StaticMasterByOrdinal => "K003", "static-master-by-ordinal", Kubernetes, Error, false, "The start script makes pod 0 the master: after a failover it comes back as a second master.";
    ProbeWithoutAuth => "K004", "probe-without-auth", Kubernetes, Warning, false, "`redis-cli ping` probe without credentials: it passes whatever the server's state.";
    SentinelReadonlyRootfs => "K005", "sentinel-readonly-rootfs", Kubernetes, Error, false, "`readOnlyRootFilesystem` without a writable volume at Sentinel's config: it exits at start.";
    SentinelStateNotPersistent => "K006", "sentinel-state-not-persistent", Kubernetes, Warning, false, "Sentinel's config is rebuilt on every start without a fixed `sentinel myid`: each restart adds a ghost sentinel.";
    HeadlessServiceNotReadyDns => "K007", "headless-service-not-ready-dns", Kubernetes, Warning, false, "Pod DNS names of a headless Service without `publishNotReadyAddresses`: starting pods cannot find their peers.";
    ProbeExitCodeOnly => "K008", "probe-exit-code-only", Kubernetes, Warning, false, "A readiness probe that trusts redis-cli's exit status: pods are Ready while loading or failing.";
    LivenessKillsDuringLoading => "K009", "liveness-kills-during-loading", Kubernetes, Warning, false, "A liveness probe that demands PONG within a short budget and no startupProbe: a long load is killed and restarted.";
    SentinelProbeWrongCredentials => "K010", "sentinel-probe-wrong-credentials", Kubernetes, Warning, false, "A Sentinel probe sends a password the sentinel does not have: the probe always fails.";
    PdbMissing => "K011", "pdb-missing", Kubernetes, Warning, false, "No PodDisruptionBudget covers the Redis or Sentinel pods: a drain can take several at once.";
    ParallelPodManagementBootstrap => "K012", "parallel-pod-management-bootstrap", Kubernetes, Warning, false, "`podManagementPolicy: Parallel` with a start script that picks the master at boot: several pods elect themselves.";
    SentinelsSingleFailureDomain => "K013", "sentinels-single-failure-domain", Kubernetes, Warning, false, "Sentinel pods without required anti-affinity or spread: one node can take down the majority.";
    DataDirEphemeral => "K014", "data-dir-ephemeral", Kubernetes, Warning, false, "Persistence is on but `dir` is on an emptyDir or the container layer: the files vanish with the pod.";
    OpstreeRedisKindSentinelMode => "O001", "opstree-redis-kind-sentinel-mode", Operator, Error, false, "OpsTree `kind: Redis` with Sentinel fields: the operator deploys a standalone Redis.";
    OpstreeSentinelReplicationRef => "O002", "opstree-sentinel-replication-ref", Operator, Error, false, "A RedisSentinel without `redisReplicationName`, or naming no RedisReplication of its namespace.";
    OpstreeReplicationWithoutSentinel => "O005", "opstree-replication-without-sentinel", Operator, Warning, false, "A RedisReplication that no Sentinel watches: nothing promotes a replica when the master fails.";
    OpstreeEmbeddedSentinelGaps => "O019", "opstree-embedded-sentinel-gaps", Operator, Warning, false, "A RedisReplication's embedded sentinels ignore its TLS, a separate sentinel secret or a read-only root file system, and take no password.";
    SpotahomeCustomconfigNotRuntime => "O006", "spotahome-customconfig-not-runtime", Operator, Error, false, "A Spotahome `redis.customConfig` entry that CONFIG SET cannot apply: the operator loops on the error.";
    SpotahomeSentinelCustomconfigWithMasterName => "O007", "spotahome-sentinel-customconfig-with-master-name", Operator, Error, true, "A Spotahome `sentinel.customConfig` entry written with the master name, as in sentinel.conf.";
    SpotahomeSentinelCustomconfigPartial => "O008", "spotahome-sentinel-customconfig-partial", Operator, Warning, false, "A Spotahome `sentinel.customConfig` without down-after-milliseconds or failover-timeout: the operator's defaults are dropped.";
    SpotahomeAuthSecretKey => "O009", "spotahome-auth-secret-key", Operator, Error, false, "The Secret named by Spotahome `auth.secretPath` has no `password` key.";
    BitnamiSentinelWithoutPersistence => "O012", "bitnami-sentinel-without-persistence", Operator, Warning, false, "bitnami/redis with Sentinel and no persistence for the data pods.";
    RecNodesInvalid => "O013", "rec-nodes-invalid", Operator, Error, false, "A RedisEnterpriseCluster with fewer than 3 or an even number of nodes.";
    RecPersistenceDisabled => "O014", "rec-persistence-disabled", Operator, Warning, false, "A RedisEnterpriseCluster with persistence turned off: the cluster cannot be recovered after a quorum loss.";
    RecUnsupportedStorage => "O015", "rec-unsupported-storage", Operator, Info, false, "A RedisEnterpriseCluster on a shared-file (NFS-like) storage class, which Redis Enterprise does not support.";
    RecNodesDecreased => "O018", "rec-nodes-decreased", Operator, Error, false, "A RedisEnterpriseCluster's spec.nodes is lower than in the previous revision: removing nodes that way is not supported.";
    ClusterTooFewMasters => "R001", "cluster-too-few-masters", Cluster, Error, false, "A Redis Cluster with fewer than 3 masters: when one fails, the others are no majority to promote its replica.";
    ClusterShardWithoutReplica => "R002", "cluster-shard-without-replica", Cluster, Warning, false, "A Redis Cluster master without a replica: when it fails, its slots have no copy to promote.";
    ClusterReplicaSameFailureDomain => "R003", "cluster-replica-same-failure-domain", Cluster, Warning, false, "Nothing keeps a cluster master and its replica on different Kubernetes nodes: one node can take the whole shard.";
    ClusterBusPortNotReachable => "R004", "cluster-bus-port-not-reachable", Cluster, Error, false, "The cluster bus port (port + 10000, or `cluster-port`) is not published or allowed where the nodes meet.";
    ClusterNatWithoutAnnounce => "R005", "cluster-nat-without-announce", Cluster, Warning, false, "Cluster nodes reached through remapped ports that announce no address of their own: peers and clients are sent to unreachable addresses.";
    ClusterConfigFileNotPersistent => "R006", "cluster-config-file-not-persistent", Cluster, Warning, false, "The cluster's state file (`nodes.conf`) is on ephemeral storage, shared by two nodes, or not writable.";
    ClusterNodeTimeoutOutOfRange => "R007", "cluster-node-timeout-out-of-range", Cluster, Warning, false, "`cluster-node-timeout` so short that busy masters are failed over, or so long that a failed shard stays down for minutes.";
    ClusterRequireFullCoverageTradeoff => "R008", "cluster-require-full-coverage-tradeoff", Cluster, Info, false, "With full coverage required (the default), one shard lost entirely stops the whole cluster.";
    ClusterReplicaValidityBlocksFailover => "R009", "cluster-replica-validity-blocks-failover", Cluster, Warning, false, "Replica settings that forbid every replica of a shard to take over.";
    ClusterHostnamesWithoutPreferredEndpoint => "R010", "cluster-hostnames-without-preferred-endpoint", Cluster, Warning, false, "Nodes announce host names but clients are redirected to IPs, or the reverse: clients are sent to `?`.";
    SentinelOnClusterNode => "R011", "sentinel-on-cluster-node", Cluster, Error, false, "Sentinel monitors a Redis Cluster node: it cannot reconfigure it, and the failover never completes.";
    ClusterModeMismatch => "R012", "cluster-mode-mismatch", Cluster, Error, false, "A node that is both a cluster node and a `replicaof` replica, or a cluster created from nodes without `cluster-enabled`.";
    HelmTemplatesNotEvaluated => "O017", "helm-templates-not-evaluated", Operator, Info, false, "A Helm chart about Redis whose templates were not rendered: only the rendered output can be checked.";
    UnknownField => "O016", "unknown-field", Operator, Warning, false, "A field the operator's resource does not have: the API server drops or rejects it.";
    MaxmemoryMismatch => "P006", "maxmemory-mismatch", Persistence, Warning, false, "`maxmemory` or its policy differs within one group.";
    PersistenceOffWithAutoRestart => "P007", "persistence-off-with-auto-restart", Persistence, Error, false, "A replicated node without persistence is restarted automatically: it comes back empty and its replicas copy the empty data set.";
    NoReplicaToPromote => "P008", "no-replica-to-promote", Persistence, Error, false, "Sentinels watch a master that has no replica: there is nothing to fail over to.";
    DataNodesNotReplicating => "P009", "data-nodes-not-replicating", Persistence, Error, false, "Several data nodes of one deployment and none replicates: independent masters, nothing to fail over to.";
    ReplBacklogTooSmall => "P010", "repl-backlog-too-small", Persistence, Info, true, "The replication backlog is small for the data set: a short disconnect or a failover costs a full resync.";
    ReplicaOutputBufferTooLow => "P011", "replica-output-buffer-too-low", Persistence, Warning, true, "Replica output buffer limits below the defaults (or, before 7.0, below the backlog): the master drops replicas during a full sync, again and again.";
    DisklessLoadWithoutPersistence => "P012", "diskless-load-without-persistence", Persistence, Info, false, "Diskless load on a node without persistence: after a full sync no copy of the data is on disk.";
    MinReplicasMaxLagTooHigh => "P013", "min-replicas-max-lag-too-high", Persistence, Info, false, "`min-replicas-max-lag` longer than down-after: an isolated master keeps taking writes after a replica was promoted.";
    ReplicaPriorityNotOnMaster => "P014", "replica-priority-not-on-master", Persistence, Info, false, "Replicas set a promotion order, the master none: after a failover it ranks with the default 100.";
    PersistenceAsymmetric => "P015", "persistence-asymmetric", Persistence, Warning, false, "Some nodes of a group persist and others do not: a failover can promote a master that writes nothing to disk.";
    SystemdSentinelConfReadonly => "D001", "systemd-sentinel-conf-readonly", Systemd, Error, true, "The unit's sandboxing makes Sentinel's config read-only: Sentinel cannot start or save its state.";
    SystemdRwPathIsFile => "D002", "systemd-rw-path-is-file", Systemd, Warning, false, "`ReadWritePaths=` names the config file instead of its directory: every config rewrite fails.";
    SystemdNotifyWithoutSupervision => "D003", "systemd-notify-without-supervision", Systemd, Error, false, "`Type=notify` but Redis is not told to notify systemd: the start times out and restarts in a loop.";
    SystemdTypeDaemonizeMismatch => "D004", "systemd-type-daemonize-mismatch", Systemd, Error, false, "`Type=` disagrees with `daemonize`, or `PIDFile=` with `pidfile`: systemd loses track of the process.";
    SystemdMemorylimitDeprecated => "D005", "systemd-memorylimit-deprecated", Systemd, Info, true, "`MemoryLimit=` is deprecated; `MemoryMax=` replaces it.";
    MemoryCapBelowMaxmemory => "D006", "memory-cap-below-maxmemory", Systemd, Warning, false, "The service's memory cap leaves too little room above `maxmemory`: a fork for a save or a full sync gets Redis killed.";
    SentinelStartedAsPlainServer => "D007", "sentinel-started-as-plain-server", Syntax, Error, true, "A sentinel config run by redis-server without `--sentinel`, or with `--sentinel` before the file.";
    SentinelWithoutConfigFile => "D008", "sentinel-without-config-file", Syntax, Error, false, "Sentinel started without a config file on disk: it exits at start.";
    SentinelFlagThenOptionsPre706 => "D009", "sentinel-flag-then-options-pre-7-0-6", Syntax, Warning, false, "Options after `--sentinel` are misread by Redis 7.0.0 to 7.0.5.";
    SentinelMonitorAppendedAtStart => "D012", "sentinel-monitor-appended-at-start", Syntax, Error, false, "`--sentinel monitor` on the command line of a sentinel that also runs a config file: the second start dies with \"Duplicate master name\".";
    UlimitBelowMaxclients => "D010", "ulimit-below-maxclients", Systemd, Warning, false, "`LimitNOFILE=` below `maxclients` + 32: Redis lowers maxclients at start.";
    SystemdUnitSyntax => "D011", "systemd-unit-syntax", Syntax, Warning, false, "A unit line systemd ignores (unknown key or section, no `=`), or a header that stops the unit from loading.";
    SuppressionWithoutReason => "L001", "suppression-without-reason", Suppression, Warning, false, "An inline suppression that does not say why (`-- reason`).";
    UnusedSuppression => "L002", "unused-suppression", Suppression, Warning, false, "An inline suppression that suppresses nothing.";
    UnknownRuleInSuppression => "L003", "unknown-rule-in-suppression", Suppression, Warning, false, "An inline suppression names a rule that does not exist.";
    MalformedSuppression => "L004", "malformed-suppression", Suppression, Warning, false, "A `redis-halint:` comment that is not a valid suppression, so it does nothing.";
    InvalidConfig => "G001", "invalid-config", Config, Error, false, "An unknown key or a bad value in redis-halint.toml.";
    SentinelUnreachable => "V001", "sentinel-unreachable", Live, Error, false, "A sentinel does not answer (refused, timed out, or authentication failed).";
    MasterNotMonitored => "V002", "master-not-monitored", Live, Error, false, "A reachable sentinel does not monitor the master name.";
    SentinelsDisagreeOnMaster => "V003", "sentinels-disagree-on-master", Live, Error, false, "The sentinels name different addresses as the master.";
    SentinelCkquorumFailed => "V004", "sentinel-ckquorum-failed", Live, Error, false, "`SENTINEL CKQUORUM` fails: this sentinel cannot reach the quorum or authorize a failover.";
    SentinelCountMismatch => "V005", "sentinel-count-mismatch", Live, Warning, false, "A sentinel knows a different number of sentinels than the deployment has.";
    GhostSentinel => "V006", "ghost-sentinel", Live, Warning, false, "A sentinel still counts a peer that is down: removed without `SENTINEL RESET`, or crashed.";
    ReplicaCountMismatch => "V007", "replica-count-mismatch", Live, Warning, false, "The sentinels know a different number of replicas than declared.";
    ReplicaUnhealthy => "V008", "replica-unhealthy", Live, Error, false, "A replica is down, disconnected, not syncing, or follows another master.";
    NoFailoverCandidate => "V009", "no-failover-candidate", Live, Error, false, "No replica can be promoted: every one is down or has priority 0.";
    ReplicaPriorityZero => "V010", "replica-priority-zero", Live, Info, false, "A running replica has priority 0: Sentinel never promotes it.";
    ReplicationLag => "V011", "replication-lag", Live, Warning, false, "A replica has not acknowledged the master's stream for longer than `--max-lag`.";
    MinReplicasToWriteOff => "V012", "min-replicas-to-write-off", Live, Warning, false, "The running master does not enforce `min-replicas-to-write`.";
    SentinelSettingsDisagree => "V013", "sentinel-settings-disagree", Live, Warning, false, "The sentinels run one master with different quorum or timings.";
    ConfigEpochDisagree => "V014", "config-epoch-disagree", Live, Warning, false, "The sentinels report different configuration epochs for one master.";
    MasterUnhealthy => "V015", "master-unhealthy", Live, Error, false, "The master is down, unreachable, not a master, or refusing writes.";
    ClusterStateNotOk => "V017", "cluster-state-not-ok", Live, Error, false, "A Redis Cluster reports `cluster_state:fail` or leaves hash slots unassigned: keys are refused.";
    ClusterShardWithoutLiveReplica => "V018", "cluster-shard-without-live-replica", Live, Warning, false, "A cluster master serving slots has no live replica: its next failure loses the shard.";
    ClusterNodeFailing => "V019", "cluster-node-failing", Live, Error, false, "A cluster node is flagged failed or suspected down, or does not answer.";
    DeclaredConfigDrift => "V016", "declared-config-drift", Live, Warning, false, "A running value differs from the declared configuration.";
}

impl Rule {
    pub fn info(self) -> &'static RuleInfo {
        &RULES[self as usize]
    }

    pub fn code(self) -> &'static str {
        self.info().code
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// Find a rule by name or code (case-insensitive). Retired names are not rules: see
    /// [`designate`] for what a user may write.
    pub fn find(key: &str) -> Option<Rule> {
        RULES
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case(key) || r.code.eq_ignore_ascii_case(key))
            .map(|r| r.rule)
    }
}

/// A retired rule: its name and code keep working wherever a user names rules
/// (`--select`, `--ignore`, config, suppressions, `redis-halint rule`) and stand for the
/// rules that took its place.
#[derive(Debug)]
pub struct Redirect {
    pub code: &'static str,
    pub name: &'static str,
    pub to: &'static [Rule],
    /// Why it was retired, for `redis-halint rule`.
    pub note: &'static str,
}

pub static REDIRECTS: &[Redirect] = &[
    Redirect {
        code: "O004",
        name: "opstree-sizes",
        to: &[
            Rule::SentinelCountBelowThree,
            Rule::SentinelCountEven,
            Rule::QuorumExceedsSentinelCount,
            Rule::NoReplicaToPromote,
        ],
        note: "OpsTree resources are deployments of the model: their sentinel count, quorum and replicas are judged by the generic rules, at the same fields.",
    },
    Redirect {
        code: "O010",
        name: "bitnami-sentinel-too-few-replicas",
        to: &[Rule::SentinelCountBelowThree, Rule::SentinelCountEven],
        note: "bitnami/redis values in Sentinel mode are deployments of the model: the sentinel count (`replica.replicaCount`) is judged by the generic count rules.",
    },
    Redirect {
        code: "O011",
        name: "bitnami-quorum-vs-replicacount",
        to: &[Rule::QuorumExceedsSentinelCount, Rule::QuorumEqualsSentinelCount],
        note: "bitnami/redis values in Sentinel mode are deployments of the model: `sentinel.quorum` is judged by the generic quorum rules.",
    },
    Redirect {
        code: "O003",
        name: "opstree-sentinel-missing-replication-password",
        to: &[Rule::SentinelAuthPassMissing],
        note: "An OpsTree RedisSentinel is a group of the model: a missing `redisReplicationPassword` is the generic missing auth-pass, at `spec.redisSentinelConfig`.",
    },
];

/// What a rule name or code written by a user stands for.
#[derive(Debug, Clone, Copy)]
pub struct Designated {
    /// The name as the tool spells it (the retired name for a redirect).
    pub name: &'static str,
    pub rules: &'static [Rule],
    pub redirect: Option<&'static Redirect>,
}

/// A rule's name or code, or a retired one (case-insensitive).
pub fn designate(key: &str) -> Option<Designated> {
    if let Some(info) = RULES
        .iter()
        .find(|r| r.name.eq_ignore_ascii_case(key) || r.code.eq_ignore_ascii_case(key))
    {
        return Some(Designated {
            name: info.name,
            rules: std::slice::from_ref(&info.rule),
            redirect: None,
        });
    }
    REDIRECTS
        .iter()
        .find(|r| r.name.eq_ignore_ascii_case(key) || r.code.eq_ignore_ascii_case(key))
        .map(|r| Designated {
            name: r.name,
            rules: r.to,
            redirect: Some(r),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_indexed_by_variant() {
        for (i, info) in RULES.iter().enumerate() {
            assert_eq!(info.rule as usize, i);
        }
    }

    #[test]
    fn codes_and_names_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for info in RULES {
            assert!(seen.insert(info.code), "{}", info.code);
            assert!(seen.insert(info.name), "{}", info.name);
        }
        // A retired name or code is never reused.
        for r in REDIRECTS {
            assert!(seen.insert(r.code), "{}", r.code);
            assert!(seen.insert(r.name), "{}", r.name);
        }
    }

    #[test]
    fn redirects_stand_for_their_successors() {
        let d = designate("BITNAMI-QUORUM-VS-REPLICACOUNT").unwrap();
        assert_eq!(
            d.rules,
            &[
                Rule::QuorumExceedsSentinelCount,
                Rule::QuorumEqualsSentinelCount
            ]
        );
        assert!(d.redirect.is_some());
        let d = designate("q001").unwrap();
        assert_eq!(d.rules, &[Rule::SentinelCountBelowThree]);
        assert!(d.redirect.is_none());
        assert!(designate("no-such-rule").is_none());
    }
}
