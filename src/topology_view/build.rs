//! From the linker's topology and the findings to the view.

use super::model::*;
use crate::facts::{Node, Password, SentinelProc};
use crate::model::topology::{SentinelCount, Topology};
use crate::source::{Origin, Span, Spanned};
use crate::{Diagnostic, Workspace};

/// The view of the workspace's topology, with `diagnostics` attached to what they touch.
pub fn build(
    workspace: &Workspace,
    topology: &Topology,
    diagnostics: &[Diagnostic],
) -> TopologyView {
    let at = |span: Span| -> String {
        match workspace.source(span.file) {
            Some(s) => format!("{}:{}", s.path.display(), s.line_col(span.start).line),
            None => "?".to_string(),
        }
    };
    let mut groups: Vec<GroupView> = topology
        .groups
        .iter()
        .map(|g| {
            let mut nodes: Vec<NodeView> = g
                .nodes()
                .map(|i| {
                    node_view(
                        &topology.nodes[i],
                        g.master == Some(i),
                        (g.master == Some(i)).then_some(g.host.as_str()),
                        g.port,
                        topology,
                        diagnostics,
                        &at,
                    )
                })
                .collect();
            nodes[usize::from(g.master.is_some())..].sort_by(|a, b| a.name.cmp(&b.name));
            let mut sentinels: Vec<SentinelView> = g
                .monitors
                .iter()
                .map(|r| {
                    let (s, _) = topology.monitor(*r);
                    sentinel_view(s, r.monitor, topology, diagnostics, &at)
                })
                .collect();
            sentinels.sort_by(|a, b| a.name.cmp(&b.name).then(a.config.at.cmp(&b.config.at)));
            let quorum = match sentinels.first() {
                Some(first)
                    if sentinels
                        .iter()
                        .all(|s| s.quorum.value == first.quorum.value) =>
                {
                    Some(first.quorum.value)
                }
                _ => None,
            };
            let sentinel_count = match &g.sentinel_count {
                SentinelCount::Known(n) => Count {
                    known: Some(*n),
                    reason: None,
                },
                SentinelCount::Unknown(r) => Count {
                    known: None,
                    reason: Some(r.to_string()),
                },
            };
            let majority = sentinel_count.known.map(|n| n / 2 + 1);
            let replica_count = Count {
                known: g.replica_count,
                reason: g
                    .replica_count
                    .is_none()
                    .then(|| "no replica config or known-replica line".to_string()),
            };
            let mut findings: Vec<FindingView> = nodes
                .iter()
                .flat_map(|n| n.findings.iter())
                .chain(sentinels.iter().flat_map(|s| s.findings.iter()))
                .cloned()
                .collect();
            findings.sort();
            findings.dedup();
            GroupView {
                id: String::new(),
                name: g.name.clone(),
                address: format!("{}:{}", g.host, g.port),
                quorum,
                sentinel_count,
                majority,
                replica_count,
                nodes,
                sentinels,
                findings,
            }
        })
        .collect();
    groups.sort_by(|a, b| {
        (a.name.is_none(), &a.name, &a.address).cmp(&(b.name.is_none(), &b.name, &b.address))
    });
    for (gi, g) in groups.iter_mut().enumerate() {
        g.id = format!("g{gi}");
        for (i, n) in g.nodes.iter_mut().enumerate() {
            n.id = format!("g{gi}n{i}");
        }
        for (i, s) in g.sentinels.iter_mut().enumerate() {
            s.id = format!("g{gi}s{i}");
        }
    }
    let consensus = topology
        .consensus
        .iter()
        .enumerate()
        .map(|(i, c)| {
            // A value the resource does not write is the operator's default.
            let written =
                |span: Span, origin: Origin| (origin != Origin::Implied).then(|| at(span));
            ConsensusView {
                id: format!("c{i}"),
                kind: c.kind.label(),
                name: c.name.clone(),
                declared_at: at(c.anchor),
                nodes: Fact {
                    value: c.nodes.value,
                    at: written(c.nodes.span, c.nodes.origin),
                },
                majority: c.nodes.value / 2 + 1,
                persistent: Fact {
                    value: c.persistent.value,
                    at: written(c.persistent.span, c.persistent.origin),
                },
                storage_class: c.storage_class.as_ref().map(|s| Fact {
                    value: s.value.clone(),
                    at: Some(at(s.span)),
                }),
                findings: {
                    let mut spans = vec![c.anchor, c.nodes.span, c.persistent.span];
                    spans.extend(c.storage_class.as_ref().map(|s| s.span));
                    findings_on(&spans, None, diagnostics, &at)
                },
            }
        })
        .collect();
    let clusters = topology
        .sharded
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let written =
                |span: Span, origin: Origin| (origin != Origin::Implied).then(|| at(span));
            let create = c.create(&topology.cluster_creates);
            let (masters, replicas) = match (&c.layout, create) {
                (Some(l), _) => (
                    Some(Fact {
                        value: l.masters.value,
                        at: written(l.masters.span, l.masters.origin),
                    }),
                    Some(Fact {
                        value: l.replicas_per_master.value,
                        at: written(l.replicas_per_master.span, l.replicas_per_master.origin),
                    }),
                ),
                (None, Some(cr)) => (
                    cr.masters().map(|m| Fact {
                        value: m,
                        at: Some(at(cr.command)),
                    }),
                    Some(Fact {
                        value: cr.replicas_per_master(),
                        at: Some(at(cr.replicas.as_ref().map_or(cr.command, |r| r.span))),
                    }),
                ),
                _ => (None, None),
            };
            let first = c.nodes.first().map(|&n| &topology.nodes[n]);
            let full = first.and_then(|n| n.cluster.full_coverage.as_ref());
            let timeout = first.and_then(|n| n.cluster.node_timeout.as_ref());
            let mut spans = vec![c.anchor];
            spans.extend(create.map(|cr| cr.command));
            spans.extend(c.nodes.iter().map(|&n| topology.nodes[n].anchor));
            ShardedView {
                id: format!("r{i}"),
                declared_at: at(c.anchor),
                nodes: c
                    .nodes
                    .iter()
                    .map(|&n| ShardNodeView {
                        name: topology.nodes[n].name.clone(),
                        at: at(topology.nodes[n].anchor),
                    })
                    .collect(),
                majority: masters.as_ref().map(|m| m.value / 2 + 1),
                masters,
                replicas_per_master: replicas,
                full_coverage: Fact {
                    value: full.is_none_or(|f| f.value),
                    at: full.and_then(|f| written(f.span, f.origin)),
                },
                node_timeout_ms: Fact {
                    value: timeout
                        .map_or(crate::facts::ClusterConf::DEFAULT_NODE_TIMEOUT, |t| t.value),
                    at: timeout.map(|t| at(t.span)),
                },
                findings: findings_on(&spans, None, diagnostics, &at),
            }
        })
        .collect();
    TopologyView {
        version: 1,
        groups,
        consensus,
        clusters,
    }
}

fn auth(p: &Option<Spanned<Password>>, at: &impl Fn(Span) -> String) -> Auth {
    match p {
        Some(p) => Fact {
            value: match &p.value {
                Password::Literal(_) if !p.value.is_set() => "none",
                Password::Literal(_) => "literal",
                Password::Unknown => "unknown",
            },
            at: Some(at(p.span)),
        },
        None => Fact {
            value: "none",
            at: None,
        },
    }
}

fn fact<T: Clone>(v: &Option<Spanned<T>>, default: T, at: &impl Fn(Span) -> String) -> Fact<T> {
    match v {
        Some(v) => Fact {
            value: v.value.clone(),
            at: Some(at(v.span)),
        },
        None => Fact {
            value: default,
            at: None,
        },
    }
}

/// Whether a file holds no other process than this one.
fn exclusive(topology: &Topology, file: crate::source::FileId) -> bool {
    topology.nodes.iter().filter(|n| n.file == file).count()
        + topology.sentinels.iter().filter(|s| s.file == file).count()
        == 1
}

/// The findings whose primary or related spans touch `spans` (or the file, when the file
/// is the process's own).
fn findings_on(
    spans: &[Span],
    own_file: Option<crate::source::FileId>,
    diagnostics: &[Diagnostic],
    at: &impl Fn(Span) -> String,
) -> Vec<FindingView> {
    let touches = |d: &Span| {
        own_file == Some(d.file)
            || spans
                .iter()
                .any(|s| s.file == d.file && s.start <= d.end && d.start <= s.end)
    };
    let mut out: Vec<FindingView> = diagnostics
        .iter()
        .filter(|d| touches(&d.span) || d.related.iter().any(|l| touches(&l.span)))
        .map(|d| FindingView {
            severity: d.severity.as_str(),
            rule: d.rule.name(),
            code: d.rule.code(),
            at: at(d.span),
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

#[allow(clippy::too_many_arguments)]
fn node_view(
    n: &Node,
    master: bool,
    master_host: Option<&str>,
    group_port: i64,
    topology: &Topology,
    diagnostics: &[Diagnostic],
    at: &impl Fn(Span) -> String,
) -> NodeView {
    // The master is reached at the monitored address; a replica at what it announces,
    // binds to (a routable address) or is named after.
    let host = n
        .announce_ip
        .as_ref()
        .map(|a| a.value.clone())
        .or_else(|| master_host.map(str::to_string))
        .or_else(|| {
            n.binds.iter().map(|b| b.value.clone()).find(|b| {
                !matches!(
                    b.as_str(),
                    "0.0.0.0" | "*" | "::" | "-::*" | "::1" | "127.0.0.1" | "localhost"
                )
            })
        })
        .or_else(|| n.name_hints.first().cloned())
        .unwrap_or_else(|| host_of(&n.name));
    let port = match master_host {
        Some(_) if n.announce_ip.is_none() => group_port,
        _ => n.effective_port(),
    };
    let persistence = {
        let aof = n.persistence.appendonly.as_ref().is_some_and(|a| a.value);
        let rdb = n.persistence.rdb_off.is_none();
        let value = match (rdb, aof) {
            (true, true) => "rdb+aof",
            (false, true) => "aof",
            (true, false) => "rdb",
            (false, false) => "off",
        };
        let span = n
            .persistence
            .appendonly
            .as_ref()
            .map(|a| a.span)
            .or(n.persistence.rdb_off);
        Fact {
            value,
            at: span.map(at),
        }
    };
    let mut spans = vec![n.anchor];
    spans.extend(n.port.iter().map(|p| p.span));
    spans.extend(n.binds.iter().map(|p| p.span));
    spans.extend(n.password.iter().map(|p| p.span));
    spans.extend(n.masterauth.iter().map(|p| p.span));
    spans.extend(n.replicaof.iter().map(|r| r.line));
    spans.extend(n.announce_ip.iter().map(|p| p.span));
    spans.extend(n.replica_priority.iter().map(|p| p.span));
    spans.extend(n.min_replicas_to_write.iter().map(|p| p.span));
    spans.extend(n.persistence.rdb_off);
    spans.extend(n.persistence.appendonly.iter().map(|p| p.span));
    let own = exclusive(topology, n.file).then_some(n.file);
    NodeView {
        id: String::new(),
        name: n.name.clone(),
        role: if master { "master" } else { "replica" },
        address: format!("{host}:{port}"),
        config: Fact {
            value: config_path(n.anchor, at),
            at: Some(at(n.anchor)),
        },
        replicaof: n.replicaof.as_ref().map(|r| Fact {
            value: format!("{}:{}", r.host.value, r.port.value),
            at: Some(at(r.line)),
        }),
        persistence,
        auth: auth(&n.password, at),
        masterauth: auth(&n.masterauth, at),
        replica_priority: n.replica_priority.as_ref().map(|p| Fact {
            value: p.value,
            at: Some(at(p.span)),
        }),
        findings: findings_on(&spans, own, diagnostics, at),
    }
}

/// The file part of a `file:line`.
fn config_path(span: Span, at: &impl Fn(Span) -> String) -> String {
    let s = at(span);
    match s.rsplit_once(':') {
        Some((path, _)) => path.to_string(),
        None => s,
    }
}

fn sentinel_view(
    s: &SentinelProc,
    monitor: usize,
    topology: &Topology,
    diagnostics: &[Diagnostic],
    at: &impl Fn(Span) -> String,
) -> SentinelView {
    let m = &s.monitors[monitor];
    let host = s
        .binds
        .first()
        .map(|b| b.value.clone())
        .unwrap_or_else(|| host_of(&s.name));
    let port = s.port.as_ref().map_or(26379, |p| p.value);
    let config_writable = topology
        .mounts
        .iter()
        .find(|mt| mt.sentinel && mt.config_file == Some(s.file))
        .map(|mt| Fact {
            value: !mt.read_only,
            at: Some(at(mt.span)),
        });
    let mut spans = vec![s.anchor, m.line];
    spans.extend(s.port.iter().map(|p| p.span));
    spans.extend(s.binds.iter().map(|p| p.span));
    spans.extend(s.resolve_hostnames.iter().map(|p| p.span));
    spans.extend(s.announce_hostnames.iter().map(|p| p.span));
    spans.extend(m.down_after.iter().map(|p| p.span));
    spans.extend(m.failover_timeout.iter().map(|p| p.span));
    spans.extend(m.parallel_syncs.iter().map(|p| p.span));
    spans.extend(m.auth_pass.iter().map(|p| p.span));
    spans.extend(
        topology
            .mounts
            .iter()
            .filter(|mt| mt.sentinel && mt.config_file == Some(s.file))
            .map(|mt| mt.span),
    );
    let own = exclusive(topology, s.file).then_some(s.file);
    SentinelView {
        id: String::new(),
        name: s.name.clone(),
        address: format!("{host}:{port}"),
        config: Fact {
            value: config_path(s.anchor, at),
            at: Some(at(s.anchor)),
        },
        config_writable,
        monitor: Fact {
            value: format!("{} {}:{}", m.name.value, m.host.value, m.port.value),
            at: Some(at(m.line)),
        },
        quorum: Fact {
            value: m.quorum.value,
            at: Some(at(m.quorum.span)),
        },
        down_after_ms: fact(&m.down_after, crate::facts::Monitor::DEFAULT_DOWN_AFTER, at),
        failover_timeout_ms: fact(
            &m.failover_timeout,
            crate::facts::Monitor::DEFAULT_FAILOVER_TIMEOUT,
            at,
        ),
        auth_pass: auth(&m.auth_pass, at),
        resolve_hostnames: fact(&s.resolve_hostnames, false, at),
        announce_hostnames: fact(&s.announce_hostnames, false, at),
        findings: findings_on(&spans, own, diagnostics, at),
    }
}

/// The host a process is reached by when nothing declares one: the compose service or
/// workload in "service `x`", else the name.
fn host_of(name: &str) -> String {
    match name.split('`').nth(1) {
        Some(inner) if !inner.is_empty() => inner.to_string(),
        _ => name.to_string(),
    }
}
