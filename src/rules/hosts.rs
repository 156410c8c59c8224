//! Which processes run straight on a host (a VM or server the tree provisions) rather
//! than in a container: what holds there differs from an image (the compiled-in
//! defaults, the machine's own network).

use super::Context;
use crate::facts::service::ConfigRef;
use std::collections::HashSet;
use std::path::PathBuf;

/// The processes of the topology that run on hosts, by index.
pub struct OnHosts {
    pub nodes: HashSet<usize>,
    pub sentinels: HashSet<usize>,
    /// The tree provisions hosts and runs no container anywhere: every process of its
    /// configs runs on a VM or server on a network.
    pub provisioned: bool,
}

/// A process runs on a host when a unit or a script of the tree starts its config, when
/// a provisioning template (Ansible, Salt: `sentinel.conf.j2`) renders it, or when the
/// tree provisions hosts (units, Ansible tasks, a Vagrantfile, Salt states, Puppet
/// manifests) and runs no container anywhere (no compose file, workload, operator
/// resource or Dockerfile) and the config is no manifest's. A process a compose service
/// or a workload runs, one in a network namespace of its own, one an operator manages
/// and one a deployment declares never does.
pub fn on_hosts(ctx: &Context) -> OnHosts {
    let topo = ctx.topology;
    let mut contained: HashSet<ConfigRef> = HashSet::new();
    for unit in &ctx.units.compose {
        contained.extend(unit.nodes.iter().map(|&i| ConfigRef::Node(i)));
        contained.extend(unit.sentinels.iter().map(|&i| ConfigRef::Sentinel(i)));
    }
    for c in &ctx.units.containers {
        contained.extend(c.processes.iter().copied());
    }
    let started: HashSet<ConfigRef> = topo
        .processes
        .iter()
        .filter(|p| p.service.is_none())
        .filter_map(|p| p.config)
        .collect();
    let rendered: HashSet<PathBuf> = ctx
        .sources
        .values()
        .filter_map(|s| crate::syntax::jinja::rendered_path(&s.path))
        .collect();
    // Folders that describe containers (compose projects, manifests, operator resources,
    // Dockerfiles): a config in one of them, above or below, may run in a container.
    let container_dirs: Vec<&std::path::Path> = ctx
        .units
        .compose
        .iter()
        .map(|u| u.file)
        .chain(ctx.units.containers.iter().map(|c| c.file))
        .chain(ctx.units.resources.iter().map(|r| r.file))
        .filter_map(|f| ctx.sources.get(&f))
        .chain(
            ctx.sources
                .values()
                .filter(|s| crate::formats::dockerfile::is_dockerfile(&s.path)),
        )
        .filter_map(|s| s.path.parent())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let no_containers = container_dirs.is_empty();
    let provisioned = ctx.units.hosts_provisioned && no_containers;
    let near_containers = |path: &std::path::Path| {
        let dir = path.parent().unwrap_or(std::path::Path::new(""));
        container_dirs
            .iter()
            .any(|d| dir.starts_with(d) || d.starts_with(dir))
    };
    let on_host = |file: crate::source::FileId,
                   at: ConfigRef,
                   runtime: &crate::facts::Runtime,
                   process: &crate::facts::ProcessConf| {
        let source = ctx.sources.get(&file);
        let in_manifest = source.is_some_and(|s| crate::formats::detect::is_yaml_path(&s.path));
        // A config that detaches itself (`daemonize yes`) in a tree with no container:
        // a process a host's init or an operator starts by hand.
        let daemonized = !in_manifest
            && process.daemonize.as_ref().is_some_and(|d| d.value)
            && source.is_some_and(|s| !near_containers(&s.path));
        let hinted = (provisioned && !in_manifest)
            || daemonized
            || started.contains(&at)
            || source.is_some_and(|s| rendered.contains(&s.path));
        hinted
            && !contained.contains(&at)
            && runtime.netns.is_none()
            && runtime.managed_by.is_none()
            && (runtime.declared.is_none() || runtime.host_copies.is_some())
    };
    OnHosts {
        provisioned,
        nodes: (0..topo.nodes.len())
            .filter(|&i| {
                on_host(
                    topo.nodes[i].file,
                    ConfigRef::Node(i),
                    &topo.nodes[i].runtime,
                    &topo.nodes[i].process,
                )
            })
            .collect(),
        sentinels: (0..topo.sentinels.len())
            .filter(|&i| {
                let s = &topo.sentinels[i];
                on_host(s.file, ConfigRef::Sentinel(i), &s.runtime, &s.process)
            })
            .collect(),
    }
}
