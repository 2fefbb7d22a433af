//! State-changing handlers of veFOG.

use cosmwasm_std::{
    from_json, to_json_binary, Addr, CosmosMsg, DepsMut, Env, Event, MessageInfo, QuerierWrapper, Response, StdResult,
    Storage, Uint128, WasmMsg,
};
use cw20::{Cw20ExecuteMsg, Cw20ReceiveMsg};
use fog_events::{to_event, ve as ev, Text};

use crate::curve::{committed_weeks, lock_end, slope_of, DurationError, MAX_TOTAL_LOCKED};
use crate::error::ContractError;
use crate::ledger::{change_global, change_received, load_global_now, point_now, push_point, save_global, LockLine};
use crate::msg::ReceiveMsg;
use crate::rewards::{earned, rate_of};
use crate::state::{Account, Config, DelegateInfo, GlobalState, ACCOUNTS, CONFIG, DELEGATES, WEEK_CHANGES};
use crate::tiers::{self, tier_of, Tier};

const MAX_PROFILE_LEN: usize = 256;

/// The block a handler runs in.
#[derive(Clone, Copy)]
struct Block {
    now: u64,
    height: u64,
}

impl From<&Env> for Block {
    fn from(env: &Env) -> Self {
        Block {
            now: env.block.time.seconds(),
            height: env.block.height,
        }
    }
}

fn line_of(account: &Account) -> LockLine {
    LockLine {
        slope: slope_of(account.amount.u128()),
        end: account.end,
        rate: rate_of(account.amount.u128(), account.apy_bps),
    }
}

fn duration_error(e: DurationError) -> ContractError {
    match e {
        DurationError::TooShort => ContractError::DurationTooShort,
        DurationError::TooLong => ContractError::DurationTooLong,
    }
}

fn transfer(token: &Addr, recipient: &Addr, amount: Uint128) -> StdResult<CosmosMsg> {
    Ok(WasmMsg::Execute {
        contract_addr: token.to_string(),
        msg: to_json_binary(&Cw20ExecuteMsg::Transfer {
            recipient: recipient.to_string(),
            amount,
        })?,
        funds: vec![],
    }
    .into())
}

fn refuse_sanctioned(querier: &QuerierWrapper, config: &Config, address: &Addr) -> Result<(), ContractError> {
    if let Some(registry) = &config.registry {
        if fog_registry::raw::is_sanctioned(querier, registry, address)? {
            return Err(ContractError::Sanctioned {
                address: address.to_string(),
            });
        }
    }
    Ok(())
}

/// Moves the account's earned rewards into `reward_pending`, up to now or to
/// the lock's end, whichever is first.
fn settle_rewards(storage: &dyn Storage, account: &mut Account, g: &GlobalState, now: u64) -> StdResult<()> {
    if account.amount.is_zero() {
        account.reward_index = g.pool.index;
        return Ok(());
    }
    let until = if account.end <= now {
        WEEK_CHANGES
            .load(storage, account.end)?
            .index_at
            .unwrap_or(account.reward_index)
    } else {
        g.pool.index
    };
    if until > account.reward_index {
        account.reward_pending += earned(
            account.amount.u128(),
            account.apy_bps,
            account.reward_index.u128(),
            until.u128(),
        );
        account.reward_index = until;
    }
    Ok(())
}

fn check_total_bound(g: &GlobalState, amount: Uint128) -> Result<(), ContractError> {
    match g.locked.u128().checked_add(amount.u128()) {
        Some(total) if total <= MAX_TOTAL_LOCKED => Ok(()),
        _ => Err(ContractError::AmountTooLarge { amount }),
    }
}

/// Ends `owner`'s delegation if its delegate unregistered (retired) since:
/// the lock about to change must not flow to an address that no longer
/// receives. Returns the event saying so.
fn lapse_if_retired(
    storage: &mut dyn Storage,
    owner: &Addr,
    account: &mut Account,
    old: Option<LockLine>,
    block: Block,
) -> StdResult<Option<Event>> {
    let Some(delegate) = account.delegate.clone() else {
        return Ok(None);
    };
    if DELEGATES.may_load(storage, &delegate)?.is_some_and(|d| d.is_active()) {
        return Ok(None);
    }
    change_received(storage, &delegate, old, None, block.now, block.height)?;
    uncount_delegator(storage, &delegate)?;
    account.delegate = None;
    Ok(Some(to_event(&ev::Undelegated {
        delegator: owner.to_string(),
        delegate: delegate.to_string(),
    })))
}

/// Applies a change of `owner`'s lock from `old` to the account's current
/// line: global total, the delegate's received power, the owner's point.
/// Returns the event of a delegation that lapsed on the way.
fn record_lock_change(
    storage: &mut dyn Storage,
    owner: &Addr,
    account: &mut Account,
    g: &mut GlobalState,
    old: Option<LockLine>,
    block: Block,
) -> StdResult<Option<Event>> {
    let new = line_of(account);
    change_global(storage, g, old, Some(new), block.now)?;
    let lapsed = lapse_if_retired(storage, owner, account, old, block)?;
    if let Some(delegate) = &account.delegate {
        change_received(storage, delegate, old, Some(new), block.now, block.height)?;
    }
    let mut point = point_now(storage, owner, account, block.now)?;
    point.own_slope = Uint128::new(new.slope);
    point.own_end = new.end;
    point.delegate = account.delegate.clone();
    push_point(storage, owner, account, point, block.height)?;
    ACCOUNTS.save(storage, owner, account)?;
    save_global(storage, g, block.height)?;
    Ok(lapsed)
}

pub fn receive(deps: DepsMut, env: Env, info: MessageInfo, msg: Cw20ReceiveMsg) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    if info.sender != config.token {
        return Err(ContractError::WrongToken {
            sender: info.sender.to_string(),
        });
    }
    if msg.amount.is_zero() {
        return Err(ContractError::ZeroAmount);
    }
    let sender = deps.api.addr_validate(&msg.sender)?;
    let block = Block::from(&env);
    match from_json(&msg.msg)? {
        ReceiveMsg::Lock { duration } => lock(deps, block, &config, sender, msg.amount, duration),
        ReceiveMsg::IncreaseAmount {} => increase(deps, block, &config, sender, msg.amount),
        ReceiveMsg::FundRewards {} => fund(deps, block, sender, msg.amount),
    }
}

fn lock(
    deps: DepsMut,
    block: Block,
    config: &Config,
    owner: Addr,
    amount: Uint128,
    duration: u64,
) -> Result<Response, ContractError> {
    refuse_sanctioned(&deps.querier, config, &owner)?;
    let end = lock_end(block.now, duration).map_err(duration_error)?;
    let mut account = ACCOUNTS.may_load(deps.storage, &owner)?.unwrap_or_default();
    if !account.amount.is_zero() {
        if account.end <= block.now {
            return Err(ContractError::LockExpired { end: account.end });
        }
        return Err(ContractError::LockExists {
            address: owner.to_string(),
        });
    }
    let mut g = load_global_now(deps.storage, block.now)?;
    check_total_bound(&g, amount)?;
    let (tier, apy_bps) = tier_of(&config.tiers, committed_weeks(end, block.now), amount.u128());
    settle_rewards(deps.storage, &mut account, &g, block.now)?;
    account.amount = amount;
    account.end = end;
    account.start = block.now;
    account.tier = tier;
    account.apy_bps = apy_bps;
    g.locked += amount;
    let lapsed = record_lock_change(deps.storage, &owner, &mut account, &mut g, None, block)?;
    Ok(Response::new().add_events(lapsed).add_event(to_event(&ev::LockCreated {
        owner: owner.to_string(),
        amount: amount.u128(),
        end,
        start: block.now,
        tier: account.tier,
        apy_bps: account.apy_bps,
    })))
}

fn increase(
    deps: DepsMut,
    block: Block,
    config: &Config,
    owner: Addr,
    added: Uint128,
) -> Result<Response, ContractError> {
    refuse_sanctioned(&deps.querier, config, &owner)?;
    let mut account = live_lock(deps.storage, &owner, block.now)?;
    let mut g = load_global_now(deps.storage, block.now)?;
    check_total_bound(&g, added)?;
    settle_rewards(deps.storage, &mut account, &g, block.now)?;
    let old = line_of(&account);
    let before = account.amount;
    account.amount += added;
    // The FOG already locked keeps its rate; the added FOG, committed only
    // until the lock's end, earns the rate of the time left (judged on the
    // new amount). Judging all of it by the lock's original length let a
    // dust lock of four years, topped up in its last week, earn the top
    // rate for a week's commitment; judging all of it by the time left
    // demoted the FOG already locked.
    let (_, added_apy) = tier_of(
        &config.tiers,
        committed_weeks(account.end, block.now),
        account.amount.u128(),
    );
    account.apy_bps = tiers::blended_apy(before.u128(), account.apy_bps, added.u128(), added_apy);
    account.tier = tiers::tier_reached(&config.tiers, account.apy_bps);
    g.locked += added;
    let lapsed = record_lock_change(deps.storage, &owner, &mut account, &mut g, Some(old), block)?;
    Ok(Response::new()
        .add_events(lapsed)
        .add_event(to_event(&ev::LockIncreased {
            owner: owner.to_string(),
            added: added.u128(),
            amount: account.amount.u128(),
            end: account.end,
            start: account.start,
            tier: account.tier,
            apy_bps: account.apy_bps,
        })))
}

/// The owner's lock, which must exist and not have ended.
fn live_lock(storage: &dyn Storage, owner: &Addr, now: u64) -> Result<Account, ContractError> {
    let account = ACCOUNTS.may_load(storage, owner)?.unwrap_or_default();
    if account.amount.is_zero() {
        return Err(ContractError::NoLock {
            address: owner.to_string(),
        });
    }
    if account.end <= now {
        return Err(ContractError::LockExpired { end: account.end });
    }
    Ok(account)
}

pub fn extend(deps: DepsMut, env: Env, info: MessageInfo, duration: u64) -> Result<Response, ContractError> {
    let block = Block::from(&env);
    let config = CONFIG.load(deps.storage)?;
    let owner = info.sender;
    refuse_sanctioned(&deps.querier, &config, &owner)?;
    let mut account = live_lock(deps.storage, &owner, block.now)?;
    let end = lock_end(block.now, duration).map_err(duration_error)?;
    if end <= account.end {
        return Err(ContractError::ExtendNotLater {
            requested: end,
            current: account.end,
        });
    }
    let mut g = load_global_now(deps.storage, block.now)?;
    settle_rewards(deps.storage, &mut account, &g, block.now)?;
    let old = line_of(&account);
    account.end = end;
    account.start = block.now;
    (account.tier, account.apy_bps) = tier_of(&config.tiers, committed_weeks(end, block.now), account.amount.u128());
    let lapsed = record_lock_change(deps.storage, &owner, &mut account, &mut g, Some(old), block)?;
    Ok(Response::new()
        .add_events(lapsed)
        .add_event(to_event(&ev::LockExtended {
            owner: owner.to_string(),
            amount: account.amount.u128(),
            end,
            start: block.now,
            tier: account.tier,
            apy_bps: account.apy_bps,
        })))
}

pub fn withdraw(deps: DepsMut, env: Env, info: MessageInfo) -> Result<Response, ContractError> {
    let block = Block::from(&env);
    let config = CONFIG.load(deps.storage)?;
    let owner = info.sender;
    let mut account = ACCOUNTS.may_load(deps.storage, &owner)?.unwrap_or_default();
    if account.amount.is_zero() {
        return Err(ContractError::NoLock {
            address: owner.to_string(),
        });
    }
    if account.end > block.now {
        return Err(ContractError::LockNotExpired { end: account.end });
    }
    let mut g = load_global_now(deps.storage, block.now)?;
    settle_rewards(deps.storage, &mut account, &g, block.now)?;
    let amount = account.amount;
    let rewards = account.reward_pending;
    // The lock has ended: it no longer counts in any aggregate.
    account.amount = Uint128::zero();
    account.end = 0;
    account.start = 0;
    account.tier = 0;
    account.apy_bps = 0;
    account.reward_pending = Uint128::zero();
    g.locked -= amount;
    g.pool.paid += rewards;
    ACCOUNTS.save(deps.storage, &owner, &account)?;
    save_global(deps.storage, &mut g, block.height)?;
    Ok(Response::new()
        .add_message(transfer(&config.token, &owner, amount + rewards)?)
        .add_event(to_event(&ev::Withdrawn {
            owner: owner.to_string(),
            amount: amount.u128(),
            rewards: rewards.u128(),
        })))
}

pub fn claim(deps: DepsMut, env: Env, info: MessageInfo) -> Result<Response, ContractError> {
    let block = Block::from(&env);
    let config = CONFIG.load(deps.storage)?;
    let owner = info.sender;
    let mut account = ACCOUNTS.may_load(deps.storage, &owner)?.unwrap_or_default();
    let mut g = load_global_now(deps.storage, block.now)?;
    settle_rewards(deps.storage, &mut account, &g, block.now)?;
    let rewards = account.reward_pending;
    if rewards.is_zero() {
        return Err(ContractError::NothingToClaim);
    }
    account.reward_pending = Uint128::zero();
    g.pool.paid += rewards;
    ACCOUNTS.save(deps.storage, &owner, &account)?;
    save_global(deps.storage, &mut g, block.height)?;
    Ok(Response::new()
        .add_message(transfer(&config.token, &owner, rewards)?)
        .add_event(to_event(&ev::RewardsClaimed {
            owner: owner.to_string(),
            amount: rewards.u128(),
        })))
}

fn fund(deps: DepsMut, block: Block, sender: Addr, amount: Uint128) -> Result<Response, ContractError> {
    // Accrue at the old funding level first: funding is never retroactive.
    let mut g = load_global_now(deps.storage, block.now)?;
    g.pool.funded += amount;
    save_global(deps.storage, &mut g, block.height)?;
    Ok(Response::new().add_event(to_event(&ev::RewardsFunded {
        sender: sender.to_string(),
        amount: amount.u128(),
        funded_total: g.pool.funded.u128(),
    })))
}

pub fn register_delegate(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    profile: Option<String>,
) -> Result<Response, ContractError> {
    let delegate = info.sender;
    // A sanctioned address may not gather others' voting power.
    refuse_sanctioned(&deps.querier, &CONFIG.load(deps.storage)?, &delegate)?;
    let account = ACCOUNTS.may_load(deps.storage, &delegate)?.unwrap_or_default();
    if account.delegate.is_some() {
        return Err(ContractError::DelegatorCannotRegister {
            address: delegate.to_string(),
        });
    }
    let existing = DELEGATES.may_load(deps.storage, &delegate)?;
    if existing.as_ref().is_some_and(DelegateInfo::is_active) {
        return Err(ContractError::AlreadyDelegate {
            address: delegate.to_string(),
        });
    }
    let profile = profile.map(|p| p.trim().to_string()).filter(|p| !p.is_empty());
    if profile.as_ref().is_some_and(|p| p.chars().count() > MAX_PROFILE_LEN) {
        return Err(ContractError::ProfileTooLong);
    }
    if let Some(c) = profile.as_deref().and_then(fog_events::Text::forbidden_char) {
        return Err(ContractError::ProfileControlCharacter { code: u32::from(c) });
    }
    DELEGATES.save(
        deps.storage,
        &delegate,
        &DelegateInfo {
            profile: profile.clone(),
            // A retired delegate registering again keeps the delegators
            // whose delegations have not lapsed yet.
            delegators: existing.map_or(0, |d| d.delegators),
            since_height: env.block.height,
            retired_height: None,
        },
    )?;
    Ok(Response::new().add_event(to_event(&ev::DelegateRegistered {
        delegate: delegate.to_string(),
        profile: profile.map(Text),
    })))
}

/// A delegate may leave once it receives no power: delegations without a
/// live lock (which anyone can make, to anyone) do not hold it. Those
/// that remain lapse when their delegator next locks; until then the
/// record stays, retired, so its delegators are still counted.
pub fn unregister_delegate(deps: DepsMut, env: Env, info: MessageInfo) -> Result<Response, ContractError> {
    let block = Block::from(&env);
    let delegate = info.sender;
    let mut record = DELEGATES
        .may_load(deps.storage, &delegate)?
        .filter(DelegateInfo::is_active)
        .ok_or_else(|| ContractError::NotADelegate {
            address: delegate.to_string(),
        })?;
    let account = ACCOUNTS.may_load(deps.storage, &delegate)?.unwrap_or_default();
    let received = point_now(deps.storage, &delegate, &account, block.now)?.received_bias;
    if !received.is_zero() {
        // Rounded up: a dust lock's fraction of a unit still holds it.
        return Err(ContractError::DelegateHoldsPower {
            power: Uint128::new(received.u128().div_ceil(crate::curve::SCALE)),
        });
    }
    if record.delegators == 0 {
        DELEGATES.remove(deps.storage, &delegate);
    } else {
        record.retired_height = Some(block.height);
        DELEGATES.save(deps.storage, &delegate, &record)?;
    }
    Ok(Response::new().add_event(to_event(&ev::DelegateUnregistered {
        delegate: delegate.to_string(),
    })))
}

/// The part of an account's lock that delegation moves: alive locks only.
fn delegable_line(account: &Account, now: u64) -> Option<LockLine> {
    (!account.amount.is_zero())
        .then(|| line_of(account))
        .and_then(|l| l.alive(now))
}

/// One delegator more, for an active delegate.
fn count_delegator(storage: &mut dyn Storage, delegate: &Addr) -> Result<(), ContractError> {
    let mut record = DELEGATES
        .may_load(storage, delegate)?
        .filter(DelegateInfo::is_active)
        .ok_or_else(|| ContractError::NotADelegate {
            address: delegate.to_string(),
        })?;
    record.delegators += 1;
    DELEGATES.save(storage, delegate, &record)?;
    Ok(())
}

/// One delegator fewer; a retired delegate's record goes with its last.
fn uncount_delegator(storage: &mut dyn Storage, delegate: &Addr) -> StdResult<()> {
    let Some(mut record) = DELEGATES.may_load(storage, delegate)? else {
        return Ok(());
    };
    record.delegators = record.delegators.saturating_sub(1);
    if record.delegators == 0 && !record.is_active() {
        DELEGATES.remove(storage, delegate);
    } else {
        DELEGATES.save(storage, delegate, &record)?;
    }
    Ok(())
}

pub fn delegate(deps: DepsMut, env: Env, info: MessageInfo, to: String) -> Result<Response, ContractError> {
    let block = Block::from(&env);
    let delegator = info.sender;
    let to = deps.api.addr_validate(&to)?;
    if to == delegator {
        return Err(ContractError::SelfDelegation);
    }
    if DELEGATES
        .may_load(deps.storage, &delegator)?
        .is_some_and(|d| d.is_active())
    {
        return Err(ContractError::DelegateCannotDelegate);
    }
    if !DELEGATES.may_load(deps.storage, &to)?.is_some_and(|d| d.is_active()) {
        return Err(ContractError::NotADelegate {
            address: to.to_string(),
        });
    }
    // Neither side of a new delegation may be sanctioned: a sanctioned
    // delegator's lock would vote through its delegate, and a sanctioned
    // delegate would vote with others' power.
    let config = CONFIG.load(deps.storage)?;
    refuse_sanctioned(&deps.querier, &config, &delegator)?;
    refuse_sanctioned(&deps.querier, &config, &to)?;
    let mut account = ACCOUNTS.may_load(deps.storage, &delegator)?.unwrap_or_default();
    if account.delegate.as_ref() == Some(&to) {
        return Err(ContractError::AlreadyDelegating {
            address: delegator.to_string(),
            delegate: to.to_string(),
        });
    }
    let line = delegable_line(&account, block.now);
    let previous = account.delegate.take();
    if let Some(old) = &previous {
        change_received(deps.storage, old, line, None, block.now, block.height)?;
        uncount_delegator(deps.storage, old)?;
    }
    change_received(deps.storage, &to, None, line, block.now, block.height)?;
    count_delegator(deps.storage, &to)?;
    account.delegate = Some(to.clone());
    let mut point = point_now(deps.storage, &delegator, &account, block.now)?;
    point.delegate = Some(to.clone());
    push_point(deps.storage, &delegator, &mut account, point, block.height)?;
    ACCOUNTS.save(deps.storage, &delegator, &account)?;
    Ok(Response::new().add_event(to_event(&ev::Delegated {
        delegator: delegator.to_string(),
        delegate: to.to_string(),
        previous: previous.map(String::from),
    })))
}

pub fn undelegate(deps: DepsMut, env: Env, info: MessageInfo) -> Result<Response, ContractError> {
    let delegator = info.sender;
    let mut account = ACCOUNTS.may_load(deps.storage, &delegator)?.unwrap_or_default();
    let Some(old) = account.delegate.clone() else {
        return Err(ContractError::NotDelegating {
            address: delegator.to_string(),
        });
    };
    end_delegation(deps.storage, &delegator, &mut account, Block::from(&env))?;
    Ok(Response::new().add_event(to_event(&ev::Undelegated {
        delegator: delegator.to_string(),
        delegate: old.to_string(),
    })))
}

pub fn drop_delegator(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    delegator: String,
) -> Result<Response, ContractError> {
    let delegate = info.sender;
    let delegator = deps.api.addr_validate(&delegator)?;
    let mut account = ACCOUNTS.may_load(deps.storage, &delegator)?.unwrap_or_default();
    if account.delegate.as_ref() != Some(&delegate) {
        return Err(ContractError::NotDelegatingTo {
            delegator: delegator.to_string(),
            delegate: delegate.to_string(),
        });
    }
    end_delegation(deps.storage, &delegator, &mut account, Block::from(&env))?;
    Ok(Response::new().add_event(to_event(&ev::DelegatorDropped {
        delegate: delegate.to_string(),
        delegator: delegator.to_string(),
    })))
}

/// Ends `delegator`'s delegation: its delegate stops receiving the live
/// lock's power and counts one delegator fewer.
fn end_delegation(storage: &mut dyn Storage, delegator: &Addr, account: &mut Account, block: Block) -> StdResult<()> {
    let Some(old) = account.delegate.take() else {
        return Ok(());
    };
    change_received(
        storage,
        &old,
        delegable_line(account, block.now),
        None,
        block.now,
        block.height,
    )?;
    uncount_delegator(storage, &old)?;
    let mut point = point_now(storage, delegator, account, block.now)?;
    point.delegate = None;
    push_point(storage, delegator, account, point, block.height)?;
    ACCOUNTS.save(storage, delegator, account)
}

pub fn checkpoint(deps: DepsMut, env: Env, info: MessageInfo) -> Result<Response, ContractError> {
    let block = Block::from(&env);
    let mut g = load_global_now(deps.storage, block.now)?;
    save_global(deps.storage, &mut g, block.height)?;
    Ok(Response::new().add_event(to_event(&ev::Checkpointed {
        sender: info.sender.to_string(),
    })))
}

/// Name of the account's tier in the current configuration.
pub fn tier_name(tiers: &[Tier], account: &Account) -> String {
    tiers
        .get(usize::from(account.tier))
        .map(|t| t.name.clone())
        .unwrap_or_else(|| format!("tier {}", account.tier))
}

pub fn tier_defs(tiers: &[Tier]) -> Vec<ev::TierDef> {
    tiers
        .iter()
        .map(|t| ev::TierDef {
            name: t.name.clone(),
            min_weeks: t.min_weeks,
            min_amount: t.min_amount.to_string(),
            apy_bps: t.apy_bps,
        })
        .collect()
}

pub fn config_event(sender: &Addr, config: &Config) -> cosmwasm_std::Event {
    to_event(&ev::ConfigUpdated {
        sender: sender.to_string(),
        owner: config.owner.to_string(),
        token: config.token.to_string(),
        registry: config.registry.as_ref().map(Addr::to_string),
        tiers: tier_defs(&config.tiers),
    })
}

pub fn update_config(
    deps: DepsMut,
    info: MessageInfo,
    owner: Option<String>,
    registry: Option<String>,
    remove_registry: Option<bool>,
    tiers: Option<Vec<Tier>>,
) -> Result<Response, ContractError> {
    let mut config = CONFIG.load(deps.storage)?;
    if info.sender != config.owner {
        return Err(ContractError::Unauthorized);
    }
    if let Some(owner) = owner {
        config.owner = deps.api.addr_validate(&owner)?;
    }
    if let Some(registry) = registry {
        config.registry = Some(deps.api.addr_validate(&registry)?);
    }
    if remove_registry == Some(true) {
        config.registry = None;
    }
    if let Some(tiers) = tiers {
        tiers::validate(&tiers)?;
        config.tiers = tiers;
    }
    CONFIG.save(deps.storage, &config)?;
    Ok(Response::new().add_event(config_event(&info.sender, &config)))
}
