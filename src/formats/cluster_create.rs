//! `redis-cli --cluster create ADDR… [--cluster-replicas N]` commands (and `valkey-cli`)
//! that files of the tree run: in a script, a compose command, a Job or an init
//! container. They say which nodes form a Redis Cluster and how many replicas each
//! master gets.
//!
//! The command ends at the end of its line (a `\` continues it), at `;`, `&&`, `||`, `|`,
//! or at the closing bracket or quote of the list that holds it. A node word that is a
//! variable or a substitution leaves the node count unknown.

use crate::facts::sharding::ClusterCreate;
use crate::source::{FileId, Span, Spanned};

/// Options of `redis-cli` that take a value, whose value is not a node address.
const WITH_VALUE: [&str; 10] = [
    "-a",
    "-h",
    "-p",
    "--user",
    "--pass",
    "--cacert",
    "--cert",
    "--key",
    "--cluster-replicas",
    "-n",
];

/// Every `--cluster create …` in `text`.
pub fn find(file: FileId, text: &str) -> Vec<ClusterCreate> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("--cluster") {
        let at = from + i;
        from = at + "--cluster".len();
        let rest = &text[from..];
        // `--cluster create`, `--cluster", "create"` (a flow list) alike.
        let skipped = rest
            .bytes()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'"' | b'\'' | b','))
            .count();
        if skipped == 0 || !rest[skipped..].starts_with("create") {
            continue;
        }
        let after = from + skipped + "create".len();
        if text[after..]
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            continue;
        }
        let mut create = read(file, text, at, after);
        // A quote left open at the end of the line: the command goes on below (`'\` then
        // `"$(…) --cluster-replicas 1"`), where options may follow that are not read.
        if create.replicas.is_none() && open_quote_at_line_end(text, at) {
            create.replicas_unknown = true;
        }
        // `redis-cli -a PASSWORD --cluster create …`: the line is shown with the findings.
        let line_start = text[..at].rfind(['\n', ';', '|', '&']).map_or(0, |i| i + 1);
        let before = words(&text[..at], line_start);
        for pair in before.windows(2) {
            // `--cluster-replicas 1 --cluster create …`: redis-cli takes it in any order.
            if pair[0].1 == "--cluster-replicas" && create.replicas.is_none() {
                create.replicas = number(file, pair[1].0, pair[1].1);
                create.replicas_unknown = create.replicas.is_none();
            }
            if matches!(pair[0].1, "-a" | "--pass") {
                let (v_at, value) = pair[1];
                create
                    .secrets
                    .push(Span::new(file, v_at, v_at + value.len()));
            }
        }
        out.push(create);
        from = after;
    }
    out
}

/// The line holding `at` ends inside a quoted string (an odd number of unescaped `'` or
/// `"` on it, outside comments).
fn open_quote_at_line_end(text: &str, at: usize) -> bool {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let line = &text[start..end];
    let (mut single, mut double, mut escaped) = (false, false, false);
    for b in line.bytes() {
        match b {
            _ if escaped => escaped = false,
            b'\\' if !single => escaped = true,
            b'\'' if !double => single = !single,
            b'"' if !single => double = !double,
            b'#' if !single && !double => break,
            _ => {}
        }
    }
    single || double
}

fn read(file: FileId, text: &str, start: usize, after: usize) -> ClusterCreate {
    let words = words(text, after);
    let mut nodes = Vec::new();
    let mut exact = true;
    let mut replicas = None;
    let mut replicas_unknown = false;
    let mut secrets = Vec::new();
    let mut end = after;
    let mut i = 0;
    while i < words.len() {
        let (at, word) = words[i];
        end = at + word.len();
        if let Some(value) = word.strip_prefix("--cluster-replicas=") {
            replicas = number(file, at + word.len() - value.len(), value);
            replicas_unknown = replicas.is_none();
        } else if WITH_VALUE.contains(&word) {
            if let Some((v_at, value)) = words.get(i + 1) {
                if word == "--cluster-replicas" {
                    replicas = number(file, *v_at, value);
                    replicas_unknown = replicas.is_none();
                }
                if matches!(word, "-a" | "--pass") {
                    secrets.push(Span::new(file, *v_at, v_at + value.len()));
                }
                end = v_at + value.len();
            }
            i += 1;
        } else if word.starts_with('-') {
        } else if word.contains('$') || word.contains('`') || word.contains("{{") {
            exact = false;
        } else if word.contains(':') {
            // `127.0.0.1:{7000..7005}`: bash gives the command one address per value.
            match brace_expansion(word) {
                Some(addresses) => nodes.extend(
                    addresses
                        .into_iter()
                        .map(|a| Spanned::new(a, Span::new(file, at, at + word.len()))),
                ),
                None => exact = false,
            }
        } else {
            // A word that is not an address (a here-string, a brace expansion): the
            // list is not literal.
            exact = false;
        }
        i += 1;
    }
    ClusterCreate {
        file,
        command: Span::new(file, start, end),
        nodes,
        exact,
        replicas,
        replicas_unknown,
        secrets,
    }
}

/// The words bash makes of `word`: itself without braces; one per value of a
/// `{A..B}` range or a `{a,b}` list (at most 64); `None` for anything else.
fn brace_expansion(word: &str) -> Option<Vec<String>> {
    let Some(open) = word.find('{') else {
        return (!word.contains('}')).then(|| vec![word.to_string()]);
    };
    let close = open + word[open..].find('}')?;
    let (head, inner, tail) = (&word[..open], &word[open + 1..close], &word[close + 1..]);
    if tail.contains(['{', '}']) {
        return None;
    }
    let values: Vec<String> = match inner.split_once("..") {
        Some((a, b)) => {
            let (a, b): (i64, i64) = (a.parse().ok()?, b.parse().ok()?);
            if a > b || b - a >= 64 {
                return None;
            }
            (a..=b).map(|n| n.to_string()).collect()
        }
        None if inner.contains(',') => inner.split(',').map(str::to_string).collect(),
        None => return None,
    };
    Some(
        values
            .into_iter()
            .map(|v| format!("{head}{v}{tail}"))
            .collect(),
    )
}

fn number(file: FileId, at: usize, value: &str) -> Option<Spanned<i64>> {
    let n = value.parse().ok()?;
    Some(Spanned::new(n, Span::new(file, at, at + value.len())))
}

/// The words of the command from `from` to its end, with their offsets; quotes and
/// commas around a word are not part of it.
fn words(text: &str, from: usize) -> Vec<(usize, &str)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if bytes.get(i + 1) == Some(&b'\n') => i += 2,
            b'\\' if bytes.get(i + 1) == Some(&b'\r') => i += 3,
            b'\n' | b';' | b'|' | b'&' | b']' | b')' | b'#' => break,
            b' ' | b'\t' | b'\r' | b',' | b'"' | b'\'' => i += 1,
            _ => {
                let start = i;
                while i < bytes.len()
                    && !matches!(
                        bytes[i],
                        b' ' | b'\t'
                            | b'\r'
                            | b'\n'
                            | b','
                            | b'"'
                            | b'\''
                            | b';'
                            | b'|'
                            | b'&'
                            | b']'
                    )
                {
                    // `$(…)` keeps its parenthesis inside the word.
                    if bytes[i] == b')' && !text[start..i].contains("$(") {
                        break;
                    }
                    // A template's `{{ hosts | join(' ') }}` is one word, pipes and all.
                    if bytes[i] == b'{' && matches!(bytes.get(i + 1), Some(b'{' | b'%')) {
                        let close = if bytes[i + 1] == b'{' { "}}" } else { "%}" };
                        if let Some(len) = text[i + 2..].find(close) {
                            i += 2 + len + 2;
                            continue;
                        }
                    }
                    i += 1;
                }
                out.push((start, &text[start..i]));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> ClusterCreate {
        let mut all = find(FileId(0), text);
        assert_eq!(all.len(), 1, "{text}");
        all.remove(0)
    }

    #[test]
    fn shell_line_with_continuations() {
        let c = one("redis-cli --cluster create 10.0.0.1:6379 10.0.0.2:6379 \\\n  10.0.0.3:6379 10.0.0.4:6379 10.0.0.5:6379 10.0.0.6:6379 --cluster-replicas 1 --cluster-yes\necho done");
        assert_eq!(c.nodes.len(), 6);
        assert!(c.exact);
        assert_eq!(c.masters(), Some(3));
    }

    #[test]
    fn password_before_cluster_is_a_secret() {
        let text = "x\nredis-cli -a 'Pw1' --cluster create a:1 b:2 c:3\n";
        let c = one(text);
        let s = c.secrets[0];
        assert_eq!(&text[s.start as usize..s.end as usize], "Pw1");
    }

    #[test]
    fn flow_list_and_password() {
        let c = one(
            r#"command: ["redis-cli", "-a", "pw", "--cluster", "create", "a:7000", "b:7001", "c:7002", "--cluster-yes"]"#,
        );
        assert_eq!(c.nodes.len(), 3);
        assert_eq!(c.replicas_per_master(), 0);
        assert_eq!(c.masters(), Some(3));
    }

    #[test]
    fn brace_expansions_are_one_node_per_value() {
        let c = one("valkey-cli --cluster create 127.0.0.1:{7000..7005} --cluster-replicas 1");
        assert!(c.exact);
        assert_eq!(c.nodes.len(), 6);
        assert_eq!(c.nodes[5].value, "127.0.0.1:7005");
        let c = one("redis-cli --cluster create 10.0.0.{1..3}:6379");
        assert_eq!(c.nodes.len(), 3);
        assert!(!one("redis-cli --cluster create h:{a..z}").exact);
    }

    #[test]
    fn variables_leave_the_count_unknown() {
        let c = one("redis-cli --cluster create a:1 b:2 c:3 d:4 --cluster-replicas $N");
        assert!(c.replicas_unknown && c.masters().is_none());
        let c = one("redis-cli --cluster create $NODES --cluster-replicas 1 --cluster-yes");
        assert!(!c.exact);
        assert_eq!(c.masters(), None);
        assert_eq!(c.replicas_per_master(), 1);
    }

    #[test]
    fn command_ends_at_the_next_command() {
        let c = one(
            "yes yes | redis-cli --cluster create a:1 b:2 c:3 d:4 --cluster-replicas=1 && echo a:9",
        );
        assert_eq!(c.nodes.len(), 4);
        assert_eq!(c.masters(), Some(2));
    }

    #[test]
    fn replicas_before_create_and_template_pipes() {
        let c = one("redis-cli -a x --cluster-replicas 1 --cluster create a:1 b:2 c:3 d:4 e:5 f:6");
        assert_eq!(c.replicas.map(|r| r.value), Some(1));
        assert_eq!(c.nodes.len(), 6);
        let c = one("redis-cli --cluster create {{ hosts | map('join', ':') | join(' ') }} --cluster-replicas 1 --cluster-yes");
        assert_eq!(c.replicas.map(|r| r.value), Some(1));
        assert!(!c.exact);
    }

    #[test]
    fn command_going_on_inside_a_quote_leaves_replicas_unknown() {
        let text = "echo docker run redis redis-cli --cluster create '\\\n'\"$(for p in 1 2; do echo x; done) --cluster-replicas 1\"\n";
        let c = one(text);
        assert!(c.replicas.is_none());
        assert!(c.replicas_unknown);
        let plain = one("redis-cli --cluster create 10.0.0.1:7000 'x'\n");
        assert!(!plain.replicas_unknown);
    }

    #[test]
    fn other_cluster_subcommands_are_not_creates() {
        assert!(find(
            FileId(0),
            "redis-cli --cluster check a:1\nredis-cli --cluster created"
        )
        .is_empty());
    }
}
