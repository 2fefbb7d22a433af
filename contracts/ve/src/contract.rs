#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{to_json_binary, Binary, Deps, DepsMut, Env, MessageInfo, Response, StdResult};

use crate::error::ContractError;
use crate::execute;
use crate::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};
use crate::query;
use crate::state::{Config, GlobalState, CONFIG, GLOBAL};
use crate::tiers::{self, default_tiers};

pub const CONTRACT_NAME: &str = "crates.io:fog-ve";
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(deps: DepsMut, env: Env, info: MessageInfo, msg: InstantiateMsg) -> Result<Response, ContractError> {
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    let tiers = msg.tiers.unwrap_or_else(default_tiers);
    tiers::validate(&tiers)?;
    let config = Config {
        owner: deps.api.addr_validate(&msg.owner)?,
        token: deps.api.addr_validate(&msg.token)?,
        registry: msg.registry.map(|r| deps.api.addr_validate(&r)).transpose()?,
        tiers,
    };
    CONFIG.save(deps.storage, &config)?;
    let mut global = GlobalState::default();
    global.point.time = env.block.time.seconds();
    global.point.height = env.block.height;
    GLOBAL.save(deps.storage, &global)?;
    Ok(Response::new().add_event(execute::config_event(&info.sender, &config)))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(deps: DepsMut, env: Env, info: MessageInfo, msg: ExecuteMsg) -> Result<Response, ContractError> {
    match msg {
        ExecuteMsg::Receive(msg) => execute::receive(deps, env, info, msg),
        ExecuteMsg::ExtendLock { duration } => execute::extend(deps, env, info, duration),
        ExecuteMsg::Withdraw {} => execute::withdraw(deps, env, info),
        ExecuteMsg::ClaimRewards {} => execute::claim(deps, env, info),
        ExecuteMsg::RegisterDelegate { profile } => execute::register_delegate(deps, env, info, profile),
        ExecuteMsg::UnregisterDelegate {} => execute::unregister_delegate(deps, env, info),
        ExecuteMsg::DropDelegator { delegator } => execute::drop_delegator(deps, env, info, delegator),
        ExecuteMsg::Delegate { delegate } => execute::delegate(deps, env, info, delegate),
        ExecuteMsg::Undelegate {} => execute::undelegate(deps, env, info),
        ExecuteMsg::Checkpoint {} => execute::checkpoint(deps, env, info),
        ExecuteMsg::UpdateConfig {
            owner,
            registry,
            remove_registry,
            tiers,
        } => execute::update_config(deps, info, owner, registry, remove_registry, tiers),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Config {} => to_json_binary(&CONFIG.load(deps.storage)?),
        QueryMsg::Lock { address } => to_json_binary(&query::lock(deps, env, address)?),
        QueryMsg::VotingPower { address, at } => to_json_binary(&query::voting_power(deps, env, address, at)?),
        QueryMsg::TotalPower { at } => to_json_binary(&query::total_power(deps, env, at)?),
        QueryMsg::Tier { address } => to_json_binary(&query::tier(deps, address)?),
        QueryMsg::PendingRewards { address } => to_json_binary(&query::pending_rewards(deps, env, address)?),
        QueryMsg::Locks { start_after, limit } => to_json_binary(&query::locks(deps, env, start_after, limit)?),
        QueryMsg::Delegate { address } => to_json_binary(&query::delegate(deps, env, address)?),
        QueryMsg::Delegates { start_after, limit } => to_json_binary(&query::delegates(deps, env, start_after, limit)?),
        QueryMsg::RewardPool {} => to_json_binary(&query::reward_pool(deps, env)?),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, _env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    // Refuses another contract's state and downgrades; records the version.
    cw2::ensure_from_older_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    Ok(Response::new())
}
