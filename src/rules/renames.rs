//! Renamed commands between data nodes and the sentinels that must call them.

use crate::diagnostic::Diagnostic;
use crate::knowledge::SENTINEL_SENT_COMMANDS;
use crate::rules::{Context, Rule};

pub fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    inconsistent_across_nodes(ctx, out);
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

/// A command Sentinel sends, renamed on some data nodes of a group and named otherwise
/// on others: Sentinel keeps one mapping per master (`renamed_commands` in sentinel.c),
/// so after a failover it calls a name that some node does not have.
fn inconsistent_across_nodes(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let topo = ctx.topology;
    for group in topo.groups.iter().filter(|g| g.has_sentinels()) {
        let nodes: Vec<&crate::facts::Node> = group.nodes().map(|n| &topo.nodes[n]).collect();
        let mut commands: Vec<&str> = nodes
            .iter()
            .flat_map(|n| n.renames.iter().map(|r| r.command.as_str()))
            .filter(|c| SENTINEL_SENT_COMMANDS.contains(c))
            .collect();
        commands.sort_unstable();
        commands.dedup();
        for command in commands {
            // Each node's name for the command (itself when not renamed); a node whose
            // config is not all known may rename it where the tree does not show.
            fn name_on<'n>(
                n: &'n crate::facts::Node,
                command: &str,
            ) -> Option<(&'n str, Option<crate::source::Span>)> {
                n.renames
                    .iter()
                    .rfind(|r| r.command == command)
                    .map(|r| (r.new_name.as_str(), Some(r.span)))
            }
            let Some(first) = nodes.iter().find(|n| name_on(n, command).is_some()) else {
                continue;
            };
            let (reference, reference_at) = name_on(first, command).unwrap();
            for node in &nodes {
                let (name, at) = match name_on(node, command) {
                    Some(found) => found,
                    None if node.complete => (command, None),
                    None => continue,
                };
                if name == reference {
                    continue;
                }
                let shown = |n: &str| {
                    if n.is_empty() {
                        "disabled".to_string()
                    } else {
                        format!("`{n}`")
                    }
                };
                let message = format!(
                    "{command} is {} on {} but {} on {}: Sentinel keeps one name per master for it, so after a failover its calls fail on some nodes of `{}`",
                    shown(name),
                    node.name,
                    shown(reference),
                    first.name,
                    group.name.as_deref().unwrap_or_default()
                );
                let mut d = Diagnostic::new(
                    Rule::RenameCommandInconsistentAcrossNodes,
                    at.unwrap_or(node.anchor),
                    message,
                )
                .help(format!("rename {command} to the same name on every data node of the group, and map that name with `sentinel rename-command`"));
                if let Some(r) = reference_at {
                    d = d.label(r, "renamed differently here");
                }
                out.push(d);
            }
        }
    }
}
