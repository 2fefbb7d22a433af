//! Errors as RFC 9457 problem details (`application/problem+json`): a bad
//! parameter names itself, a database failure says nothing of its cause to
//! the caller (it is logged instead).

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub const CONTENT_TYPE: &str = "application/problem+json";

/// A problem detail (RFC 9457).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// URI naming the kind of problem.
    #[serde(rename = "type")]
    #[schema(example = "urn:fog:problem:invalid-parameter")]
    pub kind: String,
    /// Short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong in this request, and what to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The query or path parameter at fault, for invalid parameters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
}

/// Every way a request can fail.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("invalid parameter {parameter}: {detail}")]
    BadParameter { parameter: String, detail: String },
    #[error("invalid body: {0}")]
    BadBody(String),
    #[error("the body must be JSON (Content-Type: application/json)")]
    UnsupportedMediaType,
    #[error("the body is larger than {0} bytes")]
    TooLarge(usize),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("too many requests; retry in {0} s")]
    TooManyRequests(u64),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Gone(String),
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("{0}")]
    Unavailable(String),
    /// A value of the request PostgreSQL refused to store (see
    /// [`refused_value`]).
    #[error("{0}")]
    RefusedValue(String),
    #[error("database: {0}")]
    Database(sqlx::Error),
    #[error("internal: {0:#}")]
    Internal(#[from] anyhow::Error),
}

/// What PostgreSQL said when it refused a value of the request itself (a
/// data exception, SQLSTATE class 22: a NUL character in text, a time or a
/// number out of its column's range); `None` for any other failure.
pub fn refused_value(e: &sqlx::Error) -> Option<String> {
    let db = e.as_database_error()?;
    db.code()
        .filter(|code| code.starts_with("22"))
        .map(|_| format!("a value of the request cannot be stored: {}", db.message()))
}

/// What a unique index refused (SQLSTATE 23505, unique_violation): the
/// request raced another that stored the same thing first, a conflict with
/// the current state (409), not a failure of the indexer; `None` for any
/// other failure. The detail says what conflicted, by the index.
pub fn unique_conflict(e: &sqlx::Error) -> Option<String> {
    let db = e.as_database_error()?;
    if db.code().as_deref() != Some("23505") {
        return None;
    }
    let what = match db.constraint() {
        Some("case_alerts_alert_id_key" | "case_alerts_pkey") => {
            "an alert of the request was linked to a case by another request at the same time (an alert belongs to \
             one case)"
        }
        Some("chain_actions_open") => {
            "an action of the same kind for the same address was proposed by another request at the same time and \
             is open"
        }
        Some("rule_versions_active") => "another version of this rule was activated at the same time",
        Some("rule_versions_pkey") => "this rule version was loaded by another request at the same time",
        _ => "the request conflicts with a change another request made at the same time",
    };
    Some(format!("{what}; reload the current state and retry if still needed"))
}

/// A database failure the request caused, as its problem: a value the
/// database refused (400) or a unique conflict with another request (409);
/// `None` for a failure of the indexer's own.
pub fn request_error(e: &sqlx::Error) -> Option<ApiError> {
    if let Some(refused) = refused_value(e) {
        tracing::info!(error = %e, "the database refused a value of the request");
        return Some(ApiError::RefusedValue(refused));
    }
    if let Some(conflict) = unique_conflict(e) {
        tracing::info!(error = %e, "the request raced another one");
        return Some(ApiError::Conflict(conflict));
    }
    None
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        request_error(&e).unwrap_or(ApiError::Database(e))
    }
}

impl ApiError {
    pub fn bad(parameter: impl Into<String>, detail: impl Into<String>) -> Self {
        ApiError::BadParameter {
            parameter: parameter.into(),
            detail: detail.into(),
        }
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        ApiError::NotFound(detail.into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadParameter { .. } | ApiError::BadBody(_) | ApiError::RefusedValue(_) => StatusCode::BAD_REQUEST,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Gone(_) => StatusCode::GONE,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Database(_) | ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn problem(&self) -> Problem {
        let status = self.status();
        let (kind, title, detail, parameter) = match self {
            ApiError::BadParameter { parameter, detail } => (
                "invalid-parameter",
                "Invalid parameter",
                Some(detail.clone()),
                Some(parameter.clone()),
            ),
            ApiError::BadBody(d) => ("invalid-body", "Invalid request body", Some(d.clone()), None),
            ApiError::UnsupportedMediaType => (
                "unsupported-media-type",
                "Unsupported media type",
                Some(self.to_string()),
                None,
            ),
            ApiError::TooLarge(_) => ("too-large", "Request body too large", Some(self.to_string()), None),
            ApiError::Unauthorized(d) => ("unauthorized", "Unauthorized", Some(d.clone()), None),
            ApiError::Forbidden(d) => ("forbidden", "Forbidden", Some(d.clone()), None),
            ApiError::TooManyRequests(_) => ("rate-limited", "Too many requests", Some(self.to_string()), None),
            ApiError::Conflict(d) => ("conflict", "Conflict", Some(d.clone()), None),
            ApiError::NotFound(d) => ("not-found", "Not found", Some(d.clone()), None),
            ApiError::Gone(d) => ("gone", "Gone", Some(d.clone()), None),
            ApiError::MethodNotAllowed => (
                "method-not-allowed",
                "Method not allowed",
                Some("this route does not answer that method; see /openapi.json".to_string()),
                None,
            ),
            ApiError::Unavailable(d) => ("unavailable", "Service unavailable", Some(d.clone()), None),
            ApiError::RefusedValue(d) => ("invalid-input", "Invalid input", Some(d.clone()), None),
            ApiError::Database(_) | ApiError::Internal(_) => (
                "internal",
                "Internal error",
                Some("the request failed inside the indexer; it has been logged".to_string()),
                None,
            ),
        };
        Problem {
            kind: format!("urn:fog:problem:{kind}"),
            title: title.to_string(),
            status: status.as_u16(),
            detail,
            parameter,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Database(e) => tracing::error!(error = %e, "API request failed on the database"),
            ApiError::Internal(e) => tracing::error!(error = format!("{e:#}"), "API request failed"),
            _ => {}
        }
        let status = self.status();
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        let mut response = (status, [(header::CONTENT_TYPE, CONTENT_TYPE)], body).into_response();
        let headers = response.headers_mut();
        match &self {
            ApiError::Unauthorized(_) => {
                headers.insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
            }
            ApiError::TooManyRequests(seconds) => {
                if let Ok(v) = header::HeaderValue::from_str(&seconds.to_string()) {
                    headers.insert(header::RETRY_AFTER, v);
                }
            }
            _ => {}
        }
        response
    }
}

/// Unknown routes.
pub async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!("no route {}; see /openapi.json", uri.path()))
}

/// Known routes asked with a method they do not answer.
pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
