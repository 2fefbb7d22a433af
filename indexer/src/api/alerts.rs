//! `GET /alerts` and `GET /alerts/{id}`: what the rules flagged, with the
//! case each alert is in.

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{QueryBuilder, Row};
use utoipa::{IntoParams, ToSchema};

use super::pagination::{self, limit};
use super::params::{parse_u64, FromParams, NoParams, Params, PathParam, Query, MAX_UNIX_SECONDS};
use super::problem::{ApiError, Problem};
use super::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Alert {
    pub id: i64,
    pub rule_id: String,
    pub rule_version: i32,
    pub event_key: String,
    pub height: i64,
    pub tx_hash: Option<String>,
    /// Block time of the triggering event.
    pub time: DateTime<Utc>,
    pub subject: String,
    pub severity: String,
    pub risk_score: i16,
    pub tags: Vec<String>,
    /// What the rule saw.
    #[schema(value_type = Object)]
    pub evidence: serde_json::Value,
    pub created_at: DateTime<Utc>,
    /// The case the alert is in, if any.
    pub case_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AlertPage {
    pub alerts: Vec<Alert>,
    pub next_cursor: Option<String>,
}

/// Filters of `GET /alerts`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertQuery {
    /// low, medium, high or critical: this severity and above.
    pub min_severity: Option<String>,
    pub rule_id: Option<String>,
    /// e.g. `account/inj1...`, `proposal/3`.
    pub subject: Option<String>,
    /// A framework tag, e.g. AML.
    pub tag: Option<String>,
    /// Only alerts in a case (true) or in none (false).
    pub in_case: Option<bool>,
    /// Lowest height of the triggering event (inclusive).
    pub from_height: Option<u64>,
    /// Highest height of the triggering event (inclusive).
    pub to_height: Option<u64>,
    /// Earliest block time of the triggering event, Unix seconds (inclusive).
    pub from_time: Option<u64>,
    /// Latest block time of the triggering event, Unix seconds (inclusive).
    pub to_time: Option<u64>,
    #[param(value_type = Option<u64>, minimum = 1, maximum = 100)]
    pub limit: i64,
    #[param(value_type = Option<String>)]
    pub cursor: Option<i64>,
}

const SEVERITIES: [(&str, i16); 4] = [("low", 0), ("medium", 1), ("high", 2), ("critical", 3)];

impl FromParams for AlertQuery {
    fn from_params(p: &Params) -> Result<Self, ApiError> {
        let (from_height, to_height) = p.range("from_height", "to_height", i64::MAX as u64)?;
        let (from_time, to_time) = p.range("from_time", "to_time", MAX_UNIX_SECONDS)?;
        Ok(Self {
            min_severity: p
                .one_of("min_severity", &SEVERITIES.map(|(n, _)| (n, n)))?
                .map(str::to_string),
            rule_id: p.text("rule_id", 128)?,
            subject: p.text("subject", 200)?,
            tag: p.text("tag", 32)?,
            in_case: p.one_of("in_case", &[("true", true), ("false", false)])?,
            from_height,
            to_height,
            from_time,
            to_time,
            limit: limit(p)?,
            cursor: pagination::decode_number(p, "alerts")?,
        })
    }
}

const SELECT: &str = "SELECT a.id, a.rule_id, a.rule_version, a.event_key, a.height, a.tx_hash, a.time, a.subject, \
    a.severity, a.risk_score, a.tags, a.evidence, a.created_at, c.case_id \
    FROM alerts a LEFT JOIN case_alerts c ON c.alert_id = a.id";

fn alert_of(r: &sqlx::postgres::PgRow) -> Alert {
    Alert {
        id: r.get("id"),
        rule_id: r.get("rule_id"),
        rule_version: r.get("rule_version"),
        event_key: r.get("event_key"),
        height: r.get("height"),
        tx_hash: r.get("tx_hash"),
        time: r.get("time"),
        subject: r.get("subject"),
        severity: r.get("severity"),
        risk_score: r.get("risk_score"),
        tags: r.get("tags"),
        evidence: r.get("evidence"),
        created_at: r.get("created_at"),
        case_id: r.get("case_id"),
    }
}

#[utoipa::path(get, path = "/alerts", tag = "alerts", params(AlertQuery),
    responses(
        (status = 200, description = "Alerts, newest first", body = AlertPage),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(State(s): State<AppState>, Query(q): Query<AlertQuery>) -> Result<Json<AlertPage>, ApiError> {
    let mut b = QueryBuilder::new(SELECT);
    b.push(" WHERE true");
    if let Some(min) = &q.min_severity {
        let level = SEVERITIES.iter().find(|(n, _)| n == min).map(|(_, l)| *l).unwrap_or(0);
        let names: Vec<&str> = SEVERITIES
            .iter()
            .filter(|(_, l)| *l >= level)
            .map(|(n, _)| *n)
            .collect();
        b.push(" AND a.severity = ANY(").push_bind(names).push(")");
    }
    if let Some(r) = &q.rule_id {
        b.push(" AND a.rule_id = ").push_bind(r.clone());
    }
    if let Some(x) = &q.subject {
        b.push(" AND a.subject = ").push_bind(x.clone());
    }
    if let Some(t) = &q.tag {
        b.push(" AND ").push_bind(t.clone()).push(" = ANY(a.tags)");
    }
    match q.in_case {
        Some(true) => {
            b.push(" AND c.case_id IS NOT NULL");
        }
        Some(false) => {
            b.push(" AND c.case_id IS NULL");
        }
        None => {}
    }
    if let Some(h) = q.from_height {
        b.push(" AND a.height >= ").push_bind(h as i64);
    }
    if let Some(h) = q.to_height {
        b.push(" AND a.height <= ").push_bind(h as i64);
    }
    if let Some(t) = q.from_time {
        b.push(" AND a.time >= to_timestamp(").push_bind(t as f64).push(")");
    }
    if let Some(t) = q.to_time {
        // Inclusive of the whole second: block times carry microseconds.
        b.push(" AND a.time < to_timestamp(")
            .push_bind((t + 1) as f64)
            .push(")");
    }
    if let Some(c) = q.cursor {
        b.push(" AND a.id < ").push_bind(c);
    }
    b.push(" ORDER BY a.id DESC LIMIT ").push_bind(q.limit + 1);
    let rows = b.build().fetch_all(&s.pool).await?;
    let (alerts, next_cursor) =
        pagination::page(rows.iter().map(alert_of).collect(), q.limit, "alerts", |a: &Alert| {
            a.id.to_string()
        });
    Ok(Json(AlertPage { alerts, next_cursor }))
}

#[utoipa::path(get, path = "/alerts/{id}", tag = "alerts",
    params(("id" = u64, Path, description = "Alert id")),
    responses(
        (status = 200, description = "The alert", body = Alert),
        (status = 400, description = "A bad id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such alert", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_one(
    State(s): State<AppState>,
    PathParam(id): PathParam,
    Query(_no_params): Query<NoParams>,
) -> Result<Json<Alert>, ApiError> {
    let id = parse_u64("id", &id)? as i64;
    let row = sqlx::query(&format!("{SELECT} WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(&s.pool)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("alert {id} does not exist")))?;
    Ok(Json(alert_of(&row)))
}
