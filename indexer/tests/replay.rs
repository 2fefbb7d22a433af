//! Replaying recorded blocks into PostgreSQL: exactly once, resumable,
//! stopped by a broken chain, blind to spoofed events.

use fog_indexer::ingest::{Ingest, Options};
use fog_indexer::source::{BlockSource, DirSource, Protocol};
use fog_indexer::synth;
use fog_indexer::testing::TestDb;
use sqlx::Row;

async fn count(db: &TestDb, table: &str) -> i64 {
    sqlx::query(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(&db.store.pool)
        .await
        .unwrap()
        .get(0)
}

fn ingest(db: &TestDb, dir: &std::path::Path, batch: usize) -> Ingest<DirSource> {
    Ingest::new(
        DirSource::open(dir, "inj").unwrap(),
        db.store.clone(),
        synth::watched(),
        Options {
            batch_blocks: batch,
            progress: false,
            ..Options::default()
        },
    )
}

#[tokio::test]
async fn replays_once_and_resumes() {
    let db = TestDb::new().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let attrs = synth::write_history(dir.path(), 60, 6).unwrap();
    let i = ingest(&db, dir.path(), 25);
    assert_eq!(i.run_to(Some(40)).await.unwrap(), 40);
    assert_eq!(db.store.checkpoint().await.unwrap().unwrap().height, 40);
    // Resuming continues after the checkpoint and duplicates nothing.
    assert_eq!(i.run_to(None).await.unwrap(), 60);
    assert_eq!(i.run_to(None).await.unwrap(), 60);
    assert_eq!(count(&db, "blocks").await, 60);
    assert_eq!(count(&db, "event_attributes").await as usize, attrs);
    assert_eq!(count(&db, "locks").await, 60 * 3);
    assert_eq!(count(&db, "votes").await, 60 * 3);
    // The projected tally equals a recount of the projected votes.
    let tally: serde_json::Value = sqlx::query("SELECT tally FROM proposals WHERE id = 1")
        .fetch_one(&db.store.pool)
        .await
        .unwrap()
        .get(0);
    let recount: Vec<(i32, String)> = sqlx::query_as(
        "SELECT (choice->>0)::int, sum(weight)::text FROM votes WHERE proposal_id = 1 GROUP BY 1 ORDER BY 1",
    )
    .fetch_all(&db.store.pool)
    .await
    .unwrap();
    for (option, sum) in recount {
        assert_eq!(tally[option as usize].as_str().unwrap(), sum);
    }
    assert_eq!(count(&db, "transfers").await, 60 * 6);
}

#[tokio::test]
async fn an_empty_index_refuses_a_node_of_another_chain_than_the_deployments() {
    let db = TestDb::new().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    synth::write_history(dir.path(), 5, 2).unwrap();
    let options = |chain: &str| Options {
        progress: false,
        chain_id: Some(chain.to_string()),
        ..Options::default()
    };
    // Until stop 21 only a checkpoint's chain was compared: the first
    // blocks of a wrong --rpc filled an empty index and fixed its chain.
    let wrong = Ingest::new(
        DirSource::open(dir.path(), "inj").unwrap(),
        db.store.clone(),
        synth::watched(),
        options("injective-888"),
    );
    let err = format!("{:#}", wrong.run_to(None).await.unwrap_err());
    assert!(err.contains("synthetic-1") && err.contains("injective-888"), "{err}");
    assert_eq!(count(&db, "blocks").await, 0);
    assert!(db.store.checkpoint().await.unwrap().is_none());
    let right = Ingest::new(
        DirSource::open(dir.path(), "inj").unwrap(),
        db.store.clone(),
        synth::watched(),
        options("synthetic-1"),
    );
    assert_eq!(right.run_to(None).await.unwrap(), 5);
}

#[tokio::test]
async fn a_broken_chain_stops_ingestion_with_both_hashes() {
    let db = TestDb::new().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    synth::write_history(dir.path(), 30, 2).unwrap();
    // Block 24 claims another parent, in the middle of a batch of 10.
    let (mut b, r) = synth::block(24, 2);
    b["block"]["header"]["last_block_id"]["hash"] = "DEADBEEF".into();
    fog_indexer::source::write_recorded(dir.path(), 24, &b, &r).unwrap();
    let err = ingest(&db, dir.path(), 10).run_to(None).await.unwrap_err().to_string();
    assert!(err.contains("continuity broken at height 24"), "{err}");
    assert!(err.contains("DEADBEEF"), "{err}");
    let stored: String = sqlx::query("SELECT hash FROM blocks WHERE height = 23")
        .fetch_one(&db.store.pool)
        .await
        .unwrap()
        .get(0);
    assert!(err.contains(&stored), "{err} names the stored hash");
    // Every block before the break was written, nothing past it.
    assert_eq!(db.store.checkpoint().await.unwrap().unwrap().height, 23);
    assert_eq!(count(&db, "blocks").await, 23);
    // Following the head, the break is not retried forever: the tail stops.
    let following = ingest(&db, dir.path(), 10);
    let tail = following.tail(std::time::Duration::from_millis(50));
    let err = tokio::time::timeout(std::time::Duration::from_secs(30), tail)
        .await
        .expect("a broken chain stops the tail")
        .unwrap_err();
    assert!(fog_indexer::store::Fatal::is(&err), "{err:#}");
}

#[tokio::test]
async fn a_height_missing_from_the_recording_stops_the_replay_naming_it() {
    let db = TestDb::new().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    synth::write_history(dir.path(), 30, 2).unwrap();
    std::fs::remove_file(dir.path().join("block_results_17.json.gz")).unwrap();
    // Again after a restart, asked past the recording: never waited for.
    for until in [None, Some(40)] {
        let replaying = ingest(&db, dir.path(), 10);
        let err = tokio::time::timeout(std::time::Duration::from_secs(30), replaying.run_to(until))
            .await
            .expect("a missing file is not retried forever")
            .unwrap_err();
        assert!(fog_indexer::store::Fatal::is(&err), "{err:#}");
        assert!(format!("{err:#}").contains("height 17 is not replayable"), "{err:#}");
        // What comes before the gap is written.
        assert_eq!(db.store.checkpoint().await.unwrap().unwrap().height, 16);
    }
}

/// A recorded chain served by a degraded node: blocks below `earliest`
/// pruned, silence from `stall_from` on.
struct Degraded {
    inner: DirSource,
    earliest: u64,
    stall_from: u64,
}

impl Degraded {
    fn new(dir: &std::path::Path) -> Self {
        Self {
            inner: DirSource::open(dir, "inj").unwrap(),
            earliest: 1,
            stall_from: u64::MAX,
        }
    }
}

impl BlockSource for Degraded {
    async fn latest_height(&self) -> anyhow::Result<u64> {
        self.inner.latest_height().await
    }
    async fn earliest_height(&self) -> anyhow::Result<u64> {
        Ok(self.earliest)
    }
    async fn fetch_raw(&self, height: u64) -> anyhow::Result<(serde_json::Value, serde_json::Value)> {
        anyhow::ensure!(height >= self.earliest, "height {height} is not available");
        if height >= self.stall_from {
            std::future::pending::<()>().await;
        }
        self.inner.fetch_raw(height).await
    }
    fn protocol(&self) -> Option<Protocol> {
        self.inner.protocol()
    }
    fn prefix(&self) -> &str {
        self.inner.prefix()
    }
}

/// A node that prunes while the index is away: heights below `earliest`
/// (raised by the test) are gone.
struct Pruning {
    inner: DirSource,
    earliest: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl BlockSource for Pruning {
    async fn latest_height(&self) -> anyhow::Result<u64> {
        self.inner.latest_height().await
    }
    async fn earliest_height(&self) -> anyhow::Result<u64> {
        Ok(self.earliest.load(std::sync::atomic::Ordering::SeqCst))
    }
    async fn fetch_raw(&self, height: u64) -> anyhow::Result<(serde_json::Value, serde_json::Value)> {
        let earliest = self.earliest.load(std::sync::atomic::Ordering::SeqCst);
        anyhow::ensure!(
            height >= earliest,
            "height {height} is not available, lowest height is {earliest}"
        );
        self.inner.fetch_raw(height).await
    }
    fn protocol(&self) -> Option<Protocol> {
        self.inner.protocol()
    }
    fn prefix(&self) -> &str {
        self.inner.prefix()
    }
}

#[tokio::test]
async fn a_node_that_pruned_while_the_index_was_away_stops_the_tail() {
    let db = TestDb::new().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    synth::write_history(dir.path(), 30, 2).unwrap();
    let earliest = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(1));
    let source = Pruning {
        inner: DirSource::open(dir.path(), "inj").unwrap(),
        earliest: earliest.clone(),
    };
    let options = Options {
        batch_blocks: 5,
        progress: false,
        ..Options::default()
    };
    let ingest = Ingest::new(source, db.store.clone(), synth::watched(), options);
    assert_eq!(ingest.run_to(Some(10)).await.unwrap(), 10);
    earliest.store(20, std::sync::atomic::Ordering::SeqCst);
    // Until stop 21 the earliest height was read once per process: the
    // tail then retried height 11 forever.
    let err = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        ingest.tail(std::time::Duration::from_millis(50)),
    )
    .await
    .expect("the tail stops")
    .unwrap_err();
    assert!(fog_indexer::store::Fatal::is(&err), "{err:#}");
    assert!(format!("{err:#}").contains("earliest block is 20"), "{err:#}");
    assert_eq!(db.store.checkpoint().await.unwrap().unwrap().height, 10);
}

#[tokio::test]
async fn a_failed_write_stops_ingestion_while_the_node_is_silent() {
    let db = TestDb::new().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    synth::write_history(dir.path(), 30, 2).unwrap();
    // Block 15 is already stored (as by another writer): the second batch
    // fails on its primary key, while the node has gone silent after 24.
    sqlx::query("INSERT INTO blocks VALUES (15, 'X', now(), '', '', 0)")
        .execute(&db.store.pool)
        .await
        .unwrap();
    let source = Degraded {
        stall_from: 25,
        ..Degraded::new(dir.path())
    };
    let options = Options {
        batch_blocks: 10,
        progress: false,
        ..Options::default()
    };
    let ingest = Ingest::new(source, db.store.clone(), synth::watched(), options);
    let outcome = tokio::time::timeout(std::time::Duration::from_secs(30), ingest.run_to(None))
        .await
        .expect("the writer's error is returned, not held until the node answers");
    let err = format!("{:#}", outcome.unwrap_err());
    assert!(err.contains("duplicate key"), "{err}");
    assert_eq!(db.store.checkpoint().await.unwrap().unwrap().height, 10);
    // The fetcher, stuck on the silent node, was stopped: it held the
    // source.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::sync::Arc::strong_count(&ingest.source) > 1 {
        assert!(std::time::Instant::now() < deadline, "the fetcher still runs");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn spoofed_fog_events_are_ignored() {
    let db = TestDb::new().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    synth::write_history(dir.path(), 3, 2).unwrap();
    // Another contract emits a lock_created in block 4.
    let (b, mut r) = synth::block(4, 2);
    r["txs_results"][0]["events"][0]["attributes"][0]["value"] = "inj1evil".into();
    fog_indexer::source::write_recorded(dir.path(), 4, &b, &r).unwrap();
    ingest(&db, dir.path(), 10).run_to(None).await.unwrap();
    assert_eq!(count(&db, "locks").await, 3, "the spoofed lock is not projected");
    let spoofed: i64 = sqlx::query("SELECT count(*) FROM events WHERE contract = 'inj1evil'")
        .fetch_one(&db.store.pool)
        .await
        .unwrap()
        .get(0);
    assert_eq!(spoofed, 0);
}

/// An indexer killed right after it sent COMMIT leaves a backend that
/// commits the batch anyway. A restart reads the checkpoint that batch
/// commits, not the one before it (and then collides with the batch's
/// rows): for a later batch and for the very first, whose checkpoint row
/// does not exist until it commits.
#[tokio::test]
async fn the_checkpoint_read_waits_for_a_batch_still_committing() {
    for (first, height) in [(true, 7), (false, 9)] {
        let db = TestDb::new().await.unwrap();
        let upsert =
            "INSERT INTO ingest_state (id, chain_id, height, block_hash, protocol) VALUES (1, 'inj', $1, 'AB', 'p') \
                      ON CONFLICT (id) DO UPDATE SET height = $1";
        if !first {
            sqlx::query(upsert).bind(5i64).execute(&db.store.pool).await.unwrap();
        }
        // The batch of the killed indexer: its checkpoint written, not yet committed.
        let mut committing = db.store.pool.begin().await.unwrap();
        sqlx::query(upsert)
            .bind(height)
            .execute(&mut *committing)
            .await
            .unwrap();
        let store = db.store.clone();
        let restart = tokio::spawn(async move { store.checkpoint().await });
        // The restart's read waits on a lock (checked in PostgreSQL, not by the clock).
        let mut waited = false;
        for _ in 0..500 {
            let waiting: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
            )
            .fetch_one(&db.store.pool)
            .await
            .unwrap();
            if waiting > 0 || restart.is_finished() {
                waited = waiting > 0;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        committing.commit().await.unwrap();
        let read = restart.await.unwrap().unwrap().map(|c| c.height);
        assert!(
            waited,
            "first batch {first}: the checkpoint read did not wait (read {read:?})"
        );
        assert_eq!(read, Some(height as u64), "first batch {first}");
    }
}

#[tokio::test]
async fn the_events_of_a_failed_transaction_change_no_projection() {
    let db = TestDb::new().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    synth::write_history(dir.path(), 6, 2).unwrap();
    let (b, mut r) = synth::block(5, 2);
    r["txs_results"][0]["code"] = 5.into();
    fog_indexer::source::write_recorded(dir.path(), 5, &b, &r).unwrap();
    assert_eq!(ingest(&db, dir.path(), 10).run_to(None).await.unwrap(), 6);
    // Block 5's first transaction failed: its lock is not projected.
    let locks_at_5: i64 = sqlx::query_scalar("SELECT count(*) FROM lock_history WHERE height = 5")
        .fetch_one(&db.store.pool)
        .await
        .unwrap();
    let locks_at_4: i64 = sqlx::query_scalar("SELECT count(*) FROM lock_history WHERE height = 4")
        .fetch_one(&db.store.pool)
        .await
        .unwrap();
    assert!(locks_at_4 > 0);
    assert!(locks_at_5 < locks_at_4, "{locks_at_5} locks at height 5");
    let code: i32 = sqlx::query_scalar("SELECT code FROM txs WHERE height = 5 AND index = 0")
        .fetch_one(&db.store.pool)
        .await
        .unwrap();
    assert_eq!(code, 5);
}

#[tokio::test]
async fn a_nul_character_from_the_chain_is_stored_as_u_fffd_not_refused() {
    let db = TestDb::new().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    synth::write_history(dir.path(), 10, 2).unwrap();
    // A NUL in a plain attribute and, escaped, inside a fog event's text:
    // PostgreSQL refuses both in text and jsonb, which stopped ingestion.
    let (b, mut r) = synth::block(1, 2);
    let events = r["txs_results"][0]["events"].as_array_mut().unwrap();
    for attr in events[0]["attributes"].as_array_mut().unwrap() {
        if attr["key"] == "title" {
            attr["value"] = "Synthetic\u{0}title".into();
        }
        if attr["key"] == "options" {
            attr["value"] = r#"["y\u0000es","no","abstain"]"#.into();
        }
        // A proposal's actions are JSON the projection parses itself.
        if attr["key"] == "actions" {
            attr["value"] = r#"[{"treasury_spend":{"transfers":[{"recipient":"inj1x","asset":{"native":"a\u0000b"},"amount":"1"}]}}]"#.into();
        }
    }
    events.push(serde_json::json!({"type": "transfer", "attributes": [
        {"key": "memo", "value": "a\u{0}b", "index": true}
    ]}));
    fog_indexer::source::write_recorded(dir.path(), 1, &b, &r).unwrap();
    assert_eq!(ingest(&db, dir.path(), 5).run_to(None).await.unwrap(), 10);
    let stored: String = sqlx::query("SELECT value FROM event_attributes WHERE key = 'memo'")
        .fetch_one(&db.store.pool)
        .await
        .unwrap()
        .get(0);
    assert_eq!(stored, "a\u{FFFD}b");
    let title: String = sqlx::query("SELECT title FROM proposals WHERE id = 1")
        .fetch_one(&db.store.pool)
        .await
        .unwrap()
        .get(0);
    assert_eq!(title, "Synthetic\u{FFFD}title");
    let options: serde_json::Value = sqlx::query("SELECT options FROM proposals WHERE id = 1")
        .fetch_one(&db.store.pool)
        .await
        .unwrap()
        .get(0);
    assert_eq!(options[0], "y\u{FFFD}es");
    let actions: serde_json::Value = sqlx::query("SELECT actions FROM proposals WHERE id = 1")
        .fetch_one(&db.store.pool)
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        actions[0]["treasury_spend"]["transfers"][0]["asset"]["native"],
        "a\u{FFFD}b"
    );
}

#[tokio::test]
async fn a_veto_that_decides_a_proposal_projects_its_winner() {
    use fog_events::governance::ProposalVetoed;
    let db = TestDb::new().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    synth::write_history(dir.path(), 6, 2).unwrap();
    let (b, mut r) = synth::block(5, 2);
    let vetoed = synth::fog(
        &synth::watched().governance,
        &ProposalVetoed {
            id: 1,
            guardian: "inj1guardian".into(),
            reason: None,
            deposit_burned: 0,
            winner: Some(2),
            decided_at: Some(1_800_000_004),
        },
    );
    r["txs_results"][0]["events"].as_array_mut().unwrap().push(vetoed);
    fog_indexer::source::write_recorded(dir.path(), 5, &b, &r).unwrap();
    ingest(&db, dir.path(), 10).run_to(None).await.unwrap();
    let (status, winner, decided_at): (String, Option<i16>, Option<i64>) =
        sqlx::query_as("SELECT status, winner, decided_at FROM proposals WHERE id = 1")
            .fetch_one(&db.store.pool)
            .await
            .unwrap();
    assert_eq!(
        (status.as_str(), winner, decided_at),
        ("vetoed", Some(2), Some(1_800_000_004))
    );
}

#[tokio::test]
async fn an_expiry_beyond_a_bigint_is_held_as_the_latest_time_not_wrapped() {
    use fog_events::registry::EntrySet;
    let db = TestDb::new().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    synth::write_history(dir.path(), 6, 2).unwrap();
    let (b, mut r) = synth::block(5, 2);
    let set = synth::fog(
        &synth::watched().registry,
        &EntrySet {
            address: "inj1faraway".into(),
            kyc_tier: 2,
            jurisdiction: "DE".into(),
            sanctioned: false,
            expires_at_ns: Some(u64::MAX),
            commitment: "ab".repeat(32),
            officer: "inj1officer".into(),
            updated_at_ns: 1_800_000_004_000_000_000,
            created: true,
        },
    );
    r["txs_results"][0]["events"].as_array_mut().unwrap().push(set);
    fog_indexer::source::write_recorded(dir.path(), 5, &b, &r).unwrap();
    ingest(&db, dir.path(), 10).run_to(None).await.unwrap();
    let expires: Option<i64> =
        sqlx::query_scalar("SELECT expires_at_ns FROM registry_entries WHERE address = 'inj1faraway'")
            .fetch_one(&db.store.pool)
            .await
            .unwrap();
    // Wrapped, it was -1: expired since 1970, tier 0 to the rules.
    assert_eq!(expires, Some(i64::MAX));
}

#[tokio::test]
async fn what_retrying_cannot_fix_stops_ingestion_instead_of_retrying_forever() {
    let dir = tempfile::tempdir().unwrap();
    synth::write_history(dir.path(), 12, 2).unwrap();
    let run = |db: &TestDb, start_height: u64| {
        let source = Degraded {
            earliest: 5,
            ..Degraded::new(dir.path())
        };
        let options = Options {
            start_height,
            batch_blocks: 4,
            progress: false,
            ..Options::default()
        };
        Ingest::new(source, db.store.clone(), synth::watched(), options)
    };
    // A pruned node never serves block 1: said at once, as fatal.
    let db = TestDb::new().await.unwrap();
    let outcome = tokio::time::timeout(std::time::Duration::from_secs(30), run(&db, 1).run_to(None))
        .await
        .expect("not retried forever");
    let err = outcome.unwrap_err();
    assert!(fog_indexer::store::Fatal::is(&err), "{err:#}");
    assert!(format!("{err:#}").contains("earliest block is 5"), "{err:#}");
    assert_eq!(db.store.checkpoint().await.unwrap(), None);
    // Started after the proposal was made, its votes name a proposal the
    // index never saw: also fatal, not a batch retried forever.
    let db = TestDb::new().await.unwrap();
    let err = run(&db, 5).run_to(None).await.unwrap_err();
    assert!(fog_indexer::store::Fatal::is(&err), "{err:#}");
    assert!(format!("{err:#}").contains("unknown proposal 1"), "{err:#}");
}

/// Events of a release request or an audit log the index never saw (it
/// started after they were made) stop ingestion, as a ballot of an unknown
/// proposal does: until stop 20 an approval was recorded against nothing, a
/// key change dropped, and a submitter change created the log.
#[tokio::test]
async fn events_of_requests_and_logs_the_index_never_saw_are_fatal() {
    use fog_events::audit_anchor::{AuditAnchorEvent, LogKeySet, SubmitterAdded};
    use fog_events::release_gate::{Approved, Rejected, ReleaseGateEvent};
    use fog_events::{AnyEvent, Text};
    use fog_indexer::project::Projector;
    use fog_indexer::store::{Fatal, FogEvent};
    let db = TestDb::new().await.unwrap();
    let mut conn = db.store.pool.acquire().await.unwrap();
    let cases = [
        (
            AnyEvent::ReleaseGate(ReleaseGateEvent::Approved(Approved {
                id: 7,
                approver: "inj1approver".into(),
                groups: vec!["risk".into()],
                comment: Text(String::new()),
                at_ns: 1,
                approvals: 1,
                released: false,
            })),
            "unknown release request 7",
        ),
        (
            AnyEvent::ReleaseGate(ReleaseGateEvent::Rejected(Rejected {
                id: 8,
                rejecter: "inj1rejecter".into(),
                groups: vec!["eng".into()],
                comment: Text(String::new()),
                at_ns: 1,
                rejected: false,
            })),
            "unknown release request 8",
        ),
        (
            AnyEvent::AuditAnchor(AuditAnchorEvent::LogKeySet(LogKeySet {
                origin: "fog.example/log".into(),
                public_key: None,
                owner: "inj1owner".into(),
            })),
            "unknown audit log",
        ),
        (
            AnyEvent::AuditAnchor(AuditAnchorEvent::SubmitterAdded(SubmitterAdded {
                origin: "fog.example/log".into(),
                submitter: "inj1submitter".into(),
                owner: "inj1owner".into(),
            })),
            "unknown audit log",
        ),
    ];
    for (event, expected) in cases {
        let event = FogEvent {
            height: 5,
            seq: 0,
            time: 1_700_000_000,
            tx_hash: None,
            event,
        };
        let err = Projector::new().apply(&mut conn, event).await.unwrap_err();
        assert!(Fatal::is(&err), "{err:#}");
        assert!(format!("{err:#}").contains(expected), "{err:#}");
    }
    let (logs, votes): (i64, i64) =
        sqlx::query_as("SELECT (SELECT count(*) FROM anchor_logs), (SELECT count(*) FROM release_votes)")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
    assert_eq!((logs, votes), (0, 0), "nothing recorded against nothing");
}

#[tokio::test]
async fn verify_state_compares_only_at_the_indexed_height() {
    let db = TestDb::new().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    synth::write_history(dir.path(), 6, 2).unwrap();
    ingest(&db, dir.path(), 10).run_to(None).await.unwrap();
    // The projections are the state as of block 6: comparing them with the
    // contracts at block 3 would report every change since as a difference.
    let client = fog_relayer::chain::ChainClient::new(fog_relayer::chain::ChainProfile::injective_local());
    let err = fog_indexer::verify::verify_state(&db.store.pool, &client, &synth::contracts(), Some(3))
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("as of the indexed height 6"), "{err:#}");
}

#[tokio::test]
async fn a_replay_is_refused_while_another_indexer_writes() {
    let db = TestDb::new().await.unwrap();
    let _writing = fog_indexer::store::writer_lock(&db.store).await.unwrap();
    let err = fog_indexer::store::writer_lock_now(&db.store).await.unwrap_err();
    assert!(err.to_string().contains("another indexer is writing"), "{err}");
}
