//! Tiers: Bronze to Diamond, by lock length and amount, each with its APY.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::Uint128;

use crate::error::ContractError;

/// One tier: a lock of at least `min_weeks` and `min_amount` earns `apy_bps`.
#[cw_serde]
pub struct Tier {
    /// Display name, e.g. "Gold".
    pub name: String,
    /// Minimum committed lock length, in weeks: from the lock, its last
    /// extension or (for the FOG it adds) an increase to the lock's end, a
    /// started week counting whole.
    pub min_weeks: u64,
    /// Minimum amount locked, in FOG base units.
    pub min_amount: Uint128,
    /// Staking reward rate, in basis points per year (500 = 5%).
    pub apy_bps: u16,
}

const ONE_FOG: u128 = 1_000_000;

/// The seed's five tiers, from 5% to 25% APY.
///
/// Thresholds rise together in length and amount so that the top rate needs
/// both a long commitment and a large stake: Bronze any lock; Silver 6 months
/// and 1,000 FOG; Gold 1 year and 10,000 FOG; Platinum 2 years and 100,000
/// FOG; Diamond 3 years and 1,000,000 FOG.
pub fn default_tiers() -> Vec<Tier> {
    [
        ("Bronze", 1, 0, 500),
        ("Silver", 26, 1_000, 1_000),
        ("Gold", 52, 10_000, 1_500),
        ("Platinum", 104, 100_000, 2_000),
        ("Diamond", 156, 1_000_000, 2_500),
    ]
    .into_iter()
    .map(|(name, min_weeks, fog, apy_bps)| Tier {
        name: name.to_string(),
        min_weeks,
        min_amount: Uint128::new(fog * ONE_FOG),
        apy_bps,
    })
    .collect()
}

/// Tiers must start with one every lock reaches, rise strictly in both
/// thresholds, never lower the rate, and pay at most 100% a year.
pub fn validate(tiers: &[Tier]) -> Result<(), ContractError> {
    let invalid = |reason: &str| ContractError::InvalidTiers {
        reason: reason.to_string(),
    };
    let first = tiers.first().ok_or_else(|| invalid("at least one tier is needed"))?;
    if first.min_weeks > 1 || !first.min_amount.is_zero() {
        return Err(invalid("the first tier must admit every lock (1 week, 0 FOG)"));
    }
    if tiers.len() > 16 {
        return Err(invalid("at most 16 tiers"));
    }
    for t in tiers {
        if t.name.trim().is_empty()
            || t.name.len() > 32
            || t.name.trim() != t.name
            || t.name.chars().any(char::is_control)
        {
            return Err(invalid(
                "tier names are 1 to 32 characters on one line, without surrounding spaces or control characters",
            ));
        }
        if u128::from(t.apy_bps) > crate::rewards::BPS {
            return Err(invalid("apy_bps is at most 10000 (100%)"));
        }
    }
    for pair in tiers.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if b.min_weeks < a.min_weeks
            || b.min_amount < a.min_amount
            || (b.min_weeks == a.min_weeks && b.min_amount == a.min_amount)
        {
            return Err(invalid("each tier must require more than the one before"));
        }
        if b.apy_bps < a.apy_bps {
            return Err(invalid("a higher tier cannot pay less"));
        }
    }
    Ok(())
}

/// The highest tier a lock of `weeks` and `amount` reaches: (index, apy).
pub fn tier_of(tiers: &[Tier], weeks: u64, amount: u128) -> (u8, u16) {
    tiers
        .iter()
        .enumerate()
        .rev()
        .find(|(_, t)| weeks >= t.min_weeks && amount >= t.min_amount.u128())
        .map(|(i, t)| (i as u8, t.apy_bps))
        .unwrap_or((0, tiers.first().map(|t| t.apy_bps).unwrap_or(0)))
}

/// The rate of a lock of `a` at `rate_a` and `b` at `rate_b`, as one
/// rate on `a + b` (rounded to the nearest basis point).
pub fn blended_apy(a: u128, rate_a: u16, b: u128, rate_b: u16) -> u16 {
    let total = a + b;
    if total == 0 {
        return rate_b;
    }
    // a, b <= MAX_TOTAL_LOCKED (< 2^67), rates < 2^14: no overflow.
    let weighted = a * u128::from(rate_a) + b * u128::from(rate_b);
    // Between the two rates, so it fits in a u16.
    ((weighted + total / 2) / total) as u16
}

/// The highest tier whose rate `apy_bps` reaches: a lock's tier after an
/// increase blended its rate (tiers never lower the rate).
pub fn tier_reached(tiers: &[Tier], apy_bps: u16) -> u8 {
    tiers.iter().rposition(|t| t.apy_bps <= apy_bps).map_or(0, |i| i as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blended_rate_weighs_the_amounts_and_names_the_tier_it_reaches() {
        assert_eq!(blended_apy(1_000, 1_000, 1, 500), 1_000);
        assert_eq!(blended_apy(1, 500, 1, 2_500), 1_500);
        assert_eq!(blended_apy(3, 2_500, 1, 500), 2_000);
        assert_eq!(blended_apy(0, 0, 7, 500), 500);
        let tiers = default_tiers();
        assert_eq!(tier_reached(&tiers, 500), 0);
        assert_eq!(tier_reached(&tiers, 1_499), 1);
        assert_eq!(tier_reached(&tiers, 1_500), 2);
        assert_eq!(tier_reached(&tiers, 2_500), 4);
        assert_eq!(tier_reached(&tiers, 0), 0);
    }

    #[test]
    fn defaults_are_valid_and_span_5_to_25_percent() {
        let tiers = default_tiers();
        validate(&tiers).unwrap();
        assert_eq!(tiers.first().unwrap().apy_bps, 500);
        assert_eq!(tiers.last().unwrap().apy_bps, 2_500);
    }

    #[test]
    fn a_tier_name_is_one_line_of_plain_text() {
        for name in ["Go\u{0}ld", "Go\nld", "Gold\u{1b}[31m", " Gold", ""] {
            let mut tiers = default_tiers();
            tiers[2].name = name.into();
            let err = validate(&tiers).unwrap_err().to_string();
            assert!(err.contains("tier names"), "{name:?}: {err}");
        }
        let mut tiers = default_tiers();
        tiers[2].name = "Gold 2026".into();
        validate(&tiers).unwrap();
    }

    #[test]
    fn tier_needs_both_length_and_amount() {
        let tiers = default_tiers();
        assert_eq!(tier_of(&tiers, 1, 1), (0, 500));
        assert_eq!(tier_of(&tiers, 200, 1), (0, 500));
        assert_eq!(tier_of(&tiers, 26, 1_000 * ONE_FOG), (1, 1_000));
        assert_eq!(tier_of(&tiers, 60, 50_000 * ONE_FOG), (2, 1_500));
        assert_eq!(tier_of(&tiers, 208, 5_000_000 * ONE_FOG), (4, 2_500));
    }

    #[test]
    fn rejects_bad_tiers() {
        let mut t = default_tiers();
        t[2].apy_bps = 100;
        assert!(validate(&t).is_err());
        let mut t = default_tiers();
        t[0].min_weeks = 2;
        assert!(validate(&t).is_err());
        assert!(validate(&[]).is_err());
    }
}
