//! Redis / Valkey versions and the `--target-version` grammar.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    pub major: u16,
    pub minor: u16,
    pub patch: u16,
}

impl Version {
    pub const fn new(major: u16, minor: u16, patch: u16) -> Version {
        Version {
            major,
            minor,
            patch,
        }
    }

    /// A missing patch number means "the latest patch of the series": `redis-7.0` is
    /// whatever 7.0.x is deployed, and distributions ship late patches.
    pub const ANY_PATCH: u16 = 999;

    /// Parse `7`, `7.0` or `7.0.15`; a suffix like `-alpine` is ignored.
    pub fn parse(text: &str) -> Option<Version> {
        let core: String = text
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        let mut parts = core.split('.').filter(|p| !p.is_empty());
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next().map_or(Some(0), |p| p.parse().ok())?;
        let patch = parts
            .next()
            .map_or(Some(Self::ANY_PATCH), |p| p.parse().ok())?;
        Some(Version::new(major, minor, patch))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.patch == 0 || self.patch == Self::ANY_PATCH {
            write!(f, "{}.{}", self.major, self.minor)
        } else {
            write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flavor {
    Redis,
    Valkey,
}

/// The server the configuration is meant for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Target {
    pub flavor: Flavor,
    pub version: Version,
}

impl Target {
    /// The newest Redis this knowledge base describes.
    pub const NEWEST_REDIS: Target = Target {
        flavor: Flavor::Redis,
        version: Version::new(8, 2, 0),
    };

    /// The latest patch of a Redis series.
    pub const fn redis(major: u16, minor: u16) -> Target {
        Target {
            flavor: Flavor::Redis,
            version: Version::new(major, minor, Version::ANY_PATCH),
        }
    }

    /// `redis-7.0`, `valkey-8.0`, `redis-6.2.7`, or a bare `7.2` (Redis).
    pub fn parse(text: &str) -> Result<Target, String> {
        let lower = text.trim().to_ascii_lowercase();
        let (flavor, rest) = if let Some(rest) = lower.strip_prefix("valkey") {
            (Flavor::Valkey, rest)
        } else if let Some(rest) = lower.strip_prefix("redis") {
            (Flavor::Redis, rest)
        } else {
            (Flavor::Redis, lower.as_str())
        };
        let rest = rest.trim_start_matches(['-', '@', ':', ' ']);
        let version = Version::parse(rest).ok_or_else(|| {
            format!("invalid target version `{text}` (expected e.g. redis-7.0, redis-7.2.4, valkey-8.0)")
        })?;
        let supported = match flavor {
            Flavor::Redis => version >= Version::new(2, 6, 0),
            Flavor::Valkey => version >= Version::new(7, 2, 0),
        };
        if !supported {
            return Err(format!(
                "target version `{text}` is older than anything redis-halint knows"
            ));
        }
        Ok(Target { flavor, version })
    }

    /// Does a Redis feature that appeared in `redis_since` exist on this target?
    /// Valkey forked from Redis 7.2.4, so it has every Redis feature up to 7.2.
    pub fn has_redis_feature(&self, redis_since: Version) -> bool {
        match self.flavor {
            Flavor::Redis => self.version >= redis_since,
            Flavor::Valkey => redis_since <= Version::new(7, 2, 4),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.flavor {
            Flavor::Redis => write!(f, "Redis {}", self.version),
            Flavor::Valkey => write!(f, "Valkey {}", self.version),
        }
    }
}

impl Default for Target {
    fn default() -> Self {
        Target::NEWEST_REDIS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_targets() {
        assert_eq!(Target::parse("redis-7.0").unwrap(), Target::redis(7, 0));
        assert_eq!(Target::parse("valkey-8.0").unwrap().flavor, Flavor::Valkey);
        assert_eq!(
            Target::parse("6.2.7").unwrap().version,
            Version::new(6, 2, 7)
        );
        assert!(Target::parse("redis-x").is_err());
    }
}
