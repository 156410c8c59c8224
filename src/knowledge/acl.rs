//! ACL rules (`user NAME rule…`) as Redis applies them, for the commands and the channel
//! Sentinel uses on a data node. Sources: acl.c `ACLSetSelector` / `ACLSetUser` and
//! `ACLLoadConfiguredUsers`, the command tables of `src/commands/*.json` (categories,
//! plus the ones `setImplicitACLCategories` derives from flags), sentinel.c's 14
//! `redisAsyncCommand` calls.

use crate::knowledge::{Target, Version};

/// The channel every sentinel publishes and subscribes to on each data node.
pub const HELLO_CHANNEL: &str = "__sentinel__:hello";

/// One command (or container subcommand) Sentinel sends to a data node, with its ACL
/// categories in Redis 7.0 (6.x differs only in not splitting subcommands).
pub struct SentCommand {
    /// `ACL SETUSER` spelling: `ping`, `config|rewrite`.
    pub name: &'static str,
    pub categories: &'static [&'static str],
    /// What fails without it.
    pub breaks: &'static str,
    /// Without it monitoring and failover still work in the common case.
    pub optional: bool,
}

pub const SENTINEL_SENDS: &[SentCommand] = &[
    SentCommand {
        name: "ping",
        categories: &["fast", "connection"],
        breaks: "every PING fails, so the node is marked down",
        optional: false,
    },
    SentCommand {
        name: "info",
        categories: &["slow", "dangerous"],
        breaks: "INFO fails, so Sentinel never learns the node's role or its replicas",
        optional: false,
    },
    SentCommand {
        name: "publish",
        categories: &["pubsub", "fast"],
        breaks: "the hello messages cannot be published, so sentinels do not discover each other",
        optional: false,
    },
    SentCommand {
        name: "subscribe",
        categories: &["pubsub", "slow"],
        breaks: "the hello channel cannot be read, so sentinels do not discover each other",
        optional: false,
    },
    SentCommand {
        name: "multi",
        categories: &["fast", "transaction"],
        breaks: "the promotion transaction cannot start",
        optional: false,
    },
    SentCommand {
        name: "exec",
        categories: &["slow", "transaction"],
        breaks: "the promotion transaction is never executed",
        optional: false,
    },
    SentCommand {
        name: "slaveof",
        categories: &["admin", "dangerous", "slow"],
        breaks: "SLAVEOF is refused, so EXEC aborts and no replica is promoted or repointed (Sentinel sends SLAVEOF, never REPLICAOF)",
        optional: false,
    },
    SentCommand {
        name: "config|rewrite",
        categories: &["admin", "dangerous", "slow"],
        breaks: "CONFIG REWRITE is refused, so EXEC aborts the promotion",
        optional: false,
    },
    SentCommand {
        name: "client|kill",
        categories: &["admin", "dangerous", "slow", "connection"],
        breaks: "CLIENT KILL is refused, so EXEC aborts the promotion",
        optional: false,
    },
    SentCommand {
        name: "script|kill",
        categories: &["slow", "scripting"],
        breaks: "a node stuck in a long script (-BUSY) cannot be freed with SCRIPT KILL",
        optional: true,
    },
];

/// Why a user cannot use the hello channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelDenied {
    /// A new user starts without channels on this release (7.0+ default).
    ReleaseDefault,
    /// `acl-pubsub-default resetchannels` in the config.
    PubsubDefault,
    /// `resetchannels` (or `reset`) in the user's rules, with no channel granted after.
    ResetChannels,
    /// Channel patterns are granted, none matching the hello channel.
    NoMatchingPattern,
}

/// What a user may do, as far as Sentinel is concerned.
#[derive(Debug, Clone)]
pub struct Access {
    pub enabled: bool,
    /// Per entry of [`SENTINEL_SENDS`].
    pub allowed: Vec<bool>,
    /// `None`: the hello channel is allowed.
    pub hello_denied: Option<ChannelDenied>,
}

impl Access {
    pub fn can_run(&self, name: &str) -> bool {
        SENTINEL_SENDS
            .iter()
            .position(|c| c.name == name)
            .is_some_and(|i| self.allowed[i])
    }

    /// Sentinel's commands this user may not run.
    pub fn missing(&self) -> impl Iterator<Item = &'static SentCommand> + '_ {
        SENTINEL_SENDS
            .iter()
            .zip(&self.allowed)
            .filter(|(_, ok)| !**ok)
            .map(|(c, _)| c)
    }
}

/// Whether new users start with every channel: the release default unless the config
/// sets `acl-pubsub-default`. `None` before 6.2 (no channel permissions at all).
pub fn channels_by_default(release: Target, pubsub_default: Option<bool>) -> Option<bool> {
    if !release.has_redis_feature(Version::new(6, 2, 0)) {
        return None;
    }
    Some(pubsub_default.unwrap_or(!release.has_redis_feature(Version::new(7, 0, 0))))
}

/// Apply a user's rules as Redis does when it loads them. `is_default`: the line is
/// `user default …`, which Redis applies after a `reset` of the built-in user. `None`
/// when a rule is not understood (selectors, a typo): nothing is concluded.
pub fn evaluate<'a>(
    rules: impl IntoIterator<Item = &'a str>,
    release: Target,
    pubsub_default: Option<bool>,
) -> Option<Access> {
    let all_channels_default = channels_by_default(release, pubsub_default);
    let mut allowed = vec![false; SENTINEL_SENDS.len()];
    let mut enabled = false;
    // (every channel, patterns granted, reset explicitly)
    let mut all_channels = all_channels_default.unwrap_or(true);
    let mut patterns: Vec<String> = Vec::new();
    let mut reset_explicitly = false;
    for rule in rules {
        let lower = rule.to_ascii_lowercase();
        match lower.as_str() {
            "on" => enabled = true,
            "off" => enabled = false,
            "nopass"
            | "resetpass"
            | "allkeys"
            | "resetkeys"
            | "clearselectors"
            | "sanitize-payload"
            | "skip-sanitize-payload" => {}
            "allcommands" | "+@all" => allowed.fill(true),
            "nocommands" | "-@all" => allowed.fill(false),
            "allchannels" => {
                all_channels = true;
                patterns.clear();
            }
            "resetchannels" => {
                all_channels = false;
                patterns.clear();
                reset_explicitly = true;
            }
            "reset" => {
                allowed.fill(false);
                enabled = false;
                all_channels = all_channels_default.unwrap_or(true);
                patterns.clear();
                reset_explicitly = !all_channels;
            }
            _ => {
                let first = lower.chars().next()?;
                match first {
                    '>' | '<' | '#' | '!' | '~' | '%' => {}
                    '&' => {
                        if lower == "&*" {
                            all_channels = true;
                        }
                        patterns.push(rule[1..].to_string());
                    }
                    '+' | '-' => {
                        let grant = first == '+';
                        let what = &lower[1..];
                        if let Some(category) = what.strip_prefix('@') {
                            for (i, c) in SENTINEL_SENDS.iter().enumerate() {
                                if c.categories.contains(&category) {
                                    allowed[i] = grant;
                                }
                            }
                        } else {
                            for (i, c) in SENTINEL_SENDS.iter().enumerate() {
                                let command = c.name.split('|').next().unwrap_or(c.name);
                                if what == c.name || what == command {
                                    allowed[i] = grant;
                                }
                            }
                        }
                    }
                    // A selector `(…)` or a rule this table does not know.
                    _ => return None,
                }
            }
        }
    }
    let hello_denied = match all_channels_default {
        None => None,
        Some(_) if all_channels => None,
        Some(_) if patterns.iter().any(|p| glob_matches(p, HELLO_CHANNEL)) => None,
        Some(_) if !patterns.is_empty() => Some(ChannelDenied::NoMatchingPattern),
        Some(_) if reset_explicitly => Some(ChannelDenied::ResetChannels),
        Some(_) if pubsub_default == Some(false) => Some(ChannelDenied::PubsubDefault),
        Some(_) => Some(ChannelDenied::ReleaseDefault),
    };
    Some(Access {
        enabled,
        allowed,
        hello_denied,
    })
}

/// Redis's glob (`*`, `?`, `[…]`, `\` escapes), as ACL channel patterns use it.
fn glob_matches(pattern: &str, text: &str) -> bool {
    fn go(p: &[u8], t: &[u8]) -> bool {
        match p.first() {
            None => t.is_empty(),
            Some(b'*') => (0..=t.len()).any(|i| go(&p[1..], &t[i..])),
            Some(b'?') => !t.is_empty() && go(&p[1..], &t[1..]),
            Some(b'[') => {
                let Some(close) = p.iter().skip(1).position(|&c| c == b']') else {
                    return !t.is_empty() && t[0] == b'[' && go(&p[1..], &t[1..]);
                };
                let class = &p[1..1 + close];
                let (negate, class) = match class.first() {
                    Some(b'^') => (true, &class[1..]),
                    _ => (false, class),
                };
                let Some(&c) = t.first() else { return false };
                let mut hit = false;
                let mut i = 0;
                while i < class.len() {
                    if i + 2 < class.len() && class[i + 1] == b'-' {
                        hit |= class[i] <= c && c <= class[i + 2];
                        i += 3;
                    } else {
                        hit |= class[i] == c;
                        i += 1;
                    }
                }
                hit != negate && go(&p[close + 2..], &t[1..])
            }
            Some(b'\\') if p.len() > 1 => !t.is_empty() && t[0] == p[1] && go(&p[2..], &t[1..]),
            Some(&c) => !t.is_empty() && t[0] == c && go(&p[1..], &t[1..]),
        }
    }
    go(pattern.as_bytes(), text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(rules: &str, release: &str) -> Access {
        evaluate(
            rules.split_whitespace(),
            Target::parse(release).unwrap(),
            None,
        )
        .unwrap()
    }

    #[test]
    fn the_documented_sentinel_user_is_enough() {
        let a = access("on >pw allchannels +multi +slaveof +ping +exec +subscribe +config|rewrite +role +publish +info +client|setname +client|kill +script|kill", "redis-7.0");
        assert!(a.enabled && a.missing().next().is_none() && a.hello_denied.is_none());
    }

    #[test]
    fn the_shipped_example_lacks_the_channel_on_7_only() {
        let rules =
            "+client +subscribe +publish +ping +info +multi +slaveof +config +client +exec on";
        assert_eq!(
            access(rules, "redis-7.0").hello_denied,
            Some(ChannelDenied::ReleaseDefault)
        );
        assert_eq!(access(rules, "redis-6.2").hello_denied, None);
        let missing: Vec<_> = access(rules, "redis-7.0")
            .missing()
            .map(|c| c.name)
            .collect();
        assert_eq!(missing, ["script|kill"]);
    }

    #[test]
    fn replicaof_is_not_slaveof_and_categories_count() {
        let a = access("on +@all -@dangerous +replicaof &*", "redis-7.2");
        let missing: Vec<_> = a.missing().map(|c| c.name).collect();
        assert_eq!(
            missing,
            ["info", "slaveof", "config|rewrite", "client|kill"]
        );
        assert!(access("on +@all -config +config|rewrite", "redis-7.2").can_run("config|rewrite"));
    }

    #[test]
    fn patterns_and_selectors() {
        assert!(access("on &__sentinel__:* +@all", "redis-7.0")
            .hello_denied
            .is_none());
        assert_eq!(
            access("on &app:* +@all", "redis-7.0").hello_denied,
            Some(ChannelDenied::NoMatchingPattern)
        );
        assert!(evaluate(
            ["on", "(+get ~k*)"],
            Target::parse("redis-7.0").unwrap(),
            None
        )
        .is_none());
        assert!(glob_matches("__sentinel__:[gh]ello", HELLO_CHANNEL));
    }
}
