//! Staff tokens, for admins: issue (the secret is shown once), list,
//! revoke. Each is an audit record in the admin's name.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::JsonBody;
use super::domain::problem;
use super::params::{parse_u64, NoParams, PathParam, Query};
use super::problem::{ApiError, Problem};
use super::AppState;
use crate::access::tokens::{self, Issued, TokenInfo};
use crate::access::{Role, Staff};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// The staff member: 1 to 64 characters of a-z, 0-9, '.', '_', '-'.
    pub name: String,
    pub role: Role,
    /// Days until it expires (1 to 366; default 90).
    pub days: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenList {
    pub tokens: Vec<TokenInfo>,
}

#[utoipa::path(get, path = "/staff/tokens", tag = "staff",
    responses((status = 200, description = "Every token, newest first (never the secret)", body = TokenList)))]
pub async fn list(State(s): State<AppState>, Query(_no_params): Query<NoParams>) -> Result<Json<TokenList>, ApiError> {
    Ok(Json(TokenList {
        tokens: tokens::list(&s.pool).await.map_err(problem)?,
    }))
}

#[utoipa::path(post, path = "/staff/tokens", tag = "staff", request_body = NewToken,
    responses(
        (status = 201, description = "Issued: the token is in this answer only", body = Issued),
        (status = 400, description = "A bad body", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn issue(
    State(s): State<AppState>,
    Staff(caller): Staff,
    Query(_no_params): Query<NoParams>,
    JsonBody(new): JsonBody<NewToken>,
) -> Result<(StatusCode, Json<Issued>), ApiError> {
    let issued = tokens::issue(&s.pool, &new.name, new.role, new.days.unwrap_or(90), &caller.name)
        .await
        .map_err(problem)?;
    Ok((StatusCode::CREATED, Json(issued)))
}

#[utoipa::path(delete, path = "/staff/tokens/{id}", tag = "staff",
    params(("id" = u64, Path, description = "Token id")),
    responses(
        (status = 200, description = "Revoked", body = TokenInfo),
        (status = 404, description = "No such token", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already revoked", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn revoke(
    State(s): State<AppState>,
    Staff(caller): Staff,
    PathParam(id): PathParam,
    Query(_no_params): Query<NoParams>,
) -> Result<Json<TokenInfo>, ApiError> {
    let id = parse_u64("id", &id)? as i64;
    let revoked = tokens::revoke(&s.pool, id, &caller.name).await.map_err(problem)?;
    s.tokens.evict(id);
    Ok(Json(revoked))
}
