//! Container images that run Redis or Valkey, and the release an image reference names.
//!
//! Only the tag is read: `redis:7.2.4-alpine`, `bitnami/redis-sentinel:6.0.16-debian-10-r0`,
//! `valkey/valkey:8`, `redis/redis-stack-server:7.2.0-v6`. `latest`, no tag, a bare
//! variant (`alpine`) or a digest say nothing about the release: the caller then uses the
//! target version.

use crate::knowledge::{Flavor, Target, Version};

/// The families of images whose tags follow the server's version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFamily {
    /// `redis`, `library/redis`, `valkey/valkey`: the official images.
    Official,
    /// `bitnami/redis`, `bitnamilegacy/redis` (and `valkey`): configured through
    /// environment variables.
    BitnamiServer,
    /// `bitnami/redis-sentinel`, `bitnamilegacy/redis-sentinel` (and `valkey-sentinel`).
    BitnamiSentinel,
    /// `redis/redis-stack-server`, `redis/redis-stack`: tag `7.2.0-v6`.
    RedisStack,
    /// `bitnami/redis-cluster`, `bitnamilegacy/redis-cluster` (and `valkey-cluster`): a
    /// cluster node configured through environment variables (`REDIS_NODES`, …).
    BitnamiCluster,
}

/// An image reference split into the parts that matter here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    pub family: ImageFamily,
    pub flavor: Flavor,
    /// The release the tag names, when it names one.
    pub release: Option<Target>,
}

/// Read an image reference (`registry:5000/bitnami/redis:7.2`, `redis@sha256:…`).
/// `None` for images that are not a Redis or Valkey server this module knows.
pub fn image_ref(image: &str) -> Option<ImageRef> {
    let image = image.trim().to_ascii_lowercase();
    let without_digest = image.split('@').next().unwrap_or("");
    // The tag follows the last `:` after the last `/` (a registry may have a port).
    let last_slash = without_digest.rfind('/').map_or(0, |i| i + 1);
    let (path, tag) = match without_digest[last_slash..].find(':') {
        Some(i) => (
            &without_digest[..last_slash + i],
            &without_digest[last_slash + i + 1..],
        ),
        None => (without_digest, ""),
    };
    let parts: Vec<&str> = path.split('/').collect();
    let name = *parts.last()?;
    // `registry:5000/redis`, `docker.io/redis`: a registry host is not an owner.
    let owner = parts
        .len()
        .checked_sub(2)
        .map(|i| parts[i])
        .filter(|o| !(o.contains('.') || o.contains(':') || *o == "localhost"))
        .unwrap_or("");
    let bitnami = matches!(owner, "bitnami" | "bitnamilegacy");
    let (family, flavor) = match (owner, name) {
        (_, "redis-sentinel") if bitnami => (ImageFamily::BitnamiSentinel, Flavor::Redis),
        (_, "valkey-sentinel") if bitnami => (ImageFamily::BitnamiSentinel, Flavor::Valkey),
        (_, "redis-cluster") if bitnami => (ImageFamily::BitnamiCluster, Flavor::Redis),
        (_, "valkey-cluster") if bitnami => (ImageFamily::BitnamiCluster, Flavor::Valkey),
        (_, "redis") if bitnami => (ImageFamily::BitnamiServer, Flavor::Redis),
        (_, "valkey") if bitnami => (ImageFamily::BitnamiServer, Flavor::Valkey),
        ("redis", "redis-stack-server" | "redis-stack") => (ImageFamily::RedisStack, Flavor::Redis),
        ("" | "library", "redis") => (ImageFamily::Official, Flavor::Redis),
        ("valkey" | "valkey-io" | "", "valkey") => (ImageFamily::Official, Flavor::Valkey),
        _ => return None,
    };
    Some(ImageRef {
        family,
        flavor,
        release: release_of_tag(flavor, tag),
    })
}

/// `7.2.4-alpine` → 7.2.4; `7` → the last 7.x series; `latest`, `alpine` → unknown.
fn release_of_tag(flavor: Flavor, tag: &str) -> Option<Target> {
    if !tag.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let numbers: Vec<&str> = tag
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .next()
        .unwrap_or("")
        .split('.')
        .filter(|p| !p.is_empty())
        .collect();
    let major: u16 = numbers.first()?.parse().ok()?;
    let version = match numbers.as_slice() {
        [_] => Version::new(major, last_minor(flavor, major)?, Version::ANY_PATCH),
        _ => Version::parse(&numbers.join("."))?,
    };
    Some(Target { flavor, version })
}

/// A tag of the major version alone (`redis:7`) runs the last minor series of it.
fn last_minor(flavor: Flavor, major: u16) -> Option<u16> {
    match (flavor, major) {
        (Flavor::Redis, 2) => Some(8),
        (Flavor::Redis, 3) => Some(2),
        (Flavor::Redis, 4 | 5) => Some(0),
        (Flavor::Redis, 6) => Some(2),
        (Flavor::Redis, 7) => Some(4),
        (Flavor::Redis, 8) => Some(2),
        (Flavor::Valkey, 7) => Some(2),
        (Flavor::Valkey, 8) => Some(1),
        (Flavor::Valkey, 9) => Some(0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn release(image: &str) -> Option<String> {
        image_ref(image)?.release.map(|t| t.to_string())
    }

    #[test]
    fn tags_name_releases() {
        assert_eq!(release("redis:5.0.6").as_deref(), Some("Redis 5.0.6"));
        assert_eq!(release("redis:6.0-alpine").as_deref(), Some("Redis 6.0"));
        assert_eq!(release("redis:3").as_deref(), Some("Redis 3.2"));
        assert_eq!(
            release("docker.io/library/redis:7.2.4").as_deref(),
            Some("Redis 7.2.4")
        );
        assert_eq!(
            release("bitnami/redis-sentinel:6.0.16-debian-10-r0").as_deref(),
            Some("Redis 6.0.16")
        );
        assert_eq!(
            release("bitnamilegacy/redis:7.4.2").as_deref(),
            Some("Redis 7.4.2")
        );
        assert_eq!(release("valkey/valkey:8").as_deref(), Some("Valkey 8.1"));
        assert_eq!(
            release("redis/redis-stack-server:7.2.0-v6").as_deref(),
            Some("Redis 7.2")
        );
        assert_eq!(
            release("registry:5000/redis:6.2").as_deref(),
            Some("Redis 6.2")
        );
    }

    #[test]
    fn unknown_releases_and_images() {
        assert_eq!(release("redis:latest"), None);
        assert_eq!(release("redis"), None);
        assert_eq!(release("redis:alpine"), None);
        assert_eq!(release("redis@sha256:0123abcd"), None);
        assert!(image_ref("mysql:8").is_none());
        assert!(image_ref("someone/redis:7").is_none());
        assert_eq!(
            image_ref("bitnami/redis-sentinel:latest").unwrap().family,
            ImageFamily::BitnamiSentinel
        );
    }
}
