#!/bin/sh
set -e
curl -fsSLO https://download.redis.io/releases/redis-7.2.5.tar.gz
tar xzf redis-7.2.5.tar.gz && make -C redis-7.2.5 install
mkdir -p /etc/redis
cp /vagrant/kv.conf /etc/redis/kv.conf
redis-server /etc/redis/kv.conf
if [ -n "$1" ]; then
  redis-cli replicaof "$1" 6379
fi
cp /vagrant/sentinel.conf /etc/redis/sentinel.conf
redis-sentinel /etc/redis/sentinel.conf
