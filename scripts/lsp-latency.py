#!/usr/bin/env python3
"""Benchmark: time from didOpen of a 2,000-line redis.conf (and from an incremental change)
to the publishDiagnostics that answers it, through `redis-halint server` over stdio.

    scripts/lsp-latency.py BIN [--runs N] [--budget-ms MS]

Prints min / median / p95 / max. Exits 1 when the median didOpen latency is above the
budget (default 200 ms, the language server issue's target); single slow runs on a busy
machine do not fail it.
"""
import argparse
import json
import statistics
import subprocess
import sys
import time


def frame(message):
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class Server:
    def __init__(self, binary):
        self.proc = subprocess.Popen([binary, "server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.next_id = 0

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
        return json.loads(self.proc.stdout.read(length))

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

    def close(self):
        self.request("shutdown", None)
        self.notify("exit", None)
        self.proc.wait(timeout=10)


def big_conf(lines):
    out = []
    for i in range(lines - 2):
        out.append("# %d: commented-out defaults, as in the stock redis.conf" % i if i % 40 else "#### SECTION ####")
    out += ["port 6379", "appendonly true"]
    return "\n".join(out) + "\n"


def summary(name, samples):
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    print("%-28s n=%d min=%.1f ms median=%.1f ms p95=%.1f ms max=%.1f ms" % (
        name, len(samples), samples[0], statistics.median(samples), p95, samples[-1]))
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--budget-ms", type=float, default=200.0)
    args = parser.parse_args()
    text = big_conf(args.lines)
    server = Server(args.binary)
    server.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
    server.notify("initialized", {})
    opens, changes = [], []
    for run in range(args.runs):
        uri = "file:///bench/%d/redis.conf" % run
        started = time.perf_counter()
        server.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "redis", "version": 1, "text": text}})
        diagnostics = server.wait_diagnostics(uri, 1)
        opens.append((time.perf_counter() - started) * 1000)
        assert any(d["data"]["rule"] == "invalid-value" for d in diagnostics), diagnostics
        last = args.lines - 1
        started = time.perf_counter()
        server.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"range": {"start": {"line": last, "character": 11},
                                          "end": {"line": last, "character": 15}}, "text": "yes"}]})
        server.wait_diagnostics(uri, 2)
        changes.append((time.perf_counter() - started) * 1000)
        server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    server.close()
    median = summary("didOpen -> diagnostics", opens)
    summary("didChange -> diagnostics", changes)
    print("(didChange includes the %d ms debounce)" % 50)
    if median > args.budget_ms:
        print("FAILED: median didOpen latency %.1f ms is above %.0f ms" % (median, args.budget_ms))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
