#!/bin/sh
exec redis-server /etc/redis/sentinel.conf --sentinel \
  --sentinel monitor shop "$PRIMARY_HOST" 6379 2
