#!/usr/bin/env python3
"""Generate a deterministic synthetic monorepo of Redis + Sentinel deployments.

    bench/gen.py OUT [--seed 9] [--min-files 20000] [--min-mb 200]

Deployments of every format redis-halint reads are written under OUT until the tree
holds at least --min-files files and --min-mb MB:

    OUT/conf/NNNNN-name/        redis.conf x3, sentinel.conf x3 (stock-like, comment
                               heavy), systemd units and a drop-in, a deploy script
                               whose here-document writes a replica's redis.conf
    OUT/compose/NNNNN-name/     docker-compose.yml (+ .env), a redis.conf and one
                               sentinel.conf per sentinel service
    OUT/kubernetes/NNNNN-name/  multi-document manifests: Namespace, a Secret and a
                               ConfigMap with embedded configs, Services, PDBs, two
                               StatefulSets with start scripts and probes (one file
                               or one file per kind)
    OUT/operators/NNNNN-name/   Spotahome RedisFailover, OpsTree RedisReplication +
                               RedisSentinel, Redis Enterprise cluster, or bitnami
                               values.yaml + Flux HelmRelease

Host names repeat across deployments (every compose project calls its master
`redis-master`, every Kubernetes deployment has `redis-0.redis-headless`), as in a real
monorepo, so the linker's scoping is exercised. About one deployment in six carries a
classic mistake (two or four sentinels, a wrong auth-pass, `appendonly true`, ...), so
the run reports findings too.

The output depends only on the seed and the limits: same arguments, same bytes.
"""
import argparse
import os
import random
import shutil
import sys

WORDS = """redis sentinel replica master server client memory persistence snapshot
append only file rewrite the a an of to in is by for when with that this it be are
not will if can default value set configured instance keys eviction policy network
interface connections timeout seconds milliseconds bytes buffer output limit slave
failover quorum monitor configuration directive option enabled disabled yes no
background save disk latency fsync every second always never commands rename
security password authentication user acl cluster node slot hash ports bind address
listen socket unix tcp keepalive backlog kernel linux system process daemon pid log
level notice verbose warning database number select lazy free threads io module
load unload tls certificate key file directory working dir dump rdb aof compression
checksum""".split()

SECTIONS = ["INCLUDES", "MODULES", "NETWORK", "TLS/SSL", "GENERAL", "SNAPSHOTTING",
            "REPLICATION", "KEYS TRACKING", "SECURITY", "CLIENTS", "MEMORY MANAGEMENT",
            "LAZY FREEING", "THREADED I/O", "KERNEL OOM CONTROL", "KERNEL TRANSPARENT HUGEPAGE",
            "APPEND ONLY MODE", "SHUTDOWN", "LUA SCRIPTING", "REDIS CLUSTER",
            "SLOW LOG", "LATENCY MONITOR", "EVENT NOTIFICATION", "ADVANCED CONFIG",
            "ACTIVE DEFRAGMENTATION"]

COMMENTED = ["# bind 192.168.1.100 10.0.0.1", "# unixsocket /run/redis.sock",
             "# unixsocketperm 700", "# tls-port 6379", "# tls-cert-file redis.crt",
             "# replicaof <masterip> <masterport>", "# masterauth <master-password>",
             "# masteruser <username>", "# repl-ping-replica-period 10",
             "# repl-timeout 60", "# repl-backlog-size 1mb", "# min-replicas-to-write 3",
             "# min-replicas-max-lag 10", "# replica-announce-ip 5.5.5.5",
             "# maxclients 10000", "# maxmemory <bytes>", "# maxmemory-policy noeviction",
             "# maxmemory-samples 5", "# rename-command CONFIG \"\"",
             "# requirepass foobared", "# user worker +@list +@connection ~jobs:* on >ffa9203c49",
             "# save 3600 1 300 100 60 10000", "# io-threads 4",
             "# appendfsync always", "# lua-time-limit 5000", "# cluster-enabled yes",
             "# notify-keyspace-events \"\"", "# hz 10", "# activedefrag no"]

SENTINEL_COMMENTED = ["# sentinel announce-ip <ip>", "# sentinel announce-port <port>",
                      "# sentinel auth-pass <master-name> <password>",
                      "# sentinel auth-user <master-name> <username>",
                      "# sentinel notification-script mymaster /var/redis/notify.sh",
                      "# sentinel client-reconfig-script mymaster /var/redis/reconfig.sh",
                      "# SENTINEL rename-command mymaster CONFIG GUESSME",
                      "# sentinel deny-scripts-reconfig yes",
                      "# sentinel master-reboot-down-after-period mymaster 0"]


class Text:
    """A pool of comment paragraphs, made once from the seed."""

    def __init__(self, rng):
        self.paragraphs = []
        for _ in range(3000):
            lines = []
            for _ in range(rng.randint(2, 9)):
                words = [rng.choice(WORDS) for _ in range(rng.randint(7, 13))]
                words[0] = words[0].capitalize()
                lines.append("# " + " ".join(words) + ".")
            if rng.random() < 0.5:
                lines.append("#")
                lines.append(rng.choice(COMMENTED))
            self.paragraphs.append("\n".join(lines) + "\n\n")

    def comments(self, rng, size, sentinel=False):
        """About `size` bytes of stock-config-like comments, with section banners."""
        out, n = [], 0
        while n < size:
            if rng.random() < 0.12:
                s = rng.choice(SECTIONS)
                banner = "#" * 34 + " " + s + " " + "#" * max(3, 43 - len(s)) + "\n\n"
                out.append(banner)
                n += len(banner)
            p = rng.choice(self.paragraphs)
            if sentinel and rng.random() < 0.3:
                p = p + rng.choice(SENTINEL_COMMENTED) + "\n\n"
            out.append(p)
            n += len(p)
        return "".join(out)


def password(rng):
    return "pw-" + "".join(rng.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(16))


class Gen:
    def __init__(self, out, seed):
        self.out = out
        self.rng = random.Random(seed)
        self.text = Text(random.Random(seed * 7919 + 1))
        self.files = 0
        self.bytes = 0
        self.by_kind = {}

    def write(self, kind, rel, content):
        path = os.path.join(self.out, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = content.encode()
        with open(path, "wb") as f:
            f.write(data)
        self.files += 1
        self.bytes += len(data)
        files, size = self.by_kind.get(kind, (0, 0))
        self.by_kind[kind] = (files + 1, size + len(data))

    def comment_size(self):
        """Stock-like configs are big (the stock redis.conf is 108 kB); trimmed ones small."""
        r = self.rng.random()
        if r < 0.35:
            return self.rng.randint(60_000, 110_000)
        if r < 0.65:
            return self.rng.randint(8_000, 30_000)
        return self.rng.randint(0, 2_000)

    def dirname(self, n):
        """`00042-payments-eu`: deployments are named, not numbered siblings."""
        words = ["payments", "sessions", "cart", "search", "auth", "feed", "billing", "chat",
                 "orders", "profile", "catalog", "metrics", "jobs", "ledger", "media", "notify"]
        regions = ["eu", "us", "ap", "edge", "core", "internal"]
        return f"{n:05d}-{words[n % len(words)]}-{regions[(n // len(words)) % len(regions)]}"

    # ---------------------------------------------------------------- conf files
    def redis_conf(self, port, pw, replicaof=None, mistake=None, dir_="/var/lib/redis"):
        rng = self.rng
        head = self.text.comments(rng, self.comment_size())
        lines = [
            f"bind 0.0.0.0",
            f"port {port}",
            "protected-mode yes",
            "tcp-backlog 511",
            "timeout 0",
            "tcp-keepalive 300",
            "daemonize no",
            "supervised auto",
            "loglevel notice",
            f"dir {dir_}",
            "dbfilename dump.rdb",
            "save 3600 1 300 100 60 10000",
            "appendonly true" if mistake == "appendonly" else "appendonly yes",
            "appendfsync everysec",
            f"requirepass {pw}",
            f"masterauth {pw if mistake != 'masterauth' else password(rng)}",
            "min-replicas-to-write 1",
            "min-replicas-max-lag 10",
            "replica-read-only yes",
            f"maxmemory {self.profile['maxmemory']}",
            "maxmemory-policy " + self.profile["policy"],
            "repl-diskless-sync yes",
            "lazyfree-lazy-eviction yes",
        ]
        if replicaof:
            lines.append(f"replicaof {replicaof[0]} {replicaof[1]}")
        if mistake == "maxmemory":
            lines.append("maxmemory 1.5gb")
        # Directives sit between the comment paragraphs, as in the stock file.
        chunks = head.split("\n\n")
        step = max(1, len(chunks) // (len(lines) + 1))
        out = []
        li = 0
        for i, c in enumerate(chunks):
            if c:
                out.append(c + "\n\n")
            if i % step == step - 1 and li < len(lines):
                out.append(lines[li] + "\n\n")
                li += 1
        out.extend(l + "\n" for l in lines[li:])
        return "".join(out)

    def sentinel_conf(self, name, host, port, quorum, pw, mistake=None, hostnames=False):
        rng = self.rng
        size = rng.choice([0, 500, 6_000, 14_000])
        head = self.text.comments(rng, size, sentinel=True)
        auth = pw if mistake != "auth-pass" else password(rng)
        lines = ["port 26379", "daemonize no", "dir /tmp"]
        if hostnames and mistake != "resolve-hostnames":
            lines += ["sentinel resolve-hostnames yes", "sentinel announce-hostnames yes"]
        lines += [
            f"sentinel monitor {name} {host} {port} {quorum}",
            f"sentinel auth-pass {name} {auth}",
            f"sentinel down-after-milliseconds {name} "
            + ("5s" if mistake == "down-after" else str(self.profile["down_after"])),
            f"sentinel failover-timeout {name} {self.profile['failover_timeout']}",
            f"sentinel parallel-syncs {name} 1",
        ]
        return head + "\n".join(lines) + "\n"

    def unit(self, sentinel, conf, mistake=None):
        rng = self.rng
        binary = "/usr/bin/redis-sentinel" if sentinel else "/usr/bin/redis-server"
        typ = "notify"
        sup = " --supervised systemd --daemonize no"
        if mistake == "notify":
            sup = ""
        rw = "-/etc/redis" if sentinel else "-/var/lib/redis"
        return f"""[Unit]
Description=Advanced key-value store{' (sentinel)' if sentinel else ''}
After=network.target
Documentation=https://redis.io/documentation, man:redis-server(1)

[Service]
Type={typ}
ExecStart={binary} {conf}{sup}
PIDFile=/run/redis/redis-{'sentinel' if sentinel else 'server'}.pid
TimeoutStopSec=0
Restart=always
User=redis
Group=redis
RuntimeDirectory=redis
RuntimeDirectoryMode=2755
UMask=007
PrivateTmp=true
LimitNOFILE={rng.choice([65535, 100000])}
PrivateDevices=true
ProtectHome=true
ProtectSystem=strict
ReadWritePaths=-/var/lib/redis
ReadWritePaths=-/var/log/redis
ReadWritePaths=-/run/redis
ReadWriteDirectories={rw}
NoNewPrivileges=true
CapabilityBoundingSet=
LockPersonality=true
MemoryDenyWriteExecute=true
RestrictRealtime=true
RestrictSUIDSGID=true
ProtectClock=true
ProtectControlGroups=true
ProtectKernelLogs=true
ProtectKernelModules=true
ProtectKernelTunables=true
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
SystemCallArchitectures=native

[Install]
WantedBy=multi-user.target
"""

    def conf_deployment(self, n, mistake):
        rng = self.rng
        base = f"conf/{self.dirname(n)}"
        net = f"10.{(n >> 8) & 255}.{n & 255}"
        pw = password(rng)
        name = rng.choice(["mymaster", "cache", "sessions", "queue"]) + f"-{n}"
        master = f"{net}.10"
        for i, role in enumerate(["redis-master", "redis-replica-1", "redis-replica-2"]):
            text = self.redis_conf(6379, pw, None if i == 0 else (master, 6379), mistake if i == 2 else None)
            self.write("conf", f"{base}/{role}/etc/redis/redis.conf", text)
        sentinels = 2 if mistake == "two-sentinels" else (4 if mistake == "four-sentinels" else 3)
        for i in range(sentinels):
            text = self.sentinel_conf(name, master, 6379, 2, pw, mistake if i == 0 else None)
            self.write("conf", f"{base}/sentinel-{i + 1}/etc/redis/sentinel.conf", text)
        for role in ["redis-master", "redis-replica-1", "redis-replica-2"]:
            self.write("systemd", f"{base}/{role}/etc/systemd/system/redis-server.service",
                       self.unit(False, "/etc/redis/redis.conf", mistake if role == "redis-master" else None))
            self.write("systemd", f"{base}/{role}/etc/systemd/system/redis-server.service.d/override.conf",
                       f"[Service]\nLimitNOFILE=65535\nMemoryMax={rng.choice(['8G', '12G'])}\n")
        for i in range(sentinels):
            self.write("systemd", f"{base}/sentinel-{i + 1}/etc/systemd/system/redis-sentinel.service",
                       self.unit(True, "/etc/redis/sentinel.conf"))
        script = f"""#!/bin/bash
# Adds a replica of deployment {n} on the hosts given: config, then restart.
set -euo pipefail

CONFIG_DIR="/etc/redis"

for host in "$@"; do
    ssh "root@$host" bash <<EOF
        cat > ${{CONFIG_DIR}}/redis.conf <<'CONF'
port 6379
dir /var/lib/redis
appendonly yes
replicaof {master} 6379
requirepass {pw}
masterauth {pw}
min-replicas-to-write 1
min-replicas-max-lag 10
maxmemory {self.profile['maxmemory']}
maxmemory-policy {self.profile['policy']}
CONF
        chown redis:redis ${{CONFIG_DIR}}/redis.conf
        systemctl restart redis-server
EOF
done
"""
        self.write("shell", f"{base}/add-replica.sh", script)

    # ---------------------------------------------------------------- compose
    def compose_deployment(self, n, mistake):
        rng = self.rng
        base = f"compose/{self.dirname(n)}"
        pw = password(rng)
        name = "mymaster"
        image = rng.choice(["redis:7.2", "redis:7.0", "valkey/valkey:8.0", "bitnami/redis:7.2"])
        services = ["# Redis with sentinels on one compose network.\nservices:\n"]
        services.append(f"""  redis-master:
    image: {image}
    command: redis-server /usr/local/etc/redis/redis.conf
    environment:
      REDISCLI_AUTH: ${{REDIS_PASSWORD}}
    healthcheck:
      test: ["CMD", "redis-cli", "ping"]
      interval: 5s
      timeout: 3s
      retries: 5
    volumes:
      - ./redis:/usr/local/etc/redis
      - master-data:/data
""")
        for r in range(1, rng.choice([2, 3]) + 1):
            services.append(f"""  redis-replica-{r}:
    image: {image}
    command: >
      redis-server
      --replicaof redis-master 6379
      --requirepass ${{REDIS_PASSWORD}}
      --masterauth ${{REDIS_PASSWORD}}
      --min-replicas-to-write 1
      --min-replicas-max-lag 10
      --maxmemory {self.profile['maxmemory']}
      --maxmemory-policy {self.profile['policy']}
      --appendonly {'true' if mistake == 'appendonly' else 'yes'}
    depends_on:
      redis-master:
        condition: service_healthy
""")
        sentinels = 2 if mistake == "two-sentinels" else (4 if mistake == "four-sentinels" else 3)
        for s in range(1, sentinels + 1):
            services.append(f"""  sentinel-{s}:
    image: {image}
    command: redis-sentinel /etc/redis/sentinel.conf
    depends_on:
      redis-master:
        condition: service_healthy
    volumes:
      - ./sentinel-{s}:/etc/redis
""")
            self.write("conf", f"{base}/sentinel-{s}/sentinel.conf",
                       self.sentinel_conf(name, "redis-master", 6379, 2, pw,
                                          mistake if s == 1 else None, hostnames=True))
        # Application services that do not run Redis, as in real compose files.
        for app in range(rng.randint(1, 4)):
            services.append(f"""  app-{app}:
    image: example/app-{app}:{rng.randint(1, 40)}.{rng.randint(0, 9)}
    environment:
      REDIS_SENTINELS: sentinel-1:26379,sentinel-2:26379
      REDIS_MASTER_NAME: {name}
      LOG_LEVEL: info
    ports:
      - "{8000 + app}:8080"
    depends_on:
      - sentinel-1
""")
        services.append("volumes:\n  master-data:\n")
        self.write("compose", f"{base}/docker-compose.yml", "".join(services))
        self.write("compose", f"{base}/.env", f"REDIS_PASSWORD={pw}\n")
        self.write("conf", f"{base}/redis/redis.conf",
                   self.redis_conf(6379, pw, None, None, dir_="/data"))

    # ---------------------------------------------------------------- kubernetes
    def k8s_deployment(self, n, mistake):
        rng = self.rng
        base = f"kubernetes/{self.dirname(n)}"
        ns = rng.choice(["cache", "redis", "sessions", "queue"]) + f"-{n}"
        pw = password(rng)
        sentinels = 2 if mistake == "two-sentinels" else (4 if mistake == "four-sentinels" else 3)
        host = f"redis-0.redis-headless.{ns}.svc.cluster.local"
        redis_conf = self.redis_conf(6379, pw, None, mistake, dir_="/data")
        sentinel_conf = self.sentinel_conf("mymaster", host, 6379, 2, pw, mistake, hostnames=True)
        indent = lambda t: "".join("    " + l + "\n" if l else "\n" for l in t.split("\n")[:-1])
        docs = {}
        docs["namespace"] = f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n"
        docs["secret"] = f"""apiVersion: v1
kind: Secret
metadata:
  name: redis-config
  namespace: {ns}
stringData:
  password: {pw}
  sentinel.conf: |
{indent(sentinel_conf)}"""
        docs["configmap"] = f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: redis-conf
  namespace: {ns}
  labels:
    app.kubernetes.io/name: redis
    app.kubernetes.io/part-of: dep-{n}
data:
  redis.conf: |
{indent(redis_conf)}"""
        docs["services"] = f"""apiVersion: v1
kind: Service
metadata:
  name: redis-headless
  namespace: {ns}
spec:
  clusterIP: None
  publishNotReadyAddresses: true
  selector:
    app: redis
  ports:
  - {{name: redis, port: 6379}}
---
apiVersion: v1
kind: Service
metadata:
  name: sentinel
  namespace: {ns}
spec:
  clusterIP: None
  publishNotReadyAddresses: true
  selector:
    app: sentinel
  ports:
  - {{name: sentinel, port: 26379}}
"""
        docs["pdb"] = "".join(f"""---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {app}
  namespace: {ns}
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      app: {app}
""" for app in ["redis", "sentinel"])[4:]
        docs["redis"] = f"""apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: redis
  namespace: {ns}
spec:
  serviceName: redis-headless
  replicas: 3
  selector:
    matchLabels:
      app: redis
  template:
    metadata:
      labels:
        app: redis
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - topologyKey: kubernetes.io/hostname
            labelSelector:
              matchLabels:
                app: redis
      initContainers:
      - name: config
        image: redis:7.2
        command: [sh, -c, "cp /template/redis.conf /data/redis.conf"]
        volumeMounts:
        - {{name: template, mountPath: /template}}
        - {{name: data, mountPath: /data}}
      containers:
      - name: redis
        image: redis:7.2
        command:
        - sh
        - -c
        - |
          MASTER=""
          for i in 1 2 3 4 5; do
            MASTER=$(redis-cli -h sentinel.{ns}.svc.cluster.local -p 26379 SENTINEL get-master-addr-by-name mymaster | head -n 1)
            [ -n "$MASTER" ] && break
            sleep 2
          done
          ARGS=""
          if [ -n "$MASTER" ]; then
            ARGS="--replicaof $MASTER 6379"
          elif [ "${{HOSTNAME##*-}}" != "0" ]; then
            ARGS="--replicaof {host} 6379"
          fi
          exec redis-server /data/redis.conf $ARGS
        env:
        - name: REDISCLI_AUTH
          valueFrom:
            secretKeyRef: {{name: redis-config, key: password}}
        resources:
          requests: {{cpu: 100m, memory: 512Mi}}
          limits: {{memory: 6Gi}}
        volumeMounts:
        - {{name: data, mountPath: /data}}
        startupProbe:
          exec:
            command: [sh, -c, 'test "$(redis-cli ping)" = PONG']
          periodSeconds: 10
          failureThreshold: 60
        livenessProbe:
          exec:
            command: [sh, -c, 'r="$(redis-cli ping)"; [ "$r" = PONG ] || echo "$r" | grep -q LOADING']
        readinessProbe:
          exec:
            command: [sh, -c, 'test "$(redis-cli ping)" = PONG']
      volumes:
      - name: template
        configMap: {{name: redis-conf}}
  volumeClaimTemplates:
  - metadata: {{name: data}}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {{requests: {{storage: 10Gi}}}}
"""
        docs["sentinel"] = f"""apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: sentinel
  namespace: {ns}
spec:
  serviceName: sentinel
  replicas: {sentinels}
  selector:
    matchLabels:
      app: sentinel
  template:
    metadata:
      labels:
        app: sentinel
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - topologyKey: kubernetes.io/hostname
            labelSelector:
              matchLabels:
                app: sentinel
      initContainers:
      - name: config
        image: redis:7.2
        command: [sh, -c, "test -f /data/sentinel.conf || cp /template/sentinel.conf /data/sentinel.conf"]
        volumeMounts:
        - {{name: template, mountPath: /template}}
        - {{name: data, mountPath: /data}}
      containers:
      - name: sentinel
        image: redis:7.2
        command: [redis-sentinel, /data/sentinel.conf]
        volumeMounts:
        - {{name: data, mountPath: /data}}
        readinessProbe:
          exec:
            command: [sh, -c, 'test "$(redis-cli -p 26379 ping)" = PONG']
      volumes:
      - name: template
        secret: {{secretName: redis-config}}
  volumeClaimTemplates:
  - metadata: {{name: data}}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {{requests: {{storage: 1Gi}}}}
"""
        if rng.random() < 0.5:
            self.write("kubernetes", f"{base}/redis-sentinel.yaml",
                       "---\n".join(docs[k] for k in ["namespace", "secret", "configmap", "services",
                                                      "pdb", "redis", "sentinel"]))
        else:
            for k, v in docs.items():
                self.write("kubernetes", f"{base}/{k}.yaml", v)
            self.write("kubernetes", f"{base}/kustomization.yaml",
                       "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                       f"namespace: {ns}\nresources:\n"
                       + "".join(f"- {k}.yaml\n" for k in docs))

    # ---------------------------------------------------------------- operators
    def operator_deployment(self, n, mistake):
        rng = self.rng
        base = f"operators/{self.dirname(n)}"
        ns = f"op-{n}"
        pw = password(rng)
        size = 2 if mistake in ("two-sentinels",) else (4 if mistake == "four-sentinels" else 3)
        which = n % 4
        if which == 0:
            self.write("operators", f"{base}/redisfailover.yaml", f"""apiVersion: v1
kind: Secret
metadata:
  name: redis-auth
  namespace: {ns}
type: Opaque
stringData:
  password: {pw}
---
apiVersion: databases.spotahome.com/v1
kind: RedisFailover
metadata:
  name: redisfailover
  namespace: {ns}
spec:
  sentinel:
    replicas: {size}
    customConfig:
      - "down-after-milliseconds 5000"
      - "failover-timeout 10000"
      - "parallel-syncs 1"
    resources:
      requests: {{cpu: 100m}}
      limits: {{memory: 100Mi}}
  redis:
    replicas: 3
    customConfig:
      - "maxmemory 1gb"
      - "maxmemory-policy allkeys-lru"
      - "appendonly {'true' if mistake == 'appendonly' else 'yes'}"
    resources:
      requests: {{cpu: 100m, memory: 1500Mi}}
      limits: {{cpu: 400m, memory: 1500Mi}}
    storage:
      keepAfterDeletion: true
      persistentVolumeClaim:
        metadata:
          name: redis-data
        spec:
          accessModes: [ReadWriteOnce]
          resources:
            requests:
              storage: 10Gi
  auth:
    secretPath: redis-auth
""")
        elif which == 1:
            self.write("operators", f"{base}/redis-replication.yaml", f"""apiVersion: v1
kind: Secret
metadata:
  name: redis-secret
  namespace: {ns}
type: Opaque
data:
  password: Y2hhbmdlLW1l
---
apiVersion: redis.redis.opstreelabs.in/v1beta2
kind: RedisReplication
metadata:
  name: redis-replication
  namespace: {ns}
spec:
  clusterSize: 3
  kubernetesConfig:
    image: quay.io/opstree/redis:v7.0.15
    imagePullPolicy: IfNotPresent
    resources:
      requests: {{cpu: 101m, memory: 128Mi}}
      limits: {{cpu: 101m, memory: 128Mi}}
    redisSecret:
      name: redis-secret
      key: password
  redisConfig:
    maxMemoryPercentOfLimit: 80
  storage:
    volumeClaimTemplate:
      spec:
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: 10Gi
  pdb:
    enabled: true
    maxUnavailable: 1
""")
            self.write("operators", f"{base}/redis-sentinel.yaml", f"""apiVersion: redis.redis.opstreelabs.in/v1beta2
kind: RedisSentinel
metadata:
  name: redis-sentinel
  namespace: {ns}
spec:
  clusterSize: {size}
  kubernetesConfig:
    image: quay.io/opstree/redis-sentinel:v7.0.15
    redisSecret:
      name: redis-secret
      key: password
  redisSentinelConfig:
    redisReplicationName: redis-replication
    masterGroupName: "mymaster"
    redisPort: "6379"
    quorum: "2"
    downAfterMilliseconds: "5000"
    failoverTimeout: "10000"
    parallelSyncs: "1"
    redisReplicationPassword:
      secretKeyRef:
        name: redis-secret
        key: password
  pdb:
    enabled: true
""")
        elif which == 2:
            self.write("operators", f"{base}/rec.yaml", f"""apiVersion: app.redislabs.com/v1
kind: RedisEnterpriseCluster
metadata:
  name: rec
  namespace: {ns}
spec:
  nodes: {size}
  persistentSpec:
    enabled: true
    storageClassName: gp3
    volumeSize: 100Gi
  redisEnterpriseNodeResources:
    limits: {{cpu: "4", memory: 16Gi}}
    requests: {{cpu: "4", memory: 16Gi}}
""")
        else:
            values = f"""# bitnami/redis values for deployment {n}
architecture: replication
auth:
  enabled: true
  existingSecret: redis-auth
  existingSecretPasswordKey: password
master:
  persistence:
    enabled: true
    size: 8Gi
replica:
  replicaCount: {size}
  persistence:
    enabled: true
    size: 8Gi
  resources:
    requests: {{cpu: 250m, memory: 256Mi}}
sentinel:
  enabled: true
  masterSet: mymaster
  quorum: 2
  downAfterMilliseconds: 60000
  failoverTimeout: 180000
metrics:
  enabled: {rng.choice(['true', 'false'])}
"""
            self.write("operators", f"{base}/values.yaml", values)
            self.write("operators", f"{base}/helmrelease.yaml", f"""apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: redis
  namespace: {ns}
spec:
  interval: 10m
  chart:
    spec:
      chart: redis
      version: "19.x"
      sourceRef:
        kind: HelmRepository
        name: bitnami
  values:
    architecture: replication
    auth:
      existingSecret: redis-auth
    replica:
      replicaCount: {size}
    sentinel:
      enabled: true
      quorum: 2
""")


MISTAKES = ["two-sentinels", "four-sentinels", "auth-pass", "appendonly", "down-after",
            "masterauth", "maxmemory", "resolve-hostnames", "notify"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=9)
    ap.add_argument("--min-files", type=int, default=20_000)
    ap.add_argument("--min-mb", type=float, default=200)
    args = ap.parse_args()
    if os.path.exists(args.out):
        shutil.rmtree(args.out)
    g = Gen(args.out, args.seed)
    kinds = [g.conf_deployment, g.compose_deployment, g.k8s_deployment, g.operator_deployment]
    weights = [3, 3, 3, 2]
    n = 0
    while g.files < args.min_files or g.bytes < args.min_mb * 1e6:
        make = g.rng.choices(kinds, weights)[0]
        # Choices every file of one deployment shares.
        g.profile = {
            "maxmemory": g.rng.choice(["256mb", "1gb", "2gb", "4gb"]),
            "policy": g.rng.choice(["noeviction", "allkeys-lru", "volatile-lru"]),
            "down_after": g.rng.choice([5000, 10000, 15000]),
            "failover_timeout": g.rng.choice([60000, 90000]),
        }
        mistake = g.rng.choice(MISTAKES) if g.rng.random() < 0.16 else None
        make(n, mistake)
        n += 1
    print(f"{n} deployments, {g.files} files, {g.bytes / 1e6:.1f} MB in {args.out}")
    for kind, (files, size) in sorted(g.by_kind.items()):
        print(f"  {kind:<11} {files:>6} files {size / 1e6:>7.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
