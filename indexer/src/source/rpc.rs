//! A live node's CometBFT RPC.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::RwLock;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;

use super::{decode_block, protocol_of_version, Block, BlockSource, DecodeError, Protocol};

pub struct RpcSource {
    http: reqwest::Client,
    url: String,
    prefix: String,
    /// What the node's version says it speaks; read again after the node
    /// could have changed (see `recheck`).
    protocol: RwLock<Option<Protocol>>,
    /// Set when a request failed or an answer had another protocol's shape:
    /// a node that went away may come back upgraded (a chain upgrade
    /// restarts it on a new CometBFT), so `/status` is read again before
    /// the next block is fetched.
    recheck: AtomicBool,
    /// Held while `/status` is read again, so no block is fetched and
    /// decoded meanwhile under the old protocol.
    rechecking: tokio::sync::Mutex<()>,
    /// The node's CometBFT version, as `/status` reported it at connect.
    pub version: String,
    pub chain_id: String,
}

impl RpcSource {
    /// Connects and reads `/status` (the node's version tells its protocol).
    pub async fn connect(url: &str, prefix: &str) -> Result<Self> {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(20)).build()?;
        let mut s = Self {
            http,
            url: url.trim_end_matches('/').to_string(),
            prefix: prefix.to_string(),
            protocol: RwLock::new(None),
            recheck: AtomicBool::new(false),
            rechecking: tokio::sync::Mutex::new(()),
            version: String::new(),
            chain_id: String::new(),
        };
        let status = s.get("status", &[]).await?;
        s.version = status["node_info"]["version"].as_str().unwrap_or_default().to_string();
        s.chain_id = status["node_info"]["network"].as_str().unwrap_or_default().to_string();
        *s.protocol.get_mut().unwrap_or_else(|e| e.into_inner()) = protocol_of_version(&s.version);
        Ok(s)
    }

    /// Reads `/status` again if something since the last read suggests the
    /// node may have changed; fetches wait for it.
    async fn recheck_protocol(&self) -> Result<()> {
        if !self.recheck.load(Ordering::Acquire) {
            return Ok(());
        }
        let _only_one = self.rechecking.lock().await;
        // Cleared before the read, so a failure during it sets it again.
        if !self.recheck.swap(false, Ordering::AcqRel) {
            return Ok(());
        }
        match self.get("status", &[]).await {
            Ok(status) => {
                self.note_version(&status);
                Ok(())
            }
            Err(e) => {
                self.recheck.store(true, Ordering::Release);
                Err(e)
            }
        }
    }

    /// Takes the protocol from a `/status` answer's version.
    fn note_version(&self, status: &Value) {
        let version = status["node_info"]["version"].as_str().unwrap_or_default();
        let now = protocol_of_version(version);
        let mut protocol = self.protocol.write().unwrap_or_else(|e| e.into_inner());
        if *protocol != now {
            tracing::warn!(version, from = ?*protocol, to = ?now, "the node's protocol changed");
            *protocol = now;
        }
    }

    async fn get(&self, method: &str, params: &[(&str, String)]) -> Result<Value> {
        let answer = self.get_once(method, params).await;
        if answer.is_err() {
            self.recheck.store(true, Ordering::Release);
        }
        answer
    }

    async fn get_once(&self, method: &str, params: &[(&str, String)]) -> Result<Value> {
        let url = format!("{}/{method}", self.url);
        let resp = self
            .http
            .get(&url)
            .query(params)
            .send()
            .await
            .with_context(|| format!("node unreachable at {url}"))?;
        let body: Value = resp.json().await.with_context(|| format!("{url}: not JSON"))?;
        if let Some(err) = body.get("error") {
            bail!("{url}: {}", err);
        }
        body.get("result").cloned().ok_or_else(|| anyhow!("{url}: no result"))
    }
}

impl RpcSource {
    /// A height of `/status`'s `sync_info`.
    async fn status_height(&self, field: &str) -> Result<u64> {
        let status = self.get("status", &[]).await?;
        // The tail polls this: a node that changed version is noticed here
        // too, whether or not a request failed while it restarted.
        self.note_version(&status);
        status["sync_info"][field]
            .as_str()
            .and_then(|h| h.parse().ok())
            .ok_or_else(|| anyhow!("/status has no {field}"))
    }
}

impl BlockSource for RpcSource {
    async fn latest_height(&self) -> Result<u64> {
        self.status_height("latest_block_height").await
    }

    async fn earliest_height(&self) -> Result<u64> {
        self.status_height("earliest_block_height").await
    }

    async fn fetch_raw(&self, height: u64) -> Result<(Value, Value)> {
        self.recheck_protocol().await?;
        let p = [("height", height.to_string())];
        let (block, results) = tokio::try_join!(self.get("block", &p), self.get("block_results", &p))?;
        Ok((block, results))
    }

    fn protocol(&self) -> Option<Protocol> {
        *self.protocol.read().unwrap_or_else(|e| e.into_inner())
    }

    async fn fetch(&self, height: u64) -> Result<Block> {
        let (block, results) = self.fetch_raw(height).await?;
        let decoded = decode_block(&block, &results, &self.prefix, self.protocol());
        if let Err(DecodeError::ProtocolChanged { .. }) = decoded {
            self.recheck.store(true, Ordering::Release);
        }
        Ok(decoded?)
    }

    fn prefix(&self) -> &str {
        &self.prefix
    }
}
