//! Attacks on governance. Elsewhere: double votes and votes after the end
//! (voting.rs), executing unpassed or twice and spending over the limit
//! (execution.rs), power locked in the proposal's block (proposals.rs),
//! delegation cycles (ve's delegation.rs: a delegate cannot delegate),
//! rewards beyond the pool (ve's rewards.rs).

mod common;
use common::*;
use fog_governance::msg::VoteResponse;

fn vote_of(s: &Suite, id: u64, who: &cosmwasm_std::Addr) -> VoteResponse {
    s.query(
        &s.governance,
        &QueryMsg::Vote {
            proposal_id: id,
            voter: who.to_string(),
        },
    )
}

#[test]
fn the_whale_cap_holds_at_its_edge_and_keeps_thresholds_reachable() {
    // Cap at 30%: bob (30%) is exactly at it, alice (40%) above.
    let (mut s, [alice, bob, carol, dave]) = voters(SuiteBuilder::new().gov(|g| g.max_vote_share_bps = Some(3_000)));
    let id = s.propose_text(&carol, "x").unwrap();
    let p = s.proposal(id);
    let cap = p.total_power.u128() * 3_000 / 10_000;
    s.vote(&alice, id, Ballot::Yes).unwrap();
    assert_eq!(vote_of(&s, id, &alice).weight.u128(), cap);
    assert!(
        vote_of(&s, id, &alice).power.u128() > cap,
        "power is kept, only the weight is capped"
    );
    s.vote(&bob, id, Ballot::No).unwrap();
    let bob_vote = vote_of(&s, id, &bob);
    assert!(
        bob_vote.power.u128() <= cap && bob_vote.weight == bob_vote.power,
        "at the edge: uncapped"
    );
    // alice 30 (capped) vs bob ~30: undecided. With carol, yes has 50 and
    // even dave's 10 cannot flip it: decided early.
    assert_eq!(s.proposal(id).status, Status::Open);
    s.vote(&carol, id, Ballot::Yes).unwrap();
    let p = s.proposal(id);
    assert!(p.quorum_reached, "quorum uses uncapped turnout");
    assert_eq!(p.status, Status::Passed, "yes 50 vs at most 40 counted");
    assert!(s.vote(&dave, id, Ballot::No).is_err());
}

#[test]
fn a_tiny_cap_still_lets_a_majority_pass() {
    let (mut s, [alice, bob, carol, dave]) = voters(SuiteBuilder::new().gov(|g| g.max_vote_share_bps = Some(100)));
    let id = s.propose_text(&alice, "x").unwrap();
    for (v, b) in [
        (&alice, Ballot::Yes),
        (&bob, Ballot::Yes),
        (&carol, Ballot::No),
        (&dave, Ballot::Yes),
    ] {
        s.vote(v, id, b).unwrap();
    }
    s.advance_seconds(7 * DAY);
    assert_eq!(s.proposal(id).status, Status::Passed, "3 capped yes vs 1 capped no");
}

#[test]
fn a_whale_cannot_dodge_the_cap_through_a_delegate() {
    let (mut s, [alice, bob, _, dave]) = voters(SuiteBuilder::new().gov(|g| g.max_vote_share_bps = Some(2_000)));
    s.ve_exec(&dave, fog_ve::msg::ExecuteMsg::RegisterDelegate { profile: None })
        .unwrap();
    s.ve_exec(
        &alice,
        fog_ve::msg::ExecuteMsg::Delegate {
            delegate: dave.to_string(),
        },
    )
    .unwrap();
    s.advance(1);
    let id = s.propose_text(&bob, "x").unwrap();
    s.vote(&dave, id, Ballot::Yes).unwrap();
    let cap = s.proposal(id).total_power.u128() * 2_000 / 10_000;
    assert_eq!(
        vote_of(&s, id, &dave).weight.u128(),
        cap,
        "own plus delegated is one ballot"
    );
}

#[test]
fn a_delegator_cannot_count_twice() {
    let (mut s, [alice, bob, _, dave]) = setup();
    s.ve_exec(&dave, fog_ve::msg::ExecuteMsg::RegisterDelegate { profile: None })
        .unwrap();
    s.ve_exec(
        &alice,
        fog_ve::msg::ExecuteMsg::Delegate {
            delegate: dave.to_string(),
        },
    )
    .unwrap();
    s.advance(1);
    let id = s.propose_text(&bob, "x").unwrap();
    s.vote(&dave, id, Ballot::Yes).unwrap();
    s.vote(&alice, id, Ballot::Yes).unwrap();
    let p = s.proposal(id);
    let sum = vote_of(&s, id, &dave).power + vote_of(&s, id, &alice).power;
    assert_eq!(p.turnout, sum);
    assert!(p.turnout <= p.total_power);
    // Undelegating and voting again does nothing: one ballot per address.
    s.ve_exec(&alice, fog_ve::msg::ExecuteMsg::Undelegate {}).unwrap();
    let err = s.vote(&alice, id, Ballot::No).unwrap_err();
    assert!(err.contains("already voted"), "{err}");
}

#[test]
fn locking_after_the_start_buys_nothing() {
    let (mut s, [alice, bob, ..]) = setup();
    let id = s.propose_text(&alice, "x").unwrap();
    let eve = s.addr("eve");
    let (admin, token) = (s.admin.clone(), s.token.clone());
    s.execute(
        &admin,
        &token,
        &cw20::Cw20ExecuteMsg::Transfer {
            recipient: eve.to_string(),
            amount: fog(20_000_000),
        },
    )
    .unwrap();
    s.advance(1);
    s.lock(&eve, fog(20_000_000), 200 * WEEK).unwrap();
    let err = s.vote(&eve, id, Ballot::No).unwrap_err();
    assert!(err.contains("had no voting power"), "{err}");
    s.vote(&bob, id, Ballot::Yes).unwrap();
}

#[test]
fn the_deposit_is_settled_once() {
    let (mut s, [alice, bob, ..]) = setup();
    let id = s.propose_text(&alice, "x").unwrap();
    s.vote(&alice, id, Ballot::Yes).unwrap();
    s.vote(&bob, id, Ballot::Yes).unwrap();
    let before = s.fog_balance(&alice);
    close(&mut s, id).unwrap();
    assert_eq!(s.fog_balance(&alice) - before, fog(1_000));
    let err = close(&mut s, id).unwrap_err();
    assert!(err.contains("already closed"), "{err}");
    execute(&mut s, id).unwrap();
    assert_eq!(s.fog_balance(&alice) - before, fog(1_000), "not refunded twice");
}

#[test]
fn execution_leaves_the_deposit_to_close() {
    let (mut s, [alice, bob, ..]) = setup();
    let id = s.propose_text(&alice, "x").unwrap();
    s.vote(&alice, id, Ballot::Yes).unwrap();
    s.vote(&bob, id, Ballot::Yes).unwrap();
    let before = s.fog_balance(&alice);
    execute(&mut s, id).unwrap();
    assert_eq!(s.fog_balance(&alice), before, "execution does not pay the deposit");
    close(&mut s, id).unwrap();
    assert_eq!(s.fog_balance(&alice) - before, fog(1_000));
    assert_eq!(s.proposal(id).status, Status::Executed, "closing keeps the status");
    assert!(close(&mut s, id).unwrap_err().contains("already closed"));
}

#[test]
fn only_the_token_pays_deposits() {
    let (mut s, [alice, ..]) = setup();
    let gov = s.governance.clone();
    let fake = ExecuteMsg::Receive(cw20::Cw20ReceiveMsg {
        sender: alice.to_string(),
        amount: fog(1_000),
        msg: cosmwasm_std::to_json_binary(&fog_governance::msg::ReceiveMsg::Propose(text_proposal("free"))).unwrap(),
    });
    let err = s.execute(&alice, &gov, &fake).unwrap_err();
    assert!(err.contains("only the FOG token"), "{err}");
}
