//! How applications are told which master to ask the sentinels for: the environment
//! variables of common clients and frameworks (Spring Boot's relaxed binding of
//! `spring.redis.sentinel.master` / `spring.data.redis.sentinel.master` among them).

/// Variables by which applications name the master they ask sentinels for.
const MASTER_NAME_VARIABLES: &[&str] = &[
    "REDIS_SENTINEL_MASTER",
    "REDIS_SENTINEL_MASTER_NAME",
    "REDIS_SENTINEL_MASTER_SET",
    "REDIS_MASTER_NAME",
    "REDIS_MASTER_SET",
    "SENTINEL_MASTER",
    "SENTINEL_MASTER_NAME",
    "SENTINEL_MASTER_SET",
    "SPRING_DATA_REDIS_SENTINEL_MASTER",
    "SPRING_REDIS_SENTINEL_MASTER",
];

/// Whether an application variable names the master it asks the sentinels for.
/// (The bitnami sentinel image reads `REDIS_MASTER_SET` for its own monitor: callers
/// look only at processes that run no Redis.)
pub fn names_sentinel_master(variable: &str) -> bool {
    MASTER_NAME_VARIABLES.contains(&variable)
}

#[cfg(test)]
mod tests {
    #[test]
    fn master_name_variables() {
        assert!(super::names_sentinel_master("REDIS_MASTER_SET"));
        assert!(super::names_sentinel_master("SPRING_REDIS_SENTINEL_MASTER"));
        assert!(!super::names_sentinel_master("REDIS_MASTER_HOST"));
    }
}
