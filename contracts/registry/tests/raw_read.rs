//! The raw-read API other contracts use returns what the smart query does.
//!
//! A tiny reader contract calls `fog_registry::raw` through its own
//! `deps.querier`, as a fog contract would; the test also reads through
//! the app's querier directly.

mod common;

use common::{commitment, set_entry_msg, Suite};
use cosmwasm_schema::cw_serde;
use cosmwasm_std::{
    to_json_binary, Addr, Binary, Deps, DepsMut, Empty, Env, MessageInfo, Response, StdResult, Timestamp,
};
use cw_multi_test::{ContractWrapper, Executor};
use fog_registry::msg::ExecuteMsg;
use fog_registry::{raw, Entry};

#[cw_serde]
enum ReaderQuery {
    Entry { registry: String, address: String },
    IsSanctioned { registry: String, address: String },
    KycTier { registry: String, address: String },
}

fn reader_instantiate(_: DepsMut, _: Env, _: MessageInfo, _: Empty) -> StdResult<Response> {
    Ok(Response::new())
}

fn reader_execute(_: DepsMut, _: Env, _: MessageInfo, _: Empty) -> StdResult<Response> {
    Ok(Response::new())
}

fn reader_query(deps: Deps, env: Env, msg: ReaderQuery) -> StdResult<Binary> {
    let addrs = |registry: String, address: String| -> StdResult<(Addr, Addr)> {
        Ok((deps.api.addr_validate(&registry)?, deps.api.addr_validate(&address)?))
    };
    match msg {
        ReaderQuery::Entry { registry, address } => {
            let (registry, address) = addrs(registry, address)?;
            to_json_binary(&raw::entry(&deps.querier, &registry, &address)?)
        }
        ReaderQuery::IsSanctioned { registry, address } => {
            let (registry, address) = addrs(registry, address)?;
            to_json_binary(&raw::is_sanctioned(&deps.querier, &registry, &address)?)
        }
        ReaderQuery::KycTier { registry, address } => {
            let (registry, address) = addrs(registry, address)?;
            to_json_binary(&raw::kyc_tier(&deps.querier, &registry, &address, env.block.time)?)
        }
    }
}

struct Reader {
    addr: Addr,
}

impl Reader {
    fn deploy(s: &mut Suite) -> Self {
        let code = s.app.store_code(Box::new(ContractWrapper::new_with_empty(
            reader_execute,
            reader_instantiate,
            reader_query,
        )));
        let owner = s.owner.clone();
        let addr = s
            .app
            .instantiate_contract(code, owner, &Empty {}, &[], "reader", None)
            .unwrap();
        Reader { addr }
    }

    fn query<T: serde::de::DeserializeOwned>(&self, s: &Suite, msg: &ReaderQuery) -> T {
        s.app.wrap().query_wasm_smart(&self.addr, msg).unwrap()
    }

    fn entry(&self, s: &Suite, address: &Addr) -> Option<Entry> {
        self.query(
            s,
            &ReaderQuery::Entry {
                registry: s.registry.to_string(),
                address: address.to_string(),
            },
        )
    }

    fn is_sanctioned(&self, s: &Suite, address: &Addr) -> bool {
        self.query(
            s,
            &ReaderQuery::IsSanctioned {
                registry: s.registry.to_string(),
                address: address.to_string(),
            },
        )
    }

    fn kyc_tier(&self, s: &Suite, address: &Addr) -> u8 {
        self.query(
            s,
            &ReaderQuery::KycTier {
                registry: s.registry.to_string(),
                address: address.to_string(),
            },
        )
    }
}

/// Every way of reading `address` agrees with the smart queries.
fn assert_reads_agree(s: &Suite, reader: &Reader, address: &Addr) {
    let smart_entry = s.entry(address);
    let smart_status = s.status(address);

    assert_eq!(reader.entry(s, address), smart_entry, "contract raw read");
    assert_eq!(reader.is_sanctioned(s, address), smart_status.sanctioned);
    assert_eq!(reader.kyc_tier(s, address), smart_status.kyc_tier);

    let querier = s.app.wrap();
    let now = s.now();
    assert_eq!(
        raw::entry(&querier, &s.registry, address).unwrap(),
        smart_entry,
        "app raw read"
    );
    assert_eq!(
        raw::is_sanctioned(&querier, &s.registry, address).unwrap(),
        smart_status.sanctioned
    );
    assert_eq!(
        raw::kyc_tier(&querier, &s.registry, address, now).unwrap(),
        smart_status.kyc_tier
    );
}

#[test]
fn raw_reads_equal_smart_queries() {
    let mut s = Suite::new();
    let reader = Reader::deploy(&mut s);
    let (officer, alice, bob, mallory) = (s.officer.clone(), s.alice.clone(), s.bob.clone(), s.mallory.clone());

    // Nobody has an entry yet.
    for a in [&alice, &bob, &mallory] {
        assert_reads_agree(&s, &reader, a);
        assert_eq!(reader.entry(&s, a), None);
    }

    let expires = s.now().plus_seconds(60);
    s.exec(&officer, &set_entry_msg(&alice, 3, Some(expires))).unwrap();
    s.exec(
        &officer,
        &ExecuteMsg::SetEntry {
            address: bob.to_string(),
            kyc_tier: 2,
            jurisdiction: "CH".to_string(),
            sanctioned: true,
            expires_at: None,
            commitment: commitment(0x42),
        },
    )
    .unwrap();
    s.exec(
        &officer,
        &ExecuteMsg::SetSanctioned {
            address: mallory.to_string(),
            sanctioned: true,
            reason: None,
        },
    )
    .unwrap();
    for a in [&alice, &bob, &mallory] {
        assert_reads_agree(&s, &reader, a);
    }
    assert_eq!(reader.kyc_tier(&s, &alice), 3);
    assert!(reader.is_sanctioned(&s, &bob));
    assert!(reader.is_sanctioned(&s, &mallory));

    // After expiry the effective tier agrees too.
    s.advance(61);
    assert_reads_agree(&s, &reader, &alice);
    assert_eq!(reader.kyc_tier(&s, &alice), 0);

    // And after removal.
    s.exec(
        &officer,
        &ExecuteMsg::RemoveEntry {
            address: alice.to_string(),
        },
    )
    .unwrap();
    assert_reads_agree(&s, &reader, &alice);
    assert_eq!(reader.entry(&s, &alice), None);
}

#[test]
fn effective_tier_uses_the_time_given() {
    let mut s = Suite::new();
    let (officer, alice) = (s.officer.clone(), s.alice.clone());
    let expires = s.now().plus_seconds(60);
    s.exec(&officer, &set_entry_msg(&alice, 2, Some(expires))).unwrap();
    let querier = s.app.wrap();
    let tier_at = |t: Timestamp| raw::kyc_tier(&querier, &s.registry, &alice, t).unwrap();
    assert_eq!(tier_at(expires.minus_nanos(1)), 2);
    assert_eq!(tier_at(expires), 0);
}
