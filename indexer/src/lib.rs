//! fog's indexer: the chain mirrored into PostgreSQL exactly once
//! (`source` → `store` → `project`), voting power recomputed from the
//! projections (`power`), drift checks against the contracts (`verify`), and
//! the read API for compliance staff (`api`).

pub mod access;
pub mod api;
#[cfg(test)]
mod arbitrary_json;
pub mod audit;
pub mod cases;
pub mod ingest;
pub mod kyc;
pub mod lineage;
pub mod outcome;
pub mod power;
pub mod project;
pub mod reports;
pub mod rules;
pub mod source;
pub mod store;
pub mod synth;
pub mod testing;
pub mod verify;
