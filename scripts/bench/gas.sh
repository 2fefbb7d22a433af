#!/usr/bin/env bash
# Gas of every user action on the real local chain: runs the end-to-end
# scenario twice on a fresh devnet, with fog's codes unpinned (as DAO DAO was
# measured) and pinned by the chain's governance (`fog devnet pin`), and
# prints the gas table for docs/BENCHMARKS.md. Gas is deterministic for a
# given state: one run per action is a measurement.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
cd "$FOG_ROOT"
use_e2e_devnet
[ -f artifacts/checksums.txt ] || scripts/build-wasm.sh
out=$(mktemp -d)
for pin in 0 1; do
    FOG_E2E_PIN=$pin cargo test --quiet -p fog-cli --test e2e scenario >&2
    cp "$FOG_HOME/e2e-gas.json" "$out/gas-$pin.json"
done
"$CARGO_TARGET_DIR/debug/fog" devnet down >/dev/null || true
python3 scripts/bench/gas_table.py "$out/gas-0.json" "$out/gas-1.json"
