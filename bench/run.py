#!/usr/bin/env python3
"""The redis-halint benchmark: every figure of BENCHMARKS.md, from one command.

    bench/run.py [--tree DIR] [--seed 9] [--runs 5] [--skip-peers] [--skip-criterion]

1. builds the release binary and examples/phases.rs;
2. generates the synthetic monorepo (bench/gen.py: >= 20,000 files, >= 200 MB) in DIR
   (default: /dev/shm/redis-halint-bench when /dev/shm exists, so the figures are the
   tool's and not the disk's; else target/bench/tree);
3. whole-tree `check`: wall time over --runs runs after a warm-up (hyperfine when
   installed), files/s, MB/s, user and system time and peak RSS (/usr/bin/time -v);
4. parsing alone: examples/phases.rs times read, parse, link, rules and render inside
   one process; the check's wall time is compared with read + parse;
5. cold single-file check: process start to exit on one stock-like redis.conf, one
   Kubernetes manifest and one compose file (hyperfine, or repeated runs);
6. per-format parse throughput: `cargo bench --bench parsers` (criterion);
7. language server: bench/lsp_recheck.py (one-character edits in 5,000-line files);
8. peers, on the Kubernetes + compose part of the same tree: checkov and yamllint, from
   PyPI into a scratch venv (target/bench/venv), and redis-halint on the same part;
9. copies: N = 1, 3, 10, 30 copies of a mixed deployment tree (the project's example
   deployments) in sibling folders with the same master names and hosts, as in a monorepo
   of examples: check time per copy must stay flat (`--only-copies` runs this alone).

Results: target/bench/results.json and a Markdown summary on stdout. Nothing here is
a test: the numbers are measured and printed, never asserted.
"""
import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "target", "bench")
BIN = os.path.join(ROOT, "target", "release", "redis-halint")
PHASES = os.path.join(ROOT, "target", "release", "examples", "phases")


def log(message):
    print("bench: " + message, file=sys.stderr, flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def machine():
    info = {"platform": platform.platform(), "python": platform.python_version()}
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for key in ["Model name", "CPU(s)", "Thread(s) per core", "CPU max MHz"]:
            m = re.search(r"^%s:\s*(.+)$" % re.escape(key), lscpu, re.M)
            if m:
                info[key] = m.group(1).strip()
    except FileNotFoundError:
        pass
    with open("/proc/meminfo") as f:
        info["MemTotal"] = f.readline().split(":")[1].strip()
    info["rustc"] = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    info["loadavg_at_start"] = open("/proc/loadavg").read().split()[:3]
    return info


def tree_stats(tree):
    files, size = 0, 0
    for dirpath, _, names in os.walk(tree):
        for n in names:
            files += 1
            size += os.path.getsize(os.path.join(dirpath, n))
    return files, size


def timed_runs(cmd, runs, warmup=1):
    """Wall times (s) of `cmd`: hyperfine when installed, else a loop."""
    if shutil.which("hyperfine"):
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
            export = f.name
        run(["hyperfine", "--shell=none", "--warmup", str(warmup), "--runs", str(runs), "-i",
             "--export-json", export, "--style", "none", " ".join(quote(c) for c in cmd)],
            stdout=subprocess.DEVNULL)
        with open(export) as f:
            result = json.load(f)["results"][0]
        os.unlink(export)
        return result["times"]
    for _ in range(warmup):
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return times


def quote(arg):
    return "'" + arg.replace("'", "'\\''") + "'" if re.search(r"[^\w./=-]", arg) else arg


def time_v(cmd):
    """/usr/bin/time -v: wall, user, sys (s) and max RSS (MB) of one run."""
    result = subprocess.run(["/usr/bin/time", "-v"] + cmd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    out = result.stderr

    def field(name):
        m = re.search(r"%s: (.+)" % re.escape(name), out)
        return m.group(1).strip() if m else None

    wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)")
    parts = [float(p) for p in wall.split(":")]
    seconds = parts[-1] + 60 * parts[-2] + (3600 * parts[-3] if len(parts) > 2 else 0)
    return {"wall_s": seconds, "user_s": float(field("User time (seconds)")),
            "sys_s": float(field("System time (seconds)")),
            "max_rss_mb": int(field("Maximum resident set size (kbytes)")) / 1024,
            "exit": result.returncode}


def stats(times):
    return {"n": len(times), "mean_s": statistics.mean(times), "median_s": statistics.median(times),
            "min_s": min(times), "max_s": max(times),
            "stddev_s": statistics.stdev(times) if len(times) > 1 else 0.0}


def criterion():
    """`cargo bench --bench parsers`: throughput per benchmark (MiB/s, middle estimate)."""
    out = subprocess.run(["cargo", "bench", "--bench", "parsers"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    results, name = {}, None
    for line in out.splitlines():
        m = re.match(r"^(\S+/\S+)\s*(time:.*)?$", line.strip())
        if m and "/" in m.group(1) and not line.startswith(" "):
            name = m.group(1)
        m = re.search(r"thrpt:\s*\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", line)
        if m and name:
            value, unit = float(m.group(1)), m.group(2)
            scale = {"KiB/s": 1 / 1024, "MiB/s": 1, "GiB/s": 1024, "B/s": 1 / 1048576}[unit]
            results[name] = round(value * scale, 1)
    return results, out


def peers(tree, runs):
    """checkov and yamllint from PyPI, and redis-halint, on the Kubernetes + compose part."""
    venv = os.path.join(OUT, "venv")
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(py):
        log("creating the scratch venv for checkov and yamllint (PyPI)")
        run([sys.executable, "-m", "venv", venv])
        run([py, "-m", "pip", "install", "-q", "--upgrade", "pip"])
        run([py, "-m", "pip", "install", "-q", "checkov", "yamllint"])
    versions = {"redis-halint": subprocess.run([BIN, "--version"], capture_output=True,
                                               text=True).stdout.strip()}
    for tool in ["checkov", "yamllint"]:
        v = subprocess.run([os.path.join(venv, "bin", tool), "--version"], capture_output=True,
                           text=True)
        versions[tool] = (v.stdout or v.stderr).strip().splitlines()[-1]
    part = [os.path.join(tree, "kubernetes"), os.path.join(tree, "compose")]
    files, size = 0, 0
    yaml_files, yaml_size = 0, 0
    for d in part:
        f, s = tree_stats(d)
        files, size = files + f, size + s
        for dirpath, _, names in os.walk(d):
            for n in names:
                if n.endswith((".yaml", ".yml")):
                    yaml_files += 1
                    yaml_size += os.path.getsize(os.path.join(dirpath, n))
    commands = {
        "redis-halint": [BIN, "check", "--output-format", "json", "--output-file", "/dev/null",
                         "--fail-on", "never"] + part,
        "yamllint": [os.path.join(venv, "bin", "yamllint"), "-f", "parsable"] + part,
        # The Kubernetes framework is checkov's only one for these files (it has none for
        # compose); no download of external data or guidelines.
        "checkov": [os.path.join(venv, "bin", "checkov"), "--framework", "kubernetes", "--quiet",
                    "--compact", "--skip-download", "-o", "json"]
        + [a for d in part for a in ("-d", d)],
    }
    results = {"part": ["kubernetes", "compose"], "files": files, "bytes": size,
               "yaml_files": yaml_files, "yaml_bytes": yaml_size, "versions": versions, "tools": {}}
    for name, cmd in commands.items():
        n = runs if name == "redis-halint" else 1
        log("peers: %s (%d run%s)" % (name, n, "s" if n > 1 else ""))
        env = dict(os.environ, BC_SKIP_MAPPING="TRUE", CHECKOV_RUN_SCA_PACKAGE_SCAN_V2="false")
        times = []
        for _ in range(n):
            started = time.perf_counter()
            done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
            times.append(time.perf_counter() - started)
        results["tools"][name] = {"median_s": statistics.median(times), "runs": n,
                                  "exit": done.returncode,
                                  "stderr_tail": done.stderr.decode(errors="replace")[-300:]}
    base = results["tools"]["redis-halint"]["median_s"]
    for name, r in results["tools"].items():
        r["ratio_to_redis_halint"] = round(r["median_s"] / base, 1)
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default_tree = "/dev/shm/redis-halint-bench" if os.access("/dev/shm", os.W_OK) \
        else os.path.join(OUT, "tree")
    ap.add_argument("--tree", default=default_tree)
    ap.add_argument("--seed", type=int, default=9)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--min-files", type=int, default=20000, help="tree size (bench/gen.py)")
    ap.add_argument("--min-mb", type=float, default=200, help="tree size (bench/gen.py)")
    ap.add_argument("--skip-peers", action="store_true")
    ap.add_argument("--skip-criterion", action="store_true")
    ap.add_argument("--only-copies", action="store_true", help="run step 9 alone")
    args = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    if args.only_copies:
        run(["cargo", "build", "--release", "--bin", "redis-halint"], cwd=ROOT)
        for row in copies(args.runs):
            print("| %d copies (%d files): median %.3f s, %.1f ms per copy, %d findings (%d per copy) |" % (
                row["copies"], row["files"], row["median_s"], row["ms_per_copy"], row["findings"],
                row["findings"] // row["copies"]))
        return 0
    results = {"machine": machine(), "tree_dir": args.tree, "seed": args.seed}

    log("building (release)")
    run(["cargo", "build", "--release", "--bin", "redis-halint", "--example", "phases"], cwd=ROOT)
    log("generating the tree in " + args.tree)
    run([sys.executable, os.path.join(ROOT, "bench", "gen.py"), args.tree, "--seed", str(args.seed),
         "--min-files", str(args.min_files), "--min-mb", str(args.min_mb)], stdout=sys.stderr)
    files, size = tree_stats(args.tree)
    results["tree"] = {"files": files, "bytes": size}

    check = [BIN, "check", "--output-format", "json", "--output-file", "/dev/null", "--fail-on", "never",
             args.tree]
    log("whole-tree check, %d runs" % args.runs)
    times = timed_runs(check, args.runs)
    rusage = time_v(check)
    phases = []
    for _ in range(args.runs):
        out = subprocess.run([PHASES, args.tree], capture_output=True, text=True, check=True).stdout
        phases.append(json.loads(out))
    checked_files = phases[0]["files"]
    median = statistics.median(times)
    phase_median = {k: statistics.median(p[k] for p in phases) for k in phases[0] if k.endswith("_ms")}
    parse_alone = phase_median["read_ms"] + phase_median["load_ms"] + phase_median["parse_ms"]
    results["whole_tree"] = {
        "wall": stats(times),
        "rusage_one_run": rusage,
        "files_read": checked_files,
        "files_per_s": checked_files / median,
        "mb_per_s": size / 1e6 / median,
        "input_mb": size / 1e6,
        "peak_rss_to_input": rusage["max_rss_mb"] * 1048576 / size,
        "phases_median_ms": phase_median,
        "phases_one_run": phases[-1],
        "parse_alone_ms": parse_alone,
        "total_to_parse_alone": median * 1000 / parse_alone,
    }

    log("scaling: the same generator at a quarter and half of the size")
    results["scaling"] = []
    for fraction in (0.25, 0.5):
        small = "%s-%d" % (args.tree, int(fraction * 100))
        run([sys.executable, os.path.join(ROOT, "bench", "gen.py"), small, "--seed", str(args.seed),
             "--min-files", str(int(args.min_files * fraction)), "--min-mb", str(args.min_mb * fraction)],
            stdout=sys.stderr)
        f, b = tree_stats(small)
        t = statistics.median(timed_runs(check[:-1] + [small], max(3, args.runs)))
        results["scaling"].append({"fraction": fraction, "files": f, "bytes": b, "median_s": t,
                                   "us_per_file": t / f * 1e6})
        shutil.rmtree(small)
    results["scaling"].append({"fraction": 1.0, "files": files, "bytes": size, "median_s": median,
                               "us_per_file": median / files * 1e6})

    log("cold single-file checks")
    # The largest master config of the first 20 conf deployments: a stock-like 100 kB file.
    confs = [os.path.join(args.tree, "conf", x, "redis-master/etc/redis/redis.conf")
             for x in sorted(os.listdir(os.path.join(args.tree, "conf")))[:20]]
    conf = max(confs, key=os.path.getsize)
    k8s_dir = sorted(os.listdir(os.path.join(args.tree, "kubernetes")))
    k8s = next(os.path.join(args.tree, "kubernetes", d, "redis-sentinel.yaml") for d in k8s_dir
               if os.path.exists(os.path.join(args.tree, "kubernetes", d, "redis-sentinel.yaml")))
    compose = os.path.join(args.tree, "compose", sorted(os.listdir(os.path.join(args.tree, "compose")))[0],
                           "docker-compose.yml")
    results["cold_single_file"] = {}
    for name, path in [("redis.conf", conf), ("kubernetes", k8s), ("compose", compose)]:
        cmd = [BIN, "check", "--fail-on", "never", path]
        t = timed_runs(cmd, 30, warmup=3)
        results["cold_single_file"][name] = dict(stats(t), bytes=os.path.getsize(path), path=path)

    if not args.skip_criterion:
        log("criterion: cargo bench --bench parsers")
        results["parse_throughput_mib_s"], raw = criterion()
        with open(os.path.join(OUT, "criterion.txt"), "w") as f:
            f.write(raw)

    log("language server")
    sys.path.insert(0, os.path.join(ROOT, "bench"))
    import lsp_recheck
    results["lsp"] = {"alone": lsp_recheck.measure(BIN, 40, 5000, None)}
    deployment = os.path.join(args.tree, "kubernetes", k8s_dir[0])
    results["lsp"]["in_a_deployment_folder"] = lsp_recheck.measure(BIN, 40, 5000, deployment)
    results["lsp"]["in_the_kubernetes_part"] = lsp_recheck.measure(
        BIN, 10, 5000, os.path.join(args.tree, "kubernetes"))

    log("copies of one mixed tree in sibling folders")
    results["copies"] = copies(args.runs)

    if not args.skip_peers:
        results["peers"] = peers(args.tree, args.runs)
    results["machine"]["loadavg_at_end"] = open("/proc/loadavg").read().split()[:3]

    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump(results, f, indent=2)
    print(summary(results))
    return 0


# Deployments of the project's own examples and tests: compose, Kubernetes, operators,
# conf files, systemd, bitnami values.
COPIED = ["fixtures/examples", "tests/data/one-host", "tests/data/compose-dockerfile",
          "tests/data/compose-scripts", "tests/data/operator-groups"]


def copies(runs):
    """Check time and findings for N copies of one tree in sibling folders."""
    rows = []
    with tempfile.TemporaryDirectory(dir="/dev/shm" if os.access("/dev/shm", os.W_OK) else None) as tmp:
        one = os.path.join(tmp, "one")
        for d in COPIED:
            shutil.copytree(os.path.join(ROOT, d), os.path.join(one, d.replace("/", "_")))
        for n in (1, 3, 10, 30):
            tree = os.path.join(tmp, "n%d" % n)
            for i in range(n):
                shutil.copytree(one, os.path.join(tree, "team%02d" % (i + 1)))
            cmd = [BIN, "check", "--output-format", "json", "--fail-on", "never", tree]
            t = statistics.median(timed_runs(cmd, max(3, runs)))
            out = subprocess.run(cmd, capture_output=True, text=True).stdout
            findings = len(json.loads(out)) if out.strip().startswith("[") else len(json.loads(out).get("diagnostics", []))
            files, _ = tree_stats(tree)
            rows.append({"copies": n, "files": files, "median_s": t, "ms_per_copy": t / n * 1000,
                         "findings": findings})
            shutil.rmtree(tree)
    return rows


def summary(r):
    w = r["whole_tree"]
    lines = ["## Results", "",
             "Tree: %d files, %.1f MB (%s); %d files read by redis-halint." % (
                 r["tree"]["files"], r["tree"]["bytes"] / 1e6, r["tree_dir"], w["files_read"]), "",
             "| measure | value | target |", "|---|---|---|",
             "| whole-tree check, median wall | %.2f s | |" % w["wall"]["median_s"],
             "| throughput | %.0f MB/s | >= 100 MB/s |" % w["mb_per_s"],
             "| files per second | %.0f files/s | >= 10,000 files/s |" % w["files_per_s"],
             "| parsing alone (read + parse, in-process) | %.0f ms | |" % w["parse_alone_ms"],
             "| total / parsing alone | %.2f x | <= 2 x |" % w["total_to_parse_alone"],
             "| peak RSS | %.0f MB (%.2f x the input) | < 2 x |" % (w["rusage_one_run"]["max_rss_mb"],
                                                                     w["peak_rss_to_input"])]
    for sc in r.get("scaling", []):
        lines.append("| scaling: %d%% of the tree (%d files), median | %.2f s (%.0f us per file) | near-linear |" % (
            sc["fraction"] * 100, sc["files"], sc["median_s"], sc["us_per_file"]))
    for c in r.get("copies", []):
        lines.append("| %d copies of a mixed tree (%d files), median | %.2f s (%.1f ms per copy, %d findings) | flat per copy |" % (
            c["copies"], c["files"], c["median_s"], c["ms_per_copy"], c["findings"]))
    for name, c in r["cold_single_file"].items():
        lines.append("| cold single file (%s, %d bytes), median | %.1f ms | < 10 ms |" % (
            name, c["bytes"], c["median_s"] * 1000))
    for where, res in r["lsp"].items():
        for name, f in res["files"].items():
            lines.append("| LSP re-check, %s, %s (5,000 lines), median / p95 | %.1f / %.1f ms | < 20 ms |" % (
                name, where.replace("_", " "), f["recheck_ms"]["median"], f["recheck_ms"]["p95"]))
            lines.append("| LSP edit to diagnostics incl. %d ms debounce, %s, %s, median | %.1f ms | |" % (
                res["debounce_ms"], name, where.replace("_", " "), f["end_to_end_ms"]["median"]))
    for name, v in r.get("parse_throughput_mib_s", {}).items():
        lines.append("| parse throughput %s (criterion) | %.0f MiB/s | |" % (name, v))
    if "peers" in r:
        p = r["peers"]
        lines += ["", "Peers on the Kubernetes + compose part (%d files, %.1f MB; %d YAML files, %.1f MB):" % (
            p["files"], p["bytes"] / 1e6, p["yaml_files"], p["yaml_bytes"] / 1e6), "",
            "| tool | version | wall | ratio to redis-halint |", "|---|---|---|---|"]
        for name, t in p["tools"].items():
            lines.append("| %s | %s | %.2f s | %.1f x |" % (name, p["versions"].get(name, "-"), t["median_s"],
                                                             t["ratio_to_redis_halint"]))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
