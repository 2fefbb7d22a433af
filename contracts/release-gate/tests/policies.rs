//! Policies per artifact type: four eyes at least, existing groups only.

mod common;

use common::{hash, model_policy, single_event, Suite, DAY, MODEL, RISK, SENIOR};
use fog_events::release_gate::{PolicySet, ReleaseGateEvent};
use fog_release_gate::msg::{ExecuteMsg, GroupResponse, PoliciesResponse, PolicyResponse, QueryMsg};
use fog_release_gate::validate::DEFAULT_REVOKER_GROUP;
use fog_release_gate::ContractError;

fn policy_refs(s: &Suite, name: &str) -> u32 {
    let g: GroupResponse = s.query(&QueryMsg::Group { name: name.to_string() });
    g.policy_refs
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn set_policy_with_default_revokers() {
    let mut s = Suite::empty();
    s.create_group(SENIOR);
    s.create_group(RISK);
    let res = s.owner_exec(&model_policy(2, &[SENIOR, RISK])).unwrap();
    assert_eq!(
        single_event(&res),
        ReleaseGateEvent::PolicySet(PolicySet {
            artifact_type: MODEL.to_string(),
            min_approvals: 2,
            required_groups: strings(&[SENIOR, RISK]),
            expiry_seconds: DAY,
            revoker_groups: strings(&[DEFAULT_REVOKER_GROUP]),
            requester_groups: None,
            owner: s.owner.to_string(),
        })
    );
    let p: PolicyResponse = s.query(&QueryMsg::Policy {
        artifact_type: MODEL.to_string(),
    });
    assert_eq!(
        p,
        PolicyResponse {
            artifact_type: MODEL.to_string(),
            min_approvals: 2,
            required_groups: strings(&[SENIOR, RISK]),
            expiry_seconds: DAY,
            revoker_groups: strings(&[RISK]),
            requester_groups: vec![],
        }
    );
    // risk_managers is named twice (required and revoker) but counted once.
    assert_eq!(policy_refs(&s, RISK), 1);
    assert_eq!(policy_refs(&s, SENIOR), 1);
}

#[test]
fn min_approvals_below_two_is_refused() {
    let mut s = Suite::new();
    for min in [0, 1] {
        assert_eq!(
            s.owner_exec(&model_policy(min, &[SENIOR])).unwrap_err(),
            ContractError::MinApprovalsTooLow { min_approvals: min }
        );
    }
    assert_eq!(
        s.owner_exec(&model_policy(33, &[SENIOR])).unwrap_err(),
        ContractError::MinApprovalsTooHigh {
            min_approvals: 33,
            max: 32
        }
    );
}

#[test]
fn policy_naming_a_missing_group_is_refused() {
    let mut s = Suite::new();
    assert_eq!(
        s.owner_exec(&model_policy(2, &[SENIOR, "auditors"])).unwrap_err(),
        ContractError::GroupNotFound {
            name: "auditors".to_string()
        }
    );
    let msg = ExecuteMsg::SetPolicy {
        artifact_type: "DATASET".to_string(),
        min_approvals: 2,
        required_groups: strings(&[SENIOR]),
        expiry_seconds: DAY,
        revoker_groups: Some(strings(&["auditors"])),
        requester_groups: None,
    };
    assert_eq!(
        s.owner_exec(&msg).unwrap_err(),
        ContractError::GroupNotFound {
            name: "auditors".to_string()
        }
    );
    // Nothing changed: the old policy and the counts stand.
    assert_eq!(policy_refs(&s, SENIOR), 1);
}

#[test]
fn default_revoker_group_must_exist() {
    let mut s = Suite::empty();
    s.create_group(SENIOR);
    assert_eq!(
        s.owner_exec(&model_policy(2, &[SENIOR])).unwrap_err(),
        ContractError::DefaultRevokerGroupMissing {
            group: DEFAULT_REVOKER_GROUP.to_string()
        }
    );
    let msg = ExecuteMsg::SetPolicy {
        artifact_type: MODEL.to_string(),
        min_approvals: 2,
        required_groups: strings(&[SENIOR]),
        expiry_seconds: DAY,
        revoker_groups: Some(strings(&[SENIOR])),
        requester_groups: None,
    };
    s.owner_exec(&msg).unwrap();
}

#[test]
fn malformed_policies_are_refused() {
    let mut s = Suite::new();
    let base = |f: &dyn Fn(&mut ExecuteMsg)| {
        let mut m = model_policy(2, &[SENIOR, RISK]);
        f(&mut m);
        m
    };
    let cases: Vec<(ExecuteMsg, ContractError)> = vec![
        (
            base(&|m| {
                if let ExecuteMsg::SetPolicy { artifact_type, .. } = m {
                    *artifact_type = "model".to_string();
                }
            }),
            ContractError::InvalidArtifactType {
                artifact_type: "model".to_string(),
            },
        ),
        (
            base(&|m| {
                if let ExecuteMsg::SetPolicy { required_groups, .. } = m {
                    required_groups.clear();
                }
            }),
            ContractError::NoRequiredGroups,
        ),
        (
            base(&|m| {
                if let ExecuteMsg::SetPolicy { revoker_groups, .. } = m {
                    *revoker_groups = Some(vec![]);
                }
            }),
            ContractError::NoRevokerGroups,
        ),
        (
            base(&|m| {
                if let ExecuteMsg::SetPolicy { required_groups, .. } = m {
                    required_groups.push(SENIOR.to_string());
                }
            }),
            ContractError::DuplicateGroup {
                name: SENIOR.to_string(),
            },
        ),
        (
            base(&|m| {
                if let ExecuteMsg::SetPolicy { expiry_seconds, .. } = m {
                    *expiry_seconds = 0;
                }
            }),
            ContractError::InvalidExpiry {
                expiry_seconds: 0,
                max: 365 * DAY,
            },
        ),
    ];
    for (msg, err) in cases {
        assert_eq!(s.owner_exec(&msg).unwrap_err(), err);
    }
    let mallory = s.mallory.clone();
    assert_eq!(
        s.exec(&mallory, &model_policy(2, &[SENIOR])).unwrap_err(),
        ContractError::NotOwner
    );
}

#[test]
fn replacing_a_policy_moves_group_references() {
    let mut s = Suite::new();
    s.create_group("auditors");
    let msg = ExecuteMsg::SetPolicy {
        artifact_type: MODEL.to_string(),
        min_approvals: 3,
        required_groups: strings(&["auditors"]),
        expiry_seconds: DAY,
        revoker_groups: Some(strings(&["auditors"])),
        requester_groups: None,
    };
    s.owner_exec(&msg).unwrap();
    assert_eq!(policy_refs(&s, SENIOR), 0);
    assert_eq!(policy_refs(&s, RISK), 0);
    assert_eq!(policy_refs(&s, "auditors"), 1);
    // senior_developers is free to go once empty.
    for m in [s.dev1.clone(), s.dev2.clone(), s.dual.clone()] {
        s.owner_exec(&ExecuteMsg::RemoveMember {
            group: SENIOR.to_string(),
            address: m.to_string(),
        })
        .unwrap();
    }
    s.owner_exec(&ExecuteMsg::RemoveGroup {
        name: SENIOR.to_string(),
    })
    .unwrap();
}

#[test]
fn a_request_keeps_the_policy_it_was_made_under() {
    let mut s = Suite::new();
    let id = s.request_ok(1);
    s.owner_exec(&model_policy(3, &[SENIOR, RISK])).unwrap();
    let (dev1, risk1) = (s.dev1.clone(), s.risk1.clone());
    s.approve(&dev1, id).unwrap();
    s.approve(&risk1, id).unwrap();
    assert!(
        s.is_released(1).released,
        "two approvals were the rule when it was made"
    );
    // A new request follows the new policy.
    let id2 = s.request_ok(2);
    assert_eq!(s.get(id2).min_approvals, 3);
}

#[test]
fn requests_need_a_policy() {
    let mut s = Suite::new();
    let alice = s.alice.clone();
    let msg = ExecuteMsg::Request {
        artifact_type: "DATASET".to_string(),
        artifact_id: "loans".to_string(),
        artifact_version: "2024-12".to_string(),
        sha256: hash(1),
        lineage_hash: hash(2),
        dataset_hashes: vec![],
        risk_notes: None,
    };
    assert_eq!(
        s.exec(&alice, &msg).unwrap_err(),
        ContractError::PolicyNotFound {
            artifact_type: "DATASET".to_string()
        }
    );
}

#[test]
fn policies_are_listed() {
    let mut s = Suite::new();
    let msg = ExecuteMsg::SetPolicy {
        artifact_type: "DATASET".to_string(),
        min_approvals: 2,
        required_groups: strings(&[SENIOR]),
        expiry_seconds: 2 * DAY,
        revoker_groups: Some(strings(&[RISK, SENIOR])),
        requester_groups: None,
    };
    s.owner_exec(&msg).unwrap();
    let all: PoliciesResponse = s.query(&QueryMsg::Policies {
        start_after: None,
        limit: None,
    });
    let types: Vec<_> = all.policies.iter().map(|p| p.artifact_type.as_str()).collect();
    assert_eq!(types, ["DATASET", MODEL]);
    let rest: PoliciesResponse = s.query(&QueryMsg::Policies {
        start_after: Some("DATASET".to_string()),
        limit: Some(1),
    });
    assert_eq!(rest.policies.len(), 1);
    assert_eq!(rest.policies[0].artifact_type, MODEL);
}

#[test]
fn only_requester_group_members_may_request_when_the_policy_names_them() {
    let mut s = Suite::new();
    s.create_group("ml_engineers");
    let (alice, mallory) = (s.alice.clone(), s.mallory.clone());
    s.add_member("ml_engineers", &alice);
    let mut policy = model_policy(2, &[SENIOR, RISK]);
    if let ExecuteMsg::SetPolicy { requester_groups, .. } = &mut policy {
        *requester_groups = Some(strings(&["ml_engineers"]));
    }
    let res = s.owner_exec(&policy).unwrap();
    match single_event(&res) {
        ReleaseGateEvent::PolicySet(p) => assert_eq!(p.requester_groups, Some(strings(&["ml_engineers"]))),
        other => panic!("{other:?}"),
    }
    let p: PolicyResponse = s.query(&QueryMsg::Policy {
        artifact_type: MODEL.to_string(),
    });
    assert_eq!(p.requester_groups, strings(&["ml_engineers"]));
    assert_eq!(policy_refs(&s, "ml_engineers"), 1);

    // An outsider can no longer hold the artifact's sha256 with a request.
    assert_eq!(
        s.request(&mallory, 1).unwrap_err(),
        ContractError::NotARequester {
            artifact_type: MODEL.to_string(),
            groups: "ml_engineers".to_string(),
        }
    );
    s.request(&alice, 1).unwrap();

    // A group named as requesters is in use and cannot be removed.
    s.owner_exec(&ExecuteMsg::RemoveMember {
        group: "ml_engineers".to_string(),
        address: alice.to_string(),
    })
    .unwrap();
    assert!(matches!(
        s.owner_exec(&ExecuteMsg::RemoveGroup {
            name: "ml_engineers".to_string(),
        })
        .unwrap_err(),
        ContractError::GroupInUse { .. }
    ));
    // Removed from the group, alice may not request either.
    assert!(matches!(
        s.request(&alice, 2).unwrap_err(),
        ContractError::NotARequester { .. }
    ));

    // A policy without requester groups opens requests to anyone again.
    s.owner_exec(&model_policy(2, &[SENIOR, RISK])).unwrap();
    assert_eq!(policy_refs(&s, "ml_engineers"), 0);
    s.request(&mallory, 2).unwrap();
}

#[test]
fn requester_groups_must_exist() {
    let mut s = Suite::new();
    let mut policy = model_policy(2, &[SENIOR, RISK]);
    if let ExecuteMsg::SetPolicy { requester_groups, .. } = &mut policy {
        *requester_groups = Some(strings(&["ml_engineers"]));
    }
    assert_eq!(
        s.owner_exec(&policy).unwrap_err(),
        ContractError::GroupNotFound {
            name: "ml_engineers".to_string()
        }
    );
}
