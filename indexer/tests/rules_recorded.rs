//! Every detector on a recorded chain: the compliance scenario
//! (`tests/e2e/compliance.rs`) recorded on the devnet
//! (`tests/fixtures/devnet-compliance.tar.gz`, by
//! `scripts/record-compliance-fixture.sh`) is replayed by the live code
//! path with the eight shipped rules active, and each rule's alerts are
//! compared with the patterns the scenario acted out: its hits, exactly,
//! and its near misses, absent.

#[path = "common/recorded.rs"]
mod recorded;

use std::collections::BTreeSet;
use std::path::Path;

use fog_relayer::deployment::Deployment;
use serde_json::Value;
use sqlx::PgPool;

const FOG: u128 = 1_000_000;

struct Alert {
    subject: String,
    evidence: Value,
}

async fn alerts(pool: &PgPool, rule: &str) -> Vec<Alert> {
    let rows: Vec<(String, Value)> =
        sqlx::query_as("SELECT subject, evidence FROM alerts WHERE rule_id = $1 ORDER BY height, event_key")
            .bind(rule)
            .fetch_all(pool)
            .await
            .unwrap();
    rows.into_iter()
        .map(|(subject, evidence)| Alert { subject, evidence })
        .collect()
}

/// The shipped rules, with a sanctions list that also names mallory (the
/// staff's list is a file of their own; the shipped one has a placeholder).
fn rules_dir(mallory: &str) -> tempfile::TempDir {
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules");
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&shipped).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    std::fs::create_dir(dir.path().join("lists")).unwrap();
    let list = std::fs::read_to_string(shipped.join("lists/sanctioned.txt")).unwrap();
    std::fs::write(dir.path().join("lists/sanctioned.txt"), format!("{list}{mallory}\n")).unwrap();
    dir
}

/// Amount (base units) and sender of a transfer alert's evidence.
fn moved(a: &Alert) -> (String, u128) {
    (
        a.evidence["sender"].as_str().unwrap_or_default().to_string(),
        a.evidence["amount"].as_str().unwrap().parse().unwrap(),
    )
}

#[tokio::test]
async fn every_detector_on_the_recorded_compliance_scenario() {
    let dir = recorded::unpack_fixture("devnet-compliance.tar.gz");
    let deployment: Deployment = recorded::deployment(dir.path());
    let at = |name: &str| deployment.accounts[name].address.clone();
    let db = fog_indexer::testing::TestDb::new().await.unwrap();
    let pool = &db.store.pool;
    let rules = rules_dir(&at("mallory"));
    recorded::activate_rules(pool, rules.path()).await;
    recorded::replay(dir.path(), &db.store).await;

    // Large transfers: every cw20 movement of 100,000 FOG or more, the
    // locks' `Send`s and the deployment's funding included; the 95,000 FOG
    // transfers are near misses.
    let large: BTreeSet<(String, u128)> = alerts(pool, "aml.large_transfer").await.iter().map(moved).collect();
    let expected: BTreeSet<(String, u128)> = [
        ("deployer", 5_000_000),
        ("deployer", 75_000_000),
        ("kingmaker", 200_000),
        ("whale", 400_000),
        ("whale", 200_000),
        ("steady", 600_000),
        ("steady", 399_999),
    ]
    .iter()
    .map(|(who, fog)| (at(who), fog * FOG))
    .collect();
    assert_eq!(large, expected, "large transfers");
    assert_eq!(
        alerts(pool, "aml.large_transfer").await.len(),
        8,
        "whale sent 400,000 twice"
    );

    // Structuring: smurf's third transfer just under the threshold, once;
    // careful's third was 89,999 FOG, below the band.
    let structuring = alerts(pool, "aml.structuring").await;
    assert_eq!(structuring.len(), 1);
    assert_eq!(moved(&structuring[0]), (at("smurf"), 95_000 * FOG));
    assert_eq!(structuring[0].evidence["count"], 3);
    assert_eq!(structuring[0].subject, format!("account/{}", at("smurf")));

    // Velocity: the transfer that takes a sender to 1,000,000 FOG within an
    // hour. whale's 200,000 does; steady stops at 999,999. The deployment's
    // funding crosses it in one transfer.
    let velocity: Vec<(String, u128, String)> = alerts(pool, "aml.velocity")
        .await
        .iter()
        .map(|a| {
            let (who, amount) = moved(a);
            (who, amount, a.evidence["window_total"].as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(
        velocity,
        vec![
            (at("deployer"), 5_000_000 * FOG, (5_000_000 * FOG).to_string()),
            (at("whale"), 200_000 * FOG, (1_000_000 * FOG).to_string()),
        ]
    );

    // Sanctioned counterparties: the listed mallory, the registry-flagged
    // shady; no other transfer.
    let sanctioned = alerts(pool, "aml.sanctioned_counterparty").await;
    assert_eq!(sanctioned.len(), 2);
    assert_eq!(sanctioned[0].evidence["recipient"], at("mallory").as_str());
    assert_eq!(sanctioned[0].evidence["listed"], serde_json::json!([at("mallory")]));
    assert_eq!(sanctioned[1].evidence["recipient"], at("shady").as_str());
    assert_eq!(
        sanctioned[1].evidence["registry_flagged"],
        serde_json::json!([at("shady")])
    );
    assert_eq!(moved(&sanctioned[1]), (at("careful"), FOG));

    // KYC tier limits: tier 0 may move 1,000 FOG. Every larger transfer or
    // lock of a tier-0 account alerts; careful (tier 1, up to 100,000 FOG)
    // and smurf's transfer of exactly 1,000 FOG do not.
    let kyc = alerts(pool, "kyc.tier_limit").await;
    let movers: BTreeSet<String> = kyc.iter().map(|a| a.subject.clone()).collect();
    let expected: BTreeSet<String> = [
        "deployer",
        "kingmaker",
        "backer",
        "delegator",
        "guide",
        "minnow",
        "smurf",
        "whale",
        "steady",
    ]
    .iter()
    .map(|who| format!("account/{}", at(who)))
    .collect();
    assert_eq!(movers, expected);
    // 2 deployment transfers, 5 locks (each a `Send` and a lock), smurf 3,
    // whale 3, steady 2.
    assert_eq!(kyc.len(), 2 + 5 * 2 + 3 + 3 + 2);
    assert!(kyc.iter().all(|a| a.evidence["kyc_tier"] == 0));
    assert!(!kyc
        .iter()
        .any(|a| a.evidence["amount"] == (1_000 * FOG).to_string().as_str()));

    // Governance concentration: kingmaker's ballot on P1 (62% of three
    // ballots) and the Nakamoto coefficients of P1 (1) and P2 (2); backer's
    // 46% on P2 is under the 50% share; P3 has only two voters.
    let concentration = alerts(pool, "gov.concentration").await;
    let mut seen: Vec<(String, Option<String>, Option<u64>)> = concentration
        .iter()
        .map(|a| {
            (
                a.subject.clone(),
                a.evidence["voter"].as_str().map(str::to_string),
                a.evidence["nakamoto"].as_u64(),
            )
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        vec![
            ("proposal/1".into(), None, Some(1)),
            ("proposal/1".into(), Some(at("kingmaker")), None),
            ("proposal/2".into(), None, Some(2)),
        ]
    );
    let share = concentration
        .iter()
        .find(|a| a.evidence["voter"].is_string())
        .unwrap()
        .evidence["share_bps"]
        .as_u64()
        .unwrap();
    assert!((6_000..6_500).contains(&share), "kingmaker's share {share} bps");
    let p2_top: (String,) =
        sqlx::query_as("SELECT (max(power) * 10000 / sum(power))::bigint::text FROM votes WHERE proposal_id = 2")
            .fetch_one(pool)
            .await
            .unwrap();
    let p2_top: u64 = p2_top.0.parse().unwrap();
    assert!(
        (4_000..5_000).contains(&p2_top),
        "P2's largest ballot {p2_top} bps: a near miss"
    );

    // Governance anomaly: newcomer votes with delegator's ~30,000 veFOG;
    // guide's ballot carries ~5,000 delegated, under the 10,000 threshold.
    let anomaly = alerts(pool, "gov.anomaly").await;
    assert_eq!(anomaly.len(), 1);
    assert_eq!(anomaly[0].subject, format!("account/{}", at("newcomer")));
    assert_eq!(anomaly[0].evidence["reason"], "new_account");
    let guide_delegated: String =
        sqlx::query_scalar("SELECT (power - own)::text FROM votes WHERE voter = $1 AND proposal_id = 2")
            .bind(at("guide"))
            .fetch_one(pool)
            .await
            .unwrap();
    let guide_delegated: u128 = guide_delegated.parse().unwrap();
    assert!(
        guide_delegated > 0 && guide_delegated < 10_000 * FOG,
        "{guide_delegated}"
    );

    // Release-gate anomaly: risk approved after the requester (whale) paid
    // it; developer's approval is independent.
    let release = alerts(pool, "release.anomaly").await;
    assert_eq!(release.len(), 1);
    assert_eq!(release[0].evidence["approver"], at("risk").as_str());
    assert_eq!(release[0].evidence["requester"], at("whale").as_str());
    assert_eq!(release[0].evidence["approver_funded_by_requester"], true);
}

/// What the rules raise does not depend on how many blocks a transaction
/// held: the recording replayed a block at a time, as the live tail writes
/// it, and in one backfill batch gives the same alerts, and the same
/// ballots with the same cast power, turnout and voters after each.
#[tokio::test]
async fn alerts_do_not_depend_on_the_batch_size() {
    let dir = recorded::unpack_fixture("devnet-compliance.tar.gz");
    let deployment: Deployment = recorded::deployment(dir.path());
    let rules = rules_dir(&deployment.accounts["mallory"].address);
    let mut seen = Vec::new();
    for blocks in [1, 500] {
        let db = fog_indexer::testing::TestDb::new().await.unwrap();
        let pool = &db.store.pool;
        recorded::activate_rules(pool, rules.path()).await;
        recorded::replay_in_batches_of(dir.path(), &db.store, blocks).await;
        let alerts: Vec<(String, String, i64, String, Value)> = sqlx::query_as(
            "SELECT rule_id, event_key, height, subject, evidence FROM alerts ORDER BY rule_id, event_key",
        )
        .fetch_all(pool)
        .await
        .unwrap();
        let ballots: Vec<(i64, String, String, String, i32)> = sqlx::query_as(
            "SELECT proposal_id, voter, cast_power::text, turnout_after::text, voters_after \
             FROM votes ORDER BY proposal_id, voter",
        )
        .fetch_all(pool)
        .await
        .unwrap();
        assert!(
            alerts.iter().any(|a| a.0 == "gov.concentration"),
            "{blocks}: {alerts:?}"
        );
        seen.push((alerts, ballots));
    }
    assert_eq!(seen[0], seen[1]);
}
