#!/bin/sh
# Fill the template from the container's environment, then run Sentinel on the copy.
set -e
cp /opt/sentinel/template-sentinel.conf /data/sentinel.conf
for name in SENTINEL_PORT MASTER_NAME MASTER_HOST SENTINEL_QUORUM; do :; done
sed -i "s/SENTINEL_PORT/$SENTINEL_PORT/g" /data/sentinel.conf
sed -i "s/MASTER_NAME/$MASTER_NAME/g; s/MASTER_HOST/$MASTER_HOST/g" /data/sentinel.conf
sed -i -e "s|SENTINEL_QUORUM|${SENTINEL_QUORUM}|g" -e 's|DOWN_AFTER_MS|5000|' /data/sentinel.conf
exec redis-sentinel /data/sentinel.conf
