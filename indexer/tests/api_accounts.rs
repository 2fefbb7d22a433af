//! `GET /accounts/{address}` and `GET /governance/power-distribution`:
//! figures from the projections, checked against hand-computed numbers and
//! against `PowerSnapshot` itself.
//!
//! Locks of `k * MAX_LOCK` base units ending at `END` carry `k * (END - t)`
//! at time `t`; blocks are 10 s apart from `T0`, so the head (block 40, at
//! `T0 + 390`) sees `k * 1000`.

#[path = "common/api_support.rs"]
mod support;

use fog_indexer::power::{gini, PowerSnapshot};
use serde_json::json;
use support::{addr, blocks, delegate, lock, vote, Api, MAX_LOCK, P, T0};

const END: i64 = T0 + 1390;
const HEAD: i64 = 40;

fn time_of(height: i64) -> i64 {
    T0 + (height - 1) * 10
}

#[tokio::test]
async fn power_lock_tier_and_delegation() {
    let api = Api::new().await;
    let pool = api.pool();
    blocks(pool, HEAD, 10).await;
    let (x, y) = (addr(10), addr(11));
    lock(pool, &x, 5, 2 * MAX_LOCK, END, 2).await;
    lock(pool, &y, 1, MAX_LOCK, END, 0).await;
    delegate(pool, &y, 12, Some(&x)).await;
    sqlx::query("INSERT INTO delegates (address, profile, registered_height, active) VALUES ($1, NULL, 3, true)")
        .bind(&x)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO ve_config (id, owner, token, registry, tiers, height)
         VALUES (1, 'o', 't', NULL, $1, 1)",
    )
    .bind(json!([{"name": "Bronze"}, {"name": "Silver"}, {"name": "Gold"}]))
    .execute(pool)
    .await
    .unwrap();

    let r = api.get(&format!("/accounts/{x}")).await;
    let b = r.ok();
    assert_eq!(b["address"], x.as_str());
    assert_eq!(
        b["power_now"],
        json!({"height": HEAD, "time": time_of(HEAD), "own": "2000", "received": "1000", "voting": "3000"})
    );
    assert_eq!(b["power_at"], b["power_now"]);
    assert_eq!(b["lock"]["amount"], (2 * MAX_LOCK).to_string());
    assert_eq!(b["lock"]["end_time"], END);
    assert_eq!(b["tier"], json!({"index": 2, "name": "Gold", "apy_bps": 500}));
    assert_eq!(b["delegation"]["delegate"], serde_json::Value::Null);
    assert_eq!(b["delegation"]["registered_delegate"], true);
    assert_eq!(b["delegation"]["delegators"], json!([{"address": y, "power": "1000"}]));

    // Before the delegation (block 10, at T0 + 90).
    let r = api.get(&format!("/accounts/{x}?height=10")).await;
    let b = r.ok();
    assert_eq!(
        b["power_at"],
        json!({"height": 10, "time": time_of(10), "own": "2600", "received": "0", "voting": "2600"})
    );
    assert_eq!(b["power_now"]["voting"], "3000");
    assert_eq!(b["delegation"]["delegators"], json!([]));

    let r = api.get(&format!("/accounts/{y}")).await;
    let b = r.ok();
    assert_eq!(b["power_now"]["own"], "1000");
    assert_eq!(b["power_now"]["voting"], "0", "its power is carried by its delegate");
    assert_eq!(b["delegation"]["delegate"], x.as_str());
    assert_eq!(b["delegation"]["registered_delegate"], false);

    // An address the chain never saw.
    let r = api.get(&format!("/accounts/{}", addr(99))).await;
    let b = r.ok();
    assert_eq!(b["power_now"]["voting"], "0");
    assert!(b["lock"].is_null() && b["tier"].is_null());
    assert_eq!(b["participation"]["eligible"], 0);
    assert!(b["participation"]["score"].is_null());
}

#[tokio::test]
async fn participation_counts_proposals_the_snapshot_made_it_eligible_for() {
    let api = Api::new().await;
    let pool = api.pool();
    blocks(pool, HEAD, 10).await;
    let (z, w) = (addr(20), addr(21));
    lock(pool, &z, 5, MAX_LOCK, END, 0).await;
    lock(pool, &w, 1, MAX_LOCK, END, 0).await;
    delegate(pool, &w, 22, Some(&z)).await;
    lock(pool, &z, 25, 0, 0, 0).await; // withdrawn
    delegate(pool, &w, 35, None).await;
    // (start height, z votes): eligible at 8 (own), 24 (own + received),
    // 30 (received only); not at 3 (no lock yet) nor 38 (nothing left).
    let starts = [(3, false), (8, true), (24, false), (30, true), (38, false)];
    for (i, (start, votes)) in starts.iter().enumerate() {
        let id = i as i64 + 1;
        let mut p = P::yes_no(id);
        p.start_height = *start;
        p.start_time = time_of(*start);
        p.insert(pool).await;
        if *votes {
            vote(pool, id, &z, &[0], 1, 1).await;
        }
    }
    let r = api.get(&format!("/accounts/{z}")).await;
    let part = &r.ok()["participation"];
    assert_eq!(part["votes_cast"], 2);
    assert_eq!(part["proposals_considered"], 5);
    assert_eq!(part["eligible"], 3);
    assert_eq!(part["voted_when_eligible"], 2);
    assert!((part["score"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-9);

    // The same eligibility from full snapshots, proposal by proposal.
    let mut eligible = 0;
    for (start, _) in starts {
        let s = PowerSnapshot::load(pool, (start - 1) as u64, time_of(start) as u64)
            .await
            .unwrap();
        if s.own(&z) > 0 || s.received(&z) > 0 {
            eligible += 1;
        }
    }
    assert_eq!(eligible, 3);
    let w_part = api.get(&format!("/accounts/{w}")).await;
    assert_eq!(
        w_part.ok()["participation"]["eligible"],
        5,
        "w locked from block 1 and never withdrew"
    );
}

#[tokio::test]
async fn power_distribution_of_a_known_set() {
    let api = Api::new().await;
    let pool = api.pool();
    blocks(pool, HEAD, 10).await;
    let (a, b, c, d) = (addr(1), addr(2), addr(3), addr(4));
    for (who, k) in [(&a, 4), (&b, 3), (&c, 2), (&d, 1)] {
        lock(pool, who, 1, k * MAX_LOCK, END, 0).await;
    }
    delegate(pool, &d, 2, Some(&b)).await;

    // Carried at the head: a 4000, b 3000 + 1000, c 2000.
    let r = api.get("/governance/power-distribution").await;
    let body = r.ok();
    assert_eq!(body["height"], HEAD);
    assert_eq!(body["holders"], 3);
    assert_eq!(body["total"], "10000");
    assert!((body["gini"].as_f64().unwrap() - 0.4 / 3.0).abs() < 1e-9);
    assert!((body["gini"].as_f64().unwrap() - gini(&[4000, 4000, 2000])).abs() < 1e-12);
    assert_eq!(body["nakamoto"], 2);
    assert_eq!(body["top"], 10);
    assert_eq!(body["top_share"], 1.0);
    assert_eq!(
        body["top_holders"],
        json!([
            {"address": a, "power": "4000"},
            {"address": b, "power": "4000"},
            {"address": c, "power": "2000"}
        ])
    );

    let r = api.get("/governance/power-distribution?top=1").await;
    assert!((r.ok()["top_share"].as_f64().unwrap() - 0.4).abs() < 1e-9);
    assert_eq!(r.body["top_holders"].as_array().unwrap().len(), 1);

    // At block 1 (T0), before the delegation: 4, 3, 2, 1 times 1390.
    let r = api.get("/governance/power-distribution?height=1").await;
    let body = r.ok();
    assert_eq!(body["holders"], 4);
    assert_eq!(body["total"], "13900");
    assert_eq!(body["time"], T0);
    assert_eq!(body["nakamoto"], 2);
}

#[tokio::test]
async fn bad_account_and_distribution_parameters_are_named() {
    let api = Api::new().await;
    // Nothing indexed yet: no height to answer at.
    api.get(&format!("/accounts/{}", addr(1))).await.assert_problem(503);
    api.get("/governance/power-distribution").await.assert_problem(503);

    blocks(api.pool(), HEAD, 10).await;
    sqlx::query("DELETE FROM blocks WHERE height < 5")
        .execute(api.pool())
        .await
        .unwrap();
    let a = addr(1);
    for uri in [
        "/accounts/Inj1qqqqqqqqqq".to_string(),
        "/accounts/inj1abc".to_string(),
        "/accounts/inj1qqqqqqqqqb".to_string(),
        "/accounts/%FF%FE".to_string(),
        "/accounts/0x1234567890abcdef".to_string(),
    ] {
        api.get(&uri).await.assert_bad("address");
    }
    for q in [
        "height=41",
        "height=abc",
        "height=-1",
        "height=3",
        "height=99999999999999999999",
    ] {
        api.get(&format!("/accounts/{a}?{q}")).await.assert_bad("height");
        api.get(&format!("/governance/power-distribution?{q}"))
            .await
            .assert_bad("height");
    }
    api.get(&format!("/accounts/{a}?at=3")).await.assert_bad("at");
    for q in ["top=0", "top=1001", "top=x"] {
        api.get(&format!("/governance/power-distribution?{q}"))
            .await
            .assert_bad("top");
    }
    api.get(&format!("/accounts/{a}?height=40")).await.ok();
}
