//! Proofs from a store of perfect subtree hashes, laid out like Go's
//! sumdb/tlog "stored hashes".

mod common;

use std::collections::BTreeMap;
use std::convert::Infallible;

use common::Levels;
use fog_merkle::*;

/// A log that keeps only stored hashes, by their dense index.
#[derive(Default)]
struct DenseLog {
    size: u64,
    hashes: BTreeMap<u64, Hash>,
}

impl NodeStore for DenseLog {
    type Error = Option<Infallible>;

    fn node(&self, level: u8, n: u64) -> Result<Hash, Self::Error> {
        let index = stored_hash_index(level, n).ok_or(None)?;
        self.hashes.get(&index).copied().ok_or(None)
    }
}

impl DenseLog {
    fn append(&mut self, leaf: Hash) {
        let nodes = stored_hashes_for_leaf(self.size, leaf, self).unwrap();
        for node in nodes {
            let index = stored_hash_index(node.level, node.n).unwrap();
            // Appended in dense order: each new node goes at the end.
            assert_eq!(index, self.hashes.len() as u64);
            self.hashes.insert(index, node.hash);
        }
        self.size += 1;
        assert_eq!(stored_hash_count(self.size), Some(self.hashes.len() as u64));
    }
}

fn leaves(n: u64) -> Vec<Hash> {
    (0..n).map(|i| leaf_hash(&i.to_le_bytes())).collect()
}

#[test]
fn stored_hash_index_matches_tlog() {
    // Values of golang.org/x/mod/sumdb/tlog's StoredHashIndex.
    assert_eq!(stored_hash_index(0, 0), Some(0));
    assert_eq!(stored_hash_index(0, 1), Some(1));
    assert_eq!(stored_hash_index(1, 0), Some(2));
    assert_eq!(stored_hash_index(0, 2), Some(3));
    assert_eq!(stored_hash_index(0, 3), Some(4));
    assert_eq!(stored_hash_index(1, 1), Some(5));
    assert_eq!(stored_hash_index(2, 0), Some(6));
    assert_eq!(stored_hash_index(0, 4), Some(7));
    assert_eq!(stored_hash_count(0), Some(0));
    assert_eq!(stored_hash_count(1), Some(1));
    assert_eq!(stored_hash_count(2), Some(3));
    assert_eq!(stored_hash_count(4), Some(7));
    assert_eq!(stored_hash_index(70, 1), None);
    assert_eq!(stored_hash_index(0, u64::MAX), None);
}

#[test]
fn a_dense_log_proves_like_the_leaves() {
    let all = leaves(70);
    let mut log = DenseLog::default();
    for (i, leaf) in all.iter().enumerate() {
        log.append(*leaf);
        let size = i as u64 + 1;
        let stored = StoredTree(&log);
        assert_eq!(tree_root(&stored, size), Ok(root(&all[..=i])));
        for index in 0..size {
            assert_eq!(
                prove_inclusion(&stored, index, size).unwrap(),
                prove_inclusion(&all[..], index, size).unwrap()
            );
        }
        for size1 in 1..=size {
            assert_eq!(
                prove_consistency(&stored, size1, size).unwrap(),
                prove_consistency(&all[..], size1, size).unwrap()
            );
        }
    }
}

#[test]
fn any_range_is_answered_even_unaligned() {
    let all = leaves(37);
    let stored = StoredTree(Levels::build(&all));
    for start in 0..37u64 {
        for end in start..=37 {
            assert_eq!(
                stored.subtree_root(start, end).unwrap(),
                subtree_root(&all, start..end).unwrap(),
                "{start}..{end}"
            );
        }
    }
}

#[test]
fn a_missing_node_is_an_error() {
    let all = leaves(8);
    let stored = StoredTree(Levels::build(&all));
    assert!(matches!(
        prove_inclusion(&stored, 3, 9),
        Err(ProofError::Source(common::Missing(0, 8)))
    ));
    assert!(matches!(prove_consistency(&stored, 3, 16), Err(ProofError::Source(_))));
}
