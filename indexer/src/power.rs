//! Voting power at a past block, from the projections, with veFOG's own
//! curve (`fog_ve::curve`): the same integers the contract computes, so the
//! indexer's figures equal the contract's to the unit.

use std::collections::BTreeMap;

use anyhow::Result;
use fog_ve::curve::{lock_bias, slope_of, to_power};
use sqlx::{PgConnection, PgPool, Row};

/// Locks and delegations as they stood after block `height`, evaluated at
/// `time` (seconds).
#[derive(Debug, Clone, Default)]
pub struct PowerSnapshot {
    pub height: u64,
    pub time: u64,
    /// Scaled bias of each address's own lock.
    pub own_bias: BTreeMap<String, u128>,
    /// Delegate of each delegating address.
    pub delegate_of: BTreeMap<String, String>,
}

impl PowerSnapshot {
    pub async fn load(pool: &PgPool, height: u64, time: u64) -> Result<Self> {
        Self::load_in(&mut *pool.acquire().await?, height, time).await
    }

    /// [`PowerSnapshot::load`] on a connection (inside a transaction).
    pub async fn load_in(db: &mut PgConnection, height: u64, time: u64) -> Result<Self> {
        let locks = sqlx::query(
            "SELECT DISTINCT ON (owner) owner, amount::text, end_time FROM lock_history
             WHERE height <= $1 ORDER BY owner, height DESC, seq DESC",
        )
        .bind(height as i64)
        .fetch_all(&mut *db)
        .await?;
        let mut own_bias = BTreeMap::new();
        for r in locks {
            let amount: u128 = r.get::<String, _>(1).parse()?;
            let end = r.get::<i64, _>(2) as u64;
            own_bias.insert(r.get::<String, _>(0), lock_bias(slope_of(amount), end, time));
        }
        let delegations = sqlx::query(
            "SELECT DISTINCT ON (delegator) delegator, delegate FROM delegation_history
             WHERE height <= $1 ORDER BY delegator, height DESC, seq DESC",
        )
        .bind(height as i64)
        .fetch_all(&mut *db)
        .await?;
        let delegate_of = delegations
            .into_iter()
            .filter_map(|r| r.get::<Option<String>, _>(1).map(|d| (r.get::<String, _>(0), d)))
            .collect();
        Ok(Self {
            height,
            time,
            own_bias,
            delegate_of,
        })
    }

    /// Power of `address`'s own lock.
    pub fn own(&self, address: &str) -> u128 {
        to_power(self.own_bias.get(address).copied().unwrap_or(0))
    }

    /// Power delegated to `address` (an exact sum of scaled biases, rounded
    /// once, as veFOG's aggregate is).
    pub fn received(&self, address: &str) -> u128 {
        to_power(
            self.delegate_of
                .iter()
                .filter(|(_, d)| d.as_str() == address)
                .map(|(delegator, _)| self.own_bias.get(delegator).copied().unwrap_or(0))
                .sum(),
        )
    }

    /// What `address` carries when it votes.
    pub fn voting(&self, address: &str) -> u128 {
        let own = if self.delegate_of.contains_key(address) {
            0
        } else {
            self.own(address)
        };
        own + self.received(address)
    }

    /// Total voting power.
    pub fn total(&self) -> u128 {
        to_power(self.own_bias.values().sum())
    }

    /// Every address that carries power, with what it carries.
    pub fn carried(&self) -> BTreeMap<String, u128> {
        let mut out: BTreeMap<String, u128> = BTreeMap::new();
        let mut received: BTreeMap<&str, u128> = BTreeMap::new();
        for (owner, bias) in &self.own_bias {
            match self.delegate_of.get(owner) {
                Some(d) => *received.entry(d.as_str()).or_default() += bias,
                None => {
                    let p = to_power(*bias);
                    if p > 0 {
                        out.insert(owner.clone(), p);
                    }
                }
            }
        }
        for (d, bias) in received {
            let p = to_power(bias);
            if p > 0 {
                *out.entry(d.to_string()).or_default() += p;
            }
        }
        out
    }
}

/// Gini coefficient of `values`, the addresses that carry power (0: all
/// carry the same; towards 1 as one carries nearly all of it). Addresses
/// without power are not in the population, so one holder alone is 0 (no
/// inequality among holders): read it with the Nakamoto coefficient.
pub fn gini(values: &[u128]) -> f64 {
    let n = values.len();
    let total: f64 = values.iter().map(|v| *v as f64).sum();
    if n == 0 || total == 0.0 {
        return 0.0;
    }
    let mut sorted: Vec<f64> = values.iter().map(|v| *v as f64).collect();
    sorted.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    let weighted: f64 = sorted.iter().enumerate().map(|(i, v)| (i as f64 + 1.0) * v).sum();
    (2.0 * weighted) / (n as f64 * total) - (n as f64 + 1.0) / n as f64
}

/// Nakamoto coefficient: the fewest holders that together exceed `share`
/// (e.g. 0.5) of the total.
pub fn nakamoto(values: &[u128], share: f64) -> usize {
    let total: u128 = values.iter().sum();
    if total == 0 {
        return 0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let mut acc = 0u128;
    for (i, v) in sorted.iter().enumerate() {
        acc += v;
        if acc as f64 > share * total as f64 {
            return i + 1;
        }
    }
    sorted.len()
}

/// Share of the total held by the `n` largest holders.
pub fn top_share(values: &[u128], n: usize) -> f64 {
    let total: u128 = values.iter().sum();
    if total == 0 {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    sorted.iter().take(n).sum::<u128>() as f64 / total as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concentration_measures() {
        assert_eq!(gini(&[5, 5, 5, 5]), 0.0);
        assert!((gini(&[0, 0, 0, 100]) - 0.75).abs() < 1e-9);
        assert_eq!(nakamoto(&[40, 30, 20, 10], 0.5), 2);
        assert_eq!(nakamoto(&[60, 20, 20], 0.5), 1);
        assert!((top_share(&[40, 30, 20, 10], 2) - 0.7).abs() < 1e-9);
        assert_eq!(nakamoto(&[], 0.5), 0);
    }
}
