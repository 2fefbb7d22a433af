//! The EVM half of audit-log anchoring: the `AuditAnchor` contract
//! (`contracts/evm/AuditAnchor.sol`) driven through alloy.
//!
//! The contract's ABI and creation code come from the committed artifact
//! `contracts/evm/artifacts/AuditAnchor.json` (rebuilt by
//! `scripts/build-evm.sh`), so building this crate needs no Solidity compiler.
//!
//! Anchoring is split into [`EvmAnchor::prepare_anchor`] (build and sign, no
//! network side effect), [`EvmAnchor::send_prepared`] (broadcast, idempotent)
//! and [`EvmAnchor::wait`]: a daemon records the signed transaction's hash
//! before broadcasting it, so after a crash between broadcast and confirmation
//! it looks the hash up (or re-sends the same bytes) instead of anchoring twice.

use std::fmt;
use std::fs;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use alloy::consensus::{Transaction as _, TxEnvelope};
use alloy::eips::eip2718::{Decodable2718, Encodable2718};
use alloy::network::{EthereumWallet, NetworkTransactionBuilder, TransactionBuilder};
/// The EVM account / contract address type of this API (alloy's).
pub use alloy::primitives::Address;
use alloy::primitives::B256;
use alloy::providers::{Provider, RootProvider};
use alloy::rpc::types::{Filter, TransactionReceipt, TransactionRequest};
use alloy::signers::local::PrivateKeySigner;
use alloy::sol_types::{SolEvent, SolInterface};
use alloy::transports::http::reqwest::Url;
use alloy::transports::{RpcError, TransportError};

use bindings::AuditAnchor;

mod bindings {
    #![allow(missing_docs, clippy::too_many_arguments)]
    alloy::sol!(
        #[sol(rpc)]
        AuditAnchor,
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../contracts/evm/artifacts/AuditAnchor.json"
        )
    );
}

/// How often [`EvmAnchor::wait`] asks the node for a receipt.
const RECEIPT_POLL: Duration = Duration::from_millis(200);
/// How long [`EvmAnchor::deploy`] waits for the deployment to be mined.
const DEPLOY_TIMEOUT: Duration = Duration::from_secs(120);
/// Head room over the node's gas estimate: the estimate is exact for the state
/// it ran on, and an anchor landing in between must not run out of gas.
const GAS_MARGIN_PERCENT: u64 = 20;

/// Why an EVM operation failed.
#[derive(Debug, thiserror::Error)]
pub enum EvmError {
    /// The RPC URL does not parse.
    #[error("invalid EVM RPC URL {url:?}: {reason}")]
    InvalidUrl { url: String, reason: String },
    /// The private key is not 32 bytes of hex (the key itself is never shown).
    #[error("invalid EVM private key: expected 64 hex digits (optionally 0x-prefixed)")]
    InvalidKey,
    /// The node could not be reached (connection refused, DNS, HTTP failure).
    #[error("EVM node at {url} is unreachable: {reason} (is it running? check the RPC URL)")]
    Unreachable { url: String, reason: String },
    /// The contract refused the transaction or call.
    #[error("AuditAnchor reverted: {0}")]
    Reverted(Revert),
    /// The node answered with a JSON-RPC error that is not a revert.
    #[error("EVM node error {code}: {message}")]
    Rpc { code: i64, message: String },
    /// There is no contract at the address given to [`EvmAnchor::connect`].
    #[error("no contract at {0} on this chain: check the AuditAnchor address and the RPC URL")]
    NoContract(Address),
    /// The transaction was mined but failed (status 0).
    #[error("transaction {} was mined in block {block_number} but failed", fmt_hash(hash))]
    Failed { hash: [u8; 32], block_number: u64 },
    /// No receipt within the time allowed; the transaction may still be mined.
    #[error(
        "no receipt for transaction {} after {waited:?}: it may still be mined; wait again or re-send it",
        fmt_hash(hash)
    )]
    Timeout { hash: [u8; 32], waited: Duration },
    /// Another transaction of this account already used the nonce of a
    /// prepared transaction, so it can never be mined: prepare a new one.
    #[error(
        "nonce {nonce} of transaction {} was used by another transaction: prepare it again",
        fmt_hash(hash)
    )]
    NonceTaken { nonce: u64, hash: [u8; 32] },
    /// Building or signing a transaction failed.
    #[error("could not sign the transaction: {0}")]
    Signing(String),
    /// The node's answer could not be understood.
    #[error("unexpected answer from the EVM node: {0}")]
    Decode(String),
    /// The local anvil node could not be started.
    #[error("anvil: {0}")]
    Anvil(String),
}

/// A custom error of `AuditAnchor`, decoded from the revert data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revert {
    /// `NotLarger(latest, proposed)`: the size is not larger than the latest
    /// anchored one (a size is anchored once, and a log never shrinks).
    NotLarger { latest: u64, proposed: u64 },
    /// `NotSubmitter()`: the signing account may not anchor on this contract.
    NotSubmitter,
    /// `NotOwner()`: only the owner may manage submitters and ownership.
    NotOwner,
    /// `ZeroAddress()`: the zero address was given where an account is needed.
    ZeroAddress,
    /// A revert that is none of the above (raw revert data, node message).
    Other { data: Vec<u8>, message: String },
}

impl Revert {
    /// The Solidity name of the error (`NotLarger`, `NotSubmitter`, ...).
    pub fn name(&self) -> &str {
        match self {
            Revert::NotLarger { .. } => "NotLarger",
            Revert::NotSubmitter => "NotSubmitter",
            Revert::NotOwner => "NotOwner",
            Revert::ZeroAddress => "ZeroAddress",
            Revert::Other { .. } => "unknown",
        }
    }
}

impl fmt::Display for Revert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Revert::NotLarger { latest, proposed } => write!(
                f,
                "NotLarger(latest={latest}, proposed={proposed}): the size must exceed the latest anchored size"
            ),
            Revert::NotSubmitter => write!(f, "NotSubmitter(): this account is not an authorised submitter"),
            Revert::NotOwner => write!(f, "NotOwner(): only the contract's owner may do this"),
            Revert::ZeroAddress => write!(f, "ZeroAddress(): the zero address is not an account"),
            Revert::Other { data, message } => write!(f, "{message} (revert data 0x{})", hex::encode(data)),
        }
    }
}

/// A signed transaction that has not been sent yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedTx {
    /// The transaction hash: record it before sending.
    pub hash: [u8; 32],
    /// The signed transaction in its EIP-2718 encoding, as broadcast.
    pub raw: Vec<u8>,
    /// The sender's nonce it uses.
    pub nonce: u64,
}

/// The outcome of a mined transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TxInfo {
    /// The transaction hash.
    pub hash: [u8; 32],
    /// The block it was mined in.
    pub block_number: u64,
    /// Gas it used.
    pub gas_used: u64,
    /// Whether it succeeded (receipt status 1).
    pub success: bool,
}

/// One `Anchored` event: a checkpoint anchored on the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Anchored {
    /// Tree size of the checkpoint.
    pub size: u64,
    /// Merkle root of the checkpoint.
    pub root: [u8; 32],
    /// Block time of the anchoring, in seconds since the Unix epoch.
    pub timestamp: u64,
    /// The block the anchoring transaction is in.
    pub block_number: u64,
    /// The anchoring transaction.
    pub tx_hash: [u8; 32],
}

/// A client of one `AuditAnchor` contract, signing with a local key.
#[derive(Debug, Clone)]
pub struct EvmAnchor {
    client: Client,
    address: Address,
}

impl EvmAnchor {
    /// Deploys a new AuditAnchor for `origin` with `submitter` authorised.
    /// The signing account becomes the owner. Waits for the deployment to be
    /// mined (up to two minutes).
    pub async fn deploy(
        rpc_url: &str,
        private_key_hex: &str,
        origin: &str,
        submitter: Address,
    ) -> Result<(Self, TxInfo), EvmError> {
        let client = Client::connect(rpc_url, private_key_hex).await?;
        let request =
            AuditAnchor::deploy_builder(&client.provider, origin.to_string(), submitter).into_transaction_request();
        let tx = client.sign(request).await?;
        client.send(&tx).await?;
        let info = client.succeeded(client.wait(tx.hash, DEPLOY_TIMEOUT).await?)?;
        let receipt = client
            .raw_receipt(tx.hash)
            .await?
            .ok_or_else(|| EvmError::Decode("receipt vanished".into()))?;
        let address = receipt
            .contract_address
            .ok_or_else(|| EvmError::Decode("deployment receipt has no contract address".into()))?;
        Ok((Self { client, address }, info))
    }

    /// Connects to the AuditAnchor at `address`, signing with `private_key_hex`.
    /// Fails if the node is unreachable or there is no contract there.
    pub async fn connect(rpc_url: &str, private_key_hex: &str, address: Address) -> Result<Self, EvmError> {
        let client = Client::connect(rpc_url, private_key_hex).await?;
        let code = client
            .provider
            .get_code_at(address)
            .await
            .map_err(|e| client.rpc_error(e))?;
        if code.is_empty() {
            return Err(EvmError::NoContract(address));
        }
        Ok(Self { client, address })
    }

    /// The contract's address.
    pub fn address(&self) -> Address {
        self.address
    }

    /// The signing account's address.
    pub fn signer_address(&self) -> Address {
        self.client.from
    }

    /// The chain id the node reported at connection.
    pub fn chain_id(&self) -> u64 {
        self.client.chain_id
    }

    /// A read-only client: `latest` and `anchored` only (signing calls fail
    /// with the throwaway key's `NotSubmitter`). For verifiers.
    pub async fn read_only(rpc_url: &str, address: Address) -> Result<Self, EvmError> {
        // A fixed, never-funded key: reading needs a client, not an account.
        Self::connect(rpc_url, &format!("0x{}", "11".repeat(32)), address).await
    }

    /// The latest anchored checkpoint: (size, root); (0, zeros) before the first.
    pub async fn latest(&self) -> Result<(u64, [u8; 32]), EvmError> {
        let latest = self
            .contract()
            .latest()
            .call()
            .await
            .map_err(|e| self.client.contract_error(e))?;
        Ok((latest.size, latest.root.0))
    }

    /// Builds and signs the anchor transaction WITHOUT sending it, so a caller
    /// can record its hash first (crash safety between broadcast and
    /// confirmation). The node simulates it to estimate gas, so a checkpoint
    /// the contract would refuse fails here with [`EvmError::Reverted`].
    pub async fn prepare_anchor(&self, size: u64, root: [u8; 32]) -> Result<PreparedTx, EvmError> {
        let request = self
            .contract()
            .anchor(size, B256::from(root))
            .into_transaction_request();
        self.client.sign(request).await
    }

    /// Broadcasts a prepared transaction. Idempotent: sending a transaction
    /// the node already has (in its pool or mined) is not an error. Fails with
    /// [`EvmError::NonceTaken`] if another transaction used its nonce.
    pub async fn send_prepared(&self, tx: &PreparedTx) -> Result<(), EvmError> {
        self.client.send(tx).await
    }

    /// Never offers more than `cap` wei per gas (None: what the node asks),
    /// on an anchoring or its replacement: above it, a transaction waits
    /// until fees fall (in the pool, or refused by a node that takes no
    /// offer below its base fee, as anvil, and sent again later). What an
    /// operator sets to bound the cost of anchoring every few minutes
    /// forever.
    pub fn with_max_fee_per_gas(mut self, cap: Option<u128>) -> Self {
        self.client.max_fee_cap = cap;
        self
    }

    /// A replacement for a prepared transaction that is not being mined
    /// because fees rose above what it offers: the same nonce and call,
    /// re-priced to the market (and at least an eighth above the old fees,
    /// so nodes' pools accept it in place of the old one). `None` while the
    /// market asks no more than it offers. Record it before sending it: the
    /// old one may still be mined instead, and only one of them can be.
    pub async fn replacement(&self, tx: &PreparedTx) -> Result<Option<PreparedTx>, EvmError> {
        self.client.replacement(&tx.raw).await
    }

    /// The outcome of a transaction, or `None` while it is not mined (or unknown).
    pub async fn receipt(&self, hash: [u8; 32]) -> Result<Option<TxInfo>, EvmError> {
        self.client.receipt(hash).await
    }

    /// The number of the node's latest block.
    pub async fn block_number(&self) -> Result<u64, EvmError> {
        self.client
            .provider
            .get_block_number()
            .await
            .map_err(|e| self.client.rpc_error(e))
    }

    /// Waits until the transaction is mined and returns its outcome (which
    /// may be a failure: check [`TxInfo::success`]); [`EvmError::Timeout`]
    /// after `timeout`.
    pub async fn wait(&self, hash: [u8; 32], timeout: Duration) -> Result<TxInfo, EvmError> {
        self.client.wait(hash, timeout).await
    }

    /// Prepares, sends and waits for one anchor; a mined failure is an error.
    pub async fn anchor(&self, size: u64, root: [u8; 32], timeout: Duration) -> Result<TxInfo, EvmError> {
        let tx = self.prepare_anchor(size, root).await?;
        self.send_prepared(&tx).await?;
        self.client.succeeded(self.wait(tx.hash, timeout).await?)
    }

    /// The log's origin line the contract was deployed for.
    pub async fn origin(&self) -> Result<String, EvmError> {
        self.contract()
            .origin()
            .call()
            .await
            .map_err(|e| self.client.contract_error(e))
    }

    /// Whether `account` may anchor checkpoints.
    pub async fn is_submitter(&self, account: Address) -> Result<bool, EvmError> {
        self.contract()
            .isSubmitter(account)
            .call()
            .await
            .map_err(|e| self.client.contract_error(e))
    }

    /// Allows `account` to anchor (owner only), e.g. a new relayer key.
    pub async fn add_submitter(&self, account: Address, timeout: Duration) -> Result<TxInfo, EvmError> {
        self.transact(
            self.contract().addSubmitter(account).into_transaction_request(),
            timeout,
        )
        .await
    }

    /// Withdraws the right of `account` to anchor (owner only).
    pub async fn remove_submitter(&self, account: Address, timeout: Duration) -> Result<TxInfo, EvmError> {
        self.transact(
            self.contract().removeSubmitter(account).into_transaction_request(),
            timeout,
        )
        .await
    }

    /// Hands the contract's ownership to `new_owner` (owner only).
    pub async fn transfer_ownership(&self, new_owner: Address, timeout: Duration) -> Result<TxInfo, EvmError> {
        self.transact(
            self.contract().transferOwnership(new_owner).into_transaction_request(),
            timeout,
        )
        .await
    }

    async fn transact(&self, request: TransactionRequest, timeout: Duration) -> Result<TxInfo, EvmError> {
        let tx = self.client.sign(request).await?;
        self.client.send(&tx).await?;
        self.client.succeeded(self.client.wait(tx.hash, timeout).await?)
    }

    /// Every `Anchored` event of the contract from block `from_block` to the
    /// latest block, oldest first. (Public RPC endpoints may limit the range a
    /// single query covers; the local node does not.)
    pub async fn anchored(&self, from_block: u64) -> Result<Vec<Anchored>, EvmError> {
        let filter = Filter::new()
            .address(self.address)
            .event_signature(AuditAnchor::Anchored::SIGNATURE_HASH)
            .from_block(from_block);
        let logs = self
            .client
            .provider
            .get_logs(&filter)
            .await
            .map_err(|e| self.client.rpc_error(e))?;
        logs.iter()
            .filter(|log| !log.removed)
            .map(|log| {
                let event = log
                    .log_decode::<AuditAnchor::Anchored>()
                    .map_err(|e| EvmError::Decode(format!("Anchored event: {e}")))?;
                let (Some(block_number), Some(tx_hash)) = (log.block_number, log.transaction_hash) else {
                    return Err(EvmError::Decode(
                        "Anchored event without block number or transaction".into(),
                    ));
                };
                let data = event.inner.data;
                Ok(Anchored {
                    size: data.size,
                    root: data.root.0,
                    timestamp: data.timestamp,
                    block_number,
                    tx_hash: tx_hash.0,
                })
            })
            .collect()
    }

    fn contract(&self) -> AuditAnchor::AuditAnchorInstance<&RootProvider> {
        AuditAnchor::new(self.address, &self.client.provider)
    }
}

/// An eighth more than `fee`, and at least one more.
fn raised(fee: u128) -> u128 {
    fee.saturating_add(fee / 8).saturating_add(1)
}

/// Fees offered per gas, in wei.
#[derive(Debug, Clone, Copy)]
enum Fees {
    Eip1559 { max_fee: u128, priority: u128 },
    Legacy(u128),
}

impl Fees {
    fn apply(self, request: &mut TransactionRequest) {
        match self {
            Fees::Eip1559 { max_fee, priority } => {
                request.set_max_fee_per_gas(max_fee);
                request.set_max_priority_fee_per_gas(priority);
            }
            Fees::Legacy(price) => request.set_gas_price(price),
        }
    }
}

/// A node connection and the local key that signs for it.
#[derive(Debug, Clone)]
struct Client {
    url: String,
    provider: RootProvider,
    wallet: EthereumWallet,
    from: Address,
    chain_id: u64,
    /// The most it offers per gas, whatever the node asks (wei).
    max_fee_cap: Option<u128>,
}

impl Client {
    async fn connect(rpc_url: &str, private_key_hex: &str) -> Result<Self, EvmError> {
        let url = rpc_url.parse::<Url>().map_err(|e| EvmError::InvalidUrl {
            url: rpc_url.into(),
            reason: e.to_string(),
        })?;
        let signer: PrivateKeySigner = private_key_hex.trim().parse().map_err(|_| EvmError::InvalidKey)?;
        let from = signer.address();
        let provider = RootProvider::new_http(url);
        let mut client = Self {
            url: rpc_url.to_string(),
            provider,
            wallet: EthereumWallet::from(signer),
            from,
            chain_id: 0,
            max_fee_cap: None,
        };
        client.chain_id = client.provider.get_chain_id().await.map_err(|e| client.rpc_error(e))?;
        Ok(client)
    }

    /// Fills nonce (pending), chain id, gas and fees, then signs.
    async fn sign(&self, request: TransactionRequest) -> Result<PreparedTx, EvmError> {
        let nonce = self
            .provider
            .get_transaction_count(self.from)
            .pending()
            .await
            .map_err(|e| self.rpc_error(e))?;
        let mut request = request
            .with_from(self.from)
            .with_nonce(nonce)
            .with_chain_id(self.chain_id);
        let gas = self
            .provider
            .estimate_gas(request.clone())
            .await
            .map_err(|e| self.rpc_error(e))?;
        request.set_gas_limit(gas + gas * GAS_MARGIN_PERCENT / 100);
        self.capped(self.market_fees().await?).apply(&mut request);
        self.finish(request).await
    }

    /// `fees` bounded by the cap: a transaction offering less than the node
    /// asks waits until the base fee falls below what it offers.
    fn capped(&self, fees: Fees) -> Fees {
        let Some(cap) = self.max_fee_cap else {
            return fees;
        };
        match fees {
            Fees::Eip1559 { max_fee, priority } => Fees::Eip1559 {
                max_fee: max_fee.min(cap),
                priority: priority.min(cap),
            },
            Fees::Legacy(price) => Fees::Legacy(price.min(cap)),
        }
    }

    /// What the node suggests paying now.
    async fn market_fees(&self) -> Result<Fees, EvmError> {
        match self.provider.estimate_eip1559_fees().await {
            Ok(fees) => Ok(Fees::Eip1559 {
                max_fee: fees.max_fee_per_gas,
                priority: fees.max_priority_fee_per_gas,
            }),
            // A chain without EIP-1559 fee history: a legacy transaction.
            Err(RpcError::ErrorResp(_)) => Ok(Fees::Legacy(
                self.provider.get_gas_price().await.map_err(|e| self.rpc_error(e))?,
            )),
            Err(e) => Err(self.rpc_error(e)),
        }
    }

    /// What a replacement offers per gas where the old offered `old` and
    /// the market asks `market`: the market's price, at least an eighth more
    /// than before (what nodes' pools ask of a replacement), at most the cap.
    /// `None` while the market asks no more than the old offer, or when the
    /// cap leaves less than an eighth more (the pool would refuse it; the
    /// old one waits instead).
    fn replacement_offer(&self, old: u128, market: u128) -> Option<u128> {
        if market <= old {
            return None;
        }
        let offer = market.max(raised(old)).min(self.max_fee_cap.unwrap_or(u128::MAX));
        (offer >= raised(old)).then_some(offer)
    }

    /// A replacement of the signed transaction `raw` (same nonce, call and
    /// gas limit) paying what the market asks now and at least an eighth
    /// more than before (what nodes' pools ask of a replacement); `None`
    /// while the market asks no more than it offers.
    async fn replacement(&self, raw: &[u8]) -> Result<Option<PreparedTx>, EvmError> {
        let old = TxEnvelope::decode_2718(&mut &raw[..])
            .map_err(|e| EvmError::Decode(format!("the recorded transaction does not decode: {e}")))?;
        let market = self.market_fees().await?;
        let fees = match old.max_priority_fee_per_gas() {
            Some(old_priority) => {
                // A node without fee history gives one gas price: it stands
                // for the most to pay, and the tip stays what it was.
                let (max_fee, priority) = match market {
                    Fees::Eip1559 { max_fee, priority } => (max_fee, priority),
                    Fees::Legacy(price) => (price, old_priority),
                };
                let Some(max_fee) = self.replacement_offer(old.max_fee_per_gas(), max_fee) else {
                    return Ok(None);
                };
                Fees::Eip1559 {
                    max_fee,
                    priority: priority.max(raised(old_priority)).min(max_fee),
                }
            }
            None => {
                let old_price = old.gas_price().ok_or_else(|| {
                    EvmError::Decode("the recorded transaction has neither a gas price nor EIP-1559 fees".into())
                })?;
                let price = match market {
                    Fees::Legacy(price) => price,
                    Fees::Eip1559 { max_fee, .. } => max_fee,
                };
                let Some(price) = self.replacement_offer(old_price, price) else {
                    return Ok(None);
                };
                Fees::Legacy(price)
            }
        };
        let mut request = TransactionRequest::default()
            .with_from(self.from)
            .with_nonce(old.nonce())
            .with_chain_id(self.chain_id)
            .with_gas_limit(old.gas_limit())
            .with_value(old.value())
            .with_input(old.input().clone());
        if let Some(to) = old.to() {
            request = request.with_to(to);
        }
        fees.apply(&mut request);
        self.finish(request).await.map(Some)
    }

    async fn finish(&self, request: TransactionRequest) -> Result<PreparedTx, EvmError> {
        let envelope: TxEnvelope = request
            .build(&self.wallet)
            .await
            .map_err(|e| EvmError::Signing(e.to_string()))?;
        Ok(PreparedTx {
            hash: envelope.tx_hash().0,
            raw: envelope.encoded_2718(),
            nonce: envelope.nonce(),
        })
    }

    async fn send(&self, tx: &PreparedTx) -> Result<(), EvmError> {
        let error = match self.provider.send_raw_transaction(&tx.raw).await {
            Ok(_) => return Ok(()),
            Err(e) => self.rpc_error(e),
        };
        if matches!(error, EvmError::Unreachable { .. }) {
            return Err(error);
        }
        // The node refuses a transaction it already has: "already known" while
        // it is in the pool, "nonce too low" once mined. Either is success if
        // the node knows this very hash.
        let known = self
            .provider
            .get_transaction_by_hash(B256::from(tx.hash))
            .await
            .map_err(|e| self.rpc_error(e))?
            .is_some();
        let message = error.to_string().to_lowercase();
        if known || message.contains("already known") || message.contains("already imported") {
            return Ok(());
        }
        if message.contains("nonce too low") || message.contains("nonce is too low") {
            return Err(EvmError::NonceTaken {
                nonce: tx.nonce,
                hash: tx.hash,
            });
        }
        Err(error)
    }

    /// A mined failure as an error.
    fn succeeded(&self, info: TxInfo) -> Result<TxInfo, EvmError> {
        match info.success {
            true => Ok(info),
            false => Err(EvmError::Failed {
                hash: info.hash,
                block_number: info.block_number,
            }),
        }
    }

    async fn raw_receipt(&self, hash: [u8; 32]) -> Result<Option<TransactionReceipt>, EvmError> {
        self.provider
            .get_transaction_receipt(B256::from(hash))
            .await
            .map_err(|e| self.rpc_error(e))
    }

    async fn receipt(&self, hash: [u8; 32]) -> Result<Option<TxInfo>, EvmError> {
        Ok(self.raw_receipt(hash).await?.map(|r| TxInfo {
            hash,
            block_number: r.block_number.unwrap_or_default(),
            gas_used: r.gas_used,
            success: r.status(),
        }))
    }

    async fn wait(&self, hash: [u8; 32], timeout: Duration) -> Result<TxInfo, EvmError> {
        let start = Instant::now();
        loop {
            if let Some(info) = self.receipt(hash).await? {
                return Ok(info);
            }
            if start.elapsed() >= timeout {
                return Err(EvmError::Timeout {
                    hash,
                    waited: start.elapsed(),
                });
            }
            tokio::time::sleep(RECEIPT_POLL.min(timeout.saturating_sub(start.elapsed()))).await;
        }
    }

    fn rpc_error(&self, error: TransportError) -> EvmError {
        match error {
            RpcError::Transport(e) => EvmError::Unreachable {
                url: self.url.clone(),
                reason: e.to_string(),
            },
            RpcError::ErrorResp(payload) => match payload.as_revert_data() {
                Some(data) => EvmError::Reverted(decode_revert(&data, &payload.message)),
                None => EvmError::Rpc {
                    code: payload.code,
                    message: payload.message.to_string(),
                },
            },
            other => EvmError::Decode(other.to_string()),
        }
    }

    fn contract_error(&self, error: alloy::contract::Error) -> EvmError {
        match error {
            alloy::contract::Error::TransportError(e) => self.rpc_error(e),
            other => EvmError::Decode(other.to_string()),
        }
    }
}

fn decode_revert(data: &[u8], message: &str) -> Revert {
    use AuditAnchor::AuditAnchorErrors as E;
    match E::abi_decode(data) {
        Ok(E::NotLarger(e)) => Revert::NotLarger {
            latest: e.latest,
            proposed: e.proposed,
        },
        Ok(E::NotSubmitter(_)) => Revert::NotSubmitter,
        Ok(E::NotOwner(_)) => Revert::NotOwner,
        Ok(E::ZeroAddress(_)) => Revert::ZeroAddress,
        Err(_) => Revert::Other {
            data: data.to_vec(),
            message: message.to_string(),
        },
    }
}

fn fmt_hash(hash: &[u8; 32]) -> String {
    format!("0x{}", hex::encode(hash))
}

/// Ports [`draw_port`] has handed out in this process.
static DRAWN_PORTS: std::sync::Mutex<std::collections::BTreeSet<u16>> =
    std::sync::Mutex::new(std::collections::BTreeSet::new());

/// A loopback port for a test's child process to listen on: nothing
/// listens on it now, it lies below the kernel's ephemeral range (32768
/// and up on Linux; a port `bind(0)` hands out can be taken by any
/// outgoing connection before the child binds it), and this process has
/// not handed it out before (two tests of one process would both pass the
/// bind check, and one would reach the other's child).
pub fn draw_port() -> u16 {
    loop {
        let port = rand::Rng::gen_range(&mut rand::thread_rng(), 20_000..32_768);
        let fresh = DRAWN_PORTS.lock().unwrap_or_else(|e| e.into_inner()).insert(port);
        if fresh && TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// Why [`Anvil::launch`] failed: the port was taken (draw another), or
/// anything else.
enum Launch {
    PortTaken(String),
    Failed(EvmError),
}

impl From<EvmError> for Launch {
    fn from(e: EvmError) -> Self {
        Self::Failed(e)
    }
}

/// A local anvil node for tests and development: started from the workspace's
/// `node_modules/.bin/anvil` (`npm ci` installs it; `FOG_ANVIL` overrides the
/// path), killed on drop. Port 8555 by default, away from the Cosmos devnet's
/// 8545/8546.
#[derive(Debug)]
pub struct Anvil {
    child: Child,
    port: u16,
    url: String,
    keys: Vec<String>,
    addresses: Vec<Address>,
    config: PathBuf,
}

impl Anvil {
    /// The port [`Anvil::start`] listens on.
    pub const DEFAULT_PORT: u16 = 8555;

    /// Starts anvil on [`Anvil::DEFAULT_PORT`] and waits until it answers.
    pub async fn start() -> Result<Self, EvmError> {
        Self::start_on(Self::DEFAULT_PORT).await
    }

    /// Starts anvil on a free port ([`draw_port`]), so tests never collide
    /// with the devnet's node on [`Anvil::DEFAULT_PORT`] or with each other;
    /// a port another listener takes before anvil binds it is drawn again.
    pub async fn start_on_free_port(args: &[&str]) -> Result<Self, EvmError> {
        const ATTEMPTS: usize = 20;
        let mut last = String::new();
        for _ in 0..ATTEMPTS {
            match Self::launch(draw_port(), args).await {
                Ok(anvil) => return Ok(anvil),
                Err(Launch::PortTaken(reason)) => last = reason,
                Err(Launch::Failed(e)) => return Err(e),
            }
        }
        Err(EvmError::Anvil(format!(
            "no free port after {ATTEMPTS} draws; last: {last}"
        )))
    }

    /// Starts anvil on `port` (127.0.0.1) and waits until it answers.
    pub async fn start_on(port: u16) -> Result<Self, EvmError> {
        Self::start_with(port, &[]).await
    }

    /// Starts anvil on `port` (127.0.0.1) with extra command-line arguments
    /// (e.g. `["--block-time", "1"]` to mine on a clock instead of at once).
    pub async fn start_with(port: u16, args: &[&str]) -> Result<Self, EvmError> {
        Self::launch(port, args).await.map_err(|failure| match failure {
            Launch::PortTaken(reason) => {
                EvmError::Anvil(format!("port {port} is not free ({reason}): is another anvil running?"))
            }
            Launch::Failed(e) => e,
        })
    }

    async fn launch(port: u16, args: &[&str]) -> Result<Self, Launch> {
        // A stale node on the port would answer in place of ours.
        TcpListener::bind(("127.0.0.1", port)).map_err(|e| Launch::PortTaken(e.to_string()))?;
        let bin = anvil_binary()?;
        let dir = std::env::temp_dir();
        let config = dir.join(format!("fog-anvil-{port}-{}.json", std::process::id()));
        let log_path = dir.join(format!("fog-anvil-{port}-{}.log", std::process::id()));
        let _ = fs::remove_file(&config);
        let log = fs::File::create(&log_path).map_err(|e| EvmError::Anvil(format!("{}: {e}", log_path.display())))?;
        let log_err = log.try_clone().map_err(|e| EvmError::Anvil(e.to_string()))?;
        let child = Command::new(&bin)
            .args([
                "--host",
                "127.0.0.1",
                "--port",
                &port.to_string(),
                "--silent",
                "--config-out",
            ])
            .arg(&config)
            .args(args)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .spawn()
            .map_err(|e| EvmError::Anvil(format!("cannot run {}: {e}", bin.display())))?;
        let url = format!("http://127.0.0.1:{port}");
        let mut anvil = Self {
            child,
            port,
            url,
            keys: Vec::new(),
            addresses: Vec::new(),
            config,
        };
        let provider = RootProvider::<alloy::network::Ethereum>::new_http(anvil.url.parse().expect("valid URL"));
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(Some(status)) = anvil.child.try_wait() {
                let output = fs::read_to_string(&log_path).unwrap_or_default();
                let output = output.trim();
                if output.contains("Address already in use") {
                    return Err(Launch::PortTaken(output.to_string()));
                }
                return Err(EvmError::Anvil(format!("exited with {status} before answering: {output}")).into());
            }
            if provider.get_chain_id().await.is_ok() && anvil.read_accounts().is_ok() {
                break;
            }
            if Instant::now() > deadline {
                return Err(EvmError::Anvil(format!("no answer on port {port} after 30 s")).into());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = fs::remove_file(&log_path);
        Ok(anvil)
    }

    fn read_accounts(&mut self) -> Result<(), EvmError> {
        let (keys, addresses) = read_dev_accounts(&self.config)?;
        self.keys = keys;
        self.addresses = addresses;
        Ok(())
    }

    /// The node's HTTP RPC URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Private key (0x-hex) of the first dev account, funded at genesis.
    pub fn private_key(&self) -> &str {
        &self.keys[0]
    }

    /// Address of the first dev account.
    pub fn address(&self) -> Address {
        self.addresses[0]
    }

    /// Private key and address of dev account `index` (anvil funds ten).
    pub fn dev_account(&self, index: usize) -> Option<(&str, Address)> {
        Some((self.keys.get(index)?.as_str(), *self.addresses.get(index)?))
    }
}

impl Drop for Anvil {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = fs::remove_file(&self.config);
    }
}

/// anvil's dev accounts (private keys as 0x-hex, addresses) from the file
/// its `--config-out` option writes.
pub fn read_dev_accounts(config: &std::path::Path) -> Result<(Vec<String>, Vec<Address>), EvmError> {
    let text = fs::read_to_string(config).map_err(|e| EvmError::Anvil(format!("{}: {e}", config.display())))?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| EvmError::Anvil(e.to_string()))?;
    let strings = |key: &str| -> Vec<String> {
        json[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(String::from))
            .collect()
    };
    let keys = strings("private_keys");
    let addresses: Vec<Address> = strings("available_accounts")
        .iter()
        .filter_map(|a| a.parse().ok())
        .collect();
    if keys.is_empty() || keys.len() != addresses.len() {
        return Err(EvmError::Anvil("no dev accounts in anvil's --config-out file".into()));
    }
    Ok((keys, addresses))
}

/// Where anvil is: `FOG_ANVIL`, then `node_modules/.bin/anvil` of the
/// current directory or of this workspace, then `PATH`.
pub fn anvil_binary() -> Result<PathBuf, EvmError> {
    if let Some(path) = std::env::var_os("FOG_ANVIL") {
        return Ok(PathBuf::from(path));
    }
    let here = PathBuf::from("node_modules/.bin/anvil");
    if here.exists() {
        return Ok(here);
    }
    let local = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../node_modules/.bin/anvil"));
    if local.exists() {
        return Ok(local);
    }
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join("anvil"))
        .find(|p| p.is_file());
    on_path.ok_or_else(|| {
        EvmError::Anvil(format!(
            "not found at {} nor on PATH: run `npm ci` in the workspace root",
            local.display()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::sol_types::SolError;

    #[test]
    fn custom_errors_decode_by_name() {
        let data = AuditAnchor::NotLarger { latest: 9, proposed: 5 }.abi_encode();
        let revert = decode_revert(&data, "execution reverted");
        assert_eq!(revert, Revert::NotLarger { latest: 9, proposed: 5 });
        assert_eq!(revert.name(), "NotLarger");
        assert!(revert.to_string().contains("latest=9"));

        let data = AuditAnchor::NotSubmitter {}.abi_encode();
        assert_eq!(decode_revert(&data, ""), Revert::NotSubmitter);

        let other = decode_revert(&[1, 2, 3, 4], "execution reverted");
        assert_eq!(other.name(), "unknown");
        assert!(other.to_string().contains("0x01020304"));
    }

    #[test]
    fn bad_key_and_url_are_refused_before_any_network() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let err = rt
            .block_on(Client::connect("http://127.0.0.1:1", "0xnothex"))
            .unwrap_err();
        assert!(matches!(err, EvmError::InvalidKey), "{err}");
        let err = rt.block_on(Client::connect("not a url", "0x01")).unwrap_err();
        assert!(matches!(err, EvmError::InvalidUrl { .. }), "{err}");
    }
}
