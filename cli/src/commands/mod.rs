//! The user commands: one module per contract family.

pub mod anchor;
pub mod audit;
pub mod gate;
pub mod gov;
pub mod keys;
pub mod query;
pub mod registry;
pub mod release;
pub mod ve;
pub mod wallet;

use anyhow::{bail, Result};
use fog_relayer::chain::TxResult;
use serde::Serialize;

use crate::context::Context;

/// Whole FOG with up to 6 decimals ("1.5") into base units.
pub fn parse_fog(s: &str) -> Result<u128> {
    match parse_fog_or_zero(s)? {
        0 => bail!("the amount must be greater than zero"),
        base => Ok(base),
    }
}

/// As [`parse_fog`], zero allowed: a setting that may be zero (no deposit,
/// no minimum power to propose), not an amount to move.
pub fn parse_fog_or_zero(s: &str) -> Result<u128> {
    let s = s.trim();
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() && frac.is_empty()
        || frac.len() > 6
        || !whole.chars().chain(frac.chars()).all(|c| c.is_ascii_digit())
    {
        bail!("{s:?} is not an amount of FOG (a number with at most 6 decimals)");
    }
    let too_large = || anyhow::anyhow!("{s} FOG is too large");
    let whole: u128 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| too_large())?
    };
    let frac: u128 = format!("{frac:0<6}").parse()?;
    let base = whole
        .checked_mul(1_000_000)
        .and_then(|w| w.checked_add(frac))
        .ok_or_else(too_large)?;
    Ok(base)
}

/// A 32-byte hash in hex.
pub fn parse_hash(s: &str, what: &str) -> Result<cosmwasm_std::HexBinary> {
    let bytes =
        hex::decode(s.trim().trim_start_matches("0x")).map_err(|_| anyhow::anyhow!("{what} {s:?} is not hex"))?;
    if bytes.len() != 32 {
        bail!("{what} must be 32 bytes (64 hex characters), got {}", bytes.len());
    }
    Ok(bytes.into())
}

#[derive(Serialize)]
struct TxReport<'a, T: Serialize> {
    txhash: &'a str,
    height: u64,
    gas_used: u64,
    gas_wanted: u64,
    #[serde(flatten)]
    result: T,
}

/// Prints an included transaction: hash, height, gas, and what it did.
pub fn print_tx<T: Serialize>(ctx: &Context, tx: &TxResult, result: T, what: impl FnOnce() -> String) -> Result<()> {
    let report = TxReport {
        txhash: &tx.hash,
        height: tx.height,
        gas_used: tx.gas_used,
        gas_wanted: tx.gas_wanted,
        result,
    };
    ctx.print(&report, || {
        format!(
            "{}\ntx {} at height {} (gas used {})",
            what(),
            tx.hash,
            tx.height,
            tx.gas_used
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fog_amounts() {
        assert_eq!(parse_fog("1").unwrap(), 1_000_000);
        assert_eq!(parse_fog("1.5").unwrap(), 1_500_000);
        assert_eq!(parse_fog("0.000001").unwrap(), 1);
        assert!(parse_fog("0").is_err());
        assert_eq!(parse_fog_or_zero("0").unwrap(), 0);
        assert_eq!(parse_fog_or_zero("0.000").unwrap(), 0);
        assert_eq!(parse_fog_or_zero("2").unwrap(), 2_000_000);
        assert!(parse_fog_or_zero("-1").is_err());
        assert!(parse_fog("1.0000001").is_err());
        assert!(parse_fog("abc").is_err());
        assert!(parse_fog("-1").is_err());
        // Past u128, by the whole part or by the scaling: the same error.
        for huge in ["9".repeat(50), format!("{}", u128::MAX / 10)] {
            let e = parse_fog(&huge).unwrap_err().to_string();
            assert_eq!(e, format!("{huge} FOG is too large"));
        }
    }
}
