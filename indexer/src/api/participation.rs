//! How often an address voted when it could: a proposal counts as eligible
//! when its snapshot (the state after `start_height - 1`, at `start_time`)
//! gave the address power of its own or delegated to it.
//!
//! A [`PowerSnapshot`] per proposal, but built from the history of the few
//! addresses that matter (the address and whoever ever delegated to it),
//! read once, instead of every holder's lock 200 times.

use std::collections::{BTreeMap, HashSet};

use anyhow::Context;
use fog_ve::curve::{lock_bias, slope_of};
use serde::Serialize;
use sqlx::{PgPool, Row};
use utoipa::ToSchema;

use super::problem::ApiError;
use crate::power::PowerSnapshot;

/// Proposals looked at: the most recent ones.
pub const WINDOW: i64 = 200;

/// Voting record of an address.
#[derive(Debug, Serialize, ToSchema)]
pub struct Participation {
    /// Ballots the address cast, on any proposal.
    pub votes_cast: u64,
    /// Proposals looked at (the latest, at most 200).
    pub proposals_considered: u64,
    /// Of those, the ones whose snapshot gave the address power (own or received).
    pub eligible: u64,
    /// Of those, the ones it voted on.
    pub voted_when_eligible: u64,
    /// `voted_when_eligible / eligible`; absent when it was never eligible.
    pub score: Option<f64>,
}

/// A change of one address's lock or delegation: `(height, seq, value)`.
type History<T> = BTreeMap<String, Vec<(i64, i32, T)>>;

/// The last value at or below `height`.
fn at<T>(changes: &[(i64, i32, T)], height: i64) -> Option<&T> {
    changes.iter().rev().find(|(h, _, _)| *h <= height).map(|(_, _, v)| v)
}

fn snapshot(
    locks: &History<(u128, u64)>,
    delegations: &History<Option<String>>,
    height: u64,
    time: u64,
) -> PowerSnapshot {
    let h = height.min(i64::MAX as u64) as i64;
    PowerSnapshot {
        height,
        time,
        own_bias: locks
            .iter()
            .filter_map(|(owner, c)| {
                at(c, h).map(|(amount, end)| (owner.clone(), lock_bias(slope_of(*amount), *end, time)))
            })
            .collect(),
        delegate_of: delegations
            .iter()
            .filter_map(|(d, c)| at(c, h).cloned().flatten().map(|to| (d.clone(), to)))
            .collect(),
    }
}

pub async fn participation(pool: &PgPool, address: &str) -> Result<Participation, ApiError> {
    let votes_cast: i64 = sqlx::query_scalar("SELECT count(*) FROM votes WHERE voter = $1")
        .bind(address)
        .fetch_one(pool)
        .await?;
    let proposals = sqlx::query("SELECT id, start_height, start_time FROM proposals ORDER BY id DESC LIMIT $1")
        .bind(WINDOW)
        .fetch_all(pool)
        .await?;
    let ids: Vec<i64> = proposals.iter().map(|r| r.get(0)).collect();
    let voted: HashSet<i64> =
        sqlx::query_scalar::<_, i64>("SELECT proposal_id FROM votes WHERE voter = $1 AND proposal_id = ANY($2)")
            .bind(address)
            .bind(&ids)
            .fetch_all(pool)
            .await?
            .into_iter()
            .collect();

    let mut people: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT delegator FROM delegation_history WHERE delegate = $1")
            .bind(address)
            .fetch_all(pool)
            .await?;
    people.push(address.to_string());

    let mut locks: History<(u128, u64)> = BTreeMap::new();
    let rows = sqlx::query(
        "SELECT owner, height, seq, amount::text, end_time FROM lock_history WHERE owner = ANY($1)
         ORDER BY owner, height, seq",
    )
    .bind(&people)
    .fetch_all(pool)
    .await?;
    for r in rows {
        let amount: u128 = r.get::<String, _>(3).parse().context("lock amount")?;
        let end = r.get::<i64, _>(4).max(0) as u64;
        locks
            .entry(r.get(0))
            .or_default()
            .push((r.get(1), r.get(2), (amount, end)));
    }
    let mut delegations: History<Option<String>> = BTreeMap::new();
    let rows = sqlx::query(
        "SELECT delegator, height, seq, delegate FROM delegation_history WHERE delegator = ANY($1)
         ORDER BY delegator, height, seq",
    )
    .bind(&people)
    .fetch_all(pool)
    .await?;
    for r in rows {
        delegations
            .entry(r.get(0))
            .or_default()
            .push((r.get(1), r.get(2), r.get(3)));
    }

    let (mut eligible, mut voted_when_eligible) = (0u64, 0u64);
    for r in &proposals {
        let (id, start_height, start_time): (i64, i64, i64) = (r.get(0), r.get(1), r.get(2));
        let snap = snapshot(
            &locks,
            &delegations,
            (start_height.max(1) - 1) as u64,
            start_time.max(0) as u64,
        );
        if snap.own(address) > 0 || snap.received(address) > 0 {
            eligible += 1;
            if voted.contains(&id) {
                voted_when_eligible += 1;
            }
        }
    }
    Ok(Participation {
        votes_cast: votes_cast.max(0) as u64,
        proposals_considered: proposals.len() as u64,
        eligible,
        voted_when_eligible,
        score: (eligible > 0).then(|| voted_when_eligible as f64 / eligible as f64),
    })
}
