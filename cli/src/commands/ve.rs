//! veFOG: lock, increase, extend, withdraw, claim, delegation.

use anyhow::Result;
use clap::Subcommand;
use cosmwasm_std::{to_json_binary, Uint128};
use fog_ve::msg::{ExecuteMsg, ReceiveMsg};

use super::{parse_fog, print_tx};
use crate::context::Context;

const WEEK: u64 = fog_ve::curve::WEEK;

#[derive(Debug, Subcommand)]
pub enum VeCmd {
    /// Lock FOG for voting power (1 to 208 weeks).
    Lock {
        /// FOG to lock, e.g. 1000 or 0.5.
        #[arg(long)]
        amount: String,
        #[arg(long)]
        weeks: u64,
        #[arg(long)]
        from: String,
    },
    /// Add FOG to your lock.
    Increase {
        #[arg(long)]
        amount: String,
        #[arg(long)]
        from: String,
    },
    /// Move your lock's end to WEEKS weeks from now.
    Extend {
        #[arg(long)]
        weeks: u64,
        #[arg(long)]
        from: String,
    },
    /// Take back an expired lock, with its rewards.
    Withdraw {
        #[arg(long)]
        from: String,
    },
    /// Claim staking rewards.
    Claim {
        #[arg(long)]
        from: String,
    },
    /// Delegate your voting power to a registered delegate.
    Delegate {
        /// The delegate's address or key name.
        delegate: String,
        #[arg(long)]
        from: String,
    },
    /// Take your voting power back.
    Undelegate {
        #[arg(long)]
        from: String,
    },
    /// Register as a delegate others can delegate to.
    RegisterDelegate {
        /// A URL or short text voters can read.
        #[arg(long)]
        profile: Option<String>,
        #[arg(long)]
        from: String,
    },
    /// Stop being a delegate (only while it receives no delegated power).
    UnregisterDelegate {
        #[arg(long)]
        from: String,
    },
    /// Stop representing one delegator (as its delegate, registered or
    /// not): its power is its own again.
    DropDelegator {
        /// The delegator's address or key name.
        delegator: String,
        #[arg(long)]
        from: String,
    },
    /// Add FOG to the staking reward pool.
    FundRewards {
        #[arg(long)]
        amount: String,
        #[arg(long)]
        from: String,
    },
}

/// Refuses before signing when `owner` holds less FOG than `amount` (cw20
/// would only say "Cannot Sub with given operands").
pub async fn ensure_fog(
    client: &fog_relayer::chain::ChainClient,
    token: &str,
    owner: &str,
    amount: u128,
) -> Result<()> {
    let balance: cw20::BalanceResponse = client
        .query(
            token,
            &cw20::Cw20QueryMsg::Balance {
                address: owner.to_string(),
            },
        )
        .await?;
    if balance.balance.u128() < amount {
        anyhow::bail!(
            "insufficient FOG: {owner} has {} FOG, this needs {}",
            crate::output::fog(balance.balance.u128()),
            crate::output::fog(amount)
        );
    }
    Ok(())
}

/// Sends `amount` FOG (whole units as typed) from `from` to veFOG with `hook`.
async fn send_to_ve(
    ctx: &Context,
    client: &fog_relayer::chain::ChainClient,
    d: &fog_relayer::deployment::Deployment,
    from: &str,
    amount: u128,
    hook: &ReceiveMsg,
) -> Result<fog_relayer::chain::TxResult> {
    let signer = ctx.signer(from, client)?;
    ensure_fog(client, &d.contracts.token, &signer.address, amount).await?;
    let msg = cw20::Cw20ExecuteMsg::Send {
        contract: d.contracts.ve.clone(),
        amount: Uint128::new(amount),
        msg: to_json_binary(hook)?,
    };
    Ok(client.execute(&signer, &d.contracts.token, &msg, &[]).await?)
}

/// A lock's length, checked before it is turned into seconds.
fn check_weeks(weeks: u64) -> Result<()> {
    if !(1..=fog_ve::curve::MAX_LOCK_WEEKS).contains(&weeks) {
        anyhow::bail!("--weeks must be 1 to {}", fog_ve::curve::MAX_LOCK_WEEKS);
    }
    Ok(())
}

pub async fn run(ctx: &Context, cmd: VeCmd) -> Result<()> {
    let (d, client) = ctx.client()?;
    let ve = d.contracts.ve.clone();
    match cmd {
        VeCmd::Lock { amount, weeks, from } => {
            let amount = parse_fog(&amount)?;
            check_weeks(weeks)?;
            let tx = send_to_ve(
                ctx,
                &client,
                &d,
                &from,
                amount,
                &ReceiveMsg::Lock { duration: weeks * WEEK },
            )
            .await?;
            let end = tx
                .attribute("wasm-fog.ve.lock_created", "end")
                .unwrap_or_default()
                .to_string();
            print_tx(ctx, &tx, serde_json::json!({ "end": end }), || {
                format!("locked {} FOG until {end}", crate::output::fog(amount))
            })
        }
        VeCmd::Increase { amount, from } => {
            let amount = parse_fog(&amount)?;
            let tx = send_to_ve(ctx, &client, &d, &from, amount, &ReceiveMsg::IncreaseAmount {}).await?;
            print_tx(ctx, &tx, serde_json::json!({}), || {
                format!("added {} FOG to the lock", crate::output::fog(amount))
            })
        }
        VeCmd::Extend { weeks, from } => {
            check_weeks(weeks)?;
            simple(
                ctx,
                &client,
                &from,
                &ve,
                ExecuteMsg::ExtendLock { duration: weeks * WEEK },
                "lock extended",
            )
            .await
        }
        VeCmd::Withdraw { from } => simple(ctx, &client, &from, &ve, ExecuteMsg::Withdraw {}, "lock withdrawn").await,
        VeCmd::Claim { from } => simple(ctx, &client, &from, &ve, ExecuteMsg::ClaimRewards {}, "rewards claimed").await,
        VeCmd::Delegate { delegate, from } => {
            let delegate = ctx.address(&delegate, &client)?;
            simple(
                ctx,
                &client,
                &from,
                &ve,
                ExecuteMsg::Delegate {
                    delegate: delegate.clone(),
                },
                &format!("delegated to {delegate}"),
            )
            .await
        }
        VeCmd::Undelegate { from } => {
            simple(
                ctx,
                &client,
                &from,
                &ve,
                ExecuteMsg::Undelegate {},
                "delegation taken back",
            )
            .await
        }
        VeCmd::RegisterDelegate { profile, from } => {
            simple(
                ctx,
                &client,
                &from,
                &ve,
                ExecuteMsg::RegisterDelegate { profile },
                "registered as a delegate",
            )
            .await
        }
        VeCmd::UnregisterDelegate { from } => {
            simple(
                ctx,
                &client,
                &from,
                &ve,
                ExecuteMsg::UnregisterDelegate {},
                "no longer a delegate",
            )
            .await
        }
        VeCmd::DropDelegator { delegator, from } => {
            let delegator = ctx.address(&delegator, &client)?;
            let done = format!("no longer represents {delegator}");
            simple(ctx, &client, &from, &ve, ExecuteMsg::DropDelegator { delegator }, &done).await
        }
        VeCmd::FundRewards { amount, from } => {
            let amount = parse_fog(&amount)?;
            let tx = send_to_ve(ctx, &client, &d, &from, amount, &ReceiveMsg::FundRewards {}).await?;
            print_tx(ctx, &tx, serde_json::json!({}), || {
                format!("funded the reward pool with {} FOG", crate::output::fog(amount))
            })
        }
    }
}

/// Signs `msg` to `contract` and prints the result.
pub async fn simple<M: serde::Serialize>(
    ctx: &Context,
    client: &fog_relayer::chain::ChainClient,
    from: &str,
    contract: &str,
    msg: M,
    done: &str,
) -> Result<()> {
    let signer = ctx.signer(from, client)?;
    let tx = client.execute(&signer, contract, &msg, &[]).await?;
    print_tx(ctx, &tx, serde_json::json!({}), || done.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn lock_lengths_are_checked_before_they_become_seconds() {
        assert!(super::check_weeks(1).is_ok());
        assert!(super::check_weeks(fog_ve::curve::MAX_LOCK_WEEKS).is_ok());
        for weeks in [0, fog_ve::curve::MAX_LOCK_WEEKS + 1, u64::MAX] {
            assert_eq!(
                super::check_weeks(weeks).unwrap_err().to_string(),
                "--weeks must be 1 to 208"
            );
        }
    }
}
