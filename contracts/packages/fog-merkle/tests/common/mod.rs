//! Helpers shared by the integration tests.
#![allow(dead_code)]

use fog_merkle::{node_hash, Hash, NodeStore};

pub fn h(s: &str) -> Hash {
    hex::decode(s).unwrap().try_into().unwrap()
}

/// A complete in-memory store of perfect subtree hashes: `levels[l][n]` is
/// node `(l, n)`.
pub struct Levels(pub Vec<Vec<Hash>>);

impl Levels {
    pub fn build(leaves: &[Hash]) -> Self {
        let mut levels = vec![leaves.to_vec()];
        while levels.last().unwrap().len() >= 2 {
            let next = levels
                .last()
                .unwrap()
                .chunks_exact(2)
                .map(|pair| node_hash(&pair[0], &pair[1]))
                .collect();
            levels.push(next);
        }
        Self(levels)
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct Missing(pub u8, pub u64);

impl NodeStore for Levels {
    type Error = Missing;

    fn node(&self, level: u8, n: u64) -> Result<Hash, Missing> {
        self.0
            .get(level as usize)
            .and_then(|l| l.get(n as usize))
            .copied()
            .ok_or(Missing(level, n))
    }
}
