//! Storage layout of veFOG.
//!
//! The layout is a public, versioned interface: the governance contract reads
//! voting power at a snapshot with raw queries (see [`crate::raw`]) because a
//! smart query costs ~60k gas of VM instantiation per call on wasmd, and a
//! raw read ~1-2k. Changing a key or a field here is a breaking change for
//! governance and needs a migration of both. Field names of the entries read
//! on every vote are short to keep storage writes cheap.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Uint128, Uint256};
use cw_storage_plus::{Item, Map};
use serde::{Deserialize, Serialize};

use crate::tiers::Tier;

#[cw_serde]
pub struct Config {
    /// May update the configuration: the governance contract.
    pub owner: Addr,
    /// The FOG cw20 token that is locked and paid as rewards.
    pub token: Addr,
    /// Compliance registry consulted to refuse locks from sanctioned addresses.
    pub registry: Option<Addr>,
    /// Reward tiers, lowest first.
    pub tiers: Vec<Tier>,
}

/// One address: its lock, its delegation and its reward accounting.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct Account {
    /// FOG locked (0: no lock).
    #[serde(rename = "a")]
    pub amount: Uint128,
    /// End of the lock (a week boundary), 0 without a lock.
    #[serde(rename = "e")]
    pub end: u64,
    /// Time of the lock or of its last extension; the tier's length counts
    /// from here.
    #[serde(rename = "st")]
    pub start: u64,
    /// Index of the lock's tier in the configuration.
    #[serde(rename = "ti")]
    pub tier: u8,
    /// Reward rate of the lock, fixed when the tier was assigned.
    #[serde(rename = "y")]
    pub apy_bps: u16,
    /// Number of points in this address's history ([`USER_POINTS`]).
    #[serde(rename = "n")]
    pub epoch: u64,
    /// The registered delegate this address delegates to.
    #[serde(rename = "d", default, skip_serializing_if = "Option::is_none")]
    pub delegate: Option<Addr>,
    /// Pool index up to which rewards are in `reward_pending`.
    #[serde(rename = "ri")]
    pub reward_index: Uint128,
    /// Rewards earned and not yet claimed.
    #[serde(rename = "rp")]
    pub reward_pending: Uint128,
}

/// An address's voting state after the last change in block `height`.
///
/// Own power at `t` is `own_slope * (own_end - t)`; received power is an
/// aggregate of the delegators' locks, moved to `t` with the slope changes in
/// [`RECEIVED_CHANGES`]. Both are scaled by [`crate::curve::SCALE`].
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct UserPoint {
    #[serde(rename = "h")]
    pub height: u64,
    #[serde(rename = "t")]
    pub time: u64,
    #[serde(rename = "s")]
    pub own_slope: Uint128,
    #[serde(rename = "e")]
    pub own_end: u64,
    #[serde(rename = "rb")]
    pub received_bias: Uint128,
    #[serde(rename = "rs")]
    pub received_slope: Uint128,
    #[serde(rename = "d", default, skip_serializing_if = "Option::is_none")]
    pub delegate: Option<Addr>,
}

/// The total of all locks after the last change in block `height`.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GlobalPoint {
    #[serde(rename = "h")]
    pub height: u64,
    #[serde(rename = "t")]
    pub time: u64,
    #[serde(rename = "b")]
    pub bias: Uint128,
    #[serde(rename = "s")]
    pub slope: Uint128,
}

/// What changes at one week boundary: the slope and the reward rate of the
/// locks that end then, and the reward index when the boundary was passed.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WeekChange {
    #[serde(rename = "s")]
    pub slope: Uint128,
    #[serde(rename = "r")]
    pub rate: Uint128,
    #[serde(rename = "i", default, skip_serializing_if = "Option::is_none")]
    pub index_at: Option<Uint128>,
}

/// The reward pool (see [`crate::rewards`]).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolState {
    pub index: Uint128,
    pub rate: Uint128,
    pub reserved: Uint256,
    pub funded: Uint128,
    pub paid: Uint128,
}

/// Global state: the latest total point, FOG locked, the reward pool.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GlobalState {
    /// Number of points in [`GLOBAL_POINTS`].
    pub epoch: u64,
    pub point: GlobalPoint,
    pub locked: Uint128,
    pub pool: PoolState,
}

#[cw_serde]
pub struct DelegateInfo {
    /// Where voters can read about the delegate (a URL or a short text).
    pub profile: Option<String>,
    /// Addresses delegating to it now.
    pub delegators: u64,
    /// Height at which it registered.
    pub since_height: u64,
    /// Set when it unregistered while addresses still delegated to it
    /// (without power: see `unregister_delegate`). It receives nothing
    /// then; a delegator's delegation lapses when it next locks, and
    /// revives if the delegate registers again first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired_height: Option<u64>,
}

impl DelegateInfo {
    /// Registered and receiving delegations.
    pub fn is_active(&self) -> bool {
        self.retired_height.is_none()
    }
}

pub const CONFIG: Item<Config> = Item::new("config");
pub const ACCOUNTS: Map<&Addr, Account> = Map::new("acct");
/// `(address, epoch)`, epochs from 1; one point per address per block.
pub const USER_POINTS: Map<(&Addr, u64), UserPoint> = Map::new("upt");
pub const GLOBAL: Item<GlobalState> = Item::new("global");
/// Epochs from 1; one point per block.
pub const GLOBAL_POINTS: Map<u64, GlobalPoint> = Map::new("gpt");
/// Keyed by week boundary (seconds).
pub const WEEK_CHANGES: Map<u64, WeekChange> = Map::new("wk");
/// `(delegate, week boundary)`: slope leaving the delegate's received power.
pub const RECEIVED_CHANGES: Map<(&Addr, u64), Uint128> = Map::new("rwk");
pub const DELEGATES: Map<&Addr, DelegateInfo> = Map::new("dlg");
