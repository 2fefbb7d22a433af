//! The log being anchored, as the indexer's audit API serves it: its latest
//! signed checkpoint and consistency proofs between sizes.

use std::time::Duration;

use anyhow::{anyhow, bail, Context as _, Result};
use fog_merkle::Hash;
use serde::Deserialize;

/// A signed checkpoint of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogCheckpoint {
    /// The log's origin: the note's first line.
    pub origin: String,
    pub size: u64,
    pub root: Hash,
    /// When the log signed it (seconds since the epoch).
    pub timestamp: u64,
}

#[derive(Debug, Clone)]
pub struct IndexerSource {
    http: reqwest::Client,
    base: String,
    /// The relayer's bearer token for the indexer's API (role auditor).
    token: Option<String>,
}

#[derive(Deserialize)]
struct CheckpointView {
    size: u64,
    root: String,
    note: String,
    timestamp: u64,
}

#[derive(Deserialize)]
struct ConsistencyView {
    proof: Vec<String>,
}

fn hash32(hex_text: &str) -> Result<Hash> {
    let bytes = hex::decode(hex_text).with_context(|| format!("{hex_text:?} is not hex"))?;
    bytes
        .try_into()
        .map_err(|_| anyhow!("{hex_text:?} is not a 32-byte hash"))
}

impl IndexerSource {
    pub fn new(base: &str, token: Option<String>) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("an HTTP client builds");
        Self {
            http,
            base: base.trim_end_matches('/').to_string(),
            token,
        }
    }

    async fn get(&self, path: &str) -> Result<Option<reqwest::Response>> {
        let url = format!("{}{path}", self.base);
        let mut req = self.http.get(&url);
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        let resp = req
            .send()
            .await
            .with_context(|| format!("cannot reach the indexer at {url}"))?;
        match resp.status() {
            s if s.is_success() => Ok(Some(resp)),
            reqwest::StatusCode::NOT_FOUND => Ok(None),
            s => bail!("{url}: HTTP {s}: {}", resp.text().await.unwrap_or_default()),
        }
    }

    /// The latest signed checkpoint; `None` before the log's first.
    pub async fn latest(&self) -> Result<Option<LogCheckpoint>> {
        let Some(resp) = self.get("/audit/checkpoint").await? else {
            return Ok(None);
        };
        let view: CheckpointView = resp.json().await.context("decoding /audit/checkpoint")?;
        let origin = view
            .note
            .lines()
            .next()
            .filter(|o| !o.is_empty())
            .ok_or_else(|| anyhow!("the checkpoint note has no origin line"))?
            .to_string();
        Ok(Some(LogCheckpoint {
            origin,
            size: view.size,
            root: hash32(&view.root)?,
            timestamp: view.timestamp,
        }))
    }

    /// The RFC 9162 consistency proof from `from` to `to` leaves.
    pub async fn consistency(&self, from: u64, to: u64) -> Result<Vec<Hash>> {
        let resp = self
            .get(&format!("/audit/proof/consistency?from={from}&to={to}"))
            .await?
            .ok_or_else(|| anyhow!("the indexer has no consistency proof from {from} to {to}"))?;
        let view: ConsistencyView = resp.json().await.context("decoding the consistency proof")?;
        view.proof.iter().map(|h| hash32(h)).collect()
    }
}
