#!/usr/bin/env bash
# Fuzz every target (or the ones named) for SECONDS each, one at a time, one worker.
#
#     fuzz/run.sh SECONDS [TARGET...]        targets: redis_conf yaml systemd shell check
#
# Seeds are made at run time in fuzz/corpus/<target>/ (not committed) from the
# project's fixtures and, when it exists, from ../shared/corpus (SHARED to change it).
# A crash leaves its input in fuzz/artifacts/<target>/ and makes the script fail.
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz --locked`).
# FUZZ_FLAGS go to `cargo fuzz build` and `cargo fuzz run`: CI uses
# "--dev --sanitizer none" (a build in a third of the time, for short runs); the long
# runs of BENCHMARKS.md use the default (release, AddressSanitizer).
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH="${1:?usage: fuzz/run.sh SECONDS [TARGET...]}"
shift
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(redis_conf yaml systemd shell check)
SHARED="${SHARED:-../shared}"

# --- seeds -----------------------------------------------------------------------
seed() { # seed TARGET FILE [SELECTOR]: copy FILE into the target's corpus (by content hash)
    local dir="fuzz/corpus/$1" file="$2" sum
    mkdir -p "$dir"
    sum=$(sha1sum "$file" | cut -c1-16)
    if [ $# -ge 3 ]; then
        # The check target reads its first byte as the file name to use.
        { printf "\\x$(printf %02x "$3")"; cat "$file"; } > "$dir/$sum-$3"
    else
        cp "$file" "$dir/$sum"
    fi
}
# Selectors of fuzz_targets/check.rs: 0 redis.conf, 1 sentinel.conf, 2 docker-compose.yml,
# 3 k8s/redis.yaml, 4 values.yaml, 5 a unit, 6 a drop-in, 7 deploy.sh.
seed_dir() {
    local root="$1"
    [ -d "$root" ] || return 0
    while IFS= read -r -d '' f; do
        case "$f" in
            *.service.d/*.conf) seed systemd "$f"; seed check "$f" 6 ;;
            *sentinel*.conf) seed redis_conf "$f"; seed check "$f" 1 ;;
            *.conf) seed redis_conf "$f"; seed check "$f" 0 ;;
            *compose*.yml | *compose*.yaml) seed yaml "$f"; seed check "$f" 2 ;;
            *values*.yaml | *values*.yml) seed yaml "$f"; seed check "$f" 4 ;;
            *.yaml | *.yml) seed yaml "$f"; seed check "$f" 3 ;;
            *.service) seed systemd "$f"; seed check "$f" 5 ;;
            *.sh) seed shell "$f"; seed check "$f" 7 ;;
        esac
    done < <(find "$root" -type f -size -200k -print0 | sort -z)
}
rm -rf fuzz/corpus
seed_dir fixtures
seed_dir "$SHARED/corpus"
# Scripts are few: YAML start scripts and compose commands are shell too.
for f in fuzz/corpus/yaml/*; do seed shell "$f"; done
for t in "${TARGETS[@]}"; do
    echo "fuzz/run.sh: $t: $(ls "fuzz/corpus/$t" 2>/dev/null | wc -l) seeds"
done

# --- fuzz --------------------------------------------------------------------------
read -r -a FLAGS <<< "${FUZZ_FLAGS:-}"
cargo +nightly fuzz build --fuzz-dir fuzz "${FLAGS[@]}"
failed=()
for t in "${TARGETS[@]}"; do
    mkdir -p "fuzz/artifacts/$t"
    echo "fuzz/run.sh: $t for ${SECONDS_EACH}s"
    # libFuzzer's default mode: one process, one thread. -timeout: an input that takes
    # 10 s is a hang; -rss_limit_mb: a memory bomb.
    if ! cargo +nightly fuzz run --fuzz-dir fuzz "${FLAGS[@]}" "$t" "fuzz/corpus/$t" -- \
        -max_total_time="$SECONDS_EACH" \
        -max_len=32768 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="fuzz/artifacts/$t/"; then
        failed+=("$t")
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz/run.sh: FAILED: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
    exit 1
fi
echo "fuzz/run.sh: no crash in ${TARGETS[*]}"
