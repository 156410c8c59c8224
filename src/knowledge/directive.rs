//! The shape of a redis.conf directive and the lookup by name (case-insensitive, aliases).

use super::directive_table::DIRECTIVES;
use super::version::{Flavor, Target, Version};
use std::collections::HashMap;
use std::sync::OnceLock;

/// How the value of a directive is read by Redis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// `yes` / `no`, case-insensitive.
    Bool,
    /// Any single token.
    Str,
    /// `string2ll` integer with an inclusive range.
    Int {
        min: i128,
        max: i128,
    },
    /// `memtoull` value: digits plus an optional k/kb/m/mb/g/gb unit.
    Memory {
        min: i128,
        max: i128,
    },
    /// `maxmemory-clients`: memory value or `N%`.
    MemoryOrPercent,
    /// `unixsocketperm`.
    Octal,
    Enum(&'static [&'static str]),
    /// Several flags from a set (`shutdown-on-sigterm save now`).
    FlagSet(&'static [&'static str]),
    Save,
    ClientOutputBufferLimit,
    OomScoreAdjValues,
    KeyspaceEvents,
    Bind,
    ReplicaOf,
    Percentiles,
    Include,
    RenameCommand,
    User,
    LoadModule,
    Sentinel,
    /// Accepted and ignored (exactly one argument).
    Ignored,
}

#[derive(Debug, Clone, Copy)]
pub struct Alias {
    pub name: &'static str,
    /// When the alias spelling was accepted, if earlier than the canonical name.
    pub since: Option<Version>,
}

#[derive(Debug)]
pub struct Directive {
    pub name: &'static str,
    pub aliases: &'static [Alias],
    pub kind: ValueKind,
    pub default: &'static str,
    pub multi_arg: bool,
    pub secret: bool,
    /// First Redis version that reads it; `None` for Valkey-only directives.
    pub redis_since: Option<Version>,
    /// First Redis version that no longer reads it.
    pub removed_in: Option<Version>,
    /// First Valkey version that reads it; `None` when Valkey never did.
    pub valkey_since: Option<Version>,
    pub notes: &'static str,
}

impl Directive {
    /// Whether the directive takes exactly one value (Redis refuses more or fewer).
    pub fn takes_one_value(&self) -> bool {
        !self.multi_arg
            && !matches!(
                self.kind,
                ValueKind::Include
                    | ValueKind::RenameCommand
                    | ValueKind::User
                    | ValueKind::LoadModule
                    | ValueKind::Sentinel
            )
    }
}

/// A directive found by one of its spellings.
#[derive(Debug, Clone, Copy)]
pub struct DirectiveMatch {
    pub directive: &'static Directive,
    /// The alias used, if not the canonical name.
    pub alias: Option<&'static Alias>,
}

impl DirectiveMatch {
    /// Why this spelling is not read by `target`, or `None` when it is.
    pub fn unavailable_on(&self, target: Target) -> Option<String> {
        let d = self.directive;
        match target.flavor {
            Flavor::Redis => {
                let Some(since) = d.redis_since else {
                    return Some(format!("`{}` exists only in Valkey", d.name));
                };
                let since = match self.alias {
                    Some(Alias {
                        since: Some(alias_since),
                        ..
                    }) => *alias_since,
                    _ => since,
                };
                if target.version < since {
                    return Some(format!("`{}` was added in Redis {since}", self.spelling()));
                }
                if let Some(removed) = d.removed_in {
                    if target.version >= removed {
                        return Some(format!("`{}` was removed in Redis {removed}", d.name));
                    }
                }
                None
            }
            Flavor::Valkey => match d.valkey_since {
                None => Some(format!("`{}` does not exist in Valkey", d.name)),
                Some(since) if target.version < since => {
                    Some(format!("`{}` was added in Valkey {since}", d.name))
                }
                Some(_) => None,
            },
        }
    }

    pub fn spelling(&self) -> &'static str {
        self.alias.map_or(self.directive.name, |a| a.name)
    }
}

fn index() -> &'static HashMap<&'static str, DirectiveMatch> {
    static INDEX: OnceLock<HashMap<&'static str, DirectiveMatch>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut map = HashMap::new();
        for directive in DIRECTIVES {
            map.insert(
                directive.name,
                DirectiveMatch {
                    directive,
                    alias: None,
                },
            );
            for alias in directive.aliases {
                map.entry(alias.name).or_insert(DirectiveMatch {
                    directive,
                    alias: Some(alias),
                });
            }
        }
        map
    })
}

/// Look up a directive by any spelling; `name` must already be lower-case.
pub fn lookup_directive(name: &str) -> Option<DirectiveMatch> {
    index().get(name).copied()
}

/// Every spelling, for did-you-mean and completion.
pub fn all_spellings() -> impl Iterator<Item = &'static str> {
    index().keys().copied()
}

/// The name under which facts about a directive are kept: Valkey's `primary*`
/// spellings mean the same thing as Redis's `master*` ones.
pub fn fact_key(directive: &'static Directive) -> &'static str {
    match directive.name {
        "primaryauth" => "masterauth",
        "primaryuser" => "masteruser",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_resolve_to_canonical() {
        let m = lookup_directive("slaveof").unwrap();
        assert_eq!(m.directive.name, "replicaof");
        assert_eq!(m.spelling(), "slaveof");
        assert!(lookup_directive("maxmemroy").is_none());
    }

    #[test]
    fn version_windows() {
        let m = lookup_directive("locale-collate").unwrap();
        assert!(m.unavailable_on(Target::redis(7, 0)).is_some());
        assert!(m.unavailable_on(Target::redis(7, 2)).is_none());
        let gopher = lookup_directive("gopher-enabled").unwrap();
        assert!(gopher.unavailable_on(Target::redis(6, 2)).is_none());
        assert!(gopher.unavailable_on(Target::redis(7, 0)).is_some());
        let primary = lookup_directive("primaryauth").unwrap();
        assert!(primary.unavailable_on(Target::redis(7, 4)).is_some());
    }
}
