//! Crash safety: `fog-indexer replay` is SIGKILLed at random moments at
//! least 20 times, restarted each time; the final database equals the one an
//! uninterrupted run produces, table by table (row count and a content hash
//! of every row).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fog_indexer::synth;
use fog_indexer::testing::TestDb;
use rand::Rng;
use sqlx::{PgPool, Row};

fn manifest(dir: &Path) -> std::path::PathBuf {
    fog_indexer::testing::synthetic_manifest(dir).expect("a deployment manifest")
}

/// The replay's stderr, written to `log` (what a failure shows).
fn replay(db: &TestDb, history: &Path, manifest: &Path, log: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_fog-indexer"))
        .args(["--database-url", &db.url, "--deployment"])
        .arg(manifest)
        .args(["replay", "--batch", "10"])
        .arg(history)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).expect("a log file for the replay"))
        .spawn()
        .expect("fog-indexer starts")
}

/// (table, rows, md5 of all rows in a fixed order).
async fn fingerprint(pool: &PgPool) -> Vec<(String, i64, String)> {
    let tables: Vec<String> = sqlx::query(
        "SELECT table_name FROM information_schema.tables
         WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations' ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap()
    .into_iter()
    .map(|r| r.get(0))
    .collect();
    let mut out = vec![];
    for t in tables {
        // Wall-clock times and serial ids (a rolled-back batch spends
        // sequence numbers) differ between runs: compare the rest.
        let row_expr = match t.as_str() {
            "ingest_state" => "(x.chain_id, x.height, x.block_hash, x.protocol)::text",
            "alerts" => {
                "(x.rule_id, x.rule_version, x.event_key, x.height, x.tx_hash, x.time, x.subject, \
                 x.severity, x.risk_score, x.tags, x.evidence)::text"
            }
            _ => "x::text",
        };
        let r = sqlx::query(&format!(
            "SELECT count(*), md5(coalesce(string_agg({row_expr}, E'\\n' ORDER BY {row_expr}), '')) FROM {t} x"
        ))
        .fetch_one(pool)
        .await
        .unwrap();
        out.push((t, r.get(0), r.get(1)));
    }
    out
}

/// Rules over the synthetic history's transfers, locks and votes, made
/// active directly (the four-eyes path has its own tests), with fixed times
/// so both databases hold the same rows.
async fn activate_rules(pool: &PgPool) {
    use fog_indexer::rules::spec::{Detector, RuleSpec};
    let rules = [
        Detector::LargeTransfer {
            threshold: "1000005".into(),
            asset: None,
        },
        Detector::KycTierLimit {
            limits: vec!["1000008".into()],
        },
        Detector::Velocity {
            window_seconds: 60,
            max_count: Some(2),
            max_sum: None,
            asset: Some("native:inj".into()),
        },
        Detector::GovernanceConcentration {
            max_share_bps: 2_000,
            min_voters: 1,
            min_nakamoto: None,
        },
    ];
    for (i, detector) in rules.into_iter().enumerate() {
        let spec = RuleSpec {
            id: format!("crash.{}", detector.name()),
            version: 1,
            title: format!("rule {i}"),
            description: String::new(),
            detector,
            condition: Some("size(event) > 0".into()),
            severity: "low".into(),
            risk_score: 10,
            tags: vec!["AML".into()],
        };
        sqlx::query(
            "INSERT INTO rule_versions (rule_id, version, spec, sha256, source, state, loaded_by, loaded_at, \
               approved_by, approved_at, activated_by, activated_at) \
             VALUES ($1, 1, $2, $3, 'test', 'active', 'a', 'epoch', 'b', 'epoch', 'c', 'epoch')",
        )
        .bind(&spec.id)
        .bind(serde_json::to_value(&spec).unwrap())
        .bind(spec.digest().unwrap())
        .execute(pool)
        .await
        .unwrap();
    }
    sqlx::query("UPDATE rules_generation SET generation = 1")
        .execute(pool)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_random_moments_loses_and_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history");
    synth::write_history(&history, 3_000, 12).unwrap();
    let manifest = manifest(dir.path());

    let clean = TestDb::new().await.unwrap();
    activate_rules(&clean.store.pool).await;
    let log = dir.path().join("replay.log");
    let failed = |status: std::process::ExitStatus| {
        format!(
            "replay failed on its own ({status}):\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        )
    };
    let status = replay(&clean, &history, &manifest, &log).wait().unwrap();
    assert!(status.success(), "{}", failed(status));
    let expected = fingerprint(&clean.store.pool).await;
    let alerts = expected.iter().find(|(t, _, _)| t == "alerts").unwrap().1;
    assert!(alerts > 3_000, "the rules flag plenty: {alerts}");

    let crashed = TestDb::new().await.unwrap();
    activate_rules(&crashed.store.pool).await;
    let mut rng = rand::thread_rng();
    let mut kills = 0;
    let started = Instant::now();
    loop {
        let mut child = replay(&crashed, &history, &manifest, &log);
        let delay = Duration::from_millis(rng.gen_range(30..400));
        std::thread::sleep(delay);
        match child.try_wait().unwrap() {
            Some(status) => {
                assert!(status.success(), "{}", failed(status));
                if kills >= 20 {
                    break;
                }
            }
            None => {
                child.kill().unwrap(); // SIGKILL
                child.wait().unwrap();
                kills += 1;
            }
        }
        assert!(started.elapsed() < Duration::from_secs(600), "replay never finished");
    }
    // Finish whatever is left.
    let status = replay(&crashed, &history, &manifest, &log).wait().unwrap();
    assert!(status.success(), "{}", failed(status));
    assert!(kills >= 20, "killed {kills} times");
    let got = fingerprint(&crashed.store.pool).await;
    assert_eq!(got, expected);
    let blocks = got.iter().find(|(t, _, _)| t == "blocks").unwrap().1;
    assert_eq!(blocks, 3_000);
}
