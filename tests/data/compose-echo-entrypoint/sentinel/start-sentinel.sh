#!/bin/sh
set -e
CONF=/etc/redis/sentinel.conf
: ${MASTER_HOST:=cache}
: ${DOWN_AFTER:=5000}

add_monitor() {
    echo "sentinel monitor $MASTER_NAME $MASTER_HOST 6379 $QUORUM" >> $CONF
}

echo "port 26379" > $CONF
echo "sentinel resolve-hostnames yes" >> $CONF
add_monitor
echo "sentinel down-after-milliseconds $MASTER_NAME $DOWN_AFTER" >> $CONF
if [ -n "$AUTH_PASS" ]; then
    echo "sentinel auth-pass $MASTER_NAME $AUTH_PASS" >> $CONF
fi
exec redis-server $CONF --sentinel
