//! The live rules (category `live`, codes V…): pure functions of a [`Snapshot`] and,
//! when files were given, the declared [`Topology`].
//!
//! Where a finding concerns something the files declare (a sentinel, a node, a quorum),
//! its primary span is the declared location, so that CI annotations land in the
//! repository, and the live answer is a related label in the transcript. Without a
//! declared counterpart, the primary span is the live answer itself.

use super::declared;
use super::snapshot::{
    entry_address, flags, same_address, Fields, MasterObs, Reply, SentinelObs, Snapshot,
};
use super::transcript::Transcripts;
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::facts::Monitor;
use crate::model::topology::{Group, SentinelCount, Topology};
use crate::rules::Rule;
use crate::source::Span;
use crate::Workspace;

/// Settings of one verification run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Seconds a replica may go without acknowledging the replication stream.
    pub max_lag: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options { max_lag: 10 }
    }
}

/// Add the transcripts of `snapshot` to the workspace and run every live rule.
/// Diagnostics come sorted by location.
pub fn verify(
    workspace: &mut Workspace,
    snapshot: &Snapshot,
    declared: Option<&Topology>,
    options: &Options,
) -> Vec<Diagnostic> {
    let transcripts = Transcripts::add(workspace, snapshot);
    let mut run = Run {
        snapshot,
        tr: &transcripts,
        declared,
        options,
        out: Vec::new(),
    };
    run.all();
    let mut out: Vec<Diagnostic> = run
        .out
        .into_iter()
        .map(|d| running_side_first(d, &transcripts))
        .collect();
    out.sort_by(|a, b| {
        let pa = workspace.source(a.span.file).map(|s| s.path.clone());
        let pb = workspace.source(b.span.file).map(|s| s.path.clone());
        (pa, a.span.start, a.rule.code(), &a.message).cmp(&(
            pb,
            b.span.start,
            b.rule.code(),
            &b.message,
        ))
    });
    out.dedup();
    out
}

/// A difference between the declaration and the running deployment points at what runs,
/// with the declaration as a related label ("declared here").
fn running_side_first(mut d: Diagnostic, transcripts: &Transcripts) -> Diagnostic {
    if transcripts.contains_file(d.span.file) {
        return d;
    }
    let Some(i) = d
        .related
        .iter()
        .position(|l| transcripts.contains_file(l.span.file))
    else {
        return d;
    };
    let running = d.related.remove(i);
    let declared = std::mem::replace(&mut d.span, running.span);
    d.related
        .insert(0, crate::diagnostic::Label::new(declared, "declared here"));
    d
}

struct Run<'a> {
    snapshot: &'a Snapshot,
    tr: &'a Transcripts,
    declared: Option<&'a Topology>,
    options: &'a Options,
    out: Vec<Diagnostic>,
}

/// A reachable sentinel's view of one master.
#[derive(Clone, Copy)]
struct View<'a> {
    sentinel: &'a SentinelObs,
    master: &'a MasterObs,
}

impl View<'_> {
    fn addr(&self) -> &str {
        &self.sentinel.address
    }

    fn field(&self, name: &str) -> Option<&str> {
        self.master.fields.get(name).map(String::as_str)
    }

    fn master_address(&self) -> Option<String> {
        entry_address(&self.master.fields)
    }
}

/// Flags that mean down. `disconnected` alone is not one: a sentinel sets it on every
/// instance it has just discovered until its link is up.
const DOWN_FLAGS: [&str; 2] = ["s_down", "o_down"];

fn is_down(fields: &Fields) -> bool {
    flags(fields).iter().any(|f| DOWN_FLAGS.contains(f))
}

fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The value most views hold (ties: the one the first view holds) and, for each view,
/// its value.
fn majority<'v, T: PartialEq + Clone>(values: &[(View<'v>, T)]) -> Option<T> {
    let mut best: Option<(&T, usize)> = None;
    for (_, v) in values {
        let n = values.iter().filter(|(_, w)| w == v).count();
        if best.is_none_or(|(_, m)| n > m) {
            best = Some((v, n));
        }
    }
    best.map(|(v, _)| v.clone())
}

impl<'a> Run<'a> {
    fn push(&mut self, d: Diagnostic) {
        self.out.push(d);
    }

    /// Primary span at the declared location when there is one, the live answer as a
    /// related label; else the live answer itself.
    fn located(
        &self,
        rule: Rule,
        live: Span,
        live_label: impl Into<String>,
        declared: Option<Span>,
        message: String,
    ) -> Diagnostic {
        match declared {
            Some(span) => Diagnostic::new(rule, span, message).label(live, live_label),
            None => Diagnostic::new(rule, live, message),
        }
    }

    fn group(&self, name: &str) -> Option<&'a Group> {
        let topology = self.declared?;
        declared::groups(topology, name).into_iter().next()
    }

    fn all(&mut self) {
        for sentinel in &self.snapshot.sentinels {
            if let Some(error) = &sentinel.error {
                self.unreachable(sentinel, error);
            }
        }
        let names = self.snapshot.masters.clone();
        for name in &names {
            self.master(name);
        }
        self.undeclared_names();
        super::cluster_checks::check(self.snapshot, self.tr, &mut self.out);
    }

    fn unreachable(&mut self, sentinel: &SentinelObs, error: &str) {
        let lower = error.to_ascii_lowercase();
        let auth = [
            "wrongpass",
            "noauth",
            "authentication",
            "invalid password",
            "invalid username",
        ]
        .iter()
        .any(|w| lower.contains(w));
        let why = if auth {
            "rejects the credentials"
        } else {
            "does not answer"
        };
        let declared = self.declared.and_then(|t| {
            self.snapshot.masters.iter().find_map(|name| {
                let g = declared::groups(t, name).into_iter().next()?;
                let (s, _) = declared::sentinel_at(t, g, &sentinel.address)?;
                Some(declared::sentinel_span(s))
            })
        });
        let message = format!(
            "sentinel {} {why} ({error}): it cannot vote, so every further sentinel lost \
             brings the deployment closer to having no majority to authorize a failover",
            sentinel.address
        );
        let help = if auth {
            "give the sentinels' password with --password-file or REDISCLI_AUTH (and --user for an ACL user)"
        } else {
            "start the sentinel or fix the address; check firewalls and `bind`/`protected-mode` on that host"
        };
        let d = self
            .located(
                Rule::SentinelUnreachable,
                self.tr.sentinel_error(&sentinel.address),
                "what verify got",
                declared,
                message,
            )
            .help(help);
        self.push(d);
    }

    fn master(&mut self, name: &str) {
        let mut views: Vec<View<'a>> = Vec::new();
        for sentinel in &self.snapshot.sentinels {
            if sentinel.error.is_some() {
                continue;
            }
            match sentinel.masters.iter().find(|m| m.name == name) {
                Some(m) if m.error.is_none() => views.push(View {
                    sentinel,
                    master: m,
                }),
                Some(m) => self.not_monitored(sentinel, name, m.error.as_deref()),
                None => self.not_monitored(sentinel, name, None),
            }
        }
        if views.is_empty() {
            return;
        }
        let master_addr = self.master_agreement(name, &views);
        self.settings(name, &views);
        self.epochs(name, &views);
        for v in &views {
            if let Some(Reply::Err(text)) = &v.master.ckquorum {
                let d = Diagnostic::new(
                    Rule::SentinelCkquorumFailed,
                    self.tr.ckquorum(v.addr(), name),
                    format!(
                        "`SENTINEL CKQUORUM {name}` fails on sentinel {}: {text}; if the master \
                         fails now, this sentinel cannot get a failover started or authorized",
                        v.addr()
                    ),
                )
                .help("bring enough sentinels up and make sure they see each other (same master address, reachable announce addresses, matching sentinel passwords)");
                self.push(d);
            }
        }
        self.sentinel_counts(name, &views);
        if let Some(master_addr) = &master_addr {
            self.master_health(name, &views, master_addr);
            // A master that is down takes its replicas' links with it: that is what a
            // failover repairs, not a fault of the replicas.
            let master_down = views.iter().any(|v| is_down(&v.master.fields))
                || self
                    .snapshot
                    .node(master_addr)
                    .is_some_and(|n| n.error.is_some());
            self.replicas(name, &views, master_addr, master_down);
        }
        if self.declared.is_some() {
            self.drift(name, &views, master_addr.as_deref());
        }
    }

    fn not_monitored(&mut self, sentinel: &SentinelObs, name: &str, error: Option<&str>) {
        let span = match error {
            Some(_) => self.tr.master_error(&sentinel.address, name),
            None => self.tr.sentinel(&sentinel.address),
        };
        let d = Diagnostic::new(
            Rule::MasterNotMonitored,
            span,
            format!(
                "sentinel {} does not monitor `{name}`{}: it takes no part in detecting a \
                 failure of that master or in authorizing its failover",
                sentinel.address,
                error.map(|e| format!(" ({e})")).unwrap_or_default()
            ),
        )
        .help(format!(
            "add `sentinel monitor {name} <host> <port> <quorum>` to this sentinel (SENTINEL MONITOR at run time), or check the master name"
        ));
        self.push(d);
    }

    /// V003; returns the address most sentinels name.
    fn master_agreement(&mut self, name: &str, views: &[View<'a>]) -> Option<String> {
        let values: Vec<(View, String)> = views
            .iter()
            .filter_map(|v| Some((*v, v.master_address()?)))
            .collect();
        let chosen = majority(&values)?;
        let holders: Vec<String> = values
            .iter()
            .filter(|(_, a)| same_address(a, &chosen))
            .map(|(v, _)| v.addr().to_string())
            .collect();
        let first_holder = values
            .iter()
            .find(|(_, a)| same_address(a, &chosen))
            .map(|(v, _)| *v);
        for (v, addr) in &values {
            if same_address(addr, &chosen) {
                continue;
            }
            let mut d = Diagnostic::new(
                Rule::SentinelsDisagreeOnMaster,
                self.tr.master_field(v.addr(), name, "ip"),
                format!(
                    "sentinel {} names {addr} as the master of `{name}`, but {} {} {chosen}: \
                     clients that ask it write to another server than the rest, and data \
                     written there is lost when the views converge",
                    v.addr(),
                    list(&holders),
                    if holders.len() == 1 { "names" } else { "name" },
                ),
            )
            .help("check that this sentinel sees the same master (network partition, stale config); after the cause is fixed, `SENTINEL RESET` it or let it converge");
            if let Some(h) = first_holder {
                d = d.label(
                    self.tr.master_field(h.addr(), name, "ip"),
                    format!("{} names {chosen}", h.addr()),
                );
            }
            self.push(d);
        }
        Some(chosen)
    }

    /// V013: quorum and timings that differ between sentinels.
    fn settings(&mut self, name: &str, views: &[View<'a>]) {
        for field in [
            "quorum",
            "down-after-milliseconds",
            "failover-timeout",
            "parallel-syncs",
        ] {
            let values: Vec<(View, String)> = views
                .iter()
                .filter_map(|v| Some((*v, v.field(field)?.to_string())))
                .collect();
            let Some(chosen) = majority(&values) else {
                continue;
            };
            let first = values.iter().find(|(_, x)| *x == chosen).map(|(v, _)| *v);
            for (v, value) in &values {
                if *value == chosen {
                    continue;
                }
                let effect = match field {
                    "quorum" => "the number of sentinels that must agree the master is down depends on which sentinel notices first",
                    "down-after-milliseconds" => "the sentinels declare the master down at different times, so failure detection and the start of a failover depend on which sentinel you ask",
                    "failover-timeout" => "a stuck failover is retried after different delays depending on which sentinel leads it",
                    _ => "replicas are reconfigured at a different pace depending on which sentinel leads the failover",
                };
                let mut d = Diagnostic::new(
                    Rule::SentinelSettingsDisagree,
                    self.tr.master_field(v.addr(), name, field),
                    format!(
                        "sentinel {} runs `{name}` with {field} {value}, the other sentinels \
                         with {chosen}: {effect}",
                        v.addr()
                    ),
                )
                .help(format!(
                    "set the same value on every sentinel: `SENTINEL SET {name} {field} <value>` on each, and the same line in every sentinel.conf"
                ));
                if let Some(f) = first {
                    d = d.label(
                        self.tr.master_field(f.addr(), name, field),
                        format!("{chosen} on {}", f.addr()),
                    );
                }
                self.push(d);
            }
        }
    }

    /// V014: configuration epochs that differ.
    fn epochs(&mut self, name: &str, views: &[View<'a>]) {
        let values: Vec<(View, i64)> = views
            .iter()
            .filter_map(|v| Some((*v, v.field("config-epoch")?.parse().ok()?)))
            .collect();
        let Some(max) = values.iter().map(|(_, e)| *e).max() else {
            return;
        };
        let newest = values.iter().find(|(_, e)| *e == max).map(|(v, _)| *v);
        for (v, epoch) in &values {
            if *epoch == max {
                continue;
            }
            let mut d = Diagnostic::new(
                Rule::ConfigEpochDisagree,
                self.tr.master_field(v.addr(), name, "config-epoch"),
                format!(
                    "sentinel {} is at configuration epoch {epoch} for `{name}`, another \
                     sentinel at {max}: it missed the last failover's configuration, so it \
                     may point clients at the old master until it catches up",
                    v.addr()
                ),
            )
            .help("check that this sentinel receives the others' hello messages (it subscribes to `__sentinel__:hello` on the master and replicas); it converges once it does");
            if let Some(n) = newest {
                d = d.label(
                    self.tr.master_field(n.addr(), name, "config-epoch"),
                    format!("epoch {max} on {}", n.addr()),
                );
            }
            self.push(d);
        }
    }

    /// V005 and V006: how many sentinels each sentinel counts.
    fn sentinel_counts(&mut self, name: &str, views: &[View<'a>]) {
        let given: Vec<&str> = self
            .snapshot
            .sentinels
            .iter()
            .map(|s| s.address.as_str())
            .collect();
        let group = self.group(name);
        let declared_count = group.and_then(|g| match &g.sentinel_count {
            SentinelCount::Known(n) => Some(*n),
            SentinelCount::Unknown(_) => None,
        });
        let (expected, source) = match declared_count {
            Some(n) => (Some(n), "the declared configuration has"),
            None if given.len() >= 2 => (Some(given.len()), "the command line lists"),
            None => (None, ""),
        };
        let declared_labels: Vec<Label> = match (declared_count, group, self.declared) {
            (Some(_), Some(g), Some(t)) => declared::monitors(t, g)
                .into_iter()
                .map(|(s, m)| Label::new(m.line, format!("declared sentinel `{}`", s.name)))
                .collect(),
            _ => Vec::new(),
        };
        // Ghosts: down peers that are not among the sentinels verified.
        type Seen<'v> = Vec<(View<'v>, Span, String)>;
        let mut ghosts: Vec<(String, Seen)> = Vec::new();
        for v in views {
            let peers = &v.master.sentinels;
            let mut ghost_here = 0;
            let mut unlisted = Vec::new();
            for peer in peers {
                let Some(addr) = entry_address(peer) else {
                    continue;
                };
                let listed = given.iter().any(|g| same_address(g, &addr));
                if listed {
                    continue;
                }
                if is_down(peer) {
                    ghost_here += 1;
                    let span = self.tr.peer_field(v.addr(), name, &addr, "flags");
                    let flags = peer.get("flags").cloned().unwrap_or_default();
                    match ghosts.iter_mut().find(|(a, _)| same_address(a, &addr)) {
                        Some((_, seen)) => seen.push((*v, span, flags)),
                        None => ghosts.push((addr, vec![(*v, span, flags)])),
                    }
                } else {
                    unlisted.push(addr);
                }
            }
            let missing: Vec<String> = given
                .iter()
                .filter(|g| !same_address(g, v.addr()))
                .filter(|g| {
                    !peers
                        .iter()
                        .filter_map(entry_address)
                        .any(|a| same_address(&a, g))
                })
                .map(|g| g.to_string())
                .collect();
            let known = 1 + peers.len();
            let Some(expected) = expected else {
                continue;
            };
            if known == expected && missing.is_empty() {
                continue;
            }
            if known - ghost_here == expected && unlisted.is_empty() && missing.is_empty() {
                continue; // the ghosts explain it: reported below
            }
            let mut details = Vec::new();
            if !unlisted.is_empty() {
                details.push(format!(
                    "it counts {} that {} not among the sentinels verified",
                    list(&unlisted),
                    if unlisted.len() == 1 { "is" } else { "are" }
                ));
            }
            if !missing.is_empty() {
                details.push(format!("it does not see {}", list(&missing)));
            }
            let quorum: usize = v.field("quorum").and_then(|q| q.parse().ok()).unwrap_or(0);
            let needed = quorum.max(known / 2 + 1);
            let mut d = Diagnostic::new(
                Rule::SentinelCountMismatch,
                self.tr.master_field(v.addr(), name, "num-other-sentinels"),
                format!(
                    "sentinel {} knows {} for `{name}` (itself included), {source} {expected}{}: \
                     a failover it leads needs {needed} of the sentinels it knows to agree",
                    v.addr(),
                    plural(known, "sentinel", "sentinels"),
                    if details.is_empty() {
                        String::new()
                    } else {
                        format!("; {}", details.join("; "))
                    },
                ),
            )
            .help("list every sentinel with --sentinel (or declare them all); sentinels that cannot see each other need reachable announce addresses and the same master address");
            d.related.extend(declared_labels.iter().cloned());
            self.push(d);
        }
        for (addr, seen) in ghosts {
            let (first, span, flags) = seen[0].clone();
            let who: Vec<String> = seen.iter().map(|(v, _, _)| v.addr().to_string()).collect();
            let known = 1 + first.master.sentinels.len();
            let quorum: usize = first
                .field("quorum")
                .and_then(|q| q.parse().ok())
                .unwrap_or(0);
            let needed = quorum.max(known / 2 + 1);
            let mut d = Diagnostic::new(
                Rule::GhostSentinel,
                span,
                format!(
                    "{} {} {} the sentinel at {addr} ({flags}) for `{name}`, but it is down \
                     and not among the sentinels verified: removed without `SENTINEL RESET`, or \
                     crashed; while it is counted, a failover needs {needed} of {known} known \
                     sentinels to agree",
                    if who.len() == 1 { "sentinel" } else { "sentinels" },
                    list(&who),
                    if who.len() == 1 { "still counts" } else { "still count" },
                ),
            )
            .help(format!(
                "if it was removed on purpose, run `SENTINEL RESET {name}` on each remaining sentinel, one at a time, waiting for it to rediscover the others before the next; if it crashed, restart it"
            ));
            for (v, span, _) in seen.iter().skip(1) {
                d = d.label(*span, format!("also counted by {}", v.addr()));
            }
            self.push(d);
        }
    }

    /// V015: the master the sentinels name is down, unreachable, not a master, or refusing
    /// writes; V012: it does not enforce min-replicas-to-write.
    fn master_health(&mut self, name: &str, views: &[View<'a>], master: &str) {
        let declared_node = self.group(name).and_then(|g| {
            let n = declared::node_at(self.declared?, g, master)?;
            Some(n)
        });
        let declared_span = declared_node.map(declared::node_span);
        let down: Vec<&View> = views.iter().filter(|v| is_down(&v.master.fields)).collect();
        if let Some(first) = down.first() {
            let who: Vec<String> = down.iter().map(|v| v.addr().to_string()).collect();
            let flags = first.field("flags").unwrap_or_default().to_string();
            let mut d = self
                .located(
                    Rule::MasterUnhealthy,
                    self.tr.master_field(first.addr(), name, "flags"),
                    format!("flags {flags}"),
                    declared_span,
                    format!(
                        "{} {} {} the master of `{name}` ({master}) as down ({flags}): writes \
                         fail until it is back or a failover completes",
                        if who.len() == 1 {
                            "sentinel"
                        } else {
                            "sentinels"
                        },
                        list(&who),
                        if who.len() == 1 { "flags" } else { "flag" },
                    ),
                )
                .help("check the master process and the network between it and the sentinels");
            for v in down.iter().skip(1) {
                d = d.label(
                    self.tr.master_field(v.addr(), name, "flags"),
                    format!("also flagged by {}", v.addr()),
                );
            }
            self.push(d);
        }
        let Some(node) = self.snapshot.node(master) else {
            return;
        };
        if let Some(error) = &node.error {
            if down.is_empty() {
                let d = self.located(
                    Rule::MasterUnhealthy,
                    self.tr.node_error(&node.address).unwrap_or(self.tr.sentinel(views[0].addr())),
                    "what verify got",
                    declared_span,
                    format!(
                        "the master of `{name}` ({master}) does not answer verify ({error}) \
                         although the sentinels see it up: clients on this network cannot write"
                    ),
                )
                .help("check the address the sentinels announce for the master, the firewall, and the password (--password-file)");
                self.push(d);
            }
            return;
        }
        let info = |f: &str| node.replication.get(f).map(String::as_str);
        if let Some(role) = info("role") {
            if role != "master" {
                let d = self.located(
                    Rule::MasterUnhealthy,
                    self.tr.node_info(&node.address, "role").unwrap_or(self.tr.sentinel(views[0].addr())),
                    format!("role:{role}"),
                    declared_span,
                    format!(
                        "the sentinels name {master} as the master of `{name}`, but it reports \
                         role:{role}: clients sent there by the sentinels get read-only errors"
                    ),
                )
                .help("a failover may be in progress; if it persists, check for a manual REPLICAOF on that node and `SENTINEL RESET` the sentinels");
                self.push(d);
                return;
            }
        }
        let config = |f: &str| node.config.get(f).and_then(|v| v.parse::<i64>().ok());
        let declared_min = declared_node.and_then(|n| n.min_replicas_to_write.clone());
        match (
            config("min-replicas-to-write"),
            config("min-replicas-max-lag"),
        ) {
            (Some(min), Some(lag)) if min > 0 && lag > 0 => {
                let good: Option<i64> = info("min_slaves_good_slaves").and_then(|g| g.parse().ok());
                if let Some(good) = good.filter(|g| *g < min) {
                    let d = self.located(
                        Rule::MasterUnhealthy,
                        self.tr.node_info(&node.address, "min_slaves_good_slaves").unwrap_or(self.tr.sentinel(views[0].addr())),
                        format!("{good} good replicas"),
                        declared_span,
                        format!(
                            "the master of `{name}` ({master}) refuses writes now: {} within \
                             {lag} s, min-replicas-to-write is {min}",
                            plural(good as usize, "replica acknowledges", "replicas acknowledge")
                        ),
                    )
                    .help("bring the replicas back (see the replica findings), or lower min-replicas-to-write if fewer replicas are intended");
                    self.push(d);
                }
            }
            (Some(min), Some(lag)) => {
                let setting = if min <= 0 {
                    "min-replicas-to-write"
                } else {
                    "min-replicas-max-lag"
                };
                let mut d = Diagnostic::new(
                    Rule::MinReplicasToWriteOff,
                    self.tr.node_config(&node.address, setting).unwrap_or(self.tr.sentinel(views[0].addr())),
                    format!(
                        "the running master of `{name}` ({master}) has min-replicas-to-write {min} \
                         and min-replicas-max-lag {lag}: when it is cut off from its replicas and \
                         the sentinels promote one, it keeps accepting writes that are lost when \
                         it rejoins as a replica"
                    ),
                )
                .help("CONFIG SET min-replicas-to-write 1 (and min-replicas-max-lag 10) on the master, and the same lines in every data node's config");
                if let Some(decl) = declared_min.filter(|d| d.value > 0) {
                    d = d.label(
                        decl.span,
                        format!("declared {} here, not in effect", decl.value),
                    );
                }
                self.push(d);
            }
            _ => {
                // CONFIG refused (renamed or ACL): INFO shows the count only when enforced.
                if node.config.is_empty()
                    && !node.replication.is_empty()
                    && info("min_slaves_good_slaves").is_none()
                {
                    let d = Diagnostic::new(
                        Rule::MinReplicasToWriteOff,
                        self.tr
                            .node_info(&node.address, "role")
                            .unwrap_or(self.tr.sentinel(views[0].addr())),
                        format!(
                            "the running master of `{name}` ({master}) does not enforce \
                             min-replicas-to-write (INFO shows no min_slaves_good_slaves): when it \
                             is cut off and a replica is promoted, it keeps accepting writes that \
                             are lost"
                        ),
                    )
                    .help("set min-replicas-to-write and min-replicas-max-lag on the master");
                    self.push(d);
                }
            }
        }
    }

    /// V007–V011: the replicas the sentinels know.
    fn replicas(&mut self, name: &str, views: &[View<'a>], master: &str, master_down: bool) {
        // Every replica some sentinel knows, in first-seen order.
        let mut addrs: Vec<String> = Vec::new();
        for v in views {
            for r in &v.master.replicas {
                if let Some(a) = entry_address(r) {
                    if !addrs.iter().any(|x| same_address(x, &a)) {
                        addrs.push(a);
                    }
                }
            }
        }
        let group = self.group(name);
        let topology = self.declared;
        let master_node = self.snapshot.node(master).filter(|n| n.error.is_none());
        // The master's own list: slaveN:ip=…,port=…,state=…,offset=…,lag=…
        let master_list: Vec<(String, Vec<(String, String)>)> = master_node
            .map(|n| {
                n.replication
                    .iter()
                    .filter(|(k, _)| {
                        k.strip_prefix("slave")
                            .is_some_and(|i| i.chars().all(|c| c.is_ascii_digit()) && !i.is_empty())
                    })
                    .map(|(k, v)| {
                        let parts = v
                            .split(',')
                            .filter_map(|p| p.split_once('='))
                            .map(|(a, b)| (a.to_string(), b.to_string()))
                            .collect();
                        (k.clone(), parts)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let in_master_list = |addr: &str| {
            master_list.iter().find(|(_, parts)| {
                let get = |f: &str| parts.iter().find(|(k, _)| k == f).map(|(_, v)| v.as_str());
                match (get("ip"), get("port")) {
                    (Some(ip), Some(port)) => {
                        same_address(&super::snapshot::join_address(ip, port), addr)
                    }
                    _ => false,
                }
            })
        };

        // V007: count against the declared one.
        if let (Some(g), Some(t)) = (group, topology) {
            if let Some(declared_count) = g.replica_count {
                let first = views[0];
                let known = first.master.replicas.len();
                if known != declared_count {
                    let mut d = Diagnostic::new(
                        Rule::ReplicaCountMismatch,
                        self.tr.master_field(first.addr(), name, "num-slaves"),
                        format!(
                            "sentinel {} knows {} of `{name}`, the declared configuration has \
                             {declared_count}: {}",
                            first.addr(),
                            plural(known, "replica", "replicas"),
                            if known < declared_count {
                                "fewer copies of the data and fewer candidates for a failover than planned"
                            } else {
                                "a replica the files do not describe takes part in failovers (or a removed one is still remembered: `SENTINEL RESET` forgets it)"
                            }
                        ),
                    )
                    .help("start the missing replicas, or update the declared configuration");
                    for i in g.replicas.iter() {
                        let n = &t.nodes[*i];
                        d = d.label(
                            declared::node_span(n),
                            format!("declared replica {}", n.name),
                        );
                    }
                    self.push(d);
                }
            }
        }

        let mut candidates = 0usize;
        for addr in &addrs {
            let declared_node = match (group, topology) {
                (Some(g), Some(t)) => declared::node_at(t, g, addr),
                _ => None,
            };
            let mut reasons: Vec<(String, Span)> = Vec::new();
            let mut priority: Option<(i64, Span)> = None;
            // What the sentinels say, grouped by what they say.
            let mut said: Vec<(String, Vec<(String, Span)>)> = Vec::new();
            let mut say = |text: String, who: &str, span: Span| match said
                .iter_mut()
                .find(|(t, _)| *t == text)
            {
                Some((_, seen)) => seen.push((who.to_string(), span)),
                None => said.push((text, vec![(who.to_string(), span)])),
            };
            for v in views {
                let Some(entry) = v
                    .master
                    .replicas
                    .iter()
                    .find(|r| entry_address(r).is_some_and(|a| same_address(&a, addr)))
                else {
                    continue;
                };
                if is_down(entry) {
                    say(
                        format!(
                            "flag{{s}} it {}",
                            entry.get("flags").cloned().unwrap_or_default()
                        ),
                        v.addr(),
                        self.tr.replica_field(v.addr(), name, addr, "flags"),
                    );
                }
                if let Some(status) = entry.get("master-link-status").filter(|_| !master_down) {
                    if status != "ok" {
                        say(
                            format!("see{{s}} its master link {status}"),
                            v.addr(),
                            self.tr
                                .replica_field(v.addr(), name, addr, "master-link-status"),
                        );
                    }
                }
                if priority.is_none() {
                    if let Some(p) = entry
                        .get("slave-priority")
                        .or(entry.get("replica-priority"))
                    {
                        if let Ok(p) = p.parse() {
                            priority = Some((
                                p,
                                self.tr
                                    .replica_field(v.addr(), name, addr, "slave-priority"),
                            ));
                        }
                    }
                }
            }
            match self.snapshot.node(addr) {
                Some(node) if node.error.is_some() => reasons.push((
                    format!(
                        "it does not answer ({})",
                        node.error.as_deref().unwrap_or_default()
                    ),
                    self.tr
                        .node_error(&node.address)
                        .unwrap_or(self.tr.sentinel(views[0].addr())),
                )),
                Some(node) => {
                    let info = |f: &str| node.replication.get(f).map(String::as_str);
                    let at = |f: &str| {
                        self.tr
                            .node_info(&node.address, f)
                            .unwrap_or(self.tr.sentinel(views[0].addr()))
                    };
                    if let Some(role) = info("role") {
                        if role != "slave" {
                            reasons.push((format!("it reports role:{role}"), at("role")));
                        }
                    }
                    if let (Some(h), Some(p)) = (info("master_host"), info("master_port")) {
                        let follows = super::snapshot::join_address(h, p);
                        if !same_address(&follows, master) {
                            reasons.push((
                                format!("it replicates from {follows}, not from the master the sentinels name ({master})"),
                                at("master_host"),
                            ));
                        }
                    }
                    if let Some(status) = info("master_link_status").filter(|_| !master_down) {
                        if status != "up" {
                            reasons.push((
                                format!("its link to the master is {status}"),
                                at("master_link_status"),
                            ));
                        }
                    }
                    if priority.is_none() {
                        if let Some(p) = node
                            .config
                            .get("replica-priority")
                            .and_then(|p| p.parse().ok())
                        {
                            priority = node_priority_span(self.tr, &node.address).map(|s| (p, s));
                        }
                    }
                }
                None => {}
            }
            if let Some(master_node) = master_node {
                match in_master_list(addr) {
                    Some((key, parts)) => {
                        let get =
                            |f: &str| parts.iter().find(|(k, _)| k == f).map(|(_, v)| v.as_str());
                        let span = self
                            .tr
                            .node_info(&master_node.address, key)
                            .unwrap_or(self.tr.sentinel(views[0].addr()));
                        if let Some(state) = get("state") {
                            if state != "online" {
                                reasons.push((
                                    format!("the master reports its sync state as {state}"),
                                    span,
                                ));
                            }
                        }
                        if let Some(lag) = get("lag").and_then(|l| l.parse::<u64>().ok()) {
                            if lag > self.options.max_lag {
                                let d = Diagnostic::new(
                                    Rule::ReplicationLag,
                                    span,
                                    format!(
                                        "replica {addr} of `{name}` last acknowledged the replication \
                                         stream {lag} s ago (more than --max-lag {} s): writes the \
                                         master accepted since are not on it, and a failover to it \
                                         loses them",
                                        self.options.max_lag
                                    ),
                                )
                                .help("check the replica's load and network; `INFO replication` on the master shows each replica's offset and lag");
                                self.push(d);
                            }
                        }
                    }
                    None => {
                        if !reasons
                            .iter()
                            .any(|(r, _)| r.starts_with("it does not answer"))
                        {
                            reasons.push((
                                format!("the master ({master}) does not list it among its connected replicas"),
                                self.tr
                                    .node_info(&master_node.address, "connected_slaves")
                                    .unwrap_or(self.tr.sentinel(views[0].addr())),
                            ));
                        }
                    }
                }
            }
            for (text, seen) in said {
                let who: Vec<String> = seen.iter().map(|(a, _)| a.clone()).collect();
                let verb = text.replace("{s}", if who.len() == 1 { "s" } else { "" });
                reasons.push((
                    format!(
                        "{} {} {verb}",
                        if who.len() == 1 {
                            "sentinel"
                        } else {
                            "sentinels"
                        },
                        list(&who)
                    ),
                    seen[0].1,
                ));
            }
            let healthy = reasons.is_empty();
            if !healthy {
                let (first_reason, first_span) = reasons[0].clone();
                let texts: Vec<String> = reasons.iter().map(|(r, _)| r.clone()).collect();
                let declared_span = declared_node.map(declared::node_span);
                let mut d = self
                    .located(
                        Rule::ReplicaUnhealthy,
                        first_span,
                        first_reason,
                        declared_span,
                        format!(
                            "replica {addr} of `{name}` is not usable: {}; it holds no \
                             up-to-date copy and cannot be promoted until this is fixed",
                            texts.join("; ")
                        ),
                    )
                    .help("check the replica process, its `replicaof`/`masterauth`, and the network to the master");
                for (r, s) in reasons.iter().skip(1) {
                    d = d.label(*s, r.clone());
                }
                self.push(d);
            }
            let declared_priority = declared_node.and_then(|n| n.replica_priority.as_ref());
            match priority {
                Some((0, span)) if declared_priority.is_none_or(|p| p.value != 0) => {
                    let d = Diagnostic::new(
                        Rule::ReplicaPriorityZero,
                        span,
                        format!(
                            "replica {addr} of `{name}` runs with replica-priority 0: Sentinel \
                             never promotes it"
                        ),
                    )
                    .help("if it should be a failover candidate, `CONFIG SET replica-priority 100` on it and fix its config file");
                    self.push(d);
                }
                Some((0, _)) => {}
                _ if healthy => candidates += 1,
                _ => {}
            }
            if let (Some((live, span)), Some(decl)) = (priority, declared_priority) {
                if live != decl.value {
                    let d = Diagnostic::new(
                        Rule::DeclaredConfigDrift,
                        decl.span,
                        format!(
                            "replica {addr} of `{name}` runs with replica-priority {live}, the \
                             declared configuration says {}: the replica Sentinel promotes is \
                             not the one the files choose",
                            decl.value
                        ),
                    )
                    .label(span, format!("running: {live}"))
                    .help("apply the declared value (CONFIG SET replica-priority …) or update the file");
                    self.push(d);
                }
            }
        }
        if candidates == 0 {
            let first = views[0];
            let d = Diagnostic::new(
                Rule::NoFailoverCandidate,
                self.tr.master_field(first.addr(), name, "num-slaves"),
                format!(
                    "no replica of `{name}` can be promoted ({} known, none healthy with a \
                     priority above 0): if the master fails, Sentinel has nothing to fail over \
                     to and `{name}` stays down until the master returns",
                    addrs.len()
                ),
            )
            .help("bring at least one replica up with replica-priority above 0");
            self.push(d);
        }
    }

    /// V016: running values against the declared ones.
    fn drift(&mut self, name: &str, views: &[View<'a>], master: Option<&str>) {
        let Some(topology) = self.declared else {
            return;
        };
        let Some(group) = self.group(name) else {
            return;
        };
        let monitors = declared::monitors(topology, group);
        if monitors.is_empty() {
            return;
        }
        // Per field, one finding per (declared location, running value).
        type Key = (&'static str, Span, String);
        type Found = (Key, i64, bool, Vec<(String, Span)>);
        let mut found: Vec<Found> = Vec::new();
        for v in views {
            let (_, monitor) =
                declared::sentinel_at(topology, group, v.addr()).unwrap_or(monitors[0]);
            let fields: [(&'static str, i64, Span, bool); 4] = [
                ("quorum", monitor.quorum.value, monitor.quorum.span, true),
                declared_or_default(monitor, "down-after-milliseconds"),
                declared_or_default(monitor, "failover-timeout"),
                declared_or_default(monitor, "parallel-syncs"),
            ];
            for (field, declared, span, explicit) in fields {
                let Some(live) = v.field(field).and_then(|x| x.parse::<i64>().ok()) else {
                    continue;
                };
                if live == declared {
                    continue;
                }
                let key = (field, span, live.to_string());
                let live_span = self.tr.master_field(v.addr(), name, field);
                match found.iter_mut().find(|(k, ..)| *k == key) {
                    Some((.., seen)) => seen.push((v.addr().to_string(), live_span)),
                    None => found.push((
                        key,
                        declared,
                        explicit,
                        vec![(v.addr().to_string(), live_span)],
                    )),
                }
            }
        }
        for ((field, span, live), declared, explicit, seen) in found {
            let who: Vec<String> = seen.iter().map(|(a, _)| a.clone()).collect();
            let declared_text = if explicit {
                format!("{declared}")
            } else {
                format!("{declared} (the default: no {field} line)")
            };
            let mut d = Diagnostic::new(
                Rule::DeclaredConfigDrift,
                span,
                format!(
                    "`{name}` runs with {field} {live} on {} {}, the declared configuration says \
                     {declared_text}: what runs is not what was reviewed, and the next deployment \
                     from these files changes it back",
                    if who.len() == 1 { "sentinel" } else { "sentinels" },
                    list(&who)
                ),
            )
            .help(format!(
                "make them agree: `SENTINEL SET {name} {field} {declared}` on each sentinel, or change the declared value to {live}"
            ));
            for (addr, s) in seen {
                d = d.label(s, format!("running on {addr}: {live}"));
            }
            self.push(d);
        }

        // The master's address (moves with every failover: info).
        if let Some(master) = master {
            let (_, m) = monitors[0];
            let declared_addr =
                super::snapshot::join_address(&m.host.value, &m.port.value.to_string());
            let moved = !same_address(&declared_addr, master)
                && !monitors.iter().any(|(_, m)| {
                    same_address(
                        &super::snapshot::join_address(&m.host.value, &m.port.value.to_string()),
                        master,
                    )
                });
            let by_name = declared::node_at(topology, group, master).is_some()
                && group.master.is_some_and(|i| {
                    declared::node_at(topology, group, master)
                        .is_some_and(|n| std::ptr::eq(n, &topology.nodes[i]))
                });
            if moved && !by_name {
                let d = Diagnostic::new(
                    Rule::DeclaredConfigDrift,
                    m.host.span.cover(m.port.span),
                    format!(
                        "the master of `{name}` is now {master}, the declared monitor names \
                         {declared_addr}: a failover happened since these files were written \
                         (normal), or they describe another deployment"
                    ),
                )
                .severity(Severity::Info)
                .label(self.tr.master_field(views[0].addr(), name, "ip"), format!("running master: {master}"))
                .help("nothing to do after a failover; a fresh deployment from these files starts with the declared master");
                self.push(d);
            }
        }

        // Password presence: sentinels.
        for v in views {
            let Some(live) = v.sentinel.password_required else {
                continue;
            };
            let Some((s, _)) = declared::sentinel_at(topology, group, v.addr()) else {
                continue;
            };
            let Some(declared) = declared::requires_password(&s.password) else {
                continue;
            };
            if live != declared {
                let span = s
                    .password
                    .as_ref()
                    .map_or(declared::sentinel_span(s), |p| p.span);
                let d = Diagnostic::new(
                    Rule::DeclaredConfigDrift,
                    span,
                    password_message("sentinel", v.addr(), live),
                )
                .label(self.tr.sentinel_password(v.addr()), if live { "running: password required" } else { "running: no password" })
                .help("apply the declared `requirepass` (CONFIG SET requirepass on the sentinel) or update the file");
                self.push(d);
            }
        }
        // Password presence, announce addresses: data nodes.
        let live_replicas: Vec<String> = views
            .iter()
            .flat_map(|v| v.master.replicas.iter().filter_map(entry_address))
            .collect();
        for node in &self.snapshot.nodes {
            let Some(n) = declared::node_at(topology, group, &node.address) else {
                continue;
            };
            if let (Some(live), Some(declared)) = (
                node.password_required,
                declared::requires_password(&n.password),
            ) {
                if live != declared {
                    let span = n
                        .password
                        .as_ref()
                        .map_or(declared::node_span(n), |p| p.span);
                    let d = Diagnostic::new(
                        Rule::DeclaredConfigDrift,
                        span,
                        password_message("data node", &node.address, live),
                    )
                    .label(
                        self.tr.node_password(&node.address).unwrap_or(self.tr.sentinel(views[0].addr())),
                        if live { "running: password required" } else { "running: no password" },
                    )
                    .help("apply the declared `requirepass` (and `masterauth`) on the node, or update the file");
                    self.push(d);
                }
            }
        }
        for i in group.replicas.iter() {
            let n = &topology.nodes[*i];
            let Some((announced, span)) = declared::announced(n) else {
                continue;
            };
            if live_replicas.is_empty() || live_replicas.iter().any(|a| same_address(a, &announced))
            {
                continue;
            }
            let first = views[0];
            let d = Diagnostic::new(
                Rule::DeclaredConfigDrift,
                span,
                format!(
                    "{} declares that it announces itself as {announced}, but the sentinels know \
                     the replicas of `{name}` as {}: after a failover, clients and replicas are \
                     sent to an address the files do not describe",
                    n.name,
                    list(&live_replicas)
                ),
            )
            .label(self.tr.master_field(first.addr(), name, "num-slaves"), "replicas known here")
            .help("apply replica-announce-ip/replica-announce-port on the running replica, or update the file");
            self.push(d);
        }
        // min-replicas-to-write: only when it is on (off is min-replicas-to-write-off).
        if let Some(master) = master {
            if let (Some(node), Some(n)) = (
                self.snapshot.node(master),
                declared::node_at(topology, group, master),
            ) {
                let live = node
                    .config
                    .get("min-replicas-to-write")
                    .and_then(|v| v.parse::<i64>().ok());
                if let (Some(live), Some(decl)) = (live, n.min_replicas_to_write.as_ref()) {
                    if live > 0 && live != decl.value {
                        let d = Diagnostic::new(
                            Rule::DeclaredConfigDrift,
                            decl.span,
                            format!(
                                "the master of `{name}` ({master}) runs with min-replicas-to-write \
                                 {live}, the declared configuration says {}: writes are refused at \
                                 a different number of lost replicas than planned",
                                decl.value
                            ),
                        )
                        .label(
                            self.tr.node_config(&node.address, "min-replicas-to-write").unwrap_or(self.tr.sentinel(views[0].addr())),
                            format!("running: {live}"),
                        )
                        .help("apply the declared value (CONFIG SET min-replicas-to-write …) or update the file");
                        self.push(d);
                    }
                }
            }
        }
    }

    /// V016: master names the sentinels monitor that the files do not declare, and names
    /// verified that the files do not declare.
    fn undeclared_names(&mut self) {
        let Some(topology) = self.declared else {
            return;
        };
        let declared_names: Vec<(&str, Span)> = topology
            .sentinels
            .iter()
            .flat_map(|s| s.monitors.iter())
            .map(|m| (m.name.value.as_str(), m.name.span))
            .collect();
        if declared_names.is_empty() {
            return;
        }
        for name in &self.snapshot.masters {
            if declared_names.iter().any(|(n, _)| n == name) {
                continue;
            }
            let Some(s) = self.snapshot.sentinels.iter().find(|s| {
                s.masters
                    .iter()
                    .any(|m| m.name == *name && m.error.is_none())
            }) else {
                continue;
            };
            let mut names: Vec<&str> = declared_names.iter().map(|(n, _)| *n).collect();
            names.sort();
            names.dedup();
            let mut d = Diagnostic::new(
                Rule::DeclaredConfigDrift,
                self.tr.master(&s.address, name),
                format!(
                    "the sentinels monitor `{name}`, which the declared configuration does not \
                     (it declares {}): clients configured from the files ask for a name the \
                     sentinels do not serve, or this master is not under review",
                    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                ),
            )
            .help("declare the monitor in the files, or remove it from the sentinels (SENTINEL REMOVE) if it is stale");
            let mut seen = Vec::new();
            for (n, span) in &declared_names {
                if !seen.contains(n) {
                    seen.push(*n);
                    d = d.label(*span, format!("declared master name `{n}`"));
                }
            }
            self.push(d);
        }
    }
}

fn node_priority_span(tr: &Transcripts, node: &str) -> Option<Span> {
    tr.node_config(node, "replica-priority")
}

fn password_message(what: &str, address: &str, live: bool) -> String {
    if live {
        format!(
            "the {what} at {address} requires a password, the declared configuration sets none: \
             clients and peers configured from the files cannot authenticate"
        )
    } else {
        format!(
            "the {what} at {address} accepts clients without a password, the declared \
             configuration sets one: anyone who reaches the port can read and change data \
             (and a restart from the files would lock out clients that rely on no password)"
        )
    }
}

/// A per-master timing as declared: the value and its token, or the default and the
/// `sentinel monitor` line.
fn declared_or_default(monitor: &Monitor, field: &'static str) -> (&'static str, i64, Span, bool) {
    let (value, default) = match field {
        "down-after-milliseconds" => (&monitor.down_after, Monitor::DEFAULT_DOWN_AFTER),
        "failover-timeout" => (&monitor.failover_timeout, Monitor::DEFAULT_FAILOVER_TIMEOUT),
        _ => (&monitor.parallel_syncs, 1),
    };
    match value {
        Some(v) => (field, v.value, v.span, true),
        None => (field, default, monitor.line, false),
    }
}
