//! The case export for regulators (suspicious-activity style): the case,
//! its alerts with their evidence, its remediation actions, and every audit
//! record of the case with its inclusion proof to the latest signed
//! checkpoint, so the receiver checks the records against the log (and the
//! log against the roots anchored on-chain) without trusting the sender.

use anyhow::Result;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Value};
use sqlx::{PgPool, Row};
use utoipa::ToSchema;

use super::actions::{self, Action};
use super::{staff_log, Case};
use crate::audit::{checkpoint, tree};

pub const FORMAT: &str = "fog-case-export/v1";

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportedRecord {
    pub seq: u64,
    /// The record as hashed (RFC 8785), parsed.
    #[schema(value_type = Object)]
    pub record: Value,
    pub leaf_hash: String,
    /// RFC 9162 inclusion proof to `checkpoint.size`; `null` for records
    /// newer than the checkpoint (export again after the next one).
    pub inclusion_proof: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExportedCheckpoint {
    pub size: u64,
    pub root: String,
    /// The C2SP signed note: verify it with the log's public key.
    pub note: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseExport {
    pub format: String,
    pub generated_at: DateTime<Utc>,
    pub generated_by: String,
    pub case: Case,
    #[schema(value_type = Vec<Object>)]
    pub alerts: Vec<Value>,
    pub actions: Vec<Action>,
    pub audit_records: Vec<ExportedRecord>,
    pub checkpoint: Option<ExportedCheckpoint>,
    pub how_to_verify: String,
}

/// Builds the export of case `id`; the export itself is logged.
pub async fn export(pool: &PgPool, id: i64, by: &str) -> Result<CaseExport> {
    let case = super::get(pool, id).await?;
    let mut tx = pool.begin().await?;
    let tags = super::case_tags(&mut tx, id).await?;
    staff_log::record(
        &mut tx,
        by,
        "case.exported",
        &format!("case/{id}"),
        json!({ "format": FORMAT }),
        tags,
        Some(id),
    )
    .await?;
    tx.commit().await?;

    let alerts: Vec<Value> = sqlx::query_scalar(
        "SELECT to_jsonb(a) FROM alerts a JOIN case_alerts c ON c.alert_id = a.id WHERE c.case_id = $1 ORDER BY a.id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let actions: Vec<Action> = actions::of_case(pool, id).await?;
    let latest = checkpoint::latest(pool).await?;
    let rows = sqlx::query(
        "SELECT r.seq, r.record, r.leaf_hash FROM audit_records r JOIN case_audit c ON c.audit_seq = r.seq \
         WHERE c.case_id = $1 ORDER BY r.seq",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    let mut conn = pool.acquire().await?;
    let mut audit_records = Vec::with_capacity(rows.len());
    for r in rows {
        let seq = r.get::<i64, _>(0) as u64;
        let bytes: Vec<u8> = r.get(1);
        let inclusion_proof = match &latest {
            Some(c) if seq < c.size => Some(
                tree::inclusion_proof(&mut conn, seq, c.size)
                    .await?
                    .iter()
                    .map(hex::encode)
                    .collect(),
            ),
            _ => None,
        };
        audit_records.push(ExportedRecord {
            seq,
            record: serde_json::from_slice(&bytes)?,
            leaf_hash: hex::encode(r.get::<Vec<u8>, _>(2)),
            inclusion_proof,
        });
    }
    Ok(CaseExport {
        format: FORMAT.into(),
        generated_at: Utc::now(),
        generated_by: by.to_string(),
        case,
        alerts,
        actions,
        audit_records,
        checkpoint: latest.map(|c| ExportedCheckpoint {
            size: c.size,
            root: c.root,
            note: c.note,
        }),
        how_to_verify: "Each record's leaf hash is SHA-256(0x00 || RFC 8785 canonical JSON of `record`). Verify \
            each inclusion proof (RFC 9162) against `checkpoint.root` at `checkpoint.size` (e.g. `fog-merkle \
            verify-inclusion`), the checkpoint's signature with the log's public key, and that root against the \
            roots anchored on-chain (`fog anchor checkpoints`)."
            .into(),
    })
}
