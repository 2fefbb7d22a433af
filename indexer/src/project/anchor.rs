//! Audit-anchor events into logs and anchored checkpoints.

use anyhow::Result;
use fog_events::audit_anchor::AuditAnchorEvent;
use sqlx::{PgConnection, Row};

use super::At;

async fn submitters(conn: &mut PgConnection, origin: &str) -> Result<Vec<String>> {
    let row = sqlx::query("SELECT submitters FROM anchor_logs WHERE origin = $1")
        .bind(origin)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(r) => Ok(serde_json::from_value(r.get(0))?),
        None => Err(unknown_log(origin)),
    }
}

/// Until stop 20 a submitter change of a log the index never saw created
/// it (with no key) and a key change was dropped.
fn unknown_log(origin: &str) -> anyhow::Error {
    super::unknown(format_args!("audit log {origin:?}"))
}

async fn set_submitters(conn: &mut PgConnection, origin: &str, list: &[String], height: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO anchor_logs (origin, submitters, height) VALUES ($1, $2, $3)
         ON CONFLICT (origin) DO UPDATE SET submitters = $2, height = $3",
    )
    .bind(origin)
    .bind(serde_json::to_value(list)?)
    .bind(height)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn apply(conn: &mut PgConnection, at: &At<'_>, e: AuditAnchorEvent) -> Result<()> {
    match e {
        AuditAnchorEvent::Instantiated(i) => super::set_owner(conn, "audit_anchor", &i.owner, at.height).await,
        AuditAnchorEvent::OwnerUpdated(o) => super::set_owner(conn, "audit_anchor", &o.new_owner, at.height).await,
        AuditAnchorEvent::Migrated(_) => Ok(()),
        AuditAnchorEvent::LogCreated(l) => {
            sqlx::query(
                "INSERT INTO anchor_logs (origin, submitters, public_key, height) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (origin) DO UPDATE SET submitters = $2, public_key = $3, height = $4",
            )
            .bind(&l.origin)
            .bind(serde_json::to_value(&l.submitters)?)
            .bind(&l.public_key)
            .bind(at.height)
            .execute(conn)
            .await?;
            Ok(())
        }
        AuditAnchorEvent::LogKeySet(k) => {
            let done = sqlx::query("UPDATE anchor_logs SET public_key = $2, height = $3 WHERE origin = $1")
                .bind(&k.origin)
                .bind(&k.public_key)
                .bind(at.height)
                .execute(conn)
                .await?;
            match done.rows_affected() {
                0 => Err(unknown_log(&k.origin)),
                _ => Ok(()),
            }
        }
        AuditAnchorEvent::SubmitterAdded(s) => {
            let mut list = submitters(conn, &s.origin).await?;
            if !list.contains(&s.submitter) {
                list.push(s.submitter);
            }
            set_submitters(conn, &s.origin, &list, at.height).await
        }
        AuditAnchorEvent::SubmitterRemoved(s) => {
            let mut list = submitters(conn, &s.origin).await?;
            list.retain(|x| x != &s.submitter);
            set_submitters(conn, &s.origin, &list, at.height).await
        }
        AuditAnchorEvent::CheckpointAnchored(c) => {
            submitters(conn, &c.origin).await?;
            sqlx::query(
                "INSERT INTO anchor_checkpoints (origin, size, root, timestamp, previous_size, submitter, height)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&c.origin)
            .bind(c.size as i64)
            .bind(&c.root)
            .bind(c.timestamp as i64)
            .bind(c.previous_size.map(|s| s as i64))
            .bind(&c.submitter)
            .bind(c.height as i64)
            .execute(conn)
            .await?;
            Ok(())
        }
    }
}
