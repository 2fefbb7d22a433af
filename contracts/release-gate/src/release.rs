//! The life of a release request: request, approve, reject, revoke,
//! expire. Handlers load what the rules in [`crate::request`] need, apply
//! them, save, and emit one event per state change. Every path reads and
//! writes a bounded number of keys (an approver's groups: at most
//! `MAX_GROUPS`; an approval that may complete a request: its approvers'
//! memberships of the required groups).

use cosmwasm_std::{
    Addr, DepsMut, Empty, Env, HexBinary, MessageInfo, Order, OverflowError, OverflowOperation, Response, StdError,
    Storage, Timestamp,
};
use fog_events::release_gate::{Approved, Expired, Rejected, RequestCreated, Revoked};
use fog_events::{to_event, Text};

use crate::error::ContractError;
use crate::request::{expiry_time, policy_met, Request, Status, Vote, VoteKind};
use crate::state::{
    latest_request_id, member_groups, Policy, LATEST_BY_TYPE, MEMBERS, NEXT_REQUEST_ID, POLICIES, REQUESTS,
    REQUESTS_BY_SHA, VOTES,
};
use crate::validate::{self, MAX_COMMENT_CHARS, MAX_RISK_NOTES_CHARS};

/// The fields of `ExecuteMsg::Request`.
pub struct NewRequest {
    pub artifact_type: String,
    pub artifact_id: String,
    pub artifact_version: String,
    pub sha256: HexBinary,
    pub lineage_hash: HexBinary,
    pub dataset_hashes: Vec<HexBinary>,
    pub risk_notes: Option<String>,
}

fn load_request(storage: &dyn Storage, id: u64) -> Result<Request, ContractError> {
    REQUESTS
        .may_load(storage, id)?
        .ok_or(ContractError::RequestNotFound { id })
}

fn expired_event(request: &Request, sender: &Addr, now: Timestamp) -> cosmwasm_std::Event {
    to_event(&Expired {
        id: request.id,
        sender: sender.to_string(),
        at_ns: now.nanos(),
    })
}

/// Anyone may request under a policy without requester groups; otherwise
/// only their members (at most `MAX_GROUPS` reads).
fn may_request(
    storage: &dyn Storage,
    sender: &Addr,
    artifact_type: &str,
    policy: &Policy,
) -> Result<(), ContractError> {
    if policy.requester_groups.is_empty() {
        return Ok(());
    }
    for group in &policy.requester_groups {
        if MEMBERS.has(storage, (group, sender)) {
            return Ok(());
        }
    }
    Err(ContractError::NotARequester {
        artifact_type: artifact_type.to_string(),
        groups: policy.requester_groups.join(", "),
    })
}

pub fn request(deps: DepsMut, env: Env, info: MessageInfo, new: NewRequest) -> Result<Response, ContractError> {
    let now = env.block.time;
    validate::validate_artifact_type(&new.artifact_type)?;
    let policy = POLICIES
        .may_load(deps.storage, &new.artifact_type)?
        .ok_or_else(|| ContractError::PolicyNotFound {
            artifact_type: new.artifact_type.clone(),
        })?;
    may_request(deps.storage, &info.sender, &new.artifact_type, &policy)?;
    validate::validate_identifier("artifact_id", &new.artifact_id)?;
    validate::validate_identifier("artifact_version", &new.artifact_version)?;
    validate::validate_hash("sha256", &new.sha256)?;
    validate::validate_hash("lineage_hash", &new.lineage_hash)?;
    validate::validate_dataset_hashes(&new.dataset_hashes)?;
    let risk_notes = validate::normalize_text("risk_notes", new.risk_notes, MAX_RISK_NOTES_CHARS)?;

    // One pending or approved request per artifact and type: only the
    // latest one of this type for this sha256 can be either. A pending one
    // past its expiry is expired now, with its own event.
    let mut response = Response::new();
    let sha = new.sha256.as_slice();
    // The artifact's latest request gets its type's entry if it was made
    // before the entries existed, so it is still found once a request of
    // another type is the latest. After this every live request has its
    // entry, so the type's entry alone says which request to check (no
    // fallback of `latest_of_type`, which would read the latest again).
    let latest = match latest_request_id(deps.storage, sha)? {
        Some(id) => Some(load_request(deps.storage, id)?),
        None => None,
    };
    if let Some(latest) = &latest {
        if !LATEST_BY_TYPE.has(deps.storage, (sha, &latest.artifact_type)) {
            LATEST_BY_TYPE.save(deps.storage, (sha, &latest.artifact_type), &latest.id)?;
        }
    }
    if let Some(prev_id) = LATEST_BY_TYPE.may_load(deps.storage, (sha, &new.artifact_type))? {
        let mut prev = match latest.filter(|l| l.id == prev_id) {
            Some(latest) => latest,
            None => load_request(deps.storage, prev_id)?,
        };
        match prev.current_status(now) {
            status @ (Status::Pending | Status::Approved) => {
                return Err(ContractError::DuplicateRequest { id: prev_id, status });
            }
            Status::Expired if prev.status == Status::Pending => {
                prev.expire(now)?;
                REQUESTS.save(deps.storage, prev_id, &prev)?;
                response = response.add_event(expired_event(&prev, &info.sender, now));
            }
            _ => {}
        }
    }

    let id = NEXT_REQUEST_ID.may_load(deps.storage)?.unwrap_or(1);
    let next = id
        .checked_add(1)
        .ok_or_else(|| StdError::from(OverflowError::new(OverflowOperation::Add)))?;
    NEXT_REQUEST_ID.save(deps.storage, &next)?;

    let request = Request {
        id,
        artifact_type: new.artifact_type,
        artifact_id: new.artifact_id,
        artifact_version: new.artifact_version,
        sha256: new.sha256,
        lineage_hash: new.lineage_hash,
        dataset_hashes: new.dataset_hashes,
        requester: info.sender,
        risk_notes,
        created_at: now,
        expires_at: expiry_time(now, policy.expiry_seconds)?,
        min_approvals: policy.min_approvals,
        required_groups: policy.required_groups,
        status: Status::Pending,
        approvals: 0,
        rejections: 0,
        approved_groups: vec![],
        decided_at: None,
        revocation: None,
    };
    REQUESTS.save(deps.storage, id, &request)?;
    REQUESTS_BY_SHA.save(deps.storage, (request.sha256.as_slice(), id), &Empty {})?;
    LATEST_BY_TYPE.save(deps.storage, (request.sha256.as_slice(), &request.artifact_type), &id)?;

    Ok(response.add_event(to_event(&RequestCreated {
        id,
        artifact_type: request.artifact_type,
        artifact_id: request.artifact_id,
        artifact_version: request.artifact_version,
        sha256: request.sha256.to_hex(),
        lineage_hash: request.lineage_hash.to_hex(),
        dataset_hashes: request.dataset_hashes.iter().map(HexBinary::to_hex).collect(),
        requester: request.requester.into_string(),
        risk_notes: Text(request.risk_notes),
        created_at_ns: now.nanos(),
        expires_at_ns: request.expires_at.nanos(),
        min_approvals: request.min_approvals,
        required_groups: request.required_groups,
    })))
}

/// Every approver of `request`, the voter approving now (in
/// `voter_groups`, not yet saved) included, as the indexes of the required
/// groups each belongs to now: a member removed since their approval
/// stands for no group any more. Reads every vote of the request (one per
/// address that ever voted on it: members, whom the owner manages) and
/// each approver's membership of each required group; only once enough
/// approvals are in ([`Request::may_be_met`]).
fn approvers_now(
    storage: &dyn Storage,
    request: &Request,
    voter_groups: &[String],
) -> Result<Vec<Vec<usize>>, ContractError> {
    let required = &request.required_groups;
    let mut approvers = vec![required_indexes(required, |g| voter_groups.contains(g))];
    for vote in VOTES.prefix(request.id).range(storage, None, None, Order::Ascending) {
        let (approver, vote) = vote?;
        if vote.kind == VoteKind::Approve {
            approvers.push(required_indexes(required, |g| {
                MEMBERS.has(storage, (g.as_str(), &approver))
            }));
        }
    }
    Ok(approvers)
}

fn required_indexes(required: &[String], is_member: impl Fn(&String) -> bool) -> Vec<usize> {
    required
        .iter()
        .enumerate()
        .filter(|(_, g)| is_member(g))
        .map(|(i, _)| i)
        .collect()
}

/// Checks and records one vote; returns the request, the voter's groups,
/// the normalised comment and whether the vote decided the request.
fn vote(
    deps: DepsMut,
    env: &Env,
    voter: &Addr,
    id: u64,
    comment: Option<String>,
    kind: VoteKind,
) -> Result<(Request, Vec<String>, String, bool), ContractError> {
    let now = env.block.time;
    let comment = validate::normalize_text("comment", comment, MAX_COMMENT_CHARS)?;
    let mut request = load_request(deps.storage, id)?;
    let groups = member_groups(deps.storage, voter)?;
    let already_voted = VOTES.has(deps.storage, (id, voter));
    request.check_vote(voter, &groups, already_voted, kind, now)?;
    let decided = match kind {
        VoteKind::Approve => {
            request.record_approval(&groups)?;
            let released = request.may_be_met() && {
                let approvers = approvers_now(deps.storage, &request, &groups)?;
                policy_met(&approvers, request.min_approvals, request.required_groups.len())
            };
            if released {
                request.release(now);
            }
            released
        }
        VoteKind::Reject => request.record_rejection(&groups, now)?,
    };
    VOTES.save(
        deps.storage,
        (id, voter),
        &Vote {
            kind,
            groups: groups.clone(),
            comment: comment.clone(),
            at: now,
        },
    )?;
    REQUESTS.save(deps.storage, id, &request)?;
    Ok((request, groups, comment, decided))
}

pub fn approve(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    id: u64,
    comment: Option<String>,
) -> Result<Response, ContractError> {
    let (request, groups, comment, released) = vote(deps, &env, &info.sender, id, comment, VoteKind::Approve)?;
    Ok(Response::new().add_event(to_event(&Approved {
        id,
        approver: info.sender.into_string(),
        groups,
        comment: Text(comment),
        at_ns: env.block.time.nanos(),
        approvals: request.approvals,
        released,
    })))
}

pub fn reject(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    id: u64,
    comment: Option<String>,
) -> Result<Response, ContractError> {
    let (_, groups, comment, rejected) = vote(deps, &env, &info.sender, id, comment, VoteKind::Reject)?;
    Ok(Response::new().add_event(to_event(&Rejected {
        id,
        rejecter: info.sender.into_string(),
        groups,
        comment: Text(comment),
        at_ns: env.block.time.nanos(),
        rejected,
    })))
}

pub fn revoke(deps: DepsMut, env: Env, info: MessageInfo, id: u64, reason: String) -> Result<Response, ContractError> {
    let now = env.block.time;
    let reason = validate::normalize_text("reason", Some(reason), MAX_COMMENT_CHARS)?;
    if reason.is_empty() {
        return Err(ContractError::EmptyReason);
    }
    let mut request = load_request(deps.storage, id)?;
    // Revokers are those of the policy as it is now: governance can widen
    // who may pull a release after the fact. Policies are never removed.
    let policy = POLICIES
        .may_load(deps.storage, &request.artifact_type)?
        .ok_or_else(|| ContractError::PolicyNotFound {
            artifact_type: request.artifact_type.clone(),
        })?;
    let is_revoker = policy
        .revoker_groups
        .iter()
        .any(|g| MEMBERS.has(deps.storage, (g.as_str(), &info.sender)));
    request.revoke(info.sender.clone(), is_revoker, reason.clone(), now)?;
    REQUESTS.save(deps.storage, id, &request)?;
    Ok(Response::new().add_event(to_event(&Revoked {
        id,
        revoker: info.sender.into_string(),
        reason: Text(reason),
        at_ns: now.nanos(),
    })))
}

pub fn expire(deps: DepsMut, env: Env, info: MessageInfo, id: u64) -> Result<Response, ContractError> {
    let now = env.block.time;
    let mut request = load_request(deps.storage, id)?;
    request.expire(now)?;
    REQUESTS.save(deps.storage, id, &request)?;
    Ok(Response::new().add_event(expired_event(&request, &info.sender, now)))
}
