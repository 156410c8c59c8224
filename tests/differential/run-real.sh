#!/usr/bin/env bash
# Run every differential variant against the real redis-server / redis-sentinel
# binaries and record whether each one is refused or accepted at startup.
#
# Usage: tests/differential/run-real.sh [VARIANT_NAME...]
#   env: REDIS_SERVER (default /usr/bin/redis-server)
#        REDIS_SENTINEL (default /usr/bin/redis-sentinel)
#        BASE_PORT (default 41000; variant i uses BASE_PORT+i, must stay < 42000)
#        OUT (default tests/differential/expected.tsv)
#
# Output: TSV with columns variant, mode, verdict, message
#   verdict "refused"  = the process exited with a non-zero status
#   verdict "accepted" = it printed "Ready to accept connections" /
#                        "Sentinel ID is", or was still running after 5 s,
#                        or exited with status 0
#   message = the line after ">>>" in the FATAL CONFIG FILE ERROR block, or the
#             last log line before the exit (log prefix stripped); empty when accepted.
set -u

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
variants_dir="$here/variants"
REDIS_SERVER="${REDIS_SERVER:-/usr/bin/redis-server}"
REDIS_SENTINEL="${REDIS_SENTINEL:-/usr/bin/redis-sentinel}"
BASE_PORT="${BASE_PORT:-41000}"
OUT="${OUT:-$here/expected.tsv}"
TIMEOUT_TENTHS=50   # 5 seconds

for bin in "$REDIS_SERVER" "$REDIS_SENTINEL"; do
    if [ ! -x "$bin" ]; then
        echo "run-real.sh: $bin not found or not executable" >&2
        exit 2
    fi
done

# Extract the explanatory message from a captured log.
extract_message() {
    local log="$1" msg
    # FATAL CONFIG FILE ERROR block: the line right after the ">>> '...'" line.
    msg="$(awk 'found { print; exit } /^>>> / { found = 1 }' "$log")"
    if [ -z "$msg" ]; then
        # Otherwise the last non-empty log line, without "PID:R dd Mon yyyy hh:mm:ss.mmm # ".
        msg="$(grep -v '^[[:space:]]*$' "$log" | tail -n 1 |
            sed -E 's/^[0-9]+:[A-Z] [0-9]+ [A-Za-z]+ [0-9]+ [0-9:.]+ [-*#.] //')"
    fi
    # Keep the TSV well-formed.
    printf '%s' "$msg" | tr '\t\r\n' '   '
}

# run_one NAME INDEX -> prints one TSV row
run_one() {
    local name="$1" idx="$2" dir="$variants_dir/$1"
    local files file mode bin port tmp log pid status verdict msg i
    files=("$dir"/*)
    if [ "${#files[@]}" -ne 1 ] || [ ! -f "${files[0]}" ]; then
        echo "run-real.sh: $name must contain exactly one file" >&2
        return 1
    fi
    file="$(basename "${files[0]}")"
    case "$file" in
        redis.conf) mode=server; bin="$REDIS_SERVER" ;;
        sentinel.conf) mode=sentinel; bin="$REDIS_SENTINEL" ;;
        *) echo "run-real.sh: $name: unexpected file $file" >&2; return 1 ;;
    esac
    port=$((BASE_PORT + idx))
    if [ "$port" -gt 41999 ]; then
        echo "run-real.sh: port $port out of the 41000-41999 range" >&2
        return 1
    fi

    tmp="$(mktemp -d "${TMPDIR:-/tmp}/halint-diff.XXXXXX")"
    cp "$dir/$file" "$tmp/$file"
    log="$tmp.log"
    (cd "$tmp" && exec "$bin" "$tmp/$file" --port "$port" --bind 127.0.0.1) \
        </dev/null >"$log" 2>&1 &
    pid=$!

    status=""
    for ((i = 0; i < TIMEOUT_TENTHS; i++)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid"; status=$?
            break
        fi
        if grep -q -e 'Ready to accept connections' -e 'Sentinel ID is' "$log"; then
            break
        fi
        sleep 0.1
    done
    if [ -z "$status" ]; then
        # Still running (ready or timed out): it was accepted. Kill exactly our PID.
        # It may have exited between the last check and now: then use its status.
        if kill -0 "$pid" 2>/dev/null; then
            kill -9 "$pid" 2>/dev/null
            wait "$pid" 2>/dev/null
            status=0
        else
            wait "$pid"; status=$?
        fi
    fi

    if [ "$status" -ne 0 ]; then
        verdict=refused
        msg="$(extract_message "$log")"
    else
        verdict=accepted
        msg=""
    fi
    if [ -n "${KEEP_LOGS:-}" ]; then
        mkdir -p "$KEEP_LOGS" && cp "$log" "$KEEP_LOGS/$name.log"
    fi
    rm -rf "$tmp" "$log"
    printf '%s\t%s\t%s\t%s\n' "$name" "$mode" "$verdict" "$msg"
}

mapfile -t all < <(cd "$variants_dir" && ls -1d -- */ | sed 's:/$::' | LC_ALL=C sort)
if [ "$#" -gt 0 ]; then
    selected=("$@")
else
    selected=("${all[@]}")
fi

tmp_out="$(mktemp "${TMPDIR:-/tmp}/halint-diff-out.XXXXXX")"
printf 'variant\tmode\tverdict\tmessage\n' >"$tmp_out"
rc=0
for name in "${selected[@]}"; do
    idx=-1
    for j in "${!all[@]}"; do
        if [ "${all[$j]}" = "$name" ]; then idx=$j; break; fi
    done
    if [ "$idx" -lt 0 ]; then
        echo "run-real.sh: no such variant $name" >&2; rc=1; continue
    fi
    row="$(run_one "$name" "$idx")" || { rc=1; continue; }
    printf '%s\n' "$row" >>"$tmp_out"
    printf '%s\n' "$row" | cut -f1-3 >&2
done

if [ "$#" -gt 0 ]; then
    # Partial run: print instead of overwriting expected.tsv.
    cat "$tmp_out"
    rm -f "$tmp_out"
else
    mv "$tmp_out" "$OUT"
    refused=$(awk -F'\t' 'NR > 1 && $3 == "refused"' "$OUT" | wc -l)
    accepted=$(awk -F'\t' 'NR > 1 && $3 == "accepted"' "$OUT" | wc -l)
    echo "wrote $OUT: $((refused + accepted)) variants, $refused refused, $accepted accepted" >&2
fi
exit "$rc"
