//! The fog contracts as cw-multi-test contracts.

use cosmwasm_std::Empty;
use cw_multi_test::{Contract, ContractWrapper};

pub fn token_contract() -> Box<dyn Contract<Empty>> {
    Box::new(
        ContractWrapper::new(
            cw20_base::contract::execute,
            cw20_base::contract::instantiate,
            cw20_base::contract::query,
        )
        .with_migrate(cw20_base::contract::migrate),
    )
}

pub fn ve_contract() -> Box<dyn Contract<Empty>> {
    Box::new(
        ContractWrapper::new(
            fog_ve::contract::execute,
            fog_ve::contract::instantiate,
            fog_ve::contract::query,
        )
        .with_migrate(fog_ve::contract::migrate),
    )
}

pub fn registry_contract() -> Box<dyn Contract<Empty>> {
    Box::new(
        ContractWrapper::new(
            fog_registry::contract::execute,
            fog_registry::contract::instantiate,
            fog_registry::contract::query,
        )
        .with_migrate(fog_registry::contract::migrate),
    )
}

pub fn governance_contract() -> Box<dyn Contract<Empty>> {
    Box::new(
        ContractWrapper::new(
            fog_governance::contract::execute,
            fog_governance::contract::instantiate,
            fog_governance::contract::query,
        )
        .with_migrate(fog_governance::contract::migrate),
    )
}

pub fn release_gate_contract() -> Box<dyn Contract<Empty>> {
    Box::new(
        ContractWrapper::new(
            fog_release_gate::contract::execute,
            fog_release_gate::contract::instantiate,
            fog_release_gate::contract::query,
        )
        .with_migrate(fog_release_gate::contract::migrate),
    )
}

pub fn audit_anchor_contract() -> Box<dyn Contract<Empty>> {
    Box::new(
        ContractWrapper::new(
            fog_audit_anchor::contract::execute,
            fog_audit_anchor::contract::instantiate,
            fog_audit_anchor::contract::query,
        )
        .with_migrate(fog_audit_anchor::contract::migrate),
    )
}
