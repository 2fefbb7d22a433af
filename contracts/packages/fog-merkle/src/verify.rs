//! Verification of inclusion and consistency proofs (RFC 9162 2.1.3.2 and
//! 2.1.4.2). Needs no leaves, allocates nothing, never panics.

use core::fmt;

use crate::hash::{node_hash, Hash};

/// Why a proof does not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyError {
    /// The leaf index is not inside the tree (`index >= size`; the empty
    /// tree has no index at all).
    IndexOutOfRange { index: u64, size: u64 },
    /// A consistency proof must start from a non-empty tree: every tree
    /// extends the empty one, so a proof "from size 0" proves nothing and
    /// is refused rather than accepted blindly.
    EmptyFirstTree,
    /// The first tree is larger than the second: a log never shrinks.
    SizesOutOfOrder { size1: u64, size2: u64 },
    /// The proof does not have the number of hashes the sizes (and index)
    /// dictate; too long and too short are both refused.
    WrongProofLength { expected: usize, actual: usize },
    /// The inclusion proof leads to a different root than the one given.
    RootMismatch,
    /// The consistency proof does not lead to the first (older) root.
    FirstRootMismatch,
    /// The consistency proof does not lead to the second (newer) root; for
    /// equal sizes, the two roots differ.
    SecondRootMismatch,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::IndexOutOfRange { index, size } => {
                write!(f, "leaf index {index} is outside a tree of size {size}")
            }
            Self::EmptyFirstTree => f.write_str("a consistency proof cannot start from the empty tree (size 0)"),
            Self::SizesOutOfOrder { size1, size2 } => {
                write!(f, "first tree size {size1} is larger than second tree size {size2}")
            }
            Self::WrongProofLength { expected, actual } => {
                write!(f, "proof has {actual} hashes, these sizes need exactly {expected}")
            }
            Self::RootMismatch => f.write_str("the proof leads to a different root than the one given"),
            Self::FirstRootMismatch => f.write_str("the proof does not match the first (older) root"),
            Self::SecondRootMismatch => f.write_str("the proof does not match the second (newer) root"),
        }
    }
}

impl core::error::Error for VerifyError {}

/// Bit length of `x` (0 for 0).
fn bit_len(x: u64) -> u32 {
    u64::BITS.saturating_sub(x.leading_zeros())
}

/// The inclusion proof of `index` splits into `inner` hashes below the point
/// where its path joins the right border of the tree, and `border` hashes on
/// that border.
fn decompose(index: u64, size: u64) -> Option<(u32, u32)> {
    let last = size.checked_sub(1)?;
    let inner = bit_len(index ^ last);
    let border = index.checked_shr(inner).unwrap_or(0).count_ones();
    Some((inner, border))
}

/// The number of hashes in the inclusion proof of leaf `index` in a tree of
/// `size` leaves; `None` when `index >= size`.
pub fn inclusion_proof_len(index: u64, size: u64) -> Option<usize> {
    if index >= size {
        return None;
    }
    let (inner, border) = decompose(index, size)?;
    usize::try_from(inner.checked_add(border)?).ok()
}

/// The number of hashes in the consistency proof from `size1` to `size2`;
/// `None` when `size1 == 0` or `size1 > size2`, 0 when they are equal.
pub fn consistency_proof_len(size1: u64, size2: u64) -> Option<usize> {
    if size1 == 0 || size1 > size2 {
        return None;
    }
    if size1 == size2 {
        return Some(0);
    }
    // The proof is the inclusion proof of the old tree's last leaf, minus
    // the levels inside the old tree's rightmost perfect subtree, plus that
    // subtree's root unless it is the whole old tree.
    let (inner, border) = decompose(size1.checked_sub(1)?, size2)?;
    let inner = inner.checked_sub(size1.trailing_zeros())?;
    let seed = u32::from(!size1.is_power_of_two());
    usize::try_from(seed.checked_add(inner)?.checked_add(border)?).ok()
}

/// Computes the root that an inclusion proof leads to (RFC 9162 2.1.3.2,
/// without the final comparison). Fails on an index outside the tree and on
/// a proof of the wrong length.
pub fn root_from_inclusion_proof(leaf_hash: &Hash, index: u64, size: u64, proof: &[Hash]) -> Result<Hash, VerifyError> {
    let expected = inclusion_proof_len(index, size).ok_or(VerifyError::IndexOutOfRange { index, size })?;
    let wrong_length = VerifyError::WrongProofLength {
        expected,
        actual: proof.len(),
    };
    if proof.len() != expected {
        return Err(wrong_length);
    }
    // 2. Set fn to leaf_index and sn to tree_size - 1.
    let mut fn_ = index;
    let mut sn = size.checked_sub(1).ok_or(wrong_length)?;
    // 3. Set r to hash.
    let mut r = *leaf_hash;
    // 4. For each value p in the inclusion_path array:
    for p in proof {
        // a. If sn is 0, stop the iteration and fail the proof verification.
        if sn == 0 {
            return Err(wrong_length);
        }
        // b. If LSB(fn) is set, or if fn is equal to sn, then:
        if fn_ & 1 == 1 || fn_ == sn {
            // i. Set r to HASH(0x01 || p || r).
            r = node_hash(p, &r);
            // ii. If LSB(fn) is not set, right-shift fn and sn equally
            //     until either LSB(fn) is set or fn is 0.
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            // Otherwise: set r to HASH(0x01 || r || p).
            r = node_hash(&r, p);
        }
        // c. Finally, right-shift both fn and sn one time.
        fn_ >>= 1;
        sn >>= 1;
    }
    // 5. Compare sn to 0 (the root comparison is the caller's).
    if sn != 0 {
        return Err(wrong_length);
    }
    Ok(r)
}

/// Verifies that the leaf with hash `leaf_hash` is at `index` in the tree of
/// `size` leaves whose root is `root` (RFC 9162 2.1.3.2).
pub fn verify_inclusion(
    leaf_hash: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), VerifyError> {
    if root_from_inclusion_proof(leaf_hash, index, size, proof)? == *root {
        Ok(())
    } else {
        Err(VerifyError::RootMismatch)
    }
}

/// Checks a consistency proof against the first root and computes the
/// second root it leads to (RFC 9162 2.1.4.2, without the comparison with
/// the second root). For `size1 == size2` the proof must be empty and the
/// second root is the first one.
pub fn root_from_consistency_proof(size1: u64, size2: u64, root1: &Hash, proof: &[Hash]) -> Result<Hash, VerifyError> {
    if size1 == 0 {
        return Err(VerifyError::EmptyFirstTree);
    }
    if size1 > size2 {
        return Err(VerifyError::SizesOutOfOrder { size1, size2 });
    }
    let expected = consistency_proof_len(size1, size2).ok_or(VerifyError::SizesOutOfOrder { size1, size2 })?;
    let wrong_length = VerifyError::WrongProofLength {
        expected,
        actual: proof.len(),
    };
    if proof.len() != expected {
        return Err(wrong_length);
    }
    if size1 == size2 {
        return Ok(*root1);
    }
    // 1. If consistency_path is empty, fail (excluded by the length check).
    // 2. If first is an exact power of 2, prepend first_hash to the path.
    let seed = size1.is_power_of_two().then_some(root1);
    let mut path = seed.into_iter().chain(proof.iter());
    // 3. Set fn to first - 1 and sn to second - 1.
    let mut fn_ = size1.checked_sub(1).ok_or(VerifyError::EmptyFirstTree)?;
    let mut sn = size2.checked_sub(1).ok_or(VerifyError::EmptyFirstTree)?;
    // 4. If LSB(fn) is set, right-shift fn and sn equally until it is not.
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    // 5. Set both fr and sr to the first value in the path.
    let first = path.next().ok_or(wrong_length)?;
    let mut fr = *first;
    let mut sr = *first;
    // 6. For each subsequent value c in the path:
    for c in path {
        // a. If sn is 0, stop the iteration and fail the proof verification.
        if sn == 0 {
            return Err(wrong_length);
        }
        // b. If LSB(fn) is set, or if fn is equal to sn, then:
        if fn_ & 1 == 1 || fn_ == sn {
            // i. Set fr to HASH(0x01 || c || fr).
            fr = node_hash(c, &fr);
            // ii. Set sr to HASH(0x01 || c || sr).
            sr = node_hash(c, &sr);
            // iii. If LSB(fn) is not set, right-shift fn and sn equally
            //      until either LSB(fn) is set or fn is 0.
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            // Otherwise: set sr to HASH(0x01 || sr || c).
            sr = node_hash(&sr, c);
        }
        // c. Finally, right-shift both fn and sn one time.
        fn_ >>= 1;
        sn >>= 1;
    }
    // 7. Verify that sn is 0 and fr equals first_hash (second_hash is the
    //    caller's comparison).
    if sn != 0 {
        return Err(wrong_length);
    }
    if fr != *root1 {
        return Err(VerifyError::FirstRootMismatch);
    }
    Ok(sr)
}

/// Verifies that the tree of `size2` leaves with root `root2` is an
/// append-only extension of the tree of `size1` leaves with root `root1`
/// (RFC 9162 2.1.4.2). Both roots are checked.
pub fn verify_consistency(
    size1: u64,
    size2: u64,
    root1: &Hash,
    root2: &Hash,
    proof: &[Hash],
) -> Result<(), VerifyError> {
    if root_from_consistency_proof(size1, size2, root1, proof)? == *root2 {
        Ok(())
    } else {
        Err(VerifyError::SecondRootMismatch)
    }
}
