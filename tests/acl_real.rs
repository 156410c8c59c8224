//! The ACL rules against Debian's redis-server and redis-sentinel 7.0: the `user` lines of
//! each rule's bad fixture break what the rule says they break, and the good fixture's
//! work. Processes listen on 127.0.0.1, ports 26200–26299, in scratch directories, and
//! are stopped by PID.

mod common;

use common::wait_until;

use std::fs;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const PORT_BASE: u16 = 26200;

/// Kills the processes it holds when dropped, so none outlives a failed assertion.
struct Processes {
    children: Vec<Child>,
    dir: tempfile::TempDir,
}

impl Drop for Processes {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill(); // by PID: only processes this test started
            let _ = child.wait();
        }
    }
}

impl Processes {
    fn new() -> Processes {
        Processes {
            children: Vec::new(),
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn start(&mut self, name: &str, text: &str, sentinel: bool) {
        let dir = self.dir.path().join(name);
        fs::create_dir_all(&dir).unwrap();
        let conf = dir.join("redis.conf");
        fs::write(&conf, text).unwrap();
        let log_path = dir.join("out.log");
        let log = fs::File::create(&log_path).unwrap();
        let program = if sentinel {
            "redis-sentinel"
        } else {
            "redis-server"
        };
        self.children.push(
            Command::new(program)
                .arg(&conf)
                .current_dir(&dir)
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .unwrap_or_else(|e| {
                    panic!("{program} is not installed ({e}): .ci/run installs it")
                }),
        );
        let ready = if sentinel {
            "Sentinel ID is"
        } else {
            "Ready to accept connections"
        };
        assert!(
            wait_until(Duration::from_secs(10), || fs::read_to_string(&log_path)
                .is_ok_and(|t| t.contains(ready))),
            "{name} did not start: {}",
            fs::read_to_string(&log_path).unwrap_or_default()
        );
    }
}

fn cli(port: u16, user: Option<(&str, &str)>, args: &[&str]) -> String {
    let mut command = Command::new("redis-cli");
    command.args([
        "-h",
        "127.0.0.1",
        "-p",
        &port.to_string(),
        "--no-auth-warning",
    ]);
    if let Some((user, pass)) = user {
        command.args(["--user", user, "--pass", pass]);
    }
    let out = command.args(args).output().expect("redis-cli runs");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The `user` lines and `masteruser` / `masterauth` of a fixture's master config.
fn node_auth_lines(fixture: &Path) -> String {
    fs::read_to_string(fixture.join("redis-master.conf"))
        .unwrap()
        .lines()
        .filter(|l| {
            l.starts_with("user ") || l.starts_with("masteruser ") || l.starts_with("masterauth ")
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The `sentinel auth-*` lines of a fixture's first sentinel.
fn sentinel_auth_lines(fixture: &Path) -> String {
    fs::read_to_string(fixture.join("sentinel-1.conf"))
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("sentinel auth-"))
        .map(|l| format!("{l}\n"))
        .collect()
}

const INSPECT: Option<(&str, &str)> = Some(("sentinel", "sentinel-pass-1"));

/// A master, a replica and `sentinels` sentinels (quorum 1) with the fixture's users.
fn deployment(fixture: &Path, base: u16, sentinels: u16) -> Processes {
    let mut p = Processes::new();
    let auth = node_auth_lines(fixture);
    let node = |port: u16, replica: bool| {
        format!(
            "bind 127.0.0.1\nport {port}\nsave \"\"\nappendonly no\n{}{auth}",
            if replica {
                format!("replicaof 127.0.0.1 {base}\n")
            } else {
                String::new()
            }
        )
    };
    p.start("master", &node(base, false), false);
    p.start("replica", &node(base + 1, true), false);
    assert!(
        wait_until(Duration::from_secs(10), || cli(
            base + 1,
            INSPECT,
            &["INFO", "replication"]
        )
        .contains("master_link_status:up")),
        "the replica of {} never synced",
        fixture.display()
    );
    for i in 0..sentinels {
        let port = base + 10 + i;
        p.start(
            &format!("sentinel-{i}"),
            &format!(
                "bind 127.0.0.1\nport {port}\nsentinel monitor mymaster 127.0.0.1 {base} 1\n{}sentinel down-after-milliseconds mymaster 2000\nsentinel failover-timeout mymaster 6000\n",
                sentinel_auth_lines(fixture)
            ),
            true,
        );
    }
    p
}

/// Whether a forced failover promotes the replica within `limit`.
fn failover_promotes(fixture: &Path, base: u16) -> bool {
    let _p = deployment(fixture, base, 1);
    let sentinel = base + 10;
    assert!(
        wait_until(Duration::from_secs(15), || cli(
            sentinel,
            None,
            &["SENTINEL", "replicas", "mymaster"]
        )
        .contains(&format!("{}", base + 1))),
        "the sentinel never saw the replica of {}",
        fixture.display()
    );
    // The sentinel must also have reached the replica itself before it can choose it.
    std::thread::sleep(Duration::from_secs(2));
    let answer = cli(sentinel, None, &["SENTINEL", "failover", "mymaster"]);
    assert_eq!(answer, "OK", "{}", fixture.display());
    wait_until(Duration::from_secs(8), || {
        cli(base + 1, INSPECT, &["ROLE"]).starts_with("master")
    })
}

/// Whether two sentinels discover each other through the data nodes within `limit`.
fn sentinels_meet(fixture: &Path, base: u16) -> bool {
    let _p = deployment(fixture, base, 2);
    wait_until(Duration::from_secs(10), || {
        cli(base + 10, None, &["SENTINEL", "sentinels", "mymaster"]).contains("runid")
    })
}

/// `+replicaof` does not grant SLAVEOF: the bad fixture's sentinel user cannot promote
/// a replica (EXEC aborts), the good one's can.
#[test]
fn sentinel_user_without_slaveof_cannot_fail_over() {
    let root = Path::new("fixtures/sentinel-acl-user-insufficient");
    assert!(!failover_promotes(&root.join("bad"), PORT_BASE));
    assert!(failover_promotes(&root.join("good"), PORT_BASE + 20));
}

/// On 7.0 a user without a channel rule cannot use the hello channel: the bad fixture's
/// sentinels never meet, the good fixture's do.
#[test]
fn sentinel_user_without_the_hello_channel_isolates_sentinels() {
    let root = Path::new("fixtures/acl-resetchannels-blocks-hello");
    assert!(!sentinels_meet(&root.join("bad"), PORT_BASE + 40));
    assert!(sentinels_meet(&root.join("good"), PORT_BASE + 60));
}

/// The default user switched off under replicas that log in as it: the bad fixture's
/// replica never syncs.
#[test]
fn replica_logging_in_as_a_disabled_default_user_never_syncs() {
    let fixture = Path::new("fixtures/acl-default-user-disabled-without-users/bad");
    let mut p = Processes::new();
    let auth = node_auth_lines(fixture);
    let base = PORT_BASE + 80;
    p.start(
        "master",
        &format!("bind 127.0.0.1\nport {base}\nsave \"\"\n{auth}"),
        false,
    );
    p.start(
        "replica",
        &format!(
            "bind 127.0.0.1\nport {}\nsave \"\"\nreplicaof 127.0.0.1 {base}\n{auth}",
            base + 1
        ),
        false,
    );
    assert!(!wait_until(Duration::from_secs(4), || cli(
        base + 1,
        INSPECT,
        &["INFO", "replication"]
    )
    .contains("master_link_status:up")));
}
