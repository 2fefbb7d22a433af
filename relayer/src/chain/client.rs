//! A chain client over the node's REST API: accounts, simulation, signing,
//! broadcasting (sync, then polling for inclusion) and smart queries.

use std::io::Write;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use cosmrs::proto::cosmos::bank::v1beta1::MsgSend;
use cosmrs::proto::cosmos::base::v1beta1::Coin;
use cosmrs::proto::cosmos::tx::signing::v1beta1::SignMode;
use cosmrs::proto::cosmos::tx::v1beta1::{mode_info, AuthInfo, Fee, ModeInfo, SignDoc, SignerInfo, TxBody, TxRaw};
use cosmrs::proto::cosmwasm::wasm::v1::{
    MsgExecuteContract, MsgInstantiateContract, MsgMigrateContract, MsgStoreCode, MsgUpdateAdmin,
};
use cosmrs::proto::Any;
use prost::{Message, Name};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::error::{classify, contract_message, ChainError};
use super::keys::PrivateKey;
use super::profile::ChainProfile;

/// How long to wait for a broadcast transaction to be included.
const INCLUSION_TIMEOUT: Duration = Duration::from_secs(60);
const POLL_INTERVAL: Duration = Duration::from_millis(100);
/// How long to look for a transaction whose broadcast got no answer.
const UNSURE_BROADCAST_WAIT: Duration = Duration::from_secs(15);

/// A key with its address on one chain.
#[derive(Debug, Clone)]
pub struct Signer {
    pub key: PrivateKey,
    pub address: String,
}

impl Signer {
    pub fn new(key: PrivateKey, profile: &ChainProfile) -> Result<Self, ChainError> {
        let address = key.address(&profile.bech32_prefix)?;
        Ok(Self { key, address })
    }
}

/// One event of an included transaction.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TxEvent {
    #[serde(rename = "type")]
    pub kind: String,
    pub attributes: Vec<TxAttribute>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TxAttribute {
    pub key: String,
    #[serde(default)]
    pub value: String,
}

/// An included, successful transaction.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TxResult {
    pub hash: String,
    pub height: u64,
    pub gas_wanted: u64,
    pub gas_used: u64,
    pub events: Vec<TxEvent>,
}

impl TxResult {
    /// The first value of `key` in an event of type `kind`.
    pub fn attribute(&self, kind: &str, key: &str) -> Option<&str> {
        self.events
            .iter()
            .filter(|e| e.kind == kind)
            .flat_map(|e| &e.attributes)
            .find(|a| a.key == key)
            .map(|a| a.value.as_str())
    }
}

/// A signed transaction that has not been broadcast yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedTx {
    /// Its hash as the chain reports it: uppercase hex SHA-256 of the bytes.
    pub hash: String,
    /// The `TxRaw` bytes, as broadcast.
    pub bytes: Vec<u8>,
    /// The signer's account sequence it uses.
    pub sequence: u64,
    pub gas: u64,
}

/// The chain's hash of a transaction: uppercase hex SHA-256 of its bytes.
pub fn tx_hash(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode_upper(Sha256::digest(bytes))
}

#[derive(Debug, Clone)]
pub struct ChainClient {
    http: reqwest::Client,
    pub profile: ChainProfile,
}

/// The node's answer that what was asked for does not exist: gRPC NotFound
/// (5), which the REST gateway answers with HTTP 404.
fn not_found(status: reqwest::StatusCode, body: &Value) -> bool {
    status == reqwest::StatusCode::NOT_FOUND || num(&body["code"]) == Some(5)
}

pub(super) fn num(v: &Value) -> Option<u64> {
    match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

pub(super) fn to_any<M: Message + Name>(msg: &M) -> Any {
    Any {
        type_url: M::type_url(),
        value: msg.encode_to_vec(),
    }
}

impl ChainClient {
    pub fn new(profile: ChainProfile) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("a TLS-less HTTP client builds");
        Self { http, profile }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.profile.rest.trim_end_matches('/'), path)
    }

    async fn send(&self, req: reqwest::RequestBuilder, url: &str) -> Result<(reqwest::StatusCode, Value), ChainError> {
        let resp = req.send().await.map_err(|e| ChainError::Unreachable {
            url: url.to_string(),
            reason: root_cause(&e),
        })?;
        let status = resp.status();
        let text = read_body(resp).await.map_err(|e| ChainError::Unreachable {
            url: url.to_string(),
            reason: root_cause(&e),
        })?;
        let body = serde_json::from_str(&text).map_err(|_| ChainError::Decode {
            url: url.to_string(),
            message: format!("HTTP {status}: {}", text.chars().take(300).collect::<String>()),
        })?;
        Ok((status, body))
    }

    pub(super) async fn get(&self, path: &str) -> Result<(reqwest::StatusCode, Value), ChainError> {
        let url = self.url(path);
        self.send(self.http.get(&url), &url).await
    }

    async fn post(&self, path: &str, body: &Value) -> Result<(reqwest::StatusCode, Value), ChainError> {
        let url = self.url(path);
        self.send(self.http.post(&url).json(body), &url).await
    }

    /// Account number and sequence of `address`.
    pub async fn account(&self, address: &str) -> Result<(u64, u64), ChainError> {
        let (status, body) = self.get(&format!("/cosmos/auth/v1beta1/accounts/{address}")).await?;
        // Any failure but NotFound is the node's, not the account's.
        if not_found(status, &body) {
            return Err(ChainError::NoAccount {
                address: address.to_string(),
            });
        }
        if !status.is_success() {
            return Err(ChainError::Query {
                message: format!("reading account {address}: HTTP {status}: {body}"),
            });
        }
        let account = &body["account"];
        // Plain, module and Injective's eth accounts hold `base_account`;
        // vesting accounts hold it inside `base_vesting_account`.
        let base = if account.get("base_account").is_some() {
            &account["base_account"]
        } else if account["base_vesting_account"].get("base_account").is_some() {
            &account["base_vesting_account"]["base_account"]
        } else {
            account
        };
        match (num(&base["account_number"]), num(&base["sequence"])) {
            (Some(n), Some(s)) => Ok((n, s)),
            _ => Err(ChainError::Decode {
                url: self.url("/cosmos/auth/v1beta1/accounts"),
                message: format!("no account number/sequence in {body}"),
            }),
        }
    }

    fn sign_tx(
        &self,
        signer: &Signer,
        msgs: &[Any],
        memo: &str,
        account_number: u64,
        sequence: u64,
        gas: u64,
    ) -> Result<Vec<u8>, ChainError> {
        let body = TxBody {
            messages: msgs.to_vec(),
            memo: memo.to_string(),
            ..Default::default()
        };
        let auth = AuthInfo {
            signer_infos: vec![SignerInfo {
                public_key: Some(signer.key.public_key_any()),
                mode_info: Some(ModeInfo {
                    sum: Some(mode_info::Sum::Single(mode_info::Single {
                        mode: SignMode::Direct as i32,
                    })),
                }),
                sequence,
            }],
            fee: Some(Fee {
                amount: vec![Coin {
                    denom: self.profile.denom.clone(),
                    amount: self.profile.fee_for(gas)?.to_string(),
                }],
                gas_limit: gas,
                payer: String::new(),
                granter: String::new(),
            }),
            ..Default::default()
        };
        let body_bytes = body.encode_to_vec();
        let auth_info_bytes = auth.encode_to_vec();
        let doc = SignDoc {
            body_bytes: body_bytes.clone(),
            auth_info_bytes: auth_info_bytes.clone(),
            chain_id: self.profile.chain_id.clone(),
            account_number,
        };
        let signature = signer.key.sign(&doc.encode_to_vec())?;
        Ok(TxRaw {
            body_bytes,
            auth_info_bytes,
            signatures: vec![signature],
        }
        .encode_to_vec())
    }

    /// Gas the transaction would use.
    pub async fn simulate(
        &self,
        signer: &Signer,
        msgs: &[Any],
        account_number: u64,
        sequence: u64,
    ) -> Result<u64, ChainError> {
        let tx = self.sign_tx(signer, msgs, "", account_number, sequence, 0)?;
        let (status, body) = self
            .post("/cosmos/tx/v1beta1/simulate", &json!({ "tx_bytes": B64.encode(tx) }))
            .await?;
        if !status.is_success() {
            return Err(failure_of(&body));
        }
        num(&body["gas_info"]["gas_used"]).ok_or_else(|| ChainError::Decode {
            url: self.url("/cosmos/tx/v1beta1/simulate"),
            message: format!("no gas_used in {body}"),
        })
    }

    /// Simulates, signs, broadcasts and waits for inclusion. A sequence
    /// mismatch (another transaction of the same key got in first) is
    /// retried with a fresh sequence. The account query reads committed
    /// state while the node checks against its mempool's, so a transaction
    /// of the same key still pending fails until its block commits: the
    /// retries wait a little longer each time (0.3 s to 1.2 s, several
    /// blocks on the devnet).
    pub async fn send_tx(&self, signer: &Signer, msgs: Vec<Any>, memo: &str) -> Result<TxResult, ChainError> {
        const RETRIES: u64 = 4;
        let mut attempt = 0;
        loop {
            match self.try_send(signer, &msgs, memo).await {
                Err(ChainError::SequenceMismatch { .. }) if attempt < RETRIES => {
                    attempt += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(300 * attempt)).await;
                }
                other => return other,
            }
        }
    }

    async fn try_send(&self, signer: &Signer, msgs: &[Any], memo: &str) -> Result<TxResult, ChainError> {
        let tx = self.prepare_tx(signer, msgs, memo).await?;
        match self.broadcast(&tx).await {
            Ok(()) => self.wait_for(&tx.hash).await,
            // The request may have reached the node before its answer was
            // lost (a reset connection, a proxy's error page): the
            // transaction may be in the mempool. Look for it before saying
            // anything, and never as "failed".
            Err(e @ (ChainError::Unreachable { .. } | ChainError::Decode { .. })) => {
                match self.wait_for_within(&tx.hash, UNSURE_BROADCAST_WAIT).await {
                    Err(ChainError::Timeout { hash, .. }) => Err(ChainError::Unsettled {
                        hash,
                        reason: e.to_string(),
                    }),
                    other => other,
                }
            }
            Err(e) => Err(e),
        }
    }

    /// Simulates and signs a transaction without sending it, so a caller can
    /// record its hash first (the relayer does, to survive a crash between
    /// broadcast and confirmation).
    pub async fn prepare_tx(&self, signer: &Signer, msgs: &[Any], memo: &str) -> Result<PreparedTx, ChainError> {
        let (account_number, sequence) = self.account(&signer.address).await?;
        let simulated = self.simulate(signer, msgs, account_number, sequence).await?;
        let gas = self.profile.gas_limit(simulated)?;
        let bytes = self.sign_tx(signer, msgs, memo, account_number, sequence, gas)?;
        Ok(PreparedTx {
            hash: tx_hash(&bytes),
            bytes,
            sequence,
            gas,
        })
    }

    /// Broadcasts a signed transaction (sync mode: the node checked it into
    /// its mempool). Sending one the node already holds is not an error.
    pub async fn broadcast(&self, tx: &PreparedTx) -> Result<(), ChainError> {
        let (status, body) = self
            .post(
                "/cosmos/tx/v1beta1/txs",
                &json!({ "tx_bytes": B64.encode(&tx.bytes), "mode": "BROADCAST_MODE_SYNC" }),
            )
            .await?;
        let resp = &body["tx_response"];
        if resp["txhash"].as_str().is_none() {
            let failure = failure_of(&body);
            // A gateway's or a proxy's own error (a 5xx or 429 with a JSON
            // body, a deadline) says nothing of the transaction, which may
            // have reached the node: not a refusal.
            let unanswered = status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS;
            if unanswered && matches!(failure, ChainError::Rejected { .. }) {
                return Err(ChainError::Decode {
                    url: self.url("/cosmos/tx/v1beta1/txs"),
                    message: format!("HTTP {status} without a transaction response: {body}"),
                });
            }
            return Err(failure);
        }
        let code = num(&resp["code"]).unwrap_or(0) as u32;
        let log = resp["raw_log"].as_str().unwrap_or("");
        // 19: "tx already in mempool"; the same bytes, so the same transaction.
        if code == 0 || (code == 19 && resp["codespace"].as_str() == Some("sdk")) {
            return Ok(());
        }
        Err(classify(code, resp["codespace"].as_str().unwrap_or(""), log, tx.gas, 0))
    }

    /// The transaction's outcome if it is in a block, `None` if the node
    /// does not know it (still pending, dropped, or never sent). Any other
    /// failure of the lookup is an error, not "unknown": a node whose
    /// transaction index lags or fails must not make an included
    /// transaction look lost (it would be signed again).
    pub async fn lookup_tx(&self, hash: &str) -> Result<Option<TxResult>, ChainError> {
        let (status, body) = self.get(&format!("/cosmos/tx/v1beta1/txs/{hash}")).await?;
        if not_found(status, &body) {
            return Ok(None);
        }
        if !status.is_success() {
            return Err(ChainError::Query {
                message: format!("looking up transaction {hash}: HTTP {status}: {body}"),
            });
        }
        let r = &body["tx_response"];
        let (wanted, used) = (num(&r["gas_wanted"]).unwrap_or(0), num(&r["gas_used"]).unwrap_or(0));
        let code = num(&r["code"]).unwrap_or(0) as u32;
        if code != 0 {
            return Err(classify(
                code,
                r["codespace"].as_str().unwrap_or(""),
                r["raw_log"].as_str().unwrap_or(""),
                wanted,
                used,
            ));
        }
        let events = serde_json::from_value(r["events"].clone()).unwrap_or_default();
        Ok(Some(TxResult {
            hash: hash.to_string(),
            height: num(&r["height"]).unwrap_or(0),
            gas_wanted: wanted,
            gas_used: used,
            events,
        }))
    }

    /// Polls until the transaction is in a block; errors if it failed there.
    pub async fn wait_for(&self, hash: &str) -> Result<TxResult, ChainError> {
        self.wait_for_within(hash, INCLUSION_TIMEOUT).await
    }

    /// [`ChainClient::wait_for`] with a caller's timeout. A lookup that
    /// fails (the index, the node or a proxy in between) is retried until
    /// the timeout: the transaction was accepted and may be included
    /// meanwhile, so only its own failure in a block is a failure. If the
    /// last lookup failed, the timeout says the outcome is unknown.
    pub async fn wait_for_within(&self, hash: &str, timeout: Duration) -> Result<TxResult, ChainError> {
        let start = Instant::now();
        loop {
            let last_error = match self.lookup_tx(hash).await {
                Ok(Some(result)) => return Ok(result),
                Ok(None) => None,
                Err(e @ (ChainError::Query { .. } | ChainError::Unreachable { .. } | ChainError::Decode { .. })) => {
                    tracing::debug!(error = %e, "transaction lookup");
                    Some(e)
                }
                Err(e) => return Err(e),
            };
            if start.elapsed() > timeout {
                return Err(match last_error {
                    Some(e) => ChainError::Unsettled {
                        hash: hash.to_string(),
                        reason: e.to_string(),
                    },
                    None => ChainError::Timeout {
                        hash: hash.to_string(),
                        seconds: timeout.as_secs(),
                    },
                });
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    fn coins(&self, funds: &[(u128, String)]) -> Vec<Coin> {
        funds
            .iter()
            .map(|(amount, denom)| Coin {
                denom: denom.clone(),
                amount: amount.to_string(),
            })
            .collect()
    }

    /// A `MsgExecuteContract` as an `Any`, to batch several in one tx.
    pub fn execute_msg<M: Serialize>(
        &self,
        signer: &Signer,
        contract: &str,
        msg: &M,
        funds: &[(u128, String)],
    ) -> Result<Any, ChainError> {
        Ok(to_any(&MsgExecuteContract {
            sender: signer.address.clone(),
            contract: contract.to_string(),
            msg: serde_json::to_vec(msg).map_err(|e| ChainError::Config { message: e.to_string() })?,
            funds: self.coins(funds),
        }))
    }

    pub async fn execute<M: Serialize>(
        &self,
        signer: &Signer,
        contract: &str,
        msg: &M,
        funds: &[(u128, String)],
    ) -> Result<TxResult, ChainError> {
        let any = self.execute_msg(signer, contract, msg, funds)?;
        self.send_tx(signer, vec![any], "").await
    }

    /// Uploads wasm (gzipped: the chain accepts it, and the transaction's
    /// size is paid per byte). Returns the code id.
    pub async fn store_code(&self, signer: &Signer, wasm: &[u8]) -> Result<(u64, TxResult), ChainError> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(wasm)
            .and_then(|_| gz.flush())
            .map_err(|e| ChainError::Config { message: e.to_string() })?;
        let compressed = gz.finish().map_err(|e| ChainError::Config { message: e.to_string() })?;
        let msg = to_any(&MsgStoreCode {
            sender: signer.address.clone(),
            wasm_byte_code: compressed,
            instantiate_permission: None,
        });
        let tx = self.send_tx(signer, vec![msg], "").await?;
        let code_id = tx
            .attribute("store_code", "code_id")
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| ChainError::Decode {
                url: self.profile.rest.clone(),
                message: "no code_id in the store_code event".into(),
            })?;
        Ok((code_id, tx))
    }

    pub async fn instantiate<M: Serialize>(
        &self,
        signer: &Signer,
        code_id: u64,
        msg: &M,
        label: &str,
        admin: Option<&str>,
    ) -> Result<(String, TxResult), ChainError> {
        let msg = to_any(&MsgInstantiateContract {
            sender: signer.address.clone(),
            admin: admin.unwrap_or_default().to_string(),
            code_id,
            label: label.to_string(),
            msg: serde_json::to_vec(msg).map_err(|e| ChainError::Config { message: e.to_string() })?,
            funds: vec![],
        });
        let tx = self.send_tx(signer, vec![msg], "").await?;
        let address = tx
            .attribute("instantiate", "_contract_address")
            .ok_or_else(|| ChainError::Decode {
                url: self.profile.rest.clone(),
                message: "no _contract_address in the instantiate event".into(),
            })?
            .to_string();
        Ok((address, tx))
    }

    pub fn migrate_msg<M: Serialize>(
        &self,
        signer: &Signer,
        contract: &str,
        code_id: u64,
        msg: &M,
    ) -> Result<Any, ChainError> {
        Ok(to_any(&MsgMigrateContract {
            sender: signer.address.clone(),
            contract: contract.to_string(),
            code_id,
            msg: serde_json::to_vec(msg).map_err(|e| ChainError::Config { message: e.to_string() })?,
        }))
    }

    pub fn update_admin_msg(&self, signer: &Signer, contract: &str, new_admin: &str) -> Any {
        to_any(&MsgUpdateAdmin {
            sender: signer.address.clone(),
            new_admin: new_admin.to_string(),
            contract: contract.to_string(),
        })
    }

    pub fn bank_send_msg(&self, signer: &Signer, to: &str, amount: u128, denom: &str) -> Any {
        to_any(&MsgSend {
            from_address: signer.address.clone(),
            to_address: to.to_string(),
            amount: vec![Coin {
                denom: denom.to_string(),
                amount: amount.to_string(),
            }],
        })
    }

    /// A contract's smart query.
    pub async fn query<Q: Serialize, R: DeserializeOwned>(&self, contract: &str, query: &Q) -> Result<R, ChainError> {
        self.query_at(contract, query, None).await
    }

    /// A contract's smart query against the state after block `height`
    /// (the node must keep that height: the devnet prunes nothing).
    pub async fn query_at<Q: Serialize, R: DeserializeOwned>(
        &self,
        contract: &str,
        query: &Q,
        height: Option<u64>,
    ) -> Result<R, ChainError> {
        let q = serde_json::to_vec(query).map_err(|e| ChainError::Config { message: e.to_string() })?;
        let path = format!("/cosmwasm/wasm/v1/contract/{contract}/smart/{}", B64.encode(q));
        let url = self.url(&path);
        let mut req = self.http.get(&url);
        if let Some(h) = height {
            req = req.header("x-cosmos-block-height", h.to_string());
        }
        let (status, body) = self.send(req, &url).await?;
        if !status.is_success() {
            let message = body["message"].as_str().unwrap_or_default();
            return Err(ChainError::Query {
                message: contract_message(message).unwrap_or_else(|| message.to_string()),
            });
        }
        serde_json::from_value(body["data"].clone()).map_err(|e| ChainError::Decode {
            url,
            message: e.to_string(),
        })
    }

    /// Whether a contract exists at `address`.
    pub async fn contract_exists(&self, address: &str) -> Result<bool, ChainError> {
        let (status, _) = self.get(&format!("/cosmwasm/wasm/v1/contract/{address}")).await?;
        Ok(status.is_success())
    }

    /// Balance of `address` in `denom`.
    pub async fn balance(&self, address: &str, denom: &str) -> Result<u128, ChainError> {
        let path = format!("/cosmos/bank/v1beta1/balances/{address}/by_denom?denom={denom}");
        let (status, body) = self.get(&path).await?;
        // An error is not a zero balance.
        if !status.is_success() {
            return Err(ChainError::Query {
                message: format!(
                    "balance of {address} in {denom}: HTTP {status}: {}",
                    body["message"].as_str().unwrap_or_default()
                ),
            });
        }
        // An account the chain has never seen has a zero balance; an amount
        // that is there must parse.
        match body["balance"]["amount"].as_str() {
            None => Ok(0),
            Some(a) => a.parse().map_err(|_| ChainError::Decode {
                url: self.url(&path),
                message: format!("balance amount {a:?} is not a number"),
            }),
        }
    }

    /// Height and time (seconds) of the latest block.
    pub async fn latest_block(&self) -> Result<(u64, u64), ChainError> {
        self.block("latest").await
    }

    /// Height and time (seconds) of the block at `height`.
    pub async fn block_at(&self, height: u64) -> Result<(u64, u64), ChainError> {
        self.block(&height.to_string()).await
    }

    async fn block(&self, which: &str) -> Result<(u64, u64), ChainError> {
        let (status, body) = self
            .get(&format!("/cosmos/base/tendermint/v1beta1/blocks/{which}"))
            .await?;
        if !status.is_success() {
            return Err(failure_of(&body));
        }
        let header = &body["block"]["header"];
        let height = num(&header["height"]);
        let time = header["time"].as_str().and_then(rfc3339_seconds);
        match (height, time) {
            (Some(h), Some(t)) => Ok((h, t)),
            _ => Err(ChainError::Decode {
                url: self.url("/cosmos/base/tendermint/v1beta1/blocks"),
                message: format!("no height/time in {}", header),
            }),
        }
    }
}

/// The body of a response. The node's gRPC gateway sends error answers
/// with an HTTP trailer whose value hyper refuses ("invalid header value")
/// after the complete JSON body; the body read so far is kept then.
async fn read_body(mut resp: reqwest::Response) -> Result<String, reqwest::Error> {
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(e) if body.is_empty() => return Err(e),
            Err(_) => break,
        }
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// An error answer of the REST API as a [`ChainError`].
fn failure_of(body: &Value) -> ChainError {
    let message = body["message"].as_str().unwrap_or_default().to_string();
    let code = num(&body["code"]).unwrap_or(0) as u32;
    if let Some(m) = contract_message(message.split(" [").next().unwrap_or(&message)) {
        return ChainError::Contract { message: m };
    }
    if message.contains("account sequence mismatch") {
        return ChainError::SequenceMismatch { log: message };
    }
    if message.contains("insufficient funds") {
        return ChainError::InsufficientFunds { log: message };
    }
    if message.contains("insufficient fee") {
        return ChainError::InsufficientFee { log: message };
    }
    if message.contains("not found") && message.contains("account") {
        return ChainError::NoAccount { address: message };
    }
    ChainError::Rejected {
        code,
        codespace: String::new(),
        log: if message.is_empty() { body.to_string() } else { message },
    }
}

fn root_cause(e: &reqwest::Error) -> String {
    let mut source: &dyn std::error::Error = e;
    while let Some(s) = source.source() {
        source = s;
    }
    source.to_string()
}

/// Seconds since the epoch of an RFC 3339 UTC timestamp such as
/// `2026-11-22T04:17:36.779862559Z`.
pub fn rfc3339_seconds(s: &str) -> Option<u64> {
    let (date, rest) = s.split_once('T')?;
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let time = rest.trim_end_matches('Z');
    let time = time.split(['+']).next()?;
    let mut t = time.split(':');
    let (hh, mm) = (t.next()?.parse::<i64>().ok()?, t.next()?.parse::<i64>().ok()?);
    let ss = t.next()?.split('.').next()?.parse::<i64>().ok()?;
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + hh * 3_600 + mm * 60 + ss).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_block_times() {
        assert_eq!(rfc3339_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(rfc3339_seconds("2026-11-22T04:17:36.779862559Z"), Some(1_795_321_056));
    }
}
