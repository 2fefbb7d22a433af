//! Officers: appointed and removed by the owner only; only officers write.

mod common;

use common::{set_entry_msg, single_event, Suite};
use fog_events::registry::{OfficerAdded, OfficerRemoved, RegistryEvent};
use fog_registry::msg::{ExecuteMsg, IsOfficerResponse, OfficersResponse, QueryMsg};
use fog_registry::ContractError;

fn is_officer(suite: &Suite, address: &cosmwasm_std::Addr) -> bool {
    let res: IsOfficerResponse = suite.query(&QueryMsg::IsOfficer {
        address: address.to_string(),
    });
    res.is_officer
}

#[test]
fn owner_adds_an_officer_with_an_event() {
    let mut s = Suite::new();
    let (owner, alice) = (s.owner.clone(), s.alice.clone());
    assert!(!is_officer(&s, &alice));
    let res = s
        .exec(
            &owner,
            &ExecuteMsg::AddOfficer {
                address: alice.to_string(),
            },
        )
        .unwrap();
    assert_eq!(
        single_event(&res),
        RegistryEvent::OfficerAdded(OfficerAdded {
            officer: alice.to_string(),
            owner: owner.to_string(),
        })
    );
    assert!(is_officer(&s, &alice));
}

#[test]
fn adding_an_officer_twice_is_refused() {
    let mut s = Suite::new();
    let (owner, officer) = (s.owner.clone(), s.officer.clone());
    let err = s
        .exec(
            &owner,
            &ExecuteMsg::AddOfficer {
                address: officer.to_string(),
            },
        )
        .unwrap_err();
    assert_eq!(
        err,
        ContractError::AlreadyOfficer {
            address: officer.to_string()
        }
    );
}

#[test]
fn only_the_owner_appoints_or_removes() {
    let mut s = Suite::new();
    let (officer, mallory) = (s.officer.clone(), s.mallory.clone());
    let add = ExecuteMsg::AddOfficer {
        address: mallory.to_string(),
    };
    assert_eq!(s.exec(&mallory, &add).unwrap_err(), ContractError::NotOwner);
    // Not even an officer may appoint another.
    assert_eq!(s.exec(&officer, &add).unwrap_err(), ContractError::NotOwner);
    let remove = ExecuteMsg::RemoveOfficer {
        address: officer.to_string(),
    };
    assert_eq!(s.exec(&mallory, &remove).unwrap_err(), ContractError::NotOwner);
    assert!(is_officer(&s, &officer));
}

#[test]
fn removed_officer_can_no_longer_act() {
    let mut s = Suite::new();
    let (owner, officer, alice) = (s.owner.clone(), s.officer.clone(), s.alice.clone());
    s.exec(&officer, &set_entry_msg(&alice, 2, None)).unwrap();

    let res = s
        .exec(
            &owner,
            &ExecuteMsg::RemoveOfficer {
                address: officer.to_string(),
            },
        )
        .unwrap();
    assert_eq!(
        single_event(&res),
        RegistryEvent::OfficerRemoved(OfficerRemoved {
            officer: officer.to_string(),
            owner: owner.to_string(),
        })
    );
    assert!(!is_officer(&s, &officer));

    let bob = s.bob.clone();
    let refused = [
        set_entry_msg(&bob, 1, None),
        ExecuteMsg::SetSanctioned {
            address: alice.to_string(),
            sanctioned: true,
            reason: None,
        },
        ExecuteMsg::RemoveEntry {
            address: alice.to_string(),
        },
    ];
    for msg in &refused {
        assert_eq!(s.exec(&officer, msg).unwrap_err(), ContractError::NotOfficer, "{msg:?}");
    }
    // The entry it wrote stays, naming it.
    assert_eq!(s.entry(&alice).unwrap().officer, officer);
    assert_eq!(s.entry(&bob), None);
}

#[test]
fn removing_a_non_officer_is_refused() {
    let mut s = Suite::new();
    let (owner, alice) = (s.owner.clone(), s.alice.clone());
    let err = s
        .exec(
            &owner,
            &ExecuteMsg::RemoveOfficer {
                address: alice.to_string(),
            },
        )
        .unwrap_err();
    assert_eq!(
        err,
        ContractError::OfficerNotFound {
            address: alice.to_string()
        }
    );
}

#[test]
fn invalid_officer_address_is_refused() {
    let mut s = Suite::new();
    let owner = s.owner.clone();
    let err = s
        .exec_any(
            &owner,
            &ExecuteMsg::AddOfficer {
                address: "not an address".to_string(),
            },
        )
        .unwrap_err();
    assert!(matches!(
        err.downcast::<ContractError>().unwrap(),
        ContractError::Std(_)
    ));
}

#[test]
fn officers_are_listed_a_page_at_a_time() {
    let mut s = Suite::new();
    let owner = s.owner.clone();
    let mut expected = vec![s.officer.clone()];
    for i in 0..11 {
        let a = s.app.api().addr_make(&format!("officer{i}"));
        s.exec(&owner, &ExecuteMsg::AddOfficer { address: a.to_string() })
            .unwrap();
        expected.push(a);
    }
    expected.sort();

    let first: OfficersResponse = s.query(&QueryMsg::Officers {
        start_after: None,
        limit: None,
    });
    assert_eq!(first.officers, expected[..10]);
    let rest: OfficersResponse = s.query(&QueryMsg::Officers {
        start_after: Some(first.officers[9].to_string()),
        limit: Some(1000),
    });
    assert_eq!(rest.officers, expected[10..]);
    let two: OfficersResponse = s.query(&QueryMsg::Officers {
        start_after: None,
        limit: Some(2),
    });
    assert_eq!(two.officers, expected[..2]);
}

#[test]
fn an_officer_cannot_change_their_own_entry_nor_act_while_sanctioned() {
    let mut s = Suite::new();
    let (owner, officer, bob, alice) = (s.owner.clone(), s.officer.clone(), s.bob.clone(), s.alice.clone());
    s.exec(
        &owner,
        &ExecuteMsg::AddOfficer {
            address: bob.to_string(),
        },
    )
    .unwrap();
    s.exec(&officer, &set_entry_msg(&alice, 1, None)).unwrap();
    // bob sanctions the first officer, who cannot lift it, raise their
    // own tier or delete their entry.
    s.exec(
        &bob,
        &ExecuteMsg::SetSanctioned {
            address: officer.to_string(),
            sanctioned: true,
            reason: Some("listed".into()),
        },
    )
    .unwrap();
    let lift = ExecuteMsg::SetSanctioned {
        address: officer.to_string(),
        sanctioned: false,
        reason: None,
    };
    assert_eq!(s.exec(&officer, &lift).unwrap_err(), ContractError::OwnEntry);
    assert_eq!(
        s.exec(&officer, &set_entry_msg(&officer, 3, None)).unwrap_err(),
        ContractError::OwnEntry
    );
    assert_eq!(
        s.exec(
            &officer,
            &ExecuteMsg::RemoveEntry {
                address: officer.to_string()
            }
        )
        .unwrap_err(),
        ContractError::OwnEntry
    );
    // Nor, while sanctioned, anyone else's.
    assert_eq!(
        s.exec(&officer, &set_entry_msg(&alice, 2, None)).unwrap_err(),
        ContractError::OfficerSanctioned
    );
    assert_eq!(s.entry(&alice).unwrap().kyc_tier, 1);
    assert!(s.status(&officer).sanctioned);
    // Another officer lifts it; then the first acts again.
    s.exec(&bob, &lift).unwrap();
    s.exec(&officer, &set_entry_msg(&alice, 2, None)).unwrap();
    assert_eq!(s.entry(&alice).unwrap().kyc_tier, 2);
}
