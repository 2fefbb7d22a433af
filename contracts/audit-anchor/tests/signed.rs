//! A log with a key: only checkpoints the log signed are anchored, whoever
//! submits them; the owner rotates or removes the key.

mod common;

use common::*;
use cosmwasm_std::HexBinary;
use ed25519_dalek::{Signer, SigningKey};
use fog_audit_anchor::msg::ExecuteMsg;
use fog_audit_anchor::signature::note_body;
use fog_audit_anchor::ContractError;
use fog_events::audit_anchor::{AuditAnchorEvent, LogCreated, LogKeySet};
use fog_events::AnyEvent;

const T: u64 = 1_700_000_000;

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn public(k: &SigningKey) -> HexBinary {
    HexBinary::from(k.verifying_key().as_bytes().as_slice())
}

/// `msg` (a checkpoint) with `k`'s signature over its note body.
fn signed(msg: ExecuteMsg, k: &SigningKey) -> ExecuteMsg {
    let ExecuteMsg::Checkpoint { origin, size, root, .. } = &msg else {
        panic!("a checkpoint message");
    };
    let signature = k.sign(note_body(origin, *size, root.as_slice()).as_bytes());
    with_signature(msg, Some(HexBinary::from(signature.to_bytes().as_slice())))
}

fn with_signature(msg: ExecuteMsg, bytes: Option<HexBinary>) -> ExecuteMsg {
    match msg {
        ExecuteMsg::Checkpoint {
            origin,
            size,
            root,
            timestamp,
            proof,
            ..
        } => ExecuteMsg::Checkpoint {
            origin,
            size,
            root,
            timestamp,
            proof,
            signature: bytes,
        },
        other => other,
    }
}

fn keyed_suite(k: &SigningKey) -> Suite {
    let mut suite = Suite::new();
    let (owner, relayer) = (suite.owner.clone(), suite.relayer.clone());
    let res = suite
        .exec(
            &owner,
            &ExecuteMsg::CreateLog {
                origin: ORIGIN.to_string(),
                submitters: vec![relayer.to_string()],
                public_key: Some(public(k)),
            },
        )
        .unwrap();
    assert_eq!(
        the_event(&res),
        AnyEvent::AuditAnchor(AuditAnchorEvent::LogCreated(LogCreated {
            origin: ORIGIN.to_string(),
            submitters: vec![relayer.to_string()],
            owner: owner.to_string(),
            public_key: Some(public(k).to_hex()),
        }))
    );
    suite
}

#[test]
fn the_note_body_is_the_one_the_log_signs() {
    // The C2SP tlog-checkpoint body of fog's signed notes
    // (relayer/src/note.rs), byte for byte.
    assert_eq!(
        note_body("fog.local/audit", 42, &[9u8; 32]),
        "fog.local/audit\n42\nCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=\n"
    );
}

#[test]
fn only_what_the_log_signed_is_anchored() {
    let log_key = key(1);
    let mut suite = keyed_suite(&log_key);
    assert_eq!(suite.log(ORIGIN).public_key, Some(public(&log_key)));
    let mut log = Log::new("audit", 5);

    // Unsigned, or signed by someone else: refused, whoever submits.
    assert_eq!(
        suite.submit(&log.checkpoint(None, T)).unwrap_err(),
        ContractError::SignatureMissing {
            origin: ORIGIN.to_string()
        }
    );
    assert_eq!(
        suite.submit(&signed(log.checkpoint(None, T), &key(2))).unwrap_err(),
        ContractError::InvalidSignature {
            origin: ORIGIN.to_string(),
            size: 5
        }
    );
    // The log's signature over another root (a submitter's made-up tree
    // of the same size) does not carry over.
    let real = signed(log.checkpoint(None, T), &log_key);
    let ExecuteMsg::Checkpoint { signature, .. } = &real else {
        unreachable!()
    };
    let made_up = Log::new("made up", 5);
    assert_eq!(
        suite
            .submit(&with_signature(made_up.checkpoint(None, T), signature.clone()))
            .unwrap_err(),
        ContractError::InvalidSignature {
            origin: ORIGIN.to_string(),
            size: 5
        }
    );
    for bad in [vec![0u8; 63], vec![0u8; 65], vec![]] {
        assert_eq!(
            suite
                .submit(&with_signature(
                    log.checkpoint(None, T),
                    Some(HexBinary::from(bad.clone()))
                ))
                .unwrap_err(),
            ContractError::InvalidSignatureLength { length: bad.len() }
        );
    }
    assert_eq!(suite.latest(), None, "nothing was anchored");

    suite.submit(&real).unwrap();
    log.append("audit", 3);
    let next = signed(log.checkpoint(Some(5), T + 60), &log_key);
    let ExecuteMsg::Checkpoint { signature, .. } = &next else {
        unreachable!()
    };
    // The real log's first five records and made-up ones after them: the
    // consistency proof holds, but the log never signed that tree.
    let mut extended = Log::new("audit", 5);
    extended.append("made up", 4);
    assert_eq!(
        suite
            .submit(&with_signature(extended.checkpoint(Some(5), T + 60), signature.clone()))
            .unwrap_err(),
        ContractError::InvalidSignature {
            origin: ORIGIN.to_string(),
            size: 9
        }
    );
    suite.submit(&next).unwrap();
    assert_eq!(suite.latest().unwrap().size, 8);
}

#[test]
fn the_owner_rotates_and_removes_the_key() {
    let (old, new) = (key(1), key(3));
    let mut suite = keyed_suite(&old);
    let owner = suite.owner.clone();
    let stranger = suite.stranger.clone();
    let mut log = Log::new("audit", 4);
    suite.submit(&signed(log.checkpoint(None, T), &old)).unwrap();

    let rotate = ExecuteMsg::SetLogKey {
        origin: ORIGIN.to_string(),
        public_key: Some(public(&new)),
    };
    assert_eq!(suite.exec(&stranger, &rotate).unwrap_err(), ContractError::NotOwner);
    assert_eq!(
        suite
            .exec(
                &owner,
                &ExecuteMsg::SetLogKey {
                    origin: ORIGIN.to_string(),
                    public_key: Some(HexBinary::from(vec![7u8; 33])),
                },
            )
            .unwrap_err(),
        ContractError::InvalidPublicKeyLength { length: 33 }
    );
    assert_eq!(
        suite
            .exec(
                &owner,
                &ExecuteMsg::SetLogKey {
                    origin: "other.example/log".to_string(),
                    public_key: None,
                },
            )
            .unwrap_err(),
        ContractError::UnknownLog {
            origin: "other.example/log".to_string()
        }
    );
    let res = suite.exec(&owner, &rotate).unwrap();
    assert_eq!(
        the_event(&res),
        AnyEvent::AuditAnchor(AuditAnchorEvent::LogKeySet(LogKeySet {
            origin: ORIGIN.to_string(),
            public_key: Some(public(&new).to_hex()),
            owner: owner.to_string(),
        }))
    );

    log.append("audit", 2);
    assert!(matches!(
        suite.submit(&signed(log.checkpoint(Some(4), T + 1), &old)).unwrap_err(),
        ContractError::InvalidSignature { .. }
    ));
    suite.submit(&signed(log.checkpoint(Some(4), T + 1), &new)).unwrap();

    // Removed: signatures are no longer checked, and one sent is refused
    // rather than silently ignored.
    suite
        .exec(
            &owner,
            &ExecuteMsg::SetLogKey {
                origin: ORIGIN.to_string(),
                public_key: None,
            },
        )
        .unwrap();
    assert_eq!(suite.log(ORIGIN).public_key, None);
    log.append("audit", 1);
    assert_eq!(
        suite.submit(&signed(log.checkpoint(Some(6), T + 2), &new)).unwrap_err(),
        ContractError::SignatureWithoutKey {
            origin: ORIGIN.to_string()
        }
    );
    suite.submit(&log.checkpoint(Some(6), T + 2)).unwrap();
}

#[test]
fn absent_keys_and_signatures_are_left_out_of_the_json() {
    // A relayer must still anchor to a contract from before signatures,
    // whose messages refuse unknown fields.
    let msg = Log::new("audit", 1).checkpoint(None, T);
    let json = cosmwasm_std::to_json_string(&msg).unwrap();
    assert!(!json.contains("signature"), "{json}");
    let create = ExecuteMsg::CreateLog {
        origin: ORIGIN.to_string(),
        submitters: vec![],
        public_key: None,
    };
    let json = cosmwasm_std::to_json_string(&create).unwrap();
    assert!(!json.contains("public_key"), "{json}");
    assert_eq!(cosmwasm_std::from_json::<ExecuteMsg>(&json).unwrap(), create);
}

#[test]
fn a_log_key_is_32_bytes() {
    let mut suite = Suite::new();
    let owner = suite.owner.clone();
    assert_eq!(
        suite
            .exec(
                &owner,
                &ExecuteMsg::CreateLog {
                    origin: ORIGIN.to_string(),
                    submitters: vec![],
                    public_key: Some(HexBinary::from(vec![1u8; 31])),
                },
            )
            .unwrap_err(),
        ContractError::InvalidPublicKeyLength { length: 31 }
    );
}
