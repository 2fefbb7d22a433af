#!/usr/bin/env bash
# Stops what scripts/run.sh started (state stays in .fog/).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$FOG_ROOT"
if [ -f .fog/indexer.pid ] && kill "$(cat .fog/indexer.pid)" 2>/dev/null; then
    echo "indexer stopped"
fi
rm -f .fog/indexer.pid
if [ -f .fog/relayer.pid ] && kill "$(cat .fog/relayer.pid)" 2>/dev/null; then
    echo "relayer stopped"
fi
rm -f .fog/relayer.pid
"$CARGO_TARGET_DIR/release/fog" devnet down
