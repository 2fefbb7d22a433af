//! The owner's actions and migration: who may do them, what they refuse,
//! and the one event each emits.

mod common;

use common::*;
use cosmwasm_std::Addr;
use cw_multi_test::Executor;
use fog_audit_anchor::contract::{CONTRACT_NAME, CONTRACT_VERSION};
use fog_audit_anchor::msg::{ConfigResponse, ExecuteMsg, MigrateMsg, QueryMsg};
use fog_audit_anchor::ContractError;
use fog_events::audit_anchor::{
    AuditAnchorEvent, Instantiated, LogCreated, Migrated, OwnerUpdated, SubmitterAdded, SubmitterRemoved,
};
use fog_events::AnyEvent;

fn create(origin: &str, submitters: &[&Addr]) -> ExecuteMsg {
    ExecuteMsg::CreateLog {
        origin: origin.to_string(),
        submitters: submitters.iter().map(|a| a.to_string()).collect(),
        public_key: None,
    }
}

fn add(submitter: &Addr) -> ExecuteMsg {
    ExecuteMsg::AddSubmitter {
        origin: ORIGIN.to_string(),
        submitter: submitter.to_string(),
    }
}

fn remove(submitter: &Addr) -> ExecuteMsg {
    ExecuteMsg::RemoveSubmitter {
        origin: ORIGIN.to_string(),
        submitter: submitter.to_string(),
    }
}

fn event(res: &cw_multi_test::AppResponse) -> AuditAnchorEvent {
    match the_event(res) {
        AnyEvent::AuditAnchor(e) => e,
        other => panic!("not an audit-anchor event: {other:?}"),
    }
}

#[test]
fn instantiation_names_the_owner() {
    let mut app = cw_multi_test::App::default();
    let deployer = app.api().addr_make("deployer");
    let governance = app.api().addr_make("governance");
    let code_id = app.store_code(anchor_code());
    let contract = app
        .instantiate_contract(
            code_id,
            deployer.clone(),
            &fog_audit_anchor::msg::InstantiateMsg {
                owner: governance.to_string(),
            },
            &[],
            "anchor",
            None,
        )
        .unwrap();
    let config: ConfigResponse = app.wrap().query_wasm_smart(&contract, &QueryMsg::Config {}).unwrap();
    assert_eq!(config.owner, governance);
    let info = cw2::query_contract_info(&app.wrap(), contract.to_string()).unwrap();
    assert_eq!(info.contract, "crates.io:fog-audit-anchor");

    let bad = app.instantiate_contract(
        code_id,
        deployer,
        &fog_audit_anchor::msg::InstantiateMsg {
            owner: "not an address".to_string(),
        },
        &[],
        "anchor",
        None,
    );
    assert!(bad.is_err());
}

#[test]
fn the_instantiation_event() {
    let mut app = cw_multi_test::App::default();
    let owner = app.api().addr_make("owner");
    let code_id = app.store_code(anchor_code());
    let msg = cosmwasm_std::WasmMsg::Instantiate {
        admin: None,
        code_id,
        msg: cosmwasm_std::to_json_binary(&fog_audit_anchor::msg::InstantiateMsg {
            owner: owner.to_string(),
        })
        .unwrap(),
        funds: vec![],
        label: "anchor".into(),
    };
    let res = app.execute(owner.clone(), msg.into()).unwrap();
    assert_eq!(
        event(&res),
        AuditAnchorEvent::Instantiated(Instantiated {
            owner: owner.to_string(),
            sender: owner.to_string(),
        })
    );
}

#[test]
fn creating_a_log() {
    let mut suite = Suite::new();
    let (owner, relayer, stranger) = (suite.owner.clone(), suite.relayer.clone(), suite.stranger.clone());
    let res = suite.exec(&owner, &create(ORIGIN, &[&relayer, &stranger])).unwrap();
    assert_eq!(
        event(&res),
        AuditAnchorEvent::LogCreated(LogCreated {
            origin: ORIGIN.to_string(),
            submitters: vec![relayer.to_string(), stranger.to_string()],
            owner: owner.to_string(),
            public_key: None,
        })
    );
    let log = suite.log(ORIGIN);
    assert_eq!(log.submitters, vec![relayer.clone(), stranger.clone()]);
    assert_eq!(log.latest, None);

    assert_eq!(
        suite.exec(&owner, &create(ORIGIN, &[])).unwrap_err(),
        ContractError::LogExists {
            origin: ORIGIN.to_string()
        }
    );
    assert_eq!(
        suite.exec(&relayer, &create("x.example/log", &[])).unwrap_err(),
        ContractError::NotOwner
    );
    for bad in ["", " padded", "padded ", "two\nlines", &"x".repeat(129)] {
        assert!(matches!(
            suite.exec(&owner, &create(bad, &[])).unwrap_err(),
            ContractError::InvalidOrigin { .. }
        ));
    }
    assert_eq!(
        suite
            .exec(&owner, &create("dup.example/log", &[&relayer, &relayer]))
            .unwrap_err(),
        ContractError::AlreadySubmitter {
            origin: "dup.example/log".to_string(),
            submitter: relayer.to_string()
        }
    );
    let many: Vec<Addr> = (0..21).map(|i| suite.addr(&format!("s{i}"))).collect();
    let refs: Vec<&Addr> = many.iter().collect();
    assert_eq!(
        suite.exec(&owner, &create("many.example/log", &refs)).unwrap_err(),
        ContractError::TooManySubmitters {
            origin: "many.example/log".to_string(),
            max: 20
        }
    );
    suite.exec(&owner, &create("many.example/log", &refs[..20])).unwrap();
    let err = suite
        .exec(
            &owner,
            &ExecuteMsg::CreateLog {
                origin: "bad.example/log".into(),
                submitters: vec!["not an address".into()],
                public_key: None,
            },
        )
        .unwrap_err();
    assert!(matches!(err, ContractError::Std(_)), "{err:?}");
}

#[test]
fn adding_and_removing_submitters() {
    let mut suite = Suite::with_log();
    let (owner, relayer, stranger) = (suite.owner.clone(), suite.relayer.clone(), suite.stranger.clone());
    let second = suite.addr("relayer-2");

    let res = suite.exec(&owner, &add(&second)).unwrap();
    assert_eq!(
        event(&res),
        AuditAnchorEvent::SubmitterAdded(SubmitterAdded {
            origin: ORIGIN.to_string(),
            submitter: second.to_string(),
            owner: owner.to_string(),
        })
    );
    assert_eq!(suite.log(ORIGIN).submitters, vec![relayer.clone(), second.clone()]);
    assert_eq!(
        suite.exec(&owner, &add(&second)).unwrap_err(),
        ContractError::AlreadySubmitter {
            origin: ORIGIN.to_string(),
            submitter: second.to_string()
        }
    );

    let res = suite.exec(&owner, &remove(&relayer)).unwrap();
    assert_eq!(
        event(&res),
        AuditAnchorEvent::SubmitterRemoved(SubmitterRemoved {
            origin: ORIGIN.to_string(),
            submitter: relayer.to_string(),
            owner: owner.to_string(),
        })
    );
    assert_eq!(suite.log(ORIGIN).submitters, vec![second.clone()]);
    assert_eq!(
        suite.exec(&owner, &remove(&relayer)).unwrap_err(),
        ContractError::NotSubmitter {
            origin: ORIGIN.to_string(),
            submitter: relayer.to_string()
        }
    );

    // Only the owner, only known logs.
    for msg in [add(&stranger), remove(&second)] {
        assert_eq!(suite.exec(&second, &msg).unwrap_err(), ContractError::NotOwner);
    }
    let unknown = ExecuteMsg::AddSubmitter {
        origin: "nope".into(),
        submitter: stranger.to_string(),
    };
    assert_eq!(
        suite.exec(&owner, &unknown).unwrap_err(),
        ContractError::UnknownLog { origin: "nope".into() }
    );

    // At most 20.
    for i in 0..19 {
        let s = suite.addr(&format!("s{i}"));
        suite.exec(&owner, &add(&s)).unwrap();
    }
    assert_eq!(
        suite.exec(&owner, &add(&stranger)).unwrap_err(),
        ContractError::TooManySubmitters {
            origin: ORIGIN.to_string(),
            max: 20
        }
    );
}

#[test]
fn handing_over_ownership() {
    let mut suite = Suite::with_log();
    let (owner, stranger) = (suite.owner.clone(), suite.stranger.clone());
    let governance = suite.addr("governance");
    assert_eq!(
        suite
            .exec(
                &stranger,
                &ExecuteMsg::UpdateOwner {
                    owner: stranger.to_string()
                }
            )
            .unwrap_err(),
        ContractError::NotOwner
    );
    let res = suite
        .exec(
            &owner,
            &ExecuteMsg::UpdateOwner {
                owner: governance.to_string(),
            },
        )
        .unwrap();
    assert_eq!(
        event(&res),
        AuditAnchorEvent::OwnerUpdated(OwnerUpdated {
            previous_owner: owner.to_string(),
            new_owner: governance.to_string(),
        })
    );
    let config: ConfigResponse = suite.query(&QueryMsg::Config {}).unwrap();
    assert_eq!(config.owner, governance);
    // The old owner lost its rights, the new one has them.
    assert_eq!(
        suite.exec(&owner, &add(&stranger)).unwrap_err(),
        ContractError::NotOwner
    );
    suite.exec(&governance, &add(&stranger)).unwrap();
    assert!(suite
        .exec(
            &governance,
            &ExecuteMsg::UpdateOwner {
                owner: "not an address".into()
            }
        )
        .is_err());
}

fn set_version(suite: &mut Suite, contract: &str, version: &str) {
    let addr = suite.contract.clone();
    let mut storage = suite.app.contract_storage_mut(&addr);
    cw2::set_contract_version(storage.as_mut(), contract, version).unwrap();
}

fn migrate(suite: &mut Suite) -> Result<cw_multi_test::AppResponse, ContractError> {
    let (owner, contract, code_id) = (suite.owner.clone(), suite.contract.clone(), suite.code_id);
    suite
        .app
        .migrate_contract(owner, contract, &MigrateMsg {}, code_id)
        .map_err(|e| e.downcast::<ContractError>().unwrap())
}

#[test]
fn migration_keeps_the_logs_and_refuses_downgrades() {
    let mut suite = Suite::with_log();
    let log = Log::new("audit", 3);
    suite.submit(&log.checkpoint(None, 1)).unwrap();

    set_version(&mut suite, CONTRACT_NAME, "0.0.1");
    let res = migrate(&mut suite).unwrap();
    assert_eq!(
        event(&res),
        AuditAnchorEvent::Migrated(Migrated {
            from_version: "0.0.1".into(),
            to_version: CONTRACT_VERSION.into(),
        })
    );
    assert_eq!(suite.latest().unwrap().root, log.root());

    set_version(&mut suite, CONTRACT_NAME, "99.0.0");
    assert_eq!(
        migrate(&mut suite).unwrap_err(),
        ContractError::Downgrade {
            from: "99.0.0".into(),
            to: CONTRACT_VERSION.into()
        }
    );
    set_version(&mut suite, "crates.io:cw20-base", "0.0.1");
    assert_eq!(
        migrate(&mut suite).unwrap_err(),
        ContractError::WrongContract {
            expected: CONTRACT_NAME.into(),
            found: "crates.io:cw20-base".into()
        }
    );
}
