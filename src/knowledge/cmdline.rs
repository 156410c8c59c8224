//! How redis-server / redis-sentinel (and the Valkey binaries) read their command line
//! (redis-facts a7): only argv[1] can be the config file, and only when it does not start
//! with `-`; each `--name` starts a config line that takes the following words as values;
//! `--sentinel` takes none; sentinel mode comes from the program name or a `--sentinel`.

use crate::source::{Span, Spanned};

/// A program redis-halint knows how to read, by the base name of argv[0].
pub fn is_redis_program(name: &str) -> bool {
    matches!(
        name,
        "redis-server" | "redis-sentinel" | "valkey-server" | "valkey-sentinel"
    )
}

#[derive(Debug, Clone)]
pub struct CliOption {
    /// Lower-cased, without the leading `--`.
    pub name: String,
    /// The `--name` word.
    pub flag: Span,
    pub values: Vec<Spanned<String>>,
}

#[derive(Debug, Clone)]
pub struct CommandLine {
    /// argv[0] as written.
    pub program: Spanned<String>,
    /// The whole command, for labels.
    pub span: Span,
    /// The program's name makes it a sentinel (`redis-sentinel`, `valkey-sentinel`).
    pub sentinel_by_name: bool,
    /// The first `--sentinel` word.
    pub sentinel_flag: Option<Span>,
    /// argv[1] when it is a file name (`-` is standard input).
    pub config: Option<Spanned<String>>,
    pub options: Vec<CliOption>,
    /// Words before the first `--option` that are not argv[1]: Redis reads them as a
    /// config line of their own, which fails.
    pub stray: Vec<Spanned<String>>,
}

impl CommandLine {
    /// `argv` holds argv[0] first. Returns `None` for programs other than Redis/Valkey.
    pub fn parse(argv: &[Spanned<String>], span: Span) -> Option<CommandLine> {
        let program = argv.first()?;
        let name = program.value.rsplit('/').next().unwrap_or_default();
        if !is_redis_program(name) {
            return None;
        }
        let mut line = CommandLine {
            program: program.clone(),
            span,
            sentinel_by_name: name.ends_with("-sentinel"),
            sentinel_flag: None,
            config: None,
            options: Vec::new(),
            stray: Vec::new(),
        };
        let mut rest = &argv[1..];
        if let Some(first) = rest.first() {
            if first.value == "-" || !first.value.starts_with('-') {
                line.config = Some(first.clone());
                rest = &rest[1..];
            }
        }
        for arg in rest {
            if let Some(name) = arg.value.strip_prefix("--") {
                let name = name.to_ascii_lowercase();
                if name == "sentinel" && line.sentinel_flag.is_none() {
                    line.sentinel_flag = Some(arg.span);
                }
                line.options.push(CliOption {
                    name,
                    flag: arg.span,
                    values: Vec::new(),
                });
            } else if let Some(last) = line.options.last_mut() {
                last.values.push(arg.clone());
            } else {
                line.stray.push(arg.clone());
            }
        }
        Some(line)
    }

    /// A sentinel process: by name or by `--sentinel` anywhere.
    pub fn is_sentinel(&self) -> bool {
        self.sentinel_by_name || self.sentinel_flag.is_some()
    }

    /// Only asks for the version or help: no server starts.
    pub fn is_query(&self) -> bool {
        let first = self.config.as_ref().map(|c| c.value.as_str());
        matches!(first, Some("-v" | "-h"))
            || self.options.first().is_some_and(|o| {
                matches!(
                    o.name.as_str(),
                    "version" | "help" | "test-memory" | "check-system"
                )
            })
    }

    /// The last `--name` option (last one wins, as in the config file).
    pub fn option(&self, name: &str) -> Option<&CliOption> {
        self.options.iter().rev().find(|o| o.name == name)
    }

    /// The single value of the last `--name`.
    pub fn value(&self, name: &str) -> Option<&Spanned<String>> {
        self.option(name).and_then(|o| match o.values.as_slice() {
            [one] => Some(one),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FileId, Origin};

    fn line(args: &str) -> CommandLine {
        let argv: Vec<Spanned<String>> = args
            .split(' ')
            .map(|a| {
                Spanned::with_origin(a.to_string(), Span::new(FileId(0), 0, 0), Origin::Implied)
            })
            .collect();
        CommandLine::parse(&argv, Span::new(FileId(0), 0, 0)).unwrap()
    }

    #[test]
    fn reads_like_redis() {
        let l = line("/usr/bin/redis-server /etc/redis/sentinel.conf --sentinel --port 1");
        assert!(l.is_sentinel() && !l.sentinel_by_name);
        assert_eq!(l.config.unwrap().value, "/etc/redis/sentinel.conf");
        assert_eq!(l.options[1].values[0].value, "1");
        let l = line("redis-server --sentinel sentinel.conf");
        assert!(l.config.is_none());
        assert_eq!(
            l.option("sentinel").unwrap().values[0].value,
            "sentinel.conf"
        );
        let l = line("valkey-sentinel --port 26379");
        assert!(l.sentinel_by_name && l.config.is_none());
        assert!(CommandLine::parse(
            &[Spanned::with_origin(
                "redis-cli".into(),
                Span::new(FileId(0), 0, 0),
                Origin::Implied
            )],
            Span::new(FileId(0), 0, 0)
        )
        .is_none());
    }
}
