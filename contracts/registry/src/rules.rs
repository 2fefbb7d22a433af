//! The registry's rules as pure functions: what a valid entry is, how free
//! text is normalised, and which migrations are allowed.

use cosmwasm_std::{HexBinary, Timestamp};

use crate::error::ContractError;

/// Highest KYC tier.
pub const MAX_KYC_TIER: u8 = 3;
/// Length of the commitment: a sha256 digest.
pub const COMMITMENT_LEN: usize = 32;
/// Longest `reason` of `SetSanctioned`, in characters, after trimming.
pub const MAX_REASON_CHARS: usize = 512;
/// Jurisdiction of an entry created by `SetSanctioned` ("unknown").
pub const UNKNOWN_JURISDICTION: &str = fog_events::registry::UNKNOWN_JURISDICTION;

pub fn validate_kyc_tier(tier: u8) -> Result<u8, ContractError> {
    if tier > MAX_KYC_TIER {
        return Err(ContractError::InvalidKycTier { tier });
    }
    Ok(tier)
}

/// ISO 3166-1 alpha-2: exactly two uppercase ASCII letters. Lowercase is
/// refused rather than fixed, so what is stored is what was sent.
pub fn validate_jurisdiction(code: &str) -> Result<(), ContractError> {
    let ok = code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase());
    if !ok {
        return Err(ContractError::InvalidJurisdiction {
            jurisdiction: code.to_string(),
        });
    }
    Ok(())
}

pub fn validate_commitment(commitment: &HexBinary) -> Result<(), ContractError> {
    if commitment.len() != COMMITMENT_LEN {
        return Err(ContractError::InvalidCommitment {
            length: commitment.len(),
        });
    }
    Ok(())
}

/// A verification that has already expired is refused: set tier 0 or
/// remove the entry instead.
/// How far ahead a KYC verification may expire: a century (an expiry is a
/// date a verification is good until, not "never", which is `None`). It
/// also keeps every expiry within a signed 64-bit count of nanoseconds
/// (until 2262), which is how databases and most readers hold times.
pub const MAX_EXPIRY_DAYS: u64 = 36_525;

pub fn validate_expiry(expires_at: Option<Timestamp>, now: Timestamp) -> Result<(), ContractError> {
    match expires_at {
        Some(at) if at <= now => Err(ContractError::ExpiryNotInFuture),
        Some(at) if at > now.plus_days(MAX_EXPIRY_DAYS) => Err(ContractError::ExpiryTooFar {
            max_days: MAX_EXPIRY_DAYS,
        }),
        _ => Ok(()),
    }
}

/// The commitment of an entry without an off-chain record: 32 zero bytes.
pub fn zero_commitment() -> HexBinary {
    HexBinary::from(vec![0u8; COMMITMENT_LEN])
}

/// Trims free text (wasmd trims event attribute values, and the state must
/// equal what the event says) and bounds its length.
pub fn normalize_reason(reason: Option<String>) -> Result<String, ContractError> {
    let reason = reason.unwrap_or_default();
    let trimmed = reason.trim();
    let length = trimmed.chars().count();
    if length > MAX_REASON_CHARS {
        return Err(ContractError::ReasonTooLong {
            length,
            max: MAX_REASON_CHARS,
        });
    }
    // Line breaks and tabs are text; other control characters are not.
    if let Some(c) = fog_events::Text::forbidden_char(trimmed) {
        return Err(ContractError::ReasonControlCharacter { code: u32::from(c) });
    }
    Ok(trimmed.to_string())
}

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
    fn tiers_zero_to_three() {
        for t in 0..=3 {
            assert_eq!(validate_kyc_tier(t), Ok(t));
        }
        assert_eq!(validate_kyc_tier(4), Err(ContractError::InvalidKycTier { tier: 4 }));
        assert!(validate_kyc_tier(u8::MAX).is_err());
    }

    #[test]
    fn jurisdictions() {
        for ok in ["DE", "US", "ZZ", "CH"] {
            assert!(validate_jurisdiction(ok).is_ok(), "{ok}");
        }
        for bad in ["", "D", "de", "De", "DEU", "D1", " DE", "ÄB", "12"] {
            assert!(validate_jurisdiction(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn commitment_must_be_32_bytes() {
        assert!(validate_commitment(&HexBinary::from(vec![1u8; 32])).is_ok());
        assert_eq!(
            validate_commitment(&HexBinary::from(vec![1u8; 31])),
            Err(ContractError::InvalidCommitment { length: 31 })
        );
        assert!(validate_commitment(&HexBinary::from(vec![1u8; 33])).is_err());
        assert!(validate_commitment(&HexBinary::from(vec![])).is_err());
        assert_eq!(zero_commitment().len(), COMMITMENT_LEN);
    }

    #[test]
    fn expiry_must_be_in_the_future() {
        let now = Timestamp::from_seconds(100);
        assert!(validate_expiry(None, now).is_ok());
        assert!(validate_expiry(Some(Timestamp::from_seconds(101)), now).is_ok());
        assert_eq!(validate_expiry(Some(now), now), Err(ContractError::ExpiryNotInFuture));
        assert!(validate_expiry(Some(Timestamp::from_seconds(1)), now).is_err());
    }

    #[test]
    fn reasons_are_trimmed_and_bounded() {
        assert_eq!(normalize_reason(None).unwrap(), "");
        assert_eq!(normalize_reason(Some("  ofac list \n".into())).unwrap(), "ofac list");
        assert_eq!(normalize_reason(Some("line\nbreak".into())).unwrap(), "line\nbreak");
        assert_eq!(
            normalize_reason(Some("a\u{0}b".into())),
            Err(ContractError::ReasonControlCharacter { code: 0 })
        );
        let max = "ä".repeat(MAX_REASON_CHARS);
        assert_eq!(normalize_reason(Some(format!(" {max} "))).unwrap(), max);
        assert_eq!(
            normalize_reason(Some("x".repeat(MAX_REASON_CHARS + 1))),
            Err(ContractError::ReasonTooLong {
                length: MAX_REASON_CHARS + 1,
                max: MAX_REASON_CHARS
            })
        );
    }

    #[test]
    fn migrations() {
        let name = "crates.io:fog-registry";
        assert!(check_migration(name, "0.1.0", name, "0.1.0").is_ok());
        assert!(check_migration(name, "0.1.0", name, "0.2.0").is_ok());
        assert!(check_migration(name, "0.9.9", name, "0.10.0").is_ok());
        assert!(check_migration(name, "1.0.0-rc1", name, "1.0.0").is_ok());
        assert!(matches!(
            check_migration(name, "0.2.0", name, "0.1.9"),
            Err(ContractError::Downgrade { .. })
        ));
        assert!(matches!(
            check_migration("crates.io:other", "0.1.0", name, "0.1.0"),
            Err(ContractError::WrongContract { .. })
        ));
        for bad in ["", "1", "1.2", "1.2.x", "1.2.3.4"] {
            assert!(matches!(
                check_migration(name, bad, name, "0.1.0"),
                Err(ContractError::InvalidVersion { .. })
            ));
        }
    }
}
