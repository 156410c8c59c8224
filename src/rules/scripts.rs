//! Scripts Sentinel runs on events: it checks at load that each one exists and is
//! executable, and exits when it is not.

use crate::diagnostic::Diagnostic;
use crate::facts::service::ConfigRef;
use crate::formats::workload::VolumeSource;
use crate::rules::{Context, Rule};
use crate::source::{Span, Spanned};

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    compose_scripts(ctx, out);
    kubernetes_scripts(ctx, out);
}

/// What the check at load prints, for the message.
fn refusal(option: &str) -> &'static str {
    if option == "notification-script" {
        "Notification script seems non existing or non executable."
    } else {
        "Client reconfiguration script seems non existing or non executable."
    }
}

/// The scripts the sentinels `ids` name, each once.
fn scripts<'a>(
    ctx: &'a Context,
    ids: impl Iterator<Item = usize>,
) -> Vec<(&'static str, &'a Spanned<String>)> {
    let mut out: Vec<(&'static str, &Spanned<String>)> = Vec::new();
    for s in ids {
        for m in &ctx.topology.sentinels[s].monitors {
            for (option, path) in &m.scripts {
                if !out.iter().any(|(_, p)| p.span == path.span) {
                    out.push((option, path));
                }
            }
        }
    }
    out
}

/// A script bind-mounted from the tree: the host file must exist and have an execute
/// bit (a bind mount keeps the host's mode).
fn compose_scripts(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for unit in &ctx.units.compose {
        let Some(dir) = ctx.path(unit.file).parent() else {
            continue;
        };
        // A start command that sets the mode itself decides; we do not follow it.
        if ctx.source(unit.file).text().contains("chmod") {
            continue;
        }
        for (option, path) in scripts(ctx, unit.sentinels.iter().copied()) {
            if crate::knowledge::values::is_template(&path.value) {
                continue;
            }
            let Some((mount, rest)) = unit
                .service
                .mounts
                .iter()
                .filter_map(|m| Some((m, under(&path.value, &m.target)?)))
                .max_by_key(|(m, _)| m.target.len())
            else {
                continue;
            };
            // Only files of the checked tree: a host path elsewhere is the deploy
            // host's, not this machine's.
            if !mount.source.starts_with(dir) {
                continue;
            }
            let host = if rest.is_empty() {
                mount.source.clone()
            } else {
                mount.source.join(rest)
            };
            let at = Span::new(unit.file, mount.span.start, mount.span.end);
            let problem = match std::fs::metadata(&host) {
                Ok(meta) if meta.is_file() => match mode(&meta) {
                    Some(m) if m & 0o111 == 0 => format!(
                        "`{}` is mounted from {}, which has no execute bit",
                        path.value,
                        host.display(),
                    ),
                    _ => continue,
                },
                Ok(_) => continue,
                // The mounted directory is there and the file is not: the mount hides
                // whatever the image had at that path.
                Err(_) if mount.source.is_dir() => format!(
                    "`{}` is under the bind mount of {}, which has no file {}",
                    path.value,
                    mount.source.display(),
                    rest
                ),
                Err(_) => continue,
            };
            out.push(
                Diagnostic::new(
                    Rule::SentinelScriptNotExecutable,
                    path.span,
                    format!(
                        "{problem}: Sentinel checks every `{option}` when it loads its config and exits with \"{}\", so service `{}` never starts",
                        refusal(option),
                        unit.service.name
                    ),
                )
                .fatal()
                .label(at, "mounted here")
                .help(format!(
                    "commit the script with its execute bit (`git update-index --chmod=+x`, `chmod +x {}`) or remove the `{option}` line",
                    host.display()
                )),
            );
        }
    }
}

#[cfg(unix)]
fn mode(meta: &std::fs::Metadata) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    Some(meta.permissions().mode() & 0o777)
}

#[cfg(not(unix))]
fn mode(_meta: &std::fs::Metadata) -> Option<u32> {
    None
}

/// `path` relative to the mount point `target`, when it is under it ("" for the mount
/// point itself).
fn under<'a>(path: &'a str, target: &str) -> Option<&'a str> {
    let target = target.trim_end_matches('/');
    let rest = path.strip_prefix(target)?;
    if rest.is_empty() {
        return Some("");
    }
    rest.strip_prefix('/')
}

/// A script from a ConfigMap or Secret volume: its files get `defaultMode` (0644 unless
/// written) or the item's `mode`; without an execute bit the check fails for every user.
fn kubernetes_scripts(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for cf in &ctx.units.containers {
        let c = &cf.container;
        let start_scripts = c
            .script
            .iter()
            .map(|(t, _)| t.as_str())
            .chain(c.pod.init_scripts.iter().map(|(t, _)| t.as_str()));
        // A start script that sets modes or copies files decides what ends up there.
        if start_scripts.into_iter().any(|s| s.contains("chmod")) || c.script_file.is_some() {
            continue;
        }
        let sentinels = cf.processes.iter().filter_map(|p| match p {
            ConfigRef::Sentinel(s) => Some(*s),
            _ => None,
        });
        for (option, path) in scripts(ctx, sentinels) {
            let Some((mount, rest)) = c
                .mounts
                .iter()
                .filter_map(|m| Some((m, under(&path.value, &m.path)?)))
                .max_by_key(|(m, _)| m.path.len())
            else {
                continue;
            };
            let Some(modes) = &mount.modes else { continue };
            // With subPath the mount point is one file of the volume.
            let key = match (&mount.sub_path, rest) {
                (Some(sub), "") => sub.as_str(),
                (Some(_), _) => continue,
                (None, rest) => rest,
            };
            let Some((m, written)) = modes.of(key) else {
                continue;
            };
            if m & 0o111 != 0 {
                continue;
            }
            let what = match &mount.source {
                VolumeSource::ConfigMap(n) => format!("ConfigMap `{n}`"),
                VolumeSource::Secret(n) => format!("Secret `{n}`"),
                _ => continue,
            };
            let label_at = written.clone().unwrap_or(mount.volume_span.clone());
            let how = if modes.default.1.is_none() && written.is_none() {
                "no `defaultMode`, so its files are 0644".to_string()
            } else {
                format!("mode {m:04o}")
            };
            out.push(
                Diagnostic::new(
                    Rule::SentinelScriptNotExecutable,
                    path.span,
                    format!(
                        "`{}` comes from {what} with {how}, without an execute bit: Sentinel checks every `{option}` when it loads its config and exits with \"{}\", so the container `{}` crash-loops",
                        path.value,
                        refusal(option),
                        c.workload
                    ),
                )
                .fatal()
                .label(Span::new(cf.file, label_at.start, label_at.end), "the files of this volume get this mode")
                .help("set `defaultMode: 0755` (or the item's `mode: 0755`) on the volume"),
            );
        }
    }
}
