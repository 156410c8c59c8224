//! Facts about Redis, Valkey and Sentinel configuration: directives, value grammars,
//! defaults, secrets and version windows. Pure data plus small parsers; no I/O.

pub mod cmdline;
pub mod commands;
pub mod directive;
mod directive_table;
pub mod sentinel;
pub mod systemd_keys;
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

/// The closest candidate within a distance that grows with the word's length.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    let limit = (word.chars().count() / 3).clamp(1, 4);
    candidates
        .into_iter()
        .map(|c| (levenshtein(&word, &c.to_ascii_lowercase()), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, c)| (d, c.len()))
        .map(|(_, c)| c)
}
