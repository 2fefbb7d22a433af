//! `fog release gate FILE`: the deployment gate of a CI/CD pipeline. It
//! passes (exit 0) only when the file's sha256 is released on-chain by the
//! four-eyes gate AND the lineage record that release approved is in the
//! audit log under a checkpoint anchored on-chain; it proves the latter from
//! the anchored root, not from the indexer's word.

use std::io::Read;
use std::path::Path;

use anyhow::{anyhow, bail, Context as _, Result};
use cosmwasm_std::HexBinary;
use fog_audit_anchor::msg::{CheckpointResponse, QueryMsg as AnchorQuery, VerifyInclusionResponse};
use fog_merkle::verify_inclusion;
use fog_relayer::chain::ChainClient;
use fog_relayer::deployment::Deployment;
use fog_relayer::evm::{Address, EvmAnchor};
use fog_release_gate::msg::{IsReleasedResponse, QueryMsg as GateQuery, RequestResponse};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::context::Context;
use crate::output::fields;

/// What the gate established.
#[derive(Debug, Serialize)]
pub struct GateReport {
    pub file: String,
    pub sha256: String,
    pub request_id: u64,
    pub approved_groups: Vec<String>,
    pub lineage_hash: String,
    pub audit_seq: u64,
    /// Per chain: the anchored size the record's inclusion was proven in.
    pub anchored: Vec<(String, u64)>,
}

#[derive(Deserialize)]
struct LineageView {
    audit_seq: u64,
}

#[derive(Deserialize)]
struct EntryView {
    record: serde_json::Value,
    leaf_hash: String,
}

#[derive(Deserialize)]
struct InclusionView {
    leaf_hash: String,
    proof: Vec<String>,
}

/// The artifact's digest as `fog lineage` records it: a file's SHA-256, or
/// a directory's Merkle root (a model saved as a directory, which `run
/// complete --model DIR` records; until stop 18 the gate could only read
/// files, so such a release could never pass it).
fn artifact_sha256(path: &Path) -> Result<[u8; 32]> {
    if path.is_dir() {
        let fingerprint = crate::lineage::hash::fingerprint(&[path.to_path_buf()], false)?;
        let first = fingerprint.first().context("a directory gives one fingerprint")?;
        return Ok(first.sha256.0);
    }
    file_sha256(path)
}

fn file_sha256(path: &Path) -> Result<[u8; 32]> {
    let mut f = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f
            .read(&mut buf)
            .with_context(|| format!("reading {}", path.display()))?;
        if n == 0 {
            return Ok(hasher.finalize().into());
        }
        hasher.update(&buf[..n]);
    }
}

fn hash32(s: &str) -> Result<[u8; 32]> {
    hex::decode(s)?
        .try_into()
        .map_err(|_| anyhow!("{s:?} is not a 32-byte hash"))
}

/// An HTTP client that sends the staff token with every request.
pub fn indexer_client(token: Option<&str>) -> Result<reqwest::Client> {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(t) = token {
        let mut value = reqwest::header::HeaderValue::from_str(&format!("Bearer {}", t.trim()))
            .map_err(|_| anyhow!("the indexer token has characters a header cannot carry"))?;
        value.set_sensitive(true);
        headers.insert(reqwest::header::AUTHORIZATION, value);
    }
    // A hung indexer must not hang a pipeline's gate: it closes instead.
    Ok(reqwest::Client::builder()
        .default_headers(headers)
        .connect_timeout(std::time::Duration::from_secs(10))
        .timeout(std::time::Duration::from_secs(60))
        .build()?)
}

async fn indexer_get<T: for<'de> Deserialize<'de>>(http: &reqwest::Client, url: &str) -> Result<Option<T>> {
    let resp = http
        .get(url)
        .send()
        .await
        .with_context(|| format!("cannot reach the indexer at {url}"))?;
    match resp.status() {
        s if s.is_success() => Ok(Some(resp.json().await.with_context(|| format!("decoding {url}"))?)),
        reqwest::StatusCode::NOT_FOUND => Ok(None),
        reqwest::StatusCode::UNAUTHORIZED => bail!("the indexer refused the token (pass --token or set FOG_TOKEN)"),
        s => bail!("{url}: HTTP {s}"),
    }
}

async fn inclusion(http: &reqwest::Client, indexer: &str, seq: u64, size: u64) -> Result<(String, Vec<String>)> {
    let url = format!("{indexer}/audit/proof/inclusion?seq={seq}&size={size}");
    let proof: InclusionView = indexer_get(http, &url)
        .await?
        .ok_or_else(|| anyhow!("the indexer has no inclusion proof for record {seq} at size {size}"))?;
    Ok((proof.leaf_hash, proof.proof))
}

/// What to check.
pub struct Gate<'a> {
    pub file: &'a Path,
    /// The policy the release must have passed.
    pub artifact_type: &'a str,
    pub indexer: &'a str,
    pub token: Option<&'a str>,
    pub require_evm: bool,
}

/// The lineage record a release approved must describe the very file and
/// datasets the release names: a genuine record of another model, anchored,
/// proves nothing about this one.
fn check_lineage_matches(record: &serde_json::Value, sha_hex: &str, request: &RequestResponse) -> Result<()> {
    let details = &record["details"];
    let model = details["model"]["sha256"].as_str().unwrap_or_default();
    if !model.eq_ignore_ascii_case(sha_hex) {
        bail!("the approved lineage record describes model {model:?}, not this file ({sha_hex})");
    }
    let mut recorded: Vec<String> = details["datasets"]
        .as_array()
        .map(|ds| {
            ds.iter()
                .map(|d| d["sha256"].as_str().unwrap_or_default().to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default();
    let mut requested: Vec<String> = request.dataset_hashes.iter().map(|h| h.to_hex()).collect();
    recorded.sort();
    recorded.dedup();
    requested.sort();
    requested.dedup();
    if recorded != requested {
        bail!(
            "the release request names datasets [{}] but its lineage record [{}]",
            requested.join(", "),
            recorded.join(", ")
        );
    }
    Ok(())
}

/// Runs the gate; an error is the reason it stays closed.
pub async fn check(deployment: &Deployment, gate: &Gate<'_>) -> Result<GateReport> {
    let Gate {
        file,
        artifact_type,
        indexer,
        token,
        require_evm,
    } = *gate;
    let indexer = indexer.trim_end_matches('/');
    let client = ChainClient::new(deployment.client_profile());
    let sha = artifact_sha256(file)?;
    let sha_hex = hex::encode(sha);

    let released: IsReleasedResponse = client
        .query(
            &deployment.contracts.release_gate,
            &GateQuery::IsReleased {
                sha256: HexBinary::from(sha.as_slice()),
                artifact_type: Some(artifact_type.to_string()),
            },
        )
        .await?;
    let request = match (released.released, released.request) {
        (true, Some(r)) => r,
        (false, Some(r)) => bail!(
            "{} (sha256 {sha_hex}) is not released: its latest request {} is {:?} with approvals from [{}] of the required [{}]",
            file.display(),
            r.id,
            r.status,
            r.approved_groups.join(", "),
            r.required_groups.join(", ")
        ),
        _ => bail!(
            "{} (sha256 {sha_hex}) is not released: no release request names it as {artifact_type}",
            file.display()
        ),
    };
    if request.artifact_type != artifact_type {
        bail!(
            "{} (sha256 {sha_hex}) was released as {}, not {artifact_type}",
            file.display(),
            request.artifact_type
        );
    }
    let lineage_hash = request.lineage_hash.to_hex();

    let http = indexer_client(token)?;
    let lineage: LineageView = indexer_get(&http, &format!("{indexer}/lineage/records/{lineage_hash}"))
        .await?
        .ok_or_else(|| {
            anyhow!(
                "the approved lineage record {lineage_hash} is not registered in the audit log (fog lineage register)"
            )
        })?;
    let seq = lineage.audit_seq;
    // The audit record must be the registration of exactly this lineage.
    let entry: EntryView = indexer_get(&http, &format!("{indexer}/audit/entries/{seq}"))
        .await?
        .ok_or_else(|| anyhow!("audit record {seq} is missing"))?;
    if entry.record["action"] != "lineage.registered" || entry.record["details"]["record_hash"] != lineage_hash {
        bail!("audit record {seq} is not the registration of lineage record {lineage_hash}");
    }
    check_lineage_matches(&entry.record, &sha_hex, &request)?;
    let leaf = hash32(&entry.leaf_hash)?;
    let canonical = serde_json_canonicalizer::to_vec(&entry.record)?;
    if fog_merkle::leaf_hash(&canonical) != leaf {
        bail!("audit record {seq}'s leaf hash does not match its content");
    }

    let mut anchored = Vec::new();
    let origin = deployment
        .audit_origin
        .clone()
        .ok_or_else(|| anyhow!("the manifest names no audit log origin"))?;
    let latest: Option<CheckpointResponse> = client
        .query(
            &deployment.contracts.audit_anchor,
            &AnchorQuery::LatestCheckpoint { origin: origin.clone() },
        )
        .await?;
    let size = latest.map(|c| c.size).unwrap_or(0);
    if size <= seq {
        bail!(
            "the lineage record {lineage_hash} (audit record {seq}) is not anchored yet: the chain's latest checkpoint covers {size} records"
        );
    }
    let (leaf_hex, proof) = inclusion(&http, indexer, seq, size).await?;
    if hash32(&leaf_hex)? != leaf {
        bail!("the indexer's inclusion proof is for another leaf than audit record {seq}");
    }
    let verdict: VerifyInclusionResponse = client
        .query(
            &deployment.contracts.audit_anchor,
            &AnchorQuery::VerifyInclusion {
                origin,
                leaf_hash: HexBinary::from(leaf.as_slice()),
                index: seq,
                tree_size: size,
                proof: proof
                    .iter()
                    .map(|h| hash32(h).map(|b| HexBinary::from(b.as_slice())))
                    .collect::<Result<_>>()?,
            },
        )
        .await?;
    if !verdict.valid {
        bail!(
            "audit record {seq} does not prove into the root anchored at size {size}: {}",
            verdict.reason.unwrap_or_default()
        );
    }
    anchored.push((format!("cosmwasm:{}", deployment.contracts.audit_anchor), size));

    match &deployment.evm {
        Some(evm) => {
            let address: Address = evm.audit_anchor.parse()?;
            let (evm_size, evm_root) = EvmAnchor::read_only(&evm.rpc, address).await?.latest().await?;
            if evm_size > seq {
                let (_, proof) = inclusion(&http, indexer, seq, evm_size).await?;
                let proof = proof.iter().map(|h| hash32(h)).collect::<Result<Vec<_>>>()?;
                verify_inclusion(&leaf, seq, evm_size, &proof, &evm_root).map_err(|e| {
                    anyhow!("audit record {seq} does not prove into the EVM root anchored at size {evm_size}: {e:?}")
                })?;
                anchored.push((format!("evm:{}:{}", evm.chain_id, evm.audit_anchor), evm_size));
            } else if require_evm {
                bail!("the lineage record is not anchored on the EVM chain yet (its latest checkpoint covers {evm_size} records)");
            }
        }
        None if require_evm => bail!("the manifest has no EVM anchor but --require-evm was given"),
        None => {}
    }

    Ok(GateReport {
        file: file.display().to_string(),
        sha256: sha_hex,
        request_id: request.id,
        approved_groups: request.approved_groups,
        lineage_hash,
        audit_seq: seq,
        anchored,
    })
}

pub fn print(ctx: &Context, report: &GateReport) -> Result<()> {
    ctx.print(report, || {
        fields(&[
            ("gate", "OPEN: released and its lineage anchored".into()),
            ("file", report.file.clone()),
            ("sha256", report.sha256.clone()),
            ("release request", report.request_id.to_string()),
            ("approved by", report.approved_groups.join(", ")),
            ("lineage record", report.lineage_hash.clone()),
            ("audit record", report.audit_seq.to_string()),
            (
                "anchored",
                report
                    .anchored
                    .iter()
                    .map(|(c, s)| format!("{c} at size {s}"))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        ])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_artifact_is_its_lineage_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("model")).unwrap();
        std::fs::write(dir.path().join("model/weights.bin"), b"\x01\x02").unwrap();
        std::fs::write(dir.path().join("model/config.json"), b"{}").unwrap();
        let recorded = crate::lineage::hash::fingerprint(&[dir.path().join("model")], false).unwrap();
        assert_eq!(
            artifact_sha256(&dir.path().join("model")).unwrap(),
            recorded[0].sha256.0
        );
        // A file is its plain SHA-256.
        let file = dir.path().join("model/weights.bin");
        assert_eq!(
            artifact_sha256(&file).unwrap(),
            <[u8; 32]>::from(Sha256::digest(b"\x01\x02"))
        );
    }
}
