//! Entry points: thin, they dispatch to `admin` (the owner's actions),
//! `anchor` (checkpoints) and `query`.

#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Response};
use fog_events::audit_anchor::{Instantiated, Migrated};
use fog_events::to_event;

use crate::anchor::Submission;
use crate::error::ContractError;
use crate::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};
use crate::state::{Config, CONFIG};
use crate::{admin, anchor, query, version};

/// cw2 name of this contract.
pub const CONTRACT_NAME: &str = "crates.io:fog-audit-anchor";
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
        ExecuteMsg::CreateLog {
            origin,
            submitters,
            public_key,
        } => admin::create_log(deps, info, origin, submitters, public_key),
        ExecuteMsg::SetLogKey { origin, public_key } => admin::set_log_key(deps, info, origin, public_key),
        ExecuteMsg::AddSubmitter { origin, submitter } => admin::add_submitter(deps, info, origin, submitter),
        ExecuteMsg::RemoveSubmitter { origin, submitter } => admin::remove_submitter(deps, info, origin, submitter),
        ExecuteMsg::Checkpoint {
            origin,
            size,
            root,
            timestamp,
            proof,
            signature,
        } => anchor::checkpoint(
            deps,
            env,
            info,
            Submission {
                origin,
                size,
                root,
                timestamp,
                proof,
                signature,
            },
        ),
        ExecuteMsg::UpdateOwner { owner } => admin::update_owner(deps, info, owner),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, _env: Env, msg: QueryMsg) -> Result<Binary, ContractError> {
    Ok(match msg {
        QueryMsg::Config {} => to_json_binary(&query::config(deps)?),
        QueryMsg::Log { origin } => to_json_binary(&query::log(deps, origin)?),
        QueryMsg::Logs { start_after, limit } => to_json_binary(&query::logs(deps, start_after, limit)?),
        QueryMsg::LatestCheckpoint { origin } => to_json_binary(&query::latest_checkpoint(deps, origin)?),
        QueryMsg::Checkpoint { origin, size } => to_json_binary(&query::checkpoint(deps, origin, size)?),
        QueryMsg::Checkpoints {
            origin,
            start_after,
            limit,
        } => to_json_binary(&query::checkpoints(deps, origin, start_after, limit)?),
        QueryMsg::VerifyInclusion {
            origin,
            leaf_hash,
            index,
            tree_size,
            proof,
        } => to_json_binary(&query::verify(deps, origin, leaf_hash, index, tree_size, proof)?),
    }?)
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
