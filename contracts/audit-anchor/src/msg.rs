//! Messages of the audit anchor. Every field says why it exists: these
//! comments are the JSON schema's descriptions.

use cosmwasm_schema::{cw_serde, QueryResponses};
use cosmwasm_std::{Addr, HexBinary};

#[cw_serde]
pub struct InstantiateMsg {
    /// Address that creates logs and chooses who may anchor their
    /// checkpoints: the governance contract, or an admin account until
    /// governance takes over (see `UpdateOwner`).
    pub owner: String,
}

#[cw_serde]
pub enum ExecuteMsg {
    /// Registers a transparency log. Owner only. The log has no checkpoint
    /// until a submitter anchors the first one.
    CreateLog {
        /// The log's origin: the first line of its C2SP tlog-checkpoint
        /// (e.g. `fog.audit.example/log`), which identifies it here and in
        /// every verifier. 1 to 128 printable characters, no whitespace at
        /// either end; it cannot be changed later.
        origin: String,
        /// Addresses allowed from the start to anchor this log's
        /// checkpoints (e.g. the relayer's key); may be empty. At most 20.
        submitters: Vec<String>,
        /// The Ed25519 public key (32 bytes) that signs the log's
        /// checkpoints (its signed-note verifier key without name and id).
        /// When set, every checkpoint must carry the log's signature, checked
        /// here, so a submitter can only anchor what the log signed. When
        /// absent, the submitters are trusted for the roots they anchor.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        public_key: Option<HexBinary>,
    },
    /// Sets, replaces (a key rotation) or, with `null`, removes the key that
    /// a log's checkpoints must be signed with. Owner only. Checkpoints
    /// anchored before keep counting.
    SetLogKey {
        /// Origin of the log.
        origin: String,
        /// The new Ed25519 public key, 32 bytes; `null` to stop checking
        /// signatures.
        public_key: Option<HexBinary>,
    },
    /// Allows one more address to anchor a log's checkpoints. Owner only.
    AddSubmitter {
        /// Origin of the log.
        origin: String,
        /// The address to allow, e.g. a new relayer key during a rotation.
        submitter: String,
    },
    /// Withdraws an address's right to anchor a log's checkpoints, e.g. a
    /// retired or compromised relayer key. Owner only.
    RemoveSubmitter {
        /// Origin of the log.
        origin: String,
        /// The address to remove.
        submitter: String,
    },
    /// Anchors a new checkpoint of a log. Submitters of that log only.
    /// Refused unless it is an append-only extension of the log's latest
    /// anchored checkpoint: larger, not older, and proven consistent.
    Checkpoint {
        /// Origin of the log the checkpoint belongs to.
        origin: String,
        /// Number of leaves in the log at this checkpoint; larger than the
        /// latest anchored size (at least 1 for the first checkpoint).
        size: u64,
        /// Root of the log's RFC 6962 / RFC 9162 Merkle tree (SHA-256) at
        /// this size: exactly 32 bytes.
        root: HexBinary,
        /// The log's own time of the checkpoint, in seconds since the Unix
        /// epoch; never before the latest anchored checkpoint's timestamp,
        /// nor more than an hour ahead of the block's time.
        timestamp: u64,
        /// RFC 9162 consistency proof from the latest anchored checkpoint
        /// of this log to this one (32-byte hashes, in the RFC's order).
        /// Empty for the log's first checkpoint, which has nothing to be
        /// consistent with.
        proof: Vec<HexBinary>,
        /// The log's Ed25519 signature (64 bytes) over the checkpoint's
        /// note body, `<origin>\n<size>\n<base64 root>\n`: the signature
        /// line's blob without its 4-byte key id. Required when the log has
        /// a key; refused when it has none. Left out when absent, so a
        /// relayer also anchors to a contract from before signatures.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        signature: Option<HexBinary>,
    },
    /// Hands the contract to a new owner, e.g. from the deploying admin to
    /// the governance contract. Owner only; takes effect at once.
    UpdateOwner {
        /// The new owner's address.
        owner: String,
    },
}

#[cw_serde]
#[derive(QueryResponses)]
pub enum QueryMsg {
    /// The contract's owner.
    #[returns(ConfigResponse)]
    Config {},
    /// One log: its submitters and latest checkpoint.
    #[returns(LogResponse)]
    Log {
        /// Origin of the log.
        origin: String,
    },
    /// All logs, by origin in ascending byte order, a page at a time.
    #[returns(LogsResponse)]
    Logs {
        /// Return logs after this origin (the last one of the previous
        /// page); from the first when absent.
        start_after: Option<String>,
        /// Page size: 10 when absent, at most 100.
        limit: Option<u32>,
    },
    /// The latest anchored checkpoint of a log; `null` before the first.
    #[returns(Option<CheckpointResponse>)]
    LatestCheckpoint {
        /// Origin of the log.
        origin: String,
    },
    /// The anchored checkpoint of a log at one size; an error if that size
    /// was never anchored.
    #[returns(CheckpointResponse)]
    Checkpoint {
        /// Origin of the log.
        origin: String,
        /// The checkpoint's tree size.
        size: u64,
    },
    /// A log's anchored checkpoints by ascending size, a page at a time:
    /// its whole history, for auditors and indexers.
    #[returns(CheckpointsResponse)]
    Checkpoints {
        /// Origin of the log.
        origin: String,
        /// Return checkpoints of sizes above this one (the last size of the
        /// previous page); from the first when absent.
        start_after: Option<u64>,
        /// Page size: 10 when absent, at most 100.
        limit: Option<u32>,
    },
    /// Checks an RFC 9162 inclusion proof against the root anchored for
    /// `tree_size`, so a client needs to trust only the chain. An error if
    /// that size was never anchored; otherwise `valid` and, when invalid,
    /// the reason.
    #[returns(VerifyInclusionResponse)]
    VerifyInclusion {
        /// Origin of the log.
        origin: String,
        /// The leaf's hash, SHA256(0x00 || record), 32 bytes.
        leaf_hash: HexBinary,
        /// The leaf's 0-based position in the log.
        index: u64,
        /// Size of an anchored checkpoint whose root the proof leads to.
        tree_size: u64,
        /// The inclusion proof (32-byte hashes, in the RFC's order).
        proof: Vec<HexBinary>,
    },
}

#[cw_serde]
pub struct MigrateMsg {}

#[cw_serde]
pub struct ConfigResponse {
    /// Creates logs and manages their submitters.
    pub owner: Addr,
}

#[cw_serde]
pub struct CheckpointResponse {
    /// Origin of the log.
    pub origin: String,
    /// Number of leaves of the log at this checkpoint.
    pub size: u64,
    /// The tree's root, 32 bytes.
    pub root: HexBinary,
    /// The log's own time of the checkpoint, seconds since the Unix epoch.
    pub timestamp: u64,
    /// Block height at which it was anchored.
    pub height: u64,
}

#[cw_serde]
pub struct LogResponse {
    /// Origin of the log.
    pub origin: String,
    /// Who may anchor its checkpoints.
    pub submitters: Vec<Addr>,
    /// The Ed25519 key its checkpoints are signed with; `null` when
    /// signatures are not checked.
    pub public_key: Option<HexBinary>,
    /// Its latest anchored checkpoint; `null` before the first.
    pub latest: Option<CheckpointResponse>,
}

#[cw_serde]
pub struct LogsResponse {
    /// One page of logs, by ascending origin.
    pub logs: Vec<LogResponse>,
}

#[cw_serde]
pub struct CheckpointsResponse {
    /// One page of checkpoints, by ascending size.
    pub checkpoints: Vec<CheckpointResponse>,
}

#[cw_serde]
pub struct VerifyInclusionResponse {
    /// Whether the proof shows the leaf at `index` in the anchored tree.
    pub valid: bool,
    /// Why not, when `valid` is false.
    pub reason: Option<String>,
}
