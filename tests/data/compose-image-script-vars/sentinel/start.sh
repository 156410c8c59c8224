#!/bin/sh
MASTER_HOST=${REDIS_MASTER_HOST:-redis}
MASTER_PORT=${REDIS_MASTER_PORT:-6379}
QUORUM=${SENTINEL_QUORUM:-2}
if [ ! -f /data/sentinel.conf ]; then
cat > /data/sentinel.conf << EOF2
port 26379
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
sentinel monitor mymaster ${MASTER_HOST} ${MASTER_PORT} ${QUORUM}
EOF2
fi
exec redis-sentinel /data/sentinel.conf
