//! A block as the indexer sees it, whatever the node's CometBFT version.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Which shape of `block_results` the node speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    /// 0.38 and 1.0: `finalize_block_events`.
    Finalize,
    /// 0.37: `begin_block_events` / `end_block_events`, plain attributes.
    BeginEnd,
    /// 0.34: like 0.37 but attribute keys and values base64-encoded.
    BeginEndBase64,
}

impl Protocol {
    pub fn as_str(&self) -> &'static str {
        match self {
            Protocol::Finalize => "cometbft-0.38+",
            Protocol::BeginEnd => "cometbft-0.37",
            Protocol::BeginEndBase64 => "tendermint-0.34",
        }
    }
}

/// Where in the block an event was emitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// `begin_block_events` (0.34/0.37) or `finalize_block_events` with mode
    /// BeginBlock.
    Begin,
    /// Inside transaction `tx_index`.
    Tx,
    End,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub kind: String,
    pub attributes: Vec<(String, String)>,
    pub phase: Phase,
    pub tx_index: Option<u32>,
}

impl Event {
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attributes.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tx {
    /// SHA-256 of the raw transaction, upper-case hex (as the chain shows it).
    pub hash: String,
    pub index: u32,
    pub code: u32,
    pub codespace: String,
    pub gas_wanted: i64,
    pub gas_used: i64,
    /// Bech32 address of the first signer, when its public key is known.
    pub signer: Option<String>,
    /// e.g. `25725440000000inj`.
    pub fee: String,
    pub memo: String,
    pub log: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Block {
    pub height: u64,
    /// Upper-case hex.
    pub hash: String,
    /// Hash of the previous block (`last_block_id.hash`).
    pub last_block_hash: String,
    pub time: DateTime<Utc>,
    pub app_hash: String,
    pub proposer: String,
    pub chain_id: String,
    pub protocol: Protocol,
    pub txs: Vec<Tx>,
    pub events: Vec<Event>,
}
