#!/usr/bin/env bash
# The run command: brings up the whole stack on the local defaults and shows
# it working. A local single-validator chain (injectived from the PyPI
# package injective-core, BUSL-1.1, used only as a development chain) with
# every fog contract deployed and wired, anvil (EVM) on 8555 with the
# AuditAnchor, the indexer mirroring the chain into PostgreSQL with its API
# on 127.0.0.1:8080 and its signed audit log, and the relayer anchoring that
# log on both chains. State in .fog/.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$FOG_ROOT"

ensure_rust_wasm
say "building fog, fog-indexer and fog-relayer"
cargo build --quiet --release -p fog-cli -p fog-indexer -p fog-relayer
FOG="$CARGO_TARGET_DIR/release/fog"
INDEXER="$CARGO_TARGET_DIR/release/fog-indexer"
RELAYER="$CARGO_TARGET_DIR/release/fog-relayer"
ensure_node_tools
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/fog}
API=127.0.0.1:8080

[ -f artifacts/checksums.txt ] || scripts/build-wasm.sh
say "fog devnet up"
"$FOG" devnet up

# Every API route takes a staff token; `fog-indexer staff issue` bootstraps
# them from the server's shell (it applies the migrations first).
say "staff tokens (.fog/tokens, 0600): the relayer reads as an auditor, ana is a compliance officer, root an admin"
tokens=.fog/tokens
mkdir -p "$tokens" && chmod 700 "$tokens"
issue_token() { # name role
    local file="$tokens/$1.token"
    if [ ! -s "$file" ]; then
        (umask 077 && "$INDEXER" staff issue --name "$1" --role "$2" --days 365 |
            python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])' > "$file")
        echo "issued $2 token for $1: $file"
    fi
}
issue_token relayer auditor
issue_token ana compliance_officer
issue_token root admin
issue_token root2 admin
export FOG_TOKEN
FOG_TOKEN=$(cat "$tokens/ana.token")
auth=(-H "Authorization: Bearer $FOG_TOKEN")

say "indexer: $DATABASE_URL, API on http://$API"
pid_file=.fog/indexer.pid
if [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    echo "indexer already running (pid $(cat "$pid_file"))"
else
    nohup "$INDEXER" run --listen "$API" --checkpoint-interval 2 --rules rules > .fog/indexer.log 2>&1 &
    echo $! > "$pid_file"
    for _ in $(seq 50); do curl -sf "${auth[@]}" "http://$API/healthz" >/dev/null && break; sleep 0.2; done
fi

say "compliance rules (rules/*.json): approved by root, activated by root2 (four eyes)"
api() { # token-name method path [json body]
    local t body=()
    t=$(cat "$tokens/$1.token")
    [ $# -ge 4 ] && body=(-H "content-type: application/json" -d "$4")
    curl -s -X "$2" -H "Authorization: Bearer $t" "${body[@]}" "http://$API$3"
}
api root GET /rules | python3 -c 'import json,sys
for r in json.load(sys.stdin)["rules"]: print(r["rule_id"], r["version"], r["state"])' |
while read -r id version state; do
    [ "$state" = draft ] && api root POST "/rules/$id/versions/$version/approval" >/dev/null && state=approved
    [ "$state" = approved ] && api root2 POST "/rules/$id/versions/$version/activation" >/dev/null && state=active
    echo "$id v$version: $state"
done

say "relayer: anchors the audit log on the CosmWasm chain and on anvil (metrics on 127.0.0.1:9464)"
relayer_pid=.fog/relayer.pid
if [ -f "$relayer_pid" ] && kill -0 "$(cat "$relayer_pid")" 2>/dev/null; then
    echo "relayer already running (pid $(cat "$relayer_pid"))"
else
    nohup "$RELAYER" run --every-records 20 --every-seconds 5 > .fog/relayer.log 2>&1 &
    echo $! > "$relayer_pid"
fi

say "a first look: a lock, a proposal, a vote"
if [ "$("$FOG" query lock alice -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["amount"])')" = 0 ]; then
    "$FOG" lock --amount 10000 --weeks 104 --from alice
    # Governance reads voting power as of the previous block.
    sleep 1
fi
id=$("$FOG" propose text --title "Hello, fog" --description "The devnet works." --from alice -o json |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["proposal_id"])')
"$FOG" vote "$id" yes --from alice
"$FOG" query proposal "$id"

say "the indexer has it (http://$API)"
sleep 1
curl -s "${auth[@]}" "http://$API/healthz"; echo
show() { python3 -c 'import json,sys; print("\n".join(json.dumps(json.load(sys.stdin), indent=2).splitlines()[:int(sys.argv[1])]))' "$1"; }
curl -s "${auth[@]}" "http://$API/proposals/$id" | show 24
curl -s "${auth[@]}" "http://$API/governance/power-distribution" | show 14

say "model lineage and the four-eyes release gate"
demo=.fog/demo
mkdir -p "$demo"
printf 'age,income,label\n34,52000.5,1\n51,61000,0\n29,38000,1\n' > "$demo/train.csv"
head -c 65536 /dev/urandom > "$demo/model.bin"
"$FOG" lineage run start --name demo --param max_depth=6 --dataset "$demo/train.csv" \
    --deps Cargo.lock --out "$demo/run.json" >/dev/null
"$FOG" lineage run complete "$demo/run.json" --model "$demo/model.bin" --metric auc=0.91 --out "$demo/lineage.json" >/dev/null
"$FOG" lineage register "$demo/lineage.json"
"$FOG" release gate "$demo/model.bin" || echo "(the gate is closed, as it should be: nothing is released yet)"
rid=$("$FOG" release request --lineage "$demo/lineage.json" --version 1.0.0 --from alice -o json |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["request_id"])')
"$FOG" release approve "$rid" --comment "code reviewed" --from developer >/dev/null
"$FOG" release approve "$rid" --comment "risk accepted" --from risk >/dev/null
echo "request $rid approved by senior_developers and risk_managers"
for _ in $(seq 60); do "$FOG" release gate "$demo/model.bin" --require-evm >/dev/null 2>&1 && break; sleep 1; done
"$FOG" release gate "$demo/model.bin" --require-evm

say "a compliance officer's first session: a large transfer, its alert, a case"
"$FOG" send --to bob --amount 150000 --from alice >/dev/null
alert=
for _ in $(seq 50); do
    alert=$(api ana GET "/alerts?rule_id=aml.large_transfer&limit=1" |
        python3 -c 'import json,sys; a=json.load(sys.stdin)["alerts"]; print(a[0]["id"] if a else "")')
    [ -n "$alert" ] && break
    sleep 0.2
done
api ana GET "/alerts?limit=3" | show 30
if [ -n "$alert" ] && [ "$(api ana GET "/alerts/$alert" | python3 -c 'import json,sys; print(json.load(sys.stdin)["case_id"])')" = None ]; then
    api ana POST /cases "{\"title\": \"Large FOG transfer from alice\", \"alert_ids\": [$alert]}" | show 16
fi
api ana GET "/reports/compliance?framework=AML" | show 20

say "the audit log: signed checkpoint, anchored on both chains, verified end to end"
curl -s "${auth[@]}" "http://$API/audit/checkpoint" | show 8
"$FOG" anchor latest
"$RELAYER" status --limit 4 | show 30
"$FOG" audit verify
say "running: the devnet and anvil (\`$FOG devnet down\` stops them), the indexer (pid $(cat "$pid_file"), log .fog/indexer.log) and the relayer (pid $(cat "$relayer_pid"), log .fog/relayer.log); scripts/stop.sh stops all"
