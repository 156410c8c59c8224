//! Provisioning templates (Ansible roles, Salt states): what their variables files put
//! into the configs they render, and what each run of the play does to a sentinel.

use super::{Context, Rule};
use crate::diagnostic::Diagnostic;
use crate::source::Span;
use std::collections::BTreeMap;

/// Passwords a provisioning template renders from a variable written out in the tree's
/// variables files (`requirepass {{ redis_password }}` with `redis_password: s3cret` in
/// the role's defaults or `group_vars`).
pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    template_secrets(ctx, out);
    sentinel_config_redeployed(ctx, out);
    role_pinned_by_play(ctx, out);
}

/// A play that gives each data node the role the inventory names at every run. After a
/// failover Sentinel rewrites the nodes' configs (`CONFIG REWRITE`: the promoted replica
/// loses its `replicaof`, the old master gains one), so the next run differs from them:
/// it writes the inventory's roles back and restarts. The promoted node, the current
/// master, comes back as a replica of the old one and discards every write since the
/// failover; the old master comes back as a master. static-master-by-ordinal's hazard,
/// with the inventory in place of the pod's ordinal.
fn role_pinned_by_play(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for pin in &ctx.units.role_pins {
        let msg = if pin.live {
            "every run of the play makes the hosts its condition picks replicas of the inventory's master, on the live servers: after a failover the next run points the promoted node, the current master, at the old master, which is now its replica. The group is left with no master, or the old master's data replaces every write made since the failover"
        } else {
            "every run of the play writes the replication role the inventory gives each host back into its config and restarts the server on the change: after a failover Sentinel has rewritten these configs (the promoted replica lost its `replicaof`), so the next run restarts the promoted node, the current master, as a replica of the old master, and its writes since the failover are discarded by the resync"
        };
        let mut d = Diagnostic::new(Rule::StaticMasterByOrdinal, pin.pin, msg);
        if let Some(task) = pin.task {
            d = d.label(task, "the role is decided here, from the inventory");
        }
        if let Some(restart) = pin.restart {
            d = d.label(restart, "the restart on that change");
        }
        out.push(d.help("set the roles only when a host is first installed (`force: no` on the template, a `creates:` guard), or ask the sentinels for the current master (`SENTINEL get-master-addr-by-name`) and make the other hosts its replicas"));
    }
}

fn template_secrets(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let mut by_value: BTreeMap<Span, Vec<&crate::formats::units::TemplateSecret>> = BTreeMap::new();
    for s in &ctx.units.template_secrets {
        by_value.entry(s.value).or_default().push(s);
    }
    for (value, uses) in by_value {
        let mut d = Diagnostic::new(
            Rule::SecretsInPlaintextConfig,
            value,
            format!("a literal password is written in this variables file (`{}`): every template that renders it puts it in the hosts' configs, it sits in version control, and rotating it means a new commit", uses[0].variable),
        );
        for u in uses.iter().take(5) {
            d = d.label(u.used, "rendered into the config here");
        }
        out.push(d.help("keep it in a vaulted file (`ansible-vault encrypt_string`) or look it up from a secret store at deploy time"));
    }
}

/// A play that writes a sentinel's config from its template at every run and restarts
/// the sentinel on the change. Sentinel rewrites the file as soon as it starts (its
/// `myid`, then the replicas, peers and epochs it learns), so the host's copy always
/// differs: every run puts the template back and restarts. The sentinel comes back
/// with a new ID (unless the template pins one) and, after a failover, watching the
/// master the template names: the old one, now a replica. Restarted on every host of
/// the play at once, no sentinel is left that knows the current master.
fn sentinel_config_redeployed(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for r in &ctx.units.sentinel_config_redeploys {
        let id = if r.pinned_myid {
            ""
        } else {
            ", with a new ID (the template pins no `sentinel myid`, so the other sentinels count a ghost where its address changed)"
        };
        let mut d = Diagnostic::new(
            Rule::SentinelStateNotPersistent,
            r.task,
            format!("every run of the play writes this sentinel's config from the template again and restarts the sentinel: Sentinel rewrites the file itself as soon as it starts, so the copy always differs. The sentinel restarts{id}, and after a failover it watches the master the template names, the old one; restarted on all hosts at once, no sentinel still knows the current master"),
        )
        .label(r.restart, "the restart on that change");
        if let Some(m) = r.monitor {
            d = d.label(m, "the master the template names");
        }
        out.push(d.help("write the sentinel's config only when the host has none (`force: no` on the task), and let Sentinel keep it; change a running sentinel with `SENTINEL SET` or `SENTINEL MONITOR`"));
    }
}
