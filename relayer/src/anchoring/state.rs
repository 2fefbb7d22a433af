//! The relayer's memory, in PostgreSQL: every anchoring transaction it ever
//! signed, written before the broadcast so a crash cannot make it forget one.

use anyhow::Result;
use fog_merkle::Hash;
use sqlx::{PgConnection, PgPool, Row};

use super::target::SignedAnchor;

/// Created at start (the relayer owns this table; the indexer never reads it).
const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS relayer_anchors (
    id            bigserial PRIMARY KEY,
    target        text        NOT NULL,
    size          bigint      NOT NULL,
    root          bytea       NOT NULL,
    tx_hash       text        NOT NULL,
    raw_tx        bytea       NOT NULL,
    nonce         bigint      NOT NULL,
    status        text        NOT NULL CHECK (status IN ('broadcast', 'confirmed', 'failed')),
    height        bigint,
    gas_used      bigint,
    error         text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    settled_at    timestamptz
);
-- One live (broadcast or confirmed) anchoring per size and target: the
-- database itself refuses a second.
CREATE UNIQUE INDEX IF NOT EXISTS relayer_anchors_once
    ON relayer_anchors (target, size) WHERE status <> 'failed';
-- An EVM anchoring priced out by rising fees is re-signed with the same
-- nonce: `replaced` and `replaced_raw` keep the transactions it had before
-- (any one of them may still be the one mined), `signed_at` when it was
-- last signed. Added only when missing: ALTER TABLE locks the table even
-- when IF NOT EXISTS makes it a no-op, and this runs at every start.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM information_schema.columns
                   WHERE table_schema = current_schema() AND table_name = 'relayer_anchors'
                     AND column_name = 'replaced_raw') THEN
        ALTER TABLE relayer_anchors
            ADD COLUMN IF NOT EXISTS replaced text[] NOT NULL DEFAULT '{}',
            ADD COLUMN IF NOT EXISTS replaced_raw bytea[] NOT NULL DEFAULT '{}',
            ADD COLUMN IF NOT EXISTS signed_at timestamptz NOT NULL DEFAULT now();
    END IF;
END
$$;
"#;

/// The advisory lock that makes one relayer the writer (see DESIGN.md: one
/// signer per key, since account sequences are per key).
const WRITER_LOCK: i64 = 0x666f_675f_726c_7972; // "fog_rlyr"

/// One recorded anchoring.
#[derive(Debug, Clone, PartialEq)]
pub struct AnchorRow {
    pub id: i64,
    pub target: String,
    pub size: u64,
    pub root: Hash,
    pub tx: SignedAnchor,
    pub status: String,
    pub age_seconds: f64,
    /// Hashes of the transactions this one replaced (same nonce), oldest
    /// first.
    pub replaced: Vec<String>,
    /// Seconds since its transaction was (re-)signed.
    pub signed_age_seconds: f64,
}

pub async fn migrate(pool: &PgPool) -> Result<()> {
    sqlx::raw_sql(SCHEMA).execute(pool).await?;
    Ok(())
}

/// Waits until this process holds the writer lock, on a connection it keeps
/// for its life (the lock goes with it).
pub async fn acquire_writer(pool: &PgPool) -> Result<sqlx::pool::PoolConnection<sqlx::Postgres>> {
    let mut conn = pool.acquire().await?;
    loop {
        let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(WRITER_LOCK)
            .fetch_one(&mut *conn)
            .await?;
        if got {
            return Ok(conn);
        }
        tracing::info!("another relayer holds the writer lock; standing by");
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    }
}

/// Errors unless the writer lock's connection is still alive (a session's
/// advisory lock lasts exactly as long as its connection).
pub async fn still_writer(conn: &mut sqlx::PgConnection) -> Result<()> {
    sqlx::query("SELECT 1").execute(conn).await.map(|_| ()).map_err(|e| {
        anyhow::anyhow!(
            "lost the writer lock with its database connection ({e}); exiting, so that only one relayer signs"
        )
    })
}

fn row_of(r: &sqlx::postgres::PgRow) -> AnchorRow {
    let root: Vec<u8> = r.get("root");
    AnchorRow {
        id: r.get("id"),
        target: r.get("target"),
        size: r.get::<i64, _>("size") as u64,
        root: root.try_into().unwrap_or([0; 32]),
        tx: SignedAnchor {
            tx_hash: r.get("tx_hash"),
            raw: r.get("raw_tx"),
            nonce: r.get::<i64, _>("nonce") as u64,
        },
        status: r.get("status"),
        age_seconds: r.get("age"),
        replaced: r.get("replaced"),
        signed_age_seconds: r.get("signed_age"),
    }
}

const COLUMNS: &str = "id, target, size, root, tx_hash, raw_tx, nonce, status, \
     extract(epoch FROM now() - created_at)::float8 AS age, replaced, \
     extract(epoch FROM now() - signed_at)::float8 AS signed_age";

/// Anchorings of `target` broadcast but not yet settled.
pub async fn pending(pool: &PgPool, target: &str) -> Result<Vec<AnchorRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM relayer_anchors WHERE target = $1 AND status = 'broadcast' ORDER BY size"
    ))
    .bind(target)
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(row_of).collect())
}

/// Records a signed anchoring before it is broadcast. Fails (unique index)
/// if that size already has a live anchoring.
pub async fn record(conn: &mut PgConnection, target: &str, size: u64, root: &Hash, tx: &SignedAnchor) -> Result<i64> {
    let id = sqlx::query_scalar(
        "INSERT INTO relayer_anchors (target, size, root, tx_hash, raw_tx, nonce, status) \
         VALUES ($1, $2, $3, $4, $5, $6, 'broadcast') RETURNING id",
    )
    .bind(target)
    .bind(size as i64)
    .bind(root.to_vec())
    .bind(&tx.tx_hash)
    .bind(&tx.raw)
    .bind(tx.nonce as i64)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// Records anchoring `id` as mined by its transaction `tx_hash`: its
/// latest, or one it replaced, which then becomes its transaction (hash and
/// bytes) and the latest takes its place among the replaced.
pub async fn confirm(pool: &PgPool, id: i64, tx_hash: &str, height: u64, gas_used: u64) -> Result<()> {
    let mut tx = pool.begin().await?;
    let row =
        sqlx::query("SELECT tx_hash, raw_tx, replaced, replaced_raw FROM relayer_anchors WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
    let (latest, latest_raw): (String, Vec<u8>) = (row.get(0), row.get(1));
    let (mut replaced, mut replaced_raw): (Vec<String>, Vec<Vec<u8>>) = (row.get(2), row.get(3));
    let mut raw = latest_raw.clone();
    if latest != tx_hash {
        if let Some(i) = replaced.iter().position(|h| h == tx_hash) {
            if let Some(old_raw) = replaced_raw.get_mut(i) {
                raw = std::mem::replace(old_raw, latest_raw);
            }
            replaced[i] = latest;
        }
    }
    sqlx::query(
        "UPDATE relayer_anchors SET status = 'confirmed', height = $2, gas_used = $3, settled_at = now(), \
           tx_hash = $4, raw_tx = $5, replaced = $6, replaced_raw = $7 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(height as i64)
    .bind(gas_used as i64)
    .bind(tx_hash)
    .bind(&raw)
    .bind(&replaced)
    .bind(&replaced_raw)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Replaces anchoring `id`'s transaction by `tx` (same nonce, higher
/// fees), keeping the old one: recorded before `tx` is broadcast.
pub async fn replace(pool: &PgPool, id: i64, tx: &SignedAnchor) -> Result<()> {
    let done = sqlx::query(
        "UPDATE relayer_anchors SET replaced = replaced || tx_hash, replaced_raw = replaced_raw || raw_tx, \
           tx_hash = $2, raw_tx = $3, signed_at = now() \
         WHERE id = $1 AND status = 'broadcast' AND nonce = $4",
    )
    .bind(id)
    .bind(&tx.tx_hash)
    .bind(&tx.raw)
    .bind(tx.nonce as i64)
    .execute(pool)
    .await?;
    if done.rows_affected() != 1 {
        anyhow::bail!(
            "anchoring {id} is no longer in flight with nonce {}: not replaced",
            tx.nonce
        );
    }
    Ok(())
}

/// Undoes [`replace`] when the node refused the replacement outright (it
/// never reached a pool): the transaction before it is the latest again,
/// and the next re-pricing starts from it, not from the refused one.
pub async fn unreplace(pool: &PgPool, id: i64, refused_hash: &str) -> Result<()> {
    sqlx::query(
        "UPDATE relayer_anchors SET tx_hash = replaced[cardinality(replaced)], \
           raw_tx = replaced_raw[cardinality(replaced_raw)], \
           replaced = trim_array(replaced, 1), replaced_raw = trim_array(replaced_raw, 1) \
         WHERE id = $1 AND status = 'broadcast' AND tx_hash = $2 AND cardinality(replaced) > 0",
    )
    .bind(id)
    .bind(refused_hash)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn fail(pool: &PgPool, id: i64, error: &str) -> Result<()> {
    sqlx::query("UPDATE relayer_anchors SET status = 'failed', error = $2, settled_at = now() WHERE id = $1")
        .bind(id)
        .bind(error)
        .execute(pool)
        .await?;
    Ok(())
}

/// Confirmed anchorings of `target` above `held`, the size its chain holds
/// now, become `failed`: the chain lost them (a reorg deeper than the
/// confirmations, the contract redeployed at the same address), and their
/// live rows would refuse the same size's next anchoring for good. Only
/// rows confirmed over a minute ago: a state read from a node a block or
/// two behind the one that showed the transaction must not undo a fresh
/// confirmation. Returns how many.
pub async fn release_lost(pool: &PgPool, target: &str, held: u64) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE relayer_anchors SET status = 'failed', settled_at = now(), \
         error = 'confirmed, but the chain no longer holds it (a reorg past the confirmations, or the contract \
         deployed again)' \
         WHERE target = $1 AND status = 'confirmed' AND size > $2 AND settled_at < now() - interval '60 seconds'",
    )
    .bind(target)
    .bind(held as i64)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// Seconds since `target`'s last confirmed anchoring (`None` if never).
pub async fn since_last_confirmed(pool: &PgPool, target: &str) -> Result<Option<f64>> {
    Ok(sqlx::query_scalar(
        "SELECT extract(epoch FROM now() - max(settled_at))::float8 FROM relayer_anchors \
         WHERE target = $1 AND status = 'confirmed'",
    )
    .bind(target)
    .fetch_one(pool)
    .await?)
}

/// Every anchoring of every target, newest first: for `fog-relayer status`.
pub async fn history(pool: &PgPool, limit: i64) -> Result<Vec<serde_json::Value>> {
    let rows = sqlx::query(
        "SELECT target, size, encode(root, 'hex') AS root, tx_hash, status, height, gas_used, error, \
         created_at::text AS created_at FROM relayer_anchors ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            serde_json::json!({
                "target": r.get::<String, _>("target"),
                "size": r.get::<i64, _>("size"),
                "root": r.get::<String, _>("root"),
                "tx_hash": r.get::<String, _>("tx_hash"),
                "status": r.get::<String, _>("status"),
                "height": r.get::<Option<i64>, _>("height"),
                "gas_used": r.get::<Option<i64>, _>("gas_used"),
                "error": r.get::<Option<String>, _>("error"),
                "created_at": r.get::<String, _>("created_at"),
            })
        })
        .collect())
}
