//! The indexer on the devnet, live: it follows the chain while the scenario
//! runs (its lag behind the head is sampled, for docs/BENCHMARKS.md), then
//! every projection is compared with the contracts' own queries.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fog_indexer::ingest::{Ingest, Options};
use fog_indexer::source::{BlockSource, RpcSource};
use fog_indexer::store::select::Watched;
use fog_indexer::testing::TestDb;
use fog_relayer::chain::ChainClient;
use fog_relayer::deployment::Deployment;

use crate::fog::home;

pub struct LiveIndexer {
    rt: tokio::runtime::Runtime,
    db: TestDb,
    deployment: Deployment,
    stop: Arc<AtomicBool>,
    lags: Arc<Mutex<Vec<u64>>>,
}

/// Starts indexing the devnet from height 1 into a fresh database.
pub fn start() -> LiveIndexer {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let deployment = Deployment::load(&home().join("devnet/deployment.json")).unwrap();
    let db = rt.block_on(TestDb::new()).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let lags = Arc::new(Mutex::new(Vec::new()));
    let prefix = deployment.profile.bech32_prefix.clone();
    let source = rt.block_on(RpcSource::connect(&deployment.rpc, &prefix)).unwrap();
    let ingest = Ingest::new(
        source,
        db.store.clone(),
        Watched::from(&deployment.contracts),
        Options {
            progress: false,
            ..Options::default()
        },
    );
    rt.spawn(async move {
        let _ = ingest.tail(Duration::from_millis(100)).await;
    });
    // Samples the lag (chain head minus the indexed height) every 100 ms.
    let (store, rpc, stop2, lags2) = (db.store.clone(), deployment.rpc.clone(), stop.clone(), lags.clone());
    rt.spawn(async move {
        let head = RpcSource::connect(&rpc, &prefix).await.unwrap();
        while !stop2.load(Ordering::Relaxed) {
            if let (Ok(h), Ok(Some(c))) = (head.latest_height().await, store.checkpoint().await) {
                lags2.lock().unwrap().push(h.saturating_sub(c.height));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    LiveIndexer {
        rt,
        db,
        deployment,
        stop,
        lags,
    }
}

impl LiveIndexer {
    /// Stops sampling, waits for the indexer to reach the head, and checks
    /// every projection against the contracts. Returns the values compared.
    pub fn finish(self) -> usize {
        self.stop.store(true, Ordering::Relaxed);
        let mut lags = self.lags.lock().unwrap().clone();
        lags.sort_unstable();
        let pct = |p: f64| {
            lags.get(((lags.len() as f64 - 1.0) * p).round() as usize)
                .copied()
                .unwrap_or(0)
        };
        let report = serde_json::json!({
            "samples": lags.len(),
            "p50_blocks": pct(0.5),
            "p99_blocks": pct(0.99),
            "max_blocks": lags.last().copied().unwrap_or(0),
        });
        std::fs::write(home().join("e2e-head-lag.json"), report.to_string()).unwrap();
        self.rt.block_on(async {
            let source = RpcSource::connect(&self.deployment.rpc, "inj").await.unwrap();
            let head = source.latest_height().await.unwrap();
            loop {
                let indexed = self.db.store.checkpoint().await.unwrap().map(|c| c.height).unwrap_or(0);
                if indexed >= head {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            let client = ChainClient::new(self.deployment.profile.clone());
            let report =
                fog_indexer::verify::verify_state(&self.db.store.pool, &client, &self.deployment.contracts, None)
                    .await
                    .unwrap();
            assert!(
                report.differences.is_empty(),
                "verify-state at {}: {:#?}",
                report.height,
                report.differences
            );
            assert!(report.compared >= 50, "compared only {}", report.compared);

            // And it sees what it compares: a ballot's choice and a release
            // approval's comment changed behind the projections' back are
            // named (before stop 20 neither was compared).
            let pool = &self.db.store.pool;
            let (proposal, voter): (i64, String) =
                sqlx::query_as("SELECT proposal_id, voter FROM votes ORDER BY proposal_id, voter LIMIT 1")
                    .fetch_one(pool)
                    .await
                    .unwrap();
            sqlx::query("UPDATE votes SET choice = '[9]' WHERE proposal_id = $1 AND voter = $2")
                .bind(proposal)
                .bind(&voter)
                .execute(pool)
                .await
                .unwrap();
            let request: i64 = sqlx::query_scalar(
                "UPDATE release_votes SET comment = comment || ' (edited)'
                 WHERE (request_id, voter) = (SELECT request_id, voter FROM release_votes ORDER BY 1, 2 LIMIT 1)
                 RETURNING request_id",
            )
            .fetch_one(pool)
            .await
            .unwrap();
            let tampered = fog_indexer::verify::verify_state(pool, &client, &self.deployment.contracts, None)
                .await
                .unwrap();
            let named: Vec<&str> = tampered.differences.iter().map(|d| d.what.as_str()).collect();
            assert_eq!(
                named,
                [
                    format!("proposal {proposal} votes"),
                    format!("release request {request} votes")
                ],
                "{:#?}",
                tampered.differences
            );
            report.compared
        })
    }
}
