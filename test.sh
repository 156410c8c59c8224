#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian machine: installs the real Redis binaries
# the differential tests compare against, then runs every cargo test.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v redis-server >/dev/null || ! command -v redis-sentinel >/dev/null; then
    echo "test.sh: installing redis-server and redis-sentinel (Debian packages)" >&2
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server redis-sentinel >/dev/null
fi
# A service started by the package's install script is not ours to keep running.
if command -v service >/dev/null; then
    service redis-server stop >/dev/null 2>&1 || true
    service redis-sentinel stop >/dev/null 2>&1 || true
fi

cargo test --all-targets
