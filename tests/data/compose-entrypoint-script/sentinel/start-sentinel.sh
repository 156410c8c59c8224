#!/bin/sh
CONF=/etc/redis/sentinel.conf
chown redis:redis "$CONF"
exec redis-server $CONF --sentinel
