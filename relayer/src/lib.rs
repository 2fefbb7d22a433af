//! fog's relayer: the chain client every signing part of fog uses (the
//! `fog` command for a user's own key, the anchoring daemon for its own),
//! and the daemon that anchors audit-log checkpoints on-chain.

pub mod anchoring;
pub mod chain;
pub mod deployment;
pub mod evm;
pub mod note;
pub mod prometheus;
pub mod redact;
pub mod stdout;
