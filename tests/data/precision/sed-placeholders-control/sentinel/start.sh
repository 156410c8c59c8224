#!/bin/sh
set -e
cp /opt/sentinel/template-sentinel.conf /data/sentinel.conf
exec redis-sentinel /data/sentinel.conf
