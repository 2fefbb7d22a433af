//! `GET /healthz`: the database answers, and how far the index trails the
//! wall clock.

use std::time::Duration;

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use super::head;
use super::params::{NoParams, Query};
use super::problem::{ApiError, Problem};
use super::AppState;

/// How long the database may take to answer a health check.
pub const TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` (failures are 503 problems).
    #[schema(example = "ok")]
    pub status: String,
    /// Latest indexed height; absent before the first block.
    pub height: Option<u64>,
    /// Seconds between now and that block's time.
    pub lag_seconds: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    responses(
        (status = 200, description = "The database answers", body = Health),
        (status = 400, description = "A query parameter was given", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The database does not answer", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn healthz(State(state): State<AppState>, _: Query<NoParams>) -> Result<Json<Health>, ApiError> {
    let unavailable = |why: &str| {
        tracing::warn!(why, "health check failed");
        ApiError::Unavailable("the database does not answer".to_string())
    };
    let latest = match tokio::time::timeout(TIMEOUT, head::latest(&state.pool)).await {
        Err(_) => return Err(unavailable("timeout")),
        Ok(Err(e)) => return Err(unavailable(&e.to_string())),
        Ok(Ok(latest)) => latest,
    };
    let now = chrono::Utc::now().timestamp();
    Ok(Json(Health {
        status: "ok".to_string(),
        height: latest.map(|b| b.height),
        lag_seconds: latest.map(|b| now - b.time as i64),
    }))
}
