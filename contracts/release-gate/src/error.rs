use cosmwasm_std::StdError;
use cw_utils::PaymentError;
use thiserror::Error;

use crate::request::Status;

/// Every refusal of the release gate, one variant each.
#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    #[error("{0}")]
    Std(#[from] StdError),

    #[error("{0}")]
    Payment(#[from] PaymentError),

    #[error("only the owner may do this")]
    NotOwner,

    // --- groups -----------------------------------------------------------
    #[error("group name {name:?} is invalid: use 1 to 64 characters of a-z, 0-9 and _")]
    InvalidGroupName { name: String },

    #[error("group {name} already exists")]
    GroupExists { name: String },

    #[error("group {name} does not exist")]
    GroupNotFound { name: String },

    #[error("there are already {max} groups, the most allowed: remove one first")]
    TooManyGroups { max: u32 },

    #[error("group {name} still has {members} members: remove them first")]
    GroupNotEmpty { name: String, members: u32 },

    #[error("group {name} is named by {policies} policies: change those policies first")]
    GroupInUse { name: String, policies: u32 },

    #[error("{address} is already a member of {group}")]
    AlreadyMember { group: String, address: String },

    #[error("{address} is not a member of {group}")]
    NotMember { group: String, address: String },

    #[error("group {group} already has {max} members, the most allowed")]
    GroupFull { group: String, max: u32 },

    // --- policies ---------------------------------------------------------
    #[error("artifact type {artifact_type:?} is invalid: use 1 to 64 characters of A-Z, 0-9 and _")]
    InvalidArtifactType { artifact_type: String },

    #[error("min_approvals is {min_approvals}: four eyes need at least 2")]
    MinApprovalsTooLow { min_approvals: u32 },

    #[error("min_approvals is {min_approvals}: at most {max} are allowed")]
    MinApprovalsTooHigh { min_approvals: u32, max: u32 },

    #[error("a policy needs at least one required group (its members can also reject)")]
    NoRequiredGroups,

    #[error("a policy needs at least one revoker group")]
    NoRevokerGroups,

    #[error("revoker_groups was not given and the default revoker group {group} does not exist: create it or name the revoker groups")]
    DefaultRevokerGroupMissing { group: String },

    #[error("group {name} is listed twice")]
    DuplicateGroup { name: String },

    #[error("expiry_seconds is {expiry_seconds}: use 1 to {max}")]
    InvalidExpiry { expiry_seconds: u64, max: u64 },

    #[error("no policy for artifact type {artifact_type}: the owner must set one first")]
    PolicyNotFound { artifact_type: String },

    // --- requests ---------------------------------------------------------
    #[error("{field} {value:?} is invalid: use 1 to 128 characters without spaces or control characters")]
    InvalidIdentifier { field: String, value: String },

    #[error("{field} is {length} bytes: it must be a 32-byte sha256 digest")]
    InvalidHash { field: String, length: usize },

    #[error("{count} dataset hashes given: at most {max} are allowed")]
    TooManyDatasetHashes { count: usize, max: usize },

    #[error("dataset hash {hash} is listed twice")]
    DuplicateDatasetHash { hash: String },

    #[error("{field} is {length} characters long: at most {max} are allowed")]
    TextTooLong { field: String, length: usize, max: usize },

    #[error("{field} contains the control character U+{code:04X}")]
    ControlCharacter { field: String, code: u32 },

    #[error("a revocation needs a reason")]
    EmptyReason,

    #[error("request {id} for this artifact sha256 and type is still {status}: one pending or approved request per artifact and type at a time")]
    DuplicateRequest { id: u64, status: Status },

    #[error("request {id} does not exist")]
    RequestNotFound { id: u64 },

    #[error("request {id} has expired: make a new request")]
    Expired { id: u64 },

    #[error("request {id} is {status}, not pending")]
    NotPending { id: u64, status: Status },

    #[error("request {id} has not expired yet")]
    NotExpired { id: u64 },

    #[error("request {id} is {status}: only an approved release can be revoked")]
    NotApproved { id: u64, status: Status },

    // --- who may vote or revoke -------------------------------------------
    #[error("the requester cannot approve their own request")]
    SelfApproval,

    #[error("only members of an approval group may approve or reject")]
    NotAMember,

    #[error("only members of request {id}'s required groups ({groups}) may approve it")]
    NotARequiredApprover { id: u64, groups: String },

    #[error("only members of {groups} may request a release of {artifact_type}")]
    NotARequester { artifact_type: String, groups: String },

    #[error("{address} has already voted on request {id}")]
    AlreadyVoted { id: u64, address: String },

    #[error("only members of the policy's revoker groups may revoke")]
    NotARevoker,

    // --- migration --------------------------------------------------------
    #[error("cannot migrate from contract {found}: this code is {expected}")]
    WrongContract { expected: String, found: String },

    #[error("cannot migrate from version {from} down to {to}")]
    Downgrade { from: String, to: String },

    #[error("version {version:?} is not of the form MAJOR.MINOR.PATCH")]
    InvalidVersion { version: String },
}
