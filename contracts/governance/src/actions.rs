//! What passed proposals do: validation when proposed, messages and treasury
//! accounting when executed.

use cosmwasm_std::{to_json_binary, Api, BankMsg, Coin, CosmosMsg, Order, StdResult, Storage, Uint128, WasmMsg};
use cw20::Cw20ExecuteMsg;
use cw_storage_plus::Bound;

use crate::config::{apply_change, apply_rules, checked_asset, spend_limit};
use crate::error::ContractError;
use crate::msg::{Action, Asset, ContractCall, Transfer};
use crate::state::{Config, ProposalKind, SPENDS, SPENT};

const MAX_ITEMS: usize = 32;

pub fn kind_of(action: Option<&Action>) -> ProposalKind {
    match action {
        None => ProposalKind::Text,
        Some(Action::ParameterChange(change)) if change.touches_safeguards() => ProposalKind::RulesChange,
        Some(Action::ParameterChange(_)) => ProposalKind::ParameterChange,
        Some(Action::TreasurySpend { .. }) => ProposalKind::TreasurySpend,
        Some(Action::ProtocolUpgrade { .. }) => ProposalKind::ProtocolUpgrade,
        Some(Action::RulesChange { .. }) => ProposalKind::RulesChange,
        Some(Action::Emergency { .. }) => ProposalKind::Emergency,
    }
}

fn bounded<T>(items: &[T], what: &str) -> Result<(), ContractError> {
    if items.is_empty() || items.len() > MAX_ITEMS {
        return Err(ContractError::invalid_proposal(format!(
            "{what}: 1 to {MAX_ITEMS} entries"
        )));
    }
    Ok(())
}

fn managed(config: &Config, api: &dyn Api, contract: &str) -> Result<(), ContractError> {
    let addr = api.addr_validate(contract)?;
    if !config.managed_contracts.contains(&addr) {
        return Err(ContractError::NotManaged {
            contract: contract.to_string(),
        });
    }
    Ok(())
}

/// Checks an action against the current configuration when it is proposed
/// (it is checked again when executed: the configuration may change).
pub fn validate(api: &dyn Api, config: &Config, action: &Action) -> Result<(), ContractError> {
    match action {
        Action::ParameterChange(change) => {
            apply_change(api, config.clone(), change)?;
        }
        Action::TreasurySpend { transfers } => {
            bounded(transfers, "transfers")?;
            transfers.iter().try_for_each(|t| check_transfer(api, t))?;
        }
        Action::ProtocolUpgrade { migrations, calls } => {
            if migrations.is_empty() && calls.is_empty() {
                return Err(ContractError::invalid_proposal(
                    "an upgrade needs a migration or a call",
                ));
            }
            if migrations.len() + calls.len() > MAX_ITEMS {
                return Err(ContractError::invalid_proposal(format!(
                    "at most {MAX_ITEMS} migrations and calls"
                )));
            }
            for m in migrations {
                managed(config, api, &m.contract)?;
            }
            for c in calls {
                managed(config, api, &c.contract)?;
                upgrade_call_allowed(api, config, c)?;
            }
        }
        Action::RulesChange { rules } => {
            apply_rules(config.clone(), rules)?;
        }
        Action::Emergency { transfers, calls } => {
            if transfers.is_empty() && calls.is_empty() {
                return Err(ContractError::invalid_proposal(
                    "an emergency needs a transfer or a call",
                ));
            }
            if transfers.len() + calls.len() > MAX_ITEMS {
                return Err(ContractError::invalid_proposal(format!(
                    "at most {MAX_ITEMS} transfers and calls"
                )));
            }
            transfers.iter().try_for_each(|t| check_transfer(api, t))?;
            calls.iter().try_for_each(|c| emergency_call_allowed(api, config, c))?;
        }
    }
    Ok(())
}

fn check_transfer(api: &dyn Api, t: &Transfer) -> Result<(), ContractError> {
    api.addr_validate(&t.recipient)?;
    checked_asset(api, &t.asset)?;
    if t.amount.is_zero() {
        return Err(ContractError::invalid_proposal("a transfer of zero"));
    }
    Ok(())
}

/// A call may not go to a token whose spending is limited: it could move
/// the treasury's tokens past the limit.
fn not_limited(api: &dyn Api, config: &Config, contract: &str) -> Result<(), ContractError> {
    let asset = Asset::Cw20(api.addr_validate(contract)?.to_string());
    if spend_limit(config, &asset) != Uint128::MAX {
        return Err(ContractError::invalid_proposal(format!(
            "{contract} is a spend-limited token: use a transfer"
        )));
    }
    Ok(())
}

/// An emergency runs at once, with no veto: its calls may go only to the
/// contracts governance manages, and never to FOG or a spend-limited token.
fn emergency_call_allowed(api: &dyn Api, config: &Config, call: &ContractCall) -> Result<(), ContractError> {
    not_fog(config, &call.contract)?;
    not_limited(api, config, &call.contract)?;
    managed(config, api, &call.contract)
}

/// The treasury's FOG holds the proposal deposits: moving it goes through
/// a transfer, which is checked against them and the limits.
fn not_fog(config: &Config, contract: &str) -> Result<(), ContractError> {
    if contract == config.token.as_str() {
        return Err(ContractError::invalid_proposal(format!(
            "{contract} is the FOG token, which holds the proposal deposits: use a transfer"
        )));
    }
    Ok(())
}

/// What an upgrade may ask of a spend-limited token: nothing that moves
/// the treasury's balance. As the token's minter, governance may mint,
/// hand over minting and update the marketing information.
#[derive(serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum BalanceNeutralCall {
    Mint(serde::de::IgnoredAny),
    UpdateMinter(serde::de::IgnoredAny),
    UpdateMarketing(serde::de::IgnoredAny),
    UploadLogo(serde::de::IgnoredAny),
}

/// An upgrade's call to FOG or to a spend-limited token (a managed
/// contract) must be balance-neutral: a `transfer`, `send` or allowance would bypass the
/// limit that a treasury spend is charged against.
fn upgrade_call_allowed(api: &dyn Api, config: &Config, call: &ContractCall) -> Result<(), ContractError> {
    if cosmwasm_std::from_json::<BalanceNeutralCall>(&call.msg).is_ok() {
        return Ok(());
    }
    not_fog(config, &call.contract)?;
    not_limited(api, config, &call.contract)
}

fn asset_key(asset: &Asset) -> String {
    match asset {
        Asset::Native(d) => format!("native:{d}"),
        Asset::Cw20(a) => format!("cw20:{a}"),
    }
}

/// Paid of `key` in the window `(since, now]`.
fn spent_since(storage: &dyn Storage, key: &str, since: u64) -> StdResult<Uint128> {
    SPENDS
        .prefix(key)
        .range(storage, Some(Bound::exclusive(since)), None, Order::Ascending)
        .try_fold(Uint128::zero(), |sum, item| {
            let (_, amount) = item?;
            Ok(sum.checked_add(amount)?)
        })
}

/// Adds `amount` to what was paid of `key` at time `at`.
fn add_spend(storage: &mut dyn Storage, key: &str, at: u64, amount: Uint128) -> StdResult<()> {
    let before = SPENDS.may_load(storage, (key, at))?.unwrap_or_default();
    SPENDS.save(storage, (key, at), &(before + amount))
}

/// Counts transfers against the spending limits over the last
/// `spend_period` seconds; refuses the whole execution when one would
/// exceed its limit.
pub fn charge_spending(
    storage: &mut dyn Storage,
    config: &Config,
    now: u64,
    transfers: &[Transfer],
) -> Result<(), ContractError> {
    let since = now.saturating_sub(config.spend_period);
    for t in transfers {
        let limit = spend_limit(config, &t.asset);
        if limit == Uint128::MAX {
            continue;
        }
        let key = asset_key(&t.asset);
        let spent = spent_since(storage, &key, since)?;
        match spent.checked_add(t.amount).ok() {
            Some(total) if total <= limit => add_spend(storage, &key, now, t.amount)?,
            _ => {
                return Err(ContractError::SpendLimitExceeded {
                    asset: key,
                    amount: t.amount,
                    limit,
                    spent,
                })
            }
        }
        // What fell out of the window is no longer needed.
        let stale: Vec<u64> = SPENDS
            .prefix(&key)
            .keys(storage, None, Some(Bound::inclusive(since)), Order::Ascending)
            .collect::<StdResult<_>>()?;
        for at in stale {
            SPENDS.remove(storage, (&key, at));
        }
    }
    Ok(())
}

/// Spent over the last `spend_period` seconds, per limited asset.
pub fn spent_now(storage: &dyn Storage, config: &Config, now: u64) -> Result<Vec<(Asset, Uint128)>, ContractError> {
    let since = now.saturating_sub(config.spend_period);
    config
        .spend_limits
        .iter()
        .map(|l| Ok((l.asset.clone(), spent_since(storage, &asset_key(&l.asset), since)?)))
        .collect()
}

/// Carries the calendar period's spending (the code before stop 16) into
/// the window, as spent at the period's start: nothing already paid this
/// period may be paid again after the upgrade.
pub fn carry_calendar_spending(storage: &mut dyn Storage, config: &Config, now: u64) -> StdResult<()> {
    let period = now / config.spend_period;
    for l in &config.spend_limits {
        let key = asset_key(&l.asset);
        if let Some(spent) = SPENT.may_load(storage, (&key, period))? {
            add_spend(storage, &key, period * config.spend_period, spent)?;
            SPENT.remove(storage, (&key, period));
        }
    }
    Ok(())
}

/// What executing `action` does.
pub enum Effect {
    /// Messages to send, after charging these transfers to the limits.
    Messages(Vec<CosmosMsg>, Vec<Transfer>),
    NewConfig(Box<Config>),
}

fn transfer_msg(api: &dyn Api, t: &Transfer) -> Result<CosmosMsg, ContractError> {
    let recipient = api.addr_validate(&t.recipient)?.to_string();
    Ok(match checked_asset(api, &t.asset)? {
        Asset::Native(denom) => BankMsg::Send {
            to_address: recipient,
            amount: vec![Coin {
                denom,
                amount: t.amount,
            }],
        }
        .into(),
        Asset::Cw20(token) => WasmMsg::Execute {
            contract_addr: token,
            msg: to_json_binary(&Cw20ExecuteMsg::Transfer {
                recipient,
                amount: t.amount,
            })?,
            funds: vec![],
        }
        .into(),
    })
}

fn call_msg(c: &ContractCall) -> CosmosMsg {
    WasmMsg::Execute {
        contract_addr: c.contract.clone(),
        msg: c.msg.clone(),
        funds: vec![],
    }
    .into()
}

pub fn effect(api: &dyn Api, config: &Config, action: &Action) -> Result<Effect, ContractError> {
    Ok(match action {
        Action::ParameterChange(change) => Effect::NewConfig(Box::new(apply_change(api, config.clone(), change)?)),
        Action::RulesChange { rules } => Effect::NewConfig(Box::new(apply_rules(config.clone(), rules)?)),
        Action::TreasurySpend { transfers } => Effect::Messages(
            transfers
                .iter()
                .map(|t| transfer_msg(api, t))
                .collect::<Result<_, _>>()?,
            transfers.clone(),
        ),
        Action::ProtocolUpgrade { migrations, calls } => {
            let mut msgs: Vec<CosmosMsg> = Vec::new();
            for m in migrations {
                managed(config, api, &m.contract)?;
                msgs.push(
                    WasmMsg::Migrate {
                        contract_addr: m.contract.clone(),
                        new_code_id: m.new_code_id,
                        msg: m.msg.clone(),
                    }
                    .into(),
                );
            }
            for c in calls {
                managed(config, api, &c.contract)?;
                upgrade_call_allowed(api, config, c)?;
                msgs.push(call_msg(c));
            }
            Effect::Messages(msgs, vec![])
        }
        Action::Emergency { transfers, calls } => {
            let mut msgs = transfers
                .iter()
                .map(|t| transfer_msg(api, t))
                .collect::<Result<Vec<_>, _>>()?;
            for c in calls {
                emergency_call_allowed(api, config, c)?;
                msgs.push(call_msg(c));
            }
            Effect::Messages(msgs, transfers.clone())
        }
    })
}
