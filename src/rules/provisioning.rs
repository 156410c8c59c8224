//! Provisioning templates (Ansible roles, Salt states): what their variables files put
//! into the configs they render.

use super::{Context, Rule};
use crate::diagnostic::Diagnostic;
use crate::source::Span;
use std::collections::BTreeMap;

/// Passwords a provisioning template renders from a variable written out in the tree's
/// variables files (`requirepass {{ redis_password }}` with `redis_password: s3cret` in
/// the role's defaults or `group_vars`).
pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
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
