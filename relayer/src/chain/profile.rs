//! Chain profiles: everything that differs from one CosmWasm chain to the
//! next, in one place.

use serde::{Deserialize, Serialize};

use super::error::ChainError;
use super::keys::KeyType;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChainProfile {
    pub name: String,
    pub chain_id: String,
    pub bech32_prefix: String,
    /// Fee denomination.
    pub denom: String,
    /// Minimum gas price in `denom` per gas unit, as a decimal string.
    pub gas_price: String,
    /// Simulated gas is multiplied by this to set the gas limit...
    pub gas_adjustment: f64,
    /// ...and this is added: simulation does not verify signatures, and an
    /// eth_secp256k1 verification costs more than simulation charges for it.
    #[serde(default = "default_gas_margin")]
    pub gas_margin: u64,
    pub key_type: KeyType,
    /// BIP-44 coin type of the chain's accounts.
    pub coin_type: u32,
    pub rpc: String,
    pub rest: String,
    pub grpc: String,
    /// How to run a local node of this chain, if fog can.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<NodeProfile>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeProfile {
    /// PyPI requirement that provides the node binary.
    pub package: String,
    pub binary: String,
    pub bond_denom: String,
    /// Target time between blocks.
    pub block_time: String,
}

fn default_gas_margin() -> u64 {
    25_000
}

const BUILT_IN: &[(&str, &str)] = &[
    ("injective-local", include_str!("../../profiles/injective-local.toml")),
    ("wasmd-local", include_str!("../../profiles/wasmd-local.toml")),
];

impl ChainProfile {
    /// A built-in profile by name, or a profile file by path.
    pub fn load(name_or_path: &str) -> Result<Self, ChainError> {
        let text = match BUILT_IN.iter().find(|(n, _)| *n == name_or_path) {
            Some((_, text)) => text.to_string(),
            None => std::fs::read_to_string(name_or_path).map_err(|e| ChainError::Config {
                message: format!(
                    "no built-in profile named {name_or_path:?} ({}) and no such file: {e}",
                    BUILT_IN.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                ),
            })?,
        };
        toml::from_str(&text).map_err(|e| ChainError::Config {
            message: format!("profile {name_or_path}: {e}"),
        })
    }

    pub fn injective_local() -> Self {
        Self::load("injective-local").expect("the built-in profile parses")
    }

    /// The gas limit for a transaction that simulated at `simulated`:
    /// scaled by the adjustment (1 to 10), plus the margin. A profile (or a
    /// manifest's copy of one) outside those bounds is a configuration
    /// error, not an overflow.
    pub fn gas_limit(&self, simulated: u64) -> Result<u64, ChainError> {
        let adjustment = self.gas_adjustment;
        if !(1.0..=10.0).contains(&adjustment) {
            return Err(ChainError::Config {
                message: format!("gas_adjustment {adjustment} must be between 1 and 10"),
            });
        }
        // At most 10x a u64 in f64: the cast saturates, the add is checked.
        let scaled = (simulated as f64 * adjustment).ceil() as u64;
        scaled.checked_add(self.gas_margin).ok_or_else(|| ChainError::Config {
            message: format!("gas_margin {} overflows the gas limit", self.gas_margin),
        })
    }

    /// The fee for `gas` at the profile's gas price, rounded up.
    pub fn fee_for(&self, gas: u64) -> Result<u128, ChainError> {
        let (int, frac) = self.gas_price.split_once('.').unwrap_or((&self.gas_price, ""));
        let bad = || ChainError::Config {
            message: format!("gas price {:?} is not a decimal number", self.gas_price),
        };
        let scale = u32::try_from(frac.len())
            .ok()
            .and_then(|digits| 10u128.checked_pow(digits))
            .ok_or_else(bad)?;
        let price_scaled: u128 = format!("{int}{frac}").parse().map_err(|_| bad())?;
        let numerator = price_scaled.checked_mul(u128::from(gas)).ok_or_else(bad)?;
        Ok(numerator.div_ceil(scale))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_profiles_parse() {
        let p = ChainProfile::load("injective-local").unwrap();
        assert_eq!(p.key_type, KeyType::EthSecp256k1);
        assert_eq!(p.fee_for(100).unwrap(), 16_000_000_000);
        let w = ChainProfile::load("wasmd-local").unwrap();
        assert_eq!(w.key_type, KeyType::Secp256k1);
        assert_eq!(w.fee_for(1000).unwrap(), 25);
        assert_eq!(w.fee_for(1001).unwrap(), 26);
        assert!(ChainProfile::load("nope").is_err());
    }

    #[test]
    fn gas_limits_are_bounded_by_configuration_errors_not_panics() {
        let mut p = ChainProfile::load("wasmd-local").unwrap();
        assert_eq!(p.gas_limit(100_000).unwrap(), 130_000 + 25_000);
        for bad in [1e20, 0.5, f64::NAN, f64::INFINITY] {
            p.gas_adjustment = bad;
            assert!(matches!(p.gas_limit(1), Err(ChainError::Config { .. })), "{bad}");
        }
        p.gas_adjustment = 10.0;
        p.gas_margin = u64::MAX;
        assert!(matches!(p.gas_limit(1), Err(ChainError::Config { .. })));
    }

    #[test]
    fn a_gas_price_with_too_many_decimals_is_an_error_not_a_panic() {
        let mut p = ChainProfile::load("wasmd-local").unwrap();
        p.gas_price = format!("0.{}", "0".repeat(40));
        assert!(matches!(p.fee_for(1), Err(ChainError::Config { .. })));
        p.gas_price = "-1".into();
        assert!(p.fee_for(1).is_err());
    }
}
