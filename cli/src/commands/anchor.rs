//! Audit-log checkpoints anchored on-chain.

use anyhow::Result;
use clap::Subcommand;
use fog_audit_anchor::msg::{CheckpointResponse, CheckpointsResponse, QueryMsg, VerifyInclusionResponse};

use super::parse_hash;
use crate::context::Context;
use crate::output::table;

#[derive(Debug, Subcommand)]
pub enum AnchorCmd {
    /// The latest anchored checkpoint of a log, on the CosmWasm chain and
    /// (when the deployment has one) on the EVM chain.
    Latest {
        /// The log's origin; default: the deployment's audit log.
        #[arg(long)]
        origin: Option<String>,
    },
    /// Anchored checkpoints, by size.
    Checkpoints {
        /// The log's origin; default: the deployment's audit log.
        #[arg(long)]
        origin: Option<String>,
        #[arg(long)]
        start_after: Option<u64>,
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Check an inclusion proof against an anchored checkpoint, on-chain.
    VerifyInclusion {
        /// The log's origin; default: the deployment's audit log.
        #[arg(long)]
        origin: Option<String>,
        #[arg(long)]
        leaf_hash: String,
        #[arg(long)]
        index: u64,
        #[arg(long)]
        size: u64,
        /// Proof hashes, comma-separated hex.
        #[arg(long, value_delimiter = ',')]
        proof: Vec<String>,
    },
}

pub async fn run(ctx: &Context, cmd: AnchorCmd) -> Result<()> {
    let (d, client) = ctx.client()?;
    let anchor = d.contracts.audit_anchor.clone();
    let origin_of = |given: Option<String>| {
        given
            .or_else(|| d.audit_origin.clone())
            .ok_or_else(|| anyhow::anyhow!("the deployment names no audit log origin: pass --origin"))
    };
    match cmd {
        AnchorCmd::Latest { origin } => {
            let origin = origin_of(origin)?;
            let r: Option<CheckpointResponse> = client
                .query(&anchor, &QueryMsg::LatestCheckpoint { origin: origin.clone() })
                .await?;
            let evm = match &d.evm {
                Some(e) => {
                    let address: fog_relayer::evm::Address = e.audit_anchor.parse()?;
                    let (size, root) = fog_relayer::evm::EvmAnchor::read_only(&e.rpc, address)
                        .await?
                        .latest()
                        .await?;
                    Some(serde_json::json!({
                        "chain_id": e.chain_id,
                        "contract": e.audit_anchor,
                        "size": size,
                        "root": hex::encode(root),
                    }))
                }
                None => None,
            };
            let out = serde_json::json!({ "cosmwasm": r, "evm": evm });
            ctx.print(&out, || {
                let mut lines = vec![match &r {
                    Some(c) => format!(
                        "{origin} on {}: size {} root {} (log time {}, anchored at height {})",
                        d.chain_id,
                        c.size,
                        c.root.to_hex(),
                        c.timestamp,
                        c.height
                    ),
                    None => format!("{origin} on {}: nothing anchored yet", d.chain_id),
                }];
                if let Some(e) = &evm {
                    lines.push(format!(
                        "{origin} on EVM chain {} ({}): size {} root {}",
                        e["chain_id"],
                        e["contract"].as_str().unwrap_or_default(),
                        e["size"],
                        e["root"].as_str().unwrap_or_default()
                    ));
                }
                lines.join("\n")
            })
        }
        AnchorCmd::Checkpoints {
            origin,
            start_after,
            limit,
        } => {
            let origin = origin_of(origin)?;
            let r: CheckpointsResponse = client
                .query(
                    &anchor,
                    &QueryMsg::Checkpoints {
                        origin,
                        start_after,
                        limit: Some(limit),
                    },
                )
                .await?;
            ctx.print(&r, || {
                table(
                    &["size", "root", "log time", "height"],
                    r.checkpoints
                        .iter()
                        .map(|c| {
                            vec![
                                c.size.to_string(),
                                c.root.to_hex(),
                                c.timestamp.to_string(),
                                c.height.to_string(),
                            ]
                        })
                        .collect(),
                )
            })
        }
        AnchorCmd::VerifyInclusion {
            origin,
            leaf_hash,
            index,
            size,
            proof,
        } => {
            let origin = origin_of(origin)?;
            let proof = proof
                .iter()
                .filter(|p| !p.is_empty())
                .map(|p| parse_hash(p, "proof hash"))
                .collect::<Result<_>>()?;
            let r: VerifyInclusionResponse = client
                .query(
                    &anchor,
                    &QueryMsg::VerifyInclusion {
                        origin,
                        leaf_hash: parse_hash(&leaf_hash, "--leaf-hash")?,
                        index,
                        tree_size: size,
                        proof,
                    },
                )
                .await?;
            ctx.print(&r, || {
                if r.valid {
                    "valid".into()
                } else {
                    format!("invalid: {}", r.reason.clone().unwrap_or_default())
                }
            })?;
            if !r.valid {
                std::process::exit(1);
            }
            Ok(())
        }
    }
}
