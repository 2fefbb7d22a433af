//! The two middlewares every request passes: `authenticate` (a valid
//! bearer token, then the token's rate limit) on everything, including
//! unknown routes, so nothing is learned without a token; `authorize` (the
//! token's role against [`super::policy`]) on matched routes.

use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::policy;
use super::tokens::{self, Caller, Rejected};
use crate::api::{ApiError, AppState};

/// Requests per second and burst allowed to one token.
#[derive(Debug, Clone, Copy)]
pub struct RateLimit {
    pub per_second: NonZeroU32,
    pub burst: NonZeroU32,
}

impl Default for RateLimit {
    fn default() -> Self {
        Self {
            per_second: NonZeroU32::new(50).expect("non-zero"),
            burst: NonZeroU32::new(100).expect("non-zero"),
        }
    }
}

/// Per-token rate limiter shared by every request.
#[derive(Clone)]
pub struct Limiter(Arc<DefaultKeyedRateLimiter<i64>>);

impl Limiter {
    pub fn new(limit: RateLimit) -> Self {
        Self(Arc::new(RateLimiter::keyed(
            Quota::per_second(limit.per_second).allow_burst(limit.burst),
        )))
    }

    /// Seconds to wait when the token is over its rate, `None` if not.
    fn retry_after(&self, token_id: i64) -> Option<u64> {
        self.0
            .check_key(&token_id)
            .err()
            .map(|not_until| not_until.wait_time_from(DefaultClock::default().now()).as_secs().max(1))
    }
}

fn bearer(req: &Request) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

pub async fn authenticate(State(s): State<AppState>, mut req: Request, next: Next) -> Response {
    let Some(token) = bearer(&req) else {
        return ApiError::Unauthorized("this API needs a bearer token (Authorization: Bearer fog_...)".into())
            .into_response();
    };
    let digest = tokens::digest(token);
    let looked_up = match s.tokens.get(&digest) {
        Some(caller) => Ok(Ok(caller)),
        None => tokens::authenticate_digest(&s.pool, &digest).await.map(|r| {
            r.map(|(caller, expires_at)| {
                s.tokens.put(digest, caller.clone(), expires_at);
                caller
            })
        }),
    };
    let caller = match looked_up {
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "checking a token failed");
            return ApiError::Unavailable("credentials cannot be checked right now; retry later".into())
                .into_response();
        }
        Ok(Err(why)) => {
            let detail = match why {
                Rejected::Unknown => "the bearer token is not valid",
                Rejected::Expired => "the bearer token has expired; ask an admin for a new one",
                Rejected::Revoked => "the bearer token was revoked",
            };
            return ApiError::Unauthorized(detail.into()).into_response();
        }
        Ok(Ok(caller)) => caller,
    };
    if let Some(seconds) = s.limiter.retry_after(caller.token_id) {
        return ApiError::TooManyRequests(seconds).into_response();
    }
    req.extensions_mut().insert(caller);
    next.run(req).await
}

pub async fn authorize(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_string());
    let Some(caller) = req.extensions().get::<Caller>() else {
        return ApiError::Unauthorized("this API needs a bearer token".into()).into_response();
    };
    // The router answers HEAD with the GET handler, so HEAD is checked as
    // the GET it runs.
    let method = if req.method() == Method::HEAD {
        Method::GET
    } else {
        req.method().clone()
    };
    let allowed = route.as_deref().and_then(|r| policy::allowed(&method, r));
    match allowed {
        Some(roles) if roles.contains(&caller.role) => next.run(req).await,
        // A method the route does not have (OPTIONS, PUT, ...): 405 here,
        // never passed on, so no handler runs outside the policy.
        None if route.as_deref().is_some_and(policy::known_route) => ApiError::MethodNotAllowed.into_response(),
        _ => ApiError::Forbidden(format!(
            "the role {} may not {} {}",
            caller.role,
            req.method(),
            route.unwrap_or_default()
        ))
        .into_response(),
    }
}

/// The authenticated caller, for handlers that record who acted.
pub struct Staff(pub Caller);

impl<S: Send + Sync> FromRequestParts<S> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .map(Staff)
            .ok_or_else(|| ApiError::Unauthorized("this API needs a bearer token".into()))
    }
}
