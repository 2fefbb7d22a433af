use cosmwasm_std::StdError;
use cw_utils::PaymentError;
use fog_merkle::VerifyError;
use thiserror::Error;

/// Every refusal of the audit anchor, one variant each.
#[derive(Error, Debug, PartialEq)]
pub enum ContractError {
    #[error("{0}")]
    Std(#[from] StdError),

    #[error("{0}")]
    Payment(#[from] PaymentError),

    #[error("only the owner may do this")]
    NotOwner,

    // --- logs and submitters ------------------------------------------------
    #[error("origin {origin:?} is invalid: {reason}")]
    InvalidOrigin { origin: String, reason: &'static str },

    #[error("log {origin} already exists")]
    LogExists { origin: String },

    #[error("log {origin} does not exist")]
    UnknownLog { origin: String },

    #[error("{submitter} is already a submitter of {origin}")]
    AlreadySubmitter { origin: String, submitter: String },

    #[error("{submitter} is not a submitter of {origin}")]
    NotSubmitter { origin: String, submitter: String },

    #[error("log {origin} already has {max} submitters, the most allowed: remove one first")]
    TooManySubmitters { origin: String, max: u32 },

    #[error("public key is {length} bytes: an Ed25519 public key is 32 bytes")]
    InvalidPublicKeyLength { length: usize },

    // --- checkpoints --------------------------------------------------------
    #[error("{sender} may not anchor checkpoints of {origin}: ask the owner to add it as a submitter")]
    Unauthorized { origin: String, sender: String },

    #[error("root is {length} bytes: a SHA-256 root is 32 bytes")]
    InvalidRootLength { length: usize },

    #[error("proof hash {index} is {length} bytes: proof hashes are 32 bytes")]
    InvalidProofHashLength { index: usize, length: usize },

    #[error("the first checkpoint of a log must have at least one leaf (size 0 anchors nothing)")]
    EmptyCheckpoint,

    #[error(
        "the first checkpoint of a log has nothing to be consistent with: send an empty proof, not {length} hashes"
    )]
    ProofWithoutPrevious { length: usize },

    #[error("size {size} is already anchored with this root: nothing to do")]
    AlreadyAnchored { size: u64 },

    #[error("size {size} is already anchored with a different root: the log presents two histories (fork)")]
    ConflictingRoot { size: u64 },

    #[error("size {size} is smaller than the latest anchored size {latest_size}: a log only grows")]
    SizeDecreased { size: u64, latest_size: u64 },

    #[error("timestamp {timestamp} is before the latest anchored timestamp {latest_timestamp}")]
    TimestampWentBack { timestamp: u64, latest_timestamp: u64 },

    #[error("timestamp {timestamp} is more than an hour ahead of the block time {block_time}")]
    TimestampInFuture { timestamp: u64, block_time: u64 },

    #[error("consistency proof from size {latest_size} to {size} does not verify: {reason}")]
    InconsistentProof {
        latest_size: u64,
        size: u64,
        reason: VerifyError,
    },

    #[error("log {origin} requires its checkpoints signed by its key: send the note's signature")]
    SignatureMissing { origin: String },

    #[error("log {origin} has no key to check a signature with: send none, or ask the owner to set the log's key")]
    SignatureWithoutKey { origin: String },

    #[error("signature is {length} bytes: an Ed25519 signature is 64 bytes")]
    InvalidSignatureLength { length: usize },

    #[error("the signature does not verify with log {origin}'s key over size {size} and this root: the log did not sign this checkpoint")]
    InvalidSignature { origin: String, size: u64 },

    #[error("log {origin} has no checkpoint of size {size}: check against an anchored size")]
    UnknownCheckpoint { origin: String, size: u64 },

    // --- migration ----------------------------------------------------------
    #[error("cannot migrate from contract {found}: this code is {expected}")]
    WrongContract { expected: String, found: String },

    #[error("cannot migrate from version {from} down to {to}")]
    Downgrade { from: String, to: String },

    #[error("version {version:?} is not MAJOR.MINOR.PATCH")]
    InvalidVersion { version: String },
}
