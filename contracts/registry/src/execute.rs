//! Execute handlers: check who may act, validate with [`crate::rules`],
//! write, and emit exactly one event.

use cosmwasm_std::{Addr, Deps, DepsMut, Empty, Env, HexBinary, MessageInfo, Response, Timestamp};
use fog_events::registry::{EntryRemoved, EntrySet, OfficerAdded, OfficerRemoved, OwnerUpdated, SanctionedSet};
use fog_events::{to_event, Text};

use crate::error::ContractError;
use crate::rules;
use crate::state::{Config, Entry, CONFIG, ENTRIES, OFFICERS};

/// The fields of `ExecuteMsg::SetEntry`.
pub struct NewEntry {
    pub address: String,
    pub kyc_tier: u8,
    pub jurisdiction: String,
    pub sanctioned: bool,
    pub expires_at: Option<Timestamp>,
    pub commitment: HexBinary,
}

fn assert_owner(deps: Deps, sender: &Addr) -> Result<Config, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    if config.owner != *sender {
        return Err(ContractError::NotOwner);
    }
    Ok(config)
}

/// An officer acts on another address's entry, and only while not
/// sanctioned: no officer clears their own sanction or raises their own
/// KYC tier; another officer, or the owner removing the officer, must.
fn assert_officer_of(deps: Deps, sender: &Addr, subject: &Addr) -> Result<(), ContractError> {
    if !OFFICERS.has(deps.storage, sender) {
        return Err(ContractError::NotOfficer);
    }
    if sender == subject {
        return Err(ContractError::OwnEntry);
    }
    if ENTRIES
        .may_load(deps.storage, sender)?
        .is_some_and(|e| e.is_sanctioned())
    {
        return Err(ContractError::OfficerSanctioned);
    }
    Ok(())
}

pub fn add_officer(deps: DepsMut, info: MessageInfo, address: String) -> Result<Response, ContractError> {
    assert_owner(deps.as_ref(), &info.sender)?;
    let officer = deps.api.addr_validate(&address)?;
    if OFFICERS.has(deps.storage, &officer) {
        return Err(ContractError::AlreadyOfficer {
            address: officer.into(),
        });
    }
    OFFICERS.save(deps.storage, &officer, &Empty {})?;
    Ok(Response::new().add_event(to_event(&OfficerAdded {
        officer: officer.into_string(),
        owner: info.sender.into_string(),
    })))
}

pub fn remove_officer(deps: DepsMut, info: MessageInfo, address: String) -> Result<Response, ContractError> {
    assert_owner(deps.as_ref(), &info.sender)?;
    let officer = deps.api.addr_validate(&address)?;
    if !OFFICERS.has(deps.storage, &officer) {
        return Err(ContractError::OfficerNotFound {
            address: officer.into(),
        });
    }
    OFFICERS.remove(deps.storage, &officer);
    Ok(Response::new().add_event(to_event(&OfficerRemoved {
        officer: officer.into_string(),
        owner: info.sender.into_string(),
    })))
}

pub fn set_entry(deps: DepsMut, env: Env, info: MessageInfo, new: NewEntry) -> Result<Response, ContractError> {
    let address = deps.api.addr_validate(&new.address)?;
    assert_officer_of(deps.as_ref(), &info.sender, &address)?;
    rules::validate_kyc_tier(new.kyc_tier)?;
    rules::validate_jurisdiction(&new.jurisdiction)?;
    rules::validate_commitment(&new.commitment)?;
    rules::validate_expiry(new.expires_at, env.block.time)?;

    let existing = ENTRIES.may_load(deps.storage, &address)?;
    if let Some(existing) = existing.as_ref().filter(|e| e.sanctioned != new.sanctioned) {
        return Err(ContractError::SanctionNotChangedBySetEntry {
            address: address.into(),
            sanctioned: existing.sanctioned,
        });
    }
    let created = existing.is_none();
    let entry = Entry {
        kyc_tier: new.kyc_tier,
        jurisdiction: new.jurisdiction,
        sanctioned: new.sanctioned,
        expires_at: new.expires_at,
        commitment: new.commitment,
        officer: info.sender,
        updated_at: env.block.time,
    };
    ENTRIES.save(deps.storage, &address, &entry)?;
    Ok(Response::new().add_event(to_event(&EntrySet {
        address: address.into_string(),
        kyc_tier: entry.kyc_tier,
        jurisdiction: entry.jurisdiction,
        sanctioned: entry.sanctioned,
        expires_at_ns: entry.expires_at.map(|t| t.nanos()),
        commitment: entry.commitment.to_hex(),
        officer: entry.officer.into_string(),
        updated_at_ns: entry.updated_at.nanos(),
        created,
    })))
}

pub fn set_sanctioned(
    deps: DepsMut,
    env: Env,
    info: MessageInfo,
    address: String,
    sanctioned: bool,
    reason: Option<String>,
) -> Result<Response, ContractError> {
    let address = deps.api.addr_validate(&address)?;
    assert_officer_of(deps.as_ref(), &info.sender, &address)?;
    let reason = rules::normalize_reason(reason)?;

    let (entry, created) = match ENTRIES.may_load(deps.storage, &address)? {
        Some(existing) => (
            Entry {
                sanctioned,
                officer: info.sender,
                updated_at: env.block.time,
                ..existing
            },
            false,
        ),
        None if sanctioned => (
            Entry {
                kyc_tier: 0,
                jurisdiction: rules::UNKNOWN_JURISDICTION.to_string(),
                sanctioned,
                expires_at: None,
                commitment: rules::zero_commitment(),
                officer: info.sender,
                updated_at: env.block.time,
            },
            true,
        ),
        None => {
            return Err(ContractError::EntryNotFound {
                address: address.into(),
            })
        }
    };
    ENTRIES.save(deps.storage, &address, &entry)?;
    Ok(Response::new().add_event(to_event(&SanctionedSet {
        address: address.into_string(),
        sanctioned,
        reason: Text(reason),
        officer: entry.officer.into_string(),
        updated_at_ns: entry.updated_at.nanos(),
        created,
    })))
}

pub fn remove_entry(deps: DepsMut, info: MessageInfo, address: String) -> Result<Response, ContractError> {
    let address = deps.api.addr_validate(&address)?;
    assert_officer_of(deps.as_ref(), &info.sender, &address)?;
    let entry = ENTRIES
        .may_load(deps.storage, &address)?
        .ok_or_else(|| ContractError::EntryNotFound {
            address: address.to_string(),
        })?;
    if entry.is_sanctioned() {
        return Err(ContractError::EntrySanctioned {
            address: address.into(),
        });
    }
    ENTRIES.remove(deps.storage, &address);
    Ok(Response::new().add_event(to_event(&EntryRemoved {
        address: address.into_string(),
        officer: info.sender.into_string(),
    })))
}

pub fn update_owner(deps: DepsMut, info: MessageInfo, owner: String) -> Result<Response, ContractError> {
    let mut config = assert_owner(deps.as_ref(), &info.sender)?;
    let new_owner = deps.api.addr_validate(&owner)?;
    config.owner = new_owner.clone();
    CONFIG.save(deps.storage, &config)?;
    Ok(Response::new().add_event(to_event(&OwnerUpdated {
        previous_owner: info.sender.into_string(),
        new_owner: new_owner.into_string(),
    })))
}
