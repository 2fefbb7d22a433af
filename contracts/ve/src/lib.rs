//! veFOG: FOG locked for voting power that decays linearly to the lock's
//! end (the Curve VotingEscrow model), tiers with staking rewards from a
//! funded pool, and one-level delegation to registered delegates.
//!
//! Voting power is exact at any past height (see [`snapshot`]) and readable
//! by other contracts through raw queries (see [`raw`]).

pub mod contract;
pub mod curve;
mod error;
mod execute;
mod ledger;
pub mod msg;
mod query;
pub mod raw;
pub mod rewards;
pub mod snapshot;
pub mod state;
mod store;
pub mod tiers;

pub use crate::error::ContractError;
