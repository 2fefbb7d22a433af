//! Query handlers.

use cosmwasm_std::{Addr, Deps, Env, Order, StdResult};
use cw_storage_plus::Bound;

use crate::msg::{
    AddressEntry, ConfigResponse, EntriesResponse, EntryResponse, IsOfficerResponse, OfficersResponse, StatusResponse,
};
use crate::state::{CONFIG, ENTRIES, OFFICERS};

/// Page size when none is given.
pub const DEFAULT_LIMIT: u32 = 10;
/// Largest page.
pub const MAX_LIMIT: u32 = 100;

fn page_size(limit: Option<u32>) -> usize {
    limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT) as usize
}

fn start_bound(deps: Deps, start_after: Option<String>) -> StdResult<Option<Addr>> {
    start_after.map(|s| deps.api.addr_validate(&s)).transpose()
}

pub fn config(deps: Deps) -> StdResult<ConfigResponse> {
    let config = CONFIG.load(deps.storage)?;
    Ok(ConfigResponse { owner: config.owner })
}

pub fn officers(deps: Deps, start_after: Option<String>, limit: Option<u32>) -> StdResult<OfficersResponse> {
    let start = start_bound(deps, start_after)?;
    let officers = OFFICERS
        .keys(
            deps.storage,
            start.as_ref().map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(page_size(limit))
        .collect::<StdResult<Vec<_>>>()?;
    Ok(OfficersResponse { officers })
}

pub fn is_officer(deps: Deps, address: String) -> StdResult<IsOfficerResponse> {
    let address = deps.api.addr_validate(&address)?;
    Ok(IsOfficerResponse {
        is_officer: OFFICERS.has(deps.storage, &address),
    })
}

pub fn entry(deps: Deps, address: String) -> StdResult<EntryResponse> {
    let address = deps.api.addr_validate(&address)?;
    let entry = ENTRIES.may_load(deps.storage, &address)?;
    Ok(EntryResponse { address, entry })
}

pub fn entries(deps: Deps, start_after: Option<String>, limit: Option<u32>) -> StdResult<EntriesResponse> {
    let start = start_bound(deps, start_after)?;
    let entries = ENTRIES
        .range(
            deps.storage,
            start.as_ref().map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(page_size(limit))
        .map(|item| item.map(|(address, entry)| AddressEntry { address, entry }))
        .collect::<StdResult<Vec<_>>>()?;
    Ok(EntriesResponse { entries })
}

pub fn status(deps: Deps, env: Env, address: String) -> StdResult<StatusResponse> {
    let address = deps.api.addr_validate(&address)?;
    let now = env.block.time;
    Ok(match ENTRIES.may_load(deps.storage, &address)? {
        Some(entry) => StatusResponse {
            kyc_tier: entry.effective_tier(now),
            sanctioned: entry.is_sanctioned(),
            expired: entry.is_expired(now),
        },
        None => StatusResponse {
            kyc_tier: 0,
            sanctioned: false,
            expired: false,
        },
    })
}
