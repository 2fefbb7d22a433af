//! Ownership transfer and migration.

mod common;

use common::{registry_code, single_event, Suite};
use cw_multi_test::Executor;
use fog_events::registry::{Migrated, OwnerUpdated, RegistryEvent};
use fog_registry::msg::{ConfigResponse, ExecuteMsg, MigrateMsg, QueryMsg};
use fog_registry::ContractError;

#[test]
fn instantiate_records_owner_and_version() {
    let s = Suite::new();
    let config: ConfigResponse = s.query(&QueryMsg::Config {});
    assert_eq!(config.owner, s.owner);
    let version = cw2::query_contract_info(&s.app.wrap(), s.registry.to_string()).unwrap();
    assert_eq!(version.contract, "crates.io:fog-registry");
    assert_eq!(version.version, env!("CARGO_PKG_VERSION"));
}

#[test]
fn owner_transfer() {
    let mut s = Suite::new();
    let (owner, alice, bob) = (s.owner.clone(), s.alice.clone(), s.bob.clone());
    let res = s
        .exec(
            &owner,
            &ExecuteMsg::UpdateOwner {
                owner: alice.to_string(),
            },
        )
        .unwrap();
    assert_eq!(
        single_event(&res),
        RegistryEvent::OwnerUpdated(OwnerUpdated {
            previous_owner: owner.to_string(),
            new_owner: alice.to_string(),
        })
    );
    let config: ConfigResponse = s.query(&QueryMsg::Config {});
    assert_eq!(config.owner, alice);

    // The old owner has lost every power; the new one has them.
    let add_bob = ExecuteMsg::AddOfficer {
        address: bob.to_string(),
    };
    assert_eq!(s.exec(&owner, &add_bob).unwrap_err(), ContractError::NotOwner);
    assert_eq!(
        s.exec(
            &owner,
            &ExecuteMsg::UpdateOwner {
                owner: owner.to_string()
            }
        )
        .unwrap_err(),
        ContractError::NotOwner
    );
    s.exec(&alice, &add_bob).unwrap();
}

#[test]
fn non_owner_cannot_transfer() {
    let mut s = Suite::new();
    let (officer, mallory) = (s.officer.clone(), s.mallory.clone());
    for sender in [&officer, &mallory] {
        let err = s
            .exec(
                sender,
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
    let new_code = s.app.store_code(registry_code());
    let res = s
        .app
        .migrate_contract(owner.clone(), s.registry.clone(), &MigrateMsg {}, new_code)
        .unwrap();
    assert_eq!(
        single_event(&res),
        RegistryEvent::Migrated(Migrated {
            from_version: env!("CARGO_PKG_VERSION").to_string(),
            to_version: env!("CARGO_PKG_VERSION").to_string(),
        })
    );

    // A downgrade is refused.
    {
        let mut storage = s.app.contract_storage_mut(&s.registry);
        cw2::set_contract_version(storage.as_mut(), "crates.io:fog-registry", "99.0.0").unwrap();
    }
    let err = s
        .app
        .migrate_contract(owner.clone(), s.registry.clone(), &MigrateMsg {}, new_code)
        .unwrap_err();
    assert!(matches!(
        err.downcast::<ContractError>().unwrap(),
        ContractError::Downgrade { .. }
    ));

    // So is another contract's state.
    {
        let mut storage = s.app.contract_storage_mut(&s.registry);
        cw2::set_contract_version(storage.as_mut(), "crates.io:cw20-base", "0.1.0").unwrap();
    }
    let err = s
        .app
        .migrate_contract(owner, s.registry.clone(), &MigrateMsg {}, new_code)
        .unwrap_err();
    assert!(matches!(
        err.downcast::<ContractError>().unwrap(),
        ContractError::WrongContract { .. }
    ));
}
