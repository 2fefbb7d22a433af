//! What an attacker, or a careless member, tries: approving their own
//! release, approving twice, after expiry, without membership, counting
//! twice through two groups, using a revoked release, revoking without the
//! right, and asking twice for the same artifact.

mod common;

use common::{single_event, Suite, DAY, MODEL, RISK, SENIOR};
use fog_events::release_gate::ReleaseGateEvent;
use fog_release_gate::msg::{ExecuteMsg, IsReleasedResponse, QueryMsg};
use fog_release_gate::request::Status;
use fog_release_gate::ContractError;

#[test]
fn requester_cannot_approve_own_request() {
    let mut s = Suite::new();
    let (dev1, risk1) = (s.dev1.clone(), s.risk1.clone());
    // A member of a group asks, then tries to count as an approver.
    let res = s.request(&dev1, 1).unwrap();
    let id = match single_event(&res) {
        ReleaseGateEvent::RequestCreated(e) => e.id,
        other => panic!("unexpected {other:?}"),
    };
    assert_eq!(s.approve(&dev1, id).unwrap_err(), ContractError::SelfApproval);
    s.approve(&risk1, id).unwrap();
    assert_eq!(s.approve(&dev1, id).unwrap_err(), ContractError::SelfApproval);
    assert_eq!(s.get(id).status, Status::Pending);
    assert!(!s.is_released(1).released);
}

#[test]
fn double_approval_is_refused() {
    let mut s = Suite::new();
    let dev1 = s.dev1.clone();
    let id = s.request_ok(1);
    s.approve(&dev1, id).unwrap();
    assert_eq!(
        s.approve(&dev1, id).unwrap_err(),
        ContractError::AlreadyVoted {
            id,
            address: dev1.to_string()
        }
    );
    // Nor can an approver turn into a rejecter.
    assert_eq!(
        s.reject(&dev1, id).unwrap_err(),
        ContractError::AlreadyVoted {
            id,
            address: dev1.to_string()
        }
    );
    let r = s.get(id);
    assert_eq!(r.approvals.len(), 1);
    assert_eq!(r.status, Status::Pending);
}

#[test]
fn approval_after_expiry_is_refused() {
    let mut s = Suite::new();
    let (dev1, risk1) = (s.dev1.clone(), s.risk1.clone());
    let id = s.request_ok(1);
    s.approve(&dev1, id).unwrap();
    s.advance(DAY);
    assert_eq!(s.approve(&risk1, id).unwrap_err(), ContractError::Expired { id });
    assert_eq!(s.reject(&risk1, id).unwrap_err(), ContractError::Expired { id });
    assert!(!s.is_released(1).released);
    assert_eq!(s.get(id).status, Status::Expired);
}

#[test]
fn approval_by_a_non_member_is_refused() {
    let mut s = Suite::new();
    let (owner, mallory) = (s.owner.clone(), s.mallory.clone());
    let id = s.request_ok(1);
    for who in [&mallory, &owner] {
        assert_eq!(s.approve(who, id).unwrap_err(), ContractError::NotAMember);
        assert_eq!(s.reject(who, id).unwrap_err(), ContractError::NotAMember);
    }
    // A removed member is a non-member.
    let dev1 = s.dev1.clone();
    s.owner_exec(&ExecuteMsg::RemoveMember {
        group: SENIOR.to_string(),
        address: dev1.to_string(),
    })
    .unwrap();
    assert_eq!(s.approve(&dev1, id).unwrap_err(), ContractError::NotAMember);
    assert_eq!(
        s.approve(&mallory, 99).unwrap_err(),
        ContractError::RequestNotFound { id: 99 }
    );
}

#[test]
fn member_of_two_groups_counts_once() {
    let mut s = Suite::new();
    let dual = s.dual.clone();
    let id = s.request_ok(1);
    let res = s.approve(&dual, id).unwrap();
    match single_event(&res) {
        ReleaseGateEvent::Approved(e) => {
            assert_eq!(e.groups, vec![RISK.to_string(), SENIOR.to_string()]);
            assert_eq!(e.approvals, 1);
            assert!(!e.released, "one address is two eyes, not four");
        }
        other => panic!("unexpected {other:?}"),
    }
    let r = s.get(id);
    assert_eq!(r.status, Status::Pending);
    assert_eq!(r.approvals.len(), 1);
    assert_eq!(
        s.approve(&dual, id).unwrap_err(),
        ContractError::AlreadyVoted {
            id,
            address: dual.to_string()
        }
    );
    // Any second address completes it: both groups are already covered.
    let dev2 = s.dev2.clone();
    s.approve(&dev2, id).unwrap();
    assert!(s.is_released(1).released);
}

#[test]
fn a_member_outside_the_required_groups_cannot_approve() {
    // Before: `dual` covered both groups and anyone in any group made the
    // second address, so one person of the required groups released it.
    let mut s = Suite::new();
    let (dual, mallory) = (s.dual.clone(), s.mallory.clone());
    s.create_group("ops");
    s.add_member("ops", &mallory);
    let id = s.request_ok(1);
    s.approve(&dual, id).unwrap();
    assert_eq!(
        s.approve(&mallory, id).unwrap_err(),
        ContractError::NotARequiredApprover {
            id,
            groups: format!("{SENIOR}, {RISK}")
        }
    );
    assert!(!s.is_released(1).released);
    // A member outside the required groups may still object, without
    // deciding anything.
    s.reject(&mallory, id).unwrap();
    assert_eq!(s.get(id).status, Status::Pending);
}

#[test]
fn an_approval_stops_counting_when_its_approver_leaves_the_group() {
    let mut s = Suite::new();
    let (dev1, dev2, risk1) = (s.dev1.clone(), s.dev2.clone(), s.risk1.clone());
    let id = s.request_ok(1);
    s.approve(&dev1, id).unwrap();
    // dev1's key is compromised: the owner takes dev1 out of the group.
    s.owner_exec(&ExecuteMsg::RemoveMember {
        group: SENIOR.to_string(),
        address: dev1.to_string(),
    })
    .unwrap();
    let res = s.approve(&risk1, id).unwrap();
    match single_event(&res) {
        ReleaseGateEvent::Approved(e) => {
            assert_eq!(e.approvals, 2, "both approvals stay on record");
            assert!(!e.released, "senior_developers is covered only by a removed member");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(!s.is_released(1).released);
    s.approve(&dev2, id).unwrap();
    assert!(s.is_released(1).released);
}

#[test]
fn two_required_groups_need_two_people_even_with_a_dual_member() {
    // Three groups required, three approvals: dual covers two groups but
    // stands for one; the third group needs its own approver.
    let mut s = Suite::new();
    let (dual, dev1, dev2) = (s.dual.clone(), s.dev1.clone(), s.dev2.clone());
    s.create_group("legal");
    let counsel = s.app.api().addr_make("counsel");
    s.add_member("legal", &counsel);
    s.owner_exec(&common::model_policy(3, &[SENIOR, RISK, "legal"]))
        .unwrap();
    let id = s.request_ok(1);
    s.approve(&dual, id).unwrap();
    s.approve(&counsel, id).unwrap();
    s.approve(&dev1, id).unwrap();
    // dual stands for risk_managers, dev1 for senior_developers, counsel
    // for legal: released on the third approval.
    assert!(s.is_released(1).released);

    let id = s.request_ok(2);
    s.approve(&dual, id).unwrap();
    s.approve(&dev1, id).unwrap();
    s.approve(&dev2, id).unwrap();
    assert!(!s.is_released(2).released, "legal has not approved");
    assert_eq!(s.get(id).status, Status::Pending);
}

#[test]
fn revoked_release_is_not_released() {
    let mut s = Suite::new();
    let (dev1, risk1) = (s.dev1.clone(), s.risk1.clone());
    let id = s.request_ok(1);
    s.approve(&dev1, id).unwrap();
    s.approve(&risk1, id).unwrap();
    s.revoke(&risk1, id).unwrap();
    let gate = s.is_released(1);
    assert!(!gate.released);
    assert_eq!(gate.request.unwrap().status, Status::Revoked);
    // Still not released later, whatever happens to the clock.
    s.advance(100 * DAY);
    assert!(!s.is_released(1).released);
}

#[test]
fn revoke_by_a_non_revoker_is_refused() {
    let mut s = Suite::new();
    let (dev1, dev2, risk1, mallory, alice) = (
        s.dev1.clone(),
        s.dev2.clone(),
        s.risk1.clone(),
        s.mallory.clone(),
        s.alice.clone(),
    );
    let id = s.request_ok(1);
    s.approve(&dev1, id).unwrap();
    s.approve(&risk1, id).unwrap();
    // senior_developers are not revokers (the default is risk_managers).
    for who in [&dev2, &dev1, &mallory, &alice] {
        assert_eq!(s.revoke(who, id).unwrap_err(), ContractError::NotARevoker);
    }
    assert!(s.is_released(1).released);
}

#[test]
fn only_an_approved_release_can_be_revoked() {
    let mut s = Suite::new();
    let risk1 = s.risk1.clone();
    let id = s.request_ok(1);
    assert_eq!(
        s.revoke(&risk1, id).unwrap_err(),
        ContractError::NotApproved {
            id,
            status: Status::Pending
        }
    );
    s.advance(DAY);
    assert_eq!(
        s.revoke(&risk1, id).unwrap_err(),
        ContractError::NotApproved {
            id,
            status: Status::Expired
        }
    );
}

#[test]
fn duplicate_request_for_the_same_sha256_is_refused() {
    let mut s = Suite::new();
    let (alice, mallory, dev1, risk1) = (s.alice.clone(), s.mallory.clone(), s.dev1.clone(), s.risk1.clone());
    let id = s.request_ok(1);
    // Pending: refused, whoever asks and whatever the other fields say.
    assert_eq!(
        s.request(&mallory, 1).unwrap_err(),
        ContractError::DuplicateRequest {
            id,
            status: Status::Pending
        }
    );
    s.approve(&dev1, id).unwrap();
    s.approve(&risk1, id).unwrap();
    // Approved: refused too.
    assert_eq!(
        s.request(&alice, 1).unwrap_err(),
        ContractError::DuplicateRequest {
            id,
            status: Status::Approved
        }
    );
    // Another artifact is fine.
    s.request_ok(2);
}

#[test]
fn removed_member_cannot_revoke() {
    let mut s = Suite::new();
    let (dev1, risk1, risk2) = (s.dev1.clone(), s.risk1.clone(), s.risk2.clone());
    let id = s.request_ok(1);
    s.approve(&dev1, id).unwrap();
    s.approve(&risk1, id).unwrap();
    s.owner_exec(&ExecuteMsg::RemoveMember {
        group: RISK.to_string(),
        address: risk2.to_string(),
    })
    .unwrap();
    assert_eq!(s.revoke(&risk2, id).unwrap_err(), ContractError::NotARevoker);
}

#[test]
fn overlong_comment_is_refused() {
    let mut s = Suite::new();
    let dev1 = s.dev1.clone();
    let id = s.request_ok(1);
    let err = s
        .exec(
            &dev1,
            &ExecuteMsg::Approve {
                id,
                comment: Some("c".repeat(513)),
            },
        )
        .unwrap_err();
    assert_eq!(
        err,
        ContractError::TextTooLong {
            field: "comment".to_string(),
            length: 513,
            max: 512
        }
    );
    assert!(s.get(id).approvals.is_empty());
}

#[test]
fn funds_are_refused() {
    use cw_multi_test::Executor;
    let mut s = Suite::new();
    let owner = s.owner.clone();
    s.app
        .init_modules(|router, _, storage| {
            router
                .bank
                .init_balance(storage, &owner, cosmwasm_std::coins(100, "inj"))
        })
        .unwrap();
    let err = s
        .app
        .execute_contract(
            owner,
            s.gate.clone(),
            &ExecuteMsg::CreateGroup {
                name: "auditors".to_string(),
            },
            &cosmwasm_std::coins(1, "inj"),
        )
        .unwrap_err();
    assert!(matches!(
        err.downcast::<ContractError>().unwrap(),
        ContractError::Payment(_)
    ));
}

/// A request of `sha` as `artifact_type`.
fn typed_request(sha: u8, artifact_type: &str) -> ExecuteMsg {
    let mut msg = common::request_msg(sha);
    if let ExecuteMsg::Request { artifact_type: t, .. } = &mut msg {
        *t = artifact_type.to_string();
    }
    msg
}

fn released_as(s: &Suite, sha: u8, artifact_type: Option<&str>) -> IsReleasedResponse {
    s.query(&QueryMsg::IsReleased {
        sha256: common::hash(sha),
        artifact_type: artifact_type.map(str::to_string),
    })
}

/// A second policy anyone may request under, approved by the risk group
/// alone (two of its members).
fn with_open_dataset_policy(s: &mut Suite) {
    s.owner_exec(&ExecuteMsg::SetPolicy {
        artifact_type: "DATASET".into(),
        min_approvals: 2,
        required_groups: vec![RISK.into()],
        expiry_seconds: DAY,
        revoker_groups: None,
        requester_groups: None,
    })
    .unwrap();
}

#[test]
fn a_request_under_another_type_does_not_hold_the_artifact() {
    // Before: one live request per sha256 of any type. Mallory, outside
    // every group, asked for the model's sha256 as a DATASET (anyone may),
    // and the engineers' MODEL_DEPLOYMENT request was refused as a
    // duplicate until a risk manager rejected hers or it expired.
    let mut s = Suite::new();
    with_open_dataset_policy(&mut s);
    let (mallory, alice, dev1, risk1) = (s.mallory.clone(), s.alice.clone(), s.dev1.clone(), s.risk1.clone());
    s.exec(&mallory, &typed_request(1, "DATASET")).unwrap();
    s.exec(&alice, &typed_request(1, MODEL)).unwrap();
    // Still one live request per type.
    assert!(matches!(
        s.exec(&alice, &typed_request(1, MODEL)).unwrap_err(),
        ContractError::DuplicateRequest { .. }
    ));
    s.approve(&dev1, 2).unwrap();
    s.approve(&risk1, 2).unwrap();
    assert!(released_as(&s, 1, Some(MODEL)).released);
    assert!(!released_as(&s, 1, Some("DATASET")).released);
}

#[test]
fn a_release_under_a_weaker_policy_is_not_a_release_as_a_model() {
    // The model's sha256 released as a DATASET by two risk managers: the
    // gate asks with the type it deploys, and the model's own request
    // stays open to its policy (before: a duplicate of the approved one).
    let mut s = Suite::new();
    with_open_dataset_policy(&mut s);
    let (alice, risk1, risk2, dev1) = (s.alice.clone(), s.risk1.clone(), s.risk2.clone(), s.dev1.clone());
    s.exec(&alice, &typed_request(1, "DATASET")).unwrap();
    s.approve(&risk1, 1).unwrap();
    s.approve(&risk2, 1).unwrap();
    assert!(released_as(&s, 1, Some("DATASET")).released);
    let as_model = released_as(&s, 1, Some(MODEL));
    assert!(!as_model.released);
    assert!(as_model.request.is_none());
    // Without a type: released as something, and it says as what.
    let any = released_as(&s, 1, None);
    assert!(any.released);
    assert_eq!(any.request.unwrap().artifact_type, "DATASET");
    s.exec(&alice, &typed_request(1, MODEL)).unwrap();
    s.approve(&dev1, 2).unwrap();
    s.approve(&risk1, 2).unwrap();
    assert!(released_as(&s, 1, Some(MODEL)).released);
}

#[test]
fn a_person_in_three_required_groups_covers_one_of_them() {
    // Four groups, four approvals: three from senior_developers and one
    // from a member of the other three. Every group appears among the
    // approvers and the count is met, which released it before; but one
    // person stands for one group, so three groups have one approver for
    // all of them.
    let mut s = Suite::new();
    let (dev1, dev2, dual) = (s.dev1.clone(), s.dev2.clone(), s.dual.clone());
    let (dev3, chief) = (s.app.api().addr_make("dev3"), s.app.api().addr_make("chief"));
    for group in ["legal", "audit"] {
        s.create_group(group);
        s.add_member(group, &chief);
    }
    s.add_member(RISK, &chief);
    s.add_member(SENIOR, &dev3);
    s.owner_exec(&common::model_policy(4, &[SENIOR, RISK, "legal", "audit"]))
        .unwrap();
    let id = s.request_ok(1);
    for who in [&dev1, &dev2, &dev3, &chief] {
        s.approve(who, id).unwrap();
    }
    assert!(!s.is_released(1).released);
    assert_eq!(s.get(id).status, Status::Pending);
    // dual (senior and risk) lets chief stand for legal or audit, not both.
    s.approve(&dual, id).unwrap();
    assert!(!s.is_released(1).released);
}

#[test]
fn an_approver_who_joined_a_second_required_group_can_complete_the_policy() {
    // alice approved as a risk manager, then joined senior_developers; bob,
    // a risk manager, approves: alice stands for senior, bob for risk.
    let mut s = Suite::new();
    let (alice, bob) = (s.app.api().addr_make("alice2"), s.app.api().addr_make("bob2"));
    s.add_member(RISK, &alice);
    s.add_member(RISK, &bob);
    let id = s.request_ok(1);
    s.approve(&alice, id).unwrap();
    s.add_member(SENIOR, &alice);
    s.approve(&bob, id).unwrap();
    assert!(s.is_released(1).released);
}
