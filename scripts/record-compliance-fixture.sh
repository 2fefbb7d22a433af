#!/usr/bin/env bash
# Records the compliance scenario (tests/e2e/compliance.rs) on a fresh
# devnet, alone, into indexer/tests/fixtures/devnet-compliance.tar.gz: the
# recorded chain on which indexer/tests/rules_recorded.rs checks every
# detector. Run it again when the scenario or the contracts' events change.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$FOG_ROOT"
use_e2e_devnet
[ -f artifacts/checksums.txt ] || scripts/build-wasm.sh
out=$(mktemp -d)
trap 'rm -rf "$out"; "$CARGO_TARGET_DIR/debug/fog" devnet down >/dev/null 2>&1 || true' EXIT
FOG_RECORD_DIR="$out" cargo test --quiet -p fog-cli --test e2e compliance >&2
tar czf indexer/tests/fixtures/devnet-compliance.tar.gz -C "$out" .
say "wrote indexer/tests/fixtures/devnet-compliance.tar.gz ($(stat -c %s indexer/tests/fixtures/devnet-compliance.tar.gz) bytes)"
