//! End-to-end tests on the real local chain, driving the `fog` command the
//! way users type it (with `--output json`) and asserting on chain state
//! through queries.
//!
//! They need the devnet: `scripts/test.sh` starts a fresh one in
//! `$FOG_HOME` before `cargo test`; run alone, the first test starts it
//! (`fog devnet up` is idempotent).

mod anchoring;
mod compliance;
mod fog;
mod indexer;
mod pinning;
mod scenario;
mod user_errors;
