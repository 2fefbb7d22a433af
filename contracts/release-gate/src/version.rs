//! Which migrations are allowed: same contract, same or higher version.

use crate::error::ContractError;

/// Refuses a migration from another contract or to a lower version.
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
    if parse_version(stored_version)? > parse_version(version)? {
        return Err(ContractError::Downgrade {
            from: stored_version.to_string(),
            to: version.to_string(),
        });
    }
    Ok(())
}

/// `MAJOR.MINOR.PATCH` (a pre-release or build suffix is ignored).
fn parse_version(version: &str) -> Result<(u64, u64, u64), ContractError> {
    let invalid = || ContractError::InvalidVersion {
        version: version.to_string(),
    };
    let core = version.split(['-', '+']).next().unwrap_or_default();
    let mut parts = core.split('.').map(|p| p.parse::<u64>().map_err(|_| invalid()));
    let major = parts.next().ok_or_else(invalid)??;
    let minor = parts.next().ok_or_else(invalid)??;
    let patch = parts.next().ok_or_else(invalid)??;
    if parts.next().is_some() {
        return Err(invalid());
    }
    Ok((major, minor, patch))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations() {
        let name = "crates.io:fog-release-gate";
        assert!(check_migration(name, "0.1.0", name, "0.1.0").is_ok());
        assert!(check_migration(name, "0.1.0", name, "0.1.1").is_ok());
        assert!(check_migration(name, "0.9.0", name, "0.10.0").is_ok());
        assert!(matches!(
            check_migration(name, "1.0.0", name, "0.9.9"),
            Err(ContractError::Downgrade { .. })
        ));
        assert!(matches!(
            check_migration("crates.io:fog-registry", "0.1.0", name, "0.1.0"),
            Err(ContractError::WrongContract { .. })
        ));
        for bad in ["", "1", "1.x.0", "1.2.3.4"] {
            assert!(matches!(
                check_migration(name, bad, name, "0.1.0"),
                Err(ContractError::InvalidVersion { .. })
            ));
        }
    }
}
