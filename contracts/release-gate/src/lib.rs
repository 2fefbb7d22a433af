//! fog's release gate: the four-eyes release of models and datasets.
//!
//! Approval groups (e.g. `senior_developers`, `risk_managers`) and a policy
//! per artifact type (e.g. `MODEL_DEPLOYMENT`) are managed by the owner
//! (the DAO's governance contract or an admin). Anyone may request the
//! release of an artifact, identified by its sha256 and bound to its
//! lineage; group members approve or reject; once enough distinct members
//! of the required groups have approved, every required group by an
//! approver of its own and only members still in those groups counting,
//! `IsReleased`
//! answers true for the artifact until a revoker revokes it. Every state
//! change is one `fog.release-gate.*` event.
//!
//! The rules live in [`request`] (voting, tally, status) and [`validate`]
//! (inputs and limits), as pure functions tested without a chain.

mod admin;
pub mod contract;
pub mod error;
pub mod msg;
mod query;
mod release;
pub mod request;
pub mod state;
pub mod validate;
pub mod version;

pub use crate::error::ContractError;
