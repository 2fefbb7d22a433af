//! The log being anchored, as the indexer's audit API serves it: its latest
//! signed checkpoint and consistency proofs between sizes.
//!
//! The API is not trusted for what gets anchored: a checkpoint counts only
//! when its note verifies with the log's verifier key, and its size and
//! root are the signed ones. An unsigned root anchored once would also stop
//! every later anchor, whose consistency proofs start from it.

use std::time::Duration;

use anyhow::{anyhow, bail, Context as _, Result};
use fog_merkle::Hash;
use serde::Deserialize;

use crate::note::VerifierKey;

/// A signed checkpoint of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogCheckpoint {
    /// The log's origin: the note's first line.
    pub origin: String,
    pub size: u64,
    pub root: Hash,
    /// When the log signed it (seconds since the epoch).
    pub timestamp: u64,
    /// The log key's Ed25519 public key and its signature over the
    /// checkpoint's note body, for an anchor that checks it.
    pub public_key: [u8; 32],
    pub signature: [u8; 64],
}

#[derive(Debug, Clone)]
pub struct IndexerSource {
    http: reqwest::Client,
    base: String,
    /// The relayer's bearer token for the indexer's API (role auditor).
    token: Option<String>,
    /// The log's checkpoint verifier key.
    log_key: std::sync::Arc<VerifierKey>,
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

/// The signed checkpoint in `view`, refused unless its note verifies with
/// `key` and the plain fields say what the note says.
fn checkpoint_of(view: &CheckpointView, key: &VerifierKey) -> Result<LogCheckpoint> {
    let crate::note::SignedCheckpoint {
        checkpoint: signed,
        public_key,
        signature,
    } = key
        .verify_signed(&view.note)
        .context("the indexer's checkpoint is not signed by the log's key (--log-key)")?;
    let root = hash32(&view.root)?;
    if view.size != signed.size || root != signed.root {
        bail!(
            "the indexer's checkpoint says size {} root {} but its signed note says size {} root {}",
            view.size,
            view.root,
            signed.size,
            hex::encode(signed.root)
        );
    }
    // The signing time is not in the signed note: whoever answers the API
    // could put it an hour ahead, which the CosmWasm anchor accepts and
    // then refuses every real checkpoint as older. Never later than now.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Ok(LogCheckpoint {
        origin: signed.origin,
        size: signed.size,
        root: signed.root,
        timestamp: view.timestamp.min(now),
        public_key,
        signature,
    })
}

fn is_problem(resp: &reqwest::Response) -> bool {
    resp.headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/problem+json"))
}

impl IndexerSource {
    pub fn new(base: &str, token: Option<String>, log_key: VerifierKey) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("an HTTP client builds");
        Self {
            http,
            base: base.trim_end_matches('/').to_string(),
            token,
            log_key: std::sync::Arc::new(log_key),
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
            // The indexer says "nothing yet" as problem+json; a 404 of
            // another server, or the indexer's own for a path it does not
            // serve (a wrong base), is a wrong --indexer, not an empty log.
            reqwest::StatusCode::NOT_FOUND if is_problem(&resp) => {
                let detail = resp
                    .json::<serde_json::Value>()
                    .await
                    .ok()
                    .and_then(|p| p.get("detail").and_then(|d| d.as_str()).map(str::to_string))
                    .unwrap_or_default();
                if detail.starts_with("no route ") {
                    bail!("{url}: {detail}: is --indexer the base of a fog indexer's API?");
                }
                Ok(None)
            }
            reqwest::StatusCode::NOT_FOUND => {
                bail!("{url}: HTTP 404 without a problem document: is --indexer a fog indexer's API?")
            }
            s => bail!("{url}: HTTP {s}: {}", resp.text().await.unwrap_or_default()),
        }
    }

    /// Where the checkpoints are read, for messages.
    pub fn checkpoint_url(&self) -> String {
        format!("{}/audit/checkpoint", self.base)
    }

    /// The latest signed checkpoint; `None` before the log's first.
    pub async fn latest(&self) -> Result<Option<LogCheckpoint>> {
        let Some(resp) = self.get("/audit/checkpoint").await? else {
            return Ok(None);
        };
        let view: CheckpointView = resp.json().await.context("decoding /audit/checkpoint")?;
        checkpoint_of(&view, &self.log_key).map(Some)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::note::{Checkpoint, NoteSigner};

    fn view(signer: &NoteSigner, size: u64, root: [u8; 32]) -> CheckpointView {
        let note = signer.sign(&Checkpoint {
            origin: "fog.test/log".into(),
            size,
            root,
        });
        CheckpointView {
            size,
            root: hex::encode(root),
            note,
            timestamp: 1,
        }
    }

    #[test]
    fn only_a_checkpoint_signed_by_the_log_key_is_taken_and_as_signed() {
        let log = NoteSigner::from_seed("log", [1; 32]).unwrap();
        let key = VerifierKey::parse(&log.verifier_key()).unwrap();
        let good = checkpoint_of(&view(&log, 9, [7; 32]), &key).unwrap();
        assert_eq!(
            (good.origin.as_str(), good.size, good.root),
            ("fog.test/log", 9, [7; 32])
        );

        // Signed by another key (even one with the log's name).
        let impostor = NoteSigner::from_seed("log", [2; 32]).unwrap();
        let err = checkpoint_of(&view(&impostor, 9, [7; 32]), &key).unwrap_err();
        assert!(format!("{err:#}").contains("not signed by the log's key"), "{err:#}");

        // Plain fields that differ from the signed note.
        let mut bigger = view(&log, 9, [7; 32]);
        bigger.size = 14;
        let err = checkpoint_of(&bigger, &key).unwrap_err();
        assert!(format!("{err:#}").contains("says size 14"), "{err:#}");
        let mut other_root = view(&log, 9, [7; 32]);
        other_root.root = hex::encode([8; 32]);
        assert!(checkpoint_of(&other_root, &key).is_err());

        // A signing time ahead of the relayer's clock is not taken.
        let mut ahead = view(&log, 9, [7; 32]);
        ahead.timestamp = u64::MAX;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let taken = checkpoint_of(&ahead, &key).unwrap().timestamp;
        assert!(taken >= now && taken <= now + 5, "{taken} against {now}");
        assert_eq!(checkpoint_of(&view(&log, 9, [7; 32]), &key).unwrap().timestamp, 1);

        // A note whose body was changed after signing.
        let mut forged = view(&log, 9, [7; 32]);
        forged.note = forged.note.replacen("\n9\n", "\n14\n", 1);
        forged.size = 14;
        assert!(checkpoint_of(&forged, &key).is_err());
    }
}
