#!/usr/bin/env python3
"""Check the shared corpus per source repository: every corpus file goes back to its
path in its repository (MANIFEST.tsv), each repository is checked as one tree, and the
findings are counted per rule.

usage: corpus-by-repo.py BIN CORPUS [--save FILE] [--compare FILE]
--save writes `rule<TAB>count` lines; --compare prints before, after and the change per
rule against such a file (and the rules that rose by more than 20%)."""
import collections, csv, json, os, shutil, subprocess, sys, tempfile

args = sys.argv[1:]
binary, corpus = args[0], args[1]
save = args[args.index("--save") + 1] if "--save" in args else None
compare = args[args.index("--compare") + 1] if "--compare" in args else None

repos = collections.defaultdict(list)
with open(os.path.join(corpus, "MANIFEST.tsv"), newline="", encoding="utf-8") as fh:
    for row in csv.DictReader(fh, delimiter="\t"):
        saved = os.path.join(corpus, row["kind"], row["saved_name"])
        if os.path.isfile(saved):
            repos[row["repo"]].append((saved, row["path"]))

counts = collections.Counter()
scratch = tempfile.mkdtemp()
try:
    for repo, files in sorted(repos.items()):
        root = os.path.join(scratch, repo.replace("/", "__"))
        for saved, path in files:
            target = os.path.join(root, path)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copyfile(saved, target)
        proc = subprocess.run([binary, "check", "--output-format", "json", "--fail-on", "never", root],
                              capture_output=True, timeout=60)
        if b"panicked" in proc.stderr:
            print(f"PANIC in {repo}", file=sys.stderr)
            sys.exit(1)
        for f in json.loads(proc.stdout or b"[]"):
            counts[f["rule"]] += 1
finally:
    shutil.rmtree(scratch, ignore_errors=True)

if save:
    with open(save, "w", encoding="utf-8") as fh:
        for rule, n in sorted(counts.items()):
            fh.write(f"{rule}\t{n}\n")
if compare:
    before = {}
    with open(compare, encoding="utf-8") as fh:
        for line in fh:
            rule, n = line.rstrip("\n").split("\t")
            before[rule] = int(n)
    print(f"{'rule':45s} {'before':>7s} {'after':>7s} {'change':>8s}")
    for rule in sorted(set(before) | set(counts)):
        b, a = before.get(rule, 0), counts.get(rule, 0)
        mark = "  (+>20%)" if a > b * 1.2 and a - b > 0 else ""
        print(f"{rule:45s} {b:7d} {a:7d} {a - b:+8d}{mark}")
    print(f"{'total':45s} {sum(before.values()):7d} {sum(counts.values()):7d} {sum(counts.values()) - sum(before.values()):+8d}")
elif not save:
    for rule, n in counts.most_common():
        print(f"{n:6d}  {rule}")
print(f"{len(repos)} repositories, {sum(counts.values())} findings", file=sys.stderr)
