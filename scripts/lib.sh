# Shared by fog's scripts: where caches and tools live, and how to get them.
# Source it; it defines functions and variables only.

FOG_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Caches that may outlive a clone (CI keeps them between runs).
FOG_CACHE=${FOG_CACHE:-$HOME/.cache/fog}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$FOG_ROOT/target}
COSMWASM_CHECK_VERSION=3.0.10
# The capabilities of the local chain (wasmvm 2.1): contracts needing
# anything else (cosmwasm_2_2, ...) are refused there.
CHAIN_CAPABILITIES=iterator,staking,stargate,cosmwasm_1_1,cosmwasm_1_2,cosmwasm_1_3,cosmwasm_1_4,cosmwasm_2_0,cosmwasm_2_1

# Each step with the seconds since the script started, so a slow CI run
# shows where its time went.
say() { printf '\033[1m==> [%ss] %s\033[0m\n' "$SECONDS" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The devnet the end-to-end tests start in $FOG_HOME (they reset it), and
# the Python environment with injective-core, cached across runs.
use_e2e_devnet() {
    export FOG_HOME=${FOG_HOME:-$CARGO_TARGET_DIR/e2e-fog}
    export FOG_VENV=${FOG_VENV:-$FOG_CACHE/venv}
}

# The wasm target and the standard library's sources (for -Zbuild-std).
ensure_rust_wasm() {
    rustup target list --installed | grep -qx wasm32-unknown-unknown \
        || rustup target add wasm32-unknown-unknown >&2
    rustup component list --installed | grep -q '^rust-src' \
        || rustup component add rust-src >&2
}

# Compiles a contract crate for the chain (arguments go to cargo build):
# the standard library rebuilt for the MVP feature set, since wasmvm 2.1
# refuses bulk-memory, sign-ext and reference-types instructions, and
# panics that abort at once (contracts return typed errors and never
# panic on input, so the panic-message machinery is dead weight).
# WASM_EXTRA_RUSTFLAGS adds flags (build-wasm.sh: strip symbols).
wasm_cargo_build() {
    RUSTC_BOOTSTRAP=1 \
        RUSTFLAGS="-C target-cpu=mvp -Zunstable-options -Cpanic=immediate-abort ${WASM_EXTRA_RUSTFLAGS:-}" \
        cargo build --quiet --profile wasm --lib --target wasm32-unknown-unknown \
        -Zbuild-std=std,panic_abort "$@"
}

# Shrinks a built contract with binaryen, MVP features only (so it adds none).
wasm_shrink() { wasm-opt -Oz --mvp-features --strip-debug --strip-producers "$1" -o "$2"; }

# Node tools pinned in package.json (wasm-opt, solc, anvil).
ensure_node_tools() {
    if [ ! -x "$FOG_ROOT/node_modules/.bin/wasm-opt" ] || [ ! -x "$FOG_ROOT/node_modules/.bin/anvil" ]; then
        say "installing node tools (npm ci)"
        (cd "$FOG_ROOT" && npm ci --no-audit --no-fund --loglevel=error) >&2
    fi
    export PATH="$FOG_ROOT/node_modules/.bin:$PATH"
}

# cosmwasm-check, built once into the cache (it takes minutes).
ensure_cosmwasm_check() {
    local bin="$FOG_CACHE/tools/bin/cosmwasm-check"
    if command -v cosmwasm-check >/dev/null && cosmwasm-check --version 2>/dev/null | grep -q " $COSMWASM_CHECK_VERSION"; then
        COSMWASM_CHECK=$(command -v cosmwasm-check)
    elif [ -x "$bin" ] && "$bin" --version | grep -q " $COSMWASM_CHECK_VERSION"; then
        COSMWASM_CHECK=$bin
    else
        say "building cosmwasm-check $COSMWASM_CHECK_VERSION (once, into $FOG_CACHE/tools)"
        CARGO_TARGET_DIR="$FOG_CACHE/tools-target" cargo install cosmwasm-check \
            --version "$COSMWASM_CHECK_VERSION" --locked --root "$FOG_CACHE/tools" >&2
        COSMWASM_CHECK=$bin
    fi
    export COSMWASM_CHECK
}
