//! Keywords accepted after `sentinel` in sentinel.conf (from `sentinelHandleConfiguration`).

use super::version::{Flavor, Target, Version};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Applies to the whole Sentinel process.
    Global,
    /// First argument is a master name defined by `sentinel monitor`.
    PerMaster,
}

/// What a sentinel keyword's value means, for value checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SentinelValue {
    Monitor,
    /// Milliseconds that must be > 0 (down-after, failover-timeout).
    PositiveMillis,
    /// Milliseconds that must be >= 0 (master-reboot-down-after-period).
    NonNegativeMillis,
    ParallelSyncs,
    YesNo,
    Port,
    Address,
    MyId,
    Other,
}

#[derive(Debug)]
pub struct SentinelKeyword {
    pub name: &'static str,
    pub scope: Scope,
    /// Accepted numbers of arguments after the keyword.
    pub arity: &'static [usize],
    /// Placeholder names of the arguments, for messages and docs.
    pub usage: &'static str,
    pub value: SentinelValue,
    pub redis_since: Option<Version>,
    pub valkey_since: Option<Version>,
    /// Index (after the keyword) of an argument that is a secret.
    pub secret_arg: Option<usize>,
    /// Written by Sentinel itself; hand-written copies are state, not settings.
    pub state: bool,
    pub doc: &'static str,
}

const fn v(major: u16, minor: u16, patch: u16) -> Option<Version> {
    Some(Version::new(major, minor, patch))
}

macro_rules! kw {
    ($name:literal, $scope:ident, [$($n:literal),*], $usage:literal, $value:ident, $since:expr, $valkey:expr, $secret:expr, $state:literal, $doc:literal) => {
        SentinelKeyword {
            name: $name,
            scope: Scope::$scope,
            arity: &[$($n),*],
            usage: $usage,
            value: SentinelValue::$value,
            redis_since: $since,
            valkey_since: $valkey,
            secret_arg: $secret,
            state: $state,
            doc: $doc,
        }
    };
}

pub static SENTINEL_KEYWORDS: &[SentinelKeyword] = &[
    kw!("monitor", PerMaster, [4], "<master-name> <ip|host> <port> <quorum>", Monitor, v(2, 6, 0), v(7, 2, 0), None, false,
        "Defines a monitored master. The quorum is how many sentinels must agree the master is down before a failover is attempted; a failover still needs a majority of all sentinels."),
    kw!("down-after-milliseconds", PerMaster, [2], "<master-name> <milliseconds>", PositiveMillis, v(2, 6, 0), v(7, 2, 0), None, false,
        "Time without a valid PING reply before an instance is considered down. Default 30000. No units: `5s` is read as 5."),
    kw!("failover-timeout", PerMaster, [2], "<master-name> <milliseconds>", PositiveMillis, v(2, 6, 0), v(7, 2, 0), None, false,
        "Bounds a failover; a failed attempt is retried after twice this value. Default 180000."),
    kw!("parallel-syncs", PerMaster, [2], "<master-name> <replicas>", ParallelSyncs, v(2, 6, 0), v(7, 2, 0), None, false,
        "How many replicas are re-pointed to a new master at the same time. Default 1."),
    kw!("auth-pass", PerMaster, [2], "<master-name> <password>", Other, v(2, 6, 0), v(7, 2, 0), Some(1), false,
        "Password Sentinel uses for the master and all of its replicas."),
    kw!("auth-user", PerMaster, [2], "<master-name> <username>", Other, v(6, 0, 0), v(7, 2, 0), None, false,
        "ACL user Sentinel uses for the master and its replicas."),
    kw!("notification-script", PerMaster, [2], "<master-name> <path>", Other, v(2, 6, 0), v(7, 2, 0), None, false,
        "Script called on warning-level events; must exist and be executable when Sentinel starts."),
    kw!("client-reconfig-script", PerMaster, [2], "<master-name> <path>", Other, v(2, 6, 0), v(7, 2, 0), None, false,
        "Script called after a failover with the old and new master addresses."),
    kw!("config-epoch", PerMaster, [2], "<master-name> <epoch>", Other, v(2, 8, 0), v(7, 2, 0), None, true,
        "State written by Sentinel."),
    kw!("leader-epoch", PerMaster, [2], "<master-name> <epoch>", Other, v(2, 8, 8), v(7, 2, 0), None, true,
        "State written by Sentinel."),
    kw!("known-replica", PerMaster, [3], "<master-name> <ip|host> <port>", Address, v(5, 0, 0), v(7, 2, 0), None, true,
        "A replica Sentinel discovered; written by Sentinel."),
    kw!("known-slave", PerMaster, [3], "<master-name> <ip|host> <port>", Address, v(2, 8, 0), v(7, 2, 0), None, true,
        "Old spelling of known-replica."),
    kw!("known-sentinel", PerMaster, [3, 4], "<master-name> <ip|host> <port> <runid>", Address, v(2, 8, 0), v(7, 2, 0), None, true,
        "Another sentinel watching the same master; every known sentinel is a voter."),
    kw!("rename-command", PerMaster, [3], "<master-name> <command> <renamed-command>", Other, v(5, 0, 0), v(7, 2, 0), None, false,
        "Tells Sentinel under which name a command was renamed on the data nodes."),
    kw!("master-reboot-down-after-period", PerMaster, [2], "<master-name> <milliseconds>", NonNegativeMillis, v(7, 0, 0), v(7, 2, 0), None, false,
        "After a master reboot, how long it may fail to answer PING before it is considered down. 0 disables it."),
    kw!("primary-reboot-down-after-period", PerMaster, [2], "<master-name> <milliseconds>", NonNegativeMillis, None, v(8, 0, 0), None, false,
        "Valkey spelling of master-reboot-down-after-period."),
    kw!("announce-ip", Global, [1], "<ip>", Other, v(2, 8, 15), v(7, 2, 0), None, false,
        "Address this sentinel gossips to its peers (NAT, Docker)."),
    kw!("announce-port", Global, [1], "<port>", Other, v(2, 8, 15), v(7, 2, 0), None, false,
        "Port this sentinel gossips to its peers."),
    kw!("announce-hostnames", Global, [1], "yes|no", YesNo, v(6, 2, 0), v(7, 2, 0), None, false,
        "Announce and record host names instead of resolved IP addresses."),
    kw!("resolve-hostnames", Global, [1], "yes|no", YesNo, v(6, 2, 0), v(7, 2, 0), None, false,
        "Accept host names in monitor and known-* lines; without it only IP addresses are accepted."),
    kw!("deny-scripts-reconfig", Global, [1], "yes|no", YesNo, v(3, 2, 13), v(7, 2, 0), None, false,
        "Forbid changing scripts with SENTINEL SET. Default yes."),
    kw!("sentinel-user", Global, [1], "<username>", Other, v(6, 2, 0), v(7, 2, 0), None, false,
        "User this sentinel authenticates with to other sentinels."),
    kw!("sentinel-pass", Global, [1], "<password>", Other, v(6, 2, 0), v(7, 2, 0), Some(0), false,
        "Password this sentinel authenticates with to other sentinels; defaults to its own requirepass."),
    kw!("myid", Global, [1], "<40-character id>", MyId, v(3, 2, 0), v(7, 2, 0), None, true,
        "This sentinel's identity; must be unique per sentinel. Generated when absent."),
    kw!("current-epoch", Global, [1], "<epoch>", Other, v(2, 8, 8), v(7, 2, 0), None, true,
        "State written by Sentinel."),
];

pub fn lookup_sentinel_keyword(name: &str) -> Option<&'static SentinelKeyword> {
    SENTINEL_KEYWORDS
        .iter()
        .find(|k| k.name.eq_ignore_ascii_case(name))
}

impl SentinelKeyword {
    /// Why the keyword is not read by `target`, or `None` when it is.
    pub fn unavailable_on(&self, target: Target) -> Option<String> {
        match target.flavor {
            Flavor::Redis => match self.redis_since {
                None => Some(format!("`sentinel {}` exists only in Valkey", self.name)),
                Some(since) if target.version < since => Some(format!(
                    "`sentinel {}` was added in Redis {since}",
                    self.name
                )),
                Some(_) => None,
            },
            Flavor::Valkey => match self.valkey_since {
                Some(since) if target.version >= since => None,
                Some(since) => Some(format!(
                    "`sentinel {}` was added in Valkey {since}",
                    self.name
                )),
                None => Some(format!("`sentinel {}` does not exist in Valkey", self.name)),
            },
        }
    }
}
