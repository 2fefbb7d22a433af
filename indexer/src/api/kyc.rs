//! KYC subjects: create (sealed), list (no personal data), read (logged),
//! erase, and the retention run.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::body::JsonBody;
use super::pagination::{self, limit};
use super::params::{parse_u64, FromParams, NoParams, Params, PathParam, Query};
use super::problem::{ApiError, Problem};
use super::AppState;
use crate::access::Staff;
use crate::kyc::{self, KycError, NewSubject, Subject, SubjectRecord, Vault};

fn problem(e: anyhow::Error) -> ApiError {
    match e.downcast_ref::<KycError>() {
        Some(k @ KycError::NotFound(_)) => ApiError::NotFound(k.to_string()),
        Some(k @ KycError::Erased(_)) => ApiError::Gone(k.to_string()),
        Some(k @ KycError::Invalid(_)) => ApiError::BadBody(k.to_string()),
        Some(k @ KycError::CannotPurge(_)) => ApiError::Unavailable(k.to_string()),
        // A value PostgreSQL refused (400) or a conflict (409), as for the
        // other resources; anything else is internal.
        None => super::domain::problem(e),
    }
}

fn vault(s: &AppState) -> Result<&Vault, ApiError> {
    s.vault
        .as_deref()
        .ok_or_else(|| ApiError::Unavailable("the KYC vault has no master key configured".into()))
}

fn id_of(raw: &str) -> Result<i64, ApiError> {
    i64::try_from(parse_u64("id", raw)?).map_err(|_| ApiError::bad("id", "too large"))
}

#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubjectQuery {
    /// Page size, 1 to 100 (default 20).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 100)]
    pub limit: i64,
    /// `next_cursor` of the previous page.
    #[param(value_type = Option<String>)]
    pub cursor: Option<i64>,
}

impl FromParams for SubjectQuery {
    fn from_params(p: &Params) -> Result<Self, ApiError> {
        Ok(Self {
            limit: limit(p)?,
            cursor: pagination::decode_number(p, "kyc")?,
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectPage {
    pub subjects: Vec<Subject>,
    pub next_cursor: Option<String>,
}

#[utoipa::path(get, path = "/kyc/subjects", tag = "kyc", params(SubjectQuery),
    responses(
        (status = 200, description = "Subjects without their personal data, newest first", body = SubjectPage),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(State(s): State<AppState>, Query(q): Query<SubjectQuery>) -> Result<Json<SubjectPage>, ApiError> {
    let rows = kyc::list(&s.pool, q.cursor, q.limit + 1).await.map_err(problem)?;
    let (subjects, next_cursor) = pagination::page(rows, q.limit, "kyc", |r| r.id.to_string());
    Ok(Json(SubjectPage { subjects, next_cursor }))
}

#[utoipa::path(post, path = "/kyc/subjects", tag = "kyc", request_body = NewSubject,
    responses(
        (status = 201, description = "Sealed and stored; the commitment is what the registry receives", body = Subject),
        (status = 400, description = "A bad body", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(
    State(s): State<AppState>,
    Staff(caller): Staff,
    Query(_no_params): Query<NoParams>,
    JsonBody(new): JsonBody<NewSubject>,
) -> Result<(StatusCode, Json<Subject>), ApiError> {
    let subject = kyc::create(&s.pool, vault(&s)?, &new, &caller.name)
        .await
        .map_err(problem)?;
    Ok((StatusCode::CREATED, Json(subject)))
}

#[utoipa::path(get, path = "/kyc/subjects/{id}", tag = "kyc",
    params(("id" = u64, Path, description = "Subject id")),
    responses(
        (status = 200, description = "The subject with its decrypted data (the read is logged)", body = SubjectRecord),
        (status = 404, description = "No such subject", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "Erased", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_one(
    State(s): State<AppState>,
    Staff(caller): Staff,
    PathParam(id): PathParam,
    Query(_no_params): Query<NoParams>,
) -> Result<Json<SubjectRecord>, ApiError> {
    let id = id_of(&id)?;
    Ok(Json(
        kyc::read(&s.pool, vault(&s)?, id, &caller.name)
            .await
            .map_err(problem)?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Erasure {
    /// Why, e.g. "GDPR art. 17 request of 2026-11-20".
    pub reason: String,
}

#[utoipa::path(post, path = "/kyc/subjects/{id}/erasure", tag = "kyc", request_body = Erasure,
    params(("id" = u64, Path, description = "Subject id")),
    responses(
        (status = 200, description = "Erased: key and ciphertext destroyed", body = Subject),
        (status = 404, description = "No such subject", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "Already erased", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn erase(
    State(s): State<AppState>,
    Staff(caller): Staff,
    PathParam(id): PathParam,
    Query(_no_params): Query<NoParams>,
    JsonBody(body): JsonBody<Erasure>,
) -> Result<Json<Subject>, ApiError> {
    let id = id_of(&id)?;
    Ok(Json(
        kyc::erase(&s.pool, id, &body.reason, &caller.name)
            .await
            .map_err(problem)?,
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RetentionRun {
    /// Subjects erased because their retention period ended.
    pub erased: Vec<i64>,
}

#[utoipa::path(post, path = "/kyc/retention", tag = "kyc",
    responses((status = 200, description = "Every subject past its retention date erased; the run is logged", body = RetentionRun)))]
pub async fn retention(
    State(s): State<AppState>,
    Staff(caller): Staff,
    Query(_no_params): Query<NoParams>,
) -> Result<Json<RetentionRun>, ApiError> {
    Ok(Json(RetentionRun {
        erased: kyc::run_retention(&s.pool, &caller.name).await.map_err(problem)?,
    }))
}
