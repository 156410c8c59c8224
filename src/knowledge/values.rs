//! Value grammars exactly as Redis reads them (`string2ll`, `memtoull`, `atoi`, yes/no).

use std::net::IpAddr;

/// `yes` / `no`, case-insensitive; nothing else (not `true`, not `1`).
pub fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("yes") {
        Some(true)
    } else if text.eq_ignore_ascii_case("no") {
        Some(false)
    } else {
        None
    }
}

/// `string2ll`: optional `-`, digits, no `+`, no leading zero, no spaces, fits in i64.
pub fn parse_integer(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if digits.len() > 1 && digits.starts_with('0') {
        return None;
    }
    if text == "-0" {
        return None;
    }
    text.parse().ok()
}

/// `memtoull`: digits and an optional unit (b, k, kb, m, mb, g, gb; any case).
/// An empty value or a bare unit reads as 0, as in Redis.
pub fn parse_memory(text: &str) -> Option<u128> {
    let lower = text.to_ascii_lowercase();
    let split = lower
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(lower.len());
    let (digits, unit) = lower.split_at(split);
    let multiplier: u128 = match unit {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    if digits.is_empty() {
        return Some(0);
    }
    let value: u128 = digits.parse().ok()?;
    if value > u64::MAX as u128 {
        return None;
    }
    Some(value * multiplier)
}

/// C `atoi`: leading blanks, optional sign, digits up to the first non-digit; 0 when none.
pub fn atoi(text: &str) -> i64 {
    let t = text.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (negative, rest) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let mut value: i64 = 0;
    for b in rest.bytes().take_while(u8::is_ascii_digit) {
        value = value.saturating_mul(10).saturating_add(i64::from(b - b'0'));
    }
    if negative {
        -value
    } else {
        value
    }
}

/// Whether `atoi` reads the whole token (no trailing letters such as `5s`).
pub fn atoi_is_exact(text: &str) -> bool {
    let rest = text.strip_prefix(['-', '+']).unwrap_or(text);
    !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit())
}

/// A CPU amount in millicores: a Kubernetes quantity (`100m`, `0.5`, `2`) or a compose
/// `cpus` value (`0.05`). `None` for anything else (a template, `1k`).
pub fn parse_millicores(text: &str) -> Option<i64> {
    let text = text.trim().trim_matches(['"', '\'']);
    if let Some(milli) = text.strip_suffix('m') {
        return milli
            .parse::<u64>()
            .ok()
            .map(|m| m.min(i64::MAX as u64) as i64);
    }
    let cores: f64 = text.parse().ok()?;
    (cores.is_finite() && cores >= 0.0).then(|| (cores * 1000.0).round() as i64)
}

/// A Kubernetes memory quantity in bytes: `512Mi`, `1Gi` (powers of 1024), `1G`, `500M`
/// (powers of 1000), `1e9`, a plain number. `None` for anything else (a template, `512m`,
/// which is milli-bytes).
pub fn parse_k8s_bytes(text: &str) -> Option<u128> {
    let text = text.trim().trim_matches(['"', '\'']);
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let multiplier: f64 = match unit {
        "" => 1.0,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        _ if unit.starts_with(['e', 'E']) => 10f64.powi(unit[1..].parse().ok()?),
        _ => return None,
    };
    let value: f64 = number.parse().ok()?;
    let bytes = value * multiplier;
    (1.0..1e20).contains(&bytes).then_some(bytes as u128)
}

/// A Docker memory amount in bytes (compose `mem_limit`, `deploy.resources.limits.memory`):
/// a number with an optional unit `b`, `k`, `m`, `g` (powers of 1024; any case, `kb`,
/// `mb`, `gb` too).
pub fn parse_docker_bytes(text: &str) -> Option<u128> {
    let lower = text.trim().trim_matches(['"', '\'']).to_ascii_lowercase();
    let split = lower
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(lower.len());
    let (number, unit) = lower.split_at(split);
    let shift = match unit.trim_end_matches('b') {
        "" => 0,
        "k" => 10,
        "m" => 20,
        "g" => 30,
        "t" => 40,
        _ => return None,
    };
    let value: f64 = number.parse().ok()?;
    let bytes = value * (1u64 << shift) as f64;
    (1.0..1e20).contains(&bytes).then_some(bytes as u128)
}

/// An amount of bytes in binary units, as systemd and Kubernetes limits are written:
/// `4G`, `1.5G`, `512M`.
pub fn human_bytes(bytes: u128) -> String {
    const UNITS: [(&str, u32); 4] = [("T", 40), ("G", 30), ("M", 20), ("K", 10)];
    for (unit, shift) in UNITS {
        if bytes >= 1 << shift && bytes.is_multiple_of(1 << shift) {
            return format!("{}{unit}", bytes >> shift);
        }
    }
    for (unit, shift) in UNITS {
        if bytes >= 1 << shift {
            return format!("{:.1}{unit}", bytes as f64 / (1u128 << shift) as f64);
        }
    }
    format!("{bytes}")
}

/// Where the password of a URL's user information is (`redis://user:PASSWORD@host`,
/// `rediss://:PASSWORD@host`) in `text`, which may hold the URL among other characters
/// (quotes). `None` when there is no such password.
pub fn url_password(text: &str) -> Option<std::ops::Range<usize>> {
    let scheme_end = text.find("://")? + 3;
    let rest = &text[scheme_end..];
    // The user information ends at the last `@` before the path.
    let authority_end = rest
        .find(['/', '?', '#', '"', '\'', ' '])
        .unwrap_or(rest.len());
    let at = rest[..authority_end].rfind('@')?;
    let colon = rest[..at].find(':')?;
    let range = scheme_end + colon + 1..scheme_end + at;
    (!range.is_empty()).then_some(range)
}

/// A literal IPv4 or IPv6 address (what Sentinel accepts without resolve-hostnames).
pub fn is_ip_literal(text: &str) -> bool {
    text.parse::<IpAddr>().is_ok()
}

pub fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Whether a shell word takes part of its value from a variable or a command: `$NAME`,
/// `${…}`, `$(…)`, backquotes. A `$` before anything else (`P@ss$7x`, `$$`) expands
/// only that much: the rest of the word is still written out.
pub fn expands_variable(text: &str) -> bool {
    let bytes = text.as_bytes();
    text.contains('`')
        || bytes.windows(2).any(|w| {
            w[0] == b'$' && (w[1].is_ascii_alphabetic() || matches!(w[1], b'_' | b'{' | b'('))
        })
}

/// A value that is a template placeholder rather than a literal: `${VAR}`, `$VAR`, `{{ .x }}`.
/// Such values are unknown, never compared.
pub fn is_template(text: &str) -> bool {
    if text.contains("{{") || text.contains("{%") || text.contains("${") || text.contains("<%") {
        return true;
    }
    // `__MASTER_PORT__`, `@PORT@`, `{MASTER_PORT}` placeholders of sed-based templates.
    let placeholder = |inner: &str| {
        !inner.is_empty()
            && inner
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
    };
    if let Some(inner) = text.strip_prefix("__").and_then(|t| t.strip_suffix("__")) {
        if placeholder(inner) {
            return true;
        }
    }
    let loose = |inner: &str| {
        !inner.is_empty()
            && inner
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    // `[master-host]`, `<master-ip>`: placeholders of configs meant to be filled in
    // (by hand, or by a provisioning script's sed).
    for (open, close, check) in [
        ('@', '@', &loose as &dyn Fn(&str) -> bool),
        ('%', '%', &loose),
        ('[', ']', &loose),
        ('<', '>', &loose),
        ('{', '}', &|inner: &str| {
            !inner.is_empty()
                && inner
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        }),
    ] {
        if let Some(inner) = text.strip_prefix(open).and_then(|t| t.strip_suffix(close)) {
            if check(inner) {
                return true;
            }
        }
    }
    // `YOURMASTERIP`, `YOUR_HOST_IP`: a value the reader is told to write in.
    if text.len() > 4
        && text.starts_with("YOUR")
        && text
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
    {
        return true;
    }
    let bytes = text.as_bytes();
    bytes
        .windows(2)
        .any(|w| w[0] == b'$' && (w[1].is_ascii_alphabetic() || w[1] == b'_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_to_fill_in() {
        assert!(is_template("YOURMASTERIP"));
        assert!(is_template("YOUR_HOST_IP"));
        assert!(!is_template("yourhost"));
        assert!(!is_template("YOUR"));
        assert!(!is_template("redis-master"));
    }

    #[test]
    fn memory_limits_of_kubernetes_and_docker() {
        assert_eq!(parse_k8s_bytes("512Mi"), Some(512 << 20));
        assert_eq!(parse_k8s_bytes("1Gi"), Some(1 << 30));
        assert_eq!(parse_k8s_bytes("1G"), Some(1_000_000_000));
        assert_eq!(parse_k8s_bytes("1.5Gi"), Some(3 << 29));
        assert_eq!(parse_k8s_bytes("1e9"), Some(1_000_000_000));
        assert_eq!(parse_k8s_bytes("512m"), None, "milli-bytes");
        assert_eq!(parse_k8s_bytes("{{ .Values.mem }}"), None);
        assert_eq!(parse_docker_bytes("1g"), Some(1 << 30));
        assert_eq!(parse_docker_bytes("512M"), Some(512 << 20));
        assert_eq!(parse_docker_bytes("512mb"), Some(512 << 20));
        assert_eq!(parse_docker_bytes("1024"), Some(1024));
        assert_eq!(parse_docker_bytes("lots"), None);
        assert_eq!(human_bytes(1536 << 20), "1536M");
        assert_eq!(human_bytes((1 << 30) + 1), "1.0G");
    }

    #[test]
    fn integers_follow_string2ll() {
        assert_eq!(parse_integer("300"), Some(300));
        assert_eq!(parse_integer("-1"), Some(-1));
        assert_eq!(parse_integer("0300"), None);
        assert_eq!(parse_integer("+5"), None);
        assert_eq!(parse_integer("5s"), None);
        assert_eq!(parse_integer("0"), Some(0));
    }

    #[test]
    fn url_passwords() {
        let t = "\"redis://:pw-1@redis:6379/0\"";
        assert_eq!(&t[url_password(t).unwrap()], "pw-1");
        let t = "rediss://app:p@ss@host";
        assert_eq!(&t[url_password(t).unwrap()], "p@ss");
        assert_eq!(url_password("redis://redis:6379"), None);
        assert_eq!(url_password("redis://user@redis:6379"), None);
    }

    #[test]
    fn cpu_quantities() {
        assert_eq!(parse_millicores("50m"), Some(50));
        assert_eq!(parse_millicores("0.1"), Some(100));
        assert_eq!(parse_millicores("'0.05'"), Some(50));
        assert_eq!(parse_millicores("2"), Some(2000));
        assert_eq!(parse_millicores("${CPU}"), None);
        assert_eq!(parse_millicores("-1"), None);
    }

    #[test]
    fn memory_units() {
        assert_eq!(parse_memory("1k"), Some(1000));
        assert_eq!(parse_memory("1KB"), Some(1024));
        assert_eq!(parse_memory("0100mb"), Some(100 * 1024 * 1024));
        assert_eq!(parse_memory("gb"), Some(0));
        assert_eq!(parse_memory("1tb"), None);
        assert_eq!(parse_memory("1.5gb"), None);
        assert_eq!(parse_memory("-1"), None);
    }

    #[test]
    fn atoi_like_c() {
        assert_eq!(atoi("2abc"), 2);
        assert_eq!(atoi("abc"), 0);
        assert_eq!(atoi("-5"), -5);
        assert!(!atoi_is_exact("5s"));
    }

    #[test]
    fn templates_are_unknown() {
        assert!(is_template("${REDIS_PASSWORD}"));
        assert!(is_template("$PASS"));
        assert!(!is_template("pa$$"));
        assert!(!is_template("plain"));
        assert!(is_template("__PRIMARYPORT__"));
        assert!(is_template("{MASTER_PORT}"));
        assert!(is_template("{{ redis_port }}"));
        assert!(is_template("[redis-master-host]"));
        assert!(is_template("<master-ip>"));
        assert!(!is_template("[::1]"));
    }
}
