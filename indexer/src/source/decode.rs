//! Decoding the CometBFT RPC's `/block` and `/block_results` answers of every
//! version fog meets: 1.0 and 0.38 (`finalize_block_events`), 0.37
//! (`begin_block_events` / `end_block_events`) and 0.34 (the same, with
//! base64-encoded attribute keys and values).

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chrono::{DateTime, Utc};
use cosmrs::proto::cosmos::tx::v1beta1::{AuthInfo, TxBody, TxRaw};
use fog_relayer::chain::{address_from_public_key, KeyType};
use prost::Message;
use serde_json::Value;
use sha2::{Digest, Sha256};
use thiserror::Error;

use super::model::{Block, Event, Phase, Protocol, Tx};

#[derive(Debug, Error)]
pub enum DecodeError {
    #[error("block {height}: {message}")]
    Invalid { height: String, message: String },
    /// The answer has the shape of another protocol than the one the node
    /// reported (it was upgraded and restarted since): ask it again.
    #[error("block {height}: /block_results has {found}, which {expected:?} does not; the node's protocol changed")]
    ProtocolChanged {
        height: String,
        expected: Protocol,
        found: &'static str,
    },
}

fn invalid(height: &str, message: impl Into<String>) -> DecodeError {
    DecodeError::Invalid {
        height: height.to_string(),
        message: message.into(),
    }
}

/// The `result` of a JSON-RPC answer, or the value itself.
pub fn result(v: &Value) -> &Value {
    v.get("result").unwrap_or(v)
}

fn text<'a>(v: &'a Value, height: &str, what: &str) -> Result<&'a str, DecodeError> {
    v.as_str().ok_or_else(|| invalid(height, format!("{what} missing")))
}

/// A result code or gas figure: absent (CometBFT omits zeros) is 0; one
/// that is there but no integer is refused, not read as 0 (a failed
/// transaction's code read as 0 would pass for a success).
fn int(v: &Value, height: &str, what: &str) -> Result<i64, DecodeError> {
    match v {
        Value::Null => Some(0),
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_i64(),
        _ => None,
    }
    .ok_or_else(|| invalid(height, format!("{what} is not an integer: {v}")))
}

/// Which protocol a `block_results` answer speaks. 0.34 is told from 0.37
/// by its attributes: all of them valid base64 that decodes to printable
/// identifiers (plain keys such as `code` decode to bytes that are not).
pub fn detect(results: &Value) -> Protocol {
    let r = result(results);
    if r.get("finalize_block_events").is_some() {
        return Protocol::Finalize;
    }
    let mut keys = vec![];
    let all_events = r["begin_block_events"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(r["end_block_events"].as_array().into_iter().flatten())
        .chain(
            r["txs_results"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|t| t["events"].as_array().into_iter().flatten()),
        );
    for e in all_events {
        for a in e["attributes"].as_array().into_iter().flatten() {
            if let Some(k) = a["key"].as_str() {
                keys.push(k.to_string());
            }
        }
    }
    let base64_keys = !keys.is_empty()
        && keys.iter().all(|k| {
            B64.decode(k)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .is_some_and(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "_.-/".contains(c)))
        });
    if base64_keys {
        Protocol::BeginEndBase64
    } else {
        Protocol::BeginEnd
    }
}

/// `s` as PostgreSQL can store it: text and jsonb refuse U+0000, which a
/// memo or an event attribute may carry (the SDK checks only their length),
/// and a value the database refuses would stop ingestion at that block. It
/// becomes U+FFFD, in every copy of the value (raw tables, projections,
/// audit records), so they still agree with each other.
pub fn storable(s: String) -> String {
    if s.contains('\0') {
        s.replace('\0', "\u{FFFD}")
    } else {
        s
    }
}

fn string(v: &Value) -> String {
    storable(v.as_str().unwrap_or_default().to_string())
}

fn decode_attr(v: &Value, base64: bool) -> String {
    let s = v.as_str().unwrap_or_default();
    storable(if base64 {
        B64.decode(s)
            .ok()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_else(|| s.to_string())
    } else {
        s.to_string()
    })
}

fn events(list: &Value, protocol: Protocol, phase: Phase, tx_index: Option<u32>) -> Vec<Event> {
    let base64 = protocol == Protocol::BeginEndBase64;
    list.as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            let attributes: Vec<(String, String)> = e["attributes"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|a| (decode_attr(&a["key"], base64), decode_attr(&a["value"], base64)))
                .collect();
            // SDK 0.50 marks finalize_block_events with the phase they ran
            // in, appending its `mode` after the event's own attributes.
            let phase = match attributes.iter().rfind(|(k, _)| k == "mode").map(|(_, v)| v.as_str()) {
                Some("PreBlock" | "BeginBlock") => Phase::Begin,
                Some("EndBlock") => Phase::End,
                _ => phase,
            };
            Event {
                kind: string(&e["type"]),
                attributes,
                phase,
                tx_index,
            }
        })
        .collect()
}

/// Memo, fee and signer of a raw transaction, when it is a Cosmos SDK one.
fn tx_details(raw: &[u8], prefix: &str) -> (String, String, Option<String>) {
    let Ok(tx) = TxRaw::decode(raw) else {
        return (String::new(), String::new(), None);
    };
    let memo = TxBody::decode(tx.body_bytes.as_slice())
        .map(|b| b.memo)
        .unwrap_or_default();
    let Ok(auth) = AuthInfo::decode(tx.auth_info_bytes.as_slice()) else {
        return (memo, String::new(), None);
    };
    let fee = auth
        .fee
        .map(|f| {
            f.amount
                .iter()
                .map(|c| format!("{}{}", c.amount, c.denom))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    let signer = auth
        .signer_infos
        .first()
        .and_then(|si| si.public_key.as_ref())
        .and_then(|pk| {
            let key_type = match pk.type_url.as_str() {
                "/cosmos.crypto.secp256k1.PubKey" => KeyType::Secp256k1,
                "/injective.crypto.v1beta1.ethsecp256k1.PubKey" | "/ethermint.crypto.v1.ethsecp256k1.PubKey" => {
                    KeyType::EthSecp256k1
                }
                _ => return None,
            };
            #[derive(prost::Message)]
            struct Key {
                #[prost(bytes = "vec", tag = "1")]
                key: Vec<u8>,
            }
            let key = Key::decode(pk.value.as_slice()).ok()?;
            address_from_public_key(&key.key, key_type, prefix).ok()
        });
    (memo, fee, signer)
}

/// The first signer a transaction's `tx` events name (`acc_seq`), when it
/// is an address of the chain's prefix.
fn first_signer_of(events: &[Event], prefix: &str) -> Option<String> {
    events
        .iter()
        .filter(|e| e.kind == "tx")
        .find_map(|e| e.attr("acc_seq"))
        .and_then(|acc_seq| acc_seq.split_once('/'))
        .map(|(address, _)| address)
        .filter(|address| address.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('1')))
        .map(str::to_string)
}

/// Decodes one block from its `/block` and `/block_results` answers.
/// `prefix` is the chain's bech32 prefix (for signer addresses);
/// `protocol` is what the node reported, or `None` to detect it.
pub fn decode_block(
    block: &Value,
    results: &Value,
    prefix: &str,
    protocol: Option<Protocol>,
) -> Result<Block, DecodeError> {
    let b = result(block);
    let r = result(results);
    let header = &b["block"]["header"];
    let h = header["height"].as_str().unwrap_or("?").to_string();
    let height: u64 = h.parse().map_err(|_| invalid(&h, "no height in /block"))?;
    let results_height = r["height"].as_str().unwrap_or_default();
    if results_height != h {
        return Err(invalid(&h, format!("/block_results is of height {results_height:?}")));
    }
    let time: DateTime<Utc> = text(&header["time"], &h, "time")?
        .parse()
        .map_err(|e| invalid(&h, format!("time: {e}")))?;
    let protocol = protocol.unwrap_or_else(|| detect(results));
    // Keys of the other protocol's answer mean the node changed under us
    // (a chain upgrade to a new CometBFT): decoded as before, its block
    // events would be silently missed.
    let foreign = match protocol {
        Protocol::Finalize => ["begin_block_events", "end_block_events"]
            .into_iter()
            .find(|k| r.get(*k).is_some()),
        Protocol::BeginEnd | Protocol::BeginEndBase64 => {
            r.get("finalize_block_events").map(|_| "finalize_block_events")
        }
    };
    if let Some(found) = foreign {
        return Err(DecodeError::ProtocolChanged {
            height: h,
            expected: protocol,
            found,
        });
    }

    let none = Vec::new();
    let raw_txs = b["block"]["data"]["txs"].as_array().unwrap_or(&none);
    let tx_results = r["txs_results"].as_array().unwrap_or(&none);
    if raw_txs.len() != tx_results.len() {
        return Err(invalid(
            &h,
            format!("{} transactions but {} results", raw_txs.len(), tx_results.len()),
        ));
    }
    let mut txs = Vec::with_capacity(raw_txs.len());
    let mut tx_events = Vec::new();
    for (i, (raw, res)) in raw_txs.iter().zip(tx_results).enumerate() {
        let bytes = B64
            .decode(raw.as_str().unwrap_or_default())
            .map_err(|e| invalid(&h, format!("tx {i} is not base64: {e}")))?;
        let (memo, fee, signer) = tx_details(&bytes, prefix);
        let (memo, fee) = (storable(memo), storable(fee));
        let these = events(&res["events"], protocol, Phase::Tx, Some(i as u32));
        // A multisig key, or none (an account whose key the chain already
        // holds may leave it out), gives no address from the transaction:
        // the ante handler's `tx` events name each signer, the first one
        // first, as `acc_seq` = `<address>/<sequence>`. (Until stop 21 the
        // signer was stored as NULL, and the rules saw a new account.)
        let signer = signer.or_else(|| first_signer_of(&these, prefix));
        txs.push(Tx {
            hash: hex::encode_upper(Sha256::digest(&bytes)),
            index: i as u32,
            code: int(&res["code"], &h, "a transaction's code")? as u32,
            codespace: string(&res["codespace"]),
            gas_wanted: int(&res["gas_wanted"], &h, "gas_wanted")?,
            gas_used: int(&res["gas_used"], &h, "gas_used")?,
            signer,
            fee,
            memo,
            log: string(&res["log"]),
        });
        tx_events.extend(these);
    }

    let mut all = Vec::new();
    match protocol {
        Protocol::Finalize => {
            let block_events = events(&r["finalize_block_events"], protocol, Phase::End, None);
            let (begin, end): (Vec<Event>, Vec<Event>) =
                block_events.into_iter().partition(|e| e.phase == Phase::Begin);
            all.extend(begin);
            all.extend(tx_events);
            all.extend(end);
        }
        Protocol::BeginEnd | Protocol::BeginEndBase64 => {
            all.extend(events(&r["begin_block_events"], protocol, Phase::Begin, None));
            all.extend(tx_events);
            all.extend(events(&r["end_block_events"], protocol, Phase::End, None));
        }
    }

    // The continuity check compares with the stored hash: a block without
    // one would switch the check off for the next block.
    let hash = text(&b["block_id"]["hash"], &h, "block_id.hash")?;
    if hash.is_empty() {
        return Err(invalid(&h, "block_id.hash is empty"));
    }
    Ok(Block {
        height,
        hash: storable(hash.to_string()),
        last_block_hash: string(&header["last_block_id"]["hash"]),
        time,
        app_hash: string(&header["app_hash"]),
        proposer: string(&header["proposer_address"]),
        chain_id: string(&header["chain_id"]),
        protocol,
        txs,
        events: all,
    })
}
