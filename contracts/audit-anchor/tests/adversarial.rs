//! Everything a dishonest or careless submitter (or anyone else) may try,
//! and the typed refusal each gets. A refused checkpoint changes nothing.

mod common;

use common::*;
use cosmwasm_std::{coins, HexBinary};
use cw_multi_test::Executor;
use fog_audit_anchor::msg::ExecuteMsg;
use fog_audit_anchor::ContractError;
use fog_merkle::VerifyError;

/// An anchor whose log has checkpoints at 5 and then 8 leaves.
fn anchored() -> (Suite, Log) {
    let mut suite = Suite::with_log();
    let mut log = Log::new("audit", 5);
    suite.submit(&log.checkpoint(None, 1000)).unwrap();
    log.append("audit", 3);
    suite.submit(&log.checkpoint(Some(5), 1010)).unwrap();
    (suite, log)
}

fn checkpoint(size: u64, root: HexBinary, timestamp: u64, proof: Vec<HexBinary>) -> ExecuteMsg {
    ExecuteMsg::Checkpoint {
        origin: ORIGIN.to_string(),
        size,
        root,
        timestamp,
        proof,
        signature: None,
    }
}

/// Submits `msg`, expects `err`, and checks that nothing changed.
fn refused(suite: &mut Suite, msg: &ExecuteMsg, err: ContractError) {
    let before = suite.checkpoints(None, Some(100));
    assert_eq!(suite.submit(msg).unwrap_err(), err);
    assert_eq!(suite.checkpoints(None, Some(100)), before);
}

#[test]
fn the_same_size_with_another_root_is_a_fork() {
    let (mut suite, log) = anchored();
    let other = Log::new("rewritten", 8);
    refused(
        &mut suite,
        &checkpoint(8, other.root(), 1020, vec![]),
        ContractError::ConflictingRoot { size: 8 },
    );
    refused(
        &mut suite,
        &checkpoint(8, log.root(), 1020, vec![]),
        ContractError::AlreadyAnchored { size: 8 },
    );
}

#[test]
fn a_smaller_size_is_refused() {
    let (mut suite, log) = anchored();
    refused(
        &mut suite,
        &checkpoint(6, log.root_at(6), 1020, vec![]),
        ContractError::SizeDecreased {
            size: 6,
            latest_size: 8,
        },
    );
    refused(
        &mut suite,
        &checkpoint(0, log.root_at(0), 1020, vec![]),
        ContractError::SizeDecreased {
            size: 0,
            latest_size: 8,
        },
    );
}

#[test]
fn a_valid_looking_proof_from_another_history_is_refused() {
    let (mut suite, mut log) = anchored();
    // A log that rewrote record 2, then grew: its own proof from its own
    // size-8 root is perfectly valid, but 8 was anchored with another root.
    let mut forked = log.clone();
    forked.leaves[2] = fog_merkle::leaf_hash(b"rewritten");
    forked.append("audit", 5);
    assert!(fog_merkle::verify_consistency(
        8,
        13,
        &forked.leaves_root_at(8),
        &forked.leaves_root_at(13),
        &forked.proof_hashes_from(8),
    )
    .is_ok());
    refused(
        &mut suite,
        &forked.checkpoint(Some(8), 1020),
        ContractError::InconsistentProof {
            latest_size: 8,
            size: 13,
            reason: VerifyError::SecondRootMismatch,
        },
    );
    // The honest proof with the forked root fails too.
    log.append("audit", 5);
    refused(
        &mut suite,
        &checkpoint(13, forked.root(), 1020, log.proof_from(8)),
        ContractError::InconsistentProof {
            latest_size: 8,
            size: 13,
            reason: VerifyError::SecondRootMismatch,
        },
    );
    // And the honest checkpoint is still accepted.
    suite.submit(&log.checkpoint(Some(8), 1020)).unwrap();
}

#[test]
fn a_proof_from_the_wrong_old_size_is_refused() {
    let (mut suite, mut log) = anchored();
    log.append("audit", 4);
    // A correct proof, but from size 5 instead of the latest, 8.
    refused(
        &mut suite,
        &log.checkpoint(Some(5), 1020),
        ContractError::InconsistentProof {
            latest_size: 8,
            size: 12,
            reason: VerifyError::WrongProofLength { expected: 1, actual: 5 },
        },
    );
}

#[test]
fn wrong_proof_lengths_are_refused() {
    let (mut suite, mut log) = anchored();
    log.append("audit", 3);
    let proof = log.proof_from(8);
    let n = proof.len();
    for bad in [vec![], proof[1..].to_vec(), [proof.clone(), vec![log.root()]].concat()] {
        let actual = bad.len();
        refused(
            &mut suite,
            &checkpoint(11, log.root(), 1020, bad),
            ContractError::InconsistentProof {
                latest_size: 8,
                size: 11,
                reason: VerifyError::WrongProofLength { expected: n, actual },
            },
        );
    }
    let mut flipped = proof.clone();
    let mut bytes = flipped[0].to_vec();
    bytes[0] ^= 1;
    flipped[0] = HexBinary::from(bytes);
    assert!(matches!(
        suite.submit(&checkpoint(11, log.root(), 1020, flipped)),
        Err(ContractError::InconsistentProof { .. })
    ));
    // A first checkpoint carries no proof.
    let mut fresh = Suite::with_log();
    let first = Log::new("audit", 4);
    assert_eq!(
        fresh
            .submit(&checkpoint(4, first.root(), 1, vec![first.root()]))
            .unwrap_err(),
        ContractError::ProofWithoutPrevious { length: 1 }
    );
    assert_eq!(
        fresh.submit(&checkpoint(0, first.root(), 1, vec![])).unwrap_err(),
        ContractError::EmptyCheckpoint
    );
}

#[test]
fn roots_and_proof_hashes_must_be_32_bytes() {
    let (mut suite, mut log) = anchored();
    log.append("audit", 1);
    for length in [0, 1, 31, 33, 64] {
        refused(
            &mut suite,
            &checkpoint(9, HexBinary::from(vec![1u8; length]), 1020, log.proof_from(8)),
            ContractError::InvalidRootLength { length },
        );
        let mut proof = log.proof_from(8);
        proof[0] = HexBinary::from(vec![1u8; length]);
        refused(
            &mut suite,
            &checkpoint(9, log.root(), 1020, proof),
            ContractError::InvalidProofHashLength { index: 0, length },
        );
    }
    // The JSON schema says hex: anything else is refused by the decoder.
    let raw = format!(r#"{{"checkpoint":{{"origin":"{ORIGIN}","size":9,"root":"zz","timestamp":1,"proof":[]}}}}"#);
    let relayer = suite.relayer.clone();
    let contract = suite.contract.clone();
    assert!(suite
        .app
        .execute(
            relayer,
            cosmwasm_std::WasmMsg::Execute {
                contract_addr: contract.to_string(),
                msg: raw.into_bytes().into(),
                funds: vec![],
            }
            .into()
        )
        .is_err());
}

#[test]
fn a_timestamp_going_back_is_refused() {
    let (mut suite, mut log) = anchored();
    log.append("audit", 1);
    refused(
        &mut suite,
        &log.checkpoint(Some(8), 1009),
        ContractError::TimestampWentBack {
            timestamp: 1009,
            latest_timestamp: 1010,
        },
    );
    suite.submit(&log.checkpoint(Some(8), 1010)).unwrap();
}

#[test]
fn a_timestamp_far_ahead_of_the_chain_is_refused() {
    let (mut suite, mut log) = anchored();
    log.append("audit", 1);
    // The suite moves the block 5 s on before each submission.
    let at = |suite: &Suite| suite.app.block_info().time.seconds() + 5;
    // Milliseconds for seconds, or u64::MAX, would have blocked the log.
    for ahead in [|now: u64| now + 301, |now| now + 3_600, |now| now * 1_000, |_| u64::MAX] {
        let now = at(&suite);
        refused(
            &mut suite,
            &log.checkpoint(Some(8), ahead(now)),
            ContractError::TimestampInFuture {
                timestamp: ahead(now),
                block_time: now,
            },
        );
    }
    let now = at(&suite);
    suite.submit(&log.checkpoint(Some(8), now + 300)).unwrap();
}

#[test]
fn an_unknown_log_is_refused() {
    let (mut suite, log) = anchored();
    let msg = ExecuteMsg::Checkpoint {
        origin: "other.example/log".to_string(),
        size: log.size(),
        root: log.root(),
        timestamp: 1,
        proof: vec![],
        signature: None,
    };
    assert_eq!(
        suite.submit(&msg).unwrap_err(),
        ContractError::UnknownLog {
            origin: "other.example/log".to_string()
        }
    );
}

#[test]
fn only_listed_submitters_may_anchor() {
    let (mut suite, mut log) = anchored();
    log.append("audit", 2);
    let msg = log.checkpoint(Some(8), 1020);
    for sender in [suite.stranger.clone(), suite.owner.clone()] {
        assert_eq!(
            suite.exec(&sender, &msg).unwrap_err(),
            ContractError::Unauthorized {
                origin: ORIGIN.to_string(),
                sender: sender.to_string(),
            }
        );
    }
}

#[test]
fn a_removed_submitter_may_no_longer_anchor() {
    let (mut suite, mut log) = anchored();
    let (owner, relayer) = (suite.owner.clone(), suite.relayer.clone());
    suite
        .exec(
            &owner,
            &ExecuteMsg::RemoveSubmitter {
                origin: ORIGIN.to_string(),
                submitter: relayer.to_string(),
            },
        )
        .unwrap();
    log.append("audit", 2);
    assert_eq!(
        suite.submit(&log.checkpoint(Some(8), 1020)).unwrap_err(),
        ContractError::Unauthorized {
            origin: ORIGIN.to_string(),
            sender: relayer.to_string(),
        }
    );
    // A new key takes over from where the log was.
    let rotated = suite.addr("relayer-2");
    suite
        .exec(
            &owner,
            &ExecuteMsg::AddSubmitter {
                origin: ORIGIN.to_string(),
                submitter: rotated.to_string(),
            },
        )
        .unwrap();
    suite.exec(&rotated, &log.checkpoint(Some(8), 1020)).unwrap();
}

#[test]
fn funds_are_refused() {
    let (mut suite, mut log) = anchored();
    log.append("audit", 1);
    let relayer = suite.relayer.clone();
    suite
        .app
        .init_modules(|router, _, storage| router.bank.init_balance(storage, &relayer, coins(100, "ufog")))
        .unwrap();
    let err = suite
        .app
        .execute_contract(
            relayer,
            suite.contract.clone(),
            &log.checkpoint(Some(8), 1020),
            &coins(1, "ufog"),
        )
        .unwrap_err();
    assert!(matches!(
        err.downcast::<ContractError>().unwrap(),
        ContractError::Payment(_)
    ));
}
