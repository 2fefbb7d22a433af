//! fog's compliance registry: per address, a KYC tier, a jurisdiction, a
//! sanctions flag, the expiry of the KYC verification and a hash commitment
//! to the off-chain KYC record. No personal data is stored on-chain.
//!
//! Compliance officers, appointed by the owner (the DAO's governance
//! contract or an admin), write the entries; every change is one
//! `fog.registry.*` event naming the officer.
//!
//! Other contracts read entries through [`raw`], a raw storage read of
//! [`state::ENTRIES`] (a versioned public interface), which costs a storage
//! read instead of a smart query.

pub mod contract;
pub mod error;
mod execute;
pub mod msg;
mod query;
pub mod raw;
pub mod rules;
pub mod state;

pub use crate::error::ContractError;
pub use crate::state::Entry;
