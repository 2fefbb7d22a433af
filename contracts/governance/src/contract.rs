#[cfg(not(feature = "library"))]
use cosmwasm_std::entry_point;
use cosmwasm_std::{
    from_json, to_json_binary, to_json_string, Binary, Deps, DepsMut, Env, MessageInfo, Response, StdResult, Uint128,
};
use cw20::Cw20ReceiveMsg;
use fog_events::{governance as ev, to_event};

use crate::config::{self, checked_asset, complete_rules};
use crate::error::ContractError;
use crate::execute::{lifecycle, propose, vote};
use crate::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg, ReceiveMsg};
use crate::query;
use crate::state::{Config, SpendLimit, CONFIG, DEPOSITS_HELD, PROPOSALS};

pub const CONTRACT_NAME: &str = "crates.io:fog-governance";
pub const CONTRACT_VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn instantiate(
    deps: DepsMut,
    _env: Env,
    info: MessageInfo,
    msg: InstantiateMsg,
) -> Result<Response, ContractError> {
    cw2::set_contract_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    let api = deps.api;
    let config = Config {
        ve: api.addr_validate(&msg.ve)?,
        token: api.addr_validate(&msg.token)?,
        registry: msg.registry.map(|r| api.addr_validate(&r)).transpose()?,
        guardian: msg.guardian.map(|g| api.addr_validate(&g)).transpose()?,
        validators: msg
            .validators
            .iter()
            .map(|v| api.addr_validate(v))
            .collect::<StdResult<_>>()?,
        deposit: msg.deposit,
        min_proposer_power: msg.min_proposer_power,
        proposer_min_kyc_tier: msg.proposer_min_kyc_tier,
        quadratic_min_kyc_tier: msg.quadratic_min_kyc_tier,
        max_vote_share_bps: msg.max_vote_share_bps,
        late_quorum: msg.late_quorum,
        rules: complete_rules(msg.rules)?,
        spend_limits: msg
            .spend_limits
            .iter()
            .map(|l| {
                Ok(SpendLimit {
                    asset: checked_asset(api, &l.asset)?,
                    amount: l.amount,
                })
            })
            .collect::<Result<_, ContractError>>()?,
        spend_period: msg.spend_period,
        max_options: msg.max_options,
        max_ranks: msg.max_ranks,
        managed_contracts: msg
            .managed_contracts
            .iter()
            .map(|c| api.addr_validate(c))
            .collect::<StdResult<_>>()?,
    };
    config::validate(&config)?;
    CONFIG.save(deps.storage, &config)?;
    Ok(Response::new().add_event(to_event(&ev::ConfigUpdated {
        sender: info.sender.to_string(),
        config: to_json_string(&config)?,
    })))
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn execute(deps: DepsMut, env: Env, info: MessageInfo, msg: ExecuteMsg) -> Result<Response, ContractError> {
    match msg {
        ExecuteMsg::Receive(msg) => receive(deps, env, info, msg),
        ExecuteMsg::Propose(msg) => propose::propose(deps, env, info.sender, msg, Uint128::zero()),
        ExecuteMsg::Vote { proposal_id, ballot } => vote::vote(deps, env, info, proposal_id, ballot),
        ExecuteMsg::Close { proposal_id } => lifecycle::close(deps, env, info, proposal_id),
        ExecuteMsg::Execute { proposal_id } => lifecycle::execute(deps, env, info, proposal_id),
        ExecuteMsg::Veto { proposal_id, reason } => lifecycle::veto(deps, env, info, proposal_id, reason),
    }
}

fn receive(deps: DepsMut, env: Env, info: MessageInfo, msg: Cw20ReceiveMsg) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    if info.sender != config.token {
        return Err(ContractError::WrongToken {
            sender: info.sender.to_string(),
        });
    }
    let proposer = deps.api.addr_validate(&msg.sender)?;
    match from_json(&msg.msg)? {
        ReceiveMsg::Propose(propose_msg) => propose::propose(deps, env, proposer, propose_msg, msg.amount),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Config {} => to_json_binary(&CONFIG.load(deps.storage)?),
        QueryMsg::Proposal { proposal_id } => to_json_binary(&query::proposal(deps, env, proposal_id)?),
        QueryMsg::Proposals { start_before, limit } => {
            to_json_binary(&query::proposals(deps, env, start_before, limit)?)
        }
        QueryMsg::Votes {
            proposal_id,
            start_after,
            limit,
        } => to_json_binary(&query::votes(deps, proposal_id, start_after, limit)?),
        QueryMsg::Vote { proposal_id, voter } => to_json_binary(&query::vote(deps, proposal_id, voter)?),
        QueryMsg::VotingPower { proposal_id, address } => {
            to_json_binary(&query::voting_power(deps, proposal_id, address)?)
        }
        QueryMsg::RunOff { proposal_id } => to_json_binary(&query::run_off(deps, proposal_id)?),
        QueryMsg::Roles { address } => to_json_binary(&query::roles(deps, env, address)?),
        QueryMsg::Participation { address } => to_json_binary(&query::participation(deps, address)?),
        QueryMsg::Spending {} => to_json_binary(&query::spending(deps, env)?),
    }
}

#[cfg_attr(not(feature = "library"), entry_point)]
pub fn migrate(deps: DepsMut, env: Env, _msg: MigrateMsg) -> Result<Response, ContractError> {
    cw2::ensure_from_older_version(deps.storage, CONTRACT_NAME, CONTRACT_VERSION)?;
    // Deposits taken before the count existed (or by any earlier code) are
    // counted afresh, so the treasury cannot spend them after an upgrade.
    let mut held = cosmwasm_std::Uint128::zero();
    for item in PROPOSALS.range(deps.storage, None, None, cosmwasm_std::Order::Ascending) {
        let (_, core) = item?;
        if !core.deposit_settled {
            held = held.checked_add(core.deposit).map_err(cosmwasm_std::StdError::from)?;
        }
    }
    DEPOSITS_HELD.save(deps.storage, &held)?;
    // Values earlier code accepted and this code refuses would make every
    // later configuration change fail its validation: the nearest valid.
    let mut config = CONFIG.load(deps.storage)?;
    config.quadratic_min_kyc_tier = config.quadratic_min_kyc_tier.max(1);
    for rules in &mut config.rules {
        rules.threshold_bps = rules.threshold_bps.min(9_999);
    }
    // A tier to propose with no registry to read it from refused every
    // proposer: governance could not lift it, so the upgrade does.
    if config.registry.is_none() {
        config.proposer_min_kyc_tier = None;
    }
    config::validate(&config)?;
    CONFIG.save(deps.storage, &config)?;
    crate::actions::carry_calendar_spending(deps.storage, &config, env.block.time.seconds())?;
    // The configuration may have changed above: say so, as every change
    // does, so that whoever mirrors it from the events stays right.
    Ok(Response::new().add_event(to_event(&ev::ConfigUpdated {
        sender: env.contract.address.to_string(),
        config: to_json_string(&config)?,
    })))
}
