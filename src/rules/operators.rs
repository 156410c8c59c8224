//! Operator custom resources whose shape the operator does not accept.

use crate::diagnostic::Diagnostic;
use crate::rules::{Context, Rule};

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for r in &ctx.topology.resources {
        if r.api_group == "redis.redis.opstreelabs.in"
            && r.kind == "Redis"
            && !r.sentinel_fields.is_empty()
        {
            let (first, name) = &r.sentinel_fields[0];
            let mut d = Diagnostic::new(
                Rule::OpstreeRedisKindSentinelMode,
                *first,
                format!("OpsTree `kind: Redis` is a standalone server: it has no `{name}` field, so the operator rejects or silently drops it and deploys a single Redis with no replica and no Sentinel"),
            )
            .help("declare a `RedisReplication` (data nodes, `spec.clusterSize`) and a `RedisSentinel` whose `spec.redisSentinelConfig.redisReplicationName` names it");
            for (span, field) in r.sentinel_fields.iter().skip(1) {
                d = d.label(
                    *span,
                    format!("`{field}` is not a field of kind Redis either"),
                );
            }
            out.push(d);
        }
    }
}
