//! KYC subjects: personal data the law lets the organisation hold, and
//! makes it erase. Records are sealed per subject ([`vault`]); the audit log
//! and the on-chain registry only ever see the subject id, the tier, the
//! address and a salted hash commitment. Erasure destroys the subject's key
//! (and the ciphertext) and vacuums both tables, so no copy remains in
//! dead tuples; the audit log, which never held the data, still verifies.

pub mod vault;

use anyhow::Result;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{PgPool, Row};
use utoipa::ToSchema;
use zeroize::Zeroizing;

use crate::cases::staff_log;
use vault::Sealed;
pub use vault::Vault;

/// Default retention: five years after the relationship (AML record keeping).
pub const DEFAULT_RETENTION_DAYS: i64 = 5 * 365;

#[derive(Debug, thiserror::Error)]
pub enum KycError {
    #[error("no KYC subject {0}")]
    NotFound(i64),
    #[error("KYC subject {0} was erased")]
    Erased(i64),
    #[error("{0}")]
    Invalid(String),
    /// The database role cannot purge what an erasure leaves (see
    /// [`can_purge`]): nothing is erased.
    #[error("{0}")]
    CannotPurge(String),
}

/// The personal data of a subject: only ever stored sealed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubjectData {
    pub name: String,
    /// YYYY-MM-DD.
    pub date_of_birth: String,
    /// SHA-256 (hex) of each identity document.
    #[serde(default)]
    pub document_hashes: Vec<String>,
    /// ISO 3166-1 alpha-2.
    pub jurisdiction: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSubject {
    /// The subject's on-chain address, if any.
    pub address: Option<String>,
    /// KYC tier 0-3 (what the registry receives).
    pub tier: i16,
    pub name: String,
    /// YYYY-MM-DD.
    pub date_of_birth: String,
    /// SHA-256 (hex) of each identity document.
    #[serde(default)]
    pub document_hashes: Vec<String>,
    /// ISO 3166-1 alpha-2.
    pub jurisdiction: String,
    /// Days to keep the record (1 to 36,500; default five years).
    pub retention_days: Option<i64>,
}

/// What may be shown without the data: the registry's view.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Subject {
    pub id: i64,
    pub address: Option<String>,
    pub tier: i16,
    /// sha256(salt || canonical record), hex: the registry's commitment.
    pub commitment: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub retain_until: DateTime<Utc>,
    pub erased_at: Option<DateTime<Utc>>,
    pub erasure_reason: Option<String>,
}

/// A subject with its decrypted data.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubjectRecord {
    #[serde(flatten)]
    pub subject: Subject,
    pub data: SubjectData,
}

/// The sealed payload: the data and the salt of its commitment.
#[derive(Serialize, Deserialize)]
struct Payload {
    data: SubjectData,
    salt: String,
}

impl NewSubject {
    fn data(&self) -> SubjectData {
        SubjectData {
            name: self.name.clone(),
            date_of_birth: self.date_of_birth.clone(),
            document_hashes: self.document_hashes.clone(),
            jurisdiction: self.jurisdiction.clone(),
        }
    }
}

fn validate(new: &NewSubject) -> Result<(), KycError> {
    let d = new;
    let bad = |m: &str| Err(KycError::Invalid(m.to_string()));
    if !(0..=3).contains(&new.tier) {
        return bad("tier must be 0 to 3");
    }
    if d.name.trim().is_empty() || d.name.chars().count() > 200 {
        return bad("name must be 1 to 200 characters");
    }
    if chrono::NaiveDate::parse_from_str(&d.date_of_birth, "%Y-%m-%d").is_err() {
        return bad("date_of_birth must be a date, YYYY-MM-DD");
    }
    if d.jurisdiction.len() != 2 || !d.jurisdiction.bytes().all(|b| b.is_ascii_uppercase()) {
        return bad("jurisdiction must be an ISO 3166-1 alpha-2 code, e.g. CH");
    }
    if d.document_hashes.len() > 20
        || !d
            .document_hashes
            .iter()
            .all(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return bad("document_hashes must be at most 20 SHA-256 hex digests");
    }
    if let Some(a) = &new.address {
        if a.len() > 128 || a.is_empty() || !a.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return bad("address must be a bech32 address");
        }
    }
    if let Some(days) = new.retention_days {
        if !(1..=36_500).contains(&days) {
            return bad("retention_days must be 1 to 36500");
        }
    }
    Ok(())
}

const COLUMNS: &str = "id, address, tier, commitment, created_by, created_at, retain_until, erased_at, erasure_reason";

fn subject_of(r: &sqlx::postgres::PgRow) -> Subject {
    Subject {
        id: r.get("id"),
        address: r.get("address"),
        tier: r.get("tier"),
        commitment: r.get("commitment"),
        created_by: r.get("created_by"),
        created_at: r.get("created_at"),
        retain_until: r.get("retain_until"),
        erased_at: r.get("erased_at"),
        erasure_reason: r.get("erasure_reason"),
    }
}

/// Seals and stores a new subject; logs it (without the data).
pub async fn create(pool: &PgPool, vault: &Vault, new: &NewSubject, by: &str) -> Result<Subject> {
    validate(new)?;
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let payload = Payload {
        data: new.data(),
        salt: hex::encode(salt),
    };
    let canonical = Zeroizing::new(serde_json_canonicalizer::to_vec(&payload.data)?);
    let mut hasher = Sha256::new();
    hasher.update(salt);
    hasher.update(canonical.as_slice());
    let commitment = hex::encode(hasher.finalize());
    let plain = Zeroizing::new(serde_json::to_vec(&payload)?);
    let retain_until = Utc::now() + Duration::days(new.retention_days.unwrap_or(DEFAULT_RETENTION_DAYS));

    let mut tx = pool.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO kyc_subjects (address, tier, commitment, nonce, ciphertext, created_by, retain_until) \
         VALUES ($1, $2, $3, '', '', $4, $5) RETURNING id",
    )
    .bind(&new.address)
    .bind(new.tier)
    .bind(&commitment)
    .bind(by)
    .bind(retain_until)
    .fetch_one(&mut *tx)
    .await?;
    let (key, wrapped) = vault.new_subject_key(id)?;
    let sealed = Vault::seal_record(&key, id, &plain)?;
    sqlx::query("UPDATE kyc_subjects SET nonce = $2, ciphertext = $3 WHERE id = $1")
        .bind(id)
        .bind(&sealed.nonce)
        .bind(&sealed.ciphertext)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO kyc_keys (subject_id, nonce, wrapped) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(&wrapped.nonce)
        .bind(&wrapped.ciphertext)
        .execute(&mut *tx)
        .await?;
    staff_log::record(
        &mut tx,
        by,
        "kyc.subject_created",
        &format!("kyc/{id}"),
        serde_json::json!({"tier": new.tier, "commitment": commitment, "address": new.address}),
        vec!["KYC".into(), "GDPR".into()],
        None,
    )
    .await?;
    tx.commit().await?;
    get(pool, id).await
}

pub async fn get(pool: &PgPool, id: i64) -> Result<Subject> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM kyc_subjects WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or(KycError::NotFound(id))?;
    Ok(subject_of(&row))
}

/// Subjects without their data, newest first, after `before` (an id).
pub async fn list(pool: &PgPool, before: Option<i64>, limit: i64) -> Result<Vec<Subject>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM kyc_subjects WHERE ($1::bigint IS NULL OR id < $1) ORDER BY id DESC LIMIT $2"
    ))
    .bind(before)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(subject_of).collect())
}

/// Decrypts a subject's data; every read is an audit record (who looked).
pub async fn read(pool: &PgPool, vault: &Vault, id: i64, by: &str) -> Result<SubjectRecord> {
    let subject = get(pool, id).await?;
    if subject.erased_at.is_some() {
        return Err(KycError::Erased(id).into());
    }
    let row = sqlx::query(
        "SELECT s.nonce, s.ciphertext, k.nonce AS key_nonce, k.wrapped FROM kyc_subjects s \
         JOIN kyc_keys k ON k.subject_id = s.id WHERE s.id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?
    .ok_or(KycError::Erased(id))?;
    let wrapped = Sealed {
        nonce: row.get("key_nonce"),
        ciphertext: row.get("wrapped"),
    };
    let sealed = Sealed {
        nonce: row.get("nonce"),
        ciphertext: row.get("ciphertext"),
    };
    let key = vault.unwrap_key(id, &wrapped)?;
    let plain = Vault::open_record(&key, id, &sealed)?;
    let payload: Payload = serde_json::from_slice(&plain)?;
    let mut tx = pool.begin().await?;
    staff_log::record(
        &mut tx,
        by,
        "kyc.subject_read",
        &format!("kyc/{id}"),
        serde_json::json!({}),
        vec!["KYC".into(), "GDPR".into()],
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(SubjectRecord {
        subject,
        data: payload.data,
    })
}

/// The longest erasure reason, in characters.
pub const MAX_REASON: usize = 512;

/// An erasure reason is kept (and logged) for good: 1 to [`MAX_REASON`]
/// characters (not bytes), none of them a control character (PostgreSQL
/// stores no NUL; a reason is one line).
fn check_reason(reason: &str) -> Result<(), KycError> {
    let n = reason.chars().count();
    if reason.trim().is_empty() || n > MAX_REASON || reason.chars().any(char::is_control) {
        return Err(KycError::Invalid(format!(
            "reason must be 1 to {MAX_REASON} characters, none of them a control character"
        )));
    }
    Ok(())
}

/// Destroys the subject's key and ciphertext (GDPR art. 17 / CCPA
/// deletion), logs it, and purges the key table's file (`vacuum`).
pub async fn erase(pool: &PgPool, id: i64, reason: &str, by: &str) -> Result<Subject> {
    erase_unpurged(pool, id, reason, by).await?;
    vacuum(pool).await?;
    get(pool, id).await
}

/// [`erase`] without the purge, for callers that erase several subjects
/// and purge once after them.
async fn erase_unpurged(pool: &PgPool, id: i64, reason: &str, by: &str) -> Result<()> {
    check_reason(reason)?;
    can_purge(pool).await?;
    let mut tx = pool.begin().await?;
    let erased: Option<Option<DateTime<Utc>>> =
        sqlx::query_scalar("SELECT erased_at FROM kyc_subjects WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    match erased {
        None => return Err(KycError::NotFound(id).into()),
        Some(Some(_)) => return Err(KycError::Erased(id).into()),
        Some(None) => {}
    }
    sqlx::query("DELETE FROM kyc_keys WHERE subject_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE kyc_subjects SET nonce = NULL, ciphertext = NULL, erased_at = now(), erased_by = $2, \
         erasure_reason = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(by)
    .bind(reason)
    .execute(&mut *tx)
    .await?;
    staff_log::record(
        &mut tx,
        by,
        "kyc.subject_erased",
        &format!("kyc/{id}"),
        serde_json::json!({"reason": reason}),
        vec!["GDPR".into(), "CCPA".into(), "KYC".into()],
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The role that owns the KYC tables (migration 0021): only an owner's
/// VACUUM purges them.
const KYC_OWNER: &str = "fog_kyc_owner";

/// Whether this connection's role may become the KYC tables' owner, as the
/// VACUUM after an erasure needs; an erasure that could not purge is
/// refused before anything is deleted.
async fn can_purge(pool: &PgPool) -> Result<()> {
    let (user, member): (String, bool) =
        sqlx::query_as("SELECT current_user::text, pg_has_role(current_user, $1, 'MEMBER')")
            .bind(KYC_OWNER)
            .fetch_one(pool)
            .await?;
    if member {
        return Ok(());
    }
    Err(KycError::CannotPurge(format!(
        "the database role {user} cannot purge erased KYC data (VACUUM takes the tables' owner, {KYC_OWNER}): \
         connect as fog_service or another member of {KYC_OWNER}"
    ))
    .into())
}

/// Removes dead tuples (old key rows, old ciphertexts) from the heap, as
/// the tables' owner (the service role inherits nothing from it).
async fn vacuum(pool: &PgPool) -> Result<()> {
    use sqlx::{Connection, Executor};
    // A connection of its own, never handed back to the pool: a request cut
    // off mid-VACUUM (the API's timeout drops the future) would otherwise
    // return one still acting as the tables' owner, which may truncate or
    // drop them, and on which the service's own queries are refused.
    let mut conn = pool.acquire().await?.detach();
    // VACUUM refuses transaction blocks: the simple protocol (a statement
    // without arguments), one statement each, on one connection that holds
    // the role (never reset: the connection is closed after).
    let set_role = format!("SET ROLE {KYC_OWNER}");
    let mut done = Ok(());
    for statement in [
        set_role.as_str(),
        // VACUUM frees a dead tuple's space without zeroing it, and the
        // page's compaction moves no live row over the newest one, so a
        // plain VACUUM left an erased key's bytes in the file whenever it
        // was not alone on its page. FULL then rewrites the (small) key
        // table into a new file with the live rows only. FULL alone is not
        // enough: its horizon also counts snapshots a plain VACUUM may
        // ignore (other VACUUMs'), and what it cannot remove it copies.
        // The ciphertexts, useless without their keys, are only vacuumed.
        "VACUUM kyc_keys",
        "VACUUM FULL kyc_keys",
        "VACUUM kyc_subjects",
    ] {
        if let Err(e) = conn.execute(statement).await {
            done = Err(anyhow::Error::new(e).context(format!("purging erased KYC data: {statement}")));
            break;
        }
    }
    // Dropped, it closes too; closing says goodbye to the server first.
    let _ = conn.close().await;
    done
}

/// Erases every subject past its retention date; logs the run (also when
/// nothing expired). Returns the erased ids.
pub async fn run_retention(pool: &PgPool, by: &str) -> Result<Vec<i64>> {
    let due: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM kyc_subjects WHERE erased_at IS NULL AND retain_until < now() ORDER BY id")
            .fetch_all(pool)
            .await?;
    let mut erased = Vec::with_capacity(due.len());
    let mut failed = None;
    for id in due {
        match erase_unpurged(pool, id, "retention period expired", by).await {
            Ok(()) => erased.push(id),
            // Erased meanwhile by someone else: nothing left to do.
            Err(e) if matches!(e.downcast_ref::<KycError>(), Some(KycError::Erased(_))) => {}
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
    }
    // One purge for the whole run, also when it stopped early: what was
    // erased is purged either way.
    if !erased.is_empty() {
        vacuum(pool).await?;
    }
    if let Some(e) = failed {
        return Err(e);
    }
    let mut tx = pool.begin().await?;
    staff_log::record(
        &mut tx,
        by,
        "kyc.retention_run",
        "kyc/retention",
        serde_json::json!({"erased": erased}),
        vec!["GDPR".into(), "CCPA".into()],
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(erased)
}
