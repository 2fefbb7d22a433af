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
    modifiers(&BearerAuth, &CommonProblems),
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

/// Every route takes a staff token: `Authorization: Bearer fog_...`.
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

/// The problems every operation may answer whatever its handler does: a
/// bad parameter (every route refuses unknown ones), the access guard's
/// 401, 403, 429 and 503 (it runs before every handler), and for a JSON
/// body, 413 and 415. Added where a handler's annotation does not already
/// say more (until stop 19 the document listed them on a few routes only).
struct CommonProblems;

impl utoipa::Modify for CommonProblems {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{Content, Ref, RefOr, ResponseBuilder};
        let problem = |description: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/problem+json",
                        Content::new(Some(Ref::from_schema_name("Problem"))),
                    )
                    .build(),
            )
        };
        for item in doc.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for op in operations.into_iter().flatten() {
                let with_body = op.request_body.is_some();
                let responses = &mut op.responses.responses;
                let mut add = |status: &str, description: &str| {
                    responses
                        .entry(status.to_string())
                        .or_insert_with(|| problem(description));
                };
                add("400", "A bad parameter (named in `parameter`) or request");
                add("401", "No staff token, or an unknown, expired or revoked one");
                add("403", "The token's role may not call this route");
                add("429", "Too many requests or failed logins (see `Retry-After`)");
                add(
                    "503",
                    "Credentials cannot be checked right now (the database is unreachable)",
                );
                add(
                    "500",
                    "The server failed (e.g. the database, after the credentials were checked); the problem says nothing of why",
                );
                if with_body {
                    add("413", "The body is too large");
                    add("415", "The body is not application/json");
                }
            }
        }
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
