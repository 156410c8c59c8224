#!/bin/sh
MASTER_IP=$(getent hosts "$HOST_NAME" | awk '{ print $1 }')
sed -i "s/\$HOST_NAME/$MASTER_IP/" /etc/redis/sentinel.conf
exec redis-server /etc/redis/sentinel.conf --sentinel
