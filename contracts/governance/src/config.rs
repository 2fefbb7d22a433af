//! Governance parameters: defaults, validation and changes.
//!
//! Default rules. The seed asks for a 51% quorum (30% for emergencies). Live
//! token DAOs rarely see more than 5-20% of their voting power in a vote
//! (Compound and Uniswap set 4% of supply; Curve's 30% ownership quorum is
//! often only just met), and a quorum nobody reaches freezes the DAO. veFOG
//! power is already committed stake, so turnout is higher than for liquid
//! tokens, and late-quorum protection stops a last-minute flood. The defaults
//! rise with what a kind can break: text 10%, parameter change 15%, treasury
//! spend 20%, protocol upgrade 25%, governance rules 30%, emergency 30%
//! (the seed's figure, with a one-day vote and no timelock), and a
//! two-thirds threshold for upgrades, rule changes and emergencies.

use cosmwasm_std::{Addr, Api, Uint128};

use crate::error::ContractError;
use crate::msg::{Asset, ConfigChange};
use crate::state::{Config, KindRules, ProposalKind};

const DAY: u64 = 86_400;

/// How long after its timelock a passed proposal may be executed, beyond
/// one spending period (14 days, as Compound's timelock grace period); then
/// it can no longer run.
pub const EXECUTION_WINDOW: u64 = 14 * DAY;

/// The last second a proposal executable from `executable_at` may run: the
/// execution window, plus one spending period so a spend the limit holds
/// back can wait for room. The indexer derives `expired` with it.
pub fn execution_deadline(executable_at: u64, spend_period: u64) -> u64 {
    executable_at
        .saturating_add(EXECUTION_WINDOW)
        .saturating_add(spend_period)
}
/// The longest late-quorum window and extension.
pub const MAX_LATE_QUORUM: u64 = 30 * DAY;
/// Options of a choice proposal: bounded so ranked tallies stay bounded.
pub const MAX_OPTIONS: u8 = 10;
/// Ranks of a ranked ballot (see `voting::ranked`).
pub const MAX_RANKS: u8 = 3;

pub fn default_rules(kind: ProposalKind) -> KindRules {
    let (quorum_bps, threshold_bps, days, timelock_days) = match kind {
        ProposalKind::Text => (1_000, 5_000, 7, 0),
        ProposalKind::ParameterChange => (1_500, 5_000, 7, 2),
        ProposalKind::TreasurySpend => (2_000, 5_000, 7, 2),
        ProposalKind::ProtocolUpgrade => (2_500, 6_667, 10, 7),
        ProposalKind::RulesChange => (3_000, 6_667, 14, 7),
        ProposalKind::Emergency => (3_000, 6_667, 1, 0),
    };
    KindRules {
        kind,
        quorum_bps,
        threshold_bps,
        voting_period: days * DAY,
        timelock: timelock_days * DAY,
    }
}

/// `given` rules, completed with the defaults for missing kinds.
pub fn complete_rules(given: Vec<KindRules>) -> Result<Vec<KindRules>, ContractError> {
    let mut rules = Vec::with_capacity(ProposalKind::ALL.len());
    for kind in ProposalKind::ALL {
        let mut of_kind = given.iter().filter(|r| r.kind == kind);
        let chosen = of_kind.next().cloned().unwrap_or_else(|| default_rules(kind));
        if of_kind.next().is_some() {
            return Err(ContractError::invalid_config(format!(
                "rules for {} given twice",
                kind.as_str()
            )));
        }
        rules.push(chosen);
    }
    Ok(rules)
}

pub fn validate_rules(r: &KindRules) -> Result<(), ContractError> {
    let kind = r.kind.as_str();
    if r.quorum_bps == 0 || r.quorum_bps > 10_000 {
        return Err(ContractError::invalid_config(format!(
            "{kind}: quorum must be 1 to 10000 bps"
        )));
    }
    // Yes must exceed the threshold's share of yes and no: at 10000 no
    // vote, not even a unanimous one, could pass.
    if r.threshold_bps < 5_000 || r.threshold_bps > 9_999 {
        return Err(ContractError::invalid_config(format!(
            "{kind}: threshold must be 5000 to 9999 bps (the share of yes among yes and no must exceed it)"
        )));
    }
    if r.voting_period < 10 || r.voting_period > 365 * DAY {
        return Err(ContractError::invalid_config(format!(
            "{kind}: voting period must be 10 s to 1 year"
        )));
    }
    if r.timelock > 90 * DAY {
        return Err(ContractError::invalid_config(format!(
            "{kind}: timelock must be at most 90 days"
        )));
    }
    Ok(())
}

pub fn validate(config: &Config) -> Result<(), ContractError> {
    if config.rules.len() != ProposalKind::ALL.len()
        || ProposalKind::ALL.iter().zip(&config.rules).any(|(k, r)| *k != r.kind)
    {
        return Err(ContractError::invalid_config("one rule per proposal kind, in order"));
    }
    config.rules.iter().try_for_each(validate_rules)?;
    if config.proposer_min_kyc_tier.is_some_and(|t| t > 3) || config.quadratic_min_kyc_tier > 3 {
        return Err(ContractError::invalid_config("KYC tiers are 0 to 3"));
    }
    // Without a registry every address reads as tier 0: a tier to propose
    // would refuse every proposer.
    if config.proposer_min_kyc_tier.is_some_and(|t| t > 0) && config.registry.is_none() {
        return Err(ContractError::invalid_config(
            "a KYC tier to propose needs a registry to read tiers from",
        ));
    }
    // At tier 0 anyone counts, and splitting a lock over n addresses would
    // multiply its quadratic weight by the square root of n.
    if config.quadratic_min_kyc_tier == 0 {
        return Err(ContractError::invalid_config(
            "quadratic voting needs a KYC tier of at least 1 (one verified person, one identity)",
        ));
    }
    if config.max_vote_share_bps.is_some_and(|c| c == 0 || c > 10_000) {
        return Err(ContractError::invalid_config("the vote cap must be 1 to 10000 bps"));
    }
    if let Some(lq) = config.late_quorum {
        // Bounded: each proposal keeps its copy, so a huge extension would
        // hold every proposal opened under it open for good.
        if !(1..=MAX_LATE_QUORUM).contains(&lq.extension) || !(1..=MAX_LATE_QUORUM).contains(&lq.window) {
            return Err(ContractError::invalid_config(
                "late-quorum window and extension must be 1 second to 30 days",
            ));
        }
    }
    if !(2..=MAX_OPTIONS).contains(&config.max_options) {
        return Err(ContractError::invalid_config(format!(
            "max_options must be 2 to {MAX_OPTIONS}"
        )));
    }
    if !(1..=MAX_RANKS).contains(&config.max_ranks) {
        return Err(ContractError::invalid_config(format!(
            "max_ranks must be 1 to {MAX_RANKS}"
        )));
    }
    if config.spend_period < 60 {
        return Err(ContractError::invalid_config(
            "the spending period must be at least 60 s",
        ));
    }
    for (i, l) in config.spend_limits.iter().enumerate() {
        if config.spend_limits[..i].iter().any(|o| o.asset == l.asset) {
            return Err(ContractError::invalid_config("one spending limit per asset"));
        }
    }
    Ok(())
}

pub fn rules_for(config: &Config, kind: ProposalKind) -> KindRules {
    config
        .rules
        .iter()
        .find(|r| r.kind == kind)
        .cloned()
        .unwrap_or_else(|| default_rules(kind))
}

fn addrs(api: &dyn Api, list: &[String]) -> Result<Vec<Addr>, ContractError> {
    list.iter().map(|a| api.addr_validate(a).map_err(Into::into)).collect()
}

/// A denomination the bank module accepts (the Cosmos SDK's
/// `[a-zA-Z][a-zA-Z0-9/:._-]{2,127}`): a limit on any other could never
/// apply, and free text in it (a NUL, say) would reach every event.
fn is_bank_denom(denom: &str) -> bool {
    let mut chars = denom.chars();
    (3..=128).contains(&denom.len())
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | ':' | '.' | '_' | '-'))
}

/// Validates an asset's address, returning it in canonical form.
pub fn checked_asset(api: &dyn Api, asset: &Asset) -> Result<Asset, ContractError> {
    Ok(match asset {
        Asset::Native(denom) => {
            if !is_bank_denom(denom) {
                return Err(ContractError::invalid_config(
                    "a denomination is 3 to 128 characters: a letter, then letters, digits, '/', ':', '.', '_' or '-'",
                ));
            }
            Asset::Native(denom.clone())
        }
        Asset::Cw20(addr) => Asset::Cw20(api.addr_validate(addr)?.to_string()),
    })
}

/// `config` with `change` applied, validated.
pub fn apply_change(api: &dyn Api, mut config: Config, change: &ConfigChange) -> Result<Config, ContractError> {
    let c = change.clone();
    if let Some(v) = c.deposit {
        config.deposit = v;
    }
    if let Some(v) = c.min_proposer_power {
        config.min_proposer_power = v;
    }
    if let Some(v) = c.proposer_min_kyc_tier {
        config.proposer_min_kyc_tier = v;
    }
    if let Some(v) = c.quadratic_min_kyc_tier {
        config.quadratic_min_kyc_tier = v;
    }
    if let Some(v) = c.max_vote_share_bps {
        config.max_vote_share_bps = v;
    }
    if let Some(v) = c.late_quorum {
        config.late_quorum = v;
    }
    if let Some(v) = c.guardian {
        config.guardian = v.map(|g| api.addr_validate(&g)).transpose()?;
    }
    if let Some(v) = c.validators {
        config.validators = addrs(api, &v)?;
    }
    if let Some(v) = c.spend_limits {
        config.spend_limits = v
            .into_iter()
            .map(|l| {
                Ok(crate::state::SpendLimit {
                    asset: checked_asset(api, &l.asset)?,
                    amount: l.amount,
                })
            })
            .collect::<Result<_, ContractError>>()?;
    }
    if let Some(v) = c.spend_period {
        config.spend_period = v;
    }
    if let Some(v) = c.max_options {
        config.max_options = v;
    }
    if let Some(v) = c.max_ranks {
        config.max_ranks = v;
    }
    if let Some(v) = c.managed_contracts {
        config.managed_contracts = addrs(api, &v)?;
    }
    if let Some(v) = c.registry {
        config.registry = v.map(|r| api.addr_validate(&r)).transpose()?;
    }
    validate(&config)?;
    Ok(config)
}

/// `config` with `rules` replacing the rules of their kinds, validated.
pub fn apply_rules(mut config: Config, rules: &[KindRules]) -> Result<Config, ContractError> {
    if rules.is_empty() {
        return Err(ContractError::invalid_proposal(
            "a rules change must change at least one kind",
        ));
    }
    for r in rules {
        validate_rules(r)?;
        if let Some(slot) = config.rules.iter_mut().find(|x| x.kind == r.kind) {
            *slot = r.clone();
        }
    }
    validate(&config)?;
    Ok(config)
}

/// Whether the treasury may pay `amount` more of `asset`; `Uint128::MAX`
/// when no limit is set.
pub fn spend_limit(config: &Config, asset: &Asset) -> Uint128 {
    config
        .spend_limits
        .iter()
        .find(|l| &l.asset == asset)
        .map(|l| l.amount)
        .unwrap_or(Uint128::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate() {
        for kind in ProposalKind::ALL {
            validate_rules(&default_rules(kind)).unwrap();
        }
        assert_eq!(default_rules(ProposalKind::Emergency).quorum_bps, 3_000);
    }

    #[test]
    fn bad_rules_are_refused() {
        let mut r = default_rules(ProposalKind::Text);
        r.threshold_bps = 4_000;
        assert!(validate_rules(&r).is_err());
        let mut r = default_rules(ProposalKind::Text);
        r.quorum_bps = 0;
        assert!(validate_rules(&r).is_err());
        // A threshold no vote can exceed, not even a unanimous one.
        let mut r = default_rules(ProposalKind::RulesChange);
        r.threshold_bps = 10_000;
        assert!(validate_rules(&r).is_err());
        r.threshold_bps = 9_999;
        validate_rules(&r).unwrap();
        assert!(complete_rules(vec![
            default_rules(ProposalKind::Text),
            default_rules(ProposalKind::Text)
        ])
        .is_err());
    }
}
