//! Format grammars that turn text into trees whose every token keeps its span.

pub mod branches;
pub mod gotemplate;
pub mod jinja;
pub mod redis_conf;
pub mod shell;
pub mod systemd;
pub mod systemd_keys;
pub mod yaml;

/// One comment of a file, as the format's front end sees it (the suppression scanner
/// reads inline suppressions from them).
#[derive(Debug, Clone)]
pub struct Comment {
    /// Byte range of the comment, from its comment marker (`#`) to the end of the line.
    pub range: std::ops::Range<usize>,
    /// Length of the comment marker (`#` = 1, `//` = 2, …).
    pub marker_len: usize,
    /// The 0-based line a line-level suppression in this comment applies to: the comment's
    /// own line for an end-of-line comment, otherwise the next line holding code. `None`
    /// when nothing follows.
    pub target_line: Option<u32>,
}

/// Byte offset where a `#` comment starts in a line of YAML or shell: at the start or
/// after a blank, outside quotes.
pub fn hash_comment_start(line: &str) -> Option<usize> {
    let (mut single, mut double) = (false, false);
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'\'' if !double => single = !single,
            b'"' if !single => double = !double,
            b'#' if !single
                && !double
                && (i == 0 || bytes[i - 1] == b' ' || bytes[i - 1] == b'\t') =>
            {
                return Some(i)
            }
            _ => {}
        }
    }
    None
}
