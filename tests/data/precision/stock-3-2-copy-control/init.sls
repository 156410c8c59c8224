redis_pkg:
  pkg.installed:
    - name: redis

/etc/redis.conf:
  file.managed:
    - source: salt://redis/redis.conf

/etc/redis-sentinel.conf:
  file.managed:
    - source: salt://redis/sentinel.conf
