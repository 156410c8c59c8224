#!/bin/sh
sed -i "s/\$QUORUM/$QUORUM/g" /conf/sentinel.conf
sed -i "s/\$DOWN_AFTER/$DOWN_AFTER/g" /conf/sentinel.conf
exec redis-server /conf/sentinel.conf --sentinel
