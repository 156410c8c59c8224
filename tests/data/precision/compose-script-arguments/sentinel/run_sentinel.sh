#!/bin/sh
[ -f "/sentinel/$1running.conf" ] || cp "/sentinel/$1.conf" "/sentinel/$1running.conf"
exec redis-sentinel "/sentinel/$1running.conf"
