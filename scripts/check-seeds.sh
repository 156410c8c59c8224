#!/usr/bin/env bash
# Acceptance checks on the seed guides' configurations (../shared/seed-configs):
# the invented sentinel options are reported at their lines, and no password from the
# seed files appears in any output format.
set -euo pipefail
BIN="$1"
SEEDS="$2/seed-configs"
fail() { echo "FAIL: $*" >&2; exit 1; }

prod="$SEEDS/sentinel-production.conf"
out="$("$BIN" check --output-format concise "$prod" || true)"
for option in replica-validity-time script-max-execution-time; do
    line="$(grep -n "^sentinel $option" "$prod" | cut -d: -f1)"
    echo "$out" | grep -q "sentinel-production.conf:$line:10: S002 \[unknown-sentinel-directive\]" \
        || fail "sentinel $option (line $line) not reported"
    echo "ok: sentinel $option reported at line $line"
done

# Every literal password in the seeds, from the directives that hold one.
passwords="$(grep -rhoE '^[[:space:]]*(requirepass|masterauth|sentinel auth-pass [^ ]+|sentinel sentinel-pass)[[:space:]]+[^[:space:]#]+' "$SEEDS" \
    | awk '{print $NF}' | tr -d '"' | sort -u)"
[ -n "$passwords" ] || fail "no passwords found in the seeds (the check would prove nothing)"
for format in full concise grouped json json-lines sarif github gitlab junit checkstyle; do
    text="$("$BIN" check --color never --output-format "$format" "$SEEDS" 2>&1 || true)"
    [ -n "$text" ] || fail "no $format output"
    while IFS= read -r pw; do
        if grep -qF -- "$pw" <<<"$text"; then fail "a password appears in the $format output"; fi
    done <<<"$passwords"
    echo "ok: no password in the $format output ($(wc -l <<<"$passwords") passwords checked)"
done
