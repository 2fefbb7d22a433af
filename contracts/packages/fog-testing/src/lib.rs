//! A cw-multi-test world with the fog contracts instantiated and wired
//! together, and short helpers for what users do in it.
//!
//! Blocks advance with [`Suite::advance`], which keeps the chain's ratio of
//! five seconds per block so heights and times stay consistent.

mod contracts;
mod suite;

pub use contracts::*;
pub use suite::*;
