#!/bin/bash
set -e
MODE="${1:-redis}"
SERVER_BIN="$(command -v redis-server || true)"
SENTINEL_BIN="$(command -v redis-sentinel || true)"
if [ -z "${SENTINEL_BIN}" ]; then
  SENTINEL_BIN="${SERVER_BIN}"
fi
ORDINAL="${HOSTNAME##*-}"

if [[ "${MODE}" == "redis" ]]; then
  cp /opt/ha/conf/redis.conf /data/redis.conf
  if [[ "${ORDINAL}" != "0" ]]; then
    echo "replicaof ha-0.ha 6379" >> /data/redis.conf
  fi
  exec "${SERVER_BIN}" /data/redis.conf
elif [[ "${MODE}" == "sentinel" ]]; then
  cp /opt/ha/conf/sentinel.conf /data/sentinel.conf
  exec "${SENTINEL_BIN}" /data/sentinel.conf --sentinel
fi
