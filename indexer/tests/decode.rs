//! Decoding recorded CometBFT answers of every version fog meets.

use std::path::Path;

use fog_indexer::source::{decode_block, detect, Phase, Protocol};
use serde_json::Value;

fn load(rel: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/cometbft")
        .join(rel);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

#[test]
fn cometbft_1_0_devnet_block_with_a_contract_call() {
    let block = load("injective-devnet-v1_0/block.json");
    let results = load("injective-devnet-v1_0/block_results.json");
    assert_eq!(detect(&results), Protocol::Finalize);
    let b = decode_block(&block, &results, "inj", None).unwrap();
    assert_eq!(b.txs.len(), 1);
    let tx = &b.txs[0];
    assert_eq!(tx.hash.len(), 64);
    assert!(tx.signer.as_deref().unwrap().starts_with("inj1"), "{:?}", tx.signer);
    assert!(tx.fee.ends_with("inj"), "{}", tx.fee);
    assert!(tx.gas_used > 0);
    // The contract's events are there, in the transaction.
    assert!(b.events.iter().any(|e| e.kind == "wasm" && e.tx_index == Some(0)));
    assert!(b.events.iter().any(|e| e.kind.starts_with("wasm-")));
    // finalize_block_events split by their mode.
    assert!(b.events.iter().any(|e| e.phase == Phase::Begin));
    assert_eq!(b.last_block_hash.len(), 64);
}

#[test]
fn cometbft_0_38_and_0_37_shapes() {
    let b38 = decode_block(
        &load("kvstore-v0_38/block_at_height_10.json"),
        &load("kvstore-v0_38/block_results_at_height_10.json"),
        "cosmos",
        None,
    )
    .unwrap();
    assert_eq!(b38.protocol, Protocol::Finalize);
    assert_eq!(b38.height, 10);
    let r37 = load("kvstore-v0_37/block_results_at_height_10.json");
    assert_eq!(detect(&r37), Protocol::BeginEnd);
    let b37 = decode_block(&load("kvstore-v0_37/block_at_height_10.json"), &r37, "cosmos", None).unwrap();
    assert_eq!(b37.protocol, Protocol::BeginEnd);
}

#[test]
fn tendermint_0_34_base64_attributes() {
    let r34 = load("kvstore-v0_34/block_results_at_height_10.json");
    let b34 = decode_block(&load("kvstore-v0_34/block_at_height_10.json"), &r34, "cosmos", None).unwrap();
    // kvstore emits no block events at 0.34: the version says so instead.
    assert!(matches!(b34.protocol, Protocol::BeginEndBase64 | Protocol::BeginEnd));

    let mainnet = load("injective-mainnet-v0_34/block_results_at_height_4555980.json");
    assert_eq!(detect(&mainnet), Protocol::BeginEndBase64);
    let r = fog_indexer::source::result(&mainnet);
    // Decode the results alone through a minimal block of the same height.
    let height = r["height"].as_str().unwrap();
    let txs: Vec<Value> = r["txs_results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|_| Value::String(String::new()))
        .collect();
    let block = serde_json::json!({
        "block_id": {"hash": "AB"},
        "block": {"header": {"height": height, "time": "2021-01-01T00:00:00Z", "last_block_id": {"hash": ""}},
                  "data": {"txs": txs}}
    });
    let b = decode_block(&block, &mainnet, "inj", None).unwrap();
    let acc_seq = b
        .events
        .iter()
        .find(|e| e.kind == "tx")
        .and_then(|e| e.attr("acc_seq"))
        .unwrap();
    assert!(acc_seq.starts_with("inj1"), "{acc_seq}");
    // Null values decode as empty strings, not errors.
    assert!(b.events.iter().all(|e| e.attributes.iter().all(|(k, _)| !k.is_empty())));
}

#[test]
fn mismatched_answers_are_refused() {
    let block = load("kvstore-v0_38/block_at_height_10.json");
    let mut results = load("kvstore-v0_38/block_results_at_height_10.json");
    results["result"]["height"] = Value::String("11".into());
    results["height"] = Value::String("11".into());
    let err = decode_block(&block, &results, "cosmos", None).unwrap_err();
    assert!(err.to_string().contains("block_results is of height"), "{err}");
}
