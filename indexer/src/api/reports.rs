//! `GET /reports/compliance`: the periodic report per framework, as JSON,
//! CSV or an HTML page.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Duration, Utc};
use utoipa::IntoParams;

use super::domain::problem;
use super::params::{FromParams, Params, Query};
use super::problem::{ApiError, Problem};
use super::AppState;
use crate::audit::record::FRAMEWORKS;
use crate::reports::{self, ComplianceReport};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Html,
}

/// Parameters of the report.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// GDPR, CCPA, SOX, AML, KYC, MiCA, BSA, FinCEN or MiFID II; all when absent.
    pub framework: Option<String>,
    /// Start of the period (RFC 3339; default 30 days before `to`).
    #[param(value_type = Option<String>)]
    pub from: Option<DateTime<Utc>>,
    /// End of the period, exclusive (RFC 3339; default now).
    #[param(value_type = Option<String>)]
    pub to: Option<DateTime<Utc>>,
    /// json (default), csv or html.
    #[param(value_type = Option<String>)]
    pub format: Format,
}

fn time(p: &Params, name: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
    p.raw(name)
        .map(|v| {
            DateTime::parse_from_rfc3339(v)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| ApiError::bad(name, format!("{v:?} is not an RFC 3339 time")))
        })
        .transpose()
}

impl FromParams for ReportQuery {
    fn from_params(p: &Params) -> Result<Self, ApiError> {
        let framework = p.text("framework", 16)?;
        if let Some(f) = &framework {
            if !FRAMEWORKS.contains(&f.as_str()) {
                return Err(ApiError::bad("framework", format!("one of {}", FRAMEWORKS.join(", "))));
            }
        }
        Ok(Self {
            framework,
            from: time(p, "from")?,
            to: time(p, "to")?,
            format: p
                .one_of(
                    "format",
                    &[("json", Format::Json), ("csv", Format::Csv), ("html", Format::Html)],
                )?
                .unwrap_or(Format::Json),
        })
    }
}

#[utoipa::path(get, path = "/reports/compliance", tag = "reports", params(ReportQuery),
    responses(
        (status = 200, description = "The report (JSON; or CSV, or HTML with `format`)", body = ComplianceReport),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn compliance(State(s): State<AppState>, Query(q): Query<ReportQuery>) -> Result<Response, ApiError> {
    let to = q.to.unwrap_or_else(Utc::now);
    let from = q.from.unwrap_or(to - Duration::days(30));
    if from >= to {
        return Err(ApiError::bad("from", "must be before `to`"));
    }
    let report = reports::build(&s.pool, q.framework.as_deref(), from, to)
        .await
        .map_err(problem)?;
    Ok(match q.format {
        Format::Json => Json(report).into_response(),
        Format::Csv => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"fog-compliance-report.csv\"",
                ),
            ],
            reports::to_csv(&report),
        )
            .into_response(),
        Format::Html => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'none'; style-src 'unsafe-inline'",
                ),
            ],
            reports::to_html(&report),
        )
            .into_response(),
    })
}
