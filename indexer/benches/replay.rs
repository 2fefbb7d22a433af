//! Replay throughput against PostgreSQL's own COPY ceiling, in one run.
//!
//! 1. A synthetic history of at least 1,000,000 event attribute rows
//!    (`fog_indexer::synth`), recorded as gzipped RPC answers, is replayed
//!    into a fresh database by the same code path as `fog-indexer replay`
//!    (read, decode, select, COPY raw rows, project, log every governance
//!    event in the audit log, checkpoint). Rows written: every row of the
//!    raw tables, the projections' tables and the audit log (its records
//!    and stored tree hashes); `locks` is a view and not counted.
//! 2. The same attribute rows are then COPYed, in 10,000-row batches, into
//!    an unindexed table of the same shape: the ceiling of the narrowest
//!    rows.
//! 3. Every row the replay wrote (all tables, the audit log's included) is
//!    read back and COPYed, binary, into unindexed tables of the same
//!    shapes in one transaction: the ceiling over the same rows.
//!
//! Also reported: the CPU time PostgreSQL's processes and the indexer's
//! spent during the replay (Linux `/proc`), which says which side bounds it.
//!
//! `cargo bench -p fog-indexer --bench replay` (env BLOCKS, EVENTS_PER_BLOCK).

use std::time::Instant;

use fog_indexer::ingest::{Ingest, Options};
use fog_indexer::source::DirSource;
use fog_indexer::store::CopyBuf;
use fog_indexer::synth;
use fog_indexer::testing::{self, TestDb};
use sqlx::Row;

// The indexer's allocator, as in its binary.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let blocks = env("BLOCKS", 3_500);
    let per_block = env("EVENTS_PER_BLOCK", 25) as usize;
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let dir = std::path::PathBuf::from(target).join(format!("bench-data/replay-{blocks}x{per_block}"));
    let attributes = if dir.join(format!("block_{blocks}.json.gz")).exists() {
        None
    } else {
        let t = Instant::now();
        let n = synth::write_history(&dir, blocks, per_block)?;
        eprintln!(
            "generated {blocks} blocks ({n} attribute rows) in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        Some(n)
    };

    // The decoding side alone: read, gunzip, parse and decode every block.
    let source = DirSource::open(&dir, "inj")?;
    let t = Instant::now();
    for h in 1..=blocks {
        use fog_indexer::source::BlockSource;
        std::hint::black_box(source.fetch(h).await?);
    }
    let decode_s = t.elapsed().as_secs_f64();

    let db = TestDb::new().await?;
    let ingest = Ingest::new(
        DirSource::open(&dir, "inj")?,
        db.store.clone(),
        synth::watched(),
        Options {
            progress: false,
            ..Options::default()
        },
    );
    // Every timed phase starts from a checkpoint, so none pays for the
    // dirty pages and WAL of the phase before it.
    sqlx::query("CHECKPOINT").execute(&db.store.pool).await?;
    let (server_cpu, client_cpu) = (testing::postgres_cpu_seconds(), testing::own_cpu_seconds());
    let t = Instant::now();
    ingest.run_to(None).await?;
    let replay_s = t.elapsed().as_secs_f64();
    let server_cpu = testing::postgres_cpu_seconds() - server_cpu;
    let client_cpu = testing::own_cpu_seconds() - client_cpu;

    let pool = &db.store.pool;
    let mut rows_total = 0i64;
    let mut counts = vec![];
    for table in [
        "blocks",
        "txs",
        "events",
        "event_attributes",
        "transfers",
        "lock_history",
        "votes",
        "audit_records",
    ] {
        let n: i64 = sqlx::query(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(pool)
            .await?
            .get(0);
        rows_total += n;
        counts.push((table, n));
    }
    let attr_rows = counts
        .iter()
        .find(|(t, _)| *t == "event_attributes")
        .map(|(_, n)| *n)
        .unwrap_or(0);
    if let Some(n) = attributes {
        assert_eq!(n as i64, attr_rows, "every attribute row written once");
    }

    // The ceiling: the same attribute rows, plain COPY into an unindexed table.
    sqlx::query("CREATE UNLOGGED TABLE IF NOT EXISTS ceiling_probe (x int)")
        .execute(pool)
        .await?;
    sqlx::query("CREATE TABLE copy_ceiling (height bigint, seq integer, idx smallint, key text, value text)")
        .execute(pool)
        .await?;
    // The rows as a client holds them before writing; timing starts with
    // their formatting, as it does for the indexer's own COPY.
    let rows: Vec<(i64, i32, i16, String, String)> =
        sqlx::query_as("SELECT height, seq, idx, key, value FROM event_attributes")
            .fetch_all(pool)
            .await?;
    let mut conn = pool.acquire().await?;
    sqlx::query("CHECKPOINT").execute(&mut *conn).await?;
    let t = Instant::now();
    for chunk in rows.chunks(10_000) {
        let mut buf = CopyBuf::new();
        for (h, seq, idx, k, v) in chunk {
            buf.num(h).num(seq).num(idx).text(k).text(v);
            buf.end_row();
        }
        let mut c = conn.copy_in_raw("COPY copy_ceiling FROM STDIN").await?;
        c.send(buf.as_bytes()).await?;
        c.finish().await?;
    }
    let ceiling_s = t.elapsed().as_secs_f64();
    drop(conn);

    // The ceiling over all the same rows: every row the replay wrote, read
    // back (binary) and COPYed, binary, into unindexed tables of the same
    // shapes (`LIKE`: columns and NOT NULL only), one transaction.
    let mut dumps = Vec::new();
    for (table, _) in &counts {
        let mut conn = pool.acquire().await?;
        let mut out = conn
            .copy_out_raw(&format!("COPY {table} TO STDOUT (FORMAT binary)"))
            .await?;
        let mut bytes = Vec::new();
        while let Some(chunk) = futures::StreamExt::next(&mut out).await {
            bytes.extend_from_slice(&chunk?);
        }
        drop(out);
        sqlx::query(&format!("CREATE TABLE ceiling_{table} (LIKE {table})"))
            .execute(&mut *conn)
            .await?;
        dumps.push((table, bytes));
    }
    sqlx::query("CHECKPOINT").execute(pool).await?;
    let t = Instant::now();
    let mut tx = pool.begin().await?;
    for (table, bytes) in &dumps {
        let mut c = tx
            .copy_in_raw(&format!("COPY ceiling_{table} FROM STDIN (FORMAT binary)"))
            .await?;
        c.send(bytes.as_slice()).await?;
        c.finish().await?;
    }
    tx.commit().await?;
    let all_ceiling_s = t.elapsed().as_secs_f64();

    let replay_attr_rate = attr_rows as f64 / replay_s;
    let replay_all_rate = rows_total as f64 / replay_s;
    let ceiling_rate = rows.len() as f64 / ceiling_s;
    println!("decode only (one core): {decode_s:.2} s");
    println!("replay: {blocks} blocks, {rows_total} rows ({attr_rows} attribute rows) in {replay_s:.2} s");
    println!(
        "  CPU during the replay: PostgreSQL {server_cpu:.2} s (every postgres process), the indexer {client_cpu:.2} s"
    );
    for (table, n) in &counts {
        println!("  {table:<18} {n:>10}");
    }
    println!("replay rate, all rows:        {replay_all_rate:>10.0} rows/s");
    println!("replay rate, attribute rows:  {replay_attr_rate:>10.0} rows/s");
    println!(
        "COPY ceiling (10k batches, formatting included):   {ceiling_rate:>10.0} rows/s  ({} rows in {ceiling_s:.2} s)",
        rows.len()
    );
    println!(
        "ratio replay(all rows) / COPY ceiling: {:.2}",
        replay_all_rate / ceiling_rate
    );
    let all_ceiling_rate = rows_total as f64 / all_ceiling_s;
    println!(
        "COPY ceiling over all the same rows (binary, unindexed): {all_ceiling_rate:>10.0} rows/s  ({rows_total} rows in {all_ceiling_s:.2} s)"
    );
    println!(
        "ratio replay / COPY ceiling over the same rows: {:.2}",
        replay_all_rate / all_ceiling_rate
    );
    Ok(())
}
