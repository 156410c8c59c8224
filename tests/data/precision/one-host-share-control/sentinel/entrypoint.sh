#!/bin/sh
CONF=/etc/sentinel.conf
echo "port 26379" > $CONF
echo "sentinel resolve-hostnames yes" >> $CONF
if [ -n "$ANNOUNCE_IP" ]; then
  echo "sentinel announce-ip $ANNOUNCE_IP" >> $CONF
fi
echo "sentinel monitor mymaster $MASTER 6379 2" >> $CONF
exec redis-server $CONF --sentinel
