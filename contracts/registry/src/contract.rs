//! Entry points: thin, they dispatch to [`crate::execute`] and
//! [`crate::query`].

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Response, StdResult};
use fog_events::registry::{Instantiated, Migrated};
use fog_events::to_event;

use crate::error::ContractError;
use crate::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};
use crate::state::{Config, CONFIG};
use crate::{execute, query, rules};

/// cw2 name of this contract.
pub const CONTRACT_NAME: &str = "crates.io:fog-registry";
/// cw2 version of this contract.
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    cw_utils::nonpayable(&info)?;
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    let owner = deps.api.addr_validate(&msg.owner)?;
    CONFIG.save(deps.storage, &Config { owner: owner.clone() })?;
    Ok(Response::new().add_event(to_event(&Instantiated {
        owner: owner.into_string(),
        sender: info.sender.into_string(),
    })))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(deps: DepsMut, env: Env, info: MessageInfo, msg: ExecuteMsg) -> Result<Response, ContractError> {
    // Funds sent here could never leave: refuse them.
    cw_utils::nonpayable(&info)?;
    match msg {
        ExecuteMsg::AddOfficer { address } => execute::add_officer(deps, info, address),
        ExecuteMsg::RemoveOfficer { address } => execute::remove_officer(deps, info, address),
        ExecuteMsg::SetEntry {
            address,
            kyc_tier,
            jurisdiction,
            sanctioned,
            expires_at,
            commitment,
        } => execute::set_entry(
            deps,
            env,
            info,
            execute::NewEntry {
                address,
                kyc_tier,
                jurisdiction,
                sanctioned,
                expires_at,
                commitment,
            },
        ),
        ExecuteMsg::SetSanctioned {
            address,
            sanctioned,
            reason,
        } => execute::set_sanctioned(deps, env, info, address, sanctioned, reason),
        ExecuteMsg::RemoveEntry { address } => execute::remove_entry(deps, info, address),
        ExecuteMsg::UpdateOwner { owner } => execute::update_owner(deps, info, owner),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Config {} => to_json_binary(&query::config(deps)?),
        QueryMsg::Officers { start_after, limit } => to_json_binary(&query::officers(deps, start_after, limit)?),
        QueryMsg::IsOfficer { address } => to_json_binary(&query::is_officer(deps, address)?),
        QueryMsg::Entry { address } => to_json_binary(&query::entry(deps, address)?),
        QueryMsg::Entries { start_after, limit } => to_json_binary(&query::entries(deps, start_after, limit)?),
        QueryMsg::Status { address } => to_json_binary(&query::status(deps, env, address)?),
    }
}

/// Refuses code of another contract and downgrades; records the new
/// version.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    let stored = cw2::get_contract_version(deps.storage)?;
    rules::check_migration(&stored.contract, &stored.version, CONTRACT_NAME, CONTRACT_VERSION)?;
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    Ok(Response::new().add_event(to_event(&Migrated {
        from_version: stored.version,
        to_version: CONTRACT_VERSION.to_string(),
    })))
}
