//! Creating proposals: deposits, rights, validation, the snapshot.

mod common;
use common::*;
use fog_governance::msg::{ContractCall, Migration};

#[test]
fn a_proposal_snapshots_power_and_rules() {
    let (mut s, [alice, ..]) = setup();
    let id = s.propose_text(&alice, "Hello").unwrap();
    let p = s.proposal(id);
    assert_eq!(p.status, Status::Open);
    assert_eq!(p.start_height, s.height());
    assert_eq!(p.end_time, s.now() + 7 * DAY);
    assert_eq!(p.quorum_bps, 1_000);
    assert_eq!(p.options, vec!["yes", "no", "abstain"]);
    // The snapshot is the total before this block, at this block's time.
    assert_eq!(p.total_power, s.total_power());
}

#[test]
fn the_deposit_is_exact_and_taken() {
    let (mut s, [alice, ..]) = setup();
    let gov = s.governance.clone();
    let before = s.fog_balance(&alice);
    let err = s
        .send_fog(
            &alice,
            &gov,
            fog(999),
            &fog_governance::msg::ReceiveMsg::Propose(text_proposal("x")),
        )
        .unwrap_err();
    assert!(err.contains("the deposit is"), "{err}");
    let err = s.gov_exec(&alice, ExecuteMsg::Propose(text_proposal("x"))).unwrap_err();
    assert!(err.contains("the deposit is"), "{err}");
    s.propose_text(&alice, "x").unwrap();
    assert_eq!(before - s.fog_balance(&alice), fog(1_000));
}

#[test]
fn the_deposit_returns_with_quorum_and_burns_without() {
    let (mut s, [alice, bob, ..]) = setup();
    let a = s.propose_text(&alice, "reaches quorum, loses").unwrap();
    let b = s.propose_text(&bob, "nobody votes").unwrap();
    s.vote(&alice, a, Ballot::No).unwrap();
    s.advance_seconds(8 * DAY);
    let (alice_before, bob_before) = (s.fog_balance(&alice), s.fog_balance(&bob));
    close(&mut s, a).unwrap();
    close(&mut s, b).unwrap();
    assert_eq!(s.proposal(a).status, Status::Rejected);
    assert_eq!(s.fog_balance(&alice) - alice_before, fog(1_000), "refunded");
    assert_eq!(s.fog_balance(&bob), bob_before, "burned");
    let err = close(&mut s, a).unwrap_err();
    assert!(err.contains("already closed"), "{err}");
}

#[test]
fn proposing_needs_power_and_kyc_when_configured() {
    let (mut s, [alice, ..]) = voters(SuiteBuilder::new().gov(|g| g.proposer_min_kyc_tier = Some(2)));
    let nobody = s.addr("nobody");
    let token = s.token.clone();
    let admin = s.admin.clone();
    s.execute(
        &admin,
        &token,
        &cw20::Cw20ExecuteMsg::Transfer {
            recipient: nobody.to_string(),
            amount: fog(5_000),
        },
    )
    .unwrap();
    let err = s.propose_text(&nobody, "x").unwrap_err();
    assert!(err.contains("proposing needs"), "{err}");
    let err = s.propose_text(&alice, "x").unwrap_err();
    assert!(err.contains("KYC tier 2"), "{err}");
    s.set_kyc(&alice, 2, false).unwrap();
    s.propose_text(&alice, "x").unwrap();
}

#[test]
fn power_locked_in_the_proposals_block_does_not_count() {
    let (mut s, [alice, ..]) = setup();
    let eve = s.addr("eve");
    let (admin, token) = (s.admin.clone(), s.token.clone());
    s.execute(
        &admin,
        &token,
        &cw20::Cw20ExecuteMsg::Transfer {
            recipient: eve.to_string(),
            amount: fog(1_000_000),
        },
    )
    .unwrap();
    // Same block: eve locks, then alice proposes.
    s.lock(&eve, fog(1_000_000), 200 * WEEK).unwrap();
    let id = s.propose_text(&alice, "snapshot").unwrap();
    let err = s.vote(&eve, id, Ballot::Yes).unwrap_err();
    assert!(err.contains("had no voting power"), "{err}");
    // Nor did the total include her.
    assert!(s.proposal(id).total_power < s.total_power());
}

#[test]
fn power_gained_after_the_start_does_not_count() {
    let (mut s, [alice, bob, ..]) = setup();
    let id = s.propose_text(&alice, "snapshot").unwrap();
    s.advance(1);
    let before: fog_governance::msg::VotingPowerResponse = s.query(
        &s.governance,
        &QueryMsg::VotingPower {
            proposal_id: id,
            address: bob.to_string(),
        },
    );
    s.increase(&bob, fog(5_000_000)).unwrap();
    s.vote(&bob, id, Ballot::Yes).unwrap();
    let vote: fog_governance::msg::VoteResponse = s.query(
        &s.governance,
        &QueryMsg::Vote {
            proposal_id: id,
            voter: bob.to_string(),
        },
    );
    assert_eq!(vote.power, before.power);
}

#[test]
fn only_validators_and_the_guardian_propose_emergencies() {
    let (mut s, [alice, ..]) = setup();
    let emergency = ProposeMsg {
        action: Some(Action::Emergency {
            transfers: vec![],
            calls: vec![fog_governance::msg::ContractCall {
                contract: s.ve.to_string(),
                msg: cosmwasm_std::to_json_binary(&fog_ve::msg::ExecuteMsg::Checkpoint {}).unwrap(),
            }],
        }),
        ..text_proposal("halt")
    };
    let err = s.propose(&alice, emergency.clone()).unwrap_err();
    assert!(err.contains("only validators and the guardian"), "{err}");
    // It runs at once with no veto, so only at the contracts governance
    // manages.
    let elsewhere = ProposeMsg {
        action: Some(Action::Emergency {
            transfers: vec![],
            calls: vec![fog_governance::msg::ContractCall {
                contract: s.addr("elsewhere").to_string(),
                msg: cosmwasm_std::to_json_binary(&fog_ve::msg::ExecuteMsg::Checkpoint {}).unwrap(),
            }],
        }),
        ..text_proposal("anything goes")
    };
    let admin = s.admin.clone();
    let err = s.propose(&admin, elsewhere).unwrap_err();
    assert!(err.contains("not a contract the DAO manages"), "{err}");
    // The admin (guardian and validator) holds no veFOG: the power minimum
    // does not apply to emergencies.
    let id = s.propose(&admin, emergency).unwrap();
    let p = s.proposal(id);
    assert_eq!(p.kind, fog_governance::state::ProposalKind::Emergency);
    assert_eq!(p.quorum_bps, 3_000, "the seed's emergency quorum");
    assert_eq!(p.end_time - p.start_time, DAY);
}

#[test]
fn invalid_proposals_are_refused() {
    let (mut s, [alice, ..]) = setup();
    let cases: Vec<(ProposeMsg, &str)> = vec![
        (
            ProposeMsg {
                title: "  ".into(),
                ..text_proposal("")
            },
            "title is empty",
        ),
        (
            ProposeMsg {
                title: "t".repeat(129),
                ..text_proposal("")
            },
            "longer than 128",
        ),
        (
            ProposeMsg {
                title: "a\u{0}b".into(),
                ..text_proposal("")
            },
            "title contains the control character U+0000",
        ),
        (
            ProposeMsg {
                description: "colour \u{1b}[31m".into(),
                ..text_proposal("t")
            },
            "description contains the control character U+001B",
        ),
        (
            choice_proposal(VotingMethod::MultipleChoice, &["a", "b\u{7}"]),
            "U+0007",
        ),
        (
            choice_proposal(VotingMethod::MultipleChoice, &["only one"]),
            "2 to 10 options",
        ),
        (
            choice_proposal(
                VotingMethod::RankedChoice,
                &["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"],
            ),
            "2 to 10 options",
        ),
        (
            choice_proposal(VotingMethod::MultipleChoice, &["a", "a"]),
            "appears twice",
        ),
        (
            ProposeMsg {
                options: vec![OptionMsg {
                    title: "x".into(),
                    action: None,
                }],
                ..text_proposal("yes/no with options")
            },
            "take no options",
        ),
        (
            ProposeMsg {
                action: Some(Action::ProtocolUpgrade {
                    migrations: vec![Migration {
                        contract: s.token.to_string(),
                        new_code_id: 1,
                        msg: cosmwasm_std::to_json_binary(&cosmwasm_std::Empty {}).unwrap(),
                    }],
                    calls: vec![],
                }),
                ..text_proposal("upgrade")
            },
            "not a contract the DAO manages",
        ),
        (
            ProposeMsg {
                action: Some(Action::ProtocolUpgrade {
                    migrations: vec![],
                    calls: vec![],
                }),
                ..text_proposal("empty upgrade")
            },
            "needs a migration or a call",
        ),
        (
            ProposeMsg {
                action: Some(Action::TreasurySpend { transfers: vec![] }),
                ..text_proposal("spend nothing")
            },
            "transfers: 1 to 32",
        ),
    ];
    for (msg, expected) in cases {
        let err = s.propose(&alice, msg).unwrap_err();
        assert!(err.contains(expected), "expected {expected:?} in {err}");
    }
    // A call to a managed contract is fine.
    let ok = ProposeMsg {
        action: Some(Action::ProtocolUpgrade {
            migrations: vec![],
            calls: vec![ContractCall {
                contract: s.ve.to_string(),
                msg: cosmwasm_std::to_json_binary(&fog_ve::msg::ExecuteMsg::Checkpoint {}).unwrap(),
            }],
        }),
        ..text_proposal("checkpoint ve")
    };
    s.propose(&alice, ok).unwrap();
}

#[test]
fn a_choice_between_a_plain_and_a_safeguard_parameter_change_says_why_it_is_refused() {
    use fog_governance::msg::ConfigChange;
    let (mut s, [alice, ..]) = setup();
    let change = |c: ConfigChange, title: &str| OptionMsg {
        title: title.into(),
        action: Some(Action::ParameterChange(c)),
    };
    let msg = ProposeMsg {
        options: vec![
            change(
                ConfigChange {
                    max_options: Some(5),
                    ..ConfigChange::default()
                },
                "fewer options",
            ),
            change(
                ConfigChange {
                    guardian: Some(None),
                    ..ConfigChange::default()
                },
                "no guardian",
            ),
        ],
        ..choice_proposal(fog_governance::state::VotingMethod::MultipleChoice, &[])
    };
    let err = s.propose(&alice, msg).unwrap_err();
    assert!(
        err.contains("this one is a rules_change, the first a parameter_change"),
        "{err}"
    );
}
