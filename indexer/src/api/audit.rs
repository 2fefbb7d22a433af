//! The audit log: its latest signed checkpoint, its records, and proofs any
//! RFC 6962 verifier (e.g. `fog-merkle`) checks.

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use sqlx::Row;
use utoipa::{IntoParams, ToSchema};

use super::params::{parse_u64, FromParams, NoParams, Params, PathParam, Query};
use super::problem::{ApiError, Problem};
use super::AppState;
use crate::audit::{checkpoint, log, tree};

/// The latest signed checkpoint (C2SP tlog-checkpoint, signed note).
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckpointView {
    pub size: u64,
    /// Root hash, hex.
    pub root: String,
    /// The signed note, verbatim.
    pub note: String,
    /// When the log signed it, in seconds since the Unix epoch (what the
    /// relayer anchors as the checkpoint's time).
    pub timestamp: u64,
}

#[utoipa::path(get, path = "/audit/checkpoint", tag = "audit",
    responses(
        (status = 200, description = "The latest signed checkpoint", body = CheckpointView),
        (status = 404, description = "Nothing published yet", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn latest(
    State(s): State<AppState>,
    Query(_no_params): Query<NoParams>,
) -> Result<Json<CheckpointView>, ApiError> {
    let c = checkpoint::latest(&s.pool)
        .await?
        .ok_or_else(|| ApiError::not_found("no checkpoint has been published yet"))?;
    Ok(Json(CheckpointView {
        size: c.size,
        root: c.root,
        note: c.note,
        timestamp: c.timestamp,
    }))
}

/// One record of the log.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryView {
    pub seq: u64,
    /// The record as hashed: RFC 8785 canonical JSON, parsed.
    #[schema(value_type = Object)]
    pub record: serde_json::Value,
    /// The exact hashed bytes, as text.
    pub canonical: String,
    /// SHA256(0x00 || canonical), hex.
    pub leaf_hash: String,
}

#[utoipa::path(get, path = "/audit/entries/{seq}", tag = "audit",
    params(("seq" = u64, Path, description = "Sequence number, from 0")),
    responses(
        (status = 200, description = "The record", body = EntryView),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such record", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn entry(
    State(s): State<AppState>,
    PathParam(seq): PathParam,
    Query(_no_params): Query<NoParams>,
) -> Result<Json<EntryView>, ApiError> {
    let seq = parse_u64("seq", &seq)?;
    let row = sqlx::query("SELECT record, leaf_hash FROM audit_records WHERE seq = $1")
        .bind(seq as i64)
        .fetch_optional(&s.pool)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("record {seq} does not exist")))?;
    let bytes: Vec<u8> = row.get(0);
    let canonical = String::from_utf8(bytes).map_err(|e| ApiError::Internal(e.into()))?;
    Ok(Json(EntryView {
        seq,
        record: serde_json::from_str(&canonical).map_err(|e| ApiError::Internal(e.into()))?,
        canonical,
        leaf_hash: hex::encode(row.get::<Vec<u8>, _>(1)),
    }))
}

/// Parameters of the inclusion proof.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InclusionQuery {
    /// The record's sequence number.
    pub seq: u64,
    /// Tree size the proof leads to (default: the log's size).
    pub size: Option<u64>,
}

impl FromParams for InclusionQuery {
    fn from_params(p: &Params) -> Result<Self, ApiError> {
        Ok(Self {
            seq: p.u64("seq")?.ok_or_else(|| ApiError::bad("seq", "required"))?,
            size: p.u64("size")?,
        })
    }
}

/// An RFC 9162 inclusion proof.
#[derive(Debug, Serialize, ToSchema)]
pub struct InclusionProof {
    pub seq: u64,
    pub size: u64,
    pub leaf_hash: String,
    /// Proof hashes, hex, in the RFC's order.
    pub proof: Vec<String>,
    /// The root of `size` records.
    pub root: String,
}

async fn checked_size(conn: &mut sqlx::PgConnection, name: &str, size: Option<u64>) -> Result<u64, ApiError> {
    let current = log::size(conn).await?;
    match size {
        None => Ok(current),
        Some(s) if s > current => Err(ApiError::bad(name, format!("the log has {current} records"))),
        Some(s) => Ok(s),
    }
}

#[utoipa::path(get, path = "/audit/proof/inclusion", tag = "audit", params(InclusionQuery),
    responses(
        (status = 200, description = "The proof", body = InclusionProof),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn inclusion(
    State(s): State<AppState>,
    Query(q): Query<InclusionQuery>,
) -> Result<Json<InclusionProof>, ApiError> {
    let mut conn = s.pool.acquire().await?;
    let size = checked_size(&mut conn, "size", q.size).await?;
    if q.seq >= size {
        return Err(ApiError::bad("seq", format!("must be below the tree size {size}")));
    }
    let (leaf, proof, root) = tree::inclusion_bundle(&mut conn, q.seq, size).await?;
    Ok(Json(InclusionProof {
        seq: q.seq,
        size,
        leaf_hash: hex::encode(leaf),
        proof: proof.iter().map(hex::encode).collect(),
        root: hex::encode(root),
    }))
}

/// Parameters of the consistency proof.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsistencyQuery {
    /// The older tree size (at least 1).
    pub from: u64,
    /// The newer tree size (default: the log's size).
    pub to: Option<u64>,
}

impl FromParams for ConsistencyQuery {
    fn from_params(p: &Params) -> Result<Self, ApiError> {
        Ok(Self {
            from: p.u64("from")?.ok_or_else(|| ApiError::bad("from", "required"))?,
            to: p.u64("to")?,
        })
    }
}

/// An RFC 9162 consistency proof.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsistencyProof {
    pub from: u64,
    pub to: u64,
    pub proof: Vec<String>,
    pub root_from: String,
    pub root_to: String,
}

#[utoipa::path(get, path = "/audit/proof/consistency", tag = "audit", params(ConsistencyQuery),
    responses(
        (status = 200, description = "The proof", body = ConsistencyProof),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn consistency(
    State(s): State<AppState>,
    Query(q): Query<ConsistencyQuery>,
) -> Result<Json<ConsistencyProof>, ApiError> {
    let mut conn = s.pool.acquire().await?;
    let to = checked_size(&mut conn, "to", q.to).await?;
    if q.from == 0 {
        return Err(ApiError::bad(
            "from",
            "a consistency proof from size 0 does not exist (RFC 9162)",
        ));
    }
    if q.from > to {
        return Err(ApiError::bad("from", format!("must not exceed to ({to})")));
    }
    let (proof, root_from, root_to) = tree::consistency_bundle(&mut conn, q.from, to).await?;
    Ok(Json(ConsistencyProof {
        from: q.from,
        to,
        proof: proof.iter().map(hex::encode).collect(),
        root_from: hex::encode(root_from),
        root_to: hex::encode(root_to),
    }))
}
