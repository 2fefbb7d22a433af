//! Messages of the release gate.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, HexBinary, Timestamp};

use crate::request::{Revocation, Status};

#[cw_serde]
pub struct InstantiateMsg {
    /// Who manages approval groups and policies and may hand ownership on:
    /// the DAO's governance contract or a configured admin.
    pub owner: String,
}

#[cw_serde]
pub enum ExecuteMsg {
    /// Owner only: create an empty approval group.
    CreateGroup {
        /// 1 to 64 characters of a-z, 0-9 and _, e.g. "risk_managers".
        name: String,
    },
    /// Owner only: remove a group. It must be empty and named by no policy,
    /// so that no rule silently changes.
    RemoveGroup {
        /// The group to remove.
        name: String,
    },
    /// Owner only: add a member to a group. Members may approve and reject;
    /// an approval counts for every group its approver is in.
    AddMember {
        /// The group.
        group: String,
        /// The new member's address.
        address: String,
    },
    /// Owner only: remove a member from a group. Their votes stay on record;
    /// an approval of theirs on a request still pending no longer counts
    /// for that group when the request is decided.
    RemoveMember {
        /// The group.
        group: String,
        /// The member's address.
        address: String,
    },
    /// Owner only: create or replace the release policy of an artifact
    /// type. Requests already made keep the approval rules (min_approvals,
    /// required_groups, expiry) they were made under; revoker_groups apply
    /// as currently set.
    SetPolicy {
        /// 1 to 64 characters of A-Z, 0-9 and _, e.g. "MODEL_DEPLOYMENT".
        artifact_type: String,
        /// Distinct approvers needed: at least 2 (four eyes), at most 32.
        min_approvals: u32,
        /// Groups that must each approve, each by an approver of its own
        /// (existing, at least one); only their members may approve, and a
        /// rejection by one of them rejects the request.
        required_groups: Vec<String>,
        /// A pending request expires this long after it was made (1 second
        /// to one year).
        expiry_seconds: u64,
        /// Groups whose members may revoke an approved release (existing,
        /// at least one). Default: ["risk_managers"], which must exist.
        revoker_groups: Option<Vec<String>>,
        /// Groups whose members may request a release of this type
        /// (existing). Default or empty: anyone may request, and so anyone
        /// may hold an artifact's sha256 *of this type* with a pending
        /// request until it is rejected or expires.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        requester_groups: Option<Vec<String>>,
    },
    /// A member of the policy's requester groups (anyone, when it names
    /// none): ask for an artifact to be released. Refused while another
    /// request for the same sha256 and type is pending or approved.
    Request {
        /// The artifact's type; its policy decides the request.
        artifact_type: String,
        /// The artifact's identifier, e.g. a model name (1 to 128
        /// characters, no whitespace).
        artifact_id: String,
        /// The artifact's version (1 to 128 characters, no whitespace).
        artifact_version: String,
        /// sha256 of the artifact (32 bytes): what a deployment checks with
        /// `IsReleased`.
        sha256: HexBinary,
        /// Hash of the artifact's lineage record (32 bytes), binding the
        /// datasets, code and config that produced it.
        lineage_hash: HexBinary,
        /// sha256 of each dataset used (32 bytes each, at most 64, no
        /// duplicates).
        dataset_hashes: Vec<HexBinary>,
        /// What the approvers should know about the risk (trimmed, at most
        /// 2048 characters).
        risk_notes: Option<String>,
    },
    /// A member of one of the request's required groups, other than the
    /// requester: approve a pending request. It is approved (released) once
    /// min_approvals distinct approvers are members of a required group and
    /// every required group is covered by an approver of its own (one
    /// person in two required groups stands for one of them), memberships
    /// as they are at that approval.
    Approve {
        /// The request.
        id: u64,
        /// Why (trimmed, at most 512 characters).
        comment: Option<String>,
    },
    /// A group member: reject a pending request. A rejection by a member of
    /// a required group rejects it; others are only recorded.
    Reject {
        /// The request.
        id: u64,
        /// Why (trimmed, at most 512 characters).
        comment: Option<String>,
    },
    /// A member of one of the policy's revoker groups: revoke an approved
    /// release (e.g. a flaw found after deployment); it is then no longer
    /// released.
    Revoke {
        /// The request.
        id: u64,
        /// Why (required; trimmed, at most 512 characters).
        reason: String,
    },
    /// Anyone: record that a pending request has passed its expiry (the
    /// queries already show it as expired; this persists it and emits the
    /// event).
    Expire {
        /// The request.
        id: u64,
    },
    /// Owner only: hand ownership to another address.
    UpdateOwner {
        /// The new owner.
        owner: String,
    },
}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// The owner.
    #[returns(ConfigResponse)]
    Config {},
    /// One group and its members.
    #[returns(GroupResponse)]
    Group {
        /// The group's name.
        name: String,
    },
    /// Groups in name order, a page at a time.
    #[returns(GroupsResponse)]
    Groups {
        /// Continue after this name (the last of the previous page).
        start_after: Option<String>,
        /// Page size: default 10, at most 100.
        limit: Option<u32>,
    },
    /// The policy of one artifact type.
    #[returns(PolicyResponse)]
    Policy {
        /// The artifact type.
        artifact_type: String,
    },
    /// Policies in artifact-type order, a page at a time.
    #[returns(PoliciesResponse)]
    Policies {
        /// Continue after this artifact type (the last of the previous page).
        start_after: Option<String>,
        /// Page size: default 10, at most 100.
        limit: Option<u32>,
    },
    /// One request with its votes and its status now.
    #[returns(RequestResponse)]
    Request {
        /// The request's id.
        id: u64,
    },
    /// Requests in id order, a page at a time, optionally only those with
    /// a given status (as of now).
    #[returns(RequestsResponse)]
    Requests {
        /// Continue after this id (the last of the previous page).
        start_after: Option<u64>,
        /// Page size: default 10, at most 100.
        limit: Option<u32>,
        /// Only requests with this status now.
        status: Option<Status>,
    },
    /// Every request for one artifact, oldest first, a page at a time.
    #[returns(RequestsResponse)]
    RequestsByArtifact {
        /// The artifact's sha256 (32 bytes).
        sha256: HexBinary,
        /// Continue after this id (the last of the previous page).
        start_after: Option<u64>,
        /// Page size: default 10, at most 100.
        limit: Option<u32>,
    },
    /// The deployment gate: may the artifact with this sha256 be deployed?
    #[returns(IsReleasedResponse)]
    IsReleased {
        /// The artifact's sha256 (32 bytes).
        sha256: HexBinary,
        /// The type it must be released as (e.g. "MODEL_DEPLOYMENT"): a
        /// deployment should always say, since each type has its own
        /// policy. Without it: released as any type (the answer's
        /// `request` says which).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        artifact_type: Option<String>,
    },
}

#[cw_serde]
pub struct MigrateMsg {}

#[cw_serde]
pub struct ConfigResponse {
    /// Who manages groups and policies.
    pub owner: Addr,
}

#[cw_serde]
pub struct GroupResponse {
    /// The group's name.
    pub name: String,
    /// Its members, in address order (at most 100).
    pub members: Vec<Addr>,
    /// Number of policies naming it.
    pub policy_refs: u32,
}

#[cw_serde]
pub struct GroupSummary {
    /// The group's name.
    pub name: String,
    /// Number of members.
    pub member_count: u32,
    /// Number of policies naming it.
    pub policy_refs: u32,
}

#[cw_serde]
pub struct GroupsResponse {
    /// A page of groups, in name order.
    pub groups: Vec<GroupSummary>,
}

#[cw_serde]
pub struct PolicyResponse {
    /// The artifact type the policy is for.
    pub artifact_type: String,
    /// Distinct approvers needed.
    pub min_approvals: u32,
    /// Groups that must each approve at least once.
    pub required_groups: Vec<String>,
    /// A pending request expires this long after it was made.
    pub expiry_seconds: u64,
    /// Groups whose members may revoke an approved release.
    pub revoker_groups: Vec<String>,
    /// Groups whose members may request a release; empty: anyone may.
    pub requester_groups: Vec<String>,
}

#[cw_serde]
pub struct PoliciesResponse {
    /// A page of policies, in artifact-type order.
    pub policies: Vec<PolicyResponse>,
}

#[cw_serde]
pub struct VoteInfo {
    /// Who voted.
    pub voter: Addr,
    /// The groups they were in when voting.
    pub groups: Vec<String>,
    /// Their comment (may be empty).
    pub comment: String,
    /// When.
    pub at: Timestamp,
}

#[cw_serde]
pub struct RequestResponse {
    /// Request id.
    pub id: u64,
    /// Artifact type.
    pub artifact_type: String,
    /// Artifact identifier.
    pub artifact_id: String,
    /// Artifact version.
    pub artifact_version: String,
    /// sha256 of the artifact.
    pub sha256: HexBinary,
    /// Hash of the lineage record.
    pub lineage_hash: HexBinary,
    /// sha256 of each dataset used.
    pub dataset_hashes: Vec<HexBinary>,
    /// Who asked.
    pub requester: Addr,
    /// Risk notes (may be empty).
    pub risk_notes: String,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it expires if still pending.
    pub expires_at: Timestamp,
    /// Distinct approvers needed (policy snapshot).
    pub min_approvals: u32,
    /// Groups that must each approve (policy snapshot).
    pub required_groups: Vec<String>,
    /// Status now (a pending request past its expiry shows as expired).
    pub status: Status,
    /// Groups with at least one approval.
    pub approved_groups: Vec<String>,
    /// Approvals, in voter address order.
    pub approvals: Vec<VoteInfo>,
    /// Rejections, in voter address order.
    pub rejections: Vec<VoteInfo>,
    /// When it stopped being pending (approved, rejected or expired).
    pub decided_at: Option<Timestamp>,
    /// Who revoked it, when and why, if it was revoked.
    pub revocation: Option<Revocation>,
}

#[cw_serde]
pub struct RequestsResponse {
    /// A page of requests, in id order.
    pub requests: Vec<RequestResponse>,
    /// Where the next page starts (its `start_after`); `None` once the
    /// last request was read. With a status filter a page may hold fewer
    /// requests than asked, even none, and still have a next one.
    pub next_start_after: Option<u64>,
}

#[cw_serde]
pub struct IsReleasedResponse {
    /// True only when the latest request for this sha256 of the type asked
    /// (without one: of some type) is approved and not revoked.
    pub released: bool,
    /// That request; when none is released, the latest request of the type
    /// asked (without one: of any type), if any, to show why.
    pub request: Option<RequestResponse>,
}
