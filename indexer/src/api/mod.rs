//! The read API compliance staff use: axum over the projections, JSON,
//! keyset cursors, errors as `application/problem+json`, an OpenAPI document
//! generated from the handlers, Prometheus metrics.
//!
//! One module per resource (`proposals`, `votes`, `accounts`,
//! `distribution`, `releases`, `anchors`, `health`); the shared pieces are
//! `params` (query and path parsing), `pagination`, `problem` and `head`
//! (the indexed head a height is checked against).

mod accounts;
mod alerts;
mod anchors;
mod audit;
mod body;
mod cases;
mod distribution;
mod domain;
mod head;
mod health;
mod kyc;
mod lineage;
mod metrics;
mod openapi;
pub(crate) mod outcome;
mod pagination;
mod params;
mod participation;
mod problem;
mod proposals;
mod releases;
mod reports;
mod rules;
mod staff;
pub(crate) mod vocab;
mod votes;
mod window;

use axum::routing::{delete, get, post};
use axum::Router;
use tower_http::trace::TraceLayer;

pub use openapi::openapi;
pub use problem::{ApiError, Problem};
pub use votes::{page_statement as votes_page_statement, VoteFilter};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub pool: sqlx::PgPool,
    /// Renders `/metrics`; `None` serves an empty body.
    pub metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
    /// Per-token rate limits.
    pub limiter: crate::access::Limiter,
    /// Tokens accepted in the last few seconds.
    pub tokens: crate::access::TokenCache,
    /// Origins allowed to call from a browser; none (CORS closed) by default.
    pub cors_origins: Vec<axum::http::HeaderValue>,
    /// Where `POST /rules/reload` reads rule files from.
    pub rules_dir: Option<std::path::PathBuf>,
    /// Seals and opens KYC records; `None`: the KYC routes answer 503.
    pub vault: Option<std::sync::Arc<crate::kyc::Vault>>,
}

impl AppState {
    /// Default limits, no metrics, CORS closed.
    pub fn new(pool: sqlx::PgPool) -> Self {
        Self {
            pool,
            metrics: None,
            limiter: crate::access::Limiter::new(crate::access::RateLimit::default()),
            tokens: crate::access::TokenCache::default(),
            cors_origins: Vec::new(),
            rules_dir: None,
            vault: None,
        }
    }
}

/// Only built when origins are configured (see [`router`]); without it no
/// CORS headers are sent, so browsers refuse cross-origin calls, and an
/// OPTIONS request is not answered by the CORS layer (which answers every
/// OPTIONS as a preflight) but refused 405 like any method outside the
/// policy.
fn cors(origins: &[axum::http::HeaderValue]) -> tower_http::cors::CorsLayer {
    use axum::http::{header, Method};
    tower_http::cors::CorsLayer::new()
        .allow_origin(origins.to_vec())
        .allow_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
}

/// Every route of the API; every one, unknown routes included, needs a
/// staff token (the issue's rule: a health probe carries one too).
pub fn router(state: AppState) -> Router {
    metrics::describe();
    let app: Router<AppState> = Router::new()
        .route("/proposals", get(proposals::list))
        .route("/proposals/{id}", get(proposals::get_one))
        .route("/proposals/{id}/votes", get(votes::list))
        .route("/accounts/{address}", get(accounts::get_one))
        .route("/governance/power-distribution", get(distribution::get))
        .route("/releases", get(releases::list))
        .route("/releases/{sha256}", get(releases::get_one))
        .route("/anchors", get(anchors::list))
        .route("/audit/checkpoint", get(audit::latest))
        .route("/audit/entries/{seq}", get(audit::entry))
        .route("/audit/proof/inclusion", get(audit::inclusion))
        .route("/audit/proof/consistency", get(audit::consistency))
        .route("/lineage/records", post(lineage::register))
        .route("/lineage/records/{record_hash}", get(lineage::get_one))
        .route("/lineage/models/{sha256}", get(lineage::of_model))
        .route("/alerts", get(alerts::list))
        .route("/alerts/{id}", get(alerts::get_one))
        .route("/rules", get(rules::list))
        .route("/rules/test-run", post(rules::test_run))
        .route("/rules/reload", post(rules::reload))
        .route("/rules/{id}", get(rules::get_one))
        .route("/rules/{id}/versions/{version}/approval", post(rules::approve))
        .route("/rules/{id}/versions/{version}/activation", post(rules::activate))
        .route("/cases", get(cases::list).post(cases::create))
        .route("/cases/{id}", get(cases::get_one).patch(cases::update))
        .route("/cases/{id}/notes", post(cases::add_note))
        .route("/cases/{id}/alerts", post(cases::add_alerts))
        .route("/cases/{id}/export", get(cases::export_one))
        .route("/cases/{id}/actions", post(cases::propose))
        .route("/actions", get(cases::list_actions))
        .route("/actions/{id}/confirmation", post(cases::confirm))
        .route("/actions/{id}/rejection", post(cases::reject))
        .route("/kyc/subjects", get(kyc::list).post(kyc::create))
        .route("/kyc/subjects/{id}", get(kyc::get_one))
        .route("/kyc/subjects/{id}/erasure", post(kyc::erase))
        .route("/kyc/retention", post(kyc::retention))
        .route("/reports/compliance", get(reports::compliance))
        .route("/staff/tokens", get(staff::list).post(staff::issue))
        .route("/staff/tokens/{id}", delete(staff::revoke))
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(metrics::render))
        .route("/openapi.json", get(openapi::serve))
        .fallback(problem::not_found)
        .method_not_allowed_fallback(problem::method_not_allowed)
        .route_layer(axum::middleware::from_fn(crate::access::guard::authorize))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::access::guard::authenticate,
        ))
        .layer(axum::middleware::from_fn(metrics::track));
    let app = if state.cors_origins.is_empty() {
        app
    } else {
        app.layer(cors(&state.cors_origins))
    };
    app.layer(TraceLayer::new_for_http()).with_state(state)
}
