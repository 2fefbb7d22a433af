//! Bookkeeping shared by every handler: moving the global total and a
//! delegate's received power to "now", and applying a lock's change to them.

use std::collections::BTreeMap;

use cosmwasm_std::{Addr, Order, StdError, StdResult, Storage, Uint128};
use cw_storage_plus::Bound;

use crate::curve::{advance, lock_bias, week_floor, Aggregate, MAX_WALK_WEEKS, WEEK};
use crate::rewards::Pool;
use crate::state::{
    Account, GlobalState, UserPoint, WeekChange, GLOBAL, GLOBAL_POINTS, RECEIVED_CHANGES, USER_POINTS, WEEK_CHANGES,
};

/// A lock as seen by the aggregates: its slope, end and reward rate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LockLine {
    pub slope: u128,
    pub end: u64,
    pub rate: u128,
}

impl LockLine {
    /// The part of the line still alive at `now` (None once ended).
    pub fn alive(self, now: u64) -> Option<Self> {
        (self.end > now && (self.slope > 0 || self.rate > 0)).then_some(self)
    }
}

fn overflow(what: &str) -> StdError {
    StdError::generic_err(format!("ve invariant broken: {what}"))
}

fn pool_of(g: &GlobalState) -> Pool {
    Pool {
        index: g.pool.index.u128(),
        rate: g.pool.rate.u128(),
        reserved: g.pool.reserved,
        funded: g.pool.funded.u128(),
    }
}

/// Moves the global total and the reward pool from their last update to
/// `now`, crossing at most [`MAX_WALK_WEEKS`] week boundaries. Returns the
/// week entries it crossed, each with the reward index at that boundary
/// (`index_at`), for the caller to store (execute) or to use (queries).
pub fn walk_global(
    read_week: impl Fn(u64) -> StdResult<Option<WeekChange>>,
    g: &mut GlobalState,
    now: u64,
) -> StdResult<Vec<(u64, WeekChange)>> {
    let mut crossed = Vec::new();
    let from = g.point.time;
    if now <= from {
        return Ok(crossed);
    }
    let mut pool = pool_of(g);
    let (mut bias, mut slope) = (g.point.bias.u128(), g.point.slope.u128());
    let mut t = from;
    let mut week = week_floor(from);
    for _ in 0..MAX_WALK_WEEKS {
        week += WEEK;
        let segment_end = week.min(now);
        let dt = segment_end - t;
        bias = bias
            .checked_sub(slope.checked_mul(u128::from(dt)).ok_or_else(|| overflow("decay"))?)
            .ok_or_else(|| overflow("total below zero"))?;
        pool.accrue(dt)?;
        t = segment_end;
        if week > now {
            break;
        }
        if let Some(mut change) = read_week(week)? {
            slope = slope
                .checked_sub(change.slope.u128())
                .ok_or_else(|| overflow("slope"))?;
            pool.rate = pool
                .rate
                .checked_sub(change.rate.u128())
                .ok_or_else(|| overflow("rate"))?;
            change.index_at = Some(Uint128::new(pool.index));
            crossed.push((week, change));
        }
        if t == now {
            break;
        }
    }
    if t < now {
        // Past every lock's end: nothing is left to decay or to pay.
        bias = 0;
        slope = 0;
        pool.rate = 0;
    }
    g.point.bias = Uint128::new(bias);
    g.point.slope = Uint128::new(slope);
    g.point.time = now;
    g.pool.index = Uint128::new(pool.index);
    g.pool.rate = Uint128::new(pool.rate);
    g.pool.reserved = pool.reserved;
    Ok(crossed)
}

/// Loads the global state, moves it to `now` and stores the crossed weeks.
pub fn load_global_now(storage: &mut dyn Storage, now: u64) -> StdResult<GlobalState> {
    let mut g = GLOBAL.load(storage)?;
    for (week, change) in walk_global(|w| WEEK_CHANGES.may_load(storage, w), &mut g, now)? {
        WEEK_CHANGES.save(storage, week, &change)?;
    }
    Ok(g)
}

/// Stores the global state and its point for this block (one per block).
pub fn save_global(storage: &mut dyn Storage, g: &mut GlobalState, height: u64) -> StdResult<()> {
    let same_block = g.epoch > 0 && GLOBAL_POINTS.may_load(storage, g.epoch)?.map(|p| p.height) == Some(height);
    if !same_block {
        g.epoch += 1;
    }
    g.point.height = height;
    GLOBAL_POINTS.save(storage, g.epoch, &g.point)?;
    GLOBAL.save(storage, g)
}

/// Replaces `old` by `new` in an aggregate at `now`, returning the scheduled
/// changes per week as (slope added, slope removed, rate added, rate removed).
fn replace_line(
    agg: &mut Aggregate,
    rate: &mut u128,
    old: Option<LockLine>,
    new: Option<LockLine>,
    now: u64,
) -> StdResult<BTreeMap<u64, [u128; 4]>> {
    let mut weeks: BTreeMap<u64, [u128; 4]> = BTreeMap::new();
    if let Some(o) = old.and_then(|o| o.alive(now)) {
        agg.bias = agg
            .bias
            .checked_sub(lock_bias(o.slope, o.end, now))
            .ok_or_else(|| overflow("removing a lock's bias"))?;
        agg.slope = agg
            .slope
            .checked_sub(o.slope)
            .ok_or_else(|| overflow("removing a lock's slope"))?;
        *rate = rate
            .checked_sub(o.rate)
            .ok_or_else(|| overflow("removing a lock's rate"))?;
        let w = weeks.entry(o.end).or_default();
        w[1] += o.slope;
        w[3] += o.rate;
    }
    if let Some(n) = new.and_then(|n| n.alive(now)) {
        agg.bias = agg
            .bias
            .checked_add(lock_bias(n.slope, n.end, now))
            .ok_or_else(|| overflow("adding a lock's bias"))?;
        agg.slope = agg
            .slope
            .checked_add(n.slope)
            .ok_or_else(|| overflow("adding a lock's slope"))?;
        *rate = rate
            .checked_add(n.rate)
            .ok_or_else(|| overflow("adding a lock's rate"))?;
        let w = weeks.entry(n.end).or_default();
        w[0] += n.slope;
        w[2] += n.rate;
    }
    Ok(weeks)
}

fn apply_delta(value: Uint128, add: u128, sub: u128) -> StdResult<Uint128> {
    value
        .u128()
        .checked_add(add)
        .and_then(|v| v.checked_sub(sub))
        .map(Uint128::new)
        .ok_or_else(|| overflow("scheduled change below zero"))
}

/// Applies a lock's change to the global total (already moved to `now`).
pub fn change_global(
    storage: &mut dyn Storage,
    g: &mut GlobalState,
    old: Option<LockLine>,
    new: Option<LockLine>,
    now: u64,
) -> StdResult<()> {
    let mut agg = Aggregate {
        bias: g.point.bias.u128(),
        slope: g.point.slope.u128(),
    };
    let mut rate = g.pool.rate.u128();
    for (week, [s_add, s_sub, r_add, r_sub]) in replace_line(&mut agg, &mut rate, old, new, now)? {
        let mut c = WEEK_CHANGES.may_load(storage, week)?.unwrap_or_default();
        c.slope = apply_delta(c.slope, s_add, s_sub)?;
        c.rate = apply_delta(c.rate, r_add, r_sub)?;
        WEEK_CHANGES.save(storage, week, &c)?;
    }
    g.point.bias = Uint128::new(agg.bias);
    g.point.slope = Uint128::new(agg.slope);
    g.pool.rate = Uint128::new(rate);
    Ok(())
}

/// `delegate`'s scheduled received-slope changes at the week boundaries a
/// walk ([`advance`]) from `from` to `to` crosses, read by one range scan.
/// A week without a change then costs nothing, where a read per week cost
/// the chain's flat read gas each: a delegate whose delegators had not moved
/// for a year cost 52 reads per query or change (until stop 22).
pub fn received_changes(storage: &dyn Storage, delegate: &Addr, from: u64, to: u64) -> StdResult<Vec<(u64, u128)>> {
    let first = week_floor(from) + WEEK;
    let last = week_floor(to).min(first + (MAX_WALK_WEEKS - 1) * WEEK);
    if to <= from || last < first {
        return Ok(vec![]);
    }
    // Raw keys (the week, 8 bytes big-endian after the prefix): typed keys
    // and a map cost the contract ~12 KB of code for this one scan.
    RECEIVED_CHANGES
        .prefix(delegate)
        .range_raw(
            storage,
            Some(Bound::inclusive(first)),
            Some(Bound::inclusive(last)),
            Order::Ascending,
        )
        .map(|item| {
            let (key, change) = item?;
            let week = <[u8; 8]>::try_from(key.as_slice())
                .map(u64::from_be_bytes)
                .map_err(|_| StdError::generic_err("ve invariant broken: a received change not keyed by its week"))?;
            Ok((week, change.u128()))
        })
        .collect()
}

/// The change at `week` among `changes` (ascending by week), 0 if none.
pub fn change_at(changes: &[(u64, u128)], week: u64) -> u128 {
    changes
        .binary_search_by_key(&week, |(w, _)| *w)
        .map_or(0, |i| changes[i].1)
}

/// The latest point of `address`, moved to `now` (its received power
/// advanced along the delegate's scheduled changes), ready to be changed.
pub fn point_now(storage: &dyn Storage, address: &Addr, account: &Account, now: u64) -> StdResult<UserPoint> {
    let mut point = if account.epoch == 0 {
        UserPoint::default()
    } else {
        USER_POINTS.load(storage, (address, account.epoch))?
    };
    if !point.received_bias.is_zero() || !point.received_slope.is_zero() {
        let changes = received_changes(storage, address, point.time, now)?;
        let agg = advance(
            Aggregate {
                bias: point.received_bias.u128(),
                slope: point.received_slope.u128(),
            },
            point.time,
            now,
            |w| Ok(change_at(&changes, w)),
        )?;
        point.received_bias = Uint128::new(agg.bias);
        point.received_slope = Uint128::new(agg.slope);
    }
    point.time = now;
    Ok(point)
}

/// Applies a delegator's lock change to its delegate's received power and
/// stores the delegate's new point.
pub fn change_received(
    storage: &mut dyn Storage,
    delegate: &Addr,
    old: Option<LockLine>,
    new: Option<LockLine>,
    now: u64,
    height: u64,
) -> StdResult<()> {
    let mut account = crate::state::ACCOUNTS.may_load(storage, delegate)?.unwrap_or_default();
    let mut point = point_now(storage, delegate, &account, now)?;
    let mut agg = Aggregate {
        bias: point.received_bias.u128(),
        slope: point.received_slope.u128(),
    };
    // Delegation moves voting power, not rewards: the lines' rates stay out.
    let mut no_rate = 0u128;
    let strip = |l: Option<LockLine>| l.map(|l| LockLine { rate: 0, ..l });
    for (week, [s_add, s_sub, _, _]) in replace_line(&mut agg, &mut no_rate, strip(old), strip(new), now)? {
        let current = RECEIVED_CHANGES
            .may_load(storage, (delegate, week))?
            .unwrap_or_default();
        let updated = apply_delta(current, s_add, s_sub)?;
        if updated.is_zero() {
            RECEIVED_CHANGES.remove(storage, (delegate, week));
        } else {
            RECEIVED_CHANGES.save(storage, (delegate, week), &updated)?;
        }
    }
    point.received_bias = Uint128::new(agg.bias);
    point.received_slope = Uint128::new(agg.slope);
    push_point(storage, delegate, &mut account, point, height)?;
    crate::state::ACCOUNTS.save(storage, delegate, &account)
}

/// Stores `point` as `address`'s point for block `height` (replacing the
/// point of the same block, if any) and counts it in the account.
pub fn push_point(
    storage: &mut dyn Storage,
    address: &Addr,
    account: &mut Account,
    mut point: UserPoint,
    height: u64,
) -> StdResult<()> {
    let same_block = account.epoch > 0
        && USER_POINTS
            .may_load(storage, (address, account.epoch))?
            .map(|p| p.height)
            == Some(height);
    if !same_block {
        account.epoch += 1;
    }
    point.height = height;
    USER_POINTS.save(storage, (address, account.epoch), &point)
}

#[cfg(test)]
mod tests {
    use cosmwasm_std::testing::MockStorage;

    use super::*;

    /// The scan holds exactly what a read per crossed week would: the
    /// walk's first and last boundaries included, nothing before or past
    /// them, another delegate's changes apart, at most `MAX_WALK_WEEKS`.
    #[test]
    fn one_scan_reads_what_a_read_per_week_would() {
        let mut storage = MockStorage::new();
        let (a, b) = (Addr::unchecked("a"), Addr::unchecked("b"));
        let base = 3_000 * WEEK;
        let weeks = [0u64, 1, 2, 5, 9, 100, MAX_WALK_WEEKS - 1, MAX_WALK_WEEKS, 211, 300];
        for k in weeks {
            RECEIVED_CHANGES
                .save(&mut storage, (&a, base + k * WEEK), &Uint128::new(u128::from(k) + 1))
                .unwrap();
        }
        RECEIVED_CHANGES
            .save(&mut storage, (&b, base + WEEK), &Uint128::new(7))
            .unwrap();
        let per_week = |from: u64, to: u64| {
            let mut seen = BTreeMap::new();
            advance(
                Aggregate {
                    bias: u128::MAX / 2,
                    slope: 1,
                },
                from,
                to,
                |w| {
                    let c = RECEIVED_CHANGES.may_load(&storage, (&a, w))?.unwrap_or_default().u128();
                    if c > 0 {
                        seen.insert(w, c);
                    }
                    Ok(0)
                },
            )
            .unwrap();
            seen
        };
        for (from, to) in [
            (base, base + 10 * WEEK),
            (base - 1, base + WEEK),
            (base + 1, base + 5 * WEEK - 1),
            (base + 5 * WEEK, base + 5 * WEEK),
            (base, base + 400 * WEEK),
            (base + 3 * WEEK, base + 2 * WEEK),
        ] {
            let scanned = received_changes(&storage, &a, from, to).unwrap();
            assert_eq!(
                scanned.iter().copied().collect::<BTreeMap<_, _>>(),
                per_week(from, to),
                "{from}..{to}"
            );
            for (week, change) in &scanned {
                assert_eq!(change_at(&scanned, *week), *change);
                assert_eq!(change_at(&scanned, week + 1), 0);
            }
        }
        assert_eq!(
            received_changes(&storage, &a, base - 1, base + 400 * WEEK)
                .unwrap()
                .len(),
            weeks.iter().filter(|k| **k < MAX_WALK_WEEKS).count(),
            "the first MAX_WALK_WEEKS boundaries after the point's week, no later one"
        );
    }
}
