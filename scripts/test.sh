#!/usr/bin/env bash
# The test command: formatting, lints, every contract built to a wasm the
# chain accepts, then every test of the workspace (unit, multitest, property,
# schema freshness).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$FOG_ROOT"

ensure_rust_wasm
ensure_node_tools
rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt clippy >&2

say "cargo fmt --check"
cargo fmt --all -- --check

say "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings

say "wasm build + cosmwasm-check"
scripts/build-wasm.sh

use_e2e_devnet
# The end-to-end tests run fog, fog-indexer and fog-relayer as processes.
cargo build --quiet -p fog-cli -p fog-indexer -p fog-relayer
trap '"$CARGO_TARGET_DIR/debug/fog" devnet down >/dev/null 2>&1 || true' EXIT

say "cargo test (unit, multitest, property, schema, end-to-end on the devnet)"
cargo test --workspace --quiet
say "all tests passed"
