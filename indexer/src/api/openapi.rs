//! The OpenAPI document, generated from the handlers' `#[utoipa::path]`
//! annotations and the response types' schemas.

use std::sync::OnceLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;

use super::params::{NoParams, Query};
use super::problem::Problem;
use super::{
    accounts, alerts, anchors, audit, cases, distribution, health, kyc, lineage, metrics, proposals, releases, reports,
    rules, staff, votes,
};

#[derive(OpenApi)]
#[openapi(
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    info(
        title = "fog indexer API",
        description = "API over the chain mirrored into PostgreSQL, the audit log and model lineage, for compliance staff. \
            Amounts and powers are decimal strings; errors are application/problem+json (RFC 9457)."
    ),
    paths(
        proposals::list,
        proposals::get_one,
        votes::list,
        accounts::get_one,
        distribution::get,
        releases::list,
        releases::get_one,
        anchors::list,
        audit::latest,
        audit::entry,
        audit::inclusion,
        audit::consistency,
        lineage::register,
        lineage::get_one,
        lineage::of_model,
        alerts::list,
        alerts::get_one,
        rules::list,
        rules::get_one,
        rules::test_run,
        rules::reload,
        rules::approve,
        rules::activate,
        cases::list,
        cases::create,
        cases::get_one,
        cases::update,
        cases::add_note,
        cases::add_alerts,
        cases::export_one,
        cases::propose,
        cases::list_actions,
        cases::confirm,
        cases::reject,
        kyc::list,
        kyc::create,
        kyc::get_one,
        kyc::erase,
        kyc::retention,
        reports::compliance,
        staff::list,
        staff::issue,
        staff::revoke,
        health::healthz,
        metrics::render,
        serve,
    ),
    tags(
        (name = "governance", description = "Proposals, ballots and the distribution of voting power"),
        (name = "accounts", description = "Voting power, locks and participation of an address"),
        (name = "releases", description = "The release gate's requests and approvals"),
        (name = "audit", description = "The append-only audit log: signed checkpoints, records, proofs"),
        (name = "lineage", description = "Model lineage records (in-toto / SLSA provenance)"),
        (name = "alerts", description = "What the compliance rules flagged"),
        (name = "rules", description = "Compliance rules: versions, test runs, four-eyes activation"),
        (name = "cases", description = "Investigations: cases, notes, and remediation actions confirmed by a second officer"),
        (name = "kyc", description = "KYC subjects: personal data sealed per subject, erasure, retention"),
        (name = "reports", description = "Periodic compliance reports per framework"),
        (name = "staff", description = "Staff bearer tokens (admins)"),
        (name = "operations", description = "Health, metrics and this document"),
    )
)]
struct ApiDoc;

/// Every route but `/healthz` takes a staff token: `Authorization: Bearer fog_...`.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        doc.components.get_or_insert_with(Default::default).add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The document served at `/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "operations",
    responses(
        (status = 200, description = "This document (OpenAPI 3.1)", content_type = "application/json"),
        (status = 400, description = "A query parameter was given", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn serve(_: Query<NoParams>) -> Response {
    static DOC: OnceLock<String> = OnceLock::new();
    let body = DOC.get_or_init(|| openapi().to_json().unwrap_or_else(|_| "{}".to_string()));
    ([(header::CONTENT_TYPE, "application/json")], body.as_str()).into_response()
}
