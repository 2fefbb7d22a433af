#!/usr/bin/env bash
# Where the governance contracts' wasm bytes go: each contract built as
# scripts/build-wasm.sh builds it but with its function names kept (before
# wasm-opt), then its serde-json-wasm code summed by the message or storage
# module it is monomorphised on (docs/BENCHMARKS.md, Contract sizes).
#
# Usage: scripts/bench/wasm-breakdown.sh [crate...]   (default: fog-governance fog-ve)
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
cd "$FOG_ROOT"
CRATES=(fog-governance fog-ve)
[ $# -gt 0 ] && CRATES=("$@")
ensure_rust_wasm
target="$FOG_CACHE/wasm-names"
for crate in "${CRATES[@]}"; do
    say "$crate"
    CARGO_PROFILE_WASM_STRIP=none wasm_cargo_build -p "$crate" --target-dir "$target"
    python3 scripts/bench/wasm_breakdown.py "$target/wasm32-unknown-unknown/wasm/${crate//-/_}.wasm"
done
