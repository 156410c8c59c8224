#!/bin/sh
cp /config-src/*.conf /sentinel
exec redis-sentinel /sentinel/sentinel.conf
