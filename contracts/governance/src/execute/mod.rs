//! State-changing handlers of governance.

pub mod lifecycle;
pub mod propose;
pub mod vote;

use cosmwasm_std::{Addr, QuerierWrapper, StdResult};

use crate::error::ContractError;

/// The address's effective KYC tier in the registry (0 without a registry
/// entry), checked against `required`.
pub fn require_kyc(
    querier: &QuerierWrapper,
    registry: Option<&Addr>,
    address: &Addr,
    required: u8,
    now: u64,
) -> Result<(), ContractError> {
    let actual = kyc_tier(querier, registry, address, now)?;
    if actual < required {
        return Err(ContractError::KycTierTooLow {
            address: address.to_string(),
            required,
            actual,
        });
    }
    Ok(())
}

fn kyc_tier(querier: &QuerierWrapper, registry: Option<&Addr>, address: &Addr, now: u64) -> StdResult<u8> {
    match registry {
        None => Ok(0),
        Some(r) => fog_registry::raw::kyc_tier(querier, r, address, cosmwasm_std::Timestamp::from_seconds(now)),
    }
}
