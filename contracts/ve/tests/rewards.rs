//! Tiers and staking rewards from the funded pool.

use fog_testing::{fog, SuiteBuilder, WEEK};
use fog_ve::msg::{ExecuteMsg, QueryMsg, RewardPoolResponse, TierResponse};
use fog_ve::rewards::YEAR;

fn tier(s: &fog_testing::Suite, who: &cosmwasm_std::Addr) -> TierResponse {
    s.query(
        &s.ve,
        &QueryMsg::Tier {
            address: who.to_string(),
        },
    )
}

fn pool(s: &fog_testing::Suite) -> RewardPoolResponse {
    s.query(&s.ve, &QueryMsg::RewardPool {})
}

#[test]
fn tiers_follow_length_and_amount() {
    let mut s = SuiteBuilder::new().build();
    let (a, b, c, d) = (s.user(0), s.user(1), s.user(2), s.user(3));
    s.lock(&a, fog(10), 200 * WEEK).unwrap();
    s.lock(&b, fog(5_000), 30 * WEEK).unwrap();
    s.lock(&c, fog(2_000_000), 160 * WEEK).unwrap();
    s.lock(&d, fog(2_000_000), 60 * WEEK).unwrap();
    assert_eq!(tier(&s, &a).tier.as_deref(), Some("Bronze"));
    assert_eq!(tier(&s, &b).tier.as_deref(), Some("Silver"));
    assert_eq!(tier(&s, &c).tier.as_deref(), Some("Diamond"));
    assert_eq!(tier(&s, &c).apy_bps, 2_500);
    assert_eq!(tier(&s, &d).tier.as_deref(), Some("Gold"));
    // Extending re-evaluates the tier from now.
    s.ve_exec(&d, ExecuteMsg::ExtendLock { duration: 200 * WEEK }).unwrap();
    assert_eq!(tier(&s, &d).tier.as_deref(), Some("Diamond"));
    assert_eq!(tier(&s, &s.addr("nobody")).tier, None);
}

#[test]
fn a_lock_of_exactly_a_tiers_length_reaches_it() {
    let mut s = SuiteBuilder::new().build();
    let (a, b) = (s.user(0), s.user(1));
    // Mid-week: the ends are rounded down to a week boundary, yet a lock
    // of 26 weeks commits 26 and one of 156 commits 156.
    s.advance_seconds(3 * 24 * 3600 + 5);
    s.lock(&a, fog(1_000), 26 * WEEK).unwrap();
    s.lock(&b, fog(1_000_000), 156 * WEEK).unwrap();
    assert_eq!(tier(&s, &a).tier.as_deref(), Some("Silver"));
    assert_eq!(tier(&s, &b).tier.as_deref(), Some("Diamond"));
    // One week less is the tier below.
    let c = s.user(2);
    s.lock(&c, fog(1_000), 25 * WEEK).unwrap();
    assert_eq!(tier(&s, &c).tier.as_deref(), Some("Bronze"));
}

#[test]
fn an_increase_is_judged_by_the_time_left() {
    let mut s = SuiteBuilder::new().build();
    let a = s.user(0);
    // A dust lock of four years, topped up in its last weeks, earns the
    // tier of what is left (Bronze), not Diamond for a two-week commitment.
    s.lock(&a, 10u128.into(), 208 * WEEK).unwrap();
    s.advance_seconds(206 * WEEK);
    s.increase(&a, fog(1_000_000)).unwrap();
    assert_eq!(tier(&s, &a).tier.as_deref(), Some("Bronze"));
    assert_eq!(tier(&s, &a).apy_bps, 500);
    // Extending commits it again: the tier follows.
    s.ve_exec(&a, ExecuteMsg::ExtendLock { duration: 160 * WEEK }).unwrap();
    assert_eq!(tier(&s, &a).tier.as_deref(), Some("Diamond"));
}

#[test]
fn an_increase_keeps_the_rate_of_the_fog_already_locked() {
    let mut s = SuiteBuilder::new().build();
    let (a, b) = (s.user(0), s.user(1));
    // Silver, then a micro-FOG more with 24 weeks left: still Silver (the
    // added micro-FOG alone would be Bronze).
    s.lock(&a, fog(1_000), 26 * WEEK).unwrap();
    s.advance_seconds(2 * WEEK);
    s.increase(&a, 1u128.into()).unwrap();
    assert_eq!(
        (tier(&s, &a).tier.as_deref(), tier(&s, &a).apy_bps),
        (Some("Silver"), 1_000)
    );
    // Diamond, doubled in its last week: the new FOG earns Bronze's 5%,
    // the old keeps 25%, so the lock earns 15% (Gold's rate).
    s.lock(&b, fog(1_000_000), 156 * WEEK).unwrap();
    s.advance_seconds(155 * WEEK);
    s.increase(&b, fog(1_000_000)).unwrap();
    assert_eq!(
        (tier(&s, &b).tier.as_deref(), tier(&s, &b).apy_bps),
        (Some("Gold"), 1_500)
    );
}

#[test]
fn rewards_accrue_at_the_tier_rate() {
    let mut s = SuiteBuilder::new().build();
    let alice = s.user(0);
    s.fund_rewards(fog(5_000_000)).unwrap();
    s.lock(&alice, fog(1_000_000), 200 * WEEK).unwrap(); // Diamond, 25%
    s.advance_seconds(YEAR);
    let pending = s.pending_rewards(&alice).u128();
    let expected = fog(250_000).u128();
    // Within a block's worth of accrual and the index's rounding.
    assert!(
        pending <= expected + fog(1).u128() && pending + fog(1).u128() >= expected,
        "{pending}"
    );
    let before = s.fog_balance(&alice);
    s.ve_exec(&alice, ExecuteMsg::ClaimRewards {}).unwrap();
    let paid = s.fog_balance(&alice) - before;
    assert!(paid.u128() >= pending, "{paid} < {pending}");
    assert!(s.pending_rewards(&alice).is_zero());
    let err = s.ve_exec(&alice, ExecuteMsg::ClaimRewards {}).unwrap_err();
    assert!(err.contains("no rewards"), "{err}");
}

#[test]
fn rewards_never_exceed_what_was_funded() {
    let mut s = SuiteBuilder::new().build();
    let users: Vec<_> = (0..4).map(|i| s.user(i)).collect();
    s.fund_rewards(fog(100)).unwrap();
    for u in &users {
        s.lock(u, fog(1_000_000), 200 * WEEK).unwrap();
    }
    s.advance_seconds(2 * YEAR);
    let owed: u128 = users.iter().map(|u| s.pending_rewards(u).u128()).sum();
    assert!(owed <= fog(100).u128(), "owed {owed}");
    assert!(owed > fog(99).u128(), "the pool is spent: {owed}");
    let p = pool(&s);
    assert_eq!(p.funded, fog(100));
    assert!(p.reserved <= fog(100));
    let ve_balance_before = s.fog_balance(&s.ve.clone());
    for u in &users {
        s.ve_exec(u, ExecuteMsg::ClaimRewards {}).unwrap();
    }
    let paid = ve_balance_before - s.fog_balance(&s.ve.clone());
    assert!(paid <= fog(100), "paid {paid}");
    assert_eq!(paid.u128(), owed, "each claim pays what was owed");
    // Locked principal is untouched.
    assert!(s.fog_balance(&s.ve.clone()) >= fog(4_000_000));
    // Funding resumes accrual from now on, not retroactively.
    s.fund_rewards(fog(1_000)).unwrap();
    assert!(s.pending_rewards(&users[0]).is_zero());
    s.advance_seconds(WEEK);
    assert!(!s.pending_rewards(&users[0]).is_zero());
}

#[test]
fn rewards_stop_at_the_lock_end_and_are_paid_on_withdraw() {
    let mut s = SuiteBuilder::new().build();
    let alice = s.user(0);
    s.fund_rewards(fog(1_000_000)).unwrap();
    s.lock(&alice, fog(10_000), 10 * WEEK).unwrap(); // Bronze 5%
    s.advance_seconds(10 * WEEK);
    let at_end = s.pending_rewards(&alice);
    s.advance_seconds(20 * WEEK);
    assert_eq!(s.pending_rewards(&alice), at_end, "no rewards after the end");
    let expected = fog(10_000).u128() * 500 / 10_000 * u128::from(s.lock_info(&alice).end - s.lock_info(&alice).start)
        / u128::from(YEAR);
    assert!(at_end.u128().abs_diff(expected) < 1_000, "{at_end} vs {expected}");
    let before = s.fog_balance(&alice);
    s.ve_exec(&alice, ExecuteMsg::Withdraw {}).unwrap();
    assert_eq!(s.fog_balance(&alice) - before, fog(10_000) + at_end);
    assert_eq!(pool(&s).paid, at_end);
}

#[test]
fn only_the_owner_changes_tiers() {
    let mut s = SuiteBuilder::new().build();
    let alice = s.user(0);
    let mut tiers = fog_ve::tiers::default_tiers();
    tiers[0].apy_bps = 100;
    let msg = ExecuteMsg::UpdateConfig {
        owner: None,
        registry: None,
        remove_registry: None,
        tiers: Some(tiers.clone()),
    };
    let err = s.ve_exec(&alice, msg.clone()).unwrap_err();
    assert!(err.contains("only the owner"), "{err}");
    let admin = s.admin.clone();
    s.ve_exec(&admin, msg).unwrap();
    tiers[1].apy_bps = 50; // lower than the tier below
    let err = s
        .ve_exec(
            &admin,
            ExecuteMsg::UpdateConfig {
                owner: None,
                registry: None,
                remove_registry: None,
                tiers: Some(tiers),
            },
        )
        .unwrap_err();
    assert!(err.contains("cannot pay less"), "{err}");
}
