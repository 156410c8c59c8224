//! Deployment scripts: the configs and units their here-documents write, checked as those
//! files with spans into the script, and the redis-server / redis-sentinel commands they run.
//! `$VAR` is expanded only to the literal values the script assigns to `VAR`; anything else
//! (positional parameters, command substitutions, the environment) stays unknown.

use crate::facts::service::Candidate;
use crate::formats::conf::ConfFile;
use crate::formats::detect::{classify, name_hint, FileKind, NameHint};
use crate::formats::systemd::{unit_kind, UnitFile};
use crate::knowledge::cmdline::CommandLine;
use crate::source::{FileId, Span, Spanned};
use crate::syntax::{redis_conf, shell, systemd};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// `*.sh`, `*.bash`, or a `sh`/`bash` shebang.
pub fn is_script(path: &Path, text: &str) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if name.ends_with(".sh") || name.ends_with(".bash") {
        return true;
    }
    has_shell_shebang(text.lines().next().unwrap_or_default())
}

pub fn has_shell_shebang(first_line: &str) -> bool {
    let Some(rest) = first_line.strip_prefix("#!") else {
        return false;
    };
    let mut words = rest.split_ascii_whitespace();
    let mut program = words.next().map(shell::basename).unwrap_or_default();
    if program == "env" {
        program = words
            .find(|w| !w.starts_with('-'))
            .map(shell::basename)
            .unwrap_or_default();
    }
    matches!(program, "sh" | "bash" | "dash" | "ash" | "ksh" | "zsh")
}

/// The values a script assigns to each variable, with where.
#[derive(Debug, Default)]
pub struct Vars {
    values: HashMap<String, Vec<(String, Span)>>,
}

const MAX_CANDIDATES: usize = 16;

/// A word without expansions is its own single value; with one, it is unknown.
pub fn literal(word: &str) -> Vec<Candidate> {
    if word.contains('$') || crate::syntax::systemd::has_specifier(word) {
        Vec::new()
    } else {
        vec![Candidate {
            value: word.to_string(),
            set_at: None,
            config: None,
        }]
    }
}

impl Vars {
    /// The literal values `word` may take; empty when any part is unknown.
    pub fn expand(&self, word: &str) -> Vec<Candidate> {
        self.expand_depth(word, 4)
    }

    fn expand_depth(&self, word: &str, depth: usize) -> Vec<Candidate> {
        let Some(at) = word.find('$') else {
            return literal(word);
        };
        if depth == 0 {
            return Vec::new();
        }
        let rest = &word[at + 1..];
        let (name, after) = if let Some(inner) = rest.strip_prefix('{') {
            let Some(end) = inner.find('}') else {
                return Vec::new();
            };
            (&inner[..end], &inner[end + 1..])
        } else {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            (&rest[..end], &rest[end..])
        };
        let plain = !name.is_empty()
            && !name.starts_with(|c: char| c.is_ascii_digit())
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        let Some(values) = self.values.get(name).filter(|_| plain) else {
            return Vec::new();
        };
        let tails = self.expand_depth(after, depth);
        if tails.is_empty() {
            return Vec::new();
        }
        let mut out: Vec<Candidate> = Vec::new();
        for (value, span) in values.iter().filter(|(v, _)| !v.is_empty()) {
            let heads = self.expand_depth(value, depth - 1);
            if heads.is_empty() {
                return Vec::new(); // one unknown value makes the whole word unknown
            }
            for head in heads {
                for tail in &tails {
                    let value = format!("{}{}{}", &word[..at], head.value, tail.value);
                    if !out.iter().any(|c| c.value == value) {
                        out.push(Candidate {
                            value,
                            set_at: Some(*span),
                            config: None,
                        });
                    }
                    if out.len() >= MAX_CANDIDATES {
                        return out;
                    }
                }
            }
        }
        out
    }

    /// What the script assigns, once, to the variable `word` names (`$NAME`, `${NAME}`)
    /// when that is itself one parameter expansion (`NAME=${REDIS_MASTER_HOST:-redis}`):
    /// the environment of the container fills it later.
    pub fn assigned_expansion(&self, word: &str) -> Option<&str> {
        let name = word.strip_prefix('$')?;
        let name = name
            .strip_prefix('{')
            .and_then(|n| n.strip_suffix('}'))
            .unwrap_or(name);
        let [(value, _)] = self.values.get(name)?.as_slice() else {
            return None;
        };
        let inner = value.strip_prefix("${")?.strip_suffix('}')?;
        let plain = !inner.contains(['$', '`', '(', '{', '}']);
        plain.then_some(value.as_str())
    }

    /// The program a variable names (`BIN="$(command -v redis-sentinel)"`, or another
    /// such variable): the first of its values that says.
    fn program_in(&self, word: &str, depth: usize) -> Option<String> {
        let name = word.strip_prefix('$')?;
        let name = name
            .strip_prefix('{')
            .and_then(|n| n.strip_suffix('}'))
            .unwrap_or(name);
        self.values.get(name)?.iter().find_map(|(value, _)| {
            looked_up_program(value).or_else(|| {
                (depth > 0)
                    .then(|| self.program_in(value, depth - 1))
                    .flatten()
            })
        })
    }

    /// The single value of a word, when there is exactly one.
    pub fn single(&self, word: &str) -> Option<String> {
        match self.expand(word).as_slice() {
            [one] => Some(one.value.clone()),
            _ => None,
        }
    }
}

/// A file a script copies (`cp SRC DST`) or renders from a template (`sed … SRC > DST`).
#[derive(Debug, Clone)]
pub struct FileCopy {
    pub from: String,
    pub to: String,
    /// The command that makes it.
    pub at: Span,
    /// Made only when the destination is missing (`test -f DST || cp …`, `cp -n`); else
    /// at every run of the script.
    pub guarded: bool,
}

/// The files a copy's source word may name: its values, or the word itself when any is
/// unknown.
fn sources(vars: &Vars, word: &str) -> Vec<String> {
    let values = vars.expand(word);
    if values.is_empty() {
        return vec![word.to_string()];
    }
    values.into_iter().map(|c| c.value).collect()
}

/// Whether the script goes on while the command at `program` runs: it ends with `&`, is
/// started by `nohup` / `setsid`, or daemonizes itself.
fn runs_in_background(text: &str, command: &shell::Command, program: usize) -> bool {
    let words = &command.words;
    let wrapped = words[..program]
        .iter()
        .any(|w| matches!(shell::basename(&w.value), "nohup" | "setsid"));
    let daemonized = words[program..].windows(2).any(|p| {
        p[0].value.eq_ignore_ascii_case("--daemonize") && p[1].value.eq_ignore_ascii_case("yes")
    });
    // After its last word or redirection (`> log 2>&1 &`).
    let end = words
        .iter()
        .map(|w| w.range.end)
        .chain(command.redirects.iter().map(|r| r.target.range.end))
        .max()
        .unwrap_or(0);
    let after = text.get(end..).unwrap_or_default();
    let after = after.trim_start_matches([' ', '\t']);
    let ampersand = after.starts_with('&') && !after.starts_with("&&") && !after.starts_with("&>");
    wrapped || daemonized || ampersand
}

/// The last copy a script makes to `path`.
pub fn copy_to<'a>(copies: &'a [FileCopy], path: &str) -> Option<&'a FileCopy> {
    copies.iter().rev().find(|c| c.to == path)
}

/// A redis-server / redis-sentinel command of the script.
#[derive(Debug)]
pub struct ScriptCommand {
    pub cmdline: CommandLine,
    pub candidates: Vec<Candidate>,
    /// The words after the program name, with their spans.
    pub args: Vec<Spanned<String>>,
    /// The script goes on while it runs: `&`, `nohup`, `setsid`, `--daemonize yes`.
    pub background: bool,
    /// Run on another machine (a here-document fed to `ssh host bash`).
    pub remote: bool,
}

impl ScriptCommand {
    /// The command as a container invocation: its program's role, its config (the value
    /// the script gives it, when it has one) and its words.
    pub fn invocation(&self) -> crate::formats::workload::Invocation {
        let token = |w: &Spanned<String>| redis_conf::Token {
            value: w.value.as_str().into(),
            range: w.span.start as usize..w.span.end as usize,
            quoted: false,
            owner: w.span.file,
            origin: w.origin,
        };
        let config = self.cmdline.config.as_ref().and_then(|c| {
            let value = match self.candidates.as_slice() {
                [one] => one.value.clone(),
                [] if !c.value.contains('$') => c.value.clone(),
                _ => return None,
            };
            Some((value, c.span.start as usize..c.span.end as usize))
        });
        crate::formats::workload::Invocation {
            from_hook: false,
            kind: if self.cmdline.is_sentinel() {
                FileKind::SentinelConf
            } else {
                FileKind::RedisConf
            },
            config,
            args: self.args.iter().map(token).collect(),
        }
    }
}

#[derive(Debug, Default)]
pub struct ScriptFile {
    /// A test of the pod's own name or ordinal that picks the role (see
    /// `role_choice::ordinal_test`), and whether the script asks the sentinels first.
    pub role_by_ordinal: Option<(Span, bool)>,
    pub confs: Vec<ConfFile>,
    pub units: Vec<UnitFile>,
    pub commands: Vec<ScriptCommand>,
    /// Values of variables whose name says they hold a secret (`PASSWORD=…`).
    pub secret_spans: Vec<Span>,
    /// Which of `commands` run in which environment, and what else the script runs.
    pub flow: crate::formats::script_flow::Flow,
    /// Helm releases the script installs (`helm install … --set …`).
    pub helm_releases: Vec<crate::formats::helm_command::HelmCommand>,
    /// `cp SRC DST` commands and templates rendered into a file, in order.
    pub copies: Vec<FileCopy>,
    /// Lines appended to a file the script copied there first: (path, lines). Not a
    /// config of their own; the rest is what was copied.
    pub appended_after_copy: Vec<(String, redis_conf::ConfTree)>,
    /// The script speaks of `replicaof` / `slaveof` somewhere: what it starts may be a
    /// replica in a way not followed here (a line appended in one branch).
    pub speaks_of_replication: bool,
}

pub fn read(file: FileId, text: &Arc<str>) -> ScriptFile {
    read_mapped(file, text, None)
}

/// A script embedded in a manifest (a ConfigMap key that a container runs): read like a
/// file, with every span mapped from the script's text to the manifest's.
pub fn read_embedded(file: FileId, piece: &crate::syntax::yaml::Embedded) -> ScriptFile {
    let text: Arc<str> = piece.text.as_str().into();
    read_mapped(file, &text, Some(piece))
}

fn read_mapped(
    file: FileId,
    text: &Arc<str>,
    piece: Option<&crate::syntax::yaml::Embedded>,
) -> ScriptFile {
    let at = |r: std::ops::Range<usize>| -> Span {
        let r = match piece {
            Some(p) => p.range_to_file(r),
            None => r,
        };
        Span::new(file, r.start, r.end)
    };
    let script = shell::parse(text);
    let mut vars = Vars::default();
    let mut out = ScriptFile {
        role_by_ordinal: crate::formats::role_choice::ordinal_test(text)
            .map(|r| (at(r), crate::formats::role_choice::asks_sentinels(text))),
        speaks_of_replication: {
            let lower = text.to_ascii_lowercase();
            lower.contains("replicaof") || lower.contains("slaveof")
        },
        ..ScriptFile::default()
    };
    for (name, word) in shell::assignments(&script) {
        let span = at(word.range.clone());
        if looks_secret(&name) && !word.value.is_empty() {
            out.secret_spans.push(span);
        }
        vars.values
            .entry(name)
            .or_default()
            .push((word.value, span));
    }
    let vars = Arc::new(vars);
    // The command that writes each config of `out.confs`, in order.
    let mut writes: Vec<std::ops::Range<usize>> = Vec::new();
    // The index in `out.commands` of each redis command of the script.
    let mut started: HashMap<usize, usize> = HashMap::new();
    for (index, command) in script.commands.iter().enumerate() {
        if let Some(heredoc) = command.heredocs.first() {
            if let Some(target) = written_file(command) {
                let before = out.confs.len();
                embed(file, text, &vars, &target, heredoc, piece, &mut out);
                if command.depth > 0 {
                    for conf in &mut out.confs[before..] {
                        conf.run_remotely = true;
                    }
                }
                if out.confs.len() > before {
                    writes.push(command_range(command));
                }
            }
        }
        if piece.is_none() {
            if let Some(release) = crate::formats::helm_command::read(command, text) {
                // `--set auth.password=…`: a secret, masked wherever it is shown.
                if let Some(set) = &release.set {
                    secret_values(set, false, &mut |span| out.secret_spans.push(at(span)));
                }
                out.helm_releases.push(release);
                continue;
            }
        }
        if let Some((src, dst)) = command.rendered_copy() {
            let value = |w: &shell::Word| vars.single(&w.value).unwrap_or_else(|| w.value.clone());
            let to = value(dst);
            out.copies.push(FileCopy {
                guarded: shell::tests_for_existing(text, &to, &|w| vars.single(w)),
                from: value(src),
                to,
                at: at(command_range(command)),
            });
            continue;
        }
        let Some((i, program)) = command.program() else {
            continue;
        };
        if shell::basename(&program.value) == "cp" {
            let words: Vec<&shell::Word> = command.words[i + 1..]
                .iter()
                .filter(|w| !w.value.starts_with('-'))
                .collect();
            if let [src, dst] = words.as_slice() {
                let dst = vars.single(&dst.value).unwrap_or_else(|| dst.value.clone());
                let no_clobber = command.words[i + 1..]
                    .iter()
                    .any(|w| w.value == "-n" || w.value == "--no-clobber");
                let guarded =
                    no_clobber || shell::tests_for_existing(text, &dst, &|w| vars.single(w));
                // `cp $CONFIG_FILE /tmp/sentinel.conf`, the variable set in an `if` and
                // its `else`: one copy per template it may name, the last assigned
                // last (the one `copy_to` finds).
                for from in sources(&vars, &src.value) {
                    out.copies.push(FileCopy {
                        from,
                        to: dst.clone(),
                        at: at(command_range(command)),
                        guarded,
                    });
                }
            }
            continue;
        }
        let mut argv: Vec<Spanned<String>> = command.words[i..]
            .iter()
            .map(|w| {
                // A word of a command line: replaceable, but not a config line.
                let span = at(w.range.clone());
                Spanned::with_origin(w.value.clone(), span, crate::source::Origin::Literal)
            })
            .collect();
        // `exec "$REDIS_SENTINEL_BIN" …` with `REDIS_SENTINEL_BIN="$(command -v
        // redis-sentinel)"`: the program the variable names.
        if program.value.starts_with('$') {
            // Assigned more than once (a fallback when the first lookup finds nothing):
            // the first that names a program.
            if let Some(name) = vars.program_in(&program.value, 2) {
                argv[0].value = name;
            }
        }
        let span = argv[0].span.cover(argv[argv.len() - 1].span);
        if let Some(cmdline) = CommandLine::parse(&argv, span) {
            if cmdline.is_query() {
                continue;
            }
            let candidates = cmdline
                .config
                .as_ref()
                .map(|c| vars.expand(&c.value))
                .unwrap_or_default();
            started.insert(index, out.commands.len());
            out.commands.push(ScriptCommand {
                cmdline,
                candidates,
                args: argv[1..].to_vec(),
                background: runs_in_background(text, command, i),
                remote: command.depth > 0,
            });
        }
    }
    out.flow =
        crate::formats::script_flow::Flow::build(text, &script, &|i| started.get(&i).copied());
    echo_configs(file, text, &script, &vars, piece, &mut out, &mut writes);
    let guarded = |conf: &ConfFile| {
        let path = conf.written_to.as_deref().unwrap_or_default();
        shell::tests_for_existing(text, path, &|w| vars.single(w))
    };
    for conf in &mut out.confs {
        if guarded(conf) {
            // Appended only when the file is not there yet: once.
            conf.appended_at_start = None;
        }
    }
    // A config the script writes and then starts Sentinel on, without first testing
    // whether it exists: rewritten at every start.
    {
        for (conf, write) in out.confs.iter_mut().zip(&writes) {
            if conf.appended_at_start.is_some() || guarded(conf) {
                continue;
            }
            // The same path, or the same word when its variable is set elsewhere
            // (a sourced env file): `cat > "$CONF" …; exec redis-sentinel "$CONF"`.
            let started = out.commands.iter().any(|c| {
                c.cmdline.is_sentinel()
                    && (c
                        .candidates
                        .iter()
                        .any(|cand| Some(&cand.value) == conf.written_to.as_ref())
                        || c.cmdline.config.as_ref().is_some_and(|w| {
                            w.value.contains('$') && Some(&w.value) == conf.written_to.as_ref()
                        }))
            });
            if started {
                conf.rewritten_at_start = Some(at(write.clone()));
            }
        }
    }
    out
}

/// Words before a command name that belong to the shell's grammar, not to the command.
const KEYWORDS: &[&str] = &[
    "then", "do", "else", "{", "!", "if", "elif", "while", "until",
];

/// What one `echo`/`printf` writes into a file.
struct Echoed {
    target: String,
    append: bool,
    /// Byte ranges of the written text, quotes left out.
    pieces: Vec<std::ops::Range<usize>>,
    /// printf: where a `\n` escape breaks the line (the offset of its backslash).
    breaks: Vec<usize>,
    /// printf: each `%s`/`%d` conversion (offset of its `%`) and the argument it takes.
    conversions: Vec<(usize, String)>,
    /// For each piece, the text the shell writes when it differs from the piece's bytes
    /// (`"save \"\""` writes `save ""`): put at the piece's start, the rest left blank.
    unescaped: Vec<Option<String>>,
}

/// An `echo … > FILE` / `echo … >> FILE`, or `printf 'FORMAT' ARGS… > FILE` (`\n` breaks
/// lines, `%s`/`%d` take the arguments), redirected itself or as part of a `{ …; } > FILE`
/// group (`group`: the group's redirect, and whether this is its first write).
fn echoed_line(
    command: &shell::Command,
    text: &str,
    group: Option<(&shell::Redirect, bool)>,
) -> Option<Echoed> {
    let start = command
        .words
        .iter()
        .position(|w| !KEYWORDS.contains(&w.value.as_str()))?;
    let name = command.words[start].value.as_str();
    if !matches!(name, "echo" | "printf") {
        return None;
    }
    let is_write = |r: &&shell::Redirect| matches!(r.op.as_str(), ">" | ">>" | ">|" | "1>" | "1>>");
    let (redirect, later_in_group) = match command.redirects.iter().rfind(is_write) {
        Some(r) => (r, false),
        None => {
            let (r, first) = group.filter(|(r, _)| is_write(r))?;
            (r, !first)
        }
    };
    let mut args = &command.words[start + 1..];
    if name == "echo" {
        while args
            .first()
            .is_some_and(|w| matches!(w.value.as_str(), "-e" | "-n" | "-E" | "-ne" | "-en"))
        {
            args = &args[1..];
        }
    } else {
        return printf_line(args, text, redirect, later_in_group);
    }
    let mut pieces = Vec::new();
    let mut unescaped = Vec::new();
    for word in args {
        let raw = text.get(word.range.clone())?;
        let inner = match raw.as_bytes() {
            [q @ (b'"' | b'\''), .., last] if raw.len() >= 2 && last == q => {
                word.range.start + 1..word.range.end - 1
            }
            _ => word.range.clone(),
        };
        let piece = text.get(inner.clone())?;
        // printf's format ends with `\n`, and so does an echo written as if it were one
        // (dash's echo writes the line break; others write `\n`, which Redis reads as
        // part of the last word); anything else escaped, or a line break, and the word
        // is not one config line as written.
        let strip = if piece.ends_with("\\n") { 2 } else { 0 };
        // `echo "line one
        // line two" > FILE` writes several lines, as written.
        let breaks_allowed = name == "echo" && inner != word.range;
        let body = &piece[..piece.len() - strip];
        if body.contains('\n') && !breaks_allowed {
            return None;
        }
        // Inside double quotes the shell drops the backslash before `"`, `\\`, `$` and
        // `` ` ``; any other escape, or one outside them, and the line is not read.
        let double_quoted = raw.starts_with('"') && inner != word.range;
        unescaped.push(match body.contains('\\') {
            false => None,
            true if double_quoted => Some(unescape_double_quoted(body)?),
            true => return None,
        });
        let inner = inner.start..inner.end - strip;
        pieces.push(inner);
    }
    Some(Echoed {
        target: redirect.target.value.clone(),
        append: later_in_group || redirect.op.ends_with(">>"),
        pieces,
        breaks: Vec::new(),
        conversions: Vec::new(),
        unescaped,
    })
}

/// The text a double-quoted word writes: `\"`, `\\`, `\$` and `` \` `` lose their
/// backslash. `None` for any other backslash (echo's own escapes differ between shells).
fn unescape_double_quoted(body: &str) -> Option<String> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            e @ ('"' | '\\' | '$' | '`') => out.push(e),
            _ => return None,
        }
    }
    Some(out)
}

/// `printf 'FORMAT' ARGS…`: the format's text, its `\n` escapes as line breaks and its
/// `%s`/`%d` conversions with the argument each takes. `None` for other escapes or
/// conversions (`%-5s`, `%b`), or a format that is not one quoted word.
fn printf_line(
    args: &[shell::Word],
    text: &str,
    redirect: &shell::Redirect,
    later_in_group: bool,
) -> Option<Echoed> {
    let (format, rest) = args.split_first()?;
    let raw = text.get(format.range.clone())?;
    let inner = match raw.as_bytes() {
        [q @ (b'"' | b'\''), .., last] if raw.len() >= 2 && last == q => {
            format.range.start + 1..format.range.end - 1
        }
        _ => return None,
    };
    let body = text.get(inner.clone())?.as_bytes();
    // `printf '%s\n' "line one" "line two" …`: the format is used again for each
    // argument, so each one is a line of its own.
    if body == b"%s\\n" && rest.len() > 1 {
        let mut pieces = Vec::new();
        let mut breaks = Vec::new();
        for word in rest {
            let raw = text.get(word.range.clone())?;
            let piece = match raw.as_bytes() {
                [q @ (b'"' | b'\''), .., last] if raw.len() >= 2 && last == q => {
                    word.range.start + 1..word.range.end - 1
                }
                _ if !word.quoted => word.range.clone(),
                _ => return None,
            };
            // The line ends on the character after the argument (its closing quote, or
            // the blank after it), which is not part of the config.
            if text.len() < piece.end + 2 {
                return None;
            }
            breaks.push(piece.end);
            pieces.push(piece);
        }
        return Some(Echoed {
            target: redirect.target.value.clone(),
            append: later_in_group || redirect.op.ends_with(">>"),
            pieces,
            breaks,
            conversions: Vec::new(),
            unescaped: Vec::new(),
        });
    }
    let mut breaks = Vec::new();
    let mut conversions = Vec::new();
    let mut values = rest.iter();
    let mut i = 0;
    while i < body.len() {
        match (body[i], body.get(i + 1)) {
            (b'\\', Some(b'n')) => breaks.push(inner.start + i),
            (b'%', Some(b's' | b'd')) => {
                conversions.push((inner.start + i, values.next()?.value.clone()));
            }
            (b'%', Some(b'%')) => {}
            (b'\\' | b'%', _) => return None,
            (b'\n', _) => return None,
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    Some(Echoed {
        target: redirect.target.value.clone(),
        append: later_in_group || redirect.op.ends_with(">>"),
        pieces: vec![inner],
        breaks,
        conversions,
        unescaped: Vec::new(),
    })
}

/// For each command of the script, the redirect of the `{ …; } > FILE` group it is in,
/// and the group (the index of its opening command).
fn group_redirects(script: &shell::Script) -> Vec<Option<(&shell::Redirect, usize)>> {
    let mut out = vec![None; script.commands.len()];
    let mut open: Vec<usize> = Vec::new();
    for (i, command) in script.commands.iter().enumerate() {
        let first = command.words.first().map(|w| w.value.as_str());
        if first == Some("{")
            || command.words.iter().any(|w| w.value == "{" && !w.quoted) && first != Some("}")
        {
            open.push(i);
        }
        if first == Some("}") {
            let Some(start) = open.pop() else { continue };
            let Some(r) = command.redirects.last() else {
                continue;
            };
            for slot in out.iter_mut().take(i).skip(start) {
                if slot.is_none() {
                    *slot = Some((r, start));
                }
            }
        }
    }
    out
}

/// Configs a script builds line by line with `echo "directive …" >> FILE`: read as the
/// file those lines make, each line at the place of its `echo` in the script. The text
/// between the lines is blanked, so offsets stay those of the script; `$VAR` stays a
/// word of its own for the caller to substitute (the environment of the container).
fn echo_configs(
    file: FileId,
    text: &Arc<str>,
    script: &shell::Script,
    vars: &Arc<Vars>,
    piece: Option<&crate::syntax::yaml::Embedded>,
    out: &mut ScriptFile,
    writes: &mut Vec<std::ops::Range<usize>>,
) {
    // Per file written, in order of first write: the blanked text, the command that
    // truncates it first (`>`), if any, and the directives written so far with the
    // branch each was written in.
    let mut files: Vec<Written> = Vec::new();
    // The `if`/`case` blocks the current command is in: (block, branch) pairs.
    let mut branches: Vec<(usize, usize)> = Vec::new();
    let mut blocks = 0usize;
    // The first `>>` of each file.
    let mut first_append: HashMap<String, std::ops::Range<usize>> = HashMap::new();
    // The text echoed into each file so far, and the files whose text another one takes
    // in with `$(cat FILE)` (a line kept aside, then written into the config).
    let mut echoed: HashMap<String, Vec<std::ops::Range<usize>>> = HashMap::new();
    let mut inlined: Vec<String> = Vec::new();
    let groups = group_redirects(script);
    let mut written_groups: std::collections::HashSet<usize> = std::collections::HashSet::new();
    // printf conversions: the argument each takes, by the offset of its `%`.
    let mut conversions: HashMap<usize, String> = HashMap::new();
    // Pieces written unescaped (shorter than their text, so their words stand a little
    // before where the script spells them).
    let mut shifted: Vec<std::ops::Range<usize>> = Vec::new();
    for (ci, command) in script.commands.iter().enumerate() {
        // Keywords lead a command (`then if …`, `else`, `fi`): words after them are not.
        let leading = command
            .words
            .iter()
            .map(|w| w.value.as_str())
            .take_while(|w| KEYWORDS.contains(w) || matches!(*w, "fi" | "esac" | "case" | "done"));
        for w in leading {
            match w {
                "if" | "case" => {
                    blocks += 1;
                    branches.push((blocks, 0));
                }
                "else" | "elif" => {
                    if let Some(last) = branches.last_mut() {
                        last.1 += 1;
                    }
                }
                "fi" | "esac" => {
                    branches.pop();
                }
                _ => {}
            }
        }
        // A `case` arm (`pattern)`) is a branch of its own.
        if command
            .words
            .first()
            .is_some_and(|w| w.value.ends_with(')'))
        {
            if let Some(last) = branches.last_mut() {
                last.1 += 1;
            }
        }
        let Some(Echoed {
            target,
            append,
            pieces,
            breaks,
            conversions: taken_args,
            unescaped,
        }) = echoed_line(
            command,
            text,
            groups[ci].map(|(r, g)| (r, !written_groups.contains(&g))),
        )
        else {
            continue;
        };
        if let Some((_, g)) = groups[ci] {
            written_groups.insert(g);
        }
        let path = vars.single(&target).unwrap_or(target);
        // Any file's lines may be taken into a config later (`$(cat FILE)`).
        echoed
            .entry(path.clone())
            .or_default()
            .extend(pieces.iter().cloned());
        if path.contains('$') || name_hint(Path::new(&path)) == NameHint::NotConf {
            continue;
        }
        let at = match files.iter().position(|f| f.0 == path) {
            Some(i) => i,
            None => {
                let blank = text
                    .bytes()
                    .map(|b| if b == b'\n' { b'\n' } else { b' ' })
                    .collect();
                files.push((path, blank, None, Vec::new()));
                files.len() - 1
            }
        };
        if append {
            first_append
                .entry(files[at].0.clone())
                .or_insert_with(|| command_range(command));
        }
        let entry = &mut files[at];
        // The same directive in another branch of one `if`/`case` is the other
        // choice, not a second line: only the first branch's is read.
        let key = directive_key(pieces.first().map_or("", |r| &text[r.clone()]));
        let exclusive = |other: &[(usize, usize)]| {
            other
                .iter()
                .zip(&branches)
                .any(|(a, b)| a.0 == b.0 && a.1 != b.1)
        };
        if entry.3.iter().any(|(k, at)| *k == key && exclusive(at)) {
            continue;
        }
        entry.3.push((key, branches.clone()));
        let mut taken: Vec<std::ops::Range<usize>> = Vec::new();
        for r in &pieces {
            for (at, _) in text[r.clone()].match_indices("$(cat ") {
                let rest = &text[r.start + at + 6..r.end];
                let Some(end) = rest.find(')') else { continue };
                let source = rest[..end].trim().trim_matches(['"', '\'']);
                let source = vars.single(source).unwrap_or_else(|| source.to_string());
                if let Some(lines) = echoed.get(&source) {
                    taken.extend(lines.iter().cloned());
                    inlined.push(source);
                }
            }
        }
        for r in pieces.iter().chain(&taken) {
            entry.1[r.clone()].copy_from_slice(&text.as_bytes()[r.clone()]);
        }
        for (r, written) in pieces.iter().zip(&unescaped) {
            if let Some(written) = written {
                shifted.push(r.clone());
                entry.1[r.clone()].fill(b' ');
                entry.1[r.start..r.start + written.len()].copy_from_slice(written.as_bytes());
            }
        }
        // What one echo writes ends a line, even when the next echo stands on the same
        // line of the script (`echo a > F && echo b >> F`).
        if let Some(end) = pieces.last().map(|r| r.end) {
            if entry.1.get(end) == Some(&b' ') {
                entry.1[end] = b'\n';
            }
        }
        // printf: `\n` ends a line where it stands; `%s` is a word to fill in.
        for &b in &breaks {
            entry.1[b] = b'\n';
            entry.1[b + 1] = b' ';
        }
        for (at, value) in taken_args {
            entry.1[at] = b'$';
            entry.1[at + 1] = b'_';
            conversions.insert(at, value);
        }
        if !append && entry.2.is_none() {
            entry.2 = Some(command_range(command));
        }
    }
    for (path, blank, truncated, _) in files {
        if inlined.contains(&path) {
            continue; // lines kept aside for a config that takes them in
        }
        if out
            .confs
            .iter()
            .any(|c| c.written_to.as_deref() == Some(path.as_str()))
        {
            continue; // written by a here-document too: that one is read
        }
        // Only appended to: when the script copies or moves something to the path, the
        // rest of the file comes from there, so these lines are not the whole config.
        // Otherwise the lines are the config of the first start, and every later start
        // of the same container appends them again.
        let after_copy = truncated.is_none() && creates_file(script, vars, &path);
        let (truncated, appended) = match truncated {
            Some(t) => (t, false),
            None => match first_append.get(&path) {
                Some(first) => (first.clone(), true),
                None => continue,
            },
        };
        let Ok(blank) = String::from_utf8(blank) else {
            continue;
        };
        let mut tree = redis_conf::parse(&mask_expansions(&blank));
        if tree.lines.is_empty() {
            continue;
        }
        // Each line is an `echo` of the script: a value may be replaced where it is
        // written, but a line added there would be shell, not config.
        for token in tree.lines.iter_mut().flat_map(|l| l.tokens.iter_mut()) {
            token.origin = crate::source::Origin::Echoed;
            // A word of an unescaped piece: its span runs to the piece's end (it covers
            // the word as the script spells it, so masking hides all of a secret), and
            // no edit may replace it there.
            if let Some(piece) = shifted.iter().find(|p| p.contains(&token.range.start)) {
                token.range.end = token.range.end.max(piece.end);
                token.origin = crate::source::Origin::Implied;
            }
        }
        fill_conversions(&mut tree, &conversions);
        fill_assigned(&mut tree, vars);
        if let Some(piece) = piece {
            tree = crate::formats::kubernetes::remap(tree, piece);
        }
        if after_copy {
            // Kept for whoever knows what was copied there (an init container's pod).
            out.appended_after_copy.push((path, tree));
            continue;
        }
        let Some(kind) = classify(Path::new(&path), &tree, false) else {
            continue;
        };
        let mut conf = ConfFile::from_tree(file, kind, tree);
        if appended {
            let r = match piece {
                Some(p) => p.range_to_file(truncated.clone()),
                None => truncated.clone(),
            };
            conf.appended_at_start = Some(Span::new(file, r.start, r.end));
        }
        conf.written_to = Some(path);
        out.confs.push(conf);
        writes.push(truncated);
    }
}

/// The program a `$(command -v NAME)` / `$(which NAME)` substitution finds (with any
/// `|| true` after it), or a path written as it is.
fn looked_up_program(value: &str) -> Option<String> {
    let inner = value
        .strip_prefix("$(")
        .and_then(|v| v.strip_suffix(')'))
        .or_else(|| value.strip_prefix('`').and_then(|v| v.strip_suffix('`')));
    let Some(inner) = inner else {
        // A path, or a Redis program by name (`redis_sentinel=redis-sentinel`).
        let named = crate::knowledge::cmdline::is_redis_program(shell::basename(value));
        return ((value.starts_with('/') || named) && !value.contains(['$', ' ']))
            .then(|| value.to_string());
    };
    let first = inner.split("||").next()?.trim();
    let name = first
        .strip_prefix("command -v ")
        .or_else(|| first.strip_prefix("which "))?
        .trim();
    (!name.is_empty() && !name.contains(['$', ' ', '`'])).then(|| name.to_string())
}

/// Whether a command of the script puts a whole file at `path` (`cp`, `mv`, `install`,
/// `ln`, `touch` does not count: the file stays empty), so appended lines add to it.
fn creates_file(script: &shell::Script, vars: &Vars, path: &str) -> bool {
    script.commands.iter().any(|command| {
        let Some((i, program)) = command.program() else {
            return false;
        };
        let name = shell::basename(&program.value);
        if !matches!(
            name,
            "cp" | "mv" | "install" | "ln" | "envsubst" | "sed" | "cat" | "tee"
        ) {
            return false;
        }
        let target = |w: &str| vars.single(w).unwrap_or_else(|| w.to_string()) == path;
        // `cat t > FILE`, `envsubst < t > FILE`, `sed … t > FILE`: a redirection.
        if command
            .redirects
            .iter()
            .any(|r| !r.op.ends_with(">>") && target(&r.target.value))
        {
            return true;
        }
        matches!(name, "cp" | "mv" | "install" | "ln")
            && command.words[i + 1..].last().is_some_and(|w| {
                target(&w.value) || path.starts_with(&format!("{}/", w.value.trim_end_matches('/')))
            })
    })
}

/// A file an echo-building script writes: its path, its blanked text, the command that
/// empties it first, and the directives written with the `if`/`case` branch of each.
type Written = (
    String,
    Vec<u8>,
    Option<std::ops::Range<usize>>,
    Vec<(String, Vec<(usize, usize)>)>,
);

/// What makes a config line the same setting as another: its directive, and for
/// `sentinel` lines the option too.
fn directive_key(line: &str) -> String {
    let mut words = line.split_ascii_whitespace().map(str::to_ascii_lowercase);
    let first = words.next().unwrap_or_default();
    match (first.as_str(), words.next()) {
        ("sentinel", Some(option)) => format!("sentinel {option}"),
        _ => first,
    }
}

/// printf's `%s` (written `$_` in the blanked text): the argument it takes, itself a
/// literal or a `$NAME` for `fill_assigned`.
fn fill_conversions(tree: &mut redis_conf::ConfTree, conversions: &HashMap<usize, String>) {
    if conversions.is_empty() {
        return;
    }
    for token in tree.lines.iter_mut().flat_map(|l| l.tokens.iter_mut()) {
        let mut value = String::new();
        let mut changed = false;
        let raw = token.value.to_string();
        let mut i = 0;
        while i < raw.len() {
            let at = token.range.start + i;
            if raw[i..].starts_with("$_") {
                if let Some(arg) = conversions.get(&at) {
                    value.push_str(arg);
                    changed = true;
                    i += 2;
                    continue;
                }
            }
            let c = raw[i..].chars().next().unwrap_or(' ');
            value.push(c);
            i += c.len_utf8();
        }
        if changed {
            token.value = value.into();
            token.origin = crate::source::Origin::Implied;
        }
    }
}

/// `$NAME` words whose value the script assigns once: that value, as implied.
fn fill_assigned(tree: &mut redis_conf::ConfTree, vars: &Vars) {
    for token in tree.lines.iter_mut().flat_map(|l| l.tokens.iter_mut()) {
        if !token.value.starts_with('$') {
            continue;
        }
        if let Some(value) = vars.single(&token.value) {
            token.value = value.as_str().into();
            token.origin = crate::source::Origin::Implied;
        } else if let Some(expansion) = vars.assigned_expansion(&token.value) {
            token.value = expansion.into();
            token.origin = crate::source::Origin::Implied;
        }
    }
}

/// The defaults a script gives variables of its environment: `: ${VAR:=value}`,
/// `${VAR:-value}`, in order (a later one wins).
pub fn defaults(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("${") {
        rest = &rest[at + 2..];
        let Some(end) = rest.find('}') else {
            break;
        };
        let inner = &rest[..end];
        let Some(sep) = inner.find([':', '-', '=']) else {
            continue;
        };
        let (name, op) = inner.split_at(sep);
        let value = op
            .strip_prefix(":=")
            .or_else(|| op.strip_prefix(":-"))
            .or_else(|| op.strip_prefix('='))
            .or_else(|| op.strip_prefix('-'));
        let plain =
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if let Some(value) = value.filter(|v| plain && !v.contains(['$', '`', '{'])) {
            let value = value.trim_matches(['"', '\'']);
            out.push((name.to_string(), value.to_string()));
        }
    }
    out
}

/// A config a start script writes with a here-document, in the script's offsets.
#[derive(Debug)]
pub struct WrittenConfig {
    pub path: String,
    pub kind: FileKind,
    pub tree: redis_conf::ConfTree,
    /// The script tests whether a file exists first: it may write it only once.
    pub guarded: bool,
    /// The line of the command that writes it, up to the body.
    pub command: std::ops::Range<usize>,
    /// Built only by appending, from this command on (see `ConfFile::appended_at_start`).
    pub appended: Option<std::ops::Range<usize>>,
}

/// The configs a start script writes with here-documents.
pub fn written_configs(text: &str) -> Vec<WrittenConfig> {
    written_and_appended(text).0
}

/// Lines appended to a file the script copies there first (`cp TEMPLATE FILE` then
/// `echo … >> FILE`): (path, lines). What the copy holds is known only to whoever knows
/// its source.
pub type AppendedAfterCopy = Vec<(String, redis_conf::ConfTree)>;

/// The configs a start script writes, and the lines it appends after a copy, from one
/// reading of the script.
pub fn written_and_appended(text: &str) -> (Vec<WrittenConfig>, AppendedAfterCopy) {
    let arc: Arc<str> = Arc::from(text);
    let assigned = shell::assigned_values(text);
    let expand = |w: &str| shell::expand_assigned(&assigned, w);
    let file = read(FileId(0), &arc);
    let written = file
        .confs
        .into_iter()
        .filter_map(|conf| {
            let path = conf.written_to.clone()?;
            let guarded = shell::tests_for_existing(text, &path, &expand);
            let start = conf.tree.lines.first().map_or(0, |l| l.range.start);
            let line_start = text[..start.min(text.len())]
                .trim_end_matches('\n')
                .rfind('\n')
                .map_or(0, |p| p + 1);
            let appended = conf
                .appended_at_start
                .map(|s| s.start as usize..s.end as usize);
            Some(WrittenConfig {
                appended,
                path,
                kind: conf.kind,
                tree: conf.tree,
                guarded,
                command: line_start..start,
            })
        })
        .collect();
    (written, file.appended_after_copy)
}

/// The written words of a command: its name, arguments and redirections.
fn command_range(command: &shell::Command) -> std::ops::Range<usize> {
    let start = command.words.first().map_or(0, |w| w.range.start);
    let end = command
        .words
        .iter()
        .map(|w| w.range.end)
        .chain(command.redirects.iter().map(|r| r.target.range.end))
        .max()
        .unwrap_or(start);
    start..end
}

/// The file a command's standard input is written to: `cat > PATH`, `tee PATH`.
fn written_file(command: &shell::Command) -> Option<String> {
    let (i, program) = command.program()?;
    let name = shell::basename(&program.value);
    if name == "tee" {
        let args = &command.words[i + 1..];
        if args
            .iter()
            .any(|w| w.value == "-a" || w.value == "--append")
        {
            return None; // appending to a file we do not see
        }
        return args
            .iter()
            .find(|w| !w.value.starts_with('-'))
            .map(|w| w.value.clone());
    }
    if name == "cat" && command.words.len() == i + 1 {
        return command
            .redirects
            .iter()
            .find(|r| r.op == ">" || r.op == ">|" || r.op == "1>")
            .map(|r| r.target.value.clone());
    }
    None
}

fn embed(
    file: FileId,
    text: &Arc<str>,
    vars: &Arc<Vars>,
    target: &str,
    heredoc: &shell::HereDoc,
    piece: Option<&crate::syntax::yaml::Embedded>,
    out: &mut ScriptFile,
) {
    let path = vars.single(target).unwrap_or_else(|| target.to_string());
    let body = heredoc.body.clone();
    if let Some(kind) = unit_kind(Path::new(&path)) {
        if piece.is_some() {
            return; // a unit written by a script inside a manifest: not followed
        }
        out.units.push(UnitFile {
            file,
            kind,
            path,
            tree: systemd::parse(&text[body.clone()], body.start),
            vars: Some(vars.clone()),
            start: body.start,
        });
        return;
    }
    // A path known only by a variable set elsewhere (a sourced env file): the
    // variable's name says what it holds (`$REDIS_SENTINEL_CONFIG_FILE`).
    let hint_path = match variable_only(&path) {
        Some(var) if var.contains("sentinel") && var.contains("conf") => "sentinel.conf".into(),
        Some(var) if var.contains("conf") => "node.conf".into(),
        _ => path.clone(),
    };
    if name_hint(Path::new(&hint_path)) == NameHint::NotConf {
        return;
    }
    let masked = if heredoc.quoted {
        text[body.clone()].to_string()
    } else {
        mask_expansions(&text[body.clone()])
    };
    let mut tree = redis_conf::parse(&masked);
    shift(&mut tree, body.start);
    if !heredoc.quoted {
        // The shell expands `$NAME` in the body: what the script assigned it.
        fill_assigned(&mut tree, vars);
    }
    if let Some(piece) = piece {
        tree = crate::formats::kubernetes::remap(tree, piece);
    }
    let Some(kind) = classify(Path::new(&hint_path), &tree, false) else {
        return;
    };
    let mut conf = ConfFile::from_tree(file, kind, tree);
    conf.written_to = Some(path);
    out.confs.push(conf);
}

/// The variable a path is made of alone (`$CONF`, `"${CONF_FILE}"`), lowercased.
fn variable_only(path: &str) -> Option<String> {
    let p = path.trim_matches('"');
    let name = p
        .strip_prefix("${")
        .and_then(|r| r.strip_suffix('}'))
        .or_else(|| p.strip_prefix('$'))?;
    name.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
        .then(|| name.to_ascii_lowercase())
}

fn shift(tree: &mut redis_conf::ConfTree, by: usize) {
    let add = |r: &mut std::ops::Range<usize>| {
        r.start += by;
        r.end += by;
    };
    for line in &mut tree.lines {
        add(&mut line.range);
        for token in &mut line.tokens {
            add(&mut token.range);
        }
    }
    for error in &mut tree.errors {
        add(&mut error.range);
        add(&mut error.line_range);
    }
    if let Some(marker) = &mut tree.rewrite_marker {
        *marker += by;
    }
}

/// The body of an unquoted here-document as redis reads it after the shell expanded it:
/// `$(…)`, `$((…))` and backquotes become one unknown word of the same length (their output
/// is not known), blanks inside `${…}` too. Byte offsets are kept.
pub fn mask_expansions(body: &str) -> String {
    let mut bytes = body.as_bytes().to_vec();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'$' if matches!(bytes.get(i + 1), Some(b'(' | b'{')) => {
                let open = bytes[i + 1];
                let close = if open == b'(' { b')' } else { b'}' };
                let mut depth = 0;
                let mut j = i + 1;
                while j < bytes.len() && bytes[j] != b'\n' {
                    if bytes[j] == open {
                        depth += 1;
                    } else if bytes[j] == close {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    j += 1;
                }
                let end = j.min(bytes.len() - 1);
                for b in &mut bytes[i + 1..=end] {
                    if open == b'(' || b.is_ascii_whitespace() || *b >= 0x80 {
                        *b = b'_';
                    }
                }
                i = end + 1;
            }
            b'`' => {
                let end = bytes[i + 1..]
                    .iter()
                    .position(|&b| b == b'`' || b == b'\n')
                    .map_or(bytes.len() - 1, |p| i + 1 + p);
                bytes[i] = b'$';
                for b in &mut bytes[i + 1..=end] {
                    *b = b'_';
                }
                i = end + 1;
            }
            _ => i += 1,
        }
    }
    String::from_utf8(bytes).expect("only ASCII bytes were written over whole characters")
}

/// The spans of the scalars under keys that name a secret (`auth.password`).
fn secret_values(
    node: &crate::syntax::yaml::Node,
    under_secret: bool,
    out: &mut dyn FnMut(std::ops::Range<usize>),
) {
    match &node.kind {
        crate::syntax::yaml::Kind::Map(entries) => {
            for (key, value) in entries {
                let secret = under_secret || key.as_str().is_some_and(looks_secret);
                secret_values(value, secret, out);
            }
        }
        crate::syntax::yaml::Kind::Seq(items) => items
            .iter()
            .for_each(|i| secret_values(i, under_secret, out)),
        crate::syntax::yaml::Kind::Scalar { .. } => {
            if under_secret {
                out(node.span.clone());
            }
        }
    }
}

fn looks_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    ["PASS", "SECRET", "TOKEN", "AUTH", "KEY"]
        .iter()
        .any(|w| upper.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_named_by_variables() {
        let text: Arc<str> =
            "server=redis-server\nsentinel=redis-sentinel\n$server a/redis.conf &\n$sentinel a/sentinel.conf &\n".into();
        let script = read(FileId(0), &text);
        let configs: Vec<(&str, bool)> = script
            .commands
            .iter()
            .map(|c| {
                (
                    c.cmdline.config.as_ref().unwrap().value.as_str(),
                    c.cmdline.is_sentinel(),
                )
            })
            .collect();
        assert_eq!(
            configs,
            vec![("a/redis.conf", false), ("a/sentinel.conf", true)]
        );
    }

    #[test]
    fn servers_left_running_in_the_background() {
        let text: Arc<str> = "redis-server --port 6380 --daemonize yes\nnohup redis-server --port 6381 > r.log 2>&1\nredis-server --port 6382 > r.log 2>&1 &\nredis-server --port 6383 && echo done\nexec redis-server --port 6384\n".into();
        let script = read(FileId(0), &text);
        let background: Vec<bool> = script.commands.iter().map(|c| c.background).collect();
        assert_eq!(background, vec![true, true, true, false, false]);
    }

    #[test]
    fn expands_assigned_values() {
        let text: Arc<str> = "D=/etc/redis\ncase $t in\n a) f=\"${D}/a.conf\" ;;\n s) f=\"$D/sentinel.conf\" ;;\nesac\nredis-server $f\n".into();
        let script = read(FileId(0), &text);
        let values: Vec<_> = script.commands[0]
            .candidates
            .iter()
            .map(|c| c.value.as_str())
            .collect();
        assert_eq!(values, ["/etc/redis/a.conf", "/etc/redis/sentinel.conf"]);
    }

    #[test]
    fn heredoc_conf_keeps_script_offsets() {
        let text: Arc<str> = "P=x\nssh h bash <<EOF\ncat > /etc/redis/redis.conf <<C\nport 6379\nreplica-priority $((100 - n * 10))\nC\nEOF\n".into();
        let script = read(FileId(0), &text);
        assert_eq!(script.confs.len(), 1);
        let conf = &script.confs[0];
        let line = &conf.tree.lines[1];
        assert_eq!(line.tokens.len(), 2);
        assert_eq!(&text[line.tokens[0].range.clone()], "replica-priority");
        assert_eq!(conf.written_to.as_deref(), Some("/etc/redis/redis.conf"));
    }

    #[test]
    fn echo_built_config_keeps_script_offsets() {
        let text: Arc<str> = "F=/etc/sentinel.conf\nQ=2\necho \"port 26379\" > $F\nprint_master () {\n  echo \"sentinel monitor $NAME ${A[0]} 6379 $Q\" >> $F\n}\nif [ \"$X\" ]; then echo sentinel announce-ip $X >> $F; fi\nexec redis-server $F --sentinel\n".into();
        let script = read(FileId(0), &text);
        assert_eq!(script.confs.len(), 1);
        let conf = &script.confs[0];
        assert_eq!(conf.written_to.as_deref(), Some("/etc/sentinel.conf"));
        assert_eq!(conf.kind, FileKind::SentinelConf);
        let monitor = &conf.tree.lines[1];
        assert_eq!(&text[monitor.tokens[0].range.clone()], "sentinel");
        let values: Vec<&str> = monitor.tokens.iter().map(|t| t.value.as_str()).collect();
        assert_eq!(values[..3], ["sentinel", "monitor", "$NAME"]);
        assert_eq!(values[5], "2", "an assigned value is filled in");
        assert_eq!(conf.tree.lines[2].tokens[2].value, "$X");
        assert!(
            conf.rewritten_at_start.is_some(),
            "`>` empties it at every start"
        );
    }

    #[test]
    fn double_quoted_escapes_are_written_as_the_shell_writes_them() {
        let text: Arc<str> = "echo \"port 6379\" > /r.conf\necho \"save \\\"\\\"\" >> /r.conf\necho \"requirepass \\\"a\\$b\\\"\" >> /r.conf\nexec redis-server /r.conf\n".into();
        let conf = &read(FileId(0), &text).confs[0];
        let values: Vec<Vec<&str>> = conf
            .tree
            .lines
            .iter()
            .map(|l| l.tokens.iter().map(|t| t.value.as_str()).collect())
            .collect();
        assert_eq!(
            values[1],
            ["save", ""],
            "`save \\\"\\\"` writes an empty save"
        );
        assert_eq!(values[2], ["requirepass", "a$b"]);
        // The password's span covers all of it as the script spells it (`\"a\$b\"`),
        // and nothing may rewrite it there.
        let password = &conf.tree.lines[2].tokens[1];
        let spelled = &text[password.range.clone()];
        assert!(spelled.contains("a\\$b"), "{spelled:?}");
        assert_eq!(password.origin, crate::source::Origin::Implied);
        // An escape echo itself may read (`\\t`) leaves the line out.
        let text: Arc<str> = "echo \"port 6379\" > /r.conf\necho \"save\\t900 1\" >> /r.conf\necho \"requirepass x\" >> /r.conf\nexec redis-server /r.conf\n".into();
        assert_eq!(read(FileId(0), &text).confs[0].tree.lines.len(), 2);
    }

    #[test]
    fn appended_lines_and_branches() {
        // Only appended to a file that comes from elsewhere: not the whole config.
        let text: Arc<str> = "cp /t/redis.conf /data/redis.conf\necho 'replicaof 10.0.0.1 6379' >> /data/redis.conf\nredis-server /data/redis.conf\n".into();
        assert!(read(FileId(0), &text).confs.is_empty());
        // The same directive in the two branches of an `if` is one choice, not two lines.
        let text: Arc<str> = "echo 'port 6379' > /d/r.conf\nif [ -n \"$M\" ]; then\n  echo \"replicaof $M 6379\" >> /d/r.conf\nelse\n  echo 'replicaof 10.0.0.1 6379' >> /d/r.conf\nfi\necho 'appendonly yes' >> /d/r.conf\nredis-server /d/r.conf\n".into();
        let script = read(FileId(0), &text);
        let names: Vec<&str> = script.confs[0]
            .tree
            .lines
            .iter()
            .map(|l| l.tokens[0].value.as_str())
            .collect();
        assert_eq!(names, ["port", "replicaof", "appendonly"]);
        // An echo into a file that is not a config, and printf with a conversion it
        // cannot follow: nothing.
        let text: Arc<str> =
            "echo hello > /tmp/out.log\nprintf 'port %-5s\\n' 1 > /etc/r.conf\n".into();
        assert!(read(FileId(0), &text).confs.is_empty());
    }

    #[test]
    fn helm_set_passwords_are_secrets() {
        let text: Arc<str> =
            "helm install c bitnami/redis --set sentinel.enabled=true,auth.password=s3cr3t-x\n"
                .into();
        let script = read(FileId(0), &text);
        assert_eq!(script.helm_releases.len(), 1);
        let shown: Vec<&str> = script
            .secret_spans
            .iter()
            .map(|s| &text[s.start as usize..s.end as usize])
            .collect();
        assert_eq!(shown, ["s3cr3t-x"]);
    }

    #[test]
    fn printf_lines_and_brace_groups_write_configs() {
        // printf: `\n` breaks lines, `%s` takes the arguments in order.
        let text: Arc<str> = "P=26380\nprintf 'port %s\\nsentinel monitor m 10.0.0.1 6379 %d\\n' \"$P\" 2 > /tmp/s.conf\nexec redis-sentinel /tmp/s.conf\n".into();
        let script = read(FileId(0), &text);
        assert_eq!(script.confs.len(), 1);
        let lines = &script.confs[0].tree.lines;
        let values: Vec<Vec<&str>> = lines
            .iter()
            .map(|l| l.tokens.iter().map(|t| t.value.as_str()).collect())
            .collect();
        assert_eq!(values[0], ["port", "26380"]);
        assert_eq!(
            values[1],
            ["sentinel", "monitor", "m", "10.0.0.1", "6379", "2"]
        );
        assert_eq!(&text[lines[1].tokens[3].range.clone()], "10.0.0.1");
        assert!(script.confs[0].rewritten_at_start.is_some());
        // `{ echo …; echo …; } > FILE`: every echo of the group writes FILE.
        let text: Arc<str> = "{\n  echo \"port 26379\"\n  echo \"sentinel monitor m 10.0.0.1 6379 2\"\n} > /data/sentinel.conf\nexec redis-sentinel /data/sentinel.conf\n".into();
        let script = read(FileId(0), &text);
        assert_eq!(script.confs.len(), 1);
        assert_eq!(script.confs[0].kind, FileKind::SentinelConf);
        assert_eq!(script.confs[0].tree.lines.len(), 2);
        assert!(script.confs[0].rewritten_at_start.is_some());
        // `printf '%s\n' "line" "line" …`: the format is used again for each argument.
        let text: Arc<str> = "printf \"%s\\n\" \"port 26379\" \"sentinel monitor m 10.0.0.1 6379 2\" > /tmp/s.conf && exec redis-server /tmp/s.conf --sentinel\n".into();
        let script = read(FileId(0), &text);
        assert_eq!(script.confs.len(), 1);
        let lines = &script.confs[0].tree.lines;
        assert_eq!(lines.len(), 2);
        assert_eq!(&text[lines[0].tokens[0].range.clone()], "port");
        assert_eq!(&text[lines[1].tokens[5].range.clone()], "2");
    }

    #[test]
    fn a_config_path_set_in_a_sourced_file_is_read_by_its_name() {
        // `$REDIS_SENTINEL_CONFIG_FILE` comes from an env file the script sources: the
        // variable's name says it holds a sentinel config, and the exec names the same word.
        let text: Arc<str> = ". /usr/local/lib/env.sh\ncat > \"${REDIS_SENTINEL_CONFIG_FILE}\" <<EOF\nport 26379\nsentinel monitor m ${host} 6379 2\nEOF\nexec redis-sentinel \"${REDIS_SENTINEL_CONFIG_FILE}\"\n".into();
        let script = read(FileId(0), &text);
        assert_eq!(script.confs.len(), 1);
        assert_eq!(script.confs[0].kind, FileKind::SentinelConf);
        assert!(script.confs[0].rewritten_at_start.is_some());
    }

    #[test]
    fn shebangs() {
        assert!(has_shell_shebang("#!/usr/bin/env bash"));
        assert!(has_shell_shebang("#!/bin/sh -e"));
        assert!(!has_shell_shebang("#!/usr/bin/python3"));
    }
}
