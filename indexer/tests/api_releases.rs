//! `GET /releases`, `GET /releases/{sha256}` and `GET /anchors`.

#[path = "common/api_support.rs"]
mod support;

use serde_json::{json, Value};
use sqlx::PgPool;
use support::{addr, Api};

fn sha(n: u8) -> String {
    format!("{:02x}", n).repeat(32)
}

async fn release(pool: &PgPool, id: i64, artifact_type: &str, digest: &str, status: &str) {
    sqlx::query(
        "INSERT INTO release_requests (id, artifact_type, artifact_id, artifact_version, sha256, lineage_hash,
             dataset_hashes, requester, risk_notes, created_at_ns, expires_at_ns, min_approvals, required_groups,
             status, approvals, decided_at_ns, created_height, updated_height)
         VALUES ($1, $2, 'fraud-model', 'v' || $1, $3, 'ab', '[\"cd\"]', $4, 'none', $1 * 1000, $1 * 1000 + 500, 2,
             '[\"risk\", \"eng\"]', $5, 0, NULL, $1, $1)",
    )
    .bind(id)
    .bind(artifact_type)
    .bind(digest)
    .bind(addr(1))
    .bind(status)
    .execute(pool)
    .await
    .unwrap();
}

async fn release_vote(pool: &PgPool, id: i64, voter: &str, approve: bool, at_ns: i64) {
    sqlx::query(
        "INSERT INTO release_votes (request_id, voter, approve, groups, comment, at_ns, height)
         VALUES ($1, $2, $3, '[\"risk\"]', 'ok', $4, 7)",
    )
    .bind(id)
    .bind(voter)
    .bind(approve)
    .bind(at_ns)
    .execute(pool)
    .await
    .unwrap();
}

fn ids(items: &[Value]) -> Vec<i64> {
    items.iter().map(|p| p["id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn releases_page_and_filter() {
    let api = Api::new().await;
    let pool = api.pool();
    for id in 1..=25 {
        let status = ["pending", "approved", "rejected", "expired", "revoked"][(id % 5) as usize];
        let kind = if id % 2 == 0 { "model" } else { "dataset" };
        release(pool, id, kind, &sha(id as u8), status).await;
    }
    let (items, pages) = api.walk("/releases?limit=7", "releases").await;
    assert_eq!(pages, 4);
    assert_eq!(ids(&items), (1..=25).rev().collect::<Vec<_>>());

    let (items, _) = api.walk("/releases?status=approved&limit=2", "releases").await;
    assert_eq!(ids(&items), vec![21, 16, 11, 6, 1]);
    assert!(items.iter().all(|r| r["released"] == true));
    let (items, _) = api
        .walk("/releases?artifact_type=model&status=pending", "releases")
        .await;
    assert_eq!(ids(&items), vec![20, 10]);
    assert!(items.iter().all(|r| r["released"] == false));
    let r = api.get("/releases?artifact_type=nothing").await;
    assert_eq!(r.ok()["releases"], json!([]));

    for (q, param) in [
        ("status=done", "status"),
        ("limit=0", "limit"),
        ("limit=500", "limit"),
        ("cursor=abc", "cursor"),
        ("artifact_type=", "artifact_type"),
        ("sha256=00", "sha256"),
    ] {
        api.get(&format!("/releases?{q}")).await.assert_bad(param);
    }
}

#[tokio::test]
async fn the_latest_request_of_an_artifact_with_its_votes() {
    let api = Api::new().await;
    let pool = api.pool();
    let digest = sha(0xab);
    release(pool, 1, "model", &digest, "approved").await;
    release(pool, 2, "model", &digest, "pending").await; // a later request for the same artifact
    release(pool, 3, "model", &sha(3), "approved").await;
    release_vote(pool, 2, &addr(5), true, 2_000).await;
    release_vote(pool, 2, &addr(4), false, 1_000).await;

    let r = api.get(&format!("/releases/{digest}")).await;
    let b = r.ok();
    assert_eq!(b["id"], 2);
    assert_eq!(b["status"], "pending");
    assert_eq!(b["released"], false);
    assert_eq!(b["required_groups"], json!(["risk", "eng"]));
    assert_eq!(b["dataset_hashes"], json!(["cd"]));
    assert_eq!(b["votes"].as_array().unwrap().len(), 2);
    assert_eq!(b["votes"][0]["voter"], addr(4), "in the order cast");
    assert_eq!(b["votes"][0]["approve"], false);
    assert_eq!(b["votes"][1]["groups"], json!(["risk"]));

    // Upper-case hex names the same artifact.
    let r = api.get(&format!("/releases/{}", sha(3).to_uppercase())).await;
    assert_eq!(r.ok()["released"], true);
    assert_eq!(r.body["votes"], json!([]));

    api.get(&format!("/releases/{}", sha(9))).await.assert_problem(404);
    for bad in ["abc", "zz".repeat(32).as_str(), &"a".repeat(65), &"0".repeat(63)] {
        api.get(&format!("/releases/{bad}")).await.assert_bad("sha256");
    }
}

async fn anchor_log(pool: &PgPool, origin: &str, sizes: impl IntoIterator<Item = i64>) {
    sqlx::query("INSERT INTO anchor_logs (origin, submitters, height) VALUES ($1, $2, 1)")
        .bind(origin)
        .bind(json!([addr(1)]))
        .execute(pool)
        .await
        .unwrap();
    let mut previous: Option<i64> = None;
    for size in sizes {
        sqlx::query(
            "INSERT INTO anchor_checkpoints (origin, size, root, timestamp, previous_size, submitter, height)
             VALUES ($1, $2, 'root' || $2, 1700000000 + $2, $3, $4, $2)",
        )
        .bind(origin)
        .bind(size)
        .bind(previous)
        .bind(addr(1))
        .execute(pool)
        .await
        .unwrap();
        previous = Some(size);
    }
}

#[tokio::test]
async fn anchored_logs_and_their_checkpoints() {
    let api = Api::new().await;
    let pool = api.pool();
    anchor_log(pool, "fog.example/audit", (1..=23).map(|i| i * 10)).await;
    anchor_log(pool, "fog.example/other", [5]).await;
    anchor_log(pool, "fog.example/empty", []).await;

    let r = api.get("/anchors").await;
    let b = r.ok();
    let origins: Vec<&str> = b["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["origin"].as_str().unwrap())
        .collect();
    assert_eq!(
        origins,
        vec!["fog.example/audit", "fog.example/empty", "fog.example/other"]
    );
    assert_eq!(b["logs"][0]["latest"]["size"], 230);
    assert_eq!(b["logs"][0]["latest"]["previous_size"], 220);
    assert_eq!(b["logs"][0]["latest"]["root"], "root230");
    assert!(b["logs"][1]["latest"].is_null());
    assert_eq!(b["logs"][2]["submitters"], json!([addr(1)]));
    assert!(b["checkpoints"].is_null());
    let (logs, pages) = api.walk("/anchors?limit=1", "logs").await;
    assert_eq!((logs.len(), pages), (3, 3));

    let (cps, pages) = api
        .walk("/anchors?origin=fog.example/audit&limit=10", "checkpoints")
        .await;
    assert_eq!(pages, 3);
    let sizes: Vec<i64> = cps.iter().map(|c| c["size"].as_i64().unwrap()).collect();
    assert_eq!(sizes, (1..=23).rev().map(|i| i * 10).collect::<Vec<_>>());
    let r = api.get("/anchors?origin=fog.example/audit&limit=1").await;
    assert_eq!(r.ok()["logs"].as_array().unwrap().len(), 1);

    api.get("/anchors?origin=nope").await.assert_problem(404);
    // A cursor of the logs listing is not one of checkpoints.
    let logs_cursor = api.get("/anchors?limit=1").await.ok()["next_cursor"]
        .as_str()
        .unwrap()
        .to_string();
    api.get(&format!("/anchors?origin=fog.example/audit&cursor={logs_cursor}"))
        .await
        .assert_bad("cursor");
    for (q, param) in [
        ("origin=", "origin"),
        ("limit=-1", "limit"),
        ("cursor=@", "cursor"),
        ("size=3", "size"),
    ] {
        api.get(&format!("/anchors?{q}")).await.assert_bad(param);
    }
}
