//! `SENTINEL SET <master> <option> <value>` commands that files of the tree send to the
//! sentinels at run time: through `redis-cli` in a script, a ConfigMap or a compose
//! command, or as the text of a command a program builds (`"sentinel set {} …"`). The
//! sentinels run with these values whatever their config files say.
//!
//! Only options whose value is a plain number are read, and only a literal number: a
//! value from a variable stays unknown.

use crate::facts::RuntimeSet;
use crate::source::{FileId, Span, Spanned};

/// The options read, as Sentinel names them.
const OPTIONS: [&str; 3] = [
    "down-after-milliseconds",
    "failover-timeout",
    "parallel-syncs",
];

/// Every `sentinel set NAME OPTION NUMBER` in `text`, in any letter case.
pub fn find(file: FileId, text: &str) -> Vec<RuntimeSet> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(found) = find_word(bytes, at, b"sentinel") {
        at = found + "sentinel".len();
        if let Some(set) = read_set(file, text, found, at) {
            out.push(set);
        }
    }
    out
}

/// The next `word` (any case) at or after `from` that does not continue a longer word.
fn find_word(bytes: &[u8], from: usize, word: &[u8]) -> Option<usize> {
    let mut i = from;
    while i + word.len() <= bytes.len() {
        if bytes[i..i + word.len()].eq_ignore_ascii_case(word)
            && (i == 0 || !is_word_byte(bytes[i - 1]))
            && bytes.get(i + word.len()).is_none_or(|b| !is_word_byte(*b))
        {
            return Some(i);
        }
        i += 1;
    }
    None
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// The words after `sentinel` on the same line: `set`, the master, the option, the value.
fn read_set(file: FileId, text: &str, start: usize, after: usize) -> Option<RuntimeSet> {
    let line_end = text[after..].find('\n').map_or(text.len(), |i| after + i);
    let mut words = text[after..line_end]
        .split_ascii_whitespace()
        .map(|w| (w.as_ptr() as usize - text.as_ptr() as usize, w));
    let (_, set) = words.next()?;
    if !set.eq_ignore_ascii_case("set") {
        return None;
    }
    let (_, master) = words.next()?;
    let (_, option) = words.next()?;
    let option = OPTIONS
        .iter()
        .find(|o| option.trim_matches(['"', '\'']).eq_ignore_ascii_case(o))?;
    let (value_at, raw) = words.next()?;
    let digits: &str = raw
        .trim_start_matches(['"', '\''])
        .split(|c: char| !c.is_ascii_digit())
        .next()?;
    if digits.is_empty() {
        return None;
    }
    let value_at = value_at + (raw.len() - raw.trim_start_matches(['"', '\'']).len());
    let value: i64 = digits.parse().ok()?;
    Some(RuntimeSet {
        master: master.trim_matches(['"', '\'']).to_string(),
        option,
        value: Spanned::new(value, Span::new(file, value_at, value_at + digits.len())),
        command: Span::new(file, start, value_at + digits.len()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_in_scripts_and_strings() {
        let text = "redis-cli -p 26379 SENTINEL SET mymaster down-after-milliseconds 1000\n\
                    cmd = \"sentinel set {} failover-timeout 5000\".format(name)\n\
                    redis-cli sentinel set m down-after-milliseconds $DOWN\n\
                    redis-cli sentinel set m quorum 2\n\
                    # sentinel-set mymaster down-after-milliseconds 5\n";
        let found = find(FileId(0), text);
        let read: Vec<(&str, &str, i64, &str)> = found
            .iter()
            .map(|s| {
                (
                    s.master.as_str(),
                    s.option,
                    s.value.value,
                    &text[s.value.span.range()],
                )
            })
            .collect();
        assert_eq!(
            read,
            [
                ("mymaster", "down-after-milliseconds", 1000, "1000"),
                ("{}", "failover-timeout", 5000, "5000"),
            ]
        );
    }
}
