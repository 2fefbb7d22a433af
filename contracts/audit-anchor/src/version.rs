//! Which migrations are allowed: the same contract, at the same or a higher
//! version.

use crate::error::ContractError;

/// Refuses code of another contract and a downgrade.
pub fn check_migration(
    stored_contract: &str,
    stored_version: &str,
    contract: &str,
    version: &str,
) -> Result<(), ContractError> {
    if stored_contract != contract {
        return Err(ContractError::WrongContract {
            expected: contract.to_string(),
            found: stored_contract.to_string(),
        });
    }
    if parse(stored_version)? > parse(version)? {
        return Err(ContractError::Downgrade {
            from: stored_version.to_string(),
            to: version.to_string(),
        });
    }
    Ok(())
}

/// `MAJOR.MINOR.PATCH`, compared as numbers; a pre-release or build suffix
/// (`-rc.1`, `+abc`) is ignored.
fn parse(version: &str) -> Result<[u64; 3], ContractError> {
    let invalid = || ContractError::InvalidVersion {
        version: version.to_string(),
    };
    let core = version.split(['-', '+']).next().unwrap_or_default();
    let parts: Vec<&str> = core.split('.').collect();
    let [major, minor, patch] = parts.as_slice() else {
        return Err(invalid());
    };
    let number = |p: &str| p.parse::<u64>().map_err(|_| invalid());
    Ok([number(major)?, number(minor)?, number(patch)?])
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: &str = "crates.io:fog-audit-anchor";

    #[test]
    fn same_or_higher_version_of_the_same_contract() {
        for (from, to) in [
            ("0.1.0", "0.1.0"),
            ("0.1.0", "0.1.1"),
            ("0.9.0", "0.10.0"),
            ("1.2.3-rc.1", "1.2.3"),
        ] {
            assert_eq!(check_migration(NAME, from, NAME, to), Ok(()), "{from} -> {to}");
        }
    }

    #[test]
    fn downgrades_and_other_contracts_are_refused() {
        assert!(matches!(
            check_migration(NAME, "0.10.0", NAME, "0.9.9"),
            Err(ContractError::Downgrade { .. })
        ));
        assert!(matches!(
            check_migration("crates.io:cw20-base", "0.1.0", NAME, "0.1.0"),
            Err(ContractError::WrongContract { .. })
        ));
        for bad in ["1.0", "1.0.0.0", "x.1.0", ""] {
            assert!(matches!(
                check_migration(NAME, bad, NAME, "0.1.0"),
                Err(ContractError::InvalidVersion { .. })
            ));
        }
    }
}
