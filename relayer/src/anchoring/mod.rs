//! The anchoring daemon: watches the audit log's signed checkpoints and
//! anchors them on the CosmWasm audit-anchor contract and on an EVM
//! AuditAnchor, exactly once per size per chain; and submits the registry
//! remediations compliance officers confirmed.

pub mod anchored;
pub mod daemon;
pub mod metrics;
pub mod policy;
pub mod remediation;
pub mod source;
pub mod state;
pub mod target;

pub use daemon::Daemon;
pub use policy::Policy;
pub use source::{IndexerSource, LogCheckpoint};
pub use target::{CosmwasmTarget, EvmTarget, Target};
