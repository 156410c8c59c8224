//! How a start script picks the role of the server it starts: by the pod's own name or
//! ordinal, and whether it asks the sentinels first.

/// A shell test of the pod's own name or ordinal (`[ "$(hostname)" = "redis-0" ]`,
/// `${HOSTNAME##*-}`, `$POD_NAME`…) in an `if`/`case`/`test` line.
pub fn ordinal_test(script: &str) -> Option<std::ops::Range<usize>> {
    // Variables that hold the pod's name or ordinal (`INDEX=${HOSTNAME##*-}`,
    // `ME=$(hostname)`), as `$name` / `${name` in lower case.
    let mut derived: Vec<String> = Vec::new();
    for line in script.lines() {
        let line = line
            .trim()
            .trim_start_matches("export ")
            .trim_start_matches("local ");
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        let plain =
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        let value = value.to_ascii_lowercase();
        let from_self = value.contains("hostname")
            || value.contains("pod_name")
            || value.contains("##*-")
            || derived.iter().any(|d| value.contains(d.as_str()));
        if plain && from_self && !name.eq_ignore_ascii_case("hostname") {
            let name = name.to_ascii_lowercase();
            derived.push(format!("${name}"));
            derived.push(format!("${{{name}"));
        }
    }
    let mut offset = 0;
    for line in script.split('\n') {
        let start = offset;
        offset += line.len() + 1;
        let trimmed = line.trim();
        let lower = trimmed.to_ascii_lowercase();
        let is_test = lower.starts_with("if ")
            || lower.starts_with("elif ")
            || lower.starts_with("case ")
            || lower.starts_with("[ ")
            || lower.starts_with("[[ ")
            || lower.starts_with("test ");
        let names_self = lower.contains("hostname")
            || lower.contains("pod_name")
            || lower.contains("ordinal")
            || lower.contains("##*-")
            || derived.iter().any(|d| lower.contains(d.as_str()));
        let zero = lower.contains("-0")
            || lower.contains("\"0\"")
            || lower.contains("= 0")
            || lower.contains("== 0")
            || lower.contains("-eq 0")
            || lower.contains("-ne 0")
            || lower.contains("-gt 0")
            || lower.contains("!= 0")
            || lower.contains("ordinal");
        if (is_test && names_self && zero) || pings_pod_zero(&lower) {
            let lead = line.len() - line.trim_start().len();
            return Some(start + lead..start + lead + trimmed.len());
        }
    }
    None
}

/// `redis-cli -h redis-0.redis-headless ping`: whether pod 0 answers decides the role.
/// Pod 0 restarted after a failover pings itself (still starting), finds no answer and
/// starts as a master; the other pods follow pod 0 whatever it is.
fn pings_pod_zero(lower: &str) -> bool {
    let Some(args) = redis_cli_args(lower) else {
        return false;
    };
    let host = args
        .windows(2)
        .find(|w| w[0] == "-h")
        .map(|w| w[1].split('.').next().unwrap_or(""));
    args.contains(&"ping") && host.is_some_and(|h| h.len() > 2 && h.ends_with("-0"))
}

/// The words after `redis-cli` on a line of a script (quotes, `$(…)`, brackets and
/// command separators split words), if the line runs it.
fn redis_cli_args(line: &str) -> Option<Vec<&str>> {
    let words: Vec<&str> = line
        .split(|c: char| c.is_whitespace() || "\"'()$`[];|&".contains(c))
        .filter(|w| !w.is_empty())
        .collect();
    let cli = words.iter().position(|w| w.ends_with("redis-cli"))?;
    Some(words[cli + 1..].to_vec())
}

/// The script queries Sentinel for the current master before choosing a role, and does
/// not fall back to the ordinal merely because a sentinel does not answer a PING (after
/// a full restart, or while the sentinels restart, that fallback makes pod 0 the master
/// whatever it holds).
pub fn asks_sentinels(script: &str) -> bool {
    let lower = script.to_ascii_lowercase();
    let asks = lower.contains("get-master-addr-by-name")
        || lower.contains("sentinel master ")
        || lower.contains("sentinel masters");
    asks && !decides_by_sentinel_ping(&lower)
}

/// A `redis-cli … ping` sent to a sentinel (its host or port names it) whose answer the
/// script compares: the role then depends on whether the sentinel is up.
fn decides_by_sentinel_ping(lower: &str) -> bool {
    lower.lines().any(|line| {
        let Some(args) = redis_cli_args(line) else {
            return false;
        };
        let pings = args.contains(&"ping");
        let at_sentinel = args.iter().any(|w| w.contains("sentinel") || *w == "26379");
        pings && at_sentinel && line.contains("pong")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ping_of_pod_zero_picks_the_role() {
        let script = "M=$(redis-cli -h cache-0.cache-headless.ns.svc.cluster.local ping 2>/dev/null && echo cache-0 || echo \"\")\nif [ -z \"$M\" ]; then\n  cp a b\nfi\n";
        let found = ordinal_test(script).map(|r| script[r].to_string());
        assert!(found.is_some_and(|l| l.starts_with("M=$(redis-cli -h cache-0")));
        // Pinging a sentinel, or a pod that is not pod 0, is not this test.
        assert!(ordinal_test("if redis-cli -h cache-sentinel ping; then x; fi\n").is_none());
        assert!(ordinal_test("if redis-cli -h cache-1.cache ping; then x; fi\n").is_none());
    }

    #[test]
    fn tests_of_the_pod_ordinal() {
        let found = |s: &str| ordinal_test(s).map(|r| s[r].to_string());
        assert_eq!(
            found("HOSTNAME=$(hostname)\nINDEX=${HOSTNAME##*-}\nif [ \"$INDEX\" != \"0\" ]; then\n  x\nfi\n")
                .as_deref(),
            Some("if [ \"$INDEX\" != \"0\" ]; then")
        );
        assert!(found("if [ \"$HOSTNAME\" = \"redis-0\" ]; then x; fi").is_some());
        assert!(found("N=3\nif [ \"$N\" = \"0\" ]; then x; fi").is_none());
        // The ordinal cut from the name, compared as a number.
        let cut = "ID=$(hostname | rev | cut -d'-' -f1 | rev);\nif [ $ID -ne 0 ]; then x; fi\n";
        assert_eq!(found(cut).as_deref(), Some("if [ $ID -ne 0 ]; then x; fi"));
    }

    #[test]
    fn a_sentinel_ping_that_decides_the_role_is_no_query() {
        let script = "if [ \"$(redis-cli -h sentinel -p 5000 ping)\" != \"PONG\" ]; then\n  if [ \"$(hostname)\" == \"redis-0\" ]; then :; fi\nelse\n  M=$(redis-cli -h sentinel -p 5000 sentinel get-master-addr-by-name mymaster)\nfi\n";
        assert!(!asks_sentinels(script));
        let script = "M=$(redis-cli -h sentinel -p 26379 sentinel get-master-addr-by-name mymaster)\nif [ -z \"$M\" ] && [ \"$(hostname)\" = redis-0 ]; then :; fi\n";
        assert!(asks_sentinels(script));
        // A ping of the data node is not about the sentinels.
        let script = "redis-cli -h localhost ping | grep PONG\nM=$(redis-cli -h sentinel -p 26379 sentinel get-master-addr-by-name x)\n";
        assert!(asks_sentinels(script));
    }
}
