use cosmwasm_std::{Addr, DepsMut, Env, MessageInfo, Response, Storage, Uint128};
use fog_events::{governance as ev, to_event};

use crate::error::ContractError;
use crate::msg::Ballot;
use crate::snapshot::voter_before;
use crate::state::{
    BallotRecord, ProposalCore, Status, VotingMethod, BALLOTS, CONFIG, OVERRIDES, PROPOSALS, RANKINGS, VOTES_CAST,
};
use crate::voting::outcome::{ABSTAIN, NO, YES};
use crate::voting::ranked::validate_ranking;
use crate::voting::weight::counted_weight;

/// The option indexes a ballot stands for, checked against the method.
pub fn choice_of(core: &ProposalCore, ballot: &Ballot, max_ranks: u8) -> Result<Vec<u8>, ContractError> {
    let wrong = |expected: &str| ContractError::invalid_ballot(format!("this proposal takes {expected}"));
    match (core.method, ballot) {
        (VotingMethod::YesNo | VotingMethod::Quadratic, Ballot::Yes) => Ok(vec![YES as u8]),
        (VotingMethod::YesNo | VotingMethod::Quadratic, Ballot::No) => Ok(vec![NO as u8]),
        (VotingMethod::YesNo | VotingMethod::Quadratic, Ballot::Abstain) => Ok(vec![ABSTAIN as u8]),
        (VotingMethod::YesNo | VotingMethod::Quadratic, _) => Err(wrong("yes, no or abstain")),
        (VotingMethod::MultipleChoice, Ballot::Choice { option }) => {
            if *option >= core.options {
                return Err(ContractError::invalid_ballot(format!(
                    "option {option} does not exist (the proposal has {})",
                    core.options
                )));
            }
            Ok(vec![*option])
        }
        (VotingMethod::MultipleChoice, _) => Err(wrong("one option")),
        (VotingMethod::RankedChoice, Ballot::Ranking { ranking }) => {
            validate_ranking(ranking, core.options, max_ranks).map_err(ContractError::invalid_ballot)?;
            Ok(ranking.clone())
        }
        (VotingMethod::RankedChoice, _) => Err(wrong("a ranking")),
    }
}

/// Adds (or removes) a ballot's weight to the tally and, for rankings, to
/// the aggregate of its ranking.
fn tally(
    storage: &mut dyn Storage,
    core: &mut ProposalCore,
    id: u64,
    choice: &[u8],
    weight: Uint128,
    add: bool,
) -> Result<(), ContractError> {
    core.count(choice, weight, add);
    if core.method == VotingMethod::RankedChoice && !weight.is_zero() {
        let current = RANKINGS.may_load(storage, (id, choice))?.unwrap_or_default();
        let updated = if add {
            current + weight
        } else {
            current.saturating_sub(weight)
        };
        if updated.is_zero() {
            RANKINGS.remove(storage, (id, choice));
        } else {
            RANKINGS.save(storage, (id, choice), &updated)?;
        }
    }
    Ok(())
}

/// Takes a delegator's own power out of its delegate's ballot (cast
/// before), or remembers to leave it out of the ballot to come.
fn override_delegate(
    storage: &mut dyn Storage,
    core: &mut ProposalCore,
    id: u64,
    delegate: &Addr,
    own: Uint128,
) -> Result<Option<BallotRecord>, ContractError> {
    let Some(mut ballot) = BALLOTS.may_load(storage, (id, delegate))? else {
        let pending = OVERRIDES.may_load(storage, (id, delegate))?.unwrap_or_default();
        OVERRIDES.save(storage, (id, delegate), &(pending + own))?;
        return Ok(None);
    };
    let moved = own.min(ballot.power.saturating_sub(ballot.own));
    let new_power = ballot.power - moved;
    let new_weight = Uint128::new(counted_weight(new_power.u128(), core.cap.map(|c| c.u128()), false));
    let choice = ballot.choice.clone();
    tally(storage, core, id, &choice, ballot.weight, false)?;
    tally(storage, core, id, &choice, new_weight, true)?;
    core.turnout = core.turnout.saturating_sub(moved);
    core.movable = core.movable.saturating_sub(moved);
    ballot.power = new_power;
    ballot.weight = new_weight;
    BALLOTS.save(storage, (id, delegate), &ballot)?;
    Ok(Some(ballot))
}

pub fn vote(deps: DepsMut, env: Env, info: MessageInfo, id: u64, ballot: Ballot) -> Result<Response, ContractError> {
    let voter = info.sender;
    let now = env.block.time.seconds();
    let mut core = PROPOSALS
        .may_load(deps.storage, id)?
        .ok_or(ContractError::NoSuchProposal { id })?;
    if !core.is_open(now) {
        return Err(ContractError::VotingClosed { id });
    }
    if BALLOTS.has(deps.storage, (id, &voter)) {
        return Err(ContractError::AlreadyVoted {
            id,
            voter: voter.to_string(),
        });
    }
    let config = CONFIG.load(deps.storage)?;
    let choice = choice_of(&core, &ballot, core.max_ranks.unwrap_or(config.max_ranks))?;
    let quadratic = core.method == VotingMethod::Quadratic;
    if quadratic {
        super::require_kyc(
            &deps.querier,
            config.registry.as_ref(),
            &voter,
            core.quadratic_min_kyc_tier,
            now,
        )?;
    }

    let snap = voter_before(&deps.querier, &config.ve, &voter, core.start_height, core.start_time)?;
    // Quadratic votes count each verified person's own power only: delegation
    // would concentrate exactly what the square root spreads out.
    let (own, power) = if quadratic {
        (snap.own, snap.own)
    } else {
        let overridden = if snap.received.is_zero() {
            Uint128::zero()
        } else {
            OVERRIDES.may_load(deps.storage, (id, &voter))?.unwrap_or_default()
        };
        (snap.own, (snap.own + snap.received).saturating_sub(overridden))
    };
    if power.is_zero() {
        return Err(ContractError::NoVotingPower {
            id,
            voter: voter.to_string(),
        });
    }
    let weight = Uint128::new(counted_weight(power.u128(), core.cap.map(|c| c.u128()), quadratic));
    tally(deps.storage, &mut core, id, &choice, weight, true)?;
    core.turnout += power;
    core.voters += 1;
    if !quadratic {
        core.movable += power.saturating_sub(own);
    }

    let mut overridden_ballot = None;
    let delegate = if quadratic { None } else { snap.delegate.clone() };
    if let Some(d) = &delegate {
        overridden_ballot = override_delegate(deps.storage, &mut core, id, d, own)?;
    }

    BALLOTS.save(
        deps.storage,
        (id, &voter),
        &BallotRecord {
            choice: choice.clone(),
            power,
            weight,
            own,
        },
    )?;

    let mut extended = None;
    if core.quorum_reached_at.is_none() && core.judged().quorum_reached() {
        core.quorum_reached_at = Some(now);
        if let Some(lq) = core.late_quorum {
            let later_end = now.saturating_add(lq.extension);
            if core.end_time.saturating_sub(now) < lq.window && later_end > core.end_time {
                core.end_time = later_end;
                extended = Some(core.end_time);
            }
        }
    }
    let mut decided = None;
    if let Some((passed, winner)) = core.decided_early() {
        core.status = if passed { Status::Passed } else { Status::Rejected };
        core.decided_at = Some(now);
        core.winner = winner;
        decided = Some(core.status);
    }
    PROPOSALS.save(deps.storage, id, &core)?;
    VOTES_CAST.update(deps.storage, &voter, |n| -> Result<u64, ContractError> {
        Ok(n.unwrap_or(0) + 1)
    })?;

    Ok(Response::new().add_event(to_event(&ev::VoteCast {
        id,
        voter: voter.to_string(),
        choice,
        power: power.u128(),
        weight: weight.u128(),
        own: own.u128(),
        delegate: delegate.map(String::from),
        delegate_power: overridden_ballot.as_ref().map(|b| b.power.u128()),
        delegate_weight: overridden_ballot.as_ref().map(|b| b.weight.u128()),
        end_time: extended,
        status: decided.map(|s| s.as_str().to_string()),
        winner: decided.and(core.winner),
    })))
}
