//! The voting rules, as pure functions over tallies: no storage, no chain.

pub mod outcome;
pub mod ranked;
pub mod weight;
