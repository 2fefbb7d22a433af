//! After the vote: closing, executing, vetoing, and the deposit.

use cosmwasm_std::{to_json_binary, to_json_string, CosmosMsg, DepsMut, Env, MessageInfo, Response, Uint128, WasmMsg};
use cw20::Cw20ExecuteMsg;
use fog_events::{governance as ev, to_event, Text};

use crate::actions::{charge_spending, effect, Effect};
use crate::error::ContractError;
use crate::state::{Config, ProposalCore, Status, BODIES, CONFIG, PROPOSALS};

/// Returns the deposit to the proposer when the proposal reached quorum (or
/// passed), burns it otherwise (or when vetoed): spam costs, honest
/// proposals that simply lost do not.
fn settle_deposit(
    core: &mut ProposalCore,
    config: &Config,
    burn: bool,
) -> Result<(Option<CosmosMsg>, Uint128, Uint128), ContractError> {
    if core.deposit_settled {
        return Ok((None, Uint128::zero(), Uint128::zero()));
    }
    core.deposit_settled = true;
    let amount = core.deposit;
    let (msg, refunded, burned) = if burn {
        (Cw20ExecuteMsg::Burn { amount }, Uint128::zero(), amount)
    } else {
        (
            Cw20ExecuteMsg::Transfer {
                recipient: core.proposer.to_string(),
                amount,
            },
            amount,
            Uint128::zero(),
        )
    };
    let msg = WasmMsg::Execute {
        contract_addr: config.token.to_string(),
        msg: to_json_binary(&msg)?,
        funds: vec![],
    };
    Ok((Some(msg.into()), refunded, burned))
}

/// Records the outcome of a proposal whose voting period is over.
fn decide(deps: &DepsMut, core: &mut ProposalCore, id: u64) -> Result<(), ContractError> {
    let (passed, winner) = core.final_outcome(deps.storage, id)?;
    core.status = if passed { Status::Passed } else { Status::Rejected };
    core.winner = winner;
    core.decided_at = Some(core.end_time);
    Ok(())
}

fn load(deps: &DepsMut, id: u64) -> Result<ProposalCore, ContractError> {
    PROPOSALS
        .may_load(deps.storage, id)?
        .ok_or(ContractError::NoSuchProposal { id })
}

pub fn close(deps: DepsMut, env: Env, info: MessageInfo, id: u64) -> Result<Response, ContractError> {
    let now = env.block.time.seconds();
    let mut core = load(&deps, id)?;
    if core.status == Status::Open {
        if now < core.end_time {
            return Err(ContractError::VotingOpen { id, end: core.end_time });
        }
        decide(&deps, &mut core, id)?;
    } else if core.deposit_settled {
        return Err(ContractError::AlreadyClosed { id });
    }
    // A passed proposal may still be vetoed, which burns its deposit: it is
    // not refunded before the veto period is over.
    if core.status == Status::Passed {
        let until = core.executable_at().unwrap_or(0);
        if now < until {
            return Err(ContractError::DepositHeldDuringTimelock { id, until });
        }
    }
    let config = CONFIG.load(deps.storage)?;
    let burn = !core.judged().quorum_reached() && core.status != Status::Passed;
    let (msg, refunded, burned) = settle_deposit(&mut core, &config, burn)?;
    PROPOSALS.save(deps.storage, id, &core)?;
    Ok(Response::new()
        .add_messages(msg)
        .add_event(to_event(&ev::ProposalClosed {
            id,
            sender: info.sender.to_string(),
            status: core.status.as_str().to_string(),
            winner: core.winner,
            decided_at: core.decided_at.unwrap_or(now),
            deposit_refunded: refunded.u128(),
            deposit_burned: burned.u128(),
        })))
}

pub fn execute(deps: DepsMut, env: Env, info: MessageInfo, id: u64) -> Result<Response, ContractError> {
    let now = env.block.time.seconds();
    let mut core = load(&deps, id)?;
    if core.status == Status::Open && now >= core.end_time {
        decide(&deps, &mut core, id)?;
    }
    if core.status != Status::Passed {
        return Err(ContractError::NotPassed {
            id,
            status: core.status.as_str().to_string(),
        });
    }
    let until = core.executable_at().unwrap_or(u64::MAX);
    if now < until {
        return Err(ContractError::Timelocked { id, until });
    }
    let config = CONFIG.load(deps.storage)?;
    let body = BODIES.load(deps.storage, id)?;
    let action = body
        .actions
        .get(usize::from(core.winner.unwrap_or(0)))
        .cloned()
        .flatten();
    let mut response = Response::new();
    if let Some(action) = &action {
        match effect(deps.api, &config, action)? {
            Effect::Messages(msgs, transfers) => {
                charge_spending(deps.storage, &config, now, &transfers)?;
                response = response.add_messages(msgs);
            }
            Effect::NewConfig(new_config) => {
                CONFIG.save(deps.storage, &new_config)?;
                response = response.add_event(to_event(&ev::ConfigUpdated {
                    sender: env.contract.address.to_string(),
                    config: to_json_string(&new_config)?,
                }));
            }
        }
    }
    // The deposit is settled by `Close`, not here: execution stays as cheap
    // as the action itself.
    core.status = Status::Executed;
    PROPOSALS.save(deps.storage, id, &core)?;
    Ok(response.add_event(to_event(&ev::ProposalExecuted {
        id,
        sender: info.sender.to_string(),
        winner: core.winner,
    })))
}

const MAX_VETO_REASON: usize = 512;

/// The guardian's reason, trimmed: at most 512 characters, line breaks and
/// tabs but no other control character, as every free text.
fn veto_reason(reason: Option<String>) -> Result<Option<String>, ContractError> {
    let Some(reason) = reason.map(|r| r.trim().to_string()).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let invalid = |reason: String| Err(ContractError::InvalidVetoReason { reason });
    if reason.chars().count() > MAX_VETO_REASON {
        return invalid(format!("longer than {MAX_VETO_REASON} characters"));
    }
    if let Some(c) = fog_events::Text::forbidden_char(&reason) {
        return invalid(format!("contains the control character U+{:04X}", u32::from(c)));
    }
    Ok(Some(reason))
}

pub fn veto(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    id: u64,
    reason: Option<String>,
) -> Result<Response, ContractError> {
    let now = env.block.time.seconds();
    let config = CONFIG.load(deps.storage)?;
    if config.guardian.as_ref() != Some(&info.sender) {
        return Err(ContractError::NotGuardian);
    }
    let reason = veto_reason(reason)?;
    let mut core = load(&deps, id)?;
    if core.status == Status::Open && now >= core.end_time {
        decide(&deps, &mut core, id)?;
    }
    if core.status != Status::Passed {
        return Err(ContractError::NotPassed {
            id,
            status: core.status.as_str().to_string(),
        });
    }
    let until = core.executable_at().unwrap_or(0);
    if now >= until {
        return Err(ContractError::VetoPeriodOver { id, until });
    }
    core.status = Status::Vetoed;
    let (burn, _, burned) = settle_deposit(&mut core, &config, true)?;
    PROPOSALS.save(deps.storage, id, &core)?;

    Ok(Response::new()
        .add_messages(burn)
        .add_event(to_event(&ev::ProposalVetoed {
            id,
            guardian: info.sender.to_string(),
            reason: reason.map(Text),
            deposit_burned: burned.u128(),
            winner: core.winner,
            decided_at: core.decided_at,
        })))
}
