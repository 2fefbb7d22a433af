//! After the vote: closing, executing, vetoing, and the deposit.

use cosmwasm_std::{
    to_json_binary, to_json_string, Addr, CosmosMsg, Deps, DepsMut, Env, MessageInfo, Response, Storage, Uint128,
    WasmMsg,
};
use cw20::Cw20ExecuteMsg;
use fog_events::{governance as ev, to_event, Text};

use crate::actions::{charge_spending, effect, Effect};
use crate::error::ContractError;
use crate::msg::{Asset, Transfer};
use crate::state::{Config, ProposalCore, Status, BODIES, CONFIG, DEPOSITS_HELD, PROPOSALS};

/// Returns the deposit to the proposer when the proposal reached quorum (or
/// passed), burns it otherwise (or when vetoed): spam costs, honest
/// proposals that simply lost do not.
fn settle_deposit(
    storage: &mut dyn Storage,
    core: &mut ProposalCore,
    config: &Config,
    burn: bool,
) -> Result<(Option<CosmosMsg>, Uint128, Uint128), ContractError> {
    if core.deposit_settled {
        return Ok((None, Uint128::zero(), Uint128::zero()));
    }
    core.deposit_settled = true;
    let amount = core.deposit;
    // Saturating: deposits taken before the count existed were not counted.
    let held = DEPOSITS_HELD.may_load(storage)?.unwrap_or_default();
    DEPOSITS_HELD.save(storage, &held.saturating_sub(amount))?;
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

/// Refuses FOG transfers that would dip into the deposits the treasury
/// holds for proposals still to be closed: their refunds or burns would
/// fail until it was refilled.
fn spare_deposits(deps: Deps, config: &Config, treasury: &Addr, transfers: &[Transfer]) -> Result<(), ContractError> {
    let fog = Asset::Cw20(config.token.to_string());
    let amount = transfers
        .iter()
        .filter(|t| t.asset == fog)
        .try_fold(Uint128::zero(), |sum, t| {
            sum.checked_add(t.amount).map_err(cosmwasm_std::StdError::from)
        })?;
    if amount.is_zero() {
        return Ok(());
    }
    let held = DEPOSITS_HELD.may_load(deps.storage)?.unwrap_or_default();
    if held.is_zero() {
        return Ok(());
    }
    // cw20-base's balance entry, read raw: a smart query would load the
    // token's instance (~60k gas) for one number.
    let key = cw_storage_plus::Map::<&Addr, Uint128>::new("balance").key(treasury);
    let balance = deps
        .querier
        .query_wasm_raw(config.token.to_string(), key.to_vec())?
        .map(|raw| cosmwasm_std::from_json::<Uint128>(&raw))
        .transpose()?
        .unwrap_or_default();
    if balance.checked_sub(held).map_or(true, |spare| amount > spare) {
        return Err(ContractError::DepositsHeld { amount, balance, held });
    }
    Ok(())
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
    let (msg, refunded, burned) = settle_deposit(deps.storage, &mut core, &config, burn)?;
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
    // A passed proposal left unexecuted does not stay loaded forever: after
    // the window, under a treasury and configuration that moved on and long
    // after the guardian's veto period, it can no longer run. The window
    // spans a spending period too, so a spend the limit holds back can wait
    // for room.
    let last = core.executable_until(config.spend_period).unwrap_or(u64::MAX);
    if now > last {
        return Err(ContractError::ExecutionWindowOver { id, until: last });
    }
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
                spare_deposits(deps.as_ref(), &config, &env.contract.address, &transfers)?;
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
    let (burn, _, burned) = settle_deposit(deps.storage, &mut core, &config, true)?;
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
