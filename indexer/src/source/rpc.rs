//! A live node's CometBFT RPC.

use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;

use super::{protocol_of_version, BlockSource, Protocol};

pub struct RpcSource {
    http: reqwest::Client,
    url: String,
    prefix: String,
    protocol: Option<Protocol>,
    /// The node's CometBFT version, as `/status` reports it.
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
            protocol: None,
            version: String::new(),
            chain_id: String::new(),
        };
        let status = s.get("status", &[]).await?;
        s.version = status["node_info"]["version"].as_str().unwrap_or_default().to_string();
        s.chain_id = status["node_info"]["network"].as_str().unwrap_or_default().to_string();
        s.protocol = protocol_of_version(&s.version);
        Ok(s)
    }

    async fn get(&self, method: &str, params: &[(&str, String)]) -> Result<Value> {
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
        let p = [("height", height.to_string())];
        let (block, results) = tokio::try_join!(self.get("block", &p), self.get("block_results", &p))?;
        Ok((block, results))
    }

    fn protocol(&self) -> Option<Protocol> {
        self.protocol
    }

    fn prefix(&self) -> &str {
        &self.prefix
    }
}
