#!/bin/sh
exec redis-sentinel /etc/redis/sentinel.conf
