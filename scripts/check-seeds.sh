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
    | awk '{print $NF}' | tr -d '"' | sort -u)
$(grep -rhoE -- '--(requirepass|masterauth)[[:space:]]+"?[^"[:space:]]+' "$SEEDS" | awk '{print $2}' | tr -d '"' | sort -u)
$(grep -rhoiE '(password|pass)[a-z_]*:[[:space:]]*"?[^"[:space:]#]+' "$SEEDS" | awk '{print $2}' | tr -d '"' | sort -u)"
passwords="$(printf '%s\n' "$passwords" | grep -v '^$' | sort -u)"
[ -n "$passwords" ] || fail "no passwords found in the seeds (the check would prove nothing)"
for format in full concise grouped json json-lines sarif github gitlab junit checkstyle; do
    text="$("$BIN" check --color never --output-format "$format" "$SEEDS" 2>&1 || true)"
    [ -n "$text" ] || fail "no $format output"
    while IFS= read -r pw; do
        if grep -qF -- "$pw" <<<"$text"; then fail "a password appears in the $format output"; fi
    done <<<"$passwords"
    echo "ok: no password in the $format output ($(wc -l <<<"$passwords") passwords checked)"
done

# The guide's systemd unit: /etc read-only for a Sentinel that must rewrite its config, and
# the deprecated MemoryLimit=.
unit="$SEEDS/systemd/redis-sentinel.service"
out="$("$BIN" check --output-format concise "$unit" || true)"
protect="$(grep -n '^ProtectSystem=' "$unit" | cut -d: -f1)"
echo "$out" | grep -q "redis-sentinel.service:$protect:[0-9]*: D001 \[systemd-sentinel-conf-readonly\]" \
    || fail "systemd-sentinel-conf-readonly not reported at ProtectSystem= (line $protect)"
echo "ok: systemd-sentinel-conf-readonly at line $protect"
limit="$(grep -n '^MemoryLimit=' "$unit" | cut -d: -f1)"
echo "$out" | grep -q "redis-sentinel.service:$limit:1: D005 \[systemd-memorylimit-deprecated\]" \
    || fail "systemd-memorylimit-deprecated not reported at MemoryLimit= (line $limit)"
echo "ok: systemd-memorylimit-deprecated at line $limit"

# The guide's deploy script: its here-document unit starts Sentinel as redis-server.
script="$SEEDS/scripts/deploy-redis-sentinel.sh"
out="$("$BIN" check --output-format concise "$script" || true)"
exec_line="$(grep -n '^ExecStart=.*redis-server' "$script" | cut -d: -f1)"
[ -n "$exec_line" ] || fail "no ExecStart= line in the seed script"
echo "$out" | grep -q "deploy-redis-sentinel.sh:$exec_line:[0-9]*: D007 \[sentinel-started-as-plain-server\]" \
    || fail "sentinel-started-as-plain-server not reported at the ExecStart= line ($exec_line)"
echo "ok: sentinel-started-as-plain-server at line $exec_line of the here-document"

# convert: the seed's docker deployment written as Kubernetes manifests. Its nodes and
# sentinels use different passwords, so convert refuses without --force; forced, it keeps
# the master's password source. The output (manifests, then the corrections) is compared
# with the reviewed copy, and must check with no warning.
ABS_BIN="$(realpath "$BIN")"
expected="$(realpath scripts/expected/seed-docker-to-k8s.txt)"
if (cd "$2" && "$ABS_BIN" convert seed-configs/docker --to k8s --out - >/dev/null 2>&1); then
    fail "convert accepted the seed's two passwords without --force"
fi
actual="$(cd "$2" && "$ABS_BIN" convert seed-configs/docker --to k8s --force --out - 2>&1)"
if [ "${UPDATE_EXPECTED:-}" = 1 ]; then printf '%s\n' "$actual" >"$expected"; fi
diff -u "$expected" <(printf '%s\n' "$actual") || fail "convert output differs from $expected"
echo "ok: seed docker deployment converted to k8s as expected"
converted="$(mktemp -d)"
(cd "$2" && "$ABS_BIN" convert seed-configs/docker --to k8s --force --out "$converted" >/dev/null)
"$BIN" check --fail-on warning "$converted" >/dev/null || fail "the converted seed has findings"
rm -rf "$converted"
echo "ok: the converted seed checks clean"
