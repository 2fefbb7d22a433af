//! `GET /releases`, `GET /releases/{sha256}` and `GET /anchors`.

#[path = "common/api_support.rs"]
mod support;

use serde_json::{json, Value};
use sqlx::PgPool;
use support::{addr, blocks, Api, T0};

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
        "INSERT INTO release_votes (request_id, voter, approve, groups, comment, at_ns, height, seq)
         VALUES ($1, $2, $3, '[\"risk\"]', 'ok', $4, 7, $4 / 1000)",
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
    // One block, cast in the order of their events (seq), which is not the
    // order of their addresses.
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

#[tokio::test]
async fn an_artifact_released_as_one_type_stays_released_beside_a_request_of_another() {
    let api = Api::new().await;
    let pool = api.pool();
    let digest = sha(0xcd);
    release(pool, 1, "MODEL_DEPLOYMENT", &digest, "approved").await;
    // Anyone may ask for the same sha256 as a DATASET (the gate keeps one
    // live request per artifact and type): until stop 21 this pending
    // request hid the model's release.
    release(pool, 2, "DATASET", &digest, "pending").await;
    let r = api.get(&format!("/releases/{digest}")).await;
    assert_eq!(r.ok()["id"], 1);
    assert_eq!(r.body["released"], true);
    let r = api.get(&format!("/releases/{digest}?artifact_type=DATASET")).await;
    assert_eq!(r.ok()["id"], 2);
    assert_eq!(r.body["released"], false);
    let r = api
        .get(&format!("/releases/{digest}?artifact_type=MODEL_DEPLOYMENT"))
        .await;
    assert_eq!(r.ok()["id"], 1);
    api.get(&format!("/releases/{digest}?artifact_type=OTHER"))
        .await
        .assert_problem(404);
    api.get(&format!("/releases/{digest}?type=DATASET"))
        .await
        .assert_bad("type");
}

/// Requests by the height and block time they were made at (request `id`
/// is made at height `id`; block `h` is at `T0 + 10 (h - 1)`).
#[tokio::test]
async fn releases_by_height_and_time() {
    let api = Api::new().await;
    let pool = api.pool();
    blocks(pool, 25, 10).await;
    for id in 1..=25 {
        release(pool, id, "model", &sha(id as u8), "pending").await;
    }
    let list = |q: String| {
        let api = &api;
        async move { ids(&api.walk(&format!("/releases?limit=4&{q}"), "releases").await.0) }
    };
    assert_eq!(list("from_height=5&to_height=9".into()).await, vec![9, 8, 7, 6, 5]);
    assert_eq!(list(format!("from_time={}", T0 + 195)).await, vec![25, 24, 23, 22, 21]);
    // A whole second: block 5 is at T0 + 40.
    assert_eq!(list(format!("to_time={}", T0 + 40)).await, vec![5, 4, 3, 2, 1]);
    assert_eq!(
        list(format!("from_time={}&to_time={}&from_height=3", T0 + 1, T0 + 40)).await,
        vec![5, 4, 3]
    );
    assert!(
        list(format!("to_time={}", T0 - 1)).await.is_empty(),
        "before every block"
    );
    assert!(
        list(format!("from_time={}", T0 + 241)).await.is_empty(),
        "after every block"
    );
    for (q, param) in [
        ("from_height=9&to_height=5", "to_height"),
        ("from_time=-1", "from_time"),
        ("to_time=253402300800", "to_time"),
    ] {
        api.get(&format!("/releases?{q}")).await.assert_bad(param);
    }
}

/// A pending request past its expiry shows as expired, as the contract's
/// query shows it, though nobody sent `Expire` (the head block is at
/// T0 + 12 s).
#[tokio::test]
async fn a_pending_request_past_its_expiry_is_expired() {
    let api = Api::new().await;
    let pool = api.pool();
    blocks(pool, 3, 6).await;
    let now_ns = (T0 + 12) * 1_000_000_000;
    for (id, status, expires) in [
        (1, "pending", now_ns),
        (2, "pending", now_ns + 1_000),
        (3, "expired", now_ns - 1),
    ] {
        release(pool, id, "model", &sha(id as u8), status).await;
        sqlx::query("UPDATE release_requests SET expires_at_ns = $1 WHERE id = $2")
            .bind(expires)
            .bind(id)
            .execute(pool)
            .await
            .unwrap();
    }
    let listed = |q: &'static str| {
        let api = &api;
        async move { ids(&api.walk(&format!("/releases?{q}"), "releases").await.0) }
    };
    assert_eq!(listed("status=pending").await, vec![2]);
    assert_eq!(listed("status=expired").await, vec![3, 1]);
    let all = api.get("/releases").await;
    let statuses: Vec<&str> = all.ok()["releases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["expired", "pending", "expired"]);
    let one = api.get(&format!("/releases/{}", sha(1))).await;
    assert_eq!(
        (one.ok()["status"].as_str(), one.body["released"].as_bool()),
        (Some("expired"), Some(false))
    );
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

    // Checkpoint `size` was anchored at height `size`, block `h` at T0 + h - 1.
    blocks(pool, 230, 1).await;
    let sizes_in = |q: &'static str| {
        let api = &api;
        async move {
            let uri = format!("/anchors?origin=fog.example/audit&limit=2&{q}");
            let (cps, _) = api.walk(&uri, "checkpoints").await;
            cps.iter().map(|c| c["size"].as_i64().unwrap()).collect::<Vec<_>>()
        }
    };
    assert_eq!(sizes_in("from_height=195").await, vec![230, 220, 210, 200]);
    assert_eq!(sizes_in("to_height=30").await, vec![30, 20, 10]);
    let from_time = format!("from_time={}&to_time={}", T0 + 99, T0 + 119);
    let uri = format!("/anchors?origin=fog.example/audit&{from_time}");
    let cps = api.get(&uri).await.ok()["checkpoints"].clone();
    let sizes: Vec<i64> = cps
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["size"].as_i64().unwrap())
        .collect();
    assert_eq!(sizes, vec![120, 110, 100]);
    // Logs are not filtered by height: the window wants a log.
    api.get("/anchors?from_height=3").await.assert_bad("from_height");
    api.get(&format!("/anchors?to_time={T0}")).await.assert_bad("to_time");

    api.get("/anchors?origin=nope").await.assert_problem(404);
    // A cursor of the logs listing is not one of checkpoints.
    let logs_cursor = api.get("/anchors?limit=1").await.ok()["next_cursor"]
        .as_str()
        .unwrap()
        .to_string();
    api.get(&format!("/anchors?origin=fog.example/audit&cursor={logs_cursor}"))
        .await
        .assert_bad("cursor");
    // Nor is one log's checkpoints cursor another log's.
    let cps_cursor = api.get("/anchors?origin=fog.example/audit&limit=1").await.ok()["next_cursor"]
        .as_str()
        .unwrap()
        .to_string();
    api.get(&format!("/anchors?origin=fog.example/other&cursor={cps_cursor}"))
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
