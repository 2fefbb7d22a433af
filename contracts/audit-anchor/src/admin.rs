//! The owner's actions: logs, their submitters and keys, and ownership.

use cosmwasm_std::{Addr, Deps, DepsMut, HexBinary, MessageInfo, Response};
use fog_events::audit_anchor::{LogCreated, LogKeySet, OwnerUpdated, SubmitterAdded, SubmitterRemoved};
use fog_events::to_event;

use crate::error::ContractError;
use crate::origin::validate_origin;
use crate::signature;
use crate::state::{Config, LogConfig, CONFIG, LOGS, MAX_SUBMITTERS};

/// The configuration, if `sender` is the owner.
fn ensure_owner(deps: Deps, sender: &Addr) -> Result<Config, ContractError> {
    let config = CONFIG.load(deps.storage)?;
    if config.owner != *sender {
        return Err(ContractError::NotOwner);
    }
    Ok(config)
}

fn load_log(deps: Deps, origin: &str) -> Result<LogConfig, ContractError> {
    LOGS.may_load(deps.storage, origin)?
        .ok_or_else(|| ContractError::UnknownLog {
            origin: origin.to_string(),
        })
}

fn too_many(origin: &str) -> ContractError {
    ContractError::TooManySubmitters {
        origin: origin.to_string(),
        max: MAX_SUBMITTERS as u32,
    }
}

pub fn create_log(
    deps: DepsMut,
    info: MessageInfo,
    origin: String,
    submitters: Vec<String>,
    public_key: Option<HexBinary>,
) -> Result<Response, ContractError> {
    ensure_owner(deps.as_ref(), &info.sender)?;
    validate_origin(&origin)?;
    let public_key = signature::public_key(public_key)?;
    if LOGS.has(deps.storage, &origin) {
        return Err(ContractError::LogExists { origin });
    }
    if submitters.len() > MAX_SUBMITTERS {
        return Err(too_many(&origin));
    }
    let mut valid: Vec<Addr> = Vec::with_capacity(submitters.len());
    for s in &submitters {
        let addr = deps.api.addr_validate(s)?;
        if valid.contains(&addr) {
            return Err(ContractError::AlreadySubmitter {
                origin,
                submitter: addr.into_string(),
            });
        }
        valid.push(addr);
    }
    LOGS.save(
        deps.storage,
        &origin,
        &LogConfig {
            submitters: valid.clone(),
            public_key: public_key.clone(),
        },
    )?;
    Ok(Response::new().add_event(to_event(&LogCreated {
        origin,
        submitters: valid.into_iter().map(Addr::into_string).collect(),
        owner: info.sender.into_string(),
        public_key: public_key.map(|k| HexBinary::from(k.as_slice()).to_hex()),
    })))
}

pub fn set_log_key(
    deps: DepsMut,
    info: MessageInfo,
    origin: String,
    public_key: Option<HexBinary>,
) -> Result<Response, ContractError> {
    ensure_owner(deps.as_ref(), &info.sender)?;
    let mut log = load_log(deps.as_ref(), &origin)?;
    log.public_key = signature::public_key(public_key)?;
    LOGS.save(deps.storage, &origin, &log)?;
    Ok(Response::new().add_event(to_event(&LogKeySet {
        origin,
        public_key: log.public_key.map(|k| HexBinary::from(k.as_slice()).to_hex()),
        owner: info.sender.into_string(),
    })))
}

pub fn add_submitter(
    deps: DepsMut,
    info: MessageInfo,
    origin: String,
    submitter: String,
) -> Result<Response, ContractError> {
    ensure_owner(deps.as_ref(), &info.sender)?;
    let mut log = load_log(deps.as_ref(), &origin)?;
    let submitter = deps.api.addr_validate(&submitter)?;
    if log.submitters.contains(&submitter) {
        return Err(ContractError::AlreadySubmitter {
            origin,
            submitter: submitter.into_string(),
        });
    }
    if log.submitters.len() >= MAX_SUBMITTERS {
        return Err(too_many(&origin));
    }
    log.submitters.push(submitter.clone());
    LOGS.save(deps.storage, &origin, &log)?;
    Ok(Response::new().add_event(to_event(&SubmitterAdded {
        origin,
        submitter: submitter.into_string(),
        owner: info.sender.into_string(),
    })))
}

pub fn remove_submitter(
    deps: DepsMut,
    info: MessageInfo,
    origin: String,
    submitter: String,
) -> Result<Response, ContractError> {
    ensure_owner(deps.as_ref(), &info.sender)?;
    let mut log = load_log(deps.as_ref(), &origin)?;
    let submitter = deps.api.addr_validate(&submitter)?;
    let Some(position) = log.submitters.iter().position(|s| *s == submitter) else {
        return Err(ContractError::NotSubmitter {
            origin,
            submitter: submitter.into_string(),
        });
    };
    log.submitters.remove(position);
    LOGS.save(deps.storage, &origin, &log)?;
    Ok(Response::new().add_event(to_event(&SubmitterRemoved {
        origin,
        submitter: submitter.into_string(),
        owner: info.sender.into_string(),
    })))
}

pub fn update_owner(deps: DepsMut, info: MessageInfo, owner: String) -> Result<Response, ContractError> {
    let mut config = ensure_owner(deps.as_ref(), &info.sender)?;
    config.owner = deps.api.addr_validate(&owner)?;
    CONFIG.save(deps.storage, &config)?;
    Ok(Response::new().add_event(to_event(&OwnerUpdated {
        previous_owner: info.sender.into_string(),
        new_owner: config.owner.into_string(),
    })))
}
