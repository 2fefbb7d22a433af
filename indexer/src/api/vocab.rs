//! The closed sets of words the projections store (the contracts' own
//! `as_str` names), typed so that filters are checked and the OpenAPI
//! document lists the values.

use super::problem::ApiError;

macro_rules! words {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        // Names are the variants in snake_case (utoipa does not read a
        // per-variant rename made by a macro); `words_are_their_serde_names`
        // checks they equal the literals.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vm])* $variant),+
        }

        impl $name {
            pub const ALL: &'static [(&'static str, $name)] = &[$(($s, $name::$variant)),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $s),+
                }
            }

            /// A stored value (an unknown one means the projection and the
            /// API disagree: an internal error, not the caller's).
            pub fn stored(s: &str) -> Result<Self, ApiError> {
                Self::ALL
                    .iter()
                    .find(|(n, _)| *n == s)
                    .map(|(_, v)| *v)
                    .ok_or_else(|| ApiError::Internal(anyhow::anyhow!(
                        concat!("unknown ", stringify!($name), " {:?} in the database"), s
                    )))
            }
        }
    };
}

words! {
    /// Status of a proposal.
    ProposalStatus {
        Open = "open",
        Passed = "passed",
        Rejected = "rejected",
        Executed = "executed",
        Vetoed = "vetoed",
        /// Passed, never executed, past its execution window: it can no
        /// longer run. Derived (the chain stores `passed`).
        Expired = "expired",
    }
}

words! {
    /// How a proposal is voted on.
    VotingMethod {
        /// Yes, no or abstain; weight = power.
        YesNo = "yes_no",
        /// One of several options; the most weight wins.
        MultipleChoice = "multiple_choice",
        /// Options ranked; instant runoff.
        RankedChoice = "ranked_choice",
        /// Yes, no or abstain; weight = square root of power.
        Quadratic = "quadratic",
    }
}

words! {
    /// What a proposal does.
    ProposalKind {
        Text = "text",
        ParameterChange = "parameter_change",
        TreasurySpend = "treasury_spend",
        ProtocolUpgrade = "protocol_upgrade",
        RulesChange = "rules_change",
        Emergency = "emergency",
    }
}

words! {
    /// Status of a release request.
    ReleaseStatus {
        /// Waiting for approvals.
        Pending = "pending",
        /// The policy is met: the artifact is released.
        Approved = "approved",
        /// A member of a required group rejected it.
        Rejected = "rejected",
        /// Still pending at its expiry time.
        Expired = "expired",
        /// Was approved, then revoked.
        Revoked = "revoked",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serde_names<T: serde::Serialize + Copy>(all: &[(&str, T)]) {
        for (s, v) in all {
            assert_eq!(serde_json::to_value(v).unwrap(), *s);
        }
    }

    #[test]
    fn words_are_their_serde_names() {
        serde_names(ProposalStatus::ALL);
        serde_names(VotingMethod::ALL);
        serde_names(ProposalKind::ALL);
        serde_names(ReleaseStatus::ALL);
    }

    #[test]
    fn words_match_the_contracts() {
        use fog_governance::state as gov;
        for (k, v) in gov::ProposalKind::ALL.iter().map(|k| (k.as_str(), k)) {
            assert_eq!(ProposalKind::stored(k).unwrap().as_str(), v.as_str());
        }
        for m in [
            gov::VotingMethod::YesNo,
            gov::VotingMethod::MultipleChoice,
            gov::VotingMethod::RankedChoice,
            gov::VotingMethod::Quadratic,
        ] {
            assert!(VotingMethod::stored(m.as_str()).is_ok());
        }
        for s in [
            gov::Status::Open,
            gov::Status::Passed,
            gov::Status::Rejected,
            gov::Status::Executed,
            gov::Status::Vetoed,
            gov::Status::Expired,
        ] {
            assert!(ProposalStatus::stored(s.as_str()).is_ok());
        }
        assert!(ProposalStatus::stored("closed").is_err());
        use fog_release_gate::request::Status as R;
        for s in [R::Pending, R::Approved, R::Rejected, R::Expired, R::Revoked] {
            assert!(ReleaseStatus::stored(s.as_str()).is_ok());
        }
    }
}
