#!/bin/sh
# A one-host lab: every process on this machine, all on loopback.
for p in 6380 6381 6382; do redis-server redis-$p.conf --daemonize yes; done
for p in 26380 26381 26382; do redis-sentinel sentinel-$p.conf --daemonize yes; done
