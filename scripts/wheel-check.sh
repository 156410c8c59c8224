#!/usr/bin/env bash
# The PyPI package: build the wheel with maturin (pyproject.toml), install it into a fresh
# virtual environment without any index, and run the README's example with the
# installed binary (and the GitHub Action's install step against the same wheel).
#
# Usage: scripts/wheel-check.sh WHEEL_DIR
# Leaves the wheel in WHEEL_DIR (for scripts/pre-commit-check.sh).
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
WHEELS="${1:?usage: scripts/wheel-check.sh WHEEL_DIR}"
mkdir -p "$WHEELS"
WHEELS="$(cd "$WHEELS" && pwd)"
SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT
cd "$REPO"

echo "== maturin (in a scratch venv) builds the wheel"
python3 -m venv "$SCRATCH/build"
"$SCRATCH/build/bin/pip" install --quiet --disable-pip-version-check 'maturin>=1.5,<2'
rm -f "$WHEELS"/redis_halint-*.whl
# `--compatibility linux`: a wheel for this machine. Wheels for PyPI are built in the
# manylinux containers (maturin-action); the contents are the same.
"$SCRATCH/build/bin/maturin" build --release --locked --compatibility linux --out "$WHEELS"
WHEEL=$(ls "$WHEELS"/redis_halint-*.whl)
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
case "$(basename "$WHEEL")" in
    "redis_halint-$VERSION-"*) ;;
    *) echo "error: $WHEEL does not carry Cargo.toml's version $VERSION" >&2; exit 1 ;;
esac
echo "wheel: $WHEEL ($(du -h "$WHEEL" | cut -f1))"

echo "== fresh venv, installed from the wheel only (no index, no cargo)"
python3 -m venv "$SCRATCH/fresh"
env PATH="/usr/bin:/bin" "$SCRATCH/fresh/bin/python" -m pip install --quiet --disable-pip-version-check \
    --no-index --find-links "$WHEELS" "redis-halint==$VERSION"
INSTALLED="$SCRATCH/fresh/bin/redis-halint"
"$INSTALLED" --version

echo "== the README example with the installed binary"
set +e
"$INSTALLED" check fixtures/examples/deploy >"$SCRATCH/example.out"
status=$?
set -e
cat "$SCRATCH/example.out"
expected_findings=$("${CARGO_TARGET_DIR:-$REPO/target}/release/redis-halint" check --output-format concise fixtures/examples/deploy | wc -l || true)
got_findings=$("$INSTALLED" check --output-format concise fixtures/examples/deploy | wc -l || true)
if [ "$status" -ne 1 ] || [ "$got_findings" -eq 0 ] || [ "$got_findings" -ne "$expected_findings" ]; then
    echo "error: the installed binary gave exit $status and $got_findings finding(s); the cargo build gives $expected_findings" >&2
    exit 1
fi

echo "== action.yml's install step, with the wheel as the package index"
python3 - "$REPO/action.yml" >"$SCRATCH/install-step.sh" <<'PY'
import sys, yaml
steps = yaml.safe_load(open(sys.argv[1]))["runs"]["steps"]
print(next(s["run"] for s in steps if s.get("name") == "Install redis-halint"))
PY
: >"$SCRATCH/github_path"
env PATH="/usr/bin:/bin" VERSION="" ACTION_PATH="$REPO" RUNNER_TEMP="$SCRATCH" GITHUB_PATH="$SCRATCH/github_path" \
    PIP_NO_INDEX=1 PIP_FIND_LINKS="$WHEELS" bash -e "$SCRATCH/install-step.sh"
ACTION_BIN="$(cat "$SCRATCH/github_path")/redis-halint"
"$ACTION_BIN" --version
echo "wheel check passed: $got_findings finding(s) from the installed binary, as from the cargo build"
