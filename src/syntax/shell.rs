//! Enough of the POSIX shell grammar to find what a deployment script writes and runs:
//! simple commands with their words and redirections, here-documents (`<<EOF`, `<<'EOF'`,
//! `<<-EOF`) with the byte range of their bodies, and variable assignments.
//!
//! Words keep expansions (`$VAR`, `${VAR}`, `$(…)`) as written: their values are decided
//! later, or stay unknown. Here-documents fed to a shell (`ssh host bash <<EOF`,
//! `sudo bash -s <<EOF`) are scripts themselves and are read the same way, so a
//! `cat > /etc/redis/sentinel.conf <<CONF` nested in them is found with its offsets.
//! Nothing here fails: an unterminated quote or here-document ends at the end of the text.

use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// Quotes removed, backslash escapes applied, expansions kept as written.
    pub value: String,
    /// Byte range in the text, quotes included.
    pub range: Range<usize>,
    /// Some part was quoted.
    pub quoted: bool,
}

#[derive(Debug, Clone)]
pub struct Redirect {
    /// `>`, `>>`, `<`, `>|`, `&>` …
    pub op: String,
    pub target: Word,
}

#[derive(Debug, Clone)]
pub struct HereDoc {
    pub delimiter: String,
    /// `<<'EOF'` or `<<"EOF"` or `<<\EOF`: the body is literal, nothing is expanded.
    pub quoted: bool,
    /// `<<-`: leading tabs are stripped from every body line.
    pub strip_tabs: bool,
    /// The body, from the line after the command to the line before the delimiter.
    pub body: Range<usize>,
    /// Whether the delimiter line was found.
    pub terminated: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Command {
    /// `NAME=value` words before the command name.
    pub assignments: Vec<Word>,
    /// The command name and its arguments.
    pub words: Vec<Word>,
    pub redirects: Vec<Redirect>,
    pub heredocs: Vec<HereDoc>,
    /// Nesting depth: 0 for the script itself, 1 inside a here-document fed to a shell, …
    pub depth: usize,
}

impl Command {
    /// A template rendered into a new file: `sed [-e EXPR]… SRC > DST`, `cat SRC > DST`,
    /// `envsubst [VARS] < SRC > DST`. The new file holds the source's lines (edited by the
    /// expressions): (source, destination). `>>` appends, so it is no copy.
    pub fn rendered_copy(&self) -> Option<(&Word, &Word)> {
        let (i, program) = self.program()?;
        let out = self
            .redirects
            .iter()
            .find(|r| r.op == ">" || r.op == ">|")?;
        let args = &self.words[i + 1..];
        let source = match basename(&program.value) {
            "envsubst" => &self.redirects.iter().find(|r| r.op == "<")?.target,
            "cat" => match args {
                [one] if !one.value.starts_with('-') => one,
                _ => return None,
            },
            "sed" => {
                // Words after `-e` / `-f` are expressions; without them the first free
                // word is the expression and the last one the file.
                let mut free = Vec::new();
                let mut expressions = false;
                let mut k = 0;
                while k < args.len() {
                    let w = &args[k].value;
                    if matches!(w.as_str(), "-e" | "-f" | "--expression" | "--file") {
                        expressions = true;
                        k += 2;
                        continue;
                    }
                    if w.starts_with("--expression=") || w.starts_with("--file=") {
                        expressions = true;
                    } else if !w.starts_with('-') {
                        free.push(&args[k]);
                    }
                    k += 1;
                }
                match (expressions, free.as_slice()) {
                    (true, [file]) | (false, [_, file]) => *file,
                    _ => return None,
                }
            }
            _ => return None,
        };
        Some((source, &out.target))
    }

    /// The command name, after wrappers that run their arguments (`sudo`, `exec`, `nohup`, …).
    pub fn program(&self) -> Option<(usize, &Word)> {
        let mut i = 0;
        while let Some(word) = self.words.get(i) {
            let name = basename(&word.value);
            if matches!(
                name,
                "exec"
                    | "nohup"
                    | "setsid"
                    | "nice"
                    | "ionice"
                    | "chrt"
                    | "taskset"
                    | "numactl"
                    | "stdbuf"
                    | "time"
                    | "command"
                    | "gosu"
                    | "su-exec"
                    | "chpst"
                    | "runuser"
            ) {
                i += 1;
                while self.words.get(i).is_some_and(|w| w.value.starts_with('-')) {
                    i += 1;
                }
                // `gosu redis redis-server`, `runuser -u redis -- redis-server`
                if matches!(name, "gosu" | "su-exec" | "chpst")
                    && self
                        .words
                        .get(i)
                        .is_some_and(|w| !is_program_word(&w.value))
                {
                    i += 1;
                }
                continue;
            }
            if name == "sudo" || name == "env" || name == "doas" {
                i += 1;
                while let Some(w) = self.words.get(i) {
                    if w.value == "--" {
                        i += 1;
                        break;
                    }
                    if w.value.starts_with('-') {
                        // `sudo -u redis`: options taking a value.
                        i += if matches!(w.value.as_str(), "-u" | "-g" | "-C" | "-D" | "-h") {
                            2
                        } else {
                            1
                        };
                    } else if w.value.contains('=') && !w.value.starts_with('=') {
                        i += 1;
                    } else {
                        break;
                    }
                }
                continue;
            }
            if name == "--" {
                i += 1;
                continue;
            }
            return Some((i, word));
        }
        None
    }
}

fn is_program_word(value: &str) -> bool {
    value.contains('/') || value.contains("redis") || value.contains("valkey")
}

/// The positional parameter `value` is, alone (`$1`, `${1}`, `${1:-default}`,
/// `${1-default}`; quotes already removed): its number.
pub fn positional_index(value: &str) -> Option<usize> {
    let rest = value.strip_prefix('$')?;
    let inner = match rest.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
        Some(inner) => inner.split(['-', ':']).next().unwrap_or(inner),
        None => rest,
    };
    if rest.chars().skip(1).any(|c| c == '$')
        || inner.is_empty()
        || !inner.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    inner.parse().ok()
}

/// `text` with `$1`…`$9` and `${1}`…`${9}` replaced by the arguments the script is run
/// with, where there is such an argument and it is a plain word (no expansion of its
/// own); other parameters stay as written.
pub fn with_positional_parameters(text: &str, arguments: &[&str]) -> String {
    let plain = |i: usize| {
        arguments
            .get(i.checked_sub(1)?)
            .filter(|a| !a.is_empty() && !a.contains(['$', '`', '"', '\'', '\\']))
    };
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' {
            // `$N` (one digit, as the shell reads it) or `${N}`.
            let (digit, len) = match (bytes.get(i + 1), bytes.get(i + 2), bytes.get(i + 3)) {
                (Some(b'{'), Some(d @ b'1'..=b'9'), Some(b'}')) => (Some(*d), 4),
                (Some(d @ b'1'..=b'9'), _, _) => (Some(*d), 2),
                _ => (None, 1),
            };
            if let Some(value) = digit.and_then(|d| plain(usize::from(d - b'0'))) {
                out.push_str(value);
                i += len;
                continue;
            }
        }
        let ch = text[i..].chars().next().unwrap_or('\0');
        out.push(ch);
        i += ch.len_utf8().max(1);
    }
    out
}

pub fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

#[derive(Debug, Clone, Default)]
pub struct Script {
    pub commands: Vec<Command>,
}

/// Parse a script held in `text[range]`; every range refers to `text`.
pub fn parse(text: &str) -> Script {
    let mut script = Script::default();
    parse_range(text, 0..text.len(), 0, &mut script);
    script
}

fn parse_range(text: &str, range: Range<usize>, depth: usize, script: &mut Script) {
    if depth > 4 {
        return;
    }
    let mut lexer = Lexer {
        text,
        pos: range.start,
        end: range.end,
    };
    let mut command = Command {
        depth,
        ..Command::default()
    };
    // Here-documents announced on the current line, waiting for the newline.
    let mut pending: Vec<(usize, bool, String, bool)> = Vec::new(); // (command index, strip, delim, quoted)
    let commands_start = script.commands.len();
    loop {
        let token = lexer.next();
        match token {
            Token::Word(word) => {
                let is_assignment = command.words.is_empty() && is_assignment(&word.value);
                if is_assignment {
                    command.assignments.push(word);
                } else {
                    command.words.push(word);
                }
            }
            Token::Redirect(op) => {
                if op == "<<" || op == "<<-" {
                    if let Token::Word(delim) = lexer.next_word_only() {
                        let quoted = delim.quoted || text[delim.range.clone()].contains('\\');
                        pending.push((
                            usize::MAX, // filled when the command is finished
                            op == "<<-",
                            delim.value,
                            quoted,
                        ));
                    }
                } else if op == "<<<" {
                    let _ = lexer.next_word_only();
                } else if let Token::Word(target) = lexer.next_word_only() {
                    command.redirects.push(Redirect { op, target });
                }
            }
            Token::Separator | Token::Newline | Token::End => {
                let index = script.commands.len();
                for p in pending.iter_mut().filter(|p| p.0 == usize::MAX) {
                    p.0 = index;
                }
                let finished = std::mem::replace(
                    &mut command,
                    Command {
                        depth,
                        ..Command::default()
                    },
                );
                script.commands.push(finished);
                if matches!(token, Token::Newline | Token::End) {
                    // Bodies start on the line after the one that announced them.
                    for (index, strip, delim, quoted) in pending.drain(..) {
                        let (body, terminated) = lexer.read_heredoc(&delim, strip);
                        script.commands[index].heredocs.push(HereDoc {
                            delimiter: delim,
                            quoted,
                            strip_tabs: strip,
                            body,
                            terminated,
                        });
                    }
                }
                if matches!(token, Token::End) {
                    break;
                }
            }
        }
    }
    // Empty commands carry nothing; nested scripts are read after their parent.
    let mut i = commands_start;
    while i < script.commands.len() {
        let c = &script.commands[i];
        if c.words.is_empty() && c.assignments.is_empty() && c.heredocs.is_empty() {
            script.commands.remove(i);
            continue;
        }
        i += 1;
    }
    let mut nested: Vec<Range<usize>> = script.commands[commands_start..]
        .iter()
        .filter(|c| runs_a_shell(c))
        .flat_map(|c| c.heredocs.iter().map(|h| h.body.clone()))
        .collect();
    nested.extend(
        script.commands[commands_start..]
            .iter()
            .filter_map(|c| shell_argument_script(text, c)),
    );
    for body in nested {
        parse_range(text, body, depth + 1, script);
    }
}

/// The script of `sh -c '…'` / `bash -c "…"`, as a range of the text: only when the
/// word is written as its value (unquoted or one quoted piece without escapes), so the
/// nested script's offsets are offsets of the text.
fn shell_argument_script(text: &str, command: &Command) -> Option<Range<usize>> {
    let (i, program) = command.program()?;
    if !matches!(
        basename(&program.value),
        "sh" | "bash" | "dash" | "zsh" | "ksh" | "ash"
    ) {
        return None;
    }
    let words = &command.words[i + 1..];
    let at = words.iter().position(|w| is_command_flag(&w.value))?;
    let word = words.get(at + 1)?;
    let raw = text.get(word.range.clone())?;
    let inner = match raw.as_bytes() {
        [q @ (b'"' | b'\''), .., last] if raw.len() >= 2 && last == q => {
            word.range.start + 1..word.range.end - 1
        }
        _ => word.range.clone(),
    };
    (text.get(inner.clone())? == word.value).then_some(inner)
}

/// A command whose standard input is a script: `bash`, `sh -s`, `ssh host`, `ssh host bash`.
fn runs_a_shell(command: &Command) -> bool {
    let Some((i, program)) = command.program() else {
        return false;
    };
    let name = basename(&program.value);
    if matches!(name, "sh" | "bash" | "dash" | "zsh" | "ksh" | "ash") {
        // `bash -c '…'` reads its script from the argument, not from the here-document.
        return !command.words[i + 1..]
            .iter()
            .any(|w| is_command_flag(&w.value));
    }
    name == "ssh"
}

/// A shell's `-c`, alone or among other one-letter flags (`-ec`, `-xc`, `-ce`): the
/// next argument is the script.
pub fn is_command_flag(word: &str) -> bool {
    word.strip_prefix('-').is_some_and(|flags| {
        !flags.is_empty()
            && flags.contains('c')
            && flags.bytes().all(|b| b.is_ascii_alphabetic())
            && flags.len() <= 4
    })
}

fn is_assignment(word: &str) -> bool {
    let Some((name, _)) = word.split_once('=') else {
        return false;
    };
    let name = name.strip_suffix('+').unwrap_or(name);
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

enum Token {
    Word(Word),
    Redirect(String),
    /// `;`, `&`, `|`, `&&`, `||`, `(`, `)`, `;;`
    Separator,
    Newline,
    End,
}

struct Lexer<'a> {
    text: &'a str,
    pos: usize,
    end: usize,
}

impl Lexer<'_> {
    fn peek(&self, at: usize) -> Option<u8> {
        let i = self.pos + at;
        (i < self.end).then(|| self.text.as_bytes()[i])
    }

    fn next_word_only(&mut self) -> Token {
        self.skip_blanks();
        match self.peek(0) {
            None | Some(b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>') => Token::Separator,
            _ => Token::Word(self.word()),
        }
    }

    fn skip_blanks(&mut self) {
        while let Some(b) = self.peek(0) {
            if b == b' ' || b == b'\t' || b == b'\r' {
                self.pos += 1;
            } else if b == b'\\' && self.peek(1) == Some(b'\n') {
                self.pos += 2;
            } else {
                break;
            }
        }
    }

    fn next(&mut self) -> Token {
        self.skip_blanks();
        let Some(b) = self.peek(0) else {
            return Token::End;
        };
        match b {
            b'\n' => {
                self.pos += 1;
                Token::Newline
            }
            b'#' => {
                while self.peek(0).is_some_and(|b| b != b'\n') {
                    self.pos += 1;
                }
                self.next()
            }
            b';' | b'&' | b'|' | b'(' | b')' => {
                if b == b'&' && self.peek(1) == Some(b'>') {
                    self.pos += 2;
                    if self.peek(0) == Some(b'>') {
                        self.pos += 1;
                    }
                    return Token::Redirect("&>".into());
                }
                self.pos += 1;
                if matches!(self.peek(0), Some(c) if c == b && b != b'(' && b != b')') {
                    self.pos += 1;
                }
                Token::Separator
            }
            b'<' | b'>' => Token::Redirect(self.redirect_op()),
            b'0'..=b'9' => {
                // An IO number (`2>`) belongs to the redirection.
                let mut n = 0;
                while self.peek(n).is_some_and(|c| c.is_ascii_digit()) {
                    n += 1;
                }
                if matches!(self.peek(n), Some(b'<' | b'>')) {
                    let digits = self.text[self.pos..self.pos + n].to_string();
                    self.pos += n;
                    return Token::Redirect(digits + &self.redirect_op());
                }
                Token::Word(self.word())
            }
            _ => Token::Word(self.word()),
        }
    }

    fn redirect_op(&mut self) -> String {
        let start = self.pos;
        let first = self.peek(0).unwrap();
        self.pos += 1;
        if first == b'<' {
            if self.peek(0) == Some(b'<') {
                self.pos += 1;
                if matches!(self.peek(0), Some(b'<' | b'-')) {
                    self.pos += 1;
                }
            } else if matches!(self.peek(0), Some(b'&' | b'>')) {
                self.pos += 1;
            }
        } else if matches!(self.peek(0), Some(b'>' | b'|' | b'&')) {
            self.pos += 1;
        }
        self.text[start..self.pos].to_string()
    }

    /// One word: quotes, escapes and `$(…)`, `${…}`, backquotes kept together.
    fn word(&mut self) -> Word {
        let start = self.pos;
        let mut value: Vec<u8> = Vec::new();
        let mut quoted = false;
        while let Some(b) = self.peek(0) {
            match b {
                b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')' => {
                    break
                }
                b'\\' => {
                    if self.peek(1) == Some(b'\n') {
                        self.pos += 2;
                        continue;
                    }
                    if let Some(c) = self.peek(1) {
                        value.push(c);
                        self.pos += 2;
                    } else {
                        self.pos += 1;
                    }
                }
                b'\'' => {
                    quoted = true;
                    self.pos += 1;
                    while let Some(c) = self.peek(0) {
                        self.pos += 1;
                        if c == b'\'' {
                            break;
                        }
                        value.push(c);
                    }
                }
                b'"' => {
                    quoted = true;
                    self.pos += 1;
                    while let Some(c) = self.peek(0) {
                        if c == b'"' {
                            self.pos += 1;
                            break;
                        }
                        if c == b'\\' && matches!(self.peek(1), Some(b'"' | b'\\' | b'$' | b'`')) {
                            value.push(self.peek(1).unwrap());
                            self.pos += 2;
                            continue;
                        }
                        if c == b'$' && matches!(self.peek(1), Some(b'(' | b'{')) {
                            let s = self.pos;
                            self.expansion();
                            value.extend_from_slice(&self.text.as_bytes()[s..self.pos]);
                            continue;
                        }
                        value.push(c);
                        self.pos += 1;
                    }
                }
                b'$' if matches!(self.peek(1), Some(b'(' | b'{')) => {
                    let s = self.pos;
                    self.expansion();
                    value.extend_from_slice(&self.text.as_bytes()[s..self.pos]);
                }
                b'`' => {
                    let s = self.pos;
                    self.pos += 1;
                    while let Some(c) = self.peek(0) {
                        self.pos += 1;
                        if c == b'`' {
                            break;
                        }
                    }
                    value.extend_from_slice(&self.text.as_bytes()[s..self.pos]);
                }
                _ => {
                    value.push(b);
                    self.pos += 1;
                }
            }
        }
        Word {
            value: String::from_utf8_lossy(&value).into_owned(),
            range: start..self.pos,
            quoted,
        }
    }

    /// Skip `$(…)`, `$((…))` or `${…}` from the `$`, nested brackets and quotes included.
    fn expansion(&mut self) {
        let open = self.peek(1).unwrap();
        let close = if open == b'(' { b')' } else { b'}' };
        self.pos += 2;
        let mut depth = 1;
        while let Some(c) = self.peek(0) {
            self.pos += 1;
            match c {
                b'\\' => self.pos = (self.pos + 1).min(self.end),
                b'\'' if open == b'(' => {
                    while self.peek(0).is_some_and(|c| c != b'\'') {
                        self.pos += 1;
                    }
                    self.pos = (self.pos + 1).min(self.end);
                }
                c if c == open => depth += 1,
                c if c == close => {
                    depth -= 1;
                    if depth == 0 {
                        return;
                    }
                }
                _ => {}
            }
        }
    }

    /// Read a here-document body starting at the current position (a line start).
    fn read_heredoc(&mut self, delimiter: &str, strip_tabs: bool) -> (Range<usize>, bool) {
        let start = self.pos;
        while self.pos < self.end {
            let line_end = self.text[self.pos..self.end]
                .find('\n')
                .map_or(self.end, |i| self.pos + i);
            let mut line = &self.text[self.pos..line_end];
            line = line.strip_suffix('\r').unwrap_or(line);
            if strip_tabs {
                line = line.trim_start_matches('\t');
            }
            if line == delimiter {
                let body = start..self.pos;
                self.pos = (line_end + 1).min(self.end);
                return (body, true);
            }
            self.pos = (line_end + 1).min(self.end);
        }
        (start..self.end, false)
    }
}

/// The name of the variable a word is, whole (`$NAME`, `${NAME}`), if it is one.
pub fn variable_name(word: &str) -> Option<&str> {
    let name = match word.strip_prefix("${") {
        Some(inner) => inner.strip_suffix('}')?,
        None => word.strip_prefix('$')?,
    };
    let plain = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    plain.then_some(name)
}

/// A word with each parameter expansion (`$i`, `${NAME}`) turned into `*`: the shape
/// of the names it can produce.
pub fn variables_as_wildcards(word: &str) -> String {
    let mut out = String::new();
    let mut rest = word;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        out.push('*');
        let after = &rest[i + 1..];
        rest = match after.strip_prefix('{') {
            Some(inner) => closing_brace(inner).map_or("", |end| &inner[end + 1..]),
            None => {
                let len = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                &after[len..]
            }
        };
    }
    out.push_str(rest);
    out
}

/// `${NAME}`, `${NAME:-default}` and `$NAME` from `vars` (the last assignment wins; an
/// empty value takes the default, itself expanded); unknown names stay as written.
pub fn expand_parameters(value: &str, vars: &[(String, String)]) -> String {
    let lookup = |name: &str| {
        vars.iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let mut out = String::new();
    let mut rest = value;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(inner) = after.strip_prefix('{') {
            if let Some(end) = closing_brace(inner) {
                let expr = &inner[..end];
                let (name, default) = match expr.split_once(":-") {
                    Some((n, d)) => (n, Some(d)),
                    None => (expr, None),
                };
                match lookup(name)
                    .filter(|v| !v.is_empty())
                    .or_else(|| default.map(|d| expand_parameters(d, vars)))
                {
                    Some(v) => out.push_str(&v),
                    None => out.push_str(&rest[i..i + 2 + end + 1]),
                }
                rest = &inner[end + 1..];
                continue;
            }
        }
        let name_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        match lookup(&after[..name_len]) {
            Some(v) if name_len > 0 => out.push_str(&v),
            _ => out.push_str(&rest[i..i + 1 + name_len]),
        }
        rest = &after[name_len..];
    }
    out.push_str(rest);
    out
}

/// Where the `}` that closes a `${` expression ends, nested `${…}` skipped.
fn closing_brace(inner: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in inner.bytes().enumerate() {
        match b {
            b'{' => depth += 1,
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Assignments of a script, `NAME=value` and `local`/`export`/`readonly`/`declare NAME=value`:
/// (name, value word with the name and `=` cut off).
/// The value each variable is last assigned in `text`, for `$NAME` / `${NAME}` words
/// (see [`expand_assigned`]).
pub fn assigned_values(text: &str) -> std::collections::HashMap<String, String> {
    assignments(&parse(text))
        .into_iter()
        .map(|(name, word)| (name, word.value))
        .collect()
}

/// `word` (`$NAME`, `${NAME}`) as the value a script assigned it, if any.
pub fn expand_assigned(
    assigned: &std::collections::HashMap<String, String>,
    word: &str,
) -> Option<String> {
    let name = word.trim_start_matches('$').trim_matches(['{', '}']);
    assigned.get(name).cloned()
}

pub fn assignments(script: &Script) -> Vec<(String, Word)> {
    let mut out = Vec::new();
    let split = |w: &Word| -> Option<(String, Word)> {
        let (name, value) = w.value.split_once('=')?;
        if !is_assignment(&w.value) {
            return None;
        }
        // The value starts after `NAME=` in the text (names are never quoted).
        let start = w.range.start + name.len() + 1;
        Some((
            name.trim_end_matches('+').to_string(),
            Word {
                value: value.to_string(),
                range: start.min(w.range.end)..w.range.end,
                quoted: w.quoted,
            },
        ))
    };
    for command in &script.commands {
        out.extend(command.assignments.iter().filter_map(split));
        if command.words.first().is_some_and(|w| {
            matches!(
                w.value.as_str(),
                "local" | "export" | "readonly" | "declare" | "typeset"
            )
        }) {
            out.extend(command.words[1..].iter().filter_map(split));
        }
    }
    out
}

/// Whether a script tests that a file exists (`[ -f …`, `test -e …`, `[[ ! -s …`): the
/// mark of a copy made only once, which keeps what a process wrote to the file.
pub fn tests_for_existing_file(text: &str) -> bool {
    const TESTS: &[&str] = &[
        "[ -f",
        "[ ! -f",
        "[ -e",
        "[ ! -e",
        "[ -s",
        "[ ! -s",
        "[[ -f",
        "[[ ! -f",
        "[[ -e",
        "[[ ! -e",
        "[[ -s",
        "[[ ! -s",
        "test -f",
        "test ! -f",
        "test -e",
        "test ! -e",
        "test -s",
        "test ! -s",
    ];
    let lower = text.to_ascii_lowercase();
    TESTS.iter().any(|t| lower.contains(t))
}

/// Whether the script tests for a file that can stand for `path` before writing it: the
/// path itself, a marker in the same directory, or a path it cannot resolve (`expand`
/// gives a variable's value). A test of an unrelated file (`[ -f /shared/token ]`)
/// guards nothing.
pub fn tests_for_existing(text: &str, path: &str, expand: &dyn Fn(&str) -> Option<String>) -> bool {
    let dir = |p: &str| p.rsplit_once('/').map(|(d, _)| d.to_string());
    let lower = text.to_ascii_lowercase();
    let mut rest = lower.as_str();
    let mut offset = 0;
    while let Some(at) = ["-f ", "-e ", "-s "]
        .iter()
        .filter_map(|t| rest.find(t))
        .min()
    {
        let start = offset + at + 3;
        rest = &rest[at + 3..];
        offset = start;
        // Only after `[`, `[[`, `test` and an optional `!`.
        let before = lower[..start - 3].trim_end();
        let before = before.strip_suffix('!').map_or(before, str::trim_end);
        if !(before.ends_with('[') || before.ends_with("test")) {
            continue;
        }
        let operand: String = text[start..]
            .trim_start()
            .split(|c: char| c.is_whitespace() || c == ']' || c == ';')
            .next()
            .unwrap_or_default()
            .trim_matches(['"', '\''])
            .to_string();
        let resolved = expand(&operand).unwrap_or(operand);
        if resolved.contains(['$', '`']) || resolved.is_empty() {
            return true;
        }
        // The file itself, one beside it, a folder above it, or a file in the folder
        // it is (a copy into a folder, `cp /src/*.conf /dst`).
        if resolved == path
            || dir(&resolved) == dir(path)
            || path.starts_with(&format!("{resolved}/"))
            || resolved.starts_with(&format!("{}/", path.trim_end_matches('/')))
        {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_become_wildcards() {
        assert_eq!(
            variables_as_wildcards(".sentinel$i.conf"),
            ".sentinel*.conf"
        );
        assert_eq!(variables_as_wildcards("${NAME}-${i}.conf"), "*-*.conf");
        assert_eq!(variables_as_wildcards("sentinel.conf"), "sentinel.conf");
    }

    #[test]
    fn positional_parameters_filled_from_arguments() {
        assert_eq!(
            with_positional_parameters("cp \"/s/$1.conf\" \"/s/${1}running.conf\" $2 $#", &["s1"]),
            "cp \"/s/s1.conf\" \"/s/s1running.conf\" $2 $#"
        );
        assert_eq!(
            with_positional_parameters("echo $1é", &["$HOME"]),
            "echo $1é"
        );
    }

    #[test]
    fn positional_parameters() {
        assert_eq!(positional_index("$1"), Some(1));
        assert_eq!(positional_index("${1:-redis}"), Some(1));
        assert_eq!(positional_index("${2-x}"), Some(2));
        for not in ["$", "$ROLE", "${1}$X", "${1:-$X}", "x$1", "é"] {
            assert_eq!(positional_index(not), None, "{not}");
        }
    }

    #[test]
    fn templates_rendered_into_a_file() {
        let copies = |text: &str| -> Vec<(String, String)> {
            parse(text)
                .commands
                .iter()
                .filter_map(|c| c.rendered_copy())
                .map(|(s, d)| (s.value.clone(), d.value.clone()))
                .collect()
        };
        let pair = |s: &str, d: &str| vec![(s.to_string(), d.to_string())];
        assert_eq!(
            copies("sed -e \"s/A/$X/g\" \\\n  -e 's/B/y/' /tpl/s.conf > /work/s.conf"),
            pair("/tpl/s.conf", "/work/s.conf")
        );
        assert_eq!(
            copies("sed 's/A/b/' /t/r.conf >/w/r.conf"),
            pair("/t/r.conf", "/w/r.conf")
        );
        assert_eq!(
            copies("envsubst < /t/r.conf > /w/r.conf"),
            pair("/t/r.conf", "/w/r.conf")
        );
        assert_eq!(
            copies("cat /t/r.conf > /w/r.conf"),
            pair("/t/r.conf", "/w/r.conf")
        );
        // Appending, editing in place and a here-document are no copies of a file.
        assert!(copies("cat /t/extra.conf >> /w/r.conf").is_empty());
        assert!(copies("sed -i 's/A/b/' /w/r.conf").is_empty());
        assert!(copies("cat > /w/r.conf <<EOF\nport 1\nEOF\n").is_empty());
    }

    #[test]
    fn combined_flags_that_take_a_script() {
        for flag in ["-c", "-ec", "-xc", "-ce", "-euc"] {
            assert!(is_command_flag(flag), "{flag}");
        }
        for word in ["-e", "--config", "-", "c", "-c1"] {
            assert!(!is_command_flag(word), "{word}");
        }
    }

    fn words(c: &Command) -> Vec<&str> {
        c.words.iter().map(|w| w.value.as_str()).collect()
    }

    #[test]
    fn parameter_expansion_with_nested_defaults() {
        let vars = vec![
            ("A".to_string(), "1".to_string()),
            ("E".to_string(), String::new()),
            ("D".to_string(), "dflt".to_string()),
        ];
        let x = |s: &str| expand_parameters(s, &vars);
        assert_eq!(x("$A-${A}"), "1-1");
        assert_eq!(x("${E:-${D}}"), "dflt");
        assert_eq!(x("${MISSING:-${D}}"), "dflt");
        assert_eq!(x("${A:-${D}}"), "1");
        assert_eq!(x("${MISSING:-${NONE}}"), "${NONE}");
        assert_eq!(x("$MISSING"), "$MISSING");
    }

    #[test]
    fn a_test_guards_only_the_file_it_stands_for() {
        let none = |_: &str| None;
        let conf = |w: &str| (w == "$CONF").then(|| "/tmp/sentinel.conf".to_string());
        let token = "[ -f /shared/token ] && T=$(cat /shared/token)\ncat > $CONF <<EOF\n";
        assert!(!tests_for_existing(token, "/tmp/sentinel.conf", &conf));
        let own = "if [ ! -f \"$CONF\" ]; then cp /t $CONF; fi\n";
        assert!(tests_for_existing(own, "/tmp/sentinel.conf", &conf));
        let marker = "test -e /tmp/.done || cp /t /tmp/sentinel.conf\n";
        assert!(tests_for_existing(marker, "/tmp/sentinel.conf", &none));
        let unknown = "[ -s \"$OTHER\" ] || cp /t /tmp/sentinel.conf\n";
        assert!(tests_for_existing(unknown, "/tmp/sentinel.conf", &none));
    }

    #[test]
    fn commands_quotes_and_expansions() {
        let s = parse("a=1 b \"x y\" 'z' $(echo a b) ${X:-a b}; c && d # e\n");
        assert_eq!(
            words(&s.commands[0]),
            ["b", "x y", "z", "$(echo a b)", "${X:-a b}"]
        );
        assert_eq!(s.commands[0].assignments[0].value, "a=1");
        assert_eq!(words(&s.commands[1]), ["c"]);
        assert_eq!(words(&s.commands[2]), ["d"]);
    }

    #[test]
    fn heredocs_nested_in_ssh() {
        let text = "ssh root@$H bash <<EOF\n    cat > /etc/redis/s.conf <<'CONF'\nport 1\nCONF\n    echo ok\nEOF\necho after\n";
        let s = parse(text);
        let outer = &s.commands[0];
        assert_eq!(outer.heredocs.len(), 1);
        assert!(!outer.heredocs[0].quoted);
        let inner = s
            .commands
            .iter()
            .find(|c| c.depth == 1 && !c.heredocs.is_empty())
            .unwrap();
        assert_eq!(inner.redirects[0].op, ">");
        assert_eq!(inner.redirects[0].target.value, "/etc/redis/s.conf");
        assert!(inner.heredocs[0].quoted);
        assert_eq!(&text[inner.heredocs[0].body.clone()], "port 1\n");
        assert!(s.commands.iter().any(|c| words(c) == ["echo", "after"]));
    }

    #[test]
    fn scripts_in_dash_c_arguments() {
        // A here-document fed to `bash -s`, whose commands run `bash -c "…"` scripts that
        // write a config with a here-document of their own.
        let text = "bash -s <<EOF\n\"/bin/bash\" -c \"cat <<EOF > /etc/s.conf\nport 1\nEOF\"\n\"/bin/bash\" -c \"redis-sentinel /etc/s.conf\"\nEOF\n";
        let s = parse(text);
        let cat = s
            .commands
            .iter()
            .find(|c| c.program().is_some_and(|(_, p)| p.value == "cat"))
            .expect("the cat inside bash -c");
        assert_eq!(cat.depth, 2);
        assert_eq!(cat.redirects[0].target.value, "/etc/s.conf");
        assert_eq!(&text[cat.heredocs[0].body.clone()], "port 1\n");
        assert!(s
            .commands
            .iter()
            .any(|c| words(c) == ["redis-sentinel", "/etc/s.conf"]));
        // A word with escapes is not its own text: its script is not read.
        let s = parse("sh -c \"echo \\\"x\\\"\"\n");
        assert_eq!(s.commands.len(), 1);
    }

    #[test]
    fn tab_stripped_and_tee() {
        let text = "if true; then\n\tsudo tee /x.service >/dev/null <<-EOF\n\t[Unit]\n\tEOF\nfi\n";
        let s = parse(text);
        let c = s.commands.iter().find(|c| !c.heredocs.is_empty()).unwrap();
        assert_eq!(c.program().unwrap().1.value, "tee");
        assert!(c.heredocs[0].terminated);
        assert_eq!(&text[c.heredocs[0].body.clone()], "\t[Unit]\n");
    }

    #[test]
    fn assignments_found() {
        let s = parse("X=/etc/redis\nf() {\n  local y=\"$X/a.conf\"\n  case $1 in\n  s) z=\"${X}/s.conf\" ;;\n  esac\n}\n");
        let names: Vec<_> = assignments(&s)
            .into_iter()
            .map(|(n, w)| (n, w.value))
            .collect();
        assert_eq!(
            names,
            [
                ("X".to_string(), "/etc/redis".to_string()),
                ("y".to_string(), "$X/a.conf".to_string()),
                ("z".to_string(), "${X}/s.conf".to_string())
            ]
        );
    }
}
