//! A rule file: which detector, with what parameters, an optional CEL
//! condition over each hit, and what an alert carries (severity, risk score,
//! framework tags). Files are JSON so staff can read, review and diff them.

use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::condition::Condition;

/// The frameworks an alert may be tagged with (the seed's list).
pub const FRAMEWORKS: [&str; 9] = ["GDPR", "CCPA", "SOX", "AML", "KYC", "MiCA", "BSA", "FinCEN", "MiFID II"];

pub const SEVERITIES: [&str; 4] = ["low", "medium", "high", "critical"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Stable name, e.g. `aml.large_transfer`.
    pub id: String,
    /// Bumped on every change; a version's content never changes.
    pub version: i32,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// What to look for, with its parameters.
    pub detector: Detector,
    /// CEL over the hit's evidence (`event`); the alert is raised only when
    /// it is true. E.g. `event.asset == "native:inj"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    pub severity: String,
    pub risk_score: i16,
    pub tags: Vec<String>,
}

/// Amounts are decimal strings (base units), as everywhere in fog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Detector {
    /// One transfer of at least `threshold`.
    LargeTransfer { threshold: String, asset: Option<String> },
    /// At least `min_count` transfers from one sender, each within
    /// `margin_bps` below `threshold`, within `window_seconds`.
    Structuring {
        threshold: String,
        margin_bps: u32,
        min_count: u32,
        window_seconds: u32,
        asset: Option<String>,
    },
    /// A sender's transfers within `window_seconds` reach `max_count` or
    /// their sum reaches `max_sum`.
    Velocity {
        window_seconds: u32,
        max_count: Option<u32>,
        max_sum: Option<String>,
        asset: Option<String>,
    },
    /// A transfer to or from a listed address (`list`: a file of addresses,
    /// one per line, `#` comments) or one the on-chain registry flags.
    SanctionedCounterparty { list: Option<String> },
    /// A transfer or lock larger than the address's KYC tier allows
    /// (`limits[tier]`; an address without a registry entry is tier 0).
    KycTierLimit { limits: Vec<String> },
    /// A vote whose power as cast is above `max_share_bps` of the
    /// proposal's cast power right after it, once at least `min_voters` had
    /// voted; and, with `min_nakamoto`, a proposal whose Nakamoto
    /// coefficient (fewest voters holding more than half of the cast power,
    /// over its ballots as of the block batch) falls below it (one alert
    /// per proposal).
    GovernanceConcentration {
        max_share_bps: u32,
        min_voters: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min_nakamoto: Option<u32>,
    },
    /// A vote carrying at least `min_delegated` delegated power from an
    /// account first seen less than `new_seconds` before, or silent for
    /// `dormant_seconds`.
    GovernanceAnomaly {
        min_delegated: String,
        new_seconds: u32,
        dormant_seconds: u32,
    },
    /// An approval that is not independent: the approver was funded by the
    /// requester, or both were funded by the same address.
    ReleaseGateAnomaly {},
}

impl Detector {
    pub fn name(&self) -> &'static str {
        match self {
            Detector::LargeTransfer { .. } => "large_transfer",
            Detector::Structuring { .. } => "structuring",
            Detector::Velocity { .. } => "velocity",
            Detector::SanctionedCounterparty { .. } => "sanctioned_counterparty",
            Detector::KycTierLimit { .. } => "kyc_tier_limit",
            Detector::GovernanceConcentration { .. } => "governance_concentration",
            Detector::GovernanceAnomaly { .. } => "governance_anomaly",
            Detector::ReleaseGateAnomaly {} => "release_gate_anomaly",
        }
    }
}

/// The longest window a detector looks back over: 366 days. (The detectors
/// pass their windows to PostgreSQL as 32-bit integers, which a larger
/// `u32` would wrap.)
pub const MAX_WINDOW_SECONDS: u32 = 366 * 86_400;

fn window(field: &str, seconds: u32) -> Result<()> {
    if seconds > MAX_WINDOW_SECONDS {
        bail!("{field} must be at most {MAX_WINDOW_SECONDS} (366 days), got {seconds}");
    }
    Ok(())
}

fn amount(field: &str, value: &str) -> Result<()> {
    if value.is_empty() || value.len() > 39 || !value.bytes().all(|b| b.is_ascii_digit()) {
        bail!("{field} must be a decimal amount in base units, got {value:?}");
    }
    Ok(())
}

/// An amount a detector compares a running total or a band with: zero
/// would make a rule that validates and never fires.
fn positive_amount(field: &str, value: &str) -> Result<()> {
    amount(field, value)?;
    if value.bytes().all(|b| b == b'0') {
        bail!("{field} must be more than 0 (a rule with 0 here never raises an alert)");
    }
    Ok(())
}

/// Whether `id` can be a rule id: 1-64 characters of a-z, 0-9, '.', '_', '-'.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

impl RuleSpec {
    /// Checks everything a rule author can get wrong, with the field named.
    pub fn validate(&self) -> Result<()> {
        if !valid_id(&self.id) {
            bail!(
                "id must be 1-64 characters of a-z, 0-9, '.', '_', '-', got {:?}",
                self.id
            );
        }
        if self.version < 1 {
            bail!("version must be at least 1");
        }
        if self.title.trim().is_empty() || self.title.len() > 200 {
            bail!("title must be 1-200 characters");
        }
        if !SEVERITIES.contains(&self.severity.as_str()) {
            bail!("severity must be one of {SEVERITIES:?}, got {:?}", self.severity);
        }
        if !(0..=100).contains(&self.risk_score) {
            bail!("risk_score must be 0-100, got {}", self.risk_score);
        }
        if self.tags.is_empty() {
            bail!("tags must name at least one framework of {FRAMEWORKS:?}");
        }
        for tag in &self.tags {
            if !FRAMEWORKS.contains(&tag.as_str()) {
                bail!("tag {tag:?} is not a framework of {FRAMEWORKS:?}");
            }
        }
        if let Some(c) = &self.condition {
            Condition::compile(c).context("condition")?;
        }
        match &self.detector {
            Detector::LargeTransfer { threshold, .. } => amount("detector.threshold", threshold)?,
            Detector::Structuring {
                threshold,
                margin_bps,
                min_count,
                window_seconds,
                ..
            } => {
                positive_amount("detector.threshold", threshold)?;
                if !(1..=5_000).contains(margin_bps) {
                    bail!("detector.margin_bps must be 1-5000");
                }
                if *min_count < 2 {
                    bail!("detector.min_count must be at least 2");
                }
                if *window_seconds == 0 {
                    bail!("detector.window_seconds must be positive");
                }
                window("detector.window_seconds", *window_seconds)?;
            }
            Detector::Velocity {
                window_seconds,
                max_count,
                max_sum,
                ..
            } => {
                if *window_seconds == 0 {
                    bail!("detector.window_seconds must be positive");
                }
                window("detector.window_seconds", *window_seconds)?;
                if max_count.is_none() && max_sum.is_none() {
                    bail!("detector needs max_count, max_sum or both");
                }
                if *max_count == Some(0) {
                    bail!("detector.max_count must be at least 1 (a window always holds the transfer itself, so 0 never raises an alert)");
                }
                if let Some(s) = max_sum {
                    positive_amount("detector.max_sum", s)?;
                }
            }
            Detector::SanctionedCounterparty { .. } => {}
            Detector::KycTierLimit { limits } => {
                if limits.is_empty() || limits.len() > 16 {
                    bail!("detector.limits must list 1-16 tier limits");
                }
                for l in limits {
                    amount("detector.limits[]", l)?;
                }
            }
            Detector::GovernanceConcentration {
                max_share_bps,
                min_voters,
                min_nakamoto,
            } => {
                if min_nakamoto.is_some_and(|n| n < 2) {
                    bail!("detector.min_nakamoto must be at least 2 (every vote has a coefficient of 1 or more)");
                }
                if !(1..=10_000).contains(max_share_bps) {
                    bail!("detector.max_share_bps must be 1-10000");
                }
                if *min_voters == 0 {
                    bail!("detector.min_voters must be at least 1");
                }
            }
            Detector::GovernanceAnomaly {
                min_delegated,
                new_seconds,
                dormant_seconds,
            } => {
                amount("detector.min_delegated", min_delegated)?;
                window("detector.new_seconds", *new_seconds)?;
                window("detector.dormant_seconds", *dormant_seconds)?;
                if *dormant_seconds == 0 {
                    bail!("detector.dormant_seconds must be positive (0 would flag every delegated ballot of an account active before)");
                }
            }
            Detector::ReleaseGateAnomaly {} => {}
        }
        Ok(())
    }

    /// SHA-256 of the canonical JSON (RFC 8785): a version's identity.
    pub fn digest(&self) -> Result<String> {
        let canonical = serde_json_canonicalizer::to_vec(self)?;
        Ok(hex::encode(Sha256::digest(canonical)))
    }

    /// Reads and validates one rule file.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let spec: Self = serde_json::from_str(&text).with_context(|| format!("{} is not a rule", path.display()))?;
        spec.validate().with_context(|| format!("{}", path.display()))?;
        Ok(spec)
    }
}

/// Every `*.json` rule file of `dir`, in name order, each read on its own:
/// one bad file is that file's error, not the directory's.
pub fn read_dir(dir: &Path) -> Result<Vec<(String, Result<RuleSpec>)>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("reading the rules directory {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| Ok((p.display().to_string(), RuleSpec::from_file(&p))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(detector: Detector) -> RuleSpec {
        RuleSpec {
            id: "test.window".into(),
            version: 1,
            title: "a window".into(),
            description: String::new(),
            detector,
            condition: None,
            severity: "high".into(),
            risk_score: 50,
            tags: vec!["AML".into()],
        }
    }

    fn structuring(window_seconds: u32) -> Detector {
        Detector::Structuring {
            threshold: "1000".into(),
            margin_bps: 1000,
            min_count: 3,
            window_seconds,
            asset: None,
        }
    }

    fn velocity(window_seconds: u32) -> Detector {
        Detector::Velocity {
            window_seconds,
            max_count: Some(5),
            max_sum: None,
            asset: None,
        }
    }

    fn anomaly(new_seconds: u32, dormant_seconds: u32) -> Detector {
        Detector::GovernanceAnomaly {
            min_delegated: "1".into(),
            new_seconds,
            dormant_seconds,
        }
    }

    #[test]
    fn windows_up_to_366_days_are_valid() {
        for d in [
            structuring(MAX_WINDOW_SECONDS),
            velocity(MAX_WINDOW_SECONDS),
            anomaly(MAX_WINDOW_SECONDS, MAX_WINDOW_SECONDS),
            anomaly(604_800, 7_776_000),
        ] {
            spec(d.clone()).validate().unwrap_or_else(|e| panic!("{d:?}: {e:#}"));
        }
    }

    #[test]
    fn windows_that_would_wrap_a_32_bit_integer_are_refused_by_name() {
        // 2^31 seconds became a negative interval once cast to i32.
        let wrapping = 1u32 << 31;
        for (d, field) in [
            (structuring(MAX_WINDOW_SECONDS + 1), "detector.window_seconds"),
            (structuring(wrapping), "detector.window_seconds"),
            (velocity(u32::MAX), "detector.window_seconds"),
            (anomaly(wrapping, 86_400), "detector.new_seconds"),
            (anomaly(86_400, u32::MAX), "detector.dormant_seconds"),
        ] {
            let e = spec(d.clone()).validate().expect_err(&format!("{d:?} must be refused"));
            let message = format!("{e:#}");
            assert!(message.contains(field), "{d:?}: {message}");
            assert!(message.contains("366 days"), "{d:?}: {message}");
        }
    }

    #[test]
    fn zeros_that_would_make_a_rule_that_never_fires_are_refused_by_name() {
        let zero_count = Detector::Velocity {
            window_seconds: 600,
            max_count: Some(0),
            max_sum: None,
            asset: None,
        };
        let zero_sum = Detector::Velocity {
            window_seconds: 600,
            max_count: None,
            max_sum: Some("000".into()),
            asset: None,
        };
        let zero_band = Detector::Structuring {
            threshold: "0".into(),
            margin_bps: 1000,
            min_count: 3,
            window_seconds: 600,
            asset: None,
        };
        for (d, field) in [
            (zero_count, "detector.max_count"),
            (zero_sum, "detector.max_sum"),
            (zero_band, "detector.threshold"),
            (anomaly(86_400, 0), "detector.dormant_seconds"),
        ] {
            let e = spec(d.clone()).validate().expect_err(&format!("{d:?} must be refused"));
            assert!(format!("{e:#}").contains(field), "{d:?}: {e:#}");
        }
        // One transfer a window is a (strict) limit, not a mistake.
        let one = Detector::Velocity {
            window_seconds: 600,
            max_count: Some(1),
            max_sum: Some("1".into()),
            asset: None,
        };
        spec(one).validate().unwrap();
    }
}
