//! A config template or start script that writes `masterauth` only in the branch that
//! makes a host a replica, while it writes `requirepass` for the master too: the node
//! started as master requires a password but sends none once a failover demotes it.

use crate::syntax::branches::{Branches, DirectiveLine};
use std::collections::HashSet;
use std::ops::Range;

/// Where a text leaves `masterauth` out for its master.
#[derive(Debug, Clone)]
pub struct ReplicaOnly {
    pub masterauth: Range<usize>,
    /// The statement of the branch that holds it.
    pub branch: Range<usize>,
    /// A `requirepass` written outside that branch.
    pub requirepass: Range<usize>,
}

/// The directives this reads, for [`crate::syntax::branches::shell`].
pub const WORDS: [&str; 4] = ["requirepass", "masterauth", "replicaof", "slaveof"];

/// Whether every `masterauth` of `b` sits in a branch that picks replicas and that a
/// `requirepass` of the text is written outside of. A branch picks replicas when it
/// writes `replicaof` too; in a template (`conditions`), also when its condition reads
/// a variable `replicaof` is written from or names the role.
pub fn replica_only_masterauth(b: &Branches, text: &str, conditions: bool) -> Option<ReplicaOnly> {
    let replicaof: Vec<&DirectiveLine> = b.named("replicaof").chain(b.named("slaveof")).collect();
    if replicaof.is_empty() {
        return None;
    }
    let words: HashSet<&str> = replicaof
        .iter()
        .flat_map(|l| identifiers(&text[l.span.clone()]))
        .filter(|w| !matches!(*w, "replicaof" | "slaveof"))
        .collect();
    let picks_replicas = |branch: usize| {
        let statement = &b.branches[branch].statement;
        let lower = statement.to_ascii_lowercase();
        replicaof.iter().any(|l| l.under.contains(&branch))
            || (conditions
                && (identifiers(statement).any(|w| words.contains(w))
                    || lower.contains("slave")
                    || lower.contains("replica")))
    };
    let outside = |branch: usize| b.named("requirepass").find(|r| !r.under.contains(&branch));
    let mut found = None;
    for m in b.named("masterauth") {
        let chosen = m
            .under
            .iter()
            .copied()
            .find(|&br| picks_replicas(br) && outside(br).is_some())?;
        if found.is_none() {
            found = Some(ReplicaOnly {
                masterauth: m.span.clone(),
                branch: b.branches[chosen].span.clone(),
                requirepass: outside(chosen)?.span.clone(),
            });
        }
    }
    found
}

/// The variable-like words of a text (`hostvars`, `redis_master_host`).
fn identifiers(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.len() > 2 && w.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'))
        .filter(|w| {
            !matches!(
                *w,
                "and"
                    | "not"
                    | "defined"
                    | "default"
                    | "none"
                    | "None"
                    | "true"
                    | "false"
                    | "True"
                    | "False"
                    | "length"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::branches::{shell, template};

    #[test]
    fn a_template_that_authenticates_only_its_replicas() {
        let text = "{% if pw %}\nrequirepass {{ pw }}\n{% endif %}\n{% if master_host %}\nreplicaof {{ master_host }} 6379\n{% endif %}\n{% if pw and master_host %}\nmasterauth {{ pw }}\n{% endif %}\n";
        let found = replica_only_masterauth(&template(text), text, true).unwrap();
        assert_eq!(&text[found.masterauth], "masterauth {{ pw }}");
        let fixed = text.replace("{% if pw and master_host %}", "{% if pw %}");
        assert!(replica_only_masterauth(&template(&fixed), &fixed, true).is_none());
    }

    #[test]
    fn a_script_that_authenticates_only_its_replicas() {
        let text = "echo \"requirepass $P\" > a.conf\nif [ -z \"$M\" ]; then\n  echo '# master' > r.conf\nelse\n  echo \"replicaof $M 6379\" > r.conf\n  echo \"masterauth $P\" >> r.conf\nfi\n";
        assert!(replica_only_masterauth(&shell(text, &WORDS), text, false).is_some());
        let both = format!("{text}echo \"masterauth $P\" >> a.conf\n");
        assert!(replica_only_masterauth(&shell(&both, &WORDS), &both, false).is_none());
    }
}
