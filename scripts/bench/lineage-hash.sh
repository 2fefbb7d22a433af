#!/usr/bin/env bash
# Dataset hashing: `fog lineage hash` against `sha256sum` on the same files,
# in the same run. Files are random, in a temp dir, read once beforehand so
# both tools hash from the page cache (this measures hashing, not the disk).
#
# Per core: sha256sum (one process, one thread) vs fog pinned to one CPU
# with taskset (fog then uses one hashing thread). Parallel: sha256sum over
# $(nproc) xargs processes vs fog on all CPUs. Best of $REPS runs each.
#
# Usage: scripts/bench/lineage-hash.sh [total MiB=1024] [files=64] [reps=3]
#        FOG_BIN=path/to/fog to time a given binary instead of building one.
# Target (shared/TARGETS.md): fog >= 1.0x sha256sum per core, and parallel.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
cd "$FOG_ROOT"
TOTAL_MIB=${1:-1024}
FILES=${2:-64}
REPS=${3:-3}
CPUS=$(nproc)
PER_FILE_MIB=$((TOTAL_MIB / FILES))
BYTES=$((PER_FILE_MIB * FILES * 1024 * 1024))

command -v sha256sum >/dev/null || die "sha256sum not found (coreutils)"
command -v taskset >/dev/null || die "taskset not found (util-linux)"
if [ -n "${FOG_BIN:-}" ]; then
    FOG=$FOG_BIN
else
    say "building fog (release)"
    cargo build --quiet --release -p fog-cli
    FOG="$CARGO_TARGET_DIR/release/fog"
fi
"$FOG" lineage --help >/dev/null 2>&1 || die "this fog has no 'lineage' subcommand"

DIR=$(mktemp -d "${TMPDIR:-/tmp}/fog-bench-hash.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
say "$FILES files of $PER_FILE_MIB MiB in $DIR"
for i in $(seq -w 1 "$FILES"); do
    head -c "$((PER_FILE_MIB * 1024 * 1024))" /dev/urandom >"$DIR/part-$i.bin"
done
cat "$DIR"/*.bin >/dev/null

# Best wall time of $REPS runs of "$@", in seconds.
best() {
    local best="" t0 t1 t
    for _ in $(seq "$REPS"); do
        t0=$(date +%s.%N)
        "$@" >/dev/null
        t1=$(date +%s.%N)
        t=$(awk "BEGIN { print $t1 - $t0 }")
        if [ -z "$best" ] || awk "BEGIN { exit !($t < $best) }"; then best=$t; fi
    done
    echo "$best"
}

# Same digests, or the comparison means nothing.
diff <(cd "$DIR" && sha256sum -- *.bin | awk '{print $1}') \
    <(cd "$DIR" && "$FOG" -o json lineage hash -- *.bin | grep -o '"sha256": "[0-9a-f]*"' | cut -d'"' -f4) \
    >/dev/null || die "fog and sha256sum disagree"

cd "$DIR"
say "timing (best of $REPS)"
SUM_1=$(best sha256sum -- *.bin)
FOG_1=$(best taskset -c 0 "$FOG" lineage hash -- *.bin)
SUM_N=$(best sh -c "ls -- *.bin | xargs -P $CPUS -n $(((FILES + CPUS - 1) / CPUS)) sha256sum --")
FOG_N=$(best "$FOG" lineage hash -- *.bin)

mbs() { awk "BEGIN { print $BYTES / 1000000 / $1 }"; }
row() {
    local label=$1 sum=$2 fog=$3
    printf '%-22s %12.0f %18.0f %10.2fx\n' "$label" "$(mbs "$sum")" "$(mbs "$fog")" "$(awk "BEGIN { print $sum / $fog }")"
}
echo
echo "dataset hashing: $FILES files x $PER_FILE_MIB MiB = $((BYTES / 1024 / 1024)) MiB, page cache warm, best of $REPS"
printf '%-22s %12s %18s %11s\n' "" "sha256sum MB/s" "fog lineage MB/s" "fog/sha256sum"
row "per core (1 thread)" "$SUM_1" "$FOG_1"
row "parallel ($CPUS cores)" "$SUM_N" "$FOG_N"
