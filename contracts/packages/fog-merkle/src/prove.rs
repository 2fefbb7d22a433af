//! Roots and proof generation (RFC 9162 2.1.1, 2.1.3.1 PATH and 2.1.4.1
//! PROOF/SUBPROOF) over any source of subtree roots.

use alloc::vec::Vec;
use core::fmt;
use core::ops::Range;

use crate::hash::{node_hash, split, Hash, EMPTY_ROOT};

/// Where the generators read `MTH(D[start:end])`, the root of a range of
/// leaves, from.
///
/// The generators only ask for ranges the RFC recursion produces: non-empty,
/// and `start` a multiple of the smallest power of two `>= end - start`. Such
/// a range is a perfect subtree or the left part of one, so a store of
/// perfect subtree hashes answers each with at most `log2(n)` reads (see
/// [`StoredTree`](crate::StoredTree)).
pub trait SubtreeSource {
    /// Why a range could not be read (missing leaves, a database error, ...).
    type Error;

    /// `MTH(D[start:end])`.
    fn subtree_root(&self, start: u64, end: u64) -> Result<Hash, Self::Error>;
}

/// A range of leaves that a slice of leaf hashes does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RangeError {
    pub start: u64,
    pub end: u64,
    /// The number of leaves available.
    pub len: u64,
}

impl fmt::Display for RangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "leaf range {}..{} is not inside the {} leaves available",
            self.start, self.end, self.len
        )
    }
}

impl core::error::Error for RangeError {}

/// Why a proof could not be generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofError<E> {
    /// The leaf index is not inside the tree (`index >= size`).
    IndexOutOfRange { index: u64, size: u64 },
    /// Consistency proofs start from a non-empty tree.
    EmptyFirstTree,
    /// The first tree is larger than the second.
    SizesOutOfOrder { size1: u64, size2: u64 },
    /// The source could not provide a subtree root.
    Source(E),
}

impl<E: fmt::Display> fmt::Display for ProofError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::IndexOutOfRange { index, size } => {
                write!(f, "leaf index {index} is outside a tree of size {size}")
            }
            Self::EmptyFirstTree => f.write_str("a consistency proof cannot start from the empty tree (size 0)"),
            Self::SizesOutOfOrder { size1, size2 } => {
                write!(f, "first tree size {size1} is larger than second tree size {size2}")
            }
            Self::Source(e) => write!(f, "reading the tree: {e}"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> core::error::Error for ProofError<E> {}

/// MTH of a list of leaf hashes, by the RFC's recursive definition.
fn mth(leaves: &[Hash]) -> Hash {
    match leaves {
        [] => EMPTY_ROOT,
        [leaf] => *leaf,
        _ => {
            let k = split(leaves.len() as u64).and_then(|k| usize::try_from(k).ok());
            match k.and_then(|k| leaves.split_at_checked(k)) {
                Some((left, right)) => node_hash(&mth(left), &mth(right)),
                // A list of two or more leaves always splits.
                None => EMPTY_ROOT,
            }
        }
    }
}

impl SubtreeSource for [Hash] {
    type Error = RangeError;

    fn subtree_root(&self, start: u64, end: u64) -> Result<Hash, RangeError> {
        subtree_root(self, start..end)
    }
}

impl<S: SubtreeSource + ?Sized> SubtreeSource for &S {
    type Error = S::Error;

    fn subtree_root(&self, start: u64, end: u64) -> Result<Hash, S::Error> {
        (**self).subtree_root(start, end)
    }
}

/// The root of a tree of leaf hashes (RFC 9162 2.1.1); the empty slice has
/// the empty root `SHA256("")`.
pub fn root(leaves: &[Hash]) -> Hash {
    mth(leaves)
}

/// `MTH(D[range])`: the root of the leaves in `range` of `leaves`, as if they
/// were a tree of their own. An empty range has the empty root.
pub fn subtree_root(leaves: &[Hash], range: Range<u64>) -> Result<Hash, RangeError> {
    let err = RangeError {
        start: range.start,
        end: range.end,
        len: leaves.len() as u64,
    };
    let start = usize::try_from(range.start).map_err(|_| err)?;
    let end = usize::try_from(range.end).map_err(|_| err)?;
    leaves.get(start..end).map(mth).ok_or(err)
}

/// The root of the first `size` leaves of `source`.
pub fn tree_root<S: SubtreeSource + ?Sized>(source: &S, size: u64) -> Result<Hash, S::Error> {
    if size == 0 {
        return Ok(EMPTY_ROOT);
    }
    source.subtree_root(0, size)
}

/// RFC 9162 2.1.3.1 `PATH(m, D[start:end])`, appended to `out`. Requires
/// `start <= start + m < end`.
fn path<S: SubtreeSource + ?Sized>(
    source: &S,
    m: u64,
    start: u64,
    end: u64,
    out: &mut Vec<Hash>,
) -> Result<(), S::Error> {
    let n = end.saturating_sub(start);
    // PATH(0, {d(0)}) = {}
    let Some(k) = split(n) else { return Ok(()) };
    let mid = start.saturating_add(k);
    if m < k {
        // PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n])
        path(source, m, start, mid, out)?;
        out.push(source.subtree_root(mid, end)?);
    } else {
        // PATH(m, D[n]) = PATH(m - k, D[k:n]) : MTH(D[0:k])
        path(source, m.saturating_sub(k), mid, end, out)?;
        out.push(source.subtree_root(start, mid)?);
    }
    Ok(())
}

/// RFC 9162 2.1.4.1 `SUBPROOF(m, D[start:end], b)`, appended to `out`.
/// Requires `0 < m <= end - start`.
fn subproof<S: SubtreeSource + ?Sized>(
    source: &S,
    m: u64,
    start: u64,
    end: u64,
    whole_old_tree: bool,
    out: &mut Vec<Hash>,
) -> Result<(), S::Error> {
    let n = end.saturating_sub(start);
    if m >= n {
        // SUBPROOF(m, D[m], true) = {}; SUBPROOF(m, D[m], false) = {MTH(D[m])}
        if !whole_old_tree {
            out.push(source.subtree_root(start, end)?);
        }
        return Ok(());
    }
    // m < n, so n >= 2 and the list splits.
    let Some(k) = split(n) else { return Ok(()) };
    let mid = start.saturating_add(k);
    if m <= k {
        // SUBPROOF(m, D[n], b) = SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
        subproof(source, m, start, mid, whole_old_tree, out)?;
        out.push(source.subtree_root(mid, end)?);
    } else {
        // SUBPROOF(m, D[n], b) = SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
        subproof(source, m.saturating_sub(k), mid, end, false, out)?;
        out.push(source.subtree_root(start, mid)?);
    }
    Ok(())
}

/// The inclusion proof of leaf `index` in the tree of the first `size`
/// leaves of `source` (RFC 9162 2.1.3.1).
pub fn prove_inclusion<S: SubtreeSource + ?Sized>(
    source: &S,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, ProofError<S::Error>> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let mut out = Vec::new();
    path(source, index, 0, size, &mut out).map_err(ProofError::Source)?;
    Ok(out)
}

/// The consistency proof from the tree of the first `size1` leaves of
/// `source` to the tree of its first `size2` leaves (RFC 9162 2.1.4.1).
/// Empty for `size1 == size2`.
pub fn prove_consistency<S: SubtreeSource + ?Sized>(
    source: &S,
    size1: u64,
    size2: u64,
) -> Result<Vec<Hash>, ProofError<S::Error>> {
    if size1 == 0 {
        return Err(ProofError::EmptyFirstTree);
    }
    if size1 > size2 {
        return Err(ProofError::SizesOutOfOrder { size1, size2 });
    }
    let mut out = Vec::new();
    subproof(source, size1, 0, size2, true, &mut out).map_err(ProofError::Source)?;
    Ok(out)
}

/// The inclusion proof of leaf `index` in the tree of all of `leaves`.
pub fn inclusion_proof(leaves: &[Hash], index: u64) -> Result<Vec<Hash>, ProofError<RangeError>> {
    prove_inclusion(leaves, index, leaves.len() as u64)
}

/// The consistency proof from the tree of the first `size1` of `leaves` to
/// the tree of all of them.
pub fn consistency_proof(leaves: &[Hash], size1: u64) -> Result<Vec<Hash>, ProofError<RangeError>> {
    prove_consistency(leaves, size1, leaves.len() as u64)
}
