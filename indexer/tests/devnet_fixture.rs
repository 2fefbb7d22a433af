//! Replaying blocks recorded from the devnet during the end-to-end scenario
//! (`fog-indexer record`): the live decoder and projections, with no node.

#[path = "common/recorded.rs"]
mod recorded;

use fog_indexer::source::{BlockSource, DirSource, Protocol};
use fog_indexer::testing::TestDb;
use sqlx::Row;

#[tokio::test]
async fn the_recorded_devnet_scenario_projects_as_the_chain_had_it() {
    let dir = recorded::unpack();
    let deployment = recorded::deployment(dir.path());
    let source = DirSource::open(dir.path(), "inj").unwrap();
    assert_eq!(
        source.protocol(),
        Some(Protocol::Finalize),
        "CometBFT 1.0 per status.json"
    );
    let db = TestDb::new().await.unwrap();
    recorded::replay(dir.path(), &db.store).await;
    let pool = &db.store.pool;

    let statuses: Vec<(i64, String, String)> = sqlx::query_as("SELECT id, method, status FROM proposals ORDER BY id")
        .fetch_all(pool)
        .await
        .unwrap();
    assert_eq!(statuses.len(), 9);
    for (id, _, status) in &statuses {
        assert!(
            ["passed", "executed"].contains(&status.as_str()),
            "proposal {id}: {status}"
        );
    }
    // Every yes/no tally equals a recount of its ballots.
    for (id, method, _) in statuses.iter().filter(|(_, m, _)| m == "yes_no") {
        let tally: serde_json::Value = sqlx::query("SELECT tally FROM proposals WHERE id = $1")
            .bind(id)
            .fetch_one(pool)
            .await
            .unwrap()
            .get(0);
        let recount: Vec<(i32, String)> = sqlx::query_as(
            "SELECT (choice->>0)::int, sum(weight)::text FROM votes WHERE proposal_id = $1 GROUP BY 1 ORDER BY 1",
        )
        .bind(id)
        .fetch_all(pool)
        .await
        .unwrap();
        for (option, sum) in recount {
            assert_eq!(tally[option as usize].as_str().unwrap(), sum, "{method} proposal {id}");
        }
    }
    let locks: i64 = sqlx::query("SELECT count(*) FROM locks WHERE amount > 0")
        .fetch_one(pool)
        .await
        .unwrap()
        .get(0);
    assert_eq!(locks, 5);
    let released: String = sqlx::query("SELECT status FROM release_requests ORDER BY id DESC LIMIT 1")
        .fetch_one(pool)
        .await
        .unwrap()
        .get(0);
    assert_eq!(released, "approved");
    let signed_by_secp: i64 = sqlx::query("SELECT count(*) FROM txs WHERE signer = $1")
        .bind(&deployment.accounts["erin"].address)
        .fetch_one(pool)
        .await
        .unwrap()
        .get(0);
    assert!(signed_by_secp > 0, "signers of secp256k1 transactions are decoded too");
    let fog_transfers: i64 = sqlx::query("SELECT count(*) FROM transfers WHERE asset LIKE 'cw20:%'")
        .fetch_one(pool)
        .await
        .unwrap()
        .get(0);
    assert!(fog_transfers > 10);
}
