//! The life of a request: made, approved (released), rejected, expired,
//! revoked; and the queries a deployment and a dashboard use.

mod common;

use common::{fog_events, hash, request_msg, single_event, Suite, DAY, MODEL, RISK, SENIOR};
use fog_events::release_gate::{Approved, Expired, Rejected, ReleaseGateEvent, RequestCreated, Revoked};
use fog_events::Text;
use fog_release_gate::msg::{ExecuteMsg, QueryMsg, RequestsResponse};
use fog_release_gate::request::Status;
use fog_release_gate::ContractError;

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn request_is_recorded_with_all_its_hashes() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    let now = s.app.block_info().time;
    let res = s.request(&alice, 1).unwrap();
    assert_eq!(
        single_event(&res),
        ReleaseGateEvent::RequestCreated(RequestCreated {
            id: 1,
            artifact_type: MODEL.to_string(),
            artifact_id: "credit-scoring".to_string(),
            artifact_version: "1.4.0".to_string(),
            sha256: "01".repeat(32),
            lineage_hash: "ee".repeat(32),
            dataset_hashes: vec!["d1".repeat(32), "d2".repeat(32)],
            requester: alice.to_string(),
            risk_notes: Text("trained on 2024 data".to_string()),
            created_at_ns: now.nanos(),
            expires_at_ns: now.plus_seconds(DAY).nanos(),
            min_approvals: 2,
            required_groups: strings(&[SENIOR, RISK]),
        })
    );
    let r = s.get(1);
    assert_eq!(r.status, Status::Pending);
    assert_eq!(r.sha256, hash(1));
    assert_eq!(r.lineage_hash, hash(0xee));
    assert_eq!(r.dataset_hashes, vec![hash(0xd1), hash(0xd2)]);
    assert_eq!(r.risk_notes, "trained on 2024 data");
    assert_eq!(r.requester, alice);
    assert_eq!(r.expires_at, now.plus_seconds(DAY));
    assert!(!s.is_released(1).released);
    // Ids are sequential.
    assert_eq!(s.request_ok(2), 2);
    assert_eq!(s.request_ok(3), 3);
}

#[test]
fn two_approvals_from_both_groups_release() {
    let mut s = Suite::new();
    let (dev1, risk1) = (s.dev1.clone(), s.risk1.clone());
    let id = s.request_ok(1);
    let now = s.app.block_info().time;

    let res = s
        .exec(
            &dev1,
            &ExecuteMsg::Approve {
                id,
                comment: Some(" code reviewed ".to_string()),
            },
        )
        .unwrap();
    assert_eq!(
        single_event(&res),
        ReleaseGateEvent::Approved(Approved {
            id,
            approver: dev1.to_string(),
            groups: strings(&[SENIOR]),
            comment: Text("code reviewed".to_string()),
            at_ns: now.nanos(),
            approvals: 1,
            released: false,
        })
    );
    assert_eq!(s.get(id).status, Status::Pending);
    assert!(!s.is_released(1).released);

    let res = s.approve(&risk1, id).unwrap();
    // Approval and release in one transaction: one event, `released`.
    assert_eq!(
        single_event(&res),
        ReleaseGateEvent::Approved(Approved {
            id,
            approver: risk1.to_string(),
            groups: strings(&[RISK]),
            comment: Text::default(),
            at_ns: now.nanos(),
            approvals: 2,
            released: true,
        })
    );
    let r = s.get(id);
    assert_eq!(r.status, Status::Approved);
    assert_eq!(r.decided_at, Some(now));
    assert_eq!(r.approved_groups, strings(&[RISK, SENIOR]));
    let mut voters: Vec<_> = r.approvals.iter().map(|v| v.voter.clone()).collect();
    voters.sort();
    let mut expected = vec![dev1.clone(), risk1.clone()];
    expected.sort();
    assert_eq!(voters, expected);
    assert!(r.approvals.iter().any(|v| v.comment == "code reviewed"));

    let gate = s.is_released(1);
    assert!(gate.released);
    assert_eq!(gate.request.unwrap().id, id);
    // Approved releases do not expire.
    s.advance(10 * DAY);
    assert!(s.is_released(1).released);

    // Nothing more to vote on.
    let dev2 = s.dev2.clone();
    assert_eq!(
        s.approve(&dev2, id).unwrap_err(),
        ContractError::NotPending {
            id,
            status: Status::Approved
        }
    );
    assert_eq!(
        s.reject(&dev2, id).unwrap_err(),
        ContractError::NotPending {
            id,
            status: Status::Approved
        }
    );
}

#[test]
fn same_group_twice_is_not_enough() {
    let mut s = Suite::new();
    let (dev1, dev2, risk2) = (s.dev1.clone(), s.dev2.clone(), s.risk2.clone());
    let id = s.request_ok(1);
    s.approve(&dev1, id).unwrap();
    let res = s.approve(&dev2, id).unwrap();
    match single_event(&res) {
        ReleaseGateEvent::Approved(e) => assert!(!e.released),
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(s.get(id).status, Status::Pending);
    s.approve(&risk2, id).unwrap();
    assert_eq!(s.get(id).status, Status::Approved);
}

#[test]
fn rejection_by_a_required_group_rejects() {
    let mut s = Suite::new();
    let (dev1, risk1) = (s.dev1.clone(), s.risk1.clone());
    let id = s.request_ok(1);
    s.approve(&dev1, id).unwrap();
    let res = s
        .exec(
            &risk1,
            &ExecuteMsg::Reject {
                id,
                comment: Some("bias not assessed ".to_string()),
            },
        )
        .unwrap();
    assert_eq!(
        single_event(&res),
        ReleaseGateEvent::Rejected(Rejected {
            id,
            rejecter: risk1.to_string(),
            groups: strings(&[RISK]),
            comment: Text("bias not assessed".to_string()),
            at_ns: s.app.block_info().time.nanos(),
            rejected: true,
        })
    );
    let r = s.get(id);
    assert_eq!(r.status, Status::Rejected);
    assert_eq!(r.rejections.len(), 1);
    assert_eq!(r.rejections[0].comment, "bias not assessed");
    assert!(!s.is_released(1).released);
    let dev2 = s.dev2.clone();
    assert_eq!(
        s.approve(&dev2, id).unwrap_err(),
        ContractError::NotPending {
            id,
            status: Status::Rejected
        }
    );
    // The artifact may be asked for again.
    let id2 = s.request_ok(1);
    assert_eq!(id2, id + 1);
}

#[test]
fn rejection_by_a_non_required_group_is_only_recorded() {
    let mut s = Suite::new();
    s.create_group("observers");
    let obs = s.app.api().addr_make("observer");
    s.add_member("observers", &obs);
    let id = s.request_ok(1);
    let res = s.reject(&obs, id).unwrap();
    match single_event(&res) {
        ReleaseGateEvent::Rejected(e) => {
            assert!(!e.rejected);
            assert_eq!(e.groups, strings(&["observers"]));
        }
        other => panic!("unexpected {other:?}"),
    }
    let r = s.get(id);
    assert_eq!(r.status, Status::Pending);
    assert_eq!(r.rejections.len(), 1);
    // Nor can the observer then approve.
    assert_eq!(
        s.approve(&obs, id).unwrap_err(),
        ContractError::AlreadyVoted {
            id,
            address: obs.to_string()
        }
    );
}

#[test]
fn pending_request_expires_and_anyone_may_persist_it() {
    let mut s = Suite::new();
    let id = s.request_ok(1);
    s.advance(DAY - 1);
    assert_eq!(s.get(id).status, Status::Pending);
    let mallory = s.mallory.clone();
    assert_eq!(
        s.exec(&mallory, &ExecuteMsg::Expire { id }).unwrap_err(),
        ContractError::NotExpired { id }
    );
    s.advance(1);
    assert_eq!(s.get(id).status, Status::Expired);
    let res = s.exec(&mallory, &ExecuteMsg::Expire { id }).unwrap();
    let now = s.app.block_info().time;
    assert_eq!(
        single_event(&res),
        ReleaseGateEvent::Expired(Expired {
            id,
            sender: mallory.to_string(),
            at_ns: now.nanos(),
        })
    );
    let r = s.get(id);
    assert_eq!(r.status, Status::Expired);
    assert_eq!(r.decided_at, Some(now));
    assert_eq!(
        s.exec(&mallory, &ExecuteMsg::Expire { id }).unwrap_err(),
        ContractError::NotPending {
            id,
            status: Status::Expired
        }
    );
    assert_eq!(
        s.exec(&mallory, &ExecuteMsg::Expire { id: 99 }).unwrap_err(),
        ContractError::RequestNotFound { id: 99 }
    );
}

#[test]
fn a_new_request_expires_the_stale_one_for_the_same_artifact() {
    let mut s = Suite::new();
    let id = s.request_ok(1);
    s.advance(DAY);
    let alice = s.alice.clone();
    let res = s.request(&alice, 1).unwrap();
    let events = fog_events(&res);
    assert_eq!(events.len(), 2, "two state changes, two events: {events:?}");
    assert!(matches!(&events[0], ReleaseGateEvent::Expired(e) if e.id == id && e.sender == alice.as_str()));
    assert!(matches!(&events[1], ReleaseGateEvent::RequestCreated(e) if e.id == id + 1));
    assert_eq!(s.get(id).status, Status::Expired);
    assert_eq!(s.get(id + 1).status, Status::Pending);
}

#[test]
fn revoked_release_is_no_longer_released() {
    let mut s = Suite::new();
    let (dev1, risk1, risk2) = (s.dev1.clone(), s.risk1.clone(), s.risk2.clone());
    let id = s.request_ok(1);
    s.approve(&dev1, id).unwrap();
    s.approve(&risk1, id).unwrap();
    assert!(s.is_released(1).released);

    s.advance(60);
    let res = s
        .exec(
            &risk2,
            &ExecuteMsg::Revoke {
                id,
                reason: "  data leak found ".to_string(),
            },
        )
        .unwrap();
    let now = s.app.block_info().time;
    assert_eq!(
        single_event(&res),
        ReleaseGateEvent::Revoked(Revoked {
            id,
            revoker: risk2.to_string(),
            reason: Text("data leak found".to_string()),
            at_ns: now.nanos(),
        })
    );
    let gate = s.is_released(1);
    assert!(!gate.released);
    let r = gate.request.unwrap();
    assert_eq!(r.status, Status::Revoked);
    let revocation = r.revocation.unwrap();
    assert_eq!(revocation.revoker, risk2);
    assert_eq!(revocation.reason, "data leak found");
    assert_eq!(revocation.at, now);
    // It stays revoked, and a fixed artifact can be requested anew.
    assert_eq!(
        s.revoke(&risk1, id).unwrap_err(),
        ContractError::NotApproved {
            id,
            status: Status::Revoked
        }
    );
    s.request_ok(1);
    assert!(!s.is_released(1).released);
}

#[test]
fn revocation_needs_a_reason() {
    let mut s = Suite::new();
    let risk1 = s.risk1.clone();
    let id = s.request_ok(1);
    let err = s
        .exec(
            &risk1,
            &ExecuteMsg::Revoke {
                id,
                reason: "   ".to_string(),
            },
        )
        .unwrap_err();
    assert_eq!(err, ContractError::EmptyReason);
}

#[test]
fn is_released_for_unknown_artifact() {
    let s = Suite::new();
    let gate = s.is_released(42);
    assert!(!gate.released);
    assert!(gate.request.is_none());
    let err = s
        .app
        .wrap()
        .query_wasm_smart::<RequestsResponse>(
            &s.gate,
            &QueryMsg::IsReleased {
                sha256: cosmwasm_std::HexBinary::from(vec![1u8; 31]),
                artifact_type: None,
            },
        )
        .unwrap_err();
    assert!(err.to_string().contains("32"), "{err}");
}

#[test]
fn requests_are_listed_and_filtered_by_status() {
    let mut s = Suite::new();
    let (dev1, risk1) = (s.dev1.clone(), s.risk1.clone());
    for sha in 1..=12 {
        s.request_ok(sha);
    }
    // 1 approved, 2 rejected, 3 stays pending until the others expire.
    s.approve(&dev1, 1).unwrap();
    s.approve(&risk1, 1).unwrap();
    s.reject(&risk1, 2).unwrap();

    let page: RequestsResponse = s.query(&QueryMsg::Requests {
        start_after: None,
        limit: None,
        status: None,
    });
    assert_eq!(
        page.requests.iter().map(|r| r.id).collect::<Vec<_>>(),
        (1..=10).collect::<Vec<_>>()
    );
    let rest: RequestsResponse = s.query(&QueryMsg::Requests {
        start_after: Some(10),
        limit: None,
        status: None,
    });
    assert_eq!(rest.requests.iter().map(|r| r.id).collect::<Vec<_>>(), vec![11, 12]);

    let ids = |s: &Suite, status| -> Vec<u64> {
        let r: RequestsResponse = s.query(&QueryMsg::Requests {
            start_after: None,
            limit: Some(100),
            status: Some(status),
        });
        r.requests.iter().map(|r| r.id).collect()
    };
    assert_eq!(ids(&s, Status::Approved), vec![1]);
    assert_eq!(ids(&s, Status::Rejected), vec![2]);
    assert_eq!(ids(&s, Status::Pending), (3..=12).collect::<Vec<_>>());
    assert!(ids(&s, Status::Expired).is_empty());

    // Expiry is derived from time in the filter too.
    s.advance(DAY);
    assert!(ids(&s, Status::Pending).is_empty());
    assert_eq!(ids(&s, Status::Expired), (3..=12).collect::<Vec<_>>());
    assert_eq!(ids(&s, Status::Approved), vec![1]);
}

#[test]
fn a_filtered_page_reads_a_bounded_number_of_requests_and_says_where_to_go_on() {
    let mut s = Suite::new();
    let (alice, dev1, risk1) = (s.alice.clone(), s.dev1.clone(), s.risk1.clone());
    // 1,200 pending requests (anyone may add them), the first and the last
    // approved.
    let n = 1_200u64;
    for i in 0..n {
        let mut msg = request_msg(0);
        if let ExecuteMsg::Request { sha256, .. } = &mut msg {
            let mut bytes = [0x5au8; 32];
            bytes[..8].copy_from_slice(&i.to_be_bytes());
            *sha256 = cosmwasm_std::HexBinary::from(bytes.to_vec());
        }
        s.exec(&alice, &msg).unwrap();
    }
    for id in [1, n] {
        s.approve(&dev1, id).unwrap();
        s.approve(&risk1, id).unwrap();
    }
    let page = |s: &Suite, start_after| -> RequestsResponse {
        s.query(&QueryMsg::Requests {
            start_after,
            limit: Some(10),
            status: Some(Status::Approved),
        })
    };
    // The first page stops after reading 1,000 requests, with 1 of them.
    let first = page(&s, None);
    assert_eq!(first.requests.iter().map(|r| r.id).collect::<Vec<_>>(), vec![1]);
    assert_eq!(first.next_start_after, Some(1_000));
    let second = page(&s, first.next_start_after);
    assert_eq!(second.requests.iter().map(|r| r.id).collect::<Vec<_>>(), vec![n]);
    assert_eq!(second.next_start_after, None, "the last request was read");
    // Unfiltered, a full page says where the next starts.
    let all: RequestsResponse = s.query(&QueryMsg::Requests {
        start_after: None,
        limit: Some(100),
        status: None,
    });
    assert_eq!(all.requests.len(), 100);
    assert_eq!(all.next_start_after, Some(100));
}

#[test]
fn a_page_that_ends_on_the_last_request_has_no_next_one() {
    let mut s = Suite::new();
    let risk1 = s.risk1.clone();
    let only = s.request_ok(1);
    let page: RequestsResponse = s.query(&QueryMsg::Requests {
        start_after: None,
        limit: Some(1),
        status: None,
    });
    assert_eq!(page.requests.len(), 1);
    assert_eq!(page.next_start_after, None);
    s.reject(&risk1, only).unwrap();
    let again = s.request_ok(1);
    let history = |start_after| -> RequestsResponse {
        s.query(&QueryMsg::RequestsByArtifact {
            sha256: hash(1),
            start_after,
            limit: Some(1),
        })
    };
    let first = history(None);
    assert_eq!(first.next_start_after, Some(only), "a second request follows");
    let second = history(first.next_start_after);
    assert_eq!(second.requests.iter().map(|r| r.id).collect::<Vec<_>>(), vec![again]);
    assert_eq!(second.next_start_after, None);
}

#[test]
fn requests_by_artifact_show_its_history() {
    let mut s = Suite::new();
    let risk1 = s.risk1.clone();
    let first = s.request_ok(7);
    s.request_ok(8);
    s.reject(&risk1, first).unwrap();
    let second = s.request_ok(7);
    let history: RequestsResponse = s.query(&QueryMsg::RequestsByArtifact {
        sha256: hash(7),
        start_after: None,
        limit: None,
    });
    let got: Vec<_> = history.requests.iter().map(|r| (r.id, r.status)).collect();
    assert_eq!(got, vec![(first, Status::Rejected), (second, Status::Pending)]);
    let after: RequestsResponse = s.query(&QueryMsg::RequestsByArtifact {
        sha256: hash(7),
        start_after: Some(first),
        limit: Some(1),
    });
    assert_eq!(after.requests.len(), 1);
    assert_eq!(after.requests[0].id, second);
    // The gate looks at the latest.
    assert_eq!(s.is_released(7).request.unwrap().id, second);
}

#[test]
fn request_inputs_are_validated() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    let with = |f: &dyn Fn(&mut ExecuteMsg)| {
        let mut m = request_msg(1);
        f(&mut m);
        m
    };
    let cases: Vec<(ExecuteMsg, ContractError)> = vec![
        (
            with(&|m| {
                if let ExecuteMsg::Request { sha256, .. } = m {
                    *sha256 = cosmwasm_std::HexBinary::from(vec![1u8; 31]);
                }
            }),
            ContractError::InvalidHash {
                field: "sha256".to_string(),
                length: 31,
            },
        ),
        (
            with(&|m| {
                if let ExecuteMsg::Request { lineage_hash, .. } = m {
                    *lineage_hash = cosmwasm_std::HexBinary::from(vec![]);
                }
            }),
            ContractError::InvalidHash {
                field: "lineage_hash".to_string(),
                length: 0,
            },
        ),
        (
            with(&|m| {
                if let ExecuteMsg::Request { dataset_hashes, .. } = m {
                    *dataset_hashes = (0..65u8).map(hash).collect();
                }
            }),
            ContractError::TooManyDatasetHashes { count: 65, max: 64 },
        ),
        (
            with(&|m| {
                if let ExecuteMsg::Request { dataset_hashes, .. } = m {
                    *dataset_hashes = vec![hash(3), hash(3)];
                }
            }),
            ContractError::DuplicateDatasetHash { hash: "03".repeat(32) },
        ),
        (
            with(&|m| {
                if let ExecuteMsg::Request { artifact_id, .. } = m {
                    *artifact_id = "credit model".to_string();
                }
            }),
            ContractError::InvalidIdentifier {
                field: "artifact_id".to_string(),
                value: "credit model".to_string(),
            },
        ),
        (
            with(&|m| {
                if let ExecuteMsg::Request { artifact_version, .. } = m {
                    *artifact_version = String::new();
                }
            }),
            ContractError::InvalidIdentifier {
                field: "artifact_version".to_string(),
                value: String::new(),
            },
        ),
        (
            with(&|m| {
                if let ExecuteMsg::Request { risk_notes, .. } = m {
                    *risk_notes = Some("n".repeat(2049));
                }
            }),
            ContractError::TextTooLong {
                field: "risk_notes".to_string(),
                length: 2049,
                max: 2048,
            },
        ),
    ];
    for (msg, err) in cases {
        assert_eq!(s.exec(&alice, &msg).unwrap_err(), err);
    }
    // 64 distinct dataset hashes are fine.
    let ok = with(&|m| {
        if let ExecuteMsg::Request { dataset_hashes, .. } = m {
            *dataset_hashes = (0..64u8).map(hash).collect();
        }
    });
    s.exec(&alice, &ok).unwrap();
}
