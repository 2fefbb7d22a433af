use cosmwasm_std::{StdError, Uint128};
use thiserror::Error;

#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    #[error("{0}")]
    Std(#[from] StdError),

    #[error("only the owner (governance) may do this")]
    Unauthorized,

    #[error("only the FOG token contract may send tokens here (got {sender})")]
    WrongToken { sender: String },

    #[error("the amount must be greater than zero")]
    ZeroAmount,

    #[error("locking {amount} would take the total locked past the contract's bound")]
    AmountTooLarge { amount: Uint128 },

    #[error("the lock duration must be at least one week")]
    DurationTooShort,

    #[error("the lock duration must be at most 208 weeks (4 years)")]
    DurationTooLong,

    #[error("{address} already has a lock; increase or extend it instead")]
    LockExists { address: String },

    #[error("{address} has no lock")]
    NoLock { address: String },

    #[error("the lock ended at {end}; withdraw it instead")]
    LockExpired { end: u64 },

    #[error("the lock ends at {end}; it cannot be withdrawn before")]
    LockNotExpired { end: u64 },

    #[error("the new end {requested} must be later than the current end {current}")]
    ExtendNotLater { requested: u64, current: u64 },

    #[error("{address} is flagged as sanctioned in the compliance registry")]
    Sanctioned { address: String },

    #[error("there are no rewards to claim")]
    NothingToClaim,

    #[error("invalid tiers: {reason}")]
    InvalidTiers { reason: String },

    #[error("{address} is already a registered delegate")]
    AlreadyDelegate { address: String },

    #[error("{address} is not a registered delegate")]
    NotADelegate { address: String },

    #[error("a registered delegate cannot delegate (delegation is one level deep)")]
    DelegateCannotDelegate,

    #[error("{address} delegates its power; undelegate before registering as a delegate")]
    DelegatorCannotRegister { address: String },

    #[error("an address cannot delegate to itself")]
    SelfDelegation,

    #[error("{address} already delegates to {delegate}")]
    AlreadyDelegating { address: String, delegate: String },

    #[error("{address} does not delegate")]
    NotDelegating { address: String },

    #[error("{delegator} does not delegate to {delegate}")]
    NotDelegatingTo { delegator: String, delegate: String },

    #[error("the delegate still receives {power} of delegated power: its delegators must undelegate or be dropped (DropDelegator), or their locks end, first")]
    DelegateHoldsPower { power: Uint128 },

    #[error("the profile is at most 256 characters")]
    ProfileTooLong,

    #[error("the profile may not hold the control character U+{code:04X}")]
    ProfileControlCharacter { code: u32 },
}
