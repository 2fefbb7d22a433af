//! `GET /proposals/{id}/votes`: keyset pages by voter, filters, and a page
//! among a million ballots.

#[path = "common/api_support.rs"]
mod support;

use std::time::Instant;

use base64::Engine;
use serde_json::Value;
use support::{addr, blocks, vote, Api, P, T0};

fn voters(items: &[Value]) -> Vec<String> {
    items.iter().map(|v| v["voter"].as_str().unwrap().to_string()).collect()
}

async fn proposal_with_votes(api: &Api, n: u32) {
    let pool = api.pool();
    blocks(pool, 3, 6).await;
    P::yes_no(1).insert(pool).await;
    P::yes_no(2).insert(pool).await;
    for i in 0..n {
        // Choice cycles yes, no, abstain; power is 10 * i.
        vote(
            pool,
            1,
            &addr(i),
            &[(i % 3) as u8],
            u128::from(i) * 10,
            u128::from(i) * 10,
        )
        .await;
    }
    vote(pool, 2, &addr(0), &[0], 5, 5).await;
}

#[tokio::test]
async fn pages_walk_every_ballot_once_by_voter() {
    let api = Api::new().await;
    proposal_with_votes(&api, 45).await;
    let (items, pages) = api.walk("/proposals/1/votes?limit=20", "votes").await;
    assert_eq!(pages, 3);
    let got = voters(&items);
    let mut expected: Vec<String> = (0..45).map(addr).collect();
    expected.sort();
    let mut sorted = got.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, expected, "every ballot once");
    assert_eq!(got.len(), 45);

    let first = api.get("/proposals/1/votes?limit=1").await;
    let v = &first.ok()["votes"][0];
    assert_eq!(first.body["proposal_id"], 1);
    assert!(v["choice"].is_array() && v["power"].is_string() && v["weight"].is_string());
    assert!(v["own"].is_string() && v["height"].is_number());
}

#[tokio::test]
async fn a_cursor_of_one_proposals_votes_is_refused_by_another() {
    let api = Api::new().await;
    proposal_with_votes(&api, 5).await;
    let first = api.get("/proposals/1/votes?limit=1").await;
    let cursor = first.ok()["next_cursor"].as_str().unwrap().to_string();
    // Until stop 21 proposal 2 took it and skipped every voter up to it.
    let r = api.get(&format!("/proposals/2/votes?cursor={cursor}")).await;
    r.assert_bad("cursor");
    assert!(r.text.contains("proposal 2"), "{}", r.text);
    let r = api.get(&format!("/proposals/1/votes?limit=1&cursor={cursor}")).await;
    assert_eq!(r.ok()["votes"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn filters_by_choice_and_power() {
    let api = Api::new().await;
    proposal_with_votes(&api, 30).await;
    let (items, _) = api.walk("/proposals/1/votes?choice=1&limit=3", "votes").await;
    assert_eq!(items.len(), 10);
    assert!(items.iter().all(|v| v["choice"][0] == 1));
    let (items, _) = api.walk("/proposals/1/votes?min_power=200&limit=100", "votes").await;
    assert_eq!(items.len(), 10, "powers 200 to 290");
    let (items, _) = api
        .walk("/proposals/1/votes?min_power=200&choice=2&limit=2", "votes")
        .await;
    assert_eq!(items.len(), 4, "i in 20..30 with i % 3 == 2: 20, 23, 26, 29");
    let r = api.get("/proposals/1/votes?choice=7").await;
    assert!(r.ok()["votes"].as_array().unwrap().is_empty());
    assert!(r.body["next_cursor"].is_null());
}

/// Ballots by the height and block time they were cast at (voter `i` at
/// height `i + 1`; block `h` at `T0 + 6 (h - 1)`).
#[tokio::test]
async fn filters_by_height_and_time() {
    let api = Api::new().await;
    let pool = api.pool();
    blocks(pool, 12, 6).await;
    P::yes_no(1).insert(pool).await;
    for i in 0..10u32 {
        vote(pool, 1, &addr(i), &[0], 1, 1).await;
        sqlx::query("UPDATE votes SET height = $1 WHERE voter = $2")
            .bind(i64::from(i) + 1)
            .bind(addr(i))
            .execute(pool)
            .await
            .unwrap();
    }
    let heights = |q: String| {
        let api = &api;
        async move {
            let (items, _) = api.walk(&format!("/proposals/1/votes?limit=3&{q}"), "votes").await;
            let mut h: Vec<i64> = items.iter().map(|v| v["height"].as_i64().unwrap()).collect();
            h.sort();
            h
        }
    };
    assert_eq!(heights("from_height=4&to_height=6".into()).await, vec![4, 5, 6]);
    // Block 8 is at T0 + 42: from that second on.
    assert_eq!(heights(format!("from_time={}", T0 + 42)).await, vec![8, 9, 10]);
    assert_eq!(heights(format!("from_time={}", T0 + 43)).await, vec![9, 10]);
    assert_eq!(heights(format!("to_time={}", T0 + 6)).await, vec![1, 2]);
    assert_eq!(
        heights(format!("to_time={}&from_height=2&choice=0", T0 + 17)).await,
        vec![2, 3]
    );
    assert!(heights(format!("from_time={}", T0 + 67)).await.is_empty());
    api.get("/proposals/1/votes?from_height=7&to_height=6")
        .await
        .assert_bad("to_height");
}

#[tokio::test]
async fn bad_vote_parameters_are_named() {
    let api = Api::new().await;
    proposal_with_votes(&api, 3).await;
    api.get("/proposals/7/votes").await.assert_problem(404);
    api.get("/proposals/x/votes").await.assert_bad("id");
    for (q, param) in [
        ("choice=256", "choice"),
        ("choice=-1", "choice"),
        ("choice=a", "choice"),
        ("min_power=1e6", "min_power"),
        ("min_power=-3", "min_power"),
        ("min_power=999999999999999999999999999999999999999999", "min_power"),
        ("limit=0", "limit"),
        ("limit=1000", "limit"),
        ("cursor=zz", "cursor"),
        ("voter=x", "voter"),
    ] {
        api.get(&format!("/proposals/1/votes?{q}")).await.assert_bad(param);
    }
}

/// The voter of ballot 500,000 (voters are `inj1` and the number padded with q).
const MIDDLE: &str = "inj1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq500000";

/// A million ballots: a deep page is read on the primary key (keyset, no
/// OFFSET, no COUNT), so it costs what the first one costs.
#[tokio::test]
async fn a_page_among_a_million_ballots_reads_the_primary_key() {
    let api = Api::new().await;
    let pool = api.pool();
    blocks(pool, 3, 6).await;
    P::yes_no(1).insert(pool).await;
    sqlx::query(
        "INSERT INTO votes (proposal_id, voter, choice, power, weight, own, delegate, height, tx_hash)
         SELECT 1, 'inj1' || lpad(g::text, 38, 'q'), jsonb_build_array(g % 3), g, g, g, NULL, 2, NULL
         FROM generate_series(1, 1000000) g",
    )
    .execute(pool)
    .await
    .unwrap();
    sqlx::query("ANALYZE votes").execute(pool).await.unwrap();

    let deep = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("votes:1/{MIDDLE}"));
    for uri in [
        "/proposals/1/votes?limit=100".to_string(),
        format!("/proposals/1/votes?limit=100&cursor={deep}"),
        format!("/proposals/1/votes?limit=100&choice=2&min_power=900000&cursor={deep}"),
        "/proposals/1".to_string(),
    ] {
        api.get(&uri).await.ok(); // warm
        let start = Instant::now();
        let r = api.get(&uri).await;
        // Speed is measured by scripts/bench/api-latency.sh; this test
        // holds the plan that makes it (below) and prints the time.
        println!("{uri}: {:?}", start.elapsed());
        r.ok();
    }
    let r = api.get(&format!("/proposals/1/votes?limit=100&cursor={deep}")).await;
    let page = r.ok()["votes"].as_array().unwrap();
    assert_eq!(page.len(), 100);
    assert!(page[0]["voter"].as_str().unwrap() > MIDDLE);
    assert!(r.body["next_cursor"].is_string());

    // The plan of the statement the handler runs for that deep page (until
    // stop 22 the test EXPLAINed a hand-written copy of it), with and
    // without the filters.
    for (choice, min_power) in [(None, None), (Some(2), Some(900_000))] {
        let filter = fog_indexer::api::VoteFilter {
            limit: 100,
            cursor: Some(format!("1/{MIDDLE}")),
            choice,
            min_power,
            from_height: None,
            to_height: None,
            from_time: None,
            to_time: None,
        };
        let plan: Vec<String> = fog_indexer::api::votes_page_statement(true, 1, &filter)
            .unwrap()
            .build_query_scalar()
            .fetch_all(pool)
            .await
            .unwrap();
        assert!(!plan.iter().any(|l| l.contains("Seq Scan")), "{plan:?}");
        if choice.is_none() {
            // Keyset: the cursor is the index scan's condition, not a
            // filter over every ballot before it.
            assert!(plan.iter().any(|l| l.contains("votes_pkey")), "{plan:?}");
            assert!(
                plan.iter().any(|l| l.contains("Index Cond") && l.contains("voter >")),
                "{plan:?}"
            );
        }
    }
}
