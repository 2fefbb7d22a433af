//! Cases through the API: alerts grouped, the state machine with outcomes,
//! notes, remediation actions confirmed by a second officer, every step an
//! audit record; the export for regulators with inclusion proofs that
//! verify; the compliance report as JSON, CSV and HTML.

#[path = "common/api_support.rs"]
mod support;

use fog_indexer::audit::checkpoint;
use fog_indexer::audit::note::NoteSigner;
use serde_json::{json, Value};
use sqlx::PgPool;
use support::{blocks, Api};

async fn alert(pool: &PgPool, key: &str, severity: &str, tags: &[&str]) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO alerts (rule_id, rule_version, event_key, height, tx_hash, time, subject, severity, risk_score, tags, evidence) \
         VALUES ('aml.large_transfer', 1, $1, 2, 'TX', now() - interval '1 hour', 'account/inj1x', $2, 60, $3, '{\"amount\": \"5\"}') RETURNING id",
    )
    .bind(key)
    .bind(severity)
    .bind(tags)
    .fetch_one(pool)
    .await
    .unwrap()
}

fn hex32(s: &str) -> [u8; 32] {
    hex::decode(s).unwrap().try_into().unwrap()
}

#[tokio::test]
async fn a_case_from_alerts_to_closure_with_four_eyes_remediation_and_an_export() {
    let api = Api::new().await;
    let pool = api.pool();
    blocks(pool, 3, 6).await;
    let a1 = alert(pool, "transfer/2/0/0", "high", &["AML", "BSA"]).await;
    let a2 = alert(pool, "transfer/2/1/0", "low", &["AML"]).await;
    let a3 = alert(pool, "transfer/2/2/0", "critical", &["KYC"]).await;

    // Open with two alerts; an auditor may not.
    let new = json!({"title": "Structuring by inj1x", "alert_ids": [a1, a2], "assignee": "officer.one"});
    api.call(&api.auditor, "POST", "/cases", Some(&new))
        .await
        .assert_problem(403);
    let r = api.call(&api.officer, "POST", "/cases", Some(&new)).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.text);
    let id = r.body["id"].as_i64().unwrap();
    assert_eq!(r.body["state"], "open");
    assert_eq!(r.body["alert_ids"], json!([a1, a2]));
    let case = format!("/cases/{id}");

    // An alert belongs to one case; unknown alerts are named.
    let r = api
        .call(
            &api.officer,
            "POST",
            "/cases",
            Some(&json!({"title": "dup", "alert_ids": [a1]})),
        )
        .await;
    r.assert_problem(409);
    let r = api
        .call(
            &api.officer,
            "POST",
            &format!("{case}/alerts"),
            Some(&json!({"alert_ids": [999]})),
        )
        .await;
    r.assert_problem(400);
    assert!(r.text.contains("999"));
    let r = api
        .call(
            &api.officer,
            "POST",
            &format!("{case}/alerts"),
            Some(&json!({"alert_ids": [a3]})),
        )
        .await;
    assert_eq!(r.ok()["alert_ids"], json!([a1, a2, a3]));
    let r = api.get(&format!("/alerts/{a3}")).await;
    assert_eq!(r.ok()["case_id"], id);

    // Notes and the state machine.
    let r = api
        .call(
            &api.officer2,
            "POST",
            &format!("{case}/notes"),
            Some(&json!({"body": "Three transfers of 9,900 FOG in an hour."})),
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.text);
    assert_eq!(r.body["notes"][0]["author"], "officer.two");
    let patch = |body: Value| {
        let (api, case) = (&api, case.clone());
        async move { api.call(&api.officer, "PATCH", &case, Some(&body)).await }
    };
    patch(json!({"state": "closed"})).await.assert_problem(400); // outcome required
    patch(json!({"outcome": "false_positive"})).await.assert_problem(400); // only when closing
    let r = patch(json!({"state": "investigating", "due_at": "2020-01-01T00:00:00Z"})).await;
    assert_eq!(r.ok()["state"], "investigating");
    assert_eq!(r.body["overdue"], true);
    let r = api.get("/cases?overdue=true").await;
    assert_eq!(r.ok()["cases"][0]["id"], id);

    // Remediation: proposed by one officer, confirmed by another.
    let addr = cosmrs::AccountId::new("inj", &[7u8; 20]).unwrap().to_string();
    let proposal =
        json!({"kind": "flag_sanctioned", "address": addr, "reason": "matched the SDN list", "alert_id": a3});
    let r = api
        .call(&api.officer, "POST", &format!("{case}/actions"), Some(&proposal))
        .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.text);
    let action = r.body["id"].as_i64().unwrap();
    assert_eq!(r.body["status"], "proposed");
    let again = api
        .call(&api.officer, "POST", &format!("{case}/actions"), Some(&proposal))
        .await;
    again.assert_problem(409);
    let confirm = format!("/actions/{action}/confirmation");
    let r = api.call(&api.officer, "POST", &confirm, None).await;
    r.assert_problem(409);
    assert!(
        r.text.contains("four eyes") || r.text.contains("proposed it"),
        "{}",
        r.text
    );
    api.call(&api.admin, "POST", &confirm, None).await.assert_problem(403);
    let r = api.call(&api.officer2, "POST", &confirm, None).await;
    assert_eq!(r.ok()["status"], "confirmed");
    assert_eq!(r.body["decided_by"], "officer.two");
    let r = api.get("/actions?status=confirmed").await;
    assert_eq!(r.ok()["actions"][0]["id"], action);

    // Close with an outcome; a closed case takes no notes until reopened.
    let r = patch(json!({"state": "closed", "outcome": "confirmed_risk"})).await;
    assert_eq!(r.ok()["state"], "closed");
    assert!(r.body["closed_at"].is_string());
    api.call(
        &api.officer,
        "POST",
        &format!("{case}/notes"),
        Some(&json!({"body": "late"})),
    )
    .await
    .assert_problem(409);
    // Nor a remediation proposal, for any address.
    let other = cosmrs::AccountId::new("inj", &[8u8; 20]).unwrap().to_string();
    let late = api
        .call(
            &api.officer,
            "POST",
            &format!("{case}/actions"),
            Some(&json!({"kind": "flag_sanctioned", "address": other, "reason": "late"})),
        )
        .await;
    late.assert_problem(409);
    assert!(late.text.contains("closed case"), "{}", late.text);

    // Every step is in the audit log; the export carries them with proofs.
    let signer = NoteSigner::generate("fog.test/audit").unwrap();
    let published = checkpoint::publish(pool, &signer, "fog.test/audit")
        .await
        .unwrap()
        .unwrap();
    let r = api.get(&format!("{case}/export")).await;
    let export = r.ok().clone();
    assert_eq!(export["format"], "fog-case-export/v1");
    assert_eq!(export["alerts"].as_array().unwrap().len(), 3);
    assert_eq!(export["actions"][0]["id"], action);
    let actions: Vec<&str> = export["audit_records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["record"]["action"].as_str().unwrap())
        .collect();
    for a in [
        "case.opened",
        "case.alerts_added",
        "case.note_added",
        "case.state_changed",
        "action.proposed",
        "action.confirmed",
        "case.closed",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
    let size = export["checkpoint"]["size"].as_u64().unwrap();
    assert_eq!(size, published.size);
    let root = hex32(export["checkpoint"]["root"].as_str().unwrap());
    for rec in export["audit_records"].as_array().unwrap() {
        let seq = rec["seq"].as_u64().unwrap();
        if rec["inclusion_proof"].is_null() {
            // Logged after the checkpoint (the export itself): no proof yet.
            assert!(seq >= size, "{rec}");
            continue;
        }
        let proof: Vec<[u8; 32]> = rec["inclusion_proof"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| hex32(h.as_str().unwrap()))
            .collect();
        let leaf = hex32(rec["leaf_hash"].as_str().unwrap());
        fog_merkle::verify_inclusion(&leaf, seq, size, &proof, &root).expect("each record is in the signed tree");
        let mut bad = root;
        bad[0] ^= 1;
        assert!(fog_merkle::verify_inclusion(&leaf, seq, size, &proof, &bad).is_err());
    }
}

/// The audit record of the last staff action named `action`.
async fn last_record(pool: &PgPool, action: &str) -> Value {
    let records: Vec<Vec<u8>> = sqlx::query_scalar("SELECT record FROM audit_records ORDER BY seq DESC")
        .fetch_all(pool)
        .await
        .unwrap();
    records
        .iter()
        .map(|r| serde_json::from_slice::<Value>(r).unwrap())
        .find(|r| r["action"] == action)
        .unwrap_or_else(|| panic!("no {action} record"))
}

#[tokio::test]
async fn a_closed_case_confirms_nothing_and_actions_carry_the_cases_frameworks() {
    let api = Api::new().await;
    let pool = api.pool();
    blocks(pool, 3, 6).await;
    let a1 = alert(pool, "transfer/2/0/0", "high", &["MiCA", "SOX"]).await;
    let r = api
        .call(
            &api.officer,
            "POST",
            "/cases",
            Some(&json!({"title": "t", "alert_ids": [a1]})),
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.text);
    let case = format!("/cases/{}", r.body["id"].as_i64().unwrap());
    let addr = cosmrs::AccountId::new("inj", &[9u8; 20]).unwrap().to_string();

    // The same address in capitals is valid bech32, but not as the chain
    // writes it: a 400, not a second open action the registry would refuse.
    let upper = json!({"kind": "flag_sanctioned", "address": addr.to_uppercase(), "reason": "r"});
    let r = api
        .call(&api.officer, "POST", &format!("{case}/actions"), Some(&upper))
        .await;
    r.assert_problem(400);
    let proposal = json!({"kind": "flag_sanctioned", "address": addr, "reason": "r"});
    let r = api
        .call(&api.officer, "POST", &format!("{case}/actions"), Some(&proposal))
        .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.text);
    let action = r.body["id"].as_i64().unwrap();
    let tags = last_record(pool, "action.proposed").await["tags"].clone();
    for t in ["AML", "MiCA", "SOX"] {
        assert!(tags.as_array().unwrap().contains(&json!(t)), "{t} not in {tags}");
    }

    // Closed before the second officer decided: confirming is a 409 and
    // nothing goes on-chain; rejecting clears it.
    let r = api
        .call(
            &api.officer,
            "PATCH",
            &case,
            Some(&json!({"state": "closed", "outcome": "false_positive"})),
        )
        .await;
    assert_eq!(r.ok()["state"], "closed");
    let r = api
        .call(&api.officer2, "POST", &format!("/actions/{action}/confirmation"), None)
        .await;
    r.assert_problem(409);
    assert!(r.text.contains("closed"), "{}", r.text);
    let r = api.get("/actions?status=proposed").await;
    assert_eq!(r.ok()["actions"][0]["id"], action);
    let r = api
        .call(
            &api.officer2,
            "POST",
            &format!("/actions/{action}/rejection"),
            Some(&json!({"note": "case closed"})),
        )
        .await;
    assert_eq!(r.ok()["status"], "rejected");

    // The export is logged under the case's frameworks, not AML alone.
    api.get(&format!("{case}/export")).await.ok();
    let tags = last_record(pool, "case.exported").await["tags"].clone();
    assert_eq!(tags, json!(["MiCA", "SOX"]));
}

#[tokio::test]
async fn the_compliance_report_in_json_csv_and_html() {
    let api = Api::new().await;
    let pool = api.pool();
    blocks(pool, 3, 6).await;
    let a1 = alert(pool, "e/1", "high", &["AML"]).await;
    alert(pool, "e/2", "high", &["AML"]).await;
    alert(pool, "e/3", "low", &["KYC"]).await;
    let r = api
        .call(
            &api.officer,
            "POST",
            "/cases",
            Some(&json!({"title": "c", "alert_ids": [a1]})),
        )
        .await;
    let id = r.body["id"].as_i64().unwrap();
    api.call(
        &api.officer,
        "PATCH",
        &format!("/cases/{id}"),
        Some(&json!({"state": "closed", "outcome": "false_positive"})),
    )
    .await
    .ok();

    let r = api.get("/reports/compliance?framework=AML").await;
    let report = r.ok();
    assert_eq!(report["alerts_total"], 2);
    assert_eq!(
        report["alerts_by_rule"],
        json!([{"rule_id": "aml.large_transfer", "severity": "high", "count": 2}])
    );
    assert_eq!(report["cases"]["closed"], 1);
    assert_eq!(report["cases"]["opened"], 1);
    let r = api.get("/reports/compliance").await;
    assert_eq!(r.ok()["alerts_total"], 3);

    let r = api.get("/reports/compliance?framework=AML&format=csv").await;
    assert!(r.content_type.starts_with("text/csv"), "{}", r.content_type);
    assert!(r.text.lines().next().unwrap().contains(','), "{}", r.text);
    assert!(r.text.contains("aml.large_transfer"), "{}", r.text);
    let r = api.get("/reports/compliance?framework=AML&format=html").await;
    assert!(r.content_type.starts_with("text/html"));
    assert!(r.text.contains("<table") && r.text.contains("aml.large_transfer"));

    api.get("/reports/compliance?framework=NOPE")
        .await
        .assert_bad("framework");
    api.get("/reports/compliance?format=xml").await.assert_bad("format");
    api.get("/reports/compliance?from=yesterday").await.assert_bad("from");
}

#[tokio::test]
async fn bad_values_are_a_400_that_names_them_and_nothing_is_stored_or_logged() {
    let api = Api::new().await;
    let pool = api.pool();
    blocks(pool, 3, 6).await;
    let a1 = alert(pool, "e/1", "high", &["AML"]).await;
    let logged = || async {
        fog_indexer::audit::log::size(&mut pool.acquire().await.unwrap())
            .await
            .unwrap()
    };
    let before = logged().await;
    let post = |uri: &'static str, body: Value| {
        let api = &api;
        async move { api.call(&api.officer, "POST", uri, Some(&body)).await }
    };

    // PostgreSQL keeps no NUL in text: refused as the request's, not a 500.
    let r = post("/cases", json!({"title": "a\u{0}b"})).await;
    r.assert_problem(400);
    assert!(r.text.contains("cannot be stored"), "{}", r.text);
    // Past PostgreSQL's timestamps, and before any case could be due.
    for due in [
        "-10000-01-01T00:00:00Z",
        "1969-12-31T23:59:59Z",
        "+10000-01-01T00:00:00Z",
    ] {
        let r = post("/cases", json!({"title": "t", "due_at": due})).await;
        r.assert_problem(400);
        assert!(r.text.contains("due_at"), "{due}: {}", r.text);
    }
    let r = post("/cases", json!({"title": "t", "alert_ids": [a1, a1]})).await;
    r.assert_problem(400);
    assert!(r.text.contains(&format!("alert {a1} is listed twice")), "{}", r.text);
    let r = post(
        "/cases",
        json!({"title": "t", "alert_ids": (1..=1001).collect::<Vec<i64>>()}),
    )
    .await;
    r.assert_problem(400);
    for assignee in ["x".repeat(65), String::new(), "a\nb".into()] {
        let r = post("/cases", json!({"title": "t", "assignee": assignee})).await;
        r.assert_problem(400);
        assert!(r.text.contains("assignee"), "{}", r.text);
    }
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM cases")
            .fetch_one(pool)
            .await
            .unwrap()
    };
    assert_eq!(count().await, 0);

    let r = post("/cases", json!({"title": "t", "alert_ids": [a1]})).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.text);
    let id = r.body["id"].as_i64().unwrap();
    let case = format!("/cases/{id}");
    let after_open = logged().await;
    assert_eq!(after_open, before + 1);
    let r = api
        .call(
            &api.officer,
            "PATCH",
            &case,
            Some(&json!({"due_at": "+20000-01-01T00:00:00Z"})),
        )
        .await;
    r.assert_problem(400);
    let r = api
        .call(&api.officer, "PATCH", &case, Some(&json!({"assignee": "y".repeat(65)})))
        .await;
    r.assert_problem(400);
    let r = api
        .call(
            &api.officer,
            "POST",
            &format!("{case}/notes"),
            Some(&json!({"body": "a\u{0}"})),
        )
        .await;
    r.assert_problem(400);

    // An action naming an alert that does not exist.
    let addr = cosmrs::AccountId::new("inj", &[9u8; 20]).unwrap().to_string();
    let r = api
        .call(
            &api.officer,
            "POST",
            &format!("{case}/actions"),
            Some(&json!({"kind": "flag_sanctioned", "address": addr, "reason": "r", "alert_id": 999_999})),
        )
        .await;
    r.assert_problem(400);
    assert!(r.text.contains("alert 999999 does not exist"), "{}", r.text);
    let r = api
        .call(
            &api.officer,
            "POST",
            &format!("{case}/actions"),
            Some(&json!({"kind": "flag_sanctioned", "address": addr, "reason": "r"})),
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.text);
    let action = r.body["id"].as_i64().unwrap();
    let proposed = logged().await;
    // A rejection's note is logged for good: it is bounded.
    let r = api
        .call(
            &api.officer2,
            "POST",
            &format!("/actions/{action}/rejection"),
            Some(&json!({"note": "n".repeat(513)})),
        )
        .await;
    r.assert_problem(400);
    assert!(r.text.contains("note"), "{}", r.text);
    assert_eq!(logged().await, proposed);
    assert_eq!(
        api.get("/actions?status=proposed").await.ok()["actions"][0]["id"],
        action
    );

    // Query parameters and cursors with a NUL character name themselves.
    api.get("/alerts?rule_id=a%00b").await.assert_bad("rule_id");
    api.get("/cases?assignee=%00").await.assert_bad("assignee");
    let cursor = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, "logs:\0");
    api.get(&format!("/anchors?cursor={cursor}")).await.assert_bad("cursor");
}

#[tokio::test]
async fn the_export_keeps_the_actions_of_an_older_case() {
    let api = Api::new().await;
    let pool = api.pool();
    blocks(pool, 3, 6).await;
    let open = |title: &'static str| {
        let api = &api;
        async move {
            let r = api
                .call(&api.officer, "POST", "/cases", Some(&json!({ "title": title })))
                .await;
            assert_eq!(r.status.as_u16(), 201, "{}", r.text);
            r.body["id"].as_i64().unwrap()
        }
    };
    let old = open("older case").await;
    let addr = cosmrs::AccountId::new("inj", &[5u8; 20]).unwrap().to_string();
    let r = api
        .call(
            &api.officer,
            "POST",
            &format!("/cases/{old}/actions"),
            Some(&json!({"kind": "flag_sanctioned", "address": addr, "reason": "matched the SDN list"})),
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.text);
    let action = r.body["id"].as_i64().unwrap();
    // More than a thousand newer actions, all of another case.
    let new = open("newer case").await;
    sqlx::query(
        "INSERT INTO chain_actions (kind, address, reason, case_id, proposed_by, status) \
         SELECT 'flag_sanctioned', 'inj1other' || g, 'r', $1, 'officer.one', 'rejected' FROM generate_series(1, 1001) g",
    )
    .bind(new)
    .execute(pool)
    .await
    .unwrap();

    let r = api.get(&format!("/cases/{old}/export")).await;
    let actions = r.ok()["actions"].as_array().unwrap().clone();
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert_eq!(actions[0]["id"], action);
    let r = api.get(&format!("/cases/{new}/export")).await;
    assert_eq!(r.ok()["actions"].as_array().unwrap().len(), 1001);
}

#[tokio::test]
async fn an_alert_linked_by_a_concurrent_request_is_a_409_naming_its_case() {
    let api = Api::new().await;
    let pool = api.pool();
    blocks(pool, 3, 6).await;
    let a1 = alert(pool, "e/1", "high", &["AML"]).await;
    let r = api
        .call(&api.officer, "POST", "/cases", Some(&json!({"title": "first"})))
        .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.text);
    let first = r.body["id"].as_i64().unwrap();

    // Another request has linked the alert to the first case and not yet
    // committed: the request below sees nothing linked, then waits for it.
    let mut other = pool.begin().await.unwrap();
    sqlx::query("INSERT INTO case_alerts (case_id, alert_id, added_by) VALUES ($1, $2, 'officer.two')")
        .bind(first)
        .bind(a1)
        .execute(&mut *other)
        .await
        .unwrap();
    let second = json!({"title": "second", "alert_ids": [a1]});
    let (r, ()) = tokio::join!(api.call(&api.officer, "POST", "/cases", Some(&second)), async move {
        support::until_a_session_waits_for_a_lock(pool).await;
        other.commit().await.unwrap();
    });
    r.assert_problem(409);
    assert_eq!(r.body["type"], "urn:fog:problem:conflict");
    assert!(
        r.text.contains(&format!("alert {a1} is already in case {first}")),
        "{}",
        r.text
    );
    let cases: i64 = sqlx::query_scalar("SELECT count(*) FROM cases")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(cases, 1, "the refused case is not stored");
}

#[tokio::test]
async fn an_action_proposed_by_a_concurrent_request_is_a_409_naming_it() {
    let api = Api::new().await;
    let pool = api.pool();
    blocks(pool, 3, 6).await;
    let r = api
        .call(&api.officer, "POST", "/cases", Some(&json!({"title": "c"})))
        .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.text);
    let case = r.body["id"].as_i64().unwrap();
    let addr = cosmrs::AccountId::new("inj", &[6u8; 20]).unwrap().to_string();

    // The same action, proposed (outside a case, so the case's row is not
    // locked) by another request not yet committed: the request below sees
    // no open action, then waits for it on the index of open actions.
    let mut other = pool.begin().await.unwrap();
    let first: i64 = sqlx::query_scalar(
        "INSERT INTO chain_actions (kind, address, reason, proposed_by) \
         VALUES ('flag_sanctioned', $1, 'first', 'system') RETURNING id",
    )
    .bind(&addr)
    .fetch_one(&mut *other)
    .await
    .unwrap();
    let proposal = json!({"kind": "flag_sanctioned", "address": addr, "reason": "second"});
    let uri = format!("/cases/{case}/actions");
    let (r, ()) = tokio::join!(api.call(&api.officer, "POST", &uri, Some(&proposal)), async move {
        support::until_a_session_waits_for_a_lock(pool).await;
        other.commit().await.unwrap();
    });
    r.assert_problem(409);
    assert!(r.text.contains(&format!("already open (action {first})")), "{}", r.text);
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM chain_actions")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(n, 1);
}

/// The service role reads every table and view and uses every sequence:
/// 0003 granted rights on the tables of its time only, and the alerts and
/// the rule registry (added later) were out of the service's reach until
/// migration 0024.
#[tokio::test]
async fn the_service_role_reaches_every_table() {
    let db = fog_indexer::testing::TestDb::new().await.unwrap();
    let unreachable: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public' AND ( \
             (c.relkind IN ('r', 'v') AND NOT has_table_privilege('fog_service', c.oid, 'SELECT')) \
          OR (c.relkind = 'S' AND NOT has_sequence_privilege('fog_service', c.oid, 'USAGE')) \
          OR (c.relname IN ('alerts', 'rule_versions', 'rules_generation') \
              AND NOT (has_table_privilege('fog_service', c.oid, 'INSERT') \
                       AND has_table_privilege('fog_service', c.oid, 'UPDATE')))) \
         ORDER BY 1",
    )
    .fetch_all(&db.store.pool)
    .await
    .unwrap();
    assert_eq!(unreachable, Vec::<String>::new());
}

#[tokio::test]
async fn alerts_filter_by_height_and_time_of_their_event() {
    let api = Api::new().await;
    let pool = api.pool();
    for (key, height, time) in [
        ("a", 2, 1_700_000_000.0f64),
        ("b", 5, 1_700_000_100.5),
        ("c", 9, 1_700_000_200.0),
    ] {
        sqlx::query(
            "INSERT INTO alerts (rule_id, rule_version, event_key, height, tx_hash, time, subject, severity, risk_score, tags, evidence) \
             VALUES ('aml.large_transfer', 1, $1, $2, 'TX', to_timestamp($3), 'account/inj1x', 'high', 60, '{AML}', '{}')",
        )
        .bind(key)
        .bind(height)
        .bind(time)
        .execute(pool)
        .await
        .unwrap();
    }
    let keys = |r: &Value| -> Vec<String> {
        r["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["event_key"].as_str().unwrap().to_string())
            .collect()
    };
    for (query, expected) in [
        ("from_height=5", vec!["c", "b"]),
        ("to_height=5", vec!["b", "a"]),
        ("from_height=3&to_height=8", vec!["b"]),
        ("from_time=1700000100", vec!["c", "b"]),
        ("to_time=1700000099", vec!["a"]),
        // Both bounds take the whole second: b's block time is ...100.5.
        ("from_time=1700000100&to_time=1700000100", vec!["b"]),
        ("from_time=1700000000&to_time=1700000200&from_height=9", vec!["c"]),
    ] {
        let r = api.get(&format!("/alerts?{query}")).await;
        assert_eq!(keys(r.ok()), expected, "{query}");
    }
    api.get("/alerts?from_height=5&to_height=4")
        .await
        .assert_bad("to_height");
    api.get("/alerts?from_time=-1").await.assert_bad("from_time");
    // Beyond the year 9999: named, not a database error.
    api.get("/alerts?to_time=999999999999").await.assert_bad("to_time");
}
