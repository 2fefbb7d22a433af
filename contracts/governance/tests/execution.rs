//! Passed proposals: timelock, veto, treasury limits and every action kind.

mod common;
use common::*;
use cosmwasm_std::{coins, to_json_binary, Addr, Uint128};
use fog_governance::msg::{Asset, ConfigChange, ContractCall, Transfer};
use fog_governance::state::{KindRules, ProposalKind};

/// Everyone votes yes until the outcome is decided.
fn pass(s: &mut Suite, proposer: &Addr, msg: ProposeMsg) -> u64 {
    let id = s.propose(proposer, msg).unwrap();
    for i in 0..4 {
        if s.proposal(id).status != Status::Open {
            break;
        }
        let voter = s.user(i);
        s.vote(&voter, id, Ballot::Yes).unwrap();
    }
    assert_eq!(s.proposal(id).status, Status::Passed);
    id
}

fn spend_fog(to: &Addr, amount: Uint128, token: &Addr) -> ProposeMsg {
    ProposeMsg {
        action: Some(Action::TreasurySpend {
            transfers: vec![Transfer {
                recipient: to.to_string(),
                asset: Asset::Cw20(token.to_string()),
                amount,
            }],
        }),
        ..text_proposal("grant")
    }
}

#[test]
fn a_treasury_spend_runs_after_its_timelock() {
    let (mut s, [alice, ..]) = setup();
    let grantee = s.addr("grantee");
    let token = s.token.clone();
    let id = pass(&mut s, &alice, spend_fog(&grantee, fog(100), &token));
    let err = execute(&mut s, id).unwrap_err();
    assert!(err.contains("timelocked"), "{err}");
    s.advance_seconds(2 * DAY);
    execute(&mut s, id).unwrap();
    assert_eq!(s.fog_balance(&grantee), fog(100));
    assert_eq!(s.proposal(id).status, Status::Executed);
    let err = execute(&mut s, id).unwrap_err();
    assert!(err.contains("has not passed (status: executed)"), "{err}");
}

/// A passed proposal may run for 14 days and a spending period after its
/// timelock, then no more (before stop 20 it stayed executable forever);
/// closing it still refunds its deposit.
#[test]
fn a_passed_proposal_runs_within_its_execution_window() {
    use fog_governance::config::EXECUTION_WINDOW;
    let (mut s, [alice, ..]) = setup();
    let grantee = s.addr("grantee");
    let token = s.token.clone();
    let id = pass(&mut s, &alice, spend_fog(&grantee, fog(100), &token));
    let window = EXECUTION_WINDOW + s.gov_config().spend_period;
    let until = s.proposal(id).executable_at.unwrap() + window;
    assert_eq!(s.proposal(id).executable_until, Some(until));
    s.advance_seconds(until - s.now());
    assert_eq!(s.proposal(id).status, Status::Passed, "on the window's last second");
    let late = pass(&mut s, &alice, spend_fog(&grantee, fog(7), &token));
    execute(&mut s, id).unwrap();
    assert_eq!(s.fog_balance(&grantee), fog(100), "on the window's last second");
    let last = s.proposal(late).executable_at.unwrap() + window;
    s.advance_seconds(last - s.now());
    assert_eq!(s.proposal(late).status, Status::Passed);
    s.advance_seconds(1);
    // Past its window the proposal reads `expired` (before stop 22 it read
    // `passed`, though it could no longer run), in the listing as well.
    let shown = s.proposal(late);
    assert_eq!(shown.status, Status::Expired);
    assert_eq!(shown.executable_until, Some(last));
    let listed: fog_governance::msg::ProposalsResponse = s.query(
        &s.governance,
        &QueryMsg::Proposals {
            start_before: None,
            limit: Some(1),
        },
    );
    assert_eq!(listed.proposals[0].status, Status::Expired);
    assert_eq!(s.proposal(id).status, Status::Executed);
    let err = execute(&mut s, late).unwrap_err();
    assert!(err.contains("execution window is over"), "{err}");
    assert_eq!(s.fog_balance(&grantee), fog(100));
    let before = s.fog_balance(&alice);
    close(&mut s, late).unwrap();
    assert!(s.fog_balance(&alice) > before, "the deposit is refunded");
}

#[test]
fn a_parameter_change_can_remove_the_guardian_and_the_vote_cap() {
    let (mut s, [alice, ..]) = setup();
    // Sent as JSON, `null` must mean "remove", not "keep".
    let removal = ProposeMsg {
        action: Some(Action::ParameterChange(ConfigChange {
            guardian: Some(None),
            max_vote_share_bps: Some(None),
            ..ConfigChange::default()
        })),
        ..text_proposal("no guardian, no cap")
    };
    let json = cosmwasm_std::to_json_string(&removal).unwrap();
    assert!(
        json.contains(r#""guardian":null"#) && !json.contains("registry"),
        "{json}"
    );
    let cap = ProposeMsg {
        action: Some(Action::ParameterChange(ConfigChange {
            max_vote_share_bps: Some(Some(5_000)),
            ..ConfigChange::default()
        })),
        ..text_proposal("a cap")
    };
    let id = pass(&mut s, &alice, cap);
    s.advance_seconds(7 * DAY);
    execute(&mut s, id).unwrap();
    assert_eq!(s.gov_config().max_vote_share_bps, Some(5_000));
    let id = pass(&mut s, &alice, removal);
    assert_eq!(s.proposal(id).kind, ProposalKind::RulesChange);
    s.advance_seconds(7 * DAY);
    execute(&mut s, id).unwrap();
    let config = s.gov_config();
    assert_eq!((config.guardian, config.max_vote_share_bps), (None, None));
}

#[test]
fn the_limit_holds_over_any_window_not_per_calendar_period() {
    let (mut s, [alice, ..]) = setup();
    let grantee = s.addr("grantee");
    let token = s.token.clone();
    let period = s.gov_config().spend_period;
    let a = pass(&mut s, &alice, spend_fog(&grantee, fog(600_000), &token));
    let b = pass(&mut s, &alice, spend_fog(&grantee, fog(600_000), &token));
    s.advance_seconds(2 * DAY);
    // An hour before a calendar period's end, then an hour after it: a
    // calendar limit would let both out.
    let to_boundary = period - s.now() % period;
    s.advance_seconds(to_boundary - 3_600);
    execute(&mut s, a).unwrap();
    s.advance_seconds(7_200);
    let err = execute(&mut s, b).unwrap_err();
    assert!(err.contains("would exceed the limit"), "{err}");
    let spending: fog_governance::msg::SpendingResponse = s.query(&s.governance, &QueryMsg::Spending {});
    assert_eq!(spending.spent[0].amount, fog(600_000));
    // A whole period after the first spend, it is out of the window.
    s.advance_seconds(period - 7_200);
    execute(&mut s, b).unwrap();
    let spending: fog_governance::msg::SpendingResponse = s.query(&s.governance, &QueryMsg::Spending {});
    assert_eq!(spending.spent[0].amount, fog(600_000));
}

#[test]
fn a_spend_cannot_take_the_deposits_the_treasury_holds() {
    let (mut s, [alice, ..]) = setup();
    let (gov, token) = (s.governance.clone(), s.token.clone());
    let grantee = s.addr("grantee");
    let deposit = s.gov_config().deposit;
    // No period limit, so only the deposits stand in the way.
    let unlimited = ProposeMsg {
        action: Some(Action::ParameterChange(ConfigChange {
            spend_limits: Some(vec![]),
            ..ConfigChange::default()
        })),
        ..text_proposal("no limits")
    };
    let unlimit = pass(&mut s, &alice, unlimited);
    s.advance_seconds(7 * DAY);
    execute(&mut s, unlimit).unwrap();
    // The treasury's own FOG: its balance less the one deposit it holds.
    let own = s.fog_balance(&gov) - deposit;
    let greedy = pass(&mut s, &alice, spend_fog(&grantee, own + Uint128::one(), &token));
    let fair = pass(&mut s, &alice, spend_fog(&grantee, own, &token));
    s.advance_seconds(2 * DAY);
    let err = execute(&mut s, greedy).unwrap_err();
    assert!(err.contains("would spend proposal deposits"), "{err}");
    execute(&mut s, fair).unwrap();
    assert_eq!(s.fog_balance(&grantee), own);
    // Every deposit can still be refunded.
    for id in [unlimit, greedy, fair] {
        close(&mut s, id).unwrap();
    }
    assert_eq!(s.fog_balance(&gov), Uint128::zero());
}

#[test]
fn native_spends_work_too() {
    let (mut s, [alice, ..]) = setup();
    let gov = s.governance.clone();
    s.app
        .init_modules(|router, _, storage| router.bank.init_balance(storage, &gov, coins(5_000, "inj")))
        .unwrap();
    let grantee = s.addr("grantee");
    let msg = ProposeMsg {
        action: Some(Action::TreasurySpend {
            transfers: vec![Transfer {
                recipient: grantee.to_string(),
                asset: Asset::Native("inj".into()),
                amount: Uint128::new(1_234),
            }],
        }),
        ..text_proposal("native grant")
    };
    let id = pass(&mut s, &alice, msg);
    s.advance_seconds(2 * DAY);
    execute(&mut s, id).unwrap();
    assert_eq!(
        s.app.wrap().query_balance(&grantee, "inj").unwrap().amount.u128(),
        1_234
    );
}

#[test]
fn spending_beyond_the_period_limit_is_refused() {
    let (mut s, [alice, ..]) = setup();
    let grantee = s.addr("grantee");
    let token = s.token.clone();
    let a = pass(&mut s, &alice, spend_fog(&grantee, fog(600_000), &token));
    let b = pass(&mut s, &alice, spend_fog(&grantee, fog(600_000), &token));
    s.advance_seconds(2 * DAY);
    execute(&mut s, a).unwrap();
    let err = execute(&mut s, b).unwrap_err();
    assert!(err.contains("would exceed the limit"), "{err}");
    assert_eq!(s.proposal(b).status, Status::Passed, "it may run next period");
    s.advance_seconds(30 * DAY);
    execute(&mut s, b).unwrap();
    assert_eq!(s.fog_balance(&grantee), fog(1_200_000));
}

#[test]
fn the_guardian_vetoes_during_the_timelock_only() {
    let (mut s, [alice, bob, ..]) = setup();
    let grantee = s.addr("grantee");
    let token = s.token.clone();
    let id = pass(&mut s, &alice, spend_fog(&grantee, fog(1), &token));
    let veto = ExecuteMsg::Veto {
        proposal_id: id,
        reason: Some("suspicious".into()),
    };
    let err = s.gov_exec(&bob, veto.clone()).unwrap_err();
    assert!(err.contains("only the guardian"), "{err}");
    let admin = s.admin.clone();
    for (reason, expected) in [("a\u{0}b".to_string(), "U+0000"), ("r".repeat(513), "longer than 512")] {
        let err = s
            .gov_exec(
                &admin,
                ExecuteMsg::Veto {
                    proposal_id: id,
                    reason: Some(reason),
                },
            )
            .unwrap_err();
        assert!(err.contains(expected), "{err}");
    }
    // Closing cannot refund the deposit ahead of the veto that burns it.
    let err = close(&mut s, id).unwrap_err();
    assert!(err.contains("settled when its timelock ends"), "{err}");
    let admin = s.admin.clone();
    let supply = |s: &Suite| {
        s.query::<_, cw20::TokenInfoResponse>(&s.token, &cw20::Cw20QueryMsg::TokenInfo {})
            .total_supply
    };
    let before = supply(&s);
    assert!(!s.proposal(id).deposit.is_zero());
    s.gov_exec(&admin, veto).unwrap();
    assert_eq!(s.proposal(id).status, Status::Vetoed);
    assert_eq!(
        supply(&s),
        before - s.proposal(id).deposit,
        "the veto burned the deposit"
    );
    assert!(close(&mut s, id).unwrap_err().contains("already closed"));
    let err = execute(&mut s, id).unwrap_err();
    assert!(err.contains("vetoed"), "{err}");

    let id = pass(&mut s, &alice, spend_fog(&grantee, fog(1), &token));
    s.advance_seconds(2 * DAY);
    let err = s
        .gov_exec(
            &admin,
            ExecuteMsg::Veto {
                proposal_id: id,
                reason: None,
            },
        )
        .unwrap_err();
    assert!(err.contains("veto period"), "{err}");
    // Past the veto period, closing refunds it.
    let before = s.fog_balance(&alice);
    close(&mut s, id).unwrap();
    assert_eq!(s.fog_balance(&alice), before + s.proposal(id).deposit);
}

#[test]
fn unpassed_proposals_do_not_run() {
    let (mut s, [alice, bob, ..]) = setup();
    let id = s.propose_text(&alice, "x").unwrap();
    let err = execute(&mut s, id).unwrap_err();
    assert!(err.contains("has not passed (status: open)"), "{err}");
    s.vote(&alice, id, Ballot::No).unwrap();
    s.vote(&bob, id, Ballot::No).unwrap();
    let err = execute(&mut s, id).unwrap_err();
    assert!(err.contains("status: rejected"), "{err}");
}

#[test]
fn parameter_and_rules_changes_apply_on_execution() {
    let (mut s, [alice, ..]) = setup();
    let change = ProposeMsg {
        action: Some(Action::ParameterChange(ConfigChange {
            deposit: Some(fog(5)),
            max_vote_share_bps: Some(Some(2_500)),
            ..ConfigChange::default()
        })),
        ..text_proposal("cheaper deposit, whale cap")
    };
    let id = pass(&mut s, &alice, change);
    // The vote cap is a safeguard: voted on under the rules-change rules.
    let p = s.proposal(id);
    assert_eq!((p.kind, p.quorum_bps), (ProposalKind::RulesChange, 3_000));
    let err = execute(&mut s, id).unwrap_err();
    assert!(err.contains("timelocked"), "{err}");
    s.advance_seconds(7 * DAY);
    execute(&mut s, id).unwrap();
    let config = s.gov_config();
    assert_eq!(config.deposit, fog(5));
    assert_eq!(config.max_vote_share_bps, Some(2_500));

    let rules = ProposeMsg {
        action: Some(Action::RulesChange {
            rules: vec![KindRules {
                kind: ProposalKind::Text,
                quorum_bps: 500,
                threshold_bps: 6_000,
                voting_period: DAY,
                timelock: 0,
            }],
        }),
        ..text_proposal("faster text votes")
    };
    // With the 25% cap, alice and bob alone no longer decide it.
    let id = pass(&mut s, &alice, rules);
    s.advance_seconds(7 * DAY);
    execute(&mut s, id).unwrap();
    let id = s.propose_text(&alice, "after").unwrap();
    assert_eq!(s.proposal(id).quorum_bps, 500);
    // An invalid change is refused when proposed.
    let bad = ProposeMsg {
        action: Some(Action::ParameterChange(ConfigChange {
            max_options: Some(50),
            ..ConfigChange::default()
        })),
        ..text_proposal("bad")
    };
    let err = s.propose(&alice, bad).unwrap_err();
    assert!(err.contains("max_options"), "{err}");
    // Quadratic voting without its Sybil gate is refused.
    let open_gate = ProposeMsg {
        action: Some(Action::ParameterChange(ConfigChange {
            quadratic_min_kyc_tier: Some(0),
            ..ConfigChange::default()
        })),
        ..text_proposal("anyone counts")
    };
    let err = s.propose(&alice, open_gate).unwrap_err();
    assert!(err.contains("KYC tier of at least 1"), "{err}");
    // Who may propose is a safeguard; other parameters stay parameter
    // changes.
    let deposit_only = ProposeMsg {
        action: Some(Action::ParameterChange(ConfigChange {
            deposit: Some(fog(6)),
            ..ConfigChange::default()
        })),
        ..text_proposal("deposit")
    };
    let id = s.propose(&alice, deposit_only).unwrap();
    assert_eq!(s.proposal(id).kind, ProposalKind::RulesChange);
    let ranks_only = ProposeMsg {
        action: Some(Action::ParameterChange(ConfigChange {
            max_ranks: Some(2),
            ..ConfigChange::default()
        })),
        ..text_proposal("ranks")
    };
    let id = s.propose(&alice, ranks_only).unwrap();
    assert_eq!(s.proposal(id).kind, ProposalKind::ParameterChange);
    // A KYC tier to propose without a registry to read it from is refused.
    let unreadable = ProposeMsg {
        action: Some(Action::ParameterChange(ConfigChange {
            proposer_min_kyc_tier: Some(Some(1)),
            registry: Some(None),
            ..ConfigChange::default()
        })),
        ..text_proposal("tier without registry")
    };
    let err = s.propose(&alice, unreadable).unwrap_err();
    assert!(err.contains("needs a registry"), "{err}");
}

#[test]
fn a_protocol_upgrade_calls_a_managed_contract() {
    let (mut s, [alice, _, carol, _]) = setup();
    let (admin, registry, gov) = (s.admin.clone(), s.registry.clone(), s.governance.clone());
    s.execute(
        &admin,
        &registry,
        &fog_registry::msg::ExecuteMsg::UpdateOwner { owner: gov.to_string() },
    )
    .unwrap();
    let msg = ProposeMsg {
        action: Some(Action::ProtocolUpgrade {
            migrations: vec![],
            calls: vec![ContractCall {
                contract: registry.to_string(),
                msg: to_json_binary(&fog_registry::msg::ExecuteMsg::AddOfficer {
                    address: carol.to_string(),
                })
                .unwrap(),
            }],
        }),
        ..text_proposal("appoint carol")
    };
    let id = pass(&mut s, &alice, msg);
    s.advance_seconds(7 * DAY);
    execute(&mut s, id).unwrap();
    let r: fog_registry::msg::IsOfficerResponse = s.query(
        &registry,
        &fog_registry::msg::QueryMsg::IsOfficer {
            address: carol.to_string(),
        },
    );
    assert!(r.is_officer);
}

#[test]
fn an_upgrade_cannot_move_the_treasurys_fog_by_a_call() {
    let (mut s, [alice, ..]) = setup();
    let (token, ve, registry) = (s.token.clone(), s.ve.clone(), s.registry.clone());
    let grantee = s.addr("grantee");
    let (admin, gov) = (s.admin.clone(), s.governance.clone());
    // As on the devnet, governance is the token's minter.
    s.execute(
        &admin,
        &token,
        &cw20::Cw20ExecuteMsg::UpdateMinter {
            new_minter: Some(gov.to_string()),
        },
    )
    .unwrap();
    // Even once the token is a managed contract (it could need a migration).
    let manage = ProposeMsg {
        action: Some(Action::ParameterChange(ConfigChange {
            managed_contracts: Some(vec![ve.to_string(), registry.to_string(), token.to_string()]),
            ..ConfigChange::default()
        })),
        ..text_proposal("manage the token")
    };
    let id = pass(&mut s, &alice, manage);
    s.advance_seconds(7 * DAY);
    execute(&mut s, id).unwrap();
    let drain = |label: &str| ProposeMsg {
        action: Some(Action::ProtocolUpgrade {
            migrations: vec![],
            calls: vec![ContractCall {
                contract: token.to_string(),
                msg: to_json_binary(&cw20::Cw20ExecuteMsg::Transfer {
                    recipient: grantee.to_string(),
                    amount: fog(1_000_000),
                })
                .unwrap(),
            }],
        }),
        ..text_proposal(label)
    };
    let err = s.propose(&alice, drain("drain")).unwrap_err();
    assert!(err.contains("FOG token") && err.contains("use a transfer"), "{err}");
    // Balance-neutral calls, such as minting (governance is the minter),
    // are an upgrade's to make.
    let mint = ProposeMsg {
        action: Some(Action::ProtocolUpgrade {
            migrations: vec![],
            calls: vec![ContractCall {
                contract: token.to_string(),
                msg: to_json_binary(&cw20::Cw20ExecuteMsg::Mint {
                    recipient: grantee.to_string(),
                    amount: fog(5),
                })
                .unwrap(),
            }],
        }),
        ..text_proposal("mint")
    };
    let minted = pass(&mut s, &alice, mint);
    s.advance_seconds(7 * DAY);
    execute(&mut s, minted).unwrap();
    assert_eq!(s.fog_balance(&grantee), fog(5));
    // Nor without a limit on FOG: the treasury's FOG also holds the
    // proposal deposits, which only a checked transfer respects.
    let unlimit = ProposeMsg {
        action: Some(Action::ParameterChange(ConfigChange {
            spend_limits: Some(vec![]),
            ..ConfigChange::default()
        })),
        ..text_proposal("limits")
    };
    let id = pass(&mut s, &alice, unlimit);
    s.advance_seconds(7 * DAY);
    execute(&mut s, id).unwrap();
    let err = s.propose(&alice, drain("drain unlimited")).unwrap_err();
    assert!(err.contains("FOG token") && err.contains("use a transfer"), "{err}");
    assert_eq!(s.fog_balance(&grantee), fog(5), "only the minted FOG");
}

#[test]
fn an_emergency_runs_at_once_when_passed() {
    let (mut s, _) = setup();
    let admin = s.admin.clone();
    let grantee = s.addr("grantee");
    let token = s.token.clone();
    let msg = ProposeMsg {
        action: Some(Action::Emergency {
            transfers: vec![Transfer {
                recipient: grantee.to_string(),
                asset: Asset::Cw20(token.to_string()),
                amount: fog(7),
            }],
            calls: vec![],
        }),
        ..text_proposal("rescue")
    };
    let id = pass(&mut s, &admin, msg);
    execute(&mut s, id).unwrap();
    assert_eq!(s.fog_balance(&grantee), fog(7));
    // A call to the spend-limited token itself is refused: it would bypass
    // the limit.
    let sneaky = ProposeMsg {
        action: Some(Action::Emergency {
            transfers: vec![],
            calls: vec![ContractCall {
                contract: token.to_string(),
                msg: to_json_binary(&cw20::Cw20ExecuteMsg::Transfer {
                    recipient: grantee.to_string(),
                    amount: fog(1_000_000_000),
                })
                .unwrap(),
            }],
        }),
        ..text_proposal("sneaky")
    };
    let err = s.propose(&admin, sneaky).unwrap_err();
    assert!(err.contains("use a transfer"), "{err}");
    // Emergency transfers count against the treasury limit too.
    let spending: fog_governance::msg::SpendingResponse = s.query(&s.governance, &QueryMsg::Spending {});
    assert_eq!(spending.spent[0].amount, fog(7));
}

#[test]
fn a_veto_that_decides_an_unclosed_proposal_says_its_winner() {
    use fog_events::governance::ProposalVetoed;
    use fog_events::FogEvent;
    let (mut s, [alice, bob, carol, dave]) = setup();
    let grantee = s.addr("grantee");
    let token = s.token.clone();
    let Some(spend) = spend_fog(&grantee, fog(1), &token).action else {
        unreachable!()
    };
    // a and b spend; c is the status quo.
    let mut msg = choice_proposal(VotingMethod::RankedChoice, &["a", "b", "c"]);
    for option in msg.options.iter_mut().take(2) {
        option.action = Some(spend.clone());
    }
    let id = s.propose(&alice, msg).unwrap();
    s.vote(&alice, id, Ballot::Ranking { ranking: vec![0] }).unwrap();
    s.vote(&bob, id, Ballot::Ranking { ranking: vec![1, 0] }).unwrap();
    s.vote(&carol, id, Ballot::Ranking { ranking: vec![2, 1] }).unwrap();
    s.vote(&dave, id, Ballot::Ranking { ranking: vec![2, 1, 0] }).unwrap();
    s.advance_seconds(7 * DAY);
    let end_time = s.proposal(id).end_time;
    // Nobody closed it: the veto decides it (b wins the run-off) and vetoes.
    let admin = s.admin.clone();
    let res = s
        .gov_exec(
            &admin,
            ExecuteMsg::Veto {
                proposal_id: id,
                reason: None,
            },
        )
        .unwrap();
    let event = res
        .events
        .iter()
        .find(|e| e.ty == format!("wasm-{}", ProposalVetoed::TYPE))
        .expect("a veto event");
    let attrs: Vec<(&str, &str)> = event
        .attributes
        .iter()
        .map(|a| (a.key.as_str(), a.value.as_str()))
        .collect();
    let vetoed = ProposalVetoed::from_attributes(&attrs).unwrap();
    assert_eq!((vetoed.winner, vetoed.decided_at), (Some(1), Some(end_time)));
    let p = s.proposal(id);
    assert_eq!(
        (p.status, p.winner, p.decided_at),
        (Status::Vetoed, Some(1), Some(end_time))
    );
}

#[test]
fn a_migration_counts_the_deposits_already_held() {
    let (mut s, [alice, bob, ..]) = setup();
    let gov = s.governance.clone();
    let deposit = s.gov_config().deposit;
    s.propose_text(&alice, "one").unwrap();
    s.propose_text(&bob, "two").unwrap();
    let held = |s: &Suite| -> Option<Uint128> {
        s.app
            .contract_storage(&gov)
            .get(b"dh")
            .map(|raw| cosmwasm_std::from_json(raw).unwrap())
    };
    assert_eq!(held(&s), Some(deposit + deposit));
    // A deployment from before the count: it is not there, and its
    // configuration holds values this code refuses.
    s.app.contract_storage_mut(&gov).remove(b"dh");
    // ... and spent 300,000 FOG this calendar period, by the old count.
    let period = s.gov_config().spend_period;
    let key = format!("cw20:{}", s.token);
    let now = s.now();
    let old_count = cw_storage_plus::Map::<(&str, u64), Uint128>::new("sp");
    old_count
        .save(
            &mut *s.app.contract_storage_mut(&gov),
            (&key, now / period),
            &fog(300_000),
        )
        .unwrap();
    let mut config = s.gov_config();
    config.quadratic_min_kyc_tier = 0;
    config.rules[0].threshold_bps = 10_000;
    // A tier to propose with no registry: nobody could propose to lift it.
    config.registry = None;
    config.proposer_min_kyc_tier = Some(1);
    s.app
        .contract_storage_mut(&gov)
        .set(b"config", &cosmwasm_std::to_json_vec(&config).unwrap());
    let code_id = s.app.wrap().query_wasm_contract_info(&gov).unwrap().code_id;
    let admin = s.admin.clone();
    let res = cw_multi_test::Executor::migrate_contract(
        &mut s.app,
        admin,
        gov.clone(),
        &fog_governance::msg::MigrateMsg {},
        code_id,
    )
    .unwrap();
    assert_eq!(held(&s), Some(deposit + deposit));
    // The mended configuration is announced, as every change is (before
    // stop 22 an indexer kept the one the migration replaced).
    use fog_events::FogEvent;
    let event = res
        .events
        .iter()
        .find(|e| e.ty == format!("wasm-{}", fog_events::governance::ConfigUpdated::TYPE))
        .expect("a config event");
    let announced = &event.attributes.iter().find(|a| a.key == "config").unwrap().value;
    assert_eq!(
        cosmwasm_std::from_json::<fog_governance::state::Config>(announced).unwrap(),
        s.gov_config()
    );
    let config = s.gov_config();
    assert_eq!(
        (config.quadratic_min_kyc_tier, config.rules[0].threshold_bps),
        (1, 9_999)
    );
    assert_eq!(config.proposer_min_kyc_tier, None);
    s.propose_text(&alice, "proposing works again").unwrap();
    // The period's spending counts in the window.
    let spending: fog_governance::msg::SpendingResponse = s.query(&gov, &QueryMsg::Spending {});
    assert_eq!(spending.spent[0].amount, fog(300_000));
}

/// A ranked ballot is judged by the ranks allowed when its proposal opened:
/// a parameter change executed meanwhile does not change an open vote's
/// rules (before stop 22 the vote read the live `max_ranks`).
#[test]
fn an_open_ranked_vote_keeps_the_ranks_it_opened_with() {
    let (mut s, [alice, bob, ..]) = setup();
    let options = ["a", "b", "c", "d"];
    let ranked = s
        .propose(&alice, choice_proposal(VotingMethod::RankedChoice, &options))
        .unwrap();
    let one_rank = ProposeMsg {
        action: Some(Action::ParameterChange(ConfigChange {
            max_ranks: Some(1),
            ..ConfigChange::default()
        })),
        ..text_proposal("one rank")
    };
    let id = pass(&mut s, &alice, one_rank);
    s.advance_seconds(2 * DAY);
    execute(&mut s, id).unwrap();
    assert_eq!(s.gov_config().max_ranks, 1);
    assert_eq!(s.proposal(ranked).status, Status::Open);
    s.vote(&bob, ranked, Ballot::Ranking { ranking: vec![0, 1, 2] })
        .unwrap();
    let later = s
        .propose(&alice, choice_proposal(VotingMethod::RankedChoice, &options))
        .unwrap();
    let err = s
        .vote(&bob, later, Ballot::Ranking { ranking: vec![0, 1] })
        .unwrap_err();
    assert!(err.contains("at most 1"), "{err}");
}

/// A native asset must be a denomination the bank accepts (before stop 22
/// any 1 to 128 bytes passed, a NUL or a line break included).
#[test]
fn a_native_transfer_names_a_bank_denomination() {
    let (mut s, [alice, ..]) = setup();
    let grantee = s.addr("grantee");
    for denom in ["ab", "1nj", "in\u{0}j", "in j", "ibc/\n"] {
        let msg = ProposeMsg {
            action: Some(Action::TreasurySpend {
                transfers: vec![Transfer {
                    recipient: grantee.to_string(),
                    asset: Asset::Native(denom.into()),
                    amount: Uint128::new(1),
                }],
            }),
            ..text_proposal("native grant")
        };
        let err = s.propose(&alice, msg).unwrap_err();
        assert!(
            err.contains("a denomination is 3 to 128 characters"),
            "{denom:?}: {err}"
        );
    }
    let msg = ProposeMsg {
        action: Some(Action::TreasurySpend {
            transfers: vec![Transfer {
                recipient: grantee.to_string(),
                asset: Asset::Native("ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2".into()),
                amount: Uint128::new(1),
            }],
        }),
        ..text_proposal("native grant")
    };
    s.propose(&alice, msg).unwrap();
}

/// A ranked proposal stored before proposals kept their `max_ranks` (no
/// `mr` field) is judged by the configuration's current value.
#[test]
fn a_ranked_proposal_stored_without_its_ranks_reads_the_configuration() {
    use fog_governance::state::{ProposalCore, PROPOSALS};
    let (mut s, [alice, bob, carol, ..]) = setup();
    let gov = s.governance.clone();
    let id = s
        .propose(
            &alice,
            choice_proposal(VotingMethod::RankedChoice, &["a", "b", "c", "d"]),
        )
        .unwrap();
    // The proposal as earlier code stored it.
    let mut core: ProposalCore = PROPOSALS.load(&*s.app.contract_storage(&gov), id).unwrap();
    assert_eq!(core.max_ranks, Some(3), "kept since stop 22");
    core.max_ranks = None;
    PROPOSALS
        .save(&mut *s.app.contract_storage_mut(&gov), id, &core)
        .unwrap();
    let raw = s.app.contract_storage(&gov).get(&PROPOSALS.key(id)).unwrap();
    assert!(!String::from_utf8(raw).unwrap().contains("\"mr\""));
    s.vote(&bob, id, Ballot::Ranking { ranking: vec![0, 1, 2] }).unwrap();
    let mut config = s.gov_config();
    config.max_ranks = 1;
    s.app
        .contract_storage_mut(&gov)
        .set(b"config", &cosmwasm_std::to_json_vec(&config).unwrap());
    let err = s.vote(&carol, id, Ballot::Ranking { ranking: vec![0, 1] }).unwrap_err();
    assert!(err.contains("at most 1"), "{err}");
}
