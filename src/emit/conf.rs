//! `--to conf`: one plain redis.conf or sentinel.conf per instance, each instance on its
//! own host, reached by its host name (`redis-0`, `sentinel-0`, …: map them in DNS or
//! /etc/hosts). Plain files can only hold the password literally: a placeholder is
//! written, to be replaced everywhere.

use super::configs::{
    cluster_conf, redis_conf, sentinel_conf, ClusterNodeConf, NodeConf, Secret, SentinelConf,
};
use super::plan::{Names, Plan};
use super::{Options, OutFile};

pub fn emit(plan: &Plan, _options: &Options, header: &[String]) -> Vec<OutFile> {
    let mut files = Vec::new();
    for group in &plan.groups {
        let names = Names::of(plan, group);
        let secret = if group.has_password() {
            Secret::Literal(super::k8s::PLACEHOLDER)
        } else {
            Secret::None
        };
        let master = format!("{}-0", names.redis);
        for i in 0..group.data_nodes {
            let name = format!("{}-{i}", names.redis);
            let file = OutFile::new(
                format!("{name}.conf"),
                redis_conf(
                    header,
                    group,
                    &NodeConf {
                        port: 6379,
                        bind: None,
                        dir: "/var/lib/redis",
                        announce: Some(&name),
                        replicaof: (i > 0).then_some((master.as_str(), 6379)),
                        secret,
                        process: Vec::new(),
                    },
                ),
            );
            files.push(if group.has_password() {
                file.private()
            } else {
                file
            });
        }
        for i in 0..group.sentinels {
            let name = format!("{}-{i}", names.sentinel);
            let file = OutFile::new(
                format!("{name}.conf"),
                sentinel_conf(
                    header,
                    group,
                    &SentinelConf {
                        port: 26379,
                        bind: None,
                        dir: "/var/lib/redis",
                        announce: Some(&name),
                        hostnames: true,
                        master: (&master, 6379),
                        secret,
                        process: Vec::new(),
                    },
                ),
            );
            files.push(if group.has_password() {
                file.private()
            } else {
                file
            });
        }
    }
    for (c, cluster) in plan.clusters.iter().enumerate() {
        let prefix = if plan.clusters.len() > 1 {
            format!("redis-cluster{c}")
        } else {
            "redis-cluster".to_string()
        };
        let secret = if cluster.password {
            Secret::Literal(super::k8s::PLACEHOLDER)
        } else {
            Secret::None
        };
        let mut addresses = Vec::new();
        for i in 0..cluster.nodes() {
            let name = format!("{prefix}-{i}");
            let file = OutFile::new(
                format!("{name}.conf"),
                cluster_conf(
                    header,
                    cluster,
                    &ClusterNodeConf {
                        port: 6379,
                        bus_port: None,
                        bind: None,
                        dir: "/var/lib/redis",
                        config_file: format!("nodes-{name}.conf"),
                        hostname: Some(&name),
                        secret,
                        process: Vec::new(),
                    },
                ),
            );
            files.push(if cluster.password {
                file.private()
            } else {
                file
            });
            addresses.push(format!("{name}:6379"));
        }
        files.push(
            OutFile::new(
                format!("{prefix}-create.sh"),
                super::local::create_script(
                    header,
                    &addresses,
                    cluster.replicas_per_master,
                    cluster.password,
                ),
            )
            .executable(),
        );
    }
    files
}
