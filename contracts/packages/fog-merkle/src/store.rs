//! Proofs from a store of perfect subtree hashes instead of all leaves.
//!
//! Node `(level, n)` is the root of the perfect subtree over the leaves
//! `n * 2^level .. (n + 1) * 2^level`; level 0 holds the leaf hashes. A log
//! that stores every such node once it is complete (the "stored hashes" of
//! Go's `golang.org/x/mod/sumdb/tlog`, about two hashes per leaf, appended
//! in the order of [`stored_hash_index`]) can compute any root and proof
//! with `O(log n)` reads per subtree.

use alloc::vec::Vec;

use crate::hash::{node_hash, split, Hash, EMPTY_ROOT};
use crate::prove::SubtreeSource;

/// A store of perfect subtree hashes, e.g. a database table.
pub trait NodeStore {
    /// Why a node could not be read.
    type Error;

    /// The hash of node `(level, n)`: the root of the leaves
    /// `n * 2^level .. (n + 1) * 2^level`.
    fn node(&self, level: u8, n: u64) -> Result<Hash, Self::Error>;
}

impl<S: NodeStore + ?Sized> NodeStore for &S {
    type Error = S::Error;

    fn node(&self, level: u8, n: u64) -> Result<Hash, S::Error> {
        (**self).node(level, n)
    }
}

/// A [`NodeStore`] used as a [`SubtreeSource`]: every root and proof
/// generator of this crate then works on the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredTree<S>(pub S);

impl<S: NodeStore> SubtreeSource for StoredTree<S> {
    type Error = S::Error;

    /// Reads one node for an aligned perfect subtree and combines nodes for
    /// the other ranges following the RFC split. Ranges the generators ask
    /// for need at most `log2(n) + 1` reads; any other range is still
    /// answered correctly, only with more reads.
    fn subtree_root(&self, start: u64, end: u64) -> Result<Hash, S::Error> {
        let len = end.saturating_sub(start);
        if len == 0 {
            return Ok(EMPTY_ROOT);
        }
        if len.is_power_of_two() && start.checked_rem(len) == Some(0) {
            let level = u8::try_from(len.trailing_zeros()).unwrap_or(u8::MAX);
            let n = start.checked_shr(len.trailing_zeros()).unwrap_or(0);
            return self.0.node(level, n);
        }
        // len >= 2 here: a length of 1 is a power of two dividing any start.
        let Some(k) = split(len) else {
            return Ok(EMPTY_ROOT);
        };
        let mid = start.saturating_add(k);
        Ok(node_hash(
            &self.subtree_root(start, mid)?,
            &self.subtree_root(mid, end)?,
        ))
    }
}

/// Position of node `(level, n)` in tlog's dense storage order: the nodes
/// of a log, appended as each completes, have indexes `0, 1, 2, ...`.
/// `None` on overflow (trees beyond `2^62` leaves).
pub fn stored_hash_index(level: u8, n: u64) -> Option<u64> {
    // Level L's n'th hash is stored right after level L+1's 2n+1'th hash:
    // walk down to the level 0 ordering, then add the level back.
    let mut n = n;
    for _ in 0..level {
        n = n.checked_mul(2)?.checked_add(1)?;
    }
    // Level 0's n'th hash is stored at n + n/2 + n/4 + ...
    let mut i: u64 = 0;
    while n > 0 {
        i = i.checked_add(n)?;
        n >>= 1;
    }
    i.checked_add(u64::from(level))
}

/// The number of nodes a log of `size` leaves has stored: the leaf hashes
/// and the roots of all completed perfect subtrees. `None` on overflow.
pub fn stored_hash_count(size: u64) -> Option<u64> {
    let Some(last) = size.checked_sub(1) else {
        return Some(0);
    };
    // Up to and including the last leaf hash, then the subtrees that leaf
    // completes: one per trailing 1 bit of its index.
    stored_hash_index(0, last)?
        .checked_add(1)?
        .checked_add(u64::from(last.trailing_ones()))
}

/// One node to store: its coordinates and hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredNode {
    pub level: u8,
    pub n: u64,
    pub hash: Hash,
}

/// The nodes to store when appending leaf number `index` (0-based) with
/// hash `leaf_hash` to a store that holds the nodes of the first `index`
/// leaves: the leaf itself, then each perfect subtree it completes, in
/// [`stored_hash_index`] order. Reads one stored node per completed subtree.
pub fn stored_hashes_for_leaf<S: NodeStore + ?Sized>(
    index: u64,
    leaf_hash: Hash,
    store: &S,
) -> Result<Vec<StoredNode>, S::Error> {
    let mut out = Vec::new();
    let mut h = leaf_hash;
    out.push(StoredNode {
        level: 0,
        n: index,
        hash: h,
    });
    // Each trailing 1 bit of the index completes a subtree one level up,
    // whose left half is the stored node just before ours on that level.
    let completed = index.trailing_ones();
    let mut level: u8 = 0;
    let mut n = index;
    for _ in 0..completed {
        let left = store.node(level, n.saturating_sub(1))?;
        h = node_hash(&left, &h);
        level = level.saturating_add(1);
        n >>= 1;
        out.push(StoredNode { level, n, hash: h });
    }
    Ok(out)
}
