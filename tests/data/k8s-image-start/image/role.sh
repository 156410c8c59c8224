#!/bin/bash
# Picks what this pod runs from KV_ROLE; the sentinel and replica configs get the
# current master's address at start.
set -e

ask_master() {
  redis-cli -h kv-sentinel -p 26379 sentinel get-master-addr-by-name kv | head -1
}

start_primary() {
  sed -i "s/@KV_PASSWORD@/${KV_PASSWORD}/" /conf/primary.conf
  exec redis-server /conf/primary.conf
}

current=$(ask_master || true)

case "${KV_ROLE}" in
  sentinel)
    sed -i "s/@MASTER@/${current}/" /conf/sentinel.conf
    exec redis-sentinel /conf/sentinel.conf
    ;;
  primary)
    if [ -z "$current" ]; then
      start_primary
    fi
    ;;
esac

if [ -z "$current" ]; then
  start_primary
fi
sed -i "s/@MASTER@/${current}/" /conf/replica.conf
exec redis-server /conf/replica.conf
