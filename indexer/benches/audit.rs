//! The audit log's numbers, in one run, against peers measured in the same
//! run:
//!
//! 1. Durable appends: `RECORDS` records (default 1,000,000) appended by the
//!    indexer's own path (`audit::log::append`: canonical JSON, hash chain,
//!    stored tree hashes, COPY) in committed batches of `BATCH` (1,000);
//!    and 2,000 records one per transaction. Peer: the same canonical
//!    record bytes COPYed into an unindexed table with no hashing at all.
//! 2. `verify` (what `fog audit verify` runs) over those records, with a
//!    signed checkpoint, `VERIFY_RUNS` times (default 5), each followed by
//!    its peer: reading the same rows out the same way, checking nothing.
//! 3. Proofs at `PROOF_LEAVES` leaves (default 10,000,000): the stored
//!    hashes of a tree of that size are written directly (COPY), then 10,000
//!    inclusion and 1,000 consistency proofs at random positions are read
//!    by the API's own code (`audit::tree`); p50/p99/max.
//!
//! With `FOG_CLI=path/to/fog`, `fog audit verify` is also timed as a
//! process of its own over the same log.
//!
//! `cargo bench -p fog-indexer --bench audit`; the database is
//! `fog_indexer::testing::server_url()` (the Unix socket when there is one;
//! `FOG_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432` for TCP).

use std::time::Instant;

use chrono::Utc;
use fog_indexer::audit::note::NoteSigner;
use fog_indexer::audit::{checkpoint, log, tree, verify, Entry, Record};
use fog_indexer::store::BinaryCopy;
use fog_indexer::testing::{self, TestDb};
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

/// CPU seconds so far: every PostgreSQL process, and this one.
fn cpu_now() -> (f64, f64) {
    (testing::postgres_cpu_seconds(), testing::own_cpu_seconds())
}

fn add_cpu_since(start: (f64, f64), total: &mut (f64, f64)) {
    let now = cpu_now();
    total.0 += now.0 - start.0;
    total.1 += now.1 - start.1;
}

/// Reads the records as verify does (binary COPY by two readers over
/// halves of the table's pages at once), checking nothing; bytes read.
async fn read_peer(pool: &sqlx::PgPool, pages: i64) -> anyhow::Result<usize> {
    let half = (pages + 1) / 2;
    let mut readers = Vec::new();
    for range in [
        format!("ctid < '({half},0)'::tid"),
        format!("ctid >= '({half},0)'::tid"),
    ] {
        let statement = format!(
            "COPY (SELECT seq, record, leaf_hash, subtree_hashes FROM audit_records WHERE {range}) \
             TO STDOUT (FORMAT binary)"
        );
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
    let mut bytes = 0;
    for r in readers {
        bytes += r.await??;
    }
    Ok(bytes)
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

    // 2. Verify, with a signed checkpoint to check. A log verified has
    // been vacuumed since most of it was written (the first read after a
    // bulk load also sets every row's hint bits, writing pages back), and
    // autovacuum must not start on the other core mid-measurement.
    let signer = NoteSigner::generate("bench.fog/audit")?;
    checkpoint::publish(pool, &signer, "bench.fog/audit").await?;
    sqlx::query("VACUUM ANALYZE audit_records").execute(pool).await?;
    // Peer of verify: only reading the same records and stored hashes out
    // of PostgreSQL the way verify does, nothing checked. Runs alternate
    // between the two, so both see the same machine; the first verify is
    // the first read of the log since the appends.
    let pages: i64 =
        sqlx::query_scalar("SELECT pg_relation_size('audit_records') / current_setting('block_size')::bigint")
            .fetch_one(pool)
            .await?;
    let runs = env("VERIFY_RUNS", 5).max(1) as usize;
    let (mut verify_s, mut read_s) = (Vec::new(), Vec::new());
    let (mut verify_cpu, mut read_cpu) = ((0.0, 0.0), (0.0, 0.0));
    let mut report = None;
    let mut read_bytes = 0;
    for _ in 0..runs {
        let (cpu, t) = (cpu_now(), Instant::now());
        let r = verify::verify(pool, Some(&signer.verifier_key()), &[]).await?;
        verify_s.push(t.elapsed().as_secs_f64());
        add_cpu_since(cpu, &mut verify_cpu);
        assert!(r.failure.is_none(), "{:?}", r.failure);
        assert_eq!(r.records, records);
        report = Some(r);

        let (cpu, t) = (cpu_now(), Instant::now());
        read_bytes = read_peer(pool, pages).await?;
        read_s.push(t.elapsed().as_secs_f64());
        add_cpu_since(cpu, &mut read_cpu);
    }
    let report = report.expect("at least one run");
    let first_verify_s = verify_s[0];
    verify_s.sort_by(f64::total_cmp);
    read_s.sort_by(f64::total_cmp);
    let (verify_median, read_median) = (pct(&verify_s, 0.5), pct(&read_s, 0.5));

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
        "verify {} records (chain, tree, {} stored hashes, 1 signed checkpoint), {runs} runs: \
         median {verify_median:.2} s ({:.0} records/s), min {:.2} s, max {:.2} s, first {first_verify_s:.2} s",
        report.records,
        report.stored_hashes,
        report.records as f64 / verify_median,
        verify_s[0],
        verify_s[runs - 1],
    );
    println!(
        "peer: reading the same records and hashes out (binary COPY, {} MB), {runs} runs: median {read_median:.2} s, \
         min {:.2} s; ratio of medians verify / read {:.2}",
        read_bytes / 1_000_000,
        read_s[0],
        verify_median / read_median
    );
    let per_run = |(server, client): (f64, f64)| (server / runs as f64, client / runs as f64);
    let (verify_cpu, read_cpu) = (per_run(verify_cpu), per_run(read_cpu));
    println!(
        "  CPU per run: verify PostgreSQL {:.2} s, client {:.2} s; read peer PostgreSQL {:.2} s, client {:.2} s",
        verify_cpu.0, verify_cpu.1, read_cpu.0, read_cpu.1
    );
    // The same check as a user runs it, when FOG_CLI names the `fog`
    // binary: a process of its own that starts, connects, verifies and
    // reports.
    if let Ok(cli) = std::env::var("FOG_CLI") {
        let mut runs = Vec::new();
        for _ in 0..3 {
            let t = Instant::now();
            let out = std::process::Command::new(&cli)
                .args([
                    "--output",
                    "json",
                    "audit",
                    "verify",
                    "--offline",
                    "--database-url",
                    &db.url,
                    "--key",
                ])
                .arg(signer.verifier_key())
                .output()?;
            let wall = t.elapsed().as_secs_f64();
            anyhow::ensure!(
                out.status.success(),
                "fog audit verify failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let report: serde_json::Value = serde_json::from_slice(&out.stdout)?;
            runs.push(format!(
                "{wall:.2} s ({:.2} s inside)",
                report["seconds"].as_f64().unwrap_or(f64::NAN)
            ));
        }
        println!(
            "`fog audit verify --offline` as a process of its own (wall, and its own timing from key to report), 3 runs: {}",
            runs.join(", ")
        );
    }
    drop(entries);
    drop(db);

    // 3. Proofs at PROOF_LEAVES leaves.
    let db = TestDb::new().await?;
    let pool = &db.store.pool;
    let t = Instant::now();
    let mut levels: Vec<Vec<Hash>> = vec![(0..proof_leaves)
        .map(|i| {
            let mut h = Sha256::new();
            h.update([0u8]);
            h.update(i.to_be_bytes());
            h.finalize().into()
        })
        .collect()];
    while let Some(below) = levels.last().filter(|l| l.len() >= 2) {
        let above = below.chunks_exact(2).map(|p| node_hash(&p[0], &p[1])).collect();
        levels.push(above);
    }
    let mut conn = pool.acquire().await?;
    // Each record with its leaf hash and the subtree hashes it completes,
    // as appends store them (the record bytes do not matter here).
    let mut hashes_written = 0u64;
    for chunk_start in (0..proof_leaves).step_by(500_000) {
        let mut rows = BinaryCopy::new();
        let mut subtrees = Vec::new();
        for seq in chunk_start..(chunk_start + 500_000).min(proof_leaves) {
            subtrees.clear();
            for level in 1..=seq.trailing_ones() as u8 {
                subtrees.extend_from_slice(&levels[usize::from(level)][tree::completed_node(seq, level) as usize]);
            }
            rows.row(4)
                .int8(seq as i64)
                .bytea(b"{}")
                .bytea(&levels[0][seq as usize])
                .bytea(&subtrees);
            hashes_written += 1 + seq.trailing_ones() as u64;
        }
        let mut c = conn
            .copy_in_raw("COPY audit_records (seq, record, leaf_hash, subtree_hashes) FROM STDIN (FORMAT binary)")
            .await?;
        c.send(rows.finish()).await?;
        c.finish().await?;
    }
    drop(levels);
    // A log this size has long been vacuumed: measure that state, not
    // autovacuum catching up with 10M freshly loaded rows on the other core.
    sqlx::query("VACUUM ANALYZE audit_records").execute(&mut *conn).await?;
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
    println!("tree of {proof_leaves} leaves: {hashes_written} leaf and node hashes written in {setup_s:.0} s");
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
