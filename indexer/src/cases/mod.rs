//! Cases: alerts grouped for investigation. States open → investigating →
//! closed (with an outcome; a closed case can be reopened to
//! investigating), an assignee, a due date, notes. Every change is a staff
//! action, recorded in the audit log in the same transaction, and listed
//! per case (`case_audit`) for the regulator's export.

pub mod actions;
pub mod export;
pub(crate) mod staff_log;

use anyhow::Result;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::{PgPool, Row};
use utoipa::ToSchema;

pub use staff_log::record as record_staff_action;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Open,
    Investigating,
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    ConfirmedRisk,
    FalsePositive,
    Inconclusive,
    Referred,
}

fn text<T: Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn parse<T: for<'de> Deserialize<'de>>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
}

/// Why a case change was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CaseError {
    #[error("case {0} does not exist")]
    NotFound(i64),
    #[error("the title must be 1 to 200 characters")]
    BadTitle,
    #[error("a note must be 1 to 10,000 characters")]
    BadNote,
    #[error("a case cannot go from {from:?} to {to:?}")]
    BadTransition { from: State, to: State },
    #[error("closing a case needs an outcome")]
    OutcomeRequired,
    #[error("an outcome is only set when closing the case")]
    OutcomeWithoutClosing,
    #[error("alert {0} does not exist")]
    AlertNotFound(i64),
    #[error("alert {alert} is already in case {case}")]
    AlertInCase { alert: i64, case: i64 },
    #[error("a closed case cannot be changed except by reopening it (state investigating)")]
    Closed,
    #[error("the assignee must be 1 to {MAX_ASSIGNEE} characters, none of them a control character")]
    BadAssignee,
    #[error("due_at must be between 1970-01-01 and 9999-12-31")]
    BadDueAt,
    #[error("alert_ids must list at most {MAX_ALERTS} alerts, each once (alert {0} is listed twice)")]
    AlertTwice(i64),
    #[error("alert_ids must list at most {MAX_ALERTS} alerts")]
    TooManyAlerts,
}

/// The longest assignee: the `?assignee=` filter takes this many.
pub const MAX_ASSIGNEE: usize = 64;
/// Alerts linked by one request.
pub const MAX_ALERTS: usize = 1000;

fn check_assignee(assignee: Option<&str>) -> Result<(), CaseError> {
    match assignee {
        Some(a) if a.is_empty() || a.len() > MAX_ASSIGNEE || a.chars().any(char::is_control) => {
            Err(CaseError::BadAssignee)
        }
        _ => Ok(()),
    }
}

fn check_due_at(due_at: Option<DateTime<Utc>>) -> Result<(), CaseError> {
    /// 9999-12-31T23:59:59Z.
    const LATEST: i64 = 253_402_300_799;
    match due_at {
        Some(d) if !(0..=LATEST).contains(&d.timestamp()) => Err(CaseError::BadDueAt),
        _ => Ok(()),
    }
}

fn check_alert_ids(alert_ids: &[i64]) -> Result<(), CaseError> {
    if alert_ids.len() > MAX_ALERTS {
        return Err(CaseError::TooManyAlerts);
    }
    let mut seen = std::collections::HashSet::new();
    match alert_ids.iter().find(|id| !seen.insert(**id)) {
        Some(&twice) => Err(CaseError::AlertTwice(twice)),
        None => Ok(()),
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Note {
    pub id: i64,
    pub author: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Case {
    pub id: i64,
    pub title: String,
    pub state: State,
    pub outcome: Option<Outcome>,
    pub assignee: Option<String>,
    pub due_at: Option<DateTime<Utc>>,
    /// Past its due date and not closed.
    pub overdue: bool,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub alert_ids: Vec<i64>,
    pub notes: Vec<Note>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCase {
    pub title: String,
    #[serde(default)]
    pub alert_ids: Vec<i64>,
    pub assignee: Option<String>,
    pub due_at: Option<DateTime<Utc>>,
}

/// A change of a case; absent fields stay as they are, `null` clears the
/// assignee or the due date.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseUpdate {
    pub state: Option<State>,
    pub outcome: Option<Outcome>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub assignee: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub due_at: Option<Option<DateTime<Utc>>>,
}

/// A field that is present, possibly `null` (absent stays `None`).
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Filters of the case list.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub state: Option<State>,
    pub assignee: Option<String>,
    pub overdue: Option<bool>,
    pub after_id: Option<i64>,
    pub limit: i64,
}

const CASE_COLUMNS: &str =
    "id, title, state, outcome, assignee, due_at, created_by, created_at, updated_at, closed_at, \
    (due_at IS NOT NULL AND due_at < now() AND state <> 'closed') AS overdue";

fn case_of(r: &sqlx::postgres::PgRow) -> Case {
    Case {
        id: r.get("id"),
        title: r.get("title"),
        state: parse(&r.get::<String, _>("state")).unwrap_or(State::Open),
        outcome: r.get::<Option<String>, _>("outcome").as_deref().and_then(parse),
        assignee: r.get("assignee"),
        due_at: r.get("due_at"),
        overdue: r.get("overdue"),
        created_by: r.get("created_by"),
        created_at: r.get("created_at"),
        updated_at: r.get("updated_at"),
        closed_at: r.get("closed_at"),
        alert_ids: Vec::new(),
        notes: Vec::new(),
    }
}

async fn attach(conn: &mut sqlx::PgConnection, case: &mut Case) -> Result<()> {
    case.alert_ids = sqlx::query_scalar("SELECT alert_id FROM case_alerts WHERE case_id = $1 ORDER BY alert_id")
        .bind(case.id)
        .fetch_all(&mut *conn)
        .await?;
    case.notes = sqlx::query("SELECT id, author, body, created_at FROM case_notes WHERE case_id = $1 ORDER BY id")
        .bind(case.id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Note {
            id: r.get(0),
            author: r.get(1),
            body: r.get(2),
            created_at: r.get(3),
        })
        .collect();
    Ok(())
}

async fn load(conn: &mut sqlx::PgConnection, id: i64, lock: bool) -> Result<Case> {
    let sql = format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE id = $1{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(CaseError::NotFound(id))?;
    let mut case = case_of(&row);
    attach(conn, &mut case).await?;
    Ok(case)
}

/// One case with its alerts and notes.
pub async fn get(pool: &PgPool, id: i64) -> Result<Case> {
    let mut conn = pool.acquire().await?;
    load(&mut conn, id, false).await
}

/// Cases by id, a page at a time (without notes).
pub async fn list(pool: &PgPool, f: &CaseFilter) -> Result<Vec<Case>> {
    let rows = sqlx::query(&format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE ($1::text IS NULL OR state = $1) \
         AND ($2::text IS NULL OR assignee = $2) \
         AND ($3::bool IS NULL OR (due_at IS NOT NULL AND due_at < now() AND state <> 'closed') = $3) \
         AND ($4::bigint IS NULL OR id < $4) ORDER BY id DESC LIMIT $5"
    ))
    .bind(f.state.map(text))
    .bind(&f.assignee)
    .bind(f.overdue)
    .bind(f.after_id)
    .bind(f.limit)
    .fetch_all(pool)
    .await?;
    let mut cases: Vec<Case> = rows.iter().map(case_of).collect();
    let ids: Vec<i64> = cases.iter().map(|c| c.id).collect();
    let links = sqlx::query("SELECT case_id, alert_id FROM case_alerts WHERE case_id = ANY($1) ORDER BY alert_id")
        .bind(&ids)
        .fetch_all(pool)
        .await?;
    for l in links {
        let (case_id, alert_id): (i64, i64) = (l.get(0), l.get(1));
        if let Some(c) = cases.iter_mut().find(|c| c.id == case_id) {
            c.alert_ids.push(alert_id);
        }
    }
    Ok(cases)
}

/// Refuses an alert id that names no alert.
pub(crate) async fn check_alert_exists(tx: &mut sqlx::PgConnection, alert: i64) -> Result<()> {
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM alerts WHERE id = $1)")
        .bind(alert)
        .fetch_one(&mut *tx)
        .await?;
    if !exists {
        return Err(CaseError::AlertNotFound(alert).into());
    }
    Ok(())
}

async fn link_alerts(tx: &mut sqlx::PgConnection, case_id: i64, alert_ids: &[i64], by: &str) -> Result<()> {
    check_alert_ids(alert_ids)?;
    for &alert in alert_ids {
        check_alert_exists(tx, alert).await?;
        // An alert belongs to one case: the unique alert_id refuses a second
        // link (also one a concurrent request is making: it waits for it),
        // and the refusal names the case that has it.
        let linked = sqlx::query(
            "INSERT INTO case_alerts (case_id, alert_id, added_by) VALUES ($1, $2, $3) \
             ON CONFLICT (alert_id) DO NOTHING",
        )
        .bind(case_id)
        .bind(alert)
        .bind(by)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if linked == 0 {
            let case: i64 = sqlx::query_scalar("SELECT case_id FROM case_alerts WHERE alert_id = $1")
                .bind(alert)
                .fetch_one(&mut *tx)
                .await?;
            return Err(CaseError::AlertInCase { alert, case }.into());
        }
    }
    Ok(())
}

/// The frameworks of a case: those of its alerts.
pub(super) async fn case_tags(tx: &mut sqlx::PgConnection, case_id: i64) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT unnest(a.tags) FROM alerts a JOIN case_alerts c ON c.alert_id = a.id WHERE c.case_id = $1",
    )
    .bind(case_id)
    .fetch_all(&mut *tx)
    .await?)
}

fn check_title(title: &str) -> Result<(), CaseError> {
    let n = title.trim().chars().count();
    if n == 0 || n > 200 {
        return Err(CaseError::BadTitle);
    }
    Ok(())
}

pub async fn create(pool: &PgPool, new: &NewCase, by: &str) -> Result<Case> {
    check_title(&new.title)?;
    check_assignee(new.assignee.as_deref())?;
    check_due_at(new.due_at)?;
    let mut tx = pool.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO cases (title, assignee, due_at, created_by) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(new.title.trim())
    .bind(&new.assignee)
    .bind(new.due_at)
    .bind(by)
    .fetch_one(&mut *tx)
    .await?;
    link_alerts(&mut tx, id, &new.alert_ids, by).await?;
    let tags = case_tags(&mut tx, id).await?;
    staff_log::record(
        &mut tx,
        by,
        "case.opened",
        &format!("case/{id}"),
        json!({ "title": new.title.trim(), "alert_ids": new.alert_ids, "assignee": new.assignee, "due_at": new.due_at }),
        tags,
        Some(id),
    )
    .await?;
    let case = load(&mut tx, id, false).await?;
    tx.commit().await?;
    Ok(case)
}

fn transition_allowed(from: State, to: State) -> bool {
    use State::*;
    matches!(
        (from, to),
        (Open, Investigating) | (Open, Closed) | (Investigating, Closed) | (Closed, Investigating)
    ) || from == to
}

pub async fn update(pool: &PgPool, id: i64, change: &CaseUpdate, by: &str) -> Result<Case> {
    let mut tx = pool.begin().await?;
    let case = load(&mut tx, id, true).await?;
    let to = change.state.unwrap_or(case.state);
    if !transition_allowed(case.state, to) {
        return Err(CaseError::BadTransition { from: case.state, to }.into());
    }
    if case.state == State::Closed && to == State::Closed {
        return Err(CaseError::Closed.into());
    }
    let closing = to == State::Closed && case.state != State::Closed;
    match (closing, change.outcome) {
        (true, None) => return Err(CaseError::OutcomeRequired.into()),
        (false, Some(_)) => return Err(CaseError::OutcomeWithoutClosing.into()),
        _ => {}
    }
    let assignee = change.assignee.clone().unwrap_or(case.assignee.clone());
    let due_at = change.due_at.unwrap_or(case.due_at);
    if let Some(changed) = &change.assignee {
        check_assignee(changed.as_deref())?;
    }
    if let Some(changed) = change.due_at {
        check_due_at(changed)?;
    }
    sqlx::query(
        "UPDATE cases SET state = $2, outcome = $3, assignee = $4, due_at = $5, updated_at = now(), \
         closed_at = CASE WHEN $2 = 'closed' THEN now() ELSE NULL END WHERE id = $1",
    )
    .bind(id)
    .bind(text(to))
    .bind(if to == State::Closed {
        change.outcome.map(text)
    } else {
        None
    })
    .bind(&assignee)
    .bind(due_at)
    .execute(&mut *tx)
    .await?;
    let action = match (case.state, to) {
        (State::Closed, State::Investigating) => "case.reopened",
        (_, State::Closed) => "case.closed",
        (a, b) if a != b => "case.state_changed",
        _ => "case.updated",
    };
    let tags = case_tags(&mut tx, id).await?;
    staff_log::record(
        &mut tx,
        by,
        action,
        &format!("case/{id}"),
        json!({ "from": case.state, "to": to, "outcome": change.outcome, "assignee": assignee, "due_at": due_at }),
        tags,
        Some(id),
    )
    .await?;
    let case = load(&mut tx, id, false).await?;
    tx.commit().await?;
    Ok(case)
}

pub async fn add_note(pool: &PgPool, id: i64, body: &str, by: &str) -> Result<Case> {
    let n = body.trim().chars().count();
    if n == 0 || n > 10_000 {
        return Err(CaseError::BadNote.into());
    }
    let mut tx = pool.begin().await?;
    let case = load(&mut tx, id, true).await?;
    if case.state == State::Closed {
        return Err(CaseError::Closed.into());
    }
    let note_id: i64 =
        sqlx::query_scalar("INSERT INTO case_notes (case_id, author, body) VALUES ($1, $2, $3) RETURNING id")
            .bind(id)
            .bind(by)
            .bind(body.trim())
            .fetch_one(&mut *tx)
            .await?;
    let tags = case_tags(&mut tx, id).await?;
    // The note's text is in the log too: a note is evidence, and the log
    // is what makes it tamper-evident.
    staff_log::record(
        &mut tx,
        by,
        "case.note_added",
        &format!("case/{id}"),
        json!({ "note_id": note_id, "body": body.trim() }),
        tags,
        Some(id),
    )
    .await?;
    let case = load(&mut tx, id, false).await?;
    tx.commit().await?;
    Ok(case)
}

pub async fn add_alerts(pool: &PgPool, id: i64, alert_ids: &[i64], by: &str) -> Result<Case> {
    let mut tx = pool.begin().await?;
    let case = load(&mut tx, id, true).await?;
    if case.state == State::Closed {
        return Err(CaseError::Closed.into());
    }
    link_alerts(&mut tx, id, alert_ids, by).await?;
    let tags = case_tags(&mut tx, id).await?;
    staff_log::record(
        &mut tx,
        by,
        "case.alerts_added",
        &format!("case/{id}"),
        json!({ "alert_ids": alert_ids }),
        tags,
        Some(id),
    )
    .await?;
    let case = load(&mut tx, id, false).await?;
    tx.commit().await?;
    Ok(case)
}
