//! Remediation on-chain: the registry actions compliance officers confirmed
//! in the indexer (`chain_actions`, status `confirmed`) are signed with the
//! relayer's key (a registry officer), recorded, then broadcast, exactly like
//! anchors: after a crash the recorded bytes are looked up or re-sent, never
//! re-signed while they may still land. Outcomes go back to the row
//! (`done` with the height, or `failed` with the chain's reason).

use anyhow::{bail, Result};
use fog_registry::msg::ExecuteMsg;
use sqlx::{PgPool, Row};
use tracing::{info, warn};

use super::target::{Broadcast, CosmwasmTarget, SignedAnchor, Target, TxState};

/// A broadcast action not seen in a block for this long is re-sent.
const RESEND_AFTER_SECONDS: f64 = 10.0;

#[derive(Debug, Clone)]
pub struct ActionRow {
    pub id: i64,
    pub kind: String,
    pub address: String,
    pub reason: String,
    pub tx: Option<SignedAnchor>,
    pub age_seconds: f64,
}

fn row(r: &sqlx::postgres::PgRow) -> ActionRow {
    let hash: Option<String> = r.get("tx_hash");
    let raw: Option<Vec<u8>> = r.get("raw_tx");
    let nonce: Option<i64> = r.get("nonce");
    ActionRow {
        id: r.get("id"),
        kind: r.get("kind"),
        address: r.get("address"),
        reason: r.get("reason"),
        tx: match (hash, raw, nonce) {
            (Some(tx_hash), Some(raw), Some(nonce)) => Some(SignedAnchor {
                tx_hash,
                raw,
                nonce: nonce as u64,
            }),
            _ => None,
        },
        age_seconds: r.get("age_seconds"),
    }
}

const SELECT: &str = "SELECT id, kind, address, reason, tx_hash, raw_tx, nonce, \
                      extract(epoch FROM now() - updated_at)::float8 AS age_seconds FROM chain_actions";

/// Whether the indexer's case tables exist in this database.
pub async fn available(pool: &PgPool) -> Result<bool> {
    Ok(sqlx::query_scalar("SELECT to_regclass('chain_actions') IS NOT NULL")
        .fetch_one(pool)
        .await?)
}

pub async fn submitted(pool: &PgPool) -> Result<Vec<ActionRow>> {
    let rows = sqlx::query(&format!("{SELECT} WHERE status = 'submitted' ORDER BY id"))
        .fetch_all(pool)
        .await?;
    Ok(rows.iter().map(row).collect())
}

pub async fn next_confirmed(pool: &PgPool) -> Result<Option<ActionRow>> {
    let r = sqlx::query(&format!("{SELECT} WHERE status = 'confirmed' ORDER BY id LIMIT 1"))
        .fetch_optional(pool)
        .await?;
    Ok(r.as_ref().map(row))
}

async fn set(pool: &PgPool, id: i64, status: &str, height: Option<u64>, error: Option<&str>) -> Result<()> {
    sqlx::query(
        "UPDATE chain_actions SET status = $2, height = COALESCE($3, height), error = $4, updated_at = now() \
         WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(height.map(|h| h as i64))
    .bind(error)
    .execute(pool)
    .await?;
    Ok(())
}

/// Back to confirmed with no transaction: the next step signs it afresh.
async fn unsign(pool: &PgPool, id: i64) -> Result<()> {
    sqlx::query(
        "UPDATE chain_actions SET status = 'confirmed', tx_hash = NULL, raw_tx = NULL, nonce = NULL, \
         updated_at = now() WHERE id = $1",
    )
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

/// The registry message of an action.
pub fn message(action: &ActionRow) -> Result<ExecuteMsg> {
    let sanctioned = match action.kind.as_str() {
        "flag_sanctioned" => true,
        "lift_sanction" => false,
        other => anyhow::bail!("action {} has an unknown kind {other:?}", action.id),
    };
    Ok(ExecuteMsg::SetSanctioned {
        address: action.address.clone(),
        sanctioned,
        reason: Some(format!("fog case action {}: {}", action.id, action.reason)),
    })
}

/// One step of remediation on `target` (the CosmWasm chain); returns whether
/// a transaction is in flight, in which case the caller must not sign
/// anything else with the same key in this turn.
pub async fn step(pool: &PgPool, target: &Target, cosmwasm: &CosmwasmTarget, registry: &str) -> Result<bool> {
    let mut in_flight = false;
    for action in submitted(pool).await? {
        let Some(tx) = &action.tx else {
            set(
                pool,
                action.id,
                "failed",
                None,
                Some("submitted without a recorded transaction"),
            )
            .await?;
            continue;
        };
        match target.status(&tx.tx_hash).await? {
            TxState::Included { height, .. } => {
                set(pool, action.id, "done", Some(height), None).await?;
                info!(action = action.id, kind = %action.kind, address = %action.address, height, "remediation done");
            }
            TxState::Failed(why) => {
                set(pool, action.id, "failed", None, Some(&why)).await?;
                warn!(action = action.id, %why, "remediation failed on chain");
            }
            TxState::Pending { .. } => in_flight = true,
            TxState::Unknown if action.age_seconds < RESEND_AFTER_SECONDS => in_flight = true,
            TxState::Unknown => match target.broadcast(tx).await? {
                Broadcast::Accepted => in_flight = true,
                // Refused for a reason these bytes meet again, and not in
                // a block (looked up above) nor in the node's mempool (it
                // would have said it holds them): they can never land. Sign
                // it afresh after the target's backoff (until stop 19 the
                // refused bytes were re-sent forever, and anchoring, which
                // waits for remediations, stopped with them).
                Broadcast::Refused(why) => {
                    unsign(pool, action.id).await?;
                    bail!(
                        "re-sending remediation {} was refused: {why}; it will be signed afresh",
                        action.id
                    )
                }
                Broadcast::Superseded(why) => {
                    if let TxState::Included { height, .. } = target.status(&tx.tx_hash).await? {
                        set(pool, action.id, "done", Some(height), None).await?;
                    } else {
                        // Never included and never can be: sign it afresh.
                        warn!(action = action.id, %why, "remediation transaction lost; re-signing");
                        unsign(pool, action.id).await?;
                    }
                }
            },
        }
    }
    if in_flight {
        return Ok(true);
    }
    let Some(action) = next_confirmed(pool).await? else {
        return Ok(false);
    };
    let msg = match message(&action) {
        Ok(m) => m,
        Err(e) => {
            set(pool, action.id, "failed", None, Some(&e.to_string())).await?;
            return Ok(false);
        }
    };
    let any = cosmwasm.client.execute_msg(&cosmwasm.signer, registry, &msg, &[])?;
    let prepared = cosmwasm
        .client
        .prepare_tx(&cosmwasm.signer, &[any], &format!("fog remediation {}", action.id))
        .await;
    let prepared = match prepared {
        Ok(p) => p,
        // Simulation runs the contract: its refusal (not an officer, an
        // unknown address to lift) is the action's outcome, not a retry.
        Err(e @ crate::chain::ChainError::Contract { .. }) => {
            set(pool, action.id, "failed", None, Some(&e.to_string())).await?;
            warn!(action = action.id, error = %e, "the registry refuses the remediation");
            return Ok(false);
        }
        Err(e) => return Err(e.into()),
    };
    let tx = SignedAnchor {
        tx_hash: prepared.hash,
        raw: prepared.bytes,
        nonce: prepared.sequence,
    };
    // Recorded before it exists anywhere else.
    let recorded = sqlx::query(
        "UPDATE chain_actions SET status = 'submitted', tx_hash = $2, raw_tx = $3, nonce = $4, updated_at = now() \
         WHERE id = $1 AND status = 'confirmed'",
    )
    .bind(action.id)
    .bind(&tx.tx_hash)
    .bind(&tx.raw)
    .bind(tx.nonce as i64)
    .execute(pool)
    .await?;
    if recorded.rows_affected() == 0 {
        return Ok(false);
    }
    match target.broadcast(&tx).await? {
        Broadcast::Accepted => {
            info!(action = action.id, kind = %action.kind, address = %action.address, tx = %tx.tx_hash, "remediation broadcast");
        }
        Broadcast::Superseded(why) | Broadcast::Refused(why) => {
            warn!(action = action.id, %why, "remediation not accepted; will re-sign");
            sqlx::query(
                "UPDATE chain_actions SET status = 'confirmed', tx_hash = NULL, raw_tx = NULL, nonce = NULL, \
                 updated_at = now() WHERE id = $1",
            )
            .bind(action.id)
            .execute(pool)
            .await?;
            // An error, so the target backs off before signing again.
            bail!("the chain refused remediation {}: {why}", action.id);
        }
    }
    Ok(true)
}
