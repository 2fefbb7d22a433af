//! The append-only audit log: canonical-JSON records in a hash chain and an
//! RFC 6962 tree (stored hashes, so any root or proof costs O(log n) reads),
//! signed checkpoints in the C2SP signed-note format, and verification that
//! recomputes everything from the records.

pub mod checkpoint;
pub mod events;
pub mod log;
pub use fog_relayer::note;
pub mod record;
pub mod stream;
pub mod tree;
pub mod verify;

pub use record::{Entry, Record};
