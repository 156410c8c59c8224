//! Renamed commands between data nodes and the sentinels that must call them.

use crate::diagnostic::Diagnostic;
use crate::knowledge::SENTINEL_SENT_COMMANDS;
use crate::rules::{Context, Rule};

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    for group in topo.groups.iter().filter(|g| g.has_sentinels()) {
        let nodes: Vec<usize> = group.nodes().collect();
        for &r in &group.monitors {
            let (_, monitor) = topo.monitor(r);
            for rename in &monitor.renames {
                let message = if rename.command == "REPLICAOF" {
                    Some("Sentinel sends SLAVEOF, never REPLICAOF: this mapping is never used and a renamed SLAVEOF stays unmapped".to_string())
                } else if !SENTINEL_SENT_COMMANDS.contains(&rename.command.as_str())
                    && rename.command != "SENTINEL"
                {
                    Some(format!(
                        "Sentinel never sends {}: this mapping has no effect",
                        rename.command
                    ))
                } else if !nodes.is_empty()
                    && !nodes.iter().any(|&n| {
                        topo.nodes[n]
                            .renames
                            .iter()
                            .any(|x| x.command == rename.command)
                    })
                {
                    Some(format!("no data node of `{}` renames {}: Sentinel would call a name that does not exist", monitor.name.value, rename.command))
                } else {
                    None
                };
                if let Some(message) = message {
                    out.push(
                        Diagnostic::new(Rule::SentinelRenameWrongCommand, rename.span, message)
                            .help(
                            "map exactly the commands the data nodes rename (SLAVEOF, CONFIG, …)",
                        ),
                    );
                }
            }
        }
        for &n in &nodes {
            for rename in &topo.nodes[n].renames {
                if !SENTINEL_SENT_COMMANDS.contains(&rename.command.as_str()) {
                    continue;
                }
                if rename.new_name.is_empty() {
                    out.push(
                        Diagnostic::new(
                            Rule::RenameCommandBreaksSentinel,
                            rename.span,
                            format!("{} is disabled on this node of `{}`, but Sentinel needs it: a failover cannot reconfigure this node", rename.command, group.name.as_deref().unwrap_or_default()),
                        )
                        .help(format!("rename {} to a secret name instead of disabling it, and map it with `sentinel rename-command`", rename.command)),
                    );
                    continue;
                }
                for &r in &group.monitors {
                    let (_, monitor) = topo.monitor(r);
                    let mapped = monitor
                        .renames
                        .iter()
                        .any(|m| m.command == rename.command && m.new_name == rename.new_name);
                    if !mapped {
                        out.push(
                            Diagnostic::new(
                                Rule::RenameCommandBreaksSentinel,
                                rename.span,
                                format!("{} is renamed on this node, but {} has no matching `sentinel rename-command {} {} …`: its calls fail and failovers abort", rename.command, topo.sentinels[r.sentinel].name, monitor.name.value, rename.command),
                            )
                            .label(monitor.line, "this sentinel monitors the node")
                            .help(format!("add `sentinel rename-command {} {} <new-name>` to every sentinel", monitor.name.value, rename.command)),
                        );
                    }
                }
            }
        }
    }
}
