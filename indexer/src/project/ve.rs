//! veFOG events into locks, lock history (the voting-power checkpoints),
//! delegates and delegations, the reward pool and the configuration.

use anyhow::Result;
use fog_events::ve::VeEvent;
use sqlx::PgConnection;

use super::{copy, At, Projector};
use crate::store::CopyBuf;

#[allow(clippy::too_many_arguments)]
fn set_lock(
    p: &mut Projector,
    at: &At<'_>,
    action: &str,
    owner: &str,
    amount: u128,
    end: u64,
    start: u64,
    tier: u8,
    apy_bps: u16,
) {
    p.lock_history
        .text(owner)
        .num(at.height)
        .num(at.seq)
        .text(action)
        .num(amount)
        .num(end)
        .num(start)
        .num(tier)
        .num(apy_bps);
    p.lock_history.end_row();
}

fn delegation(p: &mut Projector, at: &At<'_>, delegator: &str, delegate: Option<&str>) {
    p.delegation_history
        .text(delegator)
        .num(at.height)
        .num(at.seq)
        .opt_text(delegate);
    p.delegation_history.end_row();
}

async fn pool_delta(conn: &mut PgConnection, column: &str, value: &str, add: bool) -> Result<()> {
    let set = if add {
        format!("{column} = reward_pool.{column} + $1::numeric")
    } else {
        format!("{column} = $1::numeric")
    };
    sqlx::query(&format!(
        "INSERT INTO reward_pool (id, {column}) VALUES (1, $1::numeric) ON CONFLICT (id) DO UPDATE SET {set}"
    ))
    .bind(value)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn apply(p: &mut Projector, conn: &mut PgConnection, at: &At<'_>, e: VeEvent) -> Result<()> {
    match e {
        VeEvent::ConfigUpdated(c) => {
            sqlx::query(
                "INSERT INTO ve_config (id, owner, token, registry, tiers, height) VALUES (1, $1, $2, $3, $4, $5)
                 ON CONFLICT (id) DO UPDATE SET owner = $1, token = $2, registry = $3, tiers = $4, height = $5",
            )
            .bind(&c.owner)
            .bind(&c.token)
            .bind(&c.registry)
            .bind(serde_json::to_value(&c.tiers)?)
            .bind(at.height)
            .execute(&mut *conn)
            .await?;
            super::set_owner(conn, "ve", &c.owner, at.height).await?;
        }
        VeEvent::LockCreated(l) => set_lock(p, at, "lock", &l.owner, l.amount, l.end, l.start, l.tier, l.apy_bps),
        VeEvent::LockIncreased(l) => set_lock(p, at, "increase", &l.owner, l.amount, l.end, l.start, l.tier, l.apy_bps),
        VeEvent::LockExtended(l) => set_lock(p, at, "extend", &l.owner, l.amount, l.end, l.start, l.tier, l.apy_bps),
        VeEvent::Withdrawn(w) => {
            set_lock(p, at, "withdraw", &w.owner, 0, 0, 0, 0, 0);
            pool_delta(conn, "paid", &w.rewards.to_string(), true).await?;
        }
        VeEvent::RewardsClaimed(r) => pool_delta(conn, "paid", &r.amount.to_string(), true).await?,
        VeEvent::RewardsFunded(f) => pool_delta(conn, "funded", &f.funded_total.to_string(), false).await?,
        VeEvent::DelegateRegistered(d) => {
            sqlx::query(
                "INSERT INTO delegates (address, profile, registered_height, active) VALUES ($1, $2, $3, true)
                 ON CONFLICT (address) DO UPDATE SET profile = $2, registered_height = $3, active = true",
            )
            .bind(&d.delegate)
            .bind(d.profile.map(|p| p.0))
            .bind(at.height)
            .execute(conn)
            .await?;
        }
        VeEvent::DelegateUnregistered(d) => {
            sqlx::query("UPDATE delegates SET active = false WHERE address = $1")
                .bind(&d.delegate)
                .execute(conn)
                .await?;
        }
        VeEvent::Delegated(d) => delegation(p, at, &d.delegator, Some(&d.delegate)),
        VeEvent::Undelegated(d) => delegation(p, at, &d.delegator, None),
        VeEvent::DelegatorDropped(d) => delegation(p, at, &d.delegator, None),
        VeEvent::Checkpointed(_) => {}
    }
    Ok(())
}

pub async fn flush(conn: &mut PgConnection, lock_history: &CopyBuf, delegation_history: &CopyBuf) -> Result<()> {
    copy(
        conn,
        "COPY lock_history (owner, height, seq, action, amount, end_time, start_time, tier, apy_bps) FROM STDIN",
        lock_history,
    )
    .await?;
    copy(
        conn,
        "COPY delegation_history (delegator, height, seq, delegate) FROM STDIN",
        delegation_history,
    )
    .await
}
