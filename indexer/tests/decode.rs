//! Decoding recorded CometBFT answers of every version fog meets.

use std::path::Path;

use fog_indexer::source::{decode_block, detect, DecodeError, Phase, Protocol};
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

#[test]
fn an_answer_of_another_protocol_than_the_node_reported_is_refused() {
    let b38 = load("kvstore-v0_38/block_at_height_10.json");
    let r38 = load("kvstore-v0_38/block_results_at_height_10.json");
    let b37 = load("kvstore-v0_37/block_at_height_10.json");
    let r37 = load("kvstore-v0_37/block_results_at_height_10.json");
    // Read as 0.37, a 0.38 answer would lose its finalize_block_events; read
    // as 0.38, a 0.37 one its begin and end block events.
    for (block, results, reported, found) in [
        (&b38, &r38, Protocol::BeginEnd, "finalize_block_events"),
        (&b38, &r38, Protocol::BeginEndBase64, "finalize_block_events"),
        (&b37, &r37, Protocol::Finalize, "begin_block_events"),
    ] {
        match decode_block(block, results, "cosmos", Some(reported)) {
            Err(DecodeError::ProtocolChanged { expected, found: f, .. }) => {
                assert_eq!((expected, f), (reported, found))
            }
            other => panic!("{reported:?}: {other:?}"),
        }
    }
}

/// A node upgraded under a running indexer (0.37 to 0.38, as chains did).
/// The source notices through any of three paths: an answer of the new
/// shape (refused, then `/status` read again), a request that failed while
/// the node restarted (`/status` read again before the next block), or the
/// tail's own `/status` poll.
#[tokio::test]
async fn the_rpc_source_reads_the_protocol_again_when_the_node_changes() {
    use std::sync::atomic::{AtomicU8, Ordering};
    use std::sync::Arc;

    use axum::extract::State;
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    use axum::routing::get;
    use fog_indexer::source::{BlockSource, RpcSource};

    const OLD: u8 = 0;
    const DOWN: u8 = 1;
    const NEW: u8 = 2;
    type Node = State<Arc<AtomicU8>>;
    let status = |State(node): Node| async move {
        let version = match node.load(Ordering::SeqCst) {
            OLD => "0.37.4",
            DOWN => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
            _ => "0.38.12",
        };
        axum::Json(serde_json::json!({"result": {
            "node_info": {"version": version, "network": "kv"},
            "sync_info": {"latest_block_height": "10"},
        }}))
        .into_response()
    };
    let answer = |file: &'static str| {
        move |State(node): Node| async move {
            match node.load(Ordering::SeqCst) {
                DOWN => StatusCode::SERVICE_UNAVAILABLE.into_response(),
                // Only the 0.38 answers are served: what an upgraded node
                // gives, or what the old one would be misread as.
                _ => axum::Json(load(file)).into_response(),
            }
        }
    };
    let node = Arc::new(AtomicU8::new(OLD));
    let app = axum::Router::new()
        .route("/status", get(status))
        .route("/block", get(answer("kvstore-v0_38/block_at_height_10.json")))
        .route(
            "/block_results",
            get(answer("kvstore-v0_38/block_results_at_height_10.json")),
        )
        .with_state(node.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let connect = || {
        let (node, url) = (node.clone(), url.clone());
        async move {
            node.store(OLD, Ordering::SeqCst);
            let source = RpcSource::connect(&url, "cosmos").await.unwrap();
            assert_eq!(source.protocol(), Some(Protocol::BeginEnd));
            source
        }
    };

    // An answer of the new shape.
    let source = connect().await;
    node.store(NEW, Ordering::SeqCst);
    let err = source.fetch(10).await.unwrap_err();
    assert!(err.to_string().contains("protocol changed"), "{err}");
    let block = source.fetch(10).await.unwrap();
    assert_eq!(
        (block.protocol, source.protocol()),
        (Protocol::Finalize, Some(Protocol::Finalize))
    );

    // A request that failed while the node was down.
    let source = connect().await;
    node.store(DOWN, Ordering::SeqCst);
    source.fetch(10).await.unwrap_err();
    node.store(NEW, Ordering::SeqCst);
    assert_eq!(source.fetch(10).await.unwrap().protocol, Protocol::Finalize);

    // The tail's poll of the head.
    let source = connect().await;
    node.store(NEW, Ordering::SeqCst);
    assert_eq!(source.latest_height().await.unwrap(), 10);
    assert_eq!(source.protocol(), Some(Protocol::Finalize));
}

#[test]
fn a_result_code_that_is_no_integer_is_refused_not_read_as_success() {
    let block = load("injective-devnet-v1_0/block.json");
    let mut results = load("injective-devnet-v1_0/block_results.json");
    let tx = &mut results["result"]["txs_results"][0];
    tx["code"] = Value::Null;
    assert_eq!(decode_block(&block, &results, "inj", None).unwrap().txs[0].code, 0);
    for garbled in [Value::String("5x".into()), Value::Bool(true), serde_json::json!(1.5)] {
        results["result"]["txs_results"][0]["code"] = garbled.clone();
        let err = decode_block(&block, &results, "inj", None).unwrap_err();
        assert!(err.to_string().contains("code is not an integer"), "{garbled}: {err}");
    }
}

#[test]
fn a_node_version_tells_its_protocol() {
    use fog_indexer::source::protocol_of_version;
    for (version, protocol) in [
        ("0.34.24", Some(Protocol::BeginEndBase64)),
        ("v0.34.27", Some(Protocol::BeginEndBase64)),
        ("0.35.9", Some(Protocol::BeginEnd)),
        ("0.37.4", Some(Protocol::BeginEnd)),
        ("0.38.12", Some(Protocol::Finalize)),
        ("1.0.1", Some(Protocol::Finalize)),
        ("", None),
        ("unknown", None),
    ] {
        assert_eq!(protocol_of_version(version), protocol, "{version}");
    }
}

/// The 1.0 devnet block with its transaction's signer public key removed
/// (as a multisig key, or an account whose key the chain holds, leaves no
/// single key to derive an address from).
fn without_signer_key(block: &Value) -> Value {
    use base64::Engine;
    use cosmrs::proto::cosmos::tx::v1beta1::{AuthInfo, TxRaw};
    use prost::Message;
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut block = block.clone();
    let txs = block["result"]["block"]["data"]["txs"].as_array_mut().unwrap();
    let mut raw = TxRaw::decode(b64.decode(txs[0].as_str().unwrap()).unwrap().as_slice()).unwrap();
    let mut auth = AuthInfo::decode(raw.auth_info_bytes.as_slice()).unwrap();
    auth.signer_infos[0].public_key = None;
    raw.auth_info_bytes = auth.encode_to_vec();
    txs[0] = b64.encode(raw.encode_to_vec()).into();
    block
}

#[test]
fn a_signer_without_a_key_in_the_transaction_is_read_from_its_acc_seq() {
    let block = load("injective-devnet-v1_0/block.json");
    let results = load("injective-devnet-v1_0/block_results.json");
    let with_key = decode_block(&block, &results, "inj", None).unwrap();
    let signer = with_key.txs[0].signer.clone().unwrap();
    let stripped = decode_block(&without_signer_key(&block), &results, "inj", None).unwrap();
    // Until stop 21: None, and the governance anomaly rule saw a new account.
    assert_eq!(stripped.txs[0].signer.as_deref(), Some(signer.as_str()));
    // Not an address of this chain: left unknown.
    let other = decode_block(&without_signer_key(&block), &results, "cosmos", None).unwrap();
    assert_eq!(other.txs[0].signer, None);
}
