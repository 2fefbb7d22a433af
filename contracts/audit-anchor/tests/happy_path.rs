//! A log grows over several checkpoints built from real leaves; every
//! checkpoint is verified, stored and announced by one event.

mod common;

use common::*;
use fog_audit_anchor::msg::CheckpointResponse;
use fog_events::audit_anchor::{AuditAnchorEvent, CheckpointAnchored};
use fog_events::AnyEvent;

#[test]
fn a_log_grows_checkpoint_by_checkpoint() {
    let mut suite = Suite::with_log();
    assert_eq!(suite.latest(), None);

    let mut log = Log::new("audit", 1);
    let mut previous: Option<u64> = None;
    let mut history = vec![];
    // Sizes 1, 2, 3, 4, 7, 8, 16, 17, 100: powers of two and not.
    for (step, grow) in [0, 1, 1, 1, 3, 1, 8, 1, 83].into_iter().enumerate() {
        log.append("audit", grow);
        let timestamp = 1_700_000_000 + step as u64 * 60;
        let res = suite.submit(&log.checkpoint(previous, timestamp)).unwrap();
        let height = suite.app.block_info().height;

        let AnyEvent::AuditAnchor(AuditAnchorEvent::CheckpointAnchored(ev)) = the_event(&res) else {
            panic!("a checkpoint_anchored event");
        };
        assert_eq!(
            ev,
            CheckpointAnchored {
                origin: ORIGIN.to_string(),
                size: log.size(),
                root: log.root().to_hex(),
                timestamp,
                previous_size: previous,
                submitter: suite.relayer.to_string(),
                height,
            }
        );

        let expected = CheckpointResponse {
            origin: ORIGIN.to_string(),
            size: log.size(),
            root: log.root(),
            timestamp,
            height,
        };
        assert_eq!(suite.latest(), Some(expected.clone()));
        history.push(expected);
        previous = Some(log.size());
    }

    assert_eq!(suite.checkpoints(None, Some(100)).checkpoints, history);
    let log_info = suite.log(ORIGIN);
    assert_eq!(log_info.latest.as_ref(), history.last());
    assert_eq!(log_info.submitters, vec![suite.relayer.clone()]);
}

#[test]
fn the_same_timestamp_twice_is_fine() {
    let mut suite = Suite::with_log();
    let mut log = Log::new("audit", 5);
    suite.submit(&log.checkpoint(None, 100)).unwrap();
    log.append("audit", 1);
    suite.submit(&log.checkpoint(Some(5), 100)).unwrap();
    assert_eq!(suite.latest().unwrap().size, 6);
}

#[test]
fn logs_are_independent() {
    let mut suite = Suite::new();
    let owner = suite.owner.clone();
    let relayer = suite.relayer.clone();
    for origin in ["a.example/log", "b.example/log"] {
        suite
            .exec(
                &owner,
                &fog_audit_anchor::msg::ExecuteMsg::CreateLog {
                    origin: origin.to_string(),
                    submitters: vec![relayer.to_string()],
                    public_key: None,
                },
            )
            .unwrap();
    }
    let a = Log::new("a", 10);
    let b = Log::new("b", 3);
    for (origin, log) in [("a.example/log", &a), ("b.example/log", &b)] {
        suite
            .submit(&fog_audit_anchor::msg::ExecuteMsg::Checkpoint {
                origin: origin.to_string(),
                size: log.size(),
                root: log.root(),
                timestamp: 1,
                proof: vec![],
                signature: None,
            })
            .unwrap();
    }
    assert_eq!(suite.log("a.example/log").latest.unwrap().size, 10);
    assert_eq!(suite.log("b.example/log").latest.unwrap().root, b.root());
}
