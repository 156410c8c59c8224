#!/usr/bin/env bash
# Builds the playground: the engine to WebAssembly (playground/wasm, a plain C ABI, no
# wasm-bindgen), copied next to index.html. The page is then static: serve the
# directory with any file server (`python3 -m http.server -d playground`); nothing is
# downloaded at run time.
set -euo pipefail
cd "$(dirname "$0")"
TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/../target}/playground"
rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$' \
    || rustup target add wasm32-unknown-unknown
cargo build --manifest-path wasm/Cargo.toml --locked --release \
    --target wasm32-unknown-unknown --target-dir "$TARGET_DIR"
cp "$TARGET_DIR/wasm32-unknown-unknown/release/redis_halint_playground.wasm" .
echo "playground/redis_halint_playground.wasm: $(du -h redis_halint_playground.wasm | cut -f1)"
