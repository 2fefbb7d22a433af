//! Property tests over random trees of 1..=300 leaves: every generated proof
//! verifies, and every single-bit change to a proof, a root, a leaf hash,
//! an index or a size is refused.
//!
//! The one exception is inherent to RFC 9162, not to this crate: a root
//! does not commit to its tree size, so a proof checked with another size
//! whose proof has the same *shape* (e.g. leaf 0 in trees of 6 and 7
//! leaves: the same siblings on the same sides) leads to the same root.
//! For size changes the tests therefore assert "accepted exactly when the
//! shape is the same", with the shape computed from the RFC's recursive
//! definitions (independent of the verifier's bit arithmetic).

mod common;

use common::Levels;
use fog_merkle::*;
use proptest::prelude::*;

fn tree() -> impl Strategy<Value = Vec<Hash>> {
    prop::collection::vec(any::<[u8; 32]>(), 1..=300)
}

/// Sides of the siblings in `PATH(index, D[size])`, bottom-up (true: the
/// sibling is on the left). `None` outside the tree.
fn inclusion_shape(index: u64, size: u64) -> Option<Vec<bool>> {
    fn go(m: u64, n: u64, out: &mut Vec<bool>) {
        if n <= 1 {
            return;
        }
        let k = 1u64 << (63 - (n - 1).leading_zeros());
        if m < k {
            go(m, k, out);
            out.push(false);
        } else {
            go(m - k, n - k, out);
            out.push(true);
        }
    }
    (index < size).then(|| {
        let mut out = vec![];
        go(index, size, &mut out);
        out
    })
}

#[derive(Debug, PartialEq, Eq)]
enum Step {
    /// The old root itself starts the computation (not in the proof).
    OldRoot,
    /// The first proof hash starts the computation.
    Seed,
    /// A left sibling: part of both trees.
    Left,
    /// A right sibling: part of the new tree only.
    Right,
}

/// The steps of `PROOF(size1, D[size2])`. `None` where there is no proof.
fn consistency_shape(size1: u64, size2: u64) -> Option<Vec<Step>> {
    fn go(m: u64, n: u64, whole: bool, out: &mut Vec<Step>) {
        if m == n {
            out.push(if whole { Step::OldRoot } else { Step::Seed });
            return;
        }
        let k = 1u64 << (63 - (n - 1).leading_zeros());
        if m <= k {
            go(m, k, whole, out);
            out.push(Step::Right);
        } else {
            go(m - k, n - k, false, out);
            out.push(Step::Left);
        }
    }
    (0 < size1 && size1 <= size2).then(|| {
        let mut out = vec![];
        go(size1, size2, true, &mut out);
        out
    })
}

fn flips(h: &Hash) -> impl Iterator<Item = Hash> + '_ {
    (0..256).map(move |bit| {
        let mut f = *h;
        f[bit / 8] ^= 1 << (bit % 8);
        f
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_inclusion_proof_verifies(leaves in tree(), pick in any::<prop::sample::Index>()) {
        let n = leaves.len() as u64;
        let store = StoredTree(Levels::build(&leaves));
        let r = root(&leaves);
        prop_assert_eq!(tree_root(&store, n), Ok(r));
        for i in 0..n {
            let proof = prove_inclusion(&store, i, n).unwrap();
            prop_assert_eq!(Some(proof.len()), inclusion_proof_len(i, n));
            prop_assert_eq!(verify_inclusion(&leaves[i as usize], i, n, &proof, &r), Ok(()));
        }
        // The slice and the store generate the same proofs.
        let i = pick.index(leaves.len()) as u64;
        prop_assert_eq!(inclusion_proof(&leaves, i).unwrap(), prove_inclusion(&store, i, n).unwrap());
    }

    #[test]
    fn every_consistency_proof_verifies(leaves in tree(), pick in any::<prop::sample::Index>()) {
        let n = leaves.len() as u64;
        let store = StoredTree(Levels::build(&leaves));
        for size2 in [n, pick.index(leaves.len()) as u64 + 1] {
            let root2 = tree_root(&store, size2).unwrap();
            for size1 in 1..=size2 {
                let root1 = tree_root(&store, size1).unwrap();
                let proof = prove_consistency(&store, size1, size2).unwrap();
                prop_assert_eq!(Some(proof.len()), consistency_proof_len(size1, size2));
                prop_assert_eq!(verify_consistency(size1, size2, &root1, &root2, &proof), Ok(()));
            }
        }
        let m = pick.index(leaves.len()) as u64 + 1;
        prop_assert_eq!(consistency_proof(&leaves, m).unwrap(), prove_consistency(&store, m, n).unwrap());
    }

    #[test]
    fn any_bit_flip_breaks_an_inclusion_proof(leaves in tree(), pick in any::<prop::sample::Index>()) {
        let n = leaves.len() as u64;
        let i = pick.index(leaves.len()) as u64;
        let leaf = leaves[i as usize];
        let r = root(&leaves);
        let proof = inclusion_proof(&leaves, i).unwrap();
        prop_assert_eq!(verify_inclusion(&leaf, i, n, &proof, &r), Ok(()));

        for (k, element) in proof.iter().enumerate() {
            for flipped in flips(element) {
                let mut bad = proof.clone();
                bad[k] = flipped;
                prop_assert!(verify_inclusion(&leaf, i, n, &bad, &r).is_err());
            }
        }
        for flipped in flips(&r) {
            prop_assert_eq!(verify_inclusion(&leaf, i, n, &proof, &flipped), Err(VerifyError::RootMismatch));
        }
        for flipped in flips(&leaf) {
            prop_assert_eq!(verify_inclusion(&flipped, i, n, &proof, &r), Err(VerifyError::RootMismatch));
        }
        let shape = inclusion_shape(i, n);
        for bit in 0..64 {
            let other = i ^ (1 << bit);
            prop_assert!(verify_inclusion(&leaf, other, n, &proof, &r).is_err(), "index {} -> {}", i, other);
            let size = n ^ (1 << bit);
            let accepted = verify_inclusion(&leaf, i, size, &proof, &r).is_ok();
            prop_assert_eq!(accepted, inclusion_shape(i, size) == shape, "size {} -> {}", n, size);
        }
    }

    #[test]
    fn any_bit_flip_breaks_a_consistency_proof(leaves in tree(), pick in any::<prop::sample::Index>()) {
        let n = leaves.len() as u64;
        let m = pick.index(leaves.len()) as u64 + 1;
        let root1 = root(&leaves[..m as usize]);
        let root2 = root(&leaves);
        let proof = consistency_proof(&leaves, m).unwrap();
        prop_assert_eq!(verify_consistency(m, n, &root1, &root2, &proof), Ok(()));

        for (k, element) in proof.iter().enumerate() {
            for flipped in flips(element) {
                let mut bad = proof.clone();
                bad[k] = flipped;
                prop_assert!(verify_consistency(m, n, &root1, &root2, &bad).is_err());
            }
        }
        for flipped in flips(&root1) {
            prop_assert!(verify_consistency(m, n, &flipped, &root2, &proof).is_err());
        }
        for flipped in flips(&root2) {
            prop_assert!(verify_consistency(m, n, &root1, &flipped, &proof).is_err());
        }
        let shape = consistency_shape(m, n);
        for bit in 0..64 {
            let size1 = m ^ (1 << bit);
            let accepted = verify_consistency(size1, n, &root1, &root2, &proof).is_ok();
            prop_assert_eq!(accepted, consistency_shape(size1, n) == shape, "size1 {} -> {}", m, size1);
            let size2 = n ^ (1 << bit);
            let accepted = verify_consistency(m, size2, &root1, &root2, &proof).is_ok();
            prop_assert_eq!(accepted, consistency_shape(m, size2) == shape, "size2 {} -> {}", n, size2);
        }
    }

    #[test]
    fn arbitrary_input_never_panics(
        a in any::<u64>(),
        b in any::<u64>(),
        small in 0u64..70,
        proof in prop::collection::vec(any::<[u8; 32]>(), 0..70),
        x in any::<[u8; 32]>(),
        y in any::<[u8; 32]>(),
    ) {
        for (p, q) in [(a, b), (b, a), (small, b), (a, small), (small, small.saturating_add(a % 1000))] {
            let _ = verify_inclusion(&x, p, q, &proof, &y);
            let _ = root_from_inclusion_proof(&x, p, q, &proof);
            let _ = verify_consistency(p, q, &x, &y, &proof);
            let _ = root_from_consistency_proof(p, q, &x, &proof);
            let _ = inclusion_proof_len(p, q);
            let _ = consistency_proof_len(p, q);
            // Right-sized proofs reach the hashing loops.
            if let Some(len) = inclusion_proof_len(p, q) {
                let _ = verify_inclusion(&x, p, q, &proof[..len.min(proof.len())], &y);
            }
            if let Some(len) = consistency_proof_len(p, q) {
                let _ = verify_consistency(p, q, &x, &y, &proof[..len.min(proof.len())]);
            }
        }
    }
}
