//! Ownership transfer and migration.

mod common;

use common::{gate_code, model_policy, single_event, Suite, SENIOR};
use cw_multi_test::Executor;
use fog_events::release_gate::{Migrated, OwnerUpdated, ReleaseGateEvent};
use fog_release_gate::msg::{ConfigResponse, ExecuteMsg, MigrateMsg, QueryMsg};
use fog_release_gate::ContractError;

#[test]
fn instantiate_records_owner_and_version() {
    let s = Suite::empty();
    let config: ConfigResponse = s.query(&QueryMsg::Config {});
    assert_eq!(config.owner, s.owner);
    let info = cw2::query_contract_info(&s.app.wrap(), s.gate.to_string()).unwrap();
    assert_eq!(info.contract, "crates.io:fog-release-gate");
    assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
}

#[test]
fn owner_transfer() {
    let mut s = Suite::new();
    let (owner, alice) = (s.owner.clone(), s.alice.clone());
    let res = s
        .owner_exec(&ExecuteMsg::UpdateOwner {
            owner: alice.to_string(),
        })
        .unwrap();
    assert_eq!(
        single_event(&res),
        ReleaseGateEvent::OwnerUpdated(OwnerUpdated {
            previous_owner: owner.to_string(),
            new_owner: alice.to_string(),
        })
    );
    let config: ConfigResponse = s.query(&QueryMsg::Config {});
    assert_eq!(config.owner, alice);
    assert_eq!(
        s.exec(&owner, &model_policy(2, &[SENIOR])).unwrap_err(),
        ContractError::NotOwner
    );
    s.exec(
        &alice,
        &ExecuteMsg::CreateGroup {
            name: "ops".to_string(),
        },
    )
    .unwrap();
}

#[test]
fn non_owner_cannot_transfer() {
    let mut s = Suite::new();
    let (dev1, mallory) = (s.dev1.clone(), s.mallory.clone());
    for who in [&dev1, &mallory] {
        let err = s
            .exec(
                who,
                &ExecuteMsg::UpdateOwner {
                    owner: mallory.to_string(),
                },
            )
            .unwrap_err();
        assert_eq!(err, ContractError::NotOwner);
    }
}

#[test]
fn migrate_same_version_and_refusals() {
    let mut s = Suite::new();
    let owner = s.owner.clone();
    let code = s.app.store_code(gate_code());
    let res = s
        .app
        .migrate_contract(owner.clone(), s.gate.clone(), &MigrateMsg {}, code)
        .unwrap();
    assert_eq!(
        single_event(&res),
        ReleaseGateEvent::Migrated(Migrated {
            from_version: env!("CARGO_PKG_VERSION").to_string(),
            to_version: env!("CARGO_PKG_VERSION").to_string(),
        })
    );
    {
        let mut storage = s.app.contract_storage_mut(&s.gate);
        cw2::set_contract_version(storage.as_mut(), "crates.io:fog-release-gate", "99.0.0").unwrap();
    }
    let err = s
        .app
        .migrate_contract(owner.clone(), s.gate.clone(), &MigrateMsg {}, code)
        .unwrap_err();
    assert!(matches!(
        err.downcast::<ContractError>().unwrap(),
        ContractError::Downgrade { .. }
    ));
    {
        let mut storage = s.app.contract_storage_mut(&s.gate);
        cw2::set_contract_version(storage.as_mut(), "crates.io:fog-registry", "0.1.0").unwrap();
    }
    let err = s
        .app
        .migrate_contract(owner, s.gate.clone(), &MigrateMsg {}, code)
        .unwrap_err();
    assert!(matches!(
        err.downcast::<ContractError>().unwrap(),
        ContractError::WrongContract { .. }
    ));
}
