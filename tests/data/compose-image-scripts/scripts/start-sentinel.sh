#!/bin/sh
set -e
CONFIG=/data/sentinel.conf
CONTENT=$(envsubst < "${TEMPLATES}/sentinel.conf")
printf '%s\n' "$CONTENT" > "$CONFIG"
exec docker-entrypoint.sh redis-server "$CONFIG" --sentinel
