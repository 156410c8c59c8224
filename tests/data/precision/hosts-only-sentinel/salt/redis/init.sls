redis-sentinel:
  pkg.installed: []
  file.managed:
    - name: /etc/redis/sentinel.conf
    - source: salt://redis/files/sentinel.conf
    - template: jinja
    - user: redis
  service.running:
    - enable: true
