//! Owner-only handlers: groups, members, policies, ownership. Each writes
//! a bounded number of keys and emits one event.

use cosmwasm_std::{Addr, Deps, DepsMut, Empty, MessageInfo, OverflowError, OverflowOperation, Response, StdError};
use fog_events::release_gate::{GroupCreated, GroupRemoved, MemberAdded, MemberRemoved, OwnerUpdated, PolicySet};
use fog_events::to_event;

use crate::error::ContractError;
use crate::state::{Config, Group, Policy, CONFIG, GROUPS, GROUP_COUNT, MEMBERS, MEMBER_GROUPS, POLICIES};
use crate::validate::{self, DEFAULT_REVOKER_GROUP, MAX_GROUPS, MAX_MEMBERS_PER_GROUP};

/// The fields of `ExecuteMsg::SetPolicy`.
pub struct NewPolicy {
    pub artifact_type: String,
    pub min_approvals: u32,
    pub required_groups: Vec<String>,
    pub expiry_seconds: u64,
    pub revoker_groups: Option<Vec<String>>,
    pub requester_groups: Option<Vec<String>>,
}

fn overflow(op: OverflowOperation) -> ContractError {
    StdError::from(OverflowError::new(op)).into()
}

fn inc(n: u32) -> Result<u32, ContractError> {
    n.checked_add(1).ok_or_else(|| overflow(OverflowOperation::Add))
}

fn dec(n: u32) -> Result<u32, ContractError> {
    n.checked_sub(1).ok_or_else(|| overflow(OverflowOperation::Sub))
}

pub fn assert_owner(deps: Deps, sender: &Addr) -> Result<Config, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    if config.owner != *sender {
        return Err(ContractError::NotOwner);
    }
    Ok(config)
}

fn load_group(deps: Deps, name: &str) -> Result<Group, ContractError> {
    GROUPS
        .may_load(deps.storage, name)?
        .ok_or_else(|| ContractError::GroupNotFound { name: name.to_string() })
}

pub fn create_group(deps: DepsMut, info: MessageInfo, name: String) -> Result<Response, ContractError> {
    assert_owner(deps.as_ref(), &info.sender)?;
    validate::validate_group_name(&name)?;
    if GROUPS.has(deps.storage, &name) {
        return Err(ContractError::GroupExists { name });
    }
    let count = GROUP_COUNT.may_load(deps.storage)?.unwrap_or(0);
    if count >= MAX_GROUPS {
        return Err(ContractError::TooManyGroups { max: MAX_GROUPS });
    }
    GROUP_COUNT.save(deps.storage, &inc(count)?)?;
    GROUPS.save(
        deps.storage,
        &name,
        &Group {
            member_count: 0,
            policy_refs: 0,
        },
    )?;
    Ok(Response::new().add_event(to_event(&GroupCreated {
        group: name,
        owner: info.sender.into_string(),
    })))
}

pub fn remove_group(deps: DepsMut, info: MessageInfo, name: String) -> Result<Response, ContractError> {
    assert_owner(deps.as_ref(), &info.sender)?;
    let group = load_group(deps.as_ref(), &name)?;
    if group.member_count > 0 {
        return Err(ContractError::GroupNotEmpty {
            name,
            members: group.member_count,
        });
    }
    if group.policy_refs > 0 {
        return Err(ContractError::GroupInUse {
            name,
            policies: group.policy_refs,
        });
    }
    let count = GROUP_COUNT.may_load(deps.storage)?.unwrap_or(0);
    GROUP_COUNT.save(deps.storage, &dec(count)?)?;
    GROUPS.remove(deps.storage, &name);
    Ok(Response::new().add_event(to_event(&GroupRemoved {
        group: name,
        owner: info.sender.into_string(),
    })))
}

pub fn add_member(deps: DepsMut, info: MessageInfo, group: String, address: String) -> Result<Response, ContractError> {
    assert_owner(deps.as_ref(), &info.sender)?;
    let mut g = load_group(deps.as_ref(), &group)?;
    let member = deps.api.addr_validate(&address)?;
    if MEMBERS.has(deps.storage, (&group, &member)) {
        return Err(ContractError::AlreadyMember {
            group,
            address: member.into_string(),
        });
    }
    if g.member_count >= MAX_MEMBERS_PER_GROUP {
        return Err(ContractError::GroupFull {
            group,
            max: MAX_MEMBERS_PER_GROUP,
        });
    }
    g.member_count = inc(g.member_count)?;
    GROUPS.save(deps.storage, &group, &g)?;
    MEMBERS.save(deps.storage, (&group, &member), &Empty {})?;
    MEMBER_GROUPS.save(deps.storage, (&member, &group), &Empty {})?;
    Ok(Response::new().add_event(to_event(&MemberAdded {
        group,
        member: member.into_string(),
        owner: info.sender.into_string(),
    })))
}

pub fn remove_member(
    deps: DepsMut,
    info: MessageInfo,
    group: String,
    address: String,
) -> Result<Response, ContractError> {
    assert_owner(deps.as_ref(), &info.sender)?;
    let mut g = load_group(deps.as_ref(), &group)?;
    let member = deps.api.addr_validate(&address)?;
    if !MEMBERS.has(deps.storage, (&group, &member)) {
        return Err(ContractError::NotMember {
            group,
            address: member.into_string(),
        });
    }
    g.member_count = dec(g.member_count)?;
    GROUPS.save(deps.storage, &group, &g)?;
    MEMBERS.remove(deps.storage, (&group, &member));
    MEMBER_GROUPS.remove(deps.storage, (&member, &group));
    Ok(Response::new().add_event(to_event(&MemberRemoved {
        group,
        member: member.into_string(),
        owner: info.sender.into_string(),
    })))
}

pub fn set_policy(deps: DepsMut, info: MessageInfo, new: NewPolicy) -> Result<Response, ContractError> {
    assert_owner(deps.as_ref(), &info.sender)?;
    validate::validate_artifact_type(&new.artifact_type)?;
    let revokers_given = new.revoker_groups.is_some();
    let policy = Policy {
        min_approvals: new.min_approvals,
        required_groups: new.required_groups,
        expiry_seconds: new.expiry_seconds,
        revoker_groups: new
            .revoker_groups
            .unwrap_or_else(|| vec![DEFAULT_REVOKER_GROUP.to_string()]),
        requester_groups: new.requester_groups.unwrap_or_default(),
    };
    validate::validate_policy(&policy)?;
    for name in &policy.revoker_groups {
        if !revokers_given && !GROUPS.has(deps.storage, name) {
            return Err(ContractError::DefaultRevokerGroupMissing { group: name.clone() });
        }
    }

    // Keep each group's count of naming policies, so that a group in use
    // cannot be removed: only the groups that enter or leave are touched
    // (at most 2 x MAX_GROUPS writes).
    let previous = POLICIES.may_load(deps.storage, &new.artifact_type)?;
    let old_groups = previous.as_ref().map(Policy::groups).unwrap_or_default();
    let new_groups = policy.groups();
    for name in new_groups.difference(&old_groups) {
        let mut g = load_group(deps.as_ref(), name)?;
        g.policy_refs = inc(g.policy_refs)?;
        GROUPS.save(deps.storage, name, &g)?;
    }
    for name in old_groups.difference(&new_groups) {
        // A group named by a policy cannot have been removed.
        let mut g = load_group(deps.as_ref(), name)?;
        g.policy_refs = dec(g.policy_refs)?;
        GROUPS.save(deps.storage, name, &g)?;
    }
    POLICIES.save(deps.storage, &new.artifact_type, &policy)?;

    Ok(Response::new().add_event(to_event(&PolicySet {
        artifact_type: new.artifact_type,
        min_approvals: policy.min_approvals,
        required_groups: policy.required_groups,
        expiry_seconds: policy.expiry_seconds,
        revoker_groups: policy.revoker_groups,
        requester_groups: (!policy.requester_groups.is_empty()).then_some(policy.requester_groups),
        owner: info.sender.into_string(),
    })))
}

pub fn update_owner(deps: DepsMut, info: MessageInfo, owner: String) -> Result<Response, ContractError> {
    let mut config = assert_owner(deps.as_ref(), &info.sender)?;
    let new_owner = deps.api.addr_validate(&owner)?;
    config.owner = new_owner.clone();
    CONFIG.save(deps.storage, &config)?;
    Ok(Response::new().add_event(to_event(&OwnerUpdated {
        previous_owner: info.sender.into_string(),
        new_owner: new_owner.into_string(),
    })))
}
