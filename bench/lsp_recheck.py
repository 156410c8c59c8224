#!/usr/bin/env python3
"""Language-server re-check latency after a one-character edit in a 5,000-line file.

    bench/lsp_recheck.py BIN [--runs 40] [--lines 5000] [--folder DIR] [--json]

Opens a 5,000-line redis.conf and a 5,000-line multi-document Kubernetes manifest (a
ConfigMap whose redis.conf is 5,000 lines) in `redis-halint server`, then, N times,
deletes or re-inserts one character (`appendonly yes` <-> `appendonly ye`, which makes
a finding appear or go away, so every edit is answered by a publishDiagnostics) and
measures:

- end to end: from sending didChange to receiving the publishDiagnostics of that
  version. This includes the server's 50 ms debounce (the quiet time it waits for the
  next keystroke before checking), which is a choice, not work;
- re-check: the time the server's worker spends checking, as it reports it in its
  `checked in X ms` log message (the edit applied, the whole workspace re-checked, the
  diagnostics converted).

With --folder, DIR is the workspace folder (its files are read from disk and re-checked
on every edit, as in an editor) and the two files are opened inside it.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

DEBOUNCE_MS = 50


def frame(message):
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class Server:
    def __init__(self, binary):
        self.proc = subprocess.Popen([binary, "server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.next_id = 0
        self.logs = []

    def send(self, message):
        self.proc.stdin.write(frame(message))
        self.proc.stdin.flush()

    def read(self):
        headers = b""
        while not headers.endswith(b"\r\n\r\n"):
            byte = self.proc.stdout.read(1)
            if not byte:
                raise SystemExit("server closed its output")
            headers += byte
        length = int(headers.split(b"Content-Length:")[1].split(b"\r\n")[0])
        message = json.loads(self.proc.stdout.read(length))
        if message.get("method") == "window/logMessage":
            self.logs.append(message["params"]["message"])
        return message

    def request(self, method, params):
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        while True:
            message = self.read()
            if message.get("id") == self.next_id and "method" not in message:
                return message

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait_diagnostics(self, uri, version):
        while True:
            message = self.read()
            params = message.get("params") or {}
            if message.get("method") == "textDocument/publishDiagnostics" and params.get("uri") == uri \
                    and params.get("version") == version:
                return params["diagnostics"]

    def wait_checked(self):
        """The duration of the check the server logs right after publishing."""
        while True:
            for i, line in enumerate(self.logs):
                m = re.match(r"checked in ([0-9.]+) ms", line)
                if m:
                    del self.logs[: i + 1]
                    return float(m.group(1))
            self.read()

    def close(self):
        self.request("shutdown", None)
        self.notify("exit", None)
        self.proc.wait(timeout=30)


WORDS = ("the replica master sentinel memory persistence snapshot append only file rewrite "
         "connections timeout seconds bytes buffer output limit failover quorum").split()


def conf_lines(lines, indent=""):
    """A stock-like redis.conf of `lines` lines: comment paragraphs, some directives.
    Returns (lines, index of the `appendonly yes` line)."""
    out = []
    directives = ["bind 0.0.0.0", "port 6379", "protected-mode yes", "dir /data", "save 3600 1",
                  "requirepass bench-pass-1", "masterauth bench-pass-1", "min-replicas-to-write 1",
                  "min-replicas-max-lag 10", "maxmemory 2gb", "maxmemory-policy allkeys-lru"]
    i = 0
    while len(out) < lines - 1:
        if i % 40 == 0 and directives:
            out.append(indent + directives.pop(0))
        elif i % 9 == 8:
            out.append(indent.rstrip() if indent else "")
        else:
            words = [WORDS[(i * 7 + k * 3) % len(WORDS)] for k in range(10)]
            out.append(indent + "# " + " ".join(words) + ".")
        i += 1
    target = len(out) // 2
    out.insert(target, indent + "appendonly yes")
    return out[:lines], target


def manifest(lines):
    head = ["apiVersion: v1", "kind: Namespace", "metadata:", "  name: cache", "---",
            "apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: redis-config",
            "  namespace: cache", "data:", "  redis.conf: |"]
    tail = ["---", "apiVersion: apps/v1", "kind: StatefulSet", "metadata:", "  name: redis",
            "  namespace: cache", "spec:", "  serviceName: redis", "  replicas: 3",
            "  selector: {matchLabels: {app: redis}}", "  template:",
            "    metadata: {labels: {app: redis}}", "    spec:", "      containers:",
            "      - name: redis", "        image: redis:7.2",
            "        command: [redis-server, /etc/redis/redis.conf]", "        volumeMounts:",
            "        - {name: config, mountPath: /etc/redis}", "      volumes:",
            "      - name: config", "        configMap: {name: redis-config}"]
    body, target = conf_lines(lines - len(head) - len(tail), indent="    ")
    return head + body + tail, len(head) + target


def summary(samples):
    samples = sorted(samples)
    return {
        "n": len(samples),
        "min": round(samples[0], 2),
        "median": round(statistics.median(samples), 2),
        "p95": round(samples[min(len(samples) - 1, int(len(samples) * 0.95))], 2),
        "max": round(samples[-1], 2),
    }


def measure(binary, runs, lines, folder):
    root = folder or tempfile.mkdtemp(prefix="halint-lsp-")
    server = Server(binary)
    init = {"processId": None, "capabilities": {}}
    if folder:
        init["workspaceFolders"] = [{"uri": "file://" + os.path.abspath(folder), "name": "bench"}]
        init["rootUri"] = "file://" + os.path.abspath(folder)
    else:
        init["rootUri"] = None
    server.request("initialize", init)
    server.notify("initialized", {})
    results = {}
    conf, conf_at = conf_lines(lines)
    yaml, yaml_at = manifest(lines)
    for name, file_lines, at, language in [("redis.conf", conf, conf_at, "redis"),
                                           ("k8s-manifest.yaml", yaml, yaml_at, "yaml")]:
        uri = "file://" + os.path.join(os.path.abspath(root), "lsp-bench", name)
        text = "\n".join(file_lines) + "\n"
        assert len(file_lines) == lines, (name, len(file_lines))
        server.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": language, "version": 1, "text": text}})
        server.wait_diagnostics(uri, 1)
        server.wait_checked()
        column = file_lines[at].index("appendonly yes") + len("appendonly ye")
        end_to_end, recheck = [], []
        for run in range(runs):
            version = run + 2
            # Odd runs delete the `s` of `yes`, even runs put it back.
            if run % 2 == 0:
                change = {"range": {"start": {"line": at, "character": column},
                                    "end": {"line": at, "character": column + 1}}, "text": ""}
            else:
                change = {"range": {"start": {"line": at, "character": column},
                                    "end": {"line": at, "character": column}}, "text": "s"}
            started = time.perf_counter()
            server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                      "contentChanges": [change]})
            server.wait_diagnostics(uri, version)
            end_to_end.append((time.perf_counter() - started) * 1000)
            recheck.append(server.wait_checked())
        server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        results[name] = {"lines": lines, "bytes": len(text), "end_to_end_ms": summary(end_to_end),
                         "recheck_ms": summary(recheck)}
    server.close()
    return {"debounce_ms": DEBOUNCE_MS, "folder": folder, "files": results}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--folder")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = measure(args.binary, args.runs, args.lines, args.folder)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    for name, r in result["files"].items():
        e, c = r["end_to_end_ms"], r["recheck_ms"]
        print("%-18s %d lines: re-check median %.1f ms (p95 %.1f, max %.1f); end to end median %.1f ms "
              "(includes the %d ms debounce)" % (name, r["lines"], c["median"], c["p95"], c["max"],
                                                   e["median"], result["debounce_ms"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
