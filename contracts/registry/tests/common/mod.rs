//! Shared set-up for the registry's multi-tests: an app with the registry
//! instantiated, an owner and one officer, and short helpers to execute,
//! query and read the emitted fog events.
#![allow(dead_code)]

use cosmwasm_std::{Addr, Empty, HexBinary, Timestamp};
use cw_multi_test::error::AnyResult;
use cw_multi_test::{App, AppResponse, Contract, ContractWrapper, Executor};
use fog_events::registry::RegistryEvent;
use fog_registry::contract::{execute, instantiate, migrate, query};
use fog_registry::msg::{EntryResponse, ExecuteMsg, InstantiateMsg, QueryMsg, StatusResponse};
use fog_registry::{ContractError, Entry};

pub fn registry_code() -> Box<dyn Contract<Empty>> {
    Box::new(ContractWrapper::new(execute, instantiate, query).with_migrate(migrate))
}

pub struct Suite {
    pub app: App,
    pub code_id: u64,
    pub registry: Addr,
    pub owner: Addr,
    pub officer: Addr,
    pub alice: Addr,
    pub bob: Addr,
    pub mallory: Addr,
}

/// A commitment of 32 bytes, all `b`.
pub fn commitment(b: u8) -> HexBinary {
    HexBinary::from(vec![b; 32])
}

/// The `SetEntry` of a typical verified address.
pub fn set_entry_msg(address: &Addr, kyc_tier: u8, expires_at: Option<Timestamp>) -> ExecuteMsg {
    ExecuteMsg::SetEntry {
        address: address.to_string(),
        kyc_tier,
        jurisdiction: "DE".to_string(),
        sanctioned: false,
        expires_at,
        commitment: commitment(0xab),
    }
}

impl Suite {
    /// The registry, owned by `owner`, with `officer` appointed.
    pub fn new() -> Self {
        let mut app = App::default();
        let owner = app.api().addr_make("owner");
        let officer = app.api().addr_make("officer");
        let alice = app.api().addr_make("alice");
        let bob = app.api().addr_make("bob");
        let mallory = app.api().addr_make("mallory");
        let code_id = app.store_code(registry_code());
        let registry = app
            .instantiate_contract(
                code_id,
                owner.clone(),
                &InstantiateMsg {
                    owner: owner.to_string(),
                },
                &[],
                "registry",
                Some(owner.to_string()),
            )
            .unwrap();
        let mut suite = Suite {
            app,
            code_id,
            registry,
            owner: owner.clone(),
            officer: officer.clone(),
            alice,
            bob,
            mallory,
        };
        suite
            .exec(
                &owner,
                &ExecuteMsg::AddOfficer {
                    address: officer.to_string(),
                },
            )
            .unwrap();
        suite
    }

    pub fn now(&self) -> Timestamp {
        self.app.block_info().time
    }

    pub fn advance(&mut self, seconds: u64) {
        self.app.update_block(|b| {
            b.time = b.time.plus_seconds(seconds);
            b.height += 1;
        });
    }

    pub fn exec(&mut self, sender: &Addr, msg: &ExecuteMsg) -> Result<AppResponse, ContractError> {
        self.app
            .execute_contract(sender.clone(), self.registry.clone(), msg, &[])
            .map_err(|e| e.downcast::<ContractError>().unwrap())
    }

    /// Executes and expects the standard-library error (e.g. a bad address).
    pub fn exec_any(&mut self, sender: &Addr, msg: &ExecuteMsg) -> AnyResult<AppResponse> {
        self.app
            .execute_contract(sender.clone(), self.registry.clone(), msg, &[])
    }

    pub fn query<T: serde::de::DeserializeOwned>(&self, msg: &QueryMsg) -> T {
        self.app.wrap().query_wasm_smart(&self.registry, msg).unwrap()
    }

    pub fn entry(&self, address: &Addr) -> Option<Entry> {
        let res: EntryResponse = self.query(&QueryMsg::Entry {
            address: address.to_string(),
        });
        res.entry
    }

    pub fn status(&self, address: &Addr) -> StatusResponse {
        self.query(&QueryMsg::Status {
            address: address.to_string(),
        })
    }
}

/// The fog events of a response, decoded (other events are skipped).
pub fn fog_events(res: &AppResponse) -> Vec<RegistryEvent> {
    res.events
        .iter()
        .filter(|e| e.ty.starts_with("wasm-fog."))
        .map(|e| {
            let attrs: Vec<(&str, &str)> = e
                .attributes
                .iter()
                .map(|a| (a.key.as_str(), a.value.as_str()))
                .collect();
            let ty = e.ty.strip_prefix("wasm-").unwrap();
            RegistryEvent::decode(ty, &attrs)
                .expect("a registry event")
                .expect("decodes")
        })
        .collect()
}

/// The one fog event of a response.
pub fn single_event(res: &AppResponse) -> RegistryEvent {
    let mut events = fog_events(res);
    assert_eq!(events.len(), 1, "exactly one fog event per state change: {events:?}");
    events.remove(0)
}
