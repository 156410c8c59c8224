//! Passwords written out on the command lines of the tree's scripts (`redis-server
//! --requirepass …`, `docker run -e REDIS_PASSWORD=… redis`).

use crate::diagnostic::Diagnostic;
use crate::rules::{Context, Rule};
use crate::source::{FileId, Span};
use std::collections::BTreeMap;

/// One finding per script, the other places as labels.
pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    // A `--set` password of a release whose values are read as a chart's: reported
    // with those values.
    let in_values: Vec<Span> = ctx
        .units
        .resources
        .iter()
        .filter(|r| r.is_chart_values())
        .flat_map(|r| r.secret_spans())
        .collect();
    helm_set(ctx, &in_values, out);
    let mut by_file: BTreeMap<FileId, Vec<Span>> = BTreeMap::new();
    for span in &ctx.units.command_line_secrets {
        by_file.entry(span.file).or_default().push(*span);
    }
    for (_, found) in by_file {
        let (first, rest) = (found[0], &found[1..]);
        let more = if rest.is_empty() {
            String::new()
        } else {
            format!(" (and {} more place(s))", rest.len())
        };
        let mut d = Diagnostic::new(
            Rule::SecretsInPlaintextConfig,
            first,
            format!("a literal password is written on a command line of this script{more}: it sits in version control, shows in the host's process list (`ps`, `docker inspect`) to anyone on the host, and rotating it means editing each place by hand"),
        );
        for at in rest {
            d = d.label(*at, "another literal password");
        }
        out.push(d.help("read it from a file kept out of version control or from the environment (`--requirepass \"$REDIS_PASSWORD\"`, `-e REDIS_PASSWORD` passed through), or put it in a config file the server reads"));
    }
}

/// `helm install … --set auth.password=…`: one finding per script.
fn helm_set(ctx: &Context, in_values: &[Span], out: &mut Vec<Diagnostic>) {
    let mut by_file: BTreeMap<FileId, Vec<Span>> = BTreeMap::new();
    for span in ctx
        .units
        .helm_set_secrets
        .iter()
        .filter(|s| !in_values.contains(s))
    {
        by_file.entry(span.file).or_default().push(*span);
    }
    for (_, found) in by_file {
        let (first, rest) = (found[0], &found[1..]);
        let mut d = Diagnostic::new(
            Rule::SecretsInPlaintextConfig,
            first,
            "a literal Redis password is set on the helm command line of this script: it sits in version control and in the release's stored values (`helm get values`), and rotating it means editing the script".to_string(),
        );
        for at in rest {
            d = d.label(*at, "another literal password");
        }
        out.push(d.help("create the Secret outside the chart and name it (`--set auth.existingSecret=NAME` for bitnami's charts), or pass the value from the environment (`--set auth.password=\"$REDIS_PASSWORD\"`)"));
    }
}
