#!/bin/sh
apt-get update
apt-get install -y redis-server redis-sentinel
cp /vagrant/redis.conf /etc/redis/redis.conf
cp /vagrant/sentinel.conf /etc/redis/sentinel.conf
systemctl restart redis-server redis-sentinel
