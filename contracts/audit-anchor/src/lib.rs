//! Append-only anchor of transparency-log checkpoints.
//!
//! Each log, identified by its C2SP tlog-checkpoint origin line, has a list
//! of submitters chosen by the owner. A submitter anchors a checkpoint
//! (size, root, timestamp) with an RFC 9162 consistency proof from the log's
//! latest anchored checkpoint; the contract verifies it with `fog-merkle`
//! and refuses anything that is not an append-only extension. A log may
//! have an Ed25519 key: its checkpoints must then carry the log's own
//! signed-note signature, checked here (`signature`), so a submitter can
//! anchor only roots the log signed. Anyone can then check an inclusion
//! proof against an anchored root.
//!
//! Layout as in cw-plus: `contract` (entry points), `msg`, `state`, `error`;
//! the acceptance rule is the pure function [`checkpoint::accept`], its
//! handler is in `anchor`, the owner's actions in `admin`, the queries in
//! `query`.

pub mod admin;
pub mod anchor;
pub mod checkpoint;
pub mod contract;
pub mod error;
pub mod msg;
pub mod origin;
pub mod query;
pub mod signature;
pub mod state;
pub mod version;

pub use crate::error::ContractError;
