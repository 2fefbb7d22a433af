//! Rule versions in the database: read from the rules directory as drafts,
//! approved by one admin, activated by another (four eyes), each step an
//! audit record. A version's content never changes: a file that changes
//! without a new version number is refused.

use std::path::Path;

use anyhow::Result;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool, Row};
use utoipa::ToSchema;

use super::spec::{read_dir, RuleSpec};
use super::CompiledRule;
use crate::cases::staff_log;

#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("rule {0} version {1} does not exist")]
    NotFound(String, i32),
    #[error("rule {id} version {version} is {state}; it must be {expected}")]
    WrongState {
        id: String,
        version: i32,
        state: String,
        expected: &'static str,
    },
    #[error("four eyes: {0} approved this version, so another admin must activate it")]
    SamePerson(String),
    #[error("rule {id} version {version}: its {what} changed since it was loaded (sha256 {old} -> {new}); give the change a new version")]
    Changed {
        id: String,
        version: i32,
        /// `rule file` or `sanctions list`.
        what: &'static str,
        old: String,
        new: String,
    },
    #[error("{0}")]
    Invalid(String),
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleVersion {
    pub rule_id: String,
    pub version: i32,
    /// draft, approved, active or retired.
    pub state: String,
    #[schema(value_type = Object)]
    pub spec: serde_json::Value,
    pub sha256: String,
    /// The sanctions list stored with the version when it was loaded
    /// ([`super::list_digest`]): what the rule checks, whatever the file
    /// holds later. None without a list, and for a version loaded before
    /// lists were stored (migration 0019), which still reads its file.
    pub list_sha256: Option<String>,
    /// How many addresses that list holds.
    pub list_entries: Option<i32>,
    /// The file it was read from.
    pub source: String,
    pub loaded_by: String,
    pub loaded_at: DateTime<Utc>,
    pub approved_by: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
    pub activated_by: Option<String>,
    pub activated_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "rule_id, version, state, spec, sha256, source, loaded_by, loaded_at, \
                       approved_by, approved_at, activated_by, activated_at, list_sha256, cardinality(listed)";

fn version_of(r: &sqlx::postgres::PgRow) -> RuleVersion {
    RuleVersion {
        rule_id: r.get(0),
        version: r.get(1),
        state: r.get(2),
        spec: r.get(3),
        sha256: r.get(4),
        source: r.get(5),
        loaded_by: r.get(6),
        loaded_at: r.get(7),
        approved_by: r.get(8),
        approved_at: r.get(9),
        activated_by: r.get(10),
        activated_at: r.get(11),
        list_sha256: r.get(12),
        list_entries: r.get(13),
    }
}

/// What reading the rules directory did.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct SyncReport {
    /// New drafts, as `id@version`.
    pub loaded: Vec<String>,
    pub unchanged: usize,
    /// Files refused, with the reason.
    pub refused: Vec<String>,
}

/// Registers every rule file of `dir` not seen before as a draft. A
/// sanctions list path is resolved against `dir` (and refused if absolute
/// or leaving it).
pub async fn sync_dir(pool: &PgPool, dir: &Path, by: &str) -> Result<SyncReport> {
    let mut report = SyncReport::default();
    let files = read_dir(dir)?;
    for (source, spec) in files {
        let rule = match spec.and_then(|spec| CompiledRule::compile_in(spec, dir)) {
            Ok(rule) => rule,
            Err(e) => {
                report.refused.push(format!("{source}: {e:#}"));
                continue;
            }
        };
        let spec = &rule.spec;
        match register(pool, &rule, &source, by).await {
            Ok(true) => report.loaded.push(format!("{}@{}", spec.id, spec.version)),
            Ok(false) => report.unchanged += 1,
            Err(e) => report.refused.push(format!("{source}: {e:#}")),
        }
    }
    for refused in &report.refused {
        tracing::warn!(%refused, "rule file refused");
    }
    Ok(report)
}

/// Adds `rule` as a draft, with its sanctions list's addresses; false if
/// that exact version is already there. A version whose rule file or list
/// changed since is refused.
pub async fn register(pool: &PgPool, rule: &CompiledRule, source: &str, by: &str) -> Result<bool> {
    let spec = &rule.spec;
    let sha = spec.digest()?;
    let list = rule.list();
    let list_sha = list.as_ref().map(|(_, digest)| digest.clone());
    let legacy_sha = rule.digest_with_resolved_list()?;
    let same_as = |old: String, old_list: Option<String>| -> Result<bool> {
        let changed = |what, old: String, new: String| RuleError::Changed {
            id: spec.id.clone(),
            version: spec.version,
            what,
            old,
            new,
        };
        if old != sha && Some(&old) != legacy_sha.as_ref() {
            return Err(changed("rule file", old, sha.clone()).into());
        }
        // A version stored before lists were (old_list None) keeps reading
        // its file: there is no list of its approval to compare with.
        match (old_list, &list_sha) {
            (Some(old), Some(new)) if old != *new => Err(changed("sanctions list", old, new.clone()).into()),
            _ => Ok(false),
        }
    };
    let mut tx = pool.begin().await?;
    // A version already there (loaded before, or by the other reader of the
    // directory at this moment, SIGHUP or POST /rules/reload) is not
    // inserted again but compared with.
    let inserted = sqlx::query(
        "INSERT INTO rule_versions (rule_id, version, spec, sha256, source, loaded_by, list_sha256, listed) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (rule_id, version) DO NOTHING",
    )
    .bind(&spec.id)
    .bind(spec.version)
    .bind(serde_json::to_value(spec)?)
    .bind(&sha)
    .bind(source)
    .bind(by)
    .bind(&list_sha)
    .bind(list.as_ref().map(|(listed, _)| *listed))
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        let (old, old_list): (String, Option<String>) =
            sqlx::query_as("SELECT sha256, list_sha256 FROM rule_versions WHERE rule_id = $1 AND version = $2")
                .bind(&spec.id)
                .bind(spec.version)
                .fetch_one(&mut *tx)
                .await?;
        return same_as(old, old_list);
    }
    let mut details = serde_json::json!({"version": spec.version, "sha256": sha, "source": source});
    if let Some((listed, digest)) = &list {
        details["list_sha256"] = digest.clone().into();
        details["list_entries"] = listed.len().into();
    }
    staff_log::record(
        &mut tx,
        by,
        "rule.loaded",
        &format!("rule/{}", spec.id),
        details,
        spec.tags.clone(),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

async fn locked(tx: &mut PgConnection, id: &str, version: i32) -> Result<RuleVersion> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM rule_versions WHERE rule_id = $1 AND version = $2 FOR UPDATE"
    ))
    .bind(id)
    .bind(version)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| RuleError::NotFound(id.to_string(), version))?;
    Ok(version_of(&row))
}

fn tags_of(v: &RuleVersion) -> Vec<String> {
    serde_json::from_value(v.spec["tags"].clone()).unwrap_or_default()
}

/// The first pair of eyes: a draft becomes approved.
pub async fn approve(pool: &PgPool, id: &str, version: i32, by: &str) -> Result<RuleVersion> {
    let mut tx = pool.begin().await?;
    let v = locked(&mut tx, id, version).await?;
    if v.state != "draft" {
        return Err(RuleError::WrongState {
            id: id.into(),
            version,
            state: v.state,
            expected: "draft",
        }
        .into());
    }
    sqlx::query(
        "UPDATE rule_versions SET state = 'approved', approved_by = $3, approved_at = now() \
         WHERE rule_id = $1 AND version = $2",
    )
    .bind(id)
    .bind(version)
    .bind(by)
    .execute(&mut *tx)
    .await?;
    staff_log::record(
        &mut tx,
        by,
        "rule.approved",
        &format!("rule/{id}"),
        serde_json::json!({"version": version, "sha256": v.sha256, "list_sha256": v.list_sha256}),
        tags_of(&v),
        None,
    )
    .await?;
    tx.commit().await?;
    get_version(pool, id, version).await
}

/// The second pair of eyes: an approved version becomes the rule's active
/// one (the previous active version retires) and every writer reloads.
pub async fn activate(pool: &PgPool, id: &str, version: i32, by: &str) -> Result<RuleVersion> {
    let mut tx = pool.begin().await?;
    // Every version of the rule, locked in one order: two activations of
    // the rule (of different versions) run one after the other, so the
    // second retires the first's instead of both finding no active version
    // and the second then breaking the one-active-version index.
    sqlx::query("SELECT version FROM rule_versions WHERE rule_id = $1 ORDER BY version FOR UPDATE")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let v = locked(&mut tx, id, version).await?;
    if v.state != "approved" {
        return Err(RuleError::WrongState {
            id: id.into(),
            version,
            state: v.state,
            expected: "approved",
        }
        .into());
    }
    if v.approved_by.as_deref() == Some(by) {
        return Err(RuleError::SamePerson(by.to_string()).into());
    }
    let retired: Vec<i32> = sqlx::query_scalar(
        "UPDATE rule_versions SET state = 'retired' WHERE rule_id = $1 AND state = 'active' RETURNING version",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE rule_versions SET state = 'active', activated_by = $3, activated_at = now() \
         WHERE rule_id = $1 AND version = $2",
    )
    .bind(id)
    .bind(version)
    .bind(by)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE rules_generation SET generation = generation + 1 WHERE id = 1")
        .execute(&mut *tx)
        .await?;
    staff_log::record(
        &mut tx,
        by,
        "rule.activated",
        &format!("rule/{id}"),
        serde_json::json!({"version": version, "sha256": v.sha256, "list_sha256": v.list_sha256,
            "approved_by": v.approved_by, "retired": retired}),
        tags_of(&v),
        None,
    )
    .await?;
    tx.commit().await?;
    get_version(pool, id, version).await
}

pub async fn get_version(pool: &PgPool, id: &str, version: i32) -> Result<RuleVersion> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM rule_versions WHERE rule_id = $1 AND version = $2"
    ))
    .bind(id)
    .bind(version)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| RuleError::NotFound(id.to_string(), version))?;
    Ok(version_of(&row))
}

/// Every version, or those of one rule, newest version first per rule.
pub async fn list(pool: &PgPool, id: Option<&str>) -> Result<Vec<RuleVersion>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM rule_versions WHERE $1::text IS NULL OR rule_id = $1 ORDER BY rule_id, version DESC"
    ))
    .bind(id)
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(version_of).collect())
}

/// The active versions, compiled with the sanctions lists stored with them
/// (a version loaded before lists were stored reads its file).
pub async fn active_rules(conn: &mut PgConnection) -> Result<Vec<CompiledRule>> {
    let rows: Vec<(serde_json::Value, Option<Vec<String>>)> =
        sqlx::query_as("SELECT spec, listed FROM rule_versions WHERE state = 'active' ORDER BY rule_id")
            .fetch_all(&mut *conn)
            .await?;
    rows.into_iter()
        .map(|(spec, listed)| {
            let spec: RuleSpec = serde_json::from_value(spec)?;
            match listed {
                Some(listed) => CompiledRule::with_list(spec, listed),
                None => CompiledRule::compile(spec),
            }
        })
        .collect()
}
