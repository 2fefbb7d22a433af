//! Queries of veFOG.

use cosmwasm_std::{Addr, Deps, Env, Order, StdResult, Uint128};
use cw_storage_plus::Bound;

use crate::curve::{lock_bias, to_power};
use crate::execute::tier_name;
use crate::ledger::walk_global;
use crate::msg::{
    AtBlock, DelegateResponse, DelegatesResponse, LockResponse, LocksResponse, PendingRewardsResponse,
    RewardPoolResponse, TierResponse, TotalPowerResponse, VotingPowerResponse,
};
use crate::rewards::{earned, INDEX_SCALE};
use crate::snapshot::{total_at, voter_at};
use crate::state::{Account, DelegateInfo, ACCOUNTS, CONFIG, DELEGATES, GLOBAL, WEEK_CHANGES};
use crate::store::LocalVe;

const DEFAULT_LIMIT: u32 = 10;
const MAX_LIMIT: u32 = 100;
/// A delegate's received power reads up to 209 weekly boundaries that hold
/// a change (~400 gas each on wasmd): 20 such delegates stay under its
/// default 3M smart-query gas limit, 100 could not (until stop 22).
const DELEGATES_MAX_LIMIT: u32 = 20;

fn page_limit(limit: Option<u32>, max: u32) -> usize {
    limit.unwrap_or(DEFAULT_LIMIT).clamp(1, max) as usize
}

/// The block a query reads: `at`, or the current one.
fn block_of(env: &Env, at: Option<AtBlock>) -> AtBlock {
    at.unwrap_or(AtBlock {
        height: env.block.height,
        time: env.block.time.seconds(),
    })
}

fn lock_response(deps: Deps, address: Addr, account: &Account, now: u64) -> StdResult<LockResponse> {
    let config = CONFIG.load(deps.storage)?;
    let slope = crate::curve::slope_of(account.amount.u128());
    Ok(LockResponse {
        address,
        amount: account.amount,
        end: account.end,
        start: account.start,
        tier: (!account.amount.is_zero()).then(|| tier_name(&config.tiers, account)),
        apy_bps: account.apy_bps,
        power: Uint128::new(to_power(lock_bias(slope, account.end, now))),
        expired: !account.amount.is_zero() && account.end <= now,
        delegate: account.delegate.clone(),
    })
}

pub fn lock(deps: Deps, env: Env, address: String) -> StdResult<LockResponse> {
    let address = deps.api.addr_validate(&address)?;
    let account = ACCOUNTS.may_load(deps.storage, &address)?.unwrap_or_default();
    lock_response(deps, address, &account, env.block.time.seconds())
}

pub fn voting_power(deps: Deps, env: Env, address: String, at: Option<AtBlock>) -> StdResult<VotingPowerResponse> {
    let address = deps.api.addr_validate(&address)?;
    let at = block_of(&env, at);
    let snapshot = voter_at(&LocalVe(deps.storage), &address, at.height, at.time)?;
    Ok(VotingPowerResponse {
        own: snapshot.own,
        received: snapshot.received,
        voting: snapshot.voting(),
        delegate: snapshot.delegate,
        height: at.height,
        time: at.time,
    })
}

pub fn total_power(deps: Deps, env: Env, at: Option<AtBlock>) -> StdResult<TotalPowerResponse> {
    let at = block_of(&env, at);
    Ok(TotalPowerResponse {
        power: total_at(&LocalVe(deps.storage), at.height, at.time)?,
        locked: GLOBAL.load(deps.storage)?.locked,
        height: at.height,
        time: at.time,
    })
}

pub fn tier(deps: Deps, address: String) -> StdResult<TierResponse> {
    let address = deps.api.addr_validate(&address)?;
    let config = CONFIG.load(deps.storage)?;
    let account = ACCOUNTS.may_load(deps.storage, &address)?.unwrap_or_default();
    if account.amount.is_zero() {
        return Ok(TierResponse {
            tier: None,
            index: None,
            apy_bps: 0,
        });
    }
    Ok(TierResponse {
        tier: Some(tier_name(&config.tiers, &account)),
        index: Some(account.tier),
        apy_bps: account.apy_bps,
    })
}

pub fn pending_rewards(deps: Deps, env: Env, address: String) -> StdResult<PendingRewardsResponse> {
    let address = deps.api.addr_validate(&address)?;
    let now = env.block.time.seconds();
    let account = ACCOUNTS.may_load(deps.storage, &address)?.unwrap_or_default();
    let mut g = GLOBAL.load(deps.storage)?;
    let crossed = walk_global(|w| WEEK_CHANGES.may_load(deps.storage, w), &mut g, now)?;
    let mut pending = account.reward_pending;
    if !account.amount.is_zero() {
        let until = if account.end <= now {
            match crossed.iter().find(|(w, _)| *w == account.end) {
                Some((_, change)) => change.index_at,
                None => WEEK_CHANGES
                    .may_load(deps.storage, account.end)?
                    .and_then(|c| c.index_at),
            }
            .unwrap_or(account.reward_index)
        } else {
            g.pool.index
        };
        pending += earned(
            account.amount.u128(),
            account.apy_bps,
            account.reward_index.u128(),
            until.u128(),
        );
    }
    Ok(PendingRewardsResponse { address, pending })
}

/// Accounts one page of `Locks` reads at most. Accounts without a lock
/// (a delegation made before locking, a withdrawn lock) cost nothing to
/// make, so a page skipping them stops here and says where to go on.
pub const MAX_ACCOUNTS_READ: usize = 1_000;

pub fn locks(deps: Deps, env: Env, start_after: Option<String>, limit: Option<u32>) -> StdResult<LocksResponse> {
    let start = start_after.map(|a| deps.api.addr_validate(&a)).transpose()?;
    let now = env.block.time.seconds();
    let limit = page_limit(limit, MAX_LIMIT);
    let mut locks = Vec::new();
    let mut next_start_after = None;
    let accounts = ACCOUNTS.range(
        deps.storage,
        start.as_ref().map(Bound::exclusive),
        None,
        Order::Ascending,
    );
    for (read, item) in accounts.enumerate() {
        let (address, account) = item?;
        if !account.amount.is_zero() {
            locks.push(lock_response(deps, address.clone(), &account, now)?);
        }
        if locks.len() == limit || read + 1 == MAX_ACCOUNTS_READ {
            next_start_after = Some(address.to_string());
            break;
        }
    }
    Ok(LocksResponse {
        locks,
        next_start_after,
    })
}

fn delegate_response(deps: Deps, env: &Env, address: Addr, info: DelegateInfo) -> StdResult<DelegateResponse> {
    let snapshot = voter_at(
        &LocalVe(deps.storage),
        &address,
        env.block.height,
        env.block.time.seconds(),
    )?;
    Ok(DelegateResponse {
        address,
        profile: info.profile,
        delegators: info.delegators,
        since_height: info.since_height,
        received: snapshot.received,
        retired_height: info.retired_height,
    })
}

pub fn delegate(deps: Deps, env: Env, address: String) -> StdResult<DelegateResponse> {
    let address = deps.api.addr_validate(&address)?;
    let info = DELEGATES.load(deps.storage, &address)?;
    delegate_response(deps, &env, address, info)
}

pub fn delegates(
    deps: Deps,
    env: Env,
    start_after: Option<String>,
    limit: Option<u32>,
) -> StdResult<DelegatesResponse> {
    let start = start_after.map(|a| deps.api.addr_validate(&a)).transpose()?;
    let delegates = DELEGATES
        .range(
            deps.storage,
            start.as_ref().map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(page_limit(limit, DELEGATES_MAX_LIMIT))
        .map(|item| {
            let (address, info) = item?;
            delegate_response(deps, &env, address, info)
        })
        .collect::<StdResult<_>>()?;
    Ok(DelegatesResponse { delegates })
}

pub fn reward_pool(deps: Deps, env: Env) -> StdResult<RewardPoolResponse> {
    let mut g = GLOBAL.load(deps.storage)?;
    walk_global(
        |w| WEEK_CHANGES.may_load(deps.storage, w),
        &mut g,
        env.block.time.seconds(),
    )?;
    let scale = cosmwasm_std::Uint256::from(INDEX_SCALE);
    let reserved = g.pool.reserved.checked_add(scale - cosmwasm_std::Uint256::one())? / scale;
    let reserved = Uint128::try_from(reserved).unwrap_or(Uint128::MAX);
    Ok(RewardPoolResponse {
        funded: g.pool.funded,
        paid: g.pool.paid,
        reserved,
        available: g.pool.funded.saturating_sub(reserved),
        rate: g.pool.rate,
    })
}
