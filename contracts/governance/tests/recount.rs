//! Property: whatever the ballots, delegations and overrides, each stored
//! ballot's power and weight equal a model built from veFOG's snapshot
//! alone (own power; a delegate's received power less that of its
//! delegators who voted themselves; the weight capped), and the proposal's
//! tally and turnout equal a recount of the model's ballots (until stop 22
//! the recount summed the contract's own stored weights).

mod common;
use common::*;
use cosmwasm_std::Addr;
use fog_governance::msg::VotesResponse;
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Step {
    voter: usize,
    ballot: usize,
}

/// Each voter at the proposal's snapshot, as veFOG alone says.
struct Snapshot {
    own: Vec<u128>,
    received: Vec<u128>,
    delegate: Vec<Option<usize>>,
}

impl Snapshot {
    fn read(s: &Suite, users: &[Addr; 4], id: u64) -> Self {
        let p = s.proposal(id);
        let at = |u: &Addr| s.power_at(u, p.start_height - 1, p.start_time);
        let powers: Vec<_> = users.iter().map(at).collect();
        Snapshot {
            own: powers.iter().map(|v| v.own.u128()).collect(),
            received: powers.iter().map(|v| v.received.u128()).collect(),
            delegate: powers
                .iter()
                .map(|v| v.delegate.as_ref().and_then(|d| users.iter().position(|u| u == d)))
                .collect(),
        }
    }

    /// `(power, weight)` of `voter`'s ballot, given who has voted.
    fn ballot(&self, voter: usize, voted: &[bool], cap: Option<u128>) -> (u128, u128) {
        let overridden: u128 = (0..self.own.len())
            .filter(|d| voted[*d] && self.delegate[*d] == Some(voter))
            .map(|d| self.own[d])
            .sum();
        let power = self.own[voter] + self.received[voter] - overridden;
        (power, cap.map_or(power, |c| power.min(c)))
    }
}

fn first_choice(ballot: &Ballot) -> usize {
    match ballot {
        Ballot::Yes => 0,
        Ballot::No => 1,
        Ballot::Abstain => 2,
        Ballot::Choice { option } => usize::from(*option),
        Ballot::Ranking { ranking } => usize::from(ranking[0]),
    }
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
        let snap = Snapshot::read(&s, &users, id);
        let total = s.proposal(id).total_power.u128();
        let cap = cap.map(|bps| (total * u128::from(bps) / 10_000).max(1));
        let mut voted = [false; 4];
        let mut choices: [Option<usize>; 4] = [None; 4];
        for step in steps {
            // Only the refusals a ballot may meet are expected (until stop
            // 20 every error was discarded, so a run where no vote counted
            // passed as well).
            let ballot = ballot(method, step.ballot);
            match s.vote(&users[step.voter], id, ballot.clone()) {
                Ok(_) => {
                    voted[step.voter] = true;
                    choices[step.voter] = Some(first_choice(&ballot));
                }
                Err(e) => {
                    let expected = ["already voted", "is closed", "no voting power"];
                    prop_assert!(expected.iter().any(|x| e.contains(x)), "vote refused: {}", e);
                }
            }
            let p = s.proposal(id);
            let votes: VotesResponse = s.query(
                &s.governance,
                &QueryMsg::Votes { proposal_id: id, start_after: None, limit: Some(100) },
            );
            prop_assert_eq!(votes.votes.len(), voted.iter().filter(|v| **v).count());
            let mut counted = vec![0u128; p.tally.len()];
            let mut turnout = 0;
            for (voter, choice) in choices.iter().enumerate() {
                let Some(choice) = choice else { continue };
                let (power, weight) = snap.ballot(voter, &voted, cap);
                let stored = votes.votes.iter().find(|v| v.voter == users[voter]).unwrap();
                prop_assert_eq!((stored.power.u128(), stored.weight.u128()), (power, weight), "ballot of user {}", voter);
                counted[*choice] += weight;
                turnout += power;
            }
            let tally: Vec<u128> = p.tally.iter().map(|t| t.u128()).collect();
            prop_assert_eq!(tally, counted);
            prop_assert_eq!(p.turnout.u128(), turnout);
            prop_assert!(p.turnout <= p.total_power);
        }
    }
}
