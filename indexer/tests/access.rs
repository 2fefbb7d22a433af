//! The access matrix: every route of the policy x every role, and without a
//! token, with a malformed, an unknown, an expired and a revoked one, each
//! with the expected status; every method a route lacks is a 405 (so no
//! handler hides outside the policy); rate limits per token.

#[path = "common/api_support.rs"]
mod support;

use std::num::NonZeroU32;

use fog_indexer::access::policy::POLICY;
use fog_indexer::access::{tokens, Limiter, RateLimit, Role};
use fog_indexer::api::{router, AppState};
use support::{addr, send, Api};

/// A concrete URI for a route template.
fn uri(route: &str) -> String {
    // A token id nobody holds: revoking token 1 would lock the test out.
    let route = route.replace("/staff/tokens/{id}", "/staff/tokens/999999");
    route
        .replace("{id}", "1")
        .replace("{address}", &addr(1))
        .replace("{sha256}", &"0".repeat(64))
        .replace("{record_hash}", &"0".repeat(64))
        .replace("{seq}", "0")
        .replace("{version}", "1")
}

const ROLES: [Role; 3] = [Role::Auditor, Role::ComplianceOfficer, Role::Admin];

#[tokio::test]
async fn every_route_by_every_role_and_every_kind_of_bad_token() {
    let api = Api::new().await;
    let pool = api.pool();
    support::blocks(pool, 3, 6).await;
    sqlx::query(
        "INSERT INTO ingest_state (id, chain_id, height, block_hash, protocol) VALUES (1, 't', 3, 'hash3', 'x')",
    )
    .execute(pool)
    .await
    .unwrap();
    let expired = tokens::issue(pool, "late", Role::Admin, 1, "test").await.unwrap();
    sqlx::query("UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1")
        .bind(expired.info.id)
        .execute(pool)
        .await
        .unwrap();
    let revoked = tokens::issue(pool, "gone", Role::Admin, 1, "test").await.unwrap();
    tokens::revoke(pool, revoked.info.id, "test").await.unwrap();
    let unknown = format!("fog_{}", "A".repeat(43));
    let token_of = |role: Role| match role {
        Role::Auditor => api.auditor.clone(),
        Role::ComplianceOfficer => api.officer.clone(),
        Role::Admin => api.admin.clone(),
    };

    let mut checked = 0;
    for (method, route, allowed) in POLICY {
        let u = uri(route);
        let app = &api.app;
        for (what, token) in [
            ("no token", None),
            ("malformed", Some("not-a-token")),
            ("unknown", Some(unknown.as_str())),
            ("expired", Some(expired.token.as_str())),
            ("revoked", Some(revoked.token.as_str())),
        ] {
            let r = send(app, method, &u, token).await;
            assert_eq!(r.status.as_u16(), 401, "{method} {route} with {what}: {}", r.text);
            assert_eq!(r.content_type, "application/problem+json", "{method} {route}");
            checked += 1;
        }
        for role in ROLES {
            let r = api.call(&token_of(role), method, &u, None).await;
            let status = r.status.as_u16();
            if allowed.contains(&role) {
                assert!(
                    ![401, 403, 405].contains(&status) && status < 500,
                    "{method} {route} as {role}: {status} {}",
                    r.text
                );
            } else {
                assert_eq!(status, 403, "{method} {route} as {role}: {}", r.text);
                assert!(r.text.contains(role.as_str()), "{}", r.text);
            }
            checked += 1;
        }
    }
    assert!(checked >= POLICY.len() * 8);
}

#[tokio::test]
async fn every_method_missing_from_the_policy_is_405() {
    let api = Api::new().await;
    let mut state = AppState::new(api.pool().clone());
    state.limiter = Limiter::new(RateLimit {
        per_second: NonZeroU32::new(10_000).unwrap(),
        burst: NonZeroU32::new(10_000).unwrap(),
        ..RateLimit::default()
    });
    let app = router(state);
    let mut head_refused = 0;
    for (_, route, _) in POLICY {
        for method in ["GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS"] {
            // HEAD runs the GET handler, so it is allowed (and checked) as GET.
            let as_policy = if method == "HEAD" { "GET" } else { method };
            if POLICY.iter().any(|(m, r, _)| *m == as_policy && r == route) {
                continue;
            }
            for token in [&api.admin, &api.auditor] {
                let r = send(&app, method, &uri(route), Some(token)).await;
                assert_eq!(r.status.as_u16(), 405, "{method} {route}: {}", r.text);
                assert_eq!(r.content_type, "application/problem+json", "{method} {route}");
            }
        }
        // HEAD on a GET route: refused exactly as the GET is.
        let Some((_, _, allowed)) = POLICY.iter().find(|(m, r, _)| *m == "GET" && r == route) else {
            continue;
        };
        let u = uri(route);
        let r = send(&app, "HEAD", &u, None).await;
        assert_eq!(r.status.as_u16(), 401, "HEAD {route} without a token");
        for (role, token) in [
            (Role::Auditor, &api.auditor),
            (Role::ComplianceOfficer, &api.officer),
            (Role::Admin, &api.admin),
        ] {
            let r = send(&app, "HEAD", &u, Some(token)).await;
            let status = r.status.as_u16();
            if allowed.contains(&role) {
                assert!(![401, 403, 405].contains(&status), "HEAD {route} as {role}: {status}");
            } else {
                assert_eq!(status, 403, "HEAD {route} as {role}: {}", r.text);
                head_refused += 1;
            }
        }
    }
    // The policy has role-protected GET routes (KYC, staff tokens), so the
    // refusals above did run.
    assert!(head_refused >= 3, "{head_refused}");
}

#[tokio::test]
async fn each_token_has_its_own_rate_limit() {
    let api = Api::new().await;
    let mut state = AppState::new(api.pool().clone());
    state.limiter = Limiter::new(RateLimit {
        per_second: NonZeroU32::new(1).unwrap(),
        burst: NonZeroU32::new(3).unwrap(),
        ..RateLimit::default()
    });
    let app = router(state);
    for _ in 0..3 {
        send(&app, "GET", "/anchors", Some(&api.auditor)).await.ok();
    }
    let r = send(&app, "GET", "/anchors", Some(&api.auditor)).await;
    r.assert_problem(429);
    let wait: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&wait), "{wait}");
    // Another token is not slowed down by the first one's burst.
    send(&app, "GET", "/anchors", Some(&api.officer)).await.ok();
}

/// Made-up tokens cost a database lookup each, so lookups that refuse are
/// limited per client and, over the budget, refused before the database; a
/// refused token is remembered like an accepted one, and valid tokens are
/// never counted.
#[tokio::test]
async fn made_up_tokens_are_limited_before_the_database() {
    let api = Api::new().await;
    let mut state = AppState::new(api.pool().clone());
    state.limiter = Limiter::new(RateLimit {
        refusals_per_second: NonZeroU32::new(1).unwrap(),
        ..RateLimit::default()
    });
    let app = router(state);
    // A valid token is looked up (not counted) and cached.
    send(&app, "GET", "/anchors", Some(&api.auditor)).await.ok();
    let made_up = |i: usize| format!("fog_{i:0>43}");
    // A burst of five seconds' worth is answered from the database (401);
    // then the client is refused before it (429). Counted by loop, so a
    // second of slow CI that refills one lookup cannot fail the test.
    let mut answered = 0;
    let refused = loop {
        let r = send(&app, "GET", "/anchors", Some(&made_up(answered))).await;
        if r.status.as_u16() == 429 {
            break r;
        }
        assert_eq!(r.status.as_u16(), 401, "{}", r.text);
        answered += 1;
        assert!(answered <= 10, "no 429 after {answered} made-up tokens");
    };
    assert!(answered >= 5, "the burst is five lookups: {answered}");
    assert!(refused.headers.contains_key("retry-after"));
    assert!(refused.content_type.starts_with("application/problem+json"));
    // A token already refused is answered from the cache: still 401.
    let r = send(&app, "GET", "/anchors", Some(&made_up(0))).await;
    assert_eq!(r.status.as_u16(), 401, "{}", r.text);
    // The valid token, cached, goes on working.
    send(&app, "GET", "/anchors", Some(&api.auditor)).await.ok();
}

#[tokio::test]
async fn no_internal_detail_and_no_cors_by_default() {
    let api = Api::new().await;
    let r = api.call(&api.auditor, "GET", "/proposals/1", None).await;
    r.assert_problem(404);
    let req = axum::http::Request::builder()
        .method("OPTIONS")
        .uri("/proposals")
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "GET")
        .body(axum::body::Body::empty())
        .unwrap();
    let resp = tower::ServiceExt::oneshot(api.app.clone(), req).await.unwrap();
    assert!(
        resp.headers().get("access-control-allow-origin").is_none(),
        "CORS is closed by default"
    );
}

#[tokio::test]
async fn a_token_revoked_through_the_api_is_refused_at_once() {
    let api = Api::new().await;
    let issued = api
        .call(
            &api.admin,
            "POST",
            "/staff/tokens",
            Some(&serde_json::json!({"name": "temp", "role": "auditor"})),
        )
        .await;
    assert_eq!(issued.status.as_u16(), 201, "{}", issued.text);
    let token = issued.body["token"].as_str().unwrap().to_string();
    let id = issued.body["id"].as_i64().unwrap();
    // Used (and so remembered by the server) ...
    api.call(&token, "GET", "/anchors", None).await.ok();
    api.call(&token, "GET", "/anchors", None).await.ok();
    // ... then revoked: the next request is refused, not served from memory.
    api.call(&api.admin, "DELETE", &format!("/staff/tokens/{id}"), None)
        .await
        .ok();
    api.call(&token, "GET", "/anchors", None).await.assert_problem(401);
}
