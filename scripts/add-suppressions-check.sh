#!/usr/bin/env bash
# Acceptance check of `check --add-suppressions`, on copies of the given trees:
#   1. each copy becomes a git repository (one commit);
#   2. `check --add-suppressions REASON` runs;
#   3. `git diff` may only add lines, and every added line is a suppression comment;
#   4. `check --fail-on info` then reports nothing (exit 0);
#   5. a second `--add-suppressions` changes nothing.
#
# Usage: scripts/add-suppressions-check.sh REDIS_HALINT_BINARY DIR...
set -euo pipefail

BIN="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
shift
REASON="adopted as is; review in TICKET-1"
SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT

for dir in "$@"; do
    name="$(basename "$dir")"
    work="$SCRATCH/$name"
    if [ -d "$dir" ]; then
        cp -R "$dir" "$work"
    else
        mkdir -p "$work" && cp "$dir" "$work/"
    fi
    (
        cd "$work"
        git init --quiet
        git config user.email ci@example.invalid
        git config user.name ci
        git add -A
        git commit --quiet -m original
        before=$("$BIN" check --fail-on never --statistics --output-format json . | python3 -c 'import json,sys; print(sum(r["count"] for r in json.load(sys.stdin)))')
        "$BIN" check --add-suppressions "$REASON" --fail-on never . >/dev/null 2>"$SCRATCH/$name.log"
        # Only added lines, each a suppression comment with the reason.
        removed=$(git diff --numstat | awk '{s += $2} END {print s + 0}')
        added=$(git diff --numstat | awk '{s += $1} END {print s + 0}')
        if [ "$removed" -ne 0 ]; then
            echo "error: $name: --add-suppressions removed or changed $removed line(s)" >&2
            git diff >&2
            exit 1
        fi
        other=$(git diff -U0 | grep '^+' | grep -v '^+++' | grep -v -E "^\+[[:space:]]*# redis-halint: ignore(-file)?\[[^]]+\] -- $REASON\r?$" || true)
        if [ -n "$other" ]; then
            echo "error: $name: added lines that are not suppressions:" >&2
            echo "$other" >&2
            exit 1
        fi
        if ! "$BIN" check --fail-on info --output-format concise . >"$SCRATCH/$name.after"; then
            echo "error: $name: check still reports after --add-suppressions:" >&2
            cat "$SCRATCH/$name.after" >&2
            exit 1
        fi
        snapshot=$(git diff | sha256sum)
        "$BIN" check --add-suppressions "$REASON" . >/dev/null 2>&1
        if [ "$(git diff | sha256sum)" != "$snapshot" ]; then
            echo "error: $name: the second run changed files" >&2
            exit 1
        fi
        echo "$name: $before finding(s) silenced by $added added comment line(s); check clean; second run: no change"
    )
done
