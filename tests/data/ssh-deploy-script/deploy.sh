#!/bin/bash
# Writes one sentinel config per host over ssh: the function runs once per host.
MASTER_IP="10.0.1.10"
QUORUM=2

configure_sentinel() {
    local sentinel_ip=$1
    ssh root@"$sentinel_ip" bash <<EOF
cat > /etc/redis/sentinel.conf <<CONFIG
port 26379
bind $sentinel_ip
sentinel monitor mymaster $MASTER_IP 6379 $QUORUM
CONFIG
EOF
}

for ip in 10.0.1.20 10.0.1.21 10.0.1.22; do
    configure_sentinel "$ip"
done
