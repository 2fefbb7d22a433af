//! The events alone rebuild the registry's state: replay every event of a
//! busy history into a projection and compare it with the queries.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{commitment, fog_events, registry_code, set_entry_msg, Suite};
use cosmwasm_std::{to_json_binary, Addr, HexBinary, Timestamp, WasmMsg};
use cw_multi_test::{App, AppResponse, Executor};
use fog_events::registry::{RegistryEvent, UNKNOWN_JURISDICTION, ZERO_COMMITMENT_HEX};
use fog_registry::msg::{ConfigResponse, EntriesResponse, ExecuteMsg, InstantiateMsg, OfficersResponse, QueryMsg};
use fog_registry::Entry;

#[derive(Default, Debug, PartialEq)]
struct Projection {
    owner: String,
    officers: BTreeSet<String>,
    entries: BTreeMap<String, Entry>,
}

impl Projection {
    fn apply(&mut self, event: RegistryEvent) {
        match event {
            RegistryEvent::Instantiated(e) => self.owner = e.owner,
            RegistryEvent::Migrated(_) => {}
            RegistryEvent::OwnerUpdated(e) => {
                assert_eq!(e.previous_owner, self.owner);
                self.owner = e.new_owner;
            }
            RegistryEvent::OfficerAdded(e) => {
                self.officers.insert(e.officer);
            }
            RegistryEvent::OfficerRemoved(e) => {
                self.officers.remove(&e.officer);
            }
            RegistryEvent::EntrySet(e) => {
                assert_eq!(e.created, !self.entries.contains_key(&e.address));
                let entry = Entry {
                    kyc_tier: e.kyc_tier,
                    jurisdiction: e.jurisdiction,
                    sanctioned: e.sanctioned,
                    expires_at: e.expires_at_ns.map(Timestamp::from_nanos),
                    commitment: HexBinary::from_hex(&e.commitment).unwrap(),
                    officer: Addr::unchecked(e.officer),
                    updated_at: Timestamp::from_nanos(e.updated_at_ns),
                };
                self.entries.insert(e.address, entry);
            }
            RegistryEvent::SanctionedSet(e) => {
                let officer = Addr::unchecked(e.officer);
                let updated_at = Timestamp::from_nanos(e.updated_at_ns);
                if e.created {
                    let entry = Entry {
                        kyc_tier: 0,
                        jurisdiction: UNKNOWN_JURISDICTION.to_string(),
                        sanctioned: e.sanctioned,
                        expires_at: None,
                        commitment: HexBinary::from_hex(ZERO_COMMITMENT_HEX).unwrap(),
                        officer,
                        updated_at,
                    };
                    self.entries.insert(e.address, entry);
                } else {
                    let entry = self.entries.get_mut(&e.address).unwrap();
                    entry.sanctioned = e.sanctioned;
                    entry.officer = officer;
                    entry.updated_at = updated_at;
                }
            }
            RegistryEvent::EntryRemoved(e) => {
                self.entries.remove(&e.address);
            }
        }
    }

    fn from_chain(app: &App, registry: &Addr) -> Self {
        let q = app.wrap();
        let config: ConfigResponse = q.query_wasm_smart(registry, &QueryMsg::Config {}).unwrap();
        let officers: OfficersResponse = q
            .query_wasm_smart(
                registry,
                &QueryMsg::Officers {
                    start_after: None,
                    limit: Some(100),
                },
            )
            .unwrap();
        let entries: EntriesResponse = q
            .query_wasm_smart(
                registry,
                &QueryMsg::Entries {
                    start_after: None,
                    limit: Some(100),
                },
            )
            .unwrap();
        Projection {
            owner: config.owner.into_string(),
            officers: officers.officers.into_iter().map(Addr::into_string).collect(),
            entries: entries
                .entries
                .into_iter()
                .map(|e| (e.address.into_string(), e.entry))
                .collect(),
        }
    }
}

#[test]
fn events_rebuild_the_state() {
    // The suite's registry is replaced by one whose instantiation we see.
    let mut s = Suite::new();
    let (owner, alice, bob, mallory) = (s.owner.clone(), s.alice.clone(), s.bob.clone(), s.mallory.clone());
    let code = s.app.store_code(registry_code());
    let res: AppResponse = s
        .app
        .execute(
            owner.clone(),
            WasmMsg::Instantiate {
                admin: None,
                code_id: code,
                msg: to_json_binary(&InstantiateMsg {
                    owner: owner.to_string(),
                })
                .unwrap(),
                funds: vec![],
                label: "registry-2".to_string(),
            }
            .into(),
        )
        .unwrap();
    let registry = Addr::unchecked(
        res.events
            .iter()
            .find(|e| e.ty == "instantiate")
            .and_then(|e| e.attributes.iter().find(|a| a.key == "_contract_address"))
            .unwrap()
            .value
            .clone(),
    );
    s.registry = registry.clone();
    let mut log: Vec<RegistryEvent> = fog_events(&res);

    let officer1 = s.app.api().addr_make("officer1");
    let officer2 = s.app.api().addr_make("officer2");
    let expires = s.now().plus_seconds(100);
    let steps: Vec<(Addr, ExecuteMsg)> = vec![
        (
            owner.clone(),
            ExecuteMsg::AddOfficer {
                address: officer1.to_string(),
            },
        ),
        (
            owner.clone(),
            ExecuteMsg::AddOfficer {
                address: officer2.to_string(),
            },
        ),
        (officer1.clone(), set_entry_msg(&alice, 3, Some(expires))),
        (
            officer2.clone(),
            ExecuteMsg::SetEntry {
                address: bob.to_string(),
                kyc_tier: 1,
                jurisdiction: "FR".to_string(),
                sanctioned: false,
                expires_at: None,
                commitment: commitment(7),
            },
        ),
        (
            officer2.clone(),
            ExecuteMsg::SetSanctioned {
                address: mallory.to_string(),
                sanctioned: true,
                reason: Some(" list ".to_string()),
            },
        ),
        (
            officer1.clone(),
            ExecuteMsg::SetSanctioned {
                address: bob.to_string(),
                sanctioned: true,
                reason: None,
            },
        ),
        (officer1.clone(), set_entry_msg(&alice, 2, None)),
        (
            owner.clone(),
            ExecuteMsg::RemoveOfficer {
                address: officer2.to_string(),
            },
        ),
        (
            officer1.clone(),
            ExecuteMsg::SetSanctioned {
                address: bob.to_string(),
                sanctioned: false,
                reason: Some("false positive".to_string()),
            },
        ),
        (
            officer1.clone(),
            ExecuteMsg::RemoveEntry {
                address: bob.to_string(),
            },
        ),
        (
            owner.clone(),
            ExecuteMsg::UpdateOwner {
                owner: alice.to_string(),
            },
        ),
    ];
    for (sender, msg) in steps {
        s.advance(7);
        let res = s.exec(&sender, &msg).unwrap();
        let events = fog_events(&res);
        assert_eq!(events.len(), 1, "one event per state change: {msg:?}");
        log.extend(events);
    }

    let mut projection = Projection::default();
    for e in log {
        projection.apply(e);
    }
    assert_eq!(projection, Projection::from_chain(&s.app, &registry));
    assert_eq!(projection.entries.len(), 2);
}
