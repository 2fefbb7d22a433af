//! `GET /releases` and `GET /releases/{sha256}`: the release gate's requests
//! and whether an artifact is released.

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use sqlx::{QueryBuilder, Row};
use utoipa::{IntoParams, ToSchema};

use super::head;
use super::pagination::{self, limit};
use super::params::{sha256, FromParams, Params, PathParam, Query};
use super::problem::{ApiError, Problem};
use super::vocab::ReleaseStatus;
use super::window::{window_of, BlockWindow};
use super::AppState;

/// A release request (times in Unix nanoseconds, as the contract keeps them).
#[derive(Debug, Serialize, ToSchema)]
pub struct Release {
    pub id: u64,
    pub artifact_type: String,
    pub artifact_id: String,
    pub artifact_version: String,
    /// SHA-256 of the artifact (hex).
    pub sha256: String,
    /// Hash of its lineage record.
    pub lineage_hash: String,
    pub dataset_hashes: Vec<String>,
    pub requester: String,
    pub risk_notes: String,
    pub created_at_ns: u64,
    pub expires_at_ns: u64,
    pub min_approvals: u32,
    pub required_groups: Vec<String>,
    pub status: ReleaseStatus,
    /// True only when the status is approved.
    pub released: bool,
    pub approvals: u32,
    pub decided_at_ns: Option<u64>,
    pub created_height: u64,
    pub updated_height: u64,
}

/// An approval or rejection of a request.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReleaseVote {
    pub voter: String,
    pub approve: bool,
    /// Groups the voter signed for.
    pub groups: Vec<String>,
    pub comment: String,
    pub at_ns: u64,
    pub height: u64,
}

/// The latest request for an artifact, with its votes.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReleaseDetail {
    #[serde(flatten)]
    pub release: Release,
    /// In the order they were cast.
    pub votes: Vec<ReleaseVote>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReleasePage {
    pub releases: Vec<Release>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Filters of `GET /releases`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReleaseFilter {
    /// Page size, 1 to 100 (default 20).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 100)]
    pub limit: i64,
    /// `next_cursor` of the previous page.
    #[param(value_type = Option<String>)]
    pub cursor: Option<i64>,
    /// Request status.
    #[param(inline)]
    pub status: Option<ReleaseStatus>,
    /// Artifact type (as in the release policies, e.g. `model`).
    pub artifact_type: Option<String>,
    /// Lowest height the request was made at (inclusive).
    pub from_height: Option<u64>,
    /// Highest height the request was made at (inclusive).
    pub to_height: Option<u64>,
    /// Earliest block time of the request, Unix seconds (inclusive).
    pub from_time: Option<u64>,
    /// Latest block time of the request, Unix seconds (inclusive).
    pub to_time: Option<u64>,
}

/// Which of an artifact's requests `/releases/{sha256}` answers with.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReleaseOf {
    /// The type it must be released as (as in the release policies, e.g.
    /// `MODEL_DEPLOYMENT`). Without it: the request released as any type,
    /// else the artifact's latest request.
    pub artifact_type: Option<String>,
}

impl FromParams for ReleaseOf {
    fn from_params(p: &Params) -> Result<Self, ApiError> {
        Ok(Self {
            artifact_type: p.text("artifact_type", 128)?,
        })
    }
}

impl FromParams for ReleaseFilter {
    fn from_params(p: &Params) -> Result<Self, ApiError> {
        let window = BlockWindow::parse(p)?;
        Ok(Self {
            limit: limit(p)?,
            cursor: pagination::decode_number(p, "releases")?,
            status: p.one_of("status", ReleaseStatus::ALL)?,
            artifact_type: p.text("artifact_type", 128)?,
            from_height: window.from_height,
            to_height: window.to_height,
            from_time: window.from_time,
            to_time: window.to_time,
        })
    }
}

const SELECT: &str = "SELECT id, artifact_type, artifact_id, artifact_version, sha256, lineage_hash, dataset_hashes,
    requester, risk_notes, created_at_ns, expires_at_ns, min_approvals, required_groups, status, approvals,
    decided_at_ns, created_height, updated_height FROM release_requests";

fn u(v: i64) -> u64 {
    v.max(0) as u64
}

/// A row as the contract's query shows it at `now_ns`: a pending request
/// past its expiry is expired, whether or not anyone sent `Expire` (until
/// stop 20 the API showed it pending).
fn release(r: &sqlx::postgres::PgRow, now_ns: Option<i64>) -> Result<Release, ApiError> {
    let mut status = ReleaseStatus::stored(&r.get::<String, _>(13))?;
    if status == ReleaseStatus::Pending && now_ns.is_some_and(|now| now >= r.get::<i64, _>(10)) {
        status = ReleaseStatus::Expired;
    }
    let list = |i: usize| serde_json::from_value::<Vec<String>>(r.get(i)).map_err(|e| ApiError::Internal(e.into()));
    Ok(Release {
        id: u(r.get(0)),
        artifact_type: r.get(1),
        artifact_id: r.get(2),
        artifact_version: r.get(3),
        sha256: r.get(4),
        lineage_hash: r.get(5),
        dataset_hashes: list(6)?,
        requester: r.get(7),
        risk_notes: r.get(8),
        created_at_ns: u(r.get(9)),
        expires_at_ns: u(r.get(10)),
        min_approvals: r.get::<i32, _>(11).max(0) as u32,
        required_groups: list(12)?,
        released: status == ReleaseStatus::Approved,
        status,
        approvals: r.get::<i32, _>(14).max(0) as u32,
        decided_at_ns: r.get::<Option<i64>, _>(15).map(u),
        created_height: u(r.get(16)),
        updated_height: u(r.get(17)),
    })
}

#[utoipa::path(
    get,
    path = "/releases",
    tag = "releases",
    params(ReleaseFilter),
    responses(
        (status = 200, description = "Release requests, newest first", body = ReleasePage),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Query(f): Query<ReleaseFilter>,
) -> Result<Json<ReleasePage>, ApiError> {
    let limit = f.limit;
    let now_ns = head::latest_ns(&state.pool).await?;
    let mut q = QueryBuilder::new(SELECT);
    q.push(" WHERE true");
    match (f.status, now_ns) {
        (None, _) => {}
        (Some(ReleaseStatus::Pending), Some(now)) => {
            q.push(" AND status = 'pending' AND expires_at_ns > ").push_bind(now);
        }
        (Some(ReleaseStatus::Expired), Some(now)) => {
            q.push(" AND (status = 'expired' OR (status = 'pending' AND expires_at_ns <= ")
                .push_bind(now)
                .push("))");
        }
        (Some(s), _) => {
            q.push(" AND status = ").push_bind(s.as_str());
        }
    }
    if let Some(t) = &f.artifact_type {
        q.push(" AND artifact_type = ").push_bind(t.clone());
    }
    window_of!(f).push(&mut q, "created_height");
    if let Some(c) = f.cursor {
        q.push(" AND id < ").push_bind(c);
    }
    q.push(" ORDER BY id DESC LIMIT ").push_bind(limit + 1);
    let rows = q.build().fetch_all(&state.pool).await?;
    let releases = rows.iter().map(|r| release(r, now_ns)).collect::<Result<Vec<_>, _>>()?;
    let (releases, next_cursor) = pagination::page(releases, limit, "releases", |r| r.id.to_string());
    Ok(Json(ReleasePage { releases, next_cursor }))
}

#[utoipa::path(
    get,
    path = "/releases/{sha256}",
    tag = "releases",
    params(("sha256" = String, Path, description = "SHA-256 of the artifact, 64 hex characters"), ReleaseOf),
    responses(
        (status = 200, description = "The artifact's request that counts, with its votes", body = ReleaseDetail),
        (status = 400, description = "A malformed digest", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No request for it", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_one(
    State(state): State<AppState>,
    PathParam(raw): PathParam,
    Query(of): Query<ReleaseOf>,
) -> Result<Json<ReleaseDetail>, ApiError> {
    let digest = sha256("sha256", &raw)?;
    let pool = &state.pool;
    // As the release gate's `IsReleased` answers: one live request per
    // artifact and type. With a type, that type's latest request; without,
    // the first type's (in byte order) latest request that is approved,
    // else the artifact's latest request. (Until stop 21 the latest of any
    // type, which a later request of another type hid.)
    let row = match &of.artifact_type {
        Some(t) => {
            sqlx::query(&format!(
                "{SELECT} WHERE sha256 = $1 AND artifact_type = $2 ORDER BY id DESC LIMIT 1"
            ))
            .bind(&digest)
            .bind(t)
            .fetch_optional(pool)
            .await?
        }
        None => {
            sqlx::query(&format!(
                "WITH latest AS (SELECT DISTINCT ON (artifact_type) id FROM release_requests WHERE sha256 = $1 \
                 ORDER BY artifact_type, id DESC) \
                 {SELECT} WHERE id IN (SELECT id FROM latest) \
                 ORDER BY status = 'approved' DESC, CASE WHEN status = 'approved' THEN artifact_type END, id DESC \
                 LIMIT 1"
            ))
            .bind(&digest)
            .fetch_optional(pool)
            .await?
        }
    }
    .ok_or_else(|| match &of.artifact_type {
        Some(t) => ApiError::not_found(format!("no release request for {digest} as {t}")),
        None => ApiError::not_found(format!("no release request for {digest}")),
    })?;
    let release = release(&row, head::latest_ns(pool).await?)?;
    let votes = sqlx::query(
        "SELECT voter, approve, groups, comment, at_ns, height FROM release_votes WHERE request_id = $1
         ORDER BY height, seq NULLS LAST, voter",
    )
    .bind(release.id as i64)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| {
        Ok(ReleaseVote {
            voter: r.get(0),
            approve: r.get(1),
            groups: serde_json::from_value(r.get(2))?,
            comment: r.get(3),
            at_ns: u(r.get(4)),
            height: u(r.get(5)),
        })
    })
    .collect::<Result<Vec<_>, serde_json::Error>>()
    .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(Json(ReleaseDetail { release, votes }))
}
