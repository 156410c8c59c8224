#!/bin/bash
# The first pod is always the master.
if [[ ${HOSTNAME} == 'redis-0' ]]; then
    redis-server /config/master.conf
else
    redis-server /config/replica.conf
fi
