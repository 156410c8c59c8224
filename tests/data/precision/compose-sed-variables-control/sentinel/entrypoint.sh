#!/bin/sh
sed -i "s/%%MASTER_IP%%/${MASTER_IP}/g" /etc/redis/sentinel.conf
sed -i "s/%%QUORUM%%/${QUORUM}/g" /etc/redis/sentinel.conf
sed -i "s/%%DOWN_AFTER%%/${DOWN_AFTER}/g" /etc/redis/sentinel.conf
exec docker-entrypoint.sh redis-server /etc/redis/sentinel.conf --sentinel
