//! Where checkpoints are anchored: the CosmWasm audit-anchor contract and
//! the EVM AuditAnchor. Each anchoring is split into prepare (sign, no side
//! effect), broadcast (idempotent) and status, so the daemon can record a
//! transaction before it exists anywhere but here.

use anyhow::{anyhow, Result};
use cosmwasm_std::HexBinary;
use fog_audit_anchor::msg::{CheckpointResponse, ExecuteMsg, LogResponse, QueryMsg};
use fog_merkle::Hash;

use super::source::LogCheckpoint;
use crate::chain::{ChainClient, ChainError, PreparedTx, Signer};
use crate::evm::{self, EvmAnchor, EvmError};

/// A signed anchoring transaction, as the state table keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedAnchor {
    /// The transaction hash the chain will report (hex).
    pub tx_hash: String,
    pub raw: Vec<u8>,
    /// Account sequence (CosmWasm) or nonce (EVM) it uses.
    pub nonce: u64,
}

/// Where a broadcast transaction stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TxState {
    /// Not in a block (yet, or ever).
    Unknown,
    Included {
        height: u64,
        gas_used: u64,
    },
    /// In a block, but it failed there.
    Failed(String),
    /// In a block at `height` that is not yet deep enough to count: the
    /// chain may still reorganise it away (then it is `Unknown` again).
    Pending {
        height: u64,
    },
}

/// What a broadcast of recorded bytes ended in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Broadcast {
    /// The node has the transaction (new, or already known).
    Accepted,
    /// The sequence or nonce was used by another transaction: these bytes
    /// can never be included.
    Superseded(String),
    /// The node's CheckTx refused these bytes for a reason retrying will not
    /// change (a fee below its minimum, a bad signature): they are not in
    /// its mempool. Definitive for a first broadcast; bytes accepted before
    /// may still sit in another node's mempool.
    Refused(String),
}

pub struct CosmwasmTarget {
    pub client: ChainClient,
    pub signer: Signer,
    pub contract: String,
}

impl CosmwasmTarget {
    /// The log's signature when the contract checks one: a log registered
    /// with a key refuses checkpoints without it, one without a key refuses
    /// them with it. A key other than `--log-key`'s is a configuration
    /// error named here rather than a refused transaction.
    async fn signature_for(&self, checkpoint: &LogCheckpoint) -> Result<Option<HexBinary>> {
        let log: LogResponse = self
            .client
            .query(
                &self.contract,
                &QueryMsg::Log {
                    origin: checkpoint.origin.clone(),
                },
            )
            .await?;
        match log.public_key {
            None => Ok(None),
            Some(key) if key.as_slice() == checkpoint.public_key => {
                Ok(Some(HexBinary::from(checkpoint.signature.as_slice())))
            }
            Some(key) => Err(anyhow!(
                "the audit anchor {} checks log {}'s checkpoints with key {}, not the --log-key's {}: \
                 run the relayer with the log's current key, or have the anchor's owner set it (SetLogKey)",
                self.contract,
                checkpoint.origin,
                key.to_hex(),
                hex::encode(checkpoint.public_key)
            )),
        }
    }
}

pub struct EvmTarget {
    pub anchor: EvmAnchor,
    /// The log the contract anchors (its `origin()`, fixed at deployment):
    /// a checkpoint of another log is never sent to it.
    pub origin: String,
    /// Blocks a transaction must be under (its own included) before it is
    /// settled, succeeded or failed; at least 1.
    pub confirmations: u64,
}

pub enum Target {
    Cosmwasm(Box<CosmwasmTarget>),
    Evm(Box<EvmTarget>),
}

/// A signed EVM transaction as the state table keeps it.
fn signed(tx: evm::PreparedTx) -> SignedAnchor {
    SignedAnchor {
        tx_hash: format!("0x{}", hex::encode(tx.hash)),
        raw: tx.raw,
        nonce: tx.nonce,
    }
}

/// A recorded EVM transaction as the EVM client takes it.
fn prepared(tx: &SignedAnchor) -> Result<evm::PreparedTx> {
    Ok(evm::PreparedTx {
        hash: evm_hash(&tx.tx_hash)?,
        raw: tx.raw.clone(),
        nonce: tx.nonce,
    })
}

fn hex32(h: &[u8]) -> Result<[u8; 32]> {
    h.try_into().map_err(|_| anyhow!("not a 32-byte hash"))
}

impl Target {
    /// `cosmwasm:<contract>` or `evm:<chain id>:<contract>`: the state
    /// table's key and the metrics' label.
    pub fn name(&self) -> String {
        match self {
            Target::Cosmwasm(t) => format!("cosmwasm:{}", t.contract),
            Target::Evm(t) => format!("evm:{}:{}", t.anchor.chain_id(), t.anchor.address()),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Target::Cosmwasm(_) => "cosmwasm",
            Target::Evm(_) => "evm",
        }
    }

    /// The latest anchored (size, root); (0, None) before the first.
    pub async fn latest(&self, origin: &str) -> Result<(u64, Option<Hash>)> {
        match self {
            Target::Cosmwasm(t) => {
                let latest: Option<CheckpointResponse> = t
                    .client
                    .query(
                        &t.contract,
                        &QueryMsg::LatestCheckpoint {
                            origin: origin.to_string(),
                        },
                    )
                    .await?;
                match latest {
                    None => Ok((0, None)),
                    Some(c) => Ok((c.size, Some(hex32(c.root.as_slice())?))),
                }
            }
            Target::Evm(t) => {
                let (size, root) = t.anchor.latest().await?;
                Ok((size, (size > 0).then_some(root)))
            }
        }
    }

    /// Signs the anchoring of `checkpoint`; `proof` leads from the latest
    /// anchored size to it (the EVM contract stores only the head and takes
    /// no proof: the relayer checked it before).
    pub async fn prepare(&self, checkpoint: &LogCheckpoint, proof: &[Hash]) -> Result<SignedAnchor> {
        match self {
            Target::Cosmwasm(t) => {
                let signature = t.signature_for(checkpoint).await?;
                let msg = ExecuteMsg::Checkpoint {
                    origin: checkpoint.origin.clone(),
                    size: checkpoint.size,
                    root: HexBinary::from(checkpoint.root.as_slice()),
                    timestamp: checkpoint.timestamp,
                    proof: proof.iter().map(|h| HexBinary::from(h.as_slice())).collect(),
                    signature,
                };
                let any = t.client.execute_msg(&t.signer, &t.contract, &msg, &[])?;
                let tx = t.client.prepare_tx(&t.signer, &[any], "fog audit checkpoint").await?;
                Ok(SignedAnchor {
                    tx_hash: tx.hash,
                    raw: tx.bytes,
                    nonce: tx.sequence,
                })
            }
            Target::Evm(t) => {
                if t.origin != checkpoint.origin {
                    return Err(anyhow!(
                        "the EVM anchor {} anchors log {:?}, not {:?}: the manifest points at another log's contract",
                        t.anchor.address(),
                        t.origin,
                        checkpoint.origin
                    ));
                }
                Ok(signed(t.anchor.prepare_anchor(checkpoint.size, checkpoint.root).await?))
            }
        }
    }

    /// A re-priced replacement of a broadcast EVM anchoring that fees have
    /// risen above (same nonce); `None` while they have not, and always on
    /// CosmWasm (a transaction there pays its fee or is refused at once).
    pub async fn replacement(&self, tx: &SignedAnchor) -> Result<Option<SignedAnchor>> {
        match self {
            Target::Cosmwasm(_) => Ok(None),
            Target::Evm(t) => Ok(t.anchor.replacement(&prepared(tx)?).await?.map(signed)),
        }
    }

    /// Broadcasts recorded bytes; safe to repeat.
    pub async fn broadcast(&self, tx: &SignedAnchor) -> Result<Broadcast> {
        match self {
            Target::Cosmwasm(t) => {
                let prepared = PreparedTx {
                    hash: tx.tx_hash.clone(),
                    bytes: tx.raw.clone(),
                    sequence: tx.nonce,
                    gas: 0,
                };
                match t.client.broadcast(&prepared).await {
                    Ok(()) => Ok(Broadcast::Accepted),
                    Err(ChainError::SequenceMismatch { log }) => Ok(Broadcast::Superseded(log)),
                    Err(e) if refused_for_good(&e) => Ok(Broadcast::Refused(e.to_string())),
                    // Anything else (a full mempool, a proxy's 429 or 503, a
                    // node gone) may pass: the bytes may be in a mempool.
                    Err(e) => Err(e.into()),
                }
            }
            Target::Evm(t) => match t.anchor.send_prepared(&prepared(tx)?).await {
                Ok(()) => Ok(Broadcast::Accepted),
                Err(e @ EvmError::NonceTaken { .. }) => Ok(Broadcast::Superseded(e.to_string())),
                Err(e) => Err(e.into()),
            },
        }
    }

    pub async fn status(&self, tx_hash: &str) -> Result<TxState> {
        match self {
            Target::Cosmwasm(t) => match t.client.lookup_tx(tx_hash).await {
                Ok(None) => Ok(TxState::Unknown),
                Ok(Some(r)) => Ok(TxState::Included {
                    height: r.height,
                    gas_used: r.gas_used,
                }),
                Err(e @ (ChainError::Unreachable { .. } | ChainError::Decode { .. } | ChainError::Query { .. })) => {
                    Err(e.into())
                }
                // The code of a transaction in a block: it failed there.
                Err(e) => Ok(TxState::Failed(e.to_string())),
            },
            Target::Evm(t) => match t.anchor.receipt(evm_hash(tx_hash)?).await? {
                None => Ok(TxState::Unknown),
                // One confirmation is the receipt's own block: no head to ask.
                Some(info)
                    if t.confirmations > 1
                        && !deep_enough(info.block_number, t.anchor.block_number().await?, t.confirmations) =>
                {
                    Ok(TxState::Pending {
                        height: info.block_number,
                    })
                }
                Some(info) if info.success => Ok(TxState::Included {
                    height: info.block_number,
                    gas_used: info.gas_used,
                }),
                Some(info) => Ok(TxState::Failed(format!(
                    "reverted in block {} (gas used {})",
                    info.block_number, info.gas_used
                ))),
            },
        }
    }
}

/// Whether a transaction in block `included` is under `confirmations`
/// blocks (its own included) when the chain's head is `head`.
fn deep_enough(included: u64, head: u64, confirmations: u64) -> bool {
    head.saturating_add(1).saturating_sub(included) >= confirmations.max(1)
}

/// A CheckTx refusal that the same bytes will meet again: an insufficient
/// fee or funds (sdk 13, 5), a gas limit below what the signature check and
/// the transaction's size cost (11: the limit is in the signed bytes), an
/// invalid signature (4), too large (21).
fn refused_for_good(e: &ChainError) -> bool {
    match e {
        ChainError::InsufficientFee { .. } | ChainError::InsufficientFunds { .. } | ChainError::OutOfGas { .. } => true,
        ChainError::Rejected { code, codespace, .. } => codespace == "sdk" && matches!(code, 4 | 21),
        _ => false,
    }
}

fn evm_hash(text: &str) -> Result<[u8; 32]> {
    let bytes = hex::decode(text.trim_start_matches("0x"))?;
    hex32(&bytes)
}

#[cfg(test)]
mod refusal_tests {
    use super::*;

    #[test]
    fn a_transaction_is_deep_enough_under_its_confirmations() {
        // One confirmation: its own block.
        assert!(deep_enough(10, 10, 1));
        assert!(!deep_enough(10, 11, 3));
        assert!(deep_enough(10, 12, 3));
        // A head behind the receipt (another node of a load balancer).
        assert!(!deep_enough(10, 9, 1));
        assert!(deep_enough(10, 10, 0), "0 counts as 1");
        assert!(deep_enough(0, u64::MAX, u64::MAX));
    }

    #[test]
    fn only_refusals_the_same_bytes_meet_again_are_final() {
        let rejected = |code, codespace: &str| ChainError::Rejected {
            code,
            codespace: codespace.into(),
            log: String::new(),
        };
        assert!(refused_for_good(&ChainError::InsufficientFee { log: String::new() }));
        assert!(refused_for_good(&ChainError::InsufficientFunds { log: String::new() }));
        assert!(refused_for_good(&rejected(4, "sdk")));
        assert!(refused_for_good(&rejected(21, "sdk")));
        assert!(refused_for_good(&ChainError::OutOfGas { wanted: 1, used: 2 }));
        // A full mempool (sdk 20) or a proxy's error page (no tx_response)
        // may pass, and the bytes may already be in a mempool.
        assert!(!refused_for_good(&rejected(20, "sdk")));
        assert!(!refused_for_good(&rejected(429, "")));
        assert!(!refused_for_good(&rejected(4, "wasm")));
        assert!(!refused_for_good(&ChainError::Unreachable {
            url: String::new(),
            reason: String::new(),
        }));
    }
}
