use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, Uint128};
use cw20::Cw20ReceiveMsg;

// Named only by `#[returns]`, which cosmwasm-schema expands off wasm.
#[cfg_attr(target_arch = "wasm32", allow(unused_imports))]
use crate::state::Config;
use crate::tiers::Tier;

#[cw_serde]
pub struct InstantiateMsg {
    /// May change the configuration later: the governance contract (or, while
    /// bootstrapping, the deployer, who then hands over with `UpdateConfig`).
    pub owner: String,
    /// The FOG cw20 token: only its `Send` can lock or fund rewards.
    pub token: String,
    /// Compliance registry; when set, sanctioned addresses cannot lock.
    pub registry: Option<String>,
    /// Reward tiers, lowest first; the seed's Bronze to Diamond by default.
    pub tiers: Option<Vec<Tier>>,
}

#[cw_serde]
pub enum ExecuteMsg {
    /// FOG sent with cw20 `Send`; the embedded message says what for
    /// ([`ReceiveMsg`]).
    Receive(Cw20ReceiveMsg),
    /// Moves the end of the sender's lock to `duration` seconds from now
    /// (rounded down to whole weeks, at most 208); it must be later than the
    /// current end. The tier is re-evaluated from now.
    ExtendLock { duration: u64 },
    /// Returns an expired lock's FOG, with its unclaimed rewards.
    Withdraw {},
    /// Pays the sender's rewards earned so far.
    ClaimRewards {},
    /// Lets others delegate their voting power to the sender. A registered
    /// delegate cannot itself delegate.
    RegisterDelegate {
        /// Where voters can read about the delegate (URL or short text, at
        /// most 256 characters).
        profile: Option<String>,
    },
    /// Stops being a delegate; only possible while it receives no power
    /// (see `DropDelegator`). Delegations without a live lock (anyone can
    /// make one) do not hold it: they lapse when their delegator next
    /// locks, unless it registers again first.
    UnregisterDelegate {},
    /// A delegate (registered or retired) stops representing `delegator`:
    /// the delegation ends as if the delegator had undelegated, and its
    /// power is its own again. One delegator per call, so a delegate held
    /// by many small locks can still leave. Proposals that already started
    /// keep the delegation of their start.
    DropDelegator { delegator: String },
    /// Delegates the sender's voting power (its lock's, now and later) to a
    /// registered delegate. Proposals that already started keep the
    /// delegation of their start.
    Delegate { delegate: String },
    /// Takes the sender's voting power back from its delegate.
    Undelegate {},
    /// Records the total and the reward pool at this block. Anyone may call
    /// it; it shortens later history walks after a quiet period.
    Checkpoint {},
    /// Owner only.
    UpdateConfig {
        /// New owner.
        owner: Option<String>,
        /// New compliance registry.
        registry: Option<String>,
        /// Stop consulting a registry.
        remove_registry: Option<bool>,
        /// New tiers; locks keep their tier until they next change.
        tiers: Option<Vec<Tier>>,
    },
}

/// What FOG sent to this contract is for.
#[cw_serde]
pub enum ReceiveMsg {
    /// Creates a lock for the sender of the tokens, for `duration` seconds
    /// rounded down to whole weeks (1 to 208 weeks).
    Lock { duration: u64 },
    /// Adds the tokens to the sender's unexpired lock.
    IncreaseAmount {},
    /// Adds the tokens to the reward pool.
    FundRewards {},
}

/// A block: its height (whose state is read) and its time in seconds (at
/// which the state's linear decay is evaluated).
#[cw_serde]
pub struct AtBlock {
    pub height: u64,
    pub time: u64,
}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    #[returns(Config)]
    Config {},
    /// The address's lock.
    #[returns(LockResponse)]
    Lock { address: String },
    /// Voting power of an address now, or after block `at.height` evaluated
    /// at `at.time`.
    #[returns(VotingPowerResponse)]
    VotingPower { address: String, at: Option<AtBlock> },
    /// Total voting power now, or at `at`.
    #[returns(TotalPowerResponse)]
    TotalPower { at: Option<AtBlock> },
    /// The tier of the address's lock.
    #[returns(TierResponse)]
    Tier { address: String },
    /// Rewards the address could claim now.
    #[returns(PendingRewardsResponse)]
    PendingRewards { address: String },
    /// Locks in address order.
    #[returns(LocksResponse)]
    Locks {
        start_after: Option<String>,
        /// Default 10, at most 100.
        limit: Option<u32>,
    },
    /// A registered delegate.
    #[returns(DelegateResponse)]
    Delegate { address: String },
    /// Registered delegates in address order.
    #[returns(DelegatesResponse)]
    Delegates {
        start_after: Option<String>,
        /// Default 10, at most 20: each delegate's received power is moved
        /// forward along its delegators' lock ends, up to 209 weekly
        /// boundaries each, and a page must stay within a node's query gas.
        limit: Option<u32>,
    },
    /// The reward pool's accounting.
    #[returns(RewardPoolResponse)]
    RewardPool {},
}

#[cw_serde]
pub struct LockResponse {
    pub address: Addr,
    /// FOG locked.
    pub amount: Uint128,
    /// End of the lock, seconds since the epoch.
    pub end: u64,
    /// When the lock was made or last extended.
    pub start: u64,
    /// Name of the lock's tier (none without a lock).
    pub tier: Option<String>,
    pub apy_bps: u16,
    /// Power of the lock now.
    pub power: Uint128,
    pub expired: bool,
    pub delegate: Option<Addr>,
}

#[cw_serde]
pub struct VotingPowerResponse {
    /// Power of the address's own lock.
    pub own: Uint128,
    /// Power delegated to it.
    pub received: Uint128,
    /// Power it carries: own (unless delegated away) plus received.
    pub voting: Uint128,
    pub delegate: Option<Addr>,
    pub height: u64,
    pub time: u64,
}

#[cw_serde]
pub struct TotalPowerResponse {
    pub power: Uint128,
    /// FOG locked now (not historical).
    pub locked: Uint128,
    pub height: u64,
    pub time: u64,
}

#[cw_serde]
pub struct TierResponse {
    pub tier: Option<String>,
    pub index: Option<u8>,
    pub apy_bps: u16,
}

#[cw_serde]
pub struct PendingRewardsResponse {
    pub address: Addr,
    pub pending: Uint128,
}

#[cw_serde]
pub struct LocksResponse {
    pub locks: Vec<LockResponse>,
    /// Where the next page starts (its `start_after`); `None` once the
    /// last account was read. A page may hold fewer locks than asked, even
    /// none, and still have a next one.
    pub next_start_after: Option<String>,
}

#[cw_serde]
pub struct DelegateResponse {
    pub address: Addr,
    pub profile: Option<String>,
    pub delegators: u64,
    pub since_height: u64,
    /// Power delegated to it now.
    pub received: Uint128,
    /// Set once it unregistered while addresses still delegated to it (none
    /// with power); it receives nothing, and their delegations lapse when
    /// they next lock. Absent: registered.
    pub retired_height: Option<u64>,
}

#[cw_serde]
pub struct DelegatesResponse {
    pub delegates: Vec<DelegateResponse>,
}

#[cw_serde]
pub struct RewardPoolResponse {
    /// FOG ever funded.
    pub funded: Uint128,
    /// FOG paid out.
    pub paid: Uint128,
    /// FOG promised to lockers so far (paid or not), rounded up.
    pub reserved: Uint128,
    /// Funded but not yet promised.
    pub available: Uint128,
    /// Sum of amount x apy_bps over running locks.
    pub rate: Uint128,
}

#[cw_serde]
pub struct MigrateMsg {}
