#!/usr/bin/env python3
"""Convert every file of the shared corpus to every target (forced: ambiguities are
settled the documented way) and check each output. Fails on a panic, a hang, or an
output with any warning or error: what convert writes must be correct whatever it read.
Prints how many inputs converted per target."""
import collections, os, shutil, subprocess, sys, tempfile

binary, corpus = sys.argv[1], sys.argv[2]
TARGETS = ["k8s", "compose", "systemd", "spotahome", "opstree", "conf", "local"]
TIMEOUT = 10
failures = []
converted = collections.Counter()
inputs = 0
for fmt in sorted(os.listdir(corpus)):
    folder = os.path.join(corpus, fmt)
    if not os.path.isdir(folder):
        continue
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        inputs += 1
        for target in TARGETS:
            out = tempfile.mkdtemp()
            shutil.rmtree(out)
            try:
                proc = subprocess.run([binary, "convert", path, "--to", target, "--force", "--out", out],
                                      capture_output=True, timeout=TIMEOUT)
                if proc.returncode not in (0, 2) or b"panicked" in proc.stderr:
                    failures.append(f"{path} --to {target}: exit {proc.returncode}: {proc.stderr.decode(errors='replace')[-300:]}")
                    continue
                if proc.returncode == 2:
                    continue  # nothing to convert in this file
                converted[target] += 1
                check = subprocess.run([binary, "check", "--output-format", "concise", "--fail-on", "warning", out],
                                       capture_output=True, timeout=TIMEOUT)
                if check.returncode != 0:
                    failures.append(f"{path} --to {target}: the output has findings:\n{check.stdout.decode(errors='replace')[:600]}")
            except subprocess.TimeoutExpired:
                failures.append(f"{path} --to {target}: timed out")
            finally:
                shutil.rmtree(out, ignore_errors=True)
print(f"convert sweep: {inputs} corpus files")
for target in TARGETS:
    print(f"  --to {target}: {converted[target]} converted, every output checks clean" if not failures else f"  --to {target}: {converted[target]} converted")
for f in failures[:20]:
    print("FAIL:", f)
if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
