//! Delegation to registered delegates.

use fog_testing::{fog, SuiteBuilder, WEEK};
use fog_ve::msg::{DelegateResponse, ExecuteMsg, QueryMsg};

fn register(s: &mut fog_testing::Suite, who: &cosmwasm_std::Addr) {
    s.ve_exec(
        who,
        ExecuteMsg::RegisterDelegate {
            profile: Some("https://forum/d".into()),
        },
    )
    .unwrap();
}

fn delegate(s: &mut fog_testing::Suite, from: &cosmwasm_std::Addr, to: &cosmwasm_std::Addr) -> fog_testing::Res {
    s.ve_exec(
        from,
        ExecuteMsg::Delegate {
            delegate: to.to_string(),
        },
    )
}

#[test]
fn delegated_power_moves_and_decays_with_the_lock() {
    let mut s = SuiteBuilder::new().build();
    let (alice, dan) = (s.user(0), s.user(3));
    s.lock(&alice, fog(1_000), 50 * WEEK).unwrap();
    s.lock(&dan, fog(100), 100 * WEEK).unwrap();
    register(&mut s, &dan);
    delegate(&mut s, &alice, &dan).unwrap();
    let a = s.power(&alice);
    assert_eq!(a.delegate, Some(dan.clone()));
    assert!(a.voting.is_zero(), "alice carries nothing once delegated");
    let d = s.power(&dan);
    assert_eq!(d.received, a.own);
    assert_eq!(d.voting, d.own + a.own);
    // Totals are unchanged by delegation.
    let total = s.total_power().u128();
    assert!(total.abs_diff(a.own.u128() + d.own.u128()) <= 1);
    // Received power decays with alice's lock and ends with it.
    s.advance_seconds(20 * WEEK);
    assert_eq!(s.power(&dan).received, s.power(&alice).own);
    s.advance_seconds(31 * WEEK);
    assert!(s.power(&dan).received.is_zero());
    // Alice's later lock changes reach the delegate.
    s.ve_exec(&alice, ExecuteMsg::Withdraw {}).unwrap();
    s.lock(&alice, fog(200), 10 * WEEK).unwrap();
    assert_eq!(s.power(&dan).received, s.power(&alice).own);
    s.increase(&alice, fog(300)).unwrap();
    assert_eq!(s.power(&dan).received, s.power(&alice).own);
    s.ve_exec(&alice, ExecuteMsg::ExtendLock { duration: 60 * WEEK })
        .unwrap();
    assert_eq!(s.power(&dan).received, s.power(&alice).own);
    let info: DelegateResponse = s.query(
        &s.ve,
        &QueryMsg::Delegate {
            address: dan.to_string(),
        },
    );
    assert_eq!(info.delegators, 1);
}

#[test]
fn undelegate_and_switch() {
    let mut s = SuiteBuilder::new().build();
    let (alice, carol, dan) = (s.user(0), s.user(2), s.user(3));
    s.lock(&alice, fog(1_000), 50 * WEEK).unwrap();
    register(&mut s, &carol);
    register(&mut s, &dan);
    delegate(&mut s, &alice, &dan).unwrap();
    let (h_dan, t_dan) = (s.height(), s.now());
    s.advance(3);
    delegate(&mut s, &alice, &carol).unwrap();
    assert!(s.power(&dan).received.is_zero());
    assert_eq!(s.power(&carol).received, s.power(&alice).own);
    // The past is unchanged: at h_dan dan held alice's power.
    assert_eq!(
        s.power_at(&dan, h_dan, t_dan).received,
        s.power_at(&alice, h_dan, t_dan).own
    );
    s.ve_exec(&alice, ExecuteMsg::Undelegate {}).unwrap();
    assert!(s.power(&carol).received.is_zero());
    assert_eq!(s.power(&alice).voting, s.power(&alice).own);
    let err = s.ve_exec(&alice, ExecuteMsg::Undelegate {}).unwrap_err();
    assert!(err.contains("does not delegate"), "{err}");
}

#[test]
fn delegation_cannot_chain_or_loop() {
    let mut s = SuiteBuilder::new().build();
    let (alice, bob, carol) = (s.user(0), s.user(1), s.user(2));
    let err = delegate(&mut s, &alice, &alice).unwrap_err();
    assert!(err.contains("itself"), "{err}");
    let err = delegate(&mut s, &alice, &bob).unwrap_err();
    assert!(err.contains("not a registered delegate"), "{err}");
    register(&mut s, &bob);
    register(&mut s, &carol);
    // A delegate cannot delegate: no chains, hence no cycles.
    let err = delegate(&mut s, &bob, &carol).unwrap_err();
    assert!(err.contains("cannot delegate"), "{err}");
    s.lock(&alice, fog(100), 10 * WEEK).unwrap();
    delegate(&mut s, &alice, &bob).unwrap();
    let err = delegate(&mut s, &alice, &bob).unwrap_err();
    assert!(err.contains("already delegates"), "{err}");
    // A delegator cannot become a delegate while delegating.
    let err = s
        .ve_exec(&alice, ExecuteMsg::RegisterDelegate { profile: None })
        .unwrap_err();
    assert!(err.contains("undelegate before registering"), "{err}");
    // A delegate that receives power cannot leave its delegators stranded.
    let err = s.ve_exec(&bob, ExecuteMsg::UnregisterDelegate {}).unwrap_err();
    assert!(err.contains("still receives"), "{err}");
    s.ve_exec(&alice, ExecuteMsg::Undelegate {}).unwrap();
    s.ve_exec(&bob, ExecuteMsg::UnregisterDelegate {}).unwrap();
}

#[test]
fn delegating_without_a_lock_takes_effect_when_locking() {
    let mut s = SuiteBuilder::new().build();
    let (alice, dan) = (s.user(0), s.user(3));
    register(&mut s, &dan);
    delegate(&mut s, &alice, &dan).unwrap();
    assert!(s.power(&dan).received.is_zero());
    s.lock(&alice, fog(500), 20 * WEEK).unwrap();
    assert_eq!(s.power(&dan).received, s.power(&alice).own);
    assert!(!s.power(&dan).received.is_zero());
}

#[test]
fn a_page_of_locks_reads_a_bounded_number_of_accounts_and_says_where_to_go_on() {
    use fog_ve::msg::LocksResponse;
    let mut s = SuiteBuilder::new().build();
    let (alice, bob, dan) = (s.user(0), s.user(1), s.user(3));
    register(&mut s, &dan);
    s.lock(&alice, fog(500), 20 * WEEK).unwrap();
    s.lock(&bob, fog(300), 30 * WEEK).unwrap();
    // Accounts without a lock cost nothing to make: 1,500 delegations.
    for i in 0..1_500 {
        let stranger = s.addr(&format!("stranger{i}"));
        delegate(&mut s, &stranger, &dan).unwrap();
    }
    let mut found = Vec::new();
    let mut start_after = None;
    let mut pages = 0;
    loop {
        let page: LocksResponse = s.query(
            &s.ve,
            &QueryMsg::Locks {
                start_after: start_after.clone(),
                limit: Some(100),
            },
        );
        pages += 1;
        found.extend(page.locks.iter().map(|l| l.address.clone()));
        match page.next_start_after {
            Some(next) => start_after = Some(next),
            None => break,
        }
    }
    found.sort();
    let mut locked = vec![alice, bob];
    locked.sort();
    assert_eq!(found, locked, "every lock, once");
    assert!(pages >= 2, "1,503 accounts take two pages of at most 1,000 reads");
}

#[test]
fn a_delegate_squatted_by_lockless_delegations_can_still_leave() {
    let mut s = SuiteBuilder::new().build();
    let (alice, bob, carol, dan) = (s.user(0), s.user(1), s.user(2), s.user(3));
    register(&mut s, &dan);
    // A delegation without a lock, which anyone can make to anyone.
    delegate(&mut s, &bob, &dan).unwrap();
    // One with a lock: while dan receives power, it cannot leave.
    s.lock(&alice, fog(100), 2 * WEEK).unwrap();
    delegate(&mut s, &alice, &dan).unwrap();
    let err = s.ve_exec(&dan, ExecuteMsg::UnregisterDelegate {}).unwrap_err();
    assert!(err.contains("still receives"), "{err}");
    // Once alice's lock has ended dan receives nothing and may leave; its
    // two delegators are still counted, on a retired record.
    s.advance_seconds(3 * WEEK);
    s.ve_exec(&dan, ExecuteMsg::UnregisterDelegate {}).unwrap();
    let info: DelegateResponse = s.query(
        &s.ve,
        &QueryMsg::Delegate {
            address: dan.to_string(),
        },
    );
    assert_eq!((info.delegators, info.retired_height.is_some()), (2, true));
    let err = s.ve_exec(&dan, ExecuteMsg::UnregisterDelegate {}).unwrap_err();
    assert!(err.contains("not a registered delegate"), "{err}");
    // Nobody new may delegate to it, and dan may now delegate its own power.
    let err = delegate(&mut s, &carol, &dan).unwrap_err();
    assert!(err.contains("not a registered delegate"), "{err}");
    register(&mut s, &carol);
    s.lock(&dan, fog(50), 10 * WEEK).unwrap();
    delegate(&mut s, &dan, &carol).unwrap();
    assert_eq!(s.power(&carol).received, s.power(&dan).own);
    // bob's delegation lapses when he locks: his power is his own.
    let res = s.lock(&bob, fog(70), 10 * WEEK).unwrap();
    assert!(
        res.events.iter().any(|e| e.ty == "wasm-fog.ve.undelegated"),
        "the lapse is an event"
    );
    let b = s.power(&bob);
    assert_eq!((b.delegate.clone(), b.voting), (None, b.own));
    assert!(!b.own.is_zero());
    assert!(s.power(&dan).received.is_zero());
    // The total is still the sum of what everyone votes with.
    let voting: u128 = [&alice, &bob, &carol, &dan]
        .iter()
        .map(|a| s.power(a).voting.u128())
        .sum();
    assert!(s.total_power().u128().abs_diff(voting) <= 4);
    // The last delegator gone, the retired record goes with it.
    s.ve_exec(&alice, ExecuteMsg::Withdraw {}).unwrap();
    s.ve_exec(&alice, ExecuteMsg::Undelegate {}).unwrap();
    let all: fog_ve::msg::DelegatesResponse = s.query(
        &s.ve,
        &QueryMsg::Delegates {
            start_after: None,
            limit: None,
        },
    );
    let listed: Vec<String> = all.delegates.iter().map(|d| d.address.to_string()).collect();
    assert_eq!(listed, [carol.to_string()]);
}

#[test]
fn a_retired_delegate_registering_again_keeps_its_dormant_delegators() {
    let mut s = SuiteBuilder::new().build();
    let (bob, dan) = (s.user(1), s.user(3));
    register(&mut s, &dan);
    delegate(&mut s, &bob, &dan).unwrap();
    s.ve_exec(&dan, ExecuteMsg::UnregisterDelegate {}).unwrap();
    register(&mut s, &dan);
    // bob's delegation had not lapsed: it counts again, and his lock flows.
    s.lock(&bob, fog(70), 10 * WEEK).unwrap();
    assert_eq!(s.power(&bob).delegate, Some(dan.clone()));
    assert_eq!(s.power(&dan).received, s.power(&bob).own);
    let info: DelegateResponse = s.query(
        &s.ve,
        &QueryMsg::Delegate {
            address: dan.to_string(),
        },
    );
    assert_eq!((info.delegators, info.retired_height), (1, None));
}

#[test]
fn a_delegate_held_by_a_dust_lock_drops_it_and_leaves() {
    let mut s = SuiteBuilder::new().build();
    let (alice, bob, carol, dan) = (s.user(0), s.user(1), s.user(2), s.user(3));
    register(&mut s, &dan);
    register(&mut s, &carol);
    // A four-year lock of ten micro-FOG would hold dan for four years.
    s.lock(&bob, 10u128.into(), 208 * WEEK).unwrap();
    delegate(&mut s, &bob, &dan).unwrap();
    s.lock(&alice, fog(100), 10 * WEEK).unwrap();
    delegate(&mut s, &alice, &dan).unwrap();
    let (h_before, t_before) = (s.height(), s.now());
    s.advance(1);
    let err = s.ve_exec(&dan, ExecuteMsg::UnregisterDelegate {}).unwrap_err();
    assert!(err.contains("still receives"), "{err}");

    // Only the delegate named in the delegation may drop it.
    let drop = |who: &cosmwasm_std::Addr| ExecuteMsg::DropDelegator {
        delegator: who.to_string(),
    };
    let err = s.ve_exec(&carol, drop(&bob)).unwrap_err();
    assert!(err.contains("does not delegate to"), "{err}");
    let err = s.ve_exec(&dan, drop(&carol)).unwrap_err();
    assert!(err.contains("does not delegate to"), "{err}");
    let err = s
        .ve_exec(
            &dan,
            ExecuteMsg::DropDelegator {
                delegator: "not an address".into(),
            },
        )
        .unwrap_err();
    assert!(err.contains("bech32"), "{err}");

    let res = s.ve_exec(&dan, drop(&bob)).unwrap();
    let ev = res
        .events
        .iter()
        .find(|e| e.ty == "wasm-fog.ve.delegator_dropped")
        .expect("the drop is an event");
    let attr = |k: &str| ev.attributes.iter().find(|a| a.key == k).map(|a| a.value.clone());
    assert_eq!(attr("delegate"), Some(dan.to_string()));
    assert_eq!(attr("delegator"), Some(bob.to_string()));
    let b = s.power(&bob);
    assert_eq!((b.delegate.clone(), b.voting), (None, b.own));
    assert!(!b.own.is_zero(), "a micro-FOG lock still has power");
    assert_eq!(s.power(&dan).received, s.power(&alice).own);
    let err = s.ve_exec(&dan, drop(&bob)).unwrap_err();
    assert!(err.contains("does not delegate to"), "{err}");

    s.ve_exec(&dan, drop(&alice)).unwrap();
    assert!(s.power(&dan).received.is_zero());
    s.ve_exec(&dan, ExecuteMsg::UnregisterDelegate {}).unwrap();
    // Nobody delegates any more, so no retired record is kept.
    let all: fog_ve::msg::DelegatesResponse = s.query(
        &s.ve,
        &QueryMsg::Delegates {
            start_after: None,
            limit: None,
        },
    );
    let listed: Vec<String> = all.delegates.iter().map(|d| d.address.to_string()).collect();
    assert_eq!(listed, [carol.to_string()]);
    // The past is unchanged: proposals that started before keep dan's power.
    // (Within a unit: each power is its scaled bias rounded down.)
    let was = |a| s.power_at(a, h_before, t_before);
    let received = was(&dan).received.u128();
    let delegated = was(&alice).own.u128() + was(&bob).own.u128();
    assert!(received.abs_diff(delegated) <= 1, "{received} vs {delegated}");
    assert!(received > was(&alice).own.u128());
    // Both may delegate elsewhere; the total is what everyone votes with.
    delegate(&mut s, &bob, &carol).unwrap();
    let voting: u128 = [&alice, &bob, &carol, &dan]
        .iter()
        .map(|a| s.power(a).voting.u128())
        .sum();
    assert!(s.total_power().u128().abs_diff(voting) <= 4);
}

#[test]
fn a_retired_delegate_may_drop_its_dormant_delegators() {
    let mut s = SuiteBuilder::new().build();
    let (bob, dan) = (s.user(1), s.user(3));
    register(&mut s, &dan);
    delegate(&mut s, &bob, &dan).unwrap();
    s.ve_exec(&dan, ExecuteMsg::UnregisterDelegate {}).unwrap();
    s.ve_exec(
        &dan,
        ExecuteMsg::DropDelegator {
            delegator: bob.to_string(),
        },
    )
    .unwrap();
    assert_eq!(s.power(&bob).delegate, None);
    // Its last delegator dropped, the retired record is gone.
    let gone = s.try_query::<_, DelegateResponse>(
        &s.ve,
        &QueryMsg::Delegate {
            address: dan.to_string(),
        },
    );
    assert!(gone.is_err(), "{gone:?}");
}

/// A sanctioned address may not register as a delegate, delegate its lock,
/// or receive a new delegation (before stop 20 only locking was refused).
#[test]
fn sanctioned_addresses_neither_delegate_nor_gather_power() {
    let mut s = SuiteBuilder::new().build();
    let (alice, bob, carol, dan) = (s.user(0), s.user(1), s.user(2), s.user(3));
    for u in [&alice, &bob] {
        s.lock(u, fog(1_000), 50 * WEEK).unwrap();
    }
    register(&mut s, &carol);
    s.set_kyc(&dan, 1, true).unwrap();
    let err = s
        .ve_exec(&dan, ExecuteMsg::RegisterDelegate { profile: None })
        .unwrap_err();
    assert!(err.contains("sanctioned"), "{err}");
    // Flagged after locking: the lock stays, but it is not delegated.
    s.set_sanctioned(&alice, true).unwrap();
    let err = delegate(&mut s, &alice, &carol).unwrap_err();
    assert!(err.contains("sanctioned"), "{err}");
    // A delegate flagged after registering receives no new delegation.
    s.set_sanctioned(&carol, true).unwrap();
    let err = delegate(&mut s, &bob, &carol).unwrap_err();
    assert!(err.contains("sanctioned"), "{err}");
    s.set_sanctioned(&carol, false).unwrap();
    delegate(&mut s, &bob, &carol).unwrap();
}

/// A profile is free text like every other the contracts keep: no control
/// character (before stop 22 a NUL was kept, which the indexer stores as
/// U+FFFD, so the two disagreed).
#[test]
fn a_profile_with_a_control_character_is_refused() {
    let mut s = SuiteBuilder::new().build();
    let alice = s.user(0);
    for (profile, code) in [("https://forum/\u{0}", "U+0000"), ("\u{1b}[2Jhi", "U+001B")] {
        let err = s
            .ve_exec(
                &alice,
                ExecuteMsg::RegisterDelegate {
                    profile: Some(profile.into()),
                },
            )
            .unwrap_err();
        assert!(err.contains(code), "{err}");
    }
    s.ve_exec(
        &alice,
        ExecuteMsg::RegisterDelegate {
            profile: Some("line one\nline two".into()),
        },
    )
    .unwrap();
}

/// Delegates page by at most 20 (each one's received power may walk up to
/// 209 weekly boundaries, so 100 could pass a node's query gas limit), and
/// the pages cover every delegate once.
#[test]
fn delegates_page_by_twenty() {
    let mut s = SuiteBuilder::new().build();
    let mut registered: Vec<String> = (0..25)
        .map(|i| {
            let d = s.addr(&format!("delegate{i}"));
            s.ve_exec(&d, ExecuteMsg::RegisterDelegate { profile: None }).unwrap();
            d.to_string()
        })
        .collect();
    registered.sort();
    let page = |s: &fog_testing::Suite, start_after: Option<String>| -> Vec<String> {
        let r: fog_ve::msg::DelegatesResponse = s.query(
            &s.ve,
            &QueryMsg::Delegates {
                start_after,
                limit: Some(100),
            },
        );
        r.delegates.iter().map(|d| d.address.to_string()).collect()
    };
    let first = page(&s, None);
    assert_eq!(first.len(), 20);
    let second = page(&s, first.last().cloned());
    assert_eq!(second.len(), 5);
    assert!(page(&s, second.last().cloned()).is_empty());
    assert_eq!([first, second].concat(), registered);
}
