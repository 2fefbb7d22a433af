//! The two middlewares every request passes: `authenticate` (a valid
//! bearer token, then the token's rate limit) on everything, including
//! unknown routes, so nothing is learned without a token; `authorize` (the
//! token's role against [`super::policy`]) on matched routes.
//!
//! A token the cache does not know costs a database lookup. Lookups that
//! refuse the token are counted per client (its IPv4 address, or its IPv6
//! /64, which one host can rotate within); a client over its budget gets
//! 429 before any lookup until the budget refills, so a flood of made-up
//! tokens costs the database a bounded rate, while lookups of valid tokens
//! are never counted (with the cache off, every request is one). Clients
//! behind one proxy share a budget: a flood through it delays the proxy's
//! other clients' lookups (not their cached tokens).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::policy;
use super::tokens::{self, Caller, Rejected};
use crate::api::{ApiError, AppState};

/// Requests per second and burst allowed to one token; refused token
/// lookups per second allowed to one client (burst: five seconds' worth).
#[derive(Debug, Clone, Copy)]
pub struct RateLimit {
    pub per_second: NonZeroU32,
    pub burst: NonZeroU32,
    pub refusals_per_second: NonZeroU32,
}

impl Default for RateLimit {
    fn default() -> Self {
        Self {
            per_second: NonZeroU32::new(50).expect("non-zero"),
            burst: NonZeroU32::new(100).expect("non-zero"),
            refusals_per_second: NonZeroU32::new(20).expect("non-zero"),
        }
    }
}

/// Clients tracked at most before the idle ones are dropped (an attacker
/// with many addresses cannot grow the maps without bound).
const MAX_TRACKED_CLIENTS: usize = 100_000;

/// Who a lookup budget belongs to: an IPv4 address, an IPv6 /64, or `None`
/// where the server was not given the peer's address (a router called in
/// process, as the tests do).
type Client = Option<IpAddr>;

fn client_of(peer: Option<IpAddr>) -> Client {
    peer.map(|ip| match ip {
        IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => {
            IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1)))
        }
        IpAddr::V6(v6) => IpAddr::V4(v6.to_ipv4_mapped().expect("mapped")),
        v4 => v4,
    })
}

/// Per-token request limits and per-client refusal limits, shared by every
/// request.
#[derive(Clone)]
pub struct Limiter {
    requests: Arc<DefaultKeyedRateLimiter<i64>>,
    refusals: Arc<DefaultKeyedRateLimiter<Client>>,
    /// Clients over their refusal budget, and until when.
    blocked: Arc<Mutex<HashMap<Client, Instant>>>,
    /// Lookups in flight per client: refusals are only counted once they
    /// return, so without this cap a client's concurrent burst would reach
    /// the database whole before the first was counted.
    in_flight: Arc<Mutex<HashMap<Client, usize>>>,
}

/// Uncached token lookups one client may have in flight at once.
const MAX_LOOKUPS_IN_FLIGHT: usize = 4;

/// A lookup counted in flight until dropped.
pub struct InFlight {
    limiter: Limiter,
    client: Client,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut in_flight = self.limiter.in_flight.lock().expect("limiter lock");
        if let Some(n) = in_flight.get_mut(&self.client) {
            *n -= 1;
            if *n == 0 {
                in_flight.remove(&self.client);
            }
        }
    }
}

fn wait_of(not_until: governor::NotUntil<governor::clock::QuantaInstant>) -> Duration {
    not_until.wait_time_from(DefaultClock::default().now())
}

fn whole_seconds(wait: Duration) -> u64 {
    wait.as_secs_f64().ceil().max(1.0) as u64
}

impl Limiter {
    pub fn new(limit: RateLimit) -> Self {
        let refusal_burst = limit
            .refusals_per_second
            .saturating_mul(NonZeroU32::new(5).expect("non-zero"));
        Self {
            requests: Arc::new(RateLimiter::keyed(
                Quota::per_second(limit.per_second).allow_burst(limit.burst),
            )),
            refusals: Arc::new(RateLimiter::keyed(
                Quota::per_second(limit.refusals_per_second).allow_burst(refusal_burst),
            )),
            blocked: Arc::default(),
            in_flight: Arc::default(),
        }
    }

    /// Seconds to wait when the token is over its rate, `None` if not.
    fn retry_after(&self, token_id: i64) -> Option<u64> {
        self.requests
            .check_key(&token_id)
            .err()
            .map(|n| whole_seconds(wait_of(n)))
    }

    /// A lookup for `client` if it may have one now (held until it
    /// returns), or the seconds to wait: while it is over its refusal
    /// budget, or has [`MAX_LOOKUPS_IN_FLIGHT`] lookups running.
    fn start_lookup(&self, client: Client) -> Result<InFlight, u64> {
        {
            let mut blocked = self.blocked.lock().expect("limiter lock");
            if let Some(until) = blocked.get(&client).copied() {
                match until.checked_duration_since(Instant::now()) {
                    Some(wait) if !wait.is_zero() => return Err(whole_seconds(wait)),
                    _ => {
                        blocked.remove(&client);
                    }
                }
            }
        }
        let mut in_flight = self.in_flight.lock().expect("limiter lock");
        let n = in_flight.entry(client).or_insert(0);
        if *n >= MAX_LOOKUPS_IN_FLIGHT {
            return Err(1);
        }
        *n += 1;
        Ok(InFlight {
            limiter: self.clone(),
            client,
        })
    }

    /// Counts a lookup that refused `client`'s token; over the budget, the
    /// client is blocked until it refills.
    fn refused(&self, client: Client) {
        if self.refusals.len() > MAX_TRACKED_CLIENTS {
            self.refusals.retain_recent();
        }
        let Err(not_until) = self.refusals.check_key(&client) else {
            return;
        };
        let until = Instant::now() + wait_of(not_until);
        let mut blocked = self.blocked.lock().expect("limiter lock");
        if blocked.len() >= MAX_TRACKED_CLIENTS {
            let now = Instant::now();
            blocked.retain(|_, t| *t > now);
        }
        blocked.insert(client, until);
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
        Some(answer) => Ok(answer),
        None => {
            let client = client_of(req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()));
            let _lookup = match s.limiter.start_lookup(client) {
                Ok(lookup) => lookup,
                Err(seconds) => return ApiError::TooManyRequests(seconds).into_response(),
            };
            tokens::authenticate_digest(&s.pool, &digest).await.map(|r| match r {
                Ok((caller, expires_at)) => {
                    s.tokens.put(digest, caller.clone(), expires_at);
                    Ok(caller)
                }
                Err(why) => {
                    s.tokens.put_rejected(digest, why);
                    s.limiter.refused(client);
                    Err(why)
                }
            })
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_client_is_its_64_and_a_mapped_ipv4_its_address() {
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        assert_eq!(client_of(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
        assert_eq!(client_of(ip("2001:db8:1:2:ffff:1:2:3")), ip("2001:db8:1:2::"));
        assert_ne!(client_of(ip("2001:db8:1:3::1")), ip("2001:db8:1:2::"));
        assert_eq!(client_of(ip("::ffff:192.0.2.7")), ip("192.0.2.7"));
        assert_eq!(client_of(ip("192.0.2.7")), ip("192.0.2.7"));
        assert_eq!(client_of(None), None);
    }

    #[test]
    fn a_client_has_a_few_lookups_in_flight_at_most() {
        let limiter = Limiter::new(RateLimit::default());
        let a = client_of(Some("192.0.2.1".parse().unwrap()));
        let b = client_of(Some("192.0.2.2".parse().unwrap()));
        let mut running: Vec<InFlight> = (0..MAX_LOOKUPS_IN_FLIGHT)
            .map(|_| limiter.start_lookup(a).expect("under the cap"))
            .collect();
        assert_eq!(limiter.start_lookup(a).err(), Some(1), "the cap");
        assert!(limiter.start_lookup(b).is_ok(), "another client is not held up");
        running.pop();
        assert!(limiter.start_lookup(a).is_ok(), "a finished lookup frees its place");
        drop(running);
        assert!(
            limiter.in_flight.lock().unwrap().get(&a).is_none(),
            "nothing left counted"
        );
    }
}
