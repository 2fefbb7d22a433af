#!/usr/bin/env bash
# The size every contract carries before its own code: a contract with all
# four entry points and no logic (`Empty` messages), on the workspace's
# cosmwasm-std and [profile.wasm], compiled and shrunk exactly as
# scripts/build-wasm.sh compiles fog's contracts (docs/BENCHMARKS.md,
# Contract sizes).
#
# Usage: scripts/bench/wasm-floor.sh
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
ensure_rust_wasm
ensure_node_tools

crate="$FOG_CACHE/wasm-floor"
mkdir -p "$crate/src"
{
    printf '[package]\nname = "wasm-floor"\nversion = "0.0.0"\nedition = "2021"\n\n'
    printf '[lib]\ncrate-type = ["cdylib"]\n\n[workspace]\n\n[dependencies]\n'
    grep '^cosmwasm-std = ' "$FOG_ROOT/Cargo.toml"
    echo
    # The workspace's profile, verbatim: from its header to the next section.
    awk '/^\[profile\.wasm\]/ { on = 1; print; next } /^\[/ { on = 0 } on' "$FOG_ROOT/Cargo.toml"
} > "$crate/Cargo.toml"
cat > "$crate/src/lib.rs" <<'RS'
use cosmwasm_std::{entry_point, Binary, Deps, DepsMut, Empty, Env, MessageInfo, Response, StdResult};

#[entry_point]
pub fn instantiate(_: DepsMut, _: Env, _: MessageInfo, _: Empty) -> StdResult<Response> {
    Ok(Response::new())
}

#[entry_point]
pub fn execute(_: DepsMut, _: Env, _: MessageInfo, _: Empty) -> StdResult<Response> {
    Ok(Response::new())
}

#[entry_point]
pub fn query(_: Deps, _: Env, _: Empty) -> StdResult<Binary> {
    Ok(Binary::default())
}

#[entry_point]
pub fn migrate(_: DepsMut, _: Env, _: Empty) -> StdResult<Response> {
    Ok(Response::new())
}
RS
# The workspace's lock file, so cosmwasm-std's own dependencies are the
# versions fog's contracts are built with.
cp "$FOG_ROOT/Cargo.lock" "$crate/Cargo.lock"
target="$FOG_CACHE/wasm-floor-target"
(cd "$crate" && WASM_EXTRA_RUSTFLAGS="-C link-arg=-s" wasm_cargo_build --target-dir "$target")
wasm_shrink "$target/wasm32-unknown-unknown/wasm/wasm_floor.wasm" "$crate/wasm_floor.wasm"
printf 'an empty contract (cosmwasm-std %s): %d bytes\n' \
    "$(grep -A1 'name = "cosmwasm-std"' "$crate/Cargo.lock" | sed -n 's/version = "\(.*\)"/\1/p')" \
    "$(stat -c %s "$crate/wasm_floor.wasm")"
