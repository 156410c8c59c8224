#!/usr/bin/env python3
"""Run redis-halint on every file of the shared corpus, one process per file with a
time limit. Fails on any panic or hang; prints per format the files read, the files
that could not be checked, and the number of findings per rule, for review of false
positives."""
import collections, json, os, shutil, subprocess, sys, tempfile

binary, corpus = sys.argv[1], sys.argv[2]
TIMEOUT = 10
panics, hangs = [], []
per_format = collections.defaultdict(lambda: {"files": 0, "checked": 0, "errors": [], "rules": collections.Counter()})
for fmt in sorted(os.listdir(corpus)):
    folder = os.path.join(corpus, fmt)
    if not os.path.isdir(folder):
        continue
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        stats = per_format[fmt]
        stats["files"] += 1
        # Corpus names are `owner__repo__dir__file`: check the file under its real name and
        # directory, as its users would, so classification by name is realistic.
        parts = name.split("__")
        scratch = tempfile.mkdtemp()
        real_dir = os.path.join(scratch, parts[-2] if len(parts) > 2 else "deploy")
        os.makedirs(real_dir)
        real = os.path.join(real_dir, parts[-1])
        shutil.copyfile(path, real)
        try:
            proc = subprocess.run([binary, "check", "--output-format", "json", "--fail-on", "never", real_dir],
                                  capture_output=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            hangs.append(path)
            continue
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        if proc.returncode not in (0, 1, 2) or b"panicked" in proc.stderr:
            panics.append((path, proc.returncode, proc.stderr.decode(errors="replace")[-400:]))
            continue
        if proc.returncode == 2:
            stats["errors"].append((name, proc.stderr.decode(errors="replace").strip()[:200]))
        try:
            findings = json.loads(proc.stdout or b"[]")
        except json.JSONDecodeError:
            panics.append((path, proc.returncode, "output is not JSON"))
            continue
        if findings or proc.returncode == 0:
            stats["checked"] += 1
        for f in findings:
            stats["rules"][f["rule"]] += 1
            if os.environ.get("SWEEP_VERBOSE"):
                print(f"   {name}:{f['line']}: {f['rule']}: {f['message'][:150]}")

for fmt, stats in sorted(per_format.items()):
    print(f"-- {fmt}: {stats['files']} files, {stats['checked']} read as Redis configs or clean, {len(stats['errors'])} unreadable")
    for name, err in stats["errors"]:
        print(f"   unreadable: {name}: {err}")
    for rule, count in stats["rules"].most_common():
        print(f"   {count:5d}  {rule}")
for path, code, err in panics:
    print(f"PANIC ({code}): {path}\n{err}")
for path in hangs:
    print(f"HANG (> {TIMEOUT}s): {path}")
if panics or hangs:
    sys.exit(1)
print("corpus sweep: no panic, no hang")
