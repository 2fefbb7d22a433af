//! `GET /metrics` and the middleware that counts and times every request
//! by route template (not by raw path, which would grow without bound).

use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::params::{NoParams, Query};
use super::problem::{ApiError, Problem};
use super::AppState;

pub const REQUESTS: &str = "http_requests_total";
pub const DURATION: &str = "http_request_duration_seconds";
/// Longest a request may run before it is answered with a 503.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

pub fn describe() {
    metrics::describe_counter!(
        REQUESTS,
        "HTTP requests answered by the API, by route template and status"
    );
    metrics::describe_histogram!(
        DURATION,
        metrics::Unit::Seconds,
        "Time to answer an API request, by route template"
    );
}

/// Counts, times and bounds every request.
pub async fn track(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let start = Instant::now();
    let response = match tokio::time::timeout(REQUEST_TIMEOUT, next.run(req)).await {
        Ok(r) => r,
        Err(_) => {
            tracing::warn!(route, "request timed out");
            ApiError::Unavailable(format!("the request took longer than {} s", REQUEST_TIMEOUT.as_secs()))
                .into_response()
        }
    };
    let status = response.status().as_u16().to_string();
    metrics::counter!(REQUESTS, "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!(DURATION, "route" => route).record(start.elapsed().as_secs_f64());
    response
}

#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    responses(
        (status = 200, description = "Prometheus text exposition (empty without a recorder)", body = String, content_type = "text/plain"),
        (status = 400, description = "A query parameter was given", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn render(State(state): State<AppState>, _: Query<NoParams>) -> Response {
    let body = state.metrics.as_ref().map(|h| h.render()).unwrap_or_default();
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        body,
    )
        .into_response()
}
