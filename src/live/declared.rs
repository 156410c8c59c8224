//! The declared side of `verify`: which sentinel config and which data-node config of the
//! checked files describe a live sentinel or node, and the values they declare.

use super::snapshot::split_address;
use crate::facts::{Monitor, Node, Password, SentinelProc};
use crate::knowledge::values::is_loopback;
use crate::model::topology::{Group, Topology};
use crate::source::{Span, Spanned};

fn normal(host: &str) -> String {
    let lower = host.to_ascii_lowercase();
    if is_loopback(&lower) {
        "127.0.0.1".to_string()
    } else {
        lower
    }
}

fn concrete(host: &str) -> bool {
    !matches!(host, "*" | "0.0.0.0" | "::" | "::*" | "" | "-::*")
}

/// Among candidates listening on the live port, the one whose declared host matches, else
/// the only one on that port.
fn pick<'a, T>(
    candidates: impl Iterator<Item = (&'a T, Vec<String>)>,
    host: &str,
) -> Option<&'a T> {
    let all: Vec<(&T, Vec<String>)> = candidates.collect();
    let host = normal(host);
    if let Some((t, _)) = all.iter().find(|(_, hosts)| hosts.contains(&host)) {
        return Some(t);
    }
    match all.as_slice() {
        [(t, _)] => Some(t),
        _ => None,
    }
}

/// The groups of the declared topology monitored under `name`, with sentinels first.
pub fn groups<'a>(topology: &'a Topology, name: &str) -> Vec<&'a Group> {
    let mut out: Vec<&Group> = topology
        .groups
        .iter()
        .filter(|g| g.name.as_deref() == Some(name))
        .collect();
    out.sort_by_key(|g| !g.has_sentinels());
    out
}

/// Every declared monitor of the group with its sentinel.
pub fn monitors<'a>(topology: &'a Topology, group: &Group) -> Vec<(&'a SentinelProc, &'a Monitor)> {
    group
        .monitors
        .iter()
        .map(|r| topology.monitor(*r))
        .collect()
}

/// The declared sentinel (and its monitor of the group) that runs at a live address.
pub fn sentinel_at<'a>(
    topology: &'a Topology,
    group: &Group,
    address: &str,
) -> Option<(&'a SentinelProc, &'a Monitor)> {
    let (host, port) = split_address(address)?;
    let on_port = monitors(topology, group)
        .into_iter()
        .filter(move |(s, _)| s.port.as_ref().map_or(26379, |p| p.value) == i64::from(port));
    let with_hosts = on_port.map(|pair| {
        let hosts: Vec<String> = pair
            .0
            .binds
            .iter()
            .map(|b| b.value.as_str())
            .filter(|h| concrete(h))
            .map(normal)
            .collect();
        (pair, hosts)
    });
    let pairs: Vec<_> = with_hosts.collect();
    pick(pairs.iter().map(|(p, h)| (p, h.clone())), &host).copied()
}

/// The port and hosts a declared node can be reached at.
fn node_identity(node: &Node) -> (i64, Vec<String>) {
    let port = node
        .announce_port
        .as_ref()
        .filter(|p| p.value != 0)
        .map_or(node.effective_port(), |p| p.value);
    let mut hosts: Vec<String> = node
        .binds
        .iter()
        .map(|b| b.value.as_str())
        .filter(|h| concrete(h))
        .map(normal)
        .collect();
    if let Some(ip) = &node.announce_ip {
        hosts.push(normal(&ip.value));
    }
    hosts.extend(node.name_hints.iter().map(|h| normal(h)));
    (port, hosts)
}

/// The declared data node of the group that runs at a live address.
pub fn node_at<'a>(topology: &'a Topology, group: &Group, address: &str) -> Option<&'a Node> {
    let (host, port) = split_address(address)?;
    let candidates = group.nodes().map(|i| &topology.nodes[i]).filter_map(|n| {
        let (p, hosts) = node_identity(n);
        (p == i64::from(port)).then_some((n, hosts))
    });
    pick(candidates, &host)
}

/// The address a declared node announces to Sentinel, when it sets an announce option.
pub fn announced(node: &Node) -> Option<(String, Span)> {
    let ip = node.announce_ip.as_ref();
    let port = node.announce_port.as_ref().filter(|p| p.value != 0);
    if ip.is_none() && port.is_none() {
        return None;
    }
    let span = ip.map(|i| i.span).or(port.map(|p| p.span))?;
    let (_, hosts) = node_identity(node);
    let host = ip
        .map(|i| i.value.clone())
        .or_else(|| hosts.first().cloned())?;
    let port = port.map_or(node.effective_port(), |p| p.value);
    Some((
        super::snapshot::join_address(&host, &port.to_string()),
        span,
    ))
}

/// Where to point for a declared sentinel: its `port` line, else its anchor.
pub fn sentinel_span(sentinel: &SentinelProc) -> Span {
    sentinel.port.as_ref().map_or(sentinel.anchor, |p| p.span)
}

/// Where to point for a declared node: its `port` line, else its anchor.
pub fn node_span(node: &Node) -> Span {
    node.port.as_ref().map_or(node.anchor, |p| p.span)
}

/// Whether a declared password asks clients to authenticate (unknown when templated).
pub fn requires_password(password: &Option<Spanned<Password>>) -> Option<bool> {
    match password {
        None => Some(false),
        Some(p) => match &p.value {
            Password::Unknown => None,
            Password::Literal(_) => Some(p.value.is_set()),
        },
    }
}

/// A literal password the declared files give for the data nodes of a group
/// (`auth-pass`, else the nodes' `requirepass`).
pub fn node_password(topology: &Topology, group: &Group) -> Option<String> {
    let from_monitors = monitors(topology, group)
        .into_iter()
        .filter_map(|(_, m)| m.auth_pass.as_ref());
    let from_nodes = group
        .nodes()
        .filter_map(|i| topology.nodes[i].password.as_ref());
    from_monitors
        .chain(from_nodes)
        .find_map(|p| match &p.value {
            Password::Literal(s) if !s.is_empty() => Some(s.clone()),
            _ => None,
        })
}

/// A literal password the declared sentinels of a group require from clients.
pub fn sentinel_password(topology: &Topology, group: &Group) -> Option<String> {
    monitors(topology, group)
        .into_iter()
        .filter_map(|(s, _)| s.password.as_ref())
        .find_map(|p| match &p.value {
            Password::Literal(s) if !s.is_empty() => Some(s.clone()),
            _ => None,
        })
}
