#!/bin/sh
apt-get install -y redis-sentinel
cp /vagrant/conf/sentinel.conf /etc/redis/sentinel.conf
systemctl restart redis-sentinel
