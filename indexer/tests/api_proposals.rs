//! `GET /proposals` and `GET /proposals/{id}`: pagination, filters, the
//! outcome of ended open proposals.

#[path = "common/api_support.rs"]
mod support;

use serde_json::Value;
use support::{addr, blocks, vote, Api, P, T0};

fn ids(items: &[Value]) -> Vec<i64> {
    items.iter().map(|p| p["id"].as_i64().unwrap()).collect()
}

/// The ids `/proposals?{query}` lists on its first page.
async fn listed(api: &Api, query: &str) -> Vec<i64> {
    ids(api.get(&format!("/proposals?{query}")).await.ok()["proposals"]
        .as_array()
        .unwrap())
}

#[tokio::test]
async fn pages_cover_every_proposal_once_newest_first() {
    let api = Api::new().await;
    blocks(api.pool(), 5, 6).await;
    for id in 1..=47 {
        P::yes_no(id).insert(api.pool()).await;
    }
    let (items, pages) = api.walk("/proposals?limit=10", "proposals").await;
    assert_eq!(pages, 5);
    let got = ids(&items);
    assert_eq!(
        got,
        (1..=47).rev().collect::<Vec<_>>(),
        "newest first, no gap, no duplicate"
    );

    // Default page size is 20; the last page carries no cursor.
    let r = api.get("/proposals").await;
    assert_eq!(r.ok()["proposals"].as_array().unwrap().len(), 20);
    let (_, pages) = api.walk("/proposals?limit=47", "proposals").await;
    assert_eq!(pages, 1);
}

#[tokio::test]
async fn every_filter_narrows_the_list() {
    let api = Api::new().await;
    let pool = api.pool();
    blocks(pool, 5, 6).await;
    let mut p = P::yes_no(1);
    p.kind = "treasury_spend";
    p.insert(pool).await;
    let mut p = P::yes_no(2);
    p.method = "multiple_choice";
    p.options = vec!["a", "b", "c"];
    p.proposer = addr(7);
    p.insert(pool).await;
    let mut p = P::yes_no(3);
    p.status = "executed";
    p.insert(pool).await;
    let mut p = P::yes_no(4);
    p.status = "vetoed";
    p.method = "quadratic";
    p.insert(pool).await;

    let list = |q: String| {
        let api = &api;
        async move {
            ids(api.get(&format!("/proposals?{q}")).await.ok()["proposals"]
                .as_array()
                .unwrap())
        }
    };
    assert_eq!(list("kind=treasury_spend".into()).await, vec![1]);
    assert_eq!(list("method=multiple_choice".into()).await, vec![2]);
    assert_eq!(list("method=quadratic".into()).await, vec![4]);
    assert_eq!(list(format!("proposer={}", addr(7))).await, vec![2]);
    assert_eq!(list("status=executed".into()).await, vec![3]);
    assert_eq!(list("status=open".into()).await, vec![2, 1]);
    // Start heights are id * 10, start times T0 + id * 100.
    assert_eq!(list("from_height=20&to_height=30".into()).await, vec![3, 2]);
    assert_eq!(list("from_height=35".into()).await, vec![4]);
    assert_eq!(list("to_height=10".into()).await, vec![1]);
    assert_eq!(list(format!("from_time={}", T0 + 300)).await, vec![4, 3]);
    assert_eq!(list(format!("to_time={}", T0 + 100)).await, vec![1]);
    assert_eq!(
        list("status=open&method=yes_no&kind=text".into()).await,
        Vec::<i64>::new()
    );
}

#[tokio::test]
async fn one_proposal_with_its_tally() {
    let api = Api::new().await;
    let pool = api.pool();
    blocks(pool, 5, 6).await;
    let mut p = P::yes_no(9);
    p.tally = vec![300, 100, 50];
    p.turnout = 450;
    p.voters = 3;
    p.insert(pool).await;
    let r = api.get("/proposals/9").await;
    let b = r.ok();
    assert_eq!(b["id"], 9);
    assert_eq!(b["status"], "open");
    assert_eq!(b["derived"], false);
    assert_eq!(b["method"], "yes_no");
    assert_eq!(b["total_power"], "1000");
    assert_eq!(b["turnout"], "450");
    assert_eq!(b["voters"], 3);
    assert_eq!(b["quorum_reached"], true);
    assert_eq!(
        b["tally"][0],
        serde_json::json!({"option": 0, "title": "yes", "weight": "300"})
    );
    assert_eq!(b["tally"][2]["weight"], "50");
    assert!(b["winner"].is_null());

    api.get("/proposals/10").await.assert_problem(404);
    api.get("/proposals/abc").await.assert_bad("id");
    api.get("/proposals/-1").await.assert_bad("id");
    api.get("/proposals/99999999999999999999").await.assert_bad("id");
}

/// Blocks 1..=10, block 10 at T0 + 90: proposals ending at or before it
/// have ended.
async fn ended_chain(api: &Api) -> i64 {
    blocks(api.pool(), 10, 10).await;
    T0 + 90
}

#[tokio::test]
async fn ended_yes_no_shows_the_contracts_outcome() {
    let api = Api::new().await;
    let pool = api.pool();
    let head = ended_chain(&api).await;

    // Quorum 20% of 1000, threshold 50% of yes + no.
    let cases: [(i64, [u128; 3], i64, &str); 5] = [
        (1, [300, 100, 0], head, "passed"),        // ended exactly at the head block
        (2, [100, 100, 50], head - 1, "rejected"), // a tie is not more than half
        (3, [150, 0, 0], head - 5, "rejected"),    // no quorum (15% < 20%)
        (4, [150, 10, 40], head - 5, "passed"),    // abstain counts for quorum
        (5, [300, 100, 0], head + 1, "open"),      // still open at the head
    ];
    for (id, tally, end, _) in cases {
        let mut p = P::yes_no(id);
        p.tally = tally.to_vec();
        p.turnout = tally.iter().sum();
        p.end_time = end;
        p.insert(pool).await;
    }
    for (id, _, end, status) in cases {
        let r = api.get(&format!("/proposals/{id}")).await;
        let b = r.ok();
        assert_eq!(b["status"], status, "proposal {id}");
        assert_eq!(b["derived"], status != "open");
        if status == "passed" {
            assert_eq!(b["decided_at"], end);
            assert_eq!(b["executable_at"], end + 3600);
        }
    }
    // Quadratic is judged as yes/no.
    let mut p = P::yes_no(6);
    p.method = "quadratic";
    p.tally = vec![30, 10, 0];
    p.turnout = 400;
    p.end_time = head - 1;
    p.insert(pool).await;
    assert_eq!(api.get("/proposals/6").await.ok()["status"], "passed");

    // The list shows and filters by the derived status.
    let list = |q: &'static str| listed(&api, q);
    assert_eq!(list("status=passed").await, vec![6, 4, 1]);
    assert_eq!(list("status=rejected").await, vec![3, 2]);
    assert_eq!(list("status=open").await, vec![5]);
    // Pages stay whole when ended proposals are filtered out between them.
    let (items, _) = api.walk("/proposals?status=passed&limit=1", "proposals").await;
    assert_eq!(ids(&items), vec![6, 4, 1]);
}

/// A passed proposal past its execution window (14 days and one spending
/// period after its timelock) reads `expired`, as the contract's query
/// shows it; on its last second it still reads `passed`.
#[tokio::test]
async fn a_passed_proposal_past_its_window_reads_expired() {
    use fog_governance::config::EXECUTION_WINDOW;
    let api = Api::new().await;
    let pool = api.pool();
    let head = ended_chain(&api).await;
    sqlx::query("INSERT INTO gov_config (id, config, height) VALUES (1, '{\"spend_period\": 100}', 1)")
        .execute(pool)
        .await
        .unwrap();
    // The timelock is 3600 s; the last second to execute is
    // decided_at + 3600 + EXECUTION_WINDOW + 100.
    let last_decision = head - 3600 - EXECUTION_WINDOW as i64 - 100;
    for (id, status, decided_at) in [
        (7, "passed", last_decision - 1),
        (8, "passed", last_decision),
        (10, "executed", 0),
    ] {
        let mut p = P::yes_no(id);
        p.status = status;
        p.tally = vec![300, 100, 0];
        p.turnout = 400;
        p.end_time = decided_at;
        p.insert(pool).await;
        sqlx::query("UPDATE proposals SET decided_at = $2 WHERE id = $1")
            .bind(id)
            .bind(decided_at)
            .execute(pool)
            .await
            .unwrap();
    }
    // Ended open and never closed: judged passed at its end, then expired.
    let mut p = P::yes_no(9);
    p.tally = vec![300, 100, 0];
    p.turnout = 400;
    p.end_time = last_decision - 1;
    p.insert(pool).await;

    let shown = |id: i64| {
        let api = &api;
        async move { api.get(&format!("/proposals/{id}")).await.ok().clone() }
    };
    let b = shown(7).await;
    assert_eq!(b["status"], "expired");
    assert_eq!(b["executable_until"], head - 1);
    let b = shown(8).await;
    assert_eq!(b["status"], "passed", "on its window's last second");
    assert_eq!(b["executable_until"], head);
    let b = shown(9).await;
    assert_eq!(
        (b["status"].as_str(), b["derived"].as_bool()),
        (Some("expired"), Some(true))
    );
    assert_eq!(shown(10).await["status"], "executed");
    let list = |q: &'static str| listed(&api, q);
    assert_eq!(list("status=expired").await, vec![9, 7]);
    assert_eq!(list("status=passed").await, vec![8]);
}

#[tokio::test]
async fn ended_ranked_runs_off_over_the_stored_ballots() {
    let api = Api::new().await;
    let pool = api.pool();
    let head = ended_chain(&api).await;
    let ranked = |id: i64, total: u128| {
        let mut p = P::yes_no(id);
        p.method = "ranked_choice";
        p.options = vec!["a", "b", "c"];
        p.end_time = head - 1;
        p.total = total;
        p.tally = vec![40, 35, 25];
        p.turnout = 100;
        p.voters = 6;
        p
    };
    ranked(1, 200).insert(pool).await;
    // First preferences 0: 40, 1: 35, 2: 25 whose second choice is 1:
    // option 1 wins 60 to 40, although 0 leads the first round.
    for (n, choice, weight) in [
        (1, vec![0u8, 1], 25u128),
        (2, vec![0, 1], 15),
        (3, vec![1, 0], 35),
        (4, vec![2, 1], 10),
        (5, vec![2, 1], 10),
        (6, vec![2], 5),
    ] {
        vote(pool, 1, &addr(n), &choice, weight, weight).await;
    }
    let b = api.get("/proposals/1").await;
    let b = b.ok();
    assert_eq!(b["status"], "passed");
    assert_eq!(b["winner"], 1);
    assert_eq!(b["derived"], true);
    assert_eq!(b["tally"][0]["weight"], "40", "the tally stays first preferences");

    // Without quorum (100 of 1000 < 20%) there is no run-off.
    ranked(2, 1000).insert(pool).await;
    vote(pool, 2, &addr(1), &[1], 100, 100).await;
    let b = api.get("/proposals/2").await;
    assert_eq!(b.ok()["status"], "rejected");
    assert!(b.body["winner"].is_null());

    // Multiple choice: plurality, a tie has no winner.
    let mut p = ranked(3, 200);
    p.method = "multiple_choice";
    p.insert(pool).await;
    assert_eq!(api.get("/proposals/3").await.ok()["winner"], 0);
    let mut p = ranked(4, 200);
    p.method = "multiple_choice";
    p.tally = vec![40, 40, 20];
    p.insert(pool).await;
    let b = api.get("/proposals/4").await;
    assert_eq!(b.ok()["status"], "rejected");
    assert!(b.body["winner"].is_null());
}

#[tokio::test]
async fn closed_proposals_keep_their_stored_outcome() {
    let api = Api::new().await;
    let pool = api.pool();
    let head = ended_chain(&api).await;
    let mut p = P::yes_no(1);
    p.status = "rejected"; // closed on chain; the tally alone would pass
    p.tally = vec![900, 0, 0];
    p.turnout = 900;
    p.end_time = head - 50;
    p.insert(pool).await;
    let b = api.get("/proposals/1").await;
    assert_eq!(b.ok()["status"], "rejected");
    assert_eq!(b.body["derived"], false);
}

#[tokio::test]
async fn bad_list_parameters_are_named() {
    let api = Api::new().await;
    blocks(api.pool(), 2, 6).await;
    for (q, param) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("limit=-5", "limit"),
        ("cursor=%%%", "cursor"),
        ("cursor=bm90LWEtY3Vyc29y", "cursor"),
        ("status=closed", "status"),
        ("method=approval", "method"),
        ("kind=war", "kind"),
        ("proposer=Alice", "proposer"),
        ("from_height=-1", "from_height"),
        ("to_height=1.5", "to_height"),
        ("from_height=9&to_height=3", "to_height"),
        ("from_time=abc", "from_time"),
        ("to_time=", "to_time"),
        ("sort=asc", "sort"),
        ("limit=5&limit=6", "limit"),
    ] {
        api.get(&format!("/proposals?{q}")).await.assert_bad(param);
    }
    // A cursor of another listing is refused too.
    P::yes_no(1).insert(api.pool()).await;
    P::yes_no(2).insert(api.pool()).await;
    let next = api.get("/proposals?limit=1").await.ok()["next_cursor"]
        .as_str()
        .unwrap()
        .to_string();
    api.get(&format!("/releases?cursor={next}")).await.assert_bad("cursor");
    api.get(&format!("/proposals?cursor={next}")).await.ok();
}
