//! Facts about Redis, Valkey and Sentinel configuration: directives, value grammars,
//! defaults, secrets and version windows. Pure data plus small parsers; no I/O.

pub mod acl;
pub mod clients;
pub mod cmdline;
pub mod commands;
pub mod directive;
mod directive_table;
pub mod host_release;
pub mod images;
pub mod sentinel;
pub mod stock_conf;
pub mod values;
pub mod version;

pub use directive::{lookup_directive, Directive, DirectiveMatch, ValueKind};
pub use sentinel::{lookup_sentinel_keyword, SentinelKeyword, SENTINEL_KEYWORDS};
pub use version::{Flavor, Target, Version};

/// Commands Sentinel sends to the data nodes (all remappable with `sentinel rename-command`).
pub const SENTINEL_SENT_COMMANDS: &[&str] = &[
    "AUTH",
    "CLIENT",
    "CONFIG",
    "EXEC",
    "INFO",
    "MULTI",
    "PING",
    "PUBLISH",
    "SCRIPT",
    "SLAVEOF",
    "SUBSCRIBE",
];

/// Edit distance used for did-you-mean suggestions.
pub fn levenshtein(a: &str, b: &str) -> usize {
    if a.is_ascii() && b.is_ascii() && b.len() < 64 {
        return levenshtein_ascii(a.as_bytes(), b.as_bytes(), usize::MAX);
    }
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// [`levenshtein`] of short ASCII words, without allocating; stops as soon as the
/// distance is known to be above `limit` (then any value above it is returned).
fn levenshtein_ascii(a: &[u8], b: &[u8], limit: usize) -> usize {
    let mut prev = [0usize; 64];
    let mut cur = [0usize; 64];
    for (j, p) in prev.iter_mut().enumerate().take(b.len() + 1) {
        *p = j;
    }
    for (i, &ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut best = cur[0];
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            best = best.min(cur[j + 1]);
        }
        // Every later row is at least the smallest value of this one.
        if best > limit {
            return best;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The distance when it is at most `limit`.
fn distance_within(a: &str, b: &str, limit: usize) -> Option<usize> {
    let d = if a.is_ascii() && b.is_ascii() && b.len() < 64 {
        levenshtein_ascii(a.as_bytes(), b.as_bytes(), limit)
    } else {
        levenshtein(a, b)
    };
    (d <= limit).then_some(d)
}

/// The closest candidate within a distance that grows with the word's length.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    let chars = word.chars().count();
    let limit = (chars / 3).clamp(1, 4);
    candidates
        .into_iter()
        // The distance is at least the difference in length: most candidates are out of
        // reach without computing it (a file of thousands of unknown lines stays fast).
        .filter(|c| {
            c.len().abs_diff(word.len()) <= limit
                || (!(word.is_ascii() && c.is_ascii())
                    && c.chars().count().abs_diff(chars) <= limit)
        })
        .filter_map(|c| {
            let distance = if c.bytes().any(|b| b.is_ascii_uppercase()) {
                distance_within(&word, &c.to_ascii_lowercase(), limit)
            } else {
                distance_within(&word, c, limit)
            };
            Some((distance?, c))
        })
        // Ties go to the shorter name, then the first in alphabetical order: the same
        // answer whatever order the candidates come in.
        .min_by_key(|&(d, c)| (d, c.len(), c))
        .map(|(_, c)| c)
}
