use cosmwasm_std::{to_json_string, Addr, DepsMut, Env, Response, Uint128};
use fog_events::{governance as ev, to_event, Text};

use crate::actions::{self, kind_of};
use crate::config::rules_for;
use crate::error::ContractError;
use crate::msg::{Action, ProposeMsg};
use crate::snapshot::{total_before, voter_before};
use crate::state::{
    Config, ProposalBody, ProposalCore, ProposalKind, Status, VotingMethod, BODIES, CONFIG, DEPOSITS_HELD, PROPOSALS,
    PROPOSAL_COUNT,
};

const MAX_TITLE: usize = 128;
const MAX_DESCRIPTION: usize = 8_192;

fn text(value: &str, what: &str, max: usize, required: bool) -> Result<String, ContractError> {
    let t = value.trim();
    if required && t.is_empty() {
        return Err(ContractError::invalid_proposal(format!("the {what} is empty")));
    }
    if t.chars().count() > max {
        return Err(ContractError::invalid_proposal(format!(
            "the {what} is longer than {max} characters"
        )));
    }
    // Line breaks and tabs are text; other control characters (NUL, escape
    // sequences) are not, and some stores refuse them.
    if let Some(c) = fog_events::Text::forbidden_char(t) {
        return Err(ContractError::invalid_proposal(format!(
            "the {what} contains the control character U+{:04X}",
            u32::from(c)
        )));
    }
    Ok(t.to_string())
}

/// Option titles and actions of a proposal, and its kind.
struct Options {
    titles: Vec<String>,
    actions: Vec<Option<Action>>,
    kind: ProposalKind,
}

fn options_of(msg: &ProposeMsg, config: &Config) -> Result<Options, ContractError> {
    if msg.method.is_yes_no() {
        if !msg.options.is_empty() {
            return Err(ContractError::invalid_proposal(
                "yes/no and quadratic votes take no options",
            ));
        }
        let titles = ["yes", "no", "abstain"].map(String::from).to_vec();
        return Ok(Options {
            titles,
            actions: vec![msg.action.clone()],
            kind: kind_of(msg.action.as_ref()),
        });
    }
    if msg.action.is_some() {
        return Err(ContractError::invalid_proposal(
            "choice proposals carry actions in their options",
        ));
    }
    let n = msg.options.len();
    if n < 2 || n > usize::from(config.max_options) {
        return Err(ContractError::invalid_proposal(format!(
            "a choice proposal has 2 to {} options, not {n}",
            config.max_options
        )));
    }
    let kind = kind_of(msg.options.iter().find_map(|o| o.action.as_ref()));
    let mut titles = Vec::with_capacity(n);
    for o in &msg.options {
        let k = kind_of(o.action.as_ref());
        if o.action.is_some() && k != kind {
            return Err(ContractError::invalid_proposal(format!(
                "all options' actions must be of one kind: this one is a {}, the first a {} (a parameter change \
                 touching a safeguard is a rules change)",
                k.as_str(),
                kind.as_str()
            )));
        }
        let title = text(&o.title, "option title", MAX_TITLE, true)?;
        if titles.contains(&title) {
            return Err(ContractError::invalid_proposal(format!(
                "option \"{title}\" appears twice"
            )));
        }
        titles.push(title);
    }
    // Those against every action need an option to vote for: without one,
    // they could only vote for another action or stay away.
    if kind != ProposalKind::Text && msg.options.iter().all(|o| o.action.is_some()) {
        return Err(ContractError::invalid_proposal(
            "a choice proposal whose options act needs an option without an action, for those against all of them",
        ));
    }
    Ok(Options {
        titles,
        actions: msg.options.iter().map(|o| o.action.clone()).collect(),
        kind,
    })
}

pub fn propose(
    deps: DepsMut,
    env: Env,
    proposer: Addr,
    msg: ProposeMsg,
    paid: Uint128,
) -> Result<Response, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    if paid != config.deposit {
        return Err(ContractError::WrongDeposit {
            required: config.deposit,
            paid,
        });
    }
    let title = text(&msg.title, "title", MAX_TITLE, true)?;
    let description = text(&msg.description, "description", MAX_DESCRIPTION, false)?;
    let Options {
        titles: options,
        actions,
        kind,
    } = options_of(&msg, &config)?;
    for action in actions.iter().flatten() {
        actions::validate(deps.api, &config, action)?;
    }
    let (height, now) = (env.block.height, env.block.time.seconds());

    if kind == ProposalKind::Emergency {
        let allowed = config.validators.contains(&proposer) || config.guardian.as_ref() == Some(&proposer);
        if !allowed {
            return Err(ContractError::EmergencyNotAllowed);
        }
    } else {
        let power = voter_before(&deps.querier, &config.ve, &proposer, height, now)?.voting();
        if power < config.min_proposer_power {
            return Err(ContractError::NotEnoughPower {
                address: proposer.to_string(),
                required: config.min_proposer_power,
                actual: power,
            });
        }
    }
    // Validators and the guardian are chosen by the DAO: their emergencies
    // do not wait on a KYC gate the DAO may have set out of reach.
    if let (Some(required), false) = (config.proposer_min_kyc_tier, kind == ProposalKind::Emergency) {
        super::require_kyc(&deps.querier, config.registry.as_ref(), &proposer, required, now)?;
    }
    // Quadratic ballots count only from a KYC tier, which only a registry
    // gives: without one nobody could vote.
    if msg.method == VotingMethod::Quadratic && config.registry.is_none() {
        return Err(ContractError::invalid_proposal(
            "quadratic voting needs the compliance registry (its ballots count from a KYC tier), and none is set",
        ));
    }
    let total = total_before(&deps.querier, &config.ve, height, now)?;
    if total == 0 {
        return Err(ContractError::NoTotalPower);
    }

    let rules = rules_for(&config, kind);
    let cap = config
        .max_vote_share_bps
        .map(|bps| Uint128::new((total * u128::from(bps) / 10_000).max(1)));
    let id = PROPOSAL_COUNT.may_load(deps.storage)?.unwrap_or_default() + 1;
    let core = ProposalCore {
        kind,
        method: msg.method,
        options: options.len() as u8,
        start_height: height,
        start_time: now,
        end_time: now + rules.voting_period,
        total: Uint128::new(total),
        cap,
        quorum_bps: rules.quorum_bps,
        threshold_bps: rules.threshold_bps,
        timelock: rules.timelock,
        late_quorum: config.late_quorum,
        quadratic_min_kyc_tier: config.quadratic_min_kyc_tier,
        max_ranks: (msg.method == VotingMethod::RankedChoice).then_some(config.max_ranks),
        status: Status::Open,
        decided_at: None,
        winner: None,
        counted: vec![Uint128::zero(); options.len()],
        turnout: Uint128::zero(),
        movable: Uint128::zero(),
        voters: 0,
        quorum_reached_at: None,
        proposer: proposer.clone(),
        deposit: paid,
        deposit_settled: paid.is_zero(),
    };
    PROPOSAL_COUNT.save(deps.storage, &id)?;
    PROPOSALS.save(deps.storage, id, &core)?;
    if !paid.is_zero() {
        let held = DEPOSITS_HELD.may_load(deps.storage)?.unwrap_or_default();
        DEPOSITS_HELD.save(
            deps.storage,
            &held.checked_add(paid).map_err(cosmwasm_std::StdError::from)?,
        )?;
    }
    let body = ProposalBody {
        title,
        description,
        options,
        actions,
    };
    BODIES.save(deps.storage, id, &body)?;

    Ok(Response::new().add_event(to_event(&ev::ProposalCreated {
        id,
        proposer: proposer.to_string(),
        kind: kind.as_str().to_string(),
        method: method_str(msg.method),
        title: Text(body.title),
        description: Text(body.description),
        options: body.options,
        actions: to_json_string(&body.actions)?,
        start_height: height,
        start_time: now,
        end_time: core.end_time,
        total_power: total,
        quorum_bps: core.quorum_bps,
        threshold_bps: core.threshold_bps,
        timelock: core.timelock,
        cap: cap.map(|c| c.u128()),
        deposit: paid.u128(),
    })))
}

fn method_str(m: VotingMethod) -> String {
    m.as_str().to_string()
}
