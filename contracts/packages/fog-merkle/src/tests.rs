//! The edges public implementations got wrong, one test each.

use alloc::vec;
use alloc::vec::Vec;

use crate::*;

fn leaves(n: u64) -> Vec<Hash> {
    (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
}

const SOME_HASH: Hash = [0xab; 32];

#[test]
fn size_0_has_the_empty_root_and_no_leaf() {
    assert_eq!(root(&[]), EMPTY_ROOT);
    assert_eq!(tree_root(&leaves(3)[..], 0), Ok(EMPTY_ROOT));
    assert_eq!(
        inclusion_proof(&[], 0),
        Err(ProofError::IndexOutOfRange { index: 0, size: 0 })
    );
    for root in [EMPTY_ROOT, SOME_HASH] {
        assert_eq!(
            verify_inclusion(&EMPTY_ROOT, 0, 0, &[], &root),
            Err(VerifyError::IndexOutOfRange { index: 0, size: 0 })
        );
    }
    assert_eq!(inclusion_proof_len(0, 0), None);
}

#[test]
fn size_1_root_is_the_leaf_hash_and_its_proof_is_empty() {
    let tree = leaves(1);
    assert_eq!(root(&tree), tree[0]);
    assert_eq!(inclusion_proof(&tree, 0), Ok(vec![]));
    assert_eq!(verify_inclusion(&tree[0], 0, 1, &[], &tree[0]), Ok(()));
    assert_eq!(
        verify_inclusion(&tree[0], 0, 1, &[SOME_HASH], &tree[0]),
        Err(VerifyError::WrongProofLength { expected: 0, actual: 1 })
    );
    assert_eq!(
        verify_inclusion(&SOME_HASH, 0, 1, &[], &tree[0]),
        Err(VerifyError::RootMismatch)
    );
    assert_eq!(consistency_proof(&tree, 1), Ok(vec![]));
    assert_eq!(verify_consistency(1, 1, &tree[0], &tree[0], &[]), Ok(()));
}

#[test]
fn index_at_or_beyond_size_is_refused() {
    let tree = leaves(5);
    let r = root(&tree);
    for index in [5, 6, 8, u64::MAX] {
        assert_eq!(
            inclusion_proof(&tree, index),
            Err(ProofError::IndexOutOfRange { index, size: 5 })
        );
        // Even with the proof of a real leaf.
        let proof = inclusion_proof(&tree, 4).unwrap();
        assert_eq!(
            verify_inclusion(&tree[4], index, 5, &proof, &r),
            Err(VerifyError::IndexOutOfRange { index, size: 5 })
        );
    }
    assert_eq!(
        verify_inclusion(&SOME_HASH, u64::MAX, u64::MAX, &[], &r),
        Err(VerifyError::IndexOutOfRange {
            index: u64::MAX,
            size: u64::MAX
        })
    );
}

#[test]
fn equal_sizes_need_the_empty_proof_and_equal_roots() {
    let tree = leaves(7);
    let r = root(&tree);
    assert_eq!(consistency_proof(&tree, 7), Ok(vec![]));
    assert_eq!(consistency_proof_len(7, 7), Some(0));
    assert_eq!(verify_consistency(7, 7, &r, &r, &[]), Ok(()));
    assert_eq!(
        verify_consistency(7, 7, &r, &r, &[r]),
        Err(VerifyError::WrongProofLength { expected: 0, actual: 1 })
    );
    assert_eq!(
        verify_consistency(7, 7, &r, &SOME_HASH, &[]),
        Err(VerifyError::SecondRootMismatch)
    );
}

#[test]
fn consistency_from_size_0_is_refused() {
    let tree = leaves(4);
    let r = root(&tree);
    assert_eq!(consistency_proof(&tree, 0), Err(ProofError::EmptyFirstTree));
    assert_eq!(consistency_proof_len(0, 4), None);
    assert_eq!(consistency_proof_len(0, 0), None);
    // transparency-dev accepts these as "always consistent"; fog does not:
    // a proof from nothing proves nothing, and accepting it lets a caller
    // skip the check of the first root.
    for (size2, root2) in [(0, EMPTY_ROOT), (4, r), (1, tree[0])] {
        assert_eq!(
            verify_consistency(0, size2, &EMPTY_ROOT, &root2, &[]),
            Err(VerifyError::EmptyFirstTree)
        );
    }
}

#[test]
fn first_larger_than_second_is_refused() {
    let tree = leaves(6);
    assert_eq!(
        prove_consistency(&tree[..], 5, 4),
        Err(ProofError::SizesOutOfOrder { size1: 5, size2: 4 })
    );
    let r4 = root(&tree[..4]);
    let r5 = root(&tree[..5]);
    assert_eq!(
        verify_consistency(5, 4, &r5, &r4, &[]),
        Err(VerifyError::SizesOutOfOrder { size1: 5, size2: 4 })
    );
    assert_eq!(
        verify_consistency(u64::MAX, 1, &r5, &r4, &[]),
        Err(VerifyError::SizesOutOfOrder {
            size1: u64::MAX,
            size2: 1
        })
    );
}

#[test]
fn proofs_too_long_or_too_short_are_refused() {
    let tree = leaves(13);
    let r = root(&tree);
    let incl = inclusion_proof(&tree, 6).unwrap();
    let n = incl.len();
    let mut long = incl.clone();
    long.push(r);
    assert_eq!(
        verify_inclusion(&tree[6], 6, 13, &long, &r),
        Err(VerifyError::WrongProofLength {
            expected: n,
            actual: n + 1
        })
    );
    assert_eq!(
        verify_inclusion(&tree[6], 6, 13, &incl[..n - 1], &r),
        Err(VerifyError::WrongProofLength {
            expected: n,
            actual: n - 1
        })
    );

    let r5 = root(&tree[..5]);
    let cons = consistency_proof(&tree, 5).unwrap();
    let n = cons.len();
    let mut long = cons.clone();
    long.insert(0, r5);
    assert_eq!(
        verify_consistency(5, 13, &r5, &r, &long),
        Err(VerifyError::WrongProofLength {
            expected: n,
            actual: n + 1
        })
    );
    assert_eq!(
        verify_consistency(5, 13, &r5, &r, &cons[1..]),
        Err(VerifyError::WrongProofLength {
            expected: n,
            actual: n - 1
        })
    );
    // The empty proof for different sizes.
    assert_eq!(
        verify_consistency(5, 13, &r5, &r, &[]),
        Err(VerifyError::WrongProofLength { expected: n, actual: 0 })
    );
}

#[test]
fn a_proof_checked_against_the_wrong_root_fails() {
    let tree = leaves(11);
    let r = root(&tree);
    let incl = inclusion_proof(&tree, 3).unwrap();
    assert_eq!(verify_inclusion(&tree[3], 3, 11, &incl, &r), Ok(()));
    assert_eq!(
        verify_inclusion(&tree[3], 3, 11, &incl, &root(&tree[..10])),
        Err(VerifyError::RootMismatch)
    );

    let r6 = root(&tree[..6]);
    let cons = consistency_proof(&tree, 6).unwrap();
    assert_eq!(verify_consistency(6, 11, &r6, &r, &cons), Ok(()));
    assert_eq!(
        verify_consistency(6, 11, &r6, &SOME_HASH, &cons),
        Err(VerifyError::SecondRootMismatch)
    );
    assert_eq!(
        verify_consistency(6, 11, &r, &r6, &cons),
        Err(VerifyError::FirstRootMismatch)
    );
}

#[test]
fn the_first_root_of_a_consistency_proof_must_match_too() {
    // An honest log of 11 leaves, and a forked history that shares no leaf.
    let tree = leaves(11);
    let forked: Vec<Hash> = (100..111u64).map(|i| leaf_hash(&i.to_be_bytes())).collect();
    let r = root(&tree);
    for m in 1..11u64 {
        let cons = consistency_proof(&tree, m).unwrap();
        let honest_old = root(&tree[..m as usize]);
        let forked_old = root(&forked[..m as usize]);
        assert_eq!(verify_consistency(m, 11, &honest_old, &r, &cons), Ok(()));
        // The proof reaches the new root, but not from the claimed old root.
        let err = verify_consistency(m, 11, &forked_old, &r, &cons).unwrap_err();
        if m.is_power_of_two() {
            // The old root is the proof's seed: the new root comes out wrong.
            assert_eq!(err, VerifyError::SecondRootMismatch, "m = {m}");
        } else {
            assert_eq!(err, VerifyError::FirstRootMismatch, "m = {m}");
        }
        // A rewritten prefix followed by the honest new leaves: its proof
        // starts from the forked root but cannot reach the honest one.
        let forked_all: Vec<Hash> = forked[..m as usize]
            .iter()
            .chain(&tree[m as usize..])
            .copied()
            .collect();
        let forked_proof = consistency_proof(&forked_all, m).unwrap();
        assert!(verify_consistency(m, 11, &forked_old, &root(&forked_all), &forked_proof).is_ok());
        assert!(verify_consistency(m, 11, &forked_old, &r, &forked_proof).is_err());
    }
}

#[test]
fn huge_sizes_do_not_panic() {
    // The largest trees: 64-hash proofs, shifts by the full word.
    let proof = [SOME_HASH; 64];
    for (index, size) in [
        (u64::MAX - 1, u64::MAX),
        (0, u64::MAX),
        (1 << 63, u64::MAX),
        (0, 1 << 63),
    ] {
        let expected = inclusion_proof_len(index, size).unwrap();
        assert!(expected <= 64);
        assert_eq!(
            verify_inclusion(&SOME_HASH, index, size, &proof[..expected], &SOME_HASH),
            Err(VerifyError::RootMismatch)
        );
    }
    for (size1, size2) in [
        (u64::MAX - 1, u64::MAX),
        (1, u64::MAX),
        (1 << 63, u64::MAX),
        (3, 1 << 63),
    ] {
        let expected = consistency_proof_len(size1, size2).unwrap();
        assert!(expected <= 64);
        assert!(verify_consistency(size1, size2, &SOME_HASH, &SOME_HASH, &proof[..expected]).is_err());
        assert!(verify_consistency(size1, size2, &SOME_HASH, &SOME_HASH, &proof).is_err());
    }
}

#[test]
fn subtree_root_of_a_slice() {
    let tree = leaves(9);
    assert_eq!(subtree_root(&tree, 0..9), Ok(root(&tree)));
    assert_eq!(subtree_root(&tree, 4..8), Ok(root(&tree[4..8])));
    assert_eq!(subtree_root(&tree, 3..3), Ok(EMPTY_ROOT));
    assert_eq!(
        subtree_root(&tree, 8..10),
        Err(RangeError {
            start: 8,
            end: 10,
            len: 9
        })
    );
    assert!(subtree_root(&tree, core::ops::Range { start: 5, end: 2 }).is_err());
    assert!(subtree_root(&tree, u64::MAX..u64::MAX).is_err());
    // A proof for a tree larger than the slice is an error, not a panic.
    assert!(matches!(prove_inclusion(&tree[..], 2, 12), Err(ProofError::Source(_))));
}

#[test]
fn a_root_does_not_commit_to_its_size() {
    // Documented limit of RFC 9162, not a bug: leaf 0 has the same siblings
    // on the same sides in trees of 6 and 7 leaves, so the proof for 6
    // checked with size 7 reaches the same root. The (size, root) pair must
    // come from a trusted checkpoint.
    let tree = leaves(6);
    let proof = inclusion_proof(&tree, 0).unwrap();
    assert_eq!(verify_inclusion(&tree[0], 0, 7, &proof, &root(&tree)), Ok(()));
    // With the real tree of 7 leaves and its root, it fails as it should.
    let bigger = leaves(7);
    assert_eq!(
        verify_inclusion(&tree[0], 0, 7, &proof, &root(&bigger)),
        Err(VerifyError::RootMismatch)
    );
}
