//! Compliance rules: read the versions, test-run a draft over history,
//! reload the rules directory, approve and activate (two different admins).

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::JsonBody;
use super::params::{NoParams, PathParam, Query};
use super::problem::{ApiError, Problem};
use super::AppState;
use crate::access::Staff;
use crate::rules::registry::{self, RuleError, RuleVersion, SyncReport};
use crate::rules::spec::{Detector, RuleSpec};
use crate::rules::CompiledRule;

fn problem(e: anyhow::Error) -> ApiError {
    match e.downcast_ref::<RuleError>() {
        Some(r @ RuleError::NotFound(..)) => ApiError::NotFound(r.to_string()),
        Some(r @ RuleError::Invalid(_)) => ApiError::BadBody(r.to_string()),
        Some(r) => ApiError::Conflict(r.to_string()),
        None => super::domain::problem(e),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RuleList {
    pub rules: Vec<RuleVersion>,
}

#[utoipa::path(get, path = "/rules", tag = "rules",
    responses((status = 200, description = "Every version of every rule, with its state", body = RuleList)))]
pub async fn list(State(s): State<AppState>, Query(_no_params): Query<NoParams>) -> Result<Json<RuleList>, ApiError> {
    Ok(Json(RuleList {
        rules: registry::list(&s.pool, None).await.map_err(problem)?,
    }))
}

#[utoipa::path(get, path = "/rules/{id}", tag = "rules",
    params(("id" = String, Path, description = "Rule id, e.g. aml.large_transfer")),
    responses(
        (status = 200, description = "The rule's versions, newest first", body = RuleList),
        (status = 404, description = "No such rule", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_one(
    State(s): State<AppState>,
    PathParam(id): PathParam,
    Query(_no_params): Query<NoParams>,
) -> Result<Json<RuleList>, ApiError> {
    let id = rule_id(id)?;
    let rules = registry::list(&s.pool, Some(&id)).await.map_err(problem)?;
    if rules.is_empty() {
        return Err(ApiError::NotFound(format!("no rule {id:?}")));
    }
    Ok(Json(RuleList { rules }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestRun {
    /// The draft rule, as in a rule file.
    pub rule: serde_json::Value,
    /// First height (default 1).
    pub from_height: Option<i64>,
    /// Last height (default: the latest indexed).
    pub to_height: Option<i64>,
    /// Hits returned (1 to 1000, default 100); `total` counts them all.
    pub limit: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TestHit {
    pub event_key: String,
    pub height: i64,
    pub tx_hash: Option<String>,
    pub time: chrono::DateTime<chrono::Utc>,
    pub subject: String,
    #[schema(value_type = Object)]
    pub evidence: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TestRunResult {
    pub from_height: i64,
    pub to_height: i64,
    /// Alerts the rule would have raised.
    pub total: usize,
    pub hits: Vec<TestHit>,
}

#[utoipa::path(post, path = "/rules/test-run", tag = "rules", request_body = TestRun,
    responses(
        (status = 200, description = "What the draft would have flagged; no alert is created", body = TestRunResult),
        (status = 400, description = "Not a valid rule, or a bad range", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn test_run(
    State(s): State<AppState>,
    Staff(caller): Staff,
    Query(_no_params): Query<NoParams>,
    JsonBody(run): JsonBody<TestRun>,
) -> Result<Json<TestRunResult>, ApiError> {
    let spec: RuleSpec = serde_json::from_value(run.rule).map_err(|e| ApiError::BadBody(format!("rule: {e}")))?;
    spec.validate().map_err(|e| ApiError::BadBody(format!("rule: {e:#}")))?;
    // A sanctions list is a file of the rules directory, never any path on
    // the server's disk.
    let has_list = matches!(spec.detector, Detector::SanctionedCounterparty { list: Some(_) });
    let rule = match (has_list, &s.rules_dir) {
        (true, None) => {
            return Err(ApiError::BadBody(
                "rule: detector.list cannot be read: this server was started without --rules, so it has no \
                 rules directory to read sanctions lists from"
                    .into(),
            ))
        }
        (true, Some(dir)) => CompiledRule::compile_in(spec, dir),
        (false, _) => CompiledRule::compile(spec),
    }
    .map_err(|e| ApiError::BadBody(format!("rule: {e:#}")))?;
    let limit = run.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::BadBody("limit must be 1 to 1000".into()));
    }
    let latest: Option<i64> = sqlx::query_scalar("SELECT height FROM ingest_state WHERE id = 1")
        .fetch_optional(&s.pool)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let from = run.from_height.unwrap_or(1);
    let to = run.to_height.or(latest).unwrap_or(0);
    if from < 1 || to < from {
        return Err(ApiError::BadBody(format!(
            "the range {from}..={to} is empty or starts below 1"
        )));
    }
    let (id, version, tags) = (rule.spec.id.clone(), rule.spec.version, rule.spec.tags.clone());
    let digest = rule.spec.digest().map_err(ApiError::Internal)?;
    let (total, hits) = crate::rules::test_run(&s.pool, rule, from, to, limit)
        .await
        .map_err(|e| {
            // The rule's fault (it does not compile, or the database refused
            // a value it carries), or the database's (a lost connection).
            let database_failed = e
                .chain()
                .filter_map(|c| c.downcast_ref::<sqlx::Error>())
                .any(|d| super::problem::refused_value(d).is_none());
            if database_failed {
                ApiError::Internal(e)
            } else {
                ApiError::BadBody(format!("rule: {e:#}"))
            }
        })?;
    // An officer's rule evaluated over all stored history is a staff
    // action like the others: logged (until stop 21 it was not).
    crate::cases::staff_log::record_alone(
        &s.pool,
        &caller.name,
        "rule.test_run",
        &format!("rule/{id}"),
        serde_json::json!({
            "version": version,
            "spec_sha256": digest,
            "from_height": from,
            "to_height": to,
            "hits": total,
        }),
        tags,
    )
    .await
    .map_err(ApiError::Internal)?;
    Ok(Json(TestRunResult {
        from_height: from,
        to_height: to,
        total,
        hits: hits
            .into_iter()
            .map(|h| TestHit {
                event_key: h.event_key,
                height: h.height,
                tx_hash: h.tx_hash,
                time: h.time,
                subject: h.subject,
                evidence: h.evidence,
            })
            .collect(),
    }))
}

#[utoipa::path(post, path = "/rules/reload", tag = "rules",
    responses(
        (status = 200, description = "The rules directory read again: new versions are drafts", body = SyncReport),
        (status = 409, description = "The server has no rules directory", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn reload(
    State(s): State<AppState>,
    Staff(caller): Staff,
    Query(_no_params): Query<NoParams>,
) -> Result<Json<SyncReport>, ApiError> {
    let Some(dir) = &s.rules_dir else {
        return Err(ApiError::Conflict("this server was started without --rules".into()));
    };
    Ok(Json(
        registry::sync_dir(&s.pool, dir, &caller.name).await.map_err(problem)?,
    ))
}

/// A rule id from a path, refused by name when it cannot be one (before
/// it reaches the database, which refuses a NUL on its own terms).
fn rule_id(id: String) -> Result<String, ApiError> {
    if crate::rules::spec::valid_id(&id) {
        Ok(id)
    } else {
        Err(ApiError::bad(
            "id",
            format!("{id:?} is not a rule id (1-64 characters of a-z, 0-9, '.', '_', '-')"),
        ))
    }
}

/// `{id}` and `{version}` of `/rules/{id}/versions/{version}/...`.
pub struct VersionPath(pub String, pub i32);

impl<S: Send + Sync> FromRequestParts<S> for VersionPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let id_segment = parts.uri.path().split('/').nth(2).unwrap_or("").to_string();
        let axum::extract::Path((id, version)) =
            axum::extract::Path::<(String, String)>::from_request_parts(parts, state)
                .await
                .map_err(|e| {
                    // Name the segment at fault: a rule id never needs
                    // percent-encoding, so one that has it is the culprit.
                    let at_fault = if crate::rules::spec::valid_id(&id_segment) {
                        "version"
                    } else {
                        "id"
                    };
                    ApiError::bad(at_fault, e.body_text())
                })?;
        let id = rule_id(id)?;
        let version = version
            .parse::<i32>()
            .ok()
            .filter(|v| *v > 0)
            .ok_or_else(|| ApiError::bad("version", format!("{version:?} is not a version number")))?;
        Ok(Self(id, version))
    }
}

#[utoipa::path(post, path = "/rules/{id}/versions/{version}/approval", tag = "rules",
    params(("id" = String, Path, description = "Rule id"), ("version" = i32, Path, description = "Version, 1 or more")),
    responses(
        (status = 200, description = "Approved: another admin may now activate it", body = RuleVersion),
        (status = 404, description = "No such version", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a draft", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn approve(
    State(s): State<AppState>,
    Staff(caller): Staff,
    VersionPath(id, version): VersionPath,
    Query(_no_params): Query<NoParams>,
) -> Result<Json<RuleVersion>, ApiError> {
    Ok(Json(
        registry::approve(&s.pool, &id, version, &caller.name)
            .await
            .map_err(problem)?,
    ))
}

#[utoipa::path(post, path = "/rules/{id}/versions/{version}/activation", tag = "rules",
    params(("id" = String, Path, description = "Rule id"), ("version" = i32, Path, description = "Version, 1 or more")),
    responses(
        (status = 200, description = "Active: it runs on every new block", body = RuleVersion),
        (status = 404, description = "No such version", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not approved, or approved by the caller (four eyes)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn activate(
    State(s): State<AppState>,
    Staff(caller): Staff,
    VersionPath(id, version): VersionPath,
    Query(_no_params): Query<NoParams>,
) -> Result<Json<RuleVersion>, ApiError> {
    Ok(Json(
        registry::activate(&s.pool, &id, version, &caller.name)
            .await
            .map_err(problem)?,
    ))
}
