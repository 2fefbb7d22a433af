//! Reading the registry from another contract, by raw query.
//!
//! A raw query reads one storage key of the registry (a storage read's gas)
//! instead of running the registry for a smart query (~60k gas to
//! instantiate the VM). It depends on the storage layout documented in
//! [`crate::state`], a versioned public interface. An address without an
//! entry reads as `None`: tier 0, not sanctioned.

use cosmwasm_std::{Addr, QuerierWrapper, StdResult, Timestamp};

use crate::state::{Entry, ENTRIES};

/// The registry's entry for `address`, if it has one.
pub fn entry(querier: &QuerierWrapper, registry: &Addr, address: &Addr) -> StdResult<Option<Entry>> {
    ENTRIES.query(querier, registry.clone(), address)
}

/// Whether `address` is sanctioned; false when it has no entry.
pub fn is_sanctioned(querier: &QuerierWrapper, registry: &Addr, address: &Addr) -> StdResult<bool> {
    Ok(entry(querier, registry, address)?.is_some_and(|e| e.is_sanctioned()))
}

/// The KYC tier of `address` that counts at `now` (0 when it has no entry
/// or its verification has expired).
pub fn kyc_tier(querier: &QuerierWrapper, registry: &Addr, address: &Addr, now: Timestamp) -> StdResult<u8> {
    Ok(entry(querier, registry, address)?.map_or(0, |e| e.effective_tier(now)))
}
