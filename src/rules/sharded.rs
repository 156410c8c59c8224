//! Redis Cluster deployments: enough masters to vote a promotion, a replica per shard,
//! the cluster's own state file, settings that decide whether a replica may take over,
//! and what clients are redirected to.

use crate::diagnostic::Diagnostic;
use crate::facts::sharding::ClusterCreate;
use crate::facts::{ClusterConf, Node};
use crate::knowledge::version::Version;
use crate::model::sharded::ShardedCluster;
use crate::rules::{Context, Rule};
use crate::source::Span;
use std::collections::HashMap;

/// Masters needed so that losing one still leaves a majority of them to vote.
const MIN_MASTERS: i64 = 3;

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    for cluster in &topo.sharded {
        let create = cluster.create(&topo.cluster_creates);
        masters_and_replicas(ctx, cluster, create, out);
        full_coverage(ctx, cluster, out);
        shared_config_file(ctx, cluster, out);
        no_failover_everywhere(ctx, cluster, out);
        auth(ctx, cluster, out);
        if let Some(create) = create {
            create_names_plain_nodes(ctx, create, out);
        }
    }
    let mut ephemeral_seen = std::collections::HashSet::new();
    for node in topo.nodes.iter().filter(|n| n.cluster.is_enabled()) {
        replicaof_in_cluster_mode(node, out);
        endpoints(ctx, node, out);
        node_timeout(node, out);
        validity(node, out);
        bus_port_overflow(node, out);
        // Copies of one resource share the span: said once.
        if node
            .runtime
            .data_ephemeral
            .is_some_and(|s| ephemeral_seen.insert(s))
        {
            ephemeral_state(node, out);
        }
    }
    sentinel_on_cluster_node(ctx, out);
    compose_addresses(ctx, out);
    external_services(ctx, out);
}

/// A Kubernetes Service that opens cluster pods to clients outside the cluster (a
/// NodePort or a LoadBalancer) while the nodes announce nothing: a cluster client is
/// redirected (MOVED, CLUSTER SLOTS) to the pods' own addresses, which it cannot reach.
fn external_services(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    let mut reported = std::collections::HashSet::new();
    for cf in &ctx.units.containers {
        let c = &cf.container;
        if c.pod.host_network {
            continue;
        }
        let silent_node = cf.processes.iter().any(|p| match p {
            crate::facts::service::ConfigRef::Node(n) => {
                let conf = &topo.nodes[*n].cluster;
                conf.is_enabled()
                    && conf.announce_ip.is_none()
                    && conf.announce_hostname.is_none()
                    && topo.nodes[*n].complete
            }
            crate::facts::service::ConfigRef::Sentinel(_) => false,
        });
        if !silent_node {
            continue;
        }
        for svc in &topo.cluster.services {
            let Some((kind, at)) = &svc.external else {
                continue;
            };
            if !svc.selects(c.namespace.as_deref(), &c.pod.labels) || !reported.insert(*at) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    Rule::ClusterNatWithoutAnnounce,
                    *at,
                    format!("Service `{}` ({kind}) opens the cluster nodes of `{}` to clients outside Kubernetes, but the nodes announce no address of their own: a cluster client is sent (MOVED, CLUSTER SLOTS) to the pods' addresses, which it cannot reach from outside, so only the keys of the node it first lands on work", svc.name, c.workload),
                )
                .label(Span::new(cf.file, c.name_span.start, c.name_span.end), "the cluster nodes")
                .help("give each node an address outside clients reach (`cluster-announce-ip` / `cluster-announce-hostname` with `cluster-preferred-endpoint-type hostname`, a LoadBalancer per pod), or keep cluster clients inside Kubernetes"),
            );
        }
    }
}

/// Compose cluster nodes: what their peers and clients are told to dial, and whether the
/// host publishes it (cluster-nat-without-announce, cluster-bus-port-not-reachable).
fn compose_addresses(ctx: &Context, out: &mut Vec<Diagnostic>) {
    use super::announce::host_ports;
    let topo = ctx.topology;
    // Projects whose applications reach the cluster by a service's name: the clients
    // the project deploys are on its network, where the containers' own addresses work.
    let mut clients_inside: std::collections::HashSet<crate::source::FileId> = Default::default();
    for app in ctx.units.compose.iter().filter(|u| !u.runs_redis) {
        let names_a_node = ctx.units.compose.iter().any(|u| {
            u.file == app.file
                && u.nodes.iter().any(|&n| topo.nodes[n].cluster.is_enabled())
                && u.service.hostnames.iter().any(|name| {
                    app.service
                        .env
                        .iter()
                        .any(|e| e.value.as_deref().is_some_and(|v| mentions_host(v, name)))
                })
        });
        if names_a_node {
            clients_inside.insert(app.file);
        }
    }
    for unit in &ctx.units.compose {
        let Some(&first) = unit.nodes.first() else {
            continue;
        };
        let node = &topo.nodes[first];
        let service = &unit.service;
        if !node.cluster.is_enabled() || service.host_network || !node.complete {
            continue;
        }
        let at = |r: &std::ops::Range<usize>| Span::new(unit.file, r.start, r.end);
        let c = &node.cluster;
        let listen = node.effective_port();
        let bus = c.port.as_ref().map_or(listen + 10_000, |p| p.value);
        let publishes = |target: i64, host: i64| {
            service.ports.iter().any(|p| {
                p.target == target
                    && host_ports(p).is_some_and(|(lo, hi)| (lo..=hi).contains(&host))
            })
        };
        if let Some(ip) = &c.announce_ip {
            // Peers dial the announced address at the announced bus port: through the
            // host, that port must lead to the container's bus port.
            let announced_bus = c.announce_bus_port.as_ref().filter(|p| p.value != 0);
            let dialed = announced_bus.map_or(bus, |p| p.value);
            // Its own address on the compose network needs no host port.
            let routed_ip = !service.static_ips.contains(&ip.value);
            let client_published = service.ports.iter().any(|p| p.target == listen);
            if client_published && routed_ip && !publishes(bus, dialed) {
                let span = announced_bus.map_or(ip.span, |p| p.span);
                out.push(
                    Diagnostic::new(
                        Rule::ClusterBusPortNotReachable,
                        span,
                        format!("service `{}` announces `{}` to its peers, and publishes its client port {listen} there, but not its cluster bus port {bus} as {dialed}: the other nodes cannot open the bus to it, never see it alive, and the cluster does not form (or marks it failed)", service.name, ip.value),
                    )
                    .help(format!("publish the bus port too: `\"{dialed}:{bus}\"` (and announce it with `--cluster-announce-bus-port {dialed}`)")),
                );
            }
            continue;
        }
        if c.announce_hostname.is_some() {
            continue;
        }
        // Published under another number: the port a node reports is not the one that
        // leads to it through the host.
        let remapped = service
            .ports
            .iter()
            .find(|p| p.target == listen && host_ports(p).is_some_and(|(lo, _)| lo != listen));
        if let Some(p) = remapped.filter(|_| !clients_inside.contains(&unit.file)) {
            out.push(
                Diagnostic::new(
                    Rule::ClusterNatWithoutAnnounce,
                    at(&p.span),
                    format!("service `{}` is published on the host as port {}, but announces neither address nor port: the cluster tells clients (MOVED, CLUSTER SLOTS) to go to its container address and port {listen}, which clients outside the compose network cannot reach", service.name, p.published.as_deref().unwrap_or_default()),
                )
                .help(format!("add `--cluster-announce-ip <host address> --cluster-announce-port {0} --cluster-announce-bus-port <published bus port>`, or publish the port 1:1 (`\"{listen}:{listen}\"`) with `--cluster-announce-ip`", p.published.as_deref().unwrap_or_default())),
            );
        }
    }
    // A cluster created through the loopback address from outside the containers: every
    // node is told to meet its peers at 127.0.0.1, which is itself.
    for cluster in &topo.sharded {
        let Some(create) = cluster.create(&topo.cluster_creates) else {
            continue;
        };
        let loopback = create.nodes.iter().find(|w| {
            let host = w
                .value
                .rsplit_once(':')
                .map_or(w.value.as_str(), |(h, _)| h);
            crate::knowledge::values::is_loopback(host)
        });
        let Some(word) = loopback else { continue };
        let in_containers = ctx.units.compose.iter().any(|u| {
            !u.service.host_network
                && u.nodes.iter().any(|&n| {
                    cluster.nodes.contains(&n) && topo.nodes[n].cluster.announce_ip.is_none()
                })
        });
        if in_containers {
            out.push(
                Diagnostic::new(
                    Rule::ClusterNatWithoutAnnounce,
                    word.span,
                    format!("the cluster is created through `{}`, a loopback address: redis-cli tells each node to meet the others there, but inside a container 127.0.0.1 is the container itself, so the nodes never find each other and the cluster does not form", word.value),
                )
                .help("create the cluster from a container on the compose network with the services' names (`redis-1:7001 …`), or run the nodes with `network_mode: host`"),
            );
        }
    }
}

/// `value` names `host` as a host: the whole value, or a word of a URL or list
/// (`redis://cache:6379`, `cache-1:6379,cache-2:6379`).
fn mentions_host(value: &str, host: &str) -> bool {
    value
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .any(|w| w.eq_ignore_ascii_case(host))
}

/// Masters and replicas per master, from the best source the deployment has.
fn masters_and_replicas(
    ctx: &Context,
    cluster: &ShardedCluster,
    create: Option<&ClusterCreate>,
    out: &mut Vec<Diagnostic>,
) {
    if let Some(layout) = &cluster.layout {
        let m = layout.masters.value;
        if m < MIN_MASTERS {
            out.push(too_few(m, layout.masters.span, None));
        }
        let r = layout.replicas_per_master.value;
        if r < 1 {
            out.push(no_replica(
                layout.replicas_per_master.span,
                "the resource gives the masters no replicas",
            ));
        }
        if let Some((span, fix)) = layout.ephemeral_state {
            out.push(ephemeral_state_at(span).help(fix));
        }
        if let (Some(span), true) = (layout.unspread, r >= 1) {
            out.push(
                Diagnostic::new(
                    Rule::ClusterReplicaSameFailureDomain,
                    span,
                    "nothing in this resource keeps a master and its replica on different Kubernetes nodes: the scheduler may place both on one node, and losing that node loses the shard (its slots go down with no copy to promote)",
                )
                .help("give the pods a podAntiAffinity on `kubernetes.io/hostname` (or a topology spread) through the resource's affinity fields"),
            );
        }
        return;
    }
    if let Some(create) = create {
        if let Some(m) = create.masters() {
            if m < MIN_MASTERS {
                out.push(
                    too_few(m, create.command, Some(create.nodes.len()))
                        .more_help("redis-cli refuses to create a cluster of fewer than 3 masters"),
                );
            }
        }
        if create.replicas_per_master() < 1 && !create.replicas_unknown {
            let (span, why) = match &create.replicas {
                Some(r) => (r.span, format!("`--cluster-replicas {}` makes every node a master with no replica", r.value)),
                None => (create.command, "`--cluster create` without `--cluster-replicas` makes every node a master with no replica".to_string()),
            };
            out.push(no_replica(span, &why));
        }
        return;
    }
    // No create command or layout in the tree: a unit that declares every node still
    // bounds the shape.
    if !cluster.count_known {
        return;
    }
    let n = cluster.nodes.len() as i64;
    let label = |d: Diagnostic| {
        cluster.nodes.iter().skip(1).take(5).fold(d, |d, &i| {
            d.label(ctx.topology.nodes[i].anchor, "cluster node")
        })
    };
    if n < MIN_MASTERS {
        out.push(label(
            Diagnostic::new(
                Rule::ClusterTooFewMasters,
                cluster.anchor,
                format!("the deployment runs {n} cluster node{}, so the cluster has at most {n} master{}: a replica is promoted only with the votes of a majority of the masters, and with fewer than 3 the loss of one master leaves no majority (redis-cli does not even create such a cluster)", if n == 1 { "" } else { "s" }, if n == 1 { "" } else { "s" }),
            )
            .help("run at least 6 nodes: 3 masters, each with a replica"),
        ));
    } else if n < 2 * MIN_MASTERS {
        out.push(label(no_replica(
            cluster.anchor,
            &format!("the deployment runs {n} cluster nodes: 3 masters leave at most {} of them a replica", n - MIN_MASTERS),
        )));
    }
}

fn too_few(masters: i64, span: Span, nodes: Option<usize>) -> Diagnostic {
    let of = nodes.map_or(String::new(), |n| format!(" (of {n} nodes)"));
    Diagnostic::new(
        Rule::ClusterTooFewMasters,
        span,
        format!("this cluster has {masters} master{}{of}: a replica is promoted only with the votes of a majority of the masters, so when one master fails the others cannot elect its replica and its slots stay down", if masters == 1 { "" } else { "s" }),
    )
    .help("run at least 3 masters (6 nodes with `--cluster-replicas 1`)")
}

fn no_replica(span: Span, why: &str) -> Diagnostic {
    Diagnostic::new(
        Rule::ClusterShardWithoutReplica,
        span,
        format!("{why}: when such a master fails, its hash slots have no copy to promote, and with `cluster-require-full-coverage yes` (the default) the whole cluster stops serving"),
    )
    .help("give every master a replica: `--cluster-replicas 1` with twice as many nodes as masters")
}

/// One lost shard stops every write unless full coverage is off: said once per
/// deployment, where the setting is written or at the deployment.
fn full_coverage(ctx: &Context, cluster: &ShardedCluster, out: &mut Vec<Diagnostic>) {
    let nodes = &ctx.topology.nodes;
    let written = cluster
        .nodes
        .iter()
        .find_map(|&i| nodes[i].cluster.full_coverage.as_ref());
    let lone = cluster.nodes.len() < 2 && cluster.create.is_none() && cluster.layout.is_none();
    if written.is_some_and(|w| !w.value) || cluster.nodes.is_empty() || lone {
        return;
    }
    let span = written.map_or(cluster.anchor, |w| w.span);
    out.push(
        Diagnostic::new(
            Rule::ClusterRequireFullCoverageTradeoff,
            span,
            "with `cluster-require-full-coverage yes` (the default), a shard that loses its master and every replica takes the whole cluster down: every node refuses reads and writes (CLUSTERDOWN) until its slots are served again",
        )
        .help("keep it when consistency matters more; set `cluster-require-full-coverage no` (and `cluster-allow-reads-when-down yes` for reads) when the other shards should keep serving"),
    );
}

/// Loose configs of one directory that keep their cluster state in the same file.
fn shared_config_file(ctx: &Context, cluster: &ShardedCluster, out: &mut Vec<Diagnostic>) {
    let nodes = &ctx.topology.nodes;
    let mut seen: HashMap<(std::path::PathBuf, String), usize> = HashMap::new();
    let mut written: Option<std::collections::HashSet<crate::source::FileId>> = None;
    for &i in &cluster.nodes {
        let node = &nodes[i];
        // Only configs run as they lie in the tree (a container has a file system of its
        // own), and only when no unread include may set `dir` or the file.
        if node.runtime.declared.is_some() || node.runtime.managed_by.is_some() || !node.complete {
            continue;
        }
        // A config a script writes (a here-document) lands where the script puts it, and
        // runs wherever that file is mounted: not in the script's own folder.
        let written = written.get_or_insert_with(|| {
            ctx.all_confs
                .iter()
                .filter(|c| c.embedded || c.written_to.is_some())
                .map(|c| c.file)
                .collect()
        });
        if written.contains(&node.file) {
            continue;
        }
        let Some(path) = state_file(ctx, node) else {
            continue;
        };
        if let Some(&first) = seen.get(&path) {
            let other = &nodes[first];
            let span = node
                .cluster
                .config_file
                .as_ref()
                .map_or(node.anchor, |c| c.span);
            out.push(
                Diagnostic::new(
                    Rule::ClusterConfigFileNotPersistent,
                    span,
                    format!("`{}` and `{}` keep their cluster state in the same file `{}`: the second node to start finds it locked by the first and exits (\"Sorry, the cluster configuration file … is already used by a different Redis Cluster node\")", node.name, other.name, path.1),
                )
                .severity(crate::registry::Severity::Error)
                .fatal()
                .label(other.cluster.config_file.as_ref().map_or(other.anchor, |c| c.span), "same file")
                .help("give each node its own `cluster-config-file` (nodes-7000.conf, nodes-7001.conf, …) or its own `dir`"),
            );
        } else {
            seen.insert(path, i);
        }
    }
}

/// (directory, file) a loose config keeps its cluster state in, when both are known:
/// a relative `dir` is the working directory, taken to be the config's own directory.
fn state_file(ctx: &Context, node: &Node) -> Option<(std::path::PathBuf, String)> {
    let file = node
        .cluster
        .config_file
        .as_ref()
        .map_or("nodes.conf".to_string(), |c| c.value.clone());
    if file.contains('$') || file.contains("{{") {
        return None;
    }
    let conf_dir = ctx.path(node.file).parent()?.to_path_buf();
    let dir = ctx
        .confs
        .get(&node.file)
        .and_then(|c| c.last_value("dir"))
        .map(|(_, t)| t.value.to_string());
    if dir.as_deref().is_some_and(|d| d.contains('$')) {
        return None;
    }
    let full = match dir {
        // An absolute `dir` (`/data`) is as often each container's own volume as a
        // directory of one host: the configs alone do not say the nodes share it.
        Some(d) if d.starts_with('/') => return None,
        Some(d) => conf_dir.join(d),
        None => conf_dir,
    };
    Some((full, file))
}

/// Every node of a cluster is a master or a replica, and either may become the other:
/// each needs `masterauth` when the nodes require a password, and all need the same one.
fn auth(ctx: &Context, cluster: &ShardedCluster, out: &mut Vec<Diagnostic>) {
    let nodes = &ctx.topology.nodes;
    let mut first: Option<&Node> = None;
    for &i in &cluster.nodes {
        let node = &nodes[i];
        if node.runtime.managed_by.is_some() {
            continue;
        }
        let Some(password) = node.password.as_ref().filter(|p| p.value.is_set()) else {
            continue;
        };
        if node.complete && node.masterauth.is_none() {
            out.push(
                Diagnostic::new(
                    Rule::MasterauthMissing,
                    password.span,
                    format!("cluster node {} requires a password but has no `masterauth`: as a replica (from the start, or after its master fails over) it cannot authenticate to its master and never syncs", node.name),
                )
                .help("add `masterauth` with the same password (the nodes of a cluster share one)"),
            );
        }
        match first {
            None => first = Some(node),
            Some(f) => {
                let fp = f.password.as_ref().expect("has a password");
                if password.value.differs_from(&fp.value) {
                    out.push(
                        Diagnostic::new(
                            Rule::GroupPasswordNotUniform,
                            password.span,
                            format!("cluster node `{}` has another password than `{}`: a replica authenticates to its master with its own `masterauth`, so the shards whose nodes differ never sync, and clients following MOVED redirects are refused", node.name, f.name),
                        )
                        .label(fp.span, "the other password")
                        .help("give every node of the cluster the same `requirepass` and `masterauth`"),
                    );
                }
            }
        }
    }
}

/// A create command that names a node of the tree that is not a cluster node.
fn create_names_plain_nodes(ctx: &Context, create: &ClusterCreate, out: &mut Vec<Diagnostic>) {
    for word in &create.nodes {
        let host = word
            .value
            .rsplit_once(':')
            .map_or(word.value.as_str(), |(h, _)| h);
        let plain = ctx.topology.nodes.iter().find(|n| {
            !n.cluster.is_enabled()
                && n.complete
                && n.runtime.unit() == Some(create.file)
                && n.name_hints.iter().any(|h| h.eq_ignore_ascii_case(host))
        });
        if let Some(node) = plain {
            out.push(
                Diagnostic::new(
                    Rule::ClusterModeMismatch,
                    word.span,
                    format!("`--cluster create` names `{}`, which does not run with `cluster-enabled yes`: redis-cli stops with \"Node {} is not configured as a cluster node\" and no cluster is created", node.name, word.value),
                )
                .label(node.anchor, "not a cluster node")
                .help("start every node of the cluster with `cluster-enabled yes`"),
            );
        }
    }
}

fn replicaof_in_cluster_mode(node: &Node, out: &mut Vec<Diagnostic>) {
    let (Some(replicaof), Some(enabled)) = (&node.replicaof, &node.cluster.enabled) else {
        return;
    };
    if node.runtime.managed_by.is_some() {
        return;
    }
    out.push(
        Diagnostic::new(
            Rule::ClusterModeMismatch,
            replicaof.line,
            format!("`{}` has both `cluster-enabled yes` and `replicaof`: Redis refuses to start (\"replicaof directive not allowed in cluster mode\"); in a cluster, replicas are assigned with `CLUSTER REPLICATE` or `--cluster-replicas`", node.name),
        )
        .label(enabled.span, "cluster mode")
        .fatal()
        .help("remove `replicaof` from the cluster nodes' configs"),
    );
}

/// `cluster-announce-hostname` and `cluster-preferred-endpoint-type` (7.0).
fn endpoints(ctx: &Context, node: &Node, out: &mut Vec<Diagnostic>) {
    let release = ctx.release_of(&node.runtime);
    if !release.has_redis_feature(Version::new(7, 0, 0)) {
        return;
    }
    let c: &ClusterConf = &node.cluster;
    let preferred = c.preferred_endpoint.as_ref();
    let hostname = c.announce_hostname.as_ref().filter(|h| !h.value.is_empty());
    match (hostname, preferred) {
        // An unwritten preference is the default `ip` only when nothing is left unread.
        (Some(h), p) if p.map_or(node.complete, |p| p.value == "ip") => out.push(
            Diagnostic::new(
                Rule::ClusterHostnamesWithoutPreferredEndpoint,
                h.span,
                format!("`{}` announces the host name `{}`, but clients are still redirected (MOVED, CLUSTER SLOTS) to its IP address, because `cluster-preferred-endpoint-type` is `ip`: where addresses change or are not routable from the clients, redirects fail", node.name, h.value),
            )
            .help("add `cluster-preferred-endpoint-type hostname` on every node"),
        ),
        (None, Some(p)) if p.value == "hostname" && node.complete => out.push(
            Diagnostic::new(
                Rule::ClusterHostnamesWithoutPreferredEndpoint,
                p.span,
                format!("{} prefers host names as endpoints but announces none (`cluster-announce-hostname`): clients are redirected to `?` for its slots and cannot reach it", node.name),
            )
            .help("set `cluster-announce-hostname` on every node (e.g. the pod's DNS name)"),
        ),
        _ => {}
    }
}

fn node_timeout(node: &Node, out: &mut Vec<Diagnostic>) {
    let Some(t) = &node.cluster.node_timeout else {
        return;
    };
    let why = if t.value < 1000 {
        format!("{} ms is shorter than a fork, a slow disk write or a GC pause of the host: masters are marked failed and replaced while they are only busy, and each false failover costs a full resync", t.value)
    } else if t.value > 120_000 {
        format!("{} ms ({} min) leaves the slots of a failed master unserved that long before its replica is promoted; a partitioned master also keeps accepting writes that long before it stops, writes that are lost after the failover", t.value, t.value / 60_000)
    } else {
        return;
    };
    out.push(
        Diagnostic::new(
            Rule::ClusterNodeTimeoutOutOfRange,
            t.span,
            format!("`cluster-node-timeout` {why}"),
        )
        .help(
            "keep it between 1000 and 120000 ms; 5000–15000 (default 15000) suits most deployments",
        ),
    );
}

/// A factor of 1 lets a replica run for election only within about one node timeout
/// of losing its master: the retry after a failed first election (2 × node timeout
/// later) is refused.
fn validity(node: &Node, out: &mut Vec<Diagnostic>) {
    let Some(f) = &node.cluster.validity_factor else {
        return;
    };
    if f.value != 1 {
        return;
    }
    let t = node.cluster.node_timeout();
    let ping = node.repl_ping_period.as_ref().map_or(10, |p| p.value);
    out.push(
        Diagnostic::new(
            Rule::ClusterReplicaValidityBlocksFailover,
            f.span,
            format!("with `cluster-replica-validity-factor 1`, a replica of `{}` runs for election only while it has lost its master for less than {} ms beyond the node timeout (node timeout × 1 + `repl-ping-replica-period`): when the first election fails (a vote lost, a competing replica), the next attempt comes {} ms later and is refused, and the shard stays down", node.name, t + ping * 1000, 2 * t),
        )
        .help("keep the default 10, or 0 to let a replica always take over (availability over freshness)"),
    );
}

/// Every replica of the deployment is told never to take over.
fn no_failover_everywhere(ctx: &Context, cluster: &ShardedCluster, out: &mut Vec<Diagnostic>) {
    let nodes = &ctx.topology.nodes;
    if cluster.nodes.len() < 2 {
        return;
    }
    let settings: Vec<_> = cluster
        .nodes
        .iter()
        .map(|&i| nodes[i].cluster.no_failover.as_ref().filter(|n| n.value))
        .collect();
    if !settings.iter().all(Option::is_some) {
        return;
    }
    let first = settings[0].expect("all set");
    let mut d = Diagnostic::new(
        Rule::ClusterReplicaValidityBlocksFailover,
        first.span,
        "every node of this cluster has `cluster-replica-no-failover yes`: no replica ever takes over by itself, and a failed master's slots stay down until someone runs CLUSTER FAILOVER by hand",
    )
    .help("set `cluster-replica-no-failover no` (the default) on at least one replica of every shard");
    for other in settings.iter().skip(1).take(3).flatten() {
        d = d.label(other.span, "also here");
    }
    out.push(d);
}

/// The cluster's state (`nodes.conf`) on storage that does not outlive the pod.
fn ephemeral_state(node: &Node, out: &mut Vec<Diagnostic>) {
    let Some(span) = node.runtime.data_ephemeral else {
        return;
    };
    out.push(ephemeral_state_at(span).help(
        "keep the data directory (or at least `cluster-config-file`) on a persistent volume",
    ));
}

fn ephemeral_state_at(span: Span) -> Diagnostic {
    Diagnostic::new(
            Rule::ClusterConfigFileNotPersistent,
            span,
            "the cluster nodes keep their cluster state (`nodes.conf`: node ID, peers, slots) on storage that vanishes with the pod: a re-created pod starts as a new, empty node that the cluster does not know, and its shard loses a member",
        )
}

/// The bus port is the client port + 10000 unless `cluster-port` says otherwise: a
/// client port above 55535 leaves none, and the node exits at start.
fn bus_port_overflow(node: &Node, out: &mut Vec<Diagnostic>) {
    let Some(port) = &node.port else { return };
    if port.value <= 55_535 || node.cluster.port.as_ref().is_some_and(|p| p.value != 0) {
        return;
    }
    out.push(
        Diagnostic::new(
            Rule::ClusterBusPortNotReachable,
            port.span,
            format!("`{}` listens on port {} in cluster mode without `cluster-port`: its bus port would be {} (the port + 10000), above 65535, and Redis exits at start (\"Redis port number too high\")", node.name, port.value, port.value + 10_000),
        )
        .fatal()
        .help("use a client port of 55535 or less, or set `cluster-port` to a free port"),
    );
}

/// Sentinel cannot reconfigure cluster nodes: `REPLICAOF` is refused in cluster mode.
fn sentinel_on_cluster_node(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    for group in &topo.groups {
        let Some(master) = group.master else {
            continue;
        };
        let node = &topo.nodes[master];
        let Some(enabled) = node.cluster.enabled.as_ref().filter(|e| e.value) else {
            continue;
        };
        let Some(&first) = group.monitors.first() else {
            continue;
        };
        let (_, monitor) = topo.monitor(first);
        out.push(
            Diagnostic::new(
                Rule::SentinelOnClusterNode,
                monitor.line,
                format!("the sentinels monitor {}, a Redis Cluster node: a failover sends it and its replicas REPLICAOF, which cluster nodes refuse (\"REPLICAOF not allowed in cluster mode\"), so no failover completes; the cluster fails over by itself", node.name),
            )
            .label(enabled.span, "cluster mode")
            .help("remove the sentinels for this node, or run it without `cluster-enabled` in a Sentinel deployment"),
        );
    }
}
