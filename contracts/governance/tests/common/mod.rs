#![allow(dead_code, unused_imports)]

use cosmwasm_std::Addr;
pub use fog_governance::msg::{Action, Ballot, ExecuteMsg, OptionMsg, ProposeMsg, QueryMsg};
pub use fog_governance::state::{Status, VotingMethod};
pub use fog_testing::{fog, text_proposal, Suite, SuiteBuilder, WEEK};

pub const DAY: u64 = 86_400;

/// Four voters locked for 200 weeks: alice 4M, bob 3M, carol 2M, dave 1M
/// FOG (40%, 30%, 20%, 10% of the power), one block before the tests start.
pub fn voters(builder: SuiteBuilder) -> (Suite, [Addr; 4]) {
    let mut s = builder.build();
    let users = [s.user(0), s.user(1), s.user(2), s.user(3)];
    for (u, amount) in users.iter().zip([4_000_000u128, 3_000_000, 2_000_000, 1_000_000]) {
        s.lock(u, fog(amount), 200 * WEEK).unwrap();
    }
    s.advance(1);
    (s, users)
}

pub fn setup() -> (Suite, [Addr; 4]) {
    voters(SuiteBuilder::new())
}

pub fn choice_proposal(method: VotingMethod, titles: &[&str]) -> ProposeMsg {
    ProposeMsg {
        title: "Pick one".into(),
        description: String::new(),
        method,
        action: None,
        options: titles
            .iter()
            .map(|t| OptionMsg {
                title: t.to_string(),
                action: None,
            })
            .collect(),
    }
}

pub fn close(s: &mut Suite, id: u64) -> fog_testing::Res {
    let who = s.addr("anyone");
    s.gov_exec(&who, ExecuteMsg::Close { proposal_id: id })
}

pub fn execute(s: &mut Suite, id: u64) -> fog_testing::Res {
    let who = s.addr("anyone");
    s.gov_exec(&who, ExecuteMsg::Execute { proposal_id: id })
}
