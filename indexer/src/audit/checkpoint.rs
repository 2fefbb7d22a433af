//! Publishing signed checkpoints of the log.

use anyhow::{bail, Result};
use sqlx::{PgPool, Row};

use super::note::{self, Checkpoint, NoteSigner};
use super::{log, tree};

/// A published checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Published {
    pub size: u64,
    pub root: String,
    pub note: String,
    /// When it was signed, in seconds since the Unix epoch.
    pub timestamp: u64,
}

/// Signs and stores a checkpoint of the current size, unless the log did not
/// grow since the last one. Returns it when one was published.
pub async fn publish(pool: &PgPool, signer: &NoteSigner, origin: &str) -> Result<Option<Published>> {
    let mut tx = pool.begin().await?;
    let size = log::size(&mut tx).await?;
    let last: Option<(i64, String)> =
        sqlx::query_as("SELECT size, note FROM audit_checkpoints ORDER BY size DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
    if let Some((_, note)) = &last {
        // Checkpoints are append-only: one signed under another origin
        // would make the log fail verification for good.
        let signed_as = note::unverified(note)?.origin;
        if signed_as != origin {
            bail!(
                "the log's checkpoints are of origin {signed_as:?}: publishing as {origin:?} would mix two logs' names in one (keep --audit-origin {signed_as:?})"
            );
        }
    }
    if let Some((l, _)) = last.as_ref().filter(|(l, _)| *l as u64 > size) {
        bail!(
            "the latest checkpoint is of size {l}, beyond the log's {size} records: the checkpoints are not this log's"
        );
    }
    if size == 0 || last.is_some_and(|(l, _)| l as u64 >= size) {
        return Ok(None);
    }
    let root = tree::root(&mut tx, size).await?;
    let checkpoint = Checkpoint {
        origin: origin.to_string(),
        size,
        root,
    };
    // Stored for good: a note no verifier can read back (an empty origin,
    // one with a line break) would fail every later publication.
    if note::parse_body(&checkpoint.body()).ok().as_ref() != Some(&checkpoint) {
        bail!("the origin {origin:?} does not make a checkpoint that reads back: one line of printable text");
    }
    let note = signer.sign(&checkpoint);
    let timestamp: i64 = sqlx::query_scalar(
        "INSERT INTO audit_checkpoints (size, root, time, note) VALUES ($1, $2, now(), $3) \
         RETURNING extract(epoch FROM time)::bigint",
    )
    .bind(size as i64)
    .bind(root.to_vec())
    .bind(&note)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(Published {
        size,
        root: hex::encode(root),
        note,
        timestamp: timestamp as u64,
    }))
}

/// The latest published checkpoint.
pub async fn latest(pool: &PgPool) -> Result<Option<Published>> {
    let row = sqlx::query(
        "SELECT size, root, note, extract(epoch FROM time)::bigint FROM audit_checkpoints ORDER BY size DESC LIMIT 1",
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| Published {
        size: r.get::<i64, _>(0) as u64,
        root: hex::encode(r.get::<Vec<u8>, _>(1)),
        note: r.get(2),
        timestamp: r.get::<i64, _>(3) as u64,
    }))
}
