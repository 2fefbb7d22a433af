//! KYC subjects: sealed at rest, readable only through the vault, erased
//! for good (no byte of the plaintext, the wrapped key or the ciphertext in
//! a dump or in the tables' files), the audit log still verifying, and
//! retention erasing what expired.

#[path = "common/api_support.rs"]
mod support;

use std::process::Command;

use fog_indexer::audit::verify;
use serde_json::{json, Value};
use sqlx::{PgPool, Row};
use support::Api;

const NAME: &str = "Zelda Quixotic-Marchbanks";
const DOB: &str = "1987-03-14";

fn doc_hash() -> String {
    "5eed".repeat(16)
}

fn subject() -> Value {
    json!({
        "address": "inj1zelda",
        "tier": 2,
        "name": NAME,
        "date_of_birth": DOB,
        "document_hashes": [doc_hash()],
        "jurisdiction": "CH"
    })
}

/// The database as `pg_dump` writes it (plain SQL, data included).
fn dump(url: &str) -> Vec<u8> {
    let out = Command::new("pg_dump").arg(url).output().expect("pg_dump runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// The bytes of the KYC tables' heap files (after a checkpoint wrote them).
async fn table_files(pool: &PgPool) -> Vec<u8> {
    sqlx::query("CHECKPOINT").execute(pool).await.unwrap();
    let dir: String = sqlx::query_scalar("SELECT current_setting('data_directory')")
        .fetch_one(pool)
        .await
        .unwrap();
    let mut all = Vec::new();
    for table in ["kyc_subjects", "kyc_keys"] {
        let path: String = sqlx::query_scalar("SELECT pg_relation_filepath($1)")
            .bind(table)
            .fetch_one(pool)
            .await
            .unwrap();
        all.extend(std::fs::read(format!("{dir}/{path}")).expect("the test reads PostgreSQL's files (as root)"));
    }
    all
}

/// A subject's wrapped key and ciphertext, as stored.
async fn stored_secrets(pool: &PgPool, id: i64) -> (Vec<u8>, Vec<u8>) {
    let r = sqlx::query(
        "SELECT k.wrapped, s.ciphertext FROM kyc_keys k JOIN kyc_subjects s ON s.id = k.subject_id WHERE s.id = $1",
    )
    .bind(id)
    .fetch_one(pool)
    .await
    .unwrap();
    (r.get(0), r.get(1))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn a_subject_is_sealed_readable_by_officers_and_erased_for_good() {
    let api = Api::new().await;
    let pool = api.pool();
    let r = api.call(&api.officer, "POST", "/kyc/subjects", Some(&subject())).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.text);
    let id = r.body["id"].as_i64().unwrap();
    let commitment = r.body["commitment"].as_str().unwrap().to_string();
    assert_eq!(commitment.len(), 64);
    assert!(!r.text.contains(NAME));

    // At rest: only ciphertext. Listing shows no personal data.
    let dumped = dump(&api.db.url);
    for secret in [NAME, DOB, &doc_hash()] {
        assert!(!contains(&dumped, secret.as_bytes()), "{secret} is in the dump");
    }
    let r = api.call(&api.admin, "GET", "/kyc/subjects", None).await;
    assert_eq!(r.ok()["subjects"][0]["id"], id);
    assert!(!r.text.contains(NAME));

    // An officer reads it, and the read is logged.
    let r = api
        .call(&api.officer2, "GET", &format!("/kyc/subjects/{id}"), None)
        .await;
    let body = r.ok();
    assert_eq!(body["data"]["name"], NAME);
    assert_eq!(body["data"]["date_of_birth"], DOB);
    assert_eq!(body["tier"], 2);
    // An auditor and an admin may not read personal data.
    for t in [&api.auditor, &api.admin] {
        api.call(t, "GET", &format!("/kyc/subjects/{id}"), None)
            .await
            .assert_problem(403);
    }

    let (wrapped, ciphertext) = stored_secrets(pool, id).await;
    assert!(
        contains(&table_files(pool).await, &wrapped),
        "the file check sees stored bytes"
    );

    // Erasure.
    api.call(
        &api.officer,
        "POST",
        &format!("/kyc/subjects/{id}/erasure"),
        Some(&json!({"reason": " "})),
    )
    .await
    .assert_problem(400);
    let r = api
        .call(
            &api.officer,
            "POST",
            &format!("/kyc/subjects/{id}/erasure"),
            Some(&json!({"reason": "GDPR art. 17 request of 2026-11-20"})),
        )
        .await;
    let erased = r.ok();
    assert!(erased["erased_at"].is_string());
    assert_eq!(
        erased["commitment"],
        commitment.as_str(),
        "the commitment stays: it reveals nothing"
    );
    api.call(&api.officer, "GET", &format!("/kyc/subjects/{id}"), None)
        .await
        .assert_problem(410);
    api.call(
        &api.officer,
        "POST",
        &format!("/kyc/subjects/{id}/erasure"),
        Some(&json!({"reason": "again"})),
    )
    .await
    .assert_problem(410);

    // Nothing left: not in a dump, not in the tables' files (dead tuples
    // vacuumed), not in the audit log.
    let dumped = dump(&api.db.url);
    let files = table_files(pool).await;
    for secret in [NAME.as_bytes(), DOB.as_bytes(), doc_hash().as_bytes()] {
        assert!(!contains(&dumped, secret));
        assert!(!contains(&files, secret));
    }
    assert!(!contains(&files, &wrapped), "the wrapped key survives in a dead tuple");
    assert!(
        !contains(&files, &ciphertext),
        "the ciphertext survives in a dead tuple"
    );
    let hex_wrapped = hex::encode(&wrapped);
    assert!(!contains(&dumped, hex_wrapped.as_bytes()));

    // The audit log never held the data, records each step, and verifies.
    let records: Vec<Vec<u8>> = sqlx::query_scalar("SELECT record FROM audit_records ORDER BY seq")
        .fetch_all(pool)
        .await
        .unwrap();
    let actions: Vec<String> = records
        .iter()
        .map(|r| {
            serde_json::from_slice::<Value>(r).unwrap()["action"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    for a in ["kyc.subject_created", "kyc.subject_read", "kyc.subject_erased"] {
        assert!(actions.iter().any(|x| x == a), "{a} missing from {actions:?}");
    }
    for r in &records {
        assert!(!contains(r, NAME.as_bytes()) && !contains(r, DOB.as_bytes()));
    }
    let report = verify::verify(pool, None, &[]).await.unwrap();
    assert_eq!(report.failure, None);
    assert_eq!(report.records as usize, records.len());
}

/// The services connect as `fog_service`, which owns no table; VACUUM by
/// anyone but a table's owner is skipped with a warning, so erasure's purge
/// of dead tuples depends on the KYC tables' owner (migration 0021).
#[tokio::test]
async fn an_erasure_by_the_service_role_leaves_no_copy_on_disk() {
    let api = Api::new().await;
    let pool = api.pool();
    let r = api.call(&api.officer, "POST", "/kyc/subjects", Some(&subject())).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.text);
    let id = r.body["id"].as_i64().unwrap();
    let (wrapped, ciphertext) = stored_secrets(pool, id).await;
    let service_url = api
        .db
        .url
        .replacen("postgres://postgres@", "postgres://fog_service@", 1);
    assert_ne!(service_url, api.db.url);
    let service = PgPool::connect(&service_url).await.unwrap();
    let user: String = sqlx::query_scalar("SELECT current_user::text")
        .fetch_one(&service)
        .await
        .unwrap();
    assert_eq!(user, "fog_service");
    fog_indexer::kyc::erase(&service, id, "GDPR art. 17 request", "ana")
        .await
        .unwrap();
    // The service takes the owner's rights for the VACUUM only: its own
    // statements cannot truncate, drop or re-grant the KYC tables, and the
    // connection it vacuumed on went back to the pool as itself.
    for statement in [
        "TRUNCATE kyc_subjects",
        "DROP TABLE kyc_keys",
        "UPDATE kyc_keys SET wrapped = wrapped",
    ] {
        let err = sqlx::query(statement).execute(&service).await.expect_err(statement);
        assert!(
            err.to_string().contains("permission denied") || err.to_string().contains("must be owner"),
            "{statement}: {err}"
        );
    }
    // A non-owner's GRANT only warns: what counts is that nothing was granted.
    sqlx::query("GRANT SELECT ON kyc_keys TO PUBLIC")
        .execute(&service)
        .await
        .unwrap();
    let public: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_class c, aclexplode(c.relacl) a WHERE c.relname = 'kyc_keys' AND a.grantee = 0",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(public, 0, "the wrapped keys were granted to PUBLIC");
    let users: Vec<String> = sqlx::query_scalar("SELECT current_user::text FROM generate_series(1, 3)")
        .fetch_all(&service)
        .await
        .unwrap();
    assert!(users.iter().all(|u| u == "fog_service"), "{users:?}");
    service.close().await;
    let files = table_files(pool).await;
    assert!(!contains(&files, &wrapped), "the wrapped key survives in a dead tuple");
    assert!(
        !contains(&files, &ciphertext),
        "the ciphertext survives in a dead tuple"
    );
}

/// With other subjects beside it on the page, an erased subject's wrapped
/// key must still be gone from the table's file: VACUUM frees a dead
/// tuple's space without zeroing it, so the key table is rewritten.
#[tokio::test]
async fn an_erased_key_is_gone_from_disk_with_other_subjects_beside_it() {
    let api = Api::new().await;
    let pool = api.pool();
    let mut ids = vec![];
    for _ in 0..3 {
        let r = api.call(&api.officer, "POST", "/kyc/subjects", Some(&subject())).await;
        assert_eq!(r.status.as_u16(), 201, "{}", r.text);
        ids.push(r.body["id"].as_i64().unwrap());
    }
    // The newest row sits lowest on the page: compacting the page after
    // its removal moves nothing over it.
    let (wrapped, _) = stored_secrets(pool, ids[2]).await;
    let (kept, _) = stored_secrets(pool, ids[0]).await;
    fog_indexer::kyc::erase(pool, ids[2], "GDPR art. 17 request", "ana")
        .await
        .unwrap();
    let files = table_files(pool).await;
    assert!(
        !contains(&files, &wrapped),
        "the erased subject's wrapped key is still on disk"
    );
    assert!(contains(&files, &kept), "the others' keys stay");
}

/// An erasure cut off while its VACUUM waits (the API's 30 s timeout drops
/// the request's future) leaves no pooled connection acting as the KYC
/// tables' owner: the VACUUM runs on a connection of its own.
#[tokio::test]
async fn an_erasure_cut_off_mid_purge_leaves_the_pool_as_the_service() {
    let api = Api::new().await;
    let pool = api.pool();
    let r = api.call(&api.officer, "POST", "/kyc/subjects", Some(&subject())).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.text);
    let id = r.body["id"].as_i64().unwrap();
    let service_url = api
        .db
        .url
        .replacen("postgres://postgres@", "postgres://fog_service@", 1);
    // One connection: whatever the erasure used is what the next query gets.
    let service = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(&service_url)
        .await
        .unwrap();
    // VACUUM waits for this lock.
    let mut holder = pool.begin().await.unwrap();
    sqlx::query("LOCK kyc_keys IN SHARE UPDATE EXCLUSIVE MODE")
        .execute(&mut *holder)
        .await
        .unwrap();
    let erase = fog_indexer::kyc::erase(&service, id, "GDPR art. 17 request", "ana");
    assert!(tokio::time::timeout(std::time::Duration::from_secs(2), erase)
        .await
        .is_err());
    holder.rollback().await.unwrap();
    let user: String = sqlx::query_scalar("SELECT current_user::text")
        .fetch_one(&service)
        .await
        .unwrap();
    assert_eq!(user, "fog_service");
    let err = sqlx::query("TRUNCATE kyc_keys").execute(&service).await.unwrap_err();
    assert!(err.to_string().contains("permission denied"), "{err}");
}

#[tokio::test]
async fn retention_erases_what_expired_and_logs_the_run() {
    let api = Api::new().await;
    let pool = api.pool();
    let mut ids = vec![];
    for days in [1, 3650] {
        let mut s = subject();
        s["retention_days"] = json!(days);
        let r = api.call(&api.officer, "POST", "/kyc/subjects", Some(&s)).await;
        assert_eq!(r.status.as_u16(), 201, "{}", r.text);
        ids.push(r.body["id"].as_i64().unwrap());
    }
    sqlx::query("UPDATE kyc_subjects SET retain_until = now() - interval '1 hour' WHERE id = $1")
        .bind(ids[0])
        .execute(pool)
        .await
        .unwrap();
    api.call(&api.officer, "POST", "/kyc/retention", None)
        .await
        .assert_problem(403);
    let r = api.call(&api.admin, "POST", "/kyc/retention", None).await;
    assert_eq!(r.ok()["erased"], json!([ids[0]]));
    let r = api.call(&api.admin, "POST", "/kyc/retention", None).await;
    assert_eq!(r.ok()["erased"], json!([]), "nothing twice");
    api.call(&api.officer, "GET", &format!("/kyc/subjects/{}", ids[1]), None)
        .await
        .ok();
    let runs: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_records WHERE convert_from(record, 'UTF8')::jsonb ->> 'action' = 'kyc.retention_run'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(runs, 2, "every run is logged, even an empty one");
}

#[tokio::test]
async fn bad_subjects_are_named_400s() {
    let api = Api::new().await;
    for (field, value, needle) in [
        ("tier", json!(4), "tier"),
        ("date_of_birth", json!("14.03.1987"), "date_of_birth"),
        ("jurisdiction", json!("Switzerland"), "jurisdiction"),
        ("document_hashes", json!(["abc"]), "document_hashes"),
        ("name", json!(""), "name"),
    ] {
        let mut s = subject();
        s[field] = value;
        let r = api.call(&api.officer, "POST", "/kyc/subjects", Some(&s)).await;
        r.assert_problem(400);
        assert!(r.text.contains(needle), "{field}: {}", r.text);
    }
    let mut s = subject();
    s["passport_scan"] = json!("...");
    api.call(&api.officer, "POST", "/kyc/subjects", Some(&s))
        .await
        .assert_problem(400);
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM kyc_subjects")
        .fetch_one(api.pool())
        .await
        .unwrap();
    assert_eq!(n, 0, "nothing stored from a bad request");
}

#[tokio::test]
async fn an_erasure_reason_is_checked_in_characters_and_refuses_control_characters() {
    let api = Api::new().await;
    let r = api.call(&api.officer, "POST", "/kyc/subjects", Some(&subject())).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.text);
    let id = r.body["id"].as_i64().unwrap();
    let erasure = format!("/kyc/subjects/{id}/erasure");
    // A NUL (which PostgreSQL cannot store) or another control character:
    // a 400 naming the reason, never a 500; nothing is erased.
    let too_long = "é".repeat(513);
    for reason in ["GDPR\u{0} request", "GDPR\u{1b}[2J request", too_long.as_str()] {
        let r = api
            .call(&api.officer, "POST", &erasure, Some(&json!({ "reason": reason })))
            .await;
        r.assert_problem(400);
        assert!(r.body["detail"].as_str().unwrap().contains("reason"), "{}", r.text);
    }
    let erased: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT erased_at FROM kyc_subjects WHERE id = $1")
            .bind(id)
            .fetch_one(api.pool())
            .await
            .unwrap();
    assert!(erased.is_none(), "a refused request erases nothing");
    // 512 characters are allowed, though they are 1,024 bytes.
    let reason = "é".repeat(512);
    let r = api
        .call(&api.officer, "POST", &erasure, Some(&json!({ "reason": reason })))
        .await;
    assert_eq!(r.ok()["erasure_reason"], reason.as_str());
}
