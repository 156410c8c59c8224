//! Format grammars that turn text into trees whose every token keeps its span.

pub mod redis_conf;
pub mod shell;
pub mod systemd;
pub mod yaml;

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
