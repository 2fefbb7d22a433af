//! Shared by the `api*` tests: a fresh database behind the router, requests
//! through `oneshot`, and projection rows written directly with SQL.
//! Included with `#[path = "common/api_support.rs"] mod support;`.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use fog_indexer::access::{tokens, Role};
use fog_indexer::api::{router, AppState};
use fog_indexer::testing::TestDb;
use serde_json::Value;
use sqlx::PgPool;
use tower::ServiceExt;

/// Seconds in the longest lock: a lock of `k * MAX_LOCK` base units has
/// power `k * (end - t)` at time `t`, which keeps expected figures simple.
pub const MAX_LOCK: u128 = 208 * 604_800;
/// Time of block 1 in the tests' chains.
pub const T0: i64 = 1_700_000_000;

pub struct Api {
    pub db: TestDb,
    pub app: Router,
    /// Tokens by role: auditor, officer (two people), admin (two people).
    pub auditor: String,
    pub officer: String,
    pub officer2: String,
    pub admin: String,
    pub admin2: String,
}

pub struct Reply {
    pub status: StatusCode,
    pub content_type: String,
    pub body: Value,
    pub text: String,
    pub headers: axum::http::HeaderMap,
}

impl Reply {
    /// Asserts a problem+json naming `parameter`.
    pub fn assert_bad(&self, parameter: &str) {
        assert_eq!(self.status, StatusCode::BAD_REQUEST, "{}", self.text);
        assert_eq!(self.content_type, "application/problem+json", "{}", self.text);
        assert_eq!(self.body["status"], 400);
        assert_eq!(self.body["parameter"], parameter, "{}", self.text);
        assert!(self.body["type"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(self.body["title"].is_string() && self.body["detail"].is_string());
    }

    pub fn assert_problem(&self, status: u16) {
        assert_eq!(self.status.as_u16(), status, "{}", self.text);
        assert_eq!(self.content_type, "application/problem+json", "{}", self.text);
        assert_eq!(self.body["status"], status);
    }

    pub fn ok(&self) -> &Value {
        assert_eq!(self.status, StatusCode::OK, "{}", self.text);
        &self.body
    }
}

impl Api {
    pub async fn new() -> Self {
        let db = TestDb::new().await.expect("test database");
        let mut state = AppState::new(db.store.pool.clone());
        state.vault = Some(std::sync::Arc::new(fog_indexer::kyc::Vault::from_key(rand::random())));
        let app = router(state);
        let pool = db.store.pool.clone();
        let token = |name: &'static str, role: Role| {
            let pool = pool.clone();
            async move {
                tokens::issue(&pool, name, role, 1, "test")
                    .await
                    .expect("a token")
                    .token
            }
        };
        Self {
            auditor: token("auditor.one", Role::Auditor).await,
            officer: token("officer.one", Role::ComplianceOfficer).await,
            officer2: token("officer.two", Role::ComplianceOfficer).await,
            admin: token("admin.one", Role::Admin).await,
            admin2: token("admin.two", Role::Admin).await,
            db,
            app,
        }
    }

    /// A request as the holder of `token`, with an optional JSON body.
    pub async fn call(&self, token: &str, method: &str, uri: &str, body: Option<&Value>) -> Reply {
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", format!("Bearer {token}"));
        let body = match body {
            Some(b) => {
                req = req.header("content-type", "application/json");
                Body::from(serde_json::to_vec(b).unwrap())
            }
            None => Body::empty(),
        };
        reply(&self.app, req.body(body).unwrap()).await
    }

    pub fn pool(&self) -> &PgPool {
        &self.db.store.pool
    }

    /// A GET as an auditor.
    pub async fn get(&self, uri: &str) -> Reply {
        self.call(&self.auditor, "GET", uri, None).await
    }

    /// Follows `next_cursor` from `uri` (which must have a query string)
    /// and returns the items of `key` of every page.
    pub async fn walk(&self, uri: &str, key: &str) -> (Vec<Value>, usize) {
        let (mut items, mut pages, mut cursor) = (Vec::new(), 0, None::<String>);
        loop {
            let u = match &cursor {
                None => uri.to_string(),
                Some(c) => format!("{uri}&cursor={c}"),
            };
            let r = self.get(&u).await;
            let body = r.ok();
            pages += 1;
            items.extend(body[key].as_array().expect(key).iter().cloned());
            match body["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => return (items, pages),
            }
            assert!(pages < 10_000, "pagination does not end");
        }
    }
}

/// A request without a token, or with `token`.
pub async fn send(app: &Router, method: &str, uri: &str, token: Option<&str>) -> Reply {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    reply(app, req.body(Body::empty()).unwrap()).await
}

/// A request with a body of `content_type`, as the holder of `token`.
pub async fn send_body(app: &Router, token: &str, method: &str, uri: &str, content_type: &str, body: Vec<u8>) -> Reply {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", content_type)
        .body(Body::from(body))
        .unwrap();
    reply(app, req).await
}

async fn reply(app: &Router, req: Request<Body>) -> Reply {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let content_type = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = axum::body::to_bytes(res.into_body(), 64 << 20).await.unwrap();
    let text = String::from_utf8_lossy(&bytes).to_string();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Reply {
        status,
        content_type,
        body,
        text,
        headers,
    }
}

/// A deterministic bech32-looking address.
pub fn addr(n: u32) -> String {
    const CS: &[u8] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    let mut s = String::from("inj1");
    let mut v = n;
    let mut tail = Vec::new();
    for _ in 0..8 {
        tail.push(CS[(v % 32) as usize] as char);
        v /= 32;
    }
    s.extend(std::iter::repeat_n('q', 30));
    s.extend(tail.iter().rev());
    s
}

/// Blocks `1..=to`, block `h` at `T0 + (h - 1) * step` seconds.
pub async fn blocks(pool: &PgPool, to: i64, step: i64) {
    sqlx::query(
        "INSERT INTO blocks (height, hash, time, app_hash, proposer, tx_count)
         SELECT g, 'hash' || g, to_timestamp($2 + (g - 1) * $3), '', '', 0 FROM generate_series(1, $1) g",
    )
    .bind(to)
    .bind(T0)
    .bind(step)
    .execute(pool)
    .await
    .unwrap();
}

/// A proposal row.
#[derive(Clone, Debug)]
pub struct P {
    pub id: i64,
    pub proposer: String,
    pub kind: &'static str,
    pub method: &'static str,
    pub options: Vec<&'static str>,
    pub start_height: i64,
    pub start_time: i64,
    pub end_time: i64,
    pub total: u128,
    pub quorum_bps: i32,
    pub threshold_bps: i32,
    pub status: &'static str,
    pub tally: Vec<u128>,
    pub turnout: u128,
    pub voters: i32,
}

impl P {
    pub fn yes_no(id: i64) -> Self {
        Self {
            id,
            proposer: addr(1),
            kind: "text",
            method: "yes_no",
            options: vec!["yes", "no", "abstain"],
            start_height: id * 10,
            start_time: T0 + id * 100,
            end_time: T0 + id * 100 + 1_000_000,
            total: 1000,
            quorum_bps: 2000,
            threshold_bps: 5000,
            status: "open",
            tally: vec![0, 0, 0],
            turnout: 0,
            voters: 0,
        }
    }

    pub async fn insert(&self, pool: &PgPool) {
        let strings = |v: &[u128]| Value::Array(v.iter().map(|x| Value::String(x.to_string())).collect());
        sqlx::query(
            "INSERT INTO proposals (id, proposer, kind, method, title, description, options, actions, start_height,
                 start_time, end_time, total_power, quorum_bps, threshold_bps, timelock, cap, deposit, status, tally,
                 turnout, voters, updated_height)
             VALUES ($1, $2, $3, $4, 'title ' || $1, 'description', $5, '[]', $6, $7, $8, $9::numeric, $10, $11, 3600,
                 NULL, 100, $12, $13, $14::numeric, $15, $6)",
        )
        .bind(self.id)
        .bind(&self.proposer)
        .bind(self.kind)
        .bind(self.method)
        .bind(serde_json::to_value(&self.options).unwrap())
        .bind(self.start_height)
        .bind(self.start_time)
        .bind(self.end_time)
        .bind(self.total.to_string())
        .bind(self.quorum_bps)
        .bind(self.threshold_bps)
        .bind(self.status)
        .bind(strings(&self.tally))
        .bind(self.turnout.to_string())
        .bind(self.voters)
        .execute(pool)
        .await
        .unwrap();
    }
}

pub async fn vote(pool: &PgPool, proposal: i64, voter: &str, choice: &[u8], power: u128, weight: u128) {
    sqlx::query(
        "INSERT INTO votes (proposal_id, voter, choice, power, weight, own, delegate, height, tx_hash)
         VALUES ($1, $2, $3, $4::numeric, $5::numeric, $4::numeric, NULL, 1, NULL)",
    )
    .bind(proposal)
    .bind(voter)
    .bind(serde_json::to_value(choice).unwrap())
    .bind(power.to_string())
    .bind(weight.to_string())
    .execute(pool)
    .await
    .unwrap();
}

/// A lock change at `height` (amount 0: withdrawn); `locks` is a view of it.
pub async fn lock(pool: &PgPool, owner: &str, height: i64, amount: u128, end: i64, tier: i16) {
    sqlx::query(
        "INSERT INTO lock_history (owner, height, seq, action, amount, end_time, start_time, tier, apy_bps)
         VALUES ($1, $2, 0, 'lock', $3::numeric, $4, 0, $5, 500)",
    )
    .bind(owner)
    .bind(height)
    .bind(amount.to_string())
    .bind(end)
    .bind(tier)
    .execute(pool)
    .await
    .unwrap();
}

pub async fn delegate(pool: &PgPool, delegator: &str, height: i64, to: Option<&str>) {
    sqlx::query("INSERT INTO delegation_history (delegator, height, seq, delegate) VALUES ($1, $2, 0, $3)")
        .bind(delegator)
        .bind(height)
        .bind(to)
        .execute(pool)
        .await
        .unwrap();
}

/// Waits until a session of the test database waits for a lock: the
/// request under test has blocked on a row of a transaction the test holds
/// open (how the tests stage two requests racing each other).
pub async fn until_a_session_waits_for_a_lock(pool: &PgPool) {
    for _ in 0..1000 {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        if waiting > 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("no session waited for the transaction held open");
}
