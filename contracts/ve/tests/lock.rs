//! Locking, increasing, extending and withdrawing.

use fog_testing::{fog, SuiteBuilder, WEEK};
use fog_ve::curve::MAX_LOCK;
use fog_ve::msg::ExecuteMsg;

#[test]
fn lock_sets_amount_end_and_power() {
    let mut s = SuiteBuilder::new().build();
    let alice = s.user(0);
    s.lock(&alice, fog(1_000), 52 * WEEK).unwrap();
    let lock = s.lock_info(&alice);
    assert_eq!(lock.amount, fog(1_000));
    assert_eq!(lock.end % WEEK, 0, "ends on a week boundary");
    assert!(lock.end > s.now() && lock.end <= s.now() + 52 * WEEK);
    // power = amount * remaining / MAX_LOCK, to the unit.
    let remaining = u128::from(lock.end - s.now());
    let expected = fog(1_000).u128() * remaining / u128::from(MAX_LOCK);
    let power = s.power(&alice).voting.u128();
    assert!(expected - power <= 1, "{expected} vs {power}");
    assert_eq!(s.total_power().u128(), power);
    assert_eq!(s.fog_balance(&s.ve.clone()), fog(1_000));
}

#[test]
fn duration_is_bounded_and_rounded_to_weeks() {
    let mut s = SuiteBuilder::new().build();
    let alice = s.user(0);
    let err = s.lock(&alice, fog(1), WEEK - 1).unwrap_err();
    assert!(err.contains("at least one week"), "{err}");
    let err = s.lock(&alice, fog(1), MAX_LOCK + WEEK).unwrap_err();
    assert!(err.contains("at most 208 weeks"), "{err}");
    s.lock(&alice, fog(1), MAX_LOCK + WEEK - 1).unwrap();
    assert!(s.lock_info(&alice).end <= s.now() + MAX_LOCK);
}

#[test]
fn a_second_lock_is_refused_and_increase_adds() {
    let mut s = SuiteBuilder::new().build();
    let alice = s.user(0);
    s.lock(&alice, fog(100), 10 * WEEK).unwrap();
    let err = s.lock(&alice, fog(100), 10 * WEEK).unwrap_err();
    assert!(err.contains("already has a lock"), "{err}");
    let before = s.power(&alice).own;
    s.increase(&alice, fog(300)).unwrap();
    let lock = s.lock_info(&alice);
    assert_eq!(lock.amount, fog(400));
    let after = s.power(&alice).own;
    assert!(after.u128() > 3 * before.u128(), "{before} -> {after}");
    let bob = s.user(1);
    let err = s.increase(&bob, fog(1)).unwrap_err();
    assert!(err.contains("has no lock"), "{err}");
}

#[test]
fn extend_moves_the_end_later_only() {
    let mut s = SuiteBuilder::new().build();
    let alice = s.user(0);
    s.lock(&alice, fog(100), 10 * WEEK).unwrap();
    let end = s.lock_info(&alice).end;
    let err = s
        .ve_exec(&alice, ExecuteMsg::ExtendLock { duration: 5 * WEEK })
        .unwrap_err();
    assert!(err.contains("must be later"), "{err}");
    s.ve_exec(&alice, ExecuteMsg::ExtendLock { duration: 100 * WEEK })
        .unwrap();
    let lock = s.lock_info(&alice);
    assert!(lock.end > end);
    assert_eq!(lock.end % WEEK, 0);
}

#[test]
fn withdraw_only_after_expiry() {
    let mut s = SuiteBuilder::new().build();
    let alice = s.user(0);
    let start_balance = s.fog_balance(&alice);
    s.lock(&alice, fog(100), 2 * WEEK).unwrap();
    let err = s.ve_exec(&alice, ExecuteMsg::Withdraw {}).unwrap_err();
    assert!(err.contains("cannot be withdrawn before"), "{err}");
    s.advance_seconds(2 * WEEK);
    assert!(s.lock_info(&alice).expired);
    assert_eq!(s.power(&alice).own.u128(), 0);
    let err = s.increase(&alice, fog(1)).unwrap_err();
    assert!(err.contains("withdraw it instead"), "{err}");
    let err = s
        .ve_exec(&alice, ExecuteMsg::ExtendLock { duration: 4 * WEEK })
        .unwrap_err();
    assert!(err.contains("withdraw it instead"), "{err}");
    s.ve_exec(&alice, ExecuteMsg::Withdraw {}).unwrap();
    assert_eq!(s.fog_balance(&alice), start_balance);
    assert!(s.lock_info(&alice).amount.is_zero());
    let err = s.ve_exec(&alice, ExecuteMsg::Withdraw {}).unwrap_err();
    assert!(err.contains("has no lock"), "{err}");
    // A new lock after withdrawing is allowed.
    s.lock(&alice, fog(10), WEEK).unwrap();
}

#[test]
fn only_the_fog_token_may_send() {
    let mut s = SuiteBuilder::new().build();
    let alice = s.user(0);
    let ve = s.ve.clone();
    let err = s
        .execute(
            &alice,
            &ve,
            &ExecuteMsg::Receive(cw20::Cw20ReceiveMsg {
                sender: alice.to_string(),
                amount: fog(1_000_000),
                msg: cosmwasm_std::to_json_binary(&fog_ve::msg::ReceiveMsg::Lock { duration: WEEK }).unwrap(),
            }),
        )
        .unwrap_err();
    assert!(err.contains("only the FOG token"), "{err}");
}

/// cw20-base refuses to send nothing, so only a token that would (the
/// configured token's address, impersonated here) reaches veFOG's own check.
#[test]
fn a_send_of_nothing_is_refused() {
    let mut s = SuiteBuilder::new().build();
    let alice = s.user(0);
    let (ve, token) = (s.ve.clone(), s.token.clone());
    let err = s
        .execute(
            &token,
            &ve,
            &ExecuteMsg::Receive(cw20::Cw20ReceiveMsg {
                sender: alice.to_string(),
                amount: cosmwasm_std::Uint128::zero(),
                msg: cosmwasm_std::to_json_binary(&fog_ve::msg::ReceiveMsg::Lock { duration: WEEK }).unwrap(),
            }),
        )
        .unwrap_err();
    assert!(err.contains("the amount must be greater than zero"), "{err}");
    assert!(s.lock_info(&alice).amount.is_zero());
}

#[test]
fn sanctioned_addresses_cannot_lock() {
    let mut s = SuiteBuilder::new().build();
    let (alice, bob) = (s.user(0), s.user(1));
    s.set_kyc(&alice, 2, true).unwrap();
    let err = s.lock(&alice, fog(10), WEEK).unwrap_err();
    assert!(err.contains("sanctioned"), "{err}");
    // Not sanctioned: fine, with or without an entry.
    s.set_kyc(&bob, 1, false).unwrap();
    s.lock(&bob, fog(10), WEEK).unwrap();
    s.lock(&s.user(2), fog(10), WEEK).unwrap();
    // Flagged after locking: cannot add more.
    s.set_sanctioned(&bob, true).unwrap();
    let err = s.increase(&bob, fog(1)).unwrap_err();
    assert!(err.contains("sanctioned"), "{err}");
    // Nor lengthen the lock for more power and a better tier.
    let err = s
        .ve_exec(&bob, fog_ve::msg::ExecuteMsg::ExtendLock { duration: 10 * WEEK })
        .unwrap_err();
    assert!(err.contains("sanctioned"), "{err}");
}

#[test]
fn without_a_registry_nobody_is_refused() {
    let mut s = SuiteBuilder::new().without_registry_in_ve().build();
    let alice = s.user(0);
    s.set_kyc(&alice, 0, true).unwrap();
    s.lock(&alice, fog(10), WEEK).unwrap();
}

#[test]
fn zero_amounts_are_refused() {
    let mut s = SuiteBuilder::new().build();
    let alice = s.user(0);
    let err = s.lock(&alice, fog(0), WEEK).unwrap_err();
    // cw20 itself refuses a zero send before it reaches veFOG.
    assert!(err.to_lowercase().contains("zero") || err.contains("Invalid"), "{err}");
}
