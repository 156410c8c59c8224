//! `--to systemd`: one root tree per host (`<host>/etc/redis/…`,
//! `<host>/etc/systemd/system/…`). A host per data node, with a sentinel beside it, and
//! sentinel-only hosts when there are more sentinels than data nodes. Units are
//! `Type=notify` with `supervised systemd`, sandboxed the Debian way with the config
//! directory writable (Sentinel and CONFIG REWRITE rewrite it), and read the password
//! from an environment file only root can read.

use super::configs::{redis_conf, sentinel_conf, NodeConf, Secret, SentinelConf};
use super::plan::{GroupPlan, Names, Plan};
use super::{Options, OutFile};

const ENV_FILE: &str = "/etc/redis/auth.env";

pub fn emit(plan: &Plan, _options: &Options, header: &[String]) -> Vec<OutFile> {
    let mut files = Vec::new();
    for group in &plan.groups {
        let names = Names::of(plan, group);
        let secret = if group.has_password() {
            Secret::Elsewhere
        } else {
            Secret::None
        };
        let master = format!("{}-0", names.redis);
        let hosts = group.data_nodes.max(group.sentinels);
        let process = || vec!["daemonize no".to_string(), "supervised systemd".to_string()];
        for i in 0..hosts {
            let host = if i < group.data_nodes {
                format!("{}-{i}", names.redis)
            } else {
                format!("{}-{i}", names.sentinel)
            };
            if i < group.data_nodes {
                let conf = format!("/etc/redis/{host}.conf");
                files.push(
                    OutFile::new(
                        format!("{host}{conf}"),
                        redis_conf(
                            header,
                            group,
                            &NodeConf {
                                port: 6379,
                                bind: None,
                                dir: "/var/lib/redis",
                                announce: Some(&host),
                                replicaof: (i > 0).then_some((master.as_str(), 6379)),
                                secret,
                                process: process(),
                            },
                        ),
                    )
                    .private(),
                );
                files.push(OutFile::new(
                    format!("{host}/etc/systemd/system/{host}.service"),
                    unit(header, group, &host, &conf, false),
                ));
            }
            if i < group.sentinels {
                let name = format!("{}-{i}", names.sentinel);
                let conf = format!("/etc/redis/{name}.conf");
                files.push(
                    OutFile::new(
                        format!("{host}{conf}"),
                        sentinel_conf(
                            header,
                            group,
                            &SentinelConf {
                                port: 26379,
                                bind: None,
                                dir: "/var/lib/redis",
                                announce: Some(&host),
                                hostnames: true,
                                master: (&master, 6379),
                                secret,
                                process: process(),
                            },
                        ),
                    )
                    .private(),
                );
                files.push(OutFile::new(
                    format!("{host}/etc/systemd/system/{name}.service"),
                    unit(header, group, &name, &conf, true),
                ));
            }
            if group.has_password() {
                files.push(
                    OutFile::new(
                        format!("{host}{ENV_FILE}"),
                        format!(
                            "# The password of the Redis processes of this host.\nREDIS_PASSWORD={}\n",
                            super::k8s::PLACEHOLDER
                        ),
                    )
                    .private(),
                );
            }
        }
    }
    files
}

fn unit(header: &[String], group: &GroupPlan, name: &str, conf: &str, sentinel: bool) -> String {
    let mut out = String::new();
    for line in header {
        out.push_str(&format!("# {line}\n"));
    }
    let (what, binary, password_args) = if sentinel {
        (
            "Redis Sentinel",
            "/usr/bin/redis-sentinel",
            format!(
                " --requirepass ${{REDIS_PASSWORD}} --sentinel auth-pass {} ${{REDIS_PASSWORD}}",
                group.master_name
            ),
        )
    } else {
        (
            "Redis data node",
            "/usr/bin/redis-server",
            " --requirepass ${REDIS_PASSWORD} --masterauth ${REDIS_PASSWORD}".to_string(),
        )
    };
    let (environment, password_args) = if group.has_password() {
        (format!("EnvironmentFile={ENV_FILE}\n"), password_args)
    } else {
        (String::new(), String::new())
    };
    out.push_str(&format!(
        r#"[Unit]
Description={what} {name} (group {master})
Wants=network-online.target
After=network-online.target

[Service]
Type=notify
{environment}ExecStart={binary} {conf}{password_args}
User=redis
Group=redis
WorkingDirectory=/var/lib/redis
RuntimeDirectory={name}
RuntimeDirectoryMode=2755
LimitNOFILE=10032
TimeoutStartSec=infinity
TimeoutStopSec=infinity
UMask=0077
Restart=always
NoNewPrivileges=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectHome=yes
ProtectSystem=strict
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectControlGroups=yes
RestrictRealtime=yes
RestrictNamespaces=yes
# Sentinel and CONFIG REWRITE rewrite the config: its directory stays writable.
ReadWritePaths=/etc/redis /var/lib/redis

[Install]
WantedBy=multi-user.target
"#,
        master = group.master_name,
    ));
    out
}
