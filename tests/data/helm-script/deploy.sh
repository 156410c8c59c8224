#!/bin/sh
set -e
helm repo add bitnami https://charts.bitnami.com/bitnami
# The release: values from the file, counts from the command line.
helm upgrade --install cache bitnami/redis -n cache -f values.yaml \
  --set replica.replicaCount=3 \
  --set sentinel.quorum=3
