//! Validation of what users send, as pure functions, and the limits that
//! keep every execute path bounded.

use std::collections::BTreeSet;

use cosmwasm_std::HexBinary;

use crate::error::ContractError;
use crate::state::Policy;

/// Most approval groups the contract holds (an approval iterates over the
/// approver's groups).
pub const MAX_GROUPS: u32 = 32;
/// Most members of one group.
pub const MAX_MEMBERS_PER_GROUP: u32 = 100;
/// Highest `min_approvals` of a policy.
pub const MAX_MIN_APPROVALS: u32 = 32;
/// Lowest `min_approvals`: four eyes.
pub const MIN_APPROVALS: u32 = 2;
/// Longest `expiry_seconds`: one year.
pub const MAX_EXPIRY_SECONDS: u64 = 365 * 24 * 60 * 60;
/// Most dataset hashes in one request.
pub const MAX_DATASET_HASHES: usize = 64;
/// Longest risk notes, in characters, after trimming.
pub const MAX_RISK_NOTES_CHARS: usize = 2048;
/// Longest comment or revocation reason, in characters, after trimming.
pub const MAX_COMMENT_CHARS: usize = 512;
/// Longest artifact id or version.
pub const MAX_IDENTIFIER_CHARS: usize = 128;
/// Longest group name or artifact type.
pub const MAX_NAME_LEN: usize = 64;
/// Length of every hash: sha256.
pub const HASH_LEN: usize = 32;
/// Revoker group of a policy that names none.
pub const DEFAULT_REVOKER_GROUP: &str = "risk_managers";

/// Group names: 1 to 64 of `[a-z0-9_]`.
pub fn validate_group_name(name: &str) -> Result<(), ContractError> {
    let ok = (1..=MAX_NAME_LEN).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !ok {
        return Err(ContractError::InvalidGroupName { name: name.to_string() });
    }
    Ok(())
}

/// Artifact types: 1 to 64 of `[A-Z0-9_]`.
pub fn validate_artifact_type(artifact_type: &str) -> Result<(), ContractError> {
    let ok = (1..=MAX_NAME_LEN).contains(&artifact_type.len())
        && artifact_type
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    if !ok {
        return Err(ContractError::InvalidArtifactType {
            artifact_type: artifact_type.to_string(),
        });
    }
    Ok(())
}

/// Artifact ids and versions: 1 to 128 characters, no whitespace or control
/// characters (they are identifiers, stored and emitted as sent).
pub fn validate_identifier(field: &str, value: &str) -> Result<(), ContractError> {
    let len = value.chars().count();
    let ok = (1..=MAX_IDENTIFIER_CHARS).contains(&len) && !value.chars().any(|c| c.is_whitespace() || c.is_control());
    if !ok {
        return Err(ContractError::InvalidIdentifier {
            field: field.to_string(),
            value: value.to_string(),
        });
    }
    Ok(())
}

/// A sha256 digest: exactly 32 bytes.
pub fn validate_hash(field: &str, hash: &HexBinary) -> Result<(), ContractError> {
    if hash.len() != HASH_LEN {
        return Err(ContractError::InvalidHash {
            field: field.to_string(),
            length: hash.len(),
        });
    }
    Ok(())
}

/// At most 64 distinct sha256 digests.
pub fn validate_dataset_hashes(hashes: &[HexBinary]) -> Result<(), ContractError> {
    if hashes.len() > MAX_DATASET_HASHES {
        return Err(ContractError::TooManyDatasetHashes {
            count: hashes.len(),
            max: MAX_DATASET_HASHES,
        });
    }
    let mut seen = BTreeSet::new();
    for h in hashes {
        validate_hash("dataset_hashes", h)?;
        if !seen.insert(h.as_slice()) {
            return Err(ContractError::DuplicateDatasetHash { hash: h.to_hex() });
        }
    }
    Ok(())
}

/// Trims free text (wasmd trims event attribute values, and the state must
/// equal what the event says) and bounds its length in characters.
pub fn normalize_text(field: &str, text: Option<String>, max: usize) -> Result<String, ContractError> {
    let text = text.unwrap_or_default();
    let trimmed = text.trim();
    let length = trimmed.chars().count();
    if length > max {
        return Err(ContractError::TextTooLong {
            field: field.to_string(),
            length,
            max,
        });
    }
    // Line breaks and tabs are text; other control characters are not.
    if let Some(c) = fog_events::Text::forbidden_char(trimmed) {
        return Err(ContractError::ControlCharacter {
            field: field.to_string(),
            code: u32::from(c),
        });
    }
    Ok(trimmed.to_string())
}

/// The shape of a policy, before the groups are checked to exist:
/// `min_approvals` in 2..=32, `expiry_seconds` in 1..=one year, at least
/// one required and one revoker group, no group listed twice in a list.
pub fn validate_policy(policy: &Policy) -> Result<(), ContractError> {
    let Policy {
        min_approvals,
        ref required_groups,
        expiry_seconds,
        ref revoker_groups,
        ref requester_groups,
    } = *policy;
    if min_approvals < MIN_APPROVALS {
        return Err(ContractError::MinApprovalsTooLow { min_approvals });
    }
    if min_approvals > MAX_MIN_APPROVALS {
        return Err(ContractError::MinApprovalsTooHigh {
            min_approvals,
            max: MAX_MIN_APPROVALS,
        });
    }
    if expiry_seconds == 0 || expiry_seconds > MAX_EXPIRY_SECONDS {
        return Err(ContractError::InvalidExpiry {
            expiry_seconds,
            max: MAX_EXPIRY_SECONDS,
        });
    }
    if required_groups.is_empty() {
        return Err(ContractError::NoRequiredGroups);
    }
    if revoker_groups.is_empty() {
        return Err(ContractError::NoRevokerGroups);
    }
    for list in [required_groups, revoker_groups, requester_groups] {
        let mut seen = BTreeSet::new();
        for g in list {
            if !seen.insert(g.as_str()) {
                return Err(ContractError::DuplicateGroup { name: g.clone() });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn group_names() {
        for ok in ["senior_developers", "risk_managers", "a", "g2", &"x".repeat(64)] {
            assert!(validate_group_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "Risk", "risk-managers", "risk managers", "é", &"x".repeat(65)] {
            assert!(validate_group_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn artifact_types() {
        for ok in ["MODEL_DEPLOYMENT", "DATASET", "V2", &"X".repeat(64)] {
            assert!(validate_artifact_type(ok).is_ok(), "{ok}");
        }
        for bad in ["", "model", "MODEL-DEPLOYMENT", "MODEL DEPLOYMENT", &"X".repeat(65)] {
            assert!(validate_artifact_type(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn identifiers() {
        assert!(validate_identifier("artifact_id", "credit-model").is_ok());
        assert!(validate_identifier("artifact_version", "1.2.0+build.5").is_ok());
        for bad in ["", " x", "a b", "x\n", "a\u{0}b", &"v".repeat(129)] {
            assert!(validate_identifier("artifact_id", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn hashes() {
        assert!(validate_hash("sha256", &HexBinary::from(vec![0u8; 32])).is_ok());
        assert_eq!(
            validate_hash("sha256", &HexBinary::from(vec![0u8; 20])),
            Err(ContractError::InvalidHash {
                field: "sha256".into(),
                length: 20
            })
        );
        let many: Vec<_> = (0..=64u8).map(|i| HexBinary::from(vec![i; 32])).collect();
        assert!(validate_dataset_hashes(&many[..64]).is_ok());
        assert!(matches!(
            validate_dataset_hashes(&many),
            Err(ContractError::TooManyDatasetHashes { count: 65, .. })
        ));
        let dup = vec![HexBinary::from(vec![1u8; 32]), HexBinary::from(vec![1u8; 32])];
        assert!(matches!(
            validate_dataset_hashes(&dup),
            Err(ContractError::DuplicateDatasetHash { .. })
        ));
        assert!(validate_dataset_hashes(&[HexBinary::from(vec![1u8; 31])]).is_err());
    }

    #[test]
    fn text() {
        assert_eq!(normalize_text("comment", None, 5).unwrap(), "");
        assert_eq!(normalize_text("comment", Some("  ok \n".into()), 5).unwrap(), "ok");
        assert_eq!(normalize_text("comment", Some(" ääääa ".into()), 5).unwrap(), "ääääa");
        assert!(normalize_text("comment", Some("toolong".into()), 5).is_err());
        assert_eq!(normalize_text("notes", Some("a\nb\tc".into()), 9).unwrap(), "a\nb\tc");
        for bad in ["a\u{0}b", "\u{1b}[31m", "x\u{7f}"] {
            assert!(
                matches!(
                    normalize_text("notes", Some(bad.into()), 9),
                    Err(ContractError::ControlCharacter { .. })
                ),
                "{bad:?}"
            );
        }
    }

    fn policy(min_approvals: u32, required: &[String], expiry_seconds: u64, revokers: &[String]) -> Policy {
        Policy {
            min_approvals,
            required_groups: required.to_vec(),
            expiry_seconds,
            revoker_groups: revokers.to_vec(),
            requester_groups: vec![],
        }
    }

    fn check(
        min_approvals: u32,
        required: &[String],
        expiry_seconds: u64,
        revokers: &[String],
    ) -> Result<(), ContractError> {
        validate_policy(&policy(min_approvals, required, expiry_seconds, revokers))
    }

    #[test]
    fn policies() {
        let req = names(&["senior_developers", "risk_managers"]);
        let rev = names(&["risk_managers"]);
        assert!(check(2, &req, 86_400, &rev).is_ok());
        assert_eq!(
            check(1, &req, 86_400, &rev),
            Err(ContractError::MinApprovalsTooLow { min_approvals: 1 })
        );
        assert!(check(0, &req, 86_400, &rev).is_err());
        assert!(check(33, &req, 86_400, &rev).is_err());
        assert!(check(2, &req, 0, &rev).is_err());
        assert!(check(2, &req, MAX_EXPIRY_SECONDS + 1, &rev).is_err());
        assert_eq!(check(2, &[], 60, &rev), Err(ContractError::NoRequiredGroups));
        assert_eq!(check(2, &req, 60, &[]), Err(ContractError::NoRevokerGroups));
        assert_eq!(
            check(2, &names(&["a", "a"]), 60, &rev),
            Err(ContractError::DuplicateGroup { name: "a".into() })
        );
        // A group may be both required and a revoker.
        assert!(check(2, &req, 60, &req).is_ok());
        // Requester groups are optional, and listed once each.
        let mut p = policy(2, &req, 60, &rev);
        p.requester_groups = names(&["ml_engineers", "senior_developers"]);
        assert!(validate_policy(&p).is_ok());
        p.requester_groups = names(&["ml_engineers", "ml_engineers"]);
        assert_eq!(
            validate_policy(&p),
            Err(ContractError::DuplicateGroup {
                name: "ml_engineers".into()
            })
        );
    }
}
