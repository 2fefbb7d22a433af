//! Delegated power in votes, and delegators overriding their delegate.

mod common;
use common::*;
use cosmwasm_std::Addr;
use fog_governance::msg::VoteResponse;

fn vote_of(s: &Suite, id: u64, who: &Addr) -> VoteResponse {
    s.query(
        &s.governance,
        &QueryMsg::Vote {
            proposal_id: id,
            voter: who.to_string(),
        },
    )
}

/// dave registers as a delegate; alice and carol delegate to him.
fn delegated() -> (Suite, [Addr; 4]) {
    let (mut s, users) = setup();
    let [alice, _, carol, dave] = users.clone();
    s.ve_exec(&dave, fog_ve::msg::ExecuteMsg::RegisterDelegate { profile: None })
        .unwrap();
    for u in [&alice, &carol] {
        s.ve_exec(
            u,
            fog_ve::msg::ExecuteMsg::Delegate {
                delegate: dave.to_string(),
            },
        )
        .unwrap();
    }
    s.advance(1);
    (s, users)
}

#[test]
fn a_delegate_votes_with_delegated_power() {
    let (mut s, [alice, bob, carol, dave]) = delegated();
    let id = s.propose_text(&bob, "x").unwrap();
    s.vote(&dave, id, Ballot::Yes).unwrap();
    let v = vote_of(&s, id, &dave);
    let own = |u: &Addr| s.power(u).own.u128();
    let expected = own(&alice) + own(&carol) + own(&dave);
    assert!(v.power.u128().abs_diff(expected) <= 2, "{} vs {expected}", v.power);
}

#[test]
fn a_delegator_voting_after_its_delegate_takes_its_power_back() {
    let (mut s, [alice, bob, carol, dave]) = delegated();
    let id = s.propose_text(&bob, "x").unwrap();
    s.vote(&dave, id, Ballot::Yes).unwrap();
    let before = vote_of(&s, id, &dave).power;
    s.vote(&carol, id, Ballot::No).unwrap();
    let carol_vote = vote_of(&s, id, &carol);
    let dave_vote = vote_of(&s, id, &dave);
    assert_eq!(dave_vote.power, before - carol_vote.power);
    let p = s.proposal(id);
    assert_eq!(p.tally[0], dave_vote.weight);
    assert_eq!(p.tally[1], carol_vote.weight);
    assert_eq!(p.turnout, before, "turnout counts carol once");
    let _ = alice;
}

#[test]
fn a_delegator_voting_before_its_delegate_is_left_out_of_its_ballot() {
    let (mut s, [alice, bob, carol, dave]) = delegated();
    let id = s.propose_text(&bob, "x").unwrap();
    s.vote(&alice, id, Ballot::No).unwrap();
    s.vote(&dave, id, Ballot::Yes).unwrap();
    let own = |u: &Addr| s.power(u).own.u128();
    let dave_power = vote_of(&s, id, &dave).power.u128();
    assert!(dave_power.abs_diff(own(&carol) + own(&dave)) <= 2);
    assert_eq!(vote_of(&s, id, &alice).power.u128(), own(&alice));
}

#[test]
fn delegation_changes_after_the_start_do_not_change_the_tally() {
    let (mut s, [alice, bob, carol, dave]) = delegated();
    let id = s.propose_text(&bob, "x").unwrap();
    s.advance(1);
    // Alice takes her power back after the start: this proposal still
    // counts it with dave.
    s.ve_exec(&alice, fog_ve::msg::ExecuteMsg::Undelegate {}).unwrap();
    s.vote(&dave, id, Ballot::Yes).unwrap();
    let p = s.proposal(id);
    let own = |s: &Suite, u: &Addr| s.power_at(u, p.start_height - 1, p.start_time).own.u128();
    let expected = own(&s, &alice) + own(&s, &carol) + own(&s, &dave);
    assert!(vote_of(&s, id, &dave).power.u128().abs_diff(expected) <= 2);
    // A proposal made after the change does not.
    s.advance(1);
    let id2 = s.propose_text(&bob, "y").unwrap();
    s.vote(&dave, id2, Ballot::Yes).unwrap();
    let own = |s: &Suite, u: &Addr| s.power(u).own.u128();
    let expected = own(&s, &carol) + own(&s, &dave);
    assert!(vote_of(&s, id2, &dave).power.u128().abs_diff(expected) <= 2);
}

#[test]
fn quadratic_votes_ignore_delegation() {
    let (mut s, [alice, bob, _, dave]) = delegated();
    for u in [&alice, &dave] {
        s.set_kyc(u, 1, false).unwrap();
    }
    let id = s
        .propose(
            &bob,
            ProposeMsg {
                method: VotingMethod::Quadratic,
                ..text_proposal("qv")
            },
        )
        .unwrap();
    s.vote(&dave, id, Ballot::Yes).unwrap();
    assert_eq!(vote_of(&s, id, &dave).power, s.power(&dave).own);
    s.vote(&alice, id, Ballot::No).unwrap();
    assert_eq!(vote_of(&s, id, &dave).power, s.power(&dave).own, "nothing to override");
}
