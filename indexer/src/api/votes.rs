//! `GET /proposals/{id}/votes`: ballots by voter address, one keyset page on
//! the primary key `(proposal_id, voter)` at a time, so a page costs the
//! same with a million ballots stored as with ten.

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use sqlx::{Postgres, QueryBuilder, Row};
use utoipa::{IntoParams, ToSchema};

use super::pagination::{self, limit};
use super::params::{FromParams, Params, PathParam, Query};
use super::problem::{ApiError, Problem};
use super::proposals::proposal_id;
use super::window::{window_of, BlockWindow};
use super::AppState;

/// One ballot.
#[derive(Debug, Serialize, ToSchema)]
pub struct Vote {
    pub voter: String,
    /// Option indexes: one for yes/no, choice and quadratic votes (0 yes,
    /// 1 no, 2 abstain for yes/no), a ranking for ranked votes.
    pub choice: Vec<u8>,
    /// Power behind the ballot: own plus delegated, less overrides (decimal string).
    pub power: String,
    /// Weight it counts with, after the cap and the quadratic root (decimal string).
    pub weight: String,
    /// The voter's own power in it (decimal string).
    pub own: String,
    /// The delegate whose ballot this one overrode, if any.
    pub delegate: Option<String>,
    /// Height of the vote.
    pub height: u64,
    pub tx_hash: Option<String>,
}

/// A page of ballots by voter address.
#[derive(Debug, Serialize, ToSchema)]
pub struct VotePage {
    pub proposal_id: u64,
    pub votes: Vec<Vote>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Filters of `GET /proposals/{id}/votes`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VoteFilter {
    /// Page size, 1 to 100 (default 20).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 100)]
    pub limit: i64,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Ballots whose (first) choice is this option index.
    #[param(maximum = 255)]
    pub choice: Option<u8>,
    /// Ballots with at least this power (decimal integer).
    #[param(value_type = Option<String>, pattern = "^[0-9]+$")]
    pub min_power: Option<u128>,
    /// Lowest height of the ballot (inclusive).
    pub from_height: Option<u64>,
    /// Highest height of the ballot (inclusive).
    pub to_height: Option<u64>,
    /// Earliest block time of the ballot, Unix seconds (inclusive).
    pub from_time: Option<u64>,
    /// Latest block time of the ballot, Unix seconds (inclusive).
    pub to_time: Option<u64>,
}

impl FromParams for VoteFilter {
    fn from_params(p: &Params) -> Result<Self, ApiError> {
        let window = BlockWindow::parse(p)?;
        Ok(Self {
            limit: limit(p)?,
            // The decoded key: the proposal and the last voter of the
            // previous page, checked against the path's proposal below.
            cursor: pagination::decode(p, "votes")?,
            choice: p.bounded("choice", 0, 255)?.map(|c| c as u8),
            min_power: p.u128("min_power")?,
            from_height: window.from_height,
            to_height: window.to_height,
            from_time: window.from_time,
            to_time: window.to_time,
        })
    }
}

#[utoipa::path(
    get,
    path = "/proposals/{id}/votes",
    tag = "governance",
    params(("id" = u64, Path, description = "Proposal id"), VoteFilter),
    responses(
        (status = 200, description = "Ballots by voter address", body = VotePage),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such proposal", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    PathParam(id): PathParam,
    Query(f): Query<VoteFilter>,
) -> Result<Json<VotePage>, ApiError> {
    let limit = f.limit;
    let id = proposal_id(&id)?;
    let pool = &state.pool;
    let exists = sqlx::query("SELECT 1 FROM proposals WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?;
    if exists.is_none() {
        return Err(ApiError::not_found(format!("no proposal {id}")));
    }
    let rows = page_statement(false, id, &f)?.build().fetch_all(pool).await?;
    let votes = rows
        .into_iter()
        .map(|r| {
            Ok(Vote {
                voter: r.get(0),
                choice: serde_json::from_value(r.get(1))?,
                power: r.get(2),
                weight: r.get(3),
                own: r.get(4),
                delegate: r.get(5),
                height: r.get::<i64, _>(6).max(0) as u64,
                tx_hash: r.get(7),
            })
        })
        .collect::<Result<Vec<_>, serde_json::Error>>()
        .map_err(|e| ApiError::Internal(e.into()))?;
    let (votes, next_cursor) = pagination::page(votes, limit, "votes", |v| format!("{id}/{}", v.voter));
    Ok(Json(VotePage {
        proposal_id: id as u64,
        votes,
        next_cursor,
    }))
}

/// The statement of a page of proposal `id`'s ballots under `f`, or its
/// `EXPLAIN` (a test reads the plan of the very statement the handler runs).
pub fn page_statement(explain: bool, id: i64, f: &VoteFilter) -> Result<QueryBuilder<'static, Postgres>, ApiError> {
    let limit = f.limit;
    let mut q = QueryBuilder::new(format!(
        "{}SELECT voter, choice, power::text, weight::text, own::text, delegate, height, tx_hash FROM votes
         WHERE proposal_id = ",
        if explain { "EXPLAIN " } else { "" }
    ));
    q.push_bind(id);
    if let Some(key) = &f.cursor {
        let after = key
            .strip_prefix(&format!("{id}/"))
            .filter(|voter| !voter.is_empty())
            .ok_or_else(|| {
                ApiError::bad(
                    "cursor",
                    format!("not a cursor of proposal {id}'s votes; pass next_cursor from the previous page as is"),
                )
            })?;
        q.push(" AND voter > ").push_bind(after.to_string());
    }
    if let Some(c) = f.choice {
        q.push(" AND choice -> 0 = to_jsonb(")
            .push_bind(i32::from(c))
            .push("::int)");
    }
    if let Some(m) = f.min_power {
        q.push(" AND power >= ").push_bind(m.to_string()).push("::numeric");
    }
    window_of!(f).push(&mut q, "height");
    q.push(" ORDER BY voter LIMIT ").push_bind(limit + 1);
    Ok(q)
}
