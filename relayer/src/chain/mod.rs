//! Talking to a CosmWasm chain: profiles, keys, transactions, queries.

mod client;
mod error;
mod gov;
mod keys;
mod profile;

pub use client::{rfc3339_seconds, tx_hash, ChainClient, PreparedTx, Signer, TxAttribute, TxEvent, TxResult};
pub use error::{classify, contract_message, ChainError};
pub use keys::{
    address_from_public_key, generate_mnemonic, mnemonic_from_entropy, parse_mnemonic, KeyType, PrivateKey,
};
pub use profile::{ChainProfile, NodeProfile};
