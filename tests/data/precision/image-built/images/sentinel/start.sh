#!/bin/sh
exec redis-server /etc/redis/sentinel.conf --sentinel monitor cache "$MASTER_HOST" 6379 2
