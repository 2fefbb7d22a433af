//! Bearer tokens of the compliance staff: issued once (only a SHA-256
//! digest is stored), expiring, revocable; every issue and revocation is an
//! audit record.

use anyhow::Result;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::json;
use sqlx::{PgPool, Row};

use super::roles::Role;
use crate::audit::record::sha256;
use crate::audit::{log, Entry};

/// Every token starts with this, so secret scanners can find leaked ones.
pub const TOKEN_PREFIX: &str = "fog_";
/// The longest a token may live.
pub const MAX_DAYS: i64 = 366;

/// Who is calling: the holder of a valid token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Caller {
    pub token_id: i64,
    pub name: String,
    pub role: Role,
}

/// A token's metadata (never the token).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub role: Role,
    /// The token's first characters, to tell tokens apart.
    pub prefix: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A newly issued token: the only time the secret is seen.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Issued {
    pub token: String,
    #[serde(flatten)]
    pub info: TokenInfo,
}

/// Why a token was not accepted (all answered alike: 401).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejected {
    Unknown,
    Expired,
    Revoked,
}

/// Why a token could not be issued or revoked.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("name must be 1 to 64 characters of a-z, 0-9, '.', '_' and '-', starting with a letter or digit")]
    BadName,
    #[error("days must be between 1 and {MAX_DAYS}")]
    BadDays,
    #[error("token {0} does not exist")]
    NotFound(i64),
    #[error("token {0} is already revoked")]
    AlreadyRevoked(i64),
}

fn valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'.' | b'_' | b'-'))
}

pub fn digest(token: &str) -> [u8; 32] {
    sha256(token.as_bytes())
}

fn info(r: &sqlx::postgres::PgRow) -> TokenInfo {
    TokenInfo {
        id: r.get("id"),
        name: r.get("name"),
        role: r.get::<String, _>("role").parse().unwrap_or(Role::Auditor),
        prefix: r.get("prefix"),
        created_by: r.get("created_by"),
        created_at: r.get("created_at"),
        expires_at: r.get("expires_at"),
        revoked_at: r.get("revoked_at"),
    }
}

/// Issues a token for `name` with `role`, valid `days` days.
pub async fn issue(pool: &PgPool, name: &str, role: Role, days: i64, by: &str) -> Result<Issued> {
    if !valid_name(name) {
        return Err(TokenError::BadName.into());
    }
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(TokenError::BadDays.into());
    }
    let secret: [u8; 32] = rand::random();
    let token = format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(secret));
    let prefix = token[..TOKEN_PREFIX.len() + 6].to_string();
    let expires_at = Utc::now() + Duration::days(days);
    let mut tx = pool.begin().await?;
    let row = sqlx::query(
        "INSERT INTO api_tokens (name, role, token_hash, prefix, created_by, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         RETURNING id, name, role, prefix, created_by, created_at, expires_at, revoked_at",
    )
    .bind(name)
    .bind(role.as_str())
    .bind(digest(&token).to_vec())
    .bind(&prefix)
    .bind(by)
    .bind(expires_at)
    .fetch_one(&mut *tx)
    .await?;
    let info = info(&row);
    log::append(
        &mut tx,
        &[Entry {
            time: Utc::now(),
            actor: by.to_string(),
            action: "staff.token_issued".into(),
            subject: format!("staff/{name}"),
            details: json!({ "token_id": info.id, "role": role, "prefix": prefix, "expires_at": info.expires_at }),
            tags: vec!["SOX".into()],
        }],
    )
    .await?;
    tx.commit().await?;
    Ok(Issued { token, info })
}

/// The caller a token stands for, or why it does not.
pub async fn authenticate(pool: &PgPool, token: &str) -> Result<Result<Caller, Rejected>> {
    Ok(authenticate_digest(pool, &digest(token))
        .await?
        .map(|(caller, _)| caller))
}

/// [`authenticate`] by the token's digest, with the token's expiry.
pub async fn authenticate_digest(
    pool: &PgPool,
    digest: &[u8; 32],
) -> Result<Result<(Caller, chrono::DateTime<chrono::Utc>), Rejected>> {
    let row = sqlx::query(
        "SELECT id, name, role, expires_at, expires_at <= now() AS expired, revoked_at IS NOT NULL AS revoked \
         FROM api_tokens WHERE token_hash = $1",
    )
    .bind(digest.to_vec())
    .fetch_optional(pool)
    .await?;
    let Some(r) = row else {
        return Ok(Err(Rejected::Unknown));
    };
    if r.get::<bool, _>("revoked") {
        return Ok(Err(Rejected::Revoked));
    }
    if r.get::<bool, _>("expired") {
        return Ok(Err(Rejected::Expired));
    }
    let role = r.get::<String, _>("role").parse().map_err(anyhow::Error::msg)?;
    Ok(Ok((
        Caller {
            token_id: r.get("id"),
            name: r.get("name"),
            role,
        },
        r.get("expires_at"),
    )))
}

/// Every token, newest first.
pub async fn list(pool: &PgPool) -> Result<Vec<TokenInfo>> {
    let rows = sqlx::query(
        "SELECT id, name, role, prefix, created_by, created_at, expires_at, revoked_at FROM api_tokens ORDER BY id DESC",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(info).collect())
}

/// Revokes token `id`.
pub async fn revoke(pool: &PgPool, id: i64, by: &str) -> Result<TokenInfo> {
    let mut tx = pool.begin().await?;
    let row = sqlx::query(
        "SELECT id, name, role, prefix, created_by, created_at, expires_at, revoked_at FROM api_tokens \
         WHERE id = $1 FOR UPDATE",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(TokenError::NotFound(id))?;
    if info(&row).revoked_at.is_some() {
        return Err(TokenError::AlreadyRevoked(id).into());
    }
    let row = sqlx::query(
        "UPDATE api_tokens SET revoked_at = now(), revoked_by = $2 WHERE id = $1 \
         RETURNING id, name, role, prefix, created_by, created_at, expires_at, revoked_at",
    )
    .bind(id)
    .bind(by)
    .fetch_one(&mut *tx)
    .await?;
    let revoked = info(&row);
    log::append(
        &mut tx,
        &[Entry {
            time: Utc::now(),
            actor: by.to_string(),
            action: "staff.token_revoked".into(),
            subject: format!("staff/{}", revoked.name),
            details: json!({ "token_id": id, "prefix": revoked.prefix }),
            tags: vec!["SOX".into()],
        }],
    )
    .await?;
    tx.commit().await?;
    Ok(revoked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_plain() {
        assert!(valid_name("ana"));
        assert!(valid_name("ana.lopez-2"));
        assert!(!valid_name(""));
        assert!(!valid_name("Ana"));
        assert!(!valid_name("-ana"));
        assert!(!valid_name("ana lopez"));
        assert!(!valid_name(&"a".repeat(65)));
    }
}
