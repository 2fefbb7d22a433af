//! The four-eyes release gate: request, approve, reject, revoke; status.

use std::path::PathBuf;

use anyhow::{anyhow, Result};
use clap::Subcommand;
use cosmwasm_std::HexBinary;
use fog_release_gate::msg::{ExecuteMsg, IsReleasedResponse, QueryMsg, RequestResponse, RequestsResponse};

use super::{parse_hash, print_tx};
use crate::context::Context;
use crate::output::{fields, table};

#[derive(Debug, Subcommand)]
pub enum ReleaseCmd {
    /// Ask for an artifact to be released.
    Request {
        /// Artifact type of the policy, e.g. MODEL_DEPLOYMENT.
        #[arg(long = "type", default_value = "MODEL_DEPLOYMENT")]
        artifact_type: String,
        /// A lineage record (`fog lineage run complete`): the model's sha256,
        /// the record's hash and the datasets' hashes come from it.
        #[arg(long, conflicts_with_all = ["sha256", "lineage_hash", "datasets"])]
        lineage: Option<PathBuf>,
        /// Artifact identifier, e.g. a model name (default with --lineage:
        /// the model file's name).
        #[arg(long)]
        id: Option<String>,
        #[arg(long)]
        version: String,
        /// sha256 of the artifact (hex); required without --lineage.
        #[arg(long, required_unless_present = "lineage")]
        sha256: Option<String>,
        /// Hash of the lineage record (hex); required without --lineage.
        #[arg(long, required_unless_present = "lineage")]
        lineage_hash: Option<String>,
        /// sha256 of a dataset (hex; repeat).
        #[arg(long = "dataset")]
        datasets: Vec<String>,
        #[arg(long)]
        notes: Option<String>,
        #[arg(long)]
        from: String,
    },
    /// Approve a pending request.
    Approve {
        request: u64,
        #[arg(long)]
        comment: Option<String>,
        #[arg(long)]
        from: String,
    },
    /// Reject a pending request.
    Reject {
        request: u64,
        #[arg(long)]
        comment: Option<String>,
        #[arg(long)]
        from: String,
    },
    /// Revoke an approved release (revoker groups only).
    Revoke {
        request: u64,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        from: String,
    },
    /// A request with its approvals.
    Show { request: u64 },
    /// Requests, a page at a time.
    List {
        #[arg(long)]
        start_after: Option<u64>,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Whether an artifact (by sha256) is released.
    Status {
        sha256: String,
        /// The type it must be released as (default: any type; the answer
        /// names the request and its type).
        #[arg(long = "type")]
        artifact_type: Option<String>,
    },
    /// The deployment gate: exit 0 only if FILE's sha256 is released
    /// on-chain and its lineage record is in an anchored audit checkpoint;
    /// otherwise exit 1 with the reason.
    Gate {
        /// The artifact: a file, or a model saved as a directory (its
        /// Merkle root, as `fog lineage hash` gives it).
        file: PathBuf,
        /// The indexer serving the audit log and lineage records.
        #[arg(long, env = "FOG_INDEXER_URL", default_value = "http://127.0.0.1:8080")]
        indexer: String,
        /// A bearer token for the indexer's API (any role).
        #[arg(long, env = "FOG_TOKEN", hide_env_values = true)]
        token: Option<String>,
        /// Also require the lineage to be anchored on the EVM chain.
        #[arg(long)]
        require_evm: bool,
        /// The artifact type (policy) the release must have passed: a
        /// release under a weaker policy does not open this gate.
        #[arg(long = "type", default_value = "MODEL_DEPLOYMENT")]
        artifact_type: String,
    },
}

fn request_rows(r: &RequestResponse) -> String {
    fields(&[
        ("id", r.id.to_string()),
        (
            "artifact",
            format!("{} {} {}", r.artifact_type, r.artifact_id, r.artifact_version),
        ),
        ("sha256", r.sha256.to_hex()),
        ("lineage", r.lineage_hash.to_hex()),
        ("status", format!("{:?}", r.status).to_lowercase()),
        ("approvals", r.approvals.len().to_string()),
        ("approved groups", r.approved_groups.join(", ")),
        ("requester", r.requester.to_string()),
    ])
}

pub async fn run(ctx: &Context, cmd: ReleaseCmd) -> Result<()> {
    let (d, client) = ctx.client()?;
    let gate = d.contracts.release_gate.clone();
    let exec = |from: String, msg: ExecuteMsg, done: String| {
        let client = client.clone();
        let gate = gate.clone();
        async move { super::ve::simple(ctx, &client, &from, &gate, msg, &done).await }
    };
    match cmd {
        ReleaseCmd::Request {
            artifact_type,
            lineage,
            id,
            version,
            sha256,
            lineage_hash,
            datasets,
            notes,
            from,
        } => {
            let (artifact_id, sha256, lineage_hash, dataset_hashes) = match lineage {
                Some(path) => {
                    let record = crate::lineage::record::load(&path)?;
                    let model = crate::lineage::record::model_sha256(&record)
                        .ok_or_else(|| anyhow!("{} names no model (subject) with a sha256", path.display()))?;
                    let name = record
                        .subject
                        .first()
                        .and_then(|s| s.name.as_deref())
                        .map(|n| n.rsplit('/').next().unwrap_or(n).to_string())
                        .unwrap_or_default();
                    (
                        id.unwrap_or(name),
                        HexBinary::from(model.as_slice()),
                        HexBinary::from(crate::lineage::record::record_hash(&record).as_slice()),
                        crate::lineage::record::dataset_sha256s(&record)
                            .iter()
                            .map(|h| HexBinary::from(h.as_slice()))
                            .collect(),
                    )
                }
                None => (
                    id.ok_or_else(|| anyhow!("--id is required without --lineage"))?,
                    parse_hash(sha256.as_deref().unwrap_or_default(), "--sha256")?,
                    parse_hash(lineage_hash.as_deref().unwrap_or_default(), "--lineage-hash")?,
                    datasets
                        .iter()
                        .map(|h| parse_hash(h, "--dataset"))
                        .collect::<Result<_>>()?,
                ),
            };
            let msg = ExecuteMsg::Request {
                artifact_type,
                artifact_id,
                artifact_version: version,
                sha256,
                lineage_hash,
                dataset_hashes,
                risk_notes: notes,
            };
            let signer = ctx.signer(&from, &client)?;
            let tx = client.execute(&signer, &gate, &msg, &[]).await?;
            let rid = tx
                .attribute("wasm-fog.release-gate.request_created", "id")
                .unwrap_or_default()
                .to_string();
            print_tx(ctx, &tx, serde_json::json!({ "request_id": rid }), || {
                format!("release request {rid} created")
            })
        }
        ReleaseCmd::Approve { request, comment, from } => {
            exec(
                from,
                ExecuteMsg::Approve { id: request, comment },
                format!("request {request} approved"),
            )
            .await
        }
        ReleaseCmd::Reject { request, comment, from } => {
            exec(
                from,
                ExecuteMsg::Reject { id: request, comment },
                format!("request {request} rejected"),
            )
            .await
        }
        ReleaseCmd::Revoke { request, reason, from } => {
            exec(
                from,
                ExecuteMsg::Revoke { id: request, reason },
                format!("release {request} revoked"),
            )
            .await
        }
        ReleaseCmd::Show { request } => {
            let r: RequestResponse = client.query(&gate, &QueryMsg::Request { id: request }).await?;
            ctx.print(&r, || request_rows(&r))
        }
        ReleaseCmd::List { start_after, limit } => {
            let r: RequestsResponse = client
                .query(
                    &gate,
                    &QueryMsg::Requests {
                        start_after,
                        limit: Some(limit),
                        status: None,
                    },
                )
                .await?;
            ctx.print(&r, || {
                table(
                    &["id", "artifact", "version", "status", "approvals"],
                    r.requests
                        .iter()
                        .map(|q| {
                            vec![
                                q.id.to_string(),
                                q.artifact_id.clone(),
                                q.artifact_version.clone(),
                                format!("{:?}", q.status).to_lowercase(),
                                q.approvals.len().to_string(),
                            ]
                        })
                        .collect(),
                )
            })
        }
        ReleaseCmd::Gate {
            file,
            indexer,
            token,
            require_evm,
            artifact_type,
        } => {
            let gate = super::gate::Gate {
                file: &file,
                artifact_type: &artifact_type,
                indexer: &indexer,
                token: token.as_deref(),
                require_evm,
            };
            let report = super::gate::check(&d, &gate)
                .await
                .map_err(|e| anyhow!("gate closed: {e:#}"))?;
            super::gate::print(ctx, &report)
        }
        ReleaseCmd::Status { sha256, artifact_type } => {
            let r: IsReleasedResponse = client
                .query(
                    &gate,
                    &QueryMsg::IsReleased {
                        sha256: parse_hash(&sha256, "sha256")?,
                        artifact_type,
                    },
                )
                .await?;
            ctx.print(&r, || match &r.request {
                Some(q) if r.released => {
                    format!("released by request {}\n{}", q.id, request_rows(q))
                }
                Some(q) => format!("not released (latest request {} is {:?})", q.id, q.status),
                None => "not released: no request for this sha256".into(),
            })
        }
    }
}
