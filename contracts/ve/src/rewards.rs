//! Staking rewards paid from a funded pool, never more than was funded.
//!
//! Each lock earns `amount * apy` per year while it has not ended. The pool
//! accrues rewards through a global index ("reward per unit of amount x bps")
//! that grows with time only while the pool can pay for it: when the funded
//! but unreserved FOG runs out, the index stops, and it resumes only after the
//! pool is funded again. What is reserved is kept exactly (scaled, in 256
//! bits) so that the sum of every holder's rounded-down rewards can never
//! exceed what was funded.

use cosmwasm_std::{StdError, StdResult, Uint128, Uint256};

/// Seconds in the reward year.
pub const YEAR: u64 = 365 * 86_400;
/// Basis points in 100%.
pub const BPS: u128 = 10_000;
/// Fixed-point scale of the reward index.
pub const INDEX_SCALE: u128 = 1_000_000_000_000_000_000;

/// The pool's accounting, advanced lazily.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pool {
    /// Reward per (amount x bps), scaled by [`INDEX_SCALE`].
    pub index: u128,
    /// Sum of `amount * apy_bps` over locks that have not ended.
    pub rate: u128,
    /// Rewards promised so far, scaled by [`INDEX_SCALE`].
    pub reserved: Uint256,
    /// FOG ever funded into the pool.
    pub funded: u128,
}

impl Pool {
    /// Accrues the pool over `dt` seconds at the current rate, as far as the
    /// funds allow.
    pub fn accrue(&mut self, dt: u64) -> StdResult<()> {
        if self.rate == 0 || dt == 0 {
            return Ok(());
        }
        let full = u128::from(dt) * INDEX_SCALE / (u128::from(YEAR) * BPS);
        let rate = Uint256::from(self.rate);
        let capacity = Uint256::from(self.funded) * Uint256::from(INDEX_SCALE);
        let available = capacity.checked_sub(self.reserved).unwrap_or_default();
        let affordable = available / rate;
        let step = if Uint256::from(full) > affordable {
            // affordable < full fits in u128.
            Uint128::try_from(affordable)
                .map_err(|e| StdError::generic_err(e.to_string()))?
                .u128()
        } else {
            full
        };
        self.index = self
            .index
            .checked_add(step)
            .ok_or_else(|| StdError::generic_err("reward index overflow"))?;
        self.reserved += rate * Uint256::from(step);
        Ok(())
    }
}

/// Rewards earned by `amount` at `apy_bps` between two index values.
pub fn earned(amount: u128, apy_bps: u16, index_from: u128, index_to: u128) -> Uint128 {
    let weight = Uint256::from(amount) * Uint256::from(u128::from(apy_bps));
    let value = weight * Uint256::from(index_to.saturating_sub(index_from)) / Uint256::from(INDEX_SCALE);
    // value <= reserved / INDEX_SCALE <= funded, which is a u128.
    Uint128::try_from(value).unwrap_or(Uint128::MAX)
}

/// The rate a lock adds to the pool.
pub fn rate_of(amount: u128, apy_bps: u16) -> u128 {
    amount.saturating_mul(u128::from(apy_bps))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accrues_apy_over_a_year() {
        let amount = 1_000_000_000u128;
        let mut pool = Pool {
            rate: rate_of(amount, 1_000),
            funded: 10_000_000_000,
            ..Pool::default()
        };
        pool.accrue(YEAR).unwrap();
        let got = earned(amount, 1_000, 0, pool.index).u128();
        // 10% of 1e9, less the index's rounding.
        assert!(got <= 100_000_000 && got > 99_999_990, "{got}");
    }

    #[test]
    fn stops_when_the_pool_is_empty() {
        let amount = 1_000_000_000u128;
        let mut pool = Pool {
            rate: rate_of(amount, 2_500),
            funded: 1_000,
            ..Pool::default()
        };
        pool.accrue(YEAR).unwrap();
        assert!(earned(amount, 2_500, 0, pool.index).u128() <= 1_000);
        let index = pool.index;
        pool.accrue(YEAR).unwrap();
        assert_eq!(pool.index, index, "no accrual without funds");
        pool.funded += 1_000_000;
        pool.accrue(YEAR).unwrap();
        assert!(earned(amount, 2_500, 0, pool.index).u128() <= 1_001_000);
    }
}
