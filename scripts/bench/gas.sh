#!/usr/bin/env bash
# Gas of every user action on the real local chain: runs the end-to-end
# scenario (a fresh devnet) and prints the gas table for docs/BENCHMARKS.md.
# Gas is deterministic for a given state: one run per action is a measurement.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
cd "$FOG_ROOT"
export FOG_HOME=${FOG_HOME:-$CARGO_TARGET_DIR/e2e-fog}
export FOG_VENV=${FOG_VENV:-$FOG_CACHE/venv}
[ -f artifacts/checksums.txt ] || scripts/build-wasm.sh
cargo test --quiet -p fog-cli --test e2e scenario >&2
"$CARGO_TARGET_DIR/debug/fog" devnet down >/dev/null || true
python3 scripts/bench/gas_table.py "$FOG_HOME/e2e-gas.json"
