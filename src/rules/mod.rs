//! The rule implementations, one file per family, and the entry points the engine calls.
//! The table of rules (code, name, category, severity, fix, summary) is `crate::registry`.

mod acl;
mod announce;
mod auth;
mod clients;
mod command_secrets;
mod compose;
mod conf_syntax;
mod consensus;
mod context;
mod edits;
mod exposure;
mod history;
mod hosts;
mod identity;
mod kubernetes;
mod loopback;
mod mounts;
mod network;
mod operators;
mod process;
mod provisioning;
mod quorum;
mod reachability;
mod renames;
mod replication;
mod resources;
mod scripts;
mod sharded;
mod sizing;
mod startup;
mod systemd;
mod timeouts;
mod tls;

pub use crate::registry::{
    designate, Category, Designated, Redirect, Rule, RuleInfo, REDIRECTS, RULES,
};
pub use context::{declared_runtimes, file_releases, Context};

use crate::diagnostic::Diagnostic;
use crate::formats::conf::ConfFile;

/// Rules that read one config file.
pub fn check_conf(conf: &ConfFile, ctx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    conf_syntax::check(conf, ctx, &mut out);
    out
}

/// Rules that read one systemd unit or drop-in.
pub fn check_unit(unit: &crate::formats::systemd::UnitFile, ctx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    systemd::check_unit(unit, ctx, &mut out);
    out
}

/// Rules that read the whole topology.
pub fn check_topology(ctx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    quorum::check(ctx, &mut out);
    timeouts::check(ctx, &mut out);
    resources::check(ctx, &mut out);
    auth::check(ctx, &mut out);
    clients::check(ctx, &mut out);
    acl::check(ctx, &mut out);
    network::check(ctx, &mut out);
    loopback::check(ctx, &mut out);
    announce::check(ctx, &mut out);
    reachability::check(ctx, &mut out);
    tls::check(ctx, &mut out);
    identity::check(ctx, &mut out);
    replication::check(ctx, &mut out);
    sizing::check(ctx, &mut out);
    renames::check(ctx, &mut out);
    mounts::check(ctx, &mut out);
    compose::check(ctx, &mut out);
    exposure::check(ctx, &mut out);
    provisioning::check(ctx, &mut out);
    kubernetes::check(ctx, &mut out);
    operators::check(ctx, &mut out);
    consensus::check(ctx, &mut out);
    sharded::check(ctx, &mut out);
    history::check(ctx, &mut out);
    systemd::check(ctx, &mut out);
    process::check(ctx, &mut out);
    startup::check(ctx, &mut out);
    scripts::check(ctx, &mut out);
    command_secrets::check(ctx, &mut out);
    // Last: it leaves out the nodes the restart rules above already reported.
    sizing::persistence_asymmetric(ctx, &mut out);
    out
}
