//! Query handlers.

use cosmwasm_std::{Deps, Env, HexBinary, Order, StdError, StdResult};
use cw_storage_plus::Bound;

use crate::msg::{
    ConfigResponse, GroupResponse, GroupSummary, GroupsResponse, IsReleasedResponse, PoliciesResponse, PolicyResponse,
    RequestResponse, RequestsResponse, VoteInfo,
};
use crate::request::{Request, Status, VoteKind};
use crate::state::{
    latest_of_type, latest_request_id, Policy, CONFIG, GROUPS, LATEST_BY_TYPE, MEMBERS, POLICIES, REQUESTS,
    REQUESTS_BY_SHA, VOTES,
};
use crate::validate::HASH_LEN;

/// Page size when none is given.
pub const DEFAULT_LIMIT: u32 = 10;
/// Largest page.
pub const MAX_LIMIT: u32 = 100;

fn page_size(limit: Option<u32>) -> usize {
    limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT) as usize
}

/// Requests one page of `Requests` reads at most: with a status filter a
/// page skips requests, and anyone may add requests.
pub const MAX_REQUESTS_READ: usize = 1_000;

fn check_sha256(sha256: &HexBinary) -> StdResult<()> {
    if sha256.len() != HASH_LEN {
        return Err(StdError::generic_err(format!(
            "sha256 is {} bytes: it must be 32",
            sha256.len()
        )));
    }
    Ok(())
}

pub fn config(deps: Deps) -> StdResult<ConfigResponse> {
    let config = CONFIG.load(deps.storage)?;
    Ok(ConfigResponse { owner: config.owner })
}

pub fn group(deps: Deps, name: String) -> StdResult<GroupResponse> {
    let group = GROUPS
        .may_load(deps.storage, &name)?
        .ok_or_else(|| StdError::not_found(format!("group {name}")))?;
    // Bounded by MAX_MEMBERS_PER_GROUP.
    let members = MEMBERS
        .prefix(&name)
        .keys(deps.storage, None, None, Order::Ascending)
        .collect::<StdResult<Vec<_>>>()?;
    Ok(GroupResponse {
        name,
        members,
        policy_refs: group.policy_refs,
    })
}

pub fn groups(deps: Deps, start_after: Option<String>, limit: Option<u32>) -> StdResult<GroupsResponse> {
    let groups = GROUPS
        .range(
            deps.storage,
            start_after.as_deref().map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(page_size(limit))
        .map(|item| {
            item.map(|(name, g)| GroupSummary {
                name,
                member_count: g.member_count,
                policy_refs: g.policy_refs,
            })
        })
        .collect::<StdResult<Vec<_>>>()?;
    Ok(GroupsResponse { groups })
}

fn policy_response(artifact_type: String, p: Policy) -> PolicyResponse {
    PolicyResponse {
        artifact_type,
        min_approvals: p.min_approvals,
        required_groups: p.required_groups,
        expiry_seconds: p.expiry_seconds,
        revoker_groups: p.revoker_groups,
        requester_groups: p.requester_groups,
    }
}

pub fn policy(deps: Deps, artifact_type: String) -> StdResult<PolicyResponse> {
    let p = POLICIES
        .may_load(deps.storage, &artifact_type)?
        .ok_or_else(|| StdError::not_found(format!("policy for {artifact_type}")))?;
    Ok(policy_response(artifact_type, p))
}

pub fn policies(deps: Deps, start_after: Option<String>, limit: Option<u32>) -> StdResult<PoliciesResponse> {
    let policies = POLICIES
        .range(
            deps.storage,
            start_after.as_deref().map(Bound::exclusive),
            None,
            Order::Ascending,
        )
        .take(page_size(limit))
        .map(|item| item.map(|(t, p)| policy_response(t, p)))
        .collect::<StdResult<Vec<_>>>()?;
    Ok(PoliciesResponse { policies })
}

/// The request as a client sees it: status as of now, with its votes.
fn request_response(deps: Deps, env: &Env, r: Request) -> StdResult<RequestResponse> {
    let mut approvals = vec![];
    let mut rejections = vec![];
    for item in VOTES.prefix(r.id).range(deps.storage, None, None, Order::Ascending) {
        let (voter, vote) = item?;
        let info = VoteInfo {
            voter,
            groups: vote.groups,
            comment: vote.comment,
            at: vote.at,
        };
        match vote.kind {
            VoteKind::Approve => approvals.push(info),
            VoteKind::Reject => rejections.push(info),
        }
    }
    Ok(RequestResponse {
        status: r.current_status(env.block.time),
        id: r.id,
        artifact_type: r.artifact_type,
        artifact_id: r.artifact_id,
        artifact_version: r.artifact_version,
        sha256: r.sha256,
        lineage_hash: r.lineage_hash,
        dataset_hashes: r.dataset_hashes,
        requester: r.requester,
        risk_notes: r.risk_notes,
        created_at: r.created_at,
        expires_at: r.expires_at,
        min_approvals: r.min_approvals,
        required_groups: r.required_groups,
        approved_groups: r.approved_groups,
        approvals,
        rejections,
        decided_at: r.decided_at,
        revocation: r.revocation,
    })
}

pub fn request(deps: Deps, env: Env, id: u64) -> StdResult<RequestResponse> {
    let r = REQUESTS
        .may_load(deps.storage, id)?
        .ok_or_else(|| StdError::not_found(format!("request {id}")))?;
    request_response(deps, &env, r)
}

/// With a status filter a page reads past non-matching requests, at most
/// [`MAX_REQUESTS_READ`] of them, and says where the next page starts.
pub fn requests(
    deps: Deps,
    env: Env,
    start_after: Option<u64>,
    limit: Option<u32>,
    status: Option<Status>,
) -> StdResult<RequestsResponse> {
    let now = env.block.time;
    let limit = page_size(limit);
    let mut requests = Vec::new();
    let mut next_start_after = None;
    let mut all = REQUESTS
        .range(deps.storage, start_after.map(Bound::exclusive), None, Order::Ascending)
        .enumerate()
        .peekable();
    while let Some((read, item)) = all.next() {
        let (id, r) = item?;
        if status.is_none_or(|wanted| r.current_status(now) == wanted) {
            requests.push(request_response(deps, &env, r)?);
        }
        if requests.len() == limit || read + 1 == MAX_REQUESTS_READ {
            // A page that ends on the last request has no next one.
            next_start_after = all.peek().is_some().then_some(id);
            break;
        }
    }
    Ok(RequestsResponse {
        requests,
        next_start_after,
    })
}

pub fn requests_by_artifact(
    deps: Deps,
    env: Env,
    sha256: HexBinary,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> StdResult<RequestsResponse> {
    check_sha256(&sha256)?;
    let limit = page_size(limit);
    let mut ids = REQUESTS_BY_SHA
        .prefix(sha256.as_slice())
        .keys(deps.storage, start_after.map(Bound::exclusive), None, Order::Ascending)
        .peekable();
    let mut requests = Vec::new();
    while requests.len() < limit {
        let Some(id) = ids.next() else { break };
        requests.push(request_response(deps, &env, REQUESTS.load(deps.storage, id?)?)?);
    }
    // Every id read is the artifact's: there is a next page when one more
    // id follows.
    let next_start_after = ids.peek().is_some().then(|| requests.last().map(|r| r.id)).flatten();
    Ok(RequestsResponse {
        requests,
        next_start_after,
    })
}

/// Types looked at for `IsReleased` without a type (an artifact requested
/// under more types than this is answered from the first ones).
const MAX_TYPES_READ: usize = 32;

pub fn is_released(
    deps: Deps,
    env: Env,
    sha256: HexBinary,
    artifact_type: Option<String>,
) -> StdResult<IsReleasedResponse> {
    check_sha256(&sha256)?;
    let sha = sha256.as_slice();
    let now = env.block.time;
    let answer = |r: Option<Request>| -> StdResult<IsReleasedResponse> {
        Ok(IsReleasedResponse {
            released: r.as_ref().is_some_and(|r| r.is_released(now)),
            request: r.map(|r| request_response(deps, &env, r)).transpose()?,
        })
    };
    if let Some(artifact_type) = artifact_type {
        let latest = latest_of_type(deps.storage, sha, &artifact_type)?;
        return answer(latest.map(|id| REQUESTS.load(deps.storage, id)).transpose()?);
    }
    // Any type: the first released one, else the artifact's latest request.
    let latest = latest_request_id(deps.storage, sha)?;
    let mut ids = LATEST_BY_TYPE
        .prefix(sha)
        .range(deps.storage, None, None, Order::Ascending)
        .take(MAX_TYPES_READ)
        .map(|item| item.map(|(_, id)| id))
        .collect::<StdResult<Vec<u64>>>()?;
    ids.extend(latest.filter(|id| !ids.contains(id)));
    for id in ids {
        let r = REQUESTS.load(deps.storage, id)?;
        if r.is_released(now) {
            return answer(Some(r));
        }
    }
    answer(latest.map(|id| REQUESTS.load(deps.storage, id)).transpose()?)
}
