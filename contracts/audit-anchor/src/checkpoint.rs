//! The acceptance rule of a checkpoint, a pure function: is the proposed
//! checkpoint an append-only extension of the latest anchored one?

use cosmwasm_std::HexBinary;
use fog_merkle::{verify_consistency, Hash};

use crate::error::ContractError;

/// The latest anchored checkpoint of a log, as the rule needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Previous {
    pub size: u64,
    pub root: Hash,
    pub timestamp: u64,
}

/// A checkpoint as submitted.
#[derive(Debug, Clone, Copy)]
pub struct Proposal<'a> {
    pub size: u64,
    pub root: &'a [u8],
    pub timestamp: u64,
    /// Consistency proof from the previous checkpoint.
    pub proof: &'a [HexBinary],
}

/// A 32-byte hash from bytes of any length.
pub fn to_hash(bytes: &[u8]) -> Option<Hash> {
    Hash::try_from(bytes).ok()
}

/// The proof's hashes; each must be 32 bytes.
pub fn to_hashes(proof: &[HexBinary]) -> Result<Vec<Hash>, ContractError> {
    proof
        .iter()
        .enumerate()
        .map(|(index, h)| to_hash(h.as_slice()).ok_or(ContractError::InvalidProofHashLength { index, length: h.len() }))
        .collect()
}

/// Accepts `proposal` as the next checkpoint after `previous` (`None` for a
/// log's first) and returns its root, or says why not.
///
/// The first checkpoint has nothing to be consistent with: it needs at least
/// one leaf and an empty proof. Every later one must be larger, not older,
/// and proven consistent with the previous root by an RFC 9162 consistency
/// proof; a same-size different root is reported as a fork.
pub fn accept(previous: Option<&Previous>, proposal: &Proposal) -> Result<Hash, ContractError> {
    let root = to_hash(proposal.root).ok_or(ContractError::InvalidRootLength {
        length: proposal.root.len(),
    })?;
    let proof = to_hashes(proposal.proof)?;
    let Some(previous) = previous else {
        if proposal.size == 0 {
            return Err(ContractError::EmptyCheckpoint);
        }
        if !proof.is_empty() {
            return Err(ContractError::ProofWithoutPrevious { length: proof.len() });
        }
        return Ok(root);
    };
    if proposal.size == previous.size {
        return Err(if root == previous.root {
            ContractError::AlreadyAnchored { size: proposal.size }
        } else {
            ContractError::ConflictingRoot { size: proposal.size }
        });
    }
    if proposal.size < previous.size {
        return Err(ContractError::SizeDecreased {
            size: proposal.size,
            latest_size: previous.size,
        });
    }
    if proposal.timestamp < previous.timestamp {
        return Err(ContractError::TimestampWentBack {
            timestamp: proposal.timestamp,
            latest_timestamp: previous.timestamp,
        });
    }
    verify_consistency(previous.size, proposal.size, &previous.root, &root, &proof).map_err(|reason| {
        ContractError::InconsistentProof {
            latest_size: previous.size,
            size: proposal.size,
            reason,
        }
    })?;
    Ok(root)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fog_merkle::{consistency_proof, leaf_hash, root, VerifyError};

    fn leaves(n: u64) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(format!("record {i}").as_bytes())).collect()
    }

    fn hex(proof: &[Hash]) -> Vec<HexBinary> {
        proof.iter().map(|h| HexBinary::from(h.as_slice())).collect()
    }

    fn previous(tree: &[Hash], size: u64, timestamp: u64) -> Previous {
        Previous {
            size,
            root: root(&tree[..size as usize]),
            timestamp,
        }
    }

    #[test]
    fn first_checkpoint() {
        let tree = leaves(5);
        let r = root(&tree);
        let ok = Proposal {
            size: 5,
            root: &r,
            timestamp: 10,
            proof: &[],
        };
        assert_eq!(accept(None, &ok), Ok(r));
        assert_eq!(
            accept(None, &Proposal { size: 0, ..ok }),
            Err(ContractError::EmptyCheckpoint)
        );
        let junk = hex(&[r]);
        assert_eq!(
            accept(None, &Proposal { proof: &junk, ..ok }),
            Err(ContractError::ProofWithoutPrevious { length: 1 })
        );
    }

    #[test]
    fn an_extension_is_accepted() {
        let tree = leaves(13);
        let prev = previous(&tree, 6, 100);
        let r = root(&tree);
        let proof = hex(&consistency_proof(&tree, 6).unwrap());
        for timestamp in [100, 101] {
            let p = Proposal {
                size: 13,
                root: &r,
                timestamp,
                proof: &proof,
            };
            assert_eq!(accept(Some(&prev), &p), Ok(r));
        }
    }

    #[test]
    fn history_cannot_be_rewritten() {
        let tree = leaves(13);
        let prev = previous(&tree, 6, 100);
        let r = root(&tree);
        let proof = hex(&consistency_proof(&tree, 6).unwrap());
        let ok = Proposal {
            size: 13,
            root: &r,
            timestamp: 100,
            proof: &proof,
        };

        // Same size: a resubmission, or a fork.
        let same = prev.root;
        assert_eq!(
            accept(
                Some(&prev),
                &Proposal {
                    size: 6,
                    root: &same,
                    proof: &[],
                    ..ok
                }
            ),
            Err(ContractError::AlreadyAnchored { size: 6 })
        );
        let other = root(&leaves(6)[..5]);
        assert_eq!(
            accept(
                Some(&prev),
                &Proposal {
                    size: 6,
                    root: &other,
                    proof: &[],
                    ..ok
                }
            ),
            Err(ContractError::ConflictingRoot { size: 6 })
        );
        // Smaller.
        let r5 = root(&tree[..5]);
        assert_eq!(
            accept(
                Some(&prev),
                &Proposal {
                    size: 5,
                    root: &r5,
                    proof: &[],
                    ..ok
                }
            ),
            Err(ContractError::SizeDecreased {
                size: 5,
                latest_size: 6
            })
        );
        // Older.
        assert_eq!(
            accept(Some(&prev), &Proposal { timestamp: 99, ..ok }),
            Err(ContractError::TimestampWentBack {
                timestamp: 99,
                latest_timestamp: 100
            })
        );
        // A valid proof, but from another history of the first 6 leaves.
        let mut forked = leaves(13);
        forked[2] = leaf_hash(b"rewritten");
        let forked_root = root(&forked);
        let forked_proof = hex(&consistency_proof(&forked, 6).unwrap());
        assert_eq!(
            accept(
                Some(&prev),
                &Proposal {
                    root: &forked_root,
                    proof: &forked_proof,
                    ..ok
                }
            ),
            Err(ContractError::InconsistentProof {
                latest_size: 6,
                size: 13,
                reason: VerifyError::FirstRootMismatch
            })
        );
        // Wrong root for the right proof.
        assert!(matches!(
            accept(
                Some(&prev),
                &Proposal {
                    root: &forked_root,
                    ..ok
                }
            ),
            Err(ContractError::InconsistentProof {
                reason: VerifyError::SecondRootMismatch,
                ..
            })
        ));
        // Proof too short, too long, empty.
        for bad in [&proof[1..], &[proof.clone(), proof.clone()].concat()[..], &[]] {
            assert!(matches!(
                accept(Some(&prev), &Proposal { proof: bad, ..ok }),
                Err(ContractError::InconsistentProof {
                    reason: VerifyError::WrongProofLength { .. },
                    ..
                })
            ));
        }
    }

    #[test]
    fn malformed_hashes_are_refused() {
        let tree = leaves(13);
        let prev = previous(&tree, 6, 100);
        let r = root(&tree);
        let proof = hex(&consistency_proof(&tree, 6).unwrap());
        let ok = Proposal {
            size: 13,
            root: &r,
            timestamp: 100,
            proof: &proof,
        };
        for length in [0, 20, 31, 33, 64] {
            let root = vec![7u8; length];
            assert_eq!(
                accept(Some(&prev), &Proposal { root: &root, ..ok }),
                Err(ContractError::InvalidRootLength { length })
            );
            assert_eq!(
                accept(None, &Proposal { root: &root, ..ok }),
                Err(ContractError::InvalidRootLength { length })
            );
            let mut bad = proof.clone();
            bad[1] = HexBinary::from(vec![7u8; length]);
            assert_eq!(
                accept(Some(&prev), &Proposal { proof: &bad, ..ok }),
                Err(ContractError::InvalidProofHashLength { index: 1, length })
            );
        }
    }
}
