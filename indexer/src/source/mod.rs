//! Where blocks come from: a live node's CometBFT RPC, or a directory of
//! recorded RPC answers. Both go through the same decoder.

mod decode;
mod model;
mod replay;
mod rpc;

pub use decode::{decode_block, detect, result, DecodeError};
pub use model::{Block, Event, Phase, Protocol, Tx};
pub use replay::{write_recorded, DirSource};
pub use rpc::RpcSource;

use std::future::Future;

use serde_json::Value;

/// A source of blocks. Its futures are `Send`: ingestion fetches in a task
/// of its own, ahead of the writer.
pub trait BlockSource: Send + Sync {
    /// The highest height available.
    fn latest_height(&self) -> impl Future<Output = anyhow::Result<u64>> + Send;
    /// The lowest height available (a pruned node's first kept block).
    fn earliest_height(&self) -> impl Future<Output = anyhow::Result<u64>> + Send {
        async { Ok(1) }
    }
    /// The raw `/block` and `/block_results` answers of `height`.
    fn fetch_raw(&self, height: u64) -> impl Future<Output = anyhow::Result<(Value, Value)>> + Send;
    /// The protocol the node speaks, when it says (`/status`).
    fn protocol(&self) -> Option<Protocol>;
    /// The chain's bech32 prefix, for signer addresses.
    fn prefix(&self) -> &str;

    fn fetch(&self, height: u64) -> impl Future<Output = anyhow::Result<Block>> + Send {
        async move {
            let (block, results) = self.fetch_raw(height).await?;
            Ok(decode_block(&block, &results, self.prefix(), self.protocol())?)
        }
    }
}

/// The protocol a node speaks, from its `/status` version string.
pub fn protocol_of_version(version: &str) -> Option<Protocol> {
    let v = version.trim_start_matches('v');
    let mut parts = v.split('.');
    let major: u32 = parts.next()?.parse().ok()?;
    let minor: u32 = parts.next()?.parse().ok()?;
    Some(match (major, minor) {
        (0, m) if m <= 34 => Protocol::BeginEndBase64,
        // 0.35 (0.36 was never released) already had string attributes and
        // still begin/end block events, as 0.37 has.
        (0, 35..=37) => Protocol::BeginEnd,
        _ => Protocol::Finalize,
    })
}
