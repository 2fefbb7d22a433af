use cosmwasm_std::StdError;
use cw_utils::PaymentError;
use thiserror::Error;

/// Every refusal of the registry, one variant each.
#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    #[error("{0}")]
    Std(#[from] StdError),

    #[error("{0}")]
    Payment(#[from] PaymentError),

    #[error("only the owner may do this")]
    NotOwner,

    #[error("only a compliance officer may do this")]
    NotOfficer,

    #[error("an officer cannot change their own entry: another officer must")]
    OwnEntry,

    #[error("a sanctioned officer cannot change entries until another officer lifts the sanction")]
    OfficerSanctioned,

    #[error("{address} is already a compliance officer")]
    AlreadyOfficer { address: String },

    #[error("{address} is not a compliance officer")]
    OfficerNotFound { address: String },

    #[error("KYC tier {tier} is out of range: use 0 to 3")]
    InvalidKycTier { tier: u8 },

    #[error("jurisdiction {jurisdiction:?} is not an ISO 3166-1 alpha-2 code: use two uppercase letters, e.g. \"DE\"")]
    InvalidJurisdiction { jurisdiction: String },

    #[error("commitment is {length} bytes: it must be a 32-byte sha256 digest")]
    InvalidCommitment { length: usize },

    #[error("expires_at must be later than the current block time; to end a verification now, set tier 0 or remove the entry")]
    ExpiryNotInFuture,

    #[error("expires_at is more than {max_days} days ahead; for a verification that never expires, leave it out")]
    ExpiryTooFar { max_days: u64 },

    #[error("reason is {length} characters long: at most {max} are allowed")]
    ReasonTooLong { length: usize, max: usize },

    #[error("reason contains the control character U+{code:04X}")]
    ReasonControlCharacter { code: u32 },

    #[error("{address} has no entry")]
    EntryNotFound { address: String },

    #[error("{address} is sanctioned: lift the sanction with SetSanctioned before removing the entry")]
    EntrySanctioned { address: String },

    #[error("{address}'s sanctions flag is {sanctioned}: SetEntry must repeat it; change it with SetSanctioned, which records why")]
    SanctionNotChangedBySetEntry { address: String, sanctioned: bool },

    #[error("cannot migrate from contract {found}: this code is {expected}")]
    WrongContract { expected: String, found: String },

    #[error("cannot migrate from version {from} down to {to}")]
    Downgrade { from: String, to: String },

    #[error("version {version:?} is not of the form MAJOR.MINOR.PATCH")]
    InvalidVersion { version: String },
}
