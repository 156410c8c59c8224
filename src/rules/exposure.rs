//! `sentinel-exposed-unauthenticated`: a sentinel without a password that anyone who
//! reaches a host can talk to, through a compose port published on every interface, the
//! host's own network (compose `network_mode: host`, swarm's `host` network, a pod's
//! `hostNetwork`), a `hostPort`, a Kubernetes Service of type NodePort or LoadBalancer,
//! or a Vagrant port forwarded on every interface of the machine running the VMs.

use super::{Context, Rule};
use crate::diagnostic::Diagnostic;
use crate::facts::service::ConfigRef;
use crate::facts::SentinelProc;
use crate::source::Span;

const CONSEQUENCE: &str = "anyone who reaches it can run `SENTINEL FAILOVER`, `SENTINEL REMOVE` or `SENTINEL SET` and read the topology";
const HELP: &str = "set `requirepass` in the sentinel config (and `sentinel sentinel-pass` on its peers), or keep the sentinel port off the outside network";

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    compose(ctx, out);
    kubernetes(ctx, out);
    on_hosts(ctx, out);
}

/// Sentinels run on hosts (a config of the tree that no container runs, started by a
/// unit or a script, rendered by a provisioning template, or in a tree that provisions
/// hosts and runs no container) whose config opens them to the network in so many words
/// (`bind 0.0.0.0`, `protected-mode no`) while they watch a master on another host:
/// nothing but a firewall stands between the network and `SENTINEL FAILOVER`.
fn on_hosts(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    let hosts = ctx.on_hosts();
    let on_provisioned_hosts = hosts.provisioned;
    // Vagrantfiles whose forwarded sentinel ports were reported, and the first sentinel
    // each forwards.
    let mut forwarded: std::collections::BTreeMap<crate::source::FileId, Vec<(Span, Span)>> =
        Default::default();
    for (i, sentinel) in topo.sentinels.iter().enumerate() {
        if !hosts.sentinels.contains(&i) || !open(ctx, sentinel) {
            continue;
        }
        // Machines of a Vagrantfile: reached from outside the machine running them only
        // through a public network or a forwarded port. (VMs an Ansible playbook
        // provisions stand in for the hosts it deploys to: their network says nothing.)
        if let Some((file, network)) = vagrant_of(ctx, sentinel.file).filter(|(_, n)| !n.ansible) {
            let ports = listening_ports(sentinel);
            let forwards: Vec<Span> = network
                .forwarded
                .iter()
                .filter(|f| ports.contains(&f.guest) && f.on_every_interface())
                .map(|f| span(file, &f.span))
                .collect();
            if !forwards.is_empty() {
                for f in forwards {
                    forwarded
                        .entry(file)
                        .or_default()
                        .push((f, sentinel.anchor));
                }
                continue;
            }
            if network.public.is_none() {
                continue;
            }
        }
        // A config an image carries (its release read from a Dockerfile) runs in a
        // container: what is exposed is what the container publishes.
        let in_image = sentinel.runtime.release.as_ref().is_some_and(|r| {
            ctx.sources
                .get(&r.span.file)
                .is_some_and(|s| crate::formats::dockerfile::is_dockerfile(&s.path))
        });
        // Watching a master on another host (an address, a name, or one the deployment
        // fills in): the sentinels and clients reach it over the network. A one-host
        // lab on loopback addresses is not exposed by this alone.
        let remote = sentinel
            .monitors
            .iter()
            .any(|m| !crate::knowledge::values::is_loopback(&m.host.value));
        let wildcard = sentinel.binds.iter().find(|b| {
            matches!(
                b.value.trim_start_matches('-'),
                "0.0.0.0" | "*" | "::" | "::*"
            )
        });
        // A one-host lab that opens its sentinels in so many words (`bind 0.0.0.0`,
        // `protected-mode no`) listens on the host's network all the same.
        let opened =
            wildcard.is_some() || sentinel.protected_mode.as_ref().is_some_and(|p| !p.value);
        // On machines a tree provisions, the host is a VM or server on a network whatever it
        // watches.
        if in_image || !(remote || on_provisioned_hosts || opened) {
            continue;
        }
        let unprotected = sentinel
            .protected_mode
            .as_ref()
            .filter(|p| !p.value && sentinel.binds.is_empty());
        // No `bind` and no `protected-mode` line: `open` has found protected mode off by
        // default for its release (Sentinel's default since 5.0.1; before 3.2 there was none).
        let default_protected = ctx
            .knows(&sentinel.runtime, crate::knowledge::Version::new(3, 2, 0))
            && !ctx.knows(&sentinel.runtime, crate::knowledge::Version::new(5, 0, 1));
        let silent =
            sentinel.binds.is_empty() && sentinel.protected_mode.is_none() && !default_protected;
        let (at, how) = match (wildcard, unprotected) {
            (Some(b), _) => (b.span, format!("listens on every interface of its host (`bind {}`)", b.value)),
            (None, Some(p)) => (p.span, "turns protected mode off and binds no address, so it listens on every interface of its host".to_string()),
            (None, None) if silent => (
                sentinel.port.as_ref().map_or(sentinel.anchor, |p| p.span),
                "binds no address and leaves protected mode at its default (off for Sentinel), so it listens on every interface of its host".to_string(),
            ),
            (None, None) => continue,
        };
        out.push(
            Diagnostic::new(
                Rule::SentinelExposedUnauthenticated,
                at,
                format!("this sentinel {how} and has no password: {CONSEQUENCE}"),
            )
            .help("set `requirepass` in the sentinel config (and `sentinel sentinel-pass` on its peers), or bind it to the private address its peers use and firewall the port"),
        );
    }
    for (_, found) in forwarded {
        let mut lines: Vec<Span> = found.iter().map(|(f, _)| *f).collect();
        lines.sort();
        lines.dedup();
        let mut d = Diagnostic::new(
            Rule::SentinelExposedUnauthenticated,
            lines[0],
            format!("Vagrant forwards the port of a sentinel that has no password to every interface of the machine running the VMs (no `host_ip`): anyone on that machine's network reaches it, and {CONSEQUENCE}"),
        )
        .label(found[0].1, "the sentinel behind it takes commands from anyone");
        for more in &lines[1..] {
            d = d.label(*more, "forwarded the same way");
        }
        out.push(d.help("add `host_ip: \"127.0.0.1\"` to the forwarded port (or drop it: the VMs reach each other on the private network), and set `requirepass` on the sentinels"));
    }
}

/// The Vagrantfile nearest above a file, with the networks it gives its machines.
fn vagrant_of<'a>(
    ctx: &'a Context,
    file: crate::source::FileId,
) -> Option<(
    crate::source::FileId,
    &'a crate::formats::vagrant_network::VagrantNetwork,
)> {
    let path = ctx.sources.get(&file)?.path.as_path();
    ctx.units
        .vagrant_networks
        .iter()
        .filter_map(|(id, n)| {
            let dir = ctx.sources.get(id)?.path.parent()?;
            path.starts_with(dir)
                .then(|| (dir.components().count(), (*id, n)))
        })
        .max_by_key(|(depth, _)| *depth)
        .map(|(_, found)| found)
}

/// Takes commands from any address: no password, and nothing else that keeps remote
/// clients out (client certificates on a TLS-only sentinel; protected mode, which since
/// 7.0 applies whatever `bind` says and before only with no `bind`; a `bind` on loopback
/// only).
fn open(ctx: &Context, sentinel: &SentinelProc) -> bool {
    if sentinel.password.is_some() || !sentinel.complete {
        return false;
    }
    // Only a TLS port (`port 0`) whose clients must show a certificate the CA signed:
    // that certificate is the credential.
    let tls_only = sentinel.port.as_ref().is_some_and(|p| p.value == 0)
        && sentinel.tls.listens().is_some()
        && sentinel.tls.requires_client_certificates();
    if tls_only {
        return false;
    }
    let loopback_only = !sentinel.binds.is_empty()
        && sentinel
            .binds
            .iter()
            .all(|b| crate::knowledge::values::is_loopback(b.value.trim_start_matches('-')));
    let bind_ignored = ctx.knows(&sentinel.runtime, crate::knowledge::Version::new(7, 0, 0));
    let protected = sentinel.protected_mode.as_ref().is_some_and(|p| p.value)
        && (sentinel.binds.is_empty() || bind_ignored);
    !loopback_only && !protected
}

/// The ports a sentinel takes connections on: its plain port (26379 unless set; none
/// with `port 0`) and its TLS port.
fn listening_ports(sentinel: &SentinelProc) -> Vec<i64> {
    let plain = sentinel.port.as_ref().map_or(26379, |p| p.value);
    (plain != 0)
        .then_some(plain)
        .into_iter()
        .chain(sentinel.tls.listens().map(|p| p.value))
        .collect()
}

fn span(file: crate::source::FileId, r: &std::ops::Range<usize>) -> Span {
    Span::new(file, r.start, r.end)
}

fn compose(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for unit in &ctx.units.compose {
        let s = &unit.service;
        let Some(&first) = unit.sentinels.first() else {
            continue;
        };
        let sentinel = &ctx.topology.sentinels[first];
        if !open(ctx, sentinel) {
            continue;
        }
        if s.host_network {
            let at = s
                .networks_span
                .as_ref()
                .map_or(span(unit.file, &s.name_span), |r| span(unit.file, r));
            out.push(
                Diagnostic::new(
                    Rule::SentinelExposedUnauthenticated,
                    at,
                    format!("service `{}` runs Sentinel on the host's own network and Sentinel has no password: its port is open on every address of the host, and {CONSEQUENCE}", s.name),
                )
                .help(HELP),
            );
            continue;
        }
        let ports = listening_ports(sentinel);
        // `network_mode: service:OTHER`: the ports OTHER publishes are this container's.
        let joined = s
            .network_mode
            .as_deref()
            .and_then(|m| m.strip_prefix("service:"))
            .and_then(|other| {
                ctx.units
                    .compose
                    .iter()
                    .find(|u| u.file == unit.file && u.service.name == other.trim())
            });
        let publisher = joined.map_or(s, |u| &u.service);
        for p in &publisher.ports {
            let local = p
                .host_ip
                .as_deref()
                .is_some_and(|h| h.starts_with("127.") || h == "::1" || h == "localhost");
            if !ports.contains(&p.target) || local {
                continue;
            }
            let message = match joined {
                Some(_) => format!("service `{}` publishes on every host interface the sentinel port of `{}`, which shares its network (`network_mode: service:{}`), and Sentinel has no password: {CONSEQUENCE}", publisher.name, s.name, publisher.name),
                None => format!("service `{}` publishes its sentinel port on every host interface and Sentinel has no password: {CONSEQUENCE}", s.name),
            };
            let mut d = Diagnostic::new(
                Rule::SentinelExposedUnauthenticated,
                span(unit.file, &p.span),
                message,
            );
            if joined.is_some() {
                d = d.label(
                    span(unit.file, &s.name_span),
                    "the sentinel that listens there",
                );
            }
            out.push(d.help("set `requirepass` in the sentinel config (and `sentinel sentinel-pass` on its peers), or publish on 127.0.0.1 only, or do not publish the port"));
        }
    }
}

fn kubernetes(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for cf in &ctx.units.containers {
        let Some(sentinel) = cf.processes.iter().find_map(|p| match p {
            ConfigRef::Sentinel(i) => Some(&ctx.topology.sentinels[*i]),
            ConfigRef::Node(_) => None,
        }) else {
            continue;
        };
        if !open(ctx, sentinel) {
            continue;
        }
        let c = &cf.container;
        let ports = listening_ports(sentinel);
        if c.pod.host_network {
            out.push(
                Diagnostic::new(
                    Rule::SentinelExposedUnauthenticated,
                    span(cf.file, &c.pod.name_span),
                    format!("the sentinels of `{}` run on their nodes' own network (`hostNetwork: true`) and Sentinel has no password: the port is open on every address of each node, and {CONSEQUENCE}", cf.workload),
                )
                .help(HELP),
            );
            continue;
        }
        let host_port = c
            .host_ports
            .iter()
            .find(|(inside, _, _)| ports.contains(inside));
        if let Some((_, outside, at)) = host_port {
            out.push(
                Diagnostic::new(
                    Rule::SentinelExposedUnauthenticated,
                    span(cf.file, at),
                    format!("the sentinels of `{}` take host port {outside} on their nodes and Sentinel has no password: the port is open on every address of each node, and {CONSEQUENCE}", cf.workload),
                )
                .help(HELP),
            );
            continue;
        }
        // A Service from outside the cluster in front of the sentinel pods.
        for svc in &ctx.topology.cluster.services {
            let Some((kind, at)) = &svc.external else {
                continue;
            };
            let selected = svc.selects(c.namespace.as_deref(), &c.pod.labels);
            let serves_sentinel = svc.ports.iter().any(|(p, target)| match target {
                Some(t) => t.parse::<i64>().map_or_else(
                    |_| t.to_ascii_lowercase().contains("sentinel"),
                    |n| ports.contains(&n),
                ),
                None => ports.contains(p),
            });
            if !selected || !serves_sentinel {
                continue;
            }
            out.push(
                Diagnostic::new(
                    Rule::SentinelExposedUnauthenticated,
                    *at,
                    format!("Service `{}` ({kind}) opens the sentinel port of `{}` to clients outside the cluster and Sentinel has no password: {CONSEQUENCE}", svc.name, cf.workload),
                )
                .label(span(cf.file, &c.name_span), "the sentinel container")
                .help(HELP),
            );
        }
    }
}
