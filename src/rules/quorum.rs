//! Sentinel counts, quorum arithmetic and agreement between sentinels.

use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::facts::{Monitor, SentinelProc};
use crate::model::topology::MonitorRef;
use crate::rules::{Context, Rule};
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for group in ctx.topology.groups.iter().filter(|g| g.has_sentinels()) {
        let Some(count) = group.sentinel_count.known() else {
            continue;
        };
        let name = group.name.as_deref().unwrap_or_default();
        let majority = count / 2 + 1;
        let (first_sentinel, first) = ctx.topology.monitor(group.monitors[0]);
        // A count that a deployment unit declares (compose services) is reported where
        // the unit declares the sentinels, with the monitor line as a label.
        let declared = group
            .monitors
            .iter()
            .all(|&r| ctx.topology.monitor(r).0.runtime.declared.is_some());
        let count_at = match first_sentinel.runtime.declared {
            Some(at) if declared => at,
            _ => first.line,
        };
        let elsewhere = group.elsewhere.sentinels;
        let others = |d: Diagnostic| -> Diagnostic {
            let d = if elsewhere > 0 {
                d.more_help(format!(
                    "{elsewhere} of them declared to run elsewhere ([topology] of redis-halint.toml)"
                ))
            } else {
                d
            };
            let d = if count_at != first.line {
                d.label(first.line, "the master it watches")
            } else {
                d
            };
            // A config rendered on hosts: the play that says on which.
            let d = match first_sentinel.runtime.host_copies {
                Some(play) => d.label(play, "the hosts that run this sentinel config"),
                None => d,
            };
            // Copies of one declaration (a service's replicas, a resource's sentinels)
            // share its line: one label says it.
            let mut seen = vec![first.line, count_at];
            group.monitors.iter().skip(1).fold(d, |d, &r| {
                let (_, m) = ctx.topology.monitor(r);
                if seen.contains(&m.line) || seen.len() >= 10 {
                    return d;
                }
                seen.push(m.line);
                d.label(m.line, "another sentinel of this group")
            })
        };
        if count < 3 {
            // Alternatives of one deployment (compose files of a folder that run the
            // same containers, one or the other): each declares too few, each is told.
            let mut at = vec![count_at];
            if declared {
                for &r in &group.monitors {
                    let Some(d) = ctx.topology.monitor(r).0.runtime.declared else {
                        continue;
                    };
                    if at.iter().all(|a| a.file != d.file) {
                        at.push(d);
                    }
                }
            }
            for count_at in at {
                out.push(others(
                    Diagnostic::new(
                        Rule::SentinelCountBelowThree,
                        count_at,
                        format!(
                            "master `{name}` is watched by {count} sentinel(s): losing one host leaves no majority of {majority}, so no failover can be authorised"
                        ),
                    )
                    .help("run at least 3 sentinels on independent hosts (an odd number)"),
                ));
            }
        } else if count % 2 == 0 {
            out.push(others(
                Diagnostic::new(
                    Rule::SentinelCountEven,
                    count_at,
                    format!(
                        "master `{name}` is watched by {count} sentinels: a failover needs {majority} votes, so it survives no more failures than {} sentinels, and an even split blocks failover",
                        count - 1
                    ),
                )
                .help(format!("use {} or {} sentinels", count - 1, count + 1)),
            ));
        }
        for &r in &group.monitors {
            let (sentinel, monitor) = ctx.topology.monitor(r);
            let quorum = monitor.quorum.value;
            if quorum < 1 {
                continue; // reported as sentinel-bad-value
            }
            let d = if quorum as usize > count {
                Diagnostic::new(
                    Rule::QuorumExceedsSentinelCount,
                    monitor.quorum.span,
                    format!("quorum {quorum} but only {count} sentinel(s) watch `{name}`: the master is never agreed to be down, so failover never starts"),
                )
                .help(format!("set the quorum to the majority, {majority}"))
            } else if quorum as usize == count && count >= 3 {
                Diagnostic::new(
                    Rule::QuorumEqualsSentinelCount,
                    monitor.quorum.span,
                    format!("quorum {quorum} equals the number of sentinels: with one sentinel down, `{name}` can no longer fail over"),
                )
                .help(format!("set the quorum to the majority, {majority}"))
            } else if (quorum as usize) < majority {
                Diagnostic::new(
                    Rule::QuorumBelowMajority,
                    monitor.quorum.span,
                    format!("quorum {quorum} is below the majority of {count} sentinels ({majority}): a minority can declare the master down, but a failover still needs {majority} votes"),
                )
                .help(format!("this is legal; use {majority} unless more sensitive detection is intended"))
            } else {
                continue;
            };
            let d = d.more_help(if group.elsewhere.sentinels > 0 {
                format!(
                    "{count} sentinel(s): {} in the checked files and {} declared elsewhere ([topology] of redis-halint.toml)",
                    count - group.elsewhere.sentinels,
                    group.elsewhere.sentinels
                )
            } else {
                format!("{count} sentinel(s) found for this master in the checked files")
            });
            // Unsafe: it changes when failover starts; the majority is what Sentinel's
            // documentation recommends.
            // The count comes from where a unit declares the sentinels (a compose
            // service, an overlay's patch): shown beside the quorum.
            let d = if count_at != first.line {
                d.label(count_at, format!("{count} sentinel(s) declared here"))
            } else {
                d
            };
            let d = if matches!(
                d.rule,
                Rule::QuorumExceedsSentinelCount | Rule::QuorumEqualsSentinelCount
            ) {
                d.with_fix_opt(quorum_fix(ctx, sentinel, monitor, majority))
            } else {
                d
            };
            out.push(d);
        }
    }
    check_agreement(ctx, out);
    majority_in_one_site(ctx, out);
}

/// multi-dc-majority-in-one-site: the sentinels of a group run in several declared sites
/// (`[topology] sites`) and one site holds a majority of them. Silent unless every
/// sentinel of the group is placed in a site.
fn majority_in_one_site(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    if topo.sites.is_empty() {
        return;
    }
    'groups: for group in topo.groups.iter().filter(|g| g.has_sentinels()) {
        let Some(count) = group.sentinel_count.known() else {
            continue;
        };
        if group.elsewhere.sentinels > 0 || group.monitors.len() != count {
            continue; // some sentinels are not in the tree: their site is unknown
        }
        let mut per_site: Vec<Vec<MonitorRef>> = vec![Vec::new(); topo.sites.len()];
        for &r in &group.monitors {
            let (sentinel, _) = topo.monitor(r);
            let path = ctx.path(sentinel.file);
            let names = sentinel
                .binds
                .iter()
                .map(|b| b.value.as_str())
                .filter(|b| !matches!(*b, "0.0.0.0" | "::" | "*" | "-::*"))
                .chain(sentinel.announce_ip.iter().map(|a| a.value.as_str()))
                .chain(
                    path.parent()
                        .into_iter()
                        .flat_map(|p| p.components())
                        .filter_map(|c| c.as_os_str().to_str()),
                );
            match crate::model::sites::site_of(&topo.sites, names) {
                Some(i) => per_site[i].push(r),
                None => continue 'groups,
            }
        }
        let majority = count / 2 + 1;
        if per_site.iter().filter(|s| !s.is_empty()).count() < 2 {
            continue;
        }
        let Some((big, refs)) = per_site
            .iter()
            .enumerate()
            .find(|(_, refs)| refs.len() >= majority)
        else {
            continue;
        };
        let name = group.name.as_deref().unwrap_or_default();
        let site = &topo.sites[big].name;
        let (_, first) = topo.monitor(refs[0]);
        let mut d = Diagnostic::new(
            Rule::MultiDcMajorityInOneSite,
            first.line,
            format!(
                "{} of the {count} sentinels of `{name}` run in site `{site}`, a majority: if that site fails or is cut off, the others cannot authorise a failover, and a master left inside it keeps taking writes that are lost when the sites rejoin",
                refs.len()
            ),
        )
        .help("add a sentinel in a third site as a tie-breaker, so that no site holds a majority (2 + 2 + 1)");
        for &r in refs.iter().skip(1) {
            d = d.label(topo.monitor(r).1.line, format!("also in `{site}`"));
        }
        for (i, others) in per_site.iter().enumerate().filter(|(i, _)| *i != big) {
            for &r in others {
                d = d.label(
                    topo.monitor(r).1.line,
                    format!("in `{}`", topo.sites[i].name),
                );
            }
        }
        out.push(d);
    }
}

/// Two config files belong to one deployment when they are in the same directory, or in
/// sibling directories that differ only by a number (`sentinel1/`, `sentinel2/`): exactly
/// when their keys are equal, so grouping by key finds the deployment without comparing
/// all pairs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DeploymentKey<'a> {
    /// The directory has a name: its parent and its name without a trailing number.
    Numbered(Option<&'a Path>, String),
    /// A directory without a name (`/`, `..`): itself.
    Dir(&'a Path),
}

pub fn deployment_key(file: &Path) -> Option<DeploymentKey<'_>> {
    let dir = file.parent()?;
    Some(match dir.file_name() {
        Some(name) => {
            let name = name.to_string_lossy().to_ascii_lowercase();
            DeploymentKey::Numbered(
                dir.parent(),
                name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '-' || c == '_')
                    .to_string(),
            )
        }
        None => DeploymentKey::Dir(dir),
    })
}

/// Monitors that disagree with the first monitor of the same deployment.
fn check_agreement(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    // The sentinels of an operator resource or chart are told one configuration; two
    // resources are two deployments, whatever their files' directories say.
    let all: Vec<MonitorRef> = topo
        .groups
        .iter()
        .flat_map(|g| g.monitors.iter().copied())
        .filter(|r| topo.sentinels[r.sentinel].runtime.managed_by.is_none())
        .collect();
    // By master name: same name, different address or quorum.
    let mut by_name: BTreeMap<&str, Vec<MonitorRef>> = BTreeMap::new();
    let mut by_address: BTreeMap<(String, i64), Vec<MonitorRef>> = BTreeMap::new();
    for &r in &all {
        let (_, m) = topo.monitor(r);
        by_name.entry(m.name.value.as_str()).or_default().push(r);
        by_address.entry(m.address()).or_default().push(r);
    }
    let path_of = |r: MonitorRef| ctx.path(topo.sentinels[r.sentinel].file);
    // The first monitor of each deployment is the reference of the others.
    // Sentinels that a compose project, a workload or a start script declares belong to
    // that unit's deployment, even beside other configs in one folder.
    let first_of_deployment = |refs: &[MonitorRef]| -> Vec<Option<MonitorRef>> {
        let mut first: HashMap<(Option<crate::source::FileId>, DeploymentKey), MonitorRef> =
            HashMap::new();
        refs.iter()
            .map(|&r| {
                let unit = topo.sentinels[r.sentinel].runtime.unit();
                let key = (unit, deployment_key(path_of(r))?);
                match first.entry(key) {
                    Entry::Occupied(o) => Some(*o.get()),
                    Entry::Vacant(v) => {
                        v.insert(r);
                        None
                    }
                }
            })
            .collect()
    };
    for refs in by_name.values() {
        for (&r, reference) in refs.iter().zip(first_of_deployment(refs)) {
            let (_, m) = topo.monitor(r);
            let Some(reference) = reference else {
                continue;
            };
            let (_, first) = topo.monitor(reference);
            // An address filled in at start (`$MY_POD_IP`, a port from a variable) is not
            // known here: two of them are neither the same nor different.
            let unknown = |m: &crate::facts::Monitor| {
                crate::knowledge::values::is_template(&m.host.value) || m.port.value <= 0
            };
            if !unknown(m) && !unknown(first) && first.address() != m.address() {
                out.push(
                    Diagnostic::new(
                        Rule::MonitorInconsistentAcrossSentinels,
                        m.host.span.cover(m.port.span),
                        format!(
                            "this sentinel watches `{}` at {}:{}, another sentinel of the deployment at {}:{}: they never agree on the master and clients get different answers",
                            m.name.value, m.host.value, m.port.value, first.host.value, first.port.value
                        ),
                    )
                    .label(first.host.span.cover(first.port.span), "the other sentinel's address")
                    .help("every sentinel must monitor the same current master address"),
                );
            } else if first.quorum.value != m.quorum.value {
                out.push(
                    Diagnostic::new(
                        Rule::MonitorInconsistentAcrossSentinels,
                        m.quorum.span,
                        format!("quorum {} here but {} in another sentinel of `{}`: failure detection depends on which sentinel notices first", m.quorum.value, first.quorum.value, m.name.value),
                    )
                    .severity(Severity::Warning)
                    .label(first.quorum.span, "the other sentinel's quorum")
                    .help("use the same quorum in every sentinel"),
                );
            }
        }
    }
    for refs in by_address.values() {
        for (&r, reference) in refs.iter().zip(first_of_deployment(refs)) {
            let (_, m) = topo.monitor(r);
            let Some(reference) = reference else {
                continue;
            };
            let (_, first) = topo.monitor(reference);
            if first.name.value != m.name.value {
                out.push(
                    Diagnostic::new(
                        Rule::MasterNameMismatchAcrossSentinels,
                        m.name.span,
                        format!(
                            "{}:{} is monitored as `{}` here and as `{}` by another sentinel: hello messages carry the master name, so these sentinels never discover each other",
                            m.host.value, m.port.value, m.name.value, first.name.value
                        ),
                    )
                    .label(first.name.span, "the other sentinel's master name")
                    .help(format!("use one master name, e.g. `{}`, in every sentinel and client", first.name.value)),
                );
            }
        }
    }
}

/// Set the quorum where it is written, or as the image's variable when it is the image's
/// default (the bitnami sentinel's quorum is 2 unless `REDIS_SENTINEL_QUORUM` says).
fn quorum_fix(
    ctx: &Context,
    sentinel: &SentinelProc,
    monitor: &Monitor,
    majority: usize,
) -> Option<Fix> {
    let value = majority.to_string();
    let edit = if monitor.quorum.origin.replaceable() {
        ctx.replace_value(&monitor.quorum, value.as_str())?
    } else {
        ctx.add_env(
            sentinel.runtime.env.as_ref()?,
            &[("sentinel quorum", value.as_str())],
        )?
    };
    Some(Fix::unsafe_(
        format!("set the quorum to {majority}"),
        vec![edit],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployment_keys() {
        let same = |a: &str, b: &str| {
            deployment_key(Path::new(a)).is_some_and(|k| Some(k) == deployment_key(Path::new(b)))
        };
        assert!(same("deploy/sentinel.conf", "deploy/sentinel-2.conf"));
        assert!(same("deploy/sentinel1/s.conf", "deploy/sentinel2/s.conf"));
        assert!(same("deploy/Sentinel-1/s.conf", "deploy/sentinel_3/s.conf"));
        assert!(!same("a/sentinel1/s.conf", "b/sentinel2/s.conf"));
        assert!(!same("deploy/sentinel/s.conf", "deploy/redis/s.conf"));
        assert!(!same("s.conf", "deploy/s.conf"));
        assert!(same("/s.conf", "/t.conf"));
    }
}
