//! `fog lineage register RECORD`: hands a lineage record to the indexer,
//! which stores it and appends its registration to the audit log (the
//! record a release gate later proves against an anchored checkpoint).

use std::path::Path;

use anyhow::{bail, Context as _, Result};
use serde_json::Value;

use super::record;
use crate::output::{fields, Output};

pub async fn register(output: Output, path: &Path, indexer: &str, token: Option<&str>) -> Result<()> {
    // `load` refuses anything fog would not have written, so the hash the
    // indexer computes is the one `fog release request --lineage` submits.
    let statement = record::load(path)?;
    let local_hash = hex::encode(record::record_hash(&statement));
    let url = format!("{}/lineage/records", indexer.trim_end_matches('/'));
    let resp = crate::commands::gate::indexer_client(token)?
        .post(&url)
        .header("content-type", "application/json")
        .body(record::canonical_bytes(&statement))
        .send()
        .await
        .with_context(|| format!("cannot reach the indexer at {url}"))?;
    let status = resp.status();
    let body: Value = resp
        .json()
        .await
        .with_context(|| format!("{url}: HTTP {status}, not JSON"))?;
    if !status.is_success() {
        bail!(
            "the indexer refused the record ({status}): {}",
            body["detail"].as_str().unwrap_or("no detail")
        );
    }
    if body["record_hash"] != local_hash.as_str() {
        bail!(
            "the indexer computed record hash {} for a record whose hash is {local_hash}",
            body["record_hash"]
        );
    }
    let new = status == reqwest::StatusCode::CREATED;
    output.print(&body, || {
        fields(&[
            (
                "registered",
                if new { "yes".into() } else { "already registered".into() },
            ),
            ("record hash", local_hash.clone()),
            (
                "model",
                format!(
                    "{} {}",
                    body["model_name"].as_str().unwrap_or_default(),
                    body["model_sha256"].as_str().unwrap_or_default()
                ),
            ),
            ("datasets", body["datasets"].as_array().map_or(0, Vec::len).to_string()),
            ("audit record", body["audit_seq"].to_string()),
        ])
    })
}
