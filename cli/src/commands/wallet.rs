//! Plain transfers of FOG or native tokens.

use anyhow::{Context as _, Result};
use clap::Subcommand;
use cosmwasm_std::Uint128;

use super::{parse_fog, print_tx};
use crate::context::Context;

#[derive(Debug, Subcommand)]
pub enum WalletCmd {
    /// Send FOG (default) or a native token to an address.
    Send {
        /// Recipient: an address or a key name.
        #[arg(long)]
        to: String,
        /// Whole FOG, or base units of a native token.
        #[arg(long)]
        amount: String,
        /// `fog` or `native:<denom>`.
        #[arg(long, default_value = "fog")]
        asset: String,
        #[arg(long)]
        from: String,
    },
}

pub async fn run(ctx: &Context, cmd: WalletCmd) -> Result<()> {
    let (d, client) = ctx.client()?;
    match cmd {
        WalletCmd::Send {
            to,
            amount,
            asset,
            from,
        } => {
            let to = ctx.address(&to, &client)?;
            let signer = ctx.signer(&from, &client)?;
            let (tx, what) = if asset == "fog" {
                let amount = parse_fog(&amount)?;
                super::ve::ensure_fog(&client, &d.contracts.token, &signer.address, amount).await?;
                let msg = cw20::Cw20ExecuteMsg::Transfer {
                    recipient: to.clone(),
                    amount: Uint128::new(amount),
                };
                (
                    client.execute(&signer, &d.contracts.token, &msg, &[]).await?,
                    format!("{} FOG", crate::output::fog(amount)),
                )
            } else if let Some(denom) = asset.strip_prefix("native:") {
                let amount: u128 = amount
                    .parse()
                    .with_context(|| format!("--amount {amount:?} is not a whole number of base units"))?;
                let msg = client.bank_send_msg(&signer, &to, amount, denom);
                (
                    client.send_tx(&signer, vec![msg], "").await?,
                    format!("{amount} {denom}"),
                )
            } else {
                anyhow::bail!("--asset {asset:?}: use fog or native:<denom>");
            };
            print_tx(ctx, &tx, serde_json::json!({ "to": to }), || {
                format!("sent {what} to {to}")
            })
        }
    }
}
