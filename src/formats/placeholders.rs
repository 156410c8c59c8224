//! Placeholders that a script of the tree fills in with `sed` before Redis reads a config
//! (`sed -i "s/REDIS_MASTER_HOST/$REDIS_MASTER_HOST/g" sentinel.conf`). In the template the
//! placeholder is a word like any other, so `port REDIS_SENTINEL_PORT` would read as an
//! invalid port; knowing the tree's `sed` patterns, such words are values unknown until
//! run time, or the environment variable the script puts in their place.

use compact_str::CompactString;

/// One `s/PATTERN/REPLACEMENT/` of a `sed` command whose pattern is a plain word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SedPlaceholder {
    /// The word `sed` looks for.
    pub pattern: CompactString,
    /// The environment variable written in its place (`$VAR`, `${VAR}`), when the
    /// replacement is exactly one variable.
    pub variable: Option<CompactString>,
    /// The replacement, when it is a plain word of its own (no variable, no command).
    pub literal: Option<CompactString>,
    /// The file the command edits (its last argument), as written.
    pub target: Option<CompactString>,
}

impl SedPlaceholder {
    /// A word that only a template holds: filled from a variable, or written like a
    /// placeholder (no lower-case letter, or in template marks). A real value that a
    /// script rewrites into another (`s/redis-master/redis/`) is an edit of that one
    /// script's copy ([`SedPlaceholder::is_edit`]), and elsewhere the file means what it says.
    pub fn is_placeholder(&self) -> bool {
        !self.is_edit()
    }

    /// A real value replaced by another literal word (`s/redis-master/redis/g`).
    pub fn is_edit(&self) -> bool {
        let marked = !self
            .pattern
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        self.literal.is_some() && !marked && self.pattern.bytes().any(|b| b.is_ascii_lowercase())
    }
}

/// Every placeholder-like `s/…/…/` of the `sed` commands in `text` (a script, a
/// Dockerfile, a compose file or manifest with scripts in it, a Makefile).
pub fn sed_placeholders(text: &str) -> Vec<SedPlaceholder> {
    let mut out: Vec<SedPlaceholder> = Vec::new();
    if !text.contains("sed") {
        return out;
    }
    // A command continued over lines (`sed -e … \` then `-e …`) is one line to the shell.
    let joined: std::borrow::Cow<str> = if text.contains("\\\n") || text.contains("\\\r\n") {
        text.replace("\\\r\n", " ").replace("\\\n", " ").into()
    } else {
        text.into()
    };
    for line in joined.lines().filter(|l| l.contains("sed")) {
        let mut rest = line;
        while let Some(at) = find_sed(rest) {
            rest = &rest[at + 3..];
            let end = command_end(rest);
            for found in substitutions(&rest[..end]) {
                if !out.contains(&found) {
                    out.push(found);
                }
            }
        }
    }
    out
}

/// The placeholder words that Ansible's `replace` module fills in (`replace: path=…
/// regexp='masternode' replace="{{ master_node }}"`, or the same as a map): a copied file
/// holds the word until the task replaces it on the host.
pub fn ansible_replacements(text: &str) -> Vec<SedPlaceholder> {
    let mut out: Vec<SedPlaceholder> = Vec::new();
    if !text.contains("regexp") {
        return out;
    }
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start().trim_start_matches("- ").trim_start();
        let Some(rest) = trimmed
            .strip_prefix("ansible.builtin.replace:")
            .or_else(|| trimmed.strip_prefix("replace:"))
        else {
            continue;
        };
        // The module's arguments: the rest of the line and the lines indented under it.
        let indent = line.len() - line.trim_start().len();
        let mut block = rest.to_string();
        for next in &lines[i + 1..] {
            let own = next.len() - next.trim_start().len();
            if !next.trim().is_empty() && own <= indent {
                break;
            }
            block.push('\n');
            block.push_str(next);
        }
        let (Some(pattern), Some(replacement)) =
            (argument(&block, "regexp"), argument(&block, "replace"))
        else {
            continue;
        };
        let target = argument(&block, "path").or_else(|| argument(&block, "dest"));
        if let Some(mut found) = placeholder(&pattern, &replacement) {
            found.target = target.map(CompactString::from);
            if !out.contains(&found) {
                out.push(found);
            }
        }
    }
    out
}

/// One argument of a module written `key=value` or `key: value`, unquoted.
fn argument(block: &str, key: &str) -> Option<String> {
    for line in block.lines() {
        let mut rest = line.trim();
        while let Some(at) = rest.find(key) {
            let before_ok = at == 0 || rest.as_bytes()[at - 1].is_ascii_whitespace();
            let after = &rest[at + key.len()..];
            let value = after
                .strip_prefix('=')
                .or_else(|| after.strip_prefix(':').map(str::trim_start));
            if let (Some(v), true) = (value, before_ok) {
                let v = v.trim_start();
                let unquoted = match v.chars().next() {
                    Some(q @ ('\'' | '"')) => v[1..].split(q).next().unwrap_or_default(),
                    _ => v.split_whitespace().next().unwrap_or_default(),
                };
                return (!unquoted.is_empty()).then(|| unquoted.to_string());
            }
            rest = after;
        }
    }
    None
}

/// File names that `envsubst` reads in `text` (`envsubst < /tpl/sentinel.conf.template >
/// …`, `envsubst '$A $B' < …`).
pub fn envsubst_inputs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    if !text.contains("envsubst") {
        return out;
    }
    for line in text.lines().filter(|l| l.contains("envsubst")) {
        let Some(at) = line.find("envsubst") else {
            continue;
        };
        let rest = &line[at..];
        let Some(lt) = rest.find('<') else { continue };
        // `<<` is a here-document, not a file.
        if rest[lt..].starts_with("<<") {
            continue;
        }
        let word = rest[lt + 1..]
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .trim_matches(['"', '\'']);
        let name = word.rsplit('/').next().unwrap_or_default();
        if !name.is_empty() && !name.contains('$') && !out.iter().any(|n| n == name) {
            out.push(name.to_string());
        }
    }
    out
}

/// File names a script appends to another config (`cat extra.conf >> /etc/redis/
/// sentinel.conf`, `sed -e … templates/sentinel.conf >> "$CONF"`): each is a fragment of
/// a config whose other lines are written elsewhere (a packaged file, an earlier copy).
pub fn appended_inputs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    if !text.contains(">>") {
        return out;
    }
    let conf_like = |w: &str| {
        crate::formats::detect::name_hint(std::path::Path::new(w))
            != crate::formats::detect::NameHint::NotConf
    };
    for line in text.lines() {
        let Some((before, after)) = line.split_once(">>") else {
            continue;
        };
        // The command that appends starts after the last `;`, `&&`, `||` or `|`.
        let command = before.rsplit([';', '|', '&']).next().unwrap_or(before);
        let words: Vec<&str> = command.split_whitespace().collect();
        if !words
            .iter()
            .any(|w| matches!(*w, "cat" | "sed" | "envsubst" | "awk" | "grep"))
        {
            continue;
        }
        let target = after
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .trim_matches(['"', '\'']);
        if !conf_like(target) {
            continue;
        }
        for word in words {
            let word = word.trim_matches(['"', '\'']).trim_start_matches('<');
            if word.starts_with('-') || word.contains('$') || !conf_like(word) {
                continue;
            }
            let name = word.rsplit('/').next().unwrap_or_default();
            if !name.is_empty() && !out.iter().any(|n| n == name) {
                out.push(name.to_string());
            }
        }
    }
    out
}

/// Where the command that starts `text` ends: an unquoted `;`, `&&`, `||` or a pipe
/// between words (a bare `|` may be an expression's delimiter).
fn command_end(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None => match b {
                b'\'' | b'"' => quote = Some(b),
                b';' => return i,
                b'&' | b'|' if bytes.get(i + 1) == Some(&b) => return i,
                b'|' if i > 0 && bytes[i - 1] == b' ' => return i,
                _ => {}
            },
        }
        i += 1;
    }
    bytes.len()
}

/// Where the next `sed` command word starts.
fn find_sed(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(i) = text[from..].find("sed").map(|i| i + from) {
        let before_ok = i == 0 || !is_word_byte(bytes[i - 1]);
        let after_ok = bytes.get(i + 3).is_none_or(|b| b.is_ascii_whitespace());
        if before_ok && after_ok {
            return Some(i);
        }
        from = i + 3;
    }
    None
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.'
}

/// The `s<d>PATTERN<d>REPLACEMENT<d>` expressions among a `sed` command's arguments.
fn substitutions(args: &str) -> Vec<SedPlaceholder> {
    let mut out = Vec::new();
    let bytes = args.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        // An expression starts a word (after a space, a quote or `-e`), with `s` and a
        // delimiter that is punctuation.
        let starts_word = i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b'\'' | b'"');
        let delimiter = bytes[i + 1];
        if starts_word
            && bytes[i] == b's'
            && matches!(
                delimiter,
                b'/' | b'|' | b'#' | b',' | b':' | b'@' | b'%' | b'!'
            )
        {
            if let Some((pattern, replacement, next)) = split_expression(args, i + 2, delimiter) {
                if let Some(mut found) = placeholder(&pattern, &replacement) {
                    found.target = target_of(args);
                    out.push(found);
                }
                i = next;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// The file a `sed` command edits: its last argument, when that is no option and no
/// expression.
fn target_of(args: &str) -> Option<CompactString> {
    let last = args.split_whitespace().last()?.trim_matches(['"', '\'']);
    let bytes = last.as_bytes();
    let expression = bytes.len() > 1
        && bytes[0] == b's'
        && matches!(
            bytes[1],
            b'/' | b'|' | b'#' | b',' | b':' | b'@' | b'%' | b'!'
        );
    (!last.is_empty() && !last.starts_with('-') && !expression).then(|| last.into())
}

/// The pattern and the replacement of an expression whose pattern starts at `from`, and
/// where the scan goes on.
fn split_expression(args: &str, from: usize, delimiter: u8) -> Option<(String, String, usize)> {
    let bytes = args.as_bytes();
    let field = |start: usize| -> Option<(String, usize)> {
        let mut value = String::new();
        let mut j = start;
        while j < bytes.len() {
            match bytes[j] {
                b'\\' if j + 1 < bytes.len() => {
                    value.push(bytes[j + 1] as char);
                    j += 2;
                }
                b if b == delimiter => return Some((value, j + 1)),
                b => {
                    value.push(b as char);
                    j += 1;
                }
            }
        }
        None
    };
    let (pattern, after) = field(from)?;
    let (replacement, next) = field(after)?;
    Some((pattern, replacement, next))
}

/// A pattern that is a placeholder word (a name with a letter, three characters or
/// more; no regular-expression syntax), bare or in template marks (`{{ NAME }}`,
/// `{{NAME}}`, `%NAME%`, `@NAME@`), with the variable its replacement names.
fn placeholder(pattern: &str, replacement: &str) -> Option<SedPlaceholder> {
    let word = |w: &str| {
        w.len() >= 3
            && w.bytes().any(|b| b.is_ascii_alphabetic())
            && w.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            && !w.starts_with('-')
    };
    let marked = [
        ("{{", "}}"),
        ("%%", "%%"),
        ("%", "%"),
        ("@", "@"),
        ("$(", ")"),
        ("${", "}"),
    ]
    .iter()
    .any(|(open, close)| {
        pattern
            .strip_prefix(open)
            .and_then(|p| p.strip_suffix(close))
            .is_some_and(|inner| {
                let trimmed = inner.trim_matches(' ');
                // At most one space on each side: `{{ NAME }}`.
                inner.len() - trimmed.len() <= 2 && word(trimmed)
            })
    });
    // `s/\$HOST_NAME/$MASTER_IP/`: the template holds a shell variable's name, which the
    // script, not the environment, fills.
    let dollar = pattern
        .strip_prefix('$')
        .is_some_and(|inner| word(inner) && !inner.contains('-'));
    if !word(pattern) && !marked && !dollar {
        return None;
    }
    // `'"${VAR}"'`, `"$VAR"`, `$VAR`: the shell puts the variable's value there.
    let bare = replacement.trim_matches(|c| c == '\'' || c == '"');
    let variable = bare.strip_prefix('$').and_then(|v| {
        let name = v
            .strip_prefix('{')
            .and_then(|v| v.strip_suffix('}'))
            .unwrap_or(v);
        (!name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
            .then(|| CompactString::from(name))
    });
    let literal = (!bare.is_empty()
        && bare
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':')))
    .then(|| CompactString::from(bare));
    Some(SedPlaceholder {
        pattern: pattern.into(),
        variable,
        literal,
        target: None,
    })
}

/// `value` with each placeholder word written as a template: `${VAR}` when the script
/// puts a variable there (`${VAR:-$OTHER}` when branches of it put one of several),
/// else `{{PATTERN}}` (unknown). `None` when it holds none.
pub fn templated(value: &str, placeholders: &[SedPlaceholder]) -> Option<String> {
    let mut out: Option<String> = None;
    for (i, p) in placeholders.iter().enumerate() {
        if placeholders[..i].iter().any(|q| q.pattern == p.pattern) {
            continue;
        }
        let current = out.as_deref().unwrap_or(value);
        let variables: Vec<&str> = placeholders[i..]
            .iter()
            .filter(|q| q.pattern == p.pattern)
            .filter_map(|q| q.variable.as_deref())
            .collect();
        let Some(replaced) = replace_word(current, &p.pattern, |_| match variables.as_slice() {
            [] => format!("{{{{{}}}}}", p.pattern),
            [one] => format!("${{{one}}}"),
            [first, rest @ ..] => {
                let mut text = format!("${{{first}");
                for v in rest {
                    text.push_str(&format!(":-${{{v}"));
                }
                text.push_str(&"}".repeat(variables.len()));
                text
            }
        }) else {
            continue;
        };
        out = Some(replaced);
    }
    out
}

/// `text` with every occurrence of `word` that is not part of a longer name replaced.
pub fn replace_word(text: &str, word: &str, with: impl Fn(&str) -> String) -> Option<String> {
    let bytes = text.as_bytes();
    let name_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut out = String::new();
    let mut last = 0;
    let mut from = 0;
    while let Some(i) = text[from..].find(word).map(|i| i + from) {
        let end = i + word.len();
        let bounded = (i == 0 || !name_byte(bytes[i - 1]))
            && bytes.get(end).is_none_or(|b| !name_byte(*b))
            // Already a template: `${WORD}`, `{{WORD}}`.
            && !(i > 0 && matches!(bytes[i - 1], b'{' | b'$'));
        if bounded {
            out.push_str(&text[last..i]);
            out.push_str(&with(word));
            last = end;
        }
        from = end;
    }
    (last > 0).then(|| {
        out.push_str(&text[last..]);
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ansible_replace_tasks_fill_placeholders() {
        let text = "- name: master address\n  replace:\n    path=/etc/redis/sentinel.conf\n    regexp='masternode'\n    replace=\"{{ master_node }}\"\n- name: map form\n  ansible.builtin.replace:\n    path: /etc/redis/redis.conf\n    regexp: 'MASTER_PORT'\n    replace: '{{ port }}'\n";
        let found = ansible_replacements(text);
        let words: Vec<(&str, Option<&str>)> = found
            .iter()
            .map(|p| (p.pattern.as_str(), p.target.as_deref()))
            .collect();
        assert_eq!(
            words,
            [
                ("masternode", Some("/etc/redis/sentinel.conf")),
                ("MASTER_PORT", Some("/etc/redis/redis.conf"))
            ]
        );
        assert!(found.iter().all(SedPlaceholder::is_placeholder));
    }

    fn patterns(text: &str) -> Vec<(String, Option<String>)> {
        sed_placeholders(text)
            .into_iter()
            .map(|p| (p.pattern.to_string(), p.variable.map(|v| v.to_string())))
            .collect()
    }

    #[test]
    fn double_percent_marks_a_placeholder() {
        assert_eq!(
            patterns(
                "sed -i \"s/%%SENTINEL_QUORUM%%/${SENTINEL_QUORUM}/g\" /etc/redis/sentinel.conf\n"
            ),
            vec![(
                "%%SENTINEL_QUORUM%%".to_string(),
                Some("SENTINEL_QUORUM".to_string())
            )]
        );
    }

    #[test]
    fn shell_variable_names_and_continued_lines() {
        assert_eq!(
            patterns("sed -i \"s/\\$HOST_NAME/$MASTER_IP/\" /etc/s.conf\n"),
            vec![("$HOST_NAME".to_string(), Some("MASTER_IP".to_string()))]
        );
        assert_eq!(
            patterns("sed -e \"s/PASS_PH/${P}/g\" \\\n    -e \"s/MASTER_PH/${M}/g\" t > c\n"),
            vec![
                ("PASS_PH".to_string(), Some("P".to_string())),
                ("MASTER_PH".to_string(), Some("M".to_string()))
            ]
        );
    }

    #[test]
    fn files_envsubst_reads() {
        let script = "envsubst < /tpl/sentinel.conf.template > /data/sentinel.conf\nenvsubst '$A' < \"$DIR/redis.conf.tpl\" > x\ncat <<EOF | envsubst\nEOF\nenvsubst <<EOF\nEOF\n";
        assert_eq!(
            envsubst_inputs(script),
            vec!["sentinel.conf.template", "redis.conf.tpl"]
        );
    }

    #[test]
    fn files_appended_to_a_config() {
        let script = "cp sentinel.conf /etc/redis/6379/sentinel.conf\n\
                      color sed -e \"s/\\${PORT}/$PORT/\" ../templates/sentinel.conf >> /etc/redis/${P}/sentinel.conf\n\
                      cat extra.conf >> \"$CONF_DIR/redis.conf\"\n\
                      echo 'port 1' >> /etc/redis/redis.conf\n\
                      cat notes.txt >> /tmp/log.txt\n";
        assert_eq!(appended_inputs(script), vec!["sentinel.conf", "extra.conf"]);
    }

    #[test]
    fn literal_edits_of_real_values_are_not_placeholders() {
        let script = "cp /t/s.conf /data/s.conf && sed -i 's/redis-master/redis/g' /data/s.conf\n\
                      sed -i \"s/PASSWORD_PLACEHOLDER/secret/\" /data/s.conf";
        let found = sed_placeholders(script);
        assert_eq!(found.len(), 2);
        assert!(found[0].is_edit());
        assert_eq!(found[0].literal.as_deref(), Some("redis"));
        assert_eq!(found[0].target.as_deref(), Some("/data/s.conf"));
        // An all-capitals word is a template's, whatever fills it.
        assert!(found[1].is_placeholder());
        assert_eq!(found[1].target.as_deref(), Some("/data/s.conf"));
    }

    #[test]
    fn marked_placeholders_and_branches() {
        let script = r#"sed -i "s/{{ SENTINEL_QUORUM }}/$SENTINEL_QUORUM/g" f
if [ -n "$NAME" ]; then sed -i 's/mastername/'"$NAME"'/g' f; else sed -i 's/mastername/'"$DEFAULT_NAME"'/g' f; fi
sed -i "s/{{ a b }}/x/" f
"#;
        let found = sed_placeholders(script);
        assert_eq!(
            found.iter().map(|p| p.pattern.as_str()).collect::<Vec<_>>(),
            vec!["{{ SENTINEL_QUORUM }}", "mastername", "mastername"]
        );
        // A variable set in either branch: the first when it is set, else the other.
        assert_eq!(
            templated("mastername", &found).as_deref(),
            Some("${NAME:-${DEFAULT_NAME}}")
        );
        assert_eq!(
            templated("{{ SENTINEL_QUORUM }}", &found).as_deref(),
            Some("${SENTINEL_QUORUM}")
        );
    }

    #[test]
    fn reads_the_placeholder_words_of_sed_commands() {
        let script = r#"sed -i "s/REDIS_MASTER_HOST/$REDIS_MASTER_HOST/g" $DIR/sentinel.conf
sed -i 's/SELFPORTPLACEHOLDER/'"${PORT1}"'/g' ../6379/redis.conf
sed -e "s|master_host|$IP|" -e 's#QUORUM#2#' template > out.conf && sed 's/ZZZ/1/' | cat
sed -i 's/^port .*/port 6380/' redis.conf
sed -i "s/6379/6380/" redis.conf
echo used sed"#;
        assert_eq!(
            patterns(script),
            vec![
                ("REDIS_MASTER_HOST".into(), Some("REDIS_MASTER_HOST".into())),
                ("SELFPORTPLACEHOLDER".into(), Some("PORT1".into())),
                ("master_host".into(), Some("IP".into())),
                ("QUORUM".into(), None),
                ("ZZZ".into(), None),
            ]
        );
    }

    #[test]
    fn writes_placeholders_as_templates() {
        let found = sed_placeholders(
            "sed -i \"s/REDIS_SENTINEL_QUORUM/$QUORUM/\" f; sed -i 's/MONITOR/x y z/; s/HOST/h/' f",
        );
        assert_eq!(templated("HOST", &found).as_deref(), Some("{{HOST}}"));
        assert_eq!(
            templated("REDIS_SENTINEL_QUORUM", &found).as_deref(),
            Some("${QUORUM}")
        );
        assert_eq!(templated("MONITOR", &found).as_deref(), Some("{{MONITOR}}"));
        // A longer name that merely contains a placeholder is left alone.
        assert_eq!(templated("REDIS_SENTINEL_QUORUM_MAX", &found), None);
        assert_eq!(templated("MONITORS", &found), None);
        assert_eq!(templated("${MONITOR}", &found), None);
    }
}
