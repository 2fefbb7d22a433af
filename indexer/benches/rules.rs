//! Compliance rule throughput over a replayed history, in events per second,
//! next to the replay's own rate measured in the same run (the rules must
//! keep up with ingestion, since they run in its transaction).
//!
//! 1. A synthetic history (`fog_indexer::synth`) is replayed into a fresh
//!    database with no rule active: the peer rate.
//! 2. Each rule set is evaluated over the stored range in batches of
//!    `BATCH` blocks, as the writer does, alerts written: stateless rules
//!    (large transfer, sanctions list of 10,000 addresses + registry flag,
//!    KYC tier limit), windowed detectors (structuring, velocity), and the
//!    governance detectors.
//!
//! The synthetic chain sets no registry entry, so before the rules run,
//! `REGISTRY_PERCENT` of the senders (default 10) are given one, changed
//! once halfway through the history (tier 1-3; one in a hundred of them
//! sanctioned), as projected rows: the KYC and sanctions detectors then
//! look each move's sender up as of its event (`registry_at`).
//!
//! `cargo bench -p fog-indexer --bench rules` (env BLOCKS, EVENTS_PER_BLOCK, BATCH,
//! REGISTRY_PERCENT).

use std::time::Instant;

use fog_indexer::ingest::{Ingest, Options};
use fog_indexer::rules::spec::{Detector, RuleSpec};
use fog_indexer::rules::{write_alerts, CompiledRule};
use fog_indexer::source::DirSource;
use fog_indexer::synth;
use fog_indexer::testing::TestDb;

// The indexer's allocator, as in its binary.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn spec(id: &str, detector: Detector, condition: Option<&str>) -> RuleSpec {
    RuleSpec {
        id: id.into(),
        version: 1,
        title: id.into(),
        description: String::new(),
        detector,
        condition: condition.map(str::to_string),
        severity: "medium".into(),
        risk_score: 50,
        tags: vec!["AML".into()],
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let blocks = env("BLOCKS", 2_000);
    let per_block = env("EVENTS_PER_BLOCK", 25) as usize;
    let batch = env("BATCH", 100) as i64;
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let dir = std::path::PathBuf::from(&target).join(format!("bench-data/replay-{blocks}x{per_block}"));
    if !dir.join(format!("block_{blocks}.json.gz")).exists() {
        synth::write_history(&dir, blocks, per_block)?;
    }
    let db = TestDb::new().await?;
    let pool = &db.store.pool;
    let ingest = Ingest::new(
        DirSource::open(&dir, "inj")?,
        db.store.clone(),
        synth::watched(),
        Options {
            progress: false,
            ..Options::default()
        },
    );
    let t = Instant::now();
    ingest.run_to(None).await?;
    let replay_s = t.elapsed().as_secs_f64();
    // Statistics as autovacuum keeps them on a live database: the rules'
    // plans are made for the tables as they are, not as they were empty.
    sqlx::query("ANALYZE").execute(pool).await?;
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(pool)
        .await?;
    let transfers: i64 = sqlx::query_scalar("SELECT count(*) FROM transfers")
        .fetch_one(pool)
        .await?;
    println!("history: {blocks} blocks, {events} events ({transfers} transfers), replayed in {replay_s:.2} s");
    println!(
        "replay (peer):                {:>10.0} events/s",
        events as f64 / replay_s
    );
    let percent = env("REGISTRY_PERCENT", 10) as i32;
    let registry = sqlx::query(
        "INSERT INTO registry_history (address, height, seq, kyc_tier, sanctioned, expires_at_ns) \
         SELECT a, h, 0, (1 + (hashtext(a || h) & 2147483647) % 3)::smallint, (hashtext(a || h) & 2147483647) % 100 = 0, \
           NULL \
         FROM (SELECT DISTINCT sender AS a FROM transfers WHERE sender IS NOT NULL) s, (VALUES (1), ($2::bigint)) v(h) \
         WHERE (hashtext(a) & 2147483647) % 100 < $1",
    )
    .bind(percent)
    .bind((blocks as i64 / 2).max(2))
    .execute(pool)
    .await?
    .rows_affected();
    sqlx::query("ANALYZE registry_history").execute(pool).await?;
    println!("registry: {percent} % of the senders, {registry} history rows");

    // The synthetic history's addresses are not bech32, which a list file
    // must hold: the list is handed to the rule as a loaded version's
    // stored list is (`CompiledRule::with_list`), not read from a file.
    let mut listed: Vec<String> = (0..10_000).map(|i| format!("inj1listed{i:08}")).collect();
    listed.push(format!("inj1user{}x3", blocks / 2));
    let cw20 = Some("event.asset.startsWith(\"cw20:\")");
    let sets: Vec<(&str, Vec<RuleSpec>)> = vec![
        (
            "stateless (3 rules)",
            vec![
                spec(
                    "b.large",
                    Detector::LargeTransfer {
                        threshold: "1000020".into(),
                        asset: None,
                    },
                    cw20,
                ),
                spec(
                    "b.sanctions",
                    Detector::SanctionedCounterparty {
                        list: Some("lists/bench.txt".into()),
                    },
                    None,
                ),
                spec(
                    "b.kyc",
                    Detector::KycTierLimit {
                        limits: vec!["1000020".into()],
                    },
                    Some("!has(event.asset) || event.asset.startsWith(\"cw20:\")"),
                ),
            ],
        ),
        (
            "windowed (2 detectors)",
            vec![
                spec(
                    "b.structuring",
                    Detector::Structuring {
                        threshold: "1000030".into(),
                        margin_bps: 100,
                        min_count: 3,
                        window_seconds: 3_600,
                        asset: None,
                    },
                    None,
                ),
                spec(
                    "b.velocity",
                    Detector::Velocity {
                        window_seconds: 3_600,
                        max_count: Some(5),
                        max_sum: Some("100000000000000".into()),
                        asset: None,
                    },
                    None,
                ),
            ],
        ),
        (
            "governance (2 detectors)",
            vec![
                spec(
                    "b.concentration",
                    Detector::GovernanceConcentration {
                        max_share_bps: 2_000,
                        min_voters: 3,
                        min_nakamoto: Some(3),
                    },
                    None,
                ),
                spec(
                    "b.anomaly",
                    Detector::GovernanceAnomaly {
                        min_delegated: "1".into(),
                        new_seconds: 60,
                        dormant_seconds: 86_400,
                    },
                    None,
                ),
            ],
        ),
    ];
    for (name, specs) in sets {
        let rules: Vec<CompiledRule> = specs
            .into_iter()
            .map(|spec| match spec.detector {
                Detector::SanctionedCounterparty { list: Some(_) } => CompiledRule::with_list(spec, listed.clone()),
                _ => CompiledRule::compile(spec),
            })
            .collect::<Result<_, _>>()?;
        let t = Instant::now();
        let mut alerts = 0;
        let mut per = vec![(0f64, 0f64); rules.len()];
        let mut from = 1i64;
        while from <= blocks as i64 {
            let to = (from + batch - 1).min(blocks as i64);
            let mut tx = pool.begin().await?;
            for (i, rule) in rules.iter().enumerate() {
                let t0 = Instant::now();
                let hits = rule.evaluate(&mut tx, from, to).await?;
                let t1 = Instant::now();
                alerts += write_alerts(&mut tx, &rule.spec, &hits).await?;
                per[i].0 += (t1 - t0).as_secs_f64();
                per[i].1 += t1.elapsed().as_secs_f64();
            }
            tx.commit().await?;
            from = to + 1;
        }
        let s = t.elapsed().as_secs_f64();
        let rate = events as f64 / s;
        println!(
            "{name:<28} {rate:>10.0} events/s  ({s:.2} s, {alerts} alerts, {:.1}x the replay rate)",
            rate / (events as f64 / replay_s)
        );
        for (rule, (evaluate, write)) in rules.iter().zip(&per) {
            println!(
                "  {:<26} evaluate {evaluate:.2} s, write alerts {write:.2} s",
                rule.spec.id
            );
        }
    }
    Ok(())
}
