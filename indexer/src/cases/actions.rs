//! Remediation the seed asks to automate is proposed, never done silently:
//! an action ("flag this address as sanctioned in the registry") is
//! proposed by staff or by the rules, confirmed by an officer who did not
//! propose it, and only then submitted on-chain by the relayer, whose
//! outcome lands back here.

use std::str::FromStr;

use anyhow::Result;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::{PgPool, Row};
use utoipa::ToSchema;

use super::staff_log;

/// The actor of proposals the rules make.
pub const SYSTEM: &str = "system";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// `SetSanctioned { sanctioned: true }` on the registry.
    FlagSanctioned,
    /// `SetSanctioned { sanctioned: false }` on the registry.
    LiftSanction,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::FlagSanctioned => "flag_sanctioned",
            Kind::LiftSanction => "lift_sanction",
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Proposal {
    pub kind: Kind,
    /// The on-chain address the action is about (bech32).
    pub address: String,
    /// Why; goes on-chain with the action (at most 512 characters).
    pub reason: String,
    pub alert_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Action {
    pub id: i64,
    pub kind: String,
    pub address: String,
    pub reason: String,
    pub case_id: Option<i64>,
    pub alert_id: Option<i64>,
    /// proposed, confirmed, rejected, submitted, done or failed.
    pub status: String,
    pub proposed_by: String,
    pub proposed_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub tx_hash: Option<String>,
    pub height: Option<i64>,
    pub error: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ActionError {
    #[error("action {0} does not exist")]
    NotFound(i64),
    #[error("{0:?} is not a bech32 account address")]
    BadAddress(String),
    #[error("the reason must be 1 to 512 characters")]
    BadReason,
    #[error("the note must be at most 512 characters")]
    BadNote,
    #[error("an action {kind} for {address} is already open (action {id})")]
    AlreadyOpen { kind: String, address: String, id: i64 },
    #[error("action {id} is {status}, not proposed")]
    NotProposed { id: i64, status: String },
    #[error("four eyes: {0} proposed this action and cannot also confirm it")]
    SamePerson(String),
}

const COLUMNS: &str = "id, kind, address, reason, case_id, alert_id, status, proposed_by, proposed_at, decided_by, \
    decided_at, tx_hash, height, error";

fn action_of(r: &sqlx::postgres::PgRow) -> Action {
    Action {
        id: r.get("id"),
        kind: r.get("kind"),
        address: r.get("address"),
        reason: r.get("reason"),
        case_id: r.get("case_id"),
        alert_id: r.get("alert_id"),
        status: r.get("status"),
        proposed_by: r.get("proposed_by"),
        proposed_at: r.get("proposed_at"),
        decided_by: r.get("decided_by"),
        decided_at: r.get("decided_at"),
        tx_hash: r.get("tx_hash"),
        height: r.get("height"),
        error: r.get("error"),
    }
}

/// A sanctions action's frameworks, and those of its case's alerts.
async fn tags(tx: &mut sqlx::PgConnection, case_id: Option<i64>) -> Result<Vec<String>> {
    let mut tags: Vec<String> = ["AML", "BSA", "FinCEN", "KYC"].iter().map(|s| s.to_string()).collect();
    if let Some(id) = case_id {
        tags.extend(super::case_tags(tx, id).await?);
    }
    tags.sort();
    tags.dedup();
    Ok(tags)
}

/// The address as the chain writes it: valid bech32, lowercase. An
/// uppercase spelling would pass the check yet name another row (and the
/// one-open-action rule with it), and the registry would refuse it.
fn canonical_address(address: &str) -> Option<String> {
    cosmrs::AccountId::from_str(address)
        .ok()
        .map(|a| a.to_string())
        .filter(|canonical| canonical == address)
}

/// Proposes an action, optionally within a case.
pub async fn propose(pool: &PgPool, case_id: Option<i64>, p: &Proposal, by: &str) -> Result<Action> {
    if canonical_address(&p.address).is_none() {
        return Err(ActionError::BadAddress(p.address.clone()).into());
    }
    let reason = p.reason.trim();
    if reason.is_empty() || reason.chars().count() > 512 {
        return Err(ActionError::BadReason.into());
    }
    let mut tx = pool.begin().await?;
    if let Some(id) = case_id {
        let state: String = sqlx::query_scalar("SELECT state FROM cases WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(super::CaseError::NotFound(id))?;
        // Like notes and alerts: a closed case takes nothing until reopened.
        if state == "closed" {
            return Err(super::CaseError::Closed.into());
        }
    }
    if let Some(alert) = p.alert_id {
        super::check_alert_exists(&mut tx, alert).await?;
    }
    // One open action per address and kind: the index of open actions
    // refuses a second (also one a concurrent request is inserting: it
    // waits for it), and the refusal names the open one.
    let row = sqlx::query(&format!(
        "INSERT INTO chain_actions (kind, address, reason, case_id, alert_id, proposed_by) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (address, kind) WHERE status IN ('proposed', 'confirmed', 'submitted') DO NOTHING \
         RETURNING {COLUMNS}"
    ))
    .bind(p.kind.as_str())
    .bind(&p.address)
    .bind(reason)
    .bind(case_id)
    .bind(p.alert_id)
    .bind(by)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        let id: i64 = sqlx::query_scalar(
            "SELECT id FROM chain_actions WHERE address = $1 AND kind = $2 AND status IN ('proposed', 'confirmed', 'submitted')",
        )
        .bind(&p.address)
        .bind(p.kind.as_str())
        .fetch_one(&mut *tx)
        .await?;
        return Err(ActionError::AlreadyOpen {
            kind: p.kind.as_str().into(),
            address: p.address.clone(),
            id,
        }
        .into());
    };
    let action = action_of(&row);
    let tags = tags(&mut tx, case_id).await?;
    staff_log::record(
        &mut tx,
        by,
        "action.proposed",
        &format!("account/{}", p.address),
        json!({ "action_id": action.id, "kind": p.kind, "reason": reason, "alert_id": p.alert_id }),
        tags,
        case_id,
    )
    .await?;
    tx.commit().await?;
    Ok(action)
}

async fn decide(pool: &PgPool, id: i64, by: &str, confirm: bool, note: Option<&str>) -> Result<Action> {
    if note.is_some_and(|n| n.chars().count() > 512) {
        return Err(ActionError::BadNote.into());
    }
    let mut tx = pool.begin().await?;
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM chain_actions WHERE id = $1 FOR UPDATE"))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(ActionError::NotFound(id))?;
    let action = action_of(&row);
    if action.status != "proposed" {
        return Err(ActionError::NotProposed {
            id,
            status: action.status,
        }
        .into());
    }
    if confirm && action.proposed_by == by {
        return Err(ActionError::SamePerson(by.to_string()).into());
    }
    // A case closed since the proposal took its decision with it: nothing
    // it proposed goes on-chain unless the case is reopened. Rejecting
    // stays possible, to clear the action.
    if let Some(case_id) = action.case_id.filter(|_| confirm) {
        let state: Option<String> = sqlx::query_scalar("SELECT state FROM cases WHERE id = $1 FOR SHARE")
            .bind(case_id)
            .fetch_optional(&mut *tx)
            .await?;
        if state.as_deref() == Some("closed") {
            return Err(super::CaseError::Closed.into());
        }
    }
    let status = if confirm { "confirmed" } else { "rejected" };
    let row = sqlx::query(&format!(
        "UPDATE chain_actions SET status = $2, decided_by = $3, decided_at = now(), updated_at = now() \
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(status)
    .bind(by)
    .fetch_one(&mut *tx)
    .await?;
    let tags = tags(&mut tx, action.case_id).await?;
    staff_log::record(
        &mut tx,
        by,
        if confirm { "action.confirmed" } else { "action.rejected" },
        &format!("account/{}", action.address),
        json!({ "action_id": id, "kind": action.kind, "note": note }),
        tags,
        action.case_id,
    )
    .await?;
    tx.commit().await?;
    Ok(action_of(&row))
}

/// An officer (not the proposer) confirms: the relayer will submit it.
pub async fn confirm(pool: &PgPool, id: i64, by: &str) -> Result<Action> {
    decide(pool, id, by, true, None).await
}

pub async fn reject(pool: &PgPool, id: i64, by: &str, note: Option<&str>) -> Result<Action> {
    decide(pool, id, by, false, note).await
}

/// Actions, newest first, optionally of one status.
pub async fn list(pool: &PgPool, status: Option<&str>, after_id: Option<i64>, limit: i64) -> Result<Vec<Action>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM chain_actions WHERE ($1::text IS NULL OR status = $1) \
         AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3"
    ))
    .bind(status)
    .bind(after_id)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(action_of).collect())
}

/// Every action of case `case_id`, newest first (not bounded: a case's
/// export must not lose its older actions to other cases' newer ones).
pub async fn of_case(pool: &PgPool, case_id: i64) -> Result<Vec<Action>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM chain_actions WHERE case_id = $1 ORDER BY id DESC"
    ))
    .bind(case_id)
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(action_of).collect())
}
