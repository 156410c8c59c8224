//! The release whose stock `redis.conf` a config was copied from.
//!
//! Distribution packages install their release's `redis.conf`, and deployments onto
//! hosts (Ansible roles, Salt formulas, Vagrant provisioning) usually ship an edited copy
//! of it. When nothing else names the release a host runs (no image, no version
//! variable), that copy does: each release's stock file switches on a few directives the
//! one before did not have. The eras below are read from `redis.conf` at the `x.y.0`
//! tags of redis/redis (the patch releases of one line write the same directives, except
//! that late 6.0 patches added `jemalloc-bg-thread` and `oom-score-adj`, which no era
//! uses as a marker).

use super::directive::DirectiveMatch;
use super::version::{Flavor, Target, Version};

/// Directives the stock file of each release writes and the one before did not.
const ERAS: &[(Version, &[&str])] = &[
    (
        Version::new(3, 0, 0),
        &[
            "aof-load-truncated",
            "hll-sparse-max-bytes",
            "latency-monitor-threshold",
            "repl-diskless-sync",
            "tcp-backlog",
        ],
    ),
    (
        Version::new(3, 2, 0),
        &[
            "protected-mode",
            "supervised",
            "list-max-ziplist-size",
            "list-compress-depth",
        ],
    ),
    (
        Version::new(4, 0, 0),
        &[
            "always-show-logo",
            "aof-use-rdb-preamble",
            "lazyfree-lazy-eviction",
            "lazyfree-lazy-expire",
            "lazyfree-lazy-server-del",
            "slave-lazy-flush",
        ],
    ),
    (
        Version::new(5, 0, 0),
        &[
            "dynamic-hz",
            "rdb-save-incremental-fsync",
            "stream-node-max-bytes",
            "stream-node-max-entries",
            "replica-lazy-flush",
            "replica-serve-stale-data",
            "replica-read-only",
        ],
    ),
    (
        Version::new(6, 0, 0),
        &[
            "acllog-max-len",
            "lazyfree-lazy-user-del",
            "rdb-del-sync-files",
            "repl-diskless-load",
        ],
    ),
    (
        Version::new(6, 2, 0),
        &[
            "lazyfree-lazy-user-flush",
            "set-proc-title",
            "proc-title-template",
            "disable-thp",
        ],
    ),
    (
        Version::new(7, 0, 0),
        &[
            "aof-timestamp-enabled",
            "appenddirname",
            "hash-max-listpack-entries",
            "list-max-listpack-size",
            "zset-max-listpack-entries",
            "repl-diskless-sync-max-replicas",
        ],
    ),
];

/// Tuning lines every stock file since 2.8 writes and hand-written configs rarely
/// repeat: a config holding most of them is a copy of a stock file.
const STOCK_TAIL: &[&str] = &[
    "activerehashing",
    "aof-rewrite-incremental-fsync",
    "auto-aof-rewrite-min-size",
    "auto-aof-rewrite-percentage",
    "client-output-buffer-limit",
    "hash-max-ziplist-entries",
    "hash-max-ziplist-value",
    "hz",
    "lua-time-limit",
    "no-appendfsync-on-rewrite",
    "notify-keyspace-events",
    "rdbchecksum",
    "rdbcompression",
    "repl-disable-tcp-nodelay",
    "set-max-intset-entries",
    "slowlog-log-slower-than",
    "slowlog-max-len",
    "stop-writes-on-bgsave-error",
    "zset-max-ziplist-entries",
    "zset-max-ziplist-value",
];

/// The release a copy of a stock `redis.conf` comes from, older than 7.0 (newer ones
/// change no verdict against the newest release), and the index of the line that marks
/// it. `lines` are the config's directive names (lower case) with their lookup. `None`
/// when the config is not a stock copy, when its era is 7.0 or later, or when one of
/// its lines is a directive that release does not know (the host then runs something
/// newer than the file it started from).
pub fn stock_release(lines: &[(&str, Option<DirectiveMatch>)]) -> Option<(Target, usize)> {
    let has = |name: &str| lines.iter().position(|(n, _)| *n == name);
    let tail = STOCK_TAIL.iter().filter(|n| has(n).is_some()).count();
    if tail * 4 < STOCK_TAIL.len() * 3 {
        return None;
    }
    // The newest era whose markers the copy mostly holds; none of a later era's.
    let held = |markers: &[&str]| markers.iter().filter(|m| has(m).is_some()).count();
    let era = ERAS
        .iter()
        .rposition(|(_, markers)| held(markers) * 2 >= markers.len())?;
    if ERAS[era + 1..].iter().any(|(_, m)| held(m) > 0) {
        return None;
    }
    let (version, markers) = ERAS[era];
    if version >= Version::new(7, 0, 0) {
        return None;
    }
    let newest_patch = Target {
        flavor: Flavor::Redis,
        version: Version::new(version.major, version.minor, 99),
    };
    if lines
        .iter()
        .any(|(_, m)| m.is_some_and(|m| m.unavailable_on(newest_patch).is_some()))
    {
        return None;
    }
    let marker = markers.iter().find_map(|m| has(m))?;
    // A patch release of the line may be named by what the copy uses (`oom-score-adj`
    // came in 6.0.7): the release is at least the newest of those.
    let version = lines
        .iter()
        .filter_map(|(_, m)| m.and_then(|m| m.directive.redis_since))
        .filter(|since| since.major == version.major && since.minor == version.minor)
        .fold(version, |newest, since| newest.max(since));
    Some((
        Target {
            flavor: Flavor::Redis,
            version,
        },
        marker,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knowledge::lookup_directive;

    fn lines(names: &[&'static str]) -> Vec<(&'static str, Option<DirectiveMatch>)> {
        names.iter().map(|n| (*n, lookup_directive(n))).collect()
    }

    /// Most of the stock tail (17 of its 20 lines), as a copy with a few lines removed holds.
    const TAIL: &[&str] = STOCK_TAIL.split_at(17).0;

    #[test]
    fn a_stock_3_2_copy_is_3_2() {
        let mut names = TAIL.to_vec();
        names.extend([
            "bind",
            "protected-mode",
            "supervised",
            "list-max-ziplist-size",
            "aof-load-truncated",
            "tcp-backlog",
            "slave-read-only",
        ]);
        let (release, marker) = stock_release(&lines(&names)).unwrap();
        assert_eq!(release.version, Version::new(3, 2, 0));
        assert_eq!(names[marker], "protected-mode");
    }

    #[test]
    fn a_patch_releases_directive_raises_the_release_within_its_line() {
        let mut names = TAIL.to_vec();
        names.extend([
            "acllog-max-len",
            "lazyfree-lazy-user-del",
            "rdb-del-sync-files",
            "oom-score-adj",
        ]);
        let (release, _) = stock_release(&lines(&names)).unwrap();
        assert_eq!((release.version.major, release.version.minor), (6, 0));
        assert!(release.version >= Version::new(6, 0, 7), "{release}");
    }

    #[test]
    fn a_newer_directive_added_to_an_old_copy_leaves_the_release_open() {
        let mut names = TAIL.to_vec();
        names.extend(["protected-mode", "supervised", "replica-announce-ip"]);
        assert!(stock_release(&lines(&names)).is_none());
    }

    #[test]
    fn a_short_hand_written_config_says_nothing() {
        let names = ["bind", "protected-mode", "supervised", "port", "hz"];
        assert!(stock_release(&lines(&names)).is_none());
    }

    #[test]
    fn copies_from_7_0_on_say_nothing() {
        let mut names = TAIL.to_vec();
        names.extend(["appenddirname", "aof-timestamp-enabled", "protected-mode"]);
        assert!(stock_release(&lines(&names)).is_none());
    }
}
