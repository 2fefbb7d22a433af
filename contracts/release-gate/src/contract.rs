//! Entry points: thin, they dispatch to the handlers in `admin` (groups,
//! policies, ownership), `release` (the request's life) and `query`.

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Response, StdResult};
use fog_events::release_gate::{Instantiated, Migrated};
use fog_events::to_event;

use crate::error::ContractError;
use crate::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};
use crate::state::{Config, CONFIG};
use crate::{admin, query, release, version};

/// cw2 name of this contract.
pub const CONTRACT_NAME: &str = "crates.io:fog-release-gate";
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
        ExecuteMsg::CreateGroup { name } => admin::create_group(deps, info, name),
        ExecuteMsg::RemoveGroup { name } => admin::remove_group(deps, info, name),
        ExecuteMsg::AddMember { group, address } => admin::add_member(deps, info, group, address),
        ExecuteMsg::RemoveMember { group, address } => admin::remove_member(deps, info, group, address),
        ExecuteMsg::SetPolicy {
            artifact_type,
            min_approvals,
            required_groups,
            expiry_seconds,
            revoker_groups,
            requester_groups,
        } => admin::set_policy(
            deps,
            info,
            admin::NewPolicy {
                artifact_type,
                min_approvals,
                required_groups,
                expiry_seconds,
                revoker_groups,
                requester_groups,
            },
        ),
        ExecuteMsg::Request {
            artifact_type,
            artifact_id,
            artifact_version,
            sha256,
            lineage_hash,
            dataset_hashes,
            risk_notes,
        } => release::request(
            deps,
            env,
            info,
            release::NewRequest {
                artifact_type,
                artifact_id,
                artifact_version,
                sha256,
                lineage_hash,
                dataset_hashes,
                risk_notes,
            },
        ),
        ExecuteMsg::Approve { id, comment } => release::approve(deps, env, info, id, comment),
        ExecuteMsg::Reject { id, comment } => release::reject(deps, env, info, id, comment),
        ExecuteMsg::Revoke { id, reason } => release::revoke(deps, env, info, id, reason),
        ExecuteMsg::Expire { id } => release::expire(deps, env, info, id),
        ExecuteMsg::UpdateOwner { owner } => admin::update_owner(deps, info, owner),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Config {} => to_json_binary(&query::config(deps)?),
        QueryMsg::Group { name } => to_json_binary(&query::group(deps, name)?),
        QueryMsg::Groups { start_after, limit } => to_json_binary(&query::groups(deps, start_after, limit)?),
        QueryMsg::Policy { artifact_type } => to_json_binary(&query::policy(deps, artifact_type)?),
        QueryMsg::Policies { start_after, limit } => to_json_binary(&query::policies(deps, start_after, limit)?),
        QueryMsg::Request { id } => to_json_binary(&query::request(deps, env, id)?),
        QueryMsg::Requests {
            start_after,
            limit,
            status,
        } => to_json_binary(&query::requests(deps, env, start_after, limit, status)?),
        QueryMsg::RequestsByArtifact {
            sha256,
            start_after,
            limit,
        } => to_json_binary(&query::requests_by_artifact(deps, env, sha256, start_after, limit)?),
        QueryMsg::IsReleased { sha256, artifact_type } => {
            to_json_binary(&query::is_released(deps, env, sha256, artifact_type)?)
        }
    }
}

/// Refuses code of another contract and downgrades; records the new
/// version.
#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    let stored = cw2::get_contract_version(deps.storage)?;
    version::check_migration(&stored.contract, &stored.version, CONTRACT_NAME, CONTRACT_VERSION)?;
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    Ok(Response::new().add_event(to_event(&Migrated {
        from_version: stored.version,
        to_version: CONTRACT_VERSION.to_string(),
    })))
}
