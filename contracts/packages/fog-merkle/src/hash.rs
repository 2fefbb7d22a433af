//! The RFC 6962 hashes: leaves, interior nodes and the empty tree.

use sha2::{Digest, Sha256};

/// Length in bytes of every hash of the tree.
pub const HASH_SIZE: usize = 32;

/// A SHA-256 hash: a leaf hash, a node hash or a root.
pub type Hash = [u8; HASH_SIZE];

/// Domain separation byte of a leaf hash (RFC 6962 2.1).
pub const LEAF_PREFIX: u8 = 0x00;

/// Domain separation byte of an interior node hash (RFC 6962 2.1).
pub const NODE_PREFIX: u8 = 0x01;

/// The root of the empty tree: `SHA256("")` (RFC 9162 2.1.1).
pub const EMPTY_ROOT: Hash = [
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41,
    0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
];

/// `SHA256("")`, computed (equal to [`EMPTY_ROOT`]).
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The hash of a leaf: `SHA256(0x00 || data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([LEAF_PREFIX]);
    h.update(data);
    h.finalize().into()
}

/// The hash of an interior node: `SHA256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([NODE_PREFIX]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The RFC split point of a list of `n >= 2` leaves: the largest power of
/// two strictly smaller than `n`. `None` for `n < 2`.
pub(crate) fn split(n: u64) -> Option<u64> {
    if n < 2 {
        return None;
    }
    // n >= 2, so n - 1 >= 1 and its highest set bit is at most bit 63.
    let highest = u64::BITS
        .checked_sub(1)?
        .checked_sub(n.checked_sub(1)?.leading_zeros())?;
    1u64.checked_shl(highest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_root_is_sha256_of_nothing() {
        assert_eq!(empty_root(), EMPTY_ROOT);
    }

    #[test]
    fn split_is_the_largest_power_of_two_below() {
        assert_eq!(split(0), None);
        assert_eq!(split(1), None);
        for (n, k) in [(2, 1), (3, 2), (4, 2), (5, 4), (8, 4), (9, 8), (1000, 512)] {
            assert_eq!(split(n), Some(k), "n = {n}");
        }
        assert_eq!(split(1 << 40), Some(1 << 39));
        assert_eq!(split((1 << 63) + 1), Some(1 << 63));
        assert_eq!(split(u64::MAX), Some(1 << 63));
    }
}
