#!/bin/sh
set -e
if [ "x$MASTER_NAME" != "x" ]; then
  sed -i 's/mastername/'"$MASTER_NAME"'/g' /etc/redis/sentinel.conf
else
  sed -i 's/mastername/'"$MASTER_DEFAULT_NAME"'/g' /etc/redis/sentinel.conf
fi
sed -i "s/{{ DOWN_AFTER }}/$DOWN_AFTER/g" /etc/redis/sentinel.conf
exec "$@"
