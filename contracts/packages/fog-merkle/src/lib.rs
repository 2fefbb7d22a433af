//! RFC 6962 / RFC 9162 Merkle trees over SHA-256.
//!
//! The tree of a transparency log: a leaf hashes as `SHA256(0x00 || data)`,
//! an interior node as `SHA256(0x01 || left || right)`, the empty tree's
//! root is `SHA256("")` (RFC 9162 2.1.1). This crate computes roots and
//! generates and verifies inclusion and consistency proofs with exactly the
//! algorithms of RFC 9162 section 2.1, so its proofs interoperate with
//! Certificate Transparency, trillian, transparency-dev and sumdb.
//!
//! - Verification ([`verify_inclusion`], [`verify_consistency`]) needs only
//!   the proof, never the leaves, and returns a typed [`VerifyError`]. It
//!   never panics and never allocates, so the on-chain anchor uses it as is.
//! - Generation works over any [`SubtreeSource`]: a slice of leaf hashes
//!   (`[Hash]`), or a store of perfect subtree hashes ([`NodeStore`], the
//!   "stored hashes" layout of Go's `sumdb/tlog`) wrapped in [`StoredTree`],
//!   so a log in a database can prove without loading its leaves.
//!
//! Edge cases public implementations got wrong, and what this crate does:
//! an inclusion proof for `index >= size` (every index of the empty tree) is
//! an error; a consistency proof from size 0 is an error; from `m == n` it is
//! the empty proof, and a non-empty one is an error; a proof of the wrong
//! length (too long or too short) is an error before any hashing; and a
//! consistency proof is checked against *both* roots it claims.
//!
//! A root does not commit to its tree size: an RFC 9162 proof checked with a
//! different size of the same shape (e.g. leaf 0 in trees of 6 and 7 leaves)
//! leads to the same root. The size is bound by the signed checkpoint that
//! carries the root, so always verify against a (size, root) pair you trust.
//!
//! `no_std` (with `alloc`) without the default `std` feature.

#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
// No panics on any input: no indexing, no unchecked arithmetic, no unwraps.
#![cfg_attr(
    not(test),
    deny(
        clippy::panic,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

extern crate alloc;

mod hash;
mod prove;
mod store;
mod verify;

pub use hash::{empty_root, leaf_hash, node_hash, Hash, EMPTY_ROOT, HASH_SIZE, LEAF_PREFIX, NODE_PREFIX};
pub use prove::{
    consistency_proof, inclusion_proof, prove_consistency, prove_inclusion, root, subtree_root, tree_root, ProofError,
    RangeError, SubtreeSource,
};
pub use store::{stored_hash_count, stored_hash_index, stored_hashes_for_leaf, NodeStore, StoredNode, StoredTree};
pub use verify::{
    consistency_proof_len, inclusion_proof_len, root_from_consistency_proof, root_from_inclusion_proof,
    verify_consistency, verify_inclusion, VerifyError,
};

#[cfg(test)]
mod tests;
