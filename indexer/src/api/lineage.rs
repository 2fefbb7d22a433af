//! Model lineage: register an in-toto statement (it becomes an audit-log
//! record), look one up by its hash, list a model's records.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::body::JsonBody;
use super::pagination;
use super::params::{sha256, FromParams, NoParams, Params, PathParam, Query};
use super::problem::{ApiError, Problem};
use super::AppState;
use crate::access::Staff;
use crate::lineage::{self, Registered};

#[utoipa::path(post, path = "/lineage/records", tag = "lineage",
    request_body(content = Object, description = "An in-toto Statement v1 with a SLSA provenance v1 predicate (`fog lineage run complete` writes one)"),
    responses(
        (status = 201, description = "Registered: stored and appended to the audit log", body = Registered),
        (status = 200, description = "Already registered (same record hash)", body = Registered),
        (status = 400, description = "Not a lineage statement", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn register(
    State(s): State<AppState>,
    Staff(caller): Staff,
    Query(_no_params): Query<NoParams>,
    JsonBody(statement): JsonBody<serde_json::Value>,
) -> Result<(StatusCode, Json<Registered>), ApiError> {
    lineage::check(&statement).map_err(|e| ApiError::BadBody(e.0))?;
    // The staff member whose token registered it: the audit record's actor
    // and the record's `registered_by`.
    let (record, new) = lineage::register(&s.pool, &statement, &caller.name)
        .await
        .map_err(super::domain::problem)?;
    let status = if new { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(record)))
}

#[utoipa::path(get, path = "/lineage/records/{record_hash}", tag = "lineage",
    params(("record_hash" = String, Path, description = "SHA-256 of the record's canonical JSON (hex)")),
    responses(
        (status = 200, description = "The record", body = Registered),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not registered", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_one(
    State(s): State<AppState>,
    PathParam(hash): PathParam,
    Query(_no_params): Query<NoParams>,
) -> Result<Json<Registered>, ApiError> {
    let hash = sha256("record_hash", &hash)?;
    lineage::get(&s.pool, &hash)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no lineage record {hash} is registered")))
}

/// A page of a model's lineage records, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModelLineage {
    pub model_sha256: String,
    pub records: Vec<Registered>,
    /// Pass as `cursor` for the next (older) page; absent on the last.
    pub next_cursor: Option<String>,
}

/// Parameters of `GET /lineage/models/{sha256}`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ModelLineageQuery {
    /// Page size, 1 to 100 (default 20).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 100)]
    pub limit: i64,
    /// `next_cursor` of the previous page.
    #[param(value_type = Option<String>)]
    pub cursor: Option<i64>,
}

impl FromParams for ModelLineageQuery {
    fn from_params(p: &Params) -> Result<Self, ApiError> {
        Ok(Self {
            limit: pagination::limit(p)?,
            cursor: pagination::decode_number(p, "lineage")?,
        })
    }
}

#[utoipa::path(get, path = "/lineage/models/{sha256}", tag = "lineage",
    params(("sha256" = String, Path, description = "SHA-256 of the model file (hex)"), ModelLineageQuery),
    responses(
        (status = 200, description = "A page of its records (possibly none), newest first", body = ModelLineage),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn of_model(
    State(s): State<AppState>,
    PathParam(hash): PathParam,
    Query(q): Query<ModelLineageQuery>,
) -> Result<Json<ModelLineage>, ApiError> {
    let hash = sha256("sha256", &hash)?;
    let rows = lineage::of_model(&s.pool, &hash, q.cursor, q.limit + 1).await?;
    let (records, next_cursor) = pagination::page(rows, q.limit, "lineage", |r| r.audit_seq.to_string());
    Ok(Json(ModelLineage {
        model_sha256: hash,
        records,
        next_cursor,
    }))
}
