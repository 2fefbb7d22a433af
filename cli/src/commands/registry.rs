//! The compliance registry: entries written by officers.

use anyhow::{bail, Result};
use clap::Subcommand;
use cosmwasm_std::Timestamp;
use fog_registry::msg::{EntryResponse, ExecuteMsg, QueryMsg, StatusResponse};
use fog_relayer::chain::ChainClient;

use super::parse_hash;
use crate::context::Context;
use crate::output::fields;

#[derive(Debug, Subcommand)]
pub enum RegistryCmd {
    /// Write an address's entry (officers).
    Set {
        address: String,
        /// KYC tier, 0 to 3.
        #[arg(long)]
        tier: u8,
        /// ISO 3166-1 alpha-2 code, e.g. CH.
        #[arg(long)]
        jurisdiction: String,
        /// Create the entry flagged as sanctioned. An existing entry keeps
        /// its flag: `fog registry sanction` changes it, with a reason.
        #[arg(long)]
        sanctioned: bool,
        /// Days until the KYC verification expires (1 to 36500).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..=36_500))]
        expires_in_days: Option<u64>,
        /// sha256 of the off-chain KYC record (hex).
        #[arg(long)]
        commitment: String,
        #[arg(long)]
        from: String,
    },
    /// Flag an address as sanctioned, or lift the flag (officers).
    Sanction {
        address: String,
        #[arg(long)]
        lift: bool,
        #[arg(long)]
        reason: Option<String>,
        #[arg(long)]
        from: String,
    },
    /// Delete an address's entry (officers).
    Remove {
        address: String,
        #[arg(long)]
        from: String,
    },
    /// An address's entry and status.
    Show { address: String },
}

pub async fn run(ctx: &Context, cmd: RegistryCmd) -> Result<()> {
    let (d, client) = ctx.client()?;
    let registry = d.contracts.registry.clone();
    match cmd {
        RegistryCmd::Set {
            address,
            tier,
            jurisdiction,
            sanctioned,
            expires_in_days,
            commitment,
            from,
        } => {
            let address = ctx.address(&address, &client)?;
            let existing = entry(&client, &registry, &address).await?;
            let sanctioned = match existing.entry {
                Some(e) if sanctioned && !e.sanctioned => bail!(
                    "{address} already has an entry, not sanctioned: flag it with `fog registry sanction {address} --reason ...`"
                ),
                Some(e) => e.sanctioned,
                None => sanctioned,
            };
            let expires_at = match expires_in_days {
                Some(days) => {
                    let (_, now) = client.latest_block().await?;
                    Some(Timestamp::from_seconds(now + days * 86_400))
                }
                None => None,
            };
            let msg = ExecuteMsg::SetEntry {
                address: address.clone(),
                kyc_tier: tier,
                jurisdiction,
                sanctioned,
                expires_at,
                commitment: parse_hash(&commitment, "--commitment")?,
            };
            super::ve::simple(
                ctx,
                &client,
                &from,
                &registry,
                msg,
                &format!("entry of {address} written"),
            )
            .await
        }
        RegistryCmd::Sanction {
            address,
            lift,
            reason,
            from,
        } => {
            let address = ctx.address(&address, &client)?;
            let msg = ExecuteMsg::SetSanctioned {
                address: address.clone(),
                sanctioned: !lift,
                reason,
            };
            let done = if lift {
                format!("sanction of {address} lifted")
            } else {
                format!("{address} flagged as sanctioned")
            };
            super::ve::simple(ctx, &client, &from, &registry, msg, &done).await
        }
        RegistryCmd::Remove { address, from } => {
            let address = ctx.address(&address, &client)?;
            super::ve::simple(
                ctx,
                &client,
                &from,
                &registry,
                ExecuteMsg::RemoveEntry {
                    address: address.clone(),
                },
                &format!("entry of {address} removed"),
            )
            .await
        }
        RegistryCmd::Show { address } => {
            let address = ctx.address(&address, &client)?;
            let entry = entry(&client, &registry, &address).await?;
            let status: StatusResponse = client
                .query(
                    &registry,
                    &QueryMsg::Status {
                        address: address.clone(),
                    },
                )
                .await?;
            ctx.print(&serde_json::json!({ "entry": entry, "status": status }), || {
                let mut rows = vec![
                    ("address", address.clone()),
                    ("effective KYC tier", status.kyc_tier.to_string()),
                    ("sanctioned", status.sanctioned.to_string()),
                    ("expired", status.expired.to_string()),
                ];
                if let Some(e) = &entry.entry {
                    rows.push(("jurisdiction", e.jurisdiction.clone()));
                    rows.push(("commitment", e.commitment.to_hex()));
                    rows.push(("officer", e.officer.to_string()));
                }
                fields(&rows)
            })
        }
    }
}

async fn entry(client: &ChainClient, registry: &str, address: &str) -> Result<EntryResponse> {
    Ok(client
        .query(
            registry,
            &QueryMsg::Entry {
                address: address.to_string(),
            },
        )
        .await?)
}
