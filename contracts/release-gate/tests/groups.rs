//! Approval groups and their members: managed by the owner only.

mod common;

use common::{single_event, Suite, RISK, SENIOR};
use fog_events::release_gate::{GroupCreated, GroupRemoved, MemberAdded, MemberRemoved, ReleaseGateEvent};
use fog_release_gate::msg::{ExecuteMsg, GroupResponse, GroupsResponse, QueryMsg};
use fog_release_gate::validate::{MAX_GROUPS, MAX_MEMBERS_PER_GROUP};
use fog_release_gate::ContractError;

fn group(s: &Suite, name: &str) -> GroupResponse {
    s.query(&QueryMsg::Group { name: name.to_string() })
}

#[test]
fn owner_creates_fills_empties_and_removes_a_group() {
    let mut s = Suite::empty();
    let (owner, dev1) = (s.owner.clone(), s.dev1.clone());
    let res = s
        .owner_exec(&ExecuteMsg::CreateGroup {
            name: SENIOR.to_string(),
        })
        .unwrap();
    assert_eq!(
        single_event(&res),
        ReleaseGateEvent::GroupCreated(GroupCreated {
            group: SENIOR.to_string(),
            owner: owner.to_string(),
        })
    );
    let res = s
        .owner_exec(&ExecuteMsg::AddMember {
            group: SENIOR.to_string(),
            address: dev1.to_string(),
        })
        .unwrap();
    assert_eq!(
        single_event(&res),
        ReleaseGateEvent::MemberAdded(MemberAdded {
            group: SENIOR.to_string(),
            member: dev1.to_string(),
            owner: owner.to_string(),
        })
    );
    assert_eq!(group(&s, SENIOR).members, vec![dev1.clone()]);

    let res = s
        .owner_exec(&ExecuteMsg::RemoveMember {
            group: SENIOR.to_string(),
            address: dev1.to_string(),
        })
        .unwrap();
    assert_eq!(
        single_event(&res),
        ReleaseGateEvent::MemberRemoved(MemberRemoved {
            group: SENIOR.to_string(),
            member: dev1.to_string(),
            owner: owner.to_string(),
        })
    );
    assert!(group(&s, SENIOR).members.is_empty());

    let res = s
        .owner_exec(&ExecuteMsg::RemoveGroup {
            name: SENIOR.to_string(),
        })
        .unwrap();
    assert_eq!(
        single_event(&res),
        ReleaseGateEvent::GroupRemoved(GroupRemoved {
            group: SENIOR.to_string(),
            owner: owner.to_string(),
        })
    );
    let err = s
        .app
        .wrap()
        .query_wasm_smart::<GroupResponse>(
            &s.gate,
            &QueryMsg::Group {
                name: SENIOR.to_string(),
            },
        )
        .unwrap_err();
    assert!(err.to_string().contains("not found"), "{err}");
}

#[test]
fn only_the_owner_manages_groups() {
    let mut s = Suite::new();
    let (dev1, mallory) = (s.dev1.clone(), s.mallory.clone());
    let msgs = [
        ExecuteMsg::CreateGroup {
            name: "ops".to_string(),
        },
        ExecuteMsg::RemoveGroup { name: RISK.to_string() },
        ExecuteMsg::AddMember {
            group: RISK.to_string(),
            address: mallory.to_string(),
        },
        ExecuteMsg::RemoveMember {
            group: SENIOR.to_string(),
            address: dev1.to_string(),
        },
    ];
    for sender in [&mallory, &dev1] {
        for msg in &msgs {
            assert_eq!(s.exec(sender, msg).unwrap_err(), ContractError::NotOwner, "{msg:?}");
        }
    }
}

#[test]
fn group_names_are_validated() {
    let mut s = Suite::empty();
    for bad in ["", "Risk", "risk-managers", "risk managers", &"a".repeat(65)] {
        let err = s
            .owner_exec(&ExecuteMsg::CreateGroup { name: bad.to_string() })
            .unwrap_err();
        assert_eq!(err, ContractError::InvalidGroupName { name: bad.to_string() });
    }
    s.create_group(&"a".repeat(64));
    s.create_group("team_2");
}

#[test]
fn duplicates_and_missing_are_refused() {
    let mut s = Suite::new();
    let (dev1, mallory) = (s.dev1.clone(), s.mallory.clone());
    assert_eq!(
        s.owner_exec(&ExecuteMsg::CreateGroup { name: RISK.to_string() })
            .unwrap_err(),
        ContractError::GroupExists { name: RISK.to_string() }
    );
    assert_eq!(
        s.owner_exec(&ExecuteMsg::AddMember {
            group: SENIOR.to_string(),
            address: dev1.to_string(),
        })
        .unwrap_err(),
        ContractError::AlreadyMember {
            group: SENIOR.to_string(),
            address: dev1.to_string()
        }
    );
    assert_eq!(
        s.owner_exec(&ExecuteMsg::RemoveMember {
            group: SENIOR.to_string(),
            address: mallory.to_string(),
        })
        .unwrap_err(),
        ContractError::NotMember {
            group: SENIOR.to_string(),
            address: mallory.to_string()
        }
    );
    assert_eq!(
        s.owner_exec(&ExecuteMsg::AddMember {
            group: "ghosts".to_string(),
            address: mallory.to_string(),
        })
        .unwrap_err(),
        ContractError::GroupNotFound {
            name: "ghosts".to_string()
        }
    );
    assert_eq!(
        s.owner_exec(&ExecuteMsg::RemoveGroup {
            name: "ghosts".to_string()
        })
        .unwrap_err(),
        ContractError::GroupNotFound {
            name: "ghosts".to_string()
        }
    );
    let owner = s.owner.clone();
    let err = s
        .exec_any(
            &owner,
            &ExecuteMsg::AddMember {
                group: SENIOR.to_string(),
                address: "not-an-address".to_string(),
            },
        )
        .unwrap_err();
    assert!(matches!(
        err.downcast::<ContractError>().unwrap(),
        ContractError::Std(_)
    ));
}

#[test]
fn a_group_with_members_or_in_a_policy_cannot_be_removed() {
    let mut s = Suite::new();
    assert_eq!(
        s.owner_exec(&ExecuteMsg::RemoveGroup { name: RISK.to_string() })
            .unwrap_err(),
        ContractError::GroupNotEmpty {
            name: RISK.to_string(),
            members: 3
        }
    );
    for m in [s.risk1.clone(), s.risk2.clone(), s.dual.clone()] {
        s.owner_exec(&ExecuteMsg::RemoveMember {
            group: RISK.to_string(),
            address: m.to_string(),
        })
        .unwrap();
    }
    assert_eq!(
        s.owner_exec(&ExecuteMsg::RemoveGroup { name: RISK.to_string() })
            .unwrap_err(),
        ContractError::GroupInUse {
            name: RISK.to_string(),
            policies: 1
        }
    );
}

#[test]
fn groups_and_members_are_bounded() {
    let mut s = Suite::empty();
    for i in 0..MAX_GROUPS {
        s.create_group(&format!("g{i}"));
    }
    assert_eq!(
        s.owner_exec(&ExecuteMsg::CreateGroup {
            name: "one_more".to_string()
        })
        .unwrap_err(),
        ContractError::TooManyGroups { max: MAX_GROUPS }
    );
    // Removing one makes room again.
    s.owner_exec(&ExecuteMsg::RemoveGroup { name: "g0".to_string() })
        .unwrap();
    s.create_group("one_more");

    for i in 0..MAX_MEMBERS_PER_GROUP {
        let m = s.app.api().addr_make(&format!("m{i}"));
        s.add_member("g1", &m);
    }
    let extra = s.app.api().addr_make("extra");
    assert_eq!(
        s.owner_exec(&ExecuteMsg::AddMember {
            group: "g1".to_string(),
            address: extra.to_string(),
        })
        .unwrap_err(),
        ContractError::GroupFull {
            group: "g1".to_string(),
            max: MAX_MEMBERS_PER_GROUP
        }
    );
    assert_eq!(group(&s, "g1").members.len(), MAX_MEMBERS_PER_GROUP as usize);
}

#[test]
fn groups_are_listed_a_page_at_a_time() {
    let mut s = Suite::new();
    for i in 0..10 {
        s.create_group(&format!("team_{i:02}"));
    }
    let first: GroupsResponse = s.query(&QueryMsg::Groups {
        start_after: None,
        limit: None,
    });
    assert_eq!(first.groups.len(), 10);
    assert_eq!(first.groups[0].name, RISK);
    assert_eq!(first.groups[0].member_count, 3);
    assert_eq!(first.groups[0].policy_refs, 1);
    let rest: GroupsResponse = s.query(&QueryMsg::Groups {
        start_after: Some(first.groups[9].name.clone()),
        limit: Some(1000),
    });
    let names: Vec<_> = first
        .groups
        .iter()
        .chain(&rest.groups)
        .map(|g| g.name.clone())
        .collect();
    let mut expected = vec![RISK.to_string(), SENIOR.to_string()];
    expected.extend((0..10).map(|i| format!("team_{i:02}")));
    expected.sort();
    assert_eq!(names, expected);
}
