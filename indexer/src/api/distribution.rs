//! `GET /governance/power-distribution`: how concentrated voting power is at
//! a height, over what each address carries (own undelegated power plus what
//! is delegated to it).

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use super::head;
use super::params::{FromParams, Params, Query};
use super::problem::{ApiError, Problem};
use super::AppState;
use crate::power::{gini, nakamoto, top_share, PowerSnapshot};

/// The Nakamoto coefficient counts holders that together exceed this share.
pub const NAKAMOTO_SHARE: f64 = 0.5;
pub const DEFAULT_TOP: u64 = 10;
pub const MAX_TOP: u64 = 1000;

#[derive(Debug, Serialize, ToSchema)]
pub struct Holder {
    pub address: String,
    /// Power it carries (decimal string).
    pub power: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PowerDistribution {
    pub height: u64,
    /// Block time, Unix seconds.
    pub time: u64,
    /// Addresses carrying power.
    pub holders: u64,
    /// Power they carry together (decimal string).
    pub total: String,
    /// Gini coefficient over the addresses that carry power (0: all carry
    /// the same; towards 1 as one carries nearly all). One holder alone is
    /// 0: no inequality among holders; `nakamoto` is then 1.
    pub gini: f64,
    /// Fewest holders that together carry more than half the power.
    pub nakamoto: u64,
    /// N of `top_share`.
    pub top: u64,
    /// Share of the total carried by the `top` largest holders (0 to 1).
    pub top_share: f64,
    /// The `top` largest holders, largest first.
    pub top_holders: Vec<Holder>,
}

/// Parameters of `GET /governance/power-distribution`.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DistributionQuery {
    /// Height, at most the indexed head (default: the head).
    pub height: Option<u64>,
    /// N of the top-N share, 1 to 1000 (default 10).
    #[param(minimum = 1, maximum = 1000)]
    pub top: Option<u64>,
}

impl FromParams for DistributionQuery {
    fn from_params(p: &Params) -> Result<Self, ApiError> {
        Ok(Self {
            height: p.u64("height")?,
            top: p.bounded("top", 1, MAX_TOP)?,
        })
    }
}

#[utoipa::path(
    get,
    path = "/governance/power-distribution",
    tag = "governance",
    params(DistributionQuery),
    responses(
        (status = 200, description = "Concentration of voting power", body = PowerDistribution),
        (status = 400, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Nothing indexed yet", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    Query(q): Query<DistributionQuery>,
) -> Result<Json<PowerDistribution>, ApiError> {
    let at = head::resolve(&state.pool, q.height).await?;
    let snap = PowerSnapshot::load(&state.pool, at.height, at.time).await?;
    let top = q.top.unwrap_or(DEFAULT_TOP);
    let mut carried: Vec<(String, u128)> = snap.carried().into_iter().collect();
    let values: Vec<u128> = carried.iter().map(|(_, v)| *v).collect();
    carried.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(Json(PowerDistribution {
        height: at.height,
        time: at.time,
        holders: values.len() as u64,
        total: values.iter().sum::<u128>().to_string(),
        gini: gini(&values),
        nakamoto: nakamoto(&values, NAKAMOTO_SHARE) as u64,
        top,
        top_share: top_share(&values, top as usize),
        top_holders: carried
            .into_iter()
            .take(top as usize)
            .map(|(address, p)| Holder {
                address,
                power: p.to_string(),
            })
            .collect(),
    }))
}
