//! Casting votes: yes/no, quorum, threshold, early finalisation, late quorum.

mod common;
use common::*;

#[test]
fn yes_no_passes_with_quorum_and_majority() {
    let (mut s, [alice, bob, carol, dave]) = setup();
    let id = s.propose_text(&alice, "x").unwrap();
    s.vote(&bob, id, Ballot::Yes).unwrap(); // 30%
    s.vote(&carol, id, Ballot::No).unwrap(); // 20%
    s.vote(&dave, id, Ballot::Abstain).unwrap(); // 10%
    let p = s.proposal(id);
    assert_eq!(p.voters, 3);
    assert!(p.quorum_reached);
    assert_eq!(p.status, Status::Open, "alice's 40% could still flip it");
    s.advance_seconds(7 * DAY);
    assert_eq!(s.proposal(id).status, Status::Passed, "shown as it will close");
    close(&mut s, id).unwrap();
    assert_eq!(s.proposal(id).status, Status::Passed);
}

#[test]
fn without_quorum_it_fails() {
    let (mut s, [alice, _, _, dave]) = voters(SuiteBuilder::new().gov(|g| {
        g.rules = vec![fog_governance::state::KindRules {
            quorum_bps: 2_000,
            ..fog_governance::config::default_rules(fog_governance::state::ProposalKind::Text)
        }]
    }));
    let id = s.propose_text(&alice, "x").unwrap();
    s.vote(&dave, id, Ballot::Yes).unwrap(); // 10% < 20%
    s.advance_seconds(7 * DAY);
    close(&mut s, id).unwrap();
    let p = s.proposal(id);
    assert_eq!(p.status, Status::Rejected);
    assert!(!p.quorum_reached);
}

#[test]
fn decided_early_when_nothing_can_change() {
    let (mut s, [alice, bob, ..]) = setup();
    let id = s.propose_text(&alice, "x").unwrap();
    s.vote(&alice, id, Ballot::Yes).unwrap(); // 40%: the rest (60%) could still win
    assert_eq!(s.proposal(id).status, Status::Open);
    s.vote(&bob, id, Ballot::Yes).unwrap(); // 70% yes: decided
    let p = s.proposal(id);
    assert_eq!(p.status, Status::Passed);
    assert_eq!(p.decided_at, Some(s.now()));
    let carol = s.user(2);
    let err = s.vote(&carol, id, Ballot::No).unwrap_err();
    assert!(err.contains("closed"), "{err}");
}

#[test]
fn late_quorum_moves_the_end() {
    let (mut s, [alice, _, carol, _]) = setup();
    let id = s.propose_text(&alice, "x").unwrap();
    let end = s.proposal(id).end_time;
    s.advance_seconds(6 * DAY + 12 * 3600); // 12 h before the end
    s.vote(&carol, id, Ballot::Yes).unwrap(); // 20% >= 10% quorum, first time
    let p = s.proposal(id);
    assert!(p.end_time > end);
    assert_eq!(p.end_time, s.now() + 2 * DAY);
    // Quorum reached early: no extension.
    let id2 = s.propose_text(&alice, "y").unwrap();
    s.vote(&carol, id2, Ballot::Yes).unwrap();
    assert_eq!(s.proposal(id2).end_time, s.proposal(id2).start_time + 7 * DAY);
}

#[test]
#[should_panic(expected = "late-quorum window and extension must be 1 second to 30 days")]
fn a_late_quorum_extension_past_30_days_is_refused() {
    // One that overflowed the end time used to panic the vote reaching quorum.
    SuiteBuilder::new()
        .gov(|g| {
            g.late_quorum = Some(fog_governance::state::LateQuorum {
                window: DAY,
                extension: u64::MAX,
            })
        })
        .build();
}

#[test]
fn one_ballot_per_voter_and_only_while_open() {
    let (mut s, [alice, bob, ..]) = setup();
    let id = s.propose_text(&alice, "x").unwrap();
    s.vote(&bob, id, Ballot::No).unwrap();
    let err = s.vote(&bob, id, Ballot::Yes).unwrap_err();
    assert!(err.contains("already voted"), "{err}");
    s.advance_seconds(7 * DAY);
    let err = s.vote(&alice, id, Ballot::Yes).unwrap_err();
    assert!(err.contains("closed"), "{err}");
    let err = s.vote(&alice, 99, Ballot::Yes).unwrap_err();
    assert!(err.contains("does not exist"), "{err}");
    let nobody = s.addr("nobody");
    let id = s.propose_text(&alice, "y").unwrap();
    let err = s.vote(&nobody, id, Ballot::Yes).unwrap_err();
    assert!(err.contains("had no voting power"), "{err}");
}

#[test]
fn the_ballot_must_fit_the_method() {
    let (mut s, [alice, bob, ..]) = setup();
    let yn = s.propose_text(&alice, "x").unwrap();
    let err = s.vote(&bob, yn, Ballot::Choice { option: 0 }).unwrap_err();
    assert!(err.contains("yes, no or abstain"), "{err}");
    let mc = s
        .propose(&alice, choice_proposal(VotingMethod::MultipleChoice, &["a", "b", "c"]))
        .unwrap();
    let err = s.vote(&bob, mc, Ballot::Yes).unwrap_err();
    assert!(err.contains("one option"), "{err}");
    let err = s.vote(&bob, mc, Ballot::Choice { option: 3 }).unwrap_err();
    assert!(err.contains("does not exist"), "{err}");
    let rc = s
        .propose(
            &alice,
            choice_proposal(VotingMethod::RankedChoice, &["a", "b", "c", "d"]),
        )
        .unwrap();
    for (ranking, expected) in [
        (vec![], "at least one"),
        (vec![0, 0], "ranked twice"),
        (vec![4], "does not exist"),
        (vec![0, 1, 2, 3], "at most 3"),
    ] {
        let err = s.vote(&bob, rc, Ballot::Ranking { ranking }).unwrap_err();
        assert!(err.contains(expected), "{expected}: {err}");
    }
}
