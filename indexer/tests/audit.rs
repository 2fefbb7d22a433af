//! The audit log: proofs that verify, append-only enforcement, serialised
//! appends, signed checkpoints, and verification that names the first
//! tampered record.

use chrono::DateTime;
use fog_indexer::audit::note::{self, NoteSigner};
use fog_indexer::audit::{checkpoint, log, tree, verify, Entry};
use fog_indexer::testing::{self, TestDb};
use sqlx::{Connection, PgPool, Row};

fn entry(i: u64) -> Entry {
    Entry {
        time: DateTime::from_timestamp(1_800_000_000 + i as i64, 0).unwrap(),
        actor: format!("inj1actor{i}"),
        action: "governance.vote_cast".into(),
        subject: format!("proposal/{}", i % 7),
        details: serde_json::json!({"n": i.to_string(), "note": "a \"quoted\"\\tline"}),
        tags: vec!["SOX".into(), "MiCA".into()],
    }
}

async fn append(pool: &PgPool, from: u64, n: u64) {
    let mut tx = pool.begin().await.unwrap();
    let entries: Vec<Entry> = (from..from + n).map(entry).collect();
    log::append(&mut tx, &entries).await.unwrap();
    tx.commit().await.unwrap();
}

async fn leaves(pool: &PgPool) -> Vec<[u8; 32]> {
    sqlx::query("SELECT leaf_hash FROM audit_records ORDER BY seq")
        .fetch_all(pool)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.get::<Vec<u8>, _>(0).try_into().unwrap())
        .collect()
}

#[tokio::test]
async fn roots_and_proofs_from_stored_hashes_verify() {
    let db = TestDb::new().await.unwrap();
    let pool = &db.store.pool;
    let mut n = 0;
    for batch in [1u64, 2, 5, 13, 100, 379] {
        append(pool, n, batch).await;
        n += batch;
    }
    let all = leaves(pool).await;
    assert_eq!(all.len() as u64, n);
    let mut conn = pool.acquire().await.unwrap();
    for size in [1u64, 2, 3, 7, 8, 64, 100, 257, n] {
        let root = tree::root(&mut conn, size).await.unwrap();
        assert_eq!(root, fog_merkle::root(&all[..size as usize]), "root at {size}");
        for index in [0, size / 2, size - 1] {
            let proof = tree::inclusion_proof(&mut conn, index, size).await.unwrap();
            fog_merkle::verify_inclusion(&all[index as usize], index, size, &proof, &root).unwrap();
        }
    }
    for (m, k) in [(1u64, 2u64), (3, 7), (8, 100), (100, n), (n, n)] {
        let proof = tree::consistency_proof(&mut conn, m, k).await.unwrap();
        let (r1, r2) = (
            tree::root(&mut conn, m).await.unwrap(),
            tree::root(&mut conn, k).await.unwrap(),
        );
        fog_merkle::verify_consistency(m, k, &r1, &r2, &proof).unwrap();
    }
    // Records chain: each names the previous leaf.
    let r = verify::verify(pool, None, &[]).await.unwrap();
    assert_eq!(r.failure, None);
    assert_eq!(r.records, n);
}

#[tokio::test]
async fn concurrent_appends_never_fork() {
    let db = TestDb::new().await.unwrap();
    let pool = db.store.pool.clone();
    let tasks: Vec<_> = (0..4u64)
        .map(|t| {
            let pool = pool.clone();
            tokio::spawn(async move {
                for i in 0..25 {
                    append(&pool, t * 1000 + i * 10, 10).await;
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let r = verify::verify(&pool, None, &[]).await.unwrap();
    assert_eq!(r.records, 1000);
    assert_eq!(r.failure, None, "one sequence, one tree");
}

#[tokio::test]
async fn checkpoints_are_signed_notes() {
    let db = TestDb::new().await.unwrap();
    let pool = &db.store.pool;
    let signer = NoteSigner::generate("fog.test/audit").unwrap();
    assert!(
        checkpoint::publish(pool, &signer, "fog.test/audit")
            .await
            .unwrap()
            .is_none(),
        "empty log"
    );
    append(pool, 0, 10).await;
    let c = checkpoint::publish(pool, &signer, "fog.test/audit")
        .await
        .unwrap()
        .unwrap();
    assert!(
        checkpoint::publish(pool, &signer, "fog.test/audit")
            .await
            .unwrap()
            .is_none(),
        "did not grow"
    );
    let parsed = note::verify(&c.note, &signer.verifier_key()).unwrap();
    assert_eq!(parsed.size, 10);
    assert_eq!(hex::encode(parsed.root), c.root);
    append(pool, 10, 5).await;
    checkpoint::publish(pool, &signer, "fog.test/audit")
        .await
        .unwrap()
        .unwrap();
    let r = verify::verify(pool, Some(&signer.verifier_key()), &[]).await.unwrap();
    assert_eq!((r.checkpoints, r.failure), (2, None));
    assert_eq!(r.origin.as_deref(), Some("fog.test/audit"));

    // Checkpoints are of the log expected, or at least all of one log.
    let options = |origin| verify::Options { origin, strict: false };
    let key = signer.verifier_key();
    let r = verify::verify_with(pool, Some(&key), &[], options(Some("fog.test/audit")))
        .await
        .unwrap();
    assert_eq!(r.failure, None);
    let r = verify::verify_with(pool, Some(&key), &[], options(Some("fog.test/other")))
        .await
        .unwrap();
    assert_eq!(
        r.failure.as_deref(),
        Some(r#"checkpoint 10: it is of the log "fog.test/audit", not "fog.test/other""#)
    );
    // The indexer refuses to sign the log under another name...
    append(pool, 15, 1).await;
    let err = checkpoint::publish(pool, &signer, "fog.test/elsewhere")
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains(r#"checkpoints are of origin "fog.test/audit""#), "{err}");
    // ... and verify names a checkpoint that is (stored by other means).
    let elsewhere = signer.sign(&note::Checkpoint {
        origin: "fog.test/elsewhere".into(),
        size: 16,
        root: fog_indexer::audit::tree::root(&mut pool.acquire().await.unwrap(), 16)
            .await
            .unwrap(),
    });
    sqlx::query("INSERT INTO audit_checkpoints (size, root, time, note) VALUES (16, $1, now(), $2)")
        .bind(Vec::<u8>::new())
        .bind(&elsewhere)
        .execute(pool)
        .await
        .unwrap();
    let r = verify::verify(pool, Some(&key), &[]).await.unwrap();
    assert_eq!(
        r.failure.as_deref(),
        Some(r#"checkpoint 16: it is of the log "fog.test/elsewhere", not "fog.test/audit""#)
    );
}

#[tokio::test]
async fn a_checkpoint_that_would_not_read_back_or_one_beyond_the_log_is_refused() {
    let db = TestDb::new().await.unwrap();
    let pool = &db.store.pool;
    let signer = NoteSigner::generate("fog.test/audit").unwrap();
    append(pool, 0, 2).await;
    // Stored for good, an empty origin would have failed every later
    // publication and every verification (until stop 21 it was stored).
    for origin in ["", "two\nlines"] {
        let err = checkpoint::publish(pool, &signer, origin)
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("does not make a checkpoint that reads back"), "{err}");
    }
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM audit_checkpoints")
            .fetch_one(pool)
            .await
            .unwrap()
    };
    assert_eq!(count().await, 0);
    // A checkpoint beyond the log's records is not this log's: an error,
    // not a silent "nothing new" at every tick.
    let beyond = signer.sign(&note::Checkpoint {
        origin: "fog.test/audit".into(),
        size: 1_000_000,
        root: [0; 32],
    });
    sqlx::query("INSERT INTO audit_checkpoints (size, root, time, note) VALUES (1000000, $1, now(), $2)")
        .bind(vec![0u8; 32])
        .bind(&beyond)
        .execute(pool)
        .await
        .unwrap();
    let err = checkpoint::publish(pool, &signer, "fog.test/audit")
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("beyond the log's 2 records"), "{err}");
}

#[tokio::test]
async fn a_log_signed_before_and_after_a_key_rotation_verifies_with_both_keys() {
    let db = TestDb::new().await.unwrap();
    let pool = &db.store.pool;
    let old = NoteSigner::generate("fog.test/audit").unwrap();
    let new = NoteSigner::generate("fog.test/audit").unwrap();
    append(pool, 0, 20).await;
    checkpoint::publish(pool, &old, "fog.test/audit")
        .await
        .unwrap()
        .unwrap();
    append(pool, 20, 20).await;
    checkpoint::publish(pool, &new, "fog.test/audit")
        .await
        .unwrap()
        .unwrap();
    let both = format!("{}\n{}", old.verifier_key(), new.verifier_key());
    let r = verify::verify(pool, Some(&both), &[]).await.unwrap();
    assert_eq!((r.checkpoints, r.failure), (2, None));
    // The new key alone does not pass the old checkpoints.
    let r = verify::verify(pool, Some(&new.verifier_key()), &[]).await.unwrap();
    assert!(r.failure.unwrap_or_default().contains("checkpoint 20"));
}

async fn superuser(db: &TestDb) -> sqlx::PgConnection {
    let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
    // Bypass the append-only triggers, as a database superuser can.
    sqlx::query("SET session_replication_role = replica")
        .execute(&mut c)
        .await
        .unwrap();
    c
}

/// Rewrites record `seq`'s bytes and its leaf hash to match them.
async fn rewrite(su: &mut sqlx::PgConnection, seq: i64) {
    sqlx::query(
        "UPDATE audit_records SET record = overlay(record placing '\\x58'::bytea from 20 for 1), \
         leaf_hash = sha256('\\x00'::bytea || overlay(record placing '\\x58'::bytea from 20 for 1)) WHERE seq = $1",
    )
    .bind(seq)
    .execute(su)
    .await
    .unwrap();
}

#[tokio::test]
async fn tampering_with_a_record_a_hash_or_a_checkpoint_is_found_and_named() {
    let signer = NoteSigner::generate("fog.test/audit").unwrap();
    let key = signer.verifier_key();
    for case in [
        "record",
        "leaf-hash",
        "rewritten",
        "rewritten-keeper",
        "deleted",
        "stored-hash",
        "stored-hash-cut",
        "stored-hash-before-record",
        "checkpoint",
        "head-size",
        "head-huge",
        "head-leaf",
        "stray-record",
        "anchor",
    ] {
        let db = TestDb::new().await.unwrap();
        let pool = &db.store.pool;
        append(pool, 0, 20).await;
        checkpoint::publish(pool, &signer, "fog.test/audit").await.unwrap();
        append(pool, 20, 20).await;
        let mut su = superuser(&db).await;
        let mut anchored = vec![];
        let expected = match case {
            "record" => {
                // One byte of record 5's canonical JSON.
                sqlx::query("UPDATE audit_records SET record = overlay(record placing '\\x58'::bytea from 20 for 1) WHERE seq = 5")
                    .execute(&mut su)
                    .await
                    .unwrap();
                "record 5"
            }
            "leaf-hash" => {
                sqlx::query("UPDATE audit_records SET leaf_hash = overlay(leaf_hash placing '\\x00'::bytea from 1 for 1) WHERE seq = 7")
                    .execute(&mut su)
                    .await
                    .unwrap();
                "record 7"
            }
            "rewritten" => {
                // Bytes and leaf hash both rewritten: the chain still names it.
                rewrite(&mut su, 8).await;
                "record 9 does not chain to record 8"
            }
            "rewritten-keeper" => {
                // Record 9 also keeps node (1, 4), over 8 and 9, which no
                // longer matches: that names record 9 itself.
                rewrite(&mut su, 9).await;
                "record 9: its stored hash (1, 4) is wrong"
            }
            "deleted" => {
                sqlx::query("DELETE FROM audit_records WHERE seq = 39")
                    .execute(&mut su)
                    .await
                    .unwrap();
                "record 39 is missing"
            }
            "stored-hash" => {
                // Node (2, 3) is kept by record 15, after its level-1 hash.
                sqlx::query("UPDATE audit_records SET subtree_hashes = set_byte(subtree_hashes, 32, get_byte(subtree_hashes, 32) # 1) WHERE seq = 15")
                    .execute(&mut su)
                    .await
                    .unwrap();
                "stored hash (2, 3)"
            }
            "stored-hash-before-record" => {
                // A wrong stored hash is named before a later changed record.
                sqlx::query("UPDATE audit_records SET subtree_hashes = set_byte(subtree_hashes, 32, get_byte(subtree_hashes, 32) # 1) WHERE seq = 15")
                    .execute(&mut su)
                    .await
                    .unwrap();
                sqlx::query("UPDATE audit_records SET record = overlay(record placing '\\x58'::bytea from 20 for 1) WHERE seq = 30")
                    .execute(&mut su)
                    .await
                    .unwrap();
                "record 15: its stored hash (2, 3) is wrong"
            }
            "stored-hash-cut" => {
                sqlx::query(
                    "UPDATE audit_records SET subtree_hashes = substring(subtree_hashes from 1 for 32) WHERE seq = 15",
                )
                .execute(&mut su)
                .await
                .unwrap();
                "record 15: its stored subtree hashes are 32 bytes, 128 expected"
            }
            "checkpoint" => {
                sqlx::query("UPDATE audit_checkpoints SET note = replace(note, E'\\n20\\n', E'\\n21\\n')")
                    .execute(&mut su)
                    .await
                    .unwrap();
                "checkpoint 20"
            }
            // The head is the one log row the service may update: it must
            // neither size the work nor pass unchecked.
            "head-size" => {
                sqlx::query("UPDATE audit_head SET size = -1")
                    .execute(&mut su)
                    .await
                    .unwrap();
                "records from 0 on are beyond the log's head"
            }
            "stray-record" => {
                // An INSERT the service role may make, far past the head.
                sqlx::query(
                    "INSERT INTO audit_records (seq, record, leaf_hash, subtree_hashes) \
                     SELECT 1000000000000, record, leaf_hash, '' FROM audit_records WHERE seq = 3",
                )
                .execute(&mut su)
                .await
                .unwrap();
                // Named (here by the seq its JSON contradicts), and the
                // work is not sized by it.
                "record 1000000000000"
            }
            "head-huge" => {
                sqlx::query("UPDATE audit_head SET size = 1000000000000")
                    .execute(&mut su)
                    .await
                    .unwrap();
                "record 40 is missing: the log's head says 1000000000000 records"
            }
            "head-leaf" => {
                // The next append would chain to this leaf instead of 39's.
                sqlx::query("UPDATE audit_head SET last_leaf = set_byte(last_leaf, 0, get_byte(last_leaf, 0) # 1)")
                    .execute(&mut su)
                    .await
                    .unwrap();
                "the log's head holds last leaf"
            }
            _ => {
                anchored.push(verify::Anchored {
                    chain: "cosmwasm:inj1anchor".into(),
                    size: 30,
                    root: [1u8; 32],
                });
                "anchored on cosmwasm:inj1anchor at size 30"
            }
        };
        let r = verify::verify(pool, Some(&key), &anchored).await.unwrap();
        // The report counts only the records before the first that fails.
        let verified = match case {
            "record" => 5,
            "leaf-hash" => 7,
            // Record 8 or 9 was changed: neither counts (9 until stop 21).
            "rewritten" => 8,
            "rewritten-keeper" => 9,
            "deleted" => 39,
            "stored-hash" | "stored-hash-cut" | "stored-hash-before-record" => 15,
            "head-size" => 0,
            _ => 40,
        };
        assert_eq!(r.records, verified, "{case}");
        let failure = r.failure.unwrap_or_default();
        assert!(failure.contains(expected), "{case}: {failure:?}");
    }
}

#[tokio::test]
async fn the_database_refuses_updates_and_deletes() {
    let db = TestDb::new().await.unwrap();
    append(&db.store.pool, 0, 3).await;
    // Even a superuser hits the triggers.
    let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
    for sql in [
        "UPDATE audit_records SET record = '\\x00' WHERE seq = 0",
        "DELETE FROM audit_records WHERE seq = 0",
        "TRUNCATE audit_records",
        "UPDATE audit_records SET subtree_hashes = '\\x00' WHERE seq = 1",
        "DELETE FROM audit_checkpoints",
    ] {
        let err = sqlx::query(sql).execute(&mut c).await.unwrap_err().to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    // The service role lacks the privilege in the first place.
    let service_url = db.url.replacen("postgres://postgres@", "postgres://fog_service@", 1);
    let mut svc = sqlx::PgConnection::connect(&service_url).await.unwrap();
    sqlx::query("SELECT count(*) FROM audit_records")
        .execute(&mut svc)
        .await
        .unwrap();
    for sql in [
        "UPDATE audit_records SET record = '\\x00' WHERE seq = 0",
        "DELETE FROM audit_records WHERE seq = 0",
        "DELETE FROM audit_head",
        "TRUNCATE audit_head",
        "INSERT INTO audit_head (id, size, last_leaf) VALUES (2, 0, '\\x00')",
    ] {
        let err = sqlx::query(sql).execute(&mut svc).await.unwrap_err().to_string();
        assert!(err.contains("permission denied"), "{sql}: {err}");
    }
    // The head follows the records (migration 0023): the service role may
    // lock it but not move it, nor plant a record anywhere but at the head;
    // a superuser (outside replica mode) may not move it either.
    for (superuser, sql) in [
        (false, "UPDATE audit_head SET size = 2"),
        (false, "UPDATE audit_head SET size = 4"),
        (
            false,
            "UPDATE audit_head SET last_leaf = set_byte(last_leaf, 0, get_byte(last_leaf, 0) # 1)",
        ),
        (true, "UPDATE audit_head SET size = 0"),
    ] {
        let conn = if superuser { &mut c } else { &mut svc };
        let err = sqlx::query(sql).execute(conn).await.unwrap_err().to_string();
        assert!(err.contains("head follows its records"), "{sql}: {err}");
    }
    // Nor replace the head row (which would also let any record through).
    for sql in [
        "DELETE FROM audit_head",
        "TRUNCATE audit_head",
        "INSERT INTO audit_head (id, size, last_leaf) VALUES (2, 0, '\\x00')",
    ] {
        let err = sqlx::query(sql).execute(&mut c).await.unwrap_err().to_string();
        assert!(err.contains("head row stays"), "{sql}: {err}");
    }
    for (sql, at) in [
        (
            "SELECT 1000000000000, record, leaf_hash, '' FROM audit_records WHERE seq = 0",
            "1000000000000 to 1000000000000",
        ),
        (
            "SELECT seq + 4, record, leaf_hash, '' FROM audit_records WHERE seq <> 1",
            "4 to 6 (2 records)",
        ),
    ] {
        let sql = format!("INSERT INTO audit_records (seq, record, leaf_hash, subtree_hashes) {sql}");
        let err = sqlx::query(&sql).execute(&mut svc).await.unwrap_err().to_string();
        assert!(
            err.contains(&format!("continue the log at seq 3: seq {at}")),
            "{sql}: {err}"
        );
    }
    // An UPDATE that leaves the head where it is passes (and does nothing).
    sqlx::query("UPDATE audit_head SET size = size")
        .execute(&mut svc)
        .await
        .unwrap();
    // It may still append, and the append moves the head.
    let mut tx = svc.begin().await.unwrap();
    log::append(&mut tx, &[entry(99), entry(100)]).await.unwrap();
    tx.commit().await.unwrap();
    let head: (i64, Vec<u8>) = sqlx::query_as("SELECT size, last_leaf FROM audit_head")
        .fetch_one(&mut svc)
        .await
        .unwrap();
    let last: Vec<u8> = sqlx::query_scalar("SELECT leaf_hash FROM audit_records WHERE seq = 4")
        .fetch_one(&mut svc)
        .await
        .unwrap();
    assert_eq!(head, (5, last));
    let r = verify::verify(&db.store.pool, None, &[]).await.unwrap();
    assert_eq!((r.records, r.failure), (5, None));
}

/// Runs the migrations numbered below `version`: the schema as it was.
async fn migrate_before(pool: &PgPool, version: &str) {
    let before = tempfile::tempdir().unwrap();
    let migrations = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    for file in std::fs::read_dir(&migrations).unwrap() {
        let file = file.unwrap();
        if file.file_name().into_string().unwrap().as_str() < version {
            std::fs::copy(file.path(), before.path().join(file.file_name())).unwrap();
        }
    }
    sqlx::migrate::Migrator::new(before.path())
        .await
        .unwrap()
        .run(pool)
        .await
        .unwrap();
}

/// A log stored before migration 0014 (its tree's hashes in a table of
/// their own) moves into the record rows unchanged: byte for byte the rows
/// today's appends write, and it verifies.
#[tokio::test]
async fn a_log_stored_before_subtree_hashes_moves_over_intact() {
    let reference = TestDb::new().await.unwrap();
    append(&reference.store.pool, 0, 45).await;
    let rows = |pool: PgPool| async move {
        sqlx::query_as::<_, (i64, Vec<u8>, Vec<u8>, Vec<u8>)>(
            "SELECT seq, record, leaf_hash, subtree_hashes FROM audit_records ORDER BY seq",
        )
        .fetch_all(&pool)
        .await
        .unwrap()
    };
    let written = rows(reference.store.pool.clone()).await;

    // The schema as it was before 0014.
    let old = TestDb::unmigrated().await.unwrap();
    let pool = &old.store.pool;
    migrate_before(pool, "0014").await;
    // The same log in the old layout.
    for (seq, record, leaf, subtrees) in &written {
        sqlx::query("INSERT INTO audit_records (seq, record, leaf_hash) VALUES ($1, $2, $3)")
            .bind(seq)
            .bind(record)
            .bind(leaf)
            .execute(pool)
            .await
            .unwrap();
        for (level, hash) in (1i16..).zip(subtrees.chunks(32)) {
            sqlx::query("INSERT INTO audit_hashes (level, idx, hash) VALUES ($1, $2, $3)")
                .bind(level)
                .bind(((seq + 1) >> level) - 1)
                .bind(hash)
                .execute(pool)
                .await
                .unwrap();
        }
    }
    let (_, _, last_leaf, _) = written.last().unwrap();
    sqlx::query("UPDATE audit_head SET size = 45, last_leaf = $1")
        .bind(last_leaf)
        .execute(pool)
        .await
        .unwrap();

    // A stored hash no record completes is evidence the migration must not
    // drop: it refuses, and changes nothing.
    sqlx::query("INSERT INTO audit_hashes (level, idx, hash) VALUES (1, 1000, $1)")
        .bind([9u8; 32].as_slice())
        .execute(pool)
        .await
        .unwrap();
    // On a connection of its own: a failed run keeps the migrator's
    // session lock, which closing the connection releases.
    let mut conn = sqlx::PgConnection::connect(&old.url).await.unwrap();
    let err = fog_indexer::store::MIGRATOR
        .run(&mut conn)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("node (1, 1000), which no record completes"), "{err}");
    conn.close().await.unwrap();
    sqlx::query("DELETE FROM audit_hashes WHERE idx = 1000")
        .execute(&mut superuser(&old).await)
        .await
        .unwrap();

    fog_indexer::store::MIGRATOR.run(pool).await.unwrap();
    assert_eq!(rows(pool.clone()).await, written);
    // Stored in sequence again (the moved versions are not left at the end).
    let in_storage_order: Vec<i64> = sqlx::query_scalar("SELECT seq FROM audit_records ORDER BY ctid")
        .fetch_all(pool)
        .await
        .unwrap();
    assert_eq!(in_storage_order, (0..45).collect::<Vec<i64>>());
    let report = verify::verify(pool, None, &[]).await.unwrap();
    assert_eq!((report.records, report.stored_hashes, report.failure), (45, 41, None));
    // Still append-only, and appends go on from where the log was.
    let err = sqlx::query("UPDATE audit_records SET subtree_hashes = '' WHERE seq = 1")
        .execute(pool)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    append(pool, 45, 3).await;
    assert_eq!(verify::verify(pool, None, &[]).await.unwrap().failure, None);
}

/// Migration 0023 makes the head follow the records; a log stored before
/// it whose head and records disagree (a record planted past the head, a
/// head set past the records: both were possible for the service role) is
/// refused rather than locked into failing every append or into a gap.
#[tokio::test]
async fn the_head_follows_the_records_only_on_a_log_where_they_agree() {
    for tamper in [
        "INSERT INTO audit_records (seq, record, leaf_hash, subtree_hashes) \
         SELECT 1000000000000, record, leaf_hash, '' FROM audit_records WHERE seq = 0",
        "UPDATE audit_head SET size = 100",
        "UPDATE audit_head SET last_leaf = set_byte(last_leaf, 0, get_byte(last_leaf, 0) # 1)",
        "",
    ] {
        let db = TestDb::unmigrated().await.unwrap();
        let pool = &db.store.pool;
        migrate_before(pool, "0023").await;
        append(pool, 0, 3).await;
        // Appends before 0023 moved the head themselves.
        sqlx::query(
            "UPDATE audit_head SET size = 3, \
             last_leaf = (SELECT leaf_hash FROM audit_records WHERE seq = 2)",
        )
        .execute(pool)
        .await
        .unwrap();
        if !tamper.is_empty() {
            sqlx::query(tamper).execute(pool).await.unwrap();
        }
        let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
        let migrated = fog_indexer::store::MIGRATOR.run(&mut conn).await;
        conn.close().await.unwrap();
        if tamper.is_empty() {
            migrated.unwrap();
            append(pool, 3, 2).await;
            assert_eq!(verify::verify(pool, None, &[]).await.unwrap().failure, None);
        } else {
            let err = migrated.unwrap_err().to_string();
            assert!(err.contains("do not match its head"), "{tamper}: {err}");
        }
    }
}

/// Sequential scans of the log's records so far.
async fn record_scans(conn: &mut sqlx::PgConnection) -> i64 {
    testing::table_reads(conn, "audit_records").await.unwrap().scans
}

/// An append reads the right edge of the tree by primary key, however
/// small the log was when the connection first ran the lookup: a plan
/// PostgreSQL caches while the log is tiny (a scan of a page or two) must
/// not outlive the log's growth, or every append costs the whole log and a
/// bulk load slows down as the log grows. Checked while the lookup is
/// planned each time (3,000 records) and once its plan may be cached
/// (12,000).
#[tokio::test]
async fn appends_find_the_tree_edge_by_key_however_small_the_log_was() {
    let db = TestDb::new().await.unwrap();
    let mut conn = db.store.pool.acquire().await.unwrap();
    let mut next = 0;
    let mut appends = Vec::new();
    // (grow to, by batches of): the growth from 10 records starts with
    // appends to a log of a page, where a scan is the better plan.
    for (size, batch) in [(10, 1), (3_000, 500), (3_010, 1), (12_000, 1_000), (12_010, 1)] {
        let scans = record_scans(&mut conn).await;
        while next < size {
            let entries: Vec<Entry> = (next..next + batch).map(entry).collect();
            next += batch;
            let mut tx = conn.begin().await.unwrap();
            log::append(&mut tx, &entries).await.unwrap();
            tx.commit().await.unwrap();
        }
        appends.push((size, record_scans(&mut conn).await - scans));
    }
    let scanned: Vec<_> = appends
        .iter()
        .filter(|&&(size, scans)| size > 3_000 && scans > 0)
        .collect();
    assert!(
        scanned.is_empty(),
        "appends up to these sizes scanned the log: {scanned:?}"
    );
}
