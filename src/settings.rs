//! redis-halint's own configuration: `redis-halint.toml` / `.redis-halint.toml`.
//!
//! ```toml
//! extend = "../base.toml"            # inherit, then override
//!
//! [lint]
//! select = ["all"]                   # names, codes, code prefixes, categories
//! extend-select = []
//! ignore = ["quorum-below-majority"]
//! fail-on = "warning"                # error | warning | info | never
//! target-version = "redis-7.0"
//! exclude = ["vendor/**"]            # globs, relative to this file's directory
//!
//! [lint.per-file-ignores]
//! "legacy/*.conf" = ["masterauth-missing"]
//!
//! [lint.severity]
//! sentinel-count-even = "error"
//!
//! [topology]                         # facts not in the tree (processes elsewhere, sites)
//! groups.mymaster = { sentinels-elsewhere = 2, replicas-elsewhere = 1 }
//! sites = [{ name = "dc1", addresses = ["10.0.1.0/24"], hosts = [], zones = [] }]
//! ```
//!
//! The nearest file to a checked file wins (searching up to the repository root, the
//! directory holding `.git`); `extend` inherits from another file. Unknown keys and bad
//! values are `invalid-config` findings pointing at the key or value.

use crate::diagnostic::{Diagnostic, Severity};
use crate::knowledge::Target;
use crate::rules::Rule;
use crate::selection::{is_valid_selector, Selection};
use crate::source::{SourceFile, Span};
use globset::{GlobBuilder, GlobMatcher};
use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

pub const CONFIG_NAMES: [&str; 2] = ["redis-halint.toml", ".redis-halint.toml"];

/// A directory as a directory walk listed it (paths as walked): its config file and
/// whether it holds `.git`, so that the lookup does not ask the file system again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedDir {
    pub dir: PathBuf,
    pub settings_file: Option<PathBuf>,
    pub git: bool,
}

pub fn is_config_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| CONFIG_NAMES.contains(&n))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    pub fn parse(text: &str) -> Option<FailOn> {
        Some(match text {
            "error" => FailOn::Error,
            "warning" => FailOn::Warning,
            "info" => FailOn::Info,
            "never" => FailOn::Never,
            _ => return None,
        })
    }

    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::Error => "error",
            FailOn::Warning => "warning",
            FailOn::Info => "info",
            FailOn::Never => "never",
        }
    }
}

/// Where a setting came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Default,
    CommandLine,
    /// A config file and the 1-based line of the key.
    File(PathBuf, u32),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Default => f.write_str("default"),
            Origin::CommandLine => f.write_str("command line"),
            Origin::File(path, line) => write!(f, "{}:{line}", path.display()),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Located<T> {
    pub value: T,
    pub origin: Origin,
}

/// A glob relative to the directory of the config file that declared it.
#[derive(Debug, Clone)]
pub struct PathGlob {
    pub pattern: String,
    pub base: PathBuf,
    matcher: GlobMatcher,
    /// A pattern without `/` matches the file name at any depth (like .gitignore).
    name_only: bool,
}

impl PathGlob {
    pub fn new(pattern: &str, base: &Path) -> Result<PathGlob, String> {
        let trimmed = pattern.trim_start_matches("./");
        let matcher = GlobBuilder::new(trimmed)
            .literal_separator(true)
            .build()
            .map_err(|e| e.to_string())?
            .compile_matcher();
        Ok(PathGlob {
            pattern: pattern.to_string(),
            base: base.to_path_buf(),
            matcher,
            name_only: !trimmed.contains('/'),
        })
    }

    /// `path` is absolute and normalized.
    pub fn matches(&self, path: &Path) -> bool {
        let Ok(relative) = path.strip_prefix(&self.base) else {
            return false;
        };
        if self.name_only {
            relative.components().any(|c| match c {
                Component::Normal(name) => self.matcher.is_match(Path::new(name)),
                _ => false,
            })
        } else {
            self.matcher.is_match(relative)
                || relative
                    .ancestors()
                    .skip(1)
                    .any(|a| !a.as_os_str().is_empty() && self.matcher.is_match(a))
        }
    }
}

/// What one config file says (entries with bad values are left out: they are findings).
#[derive(Debug, Clone, Default)]
pub struct ConfigData {
    pub extend: Option<Located<String>>,
    pub select: Option<Located<Vec<String>>>,
    pub extend_select: Vec<Located<String>>,
    pub ignore: Vec<Located<String>>,
    pub fail_on: Option<Located<FailOn>>,
    pub target_version: Option<Located<Target>>,
    pub exclude: Vec<Located<String>>,
    pub per_file_ignores: Vec<Located<(String, Vec<String>)>>,
    pub severity: Vec<Located<(Rule, Severity)>>,
    pub topology: Option<Located<Topology>>,
}

/// `[topology]`: facts about the deployment that are not in the checked tree. The
/// processes of a group that run elsewhere enter its counts; `sites` assign processes to
/// failure domains (multi-dc-majority-in-one-site).
#[derive(Debug, Clone, Default)]
pub struct Topology {
    pub groups: Vec<(String, GroupFacts)>,
    pub sites: Vec<Site>,
}

#[derive(Debug, Clone, Default)]
pub struct GroupFacts {
    pub sentinels_elsewhere: Option<u32>,
    pub replicas_elsewhere: Option<u32>,
}

impl Topology {
    /// `sites`, for the model.
    pub fn sites(&self) -> Vec<crate::model::sites::Site> {
        self.sites
            .iter()
            .map(|s| crate::model::sites::Site {
                name: s.name.clone(),
                addresses: s.addresses.clone(),
                hosts: s.hosts.clone(),
            })
            .collect()
    }

    /// `groups.NAME.sentinels-elsewhere` / `replicas-elsewhere`, for the linker.
    pub fn elsewhere(&self) -> Vec<(String, crate::model::topology::Elsewhere)> {
        self.groups
            .iter()
            .map(|(name, g)| {
                (
                    name.clone(),
                    crate::model::topology::Elsewhere {
                        sentinels: g.sentinels_elsewhere.unwrap_or(0) as usize,
                        replicas: g.replicas_elsewhere.unwrap_or(0) as usize,
                    },
                )
            })
            .collect()
    }
}

#[derive(Debug, Clone, Default)]
pub struct Site {
    pub name: String,
    pub addresses: Vec<String>,
    pub hosts: Vec<String>,
    pub zones: Vec<String>,
}

/// A problem in a config file: byte range and message.
#[derive(Debug, Clone)]
pub struct Problem {
    pub range: Range<usize>,
    pub message: String,
}

struct Reader<'a> {
    text: &'a str,
    path: PathBuf,
    problems: Vec<Problem>,
}

impl Reader<'_> {
    fn problem(&mut self, range: Range<usize>, message: impl Into<String>) {
        self.problems.push(Problem {
            range,
            message: message.into(),
        });
    }

    fn origin(&self, range: &Range<usize>) -> Origin {
        let line = self.text[..range.start.min(self.text.len())]
            .bytes()
            .filter(|&b| b == b'\n')
            .count() as u32
            + 1;
        Origin::File(self.path.clone(), line)
    }

    fn string(&mut self, value: &Spanned<DeValue>, what: &str) -> Option<String> {
        match value.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            other => {
                self.problem(
                    value.span(),
                    format!("{what} must be a string, not {}", other.type_str()),
                );
                None
            }
        }
    }

    fn strings(&mut self, value: &Spanned<DeValue>, what: &str) -> Vec<(String, Range<usize>)> {
        match value.get_ref() {
            DeValue::Array(items) => items
                .iter()
                .filter_map(|item| {
                    let s = self.string(item, &format!("each entry of {what}"))?;
                    Some((s, item.span()))
                })
                .collect(),
            other => {
                self.problem(
                    value.span(),
                    format!(
                        "{what} must be an array of strings, not {}",
                        other.type_str()
                    ),
                );
                Vec::new()
            }
        }
    }

    fn table<'t>(
        &mut self,
        value: &'t Spanned<DeValue<'t>>,
        what: &str,
    ) -> Option<&'t DeTable<'t>> {
        match value.get_ref() {
            DeValue::Table(t) => Some(t),
            other => {
                self.problem(
                    value.span(),
                    format!("{what} must be a table, not {}", other.type_str()),
                );
                None
            }
        }
    }

    fn unknown_key(&mut self, key: &Spanned<std::borrow::Cow<str>>, table: &str, known: &[&str]) {
        let name = key.get_ref();
        let hint = known
            .iter()
            .find(|k| k.replace('-', "_") == name.replace('-', "_") || edit_distance(k, name) <= 2)
            .map(|k| format!(" (did you mean `{k}`?)"))
            .unwrap_or_default();
        self.problem(
            key.span(),
            format!(
                "unknown key `{name}` in {table}{hint}; known keys: {}",
                known.join(", ")
            ),
        );
    }

    fn selectors(&mut self, value: &Spanned<DeValue>, what: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (s, range) in self.strings(value, what) {
            if is_valid_selector(&s) {
                out.push(s);
            } else {
                self.problem(
                    range,
                    format!("unknown rule, code or category `{s}` (see `redis-halint rules`)"),
                );
            }
        }
        out
    }

    fn count(&mut self, value: &Spanned<DeValue>, what: &str) -> Option<u32> {
        match value.get_ref() {
            DeValue::Integer(i) => match i.as_str().parse::<u32>() {
                Ok(n) if i.radix() == 10 => Some(n),
                _ => {
                    self.problem(
                        value.span(),
                        format!("{what} must be a non-negative integer"),
                    );
                    None
                }
            },
            other => {
                self.problem(
                    value.span(),
                    format!("{what} must be an integer, not {}", other.type_str()),
                );
                None
            }
        }
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The keys of each table, for the did-you-mean of an unknown key; `settings_schema`
/// describes the same keys for editors (a test compares them).
pub const TOP_KEYS: &[&str] = &["extend", "lint", "topology"];
pub const LINT_KEYS: &[&str] = &[
    "select",
    "extend-select",
    "ignore",
    "per-file-ignores",
    "severity",
    "fail-on",
    "target-version",
    "exclude",
];
pub const TOPOLOGY_KEYS: &[&str] = &["groups", "sites"];
pub const GROUP_KEYS: &[&str] = &["sentinels-elsewhere", "replicas-elsewhere"];
pub const SITE_KEYS: &[&str] = &["name", "addresses", "hosts", "zones"];

/// Read a config file's text. `base` is the directory globs are relative to.
pub fn parse(text: &str, path: &Path, base: &Path) -> (ConfigData, Vec<Problem>) {
    let mut data = ConfigData::default();
    let mut r = Reader {
        text,
        path: path.to_path_buf(),
        problems: Vec::new(),
    };
    let (root, errors) = DeTable::parse_recoverable(text);
    for e in errors {
        let range = e.span().unwrap_or(0..0);
        r.problem(range, format!("TOML syntax: {}", e.message().trim()));
    }
    if !r.problems.is_empty() {
        return (data, r.problems);
    }
    for (key, value) in root.get_ref().iter() {
        match key.get_ref().as_ref() {
            "extend" => {
                if let Some(s) = r.string(value, "`extend`") {
                    data.extend = Some(Located {
                        value: s,
                        origin: r.origin(&key.span()),
                    });
                }
            }
            "lint" => {
                if let Some(lint) = r.table(value, "[lint]") {
                    read_lint(&mut r, lint, base, &mut data);
                }
            }
            "topology" => {
                if let Some(t) = r.table(value, "[topology]") {
                    let topology = read_topology(&mut r, t);
                    data.topology = Some(Located {
                        value: topology,
                        origin: r.origin(&key.span()),
                    });
                }
            }
            _ => r.unknown_key(key, "the top level", TOP_KEYS),
        }
    }
    (data, r.problems)
}

fn read_lint(r: &mut Reader, lint: &DeTable, base: &Path, data: &mut ConfigData) {
    for (key, value) in lint.iter() {
        let origin = r.origin(&key.span());
        match key.get_ref().as_ref() {
            "select" => {
                let v = r.selectors(value, "`select`");
                data.select = Some(Located { value: v, origin });
            }
            "extend-select" => {
                for s in r.selectors(value, "`extend-select`") {
                    data.extend_select.push(Located {
                        value: s,
                        origin: origin.clone(),
                    });
                }
            }
            "ignore" => {
                for s in r.selectors(value, "`ignore`") {
                    data.ignore.push(Located {
                        value: s,
                        origin: origin.clone(),
                    });
                }
            }
            "fail-on" => {
                if let Some(s) = r.string(value, "`fail-on`") {
                    match FailOn::parse(&s) {
                        Some(f) => data.fail_on = Some(Located { value: f, origin }),
                        None => r.problem(
                            value.span(),
                            format!("`fail-on` is one of error, warning, info, never; not `{s}`"),
                        ),
                    }
                }
            }
            "target-version" => {
                if let Some(s) = r.string(value, "`target-version`") {
                    match Target::parse(&s) {
                        Ok(t) => data.target_version = Some(Located { value: t, origin }),
                        Err(e) => r.problem(value.span(), e),
                    }
                }
            }
            "exclude" => {
                for (s, range) in r.strings(value, "`exclude`") {
                    match PathGlob::new(&s, base) {
                        Ok(_) => data.exclude.push(Located {
                            value: s,
                            origin: origin.clone(),
                        }),
                        Err(e) => r.problem(range, format!("bad glob `{s}`: {e}")),
                    }
                }
            }
            "per-file-ignores" => {
                let Some(table) = r.table(value, "[lint.per-file-ignores]") else {
                    continue;
                };
                for (pattern, rules) in table.iter() {
                    let origin = r.origin(&pattern.span());
                    if let Err(e) = PathGlob::new(pattern.get_ref(), base) {
                        r.problem(
                            pattern.span(),
                            format!("bad glob `{}`: {e}", pattern.get_ref()),
                        );
                        continue;
                    }
                    let rules = r.selectors(rules, "a per-file-ignores entry");
                    data.per_file_ignores.push(Located {
                        value: (pattern.get_ref().to_string(), rules),
                        origin,
                    });
                }
            }
            "severity" => {
                let Some(table) = r.table(value, "[lint.severity]") else {
                    continue;
                };
                for (rule, level) in table.iter() {
                    let origin = r.origin(&rule.span());
                    let Some(found) = crate::rules::designate(rule.get_ref()) else {
                        r.problem(
                            rule.span(),
                            format!("`{}` is not a rule name or code", rule.get_ref()),
                        );
                        continue;
                    };
                    let Some(s) = r.string(level, "a severity") else {
                        continue;
                    };
                    let severity = match s.as_str() {
                        "error" => Severity::Error,
                        "warning" => Severity::Warning,
                        "info" => Severity::Info,
                        _ => {
                            r.problem(
                                level.span(),
                                format!("a severity is error, warning or info; not `{s}` (use `ignore` to turn a rule off)"),
                            );
                            continue;
                        }
                    };
                    for &found in found.rules {
                        data.severity.push(Located {
                            value: (found, severity),
                            origin: origin.clone(),
                        });
                    }
                }
            }
            _ => r.unknown_key(key, "[lint]", LINT_KEYS),
        }
    }
}

fn read_topology(r: &mut Reader, table: &DeTable) -> Topology {
    let mut topology = Topology::default();
    for (key, value) in table.iter() {
        match key.get_ref().as_ref() {
            "groups" => {
                let Some(groups) = r.table(value, "[topology.groups]") else {
                    continue;
                };
                for (name, facts) in groups.iter() {
                    let Some(facts_table) = r.table(facts, "a group") else {
                        continue;
                    };
                    let mut g = GroupFacts::default();
                    for (k, v) in facts_table.iter() {
                        match k.get_ref().as_ref() {
                            "sentinels-elsewhere" => {
                                g.sentinels_elsewhere = r.count(v, "`sentinels-elsewhere`")
                            }
                            "replicas-elsewhere" => {
                                g.replicas_elsewhere = r.count(v, "`replicas-elsewhere`")
                            }
                            _ => r.unknown_key(k, "a [topology.groups] entry", GROUP_KEYS),
                        }
                    }
                    topology.groups.push((name.get_ref().to_string(), g));
                }
            }
            "sites" => {
                let DeValue::Array(sites) = value.get_ref() else {
                    r.problem(value.span(), "`sites` must be an array of tables");
                    continue;
                };
                for site in sites.iter() {
                    let Some(site_table) = r.table(site, "a site") else {
                        continue;
                    };
                    let mut s = Site::default();
                    for (k, v) in site_table.iter() {
                        match k.get_ref().as_ref() {
                            "name" => s.name = r.string(v, "`name`").unwrap_or_default(),
                            "addresses" => {
                                s.addresses = r
                                    .strings(v, "`addresses`")
                                    .into_iter()
                                    .map(|x| x.0)
                                    .collect()
                            }
                            "hosts" => {
                                s.hosts = r.strings(v, "`hosts`").into_iter().map(|x| x.0).collect()
                            }
                            "zones" => {
                                s.zones = r.strings(v, "`zones`").into_iter().map(|x| x.0).collect()
                            }
                            _ => r.unknown_key(k, "a site", SITE_KEYS),
                        }
                    }
                    if s.name.is_empty() {
                        r.problem(site.span(), "a site needs a `name`");
                    }
                    topology.sites.push(s);
                }
            }
            _ => r.unknown_key(key, "[topology]", TOPOLOGY_KEYS),
        }
    }
    topology
}

/// The `invalid-config` findings of a config file in the workspace.
pub fn validate(source: &SourceFile) -> Vec<Diagnostic> {
    let base = source.path.parent().unwrap_or(Path::new(""));
    let (_, problems) = parse(source.text(), &source.path, base);
    problems
        .into_iter()
        .map(|p| {
            let end = p.range.end.min(source.text().len());
            let start = p.range.start.min(end);
            Diagnostic::new(
                Rule::InvalidConfig,
                Span::new(source.id, start, end),
                p.message,
            )
        })
        .collect()
}

/// The effective settings for the files under one directory: a config file and the
/// files it extends, merged.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// Nearest first: the config file found, then what it extends.
    pub files: Vec<PathBuf>,
    pub select: Option<Located<Vec<String>>>,
    pub extend_select: Vec<Located<String>>,
    pub ignore: Vec<Located<String>>,
    pub fail_on: Option<Located<FailOn>>,
    pub target_version: Option<Located<Target>>,
    pub exclude: Vec<Located<PathGlob>>,
    pub per_file_ignores: Vec<Located<(PathGlob, Vec<String>)>>,
    pub severity: Vec<Located<(Rule, Severity)>>,
    pub topology: Option<Located<Topology>>,
}

impl Resolved {
    /// `child` overrides `self` (its parent): scalars and `select` are replaced, lists
    /// and tables accumulate.
    fn merge(mut self, child: ConfigData, path: &Path, base: &Path) -> Resolved {
        self.files.insert(0, path.to_path_buf());
        if child.select.is_some() {
            self.select = child.select;
        }
        self.extend_select.extend(child.extend_select);
        self.ignore.extend(child.ignore);
        if child.fail_on.is_some() {
            self.fail_on = child.fail_on;
        }
        if child.target_version.is_some() {
            self.target_version = child.target_version;
        }
        for e in child.exclude {
            if let Ok(glob) = PathGlob::new(&e.value, base) {
                self.exclude.push(Located {
                    value: glob,
                    origin: e.origin,
                });
            }
        }
        for p in child.per_file_ignores {
            if let Ok(glob) = PathGlob::new(&p.value.0, base) {
                self.per_file_ignores.push(Located {
                    value: (glob, p.value.1),
                    origin: p.origin,
                });
            }
        }
        for s in child.severity {
            self.severity.retain(|o| o.value.0 != s.value.0);
            self.severity.push(s);
        }
        if child.topology.is_some() {
            self.topology = child.topology;
        }
        self
    }

    /// Whether `path` (absolute, normalized) is excluded from checking.
    pub fn excluded(&self, path: &Path) -> bool {
        self.exclude.iter().any(|g| g.value.matches(path))
    }
}

/// Command-line settings that override or extend the config files.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
}

/// Per-file rule filter and severity overrides, from a [`Resolved`] plus the command line.
#[derive(Debug, Clone)]
pub struct RuleFilter {
    selection: Selection,
    per_file: Vec<(PathGlob, Vec<String>)>,
    severity: HashMap<Rule, Severity>,
}

impl RuleFilter {
    pub fn new(resolved: &Resolved, overrides: &Overrides) -> Result<RuleFilter, String> {
        let select: Vec<String> = match (&overrides.select, &resolved.select) {
            (Some(cli), _) => cli.clone(),
            (None, Some(cfg)) => cfg.value.clone(),
            (None, None) => Vec::new(),
        };
        let extend: Vec<String> = resolved
            .extend_select
            .iter()
            .map(|l| l.value.clone())
            .chain(overrides.extend_select.iter().cloned())
            .collect();
        let ignore: Vec<String> = resolved
            .ignore
            .iter()
            .map(|l| l.value.clone())
            .chain(overrides.ignore.iter().cloned())
            .collect();
        Ok(RuleFilter {
            selection: Selection::with_extend(&select, &extend, &ignore)?,
            per_file: resolved
                .per_file_ignores
                .iter()
                .map(|l| l.value.clone())
                .collect(),
            severity: resolved.severity.iter().map(|l| l.value).collect(),
        })
    }

    /// Whether a finding of `rule` in `path` (absolute, normalized) is reported.
    pub fn enabled(&self, rule: Rule, path: &Path) -> bool {
        self.selection.enabled(rule)
            && !self.per_file.iter().any(|(glob, rules)| {
                glob.matches(path)
                    && rules
                        .iter()
                        .any(|s| crate::selection::matches_selector(rule, s))
            })
    }

    pub fn severity(&self, rule: Rule) -> Option<Severity> {
        self.severity.get(&rule).copied()
    }
}

/// `path` made absolute against `cwd`, with `.` and `..` resolved lexically.
/// The config file of a directory, and whether it holds `.git` (looked at only when
/// there is no config file: the search stops at a repository's root).
fn probe(dir: &Path) -> (Option<PathBuf>, bool) {
    let here = CONFIG_NAMES
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file());
    let git = here.is_none() && dir.join(".git").exists();
    (here, git)
}

pub fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Finds and caches the config of each directory.
pub struct Resolver {
    cwd: PathBuf,
    /// A config file named with `--config`: used for every file.
    explicit: Option<PathBuf>,
    by_dir: HashMap<PathBuf, Option<Arc<Resolved>>>,
    /// What [`Resolver::prefetch`] found in directories not resolved yet: the config file
    /// there, and whether the directory holds `.git`.
    probed: HashMap<PathBuf, (Option<PathBuf>, bool)>,
    /// Every config file read: (absolute path, path to show, text).
    pub loaded: Vec<(PathBuf, PathBuf, String)>,
    /// Config files that could not be read, or an `extend` cycle.
    pub errors: Vec<String>,
}

impl Resolver {
    pub fn new(cwd: PathBuf, explicit: Option<PathBuf>) -> Resolver {
        Resolver {
            cwd,
            explicit,
            by_dir: HashMap::new(),
            probed: HashMap::new(),
            loaded: Vec::new(),
            errors: Vec::new(),
        }
    }

    fn shown(&self, abs: &Path) -> PathBuf {
        abs.strip_prefix(&self.cwd)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| abs.to_path_buf())
    }

    /// `path` made absolute against the directory the resolver runs in.
    pub fn absolute(&self, path: &Path) -> PathBuf {
        absolute(path, &self.cwd)
    }

    /// The settings for a file (or, for a directory, for the files in it).
    pub fn for_path(&mut self, path: &Path) -> Option<Arc<Resolved>> {
        let abs = absolute(path, &self.cwd);
        if let Some(explicit) = self.explicit.clone() {
            return self.for_config_cached(&explicit);
        }
        let dir = if abs.is_dir() {
            abs
        } else {
            abs.parent().map(Path::to_path_buf).unwrap_or(abs)
        };
        self.for_dir(&dir)
    }

    /// The settings for a file known not to be a directory (an input of the run): the
    /// same as [`Resolver::for_path`] without asking the file system what it is.
    pub fn for_file(&mut self, path: &Path) -> Option<Arc<Resolved>> {
        if let Some(explicit) = self.explicit.clone() {
            return self.for_config_cached(&explicit);
        }
        let abs = absolute(path, &self.cwd);
        match abs.parent() {
            Some(dir) => self.for_dir(dir),
            None => self.for_dir(&abs),
        }
    }

    fn for_config_cached(&mut self, config: &Path) -> Option<Arc<Resolved>> {
        let abs = absolute(config, &self.cwd);
        let key = abs.join("\0explicit");
        if let Some(hit) = self.by_dir.get(&key) {
            return hit.clone();
        }
        let resolved = self.load_chain(&abs, &mut Vec::new()).map(Arc::new);
        self.by_dir.insert(key, resolved.clone());
        resolved
    }

    /// Look at the directories of many files at once, on every core: what `for_file`
    /// then asks of each directory is already known (a tree of thousands of directories
    /// otherwise spends a tenth of its run in these lookups, one after the other).
    pub fn prefetch<'a>(&mut self, files: impl Iterator<Item = &'a Path>) {
        use rayon::prelude::*;
        if self.explicit.is_some() {
            return;
        }
        let mut visited: std::collections::HashSet<PathBuf> = std::collections::HashSet::new();
        let mut dirs = Vec::new();
        for file in files {
            let abs = absolute(file, &self.cwd);
            for dir in abs.ancestors().skip(1) {
                // The ancestors of a directory seen before were seen with it.
                if self.by_dir.contains_key(dir) || !visited.insert(dir.to_path_buf()) {
                    break;
                }
                if !self.probed.contains_key(dir) {
                    dirs.push(dir.to_path_buf());
                }
            }
        }
        let probed: Vec<(PathBuf, (Option<PathBuf>, bool))> = dirs
            .into_par_iter()
            .map(|dir| {
                let probe = probe(&dir);
                (dir, probe)
            })
            .collect();
        self.probed.extend(probed);
    }

    /// What a directory walk saw in each directory it listed: no need to look again.
    pub fn seed(&mut self, listed: &[ListedDir]) {
        if self.explicit.is_some() {
            return;
        }
        for l in listed {
            let dir = absolute(&l.dir, &self.cwd);
            if self.by_dir.contains_key(&dir) {
                continue;
            }
            let file = l.settings_file.as_ref().map(|f| absolute(f, &self.cwd));
            self.probed.insert(dir, (file, l.git));
        }
    }

    fn for_dir(&mut self, dir: &Path) -> Option<Arc<Resolved>> {
        if let Some(hit) = self.by_dir.get(dir) {
            return hit.clone();
        }
        let (here, git) = match self.probed.remove(dir) {
            Some(probe) => probe,
            None => probe(dir),
        };
        let resolved = match here {
            Some(config) => self.load_chain(&config, &mut Vec::new()).map(Arc::new),
            None if git => None,
            None => match dir.parent() {
                Some(parent) => self.for_dir(parent),
                None => None,
            },
        };
        self.by_dir.insert(dir.to_path_buf(), resolved.clone());
        resolved
    }

    /// Read a config file and what it extends.
    fn load_chain(&mut self, abs: &Path, seen: &mut Vec<PathBuf>) -> Option<Resolved> {
        let shown = self.shown(abs);
        if seen.contains(&abs.to_path_buf()) {
            self.errors
                .push(format!("{}: `extend` cycle", shown.display()));
            return None;
        }
        seen.push(abs.to_path_buf());
        let text = match std::fs::read_to_string(abs) {
            Ok(t) => t,
            Err(e) => {
                self.errors
                    .push(format!("cannot read config {}: {e}", shown.display()));
                return None;
            }
        };
        if !self.loaded.iter().any(|(p, _, _)| p == abs) {
            self.loaded
                .push((abs.to_path_buf(), shown.clone(), text.clone()));
        }
        let base = abs.parent().unwrap_or(Path::new("/")).to_path_buf();
        let (data, _) = parse(&text, &shown, &base);
        let parent = match &data.extend {
            Some(extend) => {
                let target = absolute(Path::new(&extend.value), &base);
                match self.load_chain(&target, seen) {
                    Some(p) => p,
                    None => {
                        self.errors.push(format!(
                            "{} ({}): cannot extend `{}`",
                            shown.display(),
                            extend.origin,
                            extend.value
                        ));
                        Resolved::default()
                    }
                }
            }
            None => Resolved::default(),
        };
        Some(parent.merge(data, &shown, &base))
    }
}

/// `show-config`: every effective setting and where it came from.
pub fn describe(resolved: Option<&Resolved>, for_path: &Path) -> String {
    use std::fmt::Write;
    let empty = Resolved::default();
    let r = resolved.unwrap_or(&empty);
    let mut out = String::new();
    let _ = writeln!(out, "# Effective settings for {}", for_path.display());
    if r.files.is_empty() {
        let _ = writeln!(out, "# No configuration file (redis-halint.toml or .redis-halint.toml) found; defaults apply.");
    } else {
        let files: Vec<String> = r.files.iter().map(|p| p.display().to_string()).collect();
        let _ = writeln!(
            out,
            "# Configuration files, nearest first: {}",
            files.join(", ")
        );
    }
    let quote = |items: &[String]| {
        items
            .iter()
            .map(|s| format!("{s:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut line = |key: &str, value: String, origin: &Origin| {
        let text = format!("{key} = {value}");
        let _ = writeln!(out, "{text:<48} # {origin}");
    };
    line("[lint]", String::new(), &Origin::Default);
    match &r.select {
        Some(s) => line("select", format!("[{}]", quote(&s.value)), &s.origin),
        None => line("select", "[\"all\"]".to_string(), &Origin::Default),
    }
    if r.extend_select.is_empty() {
        line("extend-select", "[]".into(), &Origin::Default);
    }
    for e in &r.extend_select {
        line("extend-select", format!("[{:?}]", e.value), &e.origin);
    }
    if r.ignore.is_empty() {
        line("ignore", "[]".into(), &Origin::Default);
    }
    for e in &r.ignore {
        line("ignore", format!("[{:?}]", e.value), &e.origin);
    }
    match &r.fail_on {
        Some(f) => line("fail-on", format!("{:?}", f.value.as_str()), &f.origin),
        None => line("fail-on", "\"warning\"".into(), &Origin::Default),
    }
    match &r.target_version {
        Some(t) => line("target-version", format!("\"{}\"", t.value), &t.origin),
        None => line(
            "target-version",
            format!("\"{}\"", Target::default()),
            &Origin::Default,
        ),
    }
    if r.exclude.is_empty() {
        line("exclude", "[]".into(), &Origin::Default);
    }
    for e in &r.exclude {
        line(
            "exclude",
            format!("[{:?}]  (in {})", e.value.pattern, e.value.base.display()),
            &e.origin,
        );
    }
    for p in &r.per_file_ignores {
        line(
            &format!("per-file-ignores.{:?}", p.value.0.pattern),
            format!("[{}]  (in {})", quote(&p.value.1), p.value.0.base.display()),
            &p.origin,
        );
    }
    for s in &r.severity {
        line(
            &format!("severity.{}", s.value.0.name()),
            format!("{:?}", s.value.1.as_str()),
            &s.origin,
        );
    }
    if let Some(t) = &r.topology {
        line(
            "[topology]",
            format!(
                "{} group(s), {} site(s)  (read; not yet used by any rule)",
                t.value.groups.len(),
                t.value.sites.len()
            ),
            &t.origin,
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        parse(text, Path::new("redis-halint.toml"), Path::new("/x"))
            .1
            .into_iter()
            .map(|p| format!("{}: {}", &text[p.range.clone()], p.message))
            .collect()
    }

    #[test]
    fn reads_a_full_file() {
        let text = r#"
[lint]
select = ["auth", "Q"]
extend-select = ["T001"]
ignore = ["quorum-below-majority"]
fail-on = "error"
target-version = "redis-7.0"
exclude = ["vendor/**"]
per-file-ignores = { "legacy/*.conf" = ["masterauth-missing"] }
severity = { sentinel-count-even = "error" }

[topology]
groups.mymaster = { sentinels-elsewhere = 2 }
sites = [{ name = "dc1", addresses = ["10.0.1.0/24"] }]
"#;
        let (data, problems) = parse(text, Path::new("redis-halint.toml"), Path::new("/x"));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(data.select.unwrap().value, vec!["auth", "Q"]);
        assert_eq!(data.fail_on.unwrap().value, FailOn::Error);
        assert_eq!(data.per_file_ignores.len(), 1);
        assert_eq!(
            data.severity[0].value,
            (Rule::SentinelCountEven, Severity::Error)
        );
        let t = data.topology.unwrap().value;
        assert_eq!(t.groups[0].1.sentinels_elsewhere, Some(2));
        assert_eq!(t.sites[0].name, "dc1");
    }

    #[test]
    fn unknown_keys_and_bad_values_have_spans() {
        let p =
            problems("[lint]\nselct = [\"auth\"]\nfail-on = \"sometimes\"\nignore = [\"nope\"]\n");
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(
            p.iter()
                .any(|m| m
                    .starts_with("selct: unknown key `selct` in [lint] (did you mean `select`?)")),
            "{p:?}"
        );
        assert!(p.iter().any(|m| m.starts_with("\"sometimes\": ")));
        assert!(p.iter().any(|m| m.starts_with("\"nope\": unknown rule")));
        let p = problems("[lint\n");
        assert!(p[0].contains("TOML syntax"), "{p:?}");
    }

    #[test]
    fn globs() {
        let g = PathGlob::new("legacy/*.conf", Path::new("/r")).unwrap();
        assert!(g.matches(Path::new("/r/legacy/a.conf")));
        assert!(!g.matches(Path::new("/r/x/legacy/a.conf")));
        let g = PathGlob::new("*.conf", Path::new("/r")).unwrap();
        assert!(g.matches(Path::new("/r/x/y/a.conf")));
        let g = PathGlob::new("vendor", Path::new("/r")).unwrap();
        assert!(g.matches(Path::new("/r/vendor/chart/redis.conf")));
        let g = PathGlob::new("vendor/**", Path::new("/r")).unwrap();
        assert!(g.matches(Path::new("/r/vendor/chart/redis.conf")));
    }
}
