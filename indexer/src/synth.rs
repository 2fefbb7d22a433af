//! Synthetic chain histories in the recorded-RPC format, for the crash test
//! and the replay benchmark: consecutive blocks with linked hashes, each with
//! transactions carrying genuine fog events (built from the `fog-events`
//! structs, so they decode and project), FOG transfers and bank transfers.

use std::path::Path;

use anyhow::Result;
use fog_events::{governance as gov, ve, FogEvent, Text};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::source::write_recorded;
use crate::store::select::Watched;

/// The contracts of the synthetic deployment.
pub fn watched() -> Watched {
    Watched(contracts())
}

/// The synthetic deployment's contract addresses.
pub fn contracts() -> fog_relayer::deployment::Contracts {
    fog_relayer::deployment::Contracts {
        token: "inj1token".into(),
        ve: "inj1ve".into(),
        governance: "inj1governance".into(),
        release_gate: "inj1gate".into(),
        audit_anchor: "inj1anchor".into(),
        registry: "inj1registry".into(),
    }
}

fn block_hash(height: u64) -> String {
    hex::encode_upper(Sha256::digest(format!("synthetic block {height}").as_bytes()))
}

fn event(kind: &str, contract: Option<&str>, attrs: Vec<(&str, String)>) -> Value {
    let mut all: Vec<Value> = vec![];
    if let Some(c) = contract {
        all.push(json!({"key": "_contract_address", "value": c, "index": true}));
    }
    all.extend(
        attrs
            .into_iter()
            .map(|(k, v)| json!({"key": k, "value": v, "index": true})),
    );
    json!({"type": kind, "attributes": all})
}

/// A fog event as the chain reports it, emitted by `contract`.
pub fn fog<E: FogEvent>(contract: &str, e: &E) -> Value {
    event(&format!("wasm-{}", E::TYPE), Some(contract), e.attributes())
}

/// One synthetic block's `/block` and `/block_results` answers.
/// `events_per_block` fog events (half locks, half votes) plus a FOG and a
/// bank transfer per transaction.
pub fn block(height: u64, events_per_block: usize) -> (Value, Value) {
    let w = watched();
    let time = chrono::DateTime::from_timestamp(1_800_000_000 + height as i64, 0).unwrap_or_default();
    let mut tx_results = vec![];
    let mut txs = vec![];
    let block_events: Vec<Value> = vec![];
    if height == 1 {
        let created = fog(
            &w.governance,
            &gov::ProposalCreated {
                id: 1,
                proposer: "inj1proposer".into(),
                kind: "text".into(),
                method: "yes_no".into(),
                title: Text("Synthetic".into()),
                description: Text::default(),
                options: vec!["yes".into(), "no".into(), "abstain".into()],
                actions: "[null]".into(),
                start_height: 1,
                start_time: 1_800_000_001,
                end_time: 4_000_000_000,
                total_power: u128::MAX / 4,
                quorum_bps: 1_000,
                threshold_bps: 5_000,
                timelock: 0,
                cap: None,
                deposit: 0,
            },
        );
        txs.push(Value::String(base64_of("synthetic proposal")));
        tx_results.push(json!({
            "code": 0, "data": "", "log": "", "info": "", "codespace": "",
            "gas_wanted": "300000", "gas_used": "250000", "events": [created],
        }));
    }
    for i in 0..events_per_block {
        let who = format!("inj1user{height}x{i}");
        let events = if i % 2 == 0 {
            vec![
                fog(
                    &w.ve,
                    &ve::LockCreated {
                        owner: who.clone(),
                        amount: 1_000_000 + i as u128,
                        end: 1_900_000_000,
                        start: 1_800_000_000 + height,
                        tier: 0,
                        apy_bps: 500,
                    },
                ),
                event(
                    "wasm",
                    Some(&w.token),
                    vec![
                        ("action", "send".into()),
                        ("from", who.clone()),
                        ("to", w.ve.clone()),
                        ("amount", (1_000_000 + i).to_string()),
                    ],
                ),
            ]
        } else {
            vec![
                fog(
                    &w.governance,
                    &gov::VoteCast {
                        id: 1,
                        voter: who.clone(),
                        choice: vec![(i % 3) as u8],
                        power: 1_000 + i as u128,
                        weight: 1_000 + i as u128,
                        own: 1_000 + i as u128,
                        delegate: None,
                        delegate_power: None,
                        delegate_weight: None,
                        end_time: None,
                        status: None,
                        winner: None,
                    },
                ),
                event(
                    "transfer",
                    None,
                    vec![
                        ("recipient", "inj1feecollector".into()),
                        ("sender", who.clone()),
                        ("amount", "25725440000000inj".into()),
                    ],
                ),
            ]
        };
        // A transaction's raw bytes are opaque to the indexer beyond its hash.
        txs.push(Value::String(base64_of(&format!("synthetic tx {height}/{i}"))));
        tx_results.push(json!({
            "code": 0, "data": "", "log": "", "info": "", "codespace": "",
            "gas_wanted": "200000", "gas_used": "150000", "events": events,
        }));
    }
    let block = json!({
        "block_id": {"hash": block_hash(height)},
        "block": {
            "header": {
                "chain_id": "synthetic-1",
                "height": height.to_string(),
                "time": time.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
                "last_block_id": {"hash": if height > 1 { block_hash(height - 1) } else { String::new() }},
                "app_hash": block_hash(height + 1_000_000_000),
                "proposer_address": "FF59320BB6D3D54EBF3923A7DC127DB4C96C8046",
            },
            "data": {"txs": txs},
        }
    });
    let results = json!({
        "height": height.to_string(),
        "txs_results": tx_results,
        "finalize_block_events": block_events,
        "app_hash": "",
    });
    (block, results)
}

fn base64_of(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s.as_bytes())
}

/// Writes `blocks` synthetic blocks into `dir`; returns the number of event
/// attribute rows they hold (the benchmark's unit).
pub fn write_history(dir: &Path, blocks: u64, events_per_block: usize) -> Result<usize> {
    std::fs::create_dir_all(dir)?;
    let mut attributes = 0;
    for h in 1..=blocks {
        let (b, r) = block(h, events_per_block);
        attributes += count_attributes(&r);
        write_recorded(dir, h, &b, &r)?;
    }
    Ok(attributes)
}

fn count_attributes(results: &Value) -> usize {
    let events = results["txs_results"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|t| t["events"].as_array().into_iter().flatten())
        .chain(results["finalize_block_events"].as_array().into_iter().flatten());
    events
        .map(|e| e["attributes"].as_array().map(Vec::len).unwrap_or(0))
        .sum()
}
