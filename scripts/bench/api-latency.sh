#!/usr/bin/env bash
# API latency under load from a second process on loopback: oha at a fixed
# request rate against `fog-indexer serve` over a database holding 1,000,000
# votes on one proposal and 1,000,000 alerts. Reports p50/p99 per route.
#
# Usage: scripts/bench/api-latency.sh [rate=1000] [seconds=20]
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
cd "$FOG_ROOT"
RATE=${1:-1000}
SECONDS_RUN=${2:-20}
DB=fog_bench_api
URL=postgres://postgres@127.0.0.1:5432/$DB
PORT=8091

OHA=$FOG_CACHE/tools/bin/oha
if [ ! -x "$OHA" ]; then
    say "building oha (once, into $FOG_CACHE/tools)"
    CARGO_TARGET_DIR="$FOG_CACHE/tools-target" cargo install oha --locked --root "$FOG_CACHE/tools" >&2
fi
cargo build --quiet --release -p fog-indexer

say "database $DB with 1,000,000 votes"
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C'"
# The server applies the migrations; then the data goes in.
"$CARGO_TARGET_DIR/release/fog-indexer" --database-url "$URL" serve --listen 127.0.0.1:$PORT \
    --rate-limit 1000000 --rate-burst 1000000 >/dev/null 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done
# One auditor token; its rate limit is lifted above so the server, not the
# limiter, is measured (the token check itself is on every request).
TOKEN=$("$CARGO_TARGET_DIR/release/fog-indexer" --database-url "$URL" staff issue --name bench --role auditor --days 1 |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
psql -q -h 127.0.0.1 -U postgres -d "$DB" <<'SQL'
INSERT INTO blocks VALUES (1000, 'AA', now(), '', '', 0);
INSERT INTO ingest_state (id, chain_id, height, block_hash, protocol) VALUES (1, 'bench', 1000, 'AA', 'cometbft-0.38+');
INSERT INTO proposals (id, proposer, kind, method, title, description, options, actions, start_height, start_time,
    end_time, total_power, quorum_bps, threshold_bps, timelock, cap, deposit, status, tally, turnout, voters, updated_height)
VALUES (1, 'inj1proposer', 'text', 'yes_no', 'Load', '', '["yes","no","abstain"]', '[null]', 10, 1800000000,
    4000000000, 10000000000000, 1000, 5000, 0, NULL, 0, 'open', '["0","0","0"]', 0, 1000000, 1000);
INSERT INTO votes (proposal_id, voter, choice, power, weight, own, delegate, height, tx_hash)
SELECT 1, 'inj1voter' || lpad(g::text, 8, '0'), jsonb_build_array(g % 3), 1000 + g, 1000 + g, 1000 + g, NULL, 100 + g / 1000, NULL
FROM generate_series(1, 1000000) g;
VACUUM ANALYZE votes;
-- 1,000,000 alerts over 1,000 rules and 100,000 subjects; one case holding
-- 50 of them with 20 notes.
INSERT INTO alerts (rule_id, rule_version, event_key, height, tx_hash, time, subject, severity, risk_score, tags, evidence)
SELECT 'rule.' || (g % 1000), 1, 'transfer/' || g, g / 10, NULL, now() - (g || ' seconds')::interval,
    'account/inj1subject' || (g % 100000), (ARRAY['low','medium','high','critical'])[1 + g % 4], g % 101,
    ARRAY['AML'], jsonb_build_object('amount', g::text, 'sender', 'inj1subject' || (g % 100000))
FROM generate_series(1, 1000000) g;
VACUUM ANALYZE alerts;
INSERT INTO cases (title, created_by) VALUES ('Bench case', 'bench');
INSERT INTO case_alerts (case_id, alert_id, added_by) SELECT 1, g, 'bench' FROM generate_series(1, 50) g;
INSERT INTO case_notes (case_id, author, body) SELECT 1, 'bench', 'note ' || g FROM generate_series(1, 20) g;
SQL

run() {
    local name=$1 path=$2
    "$OHA" --no-tui -z "${SECONDS_RUN}s" -q "$RATE" --latency-correction \
        --output-format json \
        -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$path" > "$FOG_CACHE/oha-$name.json"
    python3 - "$name" "$FOG_CACHE/oha-$name.json" <<'PY'
import json, sys
name, path = sys.argv[1], sys.argv[2]
r = json.load(open(path))
p = r["latencyPercentiles"]
codes = r.get("statusCodeDistribution", {})
print(f"{name:<28} rps {r['summary']['requestsPerSec']:>7.0f}  p50 {p['p50']*1000:6.2f} ms  p99 {p['p99']*1000:6.2f} ms  statuses {codes}")
PY
}
# Warm-up (not measured): the tables were just loaded and vacuumed.
"$OHA" --no-tui -z 3s -q "$RATE" -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$PORT/proposals/1/votes?limit=20" >/dev/null
say "oha: $RATE req/s for ${SECONDS_RUN}s per route"
run "votes first page" "/proposals/1/votes?limit=20"
CURSOR=$(curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/proposals/1/votes?limit=100" | python3 -c 'import json,sys; print(json.load(sys.stdin)["next_cursor"])')
run "votes later page" "/proposals/1/votes?limit=20&cursor=$CURSOR"
run "votes filtered" "/proposals/1/votes?limit=20&choice=2"
run "proposal" "/proposals/1"
run "alerts first page" "/alerts?limit=20"
run "alerts high+, one subject" "/alerts?limit=20&min_severity=high&subject=account/inj1subject42"
run "case read" "/cases/1"
