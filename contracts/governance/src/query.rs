//! Queries of governance.

use cosmwasm_std::{Addr, Deps, Env, Order, StdError, StdResult, Uint128};
use cw_storage_plus::Bound;

use crate::actions::spent_now;
use crate::msg::{
    AssetAmount, Ballot, ParticipationResponse, ProposalResponse, ProposalsResponse, RolesResponse, RunOffResponse,
    SpendingResponse, VoteResponse, VotesResponse, VotingPowerResponse,
};
use crate::snapshot::voter_before;
use crate::state::{
    BallotRecord, ProposalCore, Status, VotingMethod, BALLOTS, BODIES, CONFIG, OVERRIDES, PROPOSALS, PROPOSAL_COUNT,
    VOTES_CAST,
};
use crate::voting::outcome::{ABSTAIN, NO, YES};
use crate::voting::weight::counted_weight;

const DEFAULT_LIMIT: u32 = 10;
const MAX_LIMIT: u32 = 100;

fn page(limit: Option<u32>) -> usize {
    limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT) as usize
}

fn load_core(deps: Deps, id: u64) -> StdResult<ProposalCore> {
    PROPOSALS
        .may_load(deps.storage, id)?
        .ok_or_else(|| StdError::not_found(format!("proposal {id}")))
}

/// The proposal as it stands at `now`: an open proposal whose voting ended
/// shows the outcome it will be closed with, and a passed one whose
/// execution window is over shows `expired`.
fn proposal_response(
    deps: Deps,
    env: &Env,
    spend_period: u64,
    id: u64,
    mut core: ProposalCore,
) -> StdResult<ProposalResponse> {
    let body = BODIES.load(deps.storage, id)?;
    let now = env.block.time.seconds();
    if core.status == Status::Open && now >= core.end_time {
        let (passed, winner) = core.final_outcome(deps.storage, id)?;
        core.status = if passed { Status::Passed } else { Status::Rejected };
        core.winner = winner;
        core.decided_at = Some(core.end_time);
    }
    let executable_until = core.executable_until(spend_period);
    if core.status == Status::Passed && executable_until.is_some_and(|last| now > last) {
        core.status = Status::Expired;
    }
    let executable = matches!(core.status, Status::Passed | Status::Expired);
    let quorum_reached = core.judged().quorum_reached();
    Ok(ProposalResponse {
        id,
        title: body.title,
        description: body.description,
        proposer: core.proposer.clone(),
        kind: core.kind,
        method: core.method,
        options: body.options,
        actions: body.actions,
        status: core.status,
        start_height: core.start_height,
        start_time: core.start_time,
        end_time: core.end_time,
        decided_at: core.decided_at,
        executable_at: executable.then(|| core.executable_at()).flatten(),
        executable_until: executable.then_some(executable_until).flatten(),
        total_power: core.total,
        tally: core.counted.clone(),
        turnout: core.turnout,
        voters: core.voters,
        quorum_bps: core.quorum_bps,
        threshold_bps: core.threshold_bps,
        quorum_reached,
        winner: core.winner,
        deposit: core.deposit,
    })
}

pub fn proposal(deps: Deps, env: Env, id: u64) -> StdResult<ProposalResponse> {
    let core = load_core(deps, id)?;
    let spend_period = CONFIG.load(deps.storage)?.spend_period;
    proposal_response(deps, &env, spend_period, id, core)
}

pub fn proposals(deps: Deps, env: Env, start_before: Option<u64>, limit: Option<u32>) -> StdResult<ProposalsResponse> {
    let spend_period = CONFIG.load(deps.storage)?.spend_period;
    let proposals = PROPOSALS
        .range(
            deps.storage,
            None,
            start_before.map(Bound::exclusive),
            Order::Descending,
        )
        .take(page(limit))
        .map(|item| {
            let (id, core) = item?;
            proposal_response(deps, &env, spend_period, id, core)
        })
        .collect::<StdResult<_>>()?;
    Ok(ProposalsResponse { proposals })
}

fn ballot_of(method: VotingMethod, choice: &[u8]) -> Ballot {
    match method {
        VotingMethod::YesNo | VotingMethod::Quadratic => match choice.first().map(|c| usize::from(*c)) {
            Some(YES) => Ballot::Yes,
            Some(NO) => Ballot::No,
            Some(ABSTAIN) => Ballot::Abstain,
            _ => Ballot::Abstain,
        },
        VotingMethod::MultipleChoice => Ballot::Choice {
            option: choice.first().copied().unwrap_or(0),
        },
        VotingMethod::RankedChoice => Ballot::Ranking {
            ranking: choice.to_vec(),
        },
    }
}

fn vote_response(method: VotingMethod, voter: Addr, b: BallotRecord) -> VoteResponse {
    VoteResponse {
        voter,
        ballot: ballot_of(method, &b.choice),
        power: b.power,
        weight: b.weight,
    }
}

pub fn votes(deps: Deps, id: u64, start_after: Option<String>, limit: Option<u32>) -> StdResult<VotesResponse> {
    let core = load_core(deps, id)?;
    let start = start_after.map(|a| deps.api.addr_validate(&a)).transpose()?;
    let votes = BALLOTS
        .prefix(id)
        .range(
            deps.storage,
            start.as_ref().map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(page(limit))
        .map(|item| item.map(|(voter, b)| vote_response(core.method, voter, b)))
        .collect::<StdResult<_>>()?;
    Ok(VotesResponse { votes })
}

pub fn vote(deps: Deps, id: u64, voter: String) -> StdResult<VoteResponse> {
    let core = load_core(deps, id)?;
    let voter = deps.api.addr_validate(&voter)?;
    let b = BALLOTS
        .may_load(deps.storage, (id, &voter))?
        .ok_or_else(|| StdError::not_found(format!("vote of {voter} on proposal {id}")))?;
    Ok(vote_response(core.method, voter, b))
}

pub fn voting_power(deps: Deps, id: u64, address: String) -> StdResult<VotingPowerResponse> {
    let core = load_core(deps, id)?;
    let config = CONFIG.load(deps.storage)?;
    let address = deps.api.addr_validate(&address)?;
    let snap = voter_before(&deps.querier, &config.ve, &address, core.start_height, core.start_time)?;
    let quadratic = core.method == VotingMethod::Quadratic;
    let power = if quadratic {
        snap.own
    } else {
        let overridden = OVERRIDES.may_load(deps.storage, (id, &address))?.unwrap_or_default();
        (snap.own + snap.received).saturating_sub(overridden)
    };
    Ok(VotingPowerResponse {
        own: snap.own,
        received: snap.received,
        delegate: snap.delegate,
        power,
        weight: Uint128::new(counted_weight(power.u128(), core.cap.map(|c| c.u128()), quadratic)),
    })
}

pub fn run_off(deps: Deps, id: u64) -> StdResult<RunOffResponse> {
    let core = load_core(deps, id)?;
    if core.method != VotingMethod::RankedChoice {
        return Err(StdError::generic_err(format!(
            "proposal {id} is not a ranked-choice vote"
        )));
    }
    let r = core.run_off(deps.storage, id)?;
    Ok(RunOffResponse {
        rounds: r
            .rounds
            .into_iter()
            .map(|round| round.into_iter().map(Uint128::new).collect())
            .collect(),
        winner: r.winner,
    })
}

pub fn roles(deps: Deps, env: Env, address: String) -> StdResult<RolesResponse> {
    let config = CONFIG.load(deps.storage)?;
    let address = deps.api.addr_validate(&address)?;
    let now = fog_ve::snapshot::voter_at(
        &fog_ve::raw::RemoteVe::new(&deps.querier, config.ve.clone()),
        &address,
        env.block.height,
        env.block.time.seconds(),
    )?;
    let delegate = fog_ve::state::DELEGATES
        .query(&deps.querier, config.ve.clone(), &address)?
        .is_some_and(|d| d.is_active());
    Ok(RolesResponse {
        member: !now.own.is_zero() || !now.received.is_zero(),
        delegate,
        validator: config.validators.contains(&address),
        admin: config.guardian.as_ref() == Some(&address),
    })
}

/// Proposals created after the address's first veFOG point (its first lock
/// or delegation) are the ones it was eligible for.
pub fn participation(deps: Deps, address: String) -> StdResult<ParticipationResponse> {
    let config = CONFIG.load(deps.storage)?;
    let address = deps.api.addr_validate(&address)?;
    let votes_cast = VOTES_CAST.may_load(deps.storage, &address)?.unwrap_or(0);
    let first = fog_ve::state::USER_POINTS.query(&deps.querier, config.ve.clone(), (&address, 1))?;
    let count = PROPOSAL_COUNT.may_load(deps.storage)?.unwrap_or(0);
    let eligible = match first {
        None => 0,
        Some(point) => {
            // Proposal ids grow with their start height: binary search the
            // first one that started after the address's first point.
            let (mut lo, mut hi) = (1u64, count + 1);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if load_core(deps, mid)?.start_height > point.height {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            count + 1 - lo
        }
    };
    let score_bps = (votes_cast.min(eligible) * 10_000).checked_div(eligible).unwrap_or(0) as u16;
    Ok(ParticipationResponse {
        votes_cast,
        eligible,
        score_bps,
    })
}

pub fn spending(deps: Deps, env: Env) -> StdResult<SpendingResponse> {
    let config = CONFIG.load(deps.storage)?;
    let now = env.block.time.seconds();
    let spent = spent_now(deps.storage, &config, now).map_err(|e| StdError::generic_err(e.to_string()))?;
    Ok(SpendingResponse {
        period_start: now.saturating_sub(config.spend_period),
        period_seconds: config.spend_period,
        spent: spent
            .into_iter()
            .map(|(asset, amount)| AssetAmount { asset, amount })
            .collect(),
        limits: config.spend_limits,
    })
}
