//! Per-file rules for redis.conf / sentinel.conf: every line checked the way the real
//! parser checks it, so `fatal` means "redis-server / redis-sentinel refuses this file".

use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::formats::conf::{ConfFile, ResolvedLine};
use crate::formats::detect::FileKind;
use crate::knowledge::commands::{is_sentinel_mode_command, is_server_command};
use crate::knowledge::directive::{all_spellings, fact_key};
use crate::knowledge::sentinel::{Scope, SentinelValue};
use crate::knowledge::values::{
    atoi, atoi_is_exact, is_template, parse_bool, parse_integer, parse_memory,
};
use crate::knowledge::{
    did_you_mean, lookup_directive, Flavor, Target, ValueKind, Version, SENTINEL_KEYWORDS,
};
use crate::rules::{Context, Rule};
use crate::source::Spanned;
use crate::syntax::redis_conf::{split_args, ConfLine, Token};
use std::collections::HashMap;

/// A directive the process's release does not know: it refuses to start.
fn not_in_version(
    ctx: &Context,
    conf: &ConfFile,
    line: &ConfLine,
    reason: &str,
    release: crate::knowledge::Target,
) -> Diagnostic {
    let mut d = Diagnostic::new(
        Rule::DirectiveNotInVersion,
        conf.token_span(&line.tokens[0]),
        format!(
            "{reason}; {} refuses to start with it",
            release_named(ctx, release)
        ),
    )
    .help("remove the line, or check with the --target-version that the deployment really runs")
    .fatal();
    if let Some(at) = ctx
        .release_source_for_conf(conf)
        .filter(|_| release != ctx.target)
    {
        d = d.label(at, format!("{release} is named here"));
    }
    d
}

pub fn check(conf: &ConfFile, ctx: &Context, out: &mut Vec<Diagnostic>) {
    envsubst_leftovers(conf, out);
    for error in &conf.tree.errors {
        // A line that is one template expression (`${auth != "" ? "masterauth ${auth}" :
        // ""}`, `{{ if .Auth }}…`): the renderer writes the line, its quotes are its own.
        if ["${", "{{", "{%", "<%"]
            .iter()
            .any(|open| error.head[0].starts_with(open))
        {
            continue;
        }
        out.push(
            Diagnostic::new(
                Rule::UnbalancedQuotes,
                conf.span(&error.range),
                format!(
                    "unbalanced quotes: {}; Redis refuses the whole file",
                    error.message
                ),
            )
            .help(
                "close the quote, and put a space after a closing quote (`\"abc\"def` is rejected)",
            )
            .fatal(),
        );
    }
    let has_loadmodule = conf.lines.iter().any(|l| l.name == "loadmodule");
    let monitors: Vec<&ConfLine> = conf.sentinel_lines("monitor").collect();
    let mut server_sentinel_lines: Vec<&ConfLine> = Vec::new();
    let mut suggestions = Suggestions::default();
    // A rendered Jinja template: lines inside `{% if %}` / `{% for %}` may be written
    // only for the releases that know them.
    let is_guarded = |line: &ConfLine| conf.guarded.iter().any(|g| g.contains(&line.range.start));
    for resolved in &conf.lines {
        let line = conf.line(resolved);
        // A template line (`port {{ redis_port }}`, `sentinel monitor m $HOST 6379 2`) is
        // rendered before Redis reads it: its values are unknown, not wrong. Its name,
        // written out, is read as it is: a release that does not know it refuses it
        // whatever the value.
        if line.tokens.iter().any(|t| is_template(&t.value)) {
            if resolved.name != "sentinel"
                && !is_template(&line.tokens[0].value)
                && !is_guarded(line)
            {
                match resolved.directive {
                    Some(found) => {
                        let release = ctx.release_for_conf(conf);
                        if let Some(reason) = found.unavailable_on(release) {
                            out.push(not_in_version(ctx, conf, line, &reason, release));
                        }
                    }
                    // No release knows it (`--replicaauth $PASSWORD`).
                    None if !resolved.name.contains('.') => out.push(unknown_directive(
                        ctx,
                        conf,
                        line,
                        &resolved.name,
                        &mut suggestions,
                    )),
                    None => {}
                }
            }
            continue;
        }
        if resolved.name == "sentinel" {
            match conf.kind {
                FileKind::RedisConf => server_sentinel_lines.push(line),
                FileKind::SentinelConf => check_sentinel_line(conf, ctx, resolved, &monitors, out),
            }
            continue;
        }
        if let Some(found) = resolved.directive {
            let release = ctx.release_for_conf(conf);
            if let Some(reason) = found.unavailable_on(release) {
                if !is_guarded(line) {
                    out.push(not_in_version(ctx, conf, line, &reason, release));
                }
                continue;
            }
            check_value(conf, ctx, resolved, line, out);
        } else if resolved.name.contains('.') {
            // Module options: accepted by the parser, claimed later by the module.
            if conf.kind == FileKind::RedisConf && !has_loadmodule {
                out.push(
                    Diagnostic::new(
                        Rule::UnknownDirective,
                        conf.token_span(&line.tokens[0]),
                        format!(
                            "`{}` looks like a module option, but no `loadmodule` line loads a module; the server aborts after reading the config",
                            line.tokens[0].value
                        ),
                    )
                    .help("add the `loadmodule` line for the module, or remove the option")
                    .fatal(),
                );
            }
        } else {
            out.push(unknown_directive(
                ctx,
                conf,
                line,
                &resolved.name,
                &mut suggestions,
            ));
        }
    }
    if let Some(first) = server_sentinel_lines.first() {
        let mut d = Diagnostic::new(
            Rule::SentinelDirectiveInServerConfig,
            conf.span(&first.range),
            format!(
                "this data-node config has {} `sentinel` line(s); redis-server refuses them (\"sentinel directive while not in sentinel mode\")",
                server_sentinel_lines.len()
            ),
        )
        .help("move the sentinel lines to a sentinel.conf run by `redis-sentinel`, or start this file with `redis-sentinel` / `redis-server FILE --sentinel`")
        .fatal();
        for other in server_sentinel_lines.iter().skip(1).take(5) {
            d = d.label(conf.span(&other.range), "another sentinel line");
        }
        out.push(d);
    }
    // Templates with control flow (`{% if %} port 1 {% else %} port 2`) repeat on purpose.
    let templated = conf
        .tree
        .lines
        .iter()
        .any(|l| l.tokens.iter().any(|t| t.value.starts_with("{%")));
    if !templated {
        check_duplicates(conf, out);
    }
}

/// "Did you mean" for the unknown directive names of one file: each distinct name
/// looked up once, and at most [`Suggestions::MAX`] of them (a text that is not a config
/// at all, read as one, has thousands; each is still reported).
#[derive(Default)]
struct Suggestions<'a> {
    known: std::collections::HashMap<&'a str, Option<&'static str>>,
}

impl<'a> Suggestions<'a> {
    const MAX: usize = 1000;

    fn for_name(&mut self, name: &'a str) -> Option<&'static str> {
        if let Some(hit) = self.known.get(name) {
            return *hit;
        }
        if self.known.len() >= Self::MAX {
            return None;
        }
        let found = did_you_mean(name, all_spellings());
        self.known.insert(name, found);
        found
    }
}

fn unknown_directive<'a>(
    ctx: &Context,
    conf: &ConfFile,
    line: &ConfLine,
    name: &'a str,
    suggestions: &mut Suggestions<'a>,
) -> Diagnostic {
    let token = &line.tokens[0];
    let span = conf.token_span(token);
    if name.starts_with('\u{feff}') {
        return Diagnostic::new(
            Rule::UnknownDirective,
            span,
            "the file starts with a UTF-8 byte order mark, which Redis reads as part of the first directive name; the server refuses to start",
        )
        .help("save the file as UTF-8 without BOM")
        .fatal();
    }
    let mut d = Diagnostic::new(
        Rule::UnknownDirective,
        span,
        format!("unknown directive `{}`; Redis refuses to start (\"Bad directive or wrong number of arguments\")", token.value),
    )
    .fatal();
    if SENTINEL_KEYWORDS.iter().any(|k| k.name == name) {
        d = d.help(format!(
            "`{name}` is a Sentinel option: write `sentinel {name} …`"
        ));
    } else if let Some(suggestion) = suggestions.for_name(name) {
        // Unsafe: the renamed directive now takes effect, with whatever value was written.
        d = d.help(format!("did you mean `{suggestion}`?"));
        // Only where the name is spelled as it is read (not a quoted `'--name'` option),
        // and only to a directive the release that reads the file knows.
        let known = lookup_directive(suggestion)
            .is_some_and(|m| m.unavailable_on(ctx.release_for_conf(conf)).is_none());
        if token.origin.replaceable() && known {
            d = d.with_fix(Fix::unsafe_(
                format!("rename to `{suggestion}`"),
                vec![Edit::replace(span, suggestion)],
            ));
        }
    }
    d
}

/// Arguments of a multi-argument directive: one non-empty argument is re-split (7.0+).
fn multi_args(args: &[Token], ctx: &Context) -> Vec<String> {
    if args.len() == 1
        && !args[0].value.is_empty()
        && ctx.target.has_redis_feature(Version::new(7, 0, 1))
    {
        if let Ok(tokens) = split_args(&args[0].value, 0) {
            return tokens.into_iter().map(|t| t.value.into()).collect();
        }
    }
    args.iter().map(|t| t.value.to_string()).collect()
}

/// A template rendered with `envsubst`: GNU gettext's envsubst replaces `$NAME` and
/// `${NAME}` only, so a shell default (`${NAME:-5000}`) or any other expansion reaches
/// Redis as written, and the directive gets that text for its value.
fn envsubst_leftovers(conf: &ConfFile, out: &mut Vec<Diagnostic>) {
    if !conf.rendered_by_envsubst {
        return;
    }
    for line in &conf.tree.lines {
        for token in line.tokens.iter().skip(1) {
            let Some(expansion) = shell_expansion(&token.value) else {
                continue;
            };
            let sentinel = line.tokens[0].value.eq_ignore_ascii_case("sentinel");
            let rule = if sentinel {
                Rule::SentinelBadValue
            } else {
                Rule::InvalidValue
            };
            out.push(
                Diagnostic::new(
                    rule,
                    conf.token_span(token),
                    format!("this template is rendered with envsubst, which replaces only `$NAME` and `${{NAME}}`: `{expansion}` stays in the config as written, and `{}` gets that text for its value (a number reads as 0, a name is taken literally)", line.tokens[..if sentinel { 2 } else { 1 }].iter().map(|t| t.value.as_str()).collect::<Vec<_>>().join(" ")),
                )
                .help("give the variable its default in the script before envsubst runs (`: \"${NAME:=5000}\"; export NAME`), or render the template with the shell"),
            );
        }
    }
}

/// The first `${…}` of a value that is more than a plain `${NAME}`.
fn shell_expansion(value: &str) -> Option<&str> {
    let mut from = 0;
    while let Some(at) = value[from..].find("${").map(|i| i + from) {
        let end = value[at..].find('}').map(|i| i + at + 1)?;
        let inner = &value[at + 2..end - 1];
        if !inner
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return Some(&value[at..end]);
        }
        from = end;
    }
    None
}

/// A config line whose words stand on several lines of the file that holds them: the
/// config was built from text whose line breaks were folded away.
fn joined_from_lines(ctx: &Context, conf: &ConfFile, line: &ConfLine) -> bool {
    let (Some(first), Some(last)) = (line.tokens.first(), line.tokens.last()) else {
        return false;
    };
    let file = conf.token_span(first).file;
    if conf.token_span(last).file != file {
        return false;
    }
    let (start, end) = (
        conf.token_span(first).start as usize,
        conf.token_span(last).end as usize,
    );
    ctx.sources
        .get(&file)
        .and_then(|s| s.text().get(start..end))
        .is_some_and(|t| t.contains('\n'))
}

fn check_value(
    conf: &ConfFile,
    ctx: &Context,
    resolved: &ResolvedLine,
    line: &ConfLine,
    out: &mut Vec<Diagnostic>,
) {
    let found = resolved.directive.expect("known directive");
    let d = found.directive;
    let spelling = &line.tokens[0].value;
    let args = &line.tokens[1..];
    let line_span = conf.span(&line.range);
    let argc_error = |expected: &str| {
        let mut diag = Diagnostic::new(
            Rule::WrongArgumentCount,
            line_span,
            format!(
                "`{spelling}` takes {expected}, this line has {}; Redis refuses to start",
                args.len()
            ),
        )
        .fatal();
        if args.iter().any(|t| t.value.starts_with('#')) {
            diag = diag.help("Redis has no inline comments: move the `#` comment to its own line");
        } else if joined_from_lines(ctx, conf, line) {
            diag = diag.help("the words of this line stand on several lines of the file, but what writes the config joins them into one (a folded YAML block `>` turns line breaks into spaces): write it as a literal block (`|`) or a here-document");
        } else if args.len() > 1 && !d.multi_arg {
            diag = diag.help("quote the value if it contains spaces");
        }
        diag
    };
    let invalid = |token: &Token, message: String| {
        Diagnostic::new(Rule::InvalidValue, conf.token_span(token), message).fatal()
    };
    let needs_one = d.takes_one_value();
    if needs_one && args.len() != 1 {
        out.push(argc_error("exactly one value"));
        return;
    }
    match d.kind {
        ValueKind::Bool => {
            if parse_bool(&args[0].value).is_none() {
                let mut d = invalid(&args[0], format!("`{spelling}` must be `yes` or `no`, not `{}`; Redis refuses to start", args[0].value))
                    .help(bool_help(&args[0].value));
                if let Some(fix) = bool_fix(ctx, conf, &args[0]) {
                    d = d.with_fix(fix);
                }
                out.push(d);
            }
        }
        ValueKind::Int { min, max } => match parse_integer(&args[0].value) {
            None => out.push(
                invalid(&args[0], format!("`{spelling}` needs an integer, `{}` is not one (no `+`, no leading zeros, no units); Redis refuses to start", args[0].value)),
            ),
            Some(v) if (v as i128) < min || (v as i128) > max => out.push(invalid(
                &args[0],
                format!("`{spelling}` must be between {min} and {max}, not {v}; Redis refuses to start"),
            )),
            Some(_) => {}
        },
        ValueKind::Memory { min, max } => match parse_memory(&args[0].value) {
            None => out.push(
                invalid(&args[0], format!("`{}` is not a memory value for `{spelling}`; Redis refuses to start", args[0].value))
                    .help("write digits with an optional unit: k (1000), kb (1024), m, mb, g, gb; no decimals, no sign, no `t`"),
            ),
            Some(v) if (v as i128) < min || (v as i128) > max => out.push(invalid(
                &args[0],
                format!("`{spelling}` must be between {min} and {max} bytes; Redis refuses to start"),
            )),
            Some(_) => {}
        },
        ValueKind::MemoryOrPercent => {
            let value = &args[0].value;
            let ok = match value.strip_suffix('%') {
                Some(p) => parse_integer(p).is_some_and(|p| (0..=100).contains(&p)),
                None => parse_memory(value).is_some(),
            };
            if !ok {
                out.push(invalid(&args[0], format!("`{value}` is not a memory value or a percentage (0-100%); Redis refuses to start")));
            }
        }
        ValueKind::Octal => {
            let ok = u32::from_str_radix(&args[0].value, 8).is_ok_and(|v| v <= 0o777);
            if !ok {
                out.push(invalid(&args[0], format!("`{}` is not an octal permission (at most 777); Redis refuses to start", args[0].value)));
            }
        }
        ValueKind::Enum(values) => {
            if !values.iter().any(|v| v.eq_ignore_ascii_case(&args[0].value)) {
                let mut diag = invalid(
                    &args[0],
                    format!("`{}` is not a valid `{spelling}`; Redis refuses to start", args[0].value),
                )
                .help(format!("one of: {}", values.join(", ")));
                if let Some(s) = did_you_mean(&args[0].value, values.iter().copied()) {
                    diag = diag.help(format!("did you mean `{s}`? (one of: {})", values.join(", ")));
                }
                out.push(diag);
            }
        }
        ValueKind::FlagSet(values) => {
            let words = multi_args(args, ctx);
            if let Some(bad) = words.iter().find(|w| !values.iter().any(|v| v.eq_ignore_ascii_case(w))) {
                out.push(invalid(&args[0], format!("`{bad}` is not a valid `{spelling}` flag; Redis refuses to start")).help(format!("flags: {}", values.join(", "))));
            } else if words.iter().any(|w| w.eq_ignore_ascii_case("save")) && words.iter().any(|w| w.eq_ignore_ascii_case("nosave")) {
                out.push(invalid(&args[0], "`save` and `nosave` cannot be used together; Redis refuses to start".into()));
            }
        }
        ValueKind::Str => check_string(conf, spelling, d.name, args, out),
        ValueKind::Save => {
            if args.is_empty() {
                out.push(argc_error("`\"\"` or pairs of <seconds> <changes>"));
                return;
            }
            let release = ctx.release_for_conf(conf);
            if release.flavor == Flavor::Redis && release.version < Version::new(7, 0, 0) {
                check_save_pre7(release, args, line_span, out);
                return;
            }
            let words = multi_args(args, ctx);
            if words.len() == 1 && words[0].is_empty() {
                return;
            }
            if !save_pairs_valid(words.iter().map(String::as_str)) {
                out.push(
                    Diagnostic::new(Rule::InvalidValue, line_span, "invalid `save` parameters: they must be pairs of <seconds ≥ 1> <changes ≥ 0>; Redis refuses to start")
                        .help(if args.iter().any(|t| t.value.starts_with('#')) {
                    "Redis has no inline comments: move the `#` comment to its own line"
                } else {
                    "`save 3600 1 300 100`, or `save \"\"` to disable snapshots"
                })
                        .fatal(),
                );
            }
        }
        ValueKind::ClientOutputBufferLimit => {
            let words = multi_args(args, ctx);
            if words.is_empty() || !words.len().is_multiple_of(4) {
                out.push(argc_error("groups of <class> <hard> <soft> <seconds>"));
                return;
            }
            for group in words.chunks(4) {
                let class_ok = ["normal", "replica", "slave", "pubsub"]
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(&group[0]));
                if !class_ok {
                    out.push(
                        Diagnostic::new(Rule::InvalidValue, line_span, format!("`{}` is not a client class (normal, replica, pubsub); Redis refuses to start", group[0]))
                            .fatal(),
                    );
                    return;
                }
                if parse_memory(&group[1]).is_none() || parse_memory(&group[2]).is_none() || strtoll_exact(&group[3]).is_none() {
                    out.push(
                        Diagnostic::new(Rule::InvalidValue, line_span, "client-output-buffer-limit needs <hard> and <soft> memory values and <seconds>; Redis refuses to start").fatal(),
                    );
                    return;
                }
            }
        }
        ValueKind::OomScoreAdjValues => {
            let words = multi_args(args, ctx);
            let ok = words.len() == 3 && words.iter().all(|w| parse_integer(w).is_some_and(|v| (-2000..=2000).contains(&v)));
            if !ok {
                out.push(Diagnostic::new(Rule::InvalidValue, line_span, "oom-score-adj-values needs three integers between -2000 and 2000; Redis refuses to start").fatal());
            }
        }
        ValueKind::KeyspaceEvents => {
            if let Some(c) = args[0].value.chars().find(|c| !"Ag$lshzxeKEtmdn".contains(*c)) {
                out.push(invalid(&args[0], format!("`{c}` is not a keyspace event class; Redis refuses to start")).help("classes: A g $ l s h z x e K E t m d n"));
            }
        }
        ValueKind::Bind => {
            let words = multi_args(args, ctx);
            if words.is_empty() {
                out.push(argc_error("at least one address"));
            } else if words.len() > 16 {
                out.push(Diagnostic::new(Rule::InvalidValue, line_span, "more than 16 bind addresses; Redis refuses to start").fatal());
            }
        }
        ValueKind::ReplicaOf => {
            let words = multi_args(args, ctx);
            if words.len() != 2 {
                out.push(argc_error("<host> <port> (or `no one`)"));
            } else if !(words[0].eq_ignore_ascii_case("no") && words[1].eq_ignore_ascii_case("one")) {
                let port = atoi(&words[1]);
                if !(0..=65535).contains(&port) {
                    out.push(Diagnostic::new(Rule::InvalidValue, line_span, format!("invalid master port `{}`; Redis refuses to start", words[1])).fatal());
                }
            }
        }
        ValueKind::Percentiles => {
            let ok = multi_args(args, ctx)
                .iter()
                .all(|w| w.parse::<f64>().is_ok_and(|v| (0.0..=100.0).contains(&v)));
            if !ok {
                out.push(Diagnostic::new(Rule::InvalidValue, line_span, "latency-tracking-info-percentiles must be numbers between 0 and 100; Redis refuses to start").fatal());
            }
        }
        ValueKind::Include => {
            if args.len() != 1 {
                out.push(argc_error("exactly one path"));
            }
        }
        ValueKind::RenameCommand => {
            if args.len() != 2 {
                out.push(argc_error("<command> <new-name>"));
                return;
            }
            let command = &args[0].value;
            let exists = match conf.kind {
                FileKind::SentinelConf => is_sentinel_mode_command(command),
                FileKind::RedisConf => is_server_command(command) || conf.lines.iter().any(|l| l.name == "loadmodule"),
            };
            if !exists {
                let mode = if conf.kind == FileKind::SentinelConf { " in Sentinel mode" } else { "" };
                out.push(invalid(&args[0], format!("no command `{command}` exists{mode} to rename; Redis refuses to start (\"No such command in rename-command\")")));
            }
        }
        ValueKind::User | ValueKind::LoadModule => {
            if args.is_empty() {
                out.push(argc_error("at least one argument"));
            }
        }
        ValueKind::Ignored | ValueKind::Sentinel => {}
    }
}

/// `strtoll` that must consume the whole word (used by `save` and buffer limits).
fn strtoll_exact(word: &str) -> Option<i64> {
    let digits = word.strip_prefix(['-', '+']).unwrap_or(word);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    word.parse().ok()
}

/// The yes/no a user meant by `true`, `on`, `1`, …
fn bool_guess(value: &str) -> Option<&'static str> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "on" | "y" | "enabled" | "enable" => Some("yes"),
        "false" | "0" | "off" | "n" | "disabled" | "disable" => Some("no"),
        _ => None,
    }
}

/// Safe: `true` → `yes` keeps exactly what the user meant.
fn bool_fix(ctx: &Context, conf: &ConfFile, token: &Token) -> Option<Fix> {
    let guess = bool_guess(&token.value)?;
    let at = Spanned::with_origin((), conf.token_span(token), token.origin);
    Some(Fix::safe(
        format!("replace `{}` with `{guess}`", token.value),
        vec![ctx.replace_value(&at, guess)?],
    ))
}

fn bool_help(value: &str) -> String {
    match bool_guess(value) {
        Some(g) => format!("write `{g}`: Redis reads only `yes` and `no`"),
        None => "Redis reads only `yes` and `no`".to_string(),
    }
}

fn check_string(
    conf: &ConfFile,
    spelling: &str,
    name: &str,
    args: &[Token],
    out: &mut Vec<Diagnostic>,
) {
    let value = &args[0].value;
    let message = match name {
        "dbfilename" | "appendfilename" if value.contains('/') => Some(format!(
            "`{spelling}` must be a file name, not a path; use `dir` for the directory"
        )),
        "appenddirname" if value.is_empty() || value.contains('/') => {
            Some("`appenddirname` must be a non-empty directory name, not a path".to_string())
        }
        _ => None,
    };
    if let Some(message) = message {
        out.push(
            Diagnostic::new(
                Rule::InvalidValue,
                conf.token_span(&args[0]),
                format!("{message}; Redis refuses to start"),
            )
            .fatal(),
        );
    }
}

fn check_sentinel_line(
    conf: &ConfFile,
    ctx: &Context,
    resolved: &ResolvedLine,
    monitors: &[&ConfLine],
    out: &mut Vec<Diagnostic>,
) {
    let line = conf.line(resolved);
    let t = &line.tokens;
    let Some(keyword_token) = t.get(1) else {
        out.push(
            Diagnostic::new(
                Rule::WrongArgumentCount,
                conf.span(&line.range),
                "`sentinel` needs an option name; Sentinel refuses to start",
            )
            .fatal(),
        );
        return;
    };
    let Some(keyword) = resolved.keyword else {
        let mut d = Diagnostic::new(
            Rule::UnknownSentinelDirective,
            conf.token_span(keyword_token),
            format!(
                "`sentinel {}` is not a Sentinel option; Sentinel refuses to start (\"Unrecognized sentinel configuration statement.\")",
                keyword_token.value
            ),
        )
        .fatal();
        d = match known_confusion(&keyword_token.value.to_ascii_lowercase()) {
            // Unsafe: the line is deleted; what it hoped to configure does not exist.
            Some(help) => d.help(help).with_fix_opt(delete_line(ctx, line).map(|e| {
                Fix::unsafe_("remove the line: Sentinel has no such option", vec![e])
            })),
            None => match did_you_mean(&keyword_token.value, SENTINEL_KEYWORDS.iter().map(|k| k.name)) {
                Some(s) if SENTINEL_KEYWORDS
                    .iter()
                    .find(|k| k.name == s)
                    .is_none_or(|k| k.unavailable_on(ctx.release_for_conf(conf)).is_some()) =>
                {
                    d.help(format!("did you mean `sentinel {s}`?"))
                }
                Some(s) => {
                    let at = Spanned::with_origin((), conf.token_span(keyword_token), keyword_token.origin);
                    d.help(format!("did you mean `sentinel {s}`?")).with_fix_opt(
                        ctx.replace_value(&at, s)
                            .map(|e| Fix::unsafe_(format!("rename to `sentinel {s}`"), vec![e])),
                    )
                }
                None => d.help("remove the line; see `redis-halint rule unknown-sentinel-directive` for the options Sentinel reads"),
            },
        };
        out.push(d);
        return;
    };
    let release = ctx.release_for_conf(conf);
    if let Some(reason) = keyword.unavailable_on(release) {
        let mut d = Diagnostic::new(
            Rule::DirectiveNotInVersion,
            conf.token_span(keyword_token),
            format!(
                "{reason}; {} refuses to start with it",
                release_named(ctx, release)
            ),
        )
        .help("remove the line, or run a release that knows it (check with --target-version what the deployment really runs)")
        .fatal();
        if let Some(at) = ctx
            .release_source_for_conf(conf)
            .filter(|_| release != ctx.target)
        {
            d = d.label(at, format!("{release} is named here"));
        }
        out.push(d);
        return;
    }
    let args = &t[2..];
    if !keyword.arity.contains(&args.len()) {
        out.push(
            Diagnostic::new(
                Rule::WrongArgumentCount,
                conf.span(&line.range),
                format!(
                    "`sentinel {}` takes {}, this line has {} argument(s); Sentinel refuses to start (\"Unrecognized sentinel configuration statement.\")",
                    keyword.name,
                    keyword.usage,
                    args.len()
                ),
            )
            .fatal(),
        );
        return;
    }
    if keyword.scope == Scope::PerMaster && keyword.name != "monitor" {
        check_master_reference(conf, ctx, line, keyword.name, monitors, out);
    }
    let bad = |token: &Token, message: String| {
        Diagnostic::new(Rule::SentinelBadValue, conf.token_span(token), message)
    };
    let unit_warning = |token: &Token, what: &str| {
        bad(
            token,
            format!(
                "`{}` has a unit: Sentinel reads {what} with atoi, so this is {} milliseconds",
                token.value,
                atoi(&token.value)
            ),
        )
        .severity(Severity::Warning)
        .help("Sentinel times have no units: write the number of milliseconds, e.g. 5000")
    };
    match keyword.value {
        SentinelValue::Monitor => {
            let (name, port, quorum) = (&args[0], &args[2], &args[3]);
            check_master_name(conf, name, out);
            let port_value = atoi(&port.value);
            if !(0..=65535).contains(&port_value) {
                out.push(bad(port, format!("invalid port `{}`; Sentinel refuses to start (\"Invalid port number.\")", port.value)).fatal());
            } else if !atoi_is_exact(&port.value) {
                out.push(
                    bad(
                        port,
                        format!(
                            "`{}` is not a port number; Sentinel reads it as {port_value}",
                            port.value
                        ),
                    )
                    .severity(Severity::Warning),
                );
            }
            let q = atoi(&quorum.value);
            if q < 1 {
                out.push(bad(quorum, format!("quorum `{}` is below 1; Sentinel refuses to start (\"Quorum must be 1 or greater.\")", quorum.value)).fatal());
            } else if !atoi_is_exact(&quorum.value) {
                out.push(
                    bad(quorum, format!("quorum `{}` is read as {q}", quorum.value))
                        .severity(Severity::Warning),
                );
            }
        }
        SentinelValue::PositiveMillis => {
            let value = &args[1];
            if atoi(&value.value) <= 0 {
                out.push(
                    bad(value, format!("`{}` must be a positive number of milliseconds; Sentinel refuses to start (\"negative or zero time parameter.\")", value.value))
                        .fatal(),
                );
            } else if !atoi_is_exact(&value.value) {
                out.push(unit_warning(value, keyword.name));
            }
        }
        SentinelValue::NonNegativeMillis => {
            let value = &args[1];
            if atoi(&value.value) < 0 {
                out.push(bad(value, format!("`{}` must not be negative; Sentinel refuses to start (\"negative time parameter.\")", value.value)).fatal());
            } else if !atoi_is_exact(&value.value) {
                out.push(unit_warning(value, keyword.name));
            }
        }
        SentinelValue::ParallelSyncs => {
            let value = &args[1];
            if atoi(&value.value) <= 0 {
                out.push(
                    bad(value, format!("parallel-syncs `{}` means no replica is re-pointed to the new master until failover-timeout expires", value.value))
                        .severity(Severity::Warning)
                        .help("use 1 (the default) or more"),
                );
            }
        }
        SentinelValue::YesNo => {
            let value = &args[0];
            if parse_bool(&value.value).is_none() {
                let mut d = bad(
                    value,
                    format!(
                        "`sentinel {}` must be `yes` or `no`, not `{}`; Sentinel refuses to start",
                        keyword.name, value.value
                    ),
                )
                .help(bool_help(&value.value))
                .fatal();
                if let Some(fix) = bool_fix(ctx, conf, value) {
                    d = d.with_fix(fix);
                }
                out.push(d);
            }
        }
        SentinelValue::MyId => {
            let value = &args[0];
            let len = value.value.chars().count();
            if len != 40 {
                out.push(
                    Diagnostic::new(
                        Rule::SentinelMyidInvalid,
                        conf.token_span(value),
                        format!("`sentinel myid` must be 40 characters, this one has {len}; Sentinel refuses to start (\"Malformed Sentinel id in myid option.\")"),
                    )
                    .help("remove the line: Sentinel generates a unique id on first start and saves it")
                    .fatal(),
                );
            }
        }
        SentinelValue::Address => {
            let port = &args[2];
            if !(0..=65535).contains(&atoi(&port.value)) {
                out.push(bad(port, format!("invalid port `{}`; Sentinel refuses to start (\"Invalid port number.\")", port.value)).fatal());
            }
        }
        SentinelValue::Port | SentinelValue::Other => {
            if keyword.name == "announce-port" && !atoi_is_exact(&args[0].value) {
                out.push(
                    bad(
                        &args[0],
                        format!(
                            "`{}` is not a port; Sentinel reads it as {} (0 = not announced)",
                            args[0].value,
                            atoi(&args[0].value)
                        ),
                    )
                    .severity(Severity::Warning),
                );
            }
        }
    }
}

/// The edit removing a whole line of a config, newline included; `None` when the line is
/// not a line of a config text (a command-line option: its line holds other things).
fn delete_line(ctx: &Context, line: &ConfLine) -> Option<Edit> {
    if !line.tokens.first()?.origin.on_conf_line() {
        return None;
    }
    let text = ctx.source(line.owner).text();
    let end = text[line.range.end..]
        .find('\n')
        .map_or(text.len(), |i| line.range.end + i + 1);
    let start = text[..line.range.start].rfind('\n').map_or(0, |i| i + 1);
    Some(Edit::delete(crate::source::Span::new(
        line.owner, start, end,
    )))
}

/// Options people expect Sentinel to have, with what actually exists.
fn known_confusion(keyword: &str) -> Option<&'static str> {
    Some(match keyword {
        "replica-validity-time" | "slave-validity-time" => {
            "no such option exists: replica eligibility is computed from down-after-milliseconds (`cluster-replica-validity-factor` is a Redis Cluster setting); remove the line"
        }
        "script-max-execution-time" => {
            "the script time limit is fixed at 60 seconds (only `SENTINEL DEBUG script-max-runtime` changes it at run time); remove the line"
        }
        "quorum" => "the quorum is the last argument of `sentinel monitor`; remove the line",
        "can-failover" => "`can-failover` existed only in Redis 2.6; remove the line",
        "info-period" | "ping-period" | "publish-period" | "tilt-period" | "election-timeout" => {
            "this is an internal timer, settable only with `SENTINEL DEBUG` at run time; remove the line"
        }
        _ => return None,
    })
}

fn check_master_name(conf: &ConfFile, name: &Token, out: &mut Vec<Diagnostic>) {
    let ok = !name.value.is_empty()
        && name
            .value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if !ok {
        out.push(
            Diagnostic::new(
                Rule::InvalidMasterName,
                conf.token_span(name),
                "master name with characters outside A-Z a-z 0-9 . - _: Sentinel writes it back unquoted and splits hello messages on commas, so the file or peer discovery breaks",
            )
            .help("use only letters, digits, `.`, `-` and `_`"),
        );
    }
}

fn check_master_reference(
    conf: &ConfFile,
    ctx: &Context,
    line: &ConfLine,
    keyword: &str,
    monitors: &[&ConfLine],
    out: &mut Vec<Diagnostic>,
) {
    let name = &line.tokens[2];
    let defining = monitors.iter().find(|m| m.tokens[2].value == name.value);
    match defining {
        // A template in a ConfigMap without any monitor line gets it from the start
        // script at run time (`echo "sentinel monitor …" >> sentinel.conf`): unknown.
        None if conf.embedded && monitors.is_empty() => {}
        // A start command of the tree adds monitors on the command line.
        None if conf.monitors_on_command_line && monitors.is_empty() => {}
        // Options after a config file: the monitor may be in the file.
        None if conf.follows_file => {}
        // Lines a script appends to another config: that config may define it.
        None if conf.appended_to_config => {}
        // An included file may define it: since 6.2 Sentinel applies its options after
        // the whole configuration is read, before that in file order.
        None if conf.includes().any(|(include, _)| {
            include.line < line.line || ctx.target.has_redis_feature(Version::new(6, 2, 0))
        }) => {}
        // A monitor line of this name that Sentinel refuses for its arguments (reported
        // there), or whose name is a template: the name is defined, or unknown.
        None if conf.lines.iter().any(|l| {
            l.keyword.is_some_and(|k| k.name == "monitor")
                && conf
                    .line(l)
                    .tokens
                    .get(2)
                    .is_some_and(|t| t.value == name.value || is_template(&t.value))
        }) => {}
        None => {
            let mut d = Diagnostic::new(
                Rule::PerMasterDirectiveUnknownMaster,
                conf.token_span(name),
                format!(
                    "`sentinel {keyword}` names master `{}`, which no `sentinel monitor` line of this file defines; Sentinel refuses to start (\"No such master with specified name.\")",
                    name.value
                ),
            )
            .fatal();
            if let Some(s) = did_you_mean(
                &name.value,
                monitors.iter().map(|m| m.tokens[2].value.as_str()),
            ) {
                d = d.help(format!(
                    "master names are case-sensitive: did you mean `{s}`?"
                ));
            } else {
                d = d.help("add the `sentinel monitor` line for this master, or fix the name");
            }
            out.push(d);
        }
        Some(monitor)
            if monitor.line > line.line && !ctx.target.has_redis_feature(Version::new(6, 2, 0)) =>
        {
            out.push(
                Diagnostic::new(
                    Rule::PerMasterDirectiveUnknownMaster,
                    conf.token_span(name),
                    format!("before Redis 6.2 sentinel options are applied in file order, and master `{}` is defined only later; {} refuses to start", name.value, ctx.target),
                )
                .label(conf.span(&monitor.range), "defined here")
                .help("move the `sentinel monitor` line above its options")
                .fatal(),
            );
        }
        Some(_) => {}
    }
}

/// Directives set twice. Accumulating directives are not duplicates, but some repeated
/// entries are refused outright.
fn check_duplicates(conf: &ConfFile, out: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<String, &ConfLine> = HashMap::new();
    for resolved in &conf.lines {
        let line = conf.line(resolved);
        let t = &line.tokens;
        let key: Option<(String, Option<&str>)> = if let Some(k) = resolved.keyword {
            if !k.arity.contains(&(t.len() - 2)) {
                None
            } else {
                match k.name {
                    "monitor" => Some((
                        format!("sentinel monitor {}", t[2].value),
                        Some("Duplicate master name."),
                    )),
                    "known-replica" | "known-slave" => Some((
                        format!(
                            "sentinel known-replica {} {} {}",
                            t[2].value,
                            t[3].value.to_ascii_lowercase(),
                            atoi(&t[4].value)
                        ),
                        Some("Duplicate hostname and port for replica."),
                    )),
                    "known-sentinel" => t.get(5).map(|runid| {
                        (
                            format!("sentinel known-sentinel {} {}", t[2].value, runid.value),
                            Some("Duplicate runid for sentinel."),
                        )
                    }),
                    "rename-command" => Some((
                        format!(
                            "sentinel rename-command {} {}",
                            t[2].value,
                            t[3].value.to_ascii_uppercase()
                        ),
                        Some("Same command renamed multiple times with rename-command."),
                    )),
                    _ if k.scope == Scope::PerMaster => {
                        Some((format!("sentinel {} {}", k.name, t[2].value), None))
                    }
                    _ => Some((format!("sentinel {}", k.name), None)),
                }
            }
        } else if let Some(found) = resolved.directive {
            let d = found.directive;
            match d.kind {
                ValueKind::User if t.len() >= 2 => Some((
                    format!("user {}", t[1].value),
                    Some("Duplicate user found. A user can only be defined once in config files"),
                )),
                ValueKind::RenameCommand if t.len() == 3 => Some((
                    format!("rename-command {}", t[1].value.to_ascii_uppercase()),
                    Some("No such command in rename-command"),
                )),
                ValueKind::ClientOutputBufferLimit if t.len() == 5 => {
                    let class = match t[1].value.to_ascii_lowercase().as_str() {
                        "slave" => "replica".to_string(),
                        other => other.to_string(),
                    };
                    Some((format!("client-output-buffer-limit {class}"), None))
                }
                ValueKind::Save
                | ValueKind::Include
                | ValueKind::LoadModule
                | ValueKind::Sentinel
                | ValueKind::Ignored => None,
                ValueKind::User | ValueKind::RenameCommand | ValueKind::ClientOutputBufferLimit => {
                    None
                }
                _ => Some((fact_key(d).to_string(), None)),
            }
        } else {
            None
        };
        let Some((key, refusal)) = key else { continue };
        let Some(first) = seen.get(&key).copied() else {
            seen.insert(key, line);
            continue;
        };
        let first_line = first.line + 1;
        // The same value twice (often an alias pair, `replica-…` and `slave-…`) is harmless.
        // (`client-output-buffer-limit slave …` names the replica class.)
        let class = |v: &str| match v.eq_ignore_ascii_case("slave") {
            true => "replica".to_string(),
            false => v.to_string(),
        };
        let same_values = first.tokens[1..]
            .iter()
            .map(|t| class(&t.value))
            .eq(line.tokens[1..].iter().map(|t| class(&t.value)));
        if refusal.is_none() && same_values {
            continue;
        }
        let d = match refusal {
            Some(message) => Diagnostic::new(
                Rule::DuplicateDirective,
                conf.span(&line.range),
                format!("repeats line {first_line}; Redis refuses to start (\"{message}\")"),
            )
            .severity(Severity::Error)
            .fatal(),
            None => Diagnostic::new(
                Rule::DuplicateDirective,
                conf.span(&line.range),
                format!(
                    "`{}` is set again here: the value at line {first_line} is silently ignored",
                    display_key(&key)
                ),
            ),
        };
        out.push(
            d.label(conf.span(&first.range), "first set here")
                .help("keep one of the two lines"),
        );
    }
}

fn display_key(key: &str) -> &str {
    key
}

/// Whether `save` words are pairs of <seconds ≥ 1> <changes ≥ 0>, as 7.0 and later
/// require.
fn save_pairs_valid<'a>(words: impl ExactSizeIterator<Item = &'a str>) -> bool {
    if !words.len().is_multiple_of(2) {
        return false;
    }
    let numbers: Option<Vec<i64>> = words.map(strtoll_exact).collect();
    numbers.is_some_and(|n| n.chunks(2).all(|p| p[0] >= 1 && p[1] >= 0))
}

/// Before 7.0 a `save` line takes exactly one pair (or `""`); any other line is skipped
/// without an error (config.c of 4.0–6.2). 6.2 first drops the built-in snapshot rules
/// at the first `save` line, so a skipped line there can leave no snapshot rule at all.
fn check_save_pre7(
    release: Target,
    args: &[Token],
    line_span: crate::source::Span,
    out: &mut Vec<Diagnostic>,
) {
    match args {
        [only] if only.value.is_empty() => {}
        [seconds, changes] => {
            // atoi, as config.c of these releases reads them.
            let valid = atoi(&seconds.value) >= 1 && atoi(&changes.value) >= 0;
            if !valid {
                out.push(
                    Diagnostic::new(
                        Rule::InvalidValue,
                        line_span,
                        "invalid `save` parameters: <seconds> must be at least 1 and <changes> at least 0; Redis refuses to start",
                    )
                    .help("`save 3600 1`, or `save \"\"` to disable snapshots")
                    .fatal(),
                );
            }
        }
        _ => {
            // 6.2 drops the built-in rules at the first `save` line: a lone `save 0` then
            // disables snapshots as meant, several pairs on one line leave none at all.
            let drops_defaults = release.version >= Version::new(6, 2, 0);
            let (severity, effect) = match (drops_defaults, args.len()) {
                (true, 1) => (Severity::Info, "6.2 drops its built-in snapshot rules at the first `save` line, so this disables snapshots"),
                (true, _) => (Severity::Warning, "6.2 drops its built-in snapshot rules at the first `save` line, so unless another line sets one pair, no snapshot is ever taken"),
                (false, _) => (Severity::Info, "the built-in snapshot rules stay in force"),
            };
            let upgrade = if save_pairs_valid(args.iter().map(|t| t.value.as_str())) {
                "7.0 and later read it as several pairs"
            } else {
                "7.0 and later refuse to start with it"
            };
            out.push(
                Diagnostic::new(
                    Rule::InvalidValue,
                    line_span,
                    format!(
                        "{release} ignores this `save` line without an error: before 7.0 a `save` line takes exactly one <seconds> <changes> pair or `\"\"`; {effect}; {upgrade}"
                    ),
                )
                .severity(severity)
                .help("write one pair per line (`save 3600 1` then `save 300 100`), or `save \"\"` to disable snapshots"),
            );
        }
    }
}

/// A release as a message names it: "Redis 5.0.14 (the image's release)" when an image,
/// not the target version, decides the verdict.
fn release_named(ctx: &Context, release: Target) -> String {
    if release == ctx.target {
        release.to_string()
    } else {
        format!("{release} (the release that runs it)")
    }
}
