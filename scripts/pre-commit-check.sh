#!/usr/bin/env bash
# End-to-end check of the pre-commit hook as users install it: from the wheel, with the
# real pre-commit (from PyPI), and no Rust toolchain in the hook's environment.
#   1. a scratch venv with pre-commit;
#   2. the hook repository scripts/pre-commit-mirror.sh writes (a `language: python`
#      hook that depends on the redis-halint wheel), committed in a scratch git repository;
#   3. a scratch repository holding a broken sentinel.conf (a host name in
#      `sentinel monitor` without `sentinel resolve-hostnames yes`) and a
#      .pre-commit-config.yaml that uses the hook;
#   4. `pre-commit install-hooks` with a PATH that has no cargo, the wheel found in
#      WHEEL_DIR (pip's --find-links); its time is printed;
#   5. `pre-commit run --all-files` must fail and show the finding;
#   6. `redis-halint check --fix` repairs the file, and the same run passes.
#
# Usage: scripts/pre-commit-check.sh REDIS_HALINT_BINARY WHEEL_DIR
# (scripts/wheel-check.sh builds WHEEL_DIR.)
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
BIN="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
WHEELS="$(cd "${2:?usage: scripts/pre-commit-check.sh BINARY WHEEL_DIR}" && pwd)"

SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT

echo "== pre-commit in a scratch venv"
python3 -m venv "$SCRATCH/venv"
"$SCRATCH/venv/bin/pip" install --quiet --disable-pip-version-check pre-commit
PRE_COMMIT="$SCRATCH/venv/bin/pre-commit"
export PRE_COMMIT_HOME="$SCRATCH/cache"

echo "== the hook repository (scripts/pre-commit-mirror.sh), committed"
MIRROR="$SCRATCH/mirror"
bash "$REPO/scripts/pre-commit-mirror.sh" "$MIRROR"
(
    cd "$MIRROR"
    git init --quiet
    git add -A
    git -c user.email=ci@example.invalid -c user.name=ci commit --quiet -m hook
)
REV=$(git -C "$MIRROR" rev-parse HEAD)

echo "== scratch repository with a broken sentinel.conf"
WORK="$SCRATCH/deploy"
mkdir -p "$WORK"
cd "$WORK"
git init --quiet
git config user.email ci@example.invalid
git config user.name ci
cat > sentinel.conf <<'CONF'
port 26379
sentinel monitor mymaster redis-master 6379 2
sentinel down-after-milliseconds mymaster 5000
CONF
cat > .pre-commit-config.yaml <<YAML
repos:
  - repo: $MIRROR
    rev: $REV
    hooks:
      - id: redis-halint
YAML
git add -A
git commit --quiet -m "broken sentinel.conf"

# The hook's environment: no cargo, no rustc. pip finds the wheel in WHEEL_DIR (the
# package is not on PyPI yet; setuptools, which builds the hook package, comes from it).
HOOK_PATH="$SCRATCH/venv/bin:$(dirname "$(command -v git)"):/usr/bin:/bin"
if PATH="$HOOK_PATH" command -v cargo >/dev/null || PATH="$HOOK_PATH" command -v rustc >/dev/null; then
    echo "error: the hook environment still has a Rust toolchain on PATH" >&2
    exit 1
fi
hook() {
    env PATH="$HOOK_PATH" PIP_FIND_LINKS="$WHEELS" CARGO=/nonexistent "$PRE_COMMIT" "$@"
}

echo "== pre-commit install-hooks (from the wheel, no cargo)"
start=$(date +%s.%N)
hook install-hooks
end=$(date +%s.%N)
INSTALLED=$(find "$PRE_COMMIT_HOME" -path '*/bin/redis-halint' -type f | head -n 1)
if [ -z "$INSTALLED" ]; then
    echo "error: the hook environment has no redis-halint binary" >&2
    exit 1
fi
echo "hook installed in $(python3 -c "print(f'{$end - $start:.1f}')") s: $INSTALLED ($("$INSTALLED" --version))"

echo "== pre-commit run: must fail with the finding"
set +e
hook run --all-files --verbose >"$SCRATCH/first.log" 2>&1
status=$?
set -e
cat "$SCRATCH/first.log"
if [ "$status" -eq 0 ]; then
    echo "error: the hook passed on a broken sentinel.conf" >&2
    exit 1
fi
if ! grep -q "hostname-monitor-without-resolve-hostnames" "$SCRATCH/first.log"; then
    echo "error: the hook failed, but not with the expected finding" >&2
    exit 1
fi

echo "== redis-halint check --fix"
"$BIN" check --fix sentinel.conf || true
git add -A
git commit --quiet -m "fixed by redis-halint"

echo "== pre-commit run: must pass now"
hook run --all-files --verbose
echo "pre-commit check passed (hook from the wheel, no cargo)"
