//! Storage of the release gate.

use std::collections::BTreeSet;

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Empty, Order, StdResult, Storage};
use cw_storage_plus::{Item, Map};

use crate::request::{Request, Vote};

/// Who manages groups and policies.
#[cw_serde]
pub struct Config {
    /// The DAO's governance contract or a configured admin.
    pub owner: Addr,
}

/// An approval group; its members are in [`MEMBERS`].
#[cw_serde]
pub struct Group {
    /// Number of members (bounded by `MAX_MEMBERS_PER_GROUP`).
    pub member_count: u32,
    /// Number of policies naming the group (required or revoker); a group
    /// in use cannot be removed.
    pub policy_refs: u32,
}

/// The rules for releasing one artifact type.
#[cw_serde]
pub struct Policy {
    /// Distinct approvers needed (at least 2).
    pub min_approvals: u32,
    /// Groups that must each approve, each by an approver of its own; only
    /// their members approve, and a rejection by one of them rejects.
    pub required_groups: Vec<String>,
    /// A pending request expires this long after it was made.
    pub expiry_seconds: u64,
    /// Members of these groups may revoke an approved release.
    pub revoker_groups: Vec<String>,
    /// Only members of these groups may request a release of this type;
    /// empty: anyone may (and every policy stored before the field existed).
    #[serde(default)]
    pub requester_groups: Vec<String>,
}

impl Policy {
    /// Every group the policy names, once.
    pub fn groups(&self) -> BTreeSet<&str> {
        self.required_groups
            .iter()
            .chain(&self.revoker_groups)
            .chain(&self.requester_groups)
            .map(String::as_str)
            .collect()
    }
}

pub const CONFIG: Item<Config> = Item::new("config");

/// Groups by name.
pub const GROUPS: Map<&str, Group> = Map::new("groups");
/// Number of groups (bounded by `MAX_GROUPS`).
pub const GROUP_COUNT: Item<u32> = Item::new("group_count");
/// Membership by (group, member).
pub const MEMBERS: Map<(&str, &Addr), Empty> = Map::new("members");
/// The same membership by (member, group): an approver's groups in one
/// bounded range.
pub const MEMBER_GROUPS: Map<(&Addr, &str), Empty> = Map::new("member_groups");

/// Policies by artifact type.
pub const POLICIES: Map<&str, Policy> = Map::new("policies");

/// Id of the next request (from 1).
pub const NEXT_REQUEST_ID: Item<u64> = Item::new("next_request_id");
/// Requests by id.
pub const REQUESTS: Map<u64, Request> = Map::new("requests");
/// Requests by (artifact sha256, id): the history of one artifact.
pub const REQUESTS_BY_SHA: Map<(&[u8], u64), Empty> = Map::new("requests_by_sha");
/// The latest request of each (artifact sha256, artifact type): the only
/// one of that type that can be pending or approved. One request of
/// another type does not block it (until stop 21 one live request per
/// sha256, of any type: an outsider requesting under a policy anyone may
/// use held the artifact away from the policy meant for it).
pub const LATEST_BY_TYPE: Map<(&[u8], &str), u64> = Map::new("latest_by_type");
/// Votes by (request id, voter).
pub const VOTES: Map<(u64, &Addr), Vote> = Map::new("votes");

/// The groups `member` belongs to, sorted (at most `MAX_GROUPS` reads).
pub fn member_groups(storage: &dyn Storage, member: &Addr) -> StdResult<Vec<String>> {
    MEMBER_GROUPS
        .prefix(member)
        .keys(storage, None, None, Order::Ascending)
        .collect()
}

/// The id of the latest request for an artifact sha256 of `artifact_type`.
/// Requests made before stop 21 have no `LATEST_BY_TYPE` entry until the
/// first later request for their artifact writes one (see
/// `release::request`); until then the artifact's latest request, the only
/// one that could be live, stands for its type.
pub fn latest_of_type(storage: &dyn Storage, sha256: &[u8], artifact_type: &str) -> StdResult<Option<u64>> {
    if let Some(id) = LATEST_BY_TYPE.may_load(storage, (sha256, artifact_type))? {
        return Ok(Some(id));
    }
    let Some(id) = latest_request_id(storage, sha256)? else {
        return Ok(None);
    };
    Ok((REQUESTS.load(storage, id)?.artifact_type == artifact_type).then_some(id))
}

/// The id of the latest request for an artifact sha256 (one range step).
pub fn latest_request_id(storage: &dyn Storage, sha256: &[u8]) -> StdResult<Option<u64>> {
    REQUESTS_BY_SHA
        .prefix(sha256)
        .keys(storage, None, None, Order::Descending)
        .next()
        .transpose()
}
