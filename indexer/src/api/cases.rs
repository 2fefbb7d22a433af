//! Cases and remediation actions: the compliance officers' workflow. Every
//! change is a staff action in the audit log, made in the caller's name.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::body::JsonBody;
use super::domain::problem;
use super::pagination::{self, limit};
use super::params::{parse_u64, FromParams, NoParams, Params, PathParam, Query};
use super::problem::{ApiError, Problem};
use super::AppState;
use crate::access::Staff;
use crate::cases::actions::{self, Action, Proposal};
use crate::cases::export::{self, CaseExport};
use crate::cases::{self, Case, CaseFilter, CaseUpdate, NewCase, State as CaseState};

fn id_of(name: &str, raw: &str) -> Result<i64, ApiError> {
    let n = parse_u64(name, raw)?;
    i64::try_from(n).map_err(|_| ApiError::bad(name, "too large"))
}

/// Filters of `GET /cases`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// open, investigating or closed.
    #[param(value_type = Option<String>)]
    pub state: Option<CaseState>,
    /// Cases assigned to this staff member.
    pub assignee: Option<String>,
    /// Only cases past (true) or not past (false) their due date.
    pub overdue: Option<bool>,
    /// Page size, 1 to 100 (default 20).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 100)]
    pub limit: i64,
    /// `next_cursor` of the previous page.
    #[param(value_type = Option<String>)]
    pub cursor: Option<i64>,
}

impl FromParams for CaseQuery {
    fn from_params(p: &Params) -> Result<Self, ApiError> {
        Ok(Self {
            state: p.one_of(
                "state",
                &[
                    ("open", CaseState::Open),
                    ("investigating", CaseState::Investigating),
                    ("closed", CaseState::Closed),
                ],
            )?,
            assignee: p.text("assignee", 64)?,
            overdue: p.one_of("overdue", &[("true", true), ("false", false)])?,
            limit: limit(p)?,
            cursor: pagination::decode_number(p, "cases")?,
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CasePage {
    pub cases: Vec<Case>,
    pub next_cursor: Option<String>,
}

#[utoipa::path(get, path = "/cases", tag = "cases", params(CaseQuery),
    responses(
        (status = 200, description = "Cases, newest first", body = CasePage),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(State(s): State<AppState>, Query(q): Query<CaseQuery>) -> Result<Json<CasePage>, ApiError> {
    let rows = cases::list(
        &s.pool,
        &CaseFilter {
            state: q.state,
            assignee: q.assignee,
            overdue: q.overdue,
            after_id: q.cursor,
            limit: q.limit + 1,
        },
    )
    .await
    .map_err(problem)?;
    let (cases, next_cursor) = pagination::page(rows, q.limit, "cases", |c| c.id.to_string());
    Ok(Json(CasePage { cases, next_cursor }))
}

#[utoipa::path(post, path = "/cases", tag = "cases", request_body = NewCase,
    responses(
        (status = 201, description = "Opened", body = Case),
        (status = 400, description = "A bad body, or an unknown alert", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "An alert is already in another case", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(
    State(s): State<AppState>,
    Staff(caller): Staff,
    Query(_no_params): Query<NoParams>,
    JsonBody(new): JsonBody<NewCase>,
) -> Result<(StatusCode, Json<Case>), ApiError> {
    let case = cases::create(&s.pool, &new, &caller.name).await.map_err(problem)?;
    Ok((StatusCode::CREATED, Json(case)))
}

#[utoipa::path(get, path = "/cases/{id}", tag = "cases",
    params(("id" = u64, Path, description = "Case id")),
    responses(
        (status = 200, description = "The case with its alerts and notes", body = Case),
        (status = 400, description = "A bad id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_one(
    State(s): State<AppState>,
    PathParam(id): PathParam,
    Query(_no_params): Query<NoParams>,
) -> Result<Json<Case>, ApiError> {
    let id = id_of("id", &id)?;
    Ok(Json(cases::get(&s.pool, id).await.map_err(problem)?))
}

#[utoipa::path(patch, path = "/cases/{id}", tag = "cases", request_body = CaseUpdate,
    params(("id" = u64, Path, description = "Case id")),
    responses(
        (status = 200, description = "Changed", body = Case),
        (status = 400, description = "A bad body", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A transition the case's state does not allow", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update(
    State(s): State<AppState>,
    Staff(caller): Staff,
    PathParam(id): PathParam,
    Query(_no_params): Query<NoParams>,
    JsonBody(change): JsonBody<CaseUpdate>,
) -> Result<Json<Case>, ApiError> {
    let id = id_of("id", &id)?;
    Ok(Json(
        cases::update(&s.pool, id, &change, &caller.name)
            .await
            .map_err(problem)?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewNote {
    pub body: String,
}

#[utoipa::path(post, path = "/cases/{id}/notes", tag = "cases", request_body = NewNote,
    params(("id" = u64, Path, description = "Case id")),
    responses(
        (status = 201, description = "Added", body = Case),
        (status = 400, description = "A bad body", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case is closed", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn add_note(
    State(s): State<AppState>,
    Staff(caller): Staff,
    PathParam(id): PathParam,
    Query(_no_params): Query<NoParams>,
    JsonBody(note): JsonBody<NewNote>,
) -> Result<(StatusCode, Json<Case>), ApiError> {
    let id = id_of("id", &id)?;
    let case = cases::add_note(&s.pool, id, &note.body, &caller.name)
        .await
        .map_err(problem)?;
    Ok((StatusCode::CREATED, Json(case)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertIds {
    pub alert_ids: Vec<i64>,
}

#[utoipa::path(post, path = "/cases/{id}/alerts", tag = "cases", request_body = AlertIds,
    params(("id" = u64, Path, description = "Case id")),
    responses(
        (status = 200, description = "Added", body = Case),
        (status = 400, description = "A bad body, or an unknown alert", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Closed, or an alert is in another case", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn add_alerts(
    State(s): State<AppState>,
    Staff(caller): Staff,
    PathParam(id): PathParam,
    Query(_no_params): Query<NoParams>,
    JsonBody(body): JsonBody<AlertIds>,
) -> Result<Json<Case>, ApiError> {
    let id = id_of("id", &id)?;
    if body.alert_ids.is_empty() || body.alert_ids.len() > 1000 {
        return Err(ApiError::BadBody("alert_ids must list 1 to 1,000 alerts".into()));
    }
    Ok(Json(
        cases::add_alerts(&s.pool, id, &body.alert_ids, &caller.name)
            .await
            .map_err(problem)?,
    ))
}

#[utoipa::path(get, path = "/cases/{id}/export", tag = "cases",
    params(("id" = u64, Path, description = "Case id")),
    responses(
        (status = 200, description = "The case, its evidence, and its audit records with inclusion proofs", body = CaseExport),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn export_one(
    State(s): State<AppState>,
    Staff(caller): Staff,
    PathParam(id): PathParam,
    Query(_no_params): Query<NoParams>,
) -> Result<Json<CaseExport>, ApiError> {
    let id = id_of("id", &id)?;
    Ok(Json(export::export(&s.pool, id, &caller.name).await.map_err(problem)?))
}

#[utoipa::path(post, path = "/cases/{id}/actions", tag = "cases", request_body = Proposal,
    params(("id" = u64, Path, description = "Case id")),
    responses(
        (status = 201, description = "Proposed: an officer who did not propose it must confirm it", body = Action),
        (status = 400, description = "A bad body", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The same action is already open", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn propose(
    State(s): State<AppState>,
    Staff(caller): Staff,
    PathParam(id): PathParam,
    Query(_no_params): Query<NoParams>,
    JsonBody(p): JsonBody<Proposal>,
) -> Result<(StatusCode, Json<Action>), ApiError> {
    let id = id_of("id", &id)?;
    let action = actions::propose(&s.pool, Some(id), &p, &caller.name)
        .await
        .map_err(problem)?;
    Ok((StatusCode::CREATED, Json(action)))
}

/// Filters of `GET /actions`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActionQuery {
    /// proposed, confirmed, rejected, submitted, done or failed.
    pub status: Option<String>,
    #[param(value_type = Option<u64>, minimum = 1, maximum = 100)]
    pub limit: i64,
    #[param(value_type = Option<String>)]
    pub cursor: Option<i64>,
}

impl FromParams for ActionQuery {
    fn from_params(p: &Params) -> Result<Self, ApiError> {
        let statuses = ["proposed", "confirmed", "rejected", "submitted", "done", "failed"];
        let pairs: Vec<(&str, &str)> = statuses.iter().map(|s| (*s, *s)).collect();
        Ok(Self {
            status: p.one_of("status", &pairs)?.map(str::to_string),
            limit: limit(p)?,
            cursor: pagination::decode_number(p, "actions")?,
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActionPage {
    pub actions: Vec<Action>,
    pub next_cursor: Option<String>,
}

#[utoipa::path(get, path = "/actions", tag = "cases", params(ActionQuery),
    responses(
        (status = 200, description = "Remediation actions, newest first", body = ActionPage),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_actions(
    State(s): State<AppState>,
    Query(q): Query<ActionQuery>,
) -> Result<Json<ActionPage>, ApiError> {
    let rows = actions::list(&s.pool, q.status.as_deref(), q.cursor, q.limit + 1)
        .await
        .map_err(problem)?;
    let (actions, next_cursor) = pagination::page(rows, q.limit, "actions", |a| a.id.to_string());
    Ok(Json(ActionPage { actions, next_cursor }))
}

#[utoipa::path(post, path = "/actions/{id}/confirmation", tag = "cases",
    params(("id" = u64, Path, description = "Action id")),
    responses(
        (status = 200, description = "Confirmed: the relayer submits it on-chain", body = Action),
        (status = 404, description = "No such action", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not proposed, or the caller proposed it (four eyes)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn confirm(
    State(s): State<AppState>,
    Staff(caller): Staff,
    PathParam(id): PathParam,
    Query(_no_params): Query<NoParams>,
) -> Result<Json<Action>, ApiError> {
    let id = id_of("id", &id)?;
    Ok(Json(
        actions::confirm(&s.pool, id, &caller.name).await.map_err(problem)?,
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rejection {
    pub note: Option<String>,
}

#[utoipa::path(post, path = "/actions/{id}/rejection", tag = "cases", request_body = Rejection,
    params(("id" = u64, Path, description = "Action id")),
    responses(
        (status = 200, description = "Rejected", body = Action),
        (status = 404, description = "No such action", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not proposed", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn reject(
    State(s): State<AppState>,
    Staff(caller): Staff,
    PathParam(id): PathParam,
    Query(_no_params): Query<NoParams>,
    JsonBody(r): JsonBody<Rejection>,
) -> Result<Json<Action>, ApiError> {
    let id = id_of("id", &id)?;
    Ok(Json(
        actions::reject(&s.pool, id, &caller.name, r.note.as_deref())
            .await
            .map_err(problem)?,
    ))
}
