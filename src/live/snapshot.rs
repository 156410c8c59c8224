//! What a running deployment answered, as plain data: the input of the live checks.
//!
//! The probe (feature `live`) fills it from read-only commands; tests and fixtures write
//! it by hand (`fixtures/<live rule>/{bad,good}/live.json`). It never holds a password:
//! the probe scrubs every text it keeps.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Field → value, as in the flat replies of `SENTINEL MASTER` or `INFO`.
pub type Fields = BTreeMap<String, String>;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The master names verified, in order.
    pub masters: Vec<String>,
    /// Every sentinel given on the command line, in that order.
    pub sentinels: Vec<SentinelObs>,
    /// Every data node some sentinel named (masters and replicas), in address order.
    #[serde(default)]
    pub nodes: Vec<NodeObs>,
    /// Redis Cluster nodes asked directly (`verify --cluster`), in the order given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cluster: Vec<ClusterNodeObs>,
}

/// What one Redis Cluster node answered: `CLUSTER INFO` and `CLUSTER NODES`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterNodeObs {
    pub address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_required: Option<bool>,
    /// `CLUSTER INFO`.
    #[serde(default)]
    pub info: Fields,
    /// `CLUSTER NODES`, one line per node as the server wrote it.
    #[serde(default)]
    pub nodes: Vec<String>,
}

/// One line of `CLUSTER NODES`: `<id> <ip:port@cport[,hostname]> <flags> <master>
/// <ping-sent> <pong-recv> <config-epoch> <link-state> <slot>…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterNodeLine<'a> {
    pub id: &'a str,
    /// `ip:port`, without the bus port and host name.
    pub address: String,
    pub flags: Vec<&'a str>,
    /// The master's id, for a replica.
    pub master: Option<&'a str>,
    pub link_connected: bool,
    /// Slot ranges, as written (`0-5460`, `[…]` migrating entries left out).
    pub slots: Vec<&'a str>,
}

impl<'a> ClusterNodeLine<'a> {
    pub fn parse(line: &'a str) -> Option<ClusterNodeLine<'a>> {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.len() < 8 {
            return None;
        }
        let address = words[1]
            .split(['@', ','])
            .next()
            .unwrap_or_default()
            .to_string();
        Some(ClusterNodeLine {
            id: words[0],
            address,
            flags: words[2].split(',').filter(|f| !f.is_empty()).collect(),
            master: Some(words[3]).filter(|m| *m != "-"),
            link_connected: words[7] == "connected",
            slots: words[8..]
                .iter()
                .copied()
                .filter(|w| !w.starts_with('['))
                .collect(),
        })
    }

    pub fn is_master(&self) -> bool {
        self.flags.contains(&"master")
    }

    /// Flagged failed by the cluster (`fail`) or suspected by this node (`fail?`).
    pub fn failing(&self) -> Option<&'static str> {
        if self.flags.contains(&"fail") {
            Some("failed (`fail`: a majority of the masters agree it is down)")
        } else if self.flags.contains(&"fail?") {
            Some("suspected down (`fail?`: unreachable beyond `cluster-node-timeout`)")
        } else if self.flags.contains(&"noaddr") {
            Some("without a known address (`noaddr`)")
        } else {
            None
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentinelObs {
    /// `host:port` (`[v6]:port`) as given.
    pub address: String,
    /// Why the sentinel could not be asked anything (refused, timeout, authentication).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Whether it refused commands until authenticated (unknown when unreachable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_required: Option<bool>,
    #[serde(default)]
    pub masters: Vec<MasterObs>,
}

/// The answer of a command that may fail on its own (the sentinel stays reachable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Reply {
    Ok(String),
    Err(String),
}

/// What one sentinel says about one master name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MasterObs {
    pub name: String,
    /// `SENTINEL MASTER` failed (`ERR No such master with that name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The `SENTINEL MASTER` reply.
    #[serde(default)]
    pub fields: Fields,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ckquorum: Option<Reply>,
    /// `SENTINEL REPLICAS`, one entry per replica.
    #[serde(default)]
    pub replicas: Vec<Fields>,
    /// `SENTINEL SENTINELS`: the other sentinels this one knows.
    #[serde(default)]
    pub sentinels: Vec<Fields>,
}

/// A data node named by the sentinels.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeObs {
    pub address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_required: Option<bool>,
    /// `INFO replication`.
    #[serde(default)]
    pub replication: Fields,
    /// `CONFIG GET` of the few settings the checks compare (absent when refused).
    #[serde(default)]
    pub config: Fields,
}

/// `host:port` of a `SENTINEL …` entry (`ip` and `port` fields).
pub fn entry_address(fields: &Fields) -> Option<String> {
    let ip = fields.get("ip")?;
    let port = fields.get("port")?;
    Some(join_address(ip, port))
}

/// `host:port`, with brackets around an IPv6 address.
pub fn join_address(host: &str, port: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Split `host:port` (`[v6]:port`); the host without brackets.
pub fn split_address(address: &str) -> Option<(String, u16)> {
    let (host, port) = address.rsplit_once(':')?;
    let port = port.parse().ok()?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() {
        return None;
    }
    Some((host.to_string(), port))
}

/// Normalized form for comparing addresses: loopback names become 127.0.0.1.
pub fn same_address(a: &str, b: &str) -> bool {
    match (split_address(a), split_address(b)) {
        (Some((ha, pa)), Some((hb, pb))) => pa == pb && normal_host(&ha) == normal_host(&hb),
        _ => a == b,
    }
}

fn normal_host(host: &str) -> String {
    let lower = host.to_ascii_lowercase();
    if crate::knowledge::values::is_loopback(&lower) {
        "127.0.0.1".to_string()
    } else {
        lower
    }
}

/// The comma-separated `flags` field as a list.
pub fn flags(fields: &Fields) -> Vec<&str> {
    fields
        .get("flags")
        .map(|f| f.split(',').filter(|s| !s.is_empty()).collect())
        .unwrap_or_default()
}

impl Snapshot {
    /// What the data node at `address` answered, unless verify could not authenticate
    /// to it: then its side is unknown (and unknown is not wrong).
    pub fn node(&self, address: &str) -> Option<&NodeObs> {
        self.nodes
            .iter()
            .find(|n| same_address(&n.address, address))
            .filter(|n| !n.auth_problem())
    }

    /// Data nodes verify could not authenticate to.
    pub fn nodes_without_access(&self) -> impl Iterator<Item = &NodeObs> {
        self.nodes.iter().filter(|n| n.auth_problem())
    }
}

impl NodeObs {
    /// Reached, but it wants a password verify does not have (or rejects the one given).
    pub fn auth_problem(&self) -> bool {
        self.error.is_some() && self.password_required == Some(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(join_address("::1", "26379"), "[::1]:26379");
        assert_eq!(
            split_address("[::1]:26379"),
            Some(("::1".to_string(), 26379))
        );
        assert_eq!(
            split_address("10.0.0.1:6379"),
            Some(("10.0.0.1".to_string(), 6379))
        );
        assert_eq!(split_address("10.0.0.1"), None);
        assert!(same_address("localhost:1", "127.0.0.1:1"));
        assert!(!same_address("127.0.0.1:1", "127.0.0.1:2"));
    }
}
