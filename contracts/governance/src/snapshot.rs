//! Voting power at a proposal's start, read from veFOG with raw queries.

use cosmwasm_std::{Addr, QuerierWrapper, StdResult};
use fog_ve::raw::RemoteVe;
use fog_ve::snapshot::{total_at, voter_at, VoterSnapshot};

/// The state of veFOG before block `height` (power locked in the proposal's
/// own block does not count), evaluated at `time`.
pub fn voter_before(
    querier: &QuerierWrapper,
    ve: &Addr,
    voter: &Addr,
    height: u64,
    time: u64,
) -> StdResult<VoterSnapshot> {
    voter_at(
        &RemoteVe::new(querier, ve.clone()),
        voter,
        height.saturating_sub(1),
        time,
    )
}

pub fn total_before(querier: &QuerierWrapper, ve: &Addr, height: u64, time: u64) -> StdResult<u128> {
    Ok(total_at(&RemoteVe::new(querier, ve.clone()), height.saturating_sub(1), time)?.u128())
}
