//! Model lineage: register an in-toto statement (it becomes an audit-log
//! record), look one up by its hash, list a model's records.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::body::JsonBody;
use super::params::{sha256, NoParams, PathParam, Query};
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

/// A model's lineage records, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModelLineage {
    pub model_sha256: String,
    pub records: Vec<Registered>,
}

#[utoipa::path(get, path = "/lineage/models/{sha256}", tag = "lineage",
    params(("sha256" = String, Path, description = "SHA-256 of the model file (hex)")),
    responses(
        (status = 200, description = "Its records (possibly none)", body = ModelLineage),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn of_model(
    State(s): State<AppState>,
    PathParam(hash): PathParam,
    Query(_no_params): Query<NoParams>,
) -> Result<Json<ModelLineage>, ApiError> {
    let hash = sha256("sha256", &hash)?;
    let records = lineage::of_model(&s.pool, &hash).await?;
    Ok(Json(ModelLineage {
        model_sha256: hash,
        records,
    }))
}
