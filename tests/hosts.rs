//! Processes on provisioned hosts, as their output reads: the defaults a host's release
//! compiles in (protected mode, for servers and for sentinels before 5.0.1), a master
//! config reached over the network by the sentinels beside it, and the restarting unit a
//! distribution package brings.

mod common;

use common::{check_dir, render_full};
use redis_halint::Target;
use std::path::Path;

fn output(dir: &str) -> String {
    let (ws, found) = check_dir(Path::new(dir), Target::default());
    assert!(!found.is_empty(), "{dir}: no finding");
    render_full(&ws, &found)
}

#[test]
fn packaged_sentinel_before_5_0_1() {
    insta::assert_snapshot!(
        "hosts_old_sentinel",
        output("tests/data/precision/hosts-old-sentinel")
    );
}

#[test]
fn master_config_watched_over_the_network() {
    insta::assert_snapshot!(
        "hosts_master_by_hand",
        output("tests/data/precision/hosts-master-by-hand")
    );
}

#[test]
fn packaged_unit_restarts_a_master_without_persistence() {
    insta::assert_snapshot!(
        "apt_server_no_persistence",
        output("tests/data/precision/apt-server-no-persistence")
    );
}
