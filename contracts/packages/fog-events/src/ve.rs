//! Events of the veFOG contract (`contracts/ve`).
//!
//! Amounts are FOG base units; times are seconds since the Unix epoch; `tier`
//! is the index of the tier in the contract's configuration.

use serde::{Deserialize, Serialize};

/// A reward tier as configured (see `fog_ve::tiers::Tier`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierDef {
    pub name: String,
    pub min_weeks: u64,
    /// FOG base units, as a decimal string.
    pub min_amount: String,
    pub apy_bps: u16,
}

crate::fog_events! {
    contract = "ve";
    /// Every event of the veFOG contract.
    pub enum VeEvent {
        /// The configuration was set (at instantiation) or changed.
        ConfigUpdated = "config_updated" v 1 {
            sender: String,
            owner: String,
            token: String,
            registry: Option<String>,
            tiers: Vec<TierDef>,
        },
        /// FOG was locked by an address that had no lock.
        LockCreated = "lock_created" v 1 {
            owner: String,
            amount: u128,
            end: u64,
            start: u64,
            tier: u8,
            apy_bps: u16,
        },
        /// FOG was added to an unexpired lock.
        LockIncreased = "lock_increased" v 1 {
            owner: String,
            added: u128,
            amount: u128,
            end: u64,
            start: u64,
            tier: u8,
            apy_bps: u16,
        },
        /// A lock's end moved later.
        LockExtended = "lock_extended" v 1 {
            owner: String,
            amount: u128,
            end: u64,
            start: u64,
            tier: u8,
            apy_bps: u16,
        },
        /// An expired lock was withdrawn with its unclaimed rewards.
        Withdrawn = "withdrawn" v 1 {
            owner: String,
            amount: u128,
            rewards: u128,
        },
        /// Rewards were paid.
        RewardsClaimed = "rewards_claimed" v 1 {
            owner: String,
            amount: u128,
        },
        /// FOG was added to the reward pool.
        RewardsFunded = "rewards_funded" v 1 {
            sender: String,
            amount: u128,
            funded_total: u128,
        },
        /// An address became a delegate.
        DelegateRegistered = "delegate_registered" v 1 {
            delegate: String,
            profile: Option<crate::Text>,
        },
        /// A delegate stopped being one.
        DelegateUnregistered = "delegate_unregistered" v 1 {
            delegate: String,
        },
        /// An address delegated its power (replacing `previous`, if any).
        Delegated = "delegated" v 1 {
            delegator: String,
            delegate: String,
            previous: Option<String>,
        },
        /// An address took its power back.
        Undelegated = "undelegated" v 1 {
            delegator: String,
            delegate: String,
        },
        /// A delegate stopped representing a delegator, whose power is its
        /// own again.
        DelegatorDropped = "delegator_dropped" v 1 {
            delegate: String,
            delegator: String,
        },
        /// The total was recorded at this block.
        Checkpointed = "checkpointed" v 1 {
            sender: String,
        },
    }
}
