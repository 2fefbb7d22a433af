//! PostgreSQL through sqlx: migrations, the checkpoint, and the batch writer
//! that commits blocks, their events, the projections and the checkpoint in
//! one transaction (a crash anywhere leaves the database as of a whole
//! batch; a restart resumes after it).

mod batch;
pub mod binary_copy;
mod copy;
pub mod select;

use std::time::Duration;

use anyhow::{Context, Result};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Row};

use crate::project;
use crate::source::Block;
pub use batch::{FogEvent, PreparedBatch, RawRows};
pub use binary_copy::{BinaryCopy, BinaryReader};
pub use copy::CopyBuf;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// How fog creates its database: byte-order collation. What the indexes
/// order are addresses, hashes and event kinds (ASCII), which nothing
/// needs in a linguistic order (lookups are by equality, cursors follow
/// whatever order the database keeps); under `C` PostgreSQL compares them
/// with memcmp and abbreviated keys instead of strcoll (measured: the
/// replay 18% faster than under the server's default `C.UTF-8`).
pub const DATABASE_OPTIONS: &str = "TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C'";

/// The last committed block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub chain_id: String,
    pub height: u64,
    pub block_hash: String,
    pub protocol: String,
}

/// What a batch wrote.
#[derive(Debug, Default, Clone, Copy)]
pub struct BatchStats {
    pub blocks: usize,
    pub txs: usize,
    pub events: usize,
    pub attributes: usize,
    pub transfers: usize,
    pub fog_events: usize,
    pub spoofed: usize,
    /// Alerts the compliance rules raised (counted once committed).
    pub alerts: u64,
}

impl BatchStats {
    /// Rows written by COPY.
    pub fn rows(&self) -> usize {
        self.blocks + self.txs + self.events + self.attributes + self.transfers
    }
}

#[derive(Clone)]
pub struct Store {
    pub pool: PgPool,
    /// The compliance rules run on every batch.
    pub rules: crate::rules::Engine,
}

impl Store {
    /// Connects, creating the database first when it does not exist yet.
    pub async fn connect_or_create(url: &str) -> Result<Self> {
        let options: PgConnectOptions = url
            .parse()
            .with_context(|| format!("database URL {}", fog_relayer::redact::without_password(url)))?;
        if let Some(name) = options.get_database().map(str::to_string) {
            let admin = options.clone().database("postgres");
            if let Ok(mut conn) = sqlx::ConnectOptions::connect(&admin).await {
                let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
                    .bind(&name)
                    .fetch_one(&mut conn)
                    .await?;
                if !exists {
                    let quoted = name.replace('"', "\"\"");
                    sqlx::query(&format!("CREATE DATABASE \"{quoted}\" {DATABASE_OPTIONS}"))
                        .execute(&mut conn)
                        .await?;
                    tracing::info!(database = %name, "created the database");
                }
            }
        }
        Self::connect(url).await
    }

    /// Connects and applies the migrations.
    pub async fn connect(url: &str) -> Result<Self> {
        let store = Self::connect_unmigrated(url).await?;
        MIGRATOR.run(&store.pool).await.context("applying migrations")?;
        Ok(store)
    }

    /// Connects, leaving the schema as it is (tests of the migrations).
    pub async fn connect_unmigrated(url: &str) -> Result<Self> {
        let options: PgConnectOptions = url
            .parse()
            .with_context(|| format!("database URL {}", fog_relayer::redact::without_password(url)))?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .with_context(|| {
                format!(
                    "connecting to PostgreSQL at {}",
                    fog_relayer::redact::without_password(url)
                )
            })?;
        Ok(Self {
            pool,
            rules: Default::default(),
        })
    }

    /// The last block committed. It first waits for any batch still
    /// committing, e.g. that of an indexer killed right after it sent
    /// COMMIT, whose backend commits it anyway, and reads what that batch
    /// committed; a plain read would resume from the height before it and
    /// collide with its rows. The wait is a SHARE lock on the table, which
    /// conflicts with the lock a batch takes when it writes the checkpoint:
    /// a row lock (`FOR SHARE`) could not wait for the very first batch,
    /// whose checkpoint row is not visible until it commits.
    pub async fn checkpoint(&self) -> Result<Option<Checkpoint>> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("LOCK TABLE ingest_state IN SHARE MODE")
            .execute(&mut *tx)
            .await?;
        let row = sqlx::query("SELECT chain_id, height, block_hash, protocol FROM ingest_state WHERE id = 1")
            .fetch_optional(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(row.map(|r| Checkpoint {
            chain_id: r.get(0),
            height: r.get::<i64, _>(1) as u64,
            block_hash: r.get(2),
            protocol: r.get(3),
        }))
    }

    /// Writes a prepared batch (consecutive blocks, after the checkpoint)
    /// in one transaction with the checkpoint.
    pub async fn write_batch(&self, batch: PreparedBatch) -> Result<BatchStats> {
        let mut tx = self.pool.begin().await?;
        for (statement, buf) in batch.raw.tables() {
            project::copy(&mut tx, statement, buf).await?;
        }
        let mut projector = project::Projector::new();
        for event in batch.fog_events {
            projector.apply(&mut tx, event).await?;
        }
        projector.flush(&mut tx).await?;
        // Every governance action is an audit record, committed with its block.
        crate::audit::log::append(&mut tx, &batch.audit_entries).await?;
        // The rules see the batch's rows and write their alerts with them.
        let last = &batch.last;
        let alerts = self
            .rules
            .evaluate(&mut tx, batch.first_height as i64, last.height as i64)
            .await?;
        sqlx::query(
            "INSERT INTO ingest_state (id, chain_id, height, block_hash, protocol, updated_at)
             VALUES (1, $1, $2, $3, $4, now())
             ON CONFLICT (id) DO UPDATE SET chain_id = $1, height = $2, block_hash = $3, protocol = $4, updated_at = now()",
        )
        .bind(&last.chain_id)
        .bind(last.height as i64)
        .bind(&last.block_hash)
        .bind(&last.protocol)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(BatchStats { alerts, ..batch.stats })
    }
}

/// The single-writer lock: a session-level PostgreSQL advisory lock held on
/// its own connection for as long as the returned value lives. A second
/// indexer waits here as a standby and takes over when the writer dies.
pub async fn writer_lock(store: &Store) -> Result<sqlx::pool::PoolConnection<sqlx::Postgres>> {
    writer_lock_waiting(store, true).await
}

/// The single-writer lock for a one-off writer (`fog-indexer replay`):
/// refused at once, not waited for, while another indexer writes.
pub async fn writer_lock_now(store: &Store) -> Result<sqlx::pool::PoolConnection<sqlx::Postgres>> {
    writer_lock_waiting(store, false).await
}

async fn writer_lock_waiting(store: &Store, wait: bool) -> Result<sqlx::pool::PoolConnection<sqlx::Postgres>> {
    const KEY: i64 = 0x666f_675f_6978; // "fog_ix"
    let mut conn = store.pool.acquire().await?;
    let mut waited = false;
    loop {
        let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(KEY)
            .fetch_one(&mut *conn)
            .await?;
        if got {
            if waited {
                tracing::info!("took over as the writer");
            }
            return Ok(conn);
        }
        if !wait {
            anyhow::bail!("another indexer is writing to this database; stop it first");
        }
        if !waited {
            tracing::info!("another indexer is writing; standing by");
            waited = true;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// An error retrying cannot fix: the node serves another chain, a block
/// does not extend the stored chain, a fog event of the deployment does not
/// decode. The tail stops on it instead of retrying forever.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Fatal(pub String);

impl Fatal {
    /// Whether `e`, or an error it wraps, is one.
    pub fn is(e: &anyhow::Error) -> bool {
        e.chain().any(|cause| cause.is::<Fatal>())
    }
}

/// Refuses a block that does not extend `previous_hash`.
pub fn check_continuity(previous_height: u64, previous_hash: &str, block: &Block) -> Result<()> {
    if block.height != previous_height + 1 {
        return Err(Fatal(format!("expected block {}, got {}", previous_height + 1, block.height)).into());
    }
    if !previous_hash.is_empty() && !block.last_block_hash.eq_ignore_ascii_case(previous_hash) {
        return Err(Fatal(format!(
            "chain continuity broken at height {}: its last_block_id.hash is {} but the stored block {} has hash {}",
            block.height, block.last_block_hash, previous_height, previous_hash
        ))
        .into());
    }
    Ok(())
}
