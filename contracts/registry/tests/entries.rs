//! Entries: written by officers, validated, expiring, sanctioned.

mod common;

use common::{commitment, set_entry_msg, single_event, Suite};
use cosmwasm_std::HexBinary;
use fog_events::registry::{EntryRemoved, EntrySet, RegistryEvent, SanctionedSet, ZERO_COMMITMENT_HEX};
use fog_events::Text;
use fog_registry::msg::{EntriesResponse, ExecuteMsg, QueryMsg, StatusResponse};
use fog_registry::{ContractError, Entry};

#[test]
fn officer_sets_an_entry_with_an_event() {
    let mut s = Suite::new();
    let (officer, alice) = (s.officer.clone(), s.alice.clone());
    let expires = s.now().plus_days(365);
    let res = s.exec(&officer, &set_entry_msg(&alice, 3, Some(expires))).unwrap();
    let now = s.now();
    let expected = Entry {
        kyc_tier: 3,
        jurisdiction: "DE".to_string(),
        sanctioned: false,
        expires_at: Some(expires),
        commitment: commitment(0xab),
        officer: officer.clone(),
        updated_at: now,
    };
    assert_eq!(s.entry(&alice), Some(expected));
    assert_eq!(
        single_event(&res),
        RegistryEvent::EntrySet(EntrySet {
            address: alice.to_string(),
            kyc_tier: 3,
            jurisdiction: "DE".to_string(),
            sanctioned: false,
            expires_at_ns: Some(expires.nanos()),
            commitment: "ab".repeat(32),
            officer: officer.to_string(),
            updated_at_ns: now.nanos(),
            created: true,
        })
    );
    assert_eq!(
        s.status(&alice),
        StatusResponse {
            kyc_tier: 3,
            sanctioned: false,
            expired: false
        }
    );

    // Replacing it says so.
    s.advance(10);
    let res = s.exec(&officer, &set_entry_msg(&alice, 1, None)).unwrap();
    match single_event(&res) {
        RegistryEvent::EntrySet(e) => {
            assert!(!e.created);
            assert_eq!(e.expires_at_ns, None);
            assert_eq!(e.kyc_tier, 1);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(s.entry(&alice).unwrap().updated_at, s.now());
}

#[test]
fn non_officer_cannot_write() {
    let mut s = Suite::new();
    let (owner, mallory, alice) = (s.owner.clone(), s.mallory.clone(), s.alice.clone());
    for sender in [&mallory, &owner] {
        assert_eq!(
            s.exec(sender, &set_entry_msg(&mallory, 3, None)).unwrap_err(),
            ContractError::NotOfficer
        );
        let err = s
            .exec(
                sender,
                &ExecuteMsg::SetSanctioned {
                    address: alice.to_string(),
                    sanctioned: true,
                    reason: None,
                },
            )
            .unwrap_err();
        assert_eq!(err, ContractError::NotOfficer);
        let err = s
            .exec(
                sender,
                &ExecuteMsg::RemoveEntry {
                    address: alice.to_string(),
                },
            )
            .unwrap_err();
        assert_eq!(err, ContractError::NotOfficer);
    }
    assert_eq!(s.entry(&mallory), None);
}

#[test]
fn tier_above_three_is_refused() {
    let mut s = Suite::new();
    let (officer, alice) = (s.officer.clone(), s.alice.clone());
    assert_eq!(
        s.exec(&officer, &set_entry_msg(&alice, 4, None)).unwrap_err(),
        ContractError::InvalidKycTier { tier: 4 }
    );
    assert_eq!(
        s.exec(&officer, &set_entry_msg(&alice, 255, None)).unwrap_err(),
        ContractError::InvalidKycTier { tier: 255 }
    );
    assert_eq!(s.entry(&alice), None);
}

#[test]
fn bad_jurisdiction_is_refused() {
    let mut s = Suite::new();
    let (officer, alice) = (s.officer.clone(), s.alice.clone());
    for bad in ["de", "DEU", "D", "", "D3", " DE"] {
        let msg = ExecuteMsg::SetEntry {
            address: alice.to_string(),
            kyc_tier: 1,
            jurisdiction: bad.to_string(),
            sanctioned: false,
            expires_at: None,
            commitment: commitment(1),
        };
        assert_eq!(
            s.exec(&officer, &msg).unwrap_err(),
            ContractError::InvalidJurisdiction {
                jurisdiction: bad.to_string()
            }
        );
    }
    assert_eq!(s.entry(&alice), None);
}

#[test]
fn commitment_of_wrong_length_is_refused() {
    let mut s = Suite::new();
    let (officer, alice) = (s.officer.clone(), s.alice.clone());
    for len in [0usize, 20, 31, 33, 64] {
        let msg = ExecuteMsg::SetEntry {
            address: alice.to_string(),
            kyc_tier: 1,
            jurisdiction: "FR".to_string(),
            sanctioned: false,
            expires_at: None,
            commitment: HexBinary::from(vec![9u8; len]),
        };
        assert_eq!(
            s.exec(&officer, &msg).unwrap_err(),
            ContractError::InvalidCommitment { length: len }
        );
    }
    assert_eq!(s.entry(&alice), None);
}

#[test]
fn expiry_in_the_past_is_refused() {
    let mut s = Suite::new();
    let (officer, alice) = (s.officer.clone(), s.alice.clone());
    let now = s.now();
    assert_eq!(
        s.exec(&officer, &set_entry_msg(&alice, 2, Some(now))).unwrap_err(),
        ContractError::ExpiryNotInFuture
    );
    assert_eq!(
        s.exec(&officer, &set_entry_msg(&alice, 2, Some(now.minus_seconds(1))))
            .unwrap_err(),
        ContractError::ExpiryNotInFuture
    );
}

#[test]
fn expiry_beyond_a_century_is_refused() {
    let mut s = Suite::new();
    let (officer, alice) = (s.officer.clone(), s.alice.clone());
    let now = s.now();
    let century = now.plus_days(fog_registry::rules::MAX_EXPIRY_DAYS);
    s.exec(&officer, &set_entry_msg(&alice, 2, Some(century))).unwrap();
    for too_far in [
        century.plus_nanos(1),
        cosmwasm_std::Timestamp::from_nanos(i64::MAX as u64 + 1),
        cosmwasm_std::Timestamp::from_nanos(u64::MAX),
    ] {
        assert_eq!(
            s.exec(&officer, &set_entry_msg(&alice, 2, Some(too_far))).unwrap_err(),
            ContractError::ExpiryTooFar { max_days: 36_525 }
        );
    }
}

#[test]
fn expired_entry_counts_as_tier_zero() {
    let mut s = Suite::new();
    let (officer, alice) = (s.officer.clone(), s.alice.clone());
    let expires = s.now().plus_seconds(100);
    s.exec(&officer, &set_entry_msg(&alice, 3, Some(expires))).unwrap();
    s.advance(99);
    assert_eq!(s.status(&alice).kyc_tier, 3);
    s.advance(1);
    assert_eq!(
        s.status(&alice),
        StatusResponse {
            kyc_tier: 0,
            sanctioned: false,
            expired: true
        }
    );
    // The stored tier is kept for the record.
    assert_eq!(s.entry(&alice).unwrap().kyc_tier, 3);
}

#[test]
fn sanctions_survive_expiry() {
    let mut s = Suite::new();
    let (officer, alice) = (s.officer.clone(), s.alice.clone());
    let msg = ExecuteMsg::SetEntry {
        address: alice.to_string(),
        kyc_tier: 2,
        jurisdiction: "US".to_string(),
        sanctioned: true,
        expires_at: Some(s.now().plus_seconds(10)),
        commitment: commitment(2),
    };
    s.exec(&officer, &msg).unwrap();
    s.advance(1_000);
    assert_eq!(
        s.status(&alice),
        StatusResponse {
            kyc_tier: 0,
            sanctioned: true,
            expired: true
        }
    );
}

#[test]
fn unknown_address_has_tier_zero_and_no_sanction() {
    let s = Suite::new();
    assert_eq!(
        s.status(&s.alice),
        StatusResponse {
            kyc_tier: 0,
            sanctioned: false,
            expired: false
        }
    );
    assert_eq!(s.entry(&s.alice), None);
}

#[test]
fn set_sanctioned_keeps_the_kyc_fields() {
    let mut s = Suite::new();
    let (officer, alice) = (s.officer.clone(), s.alice.clone());
    let expires = s.now().plus_days(30);
    s.exec(&officer, &set_entry_msg(&alice, 2, Some(expires))).unwrap();
    let before = s.entry(&alice).unwrap();

    // A second officer flags it; the entry then names them.
    let owner = s.owner.clone();
    let other = s.app.api().addr_make("officer2");
    s.exec(
        &owner,
        &ExecuteMsg::AddOfficer {
            address: other.to_string(),
        },
    )
    .unwrap();
    s.advance(5);
    let res = s
        .exec(
            &other,
            &ExecuteMsg::SetSanctioned {
                address: alice.to_string(),
                sanctioned: true,
                reason: Some("  listed 2025-01-02 \n".to_string()),
            },
        )
        .unwrap();
    let now = s.now();
    assert_eq!(
        single_event(&res),
        RegistryEvent::SanctionedSet(SanctionedSet {
            address: alice.to_string(),
            sanctioned: true,
            reason: Text("listed 2025-01-02".to_string()),
            officer: other.to_string(),
            updated_at_ns: now.nanos(),
            created: false,
        })
    );
    assert_eq!(
        s.entry(&alice).unwrap(),
        Entry {
            sanctioned: true,
            officer: other.clone(),
            updated_at: now,
            ..before.clone()
        }
    );

    // Lifting it keeps them too.
    let res = s
        .exec(
            &officer,
            &ExecuteMsg::SetSanctioned {
                address: alice.to_string(),
                sanctioned: false,
                reason: None,
            },
        )
        .unwrap();
    match single_event(&res) {
        RegistryEvent::SanctionedSet(e) => {
            assert!(!e.sanctioned);
            assert_eq!(e.reason, Text::default());
        }
        other => panic!("unexpected {other:?}"),
    }
    let after = s.entry(&alice).unwrap();
    assert!(!after.sanctioned);
    assert_eq!(after.kyc_tier, 2);
    assert_eq!(after.expires_at, Some(expires));
}

#[test]
fn set_sanctioned_creates_a_tier_zero_entry_for_an_unknown_address() {
    let mut s = Suite::new();
    let (officer, mallory) = (s.officer.clone(), s.mallory.clone());
    let res = s
        .exec(
            &officer,
            &ExecuteMsg::SetSanctioned {
                address: mallory.to_string(),
                sanctioned: true,
                reason: Some("OFAC SDN".to_string()),
            },
        )
        .unwrap();
    let entry = s.entry(&mallory).unwrap();
    assert_eq!(
        entry,
        Entry {
            kyc_tier: 0,
            jurisdiction: "ZZ".to_string(),
            sanctioned: true,
            expires_at: None,
            commitment: HexBinary::from(vec![0u8; 32]),
            officer: officer.clone(),
            updated_at: s.now(),
        }
    );
    assert_eq!(entry.commitment.to_hex(), ZERO_COMMITMENT_HEX);
    match single_event(&res) {
        RegistryEvent::SanctionedSet(e) => assert!(e.created),
        other => panic!("unexpected {other:?}"),
    }
    assert!(s.status(&mallory).sanctioned);
}

#[test]
fn lifting_the_sanction_of_an_unknown_address_is_refused() {
    let mut s = Suite::new();
    let (officer, bob) = (s.officer.clone(), s.bob.clone());
    let err = s
        .exec(
            &officer,
            &ExecuteMsg::SetSanctioned {
                address: bob.to_string(),
                sanctioned: false,
                reason: None,
            },
        )
        .unwrap_err();
    assert_eq!(
        err,
        ContractError::EntryNotFound {
            address: bob.to_string()
        }
    );
}

#[test]
fn overlong_reason_is_refused() {
    let mut s = Suite::new();
    let (officer, bob) = (s.officer.clone(), s.bob.clone());
    let err = s
        .exec(
            &officer,
            &ExecuteMsg::SetSanctioned {
                address: bob.to_string(),
                sanctioned: true,
                reason: Some("x".repeat(513)),
            },
        )
        .unwrap_err();
    assert_eq!(err, ContractError::ReasonTooLong { length: 513, max: 512 });
    assert_eq!(s.entry(&bob), None);
}

#[test]
fn remove_entry() {
    let mut s = Suite::new();
    let (officer, alice) = (s.officer.clone(), s.alice.clone());
    s.exec(&officer, &set_entry_msg(&alice, 2, None)).unwrap();
    let res = s
        .exec(
            &officer,
            &ExecuteMsg::RemoveEntry {
                address: alice.to_string(),
            },
        )
        .unwrap();
    assert_eq!(
        single_event(&res),
        RegistryEvent::EntryRemoved(EntryRemoved {
            address: alice.to_string(),
            officer: officer.to_string(),
        })
    );
    assert_eq!(s.entry(&alice), None);
    let err = s
        .exec(
            &officer,
            &ExecuteMsg::RemoveEntry {
                address: alice.to_string(),
            },
        )
        .unwrap_err();
    assert_eq!(
        err,
        ContractError::EntryNotFound {
            address: alice.to_string()
        }
    );
}

#[test]
fn removing_a_sanctioned_entry_is_refused() {
    let mut s = Suite::new();
    let (officer, mallory) = (s.officer.clone(), s.mallory.clone());
    let sanction = |on: bool| ExecuteMsg::SetSanctioned {
        address: mallory.to_string(),
        sanctioned: on,
        reason: None,
    };
    s.exec(&officer, &sanction(true)).unwrap();
    let remove = ExecuteMsg::RemoveEntry {
        address: mallory.to_string(),
    };
    assert_eq!(
        s.exec(&officer, &remove).unwrap_err(),
        ContractError::EntrySanctioned {
            address: mallory.to_string()
        }
    );
    assert!(s.status(&mallory).sanctioned);
    // Lifted explicitly first, it can go.
    s.exec(&officer, &sanction(false)).unwrap();
    s.exec(&officer, &remove).unwrap();
    assert_eq!(s.entry(&mallory), None);
}

#[test]
fn replacing_an_entry_cannot_change_its_sanctions_flag() {
    let mut s = Suite::new();
    let (officer, alice, mallory) = (s.officer.clone(), s.alice.clone(), s.mallory.clone());
    s.exec(
        &officer,
        &ExecuteMsg::SetSanctioned {
            address: mallory.to_string(),
            sanctioned: true,
            reason: Some("OFAC SDN 2026-12-01".to_string()),
        },
    )
    .unwrap();
    // A routine KYC renewal that leaves the flag out (false) is refused,
    // and the sanction stands.
    assert_eq!(
        s.exec(&officer, &set_entry_msg(&mallory, 1, None)).unwrap_err(),
        ContractError::SanctionNotChangedBySetEntry {
            address: mallory.to_string(),
            sanctioned: true
        }
    );
    assert!(s.status(&mallory).sanctioned);
    // Repeating the flag renews the KYC fields and keeps it.
    let renew = |address: &cosmwasm_std::Addr, sanctioned: bool| ExecuteMsg::SetEntry {
        address: address.to_string(),
        kyc_tier: 1,
        jurisdiction: "DE".to_string(),
        sanctioned,
        expires_at: None,
        commitment: commitment(7),
    };
    s.exec(&officer, &renew(&mallory, true)).unwrap();
    let entry = s.entry(&mallory).unwrap();
    assert_eq!((entry.kyc_tier, entry.sanctioned), (1, true));
    // Nor can a replacement flag an entry without a reason.
    s.exec(&officer, &set_entry_msg(&alice, 2, None)).unwrap();
    assert_eq!(
        s.exec(&officer, &renew(&alice, true)).unwrap_err(),
        ContractError::SanctionNotChangedBySetEntry {
            address: alice.to_string(),
            sanctioned: false
        }
    );
    assert!(!s.status(&alice).sanctioned);
    // A new entry may start sanctioned (sanctions_survive_expiry).
}

#[test]
fn entries_are_listed_a_page_at_a_time() {
    let mut s = Suite::new();
    let officer = s.officer.clone();
    let mut addrs = Vec::new();
    for i in 0..12 {
        let a = s.app.api().addr_make(&format!("user{i}"));
        s.exec(&officer, &set_entry_msg(&a, (i % 4) as u8, None)).unwrap();
        addrs.push(a);
    }
    addrs.sort();
    let first: EntriesResponse = s.query(&QueryMsg::Entries {
        start_after: None,
        limit: None,
    });
    assert_eq!(first.entries.len(), 10);
    let rest: EntriesResponse = s.query(&QueryMsg::Entries {
        start_after: Some(first.entries[9].address.to_string()),
        limit: Some(500),
    });
    let listed: Vec<_> = first
        .entries
        .iter()
        .chain(&rest.entries)
        .map(|e| e.address.clone())
        .collect();
    assert_eq!(listed, addrs);
    for e in first.entries.iter().chain(&rest.entries) {
        assert_eq!(Some(e.entry.clone()), s.entry(&e.address));
    }
    // A page of 0 is a page of 1, as in veFOG, governance and the release
    // gate: an empty page would read as the end.
    let one: EntriesResponse = s.query(&QueryMsg::Entries {
        start_after: None,
        limit: Some(0),
    });
    assert_eq!(one.entries.len(), 1);
}

#[test]
fn funds_are_refused() {
    use cw_multi_test::Executor;
    let mut s = Suite::new();
    let (officer, alice) = (s.officer.clone(), s.alice.clone());
    s.app
        .init_modules(|router, _, storage| {
            router
                .bank
                .init_balance(storage, &officer, cosmwasm_std::coins(100, "inj"))
        })
        .unwrap();
    let err = s
        .app
        .execute_contract(
            officer,
            s.registry.clone(),
            &set_entry_msg(&alice, 1, None),
            &cosmwasm_std::coins(1, "inj"),
        )
        .unwrap_err();
    assert!(matches!(
        err.downcast::<ContractError>().unwrap(),
        ContractError::Payment(_)
    ));
    assert_eq!(s.entry(&alice), None);
}
