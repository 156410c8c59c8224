#!/usr/bin/env python3
"""`check --fix --unsafe-fixes` on a copy of every fixture directory and every corpus
file: the result must parse no worse than before (no new fatal finding) and only lines
that a fix edit touched may change."""
import difflib, json, os, shutil, subprocess, sys, tempfile

binary, fixtures, corpus = sys.argv[1], sys.argv[2], sys.argv[3]

def findings(path):
    proc = subprocess.run([binary, "check", "--output-format", "json", "--fail-on", "never", path],
                          capture_output=True, timeout=30)
    return json.loads(proc.stdout or b"[]")

def cases():
    for root, dirs, files in os.walk(fixtures):
        if any(f.endswith(".conf") for f in files) and not dirs:
            yield root, None
    for fmt in sorted(os.listdir(corpus)):
        folder = os.path.join(corpus, fmt)
        if os.path.isdir(folder):
            for name in sorted(os.listdir(folder)):
                yield os.path.join(folder, name), name

problems, fixed_files, cases_run = [], 0, 0
for source, corpus_name in cases():
    cases_run += 1
    scratch = tempfile.mkdtemp()
    try:
        if corpus_name is None:
            work = os.path.join(scratch, os.path.basename(source))
            shutil.copytree(source, work)
        else:
            parts = corpus_name.split("__")
            work = os.path.join(scratch, parts[-2] if len(parts) > 2 else "deploy")
            os.makedirs(work)
            shutil.copyfile(source, os.path.join(work, parts[-1]))
        before = findings(work)
        touched = {}
        for f in before:
            for e in (f.get("fix") or {}).get("edits", []):
                touched.setdefault(e["file"], set()).update(range(e["line"], e["end_line"] + 1))
        originals = {}
        for root, _, files in os.walk(work):
            for name in files:
                p = os.path.join(root, name)
                with open(p, "rb") as fh:
                    originals[p] = fh.read()
        subprocess.run([binary, "check", "--fix", "--unsafe-fixes", "--fail-on", "never", "--output-format", "concise", work],
                       capture_output=True, timeout=60)
        after = findings(work)
        fatal_before = sum(1 for f in before if f["fatal"])
        fatal_after = sum(1 for f in after if f["fatal"])
        if fatal_after > fatal_before:
            problems.append(f"{source}: {fatal_after - fatal_before} new fatal finding(s) after --fix")
        for p, old in originals.items():
            with open(p, "rb") as fh:
                new = fh.read()
            if new == old:
                continue
            fixed_files += 1
            allowed = touched.get(p, set())
            old_lines = old.decode(errors="replace").splitlines()
            new_lines = new.decode(errors="replace").splitlines()
            matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
            for tag, i1, i2, _, _ in matcher.get_opcodes():
                if tag in ("replace", "delete"):
                    for line_no in range(i1 + 1, i2 + 1):
                        if line_no not in allowed:
                            problems.append(f"{source}: line {line_no} of {os.path.basename(p)} changed without an edit on it")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

print(f"fix sweep: {cases_run} cases, {fixed_files} files changed")
for p in problems:
    print("PROBLEM:", p)
sys.exit(1 if problems else 0)
