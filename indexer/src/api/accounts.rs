//! `GET /accounts/{address}`: an address's voting power (now and at a past
//! height), lock, tier, delegation and participation.

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use sqlx::Row;
use utoipa::{IntoParams, ToSchema};

use super::head::{self, At};
use super::params::{address, FromParams, Params, PathParam, Query};
use super::participation::{participation, Participation};
use super::problem::{ApiError, Problem};
use super::AppState;
use crate::power::PowerSnapshot;

/// Power of the address at one block (decimal strings).
#[derive(Debug, Serialize, ToSchema)]
pub struct Power {
    pub height: u64,
    /// Block time, Unix seconds.
    pub time: u64,
    /// Its own lock's power.
    pub own: String,
    /// Power delegated to it.
    pub received: String,
    /// What a ballot of it carries: received, plus own unless it delegates.
    pub voting: String,
}

impl Power {
    fn of(s: &PowerSnapshot, address: &str) -> Self {
        Self {
            height: s.height,
            time: s.time,
            own: s.own(address).to_string(),
            received: s.received(address).to_string(),
            voting: s.voting(address).to_string(),
        }
    }
}

/// The address's veFOG lock (amount 0: withdrawn).
#[derive(Debug, Serialize, ToSchema)]
pub struct Lock {
    /// FOG locked (decimal string).
    pub amount: String,
    /// Unix seconds.
    pub start_time: u64,
    /// Unix seconds.
    pub end_time: u64,
    pub updated_height: u64,
}

/// The reward tier of the lock.
#[derive(Debug, Serialize, ToSchema)]
pub struct Tier {
    /// Index in veFOG's tiers, lowest first.
    pub index: u16,
    /// Its name in veFOG's configuration, if indexed.
    pub name: Option<String>,
    pub apy_bps: u32,
}

/// An address delegating to this one.
#[derive(Debug, Serialize, ToSchema)]
pub struct Delegator {
    pub address: String,
    /// Its own power, carried by this address (decimal string).
    pub power: String,
}

/// Delegation as of the requested height.
#[derive(Debug, Serialize, ToSchema)]
pub struct Delegation {
    /// The delegate this address gives its power to.
    pub delegate: Option<String>,
    /// Whether it is registered as a delegate and active **now**, whatever
    /// `height` asks (the projection keeps no history of registrations);
    /// the other fields are as of `height`.
    pub registered_delegate: bool,
    /// Who delegates to it.
    pub delegators: Vec<Delegator>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Account {
    pub address: String,
    /// At the latest indexed block.
    pub power_now: Power,
    /// At `?height=` (the latest indexed block without it).
    pub power_at: Power,
    /// Current lock, if it ever locked.
    pub lock: Option<Lock>,
    /// Current tier; absent without a lock or after withdrawal.
    pub tier: Option<Tier>,
    pub delegation: Delegation,
    pub participation: Participation,
}

/// Parameters of `GET /accounts/{address}`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountQuery {
    /// Height for `power_at` and `delegation`, at most the indexed head (default: the head).
    pub height: Option<u64>,
}

impl FromParams for AccountQuery {
    fn from_params(p: &Params) -> Result<Self, ApiError> {
        Ok(Self {
            height: p.u64("height")?,
        })
    }
}

#[utoipa::path(
    get,
    path = "/accounts/{address}",
    tag = "accounts",
    params(("address" = String, Path, description = "Bech32 address"), AccountQuery),
    responses(
        (status = 200, description = "The account", body = Account),
        (status = 400, description = "A bad address or height", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Nothing indexed yet", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_one(
    State(state): State<AppState>,
    PathParam(raw): PathParam,
    Query(q): Query<AccountQuery>,
) -> Result<Json<Account>, ApiError> {
    let addr = address("address", &raw)?;
    let pool = &state.pool;
    let now = head::resolve(pool, None).await?;
    let at = head::resolve(pool, q.height).await?;
    let load = |b: At| PowerSnapshot::load(pool, b.height, b.time);
    let snap_at = load(at).await?;
    let snap_now = if at == now { snap_at.clone() } else { load(now).await? };

    let lock = sqlx::query(
        "SELECT l.amount::text, l.start_time, l.end_time, l.tier, l.apy_bps, l.updated_height,
                (SELECT c.tiers -> l.tier::int ->> 'name' FROM ve_config c WHERE c.id = 1)
         FROM locks l WHERE l.owner = $1",
    )
    .bind(&addr)
    .fetch_optional(pool)
    .await?;
    let (lock, tier) = match lock {
        None => (None, None),
        Some(r) => {
            let amount: String = r.get(0);
            let tier = (amount != "0").then(|| Tier {
                index: r.get::<i16, _>(3).max(0) as u16,
                name: r.get(6),
                apy_bps: r.get::<i32, _>(4).max(0) as u32,
            });
            let lock = Lock {
                amount,
                start_time: r.get::<i64, _>(1).max(0) as u64,
                end_time: r.get::<i64, _>(2).max(0) as u64,
                updated_height: r.get::<i64, _>(5).max(0) as u64,
            };
            (Some(lock), tier)
        }
    };

    let registered_delegate = sqlx::query_scalar::<_, bool>("SELECT active FROM delegates WHERE address = $1")
        .bind(&addr)
        .fetch_optional(pool)
        .await?
        .unwrap_or(false);
    let delegation = Delegation {
        delegate: snap_at.delegate_of.get(&addr).cloned(),
        registered_delegate,
        delegators: snap_at
            .delegate_of
            .iter()
            .filter(|(_, d)| **d == addr)
            .map(|(who, _)| Delegator {
                address: who.clone(),
                power: snap_at.own(who).to_string(),
            })
            .collect(),
    };

    Ok(Json(Account {
        power_now: Power::of(&snap_now, &addr),
        power_at: Power::of(&snap_at, &addr),
        lock,
        tier,
        delegation,
        participation: participation(pool, &addr).await?,
        address: addr,
    }))
}
