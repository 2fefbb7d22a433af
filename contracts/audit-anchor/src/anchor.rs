//! Anchoring a checkpoint: two reads (the log's submitters and key, its
//! latest checkpoint), the log's signature checked, two writes (the new
//! entry, the latest copy), one event, no iteration over storage.

use cosmwasm_std::{Binary, DepsMut, Env, HexBinary, MessageInfo, Response, StdError};
use fog_events::audit_anchor::CheckpointAnchored;
use fog_events::to_event;

use crate::checkpoint::{accept, to_hash, Previous, Proposal};
use crate::error::ContractError;
use crate::signature;
use crate::state::{Anchored, Latest, CHECKPOINTS, LATEST, LOGS};

/// How far a checkpoint's timestamp may be ahead of the block's time. The
/// signature does not cover the timestamp, so a submitter could set one
/// ahead and hold honest checkpoints back (`TimestampWentBack`) until the
/// chain's time catches up: this bounds that to minutes. Clocks kept by
/// NTP and a block time of seconds stay far inside it.
pub const MAX_CLOCK_AHEAD_SECONDS: u64 = 300;

/// A submitted checkpoint, as in `ExecuteMsg::Checkpoint`.
pub struct Submission {
    pub origin: String,
    pub size: u64,
    pub root: HexBinary,
    pub timestamp: u64,
    pub proof: Vec<HexBinary>,
    pub signature: Option<HexBinary>,
}

pub fn checkpoint(deps: DepsMut, env: Env, info: MessageInfo, s: Submission) -> Result<Response, ContractError> {
    let log = LOGS
        .may_load(deps.storage, &s.origin)?
        .ok_or_else(|| ContractError::UnknownLog {
            origin: s.origin.clone(),
        })?;
    if !log.submitters.contains(&info.sender) {
        return Err(ContractError::Unauthorized {
            origin: s.origin,
            sender: info.sender.into_string(),
        });
    }
    // A timestamp is never checked against anything but the next one, so
    // one far ahead (milliseconds taken for seconds, a bad clock) would
    // refuse every later checkpoint of the log for good.
    let latest_allowed = env.block.time.seconds().saturating_add(MAX_CLOCK_AHEAD_SECONDS);
    if s.timestamp > latest_allowed {
        return Err(ContractError::TimestampInFuture {
            timestamp: s.timestamp,
            block_time: env.block.time.seconds(),
        });
    }
    let latest = LATEST.may_load(deps.storage, &s.origin)?;
    let previous = latest
        .as_ref()
        .map(|l| {
            Ok::<_, StdError>(Previous {
                size: l.size,
                root: to_hash(l.checkpoint.root.as_slice())
                    .ok_or_else(|| StdError::generic_err("stored root is not 32 bytes"))?,
                timestamp: l.checkpoint.timestamp,
            })
        })
        .transpose()?;
    let root = accept(
        previous.as_ref(),
        &Proposal {
            size: s.size,
            root: s.root.as_slice(),
            timestamp: s.timestamp,
            proof: &s.proof,
        },
    )?;
    signature::check(
        deps.api,
        log.public_key.as_ref(),
        s.signature.as_ref(),
        &s.origin,
        s.size,
        &root,
    )?;

    let anchored = Anchored {
        root: Binary::from(root.as_slice()),
        timestamp: s.timestamp,
        height: env.block.height,
    };
    CHECKPOINTS.save(deps.storage, (&s.origin, s.size), &anchored)?;
    LATEST.save(
        deps.storage,
        &s.origin,
        &Latest {
            size: s.size,
            checkpoint: anchored,
        },
    )?;
    Ok(Response::new().add_event(to_event(&CheckpointAnchored {
        origin: s.origin,
        size: s.size,
        root: HexBinary::from(root.as_slice()).to_hex(),
        timestamp: s.timestamp,
        previous_size: previous.map(|p| p.size),
        submitter: info.sender.into_string(),
        height: env.block.height,
    })))
}
