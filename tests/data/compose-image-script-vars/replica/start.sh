#!/bin/sh
MASTER_HOST=${REDIS_MASTER_HOST:-redis}
MASTER_PORT=${REDIS_MASTER_PORT:-6379}
exec redis-server --appendonly yes --replicaof ${MASTER_HOST} ${MASTER_PORT}
