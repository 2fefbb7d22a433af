//! Multiple choice, ranked choice and quadratic votes.

mod common;
use common::*;
use fog_governance::msg::RunOffResponse;

#[test]
fn multiple_choice_plurality() {
    let (mut s, [alice, bob, carol, dave]) = setup();
    let id = s
        .propose(
            &alice,
            choice_proposal(VotingMethod::MultipleChoice, &["red", "green", "blue"]),
        )
        .unwrap();
    s.vote(&bob, id, Ballot::Choice { option: 1 }).unwrap(); // 30
    s.vote(&carol, id, Ballot::Choice { option: 2 }).unwrap(); // 20
    s.vote(&dave, id, Ballot::Choice { option: 2 }).unwrap(); // 10 -> blue 30
    s.advance_seconds(7 * DAY);
    let p = s.proposal(id);
    assert_eq!(p.status, Status::Rejected, "green and blue tie: no winner");
    let id = s
        .propose(
            &alice,
            choice_proposal(VotingMethod::MultipleChoice, &["red", "green", "blue"]),
        )
        .unwrap();
    s.vote(&alice, id, Ballot::Choice { option: 0 }).unwrap(); // 40
    s.vote(&bob, id, Ballot::Choice { option: 1 }).unwrap(); // 30
    s.vote(&carol, id, Ballot::Choice { option: 0 }).unwrap(); // red 60, decided
    let p = s.proposal(id);
    assert_eq!(p.status, Status::Passed);
    assert_eq!(p.winner, Some(0));
}

#[test]
fn ranked_choice_runs_off() {
    let (mut s, [alice, bob, carol, dave]) = setup();
    let id = s
        .propose(&alice, choice_proposal(VotingMethod::RankedChoice, &["a", "b", "c"]))
        .unwrap();
    // First preferences: a 40, b 30, c 30 (carol 20 + dave 10); c's voters
    // prefer b next: b wins 60 to 40.
    s.vote(&alice, id, Ballot::Ranking { ranking: vec![0] }).unwrap();
    s.vote(&bob, id, Ballot::Ranking { ranking: vec![1, 0] }).unwrap();
    s.vote(&carol, id, Ballot::Ranking { ranking: vec![2, 1] }).unwrap();
    s.vote(&dave, id, Ballot::Ranking { ranking: vec![2, 1, 0] }).unwrap();
    assert_eq!(s.proposal(id).status, Status::Open, "ranked votes run to the end");
    s.advance_seconds(7 * DAY);
    close(&mut s, id).unwrap();
    let p = s.proposal(id);
    assert_eq!(p.status, Status::Passed);
    assert_eq!(p.winner, Some(1));
    let r: RunOffResponse = s.query(&s.governance, &QueryMsg::RunOff { proposal_id: id });
    assert_eq!(r.rounds.len(), 2);
    assert_eq!(r.winner, Some(1));
}

#[test]
fn quadratic_counts_kyced_voters_by_the_root_of_their_own_power() {
    let (mut s, [alice, bob, carol, dave]) = setup();
    let id = s
        .propose(
            &alice,
            ProposeMsg {
                method: VotingMethod::Quadratic,
                ..text_proposal("qv")
            },
        )
        .unwrap();
    let err = s.vote(&alice, id, Ballot::Yes).unwrap_err();
    assert!(err.contains("KYC tier 1"), "{err}");
    for u in [&alice, &bob, &carol, &dave] {
        s.set_kyc(u, 1, false).unwrap();
    }
    s.vote(&alice, id, Ballot::Yes).unwrap(); // 40% of power
    s.vote(&bob, id, Ballot::No).unwrap(); // 30%
    s.vote(&carol, id, Ballot::No).unwrap(); // 20%
    let p = s.proposal(id);
    let power = |who: &cosmwasm_std::Addr| -> u128 {
        let v: fog_governance::msg::VoteResponse = s.query(
            &s.governance,
            &QueryMsg::Vote {
                proposal_id: id,
                voter: who.to_string(),
            },
        );
        assert_eq!(v.weight.u128(), fog_governance::voting::weight::isqrt(v.power.u128()));
        v.weight.u128()
    };
    assert_eq!(p.tally[0].u128(), power(&alice));
    assert_eq!(p.tally[1].u128(), power(&bob) + power(&carol));
    // By power yes would lose 40 to 50; by roots it still loses here:
    // sqrt(4) < sqrt(3) + sqrt(2).
    s.advance_seconds(7 * DAY);
    assert_eq!(s.proposal(id).status, Status::Rejected);
}

/// Two rules changes and the status quo, at the rules change's 2/3
/// threshold: a plurality of 40% changes nothing (before stop 20 it passed
/// against the 60% split over the other two options), 70% does; and a
/// choice proposal whose every option acts is refused.
#[test]
fn an_acting_choice_needs_the_kinds_threshold_and_a_status_quo() {
    use fog_governance::state::{KindRules, ProposalKind};
    let (mut s, [alice, bob, carol, dave]) = setup();
    let text_rules = |quorum_bps: u16| {
        Some(Action::RulesChange {
            rules: vec![KindRules {
                kind: ProposalKind::Text,
                quorum_bps,
                threshold_bps: 5_000,
                voting_period: DAY,
                timelock: 0,
            }],
        })
    };
    let with_actions = |actions: [Option<Action>; 3]| {
        let mut msg = choice_proposal(VotingMethod::MultipleChoice, &["1%", "2%", "no change"]);
        for (option, action) in msg.options.iter_mut().zip(actions) {
            option.action = action;
        }
        msg
    };
    let err = s
        .propose(
            &alice,
            with_actions([text_rules(100), text_rules(200), text_rules(300)]),
        )
        .unwrap_err();
    assert!(err.contains("an option without an action"), "{err}");

    let id = s
        .propose(&alice, with_actions([text_rules(100), text_rules(200), None]))
        .unwrap();
    assert_eq!(s.proposal(id).kind, ProposalKind::RulesChange);
    s.vote(&alice, id, Ballot::Choice { option: 0 }).unwrap(); // 40
    s.vote(&bob, id, Ballot::Choice { option: 2 }).unwrap(); // 30
    s.vote(&carol, id, Ballot::Choice { option: 1 }).unwrap(); // 20
    s.vote(&dave, id, Ballot::Choice { option: 1 }).unwrap(); // 10
    assert_eq!(s.proposal(id).status, Status::Open, "not decided early");
    s.advance_seconds(14 * DAY);
    let p = s.proposal(id);
    assert_eq!((p.status, p.winner), (Status::Rejected, None), "40% < 2/3");

    let id = s
        .propose(&alice, with_actions([text_rules(100), text_rules(200), None]))
        .unwrap();
    s.vote(&alice, id, Ballot::Choice { option: 0 }).unwrap(); // 40
    s.vote(&bob, id, Ballot::Choice { option: 0 }).unwrap(); // 30
    s.vote(&carol, id, Ballot::Choice { option: 2 }).unwrap(); // 20
    s.advance_seconds(14 * DAY);
    let p = s.proposal(id);
    assert_eq!((p.status, p.winner), (Status::Passed, Some(0)), "70% of 90% > 2/3");
}

/// Without a registry no ballot could reach the KYC tier quadratic votes
/// count from: such a proposal is refused when made, not left to fail every
/// voter and burn its deposit.
#[test]
fn a_quadratic_proposal_without_a_registry_is_refused() {
    let (mut s, [alice, ..]) = voters(SuiteBuilder::new().gov(|m| m.registry = None));
    let err = s
        .propose(
            &alice,
            ProposeMsg {
                method: VotingMethod::Quadratic,
                ..text_proposal("one person one voice")
            },
        )
        .unwrap_err();
    assert!(err.contains("needs the compliance registry"), "{err}");
    s.propose_text(&alice, "yes/no still works").unwrap();
}
