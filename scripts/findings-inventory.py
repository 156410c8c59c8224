#!/usr/bin/env python3
"""Every finding redis-halint reports on fixtures/, the seed configs and the corpus, as
`rule<TAB>file<TAB>line` rows (file relative to its root, so the list is the same on
every machine).

    findings-inventory.py BIN SHARED --write FILE     record the current findings
    findings-inventory.py BIN SHARED --compare FILE   fail on any recorded finding that
                                                      is no longer reported

A recorded finding still counts when the same rule, or the successor of a retired rule
(`redis-halint rule --redirects`), is reported at the same file and line. A finding that
disappears on purpose is listed with its reason in scripts/expected/findings-gone.tsv.
"""
import json, os, shutil, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
GONE = os.path.join(HERE, "expected", "findings-gone.tsv")


def run(binary, target, root):
    proc = subprocess.run([binary, "check", "--output-format", "json", "--fail-on", "never", target],
                          capture_output=True, timeout=60)
    if proc.returncode not in (0, 1, 2):
        sys.exit(f"{target}: exit {proc.returncode}: {proc.stderr.decode(errors='replace')[-300:]}")
    rows = set()
    for f in json.loads(proc.stdout or b"[]"):
        rows.add((f["rule"], os.path.relpath(os.path.abspath(f["file"]), root), f["line"]))
    return rows


def inventory(binary, shared):
    rows = set()
    fixtures = os.path.join(os.path.dirname(HERE), "fixtures")
    for rule in sorted(os.listdir(fixtures)):
        for case in sorted(os.listdir(os.path.join(fixtures, rule))):
            path = os.path.join(fixtures, rule, case)
            if os.path.isdir(path):
                rows |= {(r, "fixtures/" + f, l) for r, f, l in run(binary, path, fixtures)}
    seeds = os.path.join(shared, "seed-configs")
    rows |= {(r, "seed-configs/" + f, l) for r, f, l in run(binary, seeds, seeds)}
    corpus = os.path.join(shared, "corpus")
    for fmt in sorted(os.listdir(corpus)):
        folder = os.path.join(corpus, fmt)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            # As the corpus sweep does: the file under its real name and directory.
            parts = name.split("__")
            scratch = tempfile.mkdtemp()
            try:
                real_dir = os.path.join(scratch, parts[-2] if len(parts) > 2 else "deploy")
                os.makedirs(real_dir)
                shutil.copyfile(os.path.join(folder, name), os.path.join(real_dir, parts[-1]))
                for r, _, l in run(binary, real_dir, real_dir):
                    rows.add((r, f"corpus/{fmt}/{name}", l))
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
    return rows


def redirects(binary):
    out = subprocess.run([binary, "rule", "--redirects"], capture_output=True, text=True, check=True).stdout
    table = {}
    for line in out.splitlines():
        old, _, new = line.partition("\t")
        if new:
            table[old] = new.split(",")
    return table


def main():
    binary, shared, mode, path = sys.argv[1:5]
    now = inventory(binary, shared)
    if mode == "--write":
        with open(path, "w") as f:
            for rule, file, line in sorted(now):
                f.write(f"{rule}\t{file}\t{line}\n")
        print(f"{len(now)} findings written to {path}")
        return
    successors = redirects(binary)
    gone_ok = set()
    if os.path.exists(GONE):
        for line in open(GONE):
            if line.strip() and not line.startswith("#"):
                rule, file, lineno, _reason = line.rstrip("\n").split("\t", 3)
                gone_ok.add((rule, file, int(lineno)))
    missing = []
    recorded = 0
    for line in open(path):
        rule, file, lineno = line.rstrip("\n").split("\t")
        recorded += 1
        key = (rule, file, int(lineno))
        names = [rule] + successors.get(rule, [])
        if any((n, file, int(lineno)) in now for n in names) or key in gone_ok:
            continue
        missing.append(key)
    for rule, file, lineno in missing:
        print(f"DISAPPEARED: {file}:{lineno}: {rule}")
    print(f"{recorded} recorded findings, {len(missing)} disappeared, {len(now)} reported now")
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main()
