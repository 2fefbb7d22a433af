//! Registering lineage records through the API: stored once, logged in the
//! audit log (the model's record and each new dataset's), found by record
//! hash and by model; every bad body a problem+json.

#[path = "common/api_support.rs"]
mod support;

use fog_indexer::audit::verify;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use support::{send_body, Api, Reply};

fn statement(model: &str, datasets: &[(&str, &str)]) -> Value {
    json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "models/credit.bin", "digest": {"sha256": model}}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
            "buildDefinition": {
                "buildType": "https://fog.dev/lineage/training-run/v1",
                "externalParameters": {"hyperparameters": {"max_depth": "6"}},
                "resolvedDependencies": datasets.iter().map(|(name, sha)| json!({
                    "name": name, "digest": {"sha256": sha}, "annotations": {"kind": "dataset"}
                })).chain(std::iter::once(json!({
                    "name": "git+https://example.org/credit", "digest": {"gitCommit": "ab12"},
                    "annotations": {"kind": "code"}
                }))).collect::<Vec<_>>()
            },
            "runDetails": {
                "builder": {"id": "https://fog.dev/lineage/fog-cli@v0.1.0"},
                "byproducts": [{"name": "reproducibility-hash", "digest": {"sha256": "ee".repeat(32)}}]
            }
        }
    })
}

async fn post(api: &Api, content_type: &str, body: Vec<u8>) -> Reply {
    send_body(&api.app, &api.officer, "POST", "/lineage/records", content_type, body).await
}

async fn post_json(api: &Api, v: &Value) -> Reply {
    post(api, "application/json", serde_json::to_vec(v).unwrap()).await
}

#[tokio::test]
async fn a_record_is_registered_once_and_logged() {
    let api = Api::new().await;
    let (model, train, test) = ("aa".repeat(32), "bb".repeat(32), "cc".repeat(32));
    let s = statement(&model, &[("data/train.csv", &train), ("data/test.csv", &test)]);
    let r = post_json(&api, &s).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.text);
    let canonical = serde_json_canonicalizer::to_vec(&s).unwrap();
    let hash = hex::encode(Sha256::digest(&canonical));
    assert_eq!(r.body["record_hash"], hash.as_str());
    assert_eq!(r.body["model_sha256"], model.as_str());
    assert_eq!(r.body["reproducibility_hash"], "ee".repeat(32).as_str());
    assert_eq!(r.body["datasets"].as_array().unwrap().len(), 2);
    // Registered by the staff member whose token was used, not "api".
    assert_eq!(r.body["registered_by"], "officer.one", "{}", r.text);
    let seq = r.body["audit_seq"].as_u64().unwrap();

    // The audit log holds the registration and the two first-seen datasets.
    let records: Vec<Value> = sqlx::query_scalar::<_, Vec<u8>>("SELECT record FROM audit_records ORDER BY seq")
        .fetch_all(api.pool())
        .await
        .unwrap()
        .iter()
        .map(|b| serde_json::from_slice::<Value>(b).unwrap())
        // The test's staff tokens were issued (and logged) first.
        .filter(|r| !r["action"].as_str().unwrap().starts_with("staff."))
        .collect();
    assert_eq!(records.len(), 3);
    assert_eq!(records[0]["seq"].as_u64(), Some(seq));
    assert_eq!(records[0]["action"], "lineage.registered");
    assert_eq!(records[0]["subject"], format!("model/{model}"));
    assert_eq!(records[0]["details"]["record_hash"], hash.as_str());
    assert_eq!(records[0]["tags"], json!(["MiCA", "SOX"]));
    for r in &records {
        assert_eq!(r["actor"], "officer.one", "{r}");
    }
    let subjects: Vec<&str> = records[1..].iter().map(|r| r["subject"].as_str().unwrap()).collect();
    assert_eq!(
        subjects,
        vec![format!("dataset/{train}"), format!("dataset/{test}")],
        "by digest"
    );

    // Again: the same record, not logged twice; pretty-printed it is the same record.
    let pretty = serde_json::to_vec_pretty(&s).unwrap();
    let again = post(&api, "application/json; charset=utf-8", pretty).await;
    assert_eq!(again.status.as_u16(), 200, "{}", again.text);
    assert_eq!(again.body["audit_seq"].as_u64(), Some(seq));

    // A retraining on the same training set: only the new dataset is logged as new.
    let other = statement(&"dd".repeat(32), &[("data/train.csv", &train)]);
    let r = post_json(&api, &other).await;
    assert_eq!(r.status.as_u16(), 201);
    let n: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_records WHERE convert_from(record, 'UTF8')::jsonb ->> 'action' NOT LIKE 'staff.%'",
    )
    .fetch_one(api.pool())
    .await
    .unwrap();
    assert_eq!(n, 4, "one record for the retraining, no dataset record");

    let got = api.get(&format!("/lineage/records/{}", hash.to_uppercase())).await;
    assert_eq!(got.ok()["statement"], s);
    let of_model = api.get(&format!("/lineage/models/{model}")).await;
    assert_eq!(of_model.ok()["records"].as_array().unwrap().len(), 1);
    assert_eq!(of_model.body["next_cursor"], Value::Null);
    // Another run of the same model: a page of one, newest first, then
    // the older one and no further page.
    let rerun = statement(&model, &[("data/train.csv", &test)]);
    assert_eq!(post_json(&api, &rerun).await.status.as_u16(), 201);
    let first = api.get(&format!("/lineage/models/{model}?limit=1")).await;
    assert_eq!(first.ok()["records"].as_array().unwrap().len(), 1);
    assert_ne!(first.body["records"][0]["record_hash"], hash.as_str(), "newest first");
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let second = api
        .get(&format!("/lineage/models/{model}?limit=1&cursor={cursor}"))
        .await;
    assert_eq!(second.ok()["records"][0]["record_hash"], hash.as_str());
    assert_eq!(second.body["next_cursor"], Value::Null);
    api.get(&format!("/lineage/models/{model}?cursor=nope"))
        .await
        .assert_bad("cursor");
    let none = api.get(&format!("/lineage/models/{}", "01".repeat(32))).await;
    assert_eq!(none.ok()["records"], json!([]));
    api.get(&format!("/lineage/records/{}", "01".repeat(32)))
        .await
        .assert_problem(404);
    api.get("/lineage/records/xyz").await.assert_bad("record_hash");

    let report = verify::verify(api.pool(), None, &[]).await.unwrap();
    assert_eq!(report.failure, None);
    let all: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_records")
        .fetch_one(api.pool())
        .await
        .unwrap();
    assert_eq!(
        report.records, all as u64,
        "the lineage records and the test's token issuances"
    );
}

#[tokio::test]
async fn bad_bodies_are_problems_and_log_nothing() {
    let api = Api::new().await;
    let good = statement(&"aa".repeat(32), &[]);
    let r = post(&api, "text/plain", serde_json::to_vec(&good).unwrap()).await;
    r.assert_problem(415);
    let r = post(&api, "application/json", b"{not json".to_vec()).await;
    r.assert_problem(400);
    assert_eq!(r.body["type"], "urn:fog:problem:invalid-body");
    let r = post(&api, "application/json", vec![b' '; 5 * 1024 * 1024]).await;
    r.assert_problem(413);

    let mut wrong_type = good.clone();
    wrong_type["_type"] = json!("https://in-toto.io/Statement/v0.1");
    let mut no_subject = good.clone();
    no_subject["subject"] = json!([]);
    let mut bad_digest = good.clone();
    bad_digest["subject"][0]["digest"]["sha256"] = json!("AA");
    let mut bad_dataset = statement(&"aa".repeat(32), &[("d.csv", "zz")]);
    bad_dataset["predicateType"] = json!("https://slsa.dev/provenance/v1");
    // The reproducibility hash is a digest like the others: once stored
    // as nothing at all.
    let mut bad_repro = good.clone();
    bad_repro["predicate"]["runDetails"]["byproducts"][0]["digest"]["sha256"] = json!("zz");
    // PostgreSQL's jsonb keeps no NUL character.
    let mut nul = good.clone();
    nul["subject"][0]["name"] = json!("model\u{0}.bin");
    for (body, needle) in [
        (wrong_type, "_type"),
        (no_subject, "subject"),
        (bad_digest, "subject[0]"),
        (bad_dataset, "resolvedDependencies[0]"),
        (bad_repro, "reproducibility-hash"),
        (nul, "cannot be stored"),
        (json!([1, 2]), "_type"),
    ] {
        let r = post_json(&api, &body).await;
        r.assert_problem(400);
        assert!(r.body["detail"].as_str().unwrap().contains(needle), "{}", r.text);
    }
    let n: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_records WHERE convert_from(record, 'UTF8')::jsonb ->> 'action' NOT LIKE 'staff.%'",
    )
    .fetch_one(api.pool())
    .await
    .unwrap();
    assert_eq!(n, 0);
}
