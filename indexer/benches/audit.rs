//! The audit log's numbers, in one run, against peers measured in the same
//! run:
//!
//! 1. Durable appends: `RECORDS` records (default 1,000,000) appended by the
//!    indexer's own path (`audit::log::append`: canonical JSON, hash chain,
//!    stored tree hashes, COPY) in committed batches of `BATCH` (1,000);
//!    and 2,000 records one per transaction. Peer: the same canonical
//!    record bytes COPYed into an unindexed table with no hashing at all.
//! 2. `verify` (what `fog audit verify` runs) over those records, with a
//!    signed checkpoint.
//! 3. Proofs at `PROOF_LEAVES` leaves (default 10,000,000): the stored
//!    hashes of a tree of that size are written directly (COPY), then 10,000
//!    inclusion and 1,000 consistency proofs at random positions are read
//!    by the API's own code (`audit::tree`); p50/p99/max.
//!
//! `cargo bench -p fog-indexer --bench audit`

use std::time::Instant;

use chrono::Utc;
use fog_indexer::audit::note::NoteSigner;
use fog_indexer::audit::{checkpoint, log, tree, verify, Entry, Record};
use fog_indexer::store::BinaryCopy;
use fog_indexer::testing::TestDb;
use fog_merkle::{node_hash, Hash};
use rand::Rng;
use serde_json::json;
use sha2::{Digest, Sha256};

// The indexer's allocator, as in its binary.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A governance vote as the indexer logs it (about 400 bytes of JSON).
fn entry(i: u64) -> Entry {
    Entry {
        time: Utc::now(),
        actor: format!("inj1{:038x}", i.wrapping_mul(0x9e37_79b9_7f4a_7c15)),
        action: "governance.vote_cast".into(),
        subject: format!("proposal/{}", i / 1000),
        details: json!({
            "proposal_id": (i / 1000).to_string(),
            "option": "yes",
            "power": (1_000_000 + i).to_string(),
            "weight": (1_000_000 + i).to_string(),
            "height": (100 + i / 50).to_string(),
            "tx_hash": format!("{:064X}", i),
            "_contract_address": "inj14hj2tavq8fpesdwxxcu44rty3hh90vhujaxlnz",
        }),
        tags: vec!["MiCA".into(), "SOX".into()],
    }
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let records = env("RECORDS", 1_000_000);
    let batch = env("BATCH", 1_000) as usize;
    let proof_leaves = env("PROOF_LEAVES", 10_000_000);

    // 1. Durable appends.
    let db = TestDb::new().await?;
    let pool = &db.store.pool;
    let single = 2_000u64;
    let t = Instant::now();
    for i in 0..single {
        let mut tx = pool.begin().await?;
        log::append(&mut tx, &[entry(i)]).await?;
        tx.commit().await?;
    }
    let single_rate = single as f64 / t.elapsed().as_secs_f64();

    let entries: Vec<Entry> = (single..records).map(entry).collect();
    // The CPU side alone: canonical JSON and leaf hashes, no database.
    let t = Instant::now();
    for (i, e) in entries.iter().enumerate() {
        let bytes = Record::new(i as u64, e, &[0u8; 32]).canonical();
        std::hint::black_box(fog_merkle::leaf_hash(&bytes));
    }
    let cpu_rate = entries.len() as f64 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut lap = (Instant::now(), 0usize);
    for (i, chunk) in entries.chunks(batch).enumerate() {
        let mut tx = pool.begin().await?;
        log::append(&mut tx, chunk).await?;
        tx.commit().await?;
        let done = (i + 1) * batch;
        if done - lap.1 >= 100_000 {
            eprintln!(
                "  appended {done}: {:.0} records/s over the last {}",
                (done - lap.1) as f64 / lap.0.elapsed().as_secs_f64(),
                done - lap.1
            );
            lap = (Instant::now(), done);
        }
    }
    let batch_s = t.elapsed().as_secs_f64();
    let batch_rate = entries.len() as f64 / batch_s;

    // Peer: the same bytes, plain binary COPY of (seq, record) into a table
    // with no index, no hashing, committed per batch.
    sqlx::query("CREATE TABLE copy_peer (seq bigint, record bytea)")
        .execute(pool)
        .await?;
    let bytes: Vec<(i64, Vec<u8>)> =
        sqlx::query_as("SELECT seq, record FROM audit_records WHERE seq >= $1 ORDER BY seq")
            .bind(single as i64)
            .fetch_all(pool)
            .await?;
    let t = Instant::now();
    for chunk in bytes.chunks(batch) {
        let mut rows = BinaryCopy::new();
        for (seq, record) in chunk {
            rows.row(2).int8(*seq).bytea(record);
        }
        let mut tx = pool.begin().await?;
        let mut c = tx.copy_in_raw("COPY copy_peer FROM STDIN (FORMAT binary)").await?;
        c.send(rows.finish()).await?;
        c.finish().await?;
        tx.commit().await?;
    }
    let peer_rate = bytes.len() as f64 / t.elapsed().as_secs_f64();
    drop(bytes);
    let avg_len: f64 = sqlx::query_scalar("SELECT avg(length(record))::float8 FROM audit_records")
        .fetch_one(pool)
        .await?;

    // 2. Verify, with a signed checkpoint to check.
    let signer = NoteSigner::generate("bench.fog/audit")?;
    checkpoint::publish(pool, &signer, "bench.fog/audit").await?;
    let t = Instant::now();
    let report = verify::verify(pool, Some(&signer.verifier_key()), &[]).await?;
    let verify_s = t.elapsed().as_secs_f64();
    assert!(report.failure.is_none(), "{:?}", report.failure);
    assert_eq!(report.records, records);

    // Peer of verify: only reading the same records and stored hashes out
    // of PostgreSQL the way verify does, nothing checked: binary COPY, the
    // records from two readers over halves of the table's pages, the
    // hashes from a third, all at once; bytes counted.
    let pages: i64 =
        sqlx::query_scalar("SELECT pg_relation_size('audit_records') / current_setting('block_size')::bigint")
            .fetch_one(pool)
            .await?;
    let half = (pages + 1) / 2;
    let t = Instant::now();
    let mut readers = Vec::new();
    for statement in [
        format!("COPY (SELECT seq, record, leaf_hash FROM audit_records WHERE ctid < '({half},0)'::tid) TO STDOUT (FORMAT binary)"),
        format!("COPY (SELECT seq, record, leaf_hash FROM audit_records WHERE ctid >= '({half},0)'::tid) TO STDOUT (FORMAT binary)"),
        "COPY (SELECT level, idx, hash FROM audit_hashes) TO STDOUT (FORMAT binary)".to_string(),
    ] {
        let pool = pool.clone();
        readers.push(tokio::spawn(async move {
            let mut conn = pool.acquire().await?;
            let mut out = conn.copy_out_raw(&statement).await?;
            let mut n = 0usize;
            while let Some(chunk) = futures::StreamExt::next(&mut out).await {
                n += chunk?.len();
            }
            anyhow::Ok(n)
        }));
    }
    let mut read_bytes = 0usize;
    for r in readers {
        read_bytes += r.await??;
    }
    let read_s = t.elapsed().as_secs_f64();

    println!("canonical JSON + leaf hash only (one core):     {cpu_rate:>9.0} records/s");
    println!("durable appends, 1 record per transaction:      {single_rate:>9.0} records/s");
    println!(
        "durable appends, {batch} per transaction:       {batch_rate:>9.0} records/s ({} records, {batch_s:.1} s, avg {avg_len:.0} B)",
        entries.len()
    );
    println!("peer: plain COPY of the same bytes, no hashing: {peer_rate:>9.0} records/s");
    println!(
        "ratio appends / peer:                          {:>9.2}",
        batch_rate / peer_rate
    );
    println!(
        "verify {} records (chain, tree, {} stored hashes, 1 signed checkpoint): {verify_s:.2} s ({:.0} records/s)",
        report.records,
        report.stored_hashes,
        report.records as f64 / verify_s
    );
    println!(
        "peer: reading the same records and hashes out (binary COPY, {} MB): {read_s:.2} s; ratio verify / read {:.1}",
        read_bytes / 1_000_000,
        verify_s / read_s
    );
    drop(entries);
    drop(db);

    // 3. Proofs at PROOF_LEAVES leaves.
    let db = TestDb::new().await?;
    let pool = &db.store.pool;
    let t = Instant::now();
    let mut level: Vec<Hash> = (0..proof_leaves)
        .map(|i| {
            let mut h = Sha256::new();
            h.update([0u8]);
            h.update(i.to_be_bytes());
            h.finalize().into()
        })
        .collect();
    let mut conn = pool.acquire().await?;
    // Level 0 is the records' leaf hashes (their bytes do not matter here).
    for (chunk_i, chunk) in level.chunks(500_000).enumerate() {
        let mut rows = BinaryCopy::new();
        for (j, h) in chunk.iter().enumerate() {
            rows.row(3).int8((chunk_i * 500_000 + j) as i64).bytea(b"{}").bytea(h);
        }
        let mut c = conn
            .copy_in_raw("COPY audit_records (seq, record, leaf_hash) FROM STDIN (FORMAT binary)")
            .await?;
        c.send(rows.finish()).await?;
        c.finish().await?;
    }
    let mut rows_written = level.len() as u64;
    let mut l = 0i16;
    while level.len() >= 2 {
        level = level.chunks_exact(2).map(|p| node_hash(&p[0], &p[1])).collect();
        l += 1;
        for (chunk_i, chunk) in level.chunks(500_000).enumerate() {
            let mut rows = BinaryCopy::new();
            for (j, h) in chunk.iter().enumerate() {
                rows.row(3).int2(l).int8((chunk_i * 500_000 + j) as i64).bytea(h);
            }
            let mut c = conn
                .copy_in_raw("COPY audit_hashes (level, idx, hash) FROM STDIN (FORMAT binary)")
                .await?;
            c.send(rows.finish()).await?;
            c.finish().await?;
            rows_written += chunk.len() as u64;
        }
    }
    // A log this size has long been vacuumed: measure that state, not
    // autovacuum catching up with 20M freshly loaded rows on the other core.
    sqlx::query("VACUUM ANALYZE audit_records").execute(&mut *conn).await?;
    sqlx::query("VACUUM ANALYZE audit_hashes").execute(&mut *conn).await?;
    // Nor the checkpoint of the load's 2 GB of WAL writing in the background.
    sqlx::query("CHECKPOINT").execute(&mut *conn).await?;
    let setup_s = t.elapsed().as_secs_f64();

    let mut rng = rand::thread_rng();
    let mut inclusion = Vec::with_capacity(10_000);
    for _ in 0..10_000 {
        let i = rng.gen_range(0..proof_leaves);
        let t = Instant::now();
        let proof = tree::inclusion_proof(&mut conn, i, proof_leaves).await?;
        inclusion.push(t.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(proof);
    }
    let mut consistency = Vec::with_capacity(1_000);
    for _ in 0..1_000 {
        let from = rng.gen_range(1..proof_leaves);
        let t = Instant::now();
        let proof = tree::consistency_proof(&mut conn, from, proof_leaves).await?;
        consistency.push(t.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(proof);
    }
    // What the API serves, in one round trip each: leaf + inclusion proof
    // + root, and consistency proof + both roots.
    let mut inclusion_bundles = Vec::with_capacity(10_000);
    for _ in 0..10_000 {
        let i = rng.gen_range(0..proof_leaves);
        let t = Instant::now();
        std::hint::black_box(tree::inclusion_bundle(&mut conn, i, proof_leaves).await?);
        inclusion_bundles.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let mut consistency_bundles = Vec::with_capacity(1_000);
    for _ in 0..1_000 {
        let from = rng.gen_range(1..proof_leaves);
        let t = Instant::now();
        std::hint::black_box(tree::consistency_bundle(&mut conn, from, proof_leaves).await?);
        consistency_bundles.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let mut roots = Vec::with_capacity(1_000);
    for _ in 0..1_000 {
        let size = rng.gen_range(1..=proof_leaves);
        let t = Instant::now();
        std::hint::black_box(tree::root(&mut conn, size).await?);
        roots.push(t.elapsed().as_secs_f64() * 1e3);
    }
    for v in [
        &mut inclusion,
        &mut consistency,
        &mut roots,
        &mut inclusion_bundles,
        &mut consistency_bundles,
    ] {
        v.sort_by(f64::total_cmp);
    }
    println!("tree of {proof_leaves} leaves: {rows_written} leaf and node hashes written in {setup_s:.0} s");
    for (name, v) in [
        ("inclusion proof", &inclusion),
        ("consistency proof", &consistency),
        ("root at a size", &roots),
        ("API inclusion (leaf, proof, root)", &inclusion_bundles),
        ("API consistency (proof, 2 roots)", &consistency_bundles),
    ] {
        println!(
            "{name:<34} n={:<6} p50 {:.3} ms  p99 {:.3} ms  max {:.3} ms",
            v.len(),
            pct(v, 0.5),
            pct(v, 0.99),
            v[v.len() - 1]
        );
    }
    Ok(())
}
