#!/usr/bin/env bash
# Builds every contract into a wasm the local chain accepts, like the
# CosmWasm optimizer does: artifacts/<crate>.wasm and artifacts/checksums.txt.
#
# rustc's default wasm32 output uses bulk-memory, sign-ext and reference-types
# instructions, which wasmvm 2.1 refuses; even with -C target-cpu=mvp the
# prebuilt standard library still has them. So the standard library is
# rebuilt for the MVP feature set (wasm_cargo_build in lib.sh), then the
# module is shrunk by binaryen with MVP features only (wasm_shrink), then
# cosmwasm-check validates it against the chain's capabilities.
#
# Usage: scripts/build-wasm.sh [crate...]   (default: every contract)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

CONTRACTS=(fog-token fog-ve fog-governance fog-release-gate fog-audit-anchor fog-registry)
[ $# -gt 0 ] && CONTRACTS=("$@")

ensure_rust_wasm
ensure_node_tools
ensure_cosmwasm_check

mkdir -p "$FOG_ROOT/artifacts"
out_dir="$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm"
for crate in "${CONTRACTS[@]}"; do
    # One cargo call per contract: a joint build would unify features, and
    # the `library` feature another contract enables on a dependency would
    # strip that contract's entry points.
    say "building $crate"
    (cd "$FOG_ROOT" && WASM_EXTRA_RUSTFLAGS="-C link-arg=-s" wasm_cargo_build -p "$crate")
    name=${crate//-/_}
    wasm_shrink "$out_dir/$name.wasm" "$FOG_ROOT/artifacts/$name.wasm"
    "$COSMWASM_CHECK" --available-capabilities "$CHAIN_CAPABILITIES" "$FOG_ROOT/artifacts/$name.wasm" >&2 \
        || die "$name.wasm fails cosmwasm-check"
done

cd "$FOG_ROOT/artifacts"
ls fog_*.wasm | sort | xargs sha256sum > checksums.txt
say "artifacts (bytes):"
for f in $(ls fog_*.wasm | sort); do
    printf '  %-26s %8d\n' "$f" "$(stat -c %s "$f")"
done
