//! Linear voting-power decay (the Curve VotingEscrow model), in exact integers.
//!
//! A lock of `amount` ending at `end` has slope `amount * SCALE / MAX_LOCK`
//! and power `slope * (end - t)` at time `t` (scaled by [`SCALE`]). Because
//! every lock's bias is computed from its slope and its end, never rounded on
//! its own, an aggregate of locks (the total, or what a delegate receives) is
//! exactly the sum of its members at every instant, in scaled units: no bias
//! drifts negative as in forks that store rounded biases. Slopes are scaled,
//! so a lock of one base unit still has a non-zero slope (Curve's
//! `amount / MAXTIME` truncates every lock below MAXTIME units to zero).

use cosmwasm_std::{StdError, StdResult};

/// Seconds in a week. Lock ends are whole weeks since the Unix epoch, so the
/// slope of an aggregate changes only at week boundaries.
pub const WEEK: u64 = 604_800;
/// The longest lock: 208 weeks (four years of whole weeks).
pub const MAX_LOCK_WEEKS: u64 = 208;
/// The longest lock, in seconds.
pub const MAX_LOCK: u64 = MAX_LOCK_WEEKS * WEEK;
/// Fixed-point scale of slopes and biases (power = bias / SCALE).
pub const SCALE: u128 = 1_000_000_000_000_000_000;
/// Upper bound on all FOG locked together: keeps `slope * MAX_LOCK` and every
/// aggregate inside u128 (10^20 base units is 10^5 times FOG's cap).
pub const MAX_TOTAL_LOCKED: u128 = 100_000_000_000_000_000_000;
/// How many week boundaries a walk may cross. Every lock that contributes to
/// an aggregate at `t` ends by `t + MAX_LOCK`, so past that many weeks the
/// aggregate is zero: the walk is bounded without losing exactness, even
/// after years without a checkpoint.
pub const MAX_WALK_WEEKS: u64 = MAX_LOCK_WEEKS + 1;

/// The start of the week that contains `t`.
pub fn week_floor(t: u64) -> u64 {
    t - t % WEEK
}

/// Scaled power lost per second by a lock of `amount`.
pub fn slope_of(amount: u128) -> u128 {
    // amount <= MAX_TOTAL_LOCKED, so amount * SCALE < 2^127.
    amount.saturating_mul(SCALE) / u128::from(MAX_LOCK)
}

/// Scaled power at `t` of a lock with `slope` ending at `end`.
pub fn lock_bias(slope: u128, end: u64, t: u64) -> u128 {
    slope.saturating_mul(u128::from(end.saturating_sub(t)))
}

/// Power in token base units: the scaled bias, rounded down.
pub fn to_power(bias: u128) -> u128 {
    bias / SCALE
}

/// Validates a requested lock duration and returns the lock's end: the
/// duration is rounded down to whole weeks (1 to 208), and the end to the
/// week boundary at or before `now + weeks`.
pub fn lock_end(now: u64, duration: u64) -> Result<u64, DurationError> {
    let weeks = duration / WEEK;
    if weeks < 1 {
        return Err(DurationError::TooShort);
    }
    if weeks > MAX_LOCK_WEEKS {
        return Err(DurationError::TooLong);
    }
    Ok(week_floor(now + weeks * WEEK))
}

/// The whole weeks a lock ending at `end` commits its FOG for from `now`,
/// a started week counting whole: a lock of `n` weeks commits `n`, though
/// its end is rounded down to a week boundary. Tiers are judged by it.
pub fn committed_weeks(end: u64, now: u64) -> u64 {
    end.saturating_sub(now).div_ceil(WEEK)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DurationError {
    TooShort,
    TooLong,
}

/// An aggregate of locks at one instant: scaled bias and slope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Aggregate {
    pub bias: u128,
    pub slope: u128,
}

/// Moves an aggregate from `from` to `to`, applying the slope changes
/// scheduled at each week boundary in `(from, to]`. `change_at(week)` returns
/// the slope that leaves the aggregate at `week` (zero when nothing ends
/// then). At most [`MAX_WALK_WEEKS`] boundaries are read.
pub fn advance(
    agg: Aggregate,
    from: u64,
    to: u64,
    mut change_at: impl FnMut(u64) -> StdResult<u128>,
) -> StdResult<Aggregate> {
    if to <= from {
        return Ok(agg);
    }
    let Aggregate { mut bias, mut slope } = agg;
    let mut t = from;
    let mut week = week_floor(from);
    for _ in 0..MAX_WALK_WEEKS {
        week += WEEK;
        let segment_end = week.min(to);
        bias = sub_decay(bias, slope, segment_end - t)?;
        t = segment_end;
        if week > to {
            return Ok(Aggregate { bias, slope });
        }
        slope = slope
            .checked_sub(change_at(week)?)
            .ok_or_else(|| StdError::generic_err("ve invariant broken: slope change larger than the slope"))?;
        if t == to || (bias == 0 && slope == 0) {
            return Ok(Aggregate { bias, slope });
        }
    }
    // Every lock of the aggregate has ended by now.
    Ok(Aggregate::default())
}

fn sub_decay(bias: u128, slope: u128, dt: u64) -> StdResult<u128> {
    let decay = slope
        .checked_mul(u128::from(dt))
        .ok_or_else(|| StdError::generic_err("ve invariant broken: decay overflows"))?;
    bias.checked_sub(decay)
        .ok_or_else(|| StdError::generic_err("ve invariant broken: bias below zero"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn one_base_unit_has_power() {
        let slope = slope_of(1);
        assert!(slope > 0);
        // One FOG (10^6 units) locked for the full term has ~10^6 power.
        let slope = slope_of(1_000_000);
        assert_eq!(to_power(lock_bias(slope, MAX_LOCK, 0)), 999_999);
    }

    #[test]
    fn lock_end_rounds_down_to_weeks() {
        let now = 10 * WEEK + 5;
        assert_eq!(lock_end(now, WEEK - 1), Err(DurationError::TooShort));
        assert_eq!(lock_end(now, WEEK), Ok(11 * WEEK));
        assert_eq!(lock_end(now, 2 * WEEK + 1000), Ok(12 * WEEK));
        assert_eq!(lock_end(now, MAX_LOCK), Ok(10 * WEEK + MAX_LOCK));
        assert_eq!(lock_end(now, MAX_LOCK + WEEK), Err(DurationError::TooLong));
        // A lock never ends at or before `now`.
        assert!(lock_end(11 * WEEK - 1, WEEK).unwrap() > 11 * WEEK - 1);
    }

    fn sum_at(locks: &[(u128, u64)], t: u64) -> u128 {
        locks.iter().map(|(s, e)| lock_bias(*s, *e, t)).sum()
    }

    #[test]
    fn aggregate_equals_sum_of_locks_across_years() {
        let t0 = 100 * WEEK + 777;
        let locks: Vec<(u128, u64)> = (1..40u64)
            .map(|i| (slope_of(u128::from(i) * 1_234_567), lock_end(t0, i * 5 * WEEK).unwrap()))
            .collect();
        let mut changes = BTreeMap::new();
        for (s, e) in &locks {
            *changes.entry(*e).or_insert(0u128) += s;
        }
        let agg = Aggregate {
            bias: sum_at(&locks, t0),
            slope: locks.iter().map(|(s, _)| s).sum(),
        };
        for dt in [0, 1, WEEK, 13 * WEEK + 5, 104 * WEEK, 300 * WEEK, 2000 * WEEK] {
            let got = advance(agg, t0, t0 + dt, |w| Ok(changes.get(&w).copied().unwrap_or(0))).unwrap();
            assert_eq!(got.bias, sum_at(&locks, t0 + dt), "dt={dt}");
        }
    }

    #[test]
    fn walk_is_bounded() {
        // An aggregate that never decays to zero within the walk: without
        // the bound it would read all 10,000 weeks (until stop 20 this test
        // started from zero, which returns after one read whatever the bound).
        let mut reads = 0;
        let agg = Aggregate {
            bias: u128::MAX / 2,
            slope: 1,
        };
        let walked = advance(agg, 0, 10_000 * WEEK, |_| {
            reads += 1;
            Ok(0)
        })
        .unwrap();
        assert_eq!(reads, MAX_WALK_WEEKS);
        assert_eq!(walked, Aggregate::default(), "every lock has ended after the bound");
    }
}
