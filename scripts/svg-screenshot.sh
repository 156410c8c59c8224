#!/usr/bin/env bash
# Render `redis-halint topology --format svg` of fixtures/examples/deploy in headless
# Chromium (Debian's `chromium` package) and keep the PNG as an artefact:
# target/artifacts/topology.png. Fails when Chromium reports an error or the PNG is
# missing or empty.
#
# Usage: scripts/svg-screenshot.sh [BIN]   (BIN: a built redis-halint; default: cargo build)
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${1:-}
fixture=fixtures/examples/deploy
out_dir=target/artifacts
mkdir -p "$out_dir"

if ! command -v chromium >/dev/null 2>&1; then
    echo "svg-screenshot: chromium not found; installing Debian's chromium" >&2
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

if [ -z "$bin" ]; then
    cargo build --quiet --bin redis-halint
    bin="${CARGO_TARGET_DIR:-$PWD/target}/debug/redis-halint"
fi
svg="$PWD/$out_dir/topology.svg"
png="$PWD/$out_dir/topology.png"
log="$out_dir/chromium.log"
if [ -n "${SVG_SCREENSHOT_INPUT:-}" ]; then
    cp "$SVG_SCREENSHOT_INPUT" "$svg" # check a given SVG instead (to test this script)
else
    "$bin" topology "$fixture" --format svg >"$svg"
fi
head -c 4 "$svg" | grep -q '<svg' || { echo "svg-screenshot: not an SVG: $svg" >&2; exit 1; }

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
rm -f "$png"
status=0
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --screenshot="$png" --window-size=1200,800 \
    "file://$svg" >"$log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
    cat "$log" >&2
    echo "svg-screenshot: chromium exited with $status" >&2
    exit 1
fi
# Chromium logs `ERROR:` lines for page and rendering failures (XML parse errors of the
# SVG among them). Errors of the sandbox-less container environment (D-Bus, the crash
# reporter, GPU probing) are not about the picture.
errors=$(grep -E 'ERROR|error on line|This page contains the following errors' "$log" \
    | grep -vE 'dbus|bus\.cc|object_proxy|crashpad|gpu|GPU|viz_main|angle|vaapi|gl_|egl|Fontconfig|sandbox|gcm|chrome_browser_cloud_management|policy' || true)
if [ -n "$errors" ]; then
    cat "$log" >&2
    echo "svg-screenshot: chromium reported errors:" >&2
    echo "$errors" >&2
    exit 1
fi
# A malformed SVG still gives a screenshot (of Chromium's XML error page): the DOM tells.
dom=$(timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --dump-dom "file://$svg" 2>>"$log") || {
    cat "$log" >&2
    echo "svg-screenshot: chromium --dump-dom failed" >&2
    exit 1
}
if printf '%s' "$dom" | grep -q 'parsererror'; then
    printf '%s\n' "$dom" | grep -o '<parsererror.*</parsererror>' >&2 || true
    echo "svg-screenshot: chromium could not parse $svg" >&2
    exit 1
fi
if ! printf '%s' "$dom" | grep -q '<svg'; then
    echo "svg-screenshot: chromium's DOM holds no <svg> element" >&2
    exit 1
fi
if [ ! -s "$png" ]; then
    cat "$log" >&2
    echo "svg-screenshot: no screenshot written to $png" >&2
    exit 1
fi
echo "svg-screenshot: wrote $png ($(wc -c <"$png") bytes)"
