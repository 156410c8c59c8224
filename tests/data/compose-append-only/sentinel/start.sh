#!/bin/sh
CONF=/etc/redis/sentinel.conf
mkdir -p /etc/redis
echo "port 26379" >> $CONF
echo "sentinel monitor cache $WATCHED 6379 2" >> $CONF
echo "sentinel down-after-milliseconds cache 5000" >> $CONF
exec redis-sentinel $CONF
