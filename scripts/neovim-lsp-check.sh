#!/usr/bin/env bash
# A real editor as the LSP client: headless Neovim, configured with editors/neovim, opens a
# fixture, waits for redis-halint's diagnostics, prints them and checks the rule names.
#
#   scripts/neovim-lsp-check.sh [BIN] [FIXTURE] [EXPECTED-RULE...]
#
# BIN defaults to the release binary; FIXTURE to the example deployment's sentinel-1.conf
# (its folder is the workspace folder, so cross-file findings are computed with its
# siblings on disk).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
BIN="${1:-${CARGO_TARGET_DIR:-$ROOT/target}/release/redis-halint}"
FIXTURE="${2:-fixtures/examples/deploy/sentinel-1.conf}"
shift $(( $# > 2 ? 2 : $# ))
EXPECTED=("$@")
if [ ${#EXPECTED[@]} -eq 0 ]; then
    EXPECTED=(hostname-monitor-without-resolve-hostnames sentinel-auth-pass-mismatch)
fi
command -v nvim >/dev/null || { echo "neovim-lsp-check: nvim not found (apt-get install neovim)" >&2; exit 1; }
[ -x "$BIN" ] || { echo "neovim-lsp-check: $BIN is not an executable" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
OUT="$WORK/diagnostics.txt"

cat > "$WORK/init.lua" <<LUA
vim.opt.runtimepath:prepend("$ROOT/editors/neovim")
require("redis_halint").setup({
  cmd = { "$BIN", "server" },
  root_dir = function(path) return vim.fn.fnamemodify(path, ":p:h") end,
})
LUA

cat > "$WORK/check.lua" <<'LUA'
local out = assert(io.open(os.getenv("NVIM_CHECK_OUT"), "w"))
local bufnr = vim.api.nvim_get_current_buf()
local ok = vim.wait(20000, function()
  return #vim.diagnostic.get(bufnr) > 0
end, 50)
-- Let a second publish (cross-file findings come with the first check) settle.
vim.wait(300, function() return false end, 50)
out:write(("nvim %s, filetype=%s, clients=%d\n"):format(
  tostring(vim.version().major .. "." .. vim.version().minor .. "." .. vim.version().patch),
  vim.bo[bufnr].filetype, #vim.lsp.get_active_clients()))
for _, d in ipairs(vim.diagnostic.get(bufnr)) do
  local lsp = (d.user_data or {}).lsp or {}
  local rule = (lsp.data or {}).rule or "?"
  local code = d.code or lsp.code or "?"
  local message = d.message:gsub("\n.*", "")
  out:write(("%d:%d %s %s %s\n"):format(d.lnum + 1, d.col + 1, code, rule, message))
end
out:close()
if ok then vim.cmd("qa!") else vim.cmd("cquit 1") end
LUA

status=0
NVIM_CHECK_OUT="$OUT" timeout 60 nvim --headless -n -i NONE -u "$WORK/init.lua" \
    "$FIXTURE" -c "luafile $WORK/check.lua" </dev/null >/dev/null 2>"$WORK/stderr" || status=$?
echo "== diagnostics Neovim received for $FIXTURE"
cat "$OUT" 2>/dev/null || true
if [ "$status" -ne 0 ]; then
    echo "neovim-lsp-check: FAILED: nvim exited with $status (no diagnostics?)" >&2
    cat "$WORK/stderr" >&2
    exit 1
fi
missing=0
for rule in "${EXPECTED[@]}"; do
    if grep -q " $rule " "$OUT"; then
        echo "ok: $rule"
    else
        echo "neovim-lsp-check: FAILED: expected a $rule diagnostic" >&2
        missing=1
    fi
done
exit "$missing"
