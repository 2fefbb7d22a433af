//! Registering model lineage: an in-toto Statement v1 with a SLSA
//! provenance predicate (as `fog lineage run complete` writes it) is checked,
//! stored, and appended to the audit log: one record for the model's
//! lineage, one for each dataset seen for the first time.

use anyhow::Result;
use chrono::Utc;
use serde::Serialize;
use serde_json::{json, Value};
use sqlx::{PgPool, Row};

use crate::audit::record::sha256;
use crate::audit::{log, Entry};

pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
pub const PREDICATE_TYPE: &str = "https://slsa.dev/provenance/v1";
/// Lineage concerns the controls over financial-reporting models (SOX) and,
/// for crypto-asset services, MiCA's governance arrangements.
const TAGS: &[&str] = &["SOX", "MiCA"];

/// What is wrong with a statement, in words its author can act on.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct Invalid(pub String);

/// A digest named in a statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Named {
    pub name: String,
    pub sha256: String,
}

/// The parts of a statement the indexer keeps apart from the JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub canonical: Vec<u8>,
    pub record_hash: [u8; 32],
    pub model: Named,
    pub datasets: Vec<Named>,
    pub reproducibility_hash: Option<String>,
}

fn sha256_of(descriptor: &Value, what: &str) -> Result<String, Invalid> {
    let digest = descriptor["digest"]["sha256"]
        .as_str()
        .ok_or_else(|| Invalid(format!("{what} has no digest.sha256")))?;
    if digest.len() != 64 || !digest.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) {
        return Err(Invalid(format!(
            "{what}'s digest.sha256 is not 64 lowercase hex characters"
        )));
    }
    Ok(digest.to_string())
}

/// Checks the statement's shape and computes its record hash: SHA-256 of
/// its RFC 8785 canonical form, the hash the release gate approves.
pub fn check(statement: &Value) -> Result<Checked, Invalid> {
    if statement["_type"] != STATEMENT_TYPE {
        return Err(Invalid(format!("_type must be {STATEMENT_TYPE:?}")));
    }
    if statement["predicateType"] != PREDICATE_TYPE {
        return Err(Invalid(format!("predicateType must be {PREDICATE_TYPE:?}")));
    }
    let subject = statement["subject"]
        .as_array()
        .and_then(|s| s.first())
        .ok_or_else(|| Invalid("subject must list the model".into()))?;
    let model = Named {
        name: subject["name"].as_str().unwrap_or_default().to_string(),
        sha256: sha256_of(subject, "subject[0]")?,
    };
    let predicate = &statement["predicate"];
    let mut datasets = Vec::new();
    if let Some(deps) = predicate["buildDefinition"]["resolvedDependencies"].as_array() {
        for (i, d) in deps.iter().enumerate() {
            if d["annotations"]["kind"] == "dataset" {
                datasets.push(Named {
                    name: d["name"].as_str().unwrap_or_default().to_string(),
                    sha256: sha256_of(d, &format!("resolvedDependencies[{i}]"))?,
                });
            }
        }
    }
    datasets.sort_by(|a, b| a.sha256.cmp(&b.sha256));
    datasets.dedup_by(|a, b| a.sha256 == b.sha256);
    let reproducibility_hash = predicate["runDetails"]["byproducts"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|b| b["name"] == "reproducibility-hash")
        .map(|b| sha256_of(b, "the reproducibility-hash byproduct"))
        .transpose()?;
    let canonical =
        serde_json_canonicalizer::to_vec(statement).map_err(|e| Invalid(format!("not canonicalizable: {e}")))?;
    Ok(Checked {
        record_hash: sha256(&canonical),
        canonical,
        model,
        datasets,
        reproducibility_hash,
    })
}

/// A registered record, as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Registered {
    pub record_hash: String,
    pub model_name: String,
    pub model_sha256: String,
    pub reproducibility_hash: Option<String>,
    #[schema(value_type = Vec<Object>)]
    pub datasets: Vec<Value>,
    /// The audit-log record of this registration.
    pub audit_seq: u64,
    pub registered_by: String,
    pub registered_at: String,
    /// The statement as registered.
    #[schema(value_type = Object)]
    pub statement: Value,
}

/// A digest `check` has already found to be 64 hex characters.
fn unhex(s: &str) -> Result<Vec<u8>> {
    hex::decode(s).map_err(|e| anyhow::anyhow!("digest {s:?} is not hex: {e}"))
}

/// Stores the statement and appends its audit records, unless it is
/// already registered. Returns it and whether it was new.
pub async fn register(pool: &PgPool, statement: &Value, actor: &str) -> Result<(Registered, bool)> {
    let checked = check(statement)?;
    if let Some(existing) = get(pool, &hex::encode(checked.record_hash)).await? {
        return Ok((existing, false));
    }
    let mut tx = pool.begin().await?;
    // The audit head's row lock serialises registrations with each other and
    // with the indexer's appends; check again under it.
    sqlx::query("SELECT 1 FROM audit_head WHERE id = 1 FOR UPDATE")
        .execute(&mut *tx)
        .await?;
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM lineage_records WHERE record_hash = $1)")
        .bind(checked.record_hash.to_vec())
        .fetch_one(&mut *tx)
        .await?;
    if exists {
        tx.rollback().await?;
        let existing = get(pool, &hex::encode(checked.record_hash)).await?;
        return Ok((existing.expect("registered by another request"), false));
    }
    let mut new_datasets = Vec::new();
    for d in &checked.datasets {
        let seen: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM lineage_datasets WHERE sha256 = $1)")
            .bind(unhex(&d.sha256)?)
            .fetch_one(&mut *tx)
            .await?;
        if !seen {
            new_datasets.push(d.clone());
        }
    }
    let now = Utc::now();
    let record_hash = hex::encode(checked.record_hash);
    let tags: Vec<String> = TAGS.iter().map(|t| t.to_string()).collect();
    let mut entries = vec![Entry {
        time: now,
        actor: actor.to_string(),
        action: "lineage.registered".into(),
        subject: format!("model/{}", checked.model.sha256),
        details: json!({
            "record_hash": record_hash,
            "model": checked.model,
            "datasets": checked.datasets,
            "reproducibility_hash": checked.reproducibility_hash,
        }),
        tags: tags.clone(),
    }];
    for d in &new_datasets {
        entries.push(Entry {
            time: now,
            actor: actor.to_string(),
            action: "dataset.registered".into(),
            subject: format!("dataset/{}", d.sha256),
            details: json!({ "name": d.name, "sha256": d.sha256, "first_record": record_hash }),
            tags: tags.clone(),
        });
    }
    let appended = log::append(&mut tx, &entries).await?;
    sqlx::query(
        "INSERT INTO lineage_records (record_hash, model_sha256, model_name, reproducibility_hash, statement, \
         canonical, audit_seq, registered_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(checked.record_hash.to_vec())
    .bind(unhex(&checked.model.sha256)?)
    .bind(&checked.model.name)
    .bind(checked.reproducibility_hash.as_deref().map(unhex).transpose()?)
    .bind(statement)
    .bind(&checked.canonical)
    .bind(appended.first_seq as i64)
    .bind(actor)
    .execute(&mut *tx)
    .await?;
    for d in &checked.datasets {
        sqlx::query("INSERT INTO lineage_record_datasets (record_hash, sha256, name) VALUES ($1, $2, $3)")
            .bind(checked.record_hash.to_vec())
            .bind(unhex(&d.sha256)?)
            .bind(&d.name)
            .execute(&mut *tx)
            .await?;
    }
    for (i, d) in new_datasets.iter().enumerate() {
        sqlx::query("INSERT INTO lineage_datasets (sha256, name, first_record, audit_seq) VALUES ($1, $2, $3, $4)")
            .bind(unhex(&d.sha256)?)
            .bind(&d.name)
            .bind(checked.record_hash.to_vec())
            .bind((appended.first_seq + 1 + i as u64) as i64)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    let registered = get(pool, &record_hash).await?.expect("just registered");
    Ok((registered, true))
}

const SELECT: &str = "SELECT encode(r.record_hash, 'hex') AS record_hash, r.model_name, \
    encode(r.model_sha256, 'hex') AS model_sha256, encode(r.reproducibility_hash, 'hex') AS repro, \
    r.audit_seq, r.registered_by, to_char(r.registered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS at, \
    r.statement, \
    (SELECT coalesce(jsonb_agg(jsonb_build_object('name', d.name, 'sha256', encode(d.sha256, 'hex')) \
       ORDER BY d.sha256), '[]'::jsonb) FROM lineage_record_datasets d WHERE d.record_hash = r.record_hash) AS datasets \
    FROM lineage_records r";

fn registered(r: &sqlx::postgres::PgRow) -> Registered {
    Registered {
        record_hash: r.get("record_hash"),
        model_name: r.get("model_name"),
        model_sha256: r.get("model_sha256"),
        reproducibility_hash: r.get("repro"),
        datasets: match r.get::<Value, _>("datasets") {
            Value::Array(a) => a,
            _ => Vec::new(),
        },
        audit_seq: r.get::<i64, _>("audit_seq") as u64,
        registered_by: r.get("registered_by"),
        registered_at: r.get("at"),
        statement: r.get("statement"),
    }
}

/// One record by its hash (lowercase hex).
pub async fn get(pool: &PgPool, record_hash: &str) -> Result<Option<Registered>> {
    let row = sqlx::query(&format!("{SELECT} WHERE r.record_hash = $1"))
        .bind(unhex(record_hash)?)
        .fetch_optional(pool)
        .await?;
    Ok(row.as_ref().map(registered))
}

/// Records of a model (by the model file's sha256), newest (largest audit
/// sequence) first: at most `limit` of those logged before audit record
/// `before` (all when `None`).
pub async fn of_model(pool: &PgPool, model_sha256: &str, before: Option<i64>, limit: i64) -> Result<Vec<Registered>> {
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE r.model_sha256 = $1 AND ($2::bigint IS NULL OR r.audit_seq < $2) \
         ORDER BY r.audit_seq DESC LIMIT $3"
    ))
    .bind(unhex(model_sha256)?)
    .bind(before)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(registered).collect())
}
