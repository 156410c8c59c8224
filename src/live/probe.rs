//! Asking a running deployment (feature `live`): read-only commands, each with a
//! timeout, over the `redis` crate's synchronous connection (plain TCP or TLS).
//!
//! The crate's own sentinel helpers connect without timeouts and hide the answers the
//! checks need, so the `SENTINEL` commands are sent directly. Nothing here writes to the
//! deployment: every command goes through [`Session::query`], which refuses anything
//! outside [`READ_ONLY`]. A peer that cannot be reached is recorded in the snapshot (a
//! finding), never an error of the run.

use super::snapshot::{
    entry_address, same_address, ClusterNodeObs, Fields, MasterObs, NodeObs, Reply, SentinelObs,
    Snapshot,
};
use redis::{
    Client, Connection, ConnectionAddr, ConnectionLike, IntoConnectionInfo, RedisConnectionInfo,
    Value,
};
use std::time::Duration;

/// The only commands `verify` sends (first words, upper case).
pub const READ_ONLY: &[&[&str]] = &[
    &["PING"],
    &["INFO"],
    &["CONFIG", "GET"],
    &["SENTINEL", "MASTERS"],
    &["SENTINEL", "MASTER"],
    &["SENTINEL", "REPLICAS"],
    &["SENTINEL", "SLAVES"],
    &["SENTINEL", "SENTINELS"],
    &["SENTINEL", "CKQUORUM"],
    &["CLUSTER", "INFO"],
    &["CLUSTER", "NODES"],
];

/// Whether `args` is a command `verify` may send.
pub fn is_read_only(args: &[&str]) -> bool {
    READ_ONLY.iter().any(|prefix| {
        args.len() >= prefix.len()
            && prefix
                .iter()
                .zip(args)
                .all(|(p, a)| p.eq_ignore_ascii_case(a))
    })
}

/// Credentials for one kind of endpoint. The password is sent only to a server that
/// refuses commands without it, and never kept in the snapshot.
#[derive(Clone, Default)]
pub struct Credentials {
    pub user: Option<String>,
    pub password: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .finish()
    }
}

/// TLS material, PEM encoded.
#[derive(Clone, Default)]
pub struct Tls {
    /// Trust these CAs instead of the system's roots.
    pub ca: Option<Vec<u8>>,
    /// Client certificate and key (mutual TLS).
    pub client: Option<(Vec<u8>, Vec<u8>)>,
}

#[derive(Debug, Clone)]
pub struct ProbeConfig {
    /// `host:port` of every sentinel of the deployment.
    pub sentinels: Vec<String>,
    /// Master names to verify.
    pub masters: Vec<String>,
    /// Also verify every name the sentinels monitor (`SENTINEL MASTERS`).
    pub discover: bool,
    pub sentinel_auth: Credentials,
    pub node_auth: Credentials,
    pub tls: Option<Tls>,
    /// For connecting and for every command.
    pub timeout: Duration,
    /// `host:port` of Redis Cluster nodes to ask (`verify --cluster`).
    pub cluster: Vec<String>,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tls { .. }")
    }
}

/// Replaces secrets in every text kept from the deployment (defensive: no reply the
/// probe reads carries a password, but error texts are not under our control).
struct Scrub(Vec<String>);

impl Scrub {
    fn new(config: &ProbeConfig) -> Scrub {
        let mut secrets: Vec<String> = [&config.sentinel_auth, &config.node_auth]
            .iter()
            .filter_map(|c| c.password.clone())
            .filter(|p| p.len() >= 4)
            .collect();
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Scrub(secrets)
    }

    fn text(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.0 {
            out = out.replace(s.as_str(), "***");
        }
        out
    }

    fn fields(&self, fields: Fields) -> Fields {
        fields
            .into_iter()
            .map(|(k, v)| (self.text(&k), self.text(&v)))
            .collect()
    }
}

/// Why a command failed: the server said no (the connection is still good), or the
/// connection broke (timeout, reset).
enum Failure {
    Server(String),
    Transport(String),
}

struct Session {
    con: Connection,
}

impl Session {
    fn query(&mut self, args: &[&str]) -> Result<Value, Failure> {
        if !is_read_only(args) {
            return Err(Failure::Server(format!(
                "refused to send `{}`: verify only sends read-only commands",
                args.join(" ")
            )));
        }
        let mut cmd = redis::cmd(args[0]);
        for a in &args[1..] {
            cmd.arg(*a);
        }
        match self.con.req_command(&cmd) {
            Ok(Value::ServerError(e)) => Err(Failure::Server(
                format!("{} {}", e.code(), e.details().unwrap_or_default())
                    .trim()
                    .to_string(),
            )),
            Ok(v) => Ok(v),
            Err(e) => Err(match e.code() {
                Some(code) => Failure::Server(
                    format!("{code} {}", e.detail().unwrap_or_default())
                        .trim()
                        .to_string(),
                ),
                None => Failure::Transport(transport_text(&e)),
            }),
        }
    }
}

fn transport_text(e: &redis::RedisError) -> String {
    if e.is_timeout() {
        "timed out".to_string()
    } else {
        e.to_string()
    }
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::BulkString(b) => Some(String::from_utf8_lossy(b).into_owned()),
        Value::SimpleString(s) => Some(s.clone()),
        Value::VerbatimString { text, .. } => Some(text.clone()),
        Value::Okay => Some("OK".to_string()),
        Value::Int(i) => Some(i.to_string()),
        Value::Double(d) => Some(d.to_string()),
        Value::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A flat `[k, v, k, v…]` array or a map as fields.
fn fields(v: &Value) -> Fields {
    let mut out = Fields::new();
    match v {
        Value::Array(items) => {
            for pair in items.chunks(2) {
                if let [k, v] = pair {
                    if let (Some(k), Some(v)) = (text(k), text(v)) {
                        out.insert(k, v);
                    }
                }
            }
        }
        Value::Map(pairs) => {
            for (k, v) in pairs {
                if let (Some(k), Some(v)) = (text(k), text(v)) {
                    out.insert(k, v);
                }
            }
        }
        _ => {}
    }
    out
}

fn field_list(v: &Value) -> Vec<Fields> {
    match v {
        Value::Array(items) | Value::Set(items) => items.iter().map(fields).collect(),
        _ => Vec::new(),
    }
}

/// `INFO` text as fields (`k:v` lines).
fn info_fields(text: &str) -> Fields {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

fn connect_with(
    address: &str,
    auth: Option<&Credentials>,
    config: &ProbeConfig,
) -> Result<Session, redis::RedisError> {
    let (host, port) = super::snapshot::split_address(address).ok_or_else(|| {
        redis::RedisError::from((
            redis::ErrorKind::InvalidClientConfig,
            "not a host:port address",
        ))
    })?;
    let addr = match &config.tls {
        Some(_) => ConnectionAddr::TcpTls {
            host: host.clone(),
            port,
            insecure: false,
            tls_params: None,
        },
        None => ConnectionAddr::Tcp(host.clone(), port),
    };
    let mut redis_info = RedisConnectionInfo::default().set_skip_set_lib_name();
    if let Some(auth) = auth {
        if let Some(user) = &auth.user {
            redis_info = redis_info.set_username(user);
        }
        if let Some(password) = &auth.password {
            redis_info = redis_info.set_password(password);
        }
    }
    let info = addr.into_connection_info()?.set_redis_settings(redis_info);
    let client = match &config.tls {
        Some(tls) if tls.ca.is_some() || tls.client.is_some() => Client::build_with_tls(
            info,
            redis::TlsCertificates {
                client_tls: tls
                    .client
                    .as_ref()
                    .map(|(cert, key)| redis::ClientTlsConfig {
                        client_cert: cert.clone(),
                        client_key: key.clone(),
                    }),
                root_cert: tls.ca.clone(),
            },
        )?,
        _ => Client::open(info)?,
    };
    let con = client.get_connection_with_timeout(config.timeout)?;
    con.set_read_timeout(Some(config.timeout))?;
    con.set_write_timeout(Some(config.timeout))?;
    Ok(Session { con })
}

fn needs_auth(error: &str) -> bool {
    let upper = error.to_ascii_uppercase();
    upper.starts_with("NOAUTH")
        || upper.starts_with("NOPERM")
        || upper.contains("AUTHENTICATION REQUIRED")
}

/// Connect, first without credentials; when the server asks for them, again with them.
/// Returns the session and whether a password was required.
fn connect(
    address: &str,
    auth: &Credentials,
    config: &ProbeConfig,
) -> Result<(Session, bool), (String, Option<bool>)> {
    let mut session =
        connect_with(address, None, config).map_err(|e| (transport_text(&e), None))?;
    match session.query(&["PING"]) {
        Ok(_) => return Ok((session, false)),
        Err(Failure::Server(e)) if needs_auth(&e) => {}
        Err(Failure::Server(e)) | Err(Failure::Transport(e)) => return Err((e, None)),
    }
    if auth.password.is_none() {
        return Err((
            "a password is required (give it with --password-file or REDISCLI_AUTH)".to_string(),
            Some(true),
        ));
    }
    let mut session = connect_with(address, Some(auth), config).map_err(|e| {
        let text = match e.code() {
            Some(code) => format!("{code} {}", e.detail().unwrap_or_default()),
            None => transport_text(&e),
        };
        (
            format!("authentication failed: {}", text.trim()),
            Some(true),
        )
    })?;
    match session.query(&["PING"]) {
        Ok(_) => Ok((session, true)),
        Err(Failure::Server(e)) | Err(Failure::Transport(e)) => Err((e, Some(true))),
    }
}

/// Ask every sentinel, then every data node they name.
pub fn probe(config: &ProbeConfig) -> Snapshot {
    let scrub = Scrub::new(config);
    // Connect to every sentinel (in parallel: an unreachable one costs one timeout).
    let mut connected: Vec<(SentinelObs, Option<Session>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = config
            .sentinels
            .iter()
            .map(|address| {
                scope.spawn(|| {
                    let mut obs = SentinelObs {
                        address: address.clone(),
                        ..SentinelObs::default()
                    };
                    match connect(address, &config.sentinel_auth, config) {
                        Ok((session, required)) => {
                            obs.password_required = Some(required);
                            (obs, Some(session))
                        }
                        Err((error, required)) => {
                            obs.error = Some(scrub.text(&error));
                            obs.password_required = required;
                            (obs, None)
                        }
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("probe thread"))
            .collect()
    });

    // The names to verify.
    let mut names = config.masters.clone();
    if config.discover {
        for (obs, session) in &mut connected {
            let Some(s) = session else { continue };
            match s.query(&["SENTINEL", "MASTERS"]) {
                Ok(v) => {
                    for m in field_list(&v) {
                        if let Some(n) = m.get("name") {
                            if !names.contains(n) {
                                names.push(n.clone());
                            }
                        }
                    }
                }
                Err(Failure::Transport(e)) => {
                    obs.error = Some(scrub.text(&e));
                    *session = None;
                }
                Err(Failure::Server(_)) => {}
            }
        }
    }

    // What each sentinel says about each name.
    std::thread::scope(|scope| {
        let names = &names;
        let scrub = &scrub;
        for (obs, session) in connected.iter_mut() {
            scope.spawn(move || {
                let Some(s) = session.as_mut() else { return };
                for name in names {
                    match master_obs(s, name, scrub) {
                        Ok(m) => obs.masters.push(m),
                        Err(e) => {
                            obs.error = Some(scrub.text(&e));
                            obs.masters.clear();
                            *session = None;
                            return;
                        }
                    }
                }
            });
        }
    });
    let sentinels: Vec<SentinelObs> = connected.into_iter().map(|(o, _)| o).collect();

    // Every data node a sentinel names.
    let mut addresses: Vec<String> = Vec::new();
    for s in &sentinels {
        for m in &s.masters {
            let all = std::iter::once(&m.fields).chain(&m.replicas);
            for a in all.filter_map(entry_address) {
                if !addresses.iter().any(|x| same_address(x, &a)) {
                    addresses.push(a);
                }
            }
        }
    }
    addresses.sort();
    let nodes: Vec<NodeObs> = std::thread::scope(|scope| {
        let handles: Vec<_> = addresses
            .iter()
            .map(|a| scope.spawn(|| node_obs(a, config, &scrub)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("probe thread"))
            .collect()
    });
    let cluster: Vec<ClusterNodeObs> = std::thread::scope(|scope| {
        let handles: Vec<_> = config
            .cluster
            .iter()
            .map(|a| scope.spawn(|| cluster_obs(a, config, &scrub)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("probe thread"))
            .collect()
    });
    Snapshot {
        masters: names,
        sentinels,
        nodes,
        cluster,
    }
}

/// `CLUSTER INFO` and `CLUSTER NODES` of one cluster node.
fn cluster_obs(address: &str, config: &ProbeConfig, scrub: &Scrub) -> ClusterNodeObs {
    let mut obs = ClusterNodeObs {
        address: address.to_string(),
        ..ClusterNodeObs::default()
    };
    let mut session = match connect(address, &config.node_auth, config) {
        Ok((session, required)) => {
            obs.password_required = Some(required);
            session
        }
        Err((error, required)) => {
            obs.error = Some(scrub.text(&error));
            obs.password_required = required;
            return obs;
        }
    };
    for command in [["CLUSTER", "INFO"], ["CLUSTER", "NODES"]] {
        match session.query(&command) {
            Ok(v) => {
                let body = scrub.text(&text(&v).unwrap_or_default());
                if command[1] == "INFO" {
                    obs.info = info_fields(&body);
                } else {
                    obs.nodes = body
                        .lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .map(str::to_string)
                        .collect();
                }
            }
            Err(Failure::Server(e)) | Err(Failure::Transport(e)) => {
                obs.error = Some(scrub.text(&e));
                return obs;
            }
        }
    }
    obs
}

/// `SENTINEL MASTER/REPLICAS/SENTINELS/CKQUORUM` for one name; `Err` when the
/// connection broke.
fn master_obs(s: &mut Session, name: &str, scrub: &Scrub) -> Result<MasterObs, String> {
    let mut m = MasterObs {
        name: name.to_string(),
        ..MasterObs::default()
    };
    match s.query(&["SENTINEL", "MASTER", name]) {
        Ok(v) => m.fields = scrub.fields(fields(&v)),
        Err(Failure::Server(e)) => {
            m.error = Some(scrub.text(&e));
            return Ok(m);
        }
        Err(Failure::Transport(e)) => return Err(e),
    }
    let replicas = match s.query(&["SENTINEL", "REPLICAS", name]) {
        // Before Redis 5: SLAVES only.
        Err(Failure::Server(_)) => s.query(&["SENTINEL", "SLAVES", name]),
        other => other,
    };
    match replicas {
        Ok(v) => {
            m.replicas = field_list(&v)
                .into_iter()
                .map(|f| scrub.fields(f))
                .collect()
        }
        Err(Failure::Server(_)) => {}
        Err(Failure::Transport(e)) => return Err(e),
    }
    match s.query(&["SENTINEL", "SENTINELS", name]) {
        Ok(v) => {
            m.sentinels = field_list(&v)
                .into_iter()
                .map(|f| scrub.fields(f))
                .collect()
        }
        Err(Failure::Server(_)) => {}
        Err(Failure::Transport(e)) => return Err(e),
    }
    match s.query(&["SENTINEL", "CKQUORUM", name]) {
        Ok(v) => m.ckquorum = Some(Reply::Ok(scrub.text(&text(&v).unwrap_or_default()))),
        Err(Failure::Server(e)) => m.ckquorum = Some(Reply::Err(scrub.text(&e))),
        Err(Failure::Transport(e)) => return Err(e),
    }
    Ok(m)
}

/// The settings of a data node the checks compare, read with `CONFIG GET`.
const NODE_CONFIG: [&str; 3] = [
    "min-replicas-to-write",
    "min-replicas-max-lag",
    "replica-priority",
];

fn node_obs(address: &str, config: &ProbeConfig, scrub: &Scrub) -> NodeObs {
    let mut obs = NodeObs {
        address: address.to_string(),
        ..NodeObs::default()
    };
    let mut session = match connect(address, &config.node_auth, config) {
        Ok((session, required)) => {
            obs.password_required = Some(required);
            session
        }
        Err((error, required)) => {
            obs.error = Some(scrub.text(&error));
            obs.password_required = required;
            return obs;
        }
    };
    match session.query(&["INFO", "replication"]) {
        Ok(v) => obs.replication = scrub.fields(info_fields(&text(&v).unwrap_or_default())),
        Err(Failure::Server(_)) => {}
        Err(Failure::Transport(e)) => {
            obs.error = Some(scrub.text(&e));
            return obs;
        }
    }
    for key in NODE_CONFIG {
        match session.query(&["CONFIG", "GET", key]) {
            Ok(v) => {
                for (k, v) in fields(&v) {
                    obs.config.insert(scrub.text(&k), scrub.text(&v));
                }
            }
            // Renamed or not allowed: the checks fall back to INFO.
            Err(Failure::Server(_)) => break,
            Err(Failure::Transport(e)) => {
                obs.error = Some(scrub.text(&e));
                return obs;
            }
        }
    }
    obs
}

/// Install the TLS crypto provider once (ring); harmless when one is installed.
pub fn init_tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_read_only_commands() {
        assert!(is_read_only(&["sentinel", "master", "x"]));
        assert!(is_read_only(&["INFO", "replication"]));
        assert!(is_read_only(&["CONFIG", "GET", "x"]));
        assert!(!is_read_only(&["CONFIG", "SET", "x", "y"]));
        assert!(!is_read_only(&["SENTINEL", "SET", "m", "quorum", "2"]));
        assert!(!is_read_only(&["SENTINEL", "RESET", "*"]));
        assert!(!is_read_only(&["SENTINEL", "FAILOVER", "m"]));
        assert!(!is_read_only(&[]));
    }

    #[test]
    fn info_text() {
        let f = info_fields("# Replication\r\nrole:master\r\nslave0:ip=1.2.3.4,port=1,state=online,offset=1,lag=0\r\n");
        assert_eq!(f["role"], "master");
        assert!(f["slave0"].contains("lag=0"));
    }

    #[test]
    fn credentials_debug_masks() {
        let c = Credentials {
            user: None,
            password: Some("hunter2-secret".into()),
        };
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
