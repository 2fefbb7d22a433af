//! Voting power over time and at past heights.

use fog_testing::{fog, SuiteBuilder, WEEK};
use fog_ve::curve::MAX_LOCK;
use fog_ve::msg::ExecuteMsg;

#[test]
fn power_decays_linearly_to_zero_at_the_end() {
    let mut s = SuiteBuilder::new().build();
    let alice = s.user(0);
    s.lock(&alice, fog(1_000), 100 * WEEK).unwrap();
    let end = s.lock_info(&alice).end;
    let mut last = s.power(&alice).own.u128();
    while s.now() < end {
        s.advance_seconds(7 * WEEK);
        let p = s.power(&alice).own.u128();
        assert!(p < last || p == 0, "power must fall: {last} -> {p}");
        let remaining = u128::from(end.saturating_sub(s.now()));
        let expected = fog(1_000).u128() * remaining / u128::from(MAX_LOCK);
        assert!(expected.abs_diff(p) <= 1, "{expected} vs {p}");
        last = p;
    }
    assert_eq!(s.power(&alice).own.u128(), 0);
    assert_eq!(s.total_power().u128(), 0);
}

#[test]
fn a_tiny_lock_still_has_power() {
    let mut s = SuiteBuilder::new().build();
    let alice = s.user(0);
    // One FOG for one week: Curve's integer slope would be zero below
    // MAX_LOCK base units (126 FOG).
    s.lock(&alice, fog(1), 2 * WEEK).unwrap();
    assert!(s.power(&alice).own.u128() > 0);
    assert!(s.total_power().u128() > 0);
}

#[test]
fn past_heights_read_the_state_of_their_block() {
    let mut s = SuiteBuilder::new().build();
    let (alice, bob) = (s.user(0), s.user(1));
    s.advance(1);
    let (h0, t0) = (s.height(), s.now());
    s.lock(&alice, fog(1_000), 104 * WEEK).unwrap();
    s.advance(10);
    let (h1, t1) = (s.height(), s.now());
    s.lock(&bob, fog(500), 52 * WEEK).unwrap();
    s.advance(10);
    let p_alice_h1 = s.power(&alice).own; // evaluated now
    s.increase(&alice, fog(1_000)).unwrap();
    s.advance(100);

    // State after block h0 includes alice's lock (made in h0).
    assert!(s.power_at(&alice, h0, t0).own.u128() > 0);
    // Before h0: nothing.
    assert_eq!(s.power_at(&alice, h0 - 1, t0).own.u128(), 0);
    assert_eq!(s.total_power_at(h0 - 1, t0).u128(), 0);
    // At h1 - 1 bob has nothing, at h1 he has his lock.
    assert_eq!(s.power_at(&bob, h1 - 1, t1).own.u128(), 0);
    assert!(s.power_at(&bob, h1, t1).own.u128() > 0);
    // Totals at a past height equal the sum of the addresses then.
    for (h, t) in [(h0, t0), (h1, t1), (h1 + 5, t1 + 25)] {
        let sum = s.power_at(&alice, h, t).own.u128() + s.power_at(&bob, h, t).own.u128();
        let total = s.total_power_at(h, t).u128();
        assert!(total >= sum && total - sum <= 1, "h={h}: {sum} vs {total}");
    }
    // The state just before the increase's block is unchanged by it.
    let before_increase = s.power_at(&alice, h1 + 9, t1 + 50).own;
    assert_eq!(before_increase, p_alice_h1);
}

#[test]
fn a_time_before_the_state_is_refused() {
    let mut s = SuiteBuilder::new().build();
    let alice = s.user(0);
    s.lock(&alice, fog(10), 10 * WEEK).unwrap();
    let (h, t) = (s.height(), s.now());
    let err = s
        .try_query::<_, fog_ve::msg::VotingPowerResponse>(
            &s.ve,
            &fog_ve::msg::QueryMsg::VotingPower {
                address: alice.to_string(),
                at: Some(fog_ve::msg::AtBlock { height: h, time: t - 1 }),
            },
        )
        .unwrap_err();
    assert!(err.contains("before the last change"), "{err}");
}

/// The reviewer's case: the state after alice's lock, read at a time after
/// bob's later lock rescheduled the same week's slope change. Walking the
/// slope changes as they are now would subtract bob's slope from a total
/// that never had it ("slope change larger than the slope") before stop 20;
/// now the read is refused by name, and a consistent one still answers.
#[test]
fn a_time_after_a_later_change_is_refused() {
    let mut s = SuiteBuilder::new().build();
    let (alice, bob) = (s.user(0), s.user(1));
    s.lock(&alice, fog(1_000), 10 * WEEK).unwrap();
    let (h0, t0) = (s.height(), s.now());
    s.advance(1);
    s.lock(&bob, fog(1_000), 10 * WEEK).unwrap();
    let (h1, t1) = (s.height(), s.now());
    let late = t0 + 11 * WEEK;
    let total = s.try_query::<_, fog_ve::msg::TotalPowerResponse>(
        &s.ve,
        &fog_ve::msg::QueryMsg::TotalPower {
            at: Some(fog_ve::msg::AtBlock { height: h0, time: late }),
        },
    );
    let err = total.unwrap_err();
    assert!(err.contains(&format!("after the change at height {h1}")), "{err}");
    // Up to the next change's time the state of h0 holds, and equals the sum.
    let at_next = s.total_power_at(h0, t1).u128();
    let alice_then = s.power_at(&alice, h0, t1).own.u128();
    assert!(
        alice_then > 0 && at_next.abs_diff(alice_then) <= 1,
        "{at_next} vs {alice_then}"
    );
    // The same for an address whose point changed later.
    s.advance(1);
    s.increase(&alice, fog(1_000)).unwrap();
    let err = s
        .try_query::<_, fog_ve::msg::VotingPowerResponse>(
            &s.ve,
            &fog_ve::msg::QueryMsg::VotingPower {
                address: alice.to_string(),
                at: Some(fog_ve::msg::AtBlock { height: h0, time: late }),
            },
        )
        .unwrap_err();
    assert!(err.contains("after the change at height"), "{err}");
    // Read at its own height, the later total answers.
    assert_eq!(s.total_power_at(s.height(), late).u128(), 0, "every lock ended");
}

#[test]
fn totals_stay_right_after_years_without_a_checkpoint() {
    let mut s = SuiteBuilder::new().build();
    let users: Vec<_> = (0..4).map(|i| s.user(i)).collect();
    for (i, u) in users.iter().enumerate() {
        s.lock(u, fog(1_000 * (i as u128 + 1)), (30 + 50 * i as u64) * WEEK)
            .unwrap();
    }
    // Checkpoints along the way would hide a bug; none happen for 6 years.
    let (h, t) = (s.height(), s.now());
    for years in 1..=6u64 {
        let t_q = t + years * 52 * WEEK / 6;
        let sum: u128 = users.iter().map(|u| s.power_at(u, h, t_q).own.u128()).sum();
        let total = s.total_power_at(h, t_q).u128();
        assert!(total >= sum && total - sum < 4, "t+{years}/6y: {sum} vs {total}");
    }
    s.advance_seconds(6 * 52 * WEEK);
    assert_eq!(s.total_power().u128(), 0);
    // The first action after the idle period walks a bounded number of weeks.
    let ve = s.ve.clone();
    let res = s.execute(&users[0], &ve, &ExecuteMsg::Checkpoint {}).unwrap();
    assert!(res.events.iter().any(|e| e.ty == "wasm-fog.ve.checkpointed"));
    // And a new lock after it counts alone.
    s.ve_exec(&users[0], ExecuteMsg::Withdraw {}).unwrap();
    s.lock(&users[0], fog(10), 10 * WEEK).unwrap();
    assert_eq!(s.total_power(), s.power(&users[0]).own);
}

#[test]
fn events_carry_the_lock() {
    let mut s = SuiteBuilder::new().build();
    let alice = s.user(0);
    let res = s.lock(&alice, fog(42), 10 * WEEK).unwrap();
    let event = res
        .events
        .iter()
        .find(|e| e.ty == "wasm-fog.ve.lock_created")
        .expect("lock_created event");
    let attrs: Vec<(&str, &str)> = event
        .attributes
        .iter()
        .map(|a| (a.key.as_str(), a.value.as_str()))
        .collect();
    let decoded = fog_events::AnyEvent::decode(&event.ty, &attrs).unwrap().unwrap();
    match decoded {
        fog_events::AnyEvent::Ve(fog_events::ve::VeEvent::LockCreated(e)) => {
            assert_eq!(e.owner, alice.to_string());
            assert_eq!(e.amount, fog(42).u128());
            assert_eq!(e.end, s.lock_info(&alice).end);
        }
        other => panic!("unexpected {other:?}"),
    }
}
