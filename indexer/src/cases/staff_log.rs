//! A staff action as an audit record, tied to its case for the export.

use anyhow::Result;
use chrono::Utc;
use sqlx::PgConnection;

use crate::audit::{log, Entry};

/// Appends the record (inside the caller's transaction) and returns its
/// sequence number.
pub async fn record(
    tx: &mut PgConnection,
    actor: &str,
    action: &str,
    subject: &str,
    details: serde_json::Value,
    mut tags: Vec<String>,
    case_id: Option<i64>,
) -> Result<u64> {
    if tags.is_empty() {
        tags.push("AML".into());
    }
    let appended = log::append(
        tx,
        &[Entry {
            time: Utc::now(),
            actor: actor.to_string(),
            action: action.to_string(),
            subject: subject.to_string(),
            details,
            tags,
        }],
    )
    .await?;
    if let Some(id) = case_id {
        sqlx::query("INSERT INTO case_audit (case_id, audit_seq) VALUES ($1, $2)")
            .bind(id)
            .bind(appended.first_seq as i64)
            .execute(&mut *tx)
            .await?;
    }
    Ok(appended.first_seq)
}

/// [`record`] in a transaction of its own, for a staff action that writes
/// nothing else.
pub async fn record_alone(
    pool: &sqlx::PgPool,
    actor: &str,
    action: &str,
    subject: &str,
    details: serde_json::Value,
    tags: Vec<String>,
) -> Result<u64> {
    let mut tx = pool.begin().await?;
    let seq = record(&mut tx, actor, action, subject, details, tags, None).await?;
    tx.commit().await?;
    Ok(seq)
}
