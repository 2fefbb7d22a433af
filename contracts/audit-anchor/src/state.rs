//! What the contract keeps. Storage is paid forever, so a checkpoint keeps
//! only what a verifier needs; its size is the key, not stored again.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Binary};
use cw_storage_plus::{Item, Map};

/// Who administers the contract.
#[cw_serde]
pub struct Config {
    /// Creates logs and manages their submitters; the governance contract
    /// or an admin account.
    pub owner: Addr,
}

/// A log's settings: read by every checkpoint, so kept small.
#[cw_serde]
pub struct LogConfig {
    /// Who may anchor checkpoints; at most [`MAX_SUBMITTERS`].
    pub submitters: Vec<Addr>,
    /// The Ed25519 key that must have signed every checkpoint; absent for
    /// logs created without one (and by versions before keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<Binary>,
}

/// One anchored checkpoint, keyed by (origin, size).
#[cw_serde]
pub struct Anchored {
    /// The tree's root, 32 bytes (stored as base64, shorter than hex).
    pub root: Binary,
    /// The log's own time of the checkpoint, seconds since the epoch.
    pub timestamp: u64,
    /// Block height at which it was anchored.
    pub height: u64,
}

/// The latest checkpoint of a log: a copy of its entry in [`CHECKPOINTS`],
/// so a new checkpoint needs one read to find what it must extend.
#[cw_serde]
pub struct Latest {
    pub size: u64,
    pub checkpoint: Anchored,
}

/// Submitters per log: bounded because every checkpoint reads the list.
pub const MAX_SUBMITTERS: usize = 20;

pub const CONFIG: Item<Config> = Item::new("config");
/// Logs by origin.
pub const LOGS: Map<&str, LogConfig> = Map::new("logs");
/// Latest checkpoint by origin; absent until the first one.
pub const LATEST: Map<&str, Latest> = Map::new("latest");
/// Every anchored checkpoint by (origin, size); sizes ascend with time.
pub const CHECKPOINTS: Map<(&str, u64), Anchored> = Map::new("checkpoints");
