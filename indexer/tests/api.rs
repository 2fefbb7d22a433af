//! The API as a whole: the OpenAPI document, problem+json on every failure
//! (bad parameters on every route, unknown routes, methods, a database that
//! does not answer), health and metrics.

#[path = "common/api_support.rs"]
mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use axum::http::StatusCode;
use fog_indexer::access::policy::POLICY;
use fog_indexer::api::{openapi, router, AppState};
use serde_json::Value;
use support::{addr, blocks, send, Api, P};

/// Every (method, route) the server answers: the access policy's table.
/// The OpenAPI document must list exactly these.
fn routes() -> BTreeSet<(String, String)> {
    POLICY.iter().map(|(m, r, _)| (m.to_string(), r.to_string())).collect()
}

fn param_names(doc: &Value, path: &str) -> BTreeSet<String> {
    doc["paths"][path]["get"]["parameters"]
        .as_array()
        .map(|ps| ps.iter().map(|p| p["name"].as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

fn names(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn openapi_documents_every_route_and_parameter() {
    let api = Api::new().await;
    let r = api.get("/openapi.json").await;
    let doc = r.ok().clone();
    assert_eq!(r.content_type, "application/json");
    assert_eq!(doc, serde_json::to_value(openapi()).unwrap(), "served as generated");
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .filter(|k| ["get", "post", "patch", "put", "delete"].contains(&k.as_str()))
                .map(|m| (m.to_uppercase(), path.clone()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(documented, routes(), "OpenAPI paths = the access policy's routes");
    for (method, route) in routes() {
        let responses = &doc["paths"][&route][method.to_lowercase()]["responses"];
        let success = ["200", "201", "204"].iter().any(|c| responses[*c].is_object());
        assert!(success, "{method} {route} documents its success");
        // What the guard and the parameter check answer on any route.
        for status in ["400", "401", "403", "429", "500", "503"] {
            assert_eq!(
                responses[status]["content"]["application/problem+json"]["schema"]["$ref"],
                "#/components/schemas/Problem",
                "{method} {route} documents its {status}"
            );
        }
        let with_body = doc["paths"][&route][method.to_lowercase()]["requestBody"].is_object();
        for status in ["413", "415"] {
            assert_eq!(responses[status].is_object(), with_body, "{method} {route}: {status}");
        }
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    assert_eq!(
        doc["security"][0]["bearer"],
        serde_json::json!([]),
        "every route takes the token"
    );
    assert!(doc["paths"]["/lineage/records"]["post"]["responses"]["201"].is_object());
    let page = ["limit", "cursor"];
    let window = ["from_height", "to_height", "from_time", "to_time"];
    let expect: [(&str, Vec<&str>); 14] = [
        (
            "/proposals",
            [
                &page[..],
                &[
                    "status",
                    "method",
                    "kind",
                    "proposer",
                    "from_height",
                    "to_height",
                    "from_time",
                    "to_time",
                ],
            ]
            .concat(),
        ),
        ("/proposals/{id}", vec!["id"]),
        (
            "/proposals/{id}/votes",
            [&page[..], &window[..], &["id", "choice", "min_power"]].concat(),
        ),
        ("/accounts/{address}", vec!["address", "height"]),
        ("/governance/power-distribution", vec!["height", "top"]),
        (
            "/releases",
            [&page[..], &window[..], &["status", "artifact_type"]].concat(),
        ),
        ("/releases/{sha256}", vec!["sha256", "artifact_type"]),
        ("/anchors", [&page[..], &window[..], &["origin"]].concat()),
        ("/audit/entries/{seq}", vec!["seq"]),
        ("/audit/proof/inclusion", vec!["seq", "size"]),
        ("/audit/proof/consistency", vec!["from", "to"]),
        ("/lineage/records/{record_hash}", vec!["record_hash"]),
        ("/lineage/models/{sha256}", [&page[..], &["sha256"]].concat()),
        ("/audit/checkpoint", vec![]),
    ];
    for (route, params) in expect {
        assert_eq!(param_names(&doc, route), names(&params), "{route}");
        for p in doc["paths"][route]["get"]["parameters"]
            .as_array()
            .into_iter()
            .flatten()
        {
            assert!(p["description"].is_string(), "{route} {}", p["name"]);
        }
        let bad = &doc["paths"][route]["get"]["responses"]["400"]["content"]["application/problem+json"];
        assert!(
            bad.is_object() || params.is_empty(),
            "{route} documents its 400 problem"
        );
    }
    let status = doc["paths"]["/proposals"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "status")
        .unwrap()
        .to_string();
    for s in ["open", "passed", "rejected", "executed", "vetoed", "expired"] {
        assert!(status.contains(s), "status values listed: {status}");
    }
    assert!(doc["components"]["schemas"]["Problem"]["properties"]["parameter"].is_object());
}

#[tokio::test]
async fn a_bad_parameter_on_every_route_is_a_named_400() {
    let api = Api::new().await;
    blocks(api.pool(), 3, 6).await;
    P::yes_no(1).insert(api.pool()).await;
    let a = addr(1);
    let cases = [
        ("/proposals?limit=0".to_string(), "limit"),
        ("/proposals?from_height=x".to_string(), "from_height"),
        ("/proposals/1x".to_string(), "id"),
        ("/proposals/1?with=votes".to_string(), "with"),
        ("/proposals/1/votes?min_power=-1".to_string(), "min_power"),
        ("/proposals/%20/votes".to_string(), "id"),
        (format!("/accounts/{a}?height=4"), "height"),
        ("/accounts/nope".to_string(), "address"),
        ("/governance/power-distribution?height=1.0".to_string(), "height"),
        ("/releases?status=PENDING".to_string(), "status"),
        ("/releases/xyz".to_string(), "sha256"),
        (format!("/releases/{}?all=1", "0".repeat(64)), "all"),
        ("/anchors?cursor=!".to_string(), "cursor"),
        ("/healthz?verbose=1".to_string(), "verbose"),
        ("/metrics?format=json".to_string(), "format"),
        ("/openapi.json?v=2".to_string(), "v"),
    ];
    for (uri, param) in cases {
        let r = api.get(&uri).await;
        assert!(!r.body["detail"].as_str().unwrap().is_empty(), "{uri}");
        r.assert_bad(param);
    }
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems() {
    let api = Api::new().await;
    let r = api.get("/nope").await;
    r.assert_problem(404);
    assert!(r.body["detail"].as_str().unwrap().contains("/nope"));
    api.get("/proposals/1/ballots").await.assert_problem(404);
    api.get("/proposals/1").await.assert_problem(404);
    api.call(&api.auditor, "POST", "/proposals", None)
        .await
        .assert_problem(405);
    api.call(&api.admin, "DELETE", "/releases/00", None)
        .await
        .assert_problem(405);
}

#[tokio::test]
async fn health_reports_the_head_and_its_lag() {
    let api = Api::new().await;
    let r = api.get("/healthz").await;
    assert_eq!(r.ok()["status"], "ok");
    assert!(r.body["height"].is_null(), "nothing indexed yet");
    blocks(api.pool(), 12, 6).await;
    let r = api.get("/healthz").await;
    let b = r.ok();
    assert_eq!(b["height"], 12);
    let expected = chrono::Utc::now().timestamp() - (support::T0 + 11 * 6);
    assert!((b["lag_seconds"].as_i64().unwrap() - expected).abs() <= 5);
}

fn unreachable_database() -> AppState {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(Duration::from_millis(500))
        .connect_lazy("postgres://postgres@127.0.0.1:1/nowhere")
        .unwrap();
    AppState::new(pool)
}

#[tokio::test]
async fn a_database_that_does_not_answer_is_503_and_says_nothing_of_why() {
    let app = router(unreachable_database());
    for uri in [
        "/healthz",
        "/proposals",
        "/proposals/1",
        "/releases",
        "/anchors",
        "/proposals?limit=0",
    ] {
        let r = send(&app, "GET", uri, Some("fog_sometoken")).await;
        r.assert_problem(503);
        for leak in ["127.0.0.1", "refused", "nowhere", "sqlx", "pool"] {
            assert!(!r.text.to_lowercase().contains(leak), "{uri} leaks {leak}: {}", r.text);
        }
    }
}

#[tokio::test]
async fn a_database_failure_after_authentication_is_500_and_says_nothing_of_why() {
    let api = Api::new().await;
    sqlx::query("DROP VIEW locks").execute(api.pool()).await.unwrap();
    let r = api.get(&format!("/accounts/{}", addr(1))).await;
    assert!(r.status.is_server_error(), "{}", r.text);
    assert_eq!(r.content_type, "application/problem+json");
    for leak in ["locks", "relation", "sqlx", "does not exist"] {
        assert!(!r.text.to_lowercase().contains(leak), "leaks {leak}: {}", r.text);
    }
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let api = Api::new().await;
    let r = api.get("/metrics").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.is_empty(), "no recorder, no metrics");

    let handle = metrics_exporter_prometheus::PrometheusBuilder::new()
        .install_recorder()
        .expect("the only recorder of this test binary");
    let mut state = AppState::new(api.pool().clone());
    state.metrics = Some(handle);
    let app = router(state);
    let t = Some(api.auditor.as_str());
    send(&app, "GET", "/proposals/77", t).await.assert_problem(404);
    send(&app, "GET", "/proposals?limit=0", t).await.assert_bad("limit");
    send(&app, "GET", "/no/such/route", t).await.assert_problem(404);
    let r = send(&app, "GET", "/metrics", t).await;
    assert!(r.content_type.starts_with("text/plain"));
    let text = r.text;
    for needle in [
        "http_requests_total{route=\"/proposals/{id}\",status=\"404\"} 1",
        "http_requests_total{route=\"/proposals\",status=\"400\"} 1",
        "http_requests_total{route=\"unmatched\",status=\"404\"} 1",
        "http_request_duration_seconds",
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
}
