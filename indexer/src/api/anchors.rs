//! `GET /anchors`: the audit logs anchored on chain, each with its latest
//! checkpoint; with `?origin=`, that log's checkpoints, largest first.

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use sqlx::{PgPool, QueryBuilder, Row};
use utoipa::{IntoParams, ToSchema};

use super::pagination::{self, limit};
use super::params::{FromParams, Params, Query};
use super::problem::{ApiError, Problem};
use super::window::{window_of, BlockWindow};
use super::AppState;

/// A checkpoint (tree head) accepted by the audit-anchor contract.
#[derive(Debug, Serialize, ToSchema)]
pub struct Checkpoint {
    /// Tree size.
    pub size: u64,
    /// Merkle root (as the contract emitted it).
    pub root: String,
    /// Time the log signed it, Unix seconds.
    pub timestamp: u64,
    /// Size of the checkpoint it extends (consistency-checked on chain).
    pub previous_size: Option<u64>,
    pub submitter: String,
    /// Height it was anchored at.
    pub height: u64,
}

/// An anchored log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnchorLog {
    /// The log's origin line (C2SP checkpoint origin).
    pub origin: String,
    /// Who may anchor its checkpoints.
    pub submitters: Vec<String>,
    /// The Ed25519 key (hex) the anchor checks every checkpoint's signature
    /// with; `null` when it trusts the submitters for the roots.
    pub public_key: Option<String>,
    /// Height of the log's last change.
    pub height: u64,
    /// Its largest checkpoint, if any.
    pub latest: Option<Checkpoint>,
}

/// Logs, or with `origin` the one log and a page of its checkpoints.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnchorPage {
    /// By origin; just the requested one with `origin`.
    pub logs: Vec<AnchorLog>,
    /// With `origin`: its checkpoints by size, largest first.
    pub checkpoints: Option<Vec<Checkpoint>>,
    /// Next page of logs, or with `origin` of checkpoints; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Parameters of `GET /anchors`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnchorQuery {
    /// Page size, 1 to 100 (default 20).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 100)]
    pub limit: i64,
    /// `next_cursor` of the previous page (of logs, or with `origin` of
    /// its checkpoints).
    pub cursor: Option<String>,
    /// One log: answer it and its checkpoints.
    pub origin: Option<String>,
    /// With `origin`: lowest height a checkpoint was anchored at (inclusive).
    pub from_height: Option<u64>,
    /// With `origin`: highest height a checkpoint was anchored at (inclusive).
    pub to_height: Option<u64>,
    /// With `origin`: earliest block time of the anchoring, Unix seconds (inclusive).
    pub from_time: Option<u64>,
    /// With `origin`: latest block time of the anchoring, Unix seconds (inclusive).
    pub to_time: Option<u64>,
}

/// The listing of one log's checkpoints: a cursor of another log's is
/// refused, not read as a size of this one.
fn checkpoints_listing(origin: &str) -> String {
    format!("checkpoints@{origin}")
}

impl FromParams for AnchorQuery {
    fn from_params(p: &Params) -> Result<Self, ApiError> {
        let origin = p.text("origin", 512)?;
        // The cursor is checked against the listing it belongs to; a
        // checkpoints cursor carries a size.
        let cursor = match &origin {
            Some(origin) => pagination::decode_number(p, &checkpoints_listing(origin))?.map(|c| c.to_string()),
            None => pagination::decode(p, "logs")?,
        };
        let window = BlockWindow::parse(p)?;
        // Logs are not filtered by height: a window without a log would be
        // silently ignored, so it is refused.
        if let (None, Some(name)) = (&origin, window.first_given()) {
            return Err(ApiError::bad(name, "filters a log's checkpoints: give `origin` too"));
        }
        Ok(Self {
            limit: limit(p)?,
            cursor,
            origin,
            from_height: window.from_height,
            to_height: window.to_height,
            from_time: window.from_time,
            to_time: window.to_time,
        })
    }
}

fn u(v: i64) -> u64 {
    v.max(0) as u64
}

fn checkpoint(r: &sqlx::postgres::PgRow, at: usize) -> Checkpoint {
    Checkpoint {
        size: u(r.get(at)),
        root: r.get(at + 1),
        timestamp: u(r.get(at + 2)),
        previous_size: r.get::<Option<i64>, _>(at + 3).map(u),
        submitter: r.get(at + 4),
        height: u(r.get(at + 5)),
    }
}

async fn logs(
    pool: &PgPool,
    origin: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<AnchorLog>, ApiError> {
    let mut q = QueryBuilder::new(
        "SELECT l.origin, l.submitters, l.height, c.size, c.root, c.timestamp, c.previous_size, c.submitter, c.height, l.public_key
         FROM anchor_logs l
         LEFT JOIN LATERAL (SELECT * FROM anchor_checkpoints k WHERE k.origin = l.origin ORDER BY k.size DESC LIMIT 1) c
           ON true
         WHERE true",
    );
    if let Some(o) = origin {
        q.push(" AND l.origin = ").push_bind(o.to_string());
    }
    if let Some(a) = after {
        q.push(" AND l.origin > ").push_bind(a.to_string());
    }
    q.push(" ORDER BY l.origin LIMIT ").push_bind(limit);
    let rows = q.build().fetch_all(pool).await?;
    rows.iter()
        .map(|r| {
            Ok(AnchorLog {
                origin: r.get(0),
                submitters: serde_json::from_value(r.get(1)).map_err(|e| ApiError::Internal(e.into()))?,
                public_key: r.get(9),
                height: u(r.get(2)),
                latest: r.get::<Option<i64>, _>(3).is_some().then(|| checkpoint(r, 3)),
            })
        })
        .collect()
}

#[utoipa::path(
    get,
    path = "/anchors",
    tag = "audit",
    params(AnchorQuery),
    responses(
        (status = 200, description = "Anchored logs, or one log and its checkpoints", body = AnchorPage),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such log", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(State(state): State<AppState>, Query(q): Query<AnchorQuery>) -> Result<Json<AnchorPage>, ApiError> {
    let pool = &state.pool;
    let window = window_of!(q);
    let Some(origin) = q.origin else {
        let rows = logs(pool, None, q.cursor.as_deref(), q.limit + 1).await?;
        let (logs, next_cursor) = pagination::page(rows, q.limit, "logs", |l| l.origin.clone());
        return Ok(Json(AnchorPage {
            logs,
            checkpoints: None,
            next_cursor,
        }));
    };
    let log = logs(pool, Some(&origin), None, 1).await?;
    if log.is_empty() {
        return Err(ApiError::not_found(format!("no anchored log {origin:?}")));
    }
    let mut sql = QueryBuilder::new(
        "SELECT size, root, timestamp, previous_size, submitter, height FROM anchor_checkpoints WHERE origin = ",
    );
    sql.push_bind(origin.clone());
    if let Some(below) = q.cursor.and_then(|c| c.parse::<i64>().ok()) {
        sql.push(" AND size < ").push_bind(below);
    }
    window.push(&mut sql, "height");
    sql.push(" ORDER BY size DESC LIMIT ").push_bind(q.limit + 1);
    let rows = sql.build().fetch_all(pool).await?;
    let cps: Vec<Checkpoint> = rows.iter().map(|r| checkpoint(r, 0)).collect();
    let (cps, next_cursor) = pagination::page(cps, q.limit, &checkpoints_listing(&origin), |c| c.size.to_string());
    Ok(Json(AnchorPage {
        logs: log,
        checkpoints: Some(cps),
        next_cursor,
    }))
}
