#!/bin/sh
until redis-cli -h redis-master ping | grep -q PONG; do sleep 1; done
sed -i "s|\$REDIS_PASSWORD|${REDIS_PASSWORD}|g" /tmp/sentinel.conf
exec redis-server /tmp/sentinel.conf --sentinel
