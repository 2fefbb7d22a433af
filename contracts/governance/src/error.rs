use cosmwasm_std::{StdError, Uint128};
use thiserror::Error;

#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    #[error("{0}")]
    Std(#[from] StdError),

    #[error("only the FOG token may pay deposits (got {sender})")]
    WrongToken { sender: String },

    #[error("the deposit is {required} FOG base units, {paid} were sent")]
    WrongDeposit { required: Uint128, paid: Uint128 },

    #[error("invalid proposal: {reason}")]
    InvalidProposal { reason: String },

    #[error("invalid configuration: {reason}")]
    InvalidConfig { reason: String },

    #[error("invalid veto reason: {reason}")]
    InvalidVetoReason { reason: String },

    #[error("proposing needs {required} voting power; {address} has {actual}")]
    NotEnoughPower {
        address: String,
        required: Uint128,
        actual: Uint128,
    },

    #[error("{address} needs KYC tier {required} in the registry (has {actual})")]
    KycTierTooLow { address: String, required: u8, actual: u8 },

    #[error("only validators and the guardian may propose emergencies")]
    EmergencyNotAllowed,

    #[error("there is no voting power to vote with")]
    NoTotalPower,

    #[error("proposal {id} does not exist")]
    NoSuchProposal { id: u64 },

    #[error("voting on proposal {id} is closed")]
    VotingClosed { id: u64 },

    #[error("voting on proposal {id} is open until {end}")]
    VotingOpen { id: u64, end: u64 },

    #[error("{voter} already voted on proposal {id}")]
    AlreadyVoted { id: u64, voter: String },

    #[error("invalid ballot: {reason}")]
    InvalidBallot { reason: String },

    #[error("{voter} had no voting power at the start of proposal {id}")]
    NoVotingPower { id: u64, voter: String },

    #[error("proposal {id} is already closed")]
    AlreadyClosed { id: u64 },

    #[error("proposal {id} has not passed (status: {status})")]
    NotPassed { id: u64, status: String },

    #[error("proposal {id} is timelocked until {until}")]
    Timelocked { id: u64, until: u64 },

    #[error("proposal {id} could be executed until {until}; its execution window is over")]
    ExecutionWindowOver { id: u64, until: u64 },

    #[error("the veto period of proposal {id} ended at {until}")]
    VetoPeriodOver { id: u64, until: u64 },

    #[error(
        "proposal {id} passed: its deposit is settled when its timelock ends at {until} (until then a veto burns it)"
    )]
    DepositHeldDuringTimelock { id: u64, until: u64 },

    #[error("only the guardian may veto")]
    NotGuardian,

    #[error(
        "paying {amount} FOG would spend proposal deposits: the treasury holds {balance}, of which {held} are deposits"
    )]
    DepositsHeld {
        amount: Uint128,
        balance: Uint128,
        held: Uint128,
    },

    #[error("paying {amount} of {asset} would exceed the limit of {limit} per period ({spent} spent)")]
    SpendLimitExceeded {
        asset: String,
        amount: Uint128,
        limit: Uint128,
        spent: Uint128,
    },

    #[error("{contract} is not a contract the DAO manages")]
    NotManaged { contract: String },

    #[error("only the contract itself may change its configuration")]
    Unauthorized,
}

impl ContractError {
    pub fn invalid_proposal(reason: impl Into<String>) -> Self {
        ContractError::InvalidProposal { reason: reason.into() }
    }
    pub fn invalid_config(reason: impl Into<String>) -> Self {
        ContractError::InvalidConfig { reason: reason.into() }
    }
    pub fn invalid_ballot(reason: impl Into<String>) -> Self {
        ContractError::InvalidBallot { reason: reason.into() }
    }
}
