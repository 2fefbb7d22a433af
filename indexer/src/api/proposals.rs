//! `GET /proposals` and `GET /proposals/{id}`: proposals as the contract's
//! query shows them, an ended open proposal with its final outcome.

use anyhow::Context;
use axum::extract::State;
use axum::Json;
use serde::Serialize;
use sqlx::{PgPool, Postgres, QueryBuilder, Row};
use utoipa::{IntoParams, ToSchema};

use super::head;
use super::outcome::{
    acting_choice, ended_open, execution_window, final_outcome, needs_ballots, spend_period, Figures,
};
use super::pagination::{self, limit};
use super::params::{parse_u64, FromParams, NoParams, Params, PathParam, Query};
use super::problem::{ApiError, Problem};
use super::vocab::{ProposalKind, ProposalStatus, VotingMethod};
use super::AppState;

/// Counted weight of one option.
#[derive(Debug, Serialize, ToSchema)]
pub struct TallyEntry {
    /// Option index.
    pub option: u8,
    /// Option title.
    pub title: String,
    /// Counted weight (decimal string): the first preference for ranked votes.
    #[schema(example = "1000000")]
    pub weight: String,
}

/// A proposal (field names as the governance contract's `ProposalResponse`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Proposal {
    pub id: u64,
    pub title: String,
    pub description: String,
    pub proposer: String,
    pub kind: ProposalKind,
    pub method: VotingMethod,
    /// Option titles (yes/no/abstain for yes/no and quadratic votes).
    pub options: Vec<String>,
    /// The actions run if it passes, as the contract emitted them (null
    /// where an option has none).
    #[schema(value_type = Vec<Object>)]
    pub actions: serde_json::Value,
    /// An open proposal whose voting ended (at the latest indexed block)
    /// shows the outcome it will be closed with (see `derived`), and a passed
    /// one past `executable_until` shows `expired`, as the contract's query
    /// does.
    pub status: ProposalStatus,
    /// `status`, `winner` and `decided_at` were computed by the indexer from
    /// the ended vote: the chain has not closed the proposal yet.
    pub derived: bool,
    pub start_height: u64,
    /// Unix seconds.
    pub start_time: u64,
    /// Unix seconds.
    pub end_time: u64,
    /// When the outcome became final (Unix seconds).
    pub decided_at: Option<u64>,
    /// Executable from this time, if passed or expired (Unix seconds).
    pub executable_at: Option<u64>,
    /// Executable until this time, inclusive, if passed or expired (Unix
    /// seconds): the execution window after the timelock plus one spending
    /// period of the governance configuration now. A passed proposal past
    /// it reads `expired`.
    pub executable_until: Option<u64>,
    /// Power at the snapshot (decimal string).
    pub total_power: String,
    pub tally: Vec<TallyEntry>,
    /// Power that took part, uncapped (decimal string).
    pub turnout: String,
    pub voters: u32,
    pub quorum_bps: u16,
    pub threshold_bps: u16,
    pub quorum_reached: bool,
    /// The winning option, for choice and ranked methods once decided.
    pub winner: Option<u8>,
    /// Deposit (decimal string).
    pub deposit: String,
    /// Anti-whale cap on one ballot's weight (decimal string).
    pub cap: Option<String>,
    /// Seconds between passing and execution.
    pub timelock: u64,
    pub executed_height: Option<u64>,
    pub updated_height: u64,
}

/// A page of proposals, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalPage {
    pub proposals: Vec<Proposal>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Filters of `GET /proposals` (all optional, combined with AND).
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProposalFilter {
    /// Page size, 1 to 100 (default 20).
    #[param(value_type = Option<u64>, minimum = 1, maximum = 100)]
    pub limit: i64,
    /// `next_cursor` of the previous page.
    #[param(value_type = Option<String>)]
    pub cursor: Option<i64>,
    /// Status; an ended open proposal counts with its derived status, a
    /// passed one past its execution window as `expired`.
    #[param(inline)]
    pub status: Option<ProposalStatus>,
    /// Voting method.
    #[param(inline)]
    pub method: Option<VotingMethod>,
    /// Proposal kind.
    #[param(inline)]
    pub kind: Option<ProposalKind>,
    /// Proposer address (bech32).
    pub proposer: Option<String>,
    /// Lowest start height (inclusive).
    pub from_height: Option<u64>,
    /// Highest start height (inclusive).
    pub to_height: Option<u64>,
    /// Earliest start time, Unix seconds (inclusive).
    pub from_time: Option<u64>,
    /// Latest start time, Unix seconds (inclusive).
    pub to_time: Option<u64>,
}

impl FromParams for ProposalFilter {
    fn from_params(p: &Params) -> Result<Self, ApiError> {
        let (from_height, to_height) = p.range("from_height", "to_height", i64::MAX as u64)?;
        let (from_time, to_time) = p.range("from_time", "to_time", i64::MAX as u64)?;
        Ok(Self {
            limit: limit(p)?,
            cursor: pagination::decode_number(p, "proposals")?,
            status: p.one_of("status", ProposalStatus::ALL)?,
            method: p.one_of("method", VotingMethod::ALL)?,
            kind: p.one_of("kind", ProposalKind::ALL)?,
            proposer: p.address("proposer")?,
            from_height,
            to_height,
            from_time,
            to_time,
        })
    }
}

const SELECT: &str =
    "SELECT id, proposer, kind, method, title, description, options, actions, start_height, start_time,
    end_time, total_power::text AS total_power, quorum_bps, threshold_bps, timelock, cap::text AS cap,
    deposit::text AS deposit, status, winner, decided_at, tally, turnout::text AS turnout, voters, executed_height,
    updated_height FROM proposals";

#[derive(Debug, sqlx::FromRow)]
struct ProposalRow {
    id: i64,
    proposer: String,
    kind: String,
    method: String,
    title: String,
    description: String,
    options: serde_json::Value,
    actions: serde_json::Value,
    start_height: i64,
    start_time: i64,
    end_time: i64,
    total_power: String,
    quorum_bps: i32,
    threshold_bps: i32,
    timelock: i64,
    cap: Option<String>,
    deposit: String,
    status: String,
    winner: Option<i16>,
    decided_at: Option<i64>,
    tally: serde_json::Value,
    turnout: String,
    voters: i32,
    executed_height: Option<i64>,
    updated_height: i64,
}

fn u(v: i64) -> u64 {
    v.max(0) as u64
}

fn amount(s: &str) -> anyhow::Result<u128> {
    s.parse::<u128>().with_context(|| format!("amount {s:?}"))
}

/// Summed weight per distinct ranking of a proposal's ballots (what the
/// contract keeps in `RANKINGS`).
async fn ballots(pool: &PgPool, id: i64) -> Result<Vec<(Vec<u8>, u128)>, ApiError> {
    let rows = sqlx::query("SELECT choice, sum(weight)::text FROM votes WHERE proposal_id = $1 GROUP BY choice")
        .bind(id)
        .fetch_all(pool)
        .await?;
    rows.into_iter()
        .map(|r| {
            let ranking: Vec<u8> = serde_json::from_value(r.get(0)).context("ranking")?;
            Ok((ranking, amount(&r.get::<String, _>(1))?))
        })
        .collect::<anyhow::Result<_>>()
        .map_err(ApiError::Internal)
}

/// The row as the contract's query would show it at `now` (the latest
/// indexed block's time), under the governance configuration's
/// `spend_period`.
async fn present(
    pool: &PgPool,
    r: ProposalRow,
    now: Option<u64>,
    spend_period: Option<u64>,
) -> Result<Proposal, ApiError> {
    let options: Vec<String> = serde_json::from_value(r.options).context("options")?;
    let counted = serde_json::from_value::<Vec<String>>(r.tally)
        .context("tally")?
        .iter()
        .map(|s| amount(s))
        .collect::<anyhow::Result<Vec<u128>>>()?;
    let method = VotingMethod::stored(&r.method)?;
    let figures = Figures {
        counted,
        turnout: amount(&r.turnout)?,
        total: amount(&r.total_power)?,
        quorum_bps: u16::try_from(r.quorum_bps).context("quorum_bps")?,
        threshold_bps: u16::try_from(r.threshold_bps).context("threshold_bps")?,
        acting_choice: acting_choice(&r.kind, method),
    };
    let mut status = ProposalStatus::stored(&r.status)?;
    let mut winner = r.winner.map(|w| u8::try_from(w).context("winner")).transpose()?;
    let mut decided_at = r.decided_at.map(u);
    let end_time = u(r.end_time);
    let derived = ended_open(status, end_time, now);
    if derived {
        let n = u8::try_from(options.len()).context("more than 255 options")?;
        let ballots = if needs_ballots(method, &figures) {
            ballots(pool, r.id).await?
        } else {
            vec![]
        };
        (status, winner) = final_outcome(method, &figures, n, &ballots);
        decided_at = Some(end_time);
    }
    let timelock = u(r.timelock);
    let (status, executable_at, executable_until) = execution_window(status, decided_at, timelock, spend_period, now);
    let tally = figures
        .counted
        .iter()
        .enumerate()
        .map(|(i, w)| TallyEntry {
            option: i as u8,
            title: options.get(i).cloned().unwrap_or_default(),
            weight: w.to_string(),
        })
        .collect();
    Ok(Proposal {
        id: u(r.id),
        title: r.title,
        description: r.description,
        proposer: r.proposer,
        kind: ProposalKind::stored(&r.kind)?,
        method,
        options,
        actions: r.actions,
        status,
        derived,
        start_height: u(r.start_height),
        start_time: u(r.start_time),
        end_time,
        decided_at,
        executable_at,
        executable_until,
        total_power: r.total_power,
        tally,
        turnout: r.turnout,
        voters: r.voters.max(0) as u32,
        quorum_bps: figures.quorum_bps,
        threshold_bps: figures.threshold_bps,
        quorum_reached: figures.judged().quorum_reached(),
        winner,
        deposit: r.deposit,
        cap: r.cap,
        timelock,
        executed_height: r.executed_height.map(u),
        updated_height: u(r.updated_height),
    })
}

fn push_filters(q: &mut QueryBuilder<'_, Postgres>, f: &ProposalFilter, now: Option<u64>) {
    q.push(" WHERE true");
    if let Some(m) = f.method {
        q.push(" AND method = ").push_bind(m.as_str());
    }
    if let Some(k) = f.kind {
        q.push(" AND kind = ").push_bind(k.as_str());
    }
    if let Some(p) = &f.proposer {
        q.push(" AND proposer = ").push_bind(p.clone());
    }
    for (col, op, v) in [
        ("start_height", ">=", f.from_height),
        ("start_height", "<=", f.to_height),
        ("start_time", ">=", f.from_time),
        ("start_time", "<=", f.to_time),
    ] {
        if let Some(v) = v {
            q.push(format!(" AND {col} {op} ")).push_bind(v as i64);
        }
    }
    // Candidates for the status; ended open ones are judged in Rust.
    let now = now.map(|n| n.min(i64::MAX as u64) as i64);
    match (f.status, now) {
        (None, _) => {}
        (Some(ProposalStatus::Open), Some(now)) => {
            q.push(" AND status = 'open' AND end_time > ").push_bind(now);
        }
        (Some(s @ (ProposalStatus::Passed | ProposalStatus::Rejected | ProposalStatus::Expired)), Some(now)) => {
            // An expired proposal is stored as passed.
            let stored = if s == ProposalStatus::Expired {
                ProposalStatus::Passed
            } else {
                s
            };
            q.push(" AND (status = ")
                .push_bind(stored.as_str())
                .push(" OR (status = 'open' AND end_time <= ")
                .push_bind(now)
                .push("))");
        }
        (Some(s), _) => {
            q.push(" AND status = ").push_bind(s.as_str());
        }
    }
}

#[utoipa::path(
    get,
    path = "/proposals",
    tag = "governance",
    params(ProposalFilter),
    responses(
        (status = 200, description = "Proposals, newest first", body = ProposalPage),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Query(f): Query<ProposalFilter>,
) -> Result<Json<ProposalPage>, ApiError> {
    let pool = &state.pool;
    let now = head::latest(pool).await?.map(|h| h.time);
    let spend_period = spend_period(pool).await?;
    let limit = f.limit;
    let mut after = f.cursor;
    let mut out = Vec::new();
    // A page of rows may lose rows to the status check of ended open
    // proposals: read on until the page is full or the rows run out.
    loop {
        let mut q = QueryBuilder::new(SELECT);
        push_filters(&mut q, &f, now);
        if let Some(a) = after {
            q.push(" AND id < ").push_bind(a);
        }
        q.push(" ORDER BY id DESC LIMIT ").push_bind(limit + 1);
        let rows: Vec<ProposalRow> = q.build_query_as().fetch_all(pool).await?;
        let exhausted = rows.len() as i64 <= limit;
        for r in rows {
            after = Some(r.id);
            let p = present(pool, r, now, spend_period).await?;
            if f.status.is_none_or(|s| s == p.status) {
                out.push(p);
                if out.len() as i64 > limit {
                    break;
                }
            }
        }
        if exhausted || out.len() as i64 > limit {
            break;
        }
    }
    let (proposals, next_cursor) = pagination::page(out, limit, "proposals", |p| p.id.to_string());
    Ok(Json(ProposalPage { proposals, next_cursor }))
}

/// `{id}` of a proposal route.
pub fn proposal_id(raw: &str) -> Result<i64, ApiError> {
    Ok(parse_u64("id", raw)? as i64)
}

#[utoipa::path(
    get,
    path = "/proposals/{id}",
    tag = "governance",
    params(("id" = u64, Path, description = "Proposal id")),
    responses(
        (status = 200, description = "The proposal, an ended open one with its derived outcome", body = Proposal),
        (status = 400, description = "A bad id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such proposal", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_one(
    State(state): State<AppState>,
    PathParam(id): PathParam,
    _: Query<NoParams>,
) -> Result<Json<Proposal>, ApiError> {
    let id = proposal_id(&id)?;
    let pool = &state.pool;
    let row: Option<ProposalRow> = sqlx::query_as(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    let row = row.ok_or_else(|| ApiError::not_found(format!("no proposal {id}")))?;
    let now = head::latest(pool).await?.map(|h| h.time);
    Ok(Json(present(pool, row, now, spend_period(pool).await?).await?))
}
