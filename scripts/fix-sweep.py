#!/usr/bin/env python3
"""`check --fix --unsafe-fixes` on copies of every fixture folder, every corpus file and
every real-world case, with a structural check of its own (independent of the fix loop's):

- the run never exits 2 (an internal error: a fix that changed more than it declares);
- lines a fix edit does not touch are kept;
- in YAML (parsed with PyYAML, not with redis-halint's parser) no mapping key disappears
  or is renamed, and a key or value appears or changes only on lines the fix wrote;
- no file gains an error or a fatal finding;
- a second `--fix` changes nothing.

Usage: fix-sweep.py BIN FIXTURES CORPUS [REALWORLD_CASES]"""
import difflib, json, os, shutil, subprocess, sys, tempfile

import yaml

binary, fixtures, corpus = sys.argv[1], sys.argv[2], sys.argv[3]
realworld = sys.argv[4] if len(sys.argv) > 4 else None


def findings(path):
    proc = subprocess.run([binary, "check", "--output-format", "json", "--fail-on", "never", path],
                          capture_output=True, timeout=60)
    return json.loads(proc.stdout or b"[]")


def run_fix(path):
    return subprocess.run([binary, "check", "--fix", "--unsafe-fixes", "--fail-on", "never",
                           "--output-format", "concise", path], capture_output=True, timeout=120)


def cases():
    for root, dirs, files in os.walk(fixtures):
        if files and not dirs:
            yield "dir", root
    for fmt in sorted(os.listdir(corpus)):
        folder = os.path.join(corpus, fmt)
        if os.path.isdir(folder):
            for name in sorted(os.listdir(folder)):
                yield "file", os.path.join(folder, name)
    if realworld:
        for name in sorted(os.listdir(realworld)):
            yield "dir", os.path.join(realworld, name)


def snapshot(work):
    out = {}
    for root, _, files in os.walk(work):
        for name in files:
            p = os.path.join(root, name)
            with open(p, "rb") as fh:
                out[p] = fh.read()
    return out


def edit_lines(before):
    """Old lines where any edit falls, insertions included (a block scalar changes when a
    line is inserted in it)."""
    lines = {}
    for f in before:
        for e in (f.get("fix") or {}).get("edits", []):
            lines.setdefault(e["file"], set()).update(range(e["line"], e["end_line"] + 1))
    return lines


def touched_lines(before):
    """Old lines each fix edit replaces or deletes (an insertion at a line start touches none)."""
    touched = {}
    for f in before:
        for e in (f.get("fix") or {}).get("edits", []):
            first, last = e["line"], e["end_line"]
            if e["end_column"] == 1 and last > first:
                last -= 1  # the range ends at the start of a line: that line is kept
            if e["line"] == e["end_line"] and e["column"] == e["end_column"] and e["column"] == 1:
                continue  # an insertion before a line
            touched.setdefault(e["file"], set()).update(range(first, last + 1))
    return touched


def yaml_flat(text):
    """Every mapping key and every scalar by path, with its 1-based line; None if unparsable."""
    try:
        docs = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError:
        return None
    keys, scalars = {}, {}

    def walk(node, path):
        if isinstance(node, yaml.ScalarNode):
            scalars[path] = (node.value, node.start_mark.line + 1, node.end_mark.line + 1)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, path + (i,))
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                key = k.value if isinstance(k, yaml.ScalarNode) else repr(k.start_mark)
                keys[path + (key,)] = k.start_mark.line + 1
                walk(v, path + (key,))

    for i, doc in enumerate(docs):
        if doc is not None:
            walk(doc, (f"doc{i}",))
    return keys, scalars


def show(path):
    return ".".join(str(p) for p in path[1:])


def compare(name, old, new, touched, marks):
    problems = []
    old_lines = old.decode(errors="replace").splitlines()
    new_lines = new.decode(errors="replace").splitlines()
    written = set()  # new lines (1-based) that the fix wrote
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            for n in range(i1 + 1, i2 + 1):
                if n not in touched:
                    problems.append(f"{name}: line {n} changed without an edit on it")
        if tag in ("replace", "insert"):
            written.update(range(j1 + 1, j2 + 1))
    if name.endswith((".yml", ".yaml")):
        before = yaml_flat(old.decode(errors="replace"))
        after = yaml_flat(new.decode(errors="replace"))
        if before is not None:
            if after is None:
                return problems + [f"{name}: the YAML no longer parses"]
            (ok, os_), (nk, ns) = before, after
            for path, line in ok.items():
                if path not in nk:
                    problems.append(f"{name}: key `{show(path)}` (line {line}) renamed or removed")
            for path, line in nk.items():
                if path not in ok and line not in written:
                    problems.append(f"{name}: key `{show(path)}` appeared on line {line}, not written by a fix")
            for path, (value, line, end) in os_.items():
                if ns.get(path, (None,))[0] != value and not marks.intersection(range(line, end + 1)):
                    problems.append(f"{name}: value at `{show(path)}` (line {line}) changed without an edit on it")
            for path, (value, line, _) in ns.items():
                if path not in os_ and line not in written:
                    problems.append(f"{name}: value at `{show(path)}` appeared on line {line}, not written by a fix")
    return problems


def per_file(found, key):
    counts = {}
    for f in found:
        if key(f):
            counts[f["file"]] = counts.get(f["file"], 0) + 1
    return counts


problems, fixed_files, cases_run = [], 0, 0
for kind, source in cases():
    cases_run += 1
    scratch = tempfile.mkdtemp()
    try:
        if kind == "dir":
            work = os.path.join(scratch, os.path.basename(source.rstrip("/")))
            shutil.copytree(source, work, symlinks=True)
        else:
            parts = os.path.basename(source).split("__")
            work = os.path.join(scratch, parts[-2] if len(parts) > 2 else "deploy")
            os.makedirs(work)
            shutil.copyfile(source, os.path.join(work, parts[-1]))
        before = findings(work)
        touched = touched_lines(before)
        marks = edit_lines(before)
        originals = snapshot(work)
        proc = run_fix(work)
        if proc.returncode == 2:
            err = proc.stderr.decode(errors="replace").strip().splitlines()
            problems.append(f"{source}: --fix exited 2: {' | '.join(err[-3:])}")
        fixed = snapshot(work)
        after = findings(work)
        for label, key in (("error", lambda f: f["severity"] == "error"), ("fatal", lambda f: f["fatal"])):
            b, a = per_file(before, key), per_file(after, key)
            for path, n in a.items():
                if n > b.get(path, 0):
                    problems.append(f"{source}: {os.path.basename(path)} gained {n - b.get(path, 0)} {label} finding(s) after --fix")
        for p, old in originals.items():
            new = fixed.get(p)
            if new is None:
                problems.append(f"{source}: {os.path.basename(p)} disappeared")
                continue
            if new == old:
                continue
            fixed_files += 1
            problems += [f"{source}: {x}" for x in compare(os.path.basename(p), old, new, touched.get(p, set()), marks.get(p, set()))]
        run_fix(work)
        if snapshot(work) != fixed:
            problems.append(f"{source}: a second --fix changed files again")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

print(f"fix sweep: {cases_run} cases, {fixed_files} files changed")
for p in problems:
    print("PROBLEM:", p)
sys.exit(1 if problems else 0)
