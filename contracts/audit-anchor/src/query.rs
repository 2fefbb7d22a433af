//! The queries. Pages default to 10 entries and hold at most 100.

use cosmwasm_std::{Deps, HexBinary, Order, StdResult};
use cw_storage_plus::Bound;
use fog_merkle::verify_inclusion;

use crate::checkpoint::{to_hash, to_hashes};
use crate::error::ContractError;
use crate::msg::{
    CheckpointResponse, CheckpointsResponse, ConfigResponse, LogResponse, LogsResponse, VerifyInclusionResponse,
};
use crate::state::{Anchored, LogConfig, CHECKPOINTS, CONFIG, LATEST, LOGS};

pub const DEFAULT_LIMIT: u32 = 10;
pub const MAX_LIMIT: u32 = 100;

fn page(limit: Option<u32>) -> usize {
    limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT) as usize
}

fn checkpoint_response(origin: &str, size: u64, a: Anchored) -> CheckpointResponse {
    CheckpointResponse {
        origin: origin.to_string(),
        size,
        root: HexBinary::from(a.root.as_slice()),
        timestamp: a.timestamp,
        height: a.height,
    }
}

fn load_log(deps: Deps, origin: &str) -> Result<LogConfig, ContractError> {
    LOGS.may_load(deps.storage, origin)?
        .ok_or_else(|| ContractError::UnknownLog {
            origin: origin.to_string(),
        })
}

fn latest(deps: Deps, origin: &str) -> StdResult<Option<CheckpointResponse>> {
    Ok(LATEST
        .may_load(deps.storage, origin)?
        .map(|l| checkpoint_response(origin, l.size, l.checkpoint)))
}

fn log_response(deps: Deps, origin: String, log: LogConfig) -> StdResult<LogResponse> {
    Ok(LogResponse {
        latest: latest(deps, &origin)?,
        origin,
        submitters: log.submitters,
        public_key: log.public_key.map(|k| HexBinary::from(k.as_slice())),
    })
}

pub fn config(deps: Deps) -> Result<ConfigResponse, ContractError> {
    Ok(ConfigResponse {
        owner: CONFIG.load(deps.storage)?.owner,
    })
}

pub fn log(deps: Deps, origin: String) -> Result<LogResponse, ContractError> {
    let log = load_log(deps, &origin)?;
    Ok(log_response(deps, origin, log)?)
}

pub fn logs(deps: Deps, start_after: Option<String>, limit: Option<u32>) -> Result<LogsResponse, ContractError> {
    let start = start_after.as_deref().map(Bound::exclusive);
    let logs = LOGS
        .range(deps.storage, start, None, Order::Ascending)
        .take(page(limit))
        .map(|item| {
            let (origin, log) = item?;
            log_response(deps, origin, log)
        })
        .collect::<StdResult<_>>()?;
    Ok(LogsResponse { logs })
}

pub fn latest_checkpoint(deps: Deps, origin: String) -> Result<Option<CheckpointResponse>, ContractError> {
    load_log(deps, &origin)?;
    Ok(latest(deps, &origin)?)
}

fn anchored(deps: Deps, origin: &str, size: u64) -> Result<Anchored, ContractError> {
    load_log(deps, origin)?;
    CHECKPOINTS
        .may_load(deps.storage, (origin, size))?
        .ok_or_else(|| ContractError::UnknownCheckpoint {
            origin: origin.to_string(),
            size,
        })
}

pub fn checkpoint(deps: Deps, origin: String, size: u64) -> Result<CheckpointResponse, ContractError> {
    let a = anchored(deps, &origin, size)?;
    Ok(checkpoint_response(&origin, size, a))
}

pub fn checkpoints(
    deps: Deps,
    origin: String,
    start_after: Option<u64>,
    limit: Option<u32>,
) -> Result<CheckpointsResponse, ContractError> {
    load_log(deps, &origin)?;
    let checkpoints = CHECKPOINTS
        .prefix(&origin)
        .range(deps.storage, start_after.map(Bound::exclusive), None, Order::Ascending)
        .take(page(limit))
        .map(|item| item.map(|(size, a)| checkpoint_response(&origin, size, a)))
        .collect::<StdResult<_>>()?;
    Ok(CheckpointsResponse { checkpoints })
}

pub fn verify(
    deps: Deps,
    origin: String,
    leaf_hash: HexBinary,
    index: u64,
    tree_size: u64,
    proof: Vec<HexBinary>,
) -> Result<VerifyInclusionResponse, ContractError> {
    let a = anchored(deps, &origin, tree_size)?;
    let invalid = |reason: String| VerifyInclusionResponse {
        valid: false,
        reason: Some(reason),
    };
    let Some(root) = to_hash(a.root.as_slice()) else {
        return Ok(invalid("the anchored root is not 32 bytes".to_string()));
    };
    let Some(leaf) = to_hash(leaf_hash.as_slice()) else {
        return Ok(invalid(format!(
            "leaf_hash is {} bytes: a leaf hash is 32 bytes",
            leaf_hash.len()
        )));
    };
    let proof = match to_hashes(&proof) {
        Ok(proof) => proof,
        Err(e) => return Ok(invalid(e.to_string())),
    };
    Ok(match verify_inclusion(&leaf, index, tree_size, &proof, &root) {
        Ok(()) => VerifyInclusionResponse {
            valid: true,
            reason: None,
        },
        Err(e) => invalid(e.to_string()),
    })
}
