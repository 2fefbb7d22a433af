//! Queries: logs and checkpoint history page by page, and inclusion proofs
//! checked against anchored roots.

mod common;

use common::*;
use cosmwasm_std::HexBinary;
use fog_audit_anchor::msg::{CheckpointResponse, ConfigResponse, ExecuteMsg, QueryMsg, VerifyInclusionResponse};

/// An anchor with checkpoints at sizes 1..=25 of one log.
fn history() -> (Suite, Log) {
    let mut suite = Suite::with_log();
    let mut log = Log::new("audit", 1);
    suite.submit(&log.checkpoint(None, 1)).unwrap();
    for size in 2..=25u64 {
        log.append("audit", 1);
        suite.submit(&log.checkpoint(Some(size - 1), size)).unwrap();
    }
    (suite, log)
}

#[test]
fn config() {
    let suite = Suite::new();
    let config: ConfigResponse = suite.query(&QueryMsg::Config {}).unwrap();
    assert_eq!(config.owner, suite.owner);
}

#[test]
fn checkpoints_page_by_page_in_ascending_size() {
    let (suite, _) = history();
    let sizes = |page: Vec<CheckpointResponse>| page.into_iter().map(|c| c.size).collect::<Vec<_>>();
    assert_eq!(
        sizes(suite.checkpoints(None, None).checkpoints),
        (1..=10).collect::<Vec<_>>()
    );
    assert_eq!(
        sizes(suite.checkpoints(Some(10), None).checkpoints),
        (11..=20).collect::<Vec<_>>()
    );
    assert_eq!(
        sizes(suite.checkpoints(Some(20), Some(3)).checkpoints),
        vec![21, 22, 23]
    );
    assert_eq!(sizes(suite.checkpoints(Some(23), Some(50)).checkpoints), vec![24, 25]);
    assert_eq!(sizes(suite.checkpoints(Some(25), None).checkpoints), Vec::<u64>::new());
    // A page of 0 is a page of 1: an empty page would read as the end.
    assert_eq!(sizes(suite.checkpoints(Some(20), Some(0)).checkpoints), vec![21]);
    assert_eq!(suite.checkpoints(None, Some(1000)).checkpoints.len(), 25);
    assert_eq!(suite.checkpoints(None, Some(0)).checkpoints.len(), 1);

    // Walking the pages gives the whole history once.
    let mut all = vec![];
    let mut after = None;
    loop {
        let page = suite.checkpoints(after, Some(7)).checkpoints;
        let Some(last) = page.last() else { break };
        after = Some(last.size);
        all.extend(page);
    }
    assert_eq!(sizes(all), (1..=25).collect::<Vec<_>>());
}

#[test]
fn the_page_size_is_at_most_100() {
    let mut suite = Suite::new();
    let owner = suite.owner.clone();
    for i in 0..105 {
        suite
            .exec(
                &owner,
                &ExecuteMsg::CreateLog {
                    origin: format!("log-{i:03}"),
                    submitters: vec![],
                    public_key: None,
                },
            )
            .unwrap();
    }
    assert_eq!(suite.logs(None, None).logs.len(), 10);
    let page = suite.logs(None, Some(500)).logs;
    assert_eq!(page.len(), 100);
    assert_eq!(page[99].origin, "log-099");
    let rest = suite.logs(Some("log-099"), Some(500)).logs;
    let origins: Vec<_> = rest.iter().map(|l| l.origin.as_str()).collect();
    assert_eq!(origins, ["log-100", "log-101", "log-102", "log-103", "log-104"]);
}

#[test]
fn logs_with_and_without_checkpoints() {
    let (mut suite, log) = history();
    let owner = suite.owner.clone();
    suite
        .exec(
            &owner,
            &ExecuteMsg::CreateLog {
                origin: "another.example/log".to_string(),
                submitters: vec![],
                public_key: None,
            },
        )
        .unwrap();
    let logs = suite.logs(None, None).logs;
    assert_eq!(logs.len(), 2);
    assert_eq!(logs[0].origin, "another.example/log");
    assert_eq!(logs[0].latest, None);
    assert_eq!(logs[1].origin, ORIGIN);
    assert_eq!(logs[1].latest.as_ref().unwrap().root, log.root());
    assert_eq!(
        suite
            .query::<Option<CheckpointResponse>>(&QueryMsg::LatestCheckpoint {
                origin: "another.example/log".to_string()
            })
            .unwrap(),
        None
    );
}

#[test]
fn one_checkpoint_by_size() {
    let (suite, log) = history();
    let c: CheckpointResponse = suite
        .query(&QueryMsg::Checkpoint {
            origin: ORIGIN.to_string(),
            size: 7,
        })
        .unwrap();
    assert_eq!((c.size, c.root, c.timestamp), (7, log.root_at(7), 7));
    let err = suite
        .query::<CheckpointResponse>(&QueryMsg::Checkpoint {
            origin: ORIGIN.to_string(),
            size: 26,
        })
        .unwrap_err();
    assert!(err.contains("has no checkpoint of size 26"), "{err}");
}

#[test]
fn unknown_logs_are_errors() {
    let suite = Suite::new();
    for msg in [
        QueryMsg::Log { origin: "nope".into() },
        QueryMsg::LatestCheckpoint { origin: "nope".into() },
        QueryMsg::Checkpoint {
            origin: "nope".into(),
            size: 1,
        },
        QueryMsg::Checkpoints {
            origin: "nope".into(),
            start_after: None,
            limit: None,
        },
    ] {
        let err = suite.query::<serde::de::IgnoredAny>(&msg).unwrap_err();
        assert!(err.contains("log nope does not exist"), "{err}");
    }
}

#[test]
fn inclusion_proofs_against_anchored_roots() {
    let (suite, log) = history();
    // Every leaf of a few anchored sizes, including powers of two.
    for tree_size in [1, 2, 7, 8, 16, 25] {
        for index in 0..tree_size {
            let proof = log.inclusion(index, tree_size);
            assert_eq!(
                suite.verify(log.leaf(index), index, tree_size, proof).unwrap(),
                VerifyInclusionResponse {
                    valid: true,
                    reason: None
                },
                "leaf {index} of {tree_size}"
            );
        }
    }
}

#[test]
fn bad_inclusion_proofs_are_invalid_with_a_reason() {
    let (suite, log) = history();
    let proof = log.inclusion(3, 20);
    let invalid = |res: VerifyInclusionResponse, words: &str| {
        assert!(!res.valid);
        let reason = res.reason.unwrap();
        assert!(reason.contains(words), "{reason:?} does not say {words:?}");
    };
    // Another leaf, another index, a proof for another size, a short proof.
    invalid(
        suite.verify(log.leaf(4), 3, 20, proof.clone()).unwrap(),
        "different root",
    );
    invalid(
        suite.verify(log.leaf(3), 5, 20, proof.clone()).unwrap(),
        "different root",
    );
    invalid(
        suite.verify(log.leaf(3), 3, 21, proof.clone()).unwrap(),
        "different root",
    );
    invalid(
        suite.verify(log.leaf(3), 3, 20, proof[1..].to_vec()).unwrap(),
        "proof has",
    );
    invalid(suite.verify(log.leaf(3), 20, 20, proof.clone()).unwrap(), "outside");
    invalid(
        suite
            .verify(HexBinary::from(vec![1u8; 31]), 3, 20, proof.clone())
            .unwrap(),
        "31 bytes",
    );
    let mut bad = proof.clone();
    bad[2] = HexBinary::from(vec![1u8; 33]);
    invalid(suite.verify(log.leaf(3), 3, 20, bad).unwrap(), "33 bytes");
    // A size that was never anchored is an error, not "invalid".
    let err = suite.verify(log.leaf(3), 3, 26, proof).unwrap_err();
    assert!(err.contains("has no checkpoint of size 26"), "{err}");
}
