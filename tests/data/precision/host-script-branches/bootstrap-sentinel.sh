#!/bin/bash
# Run on every sentinel host by the provisioning tool: one branch writes the config.
SENTINEL_CONFIG_FILE=/etc/sentinel.conf
if [[ "$data_volume" == "true" ]]; then
cat << EOF > $SENTINEL_CONFIG_FILE
port 26379
dir /data/sentinel
sentinel monitor cache 10.0.1.10 6379 2
sentinel down-after-milliseconds cache 5000
EOF
else
cat << EOF > $SENTINEL_CONFIG_FILE
port 26379
dir /var/lib/redis
sentinel monitor cache 10.0.1.10 6379 2
sentinel down-after-milliseconds cache 5000
EOF
fi
redis-sentinel $SENTINEL_CONFIG_FILE
