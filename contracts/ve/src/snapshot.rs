//! Voting power at a past height, read through any [`VeStore`]: the
//! contract's own storage for its queries, raw queries for governance.
//!
//! A CosmWasm contract does not know the time of a block in which it did not
//! run, so a historical read takes both a height (whose state is used: every
//! change up to and including that block) and a time (at which that state's
//! linear decay is evaluated). Governance passes `start_height - 1` and the
//! start block's time: power locked in the proposal's own block does not
//! count, and the power is exact at the proposal's start.

use cosmwasm_std::{Addr, StdError, StdResult, Uint128};

use crate::curve::{advance, lock_bias, to_power, Aggregate};
use crate::state::{Account, GlobalPoint, GlobalState, UserPoint, WeekChange};

/// Read access to veFOG's storage.
pub trait VeStore {
    fn account(&self, address: &Addr) -> StdResult<Option<Account>>;
    fn user_point(&self, address: &Addr, epoch: u64) -> StdResult<Option<UserPoint>>;
    fn global(&self) -> StdResult<GlobalState>;
    fn global_point(&self, epoch: u64) -> StdResult<Option<GlobalPoint>>;
    fn week_change(&self, week: u64) -> StdResult<Option<WeekChange>>;
    fn received_change(&self, delegate: &Addr, week: u64) -> StdResult<Uint128>;
    /// `delegate`'s received changes over a walk from `from` to `to` in one
    /// scan, where the store can range (its own storage; raw queries from
    /// another contract cannot), else `None`: read week by week.
    fn received_changes_scan(&self, _delegate: &Addr, _from: u64, _to: u64) -> StdResult<Option<Vec<(u64, u128)>>> {
        Ok(None)
    }
}

/// An address's power at a snapshot, in FOG base units.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VoterSnapshot {
    /// Power of the address's own lock.
    pub own: Uint128,
    /// Power delegated to it (registered delegates only).
    pub received: Uint128,
    /// Whom it delegated to at the snapshot.
    pub delegate: Option<Addr>,
}

impl VoterSnapshot {
    /// What the address carries when it votes, before any override: its own
    /// power unless delegated away, plus what it received.
    pub fn voting(&self) -> Uint128 {
        let own = if self.delegate.is_some() {
            Uint128::zero()
        } else {
            self.own
        };
        own + self.received
    }
}

/// Finds the last entry with `height_of(entry) <= height` among epochs
/// `1..=count`, with its epoch: the newest first (the common case), then
/// binary search.
fn last_at_or_before<P>(
    count: u64,
    height: u64,
    get: impl Fn(u64) -> StdResult<Option<P>>,
    height_of: impl Fn(&P) -> u64,
) -> StdResult<Option<(u64, P)>> {
    if count == 0 {
        return Ok(None);
    }
    let load = |e: u64| get(e)?.ok_or_else(|| StdError::not_found(format!("ve point {e}")));
    let newest = load(count)?;
    if height_of(&newest) <= height {
        return Ok(Some((count, newest)));
    }
    let (mut lo, mut hi) = (1u64, count - 1);
    let mut best = None;
    while lo <= hi {
        let mid = lo + (hi - lo) / 2;
        let p = load(mid)?;
        if height_of(&p) <= height {
            best = Some((mid, p));
            lo = mid + 1;
        } else {
            if mid == 1 {
                break;
            }
            hi = mid - 1;
        }
    }
    Ok(best)
}

/// A later change (the point after the one in force at `height`, at
/// `next`) rewrote the slope changes scheduled from its time on, which the
/// read walks: the state of `height` is known only up to that time. Reading
/// it later would subtract slopes it never had (an error) or miss some.
fn check_before_next(next: Next, height: u64, time: u64) -> StdResult<()> {
    match next {
        Some((next_height, next_time)) if time > next_time => Err(StdError::generic_err(format!(
            "time {time} is after the change at height {next_height} (at {next_time}): the state after height \
             {height} holds only until then; ask at a height at or after {next_height}"
        ))),
        _ => Ok(()),
    }
}

fn check_time(point_time: u64, height: u64, time: u64) -> StdResult<()> {
    if time < point_time {
        return Err(StdError::generic_err(format!(
            "time {time} is before the last change at or below height {height} (at {point_time})"
        )));
    }
    Ok(())
}

/// The user point in force after block `height`, if any.
pub fn user_point_at(store: &impl VeStore, address: &Addr, height: u64) -> StdResult<Option<UserPoint>> {
    Ok(user_points_at(store, address, height)?.map(|(point, _)| point))
}

/// The height and time of a later change.
type Next = Option<(u64, u64)>;

/// The user point in force after block `height`, and the height and time of
/// the next one, if any.
fn user_points_at(store: &impl VeStore, address: &Addr, height: u64) -> StdResult<Option<(UserPoint, Next)>> {
    let Some(account) = store.account(address)? else {
        return Ok(None);
    };
    let Some((epoch, point)) =
        last_at_or_before(account.epoch, height, |e| store.user_point(address, e), |p| p.height)?
    else {
        return Ok(None);
    };
    let next = match epoch < account.epoch {
        true => store.user_point(address, epoch + 1)?.map(|n| (n.height, n.time)),
        false => None,
    };
    Ok(Some((point, next)))
}

/// Received power of `delegate` at `time`, from its point.
pub fn received_at(store: &impl VeStore, delegate: &Addr, point: &UserPoint, time: u64) -> StdResult<u128> {
    if point.received_bias.is_zero() && point.received_slope.is_zero() {
        return Ok(0);
    }
    let agg = Aggregate {
        bias: point.received_bias.u128(),
        slope: point.received_slope.u128(),
    };
    let agg = match store.received_changes_scan(delegate, point.time, time)? {
        Some(changes) => advance(agg, point.time, time, |w| Ok(crate::ledger::change_at(&changes, w)))?,
        None => advance(agg, point.time, time, |w| {
            Ok(store.received_change(delegate, w)?.u128())
        })?,
    };
    Ok(agg.bias)
}

/// An address's power after block `height`, evaluated at `time`.
pub fn voter_at(store: &impl VeStore, address: &Addr, height: u64, time: u64) -> StdResult<VoterSnapshot> {
    let Some((point, next)) = user_points_at(store, address, height)? else {
        return Ok(VoterSnapshot::default());
    };
    check_time(point.time, height, time)?;
    check_before_next(next, height, time)?;
    Ok(VoterSnapshot {
        own: Uint128::new(to_power(lock_bias(point.own_slope.u128(), point.own_end, time))),
        received: Uint128::new(to_power(received_at(store, address, &point, time)?)),
        delegate: point.delegate,
    })
}

/// Total power after block `height`, evaluated at `time`.
pub fn total_at(store: &impl VeStore, height: u64, time: u64) -> StdResult<Uint128> {
    let global = store.global()?;
    let Some((epoch, point)) = last_at_or_before(global.epoch, height, |e| store.global_point(e), |p| p.height)? else {
        return Ok(Uint128::zero());
    };
    check_time(point.time, height, time)?;
    let next = match epoch < global.epoch {
        true => store.global_point(epoch + 1)?.map(|n| (n.height, n.time)),
        false => None,
    };
    check_before_next(next, height, time)?;
    let agg = Aggregate {
        bias: point.bias.u128(),
        slope: point.slope.u128(),
    };
    let agg = advance(agg, point.time, time, |w| {
        Ok(store.week_change(w)?.map(|c| c.slope.u128()).unwrap_or(0))
    })?;
    Ok(Uint128::new(to_power(agg.bias)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_last_point_at_or_before() {
        let heights = [3u64, 5, 9, 20];
        let get = |e: u64| Ok(heights.get(e as usize - 1).copied());
        let find = |h| {
            last_at_or_before(heights.len() as u64, h, get, |p| *p)
                .unwrap()
                .map(|(_, p)| p)
        };
        assert_eq!(find(2), None);
        assert_eq!(find(3), Some(3));
        assert_eq!(find(4), Some(3));
        assert_eq!(find(8), Some(5));
        assert_eq!(find(9), Some(9));
        assert_eq!(find(19), Some(9));
        assert_eq!(find(100), Some(20));
        assert_eq!(last_at_or_before(0, 5, get, |p| *p).unwrap(), None);
    }
}
