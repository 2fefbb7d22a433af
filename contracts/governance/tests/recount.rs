//! Property: whatever the ballots, delegations and overrides, a proposal's
//! tally equals a recount of its stored ballots, and its turnout the sum of
//! their power (which never exceeds the snapshot's total).

mod common;
use common::*;
use fog_governance::msg::VotesResponse;
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Step {
    voter: usize,
    ballot: usize,
}

fn recount(s: &Suite, id: u64, options: usize, method: VotingMethod) -> (Vec<u128>, u128) {
    let votes: VotesResponse = s.query(
        &s.governance,
        &QueryMsg::Votes {
            proposal_id: id,
            start_after: None,
            limit: Some(100),
        },
    );
    let mut counted = vec![0u128; options];
    let mut turnout = 0;
    for v in votes.votes {
        let first = match (&v.ballot, method) {
            (Ballot::Yes, _) => 0,
            (Ballot::No, _) => 1,
            (Ballot::Abstain, _) => 2,
            (Ballot::Choice { option }, _) => usize::from(*option),
            (Ballot::Ranking { ranking }, _) => usize::from(ranking[0]),
        };
        counted[first] += v.weight.u128();
        turnout += v.power.u128();
    }
    (counted, turnout)
}

fn ballot(method: VotingMethod, i: usize) -> Ballot {
    match method {
        VotingMethod::YesNo => [Ballot::Yes, Ballot::No, Ballot::Abstain][i % 3].clone(),
        VotingMethod::MultipleChoice => Ballot::Choice { option: (i % 3) as u8 },
        _ => Ballot::Ranking {
            ranking: [vec![0], vec![1, 2], vec![2, 0, 1]][i % 3].clone(),
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, .. ProptestConfig::default() })]

    #[test]
    fn tally_equals_recount(
        method in prop_oneof![Just(VotingMethod::YesNo), Just(VotingMethod::MultipleChoice), Just(VotingMethod::RankedChoice)],
        delegators in prop::collection::vec(any::<bool>(), 3),
        cap in prop_oneof![Just(None), (500u16..5_000).prop_map(Some)],
        steps in prop::collection::vec((0usize..4, 0usize..3).prop_map(|(voter, ballot)| Step { voter, ballot }), 1..12),
    ) {
        let (mut s, users) = voters(SuiteBuilder::new().gov(move |g| g.max_vote_share_bps = cap));
        // dave (3) is a delegate; some of the others delegate to him.
        s.ve_exec(&users[3], fog_ve::msg::ExecuteMsg::RegisterDelegate { profile: None }).unwrap();
        for (i, d) in delegators.iter().enumerate() {
            if *d {
                s.ve_exec(&users[i], fog_ve::msg::ExecuteMsg::Delegate { delegate: users[3].to_string() }).unwrap();
            }
        }
        s.advance(1);
        let msg = if method == VotingMethod::YesNo {
            text_proposal("p")
        } else {
            choice_proposal(method, &["a", "b", "c"])
        };
        // dave always carries power (his own plus what he received).
        let id = s.propose(&users[3].clone(), msg).unwrap();
        for step in steps {
            // Only the refusals a ballot may meet are expected (until stop
            // 20 every error was discarded, so a run where no vote counted
            // passed as well).
            if let Err(e) = s.vote(&users[step.voter], id, ballot(method, step.ballot)) {
                let expected = ["already voted", "is closed", "no voting power"];
                prop_assert!(expected.iter().any(|x| e.contains(x)), "vote refused: {}", e);
            }
            let p = s.proposal(id);
            let (counted, turnout) = recount(&s, id, p.tally.len(), method);
            let tally: Vec<u128> = p.tally.iter().map(|t| t.u128()).collect();
            prop_assert_eq!(tally, counted);
            prop_assert_eq!(p.turnout.u128(), turnout);
            prop_assert!(p.turnout <= p.total_power);
        }
    }
}
