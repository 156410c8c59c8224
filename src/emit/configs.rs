//! redis.conf and sentinel.conf text for a group, shared by every target that writes
//! config files (conf, systemd, local, compose, and the Kubernetes templates).

use super::plan::{redis_bytes, ClusterPlan, GroupPlan};

/// How the password reaches a process.
#[derive(Debug, Clone, Copy)]
pub enum Secret<'a> {
    /// No password at all.
    None,
    /// Written into the file (plain configs: the only place Redis can read it from).
    Literal(&'a str),
    /// Given on the command line from the environment; the file has none.
    Elsewhere,
}

pub struct NodeConf<'a> {
    pub port: u16,
    pub bind: Option<&'a str>,
    pub dir: &'a str,
    /// The name other processes reach this one by, when it is a host name.
    pub announce: Option<&'a str>,
    pub replicaof: Option<(&'a str, u16)>,
    pub secret: Secret<'a>,
    /// Process settings (daemonize, pidfile, logfile, supervised), in order.
    pub process: Vec<String>,
}

/// Quote a value for a Redis config line when it needs it.
pub fn conf_value(value: &str) -> String {
    if !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_graphic() && c != '"' && c != '\'' && c != '\\')
    {
        value.to_string()
    } else {
        let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
        format!("\"{escaped}\"")
    }
}

/// Persistence, memory and write-safety lines of a data node: the same in every target
/// (a redis.conf, or an operator's additional config).
pub fn persistence_lines(group: &GroupPlan) -> Vec<String> {
    let mut lines = vec![format!(
        "appendonly {}",
        if group.appendonly { "yes" } else { "no" }
    )];
    if !group.rdb {
        lines.push("save \"\"".to_string());
    }
    if let Some(max) = group.maxmemory {
        lines.push(format!("maxmemory {}", redis_bytes(max)));
    }
    if let Some(policy) = &group.maxmemory_policy {
        lines.push(format!("maxmemory-policy {}", conf_value(policy)));
    }
    if group.min_replicas_to_write > 0 {
        lines.push(format!(
            "min-replicas-to-write {}",
            group.min_replicas_to_write
        ));
        lines.push(format!(
            "min-replicas-max-lag {}",
            group.min_replicas_max_lag
        ));
    }
    lines
}

pub fn redis_conf(header: &[String], group: &GroupPlan, node: &NodeConf) -> String {
    let mut lines: Vec<String> = header.iter().map(|h| format!("# {h}")).collect();
    lines.push(format!("port {}", node.port));
    if let Some(bind) = node.bind {
        lines.push(format!("bind {bind}"));
    }
    if matches!(node.secret, Secret::None) && node.bind != Some("127.0.0.1") {
        // Without a password, protected mode refuses every remote client.
        lines.push("protected-mode no".to_string());
    }
    lines.push(format!("dir {}", conf_value(node.dir)));
    lines.extend(node.process.iter().cloned());
    lines.extend(persistence_lines(group));
    lines.push("replica-read-only yes".to_string());
    if let Some(host) = node.announce {
        lines.push(format!("replica-announce-ip {host}"));
    }
    if let Secret::Literal(password) = node.secret {
        lines.push(format!("requirepass {}", conf_value(password)));
        lines.push(format!("masterauth {}", conf_value(password)));
    }
    if let Some((host, port)) = node.replicaof {
        lines.push(format!("replicaof {host} {port}"));
    }
    lines.join("\n") + "\n"
}

pub struct SentinelConf<'a> {
    pub port: u16,
    pub bind: Option<&'a str>,
    pub dir: &'a str,
    pub announce: Option<&'a str>,
    /// Host names are used (resolve-hostnames / announce-hostnames).
    pub hostnames: bool,
    pub master: (&'a str, u16),
    pub secret: Secret<'a>,
    pub process: Vec<String>,
}

pub fn sentinel_conf(header: &[String], group: &GroupPlan, s: &SentinelConf) -> String {
    let mut lines: Vec<String> = header.iter().map(|h| format!("# {h}")).collect();
    lines.push(format!("port {}", s.port));
    if let Some(bind) = s.bind {
        lines.push(format!("bind {bind}"));
    }
    if matches!(s.secret, Secret::None) && s.bind != Some("127.0.0.1") {
        lines.push("protected-mode no".to_string());
    }
    lines.push(format!("dir {}", conf_value(s.dir)));
    lines.extend(s.process.iter().cloned());
    if s.hostnames {
        lines.push("sentinel resolve-hostnames yes".to_string());
        lines.push("sentinel announce-hostnames yes".to_string());
    }
    if let Some(host) = s.announce {
        lines.push(format!("sentinel announce-ip {host}"));
    }
    if let Secret::Literal(password) = s.secret {
        lines.push(format!("requirepass {}", conf_value(password)));
    }
    let name = &group.master_name;
    lines.push(format!(
        "sentinel monitor {name} {} {} {}",
        s.master.0, s.master.1, group.quorum
    ));
    if let Secret::Literal(password) = s.secret {
        lines.push(format!(
            "sentinel auth-pass {name} {}",
            conf_value(password)
        ));
    }
    lines.push(format!(
        "sentinel down-after-milliseconds {name} {}",
        group.down_after_ms
    ));
    lines.push(format!(
        "sentinel failover-timeout {name} {}",
        group.failover_timeout_ms
    ));
    lines.push(format!(
        "sentinel parallel-syncs {name} {}",
        group.parallel_syncs
    ));
    lines.join("\n") + "\n"
}

/// Command-line options that give a data node its password from `$VAR`.
pub fn node_password_args(var: &str) -> String {
    format!("--requirepass \"${var}\" --masterauth \"${var}\"")
}

/// Command-line options that give a sentinel its password and the master's.
pub fn sentinel_password_args(var: &str, master_name: &str) -> String {
    format!("--requirepass \"${var}\" --sentinel auth-pass {master_name} \"${var}\"")
}

/// One node of a Redis Cluster deployment.
pub struct ClusterNodeConf<'a> {
    pub port: u16,
    /// The bus port (`cluster-port`), when not the port + 10000.
    pub bus_port: Option<u16>,
    pub bind: Option<&'a str>,
    pub dir: &'a str,
    /// Its own state file: nodes sharing a directory must not share one.
    pub config_file: String,
    /// The host name it announces (clients are redirected to it), when it has one.
    pub hostname: Option<&'a str>,
    pub secret: Secret<'a>,
    pub process: Vec<String>,
}

pub fn cluster_conf(header: &[String], cluster: &ClusterPlan, node: &ClusterNodeConf) -> String {
    let mut lines: Vec<String> = header.iter().map(|h| format!("# {h}")).collect();
    lines.push(format!("port {}", node.port));
    if let Some(bind) = node.bind {
        lines.push(format!("bind {bind}"));
    }
    if matches!(node.secret, Secret::None) && node.bind != Some("127.0.0.1") {
        lines.push("protected-mode no".to_string());
    }
    lines.push(format!("dir {}", conf_value(node.dir)));
    lines.push("cluster-enabled yes".to_string());
    lines.push(format!(
        "cluster-config-file {}",
        conf_value(&node.config_file)
    ));
    if let Some(bus) = node.bus_port {
        lines.push(format!("cluster-port {bus}"));
    }
    lines.push(format!("cluster-node-timeout {}", cluster.node_timeout_ms));
    if let Some(host) = node.hostname {
        lines.push(format!("cluster-announce-hostname {host}"));
        lines.push("cluster-preferred-endpoint-type hostname".to_string());
    }
    lines.push(format!(
        "appendonly {}",
        if cluster.appendonly { "yes" } else { "no" }
    ));
    if let Secret::Literal(p) = node.secret {
        lines.push(format!("requirepass {}", conf_value(p)));
        lines.push(format!("masterauth {}", conf_value(p)));
    }
    lines.extend(node.process.iter().cloned());
    lines.push(String::new());
    lines.join("\n")
}
