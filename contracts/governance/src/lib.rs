//! DAO governance on veFOG snapshots: typed proposals, four voting methods
//! (yes/no, multiple choice, ranked choice, quadratic), delegation with
//! direct-vote override, quorum with late-quorum protection, an anti-whale
//! cap, early finalisation, and timelocked execution from the treasury with
//! per-period spending limits and a guardian's veto.
//!
//! Voting power is read from veFOG with raw queries at the proposal's start
//! (see [`snapshot`]): a vote costs storage reads, not a second contract.

pub mod actions;
pub mod config;
pub mod contract;
mod error;
mod execute;
pub mod msg;
mod proposal;
mod query;
pub mod snapshot;
pub mod state;
pub mod voting;

pub use crate::error::ContractError;
