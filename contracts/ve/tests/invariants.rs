//! Property: for random sequences of locks, increases, extensions,
//! withdrawals, delegations, dropped delegators, delegates leaving and
//! returning, and idle periods, at every height visited the sum
//! of all addresses' power equals the reported total, to within one base unit
//! per address (each address's power is rounded down on its own; the total
//! once), both for own power and for the power each address carries.

use fog_testing::{fog, Suite, SuiteBuilder, WEEK};
use fog_ve::msg::ExecuteMsg;
use proptest::prelude::*;

const USERS: usize = 5;
/// User 4 is a registered delegate.
const DELEGATE: usize = 4;

#[derive(Debug, Clone)]
enum Op {
    Lock {
        user: usize,
        fog: u128,
        weeks: u64,
    },
    Increase {
        user: usize,
        fog: u128,
    },
    Extend {
        user: usize,
        weeks: u64,
    },
    Withdraw {
        user: usize,
    },
    Delegate {
        user: usize,
    },
    Undelegate {
        user: usize,
    },
    /// The delegate drops `user`, leaves, or registers again.
    Drop {
        user: usize,
    },
    Unregister,
    Register,
    Blocks(u64),
    Weeks(u64),
}

fn op() -> impl Strategy<Value = Op> {
    let user = 0..USERS;
    prop_oneof![
        (user.clone(), 1u128..2_000_000, 1u64..=208).prop_map(|(user, fog, weeks)| Op::Lock { user, fog, weeks }),
        (user.clone(), 1u128..100_000).prop_map(|(user, fog)| Op::Increase { user, fog }),
        (user.clone(), 1u64..=208).prop_map(|(user, weeks)| Op::Extend { user, weeks }),
        user.clone().prop_map(|user| Op::Withdraw { user }),
        (0..DELEGATE).prop_map(|user| Op::Delegate { user }),
        (0..DELEGATE).prop_map(|user| Op::Undelegate { user }),
        (0..DELEGATE).prop_map(|user| Op::Drop { user }),
        Just(Op::Unregister),
        Just(Op::Register),
        (1u64..50).prop_map(Op::Blocks),
        (1u64..60).prop_map(Op::Weeks),
    ]
}

fn apply(s: &mut Suite, op: &Op) {
    // Refusals (a second lock, withdrawing early, ...) are fine; panics and
    // broken arithmetic are not (until stop 20 every error was discarded,
    // so a broken invariant passed as a refusal).
    let result = match *op {
        Op::Lock { user, fog: f, weeks } => s.lock(&s.user(user), fog(f), weeks * WEEK),
        Op::Increase { user, fog: f } => s.increase(&s.user(user), fog(f)),
        Op::Extend { user, weeks } => s.ve_exec(&s.user(user), ExecuteMsg::ExtendLock { duration: weeks * WEEK }),
        Op::Withdraw { user } => s.ve_exec(&s.user(user), ExecuteMsg::Withdraw {}),
        Op::Delegate { user } => s.ve_exec(
            &s.user(user),
            ExecuteMsg::Delegate {
                delegate: s.user(DELEGATE).to_string(),
            },
        ),
        Op::Undelegate { user } => s.ve_exec(&s.user(user), ExecuteMsg::Undelegate {}),
        Op::Drop { user } => s.ve_exec(
            &s.user(DELEGATE),
            ExecuteMsg::DropDelegator {
                delegator: s.user(user).to_string(),
            },
        ),
        Op::Unregister => s.ve_exec(&s.user(DELEGATE), ExecuteMsg::UnregisterDelegate {}),
        Op::Register => s.ve_exec(&s.user(DELEGATE), ExecuteMsg::RegisterDelegate { profile: None }),
        Op::Blocks(n) => {
            s.advance(n);
            return;
        }
        Op::Weeks(n) => {
            s.advance_seconds(n * WEEK);
            return;
        }
    };
    if let Err(e) = result {
        let lower = e.to_lowercase();
        let broken = ["invariant", "overflow", "divide", "division", "ve point", "panicked"];
        assert!(
            !broken.iter().any(|b| lower.contains(b)),
            "{op:?} broke the ledger: {e}"
        );
    }
}

fn check_block(s: &Suite, height: u64, time: u64) -> Result<(), TestCaseError> {
    let total = s.total_power_at(height, time).u128();
    let snaps: Vec<_> = (0..USERS).map(|i| s.power_at(&s.user(i), height, time)).collect();
    let own: u128 = snaps.iter().map(|p| p.own.u128()).sum();
    let carried: u128 = snaps.iter().map(|p| p.voting.u128()).sum();
    let bound = USERS as u128;
    prop_assert!(
        own <= total && total - own < bound,
        "own {own} vs total {total} at {height}"
    );
    prop_assert!(
        carried <= total && total - carried < bound,
        "carried {carried} vs total {total} at {height}"
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn sum_of_power_equals_total_at_every_height(ops in prop::collection::vec(op(), 1..40)) {
        let mut s = SuiteBuilder::new().users(&["u0", "u1", "u2", "u3", "u4"], 100_000_000).build();
        s.ve_exec(&s.user(DELEGATE), ExecuteMsg::RegisterDelegate { profile: None }).unwrap();
        let mut visited = Vec::new();
        for op in &ops {
            apply(&mut s, op);
            visited.push((s.height(), s.now()));
            check_block(&s, s.height(), s.now())?;
        }
        // History is immutable: every visited block still reads the same.
        for (h, t) in visited {
            check_block(&s, h, t)?;
        }
    }
}
