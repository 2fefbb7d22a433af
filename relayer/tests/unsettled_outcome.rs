//! A transaction the node accepted is never reported as failed because an
//! answer about it was lost: a node behind a proxy that answers one request
//! with an error page. A real node does not fail on demand, so a small
//! HTTP server plays the REST API with one fault injected.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use cosmrs::proto::Any;
use fog_relayer::chain::{generate_mnemonic, ChainClient, ChainError, ChainProfile, KeyType, PrivateKey, Signer};
use serde_json::json;

/// Which answer carries the fault.
#[derive(Clone, Copy)]
enum Fault {
    /// The first lookup of the transaction gets a proxy's 502 page.
    FirstLookup,
    /// The broadcast's answer is a proxy's 502 page (the node took it).
    Broadcast,
    /// Every lookup gets the 502 page.
    EveryLookup,
    /// The broadcast's answer is a gateway's JSON error (no transaction
    /// response), though the node took it.
    BroadcastJsonError,
}

fn bad_gateway() -> Response {
    (StatusCode::BAD_GATEWAY, "<html><body>502 Bad Gateway</body></html>").into_response()
}

async fn node(fault: Fault) -> String {
    let lookups = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .route(
            "/cosmos/auth/v1beta1/accounts/{address}",
            get(|| async { Json(json!({"account": {"account_number": "1", "sequence": "0"}})) }),
        )
        .route(
            "/cosmos/tx/v1beta1/simulate",
            post(|| async { Json(json!({"gas_info": {"gas_used": "1000"}})) }),
        )
        .route(
            "/cosmos/tx/v1beta1/txs",
            post(move || async move {
                match fault {
                    Fault::Broadcast => bad_gateway(),
                    Fault::BroadcastJsonError => (
                        StatusCode::GATEWAY_TIMEOUT,
                        Json(json!({"code": 2, "message": "upstream timed out"})),
                    )
                        .into_response(),
                    _ => Json(json!({"tx_response": {"txhash": "AB", "code": 0}})).into_response(),
                }
            }),
        )
        .route(
            "/cosmos/tx/v1beta1/txs/{hash}",
            get(move || {
                let lookups = lookups.clone();
                async move {
                    let n = lookups.fetch_add(1, Ordering::SeqCst);
                    match fault {
                        Fault::EveryLookup => bad_gateway(),
                        Fault::FirstLookup if n == 0 => bad_gateway(),
                        _ => Json(json!({"tx_response": {"code": 0, "height": "7", "gas_used": "900", "events": []}}))
                            .into_response(),
                    }
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

fn client(rest: String) -> (ChainClient, Signer) {
    let mut profile = ChainProfile::load("wasmd-local").unwrap();
    profile.rest = rest;
    let key = PrivateKey::from_mnemonic(&generate_mnemonic(), KeyType::Secp256k1, 118, 0).unwrap();
    let signer = Signer::new(key, &profile).unwrap();
    (ChainClient::new(profile), signer)
}

fn msg() -> Vec<Any> {
    vec![Any {
        type_url: "/cosmos.bank.v1beta1.MsgSend".into(),
        value: vec![],
    }]
}

#[tokio::test]
async fn a_lost_lookup_answer_is_retried_not_reported_as_failure() {
    let (client, signer) = client(node(Fault::FirstLookup).await);
    let included = client.send_tx(&signer, msg(), "").await.unwrap();
    assert_eq!(included.height, 7);
}

#[tokio::test]
async fn a_lost_broadcast_answer_is_followed_by_a_lookup() {
    let (client, signer) = client(node(Fault::Broadcast).await);
    let included = client.send_tx(&signer, msg(), "").await.unwrap();
    assert_eq!(included.height, 7);
}

#[tokio::test]
async fn a_gateways_json_error_on_broadcast_is_followed_by_a_lookup() {
    let (client, signer) = client(node(Fault::BroadcastJsonError).await);
    let included = client.send_tx(&signer, msg(), "").await.unwrap();
    assert_eq!(included.height, 7);
}

#[tokio::test]
async fn an_outcome_never_learned_is_unknown_and_names_the_transaction() {
    let (client, signer) = client(node(Fault::EveryLookup).await);
    let err = client
        .wait_for_within("AB", Duration::from_millis(300))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ChainError::Unsettled { hash, .. } if hash == "AB"),
        "{err}"
    );
    let text = err.to_string();
    assert!(text.contains("may still be included"), "{text}");
    assert!(text.contains("before sending it again"), "{text}");
    drop(signer);
}
